//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_connect` (line numbers from the Wine 10.0
//! tarball, where the function spans lines 8561–8824), facts only.
//!
//! | part of test_connect                                         | ported | not expressible | failing |
//! |--------------------------------------------------------------|-------:|----------------:|--------:|
//! | listener and connector set up, ConnectEx loaded, 8579–8606     |      8 |               0 |       0 |
//! | connect / ConnectEx on a listener: WSAEINVAL, 8608–8620        |      6 |               0 |       0 |
//! | ConnectEx: INVALID_SOCKET, unbound, bound, NULL OVERLAPPED, 8622–8637 | 3 |       1 |       0 |
//! | ConnectEx completes (0 bytes, then 3 bytes sent), 8639–8690    |     14 |               0 |       0 |
//! | connect/ConnectEx on connected sockets, 8687–8752              |     24 |               0 |       0 |
//! | ConnectEx to a closed port, 8756–8778                          |      4 |               1 |       0 |
//! | connect after a refused connect, 8800–8823                     |      6 |               0 |       0 |
//! | **total**                                                     |     65 |               2 |       0 |
//!
//! `OVERLAPPED.Internal` (STATUS_PENDING) and `InternalHigh` (untouched) after a ConnectEx
//! that fails synchronously (2 for each of 5 calls) are read through
//! `WinsockExt::overlapped_internal` (each call with a fresh OVERLAPPED, so "untouched" is
//! "as before the call"). Not expressible, per kind: a NULL OVERLAPPED (1); kernel32's
//! GetOverlappedResult and its Win32 code ERROR_CONNECTION_REFUSED (1: WSAGetOverlappedResult
//! reports the same status as WSAECONNREFUSED, checked). The alertable-connect block
//! (8780–8798) is `if (0)` in sock.c and not counted.
mod common;

use winsock_sim::api::extension::STATUS_PENDING;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn bound_connector(ws: &SimWinsock) -> Result<Socket, WsaError> {
    let c = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    ws.bind(c, &SockAddr::v4([127, 0, 0, 1], 0))?;
    Ok(c)
}

/// ConnectEx with a fresh OVERLAPPED that fails at once with `e`: Internal reads
/// STATUS_PENDING afterwards (set before the checks), InternalHigh is left as it was
/// (todo_wine in sock.c: Windows' behaviour).
fn connect_ex_fails(ws: &SimWinsock, s: Socket, to: &SockAddr, e: WsaError, line: u32) {
    let ov = Overlapped::new(u64::from(line));
    let (_, high) = ws.overlapped_internal(&ov);
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.connect_ex(s, to, Vec::new(), ov);
    common::fails(ws, r, e, &format!("line {line}"));
    let (internal, high_after) = ws.overlapped_internal(&ov);
    assert_eq!(internal, STATUS_PENDING, "line {line}: Internal");
    assert_eq!(high_after, high, "line {line}: InternalHigh untouched");
}

/// ConnectEx on a connected socket: WSAEISCONN at once.
fn connect_ex_isconn(ws: &SimWinsock, s: Socket, to: &SockAddr, line: u32) {
    connect_ex_fails(ws, s, to, WsaError::WSAEISCONN, line);
}

/// connect on a connected socket: WSAEISCONN.
fn connect_isconn(ws: &SimWinsock, s: Socket, to: &SockAddr, line: u32) {
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.connect(s, to);
    common::fails(ws, r, WsaError::WSAEISCONN, &format!("line {line}"));
}

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 8579–8599: a listener on 127.0.0.1 (backlog 1, blocking) and a connector.
    let listener = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    let connector = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    ws.bind(listener, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let address = ws.getsockname(listener)?;
    ws.listen(listener, 1)?;
    let mut zero = 0u32;
    ws.ioctlsocket(listener, FIONBIO, &mut zero)?;

    // 8601–8606: ConnectEx through WSAIoctl: a pointer's worth of bytes.
    let mut p = [0u8; 8];
    let guid = WSAID_CONNECTEX.to_bytes();
    let r = ws.wsa_ioctl_sized(connector, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, &mut p);
    assert_eq!(r, Ok(8), "8604, 8606");

    // 8608–8611: connect on a listener: WSAEINVAL.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.connect(listener, &address);
    common::fails(ws, r, WsaError::WSAEINVAL, "8610–8611");
    // 8613–8620: ConnectEx on a listener: WSAEINVAL, Internal STATUS_PENDING.
    connect_ex_fails(ws, listener, &address, WsaError::WSAEINVAL, 8616);

    // 8622–8628: INVALID_SOCKET: WSAENOTSOCK; an unbound socket: WSAEINVAL.
    let r = ws.connect_ex(Socket::INVALID, &address, Vec::new(), Overlapped::new(2));
    common::fails(ws, r, WsaError::WSAENOTSOCK, "8623");
    let r = ws.connect_ex(connector, &address, Vec::new(), Overlapped::new(3));
    common::fails(ws, r, WsaError::WSAEINVAL, "8627");
    // 8630–8634: ConnectEx needs a bound socket: bind.
    ws.bind(connector, &SockAddr::v4([127, 0, 0, 1], 0))?;
    // 8636–8638: a NULL OVERLAPPED: not expressible.

    // 8640–8651: pending, the event is set, the connection made with 0 bytes sent.
    let ev = ws.create_event(false, false)?;
    let ov = Overlapped::with_event(4, ev);
    let r = ws.connect_ex(connector, &address, Vec::new(), ov);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "8643");
    assert_eq!(
        ws.wait_for_single_object(ev.into(), 15000)?,
        WAIT_OBJECT_0,
        "8646"
    );
    let done = ws.wsa_get_overlapped_result(connector, &ov, false)?;
    assert_eq!((done.error, done.bytes), (None, 0), "8649–8650");

    // 8652–8662: a new bound connector; the first connection is accepted.
    ws.closesocket(connector)?;
    let connector = bound_connector(ws)?;
    let (first, _) = ws.accept(listener)?;

    // 8664–8676: ConnectEx with 3 bytes to send: pending, then 3 bytes sent.
    let ov = Overlapped::with_event(5, ev);
    let r = ws.connect_ex(connector, &address, b"123".to_vec(), ov);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "8669");
    assert_eq!(
        ws.wait_for_single_object(ev.into(), 15000)?,
        WAIT_OBJECT_0,
        "8672"
    );
    let done = ws.wsa_get_overlapped_result(connector, &ov, false)?;
    assert_eq!((done.error, done.bytes), (None, 3), "8675–8676");

    // 8678–8685: accepted; the 3 bytes arrive.
    let (acceptor, _) = ws.accept(listener)?;
    let mut buffer = [0u8; 3];
    assert_eq!(ws.recv(acceptor, &mut buffer, 0)?, 3, "8682");
    assert_eq!(&buffer, b"123", "8684");

    // 8687–8695: connect on the ConnectEx'd socket: WSAEINVAL; on the accepted one WSAEISCONN.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.connect(connector, &address);
    common::fails(ws, r, WsaError::WSAEINVAL, "8689–8690");
    connect_isconn(ws, acceptor, &address, 8694);
    // 8697–8712: ConnectEx on either: WSAEISCONN (Internal/InternalHigh: not expressible).
    connect_ex_isconn(ws, connector, &address, 8701);
    connect_ex_isconn(ws, acceptor, &address, 8710);
    ws.closesocket(connector)?;
    ws.closesocket(acceptor)?;
    ws.closesocket(first)?;

    // 8717–8752: a connected pair (tcp_socketpair): connect and ConnectEx: WSAEISCONN.
    let (connector, acceptor) = common::pair(ws)?;
    connect_isconn(ws, connector, &address, 8721);
    connect_isconn(ws, acceptor, &address, 8726);
    connect_ex_isconn(ws, connector, &address, 8733);
    connect_ex_isconn(ws, acceptor, &address, 8742);
    ws.closesocket(connector)?;
    ws.closesocket(acceptor)?;

    // 8756–8778: ConnectEx to port 1 (nothing there): pending, then refused.
    let connector = bound_connector(ws)?;
    let mut refused = address;
    let b = SockAddr::from_bytes(&{
        let mut b = refused.as_bytes().to_vec();
        b[2..4].copy_from_slice(&1u16.to_be_bytes());
        b
    });
    refused = b;
    let ov = Overlapped::with_event(6, ev);
    let r = ws.connect_ex(connector, &refused, Vec::new(), ov);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "8769");
    assert_eq!(
        ws.wait_for_single_object(ev.into(), 15000)?,
        WAIT_OBJECT_0,
        "8772"
    );
    let done = ws.wsa_get_overlapped_result(connector, &ov, false)?;
    assert_eq!(done.error, Some(WsaError::WSAECONNREFUSED), "8775: refused");
    ws.wsa_close_event(ev)?;
    ws.closesocket(connector)?;

    // 8800–8823: a refused blocking connect; the same socket, nonblocking, connects to the
    // listener (WSAEWOULDBLOCK), which accepts it.
    let connector = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    let r = ws.connect(connector, &SockAddr::v4([127, 0, 0, 1], 255));
    common::fails(ws, r, WsaError::WSAECONNREFUSED, "8807–8809");
    let mut one = 1u32;
    ws.ioctlsocket(connector, FIONBIO, &mut one)?;
    let address = ws.getsockname(listener)?;
    let r = ws.connect(connector, &address);
    common::fails(ws, r, WsaError::WSAEWOULDBLOCK, "8814–8815");
    let (acceptor, _) = ws.accept(listener)?;
    ws.closesocket(acceptor)?;
    ws.closesocket(connector)?;
    ws.closesocket(listener)
}

#[test]
fn connect() {
    // Proves: connect and ConnectEx errors (listener, invalid, unbound, connected, a socket
    // ConnectEx connected), ConnectEx's completions with and without data, a refused ConnectEx,
    // and a socket whose connect was refused connecting again (sock.c 8561–8824).
    common::run(check);
}
