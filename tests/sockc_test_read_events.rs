//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_read_events` (L6947-7090),
//! ported assertion by assertion and run as `test_events` runs it: once under WSAEventSelect
//! (`_event` tests) and once under WSAAsyncSelect (`_message` tests). Facts only; our own code.
//!
//! | sock.c test_read_events (per mode: event / message) | ok() | ported | not expressible | failing |
//! |---|---|---|---|---|
//! | L6947-6980 FD_READ once, re-selection | 6 / 8 | 6 / 8 | 0 | 0 |
//! | L6982-6993 more data, partial recv | 6 / 5 | 6 / 5 | 0 | 0 |
//! | L6995-7002 recv with length -1 | 3 / 4 | 1 / 1 | 2 / 3 (length) | 0 |
//! | L7004-7012 one byte at a time | 3 / 3 | 3 / 3 | 0 | 0 |
//! | L7014-7033 data sent while not selecting | 6 / 6 | 6 / 6 | 0 | 0 |
//! | L7035-7058 data sent while polling, not selecting | 6 / 6 | 6 / 6 | 0 | 0 |
//! | L7060-7090 data sent while a WSARecv is pending | 10 / 10 | 10 / 10 | 0 | 0 |
//! | **total** | 40 / 42 | 38 / 39 | 2 / 3 | 0 |
//!
//! Counted: per mode, each `ok()` and each `check_events*` call (one "event series
//! matches" verdict; `tests/common/event_ctx.rs` `Ctx::check` asserts all its parts) that
//! the function runs in that mode; `select_events` and `sync_recv` are helpers and their own
//! checks are not counted (they are asserted all the same). `todo_wine` results are Windows
//! truth and asserted as such. Run with Windows' default ACK timing.
//!
//! Not expressible, once per kind:
//! - length: `recv(server, buffer, -1, 0)` fails with WSAEFAULT (2 ok()); our `recv` takes a
//!   slice, whose length cannot be negative. In message mode that failed recv re-enables
//!   FD_READ, so the FD_READ message checked after it (1 check) cannot be produced either;
//!   the `check_events(0)` that follows is ported.
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::common::event_ctx::{sync_recv, tcp_socketpair, Api, Ctx, Mode};
use winsock_sim::prelude::*;

const R5: i32 = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ;

#[track_caller]
fn sync_recv_len<W: Api>(ws: &W, s: Socket, len: usize) -> Option<usize> {
    sync_recv(ws, s, len, 0).map(|b| b.len())
}

pub fn read_events<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    let (client, server) = tcp_socketpair(ws);
    ws.set_nonblocking(client, true)?;
    let mut buffer = [0u8; 8];

    // L6955-6980: FD_READ once; re-selecting re-posts it as a message, records nothing as an
    // event.
    ctx.select(ws, server, R5);
    ctx.check(ws, 0, 0, 0);
    assert_eq!(ws.send(client, b"data\0", 0), Ok(5));
    ctx.check(ws, FD_READ, 0, 200);
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, server, R5);
    if ctx.is_message() {
        ctx.check(ws, FD_READ, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, server, 0);
    ctx.select(ws, server, R5);
    if ctx.is_message() {
        ctx.check(ws, FD_READ, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);

    // L6982-6993: more data before any recv: recorded again as an event (check_events_todo,
    // Windows truth), no second message; a partial recv brings FD_READ again.
    assert_eq!(ws.send(client, b"data\0", 0), Ok(5));
    if !ctx.is_message() {
        ctx.check(ws, FD_READ, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    assert_eq!(ws.recv(server, &mut buffer[..2], 0), Ok(2));
    ctx.check(ws, FD_READ, 0, 200);
    ctx.check(ws, 0, 0, 0);

    // L6995-7002: recv(-1) is not expressible (header); the check after it is.
    ctx.check(ws, 0, 0, 0);

    // L7004-7012: eight one-byte blocking receives; FD_READ after each but the last.
    for i in 0..8 {
        assert_eq!(sync_recv_len(ws, server, 1), Some(1), "byte {i}");
        if i < 7 {
            ctx.check(ws, FD_READ, 0, 200);
        }
        ctx.check(ws, 0, 0, 0);
    }

    // L7014-7033: data sent while not selecting is reported by the next selection, unless
    // it was read before.
    ctx.select(ws, server, 0);
    assert_eq!(ws.send(client, b"data\0", 0), Ok(5));
    ctx.select(ws, server, R5);
    ctx.check(ws, FD_READ, 0, 200);
    assert_eq!(ws.recv(server, &mut buffer[..5], 0), Ok(5));
    ctx.select(ws, server, 0);
    assert_eq!(ws.send(client, b"data\0", 0), Ok(5));
    assert_eq!(sync_recv_len(ws, server, 5), Some(5));
    ctx.select(ws, server, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ);
    ctx.check(ws, 0, 0, 200);

    // L7035-7058: data arriving while a WSAPoll waits and nothing is selected: the poll
    // sees it; WSAEnumNetworkEvents reports nothing; the next selection reports FD_READ and
    // FD_WRITE, in that order as messages.
    let poll_ok = Arc::new(AtomicBool::new(false));
    let flag = poll_ok.clone();
    let thread = ws.create_thread("poll_async_thread", move |ws: &W| {
        let mut fds = [WsaPollFd::new(server, POLLIN)];
        let ret = ws.wsa_poll(&mut fds, 500);
        let want = usize::from(fds[0].revents != 0);
        flag.store(ret == Ok(want), Ordering::SeqCst);
        Ok(())
    })?;
    ctx.select(ws, server, 0);
    assert_eq!(ws.send(client, b"data\0", 0), Ok(5));
    assert_eq!(ws.wait_for_thread(thread, 1000), Ok(()), "wait timed out");
    assert!(poll_ok.load(Ordering::SeqCst), "WSAPoll() returned");
    ctx.check(ws, 0, 0, 0);
    ctx.select(
        ws,
        server,
        FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE,
    );
    ctx.check(ws, FD_READ, FD_WRITE, 200);
    ctx.check(ws, 0, 0, 0);
    assert_eq!(sync_recv_len(ws, server, 5), Some(5));

    // L7060-7090: data taken by a pending WSARecv brings no FD_READ; the next data does.
    ctx.select(ws, server, R5);
    let ov_event = ws.wsa_create_event()?;
    let ov = Overlapped::with_event(7, ov_event);
    let ret = ws.wsa_recv_overlapped(server, vec![vec![0; 1]], 0, ov, None);
    assert_eq!(ret, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.send(client, b"a", 0), Ok(1));
    let w = ws.wsa_wait_for_multiple_events(&[ov_event], false, 200, false);
    assert_eq!(w, Ok(WSA_WAIT_EVENT_0));
    let done = ws.wsa_get_overlapped_result(server, &ov, false);
    assert!(matches!(done, Ok(ref c) if c.error.is_none()), "{done:?}");
    assert_eq!(done?.bytes, 1, "got size");
    ctx.check(ws, 0, 0, 0);
    assert_eq!(ws.send(client, b"a", 0), Ok(1));
    ctx.check(ws, FD_READ, 0, 200);
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.wsa_close_event(ov_event)?;
    Ok(())
}

#[test]
fn sockc_read_events_event() {
    // Proves (L6955-7090) under WSAEventSelect: FD_READ is recorded for each new arrival and
    // after each recv that leaves data, not re-recorded by re-selection; data sent while not
    // selecting (or while only polled) is reported by the next selection unless read first;
    // data a pending WSARecv takes records nothing.
    crate::common::event_ctx::run_mode(read_events, Mode::Event);
}

#[test]
fn sockc_read_events_message() {
    // Proves (L6955-7090) under WSAAsyncSelect: one FD_READ message until a recv re-enables
    // it, re-posted by re-selection; a new selection posts FD_READ before FD_WRITE; data a
    // pending WSARecv takes posts nothing.
    crate::common::event_ctx::run_mode(read_events, Mode::Message);
}
