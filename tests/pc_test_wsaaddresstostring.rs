//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_WSAAddressToString` (commit 027d7db8,
//! lines 1225–1351; its tables `ipv4_tests` 1227–1239 and `ipv6_tests` 1240–1254), facts only.
//!
//! Counted in `ok()` calls as Windows runs them: a loop body once per row of the table it
//! iterates; the IPv6 `skip` (1319–1323) does not run on Windows.
//!
//! | part                                                        | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | ANSI, `*len` 0, 1264–1272                                   |      0 |               3 |       0 |
//! | Unicode, no buffer, 1274–1282                               |      0 |               3 |       0 |
//! | Unicode, 0.0.0.0, 1284–1289                                 |      0 |               3 |       0 |
//! | IPv4 table, 1291–1316: 4 rows × (3 ANSI + 3 Unicode)        |      8 |              16 |       0 |
//! | IPv6 table, 1326–1350: 5 rows × (3 ANSI + 3 Unicode)        |     10 |              20 |       0 |
//! | **total**                                                   |     18 |              45 |       0 |
//!
//! Ported per row: the call succeeds and the text is the row's.
//!
//! Not expressible, per kind:
//! - output lengths the API does not take or report: a buffer of length 0 gives WSAEFAULT
//!   and the needed length 8 (1264–1272, 3), as does no buffer (1274–1282, 3); the length
//!   written back on success, the text's length plus its NUL (1 per ANSI row; the API
//!   returns the text itself);
//! - `WSAAddressToStringW`: the API has one string form; the Unicode calls (1284–1289 and 3
//!   per row) check the same behaviour on the same addresses, ported once (the ANSI calls).
//!
//! `tests/name_resolution.rs` `address_to_string_table` checks some of these addresses
//! through the pure function; the tables are ported whole here, through the call.
mod common;

use common::run;
use winsock_sim::prelude::*;

/// `ipv4_tests`: (line, `sin_addr.s_addr` as stored, `sin_port` as stored, text).
const IPV4: &[(u32, u32, u16, &str)] = &[
    (1235, 0, 0, "0.0.0.0"),
    (1236, 0xffffffff, 0, "255.255.255.255"),
    (1237, 0, 0xffff, "0.0.0.0:65535"),
    (1238, 0xffffffff, 0xffff, "255.255.255.255:65535"),
];

/// `ipv6_tests`: (line, `sin6_addr` as the 16-bit words protocol.c copies in, scope id,
/// `sin6_port` as stored, text).
#[rustfmt::skip]
const IPV6: &[(u32, [u16; 8], u32, u16, &str)] = &[
    (1249, [0, 0, 0, 0, 0, 0, 0, 0x100], 0, 0, "::1"),
    (1250, [0xab20, 0, 0, 0, 0, 0, 0, 0x100], 0, 0, "20ab::1"),
    (1251, [0xab20, 0, 0, 0, 0, 0, 0, 0x120], 0, 0xfa81, "[20ab::2001]:33274"),
    (1252, [0xab20, 0, 0, 0, 0, 0, 0, 0x120], 0x1234, 0xfa81, "[20ab::2001%4660]:33274"),
    (1253, [0xab20, 0, 0, 0, 0, 0, 0, 0x120], 0x1234, 0, "20ab::2001%4660"),
];

/// A SOCKADDR_IN laid out as protocol.c fills it (1295–1297), native (little-endian) stores.
fn sockaddr_in(address: u32, port: u16) -> SockAddr {
    let mut b = [0u8; SOCKADDR_IN_LEN];
    b[0..2].copy_from_slice(&(AF_INET as u16).to_le_bytes());
    b[2..4].copy_from_slice(&port.to_le_bytes());
    b[4..8].copy_from_slice(&address.to_le_bytes());
    SockAddr::from_bytes(&b)
}

/// A SOCKADDR_IN6 laid out as protocol.c fills it (1330–1333), flow info 0.
fn sockaddr_in6(words: [u16; 8], scope: u32, port: u16) -> SockAddr {
    let mut b = [0u8; SOCKADDR_IN6_LEN];
    b[0..2].copy_from_slice(&(AF_INET6 as u16).to_le_bytes());
    b[2..4].copy_from_slice(&port.to_le_bytes());
    for (i, w) in words.iter().enumerate() {
        b[8 + 2 * i..10 + 2 * i].copy_from_slice(&w.to_le_bytes());
    }
    b[24..28].copy_from_slice(&scope.to_le_bytes());
    SockAddr::from_bytes(&b)
}

// 1291–1316: WSAAddressToStringA of each IPv4 row succeeds (1302) with the row's text
// (1303): the port only when it is not 0.
#[test]
fn ipv4_table() {
    run(|ws| {
        for &(line, address, port, text) in IPV4 {
            let r = ws.wsa_address_to_string(&sockaddr_in(address, port));
            assert_eq!(r.as_deref(), Ok(text), "protocol.c {line}");
        }
        Ok(())
    });
}

// 1326–1350: WSAAddressToStringA of each IPv6 row succeeds (1337) with the row's text
// (1338): the scope after '%' when not 0, brackets and the port when the port is not 0.
#[test]
fn ipv6_table() {
    run(|ws| {
        // 1318–1324: IPv6 sockets can be made (Windows does not take the skip).
        let v6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        ws.closesocket(v6)?;
        for &(line, words, scope, port, text) in IPV6 {
            let r = ws.wsa_address_to_string(&sockaddr_in6(words, scope, port));
            assert_eq!(r.as_deref(), Ok(text), "protocol.c {line}");
        }
        Ok(())
    });
}
