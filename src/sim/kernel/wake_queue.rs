//! The sleepers of a condition variable or of an address `WaitOnAddress` sleeps on: threads
//! in the order they fell asleep, and those a wake has taken off that have not yet returned.
//! A wake of one takes the longest sleeper, a wake of all every one; a sleeper looks whether
//! it is among the woken each time it is woken (a wake-up that finds it still asleep was for
//! another thread).

use std::collections::VecDeque;

/// Sleeping and woken threads, by index.
#[derive(Debug, Default)]
pub(crate) struct WakeQueue {
    /// Threads asleep, the longest first.
    sleepers: VecDeque<usize>,
    /// Threads a wake took off `sleepers` that have not yet returned.
    woken: Vec<usize>,
}

impl WakeQueue {
    /// Thread `tid` falls asleep.
    pub(crate) fn sleep(&mut self, tid: usize) {
        self.sleepers.push_back(tid);
    }

    /// Whether a wake has taken `tid` off; `leave` also ends its sleep (woken, timed out or
    /// failed).
    pub(crate) fn woken(&mut self, tid: usize, leave: bool) -> bool {
        let was = self.woken.contains(&tid);
        if leave {
            self.woken.retain(|&t| t != tid);
            self.sleepers.retain(|&t| t != tid);
        }
        was
    }

    /// Wakes the longest sleeper (every one with `all`): whether any was asleep.
    pub(crate) fn wake(&mut self, all: bool) -> bool {
        let n = if all { self.sleepers.len() } else { 1 };
        let before = self.woken.len();
        self.woken
            .extend(self.sleepers.drain(..n.min(self.sleepers.len())));
        self.woken.len() > before
    }

    /// Whether no thread is asleep or woken and still to return.
    pub(crate) fn is_empty(&self) -> bool {
        self.sleepers.is_empty() && self.woken.is_empty()
    }
}
