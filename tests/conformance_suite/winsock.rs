//! Winsock rules: the blocking and nonblocking calls (trait [`Winsock`]): ER-*, NB-*, SH-*, OP-* and the UDP rules.

use winsock_sim::prelude::*;

use super::{
    code, e, listener, loopback, pair, recv_all, rst_close, tcp, wait_data, Check, Rule, TIMEOUT_MS,
};

/// Every rule on the blocking and nonblocking calls (trait [`Winsock`]).
pub fn winsock_rules<W: Winsock>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "ER-notsock",
            title: "a SOCKET naming nothing is WSAENOTSOCK, and WSAGetLastError says so",
            body: not_a_socket::<W>,
        },
        Rule {
            id: "TICK-64",
            title: "GetTickCount64's low 32 bits are GetTickCount's, read between two of its reads, and neither goes back; a 50-ms Sleep moves them on by at least 30 ms (the tick's granularity)",
            body: tick_count64::<W>,
        },
        Rule {
            id: "TICK-qpc",
            title: "QueryPerformanceFrequency is positive and the same each time; QueryPerformanceCounter does not go back, and a 50-ms Sleep moves it by 30 ms or more of its ticks, as much as GetTickCount64 moves to within 20 ms",
            body: performance_counter::<W>,
        },
        Rule {
            id: "ER-startup",
            title: "WSAStartup with major version 0 is WSAVERNOTSUPPORTED",
            body: startup_version::<W>,
        },
        Rule {
            id: "ER-startup-grant",
            title: "WSAStartup grants 1.0, 1.1, 2.0, 2.1, 2.2 as asked, 1.2 as 1.1, 2.3 and 3.0 as 2.2; wHighVersion 2.2, szDescription \"WinSock 2.0\", iMaxSockets and iMaxUdpDg 32767 and 65467 for 1.x, else 0",
            body: startup_grant::<W>,
        },
        Rule {
            id: "ER-socket-args",
            title: "socket() argument table: bad family, type, protocol",
            body: socket_args::<W>,
        },
        Rule {
            id: "ER-bind-twice",
            title: "bind on a bound socket is WSAEINVAL",
            body: bind_twice::<W>,
        },
        Rule {
            id: "ER-listen",
            title: "listen unbound is WSAEINVAL, on UDP WSAEOPNOTSUPP",
            body: listen_rules::<W>,
        },
        Rule {
            id: "ER-accept",
            title: "accept on a socket not listening is WSAEINVAL",
            body: accept_not_listening::<W>,
        },
        Rule {
            id: "ER-names",
            title: "getsockname unbound WSAEINVAL, getpeername unconnected WSAENOTCONN",
            body: names_unbound::<W>,
        },
        Rule {
            id: "ER-connect-any",
            title: "connect to 0.0.0.0 is WSAEADDRNOTAVAIL",
            body: connect_to_any::<W>,
        },
        Rule {
            id: "ER-send-unconnected",
            title: "send on a never-connected TCP socket is WSAENOTCONN",
            body: send_unconnected::<W>,
        },
        Rule {
            id: "ER-double-close",
            title: "closesocket twice: the second is WSAENOTSOCK",
            body: double_close::<W>,
        },
        Rule {
            id: "ER-refused",
            title: "connect to a closed loopback port is WSAECONNREFUSED",
            body: refused::<W>,
        },
        Rule {
            id: "NB-recv",
            title: "nonblocking recv with no data is WSAEWOULDBLOCK",
            body: nb_recv::<W>,
        },
        Rule {
            id: "NB-waitall",
            title: "recv with MSG_WAITALL and MSG_PEEK, on a nonblocking socket, or on a datagram socket is WSAEOPNOTSUPP, and takes nothing",
            body: nb_waitall::<W>,
        },
        Rule {
            id: "NB-accept",
            title: "nonblocking accept with no connection is WSAEWOULDBLOCK",
            body: nb_accept::<W>,
        },
        Rule {
            id: "TCP-echo",
            title: "bytes arrive in order; FIONREAD counts them; graceful close reads 0",
            body: echo::<W>,
        },
        Rule {
            id: "TCP-waitall-fin",
            title: "MSG_WAITALL after the peer's data and FIN returns what is left, then 0",
            body: waitall_after_fin::<W>,
        },
        Rule {
            id: "SH-03",
            title: "after SD_RECEIVE recv is WSAESHUTDOWN",
            body: shutdown_receive::<W>,
        },
        Rule {
            id: "SH-send",
            title: "after SD_SEND send is WSAESHUTDOWN, the peer reads 0",
            body: shutdown_send::<W>,
        },
        Rule {
            id: "OV-01/recv-after-RST",
            title: "recv after the peer's abortive close is WSAECONNRESET",
            body: recv_after_rst::<W>,
        },
        Rule {
            id: "OPT-timeo",
            title: "an expired SO_RCVTIMEO fails a blocking recv with WSAETIMEDOUT",
            body: rcvtimeo::<W>,
        },
        Rule {
            id: "OPT-type",
            title: "SO_TYPE reads SOCK_STREAM / SOCK_DGRAM; a 1-byte SO_ERROR buffer is WSAEFAULT",
            body: sockopt_type::<W>,
        },
        Rule {
            id: "UDP-echo",
            title: "sendto/recvfrom carry a datagram and its source address",
            body: udp_echo::<W>,
        },
        Rule {
            id: "ER-close-wakes",
            title: "closesocket from another thread ends a blocked recv with WSAEINTR",
            body: close_wakes_blocked_recv::<W>,
        },
        Rule {
            id: "UDP-unbound",
            title: "recvfrom on an unbound UDP socket is WSAEINVAL",
            body: udp_unbound::<W>,
        },
    ]
}

fn not_a_socket<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    for raw in [0usize, 0x0fc, 0x101, 0xdead_0000, usize::MAX] {
        let s = Socket::from_raw(raw);
        let mut b = [0u8; 4];
        c.eq(
            "recv",
            code(ws.recv(s, &mut b, 0)),
            Err(WsaError::WSAENOTSOCK),
        )?;
        c.eq(
            "WSAGetLastError",
            ws.wsa_get_last_error(),
            WsaError::WSAENOTSOCK.code(),
        )?;
        c.eq(
            "send",
            code(ws.send(s, b"x", 0)),
            Err(WsaError::WSAENOTSOCK),
        )?;
        c.eq(
            "bind",
            code(ws.bind(s, &loopback(0))),
            Err(WsaError::WSAENOTSOCK),
        )?;
        c.eq(
            "getsockname",
            code(ws.getsockname(s)),
            Err(WsaError::WSAENOTSOCK),
        )?;
        c.eq(
            "closesocket",
            code(ws.closesocket(s)),
            Err(WsaError::WSAENOTSOCK),
        )?;
    }
    Ok(())
}

fn startup_version<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    c.eq(
        "WSAStartup(0.0)",
        code(ws.wsa_startup(0)),
        Err(WsaError::WSAVERNOTSUPPORTED),
    )
}

/// protocol.c test_startup's table (the versions granted), each call undone by WSACleanup.
fn startup_grant<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    // MAKEWORD(major, minor): the major version in the low byte.
    for (asked, granted) in [
        (0x0001, 0x0001),
        (0x0101, 0x0101),
        (0x0201, 0x0101),
        (0x0002, 0x0002),
        (0x0102, 0x0102),
        (0x0202, 0x0202),
        (0x0302, 0x0202),
        (0x0003, 0x0202),
    ] {
        let d = e("WSAStartup", ws.wsa_startup(asked))?;
        e("WSACleanup", ws.wsa_cleanup())?;
        let what = format!("WSAStartup({asked:#06x})");
        c.eq(&format!("{what}: wVersion"), d.version, granted)?;
        c.eq(&format!("{what}: wHighVersion"), d.high_version, 0x0202)?;
        c.eq(
            &format!("{what}: szDescription"),
            d.description.as_str(),
            "WinSock 2.0",
        )?;
        let v1 = asked & 0xff == 1;
        c.eq(
            &format!("{what}: iMaxSockets, iMaxUdpDg"),
            (d.max_sockets, d.max_udp_dg),
            if v1 { (32767, 65467) } else { (0, 0) },
        )?;
    }
    Ok(())
}

fn socket_args<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    c.eq(
        "socket(af 1234)",
        code(ws.socket(1234, SOCK_STREAM, 0)),
        Err(WsaError::WSAEAFNOSUPPORT),
    )?;
    c.eq(
        "socket(type 1234)",
        code(ws.socket(AF_INET, 1234, 0)),
        Err(WsaError::WSAESOCKTNOSUPPORT),
    )?;
    c.eq(
        "socket(STREAM, UDP)",
        code(ws.socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)),
        Err(WsaError::WSAEPROTONOSUPPORT),
    )?;
    let s = e(
        "socket(AF_INET, SOCK_STREAM, 0)",
        ws.socket(AF_INET, SOCK_STREAM, 0),
    )?;
    e("closesocket", ws.closesocket(s))
}

fn bind_twice<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    e("bind", ws.bind(s, &loopback(0)))?;
    c.eq(
        "second bind",
        code(ws.bind(s, &loopback(0))),
        Err(WsaError::WSAEINVAL),
    )?;
    e("closesocket", ws.closesocket(s))
}

fn listen_rules<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    c.eq(
        "listen unbound",
        code(ws.listen(s, 1)),
        Err(WsaError::WSAEINVAL),
    )?;
    let u = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    e("bind(UDP)", ws.bind(u, &loopback(0)))?;
    c.eq(
        "listen on UDP",
        code(ws.listen(u, 1)),
        Err(WsaError::WSAEOPNOTSUPP),
    )?;
    e("closesocket", ws.closesocket(s))?;
    e("closesocket", ws.closesocket(u))
}

fn accept_not_listening<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    e("bind", ws.bind(s, &loopback(0)))?;
    c.eq("accept", code(ws.accept(s)), Err(WsaError::WSAEINVAL))?;
    e("closesocket", ws.closesocket(s))
}

fn names_unbound<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    c.eq(
        "getsockname unbound",
        code(ws.getsockname(s)),
        Err(WsaError::WSAEINVAL),
    )?;
    c.eq(
        "getpeername unconnected",
        code(ws.getpeername(s)),
        Err(WsaError::WSAENOTCONN),
    )?;
    e("closesocket", ws.closesocket(s))
}

fn connect_to_any<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, a) = listener(ws)?;
    let s = tcp(ws)?;
    let any = SockAddr::v4([0, 0, 0, 0], a.port().unwrap_or(1));
    c.eq_or_wine(
        "connect(0.0.0.0)",
        code(ws.connect(s, &any)),
        Err(WsaError::WSAEADDRNOTAVAIL),
        Ok(()),
        "no sock.c test; Microsoft's connect() docs: INADDR_ANY is WSAEADDRNOTAVAIL; Wine 8.0 passes it to Linux, which connects to itself",
    )?;
    e("closesocket", ws.closesocket(s))?;
    e("closesocket", ws.closesocket(l))
}

fn send_unconnected<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    c.eq_or_wine(
        "send",
        code(ws.send(s, b"x", 0)),
        Err(WsaError::WSAENOTCONN),
        Err(WsaError::WSAECONNRESET),
        "Microsoft's send() docs (WSAENOTCONN), as WSASend in sock.c test_completion_port (OV-08); Wine 8.0 maps Linux's EPIPE",
    )?;
    e("closesocket", ws.closesocket(s))
}

fn double_close<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    e("closesocket", ws.closesocket(s))?;
    c.eq(
        "second closesocket",
        code(ws.closesocket(s)),
        Err(WsaError::WSAENOTSOCK),
    )
}

fn refused<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let t = tcp(ws)?;
    e("bind", ws.bind(t, &loopback(0)))?;
    let a = e("getsockname", ws.getsockname(t))?;
    e("closesocket", ws.closesocket(t))?;
    let s = tcp(ws)?;
    c.eq(
        "connect",
        code(ws.connect(s, &a)),
        Err(WsaError::WSAECONNREFUSED),
    )?;
    e("closesocket", ws.closesocket(s))
}

fn nb_recv<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    e("FIONBIO", ws.set_nonblocking(sv, true))?;
    let mut b = [0u8; 8];
    c.eq(
        "recv",
        code(ws.recv(sv, &mut b, 0)),
        Err(WsaError::WSAEWOULDBLOCK),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

/// recv's documentation: "if the socket is in non-blocking mode, then this call will fail
/// with WSAEOPNOTSUPP. Also, if MSG_WAITALL is specified along with MSG_OOB, MSG_PEEK, or
/// MSG_PARTIAL [...]. This flag is not supported on datagram sockets".
fn nb_waitall<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    // MSG_WAITALL | MSG_OOB (refused by the same sentence) is left to the simulator's tests:
    // under Wine 8.0 that call times out or hangs from one run to the next.
    const WINE: &str = "recv's documentation; Wine 8.0 takes MSG_WAITALL there";
    let (cl, sv) = pair(ws)?;
    e("send", ws.send(cl, b"data", 0))?;
    wait_data(ws, sv, 4)?;
    let mut b = [0u8; 4];
    let refused = Err(WsaError::WSAEOPNOTSUPP);
    c.eq_or_wine(
        "recv(MSG_WAITALL | MSG_PEEK)",
        ws.recv(sv, &mut b, MSG_WAITALL | MSG_PEEK),
        refused,
        Ok(4),
        WINE,
    )?;
    e("FIONBIO", ws.set_nonblocking(sv, true))?;
    let nb = ws.recv(sv, &mut b, MSG_WAITALL);
    c.eq_or_wine(
        "recv(MSG_WAITALL) on a nonblocking socket",
        nb,
        refused,
        Ok(4),
        WINE,
    )?;
    if nb == refused {
        c.eq(
            "then recv: the 4 bytes are still there",
            ws.recv(sv, &mut b, 0).map(|n| b[..n].to_vec()),
            Ok(b"data".to_vec()),
        )?;
    }
    let u = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    e("bind", ws.bind(u, &loopback(0)))?;
    let to = e("getsockname", ws.getsockname(u))?;
    e("sendto", ws.sendto(u, b"dgram", 0, &to))?;
    wait_data(ws, u, 5)?;
    let mut d = [0u8; 8];
    let dg = ws.recvfrom(u, &mut d, MSG_WAITALL).map(|(n, _)| n);
    c.eq_or_wine(
        "recvfrom(MSG_WAITALL) on a datagram socket",
        dg,
        refused,
        Ok(5),
        WINE,
    )?;
    if dg == refused {
        c.eq(
            "then recvfrom: the datagram is still there",
            ws.recvfrom(u, &mut d, 0).map(|(n, _)| n),
            Ok(5),
        )?;
    }
    e("closesocket", ws.closesocket(u))?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

fn nb_accept<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, _) = listener(ws)?;
    e("FIONBIO", ws.set_nonblocking(l, true))?;
    c.eq("accept", code(ws.accept(l)), Err(WsaError::WSAEWOULDBLOCK))?;
    e("closesocket", ws.closesocket(l))
}

fn echo<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let msg: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    c.eq("send", e("send", ws.send(cl, &msg, 0))?, msg.len())?;
    let first = recv_all(ws, sv, 1)?;
    ws.sleep(100);
    let mut n = 0u32;
    e("FIONREAD", ws.ioctlsocket(sv, FIONREAD, &mut n))?;
    c.eq("FIONREAD", n as usize, msg.len() - 1)?;
    let rest = recv_all(ws, sv, msg.len() - 1)?;
    c.eq("bytes", [first, rest].concat() == msg, true)?;
    e("closesocket(client)", ws.closesocket(cl))?;
    let mut b = [0u8; 4];
    c.eq(
        "recv after graceful close",
        e("recv", ws.recv(sv, &mut b, 0))?,
        0,
    )?;
    e("closesocket", ws.closesocket(sv))
}

/// MSG_WAITALL completes when the buffer is full, the connection has been closed, or an
/// error occurred (recv's documentation): asked for more than is left once the peer's FIN is
/// in, it returns what is left at once.
fn waitall_after_fin<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    e("send", ws.send(cl, b"abc", 0))?;
    e("closesocket(client)", ws.closesocket(cl))?;
    ws.sleep(200);
    let mut b = [0u8; 10];
    c.eq("recv(MSG_WAITALL)", ws.recv(sv, &mut b, MSG_WAITALL), Ok(3))?;
    c.eq("the bytes", &b[..3], &b"abc"[..])?;
    c.eq(
        "recv(MSG_WAITALL) again",
        ws.recv(sv, &mut b, MSG_WAITALL),
        Ok(0),
    )?;
    e("closesocket", ws.closesocket(sv))
}

fn shutdown_receive<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    e("shutdown(SD_RECEIVE)", ws.shutdown(sv, SD_RECEIVE))?;
    let mut b = [0u8; 4];
    c.eq(
        "recv",
        code(ws.recv(sv, &mut b, 0)),
        Err(WsaError::WSAESHUTDOWN),
    )?;
    c.eq(
        "recv again",
        code(ws.recv(sv, &mut b, 0)),
        Err(WsaError::WSAESHUTDOWN),
    )?;
    c.eq("send still works", e("send", ws.send(sv, b"ok", 0))?, 2)?;
    c.eq("the peer reads it", recv_all(ws, cl, 2)?, b"ok".to_vec())?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

fn shutdown_send<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    e("shutdown(SD_SEND)", ws.shutdown(cl, SD_SEND))?;
    c.eq(
        "send",
        code(ws.send(cl, b"x", 0)),
        Err(WsaError::WSAESHUTDOWN),
    )?;
    let mut b = [0u8; 4];
    c.eq("peer recv", e("recv", ws.recv(sv, &mut b, 0))?, 0)?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

fn recv_after_rst<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    rst_close(ws, cl)?;
    ws.sleep(100);
    let mut b = [0u8; 4];
    c.eq_or_wine(
        "recv after the peer's RST",
        ws.recv(sv, &mut b, 0),
        Err(WsaError::WSAECONNRESET),
        Ok(0),
        "sock.c test_tcp_reset, catalogue OV-01; measured on Wine 8.0",
    )?;
    e("closesocket", ws.closesocket(sv))
}

fn rcvtimeo<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    e(
        "SO_RCVTIMEO",
        ws.setsockopt_i32(sv, SOL_SOCKET, SO_RCVTIMEO, 200),
    )?;
    let mut b = [0u8; 4];
    c.eq(
        "recv",
        code(ws.recv(sv, &mut b, 0)),
        Err(WsaError::WSAETIMEDOUT),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

fn sockopt_type<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    let u = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    c.eq(
        "SO_TYPE tcp",
        e("getsockopt", ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE))?,
        SOCK_STREAM,
    )?;
    c.eq(
        "SO_TYPE udp",
        e("getsockopt", ws.getsockopt_i32(u, SOL_SOCKET, SO_TYPE))?,
        SOCK_DGRAM,
    )?;
    let mut one = [0u8; 1];
    c.eq(
        "SO_ERROR, optlen 1",
        code(ws.getsockopt(s, SOL_SOCKET, SO_ERROR, &mut one)),
        Err(WsaError::WSAEFAULT),
    )?;
    e("closesocket", ws.closesocket(s))?;
    e("closesocket", ws.closesocket(u))
}

fn udp_echo<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let a = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    let b = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    e("bind", ws.bind(a, &loopback(0)))?;
    e("bind", ws.bind(b, &loopback(0)))?;
    e(
        "SO_RCVTIMEO",
        ws.setsockopt_i32(b, SOL_SOCKET, SO_RCVTIMEO, TIMEOUT_MS),
    )?;
    let to = e("getsockname", ws.getsockname(b))?;
    let from = e("getsockname", ws.getsockname(a))?;
    c.eq("sendto", e("sendto", ws.sendto(a, b"datagram", 0, &to))?, 8)?;
    let mut buf = [0u8; 64];
    let (n, src) = e("recvfrom", ws.recvfrom(b, &mut buf, 0))?;
    c.eq("datagram", &buf[..n], &b"datagram"[..])?;
    c.eq("source", src, from)?;
    e("closesocket", ws.closesocket(a))?;
    e("closesocket", ws.closesocket(b))
}

fn udp_unbound<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let u = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    // Nonblocking, so that Wine, which waits on an unbound socket, does not hang the rule.
    e("FIONBIO", ws.set_nonblocking(u, true))?;
    let mut buf = [0u8; 8];
    c.eq_or_wine(
        "recvfrom",
        code(ws.recvfrom(u, &mut buf, 0)),
        Err(WsaError::WSAEINVAL),
        Err(WsaError::WSAEWOULDBLOCK),
        "todo_wine in sock.c test_UDP / test_connect_udp, catalogue NB-14",
    )?;
    e("closesocket", ws.closesocket(u))
}

fn close_wakes_blocked_recv<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let out = std::sync::Arc::clone(&seen);
    let t = e(
        "CreateThread",
        ws.create_thread("reader", move |ws| {
            let mut b = [0u8; 4];
            let r = ws.recv(sv, &mut b, 0);
            *out.lock().expect("result lock") = Some(r);
            Ok(())
        }),
    )?;
    ws.sleep(200);
    e("closesocket", ws.closesocket(sv))?;
    c.eq(
        "the reader ends",
        code(ws.wait_for_thread(t, 3_000)),
        Ok(()),
    )?;
    let r = seen.lock().expect("result lock").take();
    c.eq_or_wine(
        "the blocked recv",
        r,
        Some(Err(WsaError::WSAEINTR)),
        Some(Err(WsaError::WSAEINVAL)),
        "Wine 8.0 as measured (shared/windows-under-wine.md); Windows: closesocket cancels blocking calls with WSAEINTR",
    )?;
    e("closesocket", ws.closesocket(cl))
}

fn tick_count64<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let before = ws.get_tick_count64();
    let tick = ws.get_tick_count();
    let after = ws.get_tick_count64();
    c.eq("GetTickCount64 does not go back", after >= before, true)?;
    // `tick`, read between them, is within [before, after] modulo 2^32.
    let since = u64::from(tick.wrapping_sub(before as u32));
    c.eq(
        "GetTickCount is GetTickCount64's low 32 bits",
        since <= after - before,
        true,
    )?;
    ws.sleep(50);
    let later = ws.get_tick_count64();
    let moved = later - after;
    c.eq(
        "a 50-ms Sleep moves GetTickCount64 on by at least 30 ms (ms moved)",
        moved.min(30),
        30,
    )?;
    let tick_later = ws.get_tick_count();
    c.eq(
        "GetTickCount moves with it",
        u64::from(tick_later.wrapping_sub(tick)) >= moved,
        true,
    )?;
    Ok(())
}

fn performance_counter<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let freq = ws.query_performance_frequency();
    c.eq("the frequency is positive", freq > 0, true)?;
    c.eq(
        "the frequency again",
        ws.query_performance_frequency(),
        freq,
    )?;
    let (count, tick) = (ws.query_performance_counter(), ws.get_tick_count64());
    let again = ws.query_performance_counter();
    c.eq("the counter does not go back", again >= count, true)?;
    ws.sleep(50);
    let (later, tick_later) = (ws.query_performance_counter(), ws.get_tick_count64());
    let ms = (later - count) * 1000 / freq.max(1);
    c.eq(
        "a 50-ms Sleep moves the counter by 30 ms or more",
        ms.min(30),
        30,
    )?;
    let tick_ms = (tick_later - tick) as i64;
    c.eq(
        "the counter and GetTickCount64 move alike (to within 20 ms)",
        (ms - tick_ms).abs() <= 20,
        true,
    )?;
    Ok(())
}
