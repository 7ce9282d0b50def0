//! Locks of user mode (critical sections, SRW locks, condition variables) and the waitable
//! objects beside events (mutexes, thread handles), as the kernel layer keeps them.
//!
//! A lock here is a record of who holds it; a thread that cannot take it blocks on
//! `WaitKey::Lock(id)` (the simulated thread, not the OS thread) and every release notifies
//! that key, so all waiters wake and compete again in an order the seeded scheduler picks —
//! Windows' locks are not fair either. Each lock belongs to one process (host): another
//! process's value is an invalid handle.

use crate::api::WsaError;
use crate::sim::kernel::objects::KObject;
use crate::sim::kernel::wake_queue::WakeQueue;
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{ThreadState, WaitKey, World};

/// One user-mode lock.
#[derive(Debug)]
pub(crate) enum Lock {
    /// CRITICAL_SECTION: owner thread and recursion count.
    CritSec {
        owner: Option<usize>,
        recursion: u32,
    },
    /// SRWLOCK: the exclusive owner, or the threads holding it shared (one entry per hold),
    /// and the threads blocked in `AcquireSRWLockExclusive` (or re-acquiring exclusively after
    /// a condition wait).
    Srw {
        exclusive: Option<usize>,
        shared: Vec<usize>,
        exclusive_waiters: Vec<usize>,
    },
    /// CONDITION_VARIABLE: its sleepers.
    CondVar(WakeQueue),
    /// INIT_ONCE (`kernel/init_once.rs`).
    Once(RunOnce),
    /// SYNCHRONIZATION_BARRIER (`kernel/sync_barrier.rs`).
    Barrier(Barrier),
}

/// A SYNCHRONIZATION_BARRIER's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Barrier {
    /// Threads a phase takes.
    pub total: u32,
    /// Threads of the current phase that have entered (`total`: it is complete, and its
    /// threads are leaving).
    pub reached: u32,
    /// Threads inside the call, past the wait for the previous phase.
    pub inside: u32,
    /// Threads inside that entered without SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE.
    pub holders: u32,
    /// Phases completed: a waiter passes when it changes.
    pub phase: u64,
}

/// Where an `INIT_ONCE` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunOnce {
    /// Never begun, or its synchronous initialization failed.
    Fresh,
    /// A thread initializes it; others wait.
    Sync,
    /// Initialized asynchronously: every caller may run the initialization.
    Async,
    /// Done, with its context.
    Done(usize),
}

/// Every lock of the run, by id (never reused, so a deleted lock stays invalid).
#[derive(Debug, Default)]
pub(crate) struct LockTable {
    slots: Vec<Option<(usize, Lock)>>,
}

/// What a wait function waits on, resolved from a handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Waitable {
    /// A kernel object (event, mutex), by object index.
    Object(usize),
    /// A thread, by index.
    Thread(usize),
}

impl Waitable {
    /// The key a waiter registers on.
    pub(crate) fn key(self) -> WaitKey {
        match self {
            Waitable::Object(o) => WaitKey::Object(o),
            Waitable::Thread(t) => WaitKey::Thread(t),
        }
    }
}

/// Thread `tid` may take the mutex `(owner, abandoned)` now.
fn mutex_free_for(owner: Option<usize>, tid: usize) -> bool {
    owner.is_none() || owner == Some(tid)
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Creates a lock of `host`; its id.
    pub(crate) fn new_lock(&mut self, host: usize, lock: Lock) -> usize {
        let t = &mut self.kern.locks.slots;
        t.push(Some((host, lock)));
        t.len() - 1
    }

    /// Lock `id` of `host`, or ERROR_INVALID_HANDLE.
    /// Lock `id`, to read (a report's look-up), whatever its host.
    pub(crate) fn lock_ref(&self, id: usize) -> Option<&Lock> {
        self.kern.locks.slots.get(id)?.as_ref().map(|(_, l)| l)
    }

    pub(crate) fn lock_mut(&mut self, host: usize, id: usize) -> Result<&mut Lock, WsaError> {
        match self.kern.locks.slots.get_mut(id) {
            Some(Some((h, l))) if *h == host => Ok(l),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Deletes lock `id`; its waiters wake and find it gone.
    pub(crate) fn delete_lock(&mut self, host: usize, id: usize) -> Result<(), WsaError> {
        self.lock_mut(host, id)?;
        self.kern.locks.slots[id] = None;
        self.notify(WaitKey::Lock(id));
        Ok(())
    }

    /// Tries to enter critical section `id` for `tid`: Ok(true) when entered.
    pub(crate) fn cs_try_enter(
        &mut self,
        host: usize,
        id: usize,
        tid: usize,
    ) -> Result<bool, WsaError> {
        match self.lock_mut(host, id)? {
            Lock::CritSec { owner, recursion } => match *owner {
                None => {
                    *owner = Some(tid);
                    *recursion = 1;
                    Ok(true)
                }
                Some(o) if o == tid => {
                    *recursion += 1;
                    Ok(true)
                }
                Some(_) => Ok(false),
            },
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Leaves critical section `id` once (all the way with `all`); returns the recursion count
    /// it had. ERROR_NOT_OWNER when `tid` does not own it.
    pub(crate) fn cs_leave(
        &mut self,
        host: usize,
        id: usize,
        tid: usize,
        all: bool,
    ) -> Result<u32, WsaError> {
        let (freed, had) = match self.lock_mut(host, id)? {
            Lock::CritSec { owner, recursion } => {
                if *owner != Some(tid) {
                    return Err(WsaError::ERROR_NOT_OWNER);
                }
                let had = *recursion;
                *recursion = if all { 0 } else { had - 1 };
                if *recursion == 0 {
                    *owner = None;
                }
                (*recursion == 0, had)
            }
            _ => return Err(WsaError::WSA_INVALID_HANDLE),
        };
        if freed {
            self.notify(WaitKey::Lock(id));
        }
        Ok(had)
    }

    /// Re-enters critical section `id` with the recursion count saved by a condition wait.
    pub(crate) fn cs_restore(
        &mut self,
        host: usize,
        id: usize,
        tid: usize,
        count: u32,
    ) -> Result<bool, WsaError> {
        match self.lock_mut(host, id)? {
            Lock::CritSec { owner, recursion } if owner.is_none() => {
                *owner = Some(tid);
                *recursion = count;
                Ok(true)
            }
            Lock::CritSec { .. } => Ok(false),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Tries to take SRW lock `id` for `tid`, exclusively or shared; `queue`: a blocking
    /// acquire, which on failure stays queued as an exclusive waiter until it gets the lock.
    ///
    /// A queued exclusive request holds back new shared holders, blocking and `TryAcquire`
    /// alike, so that it gets the lock when the current holders leave (Windows: sync.c
    /// test_srwlock_base, lines 2432–2444 and 2376–2388 — a shared request made while a writer
    /// waits gets the lock only after that writer, and TryAcquireSRWLockShared fails). So a
    /// thread that takes a shared hold twice deadlocks if a writer queued in between, as on
    /// Windows.
    pub(crate) fn srw_try_acquire(
        &mut self,
        host: usize,
        id: usize,
        tid: usize,
        exclusive_mode: bool,
        queue: bool,
    ) -> Result<bool, WsaError> {
        match self.lock_mut(host, id)? {
            Lock::Srw {
                exclusive,
                shared,
                exclusive_waiters,
            } => {
                let free = if exclusive_mode {
                    exclusive.is_none() && shared.is_empty()
                } else {
                    exclusive.is_none() && exclusive_waiters.is_empty()
                };
                if !free {
                    if queue && exclusive_mode && !exclusive_waiters.contains(&tid) {
                        exclusive_waiters.push(tid);
                    }
                    return Ok(false);
                }
                if exclusive_mode {
                    exclusive_waiters.retain(|&t| t != tid);
                    *exclusive = Some(tid);
                } else {
                    shared.push(tid);
                }
                Ok(true)
            }
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Releases `tid`'s hold of SRW lock `id` in the given mode.
    pub(crate) fn srw_release(
        &mut self,
        host: usize,
        id: usize,
        tid: usize,
        exclusive_mode: bool,
    ) -> Result<(), WsaError> {
        let freed = match self.lock_mut(host, id)? {
            Lock::Srw {
                exclusive, shared, ..
            } => {
                if exclusive_mode {
                    if *exclusive != Some(tid) {
                        return Err(WsaError::ERROR_NOT_OWNER);
                    }
                    *exclusive = None;
                    true
                } else {
                    let Some(i) = shared.iter().position(|&t| t == tid) else {
                        return Err(WsaError::ERROR_NOT_OWNER);
                    };
                    shared.remove(i);
                    shared.is_empty()
                }
            }
            _ => return Err(WsaError::WSA_INVALID_HANDLE),
        };
        if freed {
            self.notify(WaitKey::Lock(id));
        }
        Ok(())
    }

    /// Puts `tid` to sleep on condition variable `cv`.
    pub(crate) fn cv_sleep(&mut self, host: usize, cv: usize, tid: usize) -> Result<(), WsaError> {
        match self.lock_mut(host, cv)? {
            Lock::CondVar(q) => {
                q.sleep(tid);
                Ok(())
            }
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Whether `tid` was woken on `cv`; `leave` also takes it off the variable (woken, timed
    /// out or failed).
    pub(crate) fn cv_woken(&mut self, host: usize, cv: usize, tid: usize, leave: bool) -> bool {
        match self.lock_mut(host, cv) {
            Ok(Lock::CondVar(q)) => q.woken(tid, leave),
            _ => true,
        }
    }

    /// Wakes one sleeper of `cv` (all with `all`).
    pub(crate) fn cv_wake(&mut self, host: usize, cv: usize, all: bool) -> Result<(), WsaError> {
        match self.lock_mut(host, cv)? {
            Lock::CondVar(q) => {
                q.wake(all);
            }
            _ => return Err(WsaError::WSA_INVALID_HANDLE),
        }
        self.notify(WaitKey::Lock(cv));
        Ok(())
    }

    /// Whether `w` is signalled for thread `tid`; `take` acquires it (resets an auto-reset
    /// event, takes a mutex). `Some(true)` means an abandoned mutex was taken; `None` that it
    /// is not signalled; an error that the object is gone.
    pub(crate) fn waitable_signaled(
        &mut self,
        w: Waitable,
        tid: usize,
        take: bool,
    ) -> Result<Option<bool>, WsaError> {
        match w {
            Waitable::Thread(t) => match self.rt.threads.get(t) {
                Some(th) if th.state == ThreadState::Finished => Ok(Some(false)),
                Some(_) => Ok(None),
                None => Err(WsaError::WSA_INVALID_HANDLE),
            },
            Waitable::Object(o) => match self.kern.objects.get_mut(o) {
                Some(KObject::Event {
                    signaled,
                    manual_reset,
                }) => {
                    if !*signaled {
                        return Ok(None);
                    }
                    if take && !*manual_reset {
                        *signaled = false;
                    }
                    Ok(Some(false))
                }
                Some(KObject::Mutex {
                    owner,
                    recursion,
                    abandoned,
                }) => {
                    if !mutex_free_for(*owner, tid) {
                        return Ok(None);
                    }
                    let was = *abandoned;
                    if take {
                        *owner = Some(tid);
                        *recursion += 1;
                        *abandoned = false;
                    }
                    Ok(Some(was))
                }
                Some(KObject::Semaphore { count, .. }) => {
                    if *count <= 0 {
                        return Ok(None);
                    }
                    if take {
                        *count -= 1;
                    }
                    Ok(Some(false))
                }
                Some(KObject::Timer(t)) => {
                    if !t.signaled {
                        return Ok(None);
                    }
                    if take && !t.manual_reset {
                        t.signaled = false;
                        // A parked periodic timer can signal again.
                        self.timer_unpark(o);
                    }
                    Ok(Some(false))
                }
                _ => Err(WsaError::WSA_INVALID_HANDLE),
            },
        }
    }

    /// ReleaseSemaphore: adds `n` to semaphore `idx`; the previous count.
    pub(crate) fn semaphore_release(&mut self, idx: usize, n: i32) -> Result<i32, WsaError> {
        match self.kern.objects.get_mut(idx) {
            Some(KObject::Semaphore { count, max }) => {
                if n < 1 {
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                let prev = *count;
                if i64::from(prev) + i64::from(n) > i64::from(*max) {
                    return Err(WsaError::ERROR_TOO_MANY_POSTS);
                }
                *count += n;
                self.signal_waiters(idx);
                Ok(prev)
            }
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// ReleaseMutex by `tid`.
    pub(crate) fn mutex_release(&mut self, idx: usize, tid: usize) -> Result<(), WsaError> {
        match self.kern.objects.get_mut(idx) {
            Some(KObject::Mutex {
                owner, recursion, ..
            }) => {
                if *owner != Some(tid) {
                    return Err(WsaError::ERROR_NOT_OWNER);
                }
                *recursion -= 1;
                if *recursion == 0 {
                    *owner = None;
                    self.signal_waiters(idx);
                }
                Ok(())
            }
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Thread `tid` ended: the mutexes it owns are abandoned (the next waiter gets them with
    /// WAIT_ABANDONED). Critical sections and SRW locks it holds stay held, as on Windows.
    pub(crate) fn abandon_mutexes(&mut self, tid: usize) {
        let mut freed = Vec::new();
        let mut i = 0;
        while let Some(slot) = self.kern.objects.get_slot_mut(i) {
            if let Some(KObject::Mutex {
                owner,
                recursion,
                abandoned,
            }) = slot
            {
                if *owner == Some(tid) {
                    *owner = None;
                    *recursion = 0;
                    *abandoned = true;
                    freed.push(i);
                }
            }
            i += 1;
        }
        for i in freed {
            self.signal_waiters(i);
        }
    }
}
