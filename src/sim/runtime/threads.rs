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

use super::timers::{Due, TimerEvent};
use super::trace::TraceKind;
pub(crate) use super::waiters::WaitKey;
use super::waiters::{prune_now, socket_lists};
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

impl<X> Thread<X> {
    /// Whether the thread is still blocked in its wait numbered `seq`.
    pub(crate) fn in_wait(&self, seq: u64) -> bool {
        self.wait_seq == seq && matches!(self.state, ThreadState::Blocked(_))
    }
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

/// One attempt at a call that may block: finished, or wait on `key` (until `deadline`).
pub(crate) enum Step<T> {
    Done(Result<T, WsaError>),
    Wait(WaitKey, Option<Nanos>),
    /// Wait for any of several objects (select, multiple-object waits).
    WaitAny(Vec<WaitKey>, Option<Nanos>),
}

/// Switches between two checkpoints at one virtual instant after which the runnable threads
/// are parked until the clock moves ([`World::cpu_time_passes`]), plus 16 a thread of the
/// run.
const INSTANT_SWITCHES: u64 = 100_000;

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
            // `pick_runnable`'s pick, written out again: shared through a helper, the
            // inliner's choices cost the echo 128 to 182 instructions a message.
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
