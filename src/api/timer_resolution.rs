//! The system timer resolution and the multimedia timers: winmm's `timeBeginPeriod`,
//! `timeEndPeriod`, `timeGetDevCaps`, `timeGetTime`, `timeSetEvent` and `timeKillEvent`
//! ([`TimerResolutions`]).
//!
//! Windows checks its timers on each clock interrupt, every 15.625 ms by default, so a timed
//! wait or timer ends on one: `Sleep(1)` ends at the next interrupt (sooner than 1 ms, or up
//! to 15.6 ms later), `Sleep(16)` takes two periods, a frame loop that sleeps 16 ms runs at
//! 32 frames a second. A process that needs finer timing asks for a shorter period with
//! `timeBeginPeriod(1)` and gives it back with `timeEndPeriod(1)` (since Windows 10 2004 the
//! request changes its own timers only). `GetTickCount` keeps advancing in steps of the
//! default period.
//!
//! In the simulator the interrupt is modelled under
//! [`TimerResolution::Windows`](crate::sim::TimerResolution::Windows) (see
//! [`SimBuilder::timer_resolution`](crate::sim::SimBuilder::timer_resolution)); under the
//! default, `Exact`, waits end at their deadline and these calls only keep their books. A
//! host is one process: its requests go with a crash.
//!
//! A multimedia timer (`timeSetEvent`) calls a function, or sets an event, once or every
//! `delay` ms, on a schedule that a late expiry does not move (a 50-ms timer fires 20 times a
//! second even on a 15.6-ms clock, some expiries 46.9 ms apart, some 62.5): the fixed-rate
//! tick of older game servers. A process has at most 16; every one fires on the process's
//! one winmm timer thread, callbacks one after the other.

use std::sync::Arc;

use super::{WsaError, WsaEvent};

/// `TIMECAPS`: the periods `timeBeginPeriod` takes, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeCaps {
    /// wPeriodMin: 1 on Windows.
    pub period_min: u32,
    /// wPeriodMax: 1,000,000 on Windows 10 and later (Wine: 65,535).
    pub period_max: u32,
}

/// TIME_ONESHOT: `timeSetEvent` fires once; the timer is then gone.
pub const TIME_ONESHOT: u32 = 0;

/// TIME_PERIODIC: `timeSetEvent` fires every `delay` ms until `timeKillEvent`.
pub const TIME_PERIODIC: u32 = 1;

/// TIME_KILL_SYNCHRONOUS: no expiry follows `timeKillEvent`. The simulator's `timeKillEvent`
/// always stops the timer at once, so the flag changes nothing there.
pub const TIME_KILL_SYNCHRONOUS: u32 = 0x100;

/// A multimedia timer's callback (`LPTIMECALLBACK`: `dwUser` is whatever the closure
/// captures; the `u32` is the timer's id), run on the process's winmm timer thread.
pub type TimeCallback<W> = Arc<dyn Fn(&W, u32) + Send + Sync>;

/// What a multimedia timer does when it fires.
pub enum TimeEvent<W> {
    /// TIME_CALLBACK_FUNCTION: calls the function.
    Callback(TimeCallback<W>),
    /// TIME_CALLBACK_EVENT_SET: sets the event (`SetEvent`). TIME_CALLBACK_EVENT_PULSE is not
    /// modelled.
    SetEvent(WsaEvent),
}

/// The timer-resolution and multimedia-timer calls of winmm (kernel32 forwards the first
/// four since Windows 8).
pub trait TimerResolutions {
    /// `timeBeginPeriod(uPeriod)`: asks for a clock interrupt at least every `period_ms`
    /// until the matching `timeEndPeriod`; the smallest period held wins (a larger one than
    /// the default changes nothing). Outside 1 to 1,000,000 ms:
    /// [`WsaError::TIMERR_NOCANDO`]. The MMRESULT is the result: the last error is not
    /// touched. In the simulator: the host's period until then, under
    /// `TimerResolution::Windows`.
    fn time_begin_period(&self, period_ms: u32) -> Result<(), WsaError>;

    /// `timeEndPeriod(uPeriod)`: gives back one `timeBeginPeriod(period_ms)`. Outside 1 to
    /// 1,000,000 ms: [`WsaError::TIMERR_NOCANDO`]; a period not held succeeds and changes
    /// nothing (the simulator names it in `Report::misuses`).
    fn time_end_period(&self, period_ms: u32) -> Result<(), WsaError>;

    /// `timeGetDevCaps(&caps, sizeof caps)`: the range of periods `timeBeginPeriod` takes.
    /// In the simulator Windows' 1 to 1,000,000.
    fn time_get_dev_caps(&self) -> TimeCaps;

    /// `timeGetTime()`: milliseconds since the system started, wrapping every 2^32 ms, as
    /// of the last clock interrupt. In the simulator the host's uptime (as `GetTickCount`'s),
    /// at the last interrupt under `TimerResolution::Windows`.
    fn time_get_time(&self) -> u32;

    /// `timeSetEvent(uDelay, uResolution, lpTimeProc, dwUser, fuEvent)`: a multimedia timer
    /// firing `delay_ms` from now ([`TIME_ONESHOT`]) or every `delay_ms`
    /// ([`TIME_PERIODIC`]), doing `what`; its id (never 0). A delay outside 1 to 1,000,000
    /// ms, or a process with 16 timers already, is NULL: [`WsaError::TIMERR_NOCANDO`] here.
    /// `resolution_ms` is accepted (the expiries follow the clock interrupt anyway). In the
    /// simulator each host has a winmm timer thread that fires its timers on their schedule,
    /// on the host's clock interrupt under `TimerResolution::Windows`.
    fn time_set_event(
        &self,
        delay_ms: u32,
        resolution_ms: u32,
        what: TimeEvent<Self>,
        flags: u32,
    ) -> Result<u32, WsaError>
    where
        Self: Sized;

    /// `timeKillEvent(uTimerID)`: stops the timer; one not there (killed, a once-only one
    /// that fired, never made) is [`WsaError::TIMERR_NOCANDO`]. Its own callback may kill it.
    fn time_kill_event(&self, id: u32) -> Result<(), WsaError>;
}
