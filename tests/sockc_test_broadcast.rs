//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_broadcast` (Wine 10.0 lines 14218–14269),
//! facts only.
//!
//! | part of test_broadcast                                           | ported | not expressible | failing |
//! |------------------------------------------------------------------|-------:|----------------:|--------:|
//! | sendto 255.255.255.255 needs SO_BROADCAST, 14224–14239           |      6 |               0 |       0 |
//! | connected to the broadcast address: send works, sendto does not, 14241–14251 | 5 |    0 |       0 |
//! | IPv6: sendto ff01::1 works without any option, 14254–14263       |      3 |               0 |       0 |
//! | **total**                                                        |     14 |               0 |       0 |
//!
//! Every assertion is expressible. sock.c checks only `-1` for the refused sendto; the error
//! code asserted here, WSAEACCES, is the one Windows documents for sendto to a broadcast
//! address without SO_BROADCAST.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    let bcast = SockAddr::v4([255, 255, 255, 255], 12345);

    // 14224–14229: without SO_BROADCAST the datagram is refused; with it, sent.
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let r = ws.sendto(s, b"test", 0, &bcast);
    common::fails(ws, r, WsaError::WSAEACCES, "14227");
    assert_eq!(
        ws.setsockopt_i32(s, SOL_SOCKET, SO_BROADCAST, 1),
        Ok(()),
        "14230"
    );
    assert_eq!(ws.sendto(s, b"test", 0, &bcast), Ok(4), "14232");
    // 14234–14239: SO_BROADCAST off again: refused again.
    assert_eq!(
        ws.setsockopt_i32(s, SOL_SOCKET, SO_BROADCAST, 0),
        Ok(()),
        "14236"
    );
    let r = ws.sendto(s, b"test", 0, &bcast);
    common::fails(ws, r, WsaError::WSAEACCES, "14238");

    // 14241–14251: connect to the broadcast address works; SO_BROADCAST stays 0; sendto to
    // it is still refused, but send on the association goes out.
    assert_eq!(ws.connect(s, &bcast), Ok(()), "14242");
    let mut v = [1u8, 0, 0, 0];
    assert_eq!(
        ws.getsockopt(s, SOL_SOCKET, SO_BROADCAST, &mut v),
        Ok(4),
        "14246"
    );
    assert_eq!(i32::from_le_bytes(v), 0, "14247");
    let r = ws.sendto(s, b"test", 0, &bcast);
    common::fails(ws, r, WsaError::WSAEACCES, "14249");
    assert_eq!(ws.send(s, b"test", 0), Ok(4), "14251");
    ws.closesocket(s)?;

    // 14254–14263: IPv6 has no broadcast: a datagram to ff01::1 needs no option.
    let s = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
    let mcast6 = SockAddr::v6([0xff01, 0, 0, 0, 0, 0, 0, 1], 12345);
    assert_eq!(ws.sendto(s, b"test", 0, &mcast6), Ok(4), "14262");
    ws.closesocket(s)
}

#[test]
fn broadcast() {
    // Proves: sendto to 255.255.255.255 needs SO_BROADCAST (WSAEACCES without, and again after
    // turning it off); connect to it works without the option and send then goes out while
    // sendto stays refused; IPv6 multicast needs nothing (sock.c 14218–14269).
    common::run(check);
}
