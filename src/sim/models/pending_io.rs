//! Pending overlapped WSARecv and WSASend operations serviced as the connection allows:
//! receives take arriving data in order (a FIN ends them with 0 bytes, a reset with an
//! error), sends hand their data to TCP as the send buffer makes room (SO_SNDBUF 0: once the
//! peer has acknowledged it), and a datagram socket's complete at once. Also the WSASend that
//! completes inside its call with nothing else to deliver it, which keeps no operation record
//! ([`World::send_done_in_call`], [`World::send_in_call`]).
//!
//! The operation table, completion, delivery, collection and abort are in `overlapped.rs`;
//! the calls that start these operations in `calls/wsa_send_recv.rs`.

use crate::api::{Overlapped, WsaError};
use crate::sim::models::op::{OpKind, Status};
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::Role;
use crate::sim::runtime::trace::TraceKind;
use crate::sim::runtime::{WaitKey, World};

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    /// Bytes waiting for a normal receive on stream socket `id`.
    fn rcv_len(&mut self, id: usize) -> usize {
        self.tcp(id).map_or(0, |t| t.rcv.len())
    }

    /// Pending receives take the data that has arrived, in order; a FIN ends them with 0
    /// bytes, a reset with an error.
    pub(crate) fn service_recvs(&mut self, id: usize) {
        self.service_recvs_now(id, false);
    }

    /// [`World::service_recvs`]; `immediate` when called from the issuing WSARecv itself
    /// (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS then skips the packet).
    pub(crate) fn service_recvs_now(&mut self, id: usize, immediate: bool) {
        if self.udp(id).is_some() {
            self.service_datagram_recvs(id, immediate);
            if self
                .udp(id)
                .is_some_and(|u| !u.requests.is_empty() && !u.queue.is_empty())
            {
                self.serve_requests_in_turn(id, immediate);
            }
            return;
        }
        if let Some(serial) = self.io_sock_ref(id).and_then(|io| io.rare().accept_wait) {
            if self.rcv_len(id) > 0
                || self
                    .tcp(id)
                    .is_some_and(|t| t.fin_rcvd || t.error.is_some())
            {
                self.io_sock(id).rare_mut().accept_wait = None;
                // (An AcceptEx is no MSG_WAITALL receive: it completes with what it took.)
                let n = self.fill_from_rcv(id, serial).unwrap_or_default();
                self.finish_op(serial, Status::Ok, n, false);
            }
        }
        // Whether a blocking receive request made while overlapped receives were pending
        // waited when the last receive was looked at: only such a request can be behind
        // them (any other took what arrived first, in `tcp_input`).
        let mut requests_seen = false;
        while let Some(&serial) = self.io_sock_ref(id).and_then(|io| io.recvs.front()) {
            let (has_data, fin, error, requests) = match self.tcp(id) {
                Some(t) => (!t.rcv.is_empty(), t.fin_rcvd, t.error, t.requests_after_ov),
                None => (false, false, None, false),
            };
            requests_seen = requests;
            let outcome = if has_data {
                if requests && self.request_ahead_of(id, serial) {
                    break;
                }
                match self.fill_from_rcv(id, serial) {
                    Some(n) => (Status::Ok, n),
                    // A MSG_WAITALL receive not full yet keeps what it took, and its place.
                    None => return,
                }
            } else if let Some(filled @ 1..) = (fin || error.is_some())
                .then(|| self.waitall_filled(serial))
                .flatten()
            {
                // A MSG_WAITALL receive that the connection's end cuts short completes with
                // what it has (as a blocking one returns it); the next receive sees the end.
                (Status::Ok, filled)
            } else if error == Some(WsaError::WSAETIMEDOUT) {
                // A connection given up after its retransmissions (STATUS_IO_TIMEOUT).
                (Status::TimedOut, 0)
            } else if error.is_some() {
                (Status::Reset, 0)
            } else if fin {
                (Status::Ok, 0)
            } else {
                return;
            };
            self.io_sock(id).recvs.pop_front();
            self.finish_op(serial, outcome.0, outcome.1, immediate);
        }
        if requests_seen {
            self.serve_requests_in_turn(id, immediate);
        }
    }

    /// The overlapped receives of `id` have taken what was theirs and data is left: blocking
    /// receive requests made after them may be next in the socket's queue, and overlapped
    /// receives after those (`receive_request`, `DgramRequest`).
    #[cold]
    #[inline(never)]
    fn serve_requests_in_turn(&mut self, id: usize, immediate: bool) {
        let served = if self.udp(id).is_some() {
            self.serve_dgram_requests(id)
        } else {
            self.serve_receive_requests(id)
        };
        if served {
            self.service_recvs_now(id, immediate);
        }
    }

    /// Pending receives on a datagram socket take one datagram each.
    fn service_datagram_recvs(&mut self, id: usize, immediate: bool) {
        loop {
            let Some(&serial) = self.io_sock_ref(id).and_then(|io| io.recvs.front()) else {
                return;
            };
            let peek = matches!(
                self.models.io.ops.get(&serial).map(|op| &op.kind),
                Some(OpKind::Recv { peek: true, .. })
            );
            let Some(u) = self.udp(id) else { return };
            if !u.requests.is_empty()
                && !u.port_unreachable
                && self.dgram_request_ahead_of(id, serial)
            {
                return;
            }
            let Some(u) = self.udp(id) else { return };
            let (status, n, from) = if u.port_unreachable {
                u.port_unreachable = false;
                (Status::PortUnreachable, 0, None)
            } else if let Some(d) = if peek {
                // MSG_PEEK copies the datagram and leaves it queued.
                u.queue.front().cloned()
            } else {
                u.queue.pop_front()
            } {
                if !peek {
                    u.queued_bytes -= d.data.len();
                }
                let is_msg = self
                    .models
                    .io
                    .ops
                    .get(&serial)
                    .is_some_and(|op| op.msg.is_some());
                if is_msg {
                    // WSARecvMsg: control data and flags too.
                    let (status, n) =
                        crate::sim::models::recv_msg::fill_recv_msg(self, id, serial, &d);
                    (status, n, Some(d.src))
                } else {
                    let Some(op) = self.models.io.ops.get_mut(&serial) else {
                        return;
                    };
                    let mut off = 0;
                    for buf in op.bufs.iter_mut() {
                        let k = buf.len().min(d.data.len() - off);
                        buf[..k].copy_from_slice(&d.data[off..off + k]);
                        off += k;
                    }
                    let status = if off < d.data.len() {
                        Status::MsgSize
                    } else {
                        Status::Ok
                    };
                    (status, off, Some(d.src))
                }
            } else {
                return;
            };
            self.io_sock(id).recvs.pop_front();
            if let Some(op) = self.models.io.ops.get_mut(&serial) {
                op.from = from.map(Box::new);
            }
            self.finish_op(serial, status, n, immediate);
        }
    }

    /// The bytes a pending MSG_WAITALL receive holds so far; `None` for any other operation.
    fn waitall_filled(&self, serial: u64) -> Option<usize> {
        match self.models.io.ops.get(&serial)?.kind {
            OpKind::Recv {
                waitall: true,
                filled,
                ..
            } => Some(filled as usize),
            _ => None,
        }
    }

    /// Moves received data into an operation's buffers (scatter); returns the bytes the
    /// operation completes with, or `None` for a MSG_WAITALL receive whose buffers are not
    /// full yet (it keeps what it took and stays pending).
    fn fill_from_rcv(&mut self, id: usize, serial: u64) -> Option<usize> {
        let Some(op) = self.models.io.ops.get_mut(&serial) else {
            return Some(0);
        };
        let peek = match op.kind {
            OpKind::Recv { waitall: true, .. } => return self.fill_waitall(id, serial),
            OpKind::Recv { peek, .. } => peek,
            _ => false,
        };
        let Some(Role::Stream(t)) = self.net.sockets.get_mut(id).map(|s| &mut s.role) else {
            return Some(0);
        };
        let mut total = 0;
        for buf in op.bufs.iter_mut() {
            // A peek reads on from where the previous buffer stopped, consuming nothing.
            let from = if peek { total } else { 0 };
            let n = buf.len().min(t.rcv.len() - from);
            crate::sim::net::tcp::copy_out(&t.rcv, from, &mut buf[..n]);
            if !peek {
                t.rcv.drain(..n);
            }
            total += n;
            let left = if peek {
                t.rcv.len() - total
            } else {
                t.rcv.len()
            };
            if left == 0 {
                break;
            }
        }
        // Drained: the buffer goes back to the pool (`recycle_queue`).
        let drained = t.rcv.is_empty().then(|| std::mem::take(&mut t.rcv));
        if let Some(q) = drained {
            self.recycle_queue(q);
        }
        if total > 0 && !peek {
            self.tcp_window_update(id);
        }
        Some(total)
    }

    /// [`World::fill_from_rcv`] for a MSG_WAITALL receive (never a peek): it goes on where
    /// its last bytes stopped, and completes only when its buffers are full.
    #[cold]
    fn fill_waitall(&mut self, id: usize, serial: u64) -> Option<usize> {
        let op = self.models.io.ops.get_mut(&serial)?;
        let OpKind::Recv { filled, .. } = &mut op.kind else {
            return Some(0);
        };
        let Some(Role::Stream(t)) = self.net.sockets.get_mut(id).map(|s| &mut s.role) else {
            return Some(0);
        };
        let (held, mut skip, mut room) = (*filled as usize, *filled as usize, 0);
        let mut taken = 0;
        for buf in op.bufs.iter_mut() {
            room += buf.len();
            if skip >= buf.len() {
                skip -= buf.len();
                continue;
            }
            let buf = &mut buf[std::mem::take(&mut skip)..];
            let n = buf.len().min(t.rcv.len());
            crate::sim::net::tcp::copy_out(&t.rcv, 0, &mut buf[..n]);
            t.rcv.drain(..n);
            taken += n;
        }
        let total = held + taken;
        *filled = u32::try_from(total).unwrap_or(u32::MAX);
        let drained = t.rcv.is_empty().then(|| std::mem::take(&mut t.rcv));
        if let Some(q) = drained {
            self.recycle_queue(q);
        }
        if taken > 0 {
            self.tcp_window_update(id);
        }
        (total >= room).then_some(total)
    }

    /// Hands WSASend `serial`'s bytes to TCP. With a send buffer the operation is done
    /// (`Some(bytes)`; the caller completes it); with SO_SNDBUF 0 nothing is buffered, so
    /// the caller's buffers stay in use until the peer acknowledges the last byte (sock.c
    /// test_send): the operation waits in `unbuffered` and `None` is returned.
    pub(crate) fn hand_send(&mut self, id: usize, serial: u64, urgent: bool) -> Option<usize> {
        let len = self.with_gathered(serial, |w, data| {
            w.tcp_enqueue(id, data, urgent);
            data.len()
        });
        let unbuffered = self.net.sockets.get(id).is_some_and(|s| s.opts.sndbuf == 0);
        match self.tcp(id) {
            Some(t) if unbuffered && len != 0 => {
                let end = t.snd_una + t.snd.len() as u64;
                self.io_sock(id)
                    .rare_mut()
                    .unbuffered
                    .push_back((serial, end));
                None
            }
            _ => Some(len),
        }
    }

    /// An overlapped send on a datagram socket (WSASend, WSASendTo, WSASendMsg): the
    /// datagram goes to the network at once, to `to` or to the connected peer, and the
    /// operation completes inside the call; on failure the operation is dropped and the
    /// error is the call's.
    pub(crate) fn send_datagram_op(
        &mut self,
        serial: u64,
        id: usize,
        to: Option<std::net::SocketAddr>,
    ) -> Result<usize, WsaError> {
        match self.with_gathered(serial, |w, data| w.udp_send(id, data, to)) {
            Ok(n) => {
                self.finish_op(serial, Status::Ok, n, true);
                Ok(n)
            }
            Err(e) => {
                self.drop_op(serial);
                Err(e)
            }
        }
    }

    /// Runs `f` on operation `serial`'s buffers as one slice (WSASend gathers them in order):
    /// the one buffer itself when there is one, as there nearly always is, so a send copies
    /// its data once, into the send queue; their concatenation otherwise. The buffers are
    /// lent to `f` out of the record and put back after (unless `f` dropped the record).
    pub(crate) fn with_gathered<R>(
        &mut self,
        serial: u64,
        f: impl FnOnce(&mut Self, &[u8]) -> R,
    ) -> R {
        let bufs = self
            .models
            .io
            .ops
            .get_mut(&serial)
            .map(|op| std::mem::take(&mut op.bufs))
            .unwrap_or_default();
        let r = gathered(&bufs, |data| f(self, data));
        if let Some(op) = self.models.io.ops.get_mut(&serial) {
            op.bufs = bufs;
        }
        r
    }

    /// Completes the unbuffered sends (SO_SNDBUF 0) the peer has acknowledged in full, in
    /// order; a connection error fails them all.
    fn service_unbuffered(&mut self, id: usize) {
        loop {
            let Some(&(serial, end)) = self
                .io_sock_ref(id)
                .and_then(|io| io.rare().unbuffered.front())
            else {
                return;
            };
            let (error, una) = match self.tcp(id) {
                Some(t) => (t.error, t.snd_una),
                None => (Some(WsaError::WSAECONNRESET), 0),
            };
            let status = match error {
                Some(WsaError::WSAETIMEDOUT) => Status::TimedOut,
                Some(_) => Status::Reset,
                None if una >= end => Status::Ok,
                None => return,
            };
            self.io_sock(id).rare_mut().unbuffered.pop_front();
            let bytes = match status {
                Status::Ok => self.models.io.ops[&serial].bufs.iter().map(Vec::len).sum(),
                _ => 0,
            };
            self.finish_op(serial, status, bytes, false);
        }
    }

    /// Pending sends go into the send buffer as it makes room (whole, as Windows takes them).
    pub(crate) fn service_sends(&mut self, id: usize) {
        self.service_unbuffered(id);
        loop {
            let Some(&serial) = self.io_sock_ref(id).and_then(|io| io.sends.front()) else {
                return;
            };
            let error = self.tcp(id).and_then(|t| t.error);
            if let Some(e) = error {
                let status = if e == WsaError::WSAETIMEDOUT {
                    Status::TimedOut
                } else {
                    Status::Reset
                };
                self.io_sock(id).sends.pop_front();
                self.finish_op(serial, status, 0, false);
                continue;
            }
            if !self.send_ready(id) {
                return;
            }
            self.io_sock(id).sends.pop_front();
            if let Some(n) = self.hand_send(id, serial, false) {
                self.finish_op(serial, Status::Ok, n, false);
            }
        }
    }

    /// Whether an overlapped WSASend of `ov` on socket `id` completes inside the call with
    /// nothing but the call to deliver it: a connected stream socket with a send buffer, no
    /// send queued before it, room in the buffer, an overlapped socket on no port or one
    /// that skips the packet on success, and `ov` free. (The caller knows there is no
    /// completion routine and no event.) The fault plan may still make it pend.
    pub(crate) fn send_done_in_call(&self, host: usize, id: usize, ov: &Overlapped) -> bool {
        let buffered = self
            .net
            .sockets
            .get(id)
            .is_some_and(|s| matches!(s.role, Role::Stream(_)) && s.opts.sndbuf != 0);
        let quiet = self.io_sock_ref(id).is_none_or(|io| {
            io.sends.is_empty() && !io.synchronous && (io.port.is_none() || io.skip_on_success)
        });
        buffered && quiet && self.ov_free(host, ov) && self.send_ready(id)
    }

    /// A WSASend that [`World::send_done_in_call`] allowed: `bufs` go to TCP, and the
    /// operation ends as starting it, [`World::hand_send`], [`World::finish_op`] and
    /// [`World::collect_op`] would end it (the same trace record, the waiters on `ov`
    /// notified, the result kept in the OVERLAPPED), without its record entering the table.
    /// Returns the bytes sent.
    pub(crate) fn send_in_call(
        &mut self,
        (tid, host): (usize, usize),
        id: usize,
        ov: &Overlapped,
        bufs: &[Vec<u8>],
        urgent: bool,
    ) -> usize {
        let key = (host, ov.id);
        if !self.models.io.failed_pending.is_empty() {
            self.models.io.failed_pending.remove(&key);
        }
        let n = gathered(bufs, |data| {
            self.tcp_enqueue(id, data, urgent);
            data.len()
        });
        self.record(tid, TraceKind::Completion, ov.id, n as u64, 0);
        self.notify(WaitKey::Io(host, ov.id));
        self.models.io.finished_in_call(key, Status::Ok, n);
        n
    }
}

/// Runs `f` on `bufs` as one slice, in order (WSASend's gather): the one buffer itself when
/// there is one, as there nearly always is; their concatenation otherwise.
pub(crate) fn gathered<B: std::borrow::Borrow<[u8]>, R>(
    bufs: &[B],
    f: impl FnOnce(&[u8]) -> R,
) -> R {
    match bufs {
        [one] => f(one.borrow()),
        many => f(&many.concat()),
    }
}
