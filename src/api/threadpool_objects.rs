//! The thread pool API of Windows Vista and later, work and timer objects:
//! `CreateThreadpoolWork` / `SubmitThreadpoolWork` / `WaitForThreadpoolWorkCallbacks` /
//! `CloseThreadpoolWork`, `CreateThreadpoolTimer` / `SetThreadpoolTimer` /
//! `IsThreadpoolTimerSet` / `WaitForThreadpoolTimerCallbacks` / `CloseThreadpoolTimer`, and
//! the callback instance's `SetEventWhenCallbackReturns` and `CallbackMayRunLong`, in the
//! process's default pool (no custom pools or cleanup groups).
//!
//! Windows' rules (the calls' documentation; Wine's ntdll tests threadpool.c `test_tp_work`,
//! `test_tp_timer`, `test_tp_instance`), as both backends keep them:
//! - a work object runs its callback once per `SubmitThreadpoolWork`, on pool threads, the
//!   submissions at the same time when they overlap;
//! - a timer object set with a due time (a negative FILETIME is relative, in 100-ns units; 0 or
//!   a time past fires at once) runs its callback then and every period after (0: once);
//!   `SetThreadpoolTimer` with no due time stops it; `IsThreadpoolTimerSet` says whether it
//!   was last set with a due time (TRUE also once a once-only timer has fired: Wine's
//!   `test_tp_timer` checks it, and passes on Windows);
//! - `WaitForThreadpool*Callbacks` waits until none of the object's callbacks runs, first
//!   dropping those queued and not started when asked to cancel them; closing an object with
//!   callbacks outstanding lets them finish and frees it after;
//! - `SetEventWhenCallbackReturns` sets an event once the callback has returned (the way to
//!   know a callback is out of the program's code, e.g. before unloading it), as
//!   `ReleaseSemaphoreWhenCallbackReturns`, `ReleaseMutexWhenCallbackReturns` and
//!   `LeaveCriticalSectionWhenCallbackReturns` release theirs: one action of each kind per
//!   callback (a later call of the same kind is ignored, as in Wine's ntdll), run in that
//!   order — critical section, mutex, semaphore, event — by the pool thread, after the
//!   callback and before a wait for its callbacks returns; an action that fails (a mutex the
//!   callback does not own, a semaphore past its maximum, a handle closed meanwhile) raises
//!   an exception on Windows and skips the actions after it (Wine's ntdll skips them);
//! - `DisassociateCurrentThreadFromCallback` lets `WaitForThreadpool*Callbacks` return while
//!   the callback still runs; a cleanup group's release still waits for it (Wine's
//!   `test_tp_disassociate`).
//!
//! The C functions are VOID and crash on an object already closed; here such an object is
//! ERROR_INVALID_HANDLE, the program's bug named. The simulator runs the callbacks on its
//! pool threads (`ThreadPool`).

use std::sync::Arc;

use super::event_select::WsaEvent;
use super::sync::{CriticalSection, MutexHandle, SemaphoreHandle};
use super::thread_pool::ThreadPool;
use super::WsaError;

opaque_handle!(
    /// A work object (`PTP_WORK`, from `CreateThreadpoolWork`).
    TpWork
);
opaque_handle!(
    /// A timer object (`PTP_TIMER`, from `CreateThreadpoolTimer`).
    TpTimer
);
opaque_handle!(
    /// The instance of a running callback (`PTP_CALLBACK_INSTANCE`): valid until the callback
    /// returns.
    CallbackInstance
);

/// A work object's callback (`PTP_WORK_CALLBACK`: instance, context — whatever the closure
/// captures — and the work object).
pub type WorkCallback<W> = Arc<dyn Fn(&W, CallbackInstance, TpWork) + Send + Sync>;

/// A timer object's callback (`PTP_TIMER_CALLBACK`: instance, context, the timer object).
pub type TpTimerCallback<W> = Arc<dyn Fn(&W, CallbackInstance, TpTimer) + Send + Sync>;

/// The Vista thread pool's work and timer objects (kernel32; no `WSAStartup` needed).
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
///
/// /// Sweeps idle connections every second on a pool thread, for a while.
/// fn sweeper<W: ThreadpoolObjects>(ws: &W) -> Result<u32, WsaError> {
///     let sweeps = Arc::new(AtomicU32::new(0));
///     let n = sweeps.clone();
///     let sweep: TpTimerCallback<W> = Arc::new(move |_, _, _| {
///         n.fetch_add(1, Ordering::SeqCst);
///     });
///     let t = ws.create_threadpool_timer(sweep)?;
///     ws.set_threadpool_timer(t, Some(-10_000_000), 1_000, 0)?;
///     ws.sleep(3_500);
///     ws.set_threadpool_timer(t, None, 0, 0)?;
///     ws.wait_for_threadpool_timer_callbacks(t, true)?;
///     ws.close_threadpool_timer(t)?;
///     Ok(sweeps.load(Ordering::SeqCst))
/// }
/// ```
pub trait ThreadpoolObjects: ThreadPool {
    /// `CreateThreadpoolWork(pfnwk, pv, NULL)`: a work object of the default pool.
    fn create_threadpool_work(&self, callback: WorkCallback<Self>) -> Result<TpWork, WsaError>
    where
        Self: Sized;

    /// `SubmitThreadpoolWork(pwk)`: queues one run of the callback.
    fn submit_threadpool_work(&self, work: TpWork) -> Result<(), WsaError>;

    /// `WaitForThreadpoolWorkCallbacks(pwk, fCancelPendingCallbacks)`: drops the queued runs
    /// not started when `cancel_pending`, then waits until none runs.
    fn wait_for_threadpool_work_callbacks(
        &self,
        work: TpWork,
        cancel_pending: bool,
    ) -> Result<(), WsaError>;

    /// `CloseThreadpoolWork(pwk)`: releases the object; runs queued or running still end,
    /// then it is freed. Any later use: ERROR_INVALID_HANDLE.
    fn close_threadpool_work(&self, work: TpWork) -> Result<(), WsaError>;

    /// `CreateThreadpoolTimer(pfnti, pv, NULL)`: a timer object, not set.
    fn create_threadpool_timer(&self, callback: TpTimerCallback<Self>) -> Result<TpTimer, WsaError>
    where
        Self: Sized;

    /// `SetThreadpoolTimer(pti, pftDueTime, msPeriod, msWindowLength)`: `due` as C's FILETIME
    /// (negative: relative, 100-ns units; otherwise absolute UTC, a time past firing at once),
    /// `None` (NULL) stops the timer (runs already queued still run). Each expiry queues one
    /// run; a period repeats it. `window_ms`, the coalescing window, is accepted (the simulator
    /// fires on time).
    fn set_threadpool_timer(
        &self,
        timer: TpTimer,
        due: Option<i64>,
        period_ms: u32,
        window_ms: u32,
    ) -> Result<(), WsaError>;

    /// `SetThreadpoolTimerEx(pti, pftDueTime, msPeriod, msWindowLength)` (Windows 8 and later):
    /// [`ThreadpoolObjects::set_threadpool_timer`], returning whether it cancelled an expiry
    /// still to come (the timer was set, and a once-only one had not yet fired; a periodic
    /// one always has one to come). A callback that releases a reference the setter took
    /// will not run for that expiry: on TRUE the reference is the caller's to release. In
    /// the simulator: the timer's pending due time, replaced.
    fn set_threadpool_timer_ex(
        &self,
        timer: TpTimer,
        due: Option<i64>,
        period_ms: u32,
        window_ms: u32,
    ) -> Result<bool, WsaError>;

    /// `IsThreadpoolTimerSet(pti)`: whether the timer was last set with a due time (TRUE also
    /// once a once-only timer has fired; FALSE after `SetThreadpoolTimer(NULL)`).
    fn is_threadpool_timer_set(&self, timer: TpTimer) -> Result<bool, WsaError>;

    /// `WaitForThreadpoolTimerCallbacks(pti, fCancelPendingCallbacks)`: as for work objects.
    fn wait_for_threadpool_timer_callbacks(
        &self,
        timer: TpTimer,
        cancel_pending: bool,
    ) -> Result<(), WsaError>;

    /// `CloseThreadpoolTimer(pti)`: stops and releases the timer; runs queued or running
    /// still end, then it is freed.
    fn close_threadpool_timer(&self, timer: TpTimer) -> Result<(), WsaError>;

    /// `SetEventWhenCallbackReturns(pci, evt)`: `event` is set once the callback of
    /// `instance` has returned. ERROR_INVALID_HANDLE once it has returned, or from a thread
    /// other than the callback's.
    fn set_event_when_callback_returns(
        &self,
        instance: CallbackInstance,
        event: WsaEvent,
    ) -> Result<(), WsaError>;

    /// `ReleaseSemaphoreWhenCallbackReturns(pci, sem, crel)`: `semaphore` is released by
    /// `count` once the callback has returned (instance checked as for
    /// [`ThreadpoolObjects::set_event_when_callback_returns`]).
    fn release_semaphore_when_callback_returns(
        &self,
        instance: CallbackInstance,
        semaphore: SemaphoreHandle,
        count: u32,
    ) -> Result<(), WsaError>;

    /// `ReleaseMutexWhenCallbackReturns(pci, mut)`: `mutex`, which the callback acquired, is
    /// released by the pool thread once the callback has returned.
    fn release_mutex_when_callback_returns(
        &self,
        instance: CallbackInstance,
        mutex: MutexHandle,
    ) -> Result<(), WsaError>;

    /// `LeaveCriticalSectionWhenCallbackReturns(pci, pcs)`: `cs`, which the callback
    /// entered, is left by the pool thread once the callback has returned.
    fn leave_critical_section_when_callback_returns(
        &self,
        instance: CallbackInstance,
        cs: CriticalSection,
    ) -> Result<(), WsaError>;

    /// `DisassociateCurrentThreadFromCallback(pci)`: the callback no longer counts for
    /// `WaitForThreadpool*Callbacks` on its object, which may return while it still runs (a
    /// cleanup group's release still waits for it).
    fn disassociate_current_thread_from_callback(
        &self,
        instance: CallbackInstance,
    ) -> Result<(), WsaError>;

    /// `CallbackMayRunLong(pci)`: tells the pool the callback may run long; true when the pool
    /// can give other callbacks another thread (the simulator: while below its maximum).
    fn callback_may_run_long(&self, instance: CallbackInstance) -> Result<bool, WsaError>;
}
