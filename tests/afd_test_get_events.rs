//! Wine `dlls/ws2_32/tests/afd.c`, function `test_get_events` (L1897-2046 of the file at
//! Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines counted),
//! facts only: IOCTL_AFD_GET_EVENTS is what WSAEnumNetworkEvents reads (flags →
//! lNetworkEvents, per-bit status → iErrorCode), checked through that call. Our own code.
//!
//! Counting: each `ok()` once, a loop's `ok()` once.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L1918-1937 client: WRITE \| CONNECT, then nothing (6) | 5 (WSAEventSelect, WSAEnumNetworkEvents) | 1 | 0 |
//! | L1940-1949 accepted end: WRITE only (4) | 4 (same) | 0 | 0 |
//! | L1957-1984 read twice; the event is reset (10) | 10 (same, WSAWaitForMultipleEvents) | 0 | 0 |
//! | L1998-2039 refused connect, re-registered (15) | 12 (same, connect) | 3 | 0 |
//! | **total (35)** | **31** | **4** | **0** |
//!
//! Not expressible, per kind: a call without an output buffer (1); the status words of bits
//! not reported — WSAEnumNetworkEvents writes iErrorCode only for reported events, so a
//! CONNECT_ERR status kept after the event was read (L2037) and zero words beside it (L2018,
//! L2039) cannot be seen (3).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const ALL: i32 = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE;

fn enum_events(ws: &SimWinsock, s: Socket, ev: Option<WsaEvent>) -> WsaNetworkEvents {
    let mut ne = WsaNetworkEvents::default();
    ws.wsa_enum_network_events(s, ev, &mut ne)
        .expect("WSAEnumNetworkEvents");
    ne
}

fn signalled(ws: &SimWinsock, ev: WsaEvent, ms: u32) -> bool {
    ws.wsa_wait_for_multiple_events(&[ev], false, ms, false) == Ok(WSA_WAIT_EVENT_0)
}

#[test]
fn connected_ends_and_reading_twice() {
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        let (c, s) = common::pair(ws)?;
        ws.wsa_event_select(c, ev, ALL)?; // L1918
                                          // L1930-1933: the client has WRITE and CONNECT, with zero status.
        let ne = enum_events(ws, c, None);
        assert_eq!(ne.network_events, FD_WRITE | FD_CONNECT, "L1930-1931");
        assert_eq!(ne.error_code, [0; FD_MAX_EVENTS], "L1933");
        // L1936-1937: read once, they are gone.
        assert_eq!(enum_events(ws, c, Some(ev)).network_events, 0, "L1936-1937");
        // L1940-1949: the accepted end has WRITE only (no CONNECT).
        ws.wsa_event_select(s, ev, ALL)?; // L1940
        let ne = enum_events(ws, s, None);
        assert_eq!(ne.network_events, FD_WRITE, "L1946-1947");
        assert_eq!(ne.error_code[FD_WRITE_BIT], 0, "L1949");
        ws.closesocket(c)?;
        ws.closesocket(s)?;

        // L1957-1984: after WSAEnumNetworkEvents nothing is left; reading with the event
        // handle resets the event.
        let (c, s) = common::pair(ws)?;
        ws.wsa_event_select(c, ev, ALL)?; // L1957
        let ne = enum_events(ws, c, Some(ev));
        assert_eq!(ne.network_events, FD_WRITE | FD_CONNECT, "L1960-1961");
        let ne = enum_events(ws, c, None);
        assert_eq!(ne.network_events, 0, "L1967-1968");
        assert_eq!(ne.error_code, [0; FD_MAX_EVENTS], "L1970");
        ws.wsa_set_event(ev)?;
        let ne = enum_events(ws, c, Some(ev));
        assert_eq!(ne.network_events, 0, "L1978-1979");
        assert_eq!(ne.error_code, [0; FD_MAX_EVENTS], "L1981");
        assert!(!signalled(ws, ev, 0), "L1984: the event was reset");
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        ws.wsa_close_event(ev)
    });
}

#[test]
fn refused_connect_and_reregistration() {
    common::run(|ws| {
        let addr = common::closed_port(ws)?;
        let ev = ws.wsa_create_event()?;
        let c = common::tcp(ws)?;
        ws.wsa_event_select(c, ev, FD_CONNECT)?; // L1998
        let r = ws.connect(c, &addr);
        common::fails(ws, r, WsaError::WSAEWOULDBLOCK, "L2001-2002");
        assert!(signalled(ws, ev, 10_000), "L2005");
        // L2011-2016: CONNECT_ERR with connection refused → FD_CONNECT, WSAECONNREFUSED.
        let ne = enum_events(ws, c, None);
        assert_eq!(ne.network_events, FD_CONNECT, "L2011-2012");
        assert_eq!(
            ne.error_code[FD_CONNECT_BIT],
            WsaError::WSAECONNREFUSED.code(),
            "L2016"
        );
        // L2021-2033: registering again does not record the failure again.
        ws.wsa_reset_event(ev)?;
        ws.wsa_event_select(c, ev, FD_CONNECT)?; // L2023
        assert!(!signalled(ws, ev, 0), "L2026");
        assert_eq!(enum_events(ws, c, None).network_events, 0, "L2032-2033");
        ws.closesocket(c)?;
        ws.wsa_close_event(ev)
    });
}
