//! The Vista thread pool's private pools, written once for the simulator and the real kernel32
//! (the calls' documentation; Wine's ntdll tests threadpool.c `test_tp_simple`,
//! `test_tp_work_scheduler` and the first case of `test_tp_group_cancel`, which pass on
//! Windows).

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn tp_pool_rules<W: Winsock + ThreadpoolPools + SyncObjects + Send + Sync + 'static>(
) -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "TPP-max",
            title: "a pool of one thread runs its callbacks one at a time: one submitted while the first runs starts only when it returns; CallbackMayRunLong in it is FALSE, in the default pool TRUE",
            body: one_thread::<W>,
        },
        Rule {
            id: "TPP-min",
            title: "SetThreadpoolThreadMinimum above the maximum raises it: two callbacks of a pool of maximum 1 and minimum 2 run at once",
            body: minimum::<W>,
        },
        Rule {
            id: "TPP-cancel",
            title: "with the one thread of a pool busy, a cancelling CloseThreadpoolCleanupGroupMembers drops the members' queued callbacks (a simple callback, a work object) and calls their cancel callbacks, without waiting for the busy callback, which is no member",
            body: cancel_queued::<W>,
        },
        Rule {
            id: "TPP-turns",
            title: "a pool of one thread takes its objects in turn, not its queued callbacks in order: ten of one work object queued before ten of another do not keep the second waiting, and a group's release that waits for the second's three ends before the first's ten have run",
            body: turns::<W>,
        },
        Rule {
            id: "TPP-priority",
            title: "SetThreadpoolCallbackPriority: callbacks queued on a busy pool of one thread run high before normal before low, whatever the order they were submitted in",
            body: priority::<W>,
        },
        Rule {
            id: "TPP-close",
            title: "CloseThreadpool: objects made in the pool still run their callbacks there; the pool, and an environment naming it, are ERROR_INVALID_HANDLE after",
            body: close::<W>,
        },
    ]
}

/// A new pool of at most `max` threads and an environment naming it.
fn pool<W: ThreadpoolPools>(ws: &W, max: u32) -> Result<(TpPool, CallbackEnviron<W>), String> {
    let p = e("CreateThreadpool", ws.create_threadpool())?;
    e(
        "SetThreadpoolThreadMaximum",
        ws.set_threadpool_thread_maximum(p, max),
    )?;
    let mut env = CallbackEnviron::new();
    env.set_pool(p);
    Ok((p, env))
}

/// Waits for work object `w`'s callbacks, then closes it, pool `p` and the semaphores.
fn tidy<W: ThreadpoolPools + SyncObjects>(
    ws: &W,
    w: TpWork,
    p: TpPool,
    sems: &[SemaphoreHandle],
) -> Result<(), String> {
    e(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(w, false),
    )?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(w))?;
    e("CloseThreadpool", ws.close_threadpool(p))?;
    for &s in sems {
        e("CloseHandle", ws.close_handle(Handle::Semaphore(s)))?;
    }
    Ok(())
}

/// A work object of `env` running `callback`, submitted twice.
fn submitted_twice<W: ThreadpoolPools>(
    ws: &W,
    callback: WorkCallback<W>,
    env: &CallbackEnviron<W>,
) -> Result<TpWork, String> {
    let w = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(callback, env),
    )?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    Ok(w)
}

/// Whether `sem` is released within `ms`.
fn got<W: SyncObjects>(ws: &W, sem: SemaphoreHandle, ms: u32) -> bool {
    ws.wait_for_single_object(Handle::Semaphore(sem), ms) == Ok(WAIT_OBJECT_0)
}

/// A work callback that logs its start, releases `started`, waits up to 5 s for `go`, and
/// logs its end.
fn gated<W: ThreadpoolObjects + 'static>(
    log: &Arc<Mutex<Vec<String>>>,
    started: SemaphoreHandle,
    go: SemaphoreHandle,
) -> WorkCallback<W> {
    let log = log.clone();
    Arc::new(move |ws: &W, inst, _| {
        let more = ws.callback_may_run_long(inst);
        log.lock()
            .expect("log")
            .push(format!("start, may run long {more:?}"));
        let _ = ws.release_semaphore(started, 1);
        let _ = ws.wait_for_single_object(Handle::Semaphore(go), 5_000);
        log.lock().expect("log").push("end".into());
    })
}

fn one_thread<W: Winsock + ThreadpoolPools + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let started = e("CreateSemaphore", ws.create_semaphore(0, 4))?;
    let go = e("CreateSemaphore", ws.create_semaphore(0, 4))?;
    let log = Arc::new(Mutex::new(Vec::new()));
    let (p, env) = pool(ws, 1)?;
    let w = submitted_twice(ws, gated(&log, started, go), &env)?;
    c.eq("the first callback started", got(ws, started, 5_000), true)?;
    c.eq(
        "the second waits for the pool's thread",
        got(ws, started, 300),
        false,
    )?;
    e("ReleaseSemaphore", ws.release_semaphore(go, 1))?;
    c.eq(
        "the second started once the first returned",
        got(ws, started, 5_000),
        true,
    )?;
    e("ReleaseSemaphore", ws.release_semaphore(go, 1))?;
    e(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(w, false),
    )?;
    c.eq(
        "one at a time, CallbackMayRunLong FALSE",
        std::mem::take(&mut *log.lock().expect("log")),
        [
            "start, may run long Ok(false)",
            "end",
            "start, may run long Ok(false)",
            "end",
        ]
        .map(String::from)
        .to_vec(),
    )?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(w))?;
    // In the default pool there is room.
    let w = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work(gated(&log, started, go)),
    )?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    c.eq(
        "a default pool's callback started",
        got(ws, started, 5_000),
        true,
    )?;
    e("ReleaseSemaphore", ws.release_semaphore(go, 1))?;
    e(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(w, false),
    )?;
    c.eq(
        "CallbackMayRunLong in the default pool",
        log.lock().expect("log").first().cloned(),
        Some("start, may run long Ok(true)".to_string()),
    )?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(w))?;
    e("CloseThreadpool", ws.close_threadpool(p))?;
    for s in [started, go] {
        e("CloseHandle", ws.close_handle(Handle::Semaphore(s)))?;
    }
    Ok(())
}

fn minimum<W: Winsock + ThreadpoolPools + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let started = e("CreateSemaphore", ws.create_semaphore(0, 4))?;
    let go = e("CreateSemaphore", ws.create_semaphore(0, 4))?;
    let log = Arc::new(Mutex::new(Vec::new()));
    let (p, env) = pool(ws, 1)?;
    e(
        "SetThreadpoolThreadMinimum",
        ws.set_threadpool_thread_minimum(p, 2),
    )?;
    let w = submitted_twice(ws, gated(&log, started, go), &env)?;
    c.eq("the first started", got(ws, started, 5_000), true)?;
    c.eq("the second too, at once", got(ws, started, 5_000), true)?;
    e("ReleaseSemaphore", ws.release_semaphore(go, 2))?;
    tidy(ws, w, p, &[started, go])
}

fn cancel_queued<W: Winsock + ThreadpoolPools + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let busy = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    let cancels = e("CreateSemaphore", ws.create_semaphore(0, 4))?;
    let (p, env) = pool(ws, 1)?;
    // The pool's one thread waits for the two cancel callbacks.
    let waited = Arc::new(Mutex::new(Vec::new()));
    let wt = waited.clone();
    let blocker: SimpleCallback<W> = Arc::new(move |ws: &W, _| {
        let _ = ws.release_semaphore(busy, 1);
        for _ in 0..2 {
            let r = ws.wait_for_single_object(Handle::Semaphore(cancels), 5_000);
            wt.lock().expect("waited").push(r);
        }
        let _ = ws.release_semaphore(busy, 1);
    });
    e(
        "TrySubmitThreadpoolCallback",
        ws.try_submit_threadpool_callback(blocker, Some(&env)),
    )?;
    c.eq("the pool's thread is busy", got(ws, busy, 5_000), true)?;
    let g = e(
        "CreateThreadpoolCleanupGroup",
        ws.create_threadpool_cleanup_group(),
    )?;
    let named = Arc::new(Mutex::new(Vec::new()));
    let n = named.clone();
    let cancel: CleanupCancelCallback<W> = Arc::new(move |ws: &W, m, context| {
        n.lock().expect("named").push((m, context));
        let _ = ws.release_semaphore(cancels, 1);
    });
    let mut members = env.clone();
    members.set_cleanup_group(g, Some(cancel));
    let ran = Arc::new(Mutex::new(0u32));
    let r = ran.clone();
    let simple: SimpleCallback<W> = Arc::new(move |_, _| *r.lock().expect("ran") += 1);
    e(
        "TrySubmitThreadpoolCallback",
        ws.try_submit_threadpool_callback(simple, Some(&members)),
    )?;
    let r = ran.clone();
    let work: WorkCallback<W> = Arc::new(move |_, _, _| *r.lock().expect("ran") += 1);
    let w = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(work, &members),
    )?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, true, 9),
    )?;
    c.eq(
        "a cancel callback for each queued member, oldest first",
        named.lock().expect("named").clone(),
        vec![(TpMember::Simple, 9), (TpMember::Work(w), 9)],
    )?;
    c.eq("the busy callback then ended", got(ws, busy, 5_000), true)?;
    c.eq(
        "having seen both cancel callbacks",
        waited.lock().expect("waited").clone(),
        vec![Ok(WAIT_OBJECT_0), Ok(WAIT_OBJECT_0)],
    )?;
    ws.sleep(100);
    c.eq("no dropped callback ran", *ran.lock().expect("ran"), 0)?;
    e(
        "CloseThreadpoolCleanupGroup",
        ws.close_threadpool_cleanup_group(g),
    )?;
    e("CloseThreadpool", ws.close_threadpool(p))?;
    for s in [busy, cancels] {
        e("CloseHandle", ws.close_handle(Handle::Semaphore(s)))?;
    }
    Ok(())
}

fn close<W: Winsock + ThreadpoolPools + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let ran = e("CreateSemaphore", ws.create_semaphore(0, 4))?;
    let (p, env) = pool(ws, 2)?;
    let work: WorkCallback<W> = Arc::new(move |ws: &W, _, _| {
        let _ = ws.release_semaphore(ran, 1);
    });
    let w = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(work.clone(), &env),
    )?;
    e("CloseThreadpool", ws.close_threadpool(p))?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    c.eq(
        "an object of the closed pool still runs",
        got(ws, ran, 5_000),
        true,
    )?;
    e(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(w, false),
    )?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(w))?;
    c.eq(
        "SetThreadpoolThreadMaximum of a closed pool",
        ws.set_threadpool_thread_maximum(p, 4),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "SetThreadpoolThreadMinimum of a closed pool",
        ws.set_threadpool_thread_minimum(p, 1),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "CloseThreadpool again",
        ws.close_threadpool(p),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "an environment naming it",
        ws.create_threadpool_work_in(work, &env).map(|_| ()),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    e("CloseHandle", ws.close_handle(Handle::Semaphore(ran)))
}

fn turns<W: Winsock + ThreadpoolPools + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (p, env) = pool(ws, 1)?;
    let counts = Arc::new(Mutex::new([0u32; 2]));
    let counting = |i: usize| -> WorkCallback<W> {
        let counts = counts.clone();
        Arc::new(move |ws: &W, _, _| {
            ws.sleep(100);
            counts.lock().expect("counts")[i] += 1;
        })
    };
    let first = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(counting(0), &env),
    )?;
    let g = e(
        "CreateThreadpoolCleanupGroup",
        ws.create_threadpool_cleanup_group(),
    )?;
    let mut in_group = env.clone();
    in_group.set_cleanup_group(g, None);
    let second = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(counting(1), &in_group),
    )?;
    let post = |w: TpWork, n: usize| -> Result<(), String> {
        for _ in 0..n {
            e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
        }
        Ok(())
    };
    post(first, 10)?;
    post(second, 10)?;
    ws.sleep(500);
    for w in [first, second] {
        e(
            "WaitForThreadpoolWorkCallbacks",
            ws.wait_for_threadpool_work_callbacks(w, true),
        )?;
    }
    let [a, b] = *counts.lock().expect("counts");
    c.eq(
        "both objects ran within 500 ms",
        (a > 0, b > 0),
        (true, true),
    )?;
    *counts.lock().expect("counts") = [0, 0];
    post(first, 10)?;
    post(second, 3)?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
    )?;
    e(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(first, true),
    )?;
    let [a, b] = *counts.lock().expect("counts");
    c.eq(
        "the release waited for the second's three, not for the first's ten",
        (a < 10, b),
        (true, 3),
    )?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(first))?;
    e(
        "CloseThreadpoolCleanupGroup",
        ws.close_threadpool_cleanup_group(g),
    )?;
    e("CloseThreadpool", ws.close_threadpool(p))
}

fn priority<W: Winsock + ThreadpoolPools + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let busy = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    let go = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    let (p, env) = pool(ws, 1)?;
    let blocker: SimpleCallback<W> = Arc::new(move |ws: &W, _| {
        let _ = ws.release_semaphore(busy, 1);
        let _ = ws.wait_for_single_object(Handle::Semaphore(go), 5_000);
    });
    e(
        "TrySubmitThreadpoolCallback",
        ws.try_submit_threadpool_callback(blocker, Some(&env)),
    )?;
    c.eq("the pool's thread is busy", got(ws, busy, 5_000), true)?;
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut works = Vec::new();
    for prio in [
        TpCallbackPriority::Low,
        TpCallbackPriority::Normal,
        TpCallbackPriority::High,
    ] {
        let mut at = env.clone();
        at.set_priority(prio);
        let o = order.clone();
        let cb: WorkCallback<W> = Arc::new(move |_, _, _| o.lock().expect("order").push(prio));
        let w = e(
            "CreateThreadpoolWork",
            ws.create_threadpool_work_in(cb, &at),
        )?;
        e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
        works.push(w);
    }
    e("ReleaseSemaphore", ws.release_semaphore(go, 1))?;
    for &w in &works {
        e(
            "WaitForThreadpoolWorkCallbacks",
            ws.wait_for_threadpool_work_callbacks(w, false),
        )?;
        e("CloseThreadpoolWork", ws.close_threadpool_work(w))?;
    }
    c.eq(
        "high, normal, low",
        order.lock().expect("order").clone(),
        vec![
            TpCallbackPriority::High,
            TpCallbackPriority::Normal,
            TpCallbackPriority::Low,
        ],
    )?;
    e("CloseThreadpool", ws.close_threadpool(p))?;
    for s in [busy, go] {
        e("CloseHandle", ws.close_handle(Handle::Semaphore(s)))?;
    }
    Ok(())
}
