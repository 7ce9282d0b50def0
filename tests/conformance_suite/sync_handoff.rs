//! A signal satisfies the waits on the object at once, as NT's dispatcher does (and Wine's
//! wineserver): written once for the simulator and the real kernel32. An auto-reset event set
//! while a thread waits on it is that thread's, so the setter's own wait right after times
//! out; a released semaphore count and a released mutex go to the waiting thread likewise;
//! a wait-any returns the object whose signal released it.

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn handoff_rules<W: Winsock + SyncObjects + Send + Sync + 'static>() -> Vec<Rule<W>> {
    vec![Rule {
        id: "SYNC-handoff",
        title: "a signal goes to the thread already waiting: after SetEvent (auto-reset), ReleaseSemaphore or ReleaseMutex the signaller's own wait times out and the waiter has it; a wait-any returns the object that released it",
        body: handoff::<W>,
    }]
}

/// Starts a thread that waits on `handles` (wait-any, 5 s) and keeps the result in `slot`;
/// returns once it has had time to block (100 ms).
fn waiter<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    handles: Vec<Handle>,
    release: Option<MutexHandle>,
    slot: &Arc<Mutex<Option<Result<u32, WsaError>>>>,
) -> Result<ThreadId, String> {
    let slot = slot.clone();
    let t = e(
        "CreateThread",
        ws.create_thread("waiter", move |ws: &W| {
            let r = ws.wait_for_multiple_objects(&handles, false, 5_000);
            *slot.lock().expect("result slot") = Some(r);
            if let (Some(m), Ok(0)) = (release, r) {
                ws.release_mutex(m)?;
            }
            Ok(())
        }),
    )?;
    ws.sleep(100);
    Ok(t)
}

fn handoff<W: Winsock + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let slot = Arc::new(Mutex::new(None));
    // An auto-reset event.
    let ev = e("CreateEvent", ws.create_event(false, false))?;
    let t = waiter(ws, vec![ev.into()], None, &slot)?;
    e("SetEvent", ws.set_event(ev))?;
    c.eq(
        "the setter's WaitForSingleObject(event, 0) right after SetEvent",
        ws.wait_for_single_object(ev.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("wait for the waiter", ws.wait_for_thread(t, 10_000))?;
    c.eq(
        "the waiter's wait",
        slot.lock().expect("slot").take(),
        Some(Ok(WAIT_OBJECT_0)),
    )?;
    // A semaphore at 0 of 1.
    let sem = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    let t = waiter(ws, vec![sem.into()], None, &slot)?;
    c.eq("ReleaseSemaphore", ws.release_semaphore(sem, 1), Ok(0))?;
    c.eq(
        "the releaser's WaitForSingleObject(semaphore, 0)",
        ws.wait_for_single_object(sem.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("wait for the waiter", ws.wait_for_thread(t, 10_000))?;
    c.eq(
        "the waiter's wait",
        slot.lock().expect("slot").take(),
        Some(Ok(WAIT_OBJECT_0)),
    )?;
    // A mutex the caller owns.
    let m = e("CreateMutex", ws.create_mutex(true))?;
    let t = waiter(ws, vec![m.into()], Some(m), &slot)?;
    e("ReleaseMutex", ws.release_mutex(m))?;
    c.eq(
        "the releaser's WaitForSingleObject(mutex, 0)",
        ws.wait_for_single_object(m.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("wait for the waiter", ws.wait_for_thread(t, 10_000))?;
    c.eq(
        "the waiter's wait",
        slot.lock().expect("slot").take(),
        Some(Ok(WAIT_OBJECT_0)),
    )?;
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
    for h in [ev.into(), sem.into(), m.into(), e0.into(), e1.into()] {
        e("CloseHandle", ws.close_handle(h))?;
    }
    Ok(())
}
