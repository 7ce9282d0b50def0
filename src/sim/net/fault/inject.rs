//! The plan acting on the network: the fate of each segment (delay, loss with Windows'
//! retransmission timeouts and give-up, reset), and the timed rules (reset at a moment,
//! partition marks, host crash and restart).
//!
//! Codes, chosen from Microsoft's documentation and Wine's sock.c (conformance EV-25, OV-01):
//! - a reset (RST) makes later calls fail with WSAECONNRESET, records FD_CLOSE with
//!   WSAECONNABORTED, and completes pending overlapped receives with ERROR_NETNAME_DELETED
//!   (WSAECONNRESET from WSAGetOverlappedResult) — the existing RST path;
//! - a connection given up after `TcpMaxDataRetransmissions` lost retransmissions fails later
//!   calls with WSAETIMEDOUT (recv/send: "the connection has been dropped because of a
//!   network failure or because the peer system failed to respond"), records FD_CLOSE with
//!   WSAECONNABORTED (WSAEventSelect: "terminated due to a time-out or other failure"), and
//!   completes pending overlapped receives with STATUS_IO_TIMEOUT (WSAETIMEDOUT /
//!   ERROR_SEM_TIMEOUT). No RST is sent: the peer is unreachable.
//! - a crashed host's calls never return (its threads are dead); its connections close with
//!   WSAENETDOWN without telling anyone.

use std::net::IpAddr;

use super::seam::host_in_scope;
use super::squeeze::Target;
use super::{FaultRule, Scope, Verdict, MAX_DATA_RETRANSMISSIONS, RTO_MIN};
use crate::api::WsaError;
use crate::sim::net::endpoint::{Role, RETRANSMIT_FOREVER};
use crate::sim::net::host::wire;
use crate::sim::net::segment::{SegKind, Segment};
use crate::sim::net::tcp::{NetTimer, TcpState};
use crate::sim::net::{NetHooks, NetLayers};
use crate::sim::runtime::trace::{TraceKind, CLOCK_SET};
use crate::sim::runtime::{sat_nanos, Nanos, ThreadState, World};

/// A timed event of the fault plan.
#[derive(Debug)]
pub(crate) enum FaultTimer {
    /// Rule `rule` comes due: `phase` 0 at its start, 1 at its end (a partition heals, a
    /// crashed host restarts).
    Rule { rule: usize, phase: u8 },
    /// The last retransmission of a segment of socket `sid` went unanswered.
    GiveUp { sid: usize, incarnation: u64 },
    /// The send buffer of socket `sid` that a [`FaultRule::WouldBlock`] filled has room
    /// again.
    Unsqueeze { sid: usize, incarnation: u64 },
    /// Overlapped operations of socket `sid` that a [`FaultRule::Pend`] left pending are
    /// serviced.
    IoDue { sid: usize, incarnation: u64 },
    /// A datagram held back by [`SegmentAction::Reorder`](super::SegmentAction::Reorder)
    /// reaches host `to`. Boxed: the segment is ~160 bytes, and every timer of the run (a
    /// SYN retry, TIME-WAIT per connection) would otherwise be as large.
    Arrive { to: usize, seg: Box<Segment> },
}

/// A fault's trace label naming the segment it hit ("drop DATA", "partition SYN", ...).
fn label(why: &'static str, kind: &SegKind) -> &'static str {
    macro_rules! with_kind {
        ($w:literal) => {
            match kind {
                SegKind::Syn => concat!($w, " SYN"),
                SegKind::SynAck => concat!($w, " SYN-ACK"),
                SegKind::Ack => concat!($w, " ACK"),
                SegKind::Data { .. } => concat!($w, " DATA"),
                SegKind::Fin { .. } => concat!($w, " FIN"),
                SegKind::Rst => concat!($w, " RST"),
                SegKind::Datagram { .. } => concat!($w, " UDP"),
                SegKind::Unreachable => concat!($w, " ICMP"),
                SegKind::KeepAlive => concat!($w, " KEEPALIVE"),
            }
        };
    }
    match why {
        "drop" => with_kind!("drop"),
        "delay" => with_kind!("delay"),
        "jitter" => with_kind!("jitter"),
        "partition" => with_kind!("partition loses"),
        "host down" => with_kind!("host down loses"),
        "duplicate" => with_kind!("duplicate"),
        "reorder" => with_kind!("reorder"),
        _ => why,
    }
}

/// Whether a connection between `local` and `remote` (wire addresses) is within `scope`.
fn conn_in_scope(scope: &Scope, local: std::net::SocketAddr, remote: std::net::SocketAddr) -> bool {
    match *scope {
        Scope::All => true,
        Scope::Host(ip) => local.ip() == ip || remote.ip() == ip,
        Scope::Link(a, b) => {
            (local.ip() == a && remote.ip() == b) || (local.ip() == b && remote.ip() == a)
        }
        Scope::Endpoint(sa) => local == sa || remote == sa,
    }
}

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    /// Schedules the plan's timed rules; called once when the world is built.
    pub(crate) fn schedule_fault_timers(&mut self) {
        let mut due = Vec::new();
        for (i, rule) in self.net.faults.plan().rules.iter().enumerate() {
            let (start, end) = match rule {
                FaultRule::Reset { at, .. } => (*at, None),
                FaultRule::Partition { from, until, .. } => (*from, *until),
                FaultRule::Crash { at, restart, .. } => (*at, *restart),
                FaultRule::Squeeze { from, until, .. } => (*from, *until),
                FaultRule::ClockJump { at, .. } => (*at, None),
                _ => continue,
            };
            due.push((sat_nanos(start), i, 0));
            if let Some(end) = end {
                due.push((sat_nanos(end), i, 1));
            }
        }
        for (at, rule, phase) in due {
            self.schedule(at, NetTimer::Fault(FaultTimer::Rule { rule, phase }));
        }
    }

    /// A timed event of the plan fires. (Cold and out of line: it keeps the timer dispatch
    /// of fault-free runs as small as it was.)
    #[cold]
    #[inline(never)]
    pub(crate) fn fault_timer(&mut self, t: FaultTimer) {
        match t {
            FaultTimer::Rule { rule, phase } => {
                let rule_index = rule;
                let Some(rule) = self.net.faults.plan().rules.get(rule).cloned() else {
                    return;
                };
                match (rule, phase) {
                    (FaultRule::Reset { scope, .. }, _) => self.reset_connections(&scope),
                    (FaultRule::Partition { .. }, 0) => self.mark("partition", usize::MAX, 0),
                    (FaultRule::Partition { .. }, _) => {
                        self.mark("partition healed", usize::MAX, 0)
                    }
                    (
                        FaultRule::ClockJump {
                            scope, shift_ms, ..
                        },
                        _,
                    ) => self.set_clocks(&scope, shift_ms),
                    (FaultRule::Crash { host, .. }, 0) => self.crash_host(host),
                    (FaultRule::Crash { host, .. }, _) => self.restart_host(host),
                    (FaultRule::Squeeze { .. }, 0) => self.squeeze_start(rule_index),
                    (FaultRule::Squeeze { .. }, _) => self.squeeze_heal(
                        |q| q.rule == rule_index && matches!(q.target, Target::Scope(_)),
                        "squeeze healed",
                    ),
                    _ => {}
                }
            }
            FaultTimer::GiveUp { sid, incarnation } => self.give_up(sid, incarnation),
            FaultTimer::Unsqueeze { sid, incarnation } => self.squeeze_heal(
                |q| q.target == Target::Socket { sid, incarnation },
                "send buffer has room",
            ),
            FaultTimer::Arrive { to, seg } => self.segment_arrives(to, *seg),
            FaultTimer::IoDue { sid, incarnation } => {
                if self.net.sockets.incarnation(sid) == Some(incarnation) {
                    self.on_io_due(sid);
                }
            }
        }
    }

    /// Records a fault of the plan that hit host index `host` (`usize::MAX`: none).
    fn mark(&mut self, what: &'static str, host: usize, a: u64) {
        self.record_net(host, TraceKind::Fault(what), a, 0);
    }

    /// Runs a segment through the plan: `None` when it is lost for good, else the segment
    /// (possibly turned into a RST) and the extra delay it takes.
    #[inline(never)]
    pub(crate) fn fault_segment(&mut self, seg: Segment, len: usize) -> Option<(Segment, Nanos)> {
        let (verdict, why) = self.net.faults.on_segment(&seg, self.rt.now);
        match verdict {
            Verdict::Pass => Some((seg, 0)),
            Verdict::Delay(d) => {
                let what = TraceKind::Fault(label(why, &seg.kind));
                self.record_net(seg.from_host, what, 0, d);
                Some((seg, d))
            }
            Verdict::Drop => {
                let what = label(why, &seg.kind);
                self.record_net(seg.from_host, TraceKind::Fault(what), 0, len as u64);
                if matches!(
                    seg.kind,
                    SegKind::Syn
                        | SegKind::Datagram { .. }
                        | SegKind::Unreachable
                        | SegKind::KeepAlive
                ) {
                    // Not retransmitted: a lost SYN costs the connect timeout, a lost datagram
                    // is gone, a lost keep-alive probe is followed by the next.
                    return None;
                }
                self.retransmit(seg)
            }
            Verdict::Reset => self.reset_segment(seg),
            Verdict::Duplicate => {
                if let SegKind::Datagram { .. } = seg.kind {
                    if let Some(to) = self.route(seg.from_host, seg.dst.ip()) {
                        self.mark(label(why, &seg.kind), seg.from_host, len as u64);
                        self.put_on_link(seg.clone(), to, 0);
                    }
                }
                Some((seg, 0))
            }
            Verdict::Reorder(d) => {
                if let SegKind::Datagram { .. } = seg.kind {
                    if let Some(to) = self.route(seg.from_host, seg.dst.ip()) {
                        self.record(usize::MAX, TraceKind::Fault(label(why, &seg.kind)), 0, d, 0);
                        let at = self.rt.now + self.link(seg.from_host, to).latency + d;
                        let seg = Box::new(seg);
                        self.schedule(at, NetTimer::Fault(FaultTimer::Arrive { to, seg }));
                        return None;
                    }
                }
                Some((seg, 0))
            }
        }
    }

    /// A reliable segment was lost: TCP retransmits it after the RTO, doubling the wait each
    /// time; the first retransmission that gets through is delivered. After
    /// `TcpMaxDataRetransmissions` lost retransmissions and one more timeout, the sender gives
    /// the connection up; with TCP_MAXRT / TCP_MAXRTMS set on the sender, it gives up instead
    /// when the next retransmission would fall at or after that time since the segment was
    /// sent (-1: never).
    fn retransmit(&mut self, seg: Segment) -> Option<(Segment, Nanos)> {
        if let Some(child) = self.handshake_end(&seg) {
            return self.retransmit_handshake(seg, child);
        }
        // Capped so that the doubled waits stay far from overflow with absurd latencies.
        let rtt = self.rt.cfg.link.latency.saturating_mul(2);
        let rto = sat_nanos(RTO_MIN).max(rtt.saturating_mul(2)).min(1 << 50);
        let limit = self
            .net
            .sockets
            .get(seg.from_sid)
            .map_or(0, |s| s.opts.max_rt_ms);
        // Past the run's end nothing more can happen: "forever" stops there.
        let horizon = self.rt.cfg.time_limit;
        let mut wait: Nanos = 0;
        let mut k = 0;
        loop {
            wait = wait.saturating_add(rto.saturating_mul(1 << k.min(40)));
            let last = match limit {
                0 => k == MAX_DATA_RETRANSMISSIONS,
                RETRANSMIT_FOREVER => wait > horizon,
                ms => wait >= u64::from(ms) * 1_000_000,
            };
            if last {
                break;
            }
            if self.gets_through(&seg, k, wait) {
                return Some((seg, wait));
            }
            k += 1;
        }
        if limit == RETRANSMIT_FOREVER {
            return None;
        }
        self.mark(
            if limit == 0 {
                "lost after 5 retransmissions"
            } else {
                "lost until TCP_MAXRT"
            },
            seg.from_host,
            seg.from_sid as u64,
        );
        if matches!(seg.kind, SegKind::Data { .. } | SegKind::Fin { .. }) {
            if let Some(incarnation) = self.net.sockets.incarnation(seg.from_sid) {
                let at = self.rt.now + wait;
                let t = FaultTimer::GiveUp {
                    sid: seg.from_sid,
                    incarnation,
                };
                self.schedule(at, NetTimer::Fault(t));
            }
        }
        None
    }

    /// Whether retransmission `k` (from 0) of lost segment `seg`, `wait` from now, gets
    /// through the plan; recorded as "retransmitted" in the trace when it does.
    fn gets_through(&mut self, seg: &Segment, k: u32, wait: Nanos) -> bool {
        if self.net.faults.lost_again(seg, self.rt.now + wait) {
            return false;
        }
        let n = u64::from(k + 1);
        self.record_net(seg.from_host, TraceKind::Fault("retransmitted"), n, wait);
        true
    }

    /// The listener's half-open connection a lost handshake segment concerns: its SYN-ACK,
    /// or the client's ACK of it (the connection still SYN-RECEIVED). `None` for others.
    #[cold]
    fn handshake_end(&mut self, seg: &Segment) -> Option<usize> {
        let id = match seg.kind {
            SegKind::SynAck => seg.from_sid,
            SegKind::Ack => seg.to_sid?,
            _ => return None,
        };
        matches!(self.tcp(id), Some(t) if t.state == TcpState::SynReceived).then_some(id)
    }

    /// A lost SYN-ACK, or the lost ACK of one: no round trip is known yet, so the listener
    /// retransmits its SYN-ACK after the initial RTO (3 s, or three times its
    /// SIO_TCP_INITIAL_RTO Rtt), doubling, as many times as a SYN (2), and the client's
    /// answer (its ACK again) completes the handshake then. A lost ACK is not retransmitted:
    /// data the client sends meanwhile carries it and completes the handshake sooner. A
    /// SYN-ACK lost every time is gone, and the half-open connection is dropped after the
    /// last timeout (its backlog place free again); the client's own SYN retransmissions may
    /// still reach it before.
    #[cold]
    fn retransmit_handshake(&mut self, seg: Segment, child: usize) -> Option<(Segment, Nanos)> {
        if seg.kind == SegKind::Ack {
            // A pure ACK is never retransmitted: it is gone, and whatever the client sends
            // next (its data carries the ACK) completes the handshake; if it sends nothing,
            // the listener's SYN-ACK goes again after the initial RTO and is answered.
            self.schedule_syn_ack_retry(child, seg.from_host);
            return None;
        }
        let tries = self.syn_retries(child).unwrap_or(self.rt.cfg.syn_retries);
        let mut wait: Nanos = 0;
        for k in 0..tries {
            wait = wait.saturating_add(self.syn_timeout(child, k));
            if self.gets_through(&seg, k, wait) {
                return Some((seg, wait));
            }
        }
        // Every retransmission lost: the listener drops the half-open connection after the
        // last one's timeout.
        let last = self.syn_timeout(child, tries);
        self.schedule_half_open_give_up(child, wait.saturating_add(last));
        None
    }

    /// The connection a segment belongs to is reset: its receiver gets a RST in its place,
    /// and its sender a RST from the receiver's address.
    ///
    /// A reset SYN is answered with a RST and goes no further, as a listener whose backlog is
    /// full answers (Windows then retries twice and reports WSAECONNREFUSED).
    fn reset_segment(&mut self, seg: Segment) -> Option<(Segment, Nanos)> {
        let syn = seg.kind == SegKind::Syn;
        if !syn
            && !matches!(
                seg.kind,
                SegKind::Data { .. } | SegKind::Ack | SegKind::Fin { .. }
            )
        {
            return Some((seg, 0));
        }
        let what = if syn { "reset SYN" } else { "reset" };
        self.mark(what, seg.from_host, seg.from_sid as u64);
        if let Some(to) = self.route(seg.from_host, seg.dst.ip()) {
            let back = Segment {
                from_host: to,
                from_sid: usize::MAX,
                to_sid: Some(seg.from_sid),
                src: seg.dst,
                dst: seg.src,
                kind: SegKind::Rst,
                ack: None,
            };
            // It leaves the receiver when the segment would have reached it.
            let there = self.link(seg.from_host, to).latency;
            self.put_on_link(back, seg.from_host, there);
        }
        if syn {
            return None;
        }
        Some((
            Segment {
                kind: SegKind::Rst,
                ack: None,
                ..seg
            },
            0,
        ))
    }

    /// Every live TCP connection end in `scope` receives a RST now.
    fn reset_connections(&mut self, scope: &Scope) {
        let mut ends = Vec::new();
        for id in self.net.sockets.ids() {
            let s = self.net.sockets.get(id).expect("listed socket");
            let Role::Stream(t) = &s.role else { continue };
            if !t.state.is_synchronized() || t.state == TcpState::TimeWait {
                continue;
            }
            let (Some(l), Some(r)) = (s.local.get().map(wire), s.remote.get().map(wire)) else {
                continue;
            };
            if conn_in_scope(scope, l, r) && !self.net.hosts[s.host].crashed {
                ends.push((id, s.host, l, r));
            }
        }
        for (id, host, local, remote) in ends {
            self.mark("reset", host, id as u64);
            let mut rst = Segment {
                from_host: host,
                from_sid: usize::MAX,
                to_sid: Some(id),
                src: remote,
                dst: local,
                kind: SegKind::Rst,
                ack: None,
            };
            self.tcp_input(host, &mut rst);
        }
    }

    /// Gives up a connection whose segment was lost six times (see the module doc).
    fn give_up(&mut self, sid: usize, incarnation: u64) {
        if self.net.sockets.incarnation(sid) != Some(incarnation) {
            return;
        }
        let Some(t) = self.tcp(sid) else { return };
        if !t.state.is_synchronized() || t.state == TcpState::TimeWait {
            return;
        }
        let host = self.net.sockets.get(sid).map_or(usize::MAX, |s| s.host);
        self.mark("connection given up", host, sid as u64);
        self.time_out_connection(sid);
    }

    /// How long host `host` had been up when the run began (see [`FaultRule::Uptime`]; 0
    /// when no rule names it).
    pub(crate) fn uptime_of(&self, host: usize) -> Nanos {
        let addrs = self.net.hosts.get(host).map_or(&[][..], |h| &h.addrs[..]);
        // The last rule that names the host wins.
        let mut rules = self.net.faults.plan().rules.iter().rev();
        rules
            .find_map(|rule| match rule {
                FaultRule::Uptime { scope, uptime } if host_in_scope(scope, addrs) => Some(*uptime),
                _ => None,
            })
            .map_or(0, sat_nanos)
    }

    /// The system clocks of the hosts in `scope` move by `shift_ms` (see
    /// [`FaultRule::ClockJump`]); the layers above re-time what follows them.
    fn set_clocks(&mut self, scope: &Scope, shift_ms: i64) {
        let ticks = shift_ms.saturating_mul(10_000);
        for h in 0..self.net.hosts.len() {
            if !host_in_scope(scope, &self.net.hosts[h].addrs) {
                continue;
            }
            let host = &mut self.net.hosts[h];
            host.clock_shift = host.clock_shift.saturating_add(ticks);
            // The record carries the shift and the time the clock shows after it (in ms of
            // FILETIME), for the timeline to say which date the program now reads.
            let shows = i128::from(crate::api::waitable_timer::SIM_EPOCH_FILETIME)
                + i128::from(self.rt.now / 100)
                + i128::from(host.clock_shift);
            let shows_ms = (shows / 10_000).clamp(0, i128::from(u64::MAX)) as u64;
            self.record_net(h, TraceKind::Fault(CLOCK_SET), shift_ms as u64, shows_ms);
            self.on_clock_set(h, ticks);
        }
    }

    /// The host owning `ip` crashes (see [`FaultRule::Crash`]).
    fn crash_host(&mut self, ip: IpAddr) {
        let Some(&h) = self.net.addr_map.get(&ip) else {
            return;
        };
        if self.net.hosts[h].crashed {
            return;
        }
        self.mark("host crashed", h, h as u64);
        self.net.hosts[h].crashed = true;
        self.net.hosts[h].crashes += 1;
        for id in self.net.sockets.ids() {
            if self.net.sockets.get(id).is_none_or(|s| s.host != h) {
                continue;
            }
            let gen = self.next_gen();
            self.net.sockets.at(id).gen = gen;
            let Some(t) = self.tcp(id) else { continue };
            if t.state == TcpState::Closed {
                continue;
            }
            t.error = Some(WsaError::WSAENETDOWN);
            t.snd.clear();
            t.rcv.clear();
            t.oob.clear();
            self.set_state(id, TcpState::Closed);
            self.unlink_conn(id);
        }
        let host = &mut self.net.hosts[h];
        host.conns.clear();
        host.tcp_binds.clear();
        host.udp_binds.clear();
        // Its process is gone, and its timeBeginPeriod requests with it.
        host.timer_periods.clear();
        // Its threads are dead: they never return, and the run no longer waits for them.
        for tid in 0..self.rt.threads.len() {
            let t = &mut self.rt.threads[tid];
            if t.host != h || t.state == ThreadState::Finished {
                continue;
            }
            self.net.faults.killed.insert(tid);
            if !t.daemon {
                t.daemon = true;
                self.rt.counted_unfinished -= 1;
            }
        }
    }

    /// A crashed host answers again, with no sockets; the threads registered with
    /// `HostHandle::on_restart` start again.
    fn restart_host(&mut self, ip: IpAddr) {
        if let Some(&h) = self.net.addr_map.get(&ip) {
            if self.net.hosts[h].crashed {
                self.mark("host restarted", h, h as u64);
                self.net.hosts[h].crashed = false;
                self.restart_threads(h);
            }
        }
    }
}
