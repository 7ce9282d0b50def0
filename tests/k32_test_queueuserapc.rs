//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_QueueUserAPC` (commit 79834c06, lines
//! 2923–3002, with its helpers `thread_proc` 2904–2908, `user_apc` 2912–2915 and
//! `call_user_apc` 2917–2921), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (64-bit Windows with QueueUserAPC2, so the
//! `win_skip` at 2976–2980 is not taken and of 2991–2994 only the 64-bit `ok()` runs):
//!
//! | part of test_QueueUserAPC                                   | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | a suspended thread, terminated and waited for, 2929–2936    |      2 |               1 |       0 |
//! | NtQueueApcThread to it and to a bad handle, 2938–2943       |      0 |               3 |       0 |
//! | QueueUserAPC to the ended thread, 2945–2948                 |      2 |               0 |       0 |
//! | QueueUserAPC to this thread, SleepEx runs it, 2952–2958     |      4 |               0 |       0 |
//! | NtQueueApcThread with no routine, SleepEx, 2960–2963        |      0 |               2 |       0 |
//! | QueueUserAPC, NtTestAlert runs it, 2965–2974                |      2 |               4 |       0 |
//! | QueueUserAPC2, no flags, 2982–2987                          |      0 |               3 |       0 |
//! | QueueUserAPC2, special user APC, 2989–3001                  |      0 |               3 |       0 |
//! | **total**                                                   | **10** |          **16** |   **0** |
//!
//! Not expressible, per kind:
//! - TerminateThread (1, 2933): the API has no way to kill a thread; the ported thread ends by
//!   returning, which is what 2936 and 2945–2948 need (an ended thread whose handle is open).
//!   Nor has it CREATE_SUSPENDED: the thread is created running (2930's check, success, holds).
//! - NtQueueApcThread (5: 2939, 2941, 2943, 2961, 2963): an ntdll call with a three-argument
//!   routine, a NULL routine and raw handle values; the API queues only QueueUserAPC's
//!   routines to real threads. 2963 (SleepEx(100, TRUE) is 0 after a NULL NtQueueApcThread)
//!   depends on the NULL routine; what is left of it — an empty queue lets SleepEx time out —
//!   is asserted below, uncounted.
//! - NtTestAlert (4: 2970–2974): no such call; the APC it would run is drained with
//!   SleepEx(0, TRUE) instead (not a sync.c step).
//! - QueueUserAPC2 (6: 2984–2987, 2994–3000): neither the no-flags form nor special user APCs
//!   (which run without an alertable wait) are in the API; servers use QueueUserAPC.
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

/// sync.c `user_apc`: counts its runs in `apc_count`.
use common::queue_counting_apc as queue_user_apc;

fn ms(ws: &SimWinsock) -> u128 {
    ws.now().as_millis()
}

/// 2929–2948: a thread that has ended (its handle still open) is signalled, and QueueUserAPC
/// to it fails with ERROR_GEN_FAILURE and queues nothing.
fn ended_thread(ws: &SimWinsock) -> Result<(), WsaError> {
    // 2929–2930: CreateThread succeeds (the thread ends at once: sync.c terminates it, 2932).
    let thread = ws.create_thread("thread_proc", |_: &SimWinsock| Ok(()))?;
    // 2935–2936: waiting for it gives WAIT_OBJECT_0.
    assert_eq!(
        ws.wait_for_single_object(Handle::from(thread), 1000)?,
        WAIT_OBJECT_0,
        "2936"
    );
    // 2945–2948: QueueUserAPC fails, GetLastError() ERROR_GEN_FAILURE.
    let count = Arc::new(AtomicU32::new(0));
    let r = queue_user_apc(ws, thread, &count);
    assert_eq!(r, Err(WsaError::ERROR_GEN_FAILURE), "2947-2948");
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::ERROR_GEN_FAILURE.code(),
        "2948: last error"
    );
    // 2950: CloseHandle(thread).
    ws.close_handle(Handle::from(thread))?;
    assert_eq!(count.load(Ordering::SeqCst), 0, "the routine never runs");
    Ok(())
}

/// 2952–2974: APCs queued to the calling thread wait for its next alertable wait.
fn own_thread(ws: &SimWinsock) -> Result<(), WsaError> {
    let me = ws.get_current_thread();
    let count = Arc::new(AtomicU32::new(0));

    // 2952–2955: QueueUserAPC to this thread succeeds; the routine has not run.
    queue_user_apc(ws, me, &count)?;
    assert_eq!(count.load(Ordering::SeqCst), 0, "2955");
    // 2956–2958: SleepEx(100, TRUE) runs it and returns WAIT_IO_COMPLETION at once.
    let t0 = ms(ws);
    assert_eq!(ws.sleep_ex(100, true), WAIT_IO_COMPLETION, "2957");
    assert_eq!(count.load(Ordering::SeqCst), 1, "2958");
    assert_eq!(ms(ws), t0, "2956: no time passed");

    // What is left of 2960–2963 (uncounted): with nothing queued SleepEx(100, TRUE) sleeps
    // the full time and returns 0.
    let t0 = ms(ws);
    assert_eq!(ws.sleep_ex(100, true), 0);
    assert_eq!(ms(ws), t0 + 100);

    // 2965–2968: queued again; it does not run by itself.
    count.store(0, Ordering::SeqCst);
    queue_user_apc(ws, me, &count)?;
    assert_eq!(count.load(Ordering::SeqCst), 0, "2968");
    // (2969–2974 run it with NtTestAlert; here an alertable SleepEx(0) does.)
    assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    Ok(())
}

#[test]
fn queue_user_apc_to_an_ended_thread_fails_with_gen_failure() {
    common::run(ended_thread);
}

#[test]
fn queue_user_apc_to_the_calling_thread_runs_in_sleep_ex() {
    common::run(own_thread);
}

#[test]
fn whole_function_under_several_seeds() {
    for seed in 0..8 {
        common::run_with(Sim::builder().seed(seed), |ws| {
            ended_thread(ws)?;
            own_thread(ws)
        });
    }
}
