//! WSAPoll (conformance SEL-13, SEL-14).
//!
//! Not covered: SEL-14's (NULL, 1, t) → WSAEFAULT (a slice cannot be NULL with a length).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const ASK: i16 = POLLRDNORM | POLLRDBAND | POLLWRNORM;

/// The tests' pre-fill of revents (0xdead), to show that WSAPoll writes every entry.
const DEAD: i16 = 0xdead_u16 as i16;

/// WSASetLastError's pre-fill (0xdeadbeef).
const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

/// Every `events` bit sock.c shows WSAPoll refusing: the output-only ones and the unknown ones.
const INVALID_EVENTS: [i16; 13] = [
    POLLERR,
    POLLHUP,
    POLLNVAL,
    0x8,
    POLLWRBAND,
    0x40,
    0x80,
    POLLPRI,
    0x800,
    0x1000,
    0x2000,
    0x4000,
    0x8000_u16 as i16,
];

/// A handle value that is no socket (sock.c's 0xabacab).
const NOT_A_SOCKET: Socket = Socket::from_raw(0xabacab);

fn poll1<W: Select>(
    ws: &W,
    s: Socket,
    events: i16,
    timeout: i32,
) -> Result<(usize, i16), WsaError> {
    let mut fds = [WsaPollFd::new(s, events)];
    let n = ws.wsa_poll(&mut fds, timeout)?;
    Ok((n, fds[0].revents))
}

#[test]
fn sel_13_listener_and_connected_sockets() {
    // Proves: an idle listener reports nothing; a pending connection gives POLLRDNORM (nothing
    // when POLLRDNORM is not requested); a connected socket POLLWRNORM; data POLLRDNORM.
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        assert_eq!(poll1(ws, l, ASK, 0)?, (0, 0));
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c, &addr)?;
        assert_eq!(poll1(ws, l, ASK, 100)?, (1, POLLRDNORM));
        assert_eq!(poll1(ws, l, ASK, 0)?, (1, POLLRDNORM), "repeatable");
        assert_eq!(poll1(ws, l, POLLWRNORM, 0)?, (0, 0));
        let (s, _) = ws.accept(l)?;
        assert_eq!(poll1(ws, c, ASK, 0)?, (1, POLLWRNORM));
        ws.send(c, b"x", 0)?;
        assert_eq!(poll1(ws, s, POLLRDNORM, 100)?, (1, POLLRDNORM));
        assert_eq!(poll1(ws, s, ASK, 0)?, (1, POLLRDNORM | POLLWRNORM));
        Ok(())
    });
}

#[test]
fn sel_13_oob_close_reset_and_udp() {
    // Proves: an urgent byte gives POLLRDBAND only (POLLRDNORM with SO_OOBINLINE); a peer's
    // close gives POLLHUP|POLLWRNORM and POLLHUP even when nothing was asked; a reset gives
    // POLLERR|POLLHUP|POLLWRNORM; UDP, bound or not, gives POLLWRNORM (+POLLRDNORM with a
    // datagram queued).
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.send(c, b"u", MSG_OOB)?;
        ws.sleep(10);
        assert_eq!(poll1(ws, s, POLLRDNORM | POLLRDBAND, 0)?, (1, POLLRDBAND));
        let mut b = [0u8; 1];
        ws.recv(s, &mut b, MSG_OOB)?;
        ws.closesocket(c)?;
        ws.sleep(10);
        assert_eq!(poll1(ws, s, ASK, 0)?, (1, POLLHUP | POLLWRNORM));
        assert_eq!(poll1(ws, s, 0, 0)?, (1, POLLHUP));

        let (c2, s2) = common::pair(ws)?;
        ws.setsockopt_i32(s2, SOL_SOCKET, SO_OOBINLINE, 1)?;
        ws.send(c2, b"u", MSG_OOB)?;
        ws.sleep(10);
        assert_eq!(poll1(ws, s2, POLLRDNORM | POLLRDBAND, 0)?, (1, POLLRDNORM));
        common::rst_close(ws, c2)?;
        ws.sleep(10);
        assert_eq!(poll1(ws, s2, ASK, 0)?, (1, POLLERR | POLLHUP | POLLWRNORM));

        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(poll1(ws, u, ASK, 0)?, (1, POLLWRNORM));
        ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let ua = ws.getsockname(u)?;
        ws.sendto(u, b"d", 0, &ua)?;
        ws.sleep(10);
        assert_eq!(poll1(ws, u, ASK, 0)?, (1, POLLRDNORM | POLLWRNORM));
        Ok(())
    });
}

/// One WSAPoll over `entries` as sock.c calls it: every revents pre-filled with 0xdead and the
/// last error with 0xdeadbeef. Returns the result, the revents and WSAGetLastError.
fn poll_entries(
    ws: &SimWinsock,
    entries: &[(Socket, i16)],
    timeout: i32,
) -> (Result<usize, WsaError>, Vec<i16>, i32) {
    let mut fds: Vec<WsaPollFd> = entries
        .iter()
        .map(|&(s, ev)| WsaPollFd {
            fd: s,
            events: ev,
            revents: DEAD,
        })
        .collect();
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_poll(&mut fds, timeout);
    let err = ws.wsa_get_last_error();
    (r, fds.iter().map(|f| f.revents).collect(), err)
}

#[test]
fn sel_13_peer_shutdown_send_reports_pollhup() {
    // Proves: the client's shutdown(SD_RECEIVE) changes nothing (both ends POLLWRNORM); its
    // shutdown(SD_SEND) gives the server POLLHUP even with events 0 [TW] and
    // POLLWRNORM|POLLHUP with the usual request [TW], the client still POLLWRNORM. With unread
    // data: POLLRDNORM|POLLWRNORM before, POLLHUP alone with events 0 and
    // POLLRDNORM|POLLWRNORM|POLLHUP after the peer's SD_SEND [TW].
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.shutdown(c, SD_RECEIVE)?;
        ws.sleep(10);
        assert_eq!(poll1(ws, c, ASK, 1000)?, (1, POLLWRNORM));
        assert_eq!(poll1(ws, s, ASK, 1000)?, (1, POLLWRNORM));
        ws.shutdown(c, SD_SEND)?;
        ws.sleep(10);
        assert_eq!(poll1(ws, c, ASK, 1000)?, (1, POLLWRNORM));
        assert_eq!(poll1(ws, s, 0, 1000)?, (1, POLLHUP), "events 0 [TW]");
        assert_eq!(poll1(ws, s, ASK, 1000)?, (1, POLLWRNORM | POLLHUP), "[TW]");
        ws.closesocket(c)?;
        ws.closesocket(s)?;

        // With data in the pipe.
        let (c, s) = common::pair(ws)?;
        assert_eq!(ws.send(c, b"data\0", 0)?, 5);
        ws.sleep(10);
        assert_eq!(poll1(ws, c, ASK, 1000)?, (1, POLLWRNORM));
        assert_eq!(
            poll1(ws, s, POLLRDNORM | POLLRDBAND, 1000)?,
            (1, POLLRDNORM)
        );
        assert_eq!(poll1(ws, s, ASK, 1000)?, (1, POLLWRNORM | POLLRDNORM));
        ws.shutdown(c, SD_SEND)?;
        ws.sleep(10);
        assert_eq!(poll1(ws, c, ASK, 1000)?, (1, POLLWRNORM));
        assert_eq!(poll1(ws, s, 0, 1000)?, (1, POLLHUP), "events 0 [TW]");
        assert_eq!(
            poll1(ws, s, ASK, 1000)?,
            (1, POLLWRNORM | POLLRDNORM | POLLHUP),
            "unread data [TW]"
        );
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn sel_13_return_counts_entries_with_revents() {
    // Proves: with an idle listener and both ends of a fresh connection in one call, WSAPoll
    // returns 2 (the entries whose revents is non-zero): listener 0, server and client
    // POLLWRNORM. With data queued for the client: still 2, the client POLLRDNORM|POLLWRNORM.
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c, &addr)?;
        let (s, _) = ws.accept(l)?;
        let entries = [(l, ASK), (s, ASK), (c, ASK)];
        let (r, revents, _) = poll_entries(ws, &entries, 0);
        assert_eq!(r, Ok(2));
        assert_eq!(revents, [0, POLLWRNORM, POLLWRNORM]);
        assert_eq!(ws.send(s, b"1234", 0)?, 4);
        ws.sleep(10);
        let (r, revents, _) = poll_entries(ws, &entries, 0);
        assert_eq!(r, Ok(2));
        assert_eq!(revents, [0, POLLWRNORM, POLLRDNORM | POLLWRNORM]);
        for x in [c, s, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn sel_13_failed_connect_reports_pollwrnorm_pollhup_pollerr() {
    // Proves (sock.c test_WSAPoll, interactive part, [TW]): a nonblocking connect to a closed
    // port → WSAEWOULDBLOCK, then WSAPoll returns 1 with POLLWRNORM|POLLHUP|POLLERR; SO_ERROR
    // is WSAECONNREFUSED on two reads and the poll result stays the same. A blocking connect
    // that failed with WSAECONNREFUSED polls the same way.
    common::run(|ws| {
        let addr = common::closed_port(ws)?;
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.set_nonblocking(c, true)?;
        assert_eq!(ws.connect(c, &addr), Err(WsaError::WSAEWOULDBLOCK));
        let want = POLLWRNORM | POLLHUP | POLLERR;
        assert_eq!(poll1(ws, c, ASK, 10_000)?, (1, want));
        let refused = WsaError::WSAECONNREFUSED.code();
        assert_eq!(ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?, refused);
        assert_eq!(ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?, refused);
        assert_eq!(poll1(ws, c, ASK, 1000)?, (1, want));
        ws.closesocket(c)?;

        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.connect(c, &addr), Err(WsaError::WSAECONNREFUSED));
        assert_eq!(poll1(ws, c, ASK, 1000)?, (1, want));
        ws.closesocket(c)
    });
}

#[test]
fn sel_14_argument_errors_and_invalid_entries() {
    // Proves: an empty array → WSAEINVAL (last error too). Output-only or unknown bits in
    // events on a listener or a connected socket → WSAEINVAL [TW]. Next to a valid idle
    // listener, an invalid entry gets POLLNVAL but is not counted, last error 0: fd -1 with
    // events POLLERR (not checked on an INVALID_SOCKET entry) and 0xabacab with POLLIN; but
    // 0xabacab with POLLERR → WSAEINVAL [TW], both revents 0. Only invalid entries (-1 and
    // 0xabacab, both POLLERR) → WSAENOTSOCK, both POLLNVAL.
    common::run(|ws| {
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(ws.wsa_poll(&mut [], 0), Err(WsaError::WSAEINVAL));
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
        assert_eq!(ws.wsa_poll(&mut [], 1), Err(WsaError::WSAEINVAL));

        let (l, addr) = common::listener(ws, 1)?;
        for bad in INVALID_EVENTS {
            let (r, _, err) = poll_entries(ws, &[(l, bad)], 0);
            assert_eq!(
                r,
                Err(WsaError::WSAEINVAL),
                "listener, events {bad:#x} [TW]"
            );
            assert_eq!(err, WsaError::WSAEINVAL.code());
        }

        let (r, revents, _) = poll_entries(ws, &[(l, ASK)], 0);
        assert_eq!((r, revents[0]), (Ok(0), 0), "idle listener");

        let (r, revents, err) = poll_entries(ws, &[(Socket::INVALID, POLLERR), (l, POLLIN)], 0);
        assert_eq!((r, err), (Ok(0), 0), "-1/POLLERR next to the listener");
        assert_eq!(revents, [POLLNVAL, 0]);

        let (r, revents, err) = poll_entries(ws, &[(l, POLLIN), (NOT_A_SOCKET, POLLIN)], 0);
        assert_eq!((r, err), (Ok(0), 0), "0xabacab/POLLIN next to the listener");
        assert_eq!(revents, [0, POLLNVAL]);

        let (r, revents, err) = poll_entries(ws, &[(l, POLLIN), (NOT_A_SOCKET, POLLERR)], 0);
        assert_eq!(
            (r, err),
            (Err(WsaError::WSAEINVAL), WsaError::WSAEINVAL.code()),
            "0xabacab/POLLERR next to the listener [TW]"
        );
        assert_eq!(revents, [0, 0], "[TW for the second]");

        let (r, revents, err) = poll_entries(
            ws,
            &[(Socket::INVALID, POLLERR), (NOT_A_SOCKET, POLLERR)],
            0,
        );
        assert_eq!(
            (r, err),
            (Err(WsaError::WSAENOTSOCK), WsaError::WSAENOTSOCK.code()),
            "only invalid entries"
        );
        assert_eq!(revents, [POLLNVAL, POLLNVAL]);

        // The same refusal on a connected socket.
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c, &addr)?;
        let (s, _) = ws.accept(l)?;
        for bad in INVALID_EVENTS {
            let (r, _, err) = poll_entries(ws, &[(s, bad)], 0);
            assert_eq!(r, Err(WsaError::WSAEINVAL), "server, events {bad:#x} [TW]");
            assert_eq!(err, WsaError::WSAEINVAL.code());
        }
        for x in [c, s, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn sel_14_socket_closed_during_poll_reports_pollnval() {
    // Proves (sock.c test_WSAPoll): with an APC queued to the polling thread and another
    // thread closing the socket after 500 ms, WSAPoll(timeout 2000) runs the APC once, keeps
    // waiting, and returns 1 with POLLNVAL when the socket is closed. An APC queued by another
    // thread during the wait runs too, without ending the wait. The timeout otherwise runs in
    // virtual time.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let t = ws.create_thread("closer", move |ws| {
            ws.sleep(500);
            ws.closesocket(c)
        })?;
        let count = Arc::new(AtomicU32::new(0));
        common::queue_counting_apc(ws, ws.thread_id(), &count)?;
        let t0 = ws.get_tick_count();
        let mut fds = [WsaPollFd {
            fd: c,
            events: POLLRDNORM | POLLRDBAND,
            revents: DEAD,
        }];
        assert_eq!(ws.wsa_poll(&mut fds, 2000)?, 1);
        assert_eq!(count.load(Ordering::SeqCst), 1, "the APC ran once");
        assert_eq!(fds[0].revents, POLLNVAL);
        assert_eq!(
            ws.get_tick_count() - t0,
            500,
            "the APC did not end the wait"
        );
        ws.wait_for_thread(t, 1000)?;
        ws.closesocket(s)?;

        // An APC queued while the poll already waits.
        let (l, _) = common::listener(ws, 1)?;
        let me = ws.thread_id();
        let count = Arc::new(AtomicU32::new(0));
        let count2 = count.clone();
        let t = ws.create_thread("apc and closer", move |ws| {
            ws.sleep(50);
            common::queue_counting_apc(ws, me, &count2)?;
            ws.sleep(50);
            ws.closesocket(l)
        })?;
        let t0 = ws.get_tick_count();
        let mut fds = [WsaPollFd::new(l, POLLRDNORM)];
        assert_eq!(ws.wsa_poll(&mut fds, 5000)?, 1);
        assert_eq!(fds[0].revents, POLLNVAL);
        assert_eq!(count.load(Ordering::SeqCst), 1);
        assert_eq!(ws.get_tick_count() - t0, 100);
        ws.wait_for_thread(t, INFINITE)?;

        let (l2, _) = common::listener(ws, 1)?;
        let t0 = ws.get_tick_count();
        assert_eq!(poll1(ws, l2, POLLRDNORM, 250)?, (0, 0));
        assert_eq!(ws.get_tick_count() - t0, 250);
        Ok(())
    });
}
