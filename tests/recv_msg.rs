//! WSARecvMsg and WSASendMsg: datagrams with control data (IP_PKTINFO / IPV6_PKTINFO,
//! IP_RECVTTL / IPV6_HOPLIMIT, IP_RECVTOS / IPV6_RECVTCLASS), MSG_TRUNC / MSG_CTRUNC, the
//! overlapped forms, and the argument rules of conformance ER-09 / ER-10.
//!
//! Windows facts from sock.c: test_ip_pktinfo (a 1-byte control buffer: WSAEMSGSIZE with
//! MSG_CTRUNC, the data still received; overlapped: STATUS_BUFFER_OVERFLOW, the routine gets
//! WSAEMSGSIZE, 6 bytes and flags 0; Control.len afterwards is sizeof(WSACMSGHDR) +
//! WSA_CMSG_ALIGN(sizeof(IN_PKTINFO)) = 24), test_ipv4_cmsg / test_ipv6_cmsg (levels and types:
//! IPPROTO_IP IP_TTL / IP_PKTINFO / IP_TOS, IPPROTO_IPV6 IPV6_HOPLIMIT / IPV6_PKTINFO /
//! IPV6_TCLASS; TTL ≥ 32, TOS 0) and test_WSASendMsg (ER-09, ER-10).
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::api::msg::parse_cmsgs;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

fn bound(ws: &SimWinsock, ip: [u8; 4]) -> Result<(Socket, SockAddr), WsaError> {
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.bind(s, &SockAddr::v4(ip, 0))?;
    let mut a = ws.getsockname(s)?;
    if ip == [0; 4] {
        a = SockAddr::v4([127, 0, 0, 1], a.to_socket_addr().unwrap().port());
    }
    Ok((s, a))
}

#[test]
fn ip_pktinfo_reports_the_destination_address() {
    // Proves: with IP_PKTINFO on, WSARecvMsg returns the data, the source, and one
    // IPPROTO_IP/IP_PKTINFO record holding the destination (for a socket bound to 127.0.0.1
    // and to 0.0.0.0), Control.len becoming 24; with it off an empty control buffer works.
    common::run(|ws| {
        for ip in [[127, 0, 0, 1], [0, 0, 0, 0]] {
            let (rx, to) = bound(ws, ip)?;
            let (tx, from) = bound(ws, [127, 0, 0, 1])?;
            ws.sendto(tx, b"HELLO\0", 0, &to)?;
            let mut msg = WsaMsg::for_recv(&[10], 0);
            assert_eq!(ws.wsa_recv_msg(rx, &mut msg)?, 6);
            assert_eq!(&msg.bufs[0][..6], b"HELLO\0");
            assert!(msg.control.is_empty());
            assert_eq!(msg.flags, 0);

            ws.setsockopt_i32(rx, IPPROTO_IP, IP_PKTINFO, 1)?;
            ws.sendto(tx, b"HELLO\0", 0, &to)?;
            let mut msg = WsaMsg::for_recv(&[10], 512);
            assert_eq!(ws.wsa_recv_msg(rx, &mut msg)?, 6);
            assert_eq!(msg.name, Some(from));
            assert_eq!(msg.control.len(), 24, "Control.len = IP_PKTINFO_LEN");
            assert_eq!(&msg.control[..8], &24u64.to_le_bytes(), "cmsg_len");
            assert_eq!(
                msg.cmsgs(),
                vec![Cmsg::PktInfo {
                    addr: [127, 0, 0, 1].into(),
                    ifindex: 1
                }]
            );
            assert_eq!(msg.flags, 0);
        }
        Ok(())
    });
}

#[test]
fn short_control_buffer_and_truncated_datagram() {
    // Proves: a control buffer too small for the IP_PKTINFO record fails with WSAEMSGSIZE and
    // MSG_CTRUNC while the data is still received; a datagram larger than the buffers fails
    // with WSAEMSGSIZE and MSG_TRUNC, the buffers filled.
    common::run(|ws| {
        let (rx, to) = bound(ws, [127, 0, 0, 1])?;
        let (tx, _) = bound(ws, [127, 0, 0, 1])?;
        ws.setsockopt_i32(rx, IPPROTO_IP, IP_PKTINFO, 1)?;
        ws.sendto(tx, b"HELLO\0", 0, &to)?;
        let mut msg = WsaMsg::for_recv(&[10], 1);
        assert_eq!(ws.wsa_recv_msg(rx, &mut msg), Err(WsaError::WSAEMSGSIZE));
        assert_eq!(ws.wsa_get_last_error(), 10040);
        assert_eq!(msg.flags, MSG_CTRUNC);
        assert_eq!(&msg.bufs[0][..6], b"HELLO\0");
        assert!(msg.control.is_empty());

        ws.sendto(tx, b"abcdefghij", 0, &to)?;
        let mut msg = WsaMsg::for_recv(&[3, 2], 64);
        assert_eq!(ws.wsa_recv_msg(rx, &mut msg), Err(WsaError::WSAEMSGSIZE));
        assert_eq!(msg.flags, MSG_TRUNC);
        assert_eq!(msg.bufs, vec![b"abc".to_vec(), b"de".to_vec()]);
        assert_eq!(msg.cmsgs().len(), 1, "the control data still arrives");
        Ok(())
    });
}

#[test]
fn ttl_and_tos_records_at_both_levels() {
    // Proves: IP_RECVTTL / IP_RECVTOS give IPPROTO_IP IP_TTL (the sender's TTL, 128 by
    // default, set by IP_TTL) and IP_TOS records of an INT (cmsg_len 20); on AF_INET6,
    // IPV6_HOPLIMIT / IPV6_PKTINFO / IPV6_RECVTCLASS give IPV6_HOPLIMIT, IPV6_PKTINFO (::1)
    // and IPV6_TCLASS records, in that order.
    common::run(|ws| {
        let (rx, to) = bound(ws, [127, 0, 0, 1])?;
        let (tx, _) = bound(ws, [127, 0, 0, 1])?;
        ws.setsockopt_i32(rx, IPPROTO_IP, IP_RECVTTL, 1)?;
        ws.sendto(tx, b"x", 0, &to)?;
        let mut msg = WsaMsg::for_recv(&[4], 100);
        ws.wsa_recv_msg(rx, &mut msg)?;
        assert_eq!(&msg.control[..8], &20u64.to_le_bytes());
        assert_eq!(&msg.control[8..16], &[0, 0, 0, 0, 4, 0, 0, 0]);
        assert_eq!(msg.cmsgs(), vec![Cmsg::Ttl(128)]);
        ws.setsockopt_i32(rx, IPPROTO_IP, IP_RECVTTL, 0)?;
        ws.setsockopt_i32(rx, IPPROTO_IP, IP_RECVTOS, 1)?;
        ws.setsockopt_i32(tx, IPPROTO_IP, IP_TTL, 64)?;
        ws.sendto(tx, b"x", 0, &to)?;
        let mut msg = WsaMsg::for_recv(&[4], 100);
        ws.wsa_recv_msg(rx, &mut msg)?;
        assert_eq!(msg.cmsgs(), vec![Cmsg::Tos(0)]);
        ws.setsockopt_i32(rx, IPPROTO_IP, IP_RECVTTL, 1)?;
        ws.sendto(tx, b"x", 0, &to)?;
        let mut msg = WsaMsg::for_recv(&[4], 100);
        ws.wsa_recv_msg(rx, &mut msg)?;
        assert_eq!(msg.cmsgs(), vec![Cmsg::Ttl(64), Cmsg::Tos(0)]);

        let rx6 = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(rx6, &SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 0))?;
        let to6 = ws.getsockname(rx6)?;
        let tx6 = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        for name in [IPV6_HOPLIMIT, IPV6_PKTINFO, IPV6_RECVTCLASS] {
            ws.setsockopt_i32(rx6, IPPROTO_IPV6, name, 1)?;
        }
        ws.sendto(tx6, b"six", 0, &to6)?;
        let mut msg = WsaMsg::for_recv(&[8], 200);
        assert_eq!(ws.wsa_recv_msg(rx6, &mut msg)?, 3);
        assert_eq!(
            msg.cmsgs(),
            vec![
                Cmsg::Pkt6Info {
                    addr: std::net::Ipv6Addr::LOCALHOST,
                    ifindex: 1
                },
                Cmsg::HopLimit(128),
                Cmsg::TClass(0),
            ]
        );
        assert_eq!(msg.control.len(), 40 + 24 + 24);
        Ok(())
    });
}

#[test]
fn overlapped_wsarecvmsg_completes_with_control_data() {
    // Proves: an overlapped WSARecvMsg pends, then completes with the data, the source, the
    // IP_PKTINFO record and its flags through WSAGetOverlappedResult; with a 1-byte control
    // buffer it completes with WSAEMSGSIZE (6 bytes, MSG_CTRUNC); with a routine and the
    // datagram already queued the call still says WSA_IO_PENDING and the routine gets
    // WSAEMSGSIZE, 6 bytes and dwFlags 0; through a completion port the packet carries
    // ERROR_MORE_DATA and the control data.
    common::run(|ws| {
        let (rx, to) = bound(ws, [127, 0, 0, 1])?;
        let (tx, from) = bound(ws, [127, 0, 0, 1])?;
        ws.setsockopt_i32(rx, IPPROTO_IP, IP_PKTINFO, 1)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_msg_overlapped(rx, WsaMsg::for_recv(&[10], 512), ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.sendto(tx, b"HELLO\0", 0, &to)?;
        let done = ws.wsa_get_overlapped_result(rx, &ov, true)?;
        assert_eq!((done.error, done.bytes), (None, 6));
        assert_eq!(&done.bufs[0][..6], b"HELLO\0");
        assert_eq!(done.from, Some(from));
        assert_eq!(done.control.len(), 24);
        assert_eq!(
            parse_cmsgs(&done.control),
            vec![Cmsg::PktInfo {
                addr: [127, 0, 0, 1].into(),
                ifindex: 1
            }]
        );

        let ov2 = Overlapped::with_event(2, ev);
        assert_eq!(
            ws.wsa_recv_msg_overlapped(rx, WsaMsg::for_recv(&[10], 1), ov2, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.sendto(tx, b"HELLO\0", 0, &to)?;
        let done = ws.wsa_get_overlapped_result(rx, &ov2, true)?;
        assert_eq!((done.error, done.bytes), (Some(WsaError::WSAEMSGSIZE), 6));
        assert_eq!(ws.wsa_get_last_error(), 10040);
        assert_eq!((done.flags, done.msg_flags), (0, MSG_CTRUNC));

        let got = Arc::new(Mutex::new(None));
        let seen = got.clone();
        ws.sendto(tx, b"HELLO\0", 0, &to)?;
        ws.sleep(1);
        // Data already there, but it does not fit: the call still says WSA_IO_PENDING and the
        // routine reports the error (sock.c test_ip_pktinfo, Windows' result).
        assert_eq!(
            ws.wsa_recv_msg_overlapped(
                rx,
                WsaMsg::for_recv(&[10], 1),
                Overlapped::new(3),
                Some(Box::new(move |_ws, done: IoCompletion| {
                    *seen.lock().unwrap() =
                        Some((done.error, done.bytes, done.flags, done.msg_flags));
                })),
            ),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(ws.sleep_ex(100, true), WAIT_IO_COMPLETION);
        assert_eq!(
            *got.lock().unwrap(),
            Some((Some(WsaError::WSAEMSGSIZE), 6, 0, MSG_CTRUNC))
        );

        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(rx, port, 77)?;
        assert_eq!(
            ws.wsa_recv_msg_overlapped(rx, WsaMsg::for_recv(&[2], 512), Overlapped::new(4), None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.sendto(tx, b"HELLO\0", 0, &to)?;
        let p = ws.get_queued_completion_status(port, 1000)?;
        assert_eq!(
            (p.key, p.bytes, p.error),
            (77, 2, Some(WsaError::ERROR_MORE_DATA))
        );
        assert_eq!(p.msg_flags, MSG_TRUNC);
        assert_eq!(parse_cmsgs(&p.control).len(), 1);
        Ok(())
    });
}

#[test]
fn wsasendmsg_sends_binds_and_refuses_stream_sockets() {
    // Proves: WSASendMsg gathers its buffers into one datagram, binds an unbound UDP socket
    // to 0.0.0.0 and a port (ER-10), sends to the connected peer when `name` is None, and
    // completes at once overlapped; a stream socket gives WSAEINVAL for WSASendMsg and
    // WSARecvMsg (ER-10), INVALID_SOCKET WSAENOTSOCK (ER-09), an unbound UDP socket's
    // WSARecvMsg WSAEINVAL.
    common::run(|ws| {
        let (rx, to) = bound(ws, [127, 0, 0, 1])?;
        let tx = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let mut m = WsaMsg::for_send(b"hello world\0", Some(to));
        m.bufs.push(b"hello ".to_vec());
        assert_eq!(ws.wsa_send_msg(tx, &m, 0)?, 18);
        assert_eq!(ws.wsa_get_last_error(), 0);
        let local = ws.getsockname(tx)?.to_socket_addr().unwrap();
        assert!(local.ip().is_unspecified());
        assert_ne!(local.port(), 0);
        let mut buf = [0u8; 32];
        let (n, _) = ws.recvfrom(rx, &mut buf, 0)?;
        assert_eq!(&buf[..n], b"hello world\0hello ");

        ws.connect(tx, &to)?;
        assert_eq!(ws.wsa_send_msg(tx, &WsaMsg::for_send(b"peer", None), 0)?, 4);
        let ov = Overlapped::new(9);
        assert_eq!(
            ws.wsa_send_msg_overlapped(tx, WsaMsg::for_send(b"ov", None), 0, ov, None),
            Ok(2)
        );
        let done = ws.wsa_get_overlapped_result(tx, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 2));
        assert_eq!(ws.recv(rx, &mut buf, 0)?, 4);
        assert_eq!(ws.recv(rx, &mut buf, 0)?, 2);

        assert_eq!(
            ws.wsa_send_msg(Socket::from_raw(INVALID_SOCKET), &m, 0),
            Err(WsaError::WSAENOTSOCK)
        );
        let t = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.wsa_send_msg(t, &m, 0), Err(WsaError::WSAEINVAL));
        assert_eq!(ws.wsa_get_last_error(), 10022);
        let (c, _s) = common::pair(ws)?;
        let mut r = WsaMsg::for_recv(&[8], 0);
        assert_eq!(ws.wsa_recv_msg(c, &mut r), Err(WsaError::WSAEINVAL));
        assert_eq!(
            ws.wsa_recv_msg_overlapped(c, WsaMsg::for_recv(&[8], 0), Overlapped::new(10), None),
            Err(WsaError::WSAEINVAL)
        );
        let unbound = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(ws.wsa_recv_msg(unbound, &mut r), Err(WsaError::WSAEINVAL));
        Ok(())
    });
}

#[test]
fn multicast_pktinfo_names_the_group() {
    // Proves: a member receiving a group datagram through WSARecvMsg sees the group address
    // in its IP_PKTINFO record (interface 2, not loopback) and MSG_MCAST in dwFlags, and the
    // IP_MULTICAST_TTL (default 1) as its TTL.
    let mut sim = Sim::builder().seed(common::seed()).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    a.spawn("a", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.sleep(50);
        ws.sendto(s, b"g", 0, &SockAddr::v4([239, 0, 0, 7], 6000))?;
        Ok(())
    });
    b.spawn("b", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let m = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(m, &SockAddr::v4([0; 4], 6000))?;
        ws.setsockopt(
            m,
            IPPROTO_IP,
            IP_ADD_MEMBERSHIP,
            &ip_mreq([239, 0, 0, 7], [0; 4]),
        )?;
        ws.setsockopt_i32(m, IPPROTO_IP, IP_PKTINFO, 1)?;
        ws.setsockopt_i32(m, IPPROTO_IP, IP_RECVTTL, 1)?;
        let mut msg = WsaMsg::for_recv(&[4], 64);
        assert_eq!(ws.wsa_recv_msg(m, &mut msg)?, 1);
        assert_eq!(msg.flags, MSG_MCAST);
        assert_eq!(
            msg.cmsgs(),
            vec![
                Cmsg::PktInfo {
                    addr: [239, 0, 0, 7].into(),
                    ifindex: 2
                },
                Cmsg::Ttl(1)
            ]
        );
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}
