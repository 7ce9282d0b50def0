//! `Sim`: the builder, hosts, the run loop and its report.
//!
//! The run loop owns one stackful coroutine per simulated thread (the `generator` crate) and
//! resumes them one at a time on the calling OS thread, so no lock order, OS scheduling or
//! wall-clock reading can leak into the result: the seed alone decides the run.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use generator::{Generator, Gn};
use once_cell::sync::Lazy;

use super::api::SimWinsock;
use super::fault::{FaultPlan, FaultSeam};
use super::net::{Host, LinkParams};
use super::rng::Rng;
use super::sched::{Nanos, Thread, ThreadOutcome, ThreadState, TimerQueue, WaitKey, Waiters};
use super::socket::SocketTable;
use super::trace::{Trace, TraceKind, TraceRecord};
use crate::api::WsaError;

/// A simulated thread's function.
pub(crate) type ThreadBody = Box<dyn FnOnce(&SimWinsock) -> Result<(), WsaError> + Send>;

/// Virtual time that passes for each round of busy-polling threads (parked spinners) when no
/// timer falls due sooner: 1 ms.
const SPIN_QUANTUM: Nanos = 1_000_000;

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

/// How the sender cuts its byte stream into segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segmentation {
    /// Full-size segments (up to the MSS and the peer's window).
    Mss,
    /// Segments cut at seeded random points, so `recv` sees varied chunk sizes.
    Random,
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

/// Counters kept during a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// WinSock calls made by simulated threads.
    pub calls: u64,
    /// Times the scheduler resumed a thread.
    pub switches: u64,
    /// Segments put on the simulated wire.
    pub segments: u64,
    /// Payload bytes put on the simulated wire.
    pub bytes: u64,
}

/// The whole simulated state. Shared by the run loop and the per-thread API handles through an
/// `Rc<RefCell<_>>`; it is never borrowed across a thread switch.
pub(crate) struct World {
    pub cfg: Config,
    pub now: Nanos,
    pub rng_sched: Rng,
    pub rng_net: Rng,
    pub rng_ports: Rng,
    pub threads: Vec<Thread>,
    pub runnable: Vec<usize>,
    pub spinners: Vec<usize>,
    pub timers: TimerQueue,
    pub timer_seq: u64,
    pub waiters: Waiters,
    pub hosts: Vec<Host>,
    /// Which host owns each (non-loopback) address.
    pub addr_map: BTreeMap<IpAddr, usize>,
    /// Per-pair link parameters overriding the default.
    pub links: BTreeMap<(usize, usize), LinkParams>,
    /// Arrival time of the last segment per direction, to keep each direction in order.
    pub link_tail: BTreeMap<(usize, usize), Nanos>,
    pub sockets: SocketTable,
    /// Source of generation numbers that invalidate stale timers.
    pub gen_counter: u64,
    /// Connections owing an acknowledgement at the end of this instant.
    pub pending_acks: Vec<usize>,
    /// Non-daemon threads started, and those not yet finished.
    pub counted_threads: usize,
    pub counted_unfinished: usize,
    /// Kernel objects of the wait models (events, windows, ports), by index.
    pub objects: super::objects::ObjectTable,
    /// FD_* event state of sockets that have any (WSAAsyncSelect / WSAEventSelect), by id.
    pub netev: Vec<Option<Box<super::network_events::NetEvents>>>,
    /// Overlapped operations and per-socket I/O state (completion port associations).
    pub io: super::overlapped::IoState,
    pub trace: Trace,
    pub faults: FaultSeam,
    pub spawn_queue: Vec<(usize, ThreadBody)>,
    pub stats: Stats,
    pub tearing_down: bool,
    /// Set when a thread panicked or returned an error: the run stops at once.
    pub failed: Option<(usize, SimErrorKind)>,
}

impl World {
    fn new(cfg: Config, faults: FaultPlan) -> World {
        let seed = cfg.seed;
        World {
            rng_sched: Rng::derive(seed, "sched"),
            rng_net: Rng::derive(seed, "net"),
            rng_ports: Rng::derive(seed, "ports"),
            faults: FaultSeam::new(faults, Rng::derive(seed, "faults")),
            trace: Trace::new(cfg.trace_keep, cfg.full_trace),
            cfg,
            now: 0,
            threads: Vec::new(),
            runnable: Vec::new(),
            spinners: Vec::new(),
            timers: TimerQueue::default(),
            timer_seq: 0,
            waiters: Waiters::new(),
            hosts: Vec::new(),
            addr_map: BTreeMap::new(),
            links: BTreeMap::new(),
            link_tail: BTreeMap::new(),
            sockets: SocketTable::default(),
            gen_counter: 0,
            pending_acks: Vec::new(),
            counted_threads: 0,
            counted_unfinished: 0,
            objects: Default::default(),
            netev: Vec::new(),
            io: Default::default(),
            spawn_queue: Vec::new(),
            stats: Stats::default(),
            tearing_down: false,
            failed: None,
        }
    }

    /// Appends a record to the trace.
    pub(crate) fn record(&mut self, thread: usize, kind: TraceKind, a: u64, b: u64, result: i64) {
        self.trace.record(TraceRecord {
            time: self.now,
            thread,
            kind,
            a,
            b,
            result,
        });
    }

    /// Creates a thread (runnable at once) whose body the run loop will adopt.
    pub(crate) fn new_thread(
        &mut self,
        host: usize,
        name: String,
        daemon: bool,
        body: ThreadBody,
    ) -> usize {
        let tid = self.threads.len();
        if !daemon {
            self.counted_threads += 1;
            self.counted_unfinished += 1;
        }
        self.threads.push(Thread {
            name,
            host,
            daemon,
            state: ThreadState::Runnable,
            last_error: 0,
            wait_seq: 0,
            idle_calls: 0,
            outcome: None,
            timed_out: false,
            msgq: Default::default(),
            apcs: Default::default(),
            quit: None,
            iocp_port: None,
            iocp_suspended: false,
            iocp_handoff: None,
        });
        self.runnable.push(tid);
        self.spawn_queue.push((tid, body));
        tid
    }

    fn thread_finished(&mut self, tid: usize, outcome: ThreadOutcome) {
        let code = match &outcome {
            ThreadOutcome::Ok => 0,
            ThreadOutcome::Err(e) => i64::from(e.code()),
            ThreadOutcome::Panicked(_) | ThreadOutcome::Unfinished(_) => -1,
        };
        match outcome {
            ThreadOutcome::Panicked(_) => self.failed = Some((tid, SimErrorKind::Panic)),
            ThreadOutcome::Err(_) => self.failed = Some((tid, SimErrorKind::ThreadFailed)),
            _ => {}
        }
        self.record(tid, TraceKind::ThreadEnd, 0, 0, code);
        let t = &mut self.threads[tid];
        t.state = ThreadState::Finished;
        t.outcome = Some(outcome);
        // An exiting worker stops counting against its completion port's concurrency.
        if let Some(port) = t.iocp_port.take() {
            if !std::mem::take(&mut t.iocp_suspended) {
                self.port_thread_left(port);
            }
        }
        let t = &self.threads[tid];
        if !t.daemon {
            self.counted_unfinished -= 1;
        }
        self.notify(WaitKey::Thread(tid));
    }

    /// `None` when no non-daemon thread was ever started, else whether all have finished.
    fn counted_threads_done(&self) -> Option<bool> {
        (self.counted_threads > 0).then_some(self.counted_unfinished == 0)
    }

    fn thread_reports(&self) -> Vec<ThreadReport> {
        self.threads
            .iter()
            .enumerate()
            .map(|(i, t)| ThreadReport {
                id: i,
                name: t.name.clone(),
                host: self.hosts[t.host].name.clone(),
                daemon: t.daemon,
                outcome: match (&t.outcome, t.state) {
                    (Some(o), _) => o.clone(),
                    (None, ThreadState::Blocked(call)) => ThreadOutcome::Unfinished(call),
                    (None, _) => ThreadOutcome::Unfinished("runnable"),
                },
            })
            .collect()
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

    /// One-way latency between distinct hosts (default 1 ms).
    pub fn latency(mut self, d: Duration) -> Self {
        self.cfg.link.latency = d.as_nanos() as Nanos;
        self
    }

    /// One-way latency of loopback traffic within a host (default 20 µs).
    pub fn loopback_latency(mut self, d: Duration) -> Self {
        self.cfg.loopback.latency = d.as_nanos() as Nanos;
        self
    }

    /// Link bandwidth between hosts in bytes per second (default about 125 MB/s, 1 Gbit/s).
    pub fn bandwidth(mut self, bytes_per_sec: u64) -> Self {
        self.cfg.link.ns_per_kib = (1024 * 1_000_000_000 / bytes_per_sec.max(1)).max(1);
        self
    }

    /// Maximum segment size (default 1460).
    pub fn mss(mut self, mss: usize) -> Self {
        self.cfg.mss = mss.max(1);
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

    /// Virtual time after which `run` gives up with [`SimErrorKind::TimeLimit`] (default 1 h).
    pub fn time_limit(mut self, d: Duration) -> Self {
        self.cfg.time_limit = d.as_nanos() as Nanos;
        self
    }

    /// TIME_WAIT duration (default 120 s).
    pub fn time_wait(mut self, d: Duration) -> Self {
        self.cfg.time_wait = d.as_nanos() as Nanos;
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
        let stack_words = self.cfg.stack_size / std::mem::size_of::<usize>();
        Sim {
            world: Arc::new(Mutex::new(World::new(self.cfg, self.faults))),
            gens: Vec::new(),
            stack_words,
        }
    }
}

/// A deterministic simulation: hosts, their threads, and the network between them.
///
/// ```
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::Sim;
///
/// let mut sim = Sim::builder().seed(1).build();
/// let h = sim.host("alone", "192.0.2.1");
/// h.spawn("main", |ws| {
///     ws.wsa_startup(WINSOCK_VERSION_2_2)?;
///     let t0 = ws.get_tick_count();
///     ws.sleep(1500);
///     assert_eq!(ws.get_tick_count() - t0, 1500);
///     Ok(())
/// });
/// let report = sim.run().unwrap();
/// assert_eq!(report.virtual_time.as_millis(), 1500);
/// ```
pub struct Sim {
    world: Arc<Mutex<World>>,
    gens: Vec<Option<Generator<'static, (), ()>>>,
    stack_words: usize,
}

impl fmt::Debug for Sim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.world.lock();
        f.debug_struct("Sim")
            .field("seed", &w.cfg.seed)
            .field("now_ns", &w.now)
            .field("threads", &w.threads.len())
            .finish()
    }
}

impl Sim {
    /// A builder with the defaults.
    pub fn builder() -> SimBuilder {
        SimBuilder::default()
    }

    /// The root seed of this run.
    pub fn seed(&self) -> u64 {
        self.world.lock().cfg.seed
    }

    /// Adds a host with one address (IPv4 or IPv6, e.g. `"192.0.2.1"` or `"2001:db8::1"`);
    /// every host also has the loopback addresses 127.0.0.1 and ::1.
    ///
    /// # Panics
    /// If the address does not parse or another host already has it (a test-setup error).
    pub fn host(&mut self, name: &str, addr: &str) -> HostHandle {
        let ip: IpAddr = addr
            .parse()
            .unwrap_or_else(|_| panic!("host {name}: {addr:?} is not an IP address"));
        let mut w = self.world.lock();
        let id = w.add_host(name, ip);
        HostHandle {
            world: self.world.clone(),
            id,
        }
    }

    /// Sets the one-way latency between two hosts (both directions).
    pub fn link_latency(&mut self, a: &HostHandle, b: &HostHandle, d: Duration) {
        let mut w = self.world.lock();
        let p = LinkParams {
            latency: d.as_nanos() as Nanos,
            ns_per_kib: w.cfg.link.ns_per_kib,
        };
        w.set_link(a.id, b.id, p);
    }

    /// Runs until every non-daemon thread has finished (or, with none, until nothing is left to
    /// do). Errors name the seed, the threads and the last trace lines.
    pub fn run(&mut self) -> Result<Report, SimError> {
        let result = self.run_loop();
        self.teardown();
        result
    }

    fn adopt_spawned(&mut self, queued: Vec<(usize, ThreadBody)>) {
        for (tid, body) in queued {
            let world = self.world.clone();
            let gen = Gn::<()>::new_opt(self.stack_words, move || {
                let ws = SimWinsock::new(world.clone(), tid);
                let outcome = match catch_unwind(AssertUnwindSafe(|| body(&ws))) {
                    Ok(Ok(())) => ThreadOutcome::Ok,
                    Ok(Err(e)) => ThreadOutcome::Err(e),
                    Err(payload) => {
                        if payload.is::<generator::Error>() {
                            // Cancelled at teardown while suspended: keep unwinding.
                            resume_unwind(payload);
                        }
                        ThreadOutcome::Panicked(panic_message(&payload))
                    }
                };
                world.lock().thread_finished(tid, outcome);
            });
            if self.gens.len() <= tid {
                self.gens.resize_with(tid + 1, || None);
            }
            self.gens[tid] = Some(gen);
        }
    }

    fn run_loop(&mut self) -> Result<Report, SimError> {
        loop {
            let next = {
                let mut w = self.world.lock();
                if !w.spawn_queue.is_empty() {
                    let queued = std::mem::take(&mut w.spawn_queue);
                    drop(w);
                    self.adopt_spawned(queued);
                    continue;
                }
                if let Some((_, kind)) = w.failed {
                    return Err(self.error(&w, kind));
                }
                if w.counted_threads_done() == Some(true) {
                    return Ok(self.report(&w));
                }
                let next = w.pick_runnable();
                if let Some(tid) = next {
                    w.stats.switches += 1;
                    w.record(tid, TraceKind::Switch, 0, 0, 0);
                }
                next
            };
            if let Some(tid) = next {
                if let Some(g) = self.gens[tid].as_mut() {
                    g.resume();
                    if g.is_done() {
                        self.gens[tid] = None;
                    }
                }
                continue;
            }
            let mut w = self.world.lock();
            if w.flush_acks() {
                continue;
            }
            if w.now > w.cfg.time_limit {
                return Err(self.error(&w, SimErrorKind::TimeLimit));
            }
            if !w.spinners.is_empty() {
                // Pollers burn CPU while time passes: step the clock by at most one polling
                // quantum, so a poller's own timeout (GetTickCount) is seen when it expires,
                // not when some unrelated far-off timer fires.
                let step_to = w.now + SPIN_QUANTUM;
                if w.timers.peek_at().is_some_and(|at| at <= step_to) {
                    w.fire_next_timer();
                } else {
                    w.now = step_to;
                }
                w.release_spinners();
                continue;
            }
            if w.fire_next_timer() {
                continue;
            }
            if w.counted_threads_done().is_none() {
                return Ok(self.report(&w));
            }
            return Err(self.error(&w, SimErrorKind::Deadlock));
        }
    }

    fn report(&self, w: &World) -> Report {
        Report {
            seed: w.cfg.seed,
            virtual_time: Duration::from_nanos(w.now),
            trace_hash: w.trace.hash(),
            trace_len: w.trace.count(),
            threads: w.thread_reports(),
            stats: w.stats,
        }
    }

    fn error(&self, w: &World, kind: SimErrorKind) -> SimError {
        SimError {
            kind,
            seed: w.cfg.seed,
            virtual_time: Duration::from_nanos(w.now),
            threads: w.thread_reports(),
            last_trace: w.trace.recent().iter().map(|r| r.to_string()).collect(),
            trace_hash: w.trace.hash(),
        }
    }

    /// Every trace record kept (all of them with `full_trace(true)`), formatted one per line.
    pub fn timeline(&self) -> Vec<String> {
        let w = self.world.lock();
        w.trace.recent().iter().map(|r| r.to_string()).collect()
    }

    /// The trace records kept, for programmatic checks.
    pub fn trace_records(&self) -> Vec<TraceRecord> {
        self.world.lock().trace.recent()
    }

    /// Cancels the coroutines of unfinished threads. Calls they make while unwinding fail with
    /// WSAEINTR instead of blocking.
    fn teardown(&mut self) {
        self.world.lock().tearing_down = true;
        for g in self.gens.drain(..) {
            drop(g);
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.teardown();
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// A simulated host (a Windows machine, i.e. a process with its own socket handle table).
#[derive(Clone)]
pub struct HostHandle {
    world: Arc<Mutex<World>>,
    id: usize,
}

impl fmt::Debug for HostHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HostHandle({})", self.id)
    }
}

impl HostHandle {
    /// Starts a thread on this host; [`Sim::run`] waits for it to finish.
    pub fn spawn<F>(&self, name: &str, f: F) -> crate::api::ThreadId
    where
        F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
    {
        let mut w = self.world.lock();
        crate::api::ThreadId(w.new_thread(self.id, name.to_string(), false, Box::new(f)))
    }

    /// Starts a daemon thread (a server): the run does not wait for it, and it may still be
    /// blocked when the run ends. Threads it creates are daemons too.
    pub fn spawn_daemon<F>(&self, name: &str, f: F) -> crate::api::ThreadId
    where
        F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
    {
        let mut w = self.world.lock();
        crate::api::ThreadId(w.new_thread(self.id, name.to_string(), true, Box::new(f)))
    }

    /// Adds another address (IPv4 or IPv6) to the host.
    ///
    /// # Panics
    /// If the address does not parse or belongs to another host.
    pub fn add_address(&self, addr: &str) {
        let ip: IpAddr = addr
            .parse()
            .unwrap_or_else(|_| panic!("{addr:?} is not an IP address"));
        self.world.lock().add_address(self.id, ip);
    }

    /// The host's index.
    pub fn id(&self) -> usize {
        self.id
    }
}

/// How one thread ended, in a [`Report`] or [`SimError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadReport {
    /// Thread index.
    pub id: usize,
    /// Name given at spawn.
    pub name: String,
    /// Name of its host.
    pub host: String,
    /// Whether the run waited for it.
    pub daemon: bool,
    /// Its result, or the call it was blocked in.
    pub outcome: ThreadOutcome,
}

/// What a successful run reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The root seed.
    pub seed: u64,
    /// Virtual time when the run ended.
    pub virtual_time: Duration,
    /// Hash of the whole trace: equal seeds give equal hashes.
    pub trace_hash: u64,
    /// Number of trace records.
    pub trace_len: u64,
    /// Every thread's outcome.
    pub threads: Vec<ThreadReport>,
    /// Counters.
    pub stats: Stats,
}

impl Report {
    /// The first thread (in creation order) that returned an error, with the error.
    pub fn first_error(&self) -> Option<(&ThreadReport, WsaError)> {
        self.threads.iter().find_map(|t| match t.outcome {
            ThreadOutcome::Err(e) => Some((t, e)),
            _ => None,
        })
    }
}

/// Why a run failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimErrorKind {
    /// Every thread is blocked and nothing is scheduled that could wake one.
    Deadlock,
    /// A simulated thread panicked (a failed assertion in a test, usually).
    Panic,
    /// A simulated thread's function returned an error.
    ThreadFailed,
    /// Virtual time passed the builder's time limit.
    TimeLimit,
}

/// A failed run: what went wrong, the seed to replay it, each thread's state, the last trace
/// lines.
#[derive(Debug, Clone)]
pub struct SimError {
    /// What went wrong.
    pub kind: SimErrorKind,
    /// The root seed (replay with `WINSOCK_SIM_SEED=<seed>` or `.seed(seed)`).
    pub seed: u64,
    /// Virtual time of the failure.
    pub virtual_time: Duration,
    /// Every thread's state.
    pub threads: Vec<ThreadReport>,
    /// The last trace records, formatted.
    pub last_trace: Vec<String>,
    /// Hash of the trace so far.
    pub trace_hash: u64,
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            SimErrorKind::Deadlock => "deadlock: every thread is blocked and nothing is pending",
            SimErrorKind::Panic => "a simulated thread panicked",
            SimErrorKind::ThreadFailed => "a simulated thread returned an error",
            SimErrorKind::TimeLimit => "virtual time limit exceeded",
        };
        writeln!(
            f,
            "winsock-sim: {what} at {:.6} s virtual (seed {}; replay with WINSOCK_SIM_SEED={})",
            self.virtual_time.as_secs_f64(),
            self.seed,
            self.seed
        )?;
        writeln!(f, "threads:")?;
        for t in &self.threads {
            let state = match &t.outcome {
                ThreadOutcome::Ok => "finished".to_string(),
                ThreadOutcome::Err(e) => format!("returned {e}"),
                ThreadOutcome::Panicked(m) => format!("panicked: {m}"),
                ThreadOutcome::Unfinished(call) => format!("blocked in {call}"),
            };
            writeln!(
                f,
                "  t{} {:?} on {}{}: {state}",
                t.id,
                t.name,
                t.host,
                if t.daemon { " (daemon)" } else { "" }
            )?;
        }
        writeln!(f, "last trace lines:")?;
        for l in &self.last_trace {
            writeln!(f, "  {l}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SimError {}
