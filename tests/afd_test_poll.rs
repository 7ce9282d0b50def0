//! Wine `dlls/ws2_32/tests/afd.c`, function `test_poll` (L186-958 of the file at
//! Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines counted),
//! facts only: what an IOCTL_AFD_POLL reports, checked through the WinSock calls built on it
//! (select, WSAPoll, WSAEventSelect, SO_ERROR; projection in `afd_common`). Our own code.
//!
//! Counting: each `ok()` / `todo_wine ok()` in the body once, each `check_poll*` call once
//! (its flags; the helper's plumbing checks are not counted). Of a poll result block: the
//! call's outcome (pends / returns / times out), `count`, `socket` and `flags` are ported
//! (WSAPoll's result, entry, revents; select's sets), `Information`, the echoed `timeout` and
//! a zero per-socket `status` are not expressible; a refused connect's status is SO_ERROR.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L219-344 listener idle, woken by a connect, mask without ACCEPT (49) | 28 (WSAPoll on a thread, select) | 21 | 0 |
//! | L347-385 connected pair, data, full send buffer (16) | 14 (select, WSAPoll) | 2 | 0 |
//! | L396-429 pending WSARecv takes the data (17) | 15 (overlapped WSARecv, WSAPoll on a thread) | 2 | 0 |
//! | L434-455 urgent data, SO_OOBINLINE (12) | 12 (select, WSAPoll) | 0 | 0 |
//! | L464-479 shutdown SD_RECEIVE / SD_SEND (9) | 9 (select, WSAPoll) | 0 | 0 |
//! | L488-504 SD_SEND with data queued (10) | 10 (select, WSAPoll) | 0 | 0 |
//! | L516-528 closesocket during the poll (8) | 6 (WSAPoll on a thread: POLLNVAL) | 2 | 0 |
//! | L549-613 failed connect, retry, blocking connect (35) | 30 (WSAPoll, select, SO_ERROR, connect) | 5 | 0 |
//! | L622-697 two sockets in one call (33) | 24 (WSAPoll on a thread) | 9 | 0 |
//! | L709-717 closing the carrier handle (5) | 0 | 5 | 0 |
//! | L730-767 connection taken by a pending AcceptEx (17) | 15 (AcceptEx, WSAPoll on a thread) | 2 | 0 |
//! | L783-798 CONNECT and WRITE together (9) | 7 (WSAPoll on a thread, WSAEventSelect) | 2 | 0 |
//! | L809-875 UDP (25) | 20 (select, WSAPoll, WSAEventSelect FD_CONNECT) | 5 | 0 |
//! | L895-897 invalid socket in the array (3) | 0 | 3 | 0 |
//! | L912-948 one socket given several times (22) | 14 (WSAPoll) | 8 | 0 |
//! | **total (270)** | **204** | **66** | **0** |
//!
//! Not expressible, per kind: opening `\Device\Afd` and the extension-pointer fetch (2);
//! IOCTL input/output buffer-size validation and count 0 (8); `io.Information` output sizes
//! (21); the echoed `timeout` (4); zero per-socket `status` words (19); the refused status
//! after a *blocking* connect (L613: SO_ERROR then reads 0 on Windows, tests/select.rs
//! `sel_09_failed_blocking_connect`; 1); the handle the ioctl
//! is issued on, and a mask without HUP, which WSAPoll and select cannot express (L709-717,
//! 5); STATUS_INVALID_HANDLE for a bad entry — WSAPoll accepts it (3); the output array's
//! compaction of a socket given twice while pending, whose mapping back to WSAPoll entries
//! is not pinned (2, L945-946); Wine's fallback branch after `todo_wine` (L871, 1).
mod afd_common;
mod common;

use afd_common::*;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn nb_tcp(ws: &SimWinsock) -> Result<Socket, WsaError> {
    let s = common::tcp(ws)?;
    ws.set_nonblocking(s, true)?;
    Ok(s)
}

#[test]
fn listener_idle_then_woken_by_a_connection() {
    common::run(|ws| {
        // L223-228: bind, listen, getsockname.
        let (l, addr) = common::listener(ws, 1)?;
        // L280-287: nothing pending: no flags at once.
        assert_eq!(poll1(ws, l, ASK, 0), (Ok(0), 0), "L280-286");
        check(ws, l, 0, "L286");
        // L294-300: a timeout that runs out reports nothing.
        let t0 = ws.get_tick_count();
        assert_eq!(poll1(ws, l, ASK, 100), (Ok(0), 0), "L294-300");
        assert_eq!(
            ws.get_tick_count() - t0,
            100,
            "L296: the wait ran to its end"
        );
        // L306-321: a waiting poll is woken by a nonblocking connect with ACCEPT only.
        let (t, out) = poll_in_thread(ws, vec![WsaPollFd::new(l, ASK)], 10_000)?;
        assert!(still_waiting(&out), "L306: the poll pends");
        let c = nb_tcp(ws)?;
        let r = ws.connect(c, &addr);
        assert!(r.is_ok() || r == Err(WsaError::WSAEWOULDBLOCK), "L311");
        let (res, fds) = joined(ws, t, &out)?;
        assert_eq!(res, Ok(1), "L314-318");
        assert_eq!((fds[0].fd, fds[0].revents), (l, POLLRDNORM), "L319-320");
        // L325-332: asked again, ACCEPT again at once.
        check(ws, l, ACCEPT, "L325-331");
        // L339-344: a mask without ACCEPT times out.
        let t0 = ws.get_tick_count();
        assert_eq!(
            poll1(ws, l, POLLWRNORM | POLLRDBAND, 100),
            (Ok(0), 0),
            "L339-344"
        );
        assert_eq!(ws.get_tick_count() - t0, 100, "L341");
        let (s, _) = ws.accept(l)?;
        for x in [c, s, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn connected_pair_data_pending_recv_and_urgent_data() {
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 1)?;
        let c = nb_tcp(ws)?;
        let _ = ws.connect(c, &addr);
        let (s, _) = ws.accept(l)?; // L347
        ws.set_nonblocking(s, true)?;
        ws.sleep(10);
        // L352-371: both ends WRITE | CONNECT.
        check(ws, c, WRITE | CONNECT, "L352");
        check(ws, s, WRITE | CONNECT, "L353, L364-371");
        // L376-380: data makes the client readable.
        assert_eq!(ws.send(s, b"data\0", 0)?, 5, "L376");
        check_mask(ws, c, READ, "L378");
        check(ws, c, WRITE | CONNECT | READ, "L379");
        check(ws, s, WRITE | CONNECT, "L380");
        // L382-385: the server fills its send buffer and loses WRITE.
        let big = vec![0u8; 1024 * 1024];
        while ws.send(s, &big, 0).is_ok() {}
        check(ws, c, WRITE | CONNECT | READ, "L384");
        check(ws, s, CONNECT, "L385");

        // L396-429: a pending WSARecv takes the byte; a waiting poll is not woken by it.
        let (t, out) = poll_in_thread(ws, vec![WsaPollFd::new(s, POLLRDNORM)], 10_000)?;
        assert!(still_waiting(&out), "L396");
        let ov = Overlapped::new(1);
        let r = ws.wsa_recv_overlapped(s, vec![vec![0u8; 1]], 0, ov, None);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "L401-402");
        assert_eq!(ws.send(c, b"a", 0)?, 1, "L405");
        let done = ws.get_overlapped_result_ex(s, &ov, 200, false)?;
        assert_eq!((done.error, done.bytes), (None, 1), "L408-411");
        ws.sleep(50);
        assert!(still_waiting(&out), "L414: the poll was not woken");
        assert_eq!(ws.send(c, b"a", 0)?, 1, "L417");
        let (res, fds) = joined(ws, t, &out)?;
        assert_eq!(res, Ok(1), "L420-423");
        assert_eq!((fds[0].fd, fds[0].revents), (s, POLLRDNORM), "L424-425");
        assert_eq!(ws.recv(s, &mut [0u8; 1], 0)?, 1, "L429");

        // L434-444: urgent data: OOB (and no READ) on the server until it is read.
        assert_eq!(ws.send(c, b"a", MSG_OOB)?, 1, "L434");
        check(ws, c, WRITE | CONNECT | READ, "L436");
        check_mask(ws, s, OOB, "L437");
        check(ws, s, CONNECT | OOB, "L438");
        assert_eq!(ws.recv(s, &mut [0u8; 1], MSG_OOB)?, 1, "L441");
        check(ws, c, WRITE | CONNECT | READ, "L443");
        check(ws, s, CONNECT, "L444");
        // L448-455: with SO_OOBINLINE urgent data is READ.
        ws.setsockopt_i32(s, SOL_SOCKET, SO_OOBINLINE, 1)?; // L448
        assert_eq!(ws.send(c, b"a", MSG_OOB)?, 1, "L451");
        check(ws, c, WRITE | CONNECT | READ, "L453");
        check_mask(ws, s, READ, "L454");
        check(ws, s, CONNECT | READ, "L455");
        for x in [c, s, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn shutdown_and_close_while_polling() {
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 1)?;
        // L464-479: SD_RECEIVE changes nothing; SD_SEND gives the peer HUP.
        let c = common::tcp(ws)?;
        ws.connect(c, &addr)?; // L464
        let (s, _) = ws.accept(l)?; // L466
        ws.shutdown(c, SD_RECEIVE)?; // L469
        check(ws, c, WRITE | CONNECT, "L471");
        check(ws, s, WRITE | CONNECT, "L472");
        ws.shutdown(c, SD_SEND)?; // L475
        ws.sleep(10);
        check(ws, c, WRITE | CONNECT, "L477");
        let (res, rev) = poll1(ws, s, 0, 1000);
        assert_eq!((res, rev & POLLHUP), (Ok(1), POLLHUP), "L478");
        check(ws, s, WRITE | CONNECT | HUP, "L479");
        ws.closesocket(c)?;
        ws.closesocket(s)?;

        // L488-504: SD_SEND with data queued: READ and HUP together.
        let c = common::tcp(ws)?;
        ws.connect(c, &addr)?; // L488
        let (s, _) = ws.accept(l)?; // L490
        assert_eq!(ws.send(c, b"data\0", 0)?, 5, "L493");
        ws.sleep(10);
        check(ws, c, WRITE | CONNECT, "L495");
        check_mask(ws, s, READ, "L496");
        check(ws, s, WRITE | CONNECT | READ, "L497");
        ws.shutdown(c, SD_SEND)?; // L500
        ws.sleep(10);
        check(ws, c, WRITE | CONNECT, "L502");
        check_mask(ws, s, READ, "L503");
        check(ws, s, WRITE | CONNECT | READ | HUP, "L504 (todo_wine)");

        // L516-528: closing the socket ends a poll on it with CLOSE, asked for or not.
        let (t, out) = poll_in_thread(ws, vec![WsaPollFd::new(c, 0)], 10_000)?;
        assert!(still_waiting(&out), "L516");
        ws.closesocket(c)?;
        let (res, fds) = joined(ws, t, &out)?;
        assert_eq!(res, Ok(1), "L521-524");
        assert_eq!((fds[0].fd, fds[0].revents), (c, POLLNVAL), "L525-526");
        ws.closesocket(s)?;
        ws.closesocket(l)
    });
}

#[test]
fn failed_connect_reports_connect_err() {
    common::run(|ws| {
        let addr = common::closed_port(ws)?;
        let refused = WsaError::WSAECONNREFUSED.code();
        // L549-563: a waiting poll ends with CONNECT_ERR, status connection refused.
        let c = nb_tcp(ws)?;
        let (t, out) = poll_in_thread(ws, vec![WsaPollFd::new(c, ASK)], 10_000)?;
        assert!(still_waiting(&out), "L549");
        assert_eq!(
            ws.connect(c, &addr),
            Err(WsaError::WSAEWOULDBLOCK),
            "L553-554"
        );
        let (res, fds) = joined(ws, t, &out)?;
        assert_eq!(res, Ok(1), "L557-560");
        assert_eq!(fds[0].fd, c, "L561");
        let m = POLLERR | POLLRDNORM | POLLRDBAND;
        assert_eq!(fds[0].revents & m, POLLERR, "L562");
        assert_eq!(ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?, refused, "L563");
        // L569-586: it stays so on two more polls.
        for line in ["L569-575", "L580-586"] {
            check(ws, c, CONNECT_ERR, line);
            assert_eq!(
                ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?,
                refused,
                "{line}"
            );
        }
        // L588-590: connecting again starts a new attempt.
        assert_eq!(
            ws.connect(c, &addr),
            Err(WsaError::WSAEWOULDBLOCK),
            "L589-590"
        );
        ws.closesocket(c)?;
        // L600-613: a blocking connect that was refused polls the same way.
        let c = common::tcp(ws)?;
        assert_eq!(
            ws.connect(c, &addr),
            Err(WsaError::WSAECONNREFUSED),
            "L601-602"
        );
        check(ws, c, CONNECT_ERR, "L607-612");
        ws.closesocket(c)
    });
}

#[test]
fn two_sockets_in_one_call() {
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 1)?; // L622
        let c = common::tcp(ws)?;
        ws.connect(c, &addr)?; // L626
        let (s, _) = ws.accept(l)?; // L628
                                    // L645-657: READ on both; a send from the client wakes it with the server alone.
        let fds = vec![WsaPollFd::new(c, POLLRDNORM), WsaPollFd::new(s, POLLRDNORM)];
        let (t, out) = poll_in_thread(ws, fds, 10_000)?;
        assert!(still_waiting(&out), "L645");
        assert_eq!(ws.send(c, b"data\0", 0)?, 5, "L648");
        let (res, fds) = joined(ws, t, &out)?;
        assert_eq!(res, Ok(1), "L651-654");
        assert_eq!(
            (fds[0].revents, fds[1].fd, fds[1].revents),
            (0, s, POLLRDNORM),
            "L655-656"
        );
        // L667-697 (twice): READ | WRITE on both: client WRITE, server READ | WRITE.
        for line in ["L667-677", "L687-697"] {
            let mut fds = [
                WsaPollFd::new(c, POLLRDNORM | POLLWRNORM),
                WsaPollFd::new(s, POLLRDNORM | POLLWRNORM),
            ];
            assert_eq!(ws.wsa_poll(&mut fds, 1000), Ok(2), "{line}: count");
            assert_eq!(
                (fds[0].revents, fds[1].revents),
                (POLLWRNORM, POLLRDNORM | POLLWRNORM),
                "{line}: flags"
            );
        }
        for x in [c, s, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn accept_ex_takes_the_connection_and_connect_brings_write() {
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 1)?;
        // L730-748: a connection taken by a pending AcceptEx does not wake a poll for ACCEPT.
        let (t, out) = poll_in_thread(ws, vec![WsaPollFd::new(l, POLLRDNORM)], 10_000)?;
        assert!(still_waiting(&out), "L730");
        let a = common::tcp(ws)?;
        let ov = Overlapped::new(7);
        let r = ws.accept_ex(l, a, Vec::new(), ov);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "L734-735");
        let c = common::tcp(ws)?;
        ws.connect(c, &addr)?; // L739
        let done = ws.get_overlapped_result_ex(l, &ov, 200, false)?;
        assert_eq!((done.error, done.bytes), (None, 0), "L742-745");
        ws.sleep(50);
        assert!(still_waiting(&out), "L748: the poll was not woken");
        ws.closesocket(a)?;
        ws.closesocket(c)?;
        // L753-767: the next connection wakes it with ACCEPT.
        let c = common::tcp(ws)?;
        ws.connect(c, &addr)?; // L755
        let (res, fds) = joined(ws, t, &out)?;
        assert_eq!(res, Ok(1), "L758-761");
        assert_eq!((fds[0].fd, fds[0].revents), (l, POLLRDNORM), "L762-763");
        let (s, _) = ws.accept(l)?; // L767
        ws.closesocket(s)?;
        ws.closesocket(c)?;

        // L783-798: a poll on a socket that then connects wakes with CONNECT and WRITE at
        // once; the event-select record has FD_CONNECT and FD_WRITE together.
        let c = common::tcp(ws)?;
        let (t, out) = poll_in_thread(ws, vec![WsaPollFd::new(c, POLLWRNORM)], 10_000)?;
        assert!(still_waiting(&out), "L783");
        let c2 = common::tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(c2, ev, FD_CONNECT | FD_WRITE | FD_READ)?;
        ws.connect(c, &addr)?; // L786
        let (res, fds) = joined(ws, t, &out)?;
        assert_eq!((res, fds[0].revents), (Ok(1), POLLWRNORM), "L789-793");
        let (s, _) = ws.accept(l)?; // L798
        assert_eq!(ws.connect(c2, &addr), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?,
            WSA_WAIT_EVENT_0
        );
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(c2, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_CONNECT | FD_WRITE, "L793");
        assert_eq!(ne.error_code[FD_CONNECT_BIT], 0, "L795");
        let (s2, _) = ws.accept(l)?;
        for x in [c, c2, s, s2, l] {
            ws.closesocket(x)?;
        }
        ws.wsa_close_event(ev)
    });
}

#[test]
fn udp_sockets() {
    common::run(|ws| {
        let c = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        // L809-819: WRITE only, unbound and bound.
        check(ws, c, WRITE, "L809");
        check(ws, s, WRITE, "L810");
        ws.bind(c, &SockAddr::v4([127, 0, 0, 1], 0))?; // L813
        let addr = ws.getsockname(c)?; // L816
        check(ws, c, WRITE, "L818");
        check(ws, s, WRITE, "L819");
        // L829-841: a datagram wakes a poll with READ.
        let (t, out) = poll_in_thread(ws, vec![WsaPollFd::new(c, POLLRDNORM)], 10_000)?;
        assert!(still_waiting(&out), "L829");
        assert_eq!(ws.sendto(s, b"data\0", 0, &addr)?, 5, "L832");
        let (res, fds) = joined(ws, t, &out)?;
        assert_eq!(res, Ok(1), "L835-838");
        assert_eq!((fds[0].fd, fds[0].revents), (c, POLLRDNORM), "L839-840");
        // L851-864 (todo_wine L857): connect() on a datagram socket signals CONNECT.
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, ev, FD_CONNECT)?;
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, 0, "L851: nothing before the connect");
        ws.connect(s, &addr)?; // L854
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 100, false)?,
            WSA_WAIT_EVENT_0,
            "L857"
        );
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_CONNECT, "L860-864");
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        ws.wsa_close_event(ev)
    });
}

#[test]
fn one_socket_given_several_times() {
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        // L912-925: each entry is answered: WRITE, WRITE, WRITE (| CONNECT).
        let rw = POLLRDNORM | POLLWRNORM;
        let mut fds = [
            WsaPollFd::new(c, rw),
            WsaPollFd::new(c, rw),
            WsaPollFd::new(c, rw),
        ];
        assert_eq!(ws.wsa_poll(&mut fds, 1000), Ok(3), "L912-915");
        for f in &fds {
            assert_eq!((f.fd, f.revents), (c, POLLWRNORM), "L916-923");
        }
        // L936-947: READ asked twice; data wakes the poll with READ.
        let fds = vec![WsaPollFd::new(c, POLLRDNORM), WsaPollFd::new(c, POLLRDNORM)];
        let (t, out) = poll_in_thread(ws, fds, 10_000)?;
        assert!(still_waiting(&out), "L936");
        assert_eq!(ws.send(s, b"data\0", 0)?, 5, "L939");
        let (res, fds) = joined(ws, t, &out)?;
        assert!(matches!(res, Ok(n) if n >= 1), "L942-943: {res:?}");
        assert_eq!(fds[0].revents, POLLRDNORM, "L947");
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}
