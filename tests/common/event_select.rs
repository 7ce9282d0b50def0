//! Helpers of the WSAEventSelect tests (`event_select.rs`, `event_select_close.rs`): the
//! catalogue's event-mode check (wait, settle, enumerate, compare lNetworkEvents and
//! iErrorCode) and its time limits.

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// The catalogue's pre-fill pattern for output structures.
pub const FILL: i32 = 0xABAB_ABABu32 as i32;

/// Virtual time given to the network before an expected event must be there.
pub const WAIT_MS: u32 = 1000;

/// Virtual time after which "nothing" is concluded.
pub const QUIET_MS: u32 = 200;

/// Virtual time let pass after the event is signalled, before enumerating.
pub const SETTLE_MS: u32 = 50;

/// A connected pair `(client, server)` whose server socket is registered with WSAEventSelect
/// for `events` on a new event object, returned third.
pub fn watched_pair(ws: &SimWinsock, events: i32) -> Result<(Socket, Socket, WsaEvent), WsaError> {
    let (c, s) = super::pair(ws)?;
    let ev = ws.wsa_create_event()?;
    ws.wsa_event_select(s, ev, events)?;
    Ok((c, s, ev))
}

/// Event-mode check: waits up to [`WAIT_MS`] for `ev`, then enumerates `s` (resetting `ev`);
/// `lNetworkEvents` must be exactly `bits`, and each listed `(bit index, error)` must match.
/// With `bits == 0` this is the catalogue's "nothing": the wait (of [`QUIET_MS`]) times out and
/// the enumeration returns 0.
pub fn check(
    ws: &SimWinsock,
    s: Socket,
    ev: WsaEvent,
    bits: i32,
    errors: &[(usize, i32)],
    what: &str,
) -> Result<(), WsaError> {
    if bits == 0 {
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, QUIET_MS, false)?,
            WSA_WAIT_TIMEOUT,
            "{what}: expected nothing, but the event was signalled"
        );
    } else {
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, WAIT_MS, false)?,
            WSA_WAIT_EVENT_0,
            "{what}: expected {bits:#x}, but the event was not signalled"
        );
        // Let segments still in flight land (TCP may split a send), so the enumeration sees
        // everything the step caused, as Windows' instant loopback would.
        ws.sleep(SETTLE_MS);
    }
    let mut ne = WsaNetworkEvents {
        network_events: FILL,
        error_code: [FILL; FD_MAX_EVENTS],
    };
    ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
    assert_eq!(
        ne.network_events, bits,
        "{what}: lNetworkEvents {:#x}, expected {bits:#x}",
        ne.network_events
    );
    for &(i, e) in errors {
        assert_eq!(ne.error_code[i], e, "{what}: iErrorCode[{i}]");
    }
    Ok(())
}

/// Enumerates `s` without waiting; returns lNetworkEvents.
pub fn enum_now(ws: &SimWinsock, s: Socket, ev: WsaEvent) -> Result<i32, WsaError> {
    let mut ne = WsaNetworkEvents::default();
    ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
    Ok(ne.network_events)
}

pub const ALL_SIX: i32 = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE;
