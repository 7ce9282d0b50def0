//! Port of Wine's `dlls/user32/tests/msg.c` `test_PeekMessage` (wine-tkg commit 4b12965c,
//! lines 14129–14630), facts only: its GetQueueStatus checks on an empty queue and with bad
//! flags, and its thread-message part.
//!
//! | part of test_PeekMessage                                               | ported | not expressible | failing |
//! |------------------------------------------------------------------------|-------:|----------------:|--------:|
//! | the window; GetQueueStatus on an empty queue, its last error, 14139–14175 | 3 |             0 |       0 |
//! | GetQueueStatus with invalid flags, then valid ones, 14181–14191        |      3 |               0 |       0 |
//! | sent messages, keyboard input, WM_PAINT, PM_QS_*, 14192–14592          |      0 |              69 |       0 |
//! | a thread message under hWnd -1, 1 and 0xffff, 14594–14616              |     12 |               0 |       0 |
//! | **total**                                                              |     18 |              69 |       0 |
//!
//! Not expressible, per kind: keyboard input (keybd_event), SendMessage from another thread,
//! WM_PAINT and PM_QS_* flags, none of which the API has (69 `ok()`s, counted once each in
//! the function's text). QS_RAWINPUT is in QS_ALLINPUT (Windows since XP), so 14168 runs as
//! on Windows: GetQueueStatus succeeds and leaves the last error.
mod common;

use winsock_sim::prelude::*;

#[test]
fn get_queue_status_on_an_empty_queue_and_with_bad_flags() {
    common::run(|ws| {
        // 14139–14141: the window.
        let hwnd = ws.create_window(None);
        assert!(hwnd.is_ok(), "{hwnd:?}");
        // 14156–14175: GetQueueStatus(QS_ALLINPUT) succeeds, leaves the last error, and
        // (the queue drained if it held posted messages) is 0.
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let q = ws.get_queue_status(QS_ALLINPUT)?;
        assert_eq!(ws.wsa_get_last_error(), 0xdead_beef_u32 as i32);
        let q = if q & QS_POSTMESSAGE != 0 {
            while ws.peek_message(Hwnd::NULL, PM_REMOVE)?.is_some() {}
            ws.get_queue_status(QS_ALLINPUT)?
        } else {
            q
        };
        assert_eq!(q, 0);
        // 14181–14187: invalid flags: 0, ERROR_INVALID_FLAGS.
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        assert_eq!(
            ws.get_queue_status(0xffff_ffff),
            Err(WsaError::ERROR_INVALID_FLAGS)
        );
        assert_eq!(
            ws.wsa_get_last_error(),
            WsaError::ERROR_INVALID_FLAGS.code()
        );
        // 14188–14191: valid flags again leave the last error.
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        ws.get_queue_status(QS_ALLINPUT)?;
        assert_eq!(ws.wsa_get_last_error(), 0xdead_beef_u32 as i32);
        ws.destroy_window(hwnd?)
    });
}

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
