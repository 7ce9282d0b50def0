//! Port of Wine's `dlls/kernel32/tests/timer.c` (wine-tkg commit 4b12965c, Wine 11.10),
//! facts only: `test_timer` (lines 27–53) and `test_timeouts` (275–308, with its nine
//! thread functions, 74–273).
//!
//! `test_timeouts` sets the system clock 1 s forward, starts nine threads that each wait
//! about 3 s in their own way, sets the clock 10 s forward after 500 ms, and checks that only
//! the waits for an absolute system time (a waitable timer and a thread-pool timer set for
//! "now + 3 s" by the clock) end early: relative timeouts, `Sleep`, `SleepEx`, relative and
//! periodic waitable timers, `SetTimer` and a relative thread-pool timer still take their
//! 3 s. Here the two clock settings are a fault plan's
//! [`FaultRule::ClockJump`]s at 0 and at 500 ms (timer.c's `adjust_system_time(1)` and
//! `(10)`); its closing `adjust_system_time(-11)` only restores the machine's clock and has
//! no check. (The jump at 0 comes after the threads' first calls, since the simulator runs
//! threads before timers of the same instant: the absolute timers then move 1 s earlier at
//! 0 instead of being set 1 s later, which is the same due time.)
//!
//! Counted in `ok()` calls as Windows runs them (the `CreateThread` check runs nine times):
//!
//! | part of timer.c                                                      | ported | not expressible | failing |
//! |----------------------------------------------------------------------|-------:|----------------:|--------:|
//! | test_timer: a timer with an absolute due time in 1601, 34–41         |      2 |               0 |       0 |
//! | test_timer: a timer with a relative due time, 43–52                  |      2 |               0 |       0 |
//! | thread_WaitForSingleObject: a 3-s timeout takes 3 s, 74–88           |      3 |               0 |       0 |
//! | thread_Sleep, 90–98                                                  |      1 |               0 |       0 |
//! | thread_SleepEx, 100–108                                              |      1 |               0 |       0 |
//! | thread_WaitableTimer_rel: −3 s takes 3 s, 110–132                    |      4 |               0 |       0 |
//! | thread_WaitableTimer_abs: now + 3 s ends at the +10 s setting, 134–160 |    4 |               0 |       0 |
//! | thread_WaitableTimer_period: 100 ns, then a 3-s period, 162–187      |      5 |               0 |       0 |
//! | thread_SetTimer: a 3-s WM_TIMER, 189–207                             |      2 |               0 |       0 |
//! | thread_SetThreadpoolTimer_rel, 215–242                               |      4 |               0 |       0 |
//! | thread_SetThreadpoolTimer_abs, 244–273                               |      4 |               0 |       0 |
//! | test_timeouts: CreateThread ×9, 294–295                              |      9 |               0 |       0 |
//! | **total**                                                            | **41** |           **0** |   **0** |
//!
//! Substitutions: `GetTickCount` differences as timer.c takes them; timer.c's `t > 2000` for
//! a 3-s wait is asserted as exactly 3,000 ms (the simulator's waits end at their deadline),
//! and its `t < 2000` for the absolute timers as exactly 500 ms (the moment of the +10 s
//! setting). The neighbours (a clock set back, one host's clock, a timer routine's time, a
//! thread-pool wait's absolute timeout) are in `tests/clock_jump.rs`.
mod common;

use std::sync::Arc;
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::fault::{FaultPlan, FaultRule, Scope};
use winsock_sim::sim::{Sim, SimWinsock};

/// timer.c's TICKSPERSEC: FILETIME units in a second.
const TICKS_PER_SEC: i64 = 10_000_000;

#[test]
fn test_timer_accepts_absolute_and_relative_due_times() {
    common::run(|ws| {
        // 34–41: with a positive (absolute) due time, 10000 = 1 ms into 1601.
        let handle = ws.create_waitable_timer(false);
        assert!(
            handle.is_ok(),
            "35: failed to create waitable timer with no name"
        );
        let handle = handle?;
        let r = ws.set_waitable_timer(handle, 10_000, 0x1f4, None, false);
        assert!(r.is_ok(), "39: failed to set timer: {r:?}");
        // (A neighbour: a due time long past signals the timer at once.)
        assert_eq!(ws.wait_for_single_object(handle.into(), 0)?, WAIT_OBJECT_0);
        ws.close_handle(Handle::Timer(handle))?;

        // 43–52: with a negative (relative) due time, 1 ms.
        let handle = ws.create_waitable_timer(false);
        assert!(
            handle.is_ok(),
            "45: failed to create waitable timer with no name"
        );
        let handle = handle?;
        let r = ws.set_waitable_timer(handle, -10_000, 0x1f4, None, false);
        assert!(r.is_ok(), "49: failed to set timer: {r:?}");
        assert_eq!(ws.wait_for_single_object(handle.into(), 0)?, WAIT_TIMEOUT);
        assert_eq!(ws.wait_for_single_object(handle.into(), 1)?, WAIT_OBJECT_0);
        ws.close_handle(Handle::Timer(handle))?;
        Ok(())
    });
}

/// The elapsed milliseconds since `t` (timer.c's `GetTickCount() - t`).
fn since(ws: &SimWinsock, t: u32) -> u32 {
    ws.get_tick_count().wrapping_sub(t)
}

fn thread_wait_for_single_object(ws: &SimWinsock) -> Result<(), WsaError> {
    let event = ws.create_event(false, false);
    assert!(event.is_ok(), "80: CreateEvent failed");
    let event = event?;
    let t = ws.get_tick_count();
    let r = ws.wait_for_single_object(event.into(), 3000)?;
    assert_eq!(r, WAIT_TIMEOUT, "83: WaitForSingleObject returned {r:#x}");
    ws.close_handle(Handle::Event(event))?;
    let t = since(ws, t);
    assert_eq!(t, 3000, "86: t = {t}");
    Ok(())
}

fn thread_sleep(ws: &SimWinsock) -> Result<(), WsaError> {
    let t = ws.get_tick_count();
    ws.sleep(3000);
    let t = since(ws, t);
    assert_eq!(t, 3000, "96: t = {t}");
    Ok(())
}

fn thread_sleep_ex(ws: &SimWinsock) -> Result<(), WsaError> {
    let t = ws.get_tick_count();
    ws.sleep_ex(3000, true);
    let t = since(ws, t);
    assert_eq!(t, 3000, "106: t = {t}");
    Ok(())
}

/// A manual-reset timer set for `due`, waited for: the milliseconds it took.
fn wait_timer(ws: &SimWinsock, due: i64, lines: [u32; 3]) -> Result<u32, WsaError> {
    let timer = ws.create_waitable_timer(true);
    assert!(timer.is_ok(), "{}: CreateWaitableTimer failed", lines[0]);
    let timer = timer?;
    let t = ws.get_tick_count();
    let r = ws.set_waitable_timer(timer, due, 0, None, false);
    assert!(r.is_ok(), "{}: SetWaitableTimer failed", lines[1]);
    let r = ws.wait_for_single_object(timer.into(), INFINITE)?;
    assert_eq!(
        r, WAIT_OBJECT_0,
        "{}: WaitForSingleObject returned {r}",
        lines[2]
    );
    ws.close_handle(Handle::Timer(timer))?;
    Ok(since(ws, t))
}

fn thread_waitable_timer_rel(ws: &SimWinsock) -> Result<(), WsaError> {
    let t = wait_timer(ws, -3 * TICKS_PER_SEC, [120, 124, 127])?;
    assert_eq!(t, 3000, "130: t = {t}");
    Ok(())
}

fn thread_waitable_timer_abs(ws: &SimWinsock) -> Result<(), WsaError> {
    let due = ws.get_system_time_as_file_time() as i64 + 3 * TICKS_PER_SEC;
    let t = wait_timer(ws, due, [147, 151, 154])?;
    // Due 3 s after the clock read, it fell due when the clock was set 10 s forward.
    assert_eq!(t, 500, "158: t = {t}");
    Ok(())
}

fn thread_waitable_timer_period(ws: &SimWinsock) -> Result<(), WsaError> {
    let timer = ws.create_waitable_timer(false);
    assert!(timer.is_ok(), "171: CreateWaitableTimer failed");
    let timer = timer?;
    let t = ws.get_tick_count();
    let r = ws.set_waitable_timer(timer, -1, 3000, None, false);
    assert!(r.is_ok(), "175: SetWaitableTimer failed");
    let r = ws.wait_for_single_object(timer.into(), INFINITE)?;
    assert_eq!(r, WAIT_OBJECT_0, "178: WaitForSingleObject returned {r}");
    let r = ws.wait_for_single_object(timer.into(), INFINITE)?;
    assert_eq!(r, WAIT_OBJECT_0, "181: WaitForSingleObject returned {r}");
    ws.close_handle(Handle::Timer(timer))?;
    let t = since(ws, t);
    // The first expiry 100 ns after the setting, the second a period later.
    assert_eq!(t, 3000, "184: t = {t}");
    Ok(())
}

fn thread_set_timer(ws: &SimWinsock) -> Result<(), WsaError> {
    let t = ws.get_tick_count();
    let timer = ws.set_timer(Hwnd::NULL, 0, 3000);
    assert!(timer.is_ok(), "196: SetTimer failed ({timer:?})");
    let timer = timer?;
    while let Some(msg) = ws.get_message(Hwnd::NULL)? {
        ws.dispatch_message(&msg)?;
        if msg.message == WM_TIMER {
            break;
        }
    }
    let t = since(ws, t);
    assert_eq!(t, 3000, "204: t = {t}");
    ws.kill_timer(Hwnd::NULL, timer)?;
    Ok(())
}

/// A thread-pool timer set for `due` whose callback sets an event, waited for: the
/// milliseconds it took.
fn wait_pool_timer(
    ws: &SimWinsock,
    due: impl Fn(&SimWinsock) -> i64,
    lines: [u32; 3],
) -> Result<u32, WsaError> {
    let event = ws.create_event(false, false);
    assert!(event.is_ok(), "{}: CreateEvent failed", lines[0]);
    let event = event?;
    let timer = ws.create_threadpool_timer(Arc::new(move |ws: &SimWinsock, _, _| {
        let _ = ws.set_event(event);
    }));
    assert!(timer.is_ok(), "{}: CreateThreadpoolTimer failed", lines[1]);
    let timer = timer?;
    let due = due(ws);
    let t = ws.get_tick_count();
    ws.set_threadpool_timer(timer, Some(due), 0, 0)?;
    let r = ws.wait_for_single_object(event.into(), INFINITE)?;
    assert_eq!(
        r, WAIT_OBJECT_0,
        "{}: WaitForSingleObject returned {r}",
        lines[2]
    );
    let t = since(ws, t);
    ws.wait_for_threadpool_timer_callbacks(timer, false)?;
    ws.close_threadpool_timer(timer)?;
    ws.close_handle(Handle::Event(event))?;
    Ok(t)
}

fn thread_set_threadpool_timer_rel(ws: &SimWinsock) -> Result<(), WsaError> {
    let t = wait_pool_timer(ws, |_| -3 * TICKS_PER_SEC, [224, 226, 236])?;
    assert_eq!(t, 3000, "238: t = {t}");
    Ok(())
}

fn thread_set_threadpool_timer_abs(ws: &SimWinsock) -> Result<(), WsaError> {
    let due = |ws: &SimWinsock| ws.get_system_time_as_file_time() as i64 + 3 * TICKS_PER_SEC;
    let t = wait_pool_timer(ws, due, [253, 255, 267])?;
    assert_eq!(t, 500, "269: t = {t}");
    Ok(())
}

type ThreadFn = fn(&SimWinsock) -> Result<(), WsaError>;

#[test]
fn test_timeouts_only_absolute_due_times_follow_the_clock() {
    // timer.c's adjust_system_time(1) before the threads, (10) after Sleep(500).
    let jump = |at: u64, shift_ms: i64| FaultRule::ClockJump {
        at: Duration::from_millis(at),
        scope: Scope::All,
        shift_ms,
    };
    let plan = FaultPlan::none()
        .with(jump(0, 1000))
        .with(jump(500, 10_000));
    let builder = Sim::builder().seed(common::seed()).faults(plan);
    common::run_with(builder, |ws| {
        let bodies: [ThreadFn; 9] = [
            thread_wait_for_single_object,
            thread_sleep,
            thread_sleep_ex,
            thread_waitable_timer_rel,
            thread_waitable_timer_abs,
            thread_waitable_timer_period,
            thread_set_timer,
            thread_set_threadpool_timer_rel,
            thread_set_threadpool_timer_abs,
        ];
        let mut threads = Vec::new();
        for body in bodies {
            let t = ws.create_thread("timeouts", body);
            assert!(t.is_ok(), "295: CreateThread failed");
            threads.push(t?);
        }
        ws.sleep(500);
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        Ok(())
    });
}
