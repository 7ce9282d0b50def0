//! Wine's `dlls/winmm/tests/timer.c`, which passes on Windows, ported to the simulator: each
//! `ok()` counted once as the function's text has it.
//!
//! | timer.c function | ok() | ported | not expressible |
//! |---|---|---|---|
//! | `test_timeGetDevCaps` | 4 | 1 | 3 (a NULL `TIMECAPS` or a short size: the API takes neither) |
//! | `test_timer` (run for the nine (period, resolution) pairs of `START_TEST`) | 4 | 4 | 0 |
//! | `test_priority` | 3 | 2 | 1 (thread priorities are not modelled) |
//! | `test_timer_lifetime` (with `kill_timer_callback`) | 10 | 10 | 0: rule `MM-lifetime` of the conformance suite, on the simulator and on `os::Native` |
//!
//! `test_timer` only traces its callbacks' spacing; here, stronger, each of the 100 expiries
//! comes exactly one period after the one before (the simulator's clock is exact by default),
//! and so on Windows' clock interrupt (`TimerResolution::Windows`) while `timeBeginPeriod`
//! holds the period; a 20-ms period, coarser than the default interrupt, fires on 15.625-ms
//! interrupts 15, 16 or 31 ms apart, 20 ms on average, its schedule kept.
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimBuilder, SimWinsock, TimerResolution};

const NUM_SAMPLES: usize = 100;

#[test]
fn test_time_get_dev_caps() {
    common::run(|ws| {
        // 57–63: TIMERR_NOERROR, and the range traced.
        let caps = ws.time_get_dev_caps();
        assert!(
            caps.period_min >= 1 && caps.period_min <= caps.period_max,
            "{caps:?}"
        );
        Ok(())
    });
}

/// `test_timer(period, resolution)` on `builder`'s clock: the times (ms, by timeGetTime) of
/// the first 100 callbacks.
fn test_timer(builder: SimBuilder, period: u32, resolution: u32) -> Vec<u32> {
    let times = Arc::new(Mutex::new(Vec::new()));
    let t = times.clone();
    common::run_with(builder, move |ws| {
        // 90–94
        assert_eq!(
            ws.time_begin_period(period),
            Ok(()),
            "timeBeginPeriod({period})"
        );
        let t2 = t.clone();
        let cb: TimeCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, _| {
            let mut times = t2.lock().unwrap();
            if times.len() < NUM_SAMPLES {
                times.push(ws.time_get_time());
            }
        });
        // 96–100
        let id = ws.time_set_event(period, resolution, TimeEvent::Callback(cb), TIME_PERIODIC);
        let id = id.unwrap_or_else(|e| panic!("timeSetEvent({period}, {resolution}): {e:?}"));
        assert_ne!(id, 0);
        ws.sleep(NUM_SAMPLES as u32 * period + 2 * period);
        // 103–107
        assert_eq!(
            ws.time_end_period(period),
            Ok(()),
            "timeEndPeriod({period})"
        );
        // 109–111
        assert_eq!(ws.time_kill_event(id), Ok(()), "timeKillEvent({id})");
        Ok(())
    });
    let times = times.lock().unwrap().clone();
    times
}

#[test]
fn test_timer_runs() {
    let pairs = [
        (1, 0),
        (1, 1),
        (10, 0),
        (10, 1),
        (10, 10),
        (20, 0),
        (20, 1),
        (20, 10),
        (20, 20),
    ];
    for windows in [false, true] {
        for (period, resolution) in pairs {
            let builder = Sim::builder().seed(common::seed());
            let builder = if windows {
                builder.timer_resolution(TimerResolution::Windows)
            } else {
                builder
            };
            let times = test_timer(builder, period, resolution);
            assert_eq!(times.len(), NUM_SAMPLES, "{period}, {resolution}");
            let deltas: Vec<u32> = times.windows(2).map(|w| w[1] - w[0]).collect();
            let what =
                format!("period {period}, resolution {resolution}, Windows' clock {windows}");
            if !windows || period <= 15 {
                // Exact, or a period the interrupt keeps (timeBeginPeriod(period) holds it).
                assert!(deltas.iter().all(|&d| d == period), "{what}: {deltas:?}");
            } else {
                // timeBeginPeriod(20) does not slow the 15.625-ms clock: each expiry is on the
                // interrupt after its due time, and the schedule is kept (20 ms on average).
                let span = times[NUM_SAMPLES - 1] - times[0];
                assert!(span.abs_diff(99 * period) <= 16, "{what}: {deltas:?}");
                assert!(
                    deltas.iter().all(|&d| d < period + 16),
                    "{what}: {deltas:?}"
                );
            }
        }
    }
}

#[test]
fn test_priority() {
    common::run(|ws| {
        let fired = Arc::new(Mutex::new(false));
        let f = fired.clone();
        let cb: TimeCallback<SimWinsock> = Arc::new(move |_, _| {
            *f.lock().unwrap() = true;
        });
        // 180–184
        let id = ws.time_set_event(100, 100, TimeEvent::Callback(cb), TIME_ONESHOT)?;
        assert_ne!(id, 0);
        ws.sleep(200);
        // 188 (the priority's checks, 174 and 189–193, are not expressible)
        assert!(*fired.lock().unwrap(), "Callback not called");
        // The once-only timer is gone (`timeKillEvent(id)`'s result is not checked there).
        assert_eq!(ws.time_kill_event(id), Err(WsaError::TIMERR_NOCANDO));
        Ok(())
    });
}
