//! The callback instances of the Vista pool's objects (`threadpool_objects.rs`,
//! `threadpool_wait.rs`, `threadpool_io.rs`): the one way their trampolines run a callback
//! ([`dispatch`]), and the check of an instance the program passes back ([`Native::running`]).
//!
//! A `PTP_CALLBACK_INSTANCE` cannot be checked in general, and one used after its callback
//! returned is undefined. The trampolines list the instance of each callback in a thread-local
//! list while the Rust callback runs (with the backend), and the instance calls
//! (`SetEventWhenCallbackReturns` and its siblings, `CallbackMayRunLong`,
//! `DisassociateCurrentThreadFromCallback`) accept only an instance listed on the calling
//! thread for this backend, else ERROR_INVALID_HANDLE without an OS call. So the instance's
//! callback cannot return during the OS call (it is the caller). The simulator refuses another
//! thread's instance the same way: Wine's ntdll refuses `TpCallbackMayRunLong` and
//! `TpDisassociateCallback` from another thread, and the documentation names the instance as
//! the callback's parameter only. The event, semaphore or mutex must be one of this backend's
//! (else ERROR_INVALID_HANDLE); as on Windows, the program keeps it open until the callback has
//! returned.
//!
//! `LeaveCriticalSectionWhenCallbackReturns` is the one action not left to the OS: this
//! backend's critical sections keep their owner and depth beside the OS structure
//! (`sync.rs`), which an OS-side leave would not update. The trampoline leaves the section
//! itself, through the backend's `LeaveCriticalSection`, once the callback has returned and
//! before the OS's own actions (Windows' order: the critical section first); the first such
//! call of a callback counts, as Wine's ntdll keeps the first.

use std::cell::RefCell;
use std::ffi::c_void;
use std::sync::Arc;

use windows_sys::Win32::System::Threading as th;

use super::lock_table::Kernel;
use super::native::Native;
use super::thread_pool::CallbackEntry;
use crate::api::sync::{CriticalSection, SyncObjects};
use crate::api::threadpool_objects::CallbackInstance;
use crate::api::WsaError;

/// The callbacks running on a thread in a trampoline of a pool object: (backend, instance),
/// and the critical section to leave when it returns.
type RunningList = Vec<((usize, usize), Option<usize>)>;

thread_local! {
    /// This thread's [`RunningList`].
    static RUNNING: RefCell<RunningList> = const { RefCell::new(Vec::new()) };
}

/// A callback's place in [`RUNNING`] while it runs; leaves it when dropped (also when the
/// callback panics).
struct Running((usize, usize));

impl Running {
    /// Lists `instance` as running on this thread for `native`.
    fn enter(native: &Native, instance: th::PTP_CALLBACK_INSTANCE) -> Running {
        let key = (backend_id(native), instance as usize);
        let _ = RUNNING.try_with(|r| r.borrow_mut().push((key, None)));
        Running(key)
    }

    /// Takes the callback out of [`RUNNING`]: the critical section it asked to leave.
    fn finish(&mut self) -> Option<usize> {
        RUNNING
            .try_with(|r| {
                let mut r = r.borrow_mut();
                let i = r.iter().rposition(|(k, _)| *k == self.0)?;
                r.remove(i).1
            })
            .ok()
            .flatten()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The identity of a backend (its shared state's address) in [`RUNNING`].
fn backend_id(native: &Native) -> usize {
    Arc::as_ptr(&native.inner) as usize
}

/// Runs a callback of the entry at `context` (a `CallbackEntry<C>`) as `instance`, listed in
/// [`RUNNING`] meanwhile; `f` gets the backend, the callback and the instance. False (and `f`
/// not run) once the backend is gone.
///
/// # Safety
///
/// `context` must be the `param` of a `CallbackEntry<C>` whose table still holds its count
/// (`threadpool_objects.rs`: it does while the OS may start a callback of the object).
pub(super) unsafe fn dispatch<C>(
    context: *mut c_void,
    instance: th::PTP_CALLBACK_INSTANCE,
    f: impl FnOnce(&Native, &C, CallbackInstance),
) -> bool {
    // SAFETY: the caller's duty above is `from_param`'s.
    let entry = unsafe { CallbackEntry::<C>::from_param(context.cast_const()) };
    entry.run(|native, callback| {
        let mut running = Running::enter(native, instance);
        f(
            native,
            callback,
            CallbackInstance::from_raw(instance as usize),
        );
        if let Some(cs) = running.finish() {
            // Not the owner (any more): the program's bug, which Windows would not report
            // either; nothing to undo.
            let _ = native.leave_critical_section(CriticalSection::from_raw(cs));
        }
    })
}

impl Native {
    /// Whether `instance` is listed in [`RUNNING`] for this backend on this thread: else
    /// ERROR_INVALID_HANDLE.
    pub(super) fn running(
        &self,
        instance: CallbackInstance,
    ) -> Result<th::PTP_CALLBACK_INSTANCE, WsaError> {
        let key = (backend_id(self), instance.raw());
        let listed = RUNNING
            .try_with(|r| r.borrow().iter().any(|(k, _)| *k == key))
            .unwrap_or(false);
        if listed {
            Ok(instance.raw() as th::PTP_CALLBACK_INSTANCE)
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        }
    }

    /// `LeaveCriticalSectionWhenCallbackReturns`: noted for the trampoline (module docs);
    /// `cs` must be one of this backend's critical sections.
    pub(super) fn leave_on_return(
        &self,
        instance: CallbackInstance,
        cs: CriticalSection,
    ) -> Result<(), WsaError> {
        self.cs_obj(cs)?;
        self.running(instance)?;
        let key = (backend_id(self), instance.raw());
        RUNNING
            .try_with(|r| {
                let mut r = r.borrow_mut();
                if let Some((_, leave)) = r.iter_mut().rev().find(|(k, _)| *k == key) {
                    leave.get_or_insert(cs.raw());
                }
            })
            .map_err(|_| WsaError::WSA_INVALID_HANDLE)
    }

    /// `ReleaseMutexWhenCallbackReturns` and `ReleaseSemaphoreWhenCallbackReturns` (`count`
    /// `Some`): `handle` must be one of this backend's mutexes or semaphores.
    pub(super) fn release_on_return(
        &self,
        instance: CallbackInstance,
        handle: usize,
        count: Option<u32>,
    ) -> Result<(), WsaError> {
        let pci = self.running(instance)?;
        let kind = if count.is_some() {
            Kernel::Semaphore
        } else {
            Kernel::Mutex
        };
        self.on_kernel(handle, kind, |h| {
            match count {
                // SAFETY: the instance of a callback running on this thread (the caller), so
                // it cannot return during the call; `h` is an open semaphore of this backend
                // (its table is locked), which the program keeps open until the callback
                // returned, as Windows requires.
                Some(n) => unsafe { th::ReleaseSemaphoreWhenCallbackReturns(pci, h, n) },
                // SAFETY: as above, for an open mutex of this backend.
                None => unsafe { th::ReleaseMutexWhenCallbackReturns(pci, h) },
            }
            Ok(())
        })
    }

    /// `DisassociateCurrentThreadFromCallback`.
    pub(super) fn disassociate(&self, instance: CallbackInstance) -> Result<(), WsaError> {
        let pci = self.running(instance)?;
        // SAFETY: the instance of a callback running on this thread (the caller), which is
        // the thread the call must be made on.
        unsafe { th::DisassociateCurrentThreadFromCallback(pci) };
        Ok(())
    }
}
