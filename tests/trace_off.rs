//! `SimBuilder::trace(false)` (issue 13: no trace work when no one reads the trace): a run
//! without the trace is the same run as with it (same virtual time, counters and thread
//! outcomes; only the hash and length it reports are 0), and a failure it ends in says that
//! its timeline was not kept, writes no picture, and replays (`SimBuilder::replay`, which
//! turns the trace on) into the same failure with the timeline a traced run has.
mod common;

use common::servers::{run_echo, run_records};
use winsock_sim::sim::{PictureFile, Report, Segmentation, Sim, SimBuilder, SimErrorKind};

/// The work a run did: its counters but for which stacks its threads ran on (the pool's,
/// left by earlier runs on this OS thread).
fn work(r: &Report) -> (u64, u64, u64, u64, u64, u64) {
    let s = r.stats;
    let stacks = s.stacks_mapped + s.stacks_reused;
    (
        s.calls,
        s.switches,
        s.segments,
        s.bytes,
        s.threads_peak,
        stacks,
    )
}

/// The echo (three clients reconnecting four times) and the record server, both written
/// right, under `builder` with random segmentation.
fn both(builder: impl Fn() -> SimBuilder) -> [Report; 2] {
    let seg = || builder().segmentation(Segmentation::Random);
    let (echo, _, _) = run_echo(seg(), false);
    let records = run_records(seg(), false);
    [
        echo.expect("the echo completes"),
        records.expect("the records add up"),
    ]
}

#[test]
fn a_run_without_the_trace_is_the_same_run() {
    for seed in 1..=20 {
        let on = both(|| Sim::builder().seed(seed));
        let off = both(|| Sim::builder().seed(seed).trace(false));
        for (on, off) in on.iter().zip(&off) {
            assert_ne!(on.trace_hash, 0, "seed {seed}");
            assert!(on.trace_len > 20, "seed {seed}: {} records", on.trace_len);
            assert_eq!((off.trace_hash, off.trace_len), (0, 0), "seed {seed}");
            assert_eq!(off.virtual_time, on.virtual_time, "seed {seed}");
            assert_eq!(work(off), work(on), "seed {seed}");
            assert_eq!(off.threads, on.threads, "seed {seed}");
            assert!(on.stats.segments > 5, "seed {seed}: {:?}", on.stats);
        }
    }
}

#[test]
fn a_failure_without_the_trace_says_so_and_its_replay_has_the_timeline() {
    // The record server that takes one recv for one record, under random segmentation: it
    // sends fewer replies than the client waits for.
    let buggy = |b: SimBuilder| {
        run_records(b.segmentation(Segmentation::Random), true).expect_err("the bug shows")
    };
    let off = buggy(Sim::builder().seed(5).trace(false));
    assert_eq!(off.kind, SimErrorKind::Deadlock);
    assert!(off.last_trace.is_empty());
    assert_eq!(off.trace_hash, 0);
    assert_eq!(off.picture.total_records, 0);
    match &off.picture.file {
        PictureFile::NotWritten(why) => assert!(why.contains("trace(false)"), "{why}"),
        PictureFile::Written(path) => panic!("a picture without records: {}", path.display()),
    }
    let text = off.to_string();
    assert!(text.contains("no trace records"), "{text}");
    assert!(text.contains("WINSOCK_SIM_REPLAY="), "{text}");

    // The replay line's run, from a builder that still says "off": the same failure at the
    // same virtual time, with the timeline and hash of the run traced from the start.
    let replayed = buggy(Sim::builder().trace(false).replay(&off.replay));
    let traced = buggy(Sim::builder().seed(5));
    assert_eq!(replayed.kind, off.kind);
    assert_eq!(replayed.virtual_time, off.virtual_time);
    assert_eq!(replayed.threads, off.threads);
    assert!(!replayed.last_trace.is_empty());
    assert_eq!(replayed.last_trace, traced.last_trace);
    assert_eq!(replayed.trace_hash, traced.trace_hash);
    assert_ne!(replayed.trace_hash, 0);
    assert!(replayed.to_string().contains("timeline (last trace lines"));
}

#[test]
fn a_full_trace_keeps_the_trace_on() {
    let full = both(|| Sim::builder().seed(2).trace(false).full_trace(true));
    let on = both(|| Sim::builder().seed(2));
    for (full, on) in full.iter().zip(&on) {
        assert_eq!(
            (full.trace_hash, full.trace_len),
            (on.trace_hash, on.trace_len)
        );
    }
}
