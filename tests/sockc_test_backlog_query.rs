//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_backlog_query` (Wine 10.0 lines
//! 6065–6112), facts only: `WSAIoctl(SIO_IDEAL_SEND_BACKLOG_QUERY)` needs a connected
//! stream socket and then reports 0x10000.
//!
//! | part of test_backlog_query                                   | ported | not expressible | failing |
//! |--------------------------------------------------------------|-------:|----------------:|--------:|
//! | listener, AcceptEx pointer, bind, getsockname, listen, 6076–6089 |   5 |               0 |       0 |
//! | unconnected TCP: WSAENOTCONN, 6091–6094                      |      1 |               0 |       0 |
//! | connected TCP: success, 0x10000, 6096–6100                   |      3 |               0 |       0 |
//! | UDP: WSAEOPNOTSUPP, 6105–6110                                |      1 |               0 |       0 |
//! | **total**                                                    |     10 |               0 |       0 |
//!
//! Older tests of the same rule: `tests/wsa_ioctl.rs` `er_12_ideal_send_backlog_query`
//! (the same three cases as a conformance rule; this port follows sock.c's sequence).
mod common;

use winsock_sim::prelude::*;

fn query<W: WinsockExt>(ws: &W, s: Socket) -> Result<(usize, u32), WsaError> {
    let mut out = [0u8; 4];
    let n = ws
        .wsa_ioctl_sized(s, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut out)
        .map_err(|(e, _)| e)?;
    Ok((n, u32::from_le_bytes(out)))
}

fn body<W: Winsock + WinsockExt>(ws: &W) -> Result<(), WsaError> {
    // 6076–6089.
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(listener.is_ok(), "6077");
    let listener = listener?;
    let f = ws.get_extension_function_pointer(listener, &WSAID_ACCEPTEX, 8);
    assert!(f.is_ok(), "6081");
    assert_eq!(
        ws.bind(listener, &SockAddr::v4([127, 0, 0, 1], 0)),
        Ok(()),
        "6084"
    );
    let destaddr = ws.getsockname(listener);
    assert!(destaddr.is_ok(), "6087");
    let destaddr = destaddr?;
    assert_eq!(ws.listen(listener, 2), Ok(()), "6089");
    // 6091–6094: not connected.
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = query(ws, s);
    common::fails(ws, r, WsaError::WSAENOTCONN, "6093");
    // 6096–6100: connected: 0x10000.
    assert_eq!(ws.connect(s, &destaddr), Ok(()), "6097");
    let (n, backlog) = query(ws, s)?;
    assert_eq!(n, 4, "6099: cbBytesReturned");
    assert_eq!(backlog, 0x10000, "6100");
    ws.closesocket(listener)?;
    ws.closesocket(s)?;
    // 6105–6110: UDP: WSAEOPNOTSUPP.
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = query(ws, s);
    common::fails(ws, r, WsaError::WSAEOPNOTSUPP, "6109");
    ws.closesocket(s)
}

#[test]
fn backlog_query() {
    // Proves: SIO_IDEAL_SEND_BACKLOG_QUERY fails with WSAENOTCONN before connect, reports
    // 0x10000 once connected, and fails with WSAEOPNOTSUPP on UDP (sock.c 6065–6112).
    common::run(body);
}
