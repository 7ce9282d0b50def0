//! [`SystemTimes`] for [`Native`]: kernel32's GetSystemTime and GetLocalTime (the machine's
//! own time zone), and its FileTimeToSystemTime and SystemTimeToFileTime, so that the rules
//! check the simulator's conversions against the real ones.

use windows_sys::Win32::Foundation::{FILETIME, SYSTEMTIME};
use windows_sys::Win32::System::SystemInformation as si;
use windows_sys::Win32::System::Time as time;

use super::native::{finish_kept, Native};
use super::sync_lookup::check;
use crate::api::system_time::{SystemTime, SystemTimes};
use crate::api::WsaError;

fn from_os(st: &SYSTEMTIME) -> SystemTime {
    SystemTime {
        year: st.wYear,
        month: st.wMonth,
        day_of_week: st.wDayOfWeek,
        day: st.wDay,
        hour: st.wHour,
        minute: st.wMinute,
        second: st.wSecond,
        milliseconds: st.wMilliseconds,
    }
}

/// The SYSTEMTIME `read` (GetSystemTime or GetLocalTime) writes.
fn read_with(read: unsafe extern "system" fn(*mut SYSTEMTIME)) -> SystemTime {
    let mut st = SYSTEMTIME::default();
    // SAFETY: `st` is a live local the call writes.
    unsafe { read(&mut st) };
    from_os(&st)
}

impl SystemTimes for Native {
    fn get_system_time(&self) -> SystemTime {
        read_with(si::GetSystemTime)
    }

    fn get_local_time(&self) -> SystemTime {
        read_with(si::GetLocalTime)
    }

    fn file_time_to_system_time(&self, ft: u64) -> Result<SystemTime, WsaError> {
        let ft = FILETIME {
            dwLowDateTime: ft as u32,
            dwHighDateTime: (ft >> 32) as u32,
        };
        let mut st = SYSTEMTIME::default();
        // SAFETY: `ft` and `st` are live locals; the call reads one and writes the other.
        let ok = unsafe { time::FileTimeToSystemTime(&ft, &mut st) };
        finish_kept(check(ok).map(|()| from_os(&st)))
    }

    fn system_time_to_file_time(&self, s: &SystemTime) -> Result<u64, WsaError> {
        let st = SYSTEMTIME {
            wYear: s.year,
            wMonth: s.month,
            wDayOfWeek: s.day_of_week,
            wDay: s.day,
            wHour: s.hour,
            wMinute: s.minute,
            wSecond: s.second,
            wMilliseconds: s.milliseconds,
        };
        let mut ft = FILETIME::default();
        // SAFETY: `st` and `ft` are live locals; the call reads one and writes the other.
        let ok = unsafe { time::SystemTimeToFileTime(&st, &mut ft) };
        finish_kept(
            check(ok).map(|()| u64::from(ft.dwHighDateTime) << 32 | u64::from(ft.dwLowDateTime)),
        )
    }
}
