//! Quick sanity of overlapped I/O and completion ports (the catalogue rules are in
//! overlapped.rs, its sibling files named in its header, and iocp.rs).
mod common;

/// These sanity checks count bytes per event: one send, one segment.
fn whole_segments() -> winsock_sim::sim::SimBuilder {
    winsock_sim::sim::Sim::builder()
        .seed(common::seed())
        .segmentation(winsock_sim::sim::Segmentation::Mss)
}
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use winsock_sim::prelude::*;

#[test]
fn overlapped_recv_with_event_completes_later() {
    common::run_with(whole_segments(), |ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(7, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 2], vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_get_overlapped_result(s, &ov, false),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        ws.send(c, b"hello", 0)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?,
            0
        );
        let done = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!(done.bytes, 5);
        assert_eq!(done.bufs, vec![b"he".to_vec(), b"llo\0\0\0\0\0".to_vec()]);
        Ok(())
    });
}

#[test]
fn completion_routine_runs_in_alertable_sleep() {
    common::run_with(whole_segments(), |ws| {
        let (c, s) = common::pair(ws)?;
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let ov = Overlapped::new(1);
        let r = ws.wsa_recv_overlapped(
            s,
            vec![vec![0; 16]],
            0,
            ov,
            Some(Box::new(move |_ws, done: IoCompletion| {
                assert_eq!(done.bytes, 3);
                assert_eq!(&done.bufs[0][..3], b"abc");
                seen.fetch_add(1, Ordering::SeqCst);
            })),
        );
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        ws.send(c, b"abc", 0)?;
        ws.sleep(100); // not alertable: the routine must not run
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(ws.sleep_ex(1000, true), WAIT_IO_COMPLETION);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn iocp_packet_for_pending_and_immediate_recv() {
    common::run_with(whole_segments(), |ws| {
        let (c, s) = common::pair(ws)?;
        // Back-to-back small sends: without TCP_NODELAY Nagle would hold "z" until the
        // peer's delayed ACK of "xy" (200 ms), as Windows does.
        ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 125)?;
        let ov = Overlapped::new(9);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.get_queued_completion_status(port, 100),
            Err(WsaError::WAIT_TIMEOUT)
        );
        ws.send(c, b"xy", 0)?;
        let p = ws.get_queued_completion_status(port, 1000)?;
        assert_eq!(
            (p.bytes, p.key, p.overlapped, p.error),
            (2, 125, Some(ov), None)
        );
        assert_eq!(&p.bufs[0][..2], b"xy");
        ws.send(c, b"z", 0)?;
        ws.sleep(10);
        // Data already there: completes at once and still queues a packet (OV-06).
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, ov, None),
            Ok(1)
        );
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(p.bytes, 1);
        // A reset fails the pending receive with ERROR_NETNAME_DELETED (OV-01).
        ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, ov, None)
            .unwrap_err();
        common::rst_close(ws, c)?;
        let p = ws.get_queued_completion_status(port, 1000)?;
        assert_eq!(p.error, Some(WsaError::ERROR_NETNAME_DELETED));
        assert_eq!(ws.wsa_get_last_error(), 64);
        Ok(())
    });
}

#[test]
fn accept_ex_and_connect_ex_complete_on_the_port() {
    common::run_with(whole_segments(), |ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(l, port, 1)?;
        let a = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(
            ws.accept_ex(l, a, Vec::new(), Overlapped::new(100)),
            Err(WsaError::WSA_IO_PENDING)
        );
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(c, &SockAddr::v4([127, 0, 0, 1], 0))?;
        ws.associate_completion_port(c, port, 2)?;
        assert_eq!(
            ws.connect_ex(c, &addr, b"hi".to_vec(), Overlapped::new(200)),
            Err(WsaError::WSA_IO_PENDING)
        );
        let mut keys = vec![];
        for _ in 0..2 {
            let p = ws.get_queued_completion_status(port, 1000)?;
            keys.push((p.key, p.overlapped.unwrap().id, p.bytes));
        }
        keys.sort();
        assert_eq!(keys, vec![(1, 100, 0), (2, 200, 2)]);
        assert_eq!(common::recv_exact(ws, a, 2)?, b"hi");
        common::update_accept_context(ws, a, l)?;
        assert_eq!(ws.getpeername(a)?, ws.getsockname(c)?);
        Ok(())
    });
}

#[test]
fn overlapped_send_flags() {
    // Proves: an overlapped WSASend with MSG_OOB sends urgent data (the peer sees SIOCATMARK
    // false and reads it with MSG_OOB); an overlapped WSARecv with MSG_PEEK is accepted (as
    // Windows accepts it; libuv's zero-byte reads rely on it) and leaves the data queued,
    // both when the data is already there and when the peek pends; a flag the sim does not
    // model for overlapped receives (MSG_OOB) is refused with WSAEOPNOTSUPP (MSG_WAITALL:
    // tests/overlapped_waitall.rs).
    common::run_with(whole_segments(), |ws| {
        let (c, s) = common::pair(ws)?;
        // Back-to-back small sends: without TCP_NODELAY Nagle would hold "peek" until the
        // peer's delayed ACK of "!" (200 ms), as Windows does.
        ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
        assert_eq!(
            ws.wsa_send_overlapped(
                c,
                vec![b"!".to_vec()],
                MSG_OOB as u32,
                Overlapped::new(1),
                None
            )?,
            1
        );
        ws.sleep(10);
        let mut mark = 1;
        ws.ioctlsocket(s, SIOCATMARK, &mut mark)?;
        assert_eq!(mark, 0);
        let mut b = [0u8; 1];
        assert_eq!(ws.recv(s, &mut b, MSG_OOB)?, 1);
        assert_eq!(&b, b"!");

        // Data already queued: the peek completes at once, twice, and the data stays.
        ws.send(c, b"peek", 0)?;
        ws.sleep(10);
        for id in [2, 3] {
            let ov = Overlapped::new(id);
            assert_eq!(
                ws.wsa_recv_overlapped(s, vec![vec![0; 2], vec![0; 8]], MSG_PEEK as u32, ov, None),
                Ok(4)
            );
            let done = ws.wsa_get_overlapped_result(s, &ov, false)?;
            assert_eq!(done.bytes, 4);
            assert_eq!(done.bufs, vec![b"pe".to_vec(), b"ek\0\0\0\0\0\0".to_vec()]);
        }
        let mut n = 0;
        ws.ioctlsocket(s, FIONREAD, &mut n)?;
        assert_eq!(n, 4, "peeked data stays queued");
        let mut four = [0u8; 4];
        assert_eq!(ws.recv(s, &mut four, 0)?, 4);
        assert_eq!(&four, b"peek");

        // A pending peek completes when data arrives; the data is still there afterwards.
        let ov = Overlapped::new(4);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], MSG_PEEK as u32, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"late", 0)?;
        let done = ws.wsa_get_overlapped_result(s, &ov, true)?;
        assert_eq!((done.error, done.bytes), (None, 4));
        assert_eq!(&done.bufs[0][..4], b"late");
        assert_eq!(ws.recv(s, &mut four, 0)?, 4);
        assert_eq!(&four, b"late");

        assert_eq!(
            ws.wsa_recv_overlapped(
                s,
                vec![vec![0; 4]],
                MSG_OOB as u32,
                Overlapped::new(5),
                None
            ),
            Err(WsaError::WSAEOPNOTSUPP)
        );
        Ok(())
    });
}
