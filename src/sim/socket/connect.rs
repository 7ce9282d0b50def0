//! The calls that make connections: `listen` and `connect` (`accept` is in `accept.rs`, the
//! rules of `bind` and of the implicit bind in `bind.rs`).

use std::net::SocketAddr;

use crate::api::consts::*;
use crate::api::{SockAddr, WsaError};
use crate::sim::net::demux::check_dst_family;
use crate::sim::net::endpoint::{Listener, Role};
use crate::sim::net::host::{wire, ConnKey};
use crate::sim::net::tcp::TcpState;
use crate::sim::runtime::World;
use crate::sim::runtime::{Step, WaitKey};
use crate::sim::socket::{SockHooks, SockLayers};

impl<L: SockLayers> World<L>
where
    Self: SockHooks<L>,
{
    pub(crate) fn listen_socket(&mut self, id: usize, backlog: i32) -> Result<(), WsaError> {
        let s = self.net.sockets.at(id);
        if s.ty != SOCK_STREAM {
            return Err(WsaError::WSAEOPNOTSUPP);
        }
        if s.local.is_none() {
            return Err(WsaError::WSAEINVAL);
        }
        let backlog = if backlog == SOMAXCONN {
            MAX_BACKLOG
        } else if backlog < 0 {
            // SOMAXCONN_HINT(N) = -N: N clamped to 200..=65535.
            (backlog.unsigned_abs() as usize).clamp(MAX_BACKLOG, 65_535)
        } else {
            (backlog.max(1) as usize).min(MAX_BACKLOG)
        };
        match &mut s.role {
            Role::Listener(q) => q.backlog = backlog,
            Role::Idle => {
                s.role = Role::Listener(Box::new(Listener {
                    backlog,
                    ..Listener::default()
                }))
            }
            Role::Stream(t) if t.connected_at.is_some() || t.state != TcpState::Closed => {
                return Err(WsaError::WSAEISCONN)
            }
            Role::Dgram(_) => return Err(WsaError::WSAEOPNOTSUPP),
            Role::Stream(t) => {
                // A socket whose connect failed may still listen (conformance SEL-08).
                let connect_failed = t.error.is_some();
                s.role = Role::Listener(Box::new(Listener {
                    backlog,
                    connect_failed,
                    ..Listener::default()
                }))
            }
        }
        Ok(())
    }

    /// First part of `connect`: checks, implicit bind, SYN. `Ok(true)` when a handshake
    /// started (the caller waits for it, or returns WSAEWOULDBLOCK); `Ok(false)` for a
    /// datagram socket, whose connect is immediate.
    pub(crate) fn connect_start(&mut self, id: usize, addr: &SockAddr) -> Result<bool, WsaError> {
        if matches!(self.net.sockets.at(id).role, Role::Dgram(_)) {
            return self.udp_connect(id, addr).map(|()| false);
        }
        let by_connect_ex = matches!(self.net.sockets.at(id).role, Role::Stream(_))
            && self.connected_by_connect_ex(id);
        if self.accept_ex_pending_into(id) || self.connect_ex_in_progress(id) || by_connect_ex {
            // The socket is promised to an AcceptEx, a ConnectEx is under way (NB-04), or
            // the connection was made by ConnectEx (NB-05: WSAEINVAL, not WSAEISCONN).
            return Err(WsaError::WSAEINVAL);
        }
        let dst: SocketAddr = addr.parse()?;
        let s = self.net.sockets.at(id);
        check_dst_family(s.family, dst)?;
        match &s.role {
            Role::Dgram(_) => unreachable!("handled above"),
            Role::Listener(_) => return Err(WsaError::WSAEINVAL),
            Role::Stream(t) => match t.state {
                TcpState::SynSent => {
                    return Err(if s.nonblocking {
                        WsaError::WSAEALREADY
                    } else {
                        WsaError::WSAEINVAL
                    })
                }
                TcpState::Closed if t.connected_at.is_none() => {} // a failed attempt: retry
                _ => return Err(WsaError::WSAEISCONN),
            },
            Role::Idle => {}
        }
        if wire(dst).ip().is_unspecified() || dst.port() == 0 {
            return Err(WsaError::WSAEADDRNOTAVAIL);
        }
        // A v4-mapped peer needs a dual-stack socket. Windows fails a V6ONLY socket's connect
        // to one with WSAEADDRNOTAVAIL; a nonblocking connect reportedly returns
        // WSAEWOULDBLOCK and reports it through SO_ERROR (libwebsockets issue #2223), which
        // the sim does not model: it fails at once, blocking or not.
        self.check_peer_space(id, dst)?;
        self.implicit_bind(id, dst)?;
        let s = self.net.sockets.at(id);
        let nonblocking = s.nonblocking;
        s.remote = dst.into();
        let key = ConnKey::new(wire(s.local.get().expect("bound")), wire(dst));
        if self.net.hosts[s.host].conns.contains_key(&key) {
            return Err(WsaError::WSAEADDRINUSE);
        }
        self.tcp_connect(id, nonblocking);
        Ok(true)
    }

    /// Second part of a blocking `connect`: wait until the handshake ends.
    pub(crate) fn connect_wait(&mut self, id: usize) -> Step<()> {
        match self.tcp(id) {
            Some(t) if t.state == TcpState::SynSent => Step::Wait(WaitKey::Socket(id), None),
            Some(t) if t.state.is_synchronized() => Step::Done(Ok(())),
            Some(t) => Step::Done(Err(t.error.unwrap_or(WsaError::WSAECONNREFUSED))),
            None => Step::Done(Err(WsaError::WSAENOTCONN)),
        }
    }
}
