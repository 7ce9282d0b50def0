//! Thread timers (`SetTimer` with no window): a timer of the calling thread's own, whose
//! WM_TIMER (hwnd NULL, wParam its id) only that thread's GetMessage / PeekMessage without a
//! window filter generates.
//!
//! They expire, become ready and are retrieved as window timers do (`window_timer`: one
//! WM_TIMER however many periods passed, the next expiry on the period's schedule after the
//! retrieval), and share their count of ready timers. What differs is who names the timer:
//! - the thread, not the caller, picks its id. `SetTimer(NULL, id, ...)` with the id of one
//!   of the thread's timers restarts that timer under the same id; with any other id (0
//!   included) the id is ignored and a new one is given: Wine's server gives the ids of a
//!   thread's queue from 0x7FFF down to 0x101, then from 0x7FFF again, skipping ids in use,
//!   and with all 32,511 in use SetTimer fails with ERROR_NO_MORE_USER_HANDLES (user32 msg.c
//!   test_timers_no_wnd); the simulator gives them the same way (Windows gives ids of its own
//!   choosing; a program can rely only on their being nonzero and distinct);
//! - `KillTimer(NULL, id)` stops a timer of the calling thread only: another thread's, or an
//!   id the thread does not hold, fails with ERROR_INVALID_PARAMETER;
//! - the timers end with their thread.

use crate::sim::kernel::objects::WindowTimer;
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::net::tcp::NetTimer;
use crate::sim::runtime::{Nanos, World};

/// The first id a thread's queue gives a thread timer (then down to [`LAST_ID`]).
pub(crate) const FIRST_ID: usize = 0x7fff;
/// The last id before the ids start again from [`FIRST_ID`].
const LAST_ID: usize = 0x101;

/// A thread's timers and the id its next new timer is given.
#[derive(Debug)]
pub(crate) struct ThreadTimers {
    /// Its timers, in the order they were set (hwnd NULL in each).
    pub timers: Vec<WindowTimer>,
    /// The id to try first for the next new timer.
    next_id: usize,
}

impl Default for ThreadTimers {
    fn default() -> Self {
        ThreadTimers {
            timers: Vec::new(),
            next_id: FIRST_ID,
        }
    }
}

impl ThreadTimers {
    /// The id a new timer gets: the next free one, counting down and wrapping; `None` when
    /// every id is in use.
    fn new_id(&mut self) -> Option<usize> {
        let count = FIRST_ID - LAST_ID + 1;
        if self.timers.len() >= count {
            return None;
        }
        loop {
            let id = self.next_id;
            self.next_id = if id <= LAST_ID { FIRST_ID } else { id - 1 };
            if !self.timers.iter().any(|t| t.id == id) {
                return Some(id);
            }
        }
    }
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// `SetTimer(NULL, id, ...)` by thread `tid`: restarts its timer `id` if it has one, else
    /// starts a new one under an id of the thread's choosing; due `elapse` from now, with
    /// TIMERPROC token `proc` (0 for none). The timer's id, or `None` when the thread has
    /// used every id.
    pub(crate) fn thread_timer_set(
        &mut self,
        tid: usize,
        id: usize,
        elapse: Nanos,
        proc: u64,
    ) -> Option<usize> {
        let timers = self.rt.threads[tid]
            .ext
            .thread_timers
            .get_or_insert_with(Box::default);
        let (id, old) = match timers.timers.iter().position(|t| t.id == id && id != 0) {
            Some(i) => (id, Some(timers.timers.remove(i))),
            None => (timers.new_id()?, None),
        };
        if let Some(old) = old {
            self.timer_gone(old);
        }
        let timer = self.new_timer(tid, crate::api::Hwnd::NULL, id, elapse, proc);
        if let Some(timers) = self.rt.threads[tid].ext.thread_timers.as_mut() {
            timers.timers.push(timer);
        }
        let setting = timer.setting;
        self.schedule(timer.due, NetTimer::ThreadTimer { tid, setting });
        Some(id)
    }

    /// `KillTimer(NULL, id)` by thread `tid`: whether it had timer `id` (now gone, with its
    /// WM_TIMER).
    pub(crate) fn thread_timer_kill(&mut self, tid: usize, id: usize) -> bool {
        let Some(timers) = self.rt.threads[tid].ext.thread_timers.as_mut() else {
            return false;
        };
        let Some(i) = timers.timers.iter().position(|t| t.id == id) else {
            return false;
        };
        let gone = timers.timers.remove(i);
        self.timer_gone(gone);
        true
    }

    /// Thread `tid` ended: its timers go with it.
    pub(crate) fn thread_timers_gone(&mut self, tid: usize) {
        if let Some(timers) = self.rt.threads[tid].ext.thread_timers.take() {
            for t in timers.timers {
                self.timer_gone(t);
            }
        }
    }

    /// Setting `setting` of a timer of thread `tid` expires: the timer becomes ready and the
    /// thread's message waits are woken.
    pub(crate) fn thread_timer_due(&mut self, tid: usize, setting: u64) {
        let Some(timers) = self.rt.threads[tid].ext.thread_timers.as_mut() else {
            return;
        };
        let Some(t) = timers.timers.iter_mut().find(|t| t.setting == setting) else {
            return;
        };
        let newly = t.make_ready();
        self.timer_expired(tid, newly);
    }

    /// The ready timer of thread `tid`'s own that became ready first (then the first set):
    /// (became ready at, setting, id, TIMERPROC token).
    pub(crate) fn first_ready_thread_timer(&self, tid: usize) -> Option<(Nanos, u64, usize, u64)> {
        let timers = self.rt.threads[tid].ext.thread_timers.as_ref()?;
        let ready = timers.timers.iter().filter(|t| t.ready);
        ready.map(|t| (t.due, t.setting, t.id, t.proc)).min()
    }

    /// The WM_TIMER of setting `setting` of thread `tid`'s timers was retrieved at `now`:
    /// the timer is no longer ready, and is next due on its period's schedule.
    pub(crate) fn thread_timer_retrieved(&mut self, tid: usize, setting: u64, now: Nanos) {
        let Some(timers) = self.rt.threads[tid].ext.thread_timers.as_mut() else {
            return;
        };
        let Some(t) = timers.timers.iter_mut().find(|t| t.setting == setting) else {
            return;
        };
        let due = t.retrieved(now);
        self.kern.ready_timers -= 1;
        self.schedule(due, NetTimer::ThreadTimer { tid, setting });
    }
}
