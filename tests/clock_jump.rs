//! The system clock set forward or back under a running program
//! ([`FaultRule::ClockJump`]), beside Wine's kernel32 timer.c `test_timeouts`
//! (`tests/k32_test_timer.rs`): what follows the system clock (GetSystemTimeAsFileTime, a
//! timer routine's time, absolute due times of waitable timers, thread-pool timers and
//! thread-pool waits) and what does not (GetTickCount, timeouts, relative and periodic due
//! times), one host's clock against another's, a clock set back, a timer set after the
//! setting, replay, and a program bug only a clock setting shows, found and shrunk by
//! proptest.
mod common;

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::session::{closes_on_time, deterministic_runner as runner};
use proptest::test_runner::TestError;
use winsock_sim::prelude::*;
use winsock_sim::sim::fault::{FaultPlan, FaultRule, Scope};
use winsock_sim::sim::{Sim, SimWinsock};

/// FILETIME units in a millisecond and a second.
const MS: i64 = 10_000;
const SEC: i64 = 10_000_000;

fn jump(at_ms: u64, scope: Scope, shift_ms: i64) -> FaultRule {
    FaultRule::ClockJump {
        at: Duration::from_millis(at_ms),
        scope,
        shift_ms,
    }
}

fn run_with_plan<F>(plan: FaultPlan, body: F)
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    common::run_with(Sim::builder().seed(common::seed()).faults(plan), body);
}

/// Waits for `timer` and returns the GetTickCount at which it was signalled.
fn signalled_at(ws: &SimWinsock, timer: TimerHandle) -> Result<u32, WsaError> {
    assert_eq!(
        ws.wait_for_single_object(timer.into(), INFINITE)?,
        WAIT_OBJECT_0
    );
    Ok(ws.get_tick_count())
}

#[test]
fn a_clock_set_back_delays_an_absolute_timer_and_no_relative_one() {
    // At 1 s the clock goes 5 s back: the timer due at "now + 2 s" by the clock falls due
    // when the clock shows that again, at 7 s; the one due in 2 s still falls due at 2 s.
    let plan = FaultPlan::none().with(jump(1000, Scope::All, -5000));
    run_with_plan(plan, |ws| {
        let t0 = ws.get_tick_count();
        let abs = ws.create_waitable_timer(true)?;
        let rel = ws.create_waitable_timer(true)?;
        let due = ws.get_system_time_as_file_time() as i64 + 2 * SEC;
        ws.set_waitable_timer(abs, due, 0, None, false)?;
        ws.set_waitable_timer(rel, -2 * SEC, 0, None, false)?;
        assert_eq!(signalled_at(ws, rel)? - t0, 2000);
        assert_eq!(ws.wait_for_single_object(abs.into(), 0)?, WAIT_TIMEOUT);
        assert_eq!(signalled_at(ws, abs)? - t0, 7000);
        Ok(())
    });
}

#[test]
fn an_absolute_periodic_timer_keeps_its_period_after_its_first_expiry() {
    // Due at "now + 2 s" by the clock, every second after: the clock set 1.5 s forward at
    // 1 s passes its due time (it falls due at once), and a second setting, 10 s forward at
    // 2.5 s, moves nothing: after the first expiry its due times are intervals.
    let plan = FaultPlan::none()
        .with(jump(1000, Scope::All, 1500))
        .with(jump(2500, Scope::All, 10_000));
    run_with_plan(plan, |ws| {
        let t0 = ws.get_tick_count();
        let timer = ws.create_waitable_timer(false)?;
        let due = ws.get_system_time_as_file_time() as i64 + 2 * SEC;
        ws.set_waitable_timer(timer, due, 1000, None, false)?;
        let mut at = Vec::new();
        for _ in 0..3 {
            at.push(signalled_at(ws, timer)? - t0);
        }
        assert_eq!(at, [1000, 2000, 3000]);
        Ok(())
    });
}

#[test]
fn a_timer_routine_is_given_the_system_time_it_fell_due_at() {
    // A relative timer due at 2 s, the clock set an hour forward at 1 s: the routine's
    // dwTimerLowValue / dwTimerHighValue are the system time at 2 s, the hour included.
    let plan = FaultPlan::none().with(jump(1000, Scope::All, 3_600_000));
    run_with_plan(plan, |ws| {
        let start = ws.get_system_time_as_file_time();
        let got = Arc::new(AtomicU64::new(0));
        let seen = got.clone();
        let routine: TimerApcRoutine<SimWinsock> = Arc::new(move |_, low, high| {
            seen.store(u64::from(high) << 32 | u64::from(low), Ordering::SeqCst);
        });
        let timer = ws.create_waitable_timer(false)?;
        ws.set_waitable_timer(timer, -2 * SEC, 0, Some(routine), false)?;
        assert_eq!(ws.sleep_ex(INFINITE, true), WAIT_IO_COMPLETION);
        let expected = start + (2 * SEC + 3_600 * SEC) as u64;
        assert_eq!(got.load(Ordering::SeqCst), expected);
        assert_eq!(ws.get_system_time_as_file_time(), expected);
        Ok(())
    });
}

#[test]
fn the_system_time_follows_the_clock_and_the_tick_count_does_not() {
    let plan = FaultPlan::none()
        .with(jump(1000, Scope::All, -3_600_000))
        .with(jump(3000, Scope::All, 250));
    run_with_plan(plan, |ws| {
        let (ft0, tick0) = (ws.get_system_time_as_file_time(), ws.get_tick_count());
        ws.sleep(2000);
        let (ft1, tick1) = (ws.get_system_time_as_file_time(), ws.get_tick_count());
        assert_eq!(tick1 - tick0, 2000);
        assert_eq!(ft1 as i64 - ft0 as i64, 2000 * MS - 3_600 * SEC);
        ws.sleep(2000);
        let (ft2, tick2) = (ws.get_system_time_as_file_time(), ws.get_tick_count());
        assert_eq!(tick2 - tick1, 2000);
        assert_eq!(ft2 as i64 - ft1 as i64, 2250 * MS);
        Ok(())
    });
}

#[test]
fn only_the_named_hosts_clock_moves() {
    // Two hosts, each with a timer due at "now + 10 s" by its clock; host a's clock goes an
    // hour forward at 1 s: a's timer falls due then, b's at 10 s, and b's clock never moved.
    let a: std::net::IpAddr = "192.0.2.1".parse().unwrap();
    let plan = FaultPlan::none().with(jump(1000, Scope::Host(a), 3_600_000));
    let mut sim = Sim::builder().seed(common::seed()).faults(plan).build();
    let fired = Arc::new(Mutex::new(Vec::new()));
    for (name, ip) in [("a", "192.0.2.1"), ("b", "192.0.2.2")] {
        let fired = fired.clone();
        sim.host(name, ip).spawn(name, move |ws| {
            let (ft0, t0) = (ws.get_system_time_as_file_time(), ws.get_tick_count());
            let timer = ws.create_waitable_timer(true)?;
            ws.set_waitable_timer(timer, ft0 as i64 + 10 * SEC, 0, None, false)?;
            let at = signalled_at(ws, timer)? - t0;
            let drift = ws.get_system_time_as_file_time() as i64 - ft0 as i64 - i64::from(at) * MS;
            fired.lock().unwrap().push((name, at, drift / SEC));
            Ok(())
        });
    }
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
    let mut fired = fired.lock().unwrap().clone();
    fired.sort();
    assert_eq!(fired, [("a", 1000, 3_600), ("b", 10_000, 0)]);
}

#[test]
fn an_absolute_pool_wait_timeout_follows_the_clock_and_a_relative_one_does_not() {
    // Two thread-pool waits on an event nobody sets, one until "now + 10 s" by the clock,
    // one for 10 s; the clock goes 20 s forward at 1 s: the first times out then, the
    // second at 10 s, both with WAIT_TIMEOUT.
    let plan = FaultPlan::none().with(jump(1000, Scope::All, 20_000));
    run_with_plan(plan, |ws| {
        let t0 = ws.get_tick_count();
        let never = ws.create_event(true, false)?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let done = ws.create_event(true, false)?;
        let left = Arc::new(AtomicU32::new(2));
        let mut waits = Vec::new();
        for (name, due) in [
            (
                "absolute",
                ws.get_system_time_as_file_time() as i64 + 10 * SEC,
            ),
            ("relative", -10 * SEC),
        ] {
            let (log, left) = (log.clone(), left.clone());
            let wait = ws.create_threadpool_wait(Arc::new(move |ws: &SimWinsock, _, _, r| {
                log.lock()
                    .unwrap()
                    .push((name, ws.get_tick_count() - t0, r));
                if left.fetch_sub(1, Ordering::SeqCst) == 1 {
                    let _ = ws.set_event(done);
                }
            }))?;
            ws.set_threadpool_wait(wait, Some(never.into()), Some(due))?;
            waits.push(wait);
        }
        assert_eq!(
            ws.wait_for_single_object(done.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        for wait in waits {
            ws.wait_for_threadpool_wait_callbacks(wait, false)?;
            ws.close_threadpool_wait(wait)?;
        }
        let log = log.lock().unwrap().clone();
        assert_eq!(
            log,
            [
                ("absolute", 1000, WAIT_TIMEOUT),
                ("relative", 10_000, WAIT_TIMEOUT)
            ]
        );
        Ok(())
    });
}

#[test]
fn due_times_set_after_a_setting_read_the_new_clock() {
    // After the clock went an hour forward, "now + 1 s" by the clock is 1 s away, and a
    // time an hour in the past by the old clock is past.
    let plan = FaultPlan::none().with(jump(0, Scope::All, 3_600_000));
    run_with_plan(plan, |ws| {
        let old = ws.get_system_time_as_file_time();
        ws.sleep(10);
        let now = ws.get_system_time_as_file_time();
        assert_eq!(now - old, (3_600 * SEC + 10 * MS) as u64);
        let t0 = ws.get_tick_count();
        let timer = ws.create_waitable_timer(true)?;
        ws.set_waitable_timer(timer, now as i64 + SEC, 0, None, false)?;
        assert_eq!(signalled_at(ws, timer)? - t0, 1000);
        ws.set_waitable_timer(timer, old as i64 + SEC, 0, None, false)?;
        assert_eq!(ws.wait_for_single_object(timer.into(), 0)?, WAIT_OBJECT_0);
        Ok(())
    });
}

#[test]
fn a_timer_set_again_or_cancelled_before_a_setting_is_not_moved() {
    // An absolute setting replaced by a relative one, and another cancelled: the clock
    // setting at 1 s moves neither (the replaced one does not fire, the cancelled one
    // stays unsignalled).
    let plan = FaultPlan::none().with(jump(1000, Scope::All, 60_000));
    run_with_plan(plan, |ws| {
        let t0 = ws.get_tick_count();
        let now = ws.get_system_time_as_file_time() as i64;
        let replaced = ws.create_waitable_timer(true)?;
        let cancelled = ws.create_waitable_timer(true)?;
        ws.set_waitable_timer(replaced, now + 5 * SEC, 0, None, false)?;
        ws.set_waitable_timer(replaced, -3 * SEC, 0, None, false)?;
        ws.set_waitable_timer(cancelled, now + 5 * SEC, 0, None, false)?;
        ws.cancel_waitable_timer(cancelled)?;
        assert_eq!(signalled_at(ws, replaced)? - t0, 3000);
        assert_eq!(
            ws.wait_for_single_object(cancelled.into(), 10_000)?,
            WAIT_TIMEOUT
        );
        Ok(())
    });
}

#[test]
fn runs_with_clock_settings_replay_and_print_them() {
    let text = "clock(all,1s,forward=10s)+clock(host=192.0.2.1,2s,back=1500ms)";
    let plan: FaultPlan = text.parse().unwrap();
    assert_eq!(plan.to_string(), text);
    let hash = |plan: FaultPlan| {
        common::run_with(Sim::builder().seed(7).faults(plan), |ws| {
            let timer = ws.create_waitable_timer(false)?;
            let due = ws.get_system_time_as_file_time() as i64 + 20 * SEC;
            ws.set_waitable_timer(timer, due, 500, None, false)?;
            for _ in 0..4 {
                signalled_at(ws, timer)?;
            }
            Ok(())
        })
        .trace_hash
    };
    assert_eq!(hash(plan.clone()), hash(plan));
    for bad in [
        "clock(all,1s,+10s)",
        "clock(all,1s,forward=1us)",
        "clock(all,1s)",
    ] {
        assert!(bad.parse::<FaultPlan>().is_err(), "{bad}");
    }
}

/// A session's idle timeout as a program might write it: closes the session once 5 s have
/// passed since `start`, checking every 100 ms, measured by `clock`. Returns the
/// GetTickCount milliseconds the session stayed open.
fn session_open_for(ws: &SimWinsock, clock: fn(&SimWinsock) -> u64) -> u32 {
    let (start, t0) = (clock(ws), ws.get_tick_count());
    loop {
        ws.sleep(100);
        // (saturating: a clock that went back counts as no time passed)
        if clock(ws).saturating_sub(start) >= 5_000 {
            return ws.get_tick_count() - t0;
        }
    }
}

/// The bug: elapsed time from the system clock, in ms.
fn system_ms(ws: &SimWinsock) -> u64 {
    ws.get_system_time_as_file_time() / 10_000
}

/// The fix: elapsed time from the tick count.
fn tick_ms(ws: &SimWinsock) -> u64 {
    u64::from(ws.get_tick_count())
}

#[test]
fn clock_settings_find_a_timeout_measured_with_the_system_time() {
    let hosts = vec!["192.0.2.1".parse().unwrap()];
    // Proves: proptest's clock plans find the bug, and shrink it to one clock setting (the
    // test's failure message would print it, with the run's seed).
    let found = runner(64).run(&FaultPlan::clock_strategy(hosts.clone(), 5_000), |plan| {
        closes_on_time(plan, |ws| u64::from(session_open_for(ws, system_ms)))
    });
    match found {
        Err(TestError::Fail(why, plan)) => {
            assert_eq!(plan.rules.len(), 1, "{plan}: {why}");
            assert!(
                matches!(plan.rules[0], FaultRule::ClockJump { .. }),
                "{plan}"
            );
            assert!(why.to_string().contains("the session was open"), "{why}");
        }
        other => panic!("the bug was not found: {other:?}"),
    }
    // Proves: the same plans leave the tick-count version alone.
    let fixed = runner(64).run(&FaultPlan::clock_strategy(hosts, 5_000), |plan| {
        closes_on_time(plan, |ws| u64::from(session_open_for(ws, tick_ms)))
    });
    assert!(fixed.is_ok(), "{fixed:?}");
}

#[test]
fn a_far_absolute_periodic_timer_ends_the_run_cleanly_after_a_setting_back() {
    // Found by the fuzz: a periodic timer due at the largest FILETIME, the clock set back,
    // and a thread that never wakes: the run ends at its time limit with a report, where the
    // moved due time once overflowed when the period was added to it.
    let plan = FaultPlan::none().with(jump(1, Scope::All, -3_600_000));
    let mut sim = Sim::builder()
        .seed(common::seed())
        .faults(plan)
        .time_limit(Duration::from_secs(2))
        .build();
    sim.host("host", "192.0.2.1").spawn("main", |ws| {
        let timer = ws.create_waitable_timer(false)?;
        ws.set_waitable_timer(timer, i64::MAX, 1000, None, false)?;
        let never = ws.create_event(true, false)?;
        ws.wait_for_single_object(never.into(), INFINITE)?;
        Ok(())
    });
    let e = sim.run().expect_err("the thread never wakes");
    // The report names the plan, and its timeline the setting.
    assert!(e.to_string().contains("clock(all,1ms,back=3600s)"), "{e}");
    let timeline: Vec<String> = e.picture.records.iter().map(|r| r.to_string()).collect();
    assert!(
        timeline.iter().any(|l| l.ends_with(
            "fault: system clock set back by 3600.000 s: it shows \
                 2025-12-31 23:00:00.001 UTC (h0)"
        )),
        "{timeline:#?}"
    );
}
