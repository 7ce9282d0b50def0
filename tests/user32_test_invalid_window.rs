//! Port of Wine's `dlls/user32/tests/msg.c` `test_invalid_window` (wine-tkg commit 4b12965c,
//! lines 21034–21048), facts only.
//!
//! Counted in `ok()` calls as Windows runs them, each once.
//!
//! | part of test_invalid_window                                            | ported | not expressible | failing |
//! |------------------------------------------------------------------------|-------:|----------------:|--------:|
//! | GetMessage on a handle that is no window: -1, ERROR_INVALID_WINDOW_HANDLE, 21040–21042 | 2 |    0 |       0 |
//! | PeekMessage(PM_REMOVE) on it: FALSE, ERROR_INVALID_WINDOW_HANDLE, 21044–21047 |  2 |         0 |       0 |
//! | **total**                                                              |      4 |               0 |       0 |
//!
//! Not expressible, per kind: none. The API gives ERROR_INVALID_WINDOW_HANDLE as
//! WSA_INVALID_HANDLE (ERROR_INVALID_HANDLE), as its other window calls do (rule AS-queue of
//! the conformance suite), so each pair of checks (the return and the error) is one
//! `Err(WSA_INVALID_HANDLE)`. msg.c's handle is 0xdeadbeef; the same checks are also made
//! on the handle of a destroyed window, and PostMessage on both, which msg.c does not check.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn checks(ws: &SimWinsock, bogus: Hwnd) {
    // 21040–21042: GetMessage fails with the window-handle error.
    assert_eq!(ws.get_message(bogus), Err(WsaError::WSA_INVALID_HANDLE));
    // 21044–21047: PeekMessage(PM_REMOVE) fails with it too.
    assert_eq!(
        ws.peek_message(bogus, PM_REMOVE),
        Err(WsaError::WSA_INVALID_HANDLE)
    );
    // Not in msg.c: PostMessage to it fails the same way (rule AS-queue's mapping).
    assert_eq!(
        ws.post_message(bogus, WM_USER, 0, 0),
        Err(WsaError::WSA_INVALID_HANDLE)
    );
}

#[test]
fn get_and_peek_message_on_a_handle_that_is_no_window() {
    common::run(|ws| {
        checks(ws, Hwnd::from_raw(0xdead_beef));
        Ok(())
    });
}

#[test]
fn get_and_peek_message_on_a_destroyed_window() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        ws.post_message(hwnd, WM_USER, 0, 0)?;
        ws.destroy_window(hwnd)?;
        checks(ws, hwnd);
        // The thread's queue itself still works.
        assert_eq!(ws.peek_message(Hwnd::NULL, PM_REMOVE)?, None);
        Ok(())
    });
}
