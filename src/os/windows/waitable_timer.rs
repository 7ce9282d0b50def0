//! [`WaitableTimers`] for [`Native`]: kernel32's waitable timers (CreateWaitableTimerW,
//! SetWaitableTimer, CancelWaitableTimer) and GetSystemTimeAsFileTime.
//!
//! A timer is a kernel HANDLE in this backend's table (`Kernel::Timer`), as its mutexes and
//! semaphores are. **Completion routines.** SetWaitableTimer gets one trampoline
//! ([`timer_apc`]) and, as `lpArgToCompletionRoutine`, the address of an `Arc<TimerArg>`
//! holding the user's routine and a weak reference to the backend; the table keeps that `Arc`
//! beside the timer. The OS calls the trampoline once per expiry, in an alertable wait of the
//! setting thread; the trampoline takes a strong count of its own for the call, so a routine
//! that sets its own timer again (which drops the table's `Arc`) does not free itself while it
//! runs. The table drops its `Arc` only after an OS call that takes back every APC the old
//! setting queued: the next SetWaitableTimer, CancelWaitableTimer, and the CancelWaitableTimer
//! that CloseHandle (and the table's drop) makes first, so no APC can reach a freed argument.
//!
//! CloseHandle of a timer set without a routine cancels nothing: the OS keeps the object while
//! another thread's wait holds it, and its expiry releases that wait (rule HOLD-wait), as in
//! the simulator. Only a timer whose setting has a routine is cancelled first.

use std::sync::{Arc, Weak};

use windows_sys::Win32::Foundation::{CloseHandle, FILETIME, HANDLE};
use windows_sys::Win32::System::SystemInformation as si;
use windows_sys::Win32::System::Threading as th;

use super::alertable::run_caught;
use super::lock_table::Kernel;
use super::native::{finish, finish_kept, Inner, Native};
use super::sync_lookup::check;
use crate::api::{TimerApcRoutine, TimerHandle, WaitableTimers, WsaError};

/// What a timer's completion routine needs when the OS calls it.
pub(super) struct TimerArg {
    backend: Weak<Inner>,
    routine: TimerApcRoutine<Native>,
}

/// `PTIMERAPCROUTINE`'s function type.
type TimerApcFn = unsafe extern "system" fn(*const core::ffi::c_void, u32, u32);

/// The `PTIMERAPCROUTINE` of every timer set with a routine.
unsafe extern "system" fn timer_apc(arg: *const core::ffi::c_void, low: u32, high: u32) {
    let arg = arg.cast::<TimerArg>();
    // SAFETY: `arg` is the address of the `Arc<TimerArg>` of this setting, which the table
    // holds until an OS call has taken back this setting's APCs (module docs), so while the OS
    // runs one the allocation is live. The increment gives this call a count of its own, which
    // `from_raw` takes over and drops at the end of the call.
    let arg = unsafe {
        Arc::increment_strong_count(arg);
        Arc::from_raw(arg)
    };
    if let Some(inner) = arg.backend.upgrade() {
        let native = Native { inner };
        run_caught(|| (arg.routine)(&native, low, high));
    }
}

impl Native {
    /// Stops timer `h` (CancelWaitableTimer, which takes back its queued APC) and releases the
    /// argument of its routine, if it has one.
    pub(super) fn stop_timer(&self, raw: usize) -> Result<(), WsaError> {
        // SAFETY: `raw` is an open timer of this backend (the caller holds it in the table).
        let r = check(unsafe { th::CancelWaitableTimer(raw as HANDLE) });
        // The cancel took back the setting's APC: its argument may go.
        self.inner.sync.lock().timer_args.remove(&raw);
        r
    }

    /// `CloseHandle` of timer `raw`: if its setting has a routine, stopped first (its queued
    /// APC taken back and the routine's argument released); then out of the table and closed.
    pub(super) fn close_timer(&self, raw: usize) -> Result<(), WsaError> {
        if !self.is_kernel(raw, Kernel::Timer) {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        if self.inner.sync.lock().timer_args.contains_key(&raw) {
            let _ = self.stop_timer(raw);
        }
        if self.inner.sync.lock().kernel.remove(&raw).is_none() {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        // SAFETY: created by this backend and just removed from its table: closed once.
        check(unsafe { CloseHandle(raw as HANDLE) })
    }
}

impl WaitableTimers for Native {
    fn create_waitable_timer(&self, manual_reset: bool) -> Result<TimerHandle, WsaError> {
        // SAFETY: null attributes and name (allowed); an integer otherwise.
        let h = unsafe {
            th::CreateWaitableTimerW(std::ptr::null(), i32::from(manual_reset), std::ptr::null())
        };
        finish(
            self.adopt_kernel(h, Kernel::Timer)
                .map(TimerHandle::from_raw),
        )
    }

    fn set_waitable_timer(
        &self,
        timer: TimerHandle,
        due_time: i64,
        period_ms: i32,
        routine: Option<TimerApcRoutine<Self>>,
        resume: bool,
    ) -> Result<(), WsaError> {
        let raw = timer.raw();
        if !self.is_kernel(raw, Kernel::Timer) {
            // Not a timer of this backend, so not the OS's to see; Windows' NtSetTimer
            // refuses a negative period before it looks the handle up.
            return finish(Err(if period_ms < 0 {
                WsaError::WSA_INVALID_PARAMETER
            } else {
                WsaError::WSA_INVALID_HANDLE
            }));
        }
        let arg = routine.map(|routine| {
            Arc::new(TimerArg {
                backend: Arc::downgrade(&self.inner),
                routine,
            })
        });
        let arg_ptr = arg.as_ref().map_or(std::ptr::null(), |a| {
            Arc::as_ptr(a).cast::<core::ffi::c_void>()
        });
        let r = self.on_kernel(raw, Kernel::Timer, |h| {
            // SAFETY: `h` is an open timer of this backend (the table's lock is held); the due
            // time is a live local; `arg_ptr` is null or the address of an `Arc<TimerArg>`
            // that `arg` keeps alive until the table takes it (below), and the table until the
            // OS has taken back this setting's APCs (module docs).
            check(unsafe {
                th::SetWaitableTimer(
                    h,
                    &due_time,
                    period_ms,
                    arg.as_ref().map(|_| timer_apc as TimerApcFn),
                    arg_ptr,
                    i32::from(resume),
                )
            })
        });
        if r.is_ok() {
            // The new setting took back the old one's APCs: the old argument may go.
            let mut t = self.inner.sync.lock();
            match arg {
                Some(a) => t
                    .timer_args
                    .insert(raw, a as Arc<dyn std::any::Any + Send + Sync>),
                None => t.timer_args.remove(&raw),
            };
        }
        finish(r)
    }

    fn cancel_waitable_timer(&self, timer: TimerHandle) -> Result<(), WsaError> {
        let raw = timer.raw();
        let r = if self.is_kernel(raw, Kernel::Timer) {
            self.stop_timer(raw)
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        };
        finish_kept(r)
    }

    fn get_system_time_as_file_time(&self) -> u64 {
        filetime_from(si::GetSystemTimeAsFileTime)
    }

    fn get_system_time_precise_as_file_time(&self) -> u64 {
        filetime_from(si::GetSystemTimePreciseAsFileTime)
    }
}

/// The FILETIME `read` (GetSystemTimeAsFileTime or its precise twin) writes, as one number.
fn filetime_from(read: unsafe extern "system" fn(*mut FILETIME)) -> u64 {
    let mut ft = FILETIME {
        dwLowDateTime: 0,
        dwHighDateTime: 0,
    };
    // SAFETY: `read` is one of kernel32's two GetSystemTime*AsFileTime, which write the live
    // local `ft` and nothing else.
    unsafe { read(&mut ft) };
    u64::from(ft.dwLowDateTime) | u64::from(ft.dwHighDateTime) << 32
}
