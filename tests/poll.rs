//! WSAPoll (conformance SEL-13, SEL-14).
mod common;

use winsock_sim::prelude::*;

const ASK: i16 = POLLRDNORM | POLLRDBAND | POLLWRNORM;

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

#[test]
fn sel_14_argument_errors_and_invalid_entries() {
    // Proves: an empty array gives WSAEINVAL; output-only bits in events give WSAEINVAL; an
    // invalid entry next to a valid idle listener gets POLLNVAL but is not counted (0, last
    // error 0); only invalid entries → WSAENOTSOCK with POLLNVAL set.
    common::run(|ws| {
        assert_eq!(ws.wsa_poll(&mut [], 0), Err(WsaError::WSAEINVAL));
        let (l, _) = common::listener(ws, 1)?;
        for bad in [POLLERR, POLLHUP, POLLNVAL, POLLWRBAND, POLLPRI, 0x8] {
            let mut fds = [WsaPollFd::new(l, bad)];
            assert_eq!(
                ws.wsa_poll(&mut fds, 0),
                Err(WsaError::WSAEINVAL),
                "events {bad:#x}"
            );
        }
        let mut fds = [
            WsaPollFd::new(Socket::INVALID, POLLRDNORM),
            WsaPollFd::new(l, POLLRDNORM),
        ];
        assert_eq!(ws.wsa_poll(&mut fds, 10)?, 0);
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!((fds[0].revents, fds[1].revents), (POLLNVAL, 0));
        let mut fds = [
            WsaPollFd::new(Socket::INVALID, POLLRDNORM),
            WsaPollFd::new(Socket::from_raw(0xabacab), POLLRDNORM),
        ];
        assert_eq!(ws.wsa_poll(&mut fds, 10), Err(WsaError::WSAENOTSOCK));
        assert_eq!((fds[0].revents, fds[1].revents), (POLLNVAL, POLLNVAL));
        Ok(())
    });
}

#[test]
fn sel_14_socket_closed_during_poll_reports_pollnval() {
    // Proves: a socket closed by another thread while WSAPoll waits on it ends the wait with
    // 1 entry, POLLNVAL; the timeout otherwise runs in virtual time.
    common::run(|ws| {
        let (l, _) = common::listener(ws, 1)?;
        let t = ws.create_thread("closer", move |ws| {
            ws.sleep(100);
            ws.closesocket(l)
        })?;
        let t0 = ws.get_tick_count();
        let mut fds = [WsaPollFd::new(l, POLLRDNORM)];
        assert_eq!(ws.wsa_poll(&mut fds, 5000)?, 1);
        assert_eq!(fds[0].revents, POLLNVAL);
        assert_eq!(ws.get_tick_count() - t0, 100);
        ws.wait_for_thread(t, INFINITE)?;
        let (l2, _) = common::listener(ws, 1)?;
        let t0 = ws.get_tick_count();
        assert_eq!(poll1(ws, l2, POLLRDNORM, 250)?, (0, 0));
        assert_eq!(ws.get_tick_count() - t0, 250);
        Ok(())
    });
}
