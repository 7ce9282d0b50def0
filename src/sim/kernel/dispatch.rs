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
use crate::sim::kernel::sync::Waitable;
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
