//! Who waits on what: each socket's two lists of waiters ([`SocketWaiters`], kept in the
//! socket table) and the lists of every other key ([`Waiters`]), each entry a thread and the
//! number of the wait it is in. A wait that ends by one key (or its timeout) leaves its
//! entries under the others until those are notified; the lists drop such entries as they
//! grow (`World::prune_waiters`).

use std::collections::BTreeMap;

use super::{Layers, RuntimeHooks, World};

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
    /// A wake of an address `WaitOnAddress` sleeps on, by the address's queue number.
    Address(usize),
    /// A change of a host's multimedia timers (its winmm timer thread looks again).
    MmTimers(usize),
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
    pub(super) fn push(&mut self, l: usize, tid: usize, seq: u64) -> usize {
        if self.first[l].is_none() {
            self.first[l] = Some((tid, seq));
            0
        } else {
            let rest = &mut self.rest.get_or_insert_with(Box::default)[l];
            rest.push((tid, seq));
            rest.len()
        }
    }

    /// The first reader's thread, if any.
    pub(crate) fn first_reader(&self) -> Option<usize> {
        self.first[0].map(|(t, _)| t)
    }

    /// Takes list `l`'s waiters after the first out (for pruning), leaving it empty.
    pub(super) fn take_rest(&mut self, l: usize) -> Vec<Waiter> {
        self.rest
            .as_mut()
            .map(|r| std::mem::take(&mut r[l]))
            .unwrap_or_default()
    }

    /// Puts back list `l`'s waiters after the first that [`SocketWaiters::take_rest`] took.
    pub(super) fn put_rest(&mut self, l: usize, rest: Vec<Waiter>) {
        if let Some(r) = self.rest.as_mut() {
            r[l] = rest;
        }
    }

    /// Every waiter on either list (a report's look-up): each list's first, then its rest.
    pub(crate) fn all(&self) -> impl Iterator<Item = Waiter> + '_ {
        let rest = self.rest.as_deref().into_iter().flatten().flatten();
        self.first.iter().flatten().chain(rest).copied()
    }

    /// Whether no thread waits on list `l`.
    #[inline]
    pub(super) fn is_empty(&self, l: usize) -> bool {
        self.first[l].is_none()
    }

    /// Takes list `l`'s first waiter and the rest (an empty vector, allocating nothing, when
    /// there is no rest), leaving the list empty.
    pub(super) fn take(&mut self, l: usize) -> Option<(Waiter, Vec<Waiter>)> {
        let first = self.first[l].take()?;
        let rest = self
            .rest
            .as_mut()
            .map(|r| std::mem::take(&mut r[l]))
            .unwrap_or_default();
        Some((first, rest))
    }

    /// Gives list `l` back the allocation of a vector of its waiters, if it has none.
    pub(super) fn keep_allocation(&mut self, l: usize, mut rest: Vec<Waiter>) {
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

/// The length of a waiter list at which the entries of ended waits are dropped from it
/// ([`World::prune_waiters`]), and again at each power of two above it (so a list of many
/// live waiters is not scanned at every wait).
const PRUNE_AT: usize = 64;

/// Whether a waiter list that has just grown to `len` is to be pruned.
#[inline]
pub(super) fn prune_now(len: usize) -> bool {
    len >= PRUNE_AT && len.is_power_of_two()
}

/// How many kinds of [`WaitKey`] there are.
const KINDS: usize = 14;

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
        WaitKey::Address(_) => 12,
        WaitKey::MmTimers(_) => 13,
    }
}

impl Waiters {
    /// An empty set of waiters.
    pub(crate) fn new() -> Waiters {
        Waiters::default()
    }

    /// Adds thread `tid`, in its wait numbered `seq`, to the waiters of `key`: the length of
    /// its list.
    pub(super) fn push(&mut self, key: WaitKey, tid: usize, seq: u64) -> usize {
        self.entries[kind_index(&key)] += 1;
        let list = self.map.entry(key).or_default();
        list.push((tid, seq));
        list.len()
    }

    /// Drops the waiters of `key` that `live` says have ended their wait.
    pub(super) fn prune(&mut self, key: &WaitKey, live: impl Fn(Waiter) -> bool) {
        if let Some(list) = self.map.get_mut(key) {
            let before = list.len();
            list.retain(|&w| live(w));
            self.entries[kind_index(key)] -= before - list.len();
        }
    }

    /// Whether any thread may be waiting on a key of `key`'s kind.
    #[inline]
    pub(super) fn any_of_kind(&self, key: &WaitKey) -> bool {
        self.entries[kind_index(key)] != 0
    }

    /// Takes every waiter of `key`, oldest first.
    pub(super) fn take(&mut self, key: &WaitKey) -> Option<Vec<(usize, u64)>> {
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
    pub(super) fn pop_last(&mut self, key: &WaitKey) -> Option<(usize, u64)> {
        let entry = self.map.get_mut(key)?.pop()?;
        self.entries[kind_index(key)] -= 1;
        Some(entry)
    }
}

/// Which of a socket's two waiter lists ([readers, writers]) a socket wait key uses.
pub(super) fn socket_lists(key: WaitKey) -> Option<(usize, &'static [usize])> {
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
    /// Drops the entries of threads no longer in the wait they were added in from the
    /// waiters of `key` (socket list `l` for a socket key). A wait that ends by another key,
    /// or by its timeout, leaves its entries under its other keys until those are notified;
    /// a key waited on over and over but never notified (a thread's APCs in its alertable
    /// waits, an object a loop waits on with a timeout) would keep them all: a pool's wait
    /// thread grew one by 23 GB. Called when a list reaches [`PRUNE_AT`] entries (and each power of two above); since
    /// it keeps every live waiter in order, no wake changes.
    #[cold]
    pub(super) fn prune_waiters(&mut self, key: WaitKey, l: Option<usize>) {
        match (l, socket_lists(key)) {
            (Some(l), Some((id, _))) => {
                // The socket's lists live in the layer above: the list's rest is taken out,
                // pruned against the threads, and put back.
                let Some(mut rest) = self.socket_waiters(id, false).map(|w| w.take_rest(l)) else {
                    return;
                };
                let threads = &self.rt.threads;
                rest.retain(|&(t, s)| threads.get(t).is_some_and(|th| th.in_wait(s)));
                if let Some(w) = self.socket_waiters(id, false) {
                    w.put_rest(l, rest);
                }
            }
            _ => {
                let threads = &self.rt.threads;
                let live = |(t, s): Waiter| threads.get(t).is_some_and(|th| th.in_wait(s));
                self.rt.waiters.prune(&key, live);
            }
        }
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
