//! WSAIoctl, with and without OVERLAPPED: the control codes the simulator handles (FIONBIO,
//! FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS, SIO_TCP_INITIAL_RTO, SIO_TCP_SET_ACK_FREQUENCY,
//! SIO_IDEAL_SEND_BACKLOG_QUERY, SIO_IDEAL_SEND_BACKLOG_CHANGE, SIO_BASE_HANDLE,
//! SIO_ENABLE_CIRCULAR_QUEUEING, SIO_UDP_CONNRESET, SIO_UDP_NETRESET,
//! SIO_GET_EXTENSION_FUNCTION_POINTER, SIO_ADDRESS_LIST_QUERY,
//! SIO_ADDRESS_LIST_CHANGE, SIO_GET_INTERFACE_LIST, SIO_ROUTING_INTERFACE_QUERY; the interfaces
//! themselves are in `interfaces.rs`)
//! and how an overlapped WSAIoctl completes (conformance OV-15). `ioctlsocket` is in
//! `stream.rs`.

use crate::api::address_list::encode_address_list;
use crate::api::consts::*;
use crate::api::extension::{
    extension_pointer, Guid, EXTENSION_GUIDS, SIO_GET_EXTENSION_FUNCTION_POINTER,
};
use crate::api::interface_list::{SIO_GET_INTERFACE_LIST, SIO_ROUTING_INTERFACE_QUERY};
use crate::api::{SockAddr, Socket, TcpInitialRtoParameters, TcpKeepalive, WsaError};
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::Role;
use crate::sim::runtime::World;

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    /// WSAIoctl's synchronous codes on socket `id` (handle `s`); returns cbBytesReturned.
    pub(crate) fn ioctl_now(
        &mut self,
        id: usize,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError> {
        let w = self;
        let u32_in =
            |b: &[u8], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let put = |out: &mut [u8], v: u32| -> Result<usize, WsaError> {
            if out.len() < 4 {
                return Err(WsaError::WSAEFAULT);
            }
            out[..4].copy_from_slice(&v.to_le_bytes());
            Ok(4)
        };
        match code {
            FIONBIO => {
                if input.len() < 4 {
                    return Err(WsaError::WSAEFAULT);
                }
                let mut v = u32_in(input, 0);
                let registered = w
                    .netev(id)
                    .is_some_and(|n| n.reg != crate::sim::models::network_events::Reg::None);
                if v == 0 && registered {
                    return Err(WsaError::WSAEINVAL);
                }
                w.ioctl(id, FIONBIO, &mut v)?;
                Ok(0)
            }
            FIONREAD | SIOCATMARK => {
                if output.len() < 4 {
                    return Err(WsaError::WSAEFAULT);
                }
                let mut v = 0;
                w.ioctl(id, code, &mut v)?;
                put(output, v)
            }
            SIO_KEEPALIVE_VALS => {
                let v = TcpKeepalive::from_bytes(input).ok_or(WsaError::WSAEFAULT)?;
                let o = std::sync::Arc::make_mut(&mut w.net.sockets.at(id).opts);
                o.keepalive = v.onoff != 0;
                o.keep_idle_ms = v.keepalivetime;
                o.keep_interval_ms = v.keepaliveinterval;
                w.keepalive_changed(id);
                Ok(0)
            }
            SIO_TCP_INITIAL_RTO => {
                // Stream sockets only, checked before the input (as SIO_UDP_CONNRESET's type);
                // the values hold for the connection attempts begun afterwards.
                if w.net.sockets.at(id).ty != SOCK_STREAM {
                    return Err(WsaError::WSAEOPNOTSUPP);
                }
                let v = TcpInitialRtoParameters::from_bytes(input).ok_or(WsaError::WSAEFAULT)?;
                let o = std::sync::Arc::make_mut(&mut w.net.sockets.at(id).opts);
                o.initial_rtt_ms = v.rtt;
                o.max_syn_retransmissions = v.max_syn_retransmissions;
                Ok(0)
            }
            SIO_TCP_SET_ACK_FREQUENCY => {
                if w.net.sockets.at(id).ty != SOCK_STREAM {
                    return Err(WsaError::WSAEOPNOTSUPP);
                }
                if input.len() < 4 {
                    return Err(WsaError::WSAEFAULT);
                }
                let every = match u32_in(input, 0) {
                    0 => false,
                    1 => true,
                    _ => return Err(WsaError::WSAEINVAL),
                };
                let s = w.net.sockets.at(id);
                std::sync::Arc::make_mut(&mut s.opts).ack_every_segment = every;
                let n = s.opts.ack_every();
                if let Role::Stream(t) = &mut s.role {
                    t.ack_every = n;
                }
                Ok(0)
            }
            SIO_IDEAL_SEND_BACKLOG_QUERY => {
                w.isb_socket(id)?;
                put(output, crate::sim::net::endpoint::IDEAL_SEND_BACKLOG as u32)
            }
            SIO_BASE_HANDLE => {
                if output.len() < std::mem::size_of::<usize>() {
                    return Err(WsaError::WSAEFAULT);
                }
                let n = std::mem::size_of::<usize>();
                output[..n].copy_from_slice(&s.raw().to_le_bytes());
                Ok(n)
            }
            SIO_ENABLE_CIRCULAR_QUEUEING | SIO_UDP_CONNRESET | SIO_UDP_NETRESET => {
                // Datagram sockets only; the two switches then need their BOOL.
                let Some(u) = w.udp(id) else {
                    return Err(WsaError::WSAEOPNOTSUPP);
                };
                match (code, input.first()) {
                    (SIO_ENABLE_CIRCULAR_QUEUEING, _) => u.circular = true,
                    (_, None) => return Err(WsaError::WSAEFAULT),
                    (SIO_UDP_CONNRESET, Some(&on)) => u.ignore_unreachable = on == 0,
                    // No hop limit ever expires in the sim: nothing to report either way.
                    _ => {}
                }
                Ok(0)
            }
            SIO_GET_EXTENSION_FUNCTION_POINTER => {
                let guid = Guid::from_bytes(input).ok_or(WsaError::WSAEFAULT)?;
                let i = EXTENSION_GUIDS
                    .iter()
                    .position(|g| *g == guid)
                    .ok_or(WsaError::WSAEINVAL)?;
                if output.len() < 8 {
                    return Err(WsaError::WSAEFAULT);
                }
                output[..8].copy_from_slice(&extension_pointer(i).to_le_bytes());
                Ok(8)
            }
            SIO_ADDRESS_LIST_QUERY => {
                let list = w.address_list(id);
                match output.len() {
                    // Too small even for iAddressCount: WSAEINVAL (sock.c
                    // test_address_list_query, a 1-byte buffer); empty or too small for the
                    // list: WSAEFAULT (the caller learns the size from `address_list_len`).
                    1..=3 => Err(WsaError::WSAEINVAL),
                    n if n < list.len() => Err(WsaError::WSAEFAULT),
                    _ => {
                        output[..list.len()].copy_from_slice(&list);
                        Ok(list.len())
                    }
                }
            }
            SIO_GET_INTERFACE_LIST => {
                let host = w.net.sockets.at(id).host;
                let list = w.interface_list(host);
                // Too small for the whole array: WSAEFAULT, and a count of 0 (sock.c
                // test_get_interface_list).
                if output.len() < list.len() {
                    return Err(WsaError::WSAEFAULT);
                }
                output[..list.len()].copy_from_slice(&list);
                Ok(list.len())
            }
            SIO_ROUTING_INTERFACE_QUERY => {
                let host = w.net.sockets.at(id).host;
                let a = w.routing_interface(host, input)?;
                let b = a.as_bytes();
                // Too small for the address: WSAEFAULT (the calls layer reports the size).
                if output.len() < b.len() {
                    return Err(WsaError::WSAEFAULT);
                }
                output[..b.len()].copy_from_slice(b);
                Ok(b.len())
            }
            // The blocking form waits in the calls layer; the sim's addresses never change.
            SIO_ADDRESS_LIST_CHANGE => Err(WsaError::WSAEWOULDBLOCK),
            _ => Err(WsaError::WSAEOPNOTSUPP),
        }
    }

    /// SIO_IDEAL_SEND_BACKLOG_CHANGE's checks, made at once in both forms: a stream socket
    /// (WSAEOPNOTSUPP), no output buffer (WSAEINVAL), connected (WSAENOTCONN).
    pub(crate) fn isb_change_check(&mut self, id: usize, out_len: usize) -> Result<(), WsaError> {
        match self.isb_socket(id) {
            Err(WsaError::WSAEOPNOTSUPP) => Err(WsaError::WSAEOPNOTSUPP),
            _ if out_len != 0 => Err(WsaError::WSAEINVAL),
            r => r,
        }
    }

    /// Whether a blocking SIO_IDEAL_SEND_BACKLOG_CHANGE on `id` still waits: the connection
    /// is up and its sending side open (else it fails with WSAEINTR, as its documentation
    /// lists: a graceful disconnect in the send direction, a reset or abort).
    pub(crate) fn isb_change_waits(&mut self, id: usize) -> bool {
        matches!(self.tcp(id),
            Some(t) if t.error.is_none() && !t.fin_queued && t.state.is_synchronized())
    }

    /// The pending overlapped SIO_IDEAL_SEND_BACKLOG_CHANGE of `id`, if any, ends with
    /// WSA_OPERATION_ABORTED (its sending side closed, the connection reset, a newer request).
    pub(crate) fn end_isb_change(&mut self, id: usize) {
        let pending = self
            .models
            .io
            .socks
            .get_mut(id)
            .and_then(|s| s.as_mut())
            .and_then(|s| s.rare.as_deref_mut())
            .and_then(|r| r.isb_change.take());
        if let Some(serial) = pending {
            self.finish_op(serial, crate::sim::models::op::Status::Cancelled, 0, false);
        }
    }

    /// The ideal send backlog's calls ask a connected stream socket: else WSAEOPNOTSUPP (not
    /// a stream socket) or WSAENOTCONN.
    pub(crate) fn isb_socket(&mut self, id: usize) -> Result<(), WsaError> {
        let sk = self.net.sockets.at(id);
        if sk.ty != SOCK_STREAM {
            return Err(WsaError::WSAEOPNOTSUPP);
        }
        match &sk.role {
            Role::Stream(t) if t.state.is_synchronized() => Ok(()),
            _ => Err(WsaError::WSAENOTCONN),
        }
    }

    /// The SOCKET_ADDRESS_LIST SIO_ADDRESS_LIST_QUERY gives on socket `id`: its host's
    /// addresses of the socket's family, loopback excluded, in the host's order.
    pub(crate) fn address_list(&self, id: usize) -> Vec<u8> {
        let Some(s) = self.net.sockets.get(id) else {
            return encode_address_list(&[]);
        };
        let v6 = s.family == AF_INET6;
        let addrs: Vec<SockAddr> = self.net.hosts[s.host]
            .addrs
            .iter()
            .filter(|a| a.is_ipv6() == v6 && !a.is_loopback())
            .map(|a| SockAddr::from(std::net::SocketAddr::new(*a, 0)))
            .collect();
        encode_address_list(&addrs)
    }
}
