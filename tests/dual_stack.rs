//! Dual-stack sockets: AF_INET6 sockets with IPV6_V6ONLY cleared carry IPv4 traffic and
//! report IPv4 peers as v4-mapped addresses (`::ffff:a.b.c.d`); with IPV6_V6ONLY set (the
//! Windows default) they carry IPv6 only.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::{HostHandle, Sim};

/// `[::ffff:a.b.c.d]:port`.
fn mapped(ip: [u8; 4], port: u16) -> SockAddr {
    let hi = u16::from_be_bytes([ip[0], ip[1]]);
    let lo = u16::from_be_bytes([ip[2], ip[3]]);
    SockAddr::v6([0, 0, 0, 0, 0, 0xffff, hi, lo], port)
}

const SERVER_V6: [u16; 8] = [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1];

/// An AF_INET6 socket of type `ty` with IPV6_V6ONLY cleared.
fn dual<W: Winsock>(ws: &W, ty: i32, proto: i32) -> Result<Socket, WsaError> {
    let s = ws.socket(AF_INET6, ty, proto)?;
    ws.setsockopt_i32(s, IPPROTO_IPV6, IPV6_V6ONLY, 0)?;
    Ok(s)
}

/// A simulation with a server host 192.0.2.1 that also has 2001:db8::1 and a client host
/// 192.0.2.2. Returns (sim, server, client).
fn v4_client_and_dual_homed_server() -> (Sim, HostHandle, HostHandle) {
    let mut sim = Sim::builder().seed(common::seed()).build();
    let server = sim.host("server", "192.0.2.1");
    server.add_address("2001:db8::1");
    let client = sim.host("client", "192.0.2.2");
    (sim, server, client)
}

/// Binds `l` to `addr` and listens with backlog SOMAXCONN.
fn listen_on<W: Winsock>(ws: &W, l: Socket, addr: &SockAddr) -> Result<(), WsaError> {
    ws.bind(l, addr)?;
    ws.listen(l, SOMAXCONN)
}

// The TCP exchange of the connection tests: the client sends its port (2 bytes, big-endian),
// the server answers "pong", the client closes, and the server reads that close.

/// Server side: reads the client's port.
fn recv_port<W: Winsock>(ws: &W, c: Socket) -> Result<u16, WsaError> {
    Ok(u16::from_be_bytes(
        common::recv_exact(ws, c, 2)?.try_into().unwrap(),
    ))
}

/// Server side: answers "pong", reads the client's close and closes.
fn pong_and_close<W: Winsock>(ws: &W, c: Socket) -> Result<(), WsaError> {
    ws.send(c, b"pong", 0)?;
    assert_eq!(common::recv_exact(ws, c, 1)?, b"");
    ws.closesocket(c)
}

/// Client side: sends the port of `me` (its own address), reads "pong" and closes.
fn send_port_and_await_pong<W: Winsock>(ws: &W, s: Socket, me: &SockAddr) -> Result<(), WsaError> {
    ws.send(s, &me.port().unwrap().to_be_bytes(), 0)?;
    assert_eq!(common::recv_exact(ws, s, 4)?, b"pong");
    ws.closesocket(s)
}

#[test]
fn ipv4_client_reaches_dual_stack_listener_with_mapped_addresses() {
    // Proves: a [::] listener with IPV6_V6ONLY = 0 accepts an IPv4 client; accept and
    // getpeername give the peer v4-mapped, getsockname the local address v4-mapped; the
    // client sees plain IPv4 addresses; data flows both ways.
    let (mut sim, server, client) = v4_client_and_dual_homed_server();
    server.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = dual(ws, SOCK_STREAM, IPPROTO_TCP)?;
        listen_on(ws, l, &SockAddr::v6([0; 8], 8080))?;
        let (c, peer) = ws.accept(l)?;
        let port = recv_port(ws, c)?;
        assert_eq!(peer, mapped([192, 0, 2, 2], port));
        assert_eq!(peer.family(), AF_INET6);
        assert_eq!(ws.getpeername(c)?, peer);
        assert_eq!(ws.getsockname(c)?, mapped([192, 0, 2, 1], 8080));
        pong_and_close(ws, c)
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = common::tcp(ws)?;
        let dst = SockAddr::v4([192, 0, 2, 1], 8080);
        ws.connect(s, &dst)?;
        assert_eq!(ws.getpeername(s)?, dst);
        let me = ws.getsockname(s)?;
        assert_eq!(me.family(), AF_INET);
        assert_eq!(me.to_socket_addr().unwrap().ip().to_string(), "192.0.2.2");
        send_port_and_await_pong(ws, s, &me)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn ipv4_client_is_refused_by_v6only_listener() {
    // Proves: IPV6_V6ONLY is 1 by default and a [::] listener left so takes no IPv4 SYN: the
    // IPv4 connect fails with WSAECONNREFUSED after Windows' two retries (0.5 s, then 1 s).
    let (mut sim, server, client) = v4_client_and_dual_homed_server();
    server.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.getsockopt_i32(l, IPPROTO_IPV6, IPV6_V6ONLY)?, 1);
        listen_on(ws, l, &SockAddr::v6([0; 8], 8080))?;
        let (_c, peer) = ws.accept(l)?;
        panic!("the v6-only listener accepted {peer:?}");
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.sleep(10);
        let s = common::tcp(ws)?;
        let t0 = ws.get_tick_count();
        common::fails(
            ws,
            ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 8080)),
            WsaError::WSAECONNREFUSED,
            "IPv4 connect to a v6-only [::] listener",
        );
        assert!(ws.get_tick_count() - t0 >= 1500);
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn dual_stack_client_connects_to_v4_mapped_address() {
    // Proves: an AF_INET6 socket with IPV6_V6ONLY = 0 connects to ::ffff:192.0.2.1 and
    // reaches the IPv4 listener there, which sees an IPv4 peer; the client's getpeername and
    // getsockname are v4-mapped; data flows both ways.
    let mut sim = Sim::builder().seed(common::seed()).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "2001:db8::2");
    client.add_address("192.0.2.2");
    server.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = common::tcp(ws)?;
        listen_on(ws, l, &SockAddr::v4([0, 0, 0, 0], 8080))?;
        let (c, peer) = ws.accept(l)?;
        assert_eq!(peer.family(), AF_INET);
        let port = recv_port(ws, c)?;
        assert_eq!(peer, SockAddr::v4([192, 0, 2, 2], port));
        assert_eq!(ws.getsockname(c)?, SockAddr::v4([192, 0, 2, 1], 8080));
        pong_and_close(ws, c)
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = dual(ws, SOCK_STREAM, IPPROTO_TCP)?;
        let dst = mapped([192, 0, 2, 1], 8080);
        ws.connect(s, &dst)?;
        assert_eq!(ws.getpeername(s)?, dst);
        let me = ws.getsockname(s)?;
        assert_eq!(me, mapped([192, 0, 2, 2], me.port().unwrap()));
        send_port_and_await_pong(ws, s, &me)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn v6only_socket_cannot_reach_a_v4_mapped_address() {
    // Proves: with IPV6_V6ONLY = 1 (the default) connect to a v4-mapped address fails with
    // WSAEADDRNOTAVAIL, blocking or not, and so do UDP connect and sendto; the same
    // connect from a socket with IPV6_V6ONLY = 0 reaches the IPv4 listener (over loopback).
    common::run(|ws| {
        let (l, addr) = common::listener(ws, SOMAXCONN)?;
        let port = addr.port().unwrap();
        let dst = mapped([127, 0, 0, 1], port);

        let s = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        common::fails(
            ws,
            ws.connect(s, &dst),
            WsaError::WSAEADDRNOTAVAIL,
            "blocking",
        );
        let nb = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        let mut on = 1;
        ws.ioctlsocket(nb, FIONBIO, &mut on)?;
        common::fails(
            ws,
            ws.connect(nb, &dst),
            WsaError::WSAEADDRNOTAVAIL,
            "nonblocking",
        );

        let u = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        let udst = mapped([127, 0, 0, 1], 9);
        common::fails(
            ws,
            ws.sendto(u, b"x", 0, &udst),
            WsaError::WSAEADDRNOTAVAIL,
            "sendto",
        );
        common::fails(
            ws,
            ws.connect(u, &udst),
            WsaError::WSAEADDRNOTAVAIL,
            "UDP connect",
        );

        let ok = dual(ws, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(ok, &dst)?;
        let (c, peer) = ws.accept(l)?;
        assert_eq!(
            ws.getsockname(ok)?,
            mapped([127, 0, 0, 1], peer.port().unwrap())
        );
        assert_eq!(peer.family(), AF_INET);
        ws.send(ok, b"hi", 0)?;
        assert_eq!(common::recv_exact(ws, c, 2)?, b"hi");
        Ok(())
    });
}

#[test]
fn udp_dual_stack_socket_receives_and_sends_ipv4() {
    // Proves: a UDP [::] socket with IPV6_V6ONLY = 0 receives an IPv4 datagram (recvfrom gives
    // the source v4-mapped) and replies with sendto to that v4-mapped address, which the IPv4
    // sender receives from the plain IPv4 address; a v6-only [::] socket takes no IPv4
    // datagram (the sender gets the ICMP port unreachable: WSAECONNRESET).
    let (mut sim, server, client) = v4_client_and_dual_homed_server();
    server.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let v6only = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(v6only, &SockAddr::v6([0; 8], 5300))?;
        let u = dual(ws, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(u, &SockAddr::v6([0; 8], 5353))?;
        let mut buf = [0u8; 16];
        let (n, from) = ws.recvfrom(u, &mut buf, 0)?;
        assert_eq!(&buf[..n], b"ping");
        let port = from.port().unwrap();
        assert_eq!(from, mapped([192, 0, 2, 2], port));
        ws.sendto(u, b"pong", 0, &from)?;
        Ok(())
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.sleep(10);
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let mut buf = [0u8; 16];
        ws.sendto(u, b"lost", 0, &SockAddr::v4([192, 0, 2, 1], 5300))?;
        assert_eq!(
            ws.recvfrom(u, &mut buf, 0).map(|(n, _)| n),
            Err(WsaError::WSAECONNRESET)
        );
        let dst = SockAddr::v4([192, 0, 2, 1], 5353);
        ws.sendto(u, b"ping", 0, &dst)?;
        let (n, from) = ws.recvfrom(u, &mut buf, 0)?;
        assert_eq!(&buf[..n], b"pong");
        assert_eq!(from, dst);
        ws.closesocket(u)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn ipv4_and_v6only_listeners_on_one_port_each_take_their_family() {
    // Proves: a 0.0.0.0 listener and a [::] listener (IPV6_V6ONLY = 1) bind the same port;
    // an IPv4 connection goes to the first, an IPv6 one to the second, and neither gets the
    // other's.
    let (mut sim, server, client) = v4_client_and_dual_homed_server();
    client.add_address("2001:db8::2");
    server.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l4 = common::tcp(ws)?;
        listen_on(ws, l4, &SockAddr::v4([0, 0, 0, 0], 8080))?;
        let l6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        listen_on(ws, l6, &SockAddr::v6([0; 8], 8080))?;
        let (c4, p4) = ws.accept(l4)?;
        assert_eq!(p4.family(), AF_INET);
        assert_eq!(p4.to_socket_addr().unwrap().ip().to_string(), "192.0.2.2");
        let (c6, p6) = ws.accept(l6)?;
        assert_eq!(p6.family(), AF_INET6);
        assert_eq!(p6.to_socket_addr().unwrap().ip().to_string(), "2001:db8::2");
        assert_eq!(ws.getsockname(c6)?, SockAddr::v6(SERVER_V6, 8080));
        for l in [l4, l6] {
            let mut on = 1;
            ws.ioctlsocket(l, FIONBIO, &mut on)?;
            assert_eq!(
                ws.accept(l).map(|_| ()),
                Err(WsaError::WSAEWOULDBLOCK),
                "one connection per family"
            );
        }
        ws.send(c4, b"4", 0)?;
        ws.send(c6, b"6", 0)?;
        Ok(())
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.sleep(10);
        let s4 = common::tcp(ws)?;
        ws.connect(s4, &SockAddr::v4([192, 0, 2, 1], 8080))?;
        let s6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s6, &SockAddr::v6(SERVER_V6, 8080))?;
        assert_eq!(common::recv_exact(ws, s4, 1)?, b"4");
        assert_eq!(common::recv_exact(ws, s6, 1)?, b"6");
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}
