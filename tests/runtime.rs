//! The simulator's own contracts: failure reports (deadlock, panic, thread error, time limit),
//! daemons, virtual time (Sleep, polling, connect timeouts, waits), scale (10,000 threads), the
//! fault seam and the readable timeline.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{
    FaultPlan, FaultRule, SegmentFilter, Sim, SimErrorKind, SimWinsock, ThreadOutcome,
};

const PORT: u16 = 9300;

/// Runs `body` as the only (non-daemon) thread of host 192.0.2.1 and returns the run's result.
fn try_run<F>(seed: u64, body: F) -> Result<winsock_sim::sim::Report, winsock_sim::sim::SimError>
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    let mut sim = Sim::builder().seed(seed).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        body(ws)
    });
    sim.run()
}

/// A thread-per-connection echo server on `port`.
fn threaded_echo_server(ws: &SimWinsock, port: u16) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([0, 0, 0, 0], port))?;
    ws.listen(l, SOMAXCONN)?;
    loop {
        let (c, _) = ws.accept(l)?;
        ws.create_thread("conn", move |ws| {
            let mut buf = [0u8; 1024];
            loop {
                let n = ws.recv(c, &mut buf, 0)?;
                if n == 0 {
                    break;
                }
                let mut sent = 0;
                while sent < n {
                    sent += ws.send(c, &buf[sent..n], 0)?;
                }
            }
            ws.closesocket(c)
        })?;
    }
}

// ---------------------------------------------------------------------------------------------
// Failure reports

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

// ---------------------------------------------------------------------------------------------
// Virtual time

// Proves: Sleep(n) advances virtual time by exactly n ms; Sleep(0) yields without advancing it;
// the report's virtual time is the sum.
#[test]
fn sleep_advances_virtual_time_exactly() {
    let report = common::run(|ws| {
        let t0 = ws.get_tick_count();
        assert_eq!(t0, 0, "the clock starts at 0");
        ws.sleep(1234);
        assert_eq!(ws.get_tick_count() - t0, 1234);
        ws.sleep(0);
        assert_eq!(ws.get_tick_count() - t0, 1234, "Sleep(0) only yields");
        ws.sleep(1);
        assert_eq!(ws.get_tick_count() - t0, 1235);
        Ok(())
    });
    assert_eq!(report.virtual_time, Duration::from_millis(1235));
}

// Proves: two sleeping threads interleave on the virtual clock: each wakes at exactly its own
// deadline, whatever the other does.
#[test]
fn concurrent_sleeps_wake_at_their_deadlines() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l2 = log.clone();
    common::run(move |ws| {
        let l3 = l2.clone();
        let t = ws.create_thread("b", move |ws| {
            for _ in 0..3 {
                ws.sleep(300);
                l3.lock().unwrap().push(("b", ws.get_tick_count()));
            }
            Ok(())
        })?;
        for _ in 0..4 {
            ws.sleep(200);
            l2.lock().unwrap().push(("a", ws.get_tick_count()));
        }
        ws.wait_for_thread(t, INFINITE)
    });
    let mut log = log.lock().unwrap().clone();
    log.sort();
    assert_eq!(
        log,
        [
            ("a", 200),
            ("a", 400),
            ("a", 600),
            ("a", 800),
            ("b", 300),
            ("b", 600),
            ("b", 900)
        ]
    );
}

// Proves: a thread polling a nonblocking socket without ever sleeping cannot stop virtual
// time: the peer's delayed send still happens and the poller gets the data.
#[test]
fn busy_polling_thread_still_progresses() {
    let report = common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.create_thread("late-sender", move |ws| {
            ws.sleep(50);
            ws.send(c, b"finally", 0)?;
            Ok(())
        })?;
        ws.set_nonblocking(s, true)?;
        let mut buf = [0u8; 16];
        let mut polls = 0u64;
        // The bytes may come in several segments: poll until all seven are in.
        let mut n = 0;
        while n < 7 {
            match ws.recv(s, &mut buf[n..], 0) {
                Ok(k) => n += k,
                Err(WsaError::WSAEWOULDBLOCK) => polls += 1,
                Err(e) => return Err(e),
            }
        }
        assert_eq!(&buf[..n], b"finally");
        assert!(ws.get_tick_count() >= 50, "time moved while polling");
        assert!(polls > 0);
        Ok(())
    });
    assert!(report.virtual_time >= Duration::from_millis(50));
}

// Proves: the same when the data comes from another host and the poller is the only runnable
// thread on the whole simulation.
#[test]
fn busy_polling_waits_for_remote_data() {
    let mut sim = Sim::builder().seed(9).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    a.spawn("poller", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, 1)?;
        ws.set_nonblocking(l, true)?;
        let c = loop {
            match ws.accept(l) {
                Ok((c, _)) => break c,
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(e) => return Err(e),
            }
        };
        let mut buf = [0u8; 4];
        let mut got = Vec::new();
        while got.len() < 4 {
            match ws.recv(c, &mut buf, 0) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(e) => return Err(e),
            }
        }
        assert_eq!(got, b"data");
        Ok(())
    });
    b.spawn("sender", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        ws.sleep(2000);
        ws.send(s, b"data", 0)?;
        ws.closesocket(s)
    });
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    assert!(report.virtual_time >= Duration::from_secs(2));
    assert!(report.virtual_time < Duration::from_secs(3));
}

// Proves: connect to an address nobody answers fails with WSAETIMEDOUT after 21 s of virtual
// time (Windows: SYN, retransmissions at 3 s and 9 s, give up at 21 s).
#[test]
fn connect_to_unreachable_address_times_out_after_21_s() {
    common::run(|ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let t0 = ws.get_tick_count();
        let r = ws.connect(s, &SockAddr::v4([192, 0, 2, 99], 80));
        assert_eq!(r, Err(WsaError::WSAETIMEDOUT));
        assert_eq!(ws.wsa_get_last_error(), 10060);
        assert_eq!(ws.get_tick_count() - t0, 21_000);
        ws.closesocket(s)
    });
}

// Proves: connect to a host with no listener on the port fails with WSAECONNREFUSED only after
// Windows' retries (about 2 s: RST, retry after 0.5 s, retry after 1 s), not at once.
#[test]
fn refused_connect_takes_the_windows_retry_time() {
    let mut sim = Sim::builder().seed(3).build();
    sim.host("server", "192.0.2.1");
    let c = sim.host("client", "192.0.2.2");
    c.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let t0 = ws.get_tick_count();
        let r = ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 81));
        let dt = ws.get_tick_count() - t0;
        assert_eq!(r, Err(WsaError::WSAECONNREFUSED));
        assert!(dt > 1500, "refused after {dt} ms: Windows retries first");
        assert!(dt < 3000, "refused after {dt} ms");
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

// Proves: WaitForSingleObject on a thread gives WAIT_TIMEOUT after exactly its timeout while
// the thread runs, Ok once it has ended (at once if it already has).
#[test]
fn wait_for_thread_times_out_then_succeeds() {
    common::run(|ws| {
        let t = ws.create_thread("worker", |ws| {
            ws.sleep(1000);
            Ok(())
        })?;
        let t0 = ws.get_tick_count();
        assert_eq!(ws.wait_for_thread(t, 100), Err(WsaError::WAIT_TIMEOUT));
        assert_eq!(ws.get_tick_count() - t0, 100);
        assert_eq!(ws.wait_for_thread(t, 0), Err(WsaError::WAIT_TIMEOUT));
        assert_eq!(ws.get_tick_count() - t0, 100, "a 0 ms wait only polls");
        ws.wait_for_thread(t, INFINITE)?;
        assert_eq!(ws.get_tick_count() - t0, 1000);
        ws.wait_for_thread(t, 0)?;
        ws.wait_for_thread(t, 5000)?;
        assert_eq!(
            ws.get_tick_count() - t0,
            1000,
            "waiting on an ended thread is immediate"
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Scale

/// One client of the scale test: retries a refused connect on a fresh socket.
fn scale_client(ws: &SimWinsock, id: usize) -> Result<(), WsaError> {
    ws.sleep((id % 100) as u32);
    let s = loop {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        match ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT)) {
            Ok(()) => break s,
            Err(WsaError::WSAECONNREFUSED) => {
                ws.closesocket(s)?;
                ws.sleep(10 + (id % 37) as u32);
            }
            Err(e) => return Err(e),
        }
    };
    let msg = (id as u64).to_le_bytes();
    ws.send(s, &msg, 0)?;
    let mut back = [0u8; 8];
    assert_eq!(ws.recv(s, &mut back, MSG_WAITALL)?, 8);
    assert_eq!(back, msg, "client {id}");
    ws.closesocket(s)
}

// Proves: 10,000 simulated client threads, each with its own connection to a
// thread-per-connection echo server (so up to 20,000 coroutines), run to completion.
#[test]
fn ten_thousand_client_threads() {
    const CLIENTS: usize = 10_000;
    let mut sim = Sim::builder().seed(10).stack_size(64 * 1024).build();
    let server = sim.host("server", "192.0.2.1");
    let clients = sim.host("clients", "192.0.2.2");
    server.spawn_daemon("server", |ws| threaded_echo_server(ws, PORT));
    let done = Arc::new(AtomicUsize::new(0));
    for id in 0..CLIENTS {
        let done = done.clone();
        clients.spawn("client", move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            scale_client(ws, id)?;
            done.fetch_add(1, Ordering::Relaxed);
            Ok(())
        });
    }
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.load(Ordering::Relaxed), CLIENTS);
    let served = report.threads.iter().filter(|t| t.name == "conn").count();
    assert_eq!(served, CLIENTS, "one server thread per connection");
}

// Proves: a thread created after another has finished runs on the finished thread's stack
// (Stats counts it reused, not mapped), so a server that starts and ends a thread per
// connection one after another keeps two stacks, not one per connection.
#[test]
fn finished_threads_stacks_are_reused() {
    const ROUNDS: u32 = 40;
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let report = try_run(11, move |ws| {
        for i in 0..ROUNDS {
            let counter = counter.clone();
            let t = ws.create_thread("worker", move |ws| {
                ws.sleep(i % 3);
                counter.fetch_add(1, Ordering::Relaxed);
                Ok(())
            })?;
            ws.wait_for_thread(t, INFINITE)?;
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ran.load(Ordering::Relaxed), ROUNDS as usize);
    let st = report.stats;
    // "main" and one worker at a time.
    assert_eq!(st.threads_peak, 2, "{st:?}");
    assert_eq!(st.stacks_mapped, 2, "{st:?}");
    assert_eq!(st.stacks_reused, u64::from(ROUNDS) - 1, "{st:?}");
}

// Proves: threads alive at the same time each get a stack of their own (none is handed out
// twice), and the peak counts them all.
#[test]
fn concurrent_threads_each_have_a_stack() {
    const WORKERS: u32 = 12;
    let report = try_run(12, |ws| {
        let mut threads = Vec::new();
        for i in 0..WORKERS {
            threads.push(ws.create_thread("worker", move |ws| {
                ws.sleep(5 + i);
                Ok(())
            })?);
        }
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        // A second wave after the first has ended: it runs on the first wave's stacks.
        let mut threads = Vec::new();
        for _ in 0..WORKERS {
            threads.push(ws.create_thread("again", |ws| {
                ws.sleep(1);
                Ok(())
            })?);
        }
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let st = report.stats;
    assert_eq!(st.threads_peak, u64::from(WORKERS) + 1, "{st:?}");
    assert_eq!(st.stacks_mapped, u64::from(WORKERS) + 1, "{st:?}");
    assert_eq!(st.stacks_reused, u64::from(WORKERS), "{st:?}");
}

// ---------------------------------------------------------------------------------------------
// Fault seam

/// Time for one 100-byte ping-pong between two hosts under `plan`.
fn round_trip_ms(plan: FaultPlan) -> u32 {
    let rtt = Arc::new(AtomicUsize::new(0));
    let out = rtt.clone();
    let mut sim = Sim::builder().seed(11).faults(plan).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("server", |ws| threaded_echo_server(ws, PORT));
    client.spawn("client", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        let t0 = ws.get_tick_count();
        ws.send(s, &[1u8; 100], 0)?;
        let mut b = [0u8; 100];
        assert_eq!(ws.recv(s, &mut b, MSG_WAITALL)?, 100);
        assert_eq!(b, [1u8; 100]);
        out.store((ws.get_tick_count() - t0) as usize, Ordering::Relaxed);
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let v = rtt.load(Ordering::Relaxed);
    v as u32
}

// Proves: a FaultRule::Delay on every data segment adds its latency to each crossing (the
// echo's round trip grows by twice the delay), while the data still arrives intact.
#[test]
fn fault_delay_adds_latency() {
    let base = round_trip_ms(FaultPlan::none());
    let delayed = round_trip_ms(FaultPlan::none().with(FaultRule::Delay {
        filter: SegmentFilter::Data,
        num: 1,
        den: 1,
        extra: Duration::from_millis(250),
    }));
    assert!(base < 10, "base round trip {base} ms");
    assert!(
        delayed >= base + 500,
        "delayed round trip {delayed} ms vs {base} ms"
    );
    assert!(delayed < base + 520, "delayed round trip {delayed} ms");
}

// Proves: FailCall on "send" makes some sends fail with WSAENOBUFS (and sets the last error)
// before they take any byte: retrying them delivers exactly the stream of successful sends.
#[test]
fn fault_fail_send_loses_no_accepted_data() {
    let failures = Arc::new(AtomicUsize::new(0));
    let received = Arc::new(Mutex::new(Vec::new()));
    let plan = FaultPlan::none().with(FaultRule::FailCall {
        call: "send",
        error: WsaError::WSAENOBUFS,
        num: 1,
        den: 3,
    });
    let mut sim = Sim::builder().seed(12).faults(plan).build();
    let rx = sim.host("receiver", "192.0.2.1");
    let tx = sim.host("sender", "192.0.2.2");
    let got = received.clone();
    rx.spawn("receiver", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, 1)?;
        let (c, _) = ws.accept(l)?;
        let mut buf = [0u8; 777];
        loop {
            let n = ws.recv(c, &mut buf, 0)?;
            if n == 0 {
                break;
            }
            got.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        ws.closesocket(c)
    });
    let fails = failures.clone();
    tx.spawn("sender", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        for m in 0..100u32 {
            let msg: Vec<u8> = (0..500u32).map(|i| (m * 3 + i) as u8).collect();
            loop {
                match ws.send(s, &msg, 0) {
                    Ok(n) => {
                        assert_eq!(n, msg.len());
                        break;
                    }
                    Err(WsaError::WSAENOBUFS) => {
                        assert_eq!(ws.wsa_get_last_error(), 10055);
                        fails.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let fails = failures.load(Ordering::Relaxed);
    assert!(fails >= 10, "only {fails} injected failures in ~150 sends");
    let expected: Vec<u8> = (0..100u32)
        .flat_map(|m| (0..500u32).map(move |i| (m * 3 + i) as u8))
        .collect();
    let got = received.lock().unwrap();
    assert_eq!(got.len(), expected.len());
    assert!(*got == expected, "the stream differs");
}

// ---------------------------------------------------------------------------------------------
// Timeline

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

// Proves: a busy-polling thread sees virtual time pass continuously, as it would on Windows:
// its own 100 ms polling timeout fires at about 100 ms, not when some unrelated far-off timer
// (here another thread's 10 s Sleep) happens to fire.
#[test]
fn busy_poller_sees_time_pass_between_far_timers() {
    common::run(|ws| {
        let sleeper = ws.create_thread("sleeper", |ws| {
            ws.sleep(10_000);
            Ok(())
        })?;
        let (c, s) = common::pair(ws)?;
        ws.set_nonblocking(s, true)?;
        let t0 = ws.get_tick_count();
        let mut buf = [0u8; 4];
        let waited = loop {
            match ws.recv(s, &mut buf, 0) {
                Err(WsaError::WSAEWOULDBLOCK) => {}
                other => panic!("nothing was sent: {other:?}"),
            }
            let dt = ws.get_tick_count() - t0;
            if dt >= 100 {
                break dt;
            }
        };
        assert!(
            waited < 120,
            "the poll loop noticed its timeout only after {waited} ms"
        );
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        ws.wait_for_thread(sleeper, INFINITE)
    });
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

// Proves: the fault seam's SYN drops act like a network that loses every SYN: connect gives
// WSAETIMEDOUT after the same 21 s as an unreachable address.
#[test]
fn fault_drop_every_syn_times_out_connect() {
    let plan = FaultPlan::none().with(FaultRule::Drop {
        filter: SegmentFilter::Syn,
        num: 1,
        den: 1,
    });
    let mut sim = Sim::builder().seed(14).faults(plan).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("server", |ws| threaded_echo_server(ws, PORT));
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT)),
            Err(WsaError::WSAETIMEDOUT)
        );
        assert_eq!(ws.get_tick_count() - t0, 21_000);
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn failure_report_names_the_fault_plan() {
    // Proves: a failed run's report carries the fault plan next to the seed, so the failure
    // can be replayed exactly.
    use winsock_sim::sim::{FaultPlan, FaultRule, SegmentFilter};
    let plan = FaultPlan::none().with(FaultRule::Delay {
        filter: SegmentFilter::Data,
        num: 1,
        den: 2,
        extra: std::time::Duration::from_millis(5),
    });
    let mut sim = Sim::builder().seed(99).faults(plan.clone()).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("t", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        Err(WsaError::WSAECONNRESET)
    });
    let err = sim.run().unwrap_err();
    assert_eq!(err.faults, plan);
    let text = err.to_string();
    assert!(text.contains("fault plan: delay(data,1/2,5ms)"), "{text}");
    assert!(text.contains("WINSOCK_SIM_SEED=99"), "{text}");
}

#[test]
fn get_system_info_reports_the_sims_cpu_count() {
    // Proves: GetSystemInfo's processor count is the builder's `cpus` (default 2), so servers
    // that size their worker pools by it behave the same on every machine.
    for (builder, cpus) in [(Sim::builder(), 2), (Sim::builder().cpus(6), 6)] {
        common::run_with(builder.seed(1), move |ws| {
            assert_eq!(ws.get_system_info().number_of_processors, cpus);
            Ok(())
        });
    }
}

#[test]
fn stack_overflow_in_a_simulated_thread_is_reported() {
    // Proves: deep recursion that overflows a simulated thread's (small) stack ends the run
    // with a Panic report that says so and names the seed, instead of crashing the process.
    fn deep(n: u64, pad: &mut [u8; 256]) -> u64 {
        pad[0] = pad[0].wrapping_add(1);
        let mut mine = [0u8; 256];
        mine[1] = pad[0];
        if n == 0 {
            0
        } else {
            deep(n - 1, &mut mine) + u64::from(mine[1])
        }
    }
    let mut sim = Sim::builder().seed(5).stack_size(32 * 1024).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("deep", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let mut pad = [0u8; 256];
        std::hint::black_box(deep(std::hint::black_box(100_000), &mut pad));
        Ok(())
    });
    let err = sim.run().unwrap_err();
    assert_eq!(err.kind, SimErrorKind::Panic);
    let text = err.to_string();
    assert!(text.contains("stack overflow"), "{text}");
    assert!(text.contains("WINSOCK_SIM_SEED=5"), "{text}");
}

#[test]
fn link_latency_is_configurable_per_pair_and_globally() {
    // Proves: the builder's latency applies between hosts, `link_latency` overrides it for one
    // pair (both directions), and a connect takes one round trip of that latency.
    let mut sim = Sim::builder()
        .seed(3)
        .latency(Duration::from_millis(5))
        .build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    let c = sim.host("c", "192.0.2.3");
    sim.link_latency(&a, &c, Duration::from_millis(40));
    for (host, port) in [(&b, 7000u16), (&c, 7001)] {
        host.spawn_daemon("listener", move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.bind(l, &SockAddr::v4([0, 0, 0, 0], port))?;
            ws.listen(l, 5)?;
            loop {
                ws.accept(l)?;
            }
        });
    }
    a.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.sleep(1);
        for (ip, port, rtt) in [([192, 0, 2, 2], 7000, 10), ([192, 0, 2, 3], 7001, 80)] {
            let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            let t0 = ws.get_tick_count();
            ws.connect(s, &SockAddr::v4(ip, port))?;
            assert_eq!(ws.get_tick_count() - t0, rtt, "connect to {ip:?}");
        }
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn bandwidth_limits_a_burst() {
    // Proves: the builder's bandwidth is a real limit: 1 MiB sent at once over a 1 MiB/s link
    // takes about one second of virtual time to arrive, not one latency.
    let mut sim = Sim::builder()
        .seed(4)
        .bandwidth(1024 * 1024)
        .latency(Duration::from_millis(1))
        .build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    b.spawn_daemon("sink", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 7000))?;
        ws.listen(l, 1)?;
        let (c, _) = ws.accept(l)?;
        ws.setsockopt_i32(c, SOL_SOCKET, SO_RCVBUF, 4 << 20)?;
        let mut buf = vec![0u8; 1 << 16];
        while ws.recv(c, &mut buf, 0)? > 0 {}
        ws.send(c, b"k", 0)?;
        ws.closesocket(c)
    });
    a.spawn("source", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 2], 7000))?;
        let t0 = ws.get_tick_count();
        ws.send(s, &vec![1u8; 1 << 20], 0)?;
        ws.shutdown(s, SD_SEND)?;
        let mut k = [0u8; 1];
        ws.recv(s, &mut k, 0)?;
        let took = ws.get_tick_count() - t0;
        assert!(
            (950..2500).contains(&took),
            "1 MiB at 1 MiB/s took {took} ms"
        );
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}
