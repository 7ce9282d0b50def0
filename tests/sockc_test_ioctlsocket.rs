//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_ioctlsocket`, facts only.
//!
//! The old `test_ioctlsocket` (FIONBIO, FIONREAD, SIOCATMARK) only checks that an argp passed
//! as a value (`(u_long *)1`) fails with WSAEFAULT: 1 socket() + 3 × 2 calls. Wine 10.0 no
//! longer has the function: those checks live on in `test_fionbio` (5697–5701) and
//! `test_fionread_siocatmark` (5474–5483), whose FIONREAD / SIOCATMARK sequence over urgent
//! data (5459–5637, line numbers from the Wine 10.0 tarball) this file ports, through both
//! `ioctlsocket` and `WSAIoctl`, together with test_fionbio's WSAIoctl(FIONBIO) checks.
//!
//! | part                                                       | ported | not expressible | failing |
//! |------------------------------------------------------------|-------:|----------------:|--------:|
//! | old test_ioctlsocket: socket + argp-as-value × 3 commands  |      1 |               6 |       0 |
//! | argp-as-value, NULL lpcbBytesReturned, 5474–5517           |      6 |               8 |       0 |
//! | short output buffer WSAEFAULT, 5489–5505                   | 4, in wsa_ioctl.rs | 0 |  0 |
//! | overlapped + IOCP forms, 5519–5556                         | in wsa_ioctl.rs |    0 |       0 |
//! | urgent-data sequence, 5508 and 5558–5637                   |    100 |               0 |       0 |
//! | test_fionbio, 5683–5781                                    |     28 |               6 |       0 |
//! | **total here**                                             |    135 |              20 |       0 |
//!
//! The C-shaped `wsa_ioctl_c` (NULL-able buffers and lpcbBytesReturned, the count written
//! as WinSock writes it) ports the non-overlapped NULL lpcbBytesReturned calls and the
//! counts a failing call leaves or writes (`wsa_ioctl_c_null_counts_and_failure_counts`).
//! Not expressible, per kind: argp passed as a value, `(u_long *)1` (6 in the old function,
//! 4 in test_fionread_siocatmark, 2 in test_fionbio; a `&mut u32` is always valid); a NULL
//! lpcbBytesReturned with an OVERLAPPED (4 in test_fionread_siocatmark, 4 in test_fionbio:
//! the overlapped calls have no C-shaped form). Its PAGE_NOACCESS output buffer is ported as
//! a buffer that must stay untouched. The sequence's 100 = 13 FIONREAD/SIOCATMARK checks × 6
//! calls, 5 WSAPoll checks × 2, 10 send/recv results, the setsockopt and the bind.
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

/// sock.c test_fionbio (5683–5781), the other Wine 10 successor of test_ioctlsocket.
fn fionbio(ws: &SimWinsock) -> Result<(), WsaError> {
    let one = 1u32.to_le_bytes();
    let s = common::tcp(ws)?;
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(s, port, 123)?;

    // 5708–5710: a 3-byte input is WSAEFAULT.
    let r = ws.wsa_ioctl_overlapped(s, FIONBIO, &one[..3], Vec::new(), Overlapped::new(1), None);
    common::fails(ws, r, WsaError::WSAEFAULT, "line 5708: 3-byte input");

    // 5712–5717: success clears the last error and returns no bytes.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    assert_eq!(ws.wsa_ioctl(s, FIONBIO, &one, &mut [])?, 0, "line 5714");
    assert_eq!(ws.wsa_get_last_error(), 0, "line 5716");

    // 5719–5725: a longer input works; an output buffer is neither needed nor touched.
    let five = [1u8, 0, 0, 0, 0];
    assert_eq!(ws.wsa_ioctl(s, FIONBIO, &five, &mut [])?, 0, "line 5719");
    let mut out = [0xaau8; 4];
    assert_eq!(ws.wsa_ioctl(s, FIONBIO, &five, &mut out)?, 0, "line 5723");
    assert_eq!(out, [0xaa; 4], "line 5723: output untouched");

    // 5726–5739: overlapped, it succeeds at once with 0 bytes and still queues a packet of 0
    // bytes, status 0, with the socket's key.
    let ov = Overlapped::new(2);
    assert_eq!(
        ws.wsa_ioctl_overlapped(s, FIONBIO, &one, Vec::new(), ov, None)?,
        0,
        "line 5730"
    );
    let p = ws.get_queued_completion_status(port, 0)?;
    assert_eq!(
        (p.bytes, p.key, p.overlapped, p.error),
        (0, 123, Some(ov), None),
        "line 5734"
    );

    // 5745–5755: after WSAEventSelect, FIONBIO 1 works and FIONBIO 0 is WSAEINVAL.
    let ev = ws.wsa_create_event()?;
    ws.wsa_event_select(s, ev, FD_READ)?;
    assert_eq!(ws.wsa_ioctl(s, FIONBIO, &one, &mut [])?, 0, "line 5748");
    let r = ws.wsa_ioctl(s, FIONBIO, &0u32.to_le_bytes(), &mut []);
    common::fails(
        ws,
        r,
        WsaError::WSAEINVAL,
        "line 5752: FIONBIO 0 while event-selected",
    );
    ws.closesocket(s)?;

    // 5767–5778: with a completion routine: 0 bytes at once, then the routine runs in an
    // alertable SleepEx with error 0, 0 bytes and the OVERLAPPED.
    let s = common::tcp(ws)?;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let routine: CompletionRoutine<SimWinsock> = Box::new(move |_ws, done: IoCompletion| {
        seen2
            .lock()
            .unwrap()
            .push((done.error, done.bytes, done.overlapped));
    });
    let ov = Overlapped::new(3);
    assert_eq!(
        ws.wsa_ioctl_overlapped(s, FIONBIO, &one, Vec::new(), ov, Some(routine))?,
        0,
        "line 5769"
    );
    assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION, "line 5774");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(None, 0, ov)],
        "lines 5775–5778"
    );
    Ok(())
}

/// The C-shaped WSAIoctl checks of test_fionread_siocatmark (5484–5506) and test_fionbio
/// (5702–5705, 5751–5755).
fn null_counts_and_failure_counts(ws: &SimWinsock) -> Result<(), WsaError> {
    let (client, _server) = common::pair(ws)?;
    ws.set_nonblocking(client, true)?;
    for (code, lines) in [(FIONREAD, [5484, 5489]), (SIOCATMARK, [5496, 5501])] {
        // A NULL lpcbBytesReturned: WSAEFAULT.
        let mut value = [0u8; 4];
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_ioctl_c(client, code, None, 0, Some(&mut value), 4, None);
        common::fails(ws, r, WsaError::WSAEFAULT, &format!("line {}", lines[0]));
        // A 3-byte output: WSAEFAULT, the count left as it was.
        let mut size = 0xdead_beef_u32;
        let r = ws.wsa_ioctl_c(client, code, None, 0, Some(&mut value), 3, Some(&mut size));
        common::fails(ws, r, WsaError::WSAEFAULT, &format!("line {}", lines[1]));
        assert_eq!(size, 0xdead_beef, "line {}: count untouched", lines[1] + 4);
    }
    // test_fionbio 5702–5705: FIONBIO with a NULL count: WSAEFAULT.
    let one = 1u32.to_le_bytes();
    let s = common::tcp(ws)?;
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_ioctl_c(s, FIONBIO, Some(&one), 4, None, 0, None);
    common::fails(ws, r, WsaError::WSAEFAULT, "line 5703");
    // 5751–5755: FIONBIO 0 while event-selected: WSAEINVAL, and the count written 0.
    let ev = ws.wsa_create_event()?;
    ws.wsa_event_select(s, ev, FD_READ)?;
    let mut size = 0xdead_beef_u32;
    let zero = 0u32.to_le_bytes();
    let r = ws.wsa_ioctl_c(s, FIONBIO, Some(&zero), 4, None, 0, Some(&mut size));
    common::fails(ws, r, WsaError::WSAEINVAL, "line 5752");
    assert_eq!(size, 0, "line 5755: count written 0");
    ws.closesocket(s)
}

#[test]
fn wsa_ioctl_c_null_counts_and_failure_counts() {
    // Proves: a NULL lpcbBytesReturned is WSAEFAULT for FIONREAD, SIOCATMARK and FIONBIO; a
    // short FIONREAD / SIOCATMARK output leaves the count alone; FIONBIO 0 refused under
    // WSAEventSelect writes a count of 0 (sock.c 5484–5506, 5702–5705, 5751–5755).
    common::run(null_counts_and_failure_counts);
}

#[test]
fn fionbio_wsaioctl_lengths_completions_and_event_select_pin() {
    // Proves: WSAIoctl(FIONBIO) wants ≥ 4 input bytes (WSAEFAULT), returns 0 bytes and clears
    // the last error, ignores an output buffer, completes overlapped calls at once while still
    // queueing a 0-byte packet or running the routine, and FIONBIO 0 is WSAEINVAL after
    // WSAEventSelect (sock.c test_fionbio 5683–5781).
    common::run(fionbio);
}
