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
//! This file holds the operation table (issue, completion, delivery, collection, abort);
//! pending WSARecv/WSASend operations are serviced in `pending_io.rs`, AcceptEx, ConnectEx
//! and DisconnectEx in `mswsock.rs`, and the calls that start operations are in
//! `overlapped_api.rs`, `mswsock.rs` and `wsa_ioctl.rs`.

use crate::api::{CompletionPacket, IoCompletion, Overlapped, WsaError};
use crate::sim::kernel::objects::ObjRef;
use crate::sim::models::op::{Op, OpKind, SockIo, Status};
use crate::sim::models::op_table::OpTable;
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::Role;
use crate::sim::net::tcp::Opt64;
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

    /// The completion port association of socket `id` and its skip-on-success mode, taken
    /// out to move to the socket that replaces it (AcceptEx's, a reused one's): the binding
    /// of a BindIoCompletionCallback moves with it instead of going with the old socket.
    pub(crate) fn take_completion_port(&mut self, id: usize) -> (Option<(ObjRef, usize)>, bool) {
        match self.models.io.socks.get_mut(id).and_then(Option::as_mut) {
            Some(io) => (io.port.take(), io.skip_on_success),
            None => (None, false),
        }
    }

    /// Forgets a freed socket's I/O state (and its BindIoCompletionCallback binding: the
    /// completions already queued hold the callback).
    pub(crate) fn io_clear(&mut self, id: usize) {
        let old = self.models.io.socks.get_mut(id).and_then(Option::take);
        if let Some((ObjRef::POOL, binding)) = old.and_then(|io| io.port) {
            self.pool_unbind_io(binding);
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

    /// A call by thread `tid` refused because its OVERLAPPED `ov` still has an operation
    /// pending (on socket `sid`): Windows does not check, so the two operations share one
    /// OVERLAPPED and the program later misreads a completion. The simulator refuses the
    /// second with WSAEINVAL, marks it in the timeline and names it among the misuses.
    #[cold]
    pub(crate) fn ov_reused(&mut self, tid: usize, call: &str, ov: u64, sid: usize) -> WsaError {
        self.record(
            tid,
            TraceKind::Fault("OVERLAPPED reused while its I/O is pending"),
            ov,
            sid as u64,
            0,
        );
        self.rt.note_misuse_by(
            tid,
            format!(
                "{call} with OVERLAPPED {ov} while an operation it started is still pending: \
                 Windows takes the call and both operations write one OVERLAPPED (a completion \
                 is then misread); the simulator refused it with WSAEINVAL. Use one OVERLAPPED \
                 per outstanding operation"
            ),
        );
        WsaError::WSAEINVAL
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
    /// reset (which the operation then holds: `op_started`) and whether it is an AcceptEx
    /// still to take a connection.
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

    /// The rest of starting operation `serial`, once registered and linked to `key`. The
    /// operation holds its event object from now on: closing the handle meanwhile, or a new
    /// event that takes the same handle value, changes nothing (the I/O manager references
    /// the object).
    fn op_started(&mut self, key: (usize, u64), serial: u64, reset: Option<usize>, accept: bool) {
        if !self.models.io.failed_pending.is_empty() {
            self.models.io.failed_pending.remove(&key);
        }
        if let Some(ev) = reset {
            let held = self.kern.objects.obj_ref(ev);
            self.models.io.op_events.insert(serial, held);
            self.reset_event(ev);
        }
        if accept {
            self.models.io.accepts_pending.insert(serial);
        }
    }

    /// An operation finished: record it and deliver it through its one channel.
    /// `immediate` marks completion inside the issuing call (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS;
    /// an error status there is a synchronous failure, delivered through no channel).
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
        if immediate && status.is_error() {
            // Failed synchronously: the call returns the error, and nothing else tells of
            // it (no event, no APC, no packet). Its result stays for WSAGetOverlappedResult.
            self.models.io.op_events.remove(&serial);
            drop(self.take_op(serial));
            self.notify(WaitKey::Io(host, ov.id));
            return;
        }
        if routine.is_none() && ov.event.is_some() {
            let event = self.models.io.op_events.remove(&serial);
            if let Some(ev) = event.and_then(|ev| self.kern.objects.resolve(ev)) {
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
        } else if let Some((ObjRef::POOL, binding)) = port {
            // BindIoCompletionCallback: the pool's port, whose thread calls the callback.
            let op = self.take_op(serial);
            let done = completion(op, status.win32(), bytes);
            self.pool_push_io(host, binding, done, tid);
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
            // A port whose last handle was closed is gone: its packets with it.
            if let Some(port) = self.kern.objects.resolve(port) {
                self.post_packet(port, packet);
            }
        }
        self.notify(WaitKey::Io(host, ov.id));
    }

    /// Forgets an operation that failed synchronously after being registered (no completion).
    pub(crate) fn drop_op(&mut self, serial: u64) {
        if let Some(op) = self.models.io.ops.remove(&serial) {
            self.models.io.accepts_pending.remove(&serial);
            self.models.io.op_events.remove(&serial);
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

    /// Thread `tid` ended: its pending operations are cancelled (STATUS_CANCELLED: the event
    /// is set, a routine never runs, a socket with a port gets the packet), except those on a
    /// socket with a completion port and without an event, which outlive it (afd.c
    /// test_async_thread_termination L2581-2586 and L2613-2623, against L2634-2639).
    pub(crate) fn cancel_io_of_thread(&mut self, tid: usize) {
        let io = &self.models.io;
        // The table holds only operations not yet collected, so a thread-per-connection run
        // with no overlapped calls scans nothing; by socket, then in the order issued.
        let mut hit: Vec<(usize, u64, Overlapped)> = io
            .ops
            .iter()
            .filter(|(_, op)| op.tid == tid && op.done.is_none())
            .filter(|(_, op)| {
                let port = io.socks.get(op.sid).and_then(|s| s.as_ref()?.port);
                !(port.is_some() && op.ov.event.is_none() && op.routine.is_none())
            })
            .map(|(serial, op)| (op.sid, serial >> 32, op.ov))
            .collect();
        hit.sort_unstable_by_key(|&(id, issued, _)| (id, issued));
        for (id, _, ov) in hit {
            self.abort_ops(id, Status::Cancelled, Status::Cancelled, Some(&ov));
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
        if let Some(c) = io.connect.get().filter(|s| matches(ops, s)) {
            io.connect = Opt64::NONE;
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
            if let Some(i) = r.isb_change.filter(|s| matches(ops, s)) {
                r.isb_change = None;
                hit.push((i, Status::Cancelled));
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
        from: op.from.map(|a| crate::api::SockAddr::from(*a)),
        control,
        msg_flags,
        ..plain_completion(op.ov, error, bytes, op.bufs)
    }
}

/// A completion with no datagram source, control data or message flags (a send's, or a
/// result read again from its OVERLAPPED).
pub(crate) fn plain_completion(
    overlapped: Overlapped,
    error: Option<WsaError>,
    bytes: usize,
    bufs: Vec<Vec<u8>>,
) -> IoCompletion {
    IoCompletion {
        overlapped,
        error,
        bytes,
        flags: 0,
        bufs,
        from: None,
        control: Vec::new(),
        msg_flags: 0,
    }
}
