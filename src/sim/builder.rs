//! `SimBuilder`: the settings of a run (seed, links, segmentation, send mode, preemption,
//! stack size, limits, the fault plan). The settings themselves are `runtime::Config`.

use std::time::Duration;

use super::net::fault::FaultPlan;
use super::replay::Replay;
use crate::sim::runtime::{
    sat_nanos, AckPolicy, Completion, Config, EventRecording, Schedule, Script, Segmentation,
    SendMode, TimerResolution, DELAYED_ACK_TICK, MAX_MSS,
};

/// Which contract a run holds the program to: what Windows does, or everything Microsoft's
/// documentation allows. Code hardened against both runs on any Windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    /// What Windows does as observed (the builder's default): streams cut into full-size
    /// segments
    /// ([`Segmentation::Mss`]), nonblocking sends all-or-nothing ([`SendMode::Windows`],
    /// conformance NB-07), FD_READ/FD_OOB/FD_ACCEPT recorded on each arrival
    /// ([`EventRecording::Windows`]), overlapped calls completing at once when they can
    /// ([`Completion::Windows`]).
    Windows,
    /// Everything the documentation allows at once: streams cut at random points
    /// ([`Segmentation::Random`]), short nonblocking sends ([`SendMode::Partial`]), events
    /// recorded again only after the re-enabling call ([`EventRecording::Documented`]),
    /// overlapped calls completing at once or pending as the seed draws
    /// ([`Completion::Random`]).
    Documented,
}

/// Builds a [`Sim`](crate::sim::Sim).
///
/// ```
/// use std::time::Duration;
/// use winsock_sim::sim::Sim;
/// let sim = Sim::builder().seed(7).latency(Duration::from_millis(5)).build();
/// assert_eq!(sim.seed(), 7);
/// ```
#[derive(Debug, Clone, Default)]
pub struct SimBuilder {
    pub(crate) cfg: Config,
    pub(crate) faults: FaultPlan,
}

impl SimBuilder {
    /// The root seed. Unset, it comes from `WINSOCK_SIM_SEED` or [`DEFAULT_SEED`](crate::sim::DEFAULT_SEED);
    /// `WINSOCK_SIM_REPLAY` overrides it (see [`Replay`]).
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

    /// How streams are cut into segments (default [`Segmentation::Mss`], what Windows does:
    /// the builder starts from [`Contract::Windows`]).
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

    /// Whether overlapped calls that can complete at once do so (default
    /// [`Completion::Windows`]) or complete at once or pend as the seed draws
    /// ([`Completion::Random`], part of [`Contract::Documented`]).
    pub fn completion(mut self, c: Completion) -> Self {
        self.cfg.completion = c;
        self
    }

    /// When TCP acknowledges data and whether it holds small segments back (default
    /// [`AckPolicy::Windows`]: delayed ACK and Nagle's algorithm, as Windows does them).
    /// [`AckPolicy::Immediate`] acknowledges every arrival at once and never holds a segment.
    ///
    /// ```
    /// use winsock_sim::sim::{AckPolicy, Sim};
    /// let sim = Sim::builder().tcp_acks(AckPolicy::Immediate).build();
    /// # drop(sim);
    /// ```
    pub fn tcp_acks(mut self, policy: AckPolicy) -> Self {
        self.cfg.ack_policy = policy;
        self
    }

    /// When timed waits and timers end (default [`TimerResolution::Exact`]: at their
    /// deadline). [`TimerResolution::Windows`] ends them on Windows' clock interrupt, every
    /// 15.625 ms unless the process asked for a finer one with `timeBeginPeriod`: a frame
    /// loop that sleeps 16 ms runs at 32 frames a second, a 1-ms timeout can end at once,
    /// `GetTickCount` steps by 15 or 16.
    ///
    /// ```
    /// use winsock_sim::sim::{Sim, TimerResolution};
    /// let sim = Sim::builder().timer_resolution(TimerResolution::Windows).build();
    /// # drop(sim);
    /// ```
    pub fn timer_resolution(mut self, r: TimerResolution) -> Self {
        self.cfg.timer_resolution = r;
        self
    }

    /// The delayed-ACK timer under [`AckPolicy::Windows`], Windows' registry value
    /// `TcpDelAckTicks` (0-6 ticks of 100 ms, default 2). The sim models Windows' tick timer:
    /// ticks fall every 100 ms of virtual time (at 50 ms, 150 ms, ...: Windows' tick does not
    /// follow the program's clock) and a lone segment is acknowledged on the `ticks`-th tick
    /// after it arrives, so with the default 100-200 ms later. `d` is
    /// rounded up to whole ticks; zero acknowledges every segment at once (Nagle still holds
    /// small sends until then).
    ///
    /// ```
    /// use std::time::Duration;
    /// use winsock_sim::sim::Sim;
    /// // TcpDelAckTicks = 1: a lone segment is acknowledged at the next 100-ms tick.
    /// let sim = Sim::builder().delayed_ack(Duration::from_millis(100)).build();
    /// # drop(sim);
    /// ```
    pub fn delayed_ack(mut self, d: Duration) -> Self {
        self.cfg.delayed_ack_ticks = sat_nanos(d).div_ceil(DELAYED_ACK_TICK);
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

    /// How the next thread is chosen (default [`Schedule::Random`]; [`Schedule::Pct`] for
    /// probabilistic concurrency testing). The seed decides either.
    pub fn schedule(mut self, s: Schedule) -> Self {
        self.cfg.schedule = s;
        self
    }

    /// Scripted scheduling decisions (the exhaustive explorer's).
    pub(crate) fn script(mut self, s: std::sync::Arc<parking_lot::Mutex<Script>>) -> Self {
        self.cfg.script = Some(s);
        self
    }

    /// Wall time a simulated thread may run without handing control back before the run
    /// counts as stalled (default 10 s; zero turns the check off). A stalled thread is blocked
    /// outside the simulator — a `std` or `parking_lot` lock held across a WinSock call, a real
    /// socket, a sleep: the watchdog prints a diagnostic naming the seed and the thread, the
    /// run ends with [`SimErrorKind::Stalled`](crate::sim::SimErrorKind::Stalled) if the
    /// thread ever yields, and the process is aborted with the same diagnostic if it is still
    /// stuck after three times the timeout, and at least 5 s more (a deadlock never ends).
    pub fn stall_timeout(mut self, d: Duration) -> Self {
        self.cfg.stall_timeout = d;
        self
    }

    /// TIME_WAIT duration (default 120 s).
    pub fn time_wait(mut self, d: Duration) -> Self {
        self.cfg.time_wait = sat_nanos(d);
        self
    }

    /// Keep every trace record (for a full timeline), not just the last 64. Turns the trace
    /// on if [`SimBuilder::trace`] turned it off.
    pub fn full_trace(mut self, on: bool) -> Self {
        self.cfg.full_trace = on;
        self
    }

    /// Record the trace (the default) or not. Off, no record is made or hashed: a run does
    /// about 8 % fewer instructions a message (the README's *Speed*), for runs no one reads,
    /// such as a property test's passing cases. The run itself is the same (the trace
    /// decides nothing); only what it reports differs: a [`Report`](crate::sim::Report)'s `trace_hash` and
    /// `trace_len` are 0 (so [`Explorer`](crate::sim::Explorer) and
    /// [`Sweep`](crate::sim::Sweep), which tell runs apart by their hashes, count one), and
    /// a failure's [`SimError`](crate::sim::SimError) has no timeline and no picture. Its
    /// replay line runs the case again with the trace on: [`SimBuilder::replay`] turns it
    /// on.
    ///
    /// ```
    /// use winsock_sim::prelude::*;
    /// use winsock_sim::sim::Sim;
    ///
    /// let run = |trace: bool| {
    ///     let mut sim = Sim::builder().seed(7).trace(trace).build();
    ///     sim.host("h", "10.0.0.1").spawn("t", |ws| {
    ///         ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    ///         let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ///         ws.closesocket(s)
    ///     });
    ///     sim.run().unwrap()
    /// };
    /// let (on, off) = (run(true), run(false));
    /// assert!(on.trace_len > 0 && on.trace_hash != 0);
    /// assert_eq!((off.trace_hash, off.trace_len), (0, 0));
    /// assert_eq!(off.virtual_time, on.virtual_time);
    /// ```
    pub fn trace(mut self, on: bool) -> Self {
        self.cfg.trace = on;
        self
    }

    /// Number of simulated CPUs (used where Windows uses the processor count; default 2).
    pub fn cpus(mut self, n: u32) -> Self {
        self.cfg.cpus = n.max(1);
        self
    }

    /// How long each `getaddrinfo` / `getnameinfo` takes in virtual time (a slow DNS server;
    /// default 0). The calling thread waits that long before the answer, so other threads run.
    /// (To make resolution fail, give the fault plan a `FaultRule::FailCall` for
    /// `"getaddrinfo"`.)
    pub fn resolve_delay(mut self, d: Duration) -> Self {
        self.cfg.resolve_delay = sat_nanos(d);
        self
    }

    /// The fault plan: rules that see every delivery and every call.
    pub fn faults(mut self, plan: FaultPlan) -> Self {
        self.faults = plan;
        self
    }

    /// Sets segmentation, nonblocking send behaviour and WSAEventSelect recording at once, to
    /// what Windows does or to everything its documentation allows (see [`Contract`]).
    ///
    /// ```
    /// use winsock_sim::sim::{Contract, Sim};
    /// let sim = Sim::builder().contract(Contract::Documented).build();
    /// # drop(sim);
    /// ```
    pub fn contract(mut self, c: Contract) -> Self {
        let (seg, send, events, completion) = match c {
            Contract::Windows => (
                Segmentation::Mss,
                SendMode::Windows,
                EventRecording::Windows,
                Completion::Windows,
            ),
            Contract::Documented => (
                Segmentation::Random,
                SendMode::Partial,
                EventRecording::Documented,
                Completion::Random,
            ),
        };
        self.cfg.completion = completion;
        self.cfg.segmentation = seg;
        self.cfg.send_mode = send;
        self.cfg.event_recording = events;
        self
    }

    /// Takes the parts a [`Replay`] holds (seed, plan, contract options), leaving the others
    /// as set, and turns the trace on ([`SimBuilder::trace`]). [`build`](SimBuilder::build)
    /// does this with `WINSOCK_SIM_REPLAY` when it is set.
    pub fn replay(mut self, r: &Replay) -> Self {
        if let Some(seed) = r.seed {
            self.cfg.seed = seed;
        }
        if let Some(plan) = &r.plan {
            self.faults = plan.clone();
        }
        if let Some(s) = r.segmentation {
            self.cfg.segmentation = s;
        }
        if let Some(m) = r.send_mode {
            self.cfg.send_mode = m;
        }
        if let Some(e) = r.event_recording {
            self.cfg.event_recording = e;
        }
        if let Some(c) = r.completion {
            self.cfg.completion = c;
        }
        if let Some(s) = r.schedule {
            self.cfg.schedule = s;
        }
        if let Some((num, den)) = r.preempt {
            self = self.preemption(num, den);
        }
        if let Some(t) = r.timer_resolution {
            self.cfg.timer_resolution = t;
        }
        // A replayed run is one to read: its trace is kept whatever the builder said.
        self.cfg.trace = true;
        self
    }
}
