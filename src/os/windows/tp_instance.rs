//! The callback instances of the Vista pool's objects (`threadpool_objects.rs`,
//! `threadpool_wait.rs`, `threadpool_io.rs`): the one way their trampolines run a callback
//! ([`dispatch`]), and the check of an instance the program passes back ([`Native::running`]).
//!
//! A `PTP_CALLBACK_INSTANCE` cannot be checked in general, and one used after its callback
//! returned is undefined. The trampolines list the instance of each callback in a thread-local
//! list while the Rust callback runs (with the backend), and `SetEventWhenCallbackReturns` and
//! `CallbackMayRunLong` accept only an instance listed on the calling thread for this backend,
//! else ERROR_INVALID_HANDLE without an OS call. So the instance's callback cannot return
//! during the OS call (it is the caller). This is stricter than the simulator, which accepts a
//! running instance from any thread: Wine's ntdll refuses `TpCallbackMayRunLong` from another
//! thread (STATUS_UNSUCCESSFUL), and the documentation names the instance as the callback's
//! parameter only. The event of `SetEventWhenCallbackReturns` must be one of this backend's
//! (else ERROR_INVALID_HANDLE); as on Windows, the program keeps it open until the callback has
//! returned.

use std::cell::RefCell;
use std::ffi::c_void;
use std::sync::Arc;

use windows_sys::Win32::System::Threading as th;

use super::native::Native;
use super::thread_pool::CallbackEntry;
use crate::api::threadpool_objects::CallbackInstance;
use crate::api::WsaError;

thread_local! {
    /// The callbacks running on this thread in a trampoline of a pool object: (backend, instance).
    static RUNNING: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
}

/// A callback's place in [`RUNNING`] while it runs; leaves it when dropped (also when the
/// callback panics).
struct Running((usize, usize));

impl Running {
    /// Lists `instance` as running on this thread for `native`.
    fn enter(native: &Native, instance: th::PTP_CALLBACK_INSTANCE) -> Running {
        let key = (backend_id(native), instance as usize);
        let _ = RUNNING.try_with(|r| r.borrow_mut().push(key));
        Running(key)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = RUNNING.try_with(|r| {
            let mut r = r.borrow_mut();
            if let Some(i) = r.iter().rposition(|k| *k == self.0) {
                r.remove(i);
            }
        });
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
        let _running = Running::enter(native, instance);
        f(
            native,
            callback,
            CallbackInstance::from_raw(instance as usize),
        );
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
            .try_with(|r| r.borrow().contains(&key))
            .unwrap_or(false);
        if listed {
            Ok(instance.raw() as th::PTP_CALLBACK_INSTANCE)
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        }
    }
}
