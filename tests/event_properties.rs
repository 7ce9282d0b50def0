//! Property tests of the FD_* network events (conformance section 1, EV-*): random operation
//! sequences on a connected pair never make the sim report an event Windows would not report,
//! and never lose one the program is waiting for. One property per mode: WSAEventSelect with a
//! manual-reset event, WSAAsyncSelect with a window drained by `PeekMessage(NULL, PM_REMOVE)`.
//!
//! Setup: the catalogue's pair (as `common::pair`, with the drawn buffer sizes set before the
//! connection exists; one simulated thread owns both ends); the client is made nonblocking (so
//! it can never deadlock the only thread) and is never registered; the server end is registered
//! for FD_READ|FD_WRITE|FD_OOB|FD_CLOSE. Small SO_RCVBUF / SO_SNDBUF make the server's sends
//! fail with WSAEWOULDBLOCK and the client's data queue up. Each case runs its own Sim with the
//! drawn seed; a failure panics in the simulated thread, and the sim's report names the seed.
//!
//! Each step: one operation, [`SETTLE_MS`] of virtual time (the network is quiescent after it),
//! a `select` probe of the server end (zero timeout), then the events are collected (event
//! mode: whether the event is signalled, then `WSAEnumNetworkEvents`; message mode: every
//! queued message), then FIONREAD and SIOCATMARK are read — collection strictly before the
//! probes of data, and no recv in between. The invariants checked after every step:
//!
//! - only registered events; FD_CONNECT (and FD_ACCEPT) never on the accepted socket (EV-12);
//!   message mode: hwnd, WM_USER, wParam = socket, one event per lParam; event mode: the event
//!   object is signalled exactly when the enumeration reports something;
//! - FD_READ only while the server has unread data (FIONREAD > 0); message mode: at most one
//!   per re-enabling recv; event mode: only for newly arrived data or after a recv that left
//!   data (EV-17) — or with an urgent byte (see `sim_bug_urgent_only_segment_records_fd_read`);
//! - FD_OOB only while an urgent byte is unread (SIOCATMARK == 0); message mode: at most one per
//!   recv(MSG_OOB); event mode: one per urgent byte sent or recv(MSG_OOB) (EV-21);
//! - FD_CLOSE at most once, only after the client's shutdown(SD_SEND) / closesocket, with
//!   iErrorCode 0 after a graceful close (received data may still be unread: Windows reports
//!   the FIN at once, sock.c test_close_events) and WSAECONNABORTED after a reset (EV-22,
//!   EV-23, EV-25); a graceful closesocket with unread data is a reset;
//! - FD_WRITE exactly once at registration (EV-12), then only after a send failed with
//!   WSAEWOULDBLOCK, one per such failure (EV-16);
//! - nothing lost: unread data with FD_READ enabled (message mode), or newly arrived data
//!   (event mode), has an FD_READ by the end of the step; likewise FD_OOB; a FIN or reset with
//!   all data read (select: readable, FIONREAD 0) has had its FD_CLOSE; a WSAEWOULDBLOCK
//!   followed by send space (select: writable) has had its FD_WRITE.
//!
//! After the random operations a fixed ending makes the "nothing lost" rules bite: the client
//! drains until the server can send again, closes, and the server reads to the end; FD_CLOSE
//! must then have been reported exactly once.
//!
//! The model that checks these rules is in `event_properties/model.rs`.
mod common;
#[path = "event_properties/model.rs"]
mod model;

use std::sync::{Arc, Mutex};

use proptest::prelude::*;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

use model::{Client, Model, Seen};

/// Virtual time let pass after each operation, before the events are collected. Loopback
/// latency is 20 µs, but a lone segment's ACK waits for Windows' 200 ms delayed-ACK timer and
/// Nagle holds a small send until that ACK: the network is quiescent after 250 ms.
const SETTLE_MS: u32 = 250;

/// The events the server end is registered for.
const MASK: i32 = FD_READ | FD_WRITE | FD_OOB | FD_CLOSE;

/// WSAECONNABORTED as an iErrorCode.
const ABORTED: i32 = 10053;

/// Cases per property: `PROPTEST_CASES` or 32.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

// ---------------------------------------------------------------------------------------------
// The case
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// WSAEventSelect with a manual-reset event.
    Event,
    /// WSAAsyncSelect with a window.
    Message,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// The client sends k bytes (nonblocking).
    ClientSend(usize),
    /// The client sends one urgent byte (MSG_OOB).
    ClientOob,
    /// The server calls recv with an n-byte buffer.
    ServerRecv(usize),
    /// The server calls recv(MSG_OOB).
    ServerRecvOob,
    /// The server sends k bytes (nonblocking: may fail with WSAEWOULDBLOCK).
    ServerSend(usize),
    /// The client reads everything it has received.
    ClientDrain,
    /// Sleep(d).
    Sleep(u32),
    /// The client calls shutdown(SD_SEND).
    ClientShutdown,
    /// The client calls closesocket (graceful unless it has unread data).
    ClientClose,
    /// SO_LINGER {1, 0}, then closesocket: a reset.
    ClientRstClose,
}

#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    client_rcvbuf: Option<i32>,
    server_rcvbuf: Option<i32>,
    server_sndbuf: Option<i32>,
    ops: Vec<Op>,
}

fn buf_opt() -> impl Strategy<Value = Option<i32>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(0)),
        1 => Just(Some(512)),
        1 => Just(Some(4096)),
    ]
}

/// One operation. `flood` favours server sends, with few client drains and no client close,
/// so the server's send buffer fills and its sends fail with WSAEWOULDBLOCK.
fn op(flood: bool) -> BoxedStrategy<Op> {
    let (send_w, drain_w, close_w) = if flood { (24, 1, 0) } else { (4, 2, 1) };
    let mut arms: Vec<(u32, BoxedStrategy<Op>)> = vec![
        (4, (1usize..=5000).prop_map(Op::ClientSend).boxed()),
        (2, Just(Op::ClientOob).boxed()),
        (4, (1usize..=4096).prop_map(Op::ServerRecv).boxed()),
        (2, Just(Op::ServerRecvOob).boxed()),
        (
            send_w,
            prop_oneof![1 => 1usize..=5000, 2 => 4000usize..=5000]
                .prop_map(Op::ServerSend)
                .boxed(),
        ),
        (drain_w, Just(Op::ClientDrain).boxed()),
        (1, (0u32..20).prop_map(Op::Sleep).boxed()),
    ];
    if close_w > 0 {
        arms.push((close_w, Just(Op::ClientShutdown).boxed()));
        arms.push((close_w, Just(Op::ClientClose).boxed()));
        arms.push((close_w, Just(Op::ClientRstClose).boxed()));
    }
    prop::strategy::Union::new_weighted(arms).boxed()
}

fn case() -> impl Strategy<Value = Case> {
    any::<bool>().prop_flat_map(|flood| {
        // Windows' TCP accepts 64 KiB beyond SO_SNDBUF (conformance OP-02): a flood needs
        // small buffers and a long sequence to see WSAEWOULDBLOCK.
        let (client_rcvbuf, server_sndbuf, len) = if flood {
            (
                prop::sample::select(vec![Some(0), Some(512), Some(4096)]).boxed(),
                prop::sample::select(vec![Some(0), Some(512)]).boxed(),
                24..40,
            )
        } else {
            (buf_opt().boxed(), buf_opt().boxed(), 1..40)
        };
        (
            any::<u64>(),
            client_rcvbuf,
            buf_opt(),
            server_sndbuf,
            prop::collection::vec(op(flood), len),
        )
            .prop_map(
                |(seed, client_rcvbuf, server_rcvbuf, server_sndbuf, ops)| Case {
                    seed,
                    client_rcvbuf,
                    server_rcvbuf,
                    server_sndbuf,
                    ops,
                },
            )
    })
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

/// `common::pair`, with the buffer sizes set before the connection exists (a receive window
/// already advertised does not shrink): SO_RCVBUF / SO_SNDBUF on the listener are inherited
/// by the accepted socket.
fn pair_with_buffers(ws: &SimWinsock, case: &Case) -> Result<(Socket, Socket), WsaError> {
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    if let Some(v) = case.server_rcvbuf {
        ws.setsockopt_i32(l, SOL_SOCKET, SO_RCVBUF, v)?;
    }
    if let Some(v) = case.server_sndbuf {
        ws.setsockopt_i32(l, SOL_SOCKET, SO_SNDBUF, v)?;
    }
    ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
    ws.listen(l, 1)?;
    let addr = ws.getsockname(l)?;
    let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    if let Some(v) = case.client_rcvbuf {
        ws.setsockopt_i32(c, SOL_SOCKET, SO_RCVBUF, v)?;
    }
    ws.connect(c, &addr)?;
    let (s, _) = ws.accept(l)?;
    ws.closesocket(l)?;
    for (sock, name, opt, want) in [
        (s, "server SO_RCVBUF", SO_RCVBUF, case.server_rcvbuf),
        (s, "server SO_SNDBUF", SO_SNDBUF, case.server_sndbuf),
        (c, "client SO_RCVBUF", SO_RCVBUF, case.client_rcvbuf),
    ] {
        if let Some(v) = want {
            assert_eq!(
                ws.getsockopt_i32(sock, SOL_SOCKET, opt)?,
                v,
                "{name} not set"
            );
        }
    }
    Ok((c, s))
}

fn run_case(case: &Case, mode: Mode) -> Seen {
    let out = Arc::new(Mutex::new(Seen::default()));
    let result = out.clone();
    let case2 = case.clone();
    common::run_with(Sim::builder().seed(case.seed), move |ws| {
        let case = case2;
        let (c, s) = pair_with_buffers(ws, &case)?;
        ws.set_nonblocking(c, true)?;
        let mut m = Model {
            mode,
            c,
            s,
            hwnd: Hwnd::NULL,
            ev: WsaEvent::INVALID,
            client: Client::Open,
            must_abort: false,
            may_abort: false,
            server_sent: 0,
            client_read: 0,
            step: 0,
            fd_write_seen: 0,
            blocked: false,
            close_seen: 0,
            read_enabled: true,
            oob_enabled: true,
            urgent_unreported: 0,
            prev_fionread: 0,
            prev_atmark: 1,
            seen: Seen::default(),
            log: Vec::new(),
        };
        match mode {
            Mode::Event => {
                m.ev = ws.wsa_create_event()?;
                ws.wsa_event_select(s, m.ev, MASK)?;
            }
            Mode::Message => {
                m.hwnd = ws.create_window(None)?;
                ws.wsa_async_select(s, m.hwnd, WM_USER, MASK)?;
            }
        }
        m.step(ws, None)?;
        for &op in &case.ops {
            m.step(ws, Some(op))?;
        }

        // The ending. 1: the client drains until a blocked server can send again.
        let mut n = 0;
        while m.blocked && m.client != Client::Closed {
            m.step(ws, Some(Op::ClientDrain))?;
            n += 1;
            m.ensure(n < 500, || "the server's send never got space back".into());
        }
        // 2: the client drains until nothing more comes, and closes (graceful).
        let mut n = 0;
        while m.client != Client::Closed {
            m.step(ws, Some(Op::ClientDrain))?;
            let mut unread = 0u32;
            ws.ioctlsocket(c, FIONREAD, &mut unread)?;
            if unread == 0 {
                m.step(ws, Some(Op::ClientClose))?;
            }
            n += 1;
            m.ensure(n < 500, || {
                "the client never drained the server's data".into()
            });
        }
        // 3: the server reads to the end: recv gives 0 (FIN) or an error (reset).
        let mut n = 0;
        loop {
            let (_, fx) = m.step(ws, Some(Op::ServerRecv(4096)))?;
            match fx.recv_result {
                Some(Ok(0))
                | Some(Err(WsaError::WSAECONNRESET))
                | Some(Err(WsaError::WSAECONNABORTED)) => break,
                _ => {}
            }
            n += 1;
            m.ensure(n < 500, || "the server never read to the end".into());
        }
        m.ensure(m.close_seen == 1, || {
            format!(
                "FD_CLOSE reported {} times by the end (expected 1)",
                m.close_seen
            )
        });
        // 4: quiet afterwards.
        let (extra, _) = m.step(ws, Some(Op::Sleep(100)))?;
        m.ensure(extra.is_empty(), || {
            format!("events after the end: {extra:?}")
        });
        *result.lock().unwrap() = m.seen;
        ws.closesocket(s)
    });
    let seen = *out.lock().unwrap();
    seen
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    // Proves: under WSAEventSelect no random sequence of sends, urgent sends, receives,
    // drains, sleeps, shutdowns and (abortive) closes makes the sim record an FD_* event
    // Windows would not, or fail to record one it would.
    #[test]
    fn event_select_events_are_sound_and_complete(c in case()) {
        run_case(&c, Mode::Event);
    }

    // Proves: the same under WSAAsyncSelect, with message mode's one-post-per-re-enable rule.
    #[test]
    fn async_select_events_are_sound_and_complete(c in case()) {
        run_case(&c, Mode::Message);
    }
}

// ---------------------------------------------------------------------------------------------
// Fixed cases
// ---------------------------------------------------------------------------------------------

// Proves: the checker is exercised on every path it guards — a flood that blocks the server's
// send and gets its FD_WRITE back, urgent data, a graceful FD_CLOSE, and an abortive one — in
// both modes.
#[test]
fn fixed_sequences_cover_every_checked_event() {
    let mut flood = vec![Op::ServerSend(5000); 20];
    flood.extend([
        Op::ClientSend(3000),
        Op::ClientOob,
        Op::ServerRecv(1000),
        Op::ServerRecvOob,
        Op::ClientShutdown,
    ]);
    let flood = Case {
        seed: 1,
        client_rcvbuf: Some(0),
        server_rcvbuf: None,
        server_sndbuf: Some(0),
        ops: flood,
    };
    let reset = Case {
        seed: 2,
        client_rcvbuf: None,
        server_rcvbuf: None,
        server_sndbuf: None,
        ops: vec![Op::ClientSend(100), Op::ClientOob, Op::ClientRstClose],
    };
    for mode in [Mode::Event, Mode::Message] {
        let seen = run_case(&flood, mode);
        assert!(
            seen.would_blocks > 0,
            "{mode:?}: no WSAEWOULDBLOCK: {seen:?}"
        );
        assert_eq!(seen.writes_after_block, 1, "{mode:?}: {seen:?}");
        assert!(seen.reads > 0 && seen.oobs > 0, "{mode:?}: {seen:?}");
        assert_eq!(
            (seen.close_graceful, seen.close_aborted),
            (1, 0),
            "{mode:?}"
        );
        let seen = run_case(&reset, mode);
        assert_eq!(
            (seen.close_graceful, seen.close_aborted),
            (0, 1),
            "{mode:?}"
        );
    }
}

/// Waits (briefly) for `ev`, lets the network settle, and enumerates `s`: lNetworkEvents and
/// iErrorCode[FD_CLOSE_BIT].
fn enum_close(ws: &SimWinsock, s: Socket, ev: WsaEvent) -> Result<(i32, i32), WsaError> {
    ws.wsa_wait_for_multiple_events(&[ev], false, 200, false)?;
    ws.sleep(50);
    let mut ne = WsaNetworkEvents::default();
    ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
    Ok((ne.network_events, ne.error_code[FD_CLOSE_BIT]))
}

// Regression (found by the event-mode property): FD_CLOSE has no re-enabling call, so it is
// reported once per connection. Event mode once recorded it a second time, with
// WSAECONNABORTED, when a reset followed the graceful FD_CLOSE (or when the server sent to a
// client that had closed, whose reset came back).
#[test]
fn regression_event_mode_fd_close_reported_once() {
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, ev, FD_CLOSE)?;
        ws.shutdown(c, SD_SEND)?;
        assert_eq!(
            enum_close(ws, s, ev)?,
            (FD_CLOSE, 0),
            "FIN: FD_CLOSE, error 0"
        );
        common::rst_close(ws, c)?;
        // FD_CLOSE was reported already: nothing more.
        assert_eq!(
            enum_close(ws, s, ev)?,
            (0, 0),
            "second FD_CLOSE after the reset"
        );
        ws.closesocket(s)
    });
}

// Regression (found by the event-mode property; Windows behaviour inferred from EV-21, where
// nothing else is unread): a segment that carries only an urgent byte (SO_OOBINLINE off)
// brings no normal data, so only FD_OOB is reported — also when older normal data is still
// unread. The sim once recorded FD_READ as well.
#[test]
fn regression_urgent_only_segment_records_no_fd_read() {
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, ev, FD_READ | FD_OOB)?;
        ws.send(c, b"a", 0)?;
        ws.sleep(50);
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_READ, "1 byte of normal data");
        ws.send(c, b"!", MSG_OOB)?;
        ws.sleep(50);
        ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
        // Expected: FD_OOB alone (no new normal data). The sim: FD_READ | FD_OOB.
        assert_eq!(ne.network_events, FD_OOB, "an urgent byte alone");
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}
