//! Port of Wine's `dlls/ntdll/tests/rtl.c` (wine-mirror/wine as stored at commit
//! 0221b1a7c64be7f8982ef158f9330c45a6bf35f7) `test_RtlIpv4StringToAddress` (lines 1113–1178)
//! and `test_RtlIpv4StringToAddressEx` (lines 1180–1301), with their tables `ipv4_tests`
//! (989–1096, 71 rows) and `ipv4_ex_tests` (1191–1211, 18 rows), facts only: how ntdll's IPv4
//! parser reads text, which Windows' ws2_32 uses for `inet_pton(AF_INET)` (the strict form,
//! `RtlIpv4StringToAddressA(s, TRUE, …)`, taken only when it reads the whole string) and
//! `WSAStringToAddress(AF_INET)` (`RtlIpv4StringToAddressExA(s, FALSE, …)`, which reads the
//! address with the non-strict form, then an optional `:port`, and fails unless that reaches
//! the end of the string).
//!
//! Counted in `ok()` calls as Windows runs them: a loop body once per row of the table it
//! iterates, the inner `strict` loop of 1286 twice.
//!
//! | part                                                               | ported | not expressible | failing |
//! |--------------------------------------------------------------------|-------:|----------------:|--------:|
//! | non-strict `RtlIpv4StringToAddressA`, 1135–1151: 71 rows × 3       |    117 |              96 |       0 |
//! | strict `RtlIpv4StringToAddressA`, 1153–1176: 71 rows × 3           |     79 |             134 |       0 |
//! | `…ExA` with a NULL string, address or port, 1222–1242              |      0 |               8 |       0 |
//! | `…ExA` non-strict over `ipv4_tests`, 1245–1258: 71 rows × 2        |     94 |              48 |       0 |
//! | `…ExA` strict over `ipv4_tests`, 1260–1279: 71 rows × 2            |      0 |             142 |       0 |
//! | `…ExA` non-strict over `ipv4_ex_tests`, 1283–1299: 18 rows × 3     |     30 |              24 |       0 |
//! | `…ExA` strict over `ipv4_ex_tests`, 1283–1299: 18 rows × 3         |      0 |              54 |       0 |
//! | **total**                                                          |    320 |             506 |       0 |
//!
//! Ported per row, through the WinSock call that parses with the form:
//! - strict (`inet_pton(AF_INET)`, 1166–1176): `Some(address)` exactly when the row's result
//!   is STATUS_SUCCESS and its terminator is the end of the string; otherwise `None`. A row
//!   that fails has its result ported; one that succeeds and ends the string its result,
//!   terminator and address; one that succeeds but stops early ("3.4.5.6 ") its terminator,
//!   as `None` (its success and address are what a 0 from inet_pton hides).
//! - non-strict (`string_to_address(AF_INET)`, the parse under `WSAStringToAddress`,
//!   1141–1151): the same, but a stop at ':' goes on to the port, so "255.255.255.255:123"
//!   (1006) gives the address with port 123 (all three checks ported) and any other early
//!   stop ("1234BEEF", "3.4.5.6 ") gives WSAEINVAL. A failed parse gives WSAEINVAL.
//! - Ex, non-strict (`WSAStringToAddress(AF_INET)` through the simulator, and
//!   `string_to_address`, 1253–1258, 1291–1298): STATUS_SUCCESS is `Ok`, with the row's
//!   address (and for `ipv4_ex_tests` its port, stored in network order: 0x100 is port 1);
//!   STATUS_INVALID_PARAMETER is WSAEINVAL (and the last error WSAEINVAL).
//!
//! Not expressible, per kind:
//! - NULL arguments (1222–1242: 8): the API takes a `&str` and returns its results;
//! - the terminator of a failed parse and the exact offset of a successful one (1 per failing
//!   row and form; a success's offset is ported only as "the end", "':'" or "not the end");
//! - the address after a failed call, whether left untouched (0xabababab) or partly written
//!   by an Ex call that then fails at the end ("1.1.1.1:" leaves 1.1.1.1), and the port left
//!   untouched (0xdead): the API returns no address when it fails;
//! - the success and address of a strict parse that stops before the end (inet_pton gives 0
//!   for it as for a failure);
//! - `RtlIpv4StringToAddressExA` with `Strict` TRUE (71 × 2 + 18 × 3): no WinSock call
//!   parses with it; the strict grammar is ported through `inet_pton` above.
//!
//! No row is `todo_wine`, and none has a `broken()` alternative. Before `addr_parse` followed
//! these rules, one row failed, in two checks (1141, 1253): "1.1.1.0x100000000" (1023), which
//! WSAStringToAddress took as 1.1.1.0 by keeping a hex number's last eight digits, where
//! Windows fails a digit that wraps the value downwards (and keeps "0x123456789" as
//! 0x23456789, 1083).
//!
//! Also checked elsewhere: `tests/pc_test_inet_pton.rs` and `tests/pc_test_wsastringtoaddress.rs`
//! port protocol.c's tables of the same two calls (many strings are rows of both).
mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

use common::run;
use winsock_sim::api::addr_text::string_to_address;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// What `RtlIpv4StringToAddressA` reports for a row: STATUS_SUCCESS with the terminator's
/// offset and the address, or STATUS_INVALID_PARAMETER.
#[derive(Clone, Copy, Debug)]
enum Rtl {
    Success(usize, [u8; 4]),
    Invalid,
}
use Rtl::{Invalid, Success};

/// A row of `ipv4_tests`: (line, string, the non-strict result, the strict result where the
/// row gives one (`strict_diff_4`; otherwise the same), whether the Ex call fails
/// (`ex_fail_4`: it needs the whole string)).
type Row4 = (u32, &'static str, Rtl, Option<Rtl>, bool);

/// A row of `ipv4_ex_tests`: (line, string, the address and the port as stored (network order)
/// when the call succeeds).
type Row4Ex = (u32, &'static str, Option<([u8; 4], u16)>);

/// `ipv4_tests`, 1001–1095.
#[rustfmt::skip]
const IPV4: &[Row4] = &[
    (1001, "", Invalid, None, false),
    (1002, " ", Invalid, None, false),
    (1003, "1.1.1.1", Success(7, [1, 1, 1, 1]), None, false),
    (1004, "0.0.0.0", Success(7, [0, 0, 0, 0]), None, false),
    (1005, "255.255.255.255", Success(15, [255, 255, 255, 255]), None, false),
    (1006, "255.255.255.255:123", Success(15, [255, 255, 255, 255]), None, false),
    (1007, "255.255.255.256", Invalid, None, false),
    (1008, "255.255.255.4294967295", Invalid, None, false),
    (1009, "255.255.255.4294967296", Invalid, None, false),
    (1010, "255.255.255.4294967297", Invalid, None, false),
    (1011, "a", Invalid, None, false),
    (1012, "1.1.1.0xaA", Success(10, [1, 1, 1, 170]), Some(Invalid), false),
    (1014, "1.1.1.0XaA", Success(10, [1, 1, 1, 170]), Some(Invalid), false),
    (1016, "1.1.1.0x", Invalid, None, false),
    (1017, "1.1.1.0xff", Success(10, [1, 1, 1, 255]), Some(Invalid), false),
    (1019, "1.1.1.0x100", Invalid, Some(Invalid), false),
    (1021, "1.1.1.0xffffffff", Invalid, Some(Invalid), false),
    (1023, "1.1.1.0x100000000", Invalid, Some(Invalid), false),
    (1025, "1.1.1.010", Success(9, [1, 1, 1, 8]), Some(Invalid), false),
    (1027, "1.1.1.00", Success(8, [1, 1, 1, 0]), Some(Invalid), false),
    (1029, "1.1.1.007", Success(9, [1, 1, 1, 7]), Some(Invalid), false),
    (1031, "1.1.1.08", Invalid, None, false),
    (1032, "1.1.1.008", Success(8, [1, 1, 1, 0]), Some(Invalid), true),
    (1034, "1.1.1.0a", Success(7, [1, 1, 1, 0]), None, true),
    (1035, "1.1.1.0o10", Success(7, [1, 1, 1, 0]), None, true),
    (1036, "1.1.1.0b10", Success(7, [1, 1, 1, 0]), None, true),
    (1037, "1.1.1.-2", Invalid, None, false),
    (1038, "1", Success(1, [0, 0, 0, 1]), Some(Invalid), false),
    (1040, "-1", Invalid, None, false),
    (1041, "1.2", Success(3, [1, 0, 0, 2]), Some(Invalid), false),
    (1043, "1000.2000", Invalid, None, false),
    (1044, "1.2.", Invalid, None, false),
    (1045, "1..2", Invalid, None, false),
    (1046, "1...2", Invalid, None, false),
    (1047, "1.2.3", Success(5, [1, 2, 0, 3]), Some(Invalid), false),
    (1049, "1.2.3.", Invalid, None, false),
    (1050, "203569230", Success(9, [12, 34, 56, 78]), Some(Invalid), false),
    (1052, "1.223756", Success(8, [1, 3, 106, 12]), Some(Invalid), false),
    (1054, "3.4.756", Success(7, [3, 4, 2, 244]), Some(Invalid), false),
    (1056, "756.3.4", Invalid, None, false),
    (1057, "3.756.4", Invalid, None, false),
    (1058, "3.4.756.1", Invalid, None, false),
    (1059, "3.4.65536", Invalid, None, false),
    (1060, "3.4.5.6.7", Invalid, None, false),
    (1061, "3.4.5.+6", Invalid, None, false),
    (1062, " 3.4.5.6", Invalid, None, false),
    (1063, "\t3.4.5.6", Invalid, None, false),
    (1064, "3.4.5.6 ", Success(7, [3, 4, 5, 6]), None, true),
    (1065, "3. 4.5.6", Invalid, None, false),
    (1066, ".", Invalid, None, false),
    (1067, "..", Invalid, None, false),
    (1068, "1.", Invalid, None, false),
    (1069, "1..", Invalid, None, false),
    (1070, ".1", Invalid, None, false),
    (1071, ".1.", Invalid, None, false),
    (1072, ".1.2.3", Invalid, None, false),
    (1073, ".1.2.3.4", Invalid, None, false),
    (1074, "0.1.2.3", Success(7, [0, 1, 2, 3]), None, false),
    (1075, "0.1.2.3.", Invalid, None, false),
    (1076, "[0.1.2.3]", Invalid, None, false),
    (1077, "0x00010203", Success(10, [0, 1, 2, 3]), Some(Invalid), false),
    (1079, "0X00010203", Success(10, [0, 1, 2, 3]), Some(Invalid), false),
    (1081, "0x1234", Success(6, [0, 0, 18, 52]), Some(Invalid), false),
    (1083, "0x123456789", Success(11, [35, 69, 103, 137]), Some(Invalid), false),
    (1085, "0x00010Q03", Success(7, [0, 0, 0, 16]), Some(Invalid), true),
    (1087, "x00010203", Invalid, None, false),
    (1088, "1234BEEF", Success(4, [0, 0, 4, 210]), Some(Invalid), true),
    (1090, "017700000001", Success(12, [127, 0, 0, 1]), Some(Invalid), false),
    (1092, "0777", Success(4, [0, 0, 1, 255]), Some(Invalid), false),
    (1094, "::1", Invalid, None, false),
    (1095, ":1", Invalid, None, false),
];

/// `ipv4_ex_tests`, 1193–1210.
#[rustfmt::skip]
const IPV4_EX: &[Row4Ex] = &[
    (1193, "", None),
    (1194, " ", None),
    (1195, "1.1.1.1:", None),
    (1196, "1.1.1.1+", None),
    (1197, "1.1.1.1:1", Some(([1, 1, 1, 1], 0x100))),
    (1198, "256.1.1.1:1", None),
    (1199, "-1.1.1.1:1", None),
    (1200, "0.0.0.0:0", None),
    (1201, "0.0.0.0:1", Some(([0, 0, 0, 0], 0x100))),
    (1202, "1.2.3.4:65535", Some(([1, 2, 3, 4], 0xffff))),
    (1203, "1.2.3.4:65536", None),
    (1204, "1.2.3.4:0xffff", Some(([1, 2, 3, 4], 0xffff))),
    (1205, "1.2.3.4:0XfFfF", Some(([1, 2, 3, 4], 0xffff))),
    (1206, "1.2.3.4:011064", Some(([1, 2, 3, 4], 0x3412))),
    (1207, "1.2.3.4:1234a", None),
    (1208, "1.2.3.4:1234+", None),
    (1209, "1.2.3.4: 1234", None),
    (1210, "1.2.3.4:\t1234", None),
];

fn v4(ip: [u8; 4], port: u16) -> SockAddr {
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(ip), port)).into()
}

/// Every mismatch, one line each, so that one run shows all the rows that differ.
fn check(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The address `WSAStringToAddress(AF_INET)` gives for a string the non-strict parse reads as
/// `r`: none when it fails or stops early, but at ':' where the port follows (row 1006).
fn through_wsa(s: &str, r: Rtl) -> Option<SockAddr> {
    match r {
        Success(end, ip) if end == s.len() => Some(v4(ip, 0)),
        Success(end, ip) if s.as_bytes()[end] == b':' => {
            s[end + 1..].parse().ok().map(|port| v4(ip, port))
        }
        _ => None,
    }
}

/// What `inet_pton(AF_INET)` gives for a string the strict parse reads as `r`: the address
/// only when the parse reads the whole string.
fn through_pton(s: &str, r: Rtl) -> Option<IpAddr> {
    match r {
        Success(end, ip) if end == s.len() => Some(IpAddr::V4(ip.into())),
        _ => None,
    }
}

// 1135–1176: each row parsed non-strict (1138–1151) and strict (1162–1176).
#[test]
fn string_to_address_table() {
    let mut failures = Vec::new();
    for &(line, s, loose, strict, _) in IPV4 {
        let want = through_wsa(s, loose).ok_or(WsaError::WSAEINVAL);
        let got = string_to_address(s, AF_INET);
        if got != want {
            failures.push(format!(
                "rtl.c {line} {s:?}: WSAStringToAddress gave {got:?}, Windows {want:?} ({loose:?})"
            ));
        }
        let strict = strict.unwrap_or(loose);
        let want = Ok(through_pton(s, strict));
        let got = inet_pton(AF_INET, s);
        if got != want {
            failures.push(format!(
                "rtl.c {line} {s:?}: inet_pton gave {got:?}, Windows {want:?} ({strict:?})"
            ));
        }
    }
    check(&failures);
}

/// `WSAStringToAddress(s, AF_INET)` through the simulator, checked against the pure function
/// it is built on, and the last error it leaves.
fn wsa(ws: &SimWinsock, s: &str) -> Result<SockAddr, WsaError> {
    ws.wsa_set_last_error(0);
    let r = ws.wsa_string_to_address(s, AF_INET);
    let last = ws.wsa_get_last_error();
    assert_eq!(r, string_to_address(s, AF_INET), "{s:?}");
    assert_eq!(last, r.as_ref().err().map_or(0, |e| e.code()), "{s:?}");
    r
}

// 1245–1258: the `ipv4_tests` rows through RtlIpv4StringToAddressExA(FALSE): the row's result
// unless the Ex call needs the whole string and the parse stops early (`ex_fail_4`), and on
// success the row's address.
#[test]
fn string_to_address_ex_over_the_first_table() {
    run(|ws| {
        let mut failures = Vec::new();
        for &(line, s, loose, _, ex_fail) in IPV4 {
            let got = wsa(ws, s);
            let ok = match (loose, ex_fail, &got) {
                (Success(_, ip), false, Ok(a)) => a.family() == AF_INET && a.as_bytes()[4..8] == ip,
                (Success(..), true, Err(e)) | (Invalid, _, Err(e)) => *e == WsaError::WSAEINVAL,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "rtl.c {line} {s:?}: WSAStringToAddress gave {got:?}, Windows {loose:?}, ex_fail {ex_fail}"
                ));
            }
        }
        check(&failures);
        Ok(())
    });
}

// 1283–1299: `ipv4_ex_tests`: a port after ':' in the inet_addr number forms (decimal, octal
// "011064", hex "0xffff"), 1 to 65535, up to the end of the string; nothing else after the
// address.
#[test]
fn string_to_address_ex_ports() {
    run(|ws| {
        let mut failures = Vec::new();
        for &(line, s, want) in IPV4_EX {
            let got = wsa(ws, s);
            let ok = match (want, &got) {
                (Some((ip, port)), Ok(a)) => {
                    let b = a.as_bytes();
                    a.family() == AF_INET && b[4..8] == ip && b[2..4] == port.to_le_bytes()
                }
                (None, Err(e)) => *e == WsaError::WSAEINVAL,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "rtl.c {line} {s:?}: WSAStringToAddress gave {got:?}, Windows {want:?}"
                ));
            }
        }
        check(&failures);
        Ok(())
    });
}
