//! The Vista thread pool's objects (`CreateThreadpoolWork`, `CreateThreadpoolTimer`,
//! `CreateThreadpoolWait`, `CreateThreadpoolIo` and their calls), run by the host's pool
//! threads (`thread_pool`). What is particular to wait objects is in `tp_wait`, to I/O
//! objects in `tp_io`.
//!
//! Each object keeps its runs queued (and counts those running), and is in its pool's queue
//! of its priority once while it has any: a pool thread takes its oldest run and puts it back at the end of
//! the queue if more wait, so the objects take turns. `WaitForThreadpool*Callbacks` with
//! cancellation drops the runs queued. A closed object takes no new runs and
//! goes when its last run has ended; any later call naming it is ERROR_INVALID_HANDLE. A timer
//! object is a small state machine of its own: *set* (its expiry scheduled by setting number,
//! [`NetTimer::TpTimer`]) or *not set*; each expiry queues a run, a period sets it again.
//! A running callback has an instance, which ends when it returns: the events
//! `SetEventWhenCallbackReturns` named are set then. An object may be a cleanup group's
//! member (`tp_group`); a simple callback (`TrySubmitThreadpoolCallback`) is an object with
//! one run, closed once it has run.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use crate::api::{TpCallbackPriority, WsaError};
use crate::sim::kernel::system_time::{moved_due, DueTime};
pub(crate) use crate::sim::kernel::thread_pool::TpRun;
use crate::sim::kernel::thread_pool::{PoolItem, PoolKind, PoolThreadBody};
use crate::sim::kernel::tp_group::{TpGroup, TpMembership};
use crate::sim::kernel::tp_instance::Instance;
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::net::tcp::NetTimer;
use crate::sim::runtime::{Layers, Nanos, WaitKey, World};

/// What an object's creation takes from its callback environment: the pool its callbacks run
/// in, and the cleanup group it joins.
pub(crate) struct TpEnv<L: Layers> {
    pub(crate) pool: PoolKind,
    pub(crate) priority: TpCallbackPriority,
    pub(crate) member: Option<TpMembership<L>>,
}

/// An object's callback: (instance, object, what the run brings).
pub(crate) type TpCallback<L> =
    Arc<dyn Fn(&<L as Layers>::Handle, usize, usize, TpRun) + Send + Sync>;

/// The kinds of object, as a call names the one it expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TpClass {
    Work,
    Timer,
    Wait,
    Io,
    Simple,
}

/// What kind of object, with its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TpKind {
    /// A work object.
    Work,
    /// A wait object: the registration (`registered_wait`) of its wait while it is set and
    /// has not fired.
    Wait { reg: Option<usize> },
    /// An I/O object: starts whose completion has not come (`StartThreadpoolIo`), and
    /// completions to drop without a callback (starts a cancelling wait gave up on).
    Io { pending: u32, skipped: u32 },
    /// A timer object: its next expiry (`None`: none to come), its period, its setting
    /// number, and whether it is set (`IsThreadpoolTimerSet`: last set with a due time, even
    /// once a once-only expiry has passed).
    Timer {
        due: Option<Nanos>,
        set: bool,
        period: Nanos,
        setting: u64,
    },
    /// A simple callback (`TrySubmitThreadpoolCallback`): one run, then closed.
    Simple,
}

/// One work or timer object.
pub(crate) struct TpObject<L: Layers> {
    pub(crate) host: usize,
    /// The host's crash count when it was made (a crash ends it).
    boot: u32,
    pub(crate) kind: TpKind,
    callback: TpCallback<L>,
    /// Runs queued and not started, oldest first, with what each is handed.
    runs: VecDeque<TpRun>,
    /// Whether the object is in its pool's queue (once, however many runs it has queued).
    in_pool: bool,
    /// Runs started and not ended.
    running: u32,
    /// Of those, the ones still counted by `WaitForThreadpool*Callbacks` (not
    /// disassociated).
    pub(crate) associated: u32,
    pub(crate) closed: bool,
    /// The cleanup group it is a member of, with its cancel callback.
    pub(crate) member: Option<Box<TpMembership<L>>>,
    /// The pool its callbacks run in (the default one's workers, or a private pool), and
    /// their priority there.
    pub(crate) pool: PoolKind,
    priority: TpCallbackPriority,
}

impl<L: Layers> TpObject<L> {
    /// Whether nothing keeps the object: no run queued or running, no I/O outstanding.
    fn idle(&self) -> bool {
        let io = matches!(self.kind, TpKind::Io { pending, skipped } if pending > 0 || skipped > 0);
        self.runs.is_empty() && self.running == 0 && !io
    }
}

impl TpKind {
    fn class(self) -> TpClass {
        match self {
            TpKind::Work => TpClass::Work,
            TpKind::Timer { .. } => TpClass::Timer,
            TpKind::Wait { .. } => TpClass::Wait,
            TpKind::Io { .. } => TpClass::Io,
            TpKind::Simple => TpClass::Simple,
        }
    }
}

/// Every host's Vista pool objects (work, timer, wait, I/O), and the instances of the callbacks
/// running.
pub(crate) struct TpObjects<L: Layers> {
    pub(crate) objects: BTreeMap<usize, TpObject<L>>,
    pub(crate) instances: BTreeMap<usize, Instance>,
    /// The threads blocked in `WaitForThreadpool*Callbacks`, by thread: the object each
    /// waits for (for the report of a run that ends with them blocked).
    waiting: BTreeMap<usize, usize>,
    /// The cleanup groups (`tp_group`).
    pub(crate) groups: BTreeMap<usize, TpGroup>,
    /// The last number given to an object, an instance or a group.
    pub(crate) last: usize,
    /// The timers whose setting waits for an absolute system time (`system_time`).
    absolute: BTreeSet<usize>,
}

impl<L: Layers> Default for TpObjects<L> {
    fn default() -> Self {
        TpObjects {
            objects: BTreeMap::new(),
            instances: BTreeMap::new(),
            waiting: BTreeMap::new(),
            groups: BTreeMap::new(),
            last: 0,
            absolute: BTreeSet::new(),
        }
    }
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    pub(crate) fn tp_boot(&self, host: usize) -> u32 {
        self.net.hosts.get(host).map_or(0, |h| h.crashes)
    }

    /// `CreateThreadpool{Work,Timer,Wait,Io}` (or `TrySubmitThreadpoolCallback`) on `host`,
    /// in `env`'s pool and cleanup group: the new object's number.
    pub(crate) fn tp_create(
        &mut self,
        host: usize,
        class: TpClass,
        callback: TpCallback<L>,
        env: TpEnv<L>,
    ) -> usize {
        let TpEnv {
            pool,
            priority,
            member,
        } = env;
        let boot = self.tp_boot(host);
        let t = &mut self.kern.tp_objects;
        t.last += 1;
        let id = t.last;
        let kind = match class {
            TpClass::Work => TpKind::Work,
            TpClass::Timer => TpKind::Timer {
                due: None,
                set: false,
                period: 0,
                setting: 0,
            },
            TpClass::Wait => TpKind::Wait { reg: None },
            TpClass::Io => TpKind::Io {
                pending: 0,
                skipped: 0,
            },
            TpClass::Simple => TpKind::Simple,
        };
        if let Some(m) = &member {
            if let Some(g) = t.groups.get_mut(&m.group) {
                g.members.insert(id);
            }
        }
        t.objects.insert(
            id,
            TpObject {
                host,
                boot,
                kind,
                callback,
                runs: VecDeque::new(),
                in_pool: false,
                running: 0,
                associated: 0,
                closed: false,
                member: member.map(Box::new),
                pool,
                priority,
            },
        );
        id
    }

    /// Object `id` if it is an open one of `host`'s of the kind asked: its kind.
    pub(crate) fn tp_live(
        &self,
        host: usize,
        id: usize,
        class: TpClass,
    ) -> Result<TpKind, WsaError> {
        let boot = self.tp_boot(host);
        match self.kern.tp_objects.objects.get(&id) {
            Some(o) if o.host == host && o.boot == boot && !o.closed && o.kind.class() == class => {
                Ok(o.kind)
            }
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Queues one run of object `id`, handed `run`: the object joins its pool's queue unless
    /// it is there already, and the pool wakes (or starts) a thread for it.
    pub(crate) fn tp_queue_run(&mut self, id: usize, run: TpRun, body: PoolThreadBody<L>) {
        let Some(o) = self.kern.tp_objects.objects.get_mut(&id) else {
            return;
        };
        o.runs.push_back(run);
        let (host, pool, priority) = (o.host, o.pool, o.priority);
        if !std::mem::replace(&mut o.in_pool, true) {
            self.pool_requeue(host, pool, PoolItem::Tp(id), priority);
        }
        self.pool_wake(host, pool, body);
    }

    /// Pool thread `tid` took object `id` from its pool's queue: its oldest run, with its
    /// callback and the new instance's number, or `None` when a cancelling wait dropped its
    /// runs. An object with more runs queued goes back to the end of the pool's queue, so
    /// that the pool's threads take the objects in turn (Windows': Wine's
    /// `test_tp_work_scheduler`).
    pub(crate) fn tp_begin(
        &mut self,
        tid: usize,
        id: usize,
    ) -> Option<(TpCallback<L>, usize, TpRun)> {
        let o = self.kern.tp_objects.objects.get_mut(&id)?;
        let Some(run) = o.runs.pop_front() else {
            o.in_pool = false;
            return None;
        };
        if o.runs.is_empty() {
            o.in_pool = false;
        } else {
            let (host, pool, priority) = (o.host, o.pool, o.priority);
            self.pool_requeue(host, pool, PoolItem::Tp(id), priority);
        }
        let o = self.kern.tp_objects.objects.get_mut(&id)?;
        o.running += 1;
        o.associated += 1;
        let callback = o.callback.clone();
        let t = &mut self.kern.tp_objects;
        t.last += 1;
        let instance = t.last;
        t.instances.insert(instance, Instance::new(id, tid));
        Some((callback, instance, run))
    }

    /// The callback of `instance` (a run of object `id`) returned: its actions run
    /// (`tp_instance`), and a closed object with nothing outstanding goes; the waits for
    /// callbacks look again.
    pub(crate) fn tp_end(&mut self, id: usize, instance: usize) {
        let Some(host) = self.kern.tp_objects.objects.get(&id).map(|o| o.host) else {
            return;
        };
        let associated = self.tp_instance_end(host, instance);
        let Some(o) = self.kern.tp_objects.objects.get_mut(&id) else {
            return;
        };
        o.running = o.running.saturating_sub(1);
        if associated {
            o.associated = o.associated.saturating_sub(1);
        }
        if o.kind == TpKind::Simple {
            o.closed = true;
        }
        self.tp_changed(id);
    }

    /// Object `id`'s counts went down: a closed one that nothing keeps goes, and the waits for
    /// callbacks look again.
    pub(crate) fn tp_changed(&mut self, id: usize) {
        let Some(o) = self.kern.tp_objects.objects.get(&id) else {
            return;
        };
        let host = o.host;
        if o.closed && o.idle() {
            let gone = self.kern.tp_objects.objects.remove(&id);
            if let Some(m) = gone.and_then(|o| o.member) {
                self.tp_group_forget(m.group, id);
            }
        }
        self.notify(WaitKey::TimerCallbacks(host));
    }

    /// `WaitForThreadpool*Callbacks` with `cancel_pending`: the runs queued are dropped (an
    /// I/O object's starts still waiting too: their completions will be dropped).
    pub(crate) fn tp_cancel_pending(&mut self, id: usize) {
        if let Some(o) = self.kern.tp_objects.objects.get_mut(&id) {
            o.runs.clear();
            if let TpKind::Io { pending, skipped } = &mut o.kind {
                *skipped += std::mem::take(pending);
            }
        }
    }

    /// Whether object `id` has runs queued or running, or starts of I/O whose completion
    /// has not come (a wait for its callbacks waits for this to turn false). A run whose
    /// callback disassociated itself counts only for a cleanup group's release (`group`).
    pub(crate) fn tp_outstanding(&self, id: usize, group: bool) -> bool {
        self.kern.tp_objects.objects.get(&id).is_some_and(|o| {
            let running = if group { o.running } else { o.associated };
            !o.runs.is_empty()
                || running > 0
                || matches!(o.kind, TpKind::Io { pending, .. } if pending > 0)
        })
    }

    /// Thread `tid` waits for object `id`'s callbacks (`Some`), or no more (`None`).
    pub(crate) fn tp_waiter(&mut self, tid: usize, id: Option<usize>) {
        let waiting = &mut self.kern.tp_objects.waiting;
        match id {
            Some(id) => waiting.insert(tid, id),
            None => waiting.remove(&tid),
        };
    }

    /// What thread `tid`, blocked in `WaitForThreadpool*Callbacks`, waits for, as the run's
    /// report says it: the object's outstanding runs and starts, and for an I/O object with
    /// starts outstanding, the likely bug.
    pub(crate) fn describe_tp_wait(&self, tid: usize) -> Option<String> {
        let id = *self.kern.tp_objects.waiting.get(&tid)?;
        let Some(o) = self.kern.tp_objects.objects.get(&id) else {
            return Some(format!("the callbacks of thread-pool object {id} (gone)"));
        };
        let what = match o.kind {
            TpKind::Work => "work",
            TpKind::Timer { .. } => "timer",
            TpKind::Wait { .. } => "wait",
            TpKind::Io { .. } => "I/O",
            TpKind::Simple => "simple callback",
        };
        let mut text = format!(
            "the callbacks of thread-pool {what} object {id} ({} queued, {} running",
            o.runs.len(),
            o.running
        );
        if !o.runs.is_empty() {
            if let Some(why) = self.pool_starved(o.host, o.pool) {
                text.push_str(&format!("; the queued ones wait: {why}"));
            }
        }
        if let TpKind::Io { pending, .. } = o.kind {
            text.push_str(&format!(
                ", {pending} StartThreadpoolIo awaiting a completion: an operation that failed \
                 at once, or completed at once with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, \
                 needs CancelThreadpoolIo"
            ));
        }
        text.push(')');
        Some(text)
    }

    /// `CloseThreadpool*` by thread `tid`: the object takes no new runs (a timer stops, a
    /// wait ends) and goes once nothing keeps it.
    pub(crate) fn tp_close(&mut self, tid: usize, id: usize) {
        let Some(o) = self.kern.tp_objects.objects.get_mut(&id) else {
            return;
        };
        o.closed = true;
        let early = match o.kind {
            TpKind::Io { pending, .. } => pending,
            _ => 0,
        };
        self.tp_stop(id);
        if early > 0 {
            self.rt.note_misuse_by(
                tid,
                format!(
                    "CloseThreadpoolIo of thread-pool I/O object {id} with {early} \
                 StartThreadpoolIo awaiting a completion: its documentation requires the \
                 socket's I/O ended first (the pool keeps the object until those completions \
                 come and runs their callbacks; a completion after that reads freed memory)"
                ),
            );
        }
        self.tp_changed(id);
    }

    /// Object `id` queues no more runs of its own: a timer stops, a wait ends (a close, and
    /// a cleanup group's release before it waits).
    pub(crate) fn tp_stop(&mut self, id: usize) {
        let Some(o) = self.kern.tp_objects.objects.get_mut(&id) else {
            return;
        };
        let mut wait = None;
        match &mut o.kind {
            TpKind::Timer {
                due, set, setting, ..
            } => {
                *due = None;
                *set = false;
                *setting += 1;
            }
            TpKind::Wait { reg } => wait = reg.take(),
            TpKind::Io { .. } | TpKind::Work | TpKind::Simple => {}
        }
        if let Some(reg) = wait {
            self.drop_registration(reg);
        }
    }

    /// `SetThreadpoolTimer`: timer `id` next expires at `due` (`None`: stops), then every
    /// `period`. Due now or before, it expires before the call returns.
    pub(crate) fn tp_timer_set(
        &mut self,
        id: usize,
        due: Option<DueTime>,
        period: Nanos,
        body: PoolThreadBody<L>,
    ) -> bool {
        self.kern.timer_settings += 1;
        let new = self.kern.timer_settings;
        let now = self.rt.now;
        let tp = &mut self.kern.tp_objects;
        let Some(o) = tp.objects.get_mut(&id) else {
            return false;
        };
        // An expiry still to come (a once-only timer not yet due, any periodic one) is
        // cancelled by this setting: SetThreadpoolTimerEx's TRUE.
        let cancelled = matches!(o.kind, TpKind::Timer { due: Some(_), .. });
        if due.is_some_and(|d| d.absolute) {
            tp.absolute.insert(id);
        } else {
            tp.absolute.remove(&id);
        }
        let at = due.map(|d| d.at);
        o.kind = TpKind::Timer {
            due: at,
            set: at.is_some(),
            period,
            setting: new,
        };
        match at {
            Some(at) if at <= now => self.tp_timer_due(id, new, body),
            Some(at) => self.schedule(at, NetTimer::TpTimer { id, setting: new }),
            None => {}
        }
        cancelled
    }

    /// Setting `setting` of timer `id` expires: unless it changed, stopped or its host
    /// crashed since, a run is queued and a period sets it again.
    pub(crate) fn tp_timer_due(&mut self, id: usize, setting: u64, body: PoolThreadBody<L>) {
        let Some(o) = self.kern.tp_objects.objects.get(&id) else {
            return;
        };
        let TpKind::Timer {
            due: Some(_),
            period,
            setting: current,
            ..
        } = o.kind
        else {
            return;
        };
        let boot_now = self.tp_boot(o.host);
        let crashed = self.net.hosts.get(o.host).is_none_or(|h| h.crashed);
        if current != setting || o.closed || crashed || o.boot != boot_now {
            return;
        }
        self.kern.tp_objects.absolute.remove(&id);
        let now = self.rt.now;
        let next = (period > 0).then(|| now + period);
        if let Some(o) = self.kern.tp_objects.objects.get_mut(&id) {
            o.kind = TpKind::Timer {
                due: next,
                set: true,
                period,
                setting,
            };
        }
        if let Some(at) = next {
            self.schedule(at, NetTimer::TpTimer { id, setting });
        }
        self.tp_queue_run(id, TpRun::Plain, body);
    }

    /// Host `host`'s system clock was set `ticks` forward (back if negative): each of its
    /// timers set for an absolute system time not yet reached expires when the new clock
    /// reaches it (a new setting, so that the expiry scheduled before does nothing).
    pub(crate) fn retime_tp_timers(&mut self, host: usize, ticks: i64) {
        let now = self.rt.now;
        let clock = self.interrupts(host);
        let ids: Vec<usize> = self.kern.tp_objects.absolute.iter().copied().collect();
        for id in ids {
            let kern = &mut self.kern;
            let o = kern.tp_objects.objects.get_mut(&id);
            let Some(o) = o.filter(|o| o.host == host && !o.closed) else {
                // (Closed or gone: forgotten. Another host's: left as it is.)
                if kern.tp_objects.objects.get(&id).is_none_or(|o| o.closed) {
                    kern.tp_objects.absolute.remove(&id);
                }
                continue;
            };
            let TpKind::Timer {
                due: Some(due),
                setting,
                ..
            } = &mut o.kind
            else {
                continue;
            };
            kern.timer_settings += 1;
            *setting = kern.timer_settings;
            *due = clock.at_or_after(moved_due(*due, ticks, now));
            let (at, setting) = (*due, *setting);
            self.schedule(at, NetTimer::TpTimer { id, setting });
        }
    }
}
