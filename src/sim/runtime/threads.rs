//! Simulated threads, the virtual clock, timers, and waiting.
//!
//! Exactly one simulated thread runs at a time. A thread that cannot go on (a blocking call)
//! registers on the objects it waits for ([`WaitKey`]) and, if it has a timeout, on a timer;
//! then it yields to the scheduler. Anything that changes an object calls
//! `World::notify`, which makes its waiters runnable again; they re-check their condition
//! (wake-ups may be spurious, never lost). The scheduler picks the next runnable thread with
//! the seeded generator; when none is runnable the clock jumps to the earliest timer.
//!
//! A thread that keeps calling without blocking (WSAEWOULDBLOCK in a loop, `Sleep(0)`, but
//! also recv returning 0 or a select that always finds a socket ready) is parked as a
//! *spinner* after [`SPIN_LIMIT`] calls in a row that did not wait: spinners run again only
//! after the clock moves, so a busy-polling program cannot stop virtual time.

use std::collections::BTreeMap;

use super::timers::{Due, TimerEvent};
use super::trace::TraceKind;
use super::{Layers, Nanos, RuntimeHooks, World};
use crate::api::WsaError;

/// Calls in a row that did not wait before a thread is parked until the clock moves.
pub(crate) const SPIN_LIMIT: u32 = 64;

/// How a simulated thread ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadOutcome {
    /// The thread's function returned `Ok(())`.
    Ok,
    /// The thread's function returned an error.
    Err(WsaError),
    /// The thread panicked; the payload's message.
    Panicked(String),
    /// The run ended while the thread was still blocked (daemon threads such as servers).
    Unfinished(&'static str),
}

/// What a thread is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ThreadState {
    /// Ready to run (in the runnable list or a spinner).
    Runnable,
    /// Waiting in the named call.
    Blocked(&'static str),
    /// Its function has returned.
    Finished,
}

/// One simulated thread.
///
/// Laid out by hand (`repr(C)`), each on a cache line of its own: every call, block and
/// wake-up reads or writes the fields up to `ext`'s first ones, so they come first and share
/// one line, and the rarely read ones (name, outcome) come last. With thousands of threads
/// woken in turn, each wake-up misses the cache on its thread's lines: one line, not the four
/// the compiler's order spread them over.
#[repr(C, align(64))]
pub(crate) struct Thread<X> {
    pub state: ThreadState,
    /// Incremented at every block; wake-ups carrying an older value are stale.
    pub wait_seq: u64,
    pub host: usize,
    /// WSAGetLastError / GetLastError of this thread.
    pub last_error: i32,
    /// Fruitless polling calls since the last progress.
    pub idle_calls: u32,
    pub daemon: bool,
    /// Set when a timer woke the thread (its wait timed out).
    pub timed_out: bool,
    /// What the upper layers keep per thread (message queue, APC queue, completion port):
    /// its own hot fields first.
    pub ext: X,
    pub outcome: Option<ThreadOutcome>,
    pub name: String,
}

impl<X> std::fmt::Debug for Thread<X> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thread")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("state", &self.state)
            .finish()
    }
}

/// What a blocked thread can be woken by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum WaitKey {
    /// Any change of a socket's state (data, space, connection, close).
    Socket(usize),
    /// Something to read on a socket: data, urgent data, a connection to accept, a close.
    Readable(usize),
    /// Send space on a socket.
    Writable(usize),
    /// A thread's end (WaitForSingleObject on a thread handle).
    Thread(usize),
    /// A kernel object of the wait models (event, port), by object index.
    Object(usize),
    /// A thread's message queue.
    Messages(usize),
    /// A thread's APC queue (alertable waits).
    Apc(usize),
    /// An overlapped operation of a host, by OVERLAPPED id (WSAGetOverlappedResult with wait).
    Io(usize, u64),
    /// A user-mode lock or condition variable (critical section, SRW lock), by lock id.
    Lock(usize),
    /// Work for an idle thread of a thread pool, by pool (two a host: its workers, its
    /// persistent thread).
    Pool(usize),
    /// The end of a deleted timer-queue timer's last callback on a host (deletions that wait).
    TimerCallbacks(usize),
    /// A change of a host's registered waits (its pool wait thread starts a new wait).
    PoolWaits(usize),
}

/// One attempt at a call that may block: finished, or wait on `key` (until `deadline`).
pub(crate) enum Step<T> {
    Done(Result<T, WsaError>),
    Wait(WaitKey, Option<Nanos>),
    /// Wait for any of several objects (select, multiple-object waits).
    WaitAny(Vec<WaitKey>, Option<Nanos>),
}

/// The threads waiting on a socket: its readers (list 0) and its writers (list 1), each in
/// the order they began to wait, with the number of the wait each is in.
///
/// One cache line per socket, each list's first waiter in it: a list holds one waiter at
/// most in nearly every run (a thread per connection, blocked in recv), and a wake-up then
/// reads no other line. The waiters beyond the first live behind a pointer, allocated the
/// first time a list holds two. (Two vectors used to be the lists: their buffers were a
/// second line to miss on every wake-up of a thread per connection at 1,000 connections.)
#[repr(align(64))]
#[derive(Debug, Default)]
pub(crate) struct SocketWaiters {
    /// Each list's first waiter (its rest is empty when there is none).
    first: [Option<Waiter>; 2],
    /// Each list's waiters after the first, in order.
    rest: Option<Box<[Vec<Waiter>; 2]>>,
}

/// A waiting thread and the number of the wait it is in.
type Waiter = (usize, u64);

impl SocketWaiters {
    /// Thread `tid` begins wait number `seq` on list `l`: the length of the list's rest.
    fn push(&mut self, l: usize, tid: usize, seq: u64) -> usize {
        if self.first[l].is_none() {
            self.first[l] = Some((tid, seq));
            0
        } else {
            let rest = &mut self.rest.get_or_insert_with(Box::default)[l];
            rest.push((tid, seq));
            rest.len()
        }
    }

    /// Drops list `l`'s waiters after the first that `live` says have ended their wait.
    fn prune(&mut self, l: usize, live: impl Fn(Waiter) -> bool) {
        if let Some(r) = self.rest.as_mut() {
            r[l].retain(|&w| live(w));
        }
    }

    /// Every waiter on either list (a report's look-up): each list's first, then its rest.
    pub(crate) fn all(&self) -> impl Iterator<Item = Waiter> + '_ {
        let rest = self.rest.as_deref().into_iter().flatten().flatten();
        self.first.iter().flatten().chain(rest).copied()
    }

    /// Whether no thread waits on list `l`.
    #[inline]
    fn is_empty(&self, l: usize) -> bool {
        self.first[l].is_none()
    }

    /// Takes list `l`'s first waiter and the rest (an empty vector, allocating nothing, when
    /// there is no rest), leaving the list empty.
    fn take(&mut self, l: usize) -> Option<(Waiter, Vec<Waiter>)> {
        let first = self.first[l].take()?;
        let rest = self
            .rest
            .as_mut()
            .map(|r| std::mem::take(&mut r[l]))
            .unwrap_or_default();
        Some((first, rest))
    }

    /// Gives list `l` back the allocation of a vector of its waiters, if it has none.
    fn keep_allocation(&mut self, l: usize, mut rest: Vec<Waiter>) {
        if let Some(r) = self.rest.as_mut() {
            if r[l].capacity() == 0 {
                rest.clear();
                r[l] = rest;
            }
        }
    }
}

impl IntoIterator for SocketWaiters {
    type Item = Waiter;
    type IntoIter = std::vec::IntoIter<Waiter>;

    /// Every waiter: the readers in order, then the writers.
    fn into_iter(self) -> Self::IntoIter {
        let mut all = Vec::new();
        let mut rest = self.rest.map(|r| *r).unwrap_or_default();
        for (first, rest) in self.first.into_iter().zip(rest.iter_mut()) {
            all.extend(first);
            all.append(rest);
        }
        all.into_iter()
    }
}

/// The waiters of every object but a socket (sockets keep theirs in the socket table), in
/// registration order, and how many entries each kind of key holds: a notification of a
/// kind no one waits on (nearly every `Io` one: WSAGetOverlappedResult rarely waits) is
/// then a counter read instead of a search of the map.
#[derive(Default)]
pub(crate) struct Waiters {
    map: BTreeMap<WaitKey, Vec<(usize, u64)>>,
    /// Entries (stale ones included) under keys of each kind, by [`kind_index`].
    entries: [usize; KINDS],
}

/// Switches between two checkpoints at one virtual instant after which the runnable threads
/// are parked until the clock moves ([`World::cpu_time_passes`]), plus 16 a thread of the
/// run.
const INSTANT_SWITCHES: u64 = 100_000;

/// The length of a waiter list at which the entries of ended waits are dropped from it
/// ([`World::prune_waiters`]), and again at each power of two above it (so a list of many
/// live waiters is not scanned at every wait).
const PRUNE_AT: usize = 64;

/// Whether a waiter list that has just grown to `len` is to be pruned.
#[inline]
fn prune_now(len: usize) -> bool {
    len >= PRUNE_AT && len.is_power_of_two()
}

/// How many kinds of [`WaitKey`] there are.
const KINDS: usize = 12;

/// The index of `key`'s kind in [`Waiters::entries`].
fn kind_index(key: &WaitKey) -> usize {
    match key {
        WaitKey::Socket(_) => 0,
        WaitKey::Readable(_) => 1,
        WaitKey::Writable(_) => 2,
        WaitKey::Thread(_) => 3,
        WaitKey::Object(_) => 4,
        WaitKey::Messages(_) => 5,
        WaitKey::Apc(_) => 6,
        WaitKey::Io(..) => 7,
        WaitKey::Lock(_) => 8,
        WaitKey::Pool(_) => 9,
        WaitKey::TimerCallbacks(_) => 10,
        WaitKey::PoolWaits(_) => 11,
    }
}

impl Waiters {
    /// An empty set of waiters.
    pub(crate) fn new() -> Waiters {
        Waiters::default()
    }

    /// Adds thread `tid`, in its wait numbered `seq`, to the waiters of `key`: the length of
    /// its list.
    fn push(&mut self, key: WaitKey, tid: usize, seq: u64) -> usize {
        self.entries[kind_index(&key)] += 1;
        let list = self.map.entry(key).or_default();
        list.push((tid, seq));
        list.len()
    }

    /// Drops the waiters of `key` that `live` says have ended their wait.
    fn prune(&mut self, key: &WaitKey, live: impl Fn(Waiter) -> bool) {
        if let Some(list) = self.map.get_mut(key) {
            let before = list.len();
            list.retain(|&w| live(w));
            self.entries[kind_index(key)] -= before - list.len();
        }
    }

    /// Whether any thread may be waiting on a key of `key`'s kind.
    #[inline]
    fn any_of_kind(&self, key: &WaitKey) -> bool {
        self.entries[kind_index(key)] != 0
    }

    /// Takes every waiter of `key`, oldest first.
    fn take(&mut self, key: &WaitKey) -> Option<Vec<(usize, u64)>> {
        let list = self.map.remove(key)?;
        self.entries[kind_index(key)] -= list.len();
        Some(list)
    }

    /// Every entry, as (key, thread, wait number), in the keys' order (a report's look-up).
    pub(crate) fn entries(&self) -> impl Iterator<Item = (WaitKey, usize, u64)> + '_ {
        let lists = self.map.iter();
        lists.flat_map(|(k, l)| l.iter().map(move |&(tid, seq)| (*k, tid, seq)))
    }

    /// Takes the most recent waiter of `key`.
    fn pop_last(&mut self, key: &WaitKey) -> Option<(usize, u64)> {
        let entry = self.map.get_mut(key)?.pop()?;
        self.entries[kind_index(key)] -= 1;
        Some(entry)
    }
}

/// Which of a socket's two waiter lists ([readers, writers]) a socket wait key uses.
fn socket_lists(key: WaitKey) -> Option<(usize, &'static [usize])> {
    match key {
        WaitKey::Socket(id) => Some((id, &[0, 1])),
        WaitKey::Readable(id) => Some((id, &[0])),
        WaitKey::Writable(id) => Some((id, &[1])),
        _ => None,
    }
}

impl<L: Layers> World<L>
where
    Self: RuntimeHooks<L>,
{
    /// Schedules the delivery of `pkt` to host `to` over link `li` at `at` (not before the
    /// link's tail: arrivals on a link never go backwards).
    pub(crate) fn schedule_delivery(&mut self, at: Nanos, li: usize, to: usize, pkt: L::Packet) {
        let rt = &mut self.rt;
        let seq = rt.timer_seq;
        rt.timer_seq += 1;
        let at = at.max(rt.now);
        rt.timers.push_delivery(at, seq, li, to, pkt);
    }

    /// Schedules an upper layer's event at virtual time `at` (not earlier than now).
    pub(crate) fn schedule(&mut self, at: Nanos, ev: L::Timer) {
        self.schedule_timer(at, TimerEvent::Layer(ev));
    }

    /// A wait's timeout sorts after every other event of its instant (`WAKE_LAST` in its
    /// sequence number): Windows ends a timed wait on the clock interrupt at or after the
    /// deadline, so whatever happens at the deadline instant itself (data, a completion, a
    /// signal) is seen by the wait rather than lost to the timeout.
    fn schedule_timer(&mut self, at: Nanos, ev: TimerEvent<L::Timer>) {
        const WAKE_LAST: u64 = 1 << 63;
        let rt = &mut self.rt;
        let seq = match ev {
            TimerEvent::Wake { .. } => rt.timer_seq | WAKE_LAST,
            TimerEvent::Layer(_) => rt.timer_seq,
        };
        rt.timer_seq += 1;
        let at = at.max(rt.now);
        rt.timers.push(at, seq, ev);
    }

    /// Registers `tid` as blocked in `call` on `keys`, optionally until `deadline`.
    pub(crate) fn block(
        &mut self,
        tid: usize,
        call: &'static str,
        keys: &[WaitKey],
        deadline: Option<Nanos>,
    ) {
        let t = &mut self.rt.threads[tid];
        t.wait_seq += 1;
        t.state = ThreadState::Blocked(call);
        // A real wait ends a run of calls that did not block (see `SimWinsock::finish`).
        t.idle_calls = 0;
        t.timed_out = false;
        let seq = t.wait_seq;
        self.thread_blocking(tid, call);
        for k in keys {
            let Some((id, lists)) = socket_lists(*k) else {
                if prune_now(self.rt.waiters.push(*k, tid, seq)) {
                    self.prune_waiters(*k, None);
                }
                continue;
            };
            let mut full = [false; 2];
            if let Some(w) = self.socket_waiters(id, true) {
                for &l in lists {
                    full[l] = prune_now(w.push(l, tid, seq));
                }
            }
            for (l, full) in full.into_iter().enumerate() {
                if full {
                    self.prune_waiters(*k, Some(l));
                }
            }
        }
        if let Some(at) = deadline {
            self.schedule_timer(at, TimerEvent::Wake { tid, seq });
        }
    }

    /// Drops the entries of threads no longer in the wait they were added in from the
    /// waiters of `key` (socket list `l` for a socket key). A wait that ends by another key,
    /// or by its timeout, leaves its entries under its other keys until those are notified;
    /// a key waited on over and over but never notified (a thread's APCs in its alertable
    /// waits, an object a loop waits on with a timeout) would keep them all: a pool's wait
    /// thread grew one by 23 GB. Called when a list reaches [`PRUNE_AT`] entries (and each power of two above); since
    /// it keeps every live waiter in order, no wake changes.
    #[cold]
    fn prune_waiters(&mut self, key: WaitKey, l: Option<usize>) {
        let threads = &self.rt.threads;
        let live = |(t, s): Waiter| {
            threads
                .get(t)
                .is_some_and(|th| th.wait_seq == s && matches!(th.state, ThreadState::Blocked(_)))
        };
        match (l, socket_lists(key)) {
            (Some(l), Some((id, _))) => {
                // The socket's lists live in the layer above: the live entries are found
                // first, then kept.
                let entries: Vec<Waiter> = self
                    .socket_waiters(id, false)
                    .map(|w| w.all().collect())
                    .unwrap_or_default();
                let threads = &self.rt.threads;
                let keep: Vec<Waiter> = entries
                    .into_iter()
                    .filter(|&(t, s)| {
                        threads.get(t).is_some_and(|th| {
                            th.wait_seq == s && matches!(th.state, ThreadState::Blocked(_))
                        })
                    })
                    .collect();
                if let Some(w) = self.socket_waiters(id, false) {
                    w.prune(l, |e| keep.contains(&e));
                }
            }
            _ => self.rt.waiters.prune(&key, live),
        }
    }

    /// Makes every thread waiting on `key` runnable.
    ///
    /// Most notifications of a socket find no one waiting (every acknowledgement announces
    /// send space; a blocked writer is rare), and so do most of the other kinds (every
    /// overlapped operation announces its end to WSAGetOverlappedResult, which rarely
    /// waits): both checks are inlined at the caller (the socket's lists; the count of
    /// waiters of the key's kind), and only a notification with waiters pays for the call
    /// that wakes them.
    #[inline]
    pub(crate) fn notify(&mut self, key: WaitKey) {
        if let Some((id, lists)) = socket_lists(key) {
            match self.socket_waiters(id, false) {
                Some(w) if lists.iter().any(|&l| !w.is_empty(l)) => {}
                _ => return,
            }
        } else if !self.rt.waiters.any_of_kind(&key) {
            return;
        }
        self.notify_waiters(key);
    }

    /// The threads still blocked in a wait on `key` (a kernel object's, not a socket's),
    /// oldest wait first, taken off its list (each is then woken or satisfied by the caller).
    pub(crate) fn take_waiters(&mut self, key: WaitKey) -> Vec<(usize, u64)> {
        if !self.rt.waiters.any_of_kind(&key) {
            return Vec::new();
        }
        let mut list = self.rt.waiters.take(&key).unwrap_or_default();
        list.retain(|&(tid, seq)| {
            let t = &self.rt.threads[tid];
            t.wait_seq == seq && matches!(t.state, ThreadState::Blocked(_))
        });
        list
    }

    /// [`notify`](Self::notify) once someone may be waiting.
    #[inline(never)]
    fn notify_waiters(&mut self, key: WaitKey) {
        let Some((id, lists)) = socket_lists(key) else {
            if let Some(list) = self.rt.waiters.take(&key) {
                for (tid, seq) in list {
                    self.wake(tid, seq);
                }
            }
            return;
        };
        for &l in lists {
            let Some(w) = self.socket_waiters(id, false) else {
                return;
            };
            let Some(((tid, seq), rest)) = w.take(l) else {
                continue;
            };
            self.wake(tid, seq);
            if rest.capacity() == 0 {
                continue;
            }
            for &(tid, seq) in &rest {
                self.wake(tid, seq);
            }
            // Keep the allocation for the next waiters.
            if let Some(w) = self.socket_waiters(id, false) {
                w.keep_allocation(l, rest);
            }
        }
    }

    /// Wakes `tid` if it is still in the wait numbered `seq`.
    pub(crate) fn wake(&mut self, tid: usize, seq: u64) {
        let t = &mut self.rt.threads[tid];
        if t.wait_seq == seq && matches!(t.state, ThreadState::Blocked(_)) {
            t.state = ThreadState::Runnable;
            t.wait_seq += 1;
            self.thread_waking(tid);
            self.rt.runnable.push(tid);
        }
    }

    /// The most recent waiter of `key` that is still waiting, removed from the list
    /// (completion ports release waiting threads last-in first-out).
    pub(crate) fn pop_last_waiter(&mut self, key: WaitKey) -> Option<(usize, u64)> {
        while let Some((tid, seq)) = self.rt.waiters.pop_last(&key) {
            let t = &self.rt.threads[tid];
            if t.wait_seq == seq && matches!(t.state, ThreadState::Blocked(_)) {
                return Some((tid, seq));
            }
        }
        None
    }

    /// Takes running thread `tid` off its processor until virtual time `until` (a stall of
    /// the fault plan): it is runnable again when its timer fires, after everything due
    /// before. Not a wait: no wait list, no hook of the layers above (a completion port still
    /// counts the thread as running, as Windows counts a preempted one), and its run of
    /// calls that did not block goes on.
    pub(crate) fn stall(&mut self, tid: usize, why: &'static str, until: Nanos) {
        let t = &mut self.rt.threads[tid];
        t.wait_seq += 1;
        t.state = ThreadState::Blocked(why);
        let seq = t.wait_seq;
        self.schedule_timer(until, TimerEvent::Wake { tid, seq });
    }

    /// Puts a running thread back in the runnable list (a preemption point).
    pub(crate) fn requeue(&mut self, tid: usize) {
        self.rt.runnable.push(tid);
    }

    /// Parks a running thread until the clock moves (a polling loop).
    pub(crate) fn park_spinner(&mut self, tid: usize) {
        self.rt.spinners.push(tid);
    }

    /// Counts a fruitless polling call; true when the thread should now be parked.
    pub(crate) fn note_idle(&mut self, tid: usize) -> bool {
        let t = &mut self.rt.threads[tid];
        t.idle_calls += 1;
        if t.idle_calls >= SPIN_LIMIT {
            t.idle_calls = 0;
            true
        } else {
            false
        }
    }

    /// Picks the next thread to run with the scheduling generator, and counts and records
    /// the switch to it.
    #[inline(always)]
    pub(crate) fn pick_runnable(&mut self) -> Option<usize> {
        let rt = &mut self.rt;
        if rt.runnable.is_empty() {
            return None;
        }
        rt.instant_switches += 1;
        if rt.instant_switches > INSTANT_SWITCHES {
            return self.cpu_time_passes();
        }
        let i = rt.sched.pick(&rt.runnable);
        let tid = rt.runnable.swap_remove(i);
        rt.stats.switches += 1;
        self.record(tid, TraceKind::Switch, 0, 0, 0);
        Some(tid)
    }

    /// A preemption of running thread `tid` that no other thread could take: nothing else
    /// is runnable and `World::decide` settles nothing before its pick (no thread to adopt,
    /// the run not ending), so the run loop would pick `tid` straight back. Does here what that
    /// round trip does to the world (the pick, which the PCT and scripted schedules count,
    /// the switch's count and trace record) and returns true: the thread goes on without
    /// leaving its stack. Most preemptions are such (a blocking server's threads wait on
    /// the network nearly all the time): the round trip cost two stack switches and a pass
    /// of the run loop each. False, changing nothing, when the run loop must decide.
    #[inline(never)]
    pub(crate) fn preempt_in_place(&mut self, tid: usize) -> bool {
        if !self.rt.runnable.is_empty()
            || self.decision_before_pick().is_some()
            || self.rt.instant_switches >= INSTANT_SWITCHES
        {
            // (The last: a checkpoint of threads that keep the clock from moving is due,
            // which may park this one; the run loop takes it.)
            return false;
        }
        self.requeue(tid);
        let picked = self.pick_runnable();
        debug_assert_eq!(picked, Some(tid), "the only runnable thread is picked");
        true
    }

    /// Moves the clock to the earliest timer and fires it. False when no timer is left.
    pub(crate) fn fire_next_timer(&mut self) -> bool {
        match self.rt.timers.due() {
            None => false,
            Some(Due::Link(li)) => {
                let (at, to, pkt) = self.rt.timers.pop_delivery(li);
                self.advance_to(at);
                self.deliver(to, pkt);
                true
            }
            Some(Due::Timer) => {
                let Some((at, ev)) = self.rt.timers.pop_timer() else {
                    return false;
                };
                self.advance_to(at);
                match ev {
                    TimerEvent::Wake { tid, seq } => {
                        if self.rt.threads[tid].wait_seq == seq {
                            self.rt.threads[tid].timed_out = true;
                            self.wake(tid, seq);
                        }
                    }
                    TimerEvent::Layer(ev) => self.fire(ev),
                }
                true
            }
        }
    }

    /// The clock moves to a fired event's time (never backwards).
    fn advance_to(&mut self, at: Nanos) {
        debug_assert!(at >= self.rt.now, "timer in the past");
        self.rt.now = self.rt.now.max(at);
    }

    /// A checkpoint, every [`INSTANT_SWITCHES`] switches (more with many threads): if the
    /// clock has not moved since the last one, threads keep waking each other at one
    /// instant (a callback that re-arms a wait on an object left signalled, two threads
    /// signalling each other for ever), which on Windows burns CPU time while the clock
    /// runs. Every runnable thread is then parked as a spinner, so the clock moves on (by at
    /// most a polling quantum) before they run again: the run reaches its timers and its
    /// time limit instead of looping in one instant. `None`: no thread to run now. (Counted
    /// between checkpoints, not per instant, so a switch pays one increment and one compare.)
    #[cold]
    fn cpu_time_passes(&mut self) -> Option<usize> {
        let rt = &mut self.rt;
        let limit = INSTANT_SWITCHES + 16 * rt.threads.len() as u64;
        if rt.instant_switches <= limit {
            let i = rt.sched.pick(&rt.runnable);
            let tid = rt.runnable.swap_remove(i);
            rt.stats.switches += 1;
            self.record(tid, TraceKind::Switch, 0, 0, 0);
            return Some(tid);
        }
        rt.instant_switches = 0;
        if rt.now != rt.instant {
            // The clock moved since the last checkpoint: a new count from here.
            rt.instant = rt.now;
            return self.pick_runnable();
        }
        let runnable = std::mem::take(&mut rt.runnable);
        rt.spinners.extend(runnable);
        None
    }

    /// Returns parked spinners to the runnable list (the clock has moved).
    pub(crate) fn release_spinners(&mut self) {
        let spinners = std::mem::take(&mut self.rt.spinners);
        self.rt.runnable.extend(spinners);
    }
}

#[cfg(test)]
mod tests {
    use super::SocketWaiters;

    // Proves: each list of a socket keeps its waiters in the order they began to wait (the
    // first inline, the rest behind the pointer), taking a list empties it and leaves the
    // other alone, and freeing the socket hands every waiter back, readers first.
    #[test]
    fn socket_waiters_keep_order_per_list() {
        let mut w = SocketWaiters::default();
        assert_eq!(std::mem::size_of::<SocketWaiters>(), 64, "one cache line");
        assert!(w.is_empty(0) && w.is_empty(1));
        w.push(0, 7, 1);
        assert!(w.take(1).is_none(), "list 1 is empty");
        let (first, rest) = w.take(0).expect("one reader");
        assert_eq!(
            (first, rest.capacity()),
            ((7, 1), 0),
            "one waiter allocates nothing"
        );
        assert!(w.is_empty(0));

        for (tid, seq) in [(1, 10), (2, 20), (3, 30)] {
            w.push(0, tid, seq);
        }
        w.push(1, 4, 40);
        let (first, rest) = w.take(0).expect("three readers");
        assert_eq!(first, (1, 10));
        assert_eq!(rest, vec![(2, 20), (3, 30)]);
        assert!(w.is_empty(0) && !w.is_empty(1));
        w.keep_allocation(0, rest);
        w.push(0, 5, 50);
        w.push(0, 6, 60);
        let all: Vec<_> = w.into_iter().collect();
        assert_eq!(all, vec![(5, 50), (6, 60), (4, 40)]);
    }
}
