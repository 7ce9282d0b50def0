//! Timers and the per-link delivery queues, ordered by (virtual time, scheduling order).
//!
//! The runtime knows two kinds of timed events: its own (a blocked thread's timeout) and an
//! opaque event of an upper layer (`T`, handed back through a hook); and one kind of delivery:
//! an opaque packet (`P`) for a host, queued per link so arrivals on one link stay in order.

use std::cmp::Ordering;
use std::collections::binary_heap::PeekMut;
use std::collections::BTreeMap;

use super::Nanos;

/// Something scheduled for a virtual instant.
#[derive(Debug)]
pub(crate) enum TimerEvent<T> {
    /// Wake a blocked thread whose wait has a timeout.
    Wake { tid: usize, seq: u64 },
    /// An upper layer's event (a SYN retry, the end of TIME-WAIT, ...), handed back to it
    /// through [`RuntimeHooks::fire`](super::RuntimeHooks::fire).
    Layer(T),
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

/// Which queue holds the earliest (time, sequence) event.
pub(super) enum Due {
    /// The head of link `.0`'s deliveries.
    Link(usize),
    /// The general heap's earliest timer.
    Timer,
}

/// Timers ordered by (time, scheduling order).
///
/// Deliveries travel in per-link queues: arrival times on one link never decrease (the wire
/// keeps each direction in order), so only each link's head needs a place in a (small) heap.
/// Everything else (SYN retries, TIME-WAIT, wait timeouts) lives in the general heap. Pops
/// take the earliest (time, sequence) of both, so the order is exactly that of one heap.
#[derive(Debug)]
pub(crate) struct TimerQueue<T, P> {
    heap: std::collections::BinaryHeap<TimerKey>,
    events: Vec<Option<TimerEvent<T>>>,
    free: Vec<u32>,
    /// Deliveries per link (arrival time, sequence, destination host, segment), in arrival
    /// order; segments wait inline, without an allocation each.
    links: Vec<std::collections::VecDeque<(Nanos, u64, usize, P)>>,
    link_ids: BTreeMap<(usize, usize), usize>,
    /// When each link's sender finishes putting its queued bytes on the wire (bandwidth).
    busy_until: Vec<Nanos>,
    /// The head of every non-empty link (`slot` = link index).
    heads: std::collections::BinaryHeap<TimerKey>,
}

impl<T, P> Default for TimerQueue<T, P> {
    fn default() -> Self {
        TimerQueue {
            heap: Default::default(),
            events: Vec::new(),
            free: Vec::new(),
            links: Vec::new(),
            link_ids: BTreeMap::new(),
            busy_until: Vec::new(),
            heads: Default::default(),
        }
    }
}

impl<T, P> TimerQueue<T, P> {
    pub(super) fn push(&mut self, at: Nanos, seq: u64, ev: TimerEvent<T>) {
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
    pub(super) fn push_delivery(&mut self, at: Nanos, seq: u64, li: usize, to: usize, seg: P) {
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

    /// Which queue the next event comes from (`None` when both are empty). The caller then
    /// takes it with [`pop_delivery`](Self::pop_delivery) or [`pop_timer`](Self::pop_timer):
    /// a delivery's segment then moves once, from its link's queue to the receiving host,
    /// instead of through an enum and an `Option` on the way (each a copy of the segment).
    pub(super) fn due(&self) -> Option<Due> {
        match (self.heap.peek(), self.heads.peek()) {
            (None, None) => None,
            (Some(_), None) => Some(Due::Timer),
            (None, Some(l)) => Some(Due::Link(l.slot as usize)),
            (Some(h), Some(l)) => Some(if (l.at, l.seq) < (h.at, h.seq) {
                Due::Link(l.slot as usize)
            } else {
                Due::Timer
            }),
        }
    }

    /// Takes the head delivery of link `li` (which [`due`](Self::due) named): its arrival
    /// time, destination host and packet.
    #[inline(always)]
    pub(super) fn pop_delivery(&mut self, li: usize) -> (Nanos, usize, P) {
        // The link's next delivery, if any, replaces its head in place: one sift down, where
        // a pop and a push were two sifts (keys are unique, so the order is the same).
        let mut head = self.heads.peek_mut().expect("a link was due");
        debug_assert_eq!(head.slot as usize, li, "the due link");
        let q = &mut self.links[li];
        let (at, _, to, seg) = q.pop_front().expect("a head has a delivery");
        match q.front() {
            Some(&(nat, nseq, _, _)) => {
                head.at = nat;
                head.seq = nseq;
            }
            None => {
                PeekMut::pop(head);
            }
        }
        (at, to, seg)
    }

    /// Takes the general heap's earliest timer (which [`due`](Self::due) named).
    pub(super) fn pop_timer(&mut self) -> Option<(Nanos, TimerEvent<T>)> {
        let k = self.heap.pop()?;
        let ev = self.events[k.slot as usize]
            .take()
            .expect("winsock-sim internal error: timer slot empty");
        self.free.push(k.slot);
        Some((k.at, ev))
    }

    /// When the next event is a delivery: its link and sequence number (a hint for the run
    /// loop, which then reads the link's queue with [`link_queue`](Self::link_queue)).
    pub(super) fn due_link(&self) -> Option<(usize, u64)> {
        match self.due()? {
            Due::Link(li) => self.links[li].front().map(|e| (li, e.1)),
            Due::Timer => None,
        }
    }

    /// Link `li`'s queued deliveries in arrival order: (sequence number, packet).
    pub(super) fn link_queue(&self, li: usize) -> impl Iterator<Item = (u64, &P)> {
        self.links[li].iter().map(|e| (e.1, &e.3))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Two links and one timer: the run loop's look-ahead names the link whose head is the
    /// next event, reads that link's queue in arrival order, and names nothing while a
    /// timer comes first.
    #[test]
    fn due_link_and_link_queue_follow_the_event_order() {
        let mut q: TimerQueue<(), &'static str> = TimerQueue::default();
        let ab = q.link_index(0, 1);
        let ba = q.link_index(1, 0);
        q.push_delivery(20, 2, ab, 1, "ab1");
        q.push_delivery(30, 4, ab, 1, "ab2");
        q.push_delivery(10, 3, ba, 0, "ba1");
        q.push(5, 1, TimerEvent::Wake { tid: 0, seq: 0 });
        assert_eq!(q.due_link(), None, "the timer at 5 comes first");
        assert!(q.pop_timer().is_some());
        assert_eq!(q.due_link(), Some((ba, 3)));
        let (_, _, p) = q.pop_delivery(ba);
        assert_eq!(p, "ba1");
        assert_eq!(q.due_link(), Some((ab, 2)));
        let ahead: Vec<_> = q.link_queue(ab).collect();
        assert_eq!(ahead, vec![(2, &"ab1"), (4, &"ab2")]);
        assert_eq!(q.link_queue(ba).count(), 0);
        q.pop_delivery(ab);
        assert_eq!(q.due_link(), Some((ab, 4)));
        q.pop_delivery(ab);
        assert_eq!(q.due_link(), None);
    }
}
