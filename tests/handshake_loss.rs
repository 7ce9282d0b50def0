//! A handshake segment lost: no round trip is known yet, so Windows waits its initial RTO
//! (3 s) before the SYN-ACK goes again, as it does before a SYN goes again. A lost SYN-ACK
//! costs the client's connect about 3 s; a lost ACK of the SYN-ACK costs a server that speaks
//! first (a greeting, a game server's hello) about 3 s before its accept returns, and nothing
//! when the client speaks first (its data carries the ACK). The simulator retransmitted them
//! after the data RTO (300 ms) until this stop. SIO_TCP_INITIAL_RTO on the listener times its
//! SYN-ACKs ("SYN / SYN+ACK", its documentation).
mod common;

use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::{FaultPlan, FaultRule, Scope, SegmentAction, SegmentFilter, Sim, When};

const PORT: u16 = 9100;

/// The plan that drops the `n`-th segment of the run (1: the SYN, 2: the SYN-ACK, 3: the
/// client's ACK of it).
fn drop_nth(n: u64) -> FaultPlan {
    FaultPlan::none().with(FaultRule::Segment {
        when: When::Nth(n),
        scope: Scope::All,
        filter: SegmentFilter::Any,
        action: SegmentAction::Drop,
    })
}

/// Virtual milliseconds at which: the client's connect returned, the server's accept
/// returned, the client had the server's greeting (or the server the client's ping, when
/// `client_first`). The server's listener gets SIO_TCP_INITIAL_RTO `rtt` if given.
fn handshake(plan: FaultPlan, client_first: bool, rtt: Option<u16>) -> (u32, u32, u32) {
    let times = Arc::new(parking_lot::Mutex::new((0, 0, 0)));
    let (t_srv, t_cli) = (times.clone(), times.clone());
    let mut sim = Sim::builder().seed(4).faults(plan).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn("server", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        if let Some(rtt) = rtt {
            let p = TcpInitialRtoParameters {
                rtt,
                max_syn_retransmissions: 0,
            };
            ws.wsa_ioctl(l, SIO_TCP_INITIAL_RTO, &p.to_bytes(), &mut [])?;
        }
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, 5)?;
        let (c, _) = ws.accept(l)?;
        t_srv.lock().1 = ws.get_tick_count();
        if client_first {
            assert_eq!(common::recv_exact(ws, c, 4)?, b"ping");
            t_srv.lock().2 = ws.get_tick_count();
        } else {
            ws.send(c, b"hello", 0)?;
        }
        ws.sleep(100);
        ws.closesocket(c)?;
        ws.closesocket(l)
    });
    client.spawn("client", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        t_cli.lock().0 = ws.get_tick_count();
        if client_first {
            ws.send(s, b"ping", 0)?;
        } else {
            assert_eq!(common::recv_exact(ws, s, 5)?, b"hello");
            t_cli.lock().2 = ws.get_tick_count();
        }
        ws.sleep(200);
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let t = *times.lock();
    t
}

#[test]
fn no_loss_takes_the_round_trips() {
    // Proves the baseline: 1-ms links, the connect returns at 2 ms, the accept at 3 ms, the
    // greeting arrives at 4 ms.
    assert_eq!(handshake(FaultPlan::none(), false, None), (2, 3, 4));
}

#[test]
fn a_lost_syn_ack_costs_the_initial_rto() {
    // Proves: the SYN-ACK lost, the next goes 3 s later (the listener's retransmission and
    // the client's SYN retransmission fall due together): the connect returns at 3,002 ms.
    let (connect, accept, hello) = handshake(drop_nth(2), false, None);
    assert_eq!(connect, 3_002);
    assert_eq!((accept, hello), (3_003, 3_004));
}

#[test]
fn a_lost_ack_delays_a_server_that_speaks_first_not_one_that_listens_first() {
    // Proves: the client's ACK lost, the client is connected at 2 ms but the server's accept
    // waits for the SYN-ACK's retransmission 3 s on (3,003 ms), so its greeting arrives at
    // 3,004 ms; a client that sends first completes the handshake with its data (the
    // server's accept and the ping at 3 ms).
    assert_eq!(handshake(drop_nth(3), false, None), (2, 3_003, 3_004));
    assert_eq!(handshake(drop_nth(3), true, None), (2, 3, 3));
}

#[test]
fn the_listener_s_initial_rto_times_its_syn_ack() {
    // Proves: SIO_TCP_INITIAL_RTO Rtt 100 ms on the listener makes its SYN-ACK's
    // retransmission wait 300 ms (three times Rtt): with the SYN-ACK lost the client's
    // connect returns at 302 ms, before its own SYN retransmission (3 s).
    let (connect, _, _) = handshake(drop_nth(2), false, Some(100));
    assert_eq!(connect, 302);
}

#[test]
fn the_same_plan_gives_the_same_times() {
    // Proves the run is a function of the seed and the plan.
    let a = handshake(drop_nth(2), false, None);
    assert_eq!(a, handshake(drop_nth(2), false, None));
}

#[test]
fn a_half_open_connection_whose_syn_acks_all_go_unanswered_frees_its_backlog_place() {
    // Proves: every segment from the server to one client lost, that client's connect times
    // out (21 s) and the listener drops its half-open connection after its SYN-ACK
    // retransmissions (3 + 6 + 12 s), so its one backlog place is free again: a second
    // client, connecting at 30 s, is accepted. (Before, the half-open connection stayed and
    // the second client was refused.)
    let plan = FaultPlan::none().with(FaultRule::Segment {
        when: When::Rate { num: 1, den: 1 },
        scope: Scope::Link([192, 0, 2, 1].into(), [192, 0, 2, 2].into()),
        filter: SegmentFilter::Any,
        action: SegmentAction::Drop,
    });
    let mut sim = Sim::builder().seed(6).faults(plan).build();
    let server = sim.host("server", "192.0.2.1");
    let first = sim.host("first", "192.0.2.2");
    let second = sim.host("second", "192.0.2.3");
    server.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, 1)?;
        loop {
            let (c, _) = ws.accept(l)?;
            ws.send(c, b"hello", 0)?;
        }
    });
    first.spawn("first", |ws| {
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
    second.spawn("second", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.sleep(30_000);
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        assert_eq!(common::recv_exact(ws, s, 5)?, b"hello");
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}
