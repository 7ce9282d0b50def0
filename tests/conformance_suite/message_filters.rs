//! GetMessage / PeekMessage's two filters and the thread's own messages, written once for the
//! simulator and the real user32 (Wine's user32 msg.c test_PostMessage, test_PeekMessage
//! 14594–14616, test_PeekMessage3, test_quit_message; Microsoft's PostThreadMessage
//! documentation for ERROR_INVALID_THREAD_ID).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules.
pub fn message_filter_rules<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
) -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "AS-thread-msg",
            title: "PostMessage(NULL) and PostThreadMessage queue NULL-window messages, which HWND_BOTTOM / HWND_TOPMOST / HWND_BROADCAST select; PostThreadMessage needs a thread with a message queue (ERROR_INVALID_THREAD_ID)",
            body: thread_messages::<W>,
        },
        Rule {
            id: "AS-thread-end",
            title: "a thread's windows are destroyed when it ends: PostMessage and GetMessage on one are ERROR_INVALID_WINDOW_HANDLE (WSA_INVALID_HANDLE here)",
            body: windows_end_with_their_thread::<W>,
        },
        Rule {
            id: "AS-destroy-owner",
            title: "DestroyWindow on a window another thread created: ERROR_ACCESS_DENIED, and the window lives on (its owner destroys it)",
            body: destroy_by_owner_only::<W>,
        },
        Rule {
            id: "AS-queue-status",
            title: "GetQueueStatus: MAKELONG(new kinds, kinds present) for the flags asked, which are then no longer new (PeekMessage's look too); posted messages, WM_QUIT, a due WM_TIMER; QS_ALLPOSTMESSAGE outlives a look with a range; bad flags ERROR_INVALID_FLAGS",
            body: queue_status::<W>,
        },
        Rule {
            id: "AS-quota",
            title: "a queue holds 10,000 posted messages: the next PostMessage or PostThreadMessage fails with ERROR_NOT_ENOUGH_QUOTA until one is taken",
            body: posted_message_quota::<W>,
        },
        Rule {
            id: "AS-range",
            title: "GetMessage / PeekMessage's message range: the first queued message in it; min above max takes none; WM_QUIT passes any filter, a due WM_TIMER only a range that holds it",
            body: message_range::<W>,
        },
    ]
}

/// (hwnd, message, wParam, lParam) of a message.
fn parts(m: Option<Msg>) -> Option<(usize, u32, usize, isize)> {
    m.map(|m| (m.hwnd.raw(), m.message, m.wparam, m.lparam))
}

fn thread_messages<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let h = e("CreateWindow", ws.create_window(None))?;
    e(
        "PostMessage",
        ws.post_message(h, WM_USER + 1, 0x1234, 0x5678),
    )?;
    c.eq(
        "PostMessage(NULL)",
        ws.post_message(Hwnd::NULL, WM_USER + 2, 0x5678, 0x1234),
        Ok(()),
    )?;
    let thread_msg = Some((0, WM_USER + 2, 0x5678, 0x1234));
    c.eq(
        "PeekMessage(NULL): the window's message, posted first",
        ws.peek_message(Hwnd::NULL, PM_NOREMOVE).map(parts),
        Ok(Some((h.raw(), WM_USER + 1, 0x1234, 0x5678))),
    )?;
    for (what, f) in [
        ("HWND_BROADCAST", HWND_BROADCAST),
        ("HWND_BOTTOM", HWND_BOTTOM),
        ("HWND_TOPMOST", HWND_TOPMOST),
    ] {
        c.eq(
            &format!("PeekMessage({what}): the thread message"),
            ws.peek_message(f, PM_NOREMOVE).map(parts),
            Ok(thread_msg),
        )?;
    }
    for (what, raw) in [
        ("HWND_NOTOPMOST", usize::MAX - 1),
        ("HWND_MESSAGE", usize::MAX - 2),
        ("0xdeadbeef", 0xdead_beef),
    ] {
        c.eq(
            &format!("PeekMessage({what})"),
            code(ws.peek_message(Hwnd::from_raw(raw), PM_NOREMOVE)),
            Err(WsaError::WSA_INVALID_HANDLE),
        )?;
    }
    c.eq(
        "GetMessage(HWND_TOPMOST)",
        ws.get_message(HWND_TOPMOST).map(parts),
        Ok(thread_msg),
    )?;
    c.eq(
        "PeekMessage(HWND_BOTTOM) after it",
        ws.peek_message(HWND_BOTTOM, PM_REMOVE).map(parts),
        Ok(None),
    )?;
    c.eq(
        "PeekMessage(hwnd): the window's message is still there",
        ws.peek_message(h, PM_REMOVE).map(|m| m.map(|m| m.message)),
        Ok(Some(WM_USER + 1)),
    )?;
    let own = ws.get_current_thread_id();
    c.eq(
        "PostThreadMessage to the calling thread",
        ws.post_thread_message(own, WM_USER + 3, 3, 4),
        Ok(()),
    )?;
    c.eq(
        "its message",
        ws.peek_message(Hwnd::NULL, PM_REMOVE).map(parts),
        Ok(Some((0, WM_USER + 3, 3, 4))),
    )?;
    c.eq_or_wine(
        "PostThreadMessage to no thread",
        code(ws.post_thread_message(0xdead_beec, WM_USER, 0, 0)),
        Err(WsaError::ERROR_INVALID_THREAD_ID),
        Err(WsaError::WSA_INVALID_PARAMETER),
        "Microsoft's PostThreadMessage docs; Wine 8.0 gives ERROR_INVALID_PARAMETER (STATUS_INVALID_CID)",
    )?;
    another_thread(ws, c)?;
    e("DestroyWindow", ws.destroy_window(h))
}

/// PostThreadMessage to a thread without a message queue, then with one, then ended.
fn another_thread<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let started = e("CreateEvent", ws.create_event(true, false))?;
    let go = e("CreateEvent", ws.create_event(true, false))?;
    let ready = e("CreateEvent", ws.create_event(true, false))?;
    let id = Arc::new(AtomicU32::new(0));
    let got = Arc::new(Mutex::new(None));
    let (tid, seen) = (id.clone(), got.clone());
    let t = e(
        "CreateThread",
        ws.create_thread("receiver", move |ws: &W| {
            tid.store(ws.get_current_thread_id(), Ordering::SeqCst);
            ws.set_event(started)?;
            // No window-manager call yet: the thread has no message queue.
            ws.wait_for_single_object(go.into(), 5_000)?;
            // The documented way to make one before being posted to.
            ws.peek_message(Hwnd::NULL, PM_NOREMOVE)?;
            ws.set_event(ready)?;
            let m = ws.get_message(Hwnd::NULL)?;
            *seen.lock().expect("message slot") = Some(parts(m));
            Ok(())
        }),
    )?;
    e(
        "wait for the thread's start",
        ws.wait_for_single_object(started.into(), 5_000),
    )?;
    let target = id.load(Ordering::SeqCst);
    c.eq(
        "PostThreadMessage to a thread without a message queue",
        code(ws.post_thread_message(target, WM_USER, 1, 2)),
        Err(WsaError::ERROR_INVALID_THREAD_ID),
    )?;
    e("SetEvent", ws.set_event(go))?;
    e(
        "wait for its queue",
        ws.wait_for_single_object(ready.into(), 5_000),
    )?;
    c.eq(
        "PostThreadMessage once it has one",
        ws.post_thread_message(target, WM_USER + 4, 5, 6),
        Ok(()),
    )?;
    e("wait for the thread", ws.wait_for_thread(t, 5_000))?;
    c.eq(
        "what its GetMessage got",
        *got.lock().expect("message slot"),
        Some(Some((0, WM_USER + 4, 5, 6))),
    )?;
    c.eq_or_wine(
        "PostThreadMessage to the ended thread",
        code(ws.post_thread_message(target, WM_USER, 0, 0)),
        Err(WsaError::ERROR_INVALID_THREAD_ID),
        Err(WsaError::WSA_INVALID_PARAMETER),
        "Microsoft's PostThreadMessage docs (an ended thread has no message queue); Wine 8.0 no longer finds the thread id (STATUS_INVALID_CID)",
    )?;
    for ev in [started, go, ready] {
        e("CloseHandle", ws.close_handle(ev.into()))?;
    }
    Ok(())
}

fn message_range<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let h = e("CreateWindow", ws.create_window(None))?;
    for m in [WM_USER, WM_USER + 1, WM_USER + 2] {
        e("PostMessage", ws.post_message(h, m, 0, 0))?;
    }
    let message = |m: Result<Option<Msg>, WsaError>| m.map(|m| m.map(|m| m.message));
    c.eq(
        "PeekMessage(WM_USER + 1 ..= WM_USER + 2)",
        message(ws.peek_message_range(h, WM_USER + 1, WM_USER + 2, PM_NOREMOVE)),
        Ok(Some(WM_USER + 1)),
    )?;
    c.eq(
        "PeekMessage(NULL, WM_USER + 2 ..= WM_USER + 2, PM_REMOVE)",
        message(ws.peek_message_range(Hwnd::NULL, WM_USER + 2, WM_USER + 2, PM_REMOVE)),
        Ok(Some(WM_USER + 2)),
    )?;
    c.eq(
        "PeekMessage with min above max",
        message(ws.peek_message_range(h, WM_USER + 5, WM_USER, PM_NOREMOVE)),
        Ok(None),
    )?;
    c.eq(
        "GetMessage(WM_USER + 1 ..= WM_USER + 1)",
        message(ws.get_message_range(h, WM_USER + 1, WM_USER + 1)),
        Ok(Some(WM_USER + 1)),
    )?;
    c.eq(
        "GetMessage without a range",
        message(ws.get_message_range(h, 0, 0)),
        Ok(Some(WM_USER)),
    )?;
    ws.post_quit_message(7);
    e("PostMessage", ws.post_message(h, WM_USER + 3, 0, 0))?;
    c.eq(
        "PeekMessage(hwnd, a range nothing is in): WM_QUIT, whatever the filters",
        ws.peek_message_range(h, WM_USER + 5, WM_USER + 6, PM_NOREMOVE)
            .map(parts),
        Ok(Some((0, WM_QUIT, 7, 0))),
    )?;
    c.eq(
        "GetMessage(WM_USER + 3 ..= WM_USER + 3): the posted message before WM_QUIT",
        message(ws.get_message_range(h, WM_USER + 3, WM_USER + 3)),
        Ok(Some(WM_USER + 3)),
    )?;
    c.eq(
        "GetMessage(HWND_BOTTOM, a range nothing is in): WM_QUIT (FALSE)",
        ws.get_message_range(HWND_BOTTOM, WM_USER + 5, WM_USER + 6)
            .map(parts),
        Ok(None),
    )?;
    e("SetTimer", ws.set_timer(h, 1, 10))?;
    ws.sleep(100);
    c.eq(
        "PeekMessage(WM_USER ..= WM_USER) with a WM_TIMER due",
        message(ws.peek_message_range(Hwnd::NULL, WM_USER, WM_USER, PM_NOREMOVE)),
        Ok(None),
    )?;
    c.eq(
        "PeekMessage(HWND_TOPMOST) with a WM_TIMER due",
        message(ws.peek_message(HWND_TOPMOST, PM_NOREMOVE)),
        Ok(None),
    )?;
    c.eq(
        "PeekMessage(WM_TIMER ..= WM_TIMER)",
        ws.peek_message_range(h, WM_TIMER, WM_TIMER, PM_REMOVE)
            .map(parts),
        Ok(Some((h.raw(), WM_TIMER, 1, 0))),
    )?;
    e("KillTimer", ws.kill_timer(h, 1))?;
    e("DestroyWindow", ws.destroy_window(h))
}

/// user32 win.c test_thread_exit_destroy 918–920: the ended thread's window is no window.
fn windows_end_with_their_thread<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let made = Arc::new(Mutex::new(None));
    let slot = made.clone();
    let t = e(
        "CreateThread",
        ws.create_thread("window owner", move |ws: &W| {
            let h = ws.create_window(None)?;
            *slot.lock().expect("window slot") = Some(h);
            Ok(())
        }),
    )?;
    e("wait for the thread", ws.wait_for_thread(t, 5_000))?;
    let h = made
        .lock()
        .expect("window slot")
        .ok_or("the thread made no window")?;
    c.eq(
        "PostMessage to the ended thread's window",
        code(ws.post_message(h, WM_USER, 0, 0)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "GetMessage on it",
        code(ws.get_message(h)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    Ok(())
}

/// PostMessage's and PostThreadMessage's documentation: "There is a limit of 10,000 posted
/// messages per message queue"; past it they fail with ERROR_NOT_ENOUGH_QUOTA.
fn posted_message_quota<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let h = e("CreateWindow", ws.create_window(None))?;
    for i in 0..10_000u32 {
        if let Err(err) = ws.post_message(h, WM_USER, i as usize, 0) {
            return Err(format!("PostMessage number {}: {err:?}", i + 1));
        }
    }
    let full = code(ws.post_message(h, WM_USER, 10_000, 0));
    c.eq_or_wine(
        "PostMessage number 10,001",
        full,
        Err(WsaError::ERROR_NOT_ENOUGH_QUOTA),
        Ok(()),
        "PostMessage's documentation (USERPostMessageLimit); Wine 8.0 has no limit",
    )?;
    let me = ws.get_current_thread_id();
    if full.is_err() {
        c.eq(
            "PostThreadMessage to the full queue",
            code(ws.post_thread_message(me, WM_USER, 0, 0)),
            Err(WsaError::ERROR_NOT_ENOUGH_QUOTA),
        )?;
        c.eq(
            "GetMessage takes the first",
            ws.get_message(h).map(parts),
            Ok(Some((h.raw(), WM_USER, 0, 0))),
        )?;
        c.eq(
            "PostThreadMessage has room again",
            ws.post_thread_message(me, WM_USER + 1, 0, 0),
            Ok(()),
        )?;
    }
    e("DestroyWindow", ws.destroy_window(h))?;
    // DestroyWindow dropped the window's messages; the thread message stays: take it.
    while e("PeekMessage", ws.peek_message(Hwnd::NULL, PM_REMOVE))?.is_some() {}
    Ok(())
}

/// DestroyWindow's documentation ("A thread cannot use DestroyWindow to destroy a window
/// created by a different thread"); Wine checks it too (ERROR_ACCESS_DENIED).
fn destroy_by_owner_only<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let made = Arc::new(Mutex::new(None));
    let slot = made.clone();
    let ready = e("CreateEvent", ws.create_event(true, false))?;
    let done = e("CreateEvent", ws.create_event(true, false))?;
    let mine = Arc::new(Mutex::new(None));
    let mine_slot = mine.clone();
    let t = e(
        "CreateThread",
        ws.create_thread("window owner", move |ws: &W| {
            let h = ws.create_window(None)?;
            *slot.lock().expect("window slot") = Some(h);
            ws.set_event(ready)?;
            ws.wait_for_single_object(done.into(), 5_000)?;
            // The message the other thread posted, then the owner's own DestroyWindow.
            let m = ws.peek_message(h, PM_REMOVE)?.map(|m| m.message);
            *mine_slot.lock().expect("result slot") = Some((m, ws.destroy_window(h)));
            Ok(())
        }),
    )?;
    e(
        "wait for the window",
        ws.wait_for_single_object(ready.into(), 5_000),
    )?;
    let h = made
        .lock()
        .expect("window slot")
        .ok_or("the thread made no window")?;
    c.eq(
        "DestroyWindow from another thread",
        code(ws.destroy_window(h)),
        Err(WsaError::ERROR_ACCESS_DENIED),
    )?;
    c.eq(
        "PostMessage to it: the window lives on",
        ws.post_message(h, WM_USER + 9, 0, 0),
        Ok(()),
    )?;
    e("SetEvent", ws.set_event(done))?;
    e("wait for the owner", ws.wait_for_thread(t, 5_000))?;
    c.eq(
        "the owner's PeekMessage and DestroyWindow",
        mine.lock().expect("result slot").take(),
        Some((Some(WM_USER + 9), Ok(()))),
    )?;
    for ev in [ready, done] {
        e("CloseHandle", ws.close_handle(ev.into()))?;
    }
    Ok(())
}

/// user32 msg.c test_PeekMessage (GetQueueStatus's invalid flags and last error) and
/// GetQueueStatus's documentation, on posted messages, WM_QUIT and a window timer.
fn queue_status<W: Winsock + AsyncSelect + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let make = |new: u32, now: u32| (now << 16) | new;
    let h = e("CreateWindow", ws.create_window(None))?;
    while e("PeekMessage", ws.peek_message(Hwnd::NULL, PM_REMOVE))?.is_some() {}
    let pt = QS_POSTMESSAGE | QS_TIMER;
    c.eq("an empty queue", ws.get_queue_status(pt), Ok(0))?;
    e("PostMessage", ws.post_message(h, WM_USER, 0, 0))?;
    c.eq(
        "after a post",
        ws.get_queue_status(pt),
        Ok(make(QS_POSTMESSAGE, QS_POSTMESSAGE)),
    )?;
    c.eq(
        "asked again: no longer new",
        ws.get_queue_status(pt),
        Ok(make(0, QS_POSTMESSAGE)),
    )?;
    e("PostMessage", ws.post_message(h, WM_USER, 0, 0))?;
    c.eq("QS_TIMER alone", ws.get_queue_status(QS_TIMER), Ok(0))?;
    c.eq(
        "QS_POSTMESSAGE: still new",
        ws.get_queue_status(QS_POSTMESSAGE),
        Ok(make(QS_POSTMESSAGE, QS_POSTMESSAGE)),
    )?;
    e("PostMessage", ws.post_message(h, WM_USER, 0, 0))?;
    e("PeekMessage", ws.peek_message(Hwnd::NULL, PM_NOREMOVE))?;
    c.eq(
        "after a PM_NOREMOVE look",
        ws.get_queue_status(pt),
        Ok(make(0, QS_POSTMESSAGE)),
    )?;
    e("PostMessage", ws.post_message(h, WM_USER, 0, 0))?;
    e(
        "PeekMessage",
        ws.peek_message_range(Hwnd::NULL, WM_USER, WM_USER, PM_NOREMOVE),
    )?;
    c.eq(
        "QS_ALLPOSTMESSAGE after a look with a range",
        ws.get_queue_status(QS_POSTMESSAGE | QS_ALLPOSTMESSAGE),
        Ok(make(QS_ALLPOSTMESSAGE, QS_POSTMESSAGE | QS_ALLPOSTMESSAGE)),
    )?;
    while e("PeekMessage", ws.peek_message(Hwnd::NULL, PM_REMOVE))?.is_some() {}
    c.eq("drained", ws.get_queue_status(pt), Ok(0))?;
    // A period long enough that the timer is not due again before the checks after its
    // WM_TIMER is taken (a real run's threads can be slow).
    e("SetTimer", ws.set_timer(h, 1, 1_000))?;
    ws.sleep(1_100);
    c.eq(
        "a due timer",
        ws.get_queue_status(pt),
        Ok(make(QS_TIMER, QS_TIMER)),
    )?;
    c.eq("again", ws.get_queue_status(pt), Ok(make(0, QS_TIMER)))?;
    c.eq(
        "its WM_TIMER taken",
        ws.peek_message(Hwnd::NULL, PM_REMOVE)
            .map(|m| m.map(|m| m.message)),
        Ok(Some(WM_TIMER)),
    )?;
    c.eq("after it", ws.get_queue_status(pt), Ok(0))?;
    e("KillTimer", ws.kill_timer(h, 1))?;
    ws.post_quit_message(3);
    c.eq(
        "a pending WM_QUIT",
        ws.get_queue_status(QS_POSTMESSAGE),
        Ok(make(QS_POSTMESSAGE, QS_POSTMESSAGE)),
    )?;
    c.eq(
        "it is taken",
        ws.peek_message(Hwnd::NULL, PM_REMOVE)
            .map(|m| m.map(|m| m.message)),
        Ok(Some(WM_QUIT)),
    )?;
    c.eq(
        "invalid flags",
        ws.get_queue_status(0xffff_ffff),
        Err(WsaError::ERROR_INVALID_FLAGS),
    )?;
    e("DestroyWindow", ws.destroy_window(h))
}
