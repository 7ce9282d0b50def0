//! `impl WinsockExt for Native`: `WSASocketW`, `WSAAccept` with a condition function,
//! `SIO_GET_EXTENSION_FUNCTION_POINTER`, `CancelIo` and `HasOverlappedIoCompleted`.

use std::any::Any;

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::System::IO as io;

use super::issue::{bool_result, SAFE_IOCTLS};
use super::native::{addr_buf, addr_from, finish, Native};
use super::op::Op;
use crate::api::extension::{ConditionFn, ExtensionFunction, Guid};
use crate::api::{Overlapped, SockAddr, Socket, WinsockExt, WsaError};

/// What `WSAAccept`'s condition trampoline gets through `dwCallbackData`.
struct Condition<'a, 'b> {
    f: &'a mut ConditionFn<'b>,
    panic: Option<Box<dyn Any + Send>>,
}

/// The `LPCONDITIONPROC` of `WSAAccept`: reads the caller and callee addresses from their
/// WSABUFs and asks the user's condition function.
unsafe extern "system" fn condition(
    caller: *mut ws::WSABUF,
    _caller_data: *mut ws::WSABUF,
    _sqos: *mut ws::QOS,
    _gqos: *mut ws::QOS,
    callee: *mut ws::WSABUF,
    _callee_data: *mut ws::WSABUF,
    _g: *mut u32,
    data: usize,
) -> i32 {
    let addr = |b: *mut ws::WSABUF| -> SockAddr {
        if b.is_null() {
            return SockAddr::from_bytes(&[]);
        }
        // SAFETY: WinSock passes WSABUFs describing live address buffers of `len` bytes for
        // the duration of the callback.
        unsafe {
            let b = &*b;
            if b.buf.is_null() {
                SockAddr::from_bytes(&[])
            } else {
                SockAddr::from_bytes(std::slice::from_raw_parts(b.buf, b.len as usize))
            }
        }
    };
    let (peer, local) = (addr(caller), addr(callee));
    // SAFETY: `data` is the address of the `Condition` on `wsa_accept`'s stack frame, which
    // is blocked in WSAAccept while this runs on the same thread.
    let c = unsafe { &mut *(data as *mut Condition<'_, '_>) };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (c.f)(&peer, &local))) {
        Ok(v) => v,
        Err(p) => {
            c.panic = Some(p);
            ws::CF_REJECT as i32
        }
    }
}

impl WinsockExt for Native {
    /// `WSASocketW(af, type, protocol, NULL, 0, dwFlags)`: the new SOCKET becomes this
    /// backend's.
    fn wsa_socket(&self, af: i32, ty: i32, protocol: i32, flags: u32) -> Result<Socket, WsaError> {
        if self.inner.owned.lock().wsa_refs == 0 {
            return finish(Err(WsaError::WSANOTINITIALISED));
        }
        // SAFETY: integers and a null protocol-info pointer; returns a new handle or
        // INVALID_SOCKET.
        let raw = unsafe { ws::WSASocketW(af, ty, protocol, std::ptr::null(), 0, flags) };
        finish(self.adopt(raw))
    }

    /// `WSAAccept(s, addr, addrlen, condition, &data)`: the condition function runs inside
    /// the call on this thread (a panic in it rejects the connection and is resumed after).
    fn wsa_accept(
        &self,
        s: Socket,
        condition_fn: Option<ConditionFn<'_>>,
    ) -> Result<(Socket, SockAddr), WsaError> {
        let raw = match self.owned(s) {
            Ok(raw) => raw,
            Err(e) => return finish(Err(e)),
        };
        let (mut buf, mut len) = addr_buf();
        let mut f = condition_fn;
        let new = match f.as_mut() {
            None => {
                // SAFETY: `buf` (128 bytes) and `len` are live locals; no condition.
                unsafe { ws::WSAAccept(raw, buf.as_mut_ptr().cast(), &mut len, None, 0) }
            }
            Some(f) => {
                let mut c = Condition { f, panic: None };
                // SAFETY: `buf` and `len` as above; `condition` receives the address of `c`,
                // which outlives the call, and runs only during it, on this thread.
                let r = unsafe {
                    ws::WSAAccept(
                        raw,
                        buf.as_mut_ptr().cast(),
                        &mut len,
                        Some(condition),
                        std::ptr::addr_of_mut!(c) as usize,
                    )
                };
                if let Some(p) = c.panic.take() {
                    if r != ws::INVALID_SOCKET {
                        // SAFETY: a socket the OS just returned, not yet anyone's: closed once.
                        unsafe { ws::closesocket(r) };
                    }
                    std::panic::resume_unwind(p);
                }
                r
            }
        };
        finish(self.adopt(new).map(|c| (c, addr_from(&buf, len))))
    }

    /// `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)`: the OS call with `out_len` (at most 8
    /// bytes written, into a local), then the function its GUID names.
    fn get_extension_function_pointer(
        &self,
        s: Socket,
        guid: &Guid,
        out_len: usize,
    ) -> Result<ExtensionFunction, WsaError> {
        let g = windows_sys::core::GUID {
            data1: guid.data1,
            data2: guid.data2,
            data3: guid.data3,
            data4: guid.data4,
        };
        let (mut p, mut ret) = (0usize, 0u32);
        let out_len = out_len.min(std::mem::size_of::<usize>()) as u32;
        // SAFETY: the input is a live GUID and the output a live usize, the output length
        // clamped to its size; `ret` is a live local; no OVERLAPPED.
        let r = self.on(s, |raw| unsafe {
            ws::WSAIoctl(
                raw,
                ws::SIO_GET_EXTENSION_FUNCTION_POINTER,
                std::ptr::addr_of!(g).cast(),
                std::mem::size_of_val(&g) as u32,
                std::ptr::addr_of_mut!(p).cast(),
                out_len,
                &mut ret,
                std::ptr::null_mut(),
                None,
            )
        });
        r.and_then(|_| finish(ExtensionFunction::for_guid(guid).ok_or(WsaError::WSAEINVAL)))
    }

    /// `CancelIo(s)`: the OS cancels the calling thread's operations on `s`. Not a socket of
    /// this backend: ERROR_INVALID_HANDLE (WSA_INVALID_HANDLE, 6).
    fn cancel_io(&self, s: Socket) -> Result<(), WsaError> {
        let raw = match self.owned(s) {
            Ok(raw) => raw,
            Err(WsaError::WSAENOTSOCK) => return finish(Err(WsaError::WSA_INVALID_HANDLE)),
            Err(e) => return finish(Err(e)),
        };
        // SAFETY: an owned socket (a SOCKET is a file handle).
        let ok = unsafe { io::CancelIo(raw as HANDLE) };
        finish(bool_result(ok, 0).map(drop))
    }

    /// `HasOverlappedIoCompleted`: `Internal != STATUS_PENDING` of the pending record with
    /// `ov`'s identity; true when there is none.
    fn has_overlapped_io_completed(&self, ov: &Overlapped) -> bool {
        let t = self.inner.ops.lock();
        match t.pending.get(&ov.id) {
            // SAFETY: a record in the table is live while the lock is held.
            Some(p) => unsafe { Op::os_done(p.ptr.0) },
            None => true,
        }
    }

    /// `Internal`/`InternalHigh` of the OVERLAPPED of the operation with `ov`'s identity,
    /// read from its record while the backend holds it (pending, or finished but not yet
    /// reported). Once its completion has been reported the record is gone and this reads
    /// (0, 0), as a fresh OVERLAPPED does.
    fn overlapped_internal(&self, ov: &Overlapped) -> (u32, usize) {
        let t = self.inner.ops.lock();
        match t.pending.get(&ov.id) {
            // SAFETY: a record in the table is live while the lock is held.
            Some(p) => unsafe { Op::os_internal(p.ptr.0) },
            None => (0, 0),
        }
    }

    /// Blocking `WSAIoctl` keeping cbBytesReturned on failure. The codes are those of
    /// `OverlappedIo::wsa_ioctl` on this backend; SIO_ADDRESS_LIST_QUERY (whose output holds
    /// pointers into itself) is WSAEOPNOTSUPP here.
    fn wsa_ioctl_sized(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, (WsaError, usize)> {
        self.ioctl_sized(s, code, input, output)
    }

    /// `WSAIoctl` without OVERLAPPED, the NULL pointers and lengths passed to ws2_32 as given
    /// for the codes whose buffers hold no pointers (`SAFE_IOCTLS`); a length past its slice
    /// is refused first (the shared rule), other codes follow the shared model.
    #[allow(clippy::too_many_arguments)]
    fn wsa_ioctl_c(
        &self,
        s: Socket,
        code: u32,
        input: Option<&[u8]>,
        in_len: u32,
        output: Option<&mut [u8]>,
        out_len: u32,
        bytes_returned: Option<&mut u32>,
    ) -> Result<(), WsaError> {
        if !SAFE_IOCTLS.contains(&code) {
            return crate::api::extension::wsa_ioctl_c(
                self,
                s,
                code,
                input,
                in_len,
                output,
                out_len,
                bytes_returned,
            );
        }
        let in_ok = input.is_none_or(|b| in_len as usize <= b.len());
        let out_ok = output
            .as_deref()
            .is_none_or(|b| out_len as usize <= b.len());
        crate::api::extension::ioctl_c_precheck(self, s, in_ok, out_ok, true)?;
        let inp = input.map_or(std::ptr::null(), |b| b.as_ptr().cast());
        let outp = output.map_or(std::ptr::null_mut(), |b| b.as_mut_ptr().cast());
        let count = bytes_returned.map_or(std::ptr::null_mut(), |c| c as *mut u32);
        // SAFETY: the code's buffers hold no pointers (`SAFE_IOCTLS`); each buffer pointer is
        // null or a live slice at least as long as the length passed with it (checked above);
        // `count` is null or a live exclusive borrow; no OVERLAPPED, so nothing outlives the
        // call.
        self.on(s, |raw| unsafe {
            ws::WSAIoctl(
                raw,
                code,
                inp,
                in_len,
                outp,
                out_len,
                count,
                std::ptr::null_mut(),
                None,
            )
        })
        .map(drop)
    }
}
