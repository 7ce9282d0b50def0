//! What travels on the simulated wire: a [`Segment`] — a TCP segment, a UDP datagram or an
//! ICMP port-unreachable — between two socket addresses.

use std::net::SocketAddr;

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
