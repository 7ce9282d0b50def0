//! The DESIGN's property: a correct echo server and clients survive any plan of
//! `FaultPlan::tcp_strategy()` (delays, lost segments), and of
//! `FaultPlan::survivable_strategy()` (those with stalled threads and the API's own faults),
//! and a (seed, plan) pair replays.
//! Survive: every client finishes, or a connection is given up (WSAETIMEDOUT) because the
//! plan lost one of its segments six times in a row, as Windows gives one up; the strategy
//! makes that about one segment in 17 million.
mod common;

use proptest::prelude::*;
use winsock_sim::prelude::*;
use winsock_sim::sim::trace::TraceKind;
use winsock_sim::sim::{FaultPlan, Report, Sim, SimError, SimErrorKind, ThreadOutcome};

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
        let a = survived(run(seed, plan.clone(), sizes.clone()))?;
        let b = survived(run(seed, plan, sizes))?;
        prop_assert_eq!(a, b, "(seed, plan) replays");
    }

    #[test]
    fn echo_survives_what_windows_may_do(
        seed in any::<u64>(),
        plan in FaultPlan::survivable_strategy(),
        sizes in proptest::collection::vec(proptest::collection::vec(1usize..5000, 1..5), 1..4),
    ) {
        // Proves: the same echo survives the delays and losses together with threads stalled
        // before their calls (and the rules for nonblocking and overlapped calls, which this
        // blocking program never meets), and the run replays.
        let a = survived(run(seed, plan.clone(), sizes.clone()))?;
        let b = survived(run(seed, plan, sizes))?;
        prop_assert_eq!(a, b, "(seed, plan) replays");
    }
}

/// The run's trace hash if the echo survived: every client finished, or one failed with
/// WSAETIMEDOUT because the plan lost a segment six times in a row and the connection was
/// given up, as Windows gives it up (`tcp_strategy` makes that about one segment in 17
/// million, not never: 300,000 cases met it once). Any other failure fails the case.
fn survived(r: Result<Report, SimError>) -> Result<u64, TestCaseError> {
    let e = match r {
        Ok(r) => return Ok(r.trace_hash),
        Err(e) => e,
    };
    let timed_out = e.kind == SimErrorKind::ThreadFailed
        && !e.threads.iter().any(
            |t| matches!(t.outcome, ThreadOutcome::Err(code) if code != WsaError::WSAETIMEDOUT),
        );
    let given_up = e
        .picture
        .records
        .iter()
        .any(|r| r.kind == TraceKind::Fault("connection given up"));
    if timed_out && given_up {
        Ok(e.trace_hash)
    } else {
        Err(TestCaseError::fail(e.to_string()))
    }
}

#[test]
fn a_connection_given_up_is_the_one_failure_survived() {
    // Proves: the property's one allowed failure is recognised (a plan that loses every
    // data segment: the client's recv fails with WSAETIMEDOUT after the plan's "connection
    // given up"), and only that one: the same run with its client panicking instead, and a
    // clean run, are told apart. (300,000 cases found one such run under drop(data,2/32);
    // losing every data segment gives it up whatever the seed.)
    use winsock_sim::sim::{FaultRule, SegmentFilter};
    let plan = FaultPlan::none().with(FaultRule::Drop {
        filter: SegmentFilter::Data,
        num: 1,
        den: 1,
    });
    let seed = 5_399_088_089_446_243_300;
    let r = run(seed, plan.clone(), vec![vec![4381, 1, 1, 1]]);
    let e = r.as_ref().expect_err("the plan gives the connection up");
    assert_eq!(e.kind, SimErrorKind::ThreadFailed);
    assert!(e.to_string().contains("connection given up"), "{e}");
    assert!(survived(r).is_ok());
    assert!(survived(run(1, FaultPlan::none(), vec![vec![10]])).is_ok());
    let mut sim = Sim::builder().seed(seed).faults(plan).build();
    sim.host("server", "192.0.2.1")
        .spawn_daemon("echo", echo_server);
    sim.host("clients", "192.0.2.2").spawn("client-0", |ws| {
        client(ws, 0, &[4381, 1, 1, 1]).map_err(|e| panic!("client failed: {e}"))
    });
    let panicked = sim.run();
    assert!(matches!(&panicked, Err(e) if e.kind == SimErrorKind::Panic));
    assert!(survived(panicked).is_err());
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
