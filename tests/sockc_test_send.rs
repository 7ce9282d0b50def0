//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_send` (Wine 10.0 lines 6245–6348, with its
//! helper `drain_socket_thread`, 6218–6243), facts only: a blocking 1 MiB `send` completes in
//! full while another thread drains the peer; with SO_SNDBUF 0 an overlapped 1 MiB `WSASend`
//! pends (WSA_IO_PENDING) until the peer has read it, byte by byte, and then completes with
//! every byte; `WSASend` on INVALID_SOCKET is WSAENOTSOCK.
//!
//! Counted in `ok()` calls as Windows executes them (the receive loop's two once per byte):
//!
//! | part of test_send                                                | ok()      | ported    | not expressible | failing |
//! |------------------------------------------------------------------|----------:|----------:|----------------:|--------:|
//! | SO_SNDBUF 0, the drain thread, a blocking 1 MiB send, 6262–6278  |         2 |         2 |               0 |       0 |
//! | the event, the overlapped WSASend pends, 6283–6292               |         3 |         3 |               0 |       0 |
//! | 1,048,576 one-byte nonblocking receives, each byte checked, 6295–6313 | 2,097,152 | 2,097,152 |        0 |       0 |
//! | the event is signalled, 1 MiB sent, 6315–6321                    |         2 |         2 |               0 |       0 |
//! | WSASend on INVALID_SOCKET; a second WSASend pends, 6324–6332     |         2 |         2 |               0 |       0 |
//! | the drain thread ends after both sockets close, 6334–6345        |         1 |         1 |               0 |       0 |
//! | **total**                                                        | 2,097,162 | 2,097,162 |               0 |       0 |
//!
//! The byte-by-byte loop's checks are counted but asserted in bulk (one assertion on each
//! receive's result and one on each byte, as sock.c does).
//!
//! Older tests of the same rules: `tests/overlapped.rs` (OV-* rules),
//! `tests/sockc_test_send_buffering.rs`.
mod common;

use winsock_sim::prelude::*;

const BUFLEN: usize = 1024 * 1024;

/// `drain_socket_thread` (sock.c 6218–6243): receives until the connection ends or fails;
/// on WSAEWOULDBLOCK waits in `select` for the socket to be readable.
fn drain<W: Winsock + Select>(ws: &W, s: Socket) -> Result<(), WsaError> {
    let mut buf = [0u8; 1024];
    loop {
        match ws.recv(s, &mut buf, 0) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(WsaError::WSAEWOULDBLOCK) => {
                let mut r = FdSet::from_array(&[s]);
                // Its result does not matter: the next recv tells.
                let _ = ws.select(Some(&mut r), None, None, None);
            }
            Err(_) => return Ok(()),
        }
    }
}

fn check<W: Winsock + Select + OverlappedIo + SyncObjects>(ws: &W) -> Result<u64, WsaError> {
    let mut oks = 0u64;
    let (src, dst) = common::pair(ws)?;
    ws.set_nonblocking(dst, true)?;
    // 6262–6264: no send buffering, so that an overlapped send pends.
    assert_eq!(ws.setsockopt_i32(dst, SOL_SOCKET, SO_SNDBUF, 0), Ok(()));
    oks += 1;
    let drainer = ws.create_thread("drain", move |ws: &W| drain(ws, dst))?;

    let buffer: Vec<u8> = (0..BUFLEN).map(|i| i as u8).collect();
    // 6275–6276: a blocking send of 1 MiB sends it all.
    assert_eq!(ws.send(src, &buffer, 0), Ok(BUFLEN));
    oks += 1;

    // 6281–6293: an auto-reset event; the overlapped send of 1 MiB pends.
    let ev = ws.create_event(false, false);
    assert!(ev.is_ok(), "could not create event object: {ev:?}");
    let ev = ev?;
    oks += 1;
    let ov = Overlapped::with_event(1, ev);
    ws.wsa_set_last_error(12345);
    let r = ws.wsa_send_overlapped(dst, vec![buffer.clone()], 0, ov, None);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    oks += 2;

    // 6296–6313: src reads it one byte at a time, nonblocking, retrying up to 100 times
    // 50 ms apart on WSAEWOULDBLOCK.
    ws.set_nonblocking(src, true)?;
    let mut one = [0u8; 1];
    for i in 0..BUFLEN {
        let mut r = ws.recv(src, &mut one, 0);
        let mut j = 0;
        while r == Err(WsaError::WSAEWOULDBLOCK) && j < 100 {
            j += 1;
            ws.sleep(50);
            r = ws.recv(src, &mut one, 0);
        }
        assert_eq!(r, Ok(1), "byte {i} of {BUFLEN}");
        assert_eq!(one[0], i as u8, "bad data at position {i}");
        oks += 2;
    }

    // 6315–6321: the event is signalled within a second; all 1 MiB was sent.
    assert_eq!(
        ws.wait_for_single_object(ev.into(), 1000),
        Ok(WAIT_OBJECT_0)
    );
    oks += 1;
    let done = ws.get_overlapped_result(dst, &ov, false)?;
    assert_eq!((done.error, done.bytes), (None, BUFLEN));
    oks += 1;

    // 6323–6326: not a socket.
    ws.wsa_set_last_error(12345);
    let r = ws.wsa_send_overlapped(
        Socket::from_raw(INVALID_SOCKET),
        vec![buffer.clone()],
        0,
        ov,
        None,
    );
    assert_eq!(r, Err(WsaError::WSAENOTSOCK));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTSOCK.code());
    oks += 1;

    // 6328–6331: another overlapped send pends (nobody reads it).
    ws.wsa_set_last_error(12345);
    let r = ws.wsa_send_overlapped(dst, vec![buffer], 0, ov, None);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    oks += 1;

    // 6333–6342: both sockets closed, the drain thread ends within 500 ms.
    ws.closesocket(src)?;
    ws.closesocket(dst)?;
    assert_eq!(ws.wait_for_thread(drainer, 500), Ok(()));
    oks += 1;
    ws.close_handle(ev.into())?;
    Ok(oks)
}

#[test]
fn send() {
    // Proves: a blocking 1 MiB send completes while a thread drains the peer; with SO_SNDBUF
    // 0 an overlapped 1 MiB WSASend pends until the peer reads it, then completes with every
    // byte, in order (sock.c 6245–6348).
    common::run(|ws| {
        let oks = check(ws)?;
        assert_eq!(oks, 2_097_162);
        Ok(())
    });
}
