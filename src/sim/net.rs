//! Hosts, addresses, links, and the wire: segments go out through the fault seam, travel with
//! the link's latency and serialisation delay, and arrive in order per direction.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use super::fault::Verdict;
use super::sched::Nanos;
use super::trace::TraceKind;
use super::world::World;

/// Latency and serialisation cost of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LinkParams {
    /// One-way propagation delay.
    pub latency: Nanos,
    /// Serialisation delay per KiB of payload.
    pub ns_per_kib: u64,
}

/// What a handle value of a host's handle table names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HandleObj {
    /// A socket (index into the socket table).
    Socket(usize),
    /// A kernel object of a wait model (event, port, window): index into its own table.
    Object(usize),
}

/// A simulated host: one Windows process's view (handle table, WSAStartup count) plus the
/// machine's addresses and TCP port usage.
#[derive(Debug)]
pub(crate) struct Host {
    pub name: String,
    pub addrs: Vec<IpAddr>,
    /// Outstanding successful WSAStartup calls.
    pub wsa_refs: u32,
    /// The handle table: slot `i` is handle value `FIRST_HANDLE + 4 * i`.
    pub handles: Vec<Option<HandleObj>>,
    /// Freed handle values, reused last-freed first as Windows' handle table does.
    pub free_handles: Vec<usize>,
    pub next_handle: usize,
    pub next_ephemeral: u16,
    /// Established or closing connections by (local, remote).
    pub conns: BTreeMap<(SocketAddr, SocketAddr), usize>,
    /// Sockets holding a local TCP port (bound, listening, or connected from it), by port.
    pub tcp_binds: BTreeMap<u16, Vec<usize>>,
    /// Sockets holding a local UDP port (a separate port space).
    pub udp_binds: BTreeMap<u16, Vec<usize>>,
    pub crashed: bool,
}

/// An address as it travels on the wire: a v4-mapped IPv6 address (`::ffff:a.b.c.d`) is the
/// IPv4 address it carries. A dual-stack socket (AF_INET6, IPV6_V6ONLY off) keeps and reports
/// v4-mapped addresses, but its segments carry plain IPv4 ones, as on a real wire.
pub(crate) fn wire(a: SocketAddr) -> SocketAddr {
    match a {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), v6.port()),
            None => a,
        },
        SocketAddr::V4(_) => a,
    }
}

/// A wire address as a socket of `family` sees it: IPv4 becomes v4-mapped on an AF_INET6
/// socket (the SOCKADDR_IN6 that accept, getpeername and recvfrom report).
pub(crate) fn seen_by(family: i32, a: SocketAddr) -> SocketAddr {
    SocketAddr::new(seen_ip_by(family, a.ip()), a.port())
}

/// [`seen_by`] for an IP address alone.
pub(crate) fn seen_ip_by(family: i32, ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) if family == crate::api::consts::AF_INET6 => IpAddr::V6(v4.to_ipv6_mapped()),
        _ => ip,
    }
}

/// First handle value handed out; Windows' values are small multiples of 4 as well.
const FIRST_HANDLE: usize = 0x100;
/// Windows' dynamic (ephemeral) port range.
pub(crate) const EPHEMERAL_FIRST: u16 = 49152;
pub(crate) const EPHEMERAL_COUNT: u32 = 16384;

impl Host {
    /// Allocates a handle value for `obj`.
    pub(crate) fn alloc_handle(&mut self, obj: HandleObj) -> usize {
        let h = self.free_handles.pop().unwrap_or_else(|| {
            let h = self.next_handle;
            self.next_handle += 4;
            self.handles.push(None);
            h
        });
        self.handles[(h - FIRST_HANDLE) / 4] = Some(obj);
        h
    }

    /// Points an open handle at another object (AcceptEx hands the accept socket's handle
    /// to the accepted connection).
    pub(crate) fn replace_handle(&mut self, h: usize, obj: HandleObj) {
        if let Some(slot) = self
            .handle(h)
            .and(self.handles.get_mut((h - FIRST_HANDLE) / 4))
        {
            *slot = Some(obj);
        }
    }

    /// What handle value `h` names, if anything.
    pub(crate) fn handle(&self, h: usize) -> Option<HandleObj> {
        if h < FIRST_HANDLE || h % 4 != 0 {
            return None;
        }
        *self.handles.get((h - FIRST_HANDLE) / 4)?
    }

    /// Every open handle's object, in handle order.
    pub(crate) fn objects(&self) -> Vec<HandleObj> {
        self.handles.iter().flatten().copied().collect()
    }

    /// Frees a handle value.
    pub(crate) fn free_handle(&mut self, h: usize) {
        if let Some(slot) = self
            .handle(h)
            .and(self.handles.get_mut((h - FIRST_HANDLE) / 4))
        {
            *slot = None;
            self.free_handles.push(h);
        }
    }

    /// The port table of a socket type (SOCK_STREAM or SOCK_DGRAM).
    pub(crate) fn binds(&self, ty: i32) -> &BTreeMap<u16, Vec<usize>> {
        if ty == crate::api::consts::SOCK_DGRAM {
            &self.udp_binds
        } else {
            &self.tcp_binds
        }
    }

    /// The port table of a socket type, mutably.
    pub(crate) fn binds_mut(&mut self, ty: i32) -> &mut BTreeMap<u16, Vec<usize>> {
        if ty == crate::api::consts::SOCK_DGRAM {
            &mut self.udp_binds
        } else {
            &mut self.tcp_binds
        }
    }

    /// Whether `ip` is one of this host's addresses (loopback and wildcard included).
    pub(crate) fn owns(&self, ip: IpAddr) -> bool {
        ip.is_unspecified() || ip.is_loopback() || self.addrs.contains(&ip)
    }

    /// The address this host sends from to reach `dst`.
    pub(crate) fn source_for(&self, dst: IpAddr) -> Option<IpAddr> {
        if dst.is_loopback() {
            return Some(dst);
        }
        self.addrs
            .iter()
            .copied()
            .find(|a| a.is_ipv4() == dst.is_ipv4())
    }
}

/// A TCP segment on the simulated wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub from_host: usize,
    /// The sending socket (lets the receiver learn its peer's id).
    pub from_sid: usize,
    /// The receiving socket if the sender knows it: a shortcut past the 4-tuple lookup,
    /// checked against the addresses before use.
    pub to_sid: Option<usize>,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub kind: SegKind,
    /// Cumulative acknowledgement and window (right edge = ack + wnd); absent on SYN and RST.
    pub ack: Option<(u64, u64)>,
}

/// The part of a segment that differs by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SegKind {
    Syn,
    SynAck,
    Ack,
    Data {
        seq: u64,
        data: Vec<u8>,
        /// The last byte is urgent (sent with MSG_OOB).
        urgent: bool,
    },
    Fin {
        seq: u64,
    },
    Rst,
    /// A UDP datagram with the TTL (hop limit) and TOS (traffic class) of its IP header.
    Datagram {
        data: Vec<u8>,
        ttl: u8,
        tos: u8,
    },
    /// ICMP port unreachable, sent back for a datagram no socket took.
    Unreachable,
}

impl SegKind {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            SegKind::Syn => "SYN",
            SegKind::SynAck => "SYN-ACK",
            SegKind::Ack => "ACK",
            SegKind::Data { .. } => "DATA",
            SegKind::Fin { .. } => "FIN",
            SegKind::Rst => "RST",
            SegKind::Datagram { .. } => "UDP",
            SegKind::Unreachable => "ICMP-UNREACHABLE",
        }
    }
}

/// Payload bytes a segment carries.
fn seg_len(kind: &SegKind) -> usize {
    match kind {
        SegKind::Data { data, .. } | SegKind::Datagram { data, .. } => data.len(),
        _ => 0,
    }
}

impl World {
    pub(crate) fn add_host(&mut self, name: &str, ip: IpAddr) -> usize {
        let id = self.hosts.len();
        let start = EPHEMERAL_FIRST + self.rng_ports.below(u64::from(EPHEMERAL_COUNT)) as u16;
        self.hosts.push(Host {
            name: name.to_string(),
            addrs: Vec::new(),
            wsa_refs: 0,
            handles: Vec::new(),
            free_handles: Vec::new(),
            next_handle: FIRST_HANDLE,
            next_ephemeral: start,
            conns: BTreeMap::new(),
            tcp_binds: BTreeMap::new(),
            udp_binds: BTreeMap::new(),
            crashed: false,
        });
        self.add_address(id, ip);
        id
    }

    pub(crate) fn add_address(&mut self, host: usize, ip: IpAddr) {
        assert!(
            !ip.is_loopback() && !ip.is_unspecified(),
            "{ip} is implicit on every host"
        );
        if let Some(&other) = self.addr_map.get(&ip) {
            assert_eq!(other, host, "address {ip} already belongs to another host");
            return;
        }
        self.addr_map.insert(ip, host);
        self.hosts[host].addrs.push(ip);
    }

    pub(crate) fn set_link(&mut self, a: usize, b: usize, p: LinkParams) {
        self.links.insert((a, b), p);
        self.links.insert((b, a), p);
        self.link_cache.clear();
    }

    /// The host that owns `ip`, seen from `from` (loopback stays on `from`).
    pub(crate) fn route(&self, from: usize, ip: IpAddr) -> Option<usize> {
        if ip.is_loopback() {
            return Some(from);
        }
        let to = *self.addr_map.get(&ip)?;
        (!self.hosts[to].crashed).then_some(to)
    }

    fn link(&self, from: usize, to: usize) -> LinkParams {
        if from == to {
            return self.cfg.loopback;
        }
        self.links
            .get(&(from, to))
            .copied()
            .unwrap_or(self.cfg.link)
    }

    /// The wire index and parameters of the link `from` → `to`, cached per host pair (a
    /// segment's hot path then does no map look-up).
    fn link_of(&mut self, from: usize, to: usize) -> (usize, LinkParams) {
        if let Some(&Some(e)) = self.link_cache.get(from).and_then(|row| row.get(to)) {
            return e;
        }
        let e = (self.timers.link_index(from, to), self.link(from, to));
        if self.link_cache.len() <= from {
            self.link_cache.resize_with(from + 1, Vec::new);
        }
        let row = &mut self.link_cache[from];
        if row.len() <= to {
            row.resize(to + 1, None);
        }
        row[to] = Some(e);
        e
    }

    /// Puts a segment on the wire. Unroutable segments vanish (the sender's timers notice).
    pub(crate) fn transmit(&mut self, seg: Segment) {
        let Some((seg, extra)) = self.through_faults(seg) else {
            return;
        };
        // The receiving socket's host, when the sender knows it; the address table otherwise.
        let hinted = seg
            .to_sid
            .and_then(|sid| self.sockets.get(sid))
            .filter(|s| s.local.map(wire) == Some(seg.dst))
            .map(|s| s.host)
            .filter(|&h| !self.hosts[h].crashed);
        let Some(to) = hinted.or_else(|| self.route(seg.from_host, seg.dst.ip())) else {
            return;
        };
        self.put_on_link(seg, to, extra);
    }

    /// Puts one copy of a multicast datagram on the wire to each host of `to` (in the given
    /// order); each copy meets the fault plan on its own, as separate packets would.
    pub(crate) fn transmit_multicast(&mut self, seg: Segment, to: &[usize]) {
        for &host in to {
            if self.hosts[host].crashed {
                continue;
            }
            if let Some((copy, extra)) = self.through_faults(seg.clone()) {
                self.put_on_link(copy, host, extra);
            }
        }
    }

    /// Counts a segment and runs it through the fault plan: `None` when it is dropped for
    /// good, else the segment and the extra delay it takes.
    fn through_faults(&mut self, seg: Segment) -> Option<(Segment, Nanos)> {
        self.stats.segments += 1;
        let len = seg_len(&seg.kind);
        self.stats.bytes += len as u64;
        let mut extra = 0;
        match self.faults.on_segment(&seg, self.now) {
            Verdict::Pass => {}
            Verdict::Delay(d) => {
                self.record(usize::MAX, TraceKind::Fault("delay"), 0, d, 0);
                extra = d;
            }
            Verdict::Drop => {
                self.record(usize::MAX, TraceKind::Fault("drop"), 0, len as u64, 0);
                if matches!(
                    seg.kind,
                    SegKind::Syn | SegKind::Datagram { .. } | SegKind::Unreachable
                ) {
                    // Not retransmitted: a lost SYN costs the connect timeout, a lost datagram
                    // is gone.
                    return None;
                }
                // Reliable segments are retransmitted by TCP: the loss costs a timeout.
                extra = self.cfg.link.latency * 3 + 200_000_000;
            }
        }
        Some((seg, extra))
    }

    /// Schedules `seg`'s arrival at host `to` after the link's serialisation and latency.
    fn put_on_link(&mut self, seg: Segment, to: usize, extra: Nanos) {
        let len = seg_len(&seg.kind);
        let (li, p) = self.link_of(seg.from_host, to);
        let ser = (len as u64 * p.ns_per_kib) / 1024;
        let sent = self.timers.occupy_link(li, self.now, ser);
        let at = (sent + p.latency + extra).max(self.timers.link_tail(li));
        self.schedule_delivery(at, li, to, seg);
    }

    /// A segment arrives at host `to` (routed when it was sent).
    pub(crate) fn deliver(&mut self, to: usize, seg: Segment) {
        if self.hosts[to].crashed {
            return;
        }
        let len = seg_len(&seg.kind) as u64;
        self.record(
            usize::MAX,
            TraceKind::Deliver(seg.kind.name()),
            to as u64,
            len,
            0,
        );
        match seg.kind {
            SegKind::Datagram { .. } | SegKind::Unreachable => self.udp_input(to, seg),
            _ => self.tcp_input(to, seg),
        }
    }
}
