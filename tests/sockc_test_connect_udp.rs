//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_connect_udp` (Wine 10.0 lines 14070–14153),
//! facts only.
//!
//! | part of test_connect_udp                                        | ported | not expressible | failing |
//! |-----------------------------------------------------------------|-------:|----------------:|--------:|
//! | unconnected send: WSAENOTCONN; unbound recv: WSAEINVAL (todo_wine), 14082–14090 | 4 | 0 |   0 |
//! | bind, getsockname; recv: WSAEWOULDBLOCK, 14092–14101            |      4 |               0 |       0 |
//! | connect; getpeername / getsockname; the server has no peer, 14103–14115 | 6 |            0 |       0 |
//! | send / recv over the association; server send: WSAENOTCONN, 14117–14133 | 7 |           0 |       0 |
//! | connect again, to another port, to AF_UNSPEC (dissolves), 14135–14149 | 5 |            0 |       0 |
//! | **total**                                                       |     26 |               0 |       0 |
//!
//! Every assertion is expressible. The AF_UNSPEC address is a 16-byte sockaddr of zeros.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 14078–14081: two nonblocking datagram sockets.
    let client = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let server = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.set_nonblocking(client, true)?;
    ws.set_nonblocking(server, true)?;

    // 14082–14085: send on an unconnected socket: WSAENOTCONN.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.send(client, b"data", 0);
    common::fails(ws, r, WsaError::WSAENOTCONN, "14084–14085");
    // 14087–14090: recv on an unbound socket: WSAEINVAL (todo_wine: Windows' answer).
    let mut buffer = [0u8; 5];
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.recv(server, &mut buffer, 0);
    common::fails(ws, r, WsaError::WSAEINVAL, "14089–14090");

    // 14092–14096: bind the server to 127.0.0.1.
    let r = ws.bind(server, &SockAddr::v4([127, 0, 0, 1], 0));
    assert_eq!(r, Ok(()), "14093");
    let r = ws.getsockname(server);
    assert!(r.is_ok(), "14096");
    let addr = r?;
    // 14098–14101: nothing queued: WSAEWOULDBLOCK.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.recv(server, &mut buffer, 0);
    common::fails(ws, r, WsaError::WSAEWOULDBLOCK, "14100–14101");

    // 14103–14108: connect the client; its peer is the server's address; it is bound.
    assert_eq!(ws.connect(client, &addr), Ok(()), "14104");
    let r = ws.getpeername(client);
    assert!(r.is_ok(), "14106");
    assert_eq!(r?, addr, "14107: the same address");
    assert!(ws.getsockname(client).is_ok(), "14110");
    // 14112–14115: the server has no peer.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.getpeername(server);
    common::fails(ws, r, WsaError::WSAENOTCONN, "14114–14115");

    // 14117–14124: send over the association; the server gets "data".
    assert_eq!(ws.send(client, b"data", 0), Ok(4), "14118");
    buffer.fill(0xcc);
    let r = ws.recv(server, &mut buffer, 0);
    assert_eq!(r, Ok(4), "14122");
    assert_eq!(&buffer[..4], b"data", "14123");
    // 14125–14128: nothing more.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.recv(server, &mut buffer, 0);
    common::fails(ws, r, WsaError::WSAEWOULDBLOCK, "14127–14128");
    // 14130–14133: the (unconnected) server cannot send: WSAENOTCONN.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.send(server, b"data", 0);
    common::fails(ws, r, WsaError::WSAENOTCONN, "14132–14133");

    // 14135–14139: connecting again works, to the same address and to the next port.
    assert_eq!(ws.connect(client, &addr), Ok(()), "14136");
    let next = SockAddr::v4([127, 0, 0, 1], addr.port().unwrap().wrapping_add(1));
    assert_eq!(ws.connect(client, &next), Ok(()), "14139");

    // 14141–14144: connect to AF_UNSPEC dissolves the association.
    let unspec = SockAddr::from_bytes(&[0u8; 16]);
    assert_eq!(unspec.family(), AF_UNSPEC);
    assert_eq!(ws.connect(client, &unspec), Ok(()), "14144");
    // 14146–14148: no peer any more.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.getpeername(client);
    common::fails(ws, r, WsaError::WSAENOTCONN, "14147–14148");

    ws.closesocket(server)?;
    ws.closesocket(client)
}

#[test]
fn connect_udp() {
    // Proves: a datagram socket's send before connect (WSAENOTCONN), recv before bind
    // (WSAEINVAL) and with nothing queued (WSAEWOULDBLOCK); connect sets the peer and binds,
    // send/recv use the association, reconnecting works and AF_UNSPEC dissolves it
    // (sock.c 14070–14153).
    common::run(check);
}
