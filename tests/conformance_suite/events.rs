//! select, WSAPoll and WSAEventSelect rules (traits [`Select`], [`EventSelect`]).

use std::time::Duration;

use winsock_sim::prelude::*;

use super::{code, e, listener, pair, rst_close, tcp, Check, Rule};

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
        Rule { id: "EV-20/blocking", title: "data a blocking recv waits for: no FD_READ; select in another thread and FIONREAD see nothing", body: blocking_recv_takes_data::<W> },
        Rule { id: "EV-20/blocking-udp", title: "a datagram a blocking recvfrom waits for: select in another thread and FIONREAD see nothing", body: blocking_recvfrom_takes_datagram::<W> },
        Rule { id: "EV-cancel", title: "WSAEventSelect(s, NULL, 0) after a registration recorded FD_WRITE: WSAEnumNetworkEvents reports nothing", body: cancel_reports_nothing::<W> },
        Rule { id: "EV-drain-read", title: "WSAEventSelect: a recv that drains the data withdraws the FD_READ a partial recv recorded, unenumerated; new data records it again", body: drain_withdraws_read::<W> },
        Rule { id: "EV-drain-accept", title: "WSAEventSelect: an accept that takes the last connection withdraws the FD_ACCEPT the previous accept recorded, unenumerated", body: drain_withdraws_accept::<W> },
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

/// What a receiving thread's call returned, once it has.
type Got = std::sync::Arc<std::sync::Mutex<Option<Result<Vec<u8>, WsaError>>>>;

/// Starts a thread that makes one blocking receive with `recv` and keeps what it returned.
fn start_reader<W: Winsock>(
    ws: &W,
    recv: impl FnOnce(&W) -> Result<Vec<u8>, WsaError> + Send + 'static,
) -> Result<(ThreadId, Got), String> {
    let got: Got = std::sync::Arc::new(std::sync::Mutex::new(None));
    let out = std::sync::Arc::clone(&got);
    let reader = e(
        "CreateThread",
        ws.create_thread("reader", move |ws| {
            let r = recv(ws);
            *out.lock().expect("result lock") = Some(r);
            Ok(())
        }),
    )?;
    Ok((reader, got))
}

/// With `reader` waiting in a receive on `s`, a thread sends "ping" to it 100 ms later
/// (`send`); meanwhile a select on `s` sees nothing for 600 ms, and FIONREAD then reads 0;
/// the reader gets "ping".
fn unseen_while_a_receive_waits<W: Winsock + Select>(
    ws: &W,
    c: &mut Check,
    s: Socket,
    (reader, got): (ThreadId, Got),
    send: impl FnOnce(&W) -> Result<usize, WsaError> + Send + 'static,
) -> Result<(), String> {
    let sender = e(
        "CreateThread",
        ws.create_thread("sender", move |ws| {
            ws.sleep(100);
            send(ws).map(|_| ())
        }),
    )?;
    let mut rd = FdSet::new();
    rd.set(s);
    c.eq(
        "select while the receive waits",
        ws.select(Some(&mut rd), None, None, Some(Duration::from_millis(600))),
        Ok(0),
    )?;
    let mut n = 0u32;
    e("FIONREAD", ws.ioctlsocket(s, FIONREAD, &mut n))?;
    c.eq("FIONREAD", n, 0)?;
    c.eq(
        "the sender ends",
        code(ws.wait_for_thread(sender, 3_000)),
        Ok(()),
    )?;
    c.eq(
        "the reader ends",
        code(ws.wait_for_thread(reader, 3_000)),
        Ok(()),
    )?;
    let got = got.lock().expect("result lock").take();
    c.eq("the waiting receive", got, Some(Ok(b"ping".to_vec())))
}

/// A blocking recv waiting in one thread is a receive request, as a pending overlapped one
/// is (EV-20): the data it takes is never readable to another thread's select, nor
/// recorded as FD_READ. With no receive waiting, the next data is both.
fn blocking_recv_takes_data<W: Winsock + Select + EventSelect>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let reader = start_reader(ws, move |ws| {
        let mut b = [0u8; 16];
        ws.recv(sv, &mut b, 0).map(|n| b[..n].to_vec())
    })?;
    ws.sleep(200);
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    // Chosen while the recv waits: the recv was queued first.
    e("WSAEventSelect", ws.wsa_event_select(sv, ev, FD_READ))?;
    unseen_while_a_receive_waits(ws, c, sv, reader, move |ws| ws.send(cl, b"ping", 0))?;
    let mut ne = WsaNetworkEvents::default();
    e(
        "WSAEnumNetworkEvents",
        ws.wsa_enum_network_events(sv, Some(ev), &mut ne),
    )?;
    c.eq(
        "no FD_READ for the data the recv took",
        ne.network_events,
        0,
    )?;
    e("send", ws.send(cl, b"pong", 0))?;
    let ne = signalled_events(ws, c, "signalled for the next data", sv, ev)?;
    c.eq("FD_READ", ne.network_events, FD_READ)?;
    let mut b = [0u8; 8];
    c.eq("recv", e("recv", ws.recv(sv, &mut b, 0))?, 4)?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))
}

/// The datagram sibling of [`blocking_recv_takes_data`]: a recvfrom waiting in one thread
/// takes the datagram that arrives; another thread's select does not see it, nor FIONREAD.
fn blocking_recvfrom_takes_datagram<W: Winsock + Select>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let a = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    let b = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    e("bind", ws.bind(a, &SockAddr::v4([127, 0, 0, 1], 0)))?;
    e("bind", ws.bind(b, &SockAddr::v4([127, 0, 0, 1], 0)))?;
    let to = e("getsockname", ws.getsockname(b))?;
    let reader = start_reader(ws, move |ws| {
        let mut buf = [0u8; 16];
        ws.recvfrom(b, &mut buf, 0).map(|(n, _)| buf[..n].to_vec())
    })?;
    ws.sleep(200);
    unseen_while_a_receive_waits(ws, c, b, reader, move |ws| ws.sendto(a, b"ping", 0, &to))?;
    e("closesocket", ws.closesocket(a))?;
    e("closesocket", ws.closesocket(b))
}

/// Whether `ev` is signalled within a second (a wait consumes nothing: a WSA event is
/// manual-reset; Wine's server re-signals a moment after the call, Windows within it).
fn is_signalled<W: EventSelect>(ws: &W, ev: WsaEvent) -> Result<bool, String> {
    let r = e(
        "wait",
        ws.wsa_wait_for_multiple_events(&[ev], false, 1_000, false),
    )?;
    Ok(r == WSA_WAIT_EVENT_0)
}

/// What WSAEnumNetworkEvents reports now.
fn enum_now<W: EventSelect>(ws: &W, s: Socket, ev: WsaEvent) -> Result<i32, String> {
    let mut ne = WsaNetworkEvents::default();
    e(
        "WSAEnumNetworkEvents",
        ws.wsa_enum_network_events(s, Some(ev), &mut ne),
    )?;
    Ok(ne.network_events)
}

/// sock.c's `event_client` reads after each FD_READ until WSAEWOULDBLOCK and requires the
/// first recv of the next FD_READ to succeed: the recv that drained the data took back the
/// FD_READ an earlier recv had recorded.
fn drain_withdraws_read<W: Winsock + EventSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    e("WSAEventSelect", ws.wsa_event_select(sv, ev, FD_READ))?;
    e("send", ws.send(cl, b"0123456789", 0))?;
    let ne = signalled_events(ws, c, "signalled for FD_READ", sv, ev)?;
    c.eq("FD_READ", ne.network_events, FD_READ)?;
    let mut b = [0u8; 16];
    c.eq("a partial recv", e("recv", ws.recv(sv, &mut b[..4], 0))?, 4)?;
    c.eq(
        "data remains: FD_READ recorded and signalled again",
        is_signalled(ws, ev)?,
        true,
    )?;
    c.eq("the rest", e("recv", ws.recv(sv, &mut b, 0))?, 6)?;
    c.eq(
        "the drained FD_READ is not reported",
        enum_now(ws, sv, ev)?,
        0,
    )?;
    c.eq(
        "no data",
        code(ws.recv(sv, &mut b, 0)),
        Err(WsaError::WSAEWOULDBLOCK),
    )?;
    e("send", ws.send(cl, b"abc", 0))?;
    let ne = signalled_events(ws, c, "new data signals", sv, ev)?;
    c.eq("new data: FD_READ", ne.network_events, FD_READ)?;
    c.eq("its bytes", e("recv", ws.recv(sv, &mut b, 0))?, 3)?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))
}

/// FD_ACCEPT's re-enabling call withdraws an unenumerated record as recv does FD_READ's.
fn drain_withdraws_accept<W: Winsock + EventSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, a) = listener(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    e("WSAEventSelect", ws.wsa_event_select(l, ev, FD_ACCEPT))?;
    let (c1, c2) = (tcp(ws)?, tcp(ws)?);
    e("connect", ws.connect(c1, &a))?;
    e("connect", ws.connect(c2, &a))?;
    // Both connections reach the backlog (the listener's side completes on the client's
    // ACK, after connect returns).
    ws.sleep(100);
    let ne = signalled_events(ws, c, "signalled for FD_ACCEPT", l, ev)?;
    c.eq("FD_ACCEPT", ne.network_events, FD_ACCEPT)?;
    let (s1, _) = e("accept", ws.accept(l))?;
    c.eq(
        "a connection remains: FD_ACCEPT recorded and signalled again",
        is_signalled(ws, ev)?,
        true,
    )?;
    let (s2, _) = e("accept", ws.accept(l))?;
    c.eq(
        "the taken FD_ACCEPT is not reported",
        enum_now(ws, l, ev)?,
        0,
    )?;
    for s in [s1, s2, c1, c2, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("WSACloseEvent", ws.wsa_close_event(ev))
}

/// afd.c test_event_select: a registration for everything records the connection's
/// FD_WRITE; cancelling it leaves nothing for WSAEnumNetworkEvents.
fn cancel_reports_nothing<W: Winsock + EventSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    e("WSAEventSelect", ws.wsa_event_select(cl, ev, FD_ALL_EVENTS))?;
    c.eq("FD_WRITE signalled", is_signalled(ws, ev)?, true)?;
    e(
        "WSAEventSelect(0)",
        ws.wsa_event_select(cl, WsaEvent::from_raw(0), 0),
    )?;
    let mut ne = WsaNetworkEvents::default();
    e(
        "WSAEnumNetworkEvents",
        ws.wsa_enum_network_events(cl, None, &mut ne),
    )?;
    c.eq("nothing reported after the cancel", ne.network_events, 0)?;
    for s in [cl, sv] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("WSACloseEvent", ws.wsa_close_event(ev))
}
