//! [`TimerResolutions`] in the simulator: each host keeps the periods its process holds
//! (`net::timer_resolution`), which set its clock interrupt under
//! [`TimerResolution::Windows`](crate::sim::TimerResolution::Windows).

use crate::api::timer_resolution::{TimeCaps, TimeEvent, TimerResolutions, TIME_PERIODIC};
use crate::api::{SyncObjects, WsaError, WsaEvent};
use crate::sim::api::{SimLayers, SimWinsock, Traced};
use crate::sim::kernel::mm_timer::{mm_key, MmTarget};
use crate::sim::net::timer_resolution::PERIOD_RANGE_MS;
use crate::sim::runtime::{Step, ThreadBody};

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
    fn mm_call<T: Traced>(
        &self,
        name: &'static str,
        arg: u32,
        body: impl FnOnce(&Self) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        let before = self.w().rt.threads[self.tid].last_error;
        let r = self.kcall(name, u64::from(arg), 0, body);
        self.w().rt.threads[self.tid].last_error = before;
        r
    }

    /// The body of a host's winmm timer thread: fires its multimedia timers as they fall
    /// due, one after the other, until the run ends.
    fn mm_timer_thread() -> ThreadBody<SimLayers> {
        Box::new(|ws: &SimWinsock| loop {
            let host = ws.host;
            let fire = ws.blocking("(winmm timer thread)", None, |w| {
                match w.mm_take_due(host) {
                    Some(fire) => Step::Done(Ok(fire)),
                    None => Step::Wait(mm_key(host), w.mm_next_due(host)),
                }
            });
            // The wait ends in an error only when the run is over.
            let Ok((id, target)) = fire else {
                return Ok(());
            };
            match target {
                MmTarget::Callback(callback) => {
                    callback(ws, id);
                    ws.w().mm_fired(host, id);
                }
                MmTarget::SetEvent(h) => {
                    // A handle closed meanwhile: SetEvent fails, and nothing happens.
                    let _ = ws.set_event(WsaEvent::from_raw(h));
                }
            }
        })
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

    fn time_set_event(
        &self,
        delay_ms: u32,
        _resolution_ms: u32,
        what: TimeEvent<Self>,
        flags: u32,
    ) -> Result<u32, WsaError> {
        self.mm_call("timeSetEvent", delay_ms, |this| {
            in_range(delay_ms)?;
            let target = match what {
                TimeEvent::Callback(callback) => MmTarget::Callback(callback),
                TimeEvent::SetEvent(event) => MmTarget::SetEvent(event.raw()),
            };
            let host = this.host;
            let periodic = flags & TIME_PERIODIC != 0;
            let mut w = this.w();
            let delay = u64::from(delay_ms) * 1_000_000;
            let id = w
                .mm_set(host, delay, periodic, target)
                .ok_or(WsaError::TIMERR_NOCANDO)?;
            if w.mm_thread(host).is_none() {
                let body = SimWinsock::mm_timer_thread();
                let tid = w.new_thread(host, "winmm timer".to_string(), true, body);
                w.mm_thread_started(host, tid);
            }
            Ok(id)
        })
    }

    fn time_kill_event(&self, id: u32) -> Result<(), WsaError> {
        self.mm_call("timeKillEvent", id, |this| {
            if this.w().mm_kill(this.host, id) {
                Ok(())
            } else {
                Err(WsaError::TIMERR_NOCANDO)
            }
        })
    }

    fn time_get_time(&self) -> u32 {
        let now = self.read_clock();
        let w = self.w();
        let at = w.last_interrupt(self.host, now);
        (at.saturating_add(w.uptime_of(self.host)) / 1_000_000) as u32
    }
}
