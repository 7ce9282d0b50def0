//! WSAAsyncSelect model: the message-mode halves of conformance rules EV-* (section 1 of
//! conformance.md), window procedures and DispatchMessage, WM_QUIT, and registration
//! replacement / cancellation.
//!
//! Expected values are Windows' (the catalogue), never what the sim happens to return.
//!
//! Elsewhere: EV-10 and EV-20 (AcceptEx, pending overlapped WSARecv) in overlapped_fd_events.rs; EV-02
//! and EV-03 are about WSAEnumNetworkEvents / event mode only (event_select.rs, udp.rs).
//!
//! Not covered:
//! - EV-26's CloseHandle/NtClose (not in the API).
//! - EV-01's "bytes-returned set to 0": the API has `ioctlsocket` only, no `WSAIoctl`.
mod common;

use common::tcp;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// Virtual time given to the network before the queue is inspected.
const SETTLE_MS: u32 = 200;

const ALL_SIX: i32 = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE;

/// Lets [`SETTLE_MS`] of virtual time pass, then removes every queued message of this thread.
fn drain(ws: &SimWinsock) -> Result<Vec<Msg>, WsaError> {
    ws.sleep(SETTLE_MS);
    let mut out = Vec::new();
    while let Some(m) = ws.peek_message(Hwnd::NULL, PM_REMOVE)? {
        out.push(m);
        assert!(out.len() < 1000, "message flood");
    }
    Ok(out)
}

/// Message-mode check: exactly the listed `(socket, FD_x, error)` messages, in order, each
/// posted to `hwnd` with WM_USER, wParam = socket and lParam = MAKELONG(FD_x, error); then no
/// further message. An empty list is the catalogue's "nothing".
fn check(
    ws: &SimWinsock,
    hwnd: Hwnd,
    expected: &[(Socket, i32, i32)],
    what: &str,
) -> Result<(), WsaError> {
    let got = drain(ws)?;
    let show = |ms: &[Msg]| {
        ms.iter()
            .map(|m| {
                format!(
                    "(msg {:#x}, s {:#x}, ev {:#x}, err {})",
                    m.message,
                    m.wparam,
                    wsa_get_select_event(m.lparam),
                    wsa_get_select_error(m.lparam)
                )
            })
            .collect::<Vec<_>>()
    };
    let want: Vec<Msg> = expected
        .iter()
        .map(|&(s, ev, err)| Msg {
            hwnd,
            message: WM_USER,
            wparam: s.raw(),
            lparam: wsa_make_select_reply(ev, err),
        })
        .collect();
    assert_eq!(
        got,
        want,
        "{what}: got {:?}, expected {:?}",
        show(&got),
        show(&want)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// EV rules, message mode
// ---------------------------------------------------------------------------------------------

#[test]
fn ev_01_registration_makes_nonblocking_message_mode() {
    // Proves: WSAAsyncSelect turns the socket nonblocking and pins it: FIONBIO=1 works,
    // FIONBIO=0 fails with WSAEINVAL, and a connect after registering does not block.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let hwnd = ws.create_window(None)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_READ)?;
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAEWOULDBLOCK));
        let mut on = 1u32;
        assert_eq!(ws.ioctlsocket(s, FIONBIO, &mut on), Ok(()));
        let mut off = 0u32;
        assert_eq!(
            ws.ioctlsocket(s, FIONBIO, &mut off),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAEWOULDBLOCK));

        let (l, addr) = common::listener(ws, 5)?;
        let k = tcp(ws)?;
        ws.wsa_async_select(k, hwnd, WM_USER, FD_CONNECT)?;
        let r = ws.connect(k, &addr);
        assert!(
            r == Err(WsaError::WSAEWOULDBLOCK) || r == Ok(()),
            "connect after WSAAsyncSelect: {r:?}"
        );
        for x in [k, l, c, s] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn ev_04_fd_accept_basics_message_mode() {
    // Proves: a listener registered before bind posts nothing after listen, exactly one
    // FD_ACCEPT (error 0) once a client connects, and then nothing.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let l = tcp(ws)?;
        ws.wsa_async_select(l, hwnd, WM_USER, FD_CONNECT | FD_READ | FD_OOB | FD_ACCEPT)?;
        ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
        ws.listen(l, 2)?;
        check(ws, hwnd, &[], "after listen")?;
        let addr = ws.getsockname(l)?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        check(ws, hwnd, &[(l, FD_ACCEPT, 0)], "after connect")?;
        check(ws, hwnd, &[], "second check")?;
        ws.closesocket(c)?;
        ws.closesocket(l)
    });
}

#[test]
fn ev_06_fd_accept_rearming_message_mode() {
    // Proves: in message mode a second connection posts nothing until accept() re-enables
    // FD_ACCEPT; an accept that leaves one queued posts FD_ACCEPT; the last accept, nothing.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let l = tcp(ws)?;
        ws.wsa_async_select(l, hwnd, WM_USER, FD_CONNECT | FD_READ | FD_OOB | FD_ACCEPT)?;
        ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
        ws.listen(l, 2)?;
        let addr = ws.getsockname(l)?;
        let c1 = tcp(ws)?;
        ws.connect(c1, &addr)?;
        check(ws, hwnd, &[(l, FD_ACCEPT, 0)], "first connection")?;
        let c2 = tcp(ws)?;
        ws.connect(c2, &addr)?;
        check(ws, hwnd, &[], "second connection")?;
        let (a1, _) = ws.accept(l)?;
        check(ws, hwnd, &[(l, FD_ACCEPT, 0)], "after first accept")?;
        let (a2, _) = ws.accept(l)?;
        check(ws, hwnd, &[], "after second accept")?;
        for x in [a1, a2, c1, c2, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn ev_09_accepted_socket_inherits_registration_message_mode() {
    // Proves: a socket returned by accept() carries the listener's WSAAsyncSelect
    // registration (same window, same message) and posts exactly FD_WRITE without registering.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (l, addr) = common::listener(ws, 5)?;
        ws.wsa_async_select(l, hwnd, WM_USER, FD_ACCEPT | FD_READ | FD_WRITE | FD_CLOSE)?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        check(ws, hwnd, &[(l, FD_ACCEPT, 0)], "listener")?;
        let (s, _) = ws.accept(l)?;
        check(ws, hwnd, &[(s, FD_WRITE, 0)], "accepted socket")?;
        for x in [s, c, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn ev_11_connect_posts_connect_then_write_message_mode() {
    // Proves: an unconnected socket registered for all six posts nothing, then after connect
    // FD_CONNECT followed by FD_WRITE (both error 0), then nothing.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (l, addr) = common::listener(ws, 5)?;
        let c = tcp(ws)?;
        ws.wsa_async_select(c, hwnd, WM_USER, ALL_SIX)?;
        check(ws, hwnd, &[], "before connect")?;
        let r = ws.connect(c, &addr);
        assert!(
            r == Err(WsaError::WSAEWOULDBLOCK) || r == Ok(()),
            "connect: {r:?}"
        );
        check(
            ws,
            hwnd,
            &[(c, FD_CONNECT, 0), (c, FD_WRITE, 0)],
            "after connect",
        )?;
        check(ws, hwnd, &[], "afterwards")?;
        ws.closesocket(c)?;
        ws.closesocket(l)
    });
}

#[test]
fn ev_12_accepted_socket_never_reports_connect_message_mode() {
    // Proves: an accepted socket registered with FD_CONNECT in the mask posts exactly FD_WRITE,
    // and nothing at all when the mask lacks FD_WRITE.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(
            s,
            hwnd,
            WM_USER,
            FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE,
        )?;
        check(ws, hwnd, &[(s, FD_WRITE, 0)], "with FD_WRITE")?;

        let (c2, s2) = common::pair(ws)?;
        ws.wsa_async_select(s2, hwnd, WM_USER, FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ)?;
        check(ws, hwnd, &[], "without FD_WRITE")?;
        for x in [c, s, c2, s2] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn ev_14_failed_connect_posts_connect_error_message_mode() {
    // Proves: a connect to a closed loopback port gives WSAEWOULDBLOCK and then one message
    // FD_CONNECT with error WSAECONNREFUSED (lParam MAKELONG(0x10, 10061)), and nothing else;
    // registering FD_CONNECT again posts nothing.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let addr = common::closed_port(ws)?;
        let c = tcp(ws)?;
        ws.wsa_async_select(c, hwnd, WM_USER, FD_CONNECT)?;
        assert_eq!(ws.connect(c, &addr), Err(WsaError::WSAEWOULDBLOCK));
        // Windows may need more than 2 s (SYN retries).
        ws.sleep(5000);
        check(
            ws,
            hwnd,
            &[(c, FD_CONNECT, WsaError::WSAECONNREFUSED.code())],
            "refused",
        )?;
        ws.wsa_async_select(c, hwnd, WM_USER, FD_CONNECT)?;
        check(ws, hwnd, &[], "re-registered: nothing re-posted")?;
        ws.closesocket(c)
    });
}

#[test]
fn ev_16_fd_write_not_cleared_or_rearmed_by_send_message_mode() {
    // Proves: send() does not take back a posted FD_WRITE (a) nor post a new one (b); only a
    // send that failed with WSAEWOULDBLOCK arms exactly one FD_WRITE once space returns (c, [WO]).
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // (a)
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_READ | FD_WRITE | FD_CLOSE)?;
        assert_eq!(ws.send(s, b"12345", 0)?, 5);
        check(ws, hwnd, &[(s, FD_WRITE, 0)], "(a)")?;
        assert_eq!(common::recv_exact(ws, c, 5)?, b"12345");
        ws.closesocket(c)?;
        ws.closesocket(s)?;

        // (b)
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_READ | FD_WRITE | FD_CLOSE)?;
        check(ws, hwnd, &[(s, FD_WRITE, 0)], "(b) initial")?;
        assert_eq!(ws.send(s, b"12345", 0)?, 5);
        assert_eq!(common::recv_exact(ws, c, 5)?, b"12345");
        check(ws, hwnd, &[], "(b) after send + drain")?;
        ws.closesocket(c)?;
        ws.closesocket(s)?;

        // (c)
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_READ | FD_WRITE | FD_CLOSE)?;
        check(ws, hwnd, &[(s, FD_WRITE, 0)], "(c) initial")?;
        let chunk = vec![0x5au8; 16 * 1024];
        let mut sent = 0;
        let mut blocked = false;
        for _ in 0..10_000 {
            match ws.send(s, &chunk, 0) {
                Ok(n) => {
                    assert_eq!(n, chunk.len());
                    sent += n;
                }
                Err(WsaError::WSAEWOULDBLOCK) => {
                    blocked = true;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        assert!(blocked, "send never failed with WSAEWOULDBLOCK");
        assert_eq!(common::recv_exact(ws, c, sent)?.len(), sent);
        check(ws, hwnd, &[(s, FD_WRITE, 0)], "(c) after drain")?;
        check(ws, hwnd, &[], "(c) afterwards")?;
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_17_fd_read_reenabling_message_mode() {
    // Proves: after FD_READ is posted, new data posts nothing until a recv; each recv that
    // leaves data posts FD_READ again; the recv that empties the queue posts nothing.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(
            s,
            hwnd,
            WM_USER,
            FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ,
        )?;
        ws.send(c, b"12345", 0)?;
        check(ws, hwnd, &[(s, FD_READ, 0)], "first send")?;
        ws.send(c, b"67890", 0)?;
        check(ws, hwnd, &[], "second send")?;
        let mut b = [0u8; 2];
        assert_eq!(ws.recv(s, &mut b, 0)?, 2);
        check(ws, hwnd, &[(s, FD_READ, 0)], "after recv(2)")?;
        // 1-byte reads (plain recv instead of the catalogue's immediately-completing
        // overlapped WSARecv: both are re-enabling calls).
        for i in 0..8 {
            let mut one = [0u8; 1];
            assert_eq!(ws.recv(s, &mut one, 0)?, 1);
            assert_eq!(one[0], b"34567890"[i]);
            if i < 7 {
                check(ws, hwnd, &[(s, FD_READ, 0)], "1-byte read leaving data")?;
            } else {
                check(ws, hwnd, &[], "after the last byte")?;
            }
        }
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_21_fd_oob_message_mode() {
    // Proves: urgent data posts exactly FD_OOB (no FD_READ); a second urgent byte posts
    // nothing until recv(MSG_OOB), which posts FD_OOB while urgent data remains; urgent data
    // that arrived while unregistered is posted on registration.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_OOB | FD_READ)?;
        assert_eq!(ws.send(c, b"a", MSG_OOB)?, 1);
        check(ws, hwnd, &[(s, FD_OOB, 0)], "first OOB byte")?;
        assert_eq!(ws.send(c, b"b", MSG_OOB)?, 1);
        check(ws, hwnd, &[], "second OOB byte")?;
        let mut b = [0u8; 1];
        assert_eq!(ws.recv(s, &mut b, MSG_OOB)?, 1);
        check(
            ws,
            hwnd,
            &[(s, FD_OOB, 0)],
            "after first recv(MSG_OOB) [TW]",
        )?;
        assert_eq!(ws.recv(s, &mut b, MSG_OOB)?, 1, "second recv(MSG_OOB) [TW]");
        check(ws, hwnd, &[], "after second recv(MSG_OOB)")?;

        ws.wsa_async_select(s, hwnd, WM_USER, 0)?;
        assert_eq!(ws.send(c, b"c", MSG_OOB)?, 1);
        check(ws, hwnd, &[], "while unregistered")?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_OOB | FD_READ)?;
        check(ws, hwnd, &[(s, FD_OOB, 0)], "on re-registration")?;
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_22_graceful_close_message_mode() {
    // Proves: a graceful peer closesocket posts FD_CLOSE with error 0, recv then gives 0, and
    // no further message follows.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_CLOSE | FD_READ)?;
        ws.closesocket(c)?;
        check(ws, hwnd, &[(s, FD_CLOSE, 0)], "peer closed")?;
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        check(ws, hwnd, &[], "afterwards")?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_23_shutdowns_raising_fd_close_message_mode() {
    // Proves: the peer's shutdown(SD_SEND) posts FD_CLOSE (error 0) and its later closesocket
    // nothing; the peer's SD_RECEIVE and a local SD_BOTH post nothing, the peer's SD_SEND then
    // posts FD_CLOSE.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // (a)
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_CLOSE | FD_READ)?;
        ws.shutdown(c, SD_SEND)?;
        check(ws, hwnd, &[(s, FD_CLOSE, 0)], "(a) peer SD_SEND")?;
        ws.closesocket(c)?;
        check(ws, hwnd, &[], "(a) peer closesocket")?;
        ws.closesocket(s)?;

        // (b)
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_CLOSE | FD_READ)?;
        ws.shutdown(c, SD_RECEIVE)?;
        ws.shutdown(s, SD_BOTH)?;
        check(ws, hwnd, &[], "(b) peer SD_RECEIVE + local SD_BOTH")?;
        ws.shutdown(c, SD_SEND)?;
        check(ws, hwnd, &[(s, FD_CLOSE, 0)], "(b) peer SD_SEND [TW]")?;
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_25_abortive_close_connaborted_message_mode() {
    // Proves: a peer's abortive (RST) close posts lParam MAKELONG(FD_CLOSE, WSAECONNABORTED)
    // (not WSAECONNRESET), and re-registering posts it again [TW].
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_CLOSE | FD_READ)?;
        common::rst_close(ws, c)?;
        let aborted = WsaError::WSAECONNABORTED.code();
        check(ws, hwnd, &[(s, FD_CLOSE, aborted)], "peer RST")?;
        let got = ws.peek_message(Hwnd::NULL, PM_REMOVE)?;
        assert_eq!(got, None);
        ws.wsa_async_select(s, hwnd, WM_USER, FD_CLOSE | FD_READ)?;
        check(ws, hwnd, &[(s, FD_CLOSE, aborted)], "re-registered [TW]")?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_26_own_close_posts_nothing_registration_survives_thread_exit() {
    // Proves: a connected socket registered for all six posts FD_WRITE (lParam 2) first, also
    // when registered by a thread that has since exited; closing your own socket posts no
    // FD_CLOSE. (CloseHandle is not in the API.)
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        // Registered by this thread.
        let (src, dst) = common::pair(ws)?;
        ws.wsa_async_select(src, hwnd, WM_USER, ALL_SIX)?;
        let first = ws.get_message(Hwnd::NULL)?.expect("a message, not WM_QUIT");
        assert_eq!(first.lparam, 2);
        assert_eq!(first.wparam, src.raw());
        check(ws, hwnd, &[], "after FD_WRITE")?;
        ws.closesocket(src)?;
        check(ws, hwnd, &[], "after closesocket")?;
        ws.closesocket(dst)?;

        // Registered by a helper thread that then exits.
        let (src, dst) = common::pair(ws)?;
        let t = ws.create_thread("registrar", move |ws| {
            ws.wsa_async_select(src, hwnd, WM_USER, ALL_SIX)
        })?;
        ws.wait_for_thread(t, INFINITE)?;
        check(
            ws,
            hwnd,
            &[(src, FD_WRITE, 0)],
            "registered from exited thread",
        )?;
        // The registration outlives the thread: data still posts FD_READ.
        ws.send(dst, b"x", 0)?;
        check(ws, hwnd, &[(src, FD_READ, 0)], "data after thread exit")?;
        let mut b = [0u8; 1];
        assert_eq!(ws.recv(src, &mut b, 0)?, 1);
        ws.closesocket(src)?;
        check(ws, hwnd, &[], "after closesocket")?;
        ws.closesocket(dst)
    });
}

/// The completion key sock.c's IOCP tests use.
const KEY: usize = 0x1234_5678;

#[test]
fn ev_26_iocp_association_and_pending_recv_post_nothing() {
    // Proves (sock.c iocp_async_read_thread, iocp_async_read_closesocket): on a socket
    // registered for all six (FD_WRITE posted first, registration by a helper thread that
    // exited), associating a completion port posts nothing; a WSARecv pending on it (issued
    // by another thread that exited) posts nothing and queues no packet (GQCS times out);
    // data from the peer completes that receive on the port (12 bytes, the key, the
    // OVERLAPPED, the data) and posts no FD_READ. Then a second pending WSARecv and a
    // closesocket of the socket: no message (no FD_CLOSE); the receive's packet carries
    // ERROR_CONNECTION_ABORTED [TW] and 0 bytes; then the port is empty.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (src, dst) = common::pair(ws)?;
        let t = ws.create_thread("registrar", move |ws| {
            ws.wsa_async_select(src, hwnd, WM_USER, ALL_SIX)
        })?;
        ws.wait_for_thread(t, INFINITE)?;
        check(ws, hwnd, &[(src, FD_WRITE, 0)], "registration")?;

        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(src, port, KEY)?;
        check(ws, hwnd, &[], "port associated")?;

        let t = ws.create_thread("receiver", move |ws| {
            assert_eq!(
                ws.wsa_recv_overlapped(src, vec![vec![0; 512]], 0, Overlapped::new(1), None),
                Err(WsaError::WSA_IO_PENDING)
            );
            Ok(())
        })?;
        ws.wait_for_thread(t, INFINITE)?;
        check(ws, hwnd, &[], "WSARecv pending")?;
        assert_eq!(
            ws.get_queued_completion_status(port, 100).map(|p| p.bytes),
            Err(WsaError::WAIT_TIMEOUT)
        );
        check(ws, hwnd, &[], "still pending")?;

        assert_eq!(ws.send(dst, b"Hello World!", 0)?, 12);
        check(ws, hwnd, &[], "data completed the receive: no FD_READ")?;
        let p = ws.get_queued_completion_status(port, 100)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (None, 12, KEY, Some(Overlapped::new(1)))
        );
        assert_eq!(&p.bufs[0][..12], b"Hello World!");

        assert_eq!(
            ws.wsa_recv_overlapped(src, vec![vec![0; 512]], 0, Overlapped::new(2), None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.closesocket(src)?;
        check(ws, hwnd, &[], "closesocket: no FD_CLOSE")?;
        let p = ws.get_queued_completion_status(port, 100)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (
                Some(WsaError::ERROR_CONNECTION_ABORTED),
                0,
                KEY,
                Some(Overlapped::new(2))
            ),
            "[TW for the error]"
        );
        assert_eq!(
            ws.get_queued_completion_status(port, 100).map(|p| p.bytes),
            Err(WsaError::WAIT_TIMEOUT)
        );
        ws.close_completion_port(port)?;
        ws.closesocket(dst)
    });
}

#[test]
fn ev_22_fd_close_with_unread_data_message_mode() {
    // Proves (sock.c test_close_events, "sending data before calling closesocket()"): the peer
    // sends 5 bytes (FD_READ) and closes; FD_CLOSE (error 0) is posted while the 5 bytes are
    // still unread [TW]; recv(3) → 3 posts FD_READ; recv(5) → 2 posts nothing [TW] (no second
    // FD_CLOSE); recv then gives 0, still nothing.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (c, s) = common::pair(ws)?;
        let mask = FD_ACCEPT | FD_CLOSE | FD_CONNECT | FD_OOB | FD_READ;
        ws.wsa_async_select(s, hwnd, WM_USER, mask)?;
        assert_eq!(ws.send(c, b"data\0", 0)?, 5);
        check(ws, hwnd, &[(s, FD_READ, 0)], "data")?;
        ws.closesocket(c)?;
        check(
            ws,
            hwnd,
            &[(s, FD_CLOSE, 0)],
            "peer closed, 5 bytes unread [TW]",
        )?;
        let mut b = [0u8; 5];
        assert_eq!(ws.recv(s, &mut b[..3], 0)?, 3);
        check(ws, hwnd, &[(s, FD_READ, 0)], "2 bytes left")?;
        assert_eq!(ws.recv(s, &mut b, 0)?, 2);
        check(ws, hwnd, &[], "last bytes read [TW]")?;
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        check(ws, hwnd, &[], "recv gave 0")?;
        ws.closesocket(s)
    });
}

#[test]
fn ev_15_udp_connect_posts_write_message_mode() {
    // Proves (sock.c test_connect_events, UDP part): an unbound UDP socket registered for
    // FD_ACCEPT|FD_CONNECT|FD_OOB|FD_READ|FD_WRITE posts FD_WRITE, then nothing; connect() to
    // a bound UDP socket succeeds at once and posts FD_WRITE again (no FD_CONNECT) [TW]; then
    // nothing.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let client = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let server = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let mask = FD_ACCEPT | FD_CONNECT | FD_OOB | FD_READ | FD_WRITE;
        ws.wsa_async_select(client, hwnd, WM_USER, mask)?;
        check(ws, hwnd, &[(client, FD_WRITE, 0)], "unbound, registered")?;
        ws.bind(server, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let dest = ws.getsockname(server)?;
        ws.connect(client, &dest)?;
        check(ws, hwnd, &[(client, FD_WRITE, 0)], "connected [TW]")?;
        check(ws, hwnd, &[], "afterwards")?;
        ws.closesocket(client)?;
        ws.closesocket(server)
    });
}

// ---------------------------------------------------------------------------------------------
// Windows, message loop, registration replacement
// ---------------------------------------------------------------------------------------------

#[test]
fn dispatch_message_calls_the_window_procedure() {
    // Proves: DispatchMessage calls the target window's procedure with the message and returns
    // its result; the procedure can call back into WinSock; a window without one gives 0.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let seen: Arc<Mutex<Vec<Msg>>> = Arc::default();
        let seen2 = seen.clone();
        let hwnd = ws.create_window(Some(Box::new(move |ws: &SimWinsock, m: Msg| {
            seen2.lock().unwrap().push(m);
            if m.message == WM_USER && wsa_get_select_event(m.lparam) == FD_READ {
                let mut b = [0u8; 16];
                return ws
                    .recv(Socket::from_raw(m.wparam), &mut b, 0)
                    .map_or(-1, |n| n as isize);
            }
            42
        })))?;
        ws.post_message(hwnd, WM_USER + 7, 3, 4)?;
        let m = ws.get_message(Hwnd::NULL)?.expect("posted message");
        assert_eq!(
            m,
            Msg {
                hwnd,
                message: WM_USER + 7,
                wparam: 3,
                lparam: 4
            }
        );
        assert_eq!(ws.dispatch_message(&m)?, 42);
        assert_eq!(seen.lock().unwrap().as_slice(), &[m]);

        ws.wsa_async_select(s, hwnd, WM_USER, FD_READ)?;
        ws.send(c, b"hello", 0)?;
        let m = ws.get_message(hwnd)?.expect("FD_READ message");
        assert_eq!(
            (m.wparam, m.lparam),
            (s.raw(), wsa_make_select_reply(FD_READ, 0))
        );
        // The procedure's recv result (TCP may deliver "hello" in more than one segment).
        let n = ws.dispatch_message(&m)?;
        assert!((1..=5).contains(&n), "the procedure's recv result: {n}");
        assert_eq!(seen.lock().unwrap().len(), 2);

        let plain = ws.create_window(None)?;
        ws.post_message(plain, WM_USER, 0, 0)?;
        let m = ws.get_message(plain)?.expect("posted message");
        assert_eq!(ws.dispatch_message(&m)?, 0);
        assert_eq!(
            seen.lock().unwrap().len(),
            2,
            "other window's procedure not called"
        );
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn post_quit_message_ends_get_message() {
    // Proves: after PostQuitMessage, GetMessage returns FALSE (Ok(None)); messages posted
    // before it are retrieved first.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        ws.post_message(hwnd, WM_USER, 1, 0)?;
        ws.post_quit_message(0);
        let m = ws
            .get_message(Hwnd::NULL)?
            .expect("the posted message first");
        assert_eq!((m.message, m.wparam), (WM_USER, 1));
        assert_eq!(ws.get_message(Hwnd::NULL)?, None);
        // Also with a window filter.
        ws.post_quit_message(3);
        assert_eq!(ws.get_message(hwnd)?, None);
        Ok(())
    });
}

#[test]

fn post_quit_message_waits_for_later_posted_messages() {
    // Proves: WM_QUIT is not an ordinary queued message (PostQuitMessage sets a flag; Raymond
    // Chen, "Why is there a special PostQuitMessage function?"): GetMessage generates it only
    // when no posted message is left, and repeated PostQuitMessage calls coalesce.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        ws.post_quit_message(0);
        ws.post_message(hwnd, WM_USER, 9, 0)?;
        let m = ws.get_message(Hwnd::NULL)?;
        assert_eq!(m.map(|m| (m.message, m.wparam)), Some((WM_USER, 9)));
        assert_eq!(ws.get_message(Hwnd::NULL)?, None);
        ws.post_quit_message(1);
        ws.post_quit_message(2);
        assert_eq!(ws.get_message(Hwnd::NULL)?, None);
        assert_eq!(
            ws.peek_message(Hwnd::NULL, PM_REMOVE)?,
            None,
            "WM_QUIT coalesces"
        );
        Ok(())
    });
}

#[test]
fn async_select_reregistration_replaces() {
    // Proves: a second WSAAsyncSelect replaces the first: its message number and mask apply,
    // the old ones no longer do.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER + 1, FD_READ)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_CLOSE)?;
        ws.send(c, b"x", 0)?;
        check(ws, hwnd, &[], "FD_READ no longer selected")?;
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0)?, 1);
        ws.closesocket(c)?;
        check(ws, hwnd, &[(s, FD_CLOSE, 0)], "new registration's message")?;
        ws.closesocket(s)
    });
}

#[test]
fn async_select_zero_mask_cancels() {
    // Proves: WSAAsyncSelect with lEvent 0 cancels the registration (nothing is posted) and,
    // as documented, lets FIONBIO=0 succeed again.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_READ | FD_CLOSE)?;
        ws.wsa_async_select(s, hwnd, WM_USER, 0)?;
        ws.send(c, b"x", 0)?;
        check(ws, hwnd, &[], "after cancel: data")?;
        assert_eq!(ws.set_nonblocking(s, false), Ok(()));
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0)?, 1);
        ws.closesocket(c)?;
        check(ws, hwnd, &[], "after cancel: peer close")?;
        ws.closesocket(s)
    });
}

#[test]
fn async_select_fionbio_zero_is_einval() {
    // Proves: FIONBIO 0 on a socket registered with WSAAsyncSelect fails with WSAEINVAL and
    // leaves it nonblocking.
    common::run(|ws| {
        let hwnd = ws.create_window(None)?;
        let (c, s) = common::pair(ws)?;
        ws.wsa_async_select(s, hwnd, WM_USER, FD_READ)?;
        assert_eq!(ws.set_nonblocking(s, false), Err(WsaError::WSAEINVAL));
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAEWOULDBLOCK));
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}
