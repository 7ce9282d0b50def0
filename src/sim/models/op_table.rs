//! All overlapped state of the run ([`IoState`]) and its `OpTable`: every overlapped
//! operation of the run by serial, in a slab.
//!
//! A server keeps one or two operations pending per connection, so the table holds tens of
//! thousands of records. In a hash map the ~200-byte records themselves were the buckets: each
//! growth allocated twice the buckets while the old table still stood (22 MB at the peak of a
//! 10,000-connection echo). Here the records sit in a slab whose freed slots are reused, and a
//! serial names its slot: `issue number << 32 | slot`, so a look-up is an index and a compare,
//! with no map beside the slab. Serials still grow in issue order (what the pending-AcceptEx
//! index sorts by), and nothing iterates the table, so no order can leak into behaviour.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Index;

use crate::sim::kernel::objects::ObjRef;
use crate::sim::models::keymap::KeyMap;
use crate::sim::models::op::{Op, SockIo, Status};
use crate::sim::models::result_order::ResultOrder;
use crate::sim::runtime::Layers;

/// One slab slot: the serial of the operation it last held, and that operation until removed.
struct Slot<L: Layers> {
    serial: u64,
    op: Option<Op<L>>,
}

/// The operations of the run, by serial.
pub(crate) struct OpTable<L: Layers> {
    slots: Vec<Slot<L>>,
    /// Free slots, reused last-freed first.
    free: Vec<u32>,
    /// Operations issued so far (the high half of the next serial).
    issued: u64,
}

impl<L: Layers> Default for OpTable<L> {
    fn default() -> Self {
        OpTable {
            slots: Vec::new(),
            free: Vec::new(),
            issued: 0,
        }
    }
}

/// The slot a serial names.
#[inline]
fn slot_of(serial: u64) -> usize {
    (serial & u64::from(u32::MAX)) as usize
}

impl<L: Layers> OpTable<L> {
    /// The operation with serial `serial`, if it is still in the table.
    #[inline]
    pub(crate) fn get(&self, serial: &u64) -> Option<&Op<L>> {
        let s = self.slots.get(slot_of(*serial))?;
        if s.serial == *serial {
            s.op.as_ref()
        } else {
            None
        }
    }

    /// The operation with serial `serial`, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, serial: &u64) -> Option<&mut Op<L>> {
        let s = self.slots.get_mut(slot_of(*serial))?;
        if s.serial == *serial {
            s.op.as_mut()
        } else {
            None
        }
    }

    /// Adds an operation; returns its serial (never given before in the run).
    #[inline]
    pub(crate) fn insert(&mut self, op: Op<L>) -> u64 {
        self.issued += 1;
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                let slot = u32::try_from(self.slots.len())
                    .expect("winsock-sim internal error: over 2^32 operations pending");
                self.slots.push(Slot {
                    serial: 0,
                    op: None,
                });
                slot
            }
        };
        let serial = self.issued << 32 | u64::from(slot);
        // Field by field: the 128-byte record is then stored inline, where a whole
        // `Slot` (136 bytes) went through a memcpy call.
        let s = &mut self.slots[slot as usize];
        s.serial = serial;
        s.op = Some(op);
        serial
    }

    /// Counts an operation that started and ended inside its call without entering the
    /// table (see [`IoState::finished_in_call`]): later serials are then those the table
    /// would have given.
    #[inline]
    pub(crate) fn skip_serial(&mut self) {
        self.issued += 1;
    }

    /// The operations in the table with their serials, in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &Op<L>)> {
        self.slots
            .iter()
            .filter_map(|s| s.op.as_ref().map(|op| (s.serial, op)))
    }

    /// Takes operation `serial` out of the table.
    #[inline]
    pub(crate) fn remove(&mut self, serial: &u64) -> Option<Op<L>> {
        let slot = slot_of(*serial);
        let s = self.slots.get_mut(slot)?;
        if s.serial != *serial {
            return None;
        }
        let op = s.op.take()?;
        self.free.push(slot as u32);
        Some(op)
    }
}

impl<L: Layers> Index<&u64> for OpTable<L> {
    type Output = Op<L>;

    #[inline]
    fn index(&self, serial: &u64) -> &Op<L> {
        self.get(serial)
            .unwrap_or_else(|| panic!("winsock-sim internal error: operation {serial} vanished"))
    }
}

/// How many delivered results WSAGetOverlappedResult can still find.
pub(crate) const RESULTS_KEPT: usize = 4096;

/// What the sim knows of one OVERLAPPED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OvState {
    /// Operation `serial` uses it: pending, or done and not yet delivered or collected.
    Op(u64),
    /// Its last operation was delivered (by routine or packet) or collected: its status and
    /// byte count, which WSAGetOverlappedResult and HasOverlappedIoCompleted report again
    /// until the OVERLAPPED starts another operation; and its place in `results_order`.
    Done(Status, usize, u32),
}

/// All overlapped state of the run.
pub(crate) struct IoState<L: Layers> {
    pub ops: OpTable<L>,
    /// Each OVERLAPPED the run has used, by (host, OVERLAPPED id): the operation using it, or
    /// the result of its last one (one map, so starting, delivering and collecting an
    /// operation each look the key up once).
    pub ovs: KeyMap<(usize, u64), OvState>,
    /// The keys whose entry is a result, least recently finished first (for eviction
    /// beyond [`RESULTS_KEPT`]).
    pub results_order: ResultOrder,
    /// OVERLAPPEDs an AcceptEx marked STATUS_PENDING and then failed at once (until the
    /// identity starts another operation).
    pub failed_pending: KeyMap<(usize, u64), ()>,
    /// Per-socket I/O state by socket id, inline (88 bytes; a box cost its pointer and
    /// malloc's header on top for every socket).
    pub socks: Vec<Option<SockIo>>,
    /// Serials of the AcceptEx operations that have not yet taken a connection, in issue
    /// order: what closesocket, connect and DuplicateSocket's close consult about accept
    /// sockets, so they look at the few pending AcceptEx calls, not at every operation of
    /// the run (one pending receive per connection on a server). A serial leaves when its
    /// operation finishes, takes its connection or is dropped.
    pub accepts_pending: BTreeSet<u64>,
    /// The event object each pending operation with an hEvent holds, by serial, from its
    /// start to its completion: closing the handle meanwhile, or a new event that takes the
    /// same handle value, changes nothing (the I/O manager references the object). Apart
    /// from the 128-byte records, which are moved whole on every start and completion, and
    /// empty in a completion-port server, whose operations have no event.
    pub op_events: BTreeMap<u64, ObjRef>,
}

impl<L: Layers> IoState<L> {
    /// The operation OVERLAPPED `key` names, if one uses it.
    #[inline]
    pub(crate) fn op_serial(&self, key: &(usize, u64)) -> Option<u64> {
        match self.ovs.get(key) {
            Some(&OvState::Op(serial)) => Some(serial),
            _ => None,
        }
    }

    /// The result OVERLAPPED `key` keeps from its last delivered operation.
    #[inline]
    pub(crate) fn result(&self, key: &(usize, u64)) -> Option<(Status, usize)> {
        match self.ovs.get(key) {
            Some(&OvState::Done(status, bytes, _)) => Some((status, bytes)),
            _ => None,
        }
    }

    /// Links OVERLAPPED `key` to operation `serial`: whatever it held before (an earlier
    /// operation's result, or an earlier finished operation never collected) is forgotten.
    #[inline]
    pub(crate) fn link(&mut self, key: (usize, u64), serial: u64) {
        if let Some(before) = self.ovs.insert(key, OvState::Op(serial)) {
            forget(&mut self.ops, &mut self.results_order, before);
        }
    }

    /// Adds `op` and links OVERLAPPED `key` to it, as [`OpTable::insert`] then
    /// [`IoState::link`], unless the OVERLAPPED names an operation still pending (or one no
    /// longer in the table): then `op` is dropped and nothing changes. The check and the
    /// link with one look-up of the key.
    pub(crate) fn insert_linked(&mut self, key: (usize, u64), op: Op<L>) -> Option<u64> {
        match self.ovs.entry(key) {
            Entry::Occupied(mut e) => {
                let before = *e.get();
                if let OvState::Op(old) = before {
                    if self.ops.get(&old).is_none_or(|o| o.done.is_none()) {
                        return None;
                    }
                }
                forget(&mut self.ops, &mut self.results_order, before);
                let serial = self.ops.insert(op);
                e.insert(OvState::Op(serial));
                Some(serial)
            }
            Entry::Vacant(e) => {
                let serial = self.ops.insert(op);
                e.insert(OvState::Op(serial));
                Some(serial)
            }
        }
    }

    /// Unlinks OVERLAPPED `key` from operation `serial` if it still names it; with
    /// `result`, the entry keeps that result instead. Bounded for programs that never reuse
    /// an OVERLAPPED: beyond [`RESULTS_KEPT`] results, the least recently finished is
    /// forgotten (deterministically; a reused OVERLAPPED counts once, from its last result).
    pub(crate) fn unlink(
        &mut self,
        key: (usize, u64),
        serial: u64,
        result: Option<(Status, usize)>,
    ) {
        let Entry::Occupied(mut e) = self.ovs.entry(key) else {
            return;
        };
        if *e.get() != OvState::Op(serial) {
            return;
        }
        let Some((status, bytes)) = result else {
            e.remove();
            return;
        };
        let place = self.results_order.push(key);
        e.insert(OvState::Done(status, bytes, place));
        self.evict_results();
    }

    /// Takes out the operation OVERLAPPED `key` names if it is done, leaving its result
    /// in the entry: [`IoState::unlink`] with one look-up of the key instead of two (one to
    /// find the operation, one to unlink it), for WSAGetOverlappedResult's collect.
    pub(crate) fn take_done(&mut self, key: (usize, u64)) -> Option<(Op<L>, Status, usize)> {
        let Entry::Occupied(mut e) = self.ovs.entry(key) else {
            return None;
        };
        let OvState::Op(serial) = *e.get() else {
            return None;
        };
        let (status, bytes) = self.ops.get(&serial)?.done?;
        let op = self.ops.remove(&serial)?;
        let place = self.results_order.push(key);
        e.insert(OvState::Done(status, bytes, place));
        self.evict_results();
        Some((op, status, bytes))
    }

    /// An operation on OVERLAPPED `key` that started, finished and was collected inside its
    /// call (a WSASend completing at once with nothing else to deliver it): what
    /// [`IoState::insert_linked`] then [`IoState::take_done`] leave behind (whatever the
    /// OVERLAPPED held before forgotten, its new result kept), without the operation's record
    /// going into the table and out again. The caller checked that the OVERLAPPED names no
    /// pending operation.
    pub(crate) fn finished_in_call(&mut self, key: (usize, u64), status: Status, bytes: usize) {
        self.ops.skip_serial();
        match self.ovs.entry(key) {
            Entry::Occupied(mut e) => {
                forget(&mut self.ops, &mut self.results_order, *e.get());
                let place = self.results_order.push(key);
                e.insert(OvState::Done(status, bytes, place));
            }
            Entry::Vacant(e) => {
                let place = self.results_order.push(key);
                e.insert(OvState::Done(status, bytes, place));
            }
        }
        self.evict_results();
    }

    /// Beyond [`RESULTS_KEPT`] results, forgets the least recently finished.
    fn evict_results(&mut self) {
        while self.results_order.len() > RESULTS_KEPT {
            let Some(old) = self.results_order.pop_oldest() else {
                break;
            };
            self.ovs.remove(&old);
        }
    }
}

/// Forgets what an OVERLAPPED held before a new operation took it: an earlier operation that
/// finished and was never collected, or an earlier operation's result.
#[inline(always)]
fn forget<L: Layers>(ops: &mut OpTable<L>, order: &mut ResultOrder, before: OvState) {
    match before {
        OvState::Op(old) => {
            ops.remove(&old);
        }
        OvState::Done(_, _, place) => order.remove(place),
    }
}

impl<L: Layers> Default for IoState<L> {
    fn default() -> Self {
        IoState {
            ops: OpTable::default(),
            ovs: KeyMap::default(),
            results_order: ResultOrder::default(),
            failed_pending: KeyMap::default(),
            socks: Vec::new(),
            accepts_pending: BTreeSet::new(),
            op_events: BTreeMap::new(),
        }
    }
}
