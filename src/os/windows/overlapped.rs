//! `impl OverlappedIo for Native`: WSASend/WSARecv/WSASendTo/WSARecvFrom with and without
//! OVERLAPPED, WSAGetOverlappedResult, WSARecvMsg/WSASendMsg, WSAIoctl, CancelIoEx and the
//! alertable waits (the Microsoft extensions AcceptEx, ConnectEx, DisconnectEx and
//! TransmitFile are in `mswsock.rs`, the waits and APCs in `alertable.rs`).
//!
//! Every overlapped call goes through [`Native::issue`]: the buffers move into an [`Op`]
//! (see `op.rs` for who frees it), the OS call gets pointers into it, and a synchronous
//! failure takes it straight back (no completion is ever delivered for one, OV-08).

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::System::IO as io;

use super::issue::{bool_result, int_result, SAFE_IOCTLS};
use super::mswsock::ADDR_ROOM;
use super::native::{addr_buf, addr_from, finish, int_len, Native};
use super::op::{Kind, Op};
use crate::api::consts::INFINITE;
use crate::api::sync::Handle;
use crate::api::{
    ApcRoutine, CompletionRoutine, Immediate, IoCompletion, Overlapped, OverlappedIo, SockAddr,
    Socket, ThreadId, TransmitFileBuffers, WsaError, WsaMsg,
};

/// WSABUFs over borrowed slices, for the calls without OVERLAPPED (the OS only reads a send's
/// buffers, so the `*mut` of a shared slice is never written through).
pub(super) fn wsabufs<'a>(bufs: impl Iterator<Item = (*mut u8, usize)> + 'a) -> Vec<ws::WSABUF> {
    bufs.map(|(p, n)| ws::WSABUF {
        len: n.min(u32::MAX as usize) as u32,
        buf: p,
    })
    .collect()
}

impl OverlappedIo for Native {
    /// `WSASend(s, lpBuffers, …, NULL, NULL)`.
    fn wsa_send(&self, s: Socket, bufs: &[&[u8]], flags: u32) -> Result<usize, WsaError> {
        let wb = wsabufs(bufs.iter().map(|b| (b.as_ptr().cast_mut(), b.len())));
        let mut sent = 0u32;
        // SAFETY: `wb` points into the caller's slices, live for the call, with their lengths;
        // the OS only reads them; `sent` is a live local.
        self.on(s, |raw| unsafe {
            ws::WSASend(
                raw,
                wb.as_ptr(),
                wb.len() as u32,
                &mut sent,
                flags,
                std::ptr::null_mut(),
                None,
            )
        })
        .map(|_| sent as usize)
    }

    /// `WSARecv(s, lpBuffers, …, &dwFlags, NULL, NULL)`.
    fn wsa_recv(
        &self,
        s: Socket,
        bufs: &mut [&mut [u8]],
        flags: u32,
    ) -> Result<(usize, u32), WsaError> {
        let wb = wsabufs(bufs.iter_mut().map(|b| (b.as_mut_ptr(), b.len())));
        let (mut got, mut fl) = (0u32, flags);
        // SAFETY: `wb` points into the caller's exclusively borrowed slices, live for the
        // call, with their lengths; `got` and `fl` are live locals.
        self.on(s, |raw| unsafe {
            ws::WSARecv(
                raw,
                wb.as_ptr(),
                wb.len() as u32,
                &mut got,
                &mut fl,
                std::ptr::null_mut(),
                None,
            )
        })
        .map(|_| (got as usize, fl))
    }

    /// `WSASend` with OVERLAPPED: the buffers live in the operation's record until its
    /// completion hands them back.
    fn wsa_send_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.send_op(s, bufs, flags, None, ov, routine, &mut 0)
    }

    /// `WSARecv` with OVERLAPPED.
    fn wsa_recv_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.recv_op(s, bufs, flags, false, ov, routine, &mut 0)
    }

    /// `WSASend` with OVERLAPPED, handled inline: see [`Native::collect_inline`].
    fn wsa_send_overlapped_inline(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<Immediate, WsaError> {
        let n = self.send_op(s, bufs, flags, None, ov, routine, &mut 0)?;
        self.collect_inline(&ov, n)
    }

    /// `WSARecv` with OVERLAPPED, handled inline: see [`Native::collect_inline`].
    fn wsa_recv_overlapped_inline(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<Immediate, WsaError> {
        let n = self.recv_op(s, bufs, flags, false, ov, routine, &mut 0)?;
        self.collect_inline(&ov, n)
    }

    /// `WSASend` with OVERLAPPED and the caller's lpNumberOfBytesSent, which the OS writes
    /// (or leaves) itself.
    fn wsa_send_overlapped_out(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        bytes: &mut u32,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.send_op(s, bufs, flags, None, ov, routine, bytes)
    }

    /// `WSARecv` with OVERLAPPED and the caller's lpNumberOfBytesRecvd, which the OS writes
    /// (or leaves) itself.
    fn wsa_recv_overlapped_out(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        bytes: &mut u32,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.recv_op(s, bufs, flags, false, ov, routine, bytes)
    }

    /// `WSASendTo` with OVERLAPPED (the OS ignores `to` on a connected stream socket).
    fn wsa_send_to(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        to: &SockAddr,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.send_op(s, bufs, flags, Some(to), ov, routine, &mut 0)
    }

    /// `WSARecvFrom` with OVERLAPPED: lpFrom is in the record; the completion's `from`.
    fn wsa_recv_from(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        self.recv_op(s, bufs, flags, true, ov, routine, &mut 0)
    }

    /// `WSAGetOverlappedResult`: the OS call with fWait = FALSE on the operation's record;
    /// `wait` waits on its hEvent (or polls every millisecond without one) between tries, so
    /// the record is never read unlocked. A failed operation's error is also the last error.
    fn wsa_get_overlapped_result(
        &self,
        s: Socket,
        ov: &Overlapped,
        wait: bool,
    ) -> Result<IoCompletion, WsaError> {
        if let Err(e) = self.owned(s) {
            return finish(Err(e));
        }
        self.overlapped_result(ov, false, if wait { INFINITE } else { 0 }, false)
    }

    /// `GetOverlappedResult((HANDLE)s, lpOverlapped, &cbTransfer, bWait)`: a failed
    /// operation's error is the Win32 code of its NTSTATUS (the OVERLAPPED alone names the
    /// operation; the handle is not checked).
    fn get_overlapped_result(
        &self,
        _s: Socket,
        ov: &Overlapped,
        wait: bool,
    ) -> Result<IoCompletion, WsaError> {
        self.overlapped_result(ov, true, if wait { INFINITE } else { 0 }, false)
    }

    /// `GetOverlappedResultEx`, on the operation's record as `get_overlapped_result`
    /// (`overlapped_result.rs`).
    fn get_overlapped_result_ex(
        &self,
        _s: Socket,
        ov: &Overlapped,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<IoCompletion, WsaError> {
        self.overlapped_result(ov, true, timeout_ms, alertable)
    }

    /// `WSARecvMsg(s, lpMsg, &dwBytes, NULL, NULL)`, loaded with
    /// SIO_GET_EXTENSION_FUNCTION_POINTER (WSAID_WSARECVMSG). `msg` is filled on success and
    /// on WSAEMSGSIZE.
    fn wsa_recv_msg(&self, s: Socket, msg: &mut WsaMsg) -> Result<usize, WsaError> {
        let raw = match self.owned(s) {
            Ok(raw) => raw,
            Err(e) => return finish(Err(e)),
        };
        let f = match self.recv_msg_fn(raw) {
            Ok(f) => f,
            Err(e) => return finish(Err(e)),
        };
        let mut wb = wsabufs(msg.bufs.iter_mut().map(|b| (b.as_mut_ptr(), b.len())));
        let (mut name, _) = addr_buf();
        let mut m = ws::WSAMSG {
            name: name.as_mut_ptr().cast(),
            namelen: 128,
            lpBuffers: wb.as_mut_ptr(),
            dwBufferCount: wb.len() as u32,
            Control: ws::WSABUF {
                len: msg.control.len().min(u32::MAX as usize) as u32,
                buf: msg.control.as_mut_ptr(),
            },
            dwFlags: msg.flags,
        };
        let mut got = 0u32;
        // SAFETY: `m` points at `name` (128 bytes, its length in namelen), at `wb` (WSABUFs
        // over `msg.bufs` with their lengths) and at `msg.control` with its length, all live
        // and exclusively borrowed for the call; `got` is a live local; `f` is WSARecvMsg as
        // the provider returned it.
        let rc = unsafe { f(raw, &mut m, &mut got, std::ptr::null_mut(), None) };
        let r = int_result(rc, got);
        if matches!(r, Ok(_) | Err(WsaError::WSAEMSGSIZE)) {
            msg.name = (m.namelen > 0 && name[..2] != [0, 0]).then(|| addr_from(&name, m.namelen));
            msg.control.truncate(m.Control.len as usize);
            msg.flags = m.dwFlags;
        }
        finish(r)
    }

    /// `WSARecvMsg` with OVERLAPPED: the WSAMSG, its buffers, name and control buffer live in
    /// the record; the completion carries them.
    fn wsa_recv_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        let f = match self.owned(s).and_then(|raw| self.recv_msg_fn(raw)) {
            Ok(f) => f,
            Err(e) => return finish(Err(e)),
        };
        let mut op = Op::new(ov, Kind::RecvMsg, std::ptr::null_mut()).with_bufs(msg.bufs);
        op.control = msg.control;
        op.msg = ws::WSAMSG {
            name: op.addr.as_mut_ptr().cast(),
            namelen: 128,
            lpBuffers: op.wsabufs.as_mut_ptr(),
            dwBufferCount: op.wsabufs.len() as u32,
            Control: ws::WSABUF {
                len: op.control.len().min(u32::MAX as usize) as u32,
                buf: op.control.as_mut_ptr(),
            },
            dwFlags: msg.flags,
        };
        self.issue(s, op, routine, |raw, p, rp| {
            let mut got = 0u32;
            // SAFETY: the record is live until its completion and its WSAMSG points into its
            // own heap data (address, WSABUFs, buffers, control), which never moves; `got` is
            // a live local.
            let rc = unsafe {
                f(
                    raw,
                    std::ptr::addr_of_mut!((*p).msg),
                    &mut got,
                    std::ptr::addr_of_mut!((*p).ov),
                    rp,
                )
            };
            int_result(rc, got)
        })
    }

    /// `WSASendMsg(s, lpMsg, dwFlags, &dwBytes, NULL, NULL)`: the control data goes to the OS
    /// as given.
    fn wsa_send_msg(&self, s: Socket, msg: &WsaMsg, flags: u32) -> Result<usize, WsaError> {
        let wb = wsabufs(msg.bufs.iter().map(|b| (b.as_ptr().cast_mut(), b.len())));
        let name = msg
            .name
            .as_ref()
            .map(|a| a.as_bytes().to_vec())
            .unwrap_or_default();
        let m = ws::WSAMSG {
            name: if name.is_empty() {
                std::ptr::null_mut()
            } else {
                name.as_ptr().cast_mut().cast()
            },
            namelen: int_len(name.len()),
            lpBuffers: wb.as_ptr().cast_mut(),
            dwBufferCount: wb.len() as u32,
            Control: ws::WSABUF {
                len: msg.control.len().min(u32::MAX as usize) as u32,
                buf: msg.control.as_ptr().cast_mut(),
            },
            dwFlags: 0,
        };
        let mut sent = 0u32;
        // SAFETY: `m` points at `name`, `wb` (over the caller's buffers) and the caller's
        // control data, all live for the call with their lengths; WSASendMsg only reads them.
        self.on(s, |raw| unsafe {
            ws::WSASendMsg(raw, &m, flags, &mut sent, std::ptr::null_mut(), None)
        })
        .map(|_| sent as usize)
    }

    /// `WSASendMsg` with OVERLAPPED: the message lives in the record.
    fn wsa_send_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        let mut op = Op::new(ov, Kind::Send, std::ptr::null_mut()).with_bufs(msg.bufs);
        op.control = msg.control;
        let name_len = msg.name.as_ref().map_or(0, |a| {
            let b = a.as_bytes();
            let n = b.len().min(128);
            op.addr[..n].copy_from_slice(&b[..n]);
            n
        });
        op.msg = ws::WSAMSG {
            name: if name_len == 0 {
                std::ptr::null_mut()
            } else {
                op.addr.as_mut_ptr().cast()
            },
            namelen: name_len as i32,
            lpBuffers: op.wsabufs.as_mut_ptr(),
            dwBufferCount: op.wsabufs.len() as u32,
            Control: ws::WSABUF {
                len: op.control.len().min(u32::MAX as usize) as u32,
                buf: op.control.as_mut_ptr(),
            },
            dwFlags: 0,
        };
        self.issue(s, op, routine, |raw, p, rp| {
            let mut sent = 0u32;
            // SAFETY: as in `wsa_recv_msg_overlapped`; WSASendMsg only reads the message.
            let rc = unsafe {
                ws::WSASendMsg(
                    raw,
                    std::ptr::addr_of!((*p).msg),
                    flags,
                    &mut sent,
                    std::ptr::addr_of_mut!((*p).ov),
                    rp,
                )
            };
            int_result(rc, sent)
        })
    }

    /// `TransmitPackets` (`transmit_packets.rs`): memory elements from copies in the
    /// operation's record, file elements from temporary files it owns.
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

    /// `TransmitFile` (`mswsock.rs`): the in-memory "file" is written to a temporary file
    /// (deleted on close) whose handle the OS reads.
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

    /// `AcceptEx` (`mswsock.rs`).
    fn accept_ex(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.accept_ex_call(listener, accept_socket, buf, (ADDR_ROOM, ADDR_ROOM), ov)
    }

    /// `AcceptEx` with the caller's dwLocalAddressLength / dwRemoteAddressLength, handed to
    /// the OS (`mswsock.rs`).
    fn accept_ex_with_lengths(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        local_len: u32,
        remote_len: u32,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.accept_ex_call(listener, accept_socket, buf, (local_len, remote_len), ov)
    }

    /// `GetAcceptExSockaddrs`: the addresses parsed from the output buffer of the AcceptEx
    /// that completed into `accept_socket` (`mswsock.rs`).
    fn get_accept_ex_sockaddrs(
        &self,
        accept_socket: Socket,
    ) -> Result<(SockAddr, SockAddr), WsaError> {
        let r = self.owned(accept_socket).and_then(|raw| {
            self.inner
                .ops
                .lock()
                .accepted
                .get(&raw)
                .cloned()
                .ok_or(WsaError::WSAENOTCONN)
        });
        finish(r)
    }

    /// `ConnectEx` (`mswsock.rs`).
    fn connect_ex(
        &self,
        s: Socket,
        addr: &SockAddr,
        send_buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        self.connect_ex_call(s, addr, send_buf, ov)
    }

    /// `DisconnectEx` (`mswsock.rs`).
    fn disconnect_ex(&self, s: Socket, ov: Option<Overlapped>, flags: u32) -> Result<(), WsaError> {
        self.disconnect_ex_call(s, ov, flags)
    }

    /// `WSAIoctl(…, NULL, NULL)` for the codes in the trait's list (and SIO_FLUSH); any
    /// other code is WSAEOPNOTSUPP without asking the OS (see `SAFE_IOCTLS`).
    fn wsa_ioctl(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError> {
        self.ioctl_sized(s, code, input, output).map_err(|(e, _)| e)
    }

    /// `WSAIoctl` with OVERLAPPED: the input and output buffers live in the record; the
    /// completion hands `output` back as its one buffer.
    fn wsa_ioctl_overlapped(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: Vec<u8>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        if let Err(e) = self.owned(s) {
            return finish(Err(e));
        }
        if !SAFE_IOCTLS.contains(&code) {
            return finish(Err(WsaError::WSAEOPNOTSUPP));
        }
        let mut op = Op::new(ov, Kind::Ioctl, std::ptr::null_mut()).with_bufs(vec![output]);
        op.input = input.to_vec();
        // Both heap blocks never move while the record lives.
        let (in_ptr, in_len) = (op.input.as_ptr(), op.input.len());
        let (out_ptr, out_len) = (op.bufs[0].as_mut_ptr(), op.bufs[0].len());
        self.issue(s, op, routine, |raw, p, rp| {
            let mut ret = 0u32;
            // SAFETY: the record is live until its completion; its input copy and output
            // buffer are passed with their lengths (null when empty) and never move; the
            // code's buffers hold no pointers (`SAFE_IOCTLS`); `ret` is a live local.
            let rc = unsafe {
                ws::WSAIoctl(
                    raw,
                    code,
                    if in_len == 0 {
                        std::ptr::null()
                    } else {
                        in_ptr.cast()
                    },
                    in_len.min(u32::MAX as usize) as u32,
                    if out_len == 0 {
                        std::ptr::null_mut()
                    } else {
                        out_ptr.cast()
                    },
                    out_len.min(u32::MAX as usize) as u32,
                    &mut ret,
                    std::ptr::addr_of_mut!((*p).ov),
                    rp,
                )
            };
            int_result(rc, ret)
        })
    }

    /// `CancelIoEx(s, lpOverlapped)`: `ov` must be an operation pending on `s` through this
    /// backend (else ERROR_NOT_FOUND, as the OS says for an OVERLAPPED it does not know).
    fn cancel_io_ex(&self, s: Socket, ov: Option<&Overlapped>) -> Result<(), WsaError> {
        let raw = match self.owned(s) {
            Ok(raw) => raw,
            Err(e) => return finish(Err(e)),
        };
        let t = self.inner.ops.lock();
        let target = match ov {
            None => std::ptr::null(),
            Some(o) => match t.pending.get(&o.id) {
                // SAFETY: a record in the table is live while the lock is held.
                Some(p) if p.socket == raw => unsafe { std::ptr::addr_of!((*p.ptr.0).ov) },
                _ => return finish(Err(WsaError::ERROR_NOT_FOUND)),
            },
        };
        // SAFETY: an owned socket (a SOCKET is a file handle) and null or the OVERLAPPED of a
        // live record (the lock is held across the call, so it cannot be freed meanwhile;
        // the cancelled completion is delivered later, outside this call).
        let ok = unsafe { io::CancelIoEx(raw as HANDLE, target) };
        drop(t);
        finish(bool_result(ok, 0).map(drop))
    }

    /// `SleepEx`: completion routines and APCs run inside it when alertable.
    fn sleep_ex(&self, ms: u32, alertable: bool) -> u32 {
        self.sleep_ex_call(ms, alertable)
    }

    /// `WaitForSingleObjectEx` on an event or a thread of this backend.
    fn wait_for_single_object_ex<H: Into<Handle> + Copy>(
        &self,
        h: H,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        self.wait_one(h.into(), timeout_ms, alertable)
    }

    /// `WaitForMultipleObjectsEx` on events and threads of this backend.
    fn wait_for_multiple_objects_ex<H: Into<Handle> + Copy>(
        &self,
        handles: &[H],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        let hs: Vec<Handle> = handles.iter().map(|&h| h.into()).collect();
        self.wait_many(&hs, wait_all, timeout_ms, alertable)
    }

    /// `QueueUserAPC` to a thread this backend started (`create_thread`); another
    /// `ThreadId`: WSA_INVALID_HANDLE.
    fn queue_user_apc(&self, apc: ApcRoutine<Self>, thread: ThreadId) -> Result<(), WsaError> {
        self.queue_apc(apc, thread)
    }
}
