//! [`SyncBarriers`] in the simulator: the barrier's counts and steps are the kernel layer's
//! (`kernel/sync_barrier.rs`); an entering thread and `DeleteSynchronizationBarrier` wait as
//! simulated threads on the barrier's key, whatever the spin flags say.

use crate::api::sync_barrier::{
    SyncBarrier, SyncBarriers, SYNCHRONIZATION_BARRIER_FLAGS_BLOCK_ONLY,
    SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE, SYNCHRONIZATION_BARRIER_FLAGS_SPIN_ONLY,
};
use crate::api::WsaError;
use crate::sim::api::{SimWinsock, Traced};
use crate::sim::kernel::sync::{Barrier, Lock};
use crate::sim::kernel::sync_barrier::Arrival;
use crate::sim::runtime::{Step, WaitKey};

/// The flags `EnterSynchronizationBarrier` knows.
const VALID_FLAGS: u32 = SYNCHRONIZATION_BARRIER_FLAGS_SPIN_ONLY
    | SYNCHRONIZATION_BARRIER_FLAGS_BLOCK_ONLY
    | SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE;

impl Traced for SyncBarrier {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl SyncBarriers for SimWinsock {
    fn initialize_synchronization_barrier(
        &self,
        total_threads: i32,
        spin_count: i32,
    ) -> Result<SyncBarrier, WsaError> {
        let (a, b) = (total_threads as u64, spin_count as u64);
        self.kcall_keep_error("InitializeSynchronizationBarrier", a, b, |this| {
            if total_threads <= 0 || spin_count < -1 {
                return Err(WsaError::WSA_INVALID_PARAMETER);
            }
            let barrier = Barrier {
                total: total_threads as u32,
                reached: 0,
                inside: 0,
                holders: 0,
                phase: 0,
            };
            let id = this.w().new_lock(this.host, Lock::Barrier(barrier));
            Ok(SyncBarrier::from_raw(id))
        })
    }

    fn enter_synchronization_barrier(
        &self,
        barrier: SyncBarrier,
        flags: u32,
    ) -> Result<bool, WsaError> {
        let (host, id) = (self.host, barrier.raw());
        self.kcall_keep_error(
            "EnterSynchronizationBarrier",
            id as u64,
            u64::from(flags),
            |this| {
                if flags & !VALID_FLAGS != 0 {
                    this.w().rt.note_misuse_by(
                        this.tid,
                        format!(
                            "EnterSynchronizationBarrier with flags {flags:#x}: Windows raises \
                         STATUS_INVALID_PARAMETER for a flag it does not know (an exception \
                         that ends the process unless handled); refused here"
                        ),
                    );
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                // A value that names no barrier holds nothing: its arrival fails below.
                let holds = flags & SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE == 0;
                if holds {
                    this.w().barrier_hold(host, id, 1);
                }
                let arrived = this.blocking("EnterSynchronizationBarrier", None, |w| {
                    match w.barrier_arrive(host, id) {
                        Ok(Arrival::Wait) => Step::Wait(WaitKey::Lock(id), None),
                        Ok(a) => Step::Done(Ok(a)),
                        Err(e) => Step::Done(Err(e)),
                    }
                });
                let last = match arrived {
                    Ok(Arrival::Entered(phase)) => {
                        this.blocking("EnterSynchronizationBarrier", None, |w| {
                            if w.barrier_passed(host, id, phase) {
                                Step::Done(Ok(false))
                            } else {
                                Step::Wait(WaitKey::Lock(id), None)
                            }
                        })
                    }
                    Ok(_) => Ok(true),
                    Err(e) => Err(e),
                };
                let mut w = this.w();
                if last.is_ok() {
                    w.barrier_leave(host, id);
                }
                if holds {
                    w.barrier_hold(host, id, -1);
                }
                last
            },
        )
    }

    fn delete_synchronization_barrier(&self, barrier: SyncBarrier) -> Result<(), WsaError> {
        let (host, id) = (self.host, barrier.raw());
        self.kcall_keep_error("DeleteSynchronizationBarrier", id as u64, 0, |this| {
            this.blocking("DeleteSynchronizationBarrier", None, |w| {
                match w.barrier_unheld(host, id) {
                    Ok(true) => Step::Done(Ok(())),
                    Ok(false) => Step::Wait(WaitKey::Lock(id), None),
                    Err(e) => Step::Done(Err(e)),
                }
            })
        })
    }
}
