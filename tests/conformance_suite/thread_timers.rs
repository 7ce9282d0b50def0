//! Thread timers, `SetTimer` with no window, and TIMERPROCs, written once for the simulator
//! and the real user32 (Wine's user32 msg.c test_timers_no_wnd and test_timers_exception;
//! SetTimer's and KillTimer's documentation for the id, the NULL-window WM_TIMER and the
//! calling thread; DispatchMessage's for the TIMERPROC).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules.
pub fn thread_timer_rules<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
) -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "AS-thread-timer",
            title: "SetTimer(NULL): a timer of the calling thread under an id it picks (the same id restarts it), whose WM_TIMER (hwnd NULL, wParam the id) only that thread's look without a window filter takes; KillTimer(NULL) stops the caller's own, else ERROR_INVALID_PARAMETER",
            body: thread_timers::<W>,
        },
        Rule {
            id: "AS-thread-timer-owner",
            title: "a thread timer belongs to the thread that set it: another thread's KillTimer(NULL, id) fails with ERROR_INVALID_PARAMETER and its WM_TIMER never reaches another thread's queue",
            body: thread_timer_owner::<W>,
        },
        Rule {
            id: "AS-timerproc",
            title: "SetTimer with a TIMERPROC: its WM_TIMER carries a nonzero lParam, and DispatchMessage calls the procedure (hwnd, WM_TIMER, id), not the window's, also for a WM_TIMER the program made; set again without one, lParam 0 and the window's procedure; killed, dispatching does nothing",
            body: timer_procs::<W>,
        },
    ]
}

/// Takes every queued message (PeekMessage PM_REMOVE until none) and returns the WM_TIMERs
/// among them as (hwnd, wParam, lParam).
fn drain_timers<W: AsyncSelect>(ws: &W) -> Result<Vec<(usize, usize, isize)>, String> {
    let mut timers = Vec::new();
    while let Some(m) = e("PeekMessage", ws.peek_message(Hwnd::NULL, PM_REMOVE))? {
        if m.message == WM_TIMER {
            timers.push((m.hwnd.raw(), m.wparam, m.lparam));
        }
    }
    Ok(timers)
}

/// msg.c test_timers_no_wnd, and the filters' siblings.
fn thread_timers<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let id = e("SetTimer(NULL, 0, 100)", ws.set_timer(Hwnd::NULL, 0, 100))?;
    c.eq("SetTimer(NULL, 0, 100) gives an id", id != 0, true)?;
    c.eq(
        "SetTimer(NULL, id, 200): the same timer, the same id",
        ws.set_timer(Hwnd::NULL, id, 200),
        Ok(id),
    )?;
    ws.sleep(150);
    c.eq(
        "WM_TIMERs after 150 ms (the period is 200 now)",
        drain_timers(ws)?,
        vec![],
    )?;
    ws.sleep(150);
    c.eq(
        "WM_TIMERs after 300 ms: one, hwnd NULL, wParam the id, lParam 0",
        drain_timers(ws)?,
        vec![(0, id, 0)],
    )?;
    c.eq("KillTimer(NULL, id)", ws.kill_timer(Hwnd::NULL, id), Ok(()))?;
    ws.sleep(250);
    c.eq("WM_TIMERs after KillTimer", drain_timers(ws)?, vec![])?;
    c.eq(
        "KillTimer(NULL, id) again",
        code(ws.kill_timer(Hwnd::NULL, id)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;

    // Two timers at once have two ids; an id the thread does not hold is ignored.
    let a = e("SetTimer(NULL, 0, 10)", ws.set_timer(Hwnd::NULL, 0, 10))?;
    let b = e(
        "SetTimer(NULL, 0, 5000)",
        ws.set_timer(Hwnd::NULL, 0, 5_000),
    )?;
    c.eq("two thread timers have two ids", a != b && b != 0, true)?;
    let unheld = (1..).find(|n| *n != a && *n != b).unwrap_or(1);
    let d = e(
        "SetTimer(NULL, an id the thread does not hold, 5000)",
        ws.set_timer(Hwnd::NULL, unheld, 5_000),
    )?;
    c.eq(
        "that id is ignored: a new timer under an id of its own",
        d != a && d != b && d != 0,
        true,
    )?;
    let h = e("CreateWindow", ws.create_window(None))?;
    ws.sleep(50);
    c.eq(
        "PeekMessage(a window) with a thread timer due",
        ws.peek_message(h, PM_NOREMOVE)
            .map(|m| m.map(|m| m.message)),
        Ok(None),
    )?;
    c.eq(
        "PeekMessage(NULL) takes it",
        ws.peek_message(Hwnd::NULL, PM_REMOVE)
            .map(|m| m.map(|m| (m.hwnd.raw(), m.message, m.wparam))),
        Ok(Some((0, WM_TIMER, a))),
    )?;
    for t in [a, b, d] {
        c.eq("KillTimer(NULL, t)", ws.kill_timer(Hwnd::NULL, t), Ok(()))?;
    }
    e("DestroyWindow", ws.destroy_window(h))?;
    drain_timers(ws)?;
    Ok(())
}

/// A thread timer is the setting thread's: KillTimer and the WM_TIMER from another thread.
fn thread_timer_owner<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let mine = e(
        "SetTimer(NULL, 0, 5000)",
        ws.set_timer(Hwnd::NULL, 0, 5_000),
    )?;
    let set = e("CreateEvent", ws.create_event(true, false))?;
    let done = e("CreateEvent", ws.create_event(true, false))?;
    // What the other thread saw: its KillTimer of this thread's timer, its own timer's id.
    let seen = Arc::new(Mutex::new(None));
    let slot = seen.clone();
    let t = e(
        "CreateThread",
        ws.create_thread("timer owner", move |ws: &W| {
            let kill = code(ws.kill_timer(Hwnd::NULL, mine));
            let own = ws.set_timer(Hwnd::NULL, 0, 10)?;
            *slot.lock().expect("slot") = Some((kill, own));
            ws.set_event(set)?;
            // Holds its timer until the first thread has looked at its own queue.
            ws.wait_for_single_object(Handle::Event(done), 10_000)?;
            ws.kill_timer(Hwnd::NULL, own)
        }),
    )?;
    e(
        "wait for the thread's timer",
        ws.wait_for_single_object(Handle::Event(set), 5_000),
    )?;
    let (kill, own) = seen
        .lock()
        .expect("slot")
        .ok_or("the thread reported nothing")?;
    c.eq(
        "KillTimer(NULL, another thread's timer)",
        kill,
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    ws.sleep(100);
    let here = drain_timers(ws)?;
    e("SetEvent", ws.set_event(done))?;
    e("wait for the thread", ws.wait_for_thread(t, 5_000))?;
    c.eq(
        "WM_TIMERs in this thread's queue while the other's timer is due",
        here.iter().any(|&(hwnd, id, _)| hwnd == 0 && id == own),
        false,
    )?;
    c.eq(
        "KillTimer(NULL, its own timer), which the other thread could not kill",
        ws.kill_timer(Hwnd::NULL, mine),
        Ok(()),
    )?;
    e("CloseHandle", ws.close_handle(Handle::Event(set)))?;
    e("CloseHandle", ws.close_handle(Handle::Event(done)))?;
    Ok(())
}

/// (hwnd, message, id) of each TIMERPROC call.
type Calls = Arc<Mutex<Vec<(usize, u32, usize)>>>;

/// The first WM_TIMER PeekMessage(`hwnd`, PM_REMOVE) finds (other messages are taken and
/// dropped).
fn next_timer<W: AsyncSelect>(ws: &W, hwnd: Hwnd) -> Result<Option<Msg>, String> {
    while let Some(m) = e("PeekMessage", ws.peek_message(hwnd, PM_REMOVE))? {
        if m.message == WM_TIMER {
            return Ok(Some(m));
        }
    }
    Ok(None)
}

/// msg.c test_timers_exception (a WM_TIMER made by the program reaches the TIMERPROC) and
/// DispatchMessage's documentation: "If the lParam parameter of a WM_TIMER message is not
/// NULL, lParam points to a function that is called instead of the window procedure."
fn timer_procs<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let calls: Calls = Arc::default();
    let record = |calls: &Calls| -> TimerProc<W> {
        let calls = calls.clone();
        Box::new(
            move |_: &W, hwnd: Hwnd, message: u32, id: usize, _tick: u32| {
                calls.lock().expect("calls").push((hwnd.raw(), message, id));
            },
        )
    };
    let seen = |calls: &Calls| calls.lock().expect("calls").clone();

    let id = e(
        "SetTimer(NULL, 0, 10, proc)",
        ws.set_timer_proc(Hwnd::NULL, 0, 10, record(&calls)),
    )?;
    ws.sleep(50);
    let m = next_timer(ws, Hwnd::NULL)?.ok_or("no WM_TIMER from the thread timer")?;
    c.eq(
        "its WM_TIMER: hwnd NULL, wParam the id, lParam nonzero",
        (m.hwnd.raw(), m.wparam, m.lparam != 0),
        (0, id, true),
    )?;
    c.eq("DispatchMessage of it", ws.dispatch_message(&m), Ok(0))?;
    c.eq(
        "the TIMERPROC ran: (NULL, WM_TIMER, id)",
        seen(&calls),
        vec![(0, WM_TIMER, id)],
    )?;
    let made = Msg {
        hwnd: Hwnd::NULL,
        message: WM_TIMER,
        wparam: id,
        lparam: m.lparam,
    };
    c.eq(
        "DispatchMessage of a WM_TIMER made by the program",
        ws.dispatch_message(&made),
        Ok(0),
    )?;
    c.eq("the TIMERPROC ran again", seen(&calls).len(), 2)?;

    // A window timer with a procedure: the procedure, not the window's.
    let window_calls = Arc::new(AtomicU32::new(0));
    let counted = window_calls.clone();
    let h = e(
        "CreateWindow",
        ws.create_window(Some(Box::new(move |_: &W, _m: Msg| {
            counted.fetch_add(1, Ordering::SeqCst);
            0
        }))),
    )?;
    c.eq(
        "SetTimer(hwnd, 5, 10, proc)",
        ws.set_timer_proc(h, 5, 10, record(&calls)),
        Ok(5),
    )?;
    ws.sleep(30);
    let m = next_timer(ws, h)?.ok_or("no WM_TIMER from the window's timer")?;
    c.eq(
        "its WM_TIMER: the window, wParam 5, lParam nonzero",
        (m.hwnd, m.wparam, m.lparam != 0),
        (h, 5, true),
    )?;
    c.eq("DispatchMessage of it", ws.dispatch_message(&m), Ok(0))?;
    c.eq(
        "the TIMERPROC ran with the window, not the window's procedure",
        (
            seen(&calls).last().copied(),
            window_calls.load(Ordering::SeqCst),
        ),
        (Some((h.raw(), WM_TIMER, 5)), 0),
    )?;

    // Id 0 on a window: SetTimer returns 1, the timer's WM_TIMERs carry 0, and its
    // procedure runs for them.
    c.eq(
        "SetTimer(hwnd, 0, 10, proc)",
        ws.set_timer_proc(h, 0, 10, record(&calls)),
        Ok(1),
    )?;
    ws.sleep(30);
    let m = loop {
        // Timer 5's WM_TIMERs may come first.
        match next_timer(ws, h)? {
            Some(m) if m.wparam == 5 => continue,
            m => break m.ok_or("no WM_TIMER from the window's timer 0")?,
        }
    };
    c.eq(
        "its WM_TIMER: wParam 0, lParam nonzero",
        (m.wparam, m.lparam != 0),
        (0, true),
    )?;
    e("DispatchMessage", ws.dispatch_message(&m))?;
    c.eq(
        "the procedure of timer 0 ran",
        seen(&calls).last().copied(),
        Some((h.raw(), WM_TIMER, 0)),
    )?;
    e("KillTimer(hwnd, 0)", ws.kill_timer(h, 0))?;
    calls.lock().expect("calls").pop();

    // Set again without a procedure: lParam 0, and the window's procedure gets it.
    c.eq(
        "SetTimer(hwnd, 5, 10) without one",
        ws.set_timer(h, 5, 10),
        Ok(5),
    )?;
    ws.sleep(30);
    let m = next_timer(ws, h)?.ok_or("no WM_TIMER after SetTimer again")?;
    c.eq("its WM_TIMER's lParam", m.lparam, 0)?;
    e("DispatchMessage", ws.dispatch_message(&m))?;
    c.eq(
        "the window's procedure ran, the TIMERPROC did not",
        (window_calls.load(Ordering::SeqCst), seen(&calls).len()),
        (1, 3),
    )?;

    // Killed: dispatching its WM_TIMER calls nothing.
    e("KillTimer(NULL, id)", ws.kill_timer(Hwnd::NULL, id))?;
    c.eq(
        "DispatchMessage of the killed timer's WM_TIMER",
        ws.dispatch_message(&made),
        Ok(0),
    )?;
    c.eq(
        "no TIMERPROC ran, nor the window's procedure",
        (seen(&calls).len(), window_calls.load(Ordering::SeqCst)),
        (3, 1),
    )?;
    e("KillTimer(hwnd, 5)", ws.kill_timer(h, 5))?;
    e("DestroyWindow", ws.destroy_window(h))?;
    drain_timers(ws)?;
    Ok(())
}
