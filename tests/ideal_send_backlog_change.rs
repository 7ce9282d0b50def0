//! SIO_IDEAL_SEND_BACKLOG_CHANGE: the notification a high-throughput sender posts beside
//! SIO_IDEAL_SEND_BACKLOG_QUERY, re-querying when it completes (Microsoft's pattern for
//! keeping the ideal amount of data in flight). The sim's ideal send backlog never changes,
//! so the request pends through any traffic, and ends as its documentation lists: with
//! WSA_OPERATION_ABORTED (overlapped) or WSAEINTR (blocking) when the sending side closes
//! gracefully (shutdown SD_SEND, DisconnectEx), the connection is reset, a newer request is
//! made (one pends at a time), it is cancelled or the socket closed. It "does not support
//! non-blocking mode": without OVERLAPPED it blocks on a nonblocking socket too. A stream
//! socket (WSAEOPNOTSUPP), no output buffer (WSAEINVAL), connected (WSAENOTCONN), all
//! checked before anything pends.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn change(ws: &SimWinsock, s: Socket, ov: Overlapped) -> Result<usize, WsaError> {
    ws.wsa_ioctl_overlapped(s, SIO_IDEAL_SEND_BACKLOG_CHANGE, &[], Vec::new(), ov, None)
}

#[test]
fn pends_through_traffic_until_cancelled_or_closed() {
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(change(ws, c, ov), Err(WsaError::WSA_IO_PENDING));
        // Data both ways, the query unchanged: the request still pends.
        for _ in 0..10 {
            ws.send(c, &[7u8; 4000], 0)?;
            common::recv_exact(ws, s, 4000)?;
            ws.send(s, b"ack", 0)?;
            common::recv_exact(ws, c, 3)?;
        }
        let mut isb = [0u8; 4];
        assert_eq!(
            ws.wsa_ioctl(c, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut isb),
            Ok(4)
        );
        assert_eq!(ws.wait_for_single_object(ev.into(), 1_000)?, WAIT_TIMEOUT);
        assert_eq!(
            ws.wsa_get_overlapped_result(c, &ov, false),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        // CancelIoEx ends it.
        ws.cancel_io_ex(c, Some(&ov))?;
        let done = ws.wsa_get_overlapped_result(c, &ov, true)?;
        assert_eq!(done.error, Some(WsaError::WSA_OPERATION_ABORTED));

        // On a completion port: no packet while it pends, the abort's packet on close.
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 5)?;
        assert_eq!(
            change(ws, s, Overlapped::new(2)),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.get_queued_completion_status(port, 100).map(|p| p.key),
            Err(WsaError::WAIT_TIMEOUT)
        );
        ws.closesocket(s)?;
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(
            (p.key, p.error, p.overlapped.map(|o| o.id)),
            (5, Some(WsaError::WSA_OPERATION_ABORTED), Some(2))
        );
        ws.wsa_close_event(ev)?;
        ws.closesocket(c)
    });
}

#[test]
fn without_overlapped_it_blocks_even_nonblocking_until_closed_or_shut() {
    // Proves: on a nonblocking socket the call still blocks; another thread's closesocket
    // ends it with WSAEINTR, and so does a shutdown(SD_SEND) of its connection; the peer's
    // FIN does not.
    common::run(|ws| {
        for end in ["close", "shutdown"] {
            let (c, s) = common::pair(ws)?;
            ws.set_nonblocking(s, true)?;
            let waiter = ws.create_thread("waiter", move |ws| {
                assert_eq!(
                    ws.wsa_ioctl(s, SIO_IDEAL_SEND_BACKLOG_CHANGE, &[], &mut []),
                    Err(WsaError::WSAEINTR)
                );
                Ok(())
            })?;
            ws.sleep(100);
            ws.shutdown(c, SD_SEND)?; // the peer's FIN: still waiting
            ws.sleep(100);
            assert_eq!(ws.wait_for_thread(waiter, 0), Err(WsaError::WAIT_TIMEOUT));
            if end == "close" {
                ws.closesocket(s)?;
            } else {
                ws.shutdown(s, SD_SEND)?;
            }
            ws.wait_for_thread(waiter, INFINITE)?;
            if end == "shutdown" {
                ws.closesocket(s)?;
            }
            ws.closesocket(c)?;
        }
        Ok(())
    });
}

#[test]
fn what_ends_a_pending_request() {
    // Proves: a newer request ends the pending one (WSA_OPERATION_ABORTED) and pends in its
    // place; shutdown(SD_SEND) and DisconnectEx end one, as the peer's reset does; the peer's
    // FIN and traffic do not.
    common::run(|ws| {
        let aborted = |s: Socket, ov: &Overlapped| -> Result<(), WsaError> {
            let done = ws.wsa_get_overlapped_result(s, ov, false)?;
            assert_eq!(done.error, Some(WsaError::WSA_OPERATION_ABORTED));
            Ok(())
        };
        let (c, s) = common::pair(ws)?;
        let (a, b) = (Overlapped::new(1), Overlapped::new(2));
        assert_eq!(change(ws, s, a), Err(WsaError::WSA_IO_PENDING));
        assert_eq!(change(ws, s, b), Err(WsaError::WSA_IO_PENDING));
        aborted(s, &a)?;
        ws.shutdown(c, SD_SEND)?;
        ws.sleep(50);
        assert_eq!(
            ws.wsa_get_overlapped_result(s, &b, false),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        ws.shutdown(s, SD_SEND)?;
        aborted(s, &b)?;
        ws.closesocket(c)?;
        ws.closesocket(s)?;

        let (c, s) = common::pair(ws)?;
        let d = Overlapped::new(3);
        assert_eq!(change(ws, s, d), Err(WsaError::WSA_IO_PENDING));
        let disc = Overlapped::new(4);
        let r = ws.disconnect_ex(s, Some(disc), 0);
        assert!(matches!(r, Ok(()) | Err(WsaError::WSA_IO_PENDING)), "{r:?}");
        aborted(s, &d)?;
        ws.closesocket(c)?;
        ws.closesocket(s)?;

        let (c, s) = common::pair(ws)?;
        let e = Overlapped::new(5);
        assert_eq!(change(ws, s, e), Err(WsaError::WSA_IO_PENDING));
        common::rst_close(ws, c)?;
        ws.sleep(50);
        aborted(s, &e)?;
        ws.closesocket(s)
    });
}

#[test]
fn only_a_connected_stream_socket() {
    // Proves: as the query, a UDP socket is WSAEOPNOTSUPP and an unconnected TCP socket
    // WSAENOTCONN, for the overlapped form too, which then pends nothing (no packet, the
    // OVERLAPPED free for the next call); an output buffer is WSAEINVAL.
    common::run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let t = common::tcp(ws)?;
        for (s, e) in [(u, WsaError::WSAEOPNOTSUPP), (t, WsaError::WSAENOTCONN)] {
            ws.associate_completion_port(s, port, 1)?;
            assert_eq!(
                ws.wsa_ioctl(s, SIO_IDEAL_SEND_BACKLOG_CHANGE, &[], &mut []),
                Err(e)
            );
            assert_eq!(change(ws, s, Overlapped::new(3)), Err(e));
            assert_eq!(
                ws.get_queued_completion_status(port, 0).map(|p| p.key),
                Err(WsaError::WAIT_TIMEOUT)
            );
            ws.closesocket(s)?;
        }
        let (c, s) = common::pair(ws)?;
        assert_eq!(
            change(ws, c, Overlapped::new(3)),
            Err(WsaError::WSA_IO_PENDING)
        );
        for s in [c, s] {
            ws.closesocket(s)?;
        }
        Ok(())
    });
}
