//! `Sim`: the composed world (the runtime with the network, socket, kernel and model layers in
//! its slots), the hooks through which the lower layers reach the upper ones, hosts, and the
//! entry point of a run (the run loop itself is `runtime::run_loop`).

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::sim::runtime::WorldCell;

use super::builder::SimBuilder;
use super::net::fault::FaultPlan;
use super::net::tcp::NetTimer;
use super::runtime::trace::TraceRecord;
use super::runtime::SocketWaiters;
use super::runtime::{Completion, TimerResolution};
use super::socket::handles::{HandleObj, Process};
use super::socket::SocketLayer;
use crate::api::WsaError;
use crate::sim::api::{SimLayers, SimWinsock, World};
use crate::sim::kernel::Kernel;
use crate::sim::models::ModelState;
use crate::sim::net::segment::InFlight;
use crate::sim::net::Network;
use crate::sim::picture::{HostInfo, Picture, PictureFile};
use crate::sim::replay::Replay;
use crate::sim::report::SimError;
use crate::sim::runtime::{
    objects_in, sat_nanos, Config, LinkParams, Report, RunEnd, Runner, Runtime, RuntimeHooks,
    SimErrorKind, ThreadOutcome, ThreadReport, ThreadState,
};

impl RuntimeHooks<SimLayers> for World {
    fn fire(&mut self, ev: NetTimer) {
        match ev {
            NetTimer::SynRetry { sid, attempt, gen } => self.syn_retry(sid, attempt, gen),
            NetTimer::TimeWait { sid, gen } => self.time_wait_done(sid, gen),
            NetTimer::KeepAlive { sid, gen } => self.keepalive_due(sid, gen),
            NetTimer::ConnectDeadline { sid, token } => self.connect_deadline(sid, token),
            NetTimer::SynAckRetry { sid, incarnation } => self.syn_ack_retry(sid, incarnation),
            NetTimer::HalfOpenGiveUp { sid, incarnation } => {
                self.half_open_give_up(sid, incarnation)
            }
            NetTimer::DelayedAcks => self.delayed_acks_due(),
            NetTimer::Fault(t) => self.fault_timer(t),
            NetTimer::WaitableTimer { obj, setting } => self.timer_due(obj, setting),
            NetTimer::WindowTimer { obj, setting } => self.window_timer_due(obj, setting),
            NetTimer::ThreadTimer { tid, setting } => self.thread_timer_due(tid, setting),
            NetTimer::QueueTimer { id, setting } => {
                self.queue_timer_due(id, setting, SimWinsock::pool_thread)
            }
            NetTimer::TpTimer { id, setting } => {
                self.tp_timer_due(id, setting, SimWinsock::pool_thread)
            }
        }
    }

    fn deliver(&mut self, to: usize, seg: InFlight) {
        self.boxed_segment_arrives(to, seg);
    }

    fn wake_hint(&self, seg: &InFlight) -> Option<usize> {
        let w = self.net.sockets.waiters_of(seg.to_sid?)?;
        w.first_reader()
    }

    fn socket_waiters(&mut self, id: usize, create: bool) -> Option<&mut SocketWaiters> {
        if create {
            self.net.sockets.waiters_mut(id)
        } else {
            self.net.sockets.waiters_if_any(id)
        }
    }

    fn thread_blocking(&mut self, tid: usize, call: &'static str) {
        self.kernel_thread_blocking(tid, call);
    }

    fn thread_waking(&mut self, tid: usize) {
        self.kernel_thread_waking(tid);
    }

    fn thread_exited(&mut self, tid: usize) {
        self.kernel_thread_exited(tid);
        self.cancel_io_of_thread(tid);
    }

    fn end_of_instant(&mut self) -> bool {
        self.flush_acks()
    }
}

/// The seed, plan and options of the world's run.
fn replay_of(w: &World) -> Replay {
    Replay {
        seed: Some(w.rt.cfg.seed),
        plan: Some(w.net.faults.plan().clone()),
        segmentation: Some(w.rt.cfg.segmentation),
        send_mode: Some(w.rt.cfg.send_mode),
        event_recording: Some(w.rt.cfg.event_recording),
        // Printed only when not the default, so that existing replay lines stay as they were.
        completion: (w.rt.cfg.completion != Completion::Windows).then_some(w.rt.cfg.completion),
        preempt: Some(w.rt.cfg.preempt),
        schedule: Some(w.rt.cfg.schedule),
        // Likewise.
        timer_resolution: (w.rt.cfg.timer_resolution != TimerResolution::Exact)
            .then_some(w.rt.cfg.timer_resolution),
    }
}

/// Every thread's state, for a report.
fn thread_reports(w: &World) -> Vec<ThreadReport> {
    // What each thread waits on, read once for all (each thread's own search of every
    // waiter list made a run's end quadratic in its threads).
    let keys = w.keys_waited();
    let sockets = w.sockets_waited();
    w.rt.threads
        .iter()
        .enumerate()
        .map(|(i, t)| ThreadReport {
            waits_for: matches!(t.state, ThreadState::Blocked(_))
                .then(|| {
                    w.describe_wait(i, &keys[i])
                        .or_else(|| w.describe_socket_wait(&sockets[i]))
                })
                .flatten(),
            waits_on_thread: matches!(t.state, ThreadState::Blocked(_))
                .then(|| w.waits_on_thread(i, &keys[i]))
                .flatten(),
            id: i,
            name: t.name.clone(),
            host: w.net.hosts[t.host].name.clone(),
            daemon: t.daemon,
            outcome: match (&t.outcome, t.state) {
                (Some(o), _) => o.clone(),
                // Blocked outside the simulator (the watchdog's finding).
                (None, _) if w.rt.stalled == Some(i) => ThreadOutcome::Unfinished(
                    "stalled outside the simulator (a lock held across a call, a real socket, \
                     a sleep?)",
                ),
                // A wait on an object whose handle was closed: nothing can signal it (a
                // completion port's waiters end; these are events, semaphores, mutexes).
                (None, ThreadState::Blocked(call))
                    if objects_in(&keys[i]).any(|o| w.kern.objects.is_closed(o)) =>
                {
                    ThreadOutcome::Unfinished(match call {
                        "WSAWaitForMultipleEvents" => {
                            "blocked in WSAWaitForMultipleEvents on an event whose handle was \
                             closed while it waited (nothing can set it now)"
                        }
                        "MsgWaitForMultipleObjectsEx" => {
                            "blocked in MsgWaitForMultipleObjectsEx on an object whose handle \
                             was closed while it waited (nothing can signal it now)"
                        }
                        _ => {
                            "blocked in WaitForSingleObject / WaitForMultipleObjects on an \
                             object whose handle was closed while it waited (nothing can \
                             signal it now)"
                        }
                    })
                }
                (None, ThreadState::Blocked(call)) => ThreadOutcome::Unfinished(call),
                // Parked for calling again and again without ever blocking: the usual cause
                // of a run that reaches its time limit.
                (None, _) if w.rt.spinners.contains(&i) => {
                    ThreadOutcome::Unfinished("spinning (calls in a loop that never blocks)")
                }
                (None, _) => ThreadOutcome::Unfinished("runnable (not finished)"),
            },
        })
        .collect()
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
    world: Arc<WorldCell<World>>,
    runner: Runner,
}

impl fmt::Debug for Sim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.world.borrow_mut();
        f.debug_struct("Sim")
            .field("seed", &w.rt.cfg.seed)
            .field("now_ns", &w.rt.now)
            .field("threads", &w.rt.threads.len())
            .finish()
    }
}

impl Sim {
    pub(crate) fn new(cfg: Config, faults: FaultPlan) -> Sim {
        let runner = Runner::new(cfg.stack_size);
        let mut world = World {
            net: Network::new(&cfg, faults),
            rt: Runtime::new(cfg),
            sock: SocketLayer::default(),
            kern: Kernel::default(),
            models: ModelState::default(),
        };
        world.schedule_fault_timers();
        Sim {
            world: Arc::new(WorldCell::new(world)),
            runner,
        }
    }

    /// A builder with the defaults.
    pub fn builder() -> SimBuilder {
        SimBuilder::default()
    }

    /// The root seed of this run.
    pub fn seed(&self) -> u64 {
        self.world.borrow_mut().rt.cfg.seed
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
        let mut w = self.world.borrow_mut();
        let id = w.add_host(name, ip);
        w.sock.procs.push(Process::default());
        HostHandle {
            world: self.world.clone(),
            id,
        }
    }

    /// Sets the one-way latency between two hosts (both directions).
    pub fn link_latency(&mut self, a: &HostHandle, b: &HostHandle, d: Duration) {
        let mut w = self.world.borrow_mut();
        let p = LinkParams {
            latency: sat_nanos(d),
            ns_per_kib: w.rt.cfg.link.ns_per_kib,
        };
        w.set_link(a.id, b.id, p);
    }

    /// Runs until every non-daemon thread has finished (or, with none, until nothing is left to
    /// do). Errors name the seed, the threads and the last trace lines.
    pub fn run(&mut self) -> Result<Report, SimError> {
        let end = self.runner.run(&self.world, SimWinsock::new);
        let result = {
            let w = self.world.borrow_mut();
            match end {
                RunEnd::Done => Ok(self.report(&w)),
                RunEnd::Failed(kind) => Err(self.error(&w, kind)),
            }
        };
        self.teardown();
        result
    }

    fn report(&self, w: &World) -> Report {
        Report {
            seed: w.rt.cfg.seed,
            virtual_time: Duration::from_nanos(w.rt.now),
            trace_hash: w.rt.trace.hash(),
            trace_len: w.rt.trace.count(),
            threads: thread_reports(w),
            stats: w.rt.stats,
            misuses: w.rt.misuses.clone(),
        }
    }

    /// The failed run's error, its picture written (see [`crate::sim::picture`]).
    fn error(&self, w: &World, kind: SimErrorKind) -> SimError {
        let records = w.rt.trace.recent();
        let picture = Picture {
            total_records: w.rt.trace.count(),
            hosts: w
                .net
                .hosts
                .iter()
                .map(|h| HostInfo {
                    name: h.name.clone(),
                    addr: h.addrs.first().map_or_else(String::new, |a| a.to_string()),
                })
                .collect(),
            thread_hosts: w.rt.threads.iter().map(|t| t.host).collect(),
            file: PictureFile::NotWritten("not written yet".to_string()),
            records,
            misuses: w.rt.misuses.clone(),
        };
        let mut err = SimError {
            kind,
            seed: w.rt.cfg.seed,
            virtual_time: Duration::from_nanos(w.rt.now),
            threads: thread_reports(w),
            last_trace: picture.records.iter().map(|r| r.to_string()).collect(),
            trace_hash: w.rt.trace.hash(),
            faults: w.net.faults.plan().clone(),
            replay: Box::new(replay_of(w)),
            picture: Box::new(picture),
        };
        err.picture.file = if w.rt.trace.is_on() {
            err.write_default_picture()
        } else {
            PictureFile::NotWritten(
                "the trace is off (SimBuilder::trace(false)); replay the run to draw it".into(),
            )
        };
        err
    }

    /// This run's seed, fault plan and options: `WINSOCK_SIM_REPLAY=<this>` (or
    /// `SimBuilder::replay`) reruns it. For checks made after [`Sim::run`] returned `Ok`
    /// (a failed run's [`SimError`] carries it already).
    pub fn replay(&self) -> Replay {
        replay_of(&self.world.borrow_mut())
    }

    /// Every trace record kept (all of them with `full_trace(true)`), formatted one per line.
    pub fn timeline(&self) -> Vec<String> {
        let w = self.world.borrow_mut();
        w.rt.trace.recent().iter().map(|r| r.to_string()).collect()
    }

    /// The trace records kept, for programmatic checks.
    pub fn trace_records(&self) -> Vec<TraceRecord> {
        self.world.borrow_mut().rt.trace.recent()
    }

    /// Cancels the coroutines of unfinished threads. Calls they make while unwinding fail with
    /// WSAEINTR instead of blocking.
    fn teardown(&mut self) {
        self.runner.teardown(&self.world);
    }
}

impl SimBuilder {
    /// Builds the simulation (no hosts yet). When `WINSOCK_SIM_REPLAY` is set, its seed, plan
    /// and options replace the builder's: the line a failure prints replays that run.
    ///
    /// # Panics
    /// If `WINSOCK_SIM_REPLAY` is set and does not parse.
    pub fn build(self) -> Sim {
        let b = match Replay::from_env() {
            Some(r) => self.replay(&r),
            None => self,
        };
        Sim::new(b.cfg, b.faults)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.teardown();
    }
}

/// A simulated host (a Windows machine, i.e. a process with its own socket handle table).
#[derive(Clone)]
pub struct HostHandle {
    world: Arc<WorldCell<World>>,
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
        let mut w = self.world.borrow_mut();
        crate::api::ThreadId(w.new_thread(self.id, name.to_string(), false, Box::new(f)))
    }

    /// Starts a daemon thread (a server): the run does not wait for it, and it may still be
    /// blocked when the run ends. Threads it creates are daemons too. At the run's end a
    /// daemon still blocked is unwound from its blocking call: its destructors run (their
    /// calls fail at once with WSAEINTR) and nothing after that call does. A thread that
    /// keeps calling then (it caught the unwind, or a destructor retries on WSAEINTR) is
    /// stopped for good after the spin limit's 64 calls, its stack left mapped (a destructor
    /// is stopped in the middle of its unwind, so `std::thread::panicking()` stays true on
    /// the OS thread that ran the simulation).
    pub fn spawn_daemon<F>(&self, name: &str, f: F) -> crate::api::ThreadId
    where
        F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
    {
        let mut w = self.world.borrow_mut();
        crate::api::ThreadId(w.new_thread(self.id, name.to_string(), true, Box::new(f)))
    }

    /// Registers a thread to start (as a daemon) each time this host restarts after a crash
    /// ([`FaultRule::Crash`](crate::sim::FaultRule::Crash) with a restart time): a restarted
    /// machine runs its services again, with fresh sockets and its ports free.
    pub fn on_restart<F>(&self, name: &str, f: F)
    where
        F: Fn(&SimWinsock) -> Result<(), WsaError> + Send + Sync + 'static,
    {
        let mut w = self.world.borrow_mut();
        w.rt.restarts.push((self.id, name.to_string(), Arc::new(f)));
    }

    /// Adds another address (IPv4 or IPv6) to the host.
    ///
    /// # Panics
    /// If the address does not parse or belongs to another host.
    pub fn add_address(&self, addr: &str) {
        let ip: IpAddr = addr
            .parse()
            .unwrap_or_else(|_| panic!("{addr:?} is not an IP address"));
        self.world.borrow_mut().add_address(self.id, ip);
    }

    /// Adds a line to this host's `services` file (`%SystemRoot%\System32\drivers\etc\
    /// services`), after Windows' own lines, as an administrator would: `"mygame 27015/udp mg"`
    /// (name, port/protocol, aliases; a `#` starts a comment). `getservbyname`,
    /// `getservbyport`, `getaddrinfo`'s service names and `getnameinfo`'s port names on this
    /// host see it; a name Windows' file already has keeps Windows' line, which comes first.
    /// Panics on a line that is not `name port/tcp` or `name port/udp`.
    pub fn add_service(&self, line: &str) {
        let entry = crate::api::database::ServiceEntry::parse(line).unwrap_or_else(|| {
            panic!("{line:?} is not a services line (name port/tcp or port/udp, aliases)")
        });
        self.world.borrow_mut().net.hosts[self.id]
            .services
            .push(entry);
    }

    /// Raises a console-control signal (`CTRL_C_EVENT`, `CTRL_BREAK_EVENT`, `CTRL_CLOSE_EVENT`,
    /// ...) in this host's process `after` the given virtual time from the start of the run, as
    /// a user pressing Ctrl+C would: the handlers registered with `SetConsoleCtrlHandler` run
    /// on a new daemon thread named `console-ctrl`, the most recent first, until one returns
    /// true.
    pub fn raise_console_ctrl(&self, ctrl_type: u32, after: Duration) {
        let ms = u32::try_from(after.as_millis()).unwrap_or(u32::MAX - 1);
        let mut w = self.world.borrow_mut();
        w.new_thread(
            self.id,
            "console-ctrl".to_string(),
            true,
            Box::new(move |ws: &SimWinsock| {
                crate::api::Winsock::sleep(ws, ms);
                ws.run_ctrl_handlers(ctrl_type)
            }),
        );
    }

    /// The socket handles this host's process holds open (sockets not yet passed to
    /// `closesocket`): after a run, a leak check (a server should hold only its listeners).
    pub fn open_sockets(&self) -> usize {
        self.world.borrow_mut().sock.procs[self.id]
            .handles
            .iter()
            .filter(|h| matches!(h, Some(HandleObj::Socket(_))))
            .count()
    }

    /// The host's index.
    pub fn id(&self) -> usize {
        self.id
    }
}
