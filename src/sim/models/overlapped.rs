//! Overlapped operations: issue, completion, and delivery of the completion through exactly
//! one channel — the completion routine (an APC on the issuing thread), the completion port
//! of the socket, or `WSAGetOverlappedResult`.
//!
//! Pending receives take arriving data before anything else sees it (no FD_READ for data an
//! overlapped receive consumed, conformance EV-20); a FIN completes them with 0 bytes, a reset
//! with STATUS_CONNECTION_RESET, a local close with STATUS_CONNECTION_ABORTED (STATUS_CANCELLED on a datagram
//! socket) (OV-01, OV-02).
//! The event in the OVERLAPPED is signalled on completion unless a completion routine was
//! given (OV-04); an operation that completes at once still signals and still queues its
//! packet (OV-06) unless FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set.
//!
//! This file holds the operation table (issue, completion, delivery, collection, abort) and
//! the servicing of pending WSARecv/WSASend operations; AcceptEx, ConnectEx and DisconnectEx
//! are serviced in `mswsock.rs`, and the calls that start operations are in
//! `overlapped_api.rs`, `mswsock.rs` and `wsa_ioctl.rs`.

use crate::api::{CompletionPacket, IoCompletion, Overlapped, WsaError};
use crate::sim::models::op::{Op, OpKind, SockIo, Status};
use crate::sim::models::op_table::OpTable;
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::Role;
use crate::sim::runtime::trace::TraceKind;
use crate::sim::runtime::{Layers, World};
use crate::sim::runtime::{Step, WaitKey};

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    pub(crate) fn io_sock(&mut self, id: usize) -> &mut SockIo {
        let socks = &mut self.models.io.socks;
        if socks.len() <= id {
            socks.resize_with(id + 1, || None);
        }
        socks[id].get_or_insert_with(SockIo::default)
    }

    pub(crate) fn io_sock_ref(&self, id: usize) -> Option<&SockIo> {
        self.models.io.socks.get(id)?.as_ref()
    }

    /// Forgets a freed socket's I/O state.
    pub(crate) fn io_clear(&mut self, id: usize) {
        if let Some(slot) = self.models.io.socks.get_mut(id) {
            *slot = None;
        }
    }

    /// Whether `ov` may start an operation on `host` (not pending already).
    pub(crate) fn ov_free(&self, host: usize, ov: &Overlapped) -> bool {
        match self.models.io.op_serial(&(host, ov.id)) {
            Some(serial) => self
                .models
                .io
                .ops
                .get(&serial)
                .is_some_and(|op| op.done.is_some()),
            None => true,
        }
    }

    /// Registers a new operation; returns its serial.
    pub(crate) fn start_op(&mut self, op: Op<L>) -> u64 {
        let (key, reset, accept) = self.op_start_effects(&op);
        let serial = self.models.io.ops.insert(op);
        self.models.io.link(key, serial);
        self.op_started(key, serial, reset, accept);
        serial
    }

    /// [`World::ov_free`] and [`World::start_op`] with one look-up of the OVERLAPPED: the
    /// new operation's serial, or `None` (the operation dropped, nothing started) when its
    /// OVERLAPPED still has one pending.
    pub(crate) fn start_op_if_free(&mut self, op: Op<L>) -> Option<u64> {
        let (key, reset, accept) = self.op_start_effects(&op);
        let serial = self.models.io.insert_linked(key, op)?;
        self.op_started(key, serial, reset, accept);
        Some(serial)
    }

    /// What starting `op` does beside registering it: its OVERLAPPED's key, the event to
    /// reset and whether it is an AcceptEx still to take a connection.
    fn op_start_effects(&self, op: &Op<L>) -> ((usize, u64), Option<usize>, bool) {
        // The I/O manager clears the OVERLAPPED's event when an operation starts
        // (NtDeviceIoControlFile), so a manual-reset event reused for the next operation
        // waits for that one (sock.c test_nonblocking_async_recv). With a completion
        // routine the event is not used at all.
        let reset = match (&op.routine, op.ov.event) {
            (None, Some(e)) => self.event_id(op.host, e.raw()).ok(),
            _ => None,
        };
        let accept = matches!(&op.kind, OpKind::Accept(a) if !a.taken);
        ((op.host, op.ov.id), reset, accept)
    }

    /// The rest of starting operation `serial`, once registered and linked to `key`.
    fn op_started(&mut self, key: (usize, u64), serial: u64, reset: Option<usize>, accept: bool) {
        if !self.models.io.failed_pending.is_empty() {
            self.models.io.failed_pending.remove(&key);
        }
        if let Some(ev) = reset {
            self.reset_event(ev);
        }
        if accept {
            self.models.io.accepts_pending.insert(serial);
        }
    }

    /// An operation finished: record it and deliver it through its one channel.
    /// `immediate` marks completion inside the issuing call (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS).
    pub(crate) fn finish_op(&mut self, serial: u64, status: Status, bytes: usize, immediate: bool) {
        let Some(op) = self.models.io.ops.get_mut(&serial) else {
            return;
        };
        if op.done.is_some() {
            return;
        }
        op.done = Some((status, bytes));
        let accept = matches!(op.kind, OpKind::Accept(_));
        let (host, tid, sid, ov) = (op.host, op.tid, op.sid, op.ov);
        let routine = op.routine.take();
        if accept {
            self.models.io.accepts_pending.remove(&serial);
        }
        self.record(
            tid,
            TraceKind::Completion,
            ov.id,
            bytes as u64,
            status.wsa().map_or(0, |e| i64::from(e.code())),
        );
        if routine.is_none() {
            if let Some(ev) = ov.event.and_then(|e| self.event_id(host, e.raw()).ok()) {
                self.set_event(ev);
            }
        }
        let port = self.io_sock_ref(sid).and_then(|io| {
            let skip = immediate && status == Status::Ok && io.skip_on_success;
            io.port.filter(|_| !skip)
        });
        if let Some(routine) = routine {
            let op = self.take_op(serial);
            let done = completion(op, status.wsa(), bytes);
            self.rt.threads[tid]
                .ext
                .push_apc(Box::new(move |ws: &L::Handle| (*routine)(ws, done)));
            self.notify_apc(tid);
        } else if let Some((port, key)) = port {
            let op = self.take_op(serial);
            let (control, msg_flags) = op.msg.map_or((Vec::new(), 0), |m| (m.control, m.flags));
            let packet = CompletionPacket {
                bytes,
                key,
                overlapped: Some(op.ov),
                error: status.win32(),
                from: op.from.map(|a| crate::api::SockAddr::from(*a)),
                bufs: op.bufs,
                control,
                msg_flags,
            };
            self.post_packet(port, packet);
        }
        self.notify(WaitKey::Io(host, ov.id));
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

    /// Forgets an operation that failed synchronously after being registered (no completion).
    pub(crate) fn drop_op(&mut self, serial: u64) {
        if let Some(op) = self.models.io.ops.remove(&serial) {
            self.models.io.accepts_pending.remove(&serial);
            self.models.io.unlink((op.host, op.ov.id), serial, None);
        }
    }

    /// Removes a finished operation, keeping its result for WSAGetOverlappedResult.
    fn take_op(&mut self, serial: u64) -> Op<L> {
        let op = self
            .models
            .io
            .ops
            .remove(&serial)
            .expect("operation exists");
        self.models.io.unlink((op.host, op.ov.id), serial, op.done);
        op
    }

    /// Collects a finished operation for WSAGetOverlappedResult (buffers included).
    pub(crate) fn collect_op(
        &mut self,
        host: usize,
        ov: &Overlapped,
        win32: bool,
    ) -> Option<IoCompletion> {
        let (op, status, bytes) = self.models.io.take_done((host, ov.id))?;
        let error = if win32 { status.win32() } else { status.wsa() };
        Some(completion(op, error, bytes))
    }

    /// The wait of an overlapped call on a non-overlapped socket ([`SockIo::synchronous`]):
    /// until the operation named by `ov` is done, then its count or error; the operation
    /// stays to be collected (its event is signalled, WSAGetOverlappedResult finds it).
    ///
    /// [`SockIo::synchronous`]: crate::sim::models::op::SockIo::synchronous
    pub(crate) fn synchronous_op_step(&self, host: usize, ov: &Overlapped) -> Step<usize> {
        let done = match self.models.io.op_serial(&(host, ov.id)) {
            Some(serial) => match self.models.io.ops.get(&serial).and_then(|op| op.done) {
                Some(done) => Some(done),
                None => return Step::Wait(WaitKey::Io(host, ov.id), None),
            },
            // Delivered by a routine or a packet already.
            None => self.models.io.result(&(host, ov.id)),
        };
        match done {
            Some((status, bytes)) => Step::Done(status.wsa().map_or(Ok(bytes), Err)),
            None => Step::Done(Err(WsaError::WSAEINVAL)),
        }
    }

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
            return;
        }
        if let Some(serial) = self.io_sock_ref(id).and_then(|io| io.rare().accept_wait) {
            if self.rcv_len(id) > 0
                || self
                    .tcp(id)
                    .is_some_and(|t| t.fin_rcvd || t.error.is_some())
            {
                self.io_sock(id).rare_mut().accept_wait = None;
                let n = self.fill_from_rcv(id, serial);
                self.finish_op(serial, Status::Ok, n, false);
            }
        }
        loop {
            let Some(&serial) = self.io_sock_ref(id).and_then(|io| io.recvs.front()) else {
                return;
            };
            let (has_data, fin, error) = match self.tcp(id) {
                Some(t) => (!t.rcv.is_empty(), t.fin_rcvd, t.error),
                None => (false, false, None),
            };
            let outcome = if has_data {
                let n = self.fill_from_rcv(id, serial);
                (Status::Ok, n)
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
    }

    /// Pending receives on a datagram socket take one datagram each.
    fn service_datagram_recvs(&mut self, id: usize, immediate: bool) {
        loop {
            let Some(&serial) = self.io_sock_ref(id).and_then(|io| io.recvs.front()) else {
                return;
            };
            let peek = matches!(
                self.models.io.ops.get(&serial).map(|op| &op.kind),
                Some(OpKind::Recv { peek: true })
            );
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

    /// Moves received data into an operation's buffers (scatter); returns the bytes moved.
    fn fill_from_rcv(&mut self, id: usize, serial: u64) -> usize {
        let Some(op) = self.models.io.ops.get_mut(&serial) else {
            return 0;
        };
        let peek = matches!(op.kind, OpKind::Recv { peek: true });
        let Some(Role::Stream(t)) = self.net.sockets.get_mut(id).map(|s| &mut s.role) else {
            return 0;
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
        total
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

    /// Ends every pending operation of socket `id` (closesocket, CancelIoEx) with `status`;
    /// AcceptEx operations with `accept_status`. Only `ov`'s when given. Returns how many.
    /// A datagram socket has no connection to abort: closing it cancels its operations
    /// (STATUS_CANCELLED, afd.c test_recv, conformance OV-02).
    pub(crate) fn abort_ops(
        &mut self,
        id: usize,
        status: Status,
        accept_status: Status,
        ov: Option<&Overlapped>,
    ) -> usize {
        let dgram = self
            .net
            .sockets
            .get(id)
            .is_some_and(|s| matches!(s.role, Role::Dgram(_)));
        let status = if dgram && status == Status::LocalAbort {
            Status::Cancelled
        } else {
            status
        };
        let Some(io) = self.models.io.socks.get_mut(id).and_then(|s| s.as_mut()) else {
            return 0;
        };
        let matches = |ops: &OpTable<L>, serial: &u64| {
            ov.is_none_or(|ov| ops.get(serial).is_some_and(|op| op.ov.id == ov.id))
        };
        let mut hit: Vec<(u64, Status)> = Vec::new();
        let ops = &self.models.io.ops;
        for q in [&mut io.recvs, &mut io.sends] {
            q.retain(|s| {
                let m = matches(ops, s);
                if m {
                    hit.push((*s, status));
                }
                !m
            });
        }
        // In this order: unbuffered sends, AcceptEx calls, the ConnectEx, an AcceptEx waiting
        // for data, the DisconnectEx, address-list requests.
        let mut rare = io.rare.as_deref_mut();
        if let Some(r) = rare.as_deref_mut() {
            r.unbuffered.retain(|(s, _)| {
                let m = matches(ops, s);
                if m {
                    hit.push((*s, status));
                }
                !m
            });
            r.accepts.retain(|s| {
                let m = matches(ops, s);
                if m {
                    hit.push((*s, accept_status));
                }
                !m
            });
        }
        if let Some(c) = io.connect.filter(|s| matches(ops, s)) {
            io.connect = None;
            hit.push((c, accept_status));
        }
        if let Some(r) = rare {
            if let Some(a) = r.accept_wait.filter(|s| matches(ops, s)) {
                r.accept_wait = None;
                hit.push((a, accept_status));
            }
            if let Some(d) = r.disconnect.filter(|s| matches(ops, s)) {
                r.disconnect = None;
                hit.push((d, status));
            }
            // An address-list-change request is cancelled, never aborted by the connection.
            r.list_change.retain(|s| {
                let m = matches(ops, s);
                if m {
                    hit.push((*s, Status::Cancelled));
                }
                !m
            });
        }
        let n = hit.len();
        for (serial, st) in hit {
            self.finish_op(serial, st, 0, false);
        }
        n
    }
}

/// The completion handed back for a finished operation.
fn completion<L: Layers>(op: Op<L>, error: Option<WsaError>, bytes: usize) -> IoCompletion {
    let (control, msg_flags) = op.msg.map_or((Vec::new(), 0), |m| (m.control, m.flags));
    IoCompletion {
        overlapped: op.ov,
        error,
        bytes,
        flags: 0,
        from: op.from.map(|a| crate::api::SockAddr::from(*a)),
        bufs: op.bufs,
        control,
        msg_flags,
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
