//! TCP: the connection state machine ([`TcpState`], the connection record [`Tcp`]), its
//! timed events, and the three paths that drive it.
//!
//! Map:
//! - `input` — every arriving segment: acknowledgements, data, urgent data, FIN, RST,
//!   TIME-WAIT; the connection record's look-ups and teardown;
//! - `output` — the sending side: segments, flow control, the FIN going out, ACKs;
//! - `handshake` — active and passive opens, SYN retries, refusals, the backlog;
//! - `receive_request` — blocking receives queued on a connection, which arriving data fills
//!   before anyone else sees it;
//! - `keepalive` — SO_KEEPALIVE's probes of an idle connection, and the drop of one whose
//!   peer answers none.
//!
//! One [`TcpState`] per connection, RFC 793 names; every change goes through
//! `World::set_state`, which traces it. Sequence numbers count payload bytes from 0 in each
//! direction (the FIN takes one more). The network never reorders segments of one direction,
//! so the receiver needs no reassembly; flow control is real: the sender never has more in
//! flight than the receiver advertised (its receive buffer minus unread data), and the
//! receiver reopens the window when the application reads.
//!
//! Windows specifics modelled: delayed ACK (every second data segment is acknowledged at
//! once, a lone one after the delayed-ACK timer, 200 ms, unless a segment going the other way
//! carries the ACK first) and Nagle's algorithm (a segment smaller than the MSS waits while
//! earlier data is unacknowledged, unless TCP_NODELAY is set), both under
//! [`AckPolicy::Windows`](crate::sim::runtime::AckPolicy), the default; an unanswered SYN is
//! retransmitted after 3 s and 6 s and the connect fails with WSAETIMEDOUT after 21 s; a SYN
//! answered by RST is retried twice (after 0.5 s and 1 s) before WSAECONNREFUSED; a listener
//! whose backlog is full answers RST; data arriving for a socket the application already
//! closed is answered with RST.

mod handshake;
mod input;
mod keepalive;
mod output;
mod receive_request;

pub(crate) use keepalive::KeepAlive;
pub(crate) use receive_request::ReceiveRequest;

use std::collections::VecDeque;
use std::fmt;

use crate::api::WsaError;
use crate::sim::net::compact::Id32;

/// A timed event of the TCP layer (scheduled on the runtime's timer queue).
#[derive(Debug)]
pub(crate) enum NetTimer {
    /// Retransmit a SYN (or give up) for a connecting socket.
    SynRetry { sid: usize, attempt: u32, gen: u64 },
    /// Release a connection that finished TIME_WAIT.
    TimeWait { sid: usize, gen: u64 },
    /// A connection's keep-alive timer (`keepalive`).
    KeepAlive { sid: usize, gen: u64 },
    /// A half-open connection's SYN-ACK goes again (its client's ACK was lost): `handshake`.
    SynAckRetry { sid: usize, incarnation: u64 },
    /// A half-open connection whose SYN-ACKs all went unanswered is dropped: `handshake`.
    HalfOpenGiveUp { sid: usize, incarnation: u64 },
    /// TCP_MAXRT's bound on a connect attempt (`handshake`; `Network::connect_deadlines`
    /// holds the attempt's token).
    ConnectDeadline { sid: usize, token: u64 },
    /// The first live entry of the delayed-ACK queue (`Network::delayed_acks`) falls due.
    DelayedAcks,
    /// A timed event of the fault plan (`net::fault`).
    Fault(crate::sim::net::fault::FaultTimer),
    /// A waitable timer's setting falls due (the kernel layer's `waitable_timer` schedules
    /// it on this queue, the one timer queue of the run; `sim::world` hands it back there).
    WaitableTimer { obj: usize, setting: u64 },
    /// A window timer's setting expires (the kernel layer's `window_timer`).
    WindowTimer { obj: usize, setting: u64 },
    /// A thread timer's setting expires (the kernel layer's `thread_timer`).
    ThreadTimer { tid: usize, setting: u64 },
    /// A timer-queue timer's setting expires (the kernel layer's `timer_queue`).
    QueueTimer { id: usize, setting: u64 },
    /// A thread pool timer object's setting expires (the kernel layer's `tp_objects`).
    TpTimer { id: usize, setting: u64 },
}

/// RFC 793 connection states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpState {
    /// No connection (after a reset, a failed connect, or the end of TIME-WAIT).
    Closed,
    /// SYN sent, waiting for SYN-ACK.
    SynSent,
    /// SYN received by a listener, SYN-ACK sent.
    SynReceived,
    /// Data flows both ways.
    Established,
    /// We sent FIN; waiting for its ACK.
    FinWait1,
    /// Our FIN was acknowledged; waiting for the peer's.
    FinWait2,
    /// The peer sent FIN; we may still send.
    CloseWait,
    /// Both sent FIN at once; waiting for the ACK of ours.
    Closing,
    /// We sent FIN after the peer's; waiting for its ACK.
    LastAck,
    /// Both directions closed; the 4-tuple is held for 2·MSL.
    TimeWait,
}

impl TcpState {
    pub(crate) fn name(self) -> &'static str {
        match self {
            TcpState::Closed => "CLOSED",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynReceived => "SYN-RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::Closing => "CLOSING",
            TcpState::LastAck => "LAST-ACK",
            TcpState::TimeWait => "TIME-WAIT",
        }
    }

    /// Whether the handshake completed and the connection has not ended.
    pub fn is_synchronized(self) -> bool {
        !matches!(
            self,
            TcpState::Closed | TcpState::SynSent | TcpState::SynReceived
        )
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An optional sequence number or virtual time in 8 bytes (an `Option<u64>` takes 16): the
/// value plus one, 0 for none. Three of them sit in every connection record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Opt64(u64);

impl Opt64 {
    /// No value.
    pub(crate) const NONE: Opt64 = Opt64(0);

    /// The value `v` (below `u64::MAX`: a sequence number or a virtual time never gets there).
    pub(crate) fn some(v: u64) -> Opt64 {
        Opt64(
            v.checked_add(1)
                .expect("winsock-sim internal error: u64::MAX stored"),
        )
    }

    /// The value, if any.
    pub(crate) fn get(self) -> Option<u64> {
        self.0.checked_sub(1)
    }

    /// Whether there is a value.
    pub(crate) fn is_some(self) -> bool {
        self.0 != 0
    }

    /// Whether there is none.
    pub(crate) fn is_none(self) -> bool {
        self.0 == 0
    }
}

/// Urgent bytes received and not yet read with MSG_OOB, oldest first. Boxed on first use: few
/// connections ever receive urgent data, and an inline `VecDeque` cost every one 32 bytes.
#[derive(Debug, Default)]
#[allow(clippy::box_collection)] // The box is the point: 8 bytes inline, not 32.
pub(crate) struct OobBytes(Option<Box<VecDeque<u8>>>);

impl OobBytes {
    /// Whether no urgent byte waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|q| q.is_empty())
    }

    /// How many urgent bytes wait.
    pub(crate) fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |q| q.len())
    }

    /// The oldest urgent byte.
    pub(crate) fn front(&self) -> Option<&u8> {
        self.0.as_ref()?.front()
    }

    /// Takes the oldest urgent byte out.
    pub(crate) fn pop_front(&mut self) -> Option<u8> {
        self.0.as_mut()?.pop_front()
    }

    /// Queues an urgent byte.
    pub(crate) fn push_back(&mut self, b: u8) {
        self.0.get_or_insert_with(Box::default).push_back(b);
    }

    /// Drops every urgent byte.
    pub(crate) fn clear(&mut self) {
        self.0 = None;
    }

    /// Takes every urgent byte out, oldest first.
    pub(crate) fn take_all(&mut self) -> impl Iterator<Item = u8> {
        self.0.take().into_iter().flat_map(|q| *q)
    }
}

/// One endpoint of a TCP connection.
#[derive(Debug)]
pub(crate) struct Tcp {
    pub state: TcpState,
    /// For a connection created by a listener: the listener's socket id until accepted (see
    /// [`Id32`]).
    pub listener: Option<Id32>,
    /// Bytes accepted from the application and not yet acknowledged, from `snd_una`.
    pub snd: VecDeque<u8>,
    pub snd_una: u64,
    pub snd_nxt: u64,
    /// Right edge of the peer's advertised window.
    pub snd_edge: u64,
    pub fin_queued: bool,
    pub fin_sent: bool,
    pub fin_acked: bool,
    /// Sequence number of an urgent byte not yet sent.
    pub urg_seq: Opt64,
    /// Received, unread, in-order data.
    pub rcv: VecDeque<u8>,
    pub rcv_nxt: u64,
    /// Right edge we last advertised.
    pub rcv_adv: u64,
    /// Urgent bytes received and not read with MSG_OOB (SO_OOBINLINE off).
    pub oob: OobBytes,
    pub fin_rcvd: bool,
    /// A fatal condition (reset, timeout): later calls fail with it.
    pub error: Option<WsaError>,
    /// An acknowledgement is owed to the peer (the next segment sent carries it).
    pub ack_pending: bool,
    /// The connection is in `Network::pending_acks` (its ACK goes out at the end of the
    /// instant).
    pub ack_queued: bool,
    /// Data segments received since the last acknowledgement sent (delayed ACK: the
    /// `ack_every`-th is acknowledged at once).
    pub ack_segs: u16,
    /// Windows' ACK frequency for this connection: 2 (TcpAckFrequency's default), or 1 after
    /// SIO_TCP_SET_ACK_FREQUENCY TRUE (every segment acknowledged at once). Two bytes beside
    /// `ack_segs`, in what was one u32.
    pub ack_every: u16,
    /// When the owed acknowledgement falls due (delayed-ACK timer), if one is owed.
    pub ack_due: Opt64,
    /// Generation of the delayed-ACK queue entry for the owed ACK (stale entries differ).
    pub ack_timer: u64,
    /// End of the natural segment that seeded random segmentation last cut short: the rest
    /// of it is sent at once (Nagle's algorithm does not hold back a piece of a cut).
    pub cut_end: u64,
    /// RST answers to the SYN so far (each retried until the retries run out: `syn_max`,
    /// else the configured `refused_retries`).
    pub refused: u8,
    /// SIO_TCP_INITIAL_RTO's values as the connect began (`handshake`): `Rtt` in milliseconds
    /// and `MaxSynRetransmissions`, raw (0 and the "unspecified" values: the configured
    /// ones). Three bytes beside `refused`, in what was one u32.
    pub syn_rtt_ms: u16,
    pub syn_max: u8,
    /// The socket was connected by a nonblocking `connect` (failure goes to SO_ERROR).
    pub nonblocking_connect: bool,
    /// Virtual time the connection was established (SO_CONNECT_TIME).
    pub connected_at: Opt64,
    /// The peer's socket id, learnt from its segments.
    pub peer_sid: Option<Id32>,
    /// Blocking receives waiting for data, oldest first (`receive_request`).
    pub requests: Vec<ReceiveRequest>,
    /// A request in `requests` was made while overlapped receives were pending (it may have
    /// to wait for them); cleared when the queue empties. A field on the connection, so that
    /// each arriving segment checks it without walking the requests.
    pub requests_after_ov: bool,
    /// When the last segment from the peer arrived, in ticks of 2^20 ns (about 1.05 ms),
    /// wrapping (`keepalive::last_heard` unwraps it): keep-alive's idle time runs from it.
    /// Four bytes, so that the record keeps its 224 (they fill padding).
    pub heard: u32,
}

impl Tcp {
    pub(crate) fn new(state: TcpState) -> Tcp {
        Tcp {
            state,
            listener: None,
            snd: VecDeque::new(),
            snd_una: 0,
            snd_nxt: 0,
            snd_edge: 0,
            fin_queued: false,
            fin_sent: false,
            fin_acked: false,
            urg_seq: Opt64::NONE,
            rcv: VecDeque::new(),
            rcv_nxt: 0,
            rcv_adv: 0,
            oob: OobBytes::default(),
            fin_rcvd: false,
            error: None,
            ack_pending: false,
            ack_queued: false,
            ack_segs: 0,
            ack_every: 2,
            ack_due: Opt64::NONE,
            ack_timer: 0,
            cut_end: 0,
            refused: 0,
            syn_rtt_ms: 0,
            syn_max: 0,
            nonblocking_connect: false,
            connected_at: Opt64::NONE,
            peer_sid: None,
            requests: Vec::new(),
            requests_after_ov: false,
            heard: 0,
        }
    }

    /// Bytes the application has handed over and the peer has not acknowledged.
    pub(crate) fn queued(&self) -> usize {
        self.snd.len()
    }

    /// Sequence number just past the last byte the application handed over.
    pub(super) fn snd_end(&self) -> u64 {
        self.snd_una + self.snd.len() as u64
    }
}

/// Bytes `off..off + len` of a ring buffer as its (at most) two contiguous slices, so callers
/// copy them with `copy_from_slice` / `extend_from_slice` instead of byte by byte.
pub(crate) fn ring_range(q: &VecDeque<u8>, off: usize, len: usize) -> (&[u8], &[u8]) {
    let (a, b) = q.as_slices();
    if off < a.len() {
        let na = (a.len() - off).min(len);
        (&a[off..off + na], &b[..len - na])
    } else {
        let o = off - a.len();
        (&b[o..o + len], &[])
    }
}

/// Drops the first `n` bytes of a send or receive queue. Taking all of it (the common case:
/// an echo reads, and an ACK covers, everything queued) is a `clear`, without a `Drain`.
pub(crate) fn consume_front(q: &mut VecDeque<u8>, n: usize) {
    if n >= q.len() {
        q.clear();
    } else {
        q.drain(..n);
    }
}

/// Bytes `off..off + dst.len()` of a ring buffer, copied into `dst`.
pub(crate) fn copy_out(q: &VecDeque<u8>, off: usize, dst: &mut [u8]) {
    let (a, b) = ring_range(q, off, dst.len());
    dst[..a.len()].copy_from_slice(a);
    dst[a.len()..].copy_from_slice(b);
}
