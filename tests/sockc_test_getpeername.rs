//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_getpeername` (line numbers from the Wine
//! 10.0 tarball, where the function spans lines 10074–10157), facts only.
//!
//! | part of test_getpeername                                    | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | INVALID_SOCKET first: WSAENOTSOCK, 10084–10087                |      2 |               0 |       0 |
//! | UDP socket, unconnected: WSAENOTCONN, 10089–10095             |      3 |               0 |       0 |
//! | sendto does not connect, 10102–10109                          |      3 |               0 |       0 |
//! | connect, 10111–10113                                         |      1 |               0 |       0 |
//! | NULL address / NULL or zero length: WSAEFAULT, 10115–10145    |      0 |              10 |       0 |
//! | the connected address, 10147–10152                           |      3 |               0 |       0 |
//! | **total**                                                    |     12 |              10 |       0 |
//!
//! Not expressible, per kind: a NULL address or NULL length pointer (4: `getpeername` returns
//! the address as a value) and a zero `*namelen` (6: WSAEFAULT with the length left 0, twice
//! with 3 `ok()`s; there is no length to give). The crashing call of 10119–10125 is `if (0)`
//! in sock.c and not counted.
mod common;

use winsock_sim::prelude::*;

fn check<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    // 10084–10087: the handle is checked first.
    let r = ws.getpeername(Socket::INVALID);
    common::fails(ws, r, WsaError::WSAENOTSOCK, "10085–10087");

    // 10089–10095: an unconnected UDP socket: WSAENOTCONN.
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)?;
    let r = ws.getpeername(s);
    common::fails(ws, r, WsaError::WSAENOTCONN, "10093–10095");

    // 10102–10109: sendto succeeds and does not connect the socket.
    let sa = SockAddr::v4([127, 0, 0, 1], 139);
    let buf = b"hello world\0";
    assert_eq!(ws.sendto(s, buf, 0, &sa)?, buf.len(), "10103");
    let r = ws.getpeername(s);
    common::fails(ws, r, WsaError::WSAENOTCONN, "10107–10109");

    // 10111–10113: connect.
    ws.connect(s, &sa)?;

    // 10147–10152: the peer is the connected address, a SOCKADDR_IN.
    let peer = ws.getpeername(s)?;
    assert_eq!(peer, sa, "10149–10150: the connect structure");
    assert_eq!(peer.as_bytes().len(), SOCKADDR_IN_LEN, "10151");
    ws.closesocket(s)
}

#[test]
fn getpeername() {
    // Proves: getpeername's handle check comes first, an unconnected or only sendto'd UDP
    // socket is WSAENOTCONN, a connected one gives the connected address (sock.c
    // 10074–10157).
    common::run(check);
}
