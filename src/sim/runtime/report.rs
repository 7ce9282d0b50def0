//! What a run reports: per-thread outcomes, counters, the trace hash on success; on
//! failure the kind, the seed to replay, each thread's state and the last trace lines.

use std::time::Duration;

use super::threads::ThreadOutcome;
use crate::api::WsaError;

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
    /// The most simulated threads alive at once (started, not finished): each holds a stack
    /// (`CreateThread`'s thread; the sim runs each on a coroutine of its own).
    pub threads_peak: u64,
    /// Coroutine stacks the run mapped: threads that found no finished thread's stack free.
    pub stacks_mapped: u64,
    /// Threads that ran on the stack of a thread that had finished, in this run or an
    /// earlier one (the sim keeps up to 128 finished stacks per OS thread, as a property
    /// test's cases run one after another, and past that up to 32,768 for the whole process:
    /// see [`release_idle_stacks`](crate::sim::release_idle_stacks)), so `stacks_mapped +
    /// stacks_reused` is every thread started.
    pub stacks_reused: u64,
}

/// How one thread ended, in a [`Report`] or [`SimError`](crate::sim::SimError).
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
    /// For a blocked thread, what it waits for: in a wait on handles, each object with its
    /// handle and state, a mutex with its owner ("mutex 0x104 (owned by t1 \"worker\")"); on
    /// sockets, each socket with its addresses and state; in GetQueuedCompletionStatus, the
    /// port and its queued packets; in a lock call, the lock and its holder.
    pub waits_for: Option<String>,
    /// The one thread whose action alone would end this thread's wait (the owner of the one
    /// mutex or critical section it waits on, the exclusive holder of the SRW lock, or the
    /// thread whose end it waits for), if there is one: a failed
    /// run's report follows these to print a deadlock's cycle.
    pub waits_on_thread: Option<usize>,
}

/// What a successful run reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The root seed.
    pub seed: u64,
    /// Virtual time when the run ended.
    pub virtual_time: Duration,
    /// Hash of the whole trace: equal seeds give equal hashes (0 with the trace off:
    /// `SimBuilder::trace(false)`).
    pub trace_hash: u64,
    /// Number of trace records (0 with the trace off).
    pub trace_len: u64,
    /// Every thread's outcome.
    pub threads: Vec<ThreadReport>,
    /// Counters.
    pub stats: Stats,
    /// The program's misuses of the API that Windows does not report, in the order seen,
    /// each with its virtual time (e.g. a completion that reached a thread-pool I/O object
    /// with no `StartThreadpoolIo` outstanding, which Windows drops).
    pub misuses: Vec<String>,
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
    /// A simulated thread kept the run from making progress for the stall timeout of wall
    /// time (`SimBuilder::stall_timeout`): it was blocked outside the simulator — a lock held
    /// across a WinSock call, a real socket, a sleep.
    Stalled,
}
