//! Port of Wine's `dlls/user32/tests/msg.c` `test_PostMessage` (wine-tkg commit 4b12965c,
//! lines 18865–18923), facts only.
//!
//! | part of test_PostMessage                                               | ported | not expressible | failing |
//! |------------------------------------------------------------------------|-------:|----------------:|--------:|
//! | the window, 18888–18894                                                |      1 |               0 |       0 |
//! | PeekMessage's return for each of the seven hWnd values, 18905          |      7 |               0 |       0 |
//! | what it returned for the five that return TRUE, 18909 and 18914        |      5 |               0 |       0 |
//! | **total**                                                              |     13 |               0 |       0 |
//!
//! The window is a plain window of the API's (msg.c's is a "static" popup), and the table's
//! FALSE rows are the API's WSA_INVALID_HANDLE (ERROR_INVALID_WINDOW_HANDLE on Windows, which
//! msg.c does not check). msg.c's `PostMessageA(0, ...)` is `post_message(Hwnd::NULL, ...)`.
mod common;

use winsock_sim::prelude::*;

#[test]
fn post_message_null_and_the_peek_filters() {
    common::run(|ws| {
        // 18888–18894: the window.
        let hwnd = ws.create_window(None);
        assert!(hwnd.is_ok(), "{hwnd:?}");
        let hwnd = hwnd?;
        // 18898–18899: one message to the window, one with no window (a thread message).
        ws.post_message(hwnd, WM_USER + 1, 0x1234, 0x5678)?;
        ws.post_message(Hwnd::NULL, WM_USER + 2, 0x5678, 0x1234)?;
        // 18871–18880: each hWnd, and whether PeekMessage(PM_NOREMOVE) returns TRUE.
        let rows = [
            (Hwnd::NULL, true), // HWND_TOP
            (HWND_BROADCAST, true),
            (HWND_BOTTOM, true),
            (HWND_TOPMOST, true),
            (Hwnd::from_raw(usize::MAX - 1), false), // HWND_NOTOPMOST
            (Hwnd::from_raw(usize::MAX - 2), false), // HWND_MESSAGE
            (Hwnd::from_raw(0xdead_beef), false),
        ];
        for (i, (filter, want)) in rows.into_iter().enumerate() {
            let r = ws.peek_message(filter, PM_NOREMOVE);
            // 18905: the return.
            assert_eq!(matches!(r, Ok(Some(_))), want, "row {i}: {r:?}");
            let Ok(Some(m)) = r else {
                continue;
            };
            let got = (m.hwnd, m.message, m.wparam, m.lparam);
            if filter == Hwnd::NULL {
                // 18914: hWnd 0 sees the window's message, posted first.
                assert_eq!(got, (hwnd, WM_USER + 1, 0x1234, 0x5678), "row {i}");
            } else {
                // 18909: the others see only the message with no window.
                assert_eq!(got, (Hwnd::NULL, WM_USER + 2, 0x5678, 0x1234), "row {i}");
            }
        }
        ws.destroy_window(hwnd)
    });
}
