//! `WINSOCK_SIM_REPLAY` replays a run: with it set, every `SimBuilder::build` takes its seed,
//! plan and options over the test's own. (One test in this binary: it sets the variable for
//! the whole process.)
mod common;

use winsock_sim::sim::{FaultPlan, Sim, REPLAY_ENV};

use common::servers::run_records;

#[test]
fn the_printed_replay_line_reruns_the_failure() {
    // Proves: the value a failure prints after WINSOCK_SIM_REPLAY=, put in the environment,
    // turns a build with another seed and plan into exactly the failed run (same kind, time,
    // trace hash) — and without it the other seed runs differently.
    let plan: FaultPlan = "delay(data,1/2,30ms)+drop(any,1/16)".parse().unwrap();
    let failed = run_records(Sim::builder().seed(11).faults(plan), true)
        .expect_err("the buggy server fails under seed 11");
    let command = failed.replay_command();
    let value = &command[command.find("='").unwrap() + 2..];
    let value = &value[..value.find('\'').unwrap()];

    let other = || Sim::builder().seed(12345).faults(FaultPlan::none());
    let plain = run_records(other(), true).map(|r| r.trace_hash);
    std::env::set_var(REPLAY_ENV, value);
    let replayed = run_records(other(), true).expect_err("the replay fails the same way");
    std::env::remove_var(REPLAY_ENV);

    assert_eq!(
        (replayed.kind, replayed.virtual_time, replayed.trace_hash),
        (failed.kind, failed.virtual_time, failed.trace_hash)
    );
    assert_ne!(plain.map_err(|e| e.trace_hash), Err(failed.trace_hash));
}
