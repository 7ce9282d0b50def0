//! One test per WinSock error code the core calls produce, each proving the situation that
//! gives it (Windows' behaviour, run against the simulator through the public API). The ER-*
//! rules, and what is not covered, are in `errors.rs`.
mod common;

use common::{fails, tcp};

use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

const LOOPBACK: [u8; 4] = [127, 0, 0, 1];
/// No simulated host owns this address (TEST-NET-2): SYNs to it are never answered.
const UNREACHABLE: [u8; 4] = [198, 51, 100, 7];

#[test]
fn wsanotinitialised_before_startup_and_after_last_cleanup() {
    // Proves: WSANOTINITIALISED (10093) before WSAStartup, and again after the last WSACleanup.
    let mut sim = Sim::builder().seed(common::seed()).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", |ws| {
        fails(ws, tcp(ws), WsaError::WSANOTINITIALISED, "before startup");
        fails(
            ws,
            ws.wsa_cleanup(),
            WsaError::WSANOTINITIALISED,
            "cleanup without startup",
        );
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = tcp(ws)?;
        ws.closesocket(s)?;
        ws.wsa_cleanup()?;
        fails(
            ws,
            tcp(ws),
            WsaError::WSANOTINITIALISED,
            "after the last cleanup",
        );
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn wsaeafnosupport_unknown_address_family() {
    // Proves: WSAEAFNOSUPPORT for socket() with an unknown family and for bind() with an
    // address whose family is unknown.
    common::run(|ws| {
        fails(
            ws,
            ws.socket(0xdead, SOCK_STREAM, 0),
            WsaError::WSAEAFNOSUPPORT,
            "socket",
        );
        let s = tcp(ws)?;
        let mut b = SockAddr::v4(LOOPBACK, 0).as_bytes().to_vec();
        b[0..2].copy_from_slice(&0xdead_u16.to_le_bytes());
        fails(
            ws,
            ws.bind(s, &SockAddr::from_bytes(&b)),
            WsaError::WSAEAFNOSUPPORT,
            "bind",
        );
        Ok(())
    });
}

#[test]
fn wsaesocktnosupport_unknown_socket_type() {
    // Proves: WSAESOCKTNOSUPPORT for socket(AF_INET, <unknown type>, 0).
    common::run(|ws| {
        fails(
            ws,
            ws.socket(AF_INET, 0xdead, 0),
            WsaError::WSAESOCKTNOSUPPORT,
            "socket",
        );
        Ok(())
    });
}

#[test]
fn wsaeprotonosupport_protocol_does_not_match_type() {
    // Proves: WSAEPROTONOSUPPORT for a stream socket with UDP or an unknown protocol.
    common::run(|ws| {
        fails(
            ws,
            ws.socket(AF_INET, SOCK_STREAM, IPPROTO_UDP),
            WsaError::WSAEPROTONOSUPPORT,
            "STREAM/UDP",
        );
        fails(
            ws,
            ws.socket(AF_INET, SOCK_STREAM, 0xdead),
            WsaError::WSAEPROTONOSUPPORT,
            "bad",
        );
        Ok(())
    });
}

#[test]
fn wsaeaddrinuse_second_bind_to_a_taken_port() {
    // Proves: WSAEADDRINUSE when a second socket binds an address:port another socket holds
    // (no options), also for two INADDR_ANY binds of one port.
    common::run(|ws| {
        let a = tcp(ws)?;
        ws.bind(a, &SockAddr::v4(LOOPBACK, 0))?;
        let taken = ws.getsockname(a)?;
        let b = tcp(ws)?;
        fails(
            ws,
            ws.bind(b, &taken),
            WsaError::WSAEADDRINUSE,
            "loopback twice",
        );
        let c = tcp(ws)?;
        ws.bind(c, &SockAddr::v4([0, 0, 0, 0], 9100))?;
        let d = tcp(ws)?;
        fails(
            ws,
            ws.bind(d, &SockAddr::v4([0, 0, 0, 0], 9100)),
            WsaError::WSAEADDRINUSE,
            "any",
        );
        Ok(())
    });
}

#[test]
fn wsaeaddrnotavail_address_not_on_this_host_or_any_address_as_destination() {
    // Proves: WSAEADDRNOTAVAIL when binding an address the host does not have, and when
    // connecting to INADDR_ANY.
    common::run(|ws| {
        let s = tcp(ws)?;
        fails(
            ws,
            ws.bind(s, &SockAddr::v4([192, 0, 2, 0], 0)),
            WsaError::WSAEADDRNOTAVAIL,
            "bind 192.0.2.0",
        );
        let c = tcp(ws)?;
        fails(
            ws,
            ws.connect(c, &SockAddr::v4([0, 0, 0, 0], 9000)),
            WsaError::WSAEADDRNOTAVAIL,
            "connect 0.0.0.0",
        );
        Ok(())
    });
}

#[test]
fn wsaeinval_bind_twice_listen_unbound_accept_not_listening() {
    // Proves: WSAEINVAL for binding a bound socket, listen on an unbound socket, and accept on
    // a socket that is not listening.
    common::run(|ws| {
        let s = tcp(ws)?;
        fails(ws, ws.listen(s, 5), WsaError::WSAEINVAL, "listen unbound");
        fails(ws, ws.accept(s), WsaError::WSAEINVAL, "accept unbound");
        ws.bind(s, &SockAddr::v4(LOOPBACK, 0))?;
        fails(
            ws,
            ws.bind(s, &SockAddr::v4(LOOPBACK, 0)),
            WsaError::WSAEINVAL,
            "bind twice",
        );
        fails(
            ws,
            ws.accept(s),
            WsaError::WSAEINVAL,
            "accept bound, not listening",
        );
        Ok(())
    });
}

#[test]
fn wsaewouldblock_accept_recv_send_on_nonblocking_sockets() {
    // Proves: WSAEWOULDBLOCK from accept with an empty queue, recv with no data, and send once
    // the send side is full (peer not reading), all on nonblocking sockets.
    common::run(|ws| {
        let (l, _) = common::listener(ws, 1)?;
        ws.set_nonblocking(l, true)?;
        fails(ws, ws.accept(l), WsaError::WSAEWOULDBLOCK, "accept");
        let (c, s) = common::pair(ws)?;
        ws.set_nonblocking(c, true)?;
        let mut b = [0u8; 16];
        fails(ws, ws.recv(c, &mut b, 0), WsaError::WSAEWOULDBLOCK, "recv");
        let chunk = vec![7u8; 16 * 1024];
        let mut sent = 0;
        let err = loop {
            match ws.send(c, &chunk, 0) {
                Ok(n) => {
                    assert_eq!(n, chunk.len(), "nonblocking send is all-or-nothing");
                    sent += n;
                    assert!(sent < 64 << 20, "send never filled up");
                    ws.sleep(1);
                }
                Err(e) => break e,
            }
        };
        assert_eq!(err, WsaError::WSAEWOULDBLOCK);
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEWOULDBLOCK.code());
        assert!(sent > 0);
        ws.closesocket(s)?;
        Ok(())
    });
}

#[test]
fn wsaeconnrefused_nothing_listening() {
    // Proves: a blocking connect to a port nobody listens on fails with WSAECONNREFUSED, after
    // Windows' two retries of the refused SYN (0.5 s and 1 s later): more than 1.5 s.
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 1)?;
        ws.closesocket(l)?;
        let c = tcp(ws)?;
        let t0 = ws.get_tick_count();
        fails(
            ws,
            ws.connect(c, &addr),
            WsaError::WSAECONNREFUSED,
            "connect",
        );
        let dt = ws.get_tick_count().wrapping_sub(t0);
        assert!((1500..2000).contains(&dt), "refusal took {dt} ms");
        Ok(())
    });
}

#[test]
fn wsaeconnrefused_backlog_full() {
    // Proves: with listen(2) and nothing accepted, two connections are queued (the backlog is
    // "the maximum length of the queue of pending connections", as EV-06's listen(2) with two
    // queued clients shows) and the third is refused (WSAECONNREFUSED, after the retries).
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 2)?;
        let c1 = tcp(ws)?;
        ws.connect(c1, &addr)?;
        let c2 = tcp(ws)?;
        ws.connect(c2, &addr)?;
        let c3 = tcp(ws)?;
        let t0 = ws.get_tick_count();
        fails(
            ws,
            ws.connect(c3, &addr),
            WsaError::WSAECONNREFUSED,
            "third connect",
        );
        let dt = ws.get_tick_count().wrapping_sub(t0);
        assert!(dt >= 1500, "refusal took only {dt} ms");
        // The two queued connections are real.
        ws.accept(l)?;
        ws.accept(l)?;
        Ok(())
    });
}

#[test]
fn wsaealready_second_nonblocking_connect_in_progress() {
    // Proves: a second connect() while a nonblocking connect is in progress gives WSAEALREADY.
    common::run(|ws| {
        let c = tcp(ws)?;
        ws.set_nonblocking(c, true)?;
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
        ws.closesocket(c)
    });
}

#[test]
fn wsaeisconn_connect_on_a_connected_socket() {
    // Proves: connect() on a connected socket gives WSAEISCONN.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let peer = ws.getpeername(c)?;
        fails(
            ws,
            ws.connect(c, &peer),
            WsaError::WSAEISCONN,
            "connect on connected",
        );
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn wsaetimedout_connect_to_unreachable_address_takes_21_s() {
    // Proves: a blocking connect to an address that never answers fails with WSAETIMEDOUT after
    // 21 s (SYN at 0, retransmissions at 3 s and 9 s, give up at 21 s).
    common::run(|ws| {
        let c = tcp(ws)?;
        let t0 = ws.get_tick_count();
        fails(
            ws,
            ws.connect(c, &SockAddr::v4(UNREACHABLE, 80)),
            WsaError::WSAETIMEDOUT,
            "connect",
        );
        let dt = ws.get_tick_count().wrapping_sub(t0);
        assert!((20_995..=21_005).contains(&dt), "timed out after {dt} ms");
        Ok(())
    });
}

#[test]
fn wsaetimedout_recv_with_so_rcvtimeo() {
    // Proves: a blocking recv with SO_RCVTIMEO = 200 ms and no data fails with WSAETIMEDOUT
    // after 200 ms.
    common::run(|ws| {
        let (c, _s) = common::pair(ws)?;
        ws.setsockopt_i32(c, SOL_SOCKET, SO_RCVTIMEO, 200)?;
        let t0 = ws.get_tick_count();
        let mut b = [0u8; 8];
        fails(ws, ws.recv(c, &mut b, 0), WsaError::WSAETIMEDOUT, "recv");
        let dt = ws.get_tick_count().wrapping_sub(t0);
        assert!((200..210).contains(&dt), "timed out after {dt} ms");
        Ok(())
    });
}

#[test]
fn wsaetimedout_blocked_send_with_so_sndtimeo() {
    // Proves: a blocking send that cannot proceed (peer not reading, buffers full) fails with
    // WSAETIMEDOUT once SO_SNDTIMEO (300 ms) has passed.
    common::run(|ws| {
        let (c, _s) = common::pair(ws)?;
        ws.setsockopt_i32(c, SOL_SOCKET, SO_SNDTIMEO, 300)?;
        let chunk = vec![1u8; 64 * 1024];
        for i in 0.. {
            assert!(i < 1000, "send never blocked");
            let t0 = ws.get_tick_count();
            match ws.send(c, &chunk, 0) {
                Ok(n) => assert_eq!(n, chunk.len()),
                Err(e) => {
                    assert_eq!(e, WsaError::WSAETIMEDOUT);
                    assert_eq!(ws.wsa_get_last_error(), e.code());
                    let dt = ws.get_tick_count().wrapping_sub(t0);
                    assert!((300..400).contains(&dt), "timed out after {dt} ms");
                    break;
                }
            }
        }
        Ok(())
    });
}

#[test]
fn wsaenotconn_data_calls_on_an_unconnected_socket() {
    // Proves: send, recv, getpeername and shutdown on an unconnected TCP socket give
    // WSAENOTCONN.
    common::run(|ws| {
        let s = tcp(ws)?;
        ws.bind(s, &SockAddr::v4(LOOPBACK, 0))?;
        let mut b = [0u8; 4];
        fails(ws, ws.send(s, b"x", 0), WsaError::WSAENOTCONN, "send");
        fails(ws, ws.recv(s, &mut b, 0), WsaError::WSAENOTCONN, "recv");
        fails(ws, ws.getpeername(s), WsaError::WSAENOTCONN, "getpeername");
        fails(
            ws,
            ws.shutdown(s, SD_SEND),
            WsaError::WSAENOTCONN,
            "shutdown",
        );
        Ok(())
    });
}

#[test]
fn wsaeshutdown_send_after_sd_send_recv_after_sd_receive() {
    // Proves: send after shutdown(SD_SEND) and recv after shutdown(SD_RECEIVE) give
    // WSAESHUTDOWN.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.shutdown(c, SD_SEND)?;
        fails(
            ws,
            ws.send(c, b"x", 0),
            WsaError::WSAESHUTDOWN,
            "send after SD_SEND",
        );
        ws.shutdown(s, SD_RECEIVE)?;
        let mut b = [0u8; 4];
        fails(
            ws,
            ws.recv(s, &mut b, 0),
            WsaError::WSAESHUTDOWN,
            "recv after SD_RECEIVE",
        );
        Ok(())
    });
}

#[test]
fn wsaeconnreset_peer_rst_close() {
    // Proves: after the peer's abortive close (SO_LINGER {1,0}), recv and send give
    // WSAECONNRESET.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        common::rst_close(ws, s)?;
        let mut b = [0u8; 4];
        fails(ws, ws.recv(c, &mut b, 0), WsaError::WSAECONNRESET, "recv");
        fails(
            ws,
            ws.recv(c, &mut b, 0),
            WsaError::WSAECONNRESET,
            "recv again",
        );
        fails(ws, ws.send(c, b"x", 0), WsaError::WSAECONNRESET, "send");
        Ok(())
    });
}

#[test]
fn wsaeconnreset_peer_closes_with_unread_data() {
    // Proves: a peer that calls closesocket (default linger) with unread data in its receive
    // buffer resets the connection: our recv gives WSAECONNRESET.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.send(c, b"unread", 0)?;
        ws.sleep(10); // the bytes reach the server's receive buffer
        let mut n = 0;
        ws.ioctlsocket(s, FIONREAD, &mut n)?;
        assert_eq!(n, 6, "data is waiting at the server");
        ws.closesocket(s)?;
        let mut b = [0u8; 4];
        fails(ws, ws.recv(c, &mut b, 0), WsaError::WSAECONNRESET, "recv");
        Ok(())
    });
}

#[test]
fn wsaenotsock_closed_garbage_and_invalid_handles() {
    // Proves: WSAENOTSOCK for a closed handle, a garbage value and INVALID_SOCKET.
    common::run(|ws| {
        let s = tcp(ws)?;
        ws.closesocket(s)?;
        fails(
            ws,
            ws.closesocket(s),
            WsaError::WSAENOTSOCK,
            "closesocket twice",
        );
        fails(
            ws,
            ws.bind(s, &SockAddr::v4(LOOPBACK, 0)),
            WsaError::WSAENOTSOCK,
            "bind closed",
        );
        let garbage = Socket::from_raw(0xdead_beef);
        let mut b = [0u8; 4];
        fails(
            ws,
            ws.recv(garbage, &mut b, 0),
            WsaError::WSAENOTSOCK,
            "recv garbage",
        );
        fails(
            ws,
            ws.getsockname(garbage),
            WsaError::WSAENOTSOCK,
            "getsockname garbage",
        );
        fails(
            ws,
            ws.closesocket(Socket::INVALID),
            WsaError::WSAENOTSOCK,
            "close INVALID",
        );
        let mut v = 1;
        fails(
            ws,
            ws.ioctlsocket(Socket::INVALID, FIONBIO, &mut v),
            WsaError::WSAENOTSOCK,
            "ioctlsocket INVALID",
        );
        Ok(())
    });
}

#[test]
fn wsaenoprotoopt_unknown_option_at_a_valid_level() {
    // Proves: WSAENOPROTOOPT for an unknown SOL_SOCKET option and for SO_LINGER on UDP.
    common::run(|ws| {
        let s = tcp(ws)?;
        let mut v = [0u8; 4];
        fails(
            ws,
            ws.getsockopt(s, SOL_SOCKET, 0x7777, &mut v),
            WsaError::WSAENOPROTOOPT,
            "getsockopt unknown",
        );
        fails(
            ws,
            ws.setsockopt(s, SOL_SOCKET, 0x7777, &[0; 4]),
            WsaError::WSAENOPROTOOPT,
            "setsockopt unknown",
        );
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        fails(
            ws,
            ws.getsockopt(u, SOL_SOCKET, SO_LINGER, &mut v),
            WsaError::WSAENOPROTOOPT,
            "SO_LINGER on UDP",
        );
        Ok(())
    });
}

#[test]
fn wsaefault_short_option_length_and_short_address() {
    // Proves: WSAEFAULT for an option buffer shorter than the option and for a 15-byte
    // sockaddr_in.
    common::run(|ws| {
        let s = tcp(ws)?;
        let mut v = [0u8; 2];
        fails(
            ws,
            ws.getsockopt(s, SOL_SOCKET, SO_RCVBUF, &mut v),
            WsaError::WSAEFAULT,
            "getsockopt SO_RCVBUF optlen 2",
        );
        fails(
            ws,
            ws.setsockopt(s, SOL_SOCKET, SO_LINGER, &[1, 0, 0]),
            WsaError::WSAEFAULT,
            "setsockopt SO_LINGER optlen 3",
        );
        let full = SockAddr::v4(LOOPBACK, 0);
        let short = SockAddr::from_bytes(&full.as_bytes()[..15]);
        fails(ws, ws.bind(s, &short), WsaError::WSAEFAULT, "bind 15 bytes");
        fails(
            ws,
            ws.connect(s, &short),
            WsaError::WSAEFAULT,
            "connect 15 bytes",
        );
        Ok(())
    });
}

#[test]
fn somaxconn_hint_raises_the_backlog_beyond_somaxconn() {
    // Proves: listen(SOMAXCONN) queues 200 connections and refuses the 201st, while
    // SOMAXCONN_HINT(300) queues 300 (Windows clamps the hint to 200..=65535).
    for (backlog, queued) in [(SOMAXCONN, 200usize), (somaxconn_hint(300), 300)] {
        common::run(move |ws| {
            let (_l, addr) = common::listener(ws, backlog)?;
            for _ in 0..queued {
                let c = tcp(ws)?;
                ws.connect(c, &addr)?;
            }
            let extra = tcp(ws)?;
            fails(
                ws,
                ws.connect(extra, &addr),
                WsaError::WSAECONNREFUSED,
                "one too many",
            );
            Ok(())
        });
    }
}

#[test]
fn wsaeconnreset_from_accept_when_the_queued_connection_was_reset() {
    // Proves: accept() of a connection the peer reset while it waited in the backlog fails
    // with WSAECONNRESET (documented for accept), and the next connection is still accepted.
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let c1 = tcp(ws)?;
        ws.connect(c1, &addr)?;
        common::rst_close(ws, c1)?;
        let c2 = tcp(ws)?;
        ws.connect(c2, &addr)?;
        ws.sleep(10);
        fails(
            ws,
            ws.accept(l).map(|_| ()),
            WsaError::WSAECONNRESET,
            "reset before accept",
        );
        let (s2, peer) = ws.accept(l)?;
        assert_eq!(peer, ws.getsockname(c2)?);
        ws.send(c2, b"ok", 0)?;
        assert_eq!(common::recv_exact(ws, s2, 2)?, b"ok");
        Ok(())
    });
}

#[test]
fn ephemeral_ports_come_from_the_dynamic_range() {
    // Proves: bind to port 0 and the implicit bind of connect pick ports in Windows' dynamic
    // range 49152–65535, all distinct while held.
    common::run(|ws| {
        let (_l, addr) = common::listener(ws, 200)?;
        let mut ports = Vec::new();
        for _ in 0..50 {
            let s = tcp(ws)?;
            ws.bind(s, &SockAddr::v4([0, 0, 0, 0], 0))?;
            ports.push(ws.getsockname(s)?.port().unwrap());
            let c = tcp(ws)?;
            ws.connect(c, &addr)?;
            ports.push(ws.getsockname(c)?.port().unwrap());
        }
        assert!(
            ports.iter().all(|p| (49152..=65535).contains(p)),
            "{ports:?}"
        );
        let mut uniq = ports.clone();
        uniq.sort_unstable();
        uniq.dedup();
        assert_eq!(uniq.len(), ports.len(), "ports are distinct");
        Ok(())
    });
}
