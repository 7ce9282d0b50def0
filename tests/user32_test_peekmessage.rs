//! Port of Wine's `dlls/user32/tests/msg.c` `test_PeekMessage` (wine-tkg commit 4b12965c,
//! lines 14129–14630), facts only: its thread-message part.
//!
//! | part of test_PeekMessage                                               | ported | not expressible | failing |
//! |------------------------------------------------------------------------|-------:|----------------:|--------:|
//! | queue status, keyboard input, sent messages, WM_PAINT, PM_QS_*, 14129–14592 | 0 |           75 |       0 |
//! | a thread message under hWnd -1, 1 and 0xffff, 14594–14616              |     12 |               0 |       0 |
//! | **total**                                                              |     12 |              75 |       0 |
//!
//! Not expressible, per kind: GetQueueStatus, keyboard input (keybd_event), SendMessage from
//! another thread, WM_PAINT and PM_QS_* flags, none of which the API has (75 `ok()`s, counted
//! once each in the function's text).
mod common;

use winsock_sim::prelude::*;

#[test]
fn a_thread_message_under_the_three_thread_filters() {
    common::run(|ws| {
        let me = ws.get_current_thread_id();
        for filter in [HWND_TOPMOST, HWND_BOTTOM, HWND_BROADCAST] {
            // 14594 (14601, 14608): PostThreadMessage to the calling thread.
            ws.post_thread_message(me, WM_USER, 0, 0)?;
            // 14595–14597: PeekMessage(PM_NOREMOVE) under the filter finds it.
            let m = ws.peek_message(filter, PM_NOREMOVE)?;
            assert!(m.is_some(), "{filter:?}");
            assert_eq!(m.map(|m| m.message), Some(WM_USER), "{filter:?}");
            // 14598–14600: GetMessage under the filter takes it (TRUE).
            let m = ws.get_message(filter)?;
            assert!(m.is_some(), "{filter:?}");
            assert_eq!(m.map(|m| m.message), Some(WM_USER), "{filter:?}");
        }
        assert_eq!(ws.peek_message(Hwnd::NULL, PM_NOREMOVE)?, None);
        Ok(())
    });
}
