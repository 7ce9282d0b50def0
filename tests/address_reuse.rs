//! Address reuse (conformance OP-10, OP-11): SO_REUSEADDR, SO_EXCLUSIVEADDRUSE (sock.c's
//! IPv4 and dual-stack rows) and IPV6_V6ONLY's default and dual-stack binds. The other option
//! rules are in `sockopt.rs`.

mod common;

use common::{fails, tcp};

use winsock_sim::prelude::*;

#[test]
fn op_10_so_reuseaddr() {
    // Proves: SO_REUSEADDR defaults to 0; a SO_REUSEADDR bind onto a plain bind is WSAEACCES;
    // with SO_REUSEADDR on both, both bind and listen, new connections go to the first
    // listener and, after it closes, to the second; two plain INADDR_ANY binds conflict
    // (WSAEADDRINUSE); a wildcard listener and the loopback address on the same port coexist
    // (both orders).
    common::run(|ws| {
        let a = tcp(ws)?;
        assert_eq!(
            ws.getsockopt_i32(a, SOL_SOCKET, SO_REUSEADDR)?,
            0,
            "default"
        );
        ws.bind(a, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let addr = ws.getsockname(a)?;
        let b = tcp(ws)?;
        ws.setsockopt_i32(b, SOL_SOCKET, SO_REUSEADDR, 1)?;
        fails(
            ws,
            ws.bind(b, &addr),
            WsaError::WSAEACCES,
            "reuse onto a plain bind",
        );
        ws.closesocket(a)?;
        ws.closesocket(b)?;

        let l1 = tcp(ws)?;
        let l2 = tcp(ws)?;
        for l in [l1, l2] {
            ws.setsockopt_i32(l, SOL_SOCKET, SO_REUSEADDR, 1)?;
            assert_eq!(ws.getsockopt_i32(l, SOL_SOCKET, SO_REUSEADDR)?, 1);
        }
        let port_addr = SockAddr::v4([127, 0, 0, 1], 9200);
        ws.bind(l1, &port_addr)?;
        ws.bind(l2, &port_addr)?;
        ws.listen(l1, 5)?;
        ws.listen(l2, 5)?;
        ws.set_nonblocking(l1, true)?;
        ws.set_nonblocking(l2, true)?;
        let c1 = tcp(ws)?;
        ws.connect(c1, &port_addr)?;
        ws.sleep(10); // the handshake's last ACK reaches the listener
        fails(
            ws,
            ws.accept(l2),
            WsaError::WSAEWOULDBLOCK,
            "second listener gets nothing",
        );
        ws.accept(l1)?;
        ws.closesocket(l1)?;
        let c2 = tcp(ws)?;
        ws.connect(c2, &port_addr)?;
        ws.sleep(10);
        ws.accept(l2)?;

        let any1 = tcp(ws)?;
        ws.bind(any1, &SockAddr::v4([0, 0, 0, 0], 9201))?;
        let any2 = tcp(ws)?;
        fails(
            ws,
            ws.bind(any2, &SockAddr::v4([0, 0, 0, 0], 9201)),
            WsaError::WSAEADDRINUSE,
            "INADDR_ANY twice",
        );

        let w = tcp(ws)?;
        ws.bind(w, &SockAddr::v4([0, 0, 0, 0], 9202))?;
        ws.listen(w, 5)?;
        let specific = tcp(ws)?;
        ws.bind(specific, &SockAddr::v4([127, 0, 0, 1], 9202))?;
        let specific2 = tcp(ws)?;
        ws.bind(specific2, &SockAddr::v4([127, 0, 0, 1], 9203))?;
        ws.listen(specific2, 5)?;
        let w2 = tcp(ws)?;
        ws.bind(w2, &SockAddr::v4([0, 0, 0, 0], 9203))?;
        Ok(())
    });
}

/// One OP-11 row: first address and exclusive flag, second address and flag, outcome.
type Row = ([u8; 4], bool, [u8; 4], bool, Result<(), WsaError>);

#[test]
fn op_11_so_exclusiveaddruse_ipv4_rows() {
    // Proves: SO_REUSEADDR and SO_EXCLUSIVEADDRUSE exclude each other (WSAEINVAL), and the
    // IPv4 two-socket bind outcomes of Windows' table.
    common::run(|ws| {
        let s = tcp(ws)?;
        ws.setsockopt_i32(s, SOL_SOCKET, SO_REUSEADDR, 1)?;
        fails(
            ws,
            ws.setsockopt_i32(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1),
            WsaError::WSAEINVAL,
            "exclusive while reuse",
        );
        let t = tcp(ws)?;
        ws.setsockopt_i32(t, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1)?;
        fails(
            ws,
            ws.setsockopt_i32(t, SOL_SOCKET, SO_REUSEADDR, 1),
            WsaError::WSAEINVAL,
            "reuse while exclusive",
        );

        const ANY: [u8; 4] = [0, 0, 0, 0];
        const LO: [u8; 4] = [127, 0, 0, 1];
        // (first address, first exclusive, second address, second exclusive, outcome)
        let rows: &[Row] = &[
            (ANY, true, LO, false, Err(WsaError::WSAEACCES)),
            (ANY, false, LO, true, Ok(())),
            (ANY, true, LO, true, Err(WsaError::WSAEACCES)),
            (LO, true, ANY, false, Ok(())),
            (LO, false, ANY, true, Err(WsaError::WSAEADDRINUSE)),
            (LO, true, LO, false, Err(WsaError::WSAEADDRINUSE)),
            (LO, false, LO, true, Err(WsaError::WSAEADDRINUSE)),
            (ANY, false, ANY, true, Err(WsaError::WSAEADDRINUSE)),
            (ANY, false, ANY, false, Err(WsaError::WSAEADDRINUSE)),
        ];
        for (i, &(a1, x1, a2, x2, want)) in rows.iter().enumerate() {
            let port = 9300 + i as u16;
            let first = tcp(ws)?;
            let second = tcp(ws)?;
            ws.setsockopt_i32(first, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, i32::from(x1))?;
            ws.setsockopt_i32(second, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, i32::from(x2))?;
            ws.bind(first, &SockAddr::v4(a1, port))?;
            let got = ws.bind(second, &SockAddr::v4(a2, port));
            assert_eq!(got, want, "row {i}: {a1:?} excl={x1} then {a2:?} excl={x2}");
            ws.closesocket(first)?;
            ws.closesocket(second)?;
        }
        Ok(())
    });
}

/// An address of the dual-stack OP-11 rows.
#[derive(Debug, Clone, Copy)]
enum A {
    /// 0.0.0.0 on an AF_INET socket.
    Any4,
    /// 127.0.0.1 on an AF_INET socket.
    Lo4,
    /// [::] on an AF_INET6 socket.
    Any6,
    /// [::1] on an AF_INET6 socket.
    Lo6,
    /// [::ffff:127.0.0.1] on an AF_INET6 socket.
    MappedLo,
    /// [::ffff:0.0.0.0] on an AF_INET6 socket.
    MappedAny,
}

impl A {
    fn family(self) -> i32 {
        match self {
            A::Any4 | A::Lo4 => AF_INET,
            _ => AF_INET6,
        }
    }

    fn addr(self, port: u16) -> SockAddr {
        match self {
            A::Any4 => SockAddr::v4([0, 0, 0, 0], port),
            A::Lo4 => SockAddr::v4([127, 0, 0, 1], port),
            A::Any6 => SockAddr::v6([0; 8], port),
            A::Lo6 => SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], port),
            A::MappedLo => SockAddr::v6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1], port),
            A::MappedAny => SockAddr::v6([0, 0, 0, 0, 0, 0xffff, 0, 0], port),
        }
    }
}

/// One dual-stack OP-11 row: first address and exclusive flag, second ones, outcome.
type DualRow = (A, bool, A, bool, Result<(), WsaError>);

#[test]
fn op_11_so_exclusiveaddruse_dual_stack_rows() {
    // Proves: the IPv6 rows of Windows' tests_exclusive table (sock.c test_reuseaddr), where
    // every AF_INET6 socket has IPV6_V6ONLY turned off first: a dual-stack [::] shares the
    // IPv4 port space as a wildcard below 0.0.0.0, v4-mapped addresses bind and count as the
    // IPv4 address they carry, and [::1] does not touch the IPv4 space.
    use A::*;
    let rows: &[DualRow] = &[
        (Any6, true, Lo4, false, Err(WsaError::WSAEACCES)),
        (Lo4, false, Any6, true, Err(WsaError::WSAEADDRINUSE)),
        (Lo6, false, Any4, true, Ok(())),
        (Lo6, true, Lo4, true, Ok(())),
        (MappedLo, false, Any4, true, Err(WsaError::WSAEADDRINUSE)),
        (Any6, true, Any4, false, Err(WsaError::WSAEACCES)),
        (Any6, false, Any4, true, Ok(())),
        (Any6, false, Any4, false, Ok(())),
        (MappedAny, false, Any4, false, Err(WsaError::WSAEADDRINUSE)),
        (MappedLo, false, Lo4, false, Err(WsaError::WSAEADDRINUSE)),
        (Lo4, false, MappedLo, false, Err(WsaError::WSAEADDRINUSE)),
    ];
    common::run(move |ws| {
        for (i, &(a1, x1, a2, x2, want)) in rows.iter().enumerate() {
            let port = 9400 + i as u16;
            let mut socks = Vec::new();
            for (a, x) in [(a1, x1), (a2, x2)] {
                let s = ws.socket(a.family(), SOCK_STREAM, IPPROTO_TCP)?;
                if x {
                    ws.setsockopt_i32(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1)?;
                }
                if a.family() == AF_INET6 {
                    ws.setsockopt_i32(s, IPPROTO_IPV6, IPV6_V6ONLY, 0)?;
                }
                socks.push(s);
            }
            ws.bind(socks[0], &a1.addr(port))?;
            let got = ws.bind(socks[1], &a2.addr(port));
            assert_eq!(got, want, "row {i}: {a1:?} excl={x1} then {a2:?} excl={x2}");
            for s in socks {
                ws.closesocket(s)?;
            }
        }
        Ok(())
    });
}

#[test]
fn op_11_ipv6only_default_and_dual_stack_bind() {
    // Proves (sock.c test_ipv6only): IPV6_V6ONLY defaults to 1 on AF_INET6 sockets, so [::]
    // and 0.0.0.0 on one port coexist; it is also kept on AF_INET sockets (reads 1, can be
    // turned off before bind) and cannot change once the socket is bound; an exclusive
    // dual-stack [::] makes a SO_REUSEADDR bind of 0.0.0.0 on its port fail with WSAEACCES.
    common::run(|ws| {
        let v6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.getsockopt_i32(v6, IPPROTO_IPV6, IPV6_V6ONLY)?, 1);
        ws.bind(v6, &SockAddr::v6([0; 8], 9500))?;
        let v4 = tcp(ws)?;
        assert_eq!(ws.getsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY)?, 1);
        ws.setsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY, 0)?;
        assert_eq!(ws.getsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY)?, 0);
        ws.setsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY, 1)?;
        ws.bind(v4, &SockAddr::v4([0, 0, 0, 0], 9500))?;
        for v in [0, 1] {
            assert!(
                ws.setsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY, v).is_err(),
                "set {v} after bind"
            );
        }
        assert_eq!(ws.getsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY)?, 1);
        ws.closesocket(v4)?;
        ws.closesocket(v6)?;

        let v6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        ws.setsockopt_i32(v6, IPPROTO_IPV6, IPV6_V6ONLY, 0)?;
        assert_eq!(ws.getsockopt_i32(v6, IPPROTO_IPV6, IPV6_V6ONLY)?, 0);
        ws.setsockopt_i32(v6, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1)?;
        ws.bind(v6, &SockAddr::v6([0; 8], 9502))?;
        assert_eq!(ws.getsockopt_i32(v6, IPPROTO_IPV6, IPV6_V6ONLY)?, 0);
        let v4 = tcp(ws)?;
        ws.setsockopt_i32(v4, SOL_SOCKET, SO_REUSEADDR, 1)?;
        fails(
            ws,
            ws.bind(v4, &SockAddr::v4([0, 0, 0, 0], 9502)),
            WsaError::WSAEACCES,
            "0.0.0.0 under an exclusive dual-stack [::]",
        );
        Ok(())
    });
}
