//! TIMERPROCs (`set_timer_proc`) in the simulator: what DispatchMessage calls for a WM_TIMER
//! whose lParam names a procedure, with which arguments, and what happens to the procedure
//! when its timer is set again, killed, or goes with its window or thread, or when the
//! procedure itself calls back into the API. The behaviour Windows and Wine share is rule
//! AS-timerproc (tests/conformance_suite).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::run;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

/// (hwnd, message, id, tick) of each call.
type Calls = Arc<Mutex<Vec<(Hwnd, u32, usize, u32)>>>;

fn recording(calls: &Calls) -> TimerProc<SimWinsock> {
    let calls = calls.clone();
    Box::new(move |_, hwnd, message, id, tick| {
        calls.lock().unwrap().push((hwnd, message, id, tick));
    })
}

/// The next WM_TIMER GetMessage(`hwnd`) returns.
fn next_timer(ws: &SimWinsock, hwnd: Hwnd) -> Result<Msg, WsaError> {
    loop {
        match ws.get_message(hwnd)? {
            Some(m) if m.message == WM_TIMER => return Ok(m),
            Some(_) => {}
            None => panic!("unexpected WM_QUIT"),
        }
    }
}

#[test]
fn the_procedure_gets_hwnd_wm_timer_the_id_and_the_tick_of_the_dispatch() {
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    run(move |ws| {
        let id = ws.set_timer_proc(Hwnd::NULL, 0, 20, recording(&calls))?;
        let m = next_timer(ws, Hwnd::NULL)?;
        assert_eq!((m.hwnd, m.wparam), (Hwnd::NULL, id));
        assert_ne!(m.lparam, 0);
        ws.sleep(7);
        assert_eq!(ws.dispatch_message(&m)?, 0);
        // The tick is the dispatch's, not the expiry's.
        assert_eq!(
            *calls.lock().unwrap(),
            vec![(Hwnd::NULL, WM_TIMER, id, ws.get_tick_count())]
        );
        ws.kill_timer(Hwnd::NULL, id)
    });
    assert_eq!(seen.lock().unwrap()[0].3, 27);
}

#[test]
fn a_procedure_may_kill_its_own_timer_and_set_another() {
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    run(move |ws| {
        let again = calls.clone();
        let first: TimerProc<SimWinsock> = Box::new(move |ws, hwnd, _, id, _| {
            ws.kill_timer(hwnd, id)
                .expect("KillTimer from its own procedure");
            ws.set_timer_proc(Hwnd::NULL, 0, 10, recording(&again))
                .expect("SetTimer from a procedure");
        });
        let id = ws.set_timer_proc(Hwnd::NULL, 0, 10, first)?;
        let m = next_timer(ws, Hwnd::NULL)?;
        ws.dispatch_message(&m)?;
        // The killed timer's procedure is gone: its WM_TIMER dispatches to nothing.
        assert_eq!(ws.dispatch_message(&m)?, 0);
        assert_eq!(
            ws.kill_timer(Hwnd::NULL, id),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        // The new one runs.
        let m = next_timer(ws, Hwnd::NULL)?;
        assert_ne!(m.wparam, id);
        ws.dispatch_message(&m)?;
        ws.kill_timer(Hwnd::NULL, m.wparam)
    });
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn a_wm_timer_taken_before_its_timer_was_set_again_reaches_nothing() {
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    run(move |ws| {
        let window_calls = Arc::new(AtomicU32::new(0));
        let counted = window_calls.clone();
        let w = ws.create_window(Some(Box::new(move |_, _| {
            counted.fetch_add(1, Ordering::SeqCst);
            0
        })))?;
        ws.set_timer_proc(w, 1, 10, recording(&calls))?;
        let old = next_timer(ws, w)?;
        // Set again with another procedure: the old one's token names no timer now.
        ws.set_timer_proc(w, 1, 10, recording(&calls))?;
        assert_eq!(ws.dispatch_message(&old)?, 0);
        let new = next_timer(ws, w)?;
        assert_ne!(new.lparam, old.lparam);
        ws.dispatch_message(&new)?;
        // A WM_TIMER whose lParam names nothing: neither a procedure nor the window's runs.
        let made = Msg {
            lparam: 0x7777,
            ..new
        };
        assert_eq!(ws.dispatch_message(&made)?, 0);
        assert_eq!(window_calls.load(Ordering::SeqCst), 0);
        // The window's end takes its timers' procedures.
        ws.destroy_window(w)?;
        assert_eq!(ws.dispatch_message(&new)?, 0);
        Ok(())
    });
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn a_threads_end_takes_its_timers_procedures() {
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    run(move |ws| {
        let taken = Arc::new(Mutex::new(None));
        let slot = taken.clone();
        let c = calls.clone();
        let t = ws.create_thread("setter", move |ws| {
            ws.set_timer_proc(Hwnd::NULL, 0, 10, recording(&c))?;
            let m = next_timer(ws, Hwnd::NULL)?;
            *slot.lock().unwrap() = Some(m);
            Ok(())
        })?;
        ws.wait_for_thread(t, INFINITE)?;
        let m = taken.lock().unwrap().expect("the thread took its WM_TIMER");
        // Dispatched by another thread after the setter ended: its procedure is gone.
        assert_eq!(ws.dispatch_message(&m)?, 0);
        Ok(())
    });
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn another_process_dispatching_the_same_lparam_finds_no_procedure() {
    // lParam names a procedure in the process that set the timer (Windows: its address);
    // another host's DispatchMessage of the same WM_TIMER calls nothing.
    let calls: Calls = Arc::default();
    let taken: Arc<Mutex<Option<Msg>>> = Arc::default();
    let mut sim = Sim::builder().seed(9).build();
    let (c, slot) = (calls.clone(), taken.clone());
    sim.host("a", "192.0.2.1").spawn("setter", move |ws| {
        let id = ws.set_timer_proc(Hwnd::NULL, 0, 10, recording(&c))?;
        *slot.lock().unwrap() = Some(next_timer(ws, Hwnd::NULL)?);
        // Keeps its timer while the other host dispatches.
        ws.sleep(100);
        ws.kill_timer(Hwnd::NULL, id)
    });
    let slot = taken.clone();
    sim.host("b", "192.0.2.2").spawn("other", move |ws| {
        ws.sleep(50);
        let m = slot.lock().unwrap().expect("the setter took its WM_TIMER");
        assert_eq!(ws.dispatch_message(&m)?, 0);
        Ok(())
    });
    sim.run().expect("runs");
    assert!(calls.lock().unwrap().is_empty());
}
