//! Wine `dlls/ws2_32/tests/afd.c`, function `test_bind` (L2105-2366 of the file at
//! Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines counted),
//! facts only: what IOCTL_AFD_BIND answers, checked through `bind` and `getsockname`, which
//! ws2_32 builds on it and on IOCTL_AFD_GETSOCKNAME. Our own code.
//!
//! Counting: each `ok()` / `todo_wine ok()` once; the `gethostbyname("")` loop once per
//! address the simulated host lists (one: 192.0.2.1). NTSTATUS → WinSock (ws2_32's mapping):
//! STATUS_INVALID_ADDRESS_COMPONENT = WSAEADDRNOTAVAIL, STATUS_ADDRESS_ALREADY_ASSOCIATED =
//! WSAEINVAL, STATUS_SHARING_VIOLATION = WSAEADDRINUSE. The address the ioctl writes back
//! is the one getsockname then reads. The ioctl completes through its event (it "pends" on
//! Windows); bind is synchronous, so that return and the event wait are not expressible.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L2127-2147 bad family, short parameter blocks (4) | 0 | 4 | 0 |
//! | L2149-2160 address not on the host; short output (4) | 1 (bind → WSAEADDRNOTAVAIL) | 3 | 0 |
//! | L2162-2181 loopback binds; the name read back (9) | 6 (bind, getsockname) | 3 | 0 |
//! | L2183-2198 bound again; the same address on a second socket (5) | 2 (bind → WSAEINVAL, WSAEADDRINUSE) | 3 | 0 |
//! | L2205-2225 UDP on loopback (9) | 6 (bind, getsockname) | 3 | 0 |
//! | L2229-2259 UDP on each gethostbyname("") address (11 × 1) | 8 (gethostbyname, bind, getsockname) | 3 | 0 |
//! | L2264-2313 IPv6: socket, bad blocks, an address not on the host, short output (12) | 2 (socket, bind → WSAEADDRNOTAVAIL) | 10 | 0 |
//! | L2315-2341 ::1 binds; the name read back (10) | 7 (bind, getsockname) | 3 | 0 |
//! | L2343-2358 bound again; the same address on a second socket (5) | 2 (bind → WSAEINVAL, WSAEADDRINUSE) | 3 | 0 |
//! | **total (69)** | **34** | **35** | **0** |
//!
//! Not expressible, per kind: the parameter block's size and family checks, made by AFD on
//! a block ws2_32 builds itself (9: L2132-2147, L2270-2290; bind's own checks of name and
//! namelen are sock.c's, tests/sockc_test_bind.rs); the output buffer's size (4: L2160,
//! L2303, L2308, L2313); the pending return and event wait of each bind (16);
//! `io.Information` (6: L2171, L2198, L2216, L2247, L2330, L2358). `io.Status` is the
//! WinSock error (or success) and is counted ported.
//! Also covered by tests/sockc_test_bind.rs (sock.c's test_bind): the same error codes
//! with last-error checks.
mod common;

use std::net::{Ipv6Addr, SocketAddr};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// Binds `s` to `a` and checks what the ioctl's output block held: the family, the address
/// asked for, a nonzero port; getsockname then reads the same name. Returns it.
fn bound(ws: &SimWinsock, s: Socket, a: &SockAddr, what: &str) -> Result<SockAddr, WsaError> {
    ws.bind(s, a)?; // io.Status 0
    let name = ws.getsockname(s)?;
    assert_eq!(name.family(), a.family(), "{what}: family");
    let (want, got) = (a.to_socket_addr(), name.to_socket_addr());
    assert_eq!(got.map(|g| g.ip()), want.map(|w| w.ip()), "{what}: address");
    assert_ne!(name.port(), Some(0), "{what}: a nonzero port");
    // The IOCTL_AFD_GETSOCKNAME after it: succeeds with the same bytes.
    assert_eq!(ws.getsockname(s)?, name, "{what}: the name read back");
    Ok(name)
}

#[test]
fn ipv4_stream_and_datagram_binds() {
    common::run(|ws| {
        let lo = SockAddr::v4([127, 0, 0, 1], 0);
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?; // L2127
                                                               // L2149-2155: 192.0.2.0 is no address of this host.
        let r = ws.bind(s, &SockAddr::v4([192, 0, 2, 0], 0));
        common::fails(ws, r, WsaError::WSAEADDRNOTAVAIL, "L2155");
        // L2162-2181: loopback binds (L2170, L2172-2174); the name reads back (L2180-2181).
        let name = bound(ws, s, &lo, "L2170-2181")?;
        // L2183-2185: bound already.
        common::fails(ws, ws.bind(s, &lo), WsaError::WSAEINVAL, "L2185");
        // L2187-2197: a second socket, the first one's address: in use.
        let s2 = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let r = ws.bind(s2, &name);
        common::fails(ws, r, WsaError::WSAEADDRINUSE, "L2197");
        ws.closesocket(s2)?;
        ws.closesocket(s)?;

        // L2205-2225: UDP on loopback (L2215, L2217-2219, L2224-2225).
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        bound(ws, s, &lo, "L2215-2225")?;
        ws.closesocket(s)?;

        // L2229-2259: each address gethostbyname("") lists binds a UDP socket (L2246,
        // L2248-2250, L2255-2256).
        let host = ws.gethostbyname("")?;
        assert!(!host.addrs.is_empty(), "L2230: this host has an address");
        for a in host.addrs {
            let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
            bound(ws, s, &SockAddr::v4(a, 0), &format!("L2246-2256 {a:?}"))?;
            ws.closesocket(s)?;
        }
        Ok(())
    });
}

#[test]
fn ipv6_stream_binds() {
    common::run(|ws| {
        let lo6 = SockAddr::from(SocketAddr::from((Ipv6Addr::LOCALHOST, 0)));
        // L2264-2265: an IPv6 stream socket.
        let s = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        // L2292-2298: 100:: is no address of this host.
        let r = ws.bind(s, &SockAddr::v6([0x0100, 0, 0, 0, 0, 0, 0, 0], 0));
        common::fails(ws, r, WsaError::WSAEADDRNOTAVAIL, "L2298");
        // L2315-2341: ::1 binds (L2329, L2331-2334), the name reads back (L2340-2341).
        let name = bound(ws, s, &lo6, "L2329-2341")?;
        let b = name.as_bytes();
        assert_eq!(b.len(), SOCKADDR_IN6_LEN, "L2331: a SOCKADDR_IN6");
        assert_eq!(&b[4..8], &[0; 4], "L2333: flow info 0");
        // L2343-2345: bound already.
        common::fails(ws, ws.bind(s, &lo6), WsaError::WSAEINVAL, "L2345");
        // L2347-2357: a second socket, the first one's address: in use.
        let s2 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        let r = ws.bind(s2, &name);
        common::fails(ws, r, WsaError::WSAEADDRINUSE, "L2357");
        ws.closesocket(s2)?;
        ws.closesocket(s)
    });
}
