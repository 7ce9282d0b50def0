//! [`WaitableTimers`] in the simulator: the calls check their arguments and hand the timer to
//! the kernel layer (`kernel::waitable_timer`), whose expiries run on the virtual clock.

use crate::api::{TimerApcRoutine, TimerHandle, WaitableTimers, WsaError};
use crate::sim::api::{SimWinsock, Traced};
use crate::sim::kernel::objects::{KObject, WaitableTimer};

impl Traced for TimerHandle {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl WaitableTimers for SimWinsock {
    fn create_waitable_timer(&self, manual_reset: bool) -> Result<TimerHandle, WsaError> {
        self.kcall("CreateWaitableTimer", u64::from(manual_reset), 0, |this| {
            let timer = KObject::Timer(WaitableTimer::new(manual_reset));
            Ok(TimerHandle::from_raw(this.w().new_object(this.host, timer)))
        })
    }

    fn set_waitable_timer(
        &self,
        timer: TimerHandle,
        due_time: i64,
        period_ms: i32,
        routine: Option<TimerApcRoutine<Self>>,
        _resume: bool,
    ) -> Result<(), WsaError> {
        self.kcall(
            "SetWaitableTimer",
            timer.raw() as u64,
            due_time as u64,
            |this| {
                // NtSetTimer refuses a negative period before it looks the handle up.
                let period = u64::try_from(period_ms)
                    .map_err(|_| WsaError::WSA_INVALID_PARAMETER)?
                    .saturating_mul(1_000_000);
                let mut w = this.w();
                let idx = w.timer_id(this.host, timer.raw())?;
                let clock = w.timer_clock(this.host, idx);
                let due = w.due_on_clock(this.host, due_time, clock);
                let period = clock.whole_periods(period);
                w.timer_set(idx, due, period, routine.map(|r| (this.tid, r)));
                Ok(())
            },
        )
    }

    fn cancel_waitable_timer(&self, timer: TimerHandle) -> Result<(), WsaError> {
        self.kcall_keep_error("CancelWaitableTimer", timer.raw() as u64, 0, |this| {
            let mut w = this.w();
            let idx = w.timer_id(this.host, timer.raw())?;
            w.timer_cancel(idx);
            Ok(())
        })
    }

    fn get_system_time_as_file_time(&self) -> u64 {
        let now = self.read_clock();
        let w = self.w();
        w.filetime_at(self.host, w.last_interrupt(self.host, now))
    }

    fn get_system_time_precise_as_file_time(&self) -> u64 {
        let now = self.read_clock();
        self.w().filetime_at(self.host, now)
    }
}
