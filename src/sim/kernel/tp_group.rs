//! The Vista pool's cleanup groups (`CreateThreadpoolCleanupGroup`,
//! `CloseThreadpoolCleanupGroupMembers`, `CloseThreadpoolCleanupGroup`).
//!
//! A group lists its members (objects of `tp_objects` created with an environment naming it)
//! until each is closed and gone. Releasing the members is three steps, as Windows takes them:
//! [`World::tp_group_release`] takes the list out of the group, stops each open member's own
//! runs (a timer, a wait) and, when cancelling, drops their queued runs; the calling thread
//! then waits, member by member, until none of the member's runs is queued or running
//! (`tp_outstanding`), and [`World::tp_group_finish`] closes a member the program has not
//! closed meanwhile, handing back its cancel callback to call on that thread.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::api::WsaError;
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{Layers, World};

/// A cleanup group's cancel callback for one member: (object, cleanup context).
pub(crate) type TpCancelCallback<L> =
    Arc<dyn Fn(&<L as Layers>::Handle, usize, usize) + Send + Sync>;

/// The cleanup group an object joins at its creation, with its cancel callback.
pub(crate) struct TpMembership<L: Layers> {
    pub(crate) group: usize,
    pub(crate) cancel: Option<TpCancelCallback<L>>,
}

/// One cleanup group.
pub(crate) struct TpGroup {
    host: usize,
    /// The host's crash count when it was made (a crash ends it).
    boot: u32,
    /// Its members, oldest first (object numbers grow).
    pub(crate) members: BTreeSet<usize>,
    /// `CloseThreadpoolCleanupGroup` was called: it goes with its last member.
    closed: bool,
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// `CreateThreadpoolCleanupGroup` on `host`: the new group's number.
    pub(crate) fn tp_group_create(&mut self, host: usize) -> usize {
        let boot = self.tp_boot(host);
        let t = &mut self.kern.tp_objects;
        t.last += 1;
        let id = t.last;
        let group = TpGroup {
            host,
            boot,
            members: BTreeSet::new(),
            closed: false,
        };
        t.groups.insert(id, group);
        id
    }

    /// Group `id` if it is an open one of `host`'s; otherwise ERROR_INVALID_HANDLE.
    pub(crate) fn tp_group_live(&self, host: usize, id: usize) -> Result<(), WsaError> {
        let boot = self.tp_boot(host);
        match self.kern.tp_objects.groups.get(&id) {
            Some(g) if g.host == host && g.boot == boot && !g.closed => Ok(()),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// `CloseThreadpoolCleanupGroup`: the group takes no new members and goes once it has
    /// none.
    pub(crate) fn tp_group_close(&mut self, id: usize) {
        let groups = &mut self.kern.tp_objects.groups;
        if let Some(g) = groups.get_mut(&id) {
            g.closed = true;
            if g.members.is_empty() {
                groups.remove(&id);
            }
        }
    }

    /// Object `member` went: group `id` lists it no more (and goes if closed and empty).
    pub(crate) fn tp_group_forget(&mut self, id: usize, member: usize) {
        let groups = &mut self.kern.tp_objects.groups;
        if let Some(g) = groups.get_mut(&id) {
            g.members.remove(&member);
            if g.closed && g.members.is_empty() {
                groups.remove(&id);
            }
        }
    }

    /// The first step of `CloseThreadpoolCleanupGroupMembers` on group `id`, called by
    /// thread `tid`: the members, taken out of the group, oldest first. Each open member's
    /// timer or wait stops; with `cancel`, their queued runs (and an I/O object's starts
    /// awaiting a completion) are dropped. A member whose callback `tid` is running is named
    /// among the program's misuses: the call will wait for that callback, which waits for it.
    pub(crate) fn tp_group_release(&mut self, tid: usize, id: usize, cancel: bool) -> Vec<usize> {
        let members: Vec<usize> = match self.kern.tp_objects.groups.get_mut(&id) {
            Some(g) => std::mem::take(&mut g.members).into_iter().collect(),
            None => return Vec::new(),
        };
        for &m in &members {
            // A member the program closed is stopped already: stopping it again does nothing.
            self.tp_stop(m);
            if cancel {
                self.tp_cancel_pending(m);
            }
            self.tp_changed(m);
        }
        let own: Vec<usize> = self
            .tp_running_on(tid)
            .filter(|o| members.contains(o))
            .collect();
        for o in own {
            self.rt.note_misuse_by(
                tid,
                format!(
                    "CloseThreadpoolCleanupGroupMembers of cleanup group {id} called from a \
                     callback of its member {o}: the call waits for that callback to return, \
                     which waits for the call (its documentation forbids it)"
                ),
            );
        }
        members
    }

    /// The last step for `member` (of a release by thread `tid`), none of whose runs is
    /// queued or running any more: if the program has not closed it, it is closed now, and
    /// its cancel callback is handed back when the release cancels.
    pub(crate) fn tp_group_finish(
        &mut self,
        tid: usize,
        member: usize,
        cancel: bool,
    ) -> Option<TpCancelCallback<L>> {
        let o = self.kern.tp_objects.objects.get_mut(&member)?;
        if o.closed {
            return None;
        }
        // Released: the group no longer counts it, so its going touches no group.
        let callback = o.member.take().and_then(|m| m.cancel);
        self.tp_close(tid, member);
        callback.filter(|_| cancel)
    }
}
