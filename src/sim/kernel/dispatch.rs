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
use crate::sim::kernel::{KThread, KernHooks, KernLayers};
use crate::sim::runtime::{Layers, WaitKey, World};

/// What a thread blocked in a wait on objects waits for (WaitForMultipleObjects and the
/// other waits on handles). Each thread keeps its record from its first such wait on, and
/// each wait refills it: no allocation a wait.
#[derive(Debug, Default)]
pub(crate) struct KWait {
    /// Whether the thread is in such a wait now (the rest describes it only then).
    pub active: bool,
    /// The objects, in the caller's order.
    pub objects: Vec<Waitable>,
    /// Whether every object must be signalled at once.
    pub wait_all: bool,
    /// MsgWaitForMultipleObjectsEx's wake mask (the input it waits for too).
    pub input: Option<u32>,
    /// The result a signal completed the wait with, for the waiter to return.
    pub handed: Option<u32>,
}

impl KWait {
    /// Whether a signal may complete the wait by itself: not a MsgWaitForMultipleObjects
    /// with MWMO_WAITALL, which needs input too.
    fn by_signal(&self) -> bool {
        !(self.wait_all && self.input.is_some())
    }
}

impl<L: Layers> KThread<L> {
    /// The thread begins a wait on `objects` (all of them with `wait_all`; input of wake
    /// mask `input` too, for MsgWaitForMultipleObjectsEx).
    pub(crate) fn begin_kwait(&mut self, objects: &[Waitable], wait_all: bool, input: Option<u32>) {
        let k = self.kwait.get_or_insert_with(Box::default);
        k.objects.clear();
        k.objects.extend_from_slice(objects);
        k.wait_all = wait_all;
        k.input = input;
        k.handed = None;
        k.active = true;
    }

    /// The thread's wait on objects has ended.
    pub(crate) fn end_kwait(&mut self) {
        if let Some(k) = self.kwait.as_mut() {
            k.active = false;
        }
    }

    /// The wait on objects the thread is in, if any.
    pub(crate) fn kwait(&self) -> Option<&KWait> {
        self.kwait.as_deref().filter(|k| k.active)
    }

    /// The result a signal completed the thread's wait with, taken.
    pub(crate) fn take_handed(&mut self) -> Option<u32> {
        self.kwait.as_mut().filter(|k| k.active)?.handed.take()
    }
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
        // Taken out (a pointer's move) so that the objects can be read while they are taken.
        let k = self.rt.threads[tid].ext.kwait.take()?;
        let r = if !k.active || !k.by_signal() || k.handed.is_some() {
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
