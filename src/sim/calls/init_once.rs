//! [`InitOnceApi`] in the simulator: the `INIT_ONCE` state machine is the kernel layer's
//! (`kernel/init_once.rs`); a thread that finds another's synchronous initialization under way
//! waits as a simulated thread, on the lock's key, and looks again when it ends.

use crate::api::init_once::{InitOnce, InitOnceApi};
use crate::api::WsaError;
use crate::sim::api::{SimWinsock, Traced};
use crate::sim::kernel::init_once::Begin;
use crate::sim::kernel::sync::{Lock, RunOnce};
use crate::sim::runtime::{Step, WaitKey};

impl Traced for InitOnce {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl Traced for (bool, usize) {
    fn traced(&self) -> i64 {
        i64::from(self.0)
    }
}

impl Traced for Option<usize> {
    fn traced(&self) -> i64 {
        self.map_or(-1, |c| c as i64)
    }
}

impl SimWinsock {
    /// `InitOnceBeginInitialize`'s work: `(pending, context)`, after waiting out another
    /// thread's synchronous initialization.
    fn once_begin_waiting(&self, id: usize, flags: u32) -> Result<(bool, usize), WsaError> {
        let host = self.host;
        self.blocking("InitOnceBeginInitialize", None, |w| {
            match w.once_begin(host, id, flags) {
                Ok(Begin::Pending) => Step::Done(Ok((true, 0))),
                Ok(Begin::Done(ctx)) => Step::Done(Ok((false, ctx))),
                Ok(Begin::Wait) => Step::Wait(WaitKey::Lock(id), None),
                Err(e) => Step::Done(Err(e)),
            }
        })
    }
}

impl InitOnceApi for SimWinsock {
    fn init_once_initialize(&self) -> Result<InitOnce, WsaError> {
        self.kcall_keep_error("InitOnceInitialize", 0, 0, |this| {
            let id = this.w().new_lock(this.host, Lock::Once(RunOnce::Fresh));
            Ok(InitOnce::from_raw(id))
        })
    }

    fn init_once_begin_initialize(
        &self,
        once: InitOnce,
        flags: u32,
    ) -> Result<(bool, usize), WsaError> {
        self.kcall_keep_error(
            "InitOnceBeginInitialize",
            once.raw() as u64,
            u64::from(flags),
            |this| this.once_begin_waiting(once.raw(), flags),
        )
    }

    fn init_once_complete(
        &self,
        once: InitOnce,
        flags: u32,
        context: usize,
    ) -> Result<(), WsaError> {
        self.kcall_keep_error(
            "InitOnceComplete",
            once.raw() as u64,
            u64::from(flags),
            |this| {
                this.w()
                    .once_complete(this.host, once.raw(), flags, context)
            },
        )
    }

    fn init_once_execute_once(
        &self,
        once: InitOnce,
        f: impl FnOnce(&Self) -> Option<usize>,
    ) -> Option<usize> {
        let id = once.raw();
        // The C call sets no last error: what the thread had before it, or what the function
        // left, stays.
        let before = self.w().rt.threads[self.tid].last_error;
        let mut left = before;
        let r = self.kcall("InitOnceExecuteOnce", id as u64, 0, |this| {
            Ok(match this.once_begin_waiting(id, 0) {
                Ok((false, ctx)) => Some(ctx),
                Ok((true, _)) => {
                    let got = f(this);
                    let mut w = this.w();
                    left = w.rt.threads[this.tid].last_error;
                    match got {
                        Some(ctx) => w.once_complete(this.host, id, 0, ctx).ok().map(|()| ctx),
                        None => {
                            let failed = crate::api::init_once::INIT_ONCE_INIT_FAILED;
                            let _ = w.once_complete(this.host, id, failed, 0);
                            None
                        }
                    }
                }
                Err(_) => None,
            })
        });
        self.w().rt.threads[self.tid].last_error = left;
        r.ok().flatten()
    }
}
