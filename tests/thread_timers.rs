//! Thread timers (`SetTimer` / `KillTimer` with no window) on the simulator's virtual clock:
//! the ids the simulator gives (as Wine's server does), what wakes a message wait, the queue
//! status, the order beside window timers, and the end of the thread that set them. The
//! behaviour Windows and Wine share is rule AS-thread-timer (tests/conformance_suite).
mod common;

use std::sync::{Arc, Mutex};

use common::run;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind};

#[test]
fn ids_count_down_from_0x7fff_skip_those_in_use_and_wrap_at_0x101() {
    run(|ws| {
        // Wine's server: 0x7FFF, 0x7FFE, ... for each new timer; an id given is ignored
        // unless the thread holds a timer under it.
        assert_eq!(ws.set_timer(Hwnd::NULL, 0, 1000)?, 0x7fff);
        assert_eq!(ws.set_timer(Hwnd::NULL, 5, 1000)?, 0x7ffe);
        ws.kill_timer(Hwnd::NULL, 0x7fff)?;
        // The count goes on: a freed id is given again only once the count comes round.
        assert_eq!(ws.set_timer(Hwnd::NULL, 0, 1000)?, 0x7ffd);
        // Restarting keeps the id and takes none.
        assert_eq!(ws.set_timer(Hwnd::NULL, 0x7ffe, 500)?, 0x7ffe);
        assert_eq!(ws.set_timer(Hwnd::NULL, 0, 1000)?, 0x7ffc);
        // Round the count: 0x7ffb ..= 0x101 are free, then 0x7fff again (0x7ffe to 0x7ffc
        // are in use and skipped).
        let mut last = 0;
        for _ in 0x101..=0x7ffb {
            last = ws.set_timer(Hwnd::NULL, 0, 1000)?;
        }
        assert_eq!(last, 0x101);
        assert_eq!(ws.set_timer(Hwnd::NULL, 0, 1000)?, 0x7fff);
        // Every id in use now: the next fails, and names the error.
        assert_eq!(
            ws.set_timer(Hwnd::NULL, 0, 1000),
            Err(WsaError::ERROR_NO_MORE_USER_HANDLES)
        );
        assert_eq!(ws.wsa_get_last_error(), 1158);
        // One freed: it is the next new timer's, wherever the count stands.
        ws.kill_timer(Hwnd::NULL, 0x4000)?;
        assert_eq!(ws.set_timer(Hwnd::NULL, 0, 1000)?, 0x4000);
        for id in 0x101..=0x7fff {
            ws.kill_timer(Hwnd::NULL, id)?;
        }
        assert_eq!(
            ws.kill_timer(Hwnd::NULL, 0x7fff),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        Ok(())
    });
}

#[test]
fn each_thread_counts_its_own_ids() {
    let ids = Arc::new(Mutex::new(Vec::new()));
    let seen = ids.clone();
    run(move |ws| {
        let mine = ws.set_timer(Hwnd::NULL, 0, 1000)?;
        let slot = ids.clone();
        let t = ws.create_thread("other", move |ws| {
            let id = ws.set_timer(Hwnd::NULL, 0, 1000)?;
            slot.lock().unwrap().push(id);
            ws.kill_timer(Hwnd::NULL, id)
        })?;
        ws.wait_for_thread(t, INFINITE)?;
        ids.lock().unwrap().push(mine);
        ws.kill_timer(Hwnd::NULL, mine)
    });
    assert_eq!(*seen.lock().unwrap(), vec![0x7fff, 0x7fff]);
}

#[test]
fn expiries_before_retrieval_make_one_wm_timer_and_the_period_keeps_its_schedule() {
    run(|ws| {
        let start = ws.get_tick_count();
        let id = ws.set_timer(Hwnd::NULL, 0, 10)?;
        ws.sleep(55);
        let timer = Some(Msg {
            hwnd: Hwnd::NULL,
            message: WM_TIMER,
            wparam: id,
            lparam: 0,
        });
        assert_eq!(ws.peek_message(Hwnd::NULL, PM_NOREMOVE)?, timer);
        assert_eq!(ws.peek_message(Hwnd::NULL, PM_REMOVE)?, timer);
        assert_eq!(
            ws.peek_message(Hwnd::NULL, PM_REMOVE)?,
            None,
            "one for five"
        );
        assert_eq!(ws.get_message(Hwnd::NULL)?, timer);
        assert_eq!(ws.get_tick_count() - start, 60);
        ws.kill_timer(Hwnd::NULL, id)
    });
}

#[test]
fn a_look_exactly_on_a_due_time_takes_one_wm_timer_and_the_next_is_a_period_later() {
    // The WM_TIMER taken at 200 ms stands for the expiries at 100 and 200 ms (Wine's
    // restart_timer moves the deadline past the look): none again at 200, the next at 300.
    run(|ws| {
        let start = ws.get_tick_count();
        let id = ws.set_timer(Hwnd::NULL, 0, 100)?;
        ws.sleep(200);
        let m = ws.peek_message(Hwnd::NULL, PM_REMOVE)?;
        assert_eq!(m.map(|m| (m.message, m.wparam)), Some((WM_TIMER, id)));
        assert_eq!(ws.peek_message(Hwnd::NULL, PM_REMOVE)?, None);
        let m = ws.get_message(Hwnd::NULL)?;
        assert_eq!(m.map(|m| m.wparam), Some(id));
        assert_eq!(ws.get_tick_count() - start, 300);
        ws.kill_timer(Hwnd::NULL, id)
    });
}

#[test]
fn a_due_thread_timer_is_qs_timer_and_wakes_a_message_wait() {
    run(|ws| {
        let start = ws.get_tick_count();
        let id = ws.set_timer(Hwnd::NULL, 0, 30)?;
        assert_eq!(ws.get_queue_status(QS_TIMER)?, 0);
        // MsgWaitForMultipleObjectsEx with no handles, waiting for QS_TIMER: ends at 30 ms.
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(&[], INFINITE, QS_TIMER, 0)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ws.get_tick_count() - start, 30);
        // MAKELONG(new, present): new and present; then present only.
        assert_eq!(ws.get_queue_status(QS_TIMER)?, (QS_TIMER << 16) | QS_TIMER);
        assert_eq!(ws.get_queue_status(QS_TIMER)?, QS_TIMER << 16);
        assert_eq!(
            ws.get_message(Hwnd::NULL)?.map(|m| (m.message, m.wparam)),
            Some((WM_TIMER, id))
        );
        assert_eq!(ws.get_queue_status(QS_TIMER)?, 0);
        ws.kill_timer(Hwnd::NULL, id)
    });
}

#[test]
fn thread_and_window_timers_come_in_the_order_they_fell_due() {
    run(|ws| {
        let w = ws.create_window(None)?;
        let own = ws.set_timer(Hwnd::NULL, 0, 20)?;
        ws.set_timer(w, 7, 10)?;
        ws.sleep(25);
        let next = |ws: &winsock_sim::sim::SimWinsock| {
            ws.peek_message(Hwnd::NULL, PM_REMOVE)
                .map(|m| m.map(|m| (m.hwnd, m.wparam)))
        };
        assert_eq!(next(ws)?, Some((w, 7)), "the window's, due at 10 ms");
        assert_eq!(
            next(ws)?,
            Some((Hwnd::NULL, own)),
            "the thread's, due at 20 ms"
        );
        assert_eq!(next(ws)?, None);
        // A window filter sees only the window's; the thread-only filter, posted messages.
        ws.sleep(20);
        assert_eq!(ws.peek_message(w, PM_REMOVE)?.map(|m| m.wparam), Some(7));
        assert_eq!(ws.peek_message(w, PM_REMOVE)?, None);
        assert_eq!(ws.peek_message(HWND_TOPMOST, PM_REMOVE)?, None);
        assert_eq!(next(ws)?, Some((Hwnd::NULL, own)));
        ws.kill_timer(Hwnd::NULL, own)?;
        ws.destroy_window(w)
    });
}

#[test]
fn a_threads_timers_end_with_it() {
    // The timers of a thread that ended are gone: nothing wakes, nothing is delivered, and a
    // run whose other thread waits for ever still ends as a deadlock at once.
    let mut sim = Sim::builder().seed(5).build();
    sim.host("h", "192.0.2.1").spawn("main", |ws| {
        let t = ws.create_thread("timers", |ws| {
            let a = ws.set_timer(Hwnd::NULL, 0, 10)?;
            ws.set_timer(Hwnd::NULL, 0, 20)?;
            ws.sleep(30);
            // One of them due and ready at the end: it goes too.
            assert!(ws.peek_message(Hwnd::NULL, PM_NOREMOVE)?.is_some());
            ws.kill_timer(Hwnd::NULL, a)
        })?;
        ws.wait_for_thread(t, INFINITE)?;
        assert_eq!(ws.get_queue_status(QS_ALLINPUT)?, 0);
        let ev = ws.create_event(true, false)?;
        ws.wait_for_single_object(ev.into(), INFINITE)?;
        Ok(())
    });
    let e = sim.run().expect_err("deadlocks");
    assert_eq!(e.kind, SimErrorKind::Deadlock, "{e}");
    // At 40 ms at the latest: the expiry the killed timer had scheduled (its WM_TIMER was
    // generated at 30 ms by the PM_NOREMOVE look) comes and finds it gone.
    assert!(e.virtual_time.as_millis() <= 40, "{:?}", e.virtual_time);
}

#[test]
fn thread_timers_replay_under_the_same_seed() {
    let once = || {
        let mut sim = Sim::builder().seed(11).build();
        let h = sim.host("h", "192.0.2.1");
        for n in 0..3u32 {
            h.spawn(&format!("t{n}"), move |ws| {
                let id = ws.set_timer(Hwnd::NULL, 0, 10 + n)?;
                for _ in 0..5 {
                    ws.get_message(Hwnd::NULL)?;
                }
                ws.kill_timer(Hwnd::NULL, id)
            });
        }
        sim.run().expect("runs").trace_hash
    };
    assert_eq!(once(), once());
}
