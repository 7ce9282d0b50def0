//! Win32 objects beside the sockets (`SyncObjects`): events in both reset modes, waits over
//! events, mutexes, semaphores and thread handles (wait-any, wait-all, timeouts), abandoned
//! mutexes, semaphore counts and console-control handlers, written once for the simulator and
//! the real kernel32. The locks (critical sections, SRW locks, condition variables) are in
//! `sync_locks.rs`.
//!
//! Threads meet through events and thread-handle waits, never through sleeps, so every rule
//! means the same in the simulator's virtual time and on a loaded machine.

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::sync_locks::{condition_variables, critical_sections, srw_locks};
use super::{code, e, Check, Rule};

/// The `SyncObjects` rules.
pub fn sync_rules<W: Winsock + SyncObjects + Send + Sync + 'static>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "SYNC-event", title: "CreateEvent manual and auto reset: SetEvent/ResetEvent, a wait takes an auto event's signal; closed or never-made handles ERROR_INVALID_HANDLE", body: events::<W> },
        Rule { id: "SYNC-wait", title: "WaitForMultipleObjects: wait-any gives the lowest signalled index, wait-all only when all are (taking every auto event), timeouts; 0, 65 or a repeated handle in wait-all ERROR_INVALID_PARAMETER", body: waits::<W> },
        Rule { id: "SYNC-thread", title: "a thread handle is signalled once the thread ends: wait-any over an event and a thread, WaitForSingleObject with a timeout", body: thread_handles::<W> },
        Rule { id: "SYNC-mutex", title: "CreateMutex: recursive for its owner, ReleaseMutex by another thread ERROR_NOT_OWNER, a mutex whose owner ended is WAIT_ABANDONED_0 + i", body: mutexes::<W> },
        Rule { id: "SYNC-sem", title: "CreateSemaphore counts: a wait takes one, ReleaseSemaphore gives the previous count, past the maximum ERROR_TOO_MANY_POSTS, bad counts ERROR_INVALID_PARAMETER", body: semaphores::<W> },
        Rule { id: "SYNC-cs", title: "critical section: recursive EnterCriticalSection, TryEnter from another thread false until the last Leave, a non-owner's Leave ERROR_NOT_OWNER, deleted ERROR_INVALID_HANDLE", body: critical_sections::<W> },
        Rule { id: "SYNC-srw", title: "SRW lock: two shared holders at once, exclusive excludes both modes, a non-holder's release ERROR_NOT_OWNER", body: srw_locks::<W> },
        Rule { id: "SYNC-cv", title: "condition variables: SleepConditionVariableCS/SRW woken by Wake(All)ConditionVariable, ERROR_TIMEOUT with the lock (and its recursion) held again, not the owner ERROR_NOT_OWNER", body: condition_variables::<W> },
        Rule { id: "SYNC-last-error", title: "a successful SetEvent, ResetEvent, CloseHandle, ReleaseMutex, ReleaseSemaphore, wait or lock call leaves the last error as it was; CreateEvent, CreateMutex, CreateSemaphore set 0", body: super::last_error::kept_by_success::<W> },
        Rule { id: "SYNC-ctrl", title: "console-control handlers run on another thread, most recent first until one returns true; removing an unknown one or raising CTRL_CLOSE_EVENT ERROR_INVALID_PARAMETER; process globals shared by threads", body: console_ctrl::<W> },
    ]
}

/// A thread started with `f`, joined by [`join`].
pub(super) type Joinable<T> = (ThreadId, Arc<Mutex<Option<T>>>);

/// Starts `f` on a new thread of the backend; [`join`] waits for it and takes its result.
pub(super) fn start<W, T>(
    ws: &W,
    f: impl FnOnce(&W) -> T + Send + 'static,
) -> Result<Joinable<T>, String>
where
    W: Winsock + SyncObjects,
    T: Send + 'static,
{
    let slot = Arc::new(Mutex::new(None));
    let out = Arc::clone(&slot);
    let t = e(
        "CreateThread",
        ws.create_thread("rule-helper", move |ws: &W| {
            let v = f(ws);
            *out.lock().expect("slot") = Some(v);
            Ok(())
        }),
    )?;
    Ok((t, slot))
}

/// Waits for a thread [`start`] started; its result.
pub(super) fn join<W: SyncObjects, T>(ws: &W, (t, slot): Joinable<T>) -> Result<T, String> {
    let w = e(
        "wait for the helper thread",
        ws.wait_for_single_object(t.into(), INFINITE),
    )?;
    if w != WAIT_OBJECT_0 {
        return Err(format!("waiting for the helper thread gave {w}"));
    }
    let v = slot.lock().expect("slot").take();
    v.ok_or_else(|| "the helper thread gave no result".to_string())
}

/// Runs `f` on a new thread of the backend and waits for it; its result.
pub(super) fn on_thread<W, T>(ws: &W, f: impl FnOnce(&W) -> T + Send + 'static) -> Result<T, String>
where
    W: Winsock + SyncObjects,
    T: Send + 'static,
{
    let t = start(ws, f)?;
    join(ws, t)
}

fn events<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let manual = e("CreateEvent manual", ws.create_event(true, false))?;
    c.eq(
        "manual, unset",
        ws.wait_for_single_object(manual.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("SetEvent", ws.set_event(manual))?;
    c.eq(
        "manual, set",
        ws.wait_for_single_object(manual.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "manual stays set",
        ws.wait_for_single_object(manual.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("ResetEvent", ws.reset_event(manual))?;
    c.eq(
        "manual, reset",
        ws.wait_for_single_object(manual.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    let auto = e("CreateEvent auto, set", ws.create_event(false, true))?;
    c.eq(
        "auto, initially set",
        ws.wait_for_single_object(auto.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "the wait took it",
        ws.wait_for_single_object(auto.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("SetEvent auto", ws.set_event(auto))?;
    e("SetEvent auto twice", ws.set_event(auto))?;
    c.eq(
        "one signal",
        ws.wait_for_single_object(auto.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "no second",
        ws.wait_for_single_object(auto.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    // A short real timeout: the wait returns WAIT_TIMEOUT, not an error.
    c.eq(
        "20 ms on an unset event",
        ws.wait_for_single_object(auto.into(), 20),
        Ok(WAIT_TIMEOUT),
    )?;
    // Set by another thread while this one waits without a timeout.
    let setter = ws.create_thread("setter", move |ws: &W| ws.set_event(auto));
    e("CreateThread", setter)?;
    c.eq(
        "set by another thread",
        ws.wait_for_single_object(auto.into(), INFINITE),
        Ok(WAIT_OBJECT_0),
    )?;
    e("CloseHandle", ws.close_handle(manual.into()))?;
    e("CloseHandle", ws.close_handle(auto.into()))?;
    let bad = Err(WsaError::WSA_INVALID_HANDLE);
    c.eq("SetEvent, closed", code(ws.set_event(manual)), bad)?;
    c.eq("ResetEvent, closed", code(ws.reset_event(manual)), bad)?;
    c.eq(
        "wait, closed",
        code(ws.wait_for_single_object(manual.into(), 0)),
        bad,
    )?;
    c.eq(
        "CloseHandle twice",
        code(ws.close_handle(manual.into())),
        bad,
    )?;
    let never = WsaEvent::from_raw(0x7ff0);
    c.eq("SetEvent, never made", code(ws.set_event(never)), bad)?;
    c.eq(
        "CloseHandle, never made",
        code(ws.close_handle(never.into())),
        bad,
    )?;
    Ok(())
}

fn waits<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let a = e("CreateEvent", ws.create_event(false, false))?;
    let b = e("CreateEvent", ws.create_event(false, false))?;
    let m = e("CreateEvent", ws.create_event(true, false))?;
    let hs = [Handle::from(a), Handle::from(b), Handle::from(m)];
    c.eq(
        "none set, any",
        ws.wait_for_multiple_objects(&hs, false, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("SetEvent", ws.set_event(m))?;
    e("SetEvent", ws.set_event(b))?;
    c.eq(
        "any: the lowest set index",
        ws.wait_for_multiple_objects(&hs, false, 0),
        Ok(WAIT_OBJECT_0 + 1),
    )?;
    // b was auto-reset by that wait; the manual one is still set.
    c.eq(
        "any again: the manual one",
        ws.wait_for_multiple_objects(&hs, false, 0),
        Ok(WAIT_OBJECT_0 + 2),
    )?;
    c.eq(
        "all, one unset",
        ws.wait_for_multiple_objects(&hs, true, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("SetEvent", ws.set_event(b))?;
    c.eq(
        "all, still one unset: takes nothing",
        ws.wait_for_multiple_objects(&hs, true, 10),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "b kept its signal",
        ws.wait_for_single_object(b.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("SetEvent", ws.set_event(a))?;
    e("SetEvent", ws.set_event(b))?;
    c.eq(
        "all set",
        ws.wait_for_multiple_objects(&hs, true, 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "wait-all took a",
        ws.wait_for_single_object(a.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "wait-all took b",
        ws.wait_for_single_object(b.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "the manual one stays",
        ws.wait_for_single_object(m.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    let inval = Err(WsaError::WSA_INVALID_PARAMETER);
    c.eq(
        "no handles",
        code(ws.wait_for_multiple_objects(&[], false, 0)),
        inval,
    )?;
    let many = vec![Handle::from(m); MAXIMUM_WAIT_OBJECTS + 1];
    c.eq(
        "65 handles",
        code(ws.wait_for_multiple_objects(&many, false, 0)),
        inval,
    )?;
    let twice = [Handle::from(m), Handle::from(m)];
    c.eq(
        "one handle twice, wait-all",
        code(ws.wait_for_multiple_objects(&twice, true, 0)),
        inval,
    )?;
    c.eq(
        "one handle twice, wait-any",
        ws.wait_for_multiple_objects(&twice, false, 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("CloseHandle", ws.close_handle(b.into()))?;
    c.eq(
        "a closed handle among them",
        code(ws.wait_for_multiple_objects(&hs, false, 0)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    for h in [a, m] {
        e("CloseHandle", ws.close_handle(h.into()))?;
    }
    Ok(())
}

fn thread_handles<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let go = e("CreateEvent", ws.create_event(true, false))?;
    let idle = e("CreateEvent", ws.create_event(true, false))?;
    let t = e(
        "CreateThread",
        ws.create_thread("waits-for-go", move |ws: &W| {
            ws.wait_for_single_object(go.into(), INFINITE).map(drop)
        }),
    )?;
    c.eq(
        "running thread, 0 ms",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "running thread, 10 ms",
        ws.wait_for_single_object(t.into(), 10),
        Ok(WAIT_TIMEOUT),
    )?;
    let hs = [Handle::from(idle), Handle::from(t)];
    c.eq(
        "any over event and running thread",
        ws.wait_for_multiple_objects(&hs, false, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("SetEvent", ws.set_event(go))?;
    c.eq(
        "any: the thread ended",
        ws.wait_for_multiple_objects(&hs, false, INFINITE),
        Ok(WAIT_OBJECT_0 + 1),
    )?;
    c.eq(
        "an ended thread stays signalled",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("SetEvent", ws.set_event(idle))?;
    c.eq(
        "all: event and ended thread",
        ws.wait_for_multiple_objects(&hs, true, 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("CloseHandle of a thread", ws.close_handle(t.into()))?;
    for h in [go, idle] {
        e("CloseHandle", ws.close_handle(h.into()))?;
    }
    Ok(())
}

fn mutexes<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let m = e("CreateMutex owned", ws.create_mutex(true))?;
    c.eq(
        "the owner re-acquires",
        ws.wait_for_single_object(m.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    let (wait, release) = on_thread(ws, move |ws: &W| {
        (
            ws.wait_for_single_object(m.into(), 0),
            code(ws.release_mutex(m)),
        )
    })?;
    c.eq("another thread's wait", wait, Ok(WAIT_TIMEOUT))?;
    c.eq(
        "another thread's release",
        release,
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    e("ReleaseMutex", ws.release_mutex(m))?;
    e("ReleaseMutex (the second acquisition)", ws.release_mutex(m))?;
    c.eq(
        "released once too often",
        code(ws.release_mutex(m)),
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    // A thread takes the mutex and ends without releasing it: abandoned.
    let taken = on_thread(ws, move |ws: &W| ws.wait_for_single_object(m.into(), 0))?;
    c.eq("the helper took it", taken, Ok(WAIT_OBJECT_0))?;
    c.eq(
        "abandoned",
        ws.wait_for_single_object(m.into(), 0),
        Ok(WAIT_ABANDONED),
    )?;
    e(
        "ReleaseMutex after taking it abandoned",
        ws.release_mutex(m),
    )?;
    c.eq(
        "not abandoned twice",
        ws.wait_for_single_object(m.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("ReleaseMutex", ws.release_mutex(m))?;
    let unset = e("CreateEvent", ws.create_event(true, false))?;
    let taken = on_thread(ws, move |ws: &W| ws.wait_for_single_object(m.into(), 0))?;
    c.eq("the helper took it again", taken, Ok(WAIT_OBJECT_0))?;
    let hs = [Handle::from(unset), Handle::from(m)];
    c.eq(
        "any: WAIT_ABANDONED_0 + 1",
        ws.wait_for_multiple_objects(&hs, false, 0),
        Ok(WAIT_ABANDONED_0 + 1),
    )?;
    e("ReleaseMutex", ws.release_mutex(m))?;
    e("CloseHandle", ws.close_handle(m.into()))?;
    let bad = Err(WsaError::WSA_INVALID_HANDLE);
    c.eq("ReleaseMutex, closed", code(ws.release_mutex(m)), bad)?;
    c.eq(
        "wait, closed",
        code(ws.wait_for_single_object(m.into(), 0)),
        bad,
    )?;
    c.eq("CloseHandle twice", code(ws.close_handle(m.into())), bad)?;
    e("CloseHandle", ws.close_handle(unset.into()))?;
    Ok(())
}

fn semaphores<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let inval = Err(WsaError::WSA_INVALID_PARAMETER);
    c.eq(
        "initial above maximum",
        code(ws.create_semaphore(4, 3)),
        inval,
    )?;
    c.eq("maximum 0", code(ws.create_semaphore(0, 0)), inval)?;
    c.eq("initial -1", code(ws.create_semaphore(-1, 1)), inval)?;
    let s = e("CreateSemaphore(2, 3)", ws.create_semaphore(2, 3))?;
    c.eq(
        "first unit",
        ws.wait_for_single_object(s.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "second unit",
        ws.wait_for_single_object(s.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "none left",
        ws.wait_for_single_object(s.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq("release 1: previous 0", ws.release_semaphore(s, 1), Ok(0))?;
    c.eq(
        "release 3: past the maximum",
        ws.release_semaphore(s, 3),
        Err(WsaError::ERROR_TOO_MANY_POSTS),
    )?;
    c.eq_or_wine(
        "release 0",
        code(ws.release_semaphore(s, 0)),
        inval,
        Ok(()),
        "Microsoft's ReleaseSemaphore docs: lReleaseCount must be greater than zero; .NET's PAL suite (paltest_releasesemaphore_test1, written to Windows' behaviour) expects FALSE for 0; Wine 8.0 adds nothing and succeeds",
    )?;
    c.eq_or_wine(
        "release -1",
        code(ws.release_semaphore(s, -1)),
        inval,
        Err(WsaError::ERROR_TOO_MANY_POSTS),
        "Microsoft's ReleaseSemaphore docs: lReleaseCount must be greater than zero; .NET's PAL suite (paltest_releasesemaphore_test1) expects FALSE for -1; Wine 8.0 takes it as a huge count: ERROR_TOO_MANY_POSTS",
    )?;
    c.eq(
        "release 2: the count was unchanged",
        ws.release_semaphore(s, 2),
        Ok(1),
    )?;
    c.eq(
        "full: release 1",
        ws.release_semaphore(s, 1),
        Err(WsaError::ERROR_TOO_MANY_POSTS),
    )?;
    let hs = [Handle::from(s), Handle::from(s)];
    c.eq(
        "any over it twice",
        ws.wait_for_multiple_objects(&hs, false, 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq("one unit was taken", ws.release_semaphore(s, 1), Ok(2))?;
    // A thread blocked on the empty semaphore wakes when another releases.
    let z = e("CreateSemaphore(0, 1)", ws.create_semaphore(0, 1))?;
    let t = e(
        "CreateThread",
        ws.create_thread("sem-waiter", move |ws: &W| {
            ws.wait_for_single_object(z.into(), INFINITE).map(drop)
        }),
    )?;
    c.eq(
        "the waiter waits",
        ws.wait_for_single_object(t.into(), 10),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq("release wakes it", ws.release_semaphore(z, 1), Ok(0))?;
    c.eq(
        "the waiter ended",
        ws.wait_for_single_object(t.into(), INFINITE),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "it took the unit",
        ws.wait_for_single_object(z.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    for h in [s, z] {
        e("CloseHandle", ws.close_handle(h.into()))?;
    }
    let bad = Err(WsaError::WSA_INVALID_HANDLE);
    c.eq(
        "ReleaseSemaphore, closed",
        code(ws.release_semaphore(s, 1)),
        bad,
    )?;
    c.eq("CloseHandle twice", code(ws.close_handle(s.into())), bad)?;
    Ok(())
}

fn console_ctrl<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let done = e("CreateEvent", ws.create_event(false, false))?;
    let (s1, s2) = (Arc::clone(&seen), Arc::clone(&seen));
    let me = ws.get_current_thread_id();
    let first = e(
        "SetConsoleCtrlHandler",
        ws.set_console_ctrl_handler(Box::new(move |ws: &W, ty| {
            s1.lock()
                .expect("seen")
                .push(("first", ty, ws.get_current_thread_id() != me));
            let _ = ws.set_event(done);
            true
        })),
    )?;
    let second = e(
        "SetConsoleCtrlHandler",
        ws.set_console_ctrl_handler(Box::new(move |ws: &W, ty| {
            s2.lock()
                .expect("seen")
                .push(("second", ty, ws.get_current_thread_id() != me));
            let _ = ws.set_event(done);
            ty == CTRL_BREAK_EVENT
        })),
    )?;
    e(
        "GenerateConsoleCtrlEvent",
        ws.generate_console_ctrl_event(CTRL_BREAK_EVENT),
    )?;
    e(
        "wait for the handler",
        ws.wait_for_single_object(done.into(), INFINITE),
    )?;
    let got = std::mem::take(&mut *seen.lock().expect("seen"));
    c.eq(
        "Ctrl+Break: the last handler took it, on another thread",
        got,
        vec![("second", CTRL_BREAK_EVENT, true)],
    )?;
    e(
        "GenerateConsoleCtrlEvent",
        ws.generate_console_ctrl_event(CTRL_C_EVENT),
    )?;
    // Both run (the second declines): wait for the first one's signal.
    e(
        "wait for the handlers",
        ws.wait_for_single_object(done.into(), INFINITE),
    )?;
    loop {
        if seen.lock().expect("seen").len() >= 2 {
            break;
        }
        e(
            "wait for the first handler",
            ws.wait_for_single_object(done.into(), INFINITE),
        )?;
    }
    let got = std::mem::take(&mut *seen.lock().expect("seen"));
    c.eq(
        "Ctrl+C: the last declines, the first takes it",
        got,
        vec![
            ("second", CTRL_C_EVENT, true),
            ("first", CTRL_C_EVENT, true),
        ],
    )?;
    e("remove the second", ws.remove_console_ctrl_handler(second))?;
    c.eq(
        "remove it twice",
        code(ws.remove_console_ctrl_handler(second)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq(
        "raise CTRL_CLOSE_EVENT",
        code(ws.generate_console_ctrl_event(CTRL_CLOSE_EVENT)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    e("remove the first", ws.remove_console_ctrl_handler(first))?;
    // Process globals: one value for every thread, made once.
    let a = ws.process_global(|| Mutex::new(7u32));
    let b = on_thread(ws, |ws: &W| ws.process_global(|| Mutex::new(0u32)))?;
    c.eq("one global for the process", Arc::ptr_eq(&a, &b), true)?;
    c.eq("made by the first caller", *b.lock().expect("global"), 7)?;
    c.eq(
        "thread ids: non-zero, multiples of 4",
        (me != 0, me % 4),
        (true, 0),
    )?;
    let (tid, handle) = on_thread(ws, |ws: &W| {
        (ws.get_current_thread_id(), ws.get_current_thread())
    })?;
    c.eq("another thread, another id", tid != me, true)?;
    c.eq(
        "its GetCurrentThread handle is signalled once it ended",
        ws.wait_for_single_object(handle.into(), INFINITE),
        Ok(WAIT_OBJECT_0),
    )?;
    e("CloseHandle", ws.close_handle(done.into()))?;
    Ok(())
}
