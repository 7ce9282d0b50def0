//! WSAIoctl, with and without OVERLAPPED: the control codes the simulator handles (FIONBIO,
//! FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS, SIO_IDEAL_SEND_BACKLOG_QUERY, SIO_BASE_HANDLE)
//! and how an overlapped WSAIoctl completes (conformance OV-15). `ioctlsocket` is in
//! `stream.rs`.

use crate::api::consts::*;
use crate::api::{CompletionRoutine, Overlapped, Socket, WsaError};
use crate::sim::api::SimWinsock;
use crate::sim::models::op::{Op, OpKind, Status};

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
            let immediate = matches!(
                code,
                FIONBIO
                    | FIONREAD
                    | SIOCATMARK
                    | SIO_KEEPALIVE_VALS
                    | crate::api::extension::SIO_GET_EXTENSION_FUNCTION_POINTER
            );
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
