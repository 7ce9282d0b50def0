//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_listen` (line numbers from the Wine 10.0
//! tarball, where the function spans lines 4170–4291), facts only.
//!
//! | part of test_listen                                        | ported | not expressible | failing |
//! |------------------------------------------------------------|-------:|----------------:|--------:|
//! | invalid handles 0 and 0xdeadbeef: WSAENOTSOCK, 4180–4189     |      4 |               0 |       0 |
//! | UDP: WSAEOPNOTSUPP, 4191–4201                              |      4 |               0 |       0 |
//! | unbound TCP: WSAEINVAL for backlog -2, 1, SOMAXCONN, 4203–4223 |   8 |               0 |       0 |
//! | bind; a second bind to the address fails, 4225–4229         |      2 |               1 |       0 |
//! | SO_ACCEPTCONN before listen, read-only, 4231–4245           |      6 |               0 |       0 |
//! | listen, listen again, SO_ACCEPTCONN after, read-only, 4247–4265 | 8 |              0 |       0 |
//! | listen on the unbound socket; closesocket, 4267–4273        |      3 |               0 |       0 |
//! | a new socket cannot bind the listening address, 4275–4283   |      3 |               0 |       0 |
//! | closesocket × 2, 4285–4288                                  |      2 |               0 |       0 |
//! | **total**                                                  |     40 |               1 |       0 |
//!
//! Not expressible: line 4229 checks a stale `ret` (the WSAEINVAL of line 4222) after the
//! second bind, not that bind's error; the bind's failure itself is ported (its error on
//! Windows, WSAEADDRINUSE, is the one 4282 checks).
mod common;

use winsock_sim::prelude::*;

/// SERVERPORT.
const PORT: u16 = 9374;

fn check<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let address = SockAddr::v4([127, 0, 0, 1], PORT);
    let poison = || ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let acceptconn = |s| -> Result<u32, WsaError> {
        let mut b = 0xdeadu32.to_le_bytes();
        ws.getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &mut b)?;
        Ok(u32::from_le_bytes(b))
    };

    // 4180–4189: handles 0 and 0xdeadbeef are not sockets.
    for h in [0usize, 0xdead_beef] {
        poison();
        let r = ws.listen(Socket::from_raw(h), 0);
        common::fails(ws, r, WsaError::WSAENOTSOCK, &format!("listen({h:#x})"));
    }

    // 4191–4201: UDP cannot listen.
    let a = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
    let r = ws.listen(a, 1);
    common::fails(ws, r, WsaError::WSAEOPNOTSUPP, "4196–4198: UDP");
    ws.closesocket(a)?;

    // 4203–4223: an unbound TCP socket cannot listen, whatever the backlog.
    let a = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    let b = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    for backlog in [-2, 1, SOMAXCONN] {
        poison();
        let r = ws.listen(a, backlog);
        common::fails(ws, r, WsaError::WSAEINVAL, &format!("backlog {backlog}"));
    }

    // 4225–4229: bind; a second socket cannot bind the same address.
    ws.bind(a, &address)?;
    assert!(
        ws.bind(b, &address).is_err(),
        "4228: bind should have failed"
    );

    // 4231–4245: SO_ACCEPTCONN is 0 before listen and cannot be set (WSAENOPROTOOPT).
    assert_eq!(acceptconn(a)?, 0, "4234");
    for v in [1i32, 0] {
        poison();
        let r = ws.setsockopt(a, SOL_SOCKET, SO_ACCEPTCONN, &v.to_le_bytes());
        common::fails(
            ws,
            r,
            WsaError::WSAENOPROTOOPT,
            &format!("set SO_ACCEPTCONN {v}"),
        );
    }

    // 4247–4265: listen, listen again (a new backlog); SO_ACCEPTCONN is 1, still read-only.
    ws.listen(a, 0)?;
    ws.listen(a, SOMAXCONN)?;
    assert_eq!(acceptconn(a)?, 1, "4252");
    for v in [1i32, 0] {
        poison();
        let r = ws.setsockopt(a, SOL_SOCKET, SO_ACCEPTCONN, &v.to_le_bytes());
        common::fails(
            ws,
            r,
            WsaError::WSAENOPROTOOPT,
            &format!("set SO_ACCEPTCONN {v}"),
        );
    }

    // 4267–4273: the socket whose bind failed cannot listen (unbound: WSAEINVAL).
    poison();
    let r = ws.listen(b, SOMAXCONN);
    common::fails(ws, r, WsaError::WSAEINVAL, "4268–4270");
    ws.closesocket(b)?;

    // 4275–4283: a new socket's bind to the listening address: WSAEADDRINUSE.
    let b = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    poison();
    let r = ws.bind(b, &address);
    common::fails(ws, r, WsaError::WSAEADDRINUSE, "4279–4282");

    // 4285–4288.
    ws.closesocket(a)?;
    ws.closesocket(b)
}

#[test]
fn listen() {
    // Proves: listen's errors (not a socket, UDP, unbound), listening twice, SO_ACCEPTCONN
    // before and after (read-only), and the listening address in use (sock.c 4170–4291).
    common::run(check);
}
