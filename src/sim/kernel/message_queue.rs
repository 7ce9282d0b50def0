//! A thread's message queue as GetMessage and PeekMessage read it: their two filters (the
//! window and the message range), the order in which a message is found, and which threads
//! have a queue at all (what PostThreadMessage needs).
//!
//! The order, as Windows' (user32 msg.c test_PeekMessage3, test_quit_message): the first
//! posted message that passes both filters; then the WM_QUIT of PostQuitMessage, whatever the
//! filters; then the WM_TIMER of a due window timer, if the window filter admits its window,
//! or of a due thread timer, if there is no window filter; and the range holds WM_TIMER.

use crate::api::consts::{QS_ALLPOSTMESSAGE, QS_POSTMESSAGE, QS_TIMER, WM_QUIT, WM_TIMER};
use crate::api::{Hwnd, Msg, HWND_BOTTOM, HWND_BROADCAST, HWND_TOPMOST};
use crate::sim::kernel::objects::KObject;
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::World;

/// Which windows' messages a GetMessage / PeekMessage takes (its `hWnd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WindowFilter {
    /// NULL: every message of the thread.
    Any,
    /// HWND_BOTTOM, HWND_TOPMOST or HWND_BROADCAST: only messages posted with a NULL window
    /// (PostThreadMessage, `PostMessage(NULL, ...)`).
    ThreadOnly,
    /// A window: its messages only (object index `win`, handle `hwnd`).
    Window {
        /// The window's object index.
        win: usize,
        /// Its handle, as messages carry it.
        hwnd: Hwnd,
    },
}

/// GetMessage / PeekMessage's filters: the window and `wMsgFilterMin..=wMsgFilterMax`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MsgFilter {
    /// The `hWnd` filter.
    pub window: WindowFilter,
    /// The lowest message number taken.
    pub first: u32,
    /// The highest message number taken (below `first`: none).
    pub last: u32,
}

impl MsgFilter {
    /// Whether the filter is none at all (NULL window, no range): such a look clears
    /// QS_ALLPOSTMESSAGE.
    fn unfiltered(&self) -> bool {
        self.window == WindowFilter::Any && self.first == 0 && self.last == u32::MAX
    }

    /// Whether `message` is in the range.
    fn in_range(&self, message: u32) -> bool {
        (self.first..=self.last).contains(&message)
    }

    /// Whether posted message `m` passes both filters.
    fn admits(&self, m: &Msg) -> bool {
        let window = match self.window {
            WindowFilter::Any => true,
            WindowFilter::ThreadOnly => m.hwnd == Hwnd::NULL,
            WindowFilter::Window { hwnd, .. } => m.hwnd == hwnd,
        };
        window && self.in_range(m.message)
    }
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// GetMessage / PeekMessage's filters for `hwnd` and `min..=max` (0 and 0: every
    /// message) on `host`; `None` when `hwnd` is no window (nor NULL or one of the three
    /// values that mean "the thread's own messages").
    pub(crate) fn message_filter(
        &self,
        host: usize,
        hwnd: Hwnd,
        min: u32,
        max: u32,
    ) -> Option<MsgFilter> {
        let window = match hwnd {
            Hwnd::NULL => WindowFilter::Any,
            HWND_BOTTOM | HWND_TOPMOST | HWND_BROADCAST => WindowFilter::ThreadOnly,
            _ => WindowFilter::Window {
                win: self.window_id(host, hwnd.raw())?,
                hwnd,
            },
        };
        let last = if min == 0 && max == 0 { u32::MAX } else { max };
        Some(MsgFilter {
            window,
            first: min,
            last,
        })
    }

    /// The next message of thread `tid` that `filter` admits (see the module's order);
    /// `remove` takes it. A WM_TIMER a look without `remove` finds becomes a posted message
    /// (its timer goes on), so that it keeps its place before messages posted after the look
    /// (ReactOS's PostTimerMessages; user32 msg.c test_PeekMessage3).
    pub(crate) fn next_message(
        &mut self,
        tid: usize,
        filter: &MsgFilter,
        remove: bool,
    ) -> Option<Msg> {
        let t = &mut self.rt.threads[tid].ext;
        // Looking at the queue makes what it holds no longer new input (QS_ALLPOSTMESSAGE
        // only for a look without filters).
        t.qs_new &= !(QS_POSTMESSAGE | QS_TIMER);
        if filter.unfiltered() {
            t.qs_new &= !QS_ALLPOSTMESSAGE;
        }
        if let Some(i) = t.msgq.iter().position(|m| filter.admits(m)) {
            return if remove {
                t.msgq.remove(i)
            } else {
                t.msgq.get(i).copied()
            };
        }
        let quit = if remove { t.quit.take() } else { t.quit };
        if let Some(code) = quit {
            return Some(Msg {
                hwnd: Hwnd::NULL,
                message: WM_QUIT,
                wparam: code as usize,
                lparam: 0,
            });
        }
        let window = match filter.window {
            WindowFilter::ThreadOnly => return None,
            _ if !filter.in_range(WM_TIMER) => return None,
            WindowFilter::Any => None,
            WindowFilter::Window { win, .. } => Some(win),
        };
        let m = self.timer_message(tid, window, true)?;
        if !remove {
            self.rt.threads[tid].ext.msgq.push_back(m);
        }
        Some(m)
    }

    /// Window object `win` of `host` was given handle `h`: it keeps it, so that its owner's
    /// end can close it.
    pub(crate) fn window_handle_given(&mut self, host: usize, h: usize) {
        if let Some(win) = self.window_id(host, h) {
            if let Some(KObject::Window { handle, .. }) = self.kern.objects.get_mut(win) {
                *handle = h;
            }
        }
    }

    /// Window `win` (handle `h` on `host`) is destroyed: its timers and its handle go. (An
    /// object a wait still holds outlives its handle: its `handle` 0 says it has none.)
    pub(crate) fn destroy_window_object(&mut self, host: usize, win: usize, h: usize) {
        self.window_timers_gone(win);
        if let Some(KObject::Window { handle, .. }) = self.kern.objects.get_mut(win) {
            *handle = 0;
        }
        self.close_object(host, h);
    }

    /// Thread `tid` has ended: its windows are destroyed with it, as Windows destroys a
    /// thread's windows when it exits (user32 win.c test_thread_exit_destroy 918–920: the
    /// ended thread's window is ERROR_INVALID_WINDOW_HANDLE). A thread that never made a
    /// window-manager call has none, and costs nothing here.
    pub(crate) fn destroy_windows_of(&mut self, tid: usize) {
        if !self.rt.threads[tid].ext.has_queue {
            return;
        }
        let mut mine = Vec::new();
        let mut i = 0;
        while let Some(slot) = self.kern.objects.get_slot_mut(i) {
            if let Some(KObject::Window { owner, handle, .. }) = slot {
                if *owner == tid && *handle != 0 {
                    mine.push((i, *handle));
                }
            }
            i += 1;
        }
        let host = self.rt.threads[tid].host;
        for (win, h) in mine {
            self.destroy_window_object(host, win, h);
        }
    }

    /// Thread `tid` makes a window-manager call: from now on it has a message queue.
    pub(crate) fn give_message_queue(&mut self, tid: usize) {
        self.rt.threads[tid].ext.has_queue = true;
    }
}
