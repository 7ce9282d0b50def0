//! [`SyncObjects`] for [`Native`]: the real Win32 objects of kernel32. Event, mutex and
//! semaphore objects are kernel HANDLEs (CreateEventW, CreateMutexW, CreateSemaphoreW);
//! CRITICAL_SECTION, SRWLOCK and CONDITION_VARIABLE are user-mode structures that this
//! backend keeps on the heap.
//!
//! The ownership and owner-check rules of the lock structures are in `lock_table.rs`, the
//! table helpers in `sync_lookup.rs`.
//!
//! **Console-control handlers** are kept per backend and, once the first is added, one
//! `HandlerRoutine` (in `sync_lookup.rs`) is registered with `SetConsoleCtrlHandler`, so a real
//! Ctrl+C runs them (most recent first, until one returns true) on the OS's control thread.
//! `GenerateConsoleCtrlEvent` itself is not called by [`generate_console_ctrl_event`]: it
//! signals every process attached to the console (the test runner included), and Wine cannot
//! deliver it headless. The raise path runs the handlers as Windows' control thread would: on
//! a new thread named `console-ctrl`, the call returning at once.
//!
//! [`generate_console_ctrl_event`]: SyncObjects::generate_console_ctrl_event

use std::any::Any;
use std::cell::UnsafeCell;
use std::os::windows::io::FromRawHandle;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use windows_sys::Win32::Foundation::{CloseHandle, DuplicateHandle, DUPLICATE_SAME_ACCESS, HANDLE};
use windows_sys::Win32::System::Threading as th;

use super::lock_table::{CondVar, CritSec, Kernel, Srw};
use super::native::{finish, finish_kept, Native};
use super::sync_lookup::{check, me, os_error, process_global, register_ctrl_backend};
use crate::api::sync::CONDITION_VARIABLE_LOCKMODE_SHARED;
use crate::api::{
    ConditionVariable, ConsoleCtrlHandler, CriticalSection, CtrlHandlerId, Handle, MutexHandle,
    SemaphoreHandle, SrwLock, SyncObjects, ThreadId, WsaError, WsaEvent,
};

impl SyncObjects for Native {
    /// `CreateEventW(NULL, bManualReset, bInitialState, NULL)`: the event becomes this
    /// backend's, usable wherever a `WSAEVENT` is.
    fn create_event(&self, manual_reset: bool, initial_state: bool) -> Result<WsaEvent, WsaError> {
        // SAFETY: null attributes and name (allowed); integers otherwise.
        let h = unsafe {
            th::CreateEventW(
                std::ptr::null(),
                i32::from(manual_reset),
                i32::from(initial_state),
                std::ptr::null(),
            )
        };
        if h.is_null() {
            return finish(Err(os_error()));
        }
        self.inner.owned.lock().events.insert(h as isize);
        finish(Ok(WsaEvent::from_raw(h as usize)))
    }

    /// `SetEvent` on an event of this backend.
    fn set_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        let owned = self.inner.owned.lock();
        let r = if owned.events.contains(&(event.raw() as isize)) {
            // SAFETY: an open event of this backend (its table is locked, so not closed
            // meanwhile).
            check(unsafe { th::SetEvent(event.raw() as HANDLE) })
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        };
        drop(owned);
        finish_kept(r)
    }

    /// `ResetEvent` on an event of this backend.
    fn reset_event(&self, event: WsaEvent) -> Result<(), WsaError> {
        let owned = self.inner.owned.lock();
        let r = if owned.events.contains(&(event.raw() as isize)) {
            // SAFETY: an open event of this backend (its table is locked).
            check(unsafe { th::ResetEvent(event.raw() as HANDLE) })
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        };
        drop(owned);
        finish_kept(r)
    }

    /// `CloseHandle`: the handle leaves this backend's table, then the OS closes it. A thread
    /// handle of this backend closes without effect, as in the simulator.
    fn close_handle(&self, h: Handle) -> Result<(), WsaError> {
        if let Some(r) = self.close_protected(h) {
            return finish_kept(r);
        }
        let r = match h {
            Handle::Event(e) => {
                let raw = e.raw() as isize;
                if self.inner.owned.lock().events.remove(&raw) {
                    // SAFETY: created by this backend and just removed from its table: closed
                    // once, and no later call passes it to the OS.
                    check(unsafe { CloseHandle(raw as HANDLE) })
                } else {
                    Err(WsaError::WSA_INVALID_HANDLE)
                }
            }
            Handle::Mutex(_) | Handle::Semaphore(_) => {
                let (raw, want) = match h {
                    Handle::Mutex(m) => (m.raw(), Kernel::Mutex),
                    Handle::Semaphore(s) => (s.raw(), Kernel::Semaphore),
                    _ => unreachable!("matched above"),
                };
                let removed = {
                    let mut t = self.inner.sync.lock();
                    t.kernel.get(&raw) == Some(&want) && t.kernel.remove(&raw).is_some()
                };
                if removed {
                    // SAFETY: created by this backend and just removed from its table.
                    check(unsafe { CloseHandle(raw as HANDLE) })
                } else {
                    Err(WsaError::WSA_INVALID_HANDLE)
                }
            }
            Handle::Timer(t) => self.close_timer(t.raw()),
            Handle::Thread(t) if self.inner.threads.contains(t) => Ok(()),
            Handle::Thread(_) => Err(WsaError::WSA_INVALID_HANDLE),
        };
        finish_kept(r)
    }

    /// `WaitForMultipleObjects`: the non-alertable form of `WaitForMultipleObjectsEx`.
    fn wait_for_multiple_objects(
        &self,
        handles: &[Handle],
        wait_all: bool,
        timeout_ms: u32,
    ) -> Result<u32, WsaError> {
        self.wait_many(handles, wait_all, timeout_ms, false)
    }

    /// `WaitForSingleObject`.
    fn wait_for_single_object(&self, h: Handle, timeout_ms: u32) -> Result<u32, WsaError> {
        self.wait_one(h, timeout_ms, false)
    }

    /// `SignalObjectAndWait`.
    fn signal_object_and_wait(
        &self,
        signal: Handle,
        wait: Handle,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        self.signal_and_wait(signal, wait, timeout_ms, alertable)
    }

    /// `GetCurrentThreadId`.
    fn get_current_thread_id(&self) -> u32 {
        me()
    }

    /// The calling thread's number in this backend's thread table; a thread the backend did
    /// not start is added to it (with a duplicate of its real handle, to wait on).
    fn get_current_thread(&self) -> ThreadId {
        if let Some(t) = self.inner.threads.current() {
            return t;
        }
        let mut out: HANDLE = std::ptr::null_mut();
        // SAFETY: GetCurrentThread's pseudo-handle is duplicated into a real handle of the
        // calling thread; `out` is a live local.
        let ok = unsafe {
            let p = th::GetCurrentProcess();
            DuplicateHandle(
                p,
                th::GetCurrentThread(),
                p,
                &mut out,
                0,
                0,
                DUPLICATE_SAME_ACCESS,
            )
        };
        let owned = (ok != 0).then(|| {
            // SAFETY: `out` is a new handle that nothing else owns; the OwnedHandle closes it.
            unsafe { std::os::windows::io::OwnedHandle::from_raw_handle(out) }
        });
        // Without a handle the thread still gets its number: waits on it then report
        // ERROR_INVALID_HANDLE. (DuplicateHandle of the current thread does not fail in
        // practice.)
        self.inner.threads.adopt_current(owned)
    }

    /// `CreateMutexW(NULL, bInitialOwner, NULL)`.
    fn create_mutex(&self, initial_owner: bool) -> Result<MutexHandle, WsaError> {
        // SAFETY: null attributes and name; an integer otherwise.
        let h = unsafe {
            th::CreateMutexW(std::ptr::null(), i32::from(initial_owner), std::ptr::null())
        };
        finish(
            self.adopt_kernel(h, Kernel::Mutex)
                .map(MutexHandle::from_raw),
        )
    }

    /// `ReleaseMutex`: the OS checks the owner (ERROR_NOT_OWNER).
    fn release_mutex(&self, m: MutexHandle) -> Result<(), WsaError> {
        finish_kept(self.on_kernel(m.raw(), Kernel::Mutex, |h| {
            // SAFETY: an open mutex of this backend (its table is locked).
            check(unsafe { th::ReleaseMutex(h) })
        }))
    }

    /// `CreateSemaphoreW(NULL, lInitialCount, lMaximumCount, NULL)`: the OS checks the counts
    /// (ERROR_INVALID_PARAMETER).
    fn create_semaphore(&self, initial: i32, maximum: i32) -> Result<SemaphoreHandle, WsaError> {
        // SAFETY: null attributes and name; integers otherwise.
        let h =
            unsafe { th::CreateSemaphoreW(std::ptr::null(), initial, maximum, std::ptr::null()) };
        finish(
            self.adopt_kernel(h, Kernel::Semaphore)
                .map(SemaphoreHandle::from_raw),
        )
    }

    /// `ReleaseSemaphore`: the OS checks the count (ERROR_INVALID_PARAMETER,
    /// ERROR_TOO_MANY_POSTS).
    fn release_semaphore(&self, s: SemaphoreHandle, count: i32) -> Result<i32, WsaError> {
        finish_kept(self.on_kernel(s.raw(), Kernel::Semaphore, |h| {
            let mut previous = 0i32;
            // SAFETY: an open semaphore of this backend (its table is locked); `previous` is a
            // live local the call writes.
            check(unsafe { th::ReleaseSemaphore(h, count, &mut previous) }).map(|()| previous)
        }))
    }

    /// `InitializeCriticalSection` on a new heap structure of this backend.
    fn initialize_critical_section(&self) -> Result<CriticalSection, WsaError> {
        let c = Arc::new(CritSec {
            cs: UnsafeCell::new(th::CRITICAL_SECTION::default()),
            owner: AtomicU32::new(0),
            depth: AtomicU32::new(0),
            deleted: AtomicBool::new(false),
        });
        // SAFETY: `c.cs` is at its final heap address (inside the Arc) and not yet shared.
        unsafe { th::InitializeCriticalSection(c.cs.get()) };
        let mut t = self.inner.sync.lock();
        let id = t.new_id();
        t.cs.insert(id, c);
        drop(t);
        finish_kept(Ok(CriticalSection::from_raw(id)))
    }

    /// `DeleteCriticalSection`, by the rule of the module docs: gone from the table at once,
    /// deleted by the OS once no thread is in a call on it.
    fn delete_critical_section(&self, cs: CriticalSection) -> Result<(), WsaError> {
        let r = {
            let mut t = self.inner.sync.lock();
            match t.cs.get(&cs.raw()).cloned() {
                Some(c) if !c.deleted.swap(true, Ordering::AcqRel) => {
                    // An owner keeps its entry until it leaves; an unowned one goes now.
                    if c.owner.load(Ordering::Acquire) == 0 {
                        t.cs.remove(&cs.raw());
                    }
                    Ok(())
                }
                _ => Err(WsaError::WSA_INVALID_HANDLE),
            }
        };
        finish_kept(r)
    }

    /// `EnterCriticalSection`.
    fn enter_critical_section(&self, cs: CriticalSection) -> Result<(), WsaError> {
        let r = self.cs_obj(cs).and_then(|c| {
            // SAFETY: `c` is an initialised, heap-pinned section kept alive by this clone.
            unsafe { th::EnterCriticalSection(c.cs.get()) };
            Native::cs_entered(&c)
        });
        finish_kept(r)
    }

    /// `TryEnterCriticalSection`.
    fn try_enter_critical_section(&self, cs: CriticalSection) -> Result<bool, WsaError> {
        let r = self.cs_obj(cs).and_then(|c| {
            // SAFETY: as in enter_critical_section.
            if unsafe { th::TryEnterCriticalSection(c.cs.get()) } == 0 {
                Ok(false)
            } else {
                Native::cs_entered(&c).map(|()| true)
            }
        });
        finish_kept(r)
    }

    /// `LeaveCriticalSection`, refused (ERROR_NOT_OWNER) before the OS call when the caller
    /// does not own it.
    fn leave_critical_section(&self, cs: CriticalSection) -> Result<(), WsaError> {
        let found = self.inner.sync.lock().cs.get(&cs.raw()).cloned();
        let r = match found {
            None => Err(WsaError::WSA_INVALID_HANDLE),
            Some(c) if c.owner.load(Ordering::Acquire) != me() => {
                if c.deleted.load(Ordering::Acquire) {
                    Err(WsaError::WSA_INVALID_HANDLE)
                } else {
                    Err(WsaError::ERROR_NOT_OWNER)
                }
            }
            Some(c) if c.deleted.load(Ordering::Acquire) => {
                // Deleted while owned: the owner's leave ends its hold and the section.
                Native::cs_leave_all(&c);
                self.inner.sync.lock().cs.remove(&cs.raw());
                Err(WsaError::WSA_INVALID_HANDLE)
            }
            Some(c) => {
                if c.depth.fetch_sub(1, Ordering::Relaxed) == 1 {
                    c.owner.store(0, Ordering::Release);
                }
                // SAFETY: the caller owns the section (its id is the recorded owner, which
                // only the owner writes), so this undoes one of its own entries.
                unsafe { th::LeaveCriticalSection(c.cs.get()) };
                Ok(())
            }
        };
        finish_kept(r)
    }

    /// `InitializeSRWLock` on a new heap structure of this backend.
    fn initialize_srw_lock(&self) -> Result<SrwLock, WsaError> {
        let l = Arc::new(Srw {
            lock: UnsafeCell::new(th::SRWLOCK_INIT),
            exclusive: AtomicU32::new(0),
            shared: Mutex::new(Vec::new()),
        });
        // SAFETY: `l.lock` is at its final heap address and not yet shared.
        unsafe { th::InitializeSRWLock(l.lock.get()) };
        let mut t = self.inner.sync.lock();
        let id = t.new_id();
        t.srw.insert(id, l);
        drop(t);
        finish_kept(Ok(SrwLock::from_raw(id)))
    }

    /// `AcquireSRWLockExclusive`; the caller already holding it (in either mode):
    /// ERROR_POSSIBLE_DEADLOCK instead of Windows' endless wait.
    fn acquire_srw_lock_exclusive(&self, lock: SrwLock) -> Result<(), WsaError> {
        let r = self.srw_obj(lock).and_then(|l| {
            let id = me();
            if l.exclusive.load(Ordering::Acquire) == id || l.shared.lock().contains(&id) {
                return Err(WsaError::ERROR_POSSIBLE_DEADLOCK);
            }
            // SAFETY: an initialised, heap-pinned lock kept alive by this clone.
            unsafe { th::AcquireSRWLockExclusive(l.lock.get()) };
            l.exclusive.store(id, Ordering::Release);
            Ok(())
        });
        finish_kept(r)
    }

    /// `AcquireSRWLockShared`; the caller holding it exclusively: ERROR_POSSIBLE_DEADLOCK.
    fn acquire_srw_lock_shared(&self, lock: SrwLock) -> Result<(), WsaError> {
        let r = self.srw_obj(lock).and_then(|l| {
            let id = me();
            if l.exclusive.load(Ordering::Acquire) == id {
                return Err(WsaError::ERROR_POSSIBLE_DEADLOCK);
            }
            // SAFETY: an initialised, heap-pinned lock kept alive by this clone.
            unsafe { th::AcquireSRWLockShared(l.lock.get()) };
            l.shared.lock().push(id);
            Ok(())
        });
        finish_kept(r)
    }

    /// `TryAcquireSRWLockExclusive`.
    fn try_acquire_srw_lock_exclusive(&self, lock: SrwLock) -> Result<bool, WsaError> {
        let r = self.srw_obj(lock).map(|l| {
            // SAFETY: as in acquire_srw_lock_exclusive; never waits.
            let got = unsafe { th::TryAcquireSRWLockExclusive(l.lock.get()) };
            if got {
                l.exclusive.store(me(), Ordering::Release);
            }
            got
        });
        finish_kept(r)
    }

    /// `TryAcquireSRWLockShared`.
    fn try_acquire_srw_lock_shared(&self, lock: SrwLock) -> Result<bool, WsaError> {
        let r = self.srw_obj(lock).map(|l| {
            // SAFETY: as in acquire_srw_lock_shared; never waits.
            let got = unsafe { th::TryAcquireSRWLockShared(l.lock.get()) };
            if got {
                l.shared.lock().push(me());
            }
            got
        });
        finish_kept(r)
    }

    /// `ReleaseSRWLockExclusive`, refused (ERROR_NOT_OWNER) when the caller does not hold it
    /// exclusively.
    fn release_srw_lock_exclusive(&self, lock: SrwLock) -> Result<(), WsaError> {
        let r = self.srw_obj(lock).and_then(|l| {
            if l.exclusive.load(Ordering::Acquire) != me() {
                return Err(WsaError::ERROR_NOT_OWNER);
            }
            l.exclusive.store(0, Ordering::Release);
            // SAFETY: the caller holds the lock exclusively (recorded by itself).
            unsafe { th::ReleaseSRWLockExclusive(l.lock.get()) };
            Ok(())
        });
        finish_kept(r)
    }

    /// `ReleaseSRWLockShared`, refused (ERROR_NOT_OWNER) when the caller does not hold it
    /// shared.
    fn release_srw_lock_shared(&self, lock: SrwLock) -> Result<(), WsaError> {
        let r = self.srw_obj(lock).and_then(|l| {
            let id = me();
            {
                let mut shared = l.shared.lock();
                let Some(i) = shared.iter().position(|&t| t == id) else {
                    return Err(WsaError::ERROR_NOT_OWNER);
                };
                shared.remove(i);
            }
            // SAFETY: the caller held the lock shared (one of its recorded acquisitions,
            // just removed), so this undoes its own acquisition.
            unsafe { th::ReleaseSRWLockShared(l.lock.get()) };
            Ok(())
        });
        finish_kept(r)
    }

    /// `InitializeConditionVariable` on a new heap structure of this backend.
    fn initialize_condition_variable(&self) -> Result<ConditionVariable, WsaError> {
        let c = Arc::new(CondVar {
            cv: UnsafeCell::new(th::CONDITION_VARIABLE_INIT),
        });
        // SAFETY: `c.cv` is at its final heap address and not yet shared.
        unsafe { th::InitializeConditionVariable(c.cv.get()) };
        let mut t = self.inner.sync.lock();
        let id = t.new_id();
        t.cv.insert(id, c);
        drop(t);
        finish_kept(Ok(ConditionVariable::from_raw(id)))
    }

    /// `SleepConditionVariableCS`. The caller must own `cs` (else ERROR_NOT_OWNER before the
    /// OS call); entries beyond the first are undone around the sleep and restored after, so
    /// the section is free for others while the caller sleeps, whatever its recursion.
    fn sleep_condition_variable_cs(
        &self,
        cv: ConditionVariable,
        cs: CriticalSection,
        timeout_ms: u32,
    ) -> Result<(), WsaError> {
        let r = self.cv_obj(cv).and_then(|v| {
            let c = self.cs_obj(cs)?;
            if c.owner.load(Ordering::Acquire) != me() {
                return Err(WsaError::ERROR_NOT_OWNER);
            }
            let depth = c.depth.swap(0, Ordering::Relaxed);
            c.owner.store(0, Ordering::Release);
            for _ in 1..depth {
                // SAFETY: the caller owns the section `depth` times; this undoes all but one.
                unsafe { th::LeaveCriticalSection(c.cs.get()) };
            }
            // SAFETY: both structures are initialised, heap-pinned and kept alive by these
            // clones; the caller owns the section once, as the call requires. The OS releases
            // and re-acquires it for the caller, on wake and on timeout alike.
            let ok = unsafe { th::SleepConditionVariableCS(v.cv.get(), c.cs.get(), timeout_ms) };
            let slept = check(ok);
            for _ in 1..depth {
                // SAFETY: the caller owns the section again; re-entering is recursive.
                unsafe { th::EnterCriticalSection(c.cs.get()) };
            }
            c.owner.store(me(), Ordering::Release);
            c.depth.store(depth, Ordering::Relaxed);
            slept
        });
        finish(r)
    }

    /// `SleepConditionVariableSRW`: the caller must hold `lock` in the mode `flags` names
    /// (else ERROR_NOT_OWNER before the OS call); other flag bits: ERROR_INVALID_PARAMETER.
    fn sleep_condition_variable_srw(
        &self,
        cv: ConditionVariable,
        lock: SrwLock,
        timeout_ms: u32,
        flags: u32,
    ) -> Result<(), WsaError> {
        let r = self.cv_obj(cv).and_then(|v| {
            let l = self.srw_obj(lock)?;
            if flags & !CONDITION_VARIABLE_LOCKMODE_SHARED != 0 {
                return Err(WsaError::WSA_INVALID_PARAMETER);
            }
            let id = me();
            let shared = flags & CONDITION_VARIABLE_LOCKMODE_SHARED != 0;
            if shared {
                let mut s = l.shared.lock();
                let Some(i) = s.iter().position(|&t| t == id) else {
                    return Err(WsaError::ERROR_NOT_OWNER);
                };
                s.remove(i);
            } else {
                if l.exclusive.load(Ordering::Acquire) != id {
                    return Err(WsaError::ERROR_NOT_OWNER);
                }
                l.exclusive.store(0, Ordering::Release);
            }
            // SAFETY: both structures are initialised, heap-pinned and kept alive by these
            // clones; the caller holds the lock in the mode `flags` names (checked above). The
            // OS releases it and re-acquires it in that mode, on wake and on timeout alike.
            let ok = unsafe {
                th::SleepConditionVariableSRW(v.cv.get(), l.lock.get(), timeout_ms, flags)
            };
            if shared {
                l.shared.lock().push(id);
            } else {
                l.exclusive.store(id, Ordering::Release);
            }
            check(ok)
        });
        finish(r)
    }

    /// `WakeConditionVariable`.
    fn wake_condition_variable(&self, cv: ConditionVariable) -> Result<(), WsaError> {
        let r = self.cv_obj(cv).map(|v| {
            // SAFETY: an initialised, heap-pinned condition variable kept alive by this clone.
            unsafe { th::WakeConditionVariable(v.cv.get()) }
        });
        finish_kept(r)
    }

    /// `WakeAllConditionVariable`.
    fn wake_all_condition_variable(&self, cv: ConditionVariable) -> Result<(), WsaError> {
        let r = self.cv_obj(cv).map(|v| {
            // SAFETY: as in wake_condition_variable.
            unsafe { th::WakeAllConditionVariable(v.cv.get()) }
        });
        finish_kept(r)
    }

    /// `SetConsoleCtrlHandler(HandlerRoutine, TRUE)`: kept by this backend; the first one also
    /// registers this module's routine with the OS (see the module docs).
    fn set_console_ctrl_handler(
        &self,
        handler: ConsoleCtrlHandler<Self>,
    ) -> Result<CtrlHandlerId, WsaError> {
        let (id, first) = {
            let mut t = self.inner.sync.lock();
            let id = t.new_id();
            t.ctrl.push((id, Some(handler)));
            let first = !t.ctrl_registered;
            t.ctrl_registered = true;
            (id, first)
        };
        if first {
            register_ctrl_backend(&self.inner);
        }
        finish_kept(Ok(CtrlHandlerId::from_raw(id)))
    }

    /// `SetConsoleCtrlHandler(HandlerRoutine, FALSE)`: an unknown handler:
    /// ERROR_INVALID_PARAMETER.
    fn remove_console_ctrl_handler(&self, id: CtrlHandlerId) -> Result<(), WsaError> {
        let mut t = self.inner.sync.lock();
        let r = match t.ctrl.iter().position(|(i, _)| *i == id.raw()) {
            Some(p) => {
                t.ctrl.remove(p);
                Ok(())
            }
            None => Err(WsaError::WSA_INVALID_PARAMETER),
        };
        drop(t);
        finish_kept(r)
    }

    /// The test-raise path of `GenerateConsoleCtrlEvent(dwCtrlEvent, 0)`: runs this backend's
    /// handlers on a new thread `console-ctrl`, as Windows' control thread would (the real
    /// call is not made: see the module docs). Only CTRL_C_EVENT and CTRL_BREAK_EVENT can be
    /// generated (else ERROR_INVALID_PARAMETER).
    fn generate_console_ctrl_event(&self, ctrl_type: u32) -> Result<(), WsaError> {
        if ctrl_type > 1 {
            return finish(Err(WsaError::WSA_INVALID_PARAMETER));
        }
        let spawned =
            crate::api::Winsock::create_thread(self, "console-ctrl", move |n: &Native| {
                n.run_ctrl_handlers(ctrl_type);
                Ok(())
            });
        finish(spawned.map(drop))
    }

    /// Per-backend storage: clones of one backend share it, as the threads of one process do.
    fn process_global<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        process_global(self, init)
    }
}
