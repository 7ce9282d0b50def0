//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_oob_events` (L7092-7151),
//! ported assertion by assertion and run as `test_events` runs it: once under WSAEventSelect
//! (`_event` tests) and once under WSAAsyncSelect (`_message` tests). Facts only; our own code.
//!
//! | sock.c test_oob_events (per mode: event / message) | ok()    | ported  | not expressible | failing |
//! |----------------------------------------------------|---------|---------|-----------------|---------|
//! | L7100-7116 FD_OOB once, re-selection               | 10 / 12 | 10 / 12 | 0               | 0       |
//! | L7118-7134 a second urgent byte, recv(MSG_OOB) × 2  |  8 / 7  |  8 / 7  | 0               | 0       |
//! | L7136-7147 urgent data sent while not selecting    |  5 / 5  |  5 / 5  | 0               | 0       |
//! | **total**                                          | 23 / 24 | 23 / 24 | 0               | 0       |
//!
//! Counted as in `tests/sockc_test_accept_events.rs`: each ok() run in that mode, each
//! `check_events` and each `select_events` once. `todo_wine` results (the second
//! `recv(MSG_OOB)` returning 1, FD_OOB recorded again) are Windows truth.
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

    // L7100-7116: FD_OOB once; re-selecting re-posts it as a message only.
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

    // L7118-7134: a second urgent byte is recorded again as an event, not posted; each
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

    // L7136-7147: urgent data sent while not selecting is reported by the next selection.
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
    // Proves (L7100-7147) under WSAEventSelect: FD_OOB per urgent byte, not re-recorded by
    // re-selection, again after a recv(MSG_OOB) that leaves urgent data.
    crate::common::event_ctx::run_mode(oob_events, Mode::Event);
}

#[test]
fn sockc_oob_events_message() {
    // Proves (L7100-7147) under WSAAsyncSelect: one FD_OOB message until recv(MSG_OOB),
    // re-posted by re-selection.
    crate::common::event_ctx::run_mode(oob_events, Mode::Message);
}
