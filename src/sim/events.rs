//! What changes on a socket, and who hears of it: the composed world's implementation of the
//! network and socket layers' hooks.
//!
//! The TCP machine calls one hook per kind of change (the FD_* events of WinSock: a connection
//! to accept, data, urgent data, send space, connect completion, close). Each hook wakes the
//! threads blocked on the socket (blocking calls and `select` re-check their condition) and
//! hands the change to the FD_* machinery of WSAAsyncSelect / WSAEventSelect
//! (`network_events.rs`).

use super::socket::SockHooks;
use crate::api::WsaError;
use crate::sim::api::{SimLayers, World};
use crate::sim::net::NetHooks;
use crate::sim::runtime::WaitKey;

impl NetHooks<SimLayers> for World {
    /// A connection finished its handshake and waits in listener `lid`'s queue (FD_ACCEPT).
    fn on_accept_ready(&mut self, lid: usize) {
        // A pending AcceptEx takes the connection first, and then no FD_ACCEPT (EV-10).
        self.service_accepts(lid);
        // Blocked accepts wake for any queued connection (each takes the one it is owed);
        // FD_ACCEPT records only one no blocked accept is owed.
        if self.has_queued_accept(lid) {
            self.notify(WaitKey::Readable(lid));
        }
        if self.has_pending_accept(lid) {
            self.ev_accept_ready(lid);
        }
    }

    /// Data arrived (FD_READ).
    fn on_readable(&mut self, id: usize) {
        // Pending overlapped receives consume data before FD_READ sees it (EV-20).
        self.service_recvs(id);
        if self.has_data(id) {
            self.notify(WaitKey::Readable(id));
            self.ev_readable(id);
        }
    }

    /// Urgent data arrived (FD_OOB).
    fn on_oob(&mut self, id: usize) {
        self.notify(WaitKey::Readable(id));
        self.ev_oob(id);
    }

    /// Acknowledged data left the send buffer (FD_WRITE once re-enabled).
    fn on_send_space(&mut self, id: usize) {
        self.service_sends(id);
        self.notify(WaitKey::Writable(id));
        self.ev_send_space(id);
    }

    /// A connect attempt ended: `None` on success (FD_CONNECT, then FD_WRITE), or the error.
    fn on_connect(&mut self, id: usize, err: Option<WsaError>) {
        self.service_connect(id, err);
        self.notify(WaitKey::Socket(id));
        self.ev_connect(id, err.map_or(0, |e| e.code()));
    }

    /// The peer closed: `None` for a FIN (FD_CLOSE with 0), `Some` for a reset
    /// (FD_CLOSE with WSAECONNABORTED, conformance EV-25).
    fn on_peer_closed(&mut self, id: usize, err: Option<WsaError>) {
        self.service_recvs(id);
        self.service_sends(id);
        self.service_disconnect(id);
        if err.is_some() {
            // A reset or abort ends a pending ideal-send-backlog notification.
            self.end_isb_change(id);
        }
        self.notify(WaitKey::Socket(id));
        self.ev_peer_closed(id, err.map_or(0, |e| e.code()));
    }

    fn on_fin_acked(&mut self, id: usize) {
        self.service_disconnect(id);
    }

    /// A graceful disconnect in the send direction ends a pending ideal-send-backlog
    /// notification (its documentation), blocking or overlapped.
    fn on_send_closed(&mut self, id: usize) {
        self.end_isb_change(id);
        self.notify(WaitKey::Socket(id));
    }

    fn on_dgram_bound(&mut self, id: usize) {
        self.latch_write(id);
    }

    fn on_dgram_connected(&mut self, id: usize) {
        self.ev_dgram_connected(id);
    }

    fn on_socket_freed(&mut self, id: usize) {
        self.netev_clear(id);
        self.io_clear(id);
    }

    fn on_io_due(&mut self, id: usize) {
        self.service_sends(id);
        self.service_recvs(id);
    }

    fn on_clock_set(&mut self, host: usize, ticks: i64) {
        self.clock_set(host, ticks);
    }

    fn oldest_overlapped_recv(&self, id: usize) -> Option<u64> {
        self.io_sock_ref(id)
            .and_then(|io| io.recvs.front().copied())
    }

    fn newest_overlapped_recv(&self, id: usize) -> Option<u64> {
        self.io_sock_ref(id).and_then(|io| io.recvs.back().copied())
    }
}

impl SockHooks<SimLayers> for World {
    /// `accept` took connection `child` from listener `lid` (re-enables FD_ACCEPT; the child
    /// inherits the listener's registration, and its creation flags: the socket `accept`
    /// makes is non-overlapped when the listener is).
    fn on_accepted(&mut self, lid: usize, child: usize) {
        self.ev_accepted(lid, child);
        if self.io_sock_ref(lid).is_some_and(|io| io.synchronous) {
            self.io_sock(child).synchronous = true;
        }
    }

    fn connect_ex_in_progress(&self, id: usize) -> bool {
        self.connect_ex_pending(id)
    }

    fn connected_by_connect_ex(&self, id: usize) -> bool {
        self.io_sock_ref(id).is_some_and(|io| io.by_connect_ex)
    }

    fn accept_ex_pending_into(&self, id: usize) -> bool {
        self.pending_accept_into(id)
    }
}
