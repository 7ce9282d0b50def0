//! The runtime layer: simulated threads, the virtual clock, timers, waits, seeded randomness,
//! the trace, the run loop and what a run reports. It knows nothing of networks, sockets or
//! kernel objects: the layers above plug into it through [`Layers`] (the types of their state,
//! of their timed events and of what travels on a link) and [`RuntimeHooks`] (what the run loop
//! hands back to them).
//!
//! Map:
//! - `config` — [`Config`], the settings every layer reads (set by `sim::builder`);
//! - `threads` — simulated threads, waits ([`WaitKey`]), blocking and waking, spinners;
//! - `waiters` — who waits on what: each socket's lists and every other key's;
//! - `wait_lookup` — what a blocked thread waits on, read from the waiter lists for reports;
//! - `schedule` — which thread runs next: uniform, PCT, or a script for exhaustive search;
//! - `timers` — the timer queue and the per-link delivery queues;
//! - `run_loop` — the coroutines and the loop that resumes them one at a time;
//! - `stack_pool` — finished threads' coroutines, kept to run later threads on their stacks;
//! - `decide` — the run loop's next step ([`RunEnd`] among them), taken by the run loop or
//!   by a thread that has just blocked in a run of few threads;
//! - `rng` — the seeded generators; `trace` — the trace and its hash;
//! - `report` — [`Report`], [`Stats`], [`ThreadReport`], [`SimErrorKind`].

mod config;
mod decide;
pub mod report;
pub mod rng;
mod run_loop;
mod schedule;
mod stack_pool;
mod threads;
mod timers;
pub mod trace;
mod wait_lookup;
mod waiters;
pub(crate) use wait_lookup::objects_in;
mod watchdog;

pub(crate) use config::{
    delayed_ack_due, sat_nanos, Config, LinkParams, DELAYED_ACK_TICK, MAX_MSS, MAX_NANOS,
};
pub use config::{
    AckPolicy, Completion, EventRecording, Segmentation, SendMode, TimerResolution, DEFAULT_SEED,
};
pub(crate) use decide::RunEnd;
pub use report::{Report, SimErrorKind, Stats, ThreadReport};
pub(crate) use run_loop::{
    checked_exit, mark_checked, mark_unchecked, park_for_good, resumed, switching, RestartBody,
    Runner, ThreadBody,
};
pub use schedule::Schedule;
pub(crate) use schedule::Script;
pub use stack_pool::release_idle_stacks;
pub use threads::ThreadOutcome;
pub(crate) use threads::{Step, Thread, ThreadState, WaitKey};
pub(crate) use timers::TimerQueue;
pub(crate) use waiters::{SocketWaiters, Waiters};

use rng::Rng;
use schedule::Scheduler;
use trace::{Trace, TraceKind, TraceRecord};

/// Virtual time in nanoseconds since the start of the run.
pub(crate) type Nanos = u64;

/// The cell that holds the world, shared by the run loop and every simulated thread's
/// handle. One simulated thread runs at a time and none holds the world across a switch, so
/// on the run's own OS thread it is never contended: taking it is one compare-and-swap and
/// giving it back one store, where a mutex's unlock is a second read-modify-write (about
/// 11 ns on this VM, several times a message). The one other taker is the stall watchdog,
/// on its own OS thread, for the moment it takes to describe a stalled thread: a take that
/// meets it waits ([`WorldCell::borrow_mut`]).
pub(crate) struct WorldCell<W>(spin::Mutex<W>);

/// The world, taken from its [`WorldCell`]; given back when dropped.
pub(crate) type WorldRef<'a, W> = spin::MutexGuard<'a, W>;

/// How long a take waits for the world before it calls the world lost: far longer than the
/// watchdog holds it, far shorter than a hang.
const WORLD_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

impl<W> WorldCell<W> {
    pub(crate) fn new(world: W) -> Self {
        WorldCell(spin::Mutex::new(world))
    }

    /// Takes the world. When it is taken (the watchdog describing a stalled thread), waits
    /// for it; after [`WORLD_WAIT`] panics, naming the broken invariant (a thread switch
    /// with the world held never gives it back), instead of hanging.
    #[inline]
    #[track_caller]
    pub(crate) fn borrow_mut(&self) -> WorldRef<'_, W> {
        match self.0.try_lock() {
            Some(w) => w,
            None => self.borrow_contended(),
        }
    }

    /// [`WorldCell::borrow_mut`] when the world is taken. The wall clock bounds an internal
    /// error here; it never reaches simulated behaviour.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn borrow_contended(&self) -> WorldRef<'_, W> {
        let start = std::time::Instant::now();
        loop {
            std::thread::yield_now();
            if let Some(w) = self.0.try_lock() {
                return w;
            }
            if start.elapsed() > WORLD_WAIT {
                panic!(
                    "winsock-sim internal error: the world is in use (held across a thread \
                     switch, or used from another OS thread during a run)"
                );
            }
        }
    }

    /// Takes the world if it is free.
    #[inline]
    pub(crate) fn try_borrow_mut(&self) -> Option<WorldRef<'_, W>> {
        self.0.try_lock()
    }
}

/// The types the layers above the runtime fill in. The runtime stores their state in
/// [`World`]'s slots and passes their events back through [`RuntimeHooks`] without looking
/// inside.
pub(crate) trait Layers: Sized + 'static {
    /// The network layer's state.
    type Net: Send;
    /// The socket layer's state.
    type Sock: Send;
    /// The kernel-object layer's state.
    type Kern: Send;
    /// The I/O models' state.
    type Models: Send;
    /// What a simulated thread's function receives (the WinSock handle).
    type Handle: Send;
    /// An upper layer's timed event (fired through [`RuntimeHooks::fire`]).
    type Timer: Send;
    /// What travels on a link to a host (delivered through [`RuntimeHooks::deliver`]).
    type Packet: Send;
    /// What the upper layers keep per simulated thread.
    type ThreadExt: Default + Send;

    /// A simulated thread's function returned (`Ok` or `Err`): what the layers above do on
    /// the thread before it ends, as Windows' thread exit (the FLS callbacks).
    fn thread_exit(_handle: &Self::Handle) {}
}

/// What the runtime tells the layers above it. Implemented once, by the composed world.
pub(crate) trait RuntimeHooks<L: Layers> {
    /// A timed event of an upper layer fell due.
    fn fire(&mut self, ev: L::Timer);
    /// A packet arrived at host `to`.
    fn deliver(&mut self, to: usize, pkt: L::Packet);
    /// The [readers, writers] waiter lists of socket `id` (socket waits are kept by socket id,
    /// so waking them needs no map look-up): with `create`, to add a waiter (`None` if there
    /// is no such socket); without, to wake them (`None` if no thread ever waited there).
    fn socket_waiters(&mut self, id: usize, create: bool) -> Option<&mut SocketWaiters>;
    /// Thread `tid` is about to block in `call`.
    fn thread_blocking(&mut self, tid: usize, call: &'static str);
    /// Thread `tid` was woken from a wait.
    fn thread_waking(&mut self, tid: usize);
    /// Thread `tid` finished.
    fn thread_exited(&mut self, tid: usize);
    /// No thread can run at this instant: finish the instant's deferred work. True when
    /// there was some (threads may have become runnable).
    fn end_of_instant(&mut self) -> bool;
    /// The thread a delivery of `pkt` would likely wake (a cache hint, never a decision).
    fn wake_hint(&self, pkt: &L::Packet) -> Option<usize>;
}

/// The runtime's own state.
pub(crate) struct Runtime<L: Layers> {
    pub cfg: Config,
    pub now: Nanos,
    /// Which thread runs next (seeded).
    pub sched: Scheduler,
    pub threads: Vec<Thread<L::ThreadExt>>,
    pub runnable: Vec<usize>,
    pub spinners: Vec<usize>,
    pub timers: TimerQueue<L::Timer, L::Packet>,
    pub timer_seq: u64,
    pub waiters: Waiters,
    pub trace: Trace,
    pub spawn_queue: Vec<(usize, ThreadBody<L>)>,
    pub stats: Stats,
    /// Non-daemon threads started, and those not yet finished.
    pub counted_threads: usize,
    pub counted_unfinished: usize,
    pub tearing_down: bool,
    /// Threads to start again on a host that restarts after a crash: (host, name, body).
    pub restarts: Vec<(usize, String, RestartBody<L>)>,
    /// Set when a thread panicked or returned an error: the run stops at once.
    pub failed: Option<(usize, SimErrorKind)>,
    /// The thread that stalled the run (blocked outside the simulator), if one did.
    pub stalled: Option<usize>,
    /// The run loop's next step, when a thread that blocked took it (see
    /// `World::decide_in_place`): the run loop acts on it instead of deciding.
    pub decided: Option<decide::Decision>,
    /// How often recent picks were of the thread that had just run (where to decide).
    pub self_picks: decide::SelfPicks,
    /// The stall watchdog's view of this run, if it is watched: a thread that goes on
    /// after deciding in place counts as resumed.
    pub watch: Option<std::sync::Arc<watchdog::Watch>>,
    /// The program's misuses of the API seen so far (`note_misuse_by`), for the report.
    pub misuses: Vec<String>,
    /// The instant of the last checkpoint of threads that keep waking each other without the
    /// clock moving, and the switches since it (`World::cpu_time_passes`).
    pub instant: Nanos,
    pub instant_switches: u64,
}

/// How many threads a run's vectors have room for before they grow.
const SMALL_RUN_THREADS: usize = 8;

impl<L: Layers> Runtime<L> {
    /// Notes a misuse of the API the program made that Windows does not report (it drops,
    /// corrupts or hangs instead), by thread `tid`: the run's report lists it with the virtual
    /// time and the thread.
    pub(crate) fn note_misuse_by(&mut self, tid: usize, what: String) {
        let t = std::time::Duration::from_nanos(self.now);
        let name = self.threads.get(tid).map_or("?", |th| th.name.as_str());
        self.misuses
            .push(format!("at {t:?}, thread t{tid} \"{name}\": {what}"));
    }

    pub(crate) fn new(cfg: Config) -> Runtime<L> {
        Runtime {
            sched: Scheduler::new(
                Rng::derive(cfg.seed, "sched"),
                cfg.schedule,
                cfg.script.clone(),
            ),
            trace: Trace::new(cfg.trace_keep, cfg.full_trace, cfg.trace || cfg.full_trace),
            cfg,
            now: 0,
            // Room for a small run's threads from the start (a property test's case has a
            // few): the vectors do not grow, copying 384-byte records, in every short run.
            threads: Vec::with_capacity(SMALL_RUN_THREADS),
            runnable: Vec::with_capacity(SMALL_RUN_THREADS),
            spinners: Vec::new(),
            timers: TimerQueue::default(),
            timer_seq: 0,
            waiters: Waiters::new(),
            spawn_queue: Vec::with_capacity(SMALL_RUN_THREADS),
            stats: Stats::default(),
            counted_threads: 0,
            counted_unfinished: 0,
            tearing_down: false,
            restarts: Vec::new(),
            failed: None,
            stalled: None,
            decided: None,
            self_picks: decide::SelfPicks::default(),
            watch: None,
            misuses: Vec::new(),
            instant: 0,
            instant_switches: 0,
        }
    }

    /// Appends a record to the trace, on the host of `thread` (none for the network).
    #[inline(always)]
    pub(crate) fn record(&mut self, thread: usize, kind: TraceKind, a: u64, b: u64, result: i64) {
        let host = self
            .threads
            .get(thread)
            .map_or(trace::NO_HOST, |t| t.host as u32);
        self.record_on(host, thread, kind, a, b, result);
    }

    /// Appends a record to the trace, on `host` (`trace::NO_HOST` for none). Inline, as
    /// every step to the trace is (see `Trace::record`).
    #[inline(always)]
    pub(crate) fn record_on(
        &mut self,
        host: u32,
        thread: usize,
        kind: TraceKind,
        a: u64,
        b: u64,
        result: i64,
    ) {
        self.trace.record(TraceRecord {
            time: self.now,
            thread,
            host,
            kind,
            a,
            b,
            result,
        });
    }

    /// `None` when no non-daemon thread was ever started, else whether all have finished.
    pub(crate) fn counted_threads_done(&self) -> Option<bool> {
        (self.counted_threads > 0).then_some(self.counted_unfinished == 0)
    }
}

/// The whole simulated state: the runtime's own and one slot per upper layer, each layer's
/// state a struct of its own. Shared by the run loop and the per-thread handles through an
/// `Arc<Mutex<_>>` (only ever locked by the one OS thread running the sim, never across a
/// thread switch).
///
/// Each layer adds methods to it in `impl` blocks bounded by the slots it may touch (its own
/// and those below), so a layer's code cannot reach a layer above it except through a hook
/// trait it defines itself.
pub(crate) struct World<L: Layers> {
    pub rt: Runtime<L>,
    pub net: L::Net,
    pub sock: L::Sock,
    pub kern: L::Kern,
    pub models: L::Models,
}

impl<L: Layers> World<L>
where
    Self: RuntimeHooks<L>,
{
    /// Appends a record to the trace, on the host of `thread` (none for the network).
    #[inline(always)]
    pub(crate) fn record(&mut self, thread: usize, kind: TraceKind, a: u64, b: u64, result: i64) {
        self.rt.record(thread, kind, a, b, result);
    }

    /// Appends a record made by the network to the trace, on host index `host`
    /// (`usize::MAX` for none).
    #[inline(always)]
    pub(crate) fn record_net(&mut self, host: usize, kind: TraceKind, a: u64, b: u64) {
        let host = u32::try_from(host).unwrap_or(trace::NO_HOST);
        self.rt.record_on(host, trace::NET_THREAD, kind, a, b, 0);
    }

    /// Creates a thread (runnable at once) whose body the run loop will adopt.
    pub(crate) fn new_thread(
        &mut self,
        host: usize,
        name: String,
        daemon: bool,
        body: ThreadBody<L>,
    ) -> usize {
        let rt = &mut self.rt;
        let tid = rt.threads.len();
        if !daemon {
            rt.counted_threads += 1;
            rt.counted_unfinished += 1;
        }
        rt.threads.push(Thread {
            name,
            host,
            daemon,
            state: ThreadState::Runnable,
            last_error: 0,
            wait_seq: 0,
            idle_calls: 0,
            outcome: None,
            timed_out: false,
            ext: Default::default(),
        });
        rt.sched.thread_created(tid);
        rt.runnable.push(tid);
        rt.spawn_queue.push((tid, body));
        tid
    }

    /// Starts the threads registered for `host`'s restart, as daemons.
    pub(crate) fn restart_threads(&mut self, host: usize) {
        let bodies: Vec<(String, RestartBody<L>)> = self
            .rt
            .restarts
            .iter()
            .filter(|(h, _, _)| *h == host)
            .map(|(_, name, body)| (name.clone(), body.clone()))
            .collect();
        for (name, body) in bodies {
            self.new_thread(host, name, true, Box::new(move |ws| body(ws)));
        }
    }

    /// Thread `tid`'s function returned (or panicked).
    pub(crate) fn thread_finished(&mut self, tid: usize, outcome: ThreadOutcome) {
        let code = match &outcome {
            ThreadOutcome::Ok => 0,
            ThreadOutcome::Err(e) => i64::from(e.code()),
            ThreadOutcome::Panicked(_) | ThreadOutcome::Unfinished(_) => -1,
        };
        match outcome {
            ThreadOutcome::Panicked(_) => self.rt.failed = Some((tid, SimErrorKind::Panic)),
            ThreadOutcome::Err(_) => self.rt.failed = Some((tid, SimErrorKind::ThreadFailed)),
            _ => {}
        }
        self.record(tid, TraceKind::ThreadEnd, 0, 0, code);
        let t = &mut self.rt.threads[tid];
        t.state = ThreadState::Finished;
        t.outcome = Some(outcome);
        self.thread_exited(tid);
        if !self.rt.threads[tid].daemon {
            self.rt.counted_unfinished -= 1;
        }
        self.notify(WaitKey::Thread(tid));
    }
}

#[cfg(test)]
mod world_cell_tests {
    use crate::sim::runtime::WorldCell;
    use std::sync::{mpsc, Arc};

    /// Proves: a take that meets another OS thread's (the stall watchdog's) waits for it
    /// and then gets the world, with what the other thread wrote.
    #[test]
    fn a_take_waits_for_another_os_threads_take() {
        let cell = Arc::new(WorldCell::new(0u32));
        let (taken, is_taken) = mpsc::channel();
        let other = {
            let cell = cell.clone();
            std::thread::spawn(move || {
                let mut w = cell.borrow_mut();
                taken.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(50));
                *w = 7;
            })
        };
        is_taken.recv().unwrap();
        assert_eq!(*cell.borrow_mut(), 7);
        other.join().unwrap();
    }

    /// Proves: a world that is never given back (taken twice on one thread) ends in a
    /// panic naming the broken invariant, not a hang.
    #[test]
    #[should_panic(expected = "the world is in use")]
    fn a_take_that_never_comes_back_panics() {
        let cell = WorldCell::new(0u32);
        let _held = cell.borrow_mut();
        let _again = cell.borrow_mut();
    }
}
