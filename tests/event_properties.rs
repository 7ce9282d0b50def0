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
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

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
// The model of what the program has done and observed
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    Open,
    /// shutdown(SD_SEND) done: its FIN is on the way.
    Shut,
    /// closesocket (graceful or not) done: no more client operations.
    Closed,
}

/// What one operation did, as seen by the program.
#[derive(Debug, Default, Clone, Copy)]
struct Effect {
    /// A normal recv was called on the server (re-enables FD_READ).
    recv_called: bool,
    /// Bytes that recv took.
    consumed: u32,
    /// recv(MSG_OOB) was called on the server (re-enables FD_OOB).
    oob_recv_called: bool,
    /// What the server's normal recv returned.
    recv_result: Option<Result<usize, WsaError>>,
}

/// Counters of what the run exercised (for the coverage test).
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    reads: u32,
    oobs: u32,
    writes_after_block: u32,
    would_blocks: u32,
    close_graceful: u32,
    close_aborted: u32,
}

struct Model {
    mode: Mode,
    c: Socket,
    s: Socket,
    hwnd: Hwnd,
    ev: WsaEvent,
    client: Client,
    /// The client's closesocket was abortive (RST-close, or unread data): FD_CLOSE must carry
    /// WSAECONNABORTED.
    must_abort: bool,
    /// A reset may follow a graceful close (server data reaching the closed client).
    may_abort: bool,
    /// Bytes the server's sends took, and the client's reads returned.
    server_sent: u64,
    client_read: u64,
    /// Steps so far (0 = the registration).
    step: usize,
    fd_write_seen: u32,
    /// A send failed with WSAEWOULDBLOCK since the last FD_WRITE.
    blocked: bool,
    close_seen: u32,
    /// Message mode: FD_READ / FD_OOB may be posted (re-enabled and not posted since).
    read_enabled: bool,
    oob_enabled: bool,
    /// Urgent bytes the client sent that no FD_OOB has accounted for yet (event mode: each
    /// FD_OOB needs a new urgent byte or a recv(MSG_OOB)).
    urgent_unreported: u32,
    /// FIONREAD and SIOCATMARK at the end of the previous step.
    prev_fionread: u32,
    prev_atmark: u32,
    seen: Seen,
    log: Vec<String>,
}

fn names(bits: i32) -> String {
    let mut v = Vec::new();
    for (b, n) in [
        (FD_READ, "READ"),
        (FD_WRITE, "WRITE"),
        (FD_OOB, "OOB"),
        (FD_ACCEPT, "ACCEPT"),
        (FD_CONNECT, "CONNECT"),
        (FD_CLOSE, "CLOSE"),
    ] {
        if bits & b != 0 {
            v.push(n);
        }
    }
    if bits & !0x3f != 0 {
        v.push("?");
    }
    v.join("|")
}

impl Model {
    fn fail(&self, what: &str) -> ! {
        let from = self.log.len().saturating_sub(25);
        panic!(
            "{:?} mode, step {}: {what}\nlast steps:\n  {}",
            self.mode,
            self.step,
            self.log[from..].join("\n  ")
        );
    }

    fn ensure(&self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.fail(&what());
        }
    }

    /// Every event reported since the last collection, in order, as (FD_x, error).
    fn collect(&self, ws: &SimWinsock) -> Result<Vec<(i32, i32)>, WsaError> {
        let mut out = Vec::new();
        match self.mode {
            Mode::Event => {
                let signalled = ws.wsa_wait_for_multiple_events(&[self.ev], false, 0, false)?;
                let mut ne = WsaNetworkEvents::default();
                ws.wsa_enum_network_events(self.s, Some(self.ev), &mut ne)?;
                let bits = ne.network_events;
                self.ensure((signalled == WSA_WAIT_EVENT_0) == (bits != 0), || {
                    format!(
                        "event signalled = {}, but WSAEnumNetworkEvents reported {bits:#x}",
                        signalled == WSA_WAIT_EVENT_0
                    )
                });
                for i in 0..FD_MAX_EVENTS {
                    if bits & (1 << i) != 0 {
                        out.push((1 << i, ne.error_code[i]));
                    }
                }
            }
            Mode::Message => {
                while let Some(m) = ws.peek_message(Hwnd::NULL, PM_REMOVE)? {
                    let ev = wsa_get_select_event(m.lparam);
                    let err = wsa_get_select_error(m.lparam);
                    self.ensure(
                        m.hwnd == self.hwnd
                            && m.message == WM_USER
                            && m.wparam == self.s.raw()
                            && ev.count_ones() == 1,
                        || format!("unexpected message {m:?}"),
                    );
                    out.push((ev, err));
                    self.ensure(out.len() < 100, || "message flood".into());
                }
            }
        }
        Ok(out)
    }

    /// Runs one operation; returns what the program saw of it.
    fn exec(&mut self, ws: &SimWinsock, op: Op) -> Result<(Effect, String), WsaError> {
        let (c, s) = (self.c, self.s);
        let mut fx = Effect::default();
        let client_gone = self.client == Client::Closed;
        let res = match op {
            Op::ClientSend(_) | Op::ClientOob | Op::ClientShutdown
                if client_gone || self.client == Client::Shut =>
            {
                "skipped".to_string()
            }
            Op::ClientDrain | Op::ClientClose | Op::ClientRstClose if client_gone => {
                "skipped".to_string()
            }
            Op::ClientSend(k) => format!("{:?}", ws.send(c, &vec![b'c'; k], 0)),
            Op::ClientOob => {
                let r = ws.send(c, b"!", MSG_OOB);
                if r == Ok(1) {
                    self.urgent_unreported += 1;
                }
                format!("{r:?}")
            }
            Op::ServerRecv(n) => {
                let mut b = vec![0u8; n];
                let r = ws.recv(s, &mut b, 0);
                fx.recv_called = true;
                fx.recv_result = Some(r);
                if let Ok(k) = r {
                    fx.consumed = k as u32;
                }
                format!("{r:?}")
            }
            Op::ServerRecvOob => {
                let mut b = [0u8; 1];
                let r = ws.recv(s, &mut b, MSG_OOB);
                fx.oob_recv_called = true;
                format!("{r:?}")
            }
            Op::ServerSend(k) => {
                let r = ws.send(s, &vec![b's'; k], 0);
                match r {
                    Ok(n) => {
                        self.server_sent += n as u64;
                        if self.client == Client::Closed {
                            // Data reaching the closed client is answered with a reset.
                            self.may_abort = true;
                        }
                    }
                    Err(WsaError::WSAEWOULDBLOCK) => {
                        self.blocked = true;
                        self.seen.would_blocks += 1;
                    }
                    Err(_) => {}
                }
                format!("{r:?}")
            }
            Op::ClientDrain => {
                let mut b = vec![0u8; 65536];
                let mut total = 0usize;
                let last = loop {
                    match ws.recv(c, &mut b, 0) {
                        Ok(0) => break Ok(0),
                        Ok(n) => total += n,
                        Err(e) => break Err(e),
                    }
                };
                self.client_read += total as u64;
                format!("{total} bytes, then {last:?}")
            }
            Op::Sleep(d) => {
                ws.sleep(d);
                String::new()
            }
            Op::ClientShutdown => {
                let r = ws.shutdown(c, SD_SEND);
                if r.is_ok() {
                    self.client = Client::Shut;
                }
                format!("{r:?}")
            }
            Op::ClientClose => {
                let mut unread = 0u32;
                ws.ioctlsocket(c, FIONREAD, &mut unread)?;
                if unread > 0 {
                    // Windows resets a connection closed with unread data.
                    self.must_abort = true;
                } else if self.client_read < self.server_sent {
                    // Server data still queued or in flight will meet a closed socket.
                    self.may_abort = true;
                }
                self.client = Client::Closed;
                format!("{:?} (client had {unread} unread)", ws.closesocket(c))
            }
            Op::ClientRstClose => {
                self.must_abort = true;
                self.client = Client::Closed;
                format!("{:?}", common::rst_close(ws, c))
            }
        };
        Ok((fx, res))
    }

    /// One step: the operation, the settle time, the probes and the checks.
    fn step(
        &mut self,
        ws: &SimWinsock,
        op: Option<Op>,
    ) -> Result<(Vec<(i32, i32)>, Effect), WsaError> {
        let (fx, res) = match op {
            Some(op) => self.exec(ws, op)?,
            None => (Effect::default(), String::new()),
        };
        if fx.recv_called {
            self.read_enabled = true;
        }
        if fx.oob_recv_called {
            self.oob_enabled = true;
        }
        ws.sleep(SETTLE_MS);

        // Probes that do not touch the FD_* state: writable (send space), readable.
        let s = self.s;
        let mut rd = FdSet::new();
        rd.set(s);
        let mut wr = FdSet::new();
        wr.set(s);
        ws.select(Some(&mut rd), Some(&mut wr), None, Some(Duration::ZERO))?;
        let (readable, writable) = (rd.is_set(s), wr.is_set(s));

        // Collect first, then look at the data.
        let events = self.collect(ws)?;
        let mut fionread = 0u32;
        ws.ioctlsocket(s, FIONREAD, &mut fionread)?;
        let mut atmark = 0u32;
        ws.ioctlsocket(s, SIOCATMARK, &mut atmark)?;

        let shown: Vec<String> = events
            .iter()
            .map(|&(b, e)| {
                if e == 0 {
                    names(b)
                } else {
                    format!("{}({e})", names(b))
                }
            })
            .collect();
        self.log.push(format!(
            "#{} {:?} -> {res} | events [{}] | FIONREAD {fionread} SIOCATMARK {atmark} \
             readable {readable} writable {writable}",
            self.step,
            op,
            shown.join(", ")
        ));

        self.check(&fx, &events, fionread, atmark, readable, writable);
        self.prev_fionread = fionread;
        self.prev_atmark = atmark;
        self.step += 1;
        Ok((events, fx))
    }

    fn check(
        &mut self,
        fx: &Effect,
        events: &[(i32, i32)],
        fionread: u32,
        atmark: u32,
        readable: bool,
        writable: bool,
    ) {
        let event_mode = self.mode == Mode::Event;
        let registration = self.step == 0;
        let oob_unread = atmark == 0;
        // Bytes that arrived during the step (negative after a reset discarded data).
        let arrived =
            i64::from(fionread) - (i64::from(self.prev_fionread) - i64::from(fx.consumed));
        let oob_arrived = self.prev_atmark != 0 && oob_unread;

        let mut got = 0;
        for &(bit, err) in events {
            got |= bit;
            self.ensure(bit & MASK != 0, || {
                format!(
                    "FD_{} reported, not registered (never on an accepted socket)",
                    names(bit)
                )
            });
            match bit {
                FD_READ => {
                    self.seen.reads += 1;
                    self.ensure(fionread > 0, || "FD_READ with no unread data".into());
                    if event_mode {
                        // The sim also records FD_READ when a segment carrying only an urgent
                        // byte arrives while older data is unread (see
                        // `sim_bug_urgent_only_segment_records_fd_read`): tolerated here.
                        let urgent_came = events.iter().any(|&(b, _)| b == FD_OOB);
                        let explained = registration || fx.recv_called || urgent_came;
                        self.ensure(explained || arrived > 0, || {
                            format!(
                                "FD_READ with no new data ({arrived} bytes arrived) and no recv"
                            )
                        });
                    } else {
                        self.ensure(self.read_enabled, || {
                            "second FD_READ message without a recv in between".into()
                        });
                        self.read_enabled = false;
                    }
                }
                FD_OOB => {
                    self.seen.oobs += 1;
                    self.ensure(oob_unread, || "FD_OOB with no urgent byte unread".into());
                    if event_mode {
                        let explained = registration || fx.oob_recv_called;
                        self.ensure(explained || self.urgent_unreported > 0, || {
                            "FD_OOB with no new urgent data and no recv(MSG_OOB)".into()
                        });
                        if !explained {
                            self.urgent_unreported -= 1;
                        }
                    } else {
                        self.ensure(self.oob_enabled, || {
                            "second FD_OOB message without a recv(MSG_OOB) in between".into()
                        });
                        self.oob_enabled = false;
                    }
                }
                FD_WRITE => {
                    self.ensure(err == 0, || format!("FD_WRITE with error {err}"));
                    if registration {
                        self.ensure(self.fd_write_seen == 0, || {
                            "two FD_WRITE at registration".into()
                        });
                    } else {
                        self.ensure(self.blocked, || {
                            "FD_WRITE without a WSAEWOULDBLOCK send since the previous one".into()
                        });
                        self.seen.writes_after_block += 1;
                    }
                    self.fd_write_seen += 1;
                    self.blocked = false;
                }
                FD_CLOSE => {
                    self.close_seen += 1;
                    self.ensure(self.close_seen == 1, || {
                        format!("FD_CLOSE reported a second time (error {err})")
                    });
                    self.ensure(self.client != Client::Open, || {
                        "FD_CLOSE before the client shut down or closed".into()
                    });
                    if err == 0 {
                        self.seen.close_graceful += 1;
                        self.ensure(!self.must_abort, || {
                            "FD_CLOSE with error 0 after an abortive close (expected 10053)".into()
                        });
                    } else {
                        self.seen.close_aborted += 1;
                        self.ensure(err == ABORTED, || {
                            format!("FD_CLOSE with error {err} (expected 0 or 10053)")
                        });
                        self.ensure(self.must_abort || self.may_abort, || {
                            "FD_CLOSE with WSAECONNABORTED after a graceful close (expected 0)"
                                .into()
                        });
                    }
                }
                _ => self.fail(&format!("unexpected event {bit:#x}")),
            }
        }

        if registration {
            // EV-12: an accepted socket registered with FD_WRITE reports exactly FD_WRITE.
            self.ensure(got == FD_WRITE, || {
                format!("registration reported {} (expected WRITE)", names(got))
            });
        }

        // Nothing lost.
        if event_mode {
            if arrived > 0 || (fx.recv_called && fionread > 0) {
                self.ensure(got & FD_READ != 0, || {
                    format!("FD_READ lost: {arrived} bytes arrived, {fionread} unread")
                });
            }
            if oob_arrived || (fx.oob_recv_called && oob_unread) {
                self.ensure(got & FD_OOB != 0, || "FD_OOB lost".into());
            }
        } else {
            self.ensure(!(fionread > 0 && self.read_enabled), || {
                format!("FD_READ lost: {fionread} bytes unread, FD_READ enabled, no message")
            });
            self.ensure(!(oob_unread && self.oob_enabled), || {
                "FD_OOB lost: urgent byte unread, FD_OOB enabled, no message".into()
            });
        }
        if readable && fionread == 0 {
            // A FIN with all data read, or a reset.
            self.ensure(self.close_seen == 1, || "FD_CLOSE lost".into());
        }
        if writable && self.blocked {
            self.ensure(false, || {
                "FD_WRITE lost: send space back after WSAEWOULDBLOCK".into()
            });
        }
    }
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
