//! The waiter lists read for a failed run's report: what a blocked thread waits on.

use super::{Layers, RuntimeHooks, ThreadState, WaitKey, World};

impl<L: Layers> World<L>
where
    Self: RuntimeHooks<L>,
{
    /// The keys blocked thread `tid` waits on in its current wait (none for a thread not
    /// blocked, or one waiting on sockets, whose lists are the sockets' own). It searches
    /// every waiter list.
    pub(crate) fn keys_waited_by(&self, tid: usize) -> Vec<WaitKey> {
        match self.rt.threads.get(tid) {
            Some(t) if matches!(t.state, ThreadState::Blocked(_)) => {
                self.rt.waiters.keys_holding(tid, t.wait_seq)
            }
            _ => Vec::new(),
        }
    }

    /// The kernel objects (by index) blocked thread `tid` waits on in its current wait.
    pub(crate) fn objects_waited_by(&self, tid: usize) -> Vec<usize> {
        self.keys_waited_by(tid)
            .into_iter()
            .filter_map(|k| match k {
                WaitKey::Object(i) => Some(i),
                _ => None,
            })
            .collect()
    }
}
