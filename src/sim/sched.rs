//! Simulated threads, the virtual clock, timers, and waiting.
//!
//! Exactly one simulated thread runs at a time. A thread that cannot go on (a blocking call)
//! registers on the objects it waits for ([`WaitKey`]) and, if it has a timeout, on a timer;
//! then it yields to the scheduler. Anything that changes an object calls
//! [`World::notify`], which makes its waiters runnable again; they re-check their condition
//! (wake-ups may be spurious, never lost). The scheduler picks the next runnable thread with
//! the seeded generator; when none is runnable the clock jumps to the earliest timer.
//!
//! A thread that keeps calling without blocking (WSAEWOULDBLOCK in a loop, `Sleep(0)`, but
//! also recv returning 0 or a select that always finds a socket ready) is parked as a
//! *spinner* after [`SPIN_LIMIT`] calls in a row that did not wait: spinners run again only
//! after the clock moves, so a busy-polling program cannot stop virtual time.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::net::Segment;
use super::world::World;
use crate::api::WsaError;

/// Virtual time in nanoseconds since the start of the run.
pub(crate) type Nanos = u64;

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
pub(crate) struct Thread {
    pub name: String,
    pub host: usize,
    pub daemon: bool,
    pub state: ThreadState,
    /// WSAGetLastError / GetLastError of this thread.
    pub last_error: i32,
    /// Incremented at every block; wake-ups carrying an older value are stale.
    pub wait_seq: u64,
    /// Fruitless polling calls since the last progress.
    pub idle_calls: u32,
    pub outcome: Option<ThreadOutcome>,
    /// Set when a timer woke the thread (its wait timed out).
    pub timed_out: bool,
    /// The thread's message queue (messages of its windows and its own, such as WM_QUIT).
    pub msgq: std::collections::VecDeque<crate::api::Msg>,
    /// PostQuitMessage's exit code: WM_QUIT is generated only once the queue holds no posted
    /// message, and several PostQuitMessage calls give one WM_QUIT.
    pub quit: Option<i32>,
    /// The thread's APC queue: run only during an alertable wait.
    pub apcs: std::collections::VecDeque<Apc>,
    /// The completion port this thread took its last packet from (it counts as one of the
    /// port's running threads until it calls GetQueuedCompletionStatus again).
    pub iocp_port: Option<usize>,
    /// The thread is blocked elsewhere, so it does not count against its port's concurrency.
    pub iocp_suspended: bool,
    /// A completion packet handed to this thread when its port released it (Windows gives
    /// the packet to the released thread at once).
    pub iocp_handoff: Option<crate::api::CompletionPacket>,
}

impl std::fmt::Debug for Thread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thread")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("state", &self.state)
            .field("queued_apcs", &self.apcs.len())
            .finish()
    }
}

/// An asynchronous procedure call queued to a thread.
pub(crate) type Apc = Box<dyn FnOnce(&super::api::SimWinsock) + Send>;

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
}

/// Something scheduled for a virtual instant.
#[derive(Debug)]
pub(crate) enum TimerEvent {
    /// Wake a blocked thread whose wait has a timeout.
    Wake { tid: usize, seq: u64 },
    /// Retransmit a SYN (or give up) for a connecting socket.
    SynRetry { sid: usize, attempt: u32, gen: u64 },
    /// Release a connection that finished TIME_WAIT.
    TimeWait { sid: usize, gen: u64 },
}

/// A heap entry: the event itself waits in a slab, so the heap moves only 24-byte keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TimerKey {
    at: Nanos,
    seq: u64,
    slot: u32,
}

impl PartialOrd for TimerKey {
    fn partial_cmp(&self, o: &TimerKey) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for TimerKey {
    // Reversed: BinaryHeap is a max-heap, the earliest (then first-scheduled) timer must win.
    fn cmp(&self, o: &TimerKey) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

/// What the timer queue gives back.
enum Fired {
    Timer(TimerEvent),
    /// A segment arriving at host `.0`.
    Delivery(usize, Segment),
}

/// Timers ordered by (time, scheduling order).
///
/// Deliveries travel in per-link queues: arrival times on one link never decrease (the wire
/// keeps each direction in order), so only each link's head needs a place in a (small) heap.
/// Everything else (SYN retries, TIME-WAIT, wait timeouts) lives in the general heap. Pops
/// take the earliest (time, sequence) of both, so the order is exactly that of one heap.
#[derive(Debug, Default)]
pub(crate) struct TimerQueue {
    heap: std::collections::BinaryHeap<TimerKey>,
    events: Vec<Option<TimerEvent>>,
    free: Vec<u32>,
    /// Deliveries per link (arrival time, sequence, destination host, segment), in arrival
    /// order; segments wait inline, without an allocation each.
    links: Vec<std::collections::VecDeque<(Nanos, u64, usize, Segment)>>,
    link_ids: BTreeMap<(usize, usize), usize>,
    /// When each link's sender finishes putting its queued bytes on the wire (bandwidth).
    busy_until: Vec<Nanos>,
    /// The head of every non-empty link (`slot` = link index).
    heads: std::collections::BinaryHeap<TimerKey>,
}

impl TimerQueue {
    fn push(&mut self, at: Nanos, seq: u64, ev: TimerEvent) {
        let slot = match self.free.pop() {
            Some(i) => {
                self.events[i as usize] = Some(ev);
                i
            }
            None => {
                self.events.push(Some(ev));
                (self.events.len() - 1) as u32
            }
        };
        self.heap.push(TimerKey { at, seq, slot });
    }

    /// The index of the link from host `from` to host `to`.
    pub(crate) fn link_index(&mut self, from: usize, to: usize) -> usize {
        let next = self.links.len();
        let li = *self.link_ids.entry((from, to)).or_insert(next);
        if li == self.links.len() {
            self.links.push(Default::default());
            self.busy_until.push(0);
        }
        li
    }

    /// Serialises `ser` nanoseconds of bytes onto link `li` starting no earlier than `now`;
    /// returns when the last bit leaves (a burst queues behind earlier bytes).
    pub(crate) fn occupy_link(&mut self, li: usize, now: Nanos, ser: Nanos) -> Nanos {
        let start = self.busy_until[li].max(now);
        self.busy_until[li] = start + ser;
        start + ser
    }

    /// Arrival time of the last delivery queued on link `li` (0 when none is queued: every
    /// earlier one has arrived by now).
    pub(crate) fn link_tail(&self, li: usize) -> Nanos {
        self.links[li].back().map_or(0, |e| e.0)
    }

    /// Queues a delivery to host `to` on link `li`, `at` not before the link's tail.
    fn push_delivery(&mut self, at: Nanos, seq: u64, li: usize, to: usize, seg: Segment) {
        let q = &mut self.links[li];
        debug_assert!(q.back().is_none_or(|e| e.0 <= at), "link order");
        if q.is_empty() {
            self.heads.push(TimerKey {
                at,
                seq,
                slot: li as u32,
            });
        }
        q.push_back((at, seq, to, seg));
    }

    fn pop(&mut self) -> Option<(Nanos, Fired)> {
        let from_links = match (self.heap.peek(), self.heads.peek()) {
            (None, None) => return None,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some(h), Some(l)) => (l.at, l.seq) < (h.at, h.seq),
        };
        if from_links {
            let k = self.heads.pop().expect("peeked");
            let q = &mut self.links[k.slot as usize];
            let (at, _, to, seg) = q.pop_front().expect("a head has a delivery");
            if let Some(&(nat, nseq, _, _)) = q.front() {
                self.heads.push(TimerKey {
                    at: nat,
                    seq: nseq,
                    slot: k.slot,
                });
            }
            return Some((at, Fired::Delivery(to, seg)));
        }
        let k = self.heap.pop()?;
        let ev = self.events[k.slot as usize]
            .take()
            .expect("winsock-sim internal error: timer slot empty");
        self.free.push(k.slot);
        Some((k.at, Fired::Timer(ev)))
    }

    /// The time of the earliest timer.
    pub(crate) fn peek_at(&self) -> Option<Nanos> {
        match (self.heap.peek(), self.heads.peek()) {
            (None, None) => None,
            (Some(h), None) => Some(h.at),
            (None, Some(l)) => Some(l.at),
            (Some(h), Some(l)) => Some(h.at.min(l.at)),
        }
    }
}

/// One attempt at a call that may block: finished, or wait on `key` (until `deadline`).
pub(crate) enum Step<T> {
    Done(Result<T, WsaError>),
    Wait(WaitKey, Option<Nanos>),
    /// Wait for any of several objects (select, multiple-object waits).
    WaitAny(Vec<WaitKey>, Option<Nanos>),
}

/// The waiters of every object, in registration order.
pub(crate) type Waiters = BTreeMap<WaitKey, Vec<(usize, u64)>>;

impl World {
    /// Schedules the delivery of `seg` to host `to` over link `li` at `at` (not before the
    /// link's tail: arrivals on a link never go backwards).
    pub(crate) fn schedule_delivery(&mut self, at: Nanos, li: usize, to: usize, seg: Segment) {
        let seq = self.timer_seq;
        self.timer_seq += 1;
        let at = at.max(self.now);
        self.timers.push_delivery(at, seq, li, to, seg);
    }

    /// Schedules `ev` at virtual time `at` (not earlier than now).
    pub(crate) fn schedule(&mut self, at: Nanos, ev: TimerEvent) {
        let seq = self.timer_seq;
        self.timer_seq += 1;
        let at = at.max(self.now);
        self.timers.push(at, seq, ev);
    }

    /// Registers `tid` as blocked in `call` on `keys`, optionally until `deadline`.
    pub(crate) fn block(
        &mut self,
        tid: usize,
        call: &'static str,
        keys: &[WaitKey],
        deadline: Option<Nanos>,
    ) {
        let t = &mut self.threads[tid];
        t.wait_seq += 1;
        t.state = ThreadState::Blocked(call);
        // A real wait ends a run of calls that did not block (see `SimWinsock::finish`).
        t.idle_calls = 0;
        t.timed_out = false;
        let seq = t.wait_seq;
        if let Some(port) = t.iocp_port {
            if !t.iocp_suspended && !call.starts_with("GetQueuedCompletionStatus") {
                // A released worker blocking elsewhere lets another worker be released.
                t.iocp_suspended = true;
                self.port_thread_left(port);
            }
        }
        for k in keys {
            let (id, lists): (usize, &[usize]) = match *k {
                WaitKey::Socket(id) => (id, &[0, 1]),
                WaitKey::Readable(id) => (id, &[0]),
                WaitKey::Writable(id) => (id, &[1]),
                _ => {
                    self.waiters.entry(*k).or_default().push((tid, seq));
                    continue;
                }
            };
            if let Some(s) = self.sockets.get_mut(id) {
                for &l in lists {
                    s.waiters[l].push((tid, seq));
                }
            }
        }
        if let Some(at) = deadline {
            self.schedule(at, TimerEvent::Wake { tid, seq });
        }
    }

    /// Makes every thread waiting on `key` runnable.
    pub(crate) fn notify(&mut self, key: WaitKey) {
        let (id, lists): (usize, &[usize]) = match key {
            WaitKey::Socket(id) => (id, &[0, 1]),
            WaitKey::Readable(id) => (id, &[0]),
            WaitKey::Writable(id) => (id, &[1]),
            _ => {
                if let Some(list) = self.waiters.remove(&key) {
                    for (tid, seq) in list {
                        self.wake(tid, seq);
                    }
                }
                return;
            }
        };
        for &l in lists {
            let Some(s) = self.sockets.get_mut(id) else {
                return;
            };
            if s.waiters[l].is_empty() {
                continue;
            }
            let mut list = std::mem::take(&mut s.waiters[l]);
            for &(tid, seq) in &list {
                self.wake(tid, seq);
            }
            // Keep the allocation for the next wait.
            list.clear();
            if let Some(s) = self.sockets.get_mut(id) {
                if s.waiters[l].is_empty() {
                    s.waiters[l] = list;
                }
            }
        }
    }

    /// Removes a socket object for good, waking whoever still waits on it.
    pub(crate) fn free_socket(&mut self, id: usize) {
        self.netev_clear(id);
        self.io_clear(id);
        if let Some(s) = self.sockets.remove(id) {
            for (tid, seq) in s.waiters.into_iter().flatten() {
                self.wake(tid, seq);
            }
        }
    }

    /// Wakes `tid` if it is still in the wait numbered `seq`.
    pub(crate) fn wake(&mut self, tid: usize, seq: u64) {
        let t = &mut self.threads[tid];
        if t.wait_seq == seq && matches!(t.state, ThreadState::Blocked(_)) {
            t.state = ThreadState::Runnable;
            t.wait_seq += 1;
            if t.iocp_suspended {
                t.iocp_suspended = false;
                if let Some(port) = t.iocp_port {
                    self.port_thread_back(port);
                }
            }
            self.runnable.push(tid);
        }
    }

    /// The most recent waiter of `key` that is still waiting, removed from the list
    /// (completion ports release waiting threads last-in first-out).
    pub(crate) fn pop_last_waiter(&mut self, key: WaitKey) -> Option<(usize, u64)> {
        while let Some((tid, seq)) = self.waiters.get_mut(&key).and_then(|l| l.pop()) {
            let t = &self.threads[tid];
            if t.wait_seq == seq && matches!(t.state, ThreadState::Blocked(_)) {
                return Some((tid, seq));
            }
        }
        None
    }

    /// Puts a running thread back in the runnable list (a preemption point).
    pub(crate) fn requeue(&mut self, tid: usize) {
        self.runnable.push(tid);
    }

    /// Parks a running thread until the clock moves (a polling loop).
    pub(crate) fn park_spinner(&mut self, tid: usize) {
        self.spinners.push(tid);
    }

    /// Counts a fruitless polling call; true when the thread should now be parked.
    pub(crate) fn note_idle(&mut self, tid: usize) -> bool {
        let t = &mut self.threads[tid];
        t.idle_calls += 1;
        if t.idle_calls >= SPIN_LIMIT {
            t.idle_calls = 0;
            true
        } else {
            false
        }
    }

    /// Picks the next thread to run with the scheduling generator.
    pub(crate) fn pick_runnable(&mut self) -> Option<usize> {
        match self.runnable.len() {
            0 => None,
            1 => self.runnable.pop(),
            n => {
                let i = self.rng_sched.below(n as u64) as usize;
                Some(self.runnable.swap_remove(i))
            }
        }
    }

    /// Moves the clock to the earliest timer and fires it. False when no timer is left.
    pub(crate) fn fire_next_timer(&mut self) -> bool {
        let Some((at, fired)) = self.timers.pop() else {
            return false;
        };
        debug_assert!(at >= self.now, "timer in the past");
        self.now = self.now.max(at);
        let ev = match fired {
            Fired::Delivery(to, seg) => {
                self.deliver(to, seg);
                return true;
            }
            Fired::Timer(ev) => ev,
        };
        match ev {
            TimerEvent::Wake { tid, seq } => {
                if self.threads[tid].wait_seq == seq {
                    self.threads[tid].timed_out = true;
                    self.wake(tid, seq);
                }
            }
            TimerEvent::SynRetry { sid, attempt, gen } => self.syn_retry(sid, attempt, gen),
            TimerEvent::TimeWait { sid, gen } => self.time_wait_done(sid, gen),
        }
        true
    }

    /// End of an instant (no thread can run): send the acknowledgements no reply carried.
    pub(crate) fn flush_acks(&mut self) -> bool {
        if self.pending_acks.is_empty() {
            return false;
        }
        let acks = std::mem::take(&mut self.pending_acks);
        for id in acks {
            self.delayed_ack(id);
        }
        true
    }

    /// Returns parked spinners to the runnable list (the clock has moved).
    pub(crate) fn release_spinners(&mut self) {
        let spinners = std::mem::take(&mut self.spinners);
        self.runnable.extend(spinners);
    }
}
