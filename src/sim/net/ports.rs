//! Each host's port tables: which sockets hold a local TCP or UDP port, Windows' ephemeral
//! range, and which bound socket takes the traffic for an address.

use std::net::SocketAddr;

use super::demux::takes_traffic;
use super::endpoint::Sock;
use super::host::{wire, EPHEMERAL_COUNT, EPHEMERAL_FIRST};
use super::{NetHooks, NetLayers};
use crate::api::consts::*;
use crate::api::WsaError;
use crate::sim::runtime::World;

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    /// Records `addr` as the socket's local address and its hold on the port.
    pub(crate) fn take_port(&mut self, id: usize, addr: SocketAddr) {
        let s = self.net.sockets.at(id);
        s.local = addr.into();
        s.holds_port = true;
        let (host, ty) = (s.host, s.ty);
        self.net.hosts[host]
            .binds_mut(ty)
            .entry(addr.port())
            .or_default()
            .push(id);
        if ty == SOCK_DGRAM {
            // A bound datagram socket can send: its first registration reports FD_WRITE (EV-03).
            self.on_dgram_bound(id);
        }
    }

    /// Gives up the socket's hold on its local port.
    pub(crate) fn release_port(&mut self, id: usize) {
        let Some(s) = self.net.sockets.get_mut(id) else {
            return;
        };
        if !s.holds_port {
            return;
        }
        s.holds_port = false;
        let (host, port, ty) = (s.host, s.local.get().map_or(0, |a| a.port()), s.ty);
        let binds = self.net.hosts[host].binds_mut(ty);
        if let Some(v) = binds.get_mut(&port) {
            v.retain(|&x| x != id);
            if v.is_empty() {
                binds.remove(&port);
            }
        }
    }

    /// The next free port of Windows' dynamic range on `host` for sockets of type `ty`.
    pub(crate) fn ephemeral_port(&mut self, host: usize, ty: i32) -> Option<u16> {
        let h = &mut self.net.hosts[host];
        for _ in 0..EPHEMERAL_COUNT {
            let p = h.next_ephemeral;
            h.next_ephemeral = if p == u16::MAX {
                EPHEMERAL_FIRST
            } else {
                p + 1
            };
            if !h.binds(ty).contains_key(&p) {
                return Some(p);
            }
        }
        None
    }

    /// The socket of type `ty` on `host` that takes traffic sent to the wire address `dst`,
    /// among those `eligible`: the most specific local address wins (an exact address, then
    /// 0.0.0.0 or `[::]`, then for IPv4 a dual-stack `[::]`), the earliest bound among equals
    /// (conformance OP-10).
    pub(crate) fn bound_for(
        &self,
        host: usize,
        ty: i32,
        dst: SocketAddr,
        eligible: impl Fn(&Sock) -> bool,
    ) -> Option<usize> {
        let ids = self.net.hosts[host].binds(ty).get(&dst.port())?;
        let mut best: Option<(u8, usize)> = None;
        for &id in ids {
            let Some(s) = self.net.sockets.get(id) else {
                continue;
            };
            let Some(local) = s.local.get() else { continue };
            if !eligible(s) {
                continue;
            }
            let Some(rank) = takes_traffic(local, s.opts.v6only, dst.ip()) else {
                continue;
            };
            if best.is_none_or(|(r, _)| rank > r) {
                best = Some((rank, id));
            }
        }
        best.map(|(_, id)| id)
    }

    /// Whether socket `id` can talk to `dst` (connect, sendto). A v4-mapped peer
    /// (`::ffff:a.b.c.d`) needs a dual-stack socket (IPV6_V6ONLY off) not bound to a
    /// non-mapped IPv6 address; an IPv6 peer needs a local address that is not v4-mapped.
    ///
    /// The error is WSAEADDRNOTAVAIL: Windows reports 10049 for connect to a v4-mapped
    /// address from an AF_INET6 socket left V6ONLY (ACE_TAO issue #1267, libwebsockets issue
    /// #2223). The other combinations and sendto are not documented; the sim uses the same
    /// code for them.
    pub(crate) fn check_peer_space(&self, id: usize, dst: SocketAddr) -> Result<(), WsaError> {
        let Some(s) = self.net.sockets.get(id) else {
            return Ok(());
        };
        if s.family != AF_INET6 {
            return Ok(());
        }
        let mapped = wire(dst).is_ipv4();
        if mapped && s.opts.v6only {
            return Err(WsaError::WSAEADDRNOTAVAIL);
        }
        if let Some(local) = s.local.get().map(wire) {
            // `[::]` reaches either family; any other local address only its own.
            let any_v6 = local.is_ipv6() && local.ip().is_unspecified();
            if !any_v6 && local.is_ipv4() != mapped {
                return Err(WsaError::WSAEADDRNOTAVAIL);
            }
        }
        Ok(())
    }
}
