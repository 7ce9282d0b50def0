//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_shutdown_completion_port`
//! (L11507-11688), ported assertion by assertion. Facts only (which calls queue a completion
//! packet); our own code.
//!
//! | sock.c test_shutdown_completion_port                   | ok() | ported | not expressible | failing |
//! |--------------------------------------------------------|------|--------|-----------------|---------|
//! | L11519-11541 setup                                     |   6  |    6   |  0              |  0      |
//! | L11543-11561 shutdown() queues nothing                 |   6  |    6   |  0              |  0      |
//! | L11563-11584 WSASendDisconnect / WSARecvDisconnect     |   8  |    8   |  0              |  0      |
//! | L11586-11623 DisconnectEx queues (skip on success too) |  14  |   14   |  0              |  0      |
//! | L11625-11645 DisconnectEx without OVERLAPPED           |   8  |    8   |  0              |  0      |
//! | L11647-11681 hEvent | 1 suppresses the packet          |  11  |    9   |  2              |  0      |
//! | **total**                                              |  53  |   51   |  2              |  0      |
//!
//! Not expressible, once per kind:
//! - 2 × the low bit of `hEvent` set to keep the completion off the port; the rest of that
//!   section (DisconnectEx pends, its event and result) is ported.
//!
//! Also covered elsewhere: tests/disconnect_ex.rs `er_11_disconnect_ex`,
//! `cp_08_disconnect_ex_packets`; tests/iocp.rs `cp_08_which_calls_queue_packets`.
mod common;

use winsock_sim::prelude::*;

fn nothing_queued<W: Iocp>(ws: &W, port: CompletionPort) {
    let r = ws.get_queued_completion_status(port, 0);
    assert!(r.is_err());
    assert_eq!(r.map(|_| ()), Err(WsaError::WAIT_TIMEOUT));
}

/// A client with its own port (key 0), connected to `dest` and accepted by `listener`: the
/// socket, port, connect and accept ok()s. Returns (client, server, port).
fn connected_with_port<W: Winsock + Iocp>(
    ws: &W,
    listener: Socket,
    dest: &SockAddr,
    skip_on_success: bool,
) -> Result<(Socket, Socket, CompletionPort), WsaError> {
    let client = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(client.is_ok());
    let client = client?;
    let port = ws.create_io_completion_port(0)?;
    assert_eq!(ws.associate_completion_port(client, port, 0), Ok(()));
    if skip_on_success {
        assert_eq!(
            ws.set_file_completion_notification_modes(client, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS),
            Ok(())
        );
    }
    assert_eq!(ws.connect(client, dest), Ok(()));
    let server = ws.accept(listener);
    assert!(server.is_ok());
    Ok((client, server?.0, port))
}

fn body<W: Winsock + OverlappedIo + Iocp + WinsockExt + SyncObjects>(
    ws: &W,
) -> Result<(), WsaError> {
    let event = ws.create_event(false, false)?;
    let ov = Overlapped::with_event(1, event);
    // L11519-11541
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(listener.is_ok());
    let listener = listener?;
    assert_eq!(ws.bind(listener, &SockAddr::v4([127, 0, 0, 1], 0)), Ok(()));
    let dest = ws.getsockname(listener);
    assert!(dest.is_ok());
    let dest = dest?;
    assert_eq!(ws.listen(listener, 1), Ok(()));
    let client = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(client.is_ok());
    let client = client?;
    let f = match ws.get_extension_function_pointer(client, &WSAID_DISCONNECTEX, 8) {
        Ok(ExtensionFunction::DisconnectEx(f)) => f,
        other => panic!("DisconnectEx: {other:?}"),
    };
    ws.closesocket(client)?;

    // L11543-11561: shutdown(SD_BOTH) queues nothing.
    let (client, server, port) = connected_with_port(ws, listener, &dest, false)?;
    assert_eq!(ws.shutdown(client, SD_BOTH), Ok(()));
    nothing_queued(ws, port);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.close_completion_port(port)?;

    // L11563-11584: WSASendDisconnect and WSARecvDisconnect succeed and queue nothing.
    let (client, server, port) = connected_with_port(ws, listener, &dest, false)?;
    assert_eq!(ws.wsa_send_disconnect(client), Ok(()));
    assert_eq!(ws.wsa_recv_disconnect(client), Ok(()));
    nothing_queued(ws, port);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.close_completion_port(port)?;

    // L11586-11623: DisconnectEx pends and queues a packet, even with skip on success, and
    // even after GetOverlappedResult (waiting) read its result.
    let (client, server, port) = connected_with_port(ws, listener, &dest, true)?;
    ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
    let r = f.call(ws, client, Some(ov), 0);
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(client, &ov, true)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 0);
    // todo_wine in Wine; Windows queues it.
    let p = ws.get_queued_completion_status(port, 0);
    assert!(p.is_ok());
    let p = p?;
    assert_eq!(p.key, 0);
    assert_eq!(p.bytes, 0);
    assert_eq!(p.overlapped, Some(ov));
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.close_completion_port(port)?;

    // L11625-11645: DisconnectEx without an OVERLAPPED succeeds at once, last error 0, and
    // queues nothing.
    let (client, server, port) = connected_with_port(ws, listener, &dest, false)?;
    ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
    assert_eq!(f.call(ws, client, None, 0), Ok(()));
    assert_eq!(ws.wsa_get_last_error(), 0);
    nothing_queued(ws, port);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.close_completion_port(port)?;

    // L11647-11681 (without the low bit of hEvent): DisconnectEx pends, signals, 0 bytes.
    let (client, server, port) = connected_with_port(ws, listener, &dest, false)?;
    let r = f.call(ws, client, Some(ov), 0);
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(client, &ov, true)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 0);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.close_completion_port(port)?;
    ws.closesocket(listener)?;
    ws.close_handle(Handle::from(event))?;
    Ok(())
}

#[test]
fn sockc_shutdown_completion_port_only_disconnect_ex_queues() {
    // Proves (test_shutdown_completion_port): shutdown(SD_BOTH), WSASendDisconnect,
    // WSARecvDisconnect and DisconnectEx without an OVERLAPPED (which succeeds, last error
    // 0) queue no packet; DisconnectEx with one pends
    // (ERROR_IO_PENDING), signals its event, completes with 0 bytes, and queues its packet
    // (key 0, 0 bytes, the OVERLAPPED) even with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS and
    // after GetOverlappedResult.
    common::run(body);
}
