//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_accept_inheritance` (Wine 10.0 lines
//! 5153–5232), facts only: an accepted socket inherits the listener's SO_REUSEADDR,
//! SO_KEEPALIVE, SO_OOBINLINE, SO_SNDBUF, SO_RCVBUF, SO_SNDTIMEO, SO_RCVTIMEO, TCP_NODELAY and
//! SO_LINGER.
//!
//! | part of test_accept_inheritance                             | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | listener with the eight options and SO_LINGER {1, 555}, 5178–5186 |  3 |              0 |       0 |
//! | bind, getsockname, listen, connect, accept, 5188–5211       |      6 |               0 |       0 |
//! | the accepted socket has each value, 5213–5220               |      2 |               0 |       0 |
//! | and the linger, 5222–5227                                   |      3 |               0 |       0 |
//! | **total**                                                   |     14 |               0 |       0 |
//!
//! Counts: each `ok()` of the text once (the two loop bodies once).
//!
//! Older tests: `tests/sockc_test_accept.rs` (what accept returns).
mod common;

use winsock_sim::prelude::*;

const INT_TESTS: [(i32, i32, i32); 8] = [
    (SOL_SOCKET, SO_REUSEADDR, 1),
    (SOL_SOCKET, SO_KEEPALIVE, 1),
    (SOL_SOCKET, SO_OOBINLINE, 1),
    (SOL_SOCKET, SO_SNDBUF, 0x123),
    (SOL_SOCKET, SO_RCVBUF, 0x123),
    (SOL_SOCKET, SO_SNDTIMEO, 0x123),
    (SOL_SOCKET, SO_RCVTIMEO, 0x123),
    (IPPROTO_TCP, TCP_NODELAY, 1),
];

fn body<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    // 5178–5186.
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(listener.is_ok(), "5180");
    let listener = listener?;
    for (i, &(level, name, value)) in INT_TESTS.iter().enumerate() {
        let r = ws.setsockopt(listener, level, name, &value.to_le_bytes());
        assert_eq!(r, Ok(()), "5186: test {i}");
    }
    let linger = Linger {
        onoff: 1,
        linger: 555,
    };
    let r = ws.setsockopt(listener, SOL_SOCKET, SO_LINGER, &linger.to_bytes());
    assert_eq!(r, Ok(()), "5192");
    // 5194–5211.
    assert_eq!(
        ws.bind(listener, &SockAddr::v4([127, 0, 0, 1], 0)),
        Ok(()),
        "5198"
    );
    let destaddr = ws.getsockname(listener);
    assert!(destaddr.is_ok(), "5201");
    let destaddr = destaddr?;
    assert_eq!(ws.listen(listener, 1), Ok(()), "5204");
    let client = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(client.is_ok(), "5207");
    let client = client?;
    assert_eq!(ws.connect(client, &destaddr), Ok(()), "5209");
    let server = ws.accept(listener);
    assert!(server.is_ok(), "5211");
    let (server, _) = server?;
    // 5213–5220: each value is inherited.
    for (i, &(level, name, value)) in INT_TESTS.iter().enumerate() {
        let mut got = [0u8; 4];
        let r = ws.getsockopt(server, level, name, &mut got);
        assert!(r.is_ok(), "5218: test {i}: {r:?}");
        assert_eq!(i32::from_le_bytes(got), value, "5219: test {i}");
    }
    // 5222–5227: and the linger.
    let mut got = [0u8; 4];
    let r = ws.getsockopt(server, SOL_SOCKET, SO_LINGER, &mut got);
    assert!(r.is_ok(), "5225");
    let got = Linger::from_bytes(got);
    assert_eq!(got.onoff, 1, "5226");
    assert_eq!(got.linger, 555, "5227");
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.closesocket(listener)
}

#[test]
fn accept_inheritance() {
    // Proves: accept copies the listener's SO_REUSEADDR, SO_KEEPALIVE, SO_OOBINLINE, buffer
    // sizes, timeouts, TCP_NODELAY and SO_LINGER to the new socket (sock.c 5153–5232).
    common::run(body);
}
