//! The Microsoft extensions (mswsock.dll) as the simulator models them: AcceptEx (the accept
//! socket takes over a queued connection — its handle now names the connection — and, given
//! a receive buffer, waits for the first data), GetAcceptExSockaddrs, ConnectEx (a bound
//! socket connects, then sends its first buffer) and DisconnectEx (done when the FIN is
//! acknowledged; TF_REUSE_SOCKET then gives the handle a fresh socket).
//!
//! Both sides of each are here: the calls (the [`OverlappedIo`](crate::api::OverlappedIo)
//! impl in `overlapped_api.rs` hands them on) and the `World` side that services the pending
//! operations as connections arrive, connect and close.

use super::api::{SimWinsock, Traced};
use super::overlapped::{Op, OpKind, Status};
use super::sched::{Step, WaitKey};
use super::socket::Role;
use super::tcp::TcpState;
use super::world::World;
use crate::api::consts::*;
use crate::api::{Overlapped, SockAddr, Socket, WsaError};

/// Two addresses as a call result (traced as the remote port).
struct AddrPair(SockAddr, SockAddr);

impl Traced for AddrPair {
    fn traced(&self) -> i64 {
        i64::from(self.1.port().unwrap_or(0))
    }
}

impl World {
    /// AcceptEx operations waiting on listener `lid` take queued connections.
    pub(crate) fn service_accepts(&mut self, lid: usize) {
        loop {
            let Some(&serial) = self.io_sock_ref(lid).and_then(|io| io.accepts.front()) else {
                return;
            };
            let child = match self.sockets.get_mut(lid).map(|s| &mut s.role) {
                Some(Role::Listener(q)) => match q.accept_q.pop_front() {
                    Some(c) => c,
                    None => return,
                },
                _ => return,
            };
            self.io_sock(lid).accepts.pop_front();
            let (accept_handle, recv_len) = match &self.io.ops[&serial].kind {
                OpKind::Accept {
                    accept_handle,
                    recv_len,
                    ..
                } => (*accept_handle, *recv_len),
                _ => unreachable!("accept queue holds AcceptEx operations"),
            };
            let host = self.sockets.at(lid).host;
            if !self.transplant(host, accept_handle, child) {
                // The accept socket is gone: the connection is lost, as on Windows.
                self.tcp_abort(child);
                self.finish_op(serial, Status::Cancelled, 0, false);
                continue;
            }
            if recv_len == 0 {
                self.finish_op(serial, Status::Ok, 0, false);
            } else {
                if let Some(OpKind::Accept { child: c, .. }) =
                    self.io.ops.get_mut(&serial).map(|op| &mut op.kind)
                {
                    *c = Some(child);
                }
                self.io_sock(child).accept_wait = Some(serial);
                self.service_recvs(child);
            }
        }
    }

    /// Makes handle `h` (an unconnected accept socket) name connection `child`, as AcceptEx
    /// does. The old socket object goes; its completion port association carries over.
    fn transplant(&mut self, host: usize, h: usize, child: usize) -> bool {
        let Ok(old) = self.sock_id(host, crate::api::Socket::from_raw(h)) else {
            return false;
        };
        let port = self.io_sock_ref(old).and_then(|io| io.port);
        let skip = self.io_sock_ref(old).is_some_and(|io| io.skip_on_success);
        let nonblocking = self.sockets.at(old).nonblocking;
        self.hosts[host].replace_handle(h, super::net::HandleObj::Socket(child));
        self.sockets.at(old).handle = None;
        self.free_socket(old);
        let c = self.sockets.at(child);
        c.handle = Some(h);
        c.nonblocking = nonblocking;
        c.needs_accept_context = true;
        if let Role::Stream(t) = &mut c.role {
            t.listener = None;
        }
        let io = self.io_sock(child);
        io.port = port;
        io.skip_on_success = skip;
        self.netev_mut(child).write_latched = true;
        true
    }

    /// Whether socket `id` is the accept socket of a pending AcceptEx.
    pub(crate) fn pending_accept_into(&self, id: usize) -> bool {
        let Some((host, h)) = self.sockets.get(id).and_then(|s| Some((s.host, s.handle?))) else {
            return false;
        };
        // Handle values are per host (per process): compare both. (`any` over the map: the
        // answer does not depend on its iteration order.)
        self.io.ops.values().any(|op| {
            op.done.is_none()
                && op.host == host
                && matches!(op.kind, OpKind::Accept { accept_handle, child: None, .. } if accept_handle == h)
        })
    }

    /// Whether a ConnectEx is pending on socket `id`.
    pub(crate) fn connect_ex_pending(&self, id: usize) -> bool {
        self.io_sock_ref(id).is_some_and(|io| io.connect.is_some())
    }

    /// A pending DisconnectEx completes once its FIN is acknowledged (or the connection ends).
    pub(crate) fn service_disconnect(&mut self, id: usize) {
        let Some(serial) = self.io_sock_ref(id).and_then(|io| io.disconnect) else {
            return;
        };
        let (acked, reset) = self
            .tcp(id)
            .map_or((false, true), |t| (t.fin_acked, t.error.is_some()));
        if acked || reset {
            self.io_sock(id).disconnect = None;
            let (reuse, bytes) = match self.io.ops.get(&serial).map(|op| &op.kind) {
                Some(&OpKind::Disconnect { reuse, bytes }) => (reuse, bytes),
                _ => (false, 0),
            };
            let status = if acked { Status::Ok } else { Status::Reset };
            self.finish_op(serial, status, if acked { bytes } else { 0 }, false);
            if reuse {
                self.reuse_socket(id);
            }
        }
    }

    /// TF_REUSE_SOCKET: the handle of socket `id` moves to a fresh, unbound socket of the same
    /// kind (options, nonblocking mode and completion port association kept), ready for
    /// AcceptEx or ConnectEx; the old connection finishes closing on its own.
    pub(crate) fn reuse_socket(&mut self, id: usize) {
        let old = self.sockets.at(id);
        let Some(h) = old.handle.take() else { return };
        old.closed = true;
        let fresh = super::socket::Sock {
            handle: Some(h),
            nonblocking: old.nonblocking,
            ..super::socket::Sock::new(old.host, old.family, old.ty, old.opts.clone(), Role::Idle)
        };
        let host = old.host;
        let new_id = self.sockets.insert(fresh);
        self.hosts[host].replace_handle(h, super::net::HandleObj::Socket(new_id));
        let (port, skip) = match self.io_sock_ref(id) {
            Some(io) => (io.port, io.skip_on_success),
            None => (None, false),
        };
        let io = self.io_sock(new_id);
        io.port = port;
        io.skip_on_success = skip;
        self.netev_clear(id);
        self.reap_if_orphan(id);
    }

    /// A ConnectEx finished (its socket connected or failed).
    pub(crate) fn service_connect(&mut self, id: usize, err: Option<WsaError>) {
        let Some(serial) = self.io_sock_ref(id).and_then(|io| io.connect) else {
            return;
        };
        self.io_sock(id).connect = None;
        match err {
            None => {
                let data = match self.io.ops.get_mut(&serial).map(|op| &mut op.kind) {
                    Some(OpKind::Connect { send }) => std::mem::take(send),
                    _ => Vec::new(),
                };
                if !data.is_empty() {
                    self.tcp_enqueue(id, &data, false);
                }
                self.io_sock(id).by_connect_ex = true;
                self.finish_op(serial, Status::Ok, data.len(), false);
            }
            Some(WsaError::WSAETIMEDOUT) => self.finish_op(serial, Status::TimedOut, 0, false),
            Some(_) => self.finish_op(serial, Status::Refused, 0, false),
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

impl SimWinsock {
    /// AcceptEx: takes the next connection of `listener` into `accept_socket` (then, with a receive
    /// buffer, waits for its first data); usually WSA_IO_PENDING.
    pub(super) fn accept_ex_call(
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
                    msg: None,
                });
                w.io_sock(lid).accepts.push_back(serial);
                w.service_accepts(lid);
                w.op_outcome(serial, this.host, &ov)
            },
        )
    }

    /// GetAcceptExSockaddrs: the local and remote addresses of a socket connected by AcceptEx.
    pub(super) fn get_accept_ex_sockaddrs_call(
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

    /// ConnectEx: connects a bound socket and sends `send_buf` once connected; always pends.
    pub(super) fn connect_ex_call(
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
                    msg: None,
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

    /// DisconnectEx: sends the FIN; with an OVERLAPPED it pends until the FIN is acknowledged,
    /// without one it returns at once (after the acknowledgement with TF_REUSE_SOCKET).
    pub(super) fn disconnect_ex_call(
        &self,
        s: Socket,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<(), WsaError> {
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
                kind: OpKind::Disconnect { reuse, bytes: 0 },
                bufs: Vec::new(),
                routine: None,
                done: None,
                from: None,
                msg: None,
            });
            w.io_sock(id).disconnect = Some(serial);
            w.shutdown_socket(id, SD_SEND)?;
            // The FIN needs the network to be acknowledged: this is pending.
            Err(WsaError::WSA_IO_PENDING)
        })
    }
}
