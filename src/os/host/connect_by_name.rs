//! `impl ConnectByName for System`: WSAConnectByName on the host's sockets. The names go to
//! the host's resolver (`std::net::ToSocketAddrs`, with the service looked up in the same
//! services table as the simulator's getaddrinfo), then each address is tried with the
//! OS connect; a timeout bounds each attempt with socket2's `connect_timeout`, all of them
//! together through the deadline.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::errors::Ctx;
use super::System;
use crate::api::connect_by_name::{
    by_name_args, by_name_socket, connect_by_name_to, ByNameAddrs, ConnectByName,
};
use crate::api::consts::*;
use crate::api::resolve::service_port;
use crate::api::{Overlapped, SockAddr, Socket, Winsock, WsaError};

impl System {
    /// One connect attempt: the plain `connect`, or an OS connect bounded by the time left
    /// until the tick count `deadline`.
    fn connect_before(
        &self,
        s: Socket,
        a: &SockAddr,
        deadline: Option<u64>,
    ) -> Result<(), WsaError> {
        let Some(deadline) = deadline else {
            return self.connect(s, a);
        };
        let left = deadline.saturating_sub(u64::from(self.get_tick_count()));
        if left == 0 {
            return Err(WsaError::WSAETIMEDOUT);
        }
        let dst = a.parse()?;
        self.with(s, |e| {
            let ctx = Ctx {
                connect: true,
                ..e.ctx()
            };
            e.sock()
                .connect_timeout(&dst.into(), Duration::from_millis(left))
                .map_err(|err| match err.kind() {
                    std::io::ErrorKind::TimedOut => WsaError::WSAETIMEDOUT,
                    _ => e.err(&err, ctx),
                })?;
            e.connected.store(true, Ordering::Relaxed);
            Ok(())
        })
    }
}

impl ConnectByName for System {
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
            let family = self.with(s, |e| Ok(e.family))?;
            let port = service_port(&[], Some(service), false)?;
            let found = (node, port)
                .to_socket_addrs()
                .map_err(|_| WsaError::WSAHOST_NOT_FOUND)?;
            let candidates: Vec<SockAddr> = found
                .filter_map(|a| match (family, a.ip()) {
                    (AF_INET, IpAddr::V4(_)) | (AF_INET6, IpAddr::V6(_)) => Some(a),
                    (AF_INET6, IpAddr::V4(v4)) => {
                        Some(SocketAddr::new(IpAddr::V6(v4.to_ipv6_mapped()), a.port()))
                    }
                    _ => None,
                })
                .map(SockAddr::from)
                .collect();
            connect_by_name_to(self, s, &candidates, addrs, timeout, |a, deadline| {
                self.connect_before(s, a, deadline)
            })
        })();
        self.wsa_set_last_error(r.err().map_or(0, |e| e.code()));
        r
    }
}
