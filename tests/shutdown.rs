//! shutdown(): conformance rules SH-01 … SH-03.
//!
//! Also here: overlapped receives pending across a shutdown (SH-03 / OV-09) and shutdown with
//! completion ports (SH-07). Elsewhere: the FD_CLOSE and POLLHUP side effects (EV-23 in
//! tests/event_select.rs, SEL-13 in tests/poll.rs), UDP shutdown (SH-06, tests/udp.rs),
//! DisconnectEx (ER-11 / CP-08, tests/disconnect_ex.rs). Not expressible: the AFD-level view
//! (AFD_POLL_HUP) and WSASendDisconnect / WSARecvDisconnect (not in the API).
mod common;

use common::fails;

use winsock_sim::prelude::*;

#[test]
fn sh_01_shutdown_preconditions() {
    // Proves: shutdown on an unconnected socket (SD_SEND, SD_RECEIVE) and on a listening
    // socket gives WSAENOTCONN; an invalid `how` on a connected socket gives WSAEINVAL.
    common::run(|ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        fails(
            ws,
            ws.shutdown(s, SD_SEND),
            WsaError::WSAENOTCONN,
            "unconnected SD_SEND",
        );
        fails(
            ws,
            ws.shutdown(s, SD_RECEIVE),
            WsaError::WSAENOTCONN,
            "unconnected SD_RECEIVE",
        );
        let (l, _) = common::listener(ws, 1)?;
        fails(
            ws,
            ws.shutdown(l, SD_SEND),
            WsaError::WSAENOTCONN,
            "listener SD_SEND",
        );
        fails(
            ws,
            ws.shutdown(l, SD_RECEIVE),
            WsaError::WSAENOTCONN,
            "listener SD_RECEIVE",
        );
        let (c, _s) = common::pair(ws)?;
        fails(
            ws,
            ws.shutdown(c, 0xdead_beef_u32 as i32),
            WsaError::WSAEINVAL,
            "bad how",
        );
        // The failed call changed nothing: the connection still carries data.
        assert_eq!(ws.send(c, b"ok", 0)?, 2);
        Ok(())
    });
}

#[test]
fn sh_02_sd_send_half_closes() {
    // Proves: shutdown(SD_SEND) returns 0 (last error 0), also when repeated; a later send
    // gives WSAESHUTDOWN; the peer's recv returns 0 repeatedly; the reverse direction still
    // carries data.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        ws.shutdown(c, SD_SEND)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        ws.shutdown(c, SD_SEND)?;
        assert_eq!(ws.wsa_get_last_error(), 0, "repeated SD_SEND");
        fails(
            ws,
            ws.send(c, b"late", 0),
            WsaError::WSAESHUTDOWN,
            "send after SD_SEND",
        );
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0, "peer sees the end of the stream");
        assert_eq!(ws.recv(s, &mut b, 0)?, 0, "and again");
        assert_eq!(ws.send(s, b"reply", 0)?, 5);
        assert_eq!(common::recv_exact(ws, c, 5)?, b"reply");
        Ok(())
    });
}

#[test]
fn sh_03_sd_receive_stops_receiving() {
    // Proves: shutdown(SD_RECEIVE) returns 0; every later recv, repeated, gives WSAESHUTDOWN;
    // this side can still send, and the peer can keep sending (its send succeeds) — but
    // data that arrives with no receive pending to take it cannot be delivered, and Windows
    // resets the connection (shutdown's documentation): the peer's next recv fails with
    // WSAECONNRESET, this side's send with WSAECONNABORTED.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.shutdown(c, SD_RECEIVE)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        let mut b = [0u8; 8];
        fails(
            ws,
            ws.recv(c, &mut b, 0),
            WsaError::WSAESHUTDOWN,
            "recv after SD_RECEIVE",
        );
        fails(
            ws,
            ws.recv(c, &mut b, 0),
            WsaError::WSAESHUTDOWN,
            "recv again",
        );
        assert_eq!(ws.send(c, b"out", 0)?, 3, "sending still works");
        assert_eq!(common::recv_exact(ws, s, 3)?, b"out");
        assert_eq!(ws.send(s, b"more", 0)?, 4, "the peer can still send");
        ws.sleep(10);
        fails(
            ws,
            ws.recv(c, &mut b, 0),
            WsaError::WSAESHUTDOWN,
            "recv after the reset",
        );
        fails(
            ws,
            ws.send(c, b"x", 0),
            WsaError::WSAECONNABORTED,
            "send after the reset",
        );
        fails(
            ws,
            ws.recv(s, &mut b, 0),
            WsaError::WSAECONNRESET,
            "the peer's recv",
        );
        Ok(())
    });
}

#[test]
fn sh_03_data_queued_at_sd_receive_resets_at_once() {
    // Proves: data already queued when shutdown(SD_RECEIVE) is called resets the
    // connection then (shutdown's documentation); a WSAEventSelect registration of this side
    // gets FD_CLOSE with WSAECONNABORTED, the peer's with WSAECONNABORTED too (a RST).
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let (ec, es) = (ws.wsa_create_event()?, ws.wsa_create_event()?);
        ws.wsa_event_select(c, ec, FD_CLOSE)?;
        ws.wsa_event_select(s, es, FD_CLOSE)?;
        ws.send(s, b"unread", 0)?;
        ws.sleep(10);
        ws.shutdown(c, SD_RECEIVE)?;
        ws.sleep(10);
        for (sock, ev) in [(c, ec), (s, es)] {
            let mut ne = WsaNetworkEvents::default();
            ws.wsa_enum_network_events(sock, Some(ev), &mut ne)?;
            assert_eq!(ne.network_events, FD_CLOSE);
            assert_eq!(
                ne.error_code[FD_CLOSE_BIT],
                WsaError::WSAECONNABORTED.code()
            );
        }
        Ok(())
    });
}

#[test]
fn sh_03_a_pending_receive_takes_its_part_and_the_rest_resets() {
    // Proves: a receive pending before SD_RECEIVE takes what arrives (sock.c test_shutdown
    // 9615-9624); bytes beyond its buffer have no receive to go to and reset the
    // connection, while data it takes whole resets nothing.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.setsockopt_i32(s, IPPROTO_TCP, TCP_NODELAY, 1)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 4]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.shutdown(c, SD_RECEIVE)?;
        ws.send(s, b"four", 0)?;
        ws.sleep(10);
        let done = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 4));
        assert_eq!(ws.send(c, b"still up", 0)?, 8, "nothing was reset");
        let ov2 = Overlapped::with_event(2, ev);
        fails(
            ws,
            ws.wsa_recv_overlapped(c, vec![vec![0; 4]], 0, ov2, None)
                .map(|_| ()),
            WsaError::WSAESHUTDOWN,
            "a new WSARecv",
        );
        // Six bytes for a four-byte receive: two are left with nowhere to go.
        let (c, s) = common::pair(ws)?;
        ws.setsockopt_i32(s, IPPROTO_TCP, TCP_NODELAY, 1)?;
        let ov3 = Overlapped::with_event(3, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 4]], 0, ov3, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.shutdown(c, SD_RECEIVE)?;
        ws.send(s, b"sixsix", 0)?;
        ws.sleep(10);
        let done = ws.wsa_get_overlapped_result(c, &ov3, false)?;
        assert_eq!((done.error, done.bytes), (None, 4));
        fails(
            ws,
            ws.send(c, b"x", 0).map(|_| ()),
            WsaError::WSAECONNABORTED,
            "send after the reset",
        );
        let mut b = [0u8; 4];
        fails(
            ws,
            ws.recv(s, &mut b, 0).map(|_| ()),
            WsaError::WSAECONNRESET,
            "the peer's recv",
        );
        Ok(())
    });
}

#[test]
fn sh_03_pending_receive_survives_sd_receive() {
    // Proves (OV-09): an overlapped receive pending when shutdown(SD_RECEIVE) is called is
    // not cancelled and completes with the data the peer sends afterwards; a new WSARecv then
    // fails at once with WSAESHUTDOWN.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.shutdown(c, SD_RECEIVE)?;
        assert_eq!(
            ws.wsa_get_overlapped_result(c, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE),
            "still pending after SD_RECEIVE"
        );
        ws.send(s, b"test", 0)?;
        let done = ws.wsa_get_overlapped_result(c, &ov, true)?;
        assert_eq!((done.error, done.bytes), (None, 4));
        assert_eq!(&done.bufs[0][..4], b"test");
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 8]], 0, Overlapped::new(2), None),
            Err(WsaError::WSAESHUTDOWN)
        );
        Ok(())
    });
}

#[test]
fn sh_07_shutdown_queues_no_packet_and_ends_peer_receive() {
    // Proves: shutdown(SD_SEND) queues no completion packet for the socket shut down, while
    // the peer's pending WSARecv completes with 0 bytes (a packet with the peer's key).
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 1)?;
        ws.associate_completion_port(s, port, 2)?;
        let ov = Overlapped::new(7);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.shutdown(c, SD_SEND)?;
        let p = ws.get_queued_completion_status(port, 1000)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (None, 0, 2, Some(ov))
        );
        assert_eq!(
            ws.get_queued_completion_status(port, 200).map(|p| p.key),
            Err(WsaError::WAIT_TIMEOUT),
            "shutdown itself queues nothing"
        );
        Ok(())
    });
}
