//! The waiter lists read for a failed run's report: what each blocked thread waits on.
//!
//! The report describes every thread, so the lists are read once for all of them (one pass
//! over every waiter), not searched again for each thread: a run's end with 2,000 threads
//! blocked on 2,000 keys is then 2,000 steps, not 4,000,000.

use super::{Layers, RuntimeHooks, ThreadState, WaitKey, World};

impl<L: Layers> World<L>
where
    Self: RuntimeHooks<L>,
{
    /// Whether thread `tid` is blocked in its wait numbered `seq` (a waiter entry of an
    /// earlier wait is stale).
    pub(crate) fn in_wait(&self, tid: usize, seq: u64) -> bool {
        self.rt
            .threads
            .get(tid)
            .is_some_and(|t| matches!(t.state, ThreadState::Blocked(_)) && t.wait_seq == seq)
    }

    /// By thread: the keys each blocked thread waits on in its current wait, in the keys'
    /// order (none for a thread not blocked, or one waiting on sockets, whose lists are the
    /// sockets' own).
    pub(crate) fn keys_waited(&self) -> Vec<Vec<WaitKey>> {
        let mut by_thread = vec![Vec::new(); self.rt.threads.len()];
        for (key, tid, seq) in self.rt.waiters.entries() {
            if self.in_wait(tid, seq) {
                let keys: &mut Vec<WaitKey> = &mut by_thread[tid];
                // A thread listed twice under one key waits on it once.
                if keys.last() != Some(&key) {
                    keys.push(key);
                }
            }
        }
        by_thread
    }
}

/// The kernel objects (by index) among a thread's wait keys.
pub(crate) fn objects_in(keys: &[WaitKey]) -> impl Iterator<Item = usize> + '_ {
    keys.iter().filter_map(|k| match k {
        WaitKey::Object(i) => Some(*i),
        _ => None,
    })
}
