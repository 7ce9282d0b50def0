//! Timer queues (`CreateTimerQueue`, `CreateTimerQueueTimer`, `ChangeTimerQueueTimer`,
//! `DeleteTimerQueueTimer`, `DeleteTimerQueueEx`): timers whose callbacks run on the host's
//! thread pool (`thread_pool`).
//!
//! A timer is a small state machine:
//! - *active*: its next expiry is scheduled on the run's timer queue
//!   ([`NetTimer::QueueTimer`], by setting number, so a changed or deleted timer's old expiry
//!   is recognised and dropped). At each expiry its callback is queued on the pool and counted
//!   in `runs` (queued or running); a periodic timer is then due one period later, a once-only
//!   one becomes *spent*;
//! - *spent*: fired once and never again; `ChangeTimerQueueTimer` leaves it so (and
//!   succeeds), as Windows does (kernel32 sync.c test_timer_queue, `timer_queue_cb4`);
//! - *deleting*: `DeleteTimerQueueTimer` (or its queue's deletion) cancelled it while callbacks
//!   were still queued or running; they run to their end, and when `runs` falls to 0 the timer
//!   goes, its completion event (if any) is set and the threads waiting for it are woken
//!   ([`WaitKey::TimerCallbacks`]). A timer deleted with no callback outstanding goes at once.
//!
//! Queues are records of their own (the default queue of each host is queue 0, which always
//! exists). Handles of queues and timers are numbers from one count, never reused, so a stale
//! one is told from a live one; a host's crash ends its queues and timers (a handle from
//! before is stale after the restart).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::api::WsaError;
use crate::sim::kernel::thread_pool::{PoolItem, PoolKind, PoolThreadBody};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::net::tcp::NetTimer;
use crate::sim::runtime::{Layers, Nanos, WaitKey, World};

/// A timer's callback (`WAITORTIMERCALLBACK`), shared: a periodic timer's may run on two
/// pool threads at once.
pub(crate) type TimerCallback<L> = Arc<dyn Fn(&<L as Layers>::Handle, bool) + Send + Sync>;

/// What `CreateTimerQueueTimer` asks for.
pub(crate) struct NewQueueTimer<L: Layers> {
    /// The callback.
    pub callback: TimerCallback<L>,
    /// Due this long from now.
    pub due: Nanos,
    /// Then every period (0: once).
    pub period: Nanos,
    /// The pool its callbacks run in.
    pub kind: PoolKind,
}

/// Where a timer is in its life (see the module's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimerState {
    /// Its setting's next expiry is scheduled.
    Active,
    /// A once-only timer that fired.
    Spent,
    /// Deleted while callbacks were outstanding; goes when they have run.
    Deleting,
}

/// One timer-queue timer.
struct QueueTimer<L: Layers> {
    host: usize,
    /// The host's crash count when it was made (a crash ends it).
    boot: u32,
    /// Its queue's number (0: the host's default queue).
    queue: usize,
    callback: TimerCallback<L>,
    state: TimerState,
    /// Its period (0: once).
    period: Nanos,
    /// The number of its current setting (its scheduled expiry carries it).
    setting: u64,
    /// The pool its callbacks run in.
    kind: PoolKind,
    /// Callbacks queued or running.
    runs: u32,
    /// The event object to set when a pending deletion completes (held until then).
    on_deleted: Option<usize>,
}

/// A timer queue made by `CreateTimerQueue`.
#[derive(Debug)]
struct Queue {
    host: usize,
    /// The host's crash count when it was made (a crash ends it).
    boot: u32,
    /// Deleted (`DeleteTimerQueueEx`): its number is stale; while timers of it are still
    /// deleting, the event to set once the last has gone.
    deleted: Option<Option<usize>>,
}

/// Every host's timer queues and timers.
pub(crate) struct TimerQueues<L: Layers> {
    timers: BTreeMap<usize, QueueTimer<L>>,
    queues: BTreeMap<usize, Queue>,
    /// The last number given to a queue or a timer.
    last: usize,
}

impl<L: Layers> Default for TimerQueues<L> {
    fn default() -> Self {
        TimerQueues {
            timers: BTreeMap::new(),
            queues: BTreeMap::new(),
            last: 0,
        }
    }
}

impl<L: Layers> TimerQueues<L> {
    fn next_number(&mut self) -> usize {
        self.last += 1;
        self.last
    }
}

/// What a deletion found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deleted {
    /// Nothing outstanding: gone now.
    Done,
    /// Callbacks still queued or running: it goes when they have run.
    Pending,
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// The crash count of `host` (a crash ends its queues and timers).
    fn boot(&self, host: usize) -> u32 {
        self.net.hosts.get(host).map_or(0, |h| h.crashes)
    }

    /// `CreateTimerQueue` on `host`: the new queue's number.
    pub(crate) fn timer_queue_create(&mut self, host: usize) -> usize {
        let boot = self.boot(host);
        let tq = &mut self.kern.timer_queues;
        let n = tq.next_number();
        tq.queues.insert(
            n,
            Queue {
                host,
                boot,
                deleted: None,
            },
        );
        n
    }

    /// Whether `queue` (0: the default one) is a live queue of `host`.
    pub(crate) fn timer_queue_live(&self, host: usize, queue: usize) -> bool {
        if queue == 0 {
            return true;
        }
        let boot = self.boot(host);
        self.kern
            .timer_queues
            .queues
            .get(&queue)
            .is_some_and(|q| q.host == host && q.boot == boot && q.deleted.is_none())
    }

    /// `CreateTimerQueueTimer` on `host` in live queue `queue`: the new timer's number.
    pub(crate) fn queue_timer_create(
        &mut self,
        host: usize,
        queue: usize,
        new: NewQueueTimer<L>,
        body: PoolThreadBody<L>,
    ) -> usize {
        let NewQueueTimer {
            callback,
            due,
            period,
            kind,
        } = new;
        let boot = self.boot(host);
        let id = self.kern.timer_queues.next_number();
        self.kern.timer_queues.timers.insert(
            id,
            QueueTimer {
                host,
                boot,
                queue,
                callback,
                state: TimerState::Spent,
                period,
                setting: 0,
                kind,
                runs: 0,
                on_deleted: None,
            },
        );
        self.queue_timer_start(id, due, period, body);
        id
    }

    /// (Re)starts timer `id`: due `due` from now, then every `period`. Due at once, its
    /// first expiry is now, before the call returns: Windows has queued the callback by then
    /// (test_timer_queue's t0, deleted right after it was made, still runs once and makes the
    /// deletion pend).
    fn queue_timer_start(&mut self, id: usize, due: Nanos, period: Nanos, body: PoolThreadBody<L>) {
        self.kern.timer_settings += 1;
        let setting = self.kern.timer_settings;
        let host = self.kern.timer_queues.timers.get(&id).map_or(0, |t| t.host);
        let at = self.wait_due(host, due);
        let period = self.period_on_interrupts(host, period);
        let Some(t) = self.kern.timer_queues.timers.get_mut(&id) else {
            return;
        };
        t.state = TimerState::Active;
        t.period = period;
        t.setting = setting;
        if due == 0 {
            self.queue_timer_due(id, setting, body);
        } else {
            self.schedule(at, NetTimer::QueueTimer { id, setting });
        }
    }

    /// Timer `id` of `host`, if it is one of the host's and not being deleted.
    fn live_queue_timer(&self, host: usize, id: usize) -> Option<&QueueTimer<L>> {
        let t = self.kern.timer_queues.timers.get(&id)?;
        let alive = t.host == host && t.boot == self.boot(host) && t.state != TimerState::Deleting;
        let queue_alive = t.queue == 0 || self.kern.timer_queues.queues.contains_key(&t.queue);
        (alive && queue_alive).then_some(t)
    }

    /// `ChangeTimerQueueTimer`: timer `id` is next due `due` from now, then every `period`;
    /// a spent timer stays spent. ERROR_INVALID_PARAMETER for no timer of `host`'s.
    pub(crate) fn queue_timer_change(
        &mut self,
        host: usize,
        id: usize,
        due: Nanos,
        period: Nanos,
        body: PoolThreadBody<L>,
    ) -> Result<(), WsaError> {
        let t = self
            .live_queue_timer(host, id)
            .ok_or(WsaError::WSA_INVALID_PARAMETER)?;
        if t.state == TimerState::Active {
            self.queue_timer_start(id, due, period, body);
        }
        Ok(())
    }

    /// `DeleteTimerQueueTimer`: timer `id` fires no more; with callbacks outstanding it goes
    /// when they have run, and `event` (an event object, reset now) is set then, else at once.
    /// ERROR_INVALID_PARAMETER for no timer of `host`'s (or one already deleted).
    pub(crate) fn queue_timer_delete(
        &mut self,
        host: usize,
        id: usize,
        event: Option<usize>,
    ) -> Result<Deleted, WsaError> {
        self.live_queue_timer(host, id)
            .ok_or(WsaError::WSA_INVALID_PARAMETER)?;
        if let Some(e) = event {
            self.reset_event(e);
        }
        Ok(self.queue_timer_cancel(id, event))
    }

    /// Cancels timer `id` (see [`World::queue_timer_delete`]).
    fn queue_timer_cancel(&mut self, id: usize, event: Option<usize>) -> Deleted {
        let Some(t) = self.kern.timer_queues.timers.get_mut(&id) else {
            return Deleted::Done;
        };
        t.state = TimerState::Deleting;
        if t.runs > 0 {
            if let Some(e) = event {
                t.on_deleted = Some(e);
                self.kern.objects.hold(e);
            }
            return Deleted::Pending;
        }
        self.queue_timer_gone(id);
        if let Some(e) = event {
            self.set_event(e);
        }
        Deleted::Done
    }

    /// Whether timer `id` still exists (a deletion waiting for its callbacks waits for this
    /// to turn false).
    pub(crate) fn queue_timer_exists(&self, id: usize) -> bool {
        self.kern.timer_queues.timers.contains_key(&id)
    }

    /// `DeleteTimerQueueEx`: every timer of `queue` is deleted and the queue with them; with
    /// callbacks outstanding `event` is set when the last has run, else at once.
    /// ERROR_INVALID_HANDLE for the default queue or no live queue of `host`'s.
    pub(crate) fn timer_queue_delete(
        &mut self,
        host: usize,
        queue: usize,
        event: Option<usize>,
    ) -> Result<Deleted, WsaError> {
        if queue == 0 || !self.timer_queue_live(host, queue) {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        let ids: Vec<usize> = self
            .kern
            .timer_queues
            .timers
            .iter()
            .filter(|(_, t)| t.queue == queue && t.state != TimerState::Deleting)
            .map(|(&id, _)| id)
            .collect();
        if let Some(q) = self.kern.timer_queues.queues.get_mut(&queue) {
            q.deleted = Some(None);
        }
        for id in ids {
            self.queue_timer_cancel(id, None);
        }
        if !self.timer_queue_has_timers(queue) {
            self.kern.timer_queues.queues.remove(&queue);
            if let Some(e) = event {
                self.set_event(e);
            }
            return Ok(Deleted::Done);
        }
        if let Some(e) = event {
            self.kern.objects.hold(e);
            if let Some(q) = self.kern.timer_queues.queues.get_mut(&queue) {
                q.deleted = Some(Some(e));
            }
        }
        Ok(Deleted::Pending)
    }

    /// Whether any timer of `queue` still exists (a queue deletion that waits waits for this
    /// to turn false).
    pub(crate) fn timer_queue_has_timers(&self, queue: usize) -> bool {
        self.kern
            .timer_queues
            .timers
            .values()
            .any(|t| t.queue == queue)
    }

    /// Timer `id` goes: its deletion's event is set, its queue's too if it was the deleted
    /// queue's last, and the deletions that wait are woken.
    fn queue_timer_gone(&mut self, id: usize) {
        let Some(t) = self.kern.timer_queues.timers.remove(&id) else {
            return;
        };
        if let Some(e) = t.on_deleted {
            self.set_event(e);
            self.wait_done(e);
        }
        let queue = t.queue;
        let last_of_deleted = queue != 0
            && self
                .kern
                .timer_queues
                .queues
                .get(&queue)
                .is_some_and(|q| q.deleted.is_some())
            && !self.timer_queue_has_timers(queue);
        if last_of_deleted {
            if let Some(q) = self.kern.timer_queues.queues.remove(&queue) {
                if let Some(Some(e)) = q.deleted {
                    self.set_event(e);
                    self.wait_done(e);
                }
            }
        }
        self.notify(WaitKey::TimerCallbacks(t.host));
    }

    /// Setting `setting` of timer `id` expires: unless the timer changed, was deleted or its
    /// host crashed since, its callback is queued on the pool (a thread made by `body` if
    /// none is idle) and a periodic timer is due again one period later.
    pub(crate) fn queue_timer_due(&mut self, id: usize, setting: u64, body: PoolThreadBody<L>) {
        let Some(t) = self.kern.timer_queues.timers.get(&id) else {
            return;
        };
        if t.setting != setting || t.state != TimerState::Active {
            return;
        }
        let (host, queue, boot) = (t.host, t.queue, t.boot);
        let crashed = self.net.hosts.get(host).is_none_or(|h| h.crashed);
        if crashed || boot != self.boot(host) || (queue != 0 && !self.timer_queue_live(host, queue))
        {
            // The process is gone: its timers with it.
            self.kern.timer_queues.timers.remove(&id);
            return;
        }
        let now = self.rt.now;
        let Some(t) = self.kern.timer_queues.timers.get_mut(&id) else {
            return;
        };
        t.runs += 1;
        let (period, kind) = (t.period, t.kind);
        if period == 0 {
            t.state = TimerState::Spent;
        } else {
            t.state = TimerState::Active;
            self.schedule(now + period, NetTimer::QueueTimer { id, setting });
        }
        self.pool_push(host, kind, PoolItem::Timer(id), body);
    }

    /// The callback of timer `id`, for the pool thread about to run one of its expiries.
    pub(crate) fn queue_timer_callback(&self, id: usize) -> Option<TimerCallback<L>> {
        self.kern
            .timer_queues
            .timers
            .get(&id)
            .map(|t| t.callback.clone())
    }

    /// A callback of timer `id` has run: a deleted timer with none left goes.
    pub(crate) fn queue_timer_ran(&mut self, id: usize) {
        let Some(t) = self.kern.timer_queues.timers.get_mut(&id) else {
            return;
        };
        t.runs = t.runs.saturating_sub(1);
        if t.runs == 0 && t.state == TimerState::Deleting {
            self.queue_timer_gone(id);
        }
    }
}
