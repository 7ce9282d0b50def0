//! Wine `dlls/ws2_32/tests/afd.c`, function `test_event_select` (L1804-1895 of the file at
//! Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines counted),
//! facts only: IOCTL_AFD_EVENT_SELECT, checked through WSAEventSelect and
//! WSAEnumNetworkEvents, which ws2_32 builds on it. Our own code.
//!
//! Counting: each `ok()` once. An ioctl's return is WSAEventSelect's; its IO_STATUS_BLOCK
//! has no WinSock counterpart.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L1820-1831 no parameters; no event with a mask (6) | 0 | 6 | 0 |
//! | L1838-1844 all events: FD_CONNECT and FD_WRITE (5) | 3 (WSAEventSelect, WSAEnumNetworkEvents) | 2 | 0 |
//! | L1856-1862 CONNECT only: FD_CONNECT (5) | 3 (same) | 2 | 0 |
//! | L1874-1889 all, then cancelled with no event: nothing (8) | 4 (same) | 4 | 0 |
//! | **total (24)** | **10** | **14** | **0** |
//!
//! Not expressible, per kind: a missing parameter block and an event-less registration
//! with a mask (6, raw IOCTL status whose WSAEventSelect counterpart is not pinned); the
//! IO_STATUS_BLOCK of each call (8).
mod common;

use winsock_sim::prelude::*;

const ALL: i32 = FD_READ | FD_WRITE | FD_OOB | FD_ACCEPT | FD_CONNECT | FD_CLOSE;

fn enum_events<W: EventSelect>(ws: &W, s: Socket, ev: WsaEvent) -> Result<i32, WsaError> {
    let mut ne = WsaNetworkEvents::default();
    ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
    Ok(ne.network_events)
}

#[test]
fn registration_reports_what_already_holds() {
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        // L1833-1844: everything: the connected client has FD_CONNECT and FD_WRITE.
        let (c, s) = common::pair(ws)?;
        ws.wsa_event_select(c, ev, ALL)?; // L1838
        assert_eq!(enum_events(ws, c, ev)?, FD_CONNECT | FD_WRITE, "L1843-1844");
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        // L1851-1862: FD_CONNECT alone.
        let (c, s) = common::pair(ws)?;
        ws.wsa_event_select(c, ev, FD_CONNECT)?; // L1856
        assert_eq!(enum_events(ws, c, ev)?, FD_CONNECT, "L1861-1862");
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        // L1869-1889: everything, then cancelled with no event: nothing to enumerate.
        let (c, s) = common::pair(ws)?;
        ws.wsa_event_select(c, ev, ALL)?; // L1874
        ws.wsa_event_select(c, WsaEvent::from_raw(0), 0)?; // L1883
        assert_eq!(enum_events(ws, c, ev)?, 0, "L1888-1889");
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        ws.wsa_close_event(ev)
    });
}
