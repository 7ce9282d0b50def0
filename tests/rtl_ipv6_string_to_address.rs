//! Port of Wine's `dlls/ntdll/tests/rtl.c` (wine-mirror/wine as stored at commit
//! 0221b1a7c64be7f8982ef158f9330c45a6bf35f7) `test_RtlIpv6StringToAddress` (lines 1952–2034,
//! with `compare_RtlIpv6StringToAddressW`, 1915–1950) and `test_RtlIpv6StringToAddressEx`
//! (lines 2065–2296, with `compare_RtlIpv6StringToAddressExW`, 2036–2063), over the tables
//! `ipv6_tests` (1303–1655, 168 rows) and `ipv6_ex_tests` (2078–2143, 32 rows), facts only:
//! how ntdll's IPv6 parser reads text, which Windows' ws2_32 uses for `inet_pton(AF_INET6)`
//! (`RtlIpv6StringToAddressA`, taken only when it reads the whole string) and
//! `WSAStringToAddress(AF_INET6)` (`RtlIpv6StringToAddressExA`: an address, optionally
//! `%scope`, optionally all in brackets followed by `:port`, up to the end of the string).
//!
//! Counted in `ok()` calls as Windows 11 runs them: a loop body once per row of the table it
//! iterates (the Ex function's first loop skips the `ex_skip_6` row, "[::]", before any check).
//!
//! | part                                                                | ported | not expressible | failing |
//! |---------------------------------------------------------------------|-------:|----------------:|--------:|
//! | `RtlIpv6StringToAddressA("::")`, 1959–1960                          |      1 |               0 |       0 |
//! | `sizeof(ip)`, 1973                                                  |      0 |               1 |       0 |
//! | `ipv6_tests` through the A form, 1975–2033: 168 rows × 3            |    282 |             222 |       0 |
//! | `ipv6_tests` through the W form, 1980 (1928–1948): 168 rows × 3     |      0 |             504 |       0 |
//! | `RtlIpv6StringToAddressExA("::")`, 2160–2161                        |      1 |               0 |       0 |
//! | Ex with a NULL string, address, scope or port, 2163–2207            |      0 |              16 |       0 |
//! | `sizeof(ip)`, 2210                                                  |      0 |               1 |       0 |
//! | `ipv6_tests` through ExA, 2213–2269: 167 rows × 4                   |    341 |             327 |       0 |
//! | `ipv6_tests` through ExW, 2224 (2052–2061): 167 rows × 4            |      0 |             668 |       0 |
//! | `ipv6_ex_tests` through ExA, 2272–2294: 32 rows × 4                 |     83 |              45 |       0 |
//! | `ipv6_ex_tests` through ExW, 2278 (2052–2061): 32 rows × 4          |      0 |             128 |       0 |
//! | **total**                                                           |    708 |           1,912 |       0 |
//!
//! Ported per row, through the WinSock call that parses with the function:
//! - `RtlIpv6StringToAddressA` (`inet_pton(AF_INET6)`, 1985–2032): `Some(address)` exactly
//!   when the row's result is STATUS_SUCCESS and its terminator is the end of the string;
//!   otherwise `None`. A row that fails has its result ported; one that succeeds and ends the
//!   string its result, terminator and address; one that succeeds but stops early
//!   ("::%16", "1::2::3") its terminator, as `None`.
//! - `RtlIpv6StringToAddressExA` (`WSAStringToAddress(AF_INET6)` through the simulator, and
//!   `string_to_address`, 2227–2268 and 2280–2293): STATUS_SUCCESS is `Ok` with the row's
//!   address, scope id and port (network order as stored: 0x901f is 8080) in the
//!   SOCKADDR_IN6; STATUS_INVALID_PARAMETER is WSAEINVAL (and the last error WSAEINVAL). For
//!   the `ipv6_tests` rows, whose strings have no port, 2236–2239 only check that the call
//!   wrote the scope and port: ported as port 0 and scope 0, but 16 for "::%16" (1462; read
//!   as the `ipv6_ex_tests` rows read "%16").
//!
//! `broken()` alternatives: the four rows marked only `win_broken_6` (XP and Vista: 1324,
//! 1340, 1354, 1362) take the modern value. The two `win_extra_zero` rows, "::0:0:0:0:0:0:0" (1482) and "::0:a:b:c:d:e:f"
//! (1484), are ported against their `broken()` alternative, Windows before 11, which takes a
//! leading "::" for two groups, so the parse stops before the last group: `inet_pton` gives
//! `None` and WSAStringToAddress WSAEINVAL (Windows 11: the whole string, 16 zero bytes or
//! 0:0:a:b:c:d:e:f). `tests/pc_test_inet_pton.rs` (protocol.c 909–910) and
//! `tests/pc_test_wsastringtoaddress.rs` (protocol.c 1465, "::1:2:3:4:5:6:7") pin that older
//! behaviour from protocol.c at commit 027d7db8, which records it without a `broken()`
//! (Wine 10.10's protocol.c, as in royel21/wine-10.10-custom, has the Windows 11 value with
//! the old one as `broken()`: its lines 917–918 and 1540);
//! `addr_parse`'s `LEADING_ELISION_GROUPS` says which Windows the crate follows. Of those
//! rows, the A form's result and address and the ExA form's scope, port and address are
//! counted not expressible (the alternative hides them); their terminator (A) and result
//! (ExA) are ported. No row is `todo_wine`.
//!
//! Not expressible, per kind:
//! - the W forms (1980, 2224, 2278: 3 or 4 per row): the API has one string form; they check
//!   that the W call gives what the A call gave, which is ported once;
//! - NULL arguments (2163–2207: 16) and `sizeof(ip)` (1973, 2210): the API takes a `&str`,
//!   returns its results and has no C structures;
//! - the terminator of a failed parse (or that it was left untouched) and the exact offset of
//!   a successful one (a success's offset is ported only as "the end" or "not the end");
//! - the address after a failed call (untouched 0xabab words or the groups read before the
//!   failure) and the scope and port left untouched (0xbadf00d, 0xbeef): the API returns no
//!   address when it fails;
//! - the success and address of a parse that stops before the end (inet_pton gives 0 for it
//!   as for a failure), so also the values Windows writes for "0x" groups ("::0x012345678"
//!   as ::5678, 1639), which only such parses have.
//!
//! Before `addr_parse` followed these rules, 18 rows failed, all through WSAStringToAddress
//! (inet_pton passed every row): a "::" standing for one group was refused anywhere, not only
//! leading ("0:0:0:0:0:0:0::", "0:a:b:c:d:e:f::", "1111:2222:3333:4444:5555:6666:7777::",
//! "…:6666::8888", "…:5555::7777:8888", "1111::3333:…:8888", "1:2:3:4:5:6::8",
//! "2001::CE49:…:FFFE": 1324, 1340, 1354, 1358, 1410, 1420, 1444, 1454); a scope id was
//! refused ("::%16", 1462; the `%16` to `%0` rows 2120–2130, 2136); and an IPv4 tail's
//! leading zeros were refused ("1::001.2.3.4", "1::1.002.3.4", 1557, 1559).
//!
//! Also checked elsewhere: `tests/pc_test_inet_pton.rs` ports protocol.c's inet_pton table,
//! which has the same 168 strings.
mod common;

use std::net::{IpAddr, Ipv6Addr};

use common::run;
use winsock_sim::api::addr_text::string_to_address;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// What `RtlIpv6StringToAddressA` reports for a row: STATUS_SUCCESS with the terminator's
/// offset and the address as the 16-bit words rtl.c stores (each written natively), or
/// STATUS_INVALID_PARAMETER.
#[derive(Clone, Copy, Debug)]
enum Rtl {
    Success(usize, [u16; 8]),
    Invalid,
}
use Rtl::{Invalid, Success};

/// `win_broken_6`: XP and Vista fail the row.
const WIN_BROKEN: u8 = 1;
/// `ex_fail_6`: the Ex call fails, as the parse does not reach the end of the string.
const EX_FAIL: u8 = 2;
/// `ex_skip_6`: the Ex loop skips the row.
const EX_SKIP: u8 = 4;
/// `win_extra_zero`: Windows before 11 reads a leading "::" as one group too many.
const EXTRA_ZERO: u8 = 8;

/// A row of `ipv6_tests`: (line, string, result, flags).
type Row6 = (u32, &'static str, Rtl, u8);

/// A row of `ipv6_ex_tests`: (line, string, the scope id, the port as stored (network order)
/// and the address words when the call succeeds).
type Row6Ex = (u32, &'static str, Option<(u32, u16, [u16; 8])>);

/// `ipv6_tests`, 1316–1653.
#[rustfmt::skip]
const IPV6: &[Row6] = &[
    (1316, "0000:0000:0000:0000:0000:0000:0000:0000", Success(39, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1318, "0000:0000:0000:0000:0000:0000:0000:0001", Success(39, [0, 0, 0, 0, 0, 0, 0, 0x100]), 0),
    (1320, "0:0:0:0:0:0:0:0", Success(15, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1322, "0:0:0:0:0:0:0:1", Success(15, [0, 0, 0, 0, 0, 0, 0, 0x100]), 0),
    (1324, "0:0:0:0:0:0:0::", Success(15, [0, 0, 0, 0, 0, 0, 0, 0]), WIN_BROKEN),
    (1326, "0:0:0:0:0:0:13.1.68.3", Success(21, [0, 0, 0, 0, 0, 0, 0x10d, 0x344]), 0),
    (1328, "0:0:0:0:0:0::", Success(13, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1330, "0:0:0:0:0::", Success(11, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1332, "0:0:0:0:0:FFFF:129.144.52.38", Success(28, [0, 0, 0, 0, 0, 0xffff, 0x9081, 0x2634]), 0),
    (1334, "0::", Success(3, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1336, "0:1:2:3:4:5:6:7", Success(15, [0, 0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700]), 0),
    (1338, "1080:0:0:0:8:800:200c:417a", Success(26, [0x8010, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]), 0),
    (1340, "0:a:b:c:d:e:f::", Success(15, [0, 0xa00, 0xb00, 0xc00, 0xd00, 0xe00, 0xf00, 0]), WIN_BROKEN),
    (1342, "1111:2222:3333:4444:5555:6666:123.123.123.123", Success(45, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b]), 0),
    (1344, "1111:2222:3333:4444:5555:6666:7777:8888", Success(39, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888]), 0),
    (1346, "1111:2222:3333:4444:0x5555:6666:7777:8888", Invalid, 0),
    (1348, "1111:2222:3333:4444:x555:6666:7777:8888", Invalid, 0),
    (1350, "1111:2222:3333:4444:0r5555:6666:7777:8888", Invalid, 0),
    (1352, "1111:2222:3333:4444:r5555:6666:7777:8888", Invalid, 0),
    (1354, "1111:2222:3333:4444:5555:6666:7777::", Success(36, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0]), WIN_BROKEN),
    (1356, "1111:2222:3333:4444:5555:6666::", Success(31, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0]), 0),
    (1358, "1111:2222:3333:4444:5555:6666::8888", Success(35, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0x8888]), 0),
    (1360, "1111:2222:3333:4444:5555:6666::7777:8888", Success(35, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0x7777]), EX_FAIL),
    (1362, "1111:2222:3333:4444:5555:6666:7777::8888", Success(36, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0]), WIN_BROKEN | EX_FAIL),
    (1364, "1111:2222:3333:4444:5555::", Success(26, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0]), 0),
    (1366, "1111:2222:3333:4444:5555::123.123.123.123", Success(41, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0x7b7b, 0x7b7b]), 0),
    (1368, "1111:2222:3333:4444:5555::0x1.123.123.123", Success(27, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0x100]), EX_FAIL),
    (1370, "1111:2222:3333:4444:5555::0x88", Success(27, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0x8800]), EX_FAIL),
    (1372, "1111:2222:3333:4444:5555::0X88", Success(27, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0x8800]), EX_FAIL),
    (1374, "1111:2222:3333:4444:5555::0X", Success(27, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0]), EX_FAIL),
    (1376, "1111:2222:3333:4444:5555::0X88:7777", Success(27, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0x8800]), EX_FAIL),
    (1378, "1111:2222:3333:4444:5555::0x8888", Success(27, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0x8888]), EX_FAIL),
    (1380, "1111:2222:3333:4444:5555::0x80000000", Success(27, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0xffff]), EX_FAIL),
    (1382, "1111:2222:3333:4444::5555:0x012345678", Success(27, [0x1111, 0x2222, 0x3333, 0x4444, 0, 0, 0x5555, 0x7856]), EX_FAIL),
    (1384, "1111:2222:3333:4444::5555:0x123456789", Success(27, [0x1111, 0x2222, 0x3333, 0x4444, 0, 0, 0x5555, 0xffff]), EX_FAIL),
    (1386, "1111:2222:3333:4444:5555:6666:0x12345678", Invalid, EX_FAIL),
    (1388, "1111:2222:3333:4444:5555:6666:7777:0x80000000", Success(36, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0xffff]), EX_FAIL),
    (1390, "1111:2222:3333:4444:5555:6666:7777:0x012345678", Success(36, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x7856]), EX_FAIL),
    (1392, "1111:2222:3333:4444:5555:6666:7777:0x123456789", Success(36, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0xffff]), EX_FAIL),
    (1394, "111:222:333:444:555:666:777:0x123456789abcdef0", Success(29, [0x1101, 0x2202, 0x3303, 0x4404, 0x5505, 0x6606, 0x7707, 0xffff]), EX_FAIL),
    (1396, "1111:2222:3333:4444:5555::08888", Invalid, 0),
    (1398, "1111:2222:3333:4444:5555::08888::", Invalid, 0),
    (1400, "1111:2222:3333:4444:5555:6666:7777:fffff:", Invalid, 0),
    (1402, "1111:2222:3333:4444:5555:6666::fffff:", Invalid, 0),
    (1404, "1111:2222:3333:4444:5555::fffff", Invalid, 0),
    (1406, "1111:2222:3333:4444::fffff", Invalid, 0),
    (1408, "1111:2222:3333::fffff", Invalid, 0),
    (1410, "1111:2222:3333:4444:5555::7777:8888", Success(35, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0x7777, 0x8888]), 0),
    (1412, "1111:2222:3333:4444:5555::8888", Success(30, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0x8888]), 0),
    (1414, "1111::", Success(6, [0x1111, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1416, "1111::123.123.123.123", Success(21, [0x1111, 0, 0, 0, 0, 0, 0x7b7b, 0x7b7b]), 0),
    (1418, "1111::3333:4444:5555:6666:123.123.123.123", Success(41, [0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b]), 0),
    (1420, "1111::3333:4444:5555:6666:7777:8888", Success(35, [0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888]), 0),
    (1422, "1111::4444:5555:6666:123.123.123.123", Success(36, [0x1111, 0, 0, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b]), 0),
    (1424, "1111::4444:5555:6666:7777:8888", Success(30, [0x1111, 0, 0, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888]), 0),
    (1426, "1111::5555:6666:123.123.123.123", Success(31, [0x1111, 0, 0, 0, 0x5555, 0x6666, 0x7b7b, 0x7b7b]), 0),
    (1428, "1111::5555:6666:7777:8888", Success(25, [0x1111, 0, 0, 0, 0x5555, 0x6666, 0x7777, 0x8888]), 0),
    (1430, "1111::6666:123.123.123.123", Success(26, [0x1111, 0, 0, 0, 0, 0x6666, 0x7b7b, 0x7b7b]), 0),
    (1432, "1111::6666:7777:8888", Success(20, [0x1111, 0, 0, 0, 0, 0x6666, 0x7777, 0x8888]), 0),
    (1434, "1111::7777:8888", Success(15, [0x1111, 0, 0, 0, 0, 0, 0x7777, 0x8888]), 0),
    (1436, "1111::8888", Success(10, [0x1111, 0, 0, 0, 0, 0, 0, 0x8888]), 0),
    (1438, "1:2:3:4:5:6:1.2.3.4", Success(19, [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x201, 0x403]), 0),
    (1440, "1:2:3:4:5:6:7:8", Success(15, [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0x800]), 0),
    (1442, "1:2:3:4:5:6::", Success(13, [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0, 0]), 0),
    (1444, "1:2:3:4:5:6::8", Success(14, [0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0, 0x800]), 0),
    (1446, "2001:0000:1234:0000:0000:C1C0:ABCD:0876", Success(39, [0x120, 0, 0x3412, 0, 0, 0xc0c1, 0xcdab, 0x7608]), 0),
    (1448, "2001:0000:4136:e378:8000:63bf:3fff:fdd2", Success(39, [0x120, 0, 0x3641, 0x78e3, 0x80, 0xbf63, 0xff3f, 0xd2fd]), 0),
    (1450, "2001:0db8:0:0:0:0:1428:57ab", Success(27, [0x120, 0xb80d, 0, 0, 0, 0, 0x2814, 0xab57]), 0),
    (1452, "2001:0db8:1234:ffff:ffff:ffff:ffff:ffff", Success(39, [0x120, 0xb80d, 0x3412, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff]), 0),
    (1454, "2001::CE49:7601:2CAD:DFFF:7C94:FFFE", Success(35, [0x120, 0, 0x49ce, 0x176, 0xad2c, 0xffdf, 0x947c, 0xfeff]), 0),
    (1456, "2001:db8:85a3::8a2e:370:7334", Success(28, [0x120, 0xb80d, 0xa385, 0, 0, 0x2e8a, 0x7003, 0x3473]), 0),
    (1458, "3ffe:0b00:0000:0000:0001:0000:0000:000a", Success(39, [0xfe3f, 0xb, 0, 0, 0x100, 0, 0, 0xa00]), 0),
    (1460, "::", Success(2, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1462, "::%16", Success(2, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1464, "::/16", Success(2, [0, 0, 0, 0, 0, 0, 0, 0]), EX_FAIL),
    (1466, "::01234", Invalid, 0),
    (1468, "::0", Success(3, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1470, "::0:0", Success(5, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1472, "::0:0:0", Success(7, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1474, "::0:0:0:0", Success(9, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1476, "::0:0:0:0:0", Success(11, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1478, "::0:0:0:0:0:0", Success(13, [0, 0, 0, 0, 0, 0, 0, 0]), 0),
    (1482, "::0:0:0:0:0:0:0", Success(15, [0, 0, 0, 0, 0, 0, 0, 0]), WIN_BROKEN | EXTRA_ZERO),
    (1484, "::0:a:b:c:d:e:f", Success(15, [0, 0, 0xa00, 0xb00, 0xc00, 0xd00, 0xe00, 0xf00]), WIN_BROKEN | EXTRA_ZERO),
    (1486, "::123.123.123.123", Success(17, [0, 0, 0, 0, 0, 0, 0x7b7b, 0x7b7b]), 0),
    (1488, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Success(39, [0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff]), 0),
    (1491, "':10.0.0.1", Invalid, 0),
    (1493, "-1", Invalid, 0),
    (1495, "02001:0000:1234:0000:0000:C1C0:ABCD:0876", Invalid, 0),
    (1497, "2001:00000:1234:0000:0000:C1C0:ABCD:0876", Invalid, 0),
    (1499, "2001:0000:01234:0000:0000:C1C0:ABCD:0876", Invalid, 0),
    (1501, "2001:0000::01234.0", Invalid, 0),
    (1503, "2001:0::b.0", Success(9, [0x120, 0, 0, 0, 0, 0, 0, 0xb00]), EX_FAIL),
    (1505, "2001::0:b.0", Success(9, [0x120, 0, 0, 0, 0, 0, 0, 0xb00]), EX_FAIL),
    (1507, "1.2.3.4", Invalid, 0),
    (1509, "1.2.3.4:1111::5555", Invalid, 0),
    (1511, "1.2.3.4::5555", Invalid, 0),
    (1513, "11112222:3333:4444:5555:6666:1.2.3.4", Invalid, 0),
    (1515, "11112222:3333:4444:5555:6666:7777:8888", Invalid, 0),
    (1517, "1111", Invalid, 0),
    (1519, "0x1111", Invalid, 0),
    (1521, "1111:22223333:4444:5555:6666:1.2.3.4", Invalid, 0),
    (1523, "1111:22223333:4444:5555:6666:7777:8888", Invalid, 0),
    (1525, "1111:123456789:4444:5555:6666:7777:8888", Invalid, 0),
    (1527, "1111:1234567890abcdef0:4444:5555:6666:7777:888", Invalid, 0),
    (1529, "1111:2222:", Invalid, 0),
    (1531, "1111:2222:1.2.3.4", Invalid, 0),
    (1533, "1111:2222:3333", Invalid, 0),
    (1535, "1111:2222:3333:4444:5555:6666::1.2.3.4", Success(32, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0x100]), EX_FAIL),
    (1537, "1111:2222:3333:4444:5555:6666:7777:1.2.3.4", Success(36, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x100]), EX_FAIL),
    (1539, "1111:2222:3333:4444:5555:6666:7777:8888:", Success(39, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888]), EX_FAIL),
    (1541, "1111:2222:3333:4444:5555:6666:7777:8888:1.2.3.4", Success(39, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888]), EX_FAIL),
    (1543, "1111:2222:3333:4444:5555:6666:7777:8888:9999", Success(39, [0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888]), EX_FAIL),
    (1545, "1111:2222:::", Success(11, [0x1111, 0x2222, 0, 0, 0, 0, 0, 0]), EX_FAIL),
    (1547, "1111::5555:", Invalid, 0),
    (1549, "1111::3333:4444:5555:6666:7777::", Success(30, [0x1111, 0, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777]), EX_FAIL),
    (1551, "1111:2222:::4444:5555:6666:1.2.3.4", Success(11, [0x1111, 0x2222, 0, 0, 0, 0, 0, 0]), EX_FAIL),
    (1553, "1111::3333::5555:6666:1.2.3.4", Success(10, [0x1111, 0, 0, 0, 0, 0, 0, 0x3333]), EX_FAIL),
    (1555, "12345::6:7:8", Invalid, 0),
    (1557, "1::001.2.3.4", Success(12, [0x100, 0, 0, 0, 0, 0, 0x201, 0x403]), 0),
    (1559, "1::1.002.3.4", Success(12, [0x100, 0, 0, 0, 0, 0, 0x201, 0x403]), 0),
    (1561, "1::0001.2.3.4", Invalid, 0),
    (1563, "1::1.0002.3.4", Invalid, 0),
    (1565, "1::1.2.256.4", Invalid, 0),
    (1567, "1::1.2.4294967296.4", Invalid, 0),
    (1569, "1::1.2.18446744073709551616.4", Invalid, 0),
    (1571, "1::1.2.3.256", Invalid, 0),
    (1573, "1::1.2.3.4294967296", Invalid, 0),
    (1575, "1::1.2.3.18446744073709551616", Invalid, 0),
    (1577, "1::1.2.3.300", Invalid, 0),
    (1579, "1::1.2.3.300.", Invalid, 0),
    (1581, "1::1.2::1", Invalid, 0),
    (1583, "1::1.2.3.4::1", Success(10, [0x100, 0, 0, 0, 0, 0, 0x201, 0x403]), EX_FAIL),
    (1585, "1::1.", Invalid, 0),
    (1587, "1::1.2", Invalid, 0),
    (1589, "1::1.2.", Invalid, 0),
    (1591, "1::1.2.3", Invalid, 0),
    (1593, "1::1.2.3.", Invalid, 0),
    (1595, "1::1.2.3.4", Success(10, [0x100, 0, 0, 0, 0, 0, 0x201, 0x403]), 0),
    (1597, "1::1.2.3.900", Invalid, 0),
    (1599, "1::1.2.300.4", Invalid, 0),
    (1601, "1::1.256.3.4", Invalid, 0),
    (1603, "1::1.256:3.4", Invalid, 0),
    (1605, "1::1.2a.3.4", Invalid, 0),
    (1607, "1::256.2.3.4", Invalid, 0),
    (1609, "1::1a.2.3.4", Success(5, [0x100, 0, 0, 0, 0, 0, 0, 0x1a00]), EX_FAIL),
    (1611, "1::2::3", Success(4, [0x100, 0, 0, 0, 0, 0, 0, 0x200]), EX_FAIL),
    (1613, "2001:0000:1234: 0000:0000:C1C0:ABCD:0876", Invalid, 0),
    (1615, "2001:0000:1234:0000:0000:C1C0:ABCD:0876  0", Success(39, [0x120, 0, 0x3412, 0, 0, 0xc0c1, 0xcdab, 0x7608]), EX_FAIL),
    (1617, "2001:1:1:1:1:1:255Z255X255Y255", Invalid, 0),
    (1619, "2001::FFD3::57ab", Success(10, [0x120, 0, 0, 0, 0, 0, 0, 0xd3ff]), EX_FAIL),
    (1621, ":", Invalid, 0),
    (1623, ":1111:2222:3333:4444:5555:6666:1.2.3.4", Invalid, 0),
    (1625, ":1111:2222:3333:4444:5555:6666:7777:8888", Invalid, 0),
    (1627, ":1111::", Invalid, 0),
    (1629, "::-1", Success(2, [0, 0, 0, 0, 0, 0, 0, 0]), EX_FAIL),
    (1631, "::12345678", Invalid, 0),
    (1633, "::123456789", Invalid, 0),
    (1635, "::1234567890abcdef0", Invalid, 0),
    (1637, "::0x80000000", Success(3, [0, 0, 0, 0, 0, 0, 0, 0xffff]), EX_FAIL),
    (1639, "::0x012345678", Success(3, [0, 0, 0, 0, 0, 0, 0, 0x7856]), EX_FAIL),
    (1641, "::0x123456789", Success(3, [0, 0, 0, 0, 0, 0, 0, 0xffff]), EX_FAIL),
    (1643, "::0x1234567890abcdef0", Success(3, [0, 0, 0, 0, 0, 0, 0, 0xffff]), EX_FAIL),
    (1645, "::.", Success(2, [0, 0, 0, 0, 0, 0, 0, 0]), EX_FAIL),
    (1647, "::..", Success(2, [0, 0, 0, 0, 0, 0, 0, 0]), EX_FAIL),
    (1649, "::...", Success(2, [0, 0, 0, 0, 0, 0, 0, 0]), EX_FAIL),
    (1651, "XXXX:XXXX:XXXX:XXXX:XXXX:XXXX:1.2.3.4", Invalid, 0),
    (1653, "[::]", Invalid, EX_SKIP),
];

/// `ipv6_ex_tests` (in `test_RtlIpv6StringToAddressEx`), 2080–2142.
#[rustfmt::skip]
const IPV6_EX: &[Row6Ex] = &[
    (2080, "[::]", Some((0, 0x0, [0, 0, 0, 0, 0, 0, 0, 0]))),
    (2082, "[::1]:8080", Some((0, 0x901f, [0, 0, 0, 0, 0, 0, 0, 0x100]))),
    (2084, "[::1]:0x80", Some((0, 0x8000, [0, 0, 0, 0, 0, 0, 0, 0x100]))),
    (2086, "[::1]:0X80", Some((0, 0x8000, [0, 0, 0, 0, 0, 0, 0, 0x100]))),
    (2088, "[::1]:080", None),
    (2090, "[::1]:800000000080", None),
    (2092, "[FEDC:BA98:7654:3210:FEDC:BA98:7654:3210]:80", Some((0, 0x5000, [0xdcfe, 0x98ba, 0x5476, 0x1032, 0xdcfe, 0x98ba, 0x5476, 0x1032]))),
    (2094, "[1080:0:0:0:8:800:200C:417A]:1234", Some((0, 0xd204, [0x8010, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]))),
    (2096, "[3ffe:2a00:100:7031::1]:8080", Some((0, 0x901f, [0xfe3f, 0x2a, 0x1, 0x3170, 0, 0, 0, 0x100]))),
    (2098, "[ 3ffe:2a00:100:7031::1]:8080", None),
    (2100, "[3ffe:2a00:100:7031::1 ]:8080", None),
    (2102, "[3ffe:2a00:100:7031::1].8080", None),
    (2104, "[1080::8:800:200C:417A]:8080", Some((0, 0x901f, [0x8010, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]))),
    (2106, "[1080::8:800:200C:417A]!8080", None),
    (2108, "[::FFFF:129.144.52.38]:80", Some((0, 0x5000, [0, 0, 0, 0, 0, 0xffff, 0x9081, 0x2634]))),
    (2110, "[::FFFF:129.144.52.38]:-80", None),
    (2112, "[::FFFF:129.144.52.38]:999999999999", None),
    (2114, "[::FFFF:129.144.52.38%-8]:80", None),
    (2116, "[::FFFF:129.144.52.38]:80", Some((0, 0x5000, [0, 0, 0, 0, 0, 0xffff, 0x9081, 0x2634]))),
    (2118, "[12345::6:7:8]:80", None),
    (2120, "[ff01::8:800:200C:417A%16]:8080", Some((16, 0x901f, [0x1ff, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]))),
    (2122, "[ff01::8:800:200C:417A%100]:8080", Some((100, 0x901f, [0x1ff, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]))),
    (2124, "[ff01::8:800:200C:417A%1000]:8080", Some((1000, 0x901f, [0x1ff, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]))),
    (2126, "[ff01::8:800:200C:417A%10000]:8080", Some((10000, 0x901f, [0x1ff, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]))),
    (2128, "[ff01::8:800:200C:417A%1000000]:8080", Some((1000000, 0x901f, [0x1ff, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]))),
    (2130, "[ff01::8:800:200C:417A%4294967295]:8080", Some((4294967295, 0x901f, [0x1ff, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]))),
    (2132, "[ff01::8:800:200C:417A%4294967296]:8080", None),
    (2134, "[ff01::8:800:200C:417A%-1]:8080", None),
    (2136, "[ff01::8:800:200C:417A%0]:8080", Some((0, 0x901f, [0x1ff, 0, 0, 0, 0x800, 0x8, 0xc20, 0x7a41]))),
    (2138, "[ff01::8:800:200C:417A%1", None),
    (2140, "[ff01::8:800:200C:417A%0x1000]:8080", None),
    (2142, "[ff01::8:800:200C:417A/16]:8080", None),
];

/// The 16 address bytes as `init_ip6` leaves them: each word stored little-endian.
fn bytes(words: [u16; 8]) -> [u8; 16] {
    let mut b = [0u8; 16];
    for (i, w) in words.iter().enumerate() {
        b[2 * i..2 * i + 2].copy_from_slice(&w.to_le_bytes());
    }
    b
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

/// `WSAStringToAddress(s, AF_INET6)` through the simulator, checked against the pure function
/// it is built on, and the last error it leaves.
fn wsa(ws: &SimWinsock, s: &str) -> Result<SockAddr, WsaError> {
    ws.wsa_set_last_error(0);
    let r = ws.wsa_string_to_address(s, AF_INET6);
    let last = ws.wsa_get_last_error();
    assert_eq!(r, string_to_address(s, AF_INET6), "{s:?}");
    assert_eq!(last, r.as_ref().err().map_or(0, |e| e.code()), "{s:?}");
    r
}

/// Whether `got` is the SOCKADDR_IN6 of `words` with the port as stored and the scope id.
fn is_sin6(got: &SockAddr, words: [u16; 8], port: u16, scope: u32) -> bool {
    let b = got.as_bytes();
    got.family() == AF_INET6
        && b.len() == SOCKADDR_IN6_LEN
        && b[2..4] == port.to_le_bytes()
        && b[8..24] == bytes(words)
        && b[24..28] == scope.to_le_bytes()
}

// 1959–1960 and 2160–2161: "::" is read by both forms.
#[test]
fn unspecified_address() {
    assert_eq!(
        inet_pton(AF_INET6, "::"),
        Ok(Some(IpAddr::V6(Ipv6Addr::UNSPECIFIED)))
    );
    assert!(string_to_address("::", AF_INET6).is_ok_and(|a| is_sin6(&a, [0; 8], 0, 0)));
}

// 1975–2033: each row through RtlIpv6StringToAddressA, whose result inet_pton takes only when
// the parse reads the whole string.
#[test]
fn string_to_address_table() {
    let mut failures = Vec::new();
    for &(line, s, r, flags) in IPV6 {
        let want = match r {
            // The pre-Windows 11 alternative (2008–2010, 2020–2021): it stops before the end.
            _ if flags & EXTRA_ZERO != 0 => None,
            Success(end, words) if end == s.len() => Some(IpAddr::V6(bytes(words).into())),
            _ => None,
        };
        let got = inet_pton(AF_INET6, s);
        if got != Ok(want) {
            let old = if flags & WIN_BROKEN != 0 {
                ", XP and Vista fail it"
            } else {
                ""
            };
            failures.push(format!(
                "rtl.c {line} {s:?}: inet_pton gave {got:?}, Windows {want:?} ({r:?}{old})"
            ));
        }
    }
    check(&failures);
}

// 2213–2269: each row (but `ex_skip_6`) through RtlIpv6StringToAddressExA: the row's result
// unless the Ex call needs the rest of the string and the parse stops early (`ex_fail_6`),
// and on success the row's address, a scope and a port (2236–2239).
#[test]
fn string_to_address_ex_over_the_first_table() {
    run(|ws| {
        let mut failures = Vec::new();
        for &(line, s, r, flags) in IPV6.iter().filter(|row| row.3 & EX_SKIP == 0) {
            let got = wsa(ws, s);
            let scope = s.split_once('%').map_or(0, |(_, d)| d.parse().unwrap());
            let ok = match (r, &got) {
                (Success(_, words), Ok(a)) if flags & (EX_FAIL | EXTRA_ZERO) == 0 => {
                    is_sin6(a, words, 0, scope)
                }
                (Success(..), Err(e)) if flags & (EX_FAIL | EXTRA_ZERO) != 0 => {
                    *e == WsaError::WSAEINVAL
                }
                (Invalid, Err(e)) => *e == WsaError::WSAEINVAL,
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "rtl.c {line} {s:?}: WSAStringToAddress gave {got:?}, Windows {r:?} (flags {flags:#x})"
                ));
            }
        }
        check(&failures);
        Ok(())
    });
}

// 2272–2294: `ipv6_ex_tests`: brackets, a decimal scope id after '%' (0 to 4294967295), a
// port after "]:" in the inet_addr number forms, and nothing else.
#[test]
fn string_to_address_ex_scopes_and_ports() {
    run(|ws| {
        let mut failures = Vec::new();
        for &(line, s, want) in IPV6_EX {
            let got = wsa(ws, s);
            let ok = match (want, &got) {
                (Some((scope, port, words)), Ok(a)) => is_sin6(a, words, port, scope),
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
