//! The local-address rules: `bind` (its checks, the conflict rules between sockets on one
//! port — SO_REUSEADDR, SO_EXCLUSIVEADDRUSE, wildcards, the shared IPv4/IPv6 port space),
//! ephemeral ports and the implicit bind of `connect`/`sendto`, which bound socket takes the
//! traffic for an address, and the checks on a destination's address family.

use std::net::{IpAddr, SocketAddr};

use super::net::{seen_ip_by, wire, EPHEMERAL_COUNT, EPHEMERAL_FIRST};
use super::socket::Sock;
use super::world::World;
use crate::api::consts::*;
use crate::api::WsaError;

impl World {
    /// `bind()`: address checks, then the conflict rules for TCP ports.
    pub(crate) fn bind_socket(&mut self, id: usize, addr: SocketAddr) -> Result<(), WsaError> {
        let s = self.sockets.at(id);
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
        if !self.hosts[host].owns(own_ip) {
            return Err(WsaError::WSAEADDRNOTAVAIL);
        }
        let ty = self.sockets.at(id).ty;
        let port = if addr.port() == 0 {
            self.ephemeral_port(host, ty).ok_or(WsaError::WSAENOBUFS)?
        } else {
            self.check_bind_conflict(id, addr)?;
            addr.port()
        };
        self.take_port(id, SocketAddr::new(addr.ip(), port));
        Ok(())
    }

    /// Records `addr` as the socket's local address and its hold on the port.
    pub(crate) fn take_port(&mut self, id: usize, addr: SocketAddr) {
        let s = self.sockets.at(id);
        s.local = Some(addr);
        s.holds_port = true;
        let (host, ty) = (s.host, s.ty);
        self.hosts[host]
            .binds_mut(ty)
            .entry(addr.port())
            .or_default()
            .push(id);
        if ty == SOCK_DGRAM {
            // A bound datagram socket can send: its first registration reports FD_WRITE (EV-03).
            self.netev_mut(id).write_latched = true;
        }
    }

    /// Gives up the socket's hold on its local port.
    pub(crate) fn release_port(&mut self, id: usize) {
        let Some(s) = self.sockets.get_mut(id) else {
            return;
        };
        if !s.holds_port {
            return;
        }
        s.holds_port = false;
        let (host, port, ty) = (s.host, s.local.map_or(0, |a| a.port()), s.ty);
        let binds = self.hosts[host].binds_mut(ty);
        if let Some(v) = binds.get_mut(&port) {
            v.retain(|&x| x != id);
            if v.is_empty() {
                binds.remove(&port);
            }
        }
    }

    /// Windows' rules for two sockets on one port (conformance OP-10, OP-11, ER-05).
    ///
    /// IPv4 and IPv6 share one port table: every socket is checked against the others in
    /// each address space it occupies ([`v4_view`], [`v6_view`]). A dual-stack `[::]`
    /// (IPV6_V6ONLY off) occupies the IPv4 space as a wildcard less specific than 0.0.0.0; a
    /// v4-mapped address occupies it as that IPv4 address.
    fn check_bind_conflict(&self, id: usize, addr: SocketAddr) -> Result<(), WsaError> {
        let s = self.sockets.get(id).expect("binding socket exists");
        let Some(others) = self.hosts[s.host].binds(s.ty).get(&addr.port()) else {
            return Ok(());
        };
        let n_v4 = v4_view(addr, s.opts.v6only);
        let n_v6 = v6_view(addr);
        for &o in others {
            let Some(e) = self.sockets.get(o) else {
                continue;
            };
            let Some(eaddr) = e.local else { continue };
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

    /// The next free port of Windows' dynamic range on `host` for sockets of type `ty`.
    pub(crate) fn ephemeral_port(&mut self, host: usize, ty: i32) -> Option<u16> {
        let h = &mut self.hosts[host];
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

    /// Implicit bind for `connect`: wildcard → a concrete source address, port 0 → ephemeral.
    /// A dual-stack socket reaching an IPv4 peer (`dst` v4-mapped) gets its IPv4 source
    /// address v4-mapped.
    pub(crate) fn implicit_bind(&mut self, id: usize, dst: SocketAddr) -> Result<(), WsaError> {
        let s = self.sockets.at(id);
        let (host, family) = (s.host, s.family);
        let src_ip = match s.local {
            Some(a) if !wire(a).ip().is_unspecified() => a.ip(),
            _ => self.hosts[host]
                .source_for(wire(dst).ip())
                .map(|ip| seen_ip_by(family, ip))
                .ok_or(WsaError::WSAENETUNREACH)?,
        };
        match s.local {
            Some(a) => {
                let a = SocketAddr::new(src_ip, a.port());
                self.sockets.at(id).local = Some(a);
            }
            None => {
                let ty = self.sockets.at(id).ty;
                let port = self.ephemeral_port(host, ty).ok_or(WsaError::WSAENOBUFS)?;
                self.take_port(id, SocketAddr::new(src_ip, port));
            }
        }
        Ok(())
    }
}

impl World {
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
        let ids = self.hosts[host].binds(ty).get(&dst.port())?;
        let mut best: Option<(u8, usize)> = None;
        for &id in ids {
            let Some(s) = self.sockets.get(id) else {
                continue;
            };
            let Some(local) = s.local else { continue };
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
        let Some(s) = self.sockets.get(id) else {
            return Ok(());
        };
        if s.family != AF_INET6 {
            return Ok(());
        }
        let mapped = wire(dst).is_ipv4();
        if mapped && s.opts.v6only {
            return Err(WsaError::WSAEADDRNOTAVAIL);
        }
        if let Some(local) = s.local.map(wire) {
            // `[::]` reaches either family; any other local address only its own.
            let any_v6 = local.is_ipv6() && local.ip().is_unspecified();
            if !any_v6 && local.is_ipv4() != mapped {
                return Err(WsaError::WSAEADDRNOTAVAIL);
            }
        }
        Ok(())
    }
}

/// How a socket bound to `local` (IPV6_V6ONLY `v6only`) takes traffic for the wire address
/// `dst`: `None` if it does not; otherwise a rank, higher for a more specific local address
/// (2: that address; 1: 0.0.0.0, `[::ffff:0.0.0.0]` or `[::]`; 0: a dual-stack `[::]` for
/// IPv4).
pub(crate) fn takes_traffic(local: SocketAddr, v6only: bool, dst: IpAddr) -> Option<u8> {
    match dst {
        IpAddr::V4(d) => {
            let p = v4_view(local, v6only)?;
            (p.level < 2 || p.ip == d).then_some(p.level)
        }
        IpAddr::V6(d) => {
            let a = v6_view(local)?;
            if a == d {
                Some(2)
            } else {
                a.is_unspecified().then_some(1)
            }
        }
    }
}

/// Where a bound address sits in the IPv4 port space, and how specific it is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct V4Place {
    ip: std::net::Ipv4Addr,
    /// 0: dual-stack `[::]`; 1: 0.0.0.0 (or `[::ffff:0.0.0.0]`); 2: a specific address.
    level: u8,
}

/// The IPv4 place of a local address: IPv4 addresses and v4-mapped IPv6 ones as themselves,
/// `[::]` with IPV6_V6ONLY off as the dual-stack wildcard; other IPv6 addresses have none.
fn v4_view(a: SocketAddr, v6only: bool) -> Option<V4Place> {
    let ip = match a.ip() {
        IpAddr::V4(v4) => v4,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4,
            None if v6.is_unspecified() && !v6only => {
                return Some(V4Place {
                    ip: std::net::Ipv4Addr::UNSPECIFIED,
                    level: 0,
                })
            }
            None => return None,
        },
    };
    let level = if ip.is_unspecified() { 1 } else { 2 };
    Some(V4Place { ip, level })
}

/// The IPv6 place of a local address: IPv6 addresses that are not v4-mapped.
fn v6_view(a: SocketAddr) -> Option<std::net::Ipv6Addr> {
    match a.ip() {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => Some(v6),
        _ => None,
    }
}

/// The outcome of binding `new` where `existing` sits in one address space. `e` is the
/// existing socket's (specificity, same place as the new one); `n_level` the new one's
/// specificity (a higher level is more specific).
fn pair_conflict(
    existing: &Sock,
    new: &Sock,
    (e_level, same): (u8, bool),
    n_level: u8,
) -> Result<(), WsaError> {
    let (e, n) = (&existing.opts, &new.opts);
    if same {
        if e.exclusive || n.exclusive {
            return Err(WsaError::WSAEADDRINUSE);
        }
        if n.reuseaddr {
            return if e.reuseaddr {
                Ok(())
            } else {
                Err(WsaError::WSAEACCES)
            };
        }
        return Err(WsaError::WSAEADDRINUSE);
    }
    if e_level < n_level {
        // A wildcard holds the port and a more specific address comes: only an exclusive
        // wildcard refuses it.
        if e.exclusive {
            return Err(WsaError::WSAEACCES);
        }
    } else if e_level > n_level && n.exclusive {
        // An exclusive wildcard cannot cover an address already bound more specifically.
        return Err(WsaError::WSAEADDRINUSE);
    }
    Ok(())
}

/// A destination (connect, sendto, ConnectEx) of the wrong family for a socket of
/// `sock_family`. Windows checks the length before the family: a SOCKADDR_IN (16 bytes) is too
/// short for an AF_INET6 socket, WSAEFAULT (sock.c test_bind shows the same for a 24-byte
/// sockaddr_in6_old; mio#721 and libuv#4433 report it for connect and sendto), while a
/// SOCKADDR_IN6 given to an AF_INET socket is long enough and fails on its family,
/// WSAEAFNOSUPPORT.
pub(crate) fn check_dst_family(sock_family: i32, dst: SocketAddr) -> Result<(), WsaError> {
    match (sock_family, family_of(dst)) {
        (a, b) if a == b => Ok(()),
        (AF_INET6, _) => Err(WsaError::WSAEFAULT),
        _ => Err(WsaError::WSAEAFNOSUPPORT),
    }
}

/// The address family of a socket address, as the WinSock constant.
pub(crate) fn family_of(a: SocketAddr) -> i32 {
    if a.is_ipv4() {
        AF_INET
    } else {
        AF_INET6
    }
}

#[cfg(test)]
mod tests {
    use super::takes_traffic;
    use crate::sim::net::{seen_by, wire};
    use std::net::{IpAddr, SocketAddr};

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn traffic_goes_to_the_most_specific_address_of_its_family() {
        let v4 = ip("192.0.2.1");
        assert_eq!(takes_traffic(a("192.0.2.1:80"), true, v4), Some(2));
        assert_eq!(
            takes_traffic(a("[::ffff:192.0.2.1]:80"), false, v4),
            Some(2)
        );
        assert_eq!(takes_traffic(a("0.0.0.0:80"), true, v4), Some(1));
        assert_eq!(takes_traffic(a("[::]:80"), false, v4), Some(0));
        assert_eq!(takes_traffic(a("[::]:80"), true, v4), None);
        assert_eq!(takes_traffic(a("192.0.2.9:80"), true, v4), None);
        let v6 = ip("2001:db8::1");
        assert_eq!(takes_traffic(a("[2001:db8::1]:80"), true, v6), Some(2));
        assert_eq!(takes_traffic(a("[::]:80"), true, v6), Some(1));
        assert_eq!(takes_traffic(a("[::]:80"), false, v6), Some(1));
        assert_eq!(takes_traffic(a("0.0.0.0:80"), true, v6), None);
        assert_eq!(takes_traffic(a("[::ffff:0.0.0.0]:80"), false, v6), None);
    }

    #[test]
    fn wire_and_socket_views_of_an_address() {
        use crate::api::consts::{AF_INET, AF_INET6};
        assert_eq!(wire(a("[::ffff:192.0.2.1]:80")), a("192.0.2.1:80"));
        assert_eq!(wire(a("[2001:db8::1]:80")), a("[2001:db8::1]:80"));
        assert_eq!(
            seen_by(AF_INET6, a("192.0.2.1:80")),
            a("[::ffff:192.0.2.1]:80")
        );
        assert_eq!(seen_by(AF_INET, a("192.0.2.1:80")), a("192.0.2.1:80"));
    }
}
