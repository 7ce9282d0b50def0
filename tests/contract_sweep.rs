//! Contract presets bundle the harden-against options; seed sweeps split across machines
//! ("k of n") and count the distinct runs they covered.
mod common;

use std::collections::BTreeSet;

use winsock_sim::sim::{Contract, EventRecording, Segmentation, SendMode, Sim, SimBuilder, Sweep};

use common::servers::run_records;

fn hash(b: SimBuilder) -> u64 {
    run_records(b, false)
        .unwrap_or_else(|e| panic!("{e}"))
        .trace_hash
}

#[test]
fn contracts_are_the_options_they_bundle() {
    // Proves: Contract::Windows runs exactly as Mss segmentation + Windows sends + Windows
    // recording, Contract::Documented as Random + Partial + Documented, and the two differ.
    let windows = hash(Sim::builder().seed(4).contract(Contract::Windows));
    let documented = hash(Sim::builder().seed(4).contract(Contract::Documented));
    let explicit_windows = hash(
        Sim::builder()
            .seed(4)
            .segmentation(Segmentation::Mss)
            .send_mode(SendMode::Windows)
            .event_recording(EventRecording::Windows),
    );
    let explicit_documented = hash(
        Sim::builder()
            .seed(4)
            .segmentation(Segmentation::Random)
            .send_mode(SendMode::Partial)
            .event_recording(EventRecording::Documented),
    );
    assert_eq!(windows, explicit_windows);
    assert_eq!(documented, explicit_documented);
    assert_ne!(windows, documented);
}

#[test]
fn sweep_parts_split_the_seeds_exactly() {
    // Proves: parts 1/3, 2/3 and 3/3 of a range are disjoint and together are the range.
    let mut all = BTreeSet::new();
    let mut total = 0;
    for k in 1..=3 {
        let part: Vec<u64> = Sweep::new(100..200).part(k, 3).seeds().collect();
        total += part.len();
        all.extend(part);
    }
    assert_eq!(total, 100);
    assert_eq!(all, (100..200).collect());
}

#[test]
fn sweep_counts_distinct_runs_and_stops_at_a_failure() {
    // Proves: a sweep reports its runs and how many distinct traces they gave, and returns the
    // first failing run's error (which names its seed).
    let sweep = Sweep::new(0..16).part(1, 2);
    let summary = sweep
        .run(|seed| run_records(Sim::builder().seed(seed), false))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.runs, 8);
    assert!(summary.distinct > 1 && summary.distinct <= 8, "{summary:?}");
    let err = sweep
        .run(|seed| run_records(Sim::builder().seed(seed), true))
        .expect_err("the buggy server fails on some seed");
    assert_eq!(err.seed % 2, 0, "only even seeds are in part 1 of 2");
}
