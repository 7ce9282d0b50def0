//! The Microsoft extensions (mswsock.dll) as the simulator models them: AcceptEx (the accept
//! socket takes over a queued connection — its handle now names the connection — and, given
//! a receive buffer, waits for the first data), GetAcceptExSockaddrs, ConnectEx (a bound
//! socket connects, then sends its first buffer) and DisconnectEx (done when the FIN is
//! acknowledged; TF_REUSE_SOCKET then gives the handle a fresh socket).
//!
//! Both sides of each are here: the calls (the [`OverlappedIo`](crate::api::OverlappedIo)
//! impl in `overlapped_api.rs` hands them on) and the `World` side that services the pending
//! operations as connections arrive, connect and close.

use crate::api::WsaError;
use crate::sim::models::op::{Op, OpKind, Status};
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::{Id32, Role};
use crate::sim::net::tcp::Opt64;
use crate::sim::runtime::World;

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    /// AcceptEx operations waiting on listener `lid` take queued connections.
    pub(crate) fn service_accepts(&mut self, lid: usize) {
        loop {
            let Some(&serial) = self
                .io_sock_ref(lid)
                .and_then(|io| io.rare().accepts.front())
            else {
                return;
            };
            let short_room = matches!(
                &self.models.io.ops[&serial].kind,
                OpKind::Accept(a) if a.short_room
            );
            let child = match self.net.sockets.get_mut(lid).map(|s| &mut s.role) {
                Some(Role::Listener(q)) if short_room && !q.accept_q.is_empty() => {
                    // No room for the addresses: the AcceptEx fails and the connection
                    // stays queued for the next accept (sock.c test_AcceptEx, local
                    // address lengths 3 and 20).
                    self.io_sock(lid).rare_mut().accepts.pop_front();
                    self.finish_op(serial, Status::BufferTooSmall, 0, false);
                    continue;
                }
                Some(Role::Listener(q)) => match q.accept_q.pop_front() {
                    Some(c) => c,
                    None => {
                        // SO_CONDITIONAL_ACCEPT: AcceptEx accepts a held SYN (its handshake
                        // completing brings the connection back here).
                        if q.half_open == 0 && !q.held.is_empty() {
                            self.release_held_syn(lid);
                        }
                        return;
                    }
                },
                _ => return,
            };
            self.io_sock(lid).rare_mut().accepts.pop_front();
            let (into, receive) = match &self.models.io.ops[&serial].kind {
                OpKind::Accept(a) => (
                    (a.accept_sid as usize, a.accept_inc, a.accept_handle),
                    a.receive,
                ),
                _ => unreachable!("accept queue holds AcceptEx operations"),
            };
            let host = self.net.sockets.at(lid).host;
            if !self.transplant(host, into, child) {
                // The accept socket is gone: the connection is lost, as on Windows.
                self.tcp_abort(child);
                self.finish_op(serial, Status::Cancelled, 0, false);
                continue;
            }
            if !receive {
                self.finish_op(serial, Status::Ok, 0, false);
            } else {
                if let Some(OpKind::Accept(a)) =
                    self.models.io.ops.get_mut(&serial).map(|op| &mut op.kind)
                {
                    a.taken = true;
                }
                self.models.io.accepts_pending.remove(&serial);
                self.io_sock(child).rare_mut().accept_wait = Some(serial);
                self.service_recvs(child);
            }
        }
    }

    /// Makes the accept socket `old` (while incarnation `inc`; AcceptEx named it by handle
    /// `h`) the connection `child`, as AcceptEx does: every handle of the accept socket
    /// (WSADuplicateSocket) now names the connection, `h` first if it is still open. The old
    /// socket object goes; its completion port association carries over.
    fn transplant(
        &mut self,
        host: usize,
        (old, inc, h): (usize, u64, usize),
        child: usize,
    ) -> bool {
        if self.net.sockets.incarnation(old) != Some(inc) {
            return false;
        }
        let (port, skip) = self.take_completion_port(old);
        let o = self.net.sockets.at(old);
        let nonblocking = o.nonblocking;
        let handles: Vec<usize> = o
            .handle
            .take()
            .map(Id32::get)
            .into_iter()
            .chain(o.dups.take())
            .collect();
        let Some(&first) = handles.iter().find(|&&x| x == h).or(handles.first()) else {
            return false;
        };
        for &x in &handles {
            self.sock.procs[host]
                .replace_handle(x, crate::sim::socket::handles::HandleObj::Socket(child));
        }
        self.net
            .sockets
            .at(child)
            .dups
            .extend(handles.into_iter().filter(|&x| x != first));
        self.free_socket(old);
        let c = self.net.sockets.at(child);
        c.handle = Some(Id32::new(first));
        c.nonblocking = nonblocking;
        c.needs_accept_context = true;
        if let Role::Stream(t) = &mut c.role {
            t.listener = None;
        }
        let io = self.io_sock(child);
        io.port = port;
        io.skip_on_success = skip;
        self.latch_write(child);
        true
    }

    /// Whether pending operation `op` is an AcceptEx into socket `id` (incarnation `inc`)
    /// that has not yet taken a connection.
    fn accepts_into(op: &Op<L>, id: usize, inc: Option<u64>) -> bool {
        op.done.is_none()
            && matches!(&op.kind, OpKind::Accept(a)
                if !a.taken && a.accept_sid as usize == id && Some(a.accept_inc) == inc)
    }

    /// Whether socket `id` is the accept socket of a pending AcceptEx.
    pub(crate) fn pending_accept_into(&self, id: usize) -> bool {
        let io = &self.models.io;
        if io.accepts_pending.is_empty() {
            return false;
        }
        let inc = self.net.sockets.incarnation(id);
        io.accepts_pending.iter().any(|serial| {
            io.ops
                .get(serial)
                .is_some_and(|op| Self::accepts_into(op, id, inc))
        })
    }

    /// Whether a ConnectEx is pending on socket `id`.
    pub(crate) fn connect_ex_pending(&self, id: usize) -> bool {
        self.io_sock_ref(id).is_some_and(|io| io.connect.is_some())
    }

    /// A pending DisconnectEx completes once its FIN is acknowledged (or the connection ends).
    pub(crate) fn service_disconnect(&mut self, id: usize) {
        let Some(serial) = self.io_sock_ref(id).and_then(|io| io.rare().disconnect) else {
            return;
        };
        let (acked, reset) = self
            .tcp(id)
            .map_or((false, true), |t| (t.fin_acked, t.error.is_some()));
        if acked || reset {
            self.io_sock(id).rare_mut().disconnect = None;
            let (reuse, bytes) = match self.models.io.ops.get(&serial).map(|op| &op.kind) {
                Some(&OpKind::Disconnect { reuse, bytes }) => (reuse, bytes as usize),
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
        let old = self.net.sockets.at(id);
        let Some(h) = old.handle.take() else { return };
        old.closed = true;
        let fresh = crate::sim::net::endpoint::Sock {
            handle: Some(h),
            nonblocking: old.nonblocking,
            ..crate::sim::net::endpoint::Sock::new(
                old.host,
                old.family,
                old.ty,
                old.opts.clone(),
                Role::Idle,
            )
        };
        let host = old.host;
        let new_id = self.net.sockets.insert(fresh);
        self.sock.procs[host].replace_handle(
            h.get(),
            crate::sim::socket::handles::HandleObj::Socket(new_id),
        );
        self.move_dups(id, new_id);
        let (port, skip) = self.take_completion_port(id);
        let io = self.io_sock(new_id);
        io.port = port;
        io.skip_on_success = skip;
        self.netev_clear(id);
        self.reap_if_orphan(id);
    }

    /// A ConnectEx finished (its socket connected or failed).
    pub(crate) fn service_connect(&mut self, id: usize, err: Option<WsaError>) {
        let Some(serial) = self.io_sock_ref(id).and_then(|io| io.connect.get()) else {
            return;
        };
        self.io_sock(id).connect = Opt64::NONE;
        match err {
            None => {
                let data = match self.models.io.ops.get_mut(&serial).map(|op| &mut op.kind) {
                    Some(OpKind::Connect { send }) => std::mem::take(&mut **send),
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

    /// Cancels the pending AcceptEx operations (of any listener) into socket `id`, which is
    /// closing.
    pub(crate) fn cancel_accepts_into(&mut self, id: usize) {
        let inc = self.net.sockets.incarnation(id);
        let io = &self.models.io;
        let hits: Vec<(u64, usize)> = io
            .accepts_pending
            .iter()
            .filter_map(|&serial| {
                let op = io.ops.get(&serial)?;
                Self::accepts_into(op, id, inc).then_some((serial, op.sid))
            })
            .collect();
        for (serial, lid) in hits {
            self.io_sock(lid)
                .rare_mut()
                .accepts
                .retain(|&s| s != serial);
            self.finish_op(serial, Status::Cancelled, 0, false);
        }
    }
}
