//! The callback environment of the Vista thread pool (`TP_CALLBACK_ENVIRON_V3`, as
//! `InitializeThreadpoolEnvironment`, `SetThreadpoolCallbackPool`,
//! `SetThreadpoolCallbackPriority` and `SetThreadpoolCallbackCleanupGroup` fill it): the pool
//! an object's callbacks run in (`threadpool_pool`) and their priority there, and the cleanup
//! group it joins with its cancel callback (`threadpool_cleanup_group`). Both backends read
//! these four fields.

use std::sync::Arc;

use super::threadpool_io::TpIo;
use super::threadpool_objects::{TpTimer, TpWork};
use super::threadpool_wait::TpWait;

opaque_handle!(
    /// A private thread pool (`PTP_POOL`, from `CreateThreadpool`).
    TpPool
);

opaque_handle!(
    /// A cleanup group (`PTP_CLEANUP_GROUP`, from `CreateThreadpoolCleanupGroup`).
    TpCleanupGroup
);

/// The member a cleanup group's cancel callback is called for: C passes the object's
/// context (`ObjectContext`); a closure captures its context, so here the object is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TpMember {
    /// A work object.
    Work(TpWork),
    /// A timer object.
    Timer(TpTimer),
    /// A wait object.
    Wait(TpWait),
    /// An I/O object.
    Io(TpIo),
    /// A simple callback (`TrySubmitThreadpoolCallback`) dropped before it ran.
    Simple,
}

/// A cleanup group's cancel callback (`PTP_CLEANUP_GROUP_CANCEL_CALLBACK`: the member and
/// `CloseThreadpoolCleanupGroupMembers`' `pvCleanupContext`).
pub type CleanupCancelCallback<W> = Arc<dyn Fn(&W, TpMember, usize) + Send + Sync>;

/// A callback's priority in its pool (`TP_CALLBACK_PRIORITY`): a pool thread takes the
/// objects with callbacks queued at a higher priority first; the simulator keeps a queue per
/// priority in each pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum TpCallbackPriority {
    /// `TP_CALLBACK_PRIORITY_HIGH` (0).
    High,
    /// `TP_CALLBACK_PRIORITY_NORMAL` (1), an environment's default.
    #[default]
    Normal,
    /// `TP_CALLBACK_PRIORITY_LOW` (2).
    Low,
}

/// A callback environment (`TP_CALLBACK_ENVIRON`): the pool its objects' callbacks run in
/// (`None`: the process's default pool) and their priority there, and the cleanup group they
/// join with the cancel callback they get.
pub struct CallbackEnviron<W> {
    pool: Option<TpPool>,
    priority: TpCallbackPriority,
    group: Option<TpCleanupGroup>,
    cancel: Option<CleanupCancelCallback<W>>,
}

impl<W> CallbackEnviron<W> {
    /// `InitializeThreadpoolEnvironment`: the default pool, no cleanup group.
    pub fn new() -> Self {
        CallbackEnviron {
            pool: None,
            priority: TpCallbackPriority::Normal,
            group: None,
            cancel: None,
        }
    }

    /// `SetThreadpoolCallbackPool(pcbe, ptpp)`: objects created with this environment run
    /// their callbacks in `pool`.
    pub fn set_pool(&mut self, pool: TpPool) {
        self.pool = Some(pool);
    }

    /// The pool (`Pool`), if not the default one.
    pub fn pool(&self) -> Option<TpPool> {
        self.pool
    }

    /// `SetThreadpoolCallbackPriority(pcbe, Priority)`: the priority of the callbacks of the
    /// objects created with this environment.
    pub fn set_priority(&mut self, priority: TpCallbackPriority) {
        self.priority = priority;
    }

    /// The priority (`CallbackPriority`).
    pub fn priority(&self) -> TpCallbackPriority {
        self.priority
    }

    /// `SetThreadpoolCallbackCleanupGroup(pcbe, ptpcg, pfng)`: objects created with this
    /// environment join `group`, and get `cancel` as their cancel callback.
    pub fn set_cleanup_group(
        &mut self,
        group: TpCleanupGroup,
        cancel: Option<CleanupCancelCallback<W>>,
    ) {
        self.group = Some(group);
        self.cancel = cancel;
    }

    /// The cleanup group (`CleanupGroup`), if any.
    pub fn cleanup_group(&self) -> Option<TpCleanupGroup> {
        self.group
    }

    /// The cancel callback (`CleanupGroupCancelCallback`), if any.
    pub fn cancel_callback(&self) -> Option<&CleanupCancelCallback<W>> {
        self.cancel.as_ref()
    }
}

impl<W> Default for CallbackEnviron<W> {
    fn default() -> Self {
        CallbackEnviron::new()
    }
}

impl<W> Clone for CallbackEnviron<W> {
    fn clone(&self) -> Self {
        CallbackEnviron {
            pool: self.pool,
            priority: self.priority,
            group: self.group,
            cancel: self.cancel.clone(),
        }
    }
}
