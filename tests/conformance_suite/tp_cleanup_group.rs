//! The Vista thread pool's cleanup groups and simple callbacks, written once for the simulator
//! and the real kernel32 (the calls' documentation; Wine's ntdll tests threadpool.c
//! `test_tp_simple`, `test_tp_group_wait` and `test_tp_group_cancel`, which pass on Windows;
//! their single-thread pool, which keeps callbacks queued, is not in this API, so the rules
//! use members never armed, or armed and running, whose fate does not depend on how many
//! threads the pool has).

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn tp_cleanup_group_rules<
    W: Winsock + ThreadpoolCleanupGroups + SyncObjects + Send + Sync + 'static,
>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "TPG-wait",
            title: "CloseThreadpoolCleanupGroupMembers(FALSE) returns once its members' callbacks have run, queued ones too (a simple callback, a work object submitted three times); a member whose callback closes it meanwhile (work, timer, wait) is no error; a periodic timer stops",
            body: release_waits::<W>,
        },
        Rule {
            id: "TPG-cancel",
            title: "CloseThreadpoolCleanupGroupMembers(TRUE) calls the cancel callback once per member not closed, oldest first, on the calling thread, with the member and the cleanup context, after the member's running callback returned; none for a member closed during the call, a simple callback that ran, or without cancelling",
            body: cancel_callbacks::<W>,
        },
        Rule {
            id: "TPG-disassociate",
            title: "after DisassociateCurrentThreadFromCallback, WaitForThreadpoolWorkCallbacks returns while the callback still runs; a cleanup group's release still waits for it",
            body: disassociate::<W>,
        },
        Rule {
            id: "TPG-handles",
            title: "released members are closed (a later close: ERROR_INVALID_HANDLE); a group released twice; a closed group is ERROR_INVALID_HANDLE, in an environment too; TrySubmitThreadpoolCallback runs once on a pool thread",
            body: handles::<W>,
        },
    ]
}

/// A log of what the callbacks did, and a semaphore each releases.
struct Log {
    lines: Arc<Mutex<Vec<String>>>,
    ran: SemaphoreHandle,
}

impl Log {
    fn new<W: SyncObjects>(ws: &W) -> Result<Log, String> {
        Ok(Log {
            lines: Arc::default(),
            ran: e("CreateSemaphore", ws.create_semaphore(0, 64))?,
        })
    }

    fn note(&self, line: impl Into<String>) {
        self.lines.lock().expect("log").push(line.into());
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().expect("log"))
    }

    /// Waits up to `ms` for a callback's signal: whether one came.
    fn ran<W: SyncObjects>(&self, ws: &W, ms: u32) -> bool {
        ws.wait_for_single_object(Handle::Semaphore(self.ran), ms) == Ok(WAIT_OBJECT_0)
    }

    fn close<W: SyncObjects>(&self, ws: &W) -> Result<(), String> {
        e("CloseHandle", ws.close_handle(Handle::Semaphore(self.ran)))
    }
}

/// A new group and an environment naming it, with `cancel` as its cancel callback.
fn group<W: ThreadpoolCleanupGroups>(
    ws: &W,
    cancel: Option<CleanupCancelCallback<W>>,
) -> Result<(TpCleanupGroup, CallbackEnviron<W>), String> {
    let g = e(
        "CreateThreadpoolCleanupGroup",
        ws.create_threadpool_cleanup_group(),
    )?;
    let mut env = CallbackEnviron::new();
    env.set_cleanup_group(g, cancel);
    Ok((g, env))
}

/// A cancel callback that logs its member, context and whether it ran on thread `tid`.
fn logging_cancel<W: SyncObjects + 'static>(log: &Log, tid: u32) -> CleanupCancelCallback<W> {
    let lines = log.lines.clone();
    Arc::new(move |ws: &W, m: TpMember, context: usize| {
        let on_caller = ws.get_current_thread_id() == tid;
        let line = format!("cancel {m:?} context {context} on caller {on_caller}");
        lines.lock().expect("log").push(line);
    })
}

fn release_waits<W: Winsock + ThreadpoolCleanupGroups + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let log = Log::new(ws)?;
    let (g, env) = group(ws, None)?;
    // A simple callback and three submissions of a work object, each slow: the release
    // returns after all four.
    let lines = log.lines.clone();
    let simple: SimpleCallback<W> = Arc::new(move |ws: &W, _| {
        ws.sleep(50);
        lines.lock().expect("log").push("simple".into());
    });
    e(
        "TrySubmitThreadpoolCallback",
        ws.try_submit_threadpool_callback(simple, Some(&env)),
    )?;
    let lines = log.lines.clone();
    let slow: WorkCallback<W> = Arc::new(move |ws: &W, _, _| {
        ws.sleep(50);
        lines.lock().expect("log").push("work".into());
    });
    let work = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(slow, &env),
    )?;
    for _ in 0..3 {
        e("SubmitThreadpoolWork", ws.submit_threadpool_work(work))?;
    }
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
    )?;
    let mut done = log.take();
    done.sort();
    c.eq(
        "every queued callback ran before it returned",
        done,
        ["simple", "work", "work", "work"]
            .map(String::from)
            .to_vec(),
    )?;

    // Members whose callbacks close them while the release waits (Wine's *_release_cb).
    let ran = log.ran;
    let work_cb: WorkCallback<W> = Arc::new(move |ws: &W, _, me| {
        let _ = ws.release_semaphore(ran, 1);
        ws.sleep(200);
        let _ = ws.close_threadpool_work(me);
    });
    let work = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(work_cb, &env),
    )?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(work))?;
    c.eq("the work callback started", log.ran(ws, 5_000), true)?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
    )?;
    let timer_cb: TpTimerCallback<W> = Arc::new(move |ws: &W, _, me| {
        let _ = ws.release_semaphore(ran, 1);
        ws.sleep(200);
        let _ = ws.close_threadpool_timer(me);
    });
    let timer = e(
        "CreateThreadpoolTimer",
        ws.create_threadpool_timer_in(timer_cb, &env),
    )?;
    e(
        "SetThreadpoolTimer",
        ws.set_threadpool_timer(timer, Some(0), 0, 0),
    )?;
    c.eq("the timer callback started", log.ran(ws, 5_000), true)?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
    )?;
    let wait_cb: TpWaitCallback<W> = Arc::new(move |ws: &W, _, me, _| {
        let _ = ws.release_semaphore(ran, 1);
        ws.sleep(200);
        let _ = ws.close_threadpool_wait(me);
    });
    let wait = e(
        "CreateThreadpoolWait",
        ws.create_threadpool_wait_in(wait_cb, &env),
    )?;
    let sem = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    e(
        "SetThreadpoolWait",
        ws.set_threadpool_wait(wait, Some(Handle::Semaphore(sem)), Some(0)),
    )?;
    c.eq("the wait callback started", log.ran(ws, 5_000), true)?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
    )?;

    // A periodic timer: the release stops it.
    let ticks = log.lines.clone();
    let tick: TpTimerCallback<W> = Arc::new(move |ws: &W, _, _| {
        ticks.lock().expect("log").push("tick".into());
        let _ = ws.release_semaphore(ran, 1);
    });
    let timer = e(
        "CreateThreadpoolTimer",
        ws.create_threadpool_timer_in(tick, &env),
    )?;
    e(
        "SetThreadpoolTimer",
        ws.set_threadpool_timer(timer, Some(-10_000), 20, 0),
    )?;
    c.eq("the periodic timer ticked", log.ran(ws, 5_000), true)?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
    )?;
    let before = log.take().len();
    ws.sleep(200);
    c.eq("no tick after the release", log.take().len(), 0)?;
    c.eq("it had ticked", before >= 1, true)?;
    e(
        "CloseThreadpoolCleanupGroup",
        ws.close_threadpool_cleanup_group(g),
    )?;
    e("CloseHandle", ws.close_handle(Handle::Semaphore(sem)))?;
    log.close(ws)
}

fn cancel_callbacks<W: Winsock + ThreadpoolCleanupGroups + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let log = Log::new(ws)?;
    let me = ws.get_current_thread_id();
    let (g, env) = group(ws, Some(logging_cancel(&log, me)))?;
    // Members never armed: one cancel callback each, oldest first.
    let lines = log.lines.clone();
    let never: WorkCallback<W> = Arc::new(move |_, _, _| {
        lines
            .lock()
            .expect("log")
            .push("a work callback ran".into());
    });
    let work = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(never, &env),
    )?;
    let lines = log.lines.clone();
    let never: TpTimerCallback<W> = Arc::new(move |_, _, _| {
        lines
            .lock()
            .expect("log")
            .push("a timer callback ran".into());
    });
    let timer = e(
        "CreateThreadpoolTimer",
        ws.create_threadpool_timer_in(never, &env),
    )?;
    let lines = log.lines.clone();
    let never: TpWaitCallback<W> = Arc::new(move |_, _, _, _| {
        lines
            .lock()
            .expect("log")
            .push("a wait callback ran".into());
    });
    let wait = e(
        "CreateThreadpoolWait",
        ws.create_threadpool_wait_in(never, &env),
    )?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, true, 7),
    )?;
    c.eq(
        "a cancel callback for each member, oldest first, on the calling thread",
        log.take(),
        vec![
            format!("cancel {:?} context 7 on caller true", TpMember::Work(work)),
            format!(
                "cancel {:?} context 7 on caller true",
                TpMember::Timer(timer)
            ),
            format!("cancel {:?} context 7 on caller true", TpMember::Wait(wait)),
        ],
    )?;

    // A running callback: the cancel callback comes after it returned (the callback's
    // 200-ms wait for the semaphore the cancel callback releases times out).
    let gate = e("CreateSemaphore", ws.create_semaphore(0, 4))?;
    let (lines, ran) = (log.lines.clone(), log.ran);
    let running: WorkCallback<W> = Arc::new(move |ws: &W, _, _| {
        let _ = ws.release_semaphore(ran, 1);
        let r = ws.wait_for_single_object(Handle::Semaphore(gate), 200);
        lines
            .lock()
            .expect("log")
            .push(format!("callback waited: {r:?}"));
    });
    let mut env2 = CallbackEnviron::new();
    let lines = log.lines.clone();
    let release_gate: CleanupCancelCallback<W> = Arc::new(move |ws: &W, _, _| {
        lines.lock().expect("log").push("cancel".into());
        let _ = ws.release_semaphore(gate, 1);
    });
    env2.set_cleanup_group(g, Some(release_gate));
    let work = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(running, &env2),
    )?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(work))?;
    c.eq("the callback started", log.ran(ws, 5_000), true)?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, true, 0),
    )?;
    c.eq(
        "the cancel callback after the running callback",
        log.take(),
        vec![
            format!("callback waited: {:?}", Ok::<u32, WsaError>(WAIT_TIMEOUT)),
            "cancel".into(),
        ],
    )?;

    // Closed during the release, or a simple callback that ran: no cancel callback.
    let ran = log.ran;
    let closes: WorkCallback<W> = Arc::new(move |ws: &W, _, me| {
        let _ = ws.release_semaphore(ran, 1);
        ws.sleep(200);
        let _ = ws.close_threadpool_work(me);
    });
    let work = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(closes, &env),
    )?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(work))?;
    c.eq("the closing callback started", log.ran(ws, 5_000), true)?;
    let simple: SimpleCallback<W> = Arc::new(move |ws: &W, _| {
        let _ = ws.release_semaphore(ran, 1);
        ws.sleep(200);
    });
    e(
        "TrySubmitThreadpoolCallback",
        ws.try_submit_threadpool_callback(simple, Some(&env)),
    )?;
    c.eq("the simple callback started", log.ran(ws, 5_000), true)?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, true, 0),
    )?;
    c.eq(
        "no cancel callback for them",
        log.take(),
        Vec::<String>::new(),
    )?;

    // Without cancelling: none.
    let idle: WorkCallback<W> = Arc::new(|_, _, _| {});
    e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(idle, &env),
    )?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
    )?;
    c.eq(
        "no cancel callback without cancelling",
        log.take(),
        Vec::<String>::new(),
    )?;
    e(
        "CloseThreadpoolCleanupGroup",
        ws.close_threadpool_cleanup_group(g),
    )?;
    e("CloseHandle", ws.close_handle(Handle::Semaphore(gate)))?;
    log.close(ws)
}

fn handles<W: Winsock + ThreadpoolCleanupGroups + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let log = Log::new(ws)?;
    let (g, env) = group(ws, None)?;
    let idle: WorkCallback<W> = Arc::new(|_, _, _| {});
    let work = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(idle.clone(), &env),
    )?;
    let kept = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work(idle.clone()),
    )?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
    )?;
    c.eq(
        "a released member is closed",
        ws.submit_threadpool_work(work),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "and closing it again is ERROR_INVALID_HANDLE",
        ws.close_threadpool_work(work),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "an object made without the group stays",
        ws.submit_threadpool_work(kept),
        Ok(()),
    )?;
    c.eq(
        "an empty group released again",
        ws.close_threadpool_cleanup_group_members(g, true, 0),
        Ok(()),
    )?;
    e(
        "CloseThreadpoolCleanupGroup",
        ws.close_threadpool_cleanup_group(g),
    )?;
    c.eq(
        "a closed group's release",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "a closed group closed again",
        ws.close_threadpool_cleanup_group(g),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "an environment naming a closed group",
        ws.create_threadpool_work_in(idle, &env).map(|_| ()),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    // A simple callback without an environment: once, on a pool thread.
    let (lines, ran, me) = (log.lines.clone(), log.ran, ws.get_current_thread_id());
    let simple: SimpleCallback<W> = Arc::new(move |ws: &W, _| {
        let pool = ws.get_current_thread_id() != me;
        lines
            .lock()
            .expect("log")
            .push(format!("simple on a pool thread {pool}"));
        let _ = ws.release_semaphore(ran, 1);
    });
    e(
        "TrySubmitThreadpoolCallback",
        ws.try_submit_threadpool_callback(simple, None),
    )?;
    c.eq("it ran", log.ran(ws, 5_000), true)?;
    c.eq("only once", log.ran(ws, 200), false)?;
    c.eq(
        "on a pool thread",
        log.take(),
        vec!["simple on a pool thread true".to_string()],
    )?;
    e(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(kept, false),
    )?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(kept))?;
    log.close(ws)
}

fn disassociate<W: Winsock + ThreadpoolCleanupGroups + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let go = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    let done = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    let waited = Arc::new(Mutex::new(Vec::new()));
    let (wt, ms) = (waited.clone(), Arc::new(Mutex::new(1_000u32)));
    let m2 = ms.clone();
    let cb: WorkCallback<W> = Arc::new(move |ws: &W, inst, _| {
        let d = ws.disassociate_current_thread_from_callback(inst);
        let again = ws.disassociate_current_thread_from_callback(inst);
        let ms = *m2.lock().expect("ms");
        let r = ws.wait_for_single_object(Handle::Semaphore(go), ms);
        wt.lock().expect("waited").push((d, again, r));
        let _ = ws.release_semaphore(done, 1);
    });
    // Without a group: the wait for callbacks returns while the callback waits for `go`.
    let w = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work(cb.clone()),
    )?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    e(
        "WaitForThreadpoolWorkCallbacks",
        ws.wait_for_threadpool_work_callbacks(w, false),
    )?;
    c.eq(
        "the callback still runs",
        ws.wait_for_single_object(Handle::Semaphore(done), 100),
        Ok(WAIT_TIMEOUT),
    )?;
    e("ReleaseSemaphore", ws.release_semaphore(go, 1))?;
    c.eq(
        "then ends",
        ws.wait_for_single_object(Handle::Semaphore(done), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "disassociated (twice: no error), it took the semaphore",
        waited.lock().expect("waited").clone(),
        vec![(Ok(()), Ok(()), Ok(WAIT_OBJECT_0))],
    )?;
    e("CloseThreadpoolWork", ws.close_threadpool_work(w))?;
    // In a group: the release waits for it (its 100-ms wait for `go` times out first).
    *ms.lock().expect("ms") = 100;
    let (g, env) = group(ws, None)?;
    let w = e(
        "CreateThreadpoolWork",
        ws.create_threadpool_work_in(cb, &env),
    )?;
    e("SubmitThreadpoolWork", ws.submit_threadpool_work(w))?;
    e(
        "CloseThreadpoolCleanupGroupMembers",
        ws.close_threadpool_cleanup_group_members(g, false, 0),
    )?;
    e("ReleaseSemaphore", ws.release_semaphore(go, 1))?;
    c.eq(
        "the callback had ended",
        ws.wait_for_single_object(Handle::Semaphore(done), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "its wait timed out before the release returned",
        waited.lock().expect("waited").last().map(|x| x.2),
        Some(Ok(WAIT_TIMEOUT)),
    )?;
    e(
        "CloseThreadpoolCleanupGroup",
        ws.close_threadpool_cleanup_group(g),
    )?;
    for s in [go, done] {
        e("CloseHandle", ws.close_handle(Handle::Semaphore(s)))?;
    }
    Ok(())
}
