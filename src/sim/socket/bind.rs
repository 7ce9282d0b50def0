//! The local-address rules: `bind` (its checks, the conflict rules between sockets on one
//! port — SO_REUSEADDR, SO_EXCLUSIVEADDRUSE, wildcards, the shared IPv4/IPv6 port space),
//! ephemeral ports and the implicit bind of `connect`/`sendto`, which bound socket takes the
//! traffic for an address, and the checks on a destination's address family.

use std::net::{IpAddr, SocketAddr};

use crate::api::WsaError;
use crate::sim::net::demux::{family_of, pair_conflict, v4_view, v6_view};
use crate::sim::net::host::{seen_ip_by, wire};
use crate::sim::runtime::World;
use crate::sim::socket::{SockHooks, SockLayers};

impl<L: SockLayers> World<L>
where
    Self: SockHooks<L>,
{
    /// `bind()`: address checks, then the conflict rules for TCP ports.
    pub(crate) fn bind_socket(&mut self, id: usize, addr: SocketAddr) -> Result<(), WsaError> {
        let s = self.net.sockets.at(id);
        if s.local.is_some() {
            return Err(WsaError::WSAEINVAL);
        }
        if family_of(addr) != s.family {
            return Err(WsaError::WSAEFAULT);
        }
        let host = s.host;
        // A v4-mapped IPv6 address names the IPv4 address it carries.
        let own_ip = match addr.ip() {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr.ip(), IpAddr::V4),
            ip => ip,
        };
        // The sim's addresses carry no scope (global or loopback, listed with scope id 0):
        // a specific IPv6 address with another scope id is not one of them (sock.c
        // test_bind, scope id 0xabacab).
        let wrong_scope = matches!(addr, std::net::SocketAddr::V6(v6)
            if v6.scope_id() != 0 && !v6.ip().is_unspecified());
        if wrong_scope || !self.net.hosts[host].owns(own_ip) {
            return Err(WsaError::WSAEADDRNOTAVAIL);
        }
        let ty = self.net.sockets.at(id).ty;
        let port = if addr.port() == 0 {
            self.ephemeral_port(host, ty).ok_or(WsaError::WSAENOBUFS)?
        } else {
            self.check_bind_conflict(id, addr)?;
            addr.port()
        };
        self.take_port(id, SocketAddr::new(addr.ip(), port));
        Ok(())
    }

    /// Windows' rules for two sockets on one port (conformance OP-10, OP-11, ER-05).
    ///
    /// IPv4 and IPv6 share one port table: every socket is checked against the others in
    /// each address space it occupies ([`v4_view`], [`v6_view`]). A dual-stack `[::]`
    /// (IPV6_V6ONLY off) occupies the IPv4 space as a wildcard less specific than 0.0.0.0; a
    /// v4-mapped address occupies it as that IPv4 address.
    fn check_bind_conflict(&self, id: usize, addr: SocketAddr) -> Result<(), WsaError> {
        let s = self.net.sockets.get(id).expect("binding socket exists");
        let Some(others) = self.net.hosts[s.host].binds(s.ty).get(&addr.port()) else {
            return Ok(());
        };
        let n_v4 = v4_view(addr, s.opts.v6only);
        let n_v6 = v6_view(addr);
        for &o in others {
            let Some(e) = self.net.sockets.get(o) else {
                continue;
            };
            let Some(eaddr) = e.local.get() else { continue };
            if let (Some(a), Some(b)) = (v6_view(eaddr), n_v6) {
                let level = |ip: std::net::Ipv6Addr| u8::from(!ip.is_unspecified());
                pair_conflict(e, s, (level(a), a == b), level(b))?;
            }
            if let (Some(a), Some(b)) = (v4_view(eaddr, e.opts.v6only), n_v4) {
                pair_conflict(e, s, (a.level, a.ip == b.ip && a.level == b.level), b.level)?;
            }
        }
        Ok(())
    }

    /// Implicit bind for `connect`: wildcard → a concrete source address, port 0 → ephemeral.
    /// A dual-stack socket reaching an IPv4 peer (`dst` v4-mapped) gets its IPv4 source
    /// address v4-mapped.
    pub(crate) fn implicit_bind(&mut self, id: usize, dst: SocketAddr) -> Result<(), WsaError> {
        let s = self.net.sockets.at(id);
        let (host, family) = (s.host, s.family);
        let src_ip = match s.local.get() {
            Some(a) if !wire(a).ip().is_unspecified() => a.ip(),
            _ => self.net.hosts[host]
                .source_for(wire(dst).ip())
                .map(|ip| seen_ip_by(family, ip))
                .ok_or(WsaError::WSAENETUNREACH)?,
        };
        match s.local.get() {
            Some(a) => {
                let a = SocketAddr::new(src_ip, a.port());
                self.net.sockets.at(id).local = a.into();
            }
            None => {
                let ty = self.net.sockets.at(id).ty;
                let port = self.ephemeral_port(host, ty).ok_or(WsaError::WSAENOBUFS)?;
                self.take_port(id, SocketAddr::new(src_ip, port));
            }
        }
        Ok(())
    }
}
