//! TCP_MAXRT and TCP_MAXRTMS: how long a connection retransmits unacknowledged data before it
//! is dropped (Windows' counterpart of Linux's TCP_USER_TIMEOUT, which Cygwin and servers
//! that bound a dead peer's cost set). The options' values and lengths, their inheritance by
//! an accepted socket, and the drop itself: data sent into a partition that never heals is
//! given up at the first retransmission at or after the limit, instead of after Windows' five
//! retransmissions (18.9 s); -1 retransmits until the partition heals.
mod common;

use common::runtime::threaded_echo_server;

use std::net::IpAddr;
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{FaultPlan, FaultRule, Sim, SimWinsock};

const SERVER: [u8; 4] = [192, 0, 2, 1];
const CLIENT: [u8; 4] = [192, 0, 2, 2];
const PORT: u16 = 9000;

fn get(ws: &SimWinsock, s: Socket, name: i32) -> Result<i32, WsaError> {
    ws.getsockopt_i32(s, IPPROTO_TCP, name)
}

#[test]
fn values_lengths_and_inheritance() {
    // Proves: both read 0 until set (the sim's choice); TCP_MAXRTMS 1500 reads back as 1500
    // ms and 1 s; TCP_MAXRT 3 as 3000 ms; -1 reads -1 through both; a UDP socket has neither
    // (WSAENOPROTOOPT), a 2-byte value is WSAEFAULT; an accepted socket inherits the
    // listener's value.
    common::run(|ws| {
        let s = common::tcp(ws)?;
        assert_eq!((get(ws, s, TCP_MAXRT)?, get(ws, s, TCP_MAXRTMS)?), (0, 0));
        ws.setsockopt_i32(s, IPPROTO_TCP, TCP_MAXRTMS, 1500)?;
        assert_eq!(
            (get(ws, s, TCP_MAXRT)?, get(ws, s, TCP_MAXRTMS)?),
            (1, 1500)
        );
        ws.setsockopt_i32(s, IPPROTO_TCP, TCP_MAXRT, 3)?;
        assert_eq!(
            (get(ws, s, TCP_MAXRT)?, get(ws, s, TCP_MAXRTMS)?),
            (3, 3000)
        );
        ws.setsockopt_i32(s, IPPROTO_TCP, TCP_MAXRT, -1)?;
        assert_eq!((get(ws, s, TCP_MAXRT)?, get(ws, s, TCP_MAXRTMS)?), (-1, -1));
        assert_eq!(
            ws.setsockopt(s, IPPROTO_TCP, TCP_MAXRTMS, &[1, 0]),
            Err(WsaError::WSAEFAULT)
        );
        ws.closesocket(s)?;

        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        for name in [TCP_MAXRT, TCP_MAXRTMS] {
            assert_eq!(
                ws.setsockopt_i32(u, IPPROTO_TCP, name, 5),
                Err(WsaError::WSAENOPROTOOPT)
            );
            assert_eq!(get(ws, u, name), Err(WsaError::WSAENOPROTOOPT));
        }
        ws.closesocket(u)?;

        let (l, addr) = common::listener(ws, 5)?;
        ws.setsockopt_i32(l, IPPROTO_TCP, TCP_MAXRTMS, 2000)?;
        let c = common::tcp(ws)?;
        ws.connect(c, &addr)?;
        let (a, _) = ws.accept(l)?;
        assert_eq!(get(ws, a, TCP_MAXRTMS)?, 2000);
        assert_eq!(get(ws, c, TCP_MAXRTMS)?, 0);
        for s in [a, c, l] {
            ws.closesocket(s)?;
        }
        Ok(())
    });
}

/// A client that sets `name` to `value`, then sends "ping" into a partition (from 50 ms,
/// healing at `heal` if any) and waits for the echo: what its recv gave and after how long.
fn ping_into_partition(
    name: i32,
    value: i32,
    heal: Option<Duration>,
) -> (Result<usize, WsaError>, u32) {
    let plan = FaultPlan::none().with(FaultRule::Partition {
        a: vec![IpAddr::from(SERVER)],
        b: vec![IpAddr::from(CLIENT)],
        from: Duration::from_millis(50),
        until: heal,
    });
    against_echo_server(plan, 7, move |ws| {
        let so = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(so, &SockAddr::v4(SERVER, PORT))?;
        if name != 0 {
            ws.setsockopt_i32(so, IPPROTO_TCP, name, value)?;
        }
        ws.sleep(100);
        let t0 = ws.get_tick_count();
        ws.send(so, b"ping", 0)?;
        let mut buf = [0u8; 8];
        let r = ws.recv(so, &mut buf, 0);
        let took = ws.get_tick_count() - t0;
        if r.is_err() {
            assert_eq!(ws.send(so, b"x", 0), Err(WsaError::WSAETIMEDOUT));
        }
        ws.closesocket(so)?;
        Ok((r, took))
    })
}

/// Runs `client` on 192.0.2.2 (after WSAStartup) against a thread-per-connection echo server
/// on 192.0.2.1:`PORT`, under `plan` with `seed`: what `client` returned.
fn against_echo_server<T: Send + 'static>(
    plan: FaultPlan,
    seed: u64,
    client: impl FnOnce(&SimWinsock) -> Result<T, WsaError> + Send + 'static,
) -> T {
    let out = std::sync::Arc::new(parking_lot::Mutex::new(None));
    let got = out.clone();
    let mut sim = Sim::builder().seed(seed).faults(plan).build();
    sim.host("server", "192.0.2.1")
        .spawn_daemon("server", |ws| threaded_echo_server(ws, PORT));
    sim.host("client", "192.0.2.2").spawn("client", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        *got.lock() = Some(client(ws)?);
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let r = out.lock().take();
    r.expect("the client ran")
}

#[test]
fn a_lasting_partition_drops_the_connection_at_the_limit() {
    // Proves: with the RTO at 300 ms the retransmissions fall at 0.3, 0.9, 2.1, 4.5, 9.3 s
    // after the send; TCP_MAXRTMS 1000 drops the connection at 2.1 s (the first one past
    // 1 s), TCP_MAXRT 5 at 9.3 s, TCP_MAXRTMS 900 at 0.9 s (one falling on the limit is not
    // made); unset, or 0, Windows' five retransmissions give 18.9 s. The blocked recv and a
    // later send fail with WSAETIMEDOUT each time.
    for (name, value, ms) in [
        (TCP_MAXRTMS, 1000, 2_100),
        (TCP_MAXRT, 5, 9_300),
        (TCP_MAXRTMS, 900, 900),
        (TCP_MAXRT, 0, 18_900),
        (0, 0, 18_900),
    ] {
        assert_eq!(
            ping_into_partition(name, value, None),
            (Err(WsaError::WSAETIMEDOUT), ms),
            "option {name} = {value}"
        );
    }
}

#[test]
fn minus_one_retransmits_until_the_partition_heals() {
    // Proves: with TCP_MAXRT -1 the data sent into a partition that heals at 40 s is not
    // given up at 18.9 s: it is retransmitted until the first retransmission after the heal
    // (76.5 s after the send) gets through, and the echo comes back.
    let (r, ms) = ping_into_partition(TCP_MAXRT, -1, Some(Duration::from_secs(40)));
    assert_eq!(r, Ok(4));
    assert!((76_500..76_600).contains(&ms), "the echo took {ms} ms");
    let (r, ms) = ping_into_partition(0, 0, Some(Duration::from_secs(40)));
    assert_eq!((r, ms), (Err(WsaError::WSAETIMEDOUT), 18_900));
}

/// A client on 192.0.2.2 connecting to 192.0.2.1:`port` after `setup`, under `plan`: the
/// connect's result and how long it took.
fn timed_connect(
    plan: FaultPlan,
    port: u16,
    setup: impl FnOnce(&SimWinsock, Socket) -> Result<(), WsaError> + Send + 'static,
) -> (Result<(), WsaError>, u32) {
    against_echo_server(plan, 9, move |ws| {
        let so = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        setup(ws, so)?;
        let t0 = ws.get_tick_count();
        let r = ws.connect(so, &SockAddr::v4(SERVER, port));
        let took = ws.get_tick_count() - t0;
        ws.closesocket(so)?;
        Ok((r, took))
    })
}

#[test]
fn set_before_connect_it_bounds_the_attempt() {
    // Proves (nmap's measurements of Windows, nmap issue #2113): TCP_MAXRT set before connect
    // bounds the whole attempt. SYNs that get no answer: TCP_MAXRTMS 5000 fails the connect
    // with WSAETIMEDOUT at 5 s, not after the SYN retransmissions' 21 s; a port nobody
    // listens on: 700 ms ends the RST retries (0.5 s, then 1 s) with WSAETIMEDOUT, not
    // WSAECONNREFUSED (unbounded: three SYNs of 2-ms round trips and the retries, 1.506 s);
    // a bound longer than the SYNs' 21 s, or -1, leaves them their 21 s.
    let no_syns = || {
        FaultPlan::none().with(FaultRule::Drop {
            filter: winsock_sim::sim::SegmentFilter::Syn,
            num: 1,
            den: 1,
        })
    };
    let with = |name: i32, v: i32| {
        move |ws: &SimWinsock, s: Socket| ws.setsockopt_i32(s, IPPROTO_TCP, name, v)
    };
    assert_eq!(
        timed_connect(no_syns(), PORT, with(TCP_MAXRTMS, 5_000)),
        (Err(WsaError::WSAETIMEDOUT), 5_000)
    );
    assert_eq!(
        timed_connect(FaultPlan::none(), PORT + 1, with(TCP_MAXRTMS, 700)),
        (Err(WsaError::WSAETIMEDOUT), 700)
    );
    assert_eq!(
        timed_connect(FaultPlan::none(), PORT + 1, with(TCP_MAXRT, -1)),
        (Err(WsaError::WSAECONNREFUSED), 1_506)
    );
    for (name, v) in [(TCP_MAXRT, 30), (TCP_MAXRT, -1), (TCP_MAXRTMS, 0)] {
        assert_eq!(
            timed_connect(no_syns(), PORT, with(name, v)),
            (Err(WsaError::WSAETIMEDOUT), 21_000),
            "option {name} = {v}"
        );
    }
    // A bound the handshake beats changes nothing.
    assert_eq!(
        timed_connect(FaultPlan::none(), PORT, with(TCP_MAXRTMS, 100)),
        (Ok(()), 2)
    );
}
