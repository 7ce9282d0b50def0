//! What changes on a socket, and who hears of it.
//!
//! The TCP machine calls one hook per kind of change (the FD_* events of WinSock: a connection
//! to accept, data, urgent data, send space, connect completion, close). Each hook wakes the
//! threads blocked on the socket (blocking calls and `select` re-check their condition) and
//! hands the change to the FD_* machinery of WSAAsyncSelect / WSAEventSelect
//! (`network_events.rs`).

use super::sched::WaitKey;
use super::world::World;
use crate::api::WsaError;

impl World {
    /// A connection finished its handshake and waits in listener `lid`'s queue (FD_ACCEPT).
    pub(crate) fn on_accept_ready(&mut self, lid: usize) {
        // A pending AcceptEx takes the connection first, and then no FD_ACCEPT (EV-10).
        self.service_accepts(lid);
        if self.has_pending_accept(lid) {
            self.notify(WaitKey::Readable(lid));
            self.ev_accept_ready(lid);
        }
    }

    /// Data arrived (FD_READ).
    pub(crate) fn on_readable(&mut self, id: usize) {
        // Pending overlapped receives consume data before FD_READ sees it (EV-20).
        self.service_recvs(id);
        if self.has_data(id) {
            self.notify(WaitKey::Readable(id));
            self.ev_readable(id);
        }
    }

    /// Urgent data arrived (FD_OOB).
    pub(crate) fn on_oob(&mut self, id: usize) {
        self.notify(WaitKey::Readable(id));
        self.ev_oob(id);
    }

    /// Acknowledged data left the send buffer (FD_WRITE once re-enabled).
    pub(crate) fn on_send_space(&mut self, id: usize) {
        self.service_sends(id);
        self.notify(WaitKey::Writable(id));
        self.ev_send_space(id);
    }

    /// A connect attempt ended: `None` on success (FD_CONNECT, then FD_WRITE), or the error.
    pub(crate) fn on_connect(&mut self, id: usize, err: Option<WsaError>) {
        self.service_connect(id, err);
        self.notify(WaitKey::Socket(id));
        self.ev_connect(id, err.map_or(0, |e| e.code()));
    }

    /// The peer closed: `None` for a FIN (FD_CLOSE with 0), `Some` for a reset
    /// (FD_CLOSE with WSAECONNABORTED, conformance EV-25).
    pub(crate) fn on_peer_closed(&mut self, id: usize, err: Option<WsaError>) {
        self.service_recvs(id);
        self.service_sends(id);
        self.service_disconnect(id);
        self.notify(WaitKey::Socket(id));
        self.ev_peer_closed(id, err.map_or(0, |e| e.code()));
    }

    /// `accept` took connection `child` from listener `lid` (re-enables FD_ACCEPT; the child
    /// inherits the listener's registration).
    pub(crate) fn on_accepted(&mut self, lid: usize, child: usize) {
        self.ev_accepted(lid, child);
    }
}
