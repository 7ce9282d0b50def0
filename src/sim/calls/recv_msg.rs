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

use crate::api::consts::*;
use crate::api::{CompletionRoutine, Overlapped, SockAddr, Socket, WsaError, WsaMsg};
use crate::sim::api::SimWinsock;
use crate::sim::models::op::{MsgState, Op, OpKind};
use crate::sim::models::recv_msg::scatter;
use crate::sim::net::endpoint::RecvOp;
use crate::sim::runtime::Step;

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
            let (nonblocking, rcvtimeo, host) = {
                let sk = w.net.sockets.at(id);
                (sk.nonblocking, sk.opts.rcvtimeo_ms, sk.host)
            };
            let mut op = RecvOp {
                id,
                flags,
                nonblocking,
                filled: 0,
                deadline: w.timeout_deadline(host, rcvtimeo),
                request: None,
            };
            let mut tmp = vec![0u8; total];
            let mut got = None;
            let (r, held) = this.blocking_held(w, "WSARecvMsg", Some((s, id)), |w| {
                let step = w.udp_recv_step(&mut op, &mut tmp, &mut got);
                if let Step::Done(_) = &step {
                    w.reenable_recv(id, false);
                }
                step
            });
            // A call that ends with its receive request still queued takes it off.
            let r = match (op.request, held) {
                (Some(_), Some(mut w)) => w.end_dgram_request(&mut op, &mut tmp, &mut got, r),
                _ => r,
            };
            let n = match r {
                Ok(n) => n,
                Err(WsaError::WSAEMSGSIZE) => total,
                Err(e) => return Err(e),
            };
            let Some((src, info)) = got else {
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
                    kind: OpKind::Recv {
                        peek,
                        waitall: false,
                        filled: 0,
                    },
                    bufs: msg.bufs,
                    routine: routine.map(Box::new),
                    done: None,
                    from: None,
                    msg: Some(Box::new(MsgState {
                        control_cap: msg.control.len(),
                        control: Vec::new(),
                        flags: 0,
                    })),
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
                    routine: routine.map(Box::new),
                    done: None,
                    from: None,
                    msg: None,
                },
            )?;
            w.send_datagram_op(serial, id, to)
        })
    }
}
