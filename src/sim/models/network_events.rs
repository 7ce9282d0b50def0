//! The FD_* network events of WSAAsyncSelect and WSAEventSelect, with Windows' rules for
//! when an event is reported and what re-enables it.
//!
//! | event | recorded when | re-enabled by |
//! |---|---|---|
//! | FD_READ | data arrives; a re-enabling call leaves data unread | `recv` (any outcome) |
//! | FD_OOB | urgent data arrives (SO_OOBINLINE off); a re-enabling call leaves some | `recv(MSG_OOB)` |
//! | FD_ACCEPT | a connection completes in the backlog; `accept` leaves one queued | `accept` |
//! | FD_WRITE | the socket connects or is accepted; a datagram socket connects; space returns after a send failed with WSAEWOULDBLOCK | `send` |
//! | FD_CONNECT | a connect attempt ends (error: WSAECONNREFUSED, WSAETIMEDOUT, …), or, event mode, the first registration with FD_CONNECT after it ended unreported; event mode: a datagram socket connects | — (once) |
//! | FD_CLOSE | the peer's FIN, even with received data still unread (error 0); a reset (WSAECONNABORTED) | — (once) |
//!
//! A re-enabling call also withdraws an occurrence of its event recorded but not yet
//! enumerated, and records it again at once if the condition still holds: a recv that takes
//! the last of the data leaves no FD_READ for WSAEnumNetworkEvents (conformance
//! EV-drain-read, EV-drain-accept; a posted message stays posted).
//!
//! Message mode (WSAAsyncSelect) follows the documented rule: once an event is posted, no
//! further message for it until the re-enabling call. Event mode (WSAEventSelect) records
//! each new occurrence of data, a connection or urgent data even before the re-enabling call
//! (what Windows does, conformance EV-06, EV-17, EV-21; `EventRecording::Documented` applies
//! the documented re-enable rule instead). Registering reports the conditions
//! that already hold (data, a queued connection, urgent data, a close), posting them in
//! FD_*_BIT order — in event mode only those not already recorded since their re-enabling
//! call, or still unenumerated; the FD_WRITE of a connection is reported to the first
//! registration only in event mode (EV-03), and whenever the socket is writable in message
//! mode; an FD_CONNECT no registration took waits for the first event-mode one with it.
//!
//! FD_CLOSE does not wait for the data: Microsoft's WSAAsyncSelect page says it "should only be
//! posted after all data is read", but Windows posts it when the FIN arrives (sock.c
//! test_close_events: the peer sends, FD_READ is consumed, the peer closes, and FD_CLOSE comes
//! with all five bytes unread; the reads that follow bring FD_READ, and nothing after the last
//! one). Programs must read until recv returns 0 after FD_CLOSE.

use crate::api::consts::*;
use crate::api::{Hwnd, Msg, WsaError};
use crate::sim::kernel::objects::{ObjRef, Posted};
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::{Id32, Role};
use crate::sim::net::tcp::TcpState;
use crate::sim::runtime::trace::TraceKind;
use crate::sim::runtime::World;

/// The trace's state record of a WSAAsyncSelect notification lost to a full message queue
/// (`a` the socket, `b` the FD_* bit): the timeline prints "socket #s -> ...".
const MESSAGE_LOST: &str = "its WSAAsyncSelect message lost: the window's queue holds 10,000";

/// Where a socket's events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reg {
    /// Not registered.
    None,
    /// WSAAsyncSelect: post `msg` to window object `win` (handle `hwnd`); nothing once the
    /// window is destroyed.
    Async { win: ObjRef, hwnd: usize, msg: u32 },
    /// WSAEventSelect: record and signal event object `ev` (still, without a handle, after
    /// its handle is closed: a wait that holds it sees the signal).
    Event { ev: ObjRef },
}

/// A socket's FD_* state.
#[derive(Debug, Clone)]
pub(crate) struct NetEvents {
    pub reg: Reg,
    pub mask: i32,
    /// Message mode: events allowed to post.
    pub enabled: i32,
    /// Event mode: lNetworkEvents not yet enumerated, and their iErrorCode.
    pub recorded: i32,
    pub errors: [i32; FD_MAX_EVENTS],
    /// The FD_WRITE of connection establishment, not yet given to a registration.
    pub write_latched: bool,
    /// The FD_CONNECT (and its error) of a connect that ended while no registration took it;
    /// the next event-mode registration with FD_CONNECT records it (sock.c
    /// test_connect_events: connect, then select reports FD_CONNECT and FD_WRITE; a
    /// registration without FD_CONNECT leaves it for a later one). Messages never carry it.
    pub connect_latched: Option<i32>,
    /// A send failed with WSAEWOULDBLOCK since the last FD_WRITE.
    pub send_blocked: bool,
    /// FD_CLOSE was reported.
    pub close_done: bool,
    /// Event mode: FD_READ / FD_OOB / FD_ACCEPT recorded since their re-enabling call. A
    /// registration does not record such a standing condition again (sock.c
    /// test_accept_events / test_read_events / test_oob_events: re-selecting, even after
    /// cancelling, leaves the event unsignalled), unless it is still unenumerated.
    pub reported: i32,
}

/// A socket's place in the FD_* table. Every connection latches its FD_CONNECT and FD_WRITE,
/// but few sockets are ever registered: until one is, the two latches are all a socket's
/// `NetEvents` would differ from the default in, and they live here without an allocation.
#[derive(Debug, Clone)]
pub(crate) enum NetSlot {
    /// No `NetEvents` yet: the latched FD_WRITE and FD_CONNECT (with its error) of a socket
    /// that is not registered.
    Latched { write: bool, connect: Option<i32> },
    /// The socket's full FD_* state.
    Full(Box<NetEvents>),
}

impl Default for NetSlot {
    fn default() -> NetSlot {
        NetSlot::Latched {
            write: false,
            connect: None,
        }
    }
}

impl Default for NetEvents {
    fn default() -> NetEvents {
        NetEvents {
            reg: Reg::None,
            mask: 0,
            enabled: FD_ALL_EVENTS,
            recorded: 0,
            errors: [0; FD_MAX_EVENTS],
            write_latched: false,
            connect_latched: None,
            send_blocked: false,
            close_done: false,
            reported: 0,
        }
    }
}

fn bit_index(bit: i32) -> usize {
    bit.trailing_zeros() as usize
}

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    /// A socket's FD_* state, if it has more than latches.
    pub(crate) fn netev(&self, id: usize) -> Option<&NetEvents> {
        match self.models.netev.get(id)? {
            NetSlot::Full(n) => Some(n),
            NetSlot::Latched { .. } => None,
        }
    }

    /// The socket's slot, created (as `Latched` with nothing latched) if missing.
    fn netev_slot(&mut self, id: usize) -> &mut NetSlot {
        if self.models.netev.len() <= id {
            self.models.netev.resize_with(id + 1, NetSlot::default);
        }
        &mut self.models.netev[id]
    }

    /// A socket's full FD_* state, created with its latches if it had none.
    pub(crate) fn netev_mut(&mut self, id: usize) -> &mut NetEvents {
        let slot = self.netev_slot(id);
        if let NetSlot::Latched { write, connect } = *slot {
            *slot = NetSlot::Full(Box::new(NetEvents {
                write_latched: write,
                connect_latched: connect,
                ..NetEvents::default()
            }));
        }
        match slot {
            NetSlot::Full(n) => n,
            NetSlot::Latched { .. } => unreachable!("made full above"),
        }
    }

    /// Latches the FD_WRITE of a connection (or a bound datagram socket) for the first
    /// registration, without creating the full state of a socket that has none.
    pub(crate) fn latch_write(&mut self, id: usize) {
        match self.netev_slot(id) {
            NetSlot::Latched { write, .. } => *write = true,
            NetSlot::Full(n) => n.write_latched = true,
        }
    }

    /// Forgets a socket's event state (closesocket, or the id is freed).
    pub(crate) fn netev_clear(&mut self, id: usize) {
        if let Some(slot) = self.models.netev.get_mut(id) {
            *slot = NetSlot::default();
        }
    }

    fn is_registered(&self, id: usize) -> bool {
        self.netev(id).is_some_and(|n| n.reg != Reg::None)
    }

    /// One occurrence of event `bit` with error `err`: post, record, or (FD_WRITE with no
    /// taker) latch it.
    pub(crate) fn fd_event(&mut self, id: usize, bit: i32, err: i32) {
        let handle = match self.net.sockets.get(id) {
            Some(s) => s.handle.map(Id32::get),
            None => return,
        };
        let documented =
            self.rt.cfg.event_recording == crate::sim::runtime::EventRecording::Documented;
        // Never registered: only the latches change (as the branch below on a default state).
        if let NetSlot::Latched { write, connect } = self.netev_slot(id) {
            if bit == FD_WRITE {
                *write = true;
            }
            if bit == FD_CONNECT {
                *connect = Some(err);
            }
            return;
        }
        let n = self.netev_mut(id);
        if n.mask & bit == 0 || n.reg == Reg::None {
            if bit == FD_WRITE {
                n.write_latched = true;
            }
            if bit == FD_CONNECT {
                n.connect_latched = Some(err);
            }
            return;
        }
        if bit == FD_WRITE {
            n.write_latched = false;
        }
        if bit == FD_CONNECT {
            n.connect_latched = None;
        }
        if bit == FD_CLOSE {
            // FD_CLOSE has no re-enabling call: in event mode it is recorded once per
            // connection (a reset after a FIN adds nothing). Message mode re-posts it only on
            // re-registration (EV-25), which resets `enabled`.
            if n.close_done && matches!(n.reg, Reg::Event { .. }) {
                return;
            }
            n.close_done = true;
        }
        match n.reg {
            Reg::None => {}
            Reg::Async { win, hwnd, msg } => {
                if n.enabled & bit == 0 {
                    return;
                }
                n.enabled &= !bit;
                let Some(h) = handle else { return };
                let Some(win) = self.kern.objects.resolve(win) else {
                    return;
                };
                // A full queue loses the notification, as the system's PostMessage fails
                // then; the event stays disabled until its re-enabling call, as on Windows.
                // The timeline says so (the cause of a server that stops hearing of a socket).
                let posted = self.post_to_window(
                    win,
                    Msg {
                        hwnd: Hwnd::from_raw(hwnd),
                        message: msg,
                        wparam: h,
                        lparam: wsa_make_select_reply(bit, err),
                    },
                );
                if posted == Posted::QueueFull {
                    let host = self.net.sockets.get(id).map_or(usize::MAX, |s| s.host);
                    self.record_net(host, TraceKind::State(MESSAGE_LOST), h as u64, bit as u64);
                }
            }
            Reg::Event { ev } => {
                if documented && bit & (FD_READ | FD_OOB | FD_ACCEPT) != 0 {
                    // The documented rule: not again until the re-enabling call.
                    if n.enabled & bit == 0 {
                        return;
                    }
                    n.enabled &= !bit;
                }
                n.recorded |= bit;
                n.reported |= bit & (FD_READ | FD_OOB | FD_ACCEPT);
                n.errors[bit_index(bit)] = err;
                if let Some(ev) = self.kern.objects.resolve(ev) {
                    self.set_event(ev);
                }
            }
        }
    }

    /// Data readable by a normal recv (or, on a datagram socket, an error it would return).
    pub(crate) fn has_data(&self, id: usize) -> bool {
        match self.net.sockets.get(id).map(|s| &s.role) {
            Some(Role::Stream(t)) => !t.rcv.is_empty(),
            Some(Role::Dgram(u)) => u.readable(),
            _ => false,
        }
    }

    fn has_oob(&self, id: usize) -> bool {
        matches!(self.net.sockets.get(id).map(|s| &s.role), Some(Role::Stream(t)) if !t.oob.is_empty())
    }

    /// A connection (or held SYN) is queued on listener `id`, owed to a blocked accept or
    /// not: what wakes the blocked accepts.
    pub(crate) fn has_queued_accept(&self, id: usize) -> bool {
        matches!(self.net.sockets.get(id).map(|s| &s.role), Some(Role::Listener(q)) if q.has_queued())
    }

    pub(crate) fn has_pending_accept(&self, id: usize) -> bool {
        matches!(self.net.sockets.get(id).map(|s| &s.role), Some(Role::Listener(q)) if q.has_pending())
    }

    /// The close error if the connection was closed by the peer (unread data or not).
    fn close_condition(&self, id: usize) -> Option<i32> {
        match self.net.sockets.get(id).map(|s| &s.role) {
            Some(Role::Stream(t)) if t.connected_at.is_some() => match t.error {
                Some(_) => Some(WsaError::WSAECONNABORTED.code()),
                None if t.fin_rcvd => Some(0),
                None => None,
            },
            _ => None,
        }
    }

    /// Whether a send would not block now (connected, send buffer not full).
    pub(crate) fn send_ready(&self, id: usize) -> bool {
        match self.net.sockets.get(id) {
            Some(s) => match &s.role {
                Role::Stream(t) => {
                    t.state.is_synchronized()
                        && t.state != TcpState::TimeWait
                        && t.error.is_none()
                        && t.queued() < self.send_cap(id, s.opts.sndbuf)
                }
                // A datagram socket can always send (conformance SEL-12).
                Role::Dgram(_) => !s.shut_wr,
                _ => false,
            },
            None => false,
        }
    }

    /// Registers (or with `mask` 0 cancels) a socket's FD_* reporting, then reports what
    /// already holds.
    pub(crate) fn register_events(&mut self, id: usize, reg: Reg, mask: i32) {
        let message_mode = matches!(reg, Reg::Async { .. });
        {
            let n = self.netev_mut(id);
            n.reg = if mask == 0 { Reg::None } else { reg };
            n.mask = mask;
            n.enabled = FD_ALL_EVENTS;
        }
        if mask == 0 {
            return;
        }
        // Event mode: a standing condition already recorded since its re-enabling call is
        // recorded (and signalled) again only while it is still unenumerated.
        let again = |w: &Self, bit: i32| {
            message_mode
                || w.netev(id)
                    .is_some_and(|n| n.reported & bit == 0 || n.recorded & bit != 0)
        };
        // In FD_*_BIT order, the order Windows posts them in (sock.c test_read_events:
        // FD_READ, then FD_WRITE).
        if self.has_data(id) && again(self, FD_READ) {
            self.fd_event(id, FD_READ, 0);
        }
        let latched = self.netev(id).is_some_and(|n| n.write_latched);
        if (message_mode && self.send_ready(id)) || (!message_mode && latched) {
            self.fd_event(id, FD_WRITE, 0);
        }
        if self.has_oob(id) && again(self, FD_OOB) {
            self.fd_event(id, FD_OOB, 0);
        }
        if self.has_pending_accept(id) && again(self, FD_ACCEPT) {
            self.fd_event(id, FD_ACCEPT, 0);
        }
        let connect = self.netev(id).and_then(|n| n.connect_latched);
        if let (false, Some(err)) = (message_mode, connect) {
            self.fd_event(id, FD_CONNECT, err);
        }
        if let Some(err) = self.close_condition(id) {
            let done = self.netev(id).is_some_and(|n| n.close_done);
            if message_mode || !done {
                self.fd_event(id, FD_CLOSE, err);
            }
        }
    }

    // ---- hooks from the TCP machine (see events.rs) ----

    pub(crate) fn ev_readable(&mut self, id: usize) {
        if self.is_registered(id) {
            self.fd_event(id, FD_READ, 0);
        }
    }

    pub(crate) fn ev_oob(&mut self, id: usize) {
        if self.is_registered(id) {
            self.fd_event(id, FD_OOB, 0);
        }
    }

    pub(crate) fn ev_accept_ready(&mut self, lid: usize) {
        if self.is_registered(lid) {
            self.fd_event(lid, FD_ACCEPT, 0);
        }
    }

    pub(crate) fn ev_send_space(&mut self, id: usize) {
        let blocked = self.netev(id).is_some_and(|n| n.send_blocked);
        if blocked && self.send_ready(id) {
            self.netev_mut(id).send_blocked = false;
            self.fd_event(id, FD_WRITE, 0);
        }
    }

    pub(crate) fn ev_connect(&mut self, id: usize, err: i32) {
        // Unregistered, fd_event latches it for the first registration.
        self.fd_event(id, FD_CONNECT, err);
        if err == 0 {
            self.fd_event(id, FD_WRITE, 0);
        }
    }

    /// The peer's FIN (`err` 0) or a reset: FD_CLOSE at once, data unread or not.
    pub(crate) fn ev_peer_closed(&mut self, id: usize, err: i32) {
        if self.is_registered(id) {
            self.fd_event(id, FD_CLOSE, err);
        }
    }

    /// `connect` on a datagram socket (EV-15): event mode records FD_CONNECT and FD_WRITE;
    /// message mode posts FD_WRITE (and no FD_CONNECT) even when the registration already
    /// posted one and no send re-enabled it. Unregistered, FD_WRITE waits for the first
    /// registration, as after a bind.
    pub(crate) fn ev_dgram_connected(&mut self, id: usize) {
        match self.netev(id).map(|n| n.reg) {
            Some(Reg::Event { .. }) => {
                self.fd_event(id, FD_CONNECT, 0);
                self.fd_event(id, FD_WRITE, 0);
            }
            Some(Reg::Async { .. }) => {
                self.netev_mut(id).enabled |= FD_WRITE;
                self.fd_event(id, FD_WRITE, 0);
            }
            Some(Reg::None) | None => self.fd_event(id, FD_WRITE, 0),
        }
    }

    /// `accept` took `child` from `lid`: FD_ACCEPT is re-enabled, and the child inherits the
    /// listener's registration (EV-09) with its connection's FD_WRITE.
    pub(crate) fn ev_accepted(&mut self, lid: usize, child: usize) {
        self.reenable_accept(lid);
        let Some((reg, mask)) = self.netev(lid).map(|n| (n.reg, n.mask)) else {
            self.latch_write(child);
            return;
        };
        self.latch_write(child);
        if reg != Reg::None {
            self.register_events(child, reg, mask);
        }
    }

    // ---- re-enabling calls ----

    /// After `recv` (any outcome): FD_READ (or FD_OOB) is re-enabled, an occurrence recorded
    /// but not yet enumerated is withdrawn, and it is reported again at once if data remains:
    /// a recv that drains the data leaves no FD_READ for WSAEnumNetworkEvents (sock.c's
    /// `event_client` reads until WSAEWOULDBLOCK after each FD_READ and requires the first
    /// recv of the next one to succeed; Wine's server clears it the same way). A message
    /// already posted stays posted.
    pub(crate) fn reenable_recv(&mut self, id: usize, oob: bool) {
        if oob {
            self.reenable(id, FD_OOB, Self::has_oob);
        } else {
            self.reenable(id, FD_READ, Self::has_data);
        }
    }

    /// After `accept`: FD_ACCEPT re-enabled, an unenumerated one withdrawn (as FD_READ by
    /// `recv`), reported again if connections remain.
    pub(crate) fn reenable_accept(&mut self, lid: usize) {
        self.reenable(lid, FD_ACCEPT, Self::has_pending_accept);
    }

    /// The re-enabling call of `bit` (FD_READ, FD_OOB or FD_ACCEPT) on socket `id`: enabled
    /// again, an unenumerated occurrence withdrawn, recorded again at once if `holds`.
    #[inline]
    fn reenable(&mut self, id: usize, bit: i32, holds: impl Fn(&Self, usize) -> bool) {
        if !self.is_registered(id) {
            if let Some(NetSlot::Full(n)) = self.models.netev.get_mut(id) {
                n.reported &= !bit;
            }
            return;
        }
        let n = self.netev_mut(id);
        n.enabled |= bit;
        n.reported &= !bit;
        n.recorded &= !bit;
        if holds(self, id) {
            self.fd_event(id, bit, 0);
        }
    }

    /// After `send`: FD_WRITE re-enabled; a WSAEWOULDBLOCK arms the next FD_WRITE.
    pub(crate) fn reenable_send(&mut self, id: usize, would_block: bool) {
        if !self.is_registered(id) && !would_block {
            return;
        }
        let n = self.netev_mut(id);
        n.enabled |= FD_WRITE;
        if would_block {
            n.send_blocked = true;
        }
    }
}
