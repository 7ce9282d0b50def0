//! Satisfying waits when an object is signalled, as NT's dispatcher does.
//!
//! When SetEvent, ReleaseSemaphore, ReleaseMutex, a mutex's abandonment or a waitable timer's
//! expiry signals an object, Windows satisfies the threads waiting on it there and then,
//! oldest wait first (KiWaitTest; Wine's server `wake_up` likewise): an auto-reset event
//! set with a thread waiting stays unsignalled, the waiter released with WAIT_OBJECT_0; a
//! released semaphore's count and a released mutex go to the waiters. The thread that
//! signalled cannot take the object back before the waiter runs (a SetEvent followed by the
//! setter's own wait on the event times out), and a wait-any returns the object that
//! released it, even if a lower-indexed one is signalled before the waiter runs.
//!
//! A thread blocked in a wait on objects records what it waits for ([`KWait`]); signalling
//! an object completes each such wait the object now satisfies, consuming what it takes
//! (an auto-reset event's signal, a semaphore count, a mutex's ownership), and hands the
//! result to the waiter, which returns it when it runs. Waits it does not satisfy are woken
//! to look again, as before.

use crate::api::consts::WSA_WAIT_EVENT_0;
use crate::api::sync::WAIT_ABANDONED_0;
use crate::sim::kernel::objects::KObject;
use crate::sim::kernel::sync::{Lock, Waitable};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{WaitKey, World};

/// What a thread blocked in a wait on objects waits for (WaitForMultipleObjects and the
/// other waits on handles).
#[derive(Debug)]
pub(crate) struct KWait {
    /// The objects, in the caller's order.
    pub objects: Vec<Waitable>,
    /// Whether every object must be signalled at once.
    pub wait_all: bool,
    /// Whether a signal may complete the wait by itself (not a MsgWaitForMultipleObjects
    /// with MWMO_WAITALL, which needs input too).
    pub by_signal: bool,
    /// MsgWaitForMultipleObjectsEx's wake mask (the input it waits for too), for reports.
    pub input: Option<u32>,
    /// The result a signal completed the wait with, for the waiter to return.
    pub handed: Option<u32>,
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Object `idx` was signalled: completes the waits on it that it now satisfies, oldest
    /// first, and wakes every waiter (the others to look again).
    pub(crate) fn signal_waiters(&mut self, idx: usize) {
        for (tid, seq) in self.take_waiters(WaitKey::Object(idx)) {
            if let Some(r) = self.satisfy(tid) {
                if let Some(k) = self.rt.threads[tid].ext.kwait.as_mut() {
                    k.handed = Some(r);
                }
            }
            self.wake(tid, seq);
        }
    }

    /// Completes thread `tid`'s wait if its objects satisfy it now, taking what it takes;
    /// its result (WAIT_OBJECT_0 + i, or WAIT_ABANDONED_0 + i for an abandoned mutex).
    fn satisfy(&mut self, tid: usize) -> Option<u32> {
        let k = self.rt.threads[tid].ext.kwait.take()?;
        let r = if !k.by_signal || k.handed.is_some() {
            None
        } else if k.wait_all {
            let all = k
                .objects
                .iter()
                .all(|&o| matches!(self.waitable_signaled(o, tid, false), Ok(Some(_))));
            all.then(|| {
                let mut abandoned = None;
                for (i, &o) in k.objects.iter().enumerate() {
                    if let Ok(Some(true)) = self.waitable_signaled(o, tid, true) {
                        abandoned.get_or_insert(i);
                    }
                }
                match abandoned {
                    Some(i) => WAIT_ABANDONED_0 + i as u32,
                    None => WSA_WAIT_EVENT_0,
                }
            })
        } else {
            k.objects
                .iter()
                .position(|&o| matches!(self.waitable_signaled(o, tid, false), Ok(Some(_))))
                .map(|i| {
                    let abandoned = matches!(
                        self.waitable_signaled(k.objects[i], tid, true),
                        Ok(Some(true))
                    );
                    let base = if abandoned {
                        WAIT_ABANDONED_0
                    } else {
                        WSA_WAIT_EVENT_0
                    };
                    base + i as u32
                })
        };
        self.rt.threads[tid].ext.kwait = Some(k);
        r
    }
}

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
    /// deadlock reads as the cycle it is.
    pub(crate) fn describe_wait(&self, tid: usize) -> Option<String> {
        let host = self.rt.threads.get(tid)?.host;
        let handle = |idx: usize| {
            self.sock.procs[host]
                .handle_of_object(idx)
                .map_or_else(|| "(handle closed)".to_string(), |h| format!("{h:#x}"))
        };
        let Some(k) = self.rt.threads[tid].ext.kwait.as_ref() else {
            // wait_for_thread waits on a thread's end, GetQueuedCompletionStatus(Ex) on its
            // port, the lock calls on their lock, none with a KWait.
            return self.keys_waited_by(tid).into_iter().find_map(|k| match k {
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
                _ => None,
            });
        };
        let thread = |t: usize| thread_name(self, t);
        let parts: Vec<String> = k
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
        let mut parts = parts;
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
    /// mutex it waits on, or the thread whose end it waits for. `None` for any other wait
    /// (events, semaphores, several objects), which another thread could end in more ways.
    pub(crate) fn waits_on_thread(&self, tid: usize) -> Option<usize> {
        let Some(k) = self.rt.threads.get(tid)?.ext.kwait.as_ref() else {
            // wait_for_thread waits on the thread's end, a lock call on its lock's holder,
            // without a KWait.
            return match self.keys_waited_by(tid).as_slice() {
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
            Lock::CondVar { .. } => format!("condition variable {id} (not woken)"),
        })
    }
}
