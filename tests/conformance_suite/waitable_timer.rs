//! Waitable timers (`WaitableTimers`), written once for the simulator and the real kernel32.
//!
//! Windows' rules come from the documentation of SetWaitableTimer and CancelWaitableTimer and
//! from NT's kernel timers (KeSetTimer resets a timer to unsignalled; one APC object per timer;
//! a routine's timer is cancelled when its thread ends; NtSetTimer refuses a negative period).
//! Wine's tests assert none of these; where Wine's wineserver (server/timer.c) is known to do
//! otherwise, the rule records it as a known Wine difference.
//!
//! Due times are far enough apart (50 to 300 ms) and waits long enough (5 s) that a loaded
//! machine gives the same answers as the simulator's virtual clock.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// `ms` milliseconds from now, as a relative due time.
fn after(ms: i64) -> i64 {
    -ms * FILETIME_TICKS_PER_MS
}

/// The waitable timer rules.
pub fn timer_rules<W>() -> Vec<Rule<W>>
where
    W: WaitableTimers + OverlappedIo + Send + Sync + 'static,
{
    vec![
        Rule { id: "TIMER-signal", title: "CreateWaitableTimer unsignalled; a relative due time signals it; a notification timer stays signalled, SetWaitableTimer resets it (a synchronization one too), CancelWaitableTimer does not; a synchronization timer's wait takes the signal", body: signals::<W> },
        Rule { id: "TIMER-period", title: "lPeriod re-arms the timer: three expiries in a row, none after CancelWaitableTimer", body: periods::<W> },
        Rule { id: "TIMER-apc", title: "the completion routine runs in the setting thread's alertable wait with the expiry's FILETIME; one APC queued however many expiries; SetWaitableTimer and CancelWaitableTimer take a queued one back; a routine may set its own timer again", body: routines::<W> },
        Rule { id: "TIMER-exit", title: "a timer set with a routine is cancelled when the thread that set it ends; without a routine it fires", body: thread_exit::<W> },
        Rule { id: "TIMER-precise", title: "GetSystemTimePreciseAsFileTime reads the clock GetSystemTimeAsFileTime reads: read between two of its reads, it is within the coarse clock's 16-ms step of them, and neither goes back", body: precise::<W> },
        Rule { id: "TIMER-errors", title: "not a timer, or closed: ERROR_INVALID_HANDLE; a negative period ERROR_INVALID_PARAMETER; absolute due times on the system clock", body: errors::<W> },
    ]
}

fn signals<W: WaitableTimers>(ws: &W, c: &mut Check) -> Result<(), String> {
    let t = e("CreateWaitableTimer manual", ws.create_waitable_timer(true))?;
    c.eq(
        "new",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e(
        "SetWaitableTimer 200 ms",
        ws.set_waitable_timer(t, after(200), 0, None, false),
    )?;
    c.eq(
        "before its due time",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "at it",
        ws.wait_for_single_object(t.into(), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "stays signalled",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("CancelWaitableTimer", ws.cancel_waitable_timer(t))?;
    c.eq(
        "cancel keeps it",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e(
        "SetWaitableTimer again",
        ws.set_waitable_timer(t, after(10_000), 0, None, false),
    )?;
    c.eq(
        "set resets it",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("CloseHandle", ws.close_handle(t.into()))?;

    let a = e(
        "CreateWaitableTimer synchronization",
        ws.create_waitable_timer(false),
    )?;
    e(
        "SetWaitableTimer 50 ms",
        ws.set_waitable_timer(a, after(50), 0, None, false),
    )?;
    c.eq(
        "due",
        ws.wait_for_single_object(a.into(), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "the wait took it",
        ws.wait_for_single_object(a.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e(
        "SetWaitableTimer 50 ms",
        ws.set_waitable_timer(a, after(50), 0, None, false),
    )?;
    ws.sleep(300);
    e(
        "SetWaitableTimer 10 s",
        ws.set_waitable_timer(a, after(10_000), 0, None, false),
    )?;
    c.eq_or_wine(
        "a signalled synchronization timer set again",
        ws.wait_for_single_object(a.into(), 0),
        Ok(WAIT_TIMEOUT),
        Ok(WAIT_OBJECT_0),
        "server/timer.c set_timer resets manual timers only",
    )?;
    e("CloseHandle", ws.close_handle(a.into()))
}

fn periods<W: WaitableTimers>(ws: &W, c: &mut Check) -> Result<(), String> {
    let t = e("CreateWaitableTimer", ws.create_waitable_timer(false))?;
    e(
        "SetWaitableTimer 100 ms, every 100 ms",
        ws.set_waitable_timer(t, after(100), 100, None, false),
    )?;
    for i in 1..=3 {
        c.eq(
            &format!("expiry {i}"),
            ws.wait_for_single_object(t.into(), 5_000),
            Ok(WAIT_OBJECT_0),
        )?;
    }
    e("CancelWaitableTimer", ws.cancel_waitable_timer(t))?;
    // An expiry just before the cancel may have left the timer signalled: take it.
    ws.wait_for_single_object(t.into(), 0)
        .map_err(|e| format!("{e:?}"))?;
    c.eq(
        "no expiry after the cancel",
        ws.wait_for_single_object(t.into(), 400),
        Ok(WAIT_TIMEOUT),
    )?;
    e("CloseHandle", ws.close_handle(t.into()))
}

/// A routine counting its calls and keeping the last FILETIME it was given.
fn counting<W>(count: &Arc<AtomicU32>, at: &Arc<AtomicU64>) -> TimerApcRoutine<W> {
    let (count, at) = (count.clone(), at.clone());
    Arc::new(move |_: &W, low: u32, high: u32| {
        count.fetch_add(1, Ordering::SeqCst);
        at.store(u64::from(low) | u64::from(high) << 32, Ordering::SeqCst);
    })
}

fn routines<W: WaitableTimers + OverlappedIo + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (count, at) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU64::new(0)));
    let t = e("CreateWaitableTimer", ws.create_waitable_timer(true))?;
    let before = ws.get_system_time_as_file_time();
    e(
        "SetWaitableTimer 50 ms with a routine",
        ws.set_waitable_timer(t, after(50), 0, Some(counting(&count, &at)), false),
    )?;
    ws.sleep(300);
    c.eq("not run by Sleep", count.load(Ordering::SeqCst), 0)?;
    c.eq(
        "the timer is signalled too",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "SleepEx alertable",
        ws.sleep_ex(5_000, true),
        WAIT_IO_COMPLETION,
    )?;
    c.eq("run once", count.load(Ordering::SeqCst), 1)?;
    let after_run = ws.get_system_time_as_file_time();
    let ft = at.load(Ordering::SeqCst);
    c.eq_or_wine(
        "its FILETIME is the expiry's system time",
        ft >= before && ft <= after_run,
        true,
        false,
        "server/timer.c passes a relative timer's monotonic expiry",
    )?;

    // Many expiries, one APC.
    count.store(0, Ordering::SeqCst);
    e(
        "SetWaitableTimer every 20 ms",
        ws.set_waitable_timer(t, after(20), 20, Some(counting(&count, &at)), false),
    )?;
    ws.sleep(300);
    e("CancelWaitableTimer", ws.cancel_waitable_timer(t))?;
    c.eq("taken back by the cancel", ws.sleep_ex(0, true), 0)?;
    c.eq("so none ran", count.load(Ordering::SeqCst), 0)?;
    e(
        "SetWaitableTimer every 20 ms",
        ws.set_waitable_timer(t, after(20), 20, Some(counting(&count, &at)), false),
    )?;
    ws.sleep(300);
    c.eq(
        "alertable after 15 expiries",
        ws.sleep_ex(0, true),
        WAIT_IO_COMPLETION,
    )?;
    c.eq("one call", count.load(Ordering::SeqCst), 1)?;

    // Set again while its APC waits: taken back.
    count.store(0, Ordering::SeqCst);
    e(
        "SetWaitableTimer 20 ms",
        ws.set_waitable_timer(t, after(20), 0, Some(counting(&count, &at)), false),
    )?;
    ws.sleep(300);
    e(
        "SetWaitableTimer 10 s",
        ws.set_waitable_timer(t, after(10_000), 0, Some(counting(&count, &at)), false),
    )?;
    c.eq("taken back by the new setting", ws.sleep_ex(0, true), 0)?;
    c.eq("none ran", count.load(Ordering::SeqCst), 0)?;

    // A routine that sets its own timer again, twice (the backend must keep the running
    // routine alive while its setting is replaced).
    count.store(0, Ordering::SeqCst);
    let slot: Arc<std::sync::Mutex<Option<TimerApcRoutine<W>>>> = Arc::default();
    let me = slot.clone();
    let calls = count.clone();
    let rearming: TimerApcRoutine<W> = Arc::new(move |ws: &W, _, _| {
        if calls.fetch_add(1, Ordering::SeqCst) < 2 {
            let again = me.lock().expect("slot").clone();
            let _ = ws.set_waitable_timer(t, after(20), 0, again, false);
        }
    });
    *slot.lock().expect("slot") = Some(rearming.clone());
    e(
        "SetWaitableTimer with a re-arming routine",
        ws.set_waitable_timer(t, after(20), 0, Some(rearming), false),
    )?;
    for i in 1..=3 {
        c.eq(
            &format!("re-armed call {i}"),
            ws.sleep_ex(5_000, true),
            WAIT_IO_COMPLETION,
        )?;
    }
    c.eq("three calls", count.load(Ordering::SeqCst), 3)?;
    slot.lock().expect("slot").take();
    e("CloseHandle", ws.close_handle(t.into()))
}

fn thread_exit<W: WaitableTimers + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let with = e("CreateWaitableTimer", ws.create_waitable_timer(true))?;
    let without = e("CreateWaitableTimer", ws.create_waitable_timer(true))?;
    let setter = ws.create_thread("setter", move |ws: &W| {
        let routine: TimerApcRoutine<W> = Arc::new(|_, _, _| {});
        ws.set_waitable_timer(with, after(200), 0, Some(routine), false)?;
        ws.set_waitable_timer(without, after(200), 0, None, false)
    });
    let setter = e("CreateThread", setter)?;
    c.eq(
        "the setter ends",
        ws.wait_for_single_object(setter.into(), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "without a routine: fires",
        ws.wait_for_single_object(without.into(), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq_or_wine(
        "with a routine: cancelled with its thread",
        ws.wait_for_single_object(with.into(), 300),
        Ok(WAIT_TIMEOUT),
        Ok(WAIT_OBJECT_0),
        "server/timer.c keeps firing a timer whose APC thread ended",
    )?;
    e("CloseHandle", ws.close_handle(with.into()))?;
    e("CloseHandle", ws.close_handle(without.into()))
}

fn errors<W: WaitableTimers>(ws: &W, c: &mut Check) -> Result<(), String> {
    let ev = e("CreateEvent", ws.create_event(true, false))?;
    let not_a_timer = TimerHandle::from_raw(ev.raw());
    c.eq(
        "SetWaitableTimer on an event",
        ws.set_waitable_timer(not_a_timer, after(10), 0, None, false),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "CancelWaitableTimer on an event",
        ws.cancel_waitable_timer(not_a_timer),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    let t = e("CreateWaitableTimer", ws.create_waitable_timer(true))?;
    c.eq_or_wine(
        "a negative period",
        ws.set_waitable_timer(t, after(10_000), -1, None, false),
        Err(WsaError::WSA_INVALID_PARAMETER),
        Ok(()),
        "NtSetTimer: Wine does not check the period",
    )?;
    e("CancelWaitableTimer", ws.cancel_waitable_timer(t))?;
    // Absolute due times: one already past signals the timer, one 100 ms ahead waits.
    let now = ws.get_system_time_as_file_time();
    e(
        "SetWaitableTimer in the past",
        ws.set_waitable_timer(t, now as i64 - 10_000, 0, None, false),
    )?;
    c.eq(
        "a past due time",
        ws.wait_for_single_object(t.into(), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    let now = ws.get_system_time_as_file_time();
    e(
        "SetWaitableTimer 300 ms ahead",
        ws.set_waitable_timer(t, (now + 300 * 10_000) as i64, 0, None, false),
    )?;
    c.eq(
        "before it",
        ws.wait_for_single_object(t.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "at it",
        ws.wait_for_single_object(t.into(), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    e("CloseHandle", ws.close_handle(t.into()))?;
    c.eq(
        "cancel after close",
        ws.cancel_waitable_timer(t),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "wait after close",
        ws.wait_for_single_object(t.into(), 0),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    e("CloseHandle event", ws.close_handle(ev.into()))
}

fn precise<W: WaitableTimers>(ws: &W, c: &mut Check) -> Result<(), String> {
    // FILETIME units in 16 ms, the coarse clock's step (15.6 ms) rounded up.
    const STEP: u64 = 160_000;
    let before = ws.get_system_time_as_file_time();
    let precise = ws.get_system_time_precise_as_file_time();
    let after = ws.get_system_time_as_file_time();
    c.eq("the coarse clock does not go back", after >= before, true)?;
    c.eq(
        "the precise time lies between the coarse reads, to within a step",
        before <= precise + STEP && precise <= after + STEP,
        true,
    )?;
    let again = ws.get_system_time_precise_as_file_time();
    c.eq("the precise clock does not go back", again >= precise, true)?;
    Ok(())
}
