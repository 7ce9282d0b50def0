//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_getsockname` (line numbers from the Wine
//! 10.0 tarball, where the function spans lines 5335–5417), facts only.
//!
//! Counted in `ok()` calls as Windows executes them, the per-address loop once per local
//! IPv4 address (the simulated host has one):
//!
//! | part of test_getsockname                                    | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | WSAStartup(2.0), socket, 5346–5356                           |      2 |               0 |       0 |
//! | unbound: WSAEINVAL, 5358–5363                                |      2 |               1 |       0 |
//! | bind to 0.0.0.0:0; getsockname: family, port, address, zero padding, 5365–5379 | 7 | 0 | 0 |
//! | a namelen one byte short: WSAEFAULT, 5381–5386               |      0 |               3 |       0 |
//! | each local address binds and reads back, 5390–5413            |      4 |               0 |       0 |
//! | **total**                                                    |     15 |               4 |       0 |
//!
//! Not expressible, per kind: the caller's buffer left unchanged by a failing call (1: the
//! address is returned as a value) and a `namelen` shorter than SOCKADDR_IN (3). gethostbyname("")
//! is not in the API: the local addresses come from gethostname + getaddrinfo(AF_INET).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 5346–5347.
    ws.wsa_startup(0x0002)?;
    let any = SockAddr::v4([0, 0, 0, 0], 0);

    // 5355–5363: unbound: WSAEINVAL.
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_IP)?;
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.getsockname(s);
    common::fails(ws, r, WsaError::WSAEINVAL, "5361–5362");

    // 5365–5379: bound to 0.0.0.0:0: AF_INET, a port, INADDR_ANY, sin_zero zeroed; last error 0.
    ws.bind(s, &any)?;
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let got = ws.getsockname(s)?;
    assert_eq!(ws.wsa_get_last_error(), 0, "5372");
    let b = got.as_bytes();
    assert_eq!(got.family(), AF_INET, "5373");
    assert_ne!(u16::from_be_bytes([b[2], b[3]]), 0, "5374: a port");
    assert_eq!(&b[4..8], &[0, 0, 0, 0], "5375: INADDR_ANY");
    assert_eq!(&b[8..16], &[0; 8], "5377–5378: sin_zero");
    ws.closesocket(s)?;

    // 5390–5413: each local IPv4 address: a UDP socket binds it and reads it back.
    let name = ws.gethostname()?;
    let hints = AddrInfoHints {
        family: AF_INET,
        ..AddrInfoHints::default()
    };
    let local = ws.getaddrinfo(Some(&name), None, Some(&hints))?;
    assert_eq!(local.len(), 1, "the host's one IPv4 address");
    for ai in local {
        let s = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
        ws.bind(s, &ai.addr)?;
        let got = ws.getsockname(s)?;
        assert_eq!(got.as_bytes()[4..8], ai.addr.as_bytes()[4..8], "5408–5409");
        ws.closesocket(s)?;
    }
    ws.wsa_cleanup()
}

#[test]
fn getsockname() {
    // Proves: getsockname of an unbound socket is WSAEINVAL; of a socket bound to 0.0.0.0:0 it
    // gives AF_INET, the chosen port, INADDR_ANY and a zeroed sin_zero; a socket bound to a
    // local address reads that address back (sock.c 5335–5417).
    common::run(check);
}
