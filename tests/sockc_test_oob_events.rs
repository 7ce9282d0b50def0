//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_oob_events` (L7092-7151),
//! ported assertion by assertion and run as `test_events` runs it: once under WSAEventSelect
//! (`_event` tests) and once under WSAAsyncSelect (`_message` tests). Facts only; our own code.
//!
//! | sock.c test_oob_events (per mode: event / message) | ok() | ported | not expressible | failing |
//! |---|---|---|---|---|
//! | L7092-7117 FD_OOB once, re-selection | 6 / 8 | 6 / 8 | 0 | 0 |
//! | L7119-7135 a second urgent byte, recv(MSG_OOB) × 2 | 8 / 7 | 8 / 7 | 0 | 0 |
//! | L7137-7151 urgent data sent while not selecting | 3 / 3 | 3 / 3 | 0 | 0 |
//! | **total** | 17 / 18 | 17 / 18 | 0 | 0 |
//!
//! Counted: per mode, each `ok()` and each `check_events*` call (one "event series
//! matches" verdict; `tests/common/event_ctx.rs` `Ctx::check` asserts all its parts) that
//! the function runs in that mode; `select_events` and `sync_recv` are helpers and their own
//! checks are not counted (they are asserted all the same). `todo_wine` results are Windows
//! truth and asserted as such. Run with Windows' default ACK timing.
//!
//! Not expressible: none.
mod common;

use crate::common::event_ctx::{tcp_socketpair, Api, Ctx, Mode};
use winsock_sim::prelude::*;

const R5: i32 = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ;

pub fn oob_events<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    let (client, server) = tcp_socketpair(ws);
    ws.set_nonblocking(client, true)?;
    let mut buffer = [0u8; 1];

    // L7097-7117: FD_OOB once; re-selecting re-posts it as a message only.
    ctx.select(ws, server, R5);
    ctx.check(ws, 0, 0, 0);
    assert_eq!(ws.send(client, b"a", MSG_OOB), Ok(1));
    ctx.check(ws, FD_OOB, 0, 200);
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, server, R5);
    if ctx.is_message() {
        ctx.check(ws, FD_OOB, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, server, 0);
    ctx.select(ws, server, R5);
    if ctx.is_message() {
        ctx.check(ws, FD_OOB, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);

    // L7119-7135: a second urgent byte is recorded again as an event, not posted; each
    // recv(MSG_OOB) returns one byte, the first brings FD_OOB again, the second nothing.
    assert_eq!(ws.send(client, b"b", MSG_OOB), Ok(1));
    if !ctx.is_message() {
        ctx.check(ws, FD_OOB, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    assert_eq!(ws.recv(server, &mut buffer, MSG_OOB), Ok(1));
    ctx.check(ws, FD_OOB, 0, 200);
    ctx.check(ws, 0, 0, 0);
    assert_eq!(ws.recv(server, &mut buffer, MSG_OOB), Ok(1));
    ctx.check(ws, 0, 0, 0);

    // L7137-7151: urgent data sent while not selecting is reported by the next selection.
    ctx.select(ws, server, 0);
    assert_eq!(ws.send(client, b"a", MSG_OOB), Ok(1));
    ctx.select(ws, server, R5);
    ctx.check(ws, FD_OOB, 0, 200);
    assert_eq!(ws.recv(server, &mut buffer, MSG_OOB), Ok(1));
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    Ok(())
}

#[test]
fn sockc_oob_events_event() {
    // Proves (L7097-7151) under WSAEventSelect: FD_OOB per urgent byte, not re-recorded by
    // re-selection, again after a recv(MSG_OOB) that leaves urgent data.
    crate::common::event_ctx::run_mode(oob_events, Mode::Event);
}

#[test]
fn sockc_oob_events_message() {
    // Proves (L7097-7151) under WSAAsyncSelect: one FD_OOB message until recv(MSG_OOB),
    // re-posted by re-selection.
    crate::common::event_ctx::run_mode(oob_events, Mode::Message);
}
