//! Port of Wine's `dlls/kernel32/tests/time.c` (wine-tkg commit 4b12965c, Wine 11.10), facts
//! only: the SYSTEMTIME conversions, `test_conversions` (108–161), `test_invalid_arg`
//! (163–199) and `test_FileTimeToSystemTime` (370–406).
//!
//! | part of time.c                                                        | ported | not expressible | failing |
//! |-----------------------------------------------------------------------|-------:|----------------:|--------:|
//! | test_conversions: 1600-12-31 refused, 1601-01-01 is 0, 117–124         |      4 |               0 |       0 |
//! | ATIME, 2002-05-01, 1980-01-01 to FILETIME, 130–148                     |      6 |               0 |       0 |
//! | DosDateTimeToFileTime of 1980-01-01, 153–156                           |      0 |               2 |       0 |
//! | test_invalid_arg: DosDateTimeToFileTime, 172–175                       |      0 |               2 |       0 |
//! | a bad month, hour, minute, 186–198                                     |      3 |               0 |       0 |
//! | test_FileTimeToSystemTime: 0, 1970-01-01 00:00:01, -1 refused, 380–404 |      6 |               0 |       0 |
//! | **total**                                                             | **19** |           **4** |   **0** |
//!
//! Not expressible: DosDateTimeToFileTime (4): the API has no MS-DOS (FAT) date calls. The
//! rest of time.c is about time zones, which the simulated machines do not have (they keep
//! UTC: GetLocalTime is GetSystemTime), and about NtQuerySystemTime and processor times.
//! The neighbours are rule `TIME-convert` (leap days, the other fields' limits, the day of
//! the week, the last error) and `tests/system_time.rs`.
mod common;

use winsock_sim::prelude::*;

const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

fn st(y: u16, mo: u16, d: u16, h: u16, mi: u16, s: u16, ms: u16) -> SystemTime {
    SystemTime::new(y, mo, d, h, mi, s, ms)
}

#[test]
fn test_conversions() {
    common::run(|ws| {
        // 115–119: SETUP_EARLY, 1600-12-31 23:59:59.999.
        ws.wsa_set_last_error(DEADBEEF);
        let r = ws.system_time_to_file_time(&st(1600, 12, 31, 23, 59, 59, 999));
        assert!(r.is_err(), "117: Conversion succeeded EARLY");
        assert_eq!(ws.wsa_get_last_error(), 87, "118: EARLY should be INVALID");
        // 121–126: SETUP_ZEROTIME.
        let r = ws.system_time_to_file_time(&st(1601, 1, 1, 0, 0, 0, 0));
        assert!(r.is_ok(), "123: Conversion failed ZERO_TIME");
        assert_eq!(r, Ok(0), "124");
        // 129–148: ATIME, MAYDAY_2002, NEWYEAR_1980.
        for (what, t, want, lines) in [
            (
                "ATIME",
                st(2002, 7, 26, 11, 55, 32, 123),
                0x01c2_349b_5807_16b0,
                (130, 131),
            ),
            (
                "2002",
                st(2002, 5, 1, 12, 0, 0, 0),
                0x01c1_f107_b82b_6000,
                (137, 139),
            ),
            (
                "1980",
                st(1980, 1, 1, 0, 0, 0, 0),
                0x01a8_e79f_e1d5_8000,
                (146, 148),
            ),
        ] {
            let r = ws.system_time_to_file_time(&t);
            assert!(r.is_ok(), "{}: Conversion failed {what}", lines.0);
            assert_eq!(r, Ok(want), "{}: Wrong time for {what}", lines.1);
        }
        Ok(())
    });
}

#[test]
fn test_invalid_arg() {
    common::run(|ws| {
        // 178–198: SETUP_1980 with a bad month, hour, minute.
        let base = st(1980, 1, 1, 0, 0, 0, 0);
        for (bad, line) in [
            (SystemTime { month: 0, ..base }, 186),
            (SystemTime { hour: 24, ..base }, 192),
            (SystemTime { minute: 60, ..base }, 198),
        ] {
            assert!(ws.system_time_to_file_time(&bad).is_err(), "{line}");
        }
        Ok(())
    });
}

#[test]
fn test_file_time_to_system_time() {
    common::run(|ws| {
        // 377–385: 0 is 1601-01-01 00:00:00.000; 387–396: TICKSPERSEC +
        // TICKS_1601_TO_1970 is 1970-01-01 00:00:01 (the day of the week not checked).
        let time_1970 = 10_000_000u64 + (369 * 365 + 89) * 86_400 * 10_000_000;
        for (ft, want, lines) in [
            (0, st(1601, 1, 1, 0, 0, 0, 0), (380, 382)),
            (time_1970, st(1970, 1, 1, 0, 0, 1, 0), (390, 392)),
        ] {
            let r = ws.file_time_to_system_time(ft);
            assert!(r.is_ok(), "{}", lines.0);
            let got = SystemTime {
                day_of_week: 0,
                ..r?
            };
            assert_eq!(got, want, "{}", lines.1);
        }
        // 398–404: all bits set: ERROR_INVALID_PARAMETER.
        ws.wsa_set_last_error(DEADBEEF);
        assert!(ws.file_time_to_system_time(u64::MAX).is_err(), "403");
        assert_eq!(ws.wsa_get_last_error(), 87, "404");
        Ok(())
    });
}
