//! The clock as a date in the simulator: GetSystemTime follows the host's clock settings
//! (the fault plan's `clock(...)` rule), GetLocalTime is the same UTC time, and the classic
//! leap-year bug (a year added to 29 February) is refused as Windows refuses it.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::fault::FaultPlan;
use winsock_sim::sim::Sim;

#[test]
fn get_system_time_follows_a_clock_setting_and_local_time_is_utc() {
    let plan: FaultPlan = "clock(all,10ms,forward=86400s)".parse().unwrap();
    let mut sim = Sim::builder().seed(common::seed()).faults(plan).build();
    sim.host("h", "192.0.2.1").spawn("main", |ws| {
        let before = ws.get_system_time();
        assert_eq!((before.year, before.month, before.day), (2026, 1, 1));
        assert_eq!(ws.get_local_time(), before);
        ws.sleep(20);
        let after = ws.get_system_time();
        assert_eq!(
            (after.month, after.day, after.day_of_week),
            (1, 2, 5),
            "a day later"
        );
        assert_eq!(
            (after.hour, after.minute, after.second, after.milliseconds),
            (0, 0, 0, 20)
        );
        assert_eq!(ws.get_local_time(), after);
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_year_added_to_29_february_is_a_date_windows_refuses() {
    common::run(|ws| {
        let leap_day = ws.file_time_to_system_time(133_536_384_000_000_000)?;
        assert_eq!((leap_day.year, leap_day.month, leap_day.day), (2024, 2, 29));
        let next_year = SystemTime {
            year: leap_day.year + 1,
            ..leap_day
        };
        assert_eq!(
            ws.system_time_to_file_time(&next_year),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(ws.wsa_get_last_error(), 87);
        Ok(())
    });
}

#[test]
fn a_clock_set_past_the_last_filetime_shows_its_date() {
    // A plan may shift a clock by anything; GetSystemTime then shows the last date a
    // SYSTEMTIME holds instead of failing.
    let plan: FaultPlan = "clock(all,1ms,forward=9223372036854775807ms)"
        .parse()
        .unwrap();
    let mut sim = Sim::builder().seed(common::seed()).faults(plan).build();
    sim.host("h", "192.0.2.1").spawn("main", |ws| {
        ws.sleep(2);
        let st = ws.get_system_time();
        assert_eq!((st.year, st.month, st.day), (30828, 9, 14));
        assert_eq!(ws.get_local_time(), st);
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}
