//! Addresses as text, as ws2_32 reads and writes them: `inet_pton` / `inet_ntop` (strict
//! forms) and the parsers behind `WSAStringToAddress` / `WSAAddressToString`, which accept the
//! old `inet_addr` forms (1 to 4 parts, octal and hex) and a port.
//!
//! The accepted and rejected strings follow Wine's `dlls/ws2_32/tests/protocol.c`
//! (`test_WSAStringToAddress`, `test_WSAAddressToString`, `test_inet_pton`), which record what
//! Windows does; the IPv6 text written follows ntdll's `RtlIpv6AddressToStringEx`, as
//! Wine's `dlls/ntdll/tests/rtl.c` (`test_RtlIpv6AddressToString(Ex)`) records it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::consts::{AF_INET, AF_INET6};
use super::types::SockAddr;
use super::WsaError;

/// INET_ADDRSTRLEN (22): the buffer `inet_ntop` needs for an IPv4 address.
pub const INET_ADDRSTRLEN: usize = 22;
/// INET6_ADDRSTRLEN (65): the buffer `inet_ntop` needs for an IPv6 address.
pub const INET6_ADDRSTRLEN: usize = 65;

/// `inet_pton(Family, pszAddrString, pAddrBuf)`: `Ok(Some(ip))` (C returns 1), `Ok(None)` when
/// the string is not a valid address of the family (C returns 0), WSAEAFNOSUPPORT for a
/// family other than AF_INET / AF_INET6 (C returns -1). Strict forms only: four decimal parts
/// for IPv4, no brackets, port or scope for IPv6 (with Windows' quirks: see `pton_ipv6`).
/// Needs no WSAStartup.
///
/// ```
/// use winsock_sim::api::addr_text::inet_pton;
/// use winsock_sim::prelude::*;
/// assert_eq!(inet_pton(AF_INET, "192.0.2.1"), Ok(Some([192, 0, 2, 1].into())));
/// assert_eq!(inet_pton(AF_INET, "1.2.3"), Ok(None));
/// assert_eq!(inet_pton(AF_UNSPEC, "::1"), Err(WsaError::WSAEAFNOSUPPORT));
/// ```
pub fn inet_pton(family: i32, s: &str) -> Result<Option<IpAddr>, WsaError> {
    match family {
        AF_INET => Ok(s.parse::<Ipv4Addr>().ok().map(IpAddr::V4)),
        AF_INET6 => Ok(pton_ipv6(s).map(IpAddr::V6)),
        _ => Err(WsaError::WSAEAFNOSUPPORT),
    }
}

/// An IPv6 address as Windows' `inet_pton` reads it: the standard text forms, with two
/// quirks protocol.c test_inet_pton records: a leading "::" before seven groups is refused
/// ("::0:a:b:c:d:e:f", 909–910), and each number of an embedded IPv4 part may have leading
/// zeros up to three digits ("1::001.2.3.4" is taken, "1::0001.2.3.4" not: 946–949).
fn pton_ipv6(s: &str) -> Option<Ipv6Addr> {
    if s.strip_prefix("::")
        .is_some_and(|rest| rest.split(':').count() == 7)
    {
        return None;
    }
    let Some((head, v4)) = s.rsplit_once(':').filter(|(_, tail)| tail.contains('.')) else {
        return s.parse().ok();
    };
    let octets = v4
        .split('.')
        .map(|p| match p.len() {
            1..=3 if p.bytes().all(|b| b.is_ascii_digit()) => p.parse::<u8>().ok(),
            _ => None,
        })
        .collect::<Option<Vec<u8>>>()?;
    let v4: [u8; 4] = octets.try_into().ok()?;
    format!("{head}:{}", Ipv4Addr::from(v4)).parse().ok()
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

/// One number of the `inet_addr` grammar: decimal, octal (leading 0) or hex (0x); digits
/// only, no sign or space. Hex keeps its low 32 bits, as Windows does ("0x123456789" is
/// 0x23456789).
fn legacy_number(s: &str) -> Option<u64> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if radix == 16 {
        let keep = &digits[digits.len().saturating_sub(8)..];
        return u64::from_str_radix(keep, 16).ok();
    }
    u64::from_str_radix(digits, radix).ok()
}

/// An IPv4 address in the `inet_addr` forms: `a`, `a.b`, `a.b.c`, `a.b.c.d`, the last part
/// filling the remaining bytes.
fn legacy_ipv4(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let nums = parts
        .iter()
        .map(|p| legacy_number(p))
        .collect::<Option<Vec<u64>>>()?;
    let (last, head) = nums.split_last()?;
    if head.iter().any(|&n| n > 255) {
        return None;
    }
    let last_bits = 8 * (4 - head.len() as u32);
    if last_bits < 32 && *last >= 1u64 << last_bits || *last > u64::from(u32::MAX) {
        return None;
    }
    let mut v: u32 = 0;
    for (i, &n) in head.iter().enumerate() {
        v |= (n as u32) << (24 - 8 * i);
    }
    Some(Ipv4Addr::from(v | *last as u32))
}

/// A port after ':' in `WSAStringToAddress`: the `inet_addr` number grammar, 1 to 65535.
fn legacy_port(s: &str) -> Option<u16> {
    match legacy_number(s) {
        Some(p) if (1..=65535).contains(&p) => Some(p as u16),
        _ => None,
    }
}

/// An IPv6 address where "::" stands for exactly one group is refused, as Windows refuses
/// "::1:2:3:4:5:6:7" (a Windows quirk recorded by Wine's tests).
fn one_group_elision(s: &str) -> bool {
    let Some((a, b)) = s.split_once("::") else {
        return false;
    };
    let groups = |t: &str| t.split(':').filter(|g| !g.is_empty()).count();
    groups(a) + groups(b) == 7
}

/// `WSAStringToAddress(AddressString, AddressFamily, NULL, lpAddress, &len)`: AF_INET takes
/// the `inet_addr` forms with an optional `:port`; AF_INET6 takes an address, optionally in
/// brackets with `]:port`. Anything else (spaces, a port of 0, a bad number, another family):
/// WSAEINVAL.
///
/// ```
/// use winsock_sim::api::addr_text::string_to_address;
/// use winsock_sim::prelude::*;
/// assert_eq!(string_to_address("127.1:0x50", AF_INET), Ok(SockAddr::v4([127, 0, 0, 1], 80)));
/// assert_eq!(string_to_address("[::1]:80", AF_INET6), Ok(SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 80)));
/// assert_eq!(string_to_address("1.2.3.4:0", AF_INET), Err(WsaError::WSAEINVAL));
/// ```
pub fn string_to_address(s: &str, family: i32) -> Result<SockAddr, WsaError> {
    let bad = WsaError::WSAEINVAL;
    match family {
        AF_INET => {
            let (ip, port) = match s.split_once(':') {
                Some((ip, port)) => (ip, legacy_port(port).ok_or(bad)?),
                None => (s, 0),
            };
            let ip = legacy_ipv4(ip).ok_or(bad)?;
            Ok(SocketAddr::V4(SocketAddrV4::new(ip, port)).into())
        }
        AF_INET6 => {
            let (ip, port) = if let Some(rest) = s.strip_prefix('[') {
                let (ip, tail) = rest.split_once(']').ok_or(bad)?;
                let port = match tail {
                    "" => 0,
                    t => legacy_port(t.strip_prefix(':').ok_or(bad)?).ok_or(bad)?,
                };
                (ip, port)
            } else {
                (s, 0)
            };
            if one_group_elision(ip) {
                return Err(bad);
            }
            let ip: Ipv6Addr = ip.parse().map_err(|_| bad)?;
            Ok(SocketAddr::V6(SocketAddrV6::new(ip, port, 0, 0)).into())
        }
        _ => Err(bad),
    }
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
