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
//! | no call after 150 ms of a 200 ms period, 12093                         |      1 |               0 |       0 |
//! | one call after 300 ms, 12096                                           |      1 |               0 |       0 |
//! | none after KillTimer, 12100                                            |      1 |               0 |       0 |
//! | SetTimer(NULL, 0, 0) gives an id, 12108                                |      1 |               0 |       0 |
//! | the median period of that timer is ~10 ms, 12111–12115                 |      1 |               0 |       0 |
//! | SetCoalescableTimer, 12121–12127                                       |      0 |               2 |       0 |
//! | SetTimer runs out of ids with ERROR_NO_MORE_USER_HANDLES, 12141–12143  |      2 |               0 |       0 |
//! | **total**                                                              |      9 |               2 |       0 |
//!
//! Not expressible, per kind: SetCoalescableTimer (2) is not in the API. Substitutions: the
//! timers are set with `set_timer_proc` and `callback_count` is a TIMERPROC that counts its
//! calls (from DispatchMessage, as in msg.c); `timer_fired`'s times are GetTickCount's in
//! the TIMERPROC (msg.c uses QueryPerformanceCounter) over the same 500 calls, and msg.c's
//! tolerance (|median − 10 ms| < 1 ms) in whole milliseconds is exactly 10 ms (its `broken()`
//! 15.6 ms, older Windows' clock tick, is not accepted). `tfunc` (a TIMERPROC that does
//! nothing) is a procedure that does nothing. Where msg.c sets 0xFFFF timers until one fails,
//! the port stops at the first failure as msg.c does, and kills them all.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// `TIMER_COUNT` of msg.c: expiries measured (499 periods).
const TIMER_COUNT: usize = 500;

/// msg.c's `callback_count`: counts its calls (and, as `timer_fired`, their times).
fn callback_count(count: &Arc<AtomicUsize>, at: &Arc<Mutex<Vec<u32>>>) -> TimerProc<SimWinsock> {
    let (count, at) = (count.clone(), at.clone());
    Box::new(move |_, _, _, _, tick| {
        count.fetch_add(1, Ordering::SeqCst);
        at.lock().unwrap().push(tick);
    })
}

/// msg.c's `while (PeekMessageA(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageA(&msg);`.
fn pump(ws: &SimWinsock) -> Result<(), WsaError> {
    while let Some(m) = ws.peek_message(Hwnd::NULL, PM_REMOVE)? {
        ws.dispatch_message(&m)?;
    }
    Ok(())
}

#[test]
fn a_thread_timer_is_replaced_under_its_id_and_killed() {
    common::run(|ws| {
        let count = Arc::new(AtomicUsize::new(0));
        let at = Arc::new(Mutex::new(Vec::new()));
        let calls = || count.load(Ordering::SeqCst);
        // 12088: SetTimer(NULL, 0, 100, callback_count) gives an id.
        let id = ws.set_timer_proc(Hwnd::NULL, 0, 100, callback_count(&count, &at))?;
        assert_ne!(id, 0);
        // 12090: SetTimer(NULL, id, 200, callback_count) replaces that timer, same id.
        assert_eq!(
            ws.set_timer_proc(Hwnd::NULL, id, 200, callback_count(&count, &at))?,
            id
        );
        // 12093: after 150 ms, no call (the period is 200 ms from the replacement).
        ws.sleep(150);
        pump(ws)?;
        assert_eq!(calls(), 0);
        // 12096: after 300 ms, one.
        ws.sleep(150);
        pump(ws)?;
        assert_eq!(calls(), 1);
        // 12100: KillTimer stops the replaced timer: none after 250 ms more.
        ws.kill_timer(Hwnd::NULL, id)?;
        ws.sleep(250);
        pump(ws)?;
        assert_eq!(calls(), 1);
        Ok(())
    });
}

#[test]
fn a_zero_elapse_thread_timer_has_a_10_ms_period() {
    common::run(|ws| {
        let count = Arc::new(AtomicUsize::new(0));
        let at = Arc::new(Mutex::new(Vec::new()));
        // 12108: SetTimer(NULL, 0, 0, callback_count) gives an id.
        let id = ws.set_timer_proc(Hwnd::NULL, 0, 0, callback_count(&count, &at))?;
        assert_ne!(id, 0);
        // 12111–12115: the median time between its calls is 10 ms.
        while count.load(Ordering::SeqCst) < TIMER_COUNT {
            let Some(m) = ws.get_message(Hwnd::NULL)? else {
                panic!("unexpected WM_QUIT");
            };
            ws.dispatch_message(&m)?;
        }
        let ticks = at.lock().unwrap().clone();
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
            // `tfunc`: a TIMERPROC that does nothing.
            let tfunc: TimerProc<SimWinsock> = Box::new(|_, _, _, _, _| {});
            match ws.set_timer_proc(Hwnd::NULL, 0, USER_TIMER_MAXIMUM, tfunc) {
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
