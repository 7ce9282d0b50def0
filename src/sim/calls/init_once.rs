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
        let (host, id) = (self.host, once.raw());
        self.kcall_keep_error(
            "InitOnceBeginInitialize",
            id as u64,
            u64::from(flags),
            |this| {
                // Another thread's synchronous initialization under way: wait for its end.
                this.blocking("InitOnceBeginInitialize", None, |w| {
                    match w.once_begin(host, id, flags) {
                        Ok(Begin::Pending) => Step::Done(Ok((true, 0))),
                        Ok(Begin::Done(ctx)) => Step::Done(Ok((false, ctx))),
                        Ok(Begin::Wait) => Step::Wait(WaitKey::Lock(id), None),
                        Err(e) => Step::Done(Err(e)),
                    }
                })
            },
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
}
