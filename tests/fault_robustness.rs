//! The simulator under hostile fault plans: it ends every run, never panics, delivers only
//! bytes that were sent, and replays the same trace from the same seed and plan.
mod common;

use std::net::IpAddr;
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{FaultPlan, Report, Sim, SimError, SimWinsock};

const SERVER: [u8; 4] = [192, 0, 2, 1];
const CLIENT: [u8; 4] = [192, 0, 2, 2];
const PORT: u16 = 9000;

fn ip(a: [u8; 4]) -> IpAddr {
    IpAddr::from(a)
}

/// An echo server on `PORT` that serves one connection at a time until its peer leaves
/// (with `keepalive`, probing each idle connection after 300 ms, every 100 ms).
fn echo(ws: &SimWinsock, keepalive: bool) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
    ws.listen(l, SOMAXCONN)?;
    loop {
        let (c, _) = ws.accept(l)?;
        if keepalive {
            let vals = TcpKeepalive {
                onoff: 1,
                keepalivetime: 300,
                keepaliveinterval: 100,
            };
            ws.wsa_ioctl(c, SIO_KEEPALIVE_VALS, &vals.to_bytes(), &mut [])?;
        }
        let mut buf = [0u8; 64];
        while let Ok(n @ 1..) = ws.recv(c, &mut buf, 0) {
            ws.send(c, &buf[..n], 0)?;
        }
        ws.closesocket(c)?;
    }
}

#[test]
fn extreme_plans_neither_panic_nor_hang() {
    // Proves: rules with zero denominators, a zeroth event, times near the limit and a
    // latency of years run to an ordinary end (bad input never panics or hangs).
    let plan: FaultPlan = "drop(any,1/0)+seg(nth=0,all,any,drop)+reset(all,100000000s)\
        +crash(192.0.2.9,0ns,-)+partition(192.0.2.1,192.0.2.2,100000000s,-)"
        .parse()
        .unwrap();
    let mut sim = Sim::builder()
        .seed(1)
        .faults(plan)
        .latency(Duration::from_secs(10_000_000_000))
        .time_limit(Duration::from_secs(1_000_000_000))
        .build();
    let s = sim.host("server", "192.0.2.1");
    let c = sim.host("client", "192.0.2.2");
    s.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, SOMAXCONN)?;
        ws.accept(l).map(|_| ())
    });
    c.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let _ = ws.connect(s, &SockAddr::v4(SERVER, PORT));
        let _ = ws.send(s, b"x", 0);
        ws.closesocket(s)
    });
    // Whatever the outcome, it comes back.
    let _ = sim.run();
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// Echo traffic from two clients that take every error in stride, under `plan` (the
/// server probing idle connections when `keepalive`; the clients' TCP_MAXRTMS set to
/// `max_rt_ms` unless 0, -1 retransmitting forever).
fn tolerant_run(
    seed: u64,
    plan: FaultPlan,
    keepalive: bool,
    max_rt_ms: i32,
) -> Result<Report, SimError> {
    let mut sim = Sim::builder().seed(seed).faults(plan).build();
    let server = sim.host("server", "192.0.2.1");
    server.spawn_daemon("echo", move |ws| {
        let _ = echo(ws, keepalive);
        Ok(())
    });
    server.on_restart("echo again", move |ws| {
        let _ = echo(ws, keepalive);
        Ok(())
    });
    for (i, addr) in ["192.0.2.2", "192.0.2.3"].into_iter().enumerate() {
        sim.host(&format!("client{i}"), addr)
            .spawn("client", move |ws| {
                let go = || -> Result<(), WsaError> {
                    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
                    for round in 0..3 {
                        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
                        if max_rt_ms != 0 {
                            ws.setsockopt_i32(s, IPPROTO_TCP, TCP_MAXRTMS, max_rt_ms)?;
                        }
                        if ws.connect(s, &SockAddr::v4(SERVER, PORT)).is_ok() {
                            let msg = vec![round as u8; 700 * (i + 1)];
                            if ws.send(s, &msg, 0).is_ok() {
                                // The server may close early (an injected error): what
                                // comes back is then a prefix of what was sent.
                                if let Ok(back) = common::recv_exact(ws, s, msg.len()) {
                                    assert!(msg.starts_with(&back), "bytes are never corrupted");
                                }
                            }
                        }
                        let _ = ws.closesocket(s);
                        ws.sleep(400);
                    }
                    Ok(())
                };
                let _ = go();
                Ok(())
            });
    }
    sim.run()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(cases()))]

    #[test]
    fn hostile_plans_never_break_the_simulator(
        seed in proptest::prelude::any::<u64>(),
        plan in FaultPlan::hostile_strategy(
            vec![ip(SERVER), ip(CLIENT), ip([192, 0, 2, 3])],
            3_000,
        ),
        keepalive in proptest::prelude::any::<bool>(),
        max_rt_ms in proptest::prop_oneof![
            proptest::strategy::Just(0),
            proptest::strategy::Just(-1),
            1..3_000i32
        ],
    ) {
        // Proves: under any hostile plan (resets, partitions, crashes and restarts, failing
        // calls, losses) the simulator ends every run, delivers only the bytes sent, and
        // replays the same trace from the same seed and plan; with the server's keep-alive
        // probing its idle connections too, and the clients' retransmissions bounded by
        // TCP_MAXRTMS or unbounded.
        let a = tolerant_run(seed, plan.clone(), keepalive, max_rt_ms);
        let b = tolerant_run(seed, plan, keepalive, max_rt_ms);
        let hash = |r: &Result<Report, SimError>| match r {
            Ok(r) => r.trace_hash,
            Err(e) => e.trace_hash,
        };
        if let Err(e) = &a {
            proptest::prop_assert!(
                e.kind != winsock_sim::sim::SimErrorKind::Panic,
                "{}", e
            );
        }
        proptest::prop_assert_eq!(hash(&a), hash(&b));
    }
}
