//! `OpTable`: every overlapped operation of the run by serial, in a slab.
//!
//! A server keeps one or two operations pending per connection, so the table holds tens of
//! thousands of records. In a hash map the ~200-byte records themselves were the buckets: each
//! growth allocated twice the buckets while the old table still stood (22 MB at the peak of a
//! 10,000-connection echo). Here the records sit in a slab whose freed slots are reused, and
//! the map from serial to slot moves only 12-byte entries. Look-ups by serial only, as before:
//! nothing iterates the table, so no order can leak into behaviour.

use std::ops::Index;

use crate::sim::models::keymap::KeyMap;
use crate::sim::models::op::Op;
use crate::sim::runtime::Layers;

/// The operations of the run, by serial.
pub(crate) struct OpTable<L: Layers> {
    /// The records; `None` in a free slot.
    slots: Vec<Option<Op<L>>>,
    /// Free slots, reused last-freed first.
    free: Vec<u32>,
    /// Serial → slot.
    index: KeyMap<u64, u32>,
}

impl<L: Layers> Default for OpTable<L> {
    fn default() -> Self {
        OpTable {
            slots: Vec::new(),
            free: Vec::new(),
            index: KeyMap::default(),
        }
    }
}

impl<L: Layers> OpTable<L> {
    /// The operation with serial `serial`, if it is still in the table.
    #[inline]
    pub(crate) fn get(&self, serial: &u64) -> Option<&Op<L>> {
        let slot = *self.index.get(serial)?;
        self.slots[slot as usize].as_ref()
    }

    /// The operation with serial `serial`, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, serial: &u64) -> Option<&mut Op<L>> {
        let slot = *self.index.get(serial)?;
        self.slots[slot as usize].as_mut()
    }

    /// Adds operation `serial` (serials are never reused).
    #[inline]
    pub(crate) fn insert(&mut self, serial: u64, op: Op<L>) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(op);
                slot
            }
            None => {
                self.slots.push(Some(op));
                (self.slots.len() - 1) as u32
            }
        };
        let old = self.index.insert(serial, slot);
        debug_assert!(old.is_none(), "operation serial {serial} given twice");
    }

    /// Takes operation `serial` out of the table.
    #[inline]
    pub(crate) fn remove(&mut self, serial: &u64) -> Option<Op<L>> {
        let slot = self.index.remove(serial)?;
        self.free.push(slot);
        self.slots[slot as usize].take()
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
