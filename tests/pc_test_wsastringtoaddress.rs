//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_WSAStringToAddress` (commit 027d7db8,
//! lines 1353–1563; its tables `ipv4_tests` 1355–1449 and `ipv6_tests` 1450–1469), facts only.
//!
//! Counted in `ok()` calls as Windows runs them: a loop body once per row of the table it
//! iterates, each table twice (the ANSI pass `i == 0` and the Unicode pass `i == 1`, 1485);
//! the IPv6 `win_skip` (1535) does not run on Windows.
//!
//! | part                                                    | ported | not expressible | failing |
//! |---------------------------------------------------------|-------:|----------------:|--------:|
//! | `*len` 0, 1477–1483                                     |      0 |               3 |       0 |
//! | ANSI, IPv4 table, 1489–1517: 85 rows × 6                |    314 |             196 |       0 |
//! | ANSI, IPv6 table, 1519–1559: 10 rows × 8                |     50 |              30 |       0 |
//! | Unicode pass of both tables, 1485–1562: 85 × 6 + 10 × 8 |      0 |             590 |       0 |
//! | **total**                                               |    364 |             819 |       0 |
//!
//! A row that parses (36 IPv4, 5 IPv6) has every check ported: return 0, `WSAGetLastError()`
//! 0, the family, address, port (and for IPv6 scope and flow info 0), and the length set to
//! the structure's size (the returned address's byte length). A row that fails (49 IPv4, 5
//! IPv6) has its return (SOCKET_ERROR) and error (WSAEINVAL) ported.
//!
//! Not expressible, per kind:
//! - an output length the API does not take: `*len` 0 gives WSAEFAULT and the needed length
//!   (1477–1483, 3); a failed call leaves `*len` as it was (1 per failing row);
//! - the output structure after a failed call: family 0, the partly parsed address, port,
//!   scope and flow info (3 per failing IPv4 row, 5 per failing IPv6 row) — the API returns
//!   no address when it fails;
//! - `WSAStringToAddressW`: the API has one string form; the Unicode pass checks the same
//!   behaviour on the same strings, ported once (the ANSI pass here).
//!
//! `tests/name_resolution.rs` (`string_to_address_ipv4_table`, `…_ipv6_and_through_the_trait`)
//! checks some of these rows through the pure function; the table is ported whole here,
//! through `WSAStringToAddress` itself, so that the last error is checked too.
mod common;

use common::run;
use winsock_sim::prelude::*;

const OK: Option<WsaError> = None;
const EINVAL: Option<WsaError> = Some(WsaError::WSAEINVAL);

/// `ipv4_tests`: (protocol.c line, input, address in host order, port, error). The address
/// of a failing row is what Windows leaves half-parsed in the structure (not expressible).
#[rustfmt::skip]
const IPV4: &[(u32, &str, u32, u16, Option<WsaError>)] = &[
    (1364, "", 0x00000000, 0, EINVAL),
    (1365, " ", 0x00000000, 0, EINVAL),
    (1366, "1.1.1.1", 0x01010101, 0, OK),
    (1367, "0.0.0.0", 0x00000000, 0, OK),
    (1368, "127.127.127.127", 0x7f7f7f7f, 0, OK),
    (1369, "127.127.127.127:", 0x7f7f7f7f, 0, EINVAL),
    (1370, "127.127.127.127:0", 0x7f7f7f7f, 0, EINVAL),
    (1371, "127.127.127.127:123", 0x7f7f7f7f, 123, OK),
    (1372, "127.127.127.127:65535", 0x7f7f7f7f, 65535, OK),
    (1373, "127.127.127.127:65537", 0x7f7f7f7f, 0, EINVAL),
    (1374, "127.127.127.127::1", 0x7f7f7f7f, 0, EINVAL),
    (1375, "127.127.127.127:0xAbCd", 0x7f7f7f7f, 43981, OK),
    (1376, "127.127.127.127:0XaBcD", 0x7f7f7f7f, 43981, OK),
    (1377, "127.127.127.127:0x", 0x7f7f7f7f, 0, EINVAL),
    (1378, "127.127.127.127:0x10000", 0x7f7f7f7f, 0, EINVAL),
    (1379, "127.127.127.127:010", 0x7f7f7f7f, 8, OK),
    (1380, "127.127.127.127:007", 0x7f7f7f7f, 7, OK),
    (1381, "127.127.127.127:08", 0x7f7f7f7f, 0, EINVAL),
    (1382, "127.127.127.127:008", 0x7f7f7f7f, 0, EINVAL),
    (1383, "127.127.127.127:0a", 0x7f7f7f7f, 0, EINVAL),
    (1384, "127.127.127.127:0o10", 0x7f7f7f7f, 0, EINVAL),
    (1385, "127.127.127.127:0b10", 0x7f7f7f7f, 0, EINVAL),
    (1386, "255.255.255.255", 0xffffffff, 0, OK),
    (1387, "255.255.255.255:123", 0xffffffff, 123, OK),
    (1388, "255.255.255.255:65535", 0xffffffff, 65535, OK),
    (1389, "255.255.255.256", 0x00000000, 0, EINVAL),
    (1390, "a", 0x00000000, 0, EINVAL),
    (1391, "1.1.1.0xaA", 0x010101aa, 0, OK),
    (1392, "1.1.1.0XaA", 0x010101aa, 0, OK),
    (1393, "1.1.1.0x", 0x00000000, 0, EINVAL),
    (1394, "1.1.1.0xff", 0x010101ff, 0, OK),
    (1395, "1.1.1.0x100", 0x00000000, 0, EINVAL),
    (1396, "1.1.1.010", 0x01010108, 0, OK),
    (1397, "1.1.1.00", 0x01010100, 0, OK),
    (1398, "1.1.1.007", 0x01010107, 0, OK),
    (1399, "1.1.1.08", 0x00000000, 0, EINVAL),
    (1400, "1.1.1.008", 0x01010100, 0, EINVAL),
    (1401, "1.1.1.0a", 0x01010100, 0, EINVAL),
    (1402, "1.1.1.0o10", 0x01010100, 0, EINVAL),
    (1403, "1.1.1.0b10", 0x01010100, 0, EINVAL),
    (1404, "1.1.1.-2", 0x00000000, 0, EINVAL),
    (1405, "1", 0x00000001, 0, OK),
    (1406, "-1", 0x00000000, 0, EINVAL),
    (1407, "1:1", 0x00000001, 1, OK),
    (1408, "1.2", 0x01000002, 0, OK),
    (1409, "1.2:1", 0x01000002, 1, OK),
    (1410, "1000.2000", 0x00000000, 0, EINVAL),
    (1411, "1.2.", 0x00000000, 0, EINVAL),
    (1412, "1..2", 0x00000000, 0, EINVAL),
    (1413, "1...2", 0x00000000, 0, EINVAL),
    (1414, "1.2.3", 0x01020003, 0, OK),
    (1415, "1.2.3.", 0x00000000, 0, EINVAL),
    (1416, "1.2.3:1", 0x01020003, 1, OK),
    (1417, "203569230", 0x0c22384e, 0, OK),
    (1418, "203569230:123", 0x0c22384e, 123, OK),
    (1419, "2001::1", 0x000007d1, 0, EINVAL),
    (1420, "1.223756", 0x01036a0c, 0, OK),
    (1421, "3.4.756", 0x030402f4, 0, OK),
    (1422, "756.3.4", 0x00000000, 0, EINVAL),
    (1423, "3.756.4", 0x00000000, 0, EINVAL),
    (1424, "3.4.756.1", 0x00000000, 0, EINVAL),
    (1425, "3.4.65536", 0x00000000, 0, EINVAL),
    (1426, "3.4.5.6.7", 0x00000000, 0, EINVAL),
    (1427, "3.4.5.+6", 0x00000000, 0, EINVAL),
    (1428, " 3.4.5.6", 0x00000000, 0, EINVAL),
    (1429, "\t3.4.5.6", 0x00000000, 0, EINVAL),
    (1430, "3.4.5.6 ", 0x03040506, 0, EINVAL),
    (1431, "3.4.5.6:7 ", 0x03040506, 0, EINVAL),
    (1432, "3.4.5.6: 7", 0x03040506, 0, EINVAL),
    (1433, "3. 4.5.6", 0x00000000, 0, EINVAL),
    (1434, ".", 0x00000000, 0, EINVAL),
    (1435, "[0.1.2.3]", 0x00000000, 0, EINVAL),
    (1436, "0x00010203", 0x00010203, 0, OK),
    (1437, "0X00010203", 0x00010203, 0, OK),
    (1438, "0x00010203:10", 0x00010203, 10, OK),
    (1439, "0x1234", 0x00001234, 0, OK),
    (1440, "0x123456789", 0x23456789, 0, OK),
    (1441, "0x00010Q03", 0x00000010, 0, EINVAL),
    (1442, "x00010203", 0x00000000, 0, EINVAL),
    (1443, "1234BEEF", 0x000004d2, 0, EINVAL),
    (1444, "017700000001", 0x7f000001, 0, OK),
    (1445, "0777", 0x000001ff, 0, OK),
    (1446, "0777:10", 0x000001ff, 10, OK),
    (1447, "::1", 0x00000000, 0, EINVAL),
    (1448, ":1", 0x00000000, 0, EINVAL),
];

/// A row of `ipv6_tests`.
type Ipv6Row = (u32, &'static str, [u16; 8], u16, Option<WsaError>);

/// `ipv6_tests`: (line, input, `sin6_addr` as the 16-bit words protocol.c stores in memory,
/// `sin6_port` as stored, error).
#[rustfmt::skip]
const IPV6: &[Ipv6Row] = &[
    (1459, "::1", [0, 0, 0, 0, 0, 0, 0, 0x100], 0, OK),
    (1460, "[::1]", [0, 0, 0, 0, 0, 0, 0, 0x100], 0, OK),
    (1461, "[::1]:65535", [0, 0, 0, 0, 0, 0, 0, 0x100], 0xffff, OK),
    (1462, "2001::1", [0x120, 0, 0, 0, 0, 0, 0, 0x100], 0, OK),
    (1463, "::1]:65535", [0, 0, 0, 0, 0, 0, 0, 0x100], 0, EINVAL),
    (1464, "001::1", [0x100, 0, 0, 0, 0, 0, 0, 0x100], 0, OK),
    // Windows refuses this one (protocol.c calls it a Windows bug).
    (1465, "::1:2:3:4:5:6:7", [0, 0, 0x100, 0x200, 0x300, 0x400, 0x500, 0x600], 0, EINVAL),
    (1466, "1.2.3.4", [0x201, 0x3, 0, 0, 0, 0, 0, 0], 0, EINVAL),
    (1467, "1:2:3:", [0x100, 0x200, 0x300, 0, 0, 0, 0, 0], 0, EINVAL),
    (1468, "", [0; 8], 0, EINVAL),
];

// 1489–1517: each IPv4 row through WSAStringToAddressA(AF_INET) after WSASetLastError(0).
#[test]
fn ipv4_table() {
    run(|ws| {
        let mut wrong = Vec::new();
        for &(line, input, address, port, error) in IPV4 {
            ws.wsa_set_last_error(0);
            let r = ws.wsa_string_to_address(input, AF_INET);
            let last = ws.wsa_get_last_error();
            let got = match (error, r) {
                // 1507–1508: SOCKET_ERROR and the row's error.
                (Some(e), Err(g)) if g == e && last == e.code() => continue,
                (None, Ok(a)) => {
                    let sin = a.as_bytes();
                    // 1507–1514: 0, last error 0, AF_INET, the address (network order),
                    // the port, and the length of a SOCKADDR_IN.
                    let good = last == 0
                        && a.family() == AF_INET
                        && sin.len() == SOCKADDR_IN_LEN
                        && sin[4..8] == address.to_be_bytes()
                        && sin[2..4] == port.to_be_bytes();
                    if good {
                        continue;
                    }
                    format!("{sin:02x?}, last error {last}")
                }
                (_, r) => format!("{r:?}, last error {last}"),
            };
            wrong.push(format!("{line} {input:?}: got {got}"));
        }
        assert!(
            wrong.is_empty(),
            "rows that differ from Windows:\n{}",
            wrong.join("\n")
        );
        Ok(())
    });
}

// 1519–1559: each IPv6 row through WSAStringToAddressA(AF_INET6) after WSASetLastError(0).
#[test]
fn ipv6_table() {
    run(|ws| {
        let mut wrong = Vec::new();
        for &(line, input, words, port, error) in IPV6 {
            ws.wsa_set_last_error(0);
            let r = ws.wsa_string_to_address(input, AF_INET6);
            let last = ws.wsa_get_last_error();
            let got = match (error, r) {
                // 1543–1544: SOCKET_ERROR and the row's error.
                (Some(e), Err(g)) if g == e && last == e.code() => continue,
                (None, Ok(a)) => {
                    let sin6 = a.as_bytes();
                    let addr: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
                    // 1543–1556: 0, last error 0, AF_INET6, the address, scope id 0, the
                    // port as stored, flow info 0, the length of a SOCKADDR_IN6.
                    let good = last == 0
                        && a.family() == AF_INET6
                        && sin6.len() == SOCKADDR_IN6_LEN
                        && sin6[8..24] == addr[..]
                        && sin6[24..28] == [0; 4]
                        && sin6[2..4] == port.to_le_bytes()
                        && sin6[4..8] == [0; 4];
                    if good {
                        continue;
                    }
                    format!("{sin6:02x?}, last error {last}")
                }
                (_, r) => format!("{r:?}, last error {last}"),
            };
            wrong.push(format!("{line} {input:?}: got {got}"));
        }
        assert!(
            wrong.is_empty(),
            "rows that differ from Windows:\n{}",
            wrong.join("\n")
        );
        Ok(())
    });
}
