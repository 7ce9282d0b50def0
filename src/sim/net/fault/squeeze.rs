//! Buffer squeeze: while a [`FaultRule::Squeeze`] window is open, the send and/or receive
//! buffers of the sockets in its scope hold fewer bytes; and [`FaultRule::WouldBlock`], a
//! squeeze of one nonblocking socket's send buffer to nothing for one round trip, at the
//! moment of one `send`.
//!
//! The squeeze acts where the buffer's capacity is read, so everything that depends on it
//! behaves as with a genuinely full buffer, by the model's own rules (conformance NB-07,
//! EV-16): a nonblocking `send` is all-or-nothing — accepted whole while fewer bytes than the
//! capacity are queued, else WSAEWOULDBLOCK, which arms the next FD_WRITE; `select` and
//! `WSAPoll` report the socket not writable; a blocking `send` waits; an overlapped `WSASend`
//! stays pending. When acknowledged data leaves the buffer or the squeeze heals, the waiting
//! sends go on and the armed FD_WRITE is posted. A squeezed receive buffer advertises a
//! smaller window (never below one segment, as Windows' TCP keeps one even with
//! SO_RCVBUF = 0), so the peer's data waits in the peer's send buffer.

use std::net::IpAddr;

use super::{FaultRule, FaultTimer, Scope, SockRule};
use crate::sim::net::endpoint::{send_capacity, Role};
use crate::sim::net::host::wire;
use crate::sim::net::tcp::NetTimer;
use crate::sim::net::{NetHooks, NetLayers};
use crate::sim::runtime::trace::TraceKind;
use crate::sim::runtime::{Completion, Nanos, World};

/// Which sockets a squeeze holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// The stream sockets in a scope (by host, link or address).
    Scope(Scope),
    /// One socket object, in one incarnation.
    Socket { sid: usize, incarnation: u64 },
}

/// A squeeze in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Squeeze {
    /// The rule that made it.
    pub rule: usize,
    /// Whose buffers.
    pub target: Target,
    /// Send-buffer capacity in bytes, if squeezed.
    pub send: Option<usize>,
    /// Receive-buffer capacity in bytes, if squeezed.
    pub recv: Option<usize>,
}

/// The least of two optional capacities.
fn least(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    /// Whether socket `id` is held by `target`.
    fn squeeze_holds(&self, target: Target, id: usize) -> bool {
        let Some(s) = self.net.sockets.get(id) else {
            return false;
        };
        match target {
            Target::Socket { sid, incarnation } => {
                sid == id && self.net.sockets.incarnation(id) == Some(incarnation)
            }
            Target::Scope(scope) => {
                let local = s.local.get().map(wire);
                let remote = s.remote.get().map(wire);
                let on_host = |ip: IpAddr| self.net.hosts[s.host].addrs.contains(&ip);
                match scope {
                    Scope::All => true,
                    Scope::Host(ip) => on_host(ip),
                    Scope::Link(a, b) => on_host(a) && remote.is_some_and(|r| r.ip() == b),
                    Scope::Endpoint(sa) => local == Some(sa) || remote == Some(sa),
                }
            }
        }
    }

    /// The squeezed (send, receive) capacities of socket `id`, if any squeeze holds it.
    fn squeezed(&self, id: usize) -> (Option<usize>, Option<usize>) {
        let mut caps = (None, None);
        for q in &self.net.faults.squeezes {
            if self.squeeze_holds(q.target, id) {
                caps = (least(caps.0, q.send), least(caps.1, q.recv));
            }
        }
        caps
    }

    /// Bytes socket `id` may hold unacknowledged before sends wait (or fail with
    /// WSAEWOULDBLOCK): SO_SNDBUF plus Windows' ideal send backlog, or less while squeezed.
    pub(crate) fn send_cap(&self, id: usize, sndbuf: usize) -> usize {
        let base = send_capacity(sndbuf);
        if self.net.faults.squeezes.is_empty() {
            return base;
        }
        self.squeezed(id).0.map_or(base, |c| c.min(base))
    }

    /// Socket `id`'s receive buffer size (SO_RCVBUF, or less while squeezed).
    pub(crate) fn rcvbuf_of(&self, id: usize, rcvbuf: usize) -> usize {
        if self.net.faults.squeezes.is_empty() {
            return rcvbuf;
        }
        self.squeezed(id).1.map_or(rcvbuf, |c| c.min(rcvbuf))
    }

    /// Rule `rule` (a [`FaultRule::Squeeze`]) comes into force.
    pub(crate) fn squeeze_start(&mut self, rule: usize) {
        let Some(FaultRule::Squeeze {
            scope, send, recv, ..
        }) = self.net.faults.plan().rules.get(rule).cloned()
        else {
            return;
        };
        self.net.faults.squeezes.push(Squeeze {
            rule,
            target: Target::Scope(scope),
            send: send.map(|n| n as usize),
            recv: recv.map(|n| n as usize),
        });
        self.record(
            usize::MAX,
            TraceKind::Fault("buffers squeezed"),
            rule as u64,
            0,
            0,
        );
    }

    /// The squeezes `gone` selects end: the sockets they held get their space back (waiting
    /// sends go on, an armed FD_WRITE is posted, a closed window reopens).
    pub(crate) fn squeeze_heal(&mut self, gone: impl Fn(&Squeeze) -> bool, what: &'static str) {
        let (ended, kept): (Vec<Squeeze>, Vec<Squeeze>) =
            self.net.faults.squeezes.iter().partition(|q| gone(q));
        if ended.is_empty() {
            return;
        }
        let held: Vec<usize> = self
            .net
            .sockets
            .ids()
            .into_iter()
            .filter(|&id| ended.iter().any(|q| self.squeeze_holds(q.target, id)))
            .collect();
        self.net.faults.squeezes = kept;
        self.record(usize::MAX, TraceKind::Fault(what), 0, 0, 0);
        for id in held {
            let stream = matches!(
                self.net.sockets.get(id).map(|s| &s.role),
                Some(Role::Stream(t)) if t.state.is_synchronized()
            );
            if stream {
                self.on_send_space(id);
                self.tcp_window_update(id);
            }
        }
    }

    /// Before a `send` on nonblocking stream socket `id`: whether a
    /// [`FaultRule::WouldBlock`] fires on it. If so its send buffer counts as full for one
    /// round trip (at least 1 ms): the send fails with WSAEWOULDBLOCK, the socket is not
    /// writable, and FD_WRITE comes when the space returns, as after a genuinely full buffer.
    pub(crate) fn inject_would_block(&mut self, id: usize) -> bool {
        let Some(incarnation) = self.net.sockets.incarnation(id) else {
            return false;
        };
        let Some(s) = self.net.sockets.get(id) else {
            return false;
        };
        let (local, remote) = (s.local.get().map(wire), s.remote.get().map(wire));
        let host = s.host;
        let now = self.rt.now;
        let addrs = &self.net.hosts[host].addrs;
        let Some(rule) =
            self.net
                .faults
                .on_socket_call(SockRule::WouldBlock, addrs, local, remote, now)
        else {
            return false;
        };
        self.net.faults.squeezes.push(Squeeze {
            rule,
            target: Target::Socket {
                sid: id,
                incarnation,
            },
            send: Some(0),
            recv: None,
        });
        self.record(
            usize::MAX,
            TraceKind::Fault("send buffer full"),
            id as u64,
            0,
            0,
        );
        let rtt: Nanos = self.rt.cfg.link.latency.saturating_mul(2).max(1_000_000);
        self.schedule(
            now + rtt,
            NetTimer::Fault(FaultTimer::Unsqueeze {
                sid: id,
                incarnation,
            }),
        );
        true
    }

    /// Before an overlapped send or receive on stream socket `id` completes inside its call:
    /// whether a [`FaultRule::Pend`] fires on it. If so the caller leaves it pending and the
    /// socket's pending operations are serviced at the next scheduling point.
    fn inject_pend(&mut self, id: usize) -> bool {
        let Some(incarnation) = self.net.sockets.incarnation(id) else {
            return false;
        };
        let Some(s) = self.net.sockets.get(id) else {
            return false;
        };
        let (local, remote) = (s.local.get().map(wire), s.remote.get().map(wire));
        let now = self.rt.now;
        let addrs = &self.net.hosts[s.host].addrs;
        if self
            .net
            .faults
            .on_socket_call(SockRule::Pend, addrs, local, remote, now)
            .is_none()
        {
            return false;
        }
        self.io_due_soon(id, incarnation);
        true
    }

    /// Whether an overlapped send or receive on stream socket `id` that could complete inside
    /// its call pends instead: a [`FaultRule::Pend`] fires, or under `Completion::Random`
    /// (`Contract::Documented`) the seed draws it (one in two).
    pub(crate) fn io_pends(&mut self, id: usize) -> bool {
        let random = self.rt.cfg.completion == Completion::Random;
        if !self.net.faults.idle() && self.inject_pend(id) {
            return true;
        }
        if !random || self.net.faults.below(2) != 0 {
            return false;
        }
        match self.net.sockets.incarnation(id) {
            Some(incarnation) => {
                self.io_due_soon(id, incarnation);
                true
            }
            None => false,
        }
    }

    /// Socket `id`'s pending operations are serviced at the next scheduling point.
    fn io_due_soon(&mut self, id: usize, incarnation: u64) {
        self.record(usize::MAX, TraceKind::Fault("I/O pends"), id as u64, 0, 0);
        let now = self.rt.now;
        self.schedule(
            now,
            NetTimer::Fault(FaultTimer::IoDue {
                sid: id,
                incarnation,
            }),
        );
    }
}
