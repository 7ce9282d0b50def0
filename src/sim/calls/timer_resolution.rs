//! [`TimerResolutions`] in the simulator: each host keeps the periods its process holds
//! (`net::timer_resolution`), which set its clock interrupt under
//! [`TimerResolution::Windows`](crate::sim::TimerResolution::Windows).

use crate::api::timer_resolution::{TimeCaps, TimerResolutions};
use crate::api::WsaError;
use crate::sim::api::SimWinsock;
use crate::sim::net::timer_resolution::PERIOD_RANGE_MS;

/// TIMERR_NOCANDO for a period outside what `timeGetDevCaps` reports.
fn in_range(period_ms: u32) -> Result<(), WsaError> {
    let (min, max) = PERIOD_RANGE_MS;
    if (min..=max).contains(&period_ms) {
        Ok(())
    } else {
        Err(WsaError::TIMERR_NOCANDO)
    }
}

impl SimWinsock {
    /// A winmm call: traced, its MMRESULT its result, the thread's last error untouched.
    fn mm_call(
        &self,
        name: &'static str,
        period_ms: u32,
        body: impl FnOnce(&Self) -> Result<(), WsaError>,
    ) -> Result<(), WsaError> {
        let before = self.w().rt.threads[self.tid].last_error;
        let r = self.kcall(name, u64::from(period_ms), 0, body);
        self.w().rt.threads[self.tid].last_error = before;
        r
    }
}

impl TimerResolutions for SimWinsock {
    fn time_begin_period(&self, period_ms: u32) -> Result<(), WsaError> {
        self.mm_call("timeBeginPeriod", period_ms, |this| {
            in_range(period_ms)?;
            this.w().begin_timer_period(this.host, period_ms);
            Ok(())
        })
    }

    fn time_end_period(&self, period_ms: u32) -> Result<(), WsaError> {
        self.mm_call("timeEndPeriod", period_ms, |this| {
            in_range(period_ms)?;
            let mut w = this.w();
            if !w.end_timer_period(this.host, period_ms) {
                w.rt.note_misuse_by(
                    this.tid,
                    format!(
                        "timeEndPeriod({period_ms}) without a timeBeginPeriod({period_ms}) held: \
                         Windows ignores it"
                    ),
                );
            }
            Ok(())
        })
    }

    fn time_get_dev_caps(&self) -> TimeCaps {
        let (period_min, period_max) = PERIOD_RANGE_MS;
        TimeCaps {
            period_min,
            period_max,
        }
    }

    fn time_get_time(&self) -> u32 {
        let now = self.read_clock();
        let w = self.w();
        let at = w.last_interrupt(self.host, now);
        (at.saturating_add(w.uptime_of(self.host)) / 1_000_000) as u32
    }
}
