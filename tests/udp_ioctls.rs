//! The datagram switches of WSAIoctl: SIO_UDP_CONNRESET (whether an ICMP port unreachable is
//! reported), SIO_UDP_NETRESET, and SIO_ENABLE_CIRCULAR_QUEUEING (a full queue evicts its
//! oldest datagrams). Each is checked in every way a server meets the port-unreachable
//! reply: a nonblocking and a blocking recvfrom, select, WSAEventSelect, an overlapped
//! WSARecvFrom and a completion port.
mod common;

use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// A UDP socket bound to 127.0.0.1 and its address.
fn bound(ws: &SimWinsock) -> Result<(Socket, SockAddr), WsaError> {
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let a = ws.getsockname(s)?;
    Ok((s, a))
}

/// An address nobody listens on: a socket's port, the socket closed.
fn dead_port(ws: &SimWinsock) -> Result<SockAddr, WsaError> {
    let (s, a) = bound(ws)?;
    ws.closesocket(s)?;
    Ok(a)
}

fn connreset(ws: &SimWinsock, s: Socket, on: &[u8]) -> Result<usize, WsaError> {
    ws.wsa_ioctl(s, SIO_UDP_CONNRESET, on, &mut [])
}

/// Sends a datagram to `to` from `s` and waits long enough for any ICMP reply.
fn probe(ws: &SimWinsock, s: Socket, to: &SockAddr) -> Result<(), WsaError> {
    assert_eq!(ws.sendto(s, b"anyone?", 0, to)?, 7);
    ws.sleep(20);
    Ok(())
}

fn readable(ws: &SimWinsock, s: Socket) -> Result<bool, WsaError> {
    let mut r = FdSet::from_array(&[s]);
    Ok(ws.select(Some(&mut r), None, None, Some(Duration::ZERO))? == 1)
}

#[test]
fn connreset_off_drops_the_reply_and_on_reports_it_again() {
    // Proves (KB 263823): with SIO_UDP_CONNRESET FALSE a port-unreachable reply is not
    // reported: select does not see the socket readable and recvfrom would block; turned on
    // again (a one-byte BOOLEAN is enough), the next reply fails recvfrom once with
    // WSAECONNRESET, as by default.
    common::run(|ws| {
        let (a, _) = bound(ws)?;
        let dead = dead_port(ws)?;
        ws.set_nonblocking(a, true)?;
        let mut buf = [0u8; 16];
        assert_eq!(connreset(ws, a, &0u32.to_le_bytes()), Ok(0));
        probe(ws, a, &dead)?;
        assert!(!readable(ws, a)?);
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(connreset(ws, a, &[1]), Ok(0));
        probe(ws, a, &dead)?;
        assert!(readable(ws, a)?);
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAEWOULDBLOCK));
        Ok(())
    });
}

#[test]
fn connreset_off_a_blocked_recvfrom_sleeps_on_until_a_datagram() {
    // Proves: a blocking recvfrom waiting when the ignored reply arrives is not woken with
    // WSAECONNRESET; the next datagram is what it gets.
    common::run(|ws| {
        let (a, aaddr) = bound(ws)?;
        let dead = dead_port(ws)?;
        assert_eq!(connreset(ws, a, &0u32.to_le_bytes()), Ok(0));
        assert_eq!(ws.sendto(a, b"anyone?", 0, &dead)?, 7);
        let late = ws.create_thread("late sender", move |ws: &SimWinsock| {
            ws.sleep(50);
            let (b, _) = bound(ws)?;
            ws.sendto(b, b"here", 0, &aaddr)?;
            ws.closesocket(b)
        })?;
        let mut buf = [0u8; 16];
        let (n, _) = ws.recvfrom(a, &mut buf, 0)?;
        assert_eq!(&buf[..n], b"here");
        ws.wait_for_thread(late, INFINITE)?;
        Ok(())
    });
}

#[test]
fn connreset_off_signals_no_fd_read() {
    // Proves: with WSAEventSelect(FD_READ), the ignored reply records no FD_READ; reported,
    // it records FD_READ with iErrorCode 0 (the error is the receive's).
    common::run(|ws| {
        let (a, _) = bound(ws)?;
        let dead = dead_port(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(a, ev, FD_READ)?;
        assert_eq!(connreset(ws, a, &0u32.to_le_bytes()), Ok(0));
        probe(ws, a, &dead)?;
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(a, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, 0);
        assert_eq!(connreset(ws, a, &1u32.to_le_bytes()), Ok(0));
        probe(ws, a, &dead)?;
        ws.wsa_enum_network_events(a, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_READ);
        assert_eq!(ne.error_code[FD_READ_BIT], 0);
        Ok(())
    });
}

#[test]
fn connreset_off_leaves_an_overlapped_receive_pending() {
    // Proves: an overlapped WSARecvFrom pending on a port the reply is ignored for stays
    // pending and completes with the next datagram; by default the reply completes it with
    // ERROR_PORT_UNREACHABLE (WSAECONNRESET from WSAGetOverlappedResult).
    common::run(|ws| {
        let (a, aaddr) = bound(ws)?;
        let (b, baddr) = bound(ws)?;
        let dead = dead_port(ws)?;
        let port = ws.create_io_completion_port(1)?;
        ws.associate_completion_port(a, port, 5)?;
        assert_eq!(
            ws.wsa_recv_from(a, vec![vec![0; 8]], 0, Overlapped::new(1), None),
            Err(WsaError::WSA_IO_PENDING)
        );
        probe(ws, a, &dead)?;
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(
            (p.key, p.bytes, p.error),
            (5, 0, Some(WsaError::ERROR_PORT_UNREACHABLE))
        );
        assert_eq!(connreset(ws, a, &0u32.to_le_bytes()), Ok(0));
        assert_eq!(
            ws.wsa_recv_from(a, vec![vec![0; 8]], 0, Overlapped::new(2), None),
            Err(WsaError::WSA_IO_PENDING)
        );
        probe(ws, a, &dead)?;
        assert_eq!(
            ws.get_queued_completion_status(port, 0).map(|p| p.key),
            Err(WsaError::WAIT_TIMEOUT)
        );
        ws.sendto(b, b"data", 0, &aaddr)?;
        let p = ws.get_queued_completion_status(port, 1000)?;
        assert_eq!((p.key, p.bytes, p.error, p.from), (5, 4, None, Some(baddr)));
        Ok(())
    });
}

#[test]
fn a_reply_recorded_before_connreset_off_is_still_reported() {
    // Proves (the sim's documented choice): turning SIO_UDP_CONNRESET off drops replies that
    // arrive afterwards; one already recorded still fails the next receive.
    common::run(|ws| {
        let (a, _) = bound(ws)?;
        let dead = dead_port(ws)?;
        probe(ws, a, &dead)?;
        assert_eq!(connreset(ws, a, &0u32.to_le_bytes()), Ok(0));
        ws.set_nonblocking(a, true)?;
        let mut buf = [0u8; 8];
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        Ok(())
    });
}

#[test]
fn the_datagram_switches_check_their_socket_and_input() {
    // Proves: SIO_UDP_CONNRESET and SIO_UDP_NETRESET need a UDP socket (a TCP one:
    // WSAEOPNOTSUPP, as SIO_ENABLE_CIRCULAR_QUEUEING) and their BOOL (none: WSAEFAULT); not a
    // socket: WSAENOTSOCK; they write nothing (cbBytesReturned 0). Overlapped, they complete
    // at once and still deliver a 0-byte completion.
    common::run(|ws| {
        let (u, _) = bound(ws)?;
        let t = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        for code in [SIO_UDP_CONNRESET, SIO_UDP_NETRESET] {
            assert_eq!(ws.wsa_ioctl(u, code, &[0; 4], &mut [0; 4]), Ok(0));
            assert_eq!(
                ws.wsa_ioctl(u, code, &[], &mut []),
                Err(WsaError::WSAEFAULT)
            );
            assert_eq!(
                ws.wsa_ioctl(t, code, &[0; 4], &mut []),
                Err(WsaError::WSAEOPNOTSUPP)
            );
            assert_eq!(
                ws.wsa_ioctl(Socket::from_raw(0xdead), code, &[0; 4], &mut []),
                Err(WsaError::WSAENOTSOCK)
            );
        }
        assert_eq!(
            ws.wsa_ioctl(t, SIO_ENABLE_CIRCULAR_QUEUEING, &[], &mut []),
            Err(WsaError::WSAEOPNOTSUPP)
        );
        let port = ws.create_io_completion_port(1)?;
        ws.associate_completion_port(u, port, 9)?;
        for (i, code) in [SIO_UDP_CONNRESET, SIO_ENABLE_CIRCULAR_QUEUEING]
            .into_iter()
            .enumerate()
        {
            let ov = Overlapped::new(10 + i as u64);
            assert_eq!(
                ws.wsa_ioctl_overlapped(u, code, &[0; 4], Vec::new(), ov, None),
                Ok(0)
            );
            let p = ws.get_queued_completion_status(port, 0)?;
            assert_eq!((p.key, p.bytes, p.error), (9, 0, None));
        }
        Ok(())
    });
}

/// Sends `count` datagrams of 60 bytes, the i-th filled with b'A' + i, from `from` to `to`.
fn send_lettered(ws: &SimWinsock, from: Socket, to: &SockAddr, count: u8) -> Result<(), WsaError> {
    for i in 0..count {
        assert_eq!(ws.sendto(from, &[b'A' + i; 60], 0, to)?, 60);
    }
    ws.sleep(20);
    Ok(())
}

/// The first byte of each datagram queued on `s` (nonblocking), in order.
fn drain(ws: &SimWinsock, s: Socket) -> Result<Vec<u8>, WsaError> {
    ws.set_nonblocking(s, true)?;
    let mut got = Vec::new();
    let mut buf = [0u8; 200];
    loop {
        match ws.recvfrom(s, &mut buf, 0) {
            Ok((_, _)) => got.push(buf[0]),
            Err(WsaError::WSAEWOULDBLOCK) => return Ok(got),
            Err(e) => return Err(e),
        }
    }
}

#[test]
fn circular_queueing_evicts_the_oldest_datagrams_for_a_new_one() {
    // Proves (SIO_ENABLE_CIRCULAR_QUEUEING): with SO_RCVBUF 130 a queue holds two 60-byte
    // datagrams; a third is dropped by default, and with circular queueing evicts the oldest
    // instead. A datagram larger than SO_RCVBUF is still dropped and evicts nothing.
    common::run(|ws| {
        let (src, _) = bound(ws)?;
        let (plain, plain_addr) = bound(ws)?;
        let (circ, circ_addr) = bound(ws)?;
        for s in [plain, circ] {
            ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVBUF, 130)?;
        }
        assert_eq!(
            ws.wsa_ioctl(circ, SIO_ENABLE_CIRCULAR_QUEUEING, &[], &mut []),
            Ok(0)
        );
        send_lettered(ws, src, &plain_addr, 4)?;
        send_lettered(ws, src, &circ_addr, 4)?;
        assert_eq!(drain(ws, plain)?, b"AB");
        assert_eq!(drain(ws, circ)?, b"CD");
        send_lettered(ws, src, &circ_addr, 2)?;
        ws.sendto(src, &[b'Z'; 131], 0, &circ_addr)?;
        ws.sleep(20);
        let mut n = [0u8; 4];
        assert_eq!(ws.wsa_ioctl(circ, FIONREAD, &[], &mut n), Ok(4));
        assert_eq!(u32::from_le_bytes(n), 120);
        assert_eq!(drain(ws, circ)?, b"AB");
        Ok(())
    });
}

#[test]
fn wsaasyncselect_posts_fd_read_for_a_reported_reply_and_nothing_for_an_ignored_one() {
    // Proves: in message mode too, a reported port-unreachable reply posts FD_READ (error
    // 0; the error is the receive's), and one ignored after SIO_UDP_CONNRESET FALSE posts
    // nothing.
    common::run(|ws| {
        let (a, _) = bound(ws)?;
        let dead = dead_port(ws)?;
        let hwnd = ws.create_window(None)?;
        ws.wsa_async_select(a, hwnd, 0x400, FD_READ)?;
        probe(ws, a, &dead)?;
        let m = ws.peek_message(hwnd, PM_REMOVE)?.expect("FD_READ posted");
        assert_eq!(
            (m.message, m.wparam, m.lparam),
            (0x400, a.raw(), FD_READ as isize)
        );
        let mut buf = [0u8; 8];
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        assert_eq!(connreset(ws, a, &[0]), Ok(0));
        probe(ws, a, &dead)?;
        assert_eq!(ws.peek_message(hwnd, PM_REMOVE)?.map(|m| m.lparam), None);
        Ok(())
    });
}
