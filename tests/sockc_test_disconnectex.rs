//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_DisconnectEx` (L9713-9870),
//! ported assertion by assertion. Facts only (return values, error codes, what works after
//! the disconnect); our own code.
//!
//! | sock.c test_DisconnectEx                              | ok() | ported | not expressible | failing |
//! |-------------------------------------------------------|------|--------|-----------------|---------|
//! | L9724-9751 setup; INVALID_SOCKET; not connected       |   9  |    9   |  0              |  0      |
//! | L9753-9770 connect; overlapped DisconnectEx           |   7  |    7   |  0              |  0      |
//! | L9772-9807 after it: send direction only closed       |  13  |   13   |  0              |  0      |
//! | L9809-9829 synchronous DisconnectEx, twice            |   7  |    7   |  0              |  0      |
//! | L9831-9866 after it: the same 13 checks               |  13  |   13   |  0              |  0      |
//! | **total**                                             |  49  |   49   |  0              |  0      |
//!
//! Also covered elsewhere: tests/disconnect_ex.rs `er_11_disconnect_ex`,
//! `disconnect_ex_reuse_socket_for_connect_ex_and_accept_ex`.
mod common;

use winsock_sim::prelude::*;

/// L9772-9807 / L9831-9866: after DisconnectEx the socket is still connected (connect:
/// WSAEISCONN), cannot send (WSAESHUTDOWN), the peer reads the FIN and can still send, and
/// both ends keep their addresses (13 ok()s).
fn after_disconnect<W: Winsock>(
    ws: &W,
    client: Socket,
    server: Socket,
    server_addr: &SockAddr,
) -> Result<(), WsaError> {
    assert_eq!(ws.connect(client, server_addr), Err(WsaError::WSAEISCONN));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEISCONN.code());
    ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
    assert_eq!(ws.send(client, b"test\0", 0), Err(WsaError::WSAESHUTDOWN));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAESHUTDOWN.code());
    let mut buffer = [0u8; 5];
    assert_eq!(ws.recv(server, &mut buffer, 0), Ok(0));
    assert_eq!(ws.send(server, b"test\0", 0), Ok(5));
    assert_eq!(ws.recv(client, &mut buffer, 0), Ok(5));
    assert_eq!(&buffer, b"test\0");
    let peer = ws.getpeername(client);
    assert!(peer.is_ok());
    assert_eq!(&peer?, server_addr);
    let client_addr = ws.getsockname(client);
    assert!(client_addr.is_ok());
    let peer = ws.getpeername(server);
    assert!(peer.is_ok());
    assert_eq!(peer?, client_addr?);
    Ok(())
}

fn body<W: Winsock + OverlappedIo + WinsockExt + SyncObjects>(ws: &W) -> Result<(), WsaError> {
    let event = ws.create_event(true, false)?;
    let ov = Overlapped::with_event(1, event);
    // L9724-9751
    let client = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(client.is_ok());
    let client = client?;
    let f = match ws.get_extension_function_pointer(client, &WSAID_DISCONNECTEX, 8) {
        Ok(ExtensionFunction::DisconnectEx(f)) => f,
        other => panic!("DisconnectEx: {other:?}"),
    };
    let listener = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(listener.is_ok());
    let listener = listener?;
    assert_eq!(ws.bind(listener, &SockAddr::v4([127, 0, 0, 1], 0)), Ok(()));
    let server_addr = ws.getsockname(listener);
    assert!(server_addr.is_ok());
    let server_addr = server_addr?;
    assert_eq!(ws.listen(listener, 1), Ok(()));
    // L9753-9761: INVALID_SOCKET: WSAENOTSOCK; not connected: WSAENOTCONN.
    ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
    let r = f.call(ws, Socket::INVALID, Some(ov), 0);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTSOCK.code());
    ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
    let r = f.call(ws, client, Some(ov), 0);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTCONN.code());

    // L9763-9778: connected, the overlapped DisconnectEx pends and completes with 0 bytes.
    assert_eq!(ws.connect(client, &server_addr), Ok(()));
    let server = ws.accept(listener);
    assert!(server.is_ok());
    let (server, _) = server?;
    ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
    let r = f.call(ws, client, Some(ov), 0);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(client, &ov, false);
    assert!(r.is_ok());
    assert_eq!(r?.bytes, 0);
    after_disconnect(ws, client, server, &server_addr)?;
    ws.closesocket(client)?;
    ws.closesocket(server)?;

    // L9809-9829: the synchronous case, twice.
    let client = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(client.is_ok());
    let client = client?;
    assert_eq!(ws.connect(client, &server_addr), Ok(()));
    let server = ws.accept(listener);
    assert!(server.is_ok());
    let (server, _) = server?;
    for _ in 0..2 {
        ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
        assert_eq!(f.call(ws, client, None, 0), Ok(()));
        assert_eq!(ws.wsa_get_last_error(), 0);
    }
    after_disconnect(ws, client, server, &server_addr)?;
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    ws.closesocket(listener)?;
    ws.close_handle(Handle::from(event))?;
    Ok(())
}

#[test]
fn sockc_disconnectex_closes_the_send_direction_only() {
    // Proves (test_DisconnectEx): DisconnectEx on INVALID_SOCKET fails with WSAENOTSOCK, on
    // an unconnected socket with WSAENOTCONN; on a connection, with an OVERLAPPED it pends
    // and completes with 0 bytes, without one it succeeds at once (twice, last error 0);
    // afterwards connect says WSAEISCONN, send WSAESHUTDOWN, the peer reads 0 and can still
    // send 5 bytes that arrive, and both ends keep their addresses.
    common::run(body);
}
