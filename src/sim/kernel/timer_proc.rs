//! TIMERPROCs: the procedure a `SetTimer` call may give, which DispatchMessage calls for the
//! timer's WM_TIMER instead of the window's procedure.
//!
//! On Windows the WM_TIMER of such a timer carries the procedure's address in lParam, and
//! DispatchMessage calls the address in a WM_TIMER's lParam if it is the procedure of one of
//! the process's timers (user32 msg.c test_timers_exception: a WM_TIMER the program made
//! itself is dispatched too), else does nothing and returns 0; either way the window's
//! procedure is not called. The simulator registers each procedure under a token (a nonzero
//! number, 1, 2, ... in the order of the SetTimer calls that gave one) which stands for its
//! address in lParam, with the host (process) that set it: another process's DispatchMessage
//! of the same lParam finds no procedure of its own, as an address means nothing there. A timer set again, killed, or gone with its window or thread forgets
//! its token: a WM_TIMER taken before that then dispatches to nothing, as Windows does once
//! no timer has that procedure.

use std::collections::BTreeMap;

use crate::api::Hwnd;
use crate::sim::runtime::Layers;

/// A TIMERPROC as the simulator stores it: (the thread's handle, hwnd, WM_TIMER, the
/// timer's id, GetTickCount).
pub(crate) type SimTimerProc<L> =
    Box<dyn FnMut(&<L as Layers>::Handle, Hwnd, u32, usize, u32) + Send>;

/// The TIMERPROCs of the timers that have one, by token.
pub(crate) struct TimerProcs<L: Layers> {
    /// Each procedure by its token, with its host; `None` while DispatchMessage runs it.
    by_token: BTreeMap<u64, (usize, Option<SimTimerProc<L>>)>,
    /// The last token given.
    last: u64,
}

impl<L: Layers> Default for TimerProcs<L> {
    fn default() -> Self {
        TimerProcs {
            by_token: BTreeMap::new(),
            last: 0,
        }
    }
}

impl<L: Layers> TimerProcs<L> {
    /// Registers `proc` (a SetTimer call's on `host`); its token, the WM_TIMER's lParam.
    pub(crate) fn register(&mut self, host: usize, proc: SimTimerProc<L>) -> u64 {
        self.last += 1;
        self.by_token.insert(self.last, (host, Some(proc)));
        self.last
    }

    /// The timer whose procedure has token `token` is gone (0: it had none).
    pub(crate) fn forget(&mut self, token: u64) {
        if token != 0 {
            self.by_token.remove(&token);
        }
    }

    /// The procedure of token `token` for a DispatchMessage on `host`, taken out to run:
    /// `None` when no timer of that host has it (or it is running already).
    pub(crate) fn take(&mut self, host: usize, token: u64) -> Option<SimTimerProc<L>> {
        match self.by_token.get_mut(&token) {
            Some((h, slot)) if *h == host => slot.take(),
            _ => None,
        }
    }

    /// Gives back a procedure that ran, unless its timer went meanwhile.
    pub(crate) fn give_back(&mut self, token: u64, proc: SimTimerProc<L>) {
        if let Some((_, slot)) = self.by_token.get_mut(&token) {
            slot.get_or_insert(proc);
        }
    }
}
