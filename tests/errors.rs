//! Errors and bad input: conformance rules ER-* and the values of SOCKET handles (Windows'
//! behaviour, run against the simulator through the public API). One test per WinSock error
//! code the core calls produce, each proving the situation that gives it, is in
//! `error_codes.rs`.
//!
//! Not covered here: gethostbyname (ER-01, not in the API); WSADuplicateSocket's errors
//! (tests/sockc_test_wsaduplicatesocket.rs), WSASendMsg, TransmitFile and WSAPoll-only entries
//! (their own files); SO_PROTOCOL_INFO of ER-03's sockets (tests/sockc_test_wsasocket.rs: here
//! the family is checked with bind/getsockname); ER-10/ER-11/ER-12 live in tests/udp.rs,
//! tests/disconnect_ex.rs and tests/wsa_ioctl.rs. NULL pointers and negative lengths cannot be
//! expressed through the safe API, so only the short-length forms of WSAEFAULT are checked.
mod common;

use common::{fails, tcp};

use winsock_sim::api::SOCKADDR_IN_LEN;
use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

const LOOPBACK: [u8; 4] = [127, 0, 0, 1];

// ---------------------------------------------------------------------------------------------
// ER rules
// ---------------------------------------------------------------------------------------------

#[test]
fn er_01_calls_before_wsastartup_fail_with_wsanotinitialised() {
    // Proves: socket() on a thread of a process that never called WSAStartup fails with
    // WSANOTINITIALISED (10093), and WSAGetLastError reports it.
    let mut sim = Sim::builder().seed(common::seed()).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", |ws| {
        fails(
            ws,
            tcp(ws),
            WsaError::WSANOTINITIALISED,
            "socket before WSAStartup",
        );
        assert_eq!(ws.wsa_get_last_error(), 10093);
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn er_03_socket_parameter_validation() {
    // Proves: socket() maps each bad (family, type, protocol) triple to the error Windows
    // gives, resolves type/protocol 0 to the matching default, and sets last error 0 on success.
    common::run(|ws| {
        const BAD: i32 = 0xdead;
        use WsaError::*;
        let bad: &[(i32, i32, i32, WsaError)] = &[
            (BAD, SOCK_STREAM, 0, WSAEAFNOSUPPORT),
            (-1, SOCK_STREAM, 0, WSAEAFNOSUPPORT),
            (AF_INET, BAD, 0, WSAESOCKTNOSUPPORT),
            (AF_INET, SOCK_STREAM, BAD, WSAEPROTONOSUPPORT),
            (BAD, BAD, IPPROTO_TCP, WSAESOCKTNOSUPPORT),
            (BAD, SOCK_STREAM, BAD, WSAEAFNOSUPPORT),
            (AF_INET, BAD, BAD, WSAESOCKTNOSUPPORT),
            (AF_INET, SOCK_STREAM, IPPROTO_UDP, WSAEPROTONOSUPPORT),
            (AF_INET, SOCK_DGRAM, IPPROTO_TCP, WSAEPROTONOSUPPORT),
            (AF_INET, 0, BAD, WSAEPROTONOSUPPORT),
            (AF_UNSPEC, SOCK_STREAM, 0, WSAEINVAL),
            (AF_UNSPEC, SOCK_DGRAM, 0, WSAEINVAL),
            (AF_UNSPEC, BAD, 0, WSAEINVAL),
            (AF_UNSPEC, 0, 0, WSAEINVAL),
            (AF_UNSPEC, SOCK_STREAM, BAD, WSAEPROTONOSUPPORT),
            (AF_UNSPEC, 0, BAD, WSAEPROTONOSUPPORT),
            (AF_UNSPEC, BAD, IPPROTO_UDP, WSAESOCKTNOSUPPORT),
        ];
        for &(af, ty, proto, want) in bad {
            let what = format!("socket({af:#x}, {ty:#x}, {proto:#x})");
            fails(ws, ws.socket(af, ty, proto), want, &what);
        }
        // Successful triples and the type they resolve to (read back with SO_TYPE).
        let good: &[(i32, i32, i32, i32)] = &[
            (AF_INET, 0, 0, SOCK_STREAM),
            (AF_INET, SOCK_STREAM, 0, SOCK_STREAM),
            (AF_INET, SOCK_DGRAM, 0, SOCK_DGRAM),
            (AF_INET, 0, IPPROTO_TCP, SOCK_STREAM),
            (AF_INET, 0, IPPROTO_UDP, SOCK_DGRAM),
            (AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, SOCK_STREAM),
            (AF_UNSPEC, 0, IPPROTO_TCP, SOCK_STREAM),
            (AF_UNSPEC, 0, IPPROTO_UDP, SOCK_DGRAM),
        ];
        for &(af, ty, proto, want_ty) in good {
            let what = format!("socket({af:#x}, {ty:#x}, {proto:#x})");
            ws.wsa_set_last_error(0xdead_beef_u32 as i32);
            let s = ws
                .socket(af, ty, proto)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(
                ws.wsa_get_last_error(),
                0,
                "{what}: last error after success"
            );
            assert_eq!(
                ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE)?,
                want_ty,
                "{what}: SO_TYPE"
            );
            // The family: an AF_INET socket binds an IPv4 address and names it AF_INET.
            ws.bind(s, &SockAddr::v4([0, 0, 0, 0], 0))
                .unwrap_or_else(|e| panic!("{what}: bind 0.0.0.0: {e}"));
            assert_eq!(ws.getsockname(s)?.family(), AF_INET, "{what}: family");
            ws.closesocket(s)?;
        }
        Ok(())
    });
}

#[test]
fn er_04_listen_preconditions() {
    // Proves: listen() on handle 0 / 0xdeadbeef is WSAENOTSOCK, on a UDP socket WSAEOPNOTSUPP,
    // on an unbound TCP socket WSAEINVAL for any backlog, and listening twice succeeds.
    common::run(|ws| {
        fails(
            ws,
            ws.listen(Socket::from_raw(0), 1),
            WsaError::WSAENOTSOCK,
            "listen(0)",
        );
        fails(
            ws,
            ws.listen(Socket::from_raw(0xdead_beef), 1),
            WsaError::WSAENOTSOCK,
            "listen(0xdeadbeef)",
        );
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        fails(ws, ws.listen(u, 1), WsaError::WSAEOPNOTSUPP, "listen(UDP)");
        let s = tcp(ws)?;
        for backlog in [-2, 1, SOMAXCONN] {
            fails(
                ws,
                ws.listen(s, backlog),
                WsaError::WSAEINVAL,
                "listen(unbound)",
            );
        }
        ws.bind(s, &SockAddr::v4(LOOPBACK, 0))?;
        ws.listen(s, 0)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        ws.listen(s, SOMAXCONN)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        Ok(())
    });
}

#[test]
fn er_05_bind_errors() {
    // Proves: bind() rejects short addresses (WSAEFAULT), a foreign family (WSAEAFNOSUPPORT),
    // an address not on the host (WSAEADDRNOTAVAIL, TCP and UDP), a second bind (WSAEINVAL)
    // and a taken address:port (WSAEADDRINUSE, also while the first socket listens).
    common::run(|ws| {
        let good = SockAddr::v4(LOOPBACK, 0);
        let s = tcp(ws)?;
        fails(
            ws,
            ws.bind(s, &SockAddr::from_bytes(&[])),
            WsaError::WSAEFAULT,
            "len 0",
        );
        let short = SockAddr::from_bytes(&good.as_bytes()[..SOCKADDR_IN_LEN - 1]);
        fails(ws, ws.bind(s, &short), WsaError::WSAEFAULT, "len sizeof-1");
        let mut foreign = good.as_bytes().to_vec();
        foreign[0..2].copy_from_slice(&0xdead_u16.to_le_bytes());
        fails(
            ws,
            ws.bind(s, &SockAddr::from_bytes(&foreign)),
            WsaError::WSAEAFNOSUPPORT,
            "family 0xdead",
        );
        let not_ours = SockAddr::v4([192, 0, 2, 0], 0);
        fails(
            ws,
            ws.bind(s, &not_ours),
            WsaError::WSAEADDRNOTAVAIL,
            "TCP 192.0.2.0",
        );
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        fails(
            ws,
            ws.bind(u, &not_ours),
            WsaError::WSAEADDRNOTAVAIL,
            "UDP 192.0.2.0",
        );

        ws.bind(s, &good)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        fails(ws, ws.bind(s, &good), WsaError::WSAEINVAL, "bind twice");
        let taken = ws.getsockname(s)?;
        let s2 = tcp(ws)?;
        fails(
            ws,
            ws.bind(s2, &taken),
            WsaError::WSAEADDRINUSE,
            "same address:port",
        );
        ws.listen(s, 1)?;
        let s3 = tcp(ws)?;
        fails(
            ws,
            ws.bind(s3, &taken),
            WsaError::WSAEADDRINUSE,
            "same as a listener",
        );
        Ok(())
    });
}

#[test]
fn er_09_invalid_handles_give_wsaenotsock() {
    // Proves: listen on 0 / 0xdeadbeef, getsockopt on a closed socket (value untouched),
    // getpeername, send, WSASend (plain and overlapped), WSASendTo, AcceptEx, ConnectEx and
    // DisconnectEx on INVALID_SOCKET, and WSAGetOverlappedResult on an unknown handle all
    // fail with WSAENOTSOCK.
    common::run(|ws| {
        for raw in [0, 0xdead_beef] {
            fails(
                ws,
                ws.listen(Socket::from_raw(raw), 1),
                WsaError::WSAENOTSOCK,
                "listen",
            );
        }
        let s = tcp(ws)?;
        ws.closesocket(s)?;
        let mut v = [0xab_u8; 4];
        fails(
            ws,
            ws.getsockopt(s, SOL_SOCKET, SO_RCVBUF, &mut v),
            WsaError::WSAENOTSOCK,
            "getsockopt on a closed socket",
        );
        assert_eq!(v, [0xab; 4], "value untouched");
        fails(
            ws,
            ws.getpeername(Socket::INVALID),
            WsaError::WSAENOTSOCK,
            "getpeername",
        );
        fails(
            ws,
            ws.send(Socket::INVALID, b"x", 0),
            WsaError::WSAENOTSOCK,
            "send",
        );
        let bad = Socket::INVALID;
        let ov = Overlapped::new(9);
        let to = SockAddr::v4(LOOPBACK, 9);
        fails(
            ws,
            ws.wsa_send(bad, &[b"x"], 0),
            WsaError::WSAENOTSOCK,
            "WSASend",
        );
        fails(
            ws,
            ws.wsa_send_overlapped(bad, vec![b"x".to_vec()], 0, ov, None),
            WsaError::WSAENOTSOCK,
            "overlapped WSASend",
        );
        fails(
            ws,
            ws.wsa_send_to(bad, vec![b"x".to_vec()], 0, &to, ov, None),
            WsaError::WSAENOTSOCK,
            "WSASendTo",
        );
        let a = tcp(ws)?;
        fails(
            ws,
            ws.accept_ex(bad, a, Vec::new(), ov),
            WsaError::WSAENOTSOCK,
            "AcceptEx (listener)",
        );
        fails(
            ws,
            ws.connect_ex(bad, &to, Vec::new(), ov),
            WsaError::WSAENOTSOCK,
            "ConnectEx",
        );
        fails(
            ws,
            ws.disconnect_ex(bad, Some(ov), 0),
            WsaError::WSAENOTSOCK,
            "DisconnectEx",
        );
        fails(
            ws,
            ws.wsa_get_overlapped_result(Socket::from_raw(0xdead_beef), &ov, false),
            WsaError::WSAENOTSOCK,
            "WSAGetOverlappedResult on an unknown handle",
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// SOCKET values
// ---------------------------------------------------------------------------------------------

#[test]
fn socket_values_are_multiples_of_4_and_reused_after_close() {
    // Proves: SOCKET values are multiples of 4 (kernel handles), and the value freed by
    // closesocket is handed out by the next socket().
    common::run(|ws| {
        let a = tcp(ws)?;
        let b = tcp(ws)?;
        assert_ne!(a, b);
        for s in [a, b] {
            assert_ne!(s, Socket::INVALID);
            assert_eq!(s.raw() % 4, 0, "{s:?} is a multiple of 4");
        }
        ws.closesocket(a)?;
        let c = tcp(ws)?;
        assert_eq!(c, a, "a closed value is reused by the next socket()");
        Ok(())
    });
}
