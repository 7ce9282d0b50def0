//! The Microsoft extensions of [`Native`]: AcceptEx, GetAcceptExSockaddrs, ConnectEx,
//! DisconnectEx, TransmitFile and WSARecvMsg, each loaded once through
//! `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)` with its WSAID, as Windows programs do.

use std::io::{Seek, SeekFrom, Write};
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use std::sync::atomic::{AtomicU64, Ordering};

use windows_sys::core::GUID;
use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::Storage::FileSystem::FILE_FLAG_DELETE_ON_CLOSE;

use super::issue::bool_result;
use super::native::{finish, last_error, Native};
use super::op::{Kind, Op};
use crate::api::{Overlapped, SockAddr, Socket, TransmitFileBuffers, WsaError};

/// Each of AcceptEx's two address slots: sizeof(SOCKADDR_STORAGE) + 16, as the docs ask.
pub(super) const ADDR_ROOM: u32 = 128 + 16;

/// An extension function, by its index in `Inner::ext`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ext {
    AcceptEx = 0,
    GetAcceptExSockaddrs = 1,
    ConnectEx = 2,
    DisconnectEx = 3,
    TransmitFile = 4,
    WsaRecvMsg = 5,
    TransmitPackets = 6,
}

impl Ext {
    fn guid(self) -> GUID {
        match self {
            Ext::AcceptEx => ws::WSAID_ACCEPTEX,
            Ext::GetAcceptExSockaddrs => ws::WSAID_GETACCEPTEXSOCKADDRS,
            Ext::ConnectEx => ws::WSAID_CONNECTEX,
            Ext::DisconnectEx => ws::WSAID_DISCONNECTEX,
            Ext::TransmitFile => ws::WSAID_TRANSMITFILE,
            Ext::WsaRecvMsg => ws::WSAID_WSARECVMSG,
            Ext::TransmitPackets => ws::WSAID_TRANSMITPACKETS,
        }
    }
}

/// A loaded extension function pointer as its typed `LPFN_*` (an `Option` of a function
/// pointer, the size of a `usize`).
macro_rules! ext_fn {
    ($self:ident, $raw:expr, $which:expr, $ty:ty) => {
        $self.ext_ptr($raw, $which).and_then(|p| {
            // SAFETY: `p` is the non-null pointer the provider returned for this WSAID, whose
            // function has exactly the signature of `$ty`.
            let f = unsafe { std::mem::transmute::<usize, $ty>(p) };
            f.ok_or(WsaError::WSAEOPNOTSUPP)
        })
    };
}
pub(super) use ext_fn;

impl Native {
    /// The extension function `which`, loaded through socket `raw` the first time.
    pub(super) fn ext_ptr(&self, raw: usize, which: Ext) -> Result<usize, WsaError> {
        let cached = self.inner.ext.lock()[which as usize];
        if cached != 0 {
            return Ok(cached);
        }
        let guid = which.guid();
        let (mut p, mut ret) = (0usize, 0u32);
        // SAFETY: the input is a live GUID and the output a live usize, each passed with its
        // size; `ret` is a live local; an owned socket; no OVERLAPPED.
        let rc = unsafe {
            ws::WSAIoctl(
                raw,
                ws::SIO_GET_EXTENSION_FUNCTION_POINTER,
                std::ptr::addr_of!(guid).cast(),
                std::mem::size_of::<GUID>() as u32,
                std::ptr::addr_of_mut!(p).cast(),
                std::mem::size_of::<usize>() as u32,
                &mut ret,
                std::ptr::null_mut(),
                None,
            )
        };
        if rc != 0 {
            return Err(last_error());
        }
        if p == 0 {
            return Err(WsaError::WSAEOPNOTSUPP);
        }
        self.inner.ext.lock()[which as usize] = p;
        Ok(p)
    }

    /// WSARecvMsg.
    pub(super) fn recv_msg_fn(
        &self,
        raw: usize,
    ) -> Result<
        unsafe extern "system" fn(
            ws::SOCKET,
            *mut ws::WSAMSG,
            *mut u32,
            *mut windows_sys::Win32::System::IO::OVERLAPPED,
            ws::LPWSAOVERLAPPED_COMPLETION_ROUTINE,
        ) -> i32,
        WsaError,
    > {
        ext_fn!(self, raw, Ext::WsaRecvMsg, ws::LPFN_WSARECVMSG)
    }

    /// The local and remote addresses in an AcceptEx output buffer (GetAcceptExSockaddrs),
    /// each checked to lie inside `out` before it is read.
    pub(super) fn parse_accept_ex_buffer(
        &self,
        out: &[u8],
        data_len: usize,
        (local_room, remote_room): (u32, u32),
    ) -> Option<(SockAddr, SockAddr)> {
        let p = self.inner.ext.lock()[Ext::GetAcceptExSockaddrs as usize];
        let rooms = local_room as usize + remote_room as usize;
        if p == 0 || out.len() < data_len + rooms {
            return None;
        }
        // SAFETY: `p` was returned for WSAID_GETACCEPTEXSOCKADDRS, of this signature.
        let f = unsafe { std::mem::transmute::<usize, ws::LPFN_GETACCEPTEXSOCKADDRS>(p) }?;
        let (mut l, mut ll, mut r, mut rl) =
            (std::ptr::null_mut(), 0i32, std::ptr::null_mut(), 0i32);
        // SAFETY: `out` is a live buffer of at least data_len + both rooms' bytes, the
        // layout AcceptEx was given; the call only reads it and writes four live locals.
        unsafe {
            f(
                out.as_ptr().cast(),
                data_len as u32,
                local_room,
                remote_room,
                &mut l,
                &mut ll,
                &mut r,
                &mut rl,
            )
        };
        let inside = |ptr: *mut ws::SOCKADDR, len: i32| -> Option<SockAddr> {
            let off = (ptr as usize).checked_sub(out.as_ptr() as usize)?;
            let end = off.checked_add(usize::try_from(len).ok()?)?;
            (len > 0 && end <= out.len()).then(|| SockAddr::from_bytes(&out[off..end]))
        };
        Some((inside(l, ll)?, inside(r, rl)?))
    }

    /// `AcceptEx(listener, accept_socket, out, buf.len(), local, remote, …)` with `rooms` =
    /// (local, remote), ADDR_ROOM each for `accept_ex`: the output buffer (receive data,
    /// then the two address rooms) lives in the record.
    pub(super) fn accept_ex_call(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        rooms: (u32, u32),
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        let loaded = self.owned(listener).and_then(|l| {
            let acc = self.owned(accept_socket)?;
            let f = ext_fn!(self, l, Ext::AcceptEx, ws::LPFN_ACCEPTEX)?;
            self.ext_ptr(l, Ext::GetAcceptExSockaddrs)?;
            Ok((acc, f))
        });
        let (acc, f) = match loaded {
            Ok(x) => x,
            Err(e) => return finish(Err(e)),
        };
        // The rooms are the caller's (at most 64 KiB each here, far above any address).
        let rooms = (rooms.0.min(0x1_0000), rooms.1.min(0x1_0000));
        let room_bytes = rooms.0 as usize + rooms.1 as usize;
        let data_len = buf.len().min(u32::MAX as usize - room_bytes);
        let mut out = buf;
        out.resize(data_len + room_bytes, 0);
        self.inner.ops.lock().accepted.remove(&acc);
        let kind = Kind::Accept {
            accept_socket: acc,
            data_len,
            rooms,
        };
        let mut op = Op::new(ov, kind, std::ptr::null_mut()).with_bufs(vec![out]);
        // The buffer's heap block never moves while the record lives.
        let out_ptr = op.bufs[0].as_mut_ptr();
        self.issue(listener, op, None, |raw, p, _| {
            let mut got = 0u32;
            // SAFETY: the record is live until its completion; its buffer holds data_len +
            // both rooms' bytes and never moves; both sockets are this backend's; `got` is a
            // live local.
            let ok = unsafe {
                f(
                    raw,
                    acc,
                    out_ptr.cast(),
                    data_len as u32,
                    rooms.0,
                    rooms.1,
                    &mut got,
                    std::ptr::addr_of_mut!((*p).ov),
                )
            };
            bool_result(ok, got)
        })
    }

    /// `ConnectEx(s, addr, send_buf, …)`: the address and the data live in the record.
    pub(super) fn connect_ex_call(
        &self,
        s: Socket,
        addr: &SockAddr,
        send_buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError> {
        let f = match self
            .owned(s)
            .and_then(|raw| ext_fn!(self, raw, Ext::ConnectEx, ws::LPFN_CONNECTEX))
        {
            Ok(f) => f,
            Err(e) => return finish(Err(e)),
        };
        let mut op = Op::new(ov, Kind::Send, std::ptr::null_mut()).with_bufs(vec![send_buf]);
        let a = addr.as_bytes();
        let n = a.len().min(128);
        op.addr[..n].copy_from_slice(&a[..n]);
        op.addr_len = n as i32;
        // The buffer's heap block never moves while the record lives.
        let (b_ptr, b_len) = (op.bufs[0].as_ptr(), op.bufs[0].len());
        self.issue(s, op, None, |raw, p, _| {
            let mut sent = 0u32;
            // SAFETY: the record is live until its completion; the address (`addr_len`
            // bytes) and the send buffer (null when empty) are in it and never move; `sent`
            // is a live local.
            let ok = unsafe {
                f(
                    raw,
                    std::ptr::addr_of!((*p).addr).cast(),
                    (*p).addr_len,
                    if b_len == 0 {
                        std::ptr::null()
                    } else {
                        b_ptr.cast()
                    },
                    b_len.min(u32::MAX as usize) as u32,
                    &mut sent,
                    std::ptr::addr_of_mut!((*p).ov),
                )
            };
            bool_result(ok, sent)
        })
    }

    /// `DisconnectEx(s, lpOverlapped, flags, 0)`.
    pub(super) fn disconnect_ex_call(
        &self,
        s: Socket,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<(), WsaError> {
        let f = match self
            .owned(s)
            .and_then(|raw| ext_fn!(self, raw, Ext::DisconnectEx, ws::LPFN_DISCONNECTEX))
        {
            Ok(f) => f,
            Err(e) => return finish(Err(e)),
        };
        match ov {
            Some(ov) => {
                let op = Op::new(ov, Kind::Send, std::ptr::null_mut());
                self.issue(s, op, None, |raw, p, _| {
                    // SAFETY: the record is live until its completion; integers otherwise.
                    let ok = unsafe { f(raw, std::ptr::addr_of_mut!((*p).ov), flags, 0) };
                    bool_result(ok, 0)
                })
                .map(drop)
            }
            None => {
                // SAFETY: an owned socket (checked above), no OVERLAPPED: a blocking call.
                let r = self.owned(s).and_then(|raw| unsafe {
                    bool_result(f(raw, std::ptr::null_mut(), flags, 0), 0)
                });
                finish(r.map(drop))
            }
        }
    }

    /// `TransmitFile(s, hFile, bytes_to_write, 0, lpOverlapped, lpTransmitBuffers, flags)`.
    /// The in-memory "file" becomes a temporary file (FILE_FLAG_DELETE_ON_CLOSE) positioned
    /// at `offset` (also OVERLAPPED.Offset); with `ov` the file and the head and tail live in
    /// the record. Without `ov` the call blocks and returns the byte count it sent.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn transmit_file_call(
        &self,
        s: Socket,
        file: Option<&[u8]>,
        offset: u64,
        bytes_to_write: u32,
        buffers: Option<&TransmitFileBuffers>,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError> {
        let f = match self
            .owned(s)
            .and_then(|raw| ext_fn!(self, raw, Ext::TransmitFile, ws::LPFN_TRANSMITFILE))
        {
            Ok(f) => f,
            Err(e) => return finish(Err(e)),
        };
        let tmp = match file.map(|bytes| temp_file(bytes, offset)).transpose() {
            Ok(t) => t,
            Err(e) => return finish(Err(e)),
        };
        let part = file.map_or(0, |b| {
            let rest = (b.len() as u64).saturating_sub(offset) as usize;
            match bytes_to_write {
                0 => rest,
                n => rest.min(n as usize),
            }
        });
        let total = buffers.map_or(0, |b| b.head.len() + b.tail.len()) + part;
        let (head, tail) = buffers.map_or((Vec::new(), Vec::new()), |b| {
            (b.head.clone(), b.tail.clone())
        });
        let has_buffers = buffers.is_some();
        let mut op = Op::new(
            ov.unwrap_or(Overlapped::new(0)),
            Kind::Send,
            std::ptr::null_mut(),
        )
        .with_bufs(vec![head, tail]);
        op.tfb = ws::TRANSMIT_FILE_BUFFERS {
            Head: ptr_or_null(&mut op.bufs[0]),
            HeadLength: op.wsabufs[0].len,
            Tail: ptr_or_null(&mut op.bufs[1]),
            TailLength: op.wsabufs[1].len,
        };
        op.ov.Anonymous.Anonymous.Offset = offset as u32;
        op.ov.Anonymous.Anonymous.OffsetHigh = (offset >> 32) as u32;
        let h: HANDLE = tmp
            .as_ref()
            .map_or(std::ptr::null_mut(), |t| t.as_raw_handle() as HANDLE);
        op.file = tmp;
        let Some(_) = ov else {
            // Blocking: the record is only this call's, on this stack frame's box.
            let tfb = if has_buffers {
                std::ptr::addr_of!(op.tfb)
            } else {
                std::ptr::null()
            };
            // SAFETY: an owned socket (checked above); `h` is null or the open temporary file
            // the record owns; `tfb` is null or points at head and tail buffers in the record
            // with their lengths; no OVERLAPPED, so the call returns when it is done with all.
            let r = self.owned(s).and_then(|raw| unsafe {
                bool_result(
                    f(raw, h, bytes_to_write, 0, std::ptr::null_mut(), tfb, flags),
                    0,
                )
            });
            drop(op);
            return finish(r.map(|_| total));
        };
        self.issue(s, op, None, |raw, p, _| {
            // SAFETY: the record is live until its completion and owns the file (`h`) and the
            // head and tail buffers `tfb` points at, which never move.
            let ok = unsafe {
                let tfb = if has_buffers {
                    std::ptr::addr_of!((*p).tfb)
                } else {
                    std::ptr::null()
                };
                f(
                    raw,
                    h,
                    bytes_to_write,
                    0,
                    std::ptr::addr_of_mut!((*p).ov),
                    tfb,
                    flags,
                )
            };
            bool_result(ok, 0).map(|_| total)
        })
    }
}

/// A buffer's pointer for TRANSMIT_FILE_BUFFERS (null when empty).
pub(super) fn ptr_or_null(b: &mut [u8]) -> *mut core::ffi::c_void {
    if b.is_empty() {
        std::ptr::null_mut()
    } else {
        b.as_mut_ptr().cast()
    }
}

/// A temporary file holding `bytes`, deleted when closed, its file pointer at `offset`.
pub(super) fn temp_file(bytes: &[u8], offset: u64) -> Result<std::fs::File, WsaError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let os = |e: std::io::Error| {
        e.raw_os_error()
            .map_or(WsaError::WSAENOBUFS, WsaError::from_code)
    };
    let path = std::env::temp_dir().join(format!(
        "winsock-sim-transmit-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .custom_flags(FILE_FLAG_DELETE_ON_CLOSE)
        .open(path)
        .map_err(os)?;
    f.write_all(bytes).map_err(os)?;
    f.seek(SeekFrom::Start(offset)).map_err(os)?;
    Ok(f)
}
