//! The system timer resolution: winmm's `timeBeginPeriod`, `timeEndPeriod`,
//! `timeGetDevCaps` and `timeGetTime` ([`TimerResolutions`]).
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

use super::WsaError;

/// `TIMECAPS`: the periods `timeBeginPeriod` takes, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeCaps {
    /// wPeriodMin: 1 on Windows.
    pub period_min: u32,
    /// wPeriodMax: 1,000,000 on Windows 10 and later (Wine: 65,535).
    pub period_max: u32,
}

/// The timer-resolution calls of winmm (kernel32 forwards them since Windows 8).
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
}
