//! Port of Wine's `dlls/user32/tests/msg.c` `test_quit_message` (wine-tkg commit 4b12965c,
//! lines 14933–15022, with the window procedure of its "StopQuitClass" window, 11239–11252, and
//! the sequence `WmStopQuitSeq`, 14926–14931), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (`ok_sequence` not counted; the check in the
//! peek loop, 15017, runs once: one WM_QUIT comes).
//!
//! | part of test_quit_message                                         | ported | not expressible | failing |
//! |-------------------------------------------------------------------|-------:|----------------:|--------:|
//! | PostQuitMessage; PeekMessage(PM_QS_SENDMESSAGE) finds nothing, 14942–14944 | 0 |          1 |       0 |
//! | PM_NOREMOVE sees WM_QUIT with the exit code, 14946–14949          |      3 |               0 |       0 |
//! | PostThreadMessage's return, 14951–14952 and 14975–14976           |      2 |               0 |       0 |
//! | a message posted after it comes first; then GetMessage FALSE, 14954–14965 | 6 |           0 |       0 |
//! | a posted WM_QUIT comes in posted order, 14969–14986               |      8 |               0 |       0 |
//! | the dialog's WM_QUIT, 14988–14998                                 |      0 |               5 |       0 |
//! | a WM_QUIT posted to a window survives its destruction, 15003–15021 |     1 |               0 |       0 |
//! | **total**                                                         |     20 |               6 |       0 |
//!
//! Not expressible, per kind: PM_QS_* flags of PeekMessage (1): the API's PeekMessage takes
//! PM_REMOVE / PM_NOREMOVE only; dialogs (5): DialogBoxParam and its modal loop. The
//! messages msg.c posts with PostThreadMessage are posted with it here too.
//! For 15003–15021 the window's procedure posting from WM_CREATE / WM_CLOSE and
//! DefWindowProc's destruction are replaced by the same posts and a DestroyWindow.
mod common;

use winsock_sim::prelude::*;

#[test]
fn post_quit_message_comes_after_later_posted_messages() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        ws.post_quit_message(0xbeef);
        // 14946–14949: PeekMessage(PM_NOREMOVE) returns WM_QUIT, wParam the exit code.
        let m = ws.peek_message(Hwnd::NULL, PM_NOREMOVE)?;
        assert_eq!(m.map(|m| (m.message, m.wparam)), Some((WM_QUIT, 0xbeef)));
        // 14951–14952: PostThreadMessage to the calling thread after PostQuitMessage.
        let me = ws.get_current_thread_id();
        assert_eq!(ws.post_thread_message(me, WM_USER, 0, 0), Ok(()));
        // 14954–14956: GetMessage returns it first.
        let m = ws.get_message(Hwnd::NULL)?;
        assert_eq!(m.map(|m| m.message), Some(WM_USER));
        // 14959–14962: then WM_QUIT: GetMessage returns FALSE (the API gives no MSG for it,
        // so 14961–14962 are checked by PeekMessage just before it).
        let m = ws.peek_message(Hwnd::NULL, PM_NOREMOVE)?;
        assert_eq!(m.map(|m| (m.message, m.wparam)), Some((WM_QUIT, 0xbeef)));
        assert_eq!(ws.get_message(Hwnd::NULL)?, None);
        // 14964–14965: WM_QUIT does not come again.
        let m = ws.peek_message(Hwnd::NULL, PM_REMOVE)?;
        assert!(m.is_none_or(|m| m.message != WM_QUIT), "{m:?}");
        ws.destroy_window(hwnd)
    });
}

#[test]
fn a_posted_wm_quit_comes_in_posted_order() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // 14968: WM_QUIT posted as a thread message, wParam 0xdead.
        let me = ws.get_current_thread_id();
        ws.post_thread_message(me, WM_QUIT, 0xdead, 0)?;
        // 14970–14973: PM_NOREMOVE sees it with its wParam.
        let m = ws.peek_message(Hwnd::NULL, PM_NOREMOVE)?;
        assert_eq!(m.map(|m| (m.message, m.wparam)), Some((WM_QUIT, 0xdead)));
        // 14975–14976: a thread message posted after it.
        assert_eq!(ws.post_thread_message(me, WM_USER, 0, 0), Ok(()));
        // 14979–14982: WM_QUIT comes first: GetMessage FALSE (its MSG checked by the peek).
        let m = ws.peek_message(Hwnd::NULL, PM_NOREMOVE)?;
        assert_eq!(m.map(|m| (m.message, m.wparam)), Some((WM_QUIT, 0xdead)));
        assert_eq!(ws.get_message(Hwnd::NULL)?, None);
        // 14984–14986: then WM_USER.
        let m = ws.get_message(Hwnd::NULL)?;
        assert_eq!(m.map(|m| m.message), Some(WM_USER));
        ws.destroy_window(hwnd)
    });
}

#[test]
fn a_wm_quit_posted_to_a_window_survives_its_destruction() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // 11246–11248: WM_USER and two WM_QUITs posted to the window, which is then destroyed.
        ws.post_message(hwnd, WM_USER, 0x1234, 0x5678)?;
        ws.post_message(hwnd, WM_QUIT, 0x1234, 0x5678)?;
        ws.post_message(hwnd, WM_QUIT, 0x4321, 0x8765)?;
        ws.destroy_window(hwnd)?;
        // 15005–15021: the queue then holds only the first WM_QUIT, as the thread's quit:
        // hWnd NULL (15017), wParam 0x1234, lParam 0 (WmStopQuitSeq).
        let mut got = Vec::new();
        while let Some(m) = ws.peek_message(Hwnd::NULL, PM_REMOVE)? {
            got.push(m);
        }
        assert_eq!(
            got,
            vec![Msg {
                hwnd: Hwnd::NULL,
                message: WM_QUIT,
                wparam: 0x1234,
                lparam: 0,
            }]
        );
        Ok(())
    });
}
