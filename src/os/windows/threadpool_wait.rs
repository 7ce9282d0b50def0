//! [`ThreadpoolWaits`] for [`Native`]: kernel32's wait objects of the Vista thread pool
//! (`CreateThreadpoolWait`, `SetThreadpoolWait`, `WaitForThreadpoolWaitCallbacks`,
//! `CloseThreadpoolWait`), in the default pool or an environment's pool and cleanup group.
//!
//! **The objects** are kept in the table of `threadpool_objects.rs` ([`Kind::Wait`]), made with
//! the one trampoline [`wait_callback`] and, as `pv`, the address of their entry, and follow
//! its rules: a value that is not a live wait object of this backend (closed, never made, of
//! another kind) is ERROR_INVALID_HANDLE without an OS call; every call but the wait for
//! callbacks is made under the table's lock; a close during a wait for callbacks stops the
//! wait at once and leaves the OS call to the last wait. A `SetThreadpoolWait` with an object
//! is an *arming*, and the object stays armed until it is set with NULL (a wait that has fired
//! queues no more, but nothing tells this backend it has), so `SetThreadpoolWait(NULL),
//! WaitForThreadpoolWaitCallbacks, CloseThreadpoolWait` frees the closure, and a close of an
//! object still armed, or never waited for, leaks it (the OS may still run a callback queued).
//!
//! **The object waited on.** `SetThreadpoolWait` is given a duplicate of the object's handle of
//! the wait's own ([`Native::duplicate_waitable`]: an event, mutex, semaphore, waitable timer or
//! thread of this backend, duplicated under the lock of its table; any other handle is
//! ERROR_INVALID_HANDLE, checked after the wait object, before any OS call), as
//! `registered_wait.rs` gives `RegisterWaitForSingleObject` one: Windows leaves a wait whose
//! handle is closed undefined, and Wine 8's wait thread waits on the handle value itself each
//! time round; with a handle of its own, the program may close its handle once the wait is set
//! (the contract), and the object lives until the wait ends. The duplicate is closed once the
//! OS no longer waits on it: when a later `SetThreadpoolWait` (another object, or NULL) has
//! replaced it, or the wait object is closed (or stopped by a close during a wait for
//! callbacks); a wait that has fired keeps its duplicate until then (the object lives a little
//! longer; nothing waits on it). Wine's wait thread may still be about to wait on the value for
//! a moment after the replacement, as it is for any program that closes its handle then.
//!
//! The timeout is passed as a pointer to its FILETIME (`None`: NULL, no end). The calls keep
//! the thread's last error when they succeed; a callback's panic is caught in the trampoline.
//! `SetThreadpoolWaitEx` is looked up at its first use: a kernel32 without it (Windows 7, Wine
//! 8.0) answers ERROR_PROC_NOT_FOUND instead of keeping the backend from loading.

use std::ffi::c_void;
use std::sync::OnceLock;

use windows_sys::Win32::Foundation::{FILETIME, HANDLE};
use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::registered_wait::close_duplicate;
use super::threadpool_objects::{filetime, made};
use super::tp_instance::dispatch;
use super::tp_table::{Kind, LiveObject};
use crate::api::sync::Handle;
use crate::api::threadpool_cleanup_group::CallbackEnviron;
use crate::api::threadpool_wait::{ThreadpoolWaits, TpWait, TpWaitCallback};
use crate::api::WsaError;

/// The `PTP_WAIT_CALLBACK` of every wait object of this module.
unsafe extern "system" fn wait_callback(
    instance: th::PTP_CALLBACK_INSTANCE,
    context: *mut c_void,
    wait: th::PTP_WAIT,
    result: u32,
) {
    // SAFETY: `context` is the `pv` this module gave `CreateThreadpoolWait` for `wait`: the
    // `param` of its `CallbackEntry<TpWaitCallback<Native>>`, which its table holds while the
    // OS may start a callback of the object (`threadpool_objects.rs`).
    unsafe {
        dispatch(
            context,
            instance,
            |native, cb: &TpWaitCallback<Native>, inst| {
                cb(native, inst, TpWait::from_raw(wait as usize), result);
            },
        );
    }
}

/// `SetThreadpoolWaitEx(pwa, h, pftTimeout, Reserved)`.
type SetWaitExFn =
    unsafe extern "system" fn(th::PTP_WAIT, HANDLE, *const FILETIME, *const c_void) -> i32;

/// kernel32's SetThreadpoolWaitEx, if it has one (looked up once).
fn set_wait_ex_fn() -> Result<SetWaitExFn, WsaError> {
    static FOUND: OnceLock<Option<SetWaitExFn>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let f = super::export(c"kernel32.dll", c"SetThreadpoolWaitEx")?;
        // SAFETY: the export has the signature Microsoft documents for it, which the function
        // type spells; only the pointer's type changes.
        Some(unsafe { std::mem::transmute::<unsafe extern "system" fn() -> isize, SetWaitExFn>(f) })
    });
    found.ok_or(WsaError::ERROR_PROC_NOT_FOUND)
}

impl LiveObject {
    /// `SetThreadpoolWait(pwa, dup, timeout)` on this wait object, `raw`, made with the
    /// table's lock held: it then waits on `dup`, its own duplicate (0: on nothing, stopped),
    /// and the duplicate it waited on before is closed.
    pub(super) fn set_wait(&mut self, raw: usize, dup: usize, timeout: Option<i64>) {
        self.set_wait_with(raw, dup, timeout, |w, h, p| {
            // SAFETY: see `set_wait_with`.
            unsafe { th::SetThreadpoolWait(w, h, p) };
            false
        });
    }

    /// [`LiveObject::set_wait`] with the OS call `set` (SetThreadpoolWait or
    /// SetThreadpoolWaitEx, given the wait, the handle and the timeout's FILETIME or NULL),
    /// whose result it returns. `set` may rely on: a live wait object of this backend (the
    /// caller holds the table's lock, so it is not closed meanwhile; a close deferred to a
    /// wait in the OS keeps it open); a handle NULL or an open one of this wait's own, kept
    /// open until the OS no longer waits on it (module docs); a timeout NULL or pointing to a
    /// FILETIME that outlives the call, which only reads it.
    pub(super) fn set_wait_with(
        &mut self,
        raw: usize,
        dup: usize,
        timeout: Option<i64>,
        set: impl FnOnce(th::PTP_WAIT, HANDLE, *const FILETIME) -> bool,
    ) -> bool {
        if dup != 0 {
            self.armings += 1;
        }
        self.armed = dup != 0;
        let due = timeout.map(filetime);
        let p = due.as_ref().map_or(std::ptr::null(), std::ptr::from_ref);
        let cancelled = set(raw as th::PTP_WAIT, dup as HANDLE, p);
        let old = std::mem::replace(&mut self.object, dup);
        if old != 0 {
            // Replaced: the OS waits on it no more.
            close_duplicate(old);
        }
        cancelled
    }
}

impl Native {
    /// `CreateThreadpoolWait(wait_callback, <the entry>, <env, or NULL>)`.
    pub(super) fn create_wait(
        &self,
        callback: TpWaitCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<TpWait, WsaError> {
        self.create_tp(Kind::Wait, callback, env, |pv, penv| {
            // SAFETY: `wait_callback` lives as long as the process and takes exactly this kind
            // of entry as its context `pv`, which the table keeps from here until no callback
            // can start (`threadpool_objects.rs`); no callback runs before the wait is set,
            // which needs the table. `penv` is NULL (the default pool) or a filled environment
            // that outlives the call, naming no group or pool but open ones of this backend
            // (`threadpool_cleanup_group.rs`).
            made(unsafe { th::CreateThreadpoolWait(Some(wait_callback), pv, penv) })
        })
        .map(TpWait::from_raw)
    }
}

impl ThreadpoolWaits for Native {
    /// `CreateThreadpoolWait(wait_callback, <the entry>, NULL)`.
    fn create_threadpool_wait(&self, callback: TpWaitCallback<Self>) -> Result<TpWait, WsaError> {
        self.create_wait(callback, None)
    }

    /// `SetThreadpoolWait(pwa, <the wait's own duplicate of object, or NULL>, <timeout as a
    /// FILETIME, or NULL>)`; an object not live, or a handle that is not one of this
    /// backend's waitable objects: ERROR_INVALID_HANDLE, no OS call.
    fn set_threadpool_wait(
        &self,
        wait: TpWait,
        object: Option<Handle>,
        timeout: Option<i64>,
    ) -> Result<(), WsaError> {
        let r = self.on_live(wait.raw(), Kind::Wait, |obj| {
            let dup = object.map(|h| self.duplicate_waitable(h)).transpose()?;
            obj.set_wait(wait.raw(), dup.map_or(0, |h| h as usize), timeout);
            Ok(())
        });
        finish_kept(r.and_then(|r| r))
    }

    /// `SetThreadpoolWaitEx(pwa, <a duplicate of object>, timeout, NULL)`, as
    /// [`Native::set_threadpool_wait`]; a kernel32 without it: ERROR_PROC_NOT_FOUND.
    fn set_threadpool_wait_ex(
        &self,
        wait: TpWait,
        object: Option<Handle>,
        timeout: Option<i64>,
    ) -> Result<bool, WsaError> {
        let set_ex = match set_wait_ex_fn() {
            Ok(f) => f,
            Err(e) => return finish_kept(Err(e)),
        };
        let r = self.on_live(wait.raw(), Kind::Wait, |obj| {
            let dup = object.map(|h| self.duplicate_waitable(h)).transpose()?;
            Ok(obj.set_wait_with(
                wait.raw(),
                dup.map_or(0, |h| h as usize),
                timeout,
                |w, h, p| {
                    // SAFETY: as `set_wait_with` says; the reserved argument is NULL, as it must be.
                    unsafe { set_ex(w, h, p, std::ptr::null()) != 0 }
                },
            ))
        });
        finish_kept(r.and_then(|r| r))
    }

    /// `WaitForThreadpoolWaitCallbacks(pwa, fCancelPendingCallbacks)`; an object not live:
    /// ERROR_INVALID_HANDLE, no OS call.
    fn wait_for_threadpool_wait_callbacks(
        &self,
        wait: TpWait,
        cancel_pending: bool,
    ) -> Result<(), WsaError> {
        self.wait_callbacks(wait.raw(), Kind::Wait, cancel_pending)
    }

    /// `CloseThreadpoolWait(pwa)`, then the duplicate waited on is closed (module docs); an
    /// object not live: ERROR_INVALID_HANDLE.
    fn close_threadpool_wait(&self, wait: TpWait) -> Result<(), WsaError> {
        self.close_object(wait.raw(), Kind::Wait)
    }
}
