//! WSAAsyncSelect rules (trait [`AsyncSelect`]): the message queue and FD_* messages.

use winsock_sim::prelude::*;

use super::{code, e, listener, pair, queue_counting_apc, tcp, Check, Rule};

/// Every rule on windows, message queues and `WSAAsyncSelect` (trait [`AsyncSelect`]).
pub fn async_rules<W: Winsock + AsyncSelect>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "AS-queue", title: "PostMessage/PeekMessage/GetMessage on a window; WM_QUIT; a bad window WSA_INVALID_HANDLE", body: message_queue::<W> },
        Rule { id: "AS-bad-window", title: "GetMessage and PeekMessage on a handle that is no window, or a destroyed one: ERROR_INVALID_WINDOW_HANDLE (WSA_INVALID_HANDLE here)", body: bad_window_filter::<W> },
        Rule { id: "AS-read", title: "WSAAsyncSelect: FD_READ posted with wParam = socket, lParam = FD_READ; the socket turns nonblocking", body: async_read::<W> },
        Rule { id: "AS-accept", title: "WSAAsyncSelect on a listener: FD_ACCEPT when a client connects", body: async_accept::<W> },
        Rule { id: "AS-timer", title: "SetTimer returns the id; WM_TIMER (wParam id, lParam 0) after posted messages; expiries before retrieval make one WM_TIMER; KillTimer stops it and its due WM_TIMER, again fails", body: window_timers::<W> },
    ]
}

/// The next message for `hwnd`, polled for up to 5 s (never blocks forever).
fn next_message<W: AsyncSelect>(ws: &W, hwnd: Hwnd) -> Result<Option<Msg>, String> {
    for _ in 0..500 {
        if let Some(m) = e("PeekMessage", ws.peek_message(hwnd, PM_REMOVE))? {
            return Ok(Some(m));
        }
        ws.sleep(10);
    }
    Ok(None)
}

fn message_queue<W: Winsock + AsyncSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let bogus = Hwnd::from_raw(0xdead_0000);
    c.eq(
        "DestroyWindow(bogus)",
        code(ws.destroy_window(bogus)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    let h = e("CreateWindow", ws.create_window(None))?;
    c.eq(
        "an empty queue",
        e("PeekMessage", ws.peek_message(h, PM_REMOVE))?.map(|m| m.message),
        None,
    )?;
    e("PostMessage", ws.post_message(h, WM_USER + 7, 42, -1))?;
    let m = e("PeekMessage", ws.peek_message(h, PM_NOREMOVE))?;
    c.eq(
        "peeked",
        m.map(|m| (m.hwnd, m.message, m.wparam, m.lparam)),
        Some((h, WM_USER + 7, 42, -1)),
    )?;
    let m = e("GetMessage", ws.get_message(h))?;
    c.eq("got", m.map(|m| m.message), Some(WM_USER + 7))?;
    c.eq(
        "DispatchMessage without a procedure",
        e(
            "DispatchMessage",
            ws.dispatch_message(&m.expect("a message")),
        )?,
        0,
    )?;
    ws.post_quit_message(3);
    c.eq(
        "WM_QUIT",
        e("GetMessage", ws.get_message(Hwnd::NULL))?,
        None,
    )?;
    e("DestroyWindow", ws.destroy_window(h))?;
    c.eq(
        "DestroyWindow again",
        code(ws.destroy_window(h)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )
}

fn async_read<W: Winsock + AsyncSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let h = e("CreateWindow", ws.create_window(None))?;
    e(
        "WSAAsyncSelect",
        ws.wsa_async_select(sv, h, WM_USER + 1, FD_READ),
    )?;
    let mut b = [0u8; 8];
    c.eq(
        "the socket is nonblocking",
        code(ws.recv(sv, &mut b, 0)),
        Err(WsaError::WSAEWOULDBLOCK),
    )?;
    e("send", ws.send(cl, b"ping", 0))?;
    let m = next_message(ws, h)?;
    c.eq(
        "message",
        m.map(|m| (m.message, m.wparam, m.lparam)),
        Some((WM_USER + 1, sv.raw(), FD_READ as isize)),
    )?;
    c.eq("recv", e("recv", ws.recv(sv, &mut b, 0))?, 4)?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("DestroyWindow", ws.destroy_window(h))
}

fn async_accept<W: Winsock + AsyncSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, a) = listener(ws)?;
    let h = e("CreateWindow", ws.create_window(None))?;
    e(
        "WSAAsyncSelect",
        ws.wsa_async_select(l, h, WM_USER + 2, FD_ACCEPT),
    )?;
    let cl = tcp(ws)?;
    e("connect", ws.connect(cl, &a))?;
    let m = next_message(ws, h)?;
    c.eq(
        "message",
        m.map(|m| (m.message, m.wparam, m.lparam)),
        Some((WM_USER + 2, l.raw(), FD_ACCEPT as isize)),
    )?;
    let (sv, _) = e("accept", ws.accept(l))?;
    for s in [cl, sv, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("DestroyWindow", ws.destroy_window(h))
}

fn window_timers<W: Winsock + AsyncSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let h = e("CreateWindow", ws.create_window(None))?;
    c.eq("SetTimer", ws.set_timer(h, 5, 50), Ok(5))?;
    let m = e("GetMessage", ws.get_message(h))?;
    c.eq(
        "WM_TIMER",
        m.map(|m| (m.hwnd, m.message, m.wparam, m.lparam)),
        Some((h, WM_TIMER, 5, 0)),
    )?;
    // Several periods pass unretrieved, and a message is posted meanwhile.
    ws.sleep(300);
    e("PostMessage", ws.post_message(h, WM_USER + 1, 1, 2))?;
    let m = e("PeekMessage", ws.peek_message(h, PM_REMOVE))?;
    c.eq(
        "the posted message first",
        m.map(|m| m.message),
        Some(WM_USER + 1),
    )?;
    let m = e("PeekMessage", ws.peek_message(h, PM_REMOVE))?;
    c.eq(
        "then one WM_TIMER",
        m.map(|m| (m.message, m.wparam)),
        Some((WM_TIMER, 5)),
    )?;
    c.eq(
        "not a second for the other expiries",
        e("PeekMessage", ws.peek_message(h, PM_REMOVE))?.map(|m| m.message),
        None,
    )?;
    // Due again, then killed before retrieval.
    ws.sleep(120);
    c.eq("KillTimer", code(ws.kill_timer(h, 5)), Ok(()))?;
    c.eq(
        "its due WM_TIMER is not generated",
        e("PeekMessage", ws.peek_message(h, PM_REMOVE))?.map(|m| m.message),
        None,
    )?;
    ws.sleep(120);
    c.eq(
        "nor any later",
        e("PeekMessage", ws.peek_message(h, PM_REMOVE))?.map(|m| m.message),
        None,
    )?;
    c.eq(
        "KillTimer again",
        code(ws.kill_timer(h, 5)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    // A WM_TIMER a PM_NOREMOVE peek has seen comes before a message posted after the peek.
    c.eq("SetTimer id 0", ws.set_timer(h, 0, 10), Ok(1))?;
    ws.sleep(100);
    let m = e("PeekMessage", ws.peek_message(h, PM_NOREMOVE))?;
    c.eq(
        "seen",
        m.map(|m| (m.message, m.wparam)),
        Some((WM_TIMER, 0)),
    )?;
    e("PostMessage", ws.post_message(h, WM_USER + 2, 0, 0))?;
    let m = e("GetMessage", ws.get_message(h))?;
    c.eq_or_wine(
        "the seen WM_TIMER first",
        m.map(|m| m.message),
        Some(WM_TIMER),
        Some(WM_USER + 2),
        "user32 msg.c test_PeekMessage3, todo_wine",
    )?;
    c.eq("KillTimer id 0", code(ws.kill_timer(h, 0)), Ok(()))?;
    e("DestroyWindow", ws.destroy_window(h))?;
    c.eq(
        "SetTimer on a destroyed window",
        code(ws.set_timer(h, 1, 10)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )
}

/// MsgWaitForMultipleObjectsEx rules (needs an event: `EventSelect`).
pub fn msg_wait_rules<W: Winsock + AsyncSelect + EventSelect>() -> Vec<Rule<W>> {
    vec![Rule { id: "AS-msgwait", title: "MsgWaitForMultipleObjectsEx: new input ends the wait (index nCount), input already seen by PeekMessage does not (MWMO_INPUTAVAILABLE: it does), a return for it leaves it new; a handle signalled with it first; MWMO_WAITALL needs every handle and input; the wake mask selects posted messages or WM_TIMER", body: msg_waits::<W> }]
}

fn msg_waits<W: Winsock + AsyncSelect + EventSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let h = e("CreateWindow", ws.create_window(None))?;
    let none: &[Handle] = &[];
    c.eq(
        "an empty queue",
        ws.msg_wait_for_multiple_objects_ex(none, 0, QS_ALLINPUT, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("PostMessage", ws.post_message(h, WM_USER, 0, 0))?;
    c.eq(
        "new input",
        ws.msg_wait_for_multiple_objects_ex(none, 5_000, QS_ALLINPUT, 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "still new after the wait",
        ws.msg_wait_for_multiple_objects_ex(none, 0, QS_ALLINPUT, 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "MWMO_INPUTAVAILABLE: still queued",
        ws.msg_wait_for_multiple_objects_ex(none, 0, QS_ALLINPUT, MWMO_INPUTAVAILABLE),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "removed",
        e("PeekMessage", ws.peek_message(h, PM_REMOVE))?.map(|m| m.message),
        Some(WM_USER),
    )?;
    // The trap: a peek that does not remove makes the message seen.
    e("PostMessage", ws.post_message(h, WM_USER + 1, 0, 0))?;
    let m = e("PeekMessage", ws.peek_message(h, PM_NOREMOVE))?;
    c.eq("peeked", m.map(|m| m.message), Some(WM_USER + 1))?;
    c.eq(
        "seen by the peek",
        ws.msg_wait_for_multiple_objects_ex(none, 100, QS_ALLINPUT, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("GetMessage", ws.get_message(h))?;
    // A handle and new input at once.
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    e("WSASetEvent", ws.wsa_set_event(ev))?;
    e("PostMessage", ws.post_message(h, WM_USER + 2, 0, 0))?;
    let evs = [Handle::Event(ev)];
    c.eq(
        "the handle first",
        ws.msg_wait_for_multiple_objects_ex(&evs, 5_000, QS_ALLINPUT, 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("WSAResetEvent", ws.wsa_reset_event(ev))?;
    c.eq(
        "then the input",
        ws.msg_wait_for_multiple_objects_ex(&evs, 5_000, QS_ALLINPUT, 0),
        Ok(WAIT_OBJECT_0 + 1),
    )?;
    e("GetMessage", ws.get_message(h))?;
    // MWMO_WAITALL: every handle and new input.
    e("WSASetEvent", ws.wsa_set_event(ev))?;
    c.eq(
        "MWMO_WAITALL without input",
        ws.msg_wait_for_multiple_objects_ex(&evs, 200, QS_ALLINPUT, MWMO_WAITALL),
        Ok(WAIT_TIMEOUT),
    )?;
    e("PostMessage", ws.post_message(h, WM_USER + 3, 0, 0))?;
    c.eq(
        "MWMO_WAITALL with both",
        ws.msg_wait_for_multiple_objects_ex(&evs, 5_000, QS_ALLINPUT, MWMO_WAITALL),
        Ok(WAIT_OBJECT_0),
    )?;
    e("GetMessage", ws.get_message(h))?;
    e("WSAResetEvent", ws.wsa_reset_event(ev))?;
    // The wake mask: a due WM_TIMER is not a posted message.
    c.eq("SetTimer", ws.set_timer(h, 1, 50), Ok(1))?;
    c.eq(
        "QS_POSTMESSAGE ignores the timer",
        ws.msg_wait_for_multiple_objects_ex(&evs, 300, QS_POSTMESSAGE, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "QS_TIMER",
        ws.msg_wait_for_multiple_objects_ex(&evs, 5_000, QS_TIMER, 0),
        Ok(WAIT_OBJECT_0 + 1),
    )?;
    e("KillTimer", ws.kill_timer(h, 1))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))?;
    e("DestroyWindow", ws.destroy_window(h))
}

/// The message-queue rules that need APCs (traits [`AsyncSelect`], [`OverlappedIo`]).
pub fn async_apc_rules<W: Winsock + AsyncSelect + OverlappedIo + SyncObjects>() -> Vec<Rule<W>> {
    vec![Rule {
        id: "AS-msgwait-apc",
        title: "MsgWaitForMultipleObjectsEx(QS_POSTMESSAGE, MWMO_ALERTABLE) with a posted message and a queued APC: WAIT_OBJECT_0 for the message, the APC at the next alertable wait",
        body: message_before_apc::<W>,
    }]
}

/// user32 msg.c test_MsgWaitForMultipleObjects: even with MWMO_ALERTABLE, window input is
/// preferred to a queued APC.
fn message_before_apc<W: Winsock + AsyncSelect + OverlappedIo + SyncObjects>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
    let h = e("CreateWindow", ws.create_window(None))?;
    let ran = std::sync::Arc::new(AtomicU32::new(0));
    queue_counting_apc(ws, ws.get_current_thread(), &ran)?;
    e("PostMessage", ws.post_message(h, WM_USER, 0, 0))?;
    c.eq(
        "the message first",
        ws.msg_wait_for_multiple_objects_ex(&[], 0, QS_POSTMESSAGE, MWMO_ALERTABLE),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq("the APC has not run", ran.load(SeqCst), 0)?;
    c.eq(
        "PeekMessage takes it",
        e("PeekMessage", ws.peek_message(h, PM_REMOVE))?.map(|m| m.message),
        Some(WM_USER),
    )?;
    c.eq(
        "then the APC",
        ws.msg_wait_for_multiple_objects_ex(&[], 0, QS_POSTMESSAGE, MWMO_ALERTABLE),
        Ok(WAIT_IO_COMPLETION),
    )?;
    c.eq("it ran", ran.load(SeqCst), 1)?;
    e("DestroyWindow", ws.destroy_window(h))
}

/// user32 msg.c test_invalid_window: GetMessage returns -1 and PeekMessage FALSE for an hWnd
/// that names no window, destroyed or never made.
fn bad_window_filter<W: Winsock + AsyncSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let h = e("CreateWindow", ws.create_window(None))?;
    e("DestroyWindow", ws.destroy_window(h))?;
    for (what, w) in [
        ("destroyed", h),
        ("never a window", Hwnd::from_raw(0xdead_0000)),
    ] {
        c.eq(
            &format!("PeekMessage, {what}"),
            code(ws.peek_message(w, PM_REMOVE)),
            Err(WsaError::WSA_INVALID_HANDLE),
        )?;
        c.eq(
            &format!("GetMessage, {what}"),
            code(ws.get_message(w)),
            Err(WsaError::WSA_INVALID_HANDLE),
        )?;
    }
    Ok(())
}
