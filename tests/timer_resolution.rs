//! Windows' clock interrupt (`TimerResolution::Windows`) and winmm's timer-resolution calls:
//! timed waits and timers end on an interrupt, every 15.625 ms unless the process holds a
//! finer `timeBeginPeriod`; `GetTickCount` steps by the default period, `timeGetTime` and
//! `GetSystemTimeAsFileTime` by the current one. As the `Sleep`, `timeBeginPeriod` and
//! `GetTickCount` documentation has it (Wine's timers are exact, so no Wine test asserts
//! it): a wait shorter than a period can end sooner than asked, one between one and two
//! periods takes between one and two. And the bug it finds: a frame loop that sleeps 16 ms
//! runs at 32 frames a second, not 60.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimBuilder, SimWinsock, TimerResolution};

const PERIOD: Duration = Duration::from_micros(15_625);

/// A named call that waits.
type Wait<'a> = (&'static str, Box<dyn Fn() + 'a>);

fn windows() -> SimBuilder {
    Sim::builder()
        .seed(common::seed())
        .timer_resolution(TimerResolution::Windows)
}

/// How long `f` takes in virtual time.
fn timed(ws: &SimWinsock, f: impl FnOnce()) -> Duration {
    let start = ws.now();
    f();
    ws.now() - start
}

#[test]
fn by_default_waits_end_at_their_deadline() {
    common::run(|ws| {
        assert_eq!(timed(ws, || ws.sleep(1)), Duration::from_millis(1));
        assert_eq!(timed(ws, || ws.sleep(16)), Duration::from_millis(16));
        assert_eq!(ws.get_tick_count(), 17);
        assert_eq!(ws.time_get_time(), 17);
        // timeBeginPeriod keeps its books and changes nothing.
        assert_eq!(ws.time_begin_period(1), Ok(()));
        assert_eq!(timed(ws, || ws.sleep(16)), Duration::from_millis(16));
        assert_eq!(ws.time_end_period(1), Ok(()));
        Ok(())
    });
}

#[test]
fn sleep_ends_on_an_interrupt() {
    common::run_with(windows(), |ws| {
        // Between interrupts a wait counts from the last one, so it can end sooner than
        // asked: 10 ms past the interrupt at 0 (reached at a 1-ms interrupt), Sleep(1) ends
        // 5.625 ms later, at the next.
        assert_eq!(ws.time_begin_period(1), Ok(()));
        assert_eq!(timed(ws, || ws.sleep(10)), Duration::from_millis(10));
        assert_eq!(ws.time_end_period(1), Ok(()));
        assert_eq!(
            timed(ws, || ws.sleep(1)),
            PERIOD - Duration::from_millis(10)
        );
        // From an interrupt: Sleep(1) and Sleep(15) take one period, Sleep(16) two.
        assert_eq!(timed(ws, || ws.sleep(1)), PERIOD);
        assert_eq!(timed(ws, || ws.sleep(15)), PERIOD);
        assert_eq!(timed(ws, || ws.sleep(16)), 2 * PERIOD);
        assert_eq!(timed(ws, || ws.sleep(31)), 2 * PERIOD);
        assert_eq!(timed(ws, || ws.sleep(32)), 3 * PERIOD);
        assert_eq!(ws.now(), 10 * PERIOD);
        // Sleep(0) only yields.
        assert_eq!(timed(ws, || ws.sleep(0)), Duration::ZERO);
        // 9.75 ms past an interrupt (156.25 ms: the 1-ms interrupts fall on whole
        // milliseconds, so Sleep(10) at a 1-ms period ends at 166 ms), Sleep(16) takes
        // 21.5 ms: between one and two periods.
        assert_eq!(ws.time_begin_period(1), Ok(()));
        assert_eq!(timed(ws, || ws.sleep(10)), Duration::from_micros(9_750));
        assert_eq!(ws.time_end_period(1), Ok(()));
        assert_eq!(timed(ws, || ws.sleep(16)), Duration::from_micros(21_500));
        Ok(())
    });
}

#[test]
fn time_begin_period_gives_the_process_a_finer_interrupt() {
    let report = common::run_with(windows(), |ws| {
        assert_eq!(ws.time_begin_period(1), Ok(()));
        assert_eq!(timed(ws, || ws.sleep(1)), Duration::from_millis(1));
        assert_eq!(timed(ws, || ws.sleep(16)), Duration::from_millis(16));
        // Held twice, given back once: still 1 ms.
        assert_eq!(ws.time_begin_period(1), Ok(()));
        assert_eq!(ws.time_end_period(1), Ok(()));
        assert_eq!(timed(ws, || ws.sleep(3)), Duration::from_millis(3));
        // A coarser period held beside it changes nothing; the finest wins.
        assert_eq!(ws.time_begin_period(5), Ok(()));
        assert_eq!(timed(ws, || ws.sleep(3)), Duration::from_millis(3));
        assert_eq!(ws.time_end_period(1), Ok(()));
        // 5 ms now, at 23 ms: Sleep(3) counts from the interrupt at 20 and ends at the one
        // at 25; from there Sleep(6) takes two periods.
        assert_eq!(ws.now(), Duration::from_millis(23));
        assert_eq!(timed(ws, || ws.sleep(3)), Duration::from_millis(2));
        assert_eq!(timed(ws, || ws.sleep(6)), Duration::from_millis(10));
        assert_eq!(ws.time_end_period(5), Ok(()));
        // A period coarser than the default does not slow the clock down.
        assert_eq!(ws.time_begin_period(20), Ok(()));
        let t = timed(ws, || ws.sleep(1));
        assert!(t <= PERIOD, "{t:?}");
        assert_eq!(ws.time_end_period(20), Ok(()));
        // Giving back what is not held succeeds (and is a misuse the report names).
        assert_eq!(ws.time_end_period(7), Ok(()));
        Ok(())
    });
    assert_eq!(report.misuses.len(), 1, "{:?}", report.misuses);
    assert!(
        report.misuses[0].contains("timeEndPeriod(7)"),
        "{:?}",
        report.misuses
    );
}

#[test]
fn periods_out_of_range_are_refused_and_the_last_error_kept() {
    common::run_with(windows(), |ws| {
        let caps = ws.time_get_dev_caps();
        assert_eq!((caps.period_min, caps.period_max), (1, 1_000_000));
        for p in [0, 1_000_001, u32::MAX] {
            ws.wsa_set_last_error(0x1234);
            assert_eq!(
                ws.time_begin_period(p),
                Err(WsaError::TIMERR_NOCANDO),
                "{p}"
            );
            assert_eq!(ws.time_end_period(p), Err(WsaError::TIMERR_NOCANDO), "{p}");
            assert_eq!(ws.wsa_get_last_error(), 0x1234, "{p}");
        }
        ws.wsa_set_last_error(0x1234);
        assert_eq!(ws.time_begin_period(1_000_000), Ok(()));
        assert_eq!(ws.time_end_period(1_000_000), Ok(()));
        assert_eq!(ws.wsa_get_last_error(), 0x1234);
        // A refused period is not held: the clock keeps its default period.
        assert_eq!(timed(ws, || ws.sleep(1)), PERIOD);
        Ok(())
    });
}

#[test]
fn the_clocks_advance_on_interrupts() {
    common::run_with(windows(), |ws| {
        // Sampled every millisecond for 125 ms (at a 1-ms interrupt), GetTickCount shows
        // the default periods in whole milliseconds, timeGetTime every millisecond.
        assert_eq!(ws.time_begin_period(1), Ok(()));
        let mut ticks = Vec::new();
        let mut mm = Vec::new();
        for _ in 0..=125 {
            ticks.push(ws.get_tick_count());
            mm.push(ws.time_get_time());
            ws.sleep(1);
        }
        ticks.dedup();
        assert_eq!(ticks, [0, 15, 31, 46, 62, 78, 93, 109, 125]);
        assert_eq!(mm, (0..=125).collect::<Vec<u32>>());
        // At 126 ms; to 130 ms, between the default interrupts at 125 and 140.625 ms.
        ws.sleep(4);
        assert_eq!(ws.time_end_period(1), Ok(()));
        assert_eq!(ws.now(), Duration::from_millis(130));
        // At the default period timeGetTime and the system time step with the interrupt;
        // QueryPerformanceCounter and the precise system time do not.
        assert_eq!(ws.time_get_time(), 125);
        assert_eq!(ws.get_tick_count(), 125);
        let ft = ws.get_system_time_as_file_time();
        assert_eq!(ft, SIM_EPOCH_FILETIME + 125 * 10_000);
        let precise = ws.get_system_time_precise_as_file_time();
        assert_eq!(
            precise,
            SIM_EPOCH_FILETIME + ws.now().as_nanos() as u64 / 100
        );
        assert_eq!(
            ws.query_performance_counter(),
            (ws.now().as_nanos() / 100) as i64
        );
        Ok(())
    });
}

#[test]
fn every_timed_wait_ends_on_an_interrupt() {
    common::run_with(windows(), |ws| {
        let ev = ws.wsa_create_event()?;
        let waits: [Wait; 4] = [
            (
                "WaitForSingleObject",
                Box::new(|| {
                    let _ = ws.wait_for_single_object(ev.into(), 20);
                }),
            ),
            (
                "WSAWaitForMultipleEvents",
                Box::new(|| {
                    let _ = ws.wsa_wait_for_multiple_events(&[ev], false, 20, false);
                }),
            ),
            (
                "SleepEx",
                Box::new(|| {
                    ws.sleep_ex(20, true);
                }),
            ),
            (
                "GetQueuedCompletionStatus",
                Box::new(|| {
                    let port = ws.create_io_completion_port(0).unwrap();
                    let _ = ws.get_queued_completion_status(port, 20);
                }),
            ),
        ];
        for (name, wait) in &waits {
            // Each starts on an interrupt (the last wait ended on one): two periods.
            assert_eq!(timed(ws, wait), 2 * PERIOD, "{name}");
        }
        // select's timeval and SO_RCVTIMEO too.
        let (c, s) = common::pair(ws)?;
        let start = ws.now();
        let mut r = FdSet::new();
        r.set(c);
        let n = ws.select(Some(&mut r), None, None, Some(Duration::from_millis(5)))?;
        assert_eq!(n, 0);
        let t = ws.now() - start;
        assert!(t <= PERIOD && t > Duration::ZERO, "select {t:?}");
        ws.setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &100u32.to_le_bytes())?;
        let start = ws.now();
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(c, &mut buf, 0), Err(WsaError::WSAETIMEDOUT));
        let t = ws.now() - start;
        assert!(t > Duration::from_millis(100) - PERIOD, "recv {t:?}");
        assert!(t <= Duration::from_millis(100) + PERIOD, "recv {t:?}");
        assert_eq!(
            ws.now().as_nanos() % PERIOD.as_nanos(),
            0,
            "on an interrupt"
        );
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        Ok(())
    });
}

#[test]
fn a_periodic_timer_keeps_whole_periods() {
    common::run_with(windows(), |ws| {
        // A 50-ms periodic waitable timer set on an interrupt: due at 50 ms, seen at the
        // interrupt at 62.5 ms, re-armed 50 ms after that interrupt: every 62.5 ms (16 a
        // second, not 20).
        let t = ws.create_waitable_timer(false)?;
        let start = ws.now();
        ws.set_waitable_timer(t, -50 * FILETIME_TICKS_PER_MS, 50, None, false)?;
        let mut at = Vec::new();
        for _ in 0..4 {
            ws.wait_for_single_object(t.into(), INFINITE)?;
            at.push((ws.now() - start).as_micros());
        }
        assert_eq!(at, [62_500, 125_000, 187_500, 250_000]);
        ws.cancel_waitable_timer(t)?;
        // With a 1-ms interrupt it keeps 50 ms.
        assert_eq!(ws.time_begin_period(1), Ok(()));
        let start = ws.now();
        ws.set_waitable_timer(t, -50 * FILETIME_TICKS_PER_MS, 50, None, false)?;
        let mut at = Vec::new();
        for _ in 0..3 {
            ws.wait_for_single_object(t.into(), INFINITE)?;
            at.push((ws.now() - start).as_millis());
        }
        assert_eq!(at, [50, 100, 150]);
        ws.close_handle(t.into())?;
        Ok(())
    });
}

/// A server's frame loop: `frames` ticks of work, each followed by `Sleep(16)` for 60 a
/// second; how many frames ran in the first second of virtual time.
fn frames_in_a_second(builder: SimBuilder, fine_timer: bool) -> usize {
    let frames = Arc::new(Mutex::new(0));
    let seen = frames.clone();
    common::run_with(builder, move |ws| {
        if fine_timer {
            ws.time_begin_period(1)?;
        }
        while ws.now() < Duration::from_secs(1) {
            *seen.lock().unwrap() += 1;
            ws.sleep(16);
        }
        if fine_timer {
            ws.time_end_period(1)?;
        }
        Ok(())
    });
    let n = *frames.lock().unwrap();
    n
}

#[test]
fn a_frame_loop_that_sleeps_16_ms_runs_at_32_frames_a_second() {
    // Exact timers: 63 frames (the loop's own arithmetic: 1000 / 16, rounded up).
    assert_eq!(frames_in_a_second(Sim::builder(), false), 63);
    // Windows' default interrupt: every Sleep(16) takes 31.25 ms.
    assert_eq!(frames_in_a_second(windows(), false), 32);
    // The usual fix, timeBeginPeriod(1): 63 again.
    assert_eq!(frames_in_a_second(windows(), true), 63);
}

#[test]
fn runs_with_the_windows_interrupt_are_deterministic() {
    let run = || {
        let mut sim = windows().build();
        let h = sim.host("host", "192.0.2.1");
        for i in 0..3u32 {
            h.spawn(&format!("t{i}"), move |ws| {
                ws.wsa_startup(WINSOCK_VERSION_2_2)?;
                if i == 1 {
                    ws.time_begin_period(2)?;
                }
                for k in 0..20 {
                    ws.sleep(k * 3 + i);
                }
                Ok(())
            });
        }
        let r = sim.run().expect("run");
        (r.trace_hash, r.virtual_time)
    };
    assert_eq!(run(), run());
}
