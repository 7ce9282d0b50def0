//! Registered waits: `RegisterWaitForSingleObject`, `UnregisterWait`, `UnregisterWaitEx`,
//! written once for the simulator and the real kernel32 (Wine's kernel32 thread.c
//! test_RegisterWaitForSingleObject, each of its cases, and the call's documentation).
//!
//! Timings leave wide margins (a callback that must still be running waits for an event the
//! rule sets; waits give seconds), as in `thread_pool`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules.
pub fn registered_wait_rules<W: Winsock + RegisteredWaits + Send + Sync + 'static>() -> Vec<Rule<W>>
{
    vec![
        Rule {
            id: "RW-signaled",
            title: "RegisterWaitForSingleObject: a signalled object runs the callback on a pool thread with TimerOrWaitFired FALSE, a timeout with TRUE; UnregisterWait then succeeds; a wait unregistered before its object is signalled never runs; UnregisterWait(NULL) is ERROR_INVALID_HANDLE",
            body: signaled::<W>,
        },
        Rule {
            id: "RW-running",
            title: "UnregisterWait while the callback runs: ERROR_IO_PENDING (the callback still ends); UnregisterWaitEx with an event: ERROR_IO_PENDING, the event set at its end; with INVALID_HANDLE_VALUE it waits for the end",
            body: running::<W>,
        },
        Rule {
            id: "RW-again",
            title: "without WT_EXECUTEONLYONCE the wait starts again after each callback: an auto-reset event set three times runs it three times, a manual-reset event left set runs it over and over, a finite timeout runs it at each timeout",
            body: again::<W>,
        },
        Rule {
            id: "RW-wait-thread",
            title: "WT_EXECUTEINWAITTHREAD: the callback runs in the wait thread, which waits for no other object meanwhile (another wait's callback waits for it); a callback there may unregister its own wait and succeed",
            body: in_wait_thread::<W>,
        },
    ]
}

/// A callback that records TimerOrWaitFired and the thread into `seen`, then sets `done`.
fn recorder<W: SyncObjects + 'static>(
    seen: &Arc<Mutex<Vec<(bool, u32)>>>,
    done: WsaEvent,
) -> WaitOrTimerCallback<W> {
    let seen = seen.clone();
    Arc::new(move |ws: &W, fired: bool| {
        let entry = (fired, ws.get_current_thread_id());
        seen.lock().expect("seen").push(entry);
        let _ = ws.set_event(done);
    })
}

/// RegisterWaitForSingleObject(`handle`, once only, `timeout_ms`) with a [`recorder`] callback.
fn recorded_once<W: RegisteredWaits + 'static>(
    ws: &W,
    what: &str,
    handle: WsaEvent,
    seen: &Arc<Mutex<Vec<(bool, u32)>>>,
    done: WsaEvent,
    timeout_ms: u32,
) -> Result<RegisteredWait, String> {
    e(
        what,
        ws.register_wait_for_single_object(
            Handle::Event(handle),
            recorder::<W>(seen, done),
            timeout_ms,
            WT_EXECUTEONLYONCE,
        ),
    )
}

fn signaled<W: Winsock + RegisteredWaits + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let me = ws.get_current_thread_id();
    let handle = e("CreateEvent", ws.create_event(true, true))?;
    let complete = e("CreateEvent", ws.create_event(false, false))?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let wh = recorded_once(
        ws,
        "RegisterWaitForSingleObject(signalled, ONLYONCE)",
        handle,
        &seen,
        complete,
        INFINITE,
    )?;
    c.eq(
        "the callback's end",
        ws.wait_for_single_object(Handle::Event(complete), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    ws.sleep(100);
    c.eq(
        "UnregisterWait after it ran",
        ws.unregister_wait(wh),
        Ok(()),
    )?;
    let got = seen.lock().expect("seen").clone();
    c.eq(
        "one call, TimerOrWaitFired FALSE",
        got.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec![false],
    )?;
    c.eq("on a pool thread", got.iter().all(|s| s.1 != me), true)?;

    // Unregistered before the object is signalled: never runs.
    e("ResetEvent", ws.reset_event(handle))?;
    seen.lock().expect("seen").clear();
    let wh = recorded_once(
        ws,
        "RegisterWaitForSingleObject(unsignalled)",
        handle,
        &seen,
        complete,
        INFINITE,
    )?;
    c.eq(
        "UnregisterWait before it fired",
        ws.unregister_wait(wh),
        Ok(()),
    )?;
    e("SetEvent", ws.set_event(handle))?;
    ws.sleep(200);
    c.eq(
        "calls after it was unregistered",
        seen.lock().expect("seen").len(),
        0,
    )?;

    // A timeout of 0 on an unsignalled object: TimerOrWaitFired TRUE.
    e("ResetEvent", ws.reset_event(handle))?;
    let wh = recorded_once(
        ws,
        "RegisterWaitForSingleObject(timeout 0)",
        handle,
        &seen,
        complete,
        0,
    )?;
    c.eq(
        "the timed-out callback's end",
        ws.wait_for_single_object(Handle::Event(complete), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    ws.sleep(100);
    c.eq("UnregisterWait", ws.unregister_wait(wh), Ok(()))?;
    c.eq(
        "TimerOrWaitFired of a timeout",
        seen.lock()
            .expect("seen")
            .iter()
            .map(|s| s.0)
            .collect::<Vec<_>>(),
        vec![true],
    )?;
    ws.wsa_set_last_error(0);
    c.eq(
        "UnregisterWait(NULL)",
        code(ws.unregister_wait(RegisteredWait::from_raw(0))),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), 6)?;
    for h in [handle, complete] {
        e("CloseHandle", ws.close_handle(Handle::Event(h)))?;
    }
    Ok(())
}

/// A callback that sets `started`, waits (up to 5 s) for `release`, then counts its end.
fn held<W: SyncObjects + 'static>(
    started: WsaEvent,
    release: WsaEvent,
    ended: &Arc<AtomicU32>,
) -> WaitOrTimerCallback<W> {
    let ended = ended.clone();
    Arc::new(move |ws: &W, _| {
        let _ = ws.set_event(started);
        let _ = ws.wait_for_single_object(Handle::Event(release), 5_000);
        ended.fetch_add(1, Ordering::SeqCst);
    })
}

/// RegisterWaitForSingleObject(`handle`, once only, INFINITE) with a [`held`] callback.
fn register_held<W: RegisteredWaits + 'static>(
    ws: &W,
    handle: WsaEvent,
    started: WsaEvent,
    release: WsaEvent,
    ended: &Arc<AtomicU32>,
) -> Result<RegisteredWait, String> {
    e(
        "RegisterWaitForSingleObject(held callback)",
        ws.register_wait_for_single_object(
            Handle::Event(handle),
            held::<W>(started, release, ended),
            INFINITE,
            WT_EXECUTEONLYONCE,
        ),
    )
}

fn running<W: Winsock + RegisteredWaits + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let handle = e("CreateEvent", ws.create_event(true, true))?;
    let release = e("CreateEvent", ws.create_event(true, false))?;
    let ended = Arc::new(AtomicU32::new(0));
    let mut waits = Vec::new();
    for _ in 0..2 {
        let started = e("CreateEvent", ws.create_event(true, false))?;
        let wh = register_held(ws, handle, started, release, &ended)?;
        c.eq(
            "the callback started",
            ws.wait_for_single_object(Handle::Event(started), 5_000),
            Ok(WAIT_OBJECT_0),
        )?;
        waits.push((wh, started));
    }
    c.eq(
        "UnregisterWait while its callback runs",
        code(ws.unregister_wait(waits[0].0)),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    let gone = e("CreateEvent", ws.create_event(true, false))?;
    c.eq(
        "UnregisterWaitEx(event) while its callback runs",
        code(ws.unregister_wait_ex(waits[1].0, DeleteCompletion::Event(gone))),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    c.eq(
        "its event while the callback runs",
        ws.wait_for_single_object(Handle::Event(gone), 0),
        Ok(WSA_WAIT_TIMEOUT),
    )?;
    e("SetEvent", ws.set_event(release))?;
    c.eq(
        "its event once the callback ended",
        ws.wait_for_single_object(Handle::Event(gone), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    ws.sleep(200);
    c.eq(
        "both callbacks ran to their end",
        ended.load(Ordering::SeqCst),
        2,
    )?;

    // INVALID_HANDLE_VALUE: waits for the running callback.
    e("ResetEvent", ws.reset_event(release))?;
    let started = e("CreateEvent", ws.create_event(true, false))?;
    let wh = register_held(ws, handle, started, release, &ended)?;
    e(
        "the callback started",
        ws.wait_for_single_object(Handle::Event(started), 5_000),
    )?;
    let releaser = e("CreateEvent", ws.create_event(true, false))?;
    // Another thread releases the callback a little later.
    let t = e(
        "CreateThread",
        ws.create_thread("releaser", move |ws: &W| {
            ws.sleep(200);
            ws.set_event(release)?;
            ws.set_event(releaser)
        }),
    )?;
    c.eq(
        "UnregisterWaitEx(INVALID_HANDLE_VALUE) while its callback runs",
        ws.unregister_wait_ex(wh, DeleteCompletion::Wait),
        Ok(()),
    )?;
    c.eq(
        "the callback had ended when it returned",
        ended.load(Ordering::SeqCst),
        3,
    )?;
    e("the releaser", ws.wait_for_thread(t, 5_000))?;
    for (_, s) in waits {
        e("CloseHandle", ws.close_handle(Handle::Event(s)))?;
    }
    for h in [handle, release, gone, started, releaser] {
        e("CloseHandle", ws.close_handle(Handle::Event(h)))?;
    }
    Ok(())
}

fn again<W: Winsock + RegisteredWaits + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let auto = e("CreateEvent", ws.create_event(false, false))?;
    let n = Arc::new(AtomicU32::new(0));
    let count = |n: &Arc<AtomicU32>| -> WaitOrTimerCallback<W> {
        let n = n.clone();
        Arc::new(move |_: &W, _| {
            n.fetch_add(1, Ordering::SeqCst);
        })
    };
    let wh = e(
        "RegisterWaitForSingleObject(auto-reset, no ONLYONCE)",
        ws.register_wait_for_single_object(Handle::Event(auto), count(&n), INFINITE, 0),
    )?;
    for _ in 0..3 {
        e("SetEvent", ws.set_event(auto))?;
        ws.sleep(150);
    }
    c.eq("calls for three signals", n.load(Ordering::SeqCst), 3)?;
    c.eq(
        "the wait took each signal (the event is reset)",
        ws.wait_for_single_object(Handle::Event(auto), 0),
        Ok(WSA_WAIT_TIMEOUT),
    )?;
    e(
        "UnregisterWaitEx",
        ws.unregister_wait_ex(wh, DeleteCompletion::Wait),
    )?;

    let manual = e("CreateEvent", ws.create_event(true, true))?;
    let m = Arc::new(AtomicU32::new(0));
    let wh = e(
        "RegisterWaitForSingleObject(manual-reset, set, no ONLYONCE)",
        ws.register_wait_for_single_object(Handle::Event(manual), count(&m), INFINITE, 0),
    )?;
    ws.sleep(100);
    e("ResetEvent", ws.reset_event(manual))?;
    e(
        "UnregisterWaitEx",
        ws.unregister_wait_ex(wh, DeleteCompletion::Wait),
    )?;
    c.eq(
        "a manual-reset event left set runs the callback over and over",
        m.load(Ordering::SeqCst) > 3,
        true,
    )?;

    // A finite timeout: each timeout runs the callback again (TRUE).
    let never = e("CreateEvent", ws.create_event(true, false))?;
    let t = Arc::new(AtomicU32::new(0));
    let wh = e(
        "RegisterWaitForSingleObject(never signalled, 100 ms, no ONLYONCE)",
        ws.register_wait_for_single_object(Handle::Event(never), count(&t), 100, 0),
    )?;
    ws.sleep(350);
    e(
        "UnregisterWaitEx",
        ws.unregister_wait_ex(wh, DeleteCompletion::Wait),
    )?;
    c.eq_or_wine(
        "timeouts of 100 ms in 350 ms: at least two",
        t.load(Ordering::SeqCst) >= 2,
        true,
        false,
        "Wine 8's waitqueue_thread_proc (ntdll threadpool.c) submits an expired wait without re-arming its timeout",
    )?;
    for h in [auto, manual, never] {
        e("CloseHandle", ws.close_handle(Handle::Event(h)))?;
    }
    Ok(())
}

fn in_wait_thread<W: Winsock + RegisteredWaits + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    // thread.c's waitthread test: wait 2 (on `trigger`) would set `wait_event`; wait 1's
    // callback sets `trigger` and waits 100 ms for `wait_event`, which cannot be set while
    // the wait thread runs wait 1's callback.
    let handle = e("CreateEvent", ws.create_event(true, true))?;
    let trigger = e("CreateEvent", ws.create_event(false, false))?;
    let wait_event = e("CreateEvent", ws.create_event(false, false))?;
    let complete = e("CreateEvent", ws.create_event(false, false))?;
    let sets: WaitOrTimerCallback<W> = Arc::new(move |ws: &W, _| {
        let _ = ws.set_event(wait_event);
    });
    let wh2 = e(
        "RegisterWaitForSingleObject(trigger, in the wait thread)",
        ws.register_wait_for_single_object(
            Handle::Event(trigger),
            sets,
            INFINITE,
            WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD,
        ),
    )?;
    let result = Arc::new(Mutex::new(None));
    let slot = result.clone();
    let waits: WaitOrTimerCallback<W> = Arc::new(move |ws: &W, _| {
        let _ = ws.set_event(trigger);
        let r = ws.wait_for_single_object(Handle::Event(wait_event), 100);
        *slot.lock().expect("slot") = Some(r);
        let _ = ws.set_event(complete);
    });
    let wh1 = e(
        "RegisterWaitForSingleObject(handle, in the wait thread)",
        ws.register_wait_for_single_object(
            Handle::Event(handle),
            waits,
            INFINITE,
            WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD,
        ),
    )?;
    c.eq(
        "the callback's end",
        ws.wait_for_single_object(Handle::Event(complete), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    ws.sleep(100);
    c.eq(
        "the other wait's callback did not run meanwhile",
        *result.lock().expect("result"),
        Some(Ok(WSA_WAIT_TIMEOUT)),
    )?;
    c.eq("UnregisterWait(1)", ws.unregister_wait(wh1), Ok(()))?;
    c.eq("UnregisterWait(2)", ws.unregister_wait(wh2), Ok(()))?;

    // A callback in the wait thread unregisters its own wait (thread.c's
    // unregister_function, todo_wine): TRUE.
    let own: Arc<Mutex<Option<RegisteredWait>>> = Arc::default();
    let got = Arc::new(Mutex::new(Vec::new()));
    let (o, g) = (own.clone(), got.clone());
    let unregisters: WaitOrTimerCallback<W> = Arc::new(move |ws: &W, _| {
        // Waits (spinning on the slot) for the registering thread to fill it in.
        let mut wh = None;
        for _ in 0..500 {
            wh = *o.lock().expect("own");
            if wh.is_some() {
                break;
            }
            ws.sleep(1);
        }
        if let Some(wh) = wh {
            let value = code(ws.unregister_wait(wh));
            g.lock().expect("got").push(value);
        }
        let _ = ws.set_event(complete);
    });
    let wh = e(
        "RegisterWaitForSingleObject(unregisters itself, in the wait thread)",
        ws.register_wait_for_single_object(
            Handle::Event(handle),
            unregisters,
            INFINITE,
            WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD,
        ),
    )?;
    *own.lock().expect("own") = Some(wh);
    e(
        "the callback's end",
        ws.wait_for_single_object(Handle::Event(complete), 5_000),
    )?;
    c.eq_or_wine(
        "UnregisterWait of its own wait from a callback in the wait thread",
        got.lock().expect("got").clone(),
        vec![Ok(())],
        vec![Err(WsaError::WSA_IO_PENDING)],
        "kernel32 thread.c test_RegisterWaitForSingleObject: unregister_function, todo_wine",
    )?;
    for h in [handle, trigger, wait_event, complete] {
        e("CloseHandle", ws.close_handle(Handle::Event(h)))?;
    }
    Ok(())
}
