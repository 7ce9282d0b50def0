//! `Sim`: the world it simulates, its hosts, and the run loop (the builder is in `builder.rs`,
//! the report in `report.rs`).
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

use super::api::SimWinsock;
use super::builder::{Config, SimBuilder};
use super::fault::{FaultPlan, FaultSeam};
use super::net::{Host, LinkParams};
use super::report::{Report, SimError, SimErrorKind, Stats, ThreadReport};
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

/// The whole simulated state. Shared by the run loop and the per-thread API handles through an
/// `Arc<Mutex<_>>` (only ever locked by the one OS thread running the sim); it is never held
/// across a thread switch.
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
    /// `(wire index, parameters)` of each host pair's link once used, by `[from][to]`.
    pub link_cache: Vec<Vec<Option<(usize, LinkParams)>>>,
    pub sockets: SocketTable,
    /// Source of generation numbers that invalidate stale timers.
    pub gen_counter: u64,
    /// Connections owing an acknowledgement at the end of this instant.
    pub pending_acks: Vec<usize>,
    /// Emptied segment payload buffers, reused by the next data segment.
    pub payload_pool: Vec<Vec<u8>>,
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
            link_cache: Vec::new(),
            sockets: SocketTable::default(),
            gen_counter: 0,
            pending_acks: Vec::new(),
            payload_pool: Vec::new(),
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
    pub(crate) fn new(cfg: Config, faults: FaultPlan) -> Sim {
        let stack_words = cfg.stack_size / std::mem::size_of::<usize>();
        Sim {
            world: Arc::new(Mutex::new(World::new(cfg, faults))),
            gens: Vec::new(),
            stack_words,
        }
    }

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
            latency: super::builder::sat_nanos(d),
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
                    let resumed = catch_unwind(AssertUnwindSafe(|| g.resume()));
                    if let Err(payload) = resumed {
                        // The coroutine's guard page caught a stack overflow: report it as the
                        // thread's failure instead of tearing down the caller.
                        if matches!(
                            payload.downcast_ref::<generator::Error>(),
                            Some(generator::Error::StackErr)
                        ) {
                            self.gens[tid] = None;
                            let msg = format!(
                                "stack overflow in a simulated thread (its stack is {} KiB; \
                                 raise it with SimBuilder::stack_size)",
                                self.stack_words * std::mem::size_of::<usize>() / 1024
                            );
                            self.world
                                .lock()
                                .thread_finished(tid, ThreadOutcome::Panicked(msg));
                            continue;
                        }
                        resume_unwind(payload);
                    }
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
            faults: w.faults.plan().clone(),
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
