//! [`RegisteredWaits`] in the simulator: `RegisterWaitForSingleObject` and
//! `UnregisterWait(Ex)`, served by each host's pool wait thread
//! (`sim::kernel::registered_wait`).
//!
//! The wait thread is a daemon simulated thread (`thread-pool wait` in the run's reports)
//! that loops: a wait-any over the objects of the host's waiting registrations, alertable
//! and until the earliest deadline (the same wait as WaitForMultipleObjectsEx's, so the
//! dispatcher treats it as any waiter); an object signalled fires its registration, a
//! deadline fires every registration whose deadline it is, a change of the registrations
//! (announced on `WaitKey::PoolWaits`) or an APC of the program's starts a new wait.

use crate::api::consts::{WSA_WAIT_EVENT_0, WSA_WAIT_IO_COMPLETION, WSA_WAIT_TIMEOUT};
use crate::api::sync::{Handle, WAIT_ABANDONED_0};
use crate::api::thread_pool::{
    DeleteCompletion, RegisteredWait, RegisteredWaits, WaitOrTimerCallback,
};
use crate::api::WsaError;
use crate::sim::api::{SimLayers, SimWinsock, Traced, World};
use crate::sim::calls::event_select::{AlsoWake, WAKE_ALSO};
use crate::sim::calls::signal_and_wait::handle_value;
use crate::sim::calls::thread_pool::traced_completion;
use crate::sim::kernel::registered_wait::{group_key, Fired};
use crate::sim::kernel::timer_queue::Deleted;
use crate::sim::runtime::ThreadBody;

impl Traced for RegisteredWait {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

/// Rounds that fire a wait at one virtual time after which the wait thread sleeps 1 ms.
const BURST: u32 = 64;

/// The wait thread's wait, as its reports name it.
const WAITING: &str = "(thread pool: waiting on registered objects)";

impl SimWinsock {
    /// The function of the wait thread of group `group` of its host's waits.
    pub(crate) fn wait_thread(group: usize) -> ThreadBody<SimLayers> {
        Box::new(move |ws: &SimWinsock| {
            // The time of the last round that fired a wait, and how many fired then.
            let mut burst = (std::time::Duration::ZERO, 0u32);
            loop {
                let set = ws.w().wait_set(ws.host, group);
                let host = ws.host;
                let poked = |w: &mut World| w.take_pool_wait_poke(host, group);
                let also = AlsoWake {
                    key: group_key(host, group),
                    taken: &poked,
                };
                let r = ws.wait_objects_until(
                    WAITING,
                    &set.objects,
                    false,
                    set.deadline,
                    true,
                    None,
                    Some(also),
                );
                // The wait ends in an error only when the run is over.
                let Ok(r) = r else { return Ok(()) };
                let fired: Vec<(usize, bool)> = if r == WSA_WAIT_IO_COMPLETION || r == WAKE_ALSO {
                    Vec::new()
                } else if r == WSA_WAIT_TIMEOUT {
                    let due = ws.w().waits_timed_out(&set.regs);
                    due.into_iter().map(|id| (id, true)).collect()
                } else {
                    let i = if r >= WAIT_ABANDONED_0 {
                        r - WAIT_ABANDONED_0
                    } else {
                        r - WSA_WAIT_EVENT_0
                    };
                    set.regs
                        .get(i as usize)
                        .map(|&id| vec![(id, false)])
                        .unwrap_or_default()
                };
                let any = !fired.is_empty();
                for (id, timed_out) in fired {
                    let what = ws.w().wait_fired(id, timed_out, SimWinsock::pool_thread);
                    if let Fired::InWaitThread = what {
                        ws.run_wait_callback(id, timed_out);
                    }
                }
                if any {
                    // An object that stays signalled fires its wait again at once, as on
                    // Windows: each round counts towards the spin limit, so the thread is
                    // parked until the clock moves instead of looping in one instant. A
                    // burst of rounds at one time burns CPU time on Windows, which the
                    // clock's small steps (other threads' timers) would not charge: every
                    // BURST rounds at one time cost a millisecond, or the callbacks it queues
                    // would outrun the pool without bound (the fuzz's grew it to 10 GB).
                    let now = ws.now();
                    burst = if burst.0 == now {
                        (now, burst.1 + 1)
                    } else {
                        (now, 1)
                    };
                    if burst.1 >= BURST {
                        burst.1 = 0;
                        crate::api::Winsock::sleep(ws, 1);
                    } else {
                        ws.spin_point();
                    }
                }
            }
        })
    }

    /// Runs registered wait `id`'s callback (outside the world lock) and counts it done.
    pub(crate) fn run_wait_callback(&self, id: usize, timed_out: bool) {
        let callback = self.w().wait_callback(id);
        if let Some(callback) = callback {
            callback(self, timed_out);
        }
        self.w().wait_callback_ran(id);
    }
}

impl RegisteredWaits for SimWinsock {
    fn register_wait_for_single_object(
        &self,
        object: Handle,
        callback: WaitOrTimerCallback<Self>,
        timeout_ms: u32,
        flags: u32,
    ) -> Result<RegisteredWait, WsaError> {
        let raw = handle_value(object) as u64;
        self.kcall_keep_error(
            "RegisterWaitForSingleObject",
            raw,
            u64::from(timeout_ms),
            |this| {
                let waitable = this.waitable(object)?;
                let timeout = (timeout_ms != crate::api::consts::INFINITE)
                    .then(|| u64::from(timeout_ms) * 1_000_000);
                let id = this.w().register_wait(
                    this.host,
                    waitable,
                    callback,
                    timeout,
                    flags,
                    SimWinsock::wait_thread,
                );
                Ok(RegisteredWait::from_raw(id))
            },
        )
    }

    fn unregister_wait_ex(
        &self,
        wait: RegisteredWait,
        completion: DeleteCompletion,
    ) -> Result<(), WsaError> {
        const CALL: &str = "UnregisterWaitEx";
        let id = wait.raw();
        self.kcall_keep_error(CALL, id as u64, traced_completion(completion), |this| {
            let event = this.completion_event(completion)?;
            let done = this.w().unregister_wait(this.host, this.tid, id, event)?;
            match done {
                Deleted::Done => Ok(()),
                Deleted::Pending => {
                    this.deletion_pending(CALL, completion, |w| !w.registration_exists(id))
                }
            }
        })
    }
}
