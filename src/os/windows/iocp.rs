//! `impl Iocp for Native`: real completion ports (kernel32).
//!
//! Every `lpOverlapped` this backend hands to the OS points to an [`Op`] it allocated, and the
//! OS hands it back in the packet; the dequeue takes the allocation back (`Box::from_raw`) and
//! returns what it holds. So far only `PostQueuedCompletionStatus` makes packets with one: the
//! overlapped calls, which will put their buffers in the `Op` until the completion returns
//! them, are still to come.

use windows_sys::Win32::Foundation::{CloseHandle, GetLastError, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Storage::FileSystem::SetFileCompletionNotificationModes;
use windows_sys::Win32::System::IO as io;

use super::native::{finish, Native};
use crate::api::{CompletionPacket, CompletionPort, Iocp, Overlapped, Socket, WsaError};

/// What an `lpOverlapped` of this backend points to. `repr(C)` with the OVERLAPPED first, so a
/// pointer to the `Op` is a valid OVERLAPPED pointer for the OS.
#[repr(C)]
struct Op {
    ov: io::OVERLAPPED,
    id: Overlapped,
}

/// The calling thread's `GetLastError()` as a WinSock-side error.
fn win32_error() -> WsaError {
    // SAFETY: no arguments; reads thread-local state.
    WsaError::from_code(unsafe { GetLastError() } as i32)
}

/// A packet from what the OS returned. `ov` is null or an `Op` pointer this backend made.
fn packet(
    bytes: u32,
    key: usize,
    ov: *mut io::OVERLAPPED,
    error: Option<WsaError>,
) -> CompletionPacket {
    let overlapped = (!ov.is_null()).then(|| {
        // SAFETY: every non-null lpOverlapped queued on a port of this backend is a
        // `Box<Op>` leaked by `post_queued_completion_status`; each packet is dequeued once,
        // so the allocation is taken back exactly once.
        let op = unsafe { Box::from_raw(ov.cast::<Op>()) };
        op.id
    });
    CompletionPacket {
        bytes: bytes as usize,
        key,
        overlapped,
        error,
        bufs: Vec::new(),
        from: None,
        control: Vec::new(),
        msg_flags: 0,
    }
}

impl Native {
    /// `port` as an OS handle if this backend created it and has not closed it.
    fn port(&self, port: CompletionPort) -> Result<HANDLE, WsaError> {
        if self.inner.ports.lock().contains(&port.raw()) {
            Ok(port.raw() as HANDLE)
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        }
    }
}

impl Iocp for Native {
    /// `CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, concurrency)`.
    fn create_io_completion_port(&self, concurrency: u32) -> Result<CompletionPort, WsaError> {
        // SAFETY: INVALID_HANDLE_VALUE with no existing port asks for a new port.
        let h = unsafe {
            io::CreateIoCompletionPort(INVALID_HANDLE_VALUE, std::ptr::null_mut(), 0, concurrency)
        };
        if h.is_null() {
            return finish(Err(win32_error()));
        }
        self.inner.ports.lock().insert(h as usize);
        finish(Ok(CompletionPort::from_raw(h as usize)))
    }

    /// `CreateIoCompletionPort(s, port, key, 0)`: a second association is
    /// WSA_INVALID_PARAMETER (ERROR_INVALID_PARAMETER), as the OS says.
    fn associate_completion_port(
        &self,
        s: Socket,
        port: CompletionPort,
        key: usize,
    ) -> Result<(), WsaError> {
        let h = match self.port(port) {
            Ok(h) => h,
            Err(e) => return finish(Err(e)),
        };
        let r = self.on(s, |raw| {
            // SAFETY: an owned socket and an owned port; integers otherwise.
            let r = unsafe { io::CreateIoCompletionPort(raw as HANDLE, h, key, 0) };
            if r.is_null() {
                -1
            } else {
                0
            }
        });
        // WSAGetLastError is GetLastError on Windows: the OS's Win32 code comes through `on`.
        r.map(drop)
    }

    /// `GetQueuedCompletionStatus`: a successful dequeue leaves the last error as it was
    /// (CP-01); a failed I/O's packet carries its error.
    fn get_queued_completion_status(
        &self,
        port: CompletionPort,
        timeout_ms: u32,
    ) -> Result<CompletionPacket, WsaError> {
        let h = match self.port(port) {
            Ok(h) => h,
            Err(e) => return finish(Err(e)),
        };
        let (mut bytes, mut key, mut ov) = (0u32, 0usize, std::ptr::null_mut());
        // SAFETY: three live locals the call fills; an owned port.
        let ok =
            unsafe { io::GetQueuedCompletionStatus(h, &mut bytes, &mut key, &mut ov, timeout_ms) };
        if ok != 0 {
            return Ok(packet(bytes, key, ov, None));
        }
        let e = win32_error();
        if ov.is_null() {
            finish(Err(e))
        } else {
            Ok(packet(bytes, key, ov, Some(e)))
        }
    }

    /// `GetQueuedCompletionStatusEx`.
    fn get_queued_completion_status_ex(
        &self,
        port: CompletionPort,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<Vec<CompletionPacket>, WsaError> {
        let h = match self.port(port) {
            Ok(h) => h,
            Err(e) => return finish(Err(e)),
        };
        if max == 0 {
            return finish(Err(WsaError::WSA_INVALID_PARAMETER));
        }
        let n = max.min(1024);
        let mut entries: Vec<io::OVERLAPPED_ENTRY> = (0..n)
            .map(|_| io::OVERLAPPED_ENTRY {
                lpCompletionKey: 0,
                lpOverlapped: std::ptr::null_mut(),
                Internal: 0,
                dwNumberOfBytesTransferred: 0,
            })
            .collect();
        let mut removed = 0u32;
        // SAFETY: `entries` is a live array of `n` entries the call fills; `removed` is live;
        // an owned port.
        let ok = unsafe {
            io::GetQueuedCompletionStatusEx(
                h,
                entries.as_mut_ptr(),
                n as u32,
                &mut removed,
                timeout_ms,
                i32::from(alertable),
            )
        };
        if ok == 0 {
            return finish(Err(win32_error()));
        }
        let out = entries[..removed as usize]
            .iter()
            .map(|e| {
                packet(
                    e.dwNumberOfBytesTransferred,
                    e.lpCompletionKey,
                    e.lpOverlapped,
                    None,
                )
            })
            .collect();
        finish(Ok(out))
    }

    /// `PostQueuedCompletionStatus`: an `Overlapped` travels in an `Op` the dequeue takes back.
    fn post_queued_completion_status(
        &self,
        port: CompletionPort,
        bytes: usize,
        key: usize,
        ov: Option<Overlapped>,
    ) -> Result<(), WsaError> {
        let h = match self.port(port) {
            Ok(h) => h,
            Err(e) => return finish(Err(e)),
        };
        let ptr = ov.map_or(std::ptr::null_mut(), |id| {
            Box::into_raw(Box::new(Op {
                // SAFETY: OVERLAPPED is plain data for which all-zero is the initial state.
                ov: unsafe { std::mem::zeroed() },
                id,
            }))
        });
        // SAFETY: an owned port; `ptr` is null or a leaked `Op` that the dequeue takes back.
        let ok = unsafe { io::PostQueuedCompletionStatus(h, bytes as u32, key, ptr.cast()) };
        if ok == 0 {
            if !ptr.is_null() {
                // SAFETY: the post failed, so the OS never saw `ptr`: still only ours.
                drop(unsafe { Box::from_raw(ptr) });
            }
            return finish(Err(win32_error()));
        }
        finish(Ok(()))
    }

    /// `CloseHandle(port)`: only ports of this backend. Packets still queued with an `Op`
    /// leak that allocation (no memory is touched after the close).
    fn close_completion_port(&self, port: CompletionPort) -> Result<(), WsaError> {
        if !self.inner.ports.lock().remove(&port.raw()) {
            return finish(Err(WsaError::WSA_INVALID_HANDLE));
        }
        // SAFETY: a port this backend created and has just forgotten: closed once.
        finish(match unsafe { CloseHandle(port.raw() as HANDLE) } {
            0 => Err(win32_error()),
            _ => Ok(()),
        })
    }

    /// `SetFileCompletionNotificationModes`.
    fn set_file_completion_notification_modes(&self, s: Socket, flags: u8) -> Result<(), WsaError> {
        let r = self.on(s, |raw| {
            // SAFETY: an owned socket; an integer.
            match unsafe { SetFileCompletionNotificationModes(raw as HANDLE, flags) } {
                0 => -1,
                _ => 0,
            }
        });
        // WSAGetLastError is GetLastError on Windows: the OS's Win32 code comes through `on`.
        r.map(drop)
    }
}
