//! Port of Wine's `dlls/user32/tests/msg.c` `test_timers_no_wnd` (wine-tkg commit 4b12965c,
//! lines 12079–12147, with the median measured by `timer_fired`, 11953–11985, and
//! `callback_count`, 11987–11991), facts only: thread timers, SetTimer with no window.
//!
//! Counted in `ok()` calls as Windows runs them, each once. `timer_fired`'s checks that
//! QueryPerformanceCounter / QueryPerformanceFrequency succeed test the performance counter,
//! not messages, and are not counted.
//!
//! | part of test_timers_no_wnd                                             | ported | not expressible | failing |
//! |------------------------------------------------------------------------|-------:|----------------:|--------:|
//! | SetTimer(NULL, 0) gives an id, 12088                                   |      1 |               0 |       0 |
//! | SetTimer(NULL, id) replaces it under the same id, 12090                |      1 |               0 |       0 |
//! | no expiry after 150 ms of a 200 ms period, 12093                       |      1 |               0 |       0 |
//! | one expiry after 300 ms, 12096                                         |      1 |               0 |       0 |
//! | none after KillTimer, 12100                                            |      1 |               0 |       0 |
//! | SetTimer(NULL, 0, 0) gives an id, 12108                                |      1 |               0 |       0 |
//! | the median period of that timer is ~10 ms, 12111–12115                 |      1 |               0 |       0 |
//! | SetCoalescableTimer, 12121–12127                                       |      0 |               2 |       0 |
//! | SetTimer runs out of ids with ERROR_NO_MORE_USER_HANDLES, 12141–12143  |      2 |               0 |       0 |
//! | **total**                                                              |      9 |               2 |       0 |
//!
//! Not expressible, per kind: SetCoalescableTimer (2) is not in the API. Substitutions: the
//! API's SetTimer takes no TIMERPROC, so where msg.c counts `callback_count`'s calls from
//! DispatchMessage this port counts the WM_TIMERs of the timer that PeekMessage / GetMessage
//! return (one call per WM_TIMER dispatched, in msg.c); for 12111–12115 the period is
//! measured on those messages with GetTickCount over the same 500 expiries, and msg.c's
//! tolerance (|median − 10 ms| < 1 ms) in whole milliseconds is exactly 10 ms (its `broken()`
//! 15.6 ms, older Windows' clock tick, is not accepted). Where msg.c sets 0xFFFF timers
//! until one fails, the port stops at the first failure as msg.c does, and kills them all.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// `TIMER_COUNT` of msg.c: expiries measured (499 periods).
const TIMER_COUNT: usize = 500;

/// WM_TIMERs of timer `id` that PeekMessage(NULL, PM_REMOVE) takes until none is left
/// (msg.c's `while (PeekMessageA(...)) DispatchMessageA(...)` with `callback_count`).
fn count_timers(ws: &SimWinsock, id: usize) -> Result<usize, WsaError> {
    let mut n = 0;
    while let Some(m) = ws.peek_message(Hwnd::NULL, PM_REMOVE)? {
        if m.message == WM_TIMER && m.wparam == id && m.hwnd == Hwnd::NULL {
            n += 1;
        }
        ws.dispatch_message(&m)?;
    }
    Ok(n)
}

#[test]
fn a_thread_timer_is_replaced_under_its_id_and_killed() {
    common::run(|ws| {
        // 12088: SetTimer(NULL, 0, 100) gives an id.
        let id = ws.set_timer(Hwnd::NULL, 0, 100)?;
        assert_ne!(id, 0);
        // 12090: SetTimer(NULL, id, 200) replaces that timer and returns the same id.
        assert_eq!(ws.set_timer(Hwnd::NULL, id, 200)?, id);
        // 12093: after 150 ms, no expiry (the period is 200 ms from the replacement).
        ws.sleep(150);
        assert_eq!(count_timers(ws, id)?, 0);
        // 12096: after 300 ms, one.
        ws.sleep(150);
        assert_eq!(count_timers(ws, id)?, 1);
        // 12100: KillTimer stops the replaced timer: none after 250 ms more.
        ws.kill_timer(Hwnd::NULL, id)?;
        ws.sleep(250);
        assert_eq!(count_timers(ws, id)?, 0);
        Ok(())
    });
}

#[test]
fn a_zero_elapse_thread_timer_has_a_10_ms_period() {
    common::run(|ws| {
        // 12108: SetTimer(NULL, 0, 0) gives an id.
        let id = ws.set_timer(Hwnd::NULL, 0, 0)?;
        assert_ne!(id, 0);
        // 12111–12115: the median time between its WM_TIMERs is 10 ms.
        let mut ticks = Vec::with_capacity(TIMER_COUNT);
        while ticks.len() < TIMER_COUNT {
            let Some(m) = ws.get_message(Hwnd::NULL)? else {
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
        ws.kill_timer(Hwnd::NULL, id)
    });
}

#[test]
fn set_timer_runs_out_of_thread_timer_ids() {
    common::run(|ws| {
        let mut ids = Vec::new();
        let mut failed = None;
        for _ in 0..0xffff {
            match ws.set_timer(Hwnd::NULL, 0, USER_TIMER_MAXIMUM) {
                Ok(id) => ids.push(id),
                Err(e) => {
                    failed = Some((e, ws.wsa_get_last_error()));
                    break;
                }
            }
        }
        // 12141: not all 0xFFFF timers were created.
        let (e, last) = failed.expect("all 0xFFFF timers were created");
        // 12142: GetLastError() is ERROR_NO_MORE_USER_HANDLES.
        assert_eq!(e, WsaError::ERROR_NO_MORE_USER_HANDLES);
        assert_eq!(last, 1158);
        for id in ids.into_iter().rev() {
            ws.kill_timer(Hwnd::NULL, id)?;
        }
        Ok(())
    });
}
