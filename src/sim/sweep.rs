//! [`Sweep`]: runs a scenario over a range of seeds, or over one part of it ("k of n"), so a
//! CI matrix (or cargo-nextest's partitioning) splits a large sweep across machines, and
//! counts the distinct runs it covered.

use std::collections::BTreeSet;
use std::ops::Range;

use super::report::SimError;
use crate::sim::runtime::Report;

/// The environment variable naming this machine's part of a sweep: `k/n` (1 ≤ k ≤ n).
pub const SWEEP_ENV: &str = "WINSOCK_SIM_SWEEP";

/// A seed sweep: the seeds `range` whose position is `k` modulo `n` (part `k` of `n`,
/// counting from 1; `1/1` is the whole range).
///
/// ```
/// use winsock_sim::sim::Sweep;
/// let part: Vec<u64> = Sweep::new(0..10).part(2, 3).seeds().collect();
/// assert_eq!(part, vec![1, 4, 7]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sweep {
    range: Range<u64>,
    k: u64,
    n: u64,
}

/// What a sweep covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepSummary {
    /// Runs made.
    pub runs: u64,
    /// Distinct trace hashes among them: the different interleavings (schedules, segment
    /// cuts, faults) the sweep actually covered (runs with the trace off,
    /// `SimBuilder::trace(false)`, all hash to 0 and count as one).
    pub distinct: usize,
}

impl Sweep {
    /// The whole of `range`.
    pub fn new(range: Range<u64>) -> Sweep {
        Sweep { range, k: 1, n: 1 }
    }

    /// Part `k` of `n` (`k` is clamped to `1..=n`, `n` to at least 1).
    pub fn part(mut self, k: u64, n: u64) -> Sweep {
        self.n = n.max(1);
        self.k = k.clamp(1, self.n);
        self
    }

    /// The part named by `WINSOCK_SIM_SWEEP` (`k/n`), or the whole range when it is unset.
    ///
    /// # Panics
    /// If the variable is set but is not `k/n` with 1 ≤ k ≤ n.
    pub fn part_from_env(self) -> Sweep {
        let Ok(v) = std::env::var(SWEEP_ENV) else {
            return self;
        };
        let parsed = v
            .trim()
            .split_once('/')
            .and_then(|(k, n)| Some((k.parse::<u64>().ok()?, n.parse::<u64>().ok()?)))
            .filter(|&(k, n)| (1..=n).contains(&k));
        match parsed {
            Some((k, n)) => self.part(k, n),
            None => panic!("{SWEEP_ENV}={v:?}: expected k/n with 1 <= k <= n"),
        }
    }

    /// The seeds of this part, in order.
    pub fn seeds(&self) -> impl Iterator<Item = u64> + '_ {
        self.range
            .clone()
            .filter(move |s| (s - self.range.start) % self.n == self.k - 1)
    }

    /// Runs `run` for each seed of this part; stops at the first failure and returns it.
    pub fn run(
        &self,
        mut run: impl FnMut(u64) -> Result<Report, SimError>,
    ) -> Result<SweepSummary, SimError> {
        let mut hashes = BTreeSet::new();
        let mut runs = 0;
        for seed in self.seeds() {
            let report = run(seed)?;
            runs += 1;
            hashes.insert(report.trace_hash);
        }
        Ok(SweepSummary {
            runs,
            distinct: hashes.len(),
        })
    }
}
