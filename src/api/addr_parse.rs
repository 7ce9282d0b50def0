//! Address text as ntdll reads it. Windows' ws2_32 parses through four ntdll functions:
//! `inet_pton(AF_INET)` through `RtlIpv4StringToAddress` with `Strict` TRUE, `inet_pton(AF_INET6)`
//! through `RtlIpv6StringToAddress`, both taken only when the parse reads the whole string;
//! `WSAStringToAddress` through `RtlIpv4StringToAddressEx` (`Strict` FALSE) and
//! `RtlIpv6StringToAddressEx`, which add a port and a scope id and need the whole string too.
//!
//! The rules are those Wine's `dlls/ntdll/tests/rtl.c` records of Windows (wine-mirror/wine
//! 0221b1a7): `test_RtlIpv4StringToAddress(Ex)` (table `ipv4_tests` 989–1096, `ipv4_ex_tests`
//! 1191–1211) and `test_RtlIpv6StringToAddress(Ex)` (table `ipv6_tests` 1303–1655,
//! `ipv6_ex_tests` 2078–2143), ported in `tests/rtl_ipv4_string_to_address.rs` and
//! `tests/rtl_ipv6_string_to_address.rs`; the numbers in these comments are its lines. Each
//! parser returns what the Rtl function reports on success: the value and the offset of the
//! first character it did not read (its `Terminator`); `None` is STATUS_INVALID_PARAMETER.

use std::net::{Ipv4Addr, Ipv6Addr};

/// How many groups a leading "::" stands for at least. Windows before 11 takes it for two,
/// one too many, so "::0:a:b:c:d:e:f" stops before the last group and neither `inet_pton`
/// nor `WSAStringToAddress` takes it (rtl.c 1480–1485 allow that as `broken()`; Wine's
/// protocol.c at commit 027d7db8 records it as Windows' answer, 909–910 and 1465, ported in
/// `tests/pc_test_inet_pton.rs` and `tests/pc_test_wsastringtoaddress.rs`). Windows 11 takes
/// it for one, as it does a "::" elsewhere ("1111:2222:3333:4444:5555:6666::8888", 1358, on
/// every version). The crate follows the Windows those ports pin.
const LEADING_ELISION_GROUPS: usize = 2;

/// A number of the `inet_addr` grammar at `s[i..]`, as the non-strict IPv4 form and the ports
/// read it: hex after "0x" or "0X" ("1.1.1.0xaA", 1012), octal after another leading 0
/// ("1.1.1.010" is 1.1.1.8, 1025; port "011064" is 4660, 1206), decimal otherwise. It ends at
/// the first character that is not a digit of its base: "1.1.1.008" stops at the 8 (1032),
/// "0x00010Q03" at the Q (1085), "1.1.1.0a" after the 0 (1034). No digit after the prefix
/// fails ("1.1.1.0x", 1016; "1.1.1.08", 1031; port "080", 2088), and so does a digit that
/// wraps the 32-bit value below what it was ("255.255.255.4294967296", 1009;
/// "1.1.1.0x100000000", 1023), while one that wraps it upwards is kept: "0x123456789" is
/// 0x23456789 (1083).
fn number(s: &[u8], i: usize) -> Option<(u32, usize)> {
    let (radix, start) = match (s.get(i), s.get(i + 1)) {
        (Some(b'0'), Some(b'x' | b'X')) => (16, i + 2),
        (Some(b'0'), Some(b'0'..=b'9')) => (8, i + 1),
        (Some(b'0'..=b'9'), _) => (10, i),
        _ => return None,
    };
    let mut value: u32 = 0;
    let mut end = start;
    while let Some(digit) = s.get(end).and_then(|&c| char::from(c).to_digit(radix)) {
        let next = value.wrapping_mul(radix).wrapping_add(digit);
        if next < value {
            return None;
        }
        value = next;
        end += 1;
    }
    (end > start).then_some((value, end))
}

/// A number of the strict IPv4 form: decimal, without a leading 0 before another digit or an
/// 'x' ("1.1.1.00", 1027, and "1.1.1.0xff", 1017, fail); "0" before another character ends
/// there ("1.1.1.0a" reads 1.1.1.0, 1034).
fn strict_number(s: &[u8], i: usize) -> Option<(u32, usize)> {
    match (s.get(i), s.get(i + 1)) {
        (Some(b'0'), Some(b'0'..=b'9' | b'x' | b'X')) => None,
        (Some(b'0'..=b'9'), _) => number(s, i),
        _ => None,
    }
}

/// `RtlIpv4StringToAddress(S, Strict, &Terminator, &Addr)`. Non-strict: one to four numbers
/// (see `number`) joined by '.', the last filling the bytes left: "1" is 0.0.0.1, "1.2"
/// 1.0.0.2, "1.2.3" 1.2.0.3, "1.223756" 1.3.106.12, "203569230" 12.34.56.78 (1038–1054); the
/// others at most 255 and the last within its bytes ("1000.2000", "756.3.4", "3.4.65536" and
/// "255.255.255.4294967295" fail, 1043–1059, 1008). Each '.' must be followed by a number
/// (".", "1.", "1..2", "3. 4.5.6" fail, 1044–1073) and a fifth part fails ("3.4.5.6.7",
/// 1060); anything else ends the address without failing it ("255.255.255.255:123" stops at
/// ':', "3.4.5.6 " at the space, "1234BEEF" at the B, 1006, 1064, 1088). Strict: exactly four
/// decimal numbers without leading zeros (`strict_number`; "1.2.3", "0x00010203", "0777"
/// fail, 1047, 1077, 1092).
pub(crate) fn ipv4(s: &[u8], strict: bool) -> Option<(Ipv4Addr, usize)> {
    let mut parts = [0u32; 4];
    let mut n = 0;
    let mut i = 0;
    loop {
        let (value, end) = if strict {
            strict_number(s, i)?
        } else {
            number(s, i)?
        };
        parts[n] = value;
        n += 1;
        i = end;
        if s.get(i) != Some(&b'.') {
            break;
        }
        if n == 4 {
            return None;
        }
        i += 1;
    }
    if strict && n < 4 {
        return None;
    }
    let (last, head) = parts[..n].split_last()?;
    let last_bits = 8 * (5 - n as u32);
    if head.iter().any(|&p| p > 255) || (last_bits < 32 && last >> last_bits != 0) {
        return None;
    }
    let head = head
        .iter()
        .enumerate()
        .fold(0, |v, (k, &p)| v | p << (24 - 8 * k));
    Some((Ipv4Addr::from(head | last), i))
}

/// A port after ':' in the Ex forms: a `number` from 1 to 65535 ("1.2.3.4:65536" and
/// "0.0.0.0:0" fail, 1203, 1200; "0xffff" and "011064" are read, 1204, 1206; `"[::1]:0x80"` is
/// 128, 2084; "800000000080" fails, 2090). No sign or space before it (1209, 2110).
fn port(s: &[u8], i: usize) -> Option<(u16, usize)> {
    let (value, end) = number(s, i)?;
    let port = u16::try_from(value).ok().filter(|&p| p != 0)?;
    Some((port, end))
}

/// `RtlIpv4StringToAddressEx(S, FALSE, &Addr, &Port)`, under `WSAStringToAddress(AF_INET)`:
/// `ipv4` non-strict, then an optional ':' and `port`, then the end of the string
/// ("1.1.1.1:1" is port 1, 1197; "1.1.1.1:", "1.1.1.1+", "1.2.3.4:1234a" fail, 1195–1207;
/// "3.4.5.6 " and "1234BEEF", which the plain form takes, fail here, 1064, 1088).
pub(crate) fn ipv4_ex(s: &[u8]) -> Option<(Ipv4Addr, u16)> {
    let (ip, mut i) = ipv4(s, false)?;
    let mut port_value = 0;
    if s.get(i) == Some(&b':') {
        (port_value, i) = port(s, i + 1)?;
    }
    (i == s.len()).then_some((ip, port_value))
}

/// An IPv4 address ending an IPv6 one: four numbers of one to three decimal digits, leading
/// zeros allowed, each at most 255 ("1::001.2.3.4" is taken, 1557; "1::0001.2.3.4",
/// "1::1.2.256.4", "1::1.2.3", "1::1.2a.3.4" fail, 1561–1605).
fn embedded_ipv4(s: &[u8], mut i: usize) -> Option<([u8; 4], usize)> {
    let mut out = [0u8; 4];
    for (k, byte) in out.iter_mut().enumerate() {
        if k > 0 {
            if s.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let len = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=3).contains(&len) {
            return None;
        }
        let value = s[i..i + len]
            .iter()
            .fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
        *byte = u8::try_from(value).ok()?;
        i += len;
    }
    Some((out, i))
}

/// `RtlIpv6StringToAddress(S, &Terminator, &Addr)`, under `inet_pton(AF_INET6)`: groups of
/// one to four hex digits joined by ':' (five or more fail: "12345::6:7:8", "::01234",
/// 1555, 1466), with one "::" standing for at least one zero group (at least two when leading:
/// see `LEADING_ELISION_GROUPS`), and at most eight groups. It stops, without failing, once
/// the address is full ("…:7777::8888" after the "::", 1362; "…:7777:8888:9999" before the
/// last ':', 1543), at a second "::" ("1::2::3", 1611), after a "::" not followed by a group
/// ("1111:2222:::", "::%16", "::-1", 1545, 1462, 1629), and at a character that does not
/// continue the address ("0x" reads the group "0" and stops at the 'x', 1370, 1637). A ':'
/// not followed by a group fails ("1111::5555:", "1111:2222:", 1547, 1529; a leading ':',
/// 1621), as does stopping short of eight groups without "::" ("1111:2222:3333", 1533).
/// Decimal digits followed by '.' where two groups are left start an IPv4 part
/// (`embedded_ipv4`), which ends the address ("1::1.2.3.4::1" stops after it, 1583; "1.2.3.4"
/// alone is too short, 1507); with one group left they are a group ("…:7777:1.2.3.4" stops at
/// the '.', 1537), and hex letters make a group too ("1::1a.2.3.4", 1609).
pub(crate) fn ipv6(s: &[u8]) -> Option<(Ipv6Addr, usize)> {
    let mut words = [0u16; 8];
    let mut n = 0;
    // Where the "::" stands in `words`, and how many groups it takes at least.
    let mut gap: Option<(usize, usize)> = None;
    let mut i = 0;
    let mut after_gap = false;
    if s.starts_with(b"::") {
        gap = Some((0, LEADING_ELISION_GROUPS));
        i = 2;
        after_gap = true;
    }
    loop {
        let room = 8 - n - gap.map_or(0, |g| g.1);
        if room == 0 {
            break;
        }
        let run = s[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if run == 0 {
            if after_gap {
                break;
            }
            return None;
        }
        let decimal = s[i..i + run].iter().all(u8::is_ascii_digit);
        if decimal && room >= 2 && s.get(i + run) == Some(&b'.') {
            let (v4, end) = embedded_ipv4(s, i)?;
            words[n] = u16::from_be_bytes([v4[0], v4[1]]);
            words[n + 1] = u16::from_be_bytes([v4[2], v4[3]]);
            n += 2;
            i = end;
            break;
        }
        if run > 4 {
            return None;
        }
        words[n] = s[i..i + run].iter().fold(0, |v, &c| {
            (v << 4) | char::from(c).to_digit(16).map_or(0, |d| d as u16)
        });
        n += 1;
        i += run;
        after_gap = false;
        if room == 1 {
            break;
        }
        match (s.get(i), s.get(i + 1)) {
            (Some(b':'), Some(b':')) if gap.is_none() => {
                gap = Some((n, 1));
                i += 2;
                after_gap = true;
            }
            (Some(b':'), Some(b':')) => break,
            (Some(b':'), _) => i += 1,
            _ => break,
        }
    }
    match gap {
        Some((at, _)) => {
            let tail = n - at;
            words.copy_within(at..n, 8 - tail);
            words[at..8 - tail].fill(0);
        }
        None if n < 8 => return None,
        None => {}
    }
    Some((Ipv6Addr::from(words), i))
}

/// `RtlIpv6StringToAddressEx(S, &Addr, &ScopeId, &Port)`, under `WSAStringToAddress(AF_INET6)`:
/// an optional '[', the address (`ipv6`), an optional '%' and decimal scope id from 0 to
/// 4294967295 ("%4294967296", "%-1", "%0x1000" fail, 2132–2140; unbracketed "::%16" is read,
/// 1462), then with the bracket a ']' and optionally ':' and a `port` (`"[::1]:8080"`, 2082;
/// `"[::1 ]:8080"`, `"].8080"`, a missing ']' fail, 2100, 2102, 2138), and then the end of the
/// string: the Ex form fails where the plain one stops early ("1111:2222:::", "::/16", 1545,
/// 1464). A port is 0 without brackets (the plain form's stop at ':' fails).
pub(crate) fn ipv6_ex(s: &[u8]) -> Option<(Ipv6Addr, u32, u16)> {
    let bracketed = s.first() == Some(&b'[');
    let start = usize::from(bracketed);
    let (ip, end) = ipv6(&s[start..])?;
    let mut i = start + end;
    let mut scope: u32 = 0;
    if s.get(i) == Some(&b'%') {
        let len = s[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        for &c in &s[i + 1..i + 1 + len] {
            scope = scope.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
        }
        i += 1 + len;
    }
    let mut port_value = 0;
    if bracketed {
        if s.get(i) != Some(&b']') {
            return None;
        }
        i += 1;
        if s.get(i) == Some(&b':') {
            (port_value, i) = port(s, i + 1)?;
        }
    }
    (i == s.len()).then_some((ip, scope, port_value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminators_follow_rtl_c() {
        // rtl.c rows whose terminator the WinSock calls do not show.
        assert_eq!(ipv4(b"1.1.1.008", false).map(|r| r.1), Some(8));
        assert_eq!(ipv4(b"0x00010Q03", false), Some(([0, 0, 0, 16].into(), 7)));
        assert_eq!(ipv4(b"1.1.1.0a", true).map(|r| r.1), Some(7));
        assert_eq!(ipv6(b"::%16").map(|r| r.1), Some(2));
        assert_eq!(
            ipv6(b"1111::3333::5555:6666:1.2.3.4").map(|r| r.1),
            Some(10)
        );
        assert_eq!(
            ipv6(b"1111:2222:3333:4444:5555:6666::1.2.3.4").map(|r| r.1),
            Some(32)
        );
        assert_eq!(
            ipv6(b"2001:0000:1234:0000:0000:C1C0:ABCD:0876  0").map(|r| r.1),
            Some(39)
        );
        assert_eq!(ipv6(b"::0x80000000").map(|r| r.1), Some(3));
        assert_eq!(
            ipv6(b"1111:2222:3333:4444:5555::0x88").map(|r| r.1),
            Some(27)
        );
    }
}
