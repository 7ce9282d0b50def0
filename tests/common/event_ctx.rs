//! The harness of Wine sock.c's FD_* event tests (`struct event_test_ctx`, `select_events`,
//! `check_events_`, `sync_recv`): one context that registers a socket either with
//! WSAEventSelect on a manual-reset event or with WSAAsyncSelect(WM_USER) on a window, and
//! checks what arrived the way sock.c's `check_events_` does in each mode.

use winsock_sim::prelude::*;

/// How the events are delivered (sock.c's `ctx->is_message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// WSAEventSelect on a manual-reset event, read with WSAEnumNetworkEvents.
    Event,
    /// WSAAsyncSelect(WM_USER) on a window, read with PeekMessage(PM_REMOVE).
    Message,
}

/// sock.c's `struct event_test_ctx`.
pub struct Ctx {
    pub mode: Mode,
    pub socket: Socket,
    pub event: WsaEvent,
    pub window: Hwnd,
}

/// sock.c's MAKELONG(event, error): the lParam of WSAAsyncSelect, and how check_events takes
/// an expected error.
pub const fn makelong(event: i32, error: WsaError) -> i32 {
    event | (error.code() << 16)
}

impl Ctx {
    /// test_events: `CreateEventW(NULL, TRUE, FALSE, NULL)` or `CreateWindowA("Message", ...)`.
    pub fn new<W: EventSelect + AsyncSelect>(ws: &W, mode: Mode) -> Ctx {
        let (event, window) = match mode {
            Mode::Event => (ws.wsa_create_event().expect("CreateEvent"), Hwnd::NULL),
            Mode::Message => (
                WsaEvent::INVALID,
                ws.create_window(None).expect("CreateWindow"),
            ),
        };
        Ctx {
            mode,
            socket: Socket::INVALID,
            event,
            window,
        }
    }

    /// `ctx->is_message`.
    pub fn is_message(&self) -> bool {
        self.mode == Mode::Message
    }

    /// test_events' clean-up: CloseHandle(event) / DestroyWindow(window).
    pub fn close<W: EventSelect + AsyncSelect>(self, ws: &W) {
        match self.mode {
            Mode::Event => ws.wsa_close_event(self.event).expect("CloseHandle"),
            Mode::Message => ws.destroy_window(self.window).expect("DestroyWindow"),
        }
    }

    /// sock.c's `select_events`: WSAAsyncSelect(s, window, WM_USER, events) or
    /// WSAEventSelect(s, event, events) succeeds (its one ok()); the context now watches `s`.
    #[track_caller]
    pub fn select<W: EventSelect + AsyncSelect>(&mut self, ws: &W, s: Socket, events: i32) {
        let ret = match self.mode {
            Mode::Message => ws.wsa_async_select(s, self.window, WM_USER, events),
            Mode::Event => ws.wsa_event_select(s, self.event, events),
        };
        assert_eq!(ret, Ok(()), "failed to select");
        self.socket = s;
    }

    /// sock.c's `check_events_`: in message mode, `flag1` then `flag2` (each 0 for none) arrive
    /// as WM_USER messages for the socket within `timeout_ms`, then no other message is queued;
    /// in event mode, the event is signalled within `timeout_ms` (or the wait times out when
    /// both are 0), and WSAEnumNetworkEvents reports exactly the low words of both with the
    /// high words as their iErrorCode, leaving the other slots untouched.
    #[track_caller]
    pub fn check<W: EventSelect + AsyncSelect>(
        &self,
        ws: &W,
        flag1: i32,
        flag2: i32,
        timeout_ms: u32,
    ) {
        match self.mode {
            Mode::Message => {
                for (n, flag) in [(1, flag1), (2, flag2)] {
                    if flag == 0 {
                        continue;
                    }
                    let msg = self.wait_message(ws, timeout_ms);
                    let msg = msg.unwrap_or_else(|| panic!("expected message {n} ({flag:#x})"));
                    assert_eq!(msg.message, WM_USER, "message {n}: message number");
                    assert_eq!(msg.wparam, self.socket.raw(), "message {n}: wparam");
                    assert_eq!(msg.lparam as i32, flag, "message {n}: event (lparam)");
                }
                let extra = ws
                    .peek_message(self.window, PM_REMOVE)
                    .expect("PeekMessage");
                assert_eq!(extra, None, "got an unexpected message");
            }
            Mode::Event => {
                let ret = ws
                    .wsa_wait_for_multiple_events(&[self.event], false, timeout_ms, false)
                    .expect("WaitForSingleObject");
                if flag1 | flag2 != 0 {
                    assert_eq!(ret, WSA_WAIT_EVENT_0, "event wait timed out");
                } else {
                    assert_eq!(ret, WSA_WAIT_TIMEOUT, "expected timeout");
                }
                let mut events = WsaNetworkEvents {
                    network_events: 0xcccc_cccc_u32 as i32,
                    error_code: [0xcccc_cccc_u32 as i32; FD_MAX_EVENTS],
                };
                let ret = ws.wsa_enum_network_events(self.socket, Some(self.event), &mut events);
                assert_eq!(ret, Ok(()), "failed to get events");
                let low = |f: i32| f & 0xffff;
                let high = |f: i32| (f >> 16) & 0xffff;
                assert_eq!(
                    events.network_events,
                    low(flag1 | flag2),
                    "got events {:#x}",
                    events.network_events
                );
                for (i, &code) in events.error_code.iter().enumerate() {
                    let bit = 1 << i;
                    let want = if bit == low(flag1) {
                        high(flag1)
                    } else if bit == low(flag2) {
                        high(flag2)
                    } else {
                        0xcccc_cccc_u32 as i32
                    };
                    assert_eq!(code, want, "iErrorCode for event {bit:#x}");
                }
            }
        }
    }

    /// `PeekMessage(PM_REMOVE)`, then while nothing is queued, wait for a posted message for up
    /// to `timeout_ms` (sock.c's MsgWaitForMultipleObjects(QS_POSTMESSAGE) loop; here a 1 ms
    /// sleep per poll of the queue, simulated time).
    fn wait_message<W: AsyncSelect>(&self, ws: &W, timeout_ms: u32) -> Option<Msg> {
        let start = ws.get_tick_count();
        loop {
            if let Some(m) = ws
                .peek_message(self.window, PM_REMOVE)
                .expect("PeekMessage")
            {
                return Some(m);
            }
            if ws.get_tick_count().wrapping_sub(start) >= timeout_ms {
                return None;
            }
            ws.sleep(1);
        }
    }
}

/// sock.c's `sync_recv`: a WSARecv with an OVERLAPPED (event) waited for up to 1000 ms, so it
/// blocks even on a nonblocking socket; the bytes received, or `None` for sock.c's -1.
#[track_caller]
pub fn sync_recv<W: EventSelect + OverlappedIo>(
    ws: &W,
    s: Socket,
    len: usize,
    flags: u32,
) -> Option<Vec<u8>> {
    let ev = ws.wsa_create_event().expect("CreateEvent");
    let ov = Overlapped::with_event(0x5ec5, ev);
    let ret = ws.wsa_recv_overlapped(s, vec![vec![0; len]], flags, ov, None);
    let out = match ret {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => {
            if ret.is_err() {
                // sync_recv's ok(!ret, "wait timed out").
                let w = ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false);
                assert_eq!(w, Ok(WSA_WAIT_EVENT_0), "sync_recv: wait timed out");
            }
            match ws.wsa_get_overlapped_result(s, &ov, false) {
                Ok(c) if c.error.is_none() => {
                    let mut b = c.bufs.into_iter().next().unwrap_or_default();
                    b.truncate(c.bytes);
                    Some(b)
                }
                _ => None,
            }
        }
        Err(_) => None,
    };
    ws.wsa_close_event(ev).expect("CloseHandle");
    out
}

/// Wine's `tcp_socketpair`: (client, server) of a loopback connection, the listener closed.
pub fn tcp_socketpair<W: Winsock>(ws: &W) -> (Socket, Socket) {
    super::pair(ws).expect("tcp_socketpair")
}

/// Every trait the event tests use, so that they can be written once over the backend.
pub trait Api: EventSelect + AsyncSelect + OverlappedIo + WinsockExt + Select {}
impl<T: EventSelect + AsyncSelect + OverlappedIo + WinsockExt + Select> Api for T {}

/// Runs `body` in the simulator once with a context in `mode` (closed afterwards), with
/// Windows' default ACK timing.
pub fn run_mode(
    body: fn(&winsock_sim::sim::SimWinsock, &mut Ctx) -> Result<(), WsaError>,
    mode: Mode,
) {
    let builder = winsock_sim::sim::Sim::builder().seed(super::seed());
    super::run_with(builder, move |ws| {
        let mut ctx = Ctx::new(ws, mode);
        body(ws, &mut ctx)?;
        ctx.close(ws);
        Ok(())
    });
}

/// 127.0.0.1, port 0.
pub fn loopback() -> SockAddr {
    SockAddr::v4([127, 0, 0, 1], 0)
}

/// A new TCP socket that must succeed (sock.c's `ok(s != -1, ...)`).
pub fn tcp<W: Api>(ws: &W) -> Socket {
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(s.is_ok(), "failed to create socket");
    s.unwrap()
}

/// A blocking connect that must succeed.
#[track_caller]
pub fn connect_ok<W: Api>(ws: &W, s: Socket, to: &SockAddr) {
    assert_eq!(ws.connect(s, to), Ok(()), "failed to connect");
}

#[track_caller]
pub fn accept_ok<W: Api>(ws: &W, l: Socket) -> Socket {
    let r = ws.accept(l);
    assert!(r.is_ok(), "failed to accept: {r:?}");
    r.unwrap().0
}

/// socket, bind(127.0.0.1:0), getsockname, listen(2): four ok()s.
pub fn listener<W: Api>(ws: &W) -> (Socket, SockAddr) {
    let l = tcp(ws);
    assert_eq!(ws.bind(l, &loopback()), Ok(()), "failed to bind");
    let a = ws.getsockname(l);
    assert!(a.is_ok(), "failed to get address");
    assert_eq!(ws.listen(l, 2), Ok(()), "failed to listen");
    (l, a.unwrap())
}
