//! TCP keep-alive (SO_KEEPALIVE, SIO_KEEPALIVE_VALS, TCP_KEEPALIVE / TCP_KEEPINTVL): a
//! server that turns it on learns of a client that vanished (a partition, a crash) after the
//! idle time and the unanswered probes, in every way it may be waiting: a blocking recv, an
//! overlapped WSARecv on a completion port, WSAEventSelect's FD_CLOSE. A live peer answers
//! the probes and the connection stays; a restarted peer answers with RST.
use std::net::IpAddr;
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{FaultPlan, FaultRule, Report, Sim, SimWinsock};

const SERVER: [u8; 4] = [192, 0, 2, 1];
const CLIENT: [u8; 4] = [192, 0, 2, 2];
const PORT: u16 = 9000;

type Side = Box<dyn FnOnce(&SimWinsock, Socket) -> Result<(), WsaError> + Send>;

/// The server, configured by `listen` before it accepts, runs `server` on the connection;
/// the client connects and runs `client` (a daemon: a vanished client never finishes).
fn scenario(
    plan: FaultPlan,
    listen: fn(&SimWinsock, Socket) -> Result<(), WsaError>,
    server: Side,
    client: Side,
) -> Report {
    let mut sim = Sim::builder()
        .seed(5)
        .faults(plan)
        .time_limit(Duration::from_secs(4 * 3600))
        .build();
    let s = sim.host("server", "192.0.2.1");
    let c = sim.host("client", "192.0.2.2");
    s.spawn("server", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        listen(ws, l)?;
        ws.listen(l, SOMAXCONN)?;
        let (conn, _) = ws.accept(l)?;
        server(ws, conn)
    });
    c.spawn_daemon("client", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let so = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(so, &SockAddr::v4(SERVER, PORT))?;
        client(ws, so)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"))
}

fn nothing(_: &SimWinsock, _: Socket) -> Result<(), WsaError> {
    Ok(())
}

/// The client stays connected and silent.
fn silent() -> Side {
    Box::new(|ws, _| {
        ws.sleep(INFINITE);
        Ok(())
    })
}

/// A partition between the two hosts from `from_ms`, never healed.
fn cut_at(from_ms: u64) -> FaultPlan {
    FaultPlan::none().with(FaultRule::Partition {
        a: vec![IpAddr::from(SERVER)],
        b: vec![IpAddr::from(CLIENT)],
        from: Duration::from_millis(from_ms),
        until: None,
    })
}

/// SIO_KEEPALIVE_VALS (onoff, keepalivetime, keepaliveinterval in ms).
fn keepalive_vals(ws: &SimWinsock, s: Socket, on: u32, time: u32, interval: u32) {
    let v = TcpKeepalive {
        onoff: on,
        keepalivetime: time,
        keepaliveinterval: interval,
    };
    assert_eq!(
        ws.wsa_ioctl(s, SIO_KEEPALIVE_VALS, &v.to_bytes(), &mut []),
        Ok(0)
    );
}

#[test]
fn a_vanished_peer_fails_a_blocking_recv_after_the_idle_time_and_ten_probes() {
    // Proves: keep-alive 1 s idle, probes 100 ms apart; the peer cut off at 0.5 s: ten
    // probes go unanswered from 1 s, and at 2 s the waiting recv fails with WSAETIMEDOUT
    // (the sim's choice of codes, see `tcp::keepalive`); later calls fail alike.
    let server: Side = Box::new(|ws, c| {
        keepalive_vals(ws, c, 1, 1000, 100);
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(c, &mut buf, 0), Err(WsaError::WSAETIMEDOUT));
        let t = ws.get_tick_count();
        assert!((2000..2050).contains(&t), "dropped at {t} ms");
        assert_eq!(ws.send(c, b"x", 0), Err(WsaError::WSAETIMEDOUT));
        ws.closesocket(c)
    });
    scenario(cut_at(500), nothing, server, silent());
}

#[test]
fn without_keepalive_the_recv_waits_on() {
    // Proves: the same cut without keep-alive is never noticed: the recv is still waiting
    // when its SO_RCVTIMEO (10 s) ends it.
    let server: Side = Box::new(|ws, c| {
        ws.setsockopt_i32(c, SOL_SOCKET, SO_RCVTIMEO, 10_000)?;
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(c, &mut buf, 0), Err(WsaError::WSAETIMEDOUT));
        assert!(ws.get_tick_count() >= 10_000);
        ws.closesocket(c)
    });
    scenario(cut_at(500), nothing, server, silent());
}

#[test]
fn turned_off_again_keepalive_sends_no_probes() {
    // Proves: SIO_KEEPALIVE_VALS with onoff 0 stops the timer: the recv is ended by its
    // SO_RCVTIMEO at 5 s, not by keep-alive at 2 s.
    let server: Side = Box::new(|ws, c| {
        keepalive_vals(ws, c, 1, 1000, 100);
        keepalive_vals(ws, c, 0, 1000, 100);
        ws.setsockopt_i32(c, SOL_SOCKET, SO_RCVTIMEO, 5_000)?;
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(c, &mut buf, 0), Err(WsaError::WSAETIMEDOUT));
        assert!(ws.get_tick_count() >= 5_000);
        ws.closesocket(c)
    });
    scenario(cut_at(500), nothing, server, silent());
}

/// Segments of a run whose server turns keep-alive on (1 s, 100 ms) or not and waits for
/// the client's one message at 10.5 s.
fn segments_with_late_message(keepalive: bool) -> u64 {
    let server: Side = Box::new(move |ws, c| {
        if keepalive {
            keepalive_vals(ws, c, 1, 1000, 100);
        }
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(c, &mut buf, 0), Ok(4));
        assert_eq!(&buf[..4], b"late");
        assert!(ws.get_tick_count() >= 10_500);
        ws.closesocket(c)
    });
    let client: Side = Box::new(|ws, s| {
        ws.sleep(10_500);
        ws.send(s, b"late", 0)?;
        ws.sleep(INFINITE);
        Ok(())
    });
    scenario(FaultPlan::none(), nothing, server, client)
        .stats
        .segments
}

#[test]
fn a_live_peer_answers_every_probe_and_the_connection_stays() {
    // Proves: a silent but reachable peer's TCP answers each probe with an ACK, so the
    // connection lives on: one probe and one answer per idle second (ten in 10.5 s), and
    // the message sent at 10.5 s arrives.
    let with = segments_with_late_message(true);
    let without = segments_with_late_message(false);
    assert_eq!(
        with - without,
        20,
        "{with} segments with keep-alive, {without} without"
    );
}

#[test]
fn so_keepalive_on_the_listener_drops_an_accepted_connection_after_two_hours_and_ten_seconds() {
    // Proves: SO_KEEPALIVE with Windows' defaults (2 hours idle, 10 probes 1 s apart),
    // set on the listening socket and inherited by the accepted one.
    fn on(ws: &SimWinsock, l: Socket) -> Result<(), WsaError> {
        ws.setsockopt_i32(l, SOL_SOCKET, SO_KEEPALIVE, 1)
    }
    let server: Side = Box::new(|ws, c| {
        assert_eq!(ws.getsockopt_i32(c, SOL_SOCKET, SO_KEEPALIVE), Ok(1));
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(c, &mut buf, 0), Err(WsaError::WSAETIMEDOUT));
        let t = u64::from(ws.get_tick_count());
        assert!((7_210_000..7_210_100).contains(&t), "dropped at {t} ms");
        ws.closesocket(c)
    });
    scenario(cut_at(1000), on, server, silent());
}

#[test]
fn a_pending_overlapped_receive_completes_with_error_sem_timeout_and_fd_close_is_aborted() {
    // Proves: an overlapped WSARecv pending on a completion port completes with
    // ERROR_SEM_TIMEOUT and 0 bytes when keep-alive drops the connection; a WSAEventSelect
    // registration gets FD_CLOSE with WSAECONNABORTED.
    let server: Side = Box::new(|ws, c| {
        keepalive_vals(ws, c, 1, 1000, 100);
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(c, ev, FD_CLOSE)?;
        let port = ws.create_io_completion_port(1)?;
        ws.associate_completion_port(c, port, 3)?;
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 16]], 0, Overlapped::new(1), None),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, INFINITE)?;
        assert_eq!(
            (p.key, p.bytes, p.error),
            (3, 0, Some(WsaError::ERROR_SEM_TIMEOUT))
        );
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(c, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_CLOSE);
        assert_eq!(
            ne.error_code[FD_CLOSE_BIT],
            WsaError::WSAECONNABORTED.code()
        );
        ws.closesocket(c)
    });
    scenario(cut_at(500), nothing, server, silent());
}

#[test]
fn a_restarted_peer_answers_the_first_probe_with_rst() {
    // Proves: the client host crashes at 0.5 s and is back at 1 s with no sockets; the
    // server's first probe, at 2 s, is answered with RST: the recv fails with WSAECONNRESET
    // then, not after ten probes.
    let plan = FaultPlan::none().with(FaultRule::Crash {
        host: IpAddr::from(CLIENT),
        at: Duration::from_millis(500),
        restart: Some(Duration::from_secs(1)),
    });
    let server: Side = Box::new(|ws, c| {
        keepalive_vals(ws, c, 1, 2000, 100);
        let mut buf = [0u8; 8];
        assert_eq!(ws.recv(c, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        let t = ws.get_tick_count();
        assert!((2000..2050).contains(&t), "reset at {t} ms");
        ws.closesocket(c)
    });
    scenario(plan, nothing, server, silent());
}

#[test]
fn a_drop_ends_a_select_and_a_wsapoll_waiting_in_other_threads() {
    // Proves: the waits of other threads on the connection end when keep-alive drops it:
    // select sees it readable (the recv that follows fails with WSAETIMEDOUT), WSAPoll
    // reports POLLHUP and POLLERR, as for a connection given up after its retransmissions.
    let server: Side = Box::new(|ws, c| {
        keepalive_vals(ws, c, 1, 1000, 100);
        let selecting = ws.create_thread("select", move |ws: &SimWinsock| {
            let mut r = FdSet::from_array(&[c]);
            assert_eq!(ws.select(Some(&mut r), None, None, None), Ok(1));
            assert!((2000..2050).contains(&ws.get_tick_count()));
            let mut b = [0u8; 4];
            assert_eq!(ws.recv(c, &mut b, 0), Err(WsaError::WSAETIMEDOUT));
            Ok(())
        })?;
        let mut fds = [WsaPollFd::new(c, POLLRDNORM)];
        assert_eq!(ws.wsa_poll(&mut fds, -1), Ok(1));
        assert_eq!(fds[0].revents & (POLLHUP | POLLERR), POLLHUP | POLLERR);
        ws.wait_for_thread(selecting, INFINITE)?;
        ws.closesocket(c)
    });
    scenario(cut_at(500), nothing, server, silent());
}
