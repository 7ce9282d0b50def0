//! Invalid option levels and names (conformance OP-08): which of WSAEINVAL and
//! WSAENOPROTOOPT getsockopt / setsockopt give for unknown levels, unknown names and options
//! of the wrong socket type. The other option rules are in `sockopt.rs`.
//!
//! Not expressible through the safe API (not tested): a value passed instead of a pointer
//! (OP-08). Raw sockets are out of scope: `socket(…, SOCK_RAW, …)` gives WSAEACCES (no
//! administrator rights), so IP_HDRINCL and IPV6_HDRINCL (raw-socket options) are only seen
//! failing with WSAEINVAL on TCP and UDP sockets, as Windows (Vista and later) fails them
//! there.

mod common;

use common::{fails, tcp};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// On the UDP socket `u`, `getsockopt_i32(u, level, name)` reads `value` for each
/// `(name, value)` of `want`; `level_name` names `level` in the messages.
fn udp_options_read(
    ws: &SimWinsock,
    u: Socket,
    level: i32,
    level_name: &str,
    want: &[(i32, i32)],
) -> Result<(), WsaError> {
    for &(name, value) in want {
        let what = format!("{level_name} {name} on UDP");
        assert_eq!(ws.getsockopt_i32(u, level, name)?, value, "{what}");
    }
    Ok(())
}

#[test]
fn op_08_invalid_levels_and_option_names() {
    // Proves: unknown levels give WSAEINVAL (not WSAENOPROTOOPT) for getsockopt (five levels)
    // and setsockopt (two); option -1 at IPPROTO_IP / IPPROTO_IPV6 and reading
    // IP_ADD/DROP_MEMBERSHIP give WSAENOPROTOOPT; on TCP, reading the datagram-only IP options
    // and IP_HDRINCL gives WSAEINVAL, and setting IP_HDRINCL too, with the value untouched.
    common::run(|ws| {
        let s = tcp(ws)?;
        let mut v = [0xab_u8; 4];
        for level in [0xffff_ffff_u32, 0x1234_ffff, 0x8000_ffff, 0x8000, 0x800] {
            let level = level as i32;
            let what = format!("getsockopt level {level:#x}");
            fails(
                ws,
                ws.getsockopt(s, level, SO_ERROR, &mut v),
                WsaError::WSAEINVAL,
                &what,
            );
        }
        for level in [0xffff_ffff_u32, 0x8000] {
            let level = level as i32;
            let what = format!("setsockopt level {level:#x}");
            fails(
                ws,
                ws.setsockopt(s, level, SO_ERROR, &[0; 4]),
                WsaError::WSAEINVAL,
                &what,
            );
        }
        fails(
            ws,
            ws.getsockopt(s, IPPROTO_IP, -1, &mut v),
            WsaError::WSAENOPROTOOPT,
            "IP -1",
        );
        let s6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        fails(
            ws,
            ws.getsockopt(s6, IPPROTO_IPV6, -1, &mut v),
            WsaError::WSAENOPROTOOPT,
            "IPV6 -1",
        );
        let mut mreq = [0u8; 8];
        for name in [IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP] {
            let what = format!("read IPPROTO_IP {name}");
            fails(
                ws,
                ws.getsockopt(s, IPPROTO_IP, name, &mut mreq),
                WsaError::WSAENOPROTOOPT,
                &what,
            );
        }
        for name in [
            IP_MULTICAST_IF,
            IP_MULTICAST_TTL,
            IP_MULTICAST_LOOP,
            IP_PKTINFO,
            IP_RECVTTL,
            IP_RECVTOS,
            IP_HDRINCL,
        ] {
            let what = format!("read IPPROTO_IP {name} on TCP");
            v = [0xab; 4];
            fails(
                ws,
                ws.getsockopt(s, IPPROTO_IP, name, &mut v),
                WsaError::WSAEINVAL,
                &what,
            );
            assert_eq!(v, [0xab; 4], "{what}: value untouched");
        }
        fails(
            ws,
            ws.setsockopt_i32(s, IPPROTO_IP, IP_HDRINCL, 1),
            WsaError::WSAEINVAL,
            "set IP_HDRINCL on TCP",
        );

        // The datagram-only options work on UDP (defaults: multicast TTL 1, loopback on,
        // interface 0, the receive options off); IP_HDRINCL does not (raw sockets only).
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        udp_options_read(
            ws,
            u,
            IPPROTO_IP,
            "IPPROTO_IP",
            &[
                (IP_MULTICAST_IF, 0),
                (IP_MULTICAST_TTL, 1),
                (IP_MULTICAST_LOOP, 1),
                (IP_PKTINFO, 0),
                (IP_RECVTTL, 0),
                (IP_RECVTOS, 0),
            ],
        )?;
        ws.setsockopt_i32(u, IPPROTO_IP, IP_MULTICAST_IF, 0x0100_007f)?;
        assert_eq!(
            ws.getsockopt_i32(u, IPPROTO_IP, IP_MULTICAST_IF)?,
            0x0100_007f
        );
        for name in [IP_PKTINFO, IP_RECVTTL, IP_RECVTOS] {
            ws.setsockopt_i32(u, IPPROTO_IP, name, 1)?;
            assert_eq!(ws.getsockopt_i32(u, IPPROTO_IP, name)?, 1, "{name} set");
        }
        ws.setsockopt_i32(u, IPPROTO_IP, IP_MULTICAST_LOOP, 0)?;
        assert_eq!(ws.getsockopt_i32(u, IPPROTO_IP, IP_MULTICAST_LOOP)?, 0);
        v = [0xab; 4];
        fails(
            ws,
            ws.getsockopt(u, IPPROTO_IP, IP_HDRINCL, &mut v),
            WsaError::WSAEINVAL,
            "read IP_HDRINCL on UDP",
        );
        assert_eq!(v, [0xab; 4], "IP_HDRINCL on UDP: value untouched");
        fails(
            ws,
            ws.setsockopt_i32(u, IPPROTO_IP, IP_HDRINCL, 1),
            WsaError::WSAEINVAL,
            "set IP_HDRINCL on UDP",
        );

        // Their IPv6 counterparts on an AF_INET6 UDP socket.
        let u6 = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        for (s6, what) in [(u6, "UDP"), (ws.socket(AF_INET6, SOCK_STREAM, 0)?, "TCP")] {
            v = [0xab; 4];
            fails(
                ws,
                ws.getsockopt(s6, IPPROTO_IPV6, IPV6_HDRINCL, &mut v),
                WsaError::WSAEINVAL,
                &format!("read IPV6_HDRINCL on {what}"),
            );
            assert_eq!(v, [0xab; 4], "IPV6_HDRINCL on {what}: value untouched");
            fails(
                ws,
                ws.setsockopt_i32(s6, IPPROTO_IPV6, IPV6_HDRINCL, 1),
                WsaError::WSAEINVAL,
                &format!("set IPV6_HDRINCL on {what}"),
            );
        }
        udp_options_read(
            ws,
            u6,
            IPPROTO_IPV6,
            "IPPROTO_IPV6",
            &[
                (IPV6_MULTICAST_IF, 0),
                (IPV6_MULTICAST_HOPS, 1),
                (IPV6_MULTICAST_LOOP, 1),
                (IPV6_PKTINFO, 0),
                (IPV6_HOPLIMIT, 0),
                (IPV6_RECVTCLASS, 0),
                (IPV6_DONTFRAG, 0),
            ],
        )?;

        // IP_DONTFRAGMENT: off by default on UDP, on for TCP; any non-zero value sets it
        // (sock.c test_set_getsockopt's IP_DONTFRAGMENT loop).
        assert_eq!(ws.getsockopt_i32(u, IPPROTO_IP, IP_DONTFRAGMENT)?, 0);
        ws.setsockopt_i32(u, IPPROTO_IP, IP_DONTFRAGMENT, 0xdead)?;
        assert_eq!(ws.getsockopt_i32(u, IPPROTO_IP, IP_DONTFRAGMENT)?, 1);
        assert_eq!(ws.getsockopt_i32(s, IPPROTO_IP, IP_DONTFRAGMENT)?, 1);
        ws.setsockopt_i32(s, IPPROTO_IP, IP_DONTFRAGMENT, 0)?;
        assert_eq!(ws.getsockopt_i32(s, IPPROTO_IP, IP_DONTFRAGMENT)?, 0);
        let t6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.getsockopt_i32(t6, IPPROTO_IPV6, IPV6_DONTFRAG)?, 1);
        Ok(())
    });
}
