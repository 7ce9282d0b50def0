//! What a run reports: per-thread outcomes, counters, the trace hash on success; on
//! failure the kind, the seed to replay, each thread's state and the last trace lines.

use std::fmt;
use std::time::Duration;

use super::fault::FaultPlan;
use super::sched::ThreadOutcome;
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
    /// The fault plan of the run (replay it with the same seed).
    pub faults: FaultPlan,
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
        if !self.faults.rules.is_empty() {
            writeln!(f, "fault plan: {:?}", self.faults.rules)?;
        }
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
