//! The Microsoft extensions (mswsock.dll) as the simulator models them: AcceptEx (the accept
//! socket takes over a queued connection — its handle now names the connection — and, given
//! a receive buffer, waits for the first data), GetAcceptExSockaddrs, ConnectEx (a bound
//! socket connects, then sends its first buffer) and DisconnectEx (done when the FIN is
//! acknowledged; TF_REUSE_SOCKET then gives the handle a fresh socket).
//!
//! Both sides of each are here: the calls (the [`OverlappedIo`](crate::api::OverlappedIo)
//! impl in `overlapped_api.rs` hands them on) and the `World` side that services the pending
//! operations as connections arrive, connect and close.

use crate::api::consts::*;
use crate::api::{Overlapped, SockAddr, Socket, WsaError, SOCKADDR_IN6_LEN, SOCKADDR_IN_LEN};
use crate::sim::api::{SimWinsock, Traced};
use crate::sim::models::op::{AcceptEx, Op, OpKind};
use crate::sim::net::endpoint::Role;
use crate::sim::net::tcp::{Opt64, TcpState};
use crate::sim::runtime::{Step, WaitKey};

/// Two addresses as a call result (traced as the remote port).
struct AddrPair(SockAddr, SockAddr);

impl Traced for AddrPair {
    fn traced(&self) -> i64 {
        i64::from(self.1.port().unwrap_or(0))
    }
}

impl SimWinsock {
    /// AcceptEx: takes the next connection of `listener` into `accept_socket` (then, with a receive
    /// buffer, waits for its first data); usually WSA_IO_PENDING. `lengths`:
    /// dwLocalAddressLength and dwRemoteAddressLength (`None`: room for both addresses).
    pub(super) fn accept_ex_call(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        lengths: Option<(u32, u32)>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        let receive_len = buf.len();
        self.call(
            "AcceptEx",
            listener.raw() as u64,
            accept_socket.raw() as u64,
            |this| {
                // AcceptEx sets Internal to STATUS_PENDING before it checks anything, so a
                // call that fails at once leaves it so (sock.c test_AcceptEx); starting the
                // operation clears the mark.
                {
                    let mut w = this.w();
                    if w.ov_free(this.host, &ov) {
                        w.models.io.failed_pending.insert((this.host, ov.id), ());
                    }
                }
                // No room for the remote address at all: WSAEFAULT before the sockets are
                // looked at (sock.c test_AcceptEx; the order is Wine's AcceptEx).
                if lengths.is_some_and(|(_, remote)| remote == 0) {
                    return Err(WsaError::WSAEFAULT);
                }
                let lid = this.sock(listener)?;
                let aid = this.sock(accept_socket)?;
                let mut w = this.w();
                if !matches!(w.net.sockets.at(lid).role, Role::Listener(_)) {
                    return Err(WsaError::WSAEINVAL);
                }
                let a = w.net.sockets.at(aid);
                if !matches!(a.role, Role::Idle) || a.local.is_some() || a.ty != SOCK_STREAM {
                    return Err(WsaError::WSAEINVAL);
                }
                let accept_inc = w.net.sockets.incarnation(aid).unwrap_or_default();
                if w.pending_accept_into(aid) {
                    return Err(WsaError::WSAEINVAL);
                }
                if !w.ov_free(this.host, &ov) {
                    return Err(w.ov_reused(this.tid, "AcceptEx", ov.id, lid));
                }
                // Each address needs its SOCKADDR + 16 bytes (MSDN AcceptEx); a local length
                // of 0 asks for no local address at all (sock.c: the accept succeeds).
                let need = match w.net.sockets.at(lid).family {
                    AF_INET6 => SOCKADDR_IN6_LEN as u32 + 16,
                    _ => SOCKADDR_IN_LEN as u32 + 16,
                };
                let short_room = lengths
                    .is_some_and(|(local, remote)| (local != 0 && local < need) || remote < need);
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
                    kind: OpKind::Accept(Box::new(AcceptEx {
                        accept_sid: aid as u32,
                        accept_inc,
                        accept_handle: accept_socket.raw(),
                        receive: receive_len > 0,
                        taken: false,
                        short_room,
                    })),
                    bufs,
                    routine: None,
                    done: None,
                    from: None,
                    msg: None,
                });
                w.io_sock(lid).rare_mut().accepts.push_back(serial);
                // A connection deferred by WSAAccept's condition function is taken
                // asynchronously: the call says ERROR_IO_PENDING even though it is done
                // (sock.c test_AcceptEx, "CF_DEFER & AcceptEx").
                let head = match &w.net.sockets.at(lid).role {
                    Role::Listener(q) => q.accept_q.front().copied(),
                    _ => None,
                };
                let deferred = head.is_some_and(|c| w.io_sock_ref(c).is_some_and(|io| io.deferred));
                w.service_accepts(lid);
                match w.op_outcome(serial, this.host, &ov) {
                    Ok(_) if deferred => Err(WsaError::WSA_IO_PENDING),
                    r => r,
                }
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
                let s = w.net.sockets.get(id).expect("handle names a socket");
                match (&s.role, s.local.get(), s.remote.get()) {
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
                // ConnectEx, as AcceptEx, sets Internal to STATUS_PENDING before it checks
                // anything, so a call that fails at once leaves it so (sock.c test_ConnectEx,
                // test_connecting_socket); starting the operation clears the mark.
                {
                    let mut w = this.w();
                    if w.ov_free(this.host, &ov) {
                        w.models.io.failed_pending.insert((this.host, ov.id), ());
                    }
                }
                let id = this.sock(s)?;
                let mut w = this.w();
                let sk = w.net.sockets.at(id);
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
                    return Err(w.ov_reused(this.tid, "ConnectEx", ov.id, id));
                }
                let serial = w.start_op(Op {
                    host: this.host,
                    tid: this.tid,
                    sid: id,
                    ov,
                    kind: OpKind::Connect {
                        send: Box::new(send_buf),
                    },
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
                    w.drop_op(serial);
                    return Err(e);
                }
                // The handshake needs the network, so it cannot have finished yet.
                w.io_sock(id).connect = Opt64::some(serial);
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
                return Err(w.ov_reused(this.tid, "DisconnectEx", ov.id, id));
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
            w.io_sock(id).rare_mut().disconnect = Some(serial);
            w.shutdown_socket(id, SD_SEND)?;
            // The FIN needs the network to be acknowledged: this is pending.
            Err(WsaError::WSA_IO_PENDING)
        })
    }
}
