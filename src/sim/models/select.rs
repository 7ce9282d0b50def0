//! `select()` and `WSAPoll()` in the simulator: readiness computed from socket state, a blocking
//! wait on every socket of the sets with the timeout in virtual time. While nothing is ready,
//! APCs queued to the waiting thread run and the wait goes on (the call does not end with
//! WAIT_IO_COMPLETION); a call that finds a socket ready at once runs none (sock.c test_select,
//! test_WSAPoll; conformance SEL-14).
//!
//! Readiness follows the AFD poll events Windows maps into the three sets: readable = a
//! connection to accept, data, a graceful close or a reset; writable = connected with send
//! space (a nonblocking connect that succeeded shows up here) or reset after connecting;
//! except = urgent data (SO_OOBINLINE
//! off) or a connect attempt that failed (conformance SEL-04, SEL-05, SEL-06, SEL-08, SEL-09).

use crate::api::consts::*;
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::Role;
use crate::sim::runtime::World;

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    /// WSAPoll's view of a socket: every bit that holds now (POLLHUP and POLLERR included).
    pub(crate) fn poll_bits(&self, id: usize) -> i16 {
        let Some(s) = self.net.sockets.get(id) else {
            return POLLNVAL;
        };
        match &s.role {
            Role::Listener(q) if q.has_pending() => POLLRDNORM,
            Role::Listener(_) | Role::Idle => 0,
            Role::Dgram(u) => {
                let mut b = POLLWRNORM;
                if u.readable() {
                    b |= POLLRDNORM;
                }
                b
            }
            Role::Stream(t) => {
                let mut b = 0;
                if t.connected_at.is_none() {
                    // Connecting, or a connect that failed: POLLWRNORM | POLLHUP | POLLERR, for a
                    // nonblocking and a blocking attempt alike (sock.c test_WSAPoll).
                    return if t.error.is_some() {
                        POLLWRNORM | POLLHUP | POLLERR
                    } else {
                        0
                    };
                }
                if !t.rcv.is_empty() {
                    b |= POLLRDNORM;
                }
                if !t.oob.is_empty() {
                    b |= if s.opts.oobinline {
                        POLLRDNORM
                    } else {
                        POLLRDBAND
                    };
                }
                if t.error.is_some() {
                    // A reset: POLLERR | POLLHUP | POLLWRNORM (conformance SEL-13).
                    b |= POLLERR | POLLHUP | POLLWRNORM;
                } else {
                    if t.fin_rcvd {
                        b |= POLLHUP;
                    }
                    if self.send_ready(id) || t.fin_rcvd {
                        b |= POLLWRNORM;
                    }
                }
                b
            }
        }
    }

    /// select's read readiness.
    pub(crate) fn select_readable(&self, id: usize) -> bool {
        match self.net.sockets.get(id).map(|s| &s.role) {
            Some(Role::Listener(q)) => q.has_pending(),
            Some(Role::Dgram(u)) => u.readable(),
            Some(Role::Stream(t)) => {
                !t.rcv.is_empty() || t.fin_rcvd || (t.error.is_some() && t.connected_at.is_some())
            }
            _ => false,
        }
    }

    /// select's write readiness: send space on a connected socket, and a connection reset
    /// after it was established (sock.c test_tcp_reset: readable and writable, as WSAPoll's
    /// POLLWRNORM | POLLHUP | POLLERR).
    pub(crate) fn select_writable(&self, id: usize) -> bool {
        self.send_ready(id)
            || matches!(self.net.sockets.get(id).map(|s| &s.role),
                Some(Role::Stream(t)) if t.error.is_some() && t.connected_at.is_some())
    }

    /// select's except readiness.
    pub(crate) fn select_except(&self, id: usize) -> bool {
        match self.net.sockets.get(id) {
            Some(s) => match &s.role {
                Role::Stream(t) => {
                    (!s.opts.oobinline && !t.oob.is_empty())
                        || (t.connected_at.is_none() && t.error.is_some())
                }
                // A listener whose earlier connect failed (sock.c test_select).
                Role::Listener(q) => q.connect_failed,
                _ => false,
            },
            None => false,
        }
    }
}
