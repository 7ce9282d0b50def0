//! I/O completion ports: conformance rules CP-* (section 5 of conformance.md), the packets
//! socket I/O queues. The port's own calls (PostQueuedCompletionStatus,
//! GetQueuedCompletionStatusEx, closing a port, association) are in `iocp_port.rs`, Windows'
//! scheduling rule for worker threads in `iocp_workers.rs`; the helpers shared with the
//! overlapped tests in `common/overlapped.rs`.
//!
//! Expected values are Windows' (the catalogue and the Win32 documentation), never what the
//! sim happens to return. Packets carry Win32 codes (ERROR_NETNAME_DELETED,
//! ERROR_OPERATION_ABORTED = WSA_OPERATION_ABORTED = 995, ERROR_CONNECTION_REFUSED).
//!
//! `OVERLAPPED.Internal` (STATUS_CANCELLED, …) is read with `WinsockExt::overlapped_internal`
//! and checked in `tests/sockc_test_completion_port.rs`, not here.
//!
//! Not expressible through the API (not tested):
//! - CP-03's "*bytes and *key unchanged" (a timed-out GQCS returns only the error).
//! - CP-08's WSASendDisconnect / WSARecvDisconnect (not in the API); CP-08's DisconnectEx is
//!   in tests/disconnect_ex.rs (cp_08_disconnect_ex_packets).
//!
//! CP-07 allows ERROR_OPERATION_ABORTED or ERROR_CONNECTION_ABORTED [ALT]; the sim gives the
//! first (STATUS_CANCELLED) and the test asserts that one.
mod common;

use common::overlapped::{bound_tcp, fields, no_packet, run, skipping_port, SETTLE_MS, WAIT_MS};
use common::tcp;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

#[test]
fn cp_01_one_packet_per_operation() {
    // Proves: a successful operation queues exactly one packet (bytes, the association's key,
    // the caller's OVERLAPPED); a pending WSARecv queues nothing until data arrives.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 125)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 16]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        no_packet(ws, port, "receive pending");
        ws.send(c, b"abc", 0)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(fields(&p), (None, 3, 125, Some(ov)));
        assert_eq!(&p.bufs[0][..3], b"abc");
        no_packet(ws, port, "one packet per receive");

        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.wsa_send_overlapped(s, vec![b"hello".to_vec()], 0, ov2, None),
            Ok(5)
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(fields(&p), (None, 5, 125, Some(ov2)));
        no_packet(ws, port, "one packet per send");
        assert_eq!(common::recv_exact(ws, c, 5)?, b"hello");
        Ok(())
    });
}

#[test]
fn cp_01_successful_gqcs_leaves_last_error() {
    // Proves: GetQueuedCompletionStatus returning TRUE leaves GetLastError unchanged.
    run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        ws.post_queued_completion_status(port, 1, 2, Some(Overlapped::new(3)))?;
        ws.wsa_set_last_error(12345);
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(fields(&p), (None, 1, 2, Some(Overlapped::new(3))));
        assert_eq!(ws.wsa_get_last_error(), 12345);
        Ok(())
    });
}

#[test]
fn cp_02_failed_operation_packet() {
    // Proves: a failed I/O's packet carries its Win32 error (ERROR_NETNAME_DELETED after a peer
    // RST, ERROR_OPERATION_ABORTED after CancelIoEx), 0 bytes, the key and the OVERLAPPED, and
    // GetLastError gives that error.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 11)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 16]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.cancel_io_ex(c, None)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(
            fields(&p),
            (Some(WsaError::WSA_OPERATION_ABORTED), 0, 11, Some(ov))
        );
        assert_eq!(ws.wsa_get_last_error(), 995);

        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 16]], 0, ov2, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        common::rst_close(ws, s)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(
            fields(&p),
            (Some(WsaError::ERROR_NETNAME_DELETED), 0, 11, Some(ov2))
        );
        assert_eq!(ws.wsa_get_last_error(), 64);
        no_packet(ws, port, "after the failure");
        Ok(())
    });
}

#[test]
fn cp_03_empty_port_times_out() {
    // Proves: GQCS / GQCSEx on an empty port fail with WAIT_TIMEOUT after the timeout.
    run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.get_queued_completion_status(port, 100)
                .map(|p| fields(&p)),
            Err(WsaError::WAIT_TIMEOUT)
        );
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 100);
        assert_eq!(ws.wsa_get_last_error(), 258);
        assert_eq!(
            ws.get_queued_completion_status(port, 0).map(|p| fields(&p)),
            Err(WsaError::WAIT_TIMEOUT)
        );
        assert_eq!(
            ws.get_queued_completion_status_ex(port, 4, 10, false)
                .map(|v| v.len()),
            Err(WsaError::WAIT_TIMEOUT)
        );
        Ok(())
    });
}

/// CP-04 body: AcceptEx pending, the listener associated `before` or after it was issued,
/// then the listener closed.
fn closing_listener_cancels_accept_ex(before: bool) {
    run(move |ws| {
        let (l, _addr) = common::listener(ws, 5)?;
        let port = ws.create_io_completion_port(0)?;
        if before {
            ws.associate_completion_port(l, port, 125)?;
        }
        let a = tcp(ws)?;
        let ov = Overlapped::new(7);
        assert_eq!(
            ws.accept_ex(l, a, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        if !before {
            ws.associate_completion_port(l, port, 125)?;
        }
        no_packet(ws, port, "AcceptEx pending");
        ws.closesocket(l)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(
            fields(&p),
            (Some(WsaError::WSA_OPERATION_ABORTED), 0, 125, Some(ov))
        );
        assert_eq!(ws.wsa_get_last_error(), 995);
        no_packet(ws, port, "one packet");
        Ok(())
    });
}

#[test]
fn cp_04_closing_listener_cancels_accept_ex_associated_before() {
    // Proves: closing a listener associated before AcceptEx gives a packet
    // ERROR_OPERATION_ABORTED, 0 bytes, with the listener's key and the OVERLAPPED.
    closing_listener_cancels_accept_ex(true);
}

#[test]
fn cp_04_closing_listener_cancels_accept_ex_associated_after() {
    // Proves: the same holds when the listener was associated after AcceptEx was issued.
    closing_listener_cancels_accept_ex(false);
}

#[test]
fn cp_04_closing_idle_listener_queues_nothing() {
    // Proves: closing an associated listener with nothing pending queues no packet.
    run(|ws| {
        let (l, _addr) = common::listener(ws, 5)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(l, port, 125)?;
        ws.closesocket(l)?;
        no_packet(ws, port, "idle listener closed");
        Ok(())
    });
}

/// A new accept socket associated with `port` under `key`, and an AcceptEx on `l` and it
/// (OVERLAPPED `id`, receive buffer `buf`) pending. Returns the accept socket and OVERLAPPED.
fn pending_accept_ex(
    ws: &SimWinsock,
    l: Socket,
    port: CompletionPort,
    key: usize,
    id: u64,
    buf: Vec<u8>,
) -> Result<(Socket, Overlapped), WsaError> {
    let a = tcp(ws)?;
    ws.associate_completion_port(a, port, key)?;
    let ov = Overlapped::new(id);
    assert_eq!(ws.accept_ex(l, a, buf, ov), Err(WsaError::WSA_IO_PENDING));
    Ok((a, ov))
}

#[test]
fn cp_06_accept_ex_packets_use_listener_key() {
    // Proves: AcceptEx completions are queued with the listener's key (125), not the accept
    // socket's (236): 0 bytes on connect, 1 byte with a receive buffer and 1 byte sent; later
    // I/O on the accepted socket uses its own key.
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(l, port, 125)?;

        let (a, ov) = pending_accept_ex(ws, l, port, 236, 1, Vec::new())?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(fields(&p), (None, 0, 125, Some(ov)));
        no_packet(ws, port, "nothing with the accept socket's key");

        let (_a2, ov2) = pending_accept_ex(ws, l, port, 237, 2, vec![0; 1])?;
        let c2 = tcp(ws)?;
        ws.connect(c2, &addr)?;
        no_packet(ws, port, "connected, no data yet");
        ws.send(c2, b"!", 0)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(fields(&p), (None, 1, 125, Some(ov2)));
        assert_eq!(p.bufs, vec![b"!".to_vec()]);
        no_packet(ws, port, "one AcceptEx packet");

        let ov3 = Overlapped::new(3);
        assert_eq!(
            ws.wsa_recv_overlapped(a, vec![vec![0; 8]], 0, ov3, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"xy", 0)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(fields(&p), (None, 2, 236, Some(ov3)));
        Ok(())
    });
}

/// A listener (key 125) and an accept socket (key 236) on one port, AcceptEx pending on them
/// with a 1-byte receive buffer, and a client connected to the listener.
fn accept_ex_with_buffer_connected(
    ws: &SimWinsock,
) -> Result<(CompletionPort, Socket, Socket, Socket, Overlapped), WsaError> {
    let (l, addr) = common::listener(ws, 5)?;
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(l, port, 125)?;
    let (a, ov) = pending_accept_ex(ws, l, port, 236, 1, vec![0; 1])?;
    let c = tcp(ws)?;
    ws.connect(c, &addr)?;
    Ok((port, l, a, c, ov))
}

#[test]
fn cp_07_accept_socket_closed_after_data_completes_the_accept() {
    // Proves: when the client already sent a byte (the AcceptEx with a receive buffer has
    // completed), closing the accept socket leaves the success packet: TRUE, 1 byte, the
    // listener's key and AcceptEx's OVERLAPPED; then nothing more.
    run(|ws| {
        let (port, _l, a, c, ov) = accept_ex_with_buffer_connected(ws)?;
        ws.send(c, b"!", 0)?;
        ws.sleep(100);
        ws.closesocket(a)?;
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let p = ws.get_queued_completion_status(port, 100)?;
        assert_eq!(fields(&p), (None, 1, 125, Some(ov)));
        assert_eq!(
            ws.wsa_get_last_error(),
            0xdead_beef_u32 as i32,
            "last error untouched"
        );
        no_packet(ws, port, "one packet");
        Ok(())
    });
}

#[test]
fn cp_07_accept_socket_closed_before_data_aborts_the_accept() {
    // Proves: when the client connected but sent nothing (the AcceptEx with a receive buffer
    // still waits for data), closing the accept socket completes it with FALSE,
    // ERROR_OPERATION_ABORTED, 0 bytes, the listener's key and AcceptEx's OVERLAPPED.
    run(|ws| {
        let (port, _l, a, _c, ov) = accept_ex_with_buffer_connected(ws)?;
        ws.sleep(SETTLE_MS);
        no_packet(ws, port, "connected, no data yet");
        ws.closesocket(a)?;
        let p = ws.get_queued_completion_status(port, 100)?;
        assert_eq!(
            fields(&p),
            (Some(WsaError::WSA_OPERATION_ABORTED), 0, 125, Some(ov))
        );
        assert_eq!(ws.wsa_get_last_error(), 995);
        no_packet(ws, port, "one packet");
        Ok(())
    });
}

#[test]
fn cp_08_which_calls_queue_packets() {
    // Proves: connect() (blocking or not) and shutdown() queue no packet; ConnectEx queues one
    // (the association's key, 0 bytes, its OVERLAPPED).
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let port = ws.create_io_completion_port(0)?;

        let b = tcp(ws)?;
        ws.associate_completion_port(b, port, 1)?;
        ws.connect(b, &addr)?;
        no_packet(ws, port, "blocking connect()");

        let n = tcp(ws)?;
        ws.associate_completion_port(n, port, 2)?;
        ws.set_nonblocking(n, true)?;
        match ws.connect(n, &addr) {
            Ok(()) | Err(WsaError::WSAEWOULDBLOCK) => {}
            Err(e) => panic!("nonblocking connect: {e:?}"),
        }
        ws.sleep(SETTLE_MS);
        assert_eq!(ws.connect(n, &addr), Err(WsaError::WSAEISCONN));
        no_packet(ws, port, "nonblocking connect()");

        ws.shutdown(b, SD_SEND)?;
        ws.shutdown(b, SD_RECEIVE)?;
        ws.shutdown(n, SD_BOTH)?;
        no_packet(ws, port, "shutdown()");

        let x = bound_tcp(ws)?;
        ws.associate_completion_port(x, port, 3)?;
        let ov = Overlapped::new(9);
        assert_eq!(
            ws.connect_ex(x, &addr, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(fields(&p), (None, 0, 3, Some(ov)));
        no_packet(ws, port, "one packet per ConnectEx");
        for _ in 0..3 {
            let (s, _) = ws.accept(l)?;
            ws.closesocket(s)?;
        }
        Ok(())
    });
}

/// A pair whose server end is associated (key 5) with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
fn skipping_pair(ws: &SimWinsock) -> Result<(Socket, Socket, CompletionPort), WsaError> {
    let (c, s) = common::pair(ws)?;
    let port = skipping_port(ws, s, 5)?;
    Ok((c, s, port))
}

#[test]
fn cp_10_skip_on_success_immediate_receive_queues_nothing() {
    // Proves: with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS a WSARecv that succeeds at once queues
    // no packet; its result (with the data) is in WSAGetOverlappedResult.
    run(|ws| {
        let (c, s, port) = skipping_pair(ws)?;
        ws.send(c, b"abc", 0)?;
        ws.sleep(SETTLE_MS);
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Ok(3)
        );
        no_packet(ws, port, "immediate receive");
        let d = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 3));
        assert_eq!(&d.bufs[0][..3], b"abc");
        Ok(())
    });
}

#[test]
fn cp_10_skip_on_success_immediate_send_queues_nothing() {
    // Proves: with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS a WSASend that succeeds at once queues
    // no packet; its result is in WSAGetOverlappedResult.
    run(|ws| {
        let (c, s, port) = skipping_pair(ws)?;
        let ov = Overlapped::new(2);
        assert_eq!(
            ws.wsa_send_overlapped(s, vec![b"pong".to_vec()], 0, ov, None),
            Ok(4)
        );
        no_packet(ws, port, "immediate send");
        let d = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 4));
        assert_eq!(common::recv_exact(ws, c, 4)?, b"pong");
        Ok(())
    });
}

#[test]
fn cp_10_skip_on_success_pending_receive_still_queues() {
    // Proves: with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS a WSARecv that pended still queues its
    // packet when it completes.
    run(|ws| {
        let (c, s, port) = skipping_pair(ws)?;
        let ov = Overlapped::new(3);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"later", 0)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(fields(&p), (None, 5, 5, Some(ov)));
        assert_eq!(&p.bufs[0][..5], b"later");
        no_packet(ws, port, "one packet");
        Ok(())
    });
}

#[test]
fn cp_10_skip_on_success_connect_ex_still_queues() {
    // Proves: with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS a ConnectEx that returned
    // ERROR_IO_PENDING still queues its packet: success (0 bytes, key 0) and refusal
    // (ERROR_CONNECTION_REFUSED, 0 bytes).
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let port = ws.create_io_completion_port(0)?;
        let x = bound_tcp(ws)?;
        ws.associate_completion_port(x, port, 0)?;
        ws.set_file_completion_notification_modes(x, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.connect_ex(x, &addr, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(fields(&p), (None, 0, 0, Some(ov)));
        let (s, _) = ws.accept(l)?;
        ws.closesocket(s)?;

        let (l2, refused) = common::listener(ws, 1)?;
        ws.closesocket(l2)?;
        let y = bound_tcp(ws)?;
        ws.associate_completion_port(y, port, 0)?;
        ws.set_file_completion_notification_modes(y, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)?;
        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.connect_ex(y, &refused, Vec::new(), ov2),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, 10_000)?;
        assert_eq!(
            fields(&p),
            (Some(WsaError::ERROR_CONNECTION_REFUSED), 0, 0, Some(ov2))
        );
        Ok(())
    });
}
