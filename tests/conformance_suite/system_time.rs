//! SYSTEMTIME rules (`SystemTimes`), written once for the simulator and the real kernel32
//! (Wine's kernel32 time.c `test_conversions`, `test_invalid_arg`,
//! `test_FileTimeToSystemTime`, which pass on Windows, and the calls' documentation).

use winsock_sim::prelude::*;

use super::{Check, Rule};

/// The rules.
pub fn system_time_rules<W: Winsock + WaitableTimers + SystemTimes>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "TIME-convert",
            title: "FileTimeToSystemTime and SystemTimeToFileTime agree on time.c's dates (1601-01-01, 1970-01-01 00:00:01, 1980-01-01, 2002-05-01 12:00, 2002-07-26 11:55:32.123) and leap days, give the day of the week and ignore it; a date before 1601, month 0, hour 24, minute 60, second 60, 1000 ms, 31 April, 29 February 2023 and a FILETIME above 0x7FFF_FFFF_FFFF_FFFF are ERROR_INVALID_PARAMETER; success keeps the last error",
            body: convert::<W>,
        },
        Rule {
            id: "TIME-now",
            title: "GetSystemTime lies between two GetSystemTimeAsFileTime reads (to within the clock's 16-ms step); GetLocalTime is a valid date within 14 hours of it",
            body: now::<W>,
        },
    ]
}

/// A value no call of the rules sets as the last error.
const MARK: i32 = 1234;

#[allow(clippy::too_many_arguments)]
fn st(y: u16, mo: u16, d: u16, h: u16, mi: u16, s: u16, ms: u16, dow: u16) -> SystemTime {
    SystemTime {
        day_of_week: dow,
        ..SystemTime::new(y, mo, d, h, mi, s, ms)
    }
}

fn convert<W: Winsock + WaitableTimers + SystemTimes>(ws: &W, c: &mut Check) -> Result<(), String> {
    let dates = [
        (0u64, st(1601, 1, 1, 0, 0, 0, 0, 1)),
        (116_444_736_010_000_000, st(1970, 1, 1, 0, 0, 1, 0, 4)),
        (0x01a8_e79f_e1d5_8000, st(1980, 1, 1, 0, 0, 0, 0, 2)),
        (0x01c1_f107_b82b_6000, st(2002, 5, 1, 12, 0, 0, 0, 3)),
        (0x01c2_349b_5807_16b0, st(2002, 7, 26, 11, 55, 32, 123, 5)),
        (133_536_384_000_000_000, st(2024, 2, 29, 0, 0, 0, 0, 4)),
        (94_405_824_000_000_000, st(1900, 3, 1, 0, 0, 0, 0, 4)),
    ];
    for (ft, want) in dates {
        ws.wsa_set_last_error(MARK);
        c.eq(
            &format!("FileTimeToSystemTime({ft:#x})"),
            ws.file_time_to_system_time(ft),
            Ok(want),
        )?;
        c.eq("its last error", ws.wsa_get_last_error(), MARK)?;
        c.eq(
            &format!("SystemTimeToFileTime({want:?})"),
            ws.system_time_to_file_time(&want),
            Ok(ft),
        )?;
        c.eq("its last error", ws.wsa_get_last_error(), MARK)?;
        // The day of the week is not read.
        let other_day = SystemTime {
            day_of_week: (want.day_of_week + 3) % 7,
            ..want
        };
        c.eq(
            "with another day of the week",
            ws.system_time_to_file_time(&other_day),
            Ok(ft),
        )?;
    }
    let last = ws.file_time_to_system_time(i64::MAX as u64);
    c.eq(
        "FileTimeToSystemTime(0x7FFF_FFFF_FFFF_FFFF)'s date",
        last.map(|s| (s.year, s.month, s.day)),
        Ok((30828, 9, 14)),
    )?;
    ws.wsa_set_last_error(MARK);
    c.eq(
        "FileTimeToSystemTime(-1)",
        ws.file_time_to_system_time(u64::MAX),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq("its last error", ws.wsa_get_last_error(), 87)?;
    let base = st(1980, 1, 1, 0, 0, 0, 0, 2);
    for (what, bad) in [
        (
            "1600-12-31 23:59:59.999",
            st(1600, 12, 31, 23, 59, 59, 999, 0),
        ),
        ("month 0", SystemTime { month: 0, ..base }),
        ("month 13", SystemTime { month: 13, ..base }),
        ("hour 24", SystemTime { hour: 24, ..base }),
        ("minute 60", SystemTime { minute: 60, ..base }),
        ("second 60", SystemTime { second: 60, ..base }),
        (
            "1000 ms",
            SystemTime {
                milliseconds: 1000,
                ..base
            },
        ),
        ("day 0", SystemTime { day: 0, ..base }),
        ("31 April", st(2002, 4, 31, 0, 0, 0, 0, 0)),
    ] {
        ws.wsa_set_last_error(MARK);
        c.eq(
            &format!("SystemTimeToFileTime({what})"),
            ws.system_time_to_file_time(&bad),
            Err(WsaError::WSA_INVALID_PARAMETER),
        )?;
        c.eq("its last error", ws.wsa_get_last_error(), 87)?;
    }
    // The leap-year bug: a year added to 29 February. Windows refuses the date that does
    // not exist; Wine 8.0's RtlTimeFieldsToTime lets February have 29 days in any year and
    // gives 1 March.
    c.eq_or_wine(
        "SystemTimeToFileTime(29 February 2023)",
        ws.system_time_to_file_time(&st(2023, 2, 29, 0, 0, 0, 0, 0)),
        Err(WsaError::WSA_INVALID_PARAMETER),
        Ok(133_221_024_000_000_000),
        "SystemTimeToFileTime's documentation and Microsoft's leap-year readiness notes; \
         Wine 8.0's ntdll RtlTimeFieldsToTime",
    )
}

fn now<W: Winsock + WaitableTimers + SystemTimes>(ws: &W, c: &mut Check) -> Result<(), String> {
    const STEP: u64 = 16 * 10_000;
    let before = ws.get_system_time_as_file_time();
    let sys = ws.get_system_time();
    let after = ws.get_system_time_as_file_time();
    let ft = ws.system_time_to_file_time(&sys);
    c.eq("GetSystemTime is a valid date", ft.is_ok(), true)?;
    let ft = ft.unwrap_or(0);
    c.eq(
        "GetSystemTime between the two reads",
        ft + STEP >= before && ft <= after + STEP,
        true,
    )?;
    let local = ws.get_local_time();
    let lft = ws.system_time_to_file_time(&local);
    c.eq("GetLocalTime is a valid date", lft.is_ok(), true)?;
    let apart = lft.unwrap_or(0).abs_diff(ft);
    c.eq(
        "GetLocalTime within 14 hours of GetSystemTime",
        apart <= 14 * 3_600 * 10_000_000 + STEP,
        true,
    )
}
