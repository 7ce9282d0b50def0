//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_icmp` (Wine 10.0 lines 13907–13997),
//! facts only.
//!
//! | part of test_icmp                                                | ported | not expressible | failing |
//! |------------------------------------------------------------------|-------:|----------------:|--------:|
//! | `WSASocket(AF_INET, SOCK_RAW, IPPROTO_ICMP)`: WSAEACCES, 13921–13928 |  1 |               0 |       0 |
//! | an echo request sent, a short recv: WSAEMSGSIZE, 13930–13954     |      0 |               3 |       0 |
//! | a second echo, the reply's IP and ICMP headers, 13956–13994      |      0 |              15 |       0 |
//! | **total**                                                        |      1 |              18 |       0 |
//!
//! The simulator models a process without administrator rights, as Windows runs one by
//! default: a raw socket is refused with WSAEACCES, and sock.c then skips the rest. Not
//! expressible, per kind: everything done on a raw ICMP socket (18: sending an echo request,
//! the short receive, the reply's IP header fields and checksum, the ICMP type, code, id,
//! sequence, checksum and data) — the simulator has no raw sockets and no ICMP echo.
//!
//! The ICMP the simulator does model is "port unreachable" for a datagram no socket took:
//! the sender's next receive fails once with WSAECONNRESET (sock.c's status table maps
//! STATUS_PORT_UNREACHABLE to WSAECONNRESET, line 12938). That is checked here too, beside
//! the port, as `udp_port_unreachable_resets_the_next_receive`.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// IPPROTO_ICMP (1).
const IPPROTO_ICMP: i32 = 1;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 13921–13928: raw sockets need administrator rights: WSAEACCES.
    let r = ws.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    common::fails(ws, r, WsaError::WSAEACCES, "13924–13925");
    Ok(())
}

#[test]
fn icmp() {
    // Proves: an unprivileged process cannot open a raw ICMP socket: WSAEACCES
    // (sock.c 13907–13928; the rest of the function needs the socket).
    common::run(check);
}

#[test]
fn udp_port_unreachable_resets_the_next_receive() {
    // Proves: a datagram sent over loopback to a port no socket is bound to comes back as an
    // ICMP port unreachable, and the sender's next recvfrom fails with WSAECONNRESET; the one
    // after that waits as usual (WSAEWOULDBLOCK, nonblocking).
    common::run(|ws| {
        let to = {
            let t = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
            ws.bind(t, &SockAddr::v4([127, 0, 0, 1], 0))?;
            let a = ws.getsockname(t)?;
            ws.closesocket(t)?;
            a
        };
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
        assert_eq!(ws.sendto(s, b"ping", 0, &to), Ok(4));
        // Let the unreachable come back (it travels the loopback link).
        ws.sleep(10);
        let mut b = [0u8; 8];
        ws.set_nonblocking(s, true)?;
        let r = ws.recvfrom(s, &mut b, 0);
        common::fails(ws, r, WsaError::WSAECONNRESET, "the next receive");
        let r = ws.recvfrom(s, &mut b, 0);
        common::fails(ws, r, WsaError::WSAEWOULDBLOCK, "only once");
        ws.closesocket(s)
    });
}
