//! Timer-resolution rules (`TimerResolutions`: winmm's timeBeginPeriod, timeEndPeriod,
//! timeGetDevCaps), written once for the simulator and the real winmm (the calls'
//! documentation; Wine's winmm timer.c `test_timeGetDevCaps` and `test_period` run them).

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn timer_resolution_rules<
    W: Winsock + TimerResolutions + SyncObjects + Send + Sync + 'static,
>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "TICK-period",
            title: "timeGetDevCaps reports periods of 1 to 1,000,000 ms; timeBeginPeriod and timeEndPeriod take 1 and 1,000,000 in pairs and refuse 0, 1,000,001 and 0xFFFFFFFF with TIMERR_NOCANDO; none of them touches the last error",
            body: period::<W>,
        },
        Rule {
            id: "MM-lifetime",
            title: "winmm timer.c test_timer_lifetime: 16 multimedia timers at once, the 17th to 20th refused; a once-only timer that set its event is gone (timeKillEvent TIMERR_NOCANDO) and the next has another id; a callback kills its own once-only timer (TIMERR_NOERROR), with or without TIME_KILL_SYNCHRONOUS",
            body: lifetime::<W>,
        },
        Rule {
            id: "MM-periodic",
            title: "a periodic multimedia timer calls back again and again with its id, on one thread other than the caller's, until timeKillEvent; then no more",
            body: periodic::<W>,
        },
    ]
}

fn lifetime<W: Winsock + TimerResolutions + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let event = e("CreateEvent", ws.create_event(false, false))?;
    let mut timers = Vec::new();
    for i in 0..20 {
        let r = ws.time_set_event(10_000, 0, TimeEvent::SetEvent(event), TIME_ONESHOT);
        if i < 16 {
            timers.push(e("timeSetEvent", r)?);
        } else {
            c.eq(&format!("timer {i}"), r, Err(WsaError::TIMERR_NOCANDO))?;
        }
    }
    for t in timers {
        c.eq("timeKillEvent", ws.time_kill_event(t), Ok(()))?;
    }
    let t0 = e(
        "timeSetEvent(10)",
        ws.time_set_event(10, 0, TimeEvent::SetEvent(event), TIME_ONESHOT),
    )?;
    c.eq(
        "the event set",
        ws.wait_for_single_object(event.into(), 1_000),
        Ok(WAIT_OBJECT_0),
    )?;
    let t1 = e(
        "timeSetEvent(1000)",
        ws.time_set_event(1_000, 0, TimeEvent::SetEvent(event), TIME_ONESHOT),
    )?;
    c.eq("a new id", t0 != t1, true)?;
    c.eq(
        "timeKillEvent of the fired timer",
        ws.time_kill_event(t0),
        Err(WsaError::TIMERR_NOCANDO),
    )?;
    c.eq("timeKillEvent", ws.time_kill_event(t1), Ok(()))?;
    for flags in [TIME_ONESHOT, TIME_KILL_SYNCHRONOUS] {
        let killed = Arc::new(Mutex::new(None));
        let k = killed.clone();
        let cb: TimeCallback<W> = Arc::new(move |ws: &W, id| {
            *k.lock().expect("killed") = Some(ws.time_kill_event(id));
            let _ = ws.set_event(event);
        });
        e(
            "timeSetEvent(callback)",
            ws.time_set_event(10, 0, TimeEvent::Callback(cb), flags),
        )?;
        c.eq(
            "the callback ran",
            ws.wait_for_single_object(event.into(), 1_000),
            Ok(WAIT_OBJECT_0),
        )?;
        c.eq(
            &format!("timeKillEvent in its callback (flags {flags:#x})"),
            *killed.lock().expect("killed"),
            Some(Ok(())),
        )?;
    }
    e("CloseHandle", ws.close_handle(event.into()))
}

fn periodic<W: Winsock + TimerResolutions + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let cb: TimeCallback<W> = Arc::new(move |ws: &W, id| {
        s.lock()
            .expect("seen")
            .push((id, ws.get_current_thread_id()));
    });
    let id = e(
        "timeSetEvent(20, periodic)",
        ws.time_set_event(20, 0, TimeEvent::Callback(cb), TIME_PERIODIC),
    )?;
    ws.sleep(300);
    c.eq("timeKillEvent", ws.time_kill_event(id), Ok(()))?;
    let calls = std::mem::take(&mut *seen.lock().expect("seen"));
    c.eq("called back again and again", calls.len() >= 5, true)?;
    c.eq("with its id", calls.iter().all(|&(i, _)| i == id), true)?;
    let me = ws.get_current_thread_id();
    c.eq(
        "on one thread, not the caller's",
        calls.iter().all(|&(_, t)| t == calls[0].1 && t != me),
        true,
    )?;
    ws.sleep(100);
    c.eq(
        "no more after timeKillEvent",
        seen.lock().expect("seen").len(),
        0,
    )?;
    c.eq(
        "timeKillEvent again",
        ws.time_kill_event(id),
        Err(WsaError::TIMERR_NOCANDO),
    )
}

/// A value no call of the rule sets as the last error.
const MARK: i32 = 1234;

fn period<W: Winsock + TimerResolutions>(ws: &W, c: &mut Check) -> Result<(), String> {
    let caps = ws.time_get_dev_caps();
    c.eq("wPeriodMin", caps.period_min, 1)?;
    c.eq_or_wine(
        "wPeriodMax",
        caps.period_max,
        1_000_000,
        65_535,
        "Windows 10's timeGetDevCaps; Wine 8.0's kernel32 MMSYSTIME_MAXINTERVAL",
    )?;
    ws.wsa_set_last_error(MARK);
    c.eq("timeBeginPeriod(1)", ws.time_begin_period(1), Ok(()))?;
    c.eq("timeEndPeriod(1)", ws.time_end_period(1), Ok(()))?;
    c.eq("their last error", ws.wsa_get_last_error(), MARK)?;
    c.eq_or_wine(
        "timeBeginPeriod(1000000)",
        ws.time_begin_period(1_000_000),
        Ok(()),
        Err(WsaError::TIMERR_NOCANDO),
        "timeGetDevCaps's wPeriodMax on Windows 10; Wine 8.0's MMSYSTIME_MAXINTERVAL (65,535)",
    )?;
    c.eq_or_wine(
        "timeEndPeriod(1000000)",
        ws.time_end_period(1_000_000),
        Ok(()),
        Err(WsaError::TIMERR_NOCANDO),
        "as timeBeginPeriod(1000000)",
    )?;
    for p in [0, 1_000_001, u32::MAX] {
        ws.wsa_set_last_error(MARK);
        c.eq(
            &format!("timeBeginPeriod({p})"),
            ws.time_begin_period(p),
            Err(WsaError::TIMERR_NOCANDO),
        )?;
        c.eq(
            &format!("timeEndPeriod({p})"),
            ws.time_end_period(p),
            Err(WsaError::TIMERR_NOCANDO),
        )?;
        c.eq("their last error", ws.wsa_get_last_error(), MARK)?;
    }
    // Two of the same period held, two given back.
    c.eq("timeBeginPeriod(2)", ws.time_begin_period(2), Ok(()))?;
    c.eq("timeBeginPeriod(2) again", ws.time_begin_period(2), Ok(()))?;
    c.eq("timeEndPeriod(2)", ws.time_end_period(2), Ok(()))?;
    c.eq("timeEndPeriod(2) again", ws.time_end_period(2), Ok(()))
}
