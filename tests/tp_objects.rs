//! The Vista thread pool's work and timer objects on the simulator's virtual clock: exact
//! timer schedules (relative, absolute, at once), cancelling queued runs, closing with runs
//! outstanding, objects used after their close, and replay under one seed. The behaviour
//! Windows shares is in rules TPO-* (tests/conformance_suite/tp_objects.rs).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::{replays_alike, run};
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

#[test]
fn a_timer_object_fires_on_its_schedule() {
    run(|ws| {
        let ticks = Arc::new(Mutex::new(Vec::new()));
        let t2 = ticks.clone();
        let cb: TpTimerCallback<SimWinsock> = Arc::new(move |ws, _, _| {
            let now = ws.get_tick_count();
            t2.lock().unwrap().push(now);
        });
        let t = ws.create_threadpool_timer(cb)?;
        // Relative 250 ms, then every 100 ms.
        ws.set_threadpool_timer(t, Some(-250 * FILETIME_TICKS_PER_MS), 100, 0)?;
        ws.sleep(480);
        // Absolute: the system time 600 ms into the run, once.
        let at = ws.get_system_time_as_file_time() as i64 + 120 * FILETIME_TICKS_PER_MS;
        ws.set_threadpool_timer(t, Some(at), 0, 0)?;
        ws.sleep(200);
        // Due now (0 is long past): at once, before the call returns; still set after.
        ws.set_threadpool_timer(t, Some(0), 0, 0)?;
        assert!(ws.is_threadpool_timer_set(t)?);
        ws.wait_for_threadpool_timer_callbacks(t, false)?;
        ws.close_threadpool_timer(t)?;
        assert_eq!(*ticks.lock().unwrap(), vec![250, 350, 450, 600, 680]);
        Ok(())
    });
}

#[test]
fn a_cancelling_wait_drops_the_queued_runs() {
    run(|ws| {
        let n = Arc::new(AtomicU32::new(0));
        let k = n.clone();
        let cb: WorkCallback<SimWinsock> = Arc::new(move |_, _, _| {
            k.fetch_add(1, Ordering::SeqCst);
        });
        let w = ws.create_threadpool_work(cb)?;
        for _ in 0..4 {
            ws.submit_threadpool_work(w)?;
        }
        // Pool threads run only when the scheduler picks them (this thread has not blocked):
        // whatever had not started when the cancelling wait began never runs.
        ws.wait_for_threadpool_work_callbacks(w, true)?;
        let ran = n.load(Ordering::SeqCst);
        ws.sleep(100);
        assert_eq!(n.load(Ordering::SeqCst), ran, "no dropped run ran later");
        assert!(
            ran < 4,
            "some runs were still queued and were dropped ({ran} ran)"
        );
        ws.submit_threadpool_work(w)?;
        ws.wait_for_threadpool_work_callbacks(w, false)?;
        assert_eq!(n.load(Ordering::SeqCst), ran + 1);
        ws.close_threadpool_work(w)
    });
}

#[test]
fn a_closed_object_lets_its_runs_end_and_refuses_every_later_call() {
    run(|ws| {
        let done = ws.create_event(true, false)?;
        let n = Arc::new(AtomicU32::new(0));
        let k = n.clone();
        let cb: WorkCallback<SimWinsock> = Arc::new(move |ws, _, _| {
            ws.sleep(100);
            k.fetch_add(1, Ordering::SeqCst);
            let _ = ws.set_event(done);
        });
        let w = ws.create_threadpool_work(cb)?;
        ws.submit_threadpool_work(w)?;
        ws.close_threadpool_work(w)?;
        ws.wait_for_single_object(Handle::Event(done), INFINITE)?;
        assert_eq!(
            n.load(Ordering::SeqCst),
            1,
            "the run queued before the close ran"
        );
        assert_eq!(
            ws.submit_threadpool_work(w),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(
            ws.wait_for_threadpool_work_callbacks(w, false),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(
            ws.close_threadpool_work(w),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        // A work object is not a timer, nor the reverse.
        let t = ws.create_threadpool_timer(Arc::new(|_, _, _| {}))?;
        assert_eq!(
            ws.submit_threadpool_work(TpWork::from_raw(t.raw())),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        ws.close_threadpool_timer(t)?;
        assert_eq!(
            ws.is_threadpool_timer_set(t),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        // An instance is valid only while its callback runs.
        let kept = Arc::new(Mutex::new(None));
        let k2 = kept.clone();
        let cb: WorkCallback<SimWinsock> = Arc::new(move |_, inst, _| {
            *k2.lock().unwrap() = Some(inst);
        });
        let w = ws.create_threadpool_work(cb)?;
        ws.submit_threadpool_work(w)?;
        ws.wait_for_threadpool_work_callbacks(w, false)?;
        let inst = kept.lock().unwrap().expect("the callback ran");
        assert_eq!(
            ws.set_event_when_callback_returns(inst, done),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(
            ws.callback_may_run_long(inst),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        ws.close_threadpool_work(w)
    });
}

#[test]
fn work_and_timer_objects_replay_under_the_same_seed() {
    let log = replays_alike(33, 3, |n, log, ws| {
        let l = log.clone();
        let cb: WorkCallback<SimWinsock> = Arc::new(move |ws, _, _| {
            let entry = (n, ws.get_current_thread_id(), ws.get_tick_count());
            l.lock().unwrap().push(entry);
            ws.sleep(3 + n);
        });
        let w = ws.create_threadpool_work(cb)?;
        let l = log.clone();
        let tcb: TpTimerCallback<SimWinsock> = Arc::new(move |ws, _, _| {
            let entry = (10 + n, ws.get_current_thread_id(), ws.get_tick_count());
            l.lock().unwrap().push(entry);
        });
        let t = ws.create_threadpool_timer(tcb)?;
        ws.set_threadpool_timer(t, Some(-10_000 * i64::from(n + 1)), 7, 0)?;
        for _ in 0..4 {
            ws.submit_threadpool_work(w)?;
            ws.sleep(5);
        }
        ws.set_threadpool_timer(t, None, 0, 0)?;
        ws.wait_for_threadpool_timer_callbacks(t, false)?;
        ws.wait_for_threadpool_work_callbacks(w, false)?;
        ws.close_threadpool_timer(t)?;
        ws.close_threadpool_work(w)
    });
    assert!(log.len() >= 12, "the callbacks ran: {:?}", log);
}

/// An action that fails when its callback returns (a mutex the callback never took) is named
/// with the exception Windows raises, and the actions after it are skipped (the event stays
/// unset); a second action of one kind is ignored and named.
#[test]
fn failing_and_repeated_return_actions_are_named() {
    let report = run(|ws| {
        let m = ws.create_mutex(false)?;
        let (first, second) = (ws.create_event(true, false)?, ws.create_event(true, false)?);
        let cb: WorkCallback<SimWinsock> = Arc::new(move |ws, inst, _| {
            ws.release_mutex_when_callback_returns(inst, m).unwrap();
            ws.set_event_when_callback_returns(inst, first).unwrap();
        });
        let w = ws.create_threadpool_work(cb)?;
        ws.submit_threadpool_work(w)?;
        ws.wait_for_threadpool_work_callbacks(w, false)?;
        assert_eq!(
            ws.wait_for_single_object(Handle::Event(first), 0),
            Ok(WAIT_TIMEOUT),
            "skipped after the failure"
        );
        let cb: WorkCallback<SimWinsock> = Arc::new(move |ws, inst, _| {
            ws.set_event_when_callback_returns(inst, first).unwrap();
            ws.set_event_when_callback_returns(inst, second).unwrap();
        });
        let w2 = ws.create_threadpool_work(cb)?;
        ws.submit_threadpool_work(w2)?;
        ws.wait_for_threadpool_work_callbacks(w2, false)?;
        assert_eq!(
            ws.wait_for_single_object(Handle::Event(first), 0),
            Ok(WAIT_OBJECT_0)
        );
        assert_eq!(
            ws.wait_for_single_object(Handle::Event(second), 0),
            Ok(WAIT_TIMEOUT),
            "only the first event of an instance"
        );
        ws.close_threadpool_work(w)?;
        ws.close_threadpool_work(w2)
    });
    assert_eq!(report.misuses.len(), 2, "{:?}", report.misuses);
    assert!(
        report.misuses[0].contains("STATUS_THREADPOOL_RELEASE_MUTEX_ON_COMPLETION_FAILED")
            && report.misuses[0].contains("ERROR_NOT_OWNER")
            && report.misuses[0].contains("skipped"),
        "{}",
        report.misuses[0]
    );
    assert!(
        report.misuses[1].contains("SetEventWhenCallbackReturns called twice"),
        "{}",
        report.misuses[1]
    );
}
