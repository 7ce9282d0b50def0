//! Overlapped WSASend and WSARecv in the simulator: the checks a call makes before it queues
//! anything, the operation record, the choice between completing inside the call and
//! pending, and, for the `_inline` forms, handing an immediate completion's buffers back
//! with the call's result. The [`OverlappedIo`](crate::api::OverlappedIo) methods in
//! `overlapped.rs` call these; WSASendTo starts its operation with `start_stream_op` too,
//! WSARecvMsg and WSASendMsg with `start_op_checked`.

use crate::api::consts::*;
use crate::api::{CompletionRoutine, Immediate, Overlapped, Socket, WsaError};
use crate::sim::api::{SimLayers, SimWinsock, World};
use crate::sim::models::op::{Op, OpKind, Status};
use crate::sim::models::overlapped::plain_completion;
use crate::sim::net::endpoint::Role;

impl SimWinsock {
    /// Common start of an overlapped WSASend/WSARecv: checks, then the operation record.
    pub(super) fn start_stream_op(
        &self,
        w: &mut World,
        id: usize,
        kind: OpKind,
        bufs: Vec<Vec<u8>>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<SimWinsock>>,
    ) -> Result<u64, WsaError> {
        let receive = matches!(kind, OpKind::Recv { .. });
        self.start_op_checked(
            w,
            id,
            receive,
            Op {
                host: self.host,
                tid: self.tid,
                sid: id,
                ov,
                kind,
                bufs,
                routine: routine.map(Box::new),
                done: None,
                from: None,
                msg: None,
            },
        )
    }

    /// Registers a send or receive operation after the checks made before anything is
    /// queued: the socket's state, a routine on a socket bound to a port (OV-04), an
    /// OVERLAPPED still pending.
    pub(crate) fn start_op_checked(
        &self,
        w: &mut World,
        id: usize,
        receive: bool,
        op: Op<SimLayers>,
    ) -> Result<u64, WsaError> {
        w.overlapped_precheck(id, receive)?;
        if op.routine.is_some() && w.io_sock_ref(id).is_some_and(|io| io.port.is_some()) {
            // A completion routine on a socket bound to a completion port (OV-04).
            return Err(WsaError::WSAEINVAL);
        }
        let ov_id = op.ov.id;
        let call = if receive { "WSARecv" } else { "WSASend" };
        w.start_op_if_free(op)
            .ok_or_else(|| w.ov_reused(self.tid, call, ov_id, id))
    }
}

impl SimWinsock {
    /// A whole overlapped WSASend/WSARecv call: checks and the operation record, then `body`
    /// decides between completing at once and pending. With `inline`, an operation that
    /// completed at once and that no packet or routine took is collected before the call
    /// returns, under its lock ([`Immediate::Completed`]). `at_once` (a WSASend collected
    /// inline, with no routine and no event; `Some(urgent)`) lets a send that completes in
    /// the call skip the operation record ([`World::send_done_in_call`]).
    #[allow(clippy::too_many_arguments)]
    fn stream_op(
        &self,
        call: &'static str,
        s: Socket,
        kind: OpKind,
        bufs: Vec<Vec<u8>>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<SimWinsock>>,
        inline: bool,
        at_once: Option<bool>,
        body: impl FnOnce(&mut World, usize, u64) -> Result<usize, WsaError>,
    ) -> Result<Immediate, WsaError> {
        let len: usize = bufs.iter().map(|b| b.len()).sum();
        self.call_held(call, s.raw() as u64, len as u64, |this, mut w| {
            let id = match w.sock_id(this.host, s) {
                Ok(id) => id,
                Err(e) => return (Err(e), Some(w)),
            };
            let bufs = match at_once {
                Some(urgent) => match this.send_at_once(&mut w, id, bufs, ov, urgent) {
                    Ok(r) => return (r, Some(w)),
                    Err(bufs) => bufs,
                },
                None => bufs,
            };
            let serial = match this.start_stream_op(&mut w, id, kind, bufs, ov, routine) {
                Ok(serial) => serial,
                Err(e) => return (Err(e), Some(w)),
            };
            let r = body(&mut w, id, serial);
            let synchronous = w.io_sock_ref(id).is_some_and(|io| io.synchronous);
            let host = this.host;
            let (r, held) = match r {
                // A non-overlapped socket: the call waits for the operation (NB-03).
                Err(WsaError::WSA_IO_PENDING) if synchronous => {
                    this.blocking_held(w, call, None, |w| w.synchronous_op_step(host, &ov))
                }
                r => (r, Some(w)),
            };
            match (r, held) {
                (Ok(n), Some(mut w)) if inline => {
                    let done = match w.collect_op(host, &ov, false) {
                        Some(c) => Immediate::Completed(c),
                        None => Immediate::Queued(n),
                    };
                    (Ok(done), Some(w))
                }
                (r, held) => (r.map(Immediate::Queued), held),
            }
        })
    }

    /// The start of an overlapped WSASend that may complete inside the call with nothing
    /// else to deliver it ([`World::send_done_in_call`]): it does so without an operation
    /// record, and returns its completion with its buffers; or the fault plan makes it pend
    /// (its record is made then, as [`SimWinsock::stream_op`] would have); or it is not such
    /// a send, and the buffers come back for the general path (`Err`), nothing done.
    fn send_at_once(
        &self,
        w: &mut World,
        id: usize,
        bufs: Vec<Vec<u8>>,
        ov: Overlapped,
        urgent: bool,
    ) -> Result<Result<Immediate, WsaError>, Vec<Vec<u8>>> {
        if w.overlapped_precheck(id, false).is_err() || !w.send_done_in_call(self.host, id, &ov) {
            return Err(bufs);
        }
        // What the general path does between starting the operation and handing the data
        // to TCP, in its order (the operation's record has no part in it).
        w.reenable_send(id, false);
        if w.io_pends(id) {
            return Ok(self
                .start_stream_op(w, id, OpKind::Send, bufs, ov, None)
                .and_then(|serial| {
                    w.io_sock(id).sends.push_back(serial);
                    Err(WsaError::WSA_IO_PENDING)
                }));
        }
        let bytes = w.send_in_call((self.tid, self.host), id, &ov, &bufs, urgent);
        Ok(Ok(Immediate::Completed(plain_completion(
            ov, None, bytes, bufs,
        ))))
    }

    /// Whether socket `s` (if it is one) refuses an overlapped receive's MSG_WAITALL
    /// (`recv_flags::waitall_refused`).
    fn waitall_refused(&self, s: Socket, flags: u32) -> bool {
        let Ok(id) = self.sock(s) else { return false };
        let w = self.w();
        w.net.sockets.get(id).is_some_and(|k| {
            let dgram = matches!(k.role, Role::Dgram(_));
            crate::api::recv_flags::waitall_refused(flags as i32, k.nonblocking, dgram)
        })
    }

    /// A WSASend or WSARecv with flags it does not take: WSAEOPNOTSUPP, after the handle
    /// check (WSAENOTSOCK first, as on Windows).
    fn flags_not_supported(&self, call: &'static str, s: Socket) -> Result<Immediate, WsaError> {
        self.call(call, s.raw() as u64, 0, |this| {
            this.sock(s)?;
            Err(WsaError::WSAEOPNOTSUPP)
        })
    }

    /// Overlapped WSASend, returning its buffers at once when `inline` and nothing else will.
    pub(super) fn send_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
        inline: bool,
    ) -> Result<Immediate, WsaError> {
        if flags & !((MSG_OOB | MSG_DONTROUTE) as u32) != 0 {
            return self.flags_not_supported("WSASend", s);
        }
        let urgent = flags & MSG_OOB as u32 != 0;
        let at_once = (inline && routine.is_none() && ov.event.is_none()).then_some(urgent);
        self.stream_op(
            "WSASend",
            s,
            OpKind::Send,
            bufs,
            ov,
            routine,
            inline,
            at_once,
            |w, id, serial| {
                if w.udp(id).is_some() {
                    // A datagram socket: one datagram to the connected peer, handed to the
                    // network at once (WSAENOTCONN when not connected), as WSASendTo does.
                    return w.send_datagram_op(serial, id, None);
                }
                let idle = w.io_sock_ref(id).is_none_or(|io| io.sends.is_empty());
                w.reenable_send(id, false);
                let pends = |w: &mut World| w.io_pends(id);
                if idle && w.send_ready(id) && !pends(w) {
                    let Some(n) = w.hand_send(id, serial, urgent) else {
                        // SO_SNDBUF 0: pending until the peer acknowledges it all.
                        return Err(WsaError::WSA_IO_PENDING);
                    };
                    w.finish_op(serial, Status::Ok, n, true);
                    return Ok(n);
                }
                w.io_sock(id).sends.push_back(serial);
                Err(WsaError::WSA_IO_PENDING)
            },
        )
    }

    /// Overlapped WSARecv, returning its filled buffers at once when `inline` and nothing
    /// else will.
    pub(super) fn recv_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
        inline: bool,
    ) -> Result<Immediate, WsaError> {
        if flags & !((MSG_PEEK | MSG_WAITALL) as u32) != 0 {
            // MSG_OOB is not modelled for overlapped receives (MSG_PEEK is: the data is
            // copied and stays queued, as on Windows; so is MSG_WAITALL).
            return self.flags_not_supported("WSARecv", s);
        }
        let waitall = flags & MSG_WAITALL as u32 != 0;
        if waitall && self.waitall_refused(s, flags) {
            // WSARecv's documentation: MSG_WAITALL with MSG_PEEK (or MSG_OOB, MSG_PARTIAL),
            // on a socket in nonblocking mode, or on a datagram socket fails with
            // WSAEOPNOTSUPP.
            return self.flags_not_supported("WSARecv", s);
        }
        if bufs.is_empty() {
            // No WSABUF at all (lpBuffers NULL or dwBufferCount 0): WSAEINVAL, nothing queued
            // (sock.c test_empty_recv); one zero-length buffer is a valid receive.
            return self.call("WSARecv", s.raw() as u64, 0, |this| {
                this.sock(s)?;
                Err::<Immediate, _>(WsaError::WSAEINVAL)
            });
        }
        let peek = flags & MSG_PEEK as u32 != 0;
        // A buffer of no room is full already: it waits for data as any zero-length receive.
        let waitall = waitall && bufs.iter().any(|b| !b.is_empty());
        let host = self.host;
        self.stream_op(
            "WSARecv",
            s,
            OpKind::Recv {
                peek,
                waitall,
                filled: 0,
            },
            bufs,
            ov,
            routine,
            inline,
            None,
            |w, id, serial| {
                let idle = w.io_sock_ref(id).is_none_or(|io| io.recvs.is_empty());
                w.io_sock(id).recvs.push_back(serial);
                // Data already there (or a close): completes at once, still signalled and
                // still queued to a completion port (OV-06) unless skip-on-success is set —
                // unless a Pend fault makes it complete a moment later.
                let pends = |w: &mut World| w.tcp(id).is_some() && w.has_data(id) && w.io_pends(id);
                if idle && !pends(w) {
                    w.service_recvs_now(id, true);
                }
                w.reenable_recv(id, false);
                w.op_outcome(serial, host, &ov)
            },
        )
    }
}
