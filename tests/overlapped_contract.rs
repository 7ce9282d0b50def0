//! The API contract of `api::overlapped` beyond the catalogue: WSARecv scatters and WSASend
//! gathers, an OVERLAPPED identity reused while pending is rejected,
//! WSAGetOverlappedResult(wait) blocks until completion, and the buffers moved into a call
//! come back exactly once. Helpers in `common/overlapped.rs`.
mod common;

use common::overlapped::{no_packet, recording_routine, run, SETTLE_MS, WAIT_MS};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

#[test]
fn wsarecv_scatters_and_wsasend_gathers() {
    // Proves: WSARecv fills its buffers in order (pending and immediate, overlapped or not) and
    // WSASend sends its buffers in order as one stream.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        // Back-to-back small sends: without TCP_NODELAY Nagle would hold the second until the
        // peer's delayed ACK of the first (200 ms), as Windows does.
        ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 2], vec![0; 3], vec![0; 4]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"abcdefg", 0)?;
        let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
        assert_eq!(d.bytes, 7);
        assert_eq!(
            d.bufs,
            vec![b"ab".to_vec(), b"cde".to_vec(), b"fg\0\0".to_vec()]
        );

        ws.send(c, b"123456789", 0)?;
        ws.sleep(SETTLE_MS);
        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 2], vec![0; 3], vec![0; 4]], 0, ov2, None),
            Ok(9)
        );
        let d = ws.wsa_get_overlapped_result(s, &ov2, false)?;
        assert_eq!(
            d.bufs,
            vec![b"12".to_vec(), b"345".to_vec(), b"6789".to_vec()]
        );

        let ov3 = Overlapped::new(3);
        assert_eq!(
            ws.wsa_send_overlapped(
                c,
                vec![b"he".to_vec(), b"llo".to_vec(), b" world".to_vec()],
                0,
                ov3,
                None
            ),
            Ok(11)
        );
        let d = ws.wsa_get_overlapped_result(c, &ov3, false)?;
        assert_eq!(d.bytes, 11);
        // A send's buffers come back as they were handed in, one or several.
        assert_eq!(
            d.bufs,
            vec![b"he".to_vec(), b"llo".to_vec(), b" world".to_vec()]
        );
        assert_eq!(common::recv_exact(ws, s, 11)?, b"hello world");
        let ov4 = Overlapped::new(4);
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"one".to_vec()], 0, ov4, None),
            Ok(3)
        );
        let d = ws.wsa_get_overlapped_result(c, &ov4, false)?;
        assert_eq!((d.bytes, d.bufs), (3, vec![b"one".to_vec()]));
        assert_eq!(common::recv_exact(ws, s, 3)?, b"one");

        assert_eq!(ws.wsa_send(c, &[b"ga", b"th", b"er"], 0)?, 6);
        ws.sleep(SETTLE_MS);
        let (mut x, mut y) = ([0u8; 1], [0u8; 8]);
        let (n, flags) = ws.wsa_recv(s, &mut [&mut x[..], &mut y[..]], 0)?;
        assert_eq!((n, flags), (6, 0));
        assert_eq!(&x, b"g");
        assert_eq!(&y[..5], b"ather");
        Ok(())
    });
}

#[test]
fn overlapped_id_reuse_while_pending_is_rejected() {
    // Proves: an OVERLAPPED id in use by a pending operation cannot start another (WSAEINVAL),
    // on the same or another socket of the host; the pending one is unaffected and the id is
    // free again once it has completed and been collected.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ov = Overlapped::new(5);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSAEINVAL),
            "same socket"
        );
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"zz".to_vec()], 0, ov, None),
            Err(WsaError::WSAEINVAL),
            "other socket, same host"
        );
        ws.sleep(SETTLE_MS);
        assert_eq!(
            ws.wsa_get_overlapped_result(s, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE),
            "the rejected send sent nothing"
        );
        ws.send(c, b"ok", 0)?;
        let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
        assert_eq!((d.error, d.bytes), (None, 2));
        assert_eq!(&d.bufs[0][..2], b"ok");
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"again".to_vec()], 0, ov, None),
            Ok(5),
            "id free again"
        );
        assert_eq!(common::recv_exact(ws, s, 5)?, b"again");
        Ok(())
    });
}

#[test]
fn get_overlapped_result_wait_blocks_until_completion() {
    // Proves: WSAGetOverlappedResult(fWait = TRUE) blocks until the operation completes (here
    // 100 ms of virtual time later), then returns its result.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        let t = ws.create_thread("late-sender", move |ws| {
            ws.sleep(100);
            ws.send(c, b"late", 0)?;
            Ok(())
        })?;
        let t0 = ws.get_tick_count();
        let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
        let waited = ws.get_tick_count().wrapping_sub(t0);
        assert!(waited >= 100, "returned after {waited} ms, before the data");
        assert!(waited < WAIT_MS, "returned after {waited} ms");
        assert_eq!((d.error, d.bytes), (None, 4));
        assert_eq!(&d.bufs[0][..4], b"late");
        ws.wait_for_thread(t, INFINITE)?;
        Ok(())
    });
}

#[test]
fn buffers_come_back_exactly_once() {
    // Proves: an operation's buffers come back through one channel only: the first
    // WSAGetOverlappedResult (not a second), the packet (not a later WSAGetOverlappedResult),
    // or the routine (not a later WSAGetOverlappedResult); the byte count stays available.
    run(|ws| {
        let (c, s) = common::pair(ws)?;

        // WSAGetOverlappedResult twice.
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"one", 0)?;
        let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
        assert_eq!((d.bytes, d.bufs.len()), (3, 1));
        let again = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!(again.bytes, 3);
        assert!(
            again.bufs.is_empty(),
            "second result: buffers already handed back"
        );

        // Completion routine, then WSAGetOverlappedResult.
        let calls = Arc::new(AtomicUsize::new(0));
        let got = Arc::new(Mutex::new(Vec::new()));
        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.wsa_recv_overlapped(
                s,
                vec![vec![0; 4]],
                0,
                ov2,
                Some(recording_routine(&calls, &got))
            ),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"two", 0)?;
        assert_eq!(ws.sleep_ex(WAIT_MS, true), WAIT_IO_COMPLETION);
        assert_eq!(
            got.lock().unwrap()[0].bufs.len(),
            1,
            "routine gets the buffers"
        );
        let after = ws.wsa_get_overlapped_result(s, &ov2, false)?;
        assert_eq!(after.bytes, 3);
        assert!(after.bufs.is_empty(), "routine already had the buffers");
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Completion packet, then WSAGetOverlappedResult.
        let (c2, s2) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s2, port, 1)?;
        let ov3 = Overlapped::new(3);
        assert_eq!(
            ws.wsa_recv_overlapped(s2, vec![vec![0; 4], vec![0; 4]], 0, ov3, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c2, b"three", 0)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!((p.bytes, p.bufs.len()), (5, 2));
        let after = ws.wsa_get_overlapped_result(s2, &ov3, false)?;
        assert_eq!(after.bytes, 5);
        assert!(after.bufs.is_empty(), "packet already had the buffers");
        no_packet(ws, port, "one packet");
        Ok(())
    });
}

#[test]
fn a_result_stays_readable_while_another_overlapped_is_reused() {
    // Proves: WSAGetOverlappedResult reports an operation's result again after thousands of
    // operations finished on another OVERLAPPED reused for each (Windows keeps a result in
    // its OVERLAPPED until the structure is reused). The sim bounds the results it keeps by
    // the number of OVERLAPPEDs holding one, so a reused one counts once.
    run(|ws| {
        let (c, _s) = common::pair(ws)?;
        let first = Overlapped::new(1);
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"first".to_vec()], 0, first, None),
            Ok(5)
        );
        assert_eq!(ws.wsa_get_overlapped_result(c, &first, false)?.bytes, 5);
        let reused = Overlapped::new(2);
        for _ in 0..5_000 {
            assert_eq!(
                ws.wsa_send_overlapped(c, vec![b"x".to_vec()], 0, reused, None),
                Ok(1)
            );
            assert_eq!(ws.wsa_get_overlapped_result(c, &reused, false)?.bytes, 1);
        }
        let again = ws.wsa_get_overlapped_result(c, &first, false)?;
        assert_eq!((again.bytes, again.error), (5, None));
        Ok(())
    });
}

#[test]
fn the_oldest_results_are_forgotten_beyond_the_bound() {
    // Proves: a program that never reuses an OVERLAPPED does not grow the sim without bound:
    // the 4,096 most recently finished results stay readable, an older one is forgotten
    // (WSAEINVAL: the sim no longer knows the OVERLAPPED).
    run(|ws| {
        let (c, _s) = common::pair(ws)?;
        for id in 0..4_097u64 {
            let ov = Overlapped::new(1_000 + id);
            assert_eq!(
                ws.wsa_send_overlapped(c, vec![b"y".to_vec()], 0, ov, None),
                Ok(1)
            );
            ws.wsa_get_overlapped_result(c, &ov, false)?;
        }
        assert_eq!(
            ws.wsa_get_overlapped_result(c, &Overlapped::new(1_000), false)
                .map(|d| d.bytes),
            Err(WsaError::WSAEINVAL)
        );
        for id in [1_001, 3_000, 5_096] {
            assert_eq!(
                ws.wsa_get_overlapped_result(c, &Overlapped::new(id), false)?
                    .bytes,
                1
            );
        }
        Ok(())
    });
}
