//! WSARecvMsg and WSASendMsg: datagrams with their control data.
//!
//! Each queued datagram keeps its destination address, TTL and TOS (`udp::Datagram`); a
//! receive turns them into WSACMSGHDR records as the socket's options ask — IP_PKTINFO /
//! IPV6_PKTINFO (the destination and the interface index), IP_RECVTTL / IPV6_HOPLIMIT,
//! IP_RECVTOS / IPV6_RECVTCLASS — at the IPPROTO_IP level for an IPv4 datagram and the
//! IPPROTO_IPV6 level for an IPv6 one (types as sock.c test_ipv4_cmsg / test_ipv6_cmsg see on
//! Windows 10 1607 and later: IP_TTL, IP_TOS, IPV6_HOPLIMIT, IPV6_TCLASS). Records that do
//! not fit in `Control.len` are left out, MSG_CTRUNC is set and the receive fails with
//! WSAEMSGSIZE (STATUS_BUFFER_OVERFLOW overlapped), the data still delivered (sock.c
//! test_ip_pktinfo). A host has one interface: index 1 is loopback, 2 the host's addresses.

use std::net::{IpAddr, SocketAddr};

use super::api::SimWinsock;
use super::overlapped::{MsgState, Op, OpKind, Status};
use super::sched::Step;
use super::socket::Role;
use super::stream::RecvOp;
use super::udp::Datagram;
use super::world::World;
use crate::api::consts::*;
use crate::api::msg::Cmsg;
use crate::api::{CompletionRoutine, Overlapped, SockAddr, Socket, WsaError, WsaMsg};

/// What a WSARecvMsg learns of a datagram besides its bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DgramInfo {
    pub dst: SocketAddr,
    pub ttl: u8,
    pub tos: u8,
    pub len: usize,
}

impl DgramInfo {
    pub(crate) fn of(d: &Datagram) -> DgramInfo {
        DgramInfo {
            dst: d.dst,
            ttl: d.ttl,
            tos: d.tos,
            len: d.data.len(),
        }
    }

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
fn records(o: &super::socket::SockOpts, d: &DgramInfo) -> Vec<Cmsg> {
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

impl World {
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
        let recs = records(&self.sockets.at(id).opts, d);
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
    fn check_msg_socket(&mut self, id: usize) -> Result<(), WsaError> {
        match self.sockets.at(id).role {
            Role::Dgram(_) => Ok(()),
            _ => Err(WsaError::WSAEINVAL),
        }
    }
}

/// Scatters `data` over `bufs` in order; returns the bytes placed.
fn scatter(bufs: &mut [Vec<u8>], data: &[u8]) -> usize {
    let mut off = 0;
    for b in bufs.iter_mut() {
        let k = b.len().min(data.len() - off);
        b[..k].copy_from_slice(&data[off..off + k]);
        off += k;
    }
    off
}

impl SimWinsock {
    /// `WSARecvMsg` without OVERLAPPED.
    pub(crate) fn wsa_recv_msg_call(&self, s: Socket, msg: &mut WsaMsg) -> Result<usize, WsaError> {
        let total: usize = msg.bufs.iter().map(|b| b.len()).sum();
        self.call("WSARecvMsg", s.raw() as u64, total as u64, |this| {
            // The handle first (WSAENOTSOCK), then the flags.
            let id = this.sock(s)?;
            if msg.flags & !(MSG_PEEK as u32) != 0 {
                return Err(WsaError::WSAEOPNOTSUPP);
            }
            let flags = msg.flags as i32;
            let mut w = this.w();
            w.check_msg_socket(id)?;
            let (nonblocking, rcvtimeo) = {
                let sk = w.sockets.at(id);
                (sk.nonblocking, sk.opts.rcvtimeo_ms)
            };
            let mut op = RecvOp {
                id,
                flags,
                nonblocking,
                filled: 0,
                deadline: w.timeout_deadline(rcvtimeo),
            };
            let mut tmp = vec![0u8; total];
            let mut from = None;
            let mut info = None;
            let r = this.blocking_from(w, "WSARecvMsg", Some((s, id)), |w| {
                // The datagram the step takes, if it takes one, is the one at the front now.
                info = w.udp(id).and_then(|u| u.queue.front().map(DgramInfo::of));
                let step = w.udp_recv_step(&mut op, &mut tmp, &mut from);
                if let Step::Done(_) = &step {
                    w.reenable_recv(id, false);
                }
                step
            });
            let n = match r {
                Ok(n) => n,
                Err(WsaError::WSAEMSGSIZE) => total,
                Err(e) => return Err(e),
            };
            let (Some(src), Some(info)) = (from, info) else {
                return Ok(n);
            };
            scatter(&mut msg.bufs, &tmp[..n]);
            msg.name = Some(SockAddr::from(src));
            let cap = msg.control.len();
            let (control, out_flags, fails) =
                this.w().recv_msg_result(id, &info, cap, info.len > total);
            msg.control = control;
            msg.flags = out_flags;
            if fails {
                Err(WsaError::WSAEMSGSIZE)
            } else {
                Ok(n)
            }
        })
    }

    /// `WSARecvMsg` with OVERLAPPED: a WSARecvFrom whose operation also carries the control
    /// buffer's capacity.
    pub(crate) fn wsa_recv_msg_overlapped_call(
        &self,
        s: Socket,
        msg: WsaMsg,
        ov: Overlapped,
        routine: Option<CompletionRoutine<SimWinsock>>,
    ) -> Result<usize, WsaError> {
        if msg.flags & !(MSG_PEEK as u32) != 0 {
            return self.call("WSARecvMsg", s.raw() as u64, 0, |this| {
                this.sock(s)?;
                Err::<usize, _>(WsaError::WSAEOPNOTSUPP)
            });
        }
        let peek = msg.flags & MSG_PEEK as u32 != 0;
        let total: usize = msg.bufs.iter().map(|b| b.len()).sum();
        let host = self.host;
        self.call("WSARecvMsg", s.raw() as u64, total as u64, |this| {
            let id = this.sock(s)?;
            let mut w = this.w();
            w.check_msg_socket(id)?;
            let serial = this.start_op_checked(
                &mut w,
                id,
                true,
                Op {
                    host,
                    tid: this.tid,
                    sid: id,
                    ov,
                    kind: OpKind::Recv { peek },
                    bufs: msg.bufs,
                    routine,
                    done: None,
                    from: None,
                    msg: Some(MsgState {
                        control_cap: msg.control.len(),
                        control: Vec::new(),
                        flags: 0,
                    }),
                },
            )?;
            let idle = w.io_sock_ref(id).is_none_or(|io| io.recvs.is_empty());
            w.io_sock(id).recvs.push_back(serial);
            if idle {
                w.service_recvs_now(id, true);
            }
            w.reenable_recv(id, false);
            match w.op_outcome(serial, host, &ov) {
                // A datagram or control data that did not fit, even when already there, is
                // reported through the completion only: the call says WSA_IO_PENDING
                // (sock.c test_ip_pktinfo, the APC case).
                Err(WsaError::WSAEMSGSIZE) => Err(WsaError::WSA_IO_PENDING),
                r => r,
            }
        })
    }

    /// `WSASendMsg`: gathers the buffers and sends one datagram as `sendto` (which binds).
    pub(crate) fn wsa_send_msg_call(
        &self,
        s: Socket,
        msg: &WsaMsg,
        flags: u32,
    ) -> Result<usize, WsaError> {
        let data: Vec<u8> = msg.bufs.concat();
        self.call("WSASendMsg", s.raw() as u64, data.len() as u64, |this| {
            let mut w = this.w();
            let id = w.sock_id(this.host, s)?;
            w.check_msg_socket(id)?;
            if flags & !(MSG_DONTROUTE as u32) != 0 {
                return Err(WsaError::WSAEOPNOTSUPP);
            }
            let to = msg.name.as_ref().map(|a| a.parse()).transpose()?;
            w.udp_send(id, &data, to)
        })
    }

    /// `WSASendMsg` with OVERLAPPED: the datagram leaves at once, so it completes at once.
    pub(crate) fn wsa_send_msg_overlapped_call(
        &self,
        s: Socket,
        msg: WsaMsg,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<SimWinsock>>,
    ) -> Result<usize, WsaError> {
        let len: usize = msg.bufs.iter().map(|b| b.len()).sum();
        let host = self.host;
        self.call("WSASendMsg", s.raw() as u64, len as u64, |this| {
            let id = this.sock(s)?;
            let mut w = this.w();
            w.check_msg_socket(id)?;
            if flags & !(MSG_DONTROUTE as u32) != 0 {
                return Err(WsaError::WSAEOPNOTSUPP);
            }
            let to = msg.name.as_ref().map(|a| a.parse()).transpose()?;
            let serial = this.start_op_checked(
                &mut w,
                id,
                false,
                Op {
                    host,
                    tid: this.tid,
                    sid: id,
                    ov,
                    kind: OpKind::Send,
                    bufs: msg.bufs,
                    routine,
                    done: None,
                    from: None,
                    msg: None,
                },
            )?;
            let data: Vec<u8> = w.io.ops[&serial].bufs.concat();
            match w.udp_send(id, &data, to) {
                Ok(n) => {
                    w.finish_op(serial, Status::Ok, n, true);
                    Ok(n)
                }
                Err(e) => {
                    w.drop_op(serial);
                    Err(e)
                }
            }
        })
    }
}

/// Fills a WSARecvMsg operation from datagram `d` (already taken off the queue unless
/// peeking): data, control and flags; returns the status and byte count it completes with.
pub(crate) fn fill_recv_msg(
    w: &mut World,
    sid: usize,
    serial: u64,
    d: &Datagram,
) -> (Status, usize) {
    let info = DgramInfo::of(d);
    let Some(op) = w.io.ops.get_mut(&serial) else {
        return (Status::Ok, 0);
    };
    let n = scatter(&mut op.bufs, &d.data);
    let truncated = n < d.data.len();
    let cap = op.msg.as_ref().map_or(0, |m| m.control_cap);
    let (control, flags, fails) = w.recv_msg_result(sid, &info, cap, truncated);
    if let Some(m) = w.io.ops.get_mut(&serial).and_then(|op| op.msg.as_mut()) {
        m.control = control;
        m.flags = flags;
    }
    (if fails { Status::MsgSize } else { Status::Ok }, n)
}
