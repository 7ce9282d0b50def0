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
//! Not expressible, per kind: none. Substitutions: `tfunc` (a TIMERPROC that does nothing)
//! is a procedure that does nothing, given with `set_timer_proc`; `callback_count` is a
//! TIMERPROC that counts its calls from DispatchMessage and, as `timer_fired`, keeps their
//! times, GetTickCount's (msg.c uses QueryPerformanceCounter), over the same 500 calls (499
//! periods); msg.c's tolerance (|median − 10 ms| < 1 ms) in whole milliseconds is exactly
//! 10 ms, and its `broken()` 15.6 ms (older Windows' clock tick) is not accepted. The event
//! handshake with the thread (12028–12036) is replaced by waiting for the thread to end.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// `TIMER_ID` of msg.c.
const TIMER_ID: usize = 0x19;
/// `TIMER_COUNT` of msg.c: expiries measured (499 periods).
const TIMER_COUNT: usize = 500;

/// msg.c's `tfunc`: a TIMERPROC that does nothing.
fn tfunc() -> TimerProc<SimWinsock> {
    Box::new(|_, _, _, _, _| {})
}

#[test]
fn set_timer_returns_its_id_and_another_thread_can_kill_and_reset_it() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // 12025–12027: SetTimer(hwnd, TIMER_ID, 10000, tfunc) returns TIMER_ID.
        assert_eq!(ws.set_timer_proc(hwnd, TIMER_ID, 10000, tfunc())?, TIMER_ID);
        // 12004–12008: from another thread, KillTimer succeeds and SetTimer returns TIMER_ID.
        let t = ws.create_thread("timer_thread_proc", move |ws| {
            let killed = ws.kill_timer(hwnd, TIMER_ID);
            assert!(killed.is_ok(), "KillTimer in thread: {killed:?}");
            assert_eq!(ws.set_timer_proc(hwnd, TIMER_ID, 10000, tfunc())?, TIMER_ID);
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
        // `callback_count` and `timer_fired`: the calls and their times.
        let count = Arc::new(AtomicUsize::new(0));
        let at = Arc::new(Mutex::new(Vec::new()));
        let (n, times) = (count.clone(), at.clone());
        let callback_count: TimerProc<SimWinsock> = Box::new(move |_, _, _, _, tick| {
            n.fetch_add(1, Ordering::SeqCst);
            times.lock().unwrap().push(tick);
        });
        // 12045–12047: SetTimer with elapse 0 returns TIMER_ID.
        let id = ws.set_timer_proc(hwnd, TIMER_ID, 0, callback_count)?;
        assert_eq!(id, TIMER_ID);
        // 12048–12052: the median time between its calls is 10 ms.
        while count.load(Ordering::SeqCst) < TIMER_COUNT {
            let Some(m) = ws.get_message(hwnd)? else {
                panic!("unexpected WM_QUIT");
            };
            ws.dispatch_message(&m)?;
        }
        let ticks = at.lock().unwrap().clone();
        let mut periods: Vec<u32> = ticks.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
        periods.sort_unstable();
        assert_eq!(periods[(TIMER_COUNT - 1) / 2], 10, "{periods:?}");
        // 12054: KillTimer succeeds.
        let killed = ws.kill_timer(hwnd, id);
        assert!(killed.is_ok(), "{killed:?}");
        ws.destroy_window(hwnd)
    });
}
