//! WSAIoctl, with and without OVERLAPPED: the control codes the simulator handles (FIONBIO,
//! FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS, SIO_IDEAL_SEND_BACKLOG_QUERY, SIO_BASE_HANDLE,
//! the datagram switches, the address and interface queries)
//! and how an overlapped WSAIoctl completes (conformance OV-15). `ioctlsocket` is in
//! `stream.rs`.

use crate::api::consts::*;
use crate::api::interface_list::{SIO_GET_INTERFACE_LIST, SIO_ROUTING_INTERFACE_QUERY};
use crate::api::{CompletionRoutine, Overlapped, Socket, WsaError};
use crate::sim::api::SimWinsock;
use crate::sim::models::op::{Op, OpKind, Status};
use crate::sim::runtime::{Step, WaitKey};

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
            let mut w = this.w();
            if code == SIO_IDEAL_SEND_BACKLOG_CHANGE {
                // It "does not support non-blocking mode": it blocks on any socket, until its
                // connection's sending side closes or the connection fails (WSAEINTR), or the
                // socket is closed (WSAEINTR); the sim's ideal send backlog never changes.
                w.isb_change_check(id, output.len())?;
                return this.blocking_from(w, "WSAIoctl", Some((s, id)), |w| {
                    if w.isb_change_waits(id) {
                        Step::Wait(WaitKey::Socket(id), None)
                    } else {
                        Step::Done(Err(WsaError::WSAEINTR))
                    }
                });
            }
            if code == SIO_ADDRESS_LIST_CHANGE && !w.net.sockets.at(id).nonblocking {
                // A blocking socket waits for a change of the address list, which never comes
                // in the sim: the thread stays blocked (Windows hangs too, sock.c
                // test_sioAddressListChange) until the socket is closed (WSAEINTR).
                return this.blocking_from(w, "WSAIoctl", Some((s, id)), |_| {
                    Step::Wait(WaitKey::Socket(id), None)
                });
            }
            w.ioctl_now(id, s, code, input, output)
        })
    }

    /// WSAIoctl without OVERLAPPED, with cbBytesReturned also on failure: the size
    /// SIO_ADDRESS_LIST_QUERY or SIO_ROUTING_INTERFACE_QUERY needs after WSAEFAULT, else 0.
    pub(super) fn wsa_ioctl_sized_call(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, (WsaError, usize)> {
        self.wsa_ioctl_call(s, code, input, output).map_err(|e| {
            let needed = match (code, e) {
                (SIO_ADDRESS_LIST_QUERY, WsaError::WSAEFAULT) => {
                    let w = self.w();
                    w.sock_id(self.host, s)
                        .map_or(0, |id| w.address_list(id).len())
                }
                (SIO_ROUTING_INTERFACE_QUERY, WsaError::WSAEFAULT) => {
                    let w = self.w();
                    w.routing_interface(self.host, input)
                        .map_or(0, |a| a.as_bytes().len())
                }
                _ => 0,
            };
            (e, needed)
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
                return Err(w.ov_reused(this.tid, "WSAIoctl", ov.id, id));
            }
            if code == SIO_IDEAL_SEND_BACKLOG_CHANGE {
                // Checked at once: nothing pends on a socket it does not apply to.
                w.isb_change_check(id, output.len())?;
            }
            // Codes WinSock handles at once (conformance OV-15); parameter errors are
            // synchronous and queue nothing.
            let immediate = matches!(
                code,
                FIONBIO
                    | FIONREAD
                    | SIOCATMARK
                    | SIO_KEEPALIVE_VALS
                    | SIO_TCP_INITIAL_RTO
                    | SIO_TCP_SET_ACK_FREQUENCY
                    | SIO_ADDRESS_LIST_QUERY
                    | SIO_ROUTING_INTERFACE_QUERY
                    | SIO_ENABLE_CIRCULAR_QUEUEING
                    | SIO_UDP_CONNRESET
                    | SIO_UDP_NETRESET
                    | crate::api::extension::SIO_GET_EXTENSION_FUNCTION_POINTER
            );
            let written = if immediate {
                Some(w.ioctl_now(id, s, code, input, &mut output)?)
            } else {
                None
            };
            // SIO_GET_INTERFACE_LIST pends, then completes with the array's size, or with
            // STATUS_BUFFER_TOO_SMALL and 0 bytes when the buffer cannot hold it (sock.c
            // test_get_interface_list).
            let iflist = (code == SIO_GET_INTERFACE_LIST).then(|| {
                let list = w.interface_list(this.host);
                match output.get_mut(..list.len()) {
                    Some(b) => {
                        b.copy_from_slice(&list);
                        (Status::Ok, list.len())
                    }
                    None => (Status::BufferTooSmall, 0),
                }
            });
            let serial = w.start_op(Op {
                host: this.host,
                tid: this.tid,
                sid: id,
                ov,
                kind: OpKind::Ioctl,
                bufs: vec![output],
                routine: routine.map(Box::new),
                done: None,
                from: None,
                msg: None,
            });
            if code == SIO_ADDRESS_LIST_CHANGE {
                // Pends until the address list changes (never, in the sim), CancelIo or
                // closesocket (ERROR_OPERATION_ABORTED).
                w.io_sock(id).rare_mut().list_change.push(serial);
                return Err(WsaError::WSA_IO_PENDING);
            }
            if code == SIO_IDEAL_SEND_BACKLOG_CHANGE {
                // One pends at a time: an earlier one ends (WSA_OPERATION_ABORTED, the sim's
                // reading of "only one pended request is allowed"); this one pends until the
                // sending side closes, the connection fails, CancelIo or closesocket.
                w.end_isb_change(id);
                w.io_sock(id).rare_mut().isb_change = Some(serial);
                return Err(WsaError::WSA_IO_PENDING);
            }
            if let Some((status, n)) = iflist {
                w.finish_op(serial, status, n, false);
                return Err(WsaError::WSA_IO_PENDING);
            }
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
