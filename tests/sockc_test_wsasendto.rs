//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_WSASendTo` (Wine 10.0 lines 7655–7698),
//! facts only.
//!
//! | part of test_WSASendTo                                   | ported | not expressible | failing |
//! |----------------------------------------------------------|-------:|----------------:|--------:|
//! | socket; INVALID_SOCKET: WSAENOTSOCK, 7670–7676           |      2 |               0 |       0 |
//! | an unbound socket: getsockname WSAEINVAL, 7678–7681      |      2 |               0 |       0 |
//! | NULL lpNumberOfBytesSent, no OVERLAPPED: WSAEFAULT, 7683–7686 |  0 |               1 |       0 |
//! | sent, last error 0, the socket bound, 7688–7697          |      5 |               0 |       0 |
//! | **total**                                                |      9 |               1 |       0 |
//!
//! Not expressible, per kind: a NULL `lpNumberOfBytesSent` without an OVERLAPPED (1): the
//! API's WSASendTo always reports the count. WSASendTo without an OVERLAPPED is written as
//! the API's `wsa_send_to` with one: on a datagram socket it completes at once with the same
//! return value, last error and implicit bind.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    let addr = SockAddr::v4([127, 0, 0, 1], 139);
    let buf = b"hello world\0".to_vec();

    // 7670–7676: a datagram socket; WSASendTo(INVALID_SOCKET): WSAENOTSOCK.
    let s = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
    ws.wsa_set_last_error(12345);
    let r = ws.wsa_send_to(
        Socket::INVALID,
        vec![buf.clone()],
        0,
        &addr,
        Overlapped::new(1),
        None,
    );
    common::fails(ws, r, WsaError::WSAENOTSOCK, "7674–7676");

    // 7678–7681: not bound yet.
    let r = ws.getsockname(s);
    common::fails(ws, r, WsaError::WSAEINVAL, "7680–7681");

    // 7683–7686: NULL lpNumberOfBytesSent: not expressible.

    // 7688–7691: sent; last error 0.
    ws.wsa_set_last_error(12345);
    let r = ws.wsa_send_to(s, vec![buf], 0, &addr, Overlapped::new(2), None);
    assert_eq!(r, Ok(12), "7690: success");
    assert_eq!(ws.wsa_get_last_error(), 0, "7691: last error 0");

    // 7693–7697: now bound: AF_INET and a port.
    let r = ws.getsockname(s);
    assert!(r.is_ok(), "7695: getsockname works");
    let a = r?;
    assert_eq!(a.family(), AF_INET, "7696");
    assert_ne!(a.port(), Some(0), "7697");
    ws.closesocket(s)
}

#[test]
fn wsasendto() {
    // Proves: WSASendTo on INVALID_SOCKET fails with WSAENOTSOCK; on an unbound datagram socket
    // it sends, sets last error 0 and binds the socket (sock.c 7655–7698).
    common::run(check);
}
