//! `setsockopt` / `getsockopt` in the simulator: the option values kept per socket. The
//! table of options and Windows' length rules (conformance OP-01 … OP-13) are shared with
//! the OS backend in `api::sockopt_rules`.

use crate::api::bsp_state::{encode_bsp_state, CsAddrInfo, SO_BSP_STATE};
use crate::api::consts::*;
use crate::api::sockopt_rules as rules;
use crate::api::WsaError;
use crate::sim::net::endpoint::{Linger, Role, RETRANSMIT_FOREVER};
use crate::sim::net::NetHooks;
use crate::sim::runtime::World;
use crate::sim::socket::{SockHooks, SockLayers};
use std::sync::Arc;

impl<L: SockLayers> World<L>
where
    Self: SockHooks<L>,
{
    pub(crate) fn set_opt(
        &mut self,
        id: usize,
        level: i32,
        name: i32,
        val: &[u8],
    ) -> Result<(), WsaError> {
        let s = self.net.sockets.at(id);
        let Some(v) = rules::set_value(level, name, s.ty, s.family, val)? else {
            return Ok(());
        };
        match (level, name) {
            (SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT) => {
                // optval is the listening socket the connection was accepted on.
                let host = s.host;
                let lid =
                    self.sock_id(host, crate::api::Socket::from_raw(rules::read_handle(val)))?;
                if !matches!(self.net.sockets.at(lid).role, Role::Listener(_)) {
                    return Err(WsaError::WSAEINVAL);
                }
                self.net.sockets.at(id).needs_accept_context = false;
                return Ok(());
            }
            // ConnectEx's context update: nothing the sim needs to change.
            (SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT) => return Ok(()),
            (IPPROTO_IP, IP_OPTIONS | IP_RTHDR) | (IPPROTO_IPV6, IPV6_HOPOPTS | IPV6_RTHDR) => {
                Arc::make_mut(&mut s.opts)
                    .rare_mut()
                    .headers
                    .insert((level, name), val.to_vec());
                return Ok(());
            }
            (IPPROTO_IP, IP_ADD_MEMBERSHIP | IP_DROP_MEMBERSHIP)
            | (IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP | IPV6_DROP_MEMBERSHIP) => {
                return self.set_membership(id, level, name, val);
            }
            _ => {}
        }
        let s = self.net.sockets.at(id);
        let on = v != 0;
        let o = Arc::make_mut(&mut s.opts);
        match (level, name) {
            (SOL_SOCKET, SO_BROADCAST) => o.broadcast = on,
            (SOL_SOCKET, SO_DEBUG) => o.debug = on,
            (SOL_SOCKET, SO_CONDITIONAL_ACCEPT) => o.conditional_accept = on,
            (SOL_SOCKET, SO_OOBINLINE) => o.oobinline = on,
            (SOL_SOCKET, SO_DONTLINGER) => {
                o.linger.onoff = !on;
                o.linger.onoff_raw = u16::from(!on);
            }
            (SOL_SOCKET, SO_REUSEADDR) => {
                if on && o.exclusive {
                    return Err(WsaError::WSAEINVAL);
                }
                o.reuseaddr = on;
            }
            (SOL_SOCKET, SO_EXCLUSIVEADDRUSE) => {
                if on && o.reuseaddr {
                    return Err(WsaError::WSAEINVAL);
                }
                o.exclusive = on;
            }
            (SOL_SOCKET, SO_KEEPALIVE) => o.keepalive = on,
            (SOL_SOCKET, SO_DONTROUTE) => o.dontroute = on,
            (SOL_SOCKET, SO_RCVBUF | SO_SNDBUF) if (v as i32) < 0 => {
                return Err(WsaError::WSAEINVAL)
            }
            (SOL_SOCKET, SO_RCVBUF) => {
                o.rcvbuf = v as usize;
                // A bigger buffer may reopen the window at once.
                self.tcp_window_update(id);
            }
            (SOL_SOCKET, SO_SNDBUF) => {
                o.sndbuf = v as usize;
                // A bigger buffer may let a blocked sender go on.
                self.on_send_space(id);
            }
            (SOL_SOCKET, SO_RCVTIMEO) => o.rcvtimeo_ms = v,
            (SOL_SOCKET, SO_SNDTIMEO) => o.sndtimeo_ms = v,
            (SOL_SOCKET, SO_ERROR) => s.so_error = v as i32,
            (SOL_SOCKET, SO_LINGER) => {
                o.linger = Linger {
                    onoff: (v & 0xffff) != 0,
                    onoff_raw: v as u16,
                    secs: (v >> 16) as u16,
                }
            }
            (IPPROTO_TCP, TCP_NODELAY) => o.nodelay = on,
            (IPPROTO_TCP, TCP_KEEPALIVE) => o.keep_idle_ms = v.saturating_mul(1000),
            (IPPROTO_TCP, TCP_KEEPCNT) => o.keep_count = v,
            (IPPROTO_TCP, TCP_KEEPINTVL) => o.keep_interval_ms = v.saturating_mul(1000),
            (IPPROTO_TCP, TCP_MAXRT) if v == RETRANSMIT_FOREVER => o.max_rt_ms = v,
            (IPPROTO_TCP, TCP_MAXRT) => {
                o.max_rt_ms = v.saturating_mul(1000).min(RETRANSMIT_FOREVER - 1);
            }
            (IPPROTO_TCP, TCP_MAXRTMS) => o.max_rt_ms = v,
            (IPPROTO_IP, IP_TTL) => o.ip_ttl = v,
            (IPPROTO_IP, IP_TOS) => o.ip_tos = v,
            (IPPROTO_IPV6, IPV6_V6ONLY) => {
                // Fixed once the socket is bound (test_ipv6only).
                if s.local.is_some() {
                    return Err(WsaError::WSAEINVAL);
                }
                o.v6only = on
            }
            (IPPROTO_IPV6, IPV6_UNICAST_HOPS) => o.ip_ttl = v,
            (IPPROTO_IP, IP_MULTICAST_IF) | (IPPROTO_IPV6, IPV6_MULTICAST_IF) => o.mcast_if = v,
            (IPPROTO_IP, IP_MULTICAST_TTL) | (IPPROTO_IPV6, IPV6_MULTICAST_HOPS) => o.mcast_ttl = v,
            (IPPROTO_IP, IP_MULTICAST_LOOP) | (IPPROTO_IPV6, IPV6_MULTICAST_LOOP) => {
                o.mcast_loop = on
            }
            (IPPROTO_IP, IP_PKTINFO) | (IPPROTO_IPV6, IPV6_PKTINFO) => o.pktinfo = on,
            (IPPROTO_IP, IP_RECVTTL) | (IPPROTO_IPV6, IPV6_HOPLIMIT) => o.recvttl = on,
            (IPPROTO_IP, IP_RECVTOS) | (IPPROTO_IPV6, IPV6_RECVTCLASS) => o.recvtos = on,
            (IPPROTO_IP, IP_DONTFRAGMENT) | (IPPROTO_IPV6, IPV6_DONTFRAG) => o.dontfrag = Some(on),
            // Read-only: the path MTU.
            (IPPROTO_IP, IP_MTU) | (IPPROTO_IPV6, IPV6_MTU) => {
                return Err(WsaError::WSAENOPROTOOPT)
            }
            // Accepted by the table (`rules::shape`), kept, not acted on.
            (IPPROTO_IP | IPPROTO_IPV6, _) => {
                o.rare_mut().kept.insert((level, name), v);
            }
            // SO_TYPE is read-only: a datagram socket refuses it with WSAEINVAL, a stream
            // one with WSAENOPROTOOPT as the other read-only options (test_WSASocket).
            (SOL_SOCKET, SO_TYPE) if s.ty != SOCK_STREAM => return Err(WsaError::WSAEINVAL),
            // Read-only options.
            _ => return Err(WsaError::WSAENOPROTOOPT),
        }
        if matches!(
            (level, name),
            (SOL_SOCKET, SO_KEEPALIVE) | (IPPROTO_TCP, TCP_KEEPALIVE | TCP_KEEPCNT | TCP_KEEPINTVL)
        ) {
            self.keepalive_changed(id);
        }
        Ok(())
    }

    /// IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP (an `ip_mreq`) and IPV6_ADD_MEMBERSHIP /
    /// IPV6_DROP_MEMBERSHIP (an `ipv6_mreq`), already checked long enough. Errors as
    /// Microsoft's "Multicast Socket Option Behavior" page gives them: joining a group twice
    /// is WSAEADDRNOTAVAIL, dropping a group not joined WSAEINVAL; a group outside
    /// 224.0.0.0/4 or ff00::/8 is WSAEINVAL, an `imr_interface` address that is not the
    /// host's WSAEADDRNOTAVAIL. A host has one interface, so memberships are kept per group.
    fn set_membership(
        &mut self,
        id: usize,
        level: i32,
        name: i32,
        val: &[u8],
    ) -> Result<(), WsaError> {
        use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
        let host = self.net.sockets.at(id).host;
        let group: IpAddr = if level == IPPROTO_IP {
            let g = Ipv4Addr::new(val[0], val[1], val[2], val[3]);
            let ifc = Ipv4Addr::new(val[4], val[5], val[6], val[7]);
            // 0.0.0.0 is the default interface and 0.x.y.z an interface index; any other
            // address must be one of the host's (or loopback).
            if ifc.octets()[0] != 0 && !self.net.hosts[host].owns(IpAddr::V4(ifc)) {
                return Err(WsaError::WSAEADDRNOTAVAIL);
            }
            IpAddr::V4(g)
        } else {
            let mut a = [0u8; 16];
            a.copy_from_slice(&val[..16]);
            IpAddr::V6(Ipv6Addr::from(a))
        };
        if !group.is_multicast() {
            return Err(WsaError::WSAEINVAL);
        }
        let groups = &mut Arc::make_mut(&mut self.net.sockets.at(id).opts)
            .rare_mut()
            .mcast_groups;
        let joined = groups.iter().position(|g| *g == group);
        match (name, joined) {
            (IP_ADD_MEMBERSHIP, Some(_)) => Err(WsaError::WSAEADDRNOTAVAIL),
            (IP_ADD_MEMBERSHIP, None) => {
                groups.push(group);
                Ok(())
            }
            (_, Some(i)) => {
                groups.remove(i);
                Ok(())
            }
            (_, None) => Err(WsaError::WSAEINVAL),
        }
    }

    pub(crate) fn get_opt(
        &mut self,
        id: usize,
        level: i32,
        name: i32,
        out: &mut [u8],
    ) -> Result<usize, WsaError> {
        let now = self.rt.now;
        let s = self.net.sockets.at(id);
        if let Err(e) = rules::check_get(level, name, s.ty, s.family, out.len()) {
            if e == WsaError::WSAEFAULT && rules::zeroes_short_buffer(level, name) {
                out.fill(0);
            }
            return Err(e);
        }
        if let Some(n) = rules::get_protocol_info(level, name, s.ty, s.family, out) {
            return Ok(n);
        }
        if (level, name) == (SOL_SOCKET, SO_BSP_STATE) {
            let (ty, family) = (s.ty, s.family);
            let (local, remote) = (self.sock_name(id).ok(), self.peer_name(id).ok());
            let info = CsAddrInfo::of_socket(ty, local, remote);
            return Ok(encode_bsp_state(out, family, &info));
        }
        if let Some(h) = s
            .opts
            .rare
            .as_ref()
            .and_then(|r| r.headers.get(&(level, name)))
        {
            if out.len() < h.len() {
                return Err(WsaError::WSAEFAULT);
            }
            out[..h.len()].copy_from_slice(h);
            return Ok(h.len());
        }
        let o = &s.opts;
        let b = u32::from;
        let v: u32 = match (level, name) {
            (SOL_SOCKET, SO_BROADCAST) => b(o.broadcast),
            (SOL_SOCKET, SO_DEBUG) => b(o.debug),
            (SOL_SOCKET, SO_CONDITIONAL_ACCEPT) => b(o.conditional_accept),
            (SOL_SOCKET, SO_ACCEPTCONN) => b(matches!(s.role, Role::Listener(_))),
            (SOL_SOCKET, SO_OOBINLINE) => b(o.oobinline),
            (SOL_SOCKET, SO_DONTLINGER) => b(!o.linger.onoff),
            (SOL_SOCKET, SO_REUSEADDR) => b(o.reuseaddr),
            (SOL_SOCKET, SO_EXCLUSIVEADDRUSE) => b(o.exclusive),
            (SOL_SOCKET, SO_KEEPALIVE) => b(o.keepalive),
            (SOL_SOCKET, SO_DONTROUTE) => b(o.dontroute),
            (SOL_SOCKET, SO_RCVBUF) => o.rcvbuf as u32,
            (SOL_SOCKET, SO_SNDBUF) => o.sndbuf as u32,
            (SOL_SOCKET, SO_RCVTIMEO) => o.rcvtimeo_ms,
            (SOL_SOCKET, SO_SNDTIMEO) => o.sndtimeo_ms,
            (SOL_SOCKET, SO_ERROR) => s.so_error as u32,
            (SOL_SOCKET, SO_TYPE) => s.ty as u32,
            // The largest UDP payload: 65,535 less the IP header (IPv4 20, IPv6 none: its
            // payload length excludes it) and the 8-byte UDP header (test_extendedSocketOptions).
            (SOL_SOCKET, SO_MAX_MSG_SIZE) if s.family == AF_INET6 => 65_527,
            (SOL_SOCKET, SO_MAX_MSG_SIZE) => 65_507,
            (SOL_SOCKET, SO_CONNECT_TIME) => match &s.role {
                Role::Stream(t) => match t.connected_at.get() {
                    Some(at) if t.error.is_none() => ((now - at) / 1_000_000_000) as u32,
                    _ => u32::MAX,
                },
                _ => u32::MAX,
            },
            (SOL_SOCKET, SO_LINGER) => {
                u32::from(o.linger.onoff_raw) | (u32::from(o.linger.secs) << 16)
            }
            (IPPROTO_TCP, TCP_NODELAY) => b(o.nodelay),
            (IPPROTO_TCP, TCP_KEEPALIVE) => o.keep_idle_ms / 1000,
            (IPPROTO_TCP, TCP_KEEPCNT) => o.keep_count,
            (IPPROTO_TCP, TCP_KEEPINTVL) => o.keep_interval_ms / 1000,
            (IPPROTO_TCP, TCP_MAXRT) if o.max_rt_ms == RETRANSMIT_FOREVER => o.max_rt_ms,
            (IPPROTO_TCP, TCP_MAXRT) => o.max_rt_ms / 1000,
            (IPPROTO_TCP, TCP_MAXRTMS) => o.max_rt_ms,
            (IPPROTO_IP, IP_TTL) => o.ip_ttl,
            (IPPROTO_IP, IP_TOS) => o.ip_tos,
            (IPPROTO_IPV6, IPV6_V6ONLY) => b(o.v6only),
            (IPPROTO_IPV6, IPV6_UNICAST_HOPS) => o.ip_ttl,
            (IPPROTO_IP, IP_MULTICAST_IF) | (IPPROTO_IPV6, IPV6_MULTICAST_IF) => o.mcast_if,
            (IPPROTO_IP, IP_MULTICAST_TTL) | (IPPROTO_IPV6, IPV6_MULTICAST_HOPS) => o.mcast_ttl,
            (IPPROTO_IP, IP_MULTICAST_LOOP) | (IPPROTO_IPV6, IPV6_MULTICAST_LOOP) => {
                b(o.mcast_loop)
            }
            (IPPROTO_IP, IP_PKTINFO) | (IPPROTO_IPV6, IPV6_PKTINFO) => b(o.pktinfo),
            (IPPROTO_IP, IP_RECVTTL) | (IPPROTO_IPV6, IPV6_HOPLIMIT) => b(o.recvttl),
            (IPPROTO_IP, IP_RECVTOS) | (IPPROTO_IPV6, IPV6_RECVTCLASS) => b(o.recvtos),
            (IPPROTO_IP, IP_DONTFRAGMENT) | (IPPROTO_IPV6, IPV6_DONTFRAG) => {
                b(o.dontfrag.unwrap_or(s.ty == SOCK_STREAM))
            }
            (IPPROTO_IP, IP_OPTIONS | IP_RTHDR) | (IPPROTO_IPV6, IPV6_HOPOPTS | IPV6_RTHDR) => {
                return Ok(0)
            }
            // The path MTU of a connected socket: the MSS and 40 header bytes.
            (IPPROTO_IP, IP_MTU) | (IPPROTO_IPV6, IPV6_MTU) => {
                let mtu = self.rt.cfg.mss as u32 + 40;
                if self.peer_name(id).is_err() {
                    return Err(WsaError::WSAENOTCONN);
                }
                mtu
            }
            (IPPROTO_IP | IPPROTO_IPV6, _) => o
                .rare
                .as_ref()
                .and_then(|r| r.kept.get(&(level, name)).copied())
                .unwrap_or(0),
            _ => return Err(WsaError::WSAENOPROTOOPT),
        };
        let s = self.net.sockets.at(id);
        let n = rules::get_width(level, name, s.ty, s.family, out.len());
        let written = rules::write_value(&mut out[..n], v);
        Ok(rules::reported_len(level, name, s.ty, s.family, written))
    }
}
