//! Calendar boundaries (`FaultPlan::calendar_strategy`): every plan it draws sets a clock to
//! just before one, within the horizon; and, drawn by proptest, they find the leap-year bug
//! of a renewal date made by adding a year to today (on 29 February, a date that does not
//! exist, which `SystemTimeToFileTime` refuses as Windows does), shrunk to the one setting
//! that crosses into a leap day, while the twin that adds 365 or 366 days passes; and they
//! find a time stamp kept in 32 bits going back at 2038-01-19 03:14:08, while the 64-bit twin
//! passes.
mod common;

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestError;
use winsock_sim::prelude::*;
use winsock_sim::sim::fault::FaultRule;
use winsock_sim::sim::{FaultPlan, Sim, SimWinsock};

use common::session::deterministic_runner as runner;

/// The boundaries the strategy knows, as FILETIMEs in ms.
fn boundaries() -> Vec<u64> {
    FaultPlan::CALENDAR_BOUNDARIES
        .iter()
        .map(|st| st.to_file_time().expect("a valid date") / 10_000)
        .collect()
}

#[test]
fn every_plan_sets_a_clock_just_before_a_boundary() {
    let b = boundaries();
    let max_ms = 10_000;
    let mut r = runner(1);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..500 {
        let plan = FaultPlan::calendar_strategy(Vec::new(), max_ms)
            .new_tree(&mut r)
            .unwrap()
            .current();
        for rule in &plan.rules {
            let FaultRule::ClockJump { at, shift_ms, .. } = rule else {
                panic!("{rule:?}");
            };
            let at_ms = at.as_millis() as u64;
            assert!(at_ms <= max_ms / 2, "{plan}");
            let clock = (SIM_EPOCH_FILETIME / 10_000 + at_ms) as i64 + shift_ms;
            let next = b
                .iter()
                .position(|&x| x as i64 > clock && x as i64 - clock <= (max_ms / 2) as i64);
            assert!(next.is_some(), "{plan}: no boundary just after it");
            seen.extend(next);
            // The one-line form round-trips.
            assert_eq!(plan.to_string().parse::<FaultPlan>().unwrap(), plan);
        }
    }
    assert_eq!(seen.len(), b.len(), "every boundary is drawn: {seen:?}");
    // The shift's extremes print and parse (back by 2^63 ms is i64::MIN).
    for shift_ms in [i64::MIN, i64::MAX] {
        let plan = FaultPlan::none().with(FaultRule::ClockJump {
            at: std::time::Duration::ZERO,
            scope: winsock_sim::sim::fault::Scope::All,
            shift_ms,
        });
        assert_eq!(plan.to_string().parse::<FaultPlan>().unwrap(), plan);
    }
}

/// A renewal date a year from today, as the bug makes it: the year plus one.
fn renewal_by_year(ws: &SimWinsock, today: SystemTime) -> Result<u64, WsaError> {
    let next = SystemTime {
        year: today.year + 1,
        ..today
    };
    ws.system_time_to_file_time(&next)
}

/// The fix: 365 days later, or 366 when the year ahead holds a 29 February.
fn renewal_by_days(ws: &SimWinsock, today: SystemTime) -> Result<u64, WsaError> {
    const DAY: u64 = 864_000_000_000;
    let now = ws.system_time_to_file_time(&today)?;
    let plain = now + 365 * DAY;
    let later = ws.file_time_to_system_time(plain)?;
    // A 29 February passed on the way (this year's after today, or next year's before the
    // same day) makes the year 366 days long.
    let leap = |y: u16| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let crosses = (leap(today.year) && today.month <= 2 && !(today.month == 2 && today.day == 29))
        || (leap(later.year) && (later.month > 2 || later.day == 29));
    Ok(if crosses { plain + DAY } else { plain })
}

/// A shop's thread that, every 100 ms for 3 s, renews a subscription a year from today.
fn renews(
    plan: FaultPlan,
    renew: fn(&SimWinsock, SystemTime) -> Result<u64, WsaError>,
) -> Result<(), TestCaseError> {
    let failed = Arc::new(Mutex::new(None));
    let f = failed.clone();
    let mut sim = Sim::builder().seed(1).faults(plan).build();
    sim.host("shop", "192.0.2.1").spawn("renewals", move |ws| {
        for _ in 0..30 {
            let today = ws.get_system_time();
            if let Err(e) = renew(ws, today) {
                *f.lock().unwrap() = Some((today, e));
                break;
            }
            ws.sleep(100);
        }
        Ok(())
    });
    sim.run().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let failed = *failed.lock().unwrap();
    prop_assert!(failed.is_none(), "the renewal failed: {:?}", failed);
    Ok(())
}

#[test]
fn calendar_boundaries_find_the_leap_year_renewal_bug() {
    // Proves: the calendar plans find the bug, shrunk to one setting that takes the clock to
    // 28 or 29 February 2028.
    let found = runner(64).run(&FaultPlan::calendar_strategy(Vec::new(), 6_000), |plan| {
        renews(plan, renewal_by_year)
    });
    match found {
        Err(TestError::Fail(why, plan)) => {
            assert_eq!(plan.rules.len(), 1, "{plan}: {why}");
            let FaultRule::ClockJump { at, shift_ms, .. } = plan.rules[0] else {
                panic!("{plan}");
            };
            let clock = (SIM_EPOCH_FILETIME / 10_000 + at.as_millis() as u64) as i64 + shift_ms;
            let date = SystemTime::from_file_time(clock as u64 * 10_000).unwrap();
            assert_eq!((date.year, date.month), (2028, 2), "{plan}: {date:?}");
            assert!(why.to_string().contains("WSA_INVALID_PARAMETER"), "{why}");
            eprintln!("found and shrunk: {plan} ({date:?})");
        }
        other => panic!("the bug was not found: {other:?}"),
    }
    // Proves: the same plans leave the fix alone.
    let fixed = runner(64).run(&FaultPlan::calendar_strategy(Vec::new(), 6_000), |plan| {
        renews(plan, renewal_by_days)
    });
    assert!(fixed.is_ok(), "{fixed:?}");
}

/// Seconds since 1970 from the system clock.
fn unix_seconds(ws: &SimWinsock) -> u64 {
    const FILETIME_1970: u64 = 116_444_736_000_000_000;
    (ws.get_system_time_as_file_time() - FILETIME_1970) / 10_000_000
}

/// The bug: the seconds kept in 32 bits (a C `time_t` of old, a log format's field).
fn stamp_32(ws: &SimWinsock) -> i64 {
    i64::from(unix_seconds(ws) as i32)
}

/// The fix: 64 bits.
fn stamp_64(ws: &SimWinsock) -> i64 {
    unix_seconds(ws) as i64
}

/// A log whose time stamps must never go below the first one, read every 100 ms for 7 s
/// (past the plans' 6-s horizon).
fn stamps_keep_order(plan: FaultPlan, stamp: fn(&SimWinsock) -> i64) -> Result<(), TestCaseError> {
    let broke = Arc::new(Mutex::new(None));
    let b = broke.clone();
    let mut sim = Sim::builder().seed(1).faults(plan).build();
    sim.host("logger", "192.0.2.1").spawn("log", move |ws| {
        let first = stamp(ws);
        for _ in 0..70 {
            let now = stamp(ws);
            if now < first {
                *b.lock().unwrap() = Some((first, now, ws.get_system_time()));
                break;
            }
            ws.sleep(100);
        }
        Ok(())
    });
    sim.run().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let broke = *broke.lock().unwrap();
    prop_assert!(broke.is_none(), "a time stamp went back: {:?}", broke);
    Ok(())
}

#[test]
fn calendar_boundaries_find_a_time_stamp_kept_in_32_bits() {
    // Proves: the plans find the 2038 overflow (only its boundary breaks a 32-bit stamp),
    // and the 64-bit twin passes them.
    let found = runner(64).run(&FaultPlan::calendar_strategy(Vec::new(), 6_000), |plan| {
        stamps_keep_order(plan, stamp_32)
    });
    match found {
        Err(TestError::Fail(why, plan)) => {
            assert_eq!(plan.rules.len(), 1, "{plan}: {why}");
            assert!(why.to_string().contains("year: 2038"), "{why}");
        }
        other => panic!("the bug was not found: {other:?}"),
    }
    let fixed = runner(64).run(&FaultPlan::calendar_strategy(Vec::new(), 6_000), |plan| {
        stamps_keep_order(plan, stamp_64)
    });
    assert!(fixed.is_ok(), "{fixed:?}");
}
