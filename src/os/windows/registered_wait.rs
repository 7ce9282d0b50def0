//! [`RegisteredWaits`] for [`Native`]: kernel32's `RegisterWaitForSingleObject` and
//! `UnregisterWaitEx`.
//!
//! **Callbacks** are made as timers' are (`thread_pool.rs`): the one trampoline
//! [`wait_or_timer_callback`] and, as `Context`, the address of an `Arc<CallbackEntry>` (the
//! closure and a weak reference to the backend). The backend's [`WaitTable`] (a per-backend
//! global, shared by its clones) keeps every live wait by handle with that `Arc`, and gives its
//! count up only after an unregistration that waited for the wait's callbacks
//! ([`DeleteCompletion::Wait`], when it succeeded). After any other the OS may still run a
//! callback already queued or running, and nothing says when the last one ended, so the entry
//! is leaked on purpose (a few words and the closure per wait unregistered without waiting).
//!
//! **The object.** A wait is given a duplicate of its object's handle of its own
//! ([`Native::duplicate_waitable`]: an event, mutex, semaphore, waitable timer or thread of
//! this backend, duplicated under the lock of its table; any other handle is
//! ERROR_INVALID_HANDLE without an OS call, as native waits refuse it). Windows leaves a wait
//! whose handle is closed undefined, and Wine 8's wait thread waits on the handle value itself
//! each time round; with a handle of its own, a CloseHandle of the caller's handle (or a
//! thread joined) leaves the wait as it is, and the object lives until the wait ends, as a
//! simulator registration holds its object. The duplicate is closed once the wait has ended:
//! after a waiting unregistration, once the OS has set its event (the wait object is gone, so
//! no wait of the pool names the handle); after any other, once `UnregisterWaitEx` returned
//! TRUE or ERROR_IO_PENDING (what the documentation allows a program for its handle; Wine's
//! wait thread may still be about to wait on the value for a moment, as it is for any program
//! that closes its handle then). After any other answer of the OS it is leaked with the entry.
//!
//! **Unregistration.** A wait handle reaches the OS only while the table holds it: another is
//! ERROR_INVALID_HANDLE without an OS call (Windows' answer for NULL, kernel32 thread.c; any
//! other value is undefined behaviour there), and a completion event must be one of this
//! backend's. Each call takes the wait out of the table under its lock and calls the OS
//! without it: once out, no other call can pass the handle to the OS (no queue deletion ends
//! waits, unlike timers), and a call that waits for callbacks must not hold the lock (they may
//! use this API). [`DeleteCompletion::Wait`] is made as a waiting timer deletion is: with an
//! event of its own, then a wait for it, not with INVALID_HANDLE_VALUE, because
//! - the OS sets the event when the wait object goes, after the last callback it ever queued
//!   has ended (Wine: `tp_object_release` sets `completed_event`; Windows: ntdll's
//!   threadpool.c test_RtlRegisterWait sees it set after a success and after a pending one);
//!   with INVALID_HANDLE_VALUE, Wine before 9.13 (8.0 here) can return TRUE while its wait
//!   thread, woken by the object just before, still queues a callback (fixed by "ntdll: Make
//!   sure wakeups from already unset events are ignored", e105c1987ac), and freeing the entry
//!   then would be a use after free;
//! - Wine cancels callbacks still queued on INVALID_HANDLE_VALUE (`TpWaitForWait(wait, TRUE)`),
//!   where the contract, the simulator and an event let them run.
//!
//! As from its own timer's callback, a waiting unregistration from the wait's own callback
//! waits for itself for ever. The calls keep the thread's last error when they succeed. When
//! the backend goes (its last clone dropped), its live waits are unregistered without waiting.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;
use windows_sys::Win32::Foundation::{CloseHandle, GetLastError, SetLastError, HANDLE};
use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::sync_lookup::{check, process_global};
use super::thread_pool::{null, retire, wait_or_timer_callback, CallbackEntry, OwnEvent};
use crate::api::sync::Handle;
use crate::api::thread_pool::{
    DeleteCompletion, RegisteredWait, RegisteredWaits, WaitOrTimerCallback,
};
use crate::api::WsaError;

/// A wait the OS has and this backend has not unregistered.
struct LiveWait {
    /// The wait's own duplicate of its object's handle (module docs).
    object: usize,
    /// Its entry; the OS holds its address as the callback's `Context`.
    entry: Arc<CallbackEntry>,
}

impl LiveWait {
    /// After `UnregisterWaitEx` with NULL or an event answered `r`: the object's duplicate is
    /// closed when the wait has ended (TRUE or ERROR_IO_PENDING), else leaked with it. The
    /// entry is leaked either way (the OS may still run a callback with it).
    fn unregistered(self, r: &Result<(), WsaError>) {
        if matches!(r, Ok(()) | Err(WsaError::WSA_IO_PENDING)) {
            close_duplicate(self.object);
        }
        retire(self.entry);
    }
}

/// Closes a wait's own duplicate of its object, once the OS refused the wait or the wait has
/// ended (a registered wait here, a pool wait object in `threadpool_wait.rs`).
pub(super) fn close_duplicate(object: usize) {
    // SAFETY: a duplicate made for one wait (by this module or `threadpool_wait.rs`), which
    // no other code has; the OS refused the wait, or the wait has ended (module docs) or was
    // replaced, so no wait of the OS uses it any more (the caller has forgotten it) and this is
    // its one close.
    unsafe { CloseHandle(object as HANDLE) };
}

/// The registered waits of one backend, by raw wait handle.
#[derive(Default)]
struct WaitTable {
    /// Waits registered and not yet unregistered.
    waits: BTreeMap<usize, LiveWait>,
}

impl Drop for WaitTable {
    /// The backend is gone: its live waits are unregistered without waiting (their duplicates
    /// closed), and every entry is leaked, since a callback may still run (it finds the backend
    /// gone and does nothing). The thread's last error is kept.
    fn drop(&mut self) {
        // SAFETY: no arguments; reads thread-local state.
        let kept = unsafe { GetLastError() };
        for (w, live) in std::mem::take(&mut self.waits) {
            // SAFETY: a live wait of this table, which is going away: unregistered once. NULL:
            // the call does not wait.
            let r = check(unsafe { th::UnregisterWaitEx(w as HANDLE, null()) });
            live.unregistered(&r);
        }
        // SAFETY: an integer; writes thread-local state.
        unsafe { SetLastError(kept) };
    }
}

impl Native {
    /// This backend's table of registered waits.
    fn waits(&self) -> Arc<Mutex<WaitTable>> {
        process_global(self, || Mutex::new(WaitTable::default()))
    }

    /// `UnregisterWaitEx` with NULL or an event: the wait leaves the table, then the OS ends
    /// it; its entry is leaked.
    fn unregister(&self, w: usize, event: HANDLE) -> Result<(), WsaError> {
        let live = self
            .waits()
            .lock()
            .waits
            .remove(&w)
            .ok_or(WsaError::WSA_INVALID_HANDLE)?;
        // SAFETY: a wait this backend registered and has just taken out of its table, so no
        // other call passes it to the OS again; `event` is NULL or an open event of this
        // backend; with either the call returns at once.
        let r = check(unsafe { th::UnregisterWaitEx(w as HANDLE, event) });
        live.unregistered(&r);
        r
    }

    /// `UnregisterWaitEx` with INVALID_HANDLE_VALUE, made with an event of its own (module
    /// docs): returns once no callback of the wait can run, and frees its entry and closes its
    /// object's duplicate.
    fn unregister_waiting(&self, w: usize) -> Result<(), WsaError> {
        // SAFETY: no arguments; reads thread-local state.
        let kept = unsafe { GetLastError() };
        let (live, done) = {
            let table = self.waits();
            let mut tab = table.lock();
            let live = tab.waits.remove(&w).ok_or(WsaError::WSA_INVALID_HANDLE)?;
            match OwnEvent::new() {
                Ok(done) => (live, done),
                Err(e) => {
                    // Nothing was asked of the OS: the wait stays live.
                    tab.waits.insert(w, live);
                    return Err(e);
                }
            }
        };
        // SAFETY: as in `unregister`; `done` is an open event of ours that outlives the wait
        // for it in `finish_deletion`, and nothing else waits on it or sets it.
        let r = check(unsafe { th::UnregisterWaitEx(w as HANDLE, done.0) });
        let object = live.object;
        let r = done.finish_deletion(r, live.entry, kept);
        if r.is_ok() {
            // The OS set the event: the wait object is gone, and nothing names the handle.
            close_duplicate(object);
        }
        r
    }
}

impl RegisteredWaits for Native {
    /// `RegisterWaitForSingleObject(&hNewWaitObject, <the wait's own duplicate of object>,
    /// wait_or_timer_callback, <the entry>, dwMilliseconds, dwFlags)`; a handle that is not
    /// one of this backend's waitable objects: ERROR_INVALID_HANDLE, no OS call.
    fn register_wait_for_single_object(
        &self,
        object: Handle,
        callback: WaitOrTimerCallback<Self>,
        timeout_ms: u32,
        flags: u32,
    ) -> Result<RegisteredWait, WsaError> {
        let dup = match self.duplicate_waitable(object) {
            Ok(dup) => dup,
            Err(e) => return finish_kept(Err(e)),
        };
        let entry = CallbackEntry::new(self, callback);
        let mut h: HANDLE = null();
        // SAFETY: `dup` is an open handle of ours, kept open until the wait has ended (module
        // docs); `h` is a live local the call writes; `wait_or_timer_callback` lives as long as
        // the process, and the entry whose address it is given is kept by the table from here
        // until no callback can run. On failure no wait exists, so the address is never used
        // and `entry` may go. The table's lock is not held: a callback may run (and use this
        // API) before the call returns.
        let r = check(unsafe {
            th::RegisterWaitForSingleObject(
                &mut h,
                dup,
                Some(wait_or_timer_callback),
                CallbackEntry::param(&entry),
                timeout_ms,
                flags,
            )
        });
        if let Err(e) = r {
            close_duplicate(dup as usize);
            return finish_kept(Err(e));
        }
        let live = LiveWait {
            object: dup as usize,
            entry,
        };
        if let Some(old) = self.waits().lock().waits.insert(h as usize, live) {
            // Cannot happen (the OS does not reuse a live wait's handle); kept safe anyway.
            retire(old.entry);
        }
        Ok(RegisteredWait::from_raw(h as usize))
    }

    /// `UnregisterWaitEx(WaitHandle, CompletionEvent)`, INVALID_HANDLE_VALUE made with an event
    /// of its own (module docs); a wait this backend does not have (or has unregistered):
    /// ERROR_INVALID_HANDLE, no OS call. Whatever the OS answers, the wait is not passed to it
    /// again.
    fn unregister_wait_ex(
        &self,
        wait: RegisteredWait,
        completion: DeleteCompletion,
    ) -> Result<(), WsaError> {
        let r = match completion {
            DeleteCompletion::Wait => self.unregister_waiting(wait.raw()),
            DeleteCompletion::NoWait | DeleteCompletion::Event(_) => self
                .completion_handle(completion)
                .and_then(|event| self.unregister(wait.raw(), event)),
        };
        finish_kept(r)
    }
}
