//! Addresses as text, as ws2_32 reads and writes them: `inet_pton` / `inet_ntop` (strict
//! forms) and the parsers behind `WSAStringToAddress` / `WSAAddressToString`, which accept the
//! old `inet_addr` forms (1 to 4 parts, octal and hex) and a port.
//!
//! The accepted and rejected strings follow Wine's `dlls/ws2_32/tests/protocol.c`
//! (`test_WSAStringToAddress`, `test_WSAAddressToString`, `test_inet_pton`), which record what
//! Windows does.

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
/// Windows reports it (ERROR_INVALID_PARAMETER).
pub fn inet_ntop(family: i32, addr: &[u8], buf_len: usize) -> Result<String, WsaError> {
    let text = match (family, addr.len()) {
        (AF_INET, 4) => Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]).to_string(),
        (AF_INET6, 16) => {
            let mut b = [0u8; 16];
            b.copy_from_slice(addr);
            ntop_ipv6(Ipv6Addr::from(b))
        }
        (AF_INET, _) | (AF_INET6, _) => return Err(WsaError::WSAEINVAL),
        _ => return Err(WsaError::WSAEAFNOSUPPORT),
    };
    if text.len() + 1 > buf_len {
        return Err(WsaError::WSAEINVAL);
    }
    Ok(text)
}

/// An IPv6 address as Windows' `inet_ntop` writes it: the standard text, except that an
/// IPv4-compatible address (96 zero bits, then a non-zero word) ends in dotted form, as
/// "::204.152.189.116" (protocol.c test_addr_to_print, 1109–1110 and 1186–1190).
fn ntop_ipv6(ip: Ipv6Addr) -> String {
    let g = ip.segments();
    if g[..6] == [0; 6] && g[6] != 0 {
        let [.., a, b, c, d] = ip.octets();
        return format!("::{}", Ipv4Addr::new(a, b, c, d));
    }
    ip.to_string()
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
/// `[addr%scope]:port` (the port and scope only when non-zero). A length too short for the
/// family: WSAEFAULT; another family: WSAEINVAL.
///
/// ```
/// use winsock_sim::api::addr_text::address_to_string;
/// use winsock_sim::prelude::*;
/// assert_eq!(address_to_string(&SockAddr::v4([0, 0, 0, 0], 0)), Ok("0.0.0.0".to_string()));
/// assert_eq!(address_to_string(&SockAddr::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 80)),
///            Ok("[2001:db8::1]:80".to_string()));
/// ```
pub fn address_to_string(addr: &SockAddr) -> Result<String, WsaError> {
    let a = addr.parse().map_err(|e| match e {
        WsaError::WSAEFAULT => WsaError::WSAEFAULT,
        _ => WsaError::WSAEINVAL,
    })?;
    Ok(match a {
        SocketAddr::V4(v4) if v4.port() == 0 => v4.ip().to_string(),
        SocketAddr::V4(v4) => v4.to_string(),
        SocketAddr::V6(v6) => {
            let ip = match v6.scope_id() {
                0 => v6.ip().to_string(),
                s => format!("{}%{s}", v6.ip()),
            };
            match v6.port() {
                0 => ip,
                p => format!("[{ip}]:{p}"),
            }
        }
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
