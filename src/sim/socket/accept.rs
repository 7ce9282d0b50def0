//! `accept`: taking a completed connection off a listener's queue, and the order in which
//! blocked callers get them. Windows hands each arriving connection to the oldest `accept`
//! blocked on the listener (AFD completes its listen requests in the order they came), so
//! with several threads blocked, the first to block gets the first connection whichever is
//! scheduled first. The sim keeps the blocked callers in `Listener::waiters`: the k-th
//! waiter is owed the k-th queued connection, and a caller that is not waiting (a
//! nonblocking accept, or one just called) comes after all of them.

use crate::api::{SockAddr, Socket, WsaError};
use crate::sim::net::endpoint::Role;
use crate::sim::net::tcp::TcpState;
use crate::sim::runtime::{Step, ThreadState, WaitKey, World};
use crate::sim::socket::{SockHooks, SockLayers};

impl<L: SockLayers> World<L>
where
    Self: SockHooks<L>,
{
    /// One attempt of `accept` on listener `id` by thread `tid`: the connection owed to it,
    /// else WSAEWOULDBLOCK (nonblocking) or a wait in line.
    pub(crate) fn accept_step(&mut self, id: usize, tid: usize) -> Step<(Socket, SockAddr)> {
        let Some(k) = self.owed_index(id, tid) else {
            return Step::Done(Err(WsaError::WSAEINVAL));
        };
        let s = self.net.sockets.at(id);
        let nonblocking = s.nonblocking;
        let Role::Listener(q) = &mut s.role else {
            unreachable!("owed_index checked the role")
        };
        let Some(child) = q.accept_q.remove(k) else {
            // SO_CONDITIONAL_ACCEPT: accepting a held SYN answers it; the connection is
            // taken once its handshake completes (one released at a time, so that a
            // WSAAccept's CF_ACCEPT releases the connection its condition function saw).
            if q.half_open == 0 && !q.held.is_empty() {
                self.release_held_syn(id);
            }
            return if nonblocking {
                Step::Done(Err(WsaError::WSAEWOULDBLOCK))
            } else {
                self.wait_in_line(id, tid);
                Step::Wait(WaitKey::Readable(id), None)
            };
        };
        q.waiters.retain(|&t| t != tid);
        let reset = matches!(&self.net.sockets.at(child).role,
            Role::Stream(t) if t.error.is_some() && t.state == TcpState::Closed);
        if reset {
            // "An incoming connection was indicated, but was subsequently terminated by the
            // remote peer prior to accepting the call" (accept's documented WSAECONNRESET).
            // (The failed accept re-enables FD_ACCEPT in the caller, as every failed accept does.)
            self.net.sockets.at(child).closed = true;
            self.free_socket(child);
            return Step::Done(Err(WsaError::WSAECONNRESET));
        }
        let h = self.give_handle(child);
        let c = self.net.sockets.at(child);
        c.nonblocking = nonblocking;
        let peer = c.remote.get().expect("accepted connection has a peer");
        if let Role::Stream(t) = &mut c.role {
            t.listener = None;
        }
        self.on_accepted(id, child);
        Step::Done(Ok((Socket::from_raw(h), SockAddr::from(peer))))
    }

    /// Where in listener `id`'s queue the connection owed to thread `tid` is: its place
    /// among the blocked callers, or after all of them. `None`: not a listener. Callers
    /// whose thread has ended (a panic in an APC run during the wait) are dropped first.
    pub(crate) fn owed_index(&mut self, id: usize, tid: usize) -> Option<usize> {
        let Role::Listener(q) = &mut self.net.sockets.at(id).role else {
            return None;
        };
        if q.waiters.is_empty() {
            return Some(0);
        }
        let threads = &self.rt.threads;
        q.waiters
            .retain(|&t| t == tid || !matches!(threads[t].state, ThreadState::Finished));
        Some(
            q.waiters
                .iter()
                .position(|&t| t == tid)
                .unwrap_or(q.waiters.len()),
        )
    }

    /// Thread `tid` blocks on listener `id`: it joins the line, unless already in it.
    pub(crate) fn wait_in_line(&mut self, id: usize, tid: usize) {
        if let Role::Listener(q) = &mut self.net.sockets.at(id).role {
            if !q.waiters.contains(&tid) {
                q.waiters.push(tid);
            }
        }
    }

    /// Thread `tid`'s accept call on `id` returned: it leaves the line, whatever the result
    /// (a socket no longer a listener has none).
    pub(crate) fn leave_line(&mut self, id: usize, tid: usize) {
        if let Some(Role::Listener(q)) = self.net.sockets.get_mut(id).map(|s| &mut s.role) {
            q.waiters.retain(|&t| t != tid);
        }
    }
}
