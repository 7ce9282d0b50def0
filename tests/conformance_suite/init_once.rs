//! One-time initialization rules (`InitOnceApi`), written once for the simulator and the real
//! kernel32: kernel32 sync.c `test_initonce` step by step (its checks of `INIT_ONCE.Ptr`
//! are read through the calls' results instead), and what it does not try: a second thread
//! that comes while the first initializes.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules.
pub fn init_once_rules<W: Winsock + InitOnceApi + Send + Sync + 'static>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "INIT-execute",
            title: "InitOnceExecuteOnce runs its function once and hands every later caller its context; a failed function leaves it fresh (FALSE, the last error kept, or the one the function set) and the next call runs it again",
            body: execute::<W>,
        },
        Rule {
            id: "INIT-begin-complete",
            title: "InitOnceBeginInitialize / InitOnceComplete through every state of test_initonce: pending, done with a context, INIT_ONCE_CHECK_ONLY ERROR_GEN_FAILURE until done, sync and async mixed ERROR_INVALID_PARAMETER, a failed or refused completion, a completion with nothing under way ERROR_GEN_FAILURE",
            body: begin_complete::<W>,
        },
        Rule {
            id: "INIT-wait",
            title: "a thread that comes while another initializes synchronously waits for its end: it gets the context without running its function, or, when that initialization failed, runs its own",
            body: wait::<W>,
        },
    ]
}

/// A value no call of the rules sets as the last error.
const MARK: i32 = 1234;

fn execute<W: Winsock + InitOnceApi>(ws: &W, c: &mut Check) -> Result<(), String> {
    let once = e("InitOnceInitialize", ws.init_once_initialize())?;
    let counted = AtomicU32::new(0);
    let calls = &counted;
    let run = |ctx: Option<usize>| {
        move |_: &W| {
            calls.fetch_add(1, Ordering::SeqCst);
            ctx
        }
    };
    c.eq(
        "the first call",
        ws.init_once_execute_once(once, run(Some(0))),
        Some(0),
    )?;
    c.eq("its function ran", calls.load(Ordering::SeqCst), 1)?;
    c.eq(
        "a second call",
        ws.init_once_execute_once(once, run(Some(8))),
        Some(0),
    )?;
    c.eq("its function did not run", calls.load(Ordering::SeqCst), 1)?;

    let once = e("InitOnceInitialize", ws.init_once_initialize())?;
    c.eq(
        "a context with its two low bits 0",
        ws.init_once_execute_once(once, run(Some(0xffff_fff0))),
        Some(0xffff_fff0),
    )?;

    let once = e("InitOnceInitialize", ws.init_once_initialize())?;
    ws.wsa_set_last_error(MARK);
    c.eq(
        "a failed function",
        ws.init_once_execute_once(once, run(None)),
        None,
    )?;
    c.eq("the last error after it", ws.wsa_get_last_error(), MARK)?;
    c.eq(
        "the next call runs its function",
        ws.init_once_execute_once(once, run(Some(0x40))),
        Some(0x40),
    )?;
    c.eq("functions run", calls.load(Ordering::SeqCst), 4)?;

    // A function that fails with a last error of its own: it is what the caller reads.
    let once = e("InitOnceInitialize", ws.init_once_initialize())?;
    let failing = |ws: &W| {
        ws.wsa_set_last_error(4321);
        None
    };
    c.eq(
        "a function that sets an error",
        ws.init_once_execute_once(once, failing),
        None,
    )?;
    c.eq("the last error it set", ws.wsa_get_last_error(), 4321)
}

fn begin_complete<W: Winsock + InitOnceApi>(ws: &W, c: &mut Check) -> Result<(), String> {
    let begin = |o, flags| ws.init_once_begin_initialize(o, flags);
    let complete = |o, flags, ctx| ws.init_once_complete(o, flags, ctx);
    let bad: Result<(), WsaError> = Err(WsaError::WSA_INVALID_PARAMETER);
    let unsuccessful: Result<(), WsaError> = Err(WsaError::ERROR_GEN_FAILURE);

    // A synchronous initialization without a callback.
    let o = e("InitOnceInitialize", ws.init_once_initialize())?;
    ws.wsa_set_last_error(MARK);
    c.eq("begin", begin(o, 0), Ok((true, 0)))?;
    c.eq("its last error", ws.wsa_get_last_error(), MARK)?;
    c.eq(
        "CHECK_ONLY while under way",
        code(begin(o, INIT_ONCE_CHECK_ONLY)),
        unsuccessful,
    )?;
    c.eq(
        "its last error",
        ws.wsa_get_last_error(),
        WsaError::ERROR_GEN_FAILURE.code(),
    )?;
    c.eq(
        "completing as failed with a context",
        code(complete(o, INIT_ONCE_INIT_FAILED, 0xdead_bee0)),
        bad,
    )?;
    c.eq(
        "completing with a context",
        code(complete(o, 0, 0xdead_bee0)),
        Ok(()),
    )?;
    c.eq(
        "CHECK_ONLY once done",
        begin(o, INIT_ONCE_CHECK_ONLY),
        Ok((false, 0xdead_bee0)),
    )?;
    c.eq("begin once done", begin(o, 0), Ok((false, 0xdead_bee0)))?;
    c.eq(
        "CHECK_ONLY | ASYNC once done",
        code(begin(o, INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC)),
        bad,
    )?;

    // Completions with nothing under way, and the refused ones.
    let o = e("InitOnceInitialize", ws.init_once_initialize())?;
    c.eq(
        "failed on a fresh one",
        code(complete(o, INIT_ONCE_INIT_FAILED, 0)),
        unsuccessful,
    )?;
    c.eq(
        "failed | ASYNC on a fresh one",
        code(complete(o, INIT_ONCE_INIT_FAILED | INIT_ONCE_ASYNC, 0)),
        bad,
    )?;
    c.eq(
        "CHECK_ONLY on a fresh one",
        code(begin(o, INIT_ONCE_CHECK_ONLY)),
        unsuccessful,
    )?;
    c.eq(
        "CHECK_ONLY | ASYNC on a fresh one",
        code(begin(o, INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC)),
        bad,
    )?;
    c.eq("begin", begin(o, 0), Ok((true, 0)))?;
    c.eq(
        "ASYNC while sync is under way",
        code(begin(o, INIT_ONCE_ASYNC)),
        bad,
    )?;
    c.eq(
        "failed | ASYNC while sync is under way",
        code(complete(o, INIT_ONCE_INIT_FAILED | INIT_ONCE_ASYNC, 0)),
        bad,
    )?;
    c.eq(
        "a context with its low bits set",
        code(complete(o, 0, 0xdead_beef)),
        bad,
    )?;
    c.eq(
        "completing as failed",
        code(complete(o, INIT_ONCE_INIT_FAILED, 0)),
        Ok(()),
    )?;
    c.eq("fresh again: begin", begin(o, 0), Ok((true, 0)))?;
    c.eq("done", code(complete(o, 0, 0x40)), Ok(()))?;
    c.eq(
        "a second completion",
        code(complete(o, 0, 0x40)),
        unsuccessful,
    )?;

    // An asynchronous initialization: every caller is pending until one completes.
    let o = e("InitOnceInitialize", ws.init_once_initialize())?;
    c.eq("begin ASYNC", begin(o, INIT_ONCE_ASYNC), Ok((true, 0)))?;
    c.eq("sync while async is under way", code(begin(o, 0)), bad)?;
    c.eq(
        "begin ASYNC again",
        begin(o, INIT_ONCE_ASYNC),
        Ok((true, 0)),
    )?;
    c.eq(
        "CHECK_ONLY while under way",
        code(begin(o, INIT_ONCE_CHECK_ONLY)),
        unsuccessful,
    )?;
    c.eq(
        "completing it as failed",
        code(complete(o, INIT_ONCE_INIT_FAILED, 0)),
        bad,
    )?;
    c.eq(
        "completing it as failed | ASYNC",
        code(complete(o, INIT_ONCE_INIT_FAILED | INIT_ONCE_ASYNC, 0)),
        bad,
    )?;
    c.eq(
        "completing it without ASYNC",
        code(complete(o, 0, 0xdead_bee0)),
        bad,
    )?;
    c.eq(
        "completing it with a context's low bits set",
        code(complete(o, INIT_ONCE_ASYNC, 0xdead_beef)),
        bad,
    )?;
    c.eq(
        "completing it",
        code(complete(o, INIT_ONCE_ASYNC, 0xdead_bee0)),
        Ok(()),
    )?;
    c.eq(
        "failed | ASYNC once done",
        code(complete(o, INIT_ONCE_INIT_FAILED | INIT_ONCE_ASYNC, 0)),
        bad,
    )?;
    c.eq(
        "CHECK_ONLY once done",
        begin(o, INIT_ONCE_CHECK_ONLY),
        Ok((false, 0xdead_bee0)),
    )?;
    c.eq(
        "an execute-once on it",
        ws.init_once_execute_once(o, |_| None),
        Some(0xdead_bee0),
    )
}

fn wait<W: Winsock + InitOnceApi + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    for first_fails in [false, true] {
        let once = e("InitOnceInitialize", ws.init_once_initialize())?;
        let ran = Arc::new(AtomicU32::new(0));
        let r = ran.clone();
        let first = ws.create_thread("initializer", move |ws: &W| {
            let got = ws.init_once_execute_once(once, |ws| {
                r.fetch_add(1, Ordering::SeqCst);
                // Long enough for the other thread to come and wait.
                ws.sleep(200);
                (!first_fails).then_some(0x100)
            });
            if got == (!first_fails).then_some(0x100) {
                Ok(())
            } else {
                Err(WsaError::ERROR_GEN_FAILURE)
            }
        });
        let first = e("CreateThread", first)?;
        ws.sleep(50);
        let r = ran.clone();
        let got = ws.init_once_execute_once(once, |_| {
            r.fetch_add(10, Ordering::SeqCst);
            Some(0x200)
        });
        let want = if first_fails {
            Some(0x200)
        } else {
            Some(0x100)
        };
        c.eq("the second caller's context", got, want)?;
        c.eq(
            "functions run (1: the first's, 10: the second's)",
            ran.load(Ordering::SeqCst),
            if first_fails { 11 } else { 1 },
        )?;
        c.eq("the first caller", ws.wait_for_thread(first, 5_000), Ok(()))?;
    }
    Ok(())
}
