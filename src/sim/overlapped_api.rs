//! The overlapped calls of the simulator ([`OverlappedIo`] for [`SimWinsock`]): WSASend and
//! WSARecv with and without OVERLAPPED, WSAGetOverlappedResult, AcceptEx, ConnectEx,
//! CancelIoEx, and the alertable waits that run completion routines (SleepEx,
//! WaitForSingleObjectEx, WaitForMultipleObjectsEx, QueueUserAPC).

use super::api::{SimWinsock, Traced};
use super::overlapped::{Op, OpKind, Status};
use super::sched::{Step, WaitKey};
use super::socket::Role;
use super::tcp::TcpState;
use super::world::World;
use crate::api::consts::*;
use crate::api::{
    ApcRoutine, CompletionRoutine, IoCompletion, Overlapped, OverlappedIo, SockAddr, Socket,
    ThreadId, WsaError, WsaEvent,
};

impl Traced for IoCompletion {
    fn traced(&self) -> i64 {
        self.bytes as i64
    }
}

/// Two addresses as a call result (traced as the remote port).
struct AddrPair(SockAddr, SockAddr);

impl Traced for AddrPair {
    fn traced(&self) -> i64 {
        i64::from(self.1.port().unwrap_or(0))
    }
}

impl Traced for (usize, u32) {
    fn traced(&self) -> i64 {
        self.0 as i64
    }
}

impl World {
    /// The checks WSASend/WSARecv make before anything is queued (OV-08): errors known at call
    /// time are synchronous and queue no packet.
    fn overlapped_precheck(&mut self, id: usize, receive: bool) -> Result<(), WsaError> {
        let s = self.sockets.at(id);
        if receive && s.shut_rd || !receive && s.shut_wr {
            return Err(WsaError::WSAESHUTDOWN);
        }
        match &s.role {
            // A datagram socket must be bound to receive (WSAEINVAL, as recvfrom); sends bind.
            Role::Dgram(_) if receive && s.local.is_none() => Err(WsaError::WSAEINVAL),
            Role::Dgram(_) => Ok(()),
            Role::Stream(t) => match (t.error, t.connected_at) {
                (Some(e), Some(_)) => Err(e),
                _ if !t.state.is_synchronized() || t.state == TcpState::TimeWait => {
                    Err(WsaError::WSAENOTCONN)
                }
                _ => Ok(()),
            },
            _ => Err(WsaError::WSAENOTCONN),
        }
    }

    /// What the starting call returns for operation `serial`: its byte count if it already
    /// succeeded, its error if it already failed (delivered or not), else WSA_IO_PENDING.
    fn op_outcome(&self, serial: u64, host: usize, ov: &Overlapped) -> Result<usize, WsaError> {
        let done = match self.io.ops.get(&serial) {
            Some(op) => op.done,
            None => self.io.results.get(&(host, ov.id)).copied(),
        };
        match done {
            None => Err(WsaError::WSA_IO_PENDING),
            Some((st, n)) => st.wsa().map_or(Ok(n), Err),
        }
    }

    /// Cancels the AcceptEx operations (of any listener of `host`) that would use accept
    /// handle `h`.
    pub(crate) fn cancel_accepts_into(&mut self, host: usize, h: usize) {
        let hits: Vec<(u64, usize)> = self
            .io
            .ops
            .iter()
            .filter(|(_, op)| {
                op.done.is_none()
                    && op.host == host
                    && matches!(op.kind, OpKind::Accept { accept_handle, child: None, .. } if accept_handle == h)
            })
            .map(|(&serial, op)| (serial, op.sid))
            .collect();
        for (serial, lid) in hits {
            self.io_sock(lid).accepts.retain(|&s| s != serial);
            self.finish_op(serial, Status::Cancelled, 0, false);
        }
    }
}

impl World {
    /// WSAIoctl's synchronous codes on socket `id` (handle `s`); returns cbBytesReturned.
    fn ioctl_now(
        &mut self,
        id: usize,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError> {
        let w = self;
        let u32_in =
            |b: &[u8], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let put = |out: &mut [u8], v: u32| -> Result<usize, WsaError> {
            if out.len() < 4 {
                return Err(WsaError::WSAEFAULT);
            }
            out[..4].copy_from_slice(&v.to_le_bytes());
            Ok(4)
        };
        match code {
            FIONBIO => {
                if input.len() < 4 {
                    return Err(WsaError::WSAEFAULT);
                }
                let mut v = u32_in(input, 0);
                let registered = w
                    .netev(id)
                    .is_some_and(|n| n.reg != super::network_events::Reg::None);
                if v == 0 && registered {
                    return Err(WsaError::WSAEINVAL);
                }
                w.ioctl(id, FIONBIO, &mut v)?;
                Ok(0)
            }
            FIONREAD | SIOCATMARK => {
                if output.len() < 4 {
                    return Err(WsaError::WSAEFAULT);
                }
                let mut v = 0;
                w.ioctl(id, code, &mut v)?;
                put(output, v)
            }
            SIO_KEEPALIVE_VALS => {
                if input.len() < 12 {
                    return Err(WsaError::WSAEFAULT);
                }
                let (on, time_ms, interval_ms) =
                    (u32_in(input, 0), u32_in(input, 4), u32_in(input, 8));
                let o = &mut w.sockets.at(id).opts;
                o.keepalive = on != 0;
                o.keep_idle = time_ms / 1000;
                o.keep_interval = interval_ms / 1000;
                Ok(0)
            }
            SIO_IDEAL_SEND_BACKLOG_QUERY => {
                let sk = w.sockets.at(id);
                if sk.ty != SOCK_STREAM {
                    return Err(WsaError::WSAEOPNOTSUPP);
                }
                let connected = matches!(&sk.role, Role::Stream(t) if t.state.is_synchronized());
                if !connected {
                    return Err(WsaError::WSAENOTCONN);
                }
                put(output, super::stream::IDEAL_SEND_BACKLOG as u32)
            }
            SIO_BASE_HANDLE => {
                if output.len() < std::mem::size_of::<usize>() {
                    return Err(WsaError::WSAEFAULT);
                }
                let n = std::mem::size_of::<usize>();
                output[..n].copy_from_slice(&s.raw().to_le_bytes());
                Ok(n)
            }
            _ => Err(WsaError::WSAEOPNOTSUPP),
        }
    }
}

impl SimWinsock {
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
        w.overlapped_precheck(id, receive)?;
        if routine.is_some() && w.io_sock_ref(id).is_some_and(|io| io.port.is_some()) {
            // A completion routine on a socket bound to a completion port (OV-04).
            return Err(WsaError::WSAEINVAL);
        }
        if !w.ov_free(self.host, &ov) {
            return Err(WsaError::WSAEINVAL);
        }
        Ok(w.start_op(Op {
            host: self.host,
            tid: self.tid,
            sid: id,
            ov,
            kind,
            bufs,
            routine,
            done: None,
            from: None,
        }))
    }
}

impl SimWinsock {
    /// A whole overlapped WSASend/WSARecv call: checks and the operation record, then `body`
    /// decides between completing at once and pending.
    #[allow(clippy::too_many_arguments)]
    fn stream_op(
        &self,
        call: &'static str,
        s: Socket,
        kind: OpKind,
        bufs: Vec<Vec<u8>>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<SimWinsock>>,
        body: impl FnOnce(&mut World, usize, u64) -> Result<usize, WsaError>,
    ) -> Result<usize, WsaError> {
        let len: usize = bufs.iter().map(|b| b.len()).sum();
        self.call(call, s.raw() as u64, len as u64, |this| {
            let id = this.sock(s)?;
            let mut w = this.w();
            let serial = this.start_stream_op(&mut w, id, kind, bufs, ov, routine)?;
            body(&mut w, id, serial)
        })
    }
}

impl OverlappedIo for SimWinsock {
    fn wsa_send(&self, s: Socket, bufs: &[&[u8]], flags: u32) -> Result<usize, WsaError> {
        let data: Vec<u8> = bufs.concat();
        self.call("WSASend", s.raw() as u64, data.len() as u64, |this| {
            this.send_body("WSASend", s, &data, flags as i32, None)
        })
    }

    fn wsa_recv(
        &self,
        s: Socket,
        bufs: &mut [&mut [u8]],
        flags: u32,
    ) -> Result<(usize, u32), WsaError> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        self.call("WSARecv", s.raw() as u64, total as u64, |this| {
            let mut tmp = vec![0u8; total];
            let (n, _) = this.recv_body("WSARecv", s, &mut tmp, flags as i32)?;
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
        if flags & !((MSG_OOB | MSG_DONTROUTE) as u32) != 0 {
            return self.call("WSASend", s.raw() as u64, 0, |_| {
                Err::<usize, _>(WsaError::WSAEOPNOTSUPP)
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
            |w, id, serial| {
                let idle = w.io_sock_ref(id).is_none_or(|io| io.sends.is_empty());
                w.reenable_send(id, false);
                if idle && w.send_ready(id) {
                    let data: Vec<u8> = w.io.ops[&serial].bufs.concat();
                    w.tcp_enqueue(id, &data, urgent);
                    w.finish_op(serial, Status::Ok, data.len(), true);
                    return Ok(data.len());
                }
                w.io_sock(id).sends.push_back(serial);
                Err(WsaError::WSA_IO_PENDING)
            },
        )
    }

    fn wsa_recv_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        if flags & !(MSG_PEEK as u32) != 0 {
            // MSG_WAITALL and MSG_OOB are not modelled for overlapped receives (MSG_PEEK is:
            // the data is copied and stays queued, as on Windows).
            return self.call("WSARecv", s.raw() as u64, 0, |_| {
                Err::<usize, _>(WsaError::WSAEOPNOTSUPP)
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
            |w, id, serial| {
                let idle = w.io_sock_ref(id).is_none_or(|io| io.recvs.is_empty());
                w.io_sock(id).recvs.push_back(serial);
                if idle {
                    // Data already there (or a close): completes at once, still signalled and
                    // still queued to a completion port (OV-06) unless skip-on-success is set.
                    w.service_recvs_now(id, true);
                }
                w.reenable_recv(id, false);
                w.op_outcome(serial, host, &ov)
            },
        )
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
            let data: Vec<u8> = w.io.ops[&serial].bufs.concat();
            match w.udp_send(id, &data, Some(dst)) {
                Ok(n) => {
                    // A datagram is handed to the network at once: immediate completion.
                    w.finish_op(serial, Status::Ok, n, true);
                    Ok(n)
                }
                Err(e) => {
                    w.io.ops.remove(&serial);
                    w.io.by_ov.remove(&(this.host, ov.id));
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
        let r = self.call("WSAGetOverlappedResult", s.raw() as u64, ov.id, |this| {
            this.sock(s)?;
            let host = this.host;
            this.blocking("WSAGetOverlappedResult", None, |w| {
                if let Some(c) = w.collect_op(host, ov) {
                    return Step::Done(Ok(c));
                }
                if w.io.by_ov.contains_key(&(host, ov.id)) {
                    return if wait {
                        Step::Wait(WaitKey::Io(host, ov.id), None)
                    } else {
                        Step::Done(Err(WsaError::WSA_IO_INCOMPLETE))
                    };
                }
                match w.io.results.get(&(host, ov.id)) {
                    Some(&(status, bytes)) => Step::Done(Ok(IoCompletion {
                        overlapped: *ov,
                        error: status.wsa(),
                        bytes,
                        flags: 0,
                        bufs: Vec::new(),
                        from: None,
                    })),
                    None => Step::Done(Err(WsaError::WSAEINVAL)),
                }
            })
        });
        if let Ok(IoCompletion { error: Some(e), .. }) = &r {
            // WSAGetOverlappedResult returned FALSE: the operation's error is the last error.
            self.w().threads[self.tid].last_error = e.code();
        }
        r
    }

    fn accept_ex(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        let receive_len = buf.len();
        self.call(
            "AcceptEx",
            listener.raw() as u64,
            accept_socket.raw() as u64,
            |this| {
                let lid = this.sock(listener)?;
                let aid = this.sock(accept_socket)?;
                let mut w = this.w();
                if !matches!(w.sockets.at(lid).role, Role::Listener(_)) {
                    return Err(WsaError::WSAEINVAL);
                }
                let a = w.sockets.at(aid);
                if !matches!(a.role, Role::Idle) || a.local.is_some() || a.ty != SOCK_STREAM {
                    return Err(WsaError::WSAEINVAL);
                }
                let busy = w.pending_accept_into(aid);
                if busy || !w.ov_free(this.host, &ov) {
                    return Err(WsaError::WSAEINVAL);
                }
                let bufs = if receive_len > 0 {
                    vec![vec![0u8; receive_len]]
                } else {
                    Vec::new()
                };
                let serial = w.start_op(Op {
                    host: this.host,
                    tid: this.tid,
                    sid: lid,
                    ov,
                    kind: OpKind::Accept {
                        accept_handle: accept_socket.raw(),
                        recv_len: receive_len,
                        child: None,
                    },
                    bufs,
                    routine: None,
                    done: None,
                    from: None,
                });
                w.io_sock(lid).accepts.push_back(serial);
                w.service_accepts(lid);
                w.op_outcome(serial, this.host, &ov)
            },
        )
    }

    fn get_accept_ex_sockaddrs(
        &self,
        accept_socket: Socket,
    ) -> Result<(SockAddr, SockAddr), WsaError> {
        let r = self.call(
            "GetAcceptExSockaddrs",
            accept_socket.raw() as u64,
            0,
            |this| {
                let id = this.sock(accept_socket)?;
                let w = this.w();
                let s = w.sockets.get(id).expect("handle names a socket");
                match (&s.role, s.local, s.remote) {
                    (Role::Stream(t), Some(l), Some(r)) if t.connected_at.is_some() => {
                        Ok(AddrPair(SockAddr::from(l), SockAddr::from(r)))
                    }
                    _ => Err(WsaError::WSAENOTCONN),
                }
            },
        );
        r.map(|p| (p.0, p.1))
    }

    fn connect_ex(
        &self,
        s: Socket,
        addr: &SockAddr,
        send_buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.call(
            "ConnectEx",
            s.raw() as u64,
            u64::from(addr.port().unwrap_or(0)),
            |this| {
                let id = this.sock(s)?;
                let mut w = this.w();
                let sk = w.sockets.at(id);
                match &sk.role {
                    Role::Listener(_) => return Err(WsaError::WSAEINVAL),
                    Role::Stream(t) if t.state.is_synchronized() => {
                        return Err(WsaError::WSAEISCONN)
                    }
                    Role::Stream(t) if t.state == TcpState::SynSent => {
                        return Err(WsaError::WSAEINVAL)
                    }
                    _ => {}
                }
                if sk.local.is_none() {
                    // ConnectEx needs a bound socket (OV-12).
                    return Err(WsaError::WSAEINVAL);
                }
                if !w.ov_free(this.host, &ov) {
                    return Err(WsaError::WSAEINVAL);
                }
                let serial = w.start_op(Op {
                    host: this.host,
                    tid: this.tid,
                    sid: id,
                    ov,
                    kind: OpKind::Connect { send: send_buf },
                    bufs: Vec::new(),
                    routine: None,
                    done: None,
                    from: None,
                });
                if let Err(e) = w
                    .connect_start(id, addr)
                    .and_then(|tcp| tcp.then_some(()).ok_or(WsaError::WSAEINVAL))
                {
                    w.io.ops.remove(&serial);
                    w.io.by_ov.remove(&(this.host, ov.id));
                    return Err(e);
                }
                // The handshake needs the network, so it cannot have finished yet.
                w.io_sock(id).connect = Some(serial);
                Err(WsaError::WSA_IO_PENDING)
            },
        )
    }

    fn wsa_ioctl(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError> {
        self.call("WSAIoctl", s.raw() as u64, u64::from(code), |this| {
            let id = this.sock(s)?;
            this.w().ioctl_now(id, s, code, input, output)
        })
    }

    fn wsa_ioctl_overlapped(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        mut output: Vec<u8>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.call("WSAIoctl", s.raw() as u64, u64::from(code), |this| {
            let id = this.sock(s)?;
            let mut w = this.w();
            if !w.ov_free(this.host, &ov) {
                return Err(WsaError::WSAEINVAL);
            }
            // Codes WinSock handles at once (conformance OV-15); parameter errors are
            // synchronous and queue nothing.
            let immediate = matches!(code, FIONBIO | FIONREAD | SIOCATMARK | SIO_KEEPALIVE_VALS);
            let written = if immediate {
                Some(w.ioctl_now(id, s, code, input, &mut output)?)
            } else {
                None
            };
            let serial = w.start_op(Op {
                host: this.host,
                tid: this.tid,
                sid: id,
                ov,
                kind: OpKind::Ioctl,
                bufs: vec![output],
                routine,
                done: None,
                from: None,
            });
            match written {
                Some(n) => {
                    // Done at once, yet the completion reports 0 bytes (InternalHigh 0) and is
                    // still delivered: event, routine, or a packet.
                    w.finish_op(serial, Status::Ok, 0, true);
                    Ok(n)
                }
                None => {
                    // Anything else, SIO_BASE_HANDLE included, pends and then fails with
                    // ERROR_NOT_SUPPORTED (WSAEOPNOTSUPP for a routine).
                    w.finish_op(serial, Status::NotSupported, 0, false);
                    Err(WsaError::WSA_IO_PENDING)
                }
            }
        })
    }

    fn disconnect_ex(&self, s: Socket, ov: Option<Overlapped>, flags: u32) -> Result<(), WsaError> {
        self.call("DisconnectEx", s.raw() as u64, u64::from(flags), |this| {
            let id = this.sock(s)?;
            if flags & !TF_REUSE_SOCKET != 0 {
                return Err(WsaError::WSAEINVAL);
            }
            let reuse = flags & TF_REUSE_SOCKET != 0;
            let mut w = this.w();
            let connected = w.tcp(id).is_some_and(|t| {
                t.state.is_synchronized() && t.state != TcpState::TimeWait && t.error.is_none()
            });
            if !connected {
                return Err(WsaError::WSAENOTCONN);
            }
            let Some(ov) = ov else {
                // Without an OVERLAPPED the call returns at once (and queues nothing); with
                // TF_REUSE_SOCKET it first waits for the FIN's acknowledgement.
                w.shutdown_socket(id, SD_SEND)?;
                drop(w);
                if reuse {
                    this.blocking("DisconnectEx", Some((s, id)), |w| match w.tcp(id) {
                        Some(t) if !t.fin_acked && t.error.is_none() => {
                            Step::Wait(WaitKey::Socket(id), None)
                        }
                        _ => Step::Done(Ok(())),
                    })?;
                    this.w().reuse_socket(id);
                }
                return Ok(());
            };
            if !w.ov_free(this.host, &ov) {
                return Err(WsaError::WSAEINVAL);
            }
            let serial = w.start_op(Op {
                host: this.host,
                tid: this.tid,
                sid: id,
                ov,
                kind: OpKind::Disconnect { reuse },
                bufs: Vec::new(),
                routine: None,
                done: None,
                from: None,
            });
            w.io_sock(id).disconnect = Some(serial);
            w.shutdown_socket(id, SD_SEND)?;
            // The FIN needs the network to be acknowledged: this is pending.
            Err(WsaError::WSA_IO_PENDING)
        })
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

    fn wait_for_single_object_ex(
        &self,
        event: WsaEvent,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        self.wait_for_multiple_objects_ex(&[event], false, timeout_ms, alertable)
    }

    fn wait_for_multiple_objects_ex(
        &self,
        events: &[WsaEvent],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        // WAIT_OBJECT_0 + i, WAIT_TIMEOUT and WAIT_IO_COMPLETION have the WSA_WAIT_* values.
        self.wait_events(
            "WaitForMultipleObjectsEx",
            true,
            events,
            wait_all,
            timeout_ms,
            alertable,
        )
    }

    fn queue_user_apc(&self, apc: ApcRoutine<Self>, thread: ThreadId) -> Result<(), WsaError> {
        self.queue_apc(apc, thread)
    }
}
