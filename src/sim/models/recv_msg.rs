//! WSARecvMsg and WSASendMsg: datagrams with their control data.
//!
//! Each queued datagram keeps its destination address, TTL and TOS (`endpoint::Datagram`); a
//! receive turns them into WSACMSGHDR records as the socket's options ask — IP_PKTINFO /
//! IPV6_PKTINFO (the destination and the interface index), IP_RECVTTL / IPV6_HOPLIMIT,
//! IP_RECVTOS / IPV6_RECVTCLASS — at the IPPROTO_IP level for an IPv4 datagram and the
//! IPPROTO_IPV6 level for an IPv6 one (types as sock.c test_ipv4_cmsg / test_ipv6_cmsg see on
//! Windows 10 1607 and later: IP_TTL, IP_TOS, IPV6_HOPLIMIT, IPV6_TCLASS). Records that do
//! not fit in `Control.len` are left out, MSG_CTRUNC is set and the receive fails with
//! WSAEMSGSIZE (STATUS_BUFFER_OVERFLOW overlapped), the data still delivered (sock.c
//! test_ip_pktinfo). A host has one interface: index 1 is loopback, 2 the host's addresses.

use std::net::IpAddr;

use crate::api::consts::*;
use crate::api::msg::Cmsg;
use crate::api::WsaError;
use crate::sim::models::op::Status;
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::Role;
use crate::sim::net::endpoint::{Datagram, DgramInfo};
use crate::sim::runtime::World;

impl DgramInfo {
    /// The WSAMSG dwFlags the datagram itself sets: MSG_MCAST for a group destination,
    /// MSG_BCAST for 255.255.255.255.
    fn flags(&self) -> u32 {
        match self.dst.ip() {
            ip if ip.is_multicast() => MSG_MCAST,
            IpAddr::V4(v4) if v4.is_broadcast() => MSG_BCAST,
            _ => 0,
        }
    }
}

/// The records a socket with options `o` gets for datagram `d`, in the order Windows'
/// stack writes them (packet info, then TTL / hop limit, then TOS / traffic class).
fn records(o: &crate::sim::net::endpoint::SockOpts, d: &DgramInfo) -> Vec<Cmsg> {
    let ifindex = if d.dst.ip().is_loopback() { 1 } else { 2 };
    let mut out = Vec::new();
    match d.dst.ip() {
        IpAddr::V4(addr) => {
            if o.pktinfo {
                out.push(Cmsg::PktInfo { addr, ifindex });
            }
            if o.recvttl {
                out.push(Cmsg::Ttl(i32::from(d.ttl)));
            }
            if o.recvtos {
                out.push(Cmsg::Tos(i32::from(d.tos)));
            }
        }
        IpAddr::V6(addr) => {
            if o.pktinfo {
                out.push(Cmsg::Pkt6Info { addr, ifindex });
            }
            if o.recvttl {
                out.push(Cmsg::HopLimit(i32::from(d.ttl)));
            }
            if o.recvtos {
                out.push(Cmsg::TClass(i32::from(d.tos)));
            }
        }
    }
    out
}

/// Writes `recs` into a control buffer of `cap` bytes: the whole records that fit, and
/// whether some did not (MSG_CTRUNC).
fn pack(recs: &[Cmsg], cap: usize) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut cut = false;
    for r in recs {
        let b = r.encode();
        if out.len() + b.len() > cap {
            cut = true;
            break;
        }
        out.extend_from_slice(&b);
    }
    (out, cut)
}

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    /// The control data and WSAMSG flags of a WSARecvMsg on socket `id` that took datagram
    /// `d`, `truncated` when the data did not fit: (control, flags, whether the receive
    /// fails with WSAEMSGSIZE).
    pub(crate) fn recv_msg_result(
        &mut self,
        id: usize,
        d: &DgramInfo,
        cap: usize,
        truncated: bool,
    ) -> (Vec<u8>, u32, bool) {
        let recs = records(&self.net.sockets.at(id).opts, d);
        let (control, cut) = pack(&recs, cap);
        let mut flags = d.flags();
        if truncated {
            flags |= MSG_TRUNC;
        }
        if cut {
            flags |= MSG_CTRUNC;
        }
        (control, flags, truncated || cut)
    }

    /// WSARecvMsg and WSASendMsg take datagram sockets only (WSAEINVAL otherwise).
    pub(crate) fn check_msg_socket(&mut self, id: usize) -> Result<(), WsaError> {
        match self.net.sockets.at(id).role {
            Role::Dgram(_) => Ok(()),
            _ => Err(WsaError::WSAEINVAL),
        }
    }
}

/// Fills a WSARecvMsg operation from datagram `d` (already taken off the queue unless
/// peeking): data, control and flags; returns the status and byte count it completes with.
pub(crate) fn fill_recv_msg<L: ModelLayers>(
    w: &mut World<L>,
    sid: usize,
    serial: u64,
    d: &Datagram,
) -> (Status, usize)
where
    World<L>: ModelHooks<L>,
{
    let info = DgramInfo::of(d);
    let Some(op) = w.models.io.ops.get_mut(&serial) else {
        return (Status::Ok, 0);
    };
    let n = scatter(&mut op.bufs, &d.data);
    let truncated = n < d.data.len();
    let cap = op.msg.as_ref().map_or(0, |m| m.control_cap);
    let (control, flags, fails) = w.recv_msg_result(sid, &info, cap, truncated);
    if let Some(m) = w
        .models
        .io
        .ops
        .get_mut(&serial)
        .and_then(|op| op.msg.as_mut())
    {
        m.control = control;
        m.flags = flags;
    }
    (if fails { Status::MsgSize } else { Status::Ok }, n)
}

/// Scatters `data` over `bufs` in order; returns the bytes placed.
pub(crate) fn scatter(bufs: &mut [Vec<u8>], data: &[u8]) -> usize {
    let mut off = 0;
    for b in bufs.iter_mut() {
        let k = b.len().min(data.len() - off);
        b[..k].copy_from_slice(&data[off..off + k]);
        off += k;
    }
    off
}
