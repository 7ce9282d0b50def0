//! WSAEventSelect model: the event-mode halves of conformance rules EV-* (section 1 of
//! conformance.md). The event objects themselves (WSAWaitForMultipleEvents / WSACreateEvent /
//! WSASetEvent / WSAResetEvent / WSACloseEvent) are in `wsa_events.rs`.
//!
//! Expected values are Windows' (the catalogue), never what the sim happens to return.
//! FD_OOB and FD_CLOSE (EV-21 … EV-25) are in `event_select_close.rs`; the helpers in
//! `common/event_select.rs`.
//!
//! Elsewhere: EV-10 and EV-20 (AcceptEx, pending overlapped WSARecv) in
//! overlapped_fd_events.rs; EV-03 (b) (bound UDP socket) in udp.rs; EV-26 is message-mode only (async_select.rs).
//!
//! Not covered: EV-01's "bytes-returned set to 0" (the API has `ioctlsocket` only, no
//! `WSAIoctl`).
mod common;

use common::event_select::{check, enum_now, watched_pair, ALL_SIX, FILL, WAIT_MS};
use common::tcp;

use winsock_sim::prelude::*;
use winsock_sim::sim::{EventRecording, Sim, SimWinsock};

// ---------------------------------------------------------------------------------------------
// EV rules, event mode
// ---------------------------------------------------------------------------------------------

#[test]
fn ev_01_registration_makes_nonblocking_event_mode() {
    // Proves: WSAEventSelect turns the socket nonblocking and pins it: FIONBIO=1 works,
    // FIONBIO=0 fails with WSAEINVAL, and a connect after registering does not block.
    common::run(|ws| {
        let (c, s, _ev) = watched_pair(ws, FD_READ)?;
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAEWOULDBLOCK));
        let mut on = 1u32;
        assert_eq!(ws.ioctlsocket(s, FIONBIO, &mut on), Ok(()));
        assert_eq!(ws.wsa_get_last_error(), 0);
        let mut off = 0u32;
        assert_eq!(
            ws.ioctlsocket(s, FIONBIO, &mut off),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
        // Still nonblocking after the refused FIONBIO=0.
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAEWOULDBLOCK));

        // connect() after WSAEventSelect(FD_CONNECT): WSAEWOULDBLOCK (or 0 on a fast loopback).
        let (l, addr) = common::listener(ws, 5)?;
        let k = tcp(ws)?;
        let ev2 = ws.wsa_create_event()?;
        ws.wsa_event_select(k, ev2, FD_CONNECT)?;
        let r = ws.connect(k, &addr);
        assert!(
            r == Err(WsaError::WSAEWOULDBLOCK) || r == Ok(()),
            "connect after WSAEventSelect: {r:?}"
        );
        ws.closesocket(k)?;
        ws.closesocket(l)?;
        ws.closesocket(c)
    });
}

#[test]
fn ev_02_enum_network_events_contract() {
    // Proves: WSAEnumNetworkEvents returns the recorded bits once, clears them, resets the
    // event, writes iErrorCode only for reported bits, and works with hEventObject NULL.
    common::run(|ws| {
        let (c, s, ev) = watched_pair(ws, FD_READ)?;
        // One byte per send: a single segment, so one FD_READ occurrence.
        ws.send(c, b"h", 0)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, WAIT_MS, false)?,
            WSA_WAIT_EVENT_0
        );
        let mut ne = WsaNetworkEvents {
            network_events: FILL,
            error_code: [FILL; FD_MAX_EVENTS],
        };
        assert_eq!(ws.wsa_enum_network_events(s, Some(ev), &mut ne), Ok(()));
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!(ne.network_events, FD_READ);
        assert_eq!(ne.error_code[FD_READ_BIT], 0);
        for (i, &e) in ne.error_code.iter().enumerate().skip(1) {
            assert_eq!(e, FILL, "iErrorCode[{i}] of an unreported bit was written");
        }
        // The event was reset.
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false)?,
            WSA_WAIT_TIMEOUT
        );
        // The bits were cleared: an immediate second call reports 0.
        let mut ne2 = WsaNetworkEvents {
            network_events: FILL,
            error_code: [FILL; FD_MAX_EVENTS],
        };
        ws.wsa_enum_network_events(s, Some(ev), &mut ne2)?;
        assert_eq!(ne2.network_events, 0);
        assert_eq!(ne2.error_code, [FILL; FD_MAX_EVENTS]);

        // hEventObject = NULL works and gives the same events.
        let mut b = [0u8; 16];
        assert_eq!(ws.recv(s, &mut b, 0)?, 1);
        ws.send(c, b"a", 0)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, WAIT_MS, false)?,
            WSA_WAIT_EVENT_0
        );
        let mut ne3 = WsaNetworkEvents {
            network_events: FILL,
            error_code: [FILL; FD_MAX_EVENTS],
        };
        assert_eq!(ws.wsa_enum_network_events(s, None, &mut ne3), Ok(()));
        assert_eq!(ne3.network_events, FD_READ);
        assert_eq!(ne3.error_code[FD_READ_BIT], 0);
        let mut ne4 = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(s, None, &mut ne4)?;
        assert_eq!(ne4.network_events, 0);
        ws.closesocket(c)
    });
}

#[test]
fn ev_03_initial_fd_write_reported_once_event_mode() {
    // Proves: an unconnected (bound) TCP socket never reports FD_WRITE; a connected one
    // reports FD_WRITE (error 0) to the first WSAEventSelect only, not to re-registrations.
    // (Part (b), bound UDP, is not covered: UDP is not implemented yet.)
    common::run(|ws| {
        // (a) bound, unconnected TCP.
        let t = tcp(ws)?;
        ws.bind(t, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let ev = ws.wsa_create_event()?;
        for i in 0..5 {
            ws.wsa_event_select(t, ev, FD_READ | FD_WRITE)?;
            assert_eq!(enum_now(ws, t, ev)?, 0, "(a) iteration {i}");
        }
        // (c) connected TCP: both ends of a pair.
        let (c, s) = common::pair(ws)?;
        for (name, x) in [("client", c), ("server", s)] {
            let ev = ws.wsa_create_event()?;
            for i in 0..5 {
                ws.wsa_event_select(x, ev, FD_READ | FD_WRITE)?;
                let mut ne = WsaNetworkEvents {
                    network_events: FILL,
                    error_code: [FILL; FD_MAX_EVENTS],
                };
                ws.wsa_enum_network_events(x, Some(ev), &mut ne)?;
                if i == 0 {
                    assert_eq!(ne.network_events, FD_WRITE, "(c) {name} first");
                    assert_eq!(ne.error_code[FD_WRITE_BIT], 0, "(c) {name} first");
                } else {
                    assert_eq!(ne.network_events, 0, "(c) {name} iteration {i}");
                }
            }
        }
        ws.closesocket(t)?;
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_04_fd_accept_basics_event_mode() {
    // Proves: a listener registered before bind reports nothing after listen, exactly
    // FD_ACCEPT (error 0) once a client connects, and then nothing.
    common::run(|ws| {
        let l = tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(l, ev, FD_CONNECT | FD_READ | FD_OOB | FD_ACCEPT)?;
        ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
        ws.listen(l, 2)?;
        check(ws, l, ev, 0, &[], "after listen")?;
        let addr = ws.getsockname(l)?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        check(ws, l, ev, FD_ACCEPT, &[(FD_ACCEPT_BIT, 0)], "after connect")?;
        check(ws, l, ev, 0, &[], "second check")?;
        ws.closesocket(c)?;
        ws.closesocket(l)
    });
}

#[test]
fn ev_06_fd_accept_rearming_event_mode() {
    // Proves: in event mode a second queued connection reports FD_ACCEPT again before any
    // accept; an accept that leaves one queued reports FD_ACCEPT; the last accept, nothing.
    common::run(|ws| {
        let l = tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(l, ev, FD_CONNECT | FD_READ | FD_OOB | FD_ACCEPT)?;
        ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
        ws.listen(l, 2)?;
        let addr = ws.getsockname(l)?;
        let c1 = tcp(ws)?;
        ws.connect(c1, &addr)?;
        check(
            ws,
            l,
            ev,
            FD_ACCEPT,
            &[(FD_ACCEPT_BIT, 0)],
            "first connection",
        )?;
        let c2 = tcp(ws)?;
        ws.connect(c2, &addr)?;
        check(
            ws,
            l,
            ev,
            FD_ACCEPT,
            &[(FD_ACCEPT_BIT, 0)],
            "second connection [TW]",
        )?;
        let (a1, _) = ws.accept(l)?;
        check(
            ws,
            l,
            ev,
            FD_ACCEPT,
            &[(FD_ACCEPT_BIT, 0)],
            "after first accept",
        )?;
        let (a2, _) = ws.accept(l)?;
        check(ws, l, ev, 0, &[], "after second accept")?;
        for x in [a1, a2, c1, c2, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn ev_09_accepted_socket_inherits_registration_event_mode() {
    // Proves: a socket returned by accept() carries the listener's WSAEventSelect
    // registration (same event, same mask) and reports exactly FD_WRITE without registering.
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(l, ev, FD_ACCEPT | FD_READ | FD_WRITE | FD_CLOSE)?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        check(ws, l, ev, FD_ACCEPT, &[(FD_ACCEPT_BIT, 0)], "listener")?;
        let (s, _) = ws.accept(l)?;
        check(ws, s, ev, FD_WRITE, &[(FD_WRITE_BIT, 0)], "accepted socket")?;
        // It is nonblocking too, as a registered socket is.
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAEWOULDBLOCK));
        for x in [s, c, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn ev_11_connect_reports_connect_and_write_event_mode() {
    // Proves: an unconnected socket registered for all six reports nothing, then after
    // connect one enumeration with FD_CONNECT|FD_WRITE (both errors 0), then nothing.
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let c = tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(c, ev, ALL_SIX)?;
        check(ws, c, ev, 0, &[], "before connect")?;
        let r = ws.connect(c, &addr);
        assert!(
            r == Err(WsaError::WSAEWOULDBLOCK) || r == Ok(()),
            "connect: {r:?}"
        );
        check(
            ws,
            c,
            ev,
            FD_CONNECT | FD_WRITE,
            &[(FD_CONNECT_BIT, 0), (FD_WRITE_BIT, 0)],
            "after connect",
        )?;
        check(ws, c, ev, 0, &[], "afterwards")?;
        ws.closesocket(c)?;
        ws.closesocket(l)
    });
}

#[test]
fn ev_12_accepted_socket_never_reports_connect_event_mode() {
    // Proves: an accepted socket registered with FD_CONNECT in the mask reports exactly
    // FD_WRITE, and nothing at all when the mask lacks FD_WRITE.
    common::run(|ws| {
        let (c, s, ev) = watched_pair(ws, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE)?;
        check(ws, s, ev, FD_WRITE, &[(FD_WRITE_BIT, 0)], "with FD_WRITE")?;
        check(ws, s, ev, 0, &[], "afterwards")?;

        let (c2, s2, ev2) = watched_pair(ws, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ)?;
        check(ws, s2, ev2, 0, &[], "without FD_WRITE")?;
        for x in [c, s, c2, s2] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn ev_14_failed_connect_one_shot_event_mode() {
    // Proves: a connect to a closed loopback port gives WSAEWOULDBLOCK, then FD_CONNECT with
    // iErrorCode[FD_CONNECT_BIT] = WSAECONNREFUSED; re-registering does not signal again.
    common::run(|ws| {
        let addr = common::closed_port(ws)?;
        let c = tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(c, ev, FD_CONNECT)?;
        assert_eq!(ws.connect(c, &addr), Err(WsaError::WSAEWOULDBLOCK));
        // Windows may need more than 2 s (SYN retries): give it 5 s of virtual time.
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 5000, false)?,
            WSA_WAIT_EVENT_0
        );
        let mut ne = WsaNetworkEvents {
            network_events: FILL,
            error_code: [FILL; FD_MAX_EVENTS],
        };
        ws.wsa_enum_network_events(c, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_CONNECT);
        assert_eq!(
            ne.error_code[FD_CONNECT_BIT],
            WsaError::WSAECONNREFUSED.code()
        );
        ws.wsa_event_select(c, ev, FD_CONNECT)?;
        check(ws, c, ev, 0, &[], "re-registered")?;
        ws.closesocket(c)
    });
}

#[test]
fn ev_16_fd_write_not_cleared_or_rearmed_by_send_event_mode() {
    // Proves: send() neither clears a recorded FD_WRITE (a) nor re-arms it (b); only a send
    // that failed with WSAEWOULDBLOCK arms exactly one FD_WRITE once space returns (c, [WO]).
    common::run(|ws| {
        // (a) register, send at once: FD_WRITE is still reported.
        let (c, s, ev) = watched_pair(ws, FD_READ | FD_WRITE | FD_CLOSE)?;
        assert_eq!(ws.send(s, b"12345", 0)?, 5);
        check(ws, s, ev, FD_WRITE, &[(FD_WRITE_BIT, 0)], "(a)")?;
        assert_eq!(common::recv_exact(ws, c, 5)?, b"12345");
        ws.closesocket(c)?;
        ws.closesocket(s)?;

        // (b) FD_WRITE consumed; a send the peer reads completely does not re-arm it.
        let (c, s, ev) = watched_pair(ws, FD_READ | FD_WRITE | FD_CLOSE)?;
        check(ws, s, ev, FD_WRITE, &[(FD_WRITE_BIT, 0)], "(b) initial")?;
        assert_eq!(ws.send(s, b"12345", 0)?, 5);
        assert_eq!(common::recv_exact(ws, c, 5)?, b"12345");
        check(ws, s, ev, 0, &[], "(b) after send + drain")?;
        ws.closesocket(c)?;
        ws.closesocket(s)?;

        // (c) fill until WSAEWOULDBLOCK, the peer drains: exactly one FD_WRITE.
        let (c, s, ev) = watched_pair(ws, FD_READ | FD_WRITE | FD_CLOSE)?;
        check(ws, s, ev, FD_WRITE, &[(FD_WRITE_BIT, 0)], "(c) initial")?;
        let sent = fill(ws, s)?;
        let got = common::recv_exact(ws, c, sent)?;
        assert_eq!(got.len(), sent);
        check(ws, s, ev, FD_WRITE, &[(FD_WRITE_BIT, 0)], "(c) after drain")?;
        check(ws, s, ev, 0, &[], "(c) afterwards")?;
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

/// Sends on nonblocking `s` until WSAEWOULDBLOCK; returns the bytes accepted.
fn fill(ws: &SimWinsock, s: Socket) -> Result<usize, WsaError> {
    let chunk = vec![0x5au8; 16 * 1024];
    let mut total = 0;
    for _ in 0..10_000 {
        match ws.send(s, &chunk, 0) {
            Ok(n) => {
                assert_eq!(n, chunk.len(), "nonblocking TCP send is all-or-nothing");
                total += n;
            }
            Err(WsaError::WSAEWOULDBLOCK) => return Ok(total),
            Err(e) => return Err(e),
        }
    }
    panic!("send never failed with WSAEWOULDBLOCK");
}

#[test]
fn ev_17_fd_read_reenabling_event_mode() {
    // Proves: event mode records FD_READ for new data even before a recv; each recv that
    // leaves data reports FD_READ again; the recv that empties the queue reports nothing.
    common::run(|ws| {
        let (c, s, ev) = watched_pair(ws, FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ)?;
        ws.send(c, b"12345", 0)?;
        check(ws, s, ev, FD_READ, &[(FD_READ_BIT, 0)], "first send")?;
        ws.send(c, b"67890", 0)?;
        check(ws, s, ev, FD_READ, &[(FD_READ_BIT, 0)], "second send [TW]")?;
        let mut b = [0u8; 2];
        assert_eq!(ws.recv(s, &mut b, 0)?, 2);
        assert_eq!(&b, b"12");
        check(ws, s, ev, FD_READ, &[(FD_READ_BIT, 0)], "after recv(2)")?;
        // 1-byte reads (the catalogue uses an overlapped WSARecv that completes at once; the
        // API has plain recv, which is a re-enabling call just the same).
        for i in 0..8 {
            let mut one = [0u8; 1];
            assert_eq!(ws.recv(s, &mut one, 0)?, 1);
            assert_eq!(one[0], b"34567890"[i]);
            if i < 7 {
                check(
                    ws,
                    s,
                    ev,
                    FD_READ,
                    &[(FD_READ_BIT, 0)],
                    "1-byte read leaving data",
                )?;
            } else {
                check(ws, s, ev, 0, &[], "after the last byte")?;
            }
        }
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_17_documented_recording_waits_for_the_reenabling_call() {
    // Proves: with EventRecording::Documented, new data after a recorded FD_READ is not
    // recorded again until a recv re-enables it; that recv reports FD_READ at once while data
    // remains. (Windows' own behaviour, the default, is ev_17_fd_read_reenabling_event_mode.)
    let builder = Sim::builder()
        .seed(common::seed())
        .event_recording(EventRecording::Documented);
    common::run_with(builder, |ws| {
        let (c, s, ev) = watched_pair(ws, FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ)?;
        ws.send(c, b"12345", 0)?;
        check(ws, s, ev, FD_READ, &[(FD_READ_BIT, 0)], "first send")?;
        ws.send(c, b"67890", 0)?;
        check(ws, s, ev, 0, &[], "second send, no recv yet")?;
        let mut b = [0u8; 2];
        assert_eq!(ws.recv(s, &mut b, 0)?, 2);
        check(ws, s, ev, FD_READ, &[(FD_READ_BIT, 0)], "after recv(2)")?;
        let mut rest = [0u8; 8];
        assert_eq!(ws.recv(s, &mut rest, 0)?, 8);
        check(ws, s, ev, 0, &[], "after the last byte")?;
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_15_udp_connect_reports_connect_and_write_event_mode() {
    // Proves (sock.c test_connect_events, UDP part): an unbound UDP socket registered for
    // FD_ACCEPT|FD_CONNECT|FD_OOB|FD_READ|FD_WRITE reports nothing [TW]; connect() to a bound
    // UDP socket succeeds at once and reports FD_CONNECT|FD_WRITE in one enumeration, both
    // errors 0 [TW]; then nothing. (A bound UDP socket reports FD_WRITE at registration:
    // EV-03 (b), udp.rs.)
    common::run(|ws| {
        let client = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let server = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let ev = ws.wsa_create_event()?;
        let mask = FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE;
        ws.wsa_event_select(client, ev, mask)?;
        check(ws, client, ev, 0, &[], "unbound, registered [TW]")?;
        ws.bind(server, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let dest = ws.getsockname(server)?;
        ws.connect(client, &dest)?;
        check(
            ws,
            client,
            ev,
            FD_CONNECT | FD_WRITE,
            &[(FD_CONNECT_BIT, 0), (FD_WRITE_BIT, 0)],
            "connected [TW]",
        )?;
        check(ws, client, ev, 0, &[], "afterwards")?;
        ws.closesocket(client)?;
        ws.closesocket(server)
    });
}

// ---------------------------------------------------------------------------------------------
// Registration replacement
// ---------------------------------------------------------------------------------------------

#[test]
fn event_select_zero_mask_cancels_and_allows_blocking_again() {
    // Proves: WSAEventSelect(s, ev, 0) cancels the registration (new data signals nothing) and,
    // as documented, lets FIONBIO=0 succeed again.
    common::run(|ws| {
        let (c, s, ev) = watched_pair(ws, FD_READ)?;
        ws.wsa_event_select(s, ev, 0)?;
        ws.send(c, b"x", 0)?;
        check(ws, s, ev, 0, &[], "after cancel")?;
        assert_eq!(ws.set_nonblocking(s, false), Ok(()));
        let mut b = [0u8; 1];
        assert_eq!(ws.recv(s, &mut b, 0)?, 1);
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn event_select_replaces_async_select() {
    // Proves: WSAEventSelect replaces an earlier WSAAsyncSelect: later events go to the event
    // and no message is posted.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let hwnd = ws.create_window(None)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_READ)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, ev, FD_READ)?;
        ws.send(c, b"x", 0)?;
        check(ws, s, ev, FD_READ, &[(FD_READ_BIT, 0)], "event")?;
        assert_eq!(ws.peek_message(Hwnd::NULL, PM_REMOVE)?, None);
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}
