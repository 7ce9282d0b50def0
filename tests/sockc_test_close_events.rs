//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_close_events` (L7153-7294),
//! ported assertion by assertion and run as `test_events` runs it: once under WSAEventSelect
//! (`_event` tests) and once under WSAAsyncSelect (`_message` tests). Facts only; our own code.
//!
//! | sock.c test_close_events (per mode: event / message) | ok() | ported | not expressible | failing |
//! |---|---|---|---|---|
//! | L7159-7184 peer closesocket, re-selection, recv 0 | 6 / 8 | 6 / 8 | 0 | 0 |
//! | L7186-7201 peer shutdown(SD_SEND) | 3 / 3 | 3 / 3 | 0 | 0 |
//! | L7203-7220 other shutdowns bring nothing | 3 / 3 | 3 / 3 | 0 | 0 |
//! | L7222-7247 data, then close | 7 / 7 | 7 / 7 | 0 | 0 |
//! | L7249-7257 close, then select | 1 / 1 | 1 / 1 | 0 | 0 |
//! | L7259-7271 subset without FD_CLOSE first | 2 / 2 | 2 / 2 | 0 | 0 |
//! | L7273-7294 reset: FD_CLOSE with WSAECONNABORTED | 4 / 6 | 4 / 6 | 0 | 0 |
//! | **total** | 26 / 30 | 26 / 30 | 0 | 0 |
//!
//! Counted: per mode, each `ok()` and each `check_events*` call (one "event series
//! matches" verdict; `tests/common/event_ctx.rs` `Ctx::check` asserts all its parts) that
//! the function runs in that mode; `select_events` and `sync_recv` are helpers and their own
//! checks are not counted (they are asserted all the same). `todo_wine` results are Windows
//! truth and asserted as such. Run with Windows' default ACK timing.
//!
//! Not expressible: none.
mod common;

use crate::common::event_ctx::{makelong, tcp_socketpair, Api, Ctx, Mode};
use winsock_sim::prelude::*;

const R5: i32 = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ;

pub fn peer_close_and_shutdowns<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    let mut buffer = [0u8; 5];

    // L7159-7184: the peer's closesocket gives FD_CLOSE (error 0); re-selecting re-posts it
    // as a message only; recv then returns 0 and brings nothing.
    let (client, server) = tcp_socketpair(ws);
    ctx.select(ws, server, R5);
    ws.closesocket(client)?;
    ctx.check(ws, FD_CLOSE, 0, 1000);
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, server, R5);
    if ctx.is_message() {
        ctx.check(ws, FD_CLOSE, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, server, 0);
    ctx.select(ws, server, R5);
    if ctx.is_message() {
        ctx.check(ws, FD_CLOSE, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    assert_eq!(ws.recv(server, &mut buffer, 0), Ok(0));
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(server)?;

    // L7186-7201: the peer's shutdown(SD_SEND) gives FD_CLOSE; its later closesocket nothing.
    let (client, server) = tcp_socketpair(ws);
    ctx.select(ws, server, R5);
    ws.shutdown(client, SD_SEND)?;
    ctx.check(ws, FD_CLOSE, 0, 1000);
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(client)?;
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(server)?;

    // L7203-7220: the peer's shutdown(SD_RECEIVE) and our own shutdown(SD_BOTH) bring
    // nothing; the peer's shutdown(SD_SEND) afterwards still brings FD_CLOSE.
    let (client, server) = tcp_socketpair(ws);
    ctx.select(ws, server, R5);
    ws.shutdown(client, SD_RECEIVE)?;
    ws.shutdown(server, SD_BOTH)?;
    ctx.check(ws, 0, 0, 200);
    ws.shutdown(client, SD_SEND)?;
    ctx.check(ws, FD_CLOSE, 0, 200);
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    Ok(())
}

pub fn data_then_close<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    let mut buffer = [0u8; 5];

    // L7222-7247: FD_READ, then FD_CLOSE at the peer's close with the data unread; a partial
    // recv brings FD_READ again, the last one nothing.
    let (client, server) = tcp_socketpair(ws);
    ctx.select(ws, server, R5);
    assert_eq!(ws.send(client, b"data\0", 0), Ok(5));
    ctx.check(ws, FD_READ, 0, 200);
    ws.closesocket(client)?;
    ctx.check(ws, FD_CLOSE, 0, 200);
    assert_eq!(ws.recv(server, &mut buffer[..3], 0), Ok(3));
    ctx.check(ws, FD_READ, 0, 200);
    assert_eq!(ws.recv(server, &mut buffer, 0), Ok(2));
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(server)?;

    // L7249-7257: closed before the selection: FD_CLOSE on registering.
    let (client, server) = tcp_socketpair(ws);
    ws.closesocket(client)?;
    ctx.select(ws, server, R5);
    ctx.check(ws, FD_CLOSE, 0, 200);
    ws.closesocket(server)?;

    // L7259-7271: closed while FD_CLOSE was not selected: reported once it is.
    let (client, server) = tcp_socketpair(ws);
    ctx.select(ws, server, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ);
    ws.closesocket(client)?;
    ctx.check(ws, 0, 0, 200);
    ctx.select(ws, server, R5);
    ctx.check(ws, FD_CLOSE, 0, 200);
    ws.closesocket(server)?;
    Ok(())
}

pub fn reset<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    // L7273-7294: a reset gives FD_CLOSE with WSAECONNABORTED; re-selecting re-posts it as a
    // message only.
    let (client, server) = tcp_socketpair(ws);
    ctx.select(ws, server, R5);
    crate::common::rst_close(ws, client)?;
    let aborted = makelong(FD_CLOSE, WsaError::WSAECONNABORTED);
    ctx.check(ws, aborted, 0, 200);
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, server, R5);
    if ctx.is_message() {
        ctx.check(ws, aborted, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, server, 0);
    ctx.select(ws, server, R5);
    if ctx.is_message() {
        ctx.check(ws, aborted, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
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
    peer_close_and_shutdowns,
    sockc_close_events_peer_close_and_shutdowns_event,
    sockc_close_events_peer_close_and_shutdowns_message,
    "Proves (L7159-7220): the peer's closesocket or shutdown(SD_SEND) gives one FD_CLOSE \
     (error 0), re-posted as a message on re-selection; other shutdowns give nothing."
);
both_modes!(
    data_then_close,
    sockc_close_events_data_then_close_event,
    sockc_close_events_data_then_close_message,
    "Proves (L7222-7271): FD_CLOSE comes at the peer's close with data unread, and on a \
     later registration with FD_CLOSE when the close came before it."
);
both_modes!(
    reset,
    sockc_close_events_reset_event,
    sockc_close_events_reset_message,
    "Proves (L7273-7294): a reset gives FD_CLOSE with iErrorCode WSAECONNABORTED, re-posted \
     as a message on re-selection."
);
