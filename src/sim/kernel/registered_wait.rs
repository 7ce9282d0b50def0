//! Registered waits (`RegisterWaitForSingleObject`, `UnregisterWait`, `UnregisterWaitEx`): a
//! process's pool wait thread waits on every registered object at once, as a wait of its own
//! (the dispatcher hands it an auto-reset event's signal or a semaphore's count as it would
//! any waiter), and each time one is signalled, or its timeout passes first, the wait's
//! callback runs: on a worker (`thread_pool`), or in the wait thread itself with
//! `WT_EXECUTEINWAITTHREAD`.
//!
//! A registration is a small state machine:
//! - *waiting*: its object is in the wait thread's next wait, until its deadline (none for
//!   INFINITE). When it fires, a `WT_EXECUTEONLYONCE` wait becomes *fired*, any other starts
//!   again at once with a new deadline (so an object that stays signalled fires again at
//!   once: Windows' behaviour, and a classic bug with manual-reset events);
//! - *fired*: waits no more; it still holds its handle until unregistered;
//! - *unregistering*: `UnregisterWait(Ex)` ended it while callbacks were queued or running;
//!   they run to their end, and when the last has, the registration goes, its completion
//!   event (if any) is set and the waiting unregistrations are woken
//!   ([`WaitKey::TimerCallbacks`], shared with timer queues).
//!
//! A wait object of the Vista pool (`tp_wait`) waits through a registration of its own,
//! made by each `SetThreadpoolWait`: once only, its deadline absolute, its firing handed to
//! the object (the registration goes at once; the object's run carries the result).
//!
//! The wait thread learns of a change (a new registration, an unregistration) through a flag
//! of its host's, announced on [`WaitKey::PoolWaits`], which ends its wait (as Windows' wait
//! threads are woken by an event of their own, not an APC: a callback that waits alertably
//! in the wait thread sees only the program's APCs), and starts a new wait over the
//! registrations that are waiting. As on Windows, a wait thread serves a group of at most
//! [`GROUP_WAITS`] registrations (one wait can hold at most 64 handles, and the thread keeps
//! a slot of its own): a new registration joins the host's first group with room, and a
//! group's thread is made with its first registration. Callbacks run in the wait thread
//! (`WT_EXECUTEINWAITTHREAD`) are serialised within a group, not across groups.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::thread_pool::{WT_EXECUTEINWAITTHREAD, WT_EXECUTEONLYONCE};
use crate::api::WsaError;
use crate::sim::kernel::sync::Waitable;
use crate::sim::kernel::system_time::{moved_due, DueTime};
use crate::sim::kernel::thread_pool::{PoolItem, PoolKind, PoolThreadBody};
use crate::sim::kernel::timer_queue::{Deleted, TimerCallback};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{Layers, Nanos, ThreadBody, WaitKey, World};

/// How many registrations one wait thread serves (MAXIMUM_WAIT_OBJECTS − 1).
pub(crate) const GROUP_WAITS: usize = 63;

/// The wait key a group's thread is told of changes on: host and group in one number.
pub(crate) fn group_key(host: usize, group: usize) -> WaitKey {
    WaitKey::PoolWaits((host << 20) | group)
}

/// Makes the function of a group's wait thread, given the group's number.
pub(crate) type WaitThreadMaker<L> = fn(usize) -> ThreadBody<L>;

/// Where a registration is in its life (see the module's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegState {
    /// In the wait thread's waits, until this deadline (`None`: INFINITE).
    Waiting(Option<Nanos>),
    /// A `WT_EXECUTEONLYONCE` wait that fired.
    Fired,
    /// Unregistered while callbacks were outstanding; goes when they have run.
    Unregistering,
}

/// Whose a registration is.
enum RegTarget<L: Layers> {
    /// `RegisterWaitForSingleObject`'s: its callback.
    Callback(TimerCallback<L>),
    /// The wait of wait object `id` (`tp_wait`).
    Tp(usize),
}

/// One registered wait.
struct Registration<L: Layers> {
    host: usize,
    /// The host's group of waits it belongs to: whose wait thread waits on it.
    group: usize,
    /// The host's crash count when it was made (a crash ends it).
    boot: u32,
    object: Waitable,
    target: RegTarget<L>,
    /// The timeout (`None`: INFINITE).
    timeout: Option<Nanos>,
    flags: u32,
    state: RegState,
    /// Callbacks queued or running.
    runs: u32,
    /// Whether the wait thread is running one of its callbacks.
    in_wait_thread: bool,
    /// The event object to set when a pending unregistration completes (held until then).
    on_unregistered: Option<usize>,
}

/// Every host's registered waits, and each group's wait thread.
pub(crate) struct RegisteredWaits<L: Layers> {
    regs: BTreeMap<usize, Registration<L>>,
    /// Each group's wait thread, by (host, group), once made.
    wait_threads: BTreeMap<(usize, usize), usize>,
    /// The registrations of each group, by (host, group): a group's wait and a new
    /// registration's search for room look at one group's at a time, never all of them.
    members: BTreeMap<(usize, usize), BTreeSet<usize>>,
    /// The groups whose wait thread is to look at its registrations again.
    poked: BTreeSet<(usize, usize)>,
    /// The last number given to a registration.
    last: usize,
    /// The registrations whose deadline is an absolute system time (`system_time`).
    absolute: BTreeSet<usize>,
}

impl<L: Layers> Default for RegisteredWaits<L> {
    fn default() -> Self {
        RegisteredWaits {
            regs: BTreeMap::new(),
            wait_threads: BTreeMap::new(),
            members: BTreeMap::new(),
            poked: BTreeSet::new(),
            last: 0,
            absolute: BTreeSet::new(),
        }
    }
}

/// What the wait thread waits on next: each waiting registration's number and object, and
/// the earliest deadline.
pub(crate) struct WaitSet {
    pub regs: Vec<usize>,
    pub objects: Vec<Waitable>,
    pub deadline: Option<Nanos>,
}

/// What a registration that fired does with its callback.
pub(crate) enum Fired {
    /// Nothing (it had been unregistered meanwhile).
    Nothing,
    /// The wait thread runs it itself.
    InWaitThread,
    /// Queued on the workers.
    Queued,
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// `RegisterWaitForSingleObject` on `host`: the registration's number. The wait thread
    /// (made by `wait_thread` the first time) is told to look again.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn register_wait(
        &mut self,
        host: usize,
        object: Waitable,
        callback: TimerCallback<L>,
        timeout: Option<Nanos>,
        flags: u32,
        wait_thread: WaitThreadMaker<L>,
    ) -> usize {
        let deadline = timeout.map(|t| self.wait_due(host, t));
        let target = RegTarget::Callback(callback);
        self.add_registration(host, object, target, timeout, flags, deadline, wait_thread)
    }

    /// `SetThreadpoolWait` of wait object `tp` on `host`: a once-only registration of
    /// `object` until `deadline` (`None`: no end), the wait thread made by `wait_thread` the
    /// first time. Its number.
    pub(crate) fn register_tp_wait(
        &mut self,
        host: usize,
        tp: usize,
        object: Waitable,
        deadline: Option<DueTime>,
        wait_thread: WaitThreadMaker<L>,
    ) -> usize {
        let target = RegTarget::Tp(tp);
        let once = WT_EXECUTEONLYONCE;
        let at = deadline.map(|d| d.at);
        let id = self.add_registration(host, object, target, None, once, at, wait_thread);
        if deadline.is_some_and(|d| d.absolute) {
            self.kern.registered_waits.absolute.insert(id);
        }
        id
    }

    /// Host `host`'s system clock was set `ticks` forward (back if negative): each of its
    /// waits whose deadline is an absolute system time times out when the new clock reaches
    /// it (its wait thread told to look again).
    pub(crate) fn retime_tp_waits(&mut self, host: usize, ticks: i64) {
        let now = self.rt.now;
        let clock = self.interrupts(host);
        let rw = &mut self.kern.registered_waits;
        let mut groups = BTreeSet::new();
        for id in &rw.absolute {
            let Some(r) = rw.regs.get_mut(id).filter(|r| r.host == host) else {
                continue;
            };
            if let RegState::Waiting(Some(d)) = &mut r.state {
                *d = clock.at_or_after(moved_due(*d, ticks, now));
                groups.insert(r.group);
            }
        }
        for group in groups {
            self.poke_wait_thread(host, group, None);
        }
    }

    /// A new registration, waiting until `deadline`; it holds `object`, and the wait thread
    /// is told (or made).
    #[allow(clippy::too_many_arguments)]
    fn add_registration(
        &mut self,
        host: usize,
        object: Waitable,
        target: RegTarget<L>,
        timeout: Option<Nanos>,
        flags: u32,
        deadline: Option<Nanos>,
        wait_thread: WaitThreadMaker<L>,
    ) -> usize {
        if let Waitable::Object(i) = object {
            self.kern.objects.hold(i);
        }
        let boot = self.net.hosts.get(host).map_or(0, |h| h.crashes);
        let group = self.group_with_room(host, boot);
        let rw = &mut self.kern.registered_waits;
        rw.last += 1;
        let id = rw.last;
        rw.regs.insert(
            id,
            Registration {
                host,
                group,
                boot,
                object,
                target,
                timeout,
                flags,
                state: RegState::Waiting(deadline),
                runs: 0,
                in_wait_thread: false,
                on_unregistered: None,
            },
        );
        rw.members.entry((host, group)).or_default().insert(id);
        self.poke_wait_thread(host, group, Some(wait_thread));
        id
    }

    /// The first group of `host`'s waits (of boot `boot`) with fewer than [`GROUP_WAITS`]
    /// registrations.
    fn group_with_room(&self, host: usize, boot: u32) -> usize {
        let rw = &self.kern.registered_waits;
        let of_boot = |group: usize| {
            rw.members.get(&(host, group)).map_or(0, |ids| {
                ids.iter()
                    .filter(|id| rw.regs.get(id).is_some_and(|r| r.boot == boot))
                    .count()
            })
        };
        (0..).find(|&g| of_boot(g) < GROUP_WAITS).unwrap_or(0)
    }

    /// A wait object's registration `id` ends (set again, stopped or closed): it goes at
    /// once (it never has callbacks of its own) and the wait thread looks again.
    pub(crate) fn drop_registration(&mut self, id: usize) {
        let at = self
            .kern
            .registered_waits
            .regs
            .get(&id)
            .map(|r| (r.host, r.group));
        self.registration_gone(id);
        if let Some((host, group)) = at {
            self.poke_wait_thread(host, group, None);
        }
    }

    /// Tells the wait thread of `host`'s group `group` to look at its registrations again,
    /// making it first if `make` gives its function.
    fn poke_wait_thread(&mut self, host: usize, group: usize, make: Option<WaitThreadMaker<L>>) {
        let killed = &self.net.faults.killed;
        let live = self
            .kern
            .registered_waits
            .wait_threads
            .get(&(host, group))
            .copied()
            .filter(|t| !killed.contains(t));
        match (live, make) {
            (Some(_), _) => {
                self.kern.registered_waits.poked.insert((host, group));
                self.notify(group_key(host, group));
            }
            (None, Some(make)) => {
                let name = "thread-pool wait".to_string();
                let tid = self.new_thread(host, name, true, make(group));
                self.kern
                    .registered_waits
                    .wait_threads
                    .insert((host, group), tid);
            }
            (None, None) => {}
        }
    }

    /// Whether the wait thread of `host`'s group `group` was told to look again (and is
    /// told no more).
    pub(crate) fn take_pool_wait_poke(&mut self, host: usize, group: usize) -> bool {
        self.kern.registered_waits.poked.remove(&(host, group))
    }

    /// The registrations of `host`'s group `group` its wait thread waits on next (of its
    /// boot): at most [`GROUP_WAITS`].
    pub(crate) fn wait_set(&self, host: usize, group: usize) -> WaitSet {
        let boot = self.net.hosts.get(host).map_or(0, |h| h.crashes);
        let mut set = WaitSet {
            regs: Vec::new(),
            objects: Vec::new(),
            deadline: None,
        };
        let rw = &self.kern.registered_waits;
        let ids = rw.members.get(&(host, group)).into_iter().flatten();
        for (&id, r) in ids.filter_map(|id| rw.regs.get(id).map(|r| (id, r))) {
            if r.boot != boot {
                continue;
            }
            if let RegState::Waiting(d) = r.state {
                set.regs.push(id);
                set.objects.push(r.object);
                if let Some(d) = d {
                    set.deadline = Some(set.deadline.map_or(d, |m: Nanos| m.min(d)));
                }
            }
        }
        set
    }

    /// The registrations among `regs` whose deadline has come, in order.
    pub(crate) fn waits_timed_out(&self, regs: &[usize]) -> Vec<usize> {
        let now = self.rt.now;
        regs.iter()
            .copied()
            .filter(|id| {
                self.kern
                    .registered_waits
                    .regs
                    .get(id)
                    .is_some_and(|r| matches!(r.state, RegState::Waiting(Some(d)) if d <= now))
            })
            .collect()
    }

    /// Registration `id` fired (`timed_out`: its timeout passed first): it waits again or,
    /// once only, no more, and its callback is queued on the workers (made by `body` when
    /// none is idle) or left to the wait thread.
    pub(crate) fn wait_fired(
        &mut self,
        id: usize,
        timed_out: bool,
        body: PoolThreadBody<L>,
    ) -> Fired {
        let now = self.rt.now;
        let Some(r) = self.kern.registered_waits.regs.get_mut(&id) else {
            return Fired::Nothing;
        };
        if !matches!(r.state, RegState::Waiting(_)) {
            return Fired::Nothing;
        }
        if let RegTarget::Tp(tp) = r.target {
            self.registration_gone(id);
            self.tp_wait_fired(tp, id, timed_out, body);
            return Fired::Queued;
        }
        r.state = if r.flags & WT_EXECUTEONLYONCE != 0 {
            RegState::Fired
        } else {
            RegState::Waiting(r.timeout.map(|t| now.saturating_add(t)))
        };
        r.runs += 1;
        if r.flags & WT_EXECUTEINWAITTHREAD != 0 {
            r.in_wait_thread = true;
            return Fired::InWaitThread;
        }
        let host = r.host;
        let kind = PoolKind::of_flags(r.flags);
        self.pool_push(host, kind, PoolItem::Wait(id, timed_out), body);
        Fired::Queued
    }

    /// The callback of registration `id`, for the thread about to run it.
    pub(crate) fn wait_callback(&self, id: usize) -> Option<TimerCallback<L>> {
        match &self.kern.registered_waits.regs.get(&id)?.target {
            RegTarget::Callback(c) => Some(c.clone()),
            RegTarget::Tp(_) => None,
        }
    }

    /// A callback of registration `id` has run: an unregistered one with none left goes.
    pub(crate) fn wait_callback_ran(&mut self, id: usize) {
        let Some(r) = self.kern.registered_waits.regs.get_mut(&id) else {
            return;
        };
        r.runs = r.runs.saturating_sub(1);
        r.in_wait_thread = false;
        if r.runs == 0 && r.state == RegState::Unregistering {
            self.registration_gone(id);
        }
    }

    /// `UnregisterWaitEx` by thread `tid` of `host`: registration `id` waits no more; with
    /// callbacks outstanding (other than one the caller, the wait thread, is running) it goes
    /// when they have run and `event` is set then, else at once. ERROR_INVALID_HANDLE for no
    /// registration of `host`'s.
    pub(crate) fn unregister_wait(
        &mut self,
        host: usize,
        tid: usize,
        id: usize,
        event: Option<usize>,
    ) -> Result<Deleted, WsaError> {
        let boot = self.net.hosts.get(host).map_or(0, |h| h.crashes);
        let rw = &mut self.kern.registered_waits;
        let Some(r) = rw.regs.get_mut(&id) else {
            return Err(WsaError::WSA_INVALID_HANDLE);
        };
        let group = r.group;
        let own_thread = rw.wait_threads.get(&(host, group)) == Some(&tid);
        let tp = matches!(r.target, RegTarget::Tp(_));
        if r.host != host || r.boot != boot || r.state == RegState::Unregistering || tp {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        r.state = RegState::Unregistering;
        // The wait thread unregistering the wait whose callback it is running: that run is
        // the caller's own and does not keep the unregistration pending.
        let own_run = own_thread && r.in_wait_thread;
        let others = r.runs.saturating_sub(u32::from(own_run));
        let outstanding = r.runs > 0;
        if let Some(e) = event {
            self.reset_event(e);
        }
        if outstanding {
            // It goes when the last callback returns (`wait_callback_ran`), the caller's own
            // included; its event is set then.
            if let Some(e) = event {
                self.kern.objects.hold(e);
                if let Some(r) = self.kern.registered_waits.regs.get_mut(&id) {
                    r.on_unregistered = Some(e);
                }
            }
        } else {
            self.registration_gone(id);
            if let Some(e) = event {
                self.set_event(e);
            }
        }
        let result = if others == 0 {
            Deleted::Done
        } else {
            Deleted::Pending
        };
        self.poke_wait_thread(host, group, None);
        Ok(result)
    }

    /// Whether registration `id` still exists (an unregistration that waits waits for this to
    /// turn false).
    pub(crate) fn registration_exists(&self, id: usize) -> bool {
        self.kern.registered_waits.regs.contains_key(&id)
    }

    /// Registration `id` goes: its object is no longer held, its unregistration's event is
    /// set, the unregistrations that wait are woken.
    fn registration_gone(&mut self, id: usize) {
        let rw = &mut self.kern.registered_waits;
        let Some(r) = rw.regs.remove(&id) else {
            return;
        };
        rw.absolute.remove(&id);
        if let Some(ids) = rw.members.get_mut(&(r.host, r.group)) {
            ids.remove(&id);
            if ids.is_empty() {
                rw.members.remove(&(r.host, r.group));
            }
        }
        if let Waitable::Object(i) = r.object {
            self.wait_done(i);
        }
        if let Some(e) = r.on_unregistered {
            self.set_event(e);
            self.wait_done(e);
        }
        self.notify(WaitKey::TimerCallbacks(r.host));
    }
}
