//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_UDP` (line numbers from the Wine 10.0
//! tarball, where the function spans lines 3180–3322, with `send_udp_thread` 3157–3178 and
//! `do_bind` 363–375), facts only.
//!
//! Counted in `ok()` calls as Windows executes them (NUM_UDP_PEERS = 3; the parallel-send
//! loops 256 times in each thread):
//!
//! | part of test_UDP                                             | ported | not expressible | failing |
//! |--------------------------------------------------------------|-------:|----------------:|--------:|
//! | three peers: socket, bind, getsockname, a port, 3199–3216      |     12 |               0 |       0 |
//! | a 1-byte fromlen: recvfrom fails, marker kept; then received, 3218–3232 | 2 |      2 |       0 |
//! | a 1024-byte fromlen: only the address written, 3234–3242      |      2 |               1 |       0 |
//! | peer 0's port, 3245                                           |      1 |               0 |       0 |
//! | each peer sends its port; peer 0 receives them, 3247–3258     |      6 |               0 |       0 |
//! | a connected socket's sends to a closed port succeed, 3260–3275 |    12 |               0 |       0 |
//! | parallel sends and selects in two threads, 3277–3295          |   1024 |               0 |       0 |
//! | sendto port 0, IPv4 and IPv6, 3297–3321                       |      5 |               0 |       0 |
//! | **total**                                                     |   1064 |               3 |       0 |
//!
//! Not expressible: a `fromlen` too small for the address (recvfrom fails, 3225) and the
//! caller's buffer beyond the address left untouched (3226, 3241): `recvfrom` returns the
//! source address as a value. The datagram the failed call left queued is received by the
//! next call (3230), as in sock.c.
mod common;

use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// SERVERPORT.
const PORT: u16 = 9374;

fn port_of(a: &SockAddr) -> u16 {
    let b = a.as_bytes();
    u16::from_be_bytes([b[2], b[3]])
}

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    let mut buf = [0u8; 16];

    // 3199–3216: peers 2, 1, 0 on 127.0.0.1; peer 0 on SERVERPORT, the others on any port.
    let mut peers = [(Socket::INVALID, SockAddr::v4([0; 4], 0)); 3];
    for i in (0..3).rev() {
        let s = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
        let port = if i == 0 { PORT } else { 0 };
        ws.bind(s, &SockAddr::v4([127, 0, 0, 1], port))?;
        let a = ws.getsockname(s)?;
        assert_ne!(port_of(&a), 0, "3215: a port");
        peers[i] = (s, a);
    }
    let (p0, a0) = peers[0];

    // 3218–3232: a datagram to peer 0 (the too-short fromlen is not expressible), received.
    assert_eq!(ws.sendto(peers[1].0, &buf, 0, &a0)?, 16, "3220");
    assert_eq!(ws.recvfrom(p0, &mut buf, 0)?.0, 16, "3230");

    // 3234–3242: again, received whole.
    assert_eq!(ws.sendto(peers[1].0, &buf, 0, &a0)?, 16, "3236");
    assert_eq!(ws.recvfrom(p0, &mut buf, 0)?.0, 16, "3240");

    // 3245: peer 0 is on SERVERPORT.
    assert_eq!(port_of(&a0), PORT, "3245");

    // 3247–3258: each peer sends its port; peer 0 receives each from that port.
    for &(s, a) in &peers[1..] {
        buf[..2].copy_from_slice(&a.as_bytes()[2..4]);
        assert_eq!(ws.sendto(s, &buf, 0, &a0)?, 16, "3251");
    }
    for _ in 1..3 {
        let (n, from) = ws.recvfrom(p0, &mut buf, 0)?;
        assert_eq!(n, 16, "3256");
        assert_eq!(&from.as_bytes()[2..4], &buf[..2], "3257: the port sent");
    }

    // 3260–3275: a UDP socket connected to 127.0.0.1:255 (nothing there): ten sends succeed,
    // whatever ICMP says.
    let sock = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.connect(sock, &SockAddr::v4([127, 0, 0, 1], 255))?;
    for i in 0..10 {
        assert_eq!(ws.send(sock, &buf, 0)?, 16, "3273: send {i}");
    }

    // 3277–3295: nonblocking; this thread and another send 256 datagrams each, and select
    // finds the socket writable before each send.
    let mut one = 1u32;
    ws.ioctlsocket(sock, FIONBIO, &mut one)?;
    let start = ws.create_event(false, false)?;
    let t = ws.create_thread("send_udp_thread", move |ws: &SimWinsock| {
        ws.wait_for_single_object(start.into(), INFINITE)?;
        let big = [0u8; 256];
        for i in 0..256 {
            let mut wr = FdSet::from_array(&[sock]);
            let n = ws.select(None, Some(&mut wr), None, Some(Duration::ZERO))?;
            assert_eq!(n, 1, "3172: i {i}");
            assert_eq!(ws.send(sock, &big, 0)?, 256, "3174: i {i}");
        }
        Ok(())
    })?;
    ws.set_event(start)?;
    for i in 0..256 {
        assert_eq!(ws.send(sock, &buf, 0)?, 16, "3286: i {i}");
        let mut wr = FdSet::from_array(&[sock]);
        let n = ws.select(None, Some(&mut wr), None, Some(Duration::ZERO))?;
        assert_eq!(n, 1, "3290: i {i}");
    }
    ws.wait_for_thread(t, INFINITE)?;
    ws.closesocket(sock)?;

    // 3297–3306: sendto 127.0.0.1 port 0 succeeds.
    let sock = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let r = ws.sendto(sock, &buf, 0, &SockAddr::v4([127, 0, 0, 1], 0))?;
    assert_eq!(r, 16, "3304");
    ws.closesocket(sock)?;

    // 3308–3321: so does sendto [::1] port 0.
    let sock = ws.socket(AF_INET6, SOCK_DGRAM, 0)?;
    let ip = inet_pton(AF_INET6, "::1")?.expect("3314: inet_pton");
    let to = SockAddr::from(std::net::SocketAddr::new(ip, 0));
    assert_eq!(ws.sendto(sock, &buf, 0, &to)?, 16, "3318");
    ws.closesocket(sock)?;
    for (s, _) in peers {
        ws.closesocket(s)?;
    }
    Ok(())
}

#[test]
fn udp() {
    // Proves: UDP sendto/recvfrom between bound peers with their source ports, sends on a
    // socket connected to a closed port succeed, 512 parallel nonblocking sends each find the
    // socket writable, and datagrams to port 0 (IPv4 and IPv6) are sent (sock.c 3180–3322).
    common::run(check);
}
