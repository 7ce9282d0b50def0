//! AcceptEx and ConnectEx: conformance rules OV-03 (closing or cancelling around a pending
//! AcceptEx), OV-10 (AcceptEx completion), OV-11 (AcceptEx argument errors), OV-12 (ConnectEx),
//! and SO_UPDATE_ACCEPT_CONTEXT's arguments. Helpers shared with the other overlapped tests
//! are in `common/overlapped.rs`.
//!
//! Not expressible through the API (not tested):
//! - OV-11: NULL buffer, NULL OVERLAPPED, address lengths (0, 3, sizeof+4); OV-12: NULL
//!   OVERLAPPED. The API has no lengths or null pointers.
//!
//! Elsewhere: OV-10's WSAAccept with CF_DEFER in `tests/extension_functions.rs` and the
//! conformance suite's EXT-wsaaccept; the Internal values (STATUS_PENDING after a synchronous
//! failure) in `tests/sockc_test_acceptex.rs` and `tests/sockc_test_connecting_socket.rs`.
//! GetAcceptExSockaddrs and SO_UPDATE_ACCEPT_CONTEXT are tested here.
//! - OV-03 (closing the listener): WSAGetOverlappedResult on the closed listener handle
//!   (it is WSAENOTSOCK); the result is read from the event and a completion packet instead.
mod common;

use common::overlapped::{
    bound_tcp, closed_port, failed_packet, pending_accept, quiet, run, signalled, WAIT_MS,
};
use common::tcp;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// Connects a new client to `addr` and waits until the pending AcceptEx's event `ev` is set.
fn connect_client(ws: &SimWinsock, addr: &SockAddr, ev: WsaEvent) -> Result<Socket, WsaError> {
    let c = tcp(ws)?;
    ws.connect(c, addr)?;
    signalled(ws, ev, "client connected")?;
    Ok(c)
}

#[test]
fn ov_03_closing_accept_socket_aborts_accept_ex() {
    // Proves: closesocket(accept socket) ends a pending AcceptEx with WSA_OPERATION_ABORTED.
    run(|ws| {
        let (l, _addr, a, ov, ev) = pending_accept(ws, 0)?;
        ws.closesocket(a)?;
        signalled(ws, ev, "accept socket closed")?;
        let done = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!(done.error, Some(WsaError::WSA_OPERATION_ABORTED));
        assert_eq!(done.bytes, 0);
        assert_eq!(ws.wsa_get_last_error(), 995);
        Ok(())
    });
}

#[test]
fn ov_03_closing_listener_aborts_accept_ex() {
    // Proves: closesocket(listener) ends a pending AcceptEx with ERROR_OPERATION_ABORTED
    // (event signalled, failed packet with the listener's key).
    run(|ws| {
        let (l, _addr, _a, ov, ev) = pending_accept(ws, 0)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(l, port, 9)?;
        ws.closesocket(l)?;
        signalled(ws, ev, "listener closed")?;
        failed_packet(ws, port, WsaError::WSA_OPERATION_ABORTED, 9, ov, 995)?;
        Ok(())
    });
}

#[test]
fn ov_03_cancel_io_ex_on_accept_socket_does_not_cancel() {
    // Proves: CancelIoEx(accept socket) finds nothing (ERROR_NOT_FOUND) and leaves the AcceptEx
    // pending; it still completes when a client connects.
    run(|ws| {
        let (l, addr, a, ov, ev) = pending_accept(ws, 0)?;
        assert_eq!(
            ws.cancel_io_ex(a, None),
            Err(WsaError::ERROR_NOT_FOUND),
            "no I/O is issued on the accept socket"
        );
        quiet(ws, ev, "after CancelIoEx(accept socket)")?;
        assert_eq!(
            ws.wsa_get_overlapped_result(l, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        let c = connect_client(ws, &addr, ev)?;
        let done = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 0));
        common::update_accept_context(ws, a, l)?;
        assert_eq!(ws.getpeername(a)?, ws.getsockname(c)?);
        Ok(())
    });
}

#[test]
fn ov_03_cancel_io_ex_on_listener_cancels() {
    // Proves: CancelIoEx(listener) cancels the pending AcceptEx (WSA_OPERATION_ABORTED); the
    // listener keeps listening.
    run(|ws| {
        let (l, addr, _a, ov, ev) = pending_accept(ws, 0)?;
        ws.cancel_io_ex(l, None)?;
        signalled(ws, ev, "cancelled")?;
        let done = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!(done.error, Some(WsaError::WSA_OPERATION_ABORTED));
        assert_eq!(done.bytes, 0);
        assert_eq!(
            ws.cancel_io_ex(l, None),
            Err(WsaError::ERROR_NOT_FOUND),
            "nothing left to cancel"
        );
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        let (s, peer) = ws.accept(l)?;
        assert_eq!(peer, ws.getsockname(c)?);
        ws.closesocket(s)?;
        Ok(())
    });
}

#[test]
fn ov_10_accept_ex_zero_buffer_completes_on_connect() {
    // Proves: AcceptEx with no receive buffer pends, completes with 0 bytes when a client
    // connects, and the accept socket is then the connection: getsockname, getpeername and
    // shutdown give WSAENOTCONN until SO_UPDATE_ACCEPT_CONTEXT, then work.
    run(|ws| {
        let (l, addr, a, ov, ev) = pending_accept(ws, 0)?;
        assert_eq!(
            ws.wsa_get_overlapped_result(l, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        let c = connect_client(ws, &addr, ev)?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 0));
        // GetAcceptExSockaddrs reads the addresses from AcceptEx's result at once...
        assert_eq!(ws.get_accept_ex_sockaddrs(a)?, (addr, ws.getsockname(c)?));
        // ...but before SO_UPDATE_ACCEPT_CONTEXT the accept socket has no context (OV-10).
        assert_eq!(ws.getsockname(a), Err(WsaError::WSAENOTCONN));
        assert_eq!(ws.getpeername(a), Err(WsaError::WSAENOTCONN));
        assert_eq!(ws.shutdown(a, SD_SEND), Err(WsaError::WSAENOTCONN));
        common::update_accept_context(ws, a, l)?;
        assert_eq!(ws.getsockname(a)?, addr, "getsockname(accept socket)");
        assert_eq!(ws.getpeername(a)?, ws.getsockname(c)?, "getpeername");
        ws.send(c, b"hi", 0)?;
        assert_eq!(common::recv_exact(ws, a, 2)?, b"hi");
        Ok(())
    });
}

#[test]
fn ov_10_accept_ex_with_buffer_waits_for_first_data() {
    // Proves: AcceptEx with a 2-byte receive buffer does not complete on connect, but when the
    // first data arrives: 1 byte, which is in the returned buffer.
    run(|ws| {
        let (l, addr, a, ov, ev) = pending_accept(ws, 2)?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        quiet(ws, ev, "connected, no data yet")?;
        assert_eq!(
            ws.wsa_get_overlapped_result(l, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        ws.send(c, b"Z", 0)?;
        signalled(ws, ev, "first data")?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 1));
        assert_eq!(d.bufs.len(), 1);
        assert_eq!(d.bufs[0][0], b'Z');
        common::update_accept_context(ws, a, l)?;
        assert_eq!(ws.getpeername(a)?, ws.getsockname(c)?);
        Ok(())
    });
}

#[test]
fn ov_10_accept_ex_client_closes_before_sending() {
    // Proves: if the client disconnects before sending, AcceptEx with a receive buffer
    // completes successfully with 0 bytes.
    run(|ws| {
        let (l, addr, _a, ov, ev) = pending_accept(ws, 2)?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        ws.closesocket(c)?;
        signalled(ws, ev, "client closed")?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 0));
        Ok(())
    });
}

#[test]
fn ov_11_accept_ex_argument_errors() {
    // Proves: AcceptEx rejects at once an invalid listen or accept socket (WSAENOTSOCK), a
    // listener not listening, an accept socket already in a pending AcceptEx, bound or
    // connected (WSAEINVAL); the pending AcceptEx is undisturbed.
    run(|ws| {
        let (l, addr, a, ov, ev) = pending_accept(ws, 0)?;
        let fresh = tcp(ws)?;
        assert_eq!(
            ws.accept_ex(Socket::INVALID, fresh, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAENOTSOCK),
            "invalid listen socket"
        );
        assert_eq!(
            ws.accept_ex(l, Socket::INVALID, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAENOTSOCK),
            "invalid accept socket"
        );
        let gone = tcp(ws)?;
        ws.closesocket(gone)?;
        assert_eq!(
            ws.accept_ex(l, gone, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAENOTSOCK),
            "closed accept socket"
        );
        let not_listening = bound_tcp(ws)?;
        assert_eq!(
            ws.accept_ex(not_listening, fresh, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAEINVAL),
            "listener not listening"
        );
        assert_eq!(
            ws.accept_ex(l, a, Vec::new(), Overlapped::new(2)),
            Err(WsaError::WSAEINVAL),
            "accept socket already in a pending AcceptEx"
        );
        let bound = bound_tcp(ws)?;
        assert_eq!(
            ws.accept_ex(l, bound, Vec::new(), Overlapped::new(3)),
            Err(WsaError::WSAEINVAL),
            "bound accept socket"
        );
        let (pc, ps) = common::pair(ws)?;
        assert_eq!(
            ws.accept_ex(l, pc, Vec::new(), Overlapped::new(4)),
            Err(WsaError::WSAEINVAL),
            "connected accept socket"
        );
        assert_eq!(
            ws.accept_ex(l, ps, Vec::new(), Overlapped::new(5)),
            Err(WsaError::WSAEINVAL),
            "accepted socket as accept socket"
        );
        quiet(ws, ev, "the pending AcceptEx is untouched")?;
        let c = connect_client(ws, &addr, ev)?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 0));
        common::update_accept_context(ws, a, l)?;
        assert_eq!(ws.getpeername(a)?, ws.getsockname(c)?);
        Ok(())
    });
}

#[test]
fn ov_11_udp_accept_socket_rejected() {
    // Proves: a UDP socket as AcceptEx's accept socket is rejected with WSAEINVAL.
    run(|ws| {
        let (l, _addr) = common::listener(ws, 5)?;
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(
            ws.accept_ex(l, u, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAEINVAL)
        );
        Ok(())
    });
}

#[test]
fn ov_12_connect_ex_argument_errors() {
    // Proves: ConnectEx on an unbound socket fails with WSAEINVAL, on INVALID_SOCKET with
    // WSAENOTSOCK.
    run(|ws| {
        let (_l, addr) = common::listener(ws, 5)?;
        let s = tcp(ws)?;
        assert_eq!(
            ws.connect_ex(s, &addr, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAEINVAL),
            "unbound"
        );
        assert_eq!(
            ws.connect_ex(Socket::INVALID, &addr, Vec::new(), Overlapped::new(2)),
            Err(WsaError::WSAENOTSOCK),
            "INVALID_SOCKET"
        );
        Ok(())
    });
}

#[test]
fn ov_12_connect_ex_sends_its_buffer() {
    // Proves: ConnectEx with a 3-byte send buffer pends, completes with 3 bytes, and the peer
    // receives them.
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let c = bound_tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.connect_ex(c, &addr, b"abc".to_vec(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        signalled(ws, ev, "connected")?;
        let d = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 3));
        let (s, peer) = ws.accept(l)?;
        assert_eq!(peer, ws.getsockname(c)?);
        assert_eq!(ws.getpeername(c)?, addr);
        assert_eq!(common::recv_exact(ws, s, 3)?, b"abc");
        Ok(())
    });
}

#[test]
fn ov_12_connect_ex_send_buffer_via_port() {
    // Proves: through a completion port the ConnectEx packet carries the 3 bytes sent, the key
    // and the OVERLAPPED.
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let c = bound_tcp(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 31)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.connect_ex(c, &addr, b"xyz".to_vec(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (None, 3, 31, Some(ov))
        );
        let (s, _) = ws.accept(l)?;
        assert_eq!(common::recv_exact(ws, s, 3)?, b"xyz");
        Ok(())
    });
}

#[test]
fn ov_12_connect_ex_refused() {
    // Proves: a refused ConnectEx completes with WSAECONNREFUSED from WSAGetOverlappedResult
    // and ERROR_CONNECTION_REFUSED in a completion packet.
    run(|ws| {
        let addr = closed_port(ws)?;
        let c = bound_tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.connect_ex(c, &addr, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 10_000, false)?,
            WSA_WAIT_EVENT_0
        );
        let d = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((d.error, d.bytes), (Some(WsaError::WSAECONNREFUSED), 0));
        assert_eq!(ws.wsa_get_last_error(), 10061);

        let c2 = bound_tcp(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c2, port, 4)?;
        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.connect_ex(c2, &addr, Vec::new(), ov2),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, 10_000)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (Some(WsaError::ERROR_CONNECTION_REFUSED), 0, 4, Some(ov2))
        );
        assert_eq!(ws.wsa_get_last_error(), 1225);
        Ok(())
    });
}

#[test]
fn so_update_accept_context_arguments() {
    // Proves: SO_UPDATE_ACCEPT_CONTEXT needs a SOCKET-sized optval (WSAEFAULT), a socket
    // (WSAENOTSOCK) that is listening (WSAEINVAL); it cannot be read (WSAENOPROTOOPT);
    // SO_UPDATE_CONNECT_CONTEXT is accepted with no value.
    run(|ws| {
        let (l, addr, a, _ov, ev) = pending_accept(ws, 0)?;
        let c = connect_client(ws, &addr, ev)?;
        let opt = |v: &[u8]| ws.setsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, v);
        assert_eq!(opt(&l.raw().to_le_bytes()[..3]), Err(WsaError::WSAEFAULT));
        assert_eq!(
            opt(&0xdead_beefusize.to_le_bytes()),
            Err(WsaError::WSAENOTSOCK)
        );
        assert_eq!(opt(&c.raw().to_le_bytes()), Err(WsaError::WSAEINVAL));
        let mut out = [0u8; 8];
        assert_eq!(
            ws.getsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, &mut out),
            Err(WsaError::WSAENOPROTOOPT)
        );
        opt(&l.raw().to_le_bytes())?;
        ws.getpeername(a)?;
        ws.setsockopt(c, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, &[])?;
        Ok(())
    });
}
