//! Win32 objects a server uses beside its sockets: event objects with both reset modes,
//! waits over events, mutexes, semaphores and thread handles, critical sections, SRW locks, condition
//! variables, console-control handlers and per-process storage.
//!
//! The locks block the *simulated* thread, never the OS thread: in the simulator every
//! simulated thread runs on one OS thread, so a `std` or `parking_lot` mutex held across a
//! WinSock call hangs the whole run and a reentrant one excludes nothing. These calls are
//! scheduling points like any other, so the seed explores the interleavings around them.
//!
//! The simulator and, on Windows, `os::Native` implement [`SyncObjects`] (the socket2 host
//! backend does not): `os::Native` maps each call to the kernel32 object of the same name, with
//! the simulator's owner checks kept in front of the calls that are undefined behaviour on
//! Windows.

use std::any::Any;
use std::sync::Arc;

use super::event_select::WsaEvent;
use super::types::ThreadId;
use super::{Winsock, WsaError};

/// WAIT_ABANDONED_0 (0x80): a wait acquired a mutex whose owner thread ended without releasing
/// it; `WAIT_ABANDONED_0 + i` names the handle.
pub const WAIT_ABANDONED_0: u32 = 0x80;
/// WAIT_ABANDONED (0x80), the single-object form.
pub const WAIT_ABANDONED: u32 = WAIT_ABANDONED_0;
/// MAXIMUM_WAIT_OBJECTS (64): most handles one `WaitForMultipleObjects` takes.
pub const MAXIMUM_WAIT_OBJECTS: usize = 64;
/// CONDITION_VARIABLE_LOCKMODE_SHARED (0x1): `SleepConditionVariableSRW` re-acquires the SRW
/// lock in shared mode.
pub const CONDITION_VARIABLE_LOCKMODE_SHARED: u32 = 0x1;

/// CRITICAL_SECTION_NO_DEBUG_INFO (0x01000000): an `InitializeCriticalSectionEx` flag.
pub const CRITICAL_SECTION_NO_DEBUG_INFO: u32 = 0x0100_0000;
/// RTL_CRITICAL_SECTION_FLAG_FORCE_DEBUG_INFO (0x10000000): an `InitializeCriticalSectionEx`
/// flag (Windows 8 and later).
pub const RTL_CRITICAL_SECTION_FLAG_FORCE_DEBUG_INFO: u32 = 0x1000_0000;

/// CTRL_C_EVENT (0): Ctrl+C, or `GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)`.
pub const CTRL_C_EVENT: u32 = 0;
/// CTRL_BREAK_EVENT (1): Ctrl+Break.
pub const CTRL_BREAK_EVENT: u32 = 1;
/// CTRL_CLOSE_EVENT (2): the console window is being closed.
pub const CTRL_CLOSE_EVENT: u32 = 2;
/// CTRL_LOGOFF_EVENT (5): the user logs off (services only).
pub const CTRL_LOGOFF_EVENT: u32 = 5;
/// CTRL_SHUTDOWN_EVENT (6): the system shuts down (services only).
pub const CTRL_SHUTDOWN_EVENT: u32 = 6;

opaque_handle!(
    /// CRITICAL_SECTION: a recursive, owner-checked lock of one process. In C it is a
    /// structure the program owns; here an opaque `Copy` value naming the simulator's object.
    CriticalSection
);
opaque_handle!(
    /// SRWLOCK: a slim reader/writer lock (not recursive: a thread that acquires it twice
    /// exclusively waits for itself, as on Windows, and the simulator reports the deadlock).
    SrwLock
);
opaque_handle!(
    /// CONDITION_VARIABLE: threads sleep on it with a critical section or SRW lock released.
    ConditionVariable
);
opaque_handle!(
    /// A mutex object (`CreateMutex`): a waitable handle owned by one thread at a time,
    /// recursive, abandoned when its owner thread ends.
    MutexHandle
);
opaque_handle!(
    /// A semaphore object (`CreateSemaphore`): a waitable count; a wait takes one unit.
    SemaphoreHandle
);
opaque_handle!(
    /// A waitable timer object (`CreateWaitableTimer`): signalled when its due time comes
    /// ([`WaitableTimers`](super::waitable_timer::WaitableTimers)).
    TimerHandle
);
opaque_handle!(
    /// The identity of a console-control handler, to remove it again (`SetConsoleCtrlHandler(
    /// HandlerRoutine, FALSE)` names the handler by its function pointer).
    CtrlHandlerId
);

/// A HANDLE that the wait functions take: an event, a mutex, a semaphore, a waitable timer or
/// a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Handle {
    /// An event object (`CreateEvent`, `WSACreateEvent`): signalled while set.
    Event(WsaEvent),
    /// A mutex object: signalled while no thread owns it.
    Mutex(MutexHandle),
    /// A thread (`CreateThread`'s handle): signalled once the thread has ended.
    Thread(ThreadId),
    /// A semaphore object: signalled while its count is above zero.
    Semaphore(SemaphoreHandle),
    /// A waitable timer: signalled from its due time on (a synchronization timer until a wait
    /// takes it, a manual-reset one until it is set again).
    Timer(TimerHandle),
}

impl Handle {
    /// The same kind of handle around another value (a duplicate's); a thread's handle, its
    /// id, stays as it is.
    pub(crate) fn with_value(self, raw: usize) -> Handle {
        match self {
            Handle::Event(_) => Handle::Event(WsaEvent::from_raw(raw)),
            Handle::Mutex(_) => Handle::Mutex(MutexHandle::from_raw(raw)),
            Handle::Semaphore(_) => Handle::Semaphore(SemaphoreHandle::from_raw(raw)),
            Handle::Timer(_) => Handle::Timer(TimerHandle::from_raw(raw)),
            Handle::Thread(t) => Handle::Thread(t),
        }
    }
}

impl From<TimerHandle> for Handle {
    fn from(t: TimerHandle) -> Handle {
        Handle::Timer(t)
    }
}

impl From<SemaphoreHandle> for Handle {
    fn from(s: SemaphoreHandle) -> Handle {
        Handle::Semaphore(s)
    }
}

impl From<WsaEvent> for Handle {
    fn from(e: WsaEvent) -> Handle {
        Handle::Event(e)
    }
}

impl From<MutexHandle> for Handle {
    fn from(m: MutexHandle) -> Handle {
        Handle::Mutex(m)
    }
}

impl From<ThreadId> for Handle {
    fn from(t: ThreadId) -> Handle {
        Handle::Thread(t)
    }
}

/// A console-control handler (`BOOL WINAPI HandlerRoutine(DWORD dwCtrlType)`): returns true
/// when it handled the signal. Windows runs handlers on a new thread of the process, the most
/// recently registered first, until one returns true.
pub type ConsoleCtrlHandler<W> = Box<dyn FnMut(&W, u32) -> bool + Send>;

/// Win32 synchronisation objects and process-level services, for server code ported from C.
///
/// The critical-section, SRW-lock and condition-variable calls other than the two sleeps
/// cannot fail in C (VOID, or a BOOLEAN answer), so when they succeed they leave the calling
/// thread's last error as it was (Wine's kernel32 sync.c 1930–1933: ERROR_TIMEOUT survives
/// LeaveCriticalSection).
///
/// ```
/// use winsock_sim::prelude::*;
///
/// /// Two workers add to a counter guarded by a critical section.
/// fn count<W: SyncObjects + Send + Sync + 'static>(ws: &W) -> Result<u32, WsaError> {
///     let cs = ws.initialize_critical_section()?;
///     let total = ws.process_global(|| std::sync::atomic::AtomicU32::new(0));
///     let mut workers = Vec::new();
///     for i in 0..2 {
///         let total = total.clone();
///         workers.push(Handle::from(ws.create_thread(&format!("w{i}"), move |ws: &W| {
///             for _ in 0..10 {
///                 ws.enter_critical_section(cs)?;
///                 let v = total.load(std::sync::atomic::Ordering::Relaxed);
///                 ws.sleep(0); // a scheduling point inside the critical section
///                 total.store(v + 1, std::sync::atomic::Ordering::Relaxed);
///                 ws.leave_critical_section(cs)?;
///             }
///             Ok(())
///         })?));
///     }
///     ws.wait_for_multiple_objects(&workers, true, INFINITE)?;
///     Ok(total.load(std::sync::atomic::Ordering::Relaxed))
/// }
/// ```
pub trait SyncObjects: Winsock + Sized {
    /// `CreateEvent(NULL, bManualReset, bInitialState, NULL)`: an event object. An auto-reset
    /// event releases one waiter and resets itself. A kernel call: it needs no `WSAStartup`.
    fn create_event(&self, manual_reset: bool, initial_state: bool) -> Result<WsaEvent, WsaError>;

    /// `SetEvent(hEvent)`: not an event: ERROR_INVALID_HANDLE (`WSA_INVALID_HANDLE`, 6).
    fn set_event(&self, event: WsaEvent) -> Result<(), WsaError>;

    /// `ResetEvent(hEvent)`: not an event: ERROR_INVALID_HANDLE.
    fn reset_event(&self, event: WsaEvent) -> Result<(), WsaError>;

    /// `CloseHandle(h)` of an event, mutex, semaphore or waitable timer (a timer stops, and
    /// its queued completion routine is taken back; a thread handle closes without effect:
    /// the thread runs on). A handle already closed: ERROR_INVALID_HANDLE.
    fn close_handle(&self, h: Handle) -> Result<(), WsaError>;

    /// `WaitForSingleObject(hHandle, dwMilliseconds)`: WAIT_OBJECT_0, WAIT_TIMEOUT, or
    /// WAIT_ABANDONED for a mutex whose owner ended. A bad handle: ERROR_INVALID_HANDLE. The
    /// low 2 bits of a kernel object's handle value are ignored, as on Windows (Wine's
    /// kernel32 sync.c 1320–1360), and a wait that does not fail leaves the last error as it
    /// was.
    fn wait_for_single_object(&self, h: Handle, timeout_ms: u32) -> Result<u32, WsaError> {
        self.wait_for_multiple_objects(&[h], false, timeout_ms)
    }

    /// `WaitForMultipleObjects(nCount, lpHandles, bWaitAll, dwMilliseconds)` over events,
    /// mutexes and threads: `WAIT_OBJECT_0 + i` (the lowest signalled index for wait-any; 0
    /// when all are signalled for wait-all, acquired at once), `WAIT_ABANDONED_0 + i`, or
    /// WAIT_TIMEOUT. A wait that blocked is satisfied by the signal itself, as NT's dispatcher
    /// does: the object whose signal released it is the one returned, and what the wait takes
    /// (an auto-reset event's signal, a semaphore count, a mutex) is the waiter's at once, so
    /// the signalling thread's own wait right after does not get it. 0 or more than 64 handles, or one handle twice in a wait-all:
    /// ERROR_INVALID_PARAMETER; a bad handle:
    /// ERROR_INVALID_HANDLE. (`WaitForMultipleObjectsEx`, the alertable form, is
    /// [`OverlappedIo::wait_for_multiple_objects_ex`](super::OverlappedIo).)
    fn wait_for_multiple_objects(
        &self,
        handles: &[Handle],
        wait_all: bool,
        timeout_ms: u32,
    ) -> Result<u32, WsaError>;

    /// `SignalObjectAndWait(hObjectToSignal, hObjectToWaitOn, dwMilliseconds, bAlertable)`:
    /// signals an event (SetEvent), a semaphore (ReleaseSemaphore by 1) or a mutex
    /// (ReleaseMutex), then waits on `wait` as
    /// [`wait_for_single_object`](Self::wait_for_single_object) does (with `alertable`, APCs
    /// end it with WAIT_IO_COMPLETION). Either handle invalid, or `signal` of another kind:
    /// ERROR_INVALID_HANDLE, nothing signalled. A signal that fails (a semaphore at its
    /// maximum: ERROR_TOO_MANY_POSTS; a mutex the caller does not own: ERROR_NOT_OWNER) fails
    /// the call before any wait. The simulator waits right after the signal, with no other
    /// thread running between (Windows does not promise that).
    fn signal_object_and_wait(
        &self,
        signal: Handle,
        wait: Handle,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError>;

    /// `GetCurrentThreadId()`: the calling thread's identifier (non-zero, a multiple of 4 as
    /// Windows gives them; the simulator derives it from the thread's index).
    fn get_current_thread_id(&self) -> u32;

    /// `GetCurrentThread()` made real: the calling thread's handle, to wait on or queue APCs to.
    fn get_current_thread(&self) -> ThreadId;

    /// `CreateMutex(NULL, bInitialOwner, NULL)`: a mutex object, owned by the caller when
    /// `initial_owner`.
    fn create_mutex(&self, initial_owner: bool) -> Result<MutexHandle, WsaError>;

    /// `ReleaseMutex(hMutex)`: undoes one acquisition. The caller does not own it:
    /// ERROR_NOT_OWNER (288); not a mutex: ERROR_INVALID_HANDLE.
    fn release_mutex(&self, m: MutexHandle) -> Result<(), WsaError>;

    /// `CreateSemaphore(NULL, lInitialCount, lMaximumCount, NULL)`: a semaphore. A maximum
    /// below 1 or an initial count outside 0..=maximum: ERROR_INVALID_PARAMETER (87).
    fn create_semaphore(&self, initial: i32, maximum: i32) -> Result<SemaphoreHandle, WsaError>;

    /// `ReleaseSemaphore(hSemaphore, lReleaseCount, &lPreviousCount)`: adds `count` and returns
    /// the previous count. A count below 1: ERROR_INVALID_PARAMETER; past the maximum:
    /// ERROR_TOO_MANY_POSTS (298), the count unchanged; not a semaphore: ERROR_INVALID_HANDLE.
    fn release_semaphore(&self, s: SemaphoreHandle, count: i32) -> Result<i32, WsaError>;

    /// `InitializeCriticalSection(&cs)`: a new, unowned critical section of this process.
    fn initialize_critical_section(&self) -> Result<CriticalSection, WsaError>;

    /// `InitializeCriticalSectionEx(&cs, dwSpinCount, Flags)`: as
    /// [`initialize_critical_section`](Self::initialize_critical_section); the spin count and
    /// the debug-info flags (CRITICAL_SECTION_NO_DEBUG_INFO,
    /// RTL_CRITICAL_SECTION_FLAG_FORCE_DEBUG_INFO) change nothing observable here, and since
    /// Windows 8 each of them succeeds (Wine's sync.c test_crit_section, lines 2836–2884).
    fn initialize_critical_section_ex(
        &self,
        spin_count: u32,
        flags: u32,
    ) -> Result<CriticalSection, WsaError> {
        let _ = (spin_count, flags);
        self.initialize_critical_section()
    }

    /// `DeleteCriticalSection(&cs)`: later use gives ERROR_INVALID_HANDLE (undefined
    /// behaviour on Windows, reported by the simulator).
    fn delete_critical_section(&self, cs: CriticalSection) -> Result<(), WsaError>;

    /// `EnterCriticalSection(&cs)`: waits until no other thread owns it; recursive for the
    /// owner. A scheduling point.
    fn enter_critical_section(&self, cs: CriticalSection) -> Result<(), WsaError>;

    /// `TryEnterCriticalSection(&cs)`: true when it was entered (or re-entered), false when
    /// another thread owns it. Never waits.
    fn try_enter_critical_section(&self, cs: CriticalSection) -> Result<bool, WsaError>;

    /// `LeaveCriticalSection(&cs)`: undoes one entry. Windows does not check the owner (a
    /// leave by another thread corrupts the lock); the simulator does and returns
    /// ERROR_NOT_OWNER (288), so the bug shows.
    fn leave_critical_section(&self, cs: CriticalSection) -> Result<(), WsaError>;

    /// `InitializeSRWLock(&lock)` (or SRWLOCK_INIT).
    fn initialize_srw_lock(&self) -> Result<SrwLock, WsaError>;

    /// `AcquireSRWLockExclusive(&lock)`: waits until no thread holds it in either mode.
    fn acquire_srw_lock_exclusive(&self, lock: SrwLock) -> Result<(), WsaError>;

    /// `AcquireSRWLockShared(&lock)`: waits while a thread holds it exclusively or waits in
    /// `AcquireSRWLockExclusive` for it (a waiting writer goes first: Wine's sync.c
    /// test_srwlock_base, lines 2432–2444), so taking a shared hold twice can deadlock.
    fn acquire_srw_lock_shared(&self, lock: SrwLock) -> Result<(), WsaError>;

    /// `TryAcquireSRWLockExclusive(&lock)`: true when acquired. Never waits.
    fn try_acquire_srw_lock_exclusive(&self, lock: SrwLock) -> Result<bool, WsaError>;

    /// `TryAcquireSRWLockShared(&lock)`: true when acquired; false while a thread holds it
    /// exclusively or waits to (sync.c test_srwlock_base, lines 2376–2383). Never waits.
    fn try_acquire_srw_lock_shared(&self, lock: SrwLock) -> Result<bool, WsaError>;

    /// `ReleaseSRWLockExclusive(&lock)`: the caller does not hold it exclusively:
    /// ERROR_NOT_OWNER (a simulator check; undefined behaviour on Windows).
    fn release_srw_lock_exclusive(&self, lock: SrwLock) -> Result<(), WsaError>;

    /// `ReleaseSRWLockShared(&lock)`: the caller does not hold it shared: ERROR_NOT_OWNER.
    fn release_srw_lock_shared(&self, lock: SrwLock) -> Result<(), WsaError>;

    /// `InitializeConditionVariable(&cv)`.
    fn initialize_condition_variable(&self) -> Result<ConditionVariable, WsaError>;

    /// `SleepConditionVariableCS(&cv, &cs, dwMilliseconds)`: leaves `cs` (which the caller
    /// must own), sleeps until woken or the time runs out, and enters `cs` again (restoring its
    /// recursion count). Timed out: ERROR_TIMEOUT (1460), with `cs` owned again; not the
    /// owner: ERROR_NOT_OWNER.
    fn sleep_condition_variable_cs(
        &self,
        cv: ConditionVariable,
        cs: CriticalSection,
        timeout_ms: u32,
    ) -> Result<(), WsaError>;

    /// `SleepConditionVariableSRW(&cv, &lock, dwMilliseconds, Flags)`: as the CS form with an
    /// SRW lock held exclusively, or shared with CONDITION_VARIABLE_LOCKMODE_SHARED.
    fn sleep_condition_variable_srw(
        &self,
        cv: ConditionVariable,
        lock: SrwLock,
        timeout_ms: u32,
        flags: u32,
    ) -> Result<(), WsaError>;

    /// `WakeConditionVariable(&cv)`: wakes the longest sleeper, if any.
    fn wake_condition_variable(&self, cv: ConditionVariable) -> Result<(), WsaError>;

    /// `WakeAllConditionVariable(&cv)`: wakes every sleeper.
    fn wake_all_condition_variable(&self, cv: ConditionVariable) -> Result<(), WsaError>;

    /// `SetConsoleCtrlHandler(HandlerRoutine, TRUE)`: adds a handler to this process's list.
    fn set_console_ctrl_handler(
        &self,
        handler: ConsoleCtrlHandler<Self>,
    ) -> Result<CtrlHandlerId, WsaError>;

    /// `SetConsoleCtrlHandler(HandlerRoutine, FALSE)`: removes a handler; an unknown one:
    /// ERROR_INVALID_PARAMETER (87).
    fn remove_console_ctrl_handler(&self, id: CtrlHandlerId) -> Result<(), WsaError>;

    /// `GenerateConsoleCtrlEvent(dwCtrlEvent, 0)`: raises a console-control signal in this
    /// process. As on Windows the handlers run on a new thread of the process (named
    /// `console-ctrl` in the simulator's reports); the call returns at once.
    fn generate_console_ctrl_event(&self, ctrl_type: u32) -> Result<(), WsaError>;

    /// Per-process storage for what C code keeps in globals: the value of type `T` of the
    /// calling thread's process, made by `init` the first time any thread of the process asks
    /// (if two threads race through `init`, the first stored value wins and both get it).
    /// Each simulated host is a separate process and has its own.
    fn process_global<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T>;
}
