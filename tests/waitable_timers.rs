//! Waitable timers (`CreateWaitableTimer`, `SetWaitableTimer`, `CancelWaitableTimer`) on the
//! simulator's virtual clock: when they are signalled, whom a signal releases, what setting
//! again and cancelling do to the signalled state and to a queued completion routine, periods,
//! absolute due times, and the errors. Each test names the Windows rule it pins.
mod common;

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::run;
use winsock_sim::api::waitable_timer::SIM_EPOCH_FILETIME;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// `ms` milliseconds from now, as a relative LARGE_INTEGER due time.
fn after(ms: i64) -> i64 {
    -ms * FILETIME_TICKS_PER_MS
}

/// A routine that counts its runs and keeps the last FILETIME it was given.
fn counting_routine(count: &Arc<AtomicU32>, at: &Arc<AtomicU64>) -> TimerApcRoutine<SimWinsock> {
    let (count, at) = (count.clone(), at.clone());
    Arc::new(move |_ws: &SimWinsock, low: u32, high: u32| {
        count.fetch_add(1, Ordering::SeqCst);
        at.store(u64::from(low) | u64::from(high) << 32, Ordering::SeqCst);
    })
}

#[test]
fn a_relative_timer_is_signalled_at_its_due_time_and_not_before() {
    // SetWaitableTimer with a negative due time: relative, in 100-ns units. The timer is not
    // signalled before it (a wait that ends sooner times out) and is from it on.
    run(|ws| {
        let t = ws.create_waitable_timer(true)?;
        assert_eq!(
            ws.wait_for_single_object(t.into(), 0)?,
            WAIT_TIMEOUT,
            "new: unsignalled"
        );
        let start = ws.get_tick_count();
        ws.set_waitable_timer(t, after(50), 0, None, false)?;
        assert_eq!(ws.wait_for_single_object(t.into(), 49)?, WAIT_TIMEOUT);
        assert_eq!(
            ws.wait_for_single_object(t.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ws.get_tick_count() - start, 50);
        Ok(())
    });
}

#[test]
fn a_notification_timer_stays_signalled_until_set_again() {
    // A manual-reset timer releases every wait once due; SetWaitableTimer resets it to
    // unsignalled (the kernel's KeSetTimer), CancelWaitableTimer leaves it signalled.
    run(|ws| {
        let t = ws.create_waitable_timer(true)?;
        ws.set_waitable_timer(t, after(10), 0, None, false)?;
        ws.sleep(10);
        assert_eq!(ws.wait_for_single_object(t.into(), 0)?, WAIT_OBJECT_0);
        assert_eq!(
            ws.wait_for_single_object(t.into(), 0)?,
            WAIT_OBJECT_0,
            "still signalled"
        );
        ws.cancel_waitable_timer(t)?;
        assert_eq!(
            ws.wait_for_single_object(t.into(), 0)?,
            WAIT_OBJECT_0,
            "cancel keeps it"
        );
        ws.set_waitable_timer(t, after(10), 0, None, false)?;
        assert_eq!(
            ws.wait_for_single_object(t.into(), 0)?,
            WAIT_TIMEOUT,
            "set resets it"
        );
        assert_eq!(ws.wait_for_single_object(t.into(), 10)?, WAIT_OBJECT_0);
        Ok(())
    });
}

#[test]
fn a_synchronization_timer_releases_one_wait_per_expiry() {
    // An auto-reset timer is reset by the wait it satisfies: of two threads waiting, one
    // returns at each expiry; a manual-reset timer releases both.
    for manual in [false, true] {
        let released = Arc::new(Mutex::new(Vec::new()));
        let seen = released.clone();
        run(move |ws| {
            let t = ws.create_waitable_timer(manual)?;
            let mut waiters = Vec::new();
            for i in 0..2u32 {
                let released = released.clone();
                waiters.push(Handle::from(ws.create_thread("waiter", move |ws| {
                    if ws.wait_for_single_object(t.into(), 100)? == WAIT_OBJECT_0 {
                        released.lock().unwrap().push((i, ws.get_tick_count()));
                    }
                    Ok(())
                })?));
            }
            ws.set_waitable_timer(t, after(20), 0, None, false)?;
            ws.wait_for_multiple_objects(&waiters, true, INFINITE)?;
            Ok(())
        });
        let got = seen.lock().unwrap().clone();
        assert_eq!(
            got.len(),
            if manual { 2 } else { 1 },
            "manual {manual}: {got:?}"
        );
        assert!(got.iter().all(|&(_, at)| at == 20), "{got:?}");
    }
}

#[test]
fn a_periodic_timer_is_due_every_period_after_its_first_due_time() {
    // lPeriod re-arms the timer a period after each due time, not after the waiter's wake-up:
    // work between the waits does not make the ticks drift.
    let ticks = Arc::new(Mutex::new(Vec::new()));
    let seen = ticks.clone();
    run(move |ws| {
        let t = ws.create_waitable_timer(false)?;
        let start = ws.get_tick_count();
        ws.set_waitable_timer(t, after(30), 50, None, false)?;
        for _ in 0..4 {
            assert_eq!(
                ws.wait_for_single_object(t.into(), INFINITE)?,
                WAIT_OBJECT_0
            );
            ticks.lock().unwrap().push(ws.get_tick_count() - start);
            ws.sleep(20); // the tick's work
        }
        Ok(())
    });
    assert_eq!(*seen.lock().unwrap(), vec![30, 80, 130, 180]);
}

#[test]
fn a_due_time_already_past_signals_at_once() {
    // An absolute due time (a FILETIME) in the past, and a zero one (FILETIME 0, 1601), signal
    // the timer during SetWaitableTimer itself; a future absolute one at that system time.
    run(|ws| {
        let t = ws.create_waitable_timer(true)?;
        ws.set_waitable_timer(t, 0, 0, None, false)?;
        assert_eq!(ws.wait_for_single_object(t.into(), 0)?, WAIT_OBJECT_0);
        let now = ws.get_system_time_as_file_time();
        assert_eq!(now, SIM_EPOCH_FILETIME, "the run starts at the sim's epoch");
        ws.set_waitable_timer(t, now as i64 - 1, 0, None, false)?;
        assert_eq!(ws.wait_for_single_object(t.into(), 0)?, WAIT_OBJECT_0);
        let start = ws.get_tick_count();
        ws.set_waitable_timer(t, (now + 30 * 10_000) as i64, 0, None, false)?;
        assert_eq!(ws.wait_for_single_object(t.into(), 0)?, WAIT_TIMEOUT);
        assert_eq!(
            ws.wait_for_single_object(t.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ws.get_tick_count() - start, 30);
        assert_eq!(ws.get_system_time_as_file_time(), now + 30 * 10_000);
        Ok(())
    });
}

#[test]
fn the_routine_runs_in_the_setting_threads_alertable_waits_only() {
    // The completion routine is an APC of the thread that set the timer: a non-alertable wait
    // does not run it, the next alertable one does (WAIT_IO_COMPLETION), with the UTC
    // FILETIME of the expiry; the timer itself is signalled too.
    run(|ws| {
        let (count, at) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU64::new(0)));
        let t = ws.create_waitable_timer(true)?;
        let set_at = ws.get_system_time_as_file_time();
        ws.set_waitable_timer(t, after(40), 0, Some(counting_routine(&count, &at)), false)?;
        ws.sleep(100);
        assert_eq!(count.load(Ordering::SeqCst), 0, "Sleep is not alertable");
        assert_eq!(ws.wait_for_single_object(t.into(), 0)?, WAIT_OBJECT_0);
        assert_eq!(ws.sleep_ex(INFINITE, true), WAIT_IO_COMPLETION);
        assert_eq!(count.load(Ordering::SeqCst), 1);
        assert_eq!(
            at.load(Ordering::SeqCst),
            set_at + 40 * 10_000,
            "the expiry's time"
        );
        // Another thread's alertable wait never runs it.
        ws.set_waitable_timer(t, after(10), 0, Some(counting_routine(&count, &at)), false)?;
        let other = ws.create_thread("other", |ws| {
            assert_eq!(ws.sleep_ex(50, true), 0, "no APC of its own");
            Ok(())
        })?;
        ws.wait_for_single_object(other.into(), INFINITE)?;
        assert_eq!(count.load(Ordering::SeqCst), 1);
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(count.load(Ordering::SeqCst), 2);
        Ok(())
    });
}

#[test]
fn a_waiting_alertable_thread_runs_the_routine_at_the_due_time() {
    // A thread already in SleepEx(INFINITE, TRUE) is woken by the expiry's APC.
    run(|ws| {
        let (count, at) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU64::new(0)));
        let t = ws.create_waitable_timer(false)?;
        let start = ws.get_tick_count();
        ws.set_waitable_timer(t, after(25), 0, Some(counting_routine(&count, &at)), false)?;
        assert_eq!(ws.sleep_ex(INFINITE, true), WAIT_IO_COMPLETION);
        assert_eq!(ws.get_tick_count() - start, 25);
        assert_eq!(count.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn a_timer_has_at_most_one_routine_call_queued() {
    // A periodic timer whose thread is not in an alertable wait for several periods has one
    // APC queued, not one per expiry: a timer owns one APC object.
    run(|ws| {
        let (count, at) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU64::new(0)));
        let t = ws.create_waitable_timer(false)?;
        ws.set_waitable_timer(t, after(10), 10, Some(counting_routine(&count, &at)), false)?;
        ws.sleep(55);
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(count.load(Ordering::SeqCst), 1);
        assert_eq!(ws.sleep_ex(0, true), 0, "nothing more queued");
        // The next expiry (60 ms) queues it again.
        assert_eq!(ws.sleep_ex(INFINITE, true), WAIT_IO_COMPLETION);
        assert_eq!(count.load(Ordering::SeqCst), 2);
        ws.cancel_waitable_timer(t)?;
        Ok(())
    });
}

#[test]
fn setting_again_or_cancelling_takes_back_a_routine_not_yet_run() {
    // "Stopping the timer ... does cancel any pending completion routines": a routine queued
    // by an expiry and not yet run is taken back by SetWaitableTimer and by
    // CancelWaitableTimer, so the next alertable wait finds nothing to run; CloseHandle too.
    run(|ws| {
        let (count, at) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU64::new(0)));
        let t = ws.create_waitable_timer(true)?;
        let routine = counting_routine(&count, &at);
        ws.set_waitable_timer(t, after(5), 0, Some(routine.clone()), false)?;
        ws.sleep(10);
        ws.set_waitable_timer(t, after(1_000), 0, Some(routine.clone()), false)?;
        assert_eq!(ws.sleep_ex(0, true), 0, "set again: taken back");
        ws.set_waitable_timer(t, after(5), 0, Some(routine.clone()), false)?;
        ws.sleep(10);
        ws.cancel_waitable_timer(t)?;
        assert_eq!(ws.sleep_ex(0, true), 0, "cancelled: taken back");
        assert_eq!(
            ws.wait_for_single_object(t.into(), 0)?,
            WAIT_OBJECT_0,
            "still signalled"
        );
        ws.set_waitable_timer(t, after(5), 0, Some(routine), false)?;
        ws.sleep(10);
        ws.close_handle(Handle::Timer(t))?;
        assert_eq!(ws.sleep_ex(0, true), 0, "closed: taken back");
        assert_eq!(count.load(Ordering::SeqCst), 0);
        Ok(())
    });
}

#[test]
fn cancelling_stops_a_timer_before_its_due_time() {
    // A cancelled timer does not fire; cancelling one never set, or already cancelled,
    // succeeds.
    run(|ws| {
        let t = ws.create_waitable_timer(false)?;
        ws.cancel_waitable_timer(t)?;
        ws.set_waitable_timer(t, after(20), 10, None, false)?;
        ws.sleep(5);
        ws.cancel_waitable_timer(t)?;
        ws.cancel_waitable_timer(t)?;
        assert_eq!(ws.wait_for_single_object(t.into(), 100)?, WAIT_TIMEOUT);
        Ok(())
    });
}

#[test]
fn a_routine_timer_is_cancelled_when_its_thread_ends() {
    // "If the thread that set the timer terminates and there is an associated completion
    // routine, the timer is canceled. However, the state of the timer remains unchanged."
    // A timer without a routine outlives the thread that set it.
    run(|ws| {
        let with = ws.create_waitable_timer(true)?;
        let without = ws.create_waitable_timer(true)?;
        let setter = ws.create_thread("setter", move |ws| {
            let routine: TimerApcRoutine<SimWinsock> = Arc::new(|_, _, _| {});
            ws.set_waitable_timer(with, after(20), 0, Some(routine), false)?;
            ws.set_waitable_timer(without, after(20), 0, None, false)
        })?;
        ws.wait_for_single_object(setter.into(), INFINITE)?;
        assert_eq!(ws.wait_for_single_object(with.into(), 100)?, WAIT_TIMEOUT);
        assert_eq!(ws.wait_for_single_object(without.into(), 0)?, WAIT_OBJECT_0);
        Ok(())
    });
}

#[test]
fn a_game_loop_waits_on_its_tick_and_its_sockets_event() {
    // The pattern the timers are for: WaitForMultipleObjects over a periodic tick and a
    // socket's WSAEventSelect event; the tick comes every 50 ms whatever the socket does.
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    run(move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, ev, FD_READ)?;
        let tick = ws.create_waitable_timer(false)?;
        ws.set_waitable_timer(tick, after(50), 50, None, false)?;
        let start = ws.get_tick_count();
        ws.create_thread("client", move |ws| {
            ws.sleep(70);
            ws.send(c, b"move", 0)?;
            ws.sleep(200);
            ws.closesocket(c)
        })?;
        let handles = [Handle::Timer(tick), Handle::Event(ev)];
        for _ in 0..4 {
            match ws.wait_for_multiple_objects(&handles, false, INFINITE)? {
                WAIT_OBJECT_0 => log
                    .lock()
                    .unwrap()
                    .push(("tick", ws.get_tick_count() - start)),
                _ => {
                    ws.wsa_enum_network_events(s, Some(ev), &mut WsaNetworkEvents::default())?;
                    let mut buf = [0u8; 16];
                    let n = ws.recv(s, &mut buf, 0)?;
                    assert_eq!(&buf[..n], b"move");
                    log.lock()
                        .unwrap()
                        .push(("read", ws.get_tick_count() - start));
                }
            }
        }
        ws.close_handle(Handle::Timer(tick))?;
        ws.closesocket(s)
    });
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 4);
    assert_eq!(got[0], ("tick", 50));
    assert_eq!(got[1].0, "read");
    assert!(got[1].1 >= 70 && got[1].1 < 100, "{got:?}");
    assert_eq!(&got[2..], &[("tick", 100), ("tick", 150)]);
}

#[test]
fn bad_handles_and_arguments_fail_as_on_windows() {
    // ERROR_INVALID_HANDLE for a handle that is not a timer (an event) or a closed one;
    // ERROR_INVALID_PARAMETER for a negative period, even on a bad handle (NtSetTimer checks
    // the period first); a wait on a closed timer fails.
    run(|ws| {
        let ev = ws.create_event(true, false)?;
        let not_a_timer = TimerHandle::from_raw(ev.raw());
        assert_eq!(
            ws.set_waitable_timer(not_a_timer, after(1), 0, None, false),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_INVALID_HANDLE.code());
        assert_eq!(
            ws.cancel_waitable_timer(not_a_timer),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(
            ws.close_handle(Handle::Timer(not_a_timer)),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        let t = ws.create_waitable_timer(false)?;
        assert_eq!(
            ws.set_waitable_timer(t, after(1), -1, None, false),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.set_waitable_timer(not_a_timer, after(1), -1, None, false),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        ws.set_waitable_timer(t, after(1), 0, None, false)?;
        assert_eq!(ws.wsa_get_last_error(), 0, "success clears the last error");
        ws.close_handle(Handle::Timer(t))?;
        assert_eq!(
            ws.cancel_waitable_timer(t),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(
            ws.wait_for_single_object(t.into(), 0),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        Ok(())
    });
}

#[test]
fn timers_replay_with_the_seed() {
    // Determinism: the same seed gives the same trace, timers' expiries and routines included.
    let scenario = |seed: u64| {
        let mut sim = winsock_sim::sim::Sim::builder().seed(seed).build();
        sim.host("h", "192.0.2.1").spawn("main", |ws| {
            let count = Arc::new(AtomicU32::new(0));
            let at = Arc::new(AtomicU64::new(0));
            let t = ws.create_waitable_timer(false)?;
            ws.set_waitable_timer(t, after(7), 13, Some(counting_routine(&count, &at)), false)?;
            for i in 0..3u32 {
                let tid = ws.create_thread("waiter", move |ws| {
                    for _ in 0..2 {
                        ws.wait_for_single_object(t.into(), 100)?;
                        ws.sleep(i);
                    }
                    Ok(())
                })?;
                let _ = tid;
            }
            for _ in 0..5 {
                ws.sleep_ex(INFINITE, true);
            }
            ws.cancel_waitable_timer(t)
        });
        sim.run().expect("runs").trace_hash
    };
    assert_eq!(scenario(11), scenario(11));
    assert_eq!(scenario(12), scenario(12));
}

#[test]
fn a_routine_may_set_its_own_timer_again() {
    // The one-shot timer re-armed from its own routine (a common way to run a periodic job
    // whose next run is decided by the last): each call sets the timer 10 ms ahead, three
    // times; the thread's alertable waits run each call as it falls due.
    let times = Arc::new(Mutex::new(Vec::new()));
    let seen = times.clone();
    run(move |ws| {
        let t = ws.create_waitable_timer(false)?;
        let start = ws.get_tick_count();
        let rearm: Arc<Mutex<Option<TimerApcRoutine<SimWinsock>>>> = Arc::new(Mutex::new(None));
        let me = rearm.clone();
        let routine: TimerApcRoutine<SimWinsock> = Arc::new(move |ws: &SimWinsock, _, _| {
            let mut v = times.lock().unwrap();
            v.push(ws.get_tick_count() - start);
            if v.len() < 3 {
                let again = me.lock().unwrap().clone();
                ws.set_waitable_timer(t, after(10), 0, again, false)
                    .unwrap();
            }
        });
        *rearm.lock().unwrap() = Some(routine.clone());
        ws.set_waitable_timer(t, after(10), 0, Some(routine), false)?;
        for _ in 0..3 {
            assert_eq!(ws.sleep_ex(INFINITE, true), WAIT_IO_COMPLETION);
        }
        assert_eq!(ws.sleep_ex(50, true), 0, "not set a fourth time");
        rearm.lock().unwrap().take();
        Ok(())
    });
    assert_eq!(*seen.lock().unwrap(), vec![10, 20, 30]);
}

#[test]
fn a_tick_nobody_waits_for_does_not_hide_a_deadlock() {
    // A periodic timer whose expiries change nothing (signalled already, its routine's APC
    // still queued) schedules none until its state is taken: a run whose thread waits for
    // ever on an event ends as a deadlock at the second expiry, not at the time limit.
    for with_routine in [false, true] {
        let mut sim = winsock_sim::sim::Sim::builder().seed(5).build();
        sim.host("h", "192.0.2.1").spawn("main", move |ws| {
            let t = ws.create_waitable_timer(true)?;
            let routine: Option<TimerApcRoutine<SimWinsock>> =
                with_routine.then(|| Arc::new(|_: &SimWinsock, _, _| {}) as TimerApcRoutine<_>);
            ws.set_waitable_timer(t, after(10), 10, routine, false)?;
            let ev = ws.create_event(true, false)?;
            ws.wait_for_single_object(ev.into(), INFINITE)?;
            Ok(())
        });
        let e = sim.run().expect_err("deadlocks");
        assert_eq!(e.kind, winsock_sim::sim::SimErrorKind::Deadlock, "{e}");
        assert_eq!(e.virtual_time.as_millis(), 20, "routine {with_routine}");
    }
}

#[test]
fn a_parked_tick_resumes_on_its_schedule() {
    // A synchronization timer left signalled for several periods: the wait that takes the
    // signal lets it signal again at its next due time (not at once, not shifted).
    run(|ws| {
        let t = ws.create_waitable_timer(false)?;
        let start = ws.get_tick_count();
        ws.set_waitable_timer(t, after(10), 10, None, false)?;
        ws.sleep(55);
        assert_eq!(ws.wait_for_single_object(t.into(), 0)?, WAIT_OBJECT_0);
        assert_eq!(
            ws.wait_for_single_object(t.into(), 0)?,
            WAIT_TIMEOUT,
            "one signal"
        );
        assert_eq!(
            ws.wait_for_single_object(t.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ws.get_tick_count() - start, 60);
        // Taken on the very instant of a due time (100): that expiry comes then, after the
        // taking wait.
        ws.sleep(40);
        assert_eq!(
            ws.wait_for_single_object(t.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        assert_eq!(
            ws.wait_for_single_object(t.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ws.get_tick_count() - start, 100);
        Ok(())
    });
}
