//! `select()` in the simulator: readiness computed from socket state, a blocking wait on every
//! socket of the sets with the timeout in virtual time.
//!
//! Readiness follows the AFD poll events Windows maps into the three sets: readable = a
//! connection to accept, data, a graceful close or a reset; writable = connected with send
//! space (a nonblocking connect that succeeded shows up here); except = urgent data (SO_OOBINLINE
//! off) or a connect attempt that failed (conformance SEL-04, SEL-05, SEL-06, SEL-08, SEL-09).

use std::time::Duration;

use super::api::SimWinsock;
use super::sched::{Step, WaitKey};
use super::socket::Role;
use super::world::World;
use crate::api::{FdSet, Select, Socket, WsaError};

impl World {
    /// select's read readiness.
    pub(crate) fn select_readable(&self, id: usize) -> bool {
        match self.sockets.get(id).map(|s| &s.role) {
            Some(Role::Listener(q)) => !q.accept_q.is_empty(),
            Some(Role::Dgram(u)) => !u.queue.is_empty() || u.port_unreachable,
            Some(Role::Stream(t)) => {
                !t.rcv.is_empty() || t.fin_rcvd || (t.error.is_some() && t.connected_at.is_some())
            }
            _ => false,
        }
    }

    /// select's except readiness.
    pub(crate) fn select_except(&self, id: usize) -> bool {
        match self.sockets.get(id) {
            Some(s) => match &s.role {
                Role::Stream(t) => {
                    (!s.opts.oobinline && !t.oob.is_empty())
                        || (t.connected_at.is_none() && t.error.is_some())
                }
                _ => false,
            },
            None => false,
        }
    }
}

/// Per set: the socket ids (in set order) resolved at entry.
type Resolved = [Vec<(Socket, usize)>; 3];

impl Select for SimWinsock {
    fn select(
        &self,
        readfds: Option<&mut FdSet>,
        writefds: Option<&mut FdSet>,
        exceptfds: Option<&mut FdSet>,
        timeout: Option<Duration>,
    ) -> Result<usize, WsaError> {
        let sizes = [
            readfds.as_deref(),
            writefds.as_deref(),
            exceptfds.as_deref(),
        ]
        .map(|s| s.map_or(0, |s| s.len()));
        let zero_timeout = timeout == Some(Duration::ZERO);
        let r = self.call("select", sizes[0] as u64, sizes[1] as u64, |this| {
            if sizes.iter().all(|&n| n == 0) {
                return Err(WsaError::WSAEINVAL);
            }
            let mut resolved: Resolved = Default::default();
            {
                let w = this.w();
                let sets = [
                    readfds.as_deref(),
                    writefds.as_deref(),
                    exceptfds.as_deref(),
                ];
                for (i, set) in sets.into_iter().enumerate() {
                    if let Some(set) = set {
                        for s in set.iter() {
                            let id = w.sock_id(this.host, s)?;
                            resolved[i].push((s, id));
                        }
                    }
                }
            }
            let deadline = timeout.map(|d| this.now().as_nanos() as u64 + d.as_nanos() as u64);
            let ready = this.blocking("select", None, |w| {
                for set in &resolved {
                    for &(s, id) in set {
                        if w.sock_id(this.host, s) != Ok(id) {
                            return Step::Done(Err(WsaError::WSAENOTSOCK));
                        }
                    }
                }
                let ready: [Vec<Socket>; 3] = [
                    ready_of(&resolved[0], |id| w.select_readable(id)),
                    ready_of(&resolved[1], |id| w.send_ready(id)),
                    ready_of(&resolved[2], |id| w.select_except(id)),
                ];
                if ready.iter().any(|r| !r.is_empty()) || deadline.is_some_and(|d| w.now >= d) {
                    return Step::Done(Ok(ready));
                }
                let keys = resolved
                    .iter()
                    .flatten()
                    .map(|&(_, id)| WaitKey::Socket(id))
                    .collect();
                Step::WaitAny(keys, deadline)
            })?;
            let mut n = 0;
            let sets = [readfds, writefds, exceptfds];
            for (set, ready) in sets.into_iter().zip(ready.iter()) {
                if let Some(set) = set {
                    set.retain(|s| ready.contains(s));
                    n += set.len();
                }
            }
            Ok(n)
        });
        if zero_timeout && r == Ok(0) {
            self.idle_poll();
        }
        r
    }
}

fn ready_of(set: &[(Socket, usize)], ready: impl Fn(usize) -> bool) -> Vec<Socket> {
    set.iter()
        .filter(|&&(_, id)| ready(id))
        .map(|&(s, _)| s)
        .collect()
}
