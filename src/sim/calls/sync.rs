//! [`SyncObjects`] in the simulator: event objects with both reset modes, mutexes, waits over
//! handles, critical sections, SRW locks, condition variables, console-control handlers and
//! per-process globals.
//!
//! Every call is a kernel call (no WSAStartup needed) and a possible preemption point; a lock
//! that is taken blocks the simulated thread on the lock's wait key, so the seeded scheduler
//! decides who gets it when it is released.

use std::any::{Any, TypeId};
use std::sync::Arc;

use super::duplicate_handle::refuse_protected;
use crate::api::{
    ConditionVariable, ConsoleCtrlHandler, CriticalSection, CtrlHandlerId, Handle, MutexHandle,
    SemaphoreHandle, SrwLock, SyncObjects, ThreadId, WsaError, WsaEvent,
};
use crate::sim::api::{SimWinsock, Traced};
use crate::sim::kernel::objects::KObject;
use crate::sim::kernel::sync::Lock;
use crate::sim::runtime::{Step, WaitKey};

impl Traced for bool {
    fn traced(&self) -> i64 {
        i64::from(*self)
    }
}

impl Traced for u32 {
    fn traced(&self) -> i64 {
        i64::from(*self)
    }
}

macro_rules! traced_raw {
    ($($t:ty),*) => {$(
        impl Traced for $t {
            fn traced(&self) -> i64 {
                self.raw() as i64
            }
        }
    )*};
}
impl Traced for i32 {
    fn traced(&self) -> i64 {
        i64::from(*self)
    }
}

traced_raw!(
    SemaphoreHandle,
    MutexHandle,
    CriticalSection,
    SrwLock,
    ConditionVariable,
    CtrlHandlerId
);

/// A step that takes a lock when `try_take` says it is free, or waits on the lock's key.
pub(super) fn take_or_wait(id: usize, r: Result<bool, WsaError>) -> Step<()> {
    match r {
        Ok(true) => Step::Done(Ok(())),
        Ok(false) => Step::Wait(WaitKey::Lock(id), None),
        Err(e) => Step::Done(Err(e)),
    }
}

impl SimWinsock {
    /// A kernel call (no WSAStartup check, no fault seam): preemption point, body, last error
    /// and trace.
    pub(crate) fn kcall<T: Traced>(
        &self,
        name: &'static str,
        a: u64,
        b: u64,
        body: impl FnOnce(&Self) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        let r = self.enter(name, true).and_then(|()| body(self));
        self.finish(name, a, b, r)
    }

    /// [`SimWinsock::kcall`] for a call with a checked exit, as `SimWinsock::call_marked`.
    pub(crate) fn kcall_marked<T: Traced>(
        &self,
        name: &'static str,
        a: u64,
        b: u64,
        body: impl FnOnce(&Self) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        self.kcall(name, a, b, |this| {
            crate::sim::runtime::mark_checked();
            body(this)
        })
    }

    /// [`SimWinsock::kcall`] for a call whose success Windows does not record: the VOID and
    /// BOOLEAN lock calls (kernel32 sync.c 1930–1933: ERROR_TIMEOUT from
    /// SleepConditionVariableCS is still there after LeaveCriticalSection; 2034–2037 likewise
    /// after ReleaseSRWLockExclusive, 2041–2044 ReleaseSRWLockShared) and the BOOL object
    /// calls (SetEvent, ResetEvent, CloseHandle, ReleaseMutex, ReleaseSemaphore,
    /// CancelWaitableTimer, SetConsoleCtrlHandler and ws2_32's WSASetEvent, WSAResetEvent,
    /// WSACloseEvent, which call them), which set the last error only when they fail, as
    /// GetLastError's documentation says of functions not documented to clear it. The
    /// Create* calls set it to 0.
    pub(crate) fn kcall_keep_error<T: Traced>(
        &self,
        name: &'static str,
        a: u64,
        b: u64,
        body: impl FnOnce(&Self) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        self.keep_last_error(|| self.kcall(name, a, b, body))
    }

    /// Runs `call` (a whole traced call) and, when it succeeds, puts back the last error the
    /// thread had before it: for the calls whose success Windows does not record.
    pub(crate) fn keep_last_error<T>(
        &self,
        call: impl FnOnce() -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        let before = self.w().rt.threads[self.tid].last_error;
        let r = call();
        if r.is_ok() {
            self.w().rt.threads[self.tid].last_error = before;
        }
        r
    }

    /// Creates an event object of this process.
    pub(crate) fn new_event(
        &self,
        manual_reset: bool,
        signaled: bool,
    ) -> Result<WsaEvent, WsaError> {
        let h = self.w().new_object(
            self.host,
            KObject::Event {
                signaled,
                manual_reset,
            },
        );
        Ok(WsaEvent::from_raw(h))
    }

    /// The deadline of a wait of `ms` milliseconds (None: INFINITE).
    pub(super) fn deadline(&self, ms: u32) -> Option<u64> {
        self.timeout_due(ms)
    }

    /// Runs this process's console-control handlers for `ctrl_type`, the most recently
    /// registered first, until one returns true (the body of the `console-ctrl` thread).
    pub(crate) fn run_ctrl_handlers(&self, ctrl_type: u32) -> Result<(), WsaError> {
        let ids: Vec<usize> = {
            let w = self.w();
            w.kern
                .ctrl_handlers
                .get(&self.host)
                .map(|v| v.iter().rev().map(|(id, _)| *id).collect())
                .unwrap_or_default()
        };
        for id in ids {
            let taken = {
                let mut w = self.w();
                w.kern
                    .ctrl_handlers
                    .get_mut(&self.host)
                    .and_then(|v| v.iter_mut().find(|(i, _)| *i == id))
                    .and_then(|(_, h)| h.take())
            };
            let Some(mut handler) = taken else { continue };
            let handled = handler(self, ctrl_type);
            if let Some(slot) = self
                .w()
                .kern
                .ctrl_handlers
                .get_mut(&self.host)
                .and_then(|v| v.iter_mut().find(|(i, _)| *i == id))
            {
                slot.1 = Some(handler);
            }
            if handled {
                return Ok(());
            }
        }
        // No handler took it: Windows' default handler would call ExitProcess. The simulator
        // cannot end a host's threads, so the signal is only recorded in the trace.
        Ok(())
    }
}

impl SyncObjects for SimWinsock {
    fn create_event(&self, manual_reset: bool, initial_state: bool) -> Result<WsaEvent, WsaError> {
        self.kcall(
            "CreateEvent",
            u64::from(manual_reset),
            u64::from(initial_state),
            |this| this.new_event(manual_reset, initial_state),
        )
    }

    fn set_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        self.kcall_keep_error("SetEvent", event.raw() as u64, 0, |this| {
            let mut w = this.w();
            let idx = w.event_id(this.host, event.raw())?;
            w.set_event(idx);
            Ok(())
        })
    }

    fn reset_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        self.kcall_keep_error("ResetEvent", event.raw() as u64, 0, |this| {
            let mut w = this.w();
            let idx = w.event_id(this.host, event.raw())?;
            w.reset_event(idx);
            Ok(())
        })
    }

    fn close_handle(&self, h: Handle) -> Result<(), WsaError> {
        self.kcall_keep_error("CloseHandle", 0, 0, |this| {
            let mut w = this.w();
            let raw = match h {
                Handle::Event(e) => e.raw(),
                Handle::Mutex(m) => m.raw(),
                Handle::Semaphore(s) => s.raw(),
                Handle::Timer(t) => t.raw(),
                // A thread's handle needs no closing, but a protected one refuses.
                Handle::Thread(t) if t.index() < w.rt.threads.len() => {
                    return refuse_protected(&w, this.host, h);
                }
                Handle::Thread(_) => return Err(WsaError::WSA_INVALID_HANDLE),
            };
            match (h, w.object_id(this.host, raw)) {
                (Handle::Event(_), Some(_)) => w.event_id(this.host, raw)?,
                (Handle::Mutex(_), Some(_)) => w.mutex_id(this.host, raw)?,
                (Handle::Semaphore(_), Some(_)) => w.semaphore_id(this.host, raw)?,
                (Handle::Timer(_), Some(_)) => w.timer_id(this.host, raw)?,
                _ => return Err(WsaError::WSA_INVALID_HANDLE),
            };
            refuse_protected(&w, this.host, h)?;
            w.close_object(this.host, raw);
            Ok(())
        })
    }

    fn wait_for_multiple_objects(
        &self,
        handles: &[Handle],
        wait_all: bool,
        timeout_ms: u32,
    ) -> Result<u32, WsaError> {
        self.wait_handles(
            "WaitForMultipleObjects",
            true,
            handles,
            wait_all,
            timeout_ms,
            false,
            None,
        )
    }

    fn signal_object_and_wait(
        &self,
        signal: Handle,
        wait: Handle,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        self.signal_and_wait(signal, wait, timeout_ms, alertable)
    }

    fn get_current_thread_id(&self) -> u32 {
        self.spin_point();
        (self.tid as u32 + 1) * 4
    }

    fn get_current_thread(&self) -> ThreadId {
        self.spin_point();
        self.thread_id()
    }

    fn create_mutex(&self, initial_owner: bool) -> Result<MutexHandle, WsaError> {
        self.kcall("CreateMutex", u64::from(initial_owner), 0, |this| {
            let h = this.w().new_object(
                this.host,
                KObject::Mutex {
                    owner: initial_owner.then_some(this.tid),
                    recursion: u32::from(initial_owner),
                    abandoned: false,
                },
            );
            Ok(MutexHandle::from_raw(h))
        })
    }

    fn release_mutex(&self, m: MutexHandle) -> Result<(), WsaError> {
        self.kcall_keep_error("ReleaseMutex", m.raw() as u64, 0, |this| {
            let mut w = this.w();
            let idx = w.mutex_id(this.host, m.raw())?;
            w.mutex_release(idx, this.tid)
        })
    }

    fn create_semaphore(&self, initial: i32, maximum: i32) -> Result<SemaphoreHandle, WsaError> {
        self.kcall("CreateSemaphore", initial as u64, maximum as u64, |this| {
            if maximum < 1 || !(0..=maximum).contains(&initial) {
                return Err(WsaError::WSA_INVALID_PARAMETER);
            }
            let obj = KObject::Semaphore {
                count: initial,
                max: maximum,
            };
            Ok(SemaphoreHandle::from_raw(
                this.w().new_object(this.host, obj),
            ))
        })
    }

    fn release_semaphore(&self, s: SemaphoreHandle, count: i32) -> Result<i32, WsaError> {
        self.kcall_keep_error("ReleaseSemaphore", s.raw() as u64, count as u64, |this| {
            let mut w = this.w();
            let idx = w.semaphore_id(this.host, s.raw())?;
            w.semaphore_release(idx, count)
        })
    }

    fn initialize_critical_section(&self) -> Result<CriticalSection, WsaError> {
        self.kcall_keep_error("InitializeCriticalSection", 0, 0, |this| {
            let lock = Lock::CritSec {
                owner: None,
                recursion: 0,
            };
            Ok(CriticalSection::from_raw(
                this.w().new_lock(this.host, lock),
            ))
        })
    }

    fn delete_critical_section(&self, cs: CriticalSection) -> Result<(), WsaError> {
        self.kcall_keep_error("DeleteCriticalSection", cs.raw() as u64, 0, |this| {
            this.w().delete_lock(this.host, cs.raw())
        })
    }

    fn enter_critical_section(&self, cs: CriticalSection) -> Result<(), WsaError> {
        crate::sim::runtime::checked_exit(self.enter_critical_section_call(cs))
    }

    fn try_enter_critical_section(&self, cs: CriticalSection) -> Result<bool, WsaError> {
        self.kcall_keep_error("TryEnterCriticalSection", cs.raw() as u64, 0, |this| {
            this.w().cs_try_enter(this.host, cs.raw(), this.tid)
        })
    }

    fn leave_critical_section(&self, cs: CriticalSection) -> Result<(), WsaError> {
        self.kcall_keep_error("LeaveCriticalSection", cs.raw() as u64, 0, |this| {
            this.w()
                .cs_leave(this.host, cs.raw(), this.tid, false)
                .map(|_| ())
        })
    }

    fn initialize_srw_lock(&self) -> Result<SrwLock, WsaError> {
        self.kcall_keep_error("InitializeSRWLock", 0, 0, |this| {
            let lock = Lock::Srw {
                exclusive: None,
                shared: Vec::new(),
                exclusive_waiters: Vec::new(),
            };
            Ok(SrwLock::from_raw(this.w().new_lock(this.host, lock)))
        })
    }

    fn acquire_srw_lock_exclusive(&self, lock: SrwLock) -> Result<(), WsaError> {
        crate::sim::runtime::checked_exit(self.acquire_srw_lock_call(lock, true))
    }

    fn acquire_srw_lock_shared(&self, lock: SrwLock) -> Result<(), WsaError> {
        crate::sim::runtime::checked_exit(self.acquire_srw_lock_call(lock, false))
    }

    fn try_acquire_srw_lock_exclusive(&self, lock: SrwLock) -> Result<bool, WsaError> {
        self.kcall_keep_error("TryAcquireSRWLockExclusive", lock.raw() as u64, 0, |this| {
            this.w()
                .srw_try_acquire(this.host, lock.raw(), this.tid, true, false)
        })
    }

    fn try_acquire_srw_lock_shared(&self, lock: SrwLock) -> Result<bool, WsaError> {
        self.kcall_keep_error("TryAcquireSRWLockShared", lock.raw() as u64, 0, |this| {
            this.w()
                .srw_try_acquire(this.host, lock.raw(), this.tid, false, false)
        })
    }

    fn release_srw_lock_exclusive(&self, lock: SrwLock) -> Result<(), WsaError> {
        self.kcall_keep_error("ReleaseSRWLockExclusive", lock.raw() as u64, 0, |this| {
            this.w().srw_release(this.host, lock.raw(), this.tid, true)
        })
    }

    fn release_srw_lock_shared(&self, lock: SrwLock) -> Result<(), WsaError> {
        self.kcall_keep_error("ReleaseSRWLockShared", lock.raw() as u64, 0, |this| {
            this.w().srw_release(this.host, lock.raw(), this.tid, false)
        })
    }

    fn initialize_condition_variable(&self) -> Result<ConditionVariable, WsaError> {
        self.kcall_keep_error("InitializeConditionVariable", 0, 0, |this| {
            let lock = Lock::CondVar(Default::default());
            Ok(ConditionVariable::from_raw(
                this.w().new_lock(this.host, lock),
            ))
        })
    }

    fn sleep_condition_variable_cs(
        &self,
        cv: ConditionVariable,
        cs: CriticalSection,
        timeout_ms: u32,
    ) -> Result<(), WsaError> {
        crate::sim::runtime::checked_exit(self.sleep_cv_cs_call(cv, cs, timeout_ms))
    }

    fn sleep_condition_variable_srw(
        &self,
        cv: ConditionVariable,
        lock: SrwLock,
        timeout_ms: u32,
        flags: u32,
    ) -> Result<(), WsaError> {
        crate::sim::runtime::checked_exit(self.sleep_cv_srw_call(cv, lock, timeout_ms, flags))
    }

    fn wake_condition_variable(&self, cv: ConditionVariable) -> Result<(), WsaError> {
        self.kcall_keep_error("WakeConditionVariable", cv.raw() as u64, 0, |this| {
            this.w().cv_wake(this.host, cv.raw(), false)
        })
    }

    fn wake_all_condition_variable(&self, cv: ConditionVariable) -> Result<(), WsaError> {
        self.kcall_keep_error("WakeAllConditionVariable", cv.raw() as u64, 0, |this| {
            this.w().cv_wake(this.host, cv.raw(), true)
        })
    }

    fn set_console_ctrl_handler(
        &self,
        handler: ConsoleCtrlHandler<Self>,
    ) -> Result<CtrlHandlerId, WsaError> {
        self.kcall_keep_error("SetConsoleCtrlHandler", 1, 0, |this| {
            let mut w = this.w();
            let id = w.kern.next_ctrl_id;
            w.kern.next_ctrl_id += 1;
            let list = w.kern.ctrl_handlers.entry(this.host).or_default();
            list.push((id, Some(handler)));
            Ok(CtrlHandlerId::from_raw(id))
        })
    }

    fn remove_console_ctrl_handler(&self, id: CtrlHandlerId) -> Result<(), WsaError> {
        self.kcall_keep_error("SetConsoleCtrlHandler", 0, id.raw() as u64, |this| {
            let mut w = this.w();
            let list = w.kern.ctrl_handlers.entry(this.host).or_default();
            match list.iter().position(|(i, _)| *i == id.raw()) {
                Some(p) => {
                    list.remove(p);
                    Ok(())
                }
                None => Err(WsaError::WSA_INVALID_PARAMETER),
            }
        })
    }

    fn generate_console_ctrl_event(&self, ctrl_type: u32) -> Result<(), WsaError> {
        self.kcall(
            "GenerateConsoleCtrlEvent",
            u64::from(ctrl_type),
            0,
            |this| {
                if ctrl_type > 1 {
                    // Only CTRL_C_EVENT and CTRL_BREAK_EVENT can be generated.
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                this.w().new_thread(
                    this.host,
                    "console-ctrl".to_string(),
                    true,
                    Box::new(move |ws: &SimWinsock| ws.run_ctrl_handlers(ctrl_type)),
                );
                Ok(())
            },
        )
    }

    fn process_global<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let key = (self.host, TypeId::of::<T>());
        let found = self.w().kern.globals.get(&key).cloned();
        if let Some(v) = found.and_then(|v| v.downcast::<T>().ok()) {
            return v;
        }
        // `init` runs without the world lock: it may call the API (to make a lock, say).
        let v = Arc::new(init());
        let stored = {
            let mut w = self.w();
            w.kern
                .globals
                .entry(key)
                .or_insert_with(|| v.clone() as Arc<dyn Any + Send + Sync>)
                .clone()
        };
        stored.downcast::<T>().unwrap_or(v)
    }
}
