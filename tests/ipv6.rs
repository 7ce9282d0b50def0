//! IPv6: hosts with IPv6 addresses, AF_INET6 sockets, SOCKADDR_IN6 addresses end to end.
mod common;

use winsock_sim::api::SOCKADDR_IN6_LEN;
use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

#[test]
fn tcp_over_ipv6_between_hosts() {
    // Proves: an AF_INET6 listener on [::]:port accepts a client from another IPv6 host;
    // getpeername/getsockname give SOCKADDR_IN6 values; data flows both ways.
    let mut sim = Sim::builder().seed(common::seed()).build();
    let server = sim.host("server", "2001:db8::1");
    let client = sim.host("client", "2001:db8::2");
    server.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v6([0; 8], 8080))?;
        ws.listen(l, SOMAXCONN)?;
        let (c, peer) = ws.accept(l)?;
        assert_eq!(peer.family(), AF_INET6);
        assert_eq!(
            peer.to_socket_addr().unwrap().ip().to_string(),
            "2001:db8::2"
        );
        let mut buf = [0u8; 5];
        ws.recv(c, &mut buf, MSG_WAITALL)?;
        ws.send(c, &buf, 0)?;
        ws.closesocket(c)
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        let dst = SockAddr::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 8080);
        // An IPv4 address on an IPv6 socket: a SOCKADDR_IN is shorter than a SOCKADDR_IN6,
        // and Windows checks the length first (WSAEFAULT).
        assert_eq!(
            ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 8080)),
            Err(WsaError::WSAEFAULT)
        );
        ws.connect(s, &dst)?;
        assert_eq!(ws.getpeername(s)?, dst);
        assert_eq!(ws.getsockname(s)?.as_bytes().len(), SOCKADDR_IN6_LEN);
        ws.send(s, b"hello", 0)?;
        assert_eq!(common::recv_exact(ws, s, 5)?, b"hello");
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn ipv6_loopback_and_address_checks() {
    // Proves: ::1 works on every host; binding an IPv6 address the host lacks gives
    // WSAEADDRNOTAVAIL; a 27-byte SOCKADDR_IN6 gives WSAEFAULT.
    common::run(|ws| {
        let l = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        let foreign = SockAddr::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x99], 0);
        assert_eq!(ws.bind(l, &foreign), Err(WsaError::WSAEADDRNOTAVAIL));
        let short =
            SockAddr::from_bytes(&SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 0).as_bytes()[..27]);
        assert_eq!(ws.bind(l, &short), Err(WsaError::WSAEFAULT));
        ws.bind(l, &SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 0))?;
        ws.listen(l, 1)?;
        let addr = ws.getsockname(l)?;
        let c = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c, &addr)?;
        let (s, _) = ws.accept(l)?;
        ws.send(c, b"v6", 0)?;
        assert_eq!(common::recv_exact(ws, s, 2)?, b"v6");
        Ok(())
    });
}

#[test]
fn op_11_v4_mapped_bind_takes_the_ipv4_port() {
    // Proves: an AF_INET6 socket binds a v4-mapped address of this host ([::ffff:127.0.0.1])
    // and getsockname returns it; a v4-mapped address the host lacks is WSAEADDRNOTAVAIL;
    // the mapped bind holds the IPv4 port, so 127.0.0.1 on that port is WSAEADDRINUSE.
    common::run(|ws| {
        let s = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        ws.setsockopt_i32(s, IPPROTO_IPV6, IPV6_V6ONLY, 0)?;
        let foreign = SockAddr::v6([0, 0, 0, 0, 0, 0xffff, 0xc633, 0x6407], 9600);
        assert_eq!(ws.bind(s, &foreign), Err(WsaError::WSAEADDRNOTAVAIL));
        let mapped = SockAddr::v6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1], 9600);
        ws.bind(s, &mapped)?;
        assert_eq!(ws.getsockname(s)?, mapped);
        let v4 = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(
            ws.bind(v4, &SockAddr::v4([127, 0, 0, 1], 9600)),
            Err(WsaError::WSAEADDRINUSE)
        );
        Ok(())
    });
}

#[test]
fn wrong_family_destinations() {
    // Proves: a destination of the other family fails as Windows checks it, length first: a
    // SOCKADDR_IN on an AF_INET6 socket is WSAEFAULT (connect, sendto, UDP connect), a
    // SOCKADDR_IN6 on an AF_INET socket is WSAEAFNOSUPPORT.
    common::run(|ws| {
        let v4 = SockAddr::v4([127, 0, 0, 1], 9);
        let v6 = SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 9);
        let t6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.connect(t6, &v4), Err(WsaError::WSAEFAULT));
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEFAULT.code());
        let t4 = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.connect(t4, &v6), Err(WsaError::WSAEAFNOSUPPORT));
        let u6 = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(ws.sendto(u6, b"x", 0, &v4), Err(WsaError::WSAEFAULT));
        assert_eq!(ws.connect(u6, &v4), Err(WsaError::WSAEFAULT));
        let u4 = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(ws.sendto(u4, b"x", 0, &v6), Err(WsaError::WSAEAFNOSUPPORT));
        assert_eq!(ws.connect(u4, &v6), Err(WsaError::WSAEAFNOSUPPORT));
        for s in [t6, t4, u6, u4] {
            ws.closesocket(s)?;
        }
        Ok(())
    });
}
