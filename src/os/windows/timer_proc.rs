//! TIMERPROCs for the native backend: the table of Rust procedures, and the one C procedure
//! the real SetTimer is given.
//!
//! A Rust procedure has no address a C caller could take, so the real SetTimer is given
//! [`timer_proc`], one function for every timer: its WM_TIMERs carry that address in lParam
//! (nonzero, as the API promises). The Rust procedure is kept in [`TimerProcs`] by (window,
//! thread for a thread timer, id), and the backend's `dispatch_message` (`async_select.rs`),
//! which runs window procedures itself rather than through the real DispatchMessage, runs it
//! for a WM_TIMER with a nonzero lParam. Kept until KillTimer, SetTimer on the same timer
//! without a procedure, or DestroyWindow; a thread timer's outlives its thread (the backend
//! does not see threads end), and a later thread that Windows gives the same thread id
//! would find it under the same timer id.

use std::collections::BTreeMap;

use windows_sys::Win32::Foundation::HWND;

use crate::api::{Hwnd, TimerProc};

/// (window, thread id for a thread timer else 0, timer id).
type Key = (usize, u32, usize);

/// The Rust procedures of the timers set with one, by [`Key`]; `None` while one runs.
pub(super) struct TimerProcs<W>(BTreeMap<Key, Option<TimerProc<W>>>);

impl<W> Default for TimerProcs<W> {
    fn default() -> Self {
        TimerProcs(BTreeMap::new())
    }
}

/// The key of timer `id` of `hwnd`; `thread` is the calling thread's id (the owner of a
/// thread timer, for `hwnd` NULL).
fn key(hwnd: Hwnd, thread: u32, id: usize) -> Key {
    (hwnd.raw(), if hwnd == Hwnd::NULL { thread } else { 0 }, id)
}

impl<W> TimerProcs<W> {
    /// Keeps `proc` for timer `id` of `hwnd` (NULL: of thread `thread`), set just now.
    pub(super) fn keep(&mut self, hwnd: Hwnd, thread: u32, id: usize, proc: TimerProc<W>) {
        self.0.insert(key(hwnd, thread, id), Some(proc));
    }

    /// Timer `id` of `hwnd` was killed or set again without a procedure.
    pub(super) fn forget(&mut self, hwnd: Hwnd, thread: u32, id: usize) {
        self.0.remove(&key(hwnd, thread, id));
    }

    /// Window `hwnd` was destroyed: its timers' procedures go.
    pub(super) fn forget_window(&mut self, hwnd: Hwnd) {
        self.0.retain(|k, _| k.0 != hwnd.raw());
    }

    /// The procedure of timer `id` of `hwnd`, taken out to run (`None`: it has none kept
    /// here, or it is running).
    pub(super) fn take(&mut self, hwnd: Hwnd, thread: u32, id: usize) -> Option<TimerProc<W>> {
        self.0
            .get_mut(&key(hwnd, thread, id))
            .and_then(Option::take)
    }

    /// Gives back a procedure that ran, unless its timer went meanwhile.
    pub(super) fn give_back(&mut self, hwnd: Hwnd, thread: u32, id: usize, proc: TimerProc<W>) {
        if let Some(slot) = self.0.get_mut(&key(hwnd, thread, id)) {
            slot.get_or_insert(proc);
        }
    }
}

/// What the real SetTimer is given as the procedure: the backend never calls the real
/// DispatchMessage, so it runs only if a program does; it then does nothing (the Rust
/// procedure needs the backend, which Windows does not pass).
///
/// # Safety
/// Called by user32 with a window handle and integers; it reads none of them.
pub(super) unsafe extern "system" fn timer_proc(_: HWND, _: u32, _: usize, _: u32) {}
