//! A running callback's instance (`PTP_CALLBACK_INSTANCE`) in the Vista pool: what it does
//! when the callback returns (`SetEventWhenCallbackReturns` and its siblings), and whether it
//! still counts for the waits for its object's callbacks
//! (`DisassociateCurrentThreadFromCallback`).
//!
//! An instance has one slot for each kind of action, filled by the first call of that kind
//! (Wine's ntdll keeps one of each; a later call is ignored and named among the program's
//! misuses). When the callback returns the pool thread runs them in Windows' order —
//! critical section, mutex, semaphore, event — each through the handle the program gave,
//! resolved then (a handle closed meanwhile fails, as it would on Windows). An action that
//! fails raises an exception on Windows, which ends the process; here it is named among the
//! misuses, and the actions after it are skipped as Wine's ntdll skips them.

use crate::api::WsaError;
use crate::sim::kernel::thread_pool::PoolThreadBody;
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::World;

/// One action an instance runs when its callback returns, with the handle it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReturnAction {
    /// `LeaveCriticalSectionWhenCallbackReturns`: the critical section.
    LeaveCriticalSection(usize),
    /// `ReleaseMutexWhenCallbackReturns`: the mutex handle.
    ReleaseMutex(usize),
    /// `ReleaseSemaphoreWhenCallbackReturns`: the semaphore handle and the count.
    ReleaseSemaphore(usize, u32),
    /// `SetEventWhenCallbackReturns`: the event handle.
    SetEvent(usize),
}

impl ReturnAction {
    /// Its slot, in the order the actions run.
    fn slot(self) -> usize {
        match self {
            ReturnAction::LeaveCriticalSection(_) => 0,
            ReturnAction::ReleaseMutex(_) => 1,
            ReturnAction::ReleaseSemaphore(..) => 2,
            ReturnAction::SetEvent(_) => 3,
        }
    }

    /// The call that asked for it.
    fn call(self) -> &'static str {
        match self {
            ReturnAction::LeaveCriticalSection(_) => "LeaveCriticalSectionWhenCallbackReturns",
            ReturnAction::ReleaseMutex(_) => "ReleaseMutexWhenCallbackReturns",
            ReturnAction::ReleaseSemaphore(..) => "ReleaseSemaphoreWhenCallbackReturns",
            ReturnAction::SetEvent(_) => "SetEventWhenCallbackReturns",
        }
    }

    /// The exception Windows raises when it fails.
    fn raises(self) -> &'static str {
        match self {
            ReturnAction::LeaveCriticalSection(_) => "an access violation or a corrupt lock",
            ReturnAction::ReleaseMutex(_) => "STATUS_THREADPOOL_RELEASE_MUTEX_ON_COMPLETION_FAILED",
            ReturnAction::ReleaseSemaphore(..) => {
                "STATUS_THREADPOOL_RELEASE_SEMAPHORE_ON_COMPLETION_FAILED"
            }
            ReturnAction::SetEvent(_) => "STATUS_THREADPOOL_SET_EVENT_ON_COMPLETION_FAILED",
        }
    }
}

/// A running callback's instance.
pub(crate) struct Instance {
    /// The object whose run it is, and the pool thread running it.
    pub(crate) object: usize,
    pub(crate) thread: usize,
    /// Still counted by `WaitForThreadpool*Callbacks` (not disassociated).
    pub(crate) associated: bool,
    /// `CallbackMayRunLong` was called.
    may_run_long: bool,
    /// The actions to run when it returns, by slot ([`ReturnAction::slot`]).
    on_return: [Option<ReturnAction>; 4],
}

impl Instance {
    pub(crate) fn new(object: usize, thread: usize) -> Instance {
        Instance {
            object,
            thread,
            associated: true,
            may_run_long: false,
            on_return: [None; 4],
        }
    }
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Instance `instance` if it is a callback running on thread `tid`; otherwise
    /// ERROR_INVALID_HANDLE (ended, never one, or another thread's).
    fn tp_instance_mut(&mut self, tid: usize, instance: usize) -> Result<&mut Instance, WsaError> {
        match self.kern.tp_objects.instances.get_mut(&instance) {
            Some(i) if i.thread == tid => Ok(i),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// `CallbackMayRunLong` from `instance` (running on `tid`): whether its pool can still run
    /// another callback at once (`pool_may_run_long`); once it said so, the instance counts
    /// as long-running and later calls say so again (Wine's ntdll).
    pub(crate) fn tp_may_run_long(
        &mut self,
        tid: usize,
        instance: usize,
        body: PoolThreadBody<L>,
    ) -> Result<bool, WsaError> {
        let inst = self.tp_instance_mut(tid, instance)?;
        if inst.may_run_long {
            return Ok(true);
        }
        let id = inst.object;
        let Some((host, pool)) = self
            .kern
            .tp_objects
            .objects
            .get(&id)
            .map(|o| (o.host, o.pool))
        else {
            return Ok(false);
        };
        let more = self.pool_may_run_long(host, pool, body);
        if let Ok(inst) = self.tp_instance_mut(tid, instance) {
            inst.may_run_long = true;
        }
        Ok(more)
    }

    /// The `*WhenCallbackReturns` calls: `action` runs when `instance` (running on `tid`)
    /// returns, unless its slot is taken (then it is ignored and named).
    pub(crate) fn tp_on_return(
        &mut self,
        tid: usize,
        instance: usize,
        action: ReturnAction,
    ) -> Result<(), WsaError> {
        let inst = self.tp_instance_mut(tid, instance)?;
        let slot = &mut inst.on_return[action.slot()];
        match slot {
            None => *slot = Some(action),
            Some(first) => {
                let first = *first;
                self.rt.note_misuse_by(
                    tid,
                    format!(
                        "{} called twice in one callback: an instance keeps one action of \
                         each kind, so {first:?} stays and {action:?} is ignored",
                        action.call()
                    ),
                );
            }
        }
        Ok(())
    }

    /// `DisassociateCurrentThreadFromCallback`: `instance` (running on `tid`) no longer
    /// counts for the waits for its object's callbacks.
    pub(crate) fn tp_disassociate(&mut self, tid: usize, instance: usize) -> Result<(), WsaError> {
        let inst = self.tp_instance_mut(tid, instance)?;
        if !std::mem::replace(&mut inst.associated, false) {
            return Ok(());
        }
        let id = inst.object;
        if let Some(o) = self.kern.tp_objects.objects.get_mut(&id) {
            o.associated = o.associated.saturating_sub(1);
        }
        self.tp_changed(id);
        Ok(())
    }

    /// The callback of `instance`, an object of `host`'s, returned: its actions run on its
    /// pool thread, in order, until one fails. Whether it was still associated.
    pub(crate) fn tp_instance_end(&mut self, host: usize, instance: usize) -> bool {
        let Some(inst) = self.kern.tp_objects.instances.remove(&instance) else {
            return false;
        };
        let tid = inst.thread;
        for action in inst.on_return.into_iter().flatten() {
            if let Err(e) = self.tp_run_action(host, tid, action) {
                self.rt.note_misuse_by(
                    tid,
                    format!(
                        "{action:?} ({}) failed with {e:?} when the callback of thread-pool \
                         object {} returned: Windows raises {} (the process ends); the actions \
                         after it were skipped",
                        action.call(),
                        inst.object,
                        action.raises()
                    ),
                );
                break;
            }
        }
        inst.associated
    }

    fn tp_run_action(
        &mut self,
        host: usize,
        tid: usize,
        action: ReturnAction,
    ) -> Result<(), WsaError> {
        match action {
            ReturnAction::LeaveCriticalSection(cs) => self.cs_leave(host, cs, tid, false).map(drop),
            ReturnAction::ReleaseMutex(h) => {
                let idx = self.mutex_id(host, h)?;
                self.mutex_release(idx, tid)
            }
            ReturnAction::ReleaseSemaphore(h, count) => {
                let idx = self.semaphore_id(host, h)?;
                let n = i32::try_from(count).map_err(|_| WsaError::WSA_INVALID_PARAMETER)?;
                self.semaphore_release(idx, n).map(drop)
            }
            ReturnAction::SetEvent(h) => {
                let idx = self.event_id(host, h)?;
                self.set_event(idx);
                Ok(())
            }
        }
    }

    /// The objects whose callbacks thread `tid` is running (nested: a callback may wait for
    /// another's only through the pool, so mostly one).
    pub(crate) fn tp_running_on(&self, tid: usize) -> impl Iterator<Item = usize> + '_ {
        let instances = self.kern.tp_objects.instances.values();
        instances.filter(move |i| i.thread == tid).map(|i| i.object)
    }
}
