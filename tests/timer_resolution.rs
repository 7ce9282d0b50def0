//! Windows' clock interrupt (`TimerResolution::Windows`) and winmm's timer-resolution calls:
//! timed waits and timers end on an interrupt, every 15.625 ms unless the process holds a
//! finer `timeBeginPeriod`; `GetTickCount` steps by the default period, `timeGetTime` and
//! `GetSystemTimeAsFileTime` by the current one. As the `Sleep`, `timeBeginPeriod` and
//! `GetTickCount` documentation has it (Wine's timers are exact, so no Wine test asserts
//! it): a wait shorter than a period can end sooner than asked, one between one and two
//! periods takes between one and two. And the bug it finds: a frame loop that sleeps 16 ms
//! runs at 32 frames a second, not 60; and, drawn by proptest with
//! `TimerResolution::strategy()`, a rate limiter that measures with `GetTickCount` refusing a
//! client that keeps to its rate, while the twin that measures with `QueryPerformanceCounter`
//! passes. Multimedia timers (`timeSetEvent`) keep their schedule on either clock; their
//! lifetime (winmm timer.c `test_timer_lifetime`) is rule `MM-lifetime`, which runs here too.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::TestError;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Replay, Sim, SimBuilder, SimWinsock, TimerResolution};

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
        assert_eq!(
            ws.now().as_nanos() % PERIOD.as_nanos(),
            0,
            "select: on an interrupt"
        );
        // WSAPoll's and WaitOnAddress's timeouts too: from an interrupt, 20 ms is two periods.
        let mut fds = [WsaPollFd {
            fd: c,
            events: POLLRDNORM,
            revents: 0,
        }];
        assert_eq!(
            timed(ws, || assert_eq!(ws.wsa_poll(&mut fds, 20), Ok(0))),
            2 * PERIOD
        );
        let a = std::sync::atomic::AtomicU32::new(0);
        let waited = timed(ws, || {
            assert_eq!(ws.wait_on_address(&a, 0, 20), Err(WsaError::ERROR_TIMEOUT));
        });
        assert_eq!(waited, 2 * PERIOD, "WaitOnAddress");
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

/// The virtual times (µs) at which the first `n` calls of a callback came.
fn times_of(ws: &SimWinsock, seen: &Arc<Mutex<Vec<Duration>>>, n: usize) -> Vec<u128> {
    while seen.lock().unwrap().len() < n {
        ws.sleep(1);
    }
    let v = seen.lock().unwrap();
    v.iter().take(n).map(Duration::as_micros).collect()
}

#[test]
fn pool_timers_timer_queues_and_window_timers_fall_due_on_interrupts() {
    common::run_with(windows(), |ws| {
        // A timer-queue timer due in 20 ms, every 20 ms: at 31.25 ms, then every 31.25 ms.
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let cb: WaitOrTimerCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, _| {
            s.lock().unwrap().push(ws.now());
        });
        let qt = ws.create_timer_queue_timer(None, cb, 20, 20, WT_EXECUTEDEFAULT)?;
        assert_eq!(times_of(ws, &seen, 3), [31_250, 62_500, 93_750]);
        ws.delete_timer_queue_timer(None, qt, DeleteCompletion::Wait)?;
        seen.lock().unwrap().clear();
        // A thread-pool timer set on an interrupt, due 10 ms from now, every 40 ms: at the
        // next interrupt, then every 46.875 ms (three periods).
        let base = ws.now();
        assert_eq!(base.as_nanos() % PERIOD.as_nanos(), 0);
        let s = seen.clone();
        let cb: TpTimerCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, _, _| {
            s.lock().unwrap().push(ws.now());
        });
        let t = ws.create_threadpool_timer(cb)?;
        ws.set_threadpool_timer(t, Some(-10 * FILETIME_TICKS_PER_MS), 40, 0)?;
        let at: Vec<u128> = times_of(ws, &seen, 3)
            .into_iter()
            .map(|t| t - base.as_micros())
            .collect();
        assert_eq!(at, [15_625, 62_500, 109_375]);
        ws.set_threadpool_timer(t, None, 0, 0)?;
        ws.wait_for_threadpool_timer_callbacks(t, true)?;
        ws.close_threadpool_timer(t)?;
        seen.lock().unwrap().clear();
        // A registered wait's 5-ms timeout: at the next interrupt.
        let ev = ws.create_event(true, false)?;
        let s = seen.clone();
        let cb: WaitOrTimerCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, timed_out| {
            assert!(timed_out);
            s.lock().unwrap().push(ws.now());
        });
        while ws.now().as_nanos() % PERIOD.as_nanos() != 0 {
            ws.sleep(1);
        }
        let base = ws.now();
        let rw = ws.register_wait_for_single_object(ev.into(), cb, 5, WT_EXECUTEONLYONCE)?;
        let at = times_of(ws, &seen, 1)[0] - base.as_micros();
        assert_eq!(at, 15_625);
        ws.unregister_wait_ex(rw, DeleteCompletion::Wait)?;
        // SetTimer on a window, 10 ms (USER_TIMER_MINIMUM): a WM_TIMER every period.
        let hwnd = ws.create_window(None)?;
        while ws.now().as_nanos() % PERIOD.as_nanos() != 0 {
            ws.sleep(1);
        }
        let base = ws.now();
        ws.set_timer(hwnd, 1, 10)?;
        let mut at = Vec::new();
        for _ in 0..3 {
            let m = ws.get_message(hwnd)?.expect("a message");
            assert_eq!(m.message, WM_TIMER);
            at.push((ws.now() - base).as_micros());
        }
        assert_eq!(at, [15_625, 31_250, 46_875]);
        ws.kill_timer(hwnd, 1)?;
        Ok(())
    });
}

#[test]
fn the_replay_line_carries_the_interrupt() {
    let mut sim = windows().build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", |ws| {
        ws.sleep(16);
        Err(WsaError::WSAECONNRESET)
    });
    let err = sim.run().expect_err("the thread fails");
    let text = err.to_string();
    assert!(text.contains("timers=windows"), "{text}");
    let r: Replay = "seed=3;timers=windows".parse().unwrap();
    assert_eq!(r.timer_resolution, Some(TimerResolution::Windows));
    assert_eq!(r.to_string(), "seed=3;timers=windows");
    assert!("timers=coarse".parse::<Replay>().is_err());
    // A run built from the line keeps Windows' interrupt.
    let took = Arc::new(Mutex::new(Duration::ZERO));
    let t = took.clone();
    let mut sim = Sim::builder().replay(&r).build();
    sim.host("host", "192.0.2.1").spawn("main", move |ws| {
        *t.lock().unwrap() = timed(ws, || ws.sleep(16));
        Ok(())
    });
    sim.run().expect("run");
    assert_eq!(*took.lock().unwrap(), 2 * PERIOD);
    // Exact runs print nothing of it: their replay lines stay as they were.
    let mut sim = Sim::builder().build();
    sim.host("host", "192.0.2.1")
        .spawn("main", |_| Err(WsaError::WSAECONNRESET));
    let text = sim.run().expect_err("fails").to_string();
    assert!(!text.contains("timers="), "{text}");
}

#[test]
fn an_absolute_due_time_moved_by_a_clock_setting_falls_on_an_interrupt() {
    use winsock_sim::sim::fault::{FaultPlan, FaultRule, Scope};
    // A timer due when the clock shows 1,005 ms past the epoch; at 100 ms the clock is set
    // 20 ms forward, so it is due at 985 ms of virtual time: seen at the interrupt at 1 s.
    let plan = FaultPlan::none().with(FaultRule::ClockJump {
        at: Duration::from_millis(100),
        scope: Scope::All,
        shift_ms: 20,
    });
    common::run_with(windows().faults(plan), |ws| {
        let t = ws.create_waitable_timer(true)?;
        let due = (SIM_EPOCH_FILETIME + 1_005 * 10_000) as i64;
        ws.set_waitable_timer(t, due, 0, None, false)?;
        ws.wait_for_single_object(t.into(), INFINITE)?;
        assert_eq!(ws.now(), Duration::from_secs(1));
        ws.close_handle(t.into())?;
        Ok(())
    });
}

#[test]
fn a_timerproc_is_given_the_tick_count_of_the_interrupt() {
    common::run_with(windows(), |ws| {
        // A 100-ms thread timer: due at 100 ms, seen at the interrupt at 109.375 ms, then
        // every 109.375 ms (seven periods); dwTime is GetTickCount's, in its steps.
        let times = common::runtime::timer_proc_ticks(ws, 100, 3)?;
        assert_eq!(times, [109, 218, 328]);
        Ok(())
    });
}

#[test]
fn a_high_resolution_timer_keeps_its_due_times() {
    common::run_with(windows(), |ws| {
        // CREATE_WAITABLE_TIMER_HIGH_RESOLUTION: due at 10 ms and every 16 ms after, exactly,
        // while Sleep and an ordinary timer keep to the interrupt.
        let flags = CREATE_WAITABLE_TIMER_HIGH_RESOLUTION;
        let (t, existed) = ws.create_waitable_timer_ex(None, flags)?;
        assert!(!existed);
        ws.set_waitable_timer(t, -10 * FILETIME_TICKS_PER_MS, 16, None, false)?;
        let mut at = Vec::new();
        for _ in 0..3 {
            ws.wait_for_single_object(t.into(), INFINITE)?;
            at.push(ws.now().as_millis());
        }
        assert_eq!(at, [10, 26, 42]);
        ws.close_handle(t.into())?;
        // Without the flag: on the interrupt, counted from the last one (31.25 ms), so 4.875
        // ms after it was set at 42 ms; with MANUAL_RESET it stays signalled.
        let (t, _) = ws.create_waitable_timer_ex(Some(""), CREATE_WAITABLE_TIMER_MANUAL_RESET)?;
        ws.set_waitable_timer(t, -10 * FILETIME_TICKS_PER_MS, 0, None, false)?;
        ws.wait_for_single_object(t.into(), INFINITE)?;
        assert_eq!(ws.now(), 3 * PERIOD);
        assert_eq!(ws.wait_for_single_object(t.into(), 0)?, WAIT_OBJECT_0);
        ws.close_handle(t.into())?;
        // A name: ERROR_ALREADY_EXISTS for the second, which shares the first's object (a
        // high-resolution one, whatever the second asked for).
        let (a, existed) = ws.create_waitable_timer_ex(Some("frame"), flags)?;
        assert!(!existed);
        assert_eq!(ws.wsa_get_last_error(), 0);
        let (b, existed) = ws.create_waitable_timer_ex(Some("frame"), 0)?;
        assert!(existed);
        assert_eq!(ws.wsa_get_last_error(), 183);
        let start = ws.now();
        ws.set_waitable_timer(b, -3 * FILETIME_TICKS_PER_MS, 0, None, false)?;
        ws.wait_for_single_object(a.into(), INFINITE)?;
        assert_eq!(ws.now() - start, Duration::from_millis(3));
        ws.close_handle(a.into())?;
        ws.close_handle(b.into())?;
        Ok(())
    });
}

/// A rate limiter's clock in milliseconds: `GetTickCount` (the bug: it steps by 15 or 16 on
/// Windows) or `QueryPerformanceCounter` (the fix).
type Clock = fn(&SimWinsock) -> u64;

fn tick_count(ws: &SimWinsock) -> u64 {
    u64::from(ws.get_tick_count())
}

fn performance_counter(ws: &SimWinsock) -> u64 {
    (ws.query_performance_counter() / (ws.query_performance_frequency() / 1_000)) as u64
}

/// A server that takes one request (a byte) per 10 ms and answers `Y`, or `N` to one sooner;
/// a client on another host (holding a 1-ms timer period) sends one every 10 ms. Whether the
/// server refused any.
fn limited(timers: TimerResolution, clock: Clock) -> Result<(), TestCaseError> {
    let refused = Arc::new(Mutex::new(0));
    let r = refused.clone();
    let mut sim = Sim::builder().seed(1).timer_resolution(timers).build();
    sim.host("server", "192.0.2.1")
        .spawn_daemon("limiter", move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 7))?;
            ws.listen(l, 1)?;
            let (c, _) = ws.accept(l)?;
            let mut last: Option<u64> = None;
            let mut req = [0u8; 1];
            while ws.recv(c, &mut req, 0)? == 1 {
                let now = clock(ws);
                let ok = last.is_none_or(|t| now - t >= 10);
                if ok {
                    last = Some(now);
                } else {
                    *r.lock().unwrap() += 1;
                }
                ws.send(c, if ok { b"Y" } else { b"N" }, 0)?;
            }
            ws.closesocket(c)
        });
    sim.host("client", "192.0.2.2").spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.time_begin_period(1)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &1i32.to_le_bytes())?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 7))?;
        let mut answer = [0u8; 1];
        for _ in 0..50 {
            let start = ws.now();
            ws.send(s, b"r", 0)?;
            ws.recv(s, &mut answer, 0)?;
            ws.sleep(10 - (ws.now() - start).as_millis() as u32);
        }
        ws.closesocket(s)?;
        ws.time_end_period(1)
    });
    sim.run().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let refused = *refused.lock().unwrap();
    prop_assert_eq!(refused, 0, "requests refused at the limit's own rate");
    Ok(())
}

#[test]
fn a_rate_limiter_on_get_tick_count_refuses_a_client_at_its_rate() {
    // Proves: drawing the resolution finds the GetTickCount limiter's bug, shrunk to
    // Windows' clock (under exact timers it passes).
    let found = common::session::deterministic_runner(16)
        .run(&TimerResolution::strategy(), |timers| {
            limited(timers, tick_count)
        });
    match found {
        Err(TestError::Fail(why, timers)) => {
            assert_eq!(timers, TimerResolution::Windows, "{why}");
            eprintln!("found and shrunk: {timers:?}: {why}");
        }
        other => panic!("the bug was not found: {other:?}"),
    }
    // Proves: the limiter on QueryPerformanceCounter passes both.
    let fixed = common::session::deterministic_runner(16)
        .run(&TimerResolution::strategy(), |timers| {
            limited(timers, performance_counter)
        });
    assert!(fixed.is_ok(), "{fixed:?}");
}

#[test]
fn periods_belong_to_the_process_and_go_with_a_crash() {
    // Host a holds timeBeginPeriod(1) when it crashes at 1 s; restarted at 1.5 s, its
    // process holds none (Sleep(1) takes a default period again); host b's stays its own.
    let plan: winsock_sim::sim::FaultPlan = "crash(192.0.2.1,1s,1500ms)".parse().unwrap();
    let mut sim = windows().faults(plan).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    let seen: Arc<Mutex<Vec<(&str, Duration)>>> = Arc::default();
    let s = seen.clone();
    a.spawn_daemon("before", move |ws| {
        ws.time_begin_period(1)?;
        s.lock()
            .unwrap()
            .push(("a before", timed(ws, || ws.sleep(1))));
        ws.sleep(10_000);
        Ok(())
    });
    let s = seen.clone();
    a.on_restart("after", move |ws| {
        s.lock()
            .unwrap()
            .push(("a after", timed(ws, || ws.sleep(1))));
        Ok(())
    });
    let s = seen.clone();
    b.spawn("b", move |ws| {
        ws.sleep(2_000);
        s.lock().unwrap().push(("b", timed(ws, || ws.sleep(1))));
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    let one = Duration::from_millis(1);
    assert_eq!(seen[0], ("a after", seen[0].1));
    assert!(seen[0].1 > one && seen[0].1 <= PERIOD, "{seen:?}");
    assert_eq!(seen[1], ("a before", one));
    assert_eq!(seen[2].0, "b");
    assert!(seen[2].1 > one, "{seen:?}");
}

/// The virtual times (ms) of the first `n` expiries of a periodic multimedia timer of
/// `period` ms.
fn mm_expiries(builder: SimBuilder, period: u32, n: usize) -> Vec<f64> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    common::run_with(builder, move |ws| {
        let s2 = s.clone();
        let cb: TimeCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, _| {
            s2.lock().unwrap().push(ws.now().as_secs_f64() * 1_000.0);
        });
        let id = ws.time_set_event(period, 0, TimeEvent::Callback(cb), TIME_PERIODIC)?;
        while s.lock().unwrap().len() < n {
            ws.sleep(period);
        }
        ws.time_kill_event(id)?;
        assert_eq!(ws.time_kill_event(id), Err(WsaError::TIMERR_NOCANDO));
        Ok(())
    });
    let v = seen.lock().unwrap();
    v[..n].to_vec()
}

#[test]
fn a_periodic_multimedia_timer_keeps_its_schedule() {
    // Exact: every 50 ms.
    assert_eq!(
        mm_expiries(Sim::builder(), 50, 4),
        [50.0, 100.0, 150.0, 200.0]
    );
    // On Windows' clock: each on the interrupt after its due time, the schedule kept: 20 a
    // second (a waitable timer's period would have become 62.5 ms: 16 a second).
    let at = mm_expiries(windows(), 50, 20);
    assert_eq!(&at[..4], [62.5, 109.375, 156.25, 203.125]);
    assert!(at[19] <= 1_015.625, "{at:?}");
}
