//! Links and the wire: segments go out through the fault seam, travel with the link's latency
//! and serialisation delay, and arrive in order per direction.

use std::net::SocketAddr;

use super::host::is_on_wire;
use super::segment::{InFlight, SegKind, Segment};
use super::{NetHooks, NetLayers};
use crate::sim::runtime::trace::{Endpoint, TraceKind};
use crate::sim::runtime::{LinkParams, Nanos, World};

/// Boxes of arrived segments kept for reuse (bounded, like the payload pool). 2,048: a
/// thousand connections each with a segment or two in flight at once stay inside it (at 256,
/// the 1,000-client echo allocated and freed a third of a box a message, 3 % of its
/// instructions); 10,000 connections' bursts spill, and the spill goes back to the allocator
/// for the rest of the run to use (a pool of 16,384 raised the peak memory of the 10,000-client
/// completion-port echo by 1.8 MB, 2.6 %).
const SEG_POOL_MAX: usize = 2048;

/// Payload bytes a segment carries.
fn seg_len(kind: &SegKind) -> usize {
    match kind {
        SegKind::Data { data, .. } | SegKind::Datagram { data, .. } => data.len(),
        _ => 0,
    }
}

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    pub(crate) fn link(&self, from: usize, to: usize) -> LinkParams {
        if from == to {
            return self.rt.cfg.loopback;
        }
        self.net
            .links
            .get(&(from, to))
            .copied()
            .unwrap_or(self.rt.cfg.link)
    }

    /// The wire index and parameters of the link `from` → `to`, cached per host pair (a
    /// segment's hot path then does no map look-up).
    fn link_of(&mut self, from: usize, to: usize) -> (usize, LinkParams) {
        if let Some(&Some(e)) = self.net.link_cache.get(from).and_then(|row| row.get(to)) {
            return e;
        }
        let e = (self.rt.timers.link_index(from, to), self.link(from, to));
        if self.net.link_cache.len() <= from {
            self.net.link_cache.resize_with(from + 1, Vec::new);
        }
        let row = &mut self.net.link_cache[from];
        if row.len() <= to {
            row.resize(to + 1, None);
        }
        row[to] = Some(e);
        e
    }

    /// Puts a segment on the wire. Unroutable segments vanish (the sender's timers notice).
    pub(crate) fn transmit(&mut self, seg: Segment) {
        if self.net.faults.idle() {
            // No fault plan (the common case): the segment goes straight on, without the
            // moves in and out of the fault seam's `Option`.
            self.count_segment(&seg);
            let boxed = self.boxed(seg);
            self.route_and_put(boxed, 0);
            return;
        }
        let Some((seg, extra)) = self.through_faults(seg) else {
            return;
        };
        let boxed = self.boxed(seg);
        self.route_and_put(boxed, extra);
    }

    /// A box for a segment about to travel: a recycled one (its old segment, payload-free,
    /// is dropped by the caller's writes) or a new one.
    pub(crate) fn segment_box(&mut self) -> InFlight {
        self.net.seg_pool.pop().unwrap_or_else(|| {
            Box::new(Segment {
                from_host: 0,
                from_sid: usize::MAX,
                to_sid: None,
                src: SocketAddr::from(([0, 0, 0, 0], 0)),
                dst: SocketAddr::from(([0, 0, 0, 0], 0)),
                kind: SegKind::Ack,
                ack: None,
            })
        })
    }

    /// `seg` in a travelling box (one copy).
    fn boxed(&mut self, seg: Segment) -> InFlight {
        let mut b = self.segment_box();
        *b = seg;
        b
    }

    /// [`transmit`](Self::transmit) for a segment built in its travelling box (TCP's own
    /// segments): without a fault plan it reaches the link queue without another copy.
    pub(crate) fn transmit_boxed(&mut self, mut seg: InFlight) {
        if self.net.faults.idle() {
            self.count_segment(&seg);
            self.route_and_put(seg, 0);
            return;
        }
        let plain = seg.take();
        self.recycle_box(seg);
        self.transmit(plain);
    }

    /// Hands a datagram for the sender's own host (loopback or one of its addresses) straight
    /// to its receiving socket, as Windows' loopback path does: it is queued before `sendto`
    /// returns (sock.c test_connect_udp: a nonblocking `recv` right after the `send` gets it).
    /// Returns the segment back when it must travel instead (a fault plan is active, or it is
    /// for another host).
    pub(crate) fn deliver_on_host(&mut self, seg: Segment) -> Option<Segment> {
        if !self.net.faults.idle() || self.route(seg.from_host, seg.dst.ip()) != Some(seg.from_host)
        {
            return Some(seg);
        }
        self.count_segment(&seg);
        let to = seg.from_host;
        self.segment_arrives(to, seg);
        None
    }

    /// Routes `seg` to its host and puts it on the link there, `extra` late.
    #[inline(always)]
    fn route_and_put(&mut self, seg: InFlight, extra: Nanos) {
        // The receiving socket's host, when the sender knows it; the address table otherwise.
        let hinted = seg
            .to_sid
            .and_then(|sid| self.net.sockets.get(sid))
            .filter(|s| is_on_wire(&s.local, seg.dst))
            .map(|s| s.host);
        // A crashed host's segments are lost on arrival (or, by the plan, retransmitted
        // until it is back or the sender gives up).
        let Some(to) = hinted.or_else(|| self.route(seg.from_host, seg.dst.ip())) else {
            return;
        };
        self.put_boxed_on_link(seg, to, extra);
    }

    /// Puts one copy of a multicast datagram on the wire to each host of `to` (in the given
    /// order); each copy meets the fault plan on its own, as separate packets would.
    pub(crate) fn transmit_multicast(&mut self, seg: Segment, to: &[usize]) {
        for &host in to {
            if self.net.hosts[host].crashed {
                continue;
            }
            if let Some((copy, extra)) = self.through_faults(seg.clone()) {
                self.put_on_link(copy, host, extra);
            }
        }
    }

    /// Counts a segment and runs it through the fault plan: `None` when it is lost for
    /// good, else the segment and the extra delay it takes.
    fn through_faults(&mut self, seg: Segment) -> Option<(Segment, Nanos)> {
        let len = self.count_segment(&seg);
        if self.net.faults.idle() {
            return Some((seg, 0));
        }
        self.fault_segment(seg, len)
    }

    /// Counts a segment sent in the run's statistics; its payload length.
    fn count_segment(&mut self, seg: &Segment) -> usize {
        self.rt.stats.segments += 1;
        let len = seg_len(&seg.kind);
        self.rt.stats.bytes += len as u64;
        len
    }

    /// Schedules `seg`'s arrival at host `to` after the link's serialisation and latency.
    pub(crate) fn put_on_link(&mut self, seg: Segment, to: usize, extra: Nanos) {
        let boxed = self.boxed(seg);
        self.put_boxed_on_link(boxed, to, extra);
    }

    /// [`put_on_link`](Self::put_on_link) for a segment already in its travelling box.
    #[inline]
    fn put_boxed_on_link(&mut self, seg: InFlight, to: usize, extra: Nanos) {
        let len = seg_len(&seg.kind);
        let (li, p) = self.link_of(seg.from_host, to);
        let ser = (len as u64 * p.ns_per_kib) / 1024;
        let sent = self.rt.timers.occupy_link(li, self.rt.now, ser);
        let at = (sent + p.latency + extra).max(self.rt.timers.link_tail(li));
        self.schedule_delivery(at, li, to, seg);
    }

    /// A segment from a link's queue arrives at host `to`; its box goes back to the pool.
    pub(crate) fn boxed_segment_arrives(&mut self, to: usize, mut seg: InFlight) {
        self.arrive(to, &mut seg);
        self.recycle_box(seg);
    }

    /// Keeps an emptied segment box for the next segment (up to [`SEG_POOL_MAX`]).
    fn recycle_box(&mut self, seg: InFlight) {
        if self.net.seg_pool.len() < SEG_POOL_MAX {
            self.net.seg_pool.push(seg);
        }
    }

    /// A segment arrives at host `to` (routed when it was sent).
    pub(crate) fn segment_arrives(&mut self, to: usize, mut seg: Segment) {
        self.arrive(to, &mut seg);
    }

    /// A segment arrives at host `to`: recorded, then handed to TCP or UDP, which take from
    /// it what they keep (a data segment's payload buffer).
    fn arrive(&mut self, to: usize, seg: &mut Segment) {
        if self.net.hosts[to].crashed {
            return;
        }
        let len = seg_len(&seg.kind) as u64;
        let seq = match seg.kind {
            SegKind::Data { seq, .. } | SegKind::Fin { seq } => seq,
            _ => 0,
        };
        let kind = TraceKind::Segment {
            kind: seg.kind.traced(),
            from: Endpoint {
                host: seg.from_host as u32,
                port: seg.src.port(),
            },
            to: Endpoint {
                host: to as u32,
                port: seg.dst.port(),
            },
        };
        self.record_net(to, kind, seq, len);
        match seg.kind {
            SegKind::Datagram { .. } | SegKind::Unreachable => self.udp_input(to, seg.take()),
            _ => self.tcp_input(to, seg),
        }
    }
}
