//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_connect_time` (Wine 10.0 lines 13999–14068),
//! facts only.
//!
//! | part of test_connect_time                                    | ported | not expressible | failing |
//! |--------------------------------------------------------------|-------:|----------------:|--------:|
//! | an unconnected TCP socket: 0xFFFFFFFF, 14006–14016           |      4 |               0 |       0 |
//! | both ends of a fresh connection: 0 seconds, 14018–14034      |      8 |               0 |       0 |
//! | UDP, bound and connected: 0xFFFFFFFF on both, 14036–14065    |     11 |               0 |       0 |
//! | **total**                                                    |     23 |               0 |       0 |
//!
//! Every assertion is expressible. `GetLastError() == 0` after a successful getsockopt is
//! checked through `WSAGetLastError` (the same per-thread value on Windows).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// getsockopt(SO_CONNECT_TIME) with a 4-byte buffer: succeeds, last error 0, length 4; the value.
fn so_connect_time(ws: &SimWinsock, s: Socket, line: u32) -> u32 {
    let mut b = [0u8; 4];
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.getsockopt(s, SOL_SOCKET, SO_CONNECT_TIME, &mut b);
    assert_eq!(r, Ok(4), "{line}: succeeds, len 4");
    assert_eq!(ws.wsa_get_last_error(), 0, "{line}: last error 0");
    u32::from_le_bytes(b)
}

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 14006–14016: not connected: ~0.
    let client = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    assert_eq!(so_connect_time(ws, client, 14010), u32::MAX, "14015");
    ws.closesocket(client)?;

    // 14018–14034: a connected pair: 0 seconds on each end.
    let (client, server) = common::pair(ws)?;
    assert_eq!(so_connect_time(ws, client, 14022), 0, "14027");
    assert_eq!(so_connect_time(ws, server, 14030), 0, "14033");
    ws.closesocket(client)?;
    ws.closesocket(server)?;

    // 14036–14046: UDP: the server bound to 127.0.0.1, the client connected to it.
    let client = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let server = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    assert_eq!(
        ws.bind(server, &SockAddr::v4([127, 0, 0, 1], 0)),
        Ok(()),
        "14040"
    );
    let r = ws.getsockname(server);
    assert!(r.is_ok(), "14043");
    assert_eq!(ws.connect(client, &r?), Ok(()), "14045");
    // 14047–14061: no connection time on datagram sockets, connected or not.
    assert_eq!(so_connect_time(ws, client, 14050), u32::MAX, "14055");
    assert_eq!(so_connect_time(ws, server, 14058), u32::MAX, "14063");
    ws.closesocket(server)?;
    ws.closesocket(client)
}

#[test]
fn connect_time() {
    // Proves: SO_CONNECT_TIME is 0xFFFFFFFF on an unconnected TCP socket and on datagram
    // sockets (connected or not), 0 seconds on both ends of a fresh connection, with last
    // error 0 and a 4-byte length each time (sock.c 13999–14068).
    common::run(check);
}
