//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_empty_recv` (line numbers from the Wine
//! 10.0 tarball, where the function spans lines 13287–13340), facts only.
//!
//! | part of test_empty_recv                                     | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | WSARecv with no buffer (NULL, 0) and (wsabuf, 0): WSAEINVAL, 13299–13308 | 4 |      0 |       0 |
//! | one empty buffer: pending, completes with 0 bytes on data, 13310–13322 | 6 |        0 |       0 |
//! | an empty buffer with data queued: success, 0 bytes, 13324–13327 |    2 |               0 |       0 |
//! | recv of 0 bytes, then the data, 13329–13334                  |      3 |               0 |       0 |
//! | **total**                                                    |     15 |               0 |       0 |
//!
//! WSARecv's (NULL, 0) and (&wsabuf, 0) are both "no buffers" here (an empty Vec): both ported.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    let ev = ws.wsa_create_event()?;
    let ov = Overlapped::with_event(1, ev);
    let (client, server) = common::pair(ws)?;

    // 13299–13308: no buffers at all: WSAEINVAL (twice: NULL and a count of 0).
    for line in [13301, 13307] {
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_recv_overlapped(client, Vec::new(), 0, ov, None);
        common::fails(ws, r, WsaError::WSAEINVAL, &format!("line {line}"));
    }

    // 13310–13313: one zero-length buffer: pending.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_recv_overlapped(client, vec![Vec::new()], 0, ov, None);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "13311–13313");

    // 13315–13322: data arrives: the receive completes, with 0 bytes.
    assert_eq!(ws.send(server, b"data\0", 0)?, 5, "13316");
    assert_eq!(
        ws.wait_for_single_object(ev.into(), 1000)?,
        0,
        "13318–13319"
    );
    let done = ws.wsa_get_overlapped_result(client, &ov, false)?;
    assert_eq!((done.error, done.bytes), (None, 0), "13320–13322");

    // 13324–13327: with the data queued, an empty buffer succeeds at once with 0 bytes.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let n = ws.wsa_recv_overlapped(client, vec![Vec::new()], 0, ov, None)?;
    assert_eq!(n, 0, "13325–13327");

    // 13329–13334: recv of 0 bytes is 0; the data is still all there.
    assert_eq!(ws.recv(client, &mut [], 0)?, 0, "13330");
    let mut buffer = [0u8; 5];
    assert_eq!(ws.recv(client, &mut buffer, 0)?, 5, "13333");
    assert_eq!(&buffer, b"data\0", "13334");
    ws.closesocket(client)?;
    ws.closesocket(server)
}

#[test]
fn empty_recv() {
    // Proves: WSARecv needs at least one buffer (WSAEINVAL); a zero-length buffer pends until
    // data arrives and completes with 0 bytes, or succeeds at once when data is queued,
    // consuming none; recv of 0 bytes returns 0 (sock.c 13287–13340).
    common::run(check);
}
