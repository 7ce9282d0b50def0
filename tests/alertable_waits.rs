//! QueueUserAPC and alertable waits: an APC never runs in a non-alertable wait and runs in
//! each alertable one (SleepEx, WaitForSingleObjectEx, WSAWaitForMultipleEvents, blocking
//! receives), also when queued from another thread; starting an overlapped operation clears
//! its event. Helpers in `common/overlapped.rs`.
mod common;

use common::overlapped::{bound_udp, is_set, recording_routine, run, QUIET_MS};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// Queues an APC to the calling thread that counts its runs.
fn queue_counting_apc(ws: &SimWinsock, count: &Arc<AtomicUsize>) -> Result<(), WsaError> {
    let count = count.clone();
    ws.queue_user_apc(
        Box::new(move |_ws: &SimWinsock| {
            count.fetch_add(1, Ordering::SeqCst);
        }),
        ws.thread_id(),
    )
}

#[test]
fn apc_never_runs_in_non_alertable_waits() {
    // Proves: a queued APC is not run by Sleep, SleepEx(FALSE), WaitForSingleObjectEx(FALSE),
    // WaitForMultipleObjectsEx(FALSE) or WSAWaitForMultipleEvents(FALSE), which time out
    // normally; the next alertable wait runs it.
    run(|ws| {
        let ev = ws.wsa_create_event()?;
        let count = Arc::new(AtomicUsize::new(0));
        queue_counting_apc(ws, &count)?;
        ws.sleep(10);
        assert_eq!(ws.sleep_ex(10, false), 0);
        assert_eq!(ws.wait_for_single_object_ex(ev, 10, false)?, WAIT_TIMEOUT);
        assert_eq!(
            ws.wait_for_multiple_objects_ex(&[ev], false, 10, false)?,
            WAIT_TIMEOUT
        );
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 10, false)?,
            WSA_WAIT_TIMEOUT
        );
        assert_eq!(
            count.load(Ordering::SeqCst),
            0,
            "not run in non-alertable waits"
        );
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(count.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn starting_an_operation_clears_its_event() {
    // Proves: the I/O manager clears the OVERLAPPED's event when an operation starts, so a
    // manual-reset event still signalled by the previous operation does not satisfy a wait
    // for the next one (sock.c test_nonblocking_async_recv reuses one such event); with a
    // completion routine the event is left alone.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.create_event(true, true)?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(ws.wait_for_single_object_ex(ev, 0, false)?, WAIT_TIMEOUT);
        ws.send(c, b"a", 0)?;
        assert_eq!(
            ws.wait_for_single_object_ex(ev, 1000, false)?,
            WAIT_OBJECT_0
        );
        ws.wsa_get_overlapped_result(s, &ov, false)?;
        // Still signalled (manual reset); a routine-based receive leaves it so.
        let calls = Arc::new(AtomicUsize::new(0));
        let got = Arc::new(Mutex::new(Vec::new()));
        let r = ws.wsa_recv_overlapped(
            s,
            vec![vec![0; 8]],
            0,
            Overlapped::with_event(2, ev),
            Some(recording_routine(&calls, &got)),
        );
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        assert_eq!(ws.wait_for_single_object_ex(ev, 0, false)?, WAIT_OBJECT_0);
        ws.send(c, b"b", 0)?;
        assert_eq!(ws.sleep_ex(1000, true), WAIT_IO_COMPLETION);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn apc_runs_in_blocking_receives() {
    // Proves (sock.c test_WSARecv, recv_thread): a blocking receive — recv on a stream
    // socket, recvfrom on a datagram socket — is an alertable wait: an APC queued to the
    // waiting thread runs once during it and the receive goes on (here completed by the data
    // the APC sends); a receive that finds data at once runs no APC.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let u = bound_udp(ws)?;
        let u_addr = ws.getsockname(u)?;
        let sender = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let count = Arc::new(AtomicUsize::new(0));
        let (count2, me) = (count.clone(), ws.thread_id());
        // A helper thread queues APCs to this thread while it is blocked.
        let helper = ws.create_thread("queuer", move |ws: &SimWinsock| {
            for _ in 0..2 {
                ws.sleep(50);
                let count = count2.clone();
                ws.queue_user_apc(
                    Box::new(move |ws: &SimWinsock| {
                        let n = count.fetch_add(1, Ordering::SeqCst);
                        if n == 0 {
                            assert_eq!(ws.send(c, b"x", 0), Ok(1));
                        } else {
                            assert_eq!(ws.sendto(sender, b"y", 0, &u_addr), Ok(1));
                        }
                    }),
                    me,
                )?;
                ws.sleep(50);
            }
            Ok(())
        })?;
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0), Ok(1), "completed by the APC's send");
        assert_eq!(count.load(Ordering::SeqCst), 1);
        let (n, _) = ws.recvfrom(u, &mut b, 0)?;
        assert_eq!((n, b[0]), (1, b'y'));
        assert_eq!(count.load(Ordering::SeqCst), 2);
        ws.wait_for_thread(helper, INFINITE)?;
        // Data already there: no alertable wait, the queued APC stays queued.
        queue_counting_apc(ws, &count)?;
        ws.send(c, b"z", 0)?;
        ws.sleep(QUIET_MS);
        assert_eq!(ws.recv(s, &mut b, 0), Ok(1));
        assert_eq!(count.load(Ordering::SeqCst), 2);
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(count.load(Ordering::SeqCst), 3);
        Ok(())
    });
}

#[test]
fn apc_runs_in_sleep_ex_alertable() {
    // Proves: SleepEx(…, TRUE) runs queued APCs (all of them, once each) and returns
    // WAIT_IO_COMPLETION at once; with none queued it sleeps the full time and returns 0.
    run(|ws| {
        let count = Arc::new(AtomicUsize::new(0));
        queue_counting_apc(ws, &count)?;
        queue_counting_apc(ws, &count)?;
        let t0 = ws.get_tick_count();
        assert_eq!(ws.sleep_ex(1000, true), WAIT_IO_COMPLETION);
        assert_eq!(ws.get_tick_count(), t0, "no waiting with APCs queued");
        assert_eq!(count.load(Ordering::SeqCst), 2);
        assert_eq!(ws.sleep_ex(20, true), 0);
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 20);
        assert_eq!(count.load(Ordering::SeqCst), 2, "each APC runs once");
        Ok(())
    });
}

#[test]
fn apc_runs_in_wait_for_single_object_ex_alertable() {
    // Proves: WaitForSingleObjectEx(…, TRUE) on an unsignalled event runs a queued APC and
    // returns WAIT_IO_COMPLETION.
    run(|ws| {
        let ev = ws.wsa_create_event()?;
        let count = Arc::new(AtomicUsize::new(0));
        queue_counting_apc(ws, &count)?;
        assert_eq!(
            ws.wait_for_single_object_ex(ev, 1000, true)?,
            WAIT_IO_COMPLETION
        );
        assert_eq!(count.load(Ordering::SeqCst), 1);
        queue_counting_apc(ws, &count)?;
        assert_eq!(
            ws.wait_for_multiple_objects_ex(&[ev], false, 1000, true)?,
            WAIT_IO_COMPLETION,
            "WaitForMultipleObjectsEx"
        );
        assert_eq!(count.load(Ordering::SeqCst), 2);
        Ok(())
    });
}

#[test]
fn apc_runs_in_wsa_wait_for_multiple_events_alertable() {
    // Proves: WSAWaitForMultipleEvents(…, fAlertable = TRUE) runs a queued APC and returns
    // WSA_WAIT_IO_COMPLETION.
    run(|ws| {
        let ev = ws.wsa_create_event()?;
        let count = Arc::new(AtomicUsize::new(0));
        queue_counting_apc(ws, &count)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 1000, true)?,
            WSA_WAIT_IO_COMPLETION
        );
        assert_eq!(count.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn apc_from_another_thread_wakes_alertable_wait() {
    // Proves: QueueUserAPC to a thread blocked in an alertable wait wakes it; the APC runs on
    // that thread and each wait returns WAIT_IO_COMPLETION / WSA_WAIT_IO_COMPLETION.
    run(|ws| {
        let ran_on = Arc::new(Mutex::new(Vec::new()));
        let results = Arc::new(Mutex::new(Vec::new()));
        let ev = ws.wsa_create_event()?;
        let r = results.clone();
        let t = ws.create_thread("alertable", move |ws| {
            let a = ws.sleep_ex(INFINITE, true);
            let b = ws.wait_for_single_object_ex(ev, INFINITE, true)?;
            let c = ws.wsa_wait_for_multiple_events(&[ev], false, INFINITE, true)?;
            r.lock().unwrap().extend([a, b, c]);
            Ok(())
        })?;
        for _ in 0..3 {
            ws.sleep(10);
            let ran = ran_on.clone();
            ws.queue_user_apc(
                Box::new(move |ws: &SimWinsock| ran.lock().unwrap().push(ws.thread_id())),
                t,
            )?;
        }
        ws.wait_for_thread(t, INFINITE)?;
        assert_eq!(
            *results.lock().unwrap(),
            vec![
                WAIT_IO_COMPLETION,
                WAIT_IO_COMPLETION,
                WSA_WAIT_IO_COMPLETION
            ]
        );
        assert_eq!(*ran_on.lock().unwrap(), vec![t, t, t]);
        assert!(!is_set(ws, ev)?);
        Ok(())
    });
}
