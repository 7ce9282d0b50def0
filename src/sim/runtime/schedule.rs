//! Which simulated thread runs next: the scheduling strategies.
//!
//! The scheduler makes two kinds of decision: at a call, whether to preempt the running thread
//! (a preemption point), and, when several threads can run, which one runs. Every strategy is
//! decided by the seed alone:
//! - [`Schedule::Random`] (default): each call is a preemption point with the builder's
//!   probability and the next thread is drawn uniformly;
//! - [`Schedule::Pct`]: probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010):
//!   threads get distinct random priorities, the highest-priority runnable thread always runs,
//!   and at `change_points` random steps the running thread drops below every other. A bug
//!   that needs `d` ordering constraints is found with probability at least 1/(n·k^(d−1)) per
//!   run with `d - 1` change points (n threads, k steps), far more than uniform choice gives
//!   for deep bugs;
//! - a *script* (used by [`Explorer`](crate::sim::Explorer)): decisions are taken from a
//!   prefix and recorded, so a bounded exhaustive search can enumerate every interleaving of a
//!   small test.

use std::sync::Arc;

use parking_lot::Mutex;

use super::rng::Rng;

/// How the simulator chooses the next thread (`SimBuilder::schedule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schedule {
    /// Uniformly random choice, and preemption points with the builder's probability
    /// (`SimBuilder::preemption`). The default.
    #[default]
    Random,
    /// PCT: random thread priorities with `change_points` priority change points spread over
    /// the first `horizon` scheduling steps; every call is a preemption point, so the
    /// highest-priority runnable thread always runs.
    Pct {
        /// Number of priority change points (the bug depth aimed at, minus one).
        change_points: u32,
        /// Scheduling steps among which the change points are drawn.
        horizon: u64,
    },
}

/// A scripted run's decisions: taken from `prefix`, then the first option; every decision and
/// its number of options recorded (shared with the explorer that reads them after the run).
#[derive(Debug, Default)]
pub(crate) struct Script {
    pub prefix: Vec<u32>,
    pub taken: Vec<(u32, u32)>,
    /// Preemptions allowed in the run (preemption bounding): once used up, a preemption point
    /// is no longer a choice.
    pub max_preemptions: u32,
    pub preemptions: u32,
}

/// The scheduler's state.
#[derive(Debug)]
pub(crate) struct Scheduler {
    rng: Rng,
    mode: Mode,
}

#[derive(Debug)]
enum Mode {
    Random,
    Pct(Pct),
    Script(Arc<Mutex<Script>>),
}

#[derive(Debug)]
struct Pct {
    /// Priority of each thread by id (higher runs first).
    prio: Vec<u64>,
    /// Steps taken so far.
    step: u64,
    /// The steps at which the running thread's priority drops, ascending, with the low
    /// priority it drops to.
    changes: Vec<(u64, u64)>,
}

impl Scheduler {
    pub(crate) fn new(rng: Rng, schedule: Schedule, script: Option<Arc<Mutex<Script>>>) -> Self {
        let mut rng = rng;
        let mode = match (script, schedule) {
            (Some(s), _) => Mode::Script(s),
            (None, Schedule::Random) => Mode::Random,
            (
                None,
                Schedule::Pct {
                    change_points,
                    horizon,
                },
            ) => {
                let horizon = horizon.max(1);
                let mut changes: Vec<(u64, u64)> = (0..change_points)
                    .map(|i| (rng.below(horizon), u64::from(change_points - i)))
                    .collect();
                changes.sort_unstable();
                Mode::Pct(Pct {
                    prio: Vec::new(),
                    step: 0,
                    changes,
                })
            }
        };
        Scheduler { rng, mode }
    }

    /// A thread was created (PCT gives it a random priority above every change-point one).
    pub(crate) fn thread_created(&mut self, tid: usize) {
        if let Mode::Pct(p) = &mut self.mode {
            if p.prio.len() <= tid {
                p.prio.resize(tid + 1, 0);
            }
            // Above 2^32, so above every priority a change point gives.
            p.prio[tid] = (1 << 32) + (self.rng.next_u64() >> 1);
        }
    }

    /// Whether the running thread is preempted at this call (`num`/`den`: the builder's
    /// preemption probability). Every call asks (six times a message in the completion-port
    /// bench): the default strategy's one draw is inline, a script's choice out of line.
    #[inline]
    pub(crate) fn preempt(&mut self, num: u64, den: u64) -> bool {
        match &mut self.mode {
            Mode::Random => num > 0 && self.rng.chance(num, den),
            Mode::Pct(_) => true,
            Mode::Script(s) => Self::script_preempts(s, num),
        }
    }

    /// [`Scheduler::preempt`] under a script: a recorded choice while preemptions are left.
    #[cold]
    #[inline(never)]
    fn script_preempts(script: &Mutex<Script>, num: u64) -> bool {
        let mut s = script.lock();
        if num == 0 || s.preemptions >= s.max_preemptions {
            return false;
        }
        let yes = s.decide(2) == 1;
        if yes {
            s.preemptions += 1;
        }
        yes
    }

    /// The index in `runnable` (not empty) of the thread to run next.
    pub(crate) fn pick(&mut self, runnable: &[usize]) -> usize {
        let n = runnable.len();
        match &mut self.mode {
            Mode::Random => match n {
                1 => 0,
                n => self.rng.below(n as u64) as usize,
            },
            Mode::Pct(p) => {
                let best = (0..n)
                    .max_by_key(|&i| (p.prio.get(runnable[i]).copied().unwrap_or(0), runnable[i]))
                    .unwrap_or(0);
                p.step += 1;
                while p.changes.first().is_some_and(|&(at, _)| at < p.step) {
                    let (_, low) = p.changes.remove(0);
                    if let Some(x) = p.prio.get_mut(runnable[best]) {
                        *x = low;
                    }
                }
                best
            }
            Mode::Script(s) => match n {
                1 => 0,
                n => s.lock().decide(n as u32) as usize,
            },
        }
    }
}

impl Script {
    /// The next decision among `n` options: from the prefix, else the first; recorded.
    fn decide(&mut self, n: u32) -> u32 {
        let i = self.taken.len();
        let c = self.prefix.get(i).copied().unwrap_or(0).min(n - 1);
        self.taken.push((c, n));
        c
    }
}
