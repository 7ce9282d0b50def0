//! The error a failed run returns: what went wrong, the seed and fault plan to replay it, each
//! thread's state and the last trace lines.

use std::fmt;
use std::time::Duration;

use super::net::fault::FaultPlan;
use crate::sim::runtime::{SimErrorKind, ThreadOutcome, ThreadReport};

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
            SimErrorKind::Stalled => {
                "stalled: a simulated thread blocked outside the simulator (a lock held across \
                 a WinSock call, a real socket, a sleep) and the run made no progress"
            }
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
                ThreadOutcome::Unfinished(call) if call.contains(' ') => call.to_string(),
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
