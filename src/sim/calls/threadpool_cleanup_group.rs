//! [`ThreadpoolCleanupGroups`] in the simulator: cleanup groups (`sim::kernel::tp_group`),
//! the objects created with an environment naming one, and simple callbacks (an object of
//! `tp_objects` with one run).

use std::sync::Arc;

use crate::api::threadpool_cleanup_group::{
    CallbackEnviron, SimpleCallback, ThreadpoolCleanupGroups, TpCleanupGroup, TpMember,
};
use crate::api::threadpool_io::{TpIo, TpIoCallback};
use crate::api::threadpool_objects::{
    CallbackInstance, TpTimer, TpTimerCallback, TpWork, WorkCallback,
};
use crate::api::threadpool_wait::{TpWait, TpWaitCallback};
use crate::api::{Socket, TpCallbackPriority, WsaError};
use crate::sim::api::{SimLayers, SimWinsock, Traced, World};
use crate::sim::kernel::thread_pool::PoolKind;
use crate::sim::kernel::tp_group::{TpCancelCallback, TpMembership};
use crate::sim::kernel::tp_objects::{TpCallback, TpClass, TpEnv, TpRun};

impl Traced for TpCleanupGroup {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

/// The member object `id` of `class` is, as a cancel callback is told it.
fn member(class: TpClass, id: usize) -> TpMember {
    match class {
        TpClass::Work => TpMember::Work(TpWork::from_raw(id)),
        TpClass::Timer => TpMember::Timer(TpTimer::from_raw(id)),
        TpClass::Wait => TpMember::Wait(TpWait::from_raw(id)),
        TpClass::Io => TpMember::Io(TpIo::from_raw(id)),
        TpClass::Simple => TpMember::Simple,
    }
}

impl SimWinsock {
    /// What an object of `class` created with `env` takes from it: its pool (the default
    /// one's workers without one) and its cleanup group (with the environment's cancel
    /// callback). ERROR_INVALID_HANDLE for a pool or group that is not an open one of this
    /// host's.
    pub(crate) fn tp_environ(
        &self,
        w: &World,
        env: Option<&CallbackEnviron<Self>>,
        class: TpClass,
    ) -> Result<TpEnv<SimLayers>, WsaError> {
        let pool = match env.and_then(CallbackEnviron::pool) {
            Some(p) => w.pool_live(self.host, p.raw())?,
            None => PoolKind::Workers,
        };
        let priority = env.map_or(TpCallbackPriority::Normal, CallbackEnviron::priority);
        let Some((env, group)) = env.and_then(|e| Some((e, e.cleanup_group()?))) else {
            return Ok(TpEnv {
                pool,
                priority,
                member: None,
            });
        };
        w.tp_group_live(self.host, group.raw())?;
        let cancel = env.cancel_callback().cloned().map(|c| {
            let c: TpCancelCallback<SimLayers> =
                Arc::new(move |ws: &SimWinsock, id, context| c(ws, member(class, id), context));
            c
        });
        let member = Some(TpMembership {
            group: group.raw(),
            cancel,
        });
        Ok(TpEnv {
            pool,
            priority,
            member,
        })
    }
}

impl ThreadpoolCleanupGroups for SimWinsock {
    fn create_threadpool_cleanup_group(&self) -> Result<TpCleanupGroup, WsaError> {
        self.kcall_keep_error("CreateThreadpoolCleanupGroup", 0, 0, |this| {
            Ok(TpCleanupGroup::from_raw(
                this.w().tp_group_create(this.host),
            ))
        })
    }

    fn close_threadpool_cleanup_group_members(
        &self,
        group: TpCleanupGroup,
        cancel_pending: bool,
        cleanup_context: usize,
    ) -> Result<(), WsaError> {
        let call = "CloseThreadpoolCleanupGroupMembers";
        let id = group.raw();
        self.kcall_keep_error(call, id as u64, u64::from(cancel_pending), |this| {
            let members = {
                let mut w = this.w();
                w.tp_group_live(this.host, id)?;
                w.tp_group_release(this.tid, id, cancel_pending)
            };
            // Member by member, as Windows takes them: wait for its callbacks, then close it
            // and call its cancel callback on this thread.
            for m in members {
                this.tp_wait_outstanding(call, m, true)?;
                let cancel = this.w().tp_group_finish(this.tid, m, cancel_pending);
                if let Some(cancel) = cancel {
                    cancel(this, m, cleanup_context);
                }
            }
            Ok(())
        })
    }

    fn close_threadpool_cleanup_group(&self, group: TpCleanupGroup) -> Result<(), WsaError> {
        let id = group.raw();
        self.kcall_keep_error("CloseThreadpoolCleanupGroup", id as u64, 0, |this| {
            let mut w = this.w();
            w.tp_group_live(this.host, id)?;
            w.tp_group_close(id);
            Ok(())
        })
    }

    fn try_submit_threadpool_callback(
        &self,
        callback: SimpleCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<(), WsaError> {
        let group = env.and_then(CallbackEnviron::cleanup_group);
        let traced = group.map_or(0, |g| g.raw() as u64);
        self.kcall_keep_error("TrySubmitThreadpoolCallback", traced, 0, |this| {
            let cb: TpCallback<SimLayers> = Arc::new(move |ws: &SimWinsock, inst, _, _| {
                callback(ws, CallbackInstance::from_raw(inst));
            });
            let mut w = this.w();
            let env = this.tp_environ(&w, env, TpClass::Simple)?;
            let id = w.tp_create(this.host, TpClass::Simple, cb, env);
            w.tp_queue_run(id, TpRun::Plain, SimWinsock::pool_thread);
            Ok(())
        })
    }

    fn create_threadpool_work_in(
        &self,
        callback: WorkCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpWork, WsaError> {
        self.create_work_in(callback, Some(env))
    }

    fn create_threadpool_timer_in(
        &self,
        callback: TpTimerCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpTimer, WsaError> {
        self.create_timer_in(callback, Some(env))
    }

    fn create_threadpool_wait_in(
        &self,
        callback: TpWaitCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpWait, WsaError> {
        self.create_wait_in(callback, Some(env))
    }

    fn create_threadpool_io_in(
        &self,
        s: Socket,
        callback: TpIoCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpIo, WsaError> {
        self.create_io_in(s, callback, Some(env))
    }
}
