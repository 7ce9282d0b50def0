//! The calls that move data and end connections: `send`, `recv`, `shutdown`, `closesocket`,
//! `ioctlsocket`, `getsockname`, `getpeername`. Each returns a [`Step`]: done, or wait.

use crate::api::consts::*;
use crate::api::{SockAddr, WsaError};
use crate::sim::net::endpoint::{Id32, RecvOp, Role, SendOp};
use crate::sim::net::tcp::TcpState;
use crate::sim::runtime::SendMode;
use crate::sim::runtime::World;
use crate::sim::runtime::{Nanos, Step, WaitKey};
use crate::sim::socket::{SockHooks, SockLayers};

impl<L: SockLayers> World<L>
where
    Self: SockHooks<L>,
{
    /// The deadline of a blocking call on a socket of `host` under SO_RCVTIMEO /
    /// SO_SNDTIMEO (0 = none), on the host's clock interrupt (`net::timer_resolution`).
    /// Inlined into every send and recv, whose sockets mostly have none: only the test is.
    #[inline]
    pub(crate) fn timeout_deadline(&self, host: usize, ms: u32) -> Option<Nanos> {
        if ms == 0 {
            None
        } else {
            Some(self.socket_timeout_due(host, ms))
        }
    }

    /// When SO_RCVTIMEO / SO_SNDTIMEO `ms` (not 0) on `host` ends, from now.
    #[inline(never)]
    fn socket_timeout_due(&self, host: usize, ms: u32) -> Nanos {
        self.wait_due(host, u64::from(ms) * 1_000_000)
    }

    fn timed_out(&self, deadline: Option<Nanos>) -> bool {
        deadline.is_some_and(|d| self.rt.now >= d)
    }

    pub(crate) fn send_step(&mut self, op: &mut SendOp, buf: &[u8]) -> Step<usize> {
        let mode = self.rt.cfg.send_mode;
        let s = self.net.sockets.at(op.id);
        if op.flags & (MSG_PEEK | MSG_WAITALL) != 0 {
            return Step::Done(Err(WsaError::WSAEOPNOTSUPP));
        }
        let sndbuf = s.opts.sndbuf;
        let shut_wr = s.shut_wr;
        let t = match &mut s.role {
            Role::Idle | Role::Listener(_) => return Step::Done(Err(WsaError::WSAENOTCONN)),
            Role::Dgram(_) => {
                let r = self.udp_send(op.id, &buf[op.done..], None);
                return Step::Done(r);
            }
            Role::Stream(t) => t,
        };
        if shut_wr {
            return Step::Done(Err(WsaError::WSAESHUTDOWN));
        }
        if let Some(e) = t.error {
            if t.connected_at.is_some() {
                return Step::Done(Err(e));
            }
        }
        if !t.state.is_synchronized() || t.state == TcpState::TimeWait {
            return Step::Done(Err(WsaError::WSAENOTCONN));
        }
        let rest = &buf[op.done..];
        if rest.is_empty() {
            return Step::Done(Ok(op.done));
        }
        let queued = t.queued();
        let capacity = self.send_cap(op.id, sndbuf);
        let take = match mode {
            // Windows takes the whole buffer while the send buffer is not full (NB-07); only a
            // squeeze (`net::fault`) makes the capacity 0.
            SendMode::Windows if queued < capacity => rest.len(),
            SendMode::Windows => 0,
            SendMode::Partial => capacity.saturating_sub(queued).min(rest.len()),
        };
        if take > 0 {
            let urgent = op.flags & MSG_OOB != 0 && take == rest.len();
            self.tcp_enqueue(op.id, &rest[..take], urgent);
            op.done += take;
            if op.done == buf.len() || op.nonblocking {
                return Step::Done(Ok(op.done));
            }
        }
        if op.nonblocking {
            return Step::Done(Err(WsaError::WSAEWOULDBLOCK));
        }
        if self.timed_out(op.deadline) {
            return Step::Done(Err(WsaError::WSAETIMEDOUT));
        }
        Step::Wait(WaitKey::Writable(op.id), op.deadline)
    }

    pub(crate) fn recv_step(&mut self, op: &mut RecvOp, buf: &mut [u8]) -> Step<usize> {
        if let Some(key) = op.request {
            if let Some(step) = self.take_request(op, buf, key) {
                return step;
            }
        }
        let s = self.net.sockets.at(op.id);
        let (shut_rd, oobinline) = (s.shut_rd, s.opts.oobinline);
        let t = match &mut s.role {
            Role::Idle | Role::Listener(_) => return Step::Done(Err(WsaError::WSAENOTCONN)),
            Role::Dgram(_) => return self.udp_recv_step(op, buf, &mut None),
            Role::Stream(t) => t,
        };
        if shut_rd {
            return Step::Done(Err(WsaError::WSAESHUTDOWN));
        }
        if t.state == TcpState::SynSent || (t.state == TcpState::Closed && t.connected_at.is_none())
        {
            return Step::Done(Err(WsaError::WSAENOTCONN));
        }
        if oobinline && op.flags & MSG_OOB == 0 && t.rcv.is_empty() {
            // Urgent bytes queued before SO_OOBINLINE was turned on are read as normal data
            // (sock.c test_fionread_siocatmark).
            t.rcv.extend(t.oob.take_all());
        }
        let peek = op.flags & MSG_PEEK != 0;
        if op.flags & MSG_OOB != 0 {
            if oobinline {
                return Step::Done(Err(WsaError::WSAEINVAL));
            }
            if let Some(&b) = t.oob.front() {
                if buf.is_empty() {
                    return Step::Done(Ok(0));
                }
                buf[0] = b;
                if !peek {
                    t.oob.pop_front();
                }
                return Step::Done(Ok(1));
            }
        } else if !t.rcv.is_empty() && op.filled < buf.len() {
            let n = t.rcv.len().min(buf.len() - op.filled);
            crate::sim::net::tcp::copy_out(&t.rcv, 0, &mut buf[op.filled..op.filled + n]);
            if !peek {
                crate::sim::net::tcp::consume_front(&mut t.rcv, n);
                op.filled += n;
                self.tcp_window_update(op.id);
            } else {
                return Step::Done(Ok(op.filled + n));
            }
            if op.flags & MSG_WAITALL == 0 || op.filled == buf.len() {
                return Step::Done(Ok(op.filled));
            }
            // MSG_WAITALL with the queue taken and the buffer not full: a FIN or an error
            // already in ends the call with what it has, as below; otherwise it waits.
        }
        let t = self.tcp(op.id).expect("stream socket");
        if let Some(e) = t.error {
            return Step::Done(if op.filled > 0 { Ok(op.filled) } else { Err(e) });
        }
        if t.fin_rcvd || buf.is_empty() && !t.rcv.is_empty() {
            return Step::Done(Ok(op.filled));
        }
        self.recv_wait(op, buf.len())
    }

    /// A stream receive (buffer of `len` bytes) found nothing more to take: fails, or waits
    /// with a receive request queued on the connection (`tcp::receive_request`), unless it
    /// waits for urgent data (which a request does not take).
    fn recv_wait(&mut self, op: &mut RecvOp, len: usize) -> Step<usize> {
        if op.nonblocking {
            return Step::Done(if op.filled > 0 {
                Ok(op.filled)
            } else {
                Err(WsaError::WSAEWOULDBLOCK)
            });
        }
        if self.timed_out(op.deadline) {
            return Step::Done(Err(WsaError::WSAETIMEDOUT));
        }
        if op.request.is_none() && op.flags & MSG_OOB == 0 {
            let (waitall, peek) = (op.flags & MSG_WAITALL != 0, op.flags & MSG_PEEK != 0);
            op.request = Some(self.queue_receive(op.id, len - op.filled, waitall, peek));
        }
        Step::Wait(WaitKey::Readable(op.id), op.deadline)
    }

    /// A receive call ends with `r` while its request is still queued. A request that had
    /// completed before the handle was closed gives the call its bytes (it completed first,
    /// as its I/O request would have on Windows, where closing the socket cannot undo
    /// that); otherwise the request is cancelled.
    pub(crate) fn end_request(
        &mut self,
        op: &mut RecvOp,
        buf: &mut [u8],
        r: Result<usize, WsaError>,
    ) -> Result<usize, WsaError> {
        let Some(key) = op.request else { return r };
        if r == Err(WsaError::WSAEINTR) {
            if let Some(Step::Done(done)) = self.take_request(op, buf, key) {
                return done;
            }
        }
        if op.request.is_some() {
            self.cancel_receive(op.id, key);
            op.request = None;
        }
        r
    }

    /// The thread of a waiting receive runs again: it copies what its receive request `key`
    /// was given. `Some` when that ends the call (the request is then off the queue); a
    /// request not complete keeps its place (`op.request`), and the call goes on.
    fn take_request(&mut self, op: &mut RecvOp, buf: &mut [u8], key: u64) -> Option<Step<usize>> {
        let Some(taken) = self.take_receive(op.id, key) else {
            op.request = None;
            return None;
        };
        let n = taken.data.len();
        crate::sim::net::tcp::copy_out(&taken.data, 0, &mut buf[op.filled..op.filled + n]);
        self.recycle_queue(taken.data);
        if !taken.done {
            if op.flags & MSG_PEEK == 0 {
                op.filled += n;
            }
            return None;
        }
        op.request = None;
        if op.flags & MSG_PEEK != 0 {
            return Some(Step::Done(Ok(op.filled + n)));
        }
        // A zero-length receive completes, consuming nothing, when data arrives.
        op.filled += n;
        Some(Step::Done(Ok(op.filled)))
    }

    pub(crate) fn shutdown_socket(&mut self, id: usize, how: i32) -> Result<(), WsaError> {
        let s = self.net.sockets.at(id);
        if s.needs_accept_context {
            return Err(WsaError::WSAENOTCONN);
        }
        let connected = match &s.role {
            Role::Stream(t) => t.state.is_synchronized() && t.error.is_none(),
            // Datagram sockets may shut either direction (conformance SH-06).
            Role::Dgram(_) => true,
            _ => false,
        };
        if !connected {
            return Err(WsaError::WSAENOTCONN);
        }
        match how {
            SD_RECEIVE => s.shut_rd = true,
            SD_SEND => {
                s.shut_wr = true;
                self.tcp_close_send(id);
            }
            SD_BOTH => {
                s.shut_rd = true;
                s.shut_wr = true;
                self.tcp_close_send(id);
            }
            _ => return Err(WsaError::WSAEINVAL),
        }
        if how != SD_SEND {
            // Data still queued resets the connection (`reset_if_undeliverable`).
            self.reset_if_undeliverable(id);
        }
        Ok(())
    }

    /// `closesocket`: frees the handle, then ends the socket's role (see the trait's doc).
    pub(crate) fn close_socket(&mut self, id: usize) {
        self.free_dups(id);
        let s = self.net.sockets.at(id);
        let (host, handle) = (s.host, s.handle.take().map(Id32::get));
        s.closed = true;
        if let Some(h) = handle {
            self.release_handle(host, h);
        }
        let role = std::mem::replace(&mut self.net.sockets.at(id).role, Role::Idle);
        match role {
            Role::Idle | Role::Dgram(_) => {
                self.release_port(id);
                self.free_socket(id);
            }
            Role::Listener(q) => {
                self.release_port(id);
                self.listener_close(id, *q);
                self.free_socket(id);
            }
            Role::Stream(t) => {
                let s = self.net.sockets.at(id);
                let abortive =
                    (s.opts.linger.onoff && s.opts.linger.secs == 0) || !t.rcv.is_empty();
                let state = t.state;
                s.role = Role::Stream(t);
                if state == TcpState::SynSent || state == TcpState::Closed {
                    self.set_state(id, TcpState::Closed);
                    self.unlink_conn(id);
                    self.release_port(id);
                    self.free_socket(id);
                } else if abortive {
                    self.tcp_abort(id);
                } else {
                    self.tcp_close_send(id);
                }
            }
        }
        // Threads blocked on this socket wake and find the handle gone (WSAEINTR).
        self.notify(WaitKey::Socket(id));
    }

    pub(crate) fn ioctl(&mut self, id: usize, cmd: u32, arg: &mut u32) -> Result<(), WsaError> {
        let s = self.net.sockets.at(id);
        match cmd {
            FIONBIO => {
                s.nonblocking = *arg != 0;
                Ok(())
            }
            FIONREAD => {
                *arg = match &s.role {
                    // With SO_OOBINLINE, urgent bytes that arrived before it was set count.
                    Role::Stream(t) if s.opts.oobinline => {
                        (t.rcv.len() + t.oob.len()).min(u32::MAX as usize) as u32
                    }
                    Role::Stream(t) => t.rcv.len().min(u32::MAX as usize) as u32,
                    Role::Dgram(u) => u.queued_bytes.min(u32::MAX as usize) as u32,
                    _ => 0,
                };
                Ok(())
            }
            SIOCATMARK => {
                *arg = match &s.role {
                    // FALSE while an urgent byte waits, even one SO_OOBINLINE now reads
                    // inline (sock.c test_fionread_siocatmark).
                    Role::Stream(t) if !t.oob.is_empty() => 0,
                    _ => 1,
                };
                Ok(())
            }
            // ioctlsocket goes through WSAIoctl: unknown codes are WSAEOPNOTSUPP (OV-15).
            _ => Err(WsaError::WSAEOPNOTSUPP),
        }
    }

    pub(crate) fn sock_name(&mut self, id: usize) -> Result<SockAddr, WsaError> {
        let s = self.net.sockets.at(id);
        if s.needs_accept_context {
            // Until SO_UPDATE_ACCEPT_CONTEXT, an AcceptEx socket has no context (OV-10).
            return Err(WsaError::WSAENOTCONN);
        }
        s.local.get().map(SockAddr::from).ok_or(WsaError::WSAEINVAL)
    }

    pub(crate) fn peer_name(&mut self, id: usize) -> Result<SockAddr, WsaError> {
        if self.connect_ex_in_progress(id) || self.net.sockets.at(id).needs_accept_context {
            // While a ConnectEx is under way the peer is not set yet (conformance NB-04); an
            // AcceptEx socket has no context until SO_UPDATE_ACCEPT_CONTEXT (OV-10).
            return Err(WsaError::WSAENOTCONN);
        }
        let s = self.net.sockets.at(id);
        match &s.role {
            Role::Stream(t) if t.error.is_none() && t.state != TcpState::Closed => s
                .remote
                .get()
                .map(SockAddr::from)
                .ok_or(WsaError::WSAENOTCONN),
            Role::Dgram(u) => u.peer.map(SockAddr::from).ok_or(WsaError::WSAENOTCONN),
            _ => Err(WsaError::WSAENOTCONN),
        }
    }
}
