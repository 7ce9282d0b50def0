//! What a blocked thread waits for, as a failed run's report says it: the objects of a wait
//! on handles (from its [`KWait`](super::dispatch::KWait)), a thread's end, a completion port,
//! a lock, the message queue; and the one thread whose action alone would end the wait, which
//! the report follows to print a deadlock's cycle.

use crate::sim::kernel::objects::KObject;
use crate::sim::kernel::sync::{Lock, Waitable};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{WaitKey, World};

/// "t1 \"name\"": a thread as the report names it.
fn thread_name<L: KernLayers>(w: &World<L>, t: usize) -> String
where
    World<L>: KernHooks<L>,
{
    w.rt.threads
        .get(t)
        .map_or_else(|| format!("t{t}"), |th| format!("t{t} {:?}", th.name))
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// What thread `tid`, blocked in a wait on objects, waits for, as a failed run's report
    /// says it: each object with its handle and state (a mutex with its owner), so that a
    /// deadlock reads as the cycle it is. `keys` are the keys it waits on
    /// ([`World::keys_waited`]).
    pub(crate) fn describe_wait(&self, tid: usize, keys: &[WaitKey]) -> Option<String> {
        let host = self.rt.threads.get(tid)?.host;
        let handle = |idx: usize| {
            self.sock.procs[host]
                .handle_of_object(idx)
                .map_or_else(|| "(handle closed)".to_string(), |h| format!("{h:#x}"))
        };
        let Some(k) = self.rt.threads[tid].ext.kwait() else {
            // wait_for_thread waits on a thread's end, GetQueuedCompletionStatus(Ex) on its
            // port, the lock calls on their lock, none with a KWait.
            return keys.iter().find_map(|&k| match k {
                WaitKey::Thread(t) => Some(format!("the end of thread {}", thread_name(self, t))),
                WaitKey::Object(idx) => match self.kern.objects.get(idx) {
                    Some(KObject::Port(p)) => Some(format!(
                        "completion port {} ({} packets queued)",
                        handle(idx),
                        p.queue.len()
                    )),
                    _ => None,
                },
                WaitKey::Lock(id) => self.describe_lock(id),
                WaitKey::Messages(_) => Some("a message in its queue".to_string()),
                WaitKey::TimerCallbacks(_) => {
                    Some(self.describe_tp_wait(tid).unwrap_or_else(|| {
                        "the last callback of a deleted timer-queue timer".to_string()
                    }))
                }
                WaitKey::Pool(_) => Some("a work item of its thread pool".to_string()),
                WaitKey::PoolWaits(_) => Some("a change of its registered waits".to_string()),
                WaitKey::Address(_) => {
                    Some("a wake of the address it waits on (WaitOnAddress)".to_string())
                }
                WaitKey::MmTimers(_) => Some("its next multimedia timer".to_string()),
                _ => None,
            });
        };
        let thread = |t: usize| thread_name(self, t);
        let mut parts: Vec<String> = k
            .objects
            .iter()
            .map(|&o| match o {
                Waitable::Thread(t) => format!("the end of thread {}", thread(t)),
                Waitable::Object(idx) => {
                    let h = handle(idx);
                    match self.kern.objects.get(idx) {
                        Some(KObject::Event {
                            signaled,
                            manual_reset,
                        }) => format!(
                            "{} event {h} ({})",
                            if *manual_reset {
                                "manual-reset"
                            } else {
                                "auto-reset"
                            },
                            if *signaled { "set" } else { "not set" }
                        ),
                        Some(KObject::Mutex { owner, .. }) => match owner {
                            Some(o) => format!("mutex {h} (owned by {})", thread(*o)),
                            None => format!("mutex {h} (free)"),
                        },
                        Some(KObject::Semaphore { count, max }) => {
                            format!("semaphore {h} (count {count} of {max})")
                        }
                        Some(KObject::Timer(t)) => format!(
                            "waitable timer {h} ({})",
                            if t.signaled {
                                "signalled"
                            } else {
                                "not signalled"
                            }
                        ),
                        _ => format!("object {h}"),
                    }
                }
            })
            .collect();
        if let Some(mask) = k.input {
            parts.push(format!("input of wake mask {mask:#x} in its message queue"));
        }
        let how = if parts.len() < 2 {
            ""
        } else if k.wait_all {
            "all of: "
        } else {
            "any of: "
        };
        Some(format!("{how}{}", parts.join(", ")))
    }
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// The one thread whose action alone would end thread `tid`'s wait: the owner of the one
    /// mutex or critical section it waits on, the exclusive holder of the SRW lock, or the
    /// thread whose end it waits for. `None` for any other wait (events, semaphores, several
    /// objects), which another thread could end in more ways. `keys` are the keys it waits
    /// on ([`World::keys_waited`]).
    pub(crate) fn waits_on_thread(&self, tid: usize, keys: &[WaitKey]) -> Option<usize> {
        let Some(k) = self.rt.threads.get(tid)?.ext.kwait() else {
            // wait_for_thread waits on the thread's end, a lock call on its lock's holder,
            // without a KWait.
            return match keys {
                [WaitKey::Thread(t)] => Some(*t),
                [WaitKey::Lock(id)] => match self.lock_ref(*id)? {
                    Lock::CritSec { owner: Some(o), .. } if *o != tid => Some(*o),
                    Lock::Srw {
                        exclusive: Some(o), ..
                    } if *o != tid => Some(*o),
                    _ => None,
                },
                _ => None,
            };
        };
        match k.objects.as_slice() {
            [Waitable::Thread(t)] => Some(*t),
            [Waitable::Object(idx)] => match self.kern.objects.get(*idx) {
                Some(KObject::Mutex { owner: Some(o), .. }) if *o != tid => Some(*o),
                _ => None,
            },
            _ => None,
        }
    }
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Lock `id` as a report names it, with who holds it.
    fn describe_lock(&self, id: usize) -> Option<String> {
        let names = |ts: &[usize]| {
            ts.iter()
                .map(|&t| thread_name(self, t))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Some(match self.lock_ref(id)? {
            Lock::CritSec { owner: Some(o), .. } => {
                format!("critical section {id} (owned by {})", thread_name(self, *o))
            }
            Lock::CritSec { owner: None, .. } => format!("critical section {id} (free)"),
            Lock::Srw {
                exclusive: Some(o), ..
            } => format!(
                "SRW lock {id} (held exclusively by {})",
                thread_name(self, *o)
            ),
            Lock::Srw { shared, .. } if !shared.is_empty() => {
                format!("SRW lock {id} (held shared by {})", names(shared))
            }
            Lock::Srw { .. } => format!("SRW lock {id} (free)"),
            Lock::CondVar(_) => format!("condition variable {id} (not woken)"),
            Lock::Barrier(b) => format!(
                "synchronization barrier {id} ({} of {} threads entered)",
                b.reached, b.total
            ),
            Lock::Once(_) => {
                format!("one-time initialization {id} (another thread's is under way)")
            }
        })
    }
}
