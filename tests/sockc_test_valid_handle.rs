//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_valid_handle` (Wine 11.10 lines
//! 14619–14670), facts only, and of `test_bind_bluetooth` (12886–12923) and `test_icmpv6`
//! (14174–14196), whose first checks decide that the rest is skipped.
//!
//! | part                                                                 | ok() | ported | not expressible | failing |
//! |----------------------------------------------------------------------|-----:|-------:|----------------:|--------:|
//! | test_valid_handle: DuplicateHandle of a socket, 14630–14633          |    1 |      1 |               0 |       0 |
//! | send, sendto on the duplicate, 14636–14640                           |    2 |      2 |               0 |       0 |
//! | WSASend with a NULL lpNumberOfBytesSent: WSAEFAULT, 14645–14647      |    2 |      0 |               2 |       0 |
//! | WSASend on the duplicate, 14649–14650                                |    1 |      1 |               0 |       0 |
//! | WSASend on an event's handle, on INVALID_SOCKET: WSAENOTSOCK, 14652–14658 | 4 |    4 |               0 |       0 |
//! | closesocket on the event's handle fails, CloseHandle of it works, 14660–14663 | 2 | 2 |              0 |       0 |
//! | closesocket of the duplicate, the client, the server, 14664–14669    |    3 |      3 |               0 |       0 |
//! | test_bind_bluetooth: AF_BTH refused, 12892–12899 (the rest skipped)  |    1 |      1 |               0 |       0 |
//! | test_icmpv6: a raw ICMPv6 socket refused, 14189–14196 (the rest skipped) | 1 |      1 |               0 |       0 |
//! | **total**                                                            |   17 |     15 |               2 |       0 |
//!
//! Not expressible, per kind: a NULL `lpNumberOfBytesSent` without an OVERLAPPED (2: the
//! failure and its code): the API's WSASend always reports the count (as in
//! `sockc_test_wsasendto.rs`). The rest of test_bind_bluetooth (18 lines of binds to RFCOMM
//! ports) runs only where a Bluetooth radio is, and the rest of test_icmpv6 (an echo request
//! to ::1 and its reply) only with administrator rights: the simulated machine has no radio
//! and runs without those rights, as Windows runs a process by default (`sockc_test_icmp.rs`),
//! so sock.c skips them there too.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// AF_BTH (32) and BTHPROTO_RFCOMM (3).
const AF_BTH: i32 = 32;
const BTHPROTO_RFCOMM: i32 = 3;
/// IPPROTO_ICMPV6 (58).
const IPPROTO_ICMPV6: i32 = 58;

fn valid_handle(ws: &SimWinsock) -> Result<(), WsaError> {
    // 14630–14634: a connected pair, the client's handle duplicated, an event.
    let (client, server) = common::pair(ws)?;
    let duplicated = ws.duplicate_socket_handle(client);
    assert!(duplicated.is_ok(), "14633: {duplicated:?}");
    let duplicated = duplicated?;
    let invalid = ws.create_event(true, true)?;
    let buffer = [0u8; 1];

    // 14636–14640: send and sendto (no address) through the duplicate.
    assert_eq!(ws.send(duplicated, &buffer, 0), Ok(1), "14637");
    let none = SockAddr::from_bytes(&[]);
    assert_eq!(ws.sendto(duplicated, &buffer, 0, &none), Ok(1), "14640");

    // 14649–14650: WSASend with a count, no OVERLAPPED.
    assert_eq!(ws.wsa_send(duplicated, &[&buffer[..]], 0), Ok(1), "14650");

    // 14652–14658: an event's handle, then INVALID_SOCKET.
    let r = ws.wsa_send(Socket::from_raw(invalid.raw()), &[&buffer[..]], 0);
    common::fails(ws, r, WsaError::WSAENOTSOCK, "14653–14654");
    let r = ws.wsa_send(Socket::INVALID, &[&buffer[..]], 0);
    common::fails(ws, r, WsaError::WSAENOTSOCK, "14657–14658");

    // 14660–14663: closesocket refuses the event's handle, which stays an event.
    let r = ws.closesocket(Socket::from_raw(invalid.raw()));
    assert!(r.is_err(), "14661: {r:?}");
    assert_eq!(ws.close_handle(Handle::Event(invalid)), Ok(()), "14663");

    // 14664–14669: each socket handle closes.
    assert_eq!(ws.closesocket(duplicated), Ok(()), "14665");
    assert_eq!(ws.closesocket(client), Ok(()), "14667");
    assert_eq!(ws.closesocket(server), Ok(()), "14669");
    Ok(())
}

#[test]
fn test_valid_handle() {
    // Proves (test_valid_handle): a socket handle from DuplicateHandle is a socket to send,
    // sendto and WSASend; an event's handle and INVALID_SOCKET are WSAENOTSOCK; closesocket
    // fails on the event's handle and leaves the event to CloseHandle; every socket handle
    // closes with 0.
    common::run(valid_handle);
}

#[test]
fn test_bind_bluetooth() {
    // Proves (test_bind_bluetooth, 12892–12899): with no Bluetooth radio an AF_BTH socket is
    // refused with WSAEAFNOSUPPORT, one of the two codes sock.c accepts before it skips.
    common::run(|ws| {
        let r = ws.socket(AF_BTH, SOCK_STREAM, BTHPROTO_RFCOMM);
        assert!(r.is_err(), "12894: {r:?}");
        let err = ws.wsa_get_last_error();
        assert!(
            err == WsaError::WSAEAFNOSUPPORT.code() || err == WsaError::WSAEPROTONOSUPPORT.code(),
            "12896: got error {err}"
        );
        Ok(())
    });
}

#[test]
fn test_icmpv6() {
    // Proves (test_icmpv6, 14189–14196): an unprivileged process cannot open a raw ICMPv6
    // socket: WSAEACCES, after which sock.c skips.
    common::run(|ws| {
        let r = ws.wsa_socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, 0);
        common::fails(ws, r, WsaError::WSAEACCES, "14192–14193");
        Ok(())
    });
}
