//! Overlapped I/O and FD_* network events: EV-10 (a pending AcceptEx swallows FD_ACCEPT) and
//! EV-20 (a pending receive consumes the data without FD_READ). Helpers in
//! `common/overlapped.rs`.
mod common;

use common::overlapped::{enum_events, quiet, run, signalled, SETTLE_MS};
use common::tcp;

use winsock_sim::prelude::*;

#[test]
fn ev_10_pending_accept_ex_swallows_fd_accept() {
    // Proves: a connection taken by a pending AcceptEx reports no FD_ACCEPT; the next
    // connection, with no AcceptEx pending, reports FD_ACCEPT.
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let lev = ws.wsa_create_event()?;
        ws.wsa_event_select(l, lev, FD_ACCEPT)?;
        assert_eq!(enum_events(ws, l, lev)?, 0, "nothing before a client");
        let a = tcp(ws)?;
        let aev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, aev);
        assert_eq!(
            ws.accept_ex(l, a, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        let c1 = tcp(ws)?;
        ws.connect(c1, &addr)?;
        signalled(ws, aev, "AcceptEx completes")?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 0));
        quiet(ws, lev, "connection taken by AcceptEx")?;
        assert_eq!(enum_events(ws, l, lev)?, 0, "no FD_ACCEPT");

        let c2 = tcp(ws)?;
        // The listener is nonblocking (WSAEventSelect); the client is blocking.
        ws.connect(c2, &addr)?;
        signalled(ws, lev, "second connection")?;
        ws.sleep(SETTLE_MS);
        assert_eq!(enum_events(ws, l, lev)?, FD_ACCEPT);
        let (s2, peer) = ws.accept(l)?;
        assert_eq!(peer, ws.getsockname(c2)?);
        ws.closesocket(s2)?;
        Ok(())
    });
}

#[test]
fn ev_20_pending_receive_consumes_data_without_fd_read() {
    // Proves: data consumed by a pending overlapped WSARecv reports no FD_READ; the next byte,
    // with nothing pending, reports FD_READ.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let sev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, sev, FD_READ)?;
        assert_eq!(enum_events(ws, s, sev)?, 0);
        let rev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, rev);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 1]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"a", 0)?;
        signalled(ws, rev, "receive completes")?;
        let d = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 1));
        assert_eq!(d.bufs, vec![b"a".to_vec()]);
        quiet(ws, sev, "data consumed by the receive")?;
        assert_eq!(enum_events(ws, s, sev)?, 0, "no FD_READ");

        ws.send(c, b"b", 0)?;
        signalled(ws, sev, "second byte")?;
        ws.sleep(SETTLE_MS);
        assert_eq!(enum_events(ws, s, sev)?, FD_READ);
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0)?, 1);
        assert_eq!(b[0], b'b');
        Ok(())
    });
}
