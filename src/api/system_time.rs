//! `SYSTEMTIME` ([`SystemTime`]) and the calls that read the clock or convert it into one:
//! `GetSystemTime`, `GetLocalTime`, `FileTimeToSystemTime`, `SystemTimeToFileTime`
//! ([`SystemTimes`]).
//!
//! A server's log lines and its daily rotation at midnight read the date this way; a clock
//! set forward or back (the fault plan's `clock(...)` rule) moves what they read. As kernel32
//! and ntdll have it (kernel32 time.c `test_conversions`, `test_invalid_arg`,
//! `test_FileTimeToSystemTime`, which pass on Windows):
//! - `FileTimeToSystemTime` takes any FILETIME up to `0x7FFF_FFFF_FFFF_FFFF` (year 30828);
//!   above, ERROR_INVALID_PARAMETER. The day of the week is computed (1601-01-01 was a
//!   Monday).
//! - `SystemTimeToFileTime` refuses, with ERROR_INVALID_PARAMETER, a year before 1601 or
//!   after 30827, a month outside 1–12, a day the month does not have (29 February only in
//!   a leap year), an hour past 23, a minute or second past 59, milliseconds past 999; the
//!   day of the week is ignored.
//! - Both keep the last error when they succeed.
//!
//! The simulated machines keep UTC: their local time is their system time (no time zone, no
//! daylight saving). `os::Native` reads the machine's own.

use super::sync::SyncObjects;
use super::WsaError;

/// `SYSTEMTIME`: a date and time of day, each field as Windows stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SystemTime {
    /// wYear: 1601 to 30827.
    pub year: u16,
    /// wMonth: 1 (January) to 12.
    pub month: u16,
    /// wDayOfWeek: 0 (Sunday) to 6 (Saturday).
    pub day_of_week: u16,
    /// wDay: 1 to 31.
    pub day: u16,
    /// wHour: 0 to 23.
    pub hour: u16,
    /// wMinute: 0 to 59.
    pub minute: u16,
    /// wSecond: 0 to 59.
    pub second: u16,
    /// wMilliseconds: 0 to 999.
    pub milliseconds: u16,
}

/// FILETIME units in a day.
const TICKS_PER_DAY: u64 = 864_000_000_000;

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn month_lengths(year: u32) -> [u32; 12] {
    let feb = if is_leap(year) { 29 } else { 28 };
    [31, feb, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
}

/// Days from 1601-01-01 to the first of January of `year` (from 1601).
fn days_before_year(year: u32) -> u64 {
    let y = u64::from(year - 1601);
    y * 365 + y / 4 - y / 100 + y / 400
}

impl SystemTime {
    /// A date and time of day, its day of the week 0 (the conversions compute it, and
    /// `SystemTimeToFileTime` does not read it).
    pub const fn new(
        year: u16,
        month: u16,
        day: u16,
        hour: u16,
        minute: u16,
        second: u16,
        milliseconds: u16,
    ) -> SystemTime {
        SystemTime {
            year,
            month,
            day_of_week: 0,
            day,
            hour,
            minute,
            second,
            milliseconds,
        }
    }

    /// `FileTimeToSystemTime`: the date and time of FILETIME `ft` (100-ns units since
    /// 1601-01-01); above `0x7FFF_FFFF_FFFF_FFFF`, ERROR_INVALID_PARAMETER.
    pub fn from_file_time(ft: u64) -> Result<SystemTime, WsaError> {
        if ft > i64::MAX as u64 {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        let mut days = ft / TICKS_PER_DAY;
        let in_day = ft % TICKS_PER_DAY;
        // 1601-01-01 was a Monday.
        let day_of_week = ((days + 1) % 7) as u16;
        // Whole 400-year cycles (146,097 days each), then years one by one (at most 400).
        let cycles = days / 146_097;
        days %= 146_097;
        let mut year = 1601 + 400 * cycles as u32;
        loop {
            let len = if is_leap(year) { 366 } else { 365 };
            if days < len {
                break;
            }
            days -= len;
            year += 1;
        }
        let mut month = 0;
        for (i, len) in month_lengths(year).into_iter().enumerate() {
            if days < u64::from(len) {
                month = i;
                break;
            }
            days -= u64::from(len);
        }
        let ms = in_day / 10_000;
        Ok(SystemTime {
            year: year as u16,
            month: month as u16 + 1,
            day_of_week,
            day: days as u16 + 1,
            hour: (ms / 3_600_000) as u16,
            minute: (ms / 60_000 % 60) as u16,
            second: (ms / 1_000 % 60) as u16,
            milliseconds: (ms % 1_000) as u16,
        })
    }

    /// `SystemTimeToFileTime`: the FILETIME of this date and time; a field out of its range
    /// (see the module documentation), ERROR_INVALID_PARAMETER. The day of the week is not
    /// read.
    pub fn to_file_time(&self) -> Result<u64, WsaError> {
        let (year, month, day) = (
            u32::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
        );
        let valid = (1601..=30827).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= month_lengths(year)[month as usize - 1]
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
            && self.milliseconds < 1000;
        if !valid {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        let days_in_year: u32 = month_lengths(year)[..month as usize - 1].iter().sum();
        let days = days_before_year(year) + u64::from(days_in_year) + u64::from(day - 1);
        let ms = u64::from(self.hour) * 3_600_000
            + u64::from(self.minute) * 60_000
            + u64::from(self.second) * 1_000
            + u64::from(self.milliseconds);
        Ok(days * TICKS_PER_DAY + ms * 10_000)
    }
}

/// The calls that read the clock as a date, and convert between FILETIME and SYSTEMTIME.
///
/// ```
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::Sim;
///
/// let mut sim = Sim::builder().seed(1).build();
/// sim.host("server", "192.0.2.1").spawn("main", |ws| {
///     // The simulator's clock starts at 2026-01-01 00:00:00 UTC, a Thursday.
///     let now = ws.get_system_time();
///     assert_eq!((now.year, now.month, now.day, now.day_of_week), (2026, 1, 1, 4));
///     assert_eq!(ws.system_time_to_file_time(&now), Ok(SIM_EPOCH_FILETIME));
///     Ok(())
/// });
/// sim.run().expect("the run succeeds");
/// ```
pub trait SystemTimes: SyncObjects {
    /// `GetSystemTime(&st)`: the UTC date and time (in the simulator, with the host's clock
    /// settings).
    fn get_system_time(&self) -> SystemTime;

    /// `GetLocalTime(&st)`: the local date and time (in the simulator, the UTC one: its
    /// machines keep UTC).
    fn get_local_time(&self) -> SystemTime;

    /// `FileTimeToSystemTime(&ft, &st)`, the last error set when it fails.
    fn file_time_to_system_time(&self, ft: u64) -> Result<SystemTime, WsaError> {
        SystemTime::from_file_time(ft).inspect_err(|e| self.wsa_set_last_error(e.code()))
    }

    /// `SystemTimeToFileTime(&st, &ft)`, the last error set when it fails.
    fn system_time_to_file_time(&self, st: &SystemTime) -> Result<u64, WsaError> {
        st.to_file_time()
            .inspect_err(|e| self.wsa_set_last_error(e.code()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates_round_trip() {
        for (ft, (y, mo, d, dow, h, mi, s, ms)) in [
            (0u64, (1601, 1, 1, 1, 0, 0, 0, 0)),
            // time.c's constants: ATIME, MAYDAY_2002, NEWYEAR_1980.
            (0x01c2_349b_5807_16b0, (2002, 7, 26, 5, 11, 55, 32, 123)),
            (0x01c1_f107_b82b_6000, (2002, 5, 1, 3, 12, 0, 0, 0)),
            (0x01a8_e79f_e1d5_8000, (1980, 1, 1, 2, 0, 0, 0, 0)),
            (
                super::super::waitable_timer::SIM_EPOCH_FILETIME,
                (2026, 1, 1, 4, 0, 0, 0, 0),
            ),
            // 2024-02-29 (a leap day), 1900-03-01 (1900 was no leap year).
            (133_536_384_000_000_000, (2024, 2, 29, 4, 0, 0, 0, 0)),
            (94_405_824_000_000_000, (1900, 3, 1, 4, 0, 0, 0, 0)),
        ] {
            let st = SystemTime::from_file_time(ft).unwrap();
            let want = SystemTime {
                day_of_week: dow,
                ..SystemTime::new(y, mo, d, h, mi, s, ms)
            };
            assert_eq!(st, want, "{ft:#x}");
            assert_eq!(st.to_file_time(), Ok(ft), "{want:?}");
        }
        let last = SystemTime::from_file_time(i64::MAX as u64).unwrap();
        assert_eq!((last.year, last.month, last.day), (30828, 9, 14));
        assert_eq!(
            SystemTime::from_file_time(i64::MAX as u64 + 1),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
    }

    proptest::proptest! {
        /// Any FILETIME converts (or is refused above i64::MAX) and comes back to its
        /// millisecond; any fields
        /// are refused or convert to a time that converts back to them; nothing panics.
        #[test]
        fn any_input_converts_or_is_refused(ft in proptest::prelude::any::<u64>(),
                                            f in proptest::prelude::any::<[u16; 8]>()) {
            match SystemTime::from_file_time(ft) {
                // (SYSTEMTIME keeps milliseconds: the 100-ns units below them go.)
                Ok(st) => proptest::prop_assert_eq!(st.to_file_time(), Ok(ft - ft % 10_000)),
                Err(e) => {
                    proptest::prop_assert!(ft > i64::MAX as u64);
                    proptest::prop_assert_eq!(e, WsaError::WSA_INVALID_PARAMETER);
                }
            }
            let st = SystemTime {
                year: f[0] % 32_768,
                month: f[1] % 14,
                day_of_week: f[2],
                day: f[3] % 33,
                hour: f[4] % 26,
                minute: f[5] % 62,
                second: f[6] % 62,
                milliseconds: f[7] % 1_002,
            };
            if let Ok(ft) = st.to_file_time() {
                let back = SystemTime::from_file_time(ft).unwrap();
                proptest::prop_assert_eq!(back, SystemTime { day_of_week: back.day_of_week, ..st });
            }
        }
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let mut prev: Option<SystemTime> = None;
        for day in 0..146_097u64 * 2 {
            let st = SystemTime::from_file_time(day * TICKS_PER_DAY).unwrap();
            assert_eq!(st.to_file_time(), Ok(day * TICKS_PER_DAY));
            if let Some(p) = prev {
                assert_eq!(st.day_of_week, (p.day_of_week + 1) % 7);
            }
            prev = Some(st);
        }
    }
}
