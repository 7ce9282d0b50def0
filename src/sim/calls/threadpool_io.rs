//! [`ThreadpoolIo`] in the simulator: the Vista pool's I/O objects, a socket associated with
//! the pool's completion port whose completions reach the object (`sim::kernel::tp_io`) and
//! run its callback on the pool's workers.

use std::sync::Arc;

use crate::api::threadpool_cleanup_group::CallbackEnviron;
use crate::api::threadpool_io::{ThreadpoolIo, TpIo, TpIoCallback};
use crate::api::threadpool_objects::CallbackInstance;
use crate::api::{Socket, WsaError};
use crate::sim::api::{SimLayers, SimWinsock, Traced};
use crate::sim::kernel::thread_pool::IoBinding;
use crate::sim::kernel::tp_objects::{TpCallback, TpClass, TpRun};

impl Traced for TpIo {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl SimWinsock {
    /// `CreateThreadpoolIo` for socket `s` with environment `env` (`None`: NULL).
    pub(crate) fn create_io_in(
        &self,
        s: Socket,
        callback: TpIoCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<TpIo, WsaError> {
        let group = env.and_then(CallbackEnviron::cleanup_group);
        let traced = group.map_or(0, |g| g.raw() as u64);
        self.kcall_keep_error("CreateThreadpoolIo", s.raw() as u64, traced, |this| {
            let cb: TpCallback<SimLayers> = Arc::new(move |ws: &SimWinsock, inst, id, run| {
                if let TpRun::Io(c) = run {
                    callback(ws, CallbackInstance::from_raw(inst), TpIo::from_raw(id), c);
                }
            });
            let env = this.tp_environ(&this.w(), env, TpClass::Io)?;
            this.associate_with_pool(s, |w| {
                let id = w.tp_create(this.host, TpClass::Io, cb, env);
                (IoBinding::Tp(id), TpIo::from_raw(id))
            })
        })
    }
}

impl ThreadpoolIo for SimWinsock {
    fn create_threadpool_io(
        &self,
        s: Socket,
        callback: TpIoCallback<Self>,
    ) -> Result<TpIo, WsaError> {
        self.create_io_in(s, callback, None)
    }

    fn start_threadpool_io(&self, io: TpIo) -> Result<(), WsaError> {
        let id = io.raw();
        self.kcall_keep_error("StartThreadpoolIo", id as u64, 0, |this| {
            let mut w = this.w();
            w.tp_live(this.host, id, TpClass::Io)?;
            w.tp_io_start(id);
            Ok(())
        })
    }

    fn cancel_threadpool_io(&self, io: TpIo) -> Result<(), WsaError> {
        let id = io.raw();
        self.kcall_keep_error("CancelThreadpoolIo", id as u64, 0, |this| {
            let mut w = this.w();
            w.tp_live(this.host, id, TpClass::Io)?;
            w.tp_io_cancel(id)
        })
    }

    fn wait_for_threadpool_io_callbacks(
        &self,
        io: TpIo,
        cancel_pending: bool,
    ) -> Result<(), WsaError> {
        self.tp_wait_callbacks(
            "WaitForThreadpoolIoCallbacks",
            io.raw(),
            TpClass::Io,
            cancel_pending,
        )
    }

    fn close_threadpool_io(&self, io: TpIo) -> Result<(), WsaError> {
        self.tp_close_call("CloseThreadpoolIo", io.raw(), TpClass::Io)
    }
}
