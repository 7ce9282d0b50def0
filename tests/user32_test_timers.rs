//! Port of Wine's `dlls/user32/tests/msg.c` `test_timers` (wine-tkg commit 4b12965c,
//! lines 12014–12077, with its thread procedure `timer_thread_proc`, 11999–12012, and the
//! median measured by `timer_fired`, 11953–11985), facts only.
//!
//! Counted in `ok()` calls as Windows runs them, each once. `timer_fired`'s checks that
//! QueryPerformanceCounter / QueryPerformanceFrequency succeed (11961, 11980) test the
//! performance counter, not messages, and are not counted. The SetSystemTimer block
//! (12056–12074) runs only where user32 exports SetSystemTimer (Windows Server 2003 and
//! older): on current Windows it runs no `ok()`, so it is not counted.
//!
//! | part of test_timers                                                    | ported | not expressible | failing |
//! |------------------------------------------------------------------------|-------:|----------------:|--------:|
//! | SetTimer with a window returns its id, 12025–12027                     |      2 |               0 |       0 |
//! | another thread kills the timer and sets it again, 12004–12008          |      3 |               0 |       0 |
//! | KillTimer of the timer set by that thread, 12038                       |      1 |               0 |       0 |
//! | SetTimer with elapse 0 returns its id, 12045–12047                     |      2 |               0 |       0 |
//! | the median period of that timer is ~10 ms, 12048–12052                 |      1 |               0 |       0 |
//! | KillTimer of it, 12054                                                 |      1 |               0 |       0 |
//! | DestroyWindow, 12076                                                   |      1 |               0 |       0 |
//! | **total**                                                              |     11 |               0 |       0 |
//!
//! Not expressible, per kind: none. Substitutions: the API's SetTimer takes no TIMERPROC, so
//! the timers msg.c sets with `tfunc` / `callback_count` are set with none; the checks on
//! SetTimer's and KillTimer's returns do not depend on it. For 12048–12052 the period is
//! measured on the WM_TIMER messages GetMessage returns (where msg.c counts the TIMERPROC's
//! calls from DispatchMessage), with GetTickCount, over the same 500 expiries (499 periods);
//! msg.c's tolerance (|median − 10 ms| < 1 ms) in whole milliseconds is exactly 10 ms, and
//! its `broken()` 15.6 ms (older Windows' clock tick) is not accepted. The event handshake
//! with the thread (12028–12036) is replaced by waiting for the thread to end.
mod common;

use winsock_sim::prelude::*;

/// `TIMER_ID` of msg.c.
const TIMER_ID: usize = 0x19;
/// `TIMER_COUNT` of msg.c: expiries measured (499 periods).
const TIMER_COUNT: usize = 500;

#[test]
fn set_timer_returns_its_id_and_another_thread_can_kill_and_reset_it() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // 12025–12027: SetTimer(hwnd, TIMER_ID, 10000) returns TIMER_ID.
        assert_eq!(ws.set_timer(hwnd, TIMER_ID, 10000)?, TIMER_ID);
        // 12004–12008: from another thread, KillTimer succeeds and SetTimer returns TIMER_ID.
        let t = ws.create_thread("timer_thread_proc", move |ws| {
            let killed = ws.kill_timer(hwnd, TIMER_ID);
            assert!(killed.is_ok(), "KillTimer in thread: {killed:?}");
            assert_eq!(ws.set_timer(hwnd, TIMER_ID, 10000)?, TIMER_ID);
            Ok(())
        })?;
        ws.wait_for_thread(t, INFINITE)?;
        // 12038: KillTimer of the timer the thread set.
        let killed = ws.kill_timer(hwnd, TIMER_ID);
        assert!(killed.is_ok(), "{killed:?}");
        // 12076: DestroyWindow succeeds.
        ws.destroy_window(hwnd)
    });
}

#[test]
fn a_zero_elapse_timer_has_a_10_ms_period() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // 12045–12047: SetTimer with elapse 0 returns TIMER_ID.
        let id = ws.set_timer(hwnd, TIMER_ID, 0)?;
        assert_eq!(id, TIMER_ID);
        // 12048–12052: the median time between its WM_TIMERs is 10 ms.
        let mut ticks = Vec::with_capacity(TIMER_COUNT);
        while ticks.len() < TIMER_COUNT {
            let Some(m) = ws.get_message(hwnd)? else {
                panic!("unexpected WM_QUIT");
            };
            if m.message == WM_TIMER && m.wparam == id {
                ticks.push(ws.get_tick_count());
            }
            ws.dispatch_message(&m)?;
        }
        let mut periods: Vec<u32> = ticks.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
        periods.sort_unstable();
        assert_eq!(periods[(TIMER_COUNT - 1) / 2], 10, "{periods:?}");
        // 12054: KillTimer succeeds.
        let killed = ws.kill_timer(hwnd, id);
        assert!(killed.is_ok(), "{killed:?}");
        ws.destroy_window(hwnd)
    });
}
