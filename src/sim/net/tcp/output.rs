//! The sending side of a TCP connection: segment construction (every outgoing segment
//! carries the current acknowledgement and window), the delayed ACK, window updates when the
//! application reads, and [`World::tcp_output`] — flow control, sender-side silly-window
//! avoidance, urgent data, seeded random segmentation, and the FIN once all data is out.

use std::collections::VecDeque;
use std::net::SocketAddr;

use crate::sim::net::endpoint::{AddrSlot, Id32, Role};
use crate::sim::net::host::wire;
use crate::sim::net::segment::{SegKind, Segment};
use crate::sim::net::tcp::{Opt64, TcpState};
use crate::sim::net::{NetHooks, NetLayers};
use crate::sim::runtime::World;
use crate::sim::runtime::{AckPolicy, Segmentation};

/// Receive-window capacity: SO_RCVBUF, but never below one segment (Windows' TCP keeps a
/// window even with SO_RCVBUF = 0, conformance OP-02).
fn rcv_cap(rcvbuf: usize, mss: usize) -> usize {
    rcvbuf.max(mss)
}

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    /// Builds socket `id`'s next segment of `kind` in `seg` (a travelling box), field by
    /// field: the segment is written once, where it will travel.
    fn fill_segment(&mut self, seg: &mut Segment, id: usize, kind: SegKind) {
        let mss = self.rt.cfg.mss;
        let rcvbuf = self.net.sockets.at(id).opts.rcvbuf;
        let rcvbuf = self.rcvbuf_of(id, rcvbuf);
        let s = self.net.sockets.at(id);
        let host = s.host;
        match (&s.local, &s.remote) {
            // Both ends IPv4 (the common case): the addresses travel as they are, written
            // without `wire()`'s look for a v4-mapped address (a copy of each whole
            // `SocketAddr` through it cost some 40 instructions a segment).
            (AddrSlot::V4(l), AddrSlot::V4(r)) => {
                seg.src = SocketAddr::V4(*l);
                seg.dst = SocketAddr::V4(*r);
            }
            (l, r) => {
                seg.src = wire(l.get().expect("connected socket has a local address"));
                seg.dst = wire(r.get().expect("connected socket has a peer"));
            }
        }
        let cap = rcv_cap(rcvbuf, mss);
        let to_sid = match &s.role {
            Role::Stream(t) => t.peer_sid.map(Id32::get),
            _ => None,
        };
        let ack = match (&kind, &mut s.role) {
            (SegKind::Syn | SegKind::Rst, _) => None,
            (_, Role::Stream(t)) => {
                let wnd = cap.saturating_sub(t.rcv.len()) as u64;
                t.rcv_adv = t.rcv_nxt + wnd;
                t.ack_pending = false;
                t.ack_segs = 0;
                t.ack_due = Opt64::NONE;
                Some((t.rcv_nxt, wnd))
            }
            _ => None,
        };
        seg.from_host = host;
        seg.from_sid = id;
        seg.to_sid = to_sid;
        seg.kind = kind;
        seg.ack = ack;
    }

    pub(crate) fn send_ctl(&mut self, id: usize, kind: SegKind) {
        let mut seg = self.segment_box();
        self.fill_segment(&mut seg, id, kind);
        self.transmit_boxed(seg);
    }

    pub(crate) fn delayed_ack(&mut self, id: usize) {
        if let Some(t) = self.tcp(id) {
            if t.ack_pending && t.state != TcpState::Closed {
                self.send_ctl(id, SegKind::Ack);
            }
        }
    }

    /// The application read: reopen the window if it grew enough to matter.
    pub(crate) fn tcp_window_update(&mut self, id: usize) {
        let mss = self.rt.cfg.mss;
        let Some(rcvbuf) = self.net.sockets.get(id).map(|s| s.opts.rcvbuf) else {
            return;
        };
        let cap = rcv_cap(self.rcvbuf_of(id, rcvbuf), mss);
        let s = self.net.sockets.at(id);
        let Role::Stream(t) = &mut s.role else { return };
        if !t.state.is_synchronized() || t.fin_rcvd {
            return;
        }
        let edge = t.rcv_nxt + cap.saturating_sub(t.rcv.len()) as u64;
        let threshold = (mss as u64).min(cap as u64 / 2).max(1);
        if edge >= t.rcv_adv + threshold || (t.rcv_adv == t.rcv_nxt && edge > t.rcv_adv) {
            self.send_ctl(id, SegKind::Ack);
        }
    }

    /// Sends what the window allows, then the FIN if one is queued and all data is out.
    pub(crate) fn tcp_output(&mut self, id: usize) {
        let mss = self.rt.cfg.mss as u64;
        let random = self.rt.cfg.segmentation == Segmentation::Random;
        let nagle = self.rt.cfg.ack_policy == AckPolicy::Windows
            && self.net.sockets.get(id).is_some_and(|s| !s.opts.nodelay);
        loop {
            let Some(t) = self.tcp(id) else { return };
            if !t.state.is_synchronized() || t.state == TcpState::TimeWait {
                return;
            }
            let end = t.snd_end();
            // Sender-side silly-window avoidance (RFC 1122 4.2.3.4): while data is in flight an
            // ACK will reopen the window, so do not send a sliver smaller than both the MSS and
            // the data waiting. Without it, every small window opening (the size of a segment the
            // receiver just read) produced an equally small segment, random cuts made them ever
            // smaller, and a bulk transfer decayed into 1-byte segments (quadratic cost).
            let usable = t.snd_edge.saturating_sub(t.snd_nxt);
            let silly = usable < mss && usable < end - t.snd_nxt && t.snd_nxt > t.snd_una;
            if t.snd_nxt < end && t.snd_nxt < t.snd_edge && !silly {
                let mut len = (end - t.snd_nxt).min(t.snd_edge - t.snd_nxt).min(mss);
                let mut urgent = false;
                let (nxt, urg) = (t.snd_nxt, t.urg_seq.get());
                if let Some(u) = urg {
                    if u >= t.snd_nxt && u < t.snd_nxt + len {
                        len = u - t.snd_nxt + 1;
                        urgent = true;
                    }
                }
                // Nagle's algorithm (RFC 896, on unless TCP_NODELAY): a segment smaller than
                // the MSS waits while earlier data is unacknowledged; the ACK's arrival sends
                // it, together with whatever was written meanwhile. Urgent data, data ahead of
                // a FIN (closesocket and shutdown push what is queued) and the rest of a
                // segment that random segmentation cut are not held.
                if nagle
                    && len < mss
                    && t.snd_nxt > t.snd_una
                    && !urgent
                    && !t.fin_queued
                    && t.snd_nxt >= t.cut_end
                {
                    return;
                }
                if random && len > 1 && self.net.rng_net.chance(1, 4) {
                    let natural = len;
                    len = 1 + self.net.rng_net.below(len);
                    urgent = urgent && urg == Some(nxt + len - 1);
                    self.tcp_at(id).cut_end = nxt + natural;
                }
                let mut data = self.net.payload_pool.pop().unwrap_or_default();
                let t = self.tcp_at(id);
                let off = (t.snd_nxt - t.snd_una) as usize;
                copy_range(&t.snd, off, len as usize, &mut data);
                let seq = t.snd_nxt;
                t.snd_nxt += len;
                if urgent {
                    t.urg_seq = Opt64::NONE;
                }
                self.send_ctl(id, SegKind::Data { seq, data, urgent });
                continue;
            }
            if t.fin_queued && !t.fin_sent && t.snd_nxt == end {
                t.fin_sent = true;
                let state = t.state;
                match state {
                    TcpState::Established => self.set_state(id, TcpState::FinWait1),
                    TcpState::CloseWait => self.set_state(id, TcpState::LastAck),
                    _ => {}
                }
                self.send_ctl(id, SegKind::Fin { seq: end });
            }
            return;
        }
    }

    /// Graceful close of the sending direction: FIN after the queued data.
    pub(crate) fn tcp_close_send(&mut self, id: usize) {
        if let Some(t) = self.tcp(id) {
            let first = !t.fin_queued;
            t.fin_queued = true;
            self.tcp_output(id);
            if first {
                self.on_send_closed(id);
            }
        }
    }

    /// Queues application data (already checked against the send buffer) and sends it.
    pub(crate) fn tcp_enqueue(&mut self, id: usize, data: &[u8], urgent: bool) {
        let t = self.tcp_at(id);
        t.snd.extend(data);
        if urgent && !data.is_empty() {
            t.urg_seq = Opt64::some(t.snd_end() - 1);
        }
        self.tcp_output(id);
    }

    /// End of an instant (no thread can run): send the acknowledgements no reply carried.
    pub(crate) fn flush_acks(&mut self) -> bool {
        if self.net.pending_acks.is_empty() {
            return false;
        }
        let mut acks = std::mem::take(&mut self.net.pending_acks);
        for &id in &acks {
            if let Some(t) = self.tcp(id) {
                t.ack_queued = false;
            }
            self.delayed_ack(id);
        }
        // Keep the list's allocation for the next instant.
        acks.clear();
        if self.net.pending_acks.is_empty() {
            self.net.pending_acks = acks;
        }
        true
    }
}

/// Bytes `off..off + len` of a ring buffer appended to `out` (a recycled, empty payload
/// buffer).
fn copy_range(q: &VecDeque<u8>, off: usize, len: usize, out: &mut Vec<u8>) {
    let (a, b) = crate::sim::net::tcp::ring_range(q, off, len);
    out.reserve(len);
    out.extend_from_slice(a);
    out.extend_from_slice(b);
}
