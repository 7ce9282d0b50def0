//! The Vista thread pool's wait objects: `CreateThreadpoolWait` / `SetThreadpoolWait` /
//! `WaitForThreadpoolWaitCallbacks` / `CloseThreadpoolWait`, in the process's default pool.
//!
//! Windows' rules (the calls' documentation; Wine's ntdll tests threadpool.c `test_tp_wait`,
//! `test_tp_multi_wait`, `test_tp_wait_early_closure`, which pass on Windows), as both
//! backends keep them:
//! - a wait object set with an object waits once: when the object is signalled (the wait
//!   takes it as any waiter would: an auto-reset event's signal, a semaphore's count), or its
//!   timeout passes first, one run of the callback is queued, with `WAIT_OBJECT_0` or
//!   `WAIT_TIMEOUT`, and the object waits no more until it is set again;
//! - the timeout is C's FILETIME: negative relative (100-ns units), otherwise absolute UTC, a
//!   time past (0 among them) timing out at once; `None` (NULL) waits without end;
//! - setting it again replaces the wait; setting it with no object (NULL) stops it (a run
//!   already queued still runs);
//! - two wait objects on one semaphore released once: one callback runs;
//! - the wait holds its object: the program may close its handle after setting the wait;
//! - `WaitForThreadpoolWaitCallbacks` waits until none of its callbacks runs, dropping those
//!   queued and not started when asked; the wait itself stays set (a later signal still runs
//!   the callback). Closing the object stops its wait; runs queued or running still end.
//!
//! The C functions are VOID and crash on an object already closed; here such an object is
//! ERROR_INVALID_HANDLE, the program's bug named, and so is a handle that is not an object's.

use std::sync::Arc;

use super::sync::Handle;
use super::threadpool_objects::{CallbackInstance, ThreadpoolObjects};
use super::WsaError;

opaque_handle!(
    /// A wait object (`PTP_WAIT`, from `CreateThreadpoolWait`).
    TpWait
);

/// A wait object's callback (`PTP_WAIT_CALLBACK`: instance, context — whatever the closure
/// captures — the wait object, and the `TP_WAIT_RESULT`: `WAIT_OBJECT_0` or `WAIT_TIMEOUT`).
pub type TpWaitCallback<W> = Arc<dyn Fn(&W, CallbackInstance, TpWait, u32) + Send + Sync>;

/// The Vista thread pool's wait objects (kernel32; no `WSAStartup` needed).
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
///
/// /// Runs `on_signal` on a pool thread each time `event` is set (the wait set again from
/// /// its own callback, as one-shot waits are re-armed).
/// fn watch<W: ThreadpoolWaits>(ws: &W, event: WsaEvent) -> Result<TpWait, WsaError> {
///     let seen = Arc::new(AtomicU32::new(0));
///     let on_signal: TpWaitCallback<W> = Arc::new(move |ws, _, wait, result| {
///         if result == WAIT_OBJECT_0 {
///             seen.fetch_add(1, Ordering::SeqCst);
///         }
///         let _ = ws.set_threadpool_wait(wait, Some(Handle::Event(event)), None);
///     });
///     let wait = ws.create_threadpool_wait(on_signal)?;
///     ws.set_threadpool_wait(wait, Some(Handle::Event(event)), None)?;
///     Ok(wait)
/// }
/// ```
pub trait ThreadpoolWaits: ThreadpoolObjects {
    /// `CreateThreadpoolWait(pfnwa, pv, NULL)`: a wait object of the default pool, not set.
    fn create_threadpool_wait(&self, callback: TpWaitCallback<Self>) -> Result<TpWait, WsaError>
    where
        Self: Sized;

    /// `SetThreadpoolWait(pwa, h, pftTimeout)`: waits once on `object` until `timeout` (C's
    /// FILETIME: negative relative, 100-ns units; otherwise absolute; `None`: no end),
    /// replacing the wait set before; `object` `None` (NULL) stops the wait. The simulator
    /// waits in the host's pool wait thread, with the registered waits.
    fn set_threadpool_wait(
        &self,
        wait: TpWait,
        object: Option<Handle>,
        timeout: Option<i64>,
    ) -> Result<(), WsaError>;

    /// `SetThreadpoolWaitEx(pwa, h, pftTimeout, NULL)` (Windows 8 and later):
    /// [`ThreadpoolWaits::set_threadpool_wait`], returning whether it cancelled a wait still
    /// waiting (set, and neither its object signalled nor its timeout come): its callback
    /// will not run for it, so what the callback would have released is the caller's. In
    /// the simulator: the wait's registration, replaced.
    fn set_threadpool_wait_ex(
        &self,
        wait: TpWait,
        object: Option<Handle>,
        timeout: Option<i64>,
    ) -> Result<bool, WsaError>;

    /// `WaitForThreadpoolWaitCallbacks(pwa, fCancelPendingCallbacks)`: drops the queued
    /// runs not started when `cancel_pending`, then waits until none runs. The wait stays
    /// set.
    fn wait_for_threadpool_wait_callbacks(
        &self,
        wait: TpWait,
        cancel_pending: bool,
    ) -> Result<(), WsaError>;

    /// `CloseThreadpoolWait(pwa)`: stops the wait and releases the object; runs queued or
    /// running still end, then it is freed. Any later use: ERROR_INVALID_HANDLE.
    fn close_threadpool_wait(&self, wait: TpWait) -> Result<(), WsaError>;
}
