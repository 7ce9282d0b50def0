//! The overlapped calls of the simulator ([`OverlappedIo`] for [`SimWinsock`]): WSASend and
//! WSARecv with and without OVERLAPPED, WSASendTo/WSARecvFrom, WSAGetOverlappedResult,
//! CancelIoEx, and the alertable waits that run completion routines (SleepEx,
//! WaitForSingleObjectEx, WaitForMultipleObjectsEx, QueueUserAPC).
//!
//! The trait's other calls are handed on: AcceptEx, GetAcceptExSockaddrs, ConnectEx and
//! DisconnectEx to `mswsock.rs`, WSAIoctl to `wsa_ioctl.rs`, WSARecvMsg and WSASendMsg to
//! `recv_msg.rs`, TransmitFile to `transmit_file.rs`.

use crate::api::consts::*;
use crate::api::sync::Handle;
use crate::api::{
    ApcRoutine, CompletionRoutine, Immediate, IoCompletion, Overlapped, OverlappedIo, SockAddr,
    Socket, ThreadId, TransmitFileBuffers, WsaError, WsaMsg,
};
use crate::sim::api::{SimLayers, World};
use crate::sim::api::{SimWinsock, Traced};
use crate::sim::models::op::{Op, OpKind, Status};
use crate::sim::models::overlapped::gathered;
use crate::sim::runtime::trace::TraceKind;
use crate::sim::runtime::{Step, WaitKey};

impl Traced for IoCompletion {
    fn traced(&self) -> i64 {
        self.bytes as i64
    }
}

impl Traced for Immediate {
    fn traced(&self) -> i64 {
        self.bytes() as i64
    }
}

impl Traced for (usize, u32) {
    fn traced(&self) -> i64 {
        self.0 as i64
    }
}

impl SimWinsock {
    /// WSAGetOverlappedResult (`win32` false: WinSock codes) and GetOverlappedResult
    /// (`win32` true: the Win32 codes of the same NTSTATUS), which differ only in the error's
    /// form.
    fn overlapped_result(
        &self,
        name: &'static str,
        s: Socket,
        ov: &Overlapped,
        wait: bool,
        win32: bool,
    ) -> Result<IoCompletion, WsaError> {
        let r = self.call_held(name, s.raw() as u64, ov.id, |this, w| {
            if !win32 {
                // WSAGetOverlappedResult checks the socket; GetOverlappedResult reads the
                // OVERLAPPED whatever the handle (sock.c test_AcceptEx asks it about a
                // listener already closed).
                if let Err(e) = w.sock_id(this.host, s) {
                    return (Err(e), Some(w));
                }
            }
            let host = this.host;
            this.blocking_held(w, name, None, |w| {
                if let Some(c) = w.collect_op(host, ov, win32) {
                    return Step::Done(Ok(c));
                }
                if w.models.io.op_serial(&(host, ov.id)).is_some() {
                    return if wait {
                        Step::Wait(WaitKey::Io(host, ov.id), None)
                    } else {
                        Step::Done(Err(WsaError::WSA_IO_INCOMPLETE))
                    };
                }
                match w.models.io.result(&(host, ov.id)) {
                    Some((status, bytes)) => Step::Done(Ok(IoCompletion {
                        overlapped: *ov,
                        error: if win32 { status.win32() } else { status.wsa() },
                        bytes,
                        flags: 0,
                        bufs: Vec::new(),
                        from: None,
                        control: Vec::new(),
                        msg_flags: 0,
                    })),
                    None => Step::Done(Err(WsaError::WSAEINVAL)),
                }
            })
        });
        if let Ok(IoCompletion { error: Some(e), .. }) = &r {
            // The call returned FALSE: the operation's error is the last error.
            self.w().rt.threads[self.tid].last_error = e.code();
        }
        r
    }

    /// Common start of an overlapped WSASend/WSARecv: checks, then the operation record.
    fn start_stream_op(
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
        if !w.ov_free(self.host, &op.ov) {
            // Windows does not check: the second I/O overwrites the first one's OVERLAPPED
            // and the program later misreads a completion. The sim refuses it and says why in
            // the timeline.
            w.record(
                self.tid,
                TraceKind::Fault("OVERLAPPED reused while its I/O is pending"),
                op.ov.id,
                id as u64,
                0,
            );
            return Err(WsaError::WSAEINVAL);
        }
        Ok(w.start_op(op))
    }
}

impl SimWinsock {
    /// A whole overlapped WSASend/WSARecv call: checks and the operation record, then `body`
    /// decides between completing at once and pending. With `inline`, an operation that
    /// completed at once and that no packet or routine took is collected before the call
    /// returns, under its lock ([`Immediate::Completed`]).
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
        body: impl FnOnce(&mut World, usize, u64) -> Result<usize, WsaError>,
    ) -> Result<Immediate, WsaError> {
        let len: usize = bufs.iter().map(|b| b.len()).sum();
        self.call_held(call, s.raw() as u64, len as u64, |this, mut w| {
            let started = w.sock_id(this.host, s).and_then(|id| {
                Ok((
                    id,
                    this.start_stream_op(&mut w, id, kind, bufs, ov, routine)?,
                ))
            });
            let (id, serial) = match started {
                Ok(started) => started,
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

    /// Overlapped WSASend, returning its buffers at once when `inline` and nothing else will.
    fn send_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
        inline: bool,
    ) -> Result<Immediate, WsaError> {
        if flags & !((MSG_OOB | MSG_DONTROUTE) as u32) != 0 {
            // The handle is checked before the flags (WSAENOTSOCK first, as on Windows).
            return self.call("WSASend", s.raw() as u64, 0, |this| {
                this.sock(s)?;
                Err::<Immediate, _>(WsaError::WSAEOPNOTSUPP)
            });
        }
        let urgent = flags & MSG_OOB as u32 != 0;
        self.stream_op(
            "WSASend",
            s,
            OpKind::Send,
            bufs,
            ov,
            routine,
            inline,
            |w, id, serial| {
                if w.udp(id).is_some() {
                    // A datagram socket: one datagram to the connected peer, handed to the
                    // network at once (WSAENOTCONN when not connected), as WSASendTo does.
                    return match w.with_gathered(serial, |w, data| w.udp_send(id, data, None)) {
                        Ok(n) => {
                            w.finish_op(serial, Status::Ok, n, true);
                            Ok(n)
                        }
                        Err(e) => {
                            w.drop_op(serial);
                            Err(e)
                        }
                    };
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
    fn recv_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
        inline: bool,
    ) -> Result<Immediate, WsaError> {
        if flags & !(MSG_PEEK as u32) != 0 {
            // MSG_WAITALL and MSG_OOB are not modelled for overlapped receives (MSG_PEEK is:
            // the data is copied and stays queued, as on Windows).
            return self.call("WSARecv", s.raw() as u64, 0, |this| {
                this.sock(s)?;
                Err::<Immediate, _>(WsaError::WSAEOPNOTSUPP)
            });
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
        let host = self.host;
        self.stream_op(
            "WSARecv",
            s,
            OpKind::Recv { peek },
            bufs,
            ov,
            routine,
            inline,
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

impl OverlappedIo for SimWinsock {
    fn wsa_send(&self, s: Socket, bufs: &[&[u8]], flags: u32) -> Result<usize, WsaError> {
        gathered(bufs, |data| {
            self.call_locked("WSASend", s.raw() as u64, data.len() as u64, |this, w| {
                this.send_body("WSASend", s, data, flags as i32, None, w).0
            })
        })
    }

    fn wsa_recv(
        &self,
        s: Socket,
        bufs: &mut [&mut [u8]],
        flags: u32,
    ) -> Result<(usize, u32), WsaError> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        self.call_locked("WSARecv", s.raw() as u64, total as u64, |this, w| {
            let mut tmp = vec![0u8; total];
            let (n, _) = this.recv_body("WSARecv", s, &mut tmp, flags as i32, w).0?;
            let mut off = 0;
            for b in bufs.iter_mut() {
                let k = b.len().min(n - off);
                b[..k].copy_from_slice(&tmp[off..off + k]);
                off += k;
            }
            Ok((n, 0))
        })
    }

    fn wsa_send_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.send_overlapped(s, bufs, flags, ov, routine, false)
            .map(|i| i.bytes())
    }

    fn wsa_recv_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.recv_overlapped(s, bufs, flags, ov, routine, false)
            .map(|i| i.bytes())
    }

    fn wsa_send_overlapped_inline(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<Immediate, WsaError> {
        self.send_overlapped(s, bufs, flags, ov, routine, true)
    }

    fn wsa_recv_overlapped_inline(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<Immediate, WsaError> {
        self.recv_overlapped(s, bufs, flags, ov, routine, true)
    }

    fn wsa_send_to(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        to: &SockAddr,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        let dgram = self.sock(s).is_ok_and(|id| self.w().udp(id).is_some());
        if !dgram {
            return self.wsa_send_overlapped(s, bufs, flags, ov, routine);
        }
        let len: usize = bufs.iter().map(|b| b.len()).sum();
        self.call("WSASendTo", s.raw() as u64, len as u64, |this| {
            let id = this.sock(s)?;
            let dst = to.parse()?;
            let mut w = this.w();
            let serial = this.start_stream_op(&mut w, id, OpKind::Send, bufs, ov, routine)?;
            match w.with_gathered(serial, |w, data| w.udp_send(id, data, Some(dst))) {
                Ok(n) => {
                    // A datagram is handed to the network at once: immediate completion.
                    w.finish_op(serial, Status::Ok, n, true);
                    Ok(n)
                }
                Err(e) => {
                    w.drop_op(serial);
                    Err(e)
                }
            }
        })
    }

    fn wsa_recv_from(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.wsa_recv_overlapped(s, bufs, flags, ov, routine)
    }

    fn wsa_get_overlapped_result(
        &self,
        s: Socket,
        ov: &Overlapped,
        wait: bool,
    ) -> Result<IoCompletion, WsaError> {
        self.overlapped_result("WSAGetOverlappedResult", s, ov, wait, false)
    }

    fn get_overlapped_result(
        &self,
        s: Socket,
        ov: &Overlapped,
        wait: bool,
    ) -> Result<IoCompletion, WsaError> {
        self.overlapped_result("GetOverlappedResult", s, ov, wait, true)
    }

    // WSARecvMsg / WSASendMsg: recv_msg.rs.
    fn wsa_recv_msg(&self, s: Socket, msg: &mut WsaMsg) -> Result<usize, WsaError> {
        self.wsa_recv_msg_call(s, msg)
    }

    fn wsa_recv_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.wsa_recv_msg_overlapped_call(s, msg, ov, routine)
    }

    fn wsa_send_msg(&self, s: Socket, msg: &WsaMsg, flags: u32) -> Result<usize, WsaError> {
        self.wsa_send_msg_call(s, msg, flags)
    }

    fn wsa_send_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.wsa_send_msg_overlapped_call(s, msg, flags, ov, routine)
    }

    // TransmitFile: transmit_file.rs.
    fn transmit_file(
        &self,
        s: Socket,
        file: Option<&[u8]>,
        offset: u64,
        bytes_to_write: u32,
        buffers: Option<&TransmitFileBuffers>,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        self.transmit_file_call(s, file, offset, bytes_to_write, buffers, ov, flags)
    }

    // The Microsoft extensions: mswsock.rs.
    fn accept_ex(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.accept_ex_call(listener, accept_socket, buf, None, ov)
    }

    fn accept_ex_with_lengths(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        local_len: u32,
        remote_len: u32,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.accept_ex_call(
            listener,
            accept_socket,
            buf,
            Some((local_len, remote_len)),
            ov,
        )
    }

    fn get_accept_ex_sockaddrs(
        &self,
        accept_socket: Socket,
    ) -> Result<(SockAddr, SockAddr), WsaError> {
        self.get_accept_ex_sockaddrs_call(accept_socket)
    }

    fn connect_ex(
        &self,
        s: Socket,
        addr: &SockAddr,
        send_buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.connect_ex_call(s, addr, send_buf, ov)
    }

    fn disconnect_ex(&self, s: Socket, ov: Option<Overlapped>, flags: u32) -> Result<(), WsaError> {
        self.disconnect_ex_call(s, ov, flags)
    }

    // WSAIoctl: wsa_ioctl.rs.
    fn wsa_ioctl(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError> {
        self.wsa_ioctl_call(s, code, input, output)
    }

    fn wsa_ioctl_overlapped(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: Vec<u8>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.wsa_ioctl_overlapped_call(s, code, input, output, ov, routine)
    }

    fn cancel_io_ex(&self, s: Socket, ov: Option<&Overlapped>) -> Result<(), WsaError> {
        self.call(
            "CancelIoEx",
            s.raw() as u64,
            ov.map_or(0, |o| o.id),
            |this| {
                let id = this.sock(s)?;
                let n = this
                    .w()
                    .abort_ops(id, Status::Cancelled, Status::Cancelled, ov);
                if n == 0 {
                    return Err(WsaError::ERROR_NOT_FOUND);
                }
                Ok(())
            },
        )
    }

    fn sleep_ex(&self, ms: u32, alertable: bool) -> u32 {
        self.sleep_alertable(ms, alertable)
    }

    fn wait_for_single_object_ex<H: Into<Handle> + Copy>(
        &self,
        h: H,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        self.wait_for_multiple_objects_ex(&[h], false, timeout_ms, alertable)
    }

    fn wait_for_multiple_objects_ex<H: Into<Handle> + Copy>(
        &self,
        handles: &[H],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        // WAIT_OBJECT_0 + i, WAIT_TIMEOUT and WAIT_IO_COMPLETION have the WSA_WAIT_* values.
        let handles: Vec<Handle> = handles.iter().map(|&h| h.into()).collect();
        self.wait_handles(
            "WaitForMultipleObjectsEx",
            true,
            &handles,
            wait_all,
            timeout_ms,
            alertable,
        )
    }

    fn queue_user_apc(&self, apc: ApcRoutine<Self>, thread: ThreadId) -> Result<(), WsaError> {
        self.queue_apc(apc, thread)
    }
}
