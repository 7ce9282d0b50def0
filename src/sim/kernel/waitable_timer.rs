//! Waitable timer objects (`CreateWaitableTimer`): what setting, cancelling, expiring and
//! closing one does, as Windows' kernel timers do it.
//!
//! A timer is a [`KObject::Timer`] (its record, [`WaitableTimer`], is in `objects` with the
//! other objects' state) with its signalled state and, while it is active, its current
//! setting ([`Arming`]). Each setting has a number of its own, never reused in a run;
//! the expiry scheduled on the runtime's timer queue carries it, so an expiry of a setting that
//! was replaced, cancelled or closed meanwhile finds it gone and does nothing. The completion
//! routine's APC is queued to the setting thread tagged with that number, so that the next
//! `SetWaitableTimer`, `CancelWaitableTimer` or `CloseHandle` can take it back before it runs;
//! like the one APC object a Windows timer owns, a timer has at most one APC queued: an expiry
//! while the last one still waits queues none.
//!
//! A periodic expiry that changes nothing (the timer already signalled, its APC, if any, still
//! queued) parks the setting: no further expiry is scheduled until a wait takes the signal or
//! the APC runs, and the next is then the first of its due times not before that moment. A
//! tick nobody waits for therefore keeps no event pending, and a run whose threads are all
//! blocked ends as a deadlock instead of running the clock to its limit.

use crate::sim::kernel::objects::{
    next_due_on_schedule, Arming, KObject, TimerRoutine, WaitableTimer,
};
use crate::sim::kernel::system_time::{moved_due, DueTime};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::net::tcp::NetTimer;
use crate::sim::net::timer_resolution::Interrupts;
use crate::sim::runtime::{Nanos, ThreadState, World};

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// The timer object behind handle `h` of `host`, or ERROR_INVALID_HANDLE.
    pub(crate) fn timer_id(&self, host: usize, h: usize) -> Result<usize, crate::api::WsaError> {
        match self
            .object_id(host, h)
            .and_then(|i| self.kern.objects.get(i).map(|o| (i, o)))
        {
            Some((i, KObject::Timer(_))) => Ok(i),
            _ => Err(crate::api::WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// The clock timer `idx` of `host` falls due on: the host's interrupts, or exact for a
    /// high-resolution timer.
    pub(crate) fn timer_clock(&self, host: usize, idx: usize) -> Interrupts {
        match self.kern.objects.get(idx) {
            Some(KObject::Timer(t)) if t.high_resolution => Interrupts::EXACT,
            _ => self.interrupts(host),
        }
    }

    fn timer_mut(&mut self, idx: usize) -> Option<&mut WaitableTimer<L>> {
        match self.kern.objects.get_mut(idx) {
            Some(KObject::Timer(t)) => Some(t),
            _ => None,
        }
    }

    /// Takes back the APC the timer's last setting queued and no thread has run yet.
    pub(crate) fn timer_take_back_apcs(&mut self, idx: usize) {
        let Some((tid, id)) = self.timer_mut(idx).and_then(|t| t.apcs_of.take()) else {
            return;
        };
        if let Some(th) = self.rt.threads.get_mut(tid) {
            th.ext.remove_tagged_apcs(id);
        }
    }

    /// SetWaitableTimer: stops timer `idx`, resets it, and starts it again, due at `due`
    /// (at once if that is not later than now) and every `period` after that.
    pub(crate) fn timer_set(
        &mut self,
        idx: usize,
        due: DueTime,
        period: Nanos,
        routine: Option<(usize, TimerRoutine<L>)>,
    ) {
        self.timer_take_back_apcs(idx);
        self.kern.timer_settings += 1;
        let id = self.kern.timer_settings;
        let now = self.rt.now;
        let Some(t) = self.timer_mut(idx) else { return };
        t.signaled = false;
        let DueTime { at: due, absolute } = due;
        t.armed = Some(Arming {
            id,
            due: due.max(now),
            period,
            routine,
            parked: false,
            absolute,
        });
        if due <= now {
            self.timer_due(idx, id);
        } else {
            self.schedule(
                due,
                NetTimer::WaitableTimer {
                    obj: idx,
                    setting: id,
                },
            );
        }
    }

    /// CancelWaitableTimer: stops timer `idx` and takes back its queued APC; its signalled
    /// state stays.
    pub(crate) fn timer_cancel(&mut self, idx: usize) {
        self.timer_take_back_apcs(idx);
        if let Some(t) = self.timer_mut(idx) {
            t.armed = None;
        }
    }

    /// Setting `setting` of timer `idx` falls due (scheduled, or set with a time already
    /// past): the timer is signalled and its waiters woken, its routine's APC queued to the
    /// setting thread (unless one already waits there, or the thread has ended), and a periodic
    /// setting scheduled again.
    pub(crate) fn timer_due(&mut self, idx: usize, setting: u64) {
        let now = self.rt.now;
        let Some(t) = self.timer_mut(idx) else { return };
        let was_signaled = t.signaled;
        // An expiry of this setting scheduled before a clock setting moved its due time
        // finds it elsewhere: the expiry scheduled then is the one that counts.
        let Some(arm) = t.armed.as_mut().filter(|a| a.id == setting && a.due == now) else {
            return;
        };
        arm.absolute = false;
        let (due, period) = (arm.due, arm.period);
        let routine = arm.routine.clone();
        t.signaled = true;
        let mut queued = false;
        if let Some((tid, routine)) = routine {
            let alive = self
                .rt
                .threads
                .get(tid)
                .is_some_and(|th| th.state != ThreadState::Finished);
            if alive && !self.rt.threads[tid].ext.has_tagged_apc(setting) {
                let host = self.kern.objects.owner(idx).unwrap_or(0);
                let ft = self.filetime_at(host, due);
                let (low, high) = (ft as u32, (ft >> 32) as u32);
                self.rt.threads[tid]
                    .ext
                    .push_tagged_apc(setting, Box::new(move |h| routine(h, low, high)));
                if let Some(t) = self.timer_mut(idx) {
                    t.apcs_of = Some((tid, setting));
                }
                self.notify_apc(tid);
                queued = true;
            }
        }
        let Some(arm) = self.timer_mut(idx).and_then(|t| t.armed.as_mut()) else {
            return;
        };
        if period == 0 {
            if let Some(t) = self.timer_mut(idx) {
                t.armed = None;
            }
        } else if was_signaled && !queued {
            // Nothing changed, and nothing will until the signal or the APC is taken.
            arm.parked = true;
        } else {
            // One period after this due time; after now, for a setting whose first due time
            // was already past when it was set.
            arm.due = (due + period).max(now + period);
            let at = arm.due;
            self.schedule(at, NetTimer::WaitableTimer { obj: idx, setting });
        }
        self.signal_waiters(idx);
    }

    /// A parked periodic timer's state was taken (a wait took its signal, or its APC ran): its
    /// next expiry is the first of its due times after the last one and not before now.
    pub(crate) fn timer_unpark(&mut self, idx: usize) {
        let now = self.rt.now;
        let Some(arm) = self
            .timer_mut(idx)
            .and_then(|t| t.armed.as_mut())
            .filter(|a| a.parked)
        else {
            return;
        };
        arm.due = next_due_on_schedule(arm.due, arm.period, now);
        arm.parked = false;
        let (at, setting) = (arm.due, arm.id);
        self.schedule(at, NetTimer::WaitableTimer { obj: idx, setting });
    }

    /// The APC tagged `tag` was taken off its thread's queue to run: if a timer's current
    /// setting queued it, that timer may queue the next.
    pub(crate) fn timer_apc_taken(&mut self, tag: u64) {
        if tag == 0 {
            return;
        }
        let mut i = 0;
        while let Some(slot) = self.kern.objects.get_slot_mut(i) {
            if let Some(KObject::Timer(t)) = slot {
                if t.armed.as_ref().is_some_and(|a| a.id == tag) {
                    self.timer_unpark(i);
                    return;
                }
            }
            i += 1;
        }
    }

    /// Host `host`'s system clock was set `ticks` forward (back if negative): each of its
    /// timers whose setting waits for an absolute system time falls due when the new clock
    /// reaches it, at once if it already has.
    pub(crate) fn retime_waitable_timers(&mut self, host: usize, ticks: i64) {
        let now = self.rt.now;
        let clock = self.interrupts(host);
        let mut due = Vec::new();
        for idx in 0..self.kern.objects.len() {
            if self.kern.objects.owner(idx) != Some(host) {
                continue;
            }
            let Some(t) = self.timer_mut(idx) else {
                continue;
            };
            let clock = if t.high_resolution {
                Interrupts::EXACT
            } else {
                clock
            };
            let Some(arm) = t.armed.as_mut() else {
                continue;
            };
            if arm.absolute {
                arm.due = clock.at_or_after(moved_due(arm.due, ticks, now));
                due.push((arm.due, idx, arm.id));
            }
        }
        for (at, obj, setting) in due {
            self.schedule(at, NetTimer::WaitableTimer { obj, setting });
        }
    }

    /// Thread `tid` ended: the timers it set with a completion routine are cancelled (their
    /// signalled state stays), as Windows cancels them.
    pub(crate) fn cancel_timers_of(&mut self, tid: usize) {
        let mut i = 0;
        while let Some(slot) = self.kern.objects.get_slot_mut(i) {
            if let Some(KObject::Timer(t)) = slot {
                if t.armed
                    .as_ref()
                    .is_some_and(|a| a.routine.as_ref().is_some_and(|(owner, _)| *owner == tid))
                {
                    t.armed = None;
                }
            }
            i += 1;
        }
    }
}
