//! DisconnectEx: ER-11 (DisconnectEx's errors and its effect on the peer), CP-08 (its
//! completion packets) and TF_REUSE_SOCKET (a disconnected socket used again for ConnectEx and
//! AcceptEx). Helpers in `common/overlapped.rs`.
mod common;

use common::overlapped::{run, WAIT_MS};
use common::tcp;

use winsock_sim::prelude::*;

#[test]
fn er_11_disconnect_ex() {
    // Proves: DisconnectEx on an unconnected socket → WSAENOTCONN; on a connected one with an
    // OVERLAPPED it pends and completes with 0 bytes; without one it succeeds at once (twice);
    // afterwards send → WSAESHUTDOWN, connect → WSAEISCONN, the peer reads 0 but can still send
    // and this side receives it (half close); getpeername/getsockname still work.
    common::run(|ws| {
        let fresh = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.disconnect_ex(fresh, None, 0), Err(WsaError::WSAENOTCONN));
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.disconnect_ex(c, Some(ov), 0),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?,
            0
        );
        let done = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 0));
        assert_eq!(ws.send(c, b"x", 0), Err(WsaError::WSAESHUTDOWN));
        let peer = ws.getpeername(c)?;
        assert_eq!(ws.connect(c, &peer), Err(WsaError::WSAEISCONN));
        ws.getsockname(c)?;
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        ws.send(s, b"back", 0)?;
        assert_eq!(common::recv_exact(ws, c, 4)?, b"back");

        let (c2, _s2) = common::pair(ws)?;
        ws.disconnect_ex(c2, None, 0)?;
        ws.disconnect_ex(c2, None, 0)?;
        Ok(())
    });
}

#[test]
fn cp_08_disconnect_ex_packets() {
    // Proves: DisconnectEx with an OVERLAPPED on an associated socket queues one packet
    // (success, 0 bytes, the socket's key); without an OVERLAPPED it queues none.
    common::run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        let (c, _s) = common::pair(ws)?;
        ws.associate_completion_port(c, port, 77)?;
        assert_eq!(
            ws.disconnect_ex(c, Some(Overlapped::new(5)), 0),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, 1000)?;
        assert_eq!(
            (p.key, p.bytes, p.error, p.overlapped.map(|o| o.id)),
            (77, 0, None, Some(5))
        );
        let (c2, _s2) = common::pair(ws)?;
        ws.associate_completion_port(c2, port, 78)?;
        ws.disconnect_ex(c2, None, 0)?;
        assert_eq!(
            ws.get_queued_completion_status(port, 200),
            Err(WsaError::WAIT_TIMEOUT)
        );
        Ok(())
    });
}

#[test]
fn disconnect_ex_reuse_socket_for_connect_ex_and_accept_ex() {
    // Proves: DisconnectEx(TF_REUSE_SOCKET) leaves the same handle as a fresh unbound socket,
    // still associated with its completion port: it can be bound and used by ConnectEx again
    // (packets keep their key), or given to AcceptEx as an accept socket; the old connection
    // still closes gracefully for the peer.
    run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        let (l, addr) = common::listener(ws, 5)?;
        let c = tcp(ws)?;
        ws.bind(c, &SockAddr::v4([127, 0, 0, 1], 0))?;
        ws.associate_completion_port(c, port, 9)?;
        assert_eq!(
            ws.connect_ex(c, &addr, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.get_queued_completion_status(port, WAIT_MS)?
                .overlapped
                .map(|o| o.id),
            Some(1)
        );
        let (s1, _) = ws.accept(l)?;
        assert_eq!(
            ws.disconnect_ex(c, Some(Overlapped::new(2)), TF_REUSE_SOCKET),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(
            (p.key, p.overlapped.map(|o| o.id), p.error),
            (9, Some(2), None)
        );
        let mut b = [0u8; 1];
        assert_eq!(
            ws.recv(s1, &mut b, 0)?,
            0,
            "the old connection closed gracefully"
        );
        // The same handle, fresh: unbound, not connected.
        assert_eq!(ws.getsockname(c), Err(WsaError::WSAEINVAL));
        assert_eq!(ws.getpeername(c), Err(WsaError::WSAENOTCONN));
        ws.bind(c, &SockAddr::v4([127, 0, 0, 1], 0))?;
        assert_eq!(
            ws.connect_ex(c, &addr, b"again".to_vec(), Overlapped::new(3)),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(
            (p.key, p.overlapped.map(|o| o.id), p.bytes),
            (9, Some(3), 5)
        );
        let (s2, _) = ws.accept(l)?;
        assert_eq!(common::recv_exact(ws, s2, 5)?, b"again");

        // Synchronous reuse, then the handle serves as an AcceptEx accept socket.
        ws.disconnect_ex(c, None, TF_REUSE_SOCKET)?;
        assert_eq!(ws.getpeername(c), Err(WsaError::WSAENOTCONN));
        let ov4 = Overlapped::new(4);
        assert_eq!(
            ws.accept_ex(l, c, Vec::new(), ov4),
            Err(WsaError::WSA_IO_PENDING)
        );
        let d = tcp(ws)?;
        ws.connect(d, &addr)?;
        assert_eq!(ws.wsa_get_overlapped_result(l, &ov4, true)?.error, None);
        common::update_accept_context(ws, c, l)?;
        assert_eq!(ws.getpeername(c)?, ws.getsockname(d)?);
        Ok(())
    });
}
