//! WSAEventSelect model, event mode: FD_OOB (EV-21) and FD_CLOSE (EV-22 graceful close and
//! close with unread data, EV-23 shutdowns, EV-25 abortive close with WSAECONNABORTED). The
//! other EV-* rules are in `event_select.rs`; the helpers in `common/event_select.rs`.
//!
//! Expected values are Windows' (the catalogue), never what the sim happens to return.
mod common;

use common::event_select::{check, watched_pair, QUIET_MS};

use winsock_sim::prelude::*;

#[test]
fn ev_21_fd_oob_event_mode() {
    // Proves: urgent data reports exactly FD_OOB (no FD_READ); a second urgent byte reports
    // FD_OOB again in event mode; recv(MSG_OOB) that leaves urgent data reports FD_OOB; urgent
    // data that arrived while unregistered is reported on registration.
    common::run(|ws| {
        let (c, s, ev) = watched_pair(ws, FD_OOB | FD_READ)?;
        assert_eq!(ws.send(c, b"a", MSG_OOB)?, 1);
        check(ws, s, ev, FD_OOB, &[(FD_OOB_BIT, 0)], "first OOB byte")?;
        assert_eq!(ws.send(c, b"b", MSG_OOB)?, 1);
        check(
            ws,
            s,
            ev,
            FD_OOB,
            &[(FD_OOB_BIT, 0)],
            "second OOB byte [TW]",
        )?;
        let mut b = [0u8; 1];
        assert_eq!(ws.recv(s, &mut b, MSG_OOB)?, 1);
        check(
            ws,
            s,
            ev,
            FD_OOB,
            &[(FD_OOB_BIT, 0)],
            "after first recv(MSG_OOB) [TW]",
        )?;
        assert_eq!(ws.recv(s, &mut b, MSG_OOB)?, 1, "second recv(MSG_OOB) [TW]");
        check(ws, s, ev, 0, &[], "after second recv(MSG_OOB)")?;

        // Urgent byte while the mask is 0, then re-register.
        ws.wsa_event_select(s, ev, 0)?;
        assert_eq!(ws.send(c, b"c", MSG_OOB)?, 1);
        ws.sleep(QUIET_MS);
        ws.wsa_event_select(s, ev, FD_OOB | FD_READ)?;
        check(ws, s, ev, FD_OOB, &[(FD_OOB_BIT, 0)], "on re-registration")?;
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_22_graceful_close_event_mode() {
    // Proves: a graceful peer closesocket reports FD_CLOSE with error 0, recv then gives 0,
    // and no further events follow.
    common::run(|ws| {
        let (c, s, ev) = watched_pair(ws, FD_CLOSE | FD_READ)?;
        ws.closesocket(c)?;
        check(ws, s, ev, FD_CLOSE, &[(FD_CLOSE_BIT, 0)], "peer closed")?;
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        check(ws, s, ev, 0, &[], "afterwards")?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_23_shutdowns_raising_fd_close_event_mode() {
    // Proves: the peer's shutdown(SD_SEND) raises FD_CLOSE (error 0) and its later closesocket
    // nothing; the peer's SD_RECEIVE and a local SD_BOTH raise nothing, the peer's SD_SEND then
    // raises FD_CLOSE.
    common::run(|ws| {
        // (a)
        let (c, s, ev) = watched_pair(ws, FD_CLOSE | FD_READ)?;
        ws.shutdown(c, SD_SEND)?;
        check(
            ws,
            s,
            ev,
            FD_CLOSE,
            &[(FD_CLOSE_BIT, 0)],
            "(a) peer SD_SEND",
        )?;
        ws.closesocket(c)?;
        check(ws, s, ev, 0, &[], "(a) peer closesocket")?;
        ws.closesocket(s)?;

        // (b)
        let (c, s, ev) = watched_pair(ws, FD_CLOSE | FD_READ)?;
        ws.shutdown(c, SD_RECEIVE)?;
        ws.shutdown(s, SD_BOTH)?;
        check(ws, s, ev, 0, &[], "(b) peer SD_RECEIVE + local SD_BOTH")?;
        ws.shutdown(c, SD_SEND)?;
        check(
            ws,
            s,
            ev,
            FD_CLOSE,
            &[(FD_CLOSE_BIT, 0)],
            "(b) peer SD_SEND [TW]",
        )?;
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_25_abortive_close_connaborted_event_mode() {
    // Proves: a peer's abortive (RST) close reports FD_CLOSE with
    // iErrorCode[FD_CLOSE_BIT] = WSAECONNABORTED (not WSAECONNRESET).
    common::run(|ws| {
        let (c, s, ev) = watched_pair(ws, FD_CLOSE | FD_READ)?;
        common::rst_close(ws, c)?;
        check(
            ws,
            s,
            ev,
            FD_CLOSE,
            &[(FD_CLOSE_BIT, WsaError::WSAECONNABORTED.code())],
            "peer RST",
        )?;
        check(ws, s, ev, 0, &[], "afterwards")?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_22_fd_close_with_unread_data_event_mode() {
    // Proves (sock.c test_close_events, "sending data before calling closesocket()"): the peer
    // sends 5 bytes (FD_READ, enumerated) and closes; FD_CLOSE (error 0) is reported while the
    // 5 bytes are still unread [TW]; recv(3) → 3 reports FD_READ; recv(5) → 2 reports nothing
    // [TW] (no second FD_CLOSE); recv then gives 0, still nothing.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let mask = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ;
        ws.wsa_event_select(s, ev, mask)?;
        assert_eq!(ws.send(c, b"data\0", 0)?, 5);
        check(ws, s, ev, FD_READ, &[(FD_READ_BIT, 0)], "data")?;
        ws.closesocket(c)?;
        check(
            ws,
            s,
            ev,
            FD_CLOSE,
            &[(FD_CLOSE_BIT, 0)],
            "peer closed, 5 bytes unread [TW]",
        )?;
        let mut b = [0u8; 5];
        assert_eq!(ws.recv(s, &mut b[..3], 0)?, 3);
        check(ws, s, ev, FD_READ, &[(FD_READ_BIT, 0)], "2 bytes left")?;
        assert_eq!(ws.recv(s, &mut b, 0)?, 2);
        check(ws, s, ev, 0, &[], "last bytes read [TW]")?;
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        check(ws, s, ev, 0, &[], "recv gave 0")?;
        ws.closesocket(s)
    });
}
