//! The simulator's own contracts: failure reports (deadlock, panic, thread error, time limit,
//! stack overflow), daemons, and the readable timeline. Elsewhere: virtual time in
//! `virtual_time.rs`, scale (10,000 threads, stacks) in `runtime_scale.rs`, the simulated
//! network's links and fault seam in `sim_network.rs`; their shared helpers in
//! `common/runtime.rs`.

mod common;

use common::runtime::{overflowing_run, try_run, PORT};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, ThreadOutcome};

// Proves: two threads blocked in recv on a pair nobody writes to is reported as a deadlock
// (never a hang), naming the seed, the replay variable and each thread's blocked call.
#[test]
fn deadlock_is_reported_with_seed_and_blocked_calls() {
    let err = try_run(4242, |ws| {
        let (c, s) = common::pair(ws)?;
        ws.create_thread("peer", move |ws| {
            let mut b = [0u8; 8];
            ws.recv(s, &mut b, 0).map(|_| ())
        })?;
        let mut b = [0u8; 8];
        ws.recv(c, &mut b, 0)?;
        Ok(())
    })
    .expect_err("a deadlock is an error");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    assert_eq!(err.seed, 4242);
    let blocked: Vec<&str> = err
        .threads
        .iter()
        .map(|t| match t.outcome {
            ThreadOutcome::Unfinished(call) => call,
            _ => "not blocked",
        })
        .collect();
    assert_eq!(blocked, ["recv", "recv"], "{err}");
    let text = err.to_string();
    assert!(text.contains("deadlock"), "{text}");
    assert!(text.contains("4242"), "{text}");
    assert!(text.contains("WINSOCK_SIM_SEED=4242"), "{text}");
    assert!(text.contains("\"main\""), "{text}");
    assert!(text.contains("\"peer\""), "{text}");
    assert_eq!(text.matches("blocked in recv").count(), 2, "{text}");
}

// Proves: a panic in a simulated thread ends the run with kind Panic, its message and the seed.
#[test]
fn panic_is_reported_with_message_and_seed() {
    let err = try_run(77, |ws| {
        ws.sleep(5);
        panic!("assertion in simulated thread: {}", 6 * 7);
    })
    .expect_err("a panic is an error");
    assert_eq!(err.kind, SimErrorKind::Panic);
    assert_eq!(err.seed, 77);
    assert_eq!(
        err.threads[0].outcome,
        ThreadOutcome::Panicked("assertion in simulated thread: 42".to_string())
    );
    let text = err.to_string();
    assert!(text.contains("assertion in simulated thread: 42"), "{text}");
    assert!(text.contains("WINSOCK_SIM_SEED=77"), "{text}");
}

// Proves: a thread returning Err(WsaError) fails the run with kind ThreadFailed and the error.
#[test]
fn thread_error_is_reported() {
    let err = try_run(5, |ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let mut b = [0u8; 4];
        ws.recv(s, &mut b, 0)?; // not connected: WSAENOTCONN
        Ok(())
    })
    .expect_err("a failed thread is an error");
    assert_eq!(err.kind, SimErrorKind::ThreadFailed);
    assert_eq!(
        err.threads[0].outcome,
        ThreadOutcome::Err(WsaError::WSAENOTCONN)
    );
    let text = err.to_string();
    assert!(text.contains("WSAENOTCONN"), "{text}");
    assert!(text.contains("WINSOCK_SIM_SEED=5"), "{text}");
}

// Proves: two threads that wake each other for ever without the clock moving (each sets the
// other's auto-reset event and waits on its own, no timeout) do not hang the run in one
// instant: after many switches the clock moves on, as CPU time would, and the run reaches its
// time limit. Windows burns CPU here; the simulator moves its clock.
#[test]
fn threads_waking_each_other_for_ever_reach_the_time_limit() {
    let mut sim = Sim::builder()
        .seed(2)
        .time_limit(Duration::from_millis(20))
        .build();
    let h = sim.host("host", "192.0.2.1");
    let events = Arc::new(Mutex::new(None));
    for side in 0..2usize {
        let events = events.clone();
        h.spawn(&format!("side {side}"), move |ws| {
            if side == 0 {
                let pair = (
                    ws.create_event(false, true)?,
                    ws.create_event(false, false)?,
                );
                *events.lock().unwrap() = Some(pair);
            }
            loop {
                // Copied out: no std lock is held across a call.
                let got = *events.lock().unwrap();
                let Some((a, b)) = got else {
                    ws.sleep(0);
                    continue;
                };
                let (mine, theirs) = if side == 0 { (a, b) } else { (b, a) };
                ws.wait_for_single_object(Handle::Event(mine), INFINITE)?;
                ws.set_event(theirs)?;
            }
        });
    }
    let err = sim.run().expect_err("the limit stops the run");
    assert_eq!(err.kind, SimErrorKind::TimeLimit);
    assert!(
        err.virtual_time > Duration::from_millis(20),
        "{:?}",
        err.virtual_time
    );
}

// Proves: a thread that sleeps forever in a loop hits the builder's time limit (TimeLimit),
// shortly after the limit in virtual time.
#[test]
fn time_limit_stops_an_endless_run() {
    let mut sim = Sim::builder()
        .seed(1)
        .time_limit(Duration::from_secs(10))
        .build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("sleeper", |ws| loop {
        ws.sleep(1000);
    });
    let err = sim.run().expect_err("the limit stops the run");
    assert_eq!(err.kind, SimErrorKind::TimeLimit);
    assert!(err.virtual_time > Duration::from_secs(10), "{err}");
    assert!(err.virtual_time <= Duration::from_secs(12), "{err}");
    assert!(err.to_string().contains("time limit"), "{err}");
}

// Proves: daemon threads (a server blocked in accept, a thread blocked in recv) may remain
// blocked when the last ordinary thread ends; the run succeeds and reports them unfinished.
#[test]
fn daemons_may_stay_blocked() {
    let mut sim = Sim::builder().seed(2).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, SOMAXCONN)?;
        let (c, _) = ws.accept(l)?;
        ws.create_thread("reader", move |ws| {
            let mut b = [0u8; 1];
            ws.recv(c, &mut b, 0).map(|_| ())
        })?;
        ws.accept(l).map(|_| ())
    });
    h.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([127, 0, 0, 1], PORT))?;
        ws.sleep(100);
        Ok(())
    });
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    let outcome = |name: &str| {
        report
            .threads
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no thread {name}"))
            .clone()
    };
    assert_eq!(outcome("client").outcome, ThreadOutcome::Ok);
    assert_eq!(
        outcome("server").outcome,
        ThreadOutcome::Unfinished("accept")
    );
    let reader = outcome("reader");
    assert!(reader.daemon, "threads a daemon creates are daemons");
    assert_eq!(reader.outcome, ThreadOutcome::Unfinished("recv"));
}

// Proves: with full_trace(true) the timeline keeps every record, in time order, as readable
// lines naming calls, deliveries and TCP states; without it only the last records are kept.
#[test]
fn full_trace_gives_a_readable_timeline() {
    let build = |full: bool| {
        let mut sim = Sim::builder().seed(13).full_trace(full).build();
        let h = sim.host("host", "192.0.2.1");
        h.spawn("main", |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let (c, s) = common::pair(ws)?;
            for _ in 0..20 {
                ws.send(c, b"hello", 0)?;
                assert_eq!(common::recv_exact(ws, s, 5)?, b"hello");
            }
            ws.closesocket(c)?;
            ws.closesocket(s)
        });
        let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
        (sim, report)
    };
    let (sim, report) = build(true);
    let lines = sim.timeline();
    assert_eq!(lines.len() as u64, report.trace_len, "full trace keeps all");
    assert!(lines.len() > 20);
    assert!(lines.iter().all(|l| l.contains(" ms ")), "{lines:#?}");
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    for needle in [
        "WSAStartup(",
        "connect(",
        "accept(",
        "send(",
        "recv(",
        "closesocket(",
        "deliver SYN",
        "deliver DATA",
        "ESTABLISHED",
        "scheduled",
        "ended",
    ] {
        assert!(has(needle), "no {needle:?} line in\n{}", lines.join("\n"));
    }
    let records = sim.trace_records();
    assert!(records.windows(2).all(|w| w[0].time <= w[1].time));

    let (sim, report) = build(false);
    let lines = sim.timeline();
    assert!(lines.len() <= 64, "{} lines kept", lines.len());
    assert!((lines.len() as u64) < report.trace_len);
}

// Proves: a thread that only ever yields (Sleep(0) forever) cannot stop virtual time: the run
// ends with TimeLimit instead of hanging.
#[test]
fn endless_sleep_zero_loop_hits_the_time_limit() {
    let mut sim = Sim::builder()
        .seed(1)
        .time_limit(Duration::from_secs(1))
        .build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("spinner", |ws| loop {
        ws.sleep(0);
    });
    let err = sim.run().expect_err("the limit stops the run");
    assert_eq!(err.kind, SimErrorKind::TimeLimit, "{err}");
}

#[test]
fn stack_overflow_in_a_simulated_thread_is_reported() {
    // Proves: deep recursion that overflows a simulated thread's (small) stack ends the run
    // with a Panic report that says so and names the seed, instead of crashing the process.
    let text = overflowing_run(5, 32 * 1024).to_string();
    assert!(text.contains("stack overflow"), "{text}");
    assert!(text.contains("WINSOCK_SIM_SEED=5"), "{text}");
}
