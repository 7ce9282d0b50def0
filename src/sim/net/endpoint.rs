//! The socket objects: one per socket, with its addresses, options, shutdown state and its
//! protocol state (a TCP connection, a listener's queues or a UDP socket). The user's SOCKET
//! handles that name them are the socket layer's (`socket::handles`).
//!
//! A socket's life is an explicit state machine ([`Role`]): `Idle` (created, maybe bound) →
//! `Listener` or `Stream` (a TCP connection with its own [`TcpState`](crate::sim::net::tcp::TcpState)).
//! A socket outlives its handle while a graceful close is still delivering data (an *orphan*).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use super::{NetHooks, NetLayers};
use crate::sim::runtime::{Nanos, SocketWaiters, World};

use crate::api::consts::*;
pub(crate) use crate::sim::net::compact::{AddrSlot, Id32};
use crate::sim::net::tcp::Tcp;

/// Socket options kept per socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SockOpts {
    pub rcvbuf: usize,
    pub sndbuf: usize,
    pub linger: Linger,
    pub reuseaddr: bool,
    pub exclusive: bool,
    pub keepalive: bool,
    pub dontroute: bool,
    pub broadcast: bool,
    pub oobinline: bool,
    pub nodelay: bool,
    pub rcvtimeo_ms: u32,
    pub sndtimeo_ms: u32,
    pub ip_ttl: u32,
    pub ip_tos: u32,
    pub v6only: bool,
    pub debug: bool,
    /// SO_CONDITIONAL_ACCEPT: a listener holds incoming SYNs until accept/WSAAccept decides.
    pub conditional_accept: bool,
    /// Datagram-socket multicast options: IP_MULTICAST_IF / IPV6_MULTICAST_IF (stored and
    /// read back: a host has one interface), IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS (the TTL
    /// multicast datagrams carry), IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP (whether the
    /// sender's own host receives its multicast).
    pub mcast_if: u32,
    pub mcast_ttl: u32,
    pub mcast_loop: bool,
    /// IP_PKTINFO / IPV6_PKTINFO, IP_RECVTTL / IPV6_HOPLIMIT, IP_RECVTOS / IPV6_RECVTCLASS:
    /// which control data WSARecvMsg returns.
    pub pktinfo: bool,
    pub recvttl: bool,
    pub recvtos: bool,
    /// IP_DONTFRAGMENT / IPV6_DONTFRAG; `None` until set: TRUE on TCP, FALSE on UDP.
    pub dontfrag: Option<bool>,
    /// Keep-alive (`tcp::keepalive`): the idle time before the first probe and the time
    /// between probes, in milliseconds (SIO_KEEPALIVE_VALS sets them in ms, TCP_KEEPALIVE and
    /// TCP_KEEPINTVL in seconds), and how many probes go unanswered before the connection is
    /// dropped (TCP_KEEPCNT).
    pub keep_idle_ms: u32,
    pub keep_count: u32,
    pub keep_interval_ms: u32,
    /// SIO_TCP_INITIAL_RTO (`TCP_INITIAL_RTO_PARAMETERS`, raw): the next connect's first SYN
    /// timeout in milliseconds and its number of SYN retransmissions (0: the defaults).
    pub initial_rtt_ms: u16,
    pub max_syn_retransmissions: u8,
    /// TCP_MAXRT / TCP_MAXRTMS in milliseconds: how long unacknowledged data is
    /// retransmitted before the connection is dropped (0: the count of the system's rule;
    /// [`RETRANSMIT_FOREVER`]: never dropped).
    pub max_rt_ms: u32,
    /// SIO_TCP_SET_ACK_FREQUENCY TRUE: each data segment is acknowledged at once (a new
    /// connection's `Tcp::ack_every` is 1, not 2).
    pub ack_every_segment: bool,
    /// The options few sockets set (multicast groups, kept values, header bytes); `None`
    /// until one is, so a plain TCP socket carries a pointer instead of three collections.
    pub rare: Option<Box<RareOpts>>,
}

/// [`SockOpts::max_rt_ms`]'s "retransmit forever" (TCP_MAXRT -1).
pub(crate) const RETRANSMIT_FOREVER: u32 = u32::MAX;

/// The socket options that live in collections, set by few sockets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RareOpts {
    /// The multicast groups joined (IP_ADD_MEMBERSHIP / IPV6_ADD_MEMBERSHIP), in join order.
    pub mcast_groups: Vec<std::net::IpAddr>,
    /// Options the sim stores and reads back without acting on them (IP_IFLIST,
    /// IP_UNICAST_IF, IP_USER_MTU, IP_MTU_DISCOVER, the datagram-only IP_RECV* / IP_ECN /
    /// IP_WFP_* options, IPV6_PROTECTION_LEVEL, …), by (level, name); 0 until set.
    pub kept: std::collections::BTreeMap<(i32, i32), u32>,
    /// Header bytes (IP_OPTIONS, IP_RTHDR, IPV6_HOPOPTS, IPV6_RTHDR) by (level, name), stored
    /// and read back; the sim's packets carry none.
    pub headers: std::collections::BTreeMap<(i32, i32), Vec<u8>>,
}

impl SockOpts {
    /// The rare options, created empty on first use.
    pub(crate) fn rare_mut(&mut self) -> &mut RareOpts {
        self.rare.get_or_insert_with(Box::default)
    }

    /// The multicast groups joined, in join order.
    pub(crate) fn mcast_groups(&self) -> &[std::net::IpAddr] {
        self.rare.as_ref().map_or(&[], |r| &r.mcast_groups)
    }
}

/// A socket's duplicate handles, in the order they were made: a pointer (boxed on first use)
/// rather than an inline `Vec`'s 24 bytes, since few sockets are ever duplicated.
#[derive(Debug, Default)]
#[allow(clippy::box_collection)] // The box is the point: 8 bytes inline, not 24.
pub(crate) struct Dups(Option<Box<Vec<usize>>>);

impl Dups {
    /// Whether the socket has no duplicate handle.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|v| v.is_empty())
    }

    /// Records a new duplicate handle.
    pub(crate) fn push(&mut self, h: usize) {
        self.0.get_or_insert_with(Box::default).push(h);
    }

    /// Appends handles, in order.
    pub(crate) fn extend(&mut self, hs: impl IntoIterator<Item = usize>) {
        let mut hs = hs.into_iter().peekable();
        if hs.peek().is_some() {
            self.0.get_or_insert_with(Box::default).extend(hs);
        }
    }

    /// Takes the earliest duplicate out (there must be one).
    pub(crate) fn remove_first(&mut self) -> usize {
        let v = self.0.as_mut().expect("a duplicate handle");
        v.remove(0)
    }

    /// Keeps the handles `keep` accepts, in order.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&usize) -> bool) {
        if let Some(v) = &mut self.0 {
            v.retain(keep);
        }
    }

    /// Takes every duplicate handle out, in order.
    pub(crate) fn take(&mut self) -> Vec<usize> {
        self.0.take().map(|v| *v).unwrap_or_default()
    }
}

/// SO_LINGER's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Linger {
    pub onoff: bool,
    /// `l_onoff` exactly as set, which getsockopt(SO_LINGER) reads back (Windows keeps the
    /// raw u_short: 0x100 reads as 0x100).
    pub onoff_raw: u16,
    pub secs: u16,
}

impl SockOpts {
    /// The ACK frequency a connection made with these options starts with.
    pub fn ack_every(&self) -> u16 {
        if self.ack_every_segment {
            1
        } else {
            2
        }
    }
}

impl Default for SockOpts {
    fn default() -> SockOpts {
        SockOpts {
            rcvbuf: DEFAULT_BUFFER_SIZE,
            sndbuf: DEFAULT_BUFFER_SIZE,
            linger: Linger::default(),
            reuseaddr: false,
            exclusive: false,
            keepalive: false,
            dontroute: false,
            broadcast: false,
            oobinline: false,
            nodelay: false,
            rcvtimeo_ms: 0,
            sndtimeo_ms: 0,
            ip_ttl: 128,
            ip_tos: 0,
            v6only: true,
            debug: false,
            conditional_accept: false,
            mcast_if: 0,
            mcast_ttl: 1,
            mcast_loop: true,
            pktinfo: false,
            recvttl: false,
            recvtos: false,
            dontfrag: None,
            // Windows' defaults: 2 hours idle, 10 probes, 1 second apart.
            keep_idle_ms: 7_200_000,
            keep_count: 10,
            keep_interval_ms: 1000,
            initial_rtt_ms: 0,
            max_syn_retransmissions: 0,
            max_rt_ms: 0,
            ack_every_segment: false,
            rare: None,
        }
    }
}

/// A listening socket's queues.
#[derive(Debug, Default)]
pub(crate) struct Listener {
    /// Effective backlog (1..=MAX_BACKLOG).
    pub backlog: usize,
    /// Connections whose handshake completed, not yet accepted (socket ids).
    pub accept_q: VecDeque<usize>,
    /// Connections still in SYN_RECEIVED.
    pub half_open: usize,
    /// SO_CONDITIONAL_ACCEPT: connections whose SYN is held unanswered (SYN_RECEIVED, no
    /// SYN-ACK sent) until accept/WSAAccept decides, oldest first.
    pub held: VecDeque<usize>,
    /// The socket's connect had failed before it listened: select keeps reporting it in
    /// exceptfds (sock.c test_select, "listening after a failed connection").
    pub connect_failed: bool,
    /// Threads blocked in `accept` or `WSAAccept` on it, oldest first (`socket::accept`):
    /// the k-th is owed the k-th queued connection.
    pub waiters: Vec<usize>,
}

impl Listener {
    /// A completed connection or a held SYN is queued, owed to a blocked `accept` or not.
    pub fn has_queued(&self) -> bool {
        !self.accept_q.is_empty() || !self.held.is_empty()
    }

    /// A connection is waiting for accept: a completed one, or a held SYN, that no blocked
    /// `accept` is owed (Windows hands those over as they arrive: select, WSAPoll and
    /// FD_ACCEPT never see them).
    pub fn has_pending(&self) -> bool {
        self.accept_q.len() > self.waiters.len()
            || (!self.held.is_empty() && self.waiters.is_empty())
    }
}

/// What a socket is, as a state machine over its lifetime.
// The connection is inline on purpose (see `Stream`): clippy's size rule is for enums whose
// large variant is rare, and here it is the common one.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Role {
    /// Created, perhaps bound; not listening, not connected.
    Idle,
    /// `listen` was called. Boxed: a listener's queues would make every socket as large.
    Listener(Box<Listener>),
    /// A TCP connection exists (connecting, connected, closing or closed). Inline, not
    /// boxed: most sockets are connections, and a box cost each a pointer and malloc's
    /// header (the other roles are rare enough to carry the unused bytes).
    Stream(Tcp),
    /// A UDP socket: its queue of received datagrams and its association.
    Dgram(Box<Udp>),
}

/// One socket object.
#[derive(Debug)]
pub(crate) struct Sock {
    pub host: usize,
    /// The user's handle; `None` once closed (an orphan finishing a graceful close) or before
    /// `accept` hands it out.
    pub handle: Option<Id32>,
    /// Further handles naming this socket in its host's process (`WSADuplicateSocket`), in
    /// the order they were made; the socket ends when the last of them and `handle` closes.
    pub dups: Dups,
    pub family: i32,
    pub ty: i32,
    pub nonblocking: bool,
    /// Shared copy-on-write (`Arc::make_mut` to change them): most sockets keep the defaults
    /// or their listener's options, so they point at one copy instead of holding 88 bytes.
    pub opts: Arc<SockOpts>,
    /// Local address (set by bind, implicit bind, or accept).
    pub local: AddrSlot,
    /// Whether this socket holds an entry in its host's `tcp_binds`.
    pub holds_port: bool,
    pub remote: AddrSlot,
    /// SO_ERROR.
    pub so_error: i32,
    pub shut_rd: bool,
    pub shut_wr: bool,
    pub role: Role,
    /// Bumped to invalidate timers that refer to an earlier incarnation of a state.
    pub gen: u64,
    /// `closesocket` was called: the handle is gone and the socket lives on only to finish a
    /// graceful close.
    pub closed: bool,
    /// Connected by AcceptEx and SO_UPDATE_ACCEPT_CONTEXT not yet set: getsockname,
    /// getpeername and shutdown fail with WSAENOTCONN, as on Windows.
    pub needs_accept_context: bool,
}

impl Sock {
    /// A socket with no handle, address, error, shutdown or waiter: what `socket()`, an
    /// incoming connection and TF_REUSE_SOCKET start from.
    pub(crate) fn new(host: usize, family: i32, ty: i32, opts: Arc<SockOpts>, role: Role) -> Sock {
        Sock {
            host,
            handle: None,
            dups: Dups::default(),
            family,
            ty,
            nonblocking: false,
            opts,
            local: AddrSlot::None,
            holds_port: false,
            remote: AddrSlot::None,
            so_error: 0,
            shut_rd: false,
            shut_wr: false,
            role,
            gen: 0,
            closed: false,
            needs_accept_context: false,
        }
    }
}

/// All socket objects of the run, by id; ids are reused, so each slot also carries the
/// *incarnation* of the socket in it: a number never given twice in a run, which tells a
/// socket from a later one that took its freed id (a call blocked on the first must not act
/// on the second).
#[derive(Debug, Default)]
pub(crate) struct SocketTable {
    slots: Vec<Option<Sock>>,
    free: Vec<usize>,
    /// The incarnation of each slot's current socket.
    incarnations: Vec<u64>,
    next_incarnation: u64,
    /// The default options, which new sockets share until one is set.
    default_opts: Arc<SockOpts>,
    /// Threads blocked on each socket, with their wait numbers: [readers, writers] (a thread
    /// waiting for any change is in both), by id. Beside the slots rather than in them: only
    /// sockets some thread ever blocked on need the 64 bytes (the table grows to the highest
    /// such id), and a completion-port server's thousands of connections have none.
    waiters: Vec<SocketWaiters>,
}

impl SocketTable {
    pub(crate) fn insert(&mut self, s: Sock) -> usize {
        self.next_incarnation += 1;
        if let Some(id) = self.free.pop() {
            self.slots[id] = Some(s);
            self.incarnations[id] = self.next_incarnation;
            id
        } else {
            self.slots.push(Some(s));
            self.incarnations.push(self.next_incarnation);
            self.slots.len() - 1
        }
    }

    /// The default options, shared (a new socket's until it sets one).
    pub(crate) fn default_opts(&self) -> Arc<SockOpts> {
        Arc::clone(&self.default_opts)
    }

    /// The waiter lists of socket `id` (`None` if there is no such socket), created empty.
    pub(crate) fn waiters_mut(&mut self, id: usize) -> Option<&mut SocketWaiters> {
        self.get(id)?;
        if self.waiters.len() <= id {
            self.waiters.resize_with(id + 1, SocketWaiters::default);
        }
        Some(&mut self.waiters[id])
    }

    /// The waiter lists of id `id`, to read (a report's look-up).
    pub(crate) fn waiters_of(&self, id: usize) -> Option<&SocketWaiters> {
        self.waiters.get(id)
    }

    /// The waiter lists of id `id` if it ever had any (empty ones for a freed socket).
    pub(crate) fn waiters_if_any(&mut self, id: usize) -> Option<&mut SocketWaiters> {
        self.waiters.get_mut(id)
    }

    /// Takes the waiter lists of id `id` (a socket being freed).
    pub(crate) fn take_waiters(&mut self, id: usize) -> SocketWaiters {
        self.waiters
            .get_mut(id)
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The incarnation of the socket now in slot `id` (`None` if the slot is free).
    pub(crate) fn incarnation(&self, id: usize) -> Option<u64> {
        self.get(id).map(|_| self.incarnations[id])
    }

    pub(crate) fn remove(&mut self, id: usize) -> Option<Sock> {
        let s = self.slots.get_mut(id)?.take();
        if s.is_some() {
            self.free.push(id);
        }
        s
    }

    pub(crate) fn get(&self, id: usize) -> Option<&Sock> {
        self.slots.get(id)?.as_ref()
    }

    pub(crate) fn get_mut(&mut self, id: usize) -> Option<&mut Sock> {
        self.slots.get_mut(id)?.as_mut()
    }

    /// The ids of every socket, in order.
    pub(crate) fn ids(&self) -> Vec<usize> {
        (0..self.slots.len())
            .filter(|&i| self.slots[i].is_some())
            .collect()
    }

    /// The socket with id `id`, which must exist (an internal invariant).
    pub(crate) fn at(&mut self, id: usize) -> &mut Sock {
        self.get_mut(id)
            .unwrap_or_else(|| panic!("winsock-sim internal error: socket #{id} vanished"))
    }
}

/// Largest UDP payload over IPv4 (65,535 − 8 − 20).
pub(crate) const MAX_DATAGRAM: usize = 65_507;

/// A received datagram as a socket's queue keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Datagram {
    /// The source, as the receiving socket sees it (v4-mapped on a dual-stack socket).
    pub src: SocketAddr,
    /// The destination the datagram was sent to, as on the wire (IP_PKTINFO / IPV6_PKTINFO).
    pub dst: SocketAddr,
    pub data: Vec<u8>,
    /// The TTL / hop limit and the TOS / traffic class of its IP header.
    pub ttl: u8,
    pub tos: u8,
}

/// What a receive learns of a datagram besides its bytes (WSARecvMsg's control data).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DgramInfo {
    pub dst: SocketAddr,
    pub ttl: u8,
    pub tos: u8,
    pub len: usize,
}

impl DgramInfo {
    pub(crate) fn of(d: &Datagram) -> DgramInfo {
        DgramInfo {
            dst: d.dst,
            ttl: d.ttl,
            tos: d.tos,
            len: d.data.len(),
        }
    }
}

/// A datagram socket's state.
#[derive(Debug, Default)]
pub(crate) struct Udp {
    /// Received datagrams, oldest first.
    pub queue: VecDeque<Datagram>,
    pub queued_bytes: usize,
    /// The association set by `connect`: only its datagrams are received, `send` goes there.
    pub peer: Option<SocketAddr>,
    /// An ICMP port unreachable arrived: the next receive fails with WSAECONNRESET.
    pub port_unreachable: bool,
    /// SIO_UDP_CONNRESET turned off: port-unreachable replies are dropped on arrival.
    pub ignore_unreachable: bool,
    /// SIO_ENABLE_CIRCULAR_QUEUEING: a full queue evicts its oldest datagrams.
    pub circular: bool,
    /// Blocking receives waiting for a datagram, oldest first (see [`DgramRequest`]).
    pub requests: Vec<DgramRequest>,
}

impl Udp {
    /// Whether a receive has something to return at once: a datagram, or the error of a
    /// port-unreachable reply. select, WSAPoll and FD_READ read this one condition, as they
    /// read AFD's one receive condition on Windows.
    pub(crate) fn readable(&self) -> bool {
        !self.queue.is_empty() || self.port_unreachable
    }
}

/// A blocking recvfrom waiting on a datagram socket: a receive request, as for a stream
/// (`tcp::receive_request`). An arriving datagram goes to the oldest request instead of the
/// queue, so FIONREAD, select and FD_READ never see it and no other receive takes it; a
/// MSG_PEEK request gets a copy and the datagram goes on to the next request. Overlapped
/// receives pending on the socket share the requests' queue, in the order they were made.
#[derive(Debug)]
pub(crate) struct DgramRequest {
    /// Names this request among the run's (`Network::request_counter`).
    pub key: u64,
    pub peek: bool,
    /// The datagram it was given: complete.
    pub got: Option<Datagram>,
    /// The newest overlapped receive pending when the request was made (its serial, never
    /// 0): the request takes nothing until that one and every older one are gone.
    pub after: Option<std::num::NonZeroU64>,
}

/// Whether a blocking receive request that noted `after` (the newest overlapped receive
/// pending when it was made) comes after overlapped receive `serial` in its socket's queue:
/// the one rule by which requests and overlapped receives take turns, for streams
/// (`tcp::receive_request`) and datagrams ([`DgramRequest`]).
#[inline]
pub(crate) fn behind_overlapped(after: Option<std::num::NonZeroU64>, serial: u64) -> bool {
    after.is_some_and(|a| serial <= a.get())
}

/// A send in progress (blocking sends in `SendMode::Partial` go out in pieces).
pub(crate) struct SendOp {
    pub id: usize,
    pub flags: i32,
    pub nonblocking: bool,
    pub done: usize,
    pub deadline: Option<Nanos>,
}

/// A receive in progress (MSG_WAITALL fills the buffer across waits).
pub(crate) struct RecvOp {
    pub id: usize,
    pub flags: i32,
    pub nonblocking: bool,
    pub filled: usize,
    pub deadline: Option<Nanos>,
    /// The receive request queued on the connection while the call waits
    /// (`tcp::receive_request`); the caller cancels it if the call ends without it.
    pub request: Option<u64>,
}

/// Windows' TCP keeps an ideal send backlog of its own in front of the AFD send buffer that
/// SO_SNDBUF sizes: with SO_SNDBUF = 0 a nonblocking sender still gets three 4096-byte sends
/// accepted (conformance OP-02). The sim models it as a fixed 64 KiB.
pub(crate) const IDEAL_SEND_BACKLOG: usize = 64 * 1024;

/// Bytes a connection may hold unacknowledged before sends wait (or fail with WSAEWOULDBLOCK).
pub(crate) fn send_capacity(sndbuf: usize) -> usize {
    sndbuf.saturating_add(IDEAL_SEND_BACKLOG)
}

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    /// Removes a socket object for good, waking whoever still waits on it.
    pub(crate) fn free_socket(&mut self, id: usize) {
        self.on_socket_freed(id);
        if self.net.sockets.remove(id).is_some() {
            for (tid, seq) in self.net.sockets.take_waiters(id) {
                self.wake(tid, seq);
            }
        }
    }
}
