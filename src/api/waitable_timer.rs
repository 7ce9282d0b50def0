//! Waitable timers: `CreateWaitableTimer`, `SetWaitableTimer`, `CancelWaitableTimer`, and
//! `GetSystemTimeAsFileTime` for the absolute due times they take.
//!
//! A waitable timer is a kernel object that becomes signalled when its due time comes, and
//! again every period after that if it has one. A server waits on it beside its sockets' events
//! (a game loop's tick with `WaitForMultipleObjects`), or gives it a completion routine, which
//! the kernel queues as an APC to the thread that set the timer, to run in that thread's next
//! alertable wait (`SleepEx`, `WaitForSingleObjectEx`, ... with `bAlertable`).
//!
//! Windows' rules, as this module's backends keep them:
//! - a new timer is inactive and not signalled;
//! - `SetWaitableTimer` stops the timer if it was active, resets it to not signalled, takes
//!   back the APCs its last setting queued and has not run yet, and starts it again; a due
//!   time already past signals it at once;
//! - when the due time comes the timer is signalled (a manual-reset, *notification* timer stays
//!   signalled until it is set again; a *synchronization* timer releases one wait and resets),
//!   its routine's APC is queued, and a periodic timer is due again one period after its last
//!   due time;
//! - `CancelWaitableTimer` stops the timer and takes back its queued APCs, but does not change
//!   whether it is signalled;
//! - a timer with a routine is cancelled when the thread that set it ends.
//!
//! In the simulator the due times are virtual: a timer due in 50 ms fires when the virtual clock
//! reaches it, exactly then by default, or on the host's next clock interrupt (every 15.625 ms
//! unless `timeBeginPeriod` asked for less) under
//! [`TimerResolution::Windows`](crate::sim::TimerResolution::Windows), a period rounded up to
//! whole interrupts; the system time starts at [`SIM_EPOCH_FILETIME`] when the run does.

use std::sync::Arc;

use super::sync::{SyncObjects, TimerHandle};
use super::WsaError;

/// A timer's completion routine (`PTIMERAPCROUTINE`: `lpArgToCompletionRoutine` is whatever the
/// closure captures; the two `u32`s are `dwTimerLowValue` and `dwTimerHighValue`, the UTC
/// FILETIME at which the timer was signalled). Called once per expiry, as an APC of the thread
/// that set the timer.
pub type TimerApcRoutine<W> = Arc<dyn Fn(&W, u32, u32) + Send + Sync>;

/// FILETIME units (100 ns) in a millisecond: a relative due time of `-50 *
/// FILETIME_TICKS_PER_MS` is 50 ms from now.
pub const FILETIME_TICKS_PER_MS: i64 = 10_000;

/// CREATE_WAITABLE_TIMER_MANUAL_RESET: `CreateWaitableTimerEx`'s flag for a manual-reset
/// (notification) timer.
pub const CREATE_WAITABLE_TIMER_MANUAL_RESET: u32 = 0x1;

/// CREATE_WAITABLE_TIMER_HIGH_RESOLUTION (Windows 10 1803 and later): `CreateWaitableTimerEx`'s
/// flag for a timer that falls due at its due time rather than on the next clock interrupt.
/// In the simulator its due times and period stay exact under
/// [`TimerResolution::Windows`](crate::sim::TimerResolution::Windows).
pub const CREATE_WAITABLE_TIMER_HIGH_RESOLUTION: u32 = 0x2;

/// The simulator's system time at the start of every run, as a FILETIME (100-ns units since
/// 1601-01-01 UTC): 2026-01-01 00:00:00 UTC. Fixed, so that absolute due times and the times
/// a timer routine is given replay with the seed.
pub const SIM_EPOCH_FILETIME: u64 = 134_116_992_000_000_000;

/// The waitable timer calls (kernel32; they need no `WSAStartup`).
///
/// ```
/// use winsock_sim::prelude::*;
///
/// /// A game loop's tick: every 50 ms, as long as `ticks` asks.
/// fn tick<W: WaitableTimers>(ws: &W, ticks: u32) -> Result<u32, WsaError> {
///     let timer = ws.create_waitable_timer(false)?;
///     ws.set_waitable_timer(timer, -50 * FILETIME_TICKS_PER_MS, 50, None, false)?;
///     let mut n = 0;
///     while n < ticks {
///         if ws.wait_for_single_object(timer.into(), INFINITE)? == WAIT_OBJECT_0 {
///             n += 1; // advance the world one step
///         }
///     }
///     ws.cancel_waitable_timer(timer)?;
///     ws.close_handle(Handle::Timer(timer))?;
///     Ok(n)
/// }
/// ```
pub trait WaitableTimers: SyncObjects {
    /// `CreateWaitableTimer(NULL, bManualReset, NULL)`: a new, inactive, unsignalled timer. A
    /// manual-reset (notification) timer stays signalled once due until it is set again; a
    /// synchronization timer is reset by the wait it releases. Closed with `close_handle`
    /// (`Handle::Timer`), which also stops it.
    fn create_waitable_timer(&self, manual_reset: bool) -> Result<TimerHandle, WsaError>;

    /// `SetWaitableTimer(hTimer, &liDueTime, lPeriod, pfnCompletionRoutine, lpArg, fResume)`.
    /// `due_time` as C's `LARGE_INTEGER`: negative is relative to now in 100-ns units
    /// ([`FILETIME_TICKS_PER_MS`]), zero or positive an absolute UTC FILETIME
    /// ([`WaitableTimers::get_system_time_as_file_time`]); a time already past signals the
    /// timer at once. `period_ms` 0 fires once, more re-arms it every `period_ms` after each
    /// due time; negative is ERROR_INVALID_PARAMETER. `routine`, if any, is queued as an APC
    /// to this thread at every expiry. The timer is stopped first, reset to unsignalled, and
    /// the APCs its earlier setting queued and no thread has run yet are taken back.
    /// `resume` (wake a suspended system) has nothing to wake in the simulator. Not a timer:
    /// ERROR_INVALID_HANDLE.
    fn set_waitable_timer(
        &self,
        timer: TimerHandle,
        due_time: i64,
        period_ms: i32,
        routine: Option<TimerApcRoutine<Self>>,
        resume: bool,
    ) -> Result<(), WsaError>;

    /// `CancelWaitableTimer(hTimer)`: stops the timer (a stopped one too: success) and takes
    /// back its queued APCs; whether it is signalled does not change. Not a timer:
    /// ERROR_INVALID_HANDLE.
    fn cancel_waitable_timer(&self, timer: TimerHandle) -> Result<(), WsaError>;

    /// `GetSystemTimeAsFileTime(&ft)`: the UTC system time in 100-ns units since 1601-01-01,
    /// as of the last clock interrupt (in the simulator: [`SIM_EPOCH_FILETIME`] plus the
    /// virtual time elapsed, to the last interrupt under `TimerResolution::Windows`).
    fn get_system_time_as_file_time(&self) -> u64;

    /// `GetSystemTimePreciseAsFileTime(&ft)`: the same clock at the highest resolution the
    /// system has (Windows 8 and later; what Rust's `SystemTime::now` reads on Windows). In
    /// the simulator the virtual clock itself, which
    /// [`WaitableTimers::get_system_time_as_file_time`] also shows unless
    /// `TimerResolution::Windows` holds it to the last clock interrupt.
    fn get_system_time_precise_as_file_time(&self) -> u64;
}
