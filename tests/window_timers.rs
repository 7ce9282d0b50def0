//! Window timers (`SetTimer` / `KillTimer` and WM_TIMER) on the simulator's virtual clock, for
//! WSAAsyncSelect message loops: when a WM_TIMER comes, in which order beside posted messages
//! and WM_QUIT, that expiries before it is retrieved make one message, what KillTimer, a new
//! SetTimer and DestroyWindow do, and the errors.
mod common;

use std::sync::{Arc, Mutex};

use common::run;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind};

fn is_timer(m: Option<Msg>, hwnd: Hwnd, id: usize) -> bool {
    m == Some(Msg {
        hwnd,
        message: WM_TIMER,
        wparam: id,
        lparam: 0,
    })
}

#[test]
fn a_wm_timer_comes_every_period_from_the_timers_due_times() {
    // SetTimer returns the id; GetMessage returns WM_TIMER (wParam = id, lParam = 0) at each
    // due time; work between the messages does not shift the period.
    let at = Arc::new(Mutex::new(Vec::new()));
    let seen = at.clone();
    run(move |ws| {
        let w = ws.create_window(None)?;
        let start = ws.get_tick_count();
        assert_eq!(ws.set_timer(w, 7, 50)?, 7);
        for _ in 0..3 {
            assert!(is_timer(ws.get_message(w)?, w, 7));
            at.lock().unwrap().push(ws.get_tick_count() - start);
            ws.sleep(20);
        }
        ws.kill_timer(w, 7)?;
        ws.destroy_window(w)
    });
    assert_eq!(*seen.lock().unwrap(), vec![50, 100, 150]);
}

#[test]
fn expiries_before_retrieval_make_one_wm_timer() {
    // A timer is not a queue of messages: five expiries while nobody looks give one WM_TIMER,
    // PM_NOREMOVE leaves it, PM_REMOVE takes it, and the next comes at the next due time.
    run(|ws| {
        let w = ws.create_window(None)?;
        let start = ws.get_tick_count();
        ws.set_timer(w, 1, 10)?;
        ws.sleep(55);
        assert!(is_timer(ws.peek_message(w, PM_NOREMOVE)?, w, 1));
        assert!(is_timer(ws.peek_message(w, PM_REMOVE)?, w, 1));
        assert_eq!(
            ws.peek_message(w, PM_REMOVE)?,
            None,
            "one message for five expiries"
        );
        assert!(is_timer(ws.get_message(w)?, w, 1));
        assert_eq!(ws.get_tick_count() - start, 60);
        ws.destroy_window(w)
    });
}

#[test]
fn posted_messages_and_wm_quit_come_before_wm_timer() {
    // WM_TIMER is generated only when nothing is posted: a message posted after the timer
    // became due is retrieved first, and so is WM_QUIT.
    run(|ws| {
        let w = ws.create_window(None)?;
        ws.set_timer(w, 1, 10)?;
        ws.sleep(15);
        ws.post_message(w, WM_USER, 5, 6)?;
        let m = ws.get_message(w)?.expect("a message");
        assert_eq!((m.message, m.wparam), (WM_USER, 5));
        ws.post_quit_message(3);
        assert_eq!(ws.get_message(Hwnd::NULL)?, None, "WM_QUIT first");
        assert!(is_timer(ws.get_message(w)?, w, 1));
        ws.destroy_window(w)
    });
}

#[test]
fn each_window_and_id_is_its_own_timer() {
    // Two windows' timers: a filtered GetMessage takes its window's only; timers come in the
    // order they fell due; setting an id again restarts it with the new period; an elapse
    // below USER_TIMER_MINIMUM is 10 ms.
    run(|ws| {
        let a = ws.create_window(None)?;
        let b = ws.create_window(None)?;
        let start = ws.get_tick_count();
        ws.set_timer(a, 1, 30)?;
        ws.set_timer(b, 1, 20)?;
        assert!(
            is_timer(ws.get_message(a)?, a, 1),
            "a's, though b's fell due first"
        );
        assert_eq!(ws.get_tick_count() - start, 30);
        assert!(
            is_timer(ws.get_message(Hwnd::NULL)?, b, 1),
            "b's was waiting"
        );
        ws.set_timer(b, 1, 100)?;
        ws.set_timer(a, 2, 0)?;
        assert!(is_timer(ws.get_message(Hwnd::NULL)?, a, 2), "0 ms is 10 ms");
        assert_eq!(ws.get_tick_count() - start, 40);
        ws.kill_timer(a, 2)?;
        assert!(is_timer(ws.get_message(a)?, a, 1));
        assert_eq!(ws.get_tick_count() - start, 60);
        assert!(
            is_timer(ws.get_message(b)?, b, 1),
            "b restarted at 30 with 100 ms"
        );
        assert_eq!(ws.get_tick_count() - start, 130);
        ws.destroy_window(a)?;
        ws.destroy_window(b)
    });
}

#[test]
fn kill_timer_and_destroy_window_stop_a_timer_and_its_due_wm_timer() {
    // KillTimer stops the timer and its WM_TIMER, due and not retrieved, is not generated;
    // killing it again fails; DestroyWindow stops its window's timers.
    run(|ws| {
        let w = ws.create_window(None)?;
        ws.set_timer(w, 1, 10)?;
        ws.sleep(15);
        ws.kill_timer(w, 1)?;
        assert_eq!(ws.peek_message(w, PM_REMOVE)?, None);
        ws.sleep(50);
        assert_eq!(ws.peek_message(w, PM_REMOVE)?, None, "stopped");
        assert_eq!(ws.kill_timer(w, 1), Err(WsaError::WSA_INVALID_PARAMETER));
        ws.set_timer(w, 2, 10)?;
        ws.sleep(15);
        ws.destroy_window(w)?;
        assert_eq!(
            ws.peek_message(Hwnd::NULL, PM_REMOVE)?,
            None,
            "gone with its window"
        );
        assert_eq!(ws.set_timer(w, 1, 10), Err(WsaError::WSA_INVALID_HANDLE));
        assert_eq!(ws.kill_timer(w, 2), Err(WsaError::WSA_INVALID_HANDLE));
        Ok(())
    });
}

#[test]
fn dispatch_message_gives_wm_timer_to_the_window_procedure() {
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    run(move |ws| {
        let got = got.clone();
        let w = ws.create_window(Some(Box::new(move |_ws, m: Msg| {
            got.lock().unwrap().push((m.message, m.wparam));
            0
        })))?;
        ws.set_timer(w, 9, 25)?;
        for _ in 0..2 {
            let m = ws.get_message(Hwnd::NULL)?.expect("WM_TIMER");
            ws.dispatch_message(&m)?;
        }
        ws.destroy_window(w)
    });
    assert_eq!(*seen.lock().unwrap(), vec![(WM_TIMER, 9), (WM_TIMER, 9)]);
}

#[test]
fn another_thread_may_set_a_timer_on_a_window_and_its_thread_gets_the_wm_timer() {
    // user32 msg.c timer_thread_proc: SetTimer and KillTimer on a window of another thread of
    // the process succeed; the WM_TIMER goes to the window's own thread. An id of 0 returns 1
    // (C's nonzero success) and its WM_TIMER carries 0.
    run(|ws| {
        let w = ws.create_window(None)?;
        let other = ws.create_thread("other", move |ws| {
            assert_eq!(ws.set_timer(w, 0, 10)?, 1);
            assert_eq!(ws.set_timer(w, 4, 30)?, 4);
            assert_eq!(
                ws.peek_message(Hwnd::NULL, PM_REMOVE)?,
                None,
                "not its queue"
            );
            Ok(())
        })?;
        ws.wait_for_single_object(other.into(), INFINITE)?;
        assert!(is_timer(ws.get_message(w)?, w, 0));
        let killer = ws.create_thread("killer", move |ws| ws.kill_timer(w, 4))?;
        ws.wait_for_single_object(killer.into(), INFINITE)?;
        ws.kill_timer(w, 0)?;
        ws.sleep(50);
        assert_eq!(ws.peek_message(w, PM_REMOVE)?, None);
        ws.destroy_window(w)
    });
}

#[test]
fn a_wm_timer_seen_by_pm_noremove_comes_before_later_posted_messages() {
    // Once a retrieval has generated a WM_TIMER it is a posted message: a PM_NOREMOVE peek
    // leaves it first in line, ahead of a message posted after the peek (msg.c
    // test_PeekMessage3, asserted of Windows, todo_wine).
    run(|ws| {
        let w = ws.create_window(None)?;
        ws.set_timer(w, 1, 10)?;
        ws.sleep(15);
        assert!(is_timer(ws.peek_message(w, PM_NOREMOVE)?, w, 1));
        ws.post_message(w, WM_USER, 0, 0)?;
        assert!(is_timer(ws.get_message(w)?, w, 1));
        assert_eq!(ws.get_message(w)?.map(|m| m.message), Some(WM_USER));
        ws.destroy_window(w)
    });
}

#[test]
fn a_timer_nobody_retrieves_does_not_hide_a_deadlock() {
    // A ready timer schedules nothing more until its WM_TIMER is retrieved: a run whose
    // thread waits for ever on an event still ends as a deadlock, not at the time limit.
    let mut sim = Sim::builder().seed(3).build();
    sim.host("h", "192.0.2.1").spawn("main", |ws| {
        let w = ws.create_window(None)?;
        ws.set_timer(w, 1, 10)?;
        let ev = ws.create_event(true, false)?;
        ws.wait_for_single_object(ev.into(), INFINITE)?;
        Ok(())
    });
    let e = sim.run().expect_err("deadlocks");
    assert_eq!(e.kind, SimErrorKind::Deadlock, "{e}");
    assert!(e.virtual_time.as_millis() <= 10, "{:?}", e.virtual_time);
}
