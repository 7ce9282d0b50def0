//! The overlapped calls of the simulator ([`OverlappedIo`] for [`SimWinsock`]): WSASend and
//! WSARecv with and without OVERLAPPED, WSASendTo/WSARecvFrom, WSAGetOverlappedResult,
//! CancelIoEx, and the alertable waits that run completion routines (SleepEx,
//! WaitForSingleObjectEx, WaitForMultipleObjectsEx, QueueUserAPC).
//!
//! The trait's other calls are handed on: overlapped WSASend/WSARecv and their inline forms
//! to `wsa_send_recv.rs`, AcceptEx, GetAcceptExSockaddrs, ConnectEx and DisconnectEx to
//! `mswsock.rs`, WSAIoctl to `wsa_ioctl.rs`, WSARecvMsg and WSASendMsg to `recv_msg.rs`,
//! TransmitFile to `transmit_file.rs`.

use crate::api::consts::INFINITE;
use crate::api::sync::Handle;
use crate::api::{
    ApcRoutine, CompletionRoutine, Immediate, IoCompletion, Overlapped, OverlappedIo, SockAddr,
    Socket, ThreadId, TransmitFileBuffers, WsaError, WsaMsg,
};
use crate::sim::api::{SimWinsock, Traced};
use crate::sim::models::op::{OpKind, Status};
use crate::sim::models::overlapped::plain_completion;
use crate::sim::runtime::{Step, WaitKey};

impl Traced for IoCompletion {
    fn traced(&self) -> i64 {
        self.bytes as i64
    }
}

impl Traced for Immediate {
    fn traced(&self) -> i64 {
        self.bytes() as i64
    }
}

impl Traced for (usize, u32) {
    fn traced(&self) -> i64 {
        self.0 as i64
    }
}

impl SimWinsock {
    /// WSAGetOverlappedResult (`win32` false: WinSock codes), GetOverlappedResult and
    /// GetOverlappedResultEx (`win32` true: the Win32 codes of the same NTSTATUS): the
    /// finished operation, or a wait for it of `timeout_ms` (0: none, ERROR_IO_INCOMPLETE;
    /// INFINITE: no limit; else WAIT_TIMEOUT when it runs out), alertable when `alertable`
    /// (WAIT_IO_COMPLETION once APCs ran).
    fn overlapped_result(
        &self,
        name: &'static str,
        s: Socket,
        ov: &Overlapped,
        timeout_ms: u32,
        alertable: bool,
        win32: bool,
    ) -> Result<IoCompletion, WsaError> {
        let deadline = self.timeout_due(timeout_ms);
        let r = self.call_held(name, s.raw() as u64, ov.id, |this, w| {
            if !win32 {
                // WSAGetOverlappedResult checks the socket; GetOverlappedResult reads the
                // OVERLAPPED whatever the handle (sock.c test_AcceptEx asks it about a
                // listener already closed).
                if let Err(e) = w.sock_id(this.host, s) {
                    return (Err(e), Some(w));
                }
                // It looks in WinSock's own table, which a DuplicateHandle'd handle is not
                // in (sock.c test_WSAGetOverlappedResult).
                if w.is_unlisted(this.host, s.raw()) {
                    return (Err(WsaError::WSAENOTSOCK), Some(w));
                }
            }
            let (host, tid) = (this.host, this.tid);
            let (r, held) = this.blocking_held(w, name, None, |w| {
                if let Some(c) = w.collect_op(host, ov, win32) {
                    return Step::Done(Ok(c));
                }
                if w.models.io.op_serial(&(host, ov.id)).is_some() {
                    if timeout_ms == 0 {
                        return Step::Done(Err(WsaError::WSA_IO_INCOMPLETE));
                    }
                    if alertable && w.rt.threads[tid].ext.has_apcs() {
                        return Step::Done(Err(WsaError::WAIT_IO_COMPLETION));
                    }
                    if deadline.is_some_and(|d| w.rt.now >= d) {
                        return Step::Done(Err(WsaError::WAIT_TIMEOUT));
                    }
                    let io = WaitKey::Io(host, ov.id);
                    return if alertable {
                        Step::WaitAny(vec![io, WaitKey::Apc(tid)], deadline)
                    } else {
                        Step::Wait(io, deadline)
                    };
                }
                match w.models.io.result(&(host, ov.id)) {
                    Some((status, bytes)) => Step::Done(Ok(plain_completion(
                        *ov,
                        if win32 { status.win32() } else { status.wsa() },
                        bytes,
                        Vec::new(),
                    ))),
                    None => Step::Done(Err(WsaError::WSAEINVAL)),
                }
            });
            if r.as_ref().err() == Some(&WsaError::WAIT_IO_COMPLETION) {
                // The APCs run inside the call, which then returns (and sets the last error).
                drop(held);
                this.run_apcs();
                return (r, None);
            }
            (r, held)
        });
        if let Ok(IoCompletion { error: Some(e), .. }) = &r {
            // The call returned FALSE: the operation's error is the last error.
            self.w().rt.threads[self.tid].last_error = e.code();
        }
        r
    }
}

impl OverlappedIo for SimWinsock {
    fn wsa_send(&self, s: Socket, bufs: &[&[u8]], flags: u32) -> Result<usize, WsaError> {
        crate::sim::runtime::checked_exit(self.wsa_send_call(s, bufs, flags))
    }

    fn wsa_recv(
        &self,
        s: Socket,
        bufs: &mut [&mut [u8]],
        flags: u32,
    ) -> Result<(usize, u32), WsaError> {
        crate::sim::runtime::checked_exit(self.wsa_recv_call(s, bufs, flags))
    }

    fn wsa_send_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.send_overlapped(s, bufs, flags, ov, routine, false)
            .map(|i| i.bytes())
    }

    fn wsa_recv_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.recv_overlapped(s, bufs, flags, ov, routine, false)
            .map(|i| i.bytes())
    }

    fn wsa_send_overlapped_inline(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<Immediate, WsaError> {
        self.send_overlapped(s, bufs, flags, ov, routine, true)
    }

    fn wsa_recv_overlapped_inline(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<Immediate, WsaError> {
        self.recv_overlapped(s, bufs, flags, ov, routine, true)
    }

    fn wsa_send_to(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        to: &SockAddr,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        let dgram = self.sock(s).is_ok_and(|id| self.w().udp(id).is_some());
        if !dgram {
            return self.wsa_send_overlapped(s, bufs, flags, ov, routine);
        }
        let len: usize = bufs.iter().map(|b| b.len()).sum();
        self.call("WSASendTo", s.raw() as u64, len as u64, |this| {
            let id = this.sock(s)?;
            let dst = to.parse()?;
            let mut w = this.w();
            let serial = this.start_stream_op(&mut w, id, OpKind::Send, bufs, ov, routine)?;
            // A datagram is handed to the network at once: immediate completion.
            w.send_datagram_op(serial, id, Some(dst))
        })
    }

    fn wsa_recv_from(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.wsa_recv_overlapped(s, bufs, flags, ov, routine)
    }

    fn wsa_get_overlapped_result(
        &self,
        s: Socket,
        ov: &Overlapped,
        wait: bool,
    ) -> Result<IoCompletion, WsaError> {
        let ms = if wait { INFINITE } else { 0 };
        self.overlapped_result("WSAGetOverlappedResult", s, ov, ms, false, false)
    }

    fn get_overlapped_result(
        &self,
        s: Socket,
        ov: &Overlapped,
        wait: bool,
    ) -> Result<IoCompletion, WsaError> {
        let ms = if wait { INFINITE } else { 0 };
        self.overlapped_result("GetOverlappedResult", s, ov, ms, false, true)
    }

    fn get_overlapped_result_ex(
        &self,
        s: Socket,
        ov: &Overlapped,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<IoCompletion, WsaError> {
        self.overlapped_result("GetOverlappedResultEx", s, ov, timeout_ms, alertable, true)
    }

    // WSARecvMsg / WSASendMsg: recv_msg.rs.
    fn wsa_recv_msg(&self, s: Socket, msg: &mut WsaMsg) -> Result<usize, WsaError> {
        self.wsa_recv_msg_call(s, msg)
    }

    fn wsa_recv_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.wsa_recv_msg_overlapped_call(s, msg, ov, routine)
    }

    fn wsa_send_msg(&self, s: Socket, msg: &WsaMsg, flags: u32) -> Result<usize, WsaError> {
        self.wsa_send_msg_call(s, msg, flags)
    }

    fn wsa_send_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.wsa_send_msg_overlapped_call(s, msg, flags, ov, routine)
    }

    // TransmitFile and TransmitPackets: transmit_file.rs.
    fn transmit_file(
        &self,
        s: Socket,
        file: Option<&[u8]>,
        offset: u64,
        bytes_to_write: u32,
        buffers: Option<&TransmitFileBuffers>,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        self.transmit_file_call(s, file, offset, bytes_to_write, buffers, ov, flags)
    }

    fn transmit_packets(
        &self,
        s: Socket,
        elements: &[crate::api::transmit_packets::TransmitPacketsElement<'_>],
        send_size: u32,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        self.transmit_packets_call(s, elements, send_size, ov, flags)
    }

    // The Microsoft extensions: mswsock.rs.
    fn accept_ex(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.accept_ex_call(listener, accept_socket, buf, None, ov)
    }

    fn accept_ex_with_lengths(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        local_len: u32,
        remote_len: u32,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.accept_ex_call(
            listener,
            accept_socket,
            buf,
            Some((local_len, remote_len)),
            ov,
        )
    }

    fn get_accept_ex_sockaddrs(
        &self,
        accept_socket: Socket,
    ) -> Result<(SockAddr, SockAddr), WsaError> {
        self.get_accept_ex_sockaddrs_call(accept_socket)
    }

    fn connect_ex(
        &self,
        s: Socket,
        addr: &SockAddr,
        send_buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.connect_ex_call(s, addr, send_buf, ov)
    }

    fn disconnect_ex(&self, s: Socket, ov: Option<Overlapped>, flags: u32) -> Result<(), WsaError> {
        self.disconnect_ex_call(s, ov, flags)
    }

    // WSAIoctl: wsa_ioctl.rs.
    fn wsa_ioctl(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError> {
        self.wsa_ioctl_call(s, code, input, output)
    }

    fn wsa_ioctl_overlapped(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: Vec<u8>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.wsa_ioctl_overlapped_call(s, code, input, output, ov, routine)
    }

    fn cancel_io_ex(&self, s: Socket, ov: Option<&Overlapped>) -> Result<(), WsaError> {
        self.call(
            "CancelIoEx",
            s.raw() as u64,
            ov.map_or(0, |o| o.id),
            |this| {
                let id = this.sock(s)?;
                let n = this
                    .w()
                    .abort_ops(id, Status::Cancelled, Status::Cancelled, ov);
                if n == 0 {
                    return Err(WsaError::ERROR_NOT_FOUND);
                }
                Ok(())
            },
        )
    }

    fn sleep_ex(&self, ms: u32, alertable: bool) -> u32 {
        self.sleep_alertable(ms, alertable)
    }

    fn wait_for_single_object_ex<H: Into<Handle> + Copy>(
        &self,
        h: H,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        self.wait_for_multiple_objects_ex(&[h], false, timeout_ms, alertable)
    }

    fn wait_for_multiple_objects_ex<H: Into<Handle> + Copy>(
        &self,
        handles: &[H],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        // WAIT_OBJECT_0 + i, WAIT_TIMEOUT and WAIT_IO_COMPLETION have the WSA_WAIT_* values.
        let handles: Vec<Handle> = handles.iter().map(|&h| h.into()).collect();
        self.wait_handles(
            "WaitForMultipleObjectsEx",
            true,
            &handles,
            wait_all,
            timeout_ms,
            alertable,
            None,
        )
    }

    fn queue_user_apc(&self, apc: ApcRoutine<Self>, thread: ThreadId) -> Result<(), WsaError> {
        self.queue_apc(apc, thread)
    }
}
