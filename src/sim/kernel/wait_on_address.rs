//! `WaitOnAddress`'s sleepers, by process and address: each address slept on has a
//! [`WakeQueue`], as a condition variable does, and a wake that takes a sleeper off it
//! notifies the queue's [`WaitKey::Address`]; a sleeper returns once it is among the woken,
//! or when its timeout passes. The queue goes with its
//! last sleeper, so an address that is no longer slept on costs nothing; its key is never
//! reused within a run.
//!
//! The address is the program's own memory (an atomic its threads share); the map is keyed
//! by its value only for lookups, never walked, so the addresses' order in memory, which
//! varies from run to run, cannot reach the run.

use std::collections::BTreeMap;

use crate::sim::kernel::wake_queue::WakeQueue;
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{WaitKey, World};

/// The sleepers of one address.
#[derive(Debug)]
struct AddressQueue {
    /// The queue's number: its wait key.
    id: usize,
    sleepers: WakeQueue,
}

/// Every process's address sleepers.
#[derive(Debug, Default)]
pub(crate) struct AddressWaits {
    queues: BTreeMap<(usize, usize), AddressQueue>,
    /// The last queue number given.
    last: usize,
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Thread `tid` of `host` goes to sleep on `address`: the wait key it sleeps on.
    pub(crate) fn address_sleep(&mut self, host: usize, address: usize, tid: usize) -> WaitKey {
        let aw = &mut self.kern.address_waits;
        let q = aw.queues.entry((host, address)).or_insert_with(|| {
            aw.last += 1;
            AddressQueue {
                id: aw.last,
                sleepers: WakeQueue::default(),
            }
        });
        q.sleepers.sleep(tid);
        WaitKey::Address(q.id)
    }

    /// Whether a wake has taken `tid` off `address`; `leave` also ends its sleep there (woken,
    /// or its timeout passed), and the queue goes with its last thread.
    pub(crate) fn address_woken(
        &mut self,
        host: usize,
        address: usize,
        tid: usize,
        leave: bool,
    ) -> bool {
        let queues = &mut self.kern.address_waits.queues;
        let Some(q) = queues.get_mut(&(host, address)) else {
            return false;
        };
        let was = q.sleepers.woken(tid, leave);
        if q.sleepers.is_empty() {
            queues.remove(&(host, address));
        }
        was
    }

    /// `WakeByAddressSingle` (`all`: `WakeByAddressAll`) on `address` of `host`'s process.
    pub(crate) fn address_wake(&mut self, host: usize, address: usize, all: bool) {
        let Some(q) = self.kern.address_waits.queues.get_mut(&(host, address)) else {
            return;
        };
        if q.sleepers.wake(all) {
            let key = WaitKey::Address(q.id);
            self.notify(key);
        }
    }
}
