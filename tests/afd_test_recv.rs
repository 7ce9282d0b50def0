//! Wine `dlls/ws2_32/tests/afd.c`, function `test_recv` (L1430-1802 of the file at
//! Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines counted),
//! facts only: what IOCTL_AFD_RECV does, checked through recv / WSARecv (overlapped and
//! not), which ws2_32 builds on it (TDI normal / expedited / peek / AFD_MSG_WAITALL are
//! MSG_OOB absent / present, MSG_PEEK, MSG_WAITALL). Our own code.
//!
//! Counting: each `ok()` / `todo_wine ok()` in the body once, each `check_poll_mask` call
//! once (WSAPoll for POLLRDNORM). NTSTATUS → WinSock: STATUS_PENDING = WSA_IO_PENDING,
//! STATUS_INVALID_CONNECTION = WSAENOTCONN, STATUS_DEVICE_NOT_READY = WSAEWOULDBLOCK (a
//! non-overlapped receive; AFD_RECV_FORCE_ASYNC is an overlapped one, which pends),
//! STATUS_PIPE_DISCONNECTED = WSAESHUTDOWN, STATUS_BUFFER_OVERFLOW = WSAEMSGSIZE,
//! STATUS_CANCELLED = WSA_OPERATION_ABORTED.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L1446-1479 listener, connect, parameter checks (12) | 6 (recv → WSAENOTCONN) | 6 | 0 |
//! | L1486-1529 pending receive, two buffers (16) | 12 (overlapped WSARecv) | 4 | 0 |
//! | L1534-1592 at once, nonblocking, forced async (23) | 19 (WSARecv, WSAPoll) | 4 | 0 |
//! | L1601-1647 urgent byte skipped, flag checks, MSG_OOB (16) | 11 (recv, WSARecv) | 5 | 0 |
//! | L1653-1690 MSG_PEEK twice, MSG_WAITALL (16) | 16 (WSARecv) | 0 | 0 |
//! | L1700-1718 peer close, SD_RECEIVE (8) | 6 (overlapped WSARecv, WSARecv) | 2 | 0 |
//! | L1731-1798 UDP: unbound, datagram, short read, close (25) | 25 (recv, WSARecv, WSAGetOverlappedResult) | 0 | 0 |
//! | **total (116)** | **95** | **21** | **0** |
//!
//! Not expressible, per kind: the IO_STATUS_BLOCK of a call that failed at once or pends
//! (left zero / 0xdeadbeef: 14); a NULL or short parameter block (2); AFD message flags
//! WinSock never sends (none, or OOB | NOT_OOB: 4); Wine's fallback after `todo_wine`
//! (L1647, 1).
//!
//! Also covered: MSG_WAITALL pending and completing with 6 bytes in
//! tests/overlapped_waitall.rs `a_waitall_receive_pends_until_its_buffers_are_full`.
mod afd_common;
mod common;

use afd_common::*;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// Posts an overlapped WSARecv into buffers of `lens` that must pend.
fn pending(ws: &SimWinsock, s: Socket, lens: &[usize], flags: u32, id: u64) -> Overlapped {
    let ov = Overlapped::new(id);
    let bufs = lens.iter().map(|&n| vec![0xcc; n]).collect();
    let r = ws.wsa_recv_overlapped(s, bufs, flags, ov, None);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "id {id}: pends");
    ov
}

/// Waits for `ov` and returns (error, bytes, buffers).
fn finish(ws: &SimWinsock, s: Socket, ov: &Overlapped) -> (Option<WsaError>, usize, Vec<Vec<u8>>) {
    let c = ws
        .wsa_get_overlapped_result(s, ov, true)
        .unwrap_or_else(|e| panic!("{ov:?}: {e:?}"));
    (c.error, c.bytes, c.bufs)
}

const SPLIT: [usize; 2] = [2, 4];

#[test]
fn stream_receives() {
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 1)?; // L1446-1451
                                                  // L1454-1455 (todo_wine): a receive on a listener: not connected.
        common::fails(
            ws,
            ws.recv(l, &mut [0u8; 8], 0),
            WsaError::WSAENOTCONN,
            "L1455",
        );
        let c = common::tcp(ws)?;
        ws.connect(c, &addr)?; // L1461
        let (s, _) = ws.accept(l)?; // L1463
        ws.setsockopt_i32(s, IPPROTO_TCP, TCP_NODELAY, 1)?;

        // L1486-1501: a receive pends; data completes it.
        let ov = pending(ws, c, &[8], 0, 1);
        assert_eq!(ws.send(s, b"data\0", 0)?, 5, "L1495");
        let (e, n, b) = finish(ws, c, &ov);
        assert_eq!((e, n, &b[0][..5]), (None, 5, &b"data\0"[..]), "L1498-1501");
        // L1518-1529: two buffers, filled in order.
        let ov = pending(ws, c, &SPLIT, 0, 2);
        assert_eq!(ws.send(s, b"data\0", 0)?, 5, "L1523");
        let (e, n, b) = finish(ws, c, &ov);
        assert_eq!((e, n), (None, 5), "L1526-1528");
        assert_eq!((&b[0][..], &b[1][..3]), (&b"da"[..], &b"ta\0"[..]), "L1529");
        // L1534-1546: with data queued it completes at once.
        assert_eq!(ws.send(s, b"data\0", 0)?, 5, "L1534");
        check_mask(ws, c, READ, "L1537");
        let (mut x, mut y) = ([0u8; 2], [0u8; 4]);
        let r = ws.wsa_recv(c, &mut [&mut x[..], &mut y[..]], 0)?;
        assert_eq!(
            (r.0, &x[..], &y[..3]),
            (5, &b"da"[..], &b"ta\0"[..]),
            "L1543-1546"
        );
        // L1556: nonblocking and nothing queued: WSAEWOULDBLOCK.
        ws.set_nonblocking(c, true)?;
        let r = ws.wsa_recv(c, &mut [&mut x[..], &mut y[..]], 0);
        common::fails(ws, r, WsaError::WSAEWOULDBLOCK, "L1556");
        assert_eq!(ws.send(s, b"data\0", 0)?, 5, "L1561");
        check_mask(ws, c, READ, "L1564");
        let r = ws.wsa_recv(c, &mut [&mut x[..], &mut y[..]], 0)?;
        assert_eq!(
            (r.0, &x[..], &y[..3]),
            (5, &b"da"[..], &b"ta\0"[..]),
            "L1570-1573"
        );
        // L1581-1592: an overlapped receive on a nonblocking socket pends all the same.
        let ov = pending(ws, c, &SPLIT, 0, 3);
        assert_eq!(ws.send(s, b"data\0", 0)?, 5, "L1586");
        let (e, n, b) = finish(ws, c, &ov);
        assert_eq!((e, n, &b[1][..3]), (None, 5, &b"ta\0"[..]), "L1589-1592");
        ws.set_nonblocking(c, false)?;

        // L1601-1616: a normal receive skips the urgent byte.
        assert_eq!(ws.send(s, b"a", MSG_OOB)?, 1, "L1601");
        assert_eq!(ws.send(s, b"data\0", 0)?, 5, "L1604");
        check_mask(ws, c, READ, "L1607");
        let r = ws.wsa_recv(c, &mut [&mut x[..], &mut y[..]], 0)?;
        assert_eq!(
            (r.0, &x[..], &y[..3]),
            (5, &b"da"[..], &b"ta\0"[..]),
            "L1613-1616"
        );
        // L1639-1642 (todo_wine): MSG_OOB returns the urgent byte at once.
        let mut one = [0xccu8; 8];
        assert_eq!(ws.recv(c, &mut one, MSG_OOB)?, 1, "L1639-1641");
        assert_eq!(one[0], b'a', "L1642");

        // L1653-1672: MSG_PEEK leaves the data queued.
        assert_eq!(ws.send(s, b"data", 0)?, 4, "L1653");
        check_mask(ws, c, READ, "L1656");
        for line in ["L1661-1664", "L1669-1672"] {
            let (mut x, mut y) = ([0xccu8; 2], [0xccu8; 4]);
            let r = ws.wsa_recv(c, &mut [&mut x[..], &mut y[..]], MSG_PEEK as u32)?;
            assert_eq!(
                (r.0, &x[..], &y[..2]),
                (4, &b"da"[..], &b"ta"[..]),
                "{line}"
            );
        }
        // L1679-1690 (todo_wine L1679): MSG_WAITALL pends until the 6 bytes are there.
        let ov = pending(ws, c, &SPLIT, MSG_WAITALL as u32, 4);
        assert_eq!(ws.send(s, b"s\0", 0)?, 2, "L1684");
        let (e, n, b) = finish(ws, c, &ov);
        assert_eq!((e, n), (None, 6), "L1687-1689");
        assert_eq!((&b[0][..], &b[1][..]), (&b"da"[..], &b"tas\0"[..]), "L1690");

        // L1700-1707: the peer's close completes a pending receive with 0 bytes.
        let ov = pending(ws, c, &SPLIT, 0, 5);
        ws.closesocket(s)?;
        assert_eq!(finish(ws, c, &ov).0, None, "L1705-1706");
        assert_eq!(finish(ws, c, &ov).1, 0, "L1707");
        // L1710-1716: after shutdown(SD_RECEIVE), WSAESHUTDOWN.
        ws.shutdown(c, SD_RECEIVE)?; // L1710
        let r = ws.wsa_recv(c, &mut [&mut x[..], &mut y[..]], 0);
        common::fails(ws, r, WsaError::WSAESHUTDOWN, "L1716");
        ws.closesocket(c)?;
        ws.closesocket(l)
    });
}

#[test]
fn datagram_receives() {
    common::run(|ws| {
        let c = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        // L1731 (todo_wine): a receive on an unbound datagram socket: invalid.
        common::fails(
            ws,
            ws.recv(c, &mut [0u8; 8], 0),
            WsaError::WSAEINVAL,
            "L1731",
        );
        ws.bind(c, &SockAddr::v4([127, 0, 0, 1], 0))?; // L1736
        let addr = ws.getsockname(c)?; // L1739
                                       // L1744-1753: a pending receive takes a datagram.
        let ov = pending(ws, c, &SPLIT, 0, 1);
        assert_eq!(ws.sendto(s, b"data\0", 0, &addr)?, 5, "L1747");
        let (e, n, b) = finish(ws, c, &ov);
        assert_eq!((e, n, &b[1][..3]), (None, 5, &b"ta\0"[..]), "L1750-1753");
        // L1760-1769: a longer datagram: WSAEMSGSIZE with the 6 bytes that fit.
        let ov = pending(ws, c, &SPLIT, 0, 2);
        assert_eq!(ws.sendto(s, b"moredata\0", 0, &addr)?, 9, "L1763");
        let (e, n, b) = finish(ws, c, &ov);
        assert_eq!((e, n), (Some(WsaError::WSAEMSGSIZE), 6), "L1766-1768");
        assert_eq!((&b[0][..], &b[1][..]), (&b"mo"[..], &b"reda"[..]), "L1769");
        // L1772-1784: the same when the datagram is already queued.
        assert_eq!(ws.sendto(s, b"moredata\0", 0, &addr)?, 9, "L1772");
        check_mask(ws, c, READ, "L1775");
        let ov = Overlapped::new(3);
        let bufs = SPLIT.iter().map(|&n| vec![0xcc; n]).collect();
        let r = ws.wsa_recv_overlapped(c, bufs, 0, ov, None);
        common::fails(ws, r, WsaError::WSAEMSGSIZE, "L1781");
        let (e, n, b) = finish(ws, c, &ov);
        assert_eq!((e, n), (Some(WsaError::WSAEMSGSIZE), 6), "L1782-1783");
        assert_eq!((&b[0][..], &b[1][..]), (&b"mo"[..], &b"reda"[..]), "L1784");
        // L1791-1798 (todo_wine L1797): closesocket aborts a pending receive.
        let ov = pending(ws, c, &SPLIT, 0, 4);
        ws.closesocket(c)?;
        let done = ws.get_overlapped_result(c, &ov, true)?;
        assert_eq!(
            done.error,
            Some(WsaError::WSA_OPERATION_ABORTED),
            "L1796-1797"
        );
        assert_eq!(done.bytes, 0, "L1798");
        ws.closesocket(s)
    });
}
