//! Blocking and nonblocking semantics: conformance rules NB-*, and the parts of SEL-08/SEL-09
//! that need no select() (SO_ERROR after a failed connect).
//!
//! Elsewhere: the OVERLAPPED parts (NB-02, NB-03, NB-04 / NB-05 with ConnectEx and AcceptEx)
//! in tests/overlapped_nonblocking.rs (NB-03 also in the conformance suite,
//! tests/conformance_suite/overlapped.rs, run on the simulator and the real WinSock),
//! WSAIoctl (NB-08) in tests/wsa_ioctl.rs (ov_15_*), select/WSAPoll
//! (SEL-08/09's set results) in tests/select.rs and tests/poll.rs, UDP (NB-13, NB-14) in
//! tests/udp.rs. Not expressible through the safe API: invalid `ioctlsocket` pointers
//! (NB-08), an "unrelated OVERLAPPED left untouched" (NB-01), raw ICMP sockets (NB-13).
mod common;

use common::{fails, tcp};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn ioctl(ws: &SimWinsock, s: Socket, cmd: u32) -> Result<u32, WsaError> {
    let mut v = 0xdead_beef;
    ws.ioctlsocket(s, cmd, &mut v)?;
    Ok(v)
}

/// No simulated host owns this address (TEST-NET-2): SYNs to it are never answered.
const UNREACHABLE: [u8; 4] = [198, 51, 100, 7];

#[test]
fn nb_01_nonblocking_recv_without_data_would_block() {
    // Proves: recv on a nonblocking connected socket with nothing queued fails at once with
    // WSAEWOULDBLOCK (no virtual time passes), and works once data is there.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.set_nonblocking(s, true)?;
        let mut b = [0u8; 8];
        let t0 = ws.get_tick_count();
        fails(ws, ws.recv(s, &mut b, 0), WsaError::WSAEWOULDBLOCK, "recv");
        assert_eq!(ws.get_tick_count(), t0, "a nonblocking recv does not wait");
        ws.send(c, b"abc", 0)?;
        ws.sleep(10);
        assert_eq!(ws.recv(s, &mut b, 0)?, 3);
        assert_eq!(&b[..3], b"abc");
        fails(
            ws,
            ws.recv(s, &mut b, 0),
            WsaError::WSAEWOULDBLOCK,
            "recv after draining",
        );
        Ok(())
    });
}

#[test]
fn nb_01_nonblocking_wsarecv_without_overlapped_would_block() {
    // Proves: WSARecv without an OVERLAPPED on a nonblocking socket with nothing queued fails
    // at once with WSAEWOULDBLOCK (and the last error says so), then scatters data once it is
    // there.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.set_nonblocking(s, true)?;
        let (mut a, mut b) = ([0u8; 2], [0u8; 8]);
        let t0 = ws.get_tick_count();
        fails(
            ws,
            ws.wsa_recv(s, &mut [&mut a[..], &mut b[..]], 0),
            WsaError::WSAEWOULDBLOCK,
            "WSARecv",
        );
        assert_eq!(ws.wsa_get_last_error(), 10035);
        assert_eq!(ws.get_tick_count(), t0, "no waiting");
        ws.send(c, b"abc", 0)?;
        ws.sleep(10);
        assert_eq!(ws.wsa_recv(s, &mut [&mut a[..], &mut b[..]], 0)?.0, 3);
        assert_eq!((&a, &b[..1]), (b"ab", &b"c"[..]));
        Ok(())
    });
}

#[test]
fn nb_04_nonblocking_connect_in_progress() {
    // Proves: while a nonblocking connect to an unreachable address is in progress, a second
    // connect gives WSAEALREADY, getsockname gives AF_INET with a port, getpeername succeeds,
    // and recv and send give WSAENOTCONN. (ConnectEx parts: nb_04_* in tests/overlapped_nonblocking.rs.)
    common::run(|ws| {
        let c = tcp(ws)?;
        ws.set_nonblocking(c, true)?;
        ws.bind(c, &SockAddr::v4([0, 0, 0, 0], 0))?;
        let dst = SockAddr::v4(UNREACHABLE, 80);
        fails(
            ws,
            ws.connect(c, &dst),
            WsaError::WSAEWOULDBLOCK,
            "first connect",
        );
        fails(
            ws,
            ws.connect(c, &dst),
            WsaError::WSAEALREADY,
            "second connect",
        );
        let local = ws.getsockname(c)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!(local.family(), AF_INET);
        assert_ne!(local.port(), Some(0));
        assert!(local.port().is_some());
        assert_eq!(
            ws.getpeername(c)?,
            dst,
            "getpeername succeeds while connecting"
        );
        let mut b = [0u8; 4];
        fails(
            ws,
            ws.recv(c, &mut b, 0),
            WsaError::WSAENOTCONN,
            "recv while connecting",
        );
        fails(
            ws,
            ws.send(c, b"x", 0),
            WsaError::WSAENOTCONN,
            "send while connecting",
        );
        ws.closesocket(c)
    });
}

#[test]
fn nb_05_connect_on_sockets_in_other_states() {
    // Proves: connect on a listening socket gives WSAEINVAL; on a socket connected by connect,
    // one returned by accept, and on sockets after shutdown it gives WSAEISCONN.
    common::run(|ws| {
        let (l, laddr) = common::listener(ws, 5)?;
        let (l2, l2addr) = common::listener(ws, 5)?;
        fails(
            ws,
            ws.connect(l, &l2addr),
            WsaError::WSAEINVAL,
            "connect on a listener",
        );

        let c = tcp(ws)?;
        ws.connect(c, &laddr)?;
        let (a, _) = ws.accept(l)?;
        fails(
            ws,
            ws.connect(c, &l2addr),
            WsaError::WSAEISCONN,
            "connected by connect",
        );
        fails(
            ws,
            ws.connect(a, &l2addr),
            WsaError::WSAEISCONN,
            "returned by accept",
        );

        ws.shutdown(c, SD_SEND)?;
        fails(
            ws,
            ws.connect(c, &l2addr),
            WsaError::WSAEISCONN,
            "after SD_SEND",
        );
        ws.shutdown(a, SD_BOTH)?;
        fails(
            ws,
            ws.connect(a, &l2addr),
            WsaError::WSAEISCONN,
            "after SD_BOTH",
        );
        ws.closesocket(l2)?;
        Ok(())
    });
}

#[test]
fn nb_07_nonblocking_send_is_all_or_nothing() {
    // Proves: nonblocking send returns the full length or fails with WSAEWOULDBLOCK, never a
    // short count; everything accepted reaches the peer although the sender closes at once
    // and its thread exits; the final recv returns 0 with last error 0.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        const LEN: usize = (1 << 20) + 7;
        let accepted = Arc::new(AtomicUsize::new(0));
        let accepted2 = accepted.clone();
        let sender = ws.create_thread("sender", move |ws| {
            ws.set_nonblocking(c, true)?;
            let mut total = 0usize;
            let mut k = 0u8;
            loop {
                let buf: Vec<u8> = (0..LEN).map(|i| (i as u8) ^ k).collect();
                match ws.send(c, &buf, 0) {
                    Ok(n) => {
                        assert_eq!(n, LEN, "a successful nonblocking send takes everything");
                        total += n;
                        k = k.wrapping_add(1);
                    }
                    Err(e) => {
                        assert_eq!(e, WsaError::WSAEWOULDBLOCK, "the first failure");
                        break;
                    }
                }
                assert!(total < 256 << 20, "send never filled up");
            }
            assert!(total >= LEN);
            ws.closesocket(c)?;
            accepted2.store(total, Ordering::SeqCst);
            Ok(())
        })?;
        ws.wait_for_thread(sender, INFINITE)?;
        // The sender's thread has ended and its socket is closed; drain everything.
        let mut got = Vec::new();
        let mut b = vec![0u8; 64 * 1024];
        loop {
            let n = ws.recv(s, &mut b, 0)?;
            if n == 0 {
                break;
            }
            got.extend_from_slice(&b[..n]);
        }
        assert_eq!(ws.wsa_get_last_error(), 0, "final recv: last error 0");
        assert_eq!(
            got.len(),
            accepted.load(Ordering::SeqCst),
            "every accepted byte arrives"
        );
        for (j, chunk) in got.chunks(LEN).enumerate() {
            let k = j as u8;
            assert!(
                chunk.iter().enumerate().all(|(i, &x)| x == (i as u8) ^ k),
                "send #{j} arrived intact"
            );
        }
        ws.closesocket(s)
    });
}

#[test]
fn nb_08_fionread_and_siocatmark() {
    // Proves: FIONREAD counts normal bytes only and SIOCATMARK is TRUE unless urgent data is
    // waiting: fresh/bound/idle sockets 0/TRUE, 5 bytes 5/TRUE, plus an urgent byte 5/FALSE,
    // after reading 3 bytes 2/FALSE; with SO_OOBINLINE the urgent byte counts and the mark is
    // TRUE. (Invalid argp and WSAIoctl forms: not expressible / not in the sim.)
    common::run(|ws| {
        let fresh = tcp(ws)?;
        assert_eq!(ioctl(ws, fresh, FIONREAD)?, 0);
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_ne!(ioctl(ws, fresh, SIOCATMARK)?, 0);
        ws.bind(fresh, &SockAddr::v4([127, 0, 0, 1], 0))?;
        assert_eq!(ioctl(ws, fresh, FIONREAD)?, 0);
        assert_ne!(ioctl(ws, fresh, SIOCATMARK)?, 0);

        let (c, s) = common::pair(ws)?;
        assert_eq!(ioctl(ws, s, FIONREAD)?, 0, "idle connected");
        assert_ne!(ioctl(ws, s, SIOCATMARK)?, 0, "idle connected");
        ws.send(c, b"hello", 0)?;
        ws.sleep(10);
        assert_eq!(ioctl(ws, s, FIONREAD)?, 5);
        assert_ne!(ioctl(ws, s, SIOCATMARK)?, 0);
        assert_eq!(ws.send(c, b"!", MSG_OOB)?, 1);
        ws.sleep(10);
        assert_eq!(ioctl(ws, s, FIONREAD)?, 5, "the urgent byte is not counted");
        assert_eq!(ioctl(ws, s, SIOCATMARK)?, 0, "urgent data waiting");
        let mut b = [0u8; 3];
        assert_eq!(ws.recv(s, &mut b, 0)?, 3);
        assert_eq!(&b, b"hel");
        assert_eq!(ioctl(ws, s, FIONREAD)?, 2);
        assert_eq!(ioctl(ws, s, SIOCATMARK)?, 0);
        assert_eq!(ws.recv(s, &mut b, MSG_OOB)?, 1);
        assert_eq!(b[0], b'!');
        assert_ne!(ioctl(ws, s, SIOCATMARK)?, 0, "urgent byte read");
        assert_eq!(ioctl(ws, s, FIONREAD)?, 2);

        let (c2, s2) = common::pair(ws)?;
        ws.setsockopt_i32(s2, SOL_SOCKET, SO_OOBINLINE, 1)?;
        assert_eq!(ws.send(c2, b"u", MSG_OOB)?, 1);
        ws.sleep(10);
        assert_eq!(ioctl(ws, s2, FIONREAD)?, 1, "inline urgent byte is counted");
        assert_ne!(ioctl(ws, s2, SIOCATMARK)?, 0);
        Ok(())
    });
}

#[test]
fn nb_12_msg_peek_msg_waitall_and_recv_after_sd_receive() {
    // Proves: MSG_PEEK returns data without consuming it (twice the same bytes), MSG_WAITALL
    // waits until the buffer is full, recv after local SD_RECEIVE gives WSAESHUTDOWN, and
    // recv(MSG_PEEK) on a closed handle fails.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.send(c, b"wxyz", 0)?;
        ws.sleep(10);
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, MSG_PEEK)?, 4);
        assert_eq!(&b[..4], b"wxyz");
        b = [0; 8];
        assert_eq!(ws.recv(s, &mut b, MSG_PEEK)?, 4);
        assert_eq!(&b[..4], b"wxyz");
        assert_eq!(ioctl(ws, s, FIONREAD)?, 4, "peeking consumed nothing");
        assert_eq!(ws.recv(s, &mut b, 0)?, 4);
        assert_eq!(&b[..4], b"wxyz");

        // MSG_WAITALL: 4 bytes now, 6 more 100 ms later; one recv returns all 10.
        let t = ws.create_thread("late sender", move |ws| {
            ws.send(c, b"abcd", 0)?;
            ws.sleep(100);
            ws.send(c, b"efghij", 0)?;
            Ok(())
        })?;
        let t0 = ws.get_tick_count();
        let mut ten = [0u8; 10];
        assert_eq!(ws.recv(s, &mut ten, MSG_WAITALL)?, 10);
        assert_eq!(&ten, b"abcdefghij");
        let dt = ws.get_tick_count().wrapping_sub(t0);
        assert!(
            dt >= 100,
            "MSG_WAITALL returned after {dt} ms, before the second send"
        );
        ws.wait_for_thread(t, INFINITE)?;

        ws.shutdown(s, SD_RECEIVE)?;
        fails(
            ws,
            ws.recv(s, &mut b, 0),
            WsaError::WSAESHUTDOWN,
            "recv after SD_RECEIVE",
        );
        fails(
            ws,
            ws.recv(s, &mut b, MSG_PEEK),
            WsaError::WSAESHUTDOWN,
            "peek after SD_RECEIVE",
        );

        ws.closesocket(c)?;
        fails(
            ws,
            ws.recv(c, &mut b, MSG_PEEK),
            WsaError::WSAENOTSOCK,
            "peek on a closed handle",
        );
        Ok(())
    });
}

/// Polls SO_ERROR with Sleep until it is set (at most 10 s of virtual time).
fn wait_so_error(ws: &SimWinsock, s: Socket) -> Result<i32, WsaError> {
    for _ in 0..100 {
        let e = ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?;
        if e != 0 {
            return Ok(e);
        }
        ws.sleep(100);
    }
    panic!("SO_ERROR was never set");
}

#[test]
fn sel_08_failed_nonblocking_connect_sets_sticky_so_error() {
    // Proves (the parts without select): a failed nonblocking connect sets SO_ERROR to
    // WSAECONNREFUSED; reading it does not clear it; a second connect gives WSAEWOULDBLOCK and
    // leaves SO_ERROR at 10061; a later successful connect clears it to 0; a bound socket
    // whose connect failed can still listen, SO_ERROR staying 10061.
    common::run(|ws| {
        let (l, closed_addr) = common::listener(ws, 1)?;
        ws.closesocket(l)?;

        let c = tcp(ws)?;
        ws.set_nonblocking(c, true)?;
        fails(
            ws,
            ws.connect(c, &closed_addr),
            WsaError::WSAEWOULDBLOCK,
            "connect",
        );
        assert_eq!(wait_so_error(ws, c)?, 10061);
        assert_eq!(
            ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?,
            10061,
            "second read"
        );
        assert_eq!(ws.wsa_get_last_error(), 0, "getsockopt itself succeeded");
        fails(
            ws,
            ws.connect(c, &closed_addr),
            WsaError::WSAEWOULDBLOCK,
            "connect again",
        );
        assert_eq!(
            ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?,
            10061,
            "still set"
        );
        ws.sleep(3000); // the second attempt is refused as well
        assert_eq!(ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?, 10061);

        // A successful connection clears SO_ERROR.
        let (l2, good_addr) = common::listener(ws, 1)?;
        fails(
            ws,
            ws.connect(c, &good_addr),
            WsaError::WSAEWOULDBLOCK,
            "connect to listener",
        );
        let mut connected = false;
        for _ in 0..100 {
            match ws.connect(c, &good_addr) {
                Err(WsaError::WSAEISCONN) => {
                    connected = true;
                    break;
                }
                Err(WsaError::WSAEALREADY) => ws.sleep(10),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(connected);
        assert_eq!(
            ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?,
            0,
            "cleared by success"
        );
        ws.closesocket(l2)?;

        // A bound socket whose connect failed can still listen.
        let b = tcp(ws)?;
        ws.set_nonblocking(b, true)?;
        ws.bind(b, &SockAddr::v4([127, 0, 0, 1], 0))?;
        fails(
            ws,
            ws.connect(b, &closed_addr),
            WsaError::WSAEWOULDBLOCK,
            "connect",
        );
        assert_eq!(wait_so_error(ws, b)?, 10061);
        ws.listen(b, 1)?;
        assert_eq!(ws.getsockopt_i32(b, SOL_SOCKET, SO_ACCEPTCONN)?, 1);
        assert_eq!(
            ws.getsockopt_i32(b, SOL_SOCKET, SO_ERROR)?,
            10061,
            "stays set"
        );
        Ok(())
    });
}

#[test]
fn sel_09_failed_blocking_connect_is_refused() {
    // Proves (the part without select): a blocking connect to a closed port fails with
    // WSAECONNREFUSED after Windows' two retries (more than 1.5 s). SO_ERROR afterwards is
    // [INT]/[TW] in the catalogue and is not asserted.
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 1)?;
        ws.closesocket(l)?;
        let c = tcp(ws)?;
        let t0 = ws.get_tick_count();
        fails(
            ws,
            ws.connect(c, &addr),
            WsaError::WSAECONNREFUSED,
            "blocking connect",
        );
        assert!(ws.get_tick_count().wrapping_sub(t0) >= 1500);
        Ok(())
    });
}
