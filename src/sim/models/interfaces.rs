//! The host's interfaces as WSAIoctl reports them: SIO_GET_INTERFACE_LIST's `INTERFACE_INFO`
//! array and SIO_ROUTING_INTERFACE_QUERY's choice of a source address (see
//! `api::interface_list` for the layouts and the errors).
//!
//! The simulated network has no subnets: each IPv4 address of a host is an interface on a /24
//! (the documentation ranges' size), broadcast-capable, plus the loopback interface
//! 127.0.0.1/8. Routing is the network layer's `Host::source_for`, so the answer is the
//! address `connect` and `sendto` would send from.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::api::consts::*;
use crate::api::interface_list::{
    encode_interface_list, InterfaceInfo, IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST, IFF_UP,
};
use crate::api::{SockAddr, WsaError, SOCKADDR_IN6_LEN, SOCKADDR_IN_LEN};
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::runtime::World;

/// A `SOCKADDR_IN` (port 0) of an IPv4 address.
fn v4(a: Ipv4Addr) -> SockAddr {
    SockAddr::v4(a.octets(), 0)
}

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    /// The `INTERFACE_INFO` array SIO_GET_INTERFACE_LIST gives on host `host`: one entry per
    /// IPv4 address of the host in its order, then loopback.
    pub(crate) fn interface_list(&self, host: usize) -> Vec<u8> {
        let mask = Ipv4Addr::new(255, 255, 255, 0);
        let mut list: Vec<InterfaceInfo> = self.net.hosts[host]
            .addrs
            .iter()
            .filter_map(|a| match a {
                IpAddr::V4(a) => Some(*a),
                IpAddr::V6(_) => None,
            })
            .map(|a| InterfaceInfo {
                flags: IFF_UP | IFF_BROADCAST | IFF_MULTICAST,
                address: v4(a),
                broadcast: v4(Ipv4Addr::from(u32::from(a) | !u32::from(mask))),
                netmask: v4(mask),
            })
            .collect();
        list.push(InterfaceInfo {
            flags: IFF_UP | IFF_LOOPBACK | IFF_MULTICAST,
            address: v4(Ipv4Addr::LOCALHOST),
            broadcast: SockAddr::from_bytes(&[0; SOCKADDR_IN_LEN]),
            netmask: v4(Ipv4Addr::new(255, 0, 0, 0)),
        });
        encode_interface_list(&list)
    }

    /// SIO_ROUTING_INTERFACE_QUERY on host `host` for the destination in `input`: the local
    /// address (port 0) it would send from. The checks in Windows' order (sock.c
    /// test_sioRoutingInterfaceQuery): a short input WSAEINVAL, a family other than AF_INET
    /// and AF_INET6 WSAEAFNOSUPPORT, the wildcard address WSAEINVAL, no interface of the
    /// family WSAENETUNREACH.
    pub(crate) fn routing_interface(
        &self,
        host: usize,
        input: &[u8],
    ) -> Result<SockAddr, WsaError> {
        if input.len() < SOCKADDR_IN_LEN {
            return Err(WsaError::WSAEINVAL);
        }
        let family = i32::from(u16::from_le_bytes([input[0], input[1]]));
        let dst = match family {
            AF_INET => SockAddr::from_bytes(&input[..SOCKADDR_IN_LEN]).parse()?,
            AF_INET6 if input.len() < SOCKADDR_IN6_LEN => return Err(WsaError::WSAEINVAL),
            AF_INET6 => SockAddr::from_bytes(&input[..SOCKADDR_IN6_LEN]).parse()?,
            _ => return Err(WsaError::WSAEAFNOSUPPORT),
        };
        if dst.ip().is_unspecified() {
            return Err(WsaError::WSAEINVAL);
        }
        self.net.hosts[host]
            .source_for(dst.ip())
            .map(|ip| SockAddr::from(SocketAddr::new(ip, 0)))
            .ok_or(WsaError::WSAENETUNREACH)
    }
}
