//! [`TimerResolutions`] for [`Native`]: winmm's timeBeginPeriod, timeEndPeriod,
//! timeGetDevCaps and timeGetTime, whose MMRESULT is the result (no last error).

use windows_sys::Win32::Media as mm;

use super::native::Native;
use crate::api::timer_resolution::{TimeCaps, TimerResolutions};
use crate::api::WsaError;

/// An MMRESULT as the trait gives it: TIMERR_NOERROR (0) is success.
fn mm_result(r: u32) -> Result<(), WsaError> {
    match r {
        0 => Ok(()),
        code => Err(WsaError::from_code(code as i32)),
    }
}

impl TimerResolutions for Native {
    fn time_begin_period(&self, period_ms: u32) -> Result<(), WsaError> {
        // SAFETY: takes a number and reads no memory of ours.
        mm_result(unsafe { mm::timeBeginPeriod(period_ms) })
    }

    fn time_end_period(&self, period_ms: u32) -> Result<(), WsaError> {
        // SAFETY: takes a number and reads no memory of ours.
        mm_result(unsafe { mm::timeEndPeriod(period_ms) })
    }

    fn time_get_dev_caps(&self) -> TimeCaps {
        let mut caps = mm::TIMECAPS::default();
        // SAFETY: `caps` is a live local of the size passed, which the call writes.
        let r =
            unsafe { mm::timeGetDevCaps(&mut caps, std::mem::size_of::<mm::TIMECAPS>() as u32) };
        debug_assert_eq!(r, 0, "timeGetDevCaps with a whole TIMECAPS");
        TimeCaps {
            period_min: caps.wPeriodMin,
            period_max: caps.wPeriodMax,
        }
    }

    fn time_get_time(&self) -> u32 {
        // SAFETY: takes nothing and reads no memory of ours.
        unsafe { mm::timeGetTime() }
    }
}
