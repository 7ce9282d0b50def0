//! Port of Wine's `dlls/user32/tests/msg.c` `test_PeekMessage3` (wine-tkg commit 4b12965c,
//! lines 14742–14878), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (the `while (!PeekMessage(...))` loops have no
//! `ok()`; each check after one runs once).
//!
//! | part of test_PeekMessage3                                              | ported | not expressible | failing |
//! |------------------------------------------------------------------------|-------:|----------------:|--------:|
//! | two windows created, 14748–14754                                       |      2 |               0 |       0 |
//! | a WM_TIMER seen by PM_NOREMOVE before a later post, GetMessage, 14761–14772 | 5 |             0 |       0 |
//! | the same with PeekMessage(PM_REMOVE), 14774–14783                      |      4 |               0 |       0 |
//! | the same with a message range, 14787–14799                             |      0 |               5 |       0 |
//! | a post before the timer's peek comes first, 14803–14812                |      0 |               4 |       0 |
//! | both orders under message ranges, 14816–14828                          |      0 |               5 |       0 |
//! | newer messages under a range, 14832–14848                              |      0 |               7 |       0 |
//! | a posted WM_TIMER peeked, then a later post, 14852–14862               |      4 |               0 |       0 |
//! | a posted WM_TIMER behind an earlier post, peeked by range, 14864–14873 |      0 |               4 |       0 |
//! | **total**                                                              |     15 |              25 |       0 |
//!
//! Not expressible, per kind: PeekMessage's wMsgFilterMin / wMsgFilterMax (25): the API's
//! PeekMessage and GetMessage take no message range, and each of these parts finds its first
//! WM_TIMER with a range that skips messages queued before it (or checks what a range skips);
//! 14795 and 14797 also follow a GetMessage whose result msg.c does not check. 14852–14862
//! peek by range too, but the queue then holds only the posted WM_TIMER, which a peek without
//! a range finds as well, so they are ported with no range. Window classes and the
//! parent / child relation (14748–14754) are not modelled: both are plain windows here, the
//! timers and posts on the second, as msg.c's child.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// `while (!PeekMessage(&msg, hwnd, 0, 0, PM_NOREMOVE));`: the message it stops at.
fn peek_until(ws: &SimWinsock, hwnd: Hwnd) -> Result<u32, WsaError> {
    loop {
        if let Some(m) = ws.peek_message(hwnd, PM_NOREMOVE)? {
            return Ok(m.message);
        }
    }
}

fn message(m: Option<Msg>) -> Option<u32> {
    m.map(|m| m.message)
}

#[test]
fn a_wm_timer_seen_by_pm_noremove_comes_before_a_later_post() {
    common::run(|ws| {
        // 14748–14754: the windows.
        let parent = ws.create_window(None);
        assert!(parent.is_ok(), "{parent:?}");
        let hwnd = ws.create_window(None);
        assert!(hwnd.is_ok(), "{hwnd:?}");
        let hwnd = hwnd?;

        // 14761–14763: a 100 ms timer; the peek loop stops at its WM_TIMER.
        ws.set_timer(hwnd, 1, 100)?;
        assert_eq!(peek_until(ws, hwnd)?, WM_TIMER);
        // 14764–14766: after a later post, PM_NOREMOVE still sees WM_TIMER first.
        ws.post_message(hwnd, WM_USER, 0, 0)?;
        assert_eq!(message(ws.peek_message(hwnd, PM_NOREMOVE)?), Some(WM_TIMER));
        // 14767–14770: GetMessage returns WM_TIMER, then WM_USER.
        assert_eq!(message(ws.get_message(hwnd)?), Some(WM_TIMER));
        assert_eq!(message(ws.get_message(hwnd)?), Some(WM_USER));
        // 14771–14772: nothing more.
        assert_eq!(ws.peek_message(hwnd, PM_NOREMOVE)?, None);

        // 14774–14783: the same, removing with PeekMessage(PM_REMOVE).
        ws.set_timer(hwnd, 1, 100)?;
        assert_eq!(peek_until(ws, hwnd)?, WM_TIMER);
        ws.post_message(hwnd, WM_USER, 0, 0)?;
        assert_eq!(message(ws.peek_message(hwnd, PM_REMOVE)?), Some(WM_TIMER));
        assert_eq!(message(ws.peek_message(hwnd, PM_REMOVE)?), Some(WM_USER));
        assert_eq!(ws.peek_message(hwnd, PM_NOREMOVE)?, None);
        ws.kill_timer(hwnd, 1)?;
        ws.destroy_window(hwnd)?;
        ws.destroy_window(parent?)
    });
}

#[test]
fn a_posted_wm_timer_peeked_then_a_later_post() {
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // 14852–14855: a WM_TIMER posted (no timer); the peek loop stops at it.
        ws.post_message(hwnd, WM_TIMER, 0, 0)?;
        assert_eq!(peek_until(ws, hwnd)?, WM_TIMER);
        // 14856–14860: a later WM_USER comes after it.
        ws.post_message(hwnd, WM_USER, 0, 0)?;
        assert_eq!(message(ws.get_message(hwnd)?), Some(WM_TIMER));
        assert_eq!(message(ws.get_message(hwnd)?), Some(WM_USER));
        // 14861–14862: nothing more.
        assert_eq!(ws.peek_message(hwnd, PM_NOREMOVE)?, None);
        ws.destroy_window(hwnd)
    });
}
