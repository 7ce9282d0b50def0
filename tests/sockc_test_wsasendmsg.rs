//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_WSASendMsg` (Wine 10.0 lines 7470–7653),
//! facts only.
//!
//! | part of test_WSASendMsg                                          | ported | not expressible | failing |
//! |------------------------------------------------------------------|-------:|----------------:|--------:|
//! | socket, WSASendMsg loaded; INVALID_SOCKET: WSAENOTSOCK, 7483–7514 |      3 |               0 |       0 |
//! | NULL lpMsg / NULL lpNumberOfBytesSent: WSAEFAULT, 7516–7532      |      6 |               0 |       0 |
//! | unbound sender, bound receiver, 7536–7562                        |      7 |               0 |       0 |
//! | one buffer sent, received, the sender bound to 0.0.0.0, 7564–7594 |      8 |               0 |       0 |
//! | two buffers sent (gather) and received, 7596–7616                |      5 |               0 |       0 |
//! | a failed call (NULL bytes) still binds (todo_wine), 7621–7633    |      5 |               0 |       0 |
//! | a NULL lpMsg does not bind, 7636–7642                            |      4 |               0 |       0 |
//! | SOCK_STREAM: WSAEINVAL (todo_wine), 7645–7652                    |      3 |               0 |       0 |
//! | **total**                                                        |     41 |               0 |       0 |
//!
//! The C-shaped `wsa_send_msg_c` (`lpMsg` and `lpNumberOfBytesSent` as `Option`s) expresses
//! the NULL-pointer calls and the bind a failed call still makes, so nothing is left not
//! expressible. The `GetLastError() == 0` after a successful call is checked through
//! `WSAGetLastError` (the same per-thread value on Windows).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const TESTSTR: &[u8; 12] = b"hello world\0";

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 7483–7495: a datagram socket; WSASendMsg through WSAIoctl.
    let sock = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
    let mut p = [0u8; 8];
    let guid = WSAID_WSASENDMSG.to_bytes();
    let r = ws.wsa_ioctl_sized(sock, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, &mut p);
    assert_eq!(r, Ok(8), "7486–7488: WSASendMsg loaded");

    // 7497–7514: msg to 127.0.0.1:139, one buffer; INVALID_SOCKET: WSAENOTSOCK.
    let fake = SockAddr::v4([127, 0, 0, 1], 139);
    let mut msg = WsaMsg::for_send(TESTSTR, Some(fake));
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_send_msg(Socket::INVALID, &msg, 0);
    common::fails(ws, r, WsaError::WSAENOTSOCK, "7511–7514");
    // 7516–7532: a NULL lpMsg (with or without a count) or a NULL lpNumberOfBytesSent
    // without OVERLAPPED: WSAEFAULT.
    let mut sent = 0u32;
    for (m, count, lines) in [
        (None, false, "7518–7522"),
        (None, true, "7524–7528"),
        (Some(&msg), false, "7530–7534"),
    ] {
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_send_msg_c(sock, m, 0, count.then_some(&mut sent));
        common::fails(ws, r, WsaError::WSAEFAULT, lines);
    }
    ws.closesocket(sock)?;

    // 7536–7556: a new sender, a receiver bound to 127.0.0.1 with a port.
    let sock = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
    let dst = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
    ws.bind(dst, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let sendaddr = ws.getsockname(dst)?;
    assert_ne!(sendaddr.port(), Some(0), "7556: the receiver has a port");
    // 7558–7563: the sender is not bound: getsockname fails with WSAEINVAL.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.getsockname(sock);
    common::fails(ws, r, WsaError::WSAEINVAL, "7561–7563");
    ws.set_nonblocking(sock, false)?;

    // 7567–7574: one buffer (12 bytes): sent, last error 0, 12 bytes reported.
    msg.name = Some(sendaddr);
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let sent = ws.wsa_send_msg(sock, &msg, 0);
    assert_eq!(sent, Ok(12), "7570, 7573: sent, bytesSent = iovec[0].len");
    assert_eq!(ws.wsa_get_last_error(), 0, "7571: last error 0");

    // 7576–7583: recvfrom gets the 12 bytes; last error 0.
    let mut buffer = [0u8; 32];
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let (n, _) = ws.recvfrom(dst, &mut buffer, 0)?;
    assert_eq!(n, 12, "7580");
    assert_eq!(&buffer[..12], TESTSTR);
    assert_eq!(ws.wsa_get_last_error(), 0, "7582");

    // 7585–7594: the successful call bound the sender, to 0.0.0.0 and a port.
    let bound = ws.getsockname(sock);
    assert!(bound.is_ok(), "7590: getsockname works");
    let bound = bound?.to_socket_addr().unwrap();
    assert_eq!(bound.ip().to_string(), "0.0.0.0", "7591");
    assert_ne!(bound.port(), 0, "7593");

    // 7596–7616: both buffers (12 + 6): 18 bytes sent, last error 0, 18 received.
    msg.bufs.push(TESTSTR[..6].to_vec());
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let sent = ws.wsa_send_msg(sock, &msg, 0);
    assert_eq!(sent, Ok(18), "7601–7603");
    assert_eq!(ws.wsa_get_last_error(), 0, "7604");
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let (n, _) = ws.recvfrom(dst, &mut buffer, 0)?;
    assert_eq!(n, 18, "7612");
    assert_eq!(&buffer[..12], TESTSTR);
    assert_eq!(&buffer[12..18], &TESTSTR[..6]);
    assert_eq!(ws.wsa_get_last_error(), 0, "7614");
    ws.closesocket(sock)?;
    ws.closesocket(dst)?;

    // 7621–7633: a call failing for its NULL count still binds the socket, to 0.0.0.0 and
    // a port (todo_wine: Windows' behaviour).
    let sock = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
    let r = ws.wsa_send_msg_c(sock, Some(&msg), 0, None);
    assert!(r.is_err(), "7626: {r:?}");
    let name = ws.getsockname(sock);
    assert!(name.is_ok(), "7628: {name:?}");
    let name = name?.to_socket_addr().expect("an IPv4 address");
    assert_eq!(name.ip().to_string(), "0.0.0.0", "7629–7630");
    assert_ne!(name.port(), 0, "7631");
    ws.closesocket(sock)?;
    // 7636–7642: one failing for its NULL lpMsg does not: getsockname fails, WSAEINVAL.
    let sock = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
    let r = ws.wsa_send_msg_c(sock, None, 0, None);
    assert!(r.is_err(), "7639: {r:?}");
    let r = ws.getsockname(sock);
    assert!(r.is_err(), "7640: {r:?}");
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::WSAEINVAL.code(),
        "7641–7642"
    );
    ws.closesocket(sock)?;

    // 7645–7652: a stream socket: SOCKET_ERROR, WSAEINVAL (todo_wine: Windows' answer).
    let sock = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_send_msg(sock, &msg, 0);
    common::fails(ws, r, WsaError::WSAEINVAL, "7648–7651");
    ws.closesocket(sock)
}

#[test]
fn wsasendmsg() {
    // Proves: WSASendMsg on INVALID_SOCKET (WSAENOTSOCK), with a NULL lpMsg or count
    // (WSAEFAULT; a NULL count still binds, a NULL lpMsg does not), on an unbound datagram socket (sends
    // one buffer, then two gathered, sets last error 0, binds the socket to 0.0.0.0 and a
    // port) and on a stream socket (WSAEINVAL) (sock.c 7470–7653).
    common::run(check);
}
