//! Schedule exploration: PCT and bounded exhaustive search find an ordering bug, replay it,
//! and say how many interleavings they covered; every strategy is deterministic per seed.

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::trace::{TraceKind, TraceRecord};
use winsock_sim::sim::{
    Exploration, Explorer, Report, Rerun, Schedule, Sim, SimBuilder, SimError, SimErrorKind,
    SimWinsock,
};

/// Two threads each read a shared counter, make a WinSock call (a preemption point), then
/// write the counter back plus one: a lost update when both read before either writes. With
/// `buggy` false the read-modify-write has no call in the middle. The thread that finishes
/// second asserts the count.
fn counter_test(builder: SimBuilder, buggy: bool) -> Result<Report, SimError> {
    let mut sim = builder.build();
    let h = sim.host("a", "192.0.2.1");
    let shared = Arc::new(Mutex::new((0u32, 0u32)));
    for name in ["inc-a", "inc-b"] {
        let shared = shared.clone();
        h.spawn(name, move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let seen = shared.lock().unwrap().0;
            if buggy {
                // A call between the read and the write: a preemption point.
                let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
                ws.closesocket(s)?;
            }
            let mut g = shared.lock().unwrap();
            g.0 = seen + 1;
            g.1 += 1;
            if g.1 == 2 {
                assert_eq!(g.0, 2, "lost update");
            }
            drop(g);
            ws.wsa_cleanup()
        });
    }
    sim.run()
}

// Proves: bounded exhaustive search finds the lost update, and its decisions replay it to the
// same trace.
#[test]
fn exhaustive_search_finds_and_replays_a_lost_update() {
    let found = Explorer::exhaustive(1, 10_000).run(|b| counter_test(b, true));
    let (err, replay) = found.failure.expect("the lost update is found");
    assert_eq!(err.kind, SimErrorKind::Panic, "{err}");
    assert!(
        found.runs >= 2,
        "the first interleaving is the sequential one"
    );
    let Rerun::Decisions(d) = replay else {
        panic!("an exhaustive run replays from its decisions")
    };
    let again = Explorer::replay(&d, 1, |b| counter_test(b, true)).expect_err("replays");
    assert_eq!(again.trace_hash, err.trace_hash);
    assert_eq!(again.kind, SimErrorKind::Panic);
}

// Proves: without the bug the search runs out of interleavings (within the bound), reports
// how many distinct ones it covered, and more preemptions cover more.
#[test]
fn exhaustive_search_of_a_correct_test_is_exhausted() {
    let zero: Exploration = Explorer::exhaustive(0, 10_000).run(|b| counter_test(b, false));
    let two: Exploration = Explorer::exhaustive(2, 10_000).run(|b| counter_test(b, false));
    for e in [&zero, &two] {
        assert!(e.failure.is_none());
        assert!(e.exhausted, "{e:?}");
        assert!(e.distinct_interleavings >= 2, "{e:?}");
        assert!(e.distinct_interleavings as u64 <= e.runs);
    }
    assert!(
        two.distinct_interleavings > zero.distinct_interleavings,
        "{zero:?} {two:?}"
    );
}

// Proves: a PCT sweep finds the lost update within a few seeds, names the seed, and that seed
// replays the same failure.
#[test]
fn pct_sweep_finds_the_bug_and_names_a_replayable_seed() {
    let pct = Schedule::Pct {
        change_points: 1,
        horizon: 20,
    };
    let found = Explorer::seeds(0, 200, pct).run(|b| counter_test(b, true));
    let (err, replay) = found.failure.expect("PCT finds the lost update");
    let Rerun::Seed(seed) = replay else {
        panic!("a sweep replays from a seed")
    };
    let again = counter_test(Sim::builder().seed(seed).schedule(pct), true).expect_err("replays");
    assert_eq!(again.trace_hash, err.trace_hash);
}

// Proves: each strategy is deterministic per seed, and PCT interleaves differently from the
// default.
#[test]
fn every_schedule_replays_per_seed() {
    for s in [
        Schedule::Random,
        Schedule::Pct {
            change_points: 2,
            horizon: 50,
        },
    ] {
        for seed in 0..20 {
            let a = counter_test(Sim::builder().seed(seed).schedule(s), false).unwrap();
            let b = counter_test(Sim::builder().seed(seed).schedule(s), false).unwrap();
            assert_eq!(a.trace_hash, b.trace_hash, "{s:?} seed {seed}");
        }
    }
    let sweep = |s| {
        Explorer::seeds(0, 50, s)
            .run(|b| counter_test(b, false))
            .distinct_interleavings
    };
    assert!(
        sweep(Schedule::Pct {
            change_points: 1,
            horizon: 20
        }) > 1
    );
    assert!(sweep(Schedule::Random) > 1);
}

// Not a check: prints how often each strategy hits the bug over 1,000 seeds, and what the
// exhaustive search needed (figures for the README).
#[test]
#[ignore]
fn print_strategy_figures() {
    for (name, s) in [
        ("random", Schedule::Random),
        (
            "pct d=2",
            Schedule::Pct {
                change_points: 1,
                horizon: 20,
            },
        ),
    ] {
        let hits = (0..1000)
            .filter(|&seed| counter_test(Sim::builder().seed(seed).schedule(s), true).is_err())
            .count();
        println!("{name}: lost update in {hits} of 1000 seeds");
    }
    let e = Explorer::exhaustive(1, 10_000).run(|b| counter_test(b, true));
    println!("exhaustive (1 preemption): found after {} runs", e.runs);
    let e = Explorer::exhaustive(2, 100_000).run(|b| counter_test(b, false));
    println!(
        "exhaustive (2 preemptions), correct test: {} runs, {} distinct interleavings, exhausted {}",
        e.runs, e.distinct_interleavings, e.exhausted
    );
}

/// One thread alone on its host makes calls that are all preemption points (1 in 1): none
/// can be taken by another thread, and each must still be a switch, counted and traced,
/// between the thread's calls (the run loop is not gone through; the run must not change).
fn lone_caller(builder: SimBuilder) -> (Report, Vec<TraceRecord>) {
    run_alone(builder.preemption(1, 1), |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        for _ in 0..5 {
            let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
            ws.closesocket(s)?;
        }
        ws.wsa_cleanup()
    })
}

/// Runs `body` as the one thread of a one-host sim with the full trace kept; the report and
/// every trace record.
fn run_alone(
    builder: SimBuilder,
    body: impl FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
) -> (Report, Vec<TraceRecord>) {
    let mut sim = builder.full_trace(true).build();
    sim.host("a", "192.0.2.1").spawn("alone", body);
    let report = sim.run().expect("the run ends");
    (report, sim.trace_records())
}

// Proves: a preemption no other thread could take is still a scheduling step: a switch
// record precedes every call's record, the switch count matches the records, and the same
// seed gives the same trace, under the random schedule and under PCT.
#[test]
fn a_preemption_no_other_thread_could_take_is_still_a_switch() {
    for schedule in [
        Schedule::Random,
        Schedule::Pct {
            change_points: 2,
            horizon: 20,
        },
    ] {
        let (report, records) = lone_caller(Sim::builder().seed(5).schedule(schedule));
        let kinds: Vec<&TraceKind> = records.iter().map(|r| &r.kind).collect();
        let calls = kinds
            .iter()
            .filter(|k| matches!(k, TraceKind::Call(_)))
            .count();
        let switches = kinds
            .iter()
            .filter(|k| matches!(k, TraceKind::Switch))
            .count();
        // WSAStartup, 5 × (socket, closesocket), WSACleanup; each entered through a
        // preemption, and the thread's first resumption.
        assert_eq!(calls, 12, "{kinds:?}");
        assert_eq!(switches, calls + 1, "{kinds:?}");
        assert_eq!(report.stats.switches, switches as u64);
        for pair in kinds.windows(2) {
            if let [_, TraceKind::Call(name)] = pair {
                assert_eq!(
                    *pair[0],
                    TraceKind::Switch,
                    "no switch before {name}: {kinds:?}"
                );
            }
        }
        let (again, _) = lone_caller(Sim::builder().seed(5).schedule(schedule));
        assert_eq!(again.trace_hash, report.trace_hash);
    }
}

/// One thread alone, talking to itself over TCP: every wait (connect, recv) is ended by a
/// delivery that wakes the waiting thread itself, so after a few such waits the run takes
/// the next step without leaving the thread. Preemption is off: every switch after the first is a
/// wait ending.
fn talks_to_itself(seed: u64) -> (Report, Vec<TraceRecord>) {
    run_alone(Sim::builder().seed(seed).preemption(0, 1), |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([192, 0, 2, 1], 7000))?;
        ws.listen(l, 1)?;
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c, &SockAddr::v4([192, 0, 2, 1], 7000))?;
        let (s, _) = ws.accept(l)?;
        let mut buf = [0u8; 8];
        for i in 0..30u8 {
            ws.send(c, &[i; 8], 0)?;
            assert_eq!(ws.recv(s, &mut buf, MSG_WAITALL)?, 8);
            assert_eq!(buf, [i; 8]);
        }
        for x in [c, s, l] {
            ws.closesocket(x)?;
        }
        ws.wsa_cleanup()
    })
}

// Proves: a wait ended by a delivery that wakes the waiting thread itself is still a switch,
// counted and traced after the delivery and before the call returns (deliveries happen only
// between threads' turns), and the same seed gives the same trace.
#[test]
fn a_wait_that_wakes_its_own_thread_is_still_a_switch() {
    let (report, records) = talks_to_itself(9);
    let switches = records
        .iter()
        .filter(|r| matches!(r.kind, TraceKind::Switch))
        .count();
    assert_eq!(report.stats.switches, switches as u64);
    // The first resumption, connect's wait and the 30 receives' waits: enough for the run to
    // find that its waits end for the thread that waited, and to decide them in place.
    assert!(switches >= 32, "{}", report.stats.switches);
    let mut delivered_since_switch = false;
    for r in &records {
        match r.kind {
            TraceKind::Segment { .. } => delivered_since_switch = true,
            TraceKind::Switch => delivered_since_switch = false,
            TraceKind::Call(name) => assert!(
                !delivered_since_switch,
                "{name} returned after a delivery with no switch between: {records:#?}"
            ),
            _ => {}
        }
    }
    let (again, _) = talks_to_itself(9);
    assert_eq!(again.trace_hash, report.trace_hash);
}
