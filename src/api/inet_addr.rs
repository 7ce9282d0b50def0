//! `inet_addr` and `inet_ntoa`: IPv4 addresses as the old BSD calls read and write them, in
//! network byte order (`IN_ADDR.S_un.S_addr`). Pure functions, the same on every backend; the
//! rules are those Wine's `dlls/ws2_32/tests/protocol.c` records of Windows (`test_inet_addr`,
//! `test_inet_ntoa`, ported in `tests/pc_test_inet_addr.rs`).

use std::net::Ipv4Addr;

use super::addr_parse;

/// INADDR_NONE (0xFFFFFFFF): what `inet_addr` returns for text that is not an address (the
/// same value as 255.255.255.255, which `inet_addr` therefore cannot tell from an error).
pub const INADDR_NONE: u32 = 0xFFFF_FFFF;

/// `inet_addr(cp)`: the IPv4 address `cp` spells, in network byte order as `S_addr` holds it
/// (its bytes in memory are the address's octets: `u32::from_ne_bytes(ip.octets())`), or
/// [`INADDR_NONE`]. `cp` is a C string: it ends at its first NUL byte, if any.
///
/// Windows reads the old forms, as `RtlIpv4StringToAddressA` does with `Strict` FALSE (1 to 4
/// parts, the last one filling the bytes left; octal after a leading 0, hex after "0x"), and
/// takes the address when that parse stops at the end of the string or at white space,
/// whatever follows it: "1 2 3 4" is 0.0.0.1 and "3.4.5.6  7" is 3.4.5.6, while
/// "127.127.127.255:123", "1.2.3.0a" and "3.4.5.6.7" are INADDR_NONE, and so are a leading
/// space (" 3.4.5.6"), an empty string and two spaces. A string of one space is 0.0.0.0
/// (protocol.c test_inet_addr 699–743). The C call's NULL (INADDR_NONE, WSAEFAULT) has no
/// counterpart here: a slice is never null.
///
/// ```
/// use winsock_sim::api::inet_addr::{inet_addr, INADDR_NONE};
/// assert_eq!(inet_addr(b"192.0.2.1"), u32::from_ne_bytes([192, 0, 2, 1]));
/// assert_eq!(inet_addr(b"0x7f.1"), u32::from_ne_bytes([127, 0, 0, 1]));
/// assert_eq!(inet_addr(b"10.1 junk"), u32::from_ne_bytes([10, 0, 0, 1]));
/// assert_eq!(inet_addr(b"10.1:80"), INADDR_NONE);
/// ```
pub fn inet_addr(cp: &[u8]) -> u32 {
    let s = cp.split(|&b| b == 0).next().unwrap_or_default();
    if s == b" " {
        return 0;
    }
    match addr_parse::ipv4(s, false) {
        // C's isspace: space, tab, newline, vertical tab, form feed, carriage return.
        Some((ip, end))
            if s.get(end)
                .is_none_or(|&c| c == b' ' || (9..=13).contains(&c)) =>
        {
            u32::from_ne_bytes(ip.octets())
        }
        _ => INADDR_NONE,
    }
}

/// `inet_ntoa(in)`: the dotted-decimal text of `s_addr`, an IPv4 address in network byte
/// order as [`inet_addr`] returns it ("1.2.3.4"). Windows writes it into a buffer of the
/// calling thread's, which its next `inet_ntoa` overwrites; here each call returns its own
/// string (protocol.c test_inet_ntoa 657–683).
///
/// ```
/// use winsock_sim::api::inet_addr::{inet_addr, inet_ntoa};
/// assert_eq!(inet_ntoa(inet_addr(b"4.3.2.1")), "4.3.2.1");
/// assert_eq!(inet_ntoa(u32::from_ne_bytes([10, 0, 0, 255])), "10.0.0.255");
/// ```
pub fn inet_ntoa(s_addr: u32) -> String {
    Ipv4Addr::from(s_addr.to_ne_bytes()).to_string()
}
