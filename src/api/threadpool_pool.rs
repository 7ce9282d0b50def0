//! The Vista thread pool's private pools: `CreateThreadpool` / `SetThreadpoolThreadMaximum` /
//! `SetThreadpoolThreadMinimum` / `CloseThreadpool`, and objects bound to one by a callback
//! environment (`CallbackEnviron::set_pool`, C's `SetThreadpoolCallbackPool`).
//!
//! Windows' rules (the calls' documentation; Wine's ntdll tests threadpool.c `test_tp_simple`,
//! `test_tp_work_scheduler`, `test_tp_group_cancel`, which pass on Windows), as both backends
//! keep them:
//! - a pool runs the callbacks of the objects created with an environment naming it, on its
//!   own threads, never more at once than its maximum: a callback queued while all of them
//!   are busy waits for one to finish (a callback that waits for another queued on a full
//!   pool waits for ever: the starvation a pool of one thread shows at once);
//! - a new pool may have up to 500 threads; `SetThreadpoolThreadMaximum` lowers or raises
//!   that (at least 1; the minimum follows it down); `SetThreadpoolThreadMinimum` starts
//!   threads until the pool has that many and keeps them (the maximum follows it up);
//! - `CallbackMayRunLong` from a callback of a pool with no idle thread and no room for
//!   another is FALSE (`Ok(false)`);
//! - `CloseThreadpool` lets the pool go once its objects have: their callbacks still run.
//!
//! The C functions are VOID (`SetThreadpoolThreadMinimum` is BOOL) and crash on a pool
//! already closed; here such a pool is ERROR_INVALID_HANDLE, and so is an environment naming
//! one at an object's creation.

use super::callback_environ::TpPool;
use super::threadpool_cleanup_group::ThreadpoolCleanupGroups;
use super::WsaError;

/// The Vista thread pool's private pools (kernel32; no `WSAStartup` needed).
///
/// ```
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
///
/// /// A pool of two threads for a server's slow work, so that it cannot starve the default
/// /// pool's callbacks (the completions of its sockets).
/// fn slow_lane<W: ThreadpoolPools>(ws: &W) -> Result<(TpPool, TpWork), WsaError> {
///     let pool = ws.create_threadpool()?;
///     ws.set_threadpool_thread_maximum(pool, 2)?;
///     let mut env = CallbackEnviron::new();
///     env.set_pool(pool);
///     let work: WorkCallback<W> = Arc::new(|ws, _, _| ws.sleep(100));
///     let w = ws.create_threadpool_work_in(work, &env)?;
///     Ok((pool, w))
/// }
/// ```
pub trait ThreadpoolPools: ThreadpoolCleanupGroups {
    /// `CreateThreadpool(NULL)`: a new pool (no thread yet, at most 500).
    fn create_threadpool(&self) -> Result<TpPool, WsaError>;

    /// `SetThreadpoolThreadMaximum(ptpp, cthrdMost)`: at most `max` threads (0 counts as 1)
    /// run the pool's callbacks from now on; a minimum above it comes down to it.
    fn set_threadpool_thread_maximum(&self, pool: TpPool, max: u32) -> Result<(), WsaError>;

    /// `SetThreadpoolThreadMinimum(ptpp, cthrdMic)`: threads start until the pool has `min`,
    /// and it keeps them; a maximum below it goes up to it.
    fn set_threadpool_thread_minimum(&self, pool: TpPool, min: u32) -> Result<(), WsaError>;

    /// `CloseThreadpool(ptpp)`: the pool goes once its objects have (their callbacks still
    /// run); any later use of it: ERROR_INVALID_HANDLE.
    fn close_threadpool(&self, pool: TpPool) -> Result<(), WsaError>;
}
