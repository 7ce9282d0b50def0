//! Multimedia timers (winmm's `timeSetEvent`): each process's timers and the one thread that
//! fires them.
//!
//! As winmm has it (Wine's winmm timer.c `test_timer_lifetime` and `test_timer`, which pass
//! on Windows): a process has at most [`MAX_TIMERS`] (16) at once; ids count up and are not
//! given again soon; a once-only timer is gone once it fired — once its event is set, or its
//! callback has returned (`timeKillEvent` of it is then TIMERR_NOCANDO; from the callback
//! itself it succeeds); a periodic timer keeps its schedule, every `delay` after its start,
//! so a late expiry does not move the next. Every timer of a process fires on one thread, which
//! runs the callbacks one after the other, so a long one delays the others.
//!
//! The timers are kept by (host, boot): a restarted host is a new process, without them.
//! The thread waits on [`WaitKey::MmTimers`] until the earliest due time (on the host's clock
//! interrupt: `net::timer_resolution`), and a setting or kill wakes it.

use std::collections::BTreeMap;

use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{Layers, Nanos, WaitKey, World};

/// The most multimedia timers a process has at once.
pub(crate) const MAX_TIMERS: usize = 16;

/// What an expiry does.
pub(crate) enum MmTarget<L: Layers> {
    /// TIME_CALLBACK_FUNCTION: the callback runs on the timer thread with the timer's id.
    Callback(MmCallback<L>),
    /// TIME_CALLBACK_EVENT_SET: `SetEvent` on this handle value (closed meanwhile: nothing).
    SetEvent(usize),
}

/// A `LPTIMECALLBACK` as the sim stores it: called with the timer's id.
pub(crate) type MmCallback<L> = std::sync::Arc<dyn Fn(&<L as Layers>::Handle, u32) + Send + Sync>;

impl<L: Layers> Clone for MmTarget<L> {
    fn clone(&self) -> Self {
        match self {
            MmTarget::Callback(c) => MmTarget::Callback(c.clone()),
            MmTarget::SetEvent(h) => MmTarget::SetEvent(*h),
        }
    }
}

/// One timer.
struct MmTimer<L: Layers> {
    /// When it next falls due (the schedule's, not yet rounded to an interrupt).
    due: Nanos,
    /// Its period (`delay`), or 0 once-only.
    period: Nanos,
    target: MmTarget<L>,
    /// A once-only timer whose callback runs: due no more, gone when it returns.
    fired: bool,
}

/// A process's timers and its timer thread.
struct Process<L: Layers> {
    timers: BTreeMap<u32, MmTimer<L>>,
    next_id: u32,
    thread: Option<usize>,
}

impl<L: Layers> Default for Process<L> {
    fn default() -> Self {
        Process {
            timers: BTreeMap::new(),
            next_id: 1,
            thread: None,
        }
    }
}

/// Every process's multimedia timers, by (host, boot).
pub(crate) struct MmTimers<L: Layers> {
    processes: BTreeMap<(usize, u32), Process<L>>,
}

impl<L: Layers> Default for MmTimers<L> {
    fn default() -> Self {
        MmTimers {
            processes: BTreeMap::new(),
        }
    }
}

/// The key a host's timer thread waits on.
pub(crate) fn mm_key(host: usize) -> WaitKey {
    WaitKey::MmTimers(host)
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    fn mm_process(&mut self, host: usize) -> &mut Process<L> {
        let boot = self.net.hosts.get(host).map_or(0, |h| h.crashes);
        self.kern
            .mm_timers
            .processes
            .entry((host, boot))
            .or_default()
    }

    /// `timeSetEvent`: a new timer of `host`'s process due `delay` from now (and every
    /// `delay` after if `periodic`), its id; `None` when the process has [`MAX_TIMERS`].
    /// The caller starts the thread ([`World::mm_thread`]) and wakes it.
    pub(crate) fn mm_set(
        &mut self,
        host: usize,
        delay: Nanos,
        periodic: bool,
        target: MmTarget<L>,
    ) -> Option<u32> {
        let now = self.rt.now;
        let p = self.mm_process(host);
        if p.timers.len() >= MAX_TIMERS {
            return None;
        }
        let id = p.next_id;
        p.next_id = p.next_id.wrapping_add(1).max(1);
        p.timers.insert(
            id,
            MmTimer {
                due: now.saturating_add(delay),
                period: if periodic { delay } else { 0 },
                target,
                fired: false,
            },
        );
        self.notify(mm_key(host));
        Some(id)
    }

    /// `timeKillEvent`: whether `host`'s process had timer `id` (now gone).
    pub(crate) fn mm_kill(&mut self, host: usize, id: u32) -> bool {
        let gone = self.mm_process(host).timers.remove(&id).is_some();
        if gone {
            self.notify(mm_key(host));
        }
        gone
    }

    /// The timer thread of `host`'s process, if it has one.
    pub(crate) fn mm_thread(&mut self, host: usize) -> Option<usize> {
        self.mm_process(host).thread
    }

    /// Records `tid` as `host`'s process's timer thread.
    pub(crate) fn mm_thread_started(&mut self, host: usize, tid: usize) {
        self.mm_process(host).thread = Some(tid);
    }

    /// When `host`'s process's next timer falls due (on the host's clock interrupt).
    pub(crate) fn mm_next_due(&mut self, host: usize) -> Option<Nanos> {
        let timers = self.mm_process(host).timers.values();
        let due = timers.filter(|t| !t.fired).map(|t| t.due).min()?;
        Some(self.interrupts(host).at_or_after(due))
    }

    /// The expiry due now, earliest first (the lowest id among equals): a once-only timer
    /// that sets an event is gone, one that calls back is gone once the callback returns
    /// ([`World::mm_fired`]), a periodic one is due a period after its last due time.
    pub(crate) fn mm_take_due(&mut self, host: usize) -> Option<(u32, MmTarget<L>)> {
        let now = self.rt.now;
        let clock = self.interrupts(host);
        let p = self.mm_process(host);
        let (&id, t) = p
            .timers
            .iter()
            .filter(|(_, t)| !t.fired && clock.at_or_after(t.due) <= now)
            .min_by_key(|(&id, t)| (t.due, id))?;
        let target = t.target.clone();
        match (t.period, &target) {
            (0, MmTarget::SetEvent(_)) => drop(p.timers.remove(&id)),
            (_, _) => {
                if let Some(t) = p.timers.get_mut(&id) {
                    t.fired = t.period == 0;
                    t.due = t.due.saturating_add(t.period);
                }
            }
        }
        Some((id, target))
    }

    /// Timer `id`'s callback returned: a once-only timer is gone.
    pub(crate) fn mm_fired(&mut self, host: usize, id: u32) {
        let p = self.mm_process(host);
        if p.timers.get(&id).is_some_and(|t| t.fired) {
            p.timers.remove(&id);
        }
    }
}
