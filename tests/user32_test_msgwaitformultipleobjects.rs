//! Port of Wine's `dlls/user32/tests/msg.c` `test_MsgWaitForMultipleObjects` (wine-tkg
//! commit 4b12965c, lines 5542–5614), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (a `PeekMessage` and its message check are two).
//! `MsgWaitForMultipleObjects(0, NULL, FALSE, t, mask)` is ported as
//! `MsgWaitForMultipleObjectsEx(0, NULL, t, mask, 0)`, which it is.
//!
//! | part of test_MsgWaitForMultipleObjects                          | ported | not expressible | failing |
//! |-----------------------------------------------------------------|-------:|----------------:|--------:|
//! | empty queue, posted message, removed by PeekMessage, 5547–5559  |      5 |               0 |       0 |
//! | a PM_NOREMOVE peek makes the message seen, 5561–5571            |      4 |               0 |       0 |
//! | a new post wakes again, both removed, 5573–5582                 |      5 |               0 |       0 |
//! | MWMO_INPUTAVAILABLE counts a seen message, 5584–5593            |      5 |               0 |       0 |
//! | a queued APC without MWMO_ALERTABLE, 5595–5600                  |      2 |               0 |       0 |
//! | MWMO_ALERTABLE: input before the APC, then the APC, 5602–5613   |      4 |               0 |       0 |
//! | **total**                                                       |     25 |               0 |       0 |
//!
//! Not expressible, per kind: none. The window msg.c passes in is one of its test class; here
//! it is a window with no procedure (only its queue matters).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const NONE: &[Handle] = &[];

fn wait(ws: &SimWinsock, flags: u32) -> Result<u32, WsaError> {
    ws.msg_wait_for_multiple_objects_ex(NONE, 0, QS_POSTMESSAGE, flags)
}

fn peek(ws: &SimWinsock, remove: u32) -> Result<Option<u32>, WsaError> {
    Ok(ws.peek_message(Hwnd::NULL, remove)?.map(|m| m.message))
}

#[test]
fn posted_messages_seen_and_new_input() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // 5547–5548: nothing queued.
        assert_eq!(wait(ws, 0)?, WAIT_TIMEOUT);
        // 5550–5553: a posted message wakes QS_POSTMESSAGE.
        ws.post_message(hwnd, WM_USER, 0, 0)?;
        assert_eq!(wait(ws, 0)?, WAIT_OBJECT_0);
        // 5555–5556: PeekMessage(PM_REMOVE) returns it.
        assert_eq!(peek(ws, PM_REMOVE)?, Some(WM_USER));
        // 5558–5559: the queue is empty again.
        assert_eq!(wait(ws, 0)?, WAIT_TIMEOUT);

        // 5561–5564: posted again, the wait returns for it.
        ws.post_message(hwnd, WM_USER, 0, 0)?;
        assert_eq!(wait(ws, 0)?, WAIT_OBJECT_0);
        // 5566–5567: PeekMessage(PM_NOREMOVE) sees it.
        assert_eq!(peek(ws, PM_NOREMOVE)?, Some(WM_USER));
        // 5569–5571: still queued, but seen: the wait times out.
        assert_eq!(wait(ws, 0)?, WAIT_TIMEOUT);

        // 5573–5577: a new post makes the queue's input new again.
        ws.post_message(hwnd, WM_USER, 0, 0)?;
        assert_eq!(wait(ws, 0)?, WAIT_OBJECT_0);
        // 5579–5582: both messages are removed.
        assert_eq!(peek(ws, PM_REMOVE)?, Some(WM_USER));
        assert_eq!(peek(ws, PM_REMOVE)?, Some(WM_USER));

        // 5584–5587: a message posted and peeked without removing.
        ws.post_message(hwnd, WM_USER, 0, 0)?;
        assert_eq!(peek(ws, PM_NOREMOVE)?, Some(WM_USER));
        // 5589–5590: MWMO_INPUTAVAILABLE returns for it although it was seen.
        assert_eq!(wait(ws, MWMO_INPUTAVAILABLE)?, WAIT_OBJECT_0);
        // 5592–5593: removed.
        assert_eq!(peek(ws, PM_REMOVE)?, Some(WM_USER));
        ws.destroy_window(hwnd)
    });
}

#[test]
fn a_queued_apc_runs_only_with_mwmo_alertable_and_after_input() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // 5595–5597: an APC queued to the calling thread.
        let queued = ws.queue_user_apc(Box::new(|_ws: &SimWinsock| {}), ws.thread_id());
        assert!(queued.is_ok(), "{queued:?}");
        // 5599–5600: without MWMO_ALERTABLE the wait does not run it: WAIT_TIMEOUT.
        assert_eq!(wait(ws, 0)?, WAIT_TIMEOUT);

        // 5603–5606: with MWMO_ALERTABLE and a posted message, the message wins.
        ws.post_message(hwnd, WM_USER, 0, 0)?;
        assert_eq!(wait(ws, MWMO_ALERTABLE)?, WAIT_OBJECT_0);
        // 5608–5609: removed.
        assert_eq!(peek(ws, PM_REMOVE)?, Some(WM_USER));
        // 5612–5613: the APC is still queued and now runs.
        assert_eq!(wait(ws, MWMO_ALERTABLE)?, WAIT_IO_COMPLETION);
        ws.destroy_window(hwnd)
    });
}
