//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_WSAEnumNetworkEvents`
//! (L4028-4092, Wine bugs 10204 and 24946), ported assertion by assertion. Facts only; our
//! own code.
//!
//! | sock.c test_WSAEnumNetworkEvents                      | ok() | ported | not expressible | failing |
//! |-------------------------------------------------------|------|--------|-----------------|---------|
//! | L4040-4054 socket, bind, WSACreateEvent               |  3   |   3    | 0               | 0       |
//! | L4055-4087 5 × WSAEventSelect + WSAEnumNetworkEvents   |  6   |   6    | 0               | 0       |
//! | **total**                                             |  9   |   9    | 0               | 0       |
//!
//! Counted: each ok() in the function body once (the loops run it for TCP unconnected, UDP
//! bound and TCP connected, with and without the event handle, five times each: all run).
//!
//! Not expressible: none.
mod common;

use common::event_ctx::{tcp_socketpair, Api};
use winsock_sim::prelude::*;

const UNTOUCHED: i32 = 0xABAB_ABAB_u32 as i32;

fn enum_network_events<W: Api>(ws: &W) -> Result<(), WsaError> {
    let any = SockAddr::v4([0, 0, 0, 0], 0);
    for l in 0..2 {
        for (i, ty) in [SOCK_STREAM, SOCK_DGRAM, SOCK_STREAM]
            .into_iter()
            .enumerate()
        {
            let (s, s2) = if i == 2 {
                let (a, b) = tcp_socketpair(ws);
                (a, Some(b))
            } else {
                let s = ws.socket(AF_INET, ty, 0);
                assert!(s.is_ok(), "Test[{i}]: failed to create socket");
                let s = s?;
                assert_eq!(ws.bind(s, &any), Ok(()), "Test[{i}]: bind failed");
                (s, None)
            };
            let event = ws.wsa_create_event();
            assert!(event.is_ok(), "Test[{i}]: failed to create event");
            let event = event?;
            for j in 0..5 {
                // Unconnected TCP: nothing. Bound UDP and connected TCP: FD_WRITE on the first
                // round only, then nothing, however often it is selected again.
                assert_eq!(
                    ws.wsa_event_select(s, event, FD_READ | FD_WRITE),
                    Ok(()),
                    "Test[{i}]: WSAEventSelect failed"
                );
                let mut net = WsaNetworkEvents {
                    network_events: UNTOUCHED,
                    error_code: [UNTOUCHED; FD_MAX_EVENTS],
                };
                let handle = if l == 0 { Some(event) } else { None };
                assert_eq!(
                    ws.wsa_enum_network_events(s, handle, &mut net),
                    Ok(()),
                    "Test[{i}]: WSAEnumNetworkEvents failed"
                );
                let want = if i >= 1 && j == 0 { FD_WRITE } else { 0 };
                assert_eq!(net.network_events, want, "Test[{i}] round {j} (l {l})");
                for (k, &code) in net.error_code.iter().enumerate() {
                    if net.network_events & (1 << k) != 0 {
                        assert_eq!(code, 0, "Test[{i}][{k}]");
                    } else {
                        // Slots of bits not reported must not be changed.
                        assert_eq!(code, UNTOUCHED, "Test[{i}][{k}]");
                    }
                }
            }
            ws.closesocket(s)?;
            ws.wsa_close_event(event)?;
            if let Some(s2) = s2 {
                ws.closesocket(s2)?;
            }
        }
    }
    Ok(())
}

#[test]
fn sockc_wsaenumnetworkevents_fd_write_once_and_untouched_error_slots() {
    // Proves (L4040-4087): re-selecting FD_READ|FD_WRITE five times reports FD_WRITE once
    // (bound UDP, connected TCP) or never (unconnected TCP), whether WSAEnumNetworkEvents gets
    // the event handle or NULL, and iErrorCode slots of unreported bits stay as they were.
    common::run(enum_network_events);
}
