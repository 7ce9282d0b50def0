//! Registered waits on the simulator's virtual clock: timeouts on their schedule, the wait
//! thread as one waiter among others (oldest wait first, a semaphore's counts taken), a
//! WSAEventSelect server run by registered waits, bad handles, a waiting unregistration from
//! its own callback, and replay under one seed. The behaviour Windows shares is in rules RW-*
//! (tests/conformance_suite/registered_waits.rs) and the port of thread.c
//! (tests/k32_test_register_wait.rs).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::{replays_alike, run};
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, SimWinsock};

type Cb = WaitOrTimerCallback<SimWinsock>;

/// A callback that logs (TimerOrWaitFired, tick).
fn logging(log: &Arc<Mutex<Vec<(bool, u32)>>>) -> Cb {
    let log = log.clone();
    Arc::new(move |ws, fired| {
        // The tick read before the lock: no std lock is held across a call.
        let tick = ws.get_tick_count();
        log.lock().unwrap().push((fired, tick));
    })
}

#[test]
fn a_timeout_repeats_on_its_schedule_until_the_object_is_signalled() {
    run(|ws| {
        let ev = ws.create_event(false, false)?;
        let log = Arc::default();
        let wh = ws.register_wait_for_single_object(Handle::Event(ev), logging(&log), 100, 0)?;
        ws.sleep(350);
        ws.set_event(ev)?;
        ws.sleep(120);
        ws.unregister_wait_ex(wh, DeleteCompletion::Wait)?;
        // Timeouts at 100, 200, 300; the signal at 350; the wait starts again then, so the
        // next timeout is at 450.
        assert_eq!(
            *log.lock().unwrap(),
            vec![
                (true, 100),
                (true, 200),
                (true, 300),
                (false, 350),
                (true, 450)
            ]
        );
        Ok(())
    });
}

#[test]
fn the_wait_thread_is_one_waiter_among_others() {
    run(|ws| {
        // An auto-reset event: a thread that waited first gets the first signal.
        let ev = ws.create_event(false, false)?;
        let got = Arc::new(Mutex::new(None));
        let g = got.clone();
        let t = ws.create_thread("waiter", move |ws: &SimWinsock| {
            let r = ws.wait_for_single_object(Handle::Event(ev), 1_000);
            *g.lock().unwrap() = Some(r);
            Ok(())
        })?;
        ws.sleep(10);
        let log = Arc::default();
        let wh =
            ws.register_wait_for_single_object(Handle::Event(ev), logging(&log), INFINITE, 0)?;
        ws.sleep(10);
        ws.set_event(ev)?;
        ws.wait_for_thread(t, INFINITE)?;
        assert_eq!(*got.lock().unwrap(), Some(Ok(WAIT_OBJECT_0)));
        assert!(
            log.lock().unwrap().is_empty(),
            "the older wait took the signal"
        );
        ws.set_event(ev)?;
        ws.sleep(10);
        assert_eq!(log.lock().unwrap().len(), 1);
        ws.unregister_wait_ex(wh, DeleteCompletion::Wait)?;

        // A semaphore: each count is one firing, taken by the wait.
        let sem = ws.create_semaphore(3, 10)?;
        let n = Arc::new(AtomicU32::new(0));
        let k = n.clone();
        let cb: Cb = Arc::new(move |_, fired| {
            assert!(!fired);
            k.fetch_add(1, Ordering::SeqCst);
        });
        let wh = ws.register_wait_for_single_object(Handle::Semaphore(sem), cb, INFINITE, 0)?;
        ws.sleep(50);
        assert_eq!(n.load(Ordering::SeqCst), 3);
        assert_eq!(
            ws.wait_for_single_object(Handle::Semaphore(sem), 0),
            Ok(WSA_WAIT_TIMEOUT)
        );
        ws.release_semaphore(sem, 2)?;
        ws.sleep(50);
        assert_eq!(n.load(Ordering::SeqCst), 5);
        ws.unregister_wait_ex(wh, DeleteCompletion::Wait)?;
        Ok(())
    });
}

/// A WSAEventSelect echo server with no thread of its own: a registered wait on the socket's
/// event runs WSAEnumNetworkEvents, recv and send on a pool thread.
#[test]
fn an_event_select_server_runs_on_registered_waits() {
    let mut sim = Sim::builder().seed(9).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn("main", |ws| {
        let (l, c) = common::accept_one_on(ws, 7)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(c, ev, FD_READ | FD_CLOSE)?;
        let closed = ws.create_event(true, false)?;
        let on_events: Cb = Arc::new(move |ws, fired| {
            assert!(!fired);
            let mut ne = WsaNetworkEvents::default();
            if ws.wsa_enum_network_events(c, Some(ev), &mut ne).is_err() {
                return;
            }
            if ne.network_events & FD_READ != 0 {
                let mut buf = [0u8; 256];
                while let Ok(n) = ws.recv(c, &mut buf, 0) {
                    if n == 0 {
                        break;
                    }
                    let _ = ws.send(c, &buf[..n], 0);
                }
            }
            if ne.network_events & FD_CLOSE != 0 {
                let _ = ws.set_event(closed);
            }
        });
        let wh = ws.register_wait_for_single_object(Handle::Event(ev), on_events, INFINITE, 0)?;
        ws.wait_for_single_object(Handle::Event(closed), INFINITE)?;
        ws.unregister_wait_ex(wh, DeleteCompletion::Wait)?;
        ws.closesocket(c)?;
        ws.closesocket(l)
    });
    client.spawn("client", |ws| {
        common::echo_rounds_then_close(ws, &SockAddr::v4([192, 0, 2, 1], 7), 20, 32)
    });
    sim.run().expect("the echo ran");
}

#[test]
fn bad_handles_give_errors_not_panics() {
    run(|ws| {
        let cb: Cb = Arc::new(|_, _| {});
        assert_eq!(
            ws.register_wait_for_single_object(
                Handle::Event(WsaEvent::from_raw(0x4321)),
                cb.clone(),
                INFINITE,
                0
            ),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        let ev = ws.create_event(true, false)?;
        let wh = ws.register_wait_for_single_object(Handle::Event(ev), cb, INFINITE, 0)?;
        assert_eq!(
            ws.unregister_wait_ex(wh, DeleteCompletion::Event(WsaEvent::from_raw(0x99))),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(ws.unregister_wait(wh), Ok(()));
        assert_eq!(ws.unregister_wait(wh), Err(WsaError::WSA_INVALID_HANDLE));
        assert_eq!(
            ws.unregister_wait_ex(RegisteredWait::from_raw(0xdead), DeleteCompletion::Wait),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        // The handle closed while registered: the wait holds its event (Windows: undefined).
        let ev2 = ws.create_event(true, false)?;
        let n = Arc::new(AtomicU32::new(0));
        let k = n.clone();
        let counting: Cb = Arc::new(move |_, _| {
            k.fetch_add(1, Ordering::SeqCst);
        });
        let wh = ws.register_wait_for_single_object(
            Handle::Event(ev2),
            counting,
            50,
            WT_EXECUTEONLYONCE,
        )?;
        ws.close_handle(Handle::Event(ev2))?;
        ws.sleep(100);
        assert_eq!(n.load(Ordering::SeqCst), 1, "its timeout still fires");
        ws.unregister_wait(wh)
    });
}

/// UnregisterWaitEx(INVALID_HANDLE_VALUE) from the wait's own callback on a worker waits for
/// itself: the run ends with a diagnostic instead of hanging.
#[test]
fn a_waiting_unregistration_from_its_own_callback_is_reported_as_a_deadlock() {
    let mut sim = Sim::builder().seed(4).build();
    sim.host("h", "192.0.2.1").spawn("main", |ws| {
        let ev = ws.create_event(true, true)?;
        let done = ws.create_event(true, false)?;
        let own: Arc<Mutex<Option<RegisteredWait>>> = Arc::default();
        let o = own.clone();
        let cb: Cb = Arc::new(move |ws, _| {
            let wh = loop {
                if let Some(wh) = *o.lock().unwrap() {
                    break wh;
                }
                ws.sleep(1);
            };
            let _ = ws.unregister_wait_ex(wh, DeleteCompletion::Wait);
            let _ = ws.set_event(done);
        });
        let wh = ws.register_wait_for_single_object(
            Handle::Event(ev),
            cb,
            INFINITE,
            WT_EXECUTEONLYONCE,
        )?;
        *own.lock().unwrap() = Some(wh);
        ws.wait_for_single_object(Handle::Event(done), INFINITE)?;
        Ok(())
    });
    let err = sim.run().expect_err("a deadlock");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    let text = err.to_string();
    assert!(text.contains("blocked in UnregisterWaitEx"), "{text}");
    assert!(text.contains("thread-pool worker"), "{text}");
}

#[test]
fn registered_waits_replay_under_the_same_seed() {
    let log = replays_alike(21, 3, |n, log, ws| {
        let ev = ws.create_event(false, false)?;
        let l = log.clone();
        let cb: Cb = Arc::new(move |ws, fired| {
            let entry = (n, fired, ws.get_current_thread_id(), ws.get_tick_count());
            l.lock().unwrap().push(entry);
        });
        let wh = ws.register_wait_for_single_object(Handle::Event(ev), cb, 15 + n, 0)?;
        for _ in 0..5 {
            ws.sleep(7 + n);
            ws.set_event(ev)?;
        }
        ws.unregister_wait_ex(wh, DeleteCompletion::Wait)
    });
    assert!(log.len() >= 12, "the callbacks ran: {:?}", log);
}

/// The wait thread is told of a new registration without an APC: a callback of its that
/// sleeps alertably sleeps its whole time while another thread registers a wait.
#[test]
fn a_new_registration_does_not_interrupt_an_alertable_wait_in_the_wait_thread() {
    run(|ws| {
        let handle = ws.create_event(true, true)?;
        let got = Arc::new(Mutex::new(None));
        let g = got.clone();
        let sleeps: Cb = Arc::new(move |ws, _| {
            let r = ws.sleep_ex(100, true);
            *g.lock().unwrap() = Some(r);
        });
        let a = ws.register_wait_for_single_object(
            Handle::Event(handle),
            sleeps,
            INFINITE,
            WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD,
        )?;
        ws.sleep(20);
        let other = ws.create_event(false, false)?;
        let b = ws.register_wait_for_single_object(
            Handle::Event(other),
            Arc::new(|_, _| {}),
            INFINITE,
            0,
        )?;
        ws.sleep(200);
        assert_eq!(
            *got.lock().unwrap(),
            Some(0),
            "SleepEx slept its whole time"
        );
        ws.unregister_wait_ex(a, DeleteCompletion::Wait)?;
        ws.unregister_wait_ex(b, DeleteCompletion::Wait)
    });
}

/// A repeating wait on an event left set fires again at once, for ever (on Windows too: the
/// wait thread burns a CPU queueing callbacks). The simulator charges a millisecond for each 64
/// rounds at one time, so the callbacks queued stay within what time allows even while other
/// traffic moves the clock in small steps (a TCP ping-pong here, a step every few µs): before,
/// every step gave 64 more, and the fuzz's pool queue grew to 10 GB.
#[test]
fn a_wait_left_signalled_fires_at_a_bounded_rate() {
    let fired = Arc::new(AtomicU32::new(0));
    let f = fired.clone();
    let mut sim = Sim::builder().seed(6).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let (client, server) = common::pair(ws)?;
        let ev = ws.create_event(true, true)?;
        let cb: WaitOrTimerCallback<SimWinsock> = Arc::new(move |_, _| {
            f.fetch_add(1, Ordering::SeqCst);
        });
        let w = ws.register_wait_for_single_object(Handle::Event(ev), cb, INFINITE, 0)?;
        // 100 ms of one-byte ping-pong: the clock moves a segment's latency at a time.
        let start = ws.get_tick_count();
        let mut b = [0u8; 1];
        while ws.get_tick_count() - start < 100 {
            ws.send(client, b"p", 0)?;
            ws.recv(server, &mut b, 0)?;
            ws.send(server, b"q", 0)?;
            ws.recv(client, &mut b, 0)?;
        }
        ws.unregister_wait_ex(w, DeleteCompletion::Wait)?;
        ws.closesocket(client)?;
        ws.closesocket(server)
    });
    sim.run().expect("runs");
    let n = fired.load(Ordering::SeqCst);
    assert!(n >= 100, "it kept firing: {n}");
    assert!(n <= 64 * 102, "at most 64 rounds a millisecond: {n}");
}

#[test]
fn a_wait_thread_serves_63_registrations_and_each_fires_its_own() {
    // Proves: as on Windows (a wait holds at most 64 handles, one of them the thread's own),
    // a wait thread serves 63 registrations: the 64th gets a second thread, so
    // WT_EXECUTEINWAITTHREAD callbacks of the first 63 run on one thread and the 64th's on
    // another; with 200 registrations each signalled event fires its own callback, the
    // highest numbered first (a single wait over all 200 read index 128 and up as
    // WAIT_ABANDONED_0 + i); unregistering the first group lets a new registration join it.
    run(|ws| {
        const N: usize = 200;
        let fired: Arc<Mutex<Vec<(usize, u32)>>> = Arc::default();
        let mut events = Vec::new();
        let mut waits = Vec::new();
        for i in 0..N {
            let ev = ws.create_event(false, false)?;
            let log = fired.clone();
            let cb: Cb = Arc::new(move |ws, _| {
                let me = ws.get_current_thread_id();
                log.lock().unwrap().push((i, me));
            });
            let flags = WT_EXECUTEINWAITTHREAD;
            waits.push(ws.register_wait_for_single_object(
                Handle::Event(ev),
                cb,
                INFINITE,
                flags,
            )?);
            events.push(ev);
        }
        for &ev in events.iter().rev() {
            ws.set_event(ev)?;
            ws.sleep(1);
        }
        let got = fired.lock().unwrap().clone();
        let order: Vec<usize> = got.iter().map(|&(i, _)| i).collect();
        assert_eq!(
            order,
            (0..N).rev().collect::<Vec<_>>(),
            "each event its own callback"
        );
        let thread_of = |i: usize| got.iter().find(|&&(j, _)| j == i).map(|&(_, t)| t);
        assert_eq!(thread_of(0), thread_of(62), "one thread for the first 63");
        assert_ne!(
            thread_of(62),
            thread_of(63),
            "the 64th has a thread of its own"
        );
        assert_eq!(thread_of(63), thread_of(125));
        assert_ne!(thread_of(125), thread_of(126));
        // Free one slot of the first group: the next registration takes it.
        ws.unregister_wait_ex(waits[5], DeleteCompletion::Wait)?;
        let ev = ws.create_event(false, true)?;
        let log = fired.clone();
        let cb: Cb = Arc::new(move |ws, _| {
            let me = ws.get_current_thread_id();
            log.lock().unwrap().push((N, me));
        });
        let w = ws.register_wait_for_single_object(
            Handle::Event(ev),
            cb,
            INFINITE,
            WT_EXECUTEINWAITTHREAD,
        )?;
        ws.sleep(1);
        let last = *fired.lock().unwrap().last().unwrap();
        assert_eq!(
            last,
            (N, thread_of(0).unwrap()),
            "the freed slot of the first group"
        );
        ws.unregister_wait_ex(w, DeleteCompletion::Wait)?;
        for (i, wh) in waits.into_iter().enumerate() {
            if i != 5 {
                ws.unregister_wait_ex(wh, DeleteCompletion::Wait)?;
            }
        }
        Ok(())
    });
}
