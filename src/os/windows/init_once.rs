//! [`InitOnceApi`] for [`Native`]: kernel32's one-time initialization on an `INIT_ONCE` kept
//! in this backend's lock table (`lock_table.rs`'s `Once`: heap-pinned in an `Arc`, which
//! each call holds for its whole OS call, so a thread blocked in InitOnceBeginInitialize
//! never sees it freed). InitOnceExecuteOnce is the trait's own, made of
//! InitOnceBeginInitialize, the function and InitOnceComplete as ntdll's
//! RtlRunOnceExecuteOnce is, so the Rust closure needs no C callback.

use std::cell::UnsafeCell;
use std::sync::Arc;

use windows_sys::Win32::System::Threading as th;

use super::lock_table::Once;
use super::native::{finish_kept, Native};
use super::sync_lookup::check;
use crate::api::init_once::{InitOnce, InitOnceApi};
use crate::api::WsaError;

impl Native {
    /// The INIT_ONCE of id `id`, or ERROR_INVALID_HANDLE.
    fn once_of(&self, id: usize) -> Result<Arc<Once>, WsaError> {
        self.inner
            .sync
            .lock()
            .once
            .get(&id)
            .cloned()
            .ok_or(WsaError::WSA_INVALID_HANDLE)
    }

    /// InitOnceBeginInitialize on `o`: `(fPending, context)`.
    fn begin(o: &Once, flags: u32) -> Result<(bool, usize), WsaError> {
        let mut pending = 0;
        let mut context: *mut core::ffi::c_void = std::ptr::null_mut();
        // SAFETY: `o.once` is an initialised INIT_ONCE at a fixed heap address, kept alive by
        // the caller's `Arc` for the whole call (which may block); `pending` and `context` are
        // locals the call writes.
        let ok =
            unsafe { th::InitOnceBeginInitialize(o.once.get(), flags, &mut pending, &mut context) };
        check(ok).map(|()| (pending != 0, context as usize))
    }

    /// InitOnceComplete on `o`.
    fn complete(o: &Once, flags: u32, context: usize) -> Result<(), WsaError> {
        // SAFETY: as in `begin`; the context is passed as a value, never dereferenced.
        check(unsafe { th::InitOnceComplete(o.once.get(), flags, context as *const _) })
    }
}

impl InitOnceApi for Native {
    fn init_once_initialize(&self) -> Result<InitOnce, WsaError> {
        let o = Arc::new(Once {
            once: UnsafeCell::new(th::INIT_ONCE_STATIC_INIT),
        });
        // SAFETY: `o.once` is at its final heap address and not yet shared.
        unsafe { th::InitOnceInitialize(o.once.get()) };
        let mut t = self.inner.sync.lock();
        let id = t.new_id();
        t.once.insert(id, o);
        drop(t);
        finish_kept(Ok(InitOnce::from_raw(id)))
    }

    fn init_once_begin_initialize(
        &self,
        once: InitOnce,
        flags: u32,
    ) -> Result<(bool, usize), WsaError> {
        finish_kept(
            self.once_of(once.raw())
                .and_then(|o| Self::begin(&o, flags)),
        )
    }

    fn init_once_complete(
        &self,
        once: InitOnce,
        flags: u32,
        context: usize,
    ) -> Result<(), WsaError> {
        finish_kept(
            self.once_of(once.raw())
                .and_then(|o| Self::complete(&o, flags, context)),
        )
    }
}
