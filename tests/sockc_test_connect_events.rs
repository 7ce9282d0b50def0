//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_connect_events` (L6704-6813),
//! ported assertion by assertion and run as `test_events` runs it: once under WSAEventSelect
//! (`_event` tests) and once under WSAAsyncSelect (`_message` tests). Facts only; our own code.
//!
//! | sock.c test_connect_events (per mode: event / message) | ok() | ported | not expressible | failing |
//! |---|---|---|---|---|
//! | L6704-6745 select, then connect | 12 / 13 | 12 / 13 | 0 | 0 |
//! | L6747-6768 connect, then select | 5 / 5 | 5 / 5 | 0 | 0 |
//! | L6770-6793 subset without FD_CONNECT first | 5 / 5 | 5 / 5 | 0 | 0 |
//! | L6795-6823 UDP | 6 / 7 | 6 / 7 | 0 | 0 |
//! | **total** | 28 / 30 | 28 / 30 | 0 | 0 |
//!
//! Counted: per mode, each `ok()` and each `check_events*` call (one "event series
//! matches" verdict; `tests/common/event_ctx.rs` `Ctx::check` asserts all its parts) that
//! the function runs in that mode; `select_events` and `sync_recv` are helpers and their own
//! checks are not counted (they are asserted all the same). `todo_wine` results are Windows
//! truth and asserted as such. Run with Windows' default ACK timing.
//!
//! Not expressible: none.
mod common;

use crate::common::event_ctx::{accept_ok, connect_ok, listener, loopback, tcp, Api, Ctx, Mode};
use winsock_sim::prelude::*;

const ALL6: i32 = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE;

/// sock.c's `ok(!ret || WSAGetLastError() == WSAEWOULDBLOCK)` after connect on a selected
/// (so nonblocking) socket.
#[track_caller]
fn connect_started<W: Api>(ws: &W, s: Socket, to: &SockAddr) {
    match ws.connect(s, to) {
        Ok(()) => {}
        Err(e) => {
            assert_eq!(e, WsaError::WSAEWOULDBLOCK, "failed to connect");
            assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEWOULDBLOCK.code());
        }
    }
}

pub fn select_then_connect<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    let (l, dest) = listener(ws);
    // L6716-6734: FD_CONNECT then FD_WRITE; re-selecting re-posts FD_WRITE as a message only.
    let client = tcp(ws);
    ctx.select(ws, client, ALL6);
    ctx.check(ws, 0, 0, 0);
    connect_started(ws, client, &dest);
    ctx.check(ws, FD_CONNECT, FD_WRITE, 200);
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, client, 0);
    ctx.select(ws, client, ALL6);
    if ctx.is_message() {
        ctx.check(ws, FD_WRITE, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    // L6736-6745: the accepted end selected afterwards reports FD_WRITE.
    let server = accept_ok(ws, l);
    ctx.select(ws, server, ALL6 & !FD_CLOSE);
    ctx.check(ws, FD_WRITE, 0, 200);
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    ws.closesocket(l)?;
    Ok(())
}

pub fn connect_then_select<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    let (l, dest) = listener(ws);
    // L6747-6768: connected (and sent on) before any selection: the first registration
    // reports FD_CONNECT and FD_WRITE as events, FD_WRITE alone as a message.
    let client = tcp(ws);
    connect_ok(ws, client, &dest);
    let server = accept_ok(ws, l);
    assert_eq!(ws.send(client, b"data\0", 0), Ok(5));
    ctx.select(ws, client, ALL6);
    if ctx.is_message() {
        ctx.check(ws, FD_WRITE, 0, 200);
    } else {
        ctx.check(ws, FD_CONNECT, FD_WRITE, 200);
    }
    ws.closesocket(client)?;
    ws.closesocket(server)?;

    // L6770-6793: selecting without FD_CONNECT first: FD_WRITE only; then a selection with
    // FD_CONNECT reports it as an event (and FD_WRITE again as a message).
    let client = tcp(ws);
    ctx.select(ws, client, ALL6 & !FD_CONNECT);
    connect_started(ws, client, &dest);
    let server = accept_ok(ws, l);
    ctx.check(ws, FD_WRITE, 0, 200);
    ctx.select(ws, client, ALL6 & !FD_CLOSE);
    if ctx.is_message() {
        ctx.check(ws, FD_WRITE, 0, 200);
    } else {
        ctx.check(ws, FD_CONNECT, 0, 200);
    }
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    ws.closesocket(l)?;
    Ok(())
}

pub fn udp<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    // L6795-6823: an unbound UDP socket: FD_WRITE as a message, nothing as an event; connect
    // gives FD_WRITE (message) or FD_CONNECT then FD_WRITE (event).
    let client = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let server = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ctx.select(ws, client, ALL6 & !FD_CLOSE);
    if ctx.is_message() {
        ctx.check(ws, FD_WRITE, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    assert_eq!(ws.bind(server, &loopback()), Ok(()), "failed to bind");
    assert!(ws.getsockname(server).is_ok(), "failed to get address");
    // sock.c connects to `addr` (127.0.0.1, port 0), not to the server's address.
    assert_eq!(ws.connect(client, &loopback()), Ok(()));
    if ctx.is_message() {
        ctx.check(ws, FD_WRITE, 0, 200);
    } else {
        ctx.check(ws, FD_CONNECT, FD_WRITE, 200);
    }
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    Ok(())
}

macro_rules! both_modes {
    ($body:ident, $event:ident, $message:ident, $doc:literal) => {
        #[test]
        #[doc = $doc]
        fn $event() {
            crate::common::event_ctx::run_mode($body, Mode::Event);
        }
        #[test]
        #[doc = $doc]
        fn $message() {
            crate::common::event_ctx::run_mode($body, Mode::Message);
        }
    };
}

both_modes!(
    select_then_connect,
    sockc_connect_events_select_then_connect_event,
    sockc_connect_events_select_then_connect_message,
    "Proves (L6704-6745): FD_CONNECT then FD_WRITE; re-selecting re-posts FD_WRITE only as a \
     message; the accepted end reports FD_WRITE."
);
both_modes!(
    connect_then_select,
    sockc_connect_events_connect_then_select_event,
    sockc_connect_events_connect_then_select_message,
    "Proves (L6747-6793): a connection made before (or without) FD_CONNECT selected is \
     reported by the first selection with FD_CONNECT in event mode; messages give FD_WRITE."
);
both_modes!(
    udp,
    sockc_connect_events_udp_event,
    sockc_connect_events_udp_message,
    "Proves (L6795-6823): UDP: FD_WRITE on registration as a message only; connect gives \
     FD_CONNECT and FD_WRITE as events, FD_WRITE as a message."
);
