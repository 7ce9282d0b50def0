//! A machine that had been up a while ([`FaultRule::Uptime`]): `GetTickCount` starts at the
//! uptime and wraps to 0 every 2^32 ms (49.7 days) as on Windows, `GetTickCount64` and
//! `QueryPerformanceCounter` (10 MHz) count from the same start without wrapping, a
//! TIMERPROC's `dwTime` is `GetTickCount`'s; each host has its own; and a deadline
//! compared with `>=` across the wrap, a bug that shows only on servers up 49.7 days, is
//! found by `uptime_strategy` and shrunk to one rule while the `wrapping_sub` twin passes.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::session::{closes_on_time, deterministic_runner as runner};
use proptest::test_runner::TestError;
use winsock_sim::prelude::*;
use winsock_sim::sim::fault::{FaultPlan, FaultRule, Scope};
use winsock_sim::sim::{Sim, SimWinsock};

/// 2^32 ms: where GetTickCount wraps.
const WRAP_MS: u64 = 1 << 32;

fn uptime(scope: Scope, ms: u64) -> FaultRule {
    FaultRule::Uptime {
        scope,
        uptime: Duration::from_millis(ms),
    }
}

fn run_with_plan<F>(plan: FaultPlan, body: F)
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    common::run_with(Sim::builder().seed(common::seed()).faults(plan), body);
}

#[test]
fn the_tick_count_starts_at_the_uptime_and_wraps_at_49_7_days() {
    let plan = FaultPlan::none().with(uptime(Scope::All, WRAP_MS - 1500));
    run_with_plan(plan, |ws| {
        assert_eq!(ws.get_tick_count(), u32::MAX - 1499);
        assert_eq!(ws.get_tick_count64(), WRAP_MS - 1500);
        ws.sleep(1000);
        assert_eq!(ws.get_tick_count(), u32::MAX - 499);
        ws.sleep(1000);
        assert_eq!(ws.get_tick_count(), 500);
        assert_eq!(ws.get_tick_count64(), WRAP_MS + 500);
        Ok(())
    });
}

#[test]
fn the_performance_counter_counts_from_the_same_start_at_10_mhz() {
    let plan = FaultPlan::none().with(uptime(Scope::All, 3_600_000));
    run_with_plan(plan, |ws| {
        assert_eq!(ws.query_performance_frequency(), 10_000_000);
        assert_eq!(ws.query_performance_counter(), 3_600 * 10_000_000);
        ws.sleep(15);
        assert_eq!(ws.query_performance_counter(), 3_600 * 10_000_000 + 150_000);
        assert_eq!(ws.get_tick_count64(), 3_600_015);
        Ok(())
    });
}

#[test]
fn a_loop_reading_the_performance_counter_lets_time_pass() {
    // A spin until 2 ms have passed by the counter ends: each read counts as polling.
    run_with_plan(FaultPlan::none(), |ws| {
        let start = ws.query_performance_counter();
        while ws.query_performance_counter() - start < 20_000 {}
        assert!(ws.get_tick_count64() >= 2);
        Ok(())
    });
}

#[test]
fn without_a_rule_the_tick_count_starts_at_zero() {
    run_with_plan(FaultPlan::none(), |ws| {
        assert_eq!(ws.get_tick_count(), 0);
        ws.sleep(20);
        assert_eq!(ws.get_tick_count64(), 20);
        Ok(())
    });
}

#[test]
fn each_host_has_its_own_uptime_and_the_last_rule_naming_it_wins() {
    let a: std::net::IpAddr = "192.0.2.1".parse().unwrap();
    let plan = FaultPlan::none()
        .with(uptime(Scope::All, 1000))
        .with(uptime(Scope::Host(a), 3_600_000))
        .with(uptime(Scope::Host(a), 7_200_000));
    let mut sim = Sim::builder().seed(common::seed()).faults(plan).build();
    let seen = Arc::new(Mutex::new(Vec::new()));
    for (name, ip) in [("a", "192.0.2.1"), ("b", "192.0.2.2")] {
        let seen = seen.clone();
        sim.host(name, ip).spawn(name, move |ws| {
            seen.lock().unwrap().push((name, ws.get_tick_count64()));
            Ok(())
        });
    }
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, [("a", 7_200_000), ("b", 1000)]);
}

#[test]
fn a_timerproc_is_given_the_wrapped_tick_count() {
    // A thread timer of 300 ms set 1,100 ms before the wrap: its TIMERPROC calls see
    // dwTime wrap with GetTickCount, and the timer keeps its period across the wrap.
    let plan = FaultPlan::none().with(uptime(Scope::All, WRAP_MS - 1100));
    run_with_plan(plan, |ws| {
        let times = common::runtime::timer_proc_ticks(ws, 300, 5)?;
        assert_eq!(
            times,
            [u32::MAX - 799, u32::MAX - 499, u32::MAX - 199, 100, 400]
        );
        Ok(())
    });
}

#[test]
fn uptime_plans_print_parse_and_replay() {
    let text = "uptime(all,4294967s)+uptime(host=192.0.2.1,3600s)";
    let plan: FaultPlan = text.parse().unwrap();
    assert_eq!(plan.to_string(), text);
    assert!(format!("{plan:?}").contains("FaultRule::Uptime"));
    for bad in [
        "uptime(all)",
        "uptime(all,49 days)",
        "uptime(link=192.0.2.1>192.0.2.2,x)",
    ] {
        assert!(bad.parse::<FaultPlan>().is_err(), "{bad}");
    }
    let hash = |plan: FaultPlan| {
        common::run_with(Sim::builder().seed(9).faults(plan), |ws| {
            let t = ws.get_tick_count();
            ws.sleep(t % 7 + 1);
            Ok(())
        })
        .trace_hash
    };
    assert_eq!(hash(plan.clone()), hash(plan));
}

/// A session timeout as a program might write it: closes the session once `GetTickCount`
/// passes a deadline 5 s after the start, checking every 100 ms; `wrapping` compares as
/// elapsed time (`now - start >= 5000`, right across the wrap), otherwise as a deadline
/// (`now >= start + 5000`, wrong once `start + 5000` wrapped past 0). Returns the
/// milliseconds the session stayed open by GetTickCount64 (which does not wrap).
fn session_open_for(ws: &SimWinsock, wrapping: bool) -> u64 {
    let (start, t0) = (ws.get_tick_count(), ws.get_tick_count64());
    let deadline = start.wrapping_add(5_000);
    loop {
        ws.sleep(100);
        let now = ws.get_tick_count();
        let due = if wrapping {
            now.wrapping_sub(start) >= 5_000
        } else {
            now >= deadline
        };
        // (A deadline compare can also never come true; the property bounds it.)
        if due || ws.get_tick_count64() - t0 > 20_000 {
            return ws.get_tick_count64() - t0;
        }
    }
}

#[test]
fn uptime_plans_find_a_deadline_compared_across_the_wrap() {
    let hosts = vec!["192.0.2.1".parse().unwrap()];
    // Proves: the strategy's uptimes find the bug (the session closes at once when the
    // deadline wrapped past 0) and shrink it to one rule.
    let found = runner(64).run(&FaultPlan::uptime_strategy(hosts.clone(), 10_000), |plan| {
        closes_on_time(plan, |ws| session_open_for(ws, false))
    });
    match found {
        Err(TestError::Fail(why, plan)) => {
            assert_eq!(plan.rules.len(), 1, "{plan}: {why}");
            let FaultRule::Uptime { uptime, .. } = plan.rules[0] else {
                panic!("{plan}");
            };
            // The wrap falls inside the session's 5 s.
            let before_wrap = WRAP_MS - uptime.as_millis() as u64 % WRAP_MS;
            assert!(before_wrap <= 5_000, "{plan}");
            assert!(why.to_string().contains("the session was open"), "{why}");
        }
        other => panic!("the bug was not found: {other:?}"),
    }
    // Proves: the same plans leave the elapsed-time version alone.
    let fixed = runner(64).run(&FaultPlan::uptime_strategy(hosts, 10_000), |plan| {
        closes_on_time(plan, |ws| session_open_for(ws, true))
    });
    assert!(fixed.is_ok(), "{fixed:?}");
}
