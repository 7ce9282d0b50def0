//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_write_watch` (Wine 10.0 lines 8007–8142,
//! with its helper `write_watch_thread`, 7958–8005), facts only: the data and completion
//! part. An overlapped WSARecv (then WSARecvFrom, on the same TCP socket) into two buffers,
//! 5 bytes and a large one, pends, and the 13-byte message fills the first and spills into
//! the second; then, four times, a thread blocked in recv / recvfrom / WSARecv / WSARecvFrom
//! gets the message whole.
//!
//! Counted in `ok()` calls as Windows executes them (the helper's once per loop turn that
//! runs it):
//!
//! | part of test_write_watch                                            | ok() | ported | not expressible | failing |
//! |---------------------------------------------------------------------|-----:|-------:|----------------:|--------:|
//! | the event; the write-watched region and its first reset, 8033–8048  |    4 |      1 |               3 |       0 |
//! | overlapped WSARecv into 5 + 0x8000 bytes pends, 8050–8063           |    4 |      1 |               3 |       0 |
//! | the message completes it: 13 bytes, "test " / "message", 8065–8076  |    6 |      4 |               2 |       0 |
//! | the region reset again, 8078–8082                                   |    2 |      0 |               2 |       0 |
//! | overlapped WSARecvFrom into 5 + 0x4000 bytes pends, 8084–8094       |    4 |      1 |               3 |       0 |
//! | the message completes it, 8096–8107                                 |    6 |      4 |               2 |       0 |
//! | the region reset again, 8109–8113                                   |    2 |      0 |               2 |       0 |
//! | four threads: recv, recvfrom, WSARecv, WSARecvFrom (no OVERLAPPED), 8115–8137, 7967–8005 | 26 | 7 | 19 | 0 |
//! | **total**                                                           |   54 |     18 |              36 |       0 |
//!
//! Not expressible, by kind:
//! - Write watches (`VirtualAlloc(MEM_WRITE_WATCH)` and its 1 check, 15 `GetWriteWatch` calls
//!   with 2 checks each): the API has no process memory; the buffers of an overlapped call
//!   are handed to it and come back with the completion, so which pages the stack wrote
//!   while it was pending cannot be observed (the data and byte counts are ported).
//! - "No data written yet" while the receive pends (2, `!base[0]`): the buffers are the
//!   call's until the completion hands them back (that the call still pends is checked).
//! - A synchronous WSARecvFrom (NULL OVERLAPPED, the fourth thread's 3): the API's
//!   `wsa_recv_from` always takes an OVERLAPPED.
//!
//! Older tests of the same rules: `tests/overlapped_contract.rs` (scatter receives) and
//! `tests/overlapped.rs` (OV-* rules).
mod common;

use winsock_sim::prelude::*;

/// `sizeof("test message")`, its terminating NUL included.
const MESSAGE: &[u8] = b"test message\0";

/// `write_watch_thread` (sock.c 7967–8005) for `func` 0, 1 and 2: one blocking receive into
/// a 0x7002-byte buffer gets the whole message.
fn receive_once<W: Winsock + OverlappedIo>(ws: &W, dest: Socket, func: u32) {
    let mut base = vec![0u8; 0x7002];
    let n = match func {
        0 => ws.recv(dest, &mut base, 0),
        1 => ws.recvfrom(dest, &mut base, 0).map(|(n, _)| n),
        _ => ws.wsa_recv(dest, &mut [&mut base[..]], 0).map(|(n, _)| n),
    };
    if func == 2 {
        // 7988: WSARecv succeeded.
        assert!(n.is_ok(), "WSARecv failed {n:?}");
    }
    assert_eq!(n, Ok(MESSAGE.len()), "wrong len (func {func})");
    assert_eq!(&base[..MESSAGE.len()], MESSAGE, "wrong data (func {func})");
}

/// One overlapped scatter receive into `first` + `second` bytes (WSARecv, or WSARecvFrom
/// when `from`), the message sent, the completion checked. Returns its ported `ok()`s.
fn overlapped_receive<W: Winsock + OverlappedIo + SyncObjects>(
    ws: &W,
    (src, dest): (Socket, Socket),
    ov: Overlapped,
    second: usize,
    from: bool,
) -> Result<usize, WsaError> {
    let bufs = vec![vec![0u8; 5], vec![0u8; second]];
    let r = if from {
        ws.wsa_recv_from(dest, bufs, 0, ov, None)
    } else {
        ws.wsa_recv_overlapped(dest, bufs, 0, ov, None)
    };
    // 8056–8057 / 8087–8088: pending.
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(
        ws.wsa_get_overlapped_result(dest, &ov, false).err(),
        Some(WsaError::WSA_IO_INCOMPLETE),
        "still pending before the message"
    );
    ws.send(src, MESSAGE, 0)?;
    // 8067–8071 / 8098–8102: 13 bytes, "test " in the first buffer, "message\0" after.
    let done = ws.get_overlapped_result(dest, &ov, true);
    assert!(done.is_ok(), "GetOverlappedResult failed {done:?}");
    let done = done?;
    assert_eq!((done.error, done.bytes), (None, MESSAGE.len()));
    assert_eq!(done.bufs[0], b"test ");
    assert_eq!(&done.bufs[1][..8], b"message\0");
    assert!(done.bufs[1][8..].iter().all(|&b| b == 0), "nothing past it");
    Ok(5)
}

fn check<W: Winsock + OverlappedIo + SyncObjects>(ws: &W) -> Result<usize, WsaError> {
    let mut oks = 0;
    let (src, dest) = common::pair(ws)?;
    // 8035–8036: an auto-reset event.
    let event = ws.create_event(false, false);
    assert!(event.is_ok());
    let event = event?;
    oks += 1;
    let ov = Overlapped::with_event(1, event);

    // 8050–8076: WSARecv, 5 + 0x8000 bytes.
    oks += overlapped_receive(ws, (src, dest), ov, 0x8000, false)?;
    // 8084–8107: WSARecvFrom, 5 + 0x4000 bytes.
    oks += overlapped_receive(ws, (src, dest), ov, 0x4000, true)?;

    // 8115–8137: a thread blocks in a receive; 200 ms later the message comes.
    for func in 0..3 {
        let t = ws.create_thread("write_watch_thread", move |ws: &W| {
            receive_once(ws, dest, func);
            Ok(())
        })?;
        ws.sleep(200);
        ws.send(src, MESSAGE, 0)?;
        ws.wait_for_thread(t, 10_000)?;
        oks += if func == 2 { 3 } else { 2 };
    }
    ws.close_handle(event.into())?;
    ws.closesocket(dest)?;
    ws.closesocket(src)?;
    Ok(oks)
}

#[test]
fn write_watch() {
    // Proves: overlapped scatter receives pend, then complete with the message split over
    // the two buffers, and blocking receives on a thread get it whole (sock.c 8007–8142).
    common::run(|ws| {
        let oks = check(ws)?;
        assert_eq!(oks, 18);
        Ok(())
    });
}
