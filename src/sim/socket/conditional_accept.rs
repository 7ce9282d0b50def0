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
    /// The queued connection `accept` would take next on listener `id`: (its socket, the
    /// peer's address, the local address). Waits (or WSAEWOULDBLOCK) as `accept` does; not a
    /// listener: WSAEINVAL.
    pub(crate) fn accept_peek(&mut self, id: usize) -> Step<(usize, SocketAddr, SocketAddr)> {
        let s = self.net.sockets.at(id);
        let nonblocking = s.nonblocking;
        let Role::Listener(q) = &s.role else {
            return Step::Done(Err(WsaError::WSAEINVAL));
        };
        // A completed connection first; else a SYN held by SO_CONDITIONAL_ACCEPT.
        let Some(&child) = q.accept_q.front().or(q.held.front()) else {
            return if nonblocking {
                Step::Done(Err(WsaError::WSAEWOULDBLOCK))
            } else {
                Step::Wait(WaitKey::Readable(id), None)
            };
        };
        let c = self.net.sockets.at(child);
        match (c.remote, c.local) {
            (Some(peer), Some(local)) => Step::Done(Ok((child, peer, local))),
            _ => Step::Done(Err(WsaError::WSAECONNRESET)),
        }
    }

    /// Whether `child` is still the head of listener `id`'s queue.
    pub(crate) fn accept_head_is(&mut self, id: usize, child: usize) -> bool {
        matches!(&self.net.sockets.at(id).role,
            Role::Listener(q) if q.accept_q.front().or(q.held.front()) == Some(&child))
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
