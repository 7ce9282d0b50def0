//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_shutdown` (Wine 10.0 lines 9381–9711),
//! facts only: `shutdown` on unconnected, connected, listening and UDP sockets, what `send`,
//! `recv`, `connect`, `getpeername` do afterwards, and pending overlapped receives.
//!
//! | part of test_shutdown                                         | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | SD_SEND / SD_RECEIVE one at a time on a TCP pair, 9381–9513   |     45 |               0 |       0 |
//! | SD_BOTH, 9514–9571                                            |     21 |               0 |       0 |
//! | sending to a peer that shut down and closed, 9572–9591        |      5 |               0 |       0 |
//! | shutting down with overlapped receives pending, 9592–9650     |     21 |               0 |       0 |
//! | shutting down a listening socket, 9651–9664                   |      4 |               0 |       0 |
//! | shutting down UDP sockets, 9665–9711                          |     13 |               0 |       0 |
//! | **total**                                                     |    109 |               0 |       0 |
//!
//! Counts: each `ok()` of the text once (a loop body once); the `ok(!WSAGetLastError() ||
//! WSAGetLastError() == 0xdeadbeef)` after a successful call is checked as written (0, or
//! left untouched as before Windows 7).
//!
//! The sim's loopback takes virtual time where Windows' carries a segment (and the RST it
//! draws from a closed socket) within the sending call, so before the recv of 9586 the port
//! sleeps 1 ms (the RST's round trip); sock.c's other calls need no such wait.
//!
//! Older tests of the same rules: `tests/shutdown.rs` (conformance SH-*) and
//! `tests/sockc_test_shutdown_completion_port.rs` (the same pair under a completion port).
mod common;

use std::time::Duration;

use winsock_sim::prelude::*;

const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

/// A successful call leaves WSAGetLastError 0 (or, before Windows 7, untouched).
fn succeeds<W: Winsock>(ws: &W, r: Result<(), WsaError>, what: &str) {
    assert_eq!(r, Ok(()), "{what}");
    let e = ws.wsa_get_last_error();
    assert!(e == 0 || e == DEADBEEF, "{what}: WSAGetLastError {e}");
}

/// `shutdown(s, how)` after `WSASetLastError(0xdeadbeef)`, expected to succeed.
fn shut_ok<W: Winsock>(ws: &W, s: Socket, how: i32, what: &str) {
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.shutdown(s, how);
    succeeds(ws, r, what);
}

/// `r` failed with `want` (after `WSASetLastError(0xdeadbeef)` by the caller).
fn fails<W: Winsock, T: std::fmt::Debug>(
    ws: &W,
    r: Result<T, WsaError>,
    want: WsaError,
    what: &str,
) {
    common::fails(ws, r, want, what);
}

/// sock.c's `sync_recv`: waits (select, 1 s) until `s` is readable, then `recv`.
fn sync_recv<W: Winsock + Select>(ws: &W, s: Socket, buf: &mut [u8]) -> Result<usize, WsaError> {
    let mut rd = FdSet::from_array(&[s]);
    ws.select(Some(&mut rd), None, None, Some(Duration::from_secs(1)))?;
    ws.recv(s, buf, 0)
}

/// getpeername / getsockname on both ends still work and agree (4 + 2 ok()s).
fn names_agree<W: Winsock>(
    ws: &W,
    client: Socket,
    server: Socket,
    server_addr: &SockAddr,
) -> Result<(), WsaError> {
    assert_eq!(ws.getpeername(client)?, *server_addr, "client's peer");
    let client_addr = ws.getsockname(client)?;
    assert_eq!(ws.getpeername(server)?, client_addr, "server's peer");
    Ok(())
}

fn body<W: Winsock + Select + OverlappedIo + SyncObjects>(ws: &W) -> Result<(), WsaError> {
    let event = ws.create_event(false, false)?;
    let mut buffer = [0u8; 5];
    // 9392–9405: a listener on 127.0.0.1.
    let (listener, server_addr) = common::listener(ws, 1)?;

    // 9407–9416: shutdown of an unconnected socket: WSAENOTCONN.
    let client = common::tcp(ws)?;
    for how in [SD_SEND, SD_RECEIVE] {
        ws.wsa_set_last_error(DEADBEEF);
        let r = ws.shutdown(client, how);
        fails(ws, r, WsaError::WSAENOTCONN, "9409–9416");
    }
    // 9418–9423.
    ws.connect(client, &server_addr)?;
    let (server, _) = ws.accept(listener)?;
    ws.set_nonblocking(client, true)?;
    // 9425–9434: SD_SEND twice succeeds.
    shut_ok(ws, client, SD_SEND, "9427");
    shut_ok(ws, client, SD_SEND, "9432");
    // 9436–9439: send after SD_SEND: WSAESHUTDOWN.
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.send(client, b"test\0", 0);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9437–9439");
    // 9441–9444: the server reads end of stream, twice.
    assert_eq!(ws.recv(server, &mut buffer, 0)?, 0, "9442");
    assert_eq!(ws.recv(server, &mut buffer, 0)?, 0, "9444");
    // 9446–9454: SD_RECEIVE on the server; recv then fails with WSAESHUTDOWN.
    shut_ok(ws, server, SD_RECEIVE, "9448");
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.recv(server, &mut buffer, 0);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9452–9454");
    // 9456–9461: the server can still send; the client receives it.
    assert_eq!(ws.send(server, b"test\0", 0)?, 5, "9457");
    assert_eq!(sync_recv(ws, client, &mut buffer)?, 5, "9459");
    assert_eq!(&buffer, b"test\0", "9461");
    // 9463–9476: SD_RECEIVE on the client; recv fails with WSAESHUTDOWN, twice.
    shut_ok(ws, client, SD_RECEIVE, "9465");
    for line in ["9470–9471", "9474–9476"] {
        ws.wsa_set_last_error(DEADBEEF);
        let r = ws.recv(client, &mut buffer, 0);
        fails(ws, r, WsaError::WSAESHUTDOWN, line);
    }
    // 9478–9486: SD_SEND on the server; send fails with WSAESHUTDOWN.
    shut_ok(ws, server, SD_SEND, "9480");
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.send(server, b"test\0", 0);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9484–9486");
    // 9488–9500: the names survive both shutdowns.
    names_agree(ws, client, server, &server_addr)?;
    // 9502–9505: connect on the shut-down socket: WSAEISCONN.
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.connect(client, &server_addr);
    fails(ws, r, WsaError::WSAEISCONN, "9504–9505");
    // 9507–9510: an unknown `how`: WSAEINVAL.
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.shutdown(client, DEADBEEF);
    fails(ws, r, WsaError::WSAEINVAL, "9509–9510");
    ws.closesocket(client)?;
    ws.closesocket(server)?;

    // 9514–9571: SD_BOTH.
    let client = common::tcp(ws)?;
    ws.connect(client, &server_addr)?;
    let (server, _) = ws.accept(listener)?;
    shut_ok(ws, client, SD_BOTH, "9524");
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.recv(client, &mut buffer, 0);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9529–9530");
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.send(client, b"test\0", 0);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9533–9535");
    assert_eq!(ws.recv(server, &mut buffer, 0)?, 0, "9538");
    shut_ok(ws, server, SD_BOTH, "9542");
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.recv(server, &mut buffer, 0);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9547–9549");
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.send(server, b"test\0", 0);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9552–9554");
    names_agree(ws, client, server, &server_addr)?;
    ws.closesocket(client)?;
    ws.closesocket(server)?;

    // 9572–9591: data sent to a peer that shut down and closed: the send is accepted, the
    // next recv fails with WSAECONNABORTED (todo_wine: Windows truth).
    let (client, server) = common::pair(ws)?;
    shut_ok(ws, client, SD_SEND, "9577");
    ws.closesocket(client)?;
    assert_eq!(ws.send(server, b"test\0", 0)?, 5, "9584");
    // Windows' loopback carries the data and the closed peer's RST back within the send;
    // the sim's takes virtual time, which the port lets pass before the recv.
    ws.sleep(1);
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.recv(server, &mut buffer, 0);
    fails(ws, r, WsaError::WSAECONNABORTED, "9587–9588");
    ws.closesocket(server)?;

    // 9592–9650: shutting down with an overlapped receive pending.
    let client = common::tcp(ws)?;
    ws.connect(client, &server_addr)?;
    let (server, _) = ws.accept(listener)?;
    ws.set_nonblocking(client, true)?;
    let ov = Overlapped::with_event(1, event);
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv_overlapped(client, vec![vec![0; 5]], 0, ov, None);
    fails(ws, r, WsaError::WSA_IO_PENDING, "9605–9606");
    // 9608–9613: SD_RECEIVE; a new synchronous WSARecv fails with WSAESHUTDOWN.
    assert_eq!(ws.shutdown(client, SD_RECEIVE), Ok(()), "9609");
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv(client, &mut [&mut buffer[..]], 0);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9612–9613");
    // 9615–9624: the pending receive still completes with the peer's data.
    assert_eq!(ws.send(server, b"test\0", 0)?, 5, "9616");
    let w = ws.wait_for_single_object(Handle::from(event), 1000);
    assert_eq!(w, Ok(WAIT_OBJECT_0), "9618");
    let c = ws.get_overlapped_result(client, &ov, false)?;
    assert_eq!(c.error, None, "9621");
    assert_eq!(c.bytes, 5, "9622");
    assert_eq!(c.bufs, vec![b"test\0".to_vec()], "9623");
    // 9625–9628: a new overlapped WSARecv after SD_RECEIVE: WSAESHUTDOWN at once.
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv_overlapped(client, vec![vec![0; 5]], 0, ov, None);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9627–9628");
    // 9630–9642: a receive pending on the server completes with 0 bytes at the client's
    // SD_SEND.
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv_overlapped(server, vec![vec![0; 5]], 0, ov, None);
    fails(ws, r, WsaError::WSA_IO_PENDING, "9632–9633");
    assert_eq!(ws.shutdown(client, SD_SEND), Ok(()), "9636");
    let w = ws.wait_for_single_object(Handle::from(event), 1000);
    assert_eq!(w, Ok(WAIT_OBJECT_0), "9638");
    let c = ws.get_overlapped_result(client, &ov, false)?;
    assert_eq!(c.error, None, "9641");
    assert_eq!(c.bytes, 0, "9642");
    ws.closesocket(client)?;
    ws.closesocket(server)?;

    // 9651–9664: a listening socket is not connected.
    for (how, line) in [(SD_SEND, "9655–9656"), (SD_RECEIVE, "9660–9661")] {
        ws.wsa_set_last_error(DEADBEEF);
        let r = ws.shutdown(listener, how);
        fails(ws, r, WsaError::WSAENOTCONN, line);
    }
    ws.closesocket(listener)?;

    // 9665–9711: UDP sockets.
    let client = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let server = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.bind(server, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let server_addr = ws.getsockname(server)?;
    ws.set_nonblocking(server, true)?;
    shut_ok(ws, server, SD_RECEIVE, "9681");
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.recvfrom(server, &mut buffer, 0);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9685–9686");
    assert_eq!(ws.sendto(client, b"test\0", 0, &server_addr)?, 5, "9689");
    shut_ok(ws, client, SD_SEND, "9693");
    shut_ok(ws, client, SD_SEND, "9698");
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.sendto(client, b"test\0", 0, &server_addr);
    fails(ws, r, WsaError::WSAESHUTDOWN, "9703–9704");
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    ws.close_handle(Handle::from(event))
}

#[test]
fn shutdown() {
    // Proves: shutdown needs a connection (WSAENOTCONN on unconnected and listening sockets),
    // may be repeated, makes later sends / receives fail with WSAESHUTDOWN without breaking
    // the names or the other direction, rejects an unknown `how` (WSAEINVAL), lets a pending
    // overlapped receive complete, and works on UDP sockets (sock.c 9381–9711).
    common::run(body);
}
