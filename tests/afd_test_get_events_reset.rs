//! Wine `dlls/ws2_32/tests/afd.c`, function `test_get_events_reset` (L2048-2103 of the file
//! at Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines counted),
//! facts only: after a peer's abortive close the event record holds RESET alone, checked
//! through WSAEventSelect / WSAEnumNetworkEvents (RESET → FD_CLOSE; no FD_READ). Our own
//! code.
//!
//! Counting: each `ok()` once, a loop's `ok()` once; `close_with_rst`'s own checks are not
//! counted.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L2062-2076 client end, server resets (5) | 4 (WSAEventSelect, WSAWaitForMultipleEvents, WSAEnumNetworkEvents) | 1 | 0 |
//! | L2084-2098 accepted end, client resets (5) | 4 (same) | 1 | 0 |
//! | **total (10)** | **8** | **2** | **0** |
//!
//! Not expressible, per kind: the per-bit status words (2): they are all zero, and
//! ws2_32 derives FD_CLOSE's iErrorCode for a reset itself; its value, WSAECONNABORTED, is
//! sock.c's fact (tests/sockc_test_close_events.rs `reset`), checked here as well.
mod common;

use winsock_sim::prelude::*;

const MASK: i32 = FD_ACCEPT | FD_CLOSE | FD_OOB | FD_READ;

#[test]
fn reset_is_fd_close_alone_on_either_end() {
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        for (line, victim_is_client) in [("L2062-2076", true), ("L2084-2098", false)] {
            let (c, s) = common::pair(ws)?;
            let (me, peer) = if victim_is_client { (c, s) } else { (s, c) };
            ws.wsa_reset_event(ev)?;
            ws.wsa_event_select(me, ev, MASK)?;
            common::rst_close(ws, peer)?;
            assert_eq!(
                ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?,
                WSA_WAIT_EVENT_0,
                "{line}: signalled"
            );
            let mut ne = WsaNetworkEvents::default();
            ws.wsa_enum_network_events(me, None, &mut ne)?;
            assert_eq!(ne.network_events, FD_CLOSE, "{line}: FD_CLOSE only");
            assert_eq!(
                ne.error_code[FD_CLOSE_BIT],
                WsaError::WSAECONNABORTED.code(),
                "{line}: sock.c's iErrorCode"
            );
            ws.closesocket(me)?;
        }
        ws.wsa_close_event(ev)
    });
}
