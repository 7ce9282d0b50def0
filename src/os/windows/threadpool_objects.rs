//! [`ThreadpoolObjects`] for [`Native`]: kernel32's work and timer objects of the Vista thread
//! pool (`CreateThreadpoolWork`, `CreateThreadpoolTimer` and their calls), in the default pool.
//!
//! **Callbacks** are made as the timers' of `thread_pool.rs`: one trampoline per kind
//! ([`work_callback`], [`timer_callback`]) and, as the context `pv`, the address of an
//! `Arc<CallbackEntry>` (the closure and a weak reference to the backend). The backend's
//! [`TpTable`] (a per-backend global, shared by its clones) keeps every live object by its raw
//! `PTP_WORK` / `PTP_TIMER` value with its kind and that `Arc`; each run of the trampoline takes
//! a count of its own for the call ([`CallbackEntry::from_param`]).
//!
//! **When an entry is freed.** `CloseThreadpool*` returns at once, and the OS may run callbacks
//! still queued (or, for a timer, an expiry being queued) after it, with the entry's address;
//! nothing tells when the last one ended. The table therefore frees the entry on close only
//! when no callback can start any more, and leaks it on purpose otherwise (a few words and the
//! closure), as `thread_pool.rs` does for deletions that do not wait. "No callback can start"
//! is known from the program's own calls, which this backend sees in order under the table's
//! lock: each object counts its *armings* (`SubmitThreadpoolWork`, `SetThreadpoolTimer` with a
//! due time); a `WaitForThreadpool*Callbacks` notes the count at its start (for a timer only if
//! it was stopped then: `SetThreadpoolTimer(NULL)` last, or never set) and, once the OS call
//! returned, marks the object *drained* up to it: every run asked for until then has ended
//! (the OS returns once none is queued or running, the trampoline's own count dropped with its
//! return) or was cancelled, and a stopped timer queues no more. Closing an object drained up
//! to its last arming frees the entry: the common `Submit…, Wait…(FALSE), Close…` and the
//! documented `SetThreadpoolTimer(NULL), WaitForThreadpoolTimerCallbacks(TRUE),
//! CloseThreadpoolTimer` free it; any other order leaks it. A callback still running then (a
//! close from the callback itself) holds its own count, so the closure lives until it returns.
//!
//! **Owner checks.** The C functions are VOID and crash on a closed object: an object reaches
//! the OS only while the table holds it, of its kind; any other value (closed, never made, of
//! the other kind) is ERROR_INVALID_HANDLE without an OS call. Submit, set, query and close
//! are made under the table's lock, so no close frees the object between the check and the
//! call. A wait must not hold the lock (callbacks may use this API), so it counts itself in the
//! object instead; a close meanwhile takes the object out of the program's reach at once (and
//! stops a timer, as `CloseThreadpoolTimer` would), and the last wait to return makes the OS
//! call: Windows leaves a close during a wait undefined, and Wine frees the object under it.
//!
//! **Callback instances.** A `PTP_CALLBACK_INSTANCE` cannot be checked in general, and one
//! used after its callback returned is undefined. The trampolines list the instance of each
//! callback in a thread-local list while the Rust callback runs (with the backend), and
//! `SetEventWhenCallbackReturns` and `CallbackMayRunLong` accept only an instance listed on
//! the calling thread for this backend, else ERROR_INVALID_HANDLE without an OS call. So the
//! instance's callback cannot return during the OS call (it is the caller). This is stricter
//! than the simulator, which accepts a running instance from any thread: Wine's ntdll refuses
//! `TpCallbackMayRunLong` from another thread (STATUS_UNSUCCESSFUL), and the documentation
//! names the instance as the callback's parameter only. The event of
//! `SetEventWhenCallbackReturns` must be one of this backend's (else ERROR_INVALID_HANDLE); as
//! on Windows, the program keeps it open until the callback has returned.
//!
//! The calls keep the thread's last error when they succeed. A callback's panic is caught in
//! the trampoline (it must not unwind into the OS). When the backend goes (its last clone
//! dropped), its live objects are closed, their entries freed or leaked by the same rule.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::c_void;
use std::sync::Arc;

use parking_lot::Mutex;
use windows_sys::Win32::Foundation::{GetLastError, SetLastError, FILETIME, HANDLE};
use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::sync_lookup::{os_error, process_global};
use super::thread_pool::{retire, CallbackEntry};
use crate::api::threadpool_objects::{
    CallbackInstance, ThreadpoolObjects, TpTimer, TpTimerCallback, TpWork, WorkCallback,
};
use crate::api::{WsaError, WsaEvent};

/// Which kind of pool object a value names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A `PTP_WORK`.
    Work,
    /// A `PTP_TIMER`.
    Timer,
}

/// A pool object the OS has and this backend has not yet closed there.
struct LiveObject {
    /// Work or timer.
    kind: Kind,
    /// Its `CallbackEntry` (of the kind's callback type); the OS holds its address as `pv`.
    entry: Arc<dyn Any + Send + Sync>,
    /// Submissions (work) or settings with a due time (timer) so far (module docs).
    armings: u64,
    /// The greatest arming count noted by a `WaitForThreadpool*Callbacks` that has returned:
    /// every run asked for up to it has ended.
    drained: u64,
    /// A timer's last `SetThreadpoolTimer` had a due time (it may still queue runs).
    armed: bool,
    /// `WaitForThreadpool*Callbacks` calls on it in the OS now.
    waiters: usize,
    /// Closed by the program while a wait was in the OS: the last wait closes it there.
    closed: bool,
}

impl LiveObject {
    /// A new object of `kind` with its entry: never armed.
    fn new(kind: Kind, entry: Arc<dyn Any + Send + Sync>) -> LiveObject {
        LiveObject {
            kind,
            entry,
            armings: 0,
            drained: 0,
            armed: false,
            waiters: 0,
            closed: false,
        }
    }

    /// `CloseThreadpoolWork` / `CloseThreadpoolTimer` of object `raw`, taken out of its table
    /// with no wait in the OS; the entry is freed when no callback can start any more, else
    /// leaked (module docs).
    fn release(self, raw: usize) {
        // SAFETY: a live object of this kind that its table has just given up with no wait of
        // this backend in the OS (none can start: the table no longer lists it), so no other
        // call passes it to the OS again and it is closed once.
        unsafe {
            match self.kind {
                Kind::Work => th::CloseThreadpoolWork(raw as th::PTP_WORK),
                Kind::Timer => th::CloseThreadpoolTimer(raw as th::PTP_TIMER),
            }
        }
        if self.drained == self.armings {
            drop(self.entry);
        } else {
            retire(self.entry);
        }
    }
}

/// The work and timer objects of one backend, by raw value.
#[derive(Default)]
struct TpTable {
    /// Objects created and not yet closed in the OS.
    objects: BTreeMap<usize, LiveObject>,
}

impl TpTable {
    /// Object `raw` if the program may still use it as a `kind`: else ERROR_INVALID_HANDLE.
    fn live(&mut self, raw: usize, kind: Kind) -> Result<&mut LiveObject, WsaError> {
        match self.objects.get_mut(&raw) {
            Some(obj) if obj.kind == kind && !obj.closed => Ok(obj),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }
}

impl Drop for TpTable {
    /// The backend is gone (no call of it is running, so no wait is in the OS): its objects
    /// are closed, their entries freed or leaked by the rule of the module docs (a callback
    /// that still runs finds the backend gone and does nothing). The last error is kept.
    fn drop(&mut self) {
        // SAFETY: no arguments; reads thread-local state.
        let kept = unsafe { GetLastError() };
        for (raw, obj) in std::mem::take(&mut self.objects) {
            obj.release(raw);
        }
        // SAFETY: an integer; writes thread-local state.
        unsafe { SetLastError(kept) };
    }
}

thread_local! {
    /// The callbacks running on this thread in a trampoline of this module: (backend, instance).
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
/// [`RUNNING`] meanwhile; `f` gets the backend, the callback and the instance.
///
/// # Safety
///
/// `context` must be the `param` of a `CallbackEntry<C>` whose table still holds its count
/// (module docs: it does while the OS may start a callback of the object).
unsafe fn dispatch<C>(
    context: *mut c_void,
    instance: th::PTP_CALLBACK_INSTANCE,
    f: impl FnOnce(&Native, &C, CallbackInstance),
) {
    // SAFETY: the caller's duty above is `from_param`'s.
    let entry = unsafe { CallbackEntry::<C>::from_param(context.cast_const()) };
    entry.run(|native, callback| {
        let _running = Running::enter(native, instance);
        f(
            native,
            callback,
            CallbackInstance::from_raw(instance as usize),
        );
    });
}

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

/// `due` as the FILETIME `SetThreadpoolTimer` reads: the 64-bit value's low and high halves
/// (a negative value, relative, keeps its bit pattern).
fn filetime(due: i64) -> FILETIME {
    let bits = due as u64;
    FILETIME {
        dwLowDateTime: bits as u32,
        dwHighDateTime: (bits >> 32) as u32,
    }
}

impl Native {
    /// This backend's table of work and timer objects.
    fn tp_objects(&self) -> Arc<Mutex<TpTable>> {
        process_global(self, || Mutex::new(TpTable::default()))
    }

    /// Records an object the OS has just created (`raw`, NULL when it failed) with its entry.
    fn adopt_tp(
        &self,
        kind: Kind,
        raw: isize,
        entry: Arc<dyn Any + Send + Sync>,
    ) -> Result<usize, WsaError> {
        if raw == 0 {
            // No object exists, so the OS never uses the entry's address: `entry` may go.
            return finish_kept(Err(os_error()));
        }
        let obj = LiveObject::new(kind, entry);
        if let Some(old) = self.tp_objects().lock().objects.insert(raw as usize, obj) {
            // Cannot happen (the OS does not reuse a live object's address); kept safe anyway.
            retire(old.entry);
        }
        Ok(raw as usize)
    }

    /// Runs `f` (which makes the OS call) on object `raw` of `kind` under the table's lock,
    /// or gives ERROR_INVALID_HANDLE; the last error is kept on success.
    fn on_live<T>(
        &self,
        raw: usize,
        kind: Kind,
        f: impl FnOnce(&mut LiveObject) -> T,
    ) -> Result<T, WsaError> {
        let table = self.tp_objects();
        let mut tab = table.lock();
        let r = tab.live(raw, kind).map(f);
        drop(tab);
        finish_kept(r)
    }

    /// `WaitForThreadpoolWorkCallbacks` / `WaitForThreadpoolTimerCallbacks` on object `raw`,
    /// made without the table's lock while the object counts the wait (module docs).
    fn wait_callbacks(&self, raw: usize, kind: Kind, cancel: bool) -> Result<(), WsaError> {
        let table = self.tp_objects();
        let mark = {
            let mut tab = table.lock();
            let obj = match tab.live(raw, kind) {
                Ok(obj) => obj,
                Err(e) => return finish_kept(Err(e)),
            };
            obj.waiters += 1;
            (!obj.armed).then_some(obj.armings)
        };
        let cancel = i32::from(cancel);
        // SAFETY: a live object of this kind: a close meanwhile leaves it open in the OS while
        // this wait is counted in it (module docs), so it outlives the call. The table's lock
        // is not held: the callbacks waited for may use this API.
        unsafe {
            match kind {
                Kind::Work => th::WaitForThreadpoolWorkCallbacks(raw as th::PTP_WORK, cancel),
                Kind::Timer => th::WaitForThreadpoolTimerCallbacks(raw as th::PTP_TIMER, cancel),
            }
        }
        let mut tab = table.lock();
        let last = match tab.objects.get_mut(&raw) {
            Some(obj) => {
                obj.waiters = obj.waiters.saturating_sub(1);
                if let Some(m) = mark {
                    obj.drained = obj.drained.max(m);
                }
                obj.closed && obj.waiters == 0
            }
            // Cannot happen: the object stays listed while this wait is counted.
            None => false,
        };
        let closing = if last { tab.objects.remove(&raw) } else { None };
        drop(tab);
        if let Some(obj) = closing {
            obj.release(raw);
        }
        Ok(())
    }

    /// `CloseThreadpoolWork` / `CloseThreadpoolTimer` on object `raw`: at once, or by the last
    /// wait still in the OS (a timer is stopped at once then); any later use is refused.
    fn close_object(&self, raw: usize, kind: Kind) -> Result<(), WsaError> {
        let table = self.tp_objects();
        let mut tab = table.lock();
        let obj = match tab.live(raw, kind) {
            Ok(obj) => obj,
            Err(e) => return finish_kept(Err(e)),
        };
        if obj.waiters > 0 {
            obj.closed = true;
            if kind == Kind::Timer {
                obj.armed = false;
                // SAFETY: a live timer (the table's lock is held, and a wait in the OS keeps it
                // open); NULL due time: stops it, as its close would.
                unsafe { th::SetThreadpoolTimer(raw as th::PTP_TIMER, std::ptr::null(), 0, 0) };
            }
            return Ok(());
        }
        let obj = tab.objects.remove(&raw);
        drop(tab);
        if let Some(obj) = obj {
            obj.release(raw);
        }
        Ok(())
    }

    /// Whether `instance` is listed in [`RUNNING`] for this backend on this thread: else
    /// ERROR_INVALID_HANDLE.
    fn running(&self, instance: CallbackInstance) -> Result<th::PTP_CALLBACK_INSTANCE, WsaError> {
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

impl ThreadpoolObjects for Native {
    /// `CreateThreadpoolWork(work_callback, <the entry>, NULL)`.
    fn create_threadpool_work(&self, callback: WorkCallback<Self>) -> Result<TpWork, WsaError> {
        let entry = CallbackEntry::new(self, callback);
        // SAFETY: `work_callback` lives as long as the process and takes exactly this kind of
        // entry as its context, which the table keeps from here until no callback can start
        // (module docs); no callback runs before a submission, which needs the table. A NULL
        // environment: the default pool.
        let w = unsafe {
            th::CreateThreadpoolWork(
                Some(work_callback),
                CallbackEntry::param(&entry).cast_mut(),
                std::ptr::null(),
            )
        };
        self.adopt_tp(Kind::Work, w, entry).map(TpWork::from_raw)
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
        let entry = CallbackEntry::new(self, callback);
        // SAFETY: as in `create_threadpool_work`, with `timer_callback` and its kind of entry
        // (no callback runs before the timer is set, which needs the table).
        let t = unsafe {
            th::CreateThreadpoolTimer(
                Some(timer_callback),
                CallbackEntry::param(&entry).cast_mut(),
                std::ptr::null(),
            )
        };
        self.adopt_tp(Kind::Timer, t, entry).map(TpTimer::from_raw)
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
        let due = due.map(filetime);
        self.on_live(timer.raw(), Kind::Timer, |obj| {
            if due.is_some() {
                obj.armings += 1;
            }
            obj.armed = due.is_some();
            let p = due.as_ref().map_or(std::ptr::null(), std::ptr::from_ref);
            // SAFETY: a live timer of this backend (the table's lock is held); `p` is NULL or
            // points to a FILETIME that outlives the call, which only reads it.
            unsafe {
                th::SetThreadpoolTimer(timer.raw() as th::PTP_TIMER, p, period_ms, window_ms)
            };
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
