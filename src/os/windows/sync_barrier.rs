//! [`SyncBarriers`] for [`Native`]: kernel32's synchronization barriers on a
//! SYNCHRONIZATION_BARRIER kept in this backend's lock table (heap-pinned in an `Arc` each
//! call holds for its whole OS call). The three functions are looked up at their first use
//! (GetProcAddress) rather than imported: a kernel32 without them (Windows 7, Wine 8.0) must
//! not keep the whole backend from loading. There, every call is ERROR_PROC_NOT_FOUND. A flag
//! the OS does not know is refused before the call (ERROR_INVALID_PARAMETER), where Windows
//! would raise STATUS_INVALID_PARAMETER.

use std::cell::UnsafeCell;
use std::sync::{Arc, OnceLock};

use windows_sys::Win32::System::Threading as th;

use super::lock_table::BarrierCell;
use super::native::{finish_kept, Native};
use super::sync_lookup::check;
use crate::api::sync_barrier::{
    SyncBarrier, SyncBarriers, SYNCHRONIZATION_BARRIER_FLAGS_BLOCK_ONLY,
    SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE, SYNCHRONIZATION_BARRIER_FLAGS_SPIN_ONLY,
};
use crate::api::WsaError;

type InitFn = unsafe extern "system" fn(*mut th::SYNCHRONIZATION_BARRIER, i32, i32) -> i32;
type EnterFn = unsafe extern "system" fn(*mut th::SYNCHRONIZATION_BARRIER, u32) -> i32;
type DeleteFn = unsafe extern "system" fn(*mut th::SYNCHRONIZATION_BARRIER) -> i32;

/// kernel32's three barrier functions.
#[derive(Clone, Copy)]
struct Fns {
    init: InitFn,
    enter: EnterFn,
    delete: DeleteFn,
}

/// The functions, if this kernel32 has them (looked up once).
fn fns() -> Result<Fns, WsaError> {
    static FNS: OnceLock<Option<Fns>> = OnceLock::new();
    let found = FNS.get_or_init(|| {
        let k32 = c"kernel32.dll";
        let (init, enter, delete) = (
            super::export(k32, c"InitializeSynchronizationBarrier")?,
            super::export(k32, c"EnterSynchronizationBarrier")?,
            super::export(k32, c"DeleteSynchronizationBarrier")?,
        );
        // SAFETY: each export has the signature Microsoft documents for it, which these
        // function types spell; only the pointer's type changes.
        unsafe {
            Some(Fns {
                init: std::mem::transmute::<unsafe extern "system" fn() -> isize, InitFn>(init),
                enter: std::mem::transmute::<unsafe extern "system" fn() -> isize, EnterFn>(enter),
                delete: std::mem::transmute::<unsafe extern "system" fn() -> isize, DeleteFn>(
                    delete,
                ),
            })
        }
    });
    found.ok_or(WsaError::ERROR_PROC_NOT_FOUND)
}

impl Native {
    /// The barrier of id `id`, or ERROR_INVALID_HANDLE.
    fn barrier_of(&self, id: usize) -> Result<Arc<BarrierCell>, WsaError> {
        self.inner
            .sync
            .lock()
            .barriers
            .get(&id)
            .cloned()
            .ok_or(WsaError::WSA_INVALID_HANDLE)
    }
}

impl SyncBarriers for Native {
    fn initialize_synchronization_barrier(
        &self,
        total_threads: i32,
        spin_count: i32,
    ) -> Result<SyncBarrier, WsaError> {
        let r = fns().and_then(|f| {
            let b = Arc::new(BarrierCell {
                barrier: UnsafeCell::new(th::SYNCHRONIZATION_BARRIER::default()),
            });
            // SAFETY: `b.barrier` is at its final heap address and not yet shared.
            check(unsafe { (f.init)(b.barrier.get(), total_threads, spin_count) })?;
            let mut t = self.inner.sync.lock();
            let id = t.new_id();
            t.barriers.insert(id, b);
            Ok(SyncBarrier::from_raw(id))
        });
        finish_kept(r)
    }

    fn enter_synchronization_barrier(
        &self,
        barrier: SyncBarrier,
        flags: u32,
    ) -> Result<bool, WsaError> {
        let known = SYNCHRONIZATION_BARRIER_FLAGS_SPIN_ONLY
            | SYNCHRONIZATION_BARRIER_FLAGS_BLOCK_ONLY
            | SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE;
        let r = fns().and_then(|f| {
            let b = self.barrier_of(barrier.raw())?;
            if flags & !known != 0 {
                return Err(WsaError::WSA_INVALID_PARAMETER);
            }
            // SAFETY: an initialised barrier kept alive by `b` for the whole call, which may
            // block; the flags are ones the OS knows (an unknown one would raise).
            Ok(unsafe { (f.enter)(b.barrier.get(), flags) } != 0)
        });
        finish_kept(r)
    }

    fn delete_synchronization_barrier(&self, barrier: SyncBarrier) -> Result<(), WsaError> {
        let r = fns().and_then(|f| {
            let b = self.barrier_of(barrier.raw())?;
            // SAFETY: as in `enter_synchronization_barrier`; the barrier stays in the table
            // (Windows lets it be entered after its deletion).
            unsafe { (f.delete)(b.barrier.get()) };
            Ok(())
        });
        finish_kept(r)
    }
}
