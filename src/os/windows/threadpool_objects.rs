//! [`ThreadpoolObjects`] for [`Native`]: kernel32's work and timer objects of the Vista thread
//! pool (`CreateThreadpoolWork`, `CreateThreadpoolTimer` and their calls), in the default pool
//! or an environment's pool and cleanup group, and the rules of the table of the pool's objects
//! (`tp_table.rs`) that the wait objects (`threadpool_wait.rs`), I/O objects
//! (`threadpool_io.rs`) and cleanup groups (`threadpool_cleanup_group.rs`, which says how a
//! group's release closes its members and frees their entries) share.
//!
//! **Callbacks** are made as the timers' of `thread_pool.rs`: one trampoline per kind
//! ([`work_callback`], [`timer_callback`], and those of the wait and I/O objects) and, as the
//! context `pv`, the address of an `Arc<CallbackEntry>` (the closure and a weak reference to the
//! backend). The backend's [`TpTable`] (a per-backend global, shared by its clones) keeps every
//! live object by its raw `PTP_WORK` / `PTP_TIMER` / `PTP_WAIT` / `PTP_IO` value with its kind
//! and that `Arc`; each run of a trampoline takes a count of its own for the call
//! ([`CallbackEntry::from_param`], through `tp_instance.rs`'s `dispatch`).
//!
//! **When an entry is freed.** `CloseThreadpool*` returns at once, and the OS may run callbacks
//! still queued (or, for a timer, an expiry being queued) after it, with the entry's address;
//! nothing tells when the last one ended. The table therefore frees the entry on close only
//! when no callback can start any more, and leaks it on purpose otherwise (a few words and the
//! closure), as `thread_pool.rs` does for deletions that do not wait. "No callback can start"
//! is known from the program's own calls, which this backend sees in order under the table's
//! lock: each object counts its *armings* (`SubmitThreadpoolWork`, `SetThreadpoolTimer` with a
//! due time, `SetThreadpoolWait` with an object, `StartThreadpoolIo`); a
//! `WaitForThreadpool*Callbacks` notes the count at its start (for a timer or wait object only
//! if it was stopped then: set with NULL last, or never set) and, once the OS call returned,
//! marks the object *drained* up to it: every run asked for until then has ended (the OS
//! returns once none is queued or running, the trampoline's own count dropped with its return)
//! or was cancelled, and a stopped timer or wait queues no more. Closing an object drained up
//! to its last arming frees the entry: the common `Submit…, Wait…(FALSE), Close…` and the
//! documented `Set…(NULL), Wait…(TRUE), Close…` free it; any other order leaks it. An I/O
//! object knows more: its trampoline counts each start's callback as it starts, so one whose
//! every start has had its callback start or was taken back frees its entry too
//! (`threadpool_io.rs`). A callback still running then (a close from the callback itself) holds
//! its own count, so the closure lives until it returns. A member of a cleanup group closed by
//! the group's release is drained by it (`threadpool_cleanup_group.rs`).
//!
//! **Owner checks.** The C functions are VOID and crash on a closed object: an object reaches
//! the OS only while the table holds it, of its kind; any other value (closed, never made, of
//! the other kind) is ERROR_INVALID_HANDLE without an OS call. Submit, set, query and close
//! are made under the table's lock, so no close frees the object between the check and the
//! call. A wait must not hold the lock (callbacks may use this API), so it counts itself in the
//! object instead; a close meanwhile takes the object out of the program's reach at once (and
//! stops a timer or wait object, as its close would), and the last wait to return makes the OS
//! call: Windows leaves a close during a wait undefined, and Wine frees the object under it.
//! A wait object's own duplicate of its handle (`threadpool_wait.rs`) is closed once the
//! object is stopped or closed in the OS.
//!
//! **Creation** checks the environment, makes the object and records it (in its group too)
//! under the table's lock, in one path for every kind, with an environment or without
//! ([`Native::create_tp`]).
//!
//! **Callback instances** are checked as `tp_instance.rs` says.
//!
//! The calls keep the thread's last error when they succeed. A callback's panic is caught in
//! the trampoline (it must not unwind into the OS). When the backend goes (its last clone
//! dropped), its live objects are closed, their entries freed or leaked by the same rule.

use std::ffi::c_void;
use std::sync::OnceLock;

use windows_sys::Win32::Foundation::{FILETIME, HANDLE};
use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::sync_lookup::os_error;
use super::thread_pool::CallbackEntry;
use super::tp_instance::dispatch;
use super::tp_table::Environ;
use super::tp_table::Kind;
use crate::api::sync::{CriticalSection, MutexHandle, SemaphoreHandle};
use crate::api::threadpool_cleanup_group::CallbackEnviron;
use crate::api::threadpool_objects::{
    CallbackInstance, ThreadpoolObjects, TpTimer, TpTimerCallback, TpWork, WorkCallback,
};
use crate::api::{WsaError, WsaEvent};

#[cfg(doc)]
use super::tp_table::TpTable;

/// The `PTP_WORK_CALLBACK` of every work object of this module.
unsafe extern "system" fn work_callback(
    instance: th::PTP_CALLBACK_INSTANCE,
    context: *mut c_void,
    work: th::PTP_WORK,
) {
    // SAFETY: `context` is the `pv` this module gave `CreateThreadpoolWork` for `work`: the
    // `param` of its `CallbackEntry<WorkCallback<Native>>`, which its table holds while the OS
    // may start a callback of the object (module docs).
    unsafe {
        dispatch(
            context,
            instance,
            |native, cb: &WorkCallback<Native>, inst| {
                cb(native, inst, TpWork::from_raw(work as usize));
            },
        );
    }
}

/// The `PTP_TIMER_CALLBACK` of every timer object of this module.
unsafe extern "system" fn timer_callback(
    instance: th::PTP_CALLBACK_INSTANCE,
    context: *mut c_void,
    timer: th::PTP_TIMER,
) {
    // SAFETY: as in `work_callback`, for `CreateThreadpoolTimer` and a
    // `CallbackEntry<TpTimerCallback<Native>>`.
    unsafe {
        dispatch(
            context,
            instance,
            |native, cb: &TpTimerCallback<Native>, inst| {
                cb(native, inst, TpTimer::from_raw(timer as usize));
            },
        );
    }
}

/// `due` as the FILETIME `SetThreadpoolTimer` (and `SetThreadpoolWait`) reads: the 64-bit
/// value's low and high halves (a negative value, relative, keeps its bit pattern).
pub(super) fn filetime(due: i64) -> FILETIME {
    let bits = due as u64;
    FILETIME {
        dwLowDateTime: bits as u32,
        dwHighDateTime: (bits >> 32) as u32,
    }
}

impl Native {
    /// A new object of `kind` with the entry of `callback`, made by `create` (the OS call,
    /// given the entry's address as the context `pv` and the environment: NULL without `env`,
    /// else `env` as a `TP_CALLBACK_ENVIRON`; its error is the one to report), recorded in the
    /// table and in `env`'s cleanup group. A group that is not an open one of this backend's,
    /// or is being released, or a pool the table does not list: ERROR_INVALID_HANDLE without
    /// an OS call (`threadpool_cleanup_group.rs`). All of it under the table's lock, so the
    /// object is recorded before a release of its group can start, and before any callback of
    /// it, and its pool is not closed during the creation.
    pub(super) fn create_tp<C: Send + Sync + 'static>(
        &self,
        kind: Kind,
        callback: C,
        env: Option<&CallbackEnviron<Native>>,
        create: impl FnOnce(*mut c_void, Environ) -> Result<isize, WsaError>,
    ) -> Result<usize, WsaError> {
        let entry = CallbackEntry::new(self, callback);
        let pv = CallbackEntry::param(&entry).cast_mut();
        let table = self.tp_objects();
        let mut tab = table.lock();
        let r = tab.joining(env).and_then(|join| {
            let raw = join.with_environ(|penv| create(pv, penv))?;
            tab.adopt(kind, raw as usize, entry.clone(), join);
            Ok(raw as usize)
        });
        drop(tab);
        // The table holds its own count of a new object's entry. On an error no object exists,
        // so the OS never uses the entry's address: it goes here, after the lock (its drop may
        // use this API).
        drop(entry);
        finish_kept(r)
    }

    /// `CreateThreadpoolWork(work_callback, <the entry>, <env, or NULL>)`.
    pub(super) fn create_work(
        &self,
        callback: WorkCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<TpWork, WsaError> {
        self.create_tp(Kind::Work, callback, env, |pv, penv| {
            // SAFETY: `work_callback` lives as long as the process and takes exactly this kind
            // of entry as its context `pv`, which the table keeps from here until no callback
            // can start (module docs); no callback runs before a submission, which needs the
            // table. `penv` is NULL (the default pool) or a filled environment that outlives
            // the call, naming no group or pool but open ones of this backend
            // (`threadpool_cleanup_group.rs`).
            made(unsafe { th::CreateThreadpoolWork(Some(work_callback), pv, penv) })
        })
        .map(TpWork::from_raw)
    }

    /// `CreateThreadpoolTimer(timer_callback, <the entry>, <env, or NULL>)`.
    pub(super) fn create_timer(
        &self,
        callback: TpTimerCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<TpTimer, WsaError> {
        self.create_tp(Kind::Timer, callback, env, |pv, penv| {
            // SAFETY: as in `create_work`, with `timer_callback` and its kind of entry (no
            // callback runs before the timer is set, which needs the table).
            made(unsafe { th::CreateThreadpoolTimer(Some(timer_callback), pv, penv) })
        })
        .map(TpTimer::from_raw)
    }
}

/// A creation's result: the new object, or (NULL) the OS's error.
pub(super) fn made(raw: isize) -> Result<isize, WsaError> {
    if raw == 0 {
        Err(os_error())
    } else {
        Ok(raw)
    }
}

/// `TpSetTimerEx(timer, due, period, window)`: SetThreadpoolTimerEx's implementation.
type SetTimerExFn = unsafe extern "system" fn(th::PTP_TIMER, *const FILETIME, u32, u32) -> i32;

/// ntdll's TpSetTimerEx, which kernel32's SetThreadpoolTimerEx forwards to, looked up at first
/// use: Wine 8.0's ntdll has none (its kernel32 export is a stub that aborts the process), so
/// there the call is ERROR_PROC_NOT_FOUND, and the backend still loads.
fn tp_set_timer_ex() -> Result<SetTimerExFn, WsaError> {
    static FOUND: OnceLock<Option<SetTimerExFn>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let f = super::export(c"ntdll.dll", c"TpSetTimerEx")?;
        // SAFETY: the export has the signature SetThreadpoolTimerEx documents, which the
        // function type spells; only the pointer's type changes.
        Some(unsafe {
            std::mem::transmute::<unsafe extern "system" fn() -> isize, SetTimerExFn>(f)
        })
    });
    found.ok_or(WsaError::ERROR_PROC_NOT_FOUND)
}

impl Native {
    /// Sets timer `timer` with `set` (given the OS timer and the due time's FILETIME, or
    /// NULL) under the table's lock, keeping this backend's count of its settings; `set`'s
    /// result is the call's.
    fn set_timer_with(
        &self,
        timer: TpTimer,
        due: Option<i64>,
        set: impl FnOnce(th::PTP_TIMER, *const FILETIME) -> bool,
    ) -> Result<bool, WsaError> {
        let due = due.map(filetime);
        self.on_live(timer.raw(), Kind::Timer, |obj| {
            if due.is_some() {
                obj.armings += 1;
            }
            obj.armed = due.is_some();
            let p = due.as_ref().map_or(std::ptr::null(), std::ptr::from_ref);
            set(timer.raw() as th::PTP_TIMER, p)
        })
    }
}

impl ThreadpoolObjects for Native {
    /// `CreateThreadpoolWork(work_callback, <the entry>, NULL)`.
    fn create_threadpool_work(&self, callback: WorkCallback<Self>) -> Result<TpWork, WsaError> {
        self.create_work(callback, None)
    }

    /// `SubmitThreadpoolWork(pwk)`; an object not live: ERROR_INVALID_HANDLE, no OS call.
    fn submit_threadpool_work(&self, work: TpWork) -> Result<(), WsaError> {
        self.on_live(work.raw(), Kind::Work, |obj| {
            obj.armings += 1;
            // SAFETY: a live work object of this backend (the table's lock is held, so it is
            // not closed meanwhile).
            unsafe { th::SubmitThreadpoolWork(work.raw() as th::PTP_WORK) };
        })
    }

    /// `WaitForThreadpoolWorkCallbacks(pwk, fCancelPendingCallbacks)`; an object not live:
    /// ERROR_INVALID_HANDLE, no OS call.
    fn wait_for_threadpool_work_callbacks(
        &self,
        work: TpWork,
        cancel_pending: bool,
    ) -> Result<(), WsaError> {
        self.wait_callbacks(work.raw(), Kind::Work, cancel_pending)
    }

    /// `CloseThreadpoolWork(pwk)` (module docs); an object not live: ERROR_INVALID_HANDLE.
    fn close_threadpool_work(&self, work: TpWork) -> Result<(), WsaError> {
        self.close_object(work.raw(), Kind::Work)
    }

    /// `CreateThreadpoolTimer(timer_callback, <the entry>, NULL)`.
    fn create_threadpool_timer(
        &self,
        callback: TpTimerCallback<Self>,
    ) -> Result<TpTimer, WsaError> {
        self.create_timer(callback, None)
    }

    /// `SetThreadpoolTimer(pti, <due as a FILETIME, or NULL>, msPeriod, msWindowLength)`; an
    /// object not live: ERROR_INVALID_HANDLE, no OS call.
    fn set_threadpool_timer(
        &self,
        timer: TpTimer,
        due: Option<i64>,
        period_ms: u32,
        window_ms: u32,
    ) -> Result<(), WsaError> {
        self.set_timer_with(timer, due, |t, p| {
            // SAFETY: a live timer of this backend (the table's lock is held); `p` is NULL
            // or points to a FILETIME that outlives the call, which only reads it.
            unsafe { th::SetThreadpoolTimer(t, p, period_ms, window_ms) };
            false
        })
        .map(|_| ())
    }

    fn set_threadpool_timer_ex(
        &self,
        timer: TpTimer,
        due: Option<i64>,
        period_ms: u32,
        window_ms: u32,
    ) -> Result<bool, WsaError> {
        let set_ex = tp_set_timer_ex()?;
        self.set_timer_with(timer, due, |t, p| {
            // SAFETY: as SetThreadpoolTimer's, above; ntdll's TpSetTimerEx is what kernel32's
            // SetThreadpoolTimerEx forwards to, with its signature.
            unsafe { set_ex(t, p, period_ms, window_ms) != 0 }
        })
    }

    /// `IsThreadpoolTimerSet(pti)`; an object not live: ERROR_INVALID_HANDLE, no OS call.
    fn is_threadpool_timer_set(&self, timer: TpTimer) -> Result<bool, WsaError> {
        self.on_live(timer.raw(), Kind::Timer, |_| {
            // SAFETY: a live timer of this backend (the table's lock is held).
            unsafe { th::IsThreadpoolTimerSet(timer.raw() as th::PTP_TIMER) != 0 }
        })
    }

    /// `WaitForThreadpoolTimerCallbacks(pti, fCancelPendingCallbacks)`; an object not live:
    /// ERROR_INVALID_HANDLE, no OS call.
    fn wait_for_threadpool_timer_callbacks(
        &self,
        timer: TpTimer,
        cancel_pending: bool,
    ) -> Result<(), WsaError> {
        self.wait_callbacks(timer.raw(), Kind::Timer, cancel_pending)
    }

    /// `CloseThreadpoolTimer(pti)` (module docs); an object not live: ERROR_INVALID_HANDLE.
    fn close_threadpool_timer(&self, timer: TpTimer) -> Result<(), WsaError> {
        self.close_object(timer.raw(), Kind::Timer)
    }

    /// `SetEventWhenCallbackReturns(pci, evt)`: `instance` must be running on this thread in
    /// this backend and `event` one of its events, else ERROR_INVALID_HANDLE, no OS call.
    fn set_event_when_callback_returns(
        &self,
        instance: CallbackInstance,
        event: WsaEvent,
    ) -> Result<(), WsaError> {
        let r = self.event(event).and_then(|evt| {
            let pci = self.running(instance)?;
            // SAFETY: the instance of a callback running on this thread (the caller), so it
            // cannot return during the call; `evt` is an open event of this backend, which the
            // OS sets once the callback returned (the program keeps it open until then).
            unsafe { th::SetEventWhenCallbackReturns(pci, evt as HANDLE) };
            Ok(())
        });
        finish_kept(r)
    }

    fn release_semaphore_when_callback_returns(
        &self,
        instance: CallbackInstance,
        semaphore: SemaphoreHandle,
        count: u32,
    ) -> Result<(), WsaError> {
        finish_kept(self.release_on_return(instance, semaphore.raw(), Some(count)))
    }

    fn release_mutex_when_callback_returns(
        &self,
        instance: CallbackInstance,
        mutex: MutexHandle,
    ) -> Result<(), WsaError> {
        finish_kept(self.release_on_return(instance, mutex.raw(), None))
    }

    fn leave_critical_section_when_callback_returns(
        &self,
        instance: CallbackInstance,
        cs: CriticalSection,
    ) -> Result<(), WsaError> {
        finish_kept(self.leave_on_return(instance, cs))
    }

    fn disassociate_current_thread_from_callback(
        &self,
        instance: CallbackInstance,
    ) -> Result<(), WsaError> {
        finish_kept(self.disassociate(instance))
    }

    /// `CallbackMayRunLong(pci)`: `instance` must be running on this thread in this backend,
    /// else ERROR_INVALID_HANDLE, no OS call. FALSE (no other thread for the pool) is
    /// `Ok(false)`, the OS's last error left as it set it.
    fn callback_may_run_long(&self, instance: CallbackInstance) -> Result<bool, WsaError> {
        let r = self.running(instance).map(|pci| {
            // SAFETY: the instance of a callback running on this thread (the caller), so it
            // cannot return during the call.
            unsafe { th::CallbackMayRunLong(pci) != 0 }
        });
        finish_kept(r)
    }
}
