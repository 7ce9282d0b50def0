//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_timeout` (Wine 10.0 lines 13342–13414),
//! facts only: SO_RCVTIMEO is 0 by default, reads back what is set, makes a blocking `recv`
//! / `WSARecv` fail with WSAETIMEDOUT, and does not apply to an overlapped `WSARecv`.
//!
//! | part of test_timeout                                        | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | SO_RCVTIMEO: 0 by default, 4 bytes, 13354–13361             |      4 |               0 |       0 |
//! | set 100, reads back 100, 13363–13375                        |      5 |               0 |       0 |
//! | recv and WSARecv fail with WSAETIMEDOUT, 13377–13389        |      4 |               1 |       0 |
//! | overlapped WSARecv pends past the timeout, completes on data, 13391–13409 | 7 |      0 |       0 |
//! | **total**                                                   |     20 |               1 |       0 |
//!
//! Not expressible: the count a failed synchronous WSARecv leaves untouched (13389; the API
//! returns no count with a failure).
//!
//! Older tests of the same rules: `tests/sockc_test_set_getsockopt.rs` (SO_RCVTIMEO's sizes).
mod common;

use winsock_sim::prelude::*;

fn body<W: Winsock + OverlappedIo + SyncObjects>(ws: &W) -> Result<(), WsaError> {
    let (client, server) = common::pair(ws)?;
    let event = ws.create_event(true, false)?;

    // 13354–13361: SO_RCVTIMEO is 0, 4 bytes written.
    let mut timeout = 0xdead_beef_u32.to_le_bytes();
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let len = ws.getsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &mut timeout);
    assert_eq!(len, Ok(4), "13358, 13360");
    assert_eq!(ws.wsa_get_last_error(), 0, "13359");
    assert_eq!(u32::from_le_bytes(timeout), 0, "13361");
    // 13363–13367: set 100 ms.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &100u32.to_le_bytes());
    assert_eq!(r, Ok(()), "13366");
    assert_eq!(ws.wsa_get_last_error(), 0, "13367");
    // 13369–13375: it reads back 100.
    let mut timeout = 0xdead_beef_u32.to_le_bytes();
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let len = ws.getsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &mut timeout);
    assert!(len.is_ok(), "13373");
    assert_eq!(ws.wsa_get_last_error(), 0, "13374");
    assert_eq!(u32::from_le_bytes(timeout), 100, "13375");
    // 13377–13380: recv times out.
    let mut buffer = [0u8; 1];
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.recv(client, &mut buffer, 0);
    common::fails(ws, r, WsaError::WSAETIMEDOUT, "13379–13380");
    // 13382–13389: so does a synchronous WSARecv.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_recv(client, &mut [&mut buffer[..]], 0);
    common::fails(ws, r, WsaError::WSAETIMEDOUT, "13387–13388");
    // 13391–13400: an overlapped WSARecv pends, and is still pending after 200 ms.
    let ov = Overlapped::with_event(1, event);
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_recv_overlapped(client, vec![vec![0; 1]], 0, ov, None);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "13396–13397");
    let w = ws.wait_for_single_object(Handle::from(event), 200);
    assert_eq!(w, Ok(WAIT_TIMEOUT), "13400");
    // 13402–13409: data completes it with 1 byte.
    assert_eq!(ws.send(server, b"a", 0), Ok(1), "13403");
    let w = ws.wait_for_single_object(Handle::from(event), 200);
    assert_eq!(w, Ok(WAIT_OBJECT_0), "13406");
    let c = ws.get_overlapped_result(client, &ov, false)?;
    assert_eq!(c.error, None, "13408");
    assert_eq!(c.bytes, 1, "13409");
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    ws.close_handle(Handle::from(event))
}

#[test]
fn timeout() {
    // Proves: SO_RCVTIMEO defaults to 0, reads back 100 after setting it, times out blocking
    // recv / WSARecv with WSAETIMEDOUT, and leaves an overlapped WSARecv pending until data
    // comes (sock.c 13342–13414).
    common::run(body);
}
