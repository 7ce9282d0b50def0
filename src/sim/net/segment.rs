//! What travels on the simulated wire: a [`Segment`] — a TCP segment, a UDP datagram or an
//! ICMP port-unreachable — between two socket addresses.

use std::net::SocketAddr;

use crate::sim::runtime::trace::SegmentKind;

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
    /// A TCP keep-alive probe (RFC 1122: the byte before `snd_nxt`, which the peer's TCP
    /// answers with an ACK). Never retransmitted: the keep-alive timer sends the next one.
    KeepAlive,
}

/// A segment on its way through a link's delivery queue: boxed, so the queue and the run loop
/// move a pointer instead of the 160-byte segment (each move was a `memcpy`). The boxes are
/// recycled through [`Network::seg_pool`](super::Network), so the steady state allocates none.
pub(crate) type InFlight = Box<Segment>;

impl Segment {
    /// Moves the segment out of `self`, leaving a payload-free ACK in its place (a segment
    /// that must leave a recycled box: a SYN for a listener, a datagram).
    pub(crate) fn take(&mut self) -> Segment {
        Segment {
            kind: std::mem::replace(&mut self.kind, SegKind::Ack),
            ..*self
        }
    }
}

impl SegKind {
    /// The kind a trace record names (its `name()` is the segment's name in the timeline).
    pub(crate) fn traced(&self) -> SegmentKind {
        match self {
            SegKind::Syn => SegmentKind::Syn,
            SegKind::SynAck => SegmentKind::SynAck,
            SegKind::Ack => SegmentKind::Ack,
            SegKind::Data { .. } => SegmentKind::Data,
            SegKind::Fin { .. } => SegmentKind::Fin,
            SegKind::Rst => SegmentKind::Rst,
            SegKind::Datagram { .. } => SegmentKind::Udp,
            SegKind::Unreachable => SegmentKind::IcmpUnreachable,
            SegKind::KeepAlive => SegmentKind::KeepAlive,
        }
    }
}
