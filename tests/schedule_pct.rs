//! Schedule exploration: `Schedule::Pct` (random priorities, a few change points) is
//! deterministic per seed, explores other interleavings than uniform choice, and finds an
//! atomicity violation.
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Replay, Schedule, Sim, SimBuilder, Sweep};

const PCT: Schedule = Schedule::Pct {
    change_points: 1,
    horizon: 16,
};

/// Two threads each add 1 to a shared counter three times with a read-modify-write that spans
/// a WinSock call (a scheduling point): the final count, 6 unless an update was lost.
fn counter(builder: SimBuilder) -> (u32, u64) {
    let count = Arc::new(AtomicU32::new(0));
    let mut sim = builder.build();
    let h = sim.host("h", "192.0.2.1");
    for name in ["a", "b"] {
        let count = count.clone();
        h.spawn(name, move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
            for _ in 0..3 {
                let v = count.load(Ordering::SeqCst);
                ws.sleep(0);
                count.store(v + 1, Ordering::SeqCst);
            }
            ws.closesocket(s)
        });
    }
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    (count.load(Ordering::SeqCst), report.trace_hash)
}

#[test]
fn pct_runs_replay_and_differ_from_uniform_choice() {
    // Proves: a PCT run replays from its seed, and PCT explores other schedules than
    // uniform choice over the same seeds.
    let pct = |seed| counter(Sim::builder().seed(seed).schedule(PCT));
    assert_eq!(pct(3), pct(3));
    let differ = (0..16u64)
        .filter(|&s| pct(s).1 != counter(Sim::builder().seed(s)).1)
        .count();
    assert!(differ > 0);
}

#[test]
fn pct_finds_the_lost_update_and_its_replay_loses_it_again() {
    // Proves: among 64 seeds PCT finds a schedule that loses an update, and the replay line
    // of that run (with `sched=pct:1:16`) loses it again.
    let seed = (0..64u64)
        .find(|&s| counter(Sim::builder().seed(s).schedule(PCT)).0 < 6)
        .expect("PCT finds the lost update");
    let line = format!("seed={seed};sched=pct:1:16");
    let replay: Replay = line.parse().unwrap();
    assert_eq!(replay.schedule, Some(PCT));
    assert!(counter(Sim::builder().replay(&replay)).0 < 6);
}

#[test]
fn pct_sweep_covers_several_interleavings() {
    // Proves: a seed sweep under PCT reports more than one distinct interleaving.
    let summary = Sweep::new(0..32)
        .run(|seed| {
            let mut sim = Sim::builder().seed(seed).schedule(PCT).build();
            let h = sim.host("h", "192.0.2.1");
            for name in ["a", "b", "c"] {
                h.spawn(name, |ws| {
                    for _ in 0..3 {
                        ws.sleep(0);
                    }
                    Ok(())
                });
            }
            sim.run()
        })
        .unwrap();
    assert!(summary.distinct > 1, "{summary:?}");
}
