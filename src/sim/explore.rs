//! Schedule exploration: many runs of one test, each under a different interleaving, with a
//! count of how many distinct interleavings were covered.
//!
//! [`Explorer::exhaustive`] enumerates the interleavings of a small test depth-first, as a
//! stateless model checker does: every scheduling decision of a run (which runnable thread
//! goes next; whether a call is a preemption point) is recorded with its number of options, and
//! the next run replays the same decisions up to the last one that still has an untried
//! option. Preemptions are bounded (CHESS-style): a bug that needs few preemptions is found
//! in far fewer runs than the whole tree. [`Explorer::seeds`] sweeps seeds under a
//! [`Schedule`] (uniform or PCT). Both stop at the first failure and say how to replay it.

use std::collections::BTreeSet;
use std::sync::Arc;

use parking_lot::Mutex;

use super::builder::SimBuilder;
use super::report::SimError;
use super::runtime::{Report, Schedule, Script};

/// What an exploration covered.
#[derive(Debug)]
pub struct Exploration {
    /// Runs made.
    pub runs: u64,
    /// Distinct interleavings seen (distinct trace hashes; runs with the trace off,
    /// `SimBuilder::trace(false)`, all hash to 0 and count as one).
    pub distinct_interleavings: usize,
    /// Exhaustive mode: every interleaving within the preemption bound was run.
    pub exhausted: bool,
    /// The first failing run: its error, and how to replay it (the seed, or the decision
    /// script of an exhaustive run).
    pub failure: Option<(SimError, Rerun)>,
}

/// How to replay one explored run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rerun {
    /// Build with this seed (and the same schedule).
    Seed(u64),
    /// Pass these decisions to [`Explorer::replay`].
    Decisions(Vec<u32>),
}

/// Runs a test under many schedules. The test is a closure that receives a configured
/// [`SimBuilder`], adds its hosts and threads, and returns `Sim::run`'s result.
///
/// ```
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::{Explorer, Sim};
///
/// // Two threads append to a shared log: how many orders does the scheduler produce?
/// let result = Explorer::exhaustive(2, 1000).run(|builder| {
///     let mut sim = builder.build();
///     let h = sim.host("a", "192.0.2.1");
///     for name in ["x", "y"] {
///         h.spawn(name, |ws| {
///             ws.wsa_startup(WINSOCK_VERSION_2_2)?;
///             ws.sleep(0);
///             ws.wsa_cleanup()
///         });
///     }
///     sim.run()
/// });
/// assert!(result.exhausted);
/// assert!(result.distinct_interleavings > 1);
/// ```
#[derive(Debug, Clone)]
pub struct Explorer {
    mode: Mode,
    max_runs: u64,
}

#[derive(Debug, Clone)]
enum Mode {
    Exhaustive { max_preemptions: u32 },
    Seeds { first: u64, schedule: Schedule },
}

impl Explorer {
    /// Every interleaving with at most `max_preemptions` preemptions, up to `max_runs` runs.
    pub fn exhaustive(max_preemptions: u32, max_runs: u64) -> Explorer {
        Explorer {
            mode: Mode::Exhaustive { max_preemptions },
            max_runs,
        }
    }

    /// Seeds `first..first + runs` under `schedule`.
    pub fn seeds(first: u64, runs: u64, schedule: Schedule) -> Explorer {
        Explorer {
            mode: Mode::Seeds { first, schedule },
            max_runs: runs,
        }
    }

    /// Replays one run of an exhaustive exploration from its decisions.
    pub fn replay<F>(
        decisions: &[u32],
        max_preemptions: u32,
        mut test: F,
    ) -> Result<Report, SimError>
    where
        F: FnMut(SimBuilder) -> Result<Report, SimError>,
    {
        let script = Arc::new(Mutex::new(Script {
            prefix: decisions.to_vec(),
            max_preemptions,
            ..Script::default()
        }));
        test(SimBuilder::default().script(script))
    }

    /// Runs the test under each schedule until one fails or the runs are used up.
    pub fn run<F>(&self, mut test: F) -> Exploration
    where
        F: FnMut(SimBuilder) -> Result<Report, SimError>,
    {
        let mut hashes = BTreeSet::new();
        let mut runs = 0;
        match self.mode {
            Mode::Seeds { first, schedule } => {
                for seed in first..first.saturating_add(self.max_runs) {
                    runs += 1;
                    match test(SimBuilder::default().seed(seed).schedule(schedule)) {
                        Ok(r) => {
                            hashes.insert(r.trace_hash);
                        }
                        Err(e) => {
                            hashes.insert(e.trace_hash);
                            return Exploration {
                                runs,
                                distinct_interleavings: hashes.len(),
                                exhausted: false,
                                failure: Some((e, Rerun::Seed(seed))),
                            };
                        }
                    }
                }
                Exploration {
                    runs,
                    distinct_interleavings: hashes.len(),
                    exhausted: false,
                    failure: None,
                }
            }
            Mode::Exhaustive { max_preemptions } => {
                let mut prefix: Vec<u32> = Vec::new();
                loop {
                    if runs >= self.max_runs {
                        break;
                    }
                    runs += 1;
                    let script = Arc::new(Mutex::new(Script {
                        prefix: prefix.clone(),
                        max_preemptions,
                        ..Script::default()
                    }));
                    let result = test(SimBuilder::default().script(script.clone()));
                    let taken = std::mem::take(&mut script.lock().taken);
                    match result {
                        Ok(r) => {
                            hashes.insert(r.trace_hash);
                        }
                        Err(e) => {
                            hashes.insert(e.trace_hash);
                            let decisions = taken.iter().map(|&(c, _)| c).collect();
                            return Exploration {
                                runs,
                                distinct_interleavings: hashes.len(),
                                exhausted: false,
                                failure: Some((e, Rerun::Decisions(decisions))),
                            };
                        }
                    }
                    // The next run: the deepest decision with an untried option, advanced.
                    let Some(i) = taken.iter().rposition(|&(c, n)| c + 1 < n) else {
                        return Exploration {
                            runs,
                            distinct_interleavings: hashes.len(),
                            exhausted: true,
                            failure: None,
                        };
                    };
                    prefix = taken[..i].iter().map(|&(c, _)| c).collect();
                    prefix.push(taken[i].0 + 1);
                }
                Exploration {
                    runs,
                    distinct_interleavings: hashes.len(),
                    exhausted: false,
                    failure: None,
                }
            }
        }
    }
}
