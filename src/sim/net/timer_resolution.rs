//! Each host's clock interrupt (the system timer resolution) and when timed waits and timers
//! fall due on it.
//!
//! Under [`TimerResolution::Windows`] a host's clock interrupts every 15.625 ms, or every `n`
//! ms while its process holds a `timeBeginPeriod(n)` with `n` smaller (the smallest held
//! wins; since Windows 10 2004 a process's requests change only its own timers, and a host
//! is one process here). The kernel checks its timers on each interrupt and counts a
//! relative timeout from the interrupt time it last recorded, so a wait of `t` ms falls due
//! at the first interrupt at or after the last interrupt plus `t`: as the `Sleep`
//! documentation says, a wait shorter than the period can end sooner than asked, and one
//! between one and two periods takes between one and two. Interrupts fall at multiples of
//! the period of the host's uptime (`FaultRule::Uptime` included).
//!
//! Under [`TimerResolution::Exact`] (the default) every due time is its deadline.

use crate::sim::net::{NetHooks, NetLayers};
use crate::sim::runtime::{Nanos, TimerResolution, World, MAX_NANOS};

/// Windows' default clock interrupt period, 15.625 ms (64 Hz), which `GetTickCount`
/// counts in whatever the current resolution.
pub(crate) const DEFAULT_PERIOD: Nanos = 15_625_000;

/// The smallest and largest period `timeBeginPeriod` takes, in ms (`timeGetDevCaps`'s
/// `wPeriodMin` and `wPeriodMax` on Windows 10 and later).
pub(crate) const PERIOD_RANGE_MS: (u32, u32) = (1, 1_000_000);

/// `t` rounded up to a multiple of `period` counted from `offset` before 0 (the interrupt at
/// or after `t`).
fn ceil_to(t: Nanos, period: Nanos, offset: Nanos) -> Nanos {
    let u = t.saturating_add(offset);
    let r = u % period;
    let up = if r == 0 {
        u
    } else {
        u.saturating_add(period - r)
    };
    up.saturating_sub(offset).min(MAX_NANOS.max(t))
}

/// A host's clock interrupts as they stand: for rounding many due times without the world.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Interrupts {
    /// Their period (`None`: due times are exact).
    period: Option<Nanos>,
    /// The host's uptime at virtual time 0: the interrupts fall at multiples of the period
    /// of the uptime.
    offset: Nanos,
}

impl Interrupts {
    /// No interrupt: every due time exact (a high-resolution timer's).
    pub(crate) const EXACT: Interrupts = Interrupts {
        period: None,
        offset: 0,
    };

    /// `interval` from `now`: then exactly, or the first interrupt at or after the last one
    /// plus `interval`.
    pub(crate) fn wait_due(self, now: Nanos, interval: Nanos) -> Nanos {
        let Some(period) = self.period else {
            return now.saturating_add(interval);
        };
        // On the host's uptime, where the interrupts are multiples of the period.
        let up = now.saturating_add(self.offset);
        let due = (up - up % period).saturating_add(interval);
        ceil_to(due, period, 0)
            .saturating_sub(self.offset)
            .min(MAX_NANOS.max(now))
    }

    /// `period` rounded up to whole interrupts (unchanged when exact or 0).
    pub(crate) fn whole_periods(self, period: Nanos) -> Nanos {
        match self.period {
            Some(p) if period > 0 => period.div_ceil(p).saturating_mul(p),
            _ => period,
        }
    }

    /// The first interrupt at or after `at` (`at` when due times are exact).
    pub(crate) fn at_or_after(self, at: Nanos) -> Nanos {
        match self.period {
            None => at,
            Some(p) => ceil_to(at, p, self.offset),
        }
    }
}

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    /// The period of `host`'s clock interrupt now, or `None` when due times are exact.
    pub(crate) fn clock_period(&self, host: usize) -> Option<Nanos> {
        if self.rt.cfg.timer_resolution == TimerResolution::Exact {
            return None;
        }
        let asked = self
            .net
            .hosts
            .get(host)
            .and_then(|h| h.timer_periods.first());
        Some(asked.map_or(DEFAULT_PERIOD, |&ms| {
            (u64::from(ms) * 1_000_000).min(DEFAULT_PERIOD)
        }))
    }

    /// When a wait of `interval` that starts now on `host` falls due: now plus `interval`
    /// exactly, or on Windows' clock the first interrupt at or after the last one plus
    /// `interval`.
    pub(crate) fn wait_due(&self, host: usize, interval: Nanos) -> Nanos {
        self.interrupts(host).wait_due(self.rt.now, interval)
    }

    /// [`World::wait_due`] of a wait's timeout in milliseconds, `None` for INFINITE.
    pub(crate) fn timeout_due(&self, host: usize, ms: u32) -> Option<Nanos> {
        (ms != crate::api::consts::INFINITE).then(|| self.wait_due(host, u64::from(ms) * 1_000_000))
    }

    /// `host`'s clock interrupts as they stand now.
    pub(crate) fn interrupts(&self, host: usize) -> Interrupts {
        let period = self.clock_period(host);
        Interrupts {
            period,
            offset: period.map_or(0, |_| self.uptime_of(host)),
        }
    }

    /// A periodic timer's period as `host`'s clock keeps it: exactly, or rounded up to whole
    /// interrupts (the kernel re-arms a periodic timer one period after the interrupt that
    /// signalled it).
    pub(crate) fn period_on_interrupts(&self, host: usize, period: Nanos) -> Nanos {
        self.interrupts(host).whole_periods(period)
    }

    /// The virtual time of `host`'s last clock interrupt at or before `t` (`t` when due
    /// times are exact): what the clocks the interrupt updates show at `t`
    /// (`GetSystemTimeAsFileTime`, `timeGetTime`).
    pub(crate) fn last_interrupt(&self, host: usize, t: Nanos) -> Nanos {
        let Some(period) = self.clock_period(host) else {
            return t;
        };
        let offset = self.uptime_of(host);
        let up = t.saturating_add(offset);
        (up - up % period).saturating_sub(offset)
    }

    /// A host's `uptime` as `GetTickCount` counts it: exactly, or in whole default periods
    /// of 15.625 ms (the tick count advances by the default period whatever the
    /// resolution a process asked for).
    pub(crate) fn tick_count_uptime(&self, uptime: Nanos) -> Nanos {
        match self.rt.cfg.timer_resolution {
            TimerResolution::Exact => uptime,
            TimerResolution::Windows => uptime - uptime % DEFAULT_PERIOD,
        }
    }

    /// `timeBeginPeriod(ms)` on `host`: the clock interrupts at least every `ms` until the
    /// matching `timeEndPeriod`.
    pub(crate) fn begin_timer_period(&mut self, host: usize, ms: u32) {
        if let Some(h) = self.net.hosts.get_mut(host) {
            let at = h.timer_periods.partition_point(|&p| p < ms);
            h.timer_periods.insert(at, ms);
        }
    }

    /// `timeEndPeriod(ms)` on `host`: one earlier `timeBeginPeriod(ms)` ends. False when
    /// none is held (Windows returns TIMERR_NOERROR all the same).
    pub(crate) fn end_timer_period(&mut self, host: usize, ms: u32) -> bool {
        let Some(h) = self.net.hosts.get_mut(host) else {
            return false;
        };
        match h.timer_periods.binary_search(&ms) {
            Ok(i) => {
                h.timer_periods.remove(i);
                true
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Nanos = 1_000_000;

    #[test]
    fn rounding_up_finds_the_next_interrupt() {
        let p = DEFAULT_PERIOD;
        assert_eq!(ceil_to(0, p, 0), 0);
        assert_eq!(ceil_to(1, p, 0), p);
        assert_eq!(ceil_to(p, p, 0), p);
        assert_eq!(ceil_to(16 * MS, p, 0), 2 * p);
        // An uptime of 10 ms at virtual time 0: interrupts at 5.625 ms, 21.25 ms, ...
        assert_eq!(ceil_to(0, p, 10 * MS), p - 10 * MS);
        // Saturates at the end of time instead of overflowing.
        assert!(ceil_to(MAX_NANOS, p, 0) >= MAX_NANOS);
        assert_eq!(ceil_to(Nanos::MAX, p, 0), Nanos::MAX);
    }
}
