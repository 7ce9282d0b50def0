//! Synchronization barriers (`SYNCHRONIZATION_BARRIER`, Windows 8 and later):
//! `InitializeSynchronizationBarrier`, `EnterSynchronizationBarrier`,
//! `DeleteSynchronizationBarrier` ([`SyncBarriers`]) — the phase barrier of a game server's
//! tick, where every worker waits until all of them have finished the frame.
//!
//! As kernel32's sync.c `test_barrier` has it on Windows (10 1607 and later):
//! - a barrier is made for a number of threads (at least 1) and a spin count (-1 for the
//!   default, or at least 0); anything else is ERROR_INVALID_PARAMETER;
//! - each phase, the first threads to enter wait until the last has entered; the last one's
//!   call returns TRUE and the others' FALSE; then the barrier serves the next phase, but
//!   not before every thread of the one before has left it;
//! - a thread entering without `SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE` holds the barrier
//!   until it leaves: `DeleteSynchronizationBarrier` waits for such threads, and returns at
//!   once when there are none (with `NO_DELETE` a thread promises the barrier will not be
//!   deleted under it); after it the barrier still works as it did;
//! - the spin flags change only how a thread waits (spinning or blocked), never what it
//!   sees; a flag outside the three raises STATUS_INVALID_PARAMETER on Windows, an
//!   exception that ends the process unless handled. The API refuses it instead
//!   (ERROR_INVALID_PARAMETER), and the simulator names the call in `Report::misuses`;
//! - success leaves the last error as it was.

use super::sync::SyncObjects;
use super::WsaError;

opaque_handle!(
    /// A `SYNCHRONIZATION_BARRIER` of this process, made by
    /// [`SyncBarriers::initialize_synchronization_barrier`].
    SyncBarrier
);

/// SYNCHRONIZATION_BARRIER_FLAGS_SPIN_ONLY (0x1): spin until the barrier is passed.
pub const SYNCHRONIZATION_BARRIER_FLAGS_SPIN_ONLY: u32 = 0x1;
/// SYNCHRONIZATION_BARRIER_FLAGS_BLOCK_ONLY (0x2): block without spinning.
pub const SYNCHRONIZATION_BARRIER_FLAGS_BLOCK_ONLY: u32 = 0x2;
/// SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE (0x4): the caller promises the barrier is not
/// deleted while it is inside; `DeleteSynchronizationBarrier` does not wait for it.
pub const SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE: u32 = 0x4;

/// The synchronization-barrier calls.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::Sim;
///
/// let mut sim = Sim::builder().seed(1).build();
/// sim.host("server", "192.0.2.1").spawn("main", |ws| {
///     let barrier = ws.initialize_synchronization_barrier(3, -1)?;
///     let last = Arc::new(AtomicU32::new(0));
///     let mut workers = Vec::new();
///     for _ in 0..2 {
///         let last = last.clone();
///         workers.push(Handle::from(ws.create_thread("worker", move |ws| {
///             if ws.enter_synchronization_barrier(barrier, 0)? {
///                 last.fetch_add(1, Ordering::SeqCst);
///             }
///             Ok(())
///         })?));
///     }
///     if ws.enter_synchronization_barrier(barrier, 0)? {
///         last.fetch_add(1, Ordering::SeqCst);
///     }
///     ws.wait_for_multiple_objects(&workers, true, INFINITE)?;
///     // One of the three was the last to enter.
///     assert_eq!(last.load(Ordering::SeqCst), 1);
///     ws.delete_synchronization_barrier(barrier)
/// });
/// sim.run().expect("the run succeeds");
/// ```
pub trait SyncBarriers: SyncObjects {
    /// `InitializeSynchronizationBarrier(&barrier, lTotalThreads, lSpinCount)`: a new barrier
    /// for `total_threads` threads.
    fn initialize_synchronization_barrier(
        &self,
        total_threads: i32,
        spin_count: i32,
    ) -> Result<SyncBarrier, WsaError>;

    /// `EnterSynchronizationBarrier(&barrier, dwFlags)`: waits until the phase's last thread
    /// has entered; `true` for that last thread.
    fn enter_synchronization_barrier(
        &self,
        barrier: SyncBarrier,
        flags: u32,
    ) -> Result<bool, WsaError>;

    /// `DeleteSynchronizationBarrier(&barrier)`: waits until no thread that entered without
    /// `SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE` is inside.
    fn delete_synchronization_barrier(&self, barrier: SyncBarrier) -> Result<(), WsaError>;
}
