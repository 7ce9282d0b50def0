//! The Vista thread pool's cleanup groups and simple callbacks, the way a pool-based server
//! shuts down: `CreateThreadpoolCleanupGroup` / `CloseThreadpoolCleanupGroupMembers` /
//! `CloseThreadpoolCleanupGroup`, a callback environment (`TP_CALLBACK_ENVIRON`, as
//! `InitializeThreadpoolEnvironment` and `SetThreadpoolCallbackCleanupGroup` fill it) naming
//! the group that objects created with it join, and `TrySubmitThreadpoolCallback`.
//!
//! Windows' rules (the calls' documentation; Wine's ntdll tests threadpool.c `test_tp_simple`,
//! `test_tp_group_wait`, `test_tp_group_cancel`, which pass on Windows), as both backends keep
//! them:
//! - work, timer, wait and I/O objects created with an environment naming a group, and simple
//!   callbacks submitted with one, are the group's members until they are closed (a simple
//!   callback: until it has run);
//! - `CloseThreadpoolCleanupGroupMembers` releases every member: timers stop and waits end at
//!   once; with `cancel_pending`, callbacks queued and not started are dropped (an I/O
//!   object's starts still awaiting a completion too); then, member by member, it waits until
//!   none of the member's callbacks is queued or running, calls the environment's cancel
//!   callback on the calling thread (once per member, not per dropped callback, and only when
//!   cancelling), and closes the member: the program must not close it again;
//! - a member the program closes while the call waits for it (its own callback closing it) is
//!   not the call's to close, and gets no cancel callback; nor does a simple callback that ran;
//! - a member's callback must not release its own group: the call would wait for the callback
//!   that made it, for ever;
//! - `CloseThreadpoolCleanupGroup` frees the group once its members are gone; members not
//!   released stay valid objects.
//!
//! The C functions are VOID (`TrySubmitThreadpoolCallback` is BOOL) and crash on a group
//! already closed; here such a group is ERROR_INVALID_HANDLE, the program's bug named.

use std::sync::Arc;

use super::threadpool_io::ThreadpoolIo;
use super::threadpool_io::{TpIo, TpIoCallback};
use super::threadpool_objects::{CallbackInstance, TpTimer, TpTimerCallback, TpWork, WorkCallback};
use super::threadpool_wait::{ThreadpoolWaits, TpWait, TpWaitCallback};
use super::types::Socket;
use super::WsaError;

pub use super::callback_environ::{
    CallbackEnviron, CleanupCancelCallback, TpCleanupGroup, TpMember,
};

/// A simple callback (`PTP_SIMPLE_CALLBACK`: instance, context — whatever the closure
/// captures).
pub type SimpleCallback<W> = Arc<dyn Fn(&W, CallbackInstance) + Send + Sync>;

/// The Vista thread pool's cleanup groups, callback environments and simple callbacks
/// (kernel32; no `WSAStartup` needed).
///
/// ```
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
///
/// /// Stops a pool-based server: every object its environment made is released at once,
/// /// callbacks not yet started are dropped, and the call returns when none runs.
/// fn shut_down<W: ThreadpoolCleanupGroups>(ws: &W) -> Result<(), WsaError> {
///     let group = ws.create_threadpool_cleanup_group()?;
///     let mut env = CallbackEnviron::new();
///     env.set_cleanup_group(group, None);
///     let tick: TpTimerCallback<W> = Arc::new(|_, _, _| {});
///     let timer = ws.create_threadpool_timer_in(tick, &env)?;
///     ws.set_threadpool_timer(timer, Some(-10_000), 10, 0)?;
///     let once: SimpleCallback<W> = Arc::new(|_, _| {});
///     ws.try_submit_threadpool_callback(once, Some(&env))?;
///     ws.close_threadpool_cleanup_group_members(group, true, 0)?;
///     ws.close_threadpool_cleanup_group(group)
/// }
/// ```
pub trait ThreadpoolCleanupGroups: ThreadpoolIo + ThreadpoolWaits {
    /// `CreateThreadpoolCleanupGroup()`: a new, empty group.
    fn create_threadpool_cleanup_group(&self) -> Result<TpCleanupGroup, WsaError>;

    /// `CloseThreadpoolCleanupGroupMembers(ptpcg, fCancelPendingCallbacks, pvCleanupContext)`:
    /// releases every member (module docs), calling the members' cancel callbacks with
    /// `cleanup_context` when `cancel_pending`; returns once none of their callbacks runs.
    fn close_threadpool_cleanup_group_members(
        &self,
        group: TpCleanupGroup,
        cancel_pending: bool,
        cleanup_context: usize,
    ) -> Result<(), WsaError>;

    /// `CloseThreadpoolCleanupGroup(ptpcg)`: the group goes once its members have gone; any
    /// later use of it: ERROR_INVALID_HANDLE.
    fn close_threadpool_cleanup_group(&self, group: TpCleanupGroup) -> Result<(), WsaError>;

    /// `TrySubmitThreadpoolCallback(pfns, pv, pcbe)`: runs `callback` once on a pool thread,
    /// a member of the environment's group until it has run.
    fn try_submit_threadpool_callback(
        &self,
        callback: SimpleCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<(), WsaError>
    where
        Self: Sized;

    /// `CreateThreadpoolWork(pfnwk, pv, pcbe)`.
    fn create_threadpool_work_in(
        &self,
        callback: WorkCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpWork, WsaError>
    where
        Self: Sized;

    /// `CreateThreadpoolTimer(pfnti, pv, pcbe)`.
    fn create_threadpool_timer_in(
        &self,
        callback: TpTimerCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpTimer, WsaError>
    where
        Self: Sized;

    /// `CreateThreadpoolWait(pfnwa, pv, pcbe)`.
    fn create_threadpool_wait_in(
        &self,
        callback: TpWaitCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpWait, WsaError>
    where
        Self: Sized;

    /// `CreateThreadpoolIo(fl, pfnio, pv, pcbe)` for socket `s`.
    fn create_threadpool_io_in(
        &self,
        s: Socket,
        callback: TpIoCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpIo, WsaError>
    where
        Self: Sized;
}
