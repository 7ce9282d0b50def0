//! A fault plan as text: `Debug` is Rust code that rebuilds it, `Display` a one-line form that
//! parses back; the proptest strategies generate plans that round-trip and stay within
//! their family.
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use proptest::prelude::*;
use winsock_sim::prelude::{WaitableTimers, Winsock, WsaError};
use winsock_sim::sim::fault::*;
use winsock_sim::sim::Sim;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// The expression's source (whitespace removed) and its value.
macro_rules! code {
    ($e:expr) => {
        (stringify!($e).replace(char::is_whitespace, ""), $e)
    };
}

fn hosts() -> Vec<IpAddr> {
    vec![
        IpAddr::from([192, 0, 2, 1]),
        IpAddr::from([192, 0, 2, 2]),
        IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, 3]),
    ]
}

#[test]
fn debug_prints_the_code_that_builds_the_plan() {
    // Proves: `{:?}` of a plan with every kind of rule is exactly the Rust expression that
    // built it (compiled here), so a failure's plan can be pasted into a test.
    let (src, plan) = code!(FaultPlan::none()
        .with(FaultRule::Delay {
            filter: SegmentFilter::Data,
            num: 1,
            den: 8,
            extra: Duration::from_millis(500)
        })
        .with(FaultRule::Drop {
            filter: SegmentFilter::Any,
            num: 1,
            den: 16
        })
        .with(FaultRule::FailCall {
            call: "send",
            error: WsaError::WSAENOBUFS,
            num: 1,
            den: 4
        })
        .with(FaultRule::Segment {
            when: When::Nth(3),
            scope: Scope::Endpoint(SocketAddr::new(IpAddr::from([192, 0, 2, 1]), 9000)),
            filter: SegmentFilter::Data,
            action: SegmentAction::Reset
        })
        .with(FaultRule::Segment {
            when: When::Rate { num: 1, den: 64 },
            scope: Scope::Link(IpAddr::from([192, 0, 2, 1]), IpAddr::from([192, 0, 2, 2])),
            filter: SegmentFilter::Syn,
            action: SegmentAction::Delay(Duration::from_micros(1500))
        })
        .with(FaultRule::Call {
            when: When::At(Duration::from_secs(2)),
            scope: Scope::Host(IpAddr::from([8193, 3512, 0, 0, 0, 0, 0, 3])),
            call: "WSARecv",
            error: WsaError::Other(12345)
        })
        .with(FaultRule::Reset {
            at: Duration::from_nanos(7),
            scope: Scope::All
        })
        .with(FaultRule::Partition {
            a: vec![IpAddr::from([192, 0, 2, 1])],
            b: vec![IpAddr::from([192, 0, 2, 2]), IpAddr::from([192, 0, 2, 3])],
            from: Duration::from_secs(1),
            until: Some(Duration::from_secs(5))
        })
        .with(FaultRule::Crash {
            host: IpAddr::from([192, 0, 2, 1]),
            at: Duration::from_secs(1),
            restart: None
        }));
    assert_eq!(format!("{plan:?}").replace(char::is_whitespace, ""), src);
    // And the one-line form of the same plan parses back to it.
    let line = plan.to_string();
    assert!(!line.contains(char::is_whitespace), "{line}");
    assert_eq!(line.parse::<FaultPlan>(), Ok(plan));
}

#[test]
fn one_line_form_examples() {
    // Proves: the documented one-line forms parse to the rules they name, and print back the
    // same text.
    for text in [
        "none",
        "delay(data,1/8,500ms)",
        "drop(any,1/16)+fail(send,WSAENOBUFS,1/4)",
        "seg(nth=3,ep=192.0.2.1:9000,data,reset)",
        "seg(at=2s,link=192.0.2.1>192.0.2.2,any,delay=5ms)",
        "seg(rate=1/1,all,data,jitter=20ms)+seg(nth=1,all,data,duplicate)",
        "call(rate=1/2,host=2001:db8::3,accept,WSAEWOULDBLOCK)",
        "reset(all,2s)",
        "partition(192.0.2.1,192.0.2.2/192.0.2.3,1s,-)",
        "crash(192.0.2.1,1500ms,3s)",
    ] {
        let plan: FaultPlan = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(plan.to_string(), text);
    }
}

#[test]
fn bad_plans_are_errors_that_say_why() {
    // Proves: malformed text is a ParsePlanError naming the bad part, never a panic.
    for (text, part) in [
        ("drop(any)", "drop takes 2"),
        ("drop(all,1/2)", "not a filter"),
        ("reset(all,2 minutes)", "unit"),
        ("crash(300.1.1.1,1s,-)", "not an IP"),
        ("call(nth=1,all,frobnicate,WSAENOBUFS)", "frobnicate"),
        ("call(nth=1,all,send,WSAEBOGUS)", "WSAEBOGUS"),
        ("seg(nth=x,all,any,drop)", "count"),
        ("explode(now)", "not a rule"),
        ("reset(all,1s", "missing ')'"),
    ] {
        let err = text.parse::<FaultPlan>().expect_err(text);
        assert!(err.to_string().contains(part), "{text}: {err}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn hostile_plans_round_trip(plan in FaultPlan::hostile_strategy(hosts(), 20_000)) {
        // Proves: every plan the hostile strategy draws prints to one line that parses back
        // to the same plan.
        let line = plan.to_string();
        prop_assert_eq!(line.parse::<FaultPlan>(), Ok(plan));
    }

    #[test]
    fn family_plans_round_trip(
        a in FaultPlan::delay_strategy(),
        b in FaultPlan::udp_strategy(),
        c in FaultPlan::loss_strategy(),
    ) {
        // Proves: the latency, UDP and loss families' plans round-trip through the one-line
        // form too.
        for plan in [a, b, c] {
            prop_assert_eq!(plan.to_string().parse::<FaultPlan>(), Ok(plan));
        }
    }

    #[test]
    fn tcp_plans_hold_only_delays_and_rare_losses(plan in FaultPlan::tcp_strategy()) {
        // Proves: the tcp-safe strategy draws only delays and losses rare enough that a
        // segment is practically never lost six times in a row: its drop rules together
        // lose at most 1 segment in 16 (a bound on each rule alone allowed 1 in 6).
        let mut rate = 0.0;
        for r in &plan.rules {
            match r {
                FaultRule::Delay { .. } => {}
                FaultRule::Drop { num, den, .. } => rate += *num as f64 / *den as f64,
                other => prop_assert!(false, "{other:?}"),
            }
        }
        prop_assert!(rate <= 1.0 / 16.0, "combined loss rate {rate} in {plan}");
    }
}

#[test]
fn strategies_shrink_toward_fewer_later_milder_faults() {
    // Proves: simplifying a drawn hostile plan as far as it goes leaves no rule, and a
    // crash plan's simplest form crashes as late as allowed.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for _ in 0..16 {
        let mut tree = FaultPlan::hostile_strategy(hosts(), 20_000)
            .new_tree(&mut runner)
            .unwrap();
        while tree.simplify() {}
        assert!(tree.current().is_empty(), "{}", tree.current());
    }
    let mut tree = FaultPlan::crash_strategy(hosts(), 20_000)
        .prop_filter("a crash", |p| !p.is_empty())
        .new_tree(&mut runner)
        .unwrap();
    // Shrink as proptest does, for a property that fails whenever a crash remains.
    let fails = |p: &FaultPlan| !p.is_empty();
    let mut minimal = tree.current();
    let mut more = tree.simplify();
    while more {
        if fails(&tree.current()) {
            minimal = tree.current();
            more = tree.simplify();
        } else {
            more = tree.complicate();
        }
    }
    match &minimal.rules[..] {
        [FaultRule::Crash { host, at, restart }] => {
            assert_eq!(
                (*host, *at, *restart),
                (hosts()[0], Duration::from_secs(20), None)
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_strategies_take_any_horizon() {
    // Proves: a horizon past the wrap (or u64::MAX) draws plans instead of overflowing, and
    // they run; the other timed families draw at such horizons too.
    use proptest::strategy::{Strategy, ValueTree};
    const WRAP_MS: u64 = 1 << 32;
    let hosts = vec![IpAddr::from([192, 0, 2, 1])];
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for max_ms in [0, WRAP_MS, WRAP_MS + 1, u64::MAX] {
        for _ in 0..16 {
            let plan = FaultPlan::uptime_strategy(hosts.clone(), max_ms)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let clocks = FaultPlan::clock_strategy(hosts.clone(), max_ms)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let mut plan = plan;
            plan.rules.extend(clocks.rules);
            // (The other timed families take the same horizons.)
            for other in [
                FaultPlan::partition_strategy(hosts.clone(), max_ms).boxed(),
                FaultPlan::crash_strategy(hosts.clone(), max_ms).boxed(),
                FaultPlan::squeeze_strategy(hosts.clone(), max_ms).boxed(),
                FaultPlan::reset_strategy(hosts.clone(), max_ms).boxed(),
                FaultPlan::calendar_strategy(hosts.clone(), max_ms).boxed(),
            ] {
                let drawn = other.new_tree(&mut runner).unwrap().current();
                assert!(drawn.to_string().parse::<FaultPlan>().is_ok(), "{drawn}");
            }
            let mut sim = Sim::builder().faults(plan).build();
            sim.host("h", "192.0.2.1").spawn("main", |ws| {
                ws.sleep(10);
                let _ = (ws.get_tick_count(), ws.get_system_time_as_file_time());
                Ok(())
            });
            if let Err(e) = sim.run() {
                panic!("{e}");
            }
        }
    }
}
