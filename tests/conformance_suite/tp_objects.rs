//! The Vista thread pool's work and timer objects, written once for the simulator and the
//! real kernel32 (the calls' documentation; Wine's ntdll tests threadpool.c `test_tp_work`,
//! `test_tp_timer`, `test_tp_instance`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn tp_object_rules<W: Winsock + ThreadpoolObjects + Send + Sync + 'static>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "TPO-work",
            title: "a work object runs once per SubmitThreadpoolWork on pool threads; WaitForThreadpoolWorkCallbacks returns once none runs",
            body: work::<W>,
        },
        Rule {
            id: "TPO-timer",
            title: "a timer object fires at its relative due time, once (IsThreadpoolTimerSet still TRUE until SetThreadpoolTimer(NULL)) or every period; SetThreadpoolTimer(NULL) stops it",
            body: timer::<W>,
        },
        Rule {
            id: "TPO-timer-ex",
            title: "SetThreadpoolTimerEx is TRUE when it cancels an expiry still to come (a once-only timer not yet fired, a periodic one), FALSE for a timer never set, stopped, or whose once-only expiry has fired; the last error kept",
            body: timer_ex::<W>,
        },
        Rule {
            id: "TPO-instance",
            title: "SetEventWhenCallbackReturns sets the event once the callback has returned, not before; CallbackMayRunLong succeeds",
            body: instance::<W>,
        },
        Rule {
            id: "TPO-on-return",
            title: "ReleaseMutexWhenCallbackReturns, LeaveCriticalSectionWhenCallbackReturns and ReleaseSemaphoreWhenCallbackReturns act once the callback has returned, by the pool thread (the mutex and critical section it took are free, the semaphore up by its count), before WaitForThreadpoolWorkCallbacks returns; an instance is valid only on its callback's thread",
            body: on_return::<W>,
        },
    ]
}

fn work<W: Winsock + ThreadpoolObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let me = ws.get_current_thread_id();
    let runs = Arc::new(Mutex::new(Vec::new()));
    let started = e("CreateSemaphore", ws.create_semaphore(0, 10))?;
    let r = runs.clone();
    let cb: WorkCallback<W> = Arc::new(move |ws: &W, _, _| {
        let _ = ws.release_semaphore(started, 1);
        ws.sleep(300);
        let t = ws.get_current_thread_id();
        r.lock().expect("runs").push(t);
    });
    let w = e("CreateThreadpoolWork", ws.create_threadpool_work(cb))?;
    for _ in 0..3 {
        e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    }
    // All three start (a pool need not run them at once: Wine's, on a loaded machine, ran
    // two of them one after the other).
    for _ in 0..3 {
        c.eq(
            "a run started",
            ws.wait_for_single_object(Handle::Semaphore(started), 5_000),
            Ok(WAIT_OBJECT_0),
        )?;
    }
    c.eq(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(w, false),
        Ok(()),
    )?;
    let got = runs.lock().expect("runs").clone();
    c.eq("runs when it returned", got.len(), 3)?;
    c.eq("on pool threads", got.iter().all(|&t| t != me), true)?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(w))?;
    e("CloseHandle", ws.close_handle(Handle::Semaphore(started)))?;
    Ok(())
}

fn timer_ex<W: Winsock + ThreadpoolObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    const MARK: i32 = 1234;
    let n = Arc::new(AtomicU32::new(0));
    let k = n.clone();
    let cb: TpTimerCallback<W> = Arc::new(move |_, _, _| {
        k.fetch_add(1, Ordering::SeqCst);
    });
    let t = e("CreateThreadpoolTimer", ws.create_threadpool_timer(cb))?;
    let later = Some(-10_000 * FILETIME_TICKS_PER_MS);
    ws.wsa_set_last_error(MARK);
    match ws.set_threadpool_timer_ex(t, later, 0, 0) {
        Err(WsaError::ERROR_PROC_NOT_FOUND) if winsock_sim::os::under_wine() => {
            c.eq_or_wine(
                "SetThreadpoolTimerEx",
                Err(WsaError::ERROR_PROC_NOT_FOUND),
                Ok(false),
                Err(WsaError::ERROR_PROC_NOT_FOUND),
                "SetThreadpoolTimerEx's documentation (Windows 8 and later); Wine 8.0's ntdll \
                 has no TpSetTimerEx, its kernel32 export a stub",
            )?;
            return e("CloseThreadpoolTimer", ws.close_threadpool_timer(t));
        }
        r => c.eq("never set", r, Ok(false))?,
    }
    c.eq("its last error", ws.wsa_get_last_error(), MARK)?;
    c.eq(
        "set again before due",
        ws.set_threadpool_timer_ex(t, later, 0, 0),
        Ok(true),
    )?;
    c.eq(
        "stopped before due",
        ws.set_threadpool_timer_ex(t, None, 0, 0),
        Ok(true),
    )?;
    c.eq(
        "stopped again",
        ws.set_threadpool_timer_ex(t, None, 0, 0),
        Ok(false),
    )?;
    c.eq(
        "IsThreadpoolTimerSet, stopped",
        ws.is_threadpool_timer_set(t),
        Ok(false),
    )?;
    // Once-only, fired: nothing to cancel.
    let soon = Some(-50 * FILETIME_TICKS_PER_MS);
    c.eq(
        "set, soon",
        ws.set_threadpool_timer_ex(t, soon, 0, 0),
        Ok(false),
    )?;
    ws.sleep(300);
    c.eq("runs of the once-only timer", n.load(Ordering::SeqCst), 1)?;
    c.eq(
        "set after it fired",
        ws.set_threadpool_timer_ex(t, later, 0, 0),
        Ok(false),
    )?;
    // Periodic: it always has an expiry to come.
    c.eq(
        "set periodic",
        ws.set_threadpool_timer_ex(t, soon, 50, 0),
        Ok(true),
    )?;
    ws.sleep(300);
    c.eq(
        "the periodic timer ran",
        n.load(Ordering::SeqCst) >= 3,
        true,
    )?;
    c.eq(
        "stopped, periodic",
        ws.set_threadpool_timer_ex(t, None, 0, 0),
        Ok(true),
    )?;
    e(
        "WaitForThreadpoolTimerCallbacks",
        ws.wait_for_threadpool_timer_callbacks(t, true),
    )?;
    e("CloseThreadpoolTimer", ws.close_threadpool_timer(t))
}

fn timer<W: Winsock + ThreadpoolObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let n = Arc::new(AtomicU32::new(0));
    let k = n.clone();
    let cb: TpTimerCallback<W> = Arc::new(move |_, _, _| {
        k.fetch_add(1, Ordering::SeqCst);
    });
    let t = e(
        "CreateThreadpoolTimer",
        ws.create_threadpool_timer(cb.clone()),
    )?;
    c.eq(
        "IsThreadpoolTimerSet, new",
        ws.is_threadpool_timer_set(t),
        Ok(false),
    )?;
    e(
        "SetThreadpoolTimer(-200 ms, once)",
        ws.set_threadpool_timer(t, Some(-200 * FILETIME_TICKS_PER_MS), 0, 0),
    )?;
    c.eq(
        "IsThreadpoolTimerSet, set",
        ws.is_threadpool_timer_set(t),
        Ok(true),
    )?;
    c.eq("runs before its due time", n.load(Ordering::SeqCst), 0)?;
    ws.sleep(500);
    c.eq("runs of a once-only timer", n.load(Ordering::SeqCst), 1)?;
    // Still set once fired (Wine's ntdll threadpool.c test_tp_timer checks TRUE there).
    c.eq(
        "IsThreadpoolTimerSet, fired",
        ws.is_threadpool_timer_set(t),
        Ok(true),
    )?;
    e(
        "WaitForThreadpoolTimerCallbacks",
        ws.wait_for_threadpool_timer_callbacks(t, false),
    )?;
    e("CloseThreadpoolTimer", ws.close_threadpool_timer(t))?;

    let m = Arc::new(AtomicU32::new(0));
    let k = m.clone();
    let cb: TpTimerCallback<W> = Arc::new(move |_, _, _| {
        k.fetch_add(1, Ordering::SeqCst);
    });
    let t = e("CreateThreadpoolTimer", ws.create_threadpool_timer(cb))?;
    e(
        "SetThreadpoolTimer(-100 ms, every 100 ms)",
        ws.set_threadpool_timer(t, Some(-100 * FILETIME_TICKS_PER_MS), 100, 0),
    )?;
    ws.sleep(550);
    e(
        "SetThreadpoolTimer(NULL)",
        ws.set_threadpool_timer(t, None, 0, 0),
    )?;
    c.eq(
        "IsThreadpoolTimerSet, stopped",
        ws.is_threadpool_timer_set(t),
        Ok(false),
    )?;
    e(
        "WaitForThreadpoolTimerCallbacks",
        ws.wait_for_threadpool_timer_callbacks(t, false),
    )?;
    let after = m.load(Ordering::SeqCst);
    c.eq("a periodic timer ran several times", after >= 3, true)?;
    ws.sleep(300);
    c.eq("runs after it was stopped", m.load(Ordering::SeqCst), after)?;
    e("CloseThreadpoolTimer", ws.close_threadpool_timer(t))?;
    Ok(())
}

fn instance<W: Winsock + ThreadpoolObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let inside = e("CreateEvent", ws.create_event(true, false))?;
    let returned = e("CreateEvent", ws.create_event(true, false))?;
    let results = Arc::new(Mutex::new(Vec::new()));
    let r = results.clone();
    let cb: WorkCallback<W> = Arc::new(move |ws: &W, inst, _| {
        let a = ws.set_event_when_callback_returns(inst, returned);
        let b = ws.callback_may_run_long(inst).map(|_| ());
        r.lock().expect("results").extend([a, b]);
        let _ = ws.set_event(inside);
        ws.sleep(300);
    });
    let w = e("CreateThreadpoolWork", ws.create_threadpool_work(cb))?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    e(
        "the callback started",
        ws.wait_for_single_object(Handle::Event(inside), 5_000),
    )?;
    c.eq(
        "the event while the callback runs",
        ws.wait_for_single_object(Handle::Event(returned), 0),
        Ok(WSA_WAIT_TIMEOUT),
    )?;
    c.eq(
        "the event once it returned",
        ws.wait_for_single_object(Handle::Event(returned), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "SetEventWhenCallbackReturns and CallbackMayRunLong",
        results.lock().expect("results").clone(),
        vec![Ok(()), Ok(())],
    )?;
    e(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(w, false),
    )?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(w))?;
    for h in [inside, returned] {
        e("CloseHandle", ws.close_handle(Handle::Event(h)))?;
    }
    Ok(())
}

fn on_return<W: Winsock + ThreadpoolObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let inside = e("CreateEvent", ws.create_event(true, false))?;
    let m = e("CreateMutex", ws.create_mutex(false))?;
    let cs = e(
        "InitializeCriticalSection",
        ws.initialize_critical_section(),
    )?;
    let sem = e("CreateSemaphore", ws.create_semaphore(0, 4))?;
    let results = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::new(Mutex::new(None));
    let (r, k) = (results.clone(), kept.clone());
    let cb: WorkCallback<W> = Arc::new(move |ws: &W, inst, _| {
        let took = ws.wait_for_single_object(Handle::Mutex(m), 0).map(drop);
        let entered = ws.enter_critical_section(cs);
        let a = ws.release_mutex_when_callback_returns(inst, m);
        let b = ws.leave_critical_section_when_callback_returns(inst, cs);
        let d = ws.release_semaphore_when_callback_returns(inst, sem, 2);
        r.lock().expect("results").extend([took, entered, a, b, d]);
        *k.lock().expect("kept") = Some(inst);
        let _ = ws.set_event(inside);
        ws.sleep(200);
    });
    let w = e("CreateThreadpoolWork", ws.create_threadpool_work(cb))?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    e(
        "the callback started",
        ws.wait_for_single_object(Handle::Event(inside), 5_000),
    )?;
    let inst = kept.lock().expect("kept").expect("the instance");
    c.eq(
        "the instance from another thread",
        ws.release_semaphore_when_callback_returns(inst, sem, 1),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "the mutex while the callback runs",
        ws.wait_for_single_object(Handle::Mutex(m), 0),
        Ok(WSA_WAIT_TIMEOUT),
    )?;
    c.eq(
        "the critical section while it runs",
        ws.try_enter_critical_section(cs),
        Ok(false),
    )?;
    c.eq(
        "the semaphore while it runs",
        ws.wait_for_single_object(Handle::Semaphore(sem), 0),
        Ok(WSA_WAIT_TIMEOUT),
    )?;
    e(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(w, false),
    )?;
    c.eq(
        "the calls in the callback",
        results.lock().expect("results").clone(),
        vec![Ok(()); 5],
    )?;
    c.eq(
        "the mutex once it returned",
        ws.wait_for_single_object(Handle::Mutex(m), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("ReleaseMutex", ws.release_mutex(m))?;
    c.eq(
        "the critical section once it returned",
        ws.try_enter_critical_section(cs),
        Ok(true),
    )?;
    e("LeaveCriticalSection", ws.leave_critical_section(cs))?;
    let counts: Vec<_> = (0..3)
        .map(|_| ws.wait_for_single_object(Handle::Semaphore(sem), 0))
        .collect();
    c.eq(
        "the semaphore released by 2",
        counts,
        vec![Ok(WAIT_OBJECT_0), Ok(WAIT_OBJECT_0), Ok(WSA_WAIT_TIMEOUT)],
    )?;
    c.eq(
        "the instance once it returned",
        ws.release_mutex_when_callback_returns(inst, m),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(w))?;
    e("DeleteCriticalSection", ws.delete_critical_section(cs))?;
    for h in [
        Handle::Event(inside),
        Handle::Mutex(m),
        Handle::Semaphore(sem),
    ] {
        e("CloseHandle", ws.close_handle(h))?;
    }
    Ok(())
}
