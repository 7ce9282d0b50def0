//! Socket options: conformance rules OP-01 … OP-07 and OP-13 for the options the sim has
//! (SOL_SOCKET and IPPROTO_TCP: linger, buffers, timeouts, TCP_NODELAY, option lengths,
//! SO_ERROR, SO_CONNECT_TIME, keep-alive). Elsewhere: the IP and IPv6 options' sizes and values
//! (OP-05's test_optsize table) in `ip_options.rs`, invalid levels and option names (OP-08) in
//! `sockopt_levels.rs`, SO_REUSEADDR / SO_EXCLUSIVEADDRUSE / IPV6_V6ONLY (OP-10, OP-11) in
//! `address_reuse.rs`.
//!
//! Not expressible through the safe API (not tested): NULL optval/optlen pointers, optlen -1,
//! a value passed instead of a pointer (OP-05, OP-08), and the optlen a failed getsockopt
//! writes back. SO_PROTOCOL_INFOA/W (OP-14) and SO_BSP_STATE are tested in
//! `sockc_test_set_getsockopt.rs` (`so_protocol_info_*`, `so_bsp_state_*`). SO_OPENTYPE (per thread) is tested
//! in `tests/sockc_test_set_getsockopt.rs` and, for the non-overlapped sockets it makes, in
//! `tests/overlapped_nonblocking.rs` (NB-03).

mod common;

use common::{fails, tcp};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn get_linger(ws: &SimWinsock, s: Socket) -> Result<Linger, WsaError> {
    let mut b = [0u8; 4];
    assert_eq!(ws.getsockopt(s, SOL_SOCKET, SO_LINGER, &mut b)?, 4);
    Ok(Linger::from_bytes(b))
}

#[test]
fn op_01_so_linger_and_so_dontlinger() {
    // Proves: SO_LINGER values round-trip (l_onoff as a boolean, l_linger when on), a short
    // value is WSAEFAULT, SO_LINGER on UDP is WSAENOPROTOOPT, SO_DONTLINGER reads as the
    // inverse of l_onoff, and {1,0} + closesocket resets the peer.
    common::run(|ws| {
        let s = tcp(ws)?;
        for (onoff, linger) in [(0, 0), (0, 73), (1, 0), (5, 189)] {
            let l = Linger { onoff, linger };
            ws.setsockopt(s, SOL_SOCKET, SO_LINGER, &l.to_bytes())?;
            assert_eq!(ws.wsa_get_last_error(), 0);
            let got = get_linger(ws, s)?;
            assert_eq!(got.onoff != 0, onoff != 0, "l_onoff of {l:?}");
            if onoff != 0 {
                assert_eq!(got.linger, linger, "l_linger of {l:?}");
            }
            let dont = ws.getsockopt_i32(s, SOL_SOCKET, SO_DONTLINGER)?;
            assert_eq!(dont != 0, onoff == 0, "SO_DONTLINGER after {l:?}");
        }
        fails(
            ws,
            ws.setsockopt(s, SOL_SOCKET, SO_LINGER, &[]),
            WsaError::WSAEFAULT,
            "len 0",
        );
        ws.setsockopt_i32(s, SOL_SOCKET, SO_DONTLINGER, 1)?;
        assert_eq!(
            get_linger(ws, s)?.onoff,
            0,
            "SO_DONTLINGER=1 turns lingering off"
        );
        ws.setsockopt_i32(s, SOL_SOCKET, SO_DONTLINGER, 0)?;
        assert_ne!(
            get_linger(ws, s)?.onoff,
            0,
            "SO_DONTLINGER=0 turns lingering on"
        );

        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let mut b = [0u8; 4];
        fails(
            ws,
            ws.getsockopt(u, SOL_SOCKET, SO_LINGER, &mut b),
            WsaError::WSAENOPROTOOPT,
            "SO_LINGER on UDP",
        );

        let (c, srv) = common::pair(ws)?;
        common::rst_close(ws, srv)?;
        fails(
            ws,
            ws.recv(c, &mut b, 0),
            WsaError::WSAECONNRESET,
            "peer after {1,0} close",
        );
        Ok(())
    });
}

#[test]
fn op_02_so_rcvbuf_and_so_sndbuf_values() {
    // Proves: SO_RCVBUF and SO_SNDBUF accept 4096 and 0 and read them back.
    common::run(|ws| {
        let s = tcp(ws)?;
        for opt in [SO_RCVBUF, SO_SNDBUF] {
            for v in [4096, 0] {
                ws.setsockopt_i32(s, SOL_SOCKET, opt, v)?;
                assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, opt)?, v, "option {opt:#x}");
            }
        }
        Ok(())
    });
}

#[test]
fn op_02_tiny_buffers_still_take_three_4096_byte_sends() {
    // Proves: with SO_SNDBUF = 0 on the sender and SO_RCVBUF = 1024 on a nonblocking receiver,
    // three 4096-byte nonblocking sends succeed in full and all the data is received.
    common::run(|ws| {
        let (src, dst) = common::pair(ws)?;
        ws.setsockopt_i32(src, SOL_SOCKET, SO_SNDBUF, 0)?;
        ws.setsockopt_i32(dst, SOL_SOCKET, SO_RCVBUF, 1024)?;
        ws.set_nonblocking(src, true)?;
        ws.set_nonblocking(dst, true)?;
        let data: Vec<u8> = (0..3 * 4096).map(|i| (i % 251) as u8).collect();
        for chunk in data.chunks(4096) {
            assert_eq!(ws.send(src, chunk, 0)?, 4096);
        }
        let mut got = Vec::new();
        let mut b = [0u8; 4096];
        for _ in 0..1000 {
            match ws.recv(dst, &mut b, 0) {
                Ok(n) => got.extend_from_slice(&b[..n]),
                Err(WsaError::WSAEWOULDBLOCK) => ws.sleep(1),
                Err(e) => return Err(e),
            }
            if got.len() == data.len() {
                break;
            }
        }
        assert_eq!(got, data);
        Ok(())
    });
}

#[test]
fn op_03_so_rcvtimeo_and_so_sndtimeo_round_trip() {
    // Proves: SO_RCVTIMEO and SO_SNDTIMEO default to 0 and read back exactly what was set
    // (63000 and 0, 997000).
    common::run(|ws| {
        let s = tcp(ws)?;
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO)?, 0);
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_SNDTIMEO)?, 0);
        ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO, 63000)?;
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO)?, 63000);
        ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO, 0)?;
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO)?, 0);
        ws.setsockopt_i32(s, SOL_SOCKET, SO_SNDTIMEO, 997000)?;
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_SNDTIMEO)?, 997000);
        assert_eq!(ws.wsa_get_last_error(), 0);
        Ok(())
    });
}

#[test]
fn op_04_tcp_nodelay_length_and_value() {
    // Proves: TCP_NODELAY accepts optlen 1, 4 and 42 and reads back 1; optlen 0 is WSAEFAULT
    // and leaves the value unchanged; 0x100 with optlen 4 succeeds but reads back 0 (only the
    // low byte counts).
    common::run(|ws| {
        let s = tcp(ws)?;
        for len in [1usize, 4, 42] {
            ws.setsockopt_i32(s, IPPROTO_TCP, TCP_NODELAY, 0)?;
            let mut v = vec![0u8; len];
            v[0] = 1;
            ws.setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v)?;
            assert_eq!(
                ws.getsockopt_i32(s, IPPROTO_TCP, TCP_NODELAY)?,
                1,
                "optlen {len}"
            );
        }
        fails(
            ws,
            ws.setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &[]),
            WsaError::WSAEFAULT,
            "len 0",
        );
        assert_eq!(
            ws.getsockopt_i32(s, IPPROTO_TCP, TCP_NODELAY)?,
            1,
            "unchanged"
        );
        ws.setsockopt_i32(s, IPPROTO_TCP, TCP_NODELAY, 0x100)?;
        assert_eq!(
            ws.getsockopt_i32(s, IPPROTO_TCP, TCP_NODELAY)?,
            0,
            "low byte only"
        );
        Ok(())
    });
}

#[test]
fn op_05_option_length_rules() {
    // Proves, per option: getsockopt with optlen 0 is WSAEFAULT; setsockopt with optlen 0
    // succeeds only for the SOL_SOCKET booleans; lengths 1 and 2 work for boolean-like options
    // and are WSAEFAULT (set and get) for 4-byte ones; an 8-byte setsockopt always works.
    // (optlen -1: not expressible; SO_OPENTYPE, per thread: tests/sockc_test_set_getsockopt.rs.)
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        SolBool,
        BoolLike,
        Sized,
    }
    use Kind::*;
    let table: &[(i32, i32, i32, Kind, &str)] = &[
        (AF_INET, SOL_SOCKET, SO_BROADCAST, SolBool, "SO_BROADCAST"),
        (AF_INET, SOL_SOCKET, SO_DONTLINGER, SolBool, "SO_DONTLINGER"),
        (AF_INET, SOL_SOCKET, SO_OOBINLINE, SolBool, "SO_OOBINLINE"),
        (AF_INET, SOL_SOCKET, SO_REUSEADDR, SolBool, "SO_REUSEADDR"),
        (
            AF_INET,
            SOL_SOCKET,
            SO_EXCLUSIVEADDRUSE,
            SolBool,
            "SO_EXCLUSIVEADDRUSE",
        ),
        (AF_INET, SOL_SOCKET, SO_KEEPALIVE, BoolLike, "SO_KEEPALIVE"),
        (AF_INET, SOL_SOCKET, SO_DONTROUTE, BoolLike, "SO_DONTROUTE"),
        (AF_INET, IPPROTO_TCP, TCP_NODELAY, BoolLike, "TCP_NODELAY"),
        (AF_INET, IPPROTO_IP, IP_TOS, BoolLike, "IP_TOS"),
        (AF_INET, IPPROTO_IP, IP_TTL, BoolLike, "IP_TTL"),
        (
            AF_INET6,
            IPPROTO_IPV6,
            IPV6_UNICAST_HOPS,
            BoolLike,
            "IPV6_UNICAST_HOPS",
        ),
        (AF_INET6, IPPROTO_IPV6, IPV6_V6ONLY, BoolLike, "IPV6_V6ONLY"),
        (AF_INET, SOL_SOCKET, SO_LINGER, Sized, "SO_LINGER"),
        (AF_INET, SOL_SOCKET, SO_RCVBUF, Sized, "SO_RCVBUF"),
        (AF_INET, SOL_SOCKET, SO_SNDBUF, Sized, "SO_SNDBUF"),
        (AF_INET, SOL_SOCKET, SO_RCVTIMEO, Sized, "SO_RCVTIMEO"),
        (AF_INET, SOL_SOCKET, SO_SNDTIMEO, Sized, "SO_SNDTIMEO"),
        (AF_INET, IPPROTO_TCP, TCP_KEEPALIVE, Sized, "TCP_KEEPALIVE"),
        (AF_INET, IPPROTO_TCP, TCP_KEEPCNT, Sized, "TCP_KEEPCNT"),
        (AF_INET, IPPROTO_TCP, TCP_KEEPINTVL, Sized, "TCP_KEEPINTVL"),
    ];
    common::run(move |ws| {
        for &(af, level, name, kind, label) in table {
            let s = ws.socket(af, SOCK_STREAM, IPPROTO_TCP)?;
            let mut empty = [0u8; 0];
            fails(
                ws,
                ws.getsockopt(s, level, name, &mut empty),
                WsaError::WSAEFAULT,
                label,
            );
            let r = ws.setsockopt(s, level, name, &[]);
            if kind == SolBool {
                assert_eq!(r, Ok(()), "{label}: setsockopt optlen 0");
            } else {
                fails(
                    ws,
                    r,
                    WsaError::WSAEFAULT,
                    &format!("{label}: setsockopt optlen 0"),
                );
            }
            for len in [1usize, 2] {
                let what = format!("{label}: optlen {len}");
                let mut buf = vec![0u8; len];
                let set = ws.setsockopt(s, level, name, &buf);
                let get = ws.getsockopt(s, level, name, &mut buf);
                if kind == Sized {
                    fails(ws, set, WsaError::WSAEFAULT, &format!("set {what}"));
                    fails(ws, get, WsaError::WSAEFAULT, &format!("get {what}"));
                } else {
                    assert_eq!(set, Ok(()), "set {what}");
                    assert!(get.is_ok(), "get {what}: {get:?}");
                }
            }
            let eight = [1u8, 0, 0, 0, 0, 0, 0, 0];
            assert_eq!(
                ws.setsockopt(s, level, name, &eight),
                Ok(()),
                "{label}: optlen 8"
            );
            assert_eq!(ws.wsa_get_last_error(), 0);
            ws.closesocket(s)?;
        }
        Ok(())
    });
}

#[test]
fn op_07_so_error_can_be_set_and_read() {
    // Proves: setsockopt(SO_ERROR, 1234) succeeds with last error 0 and getsockopt then reads
    // 1234 with last error 0; getsockopt(SO_ERROR) with optlen 1 is WSAEFAULT. (Connection
    // failures setting it: sel_08 in tests/nonblocking.rs.)
    common::run(|ws| {
        let s = tcp(ws)?;
        assert_eq!(
            ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?,
            0,
            "fresh socket"
        );
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        ws.setsockopt_i32(s, SOL_SOCKET, SO_ERROR, 1234)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?, 1234);
        assert_eq!(ws.wsa_get_last_error(), 0);
        let mut one = [0u8; 1];
        fails(
            ws,
            ws.getsockopt(s, SOL_SOCKET, SO_ERROR, &mut one),
            WsaError::WSAEFAULT,
            "optlen 1",
        );
        Ok(())
    });
}

#[test]
fn op_13_so_connect_time() {
    // Proves: SO_CONNECT_TIME is 0xFFFFFFFF on an unconnected TCP socket and on UDP (connected
    // or not), and 0
    // seconds on a freshly connected TCP socket (both ends), with optlen 4 and last error 0.
    common::run(|ws| {
        let s = tcp(ws)?;
        let mut b = [0u8; 4];
        assert_eq!(ws.getsockopt(s, SOL_SOCKET, SO_CONNECT_TIME, &mut b)?, 4);
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!(u32::from_le_bytes(b), 0xFFFF_FFFF, "unconnected TCP");
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(ws.getsockopt(u, SOL_SOCKET, SO_CONNECT_TIME, &mut b)?, 4);
        assert_eq!(u32::from_le_bytes(b), 0xFFFF_FFFF, "UDP");
        // A connected UDP socket is still "not connected" for SO_CONNECT_TIME.
        ws.connect(u, &SockAddr::v4([127, 0, 0, 1], 9))?;
        b = [0; 4];
        assert_eq!(ws.getsockopt(u, SOL_SOCKET, SO_CONNECT_TIME, &mut b)?, 4);
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!(u32::from_le_bytes(b), 0xFFFF_FFFF, "connected UDP");
        let (c, srv) = common::pair(ws)?;
        for end in [c, srv] {
            b = [0xab; 4];
            assert_eq!(ws.getsockopt(end, SOL_SOCKET, SO_CONNECT_TIME, &mut b)?, 4);
            assert_eq!(ws.wsa_get_last_error(), 0);
            assert_eq!(u32::from_le_bytes(b), 0, "freshly connected {end:?}");
        }
        Ok(())
    });
}

#[test]
fn keepalive_settings_round_trip() {
    // Proves: TCP_KEEPALIVE / TCP_KEEPCNT / TCP_KEEPINTVL start at Windows' defaults (7200 s,
    // 10, 1 s) and read back what was set; SO_DEBUG too.
    common::run(|ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        for (name, default, set) in [
            (TCP_KEEPALIVE, 7200, 30),
            (TCP_KEEPCNT, 10, 3),
            (TCP_KEEPINTVL, 1, 5),
        ] {
            assert_eq!(ws.getsockopt_i32(s, IPPROTO_TCP, name)?, default);
            ws.setsockopt_i32(s, IPPROTO_TCP, name, set)?;
            assert_eq!(ws.getsockopt_i32(s, IPPROTO_TCP, name)?, set);
        }
        ws.setsockopt_i32(s, SOL_SOCKET, SO_DEBUG, 1)?;
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_DEBUG)?, 1);
        Ok(())
    });
}

#[test]
fn so_linger_with_timeout_makes_closesocket_wait() {
    // Proves: SO_LINGER {1, n>0} with data still unacknowledged: a blocking closesocket waits
    // until the peer has taken it (then closes gracefully: the peer reads everything, then 0);
    // when the peer never reads, it gives up after n seconds and resets; a nonblocking socket
    // gets WSAEWOULDBLOCK and stays open.
    common::run(|ws| {
        // A reader that drains slowly: the close waits, then the peer sees all data and 0.
        let (c, s) = common::pair(ws)?;
        ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVBUF, 4096)?;
        ws.setsockopt(
            c,
            SOL_SOCKET,
            SO_LINGER,
            &Linger {
                onoff: 1,
                linger: 5,
            }
            .to_bytes(),
        )?;
        let data = vec![7u8; 200_000];
        ws.send(c, &data, 0)?;
        let reader = ws.create_thread("reader", move |ws| {
            ws.sleep(300);
            let got = common::recv_exact(ws, s, 200_000)?;
            assert_eq!(got.len(), 200_000);
            let mut b = [0u8; 1];
            assert_eq!(ws.recv(s, &mut b, 0)?, 0, "graceful close after the data");
            Ok(())
        })?;
        let t0 = ws.get_tick_count();
        ws.closesocket(c)?;
        let waited = ws.get_tick_count() - t0;
        assert!(
            (300..5000).contains(&waited),
            "closesocket waited {waited} ms"
        );
        ws.wait_for_thread(reader, INFINITE)?;

        // A peer that never reads: the close gives up after the linger time and resets.
        let (c, s) = common::pair(ws)?;
        ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVBUF, 4096)?;
        ws.setsockopt(
            c,
            SOL_SOCKET,
            SO_LINGER,
            &Linger {
                onoff: 1,
                linger: 2,
            }
            .to_bytes(),
        )?;
        ws.send(c, &data, 0)?;
        let t0 = ws.get_tick_count();
        ws.closesocket(c)?;
        assert_eq!(ws.get_tick_count() - t0, 2000);
        ws.sleep(10);
        let mut buf = vec![0u8; 8192];
        let r = loop {
            match ws.recv(s, &mut buf, 0) {
                Ok(0) => break Ok(0),
                Ok(_) => continue,
                Err(e) => break Err(e),
            }
        };
        assert_eq!(r, Err(WsaError::WSAECONNRESET));

        // Nonblocking: WSAEWOULDBLOCK, and the socket is still open.
        let (c, s) = common::pair(ws)?;
        ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVBUF, 4096)?;
        ws.setsockopt(
            c,
            SOL_SOCKET,
            SO_LINGER,
            &Linger {
                onoff: 1,
                linger: 2,
            }
            .to_bytes(),
        )?;
        ws.send(c, &data, 0)?;
        ws.set_nonblocking(c, true)?;
        assert_eq!(ws.closesocket(c), Err(WsaError::WSAEWOULDBLOCK));
        ws.getsockname(c)?;
        Ok(())
    });
}
