//! Condition variables' sleeps (SleepConditionVariableCS / SleepConditionVariableSRW): the
//! lock given up, the wait on the variable's key, the lock taken back, the seeded scheduler
//! deciding which sleeper a wake reaches. The wakes and the locks themselves are in
//! `sync.rs`.

use super::sync::take_or_wait;
use crate::api::sync::CONDITION_VARIABLE_LOCKMODE_SHARED;
use crate::api::{ConditionVariable, CriticalSection, SrwLock, WsaError};
use crate::sim::api::{SimWinsock, World};
use crate::sim::runtime::{Step, WaitKey};

impl SimWinsock {
    /// Sleeps on condition variable `cv` after `release` gave up the lock (returning what
    /// `reacquire` needs), then takes the lock again with `reacquire`.
    fn sleep_on(
        &self,
        call: &'static str,
        cv: ConditionVariable,
        timeout_ms: u32,
        release: impl FnOnce(&mut World) -> Result<u32, WsaError>,
        reacquire: impl Fn(&mut World, u32) -> Result<bool, WsaError>,
        lock_id: usize,
    ) -> Result<(), WsaError> {
        let (host, tid, cvid) = (self.host, self.tid, cv.raw());
        let saved = {
            let mut w = self.w();
            w.cv_sleep(host, cvid, tid)?;
            match release(&mut w) {
                Ok(saved) => saved,
                Err(e) => {
                    w.cv_woken(host, cvid, tid, true);
                    return Err(e);
                }
            }
        };
        let deadline = self.deadline(timeout_ms);
        let slept = self.blocking(call, None, |w| {
            if w.cv_woken(host, cvid, tid, false) {
                Step::Done(Ok(()))
            } else if deadline.is_some_and(|d| w.rt.now >= d) {
                Step::Done(Err(WsaError::ERROR_TIMEOUT))
            } else {
                Step::Wait(WaitKey::Lock(cvid), deadline)
            }
        });
        self.w().cv_woken(host, cvid, tid, true);
        self.blocking(call, None, |w| take_or_wait(lock_id, reacquire(w, saved)))?;
        slept
    }
}

/// The condition-variable sleeps' bodies, each a function of its own: a worker waiting for
/// work is commonly blocked in one when a run ends, and the trait methods around them are
/// the small frames such a thread unwinds from (`SimWinsock::call_marked`).
impl SimWinsock {
    #[inline(never)]
    pub(super) fn sleep_cv_cs_call(
        &self,
        cv: ConditionVariable,
        cs: CriticalSection,
        timeout_ms: u32,
    ) -> Result<(), WsaError> {
        let (host, tid, id) = (self.host, self.tid, cs.raw());
        self.kcall_marked(
            "SleepConditionVariableCS",
            cv.raw() as u64,
            u64::from(timeout_ms),
            |this| {
                this.sleep_on(
                    "SleepConditionVariableCS",
                    cv,
                    timeout_ms,
                    |w| w.cs_leave(host, id, tid, true),
                    |w, count| w.cs_restore(host, id, tid, count),
                    id,
                )
            },
        )
    }

    #[inline(never)]
    pub(super) fn sleep_cv_srw_call(
        &self,
        cv: ConditionVariable,
        lock: SrwLock,
        timeout_ms: u32,
        flags: u32,
    ) -> Result<(), WsaError> {
        let (host, tid, id) = (self.host, self.tid, lock.raw());
        let exclusive = flags & CONDITION_VARIABLE_LOCKMODE_SHARED == 0;
        self.kcall_marked(
            "SleepConditionVariableSRW",
            cv.raw() as u64,
            u64::from(timeout_ms),
            |this| {
                if flags & !CONDITION_VARIABLE_LOCKMODE_SHARED != 0 {
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                this.sleep_on(
                    "SleepConditionVariableSRW",
                    cv,
                    timeout_ms,
                    |w| w.srw_release(host, id, tid, exclusive).map(|()| 0),
                    |w, _| w.srw_try_acquire(host, id, tid, exclusive, true),
                    id,
                )
            },
        )
    }
}
