//! [`ThreadpoolWaits`] in the simulator: the Vista pool's wait objects, each setting a
//! once-only wait of the host's pool wait thread (`sim::kernel::tp_wait`), each firing a run
//! on the pool's workers.

use std::sync::Arc;

use crate::api::sync::Handle;
use crate::api::threadpool_cleanup_group::CallbackEnviron;
use crate::api::threadpool_objects::CallbackInstance;
use crate::api::threadpool_wait::{ThreadpoolWaits, TpWait, TpWaitCallback};
use crate::api::WsaError;
use crate::sim::api::{SimLayers, SimWinsock, Traced};
use crate::sim::calls::signal_and_wait::handle_value;
use crate::sim::kernel::tp_objects::{TpCallback, TpClass, TpRun};

impl Traced for TpWait {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl SimWinsock {
    /// `CreateThreadpoolWait` with environment `env` (`None`: NULL).
    pub(crate) fn create_wait_in(
        &self,
        callback: TpWaitCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<TpWait, WsaError> {
        let cb: TpCallback<SimLayers> = Arc::new(move |ws: &SimWinsock, inst, id, run| {
            if let TpRun::Wait(result) = run {
                let (inst, wait) = (CallbackInstance::from_raw(inst), TpWait::from_raw(id));
                callback(ws, inst, wait, result);
            }
        });
        let made = self.tp_create_call("CreateThreadpoolWait", TpClass::Wait, cb, env);
        made.map(TpWait::from_raw)
    }
}

impl SimWinsock {
    /// SetThreadpoolWait(Ex)'s work: whether it cancelled a wait still waiting.
    fn tp_wait_setting(
        &self,
        wait: TpWait,
        object: Option<Handle>,
        timeout: Option<i64>,
    ) -> Result<bool, WsaError> {
        let id = wait.raw();
        self.w().tp_live(self.host, id, TpClass::Wait)?;
        let waitable = object.map(|h| self.waitable(h)).transpose()?;
        let mut w = self.w();
        let deadline = timeout.map(|d| w.due_on(self.host, d));
        Ok(w.tp_wait_set(self.host, id, waitable, deadline, SimWinsock::wait_thread))
    }
}

impl ThreadpoolWaits for SimWinsock {
    fn create_threadpool_wait(&self, callback: TpWaitCallback<Self>) -> Result<TpWait, WsaError> {
        self.create_wait_in(callback, None)
    }

    fn set_threadpool_wait(
        &self,
        wait: TpWait,
        object: Option<Handle>,
        timeout: Option<i64>,
    ) -> Result<(), WsaError> {
        let raw = object.map_or(0, handle_value) as u64;
        self.kcall_keep_error("SetThreadpoolWait", wait.raw() as u64, raw, |this| {
            this.tp_wait_setting(wait, object, timeout).map(|_| ())
        })
    }

    fn set_threadpool_wait_ex(
        &self,
        wait: TpWait,
        object: Option<Handle>,
        timeout: Option<i64>,
    ) -> Result<bool, WsaError> {
        let raw = object.map_or(0, handle_value) as u64;
        self.kcall_keep_error("SetThreadpoolWaitEx", wait.raw() as u64, raw, |this| {
            this.tp_wait_setting(wait, object, timeout)
        })
    }

    fn wait_for_threadpool_wait_callbacks(
        &self,
        wait: TpWait,
        cancel_pending: bool,
    ) -> Result<(), WsaError> {
        self.tp_wait_callbacks(
            "WaitForThreadpoolWaitCallbacks",
            wait.raw(),
            TpClass::Wait,
            cancel_pending,
        )
    }

    fn close_threadpool_wait(&self, wait: TpWait) -> Result<(), WsaError> {
        self.tp_close_call("CloseThreadpoolWait", wait.raw(), TpClass::Wait)
    }
}
