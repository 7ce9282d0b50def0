//! Opening and refusing TCP connections: the active open with Windows' SYN retransmissions
//! (3 s, then 6 s; WSAETIMEDOUT after 21 s) and RST retries (after 0.5 s and 1 s, then
//! WSAECONNREFUSED), both set per socket by SIO_TCP_INITIAL_RTO, and the passive open: a listener takes a SYN into SYN-RECEIVED, a
//! completed handshake joins the accept queue, and a full backlog answers RST.

use std::net::SocketAddr;

use crate::sim::net::host::{seen_by, wire, ConnKey};
use crate::sim::net::segment::{SegKind, Segment};

use crate::api::consts::{
    SOCK_STREAM, TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS, TCP_INITIAL_RTO_DEFAULT_RTT,
    TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS, TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS,
    TCP_INITIAL_RTO_UNSPECIFIED_RTT,
};
use crate::api::WsaError;
use crate::sim::net::compact::Id32;
use crate::sim::net::endpoint::{Listener, Role};
use crate::sim::net::tcp::{NetTimer, Tcp, TcpState};
use crate::sim::net::{NetHooks, NetLayers};
use crate::sim::runtime::trace::TraceKind;
use crate::sim::runtime::{Nanos, World};

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    /// Starts an active open: the socket has local and remote addresses set.
    pub(crate) fn tcp_connect(&mut self, id: usize, nonblocking: bool) {
        let gen = self.next_gen();
        let s = self.net.sockets.at(id);
        s.gen = gen;
        let key = (
            wire(s.local.get().expect("bound")),
            wire(s.remote.get().expect("peer set")),
        );
        let host = s.host;
        let mut t = Tcp::new(TcpState::Closed);
        t.nonblocking_connect = nonblocking;
        // SIO_TCP_INITIAL_RTO holds for the attempts begun after it (its documentation).
        t.syn_rtt_ms = s.opts.initial_rtt_ms;
        t.syn_max = s.opts.max_syn_retransmissions;
        let max_rt = s.opts.max_rt_ms;
        t.ack_every = s.opts.ack_every();
        s.role = Role::Stream(t);
        self.net.hosts[host]
            .conns
            .insert(ConnKey::new(key.0, key.1), id);
        self.set_state(id, TcpState::SynSent);
        // TCP_MAXRT bounds the whole attempt, RST retries included (WSAETIMEDOUT when it runs
        // out: nmap's measurements of Windows, nmap issue #2113).
        self.net.connect_deadlines.remove(&id);
        if max_rt != 0 && max_rt != crate::sim::net::endpoint::RETRANSMIT_FOREVER {
            let token = self.next_gen();
            self.net.connect_deadlines.insert(id, token);
            let at = self.rt.now + u64::from(max_rt) * 1_000_000;
            self.schedule(at, NetTimer::ConnectDeadline { sid: id, token });
        }
        self.send_ctl(id, SegKind::Syn);
        let at = self.rt.now + self.syn_timeout(id, 0);
        self.schedule(
            at,
            NetTimer::SynRetry {
                sid: id,
                attempt: 1,
                gen,
            },
        );
    }

    /// The SYN timer fired: retransmit, or give up after the last retransmission's timeout.
    pub(crate) fn syn_retry(&mut self, id: usize, attempt: u32, gen: u64) {
        let Some(s) = self.net.sockets.get(id) else {
            return;
        };
        if s.gen != gen || !matches!(&s.role, Role::Stream(t) if t.state == TcpState::SynSent) {
            return;
        }
        if attempt > self.syn_retries(id).unwrap_or(self.rt.cfg.syn_retries) {
            self.connect_failed(id, WsaError::WSAETIMEDOUT);
            return;
        }
        self.send_ctl(id, SegKind::Syn);
        let at = self.rt.now + self.syn_timeout(id, attempt);
        self.schedule(
            at,
            NetTimer::SynRetry {
                sid: id,
                attempt: attempt + 1,
                gen,
            },
        );
    }

    /// How long the SYN sent after `sent` earlier ones waits for its answer: the initial
    /// RTO (the configured 3 s, or three times SIO_TCP_INITIAL_RTO's `Rtt`: RFC 6298's first
    /// RTO, SRTT + 4 × RTTVAR with RTTVAR = RTT / 2, as nmap measured on Windows), doubled
    /// for each, at most 60 s.
    pub(crate) fn syn_timeout(&mut self, id: usize, sent: u32) -> Nanos {
        let rto = match self.tcp_at(id).syn_rtt_ms {
            TCP_INITIAL_RTO_DEFAULT_RTT | TCP_INITIAL_RTO_UNSPECIFIED_RTT => self.rt.cfg.syn_rto,
            ms => u64::from(ms) * 3_000_000,
        };
        doubled(rto, sent).min(MAX_SYN_RTO)
    }

    /// The SYN-ACK of half-open connection `id` goes again the initial RTO after it was
    /// sent, its client's ACK (sent by host `client` as the SYN-ACK arrived) having been lost:
    /// that client, connected in its own view, may be waiting for the server to speak first.
    /// Nothing if the client's data completed the handshake meanwhile.
    #[cold]
    pub(crate) fn schedule_syn_ack_retry(&mut self, id: usize, client: usize) {
        if let Some(incarnation) = self.net.sockets.incarnation(id) {
            let host = self.net.sockets.at(id).host;
            let sent = self.rt.now.saturating_sub(self.link(host, client).latency);
            let at = (sent + self.syn_timeout(id, 0)).max(self.rt.now);
            self.schedule(
                at,
                NetTimer::SynAckRetry {
                    sid: id,
                    incarnation,
                },
            );
        }
    }

    /// [`Self::schedule_syn_ack_retry`]'s timer.
    #[cold]
    pub(crate) fn syn_ack_retry(&mut self, id: usize, incarnation: u64) {
        if self.still_half_open(id, incarnation) {
            self.send_ctl(id, SegKind::SynAck);
        }
    }

    /// Whether socket `id` is still incarnation `incarnation`, half-open with its SYN-ACK
    /// sent (not held by SO_CONDITIONAL_ACCEPT): what the SYN-ACK's timers act on.
    fn still_half_open(&mut self, id: usize, incarnation: u64) -> bool {
        self.net.sockets.incarnation(id) == Some(incarnation)
            && matches!(self.tcp(id), Some(t) if t.state == TcpState::SynReceived)
            && !self.syn_held(id)
    }

    /// Half-open connection `id` ends without a word (an RST for it, or its SYN-ACKs
    /// unanswered): its listener's backlog place is free again.
    pub(crate) fn drop_half_open(&mut self, id: usize) {
        if let Some(lid) = self.tcp_at(id).listener.map(Id32::get) {
            if let Some(Role::Listener(q)) = self.net.sockets.get_mut(lid).map(|l| &mut l.role) {
                q.half_open = q.half_open.saturating_sub(1);
            }
        }
        self.set_state(id, TcpState::Closed);
        self.unlink_conn(id);
        self.free_socket(id);
    }

    /// Half-open connection `id`'s last SYN-ACK went unanswered: it is dropped `after` from
    /// now (the last retransmission's timeout), as Windows drops a half-open connection
    /// after its SYN-ACK retransmissions, unless the handshake completes meanwhile.
    #[cold]
    pub(crate) fn schedule_half_open_give_up(&mut self, id: usize, after: Nanos) {
        if let Some(incarnation) = self.net.sockets.incarnation(id) {
            let at = self.rt.now.saturating_add(after);
            self.schedule(
                at,
                NetTimer::HalfOpenGiveUp {
                    sid: id,
                    incarnation,
                },
            );
        }
    }

    /// [`Self::schedule_half_open_give_up`]'s timer.
    #[cold]
    pub(crate) fn half_open_give_up(&mut self, id: usize, incarnation: u64) {
        if self.still_half_open(id, incarnation) {
            let host = self.net.sockets.at(id).host;
            self.record_net(host, TraceKind::Fault("half-open given up"), id as u64, 0);
            self.drop_half_open(id);
        }
    }

    /// TCP_MAXRT's bound on connect attempt `token` of socket `id` ran out: if the attempt is
    /// still under way (a SYN unanswered, or waiting to retry after an RST), it fails with
    /// WSAETIMEDOUT.
    #[cold]
    pub(crate) fn connect_deadline(&mut self, id: usize, token: u64) {
        if self.net.connect_deadlines.get(&id) != Some(&token) {
            return;
        }
        self.net.connect_deadlines.remove(&id);
        if matches!(self.tcp(id), Some(t) if t.state == TcpState::SynSent) {
            self.connect_failed(id, WsaError::WSAETIMEDOUT);
        }
    }

    /// How many SYNs may follow the first, as retransmissions after a timeout or retries
    /// after an RST: SIO_TCP_INITIAL_RTO's `MaxSynRetransmissions`, or `None` for the
    /// configured counts (its default and unspecified values).
    pub(crate) fn syn_retries(&mut self, id: usize) -> Option<u32> {
        match self.tcp_at(id).syn_max {
            TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS
            | TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS => None,
            NO_SYN_RETRANSMISSIONS => Some(0),
            n => Some(u32::from(n)),
        }
    }

    /// A connect attempt ended in failure.
    pub(crate) fn connect_failed(&mut self, id: usize, err: WsaError) {
        let nonblocking = {
            let t = self.tcp_at(id);
            t.error = Some(err);
            t.nonblocking_connect
        };
        self.set_state(id, TcpState::Closed);
        self.unlink_conn(id);
        if nonblocking {
            self.net.sockets.at(id).so_error = err.code();
        }
        self.on_connect(id, Some(err));
    }

    /// The listening socket that takes a SYN for the wire address `dst`: an exact address
    /// first, then a wildcard of the same family, then (for IPv4) a dual-stack `[::]`; the
    /// earliest bound wins (conformance OP-10).
    fn find_listener(&self, host: usize, dst: SocketAddr) -> Option<usize> {
        self.bound_for(host, SOCK_STREAM, dst, |s| {
            matches!(s.role, Role::Listener(_)) && s.handle.is_some()
        })
    }

    pub(crate) fn listener_syn(&mut self, host: usize, seg: Segment) {
        let Some(lid) = self.find_listener(host, seg.dst) else {
            self.reply_rst(host, &seg);
            return;
        };
        let (family, opts, full) = {
            let l = self.net.sockets.at(lid);
            let Role::Listener(q) = &l.role else {
                unreachable!("find_listener checked")
            };
            (
                l.family,
                l.opts.clone(),
                q.accept_q.len() + q.half_open + q.held.len() >= q.backlog,
            )
        };
        let conditional = opts.conditional_accept;
        let mut tcp = Tcp::new(TcpState::SynReceived);
        tcp.ack_every = opts.ack_every();
        // SIO_TCP_INITIAL_RTO on the listener times its SYN-ACKs ("SYN / SYN+ACK").
        tcp.syn_rtt_ms = opts.initial_rtt_ms;
        tcp.syn_max = opts.max_syn_retransmissions;
        if full {
            // Windows answers a SYN beyond the backlog with RST: the client sees WSAECONNREFUSED.
            self.reply_rst(host, &seg);
            return;
        }
        // A dual-stack listener's connection from an IPv4 peer reports both ends v4-mapped.
        let child = self.net.sockets.insert(crate::sim::net::endpoint::Sock {
            local: seen_by(family, seg.dst).into(),
            remote: seen_by(family, seg.src).into(),
            ..crate::sim::net::endpoint::Sock::new(
                host,
                family,
                SOCK_STREAM,
                opts,
                Role::Stream(tcp),
            )
        });
        self.tcp_at(child).listener = Some(Id32::new(lid));
        self.record_net(
            host,
            TraceKind::State(TcpState::SynReceived.name()),
            child as u64,
            0,
        );
        self.net.hosts[host]
            .conns
            .insert(ConnKey::new(seg.dst, seg.src), child);
        if conditional {
            // SO_CONDITIONAL_ACCEPT: no SYN-ACK until accept/WSAAccept decides; the listener
            // reports the connection as acceptable meanwhile.
            if let Role::Listener(q) = &mut self.net.sockets.at(lid).role {
                q.held.push_back(child);
            }
            self.on_accept_ready(lid);
            return;
        }
        if let Role::Listener(q) = &mut self.net.sockets.at(lid).role {
            q.half_open += 1;
        }
        self.send_ctl(child, SegKind::SynAck);
    }

    /// SO_CONDITIONAL_ACCEPT, CF_ACCEPT (or a plain accept / AcceptEx): the oldest held SYN of
    /// listener `lid` is answered with SYN-ACK and its handshake goes on as any other (the
    /// connection joins the accept queue when the client's ACK arrives). False when none is
    /// held.
    pub(crate) fn release_held_syn(&mut self, lid: usize) -> bool {
        let child = match &mut self.net.sockets.at(lid).role {
            Role::Listener(q) => match q.held.pop_front() {
                Some(c) => {
                    q.half_open += 1;
                    c
                }
                None => return false,
            },
            _ => return false,
        };
        self.send_ctl(child, SegKind::SynAck);
        true
    }

    /// Whether `child` is a connection whose SYN its listener holds (SO_CONDITIONAL_ACCEPT).
    pub(crate) fn syn_held(&self, child: usize) -> bool {
        let lid = match self.net.sockets.get(child).map(|s| &s.role) {
            Some(Role::Stream(t)) => t.listener.map(Id32::get),
            _ => None,
        };
        lid.and_then(|l| self.net.sockets.get(l))
            .is_some_and(|l| matches!(&l.role, Role::Listener(q) if q.held.contains(&child)))
    }

    /// A child connection finished its handshake: it joins the listener's accept queue.
    pub(crate) fn handshake_done(&mut self, id: usize) {
        let Some(lid) = self.tcp_at(id).listener.map(Id32::get) else {
            return;
        };
        let queued = match self.net.sockets.get_mut(lid).map(|l| &mut l.role) {
            Some(Role::Listener(q)) => {
                q.half_open = q.half_open.saturating_sub(1);
                q.accept_q.push_back(id);
                true
            }
            _ => false,
        };
        if queued {
            self.on_accept_ready(lid);
        } else {
            // The listener went away during the handshake.
            self.tcp_abort(id);
        }
    }

    /// A closing listener: every queued or half-open connection is reset.
    pub(crate) fn listener_close(&mut self, lid: usize, q: Listener) {
        // Held SYNs are answered with RST (tcp_abort of a SYN-RECEIVED connection).
        for child in q.accept_q.into_iter().chain(q.held) {
            self.tcp_abort(child);
        }
        let host = self.net.sockets.at(lid).host;
        let half: Vec<usize> = self.net.hosts[host]
            .conns
            .values()
            .copied()
            .filter(|&c| {
                matches!(self.net.sockets.get(c).map(|s| &s.role),
                    Some(Role::Stream(t)) if t.listener == Some(Id32::new(lid)) && t.state == TcpState::SynReceived)
            })
            .collect();
        for c in half {
            self.tcp_abort(c);
        }
    }
}

/// The longest wait for a SYN's answer (Windows doubles its SYN timeout up to 60 s).
const MAX_SYN_RTO: Nanos = 60_000_000_000;

/// TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS as the UCHAR `MaxSynRetransmissions` holds it.
const NO_SYN_RETRANSMISSIONS: u8 = (TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS & 0xFF) as u8;

/// `t` doubled `n` times, saturating (a socket may ask for up to 253 retransmissions).
pub(crate) fn doubled(t: Nanos, n: u32) -> Nanos {
    t.saturating_mul(1u64.checked_shl(n).unwrap_or(u64::MAX))
}
