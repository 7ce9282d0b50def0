//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_tcp_sendto_recvfrom` (Wine 10.0 lines
//! 14155–14183), facts only.
//!
//! | part of test_tcp_sendto_recvfrom                              | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | sendto on a connected stream socket ignores a garbage address, 14170–14173 | 1 |       2 |       0 |
//! | recvfrom on it does not write the address, 14175–14178       |      2 |               1 |       0 |
//! | the data arrive intact, 14180                                 |      1 |               0 |       0 |
//! | **total**                                                     |      4 |               3 |       0 |
//!
//! Not expressible, per kind: "the caller's address buffer / length is not modified" for
//! sendto (2: the API takes the address by shared reference and has no length argument), and
//! the `fromlen` not modified by recvfrom (1: the API has no in/out length). recvfrom's "address
//! not written" is the API's empty returned address (ported).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const SERVER_MSG: &[u8] = b"ws2_32/TCP socket test\0";

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    let (client, server) = common::pair(ws)?;
    // 14167–14168: an address of 0xfe bytes (family 0xfefe).
    let bad_addr = SockAddr::from_bytes(&[0xfe; 16]);

    // 14170–14171: sendto on the connected stream socket: the address is ignored.
    let r = ws.sendto(server, SERVER_MSG, 0, &bad_addr);
    assert_eq!(r, Ok(SERVER_MSG.len()), "14171");

    // 14175–14177: recvfrom: all the bytes; no address written.
    let mut client_buf = [0u8; SERVER_MSG.len()];
    let (n, from) = ws.recvfrom(client, &mut client_buf, 0)?;
    assert_eq!(n, SERVER_MSG.len(), "14176");
    assert!(
        from.as_bytes().is_empty(),
        "14177: the address is not written"
    );
    // 14180: the same bytes.
    assert_eq!(&client_buf[..], SERVER_MSG, "14180");

    ws.closesocket(client)?;
    ws.closesocket(server)
}

#[test]
fn tcp_sendto_recvfrom() {
    // Proves: sendto and recvfrom on a connected stream socket act as send and recv — a
    // garbage destination is ignored and no source address is written (sock.c 14155–14183).
    common::run(check);
}
