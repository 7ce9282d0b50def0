//! SYNCHRONIZATION_BARRIER as counts in the lock table (`Lock::Barrier`): a thread's way
//! through `EnterSynchronizationBarrier` is three steps, each taken when the one before can
//! be — wait out the previous phase's leaving threads ([`World::barrier_arrive`]), wait for
//! its own phase to complete ([`World::barrier_passed`]), leave ([`World::barrier_leave`]) —
//! and every change notifies the barrier's [`WaitKey::Lock`], on which the entering threads
//! and `DeleteSynchronizationBarrier` wait. The steps are ntdll's (Wine's `RtlBarrier`, which
//! kernel32's sync.c `test_barrier` pins on Windows), with the spinning left out: a
//! simulated thread waits either way.

use crate::api::WsaError;
use crate::sim::kernel::sync::{Barrier, Lock};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{WaitKey, World};

/// What an arriving thread found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrival {
    /// The previous phase's threads are still leaving: wait.
    Wait,
    /// It entered the phase numbered `.0`, not as its last thread: wait for it to complete.
    Entered(u64),
    /// Its entry completed the phase: it returns TRUE.
    Completed,
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Barrier `id` of `host`, to change.
    fn barrier(&mut self, host: usize, id: usize) -> Result<&mut Barrier, WsaError> {
        match self.lock_mut(host, id)? {
            Lock::Barrier(b) => Ok(b),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// A thread comes to barrier `id` (one that holds it against deletion has been counted
    /// by [`World::barrier_hold`] before this).
    pub(crate) fn barrier_arrive(&mut self, host: usize, id: usize) -> Result<Arrival, WsaError> {
        let b = self.barrier(host, id)?;
        if b.reached == b.total {
            return Ok(Arrival::Wait);
        }
        b.inside += 1;
        b.reached += 1;
        if b.reached < b.total {
            return Ok(Arrival::Entered(b.phase));
        }
        b.phase += 1;
        self.notify(WaitKey::Lock(id));
        Ok(Arrival::Completed)
    }

    /// Whether the phase numbered `phase` of barrier `id` is complete.
    pub(crate) fn barrier_passed(&mut self, host: usize, id: usize, phase: u64) -> bool {
        self.barrier(host, id).map_or(true, |b| b.phase != phase)
    }

    /// A thread that entered without NO_DELETE holds barrier `id` against deletion (`by`:
    /// +1 on its way in, -1 on its way out).
    pub(crate) fn barrier_hold(&mut self, host: usize, id: usize, by: i32) {
        if let Ok(b) = self.barrier(host, id) {
            b.holders = b.holders.saturating_add_signed(by);
            if b.holders == 0 {
                self.notify(WaitKey::Lock(id));
            }
        }
    }

    /// A thread leaves barrier `id`; the last of a complete phase opens the next.
    pub(crate) fn barrier_leave(&mut self, host: usize, id: usize) {
        if let Ok(b) = self.barrier(host, id) {
            b.inside = b.inside.saturating_sub(1);
            if b.inside == 0 {
                b.reached = 0;
                self.notify(WaitKey::Lock(id));
            }
        }
    }

    /// Whether barrier `id` has no holder (`DeleteSynchronizationBarrier` may return).
    pub(crate) fn barrier_unheld(&mut self, host: usize, id: usize) -> Result<bool, WsaError> {
        self.barrier(host, id).map(|b| b.holders == 0)
    }
}
