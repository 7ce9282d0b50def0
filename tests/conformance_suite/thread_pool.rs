//! The thread pool: `QueueUserWorkItem` and timer queues, written once for the simulator and
//! the real kernel32 (Wine's kernel32 sync.c test_timer_queue, each of its callbacks' cases,
//! and the calls' documentation).
//!
//! The timings leave wide margins (a callback sleeps hundreds of milliseconds where the rule
//! needs it still running, waits give seconds): under Wine on a loaded machine the real pool
//! starts threads late.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules.
pub fn thread_pool_rules<W: Winsock + ThreadPool + Send + Sync + 'static>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "POOL-work-item",
            title: "QueueUserWorkItem runs its function once on another thread and returns at once",
            body: work_item::<W>,
        },
        Rule {
            id: "POOL-timer-once",
            title: "a timer-queue timer with period 0 runs its callback once, on a pool thread, with TimerOrWaitFired TRUE; ChangeTimerQueueTimer before it fires moves it, after it fires (from its own callback too) succeeds and does nothing",
            body: timer_once::<W>,
        },
        Rule {
            id: "POOL-timer-periodic",
            title: "a periodic timer runs until its callback pushes it far out (ChangeTimerQueueTimer) or deletes it (DeleteTimerQueueTimer with NULL from the callback: ERROR_IO_PENDING, and no further call)",
            body: timer_periodic::<W>,
        },
        Rule {
            id: "POOL-delete-pending",
            title: "DeleteTimerQueueTimer while the callback runs: NULL or an event gives ERROR_IO_PENDING (the event set once it ends), INVALID_HANDLE_VALUE waits for its end; with it done, NULL or an event succeeds (the event set, the last error kept)",
            body: delete_pending::<W>,
        },
        Rule {
            id: "POOL-callbacks-parallel",
            title: "two timers' callbacks run at the same time on two pool threads",
            body: callbacks_parallel::<W>,
        },
        Rule {
            id: "POOL-queue-delete",
            title: "DeleteTimerQueueEx: INVALID_HANDLE_VALUE waits and no callback runs after; NULL and an event succeed (Vista and later); the default queue is ERROR_INVALID_HANDLE; a timer can be changed and deleted through the other queue",
            body: queue_delete::<W>,
        },
    ]
}

/// A callback counting its calls into `n` (and checking TimerOrWaitFired into `fired`).
fn counter<W: 'static>(n: &Arc<AtomicU32>, fired: &Arc<AtomicU32>) -> WaitOrTimerCallback<W> {
    let (n, fired) = (n.clone(), fired.clone());
    Arc::new(move |_: &W, f: bool| {
        n.fetch_add(1, Ordering::SeqCst);
        if f {
            fired.fetch_add(1, Ordering::SeqCst);
        }
    })
}

fn work_item<W: Winsock + ThreadPool + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let done = e("CreateEvent", ws.create_event(true, false))?;
    let me = ws.get_current_thread_id();
    let ran_on = Arc::new(Mutex::new(Vec::new()));
    let seen = ran_on.clone();
    c.eq(
        "QueueUserWorkItem",
        ws.queue_user_work_item(
            Box::new(move |ws: &W| {
                let value = ws.get_current_thread_id();
                seen.lock().expect("seen").push(value);
                let _ = ws.set_event(done);
                7
            }),
            WT_EXECUTEDEFAULT,
        ),
        Ok(()),
    )?;
    c.eq(
        "the work item's end",
        ws.wait_for_single_object(Handle::Event(done), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    ws.sleep(50);
    let ran = ran_on.lock().expect("ran").clone();
    c.eq("the work item ran once", ran.len(), 1)?;
    c.eq("on another thread", ran.iter().all(|&t| t != me), true)?;
    e("CloseHandle", ws.close_handle(Handle::Event(done)))?;
    Ok(())
}

fn timer_once<W: Winsock + ThreadPool + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let me = ws.get_current_thread_id();
    let threads = Arc::new(Mutex::new(Vec::new()));
    let (n, fired) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let count = counter::<W>(&n, &fired);
    let seen = threads.clone();
    let cb: WaitOrTimerCallback<W> = Arc::new(move |ws: &W, f: bool| {
        let value = ws.get_current_thread_id();
        seen.lock().expect("seen").push(value);
        count(ws, f);
    });
    let t = e(
        "CreateTimerQueueTimer(due 0, period 0)",
        ws.create_timer_queue_timer(None, cb, 0, 0, WT_EXECUTEDEFAULT),
    )?;
    ws.sleep(300);
    c.eq(
        "callbacks of a once-only timer",
        n.load(Ordering::SeqCst),
        1,
    )?;
    c.eq("TimerOrWaitFired", fired.load(Ordering::SeqCst), 1)?;
    let on = threads.lock().expect("threads").clone();
    c.eq("it ran on a pool thread", on.iter().all(|&t| t != me), true)?;
    c.eq(
        "ChangeTimerQueueTimer(fired once-only timer, 50, 50)",
        ws.change_timer_queue_timer(None, t, 50, 50),
        Ok(()),
    )?;
    ws.sleep(300);
    c.eq(
        "callbacks after changing a spent timer",
        n.load(Ordering::SeqCst),
        1,
    )?;
    e(
        "DeleteTimerQueueTimer",
        ws.delete_timer_queue_timer(None, t, DeleteCompletion::Wait),
    )?;

    // Changed before it fires: it runs at the new time (test_timer_queue's t1 of 10 s).
    let (m, fired2) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let t = e(
        "CreateTimerQueueTimer(due 10 s)",
        ws.create_timer_queue_timer(None, counter::<W>(&m, &fired2), 10_000, 0, 0),
    )?;
    c.eq(
        "ChangeTimerQueueTimer(0, 0) before it fires",
        ws.change_timer_queue_timer(None, t, 0, 0),
        Ok(()),
    )?;
    ws.sleep(300);
    c.eq(
        "callbacks of the changed timer",
        m.load(Ordering::SeqCst),
        1,
    )?;
    e(
        "DeleteTimerQueueTimer",
        ws.delete_timer_queue_timer(None, t, DeleteCompletion::Wait),
    )?;

    // A once-only timer whose callback changes it (timer_queue_cb4): still one call.
    let q = e("CreateTimerQueue", ws.create_timer_queue())?;
    let calls = Arc::new(AtomicU32::new(0));
    let results = Arc::new(Mutex::new(Vec::new()));
    let slot: Arc<Mutex<Option<QueueTimer>>> = Arc::default();
    let (k, r, s) = (calls.clone(), results.clone(), slot.clone());
    let cb4: WaitOrTimerCallback<W> = Arc::new(move |ws: &W, _| {
        // Copied out: no std lock is held across a call (in the simulator every thread runs
        // on one OS thread).
        let own = *s.lock().expect("slot");
        if let Some(t) = own {
            let got = code(ws.change_timer_queue_timer(Some(q), t, 50, 50));
            r.lock().expect("results").push(got);
            k.fetch_add(1, Ordering::SeqCst);
        }
    });
    {
        // The slot is filled under its lock before the callback can read it.
        let mut guard = slot.lock().expect("slot");
        let t4 = e(
            "CreateTimerQueueTimer(cb4, due 10, period 0)",
            ws.create_timer_queue_timer(Some(q), cb4, 10, 0, 0),
        )?;
        *guard = Some(t4);
    }
    ws.sleep(500);
    e(
        "DeleteTimerQueueEx(INVALID_HANDLE_VALUE)",
        ws.delete_timer_queue_ex(q, DeleteCompletion::Wait),
    )?;
    c.eq(
        "a once-only timer changed from its callback runs once",
        calls.load(Ordering::SeqCst),
        1,
    )?;
    c.eq(
        "ChangeTimerQueueTimer from its callback",
        results.lock().expect("results").clone(),
        vec![Ok(())],
    )?;
    Ok(())
}

/// A periodic timer's callback that, at its `max`th call, either pushes the timer 10 s out
/// (`delete` false, timer_queue_cb3) or deletes it with NULL (timer_queue_cb2); what each of
/// those calls returned is kept.
fn stopping<W: ThreadPool + 'static>(
    calls: &Arc<AtomicU32>,
    slot: &Arc<Mutex<Option<(TimerQueue, QueueTimer)>>>,
    results: &Arc<Mutex<Vec<Result<(), WsaError>>>>,
    max: u32,
    delete: bool,
) -> WaitOrTimerCallback<W> {
    let (k, s, r) = (calls.clone(), slot.clone(), results.clone());
    Arc::new(move |ws: &W, _| {
        let Some((q, t)) = *s.lock().expect("slot") else {
            return;
        };
        if k.fetch_add(1, Ordering::SeqCst) + 1 == max {
            let got = if delete {
                ws.delete_timer_queue_timer(Some(q), t, DeleteCompletion::NoWait)
            } else {
                ws.change_timer_queue_timer(Some(q), t, 10_000, 0)
            };
            r.lock().expect("results").push(code(got));
        }
    })
}

fn timer_periodic<W: Winsock + ThreadPool + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let q = e("CreateTimerQueue", ws.create_timer_queue())?;
    let mut rows = Vec::new();
    for (max, delete) in [(3, true), (4, false)] {
        let calls = Arc::new(AtomicU32::new(0));
        let slot = Arc::default();
        let results = Arc::default();
        let cb = stopping::<W>(&calls, &slot, &results, max, delete);
        let mut guard = slot.lock().expect("slot");
        let t = e(
            "CreateTimerQueueTimer(due 20, period 20)",
            ws.create_timer_queue_timer(Some(q), cb, 20, 20, 0),
        )?;
        *guard = Some((q, t));
        drop(guard);
        rows.push((max, delete, calls, results));
    }
    ws.sleep(600);
    e(
        "DeleteTimerQueueEx(INVALID_HANDLE_VALUE)",
        ws.delete_timer_queue_ex(q, DeleteCompletion::Wait),
    )?;
    for (max, delete, calls, results) in rows {
        let what = if delete {
            "deleted from its callback"
        } else {
            "pushed out from its callback"
        };
        c.eq(
            &format!("calls of a periodic timer {what} at call {max}"),
            calls.load(Ordering::SeqCst),
            max,
        )?;
        let want = if delete {
            Err(WsaError::WSA_IO_PENDING)
        } else {
            Ok(())
        };
        c.eq(
            &format!("the call that {what}"),
            results.lock().expect("results").clone(),
            vec![want],
        )?;
    }
    Ok(())
}

/// A callback that signals `started`, sleeps `ms`, then counts its end in `ended`.
fn slow<W: SyncObjects + 'static>(
    started: WsaEvent,
    ms: u32,
    ended: &Arc<AtomicU32>,
) -> WaitOrTimerCallback<W> {
    let ended = ended.clone();
    Arc::new(move |ws: &W, _| {
        let _ = ws.set_event(started);
        ws.sleep(ms);
        ended.fetch_add(1, Ordering::SeqCst);
    })
}

fn delete_pending<W: Winsock + ThreadPool + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let ended = Arc::new(AtomicU32::new(0));
    let mut started = Vec::new();
    let mut timers = Vec::new();
    for _ in 0..3 {
        let s = e("CreateEvent", ws.create_event(true, false))?;
        let t = e(
            "CreateTimerQueueTimer(slow callback)",
            ws.create_timer_queue_timer(None, slow::<W>(s, 600, &ended), 0, 0, 0),
        )?;
        started.push(s);
        timers.push(t);
    }
    for &s in &started {
        c.eq(
            "a slow callback started",
            ws.wait_for_single_object(Handle::Event(s), 5_000),
            Ok(WAIT_OBJECT_0),
        )?;
    }
    c.eq(
        "DeleteTimerQueueTimer(NULL) while its callback runs",
        code(ws.delete_timer_queue_timer(None, timers[0], DeleteCompletion::NoWait)),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    let gone = e("CreateEvent", ws.create_event(true, false))?;
    c.eq(
        "DeleteTimerQueueTimer(event) while its callback runs",
        code(ws.delete_timer_queue_timer(None, timers[1], DeleteCompletion::Event(gone))),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    c.eq(
        "the event while the callback runs",
        ws.wait_for_single_object(Handle::Event(gone), 0),
        Ok(WSA_WAIT_TIMEOUT),
    )?;
    c.eq(
        "DeleteTimerQueueTimer(INVALID_HANDLE_VALUE) while its callback runs",
        ws.delete_timer_queue_timer(None, timers[2], DeleteCompletion::Wait),
        Ok(()),
    )?;
    c.eq(
        "callbacks ended when the waiting delete returned (at least its own)",
        ended.load(Ordering::SeqCst) >= 1,
        true,
    )?;
    c.eq(
        "the event of the pending delete, set once its callback ended",
        ws.wait_for_single_object(Handle::Event(gone), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    ws.sleep(700);
    c.eq(
        "the deleted timers' running callbacks all ran to their end",
        ended.load(Ordering::SeqCst),
        3,
    )?;

    // Due at once: the callback is queued by the time CreateTimerQueueTimer returns, so a
    // deletion right after it finds it outstanding, and it still runs (test_timer_queue's t0).
    let (n0, fired0) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let t0 = e(
        "CreateTimerQueueTimer(due 0, period 300)",
        ws.create_timer_queue_timer(None, counter::<W>(&n0, &fired0), 0, 300, 0),
    )?;
    c.eq(
        "DeleteTimerQueueTimer(NULL) right after CreateTimerQueueTimer(due 0)",
        code(ws.delete_timer_queue_timer(None, t0, DeleteCompletion::NoWait)),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    ws.sleep(500);
    c.eq_or_wine(
        "callbacks of the timer deleted as it fell due",
        n0.load(Ordering::SeqCst),
        1,
        0,
        "kernel32 sync.c test_timer_queue: n0, todo_wine",
    )?;

    // With the callback done: NULL and an event succeed; the event is set; no last error.
    let (n, fired) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let a = e(
        "CreateTimerQueueTimer",
        ws.create_timer_queue_timer(None, counter::<W>(&n, &fired), 0, 0, 0),
    )?;
    let b = e(
        "CreateTimerQueueTimer",
        ws.create_timer_queue_timer(None, counter::<W>(&n, &fired), 0, 0, 0),
    )?;
    ws.sleep(300);
    c.eq("both finished", n.load(Ordering::SeqCst), 2)?;
    c.eq_or_wine(
        "DeleteTimerQueueTimer(NULL) of a timer whose callback ended",
        code(ws.delete_timer_queue_timer(None, a, DeleteCompletion::NoWait)),
        Ok(()),
        Err(WsaError::WSA_IO_PENDING),
        "kernel32 sync.c test_timer_queue: TRUE on Vista and later, ERROR_IO_PENDING on Wine",
    )?;
    let done = e("CreateEvent", ws.create_event(true, false))?;
    ws.wsa_set_last_error(0x0dea);
    c.eq(
        "DeleteTimerQueueTimer(event) of a timer whose callback ended",
        ws.delete_timer_queue_timer(None, b, DeleteCompletion::Event(done)),
        Ok(()),
    )?;
    c.eq("the last error after it", ws.wsa_get_last_error(), 0x0dea)?;
    c.eq(
        "its event",
        ws.wait_for_single_object(Handle::Event(done), 1_000),
        Ok(WAIT_OBJECT_0),
    )?;
    for h in started.into_iter().chain([gone, done]) {
        e("CloseHandle", ws.close_handle(Handle::Event(h)))?;
    }
    Ok(())
}

fn callbacks_parallel<W: Winsock + ThreadPool + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let ea = e("CreateEvent", ws.create_event(true, false))?;
    let eb = e("CreateEvent", ws.create_event(true, false))?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    // Each callback signals its own event and waits for the other's: both end well only if
    // they run at the same time.
    let meet = |mine: WsaEvent, other: WsaEvent| -> WaitOrTimerCallback<W> {
        let seen = seen.clone();
        Arc::new(move |ws: &W, _| {
            let _ = ws.set_event(mine);
            let got = ws.wait_for_single_object(Handle::Event(other), 3_000);
            seen.lock().expect("seen").push(got);
        })
    };
    let a = e(
        "CreateTimerQueueTimer(a)",
        ws.create_timer_queue_timer(None, meet(ea, eb), 0, 0, 0),
    )?;
    let b = e(
        "CreateTimerQueueTimer(b)",
        ws.create_timer_queue_timer(None, meet(eb, ea), 0, 0, 0),
    )?;
    // Both started (Wine cancels a due-0 timer its timer thread has not fired yet, so the
    // deletions below must not come first; Windows has queued both callbacks already).
    c.eq(
        "both callbacks started",
        ws.wait_for_multiple_objects(&[Handle::Event(ea), Handle::Event(eb)], true, 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    for t in [a, b] {
        // Waits for the callback's end (it may still be running).
        e(
            "DeleteTimerQueueTimer(INVALID_HANDLE_VALUE)",
            ws.delete_timer_queue_timer(None, t, DeleteCompletion::Wait),
        )?;
    }
    c.eq(
        "each callback saw the other's event while it ran",
        seen.lock().expect("seen").clone(),
        vec![Ok(WAIT_OBJECT_0), Ok(WAIT_OBJECT_0)],
    )?;
    e("CloseHandle", ws.close_handle(Handle::Event(ea)))?;
    e("CloseHandle", ws.close_handle(Handle::Event(eb)))?;
    Ok(())
}

fn queue_delete<W: Winsock + ThreadPool + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    c.eq(
        "DeleteTimerQueueEx(NULL, NULL)",
        code(ws.delete_timer_queue_ex(TimerQueue::from_raw(0), DeleteCompletion::NoWait)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    let q = e("CreateTimerQueue", ws.create_timer_queue())?;
    c.eq_or_wine(
        "DeleteTimerQueueEx(empty queue, NULL)",
        code(ws.delete_timer_queue_ex(q, DeleteCompletion::NoWait)),
        Ok(()),
        Err(WsaError::WSA_IO_PENDING),
        "kernel32 sync.c test_timer_queue: TRUE on Vista and later, ERROR_IO_PENDING on Wine",
    )?;

    // Periodic timers stop with their queue's waiting deletion.
    let q = e("CreateTimerQueue", ws.create_timer_queue())?;
    let (n, fired) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    for period in [10, 30] {
        e(
            "CreateTimerQueueTimer(periodic)",
            ws.create_timer_queue_timer(Some(q), counter::<W>(&n, &fired), 0, period, 0),
        )?;
    }
    ws.sleep(200);
    c.eq(
        "DeleteTimerQueueEx(INVALID_HANDLE_VALUE)",
        ws.delete_timer_queue_ex(q, DeleteCompletion::Wait),
        Ok(()),
    )?;
    let after = n.load(Ordering::SeqCst);
    c.eq("the periodic timers ran", after >= 2, true)?;
    ws.sleep(200);
    c.eq(
        "callbacks after the queue's deletion returned",
        n.load(Ordering::SeqCst),
        after,
    )?;

    // An event: set once the queue's callbacks are done.
    let q = e("CreateTimerQueue", ws.create_timer_queue())?;
    let started = e("CreateEvent", ws.create_event(true, false))?;
    let ended = Arc::new(AtomicU32::new(0));
    e(
        "CreateTimerQueueTimer(slow callback)",
        ws.create_timer_queue_timer(Some(q), slow::<W>(started, 100, &ended), 0, 0, 0),
    )?;
    e(
        "the callback started",
        ws.wait_for_single_object(Handle::Event(started), 5_000),
    )?;
    ws.sleep(400);
    let done = e("CreateEvent", ws.create_event(true, false))?;
    c.eq_or_wine(
        "DeleteTimerQueueEx(queue, event)",
        code(ws.delete_timer_queue_ex(q, DeleteCompletion::Event(done))),
        Ok(()),
        Err(WsaError::WSA_IO_PENDING),
        "kernel32 sync.c test_timer_queue: TRUE on Vista and later, ERROR_IO_PENDING on Wine",
    )?;
    c.eq(
        "its event",
        ws.wait_for_single_object(Handle::Event(done), 1_000),
        Ok(WAIT_OBJECT_0),
    )?;

    // The queue a timer is named with does not matter (test_timer_queue: "Apparently this
    // works").
    let q = e("CreateTimerQueue", ws.create_timer_queue())?;
    let (m, fired2) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let in_q = e(
        "CreateTimerQueueTimer(q)",
        ws.create_timer_queue_timer(Some(q), counter::<W>(&m, &fired2), 1_000, 1_000, 0),
    )?;
    let in_default = e(
        "CreateTimerQueueTimer(NULL)",
        ws.create_timer_queue_timer(None, counter::<W>(&m, &fired2), 1_000, 1_000, 0),
    )?;
    c.eq(
        "ChangeTimerQueueTimer(NULL, a timer of q)",
        ws.change_timer_queue_timer(None, in_q, 2_000, 2_000),
        Ok(()),
    )?;
    c.eq(
        "ChangeTimerQueueTimer(q, a timer of the default queue)",
        ws.change_timer_queue_timer(Some(q), in_default, 2_000, 2_000),
        Ok(()),
    )?;
    c.eq(
        "DeleteTimerQueueTimer(NULL, a timer of q, INVALID_HANDLE_VALUE)",
        ws.delete_timer_queue_timer(None, in_q, DeleteCompletion::Wait),
        Ok(()),
    )?;
    c.eq(
        "DeleteTimerQueueTimer(q, a timer of the default queue, INVALID_HANDLE_VALUE)",
        ws.delete_timer_queue_timer(Some(q), in_default, DeleteCompletion::Wait),
        Ok(()),
    )?;
    c.eq(
        "their callbacks (none was due)",
        m.load(Ordering::SeqCst),
        0,
    )?;
    e(
        "DeleteTimerQueueEx",
        ws.delete_timer_queue_ex(q, DeleteCompletion::Wait),
    )?;
    for h in [started, done] {
        e("CloseHandle", ws.close_handle(Handle::Event(h)))?;
    }
    Ok(())
}
