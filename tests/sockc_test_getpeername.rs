//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_getpeername` (line numbers from the Wine
//! 10.0 tarball, where the function spans lines 10074–10157), facts only.
//!
//! | part of test_getpeername                                    | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | INVALID_SOCKET first: WSAENOTSOCK, 10084–10087                |      2 |               0 |       0 |
//! | UDP socket, unconnected: WSAENOTCONN, 10089–10095             |      3 |               0 |       0 |
//! | sendto does not connect, 10102–10109                          |      3 |               0 |       0 |
//! | connect, 10111–10113                                         |      1 |               0 |       0 |
//! | NULL address / NULL or zero length: WSAEFAULT, 10115–10145    |     10 |               0 |       0 |
//! | the connected address, 10147–10152                           |      3 |               0 |       0 |
//! | **total**                                                    |     22 |               0 |       0 |
//!
//! The C-shaped `getpeername_c` (the address buffer as an `Option`, namelen as an in/out
//! `i32`) expresses the NULL pointers and the zero namelen, so nothing is left not
//! expressible. The crashing call of 10119–10125 is `if (0)` in sock.c and not counted.
mod common;

use winsock_sim::prelude::*;

fn check<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    // 10084–10087: the handle is checked first, before the NULL pointers.
    let r = ws.getpeername_c(Socket::INVALID, None, None);
    common::fails(ws, r, WsaError::WSAENOTSOCK, "10085–10087");

    // 10089–10095: an unconnected UDP socket: WSAENOTCONN, before the NULL pointers.
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)?;
    let r = ws.getpeername_c(s, None, None);
    common::fails(ws, r, WsaError::WSAENOTCONN, "10093–10095");

    // 10102–10109: sendto succeeds and does not connect the socket.
    let sa = SockAddr::v4([127, 0, 0, 1], 139);
    let buf = b"hello world\0";
    assert_eq!(ws.sendto(s, buf, 0, &sa)?, buf.len(), "10103");
    let r = ws.getpeername_c(s, None, None);
    common::fails(ws, r, WsaError::WSAENOTCONN, "10107–10109");

    // 10111–10113: connect.
    ws.connect(s, &sa)?;

    // 10115–10117: connected, NULL name and namelen: WSAEFAULT.
    let r = ws.getpeername_c(s, None, None);
    common::fails(ws, r, WsaError::WSAEFAULT, "10116–10117");
    // 10127–10130: a name but a NULL namelen.
    let mut sa_out = [0u8; SOCKADDR_IN_LEN];
    let r = ws.getpeername_c(s, Some(&mut sa_out), None);
    common::fails(ws, r, WsaError::WSAEFAULT, "10128–10130");
    // 10132–10137 and 10139–10145: namelen 0, with a NULL name and with a buffer:
    // WSAEFAULT, namelen left 0.
    let mut ss = [0u8; 128];
    for (name, lines) in [(None, "10133–10137"), (Some(&mut ss[..]), "10140–10144")] {
        let mut sa_len = 0;
        let r = ws.getpeername_c(s, name, Some(&mut sa_len));
        common::fails(ws, r, WsaError::WSAEFAULT, lines);
        assert_eq!(sa_len, 0, "{lines}: namelen");
    }

    // 10147–10152: the peer is the connected address, a SOCKADDR_IN.
    let mut sa_len = ss.len() as i32;
    let r = ws.getpeername_c(s, Some(&mut ss), Some(&mut sa_len));
    assert!(r.is_ok(), "10148: {r:?}");
    assert_eq!(&ss[..SOCKADDR_IN_LEN], sa.as_bytes(), "10149–10150");
    assert_eq!(sa_len, SOCKADDR_IN_LEN as i32, "10151");
    assert_eq!(ws.getpeername(s)?, sa, "the slice form agrees");
    ws.closesocket(s)
}

#[test]
fn getpeername() {
    // Proves: getpeername's handle check comes first, an unconnected or only sendto'd UDP
    // socket is WSAENOTCONN (both before the NULL pointers), NULL pointers or a zero namelen
    // are WSAEFAULT with the namelen left, a connected one gives the connected address and
    // its length (sock.c 10074–10157).
    common::run(check);
}
