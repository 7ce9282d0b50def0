//! The network layer: hosts and their addresses, links and the wire, the fault seam, the socket
//! objects with their protocol state, TCP and UDP. It knows the runtime below it and nothing
//! above: what happens to a socket (data arrived, a connection is ready, the peer closed, ...)
//! is announced through [`NetHooks`], which the composed world implements.
//!
//! Map:
//! - `host` — hosts, addresses, the v4-mapped views of an address;
//! - `segment` — what travels on the wire (TCP segments, UDP datagrams, ICMP unreachable);
//! - `spare` — segment boxes and payload buffers a finished run leaves for the next one;
//! - `wire` — links (latency, bandwidth, per-direction order), transmission through the fault
//!   seam, arrival;
//! - `fault/` — [`fault::FaultPlan`] (its rules, text and code forms, proptest
//!   strategies), the seam every segment and call passes, and what the plan does: TCP
//!   retransmission with Windows' timeouts and give-up, resets, partitions, host crashes;
//! - `endpoint` — the socket objects ([`Sock`](endpoint::Sock)): addresses, options, shutdown
//!   state and protocol state ([`Role`](endpoint::Role): a TCP connection, a listener's
//!   queues, a UDP socket's datagrams); freeing one;
//! - `demux`, `ports` — which bound socket takes an address's traffic, the port tables,
//!   ephemeral ports;
//! - `tcp/` — the TCP state machine: input path, output path, handshake;
//! - `udp` — datagrams, multicast, ICMP port unreachable;
//! - `timer_resolution` — each host's clock interrupt (`timeBeginPeriod`) and when timed
//!   waits and timers fall due on it.

mod compact;
pub(crate) mod demux;
pub(crate) mod endpoint;
pub mod fault;
pub(crate) mod host;
mod ports;
pub(crate) mod segment;
mod spare;
pub(crate) mod tcp;
pub(crate) mod timer_resolution;
pub(crate) mod udp;
pub(crate) mod wire;

use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

use crate::api::WsaError;
use crate::sim::runtime::rng::Rng;
use crate::sim::runtime::{Config, Layers, LinkParams, Nanos, RuntimeHooks};

use endpoint::SocketTable;
use fault::{FaultPlan, FaultSeam};
use host::Host;
use segment::InFlight;
use tcp::NetTimer;

/// The network layer's state.
pub(crate) struct Network {
    pub hosts: Vec<Host>,
    /// Which host owns each (non-loopback) address.
    pub addr_map: BTreeMap<IpAddr, usize>,
    /// Per-pair link parameters overriding the default.
    pub links: BTreeMap<(usize, usize), LinkParams>,
    /// `(wire index, parameters)` of each host pair's link once used, by `[from][to]`.
    pub link_cache: Vec<Vec<Option<(usize, LinkParams)>>>,
    /// Every socket object of the run.
    pub sockets: SocketTable,
    pub rng_net: Rng,
    pub rng_ports: Rng,
    /// Source of generation numbers that invalidate stale timers.
    pub gen_counter: u64,
    /// Source of the keys of blocking receive requests (`tcp::receive_request`).
    pub request_counter: u64,
    /// Connections owing an acknowledgement at the end of this instant.
    pub pending_acks: Vec<usize>,
    /// Delayed-ACK timers `(due, socket id, generation)`: one entry each time a connection
    /// starts owing an ACK. Every one has the same delay, so the queue is in due order and
    /// costs O(1) per entry; an entry whose ACK went out meanwhile (carried by a segment)
    /// is stale and skipped. Only the first live entry has a runtime timer, so the timer heap
    /// does not grow with the number of connections.
    pub delayed_acks: VecDeque<(Nanos, usize, u64)>,
    /// When the runtime timer for the queue fires, if one is scheduled.
    pub delayed_acks_at: Option<Nanos>,
    /// Emptied segment payload buffers, reused by the next data segment.
    pub payload_pool: Vec<Vec<u8>>,
    /// Boxes of segments that arrived, reused by the next segments put on a link.
    pub seg_pool: Vec<InFlight>,
    /// Keep-alive timers of the connections that have SO_KEEPALIVE on, by socket id
    /// (`tcp::keepalive`).
    /// Connect attempts bounded by TCP_MAXRT / TCP_MAXRTMS: the socket and its attempt's
    /// token (a later attempt, or one without the bound, replaces or removes it).
    pub connect_deadlines: BTreeMap<usize, u64>,
    pub keepalives: BTreeMap<usize, tcp::KeepAlive>,
    pub faults: FaultSeam,
}

impl Network {
    pub(crate) fn new(cfg: &Config, faults: FaultPlan) -> Network {
        let seed = cfg.seed;
        let (seg_pool, payload_pool) = spare::take();
        Network {
            hosts: Vec::new(),
            addr_map: BTreeMap::new(),
            links: BTreeMap::new(),
            link_cache: Vec::new(),
            sockets: SocketTable::default(),
            rng_net: Rng::derive(seed, "net"),
            rng_ports: Rng::derive(seed, "ports"),
            gen_counter: 0,
            request_counter: 0,
            pending_acks: Vec::new(),
            delayed_acks: VecDeque::new(),
            delayed_acks_at: None,
            payload_pool,
            seg_pool,
            keepalives: BTreeMap::new(),
            connect_deadlines: BTreeMap::new(),
            faults: FaultSeam::new(faults, Rng::derive(seed, "faults")),
        }
    }
}

impl Drop for Network {
    /// The run's spare segment boxes and payload buffers go to the next run on this OS thread.
    fn drop(&mut self) {
        spare::give_back(&mut self.seg_pool, &mut self.payload_pool);
    }
}

/// The layer types as the network layer needs them: its own state, its timed events and its
/// packets (boxed segments) in the runtime's slots.
pub(crate) trait NetLayers:
    Layers<Net = Network, Timer = NetTimer, Packet = InFlight>
{
}
impl<L: Layers<Net = Network, Timer = NetTimer, Packet = InFlight>> NetLayers for L {}

/// What the network layer announces about a socket, to whatever listens above (readiness,
/// FD_* recording, overlapped servicing). Every hook is called at the moment of the change.
pub(crate) trait NetHooks<L: NetLayers>: RuntimeHooks<L> {
    /// A connection finished its handshake and waits in listener `lid`'s queue (FD_ACCEPT).
    fn on_accept_ready(&mut self, lid: usize);
    /// Data arrived on `id` (FD_READ).
    fn on_readable(&mut self, id: usize);
    /// Urgent data arrived on `id` (FD_OOB).
    fn on_oob(&mut self, id: usize);
    /// Acknowledged data left `id`'s send buffer (FD_WRITE once re-enabled).
    fn on_send_space(&mut self, id: usize);
    /// A connect attempt of `id` ended: `None` on success, or the error.
    fn on_connect(&mut self, id: usize, err: Option<WsaError>);
    /// The peer closed `id`: `None` for a FIN, `Some` for a reset.
    fn on_peer_closed(&mut self, id: usize, err: Option<WsaError>);
    /// `id`'s FIN was acknowledged (a pending DisconnectEx may complete).
    fn on_fin_acked(&mut self, id: usize);
    /// `id`'s sending side was closed gracefully (shutdown SD_SEND, DisconnectEx, a
    /// TF_DISCONNECT): its FIN is queued.
    fn on_send_closed(&mut self, id: usize);
    /// Datagram socket `id` was bound (it can send: FD_WRITE for its first registration).
    fn on_dgram_bound(&mut self, id: usize);
    /// Datagram socket `id` was connected.
    fn on_dgram_connected(&mut self, id: usize);
    /// Socket object `id` is about to be freed: forget everything kept about it above.
    fn on_socket_freed(&mut self, id: usize);
    /// Overlapped operations of `id` left pending by the fault plan may complete now.
    fn on_io_due(&mut self, id: usize);
    /// Host `host`'s system clock was set `ticks` (100 ns) forward (back if negative): what
    /// waits for a system time is re-timed.
    fn on_clock_set(&mut self, host: usize, ticks: i64);
    /// The issue order (serial) of the oldest overlapped receive pending on `id`, if any:
    /// blocking receive requests and overlapped receives share one queue (`receive_request`).
    fn oldest_overlapped_recv(&self, id: usize) -> Option<u64>;
    /// The issue order (serial) of the newest overlapped receive pending on `id`, if any.
    fn newest_overlapped_recv(&self, id: usize) -> Option<u64>;
}
