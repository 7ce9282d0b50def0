//! I/O completion ports' own calls (the API contract of `api::iocp`): PostQueuedCompletionStatus
//! packets, GetQueuedCompletionStatusEx (up to its maximum, alertable), closing a port that a
//! thread waits on, and associating a socket twice. The CP-* rules are in `iocp.rs`; helpers in
//! `common/overlapped.rs`.
mod common;

use common::overlapped::{fields, no_packet, run, WAIT_MS};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

#[test]
fn post_queued_completion_status_packets() {
    // Proves: posted packets come out in order with the bytes, key and OVERLAPPED (or none)
    // given, as successes.
    run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        ws.post_queued_completion_status(port, 42, 7, None)?;
        ws.post_queued_completion_status(port, 0, 8, Some(Overlapped::new(9)))?;
        ws.post_queued_completion_status(port, usize::MAX, usize::MAX, None)?;
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(fields(&p), (None, 42, 7, None));
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(fields(&p), (None, 0, 8, Some(Overlapped::new(9))));
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(fields(&p), (None, usize::MAX, usize::MAX, None));
        no_packet(ws, port, "three posted, three taken");
        Ok(())
    });
}

#[test]
fn get_queued_completion_status_ex_takes_up_to_max() {
    // Proves: GQCSEx returns up to `max` queued packets at once, in order, and WAIT_TIMEOUT
    // when the port is empty.
    run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        for k in 1..=5 {
            ws.post_queued_completion_status(port, k * 10, k, None)?;
        }
        let v = ws.get_queued_completion_status_ex(port, 3, 0, false)?;
        assert_eq!(
            v.iter().map(fields).collect::<Vec<_>>(),
            vec![
                (None, 10, 1, None),
                (None, 20, 2, None),
                (None, 30, 3, None)
            ]
        );
        let v = ws.get_queued_completion_status_ex(port, 10, 0, false)?;
        assert_eq!(
            v.iter().map(|p| p.key).collect::<Vec<_>>(),
            vec![4, 5],
            "only what is queued"
        );
        assert_eq!(
            ws.get_queued_completion_status_ex(port, 10, 50, false)
                .map(|v| v.len()),
            Err(WsaError::WAIT_TIMEOUT)
        );
        Ok(())
    });
}

#[test]
fn get_queued_completion_status_ex_into_fills_the_callers_array() {
    // Proves: the caller's-array form (lpCompletionPortEntries) empties the array, fills it
    // with up to `max` packets in order and returns their count (ulNumEntriesRemoved); a
    // timeout or a zero `max` (ERROR_INVALID_PARAMETER, nothing dequeued) leaves it empty;
    // one array serves call after call.
    run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        for k in 1..=5 {
            ws.post_queued_completion_status(port, k * 10, k, None)?;
        }
        let keys = |v: &[CompletionPacket]| v.iter().map(|p| p.key).collect::<Vec<_>>();
        let mut entries = Vec::new();
        assert_eq!(
            ws.get_queued_completion_status_ex_into(port, &mut entries, 3, 0, false),
            Ok(3)
        );
        assert_eq!(
            entries.iter().map(fields).collect::<Vec<_>>(),
            vec![
                (None, 10, 1, None),
                (None, 20, 2, None),
                (None, 30, 3, None)
            ]
        );
        assert_eq!(
            ws.get_queued_completion_status_ex_into(port, &mut entries, 10, 0, false),
            Ok(2)
        );
        assert_eq!(
            keys(&entries),
            vec![4, 5],
            "emptied, then only what is queued"
        );
        assert_eq!(
            ws.get_queued_completion_status_ex_into(port, &mut entries, 10, 50, false),
            Err(WsaError::WAIT_TIMEOUT)
        );
        assert!(entries.is_empty());
        ws.post_queued_completion_status(port, 60, 6, None)?;
        assert_eq!(
            ws.get_queued_completion_status_ex_into(port, &mut entries, 0, 0, false),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert!(entries.is_empty());
        assert_eq!(
            ws.get_queued_completion_status_ex_into(port, &mut entries, 1, 0, false),
            Ok(1)
        );
        assert_eq!(keys(&entries), vec![6], "the zero-max call took nothing");
        Ok(())
    });
}

#[test]
fn get_queued_completion_status_ex_alertable_runs_apcs() {
    // Proves: GQCSEx(fAlertable = TRUE) on an empty port runs a queued APC and returns
    // WAIT_IO_COMPLETION; non-alertable it does not run it and times out.
    run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        let count = Arc::new(AtomicUsize::new(0));
        let c2 = count.clone();
        ws.queue_user_apc(
            Box::new(move |_ws: &SimWinsock| {
                c2.fetch_add(1, Ordering::SeqCst);
            }),
            ws.thread_id(),
        )?;
        assert_eq!(
            ws.get_queued_completion_status_ex(port, 4, 10, false)
                .map(|v| v.len()),
            Err(WsaError::WAIT_TIMEOUT)
        );
        assert_eq!(
            ws.get_queued_completion_status(port, 10).map(|p| p.key),
            Err(WsaError::WAIT_TIMEOUT)
        );
        assert_eq!(count.load(Ordering::SeqCst), 0);
        let r = ws.get_queued_completion_status_ex(port, 4, 1000, true);
        assert_eq!(r.map(|v| v.len()).map_err(|e| e.code()), Err(192));
        assert_eq!(count.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn closing_port_wakes_blocked_waiter() {
    // Proves: closing a port wakes threads blocked in GQCS / GQCSEx with
    // ERROR_ABANDONED_WAIT_0; the closed handle is then invalid.
    run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        let got = Arc::new(Mutex::new(Vec::new()));
        let g1 = got.clone();
        let t1 = ws.create_thread("gqcs", move |ws| {
            let r = ws
                .get_queued_completion_status(port, INFINITE)
                .map(|p| p.key);
            g1.lock().unwrap().push(r);
            Ok(())
        })?;
        let g2 = got.clone();
        let t2 = ws.create_thread("gqcs-ex", move |ws| {
            let r = ws
                .get_queued_completion_status_ex(port, 4, INFINITE, false)
                .map(|v| v.len());
            g2.lock().unwrap().push(r);
            Ok(())
        })?;
        ws.sleep(100);
        assert!(got.lock().unwrap().is_empty(), "both still waiting");
        ws.close_completion_port(port)?;
        ws.wait_for_thread(t1, 1000)?;
        ws.wait_for_thread(t2, 1000)?;
        assert_eq!(
            *got.lock().unwrap(),
            vec![
                Err(WsaError::ERROR_ABANDONED_WAIT_0),
                Err(WsaError::ERROR_ABANDONED_WAIT_0)
            ]
        );
        assert_eq!(
            ws.get_queued_completion_status(port, 0).map(|p| p.key),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(
            ws.post_queued_completion_status(port, 0, 0, None),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        Ok(())
    });
}

#[test]
fn associating_a_socket_twice_is_invalid() {
    // Proves: a socket already associated with a port cannot be associated again, with the same
    // or another port (ERROR_INVALID_PARAMETER); the first association stays.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let p1 = ws.create_io_completion_port(0)?;
        let p2 = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, p1, 1)?;
        assert_eq!(
            ws.associate_completion_port(s, p1, 2),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.associate_completion_port(s, p2, 3),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(ws.wsa_get_last_error(), 87);
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"k", 0)?;
        let p = ws.get_queued_completion_status(p1, WAIT_MS)?;
        assert_eq!(fields(&p), (None, 1, 1, Some(ov)));
        no_packet(ws, p2, "nothing on the second port");
        Ok(())
    });
}

#[test]
fn a_packet_handed_to_a_waiter_beats_an_apc_queued_after() {
    // Proves: a thread in an alertable GQCSEx that the port releases with a packet returns that
    // packet even when an APC is queued to it before it runs (the packet satisfied its wait;
    // the APC runs at its next alertable wait), under seeds that order the two differently.
    for i in 0..16u64 {
        let seed = common::seed().wrapping_add(i * 0x9E37_79B9);
        common::run_with(
            common::overlapped::builder().seed(seed),
            move |ws: &SimWinsock| {
                let port = ws.create_io_completion_port(0)?;
                let ran = Arc::new(AtomicUsize::new(0));
                let r2 = ran.clone();
                let t = ws.create_thread("worker", move |ws: &SimWinsock| {
                    let r = ws.get_queued_completion_status_ex(port, 1, INFINITE, true);
                    assert_eq!(r.map(|p| p[0].key), Ok(7), "seed {seed}: the packet");
                    ws.sleep(50);
                    assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION, "seed {seed}");
                    assert_eq!(r2.load(Ordering::SeqCst), 1, "seed {seed}: APC ran later");
                    Ok(())
                })?;
                ws.sleep(10);
                ws.post_queued_completion_status(port, 0, 7, None)?;
                let r = ran.clone();
                ws.queue_user_apc(
                    Box::new(move |_: &SimWinsock| {
                        r.fetch_add(1, Ordering::SeqCst);
                    }),
                    t,
                )?;
                ws.wait_for_thread(t, INFINITE)?;
                ws.close_completion_port(port)
            },
        );
    }
}
