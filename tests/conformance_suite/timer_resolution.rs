//! Timer-resolution rules (`TimerResolutions`: winmm's timeBeginPeriod, timeEndPeriod,
//! timeGetDevCaps), written once for the simulator and the real winmm (the calls'
//! documentation; Wine's winmm timer.c `test_timeGetDevCaps` and `test_period` run them).

use winsock_sim::prelude::*;

use super::{Check, Rule};

/// The rules.
pub fn timer_resolution_rules<W: Winsock + TimerResolutions>() -> Vec<Rule<W>> {
    vec![Rule {
        id: "TICK-period",
        title: "timeGetDevCaps reports periods of 1 to 1,000,000 ms; timeBeginPeriod and timeEndPeriod take 1 and 1,000,000 in pairs and refuse 0, 1,000,001 and 0xFFFFFFFF with TIMERR_NOCANDO; none of them touches the last error",
        body: period::<W>,
    }]
}

/// A value no call of the rule sets as the last error.
const MARK: i32 = 1234;

fn period<W: Winsock + TimerResolutions>(ws: &W, c: &mut Check) -> Result<(), String> {
    let caps = ws.time_get_dev_caps();
    c.eq("wPeriodMin", caps.period_min, 1)?;
    c.eq_or_wine(
        "wPeriodMax",
        caps.period_max,
        1_000_000,
        65_535,
        "Windows 10's timeGetDevCaps; Wine 8.0's kernel32 MMSYSTIME_MAXINTERVAL",
    )?;
    ws.wsa_set_last_error(MARK);
    c.eq("timeBeginPeriod(1)", ws.time_begin_period(1), Ok(()))?;
    c.eq("timeEndPeriod(1)", ws.time_end_period(1), Ok(()))?;
    c.eq("their last error", ws.wsa_get_last_error(), MARK)?;
    c.eq_or_wine(
        "timeBeginPeriod(1000000)",
        ws.time_begin_period(1_000_000),
        Ok(()),
        Err(WsaError::TIMERR_NOCANDO),
        "timeGetDevCaps's wPeriodMax on Windows 10; Wine 8.0's MMSYSTIME_MAXINTERVAL (65,535)",
    )?;
    c.eq_or_wine(
        "timeEndPeriod(1000000)",
        ws.time_end_period(1_000_000),
        Ok(()),
        Err(WsaError::TIMERR_NOCANDO),
        "as timeBeginPeriod(1000000)",
    )?;
    for p in [0, 1_000_001, u32::MAX] {
        ws.wsa_set_last_error(MARK);
        c.eq(
            &format!("timeBeginPeriod({p})"),
            ws.time_begin_period(p),
            Err(WsaError::TIMERR_NOCANDO),
        )?;
        c.eq(
            &format!("timeEndPeriod({p})"),
            ws.time_end_period(p),
            Err(WsaError::TIMERR_NOCANDO),
        )?;
        c.eq("their last error", ws.wsa_get_last_error(), MARK)?;
    }
    // Two of the same period held, two given back.
    c.eq("timeBeginPeriod(2)", ws.time_begin_period(2), Ok(()))?;
    c.eq("timeBeginPeriod(2) again", ws.time_begin_period(2), Ok(()))?;
    c.eq("timeEndPeriod(2)", ws.time_end_period(2), Ok(()))?;
    c.eq("timeEndPeriod(2) again", ws.time_end_period(2), Ok(()))
}
