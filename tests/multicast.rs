//! UDP multicast: IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP and IPV6_ADD_MEMBERSHIP /
//! IPV6_DROP_MEMBERSHIP (their errors), delivery of a datagram sent to a group to every
//! member bound to its port on every host, and IP_MULTICAST_LOOP.
//!
//! Windows facts: the error table of Microsoft's "Multicast Socket Option Behavior" page
//! (joining a group twice: WSAEADDRNOTAVAIL; an option call on a group not joined:
//! WSAEINVAL); the options are set-only ("IPPROTO_IP socket options": no Get column), and the
//! sim answers `getsockopt` with WSAENOPROTOOPT as for its other set-only options.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

const GROUP: [u8; 4] = [239, 1, 2, 3];
const GROUP6: [u16; 8] = [0xff15, 0, 0, 0, 0, 0, 0, 0x1234];
const PORT: u16 = 5000;

fn udp<W: Winsock>(ws: &W) -> Result<Socket, WsaError> {
    ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
}

fn group6_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    for (i, w) in GROUP6.iter().enumerate() {
        b[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
    }
    b
}

/// A UDP socket bound to `addr` (SO_REUSEADDR on, so several can share the port) that joined
/// GROUP.
fn member(ws: &SimWinsock, addr: [u8; 4]) -> Result<Socket, WsaError> {
    let s = udp(ws)?;
    ws.setsockopt_i32(s, SOL_SOCKET, SO_REUSEADDR, 1)?;
    ws.bind(s, &SockAddr::v4(addr, PORT))?;
    ws.setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &ip_mreq(GROUP, [0; 4]))?;
    ws.set_nonblocking(s, true)?;
    Ok(s)
}

/// The datagrams waiting on nonblocking socket `s`.
fn drain(ws: &SimWinsock, s: Socket) -> Result<Vec<Vec<u8>>, WsaError> {
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        match ws.recvfrom(s, &mut buf, 0) {
            Ok((n, _)) => got.push(buf[..n].to_vec()),
            Err(WsaError::WSAEWOULDBLOCK) => return Ok(got),
            Err(e) => return Err(e),
        }
    }
}

#[test]
fn membership_option_errors() {
    // Proves: the membership options are datagram-only (WSAEINVAL to set on TCP), need a whole
    // ip_mreq / ipv6_mreq (WSAEFAULT when shorter), take only multicast groups (WSAEINVAL),
    // refuse a second join (WSAEADDRNOTAVAIL) and a drop of a group not joined (WSAEINVAL),
    // refuse an interface address the host lacks (WSAEADDRNOTAVAIL), and are set-only
    // (getsockopt: WSAENOPROTOOPT).
    common::run(|ws| {
        let t = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let mreq = ip_mreq(GROUP, [0; 4]);
        assert_eq!(
            ws.setsockopt(t, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq),
            Err(WsaError::WSAEINVAL)
        );
        let mut b = [0u8; 8];
        assert_eq!(
            ws.getsockopt(t, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mut b),
            Err(WsaError::WSAENOPROTOOPT),
            "read on TCP (conformance OP-08)"
        );
        let u = udp(ws)?;
        assert_eq!(
            ws.setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq[..7]),
            Err(WsaError::WSAEFAULT)
        );
        assert_eq!(
            ws.setsockopt(
                u,
                IPPROTO_IP,
                IP_ADD_MEMBERSHIP,
                &ip_mreq([192, 0, 2, 7], [0; 4])
            ),
            Err(WsaError::WSAEINVAL),
            "not a multicast address"
        );
        assert_eq!(
            ws.setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mreq),
            Err(WsaError::WSAEINVAL),
            "drop before join"
        );
        assert_eq!(
            ws.setsockopt(
                u,
                IPPROTO_IP,
                IP_ADD_MEMBERSHIP,
                &ip_mreq(GROUP, [198, 51, 100, 9])
            ),
            Err(WsaError::WSAEADDRNOTAVAIL),
            "interface address not on the host"
        );
        // Joining unbound works; the default interface, the host's address or an index.
        ws.setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!(
            ws.setsockopt(
                u,
                IPPROTO_IP,
                IP_ADD_MEMBERSHIP,
                &ip_mreq(GROUP, [192, 0, 2, 1])
            ),
            Err(WsaError::WSAEADDRNOTAVAIL),
            "second join"
        );
        ws.setsockopt(
            u,
            IPPROTO_IP,
            IP_ADD_MEMBERSHIP,
            &ip_mreq([239, 9, 9, 9], [0, 0, 0, 1]),
        )?;
        let mut b = [0u8; 8];
        assert_eq!(
            ws.getsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mut b),
            Err(WsaError::WSAENOPROTOOPT)
        );
        ws.setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mreq)?;
        assert_eq!(
            ws.setsockopt(u, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mreq),
            Err(WsaError::WSAEINVAL),
            "second drop"
        );

        // IPv6: ipv6_mreq is 20 bytes; the IPv6 level needs an AF_INET6 socket.
        let u6 = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        let m6 = ipv6_mreq(group6_bytes(), 0);
        assert_eq!(
            ws.setsockopt(u6, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m6[..19]),
            Err(WsaError::WSAEFAULT)
        );
        let mut not_mcast = group6_bytes();
        not_mcast[0] = 0x20;
        assert_eq!(
            ws.setsockopt(
                u6,
                IPPROTO_IPV6,
                IPV6_ADD_MEMBERSHIP,
                &ipv6_mreq(not_mcast, 0)
            ),
            Err(WsaError::WSAEINVAL)
        );
        ws.setsockopt(u6, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m6)?;
        assert_eq!(
            ws.setsockopt(u6, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m6),
            Err(WsaError::WSAEADDRNOTAVAIL)
        );
        let mut b = [0u8; 20];
        assert_eq!(
            ws.getsockopt(u6, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, &mut b),
            Err(WsaError::WSAENOPROTOOPT)
        );
        ws.setsockopt(u6, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, &m6)?;
        assert_eq!(
            ws.setsockopt(u6, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, &m6),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(
            ws.setsockopt(u, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m6),
            Err(WsaError::WSAEINVAL),
            "IPv6 level on an AF_INET socket"
        );
        let t6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(
            ws.setsockopt(t6, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m6),
            Err(WsaError::WSAEINVAL)
        );
        Ok(())
    });
}

#[test]
fn a_group_datagram_reaches_every_member_on_every_host() {
    // Proves: one sendto to 239.1.2.3:5000 from a socket that never joined reaches each
    // socket that joined and is bound to port 5000 on the sender's host (on 0.0.0.0 and on
    // the host's address) and on another host, once each (binding the group address itself
    // is WSAEADDRNOTAVAIL); a member on another port, a socket on
    // the port that did not join, and a host without members get nothing.
    let mut sim = Sim::builder().seed(common::seed()).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    let c = sim.host("c", "192.0.2.3");
    a.spawn("a", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let m1 = member(ws, [0, 0, 0, 0])?;
        let m2 = member(ws, [192, 0, 2, 1])?;
        // Windows does not bind a socket to a group address.
        let g = udp(ws)?;
        assert_eq!(
            ws.bind(g, &SockAddr::v4(GROUP, PORT)),
            Err(WsaError::WSAEADDRNOTAVAIL)
        );
        let sender = udp(ws)?;
        ws.sleep(50);
        assert_eq!(
            ws.sendto(sender, b"hello", 0, &SockAddr::v4(GROUP, PORT))?,
            5
        );
        ws.sleep(100);
        assert_eq!(drain(ws, m1)?, vec![b"hello".to_vec()]);
        assert_eq!(drain(ws, m2)?, vec![b"hello".to_vec()]);
        // The sender (bound implicitly to another port, not a member) gets nothing.
        ws.set_nonblocking(sender, true)?;
        assert!(drain(ws, sender)?.is_empty());
        Ok(())
    });
    b.spawn("b", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let m = member(ws, [0, 0, 0, 0])?;
        let other_port = udp(ws)?;
        ws.bind(other_port, &SockAddr::v4([0; 4], PORT + 1))?;
        ws.setsockopt(
            other_port,
            IPPROTO_IP,
            IP_ADD_MEMBERSHIP,
            &ip_mreq(GROUP, [0; 4]),
        )?;
        ws.set_nonblocking(other_port, true)?;
        let not_joined = udp(ws)?;
        ws.setsockopt_i32(not_joined, SOL_SOCKET, SO_REUSEADDR, 1)?;
        ws.bind(not_joined, &SockAddr::v4([0; 4], PORT))?;
        ws.set_nonblocking(not_joined, true)?;
        ws.sleep(150);
        let mut buf = [0u8; 16];
        let (n, from) = ws.recvfrom(m, &mut buf, 0)?;
        assert_eq!(&buf[..n], b"hello");
        assert_eq!(from.to_socket_addr().unwrap().ip().to_string(), "192.0.2.1");
        assert!(drain(ws, m)?.is_empty(), "exactly one copy");
        assert!(drain(ws, other_port)?.is_empty());
        assert!(drain(ws, not_joined)?.is_empty());
        Ok(())
    });
    c.spawn("c", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = udp(ws)?;
        ws.bind(s, &SockAddr::v4([0; 4], PORT))?;
        ws.set_nonblocking(s, true)?;
        ws.sleep(150);
        assert!(drain(ws, s)?.is_empty(), "no membership, no datagram");
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn multicast_loop_off_keeps_the_datagram_off_the_senders_host() {
    // Proves: with IP_MULTICAST_LOOP off on the sender, members on the sender's own host get
    // nothing (the sender included) while members elsewhere still do; with it on (the
    // default) the sender's own member socket receives its datagram too.
    let mut sim = Sim::builder().seed(common::seed()).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    a.spawn("a", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let local = member(ws, [0; 4])?;
        let sender = member(ws, [0; 4])?;
        assert_eq!(ws.getsockopt_i32(sender, IPPROTO_IP, IP_MULTICAST_LOOP)?, 1);
        ws.sleep(50);
        ws.setsockopt_i32(sender, IPPROTO_IP, IP_MULTICAST_LOOP, 0)?;
        ws.sendto(sender, b"off", 0, &SockAddr::v4(GROUP, PORT))?;
        ws.sleep(50);
        assert!(drain(ws, local)?.is_empty());
        assert!(drain(ws, sender)?.is_empty());
        ws.setsockopt_i32(sender, IPPROTO_IP, IP_MULTICAST_LOOP, 1)?;
        ws.sendto(sender, b"on", 0, &SockAddr::v4(GROUP, PORT))?;
        ws.sleep(50);
        assert_eq!(drain(ws, local)?, vec![b"on".to_vec()]);
        assert_eq!(drain(ws, sender)?, vec![b"on".to_vec()]);
        Ok(())
    });
    b.spawn("b", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let m = member(ws, [0; 4])?;
        ws.sleep(200);
        assert_eq!(drain(ws, m)?, vec![b"off".to_vec(), b"on".to_vec()]);
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn dropping_the_membership_stops_delivery() {
    // Proves: after IP_DROP_MEMBERSHIP a socket no longer receives the group's datagrams,
    // while a socket that kept its membership still does; closing a member is harmless.
    common::run(|ws| {
        let kept = member(ws, [0; 4])?;
        let dropped = member(ws, [0; 4])?;
        let closed = member(ws, [0; 4])?;
        ws.closesocket(closed)?;
        let sender = udp(ws)?;
        let to = SockAddr::v4(GROUP, PORT);
        ws.sendto(sender, b"1", 0, &to)?;
        ws.sleep(10);
        ws.setsockopt(
            dropped,
            IPPROTO_IP,
            IP_DROP_MEMBERSHIP,
            &ip_mreq(GROUP, [0; 4]),
        )?;
        ws.sendto(sender, b"2", 0, &to)?;
        ws.sleep(10);
        assert_eq!(drain(ws, kept)?, vec![b"1".to_vec(), b"2".to_vec()]);
        assert_eq!(drain(ws, dropped)?, vec![b"1".to_vec()]);
        Ok(())
    });
}

#[test]
fn ipv6_group_datagram_reaches_members_on_other_hosts() {
    // Proves: IPV6_ADD_MEMBERSHIP on [::]:port receives a datagram sent to ff15::1234 from
    // another IPv6 host, with the sender's address as the source; a member of another
    // group on the same port gets nothing.
    let mut sim = Sim::builder().seed(common::seed()).build();
    let a = sim.host("a", "2001:db8::1");
    let b = sim.host("b", "2001:db8::2");
    a.spawn("a", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.sleep(50);
        ws.sendto(s, b"six", 0, &SockAddr::v6(GROUP6, PORT))?;
        Ok(())
    });
    b.spawn("b", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let m = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.setsockopt_i32(m, SOL_SOCKET, SO_REUSEADDR, 1)?;
        ws.bind(m, &SockAddr::v6([0; 8], PORT))?;
        ws.setsockopt(
            m,
            IPPROTO_IPV6,
            IPV6_ADD_MEMBERSHIP,
            &ipv6_mreq(group6_bytes(), 0),
        )?;
        let other = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.setsockopt_i32(other, SOL_SOCKET, SO_REUSEADDR, 1)?;
        ws.bind(other, &SockAddr::v6([0; 8], PORT))?;
        let mut g = group6_bytes();
        g[15] = 0x99;
        ws.setsockopt(other, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &ipv6_mreq(g, 0))?;
        ws.set_nonblocking(other, true)?;
        let mut buf = [0u8; 8];
        let (n, from) = ws.recvfrom(m, &mut buf, 0)?;
        assert_eq!(&buf[..n], b"six");
        assert_eq!(
            from.to_socket_addr().unwrap().ip().to_string(),
            "2001:db8::1"
        );
        assert!(drain(ws, other)?.is_empty());
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}
