//! Each host's system clock (`GetSystemTimeAsFileTime`) and the due times that follow it.
//!
//! A host's system time is the virtual clock from [`SIM_EPOCH_FILETIME`] plus the host's
//! `clock_shift`, which [`FaultRule::ClockJump`](crate::sim::fault::FaultRule::ClockJump)s
//! move. A `LARGE_INTEGER` due time (SetWaitableTimer, SetThreadpoolTimer, SetThreadpoolWait)
//! is relative when negative: an interval from now, which no clock setting moves; zero or
//! positive, it is an absolute system time: when the clock is set, Windows re-times such a
//! timer to fall due when the new system time reaches it (at once if that is past: Wine's
//! kernel32 timer.c `test_timeouts`, a +10 s step that fires a timer due 3 s later, while
//! relative timers, waits and `Sleep` still take their time). An absolute due time stays so
//! until it first falls due; a period after it is an interval again.
//!
//! [`World::clock_set`] re-times the three kinds of absolute due time the host has pending:
//! waitable timers (`waitable_timer`), thread-pool timers (`tp_objects`) and thread-pool
//! wait timeouts (`registered_wait`).

use crate::api::waitable_timer::SIM_EPOCH_FILETIME;
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::net::timer_resolution::Interrupts;
use crate::sim::runtime::{Nanos, World, MAX_NANOS};

/// A due time as the virtual clock sees it: when, and whether it is an absolute system time
/// still to come (which a clock setting moves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DueTime {
    /// The virtual time it falls due (now or before: at once).
    pub at: Nanos,
    /// An absolute system time not yet reached.
    pub absolute: bool,
}

/// `at` moved as a clock set `ticks` (100 ns) forward moves an absolute due time: that much
/// earlier on the virtual clock (later if negative), not before `now` and, as every time a
/// setting names, at most [`MAX_NANOS`] (about 9 years).
pub(crate) fn moved_due(at: Nanos, ticks: i64, now: Nanos) -> Nanos {
    let moved = i128::from(at) - i128::from(ticks) * 100;
    moved.clamp(i128::from(now), i128::from(MAX_NANOS.max(now))) as Nanos
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Host `host`'s system clock at virtual time `t`, as a UTC FILETIME.
    pub(crate) fn filetime_at(&self, host: usize, t: Nanos) -> u64 {
        let shift = self.net.hosts.get(host).map_or(0, |h| h.clock_shift);
        let ft = i128::from(SIM_EPOCH_FILETIME) + i128::from(t / 100) + i128::from(shift);
        ft.clamp(0, i128::from(u64::MAX)) as u64
    }

    /// The due time a `LARGE_INTEGER` names on `host`: negative, that many 100-ns units from
    /// now; zero or positive, the moment `host`'s system clock shows that FILETIME (one
    /// already past, or before the run began: now). At most [`MAX_NANOS`] away, as the
    /// durations of settings are. On the host's clock interrupt (`net::timer_resolution`).
    pub(crate) fn due_on(&self, host: usize, due_time: i64) -> DueTime {
        self.due_on_clock(host, due_time, self.interrupts(host))
    }

    /// [`World::due_on`] on the clock `clock` (exact for a high-resolution timer).
    pub(crate) fn due_on_clock(&self, host: usize, due_time: i64, clock: Interrupts) -> DueTime {
        let now = self.rt.now;
        if due_time < 0 {
            let ns = (u128::from(due_time.unsigned_abs()) * 100).min(u128::from(MAX_NANOS));
            let at = clock.wait_due(now, ns as Nanos);
            return DueTime {
                at,
                absolute: false,
            };
        }
        let shift = self.net.hosts.get(host).map_or(0, |h| h.clock_shift);
        let ticks = i128::from(due_time) - i128::from(SIM_EPOCH_FILETIME) - i128::from(shift);
        let at = (ticks * 100).clamp(0, i128::from(MAX_NANOS)) as Nanos;
        DueTime {
            at: if at > now { clock.at_or_after(at) } else { at },
            absolute: at > now,
        }
    }

    /// Host `host`'s system clock was set `ticks` (100 ns) forward (back if negative): its
    /// pending absolute due times fall due when the new clock reaches them.
    pub(crate) fn clock_set(&mut self, host: usize, ticks: i64) {
        self.retime_waitable_timers(host, ticks);
        self.retime_tp_timers(host, ticks);
        self.retime_tp_waits(host, ticks);
    }
}
