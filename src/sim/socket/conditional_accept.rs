//! What `WSAAccept` with a condition function needs beside `accept`: a look at the connection
//! at the head of a listener's queue without taking it, and the rejection of that connection
//! (reset, as closing it with SO_LINGER {1, 0} would). With SO_CONDITIONAL_ACCEPT the head
//! may be a held SYN (`Listener::held`): rejecting it answers the SYN with RST, accepting it
//! releases the SYN-ACK (`release_held_syn`, called by `accept_step`).

use std::net::SocketAddr;

use crate::api::WsaError;
use crate::sim::net::endpoint::Role;
use crate::sim::runtime::World;
use crate::sim::runtime::{Step, WaitKey};
use crate::sim::socket::{SockHooks, SockLayers};

impl<L: SockLayers> World<L>
where
    Self: SockHooks<L>,
{
    /// The queued connection `accept` would give thread `tid` next on listener `id` (the
    /// one owed to it: `accept.rs`): (its socket, the peer's address, the local address).
    /// Waits in line (or WSAEWOULDBLOCK) as `accept` does; not a listener: WSAEINVAL.
    pub(crate) fn accept_peek(
        &mut self,
        id: usize,
        tid: usize,
    ) -> Step<(usize, SocketAddr, SocketAddr)> {
        let Some(child) = self.owed_child(id, tid) else {
            let s = self.net.sockets.at(id);
            return match (&s.role, s.nonblocking) {
                (Role::Listener(_), true) => Step::Done(Err(WsaError::WSAEWOULDBLOCK)),
                (Role::Listener(_), false) => {
                    self.wait_in_line(id, tid);
                    Step::Wait(WaitKey::Readable(id), None)
                }
                _ => Step::Done(Err(WsaError::WSAEINVAL)),
            };
        };
        let c = self.net.sockets.at(child);
        match (c.remote.get(), c.local.get()) {
            (Some(peer), Some(local)) => Step::Done(Ok((child, peer, local))),
            _ => Step::Done(Err(WsaError::WSAECONNRESET)),
        }
    }

    /// The connection owed to thread `tid` on listener `id`: a completed one, else (to the
    /// first in line) a SYN held by SO_CONDITIONAL_ACCEPT.
    fn owed_child(&mut self, id: usize, tid: usize) -> Option<usize> {
        let k = self.owed_index(id, tid)?;
        let Role::Listener(q) = &self.net.sockets.at(id).role else {
            return None;
        };
        q.accept_q
            .get(k)
            .or(q.held.front().filter(|_| k == 0))
            .copied()
    }

    /// Whether `child` is still the connection owed to thread `tid` on listener `id`.
    pub(crate) fn accept_owed_is(&mut self, id: usize, tid: usize, child: usize) -> bool {
        self.owed_child(id, tid) == Some(child)
    }

    /// Takes `child` off listener `id`'s queue and resets it: an established connection's
    /// peer sees WSAECONNRESET; a SYN held by SO_CONDITIONAL_ACCEPT is answered with RST (the
    /// peer's connect fails with WSAECONNREFUSED).
    pub(crate) fn accept_reject(&mut self, id: usize, child: usize) {
        if let Role::Listener(q) = &mut self.net.sockets.at(id).role {
            q.accept_q.retain(|&c| c != child);
            q.held.retain(|&c| c != child);
        }
        let c = self.net.sockets.at(child);
        let linger = &mut std::sync::Arc::make_mut(&mut c.opts).linger;
        linger.onoff = true;
        linger.onoff_raw = 1;
        linger.secs = 0;
        if let Role::Stream(t) = &mut c.role {
            t.listener = None;
        }
        self.close_socket(child);
    }
}
