//! [`TimerResolutions`] for [`Native`]: winmm's timeBeginPeriod, timeEndPeriod,
//! timeGetDevCaps and timeGetTime, whose MMRESULT is the result (no last error), and its
//! multimedia timers.
//!
//! **A timer's callback** runs through one C routine, [`mm_callback`], which finds it in
//! [`TABLE`] by the key passed as `dwUser`; the entry is made before `timeSetEvent` (a timer
//! may fire before the call returns) and goes when `timeKillEvent` has stopped the timer, or
//! when a once-only timer's callback returns. Every callback timer is made with
//! TIME_KILL_SYNCHRONOUS, so that once `timeKillEvent` returns no callback starts; one that
//! runs has taken its own copy of the entry. No pointer of ours reaches winmm.

use std::collections::BTreeMap;

use once_cell::sync::Lazy;
use parking_lot::Mutex;
use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Media as mm;

use super::native::Native;
use crate::api::timer_resolution::{
    TimeCallback, TimeCaps, TimeEvent, TimerResolutions, TIME_KILL_SYNCHRONOUS,
};
use crate::api::WsaError;

/// The callbacks of the live callback timers, by key, and each timer's key by id.
#[derive(Default)]
struct Table {
    by_key: BTreeMap<usize, (Native, TimeCallback<Native>, bool)>,
    key_of: BTreeMap<u32, usize>,
    next_key: usize,
}

static TABLE: Lazy<Mutex<Table>> = Lazy::new(|| Mutex::new(Table::default()));

/// The `LPTIMECALLBACK` of every callback timer: runs the callback of entry `key`.
unsafe extern "system" fn mm_callback(id: u32, _msg: u32, key: usize, _dw1: usize, _dw2: usize) {
    let entry = TABLE.lock().by_key.get(&key).cloned();
    let Some((native, callback, once)) = entry else {
        return;
    };
    // A panic must not unwind into winmm.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(&native, id)));
    if r.is_err() {
        eprintln!(
            "winsock-sim: a multimedia timer's callback panicked; aborting (it runs inside winmm)"
        );
        std::process::abort();
    }
    if once {
        // The OS has destroyed the timer.
        let mut t = TABLE.lock();
        t.by_key.remove(&key);
        if t.key_of.get(&id) == Some(&key) {
            t.key_of.remove(&id);
        }
    }
}

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

    fn time_set_event(
        &self,
        delay_ms: u32,
        resolution_ms: u32,
        what: TimeEvent<Self>,
        flags: u32,
    ) -> Result<u32, WsaError> {
        let periodic = flags & mm::TIME_PERIODIC;
        let id = match what {
            TimeEvent::SetEvent(event) => {
                let h = self.event(event)? as HANDLE;
                // SAFETY: with TIME_CALLBACK_EVENT_SET winmm takes lpTimeProc as the event's
                // handle and never calls it; `h` is an open event of this backend. (It must
                // stay open while the timer lives: the program's part, as on Windows.)
                unsafe {
                    let proc = std::mem::transmute::<
                        HANDLE,
                        unsafe extern "system" fn(u32, u32, usize, usize, usize),
                    >(h);
                    mm::timeSetEvent(
                        delay_ms,
                        resolution_ms,
                        Some(proc),
                        0,
                        periodic | (flags & TIME_KILL_SYNCHRONOUS) | mm::TIME_CALLBACK_EVENT_SET,
                    )
                }
            }
            TimeEvent::Callback(callback) => {
                let key = {
                    let mut t = TABLE.lock();
                    t.next_key += 1;
                    let key = t.next_key;
                    t.by_key
                        .insert(key, (self.clone(), callback, periodic == 0));
                    key
                };
                // SAFETY: `mm_callback` lives as long as the process and reads nothing
                // through `dwUser`, a plain key; it may run before this call returns, and
                // finds its entry, made above.
                let id = unsafe {
                    mm::timeSetEvent(
                        delay_ms,
                        resolution_ms,
                        Some(mm_callback),
                        key,
                        periodic | TIME_KILL_SYNCHRONOUS | mm::TIME_CALLBACK_FUNCTION,
                    )
                };
                let mut t = TABLE.lock();
                if id == 0 {
                    t.by_key.remove(&key);
                } else if t.by_key.contains_key(&key) {
                    // (A once-only timer may have fired already, its entry gone.)
                    t.key_of.insert(id, key);
                }
                id
            }
        };
        if id == 0 {
            Err(WsaError::TIMERR_NOCANDO)
        } else {
            Ok(id)
        }
    }

    fn time_kill_event(&self, id: u32) -> Result<(), WsaError> {
        // SAFETY: takes a number and reads no memory of ours.
        let r = mm_result(unsafe { mm::timeKillEvent(id) });
        if r.is_ok() {
            // Stopped: no callback starts now (TIME_KILL_SYNCHRONOUS), and one running has
            // its own copy of the entry.
            let mut t = TABLE.lock();
            if let Some(key) = t.key_of.remove(&id) {
                t.by_key.remove(&key);
            }
        }
        r
    }
}
