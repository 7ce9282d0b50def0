//! The DESIGN's property: a correct echo server and clients survive any plan of
//! `FaultPlan::tcp_strategy()` (delays, lost segments), and a (seed, plan) pair replays.
mod common;

use proptest::prelude::*;
use winsock_sim::prelude::*;
use winsock_sim::sim::{FaultPlan, Report, Sim, SimError};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

fn echo_server<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 9000))?;
    ws.listen(l, SOMAXCONN)?;
    loop {
        let (c, _) = ws.accept(l)?;
        ws.create_thread("conn", move |ws| {
            let mut buf = [0u8; 2048];
            loop {
                match ws.recv(c, &mut buf, 0) {
                    Ok(0) | Err(WsaError::WSAECONNRESET) => break,
                    Ok(n) => {
                        ws.send(c, &buf[..n], 0)?;
                    }
                    Err(e) => return Err(e),
                }
            }
            ws.closesocket(c)
        })?;
    }
}

fn client<W: Winsock>(ws: &W, id: usize, sizes: &[usize]) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    // A lost SYN can make a connect time out: a robust client tries again.
    let s = loop {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        match ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 9000)) {
            Ok(()) => break s,
            Err(WsaError::WSAETIMEDOUT | WsaError::WSAECONNREFUSED) => ws.closesocket(s)?,
            Err(e) => return Err(e),
        }
    };
    for (m, &len) in sizes.iter().enumerate() {
        let msg: Vec<u8> = (0..len).map(|i| (i * 13 + id * 7 + m) as u8).collect();
        ws.send(s, &msg, 0)?;
        let back = common::recv_exact(ws, s, len)?;
        assert_eq!(back, msg, "client {id} message {m}");
    }
    ws.closesocket(s)
}

fn run(seed: u64, plan: FaultPlan, sizes: Vec<Vec<usize>>) -> Result<Report, SimError> {
    let mut sim = Sim::builder().seed(seed).faults(plan).build();
    let server = sim.host("server", "192.0.2.1");
    let clients = sim.host("clients", "192.0.2.2");
    server.spawn_daemon("echo", echo_server);
    for (id, s) in sizes.into_iter().enumerate() {
        clients.spawn(&format!("client-{id}"), move |ws| client(ws, id, &s));
    }
    sim.run()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn echo_survives_faults(
        seed in any::<u64>(),
        plan in FaultPlan::tcp_strategy(),
        sizes in proptest::collection::vec(proptest::collection::vec(1usize..5000, 1..5), 1..4),
    ) {
        let a = run(seed, plan.clone(), sizes.clone());
        let a = match a {
            Ok(r) => r,
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        let b = run(seed, plan, sizes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(a.trace_hash, b.trace_hash, "(seed, plan) replays");
    }
}

#[test]
fn delays_and_losses_cost_virtual_time_only() {
    // Proves: a plan that delays every data segment by 50 ms makes the same exchange take
    // longer in virtual time, with the same bytes delivered.
    use winsock_sim::sim::{FaultRule, SegmentFilter};
    let sizes = vec![vec![100, 2000, 10]];
    let calm = run(1, FaultPlan::none(), sizes.clone()).expect("calm run");
    let slow = run(
        1,
        FaultPlan::none().with(FaultRule::Delay {
            filter: SegmentFilter::Data,
            num: 1,
            den: 1,
            extra: std::time::Duration::from_millis(50),
        }),
        sizes,
    )
    .expect("slow run");
    assert!(slow.virtual_time >= calm.virtual_time + std::time::Duration::from_millis(300));
    assert_eq!(calm.stats.bytes, slow.stats.bytes);
}
