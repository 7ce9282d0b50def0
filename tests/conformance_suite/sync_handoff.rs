//! A signal satisfies the waits on the object at once, as NT's dispatcher does (and Wine's
//! wineserver): written once for the simulator and the real kernel32. An auto-reset event set
//! while a thread waits on it is that thread's, so the setter's own wait right after times
//! out; a released semaphore count and a released mutex go to the waiting thread likewise;
//! a wait-any returns the object whose signal released it. SignalObjectAndWait (kernel32
//! sync.c test_signalandwait, and its neighbours) is here too.

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn handoff_rules<
    W: Winsock + SyncObjects + OverlappedIo + WaitableTimers + Send + Sync + 'static,
>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "SYNC-handoff",
            title: "a signal goes to the thread already waiting: after SetEvent (auto-reset), ReleaseSemaphore, ReleaseMutex or a synchronization timer's expiry the signaller's own wait times out and the waiter has it; a wait-any returns the object that released it",
            body: handoff::<W>,
        },
        Rule {
            id: "SYNC-signal-wait",
            title: "SignalObjectAndWait: signals an event, semaphore or mutex, then waits; a failed signal (semaphore at its maximum, mutex not owned) waits on nothing; a timer or thread to signal, or a bad handle, ERROR_INVALID_HANDLE with nothing signalled; alertable: WAIT_IO_COMPLETION",
            body: signal_and_wait::<W>,
        },
    ]
}

/// Starts a thread that waits on `handles` (wait-any, 5 s) and keeps the result in `slot`;
/// returns once the thread has announced it is about to wait and had 100 ms more to block
/// (a real thread's start can take longer than that under load). A thread given `release`
/// (a mutex, and an event) keeps the mutex it got until the event is set, so that the
/// caller's own check runs while the waiter holds it.
fn waiter<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    handles: Vec<Handle>,
    release: Option<(MutexHandle, WsaEvent)>,
    slot: &Arc<Mutex<Option<Result<u32, WsaError>>>>,
) -> Result<ThreadId, String> {
    let slot = slot.clone();
    let ready = e("CreateEvent", ws.create_event(true, false))?;
    let t = e(
        "CreateThread",
        ws.create_thread("waiter", move |ws: &W| {
            ws.set_event(ready)?;
            let r = ws.wait_for_multiple_objects(&handles, false, 5_000);
            *slot.lock().expect("result slot") = Some(r);
            if let (Some((m, checked)), Ok(0)) = (release, r) {
                ws.wait_for_single_object(checked.into(), 5_000)?;
                ws.release_mutex(m)?;
            }
            Ok(())
        }),
    )?;
    e(
        "wait for the waiter's start",
        ws.wait_for_single_object(ready.into(), 5_000),
    )?;
    ws.sleep(100);
    e("CloseHandle", ws.close_handle(ready.into()))?;
    Ok(t)
}

/// `signal` (SetEvent, ReleaseSemaphore, ReleaseMutex) with a thread waiting on `h`: the
/// signaller's own wait right after times out, and the waiter's returns WAIT_OBJECT_0.
fn goes_to_the_waiter<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
    what: &str,
    h: Handle,
    release: Option<MutexHandle>,
    slot: &Arc<Mutex<Option<Result<u32, WsaError>>>>,
    signal: impl FnOnce(&W) -> Result<(), String>,
) -> Result<(), String> {
    let checked = e("CreateEvent", ws.create_event(true, false))?;
    let t = waiter(ws, vec![h], release.map(|m| (m, checked)), slot)?;
    signal(ws)?;
    c.eq(
        &format!("the signaller's WaitForSingleObject({what}, 0) right after the signal"),
        ws.wait_for_single_object(h, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("SetEvent", ws.set_event(checked))?;
    e("wait for the waiter", ws.wait_for_thread(t, 10_000))?;
    e("CloseHandle", ws.close_handle(checked.into()))?;
    c.eq(
        &format!("the waiter's wait on the {what}"),
        slot.lock().expect("slot").take(),
        Some(Ok(WAIT_OBJECT_0)),
    )
}

fn handoff<W: Winsock + SyncObjects + WaitableTimers + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let slot = Arc::new(Mutex::new(None));
    // An auto-reset event.
    let ev = e("CreateEvent", ws.create_event(false, false))?;
    goes_to_the_waiter(ws, c, "event", ev.into(), None, &slot, |ws| {
        e("SetEvent", ws.set_event(ev))
    })?;
    // A semaphore at 0 of 1.
    let sem = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    goes_to_the_waiter(ws, c, "semaphore", sem.into(), None, &slot, |ws| {
        e("ReleaseSemaphore", ws.release_semaphore(sem, 1)).map(drop)
    })?;
    // A mutex the caller owns (the waiter releases it once it has it).
    let m = e("CreateMutex", ws.create_mutex(true))?;
    goes_to_the_waiter(ws, c, "mutex", m.into(), Some(m), &slot, |ws| {
        e("ReleaseMutex", ws.release_mutex(m))
    })?;
    // A synchronization waitable timer that expires while the thread waits.
    let timer = e("CreateWaitableTimer", ws.create_waitable_timer(false))?;
    goes_to_the_waiter(ws, c, "timer", timer.into(), None, &slot, |ws| {
        let due = -100 * FILETIME_TICKS_PER_MS;
        e(
            "SetWaitableTimer",
            ws.set_waitable_timer(timer, due, 0, None, false),
        )?;
        ws.sleep(300);
        Ok(())
    })?;
    // A wait-any on two manual-reset events: the second is set, then the first.
    let (e0, e1) = (
        e("CreateEvent", ws.create_event(true, false))?,
        e("CreateEvent", ws.create_event(true, false))?,
    );
    let t = waiter(ws, vec![e0.into(), e1.into()], None, &slot)?;
    e("SetEvent", ws.set_event(e1))?;
    e("SetEvent", ws.set_event(e0))?;
    e("wait for the waiter", ws.wait_for_thread(t, 10_000))?;
    c.eq(
        "the wait-any released by the second event",
        slot.lock().expect("slot").take(),
        Some(Ok(WAIT_OBJECT_0 + 1)),
    )?;
    for h in [
        ev.into(),
        sem.into(),
        m.into(),
        timer.into(),
        e0.into(),
        e1.into(),
    ] {
        e("CloseHandle", ws.close_handle(h))?;
    }
    Ok(())
}

fn signal_and_wait<
    W: Winsock + SyncObjects + OverlappedIo + WaitableTimers + Send + Sync + 'static,
>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    // sync.c 137–158: an auto-reset event signalled and waited on.
    let e0 = e("CreateEvent", ws.create_event(false, false))?;
    let e1 = e("CreateEvent", ws.create_event(true, true))?;
    c.eq(
        "signal event 0, wait on the signalled event 1",
        ws.signal_object_and_wait(e0.into(), e1.into(), 0, false),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "signal and wait on the auto-reset event 0 itself",
        ws.signal_object_and_wait(e0.into(), e0.into(), 0, false),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "event 0 after it",
        ws.wait_for_single_object(e0.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("ResetEvent", ws.reset_event(e1))?;
    c.eq(
        "the wait on the reset event 1",
        ws.signal_object_and_wait(e0.into(), e1.into(), 0, false),
        Ok(WAIT_TIMEOUT),
    )?;
    // sync.c 164–178: semaphores.
    let s0 = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    let s1 = e("CreateSemaphore", ws.create_semaphore(1, 1))?;
    c.eq(
        "release semaphore 0, take semaphore 1",
        ws.signal_object_and_wait(s0.into(), s1.into(), 0, false),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "semaphore 0 at its maximum",
        ws.signal_object_and_wait(s0.into(), s1.into(), 0, false),
        Err(WsaError::ERROR_TOO_MANY_POSTS),
    )?;
    c.eq(
        "semaphore 1 was not waited on",
        ws.release_semaphore(s1, 1),
        Ok(0),
    )?;
    // The neighbours: a mutex, a timer, a thread, a bad handle, an APC.
    let m = e("CreateMutex", ws.create_mutex(true))?;
    let ev = e("CreateEvent", ws.create_event(true, false))?;
    c.eq(
        "release the owned mutex, wait on an unsignalled event",
        ws.signal_object_and_wait(m.into(), ev.into(), 0, false),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "the mutex no longer owned",
        ws.signal_object_and_wait(m.into(), ev.into(), 0, false),
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    let timer = e("CreateWaitableTimer", ws.create_waitable_timer(true))?;
    c.eq(
        "a timer to signal",
        ws.signal_object_and_wait(timer.into(), ev.into(), 0, false),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    let me = ws.get_current_thread();
    c.eq(
        "a thread to signal",
        ws.signal_object_and_wait(me.into(), ev.into(), 0, false),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "event 0, signalled by the call whose wait timed out",
        ws.wait_for_single_object(e0.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    let bogus: Handle = WsaEvent::from_raw(0xdead_0000).into();
    c.eq(
        "a bad handle to wait on",
        ws.signal_object_and_wait(e0.into(), bogus, 0, false),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "the event it would have signalled",
        ws.wait_for_single_object(e0.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("QueueUserAPC", ws.queue_user_apc(Box::new(|_| {}), me))?;
    c.eq(
        "alertable, an APC queued",
        ws.signal_object_and_wait(e0.into(), ev.into(), 5_000, true),
        Ok(WAIT_IO_COMPLETION),
    )?;
    c.eq(
        "the event it signalled first",
        ws.wait_for_single_object(e0.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    for h in [
        e0.into(),
        e1.into(),
        s0.into(),
        s1.into(),
        m.into(),
        ev.into(),
        timer.into(),
    ] {
        e("CloseHandle", ws.close_handle(h))?;
    }
    Ok(())
}
