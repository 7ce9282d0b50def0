//! [`ConnectByName`] in the simulator: the argument checks, then the simulator's own
//! `getaddrinfo` (hosts' names, the services table, the resolution faults) with the socket's
//! family, then `connect` to each address in turn — all through the public calls, so the
//! trace shows each step.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::api::connect_by_name::{
    by_name_args, by_name_socket, connect_by_name_to, connect_with_select, ByNameAddrs,
    ConnectByName,
};
use crate::api::consts::*;
use crate::api::{AddrInfoHints, Overlapped, Resolve, SockAddr, Socket, Winsock, WsaError};
use crate::sim::api::SimWinsock;

impl ConnectByName for SimWinsock {
    fn wsa_connect_by_name(
        &self,
        s: Socket,
        node: Option<&str>,
        service: Option<&str>,
        addrs: ByNameAddrs<'_>,
        timeout: Option<Duration>,
        reserved: Option<&Overlapped>,
    ) -> Result<(), WsaError> {
        let r = (|| {
            let (node, service) = by_name_args(node, service, reserved)?;
            by_name_socket(self, s)?;
            let family = {
                let mut w = self.w();
                let id = w.sock_id(self.host, s)?;
                w.net.sockets.at(id).family
            };
            // An AF_INET6 socket takes both families (IPv4 as v4-mapped, which a socket
            // with IPV6_V6ONLY refuses, so the next address is tried).
            let hints = AddrInfoHints {
                flags: 0,
                family: if family == AF_INET {
                    AF_INET
                } else {
                    AF_UNSPEC
                },
                socktype: SOCK_STREAM,
                protocol: IPPROTO_TCP,
            };
            let found = self.getaddrinfo(Some(node), Some(service), Some(&hints))?;
            let candidates: Vec<SockAddr> = found
                .iter()
                .filter_map(|ai| ai.addr.to_socket_addr())
                .map(|a| match a.ip() {
                    IpAddr::V4(v4) if family == AF_INET6 => {
                        SockAddr::from(SocketAddr::new(IpAddr::V6(v4.to_ipv6_mapped()), a.port()))
                    }
                    _ => SockAddr::from(a),
                })
                .collect();
            connect_by_name_to(self, s, &candidates, addrs, timeout, |a, deadline| {
                connect_with_select(self, s, a, deadline)
            })
        })();
        self.wsa_set_last_error(r.err().map_or(0, |e| e.code()));
        r
    }
}
