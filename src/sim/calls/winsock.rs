//! `impl Winsock for SimWinsock`: the core calls of the simulator — WSAStartup/WSACleanup,
//! the last error, `socket`, `bind`, `listen`, `accept`, `connect`, `send`/`recv`,
//! `sendto`/`recvfrom`, `shutdown`, `closesocket` (with SO_LINGER), `ioctlsocket`, the
//! address and option calls, and the thread and time calls.
//!
//! Each call runs through the per-call plumbing of `api.rs` (`call`, `enter`/`finish`,
//! `blocking`); the socket work itself is done by the `World` methods of `socket`, `connect`,
//! `stream`, `sockopt` and `udp`.

use crate::sim::runtime::{self, WorldRef};

use crate::api::consts::*;
use crate::api::duplicate_handle::HANDLE_FLAG_PROTECT_FROM_CLOSE;
use crate::api::{SockAddr, Socket, ThreadId, Winsock, WsaData, WsaError};
use crate::sim::api::{Held, SimWinsock, World};
use crate::sim::net::endpoint::{RecvOp, SendOp};
use crate::sim::runtime::{Step, WaitKey};

impl SimWinsock {
    /// The body of send/sendto/WSASend: a datagram to `to` (or the peer) on a datagram socket;
    /// on a stream socket `to` is ignored (conformance NB-13) and the send may block.
    pub(crate) fn send_body<'a>(
        &'a self,
        call: &'static str,
        s: Socket,
        buf: &[u8],
        flags: i32,
        to: Option<&SockAddr>,
        mut w: WorldRef<'a, World>,
    ) -> (Result<usize, WsaError>, Held<'a>) {
        let id = match w.sock_id(self.host, s) {
            Ok(id) => id,
            Err(e) => return (Err(e), Some(w)),
        };
        let sk = w.net.sockets.get(id).expect("handle names a socket");
        if matches!(sk.role, crate::sim::net::endpoint::Role::Dgram(_)) {
            let r = match to.map(|a| a.parse()).transpose() {
                Ok(to) => w.udp_send(id, buf, to),
                Err(e) => Err(e),
            };
            return (r, Some(w));
        }
        let mut op = {
            SendOp {
                id,
                flags,
                nonblocking: sk.nonblocking,
                done: 0,
                deadline: w.timeout_deadline(sk.host, sk.opts.sndtimeo_ms),
            }
        };
        // A WouldBlock fault (`net::fault`): only a nonblocking send that would otherwise be
        // taken finds the buffer full; the WSAEWOULDBLOCK arms the next FD_WRITE.
        if op.nonblocking
            && !w.net.faults.idle()
            && flags & (MSG_PEEK | MSG_WAITALL) == 0
            && !buf.is_empty()
            && !sk.shut_wr
            && w.send_ready(id)
            && w.inject_would_block(id)
        {
            w.reenable_send(id, true);
            return (Err(WsaError::WSAEWOULDBLOCK), Some(w));
        }
        self.blocking_held(w, call, Some((s, id)), |w| {
            let step = w.send_step(&mut op, buf);
            if let Step::Done(r) = &step {
                // send re-enables FD_WRITE; a WSAEWOULDBLOCK arms the next one.
                w.reenable_send(id, *r == Err(WsaError::WSAEWOULDBLOCK));
            }
            step
        })
    }

    /// The body of recv/recvfrom/WSARecv: bytes received and, for a datagram, its source.
    #[allow(clippy::type_complexity)]
    pub(crate) fn recv_body<'a>(
        &'a self,
        call: &'static str,
        s: Socket,
        buf: &mut [u8],
        flags: i32,
        w: WorldRef<'a, World>,
    ) -> (
        Result<(usize, Option<std::net::SocketAddr>), WsaError>,
        Held<'a>,
    ) {
        let id = match w.sock_id(self.host, s) {
            Ok(id) => id,
            Err(e) => return (Err(e), Some(w)),
        };
        let sk = w.net.sockets.get(id).expect("handle names a socket");
        let mut op = RecvOp {
            id,
            flags,
            nonblocking: sk.nonblocking,
            filled: 0,
            deadline: w.timeout_deadline(sk.host, sk.opts.rcvtimeo_ms),
            request: None,
        };
        let dgram = matches!(sk.role, crate::sim::net::endpoint::Role::Dgram(_));
        if crate::api::recv_flags::waitall_refused(flags, sk.nonblocking, dgram) {
            // Before anything is received, as the overlapped WSARecv does.
            return (Err(WsaError::WSAEOPNOTSUPP), Some(w));
        }
        if dgram && w.sees_unbound(self.host, s.raw()) {
            // A duplicate opened while the socket was unbound (socket/duplicate.rs).
            return (Err(WsaError::WSAEINVAL), Some(w));
        }
        let mut from = None;
        // A blocking receive waits alertably (sock.c test_WSARecv): `blocking_held` runs the
        // APCs queued to the thread and the receive goes on.
        let (r, held) = self.blocking_held(w, call, Some((s, id)), |w| {
            let step = if dgram {
                w.udp_recv_step(&mut op, buf, &mut from)
            } else {
                w.recv_step(&mut op, buf)
            };
            if let Step::Done(_) = &step {
                // Any receive re-enables FD_READ (FD_OOB for MSG_OOB), whatever its outcome.
                w.reenable_recv(id, flags & MSG_OOB != 0);
            }
            step
        });
        // A call that ends with its receive request still queued (timed out, its socket
        // closed, the run torn down) takes it off the connection.
        let (r, held) = match (op.request, held) {
            (Some(_), Some(mut w)) if dgram => {
                (w.end_dgram_request(&mut op, buf, &mut from, r), Some(w))
            }
            (Some(_), Some(mut w)) => (w.end_request(&mut op, buf, r), Some(w)),
            (_, held) => (r, held),
        };
        (r.map(|n| (n, from.map(|(src, _)| src))), held)
    }

    /// SO_LINGER {1, n > 0} with data still unacknowledged: a blocking socket waits up to n
    /// seconds for it (then the close is abortive); a nonblocking one fails with
    /// WSAEWOULDBLOCK and stays open, as Windows' closesocket does.
    fn linger_before_close(&self, s: Socket, id: usize) -> Result<(), WsaError> {
        let (nonblocking, secs) = {
            let mut w = self.w();
            let sk = w.net.sockets.at(id);
            let (onoff, secs, nonblocking) =
                (sk.opts.linger.onoff, sk.opts.linger.secs, sk.nonblocking);
            let outstanding = matches!(&sk.role, crate::sim::net::endpoint::Role::Stream(t)
                if t.state.is_synchronized() && t.error.is_none() && t.queued() > 0 && t.rcv.is_empty());
            if !(onoff && secs > 0 && outstanding) {
                return Ok(());
            }
            (nonblocking, secs)
        };
        if nonblocking {
            return Err(WsaError::WSAEWOULDBLOCK);
        }
        let deadline = self
            .w()
            .wait_due(self.host, u64::from(secs) * 1_000_000_000);
        let timed_out = self.blocking("closesocket", Some((s, id)), |w| match w.tcp(id) {
            Some(t) if t.error.is_none() && t.queued() > 0 => {
                if w.rt.now >= deadline {
                    Step::Done(Ok(true))
                } else {
                    Step::Wait(WaitKey::Writable(id), Some(deadline))
                }
            }
            _ => Step::Done(Ok(false)),
        })?;
        if timed_out {
            // The linger time ran out with data unsent: the close becomes abortive (RST).
            std::sync::Arc::make_mut(&mut self.w().net.sockets.at(id).opts)
                .linger
                .secs = 0;
        }
        Ok(())
    }
}

impl Winsock for SimWinsock {
    fn wsa_startup(&self, version: u16) -> Result<WsaData, WsaError> {
        let r = self.enter("WSAStartup", true).and_then(|()| {
            let data = WsaData::granted(version)?;
            self.w().sock.procs[self.host].wsa_refs += 1;
            Ok(data)
        });
        self.finish("WSAStartup", u64::from(version), 0, r)
    }

    fn wsa_cleanup(&self) -> Result<(), WsaError> {
        self.call("WSACleanup", 0, 0, |this| {
            let mut w = this.w();
            let h = &mut w.sock.procs[this.host];
            h.wsa_refs -= 1;
            if h.wsa_refs == 0 {
                let ids: Vec<usize> = h
                    .objects()
                    .into_iter()
                    .filter_map(|o| match o {
                        crate::sim::socket::handles::HandleObj::Socket(id) => Some(id),
                        _ => None,
                    })
                    .collect();
                // A duplicated socket has several handles: close it once, at its first.
                let mut seen = std::collections::BTreeSet::new();
                for id in ids {
                    if !seen.insert(id) {
                        continue;
                    }
                    w.close_socket(id);
                }
            }
            Ok(())
        })
    }

    fn wsa_get_last_error(&self) -> i32 {
        let code = self.w().rt.threads[self.tid].last_error;
        self.spin_point();
        code
    }

    fn wsa_set_last_error(&self, code: i32) {
        self.w().rt.threads[self.tid].last_error = code;
        self.spin_point();
    }

    fn socket(&self, af: i32, ty: i32, protocol: i32) -> Result<Socket, WsaError> {
        // WSASocket with WSA_FLAG_OVERLAPPED unless the thread's SO_OPENTYPE is synchronous.
        let overlapped = self.w().rt.threads[self.tid].ext.open_type == 0;
        self.create_socket_as(af, ty, protocol, overlapped)
    }

    fn bind(&self, s: Socket, addr: &SockAddr) -> Result<(), WsaError> {
        let port = addr.port().unwrap_or(0);
        self.call("bind", s.raw() as u64, u64::from(port), |this| {
            let id = this.sock(s)?;
            let a = addr.parse()?;
            this.w().bind_socket(id, a)
        })
    }

    fn listen(&self, s: Socket, backlog: i32) -> Result<(), WsaError> {
        self.call("listen", s.raw() as u64, backlog as u64, |this| {
            let id = this.sock(s)?;
            this.w().listen_socket(id, backlog)
        })
    }

    fn accept(&self, s: Socket) -> Result<(Socket, SockAddr), WsaError> {
        runtime::checked_exit(self.accept_call(s))
    }

    fn connect(&self, s: Socket, addr: &SockAddr) -> Result<(), WsaError> {
        runtime::checked_exit(self.connect_call(s, addr))
    }

    fn send(&self, s: Socket, buf: &[u8], flags: i32) -> Result<usize, WsaError> {
        runtime::checked_exit(self.send_call(s, buf, flags))
    }

    fn recv(&self, s: Socket, buf: &mut [u8], flags: i32) -> Result<usize, WsaError> {
        runtime::checked_exit(self.recv_call(s, buf, flags))
    }

    fn sendto(&self, s: Socket, buf: &[u8], flags: i32, to: &SockAddr) -> Result<usize, WsaError> {
        self.call_held("sendto", s.raw() as u64, buf.len() as u64, |this, w| {
            this.send_body("sendto", s, buf, flags, Some(to), w)
        })
    }

    fn recvfrom(
        &self,
        s: Socket,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<(usize, SockAddr), WsaError> {
        runtime::checked_exit(self.recvfrom_call(s, buf, flags))
    }

    fn shutdown(&self, s: Socket, how: i32) -> Result<(), WsaError> {
        self.call("shutdown", s.raw() as u64, how as u64, |this| {
            let id = this.sock(s)?;
            this.w().shutdown_socket(id, how)
        })
    }

    fn closesocket(&self, s: Socket) -> Result<(), WsaError> {
        self.call("closesocket", s.raw() as u64, 0, |this| {
            let id = this.sock(s)?;
            let mut w = this.w();
            // A handle protected from close (SetHandleInformation): CloseHandle fails, and
            // Wine's ws2_32 returns 0 all the same, the socket open.
            let flags = w.handle_flags_of(this.host, s.raw());
            if flags & HANDLE_FLAG_PROTECT_FROM_CLOSE != 0 {
                w.rt.note_misuse_by(
                    this.tid,
                    format!(
                        "closesocket({:#x}) of a socket protected from close \
                         (HANDLE_FLAG_PROTECT_FROM_CLOSE): it stays open; Wine's ws2_32 \
                         returns 0 so, as here, and what Windows returns is not pinned",
                        s.raw()
                    ),
                );
                return Ok(());
            }
            // One of several handles (WSADuplicateSocket): only the handle goes.
            if w.close_one_handle(this.host, s.raw(), id) {
                return Ok(());
            }
            drop(w);
            this.linger_before_close(s, id)?;
            let mut w = this.w();
            // Closing a socket posts nothing and ends its registration (EV-26).
            w.netev_clear(id);
            // Pending I/O ends: receives and sends with STATUS_CONNECTION_ABORTED (OV-02),
            // AcceptEx on this listener or into this socket with STATUS_CANCELLED (OV-03).
            w.abort_ops(
                id,
                crate::sim::models::op::Status::LocalAbort,
                crate::sim::models::op::Status::Cancelled,
                None,
            );
            w.cancel_accepts_into(id);
            w.close_socket(id);
            Ok(())
        })
    }

    fn ioctlsocket(&self, s: Socket, cmd: u32, arg: &mut u32) -> Result<(), WsaError> {
        self.call("ioctlsocket", s.raw() as u64, u64::from(cmd), |this| {
            let id = this.sock(s)?;
            let mut w = this.w();
            let registered = w
                .netev(id)
                .is_some_and(|n| n.reg != crate::sim::models::network_events::Reg::None);
            if cmd == FIONBIO && *arg == 0 && registered {
                // A socket registered with WSAAsyncSelect/WSAEventSelect stays nonblocking (EV-01).
                return Err(WsaError::WSAEINVAL);
            }
            w.ioctl(id, cmd, arg)
        })
    }

    fn getsockname(&self, s: Socket) -> Result<SockAddr, WsaError> {
        self.call("getsockname", s.raw() as u64, 0, |this| {
            let id = this.sock(s)?;
            this.w().sock_name(id)
        })
    }

    fn getpeername(&self, s: Socket) -> Result<SockAddr, WsaError> {
        self.call("getpeername", s.raw() as u64, 0, |this| {
            let id = this.sock(s)?;
            this.w().peer_name(id)
        })
    }

    fn setsockopt(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: &[u8],
    ) -> Result<(), WsaError> {
        self.call("setsockopt", s.raw() as u64, optname as u64, |this| {
            if (level, optname) == (SOL_SOCKET, SO_OPENTYPE) {
                return this.set_open_type(optval);
            }
            let id = this.sock(s)?;
            this.w().set_opt(id, level, optname, optval)
        })
    }

    fn getsockopt(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: &mut [u8],
    ) -> Result<usize, WsaError> {
        self.call("getsockopt", s.raw() as u64, optname as u64, |this| {
            if (level, optname) == (SOL_SOCKET, SO_OPENTYPE) {
                return this.get_open_type(optval);
            }
            let id = this.sock(s)?;
            this.w().get_opt(id, level, optname, optval)
        })
    }

    fn sleep(&self, ms: u32) {
        self.sleep_call(ms);
        runtime::checked_exit(())
    }

    fn get_tick_count(&self) -> u32 {
        self.get_tick_count64() as u32
    }

    fn get_tick_count64(&self) -> u64 {
        let uptime = self.read_uptime();
        self.w().tick_count_uptime(uptime) / 1_000_000
    }

    fn query_performance_counter(&self) -> i64 {
        (self.read_uptime() / 100) as i64
    }

    fn query_performance_frequency(&self) -> i64 {
        10_000_000
    }

    fn get_system_info(&self) -> crate::api::SystemInfo {
        crate::api::SystemInfo {
            number_of_processors: self.w().rt.cfg.cpus,
        }
    }

    fn create_thread<F>(&self, name: &str, f: F) -> Result<ThreadId, WsaError>
    where
        F: FnOnce(&Self) -> Result<(), WsaError> + Send + 'static,
    {
        let r = self.enter("CreateThread", true).map(|()| {
            let mut w = self.w();
            let daemon = w.rt.threads[self.tid].daemon;
            ThreadId(w.new_thread(self.host, name.to_string(), daemon, Box::new(f)))
        });
        self.finish("CreateThread", 0, 0, r)
    }

    fn wait_for_thread(&self, t: ThreadId, timeout_ms: u32) -> Result<(), WsaError> {
        runtime::checked_exit(self.wait_for_thread_call(t, timeout_ms))
    }
}

impl SimWinsock {
    /// The host's time since it started (its uptime when the run began, then the virtual
    /// clock), read by GetTickCount(64) as [`SimWinsock::read_clock`] reads the clock.
    pub(crate) fn read_uptime(&self) -> crate::sim::runtime::Nanos {
        let now = self.read_clock();
        now.saturating_add(self.w().uptime_of(self.host))
    }

    /// The virtual clock, read by GetTickCount and GetSystemTimeAsFileTime. A loop that only
    /// reads the clock waits for time to pass: the read counts as polling, so the thread is
    /// parked and the clock can move.
    pub(crate) fn read_clock(&self) -> crate::sim::runtime::Nanos {
        let (now, spun) = {
            let mut w = self.w();
            let spun = self.count_spin(&mut w);
            (w.rt.now, spun)
        };
        self.after_spin(spun);
        now
    }
}
