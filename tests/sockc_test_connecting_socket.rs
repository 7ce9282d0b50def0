//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_connecting_socket` (Wine 10.0 lines
//! 12760–12873), facts only: what a socket whose connect (or ConnectEx) is still in progress
//! answers to a second connect, ConnectEx, getsockname, getpeername, recv and send.
//!
//! | part of test_connecting_socket                                | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | nonblocking connect to 192.0.2.0: WSAEWOULDBLOCK, then WSAEALREADY, 12778–12795 | 7 | 0 |      0 |
//! | ConnectEx on it: WSAEINVAL, Internal STATUS_PENDING, 12797–12806 |    4 |               1 |       0 |
//! | getsockname (bound, AF_INET, a port), getpeername works, 12808–12816 |  4 |             0 |       0 |
//! | recv, send: WSAENOTCONN (todo_wine), 12818–12824              |      4 |               0 |       0 |
//! | ConnectEx pending, then connect WSAEINVAL, 12828–12845        |      7 |               0 |       0 |
//! | a second ConnectEx: WSAEINVAL, Internal STATUS_PENDING, 12847–12853 |   3 |               1 |       0 |
//! | getsockname works, getpeername WSAENOTCONN, 12855–12864       |      5 |               0 |       0 |
//! | recv, send: WSAENOTCONN (todo_wine), 12866–12872              |      4 |               0 |       0 |
//! | **total**                                                     |     38 |               2 |       0 |
//!
//! Not expressible: `OVERLAPPED.InternalHigh` left at the 0xdeadbeef the program wrote
//! (12805, 12851): the API names an OVERLAPPED by identity and cannot preset its fields.
//!
//! Older tests of the same rules: `tests/sockc_test_connect.rs` (test_connect) and
//! `tests/sockc_test_connect_completion_port.rs` (ConnectEx).
mod common;

use winsock_sim::api::extension::STATUS_PENDING;
use winsock_sim::prelude::*;

fn body<W: Winsock + OverlappedIo + WinsockExt>(ws: &W) -> Result<(), WsaError> {
    let bind_addr = SockAddr::v4([0, 0, 0, 0], 0);
    let invalid_addr = SockAddr::v4([192, 0, 2, 0], 255u16.swap_bytes());
    let mut buffer = [0u8; 4];

    // 12778–12786: a nonblocking socket bound to INADDR_ANY.
    let client = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(client.is_ok(), "12779");
    let client = client?;
    ws.set_nonblocking(client, true)?;
    assert_eq!(ws.bind(client, &bind_addr), Ok(()), "12783");
    assert_eq!(ws.wsa_get_last_error(), 0, "12784");
    // 12786–12795: connect: WSAEWOULDBLOCK; again to the same address: WSAEALREADY.
    let r = ws.connect(client, &invalid_addr);
    common::fails(ws, r, WsaError::WSAEWOULDBLOCK, "12787–12788");
    let r = ws.connect(client, &invalid_addr);
    common::fails(ws, r, WsaError::WSAEALREADY, "12793–12794");
    // 12797–12806: ConnectEx on the connecting socket: WSAEINVAL, Internal STATUS_PENDING.
    let f = ws.get_extension_function_pointer(client, &WSAID_CONNECTEX, 8);
    assert!(f.is_ok(), "12798");
    let ov = Overlapped::new(1);
    let r = ws.connect_ex(client, &invalid_addr, Vec::new(), ov);
    common::fails(ws, r, WsaError::WSAEINVAL, "12802–12803");
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING, "12804");
    // 12808–12816: it has a local address with a port, and a peer.
    let addr = ws.getsockname(client);
    assert!(addr.is_ok(), "12809");
    let addr = addr?;
    assert_eq!(addr.family(), AF_INET, "12810");
    assert_ne!(addr.port(), Some(0), "12811");
    assert!(ws.getpeername(client).is_ok(), "12815");
    // 12818–12824: recv and send: WSAENOTCONN (todo_wine: Windows truth).
    let r = ws.recv(client, &mut buffer, 0);
    common::fails(ws, r, WsaError::WSAENOTCONN, "12818–12819");
    let r = ws.send(client, b"data\0", 0);
    common::fails(ws, r, WsaError::WSAENOTCONN, "12822–12823");
    ws.closesocket(client)?;

    // 12828–12837: with ConnectEx: it pends.
    let client = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(client.is_ok(), "12830");
    let client = client?;
    ws.set_nonblocking(client, true)?;
    assert_eq!(ws.bind(client, &bind_addr), Ok(()), "12834");
    assert_eq!(ws.wsa_get_last_error(), 0, "12835");
    let ov2 = Overlapped::new(2);
    let r = ws.connect_ex(client, &invalid_addr, Vec::new(), ov2);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "12838–12839");
    // 12842–12844: connect then: WSAEINVAL.
    let r = ws.connect(client, &invalid_addr);
    common::fails(ws, r, WsaError::WSAEINVAL, "12842–12843");
    // 12846–12853: another ConnectEx: WSAEINVAL, Internal STATUS_PENDING.
    let ov3 = Overlapped::new(3);
    let r = ws.connect_ex(client, &invalid_addr, Vec::new(), ov3);
    common::fails(ws, r, WsaError::WSAEINVAL, "12848–12849");
    assert_eq!(ws.overlapped_internal(&ov3).0, STATUS_PENDING, "12850");
    // 12855–12864: a local address, but no peer yet.
    let addr = ws.getsockname(client);
    assert!(addr.is_ok(), "12855");
    let addr = addr?;
    assert_eq!(addr.family(), AF_INET, "12856");
    assert_ne!(addr.port(), Some(0), "12857");
    let r = ws.getpeername(client);
    common::fails(ws, r, WsaError::WSAENOTCONN, "12861–12862");
    // 12866–12872: recv and send: WSAENOTCONN (todo_wine: Windows truth).
    let r = ws.recv(client, &mut buffer, 0);
    common::fails(ws, r, WsaError::WSAENOTCONN, "12865–12866");
    let r = ws.send(client, b"data\0", 0);
    common::fails(ws, r, WsaError::WSAENOTCONN, "12869–12870");
    ws.closesocket(client)
}

#[test]
fn connecting_socket() {
    // Proves: while a connect is in progress a second connect gives WSAEALREADY (WSAEINVAL
    // while a ConnectEx is), ConnectEx gives WSAEINVAL leaving Internal STATUS_PENDING,
    // getsockname works, getpeername works only for connect, and recv / send give
    // WSAENOTCONN (sock.c 12760–12873).
    common::run(body);
}
