//! The settings of a run (seed, links, segmentation, send mode, preemption, stack size,
//! limits) as every layer reads them, and where an unset seed comes from. The builder that
//! sets them is `sim::builder`.

use std::time::Duration;

use once_cell::sync::Lazy;

use super::Nanos;

/// The period of Windows' delayed-ACK timer tick (`TcpDelAckTicks` counts these): 100 ms.
pub(crate) const DELAYED_ACK_TICK: Nanos = 100_000_000;

/// Where the delayed-ACK ticks fall: at `DELAYED_ACK_PHASE + k * DELAYED_ACK_TICK` of virtual
/// time. Windows' tick runs from boot, unrelated to a program's clock; programs mostly wait
/// whole multiples of 100 ms from a start near 0, so ticks halfway between those instants
/// keep a program away from the edge cases (an ACK 100 ms or 200 ms later) that a real
/// machine only meets by chance.
pub(crate) const DELAYED_ACK_PHASE: Nanos = DELAYED_ACK_TICK / 2;

/// The instant of the `ticks`-th delayed-ACK tick strictly after `now`. Never decreases as
/// `now` grows.
pub(crate) fn delayed_ack_due(now: Nanos, ticks: u64) -> Nanos {
    let shifted = now.saturating_add(DELAYED_ACK_TICK - DELAYED_ACK_PHASE);
    (shifted / DELAYED_ACK_TICK)
        .saturating_add(ticks)
        .saturating_mul(DELAYED_ACK_TICK)
        - (DELAYED_ACK_TICK - DELAYED_ACK_PHASE)
}

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

/// Whether an overlapped call that can complete inside the call does so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// What Windows usually does: an overlapped WSASend with room or WSARecv with data
    /// already there completes at once (conformance OV-06).
    Windows,
    /// What the documentation allows: each such call completes at once or returns
    /// WSA_IO_PENDING and completes a moment later, as the seed draws (half and half).
    Random,
}

/// When TCP acknowledges received data, and whether it coalesces small sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckPolicy {
    /// What Windows does by default: delayed ACK (an ACK goes out for every second data
    /// segment received, otherwise when the delayed-ACK timer expires — on the second 100-ms
    /// tick after the segment by default (`TcpDelAckTicks` = 2), i.e. 100-200 ms later — or
    /// earlier on any segment sent the other way, which carries it) and Nagle's algorithm (a
    /// segment smaller than the MSS waits while earlier data is unacknowledged, unless the
    /// socket has `TCP_NODELAY` set). A FIN and window updates after reads are acknowledged
    /// or sent at once.
    Windows,
    /// Every arrival is acknowledged at the end of the instant it arrives in (a reply sent in
    /// the same instant carries the ACK) and no small segment is ever held: no virtual time is
    /// spent waiting for ACKs. Use it when a test should not depend on ACK timing.
    Immediate,
}

/// When timed waits and timers end: at their deadline, or on Windows' clock interrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerResolution {
    /// Exactly at their deadline: `Sleep(16)` takes 16 ms, `GetTickCount` counts every
    /// millisecond. The default.
    Exact,
    /// As Windows does it: the clock interrupts every 15.625 ms (every `n` ms while the
    /// process holds a `timeBeginPeriod(n)` with `n` smaller), and a timed wait or timer of
    /// `t` ms falls due at the first interrupt at or after the last interrupt plus `t`
    /// (`Sleep(1)` ends at the next interrupt, `Sleep(16)` started on one takes 31.25 ms); a
    /// periodic timer's period is rounded up to whole interrupts. `GetTickCount` advances in
    /// steps of 15.625 ms whatever the resolution; `timeGetTime` and
    /// `GetSystemTimeAsFileTime` advance at each interrupt. Interrupts fall at multiples of
    /// the period of the host's uptime.
    Windows,
}

impl TimerResolution {
    /// A proptest strategy drawing either (shrinking toward [`TimerResolution::Exact`]), for a
    /// property whose timing should hold on Windows' clock too.
    ///
    /// ```
    /// use proptest::strategy::{Strategy, ValueTree};
    /// use proptest::test_runner::TestRunner;
    /// use winsock_sim::sim::{Sim, TimerResolution};
    /// let mut runner = TestRunner::deterministic();
    /// let timers = TimerResolution::strategy().new_tree(&mut runner).unwrap().current();
    /// let sim = Sim::builder().timer_resolution(timers).build();
    /// # drop(sim);
    /// ```
    pub fn strategy() -> impl proptest::strategy::Strategy<Value = TimerResolution> {
        proptest::prop_oneof![
            proptest::strategy::Just(TimerResolution::Exact),
            proptest::strategy::Just(TimerResolution::Windows),
        ]
    }
}

/// How the sender cuts its byte stream into segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segmentation {
    /// Full-size segments (up to the MSS and the peer's window), as Windows sends them: the
    /// default.
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
    /// Immediate or random sync/pending completion of overlapped calls.
    pub completion: Completion,
    pub ack_policy: AckPolicy,
    /// The delayed-ACK timer under [`AckPolicy::Windows`], in ticks of [`DELAYED_ACK_TICK`]
    /// (Windows' `TcpDelAckTicks`); 0 acknowledges at once.
    pub delayed_ack_ticks: u64,
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
    /// Whether the trace is recorded and hashed at all (`SimBuilder::trace`).
    pub trace: bool,
    pub cpus: u32,
    /// Wall time without progress after which a run counts as stalled (zero: never).
    pub stall_timeout: Duration,
    /// The scheduling strategy.
    pub schedule: super::Schedule,
    /// Scripted decisions (exhaustive exploration), overriding `schedule`.
    pub script: Option<std::sync::Arc<parking_lot::Mutex<super::Script>>>,
    /// How long `getaddrinfo` / `getnameinfo` take (a DNS round trip); 0 by default.
    pub resolve_delay: Nanos,
    /// When timed waits and timers end.
    pub timer_resolution: TimerResolution,
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
            segmentation: Segmentation::Mss,
            send_mode: SendMode::Windows,
            event_recording: EventRecording::Windows,
            completion: Completion::Windows,
            ack_policy: AckPolicy::Windows,
            // Windows' default delayed-ACK timer (TcpDelAckTicks = 2 ticks of 100 ms).
            delayed_ack_ticks: 2,
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
            trace: true,
            cpus: 2,
            stall_timeout: Duration::from_secs(10),
            schedule: super::Schedule::Random,
            script: None,
            resolve_delay: 0,
            timer_resolution: TimerResolution::Exact,
        }
    }
}

/// Latency and serialisation cost of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LinkParams {
    /// One-way propagation delay.
    pub latency: Nanos,
    /// Serialisation delay per KiB of payload.
    pub ns_per_kib: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delayed_ack_falls_on_the_nth_tick_after_arrival() {
        const MS: Nanos = 1_000_000;
        // Ticks at 50 ms, 150 ms, 250 ms, ...
        assert_eq!(delayed_ack_due(0, 2), 150 * MS);
        assert_eq!(delayed_ack_due(49 * MS, 2), 150 * MS);
        assert_eq!(delayed_ack_due(50 * MS, 2), 250 * MS); // strictly after
        assert_eq!(delayed_ack_due(50 * MS + 1, 1), 150 * MS);
        assert_eq!(delayed_ack_due(1_000 * MS + 40_000, 2), 1_150 * MS);
        // Saturates instead of overflowing at the end of time.
        assert!(delayed_ack_due(Nanos::MAX, 2) >= Nanos::MAX - DELAYED_ACK_TICK);
        let mut last = 0;
        for now in (0..400 * MS).step_by(7_777_777) {
            let due = delayed_ack_due(now, 2);
            assert!(due > now + 100 * MS - 1 && due <= now + 200 * MS);
            assert!(due >= last);
            last = due;
        }
    }
}
