//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_accept_events` (L6446-6702),
//! ported assertion by assertion and run as `test_events` runs it: once under WSAEventSelect
//! (`_event` tests) and once under WSAAsyncSelect (`_message` tests). Facts only (FD_* bits,
//! their order, iErrorCode, message-vs-event delivery); our own code.
//!
//! | sock.c test_accept_events (per mode: event / message) | ok() | ported | not expressible | failing |
//! |---|---|---|---|---|
//! | L6446-6535 listener selected before connections | 26 / 27 | 26 / 27 | 0 | 0 |
//! | L6537-6561 connect, then select | 8 / 8 | 8 / 8 | 0 | 0 |
//! | L6563-6596 subset containing FD_ACCEPT first (event mode only) | 8 / 0 | 8 / 0 | 0 | 0 |
//! | L6598-6613 subset without FD_ACCEPT first | 4 / 4 | 4 / 4 | 0 | 0 |
//! | L6615-6633 accept before selecting | 4 / 4 | 4 / 4 | 0 | 0 |
//! | L6635-6662 the accepted socket inherits the selection | 10 / 10 | 10 / 10 | 0 | 0 |
//! | L6664-6701 connect while an AcceptEx is pending | 11 / 11 | 11 / 11 | 0 | 0 |
//! | **total** | 71 / 64 | 71 / 64 | 0 | 0 |
//!
//! Counted: per mode, each `ok()` and each `check_events*` call (one "event series
//! matches" verdict; `tests/common/event_ctx.rs` `Ctx::check` asserts all its parts) that
//! the function runs in that mode; `select_events` and `sync_recv` are helpers and their own
//! checks are not counted (they are asserted all the same). `todo_wine` results are Windows
//! truth and asserted as such. Run with Windows' default ACK timing.
//!
//! Not expressible: none. (The unchecked `closesocket` calls stay unchecked.)
mod common;

use crate::common::event_ctx::{accept_ok, connect_ok, listener, loopback, tcp, Api, Ctx, Mode};
use winsock_sim::prelude::*;

const ALL4: i32 = FD_CONNECT | FD_READ | FD_OOB | FD_ACCEPT;
const NO_ACCEPT: i32 = FD_CONNECT | FD_READ | FD_OOB;

pub fn selected_before_connections<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    // L6460-6474: socket; the AcceptEx pointer; select; bind, getsockname, listen.
    let l = tcp(ws);
    let f = ws.get_extension_function_pointer(l, &WSAID_ACCEPTEX, 8);
    assert!(f.is_ok(), "failed to get AcceptEx");
    ctx.select(ws, l, ALL4);
    assert_eq!(ws.bind(l, &loopback()), Ok(()));
    let dest = ws.getsockname(l);
    assert!(dest.is_ok());
    let dest = dest?;
    assert_eq!(ws.listen(l, 2), Ok(()));
    ctx.check(ws, 0, 0, 0);

    // L6478-6494: a connection gives one FD_ACCEPT; re-selecting re-posts it as a message
    // but does not signal the event again, nor does cancelling and re-selecting.
    let client = tcp(ws);
    connect_ok(ws, client, &dest);
    ctx.check(ws, FD_ACCEPT, 0, 200);
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, l, ALL4);
    if ctx.is_message() {
        ctx.check(ws, FD_ACCEPT, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);
    ctx.select(ws, l, 0);
    ctx.select(ws, l, ALL4);
    if ctx.is_message() {
        ctx.check(ws, FD_ACCEPT, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);

    // L6496-6503: a second connection before accept: recorded again for the event
    // (check_events_todo: Windows truth), no second message.
    let client2 = tcp(ws);
    connect_ok(ws, client2, &dest);
    if !ctx.is_message() {
        ctx.check(ws, FD_ACCEPT, 0, 200);
    }
    ctx.check(ws, 0, 0, 0);

    // L6505-6519: accept re-enables FD_ACCEPT while one is still queued; the last accept does
    // not.
    let server = accept_ok(ws, l);
    ws.closesocket(server)?;
    ctx.check(ws, FD_ACCEPT, 0, 200);
    ctx.check(ws, 0, 0, 0);
    let server = accept_ok(ws, l);
    ws.closesocket(server)?;
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(client2)?;
    ws.closesocket(client)?;

    // L6524-6537: a new connection after the queue emptied: FD_ACCEPT again; after accepting
    // it and closing both ends, nothing.
    let client = tcp(ws);
    connect_ok(ws, client, &dest);
    ctx.check(ws, FD_ACCEPT, 0, 200);
    let server = accept_ok(ws, l);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ctx.check(ws, 0, 0, 200);
    ws.closesocket(l)?;
    Ok(())
}

pub fn connect_then_select<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    // L6537-6561: a connection queued before the select is reported by it.
    let (l, dest) = listener(ws);
    let client = tcp(ws);
    connect_ok(ws, client, &dest);
    ctx.select(ws, l, ALL4);
    ctx.check(ws, FD_ACCEPT, 0, 200);
    let server = accept_ok(ws, l);
    ws.closesocket(server)?;
    ws.closesocket(client)?;

    // L6563-6596 (event mode only): the event stays signalled when FD_ACCEPT is dropped from
    // the selection; once reset, a selection without FD_ACCEPT does not signal it, one with
    // FD_ACCEPT does, and the pending FD_ACCEPT is reported.
    if !ctx.is_message() {
        ctx.select(ws, l, ALL4);
        let client = tcp(ws);
        connect_ok(ws, client, &dest);
        let ev = ctx.event;
        let wait = |ms| ws.wsa_wait_for_multiple_events(&[ev], false, ms, false);
        assert_eq!(wait(200), Ok(WSA_WAIT_EVENT_0), "wait timed out");
        ctx.select(ws, l, NO_ACCEPT);
        assert_eq!(wait(0), Ok(WSA_WAIT_EVENT_0), "wait timed out");
        ws.wsa_reset_event(ctx.event)?;
        ctx.select(ws, l, NO_ACCEPT);
        assert_eq!(wait(0), Ok(WSA_WAIT_TIMEOUT), "expected timeout");
        ctx.select(ws, l, ALL4);
        assert_eq!(wait(0), Ok(WSA_WAIT_EVENT_0), "wait timed out");
        ctx.check(ws, FD_ACCEPT, 0, 0);
        let server = accept_ok(ws, l);
        ws.closesocket(server)?;
        ws.closesocket(client)?;
    }

    // L6598-6613: a connection while selecting without FD_ACCEPT is reported when FD_ACCEPT is
    // selected.
    ctx.select(ws, l, NO_ACCEPT);
    let client = tcp(ws);
    connect_ok(ws, client, &dest);
    ctx.select(ws, l, ALL4);
    ctx.check(ws, FD_ACCEPT, 0, 200);
    let server = accept_ok(ws, l);
    ws.closesocket(server)?;
    ws.closesocket(client)?;

    // L6615-6633: ... but not once it was accepted before the select.
    ctx.select(ws, l, NO_ACCEPT);
    let client = tcp(ws);
    connect_ok(ws, client, &dest);
    ws.sleep(200);
    let server = accept_ok(ws, l);
    ctx.select(ws, l, ALL4);
    ctx.check(ws, 0, 0, 200);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.closesocket(l)?;
    Ok(())
}

pub fn accepted_socket_inherits<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    // L6635-6662: the socket accept returns is registered like the listener (FD_WRITE
    // included) and reports FD_WRITE on the same event / window.
    let (l, dest) = listener(ws);
    let client = tcp(ws);
    connect_ok(ws, client, &dest);
    ctx.select(ws, l, ALL4 | FD_WRITE);
    ctx.check(ws, FD_ACCEPT, 0, 200);
    let server = accept_ok(ws, l);
    ctx.socket = server;
    ctx.check(ws, FD_WRITE, 0, 200);
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.closesocket(l)?;
    Ok(())
}

pub fn pending_accept_ex<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    let (l, dest) = listener(ws);
    let ov_event = ws.wsa_create_event()?;
    // L6664-6685: a connection taken by a pending AcceptEx (no receive data) completes it
    // with 0 bytes and records no FD_ACCEPT.
    ctx.select(ws, l, ALL4);
    let server = tcp(ws);
    let ov = Overlapped::with_event(1, ov_event);
    let ret = ws.accept_ex(l, server, Vec::new(), ov);
    assert_eq!(ret, Err(WsaError::WSA_IO_PENDING), "AcceptEx");
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    let client = tcp(ws);
    connect_ok(ws, client, &dest);
    let w = ws.wsa_wait_for_multiple_events(&[ov_event], false, 200, false);
    assert_eq!(w, Ok(WSA_WAIT_EVENT_0));
    let done = ws.wsa_get_overlapped_result(l, &ov, false);
    assert!(matches!(done, Ok(ref c) if c.error.is_none()), "{done:?}");
    assert_eq!(done?.bytes, 0, "got size");
    ctx.check(ws, 0, 0, 0);
    ws.closesocket(server)?;
    ws.closesocket(client)?;

    // L6687-6698: the next connection, with no AcceptEx pending, gives FD_ACCEPT.
    let client = tcp(ws);
    connect_ok(ws, client, &dest);
    ctx.check(ws, FD_ACCEPT, 0, 200);
    ctx.check(ws, 0, 0, 0);
    let server = accept_ok(ws, l);
    ws.closesocket(server)?;
    ws.closesocket(client)?;
    ws.closesocket(l)?;
    ws.wsa_close_event(ov_event)?;
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
    selected_before_connections,
    sockc_accept_events_selected_listener_event,
    sockc_accept_events_selected_listener_message,
    "Proves (L6446-6535): one FD_ACCEPT per connection; re-selecting re-posts the message but \
     does not re-signal the event; a second queued connection re-records it for the event; \
     accept re-enables FD_ACCEPT while connections remain queued."
);
both_modes!(
    connect_then_select,
    sockc_accept_events_connect_then_select_event,
    sockc_accept_events_connect_then_select_message,
    "Proves (L6537-6633): a connection queued before the selection (or while FD_ACCEPT was not \
     selected) is reported by a selection with FD_ACCEPT, unless it was accepted first; the \
     event follows the selection's subset (event mode)."
);
both_modes!(
    accepted_socket_inherits,
    sockc_accept_events_accepted_socket_inherits_selection_event,
    sockc_accept_events_accepted_socket_inherits_selection_message,
    "Proves (L6635-6662): the accepted socket inherits the listener's selection and reports \
     FD_WRITE once."
);
both_modes!(
    pending_accept_ex,
    sockc_accept_events_pending_acceptex_takes_connection_event,
    sockc_accept_events_pending_acceptex_takes_connection_message,
    "Proves (L6664-6701): a connection that completes a pending AcceptEx records no FD_ACCEPT; \
     the next one does."
);
