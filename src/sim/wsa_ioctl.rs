//! WSAIoctl, with and without OVERLAPPED: the control codes the simulator handles (FIONBIO,
//! FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS, SIO_IDEAL_SEND_BACKLOG_QUERY, SIO_BASE_HANDLE)
//! and how an overlapped WSAIoctl completes (conformance OV-15). `ioctlsocket` is in
//! `stream.rs`.

use super::api::SimWinsock;
use super::overlapped::{Op, OpKind, Status};
use super::socket::Role;
use super::world::World;
use crate::api::consts::*;
use crate::api::{CompletionRoutine, Overlapped, Socket, WsaError};

impl World {
    /// WSAIoctl's synchronous codes on socket `id` (handle `s`); returns cbBytesReturned.
    fn ioctl_now(
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
                    .is_some_and(|n| n.reg != super::network_events::Reg::None);
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
                if input.len() < 12 {
                    return Err(WsaError::WSAEFAULT);
                }
                let (on, time_ms, interval_ms) =
                    (u32_in(input, 0), u32_in(input, 4), u32_in(input, 8));
                let o = &mut w.sockets.at(id).opts;
                o.keepalive = on != 0;
                o.keep_idle = time_ms / 1000;
                o.keep_interval = interval_ms / 1000;
                Ok(0)
            }
            SIO_IDEAL_SEND_BACKLOG_QUERY => {
                let sk = w.sockets.at(id);
                if sk.ty != SOCK_STREAM {
                    return Err(WsaError::WSAEOPNOTSUPP);
                }
                let connected = matches!(&sk.role, Role::Stream(t) if t.state.is_synchronized());
                if !connected {
                    return Err(WsaError::WSAENOTCONN);
                }
                put(output, super::stream::IDEAL_SEND_BACKLOG as u32)
            }
            SIO_BASE_HANDLE => {
                if output.len() < std::mem::size_of::<usize>() {
                    return Err(WsaError::WSAEFAULT);
                }
                let n = std::mem::size_of::<usize>();
                output[..n].copy_from_slice(&s.raw().to_le_bytes());
                Ok(n)
            }
            _ => Err(WsaError::WSAEOPNOTSUPP),
        }
    }
}

impl SimWinsock {
    /// WSAIoctl without OVERLAPPED: the synchronous codes; returns cbBytesReturned.
    pub(super) fn wsa_ioctl_call(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError> {
        self.call("WSAIoctl", s.raw() as u64, u64::from(code), |this| {
            let id = this.sock(s)?;
            this.w().ioctl_now(id, s, code, input, output)
        })
    }

    /// WSAIoctl with OVERLAPPED: the codes WinSock handles at once complete (and are still
    /// delivered); any other pends and fails.
    pub(super) fn wsa_ioctl_overlapped_call(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        mut output: Vec<u8>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.call("WSAIoctl", s.raw() as u64, u64::from(code), |this| {
            let id = this.sock(s)?;
            let mut w = this.w();
            if !w.ov_free(this.host, &ov) {
                return Err(WsaError::WSAEINVAL);
            }
            // Codes WinSock handles at once (conformance OV-15); parameter errors are
            // synchronous and queue nothing.
            let immediate = matches!(code, FIONBIO | FIONREAD | SIOCATMARK | SIO_KEEPALIVE_VALS);
            let written = if immediate {
                Some(w.ioctl_now(id, s, code, input, &mut output)?)
            } else {
                None
            };
            let serial = w.start_op(Op {
                host: this.host,
                tid: this.tid,
                sid: id,
                ov,
                kind: OpKind::Ioctl,
                bufs: vec![output],
                routine,
                done: None,
                from: None,
                msg: None,
            });
            match written {
                Some(n) => {
                    // Done at once, yet the completion reports 0 bytes (InternalHigh 0) and is
                    // still delivered: event, routine, or a packet.
                    w.finish_op(serial, Status::Ok, 0, true);
                    Ok(n)
                }
                None => {
                    // Anything else, SIO_BASE_HANDLE included, pends and then fails with
                    // ERROR_NOT_SUPPORTED (WSAEOPNOTSUPP for a routine).
                    w.finish_op(serial, Status::NotSupported, 0, false);
                    Err(WsaError::WSA_IO_PENDING)
                }
            }
        })
    }
}
