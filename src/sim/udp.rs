//! UDP datagrams: a queue of received datagrams per socket, bounded by SO_RCVBUF (a datagram
//! that does not fit is dropped, as UDP drops it), an optional association set by `connect`,
//! and Windows' ICMP rule: a datagram that reaches no socket comes back as "port
//! unreachable", and the sender's next `recvfrom` fails once with WSAECONNRESET (the
//! behaviour SIO_UDP_CONNRESET switches off on Windows).

use std::collections::VecDeque;
use std::net::SocketAddr;

use super::bind::check_dst_family;
use super::net::{seen_by, wire, SegKind, Segment};
use super::sched::{Step, WaitKey};
use super::socket::Role;
use super::stream::RecvOp;
use super::world::World;
use crate::api::consts::*;
use crate::api::{SockAddr, WsaError};

/// Largest UDP payload over IPv4 (65,535 − 8 − 20).
pub(crate) const MAX_DATAGRAM: usize = 65_507;

/// A datagram socket's state.
#[derive(Debug, Default)]
pub(crate) struct Udp {
    /// Received datagrams with their source, oldest first.
    pub queue: VecDeque<(SocketAddr, Vec<u8>)>,
    pub queued_bytes: usize,
    /// The association set by `connect`: only its datagrams are received, `send` goes there.
    pub peer: Option<SocketAddr>,
    /// An ICMP port unreachable arrived: the next receive fails with WSAECONNRESET.
    pub port_unreachable: bool,
}

impl World {
    pub(crate) fn udp(&mut self, id: usize) -> Option<&mut Udp> {
        match &mut self.sockets.get_mut(id)?.role {
            Role::Dgram(u) => Some(u),
            _ => None,
        }
    }

    /// The datagram socket of `host` bound where the wire address `dst` points: exact
    /// address first, then a wildcard, then (for IPv4) a dual-stack `[::]`.
    fn udp_socket_at(&self, host: usize, dst: SocketAddr) -> Option<usize> {
        self.bound_for(host, SOCK_DGRAM, dst, |_| true)
    }

    /// A datagram (or an ICMP port unreachable) arrives at `host`.
    pub(crate) fn udp_input(&mut self, host: usize, seg: Segment) {
        let Some(id) = self.udp_socket_at(host, seg.dst) else {
            if matches!(seg.kind, SegKind::Datagram(_)) {
                self.transmit(Segment {
                    from_host: host,
                    from_sid: usize::MAX,
                    to_sid: None,
                    src: seg.dst,
                    dst: seg.src,
                    kind: SegKind::Unreachable,
                    ack: None,
                });
            }
            return;
        };
        let (rcvbuf, family) = {
            let s = self.sockets.at(id);
            (s.opts.rcvbuf, s.family)
        };
        // A dual-stack socket sees an IPv4 source v4-mapped.
        let src = seen_by(family, seg.src);
        let Some(u) = self.udp(id) else { return };
        match seg.kind {
            SegKind::Datagram(data) => {
                if u.peer.is_some_and(|p| p != src) {
                    return;
                }
                if u.queued_bytes + data.len() > rcvbuf {
                    return;
                }
                u.queued_bytes += data.len();
                u.queue.push_back((src, data));
            }
            SegKind::Unreachable => {
                u.port_unreachable = true;
                // A recvfrom already blocked fails now with WSAECONNRESET; select sees the
                // socket readable. (Pending overlapped receives take the error below.)
                self.notify(WaitKey::Readable(id));
            }
            _ => return,
        }
        self.on_readable(id);
    }

    /// `sendto` / `send` on a datagram socket: one datagram to `to` (or the associated peer).
    pub(crate) fn udp_send(
        &mut self,
        id: usize,
        data: &[u8],
        to: Option<SocketAddr>,
    ) -> Result<usize, WsaError> {
        let s = self.sockets.at(id);
        if s.shut_wr {
            return Err(WsaError::WSAESHUTDOWN);
        }
        let family = s.family;
        let peer = match &s.role {
            Role::Dgram(u) => u.peer,
            _ => None,
        };
        let dst = to.or(peer).ok_or(WsaError::WSAENOTCONN)?;
        check_dst_family(family, dst)?;
        if data.len() > MAX_DATAGRAM {
            return Err(WsaError::WSAEMSGSIZE);
        }
        // A v4-mapped destination needs a dual-stack socket (see check_peer_space).
        self.check_peer_space(id, dst)?;
        self.udp_implicit_bind(id)?;
        let s = self.sockets.at(id);
        let host = s.host;
        let (local, dst) = (wire(s.local.expect("bound above")), wire(dst));
        let src_ip = if local.ip().is_unspecified() {
            self.hosts[host]
                .source_for(dst.ip())
                .ok_or(WsaError::WSAENETUNREACH)?
        } else {
            local.ip()
        };
        self.transmit(Segment {
            from_host: host,
            from_sid: id,
            to_sid: None,
            src: SocketAddr::new(src_ip, local.port()),
            dst,
            kind: SegKind::Datagram(data.to_vec()),
            ack: None,
        });
        Ok(data.len())
    }

    /// A datagram socket's implicit bind: the wildcard address and an ephemeral port
    /// (getsockname then shows 0.0.0.0, conformance ER-10).
    fn udp_implicit_bind(&mut self, id: usize) -> Result<(), WsaError> {
        let s = self.sockets.at(id);
        if s.local.is_some() {
            return Ok(());
        }
        let (host, family) = (s.host, s.family);
        let port = self
            .ephemeral_port(host, SOCK_DGRAM)
            .ok_or(WsaError::WSAENOBUFS)?;
        let any: std::net::IpAddr = if family == AF_INET6 {
            std::net::Ipv6Addr::UNSPECIFIED.into()
        } else {
            std::net::Ipv4Addr::UNSPECIFIED.into()
        };
        self.take_port(id, SocketAddr::new(any, port));
        Ok(())
    }

    /// `connect` on a datagram socket: sets (or, with an AF_UNSPEC address, dissolves) the
    /// association; no packet is sent (conformance NB-14). Setting it raises FD_CONNECT and
    /// FD_WRITE in event mode, FD_WRITE in message mode (EV-15).
    pub(crate) fn udp_connect(&mut self, id: usize, addr: &SockAddr) -> Result<(), WsaError> {
        if addr.family() == AF_UNSPEC && addr.as_bytes().len() >= 2 {
            if let Some(u) = self.udp(id) {
                u.peer = None;
            }
            return Ok(());
        }
        let dst = addr.parse()?;
        check_dst_family(self.sockets.at(id).family, dst)?;
        self.check_peer_space(id, dst)?;
        self.udp_implicit_bind(id)?;
        if let Some(u) = self.udp(id) {
            u.peer = Some(dst);
        }
        self.ev_dgram_connected(id);
        Ok(())
    }

    /// `recvfrom` / `recv` on a datagram socket: one datagram per call; a datagram larger
    /// than the buffer fills it, is discarded, and the call fails with WSAEMSGSIZE.
    pub(crate) fn udp_recv_step(
        &mut self,
        op: &mut RecvOp,
        buf: &mut [u8],
        from: &mut Option<SocketAddr>,
    ) -> Step<usize> {
        let s = self.sockets.at(op.id);
        if s.local.is_none() {
            return Step::Done(Err(WsaError::WSAEINVAL));
        }
        if s.shut_rd {
            return Step::Done(Err(WsaError::WSAESHUTDOWN));
        }
        let peek = op.flags & MSG_PEEK != 0;
        let Role::Dgram(u) = &mut s.role else {
            return Step::Done(Err(WsaError::WSAEINVAL));
        };
        if u.port_unreachable {
            u.port_unreachable = false;
            return Step::Done(Err(WsaError::WSAECONNRESET));
        }
        if let Some((src, data)) = u.queue.front() {
            let n = data.len().min(buf.len());
            buf[..n].copy_from_slice(&data[..n]);
            *from = Some(*src);
            let whole = n == data.len();
            if !peek {
                u.queued_bytes -= data.len();
                u.queue.pop_front();
            }
            return Step::Done(if whole {
                Ok(n)
            } else {
                Err(WsaError::WSAEMSGSIZE)
            });
        }
        if op.nonblocking {
            return Step::Done(Err(WsaError::WSAEWOULDBLOCK));
        }
        if op.deadline.is_some_and(|d| self.now >= d) {
            return Step::Done(Err(WsaError::WSAETIMEDOUT));
        }
        Step::Wait(WaitKey::Readable(op.id), op.deadline)
    }
}
