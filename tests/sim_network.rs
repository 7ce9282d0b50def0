//! The simulated network: link latency (per pair and global), bandwidth, and the fault seam
//! (delays, failed sends that lose no accepted data, dropped SYNs, the fault plan named in a
//! failure report). Helpers in `common/runtime.rs`.

mod common;

use common::runtime::{threaded_echo_server, PORT};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{FaultPlan, FaultRule, SegmentFilter, Sim};

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
