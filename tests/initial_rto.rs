//! SIO_TCP_INITIAL_RTO: a socket's initial round-trip estimate (`Rtt`, whose first SYN
//! timeout is three times it) and how many SYNs may follow the first
//! (`MaxSynRetransmissions`), for the connection attempts begun after it. The SYN timeouts
//! of a connect to a host that never answers follow them (3 × Rtt, then doubled, at most
//! 60 s), and so do the retries after an RST: with TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS a connect to a
//! port nobody listens on fails at once instead of after 1.5 s, as libuv, Go and curl rely on
//! for loopback. Checked in the ways a program waits for a connect: a blocking connect, a
//! nonblocking one with select, WSAEventSelect's FD_CONNECT and ConnectEx.
mod common;

use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{FaultPlan, FaultRule, SegmentFilter, Sim, SimWinsock};

/// SIO_TCP_INITIAL_RTO on `s` with these two fields.
fn initial_rto(ws: &SimWinsock, s: Socket, rtt: u16, max: u8) -> Result<usize, WsaError> {
    let p = TcpInitialRtoParameters {
        rtt,
        max_syn_retransmissions: max,
    };
    ws.wsa_ioctl(s, SIO_TCP_INITIAL_RTO, &p.to_bytes(), &mut [])
}

/// MaxSynRetransmissions' "none", as C's assignment of the USHORT constant leaves it.
const NO_SYN: u8 = (TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS & 0xFF) as u8;

/// A blocking connect's result and the milliseconds of virtual time it took.
fn timed_connect(ws: &SimWinsock, s: Socket, to: &SockAddr) -> (Result<(), WsaError>, u32) {
    let t0 = ws.get_tick_count();
    let r = ws.connect(s, to);
    (r, ws.get_tick_count() - t0)
}

#[test]
fn no_syn_retransmissions_refuses_at_once_in_every_model() {
    // Proves: a refused loopback connect takes Windows' two RST retries (0.5 s, then 1 s) by
    // default, and none after {UNSPECIFIED_RTT, NO_SYN_RETRANSMISSIONS} (libuv's
    // uv__tcp_try_connect): blocking connect, nonblocking connect seen by select, FD_CONNECT
    // and ConnectEx all learn WSAECONNREFUSED at the instant the RST arrives.
    common::run(|ws| {
        let dead = common::closed_port(ws)?;
        let s = common::tcp(ws)?;
        assert_eq!(
            timed_connect(ws, s, &dead),
            (Err(WsaError::WSAECONNREFUSED), 1_500)
        );
        ws.closesocket(s)?;

        let s = common::tcp(ws)?;
        assert_eq!(
            initial_rto(ws, s, TCP_INITIAL_RTO_UNSPECIFIED_RTT, NO_SYN),
            Ok(0)
        );
        assert_eq!(
            timed_connect(ws, s, &dead),
            (Err(WsaError::WSAECONNREFUSED), 0)
        );
        // A failed connect may be retried on the same socket: the setting still holds.
        assert_eq!(
            timed_connect(ws, s, &dead),
            (Err(WsaError::WSAECONNREFUSED), 0)
        );
        ws.closesocket(s)?;

        // Nonblocking, with select: the socket is in exceptfds with SO_ERROR set.
        let s = common::tcp(ws)?;
        initial_rto(ws, s, TCP_INITIAL_RTO_UNSPECIFIED_RTT, NO_SYN)?;
        ws.set_nonblocking(s, true)?;
        let t0 = ws.get_tick_count();
        assert_eq!(ws.connect(s, &dead), Err(WsaError::WSAEWOULDBLOCK));
        let mut w = FdSet::from_array(&[s]);
        let mut x = FdSet::from_array(&[s]);
        let n = ws.select(
            None,
            Some(&mut w),
            Some(&mut x),
            Some(Duration::from_secs(5)),
        )?;
        assert_eq!((n, w.len(), x.is_set(s)), (1, 0, true));
        assert_eq!(ws.get_tick_count() - t0, 0);
        assert_eq!(
            ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR),
            Ok(WsaError::WSAECONNREFUSED.code())
        );
        ws.closesocket(s)?;

        // WSAEventSelect: FD_CONNECT carries WSAECONNREFUSED.
        let s = common::tcp(ws)?;
        initial_rto(ws, s, TCP_INITIAL_RTO_UNSPECIFIED_RTT, NO_SYN)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, ev, FD_CONNECT)?;
        let t0 = ws.get_tick_count();
        assert_eq!(ws.connect(s, &dead), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(ws.wait_for_single_object(ev.into(), 5_000)?, WAIT_OBJECT_0);
        assert_eq!(ws.get_tick_count() - t0, 0);
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events & FD_CONNECT, FD_CONNECT);
        assert_eq!(
            ne.error_code[FD_CONNECT_BIT],
            WsaError::WSAECONNREFUSED.code()
        );
        ws.closesocket(s)?;

        // ConnectEx: pends, then completes refused.
        let s = common::tcp(ws)?;
        ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
        initial_rto(ws, s, TCP_INITIAL_RTO_UNSPECIFIED_RTT, NO_SYN)?;
        let ov = Overlapped::with_event(1, ev);
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.connect_ex(s, &dead, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(ws.wait_for_single_object(ev.into(), 5_000)?, WAIT_OBJECT_0);
        assert_eq!(ws.get_tick_count() - t0, 0);
        let done = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!(done.error, Some(WsaError::WSAECONNREFUSED));
        ws.wsa_close_event(ev)?;
        ws.closesocket(s)
    });
}

#[test]
fn rst_retries_count_against_max_syn_retransmissions() {
    // Proves: each retry after an RST is one of the SYN retransmissions the socket allows:
    // one retry fails after 0.5 s, three after 0.5 + 1 + 2 s; the default and the
    // "unspecified" value keep Windows' two (1.5 s).
    common::run(|ws| {
        let dead = common::closed_port(ws)?;
        for (max, ms) in [
            (1, 500),
            (3, 3_500),
            (TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS, 1_500),
            (TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS, 1_500),
        ] {
            let s = common::tcp(ws)?;
            initial_rto(ws, s, TCP_INITIAL_RTO_DEFAULT_RTT, max)?;
            assert_eq!(
                timed_connect(ws, s, &dead),
                (Err(WsaError::WSAECONNREFUSED), ms),
                "MaxSynRetransmissions {max}"
            );
            ws.closesocket(s)?;
        }
        Ok(())
    });
}

/// A client connecting to a server whose host never sees a SYN (the fault plan drops them
/// all), after `setup` on the socket: the connect's result and how long it took.
fn unanswered_connect(
    setup: impl FnOnce(&SimWinsock, Socket) -> Result<(), WsaError> + Send + 'static,
) -> (Result<(), WsaError>, u32) {
    let plan = FaultPlan::none().with(FaultRule::Drop {
        filter: SegmentFilter::Syn,
        num: 1,
        den: 1,
    });
    let out = std::sync::Arc::new(parking_lot::Mutex::new(None));
    let got = out.clone();
    let mut sim = Sim::builder().seed(3).faults(plan).build();
    let _server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    client.spawn("client", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        setup(ws, s)?;
        *got.lock() = Some(timed_connect(ws, s, &SockAddr::v4([192, 0, 2, 1], 80)));
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let r = out.lock().take();
    r.expect("the client ran")
}

#[test]
fn syn_timeouts_follow_rtt_and_max_syn_retransmissions() {
    // Proves: the first SYN waits three times Rtt (RFC 6298's first RTO, as nmap measured on
    // Windows), each retransmission twice the one before, at most 60 s, and the connect
    // fails with WSAETIMEDOUT after the last: Rtt 100 ms with one retransmission is 300 +
    // 600 ms; with none, 300 ms; Rtt 0 (the default RTO, 3 s) with one, 3 + 6 s; 500 ms
    // with four, 1.5 + 3 + 6 + 12 + 24 s; the default 3 s with six, 3 + 6 + 12 + 24 + 48 +
    // 60 + 60 s (the cap); Rtt 65,534 ms, a first wait of 60 s. The defaults and the
    // "unspecified" values keep Windows' 21 s.
    let cases: [(u16, u8, u32); 9] = [
        (100, 1, 900),
        (100, NO_SYN, 300),
        (TCP_INITIAL_RTO_DEFAULT_RTT, 1, 9_000),
        (500, 4, 46_500),
        (TCP_INITIAL_RTO_DEFAULT_RTT, 6, 213_000),
        (250, TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS, 5_250),
        (
            TCP_INITIAL_RTO_DEFAULT_RTT,
            TCP_INITIAL_RTO_DEFAULT_MAX_SYN_RETRANSMISSIONS,
            21_000,
        ),
        (
            TCP_INITIAL_RTO_UNSPECIFIED_RTT,
            TCP_INITIAL_RTO_UNSPECIFIED_MAX_SYN_RETRANSMISSIONS,
            21_000,
        ),
        (TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS, NO_SYN, 60_000),
    ];
    for (rtt, max, ms) in cases {
        let got = unanswered_connect(move |ws, s| initial_rto(ws, s, rtt, max).map(drop));
        assert_eq!(
            got,
            (Err(WsaError::WSAETIMEDOUT), ms),
            "Rtt {rtt}, Max {max}"
        );
    }
    let plain = unanswered_connect(|_, _| Ok(()));
    assert_eq!(plain, (Err(WsaError::WSAETIMEDOUT), 21_000));
}

#[test]
fn a_setting_made_during_a_connect_holds_for_the_next_attempt() {
    // Proves (the structure's documentation: "for subsequent connection attempts"): set
    // while a nonblocking connect's SYN is out, the values leave that attempt's timeouts
    // alone (21 s), and time the socket's next connect (300 ms: three times Rtt 100).
    let got = unanswered_connect(|ws, s| {
        ws.set_nonblocking(s, true)?;
        let to = SockAddr::v4([192, 0, 2, 1], 80);
        let t0 = ws.get_tick_count();
        assert_eq!(ws.connect(s, &to), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(initial_rto(ws, s, 100, NO_SYN), Ok(0));
        let mut x = FdSet::from_array(&[s]);
        assert_eq!(ws.select(None, None, Some(&mut x), None), Ok(1));
        assert_eq!(ws.get_tick_count() - t0, 21_000);
        assert_eq!(
            ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR),
            Ok(WsaError::WSAETIMEDOUT.code())
        );
        ws.set_nonblocking(s, false)
    });
    assert_eq!(got, (Err(WsaError::WSAETIMEDOUT), 300));
}

#[test]
fn bad_input_and_other_sockets() {
    // Proves the checks: a UDP socket is refused (WSAEOPNOTSUPP, before its input is read);
    // an input shorter than TCP_INITIAL_RTO_PARAMETERS' 4 bytes is WSAEFAULT; a closed
    // handle WSAENOTSOCK. A listener takes it, and still accepts; the overlapped form
    // completes at once (0 bytes), its packet still delivered.
    common::run(|ws| {
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(
            ws.wsa_ioctl(u, SIO_TCP_INITIAL_RTO, &[], &mut []),
            Err(WsaError::WSAEOPNOTSUPP)
        );
        assert_eq!(initial_rto(ws, u, 100, 1), Err(WsaError::WSAEOPNOTSUPP));
        ws.closesocket(u)?;

        let s = common::tcp(ws)?;
        for short in [&[][..], &[100, 0, 1][..]] {
            assert_eq!(
                ws.wsa_ioctl(s, SIO_TCP_INITIAL_RTO, short, &mut []),
                Err(WsaError::WSAEFAULT),
                "{} bytes",
                short.len()
            );
        }
        ws.closesocket(s)?;
        assert_eq!(initial_rto(ws, s, 100, 1), Err(WsaError::WSAENOTSOCK));

        let (l, addr) = common::listener(ws, 5)?;
        assert_eq!(initial_rto(ws, l, 100, NO_SYN), Ok(0));
        let c = common::tcp(ws)?;
        ws.connect(c, &addr)?;
        let (a, _) = ws.accept(l)?;

        let ev = ws.wsa_create_event()?;
        let p = TcpInitialRtoParameters {
            rtt: 100,
            max_syn_retransmissions: 1,
        };
        let ov = Overlapped::with_event(2, ev);
        assert_eq!(
            ws.wsa_ioctl_overlapped(c, SIO_TCP_INITIAL_RTO, &p.to_bytes(), Vec::new(), ov, None),
            Ok(0)
        );
        assert_eq!(ws.wait_for_single_object(ev.into(), 0)?, WAIT_OBJECT_0);
        let done = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 0));
        ws.wsa_close_event(ev)?;
        for s in [a, c, l] {
            ws.closesocket(s)?;
        }
        Ok(())
    });
}
