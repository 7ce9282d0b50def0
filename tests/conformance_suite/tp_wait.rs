//! The Vista thread pool's wait objects, written once for the simulator and the real
//! kernel32 (the calls' documentation; Wine's ntdll tests threadpool.c `test_tp_wait` and
//! `test_tp_wait_early_closure`, which pass on Windows).

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn tp_wait_rules<W: Winsock + ThreadpoolWaits + WaitableTimers + Send + Sync + 'static>(
) -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "TPW-signal",
            title: "a wait object set on a semaphore runs its callback once with WAIT_OBJECT_0 when it is released, taking the count, and waits no more until set again; two waits on one semaphore released once: one callback",
            body: signal::<W>,
        },
        Rule {
            id: "TPW-timeout",
            title: "a wait object's relative timeout runs the callback with WAIT_TIMEOUT when it passes, not before; a zero timeout at once; a signal before the timeout gives WAIT_OBJECT_0",
            body: timeout::<W>,
        },
        Rule {
            id: "TPW-stop",
            title: "SetThreadpoolWait(NULL) stops a wait (the semaphore keeps its count); WaitForThreadpoolWaitCallbacks(TRUE) leaves the wait set; a wait keeps its object when the program closes its handle",
            body: stop::<W>,
        },
        Rule {
            id: "TPW-wait-ex",
            title: "SetThreadpoolWaitEx is TRUE when it cancels a wait still waiting (set again, or stopped, before its object is signalled or its timeout comes), FALSE for a wait never set, stopped, or already satisfied by its object or its timeout; the last error kept",
            body: wait_ex::<W>,
        },
    ]
}

fn wait_ex<W: Winsock + ThreadpoolWaits + WaitableTimers + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    const MARK: i32 = 1234;
    let (seen, sem, w) = one_wait(ws)?;
    let h = Some(Handle::Semaphore(sem));
    ws.wsa_set_last_error(MARK);
    match ws.set_threadpool_wait_ex(w, h, None) {
        Err(WsaError::ERROR_PROC_NOT_FOUND) if winsock_sim::os::under_wine() => {
            c.eq_or_wine(
                "SetThreadpoolWaitEx",
                Err(WsaError::ERROR_PROC_NOT_FOUND),
                Ok(false),
                Err(WsaError::ERROR_PROC_NOT_FOUND),
                "SetThreadpoolWaitEx's documentation (Windows 8 and later); Wine 8.0's \
                 kernel32 has none",
            )?;
            return tidy(ws, &seen, w, sem);
        }
        r => c.eq("never set", r, Ok(false))?,
    }
    c.eq("its last error", ws.wsa_get_last_error(), MARK)?;
    c.eq(
        "set again, waiting",
        ws.set_threadpool_wait_ex(w, h, None),
        Ok(true),
    )?;
    c.eq(
        "stopped, waiting",
        ws.set_threadpool_wait_ex(w, None, None),
        Ok(true),
    )?;
    c.eq(
        "stopped again",
        ws.set_threadpool_wait_ex(w, None, None),
        Ok(false),
    )?;
    // Satisfied by its object: nothing to cancel.
    c.eq("set", ws.set_threadpool_wait_ex(w, h, None), Ok(false))?;
    e("ReleaseSemaphore", ws.release_semaphore(sem, 1))?;
    c.eq("the callback ran", seen.ran(ws, 5_000), true)?;
    c.eq(
        "set after it fired",
        ws.set_threadpool_wait_ex(w, h, after(50)),
        Ok(false),
    )?;
    // Satisfied by its timeout: nothing to cancel either.
    c.eq("the timeout's callback ran", seen.ran(ws, 5_000), true)?;
    c.eq("results", seen.take(), vec![WAIT_OBJECT_0, WAIT_TIMEOUT])?;
    c.eq(
        "stopped after it timed out",
        ws.set_threadpool_wait_ex(w, None, None),
        Ok(false),
    )?;
    e(
        "WaitForThreadpoolWaitCallbacks",
        ws.wait_for_threadpool_wait_callbacks(w, false),
    )?;
    tidy(ws, &seen, w, sem)
}

/// The callbacks' results in order, and a semaphore released by each.
struct Seen {
    results: Arc<Mutex<Vec<u32>>>,
    ran: SemaphoreHandle,
}

impl Seen {
    fn new<W: SyncObjects>(ws: &W) -> Result<Seen, String> {
        Ok(Seen {
            results: Arc::default(),
            ran: e("CreateSemaphore", ws.create_semaphore(0, 16))?,
        })
    }

    fn callback<W: ThreadpoolWaits + 'static>(&self) -> TpWaitCallback<W> {
        let (results, ran) = (self.results.clone(), self.ran);
        Arc::new(move |ws: &W, _, _, result| {
            results.lock().expect("results").push(result);
            let _ = ws.release_semaphore(ran, 1);
        })
    }

    /// Waits up to `ms` for a callback: whether one ran.
    fn ran<W: SyncObjects>(&self, ws: &W, ms: u32) -> bool {
        ws.wait_for_single_object(Handle::Semaphore(self.ran), ms) == Ok(WAIT_OBJECT_0)
    }

    fn take(&self) -> Vec<u32> {
        std::mem::take(&mut *self.results.lock().expect("results"))
    }
}

/// A wait object whose callback `Seen` records, and a semaphore (count 0, maximum 1) to set
/// it on.
fn one_wait<W: ThreadpoolWaits + SyncObjects + 'static>(
    ws: &W,
) -> Result<(Seen, SemaphoreHandle, TpWait), String> {
    let seen = Seen::new(ws)?;
    let sem = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    let w = e(
        "CreateThreadpoolWait",
        ws.create_threadpool_wait(seen.callback()),
    )?;
    Ok((seen, sem, w))
}

/// Closes what `one_wait` made.
fn tidy<W: ThreadpoolWaits + SyncObjects>(
    ws: &W,
    seen: &Seen,
    w: TpWait,
    sem: SemaphoreHandle,
) -> Result<(), String> {
    e("CloseThreadpoolWait", ws.close_threadpool_wait(w))?;
    e("CloseHandle", ws.close_handle(Handle::Semaphore(sem)))?;
    e("CloseHandle", ws.close_handle(Handle::Semaphore(seen.ran)))
}

/// 100-ns units of `ms` milliseconds from now (a relative FILETIME).
fn after(ms: i64) -> Option<i64> {
    Some(-ms * 10_000)
}

fn signal<W: Winsock + ThreadpoolWaits + WaitableTimers + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let seen = Seen::new(ws)?;
    let sem = e("CreateSemaphore", ws.create_semaphore(0, 2))?;
    let w1 = e(
        "CreateThreadpoolWait",
        ws.create_threadpool_wait(seen.callback()),
    )?;
    let w2 = e(
        "CreateThreadpoolWait",
        ws.create_threadpool_wait(seen.callback()),
    )?;
    let h = Handle::Semaphore(sem);
    e(
        "SetThreadpoolWait",
        ws.set_threadpool_wait(w1, Some(h), None),
    )?;
    e("ReleaseSemaphore", ws.release_semaphore(sem, 1))?;
    c.eq("the callback ran", seen.ran(ws, 5_000), true)?;
    c.eq("its result", seen.take(), vec![WAIT_OBJECT_0])?;
    c.eq(
        "the wait took the count",
        ws.wait_for_single_object(h, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    // Once only: a second release is left alone.
    e("ReleaseSemaphore", ws.release_semaphore(sem, 1))?;
    c.eq("no second callback", seen.ran(ws, 300), false)?;
    c.eq(
        "the count stays",
        ws.wait_for_single_object(h, 0),
        Ok(WAIT_OBJECT_0),
    )?;
    // Two waits, one release: one callback; two releases: both.
    for (releases, want) in [(1, 1), (2, 2)] {
        e(
            "SetThreadpoolWait",
            ws.set_threadpool_wait(w1, Some(h), None),
        )?;
        e(
            "SetThreadpoolWait",
            ws.set_threadpool_wait(w2, Some(h), None),
        )?;
        ws.sleep(50);
        e("ReleaseSemaphore", ws.release_semaphore(sem, releases))?;
        for _ in 0..want {
            c.eq("a callback ran", seen.ran(ws, 5_000), true)?;
        }
        c.eq("no more", seen.ran(ws, 300), false)?;
        c.eq("their results", seen.take(), vec![WAIT_OBJECT_0; want])?;
        c.eq(
            "the counts taken",
            ws.wait_for_single_object(h, 0),
            Ok(WAIT_TIMEOUT),
        )?;
        // The one that did not fire (one release) still waits: stop both.
        e(
            "SetThreadpoolWait(NULL)",
            ws.set_threadpool_wait(w1, None, None),
        )?;
        e(
            "SetThreadpoolWait(NULL)",
            ws.set_threadpool_wait(w2, None, None),
        )?;
    }
    for w in [w1, w2] {
        e("CloseThreadpoolWait", ws.close_threadpool_wait(w))?;
    }
    c.eq(
        "SetThreadpoolWait of a closed object (the crate's answer)",
        ws.set_threadpool_wait(w1, Some(h), None),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    e("CloseHandle", ws.close_handle(h))?;
    e("CloseHandle", ws.close_handle(Handle::Semaphore(seen.ran)))?;
    Ok(())
}

fn timeout<W: Winsock + ThreadpoolWaits + WaitableTimers + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (seen, sem, w) = one_wait(ws)?;
    let h = Handle::Semaphore(sem);
    e(
        "SetThreadpoolWait(200 ms)",
        ws.set_threadpool_wait(w, Some(h), after(200)),
    )?;
    c.eq("not before its timeout", seen.ran(ws, 100), false)?;
    c.eq("at its timeout", seen.ran(ws, 5_000), true)?;
    c.eq("WAIT_TIMEOUT", seen.take(), vec![WAIT_TIMEOUT])?;
    e(
        "SetThreadpoolWait(0)",
        ws.set_threadpool_wait(w, Some(h), Some(0)),
    )?;
    c.eq("a zero timeout: at once", seen.ran(ws, 5_000), true)?;
    c.eq("WAIT_TIMEOUT", seen.take(), vec![WAIT_TIMEOUT])?;
    e(
        "SetThreadpoolWait(200 ms)",
        ws.set_threadpool_wait(w, Some(h), after(200)),
    )?;
    c.eq("not yet", seen.ran(ws, 100), false)?;
    e("ReleaseSemaphore", ws.release_semaphore(sem, 1))?;
    c.eq("signalled first", seen.ran(ws, 5_000), true)?;
    c.eq("WAIT_OBJECT_0", seen.take(), vec![WAIT_OBJECT_0])?;
    c.eq(
        "the count taken",
        ws.wait_for_single_object(h, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    tidy(ws, &seen, w, sem)
}

fn stop<W: Winsock + ThreadpoolWaits + WaitableTimers + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (seen, sem, w) = one_wait(ws)?;
    let h = Handle::Semaphore(sem);
    e(
        "SetThreadpoolWait(250 ms)",
        ws.set_threadpool_wait(w, Some(h), after(250)),
    )?;
    ws.sleep(50);
    e(
        "SetThreadpoolWait(NULL)",
        ws.set_threadpool_wait(w, None, None),
    )?;
    e("ReleaseSemaphore", ws.release_semaphore(sem, 1))?;
    c.eq("a stopped wait: no callback", seen.ran(ws, 500), false)?;
    c.eq(
        "the semaphore keeps its count",
        ws.wait_for_single_object(h, 0),
        Ok(WAIT_OBJECT_0),
    )?;
    // A cancelling wait for callbacks leaves the wait itself set.
    e(
        "SetThreadpoolWait(200 ms)",
        ws.set_threadpool_wait(w, Some(h), after(200)),
    )?;
    c.eq(
        "WaitForThreadpoolWaitCallbacks(TRUE)",
        ws.wait_for_threadpool_wait_callbacks(w, true),
        Ok(()),
    )?;
    c.eq("nothing ran yet", seen.take(), Vec::<u32>::new())?;
    c.eq("the wait still times out", seen.ran(ws, 5_000), true)?;
    c.eq("WAIT_TIMEOUT", seen.take(), vec![WAIT_TIMEOUT])?;
    // The wait holds its object: a waitable timer closed once the wait is set still fires it.
    let timer = e("CreateWaitableTimer", ws.create_waitable_timer(true))?;
    e(
        "SetWaitableTimer(100 ms)",
        ws.set_waitable_timer(timer, -100 * 10_000, 0, None, false),
    )?;
    e(
        "SetThreadpoolWait(timer)",
        ws.set_threadpool_wait(w, Some(Handle::Timer(timer)), None),
    )?;
    e("CloseHandle(timer)", ws.close_handle(Handle::Timer(timer)))?;
    c.eq("the closed timer's wait fires", seen.ran(ws, 5_000), true)?;
    c.eq("WAIT_OBJECT_0", seen.take(), vec![WAIT_OBJECT_0])?;
    tidy(ws, &seen, w, sem)
}
