//! The Vista thread pool's wait objects (`CreateThreadpoolWait`, `SetThreadpoolWait`): each
//! setting is a once-only registration of the host's pool wait thread (`registered_wait`);
//! when it fires, the registration goes and one run of the object's callback is queued
//! (`tp_objects`) with `WAIT_OBJECT_0` or `WAIT_TIMEOUT`.
//!
//! The object's state is which registration it waits through, if any: *not set* (never
//! set, stopped, fired or closed) or *waiting*. Setting it again ends the registration before
//! and makes a new one, so a wait replaced before it fired never runs its callback.

use crate::api::consts::WSA_WAIT_TIMEOUT;
use crate::api::overlapped::WAIT_OBJECT_0;
use crate::sim::kernel::registered_wait::WaitThreadMaker;
use crate::sim::kernel::sync::Waitable;
use crate::sim::kernel::system_time::DueTime;
use crate::sim::kernel::thread_pool::PoolThreadBody;
use crate::sim::kernel::tp_objects::{TpKind, TpRun};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::World;

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// `SetThreadpoolWait` of wait object `id` on `host`: the wait set before ends; with an
    /// object, a new one waits until `deadline` (`None`: no end).
    pub(crate) fn tp_wait_set(
        &mut self,
        host: usize,
        id: usize,
        object: Option<Waitable>,
        deadline: Option<DueTime>,
        wait_thread: WaitThreadMaker<L>,
    ) -> bool {
        let Some(o) = self.kern.tp_objects.objects.get(&id) else {
            return false;
        };
        let TpKind::Wait { reg } = o.kind else {
            return false;
        };
        // A wait still waiting is cancelled by this setting: SetThreadpoolWaitEx's TRUE.
        let cancelled = reg.is_some();
        self.tp_stop(id);
        let Some(object) = object else {
            return cancelled;
        };
        let reg = self.register_tp_wait(host, id, object, deadline, wait_thread);
        if let Some(o) = self.kern.tp_objects.objects.get_mut(&id) {
            o.kind = TpKind::Wait { reg: Some(reg) };
        }
        cancelled
    }

    /// Registration `reg` of wait object `id` fired (`timed_out`: its deadline came first):
    /// the object waits no more, and one run is queued.
    pub(crate) fn tp_wait_fired(
        &mut self,
        id: usize,
        reg: usize,
        timed_out: bool,
        body: PoolThreadBody<L>,
    ) {
        let Some(o) = self.kern.tp_objects.objects.get_mut(&id) else {
            return;
        };
        if o.kind != (TpKind::Wait { reg: Some(reg) }) || o.closed {
            return;
        }
        o.kind = TpKind::Wait { reg: None };
        let result = if timed_out {
            WSA_WAIT_TIMEOUT
        } else {
            WAIT_OBJECT_0
        };
        self.tp_queue_run(id, TpRun::Wait(result), body);
    }
}
