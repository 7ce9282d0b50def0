//! The clock tests' shared property: a session with a 5-s timeout, checked every 100 ms, must
//! close 5 s after it opened by the tick count, whatever a fault plan does to the machine's
//! clocks (`tests/clock_jump.rs`, `tests/uptime.rs`); and a deterministic proptest runner, so
//! that a test asserting what a strategy finds gets the same answer on every run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use winsock_sim::sim::{FaultPlan, Sim, SimWinsock};

/// Runs `session` as thread "session" of host 192.0.2.1 under `plan` (seed 1); it returns
/// how many milliseconds its session stayed open (by a clock no plan moves), which must be
/// 5,000 to 5,100.
pub fn closes_on_time<F>(plan: FaultPlan, session: F) -> Result<(), TestCaseError>
where
    F: FnOnce(&SimWinsock) -> u64 + Send + 'static,
{
    let open = Arc::new(AtomicU64::new(0));
    let seen = open.clone();
    let mut sim = Sim::builder().seed(1).faults(plan).build();
    sim.host("server", "192.0.2.1").spawn("session", move |ws| {
        seen.store(session(ws), Ordering::SeqCst);
        Ok(())
    });
    sim.run().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let ms = open.load(Ordering::SeqCst);
    prop_assert!(
        (5_000..=5_100).contains(&ms),
        "the session was open {} ms",
        ms
    );
    Ok(())
}

/// A proptest runner of `cases` cases with a fixed RNG and no failure file.
pub fn deterministic_runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}
