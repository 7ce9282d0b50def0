//! One conformance suite, every backend: each rule of `shared/conformance.md` checked here is
//! written once, generic over the backend traits, and run by `tests/conformance.rs` against the
//! simulator and by `tests/conformance_os.rs` against the real WinSock (on Windows, or under
//! Wine in `ci/windows-under-wine.sh`).
//!
//! A rule states Windows' behaviour. Where Wine's ws2_32 is known to differ (sock.c marks it
//! `todo_wine`, or it was measured on Wine 8.0), the rule accepts Wine's result only when the
//! process runs under Wine ([`winsock_sim::os::under_wine`]), and records it as a known Wine
//! difference with its sock.c reference; every other disagreement fails the arm.
#![allow(dead_code)]

use std::time::Duration;

use winsock_sim::prelude::*;

pub mod c_args;
pub mod ext;
pub mod interfaces;
pub mod overlapped;
pub mod protocol_info;
pub mod sync;

/// Receive timeout given to every socket a rule blocks on (ms): virtual in the simulator.
pub const TIMEOUT_MS: i32 = 5_000;

/// What a rule saw: its checks, and the known Wine differences it accepted.
#[derive(Debug, Default)]
pub struct Check {
    /// Known Wine differences recorded: (what, Windows, Wine, sock.c reference).
    pub wine: Vec<String>,
}

impl Check {
    /// `got` must be `want` (Windows' result).
    pub fn eq<T: PartialEq + std::fmt::Debug>(
        &mut self,
        what: &str,
        got: T,
        want: T,
    ) -> Result<(), String> {
        if got == want {
            Ok(())
        } else {
            Err(format!("{what}: got {got:?}, Windows gives {want:?}"))
        }
    }

    /// `got` must be `want`, except under Wine, which is known to give `wine` instead
    /// (`reference` names the sock.c test and the catalogue rule).
    pub fn eq_or_wine<T: PartialEq + std::fmt::Debug>(
        &mut self,
        what: &str,
        got: T,
        want: T,
        wine: T,
        reference: &str,
    ) -> Result<(), String> {
        if got == want {
            return Ok(());
        }
        if got == wine && winsock_sim::os::under_wine() {
            self.wine.push(format!(
                "{what}: Windows {want:?}, Wine {wine:?} ({reference})"
            ));
            return Ok(());
        }
        Err(format!("{what}: got {got:?}, Windows gives {want:?}"))
    }
}

/// A rule: its catalogue id, a title, and its body.
pub struct Rule<W> {
    /// The catalogue rule (shared/conformance.md) or a short tag.
    pub id: &'static str,
    /// What it checks, in a few words.
    pub title: &'static str,
    /// The body: runs after `WSAStartup` on a fresh backend.
    pub body: fn(&W, &mut Check) -> Result<(), String>,
}

/// One rule's outcome on one arm.
#[derive(Debug)]
pub enum Outcome {
    /// Windows' behaviour, exactly.
    Agree,
    /// Windows' behaviour except for recorded known Wine differences.
    KnownWine(Vec<String>),
    /// A disagreement: a bug in the backend (or the rule).
    Disagree(String),
}

/// Runs `rule` through `arm` (which sets up a backend, calls the closure, tears it down) and
/// classifies the result.
pub fn outcome(r: Result<(), String>, c: Check) -> Outcome {
    match r {
        Err(e) => Outcome::Disagree(e),
        Ok(()) if c.wine.is_empty() => Outcome::Agree,
        Ok(()) => Outcome::KnownWine(c.wine),
    }
}

/// Prints the arm's table and returns (run, agree, known Wine differences, disagreements).
pub fn report(
    arm: &str,
    rows: &[(&'static str, &'static str, Outcome)],
) -> (usize, usize, usize, Vec<String>) {
    let mut agree = 0;
    let mut wine = 0;
    let mut bad = Vec::new();
    println!("conformance suite, {arm} arm:");
    println!("| rule | checks | result |");
    println!("|---|---|---|");
    for (id, title, o) in rows {
        let r = match o {
            Outcome::Agree => {
                agree += 1;
                "agrees with Windows".to_string()
            }
            Outcome::KnownWine(w) => {
                wine += 1;
                format!("known Wine difference: {}", w.join("; "))
            }
            Outcome::Disagree(e) => {
                bad.push(format!("{id}: {e}"));
                format!("DISAGREES: {e}")
            }
        };
        println!("| {id} | {title} | {r} |");
    }
    println!(
        "{arm}: rules run {}, agree {agree}, known Wine differences {wine}, disagree {}",
        rows.len(),
        bad.len()
    );
    (rows.len(), agree, wine, bad)
}

// ---- helpers ---------------------------------------------------------------------------------

fn e<T>(what: &str, r: Result<T, WsaError>) -> Result<T, String> {
    r.map_err(|err| format!("{what}: {err:?}"))
}

/// The result of `r` with its value dropped, for comparing error codes.
fn code<T>(r: Result<T, WsaError>) -> Result<(), WsaError> {
    r.map(|_| ())
}

fn tcp<W: Winsock>(ws: &W) -> Result<Socket, String> {
    e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))
}

fn loopback(port: u16) -> SockAddr {
    SockAddr::v4([127, 0, 0, 1], port)
}

/// A listener on 127.0.0.1 with an ephemeral port, and its address.
fn listener<W: Winsock>(ws: &W) -> Result<(Socket, SockAddr), String> {
    let l = tcp(ws)?;
    e("bind", ws.bind(l, &loopback(0)))?;
    e("listen", ws.listen(l, 4))?;
    let a = e("getsockname", ws.getsockname(l))?;
    Ok((l, a))
}

/// The catalogue's "pair": (client, server), both with receive timeouts, listener closed.
fn pair<W: Winsock>(ws: &W) -> Result<(Socket, Socket), String> {
    let (l, a) = listener(ws)?;
    let c = tcp(ws)?;
    e("connect", ws.connect(c, &a))?;
    let (s, _) = e("accept", ws.accept(l))?;
    e("closesocket(listener)", ws.closesocket(l))?;
    for x in [c, s] {
        e(
            "SO_RCVTIMEO",
            ws.setsockopt_i32(x, SOL_SOCKET, SO_RCVTIMEO, TIMEOUT_MS),
        )?;
    }
    Ok((c, s))
}

fn rst_close<W: Winsock>(ws: &W, s: Socket) -> Result<(), String> {
    let l = Linger {
        onoff: 1,
        linger: 0,
    };
    e(
        "SO_LINGER",
        ws.setsockopt(s, SOL_SOCKET, SO_LINGER, &l.to_bytes()),
    )?;
    e("closesocket", ws.closesocket(s))
}

fn recv_all<W: Winsock>(ws: &W, s: Socket, n: usize) -> Result<Vec<u8>, String> {
    let mut out = vec![0u8; n];
    let mut got = 0;
    while got < n {
        let k = e("recv", ws.recv(s, &mut out[got..], 0))?;
        if k == 0 {
            break;
        }
        got += k;
    }
    out.truncate(got);
    Ok(out)
}

// ---- Winsock rules ---------------------------------------------------------------------------

/// Every rule on the blocking and nonblocking calls (trait [`Winsock`]).
pub fn winsock_rules<W: Winsock>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "ER-notsock",
            title: "a SOCKET naming nothing is WSAENOTSOCK, and WSAGetLastError says so",
            body: not_a_socket::<W>,
        },
        Rule {
            id: "ER-startup",
            title: "WSAStartup with major version 0 is WSAVERNOTSUPPORTED",
            body: startup_version::<W>,
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

// ---- select / WSAPoll / WSAEventSelect rules -------------------------------------------------

/// Every rule on `select`, `WSAPoll` and `WSAEventSelect` (traits [`Select`], [`EventSelect`]).
pub fn event_rules<W: Winsock + Select + EventSelect>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "SEL-args", title: "select: no sets WSAEINVAL, a non-socket WSAENOTSOCK, nothing ready 0", body: select_args::<W> },
        Rule { id: "SEL-ready", title: "select: a pending connection reads, a connected socket writes, data reads", body: select_ready::<W> },
        Rule { id: "POLL-rdnorm", title: "WSAPoll: POLLWRNORM when connected, POLLRDNORM with data; empty array WSAEINVAL", body: poll_rules::<W> },
        Rule { id: "EV-handles", title: "events: set/reset/wait; 0 events WSA_INVALID_PARAMETER; a closed event WSA_INVALID_HANDLE", body: event_handles::<W> },
        Rule { id: "EV-read", title: "WSAEventSelect: FD_WRITE first, nonblocking, FD_READ with code 0, enumerating resets", body: event_read::<W> },
        Rule { id: "EV-accept", title: "WSAEventSelect on a listener: FD_ACCEPT when a client connects", body: event_accept::<W> },
        Rule { id: "EV-25", title: "the peer's abortive close: FD_CLOSE with WSAECONNABORTED", body: event_rst::<W> },
    ]
}

fn select_args<W: Winsock + Select>(ws: &W, c: &mut Check) -> Result<(), String> {
    c.eq(
        "select(no sets)",
        code(ws.select(None, None, None, Some(Duration::ZERO))),
        Err(WsaError::WSAEINVAL),
    )?;
    let mut bogus = FdSet::new();
    bogus.set(Socket::from_raw(0xdead_0000));
    c.eq(
        "select(non-socket)",
        code(ws.select(Some(&mut bogus), None, None, Some(Duration::ZERO))),
        Err(WsaError::WSAENOTSOCK),
    )?;
    let (l, _) = listener(ws)?;
    let mut r = FdSet::new();
    r.set(l);
    c.eq(
        "select(idle listener)",
        e(
            "select",
            ws.select(Some(&mut r), None, None, Some(Duration::ZERO)),
        )?,
        0,
    )?;
    c.eq("the set is emptied", r.len(), 0)?;
    e("closesocket", ws.closesocket(l))
}

fn select_ready<W: Winsock + Select>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, a) = listener(ws)?;
    let cl = tcp(ws)?;
    e("connect", ws.connect(cl, &a))?;
    let mut r = FdSet::new();
    r.set(l);
    c.eq(
        "listener readable",
        e(
            "select",
            ws.select(Some(&mut r), None, None, Some(Duration::from_secs(5))),
        )?,
        1,
    )?;
    c.eq("the listener is in the set", r.is_set(l), true)?;
    let (sv, _) = e("accept", ws.accept(l))?;
    let mut w = FdSet::new();
    w.set(cl);
    c.eq(
        "client writable",
        e(
            "select",
            ws.select(None, Some(&mut w), None, Some(Duration::ZERO)),
        )?,
        1,
    )?;
    let mut r = FdSet::new();
    r.set(sv);
    c.eq(
        "server not readable yet",
        e(
            "select",
            ws.select(Some(&mut r), None, None, Some(Duration::ZERO)),
        )?,
        0,
    )?;
    e("send", ws.send(cl, b"hello", 0))?;
    r.set(sv);
    c.eq(
        "server readable",
        e(
            "select",
            ws.select(Some(&mut r), None, None, Some(Duration::from_secs(5))),
        )?,
        1,
    )?;
    for s in [cl, sv, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    Ok(())
}

fn poll_rules<W: Winsock + Select>(ws: &W, c: &mut Check) -> Result<(), String> {
    c.eq(
        "WSAPoll(empty)",
        code(ws.wsa_poll(&mut [], 0)),
        Err(WsaError::WSAEINVAL),
    )?;
    let (cl, sv) = pair(ws)?;
    let mut fds = [WsaPollFd::new(sv, POLLRDNORM | POLLWRNORM)];
    c.eq(
        "WSAPoll(connected)",
        e("WSAPoll", ws.wsa_poll(&mut fds, 0))?,
        1,
    )?;
    c.eq("revents", fds[0].revents, POLLWRNORM)?;
    e("send", ws.send(cl, b"x", 0))?;
    let mut fds = [WsaPollFd::new(sv, POLLRDNORM)];
    c.eq(
        "WSAPoll(data)",
        e("WSAPoll", ws.wsa_poll(&mut fds, 5_000))?,
        1,
    )?;
    c.eq("revents", fds[0].revents, POLLRDNORM)?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

fn event_handles<W: Winsock + EventSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    c.eq(
        "wait on no events",
        code(ws.wsa_wait_for_multiple_events(&[], false, 0, false)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    c.eq(
        "a new event is not signalled",
        e(
            "wait",
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
        )?,
        WSA_WAIT_TIMEOUT,
    )?;
    e("WSASetEvent", ws.wsa_set_event(ev))?;
    c.eq(
        "set",
        e(
            "wait",
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
        )?,
        WSA_WAIT_EVENT_0,
    )?;
    c.eq(
        "manual reset: still set",
        e(
            "wait",
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
        )?,
        WSA_WAIT_EVENT_0,
    )?;
    e("WSAResetEvent", ws.wsa_reset_event(ev))?;
    c.eq(
        "reset",
        e(
            "wait",
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
        )?,
        WSA_WAIT_TIMEOUT,
    )?;
    e("WSACloseEvent", ws.wsa_close_event(ev))?;
    c.eq(
        "close it again",
        code(ws.wsa_close_event(ev)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "WSAGetLastError",
        ws.wsa_get_last_error(),
        WsaError::WSA_INVALID_HANDLE.code(),
    )
}

/// Waits (5 s at most) for `ev` to be signalled — checked as `what` — then enumerates and
/// returns socket `s`'s network events (which resets the event).
fn signalled_events<W: EventSelect>(
    ws: &W,
    c: &mut Check,
    what: &str,
    s: Socket,
    ev: WsaEvent,
) -> Result<WsaNetworkEvents, String> {
    c.eq(
        what,
        e(
            "wait",
            ws.wsa_wait_for_multiple_events(&[ev], false, 5_000, false),
        )?,
        WSA_WAIT_EVENT_0,
    )?;
    let mut ne = WsaNetworkEvents::default();
    e(
        "WSAEnumNetworkEvents",
        ws.wsa_enum_network_events(s, Some(ev), &mut ne),
    )?;
    Ok(ne)
}

fn event_read<W: Winsock + EventSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    e(
        "WSAEventSelect",
        ws.wsa_event_select(sv, ev, FD_READ | FD_WRITE | FD_CLOSE),
    )?;
    let ne = signalled_events(ws, c, "signalled for FD_WRITE", sv, ev)?;
    c.eq("first events", ne.network_events, FD_WRITE)?;
    c.eq(
        "enumerating reset the event",
        e(
            "wait",
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
        )?,
        WSA_WAIT_TIMEOUT,
    )?;
    let mut b = [0u8; 8];
    c.eq(
        "the socket is nonblocking",
        code(ws.recv(sv, &mut b, 0)),
        Err(WsaError::WSAEWOULDBLOCK),
    )?;
    e("send", ws.send(cl, b"ping", 0))?;
    let ne = signalled_events(ws, c, "signalled for FD_READ", sv, ev)?;
    c.eq("FD_READ", ne.network_events, FD_READ)?;
    c.eq("FD_READ code", ne.error_code[FD_READ_BIT], 0)?;
    c.eq("recv", e("recv", ws.recv(sv, &mut b, 0))?, 4)?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))
}

fn event_accept<W: Winsock + EventSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, a) = listener(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    e("WSAEventSelect", ws.wsa_event_select(l, ev, FD_ACCEPT))?;
    c.eq(
        "nothing yet",
        e(
            "wait",
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
        )?,
        WSA_WAIT_TIMEOUT,
    )?;
    let cl = tcp(ws)?;
    e("connect", ws.connect(cl, &a))?;
    let ne = signalled_events(ws, c, "signalled", l, ev)?;
    c.eq("FD_ACCEPT", ne.network_events, FD_ACCEPT)?;
    let (sv, _) = e("accept", ws.accept(l))?;
    for s in [cl, sv, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("WSACloseEvent", ws.wsa_close_event(ev))
}

fn event_rst<W: Winsock + EventSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    e("WSAEventSelect", ws.wsa_event_select(sv, ev, FD_CLOSE))?;
    rst_close(ws, cl)?;
    let ne = signalled_events(ws, c, "signalled", sv, ev)?;
    c.eq("FD_CLOSE", ne.network_events, FD_CLOSE)?;
    c.eq_or_wine(
        "FD_CLOSE code",
        ne.error_code[FD_CLOSE_BIT],
        WsaError::WSAECONNABORTED.code(),
        0,
        "sock.c test_close_events, catalogue EV-25; Wine 8.0 sees the RST as an orderly close, as in OV-01",
    )?;
    e("closesocket", ws.closesocket(sv))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))
}

// ---- WSAAsyncSelect rules --------------------------------------------------------------------

/// Every rule on windows, message queues and `WSAAsyncSelect` (trait [`AsyncSelect`]).
pub fn async_rules<W: Winsock + AsyncSelect>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "AS-queue", title: "PostMessage/PeekMessage/GetMessage on a window; WM_QUIT; a bad window WSA_INVALID_HANDLE", body: message_queue::<W> },
        Rule { id: "AS-read", title: "WSAAsyncSelect: FD_READ posted with wParam = socket, lParam = FD_READ; the socket turns nonblocking", body: async_read::<W> },
        Rule { id: "AS-accept", title: "WSAAsyncSelect on a listener: FD_ACCEPT when a client connects", body: async_accept::<W> },
    ]
}

/// The next message for `hwnd`, polled for up to 5 s (never blocks forever).
fn next_message<W: AsyncSelect>(ws: &W, hwnd: Hwnd) -> Result<Option<Msg>, String> {
    for _ in 0..500 {
        if let Some(m) = e("PeekMessage", ws.peek_message(hwnd, PM_REMOVE))? {
            return Ok(Some(m));
        }
        ws.sleep(10);
    }
    Ok(None)
}

fn message_queue<W: Winsock + AsyncSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let bogus = Hwnd::from_raw(0xdead_0000);
    c.eq(
        "DestroyWindow(bogus)",
        code(ws.destroy_window(bogus)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    let h = e("CreateWindow", ws.create_window(None))?;
    c.eq(
        "an empty queue",
        e("PeekMessage", ws.peek_message(h, PM_REMOVE))?.map(|m| m.message),
        None,
    )?;
    e("PostMessage", ws.post_message(h, WM_USER + 7, 42, -1))?;
    let m = e("PeekMessage", ws.peek_message(h, PM_NOREMOVE))?;
    c.eq(
        "peeked",
        m.map(|m| (m.hwnd, m.message, m.wparam, m.lparam)),
        Some((h, WM_USER + 7, 42, -1)),
    )?;
    let m = e("GetMessage", ws.get_message(h))?;
    c.eq("got", m.map(|m| m.message), Some(WM_USER + 7))?;
    c.eq(
        "DispatchMessage without a procedure",
        e(
            "DispatchMessage",
            ws.dispatch_message(&m.expect("a message")),
        )?,
        0,
    )?;
    ws.post_quit_message(3);
    c.eq(
        "WM_QUIT",
        e("GetMessage", ws.get_message(Hwnd::NULL))?,
        None,
    )?;
    e("DestroyWindow", ws.destroy_window(h))?;
    c.eq(
        "DestroyWindow again",
        code(ws.destroy_window(h)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )
}

fn async_read<W: Winsock + AsyncSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let h = e("CreateWindow", ws.create_window(None))?;
    e(
        "WSAAsyncSelect",
        ws.wsa_async_select(sv, h, WM_USER + 1, FD_READ),
    )?;
    let mut b = [0u8; 8];
    c.eq(
        "the socket is nonblocking",
        code(ws.recv(sv, &mut b, 0)),
        Err(WsaError::WSAEWOULDBLOCK),
    )?;
    e("send", ws.send(cl, b"ping", 0))?;
    let m = next_message(ws, h)?;
    c.eq(
        "message",
        m.map(|m| (m.message, m.wparam, m.lparam)),
        Some((WM_USER + 1, sv.raw(), FD_READ as isize)),
    )?;
    c.eq("recv", e("recv", ws.recv(sv, &mut b, 0))?, 4)?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("DestroyWindow", ws.destroy_window(h))
}

fn async_accept<W: Winsock + AsyncSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, a) = listener(ws)?;
    let h = e("CreateWindow", ws.create_window(None))?;
    e(
        "WSAAsyncSelect",
        ws.wsa_async_select(l, h, WM_USER + 2, FD_ACCEPT),
    )?;
    let cl = tcp(ws)?;
    e("connect", ws.connect(cl, &a))?;
    let m = next_message(ws, h)?;
    c.eq(
        "message",
        m.map(|m| (m.message, m.wparam, m.lparam)),
        Some((WM_USER + 2, l.raw(), FD_ACCEPT as isize)),
    )?;
    let (sv, _) = e("accept", ws.accept(l))?;
    for s in [cl, sv, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("DestroyWindow", ws.destroy_window(h))
}

// ---- completion port rules -------------------------------------------------------------------

/// Every rule on completion ports themselves (trait [`Iocp`]; the overlapped calls that fill
/// them are not in the suite yet).
pub fn iocp_rules<W: Winsock + Iocp>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "CP-post", title: "PostQueuedCompletionStatus packets come back in order with bytes, key and OVERLAPPED; timeouts; closed ports", body: iocp_post::<W> },
        Rule { id: "CP-assoc", title: "a socket is associated once (again: WSA_INVALID_PARAMETER); a non-socket WSAENOTSOCK", body: iocp_assoc::<W> },
    ]
}

fn iocp_post<W: Winsock + Iocp>(ws: &W, c: &mut Check) -> Result<(), String> {
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    c.eq(
        "GQCS on an empty port",
        code(ws.get_queued_completion_status(port, 0)),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    c.eq(
        "GQCSEx with 0 entries",
        code(ws.get_queued_completion_status_ex(port, 0, 0, false)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    e(
        "PQCS",
        ws.post_queued_completion_status(port, 3, 7, Some(Overlapped::new(9))),
    )?;
    e("PQCS", ws.post_queued_completion_status(port, 0, 8, None))?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "first packet",
        (p.bytes, p.key, p.overlapped, p.error),
        (3, 7, Some(Overlapped::new(9)), None),
    )?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "second packet",
        (p.bytes, p.key, p.overlapped, p.error),
        (0, 8, None, None),
    )?;
    for i in 0..3u64 {
        e(
            "PQCS",
            ws.post_queued_completion_status(port, i as usize, 1, Some(Overlapped::new(i))),
        )?;
    }
    let v = e(
        "GQCSEx",
        ws.get_queued_completion_status_ex(port, 8, 5_000, false),
    )?;
    c.eq(
        "GQCSEx packets",
        v.iter()
            .map(|p| p.overlapped.map(|o| o.id))
            .collect::<Vec<_>>(),
        vec![Some(0), Some(1), Some(2)],
    )?;
    e("CloseHandle(port)", ws.close_completion_port(port))?;
    c.eq(
        "close it again",
        code(ws.close_completion_port(port)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "GQCS on a closed port",
        code(ws.get_queued_completion_status(port, 0)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )
}

fn iocp_assoc<W: Winsock + Iocp>(ws: &W, c: &mut Check) -> Result<(), String> {
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    let s = tcp(ws)?;
    e("associate", ws.associate_completion_port(s, port, 1))?;
    c.eq(
        "associate again",
        code(ws.associate_completion_port(s, port, 2)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq(
        "associate a non-socket",
        code(ws.associate_completion_port(Socket::from_raw(0xdead_0000), port, 3)),
        Err(WsaError::WSAENOTSOCK),
    )?;
    e("closesocket", ws.closesocket(s))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}
