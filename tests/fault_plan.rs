//! Each fault of a `FaultPlan` through the public API: the codes a server and a client see
//! are Windows' (conformance EV-25, OV-01, CP-02; recv/send/WSAEventSelect documentation for
//! a connection given up after its retransmissions; see `sim::fault`'s inject notes).
mod common;

use std::net::IpAddr;
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{
    FaultPlan, FaultRule, Report, Scope, SegmentAction, SegmentFilter, Sim, SimError, SimWinsock,
    When,
};

const SERVER: [u8; 4] = [192, 0, 2, 1];
const CLIENT: [u8; 4] = [192, 0, 2, 2];
const PORT: u16 = 9000;

fn ip(a: [u8; 4]) -> IpAddr {
    IpAddr::from(a)
}

type Side = Box<dyn FnOnce(&SimWinsock, Socket) -> Result<(), WsaError> + Send>;

/// A server on 192.0.2.1 that accepts one connection and runs `server` on it (a daemon unless
/// `wait_server`), and a client on 192.0.2.2 that connects and runs `client`.
fn scenario(
    plan: FaultPlan,
    server: Side,
    client: Side,
    wait_server: bool,
) -> Result<Report, SimError> {
    let mut sim = Sim::builder().seed(3).faults(plan).build();
    let s = sim.host("server", "192.0.2.1");
    let c = sim.host("client", "192.0.2.2");
    let body = move |ws: &SimWinsock| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, SOMAXCONN)?;
        let (conn, _) = ws.accept(l)?;
        server(ws, conn)
    };
    if wait_server {
        s.spawn("server", body);
    } else {
        s.spawn_daemon("server", body);
    }
    c.spawn("client", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let so = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(so, &SockAddr::v4(SERVER, PORT))?;
        client(ws, so)
    });
    sim.run()
}

fn ok(r: Result<Report, SimError>) -> Report {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// Waits for FD_CLOSE on `s` (registered with WSAEventSelect) and returns its error code.
fn fd_close_error(ws: &SimWinsock, s: Socket) -> Result<i32, WsaError> {
    let ev = ws.wsa_create_event()?;
    ws.wsa_event_select(s, ev, FD_CLOSE)?;
    ws.wsa_wait_for_multiple_events(&[ev], false, INFINITE, false)?;
    let mut ne = WsaNetworkEvents::default();
    ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
    assert_eq!(ne.network_events & FD_CLOSE, FD_CLOSE);
    Ok(ne.error_code[FD_CLOSE_BIT])
}

#[test]
fn reset_at_a_moment_resets_both_ends() {
    // Proves: FaultRule::Reset at 1 s gives the client FD_CLOSE with WSAECONNABORTED then
    // WSAECONNRESET from recv and send, and the server's pending IOCP receive a packet with
    // ERROR_NETNAME_DELETED, then WSAECONNRESET (EV-25, OV-01, CP-02).
    let plan = FaultPlan::none().with(FaultRule::Reset {
        at: Duration::from_secs(1),
        scope: Scope::All,
    });
    let server: Side = Box::new(|ws, c| {
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 7)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 64]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, INFINITE)?;
        assert_eq!(
            (p.error, p.bytes, p.key),
            (Some(WsaError::ERROR_NETNAME_DELETED), 0, 7)
        );
        assert!(ws.get_tick_count() >= 1000, "not before the reset");
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(c, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        assert_eq!(ws.send(c, b"x", 0), Err(WsaError::WSAECONNRESET));
        ws.closesocket(c)
    });
    let client: Side = Box::new(|ws, s| {
        assert_eq!(fd_close_error(ws, s)?, WsaError::WSAECONNABORTED.code());
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(s, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        assert_eq!(ws.send(s, b"x", 0), Err(WsaError::WSAECONNRESET));
        ws.closesocket(s)
    });
    ok(scenario(plan, server, client, true));
}

#[test]
fn reset_of_the_nth_data_segment() {
    // Proves: a Segment rule with When::Nth(2) and SegmentAction::Reset lets the first data
    // segment through and resets the connection in place of the second: the server reads the
    // first message, then WSAECONNRESET; the client's next recv fails with WSAECONNRESET.
    let plan = FaultPlan::none().with(FaultRule::Segment {
        when: When::Nth(2),
        scope: Scope::Host(ip(CLIENT)),
        filter: SegmentFilter::Data,
        action: SegmentAction::Reset,
    });
    let server: Side = Box::new(|ws, c| {
        assert_eq!(common::recv_exact(ws, c, 5)?, b"first");
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(c, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        ws.closesocket(c)
    });
    let client: Side = Box::new(|ws, s| {
        ws.send(s, b"first", 0)?;
        ws.sleep(100);
        ws.send(s, b"second", 0)?;
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(s, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        ws.closesocket(s)
    });
    ok(scenario(plan, server, client, true));
}

#[test]
fn healed_partition_costs_time_only() {
    // Proves: data sent into a partition that heals at 2 s arrives intact, by the first
    // retransmission after the heal (RTO 300 ms doubling: 0.3, 0.9, 2.1 s after sending).
    let plan = FaultPlan::none().with(FaultRule::Partition {
        a: vec![ip(SERVER)],
        b: vec![ip(CLIENT)],
        from: Duration::from_millis(50),
        until: Some(Duration::from_secs(2)),
    });
    let server: Side = Box::new(|ws, c| {
        assert_eq!(common::recv_exact(ws, c, 4)?, b"ping");
        ws.send(c, b"pong", 0)?;
        ws.closesocket(c)
    });
    let client: Side = Box::new(|ws, s| {
        ws.sleep(100);
        let t0 = ws.get_tick_count();
        ws.send(s, b"ping", 0)?;
        assert_eq!(common::recv_exact(ws, s, 4)?, b"pong");
        let took = ws.get_tick_count() - t0;
        assert!((2100..2200).contains(&took), "round trip took {took} ms");
        ws.closesocket(s)
    });
    ok(scenario(plan, server, client, true));
}

#[test]
fn lasting_partition_gives_the_connection_up() {
    // Proves: data sent into a partition that never heals is retransmitted 5 times and the
    // connection given up 63 RTOs (18.9 s) later: the blocked recv fails with WSAETIMEDOUT,
    // FD_CLOSE carries WSAECONNABORTED, later calls fail with WSAETIMEDOUT.
    let plan = FaultPlan::none().with(FaultRule::Partition {
        a: vec![ip(SERVER)],
        b: vec![ip(CLIENT)],
        from: Duration::from_millis(50),
        until: None,
    });
    let server: Side = Box::new(|ws, c| {
        let mut buf = [0u8; 8];
        ws.recv(c, &mut buf, 0).map(|_| ())
    });
    let client: Side = Box::new(|ws, s| {
        ws.sleep(100);
        let t0 = ws.get_tick_count();
        ws.send(s, b"ping", 0)?;
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(s, &mut buf, 0), Err(WsaError::WSAETIMEDOUT));
        assert_eq!(ws.get_tick_count() - t0, 18_900);
        assert_eq!(ws.send(s, b"x", 0), Err(WsaError::WSAETIMEDOUT));
        assert_eq!(fd_close_error(ws, s)?, WsaError::WSAECONNABORTED.code());
        ws.closesocket(s)
    });
    ok(scenario(plan, server, client, false));
}

#[test]
fn given_up_connection_fails_pending_overlapped_io_with_a_timeout() {
    // Proves: a pending overlapped receive on a connection given up completes with
    // ERROR_SEM_TIMEOUT on the port (STATUS_IO_TIMEOUT) and WSAETIMEDOUT from
    // WSAGetOverlappedResult.
    let plan = FaultPlan::none().with(FaultRule::Partition {
        a: vec![ip(SERVER)],
        b: vec![ip(CLIENT)],
        from: Duration::from_millis(50),
        until: None,
    });
    let server: Side = Box::new(|ws, c| {
        let mut buf = [0u8; 8];
        ws.recv(c, &mut buf, 0).map(|_| ())
    });
    let client: Side = Box::new(|ws, s| {
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 3)?;
        let ov = Overlapped::new(9);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 64]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.sleep(100);
        ws.send(s, b"ping", 0)?;
        let p = ws.get_queued_completion_status(port, INFINITE)?;
        assert_eq!(
            (p.error, p.bytes, p.key),
            (Some(WsaError::ERROR_SEM_TIMEOUT), 0, 3)
        );
        let r = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!((r.error, r.bytes), (Some(WsaError::WSAETIMEDOUT), 0));
        ws.closesocket(s)
    });
    ok(scenario(plan, server, client, false));
}

#[test]
fn crashed_host_vanishes_and_its_peer_gives_up() {
    // Proves: a crashed server sends no FIN or RST; its thread never returns (the run does not
    // wait for it); the client learns only when its data goes unanswered: WSAETIMEDOUT.
    let plan = FaultPlan::none().with(FaultRule::Crash {
        host: ip(SERVER),
        at: Duration::from_secs(1),
        restart: None,
    });
    let server: Side = Box::new(|ws, c| {
        let mut buf = [0u8; 8];
        let r = ws.recv(c, &mut buf, 0);
        panic!("a crashed host's call returned {r:?}");
    });
    let client: Side = Box::new(|ws, s| {
        ws.sleep(2000);
        ws.send(s, b"ping", 0)?;
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(s, &mut buf, 0), Err(WsaError::WSAETIMEDOUT));
        ws.closesocket(s)
    });
    ok(scenario(plan, server, client, true));
}

#[test]
fn restarted_host_answers_with_a_reset() {
    // Proves: data reaching a host restarted after a crash meets no connection there and is
    // answered with RST: the client's recv fails with WSAECONNRESET; a new connection to the
    // restarted host is refused (nothing listens any more).
    let plan = FaultPlan::none().with(FaultRule::Crash {
        host: ip(SERVER),
        at: Duration::from_secs(1),
        restart: Some(Duration::from_millis(1500)),
    });
    let server: Side = Box::new(|ws, c| {
        let mut buf = [0u8; 8];
        ws.recv(c, &mut buf, 0).map(|_| ())
    });
    let client: Side = Box::new(|ws, s| {
        ws.sleep(1200);
        ws.send(s, b"ping", 0)?;
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(s, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        ws.closesocket(s)?;
        let again = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(
            ws.connect(again, &SockAddr::v4(SERVER, PORT)),
            Err(WsaError::WSAECONNREFUSED)
        );
        ws.closesocket(again)
    });
    ok(scenario(plan, server, client, false));
}

#[test]
fn enobufs_from_the_nth_send_of_one_host() {
    // Proves: a Call rule fails exactly the second `send` of the client host with WSAENOBUFS,
    // before it has any effect (the byte stream lacks it), and no call of the server.
    let plan = FaultPlan::none().with(FaultRule::Call {
        when: When::Nth(2),
        scope: Scope::Host(ip(CLIENT)),
        call: "send",
        error: WsaError::WSAENOBUFS,
    });
    let server: Side = Box::new(|ws, c| {
        assert_eq!(common::recv_exact(ws, c, 6)?, b"onethr");
        ws.send(c, b"a", 0)?;
        ws.send(c, b"b", 0)?;
        ws.closesocket(c)
    });
    let client: Side = Box::new(|ws, s| {
        assert_eq!(ws.send(s, b"one", 0), Ok(3));
        assert_eq!(ws.send(s, b"two", 0), Err(WsaError::WSAENOBUFS));
        assert_eq!(ws.wsa_get_last_error(), 10055);
        assert_eq!(ws.send(s, b"thr", 0), Ok(3));
        assert_eq!(common::recv_exact(ws, s, 2)?, b"ab");
        ws.closesocket(s)
    });
    ok(scenario(plan, server, client, true));
}

#[test]
fn fault_runs_replay() {
    // Proves: the same seed and plan (crash, partition, reset, drops) give the same trace.
    let plan: FaultPlan = "drop(any,1/4)+partition(192.0.2.1,192.0.2.2,500ms,900ms)+reset(all,3s)"
        .parse()
        .unwrap();
    let hashes: Vec<u64> = (0..2)
        .map(|_| {
            let server: Side = Box::new(|ws, c| {
                let mut buf = [0u8; 64];
                while let Ok(1..) = ws.recv(c, &mut buf, 0) {}
                ws.closesocket(c)
            });
            let client: Side = Box::new(|ws, s| {
                for _ in 0..40 {
                    if ws.send(s, &[7; 100], 0).is_err() {
                        break;
                    }
                    ws.sleep(100);
                }
                ws.closesocket(s)
            });
            ok(scenario(plan.clone(), server, client, false)).trace_hash
        })
        .collect();
    assert_eq!(hashes[0], hashes[1]);
}

#[test]
fn failure_timeline_marks_the_injected_faults() {
    // Proves: when a run fails after a fault, its report's timeline marks the fault's trace
    // line with "!!" and the report gives the plan in its one-line form and a replay command.
    let plan = FaultPlan::none().with(FaultRule::Reset {
        at: Duration::from_millis(500),
        scope: Scope::All,
    });
    let server: Side = Box::new(|ws, c| {
        let mut buf = [0u8; 8];
        ws.recv(c, &mut buf, 0).map(|_| ())
    });
    let client: Side = Box::new(|ws, s| {
        ws.sleep(1000);
        ws.send(s, b"x", 0).map(|_| ())
    });
    let err = scenario(plan, server, client, true).expect_err("the reset fails the client");
    let text = err.to_string();
    assert!(
        text.lines()
            .any(|l| l.starts_with("!!") && l.contains("fault: reset")),
        "{text}"
    );
    assert!(text.contains("fault plan: reset(all,500ms)"), "{text}");
    assert!(
        text.contains("WINSOCK_SIM_REPLAY='seed=3;plan=reset(all,500ms);"),
        "{text}"
    );
}

/// An echo server on `PORT` that serves one connection at a time until its peer leaves.
fn echo(ws: &SimWinsock) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
    ws.listen(l, SOMAXCONN)?;
    loop {
        let (c, _) = ws.accept(l)?;
        let mut buf = [0u8; 64];
        while let Ok(n @ 1..) = ws.recv(c, &mut buf, 0) {
            ws.send(c, &buf[..n], 0)?;
        }
        ws.closesocket(c)?;
    }
}

#[test]
fn restarted_host_runs_its_services_again() {
    // Proves: after a crash and restart, the threads registered with `on_restart` start
    // again with the port free: the old connection gets a RST (WSAECONNRESET), a new one is
    // served by the restarted server.
    let plan: FaultPlan = "crash(192.0.2.1,1s,1500ms)".parse().unwrap();
    let mut sim = Sim::builder().seed(9).faults(plan).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("echo", echo);
    server.on_restart("echo again", echo);
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4(SERVER, PORT))?;
        ws.send(s, b"before", 0)?;
        assert_eq!(common::recv_exact(ws, s, 6)?, b"before");
        ws.sleep(1200);
        ws.send(s, b"during", 0)?;
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(s, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        ws.closesocket(s)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4(SERVER, PORT))?;
        ws.send(s, b"after", 0)?;
        assert_eq!(common::recv_exact(ws, s, 5)?, b"after");
        ws.closesocket(s)
    });
    let report = ok(sim.run());
    assert!(report.threads.iter().any(|t| t.name == "echo again"));
}

#[test]
fn udp_datagram_duplicated_once() {
    // Proves: `seg(nth=1,all,data,duplicate)` delivers the first datagram twice and the
    // second once (UDP may duplicate; TCP segments are never duplicated).
    let plan: FaultPlan = "seg(nth=1,all,data,duplicate)".parse().unwrap();
    let mut sim = Sim::builder().seed(2).faults(plan).build();
    let rx = sim.host("rx", "192.0.2.1");
    let tx = sim.host("tx", "192.0.2.2");
    rx.spawn("rx", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(s, &SockAddr::v4([0, 0, 0, 0], 5000))?;
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        for _ in 0..3 {
            let (n, _) = ws.recvfrom(s, &mut buf, 0)?;
            got.push(buf[..n].to_vec());
        }
        assert_eq!(got, [b"one".to_vec(), b"one".to_vec(), b"two".to_vec()]);
        ws.closesocket(s)
    });
    tx.spawn("tx", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.sleep(10);
        ws.sendto(s, b"one", 0, &SockAddr::v4(SERVER, 5000))?;
        ws.sendto(s, b"two", 0, &SockAddr::v4(SERVER, 5000))?;
        ws.closesocket(s)
    });
    ok(sim.run());
}

#[test]
fn reset_scoped_to_one_host_spares_the_others() {
    // Proves: a Reset scoped to one client host resets that host's connection only: the other
    // client's connection to the same server keeps working.
    let plan: FaultPlan = "reset(host=192.0.2.2,1s)".parse().unwrap();
    let mut sim = Sim::builder().seed(5).faults(plan).build();
    sim.host("server", "192.0.2.1").spawn_daemon("echo", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, SOMAXCONN)?;
        loop {
            let (c, _) = ws.accept(l)?;
            ws.create_thread("conn", move |ws| {
                let mut buf = [0u8; 64];
                while let Ok(n @ 1..) = ws.recv(c, &mut buf, 0) {
                    ws.send(c, &buf[..n], 0)?;
                }
                ws.closesocket(c)
            })?;
        }
    });
    for (name, addr, reset) in [("hit", "192.0.2.2", true), ("spared", "192.0.2.3", false)] {
        sim.host(name, addr).spawn(name, move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.connect(s, &SockAddr::v4(SERVER, PORT))?;
            ws.sleep(1500);
            let r = ws.send(s, b"ping", 0);
            if reset {
                assert_eq!(r, Err(WsaError::WSAECONNRESET));
            } else {
                assert_eq!(r, Ok(4));
                assert_eq!(common::recv_exact(ws, s, 4)?, b"ping");
            }
            ws.closesocket(s)
        });
    }
    ok(sim.run());
}

#[test]
fn scheduled_loss_costs_one_retransmission_timeout() {
    // Proves: `seg(at=1s,all,data,drop)` loses the first data segment sent after 1 s once: it
    // arrives one RTO (300 ms) late, intact; data sent before 1 s is not touched.
    let plan: FaultPlan = "seg(at=1s,all,data,drop)".parse().unwrap();
    let server: Side = Box::new(|ws, c| {
        for _ in 0..2 {
            let got = common::recv_exact(ws, c, 4)?;
            ws.send(c, &got, 0)?;
        }
        ws.closesocket(c)
    });
    let client: Side = Box::new(|ws, s| {
        for (at, rtt) in [(500, 2), (1000, 302)] {
            ws.sleep(at - ws.get_tick_count() % 1000);
            let t0 = ws.get_tick_count();
            ws.send(s, b"ping", 0)?;
            assert_eq!(common::recv_exact(ws, s, 4)?, b"ping");
            assert_eq!(ws.get_tick_count() - t0, rtt);
        }
        ws.closesocket(s)
    });
    ok(scenario(plan, server, client, true));
}

#[test]
fn reset_syns_are_refused_as_by_a_full_backlog() {
    // Proves: `seg(rate=1/1,all,syn,reset)` answers every SYN with RST, as a listener with a
    // full accept backlog does: Windows retries twice (0.5 s, 1 s) and connect fails with
    // WSAECONNREFUSED after 1.5 s and three round trips.
    let plan: FaultPlan = "seg(rate=1/1,all,syn,reset)".parse().unwrap();
    let mut sim = Sim::builder().seed(1).faults(plan).build();
    sim.host("server", "192.0.2.1")
        .spawn_daemon("listener", |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
            ws.listen(l, SOMAXCONN)?;
            ws.accept(l).map(|_| ())
        });
    sim.host("client", "192.0.2.2").spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.connect(s, &SockAddr::v4(SERVER, PORT)),
            Err(WsaError::WSAECONNREFUSED)
        );
        assert_eq!(ws.get_tick_count() - t0, 1506);
        ws.closesocket(s)
    });
    ok(sim.run());
}

#[test]
fn jitter_spreads_latency_within_its_bound() {
    // Proves: `seg(rate=1/1,all,data,jitter=100ms)` adds between 0 and 100 ms to each data
    // segment (round trips of one-segment pings vary, stay within 2 + 200 ms), and bytes
    // arrive intact and in order.
    let plan: FaultPlan = "seg(rate=1/1,all,data,jitter=100ms)".parse().unwrap();
    let server: Side = Box::new(|ws, c| {
        for _ in 0..20 {
            let got = common::recv_exact(ws, c, 2)?;
            ws.send(c, &got, 0)?;
        }
        ws.closesocket(c)
    });
    let client: Side = Box::new(|ws, s| {
        let mut rtts = Vec::new();
        for i in 0..20u8 {
            let t0 = ws.get_tick_count();
            ws.send(s, &[i, i], 0)?;
            assert_eq!(common::recv_exact(ws, s, 2)?, [i, i]);
            rtts.push(ws.get_tick_count() - t0);
        }
        assert!(rtts.iter().all(|&r| (2..=202).contains(&r)), "{rtts:?}");
        assert!(rtts.iter().any(|&r| r != rtts[0]), "{rtts:?}");
        ws.closesocket(s)
    });
    ok(scenario(plan, server, client, true));
}
