//! `SimBuilder`: the settings of a run (seed, links, segmentation, send mode, preemption,
//! stack size, limits) and where an unset seed comes from.

use std::time::Duration;

use once_cell::sync::Lazy;

use super::fault::FaultPlan;
use super::net::LinkParams;
use super::sched::Nanos;
use super::world::Sim;

/// The seed used when the builder is given none and `WINSOCK_SIM_SEED` is unset.
pub const DEFAULT_SEED: u64 = 0x5EED;

/// The seed from `WINSOCK_SIM_SEED` (decimal or `0x` hex), read once per process.
static ENV_SEED: Lazy<Option<u64>> = Lazy::new(|| {
    let v = std::env::var("WINSOCK_SIM_SEED").ok()?;
    let v = v.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
});

/// How `send` on a nonblocking stream socket treats a buffer that does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendMode {
    /// What Windows does (conformance NB-07): the whole buffer is taken while the send buffer
    /// is not full, otherwise WSAEWOULDBLOCK — never a short count.
    Windows,
    /// What the documentation allows: take as many bytes as fit (at least 1) and return that
    /// count. Use it to harden code against short sends.
    Partial,
}

/// When WSAEventSelect records a new FD_READ, FD_OOB or FD_ACCEPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRecording {
    /// What Windows does (conformance EV-06, EV-17, EV-21): each new arrival of data, urgent
    /// data or a connection is recorded again, even before the re-enabling call.
    Windows,
    /// What the WSAEventSelect documentation says (and what WSAAsyncSelect does): once
    /// recorded, the event is not recorded again until `recv` (FD_READ), `recv(MSG_OOB)`
    /// (FD_OOB) or `accept` (FD_ACCEPT) re-enables it. Use it to harden code that relies on
    /// an event arriving without the re-enabling call.
    Documented,
}

/// How the sender cuts its byte stream into segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segmentation {
    /// Full-size segments (up to the MSS and the peer's window).
    Mss,
    /// Segments cut at seeded random points, so `recv` sees varied chunk sizes.
    Random,
}

/// The longest duration any setting or fault takes, in nanoseconds (2^58 ns, about 9 years):
/// longer ones are saturated to it, so that `now + delay` sums stay far from `u64::MAX`.
pub(crate) const MAX_NANOS: Nanos = 1 << 58;

/// The largest MSS a setting takes: the largest TCP payload of an IPv4 packet (65,535 bytes
/// less the IP and TCP headers). Larger values are saturated to it.
pub(crate) const MAX_MSS: usize = 65_495;

/// `d` in nanoseconds, saturated to [`MAX_NANOS`].
pub(crate) fn sat_nanos(d: Duration) -> Nanos {
    u64::try_from(d.as_nanos()).map_or(MAX_NANOS, |n| n.min(MAX_NANOS))
}

/// Everything the builder sets.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub seed: u64,
    pub link: LinkParams,
    pub loopback: LinkParams,
    pub mss: usize,
    pub segmentation: Segmentation,
    pub send_mode: SendMode,
    pub event_recording: EventRecording,
    /// Probability (num, den) that a call is a preemption point.
    pub preempt: (u64, u64),
    pub stack_size: usize,
    pub time_limit: Nanos,
    pub syn_rto: Nanos,
    pub syn_retries: u32,
    pub refused_retries: u32,
    pub refused_retry_delay: Nanos,
    pub time_wait: Nanos,
    pub trace_keep: usize,
    pub full_trace: bool,
    pub cpus: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: ENV_SEED.unwrap_or(DEFAULT_SEED),
            link: LinkParams {
                latency: 1_000_000,
                ns_per_kib: 8_192,
            },
            loopback: LinkParams {
                latency: 20_000,
                ns_per_kib: 1_024,
            },
            mss: 1460,
            segmentation: Segmentation::Random,
            send_mode: SendMode::Windows,
            event_recording: EventRecording::Windows,
            preempt: (1, 8),
            stack_size: 256 * 1024,
            time_limit: 3_600 * 1_000_000_000,
            syn_rto: 3_000_000_000,
            syn_retries: 2,
            refused_retries: 2,
            refused_retry_delay: 500_000_000,
            time_wait: 120 * 1_000_000_000,
            trace_keep: 64,
            full_trace: false,
            cpus: 2,
        }
    }
}

/// Builds a [`Sim`].
///
/// ```
/// use std::time::Duration;
/// use winsock_sim::sim::Sim;
/// let sim = Sim::builder().seed(7).latency(Duration::from_millis(5)).build();
/// assert_eq!(sim.seed(), 7);
/// ```
#[derive(Debug, Clone, Default)]
pub struct SimBuilder {
    cfg: Config,
    faults: FaultPlan,
}

impl SimBuilder {
    /// The root seed. Unset, it comes from `WINSOCK_SIM_SEED` or [`DEFAULT_SEED`].
    pub fn seed(mut self, seed: u64) -> Self {
        self.cfg.seed = seed;
        self
    }

    /// One-way latency between distinct hosts (default 1 ms). Durations in settings are
    /// saturated to about 9 years.
    pub fn latency(mut self, d: Duration) -> Self {
        self.cfg.link.latency = sat_nanos(d);
        self
    }

    /// One-way latency of loopback traffic within a host (default 20 µs).
    pub fn loopback_latency(mut self, d: Duration) -> Self {
        self.cfg.loopback.latency = sat_nanos(d);
        self
    }

    /// Link bandwidth between hosts in bytes per second (default about 125 MB/s, 1 Gbit/s).
    pub fn bandwidth(mut self, bytes_per_sec: u64) -> Self {
        self.cfg.link.ns_per_kib = (1024 * 1_000_000_000 / bytes_per_sec.max(1)).max(1);
        self
    }

    /// Maximum segment size (default 1460; at most 65,495).
    pub fn mss(mut self, mss: usize) -> Self {
        self.cfg.mss = mss.clamp(1, MAX_MSS);
        self
    }

    /// How streams are cut into segments (default [`Segmentation::Random`]).
    pub fn segmentation(mut self, s: Segmentation) -> Self {
        self.cfg.segmentation = s;
        self
    }

    /// Nonblocking send behaviour (default [`SendMode::Windows`]).
    pub fn send_mode(mut self, m: SendMode) -> Self {
        self.cfg.send_mode = m;
        self
    }

    /// When WSAEventSelect records FD_READ, FD_OOB and FD_ACCEPT again (default
    /// [`EventRecording::Windows`]).
    pub fn event_recording(mut self, r: EventRecording) -> Self {
        self.cfg.event_recording = r;
        self
    }

    /// Probability `num/den` that a call which need not block still yields to another
    /// thread (default 1/8). `(0, 1)` runs each thread until it blocks.
    pub fn preemption(mut self, num: u64, den: u64) -> Self {
        self.cfg.preempt = (num, den.max(1));
        self
    }

    /// Stack size of each simulated thread in bytes (default 256 KiB).
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.cfg.stack_size = bytes.max(16 * 1024);
        self
    }

    /// Virtual time after which `run` gives up with [`SimErrorKind::TimeLimit`](super::SimErrorKind::TimeLimit) (default 1 h).
    pub fn time_limit(mut self, d: Duration) -> Self {
        self.cfg.time_limit = sat_nanos(d);
        self
    }

    /// TIME_WAIT duration (default 120 s).
    pub fn time_wait(mut self, d: Duration) -> Self {
        self.cfg.time_wait = sat_nanos(d);
        self
    }

    /// Keep every trace record (for a full timeline), not just the last 64.
    pub fn full_trace(mut self, on: bool) -> Self {
        self.cfg.full_trace = on;
        self
    }

    /// Number of simulated CPUs (used where Windows uses the processor count; default 2).
    pub fn cpus(mut self, n: u32) -> Self {
        self.cfg.cpus = n.max(1);
        self
    }

    /// The fault plan: rules that see every delivery and every call.
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }

    /// Builds the simulation (no hosts yet).
    pub fn build(self) -> Sim {
        Sim::new(self.cfg, self.faults)
    }
}
