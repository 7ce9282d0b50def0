//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_ioctlsocket`, facts only.
//!
//! The old `test_ioctlsocket` (FIONBIO, FIONREAD, SIOCATMARK) only checks that an argp passed
//! as a value (`(u_long *)1`) fails with WSAEFAULT: 1 socket() + 3 × 2 calls. Wine 10.0 no
//! longer has the function: those checks live on in `test_fionbio` (5697–5701) and
//! `test_fionread_siocatmark` (5474–5483), whose FIONREAD / SIOCATMARK sequence over urgent
//! data (5459–5637, line numbers from the Wine 10.0 tarball) is what this file ports, through
//! both `ioctlsocket` and `WSAIoctl`.
//!
//! | part                                                       | ported | not expressible | failing |
//! |------------------------------------------------------------|-------:|----------------:|--------:|
//! | old test_ioctlsocket: socket + argp-as-value × 3 commands  |      1 |               6 |       0 |
//! | argp-as-value, NULL lpcbBytesReturned, 5474–5517           |      0 |              14 |       0 |
//! | short output buffer WSAEFAULT, 5489–5505                   | 4, in overlapped.rs | 0 |  0 |
//! | overlapped + IOCP forms, 5519–5556                         | in overlapped.rs |   0 |       0 |
//! | urgent-data sequence, 5508 and 5558–5637                   |    100 |               0 |       0 |
//! | **total here**                                             |    101 |              20 |       0 |
//!
//! Not expressible, per kind: argp passed as a value, `(u_long *)1` (6 in the old function,
//! 4 in test_fionread_siocatmark; a `&mut u32` is always valid); NULL lpcbBytesReturned (8:
//! `wsa_ioctl` always returns the count); the count a failing WSAIoctl leaves untouched (2:
//! no count on failure). The sequence's 100 = 13 FIONREAD/SIOCATMARK checks × 6 calls, 5
//! WSAPoll checks × 2, 10 send/recv results, the setsockopt and the bind.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// FIONREAD and SIOCATMARK of `s` through WSAIoctl (sock.c's check_fionread_siocatmark,
/// 5438–5457: success, last error 0, the value) and through ioctlsocket (same values).
fn check<W: Winsock + OverlappedIo>(ws: &W, s: Socket, normal: u32, at_mark: bool, line: u32) {
    for (code, want, name) in [
        (FIONREAD, normal, "FIONREAD"),
        (SIOCATMARK, u32::from(at_mark), "SIOCATMARK"),
    ] {
        let mut out = 0xdead_beef_u32.to_le_bytes();
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_ioctl(s, code, &[], &mut out);
        assert!(r.is_ok(), "line {line}: WSAIoctl({name}): {r:?}");
        assert_eq!(
            ws.wsa_get_last_error(),
            0,
            "line {line}: WSAIoctl({name}) last error"
        );
        assert_eq!(
            u32::from_le_bytes(out),
            want,
            "line {line}: WSAIoctl({name})"
        );
        let mut v = 0xdead_beef;
        ws.ioctlsocket(s, code, &mut v)
            .unwrap_or_else(|e| panic!("line {line}: ioctlsocket({name}): {e:?}"));
        assert_eq!(v, want, "line {line}: ioctlsocket({name})");
    }
}

/// sock.c's check_poll_mask (228–241): WSAPoll for `mask` reports exactly `expect`.
fn check_poll<W: Select>(ws: &W, s: Socket, mask: i16, expect: i16, line: u32) {
    let mut fds = [WsaPollFd::new(s, mask)];
    let n = ws.wsa_poll(&mut fds, 1000).expect("WSAPoll");
    assert_eq!(
        n,
        usize::from(fds[0].revents != 0),
        "line {line}: WSAPoll count"
    );
    assert_eq!(fds[0].revents, expect, "line {line}: revents");
}

fn sequence(ws: &SimWinsock) -> Result<(), WsaError> {
    let (client, server) = common::pair(ws)?;
    ws.set_nonblocking(client, true)?;
    let mut buf = [0u8; 5];

    check(ws, client, 0, true, 5508);
    assert_eq!(ws.send(server, b"data\0", 0)?, 5, "line 5558");
    check_poll(ws, client, POLLRDNORM, POLLRDNORM, 5562);
    check(ws, client, 5, true, 5564);

    assert_eq!(ws.send(server, b"a", MSG_OOB)?, 1, "line 5566");
    check_poll(ws, client, POLLRDBAND, POLLRDBAND, 5570);
    check(ws, client, 5, false, 5572);

    assert_eq!(ws.send(server, b"a", MSG_OOB)?, 1, "line 5574");
    ws.sleep(10); // sock.c checks at once on loopback; let the byte arrive
    check(ws, client, 5, false, 5577);

    assert_eq!(ws.recv(client, &mut buf[..3], 0)?, 3, "line 5579");
    check(ws, client, 2, false, 5582);

    assert_eq!(ws.recv(client, &mut buf[..1], MSG_OOB)?, 1, "line 5584");
    // Two urgent bytes were sent: the second still waits.
    check_poll(ws, client, POLLRDBAND, POLLRDBAND, 5588);
    check(ws, client, 2, false, 5590);

    assert_eq!(ws.recv(client, &mut buf, 0)?, 2, "line 5592");
    check(ws, client, 0, false, 5595);

    assert_eq!(ws.recv(client, &mut buf[..1], MSG_OOB)?, 1, "line 5597");
    check(ws, client, 0, true, 5600);

    assert_eq!(ws.send(server, b"a", MSG_OOB)?, 1, "line 5602");
    check_poll(ws, client, POLLRDBAND, POLLRDBAND, 5606);

    // SO_OOBINLINE set while an urgent byte waits: FIONREAD counts it, the mark stays FALSE.
    ws.setsockopt_i32(client, SOL_SOCKET, SO_OOBINLINE, 1)?;
    check(ws, client, 1, false, 5612);

    assert_eq!(ws.recv(client, &mut buf[..1], 0)?, 1, "line 5614");
    check(ws, client, 0, true, 5617);

    // With SO_OOBINLINE on, an urgent byte arrives as normal data, at the mark.
    assert_eq!(ws.send(server, b"a", MSG_OOB)?, 1, "line 5619");
    check_poll(ws, client, POLLRDNORM, POLLRDNORM, 5623);
    check(ws, client, 1, true, 5625);

    ws.closesocket(client)?;
    ws.closesocket(server)?;

    let fresh = common::tcp(ws)?;
    check(ws, fresh, 0, true, 5632);
    ws.bind(fresh, &SockAddr::v4([127, 0, 0, 1], 0))?;
    check(ws, fresh, 0, true, 5637);
    Ok(())
}

#[test]
fn fionread_and_siocatmark_follow_urgent_data() {
    // Proves: FIONREAD and SIOCATMARK (WSAIoctl and ioctlsocket) give Windows' values through
    // sock.c's urgent-data sequence: two queued urgent bytes, reading them one at a time,
    // SO_OOBINLINE turned on while one waits, and fresh/bound sockets (5508–5637).
    common::run(sequence);
}
