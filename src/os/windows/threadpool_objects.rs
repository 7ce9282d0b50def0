//! [`ThreadpoolObjects`] for [`Native`]: kernel32's work and timer objects of the Vista thread
//! pool (`CreateThreadpoolWork`, `CreateThreadpoolTimer` and their calls), in the default pool,
//! and the table of the pool's objects that the wait objects (`threadpool_wait.rs`) and I/O
//! objects (`threadpool_io.rs`) share.
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
//! its own count, so the closure lives until it returns.
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
//! **Callback instances** are checked as `tp_instance.rs` says.
//!
//! The calls keep the thread's last error when they succeed. A callback's panic is caught in
//! the trampoline (it must not unwind into the OS). When the backend goes (its last clone
//! dropped), its live objects are closed, their entries freed or leaked by the same rule.

use std::any::Any;
use std::collections::BTreeMap;
use std::ffi::c_void;
use std::sync::Arc;

use parking_lot::Mutex;
use windows_sys::Win32::Foundation::{GetLastError, SetLastError, FILETIME, HANDLE};
use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::registered_wait::close_duplicate;
use super::sync_lookup::{os_error, process_global};
use super::thread_pool::{retire, CallbackEntry};
use super::tp_instance::dispatch;
use crate::api::sync::{CriticalSection, MutexHandle, SemaphoreHandle};
use crate::api::threadpool_objects::{
    CallbackInstance, ThreadpoolObjects, TpTimer, TpTimerCallback, TpWork, WorkCallback,
};
use crate::api::{WsaError, WsaEvent};

/// Which kind of pool object a value names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    /// A `PTP_WORK`.
    Work,
    /// A `PTP_TIMER`.
    Timer,
    /// A `PTP_WAIT` (`threadpool_wait.rs`).
    Wait,
    /// A `PTP_IO` (`threadpool_io.rs`).
    Io,
}

impl Kind {
    /// `WaitForThreadpool*Callbacks(raw, cancel)`.
    ///
    /// # Safety
    ///
    /// `raw` must be an object of this kind that the OS keeps open for the whole call.
    unsafe fn wait_for_callbacks(self, raw: usize, cancel: i32) {
        let raw = raw as isize;
        // SAFETY: the caller's duty above; `cancel` is an integer.
        unsafe {
            match self {
                Kind::Work => th::WaitForThreadpoolWorkCallbacks(raw, cancel),
                Kind::Timer => th::WaitForThreadpoolTimerCallbacks(raw, cancel),
                Kind::Wait => th::WaitForThreadpoolWaitCallbacks(raw, cancel),
                Kind::Io => th::WaitForThreadpoolIoCallbacks(raw, cancel),
            }
        }
    }

    /// `CloseThreadpool*(raw)`.
    ///
    /// # Safety
    ///
    /// `raw` must be an object of this kind that no other call passes to the OS again (it is
    /// closed once).
    unsafe fn close(self, raw: usize) {
        let raw = raw as isize;
        // SAFETY: the caller's duty above.
        unsafe {
            match self {
                Kind::Work => th::CloseThreadpoolWork(raw),
                Kind::Timer => th::CloseThreadpoolTimer(raw),
                Kind::Wait => th::CloseThreadpoolWait(raw),
                Kind::Io => th::CloseThreadpoolIo(raw),
            }
        }
    }
}

/// A pool object the OS has and this backend has not yet closed there.
pub(super) struct LiveObject {
    /// Work, timer, wait or I/O.
    kind: Kind,
    /// Its `CallbackEntry` (of the kind's callback type); the OS holds its address as `pv`.
    entry: Arc<dyn Any + Send + Sync>,
    /// Submissions (work), settings with a due time (timer) or with an object (wait), or
    /// starts (I/O) so far (module docs).
    pub(super) armings: u64,
    /// The greatest arming count noted by a `WaitForThreadpool*Callbacks` that has returned:
    /// every run asked for up to it has ended.
    drained: u64,
    /// A timer's last `SetThreadpoolTimer` had a due time, a wait's last `SetThreadpoolWait`
    /// an object (it may still queue runs).
    pub(super) armed: bool,
    /// A wait's own duplicate of the object it was last set with (0: none; module docs).
    pub(super) object: usize,
    /// An I/O object's starts that have neither had their callback start nor been taken back
    /// (`threadpool_io.rs`).
    pub(super) outstanding: u64,
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
            object: 0,
            outstanding: 0,
            waiters: 0,
            closed: false,
        }
    }

    /// Whether no callback of the object can start any more once it is closed (module docs):
    /// an I/O object's every start has had its callback start or was taken back; any other
    /// object is drained up to its last arming.
    fn quiet(&self) -> bool {
        match self.kind {
            Kind::Io => self.outstanding == 0,
            Kind::Work | Kind::Timer | Kind::Wait => self.drained == self.armings,
        }
    }

    /// `CloseThreadpool*` of object `raw`, taken out of its table with no wait in the OS; a
    /// wait's duplicate is closed after it, and the entry freed when no callback can start
    /// any more, else leaked (module docs).
    fn release(self, raw: usize) {
        // SAFETY: a live object of this kind that its table has just given up with no wait of
        // this backend in the OS (none can start: the table no longer lists it), so no other
        // call passes it to the OS again and it is closed once.
        unsafe { self.kind.close(raw) };
        if self.object != 0 {
            // The closed wait object waits no more.
            close_duplicate(self.object);
        }
        if self.quiet() {
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
    /// This backend's table of pool objects.
    fn tp_objects(&self) -> Arc<Mutex<TpTable>> {
        process_global(self, || Mutex::new(TpTable::default()))
    }

    /// A new object of `kind` with the entry of `callback`, made by `create` (the OS call,
    /// given the entry's address as the context `pv`), recorded in the table.
    pub(super) fn create_tp<C: Send + Sync + 'static>(
        &self,
        kind: Kind,
        callback: C,
        create: impl FnOnce(*mut c_void) -> isize,
    ) -> Result<usize, WsaError> {
        let entry = CallbackEntry::new(self, callback);
        let raw = create(CallbackEntry::param(&entry).cast_mut());
        self.adopt_tp(kind, raw, entry)
    }

    /// Records an object the OS has just created (`raw`, NULL when it failed) with its entry.
    pub(super) fn adopt_tp(
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
    pub(super) fn on_live<T>(
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

    /// Runs `f` on object `raw` of `kind` if the table still lists it (closed by the program
    /// or not: a callback of it may still run), under the table's lock.
    pub(super) fn on_listed(&self, raw: usize, kind: Kind, f: impl FnOnce(&mut LiveObject)) {
        if let Some(obj) = self.tp_objects().lock().objects.get_mut(&raw) {
            if obj.kind == kind {
                f(obj);
            }
        }
    }

    /// `WaitForThreadpool*Callbacks` on object `raw`, made without the table's lock while the
    /// object counts the wait (module docs).
    pub(super) fn wait_callbacks(
        &self,
        raw: usize,
        kind: Kind,
        cancel: bool,
    ) -> Result<(), WsaError> {
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
        // SAFETY: a live object of this kind: a close meanwhile leaves it open in the OS while
        // this wait is counted in it (module docs), so it outlives the call. The table's lock
        // is not held: the callbacks waited for may use this API.
        unsafe { kind.wait_for_callbacks(raw, i32::from(cancel)) };
        let mut tab = table.lock();
        let last = match tab.objects.get_mut(&raw) {
            Some(obj) => {
                obj.waiters = obj.waiters.saturating_sub(1);
                if let Some(m) = mark {
                    obj.drained = obj.drained.max(m);
                    // An I/O object's starts up to the mark have all had their completion's
                    // callback, or were given up (`threadpool_io.rs`).
                    obj.outstanding = obj.outstanding.min(obj.armings - m);
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

    /// `CloseThreadpool*` on object `raw`: at once, or by the last wait still in the OS (a
    /// timer or wait object is stopped at once then); any later use is refused.
    pub(super) fn close_object(&self, raw: usize, kind: Kind) -> Result<(), WsaError> {
        let table = self.tp_objects();
        let mut tab = table.lock();
        let obj = match tab.live(raw, kind) {
            Ok(obj) => obj,
            Err(e) => return finish_kept(Err(e)),
        };
        if obj.waiters > 0 {
            obj.closed = true;
            obj.armed = false;
            match kind {
                // SAFETY: a live timer (the table's lock is held, and a wait in the OS keeps it
                // open); NULL due time: stops it, as its close would.
                Kind::Timer => unsafe {
                    th::SetThreadpoolTimer(raw as th::PTP_TIMER, std::ptr::null(), 0, 0)
                },
                Kind::Wait => obj.set_wait(raw, 0, None),
                Kind::Work | Kind::Io => {}
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
}

impl ThreadpoolObjects for Native {
    /// `CreateThreadpoolWork(work_callback, <the entry>, NULL)`.
    fn create_threadpool_work(&self, callback: WorkCallback<Self>) -> Result<TpWork, WsaError> {
        self.create_tp(Kind::Work, callback, |pv| {
            // SAFETY: `work_callback` lives as long as the process and takes exactly this kind
            // of entry as its context `pv`, which the table keeps from here until no callback
            // can start (module docs); no callback runs before a submission, which needs the
            // table. A NULL environment: the default pool.
            unsafe { th::CreateThreadpoolWork(Some(work_callback), pv, std::ptr::null()) }
        })
        .map(TpWork::from_raw)
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
        self.create_tp(Kind::Timer, callback, |pv| {
            // SAFETY: as in `create_threadpool_work`, with `timer_callback` and its kind of
            // entry (no callback runs before the timer is set, which needs the table).
            unsafe { th::CreateThreadpoolTimer(Some(timer_callback), pv, std::ptr::null()) }
        })
        .map(TpTimer::from_raw)
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
