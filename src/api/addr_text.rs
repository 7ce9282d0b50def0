//! Addresses as text, as ws2_32 reads and writes them: `inet_pton` / `inet_ntop` (strict
//! forms) and the parsers behind `WSAStringToAddress` / `WSAAddressToString`, which accept the
//! old `inet_addr` forms (1 to 4 parts, octal and hex), a port and an IPv6 scope id.
//!
//! Windows parses with ntdll's `RtlIpv4StringToAddress(Ex)` and `RtlIpv6StringToAddress(Ex)`
//! (see `addr_parse`), whose results Wine's `dlls/ntdll/tests/rtl.c` records; the strings
//! the WinSock calls take follow it and Wine's `dlls/ws2_32/tests/protocol.c`
//! (`test_WSAStringToAddress`, `test_WSAAddressToString`, `test_inet_pton`), which record what
//! Windows does; the IPv6 text written follows ntdll's `RtlIpv6AddressToStringEx`, as
//! Wine's `dlls/ntdll/tests/rtl.c` (`test_RtlIpv6AddressToString(Ex)`) records it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::addr_parse;
use super::consts::{AF_INET, AF_INET6};
use super::types::SockAddr;
use super::WsaError;

/// INET_ADDRSTRLEN (22): the buffer `inet_ntop` needs for an IPv4 address.
pub const INET_ADDRSTRLEN: usize = 22;
/// INET6_ADDRSTRLEN (65): the buffer `inet_ntop` needs for an IPv6 address.
pub const INET6_ADDRSTRLEN: usize = 65;

/// `inet_pton(Family, pszAddrString, pAddrBuf)`: `Ok(Some(ip))` (C returns 1), `Ok(None)` when
/// the string is not a valid address of the family (C returns 0), WSAEAFNOSUPPORT for a
/// family other than AF_INET / AF_INET6 (C returns -1). Needs no WSAStartup.
///
/// Windows parses AF_INET with `RtlIpv4StringToAddressA(s, TRUE, …)` (four decimal parts
/// without leading zeros) and AF_INET6 with `RtlIpv6StringToAddressA` (no brackets, port or
/// scope; an IPv4 tail's parts may have leading zeros up to three digits), and takes the
/// address only when that parse reads the whole string: rtl.c has "3.4.5.6 " and "::%16"
/// parse, stopping early (rows 1064, 1462), and protocol.c test_inet_pton has inet_pton
/// refuse both (802, 898). See `addr_parse` for the grammars and the leading-"::" quirk of
/// Windows before 11 ("::0:a:b:c:d:e:f" refused).
///
/// ```
/// use winsock_sim::api::addr_text::inet_pton;
/// use winsock_sim::prelude::*;
/// assert_eq!(inet_pton(AF_INET, "192.0.2.1"), Ok(Some([192, 0, 2, 1].into())));
/// assert_eq!(inet_pton(AF_INET, "1.2.3"), Ok(None));
/// assert_eq!(inet_pton(AF_INET6, "1::001.2.3.4"), Ok(Some("1::102:304".parse().unwrap())));
/// assert_eq!(inet_pton(AF_INET6, "::1%1"), Ok(None));
/// assert_eq!(inet_pton(AF_UNSPEC, "::1"), Err(WsaError::WSAEAFNOSUPPORT));
/// ```
pub fn inet_pton(family: i32, s: &str) -> Result<Option<IpAddr>, WsaError> {
    let s = s.as_bytes();
    match family {
        AF_INET => Ok(addr_parse::ipv4(s, true)
            .filter(|&(_, end)| end == s.len())
            .map(|(ip, _)| IpAddr::V4(ip))),
        AF_INET6 => Ok(addr_parse::ipv6(s)
            .filter(|&(_, end)| end == s.len())
            .map(|(ip, _)| IpAddr::V6(ip))),
        _ => Err(WsaError::WSAEAFNOSUPPORT),
    }
}

/// `inet_ntop(Family, pAddr, pStringBuf, StringBufSize)`: the text of a 4-byte (AF_INET) or
/// 16-byte (AF_INET6) address. Another family: WSAEAFNOSUPPORT; bytes of the wrong length:
/// WSAEINVAL; `buf_len` (StringBufSize) too small for the text and its NUL: WSAEINVAL, as
/// Windows reports it (ERROR_INVALID_PARAMETER). IPv6 is written as ntdll's
/// `RtlIpv6AddressToStringEx` writes it (see `ipv6_text`; rtl.c
/// test_RtlIpv6AddressToString): "::13.1.68.3", "::ffff:0:4403", "1111::5efe:129.144.52.38".
///
/// ```
/// use winsock_sim::prelude::*;
/// let mut mapped = [0u8; 16];
/// mapped[10..].copy_from_slice(&[0xff, 0xff, 0, 0, 0x44, 0x03]);
/// assert_eq!(inet_ntop(AF_INET6, &mapped, INET6_ADDRSTRLEN).as_deref(), Ok("::ffff:0:4403"));
/// ```
pub fn inet_ntop(family: i32, addr: &[u8], buf_len: usize) -> Result<String, WsaError> {
    let text = match (family, addr.len()) {
        (AF_INET, 4) => Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]).to_string(),
        (AF_INET6, 16) => {
            let mut b = [0u8; 16];
            b.copy_from_slice(addr);
            ipv6_text(Ipv6Addr::from(b), 0, 0)
        }
        (AF_INET, _) | (AF_INET6, _) => return Err(WsaError::WSAEINVAL),
        _ => return Err(WsaError::WSAEAFNOSUPPORT),
    };
    if text.len() + 1 > buf_len {
        return Err(WsaError::WSAEINVAL);
    }
    Ok(text)
}

/// An IPv6 address as Windows writes it: ntdll's `RtlIpv6AddressToStringEx(A|W)`, which
/// `inet_ntop(AF_INET6)`, `InetNtop` and `WSAAddressToString` call. The facts are Wine's
/// `dlls/ntdll/tests/rtl.c` `test_RtlIpv6AddressToString` (table 1683–1763) and
/// `test_RtlIpv6AddressToStringEx` (table 1809–1859), wine-mirror/wine 0221b1a7, ported in
/// `tests/rtl_ipv6_address_to_string.rs`:
/// - groups in lowercase hex without leading zeros ("1080::8:800:200c:417a", 1721);
/// - the longest run of two or more zero groups, the first of equal runs, is written "::"
///   ("3ffe:b00::1:0:0:a", 1752; "2001:0:1234::c1c0:abcd:876", 1746); a single zero group is
///   not ("1111:2222:3333:4444:5555:6666:0:8888", 1725; "0:1:2:3:4:5:6:7", 1720);
/// - the last 32 bits are dotted for an IPv4-compatible address, 96 zero bits then a
///   non-zero 7th group ("::13.1.68.3", 1685; "::0.1.0.0", 1688; but "::ffff", 1687), a
///   mapped one, `::ffff:` then a non-zero 7th group ("::ffff:13.1.68.3", 1689; but
///   "::ffff:0:4403", "::ffff:0:0", 1697, 1700), and a SIIT one, `::ffff:0:` then a non-zero
///   7th group ("::ffff:0:0.1.0.0", 1702; the table has no SIIT row with a zero 7th group:
///   taken as the other two); "::ffff:ffff:d01:4403" (1704) and "::1:0:d01:4403" (1694)
///   stay hex;
/// - and for an ISATAP address, 5th group 0 or 0x200 and 6th 0x5efe, whatever the rest
///   ("::5efe:0.0.0.0", 1708; "1111:2222:3333:4444:0:5efe:129.144.52.38", 1710;
///   "::200:5efe:129.144.52.38", 1715; but "::300:5efe:8190:3426" and "::100:5efe:…", 1714,
///   1716); the "::" is then chosen among the first six groups only;
/// - a scope id other than 0 follows as "%scope" and a port other than 0 (host order here)
///   wraps it all as "[…]:port", both decimal ("[::1%4294949819]:65518", 1835).
pub(crate) fn ipv6_text(ip: Ipv6Addr, scope_id: u32, port: u16) -> String {
    let g = ip.segments();
    let dotted = match g {
        [0, 0, 0, 0, 0, 0 | 0xffff, w6, _] | [0, 0, 0, 0, 0xffff, 0, w6, _] => w6 != 0,
        [_, _, _, _, 0 | 0x200, 0x5efe, _, _] => true,
        _ => false,
    };
    let mut text = if dotted {
        let [.., a, b, c, d] = ip.octets();
        let mut head = hex_groups(&g[..6]);
        if !head.ends_with(':') {
            head.push(':');
        }
        format!("{head}{}", Ipv4Addr::new(a, b, c, d))
    } else {
        hex_groups(&g)
    };
    if scope_id != 0 {
        text = format!("{text}%{scope_id}");
    }
    match port {
        0 => text,
        p => format!("[{text}]:{p}"),
    }
}

/// Groups in hex joined by ':', the longest run of two or more zero groups (the first of
/// equal runs) written "::".
fn hex_groups(groups: &[u16]) -> String {
    let join = |gs: &[u16]| {
        gs.iter()
            .map(|g| format!("{g:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    let (mut best, mut run) = ((0, 0), (0, 0));
    for (i, &g) in groups.iter().enumerate() {
        if g != 0 {
            continue;
        }
        run = if run.1 == i {
            (run.0, i + 1)
        } else {
            (i, i + 1)
        };
        if run.1 - run.0 > best.1 - best.0 {
            best = run;
        }
    }
    if best.1 - best.0 < 2 {
        return join(groups);
    }
    format!("{}::{}", join(&groups[..best.0]), join(&groups[best.1..]))
}

/// `WSAStringToAddress(AddressString, AddressFamily, NULL, lpAddress, &len)`. Windows parses
/// AF_INET with `RtlIpv4StringToAddressExA(s, FALSE, …)`: the `inet_addr` forms (1 to 4
/// parts, octal and hex) and an optional `:port`; AF_INET6 with `RtlIpv6StringToAddressExA`:
/// an address, an optional `%scope` (decimal), optionally all in brackets followed by
/// `:port`. A port is 1 to 65535 in the `inet_addr` number forms. The call fails with
/// WSAEINVAL unless the parse reads the whole string (rtl.c's `ex_fail` rows: "3.4.5.6 ",
/// "1111:2222:::"), and for a bad number, a port of 0, or another family. See `addr_parse`.
///
/// ```
/// use winsock_sim::api::addr_text::string_to_address;
/// use winsock_sim::prelude::*;
/// assert_eq!(string_to_address("127.1:0x50", AF_INET), Ok(SockAddr::v4([127, 0, 0, 1], 80)));
/// assert_eq!(string_to_address("[::1]:80", AF_INET6), Ok(SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 80)));
/// let scoped = string_to_address("[fe80::1%4]:80", AF_INET6)?.to_socket_addr();
/// let fe80_1 = "fe80::1".parse().unwrap();
/// assert_eq!(scoped, Some(std::net::SocketAddrV6::new(fe80_1, 80, 0, 4).into()));
/// assert_eq!(string_to_address("1.2.3.4:0", AF_INET), Err(WsaError::WSAEINVAL));
/// # Ok::<(), WsaError>(())
/// ```
pub fn string_to_address(s: &str, family: i32) -> Result<SockAddr, WsaError> {
    let s = s.as_bytes();
    let addr = match family {
        AF_INET => {
            addr_parse::ipv4_ex(s).map(|(ip, port)| SocketAddr::V4(SocketAddrV4::new(ip, port)))
        }
        AF_INET6 => addr_parse::ipv6_ex(s)
            .map(|(ip, scope, port)| SocketAddr::V6(SocketAddrV6::new(ip, port, 0, scope))),
        _ => None,
    };
    addr.map(SockAddr::from).ok_or(WsaError::WSAEINVAL)
}

/// `WSAAddressToString(lpsaAddress, dwAddressLength, NULL, lpszAddressString, &len)`: IPv4 as
/// `a.b.c.d` or `a.b.c.d:port`; IPv6 as `addr`, `addr%scope`, `[addr]:port` or
/// `[addr%scope]:port` (the port and scope only when non-zero), the IPv6 text as ntdll's
/// `RtlIpv6AddressToStringEx` writes it (see `ipv6_text`; rtl.c
/// test_RtlIpv6AddressToStringEx). A length too short for the family: WSAEFAULT; another
/// family: WSAEINVAL.
///
/// ```
/// use winsock_sim::api::addr_text::address_to_string;
/// use winsock_sim::prelude::*;
/// assert_eq!(address_to_string(&SockAddr::v4([0, 0, 0, 0], 0)), Ok("0.0.0.0".to_string()));
/// assert_eq!(address_to_string(&SockAddr::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 80)),
///            Ok("[2001:db8::1]:80".to_string()));
/// assert_eq!(address_to_string(&SockAddr::v6([0, 0, 0, 0, 0, 0, 0xd01, 0x4403], 80)),
///            Ok("[::13.1.68.3]:80".to_string()));
/// ```
pub fn address_to_string(addr: &SockAddr) -> Result<String, WsaError> {
    let a = addr.parse().map_err(|e| match e {
        WsaError::WSAEFAULT => WsaError::WSAEFAULT,
        _ => WsaError::WSAEINVAL,
    })?;
    Ok(match a {
        SocketAddr::V4(v4) if v4.port() == 0 => v4.ip().to_string(),
        SocketAddr::V4(v4) => v4.to_string(),
        SocketAddr::V6(v6) => ipv6_text(*v6.ip(), v6.scope_id(), v6.port()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_forms_parse_as_inet_addr_does() {
        let v4 = |s: &str| {
            string_to_address(s, AF_INET)
                .ok()
                .and_then(|a| a.to_socket_addr())
        };
        assert_eq!(v4("1.223756"), Some("1.3.106.12:0".parse().unwrap()));
        assert_eq!(v4("0x123456789"), Some("35.69.103.137:0".parse().unwrap()));
        assert_eq!(v4("017700000001"), Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(v4("3.4.65536"), None);
        assert_eq!(v4("1.1.1.08"), None);
    }
}
