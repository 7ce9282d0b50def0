//! Issuing an overlapped call on `Native`: [`Native::issue`] moves the buffers into an
//! [`Op`], hands the OS pointers into it and takes it straight back on a synchronous failure;
//! the send/receive helpers, the result of an operation asked for now, and WSAIoctl with
//! its byte count kept on failure. The trait methods are in `overlapped.rs`.

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Networking::WinSock as ws;

use super::alertable::completion_routine;
use super::native::{finish, last_error, Native};
use super::op::{Kind, Mode, Op, OpPtr, Pending};
use crate::api::consts::*;
use crate::api::{CompletionRoutine, IoCompletion, Overlapped, SockAddr, Socket, WsaError};

/// The `lpCompletionRoutine` argument: this backend's trampoline when there is a routine.
pub(super) type RoutinePtr = ws::LPWSAOVERLAPPED_COMPLETION_ROUTINE;

/// The WSAIoctl codes passed to the OS: those whose buffers hold no pointers the OS would
/// follow (any other code could make ws2_32 read or write memory that is not a buffer of the
/// call). SIO_GET_INTERFACE_LIST writes INTERFACE_INFO entries (addresses held inline) and
/// SIO_ROUTING_INTERFACE_QUERY reads and writes a sockaddr, so both are safe. Others:
/// WSAEOPNOTSUPP before the OS is asked.
pub(super) const SAFE_IOCTLS: [u32; 15] = [
    FIONBIO,
    FIONREAD,
    SIOCATMARK,
    SIO_KEEPALIVE_VALS,
    SIO_TCP_INITIAL_RTO,
    SIO_TCP_SET_ACK_FREQUENCY,
    SIO_IDEAL_SEND_BACKLOG_QUERY,
    SIO_IDEAL_SEND_BACKLOG_CHANGE,
    SIO_BASE_HANDLE,
    SIO_FLUSH,
    SIO_ENABLE_CIRCULAR_QUEUEING,
    SIO_UDP_CONNRESET,
    SIO_UDP_NETRESET,
    crate::api::interface_list::SIO_GET_INTERFACE_LIST,
    crate::api::interface_list::SIO_ROUTING_INTERFACE_QUERY,
];

/// An `int`-returning overlapped call's result: 0 is success with `bytes`.
pub(super) fn int_result(rc: i32, bytes: u32) -> Result<usize, WsaError> {
    if rc == 0 {
        Ok(bytes as usize)
    } else {
        Err(last_error())
    }
}

/// A `BOOL`-returning call's result (WSAGetLastError is GetLastError on Windows).
pub(super) fn bool_result(ok: i32, bytes: u32) -> Result<usize, WsaError> {
    if ok != 0 {
        Ok(bytes as usize)
    } else {
        Err(last_error())
    }
}

impl Native {
    /// Starts one overlapped operation on socket `s`: checks (the socket and event are this
    /// backend's, the `ov.id` is not pending, no routine on a port-bound socket: WSAEINVAL,
    /// OV-04), records the `Op`, runs `call(raw socket, op, routine ptr)` and sorts out its
    /// result: `Ok(bytes)` completed at once (the completion is still delivered),
    /// WSA_IO_PENDING, or a synchronous error (the record is freed).
    pub(super) fn issue(
        &self,
        s: Socket,
        mut op: Box<Op>,
        routine: Option<CompletionRoutine<Native>>,
        call: impl FnOnce(usize, *mut Op, RoutinePtr) -> Result<usize, WsaError>,
    ) -> Result<usize, WsaError> {
        let raw = match self.owned(s) {
            Ok(raw) => raw,
            Err(e) => return finish(Err(e)),
        };
        if let Some(e) = op.id.event {
            match self.event(e) {
                Ok(h) => op.ov.hEvent = h as HANDLE,
                Err(err) => return finish(Err(err)),
            }
        }
        let id = op.id.id;
        let has_routine = routine.is_some();
        if has_routine {
            op.owner = Some(Box::new(self.clone()));
        }
        op.routine = routine.map(|r| {
            let me = self.clone();
            Box::new(move |c: IoCompletion| r(&me, c)) as super::op::Routine
        });
        let (ptr, skip) = {
            let mut t = self.inner.ops.lock();
            let port = t.associated.contains(&raw);
            if t.pending.contains_key(&id) || (has_routine && port) {
                return finish(Err(WsaError::WSAEINVAL));
            }
            let mode = if has_routine {
                Mode::Routine
            } else if port {
                Mode::Port
            } else {
                Mode::Plain
            };
            // A bound socket's completion goes to the pool's trampoline, which finds its
            // callback through the record (`pool_io.rs`).
            op.pool = t.bound.get(&raw).cloned();
            let ptr = Box::into_raw(op);
            t.pending.insert(
                id,
                Pending {
                    ptr: OpPtr(ptr),
                    socket: raw,
                    mode,
                    issuing: true,
                },
            );
            (ptr, port && t.skip_on_success.contains(&raw))
        };
        let rp: RoutinePtr = if has_routine {
            Some(completion_routine)
        } else {
            None
        };
        // From here on `ptr` may be freed by another thread once the OS has completed it and
        // `issuing` is cleared below (a worker dequeuing its packet, the pool's trampoline;
        // the OS may read the record until the call returns): `call` only computes pointers
        // from it before the OS call, and nothing below touches it.
        let r = call(raw, ptr, rp);
        let mut t = self.inner.ops.lock();
        if let Some(p) = t.pending.get_mut(&id) {
            // The OS no longer reads the record on this call's behalf: whoever the completion
            // reaches may take it back.
            p.issuing = false;
        }
        match &r {
            Ok(_) if skip => {
                // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: no packet comes, so the record is
                // WSAGetOverlappedResult's to take back.
                if let Some(p) = t.pending.get_mut(&id) {
                    p.mode = Mode::Plain;
                }
            }
            Ok(_) | Err(WsaError::WSA_IO_PENDING) => {}
            Err(_) => {
                // A synchronous failure: the OS delivers no completion and never saw the
                // record after the call.
                drop(t.take(id));
            }
        }
        drop(t);
        finish(r)
    }

    /// The completion of a record this caller took back (see [`Op::complete`]); a completed
    /// AcceptEx's addresses are kept for `GetAcceptExSockaddrs`.
    pub(super) fn finish_op(
        &self,
        op: Box<Op>,
        bytes: u32,
        flags: u32,
        error: Option<WsaError>,
    ) -> IoCompletion {
        let (c, accepted) = op.complete(bytes, flags, error, |out, n, rooms| {
            self.parse_accept_ex_buffer(out, n, rooms)
        });
        if let Some((s, addrs)) = accepted {
            self.inner.ops.lock().accepted.insert(s, addrs);
        }
        c
    }

    /// Socket `raw` was closed (by `closesocket` or the last `WSACleanup`): see
    /// [`super::op::OpTable::socket_closed`].
    pub(super) fn ops_socket_closed(&self, raw: usize) {
        self.inner.ops.lock().socket_closed(raw);
    }

    /// An overlapped WSASend / WSASendTo (`to`) of `bufs`.
    #[allow(clippy::too_many_arguments)] // WSASendTo's own arguments, one for one
    pub(super) fn send_op(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        to: Option<&SockAddr>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
        sent: &mut u32,
    ) -> Result<usize, WsaError> {
        let mut op = Op::new(ov, Kind::Send, std::ptr::null_mut()).with_bufs(bufs);
        if let Some(a) = to {
            let b = a.as_bytes();
            let n = b.len().min(128);
            op.addr[..n].copy_from_slice(&b[..n]);
            op.addr_len = n as i32;
        }
        let with_to = to.is_some();
        self.issue(s, op, routine, |raw, p, rp| {
            // SAFETY: `p` is a live record (freed only after its completion, which cannot
            // precede this call); its WSABUFs point into its own buffers with their lengths,
            // and `addr` holds `addr_len` bytes; all stay put until the completion. `sent` is
            // the caller's live, exclusive borrow, written (if at all) only during the call.
            let rc = unsafe {
                let ovp = std::ptr::addr_of_mut!((*p).ov);
                let bufs = &(*p).wsabufs;
                if with_to {
                    ws::WSASendTo(
                        raw,
                        bufs.as_ptr(),
                        bufs.len() as u32,
                        &mut *sent,
                        flags,
                        std::ptr::addr_of!((*p).addr).cast(),
                        (*p).addr_len,
                        ovp,
                        rp,
                    )
                } else {
                    ws::WSASend(
                        raw,
                        bufs.as_ptr(),
                        bufs.len() as u32,
                        &mut *sent,
                        flags,
                        ovp,
                        rp,
                    )
                }
            };
            int_result(rc, *sent)
        })
    }

    /// An overlapped WSARecv / WSARecvFrom (`from`) into `bufs`.
    #[allow(clippy::too_many_arguments)] // WSARecvFrom's own arguments, one for one
    pub(super) fn recv_op(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        from: bool,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
        got: &mut u32,
    ) -> Result<usize, WsaError> {
        let kind = if from { Kind::RecvFrom } else { Kind::Recv };
        let mut op = Op::new(ov, kind, std::ptr::null_mut()).with_bufs(bufs);
        op.flags = flags;
        self.issue(s, op, routine, |raw, p, rp| {
            // SAFETY: as in `send_op` (`got` as `sent` there); the OS may write the buffers,
            // `flags`, `addr` and `addr_len` of the record until the completion, and they stay
            // put until then.
            let rc = unsafe {
                let ovp = std::ptr::addr_of_mut!((*p).ov);
                let bufs = &(*p).wsabufs;
                let fl = std::ptr::addr_of_mut!((*p).flags);
                if from {
                    ws::WSARecvFrom(
                        raw,
                        bufs.as_ptr(),
                        bufs.len() as u32,
                        &mut *got,
                        fl,
                        std::ptr::addr_of_mut!((*p).addr).cast(),
                        std::ptr::addr_of_mut!((*p).addr_len),
                        ovp,
                        rp,
                    )
                } else {
                    ws::WSARecv(
                        raw,
                        bufs.as_ptr(),
                        bufs.len() as u32,
                        &mut *got,
                        fl,
                        ovp,
                        rp,
                    )
                }
            };
            int_result(rc, *got)
        })
    }

    /// The pending operation `ov` as `WSAGetOverlappedResult` sees it, once, without waiting:
    /// still pending (with its hEvent, to wait on), or finished (its buffers when this call
    /// is the one that takes the record back: plain operations; a routine or a packet returns
    /// the others').
    /// `win32`: a failed operation's error is the Win32 code of its NTSTATUS, as
    /// GetOverlappedResult gives it, rather than WSAGetOverlappedResult's WinSock code.
    pub(super) fn overlapped_result_now(
        &self,
        ov: &Overlapped,
        win32: bool,
    ) -> Result<Now, WsaError> {
        let mut t = self.inner.ops.lock();
        let Some(p) = t.pending.get(&ov.id) else {
            return Err(WsaError::WSAEINVAL);
        };
        let (ptr, sock, mode) = (p.ptr.0, p.socket, p.mode);
        let (mut bytes, mut flags) = (0u32, 0u32);
        // SAFETY: a record in the table is live while the lock is held (every path that frees
        // one takes it out under this lock first); `bytes` and `flags` are live locals; the
        // socket is the one the operation was issued on, still open (closing moves its plain
        // records out of the table).
        let ok = unsafe {
            ws::WSAGetOverlappedResult(
                sock,
                std::ptr::addr_of!((*ptr).ov),
                &mut bytes,
                0,
                &mut flags,
            )
        };
        let error = if ok != 0 {
            None
        } else {
            match last_error() {
                // SAFETY: the record is live (lock held); hEvent was set when it was issued.
                WsaError::WSA_IO_INCOMPLETE => {
                    return Ok(Now::Pending(unsafe { (*ptr).ov.hEvent }))
                }
                // SAFETY: the record is live (lock held); converting an integer is pure.
                _ if win32 => Some(WsaError::from_code(unsafe {
                    windows_sys::Win32::Foundation::RtlNtStatusToDosError((*ptr).ov.Internal as i32)
                } as i32)),
                e => Some(e),
            }
        };
        if mode == Mode::Plain {
            let op = t.take(ov.id).expect("the record is in the table");
            drop(t);
            return Ok(Now::Done(self.finish_op(op, bytes, flags, error)));
        }
        Ok(Now::Done(IoCompletion {
            overlapped: *ov,
            error,
            bytes: bytes as usize,
            flags,
            bufs: Vec::new(),
            from: None,
            control: Vec::new(),
            msg_flags: 0,
        }))
    }
}

/// What [`Native::overlapped_result_now`] found.
pub(super) enum Now {
    /// Still pending; the operation's hEvent (null if none).
    Pending(HANDLE),
    /// Finished.
    Done(IoCompletion),
}

impl Native {
    /// Blocking `WSAIoctl` keeping cbBytesReturned on failure too (`WinsockExt::
    /// wsa_ioctl_sized`); codes outside `SAFE_IOCTLS` are WSAEOPNOTSUPP without asking the OS.
    pub(super) fn ioctl_sized(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, (WsaError, usize)> {
        if let Err(e) = self.owned(s) {
            return finish(Err(e)).map_err(|e| (e, 0));
        }
        if !SAFE_IOCTLS.contains(&code) {
            return finish(Err(WsaError::WSAEOPNOTSUPP)).map_err(|e| (e, 0));
        }
        let mut ret = 0u32;
        let inp = if input.is_empty() {
            std::ptr::null()
        } else {
            input.as_ptr().cast()
        };
        let outp = if output.is_empty() {
            std::ptr::null_mut()
        } else {
            output.as_mut_ptr().cast()
        };
        // SAFETY: the code's buffers hold no pointers (`SAFE_IOCTLS`); `input` and `output`
        // are live slices passed with their lengths (null when empty); `ret` is a live local.
        self.on(s, |raw| unsafe {
            ws::WSAIoctl(
                raw,
                code,
                inp,
                input.len().min(u32::MAX as usize) as u32,
                outp,
                output.len().min(u32::MAX as usize) as u32,
                &mut ret,
                std::ptr::null_mut(),
                None,
            )
        })
        .map(|_| ret as usize)
        .map_err(|e| (e, ret as usize))
    }
}
