//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_inet_pton` (commit 027d7db8, lines
//! 769–1091), facts only: which strings `inet_pton` takes as an IPv4 (36 rows, 777–815) or
//! IPv6 (168 rows, 823–995) address and the address it gives, and WSAEAFNOSUPPORT for
//! AF_UNSPEC.
//!
//! Counted in `ok()` calls as Windows executes them, each loop body once per row of the table
//! it iterates.
//!
//! | part of test_inet_pton                                          | ported | not expressible | failing |
//! |-----------------------------------------------------------------|-------:|----------------:|--------:|
//! | NULL strings, A and W, AF_UNSPEC and AF_INET, 1007–1025         |      0 |               8 |       0 |
//! | AF_UNSPEC with an IPv4 and an IPv6 string, 1027–1035            |      4 |               0 |       0 |
//! | IPv4 rows, `inet_pton`, 1044–1049 (36 × 3)                      |     39 |              69 |       0 |
//! | IPv4 rows, `InetPtonW`, 1051–1057 (36 × 3)                      |      0 |             108 |       0 |
//! | IPv4 rows, `inet_addr`, 1059–1062 (36 × 2)                      |      0 |              72 |       0 |
//! | IPv6 rows, `inet_pton`, 1074–1079 (168 × 3)                     |    225 |             279 |       0 |
//! | IPv6 rows, `InetPtonW`, 1081–1087 (168 × 3)                     |      0 |             504 |       0 |
//! | **total**                                                       |    268 |            1040 |       0 |
//!
//! Ported per row: the result (1 or 0) of every row, and the address of every row that gives
//! 1 (3 IPv4, 57 IPv6). The error of the AF_UNSPEC calls is `inet_pton`'s `Err` value (what
//! the C function stores as the last error).
//!
//! Not expressible, per kind:
//! - a NULL string (8): the API takes a `&str`;
//! - the last error left untouched by `inet_pton` (36 + 168): the API's `inet_pton` is a pure
//!   function and never touches the thread's last error, so there is nothing to observe;
//! - the output buffer when the call gives 0 (33 + 111): Windows leaves it untouched or
//!   partly written (e.g. 0x06050403 for "3.4.5.6 "); the API returns no address then;
//! - `InetPtonW` (108 + 504): the API has one string form; the W call's result and address
//!   are the A call's (ported once, above), and its WSAEINVAL when it gives 0 has no
//!   counterpart;
//! - `inet_addr` (72): its value check reads `ok(addr == ret ? expected : INADDR_NONE)`, which
//!   C's precedence makes true whatever `inet_addr` returns (a real check would fail on
//!   Windows: `inet_addr(" ")` is 0), and its last-error check has nothing to observe in a
//!   pure function; `inet_addr`'s own table is ported in `tests/pc_test_inet_addr.rs`.
//!
//! Also checked elsewhere: `tests/name_resolution.rs` `inet_pton_and_ntop` tries a few
//! strings of the same grammar ad hoc (two of them, "" and "1.2.3", are rows here too; the
//! rows are kept so that the table is whole).
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use winsock_sim::prelude::*;

/// protocol.c 777–815: (line, string, the address when `inet_pton` gives 1).
#[rustfmt::skip]
const IPV4: [(u32, &str, Option<[u8; 4]>); 36] = [
    (779, "", None),
    (780, " ", None),
    (781, "1.1.1.1", Some([1, 1, 1, 1])),
    (782, "0.0.0.0", Some([0, 0, 0, 0])),
    (783, "127.127.127.255", Some([127, 127, 127, 255])),
    (784, "127.127.127.255:123", None),
    (785, "127.127.127.256", None),
    (786, "a", None),
    (787, "1.1.1.0xaA", None),
    (788, "1.1.1.0x", None),
    (789, "1.1.1.010", None),
    (790, "1.1.1.00", None),
    (791, "1.1.1.0a", None),
    (792, "1.1.1.0o10", None),
    (793, "1.1.1.0b10", None),
    (794, "1.1.1.-2", None),
    (795, "1", None),
    (796, "1.2", None),
    (797, "1.2.3", None),
    (798, "203569230", None),
    (799, "3.4.5.6.7", None),
    (800, " 3.4.5.6", None),
    (801, "\t3.4.5.6", None),
    (802, "3.4.5.6 ", None),
    (803, "3. 4.5.6", None),
    (804, "[0.1.2.3]", None),
    (805, "0x00010203", None),
    (806, "0x2134", None),
    (807, "1234BEEF", None),
    (808, "017700000001", None),
    (809, "0777", None),
    (810, "2607:f0d0:1002:51::4", None),
    (811, "::177.32.45.20", None),
    (812, "::1/128", None),
    (813, "::1", None),
    (814, ":1", None),
];

/// protocol.c 823–995: (line, string, the address's eight groups when `inet_pton` gives 1).
/// protocol.c writes each group as the 16-bit word it reads from memory; here they are the
/// groups as written in text (network order).
#[rustfmt::skip]
const IPV6: [(u32, &str, Option<[u16; 8]>); 168] = [
    (825, "0000:0000:0000:0000:0000:0000:0000:0000", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (826, "0000:0000:0000:0000:0000:0000:0000:0001", Some([0, 0, 0, 0, 0, 0, 0, 0x1])),
    (827, "0:0:0:0:0:0:0:0", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (828, "0:0:0:0:0:0:0:1", Some([0, 0, 0, 0, 0, 0, 0, 0x1])),
    (829, "0:0:0:0:0:0:0::", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (830, "0:0:0:0:0:0:13.1.68.3", Some([0, 0, 0, 0, 0, 0, 0xd01, 0x4403])),
    (831, "0:0:0:0:0:0::", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (832, "0:0:0:0:0::", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (833, "0:0:0:0:0:FFFF:129.144.52.38", Some([0, 0, 0, 0, 0, 0xffff, 0x8190, 0x3426])),
    (834, "0::", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (835, "0:1:2:3:4:5:6:7", Some([0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7])),
    (836, "1080:0:0:0:8:800:200c:417a", Some([0x1080, 0, 0, 0, 0x8, 0x800, 0x200c, 0x417a])),
    (837, "0:a:b:c:d:e:f::", Some([0, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0])),
    (838, "1111:2222:3333:4444:5555:6666:123.123.123.123", Some([0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b])),
    (839, "1111:2222:3333:4444:5555:6666:7777:8888", Some([0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888])),
    (840, "1111:2222:3333:4444:0x5555:6666:7777:8888", None),
    (841, "1111:2222:3333:4444:x555:6666:7777:8888", None),
    (842, "1111:2222:3333:4444:0r5555:6666:7777:8888", None),
    (843, "1111:2222:3333:4444:r5555:6666:7777:8888", None),
    (844, "1111:2222:3333:4444:5555:6666:7777::", Some([0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0])),
    (845, "1111:2222:3333:4444:5555:6666::", Some([0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0])),
    (846, "1111:2222:3333:4444:5555:6666::8888", Some([0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0x8888])),
    (847, "1111:2222:3333:4444:5555:6666::7777:8888", None),
    (848, "1111:2222:3333:4444:5555:6666:7777::8888", None),
    (849, "1111:2222:3333:4444:5555::", Some([0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0])),
    (850, "1111:2222:3333:4444:5555::123.123.123.123", Some([0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0x7b7b, 0x7b7b])),
    (851, "1111:2222:3333:4444:5555::0x1.123.123.123", None),
    (852, "1111:2222:3333:4444:5555::0x88", None),
    (853, "1111:2222:3333:4444:5555::0X88", None),
    (854, "1111:2222:3333:4444:5555::0X", None),
    (855, "1111:2222:3333:4444:5555::0X88:7777", None),
    (856, "1111:2222:3333:4444:5555::0x8888", None),
    (857, "1111:2222:3333:4444:5555::0x80000000", None),
    (858, "1111:2222:3333:4444::5555:0x012345678", None),
    (859, "1111:2222:3333:4444::5555:0x123456789", None),
    (860, "1111:2222:3333:4444:5555:6666:0x12345678", None),
    (861, "1111:2222:3333:4444:5555:6666:7777:0x80000000", None),
    (862, "1111:2222:3333:4444:5555:6666:7777:0x012345678", None),
    (863, "1111:2222:3333:4444:5555:6666:7777:0x123456789", None),
    (864, "111:222:333:444:555:666:777:0x123456789abcdef0", None),
    (865, "1111:2222:3333:4444:5555::08888", None),
    (866, "1111:2222:3333:4444:5555::08888::", None),
    (867, "1111:2222:3333:4444:5555:6666:7777:fffff:", None),
    (868, "1111:2222:3333:4444:5555:6666::fffff:", None),
    (869, "1111:2222:3333:4444:5555::fffff", None),
    (870, "1111:2222:3333:4444::fffff", None),
    (871, "1111:2222:3333::fffff", None),
    (872, "1111:2222:3333:4444:5555::7777:8888", Some([0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0x7777, 0x8888])),
    (873, "1111:2222:3333:4444:5555::8888", Some([0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0, 0, 0x8888])),
    (874, "1111::", Some([0x1111, 0, 0, 0, 0, 0, 0, 0])),
    (875, "1111::123.123.123.123", Some([0x1111, 0, 0, 0, 0, 0, 0x7b7b, 0x7b7b])),
    (876, "1111::3333:4444:5555:6666:123.123.123.123", Some([0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b])),
    (877, "1111::3333:4444:5555:6666:7777:8888", Some([0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888])),
    (878, "1111::4444:5555:6666:123.123.123.123", Some([0x1111, 0, 0, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b])),
    (879, "1111::4444:5555:6666:7777:8888", Some([0x1111, 0, 0, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888])),
    (880, "1111::5555:6666:123.123.123.123", Some([0x1111, 0, 0, 0, 0x5555, 0x6666, 0x7b7b, 0x7b7b])),
    (881, "1111::5555:6666:7777:8888", Some([0x1111, 0, 0, 0, 0x5555, 0x6666, 0x7777, 0x8888])),
    (882, "1111::6666:123.123.123.123", Some([0x1111, 0, 0, 0, 0, 0x6666, 0x7b7b, 0x7b7b])),
    (883, "1111::6666:7777:8888", Some([0x1111, 0, 0, 0, 0, 0x6666, 0x7777, 0x8888])),
    (884, "1111::7777:8888", Some([0x1111, 0, 0, 0, 0, 0, 0x7777, 0x8888])),
    (885, "1111::8888", Some([0x1111, 0, 0, 0, 0, 0, 0, 0x8888])),
    (886, "1:2:3:4:5:6:1.2.3.4", Some([0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x102, 0x304])),
    (887, "1:2:3:4:5:6:7:8", Some([0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8])),
    (888, "1:2:3:4:5:6::", Some([0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0, 0])),
    (889, "1:2:3:4:5:6::8", Some([0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0, 0x8])),
    (890, "2001:0000:1234:0000:0000:C1C0:ABCD:0876", Some([0x2001, 0, 0x1234, 0, 0, 0xc1c0, 0xabcd, 0x876])),
    (891, "2001:0000:4136:e378:8000:63bf:3fff:fdd2", Some([0x2001, 0, 0x4136, 0xe378, 0x8000, 0x63bf, 0x3fff, 0xfdd2])),
    (892, "2001:0db8:0:0:0:0:1428:57ab", Some([0x2001, 0xdb8, 0, 0, 0, 0, 0x1428, 0x57ab])),
    (893, "2001:0db8:1234:ffff:ffff:ffff:ffff:ffff", Some([0x2001, 0xdb8, 0x1234, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff])),
    (894, "2001::CE49:7601:2CAD:DFFF:7C94:FFFE", Some([0x2001, 0, 0xce49, 0x7601, 0x2cad, 0xdfff, 0x7c94, 0xfffe])),
    (895, "2001:db8:85a3::8a2e:370:7334", Some([0x2001, 0xdb8, 0x85a3, 0, 0, 0x8a2e, 0x370, 0x7334])),
    (896, "3ffe:0b00:0000:0000:0001:0000:0000:000a", Some([0x3ffe, 0xb00, 0, 0, 0x1, 0, 0, 0xa])),
    (897, "::", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (898, "::%16", None),
    (899, "::/16", None),
    (900, "::01234", None),
    (901, "::0", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (902, "::0:0", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (903, "::0:0:0", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (904, "::0:0:0:0", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (905, "::0:0:0:0:0", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (906, "::0:0:0:0:0:0", Some([0, 0, 0, 0, 0, 0, 0, 0])),
    (909, "::0:0:0:0:0:0:0", None),
    (910, "::0:a:b:c:d:e:f", None),
    (911, "::123.123.123.123", Some([0, 0, 0, 0, 0, 0, 0x7b7b, 0x7b7b])),
    (912, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Some([0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff])),
    (913, "':10.0.0.1", None),
    (914, "-1", None),
    (915, "02001:0000:1234:0000:0000:C1C0:ABCD:0876", None),
    (916, "2001:00000:1234:0000:0000:C1C0:ABCD:0876", None),
    (917, "2001:0000:01234:0000:0000:C1C0:ABCD:0876", None),
    (918, "2001:0000::01234.0", None),
    (919, "2001:0::b.0", None),
    (920, "2001::0:b.0", None),
    (921, "1.2.3.4", None),
    (922, "1.2.3.4:1111::5555", None),
    (923, "1.2.3.4::5555", None),
    (924, "11112222:3333:4444:5555:6666:1.2.3.4", None),
    (925, "11112222:3333:4444:5555:6666:7777:8888", None),
    (926, "1111", None),
    (927, "0x1111", None),
    (928, "1111:22223333:4444:5555:6666:1.2.3.4", None),
    (929, "1111:22223333:4444:5555:6666:7777:8888", None),
    (930, "1111:123456789:4444:5555:6666:7777:8888", None),
    (931, "1111:1234567890abcdef0:4444:5555:6666:7777:888", None),
    (932, "1111:2222:", None),
    (933, "1111:2222:1.2.3.4", None),
    (934, "1111:2222:3333", None),
    (935, "1111:2222:3333:4444:5555:6666::1.2.3.4", None),
    (936, "1111:2222:3333:4444:5555:6666:7777:1.2.3.4", None),
    (937, "1111:2222:3333:4444:5555:6666:7777:8888:", None),
    (938, "1111:2222:3333:4444:5555:6666:7777:8888:1.2.3.4", None),
    (939, "1111:2222:3333:4444:5555:6666:7777:8888:9999", None),
    (940, "1111:2222:::", None),
    (941, "1111::5555:", None),
    (942, "1111::3333:4444:5555:6666:7777::", None),
    (943, "1111:2222:::4444:5555:6666:1.2.3.4", None),
    (944, "1111::3333::5555:6666:1.2.3.4", None),
    (945, "12345::6:7:8", None),
    (946, "1::001.2.3.4", Some([0x1, 0, 0, 0, 0, 0, 0x102, 0x304])),
    (947, "1::1.002.3.4", Some([0x1, 0, 0, 0, 0, 0, 0x102, 0x304])),
    (948, "1::0001.2.3.4", None),
    (949, "1::1.0002.3.4", None),
    (950, "1::1.2.256.4", None),
    (951, "1::1.2.4294967296.4", None),
    (952, "1::1.2.18446744073709551616.4", None),
    (953, "1::1.2.3.256", None),
    (954, "1::1.2.3.4294967296", None),
    (955, "1::1.2.3.18446744073709551616", None),
    (956, "1::1.2.3.300", None),
    (957, "1::1.2.3.300.", None),
    (958, "1::1.2::1", None),
    (959, "1::1.2.3.4::1", None),
    (960, "1::1.", None),
    (961, "1::1.2", None),
    (962, "1::1.2.", None),
    (963, "1::1.2.3", None),
    (964, "1::1.2.3.", None),
    (965, "1::1.2.3.4", Some([0x1, 0, 0, 0, 0, 0, 0x102, 0x304])),
    (966, "1::1.2.3.900", None),
    (967, "1::1.2.300.4", None),
    (968, "1::1.256.3.4", None),
    (969, "1::1.256:3.4", None),
    (970, "1::1.2a.3.4", None),
    (971, "1::256.2.3.4", None),
    (972, "1::1a.2.3.4", None),
    (973, "1::2::3", None),
    (974, "2001:0000:1234: 0000:0000:C1C0:ABCD:0876", None),
    (975, "2001:0000:1234:0000:0000:C1C0:ABCD:0876  0", None),
    (976, "2001:1:1:1:1:1:255Z255X255Y255", None),
    (977, "2001::FFD3::57ab", None),
    (978, ":", None),
    (979, ":1111:2222:3333:4444:5555:6666:1.2.3.4", None),
    (980, ":1111:2222:3333:4444:5555:6666:7777:8888", None),
    (981, ":1111::", None),
    (982, "::-1", None),
    (983, "::12345678", None),
    (984, "::123456789", None),
    (985, "::1234567890abcdef0", None),
    (986, "::0x80000000", None),
    (987, "::0x012345678", None),
    (988, "::0x123456789", None),
    (989, "::0x1234567890abcdef0", None),
    (990, "::.", None),
    (991, "::..", None),
    (992, "::...", None),
    (993, "XXXX:XXXX:XXXX:XXXX:XXXX:XXXX:1.2.3.4", None),
    (994, "[::]", None),
];

#[test]
fn af_unspec_is_refused() {
    // Proves: inet_pton with AF_UNSPEC fails (-1, WSAEAFNOSUPPORT) for IPv4 and IPv6 text
    // alike (protocol.c 1027–1035).
    for (line, s) in [(1029, "127.0.0.1"), (1034, "2607:f0d0:1002:51::4")] {
        assert_eq!(
            inet_pton(AF_UNSPEC, s),
            Err(WsaError::WSAEAFNOSUPPORT),
            "protocol.c {line}-{}: {s:?}",
            line + 1
        );
    }
}

#[test]
fn ipv4_table() {
    // Proves: inet_pton(AF_INET) takes exactly four decimal parts without leading zeros or
    // any other character, and gives their address (protocol.c 1037–1065, rows 777–815).
    let wrong: Vec<String> = IPV4
        .iter()
        .filter_map(|&(line, s, want)| {
            let want = Ok(want.map(|b| IpAddr::V4(Ipv4Addr::from(b))));
            let got = inet_pton(AF_INET, s);
            (got != want).then(|| format!("{line} {s:?}: got {got:?}, want {want:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "rows (checks 1047, 1049):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn ipv6_table() {
    // Proves: inet_pton(AF_INET6) takes Windows' IPv6 forms, with the quirks its table
    // records (a leading "::" before seven groups refused, an embedded IPv4 part's numbers
    // of up to three digits with leading zeros taken), and gives their address
    // (protocol.c 1067–1090, rows 823–995).
    let wrong: Vec<String> = IPV6
        .iter()
        .filter_map(|&(line, s, want)| {
            let want = Ok(want.map(|g| IpAddr::V6(Ipv6Addr::from(g))));
            let got = inet_pton(AF_INET6, s);
            (got != want).then(|| format!("{line} {s:?}: got {got:?}, want {want:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "rows (checks 1077, 1079):\n{}",
        wrong.join("\n")
    );
}
