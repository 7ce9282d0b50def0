//! The model of what the program has done and observed (for `event_properties.rs`): which
//! FD_* events Windows' re-enabling rules allow or require after each operation, checked
//! against the events the simulator records.

use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

use crate::{Mode, Op, ABORTED, MASK, SETTLE_MS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Client {
    Open,
    /// shutdown(SD_SEND) done: its FIN is on the way.
    Shut,
    /// closesocket (graceful or not) done: no more client operations.
    Closed,
}

/// What one operation did, as seen by the program.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Effect {
    /// A normal recv was called on the server (re-enables FD_READ).
    pub(crate) recv_called: bool,
    /// Bytes that recv took.
    pub(crate) consumed: u32,
    /// recv(MSG_OOB) was called on the server (re-enables FD_OOB).
    pub(crate) oob_recv_called: bool,
    /// What the server's normal recv returned.
    pub(crate) recv_result: Option<Result<usize, WsaError>>,
}

/// Counters of what the run exercised (for the coverage test).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Seen {
    pub(crate) reads: u32,
    pub(crate) oobs: u32,
    pub(crate) writes_after_block: u32,
    pub(crate) would_blocks: u32,
    pub(crate) close_graceful: u32,
    pub(crate) close_aborted: u32,
}

pub(crate) struct Model {
    pub(crate) mode: Mode,
    pub(crate) c: Socket,
    pub(crate) s: Socket,
    pub(crate) hwnd: Hwnd,
    pub(crate) ev: WsaEvent,
    pub(crate) client: Client,
    /// The client's closesocket was abortive (RST-close, or unread data): FD_CLOSE must carry
    /// WSAECONNABORTED.
    pub(crate) must_abort: bool,
    /// A reset may follow a graceful close (server data reaching the closed client).
    pub(crate) may_abort: bool,
    /// Bytes the server's sends took, and the client's reads returned.
    pub(crate) server_sent: u64,
    pub(crate) client_read: u64,
    /// Steps so far (0 = the registration).
    pub(crate) step: usize,
    pub(crate) fd_write_seen: u32,
    /// A send failed with WSAEWOULDBLOCK since the last FD_WRITE.
    pub(crate) blocked: bool,
    pub(crate) close_seen: u32,
    /// Message mode: FD_READ / FD_OOB may be posted (re-enabled and not posted since).
    pub(crate) read_enabled: bool,
    pub(crate) oob_enabled: bool,
    /// Urgent bytes the client sent that no FD_OOB has accounted for yet (event mode: each
    /// FD_OOB needs a new urgent byte or a recv(MSG_OOB)).
    pub(crate) urgent_unreported: u32,
    /// FIONREAD and SIOCATMARK at the end of the previous step.
    pub(crate) prev_fionread: u32,
    pub(crate) prev_atmark: u32,
    pub(crate) seen: Seen,
    pub(crate) log: Vec<String>,
}

pub(crate) fn names(bits: i32) -> String {
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
    pub(crate) fn fail(&self, what: &str) -> ! {
        let from = self.log.len().saturating_sub(25);
        panic!(
            "{:?} mode, step {}: {what}\nlast steps:\n  {}",
            self.mode,
            self.step,
            self.log[from..].join("\n  ")
        );
    }

    pub(crate) fn ensure(&self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.fail(&what());
        }
    }

    /// Every event reported since the last collection, in order, as (FD_x, error).
    pub(crate) fn collect(&self, ws: &SimWinsock) -> Result<Vec<(i32, i32)>, WsaError> {
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
    pub(crate) fn exec(&mut self, ws: &SimWinsock, op: Op) -> Result<(Effect, String), WsaError> {
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
                format!("{:?}", crate::common::rst_close(ws, c))
            }
        };
        Ok((fx, res))
    }

    /// One step: the operation, the settle time, the probes and the checks.
    pub(crate) fn step(
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

    pub(crate) fn check(
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
