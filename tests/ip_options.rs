//! IP and IPv6 socket options (conformance OP-05): per row of sock.c's test_optsize table the
//! lengths each option takes and the values it reads back, and IP_MULTICAST_TTL's short values.
//! The other option rules are in `sockopt.rs`.
//!
//! The multicast memberships are tested in `multicast.rs`, and the receive options
//! (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS and their IPv6 counterparts) through WSARecvMsg in
//! `recv_msg.rs`; here they are set and read back.

mod common;

use common::fails;

use winsock_sim::prelude::*;

#[test]
fn op_05_ip_option_sizes_and_values() {
    // Proves, per row of sock.c's test_optsize table (IP, IPv6 and TCP options, datagram
    // sockets where the table uses them): optlen 0 is WSAEFAULT for get and set; an 8-byte
    // set works and an 8-byte get returns the option's size; the value 0x100 is refused with
    // WSAEINVAL by the TTL-like options and TCP_KEEPCNT, and otherwise reads back as 1
    // (booleans), 0 (one-byte options) or 0x100; lengths 1, 2 and 4 work (returning the
    // listed size, with the value in the bytes written) for options that take short
    // buffers, while 4-byte options refuse 1 and 2 with WSAEFAULT (set and get).
    struct R {
        af: i32,
        ty: i32,
        level: i32,
        name: i32,
        short: bool,
        sizes: [usize; 3],
        large: bool,
        boolean: bool,
        label: &'static str,
    }
    let (tcp4, udp4, tcp6, udp6) = (
        (AF_INET, SOCK_STREAM),
        (AF_INET, SOCK_DGRAM),
        (AF_INET6, SOCK_STREAM),
        (AF_INET6, SOCK_DGRAM),
    );
    let t = |(af, ty): (i32, i32), level, name, short, sizes, large, boolean, label| R {
        af,
        ty,
        level,
        name,
        short,
        sizes,
        large,
        boolean,
        label,
    };
    let rows = [
        t(
            tcp4,
            SOL_SOCKET,
            SO_KEEPALIVE,
            true,
            [1, 1, 1],
            true,
            false,
            "SO_KEEPALIVE",
        ),
        t(
            tcp4,
            IPPROTO_TCP,
            TCP_NODELAY,
            true,
            [1, 1, 1],
            true,
            false,
            "TCP_NODELAY",
        ),
        t(
            tcp4,
            IPPROTO_TCP,
            TCP_KEEPCNT,
            false,
            [0, 0, 4],
            false,
            false,
            "TCP_KEEPCNT",
        ),
        t(
            udp4,
            IPPROTO_IP,
            IP_MULTICAST_LOOP,
            true,
            [1, 1, 4],
            true,
            true,
            "IP_MULTICAST_LOOP",
        ),
        t(
            udp4,
            IPPROTO_IP,
            IP_MULTICAST_TTL,
            true,
            [1, 1, 4],
            false,
            false,
            "IP_MULTICAST_TTL",
        ),
        t(
            udp4,
            IPPROTO_IP,
            IP_PKTINFO,
            false,
            [0, 0, 4],
            true,
            true,
            "IP_PKTINFO",
        ),
        t(
            udp4,
            IPPROTO_IP,
            IP_RECVTOS,
            false,
            [0, 0, 4],
            true,
            true,
            "IP_RECVTOS",
        ),
        t(
            udp4,
            IPPROTO_IP,
            IP_RECVTTL,
            false,
            [0, 0, 4],
            true,
            true,
            "IP_RECVTTL",
        ),
        t(
            udp4,
            IPPROTO_IP,
            IP_TOS,
            true,
            [1, 1, 4],
            false,
            false,
            "IP_TOS",
        ),
        t(
            udp4,
            IPPROTO_IP,
            IP_TTL,
            true,
            [1, 1, 4],
            false,
            false,
            "IP_TTL",
        ),
        t(
            tcp6,
            IPPROTO_IPV6,
            IPV6_DONTFRAG,
            true,
            [1, 1, 4],
            true,
            true,
            "IPV6_DONTFRAG",
        ),
        t(
            udp6,
            IPPROTO_IPV6,
            IPV6_HOPLIMIT,
            false,
            [0, 0, 4],
            true,
            true,
            "IPV6_HOPLIMIT",
        ),
        t(
            udp6,
            IPPROTO_IPV6,
            IPV6_MULTICAST_HOPS,
            true,
            [1, 1, 4],
            false,
            false,
            "IPV6_MULTICAST_HOPS",
        ),
        t(
            udp6,
            IPPROTO_IPV6,
            IPV6_MULTICAST_LOOP,
            true,
            [1, 1, 4],
            true,
            true,
            "IPV6_MULTICAST_LOOP",
        ),
        t(
            udp6,
            IPPROTO_IPV6,
            IPV6_PKTINFO,
            false,
            [0, 0, 4],
            true,
            true,
            "IPV6_PKTINFO",
        ),
        t(
            udp6,
            IPPROTO_IPV6,
            IPV6_RECVTCLASS,
            false,
            [0, 0, 4],
            true,
            true,
            "IPV6_RECVTCLASS",
        ),
        t(
            udp6,
            IPPROTO_IPV6,
            IPV6_UNICAST_HOPS,
            true,
            [1, 1, 4],
            false,
            false,
            "IPV6_UNICAST_HOPS",
        ),
        t(
            udp6,
            IPPROTO_IPV6,
            IPV6_V6ONLY,
            true,
            [1, 1, 1],
            true,
            false,
            "IPV6_V6ONLY",
        ),
    ];
    common::run(move |ws| {
        for row in &rows {
            let R {
                af,
                ty,
                level,
                name,
                label,
                ..
            } = *row;
            let proto = if ty == SOCK_STREAM {
                IPPROTO_TCP
            } else {
                IPPROTO_UDP
            };
            let s = ws.socket(af, ty, proto)?;
            let mut b8 = [0u8; 8];
            ws.getsockopt(s, level, name, &mut b8[..4])?;
            let mut empty = [0u8; 0];
            fails(
                ws,
                ws.getsockopt(s, level, name, &mut empty),
                WsaError::WSAEFAULT,
                label,
            );
            fails(
                ws,
                ws.setsockopt(s, level, name, &[]),
                WsaError::WSAEFAULT,
                label,
            );

            let v64 = 0xffff_ffff_0000_0001_u64.to_le_bytes();
            assert_eq!(
                ws.setsockopt(s, level, name, &v64),
                Ok(()),
                "{label}: optlen 8"
            );
            assert_eq!(ws.wsa_get_last_error(), 0);
            assert_eq!(
                ws.getsockopt(s, level, name, &mut b8)?,
                row.sizes[2],
                "{label}: get 8"
            );

            let set = ws.setsockopt(s, level, name, &0x100_u32.to_le_bytes());
            if row.large {
                assert_eq!(set, Ok(()), "{label}: 0x100");
                let mut b = 0xdead_beef_u32.to_le_bytes();
                let n = ws.getsockopt(s, level, name, &mut b)?;
                assert_eq!(n, row.sizes[2], "{label}: size after 0x100");
                let want = if n == 1 {
                    0xdead_be00
                } else if row.boolean {
                    1
                } else {
                    0x100
                };
                assert_eq!(u32::from_le_bytes(b), want, "{label}: value after 0x100");
            } else {
                fails(ws, set, WsaError::WSAEINVAL, &format!("{label}: 0x100"));
            }

            for (j, len) in [1usize, 2, 4].into_iter().enumerate() {
                let what = format!("{label}: optlen {len}");
                let set = ws.setsockopt(s, level, name, &1u32.to_le_bytes()[..len]);
                let mut b = 0xdead_beef_u32.to_le_bytes();
                let get = ws.getsockopt(s, level, name, &mut b[..len]);
                if row.short || len == 4 {
                    assert_eq!(set, Ok(()), "set {what}");
                    let n = get.unwrap_or_else(|e| panic!("get {what}: {e:?}"));
                    assert_eq!(n, row.sizes[j], "size {what}");
                    let mut want = 0xdead_beef_u32.to_le_bytes();
                    want[..n].copy_from_slice(&1u32.to_le_bytes()[..n]);
                    assert_eq!(b, want, "value {what}");
                } else {
                    fails(ws, set, WsaError::WSAEFAULT, &format!("set {what}"));
                    fails(ws, get, WsaError::WSAEFAULT, &format!("get {what}"));
                }
            }
            ws.closesocket(s)?;
        }
        Ok(())
    });
}

#[test]
fn op_05_ip_multicast_ttl_takes_short_values() {
    // Proves (sock.c test_set_getsockopt): IP_MULTICAST_TTL set with 1, 2, 3 and 4 bytes of
    // 0xffffff0a, 0xffff000b, 0xff00000c and 0x0000000d reads back 0x0a, 0x0b, 0x0c, 0x0d.
    common::run(|ws| {
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        for (len, v, want) in [
            (1, 0xffff_ff0a_u32, 0x0a),
            (2, 0xffff_000b, 0x0b),
            (3, 0xff00_000c, 0x0c),
            (4, 0x0000_000d, 0x0d),
        ] {
            ws.setsockopt(u, IPPROTO_IP, IP_MULTICAST_TTL, &v.to_le_bytes()[..len])?;
            assert_eq!(ws.getsockopt_i32(u, IPPROTO_IP, IP_MULTICAST_TTL)?, want);
        }
        Ok(())
    });
}
