//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_events` (L7296-7323): the
//! driver that runs test_accept_events, test_connect_events, test_write_events,
//! test_read_events, test_close_events and test_oob_events in that order on ONE context —
//! first under WSAEventSelect with one manual-reset event, then under WSAAsyncSelect with one
//! window — so that anything one function leaves behind (a signalled event, a queued message)
//! would fail the next. Each function's own file holds its assertions and its table; this
//! file runs them in sequence as the driver does.
//!
//! | sock.c test_events             | ok() | ported | not expressible | failing |
//! |--------------------------------|------|--------|-----------------|---------|
//! | L7296-7323 event mode, 6 calls |  0   |   0    | 0               | 0       |
//! | L7296-7323 message mode        |  0   |   0    | 0               | 0       |
//!
//! The driver has no ok() of its own (CreateEventW and CreateWindowA are not checked); the
//! assertions are counted in the six functions' files. Wine 10.0's test_events has exactly
//! these two modes; the `select` readiness of the same situations is sock.c's test_select
//! (`tests/sockc_test_select.rs`) and test_select_after_WSAEventSelect
//! (`tests/sockc_test_select_after_wsaeventselect.rs`).
// Each included function file declares `mod common;` for its own binary, so `common` is
// compiled again inside each of them here; they use this root's copy (`crate::common`).
#![allow(clippy::duplicate_mod)]
mod common;

#[path = "sockc_test_accept_events.rs"]
mod accept_events;
#[path = "sockc_test_close_events.rs"]
mod close_events;
#[path = "sockc_test_connect_events.rs"]
mod connect_events;
#[path = "sockc_test_oob_events.rs"]
mod oob_events;
#[path = "sockc_test_read_events.rs"]
mod read_events;
#[path = "sockc_test_write_events.rs"]
mod write_events;

use common::event_ctx::{Api, Ctx, Mode};
use winsock_sim::prelude::*;

/// test_events' body for one context: the six functions in sock.c's order.
fn all_functions<W: Api>(ws: &W, ctx: &mut Ctx) -> Result<(), WsaError> {
    // test_accept_events
    accept_events::selected_before_connections(ws, ctx)?;
    accept_events::connect_then_select(ws, ctx)?;
    accept_events::accepted_socket_inherits(ws, ctx)?;
    accept_events::pending_accept_ex(ws, ctx)?;
    // test_connect_events
    connect_events::select_then_connect(ws, ctx)?;
    connect_events::connect_then_select(ws, ctx)?;
    connect_events::udp(ws, ctx)?;
    // test_write_events
    write_events::write_events(ws, ctx)?;
    write_events::subset_without_write(ws, ctx)?;
    // test_read_events
    read_events::read_events(ws, ctx)?;
    // test_close_events
    close_events::peer_close_and_shutdowns(ws, ctx)?;
    close_events::data_then_close(ws, ctx)?;
    close_events::reset(ws, ctx)?;
    // test_oob_events
    oob_events::oob_events(ws, ctx)
}

#[test]
fn sockc_events_all_functions_on_one_event() {
    // Proves (L7298-7308): the six event functions pass in sock.c's order sharing one
    // WSAEventSelect event, nothing left signalled between them.
    common::event_ctx::run_mode(all_functions, Mode::Event);
}

#[test]
fn sockc_events_all_functions_on_one_window() {
    // Proves (L7310-7322): the six event functions pass in sock.c's order sharing one
    // WSAAsyncSelect window, no message left queued between them.
    common::event_ctx::run_mode(all_functions, Mode::Message);
}
