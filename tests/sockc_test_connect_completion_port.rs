//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_connect_completion_port`
//! (L11258-11505), ported assertion by assertion. Facts only (which calls queue a completion
//! packet, its key, size and OVERLAPPED, the errors); our own code.
//!
//! | sock.c test_connect_completion_port                | ok() | ported | not expressible | failing |
//! |----------------------------------------------------|------|--------|-----------------|---------|
//! | L11270-11293 setup                                 |   6  |    6   |  0              |  0      |
//! | L11295-11310 connect() queues nothing              |   5  |    5   |  0              |  0      |
//! | L11312-11328 nonblocking connect() queues nothing  |   7  |    7   |  0              |  0      |
//! | L11330-11359 ConnectEx queues a packet             |  13  |   13   |  0              |  0      |
//! | L11361-11390 ConnectEx with "one": 3 bytes         |  13  |   13   |  0              |  0      |
//! | L11392-11421 hEvent | 1 suppresses the packet      |  11  |    9   |  2              |  0      |
//! | L11423-11452 skip on success: ConnectEx still queues | 14 |   14   |  0              |  0      |
//! | L11456-11504 refused: ERROR_CONNECTION_REFUSED     |  15  |   15   |  0              |  0      |
//! | **total**                                          |  84  |   82   |  2              |  0      |
//!
//! Not expressible: 2 × the low bit of `hEvent` set to keep the completion off the port
//! (an [`Overlapped`]'s event is a handle value, not an integer one can tag); the rest of that
//! section (the ConnectEx pends, its event and result) is ported.
//!
//! Also covered elsewhere: tests/iocp.rs `cp_08_which_calls_queue_packets`,
//! `cp_10_skip_on_success_connect_ex_still_queues`; tests/accept_ex_connect_ex.rs
//! `ov_12_connect_ex_send_buffer_via_port`, `ov_12_connect_ex_refused`.
mod common;

use winsock_sim::api::extension::LpfnConnectEx;
use winsock_sim::prelude::*;

/// GetQueuedCompletionStatus(port, …, 0): FALSE, WAIT_TIMEOUT.
fn nothing_queued<W: Iocp>(ws: &W, port: CompletionPort) {
    let r = ws.get_queued_completion_status(port, 0);
    assert!(r.is_err());
    assert_eq!(r.map(|_| ()), Err(WsaError::WAIT_TIMEOUT));
}

/// A new socket associated with a new port (key 0): two ok()s.
fn socket_with_port<W: Winsock + Iocp>(ws: &W) -> Result<(Socket, CompletionPort), WsaError> {
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(s.is_ok());
    let s = s?;
    let port = ws.create_io_completion_port(0)?;
    assert_eq!(ws.associate_completion_port(s, port, 0), Ok(()));
    Ok((s, port))
}

/// ConnectEx of a bound `connector` to `dest` with `send`: pends, its event fires,
/// GetOverlappedResult gives `send.len()` bytes, the listener accepts (6 ok()s).
fn connect_ex_completes<W: Winsock + OverlappedIo + SyncObjects>(
    ws: &W,
    f: LpfnConnectEx,
    connector: Socket,
    listener: Socket,
    dest: &SockAddr,
    send: &[u8],
    ov: Overlapped,
) -> Result<(), WsaError> {
    let r = f.call(ws, connector, dest, send.to_vec(), ov);
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ov.event.unwrap()), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(connector, &ov, false)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, send.len());
    let a = ws.accept(listener);
    assert!(a.is_ok());
    ws.closesocket(a?.0)?;
    Ok(())
}

/// The ConnectEx packet: TRUE, key 0, `bytes`, the OVERLAPPED (4 ok()s).
fn packet<W: Iocp>(ws: &W, port: CompletionPort, ov: Overlapped, bytes: usize) {
    let p = ws.get_queued_completion_status(port, 0).expect("a packet");
    assert_eq!(p.error, None);
    assert_eq!(p.key, 0);
    assert_eq!(p.bytes, bytes);
    assert_eq!(p.overlapped, Some(ov));
}

fn body<W: Winsock + OverlappedIo + Iocp + WinsockExt + SyncObjects>(
    ws: &W,
) -> Result<(), WsaError> {
    let event = ws.create_event(false, false)?;
    let ov = Overlapped::with_event(1, event);
    // L11270-11293
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(listener.is_ok());
    let listener = listener?;
    let addr = SockAddr::v4([127, 0, 0, 1], 0);
    assert_eq!(ws.bind(listener, &addr), Ok(()));
    let dest = ws.getsockname(listener);
    assert!(dest.is_ok());
    let dest = dest?;
    assert_eq!(ws.listen(listener, 1), Ok(()));
    let connector = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(connector.is_ok());
    let connector = connector?;
    let f = match ws.get_extension_function_pointer(connector, &WSAID_CONNECTEX, 8) {
        Ok(ExtensionFunction::ConnectEx(f)) => f,
        other => panic!("ConnectEx: {other:?}"),
    };
    ws.closesocket(connector)?;

    // L11295-11310: connect() queues nothing.
    let (connector, port) = socket_with_port(ws)?;
    assert_eq!(ws.connect(connector, &dest), Ok(()));
    let a = ws.accept(listener);
    assert!(a.is_ok());
    ws.closesocket(a?.0)?;
    nothing_queued(ws, port);
    ws.closesocket(connector)?;
    ws.close_completion_port(port)?;

    // L11312-11328: nor a nonblocking connect().
    let (connector, port) = socket_with_port(ws)?;
    ws.set_nonblocking(connector, true)?;
    let r = ws.connect(connector, &dest);
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSAEWOULDBLOCK));
    ws.set_nonblocking(listener, false)?;
    let a = ws.accept(listener);
    assert!(a.is_ok());
    ws.closesocket(a?.0)?;
    nothing_queued(ws, port);
    ws.closesocket(connector)?;
    ws.close_completion_port(port)?;

    // L11330-11359 and L11361-11390: ConnectEx queues a packet (0 bytes; 3 with "one"),
    // still there after GetOverlappedResult read the result.
    for send in [&b""[..], &b"one"[..]] {
        let (connector, port) = socket_with_port(ws)?;
        assert_eq!(ws.bind(connector, &addr), Ok(()));
        connect_ex_completes(ws, f, connector, listener, &dest, send, ov)?;
        packet(ws, port, ov, send.len());
        ws.closesocket(connector)?;
        ws.close_completion_port(port)?;
    }

    // L11392-11421 (without the low bit of hEvent, not expressible): the ConnectEx pends and
    // completes as above.
    let (connector, port) = socket_with_port(ws)?;
    assert_eq!(ws.bind(connector, &addr), Ok(()));
    connect_ex_completes(ws, f, connector, listener, &dest, b"", ov)?;
    ws.closesocket(connector)?;
    ws.close_completion_port(port)?;

    // L11423-11452: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: a ConnectEx that pended still
    // queues its packet.
    let (connector, port) = socket_with_port(ws)?;
    assert_eq!(
        ws.set_file_completion_notification_modes(connector, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS),
        Ok(())
    );
    assert_eq!(ws.bind(connector, &addr), Ok(()));
    connect_ex_completes(ws, f, connector, listener, &dest, b"", ov)?;
    packet(ws, port, ov, 0);
    ws.closesocket(connector)?;
    ws.close_completion_port(port)?;
    ws.closesocket(listener)?;

    // L11456-11504: nothing listens any more: ERROR_CONNECTION_REFUSED from
    // GetOverlappedResult and in the packet (queued despite skip-on-success: it failed).
    let (connector, port) = socket_with_port(ws)?;
    assert_eq!(
        ws.set_file_completion_notification_modes(connector, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS),
        Ok(())
    );
    assert_eq!(ws.bind(connector, &addr), Ok(()));
    let r = f.call(ws, connector, &dest, Vec::new(), ov);
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 15000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(connector, &ov, false)?;
    assert!(r.error.is_some());
    assert_eq!(r.error, Some(WsaError::ERROR_CONNECTION_REFUSED));
    assert_eq!(r.bytes, 0);
    let p = ws.get_queued_completion_status(port, 0).expect("a packet");
    assert!(p.error.is_some());
    assert_eq!(p.error, Some(WsaError::ERROR_CONNECTION_REFUSED));
    assert_eq!(p.key, 0);
    assert_eq!(p.bytes, 0);
    assert_eq!(p.overlapped, Some(ov));
    ws.closesocket(connector)?;
    ws.close_completion_port(port)?;
    ws.close_handle(Handle::from(event))?;
    Ok(())
}

#[test]
fn sockc_connect_completion_port_connect_ex_queues_connect_does_not() {
    // Proves (test_connect_completion_port): connect(), blocking or not, queues no packet on
    // the socket's port; ConnectEx pends, signals its event, GetOverlappedResult gives the
    // bytes of its send buffer (0 or 3), and its packet (TRUE, key 0, those bytes, the
    // OVERLAPPED) is still queued afterwards — also with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS;
    // a refused ConnectEx gives ERROR_CONNECTION_REFUSED both ways.
    common::run(body);
}
