//! [`ThreadpoolObjects`] in the simulator: the Vista pool's work and timer objects, run by
//! the host's pool threads (`sim::kernel::tp_objects`); what every object's calls share
//! (running a run, waiting for callbacks, closing), used by the wait and I/O objects too.

use std::sync::Arc;

use crate::api::event_select::WsaEvent;
use crate::api::sync::{CriticalSection, MutexHandle, SemaphoreHandle};
use crate::api::threadpool_cleanup_group::CallbackEnviron;
use crate::api::threadpool_objects::{
    CallbackInstance, ThreadpoolObjects, TpTimer, TpTimerCallback, TpWork, WorkCallback,
};
use crate::api::WsaError;
use crate::sim::api::{SimLayers, SimWinsock, Traced, World};
use crate::sim::kernel::sync::Lock;
use crate::sim::kernel::tp_instance::ReturnAction;
use crate::sim::kernel::tp_objects::{TpCallback, TpClass, TpKind, TpRun};
use crate::sim::runtime::{sat_nanos, Step, WaitKey};

impl Traced for TpWork {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl Traced for TpTimer {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl SimWinsock {
    /// `CreateThreadpoolWork` with environment `env` (`None`: NULL).
    pub(crate) fn create_work_in(
        &self,
        callback: WorkCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<TpWork, WsaError> {
        let cb: TpCallback<SimLayers> = Arc::new(move |ws: &SimWinsock, inst, id, _| {
            callback(ws, CallbackInstance::from_raw(inst), TpWork::from_raw(id));
        });
        let made = self.tp_create_call("CreateThreadpoolWork", TpClass::Work, cb, env);
        made.map(TpWork::from_raw)
    }

    /// `CreateThreadpoolTimer` with environment `env` (`None`: NULL).
    pub(crate) fn create_timer_in(
        &self,
        callback: TpTimerCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<TpTimer, WsaError> {
        let cb: TpCallback<SimLayers> = Arc::new(move |ws: &SimWinsock, inst, id, _| {
            callback(ws, CallbackInstance::from_raw(inst), TpTimer::from_raw(id));
        });
        let made = self.tp_create_call("CreateThreadpoolTimer", TpClass::Timer, cb, env);
        made.map(TpTimer::from_raw)
    }

    /// What creating an object (not an I/O object) shares: the call, `env`'s group
    /// checked and joined. The object's number.
    pub(crate) fn tp_create_call(
        &self,
        call: &'static str,
        class: TpClass,
        cb: TpCallback<SimLayers>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<usize, WsaError> {
        let group = env.and_then(CallbackEnviron::cleanup_group);
        let traced = group.map_or(0, |g| g.raw() as u64);
        self.kcall_keep_error(call, traced, 0, |this| {
            let mut w = this.w();
            let env = this.tp_environ(&w, env, class)?;
            Ok(w.tp_create(this.host, class, cb, env))
        })
    }

    /// Runs the oldest queued run of object `id` (outside the world lock), unless a
    /// cancelling wait dropped it.
    pub(crate) fn run_tp(&self, id: usize) {
        let begun = self.w().tp_begin(self.tid, id);
        if let Some((callback, instance, run)) = begun {
            callback(self, instance, id, run);
            self.w().tp_end(id, instance);
        }
    }

    /// `WaitForThreadpool*Callbacks`: drops the queued runs when asked, then waits until none
    /// of object `id`'s runs is queued or running.
    pub(crate) fn tp_wait_callbacks(
        &self,
        call: &'static str,
        id: usize,
        class: TpClass,
        cancel: bool,
    ) -> Result<(), WsaError> {
        self.kcall_keep_error(call, id as u64, u64::from(cancel), |this| {
            {
                let mut w = this.w();
                w.tp_live(this.host, id, class)?;
                if cancel {
                    w.tp_cancel_pending(id);
                }
            }
            this.tp_wait_outstanding(call, id, false)
        })
    }

    /// Blocks in `call` until object `id` has no run queued or running (`group`: counting the
    /// disassociated ones, as a cleanup group's release does) and no start outstanding; the
    /// run's report says what the thread waits for meanwhile.
    pub(crate) fn tp_wait_outstanding(
        &self,
        call: &'static str,
        id: usize,
        group: bool,
    ) -> Result<(), WsaError> {
        let host = self.host;
        self.w().tp_waiter(self.tid, Some(id));
        let done = self.blocking(call, None, |w| {
            if w.tp_outstanding(id, group) {
                Step::Wait(WaitKey::TimerCallbacks(host), None)
            } else {
                Step::Done(Ok(()))
            }
        });
        self.w().tp_waiter(self.tid, None);
        done
    }

    /// What the `*WhenCallbackReturns` calls share: the handle checked (`action`, which
    /// makes the action), then the action kept by `instance` if it runs on this thread.
    fn tp_on_return_call(
        &self,
        call: &'static str,
        instance: CallbackInstance,
        handle: usize,
        action: impl FnOnce(&mut World, usize) -> Result<ReturnAction, WsaError>,
    ) -> Result<(), WsaError> {
        let inst = instance.raw();
        self.kcall_keep_error(call, inst as u64, handle as u64, |this| {
            let mut w = this.w();
            let action = action(&mut w, this.host)?;
            w.tp_on_return(this.tid, inst, action)
        })
    }

    /// `CloseThreadpool*`.
    pub(crate) fn tp_close_call(
        &self,
        call: &'static str,
        id: usize,
        class: TpClass,
    ) -> Result<(), WsaError> {
        self.kcall_keep_error(call, id as u64, 0, |this| {
            let mut w = this.w();
            w.tp_live(this.host, id, class)?;
            w.tp_close(this.tid, id);
            Ok(())
        })
    }
}

impl SimWinsock {
    /// SetThreadpoolTimer(Ex)'s work: whether it cancelled an expiry still to come.
    fn tp_timer_setting(
        &self,
        timer: TpTimer,
        due: Option<i64>,
        period_ms: u32,
    ) -> Result<bool, WsaError> {
        let id = timer.raw();
        let mut w = self.w();
        w.tp_live(self.host, id, TpClass::Timer)?;
        let at = due.map(|d| w.due_on(self.host, d));
        let period = sat_nanos(std::time::Duration::from_millis(u64::from(period_ms)));
        let period = w.period_on_interrupts(self.host, period);
        Ok(w.tp_timer_set(id, at, period, SimWinsock::pool_thread))
    }
}

impl ThreadpoolObjects for SimWinsock {
    fn create_threadpool_work(&self, callback: WorkCallback<Self>) -> Result<TpWork, WsaError> {
        self.create_work_in(callback, None)
    }

    fn submit_threadpool_work(&self, work: TpWork) -> Result<(), WsaError> {
        let id = work.raw();
        self.kcall_keep_error("SubmitThreadpoolWork", id as u64, 0, |this| {
            let mut w = this.w();
            w.tp_live(this.host, id, TpClass::Work)?;
            w.tp_queue_run(id, TpRun::Plain, SimWinsock::pool_thread);
            Ok(())
        })
    }

    fn wait_for_threadpool_work_callbacks(
        &self,
        work: TpWork,
        cancel_pending: bool,
    ) -> Result<(), WsaError> {
        self.tp_wait_callbacks(
            "WaitForThreadpoolWorkCallbacks",
            work.raw(),
            TpClass::Work,
            cancel_pending,
        )
    }

    fn close_threadpool_work(&self, work: TpWork) -> Result<(), WsaError> {
        self.tp_close_call("CloseThreadpoolWork", work.raw(), TpClass::Work)
    }

    fn create_threadpool_timer(
        &self,
        callback: TpTimerCallback<Self>,
    ) -> Result<TpTimer, WsaError> {
        self.create_timer_in(callback, None)
    }

    fn set_threadpool_timer(
        &self,
        timer: TpTimer,
        due: Option<i64>,
        period_ms: u32,
        _window_ms: u32,
    ) -> Result<(), WsaError> {
        let traced_due = due.map_or(0, |d| d as u64);
        self.kcall_keep_error(
            "SetThreadpoolTimer",
            timer.raw() as u64,
            traced_due,
            |this| this.tp_timer_setting(timer, due, period_ms).map(|_| ()),
        )
    }

    fn set_threadpool_timer_ex(
        &self,
        timer: TpTimer,
        due: Option<i64>,
        period_ms: u32,
        _window_ms: u32,
    ) -> Result<bool, WsaError> {
        let traced_due = due.map_or(0, |d| d as u64);
        self.kcall_keep_error(
            "SetThreadpoolTimerEx",
            timer.raw() as u64,
            traced_due,
            |this| this.tp_timer_setting(timer, due, period_ms),
        )
    }

    fn is_threadpool_timer_set(&self, timer: TpTimer) -> Result<bool, WsaError> {
        let id = timer.raw();
        self.kcall_keep_error("IsThreadpoolTimerSet", id as u64, 0, |this| {
            let kind = this.w().tp_live(this.host, id, TpClass::Timer)?;
            Ok(matches!(kind, TpKind::Timer { set: true, .. }))
        })
    }

    fn wait_for_threadpool_timer_callbacks(
        &self,
        timer: TpTimer,
        cancel_pending: bool,
    ) -> Result<(), WsaError> {
        self.tp_wait_callbacks(
            "WaitForThreadpoolTimerCallbacks",
            timer.raw(),
            TpClass::Timer,
            cancel_pending,
        )
    }

    fn close_threadpool_timer(&self, timer: TpTimer) -> Result<(), WsaError> {
        self.tp_close_call("CloseThreadpoolTimer", timer.raw(), TpClass::Timer)
    }

    fn set_event_when_callback_returns(
        &self,
        instance: CallbackInstance,
        event: WsaEvent,
    ) -> Result<(), WsaError> {
        let h = event.raw();
        self.tp_on_return_call("SetEventWhenCallbackReturns", instance, h, |w, host| {
            w.event_id(host, h).map(|_| ReturnAction::SetEvent(h))
        })
    }

    fn release_semaphore_when_callback_returns(
        &self,
        instance: CallbackInstance,
        semaphore: SemaphoreHandle,
        count: u32,
    ) -> Result<(), WsaError> {
        let h = semaphore.raw();
        self.tp_on_return_call(
            "ReleaseSemaphoreWhenCallbackReturns",
            instance,
            h,
            |w, host| {
                w.semaphore_id(host, h)
                    .map(|_| ReturnAction::ReleaseSemaphore(h, count))
            },
        )
    }

    fn release_mutex_when_callback_returns(
        &self,
        instance: CallbackInstance,
        mutex: MutexHandle,
    ) -> Result<(), WsaError> {
        let h = mutex.raw();
        self.tp_on_return_call("ReleaseMutexWhenCallbackReturns", instance, h, |w, host| {
            w.mutex_id(host, h).map(|_| ReturnAction::ReleaseMutex(h))
        })
    }

    fn leave_critical_section_when_callback_returns(
        &self,
        instance: CallbackInstance,
        cs: CriticalSection,
    ) -> Result<(), WsaError> {
        let id = cs.raw();
        let call = "LeaveCriticalSectionWhenCallbackReturns";
        self.tp_on_return_call(call, instance, id, |w, host| {
            match w.lock_ref(id) {
                Some(Lock::CritSec { .. }) => w.lock_mut(host, id).map(|_| ()),
                _ => Err(WsaError::WSA_INVALID_HANDLE),
            }
            .map(|()| ReturnAction::LeaveCriticalSection(id))
        })
    }

    fn disassociate_current_thread_from_callback(
        &self,
        instance: CallbackInstance,
    ) -> Result<(), WsaError> {
        let inst = instance.raw();
        let call = "DisassociateCurrentThreadFromCallback";
        self.kcall_keep_error(call, inst as u64, 0, |this| {
            this.w().tp_disassociate(this.tid, inst)
        })
    }

    fn callback_may_run_long(&self, instance: CallbackInstance) -> Result<bool, WsaError> {
        let inst = instance.raw();
        self.kcall_keep_error("CallbackMayRunLong", inst as u64, 0, |this| {
            this.w()
                .tp_may_run_long(this.tid, inst, SimWinsock::pool_thread)
        })
    }
}
