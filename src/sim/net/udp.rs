//! UDP datagrams: a queue of received datagrams per socket, bounded by SO_RCVBUF (a datagram
//! that does not fit is dropped, as UDP drops it), an optional association set by `connect`,
//! and Windows' ICMP rule: a datagram that reaches no socket comes back as "port
//! unreachable", and the sender's next `recvfrom` fails once with WSAECONNRESET (unless
//! SIO_UDP_CONNRESET turned that off). SIO_ENABLE_CIRCULAR_QUEUEING makes a full queue evict
//! its oldest datagrams for a new one.
//!
//! Multicast: a datagram sent to a group address (224.0.0.0/4, ff00::/8) needs no membership
//! to send. One copy goes to every host — in host order — with a socket that joined the group
//! (IP_ADD_MEMBERSHIP / IPV6_ADD_MEMBERSHIP) and is bound to the destination port (on the
//! wildcard address or one of the host's addresses; Windows refuses to bind a group address,
//! WSAEADDRNOTAVAIL); the sender's own host gets a copy only while the
//! sender's IP_MULTICAST_LOOP is on (the default). On arrival every such socket of the host
//! queues the datagram, in socket order. No ICMP comes back for a group nobody joined.

use std::net::SocketAddr;

use crate::api::consts::*;
use crate::api::{SockAddr, WsaError};
use crate::sim::net::demux::{check_dst_family, takes_traffic};
use crate::sim::net::endpoint::{
    behind_overlapped, Datagram, DgramInfo, DgramRequest, RecvOp, Role, Udp, MAX_DATAGRAM,
};
use crate::sim::net::host::{seen_by, wire};
use crate::sim::net::segment::{SegKind, Segment};
use crate::sim::net::{NetHooks, NetLayers};
use crate::sim::runtime::World;
use crate::sim::runtime::{Step, WaitKey};

/// A group address as it travels on the wire (a v4-mapped group is the IPv4 group).
fn wire_ip(ip: std::net::IpAddr) -> std::net::IpAddr {
    wire(SocketAddr::new(ip, 0)).ip()
}

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    pub(crate) fn udp(&mut self, id: usize) -> Option<&mut Udp> {
        match &mut self.net.sockets.get_mut(id)?.role {
            Role::Dgram(u) => Some(u),
            _ => None,
        }
    }

    /// The datagram socket of `host` bound where the wire address `dst` points: exact
    /// address first, then a wildcard, then (for IPv4) a dual-stack `[::]`.
    fn udp_socket_at(&self, host: usize, dst: SocketAddr) -> Option<usize> {
        self.bound_for(host, SOCK_DGRAM, dst, |_| true)
    }

    /// The sockets of `host` that take a datagram sent to multicast group `dst` (a wire
    /// address): joined to the group and bound to its port, in socket order.
    fn mcast_members(&self, host: usize, dst: SocketAddr) -> Vec<usize> {
        let Some(ids) = self.net.hosts[host].udp_binds.get(&dst.port()) else {
            return Vec::new();
        };
        let mut members: Vec<usize> = ids
            .as_slice()
            .iter()
            .copied()
            .filter(|&id| {
                self.net.sockets.get(id).is_some_and(|s| {
                    !s.closed
                        && s.opts
                            .mcast_groups()
                            .iter()
                            .any(|g| wire_ip(*g) == dst.ip())
                        && s.local.get().is_some_and(|l| {
                            // The wildcard (dual-stack included), or an address of the
                            // group's family: Windows delivers a group's datagrams to a
                            // member bound to its interface address.
                            takes_traffic(l, s.opts.v6only, dst.ip()).is_some()
                                || wire(l).ip().is_ipv4() == dst.ip().is_ipv4()
                        })
                })
            })
            .collect();
        members.sort_unstable();
        members.dedup();
        members
    }

    /// A datagram (or an ICMP port unreachable) arrives at `host`.
    pub(crate) fn udp_input(&mut self, host: usize, seg: Segment) {
        if seg.dst.ip().is_multicast() {
            for id in self.mcast_members(host, seg.dst) {
                self.udp_enqueue(id, &seg);
            }
            return;
        }
        let Some(id) = self.udp_socket_at(host, seg.dst) else {
            if matches!(seg.kind, SegKind::Datagram { .. }) {
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
        if matches!(seg.kind, SegKind::Unreachable) {
            let Some(u) = self.udp(id) else { return };
            if u.ignore_unreachable {
                // SIO_UDP_CONNRESET FALSE: the reply is dropped, as Windows NT 4.0 did.
                return;
            }
            u.port_unreachable = true;
            // A recvfrom already blocked fails now with WSAECONNRESET; select sees the
            // socket readable. (Pending overlapped receives take the error below.)
            self.notify(WaitKey::Readable(id));
            self.on_readable(id);
            return;
        }
        self.udp_enqueue(id, &seg);
    }

    /// Queues datagram `seg` on socket `id` (unless its association or SO_RCVBUF refuses it).
    fn udp_enqueue(&mut self, id: usize, seg: &Segment) {
        let SegKind::Datagram { data, ttl, tos } = &seg.kind else {
            return;
        };
        let (rcvbuf, family) = {
            let s = self.net.sockets.at(id);
            (s.opts.rcvbuf, s.family)
        };
        // A dual-stack socket sees an IPv4 source v4-mapped.
        let src = seen_by(family, seg.src);
        let Some(u) = self.udp(id) else { return };
        if u.peer.is_some_and(|p| p != src) {
            return;
        }
        let mut d = Some(Datagram {
            src,
            dst: seg.dst,
            data: data.clone(),
            ttl: *ttl,
            tos: *tos,
        });
        // Blocking receives waiting on the socket take it first, in their turn with pending
        // overlapped receives (see `DgramRequest`): it goes into no buffer, so SO_RCVBUF
        // does not refuse it.
        if !u.requests.is_empty() {
            let oldest = self.dgram_requests_oldest_ov(id);
            if let Some(u) = self.udp(id) {
                if give_to_requests(u, &mut d, oldest) {
                    self.notify(WaitKey::Readable(id));
                }
            }
        }
        let Some(d) = d else { return };
        let Some(u) = self.udp(id) else { return };
        if u.queued_bytes + d.data.len() > rcvbuf {
            // A full queue drops the new datagram, or with SIO_ENABLE_CIRCULAR_QUEUEING its
            // oldest ones, as many as the new one needs (none if it could never fit).
            if !u.circular || d.data.len() > rcvbuf {
                return;
            }
            while u.queued_bytes + d.data.len() > rcvbuf {
                let Some(old) = u.queue.pop_front() else {
                    break;
                };
                u.queued_bytes -= old.data.len();
            }
        }
        u.queued_bytes += d.data.len();
        u.queue.push_back(d);
        self.on_readable(id);
    }

    /// `sendto` / `send` on a datagram socket: one datagram to `to` (or the associated peer).
    pub(crate) fn udp_send(
        &mut self,
        id: usize,
        data: &[u8],
        to: Option<SocketAddr>,
    ) -> Result<usize, WsaError> {
        let s = self.net.sockets.at(id);
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
        // sendto the limited broadcast address needs SO_BROADCAST (WSAEACCES); send on an
        // association with it does not (sock.c test_broadcast).
        if to.is_some_and(|t| matches!(t.ip(), std::net::IpAddr::V4(v4) if v4.is_broadcast()))
            && !s.opts.broadcast
        {
            return Err(WsaError::WSAEACCES);
        }
        if data.len() > MAX_DATAGRAM {
            return Err(WsaError::WSAEMSGSIZE);
        }
        // A v4-mapped destination needs a dual-stack socket (see check_peer_space).
        self.check_peer_space(id, dst)?;
        self.udp_implicit_bind(id)?;
        let s = self.net.sockets.at(id);
        let host = s.host;
        let (local, dst) = (wire(s.local.get().expect("bound above")), wire(dst));
        let multicast = dst.ip().is_multicast();
        let (ttl, tos, mcast_loop) = if multicast {
            (s.opts.mcast_ttl, s.opts.ip_tos, s.opts.mcast_loop)
        } else {
            (s.opts.ip_ttl, s.opts.ip_tos, false)
        };
        let src_ip = if local.ip().is_unspecified() {
            self.net.hosts[host]
                .source_for(dst.ip())
                .ok_or(WsaError::WSAENETUNREACH)?
        } else {
            local.ip()
        };
        let seg = Segment {
            from_host: host,
            from_sid: id,
            to_sid: None,
            src: SocketAddr::new(src_ip, local.port()),
            dst,
            kind: SegKind::Datagram {
                data: data.to_vec(),
                ttl: ttl.min(255) as u8,
                tos: tos.min(255) as u8,
            },
            ack: None,
        };
        if multicast {
            // One copy per host with a member, in host order; the sender's own host only with
            // IP_MULTICAST_LOOP on.
            let hosts: Vec<usize> = (0..self.net.hosts.len())
                .filter(|&h| h != host || mcast_loop)
                .filter(|&h| !self.mcast_members(h, dst).is_empty())
                .collect();
            self.transmit_multicast(seg, &hosts);
        } else if let Some(seg) = self.deliver_on_host(seg) {
            self.transmit(seg);
        }
        Ok(data.len())
    }

    /// A datagram socket's implicit bind: the wildcard address and an ephemeral port
    /// (getsockname then shows 0.0.0.0, conformance ER-10).
    fn udp_implicit_bind(&mut self, id: usize) -> Result<(), WsaError> {
        let s = self.net.sockets.at(id);
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
        check_dst_family(self.net.sockets.at(id).family, dst)?;
        self.check_peer_space(id, dst)?;
        self.udp_implicit_bind(id)?;
        if let Some(u) = self.udp(id) {
            u.peer = Some(dst);
        }
        self.on_dgram_connected(id);
        Ok(())
    }

    /// `recvfrom` / `recv` on a datagram socket: one datagram per call; a datagram larger
    /// than the buffer fills it, is discarded, and the call fails with WSAEMSGSIZE. `got`:
    /// the source and what else the call learns of the datagram it took. A call that waits
    /// queues a receive request (`DgramRequest`), which its caller ends with
    /// [`World::end_dgram_request`] if the call ends without it.
    pub(crate) fn udp_recv_step(
        &mut self,
        op: &mut RecvOp,
        buf: &mut [u8],
        got: &mut Option<(SocketAddr, DgramInfo)>,
    ) -> Step<usize> {
        if let Some(key) = op.request {
            if let Some(step) = self.take_dgram_request(op, buf, got, key) {
                return step;
            }
        }
        let s = self.net.sockets.at(op.id);
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
        if let Some(d) = u.queue.front() {
            let r = deliver(d, buf, got);
            if !peek {
                u.queued_bytes -= d.data.len();
                u.queue.pop_front();
            }
            return Step::Done(r);
        }
        if op.nonblocking {
            return Step::Done(Err(WsaError::WSAEWOULDBLOCK));
        }
        if op.deadline.is_some_and(|d| self.rt.now >= d) {
            return Step::Done(Err(WsaError::WSAETIMEDOUT));
        }
        if op.request.is_none() {
            let key = self.next_request_key();
            let after = self
                .newest_overlapped_recv(op.id)
                .and_then(std::num::NonZeroU64::new);
            if let Some(u) = self.udp(op.id) {
                u.requests.push(DgramRequest {
                    key,
                    peek,
                    got: None,
                    after,
                });
                op.request = Some(key);
            }
        }
        Step::Wait(WaitKey::Readable(op.id), op.deadline)
    }

    /// The thread of a waiting recvfrom runs again: if its request `key` was given a
    /// datagram, the request leaves the queue and the call returns it (`Some`); otherwise
    /// the request keeps its place and the call goes on.
    fn take_dgram_request(
        &mut self,
        op: &mut RecvOp,
        buf: &mut [u8],
        got: &mut Option<(SocketAddr, DgramInfo)>,
        key: u64,
    ) -> Option<Step<usize>> {
        let Some(u) = self.udp(op.id) else {
            op.request = None;
            return None;
        };
        let Some(at) = u.requests.iter().position(|r| r.key == key) else {
            op.request = None;
            return None;
        };
        u.requests[at].got.as_ref()?;
        let d = u.requests.remove(at).got?;
        op.request = None;
        Some(Step::Done(deliver(&d, buf, got)))
    }

    /// The oldest pending overlapped receive's serial, when a waiting request of datagram
    /// socket `id` was made while one was pending (only then can it matter).
    fn dgram_requests_oldest_ov(&mut self, id: usize) -> Option<u64> {
        let waits_for_one = self.udp(id).is_some_and(|u| {
            u.requests
                .iter()
                .any(|r| r.got.is_none() && r.after.is_some())
        });
        if waits_for_one {
            self.oldest_overlapped_recv(id)
        } else {
            None
        }
    }

    /// Gives queued datagrams of socket `id` to its waiting requests, while the first one
    /// waiting is ahead of every pending overlapped receive: the overlapped receives' service
    /// calls it after serving them. True if a request got one (its thread is woken).
    pub(crate) fn serve_dgram_requests(&mut self, id: usize) -> bool {
        let oldest = self.dgram_requests_oldest_ov(id);
        let Some(u) = self.udp(id) else { return false };
        let mut completed = false;
        while let Some(front) = u.queue.pop_front() {
            let len = front.data.len();
            let mut d = Some(front);
            completed |= give_to_requests(u, &mut d, oldest);
            match d {
                // Taken (not peeked) by a request: it leaves the queue.
                None => u.queued_bytes -= len,
                Some(d) => {
                    u.queue.push_front(d);
                    break;
                }
            }
        }
        if completed {
            self.notify(WaitKey::Readable(id));
        }
        completed
    }

    /// Whether a waiting request of datagram socket `id` was made before overlapped receive
    /// `serial`: that receive must wait for it.
    pub(crate) fn dgram_request_ahead_of(&mut self, id: usize, serial: u64) -> bool {
        self.udp(id).is_some_and(|u| {
            u.requests
                .iter()
                .find(|r| r.got.is_none())
                .is_some_and(|r| !behind_overlapped(r.after, serial))
        })
    }

    /// A recvfrom ends with `r` while its request is still queued. A request that had been
    /// given a datagram before the handle was closed gives the call its datagram (closing a
    /// socket cannot undo a completed I/O request); otherwise the request is cancelled.
    pub(crate) fn end_dgram_request(
        &mut self,
        op: &mut RecvOp,
        buf: &mut [u8],
        got: &mut Option<(SocketAddr, DgramInfo)>,
        r: Result<usize, WsaError>,
    ) -> Result<usize, WsaError> {
        let Some(key) = op.request else { return r };
        if r == Err(WsaError::WSAEINTR) {
            if let Some(Step::Done(done)) = self.take_dgram_request(op, buf, got, key) {
                return done;
            }
        }
        if let Some(u) = self.udp(op.id) {
            u.requests.retain(|q| q.key != key);
        }
        op.request = None;
        r
    }
}

/// Gives datagram `d` to the waiting requests of `u` in order, up to the first one a pending
/// overlapped receive is ahead of (`oldest_ov`: the oldest one's serial): a MSG_PEEK request
/// gets a copy and the datagram goes on, any other takes it (`d` is then `None`). True if a
/// request got it.
fn give_to_requests(u: &mut Udp, d: &mut Option<Datagram>, oldest_ov: Option<u64>) -> bool {
    let mut completed = false;
    for r in u.requests.iter_mut().filter(|r| r.got.is_none()) {
        if oldest_ov.is_some_and(|o| behind_overlapped(r.after, o)) {
            break;
        }
        let Some(dgram) = d.take() else { break };
        completed = true;
        if r.peek {
            r.got = Some(dgram.clone());
            *d = Some(dgram);
        } else {
            r.got = Some(dgram);
        }
    }
    completed
}

/// Copies datagram `d` into `buf` as a receive returns it: WSAEMSGSIZE when it did not fit
/// (the buffer then holds its start).
fn deliver(
    d: &Datagram,
    buf: &mut [u8],
    got: &mut Option<(SocketAddr, DgramInfo)>,
) -> Result<usize, WsaError> {
    let n = d.data.len().min(buf.len());
    buf[..n].copy_from_slice(&d.data[..n]);
    *got = Some((d.src, DgramInfo::of(d)));
    if n == d.data.len() {
        Ok(n)
    } else {
        Err(WsaError::WSAEMSGSIZE)
    }
}
