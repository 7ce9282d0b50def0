//! The OS backend (`os::System`) on 127.0.0.1: each body that describes behaviour both
//! backends share is written once, generic over the backend, and run on the real stack and in
//! the simulator (STYLE.md practice 3); the rest is OS-only.
//!
//! Every blocking call is bounded: sockets get SO_RCVTIMEO (which on Linux also bounds
//! `accept`), threads are waited for with a timeout, and each test closes what it opened.
mod common;

use winsock_sim::os::System;
use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

/// Timeout for every blocking receive (ms): generous for a loaded machine, and virtual in the
/// simulator.
const TIMEOUT_MS: i32 = 5_000;

/// Runs `body` on a fresh `System` after `WSAStartup`, then `WSACleanup`.
fn on_os(body: impl FnOnce(&System) -> Result<(), WsaError>) {
    let ws = System::new();
    ws.wsa_startup(WINSOCK_VERSION_2_2).expect("WSAStartup");
    let r = body(&ws);
    ws.wsa_cleanup().expect("WSACleanup");
    r.expect("the body succeeds on the OS backend");
}

/// Runs a shared body on both backends.
macro_rules! both {
    ($body:ident) => {{
        on_os(|ws| $body(ws));
        common::run(|ws| $body(ws));
    }};
}

/// Bounds blocking receives (and, on Linux, accepts) on `s`.
fn bounded<W: Winsock>(ws: &W, s: Socket) -> Result<Socket, WsaError> {
    ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO, TIMEOUT_MS)?;
    Ok(s)
}

/// A connected loopback pair whose ends both have receive timeouts.
fn pair<W: Winsock>(ws: &W) -> Result<(Socket, Socket), WsaError> {
    let (l, addr) = common::listener(ws, 1)?;
    bounded(ws, l)?;
    let c = bounded(ws, ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?)?;
    ws.connect(c, &addr)?;
    let (s, _) = ws.accept(l)?;
    bounded(ws, s)?;
    ws.closesocket(l)?;
    Ok((c, s))
}

// ---- Shared bodies ----

/// An echo server on a thread made by `create_thread` returns what a client sends.
fn echo_through_a_server_thread<W: Winsock + Sized>(ws: &W) -> Result<(), WsaError> {
    let (l, addr) = common::listener(ws, SOMAXCONN)?;
    bounded(ws, l)?;
    let server = ws.create_thread("echo", move |ws| {
        let (c, _) = ws.accept(l)?;
        bounded(ws, c)?;
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
    let c = bounded(ws, ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?)?;
    ws.connect(c, &addr)?;
    let msg: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let mut sent = 0;
    while sent < msg.len() {
        sent += ws.send(c, &msg[sent..], 0)?;
    }
    assert_eq!(common::recv_exact(ws, c, msg.len())?, msg);
    ws.shutdown(c, SD_SEND)?;
    let mut b = [0u8; 1];
    assert_eq!(ws.recv(c, &mut b, 0)?, 0, "the server closed after our FIN");
    ws.wait_for_thread(server, 10_000)?;
    ws.closesocket(c)?;
    ws.closesocket(l)
}

/// A value that names no socket is WSAENOTSOCK for every socket call, and sets the last
/// error; a success clears it.
fn garbage_handles_are_not_sockets<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let closed = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.closesocket(closed)?;
    for s in [Socket::from_raw(0x1234_5677), Socket::INVALID, closed] {
        let mut buf = [0u8; 4];
        assert_eq!(ws.recv(s, &mut buf, 0), Err(WsaError::WSAENOTSOCK));
        assert_eq!(ws.wsa_get_last_error(), 10038);
        assert_eq!(ws.send(s, b"x", 0), Err(WsaError::WSAENOTSOCK));
        assert_eq!(ws.closesocket(s), Err(WsaError::WSAENOTSOCK));
        assert_eq!(ws.getsockname(s), Err(WsaError::WSAENOTSOCK));
        let mut v = 1;
        assert_eq!(
            ws.ioctlsocket(s, FIONBIO, &mut v),
            Err(WsaError::WSAENOTSOCK)
        );
    }
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    assert_eq!(
        ws.wsa_get_last_error(),
        0,
        "a success sets the last error to 0"
    );
    ws.closesocket(s)
}

/// Nonblocking `recv` and `accept` with nothing to do fail with WSAEWOULDBLOCK; data that
/// arrives is then received.
fn nonblocking_calls_would_block<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let (c, s) = pair(ws)?;
    ws.set_nonblocking(s, true)?;
    let mut buf = [0u8; 16];
    assert_eq!(ws.recv(s, &mut buf, 0), Err(WsaError::WSAEWOULDBLOCK));
    assert_eq!(ws.wsa_get_last_error(), 10035);
    ws.send(c, b"late", 0)?;
    let mut got = Err(WsaError::WSAEWOULDBLOCK);
    for _ in 0..500 {
        got = ws.recv(s, &mut buf, 0);
        if got != Err(WsaError::WSAEWOULDBLOCK) {
            break;
        }
        ws.sleep(10);
    }
    assert_eq!(got, Ok(4));
    assert_eq!(&buf[..4], b"late");
    let (l, _) = common::listener(ws, 1)?;
    ws.set_nonblocking(l, true)?;
    assert_eq!(ws.accept(l).map(|_| ()), Err(WsaError::WSAEWOULDBLOCK));
    ws.closesocket(l)?;
    ws.closesocket(c)?;
    ws.closesocket(s)
}

/// Connecting to a loopback port nobody listens on is refused.
fn connect_to_a_closed_port_is_refused<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let probe = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(probe, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let addr = ws.getsockname(probe)?;
    ws.closesocket(probe)?;
    let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    assert_eq!(ws.connect(c, &addr), Err(WsaError::WSAECONNREFUSED));
    assert_eq!(ws.wsa_get_last_error(), 10061);
    ws.closesocket(c)
}

/// Each end's `getsockname` is the other's `getpeername`; an unbound socket has no name and
/// an unconnected one no peer.
fn names_of_a_connected_pair<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let fresh = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    assert_eq!(ws.getsockname(fresh), Err(WsaError::WSAEINVAL));
    assert_eq!(ws.getpeername(fresh), Err(WsaError::WSAENOTCONN));
    ws.closesocket(fresh)?;
    let (l, addr) = common::listener(ws, 1)?;
    bounded(ws, l)?;
    assert_eq!(ws.getpeername(l), Err(WsaError::WSAENOTCONN));
    let c = bounded(ws, ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?)?;
    ws.connect(c, &addr)?;
    let (s, peer) = ws.accept(l)?;
    assert_eq!(ws.getpeername(c)?, addr);
    assert_eq!(ws.getsockname(s)?, addr);
    assert_eq!(ws.getsockname(c)?, peer);
    assert_eq!(ws.getpeername(s)?, peer);
    assert_eq!(
        peer.to_socket_addr().map(|a| a.ip()),
        Some([127, 0, 0, 1].into())
    );
    for h in [c, s, l] {
        ws.closesocket(h)?;
    }
    Ok(())
}

/// Options set are read back in Windows' units; Windows' length and level rules hold.
fn socket_options_round_trip<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE)?, SOCK_STREAM);
    assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?, 0);
    assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_ACCEPTCONN)?, 0);
    for (level, name) in [
        (SOL_SOCKET, SO_KEEPALIVE),
        (SOL_SOCKET, SO_REUSEADDR),
        (SOL_SOCKET, SO_OOBINLINE),
        (IPPROTO_TCP, TCP_NODELAY),
    ] {
        assert_eq!(
            ws.getsockopt_i32(s, level, name)?,
            0,
            "{level:#x}/{name:#x} default"
        );
        ws.setsockopt_i32(s, level, name, 1)?;
        assert_eq!(
            ws.getsockopt_i32(s, level, name)? & 0xff,
            1,
            "{level:#x}/{name:#x}"
        );
        ws.setsockopt_i32(s, level, name, 0)?;
        assert_eq!(
            ws.getsockopt_i32(s, level, name)?,
            0,
            "{level:#x}/{name:#x}"
        );
    }
    for name in [SO_RCVTIMEO, SO_SNDTIMEO] {
        assert_eq!(
            ws.getsockopt_i32(s, SOL_SOCKET, name)?,
            0,
            "no timeout by default"
        );
        ws.setsockopt_i32(s, SOL_SOCKET, name, 2000)?;
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, name)?, 2000);
        ws.setsockopt_i32(s, SOL_SOCKET, name, 0)?;
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, name)?, 0);
    }
    for name in [SO_RCVBUF, SO_SNDBUF] {
        ws.setsockopt_i32(s, SOL_SOCKET, name, 32 * 1024)?;
        // Linux doubles the value it is given; Windows and the sim keep it.
        assert!(ws.getsockopt_i32(s, SOL_SOCKET, name)? >= 32 * 1024);
    }
    ws.setsockopt_i32(s, IPPROTO_IP, IP_TTL, 33)?;
    assert_eq!(ws.getsockopt_i32(s, IPPROTO_IP, IP_TTL)? & 0xff, 33);

    let mut lb = [0u8; 4];
    assert_eq!(ws.getsockopt(s, SOL_SOCKET, SO_LINGER, &mut lb)?, 4);
    assert_eq!(
        Linger::from_bytes(lb).onoff,
        0,
        "lingering is off by default"
    );
    let l = Linger {
        onoff: 1,
        linger: 7,
    };
    ws.setsockopt(s, SOL_SOCKET, SO_LINGER, &l.to_bytes())?;
    ws.getsockopt(s, SOL_SOCKET, SO_LINGER, &mut lb)?;
    let got = Linger::from_bytes(lb);
    assert_eq!((got.onoff != 0, got.linger), (true, 7));

    // Windows' rules for bad arguments.
    let mut short = [0u8; 2];
    assert_eq!(
        ws.getsockopt(s, SOL_SOCKET, SO_RCVBUF, &mut short),
        Err(WsaError::WSAEFAULT)
    );
    assert_eq!(
        ws.setsockopt(s, SOL_SOCKET, SO_LINGER, &[1, 0]),
        Err(WsaError::WSAEFAULT)
    );
    assert_eq!(ws.setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &[]), Ok(()));
    assert_eq!(
        ws.setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &[]),
        Err(WsaError::WSAEFAULT)
    );
    assert_eq!(
        ws.getsockopt_i32(s, SOL_SOCKET, 0x7777),
        Err(WsaError::WSAENOPROTOOPT)
    );
    assert_eq!(
        ws.getsockopt_i32(s, 0x4242, SO_TYPE),
        Err(WsaError::WSAEINVAL)
    );
    assert_eq!(
        ws.setsockopt_i32(s, SOL_SOCKET, SO_TYPE, 2),
        Err(WsaError::WSAENOPROTOOPT)
    );
    ws.closesocket(s)?;

    let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    assert_eq!(ws.getsockopt_i32(u, SOL_SOCKET, SO_TYPE)?, SOCK_DGRAM);
    assert_eq!(
        ws.getsockopt_i32(u, IPPROTO_TCP, TCP_NODELAY),
        Err(WsaError::WSAENOPROTOOPT)
    );
    ws.setsockopt_i32(u, SOL_SOCKET, SO_BROADCAST, 1)?;
    assert_eq!(ws.getsockopt_i32(u, SOL_SOCKET, SO_BROADCAST)? & 0xff, 1);
    ws.closesocket(u)
}

/// Handle values are multiples of 4 from 0x100, and a freed one is reused, last freed first.
fn handle_values_are_multiples_of_four_and_reused<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let [a, b, c] = [(); 3].map(|()| ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    let (a, b, c) = (a?, b?, c?);
    for h in [a, b, c] {
        assert!(h.raw() >= 0x100 && h.raw() % 4 == 0, "{h}");
    }
    assert!(a != b && b != c && a != c);
    ws.closesocket(b)?;
    let d = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    assert_eq!(d, b, "the freed value comes back");
    ws.closesocket(a)?;
    ws.closesocket(c)?;
    assert_eq!(
        ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?,
        c,
        "last freed first"
    );
    assert_eq!(ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?, a);
    for h in [a, c, d] {
        ws.closesocket(h)?;
    }
    Ok(())
}

/// SO_RCVTIMEO ends a blocking `recv` with WSAETIMEDOUT; FIONREAD counts waiting bytes;
/// after `shutdown(SD_SEND)` the peer reads 0 and our `send` fails with WSAESHUTDOWN.
fn timeouts_fionread_and_shutdown<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let (c, s) = pair(ws)?;
    ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO, 200)?;
    let mut buf = [0u8; 8];
    assert_eq!(ws.recv(s, &mut buf, 0), Err(WsaError::WSAETIMEDOUT));
    ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO, TIMEOUT_MS)?;
    ws.send(c, b"abcdef", 0)?;
    // A blocking peek waits for the first bytes (the first segment may carry just one);
    // FIONREAD then counts all six.
    let peeked = ws.recv(s, &mut buf[..2], MSG_PEEK)?;
    assert!((1..=2).contains(&peeked), "peeked {peeked}");
    let mut n = 0;
    for _ in 0..500 {
        ws.ioctlsocket(s, FIONREAD, &mut n)?;
        if n == 6 {
            break;
        }
        ws.sleep(10);
    }
    assert_eq!(n, 6);
    assert_eq!(ws.recv(s, &mut buf[..6], MSG_WAITALL)?, 6);
    assert_eq!(&buf[..6], b"abcdef");
    ws.shutdown(c, SD_SEND)?;
    assert_eq!(ws.recv(s, &mut buf, 0)?, 0);
    assert_eq!(ws.send(c, b"x", 0), Err(WsaError::WSAESHUTDOWN));
    ws.closesocket(c)?;
    ws.closesocket(s)
}

/// `wait_for_thread` times out on a running thread and succeeds once it has ended.
fn thread_waits_time_out_then_succeed<W: Winsock + Sized>(ws: &W) -> Result<(), WsaError> {
    let t = ws.create_thread("sleeper", |ws| {
        ws.sleep(300);
        Ok(())
    })?;
    assert_eq!(ws.wait_for_thread(t, 10), Err(WsaError::WAIT_TIMEOUT));
    ws.wait_for_thread(t, 10_000)?;
    ws.wait_for_thread(t, 0)
}

/// SOMAXCONN_HINT(N) asks for a backlog of N (clamped to 200..=65535): sixteen clients that
/// connect at once all complete their handshakes before the server accepts any of them. (The
/// OS backend used to pass -N on, which the OS read as a backlog of 1: the third client's SYN
/// was dropped and its connect waited for the accepts, and the echo bench stalled for
/// seconds at 100 clients on retransmission back-off.)
fn somaxconn_hint_backlog_holds_clients_that_connect_at_once<W: Winsock + Sized>(
    ws: &W,
) -> Result<(), WsaError> {
    const CLIENTS: usize = 16;
    let (l, addr) = common::listener(ws, somaxconn_hint(64))?;
    bounded(ws, l)?;
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        clients.push(ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?);
    }
    let connecting = clients.clone();
    let connector = ws.create_thread("connector", move |ws| {
        for &c in &connecting {
            ws.connect(c, &addr)?;
        }
        Ok(())
    })?;
    // A dropped SYN is sent again after a second (then 3 s, 7 s...): with the backlog held
    // the connects finish at once, without it not before the accepts below.
    let connected = ws.wait_for_thread(connector, 900);
    for _ in 0..CLIENTS {
        let (s, _) = ws.accept(l)?;
        ws.closesocket(s)?;
    }
    ws.wait_for_thread(connector, 20_000)?;
    for c in clients {
        ws.closesocket(c)?;
    }
    ws.closesocket(l)?;
    assert_eq!(connected, Ok(()), "the connects waited for accept");
    Ok(())
}

#[test]
fn echo_through_a_server_thread_on_both_backends() {
    both!(echo_through_a_server_thread);
}

#[test]
fn garbage_handles_are_wsaenotsock_on_both_backends() {
    both!(garbage_handles_are_not_sockets);
}

#[test]
fn nonblocking_recv_would_block_on_both_backends() {
    both!(nonblocking_calls_would_block);
}

#[test]
fn connect_to_a_closed_port_is_refused_on_both_backends() {
    both!(connect_to_a_closed_port_is_refused);
}

#[test]
fn names_of_a_connected_pair_on_both_backends() {
    both!(names_of_a_connected_pair);
}

#[test]
fn socket_options_round_trip_on_both_backends() {
    both!(socket_options_round_trip);
}

#[test]
fn handle_values_on_both_backends() {
    both!(handle_values_are_multiples_of_four_and_reused);
}

#[test]
fn timeouts_fionread_and_shutdown_on_both_backends() {
    both!(timeouts_fionread_and_shutdown);
}

#[test]
fn thread_waits_on_both_backends() {
    both!(thread_waits_time_out_then_succeed);
}

/// Before `WSAStartup` socket calls fail with WSANOTINITIALISED, and again after the last
/// `WSACleanup`; in the simulator too.
#[test]
fn calls_before_startup_are_not_initialised() {
    fn body<W: Winsock>(ws: &W) -> Result<(), WsaError> {
        assert_eq!(
            ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP),
            Err(WsaError::WSANOTINITIALISED)
        );
        assert_eq!(ws.wsa_get_last_error(), 10093);
        assert_eq!(ws.wsa_cleanup(), Err(WsaError::WSANOTINITIALISED));
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.wsa_cleanup()?;
        assert_eq!(ws.closesocket(s), Err(WsaError::WSANOTINITIALISED));
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        assert_eq!(
            ws.closesocket(s),
            Err(WsaError::WSAENOTSOCK),
            "cleanup closed it"
        );
        ws.wsa_cleanup()
    }
    body(&System::new()).expect("OS backend");
    let mut sim = Sim::builder().seed(common::seed()).build();
    sim.host("host", "192.0.2.1").spawn("main", body);
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
}

/// `closesocket` from another thread ends a blocked `recv` with WSAEINTR (or, if the closing
/// won the race to the handle, WSAENOTSOCK); OS only: timing on real threads.
#[test]
fn closesocket_wakes_a_blocked_recv() {
    on_os(|ws| {
        let (c, s) = pair(ws)?;
        let t = ws.create_thread("reader", move |ws| {
            let mut b = [0u8; 4];
            match ws.recv(s, &mut b, 0) {
                Err(WsaError::WSAEINTR | WsaError::WSAENOTSOCK) => Ok(()),
                other => panic!("recv after closesocket gave {other:?}"),
            }
        })?;
        ws.sleep(200);
        ws.closesocket(s)?;
        ws.wait_for_thread(t, 3_000)?;
        ws.closesocket(c)
    });
}

/// A nonblocking connect reports WSAEWOULDBLOCK, then WSAEISCONN once it is done; OS only.
#[test]
fn nonblocking_connect_on_the_os() {
    on_os(|ws| {
        let (l, addr) = common::listener(ws, 1)?;
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.set_nonblocking(c, true)?;
        match ws.connect(c, &addr) {
            Ok(()) | Err(WsaError::WSAEWOULDBLOCK) => {}
            other => panic!("nonblocking connect gave {other:?}"),
        }
        let mut r = Err(WsaError::WSAEALREADY);
        for _ in 0..500 {
            r = ws.connect(c, &addr);
            if r != Err(WsaError::WSAEALREADY) && r != Err(WsaError::WSAEWOULDBLOCK) {
                break;
            }
            ws.sleep(10);
        }
        assert!(matches!(r, Err(WsaError::WSAEISCONN) | Ok(())), "{r:?}");
        ws.closesocket(c)?;
        ws.closesocket(l)
    });
}

/// Windows' refusals that Unix would not make: listen unbound, connect to 0.0.0.0, send
/// before connect, recv after SD_RECEIVE, MSG_OOB receive and SIOCATMARK (unsupported here).
#[test]
fn windows_refusals_on_the_os() {
    on_os(|ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.listen(s, 5), Err(WsaError::WSAEINVAL));
        assert_eq!(
            ws.connect(s, &SockAddr::v4([0, 0, 0, 0], 80)),
            Err(WsaError::WSAEADDRNOTAVAIL)
        );
        assert_eq!(ws.send(s, b"x", 0), Err(WsaError::WSAENOTCONN));
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAENOTCONN));
        assert_eq!(
            ws.bind(s, &SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 0)),
            Err(WsaError::WSAEFAULT)
        );
        ws.closesocket(s)?;
        assert_eq!(
            ws.socket(0xdead, SOCK_STREAM, 0),
            Err(WsaError::WSAEAFNOSUPPORT)
        );
        let u = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
        assert_eq!(ws.listen(u, 1), Err(WsaError::WSAEOPNOTSUPP));
        ws.closesocket(u)?;

        let (c, s) = pair(ws)?;
        ws.shutdown(s, SD_RECEIVE)?;
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAESHUTDOWN));
        assert_eq!(ws.recv(c, &mut b, MSG_OOB), Err(WsaError::WSAEOPNOTSUPP));
        let mut v = 0;
        assert_eq!(
            ws.ioctlsocket(c, SIOCATMARK, &mut v),
            Err(WsaError::WSAEOPNOTSUPP)
        );
        assert_eq!(ws.shutdown(c, 7), Err(WsaError::WSAEINVAL));
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

/// An abortive close (SO_LINGER {1, 0}) reaches the peer as WSAECONNRESET; OS only.
#[test]
fn abortive_close_resets_the_peer_on_the_os() {
    on_os(|ws| {
        let (c, s) = pair(ws)?;
        common::rst_close(ws, c)?;
        let mut b = [0u8; 4];
        match ws.recv(s, &mut b, 0) {
            Err(WsaError::WSAECONNRESET) => {}
            // Known Wine difference (Wine 8.0): a plain recv after the peer's RST returns 0, as
            // after a graceful close; Windows gives -1/WSAECONNRESET (sock.c test_tcp_reset,
            // conformance OV-01). Recorded, not skipped: any other result still fails.
            Ok(0) if winsock_sim::os::under_wine() => {
                eprintln!("known Wine difference: recv after the peer's RST gave 0 (sock.c test_tcp_reset, OV-01)");
            }
            other => panic!("recv after the peer's RST gave {other:?}"),
        }
        ws.closesocket(s)
    });
}

/// The tick count starts near 0 and follows `sleep`; last errors are per thread.
#[test]
fn ticks_and_per_thread_last_error_on_the_os() {
    let ws = System::new();
    let t0 = ws.get_tick_count();
    assert!(t0 < 1_000, "{t0}");
    ws.sleep(50);
    assert!(ws.get_tick_count() >= t0 + 50);
    ws.wsa_set_last_error(1234);
    ws.wsa_startup(WINSOCK_VERSION_2_2).expect("startup");
    let t = ws
        .create_thread("other", |ws| {
            assert_eq!(ws.wsa_get_last_error(), 0, "a new thread starts at 0");
            ws.wsa_set_last_error(99);
            Ok(())
        })
        .expect("thread");
    ws.wait_for_thread(t, 5_000).expect("wait");
    ws.wsa_set_last_error(7);
    assert_eq!(ws.wsa_get_last_error(), 7);
    // Thread numbers of another System: index 2 names nothing on `ws`, which started one.
    let foreign = System::new();
    let ids: Vec<ThreadId> = (0..3)
        .map(|_| foreign.create_thread("x", |_| Ok(())).expect("thread"))
        .collect();
    assert_eq!(
        ws.wait_for_thread(ids[2], 0),
        Err(WsaError::WSA_INVALID_HANDLE)
    );
    for id in ids {
        foreign
            .wait_for_thread(id, 5_000)
            .expect("foreign thread ends");
    }
    ws.wsa_cleanup().expect("cleanup");
}

#[test]
fn somaxconn_hint_backlog_holds_simultaneous_connects_on_both_backends() {
    both!(somaxconn_hint_backlog_holds_clients_that_connect_at_once);
}
