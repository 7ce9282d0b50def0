//! The fault seam: one place that sees every delivery and every call and may act on it,
//! deterministically, from the seed's "faults" generator and the plan's own schedule.
//!
//! A [`FaultPlan`] is a list of [`FaultRule`]s. Segment and call rules give a verdict on each
//! segment (pass, delay, drop, reset) or call (pass, fail with an error); the first rule that
//! does not pass wins. Each fires either at a rate ([`When::Rate`]) or once, on a schedule
//! ([`When::At`] a virtual time, [`When::Nth`] matching event), within a [`Scope`] (every
//! host, one host, one link direction, one socket address's connections). Timed rules act
//! on their own at a moment: [`FaultRule::Reset`] resets connections, [`FaultRule::Partition`]
//! cuts host sets apart until it heals, [`FaultRule::Crash`] makes a host vanish (and come
//! back). [`FaultRule::Stall`] acts on threads, not on the network: it takes a thread off its
//! processor before a call, so that the network's events can fall between two of its calls.
//! [`FaultRule::ClockJump`] sets a host's system clock forward or back; [`FaultRule::Uptime`]
//! starts its tick count where a long-running machine's is (near its 49.7-day wrap).
//!
//! Lost TCP segments are retransmitted as Windows does: the first retransmission after the
//! retransmission timeout (RTO: twice the round trip, at least Windows' 300 ms minimum), each
//! further one after twice the previous wait; after `TcpMaxDataRetransmissions` = 5 lost
//! retransmissions the connection fails (see [`RTO_MIN`] and the `inject` module for the codes).
//! Bytes are never lost, duplicated or reordered. Lost SYNs lead to the connect timeout; lost
//! UDP datagrams are gone.
//!
//! The plan prints as Rust code with `{:?}` (`code`) and as a one-line string with `{}` that
//! [`FaultPlan::from_str`](std::str::FromStr) parses back (`text`, its arguments' forms in
//! `text_args`); `strategy` holds the
//! proptest strategies, `seam` the verdicts, `inject` what the plan does to the network.

mod call_names;
mod code;
mod inject;
mod resolve;
mod seam;
mod squeeze;
mod strategy;
mod text;
mod text_args;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::api::WsaError;

pub(crate) use inject::FaultTimer;
pub use resolve::ResolveAction;
pub(crate) use seam::{FaultSeam, SockRule};
pub(crate) use squeeze::Squeeze;
pub use text_args::ParsePlanError;

/// Windows' minimum retransmission timeout (`MinRto`, 300 ms since Windows 7).
pub const RTO_MIN: Duration = Duration::from_millis(300);

/// Windows' `TcpMaxDataRetransmissions` default: retransmissions of one segment before the
/// connection is given up.
pub const MAX_DATA_RETRANSMISSIONS: u32 = 5;

/// What a rule decides for one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Deliver normally.
    Pass,
    /// Deliver after this much extra delay (nanoseconds).
    Delay(u64),
    /// Lose the segment (TCP retransmits it).
    Drop,
    /// Replace a TCP segment with a reset sent to both ends (as a middlebox or a peer's
    /// stack would): each side sees WSAECONNRESET.
    Reset,
    /// Deliver a UDP datagram twice.
    Duplicate,
    /// Deliver a UDP datagram this much later, outside the link's order.
    Reorder(u64),
}

/// Which segments a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentFilter {
    /// Every segment.
    Any,
    /// Segments carrying payload (TCP data and UDP datagrams).
    Data,
    /// Connection requests (SYN).
    Syn,
}

/// When a segment or call rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// On each matching event with probability `num/den` (drawn from the seed).
    Rate {
        /// Probability numerator.
        num: u64,
        /// Probability denominator.
        den: u64,
    },
    /// Once, on the first matching event at or after this virtual time.
    At(Duration),
    /// Once, on the n-th matching event (counting from 1).
    Nth(u64),
}

/// Where a rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere.
    All,
    /// Segments from or to this address; calls made on the host that owns it.
    Host(IpAddr),
    /// Segments travelling from the first address to the second (one link direction).
    Link(IpAddr, IpAddr),
    /// Segments from or to this socket address: the connections of one socket (a client's
    /// local address, as the trace shows it) or of one listening port.
    Endpoint(SocketAddr),
}

/// What a segment rule does to a segment it fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentAction {
    /// Extra latency.
    Delay(Duration),
    /// Extra latency drawn uniformly from zero to this (a latency distribution; the wire
    /// still delivers each direction in order).
    Jitter(Duration),
    /// Loss (TCP retransmits, with Windows' timeouts and give-up).
    Drop,
    /// The connection is reset: both ends get a RST instead (TCP segments only). A reset SYN
    /// is refused as by a listener whose accept backlog is full.
    Reset,
    /// A UDP datagram arrives twice (TCP segments pass: TCP never duplicates bytes).
    Duplicate,
    /// A UDP datagram is held back this much longer than the link's latency, outside the
    /// link's queue, so datagrams sent after it may arrive before it (TCP segments pass: TCP
    /// never reorders bytes).
    Reorder(Duration),
}

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultRule {
    /// With probability `num/den`, add `extra` latency to matching segments.
    Delay {
        /// Which segments.
        filter: SegmentFilter,
        /// Probability numerator.
        num: u64,
        /// Probability denominator.
        den: u64,
        /// Extra latency.
        extra: Duration,
    },
    /// With probability `num/den`, drop matching segments.
    Drop {
        /// Which segments.
        filter: SegmentFilter,
        /// Probability numerator.
        num: u64,
        /// Probability denominator.
        den: u64,
    },
    /// With probability `num/den`, make the named call (e.g. `"send"`) fail with `error`
    /// before it has any effect, as when Windows runs out of buffers (WSAENOBUFS).
    FailCall {
        /// The call's name as in the trace (`"send"`, `"recv"`, `"accept"`, ...).
        call: &'static str,
        /// The error to return.
        error: WsaError,
        /// Probability numerator.
        num: u64,
        /// Probability denominator.
        den: u64,
    },
    /// A segment fault, at a rate or scheduled, in a scope.
    Segment {
        /// When it fires.
        when: When,
        /// Where.
        scope: Scope,
        /// Which segments.
        filter: SegmentFilter,
        /// What it does.
        action: SegmentAction,
    },
    /// A call fails with `error` before it has any effect (e.g. WSAENOBUFS from the third
    /// `send` of one host: `When::Nth(3)`, `Scope::Host(..)`). Calls that do not pass the
    /// fault seam (kernel objects, threads and waits, window messages, WSAStartup) never
    /// fail so; the one-line form refuses their names here.
    Call {
        /// When it fires.
        when: When,
        /// Where (`All` or `Host`; other scopes never match a call).
        scope: Scope,
        /// The call's name as in the trace (`"send"`, `"WSARecv"`, `"accept"`, ...).
        call: &'static str,
        /// The error the call returns.
        error: WsaError,
    },
    /// At virtual time `at`, every TCP connection in `scope` is reset: both ends see a RST
    /// (recv/send → WSAECONNRESET, FD_CLOSE with WSAECONNABORTED, pending overlapped
    /// receives → ERROR_NETNAME_DELETED).
    Reset {
        /// When.
        at: Duration,
        /// Which connections (by their addresses).
        scope: Scope,
    },
    /// From `from` until `until` (forever if `None`), segments between a host of `a` and a
    /// host of `b` are lost, both ways: TCP retransmits (and gives up if the partition lasts
    /// about 19 s or more), SYNs and datagrams are lost.
    Partition {
        /// One side's addresses.
        a: Vec<IpAddr>,
        /// The other side's addresses.
        b: Vec<IpAddr>,
        /// Start.
        from: Duration,
        /// End (the partition heals), or never.
        until: Option<Duration>,
    },
    /// At `at` the host owning `host` crashes: its sockets vanish without FIN or RST, its
    /// threads stop for good (they never return from the call they are in), its ports are
    /// free. Peers learn by retransmission give-up, or by a RST once the host is back
    /// (`restart`: it answers again, with no sockets).
    Crash {
        /// An address of the host.
        host: IpAddr,
        /// When it crashes.
        at: Duration,
        /// When it answers again, or never.
        restart: Option<Duration>,
    },
    /// A name lookup (`getaddrinfo` of a host name, `getnameinfo` of an address) made on a
    /// host in `scope` (`All` or `Host`) answers late or fails (see [`ResolveAction`]), as a
    /// slow or failing DNS server would; `name` limits it to one name (case-insensitive).
    Resolve {
        /// When it fires (counting lookups).
        when: When,
        /// Where (`All` or `Host`: the host that looks up; other scopes never match).
        scope: Scope,
        /// The host name (or, for `getnameinfo`, the address text) looked up; `None`: any.
        name: Option<String>,
        /// What the lookup does.
        action: ResolveAction,
    },
    /// From `from` until `until` (forever if `None`), the stream sockets in `scope` (their
    /// host, link or address) have smaller buffers: at most `send` bytes queued unacknowledged
    /// (SO_SNDBUF plus Windows' ideal send backlog otherwise) and a receive buffer of at most
    /// `recv` bytes (never below one segment). Sends then genuinely meet a full buffer:
    /// nonblocking `send` → WSAEWOULDBLOCK and a later FD_WRITE, not writable for
    /// `select`/`WSAPoll`, blocking `send` waits, overlapped `WSASend` pends. When it heals the
    /// space returns (waiting sends go on, the armed FD_WRITE is posted).
    Squeeze {
        /// Whose buffers (`All`, `Host`: sockets of that host, `Link(a, b)`: sockets of host
        /// `a` connected to `b`, `Endpoint`: sockets with that local or remote address).
        scope: Scope,
        /// Start.
        from: Duration,
        /// End, or never.
        until: Option<Duration>,
        /// Send-buffer capacity in bytes while squeezed (`None`: not squeezed).
        send: Option<u32>,
        /// Receive-buffer capacity in bytes while squeezed (`None`: not squeezed).
        recv: Option<u32>,
    },
    /// "WSAEWOULDBLOCK right after select/FD_WRITE said writable": a `send` (`send`,
    /// `sendto`, non-overlapped `WSASend`) on a *nonblocking* stream socket in `scope` finds
    /// its send buffer full for one round trip (at least 1 ms): it fails with
    /// WSAEWOULDBLOCK and FD_WRITE is posted again when the space returns, exactly as after a
    /// genuinely full buffer. Blocking sockets are never touched. `When::Nth(n)` counts the
    /// nonblocking stream sends in scope.
    WouldBlock {
        /// When it fires.
        when: When,
        /// Where (`All`, `Host`, `Link(local, remote)`, `Endpoint`: local or remote address).
        scope: Scope,
    },
    /// "An overlapped call completing at once versus WSA_IO_PENDING": an overlapped
    /// `WSASend` that finds room, or `WSARecv` that finds data already there, on a stream
    /// socket in `scope` returns WSA_IO_PENDING instead of completing inside the call, and
    /// completes a moment later (at the next scheduling point), through its one channel
    /// (event, routine, or a completion packet even with
    /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, since it did not complete at once). Windows may
    /// do either; code that assumes one breaks on the other. `When::Nth(n)` counts the
    /// overlapped sends and receives in scope that would complete at once.
    Pend {
        /// When it fires.
        when: When,
        /// Where (as for [`FaultRule::WouldBlock`]).
        scope: Scope,
    },
    /// "Completion packets dequeued in an order the seed chooses": a completion packet about
    /// to be queued on a completion port of a host in `scope` overtakes a seed-chosen number
    /// (at least one) of the packets at the queue's tail that carry another completion key —
    /// as when independent I/Os (other sockets) complete in another order. A port stays FIFO
    /// for the packets of one key, so one socket's receives (and sends) keep their order.
    /// `When::Nth(n)` counts the packets that could overtake one.
    Overtake {
        /// When it fires.
        when: When,
        /// Where (`All`, or `Host`: ports of that host; other scopes never match).
        scope: Scope,
    },
    /// "The thread lost its CPU between two calls": a call made by a thread of a host in
    /// `scope` (any call, or only `call`) first waits `pause` of virtual time, as a thread
    /// the scheduler of Windows took off its processor would, while the rest of the world
    /// goes on: segments arrive (FD_* recorded, events set, packets queued), timers fire,
    /// other threads run. Then the call begins as usual. A simulated thread's own code takes
    /// no virtual time, so without this nothing can arrive between a thread's two calls: a
    /// race between a check and the wait after it (an event reset after the last `recv`, a
    /// readiness read before `select`) never shows. A kernel call (WSAResetEvent,
    /// WaitForSingleObject, SetEvent, ...) stalls as any other. `When::Nth(n)` counts the
    /// calls in scope.
    Stall {
        /// When it fires.
        when: When,
        /// Where (`All`, or `Host`: threads of that host; other scopes never match).
        scope: Scope,
        /// The call's name as in the trace (`"recv"`, `"WSAResetEvent"`, ...); `None`: any.
        call: Option<&'static str>,
        /// How long the thread is off its processor.
        pause: Duration,
    },
    /// "The system clock was set": at virtual time `at` the system time of the hosts in
    /// `scope` (`All`, or `Host`: that host's; other scopes never match) moves by `shift_ms`
    /// milliseconds (forward if positive, back if negative), as when an administrator, NTP or
    /// the domain controller sets it (SetSystemTime). What reads the system time follows it:
    /// `GetSystemTimeAsFileTime`, a timer routine's due time, and the absolute due times
    /// (a waitable timer or a thread-pool timer set for a FILETIME, a thread-pool wait's
    /// FILETIME timeout), which fall due when the new system time reaches them — at once if
    /// it is already past — as Windows re-times absolute timers when the clock is set (Wine's
    /// kernel32 timer.c `test_timeouts`). Everything measured from now does not move:
    /// timeouts in milliseconds, `Sleep`, relative and periodic due times, `GetTickCount`,
    /// `QueryPerformanceCounter`. A program that measures intervals with the system time
    /// sees them jump, negative ones included.
    ClockJump {
        /// When the clock is set.
        at: Duration,
        /// Whose clock (`All`, or `Host`).
        scope: Scope,
        /// By how much, in milliseconds: positive sets it forward, negative back.
        shift_ms: i64,
    },
    /// "The machine had been up a while": the hosts in `scope` (`All`, or `Host`; other
    /// scopes never match; the last rule that names a host wins) were started `uptime` before
    /// the run began, so `GetTickCount` starts there instead of at 0 and — `uptime` less than
    /// the run's length short of a multiple of 2^32 ms (49.7 days) — wraps to 0 during the
    /// run, as it does on a Windows server up that long. `GetTickCount64` counts on from the
    /// same start without wrapping; a TIMERPROC's `dwTime` is `GetTickCount`'s. Timeouts,
    /// due times and the system time do not change.
    Uptime {
        /// Whose (`All`, or `Host`).
        scope: Scope,
        /// How long they had been up when the run began.
        uptime: Duration,
    },
}

/// A list of fault rules, applied in order.
///
/// ```
/// use std::time::Duration;
/// use winsock_sim::sim::fault::{FaultPlan, FaultRule, Scope};
/// let plan = FaultPlan::none().with(FaultRule::Reset {
///     at: Duration::from_secs(2),
///     scope: Scope::All,
/// });
/// let text = plan.to_string();
/// assert_eq!(text, "reset(all,2s)");
/// assert_eq!(text.parse::<FaultPlan>().unwrap(), plan);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct FaultPlan {
    /// The rules.
    pub rules: Vec<FaultRule>,
}

impl FaultPlan {
    /// No faults.
    pub fn none() -> FaultPlan {
        FaultPlan::default()
    }

    /// Adds a rule.
    pub fn with(mut self, rule: FaultRule) -> FaultPlan {
        self.rules.push(rule);
        self
    }

    /// Whether the plan has no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
