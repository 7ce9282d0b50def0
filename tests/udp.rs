//! UDP datagrams in the simulator: sendto/recvfrom, association by connect, truncation,
//! Windows' ICMP port-unreachable rule, readiness, and the catalogue's UDP rules.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn udp<W: Winsock>(ws: &W) -> Result<Socket, WsaError> {
    ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
}

fn bound<W: Winsock>(ws: &W) -> Result<(Socket, SockAddr), WsaError> {
    let s = udp(ws)?;
    ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let a = ws.getsockname(s)?;
    Ok((s, a))
}

#[test]
fn datagrams_keep_their_boundaries_and_source() {
    // Proves: each recvfrom returns exactly one datagram with its sender's address.
    common::run(|ws| {
        let (a, _) = bound(ws)?;
        let (b, baddr) = bound(ws)?;
        ws.sendto(a, b"one", 0, &baddr)?;
        ws.sendto(a, b"second", 0, &baddr)?;
        let mut buf = [0u8; 64];
        let (n, from) = ws.recvfrom(b, &mut buf, 0)?;
        assert_eq!(&buf[..n], b"one");
        assert_eq!(from, ws.getsockname(a)?);
        let (n, _) = ws.recvfrom(b, &mut buf, 0)?;
        assert_eq!(&buf[..n], b"second");
        Ok(())
    });
}

#[test]
fn nb_13_oversized_datagram_is_truncated_with_wsaemsgsize() {
    // Proves: a datagram larger than the buffer fills it, fails with WSAEMSGSIZE, and the
    // rest is discarded (the next datagram is intact).
    common::run(|ws| {
        let (a, _) = bound(ws)?;
        let (b, baddr) = bound(ws)?;
        ws.sendto(a, b"abcdefghi", 0, &baddr)?;
        ws.sendto(a, b"next", 0, &baddr)?;
        ws.sleep(10);
        let mut small = [0u8; 6];
        assert_eq!(ws.recvfrom(b, &mut small, 0), Err(WsaError::WSAEMSGSIZE));
        assert_eq!(&small, b"abcdef");
        assert_eq!(ws.wsa_get_last_error(), 10040);
        let mut buf = [0u8; 16];
        assert_eq!(ws.recv(b, &mut buf, 0)?, 4);
        Ok(())
    });
}

#[test]
fn er_10_sendto_binds_an_unbound_socket_to_the_wildcard() {
    // Proves: a successful sendto on an unbound UDP socket binds it to 0.0.0.0 and a non-zero
    // port (getsockname); recvfrom on a never-bound socket gives WSAEINVAL.
    common::run(|ws| {
        let (_, baddr) = bound(ws)?;
        let a = udp(ws)?;
        let mut buf = [0u8; 4];
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAEINVAL));
        ws.sendto(a, b"x", 0, &baddr)?;
        let local = ws.getsockname(a)?.to_socket_addr().unwrap();
        assert!(local.ip().is_unspecified());
        assert_ne!(local.port(), 0);
        Ok(())
    });
}

#[test]
fn nb_14_udp_association_state() {
    // Proves: send on an unconnected UDP socket → WSAENOTCONN; connect sets the peer on this
    // socket only; an AF_UNSPEC address dissolves the association; sends to a port with no
    // socket keep succeeding with the full length.
    common::run(|ws| {
        let (a, aaddr) = bound(ws)?;
        let (b, baddr) = bound(ws)?;
        assert_eq!(ws.send(a, b"x", 0), Err(WsaError::WSAENOTCONN));
        ws.connect(a, &baddr)?;
        assert_eq!(ws.getpeername(a)?, baddr);
        assert_eq!(ws.getpeername(b), Err(WsaError::WSAENOTCONN));
        assert_eq!(ws.send(b, b"x", 0), Err(WsaError::WSAENOTCONN));
        assert_eq!(ws.send(a, b"hi", 0)?, 2);
        let mut buf = [0u8; 8];
        let (n, from) = ws.recvfrom(b, &mut buf, 0)?;
        assert_eq!((n, from), (2, aaddr));
        let mut unspec = [0u8; 16];
        unspec[0] = AF_UNSPEC as u8;
        ws.connect(a, &SockAddr::from_bytes(&unspec))?;
        assert_eq!(ws.getpeername(a), Err(WsaError::WSAENOTCONN));
        let nobody = SockAddr::v4([127, 0, 0, 1], 9);
        for _ in 0..3 {
            assert_eq!(ws.sendto(a, b"lost", 0, &nobody)?, 4);
        }
        Ok(())
    });
}

#[test]
fn port_unreachable_makes_the_next_recvfrom_fail_with_wsaeconnreset() {
    // Proves: Windows' ICMP rule — a datagram to a port nobody listens on comes back as port
    // unreachable and the sender's next recvfrom fails once with WSAECONNRESET.
    common::run(|ws| {
        let (a, _) = bound(ws)?;
        ws.sendto(a, b"hello?", 0, &SockAddr::v4([127, 0, 0, 1], 9))?;
        ws.sleep(10);
        let mut buf = [0u8; 8];
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        ws.set_nonblocking(a, true)?;
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAEWOULDBLOCK));
        Ok(())
    });
}

#[test]
fn a_reported_reply_is_readable_for_wsapoll_and_wsaeventselect_too() {
    // Proves: the reply that makes select see the socket readable (KB 263823) gives WSAPoll
    // POLLRDNORM and records FD_READ for a registration made after it arrived; the receive
    // that returns WSAECONNRESET clears all three.
    common::run(|ws| {
        let (a, _) = bound(ws)?;
        ws.sendto(a, b"hello?", 0, &SockAddr::v4([127, 0, 0, 1], 9))?;
        ws.sleep(10);
        let mut fds = [WsaPollFd::new(a, POLLRDNORM)];
        assert_eq!(ws.wsa_poll(&mut fds, 0), Ok(1));
        assert_eq!(fds[0].revents, POLLRDNORM);
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(a, ev, FD_READ)?;
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(a, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_READ);
        let mut buf = [0u8; 8];
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        assert_eq!(ws.wsa_poll(&mut fds, 0), Ok(0));
        ws.wsa_enum_network_events(a, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, 0);
        Ok(())
    });
}

#[test]
fn port_unreachable_wakes_a_blocked_recvfrom() {
    // Proves: a recvfrom already blocked when the port-unreachable reply arrives fails then
    // with WSAECONNRESET (it does not sleep until a datagram comes).
    common::run(|ws| {
        let (a, _) = bound(ws)?;
        ws.sendto(a, b"hello?", 0, &SockAddr::v4([127, 0, 0, 1], 9))?;
        let mut buf = [0u8; 8];
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAECONNRESET));
        Ok(())
    });
}

#[test]
fn sh_06_udp_shutdown() {
    // Proves: on a bound UDP socket SD_RECEIVE → 0 then recvfrom → WSAESHUTDOWN; SD_SEND → 0
    // (twice) then sendto → WSAESHUTDOWN.
    common::run(|ws| {
        let (a, aaddr) = bound(ws)?;
        ws.shutdown(a, SD_RECEIVE)?;
        let mut buf = [0u8; 4];
        assert_eq!(ws.recvfrom(a, &mut buf, 0), Err(WsaError::WSAESHUTDOWN));
        ws.shutdown(a, SD_SEND)?;
        ws.shutdown(a, SD_SEND)?;
        assert_eq!(ws.sendto(a, b"x", 0, &aaddr), Err(WsaError::WSAESHUTDOWN));
        Ok(())
    });
}

#[test]
fn sel_12_udp_is_writable_and_readable_with_a_datagram() {
    // Proves: an unbound UDP socket in all three sets is writable only; a queued datagram
    // makes a bound one readable; FIONREAD counts queued bytes.
    common::run(|ws| {
        let u = udp(ws)?;
        let (mut r, mut w, mut e) = (FdSet::new(), FdSet::new(), FdSet::new());
        r.set(u);
        w.set(u);
        e.set(u);
        assert_eq!(
            ws.select(
                Some(&mut r),
                Some(&mut w),
                Some(&mut e),
                Some(std::time::Duration::ZERO)
            )?,
            1
        );
        assert!(w.is_set(u) && r.is_empty() && e.is_empty());
        let (b, baddr) = bound(ws)?;
        ws.sendto(u, b"12345", 0, &baddr)?;
        let mut r = FdSet::new();
        r.set(b);
        assert_eq!(ws.select(Some(&mut r), None, None, None)?, 1);
        let mut n = 0;
        ws.ioctlsocket(b, FIONREAD, &mut n)?;
        assert_eq!(n, 5);
        Ok(())
    });
}

#[test]
fn ev_03_bound_udp_reports_fd_write_once_in_event_mode() {
    // Proves: a UDP socket bound to 0.0.0.0:0, registered five times with FD_READ|FD_WRITE and
    // enumerated after each (with the event handle, and again with none): the first gives
    // FD_WRITE with iErrorCode[FD_WRITE_BIT] = 0, every other slot left at 0xABABABAB;
    // registrations 2-5 give 0 with all slots untouched. A datagram then gives FD_READ.
    const FILL: i32 = 0xABAB_ABAB_u32 as i32;
    common::run(|ws| {
        for with_event in [true, false] {
            let b = udp(ws)?;
            ws.bind(b, &SockAddr::v4([0, 0, 0, 0], 0))?;
            let ev = ws.wsa_create_event()?;
            for j in 0..5 {
                ws.wsa_event_select(b, ev, FD_READ | FD_WRITE)?;
                let mut ne = WsaNetworkEvents {
                    network_events: FILL,
                    error_code: [FILL; FD_MAX_EVENTS],
                };
                ws.wsa_enum_network_events(b, with_event.then_some(ev), &mut ne)?;
                let want = if j == 0 { FD_WRITE } else { 0 };
                assert_eq!(ne.network_events, want, "registration {}", j + 1);
                for (k, &e) in ne.error_code.iter().enumerate() {
                    let expect = if want & (1 << k) != 0 { 0 } else { FILL };
                    assert_eq!(e, expect, "registration {}, iErrorCode[{k}]", j + 1);
                }
            }
            let port = ws.getsockname(b)?.port().expect("an IP address");
            let baddr = SockAddr::v4([127, 0, 0, 1], port);
            // Enumerating without a handle left the event signalled.
            ws.wsa_reset_event(ev)?;
            let (a, _) = bound(ws)?;
            ws.sendto(a, b"d", 0, &baddr)?;
            assert_eq!(
                ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?,
                0
            );
            let mut ne = WsaNetworkEvents::default();
            ws.wsa_enum_network_events(b, Some(ev), &mut ne)?;
            assert_eq!(ne.network_events, FD_READ);
            ws.closesocket(a)?;
            ws.closesocket(b)?;
            ws.wsa_close_event(ev)?;
        }
        Ok(())
    });
}

#[test]
fn sel_12_connected_udp_stays_writable_while_two_threads_send() {
    // Proves (sock.c test_UDP): a UDP socket connected to a loopback port where nothing
    // listens sends 10 blocking datagrams (the ICMP port unreachable replies do not fail send);
    // made nonblocking, it is writable (select, zero timeout → 1) before and after every one of
    // 256 sends on each of two threads sending at the same time.
    common::run(|ws| {
        let sock = udp(ws)?;
        ws.connect(sock, &SockAddr::v4([127, 0, 0, 1], 255))?;
        let buf = [0u8; 256];
        for _ in 0..10 {
            assert_eq!(ws.send(sock, &buf, 0)?, buf.len());
        }
        ws.set_nonblocking(sock, true)?;
        let start = ws.wsa_create_event()?;
        let writable = move |ws: &SimWinsock| -> Result<usize, WsaError> {
            let mut w = FdSet::new();
            w.set(sock);
            ws.select(None, Some(&mut w), None, Some(std::time::Duration::ZERO))
        };
        let t = ws.create_thread("second sender", move |ws| {
            ws.wsa_wait_for_multiple_events(&[start], false, INFINITE, false)?;
            let buf = [0u8; 256];
            for i in 0..256 {
                assert_eq!(writable(ws)?, 1, "second thread, i {i}");
                assert_eq!(ws.send(sock, &buf, 0)?, buf.len(), "second thread, i {i}");
            }
            Ok(())
        })?;
        ws.wsa_set_event(start)?;
        for i in 0..256 {
            assert_eq!(ws.send(sock, &buf, 0)?, buf.len(), "main thread, i {i}");
            assert_eq!(writable(ws)?, 1, "main thread, i {i}");
        }
        ws.wait_for_thread(t, INFINITE)?;
        ws.closesocket(sock)
    });
}

#[test]
fn nb_13_tcp_sendto_ignores_the_address_and_recvfrom_writes_none() {
    // Proves: on a TCP socket sendto ignores a garbage address and sends the full length;
    // recvfrom does not write the address.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let garbage = SockAddr::from_bytes(&[0xad, 0xde, 1, 2]);
        assert_eq!(ws.sendto(c, b"tcp", 0, &garbage)?, 3);
        let mut buf = [0u8; 3];
        let (n, from) = ws.recvfrom(s, &mut buf, MSG_WAITALL)?;
        assert_eq!((n, from.as_bytes().len()), (3, 0));
        Ok(())
    });
}

#[test]
fn udp_across_hosts_with_latency() {
    // Proves: datagrams travel between hosts with the link latency.
    let mut sim = winsock_sim::sim::Sim::builder()
        .seed(common::seed())
        .build();
    let a = sim.host("a", "192.0.2.10");
    let b = sim.host("b", "192.0.2.20");
    b.spawn_daemon("echo", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = udp(ws)?;
        ws.bind(s, &SockAddr::v4([0, 0, 0, 0], 5000))?;
        let mut buf = [0u8; 1500];
        loop {
            let (n, from) = ws.recvfrom(s, &mut buf, 0)?;
            ws.sendto(s, &buf[..n], 0, &from)?;
        }
    });
    a.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = udp(ws)?;
        let t0 = ws.get_tick_count();
        ws.sendto(s, b"ping", 0, &SockAddr::v4([192, 0, 2, 20], 5000))?;
        let mut buf = [0u8; 16];
        let (n, from) = ws.recvfrom(s, &mut buf, 0)?;
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(from, SockAddr::v4([192, 0, 2, 20], 5000));
        assert_eq!(ws.get_tick_count() - t0, 2, "one round trip of 2 x 1 ms");
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn overlapped_recv_from_reports_the_source_and_truncation() {
    // Proves: WSARecvFrom pends until a datagram arrives, scatters it and reports its source;
    // a datagram larger than the buffers completes with WSAEMSGSIZE (ERROR_MORE_DATA in a
    // completion packet); WSASendTo completes at once.
    common::run(|ws| {
        let (a, aaddr) = bound(ws)?;
        let (b, baddr) = bound(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_from(b, vec![vec![0; 2], vec![0; 4]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_send_to(
                a,
                vec![b"hey".to_vec(), b"!".to_vec()],
                0,
                &baddr,
                Overlapped::new(2),
                None
            )?,
            4
        );
        ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?;
        let done = ws.wsa_get_overlapped_result(b, &ov, false)?;
        assert_eq!((done.bytes, done.from), (4, Some(aaddr)));
        assert_eq!(done.bufs, vec![b"he".to_vec(), b"y!\0\0".to_vec()]);
        let port = ws.create_io_completion_port(1)?;
        ws.associate_completion_port(b, port, 7)?;
        let _ = ws.wsa_recv_from(b, vec![vec![0; 3]], 0, Overlapped::new(3), None);
        ws.sendto(a, b"too long", 0, &baddr)?;
        let p = ws.get_queued_completion_status(port, 1000)?;
        assert_eq!(
            (p.key, p.bytes, p.error),
            (7, 3, Some(WsaError::ERROR_MORE_DATA))
        );
        assert_eq!(p.from, Some(aaddr));
        Ok(())
    });
}
