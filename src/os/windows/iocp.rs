//! `impl Iocp for Native`: real completion ports (kernel32).
//!
//! Every `lpOverlapped` this backend hands to the OS points to an [`Op`] it allocated
//! (`op.rs`), and the OS hands it back in the packet: the dequeue takes the record back and
//! returns what it holds, the operation's buffers included. Associating a socket and
//! FILE_SKIP_COMPLETION_PORT_ON_SUCCESS are recorded, since they decide who takes a record
//! back.

use windows_sys::Win32::Foundation::{
    CloseHandle, GetLastError, RtlNtStatusToDosError, HANDLE, INVALID_HANDLE_VALUE,
};
use windows_sys::Win32::Storage::FileSystem::SetFileCompletionNotificationModes;
use windows_sys::Win32::System::IO as io;

use super::native::{finish, Native};
use super::op::{Delivered, Kind, Op};
#[cfg(doc)]
use super::op::{Mode, Pending};
use crate::api::iocp::FILE_SKIP_COMPLETION_PORT_ON_SUCCESS;
use crate::api::{CompletionPacket, CompletionPort, Iocp, Overlapped, Socket, WsaError};

thread_local! {
    /// The `OVERLAPPED_ENTRY` array GetQueuedCompletionStatusEx fills, kept per OS thread
    /// across calls (plain data: no pointer in it outlives the call that read it).
    static OVERLAPPED_ENTRIES: std::cell::Cell<Vec<io::OVERLAPPED_ENTRY>> =
        const { std::cell::Cell::new(Vec::new()) };
}

/// The calling thread's `GetLastError()` as a WinSock-side error.
fn win32_error() -> WsaError {
    // SAFETY: no arguments; reads thread-local state.
    WsaError::from_code(unsafe { GetLastError() } as i32)
}

impl Native {
    /// A packet from what the OS returned. `ov` is null or an `Op` pointer this backend
    /// made; `error` is `None` to take it from the record's status (GQCS-Ex reports none).
    fn packet(
        &self,
        bytes: u32,
        key: usize,
        ov: *mut io::OVERLAPPED,
        error: Option<Option<WsaError>>,
    ) -> CompletionPacket {
        let mut p = CompletionPacket {
            bytes: bytes as usize,
            key,
            overlapped: None,
            error: error.flatten(),
            bufs: Vec::new(),
            from: None,
            control: Vec::new(),
            msg_flags: 0,
        };
        if ov.is_null() {
            return p;
        }
        let op = ov.cast::<Op>();
        // SAFETY: every non-null lpOverlapped dequeued from a port of this backend is a live
        // leaked `Op` (posted, or of an operation on an associated socket); each packet is
        // dequeued once and only the dequeue takes such a record back, so it is live here.
        let (id, status, posted) = unsafe {
            (
                (*op).id.id,
                (*op).ov.Internal as i32,
                matches!((*op).kind, Kind::Posted),
            )
        };
        let record = match self.take_delivered(id, op) {
            Some(record) => Some(record),
            // SAFETY: a posted packet's record is never in the table: only ours now.
            None if posted => Some(unsafe { Box::from_raw(op) }),
            // Not a record this dequeue owns (cannot happen while the table is consistent):
            // leave it rather than free what someone else may free.
            None => None,
        };
        if error.is_none() && status < 0 && !posted {
            // An NTSTATUS error (or warning) from GQCS-Ex: the Win32 code GQCS would give.
            // SAFETY: a pure conversion of an integer.
            let code = unsafe { RtlNtStatusToDosError(status) };
            p.error = Some(WsaError::from_code(code as i32));
        }
        if let Some(op) = record {
            let c = self.finish_op(op, bytes, 0, p.error);
            p.overlapped = Some(c.overlapped);
            p.bufs = c.bufs;
            p.from = c.from;
            p.control = c.control;
            p.msg_flags = c.msg_flags;
        }
        p
    }

    /// Takes back the record `op` of operation `id`, whose completion a port (a completion
    /// port, or the pool's) delivered: once its issuing call has returned (waiting for that
    /// if need be: the OS may still read the record for it, see [`Pending::issuing`]), if it
    /// is pending in [`Mode::Port`]; else `None`.
    pub(super) fn take_delivered(&self, id: u64, op: *mut Op) -> Option<Box<Op>> {
        let mut tries = 0u32;
        loop {
            match self.inner.ops.lock().take_delivered(id, op) {
                Delivered::Record(record) => return Some(record),
                Delivered::NotOurs => return None,
                // The issuing call returns on its own (the OS has finished the operation),
                // without waiting for this thread; the lock is free meanwhile. A few yields
                // cover the usual moment; an issuer kept off the processor gets 1-ms sleeps.
                Delivered::Issuing if tries < 64 => std::thread::yield_now(),
                Delivered::Issuing => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
            tries = tries.saturating_add(1);
        }
    }

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
        if r.is_ok() {
            self.inner.ops.lock().associate(s.raw());
        }
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
            return Ok(self.packet(bytes, key, ov, Some(None)));
        }
        let e = win32_error();
        if ov.is_null() {
            finish(Err(e))
        } else {
            Ok(self.packet(bytes, key, ov, Some(Some(e))))
        }
    }

    /// `GetQueuedCompletionStatus` with the caller's `bytes` and `key` handed to the OS, which
    /// writes them or leaves them; `overlapped` follows what the OS wrote in lpOverlapped.
    fn get_queued_completion_status_out(
        &self,
        port: CompletionPort,
        bytes: &mut u32,
        key: &mut usize,
        overlapped: &mut Option<Overlapped>,
        timeout_ms: u32,
    ) -> Result<CompletionPacket, WsaError> {
        let h = match self.port(port) {
            Ok(h) => h,
            Err(e) => {
                *overlapped = None;
                return finish(Err(e));
            }
        };
        // A marker the OS overwrites (with NULL or a packet's OVERLAPPED) or leaves; never
        // dereferenced: only compared.
        let marker = std::ptr::NonNull::<io::OVERLAPPED>::dangling().as_ptr();
        let mut ov = marker;
        // SAFETY: `bytes` and `key` are the caller's live exclusive borrows and `ov` a live
        // local, all written only during the call; an owned port.
        let ok = unsafe { io::GetQueuedCompletionStatus(h, bytes, key, &mut ov, timeout_ms) };
        let e = (ok == 0).then(win32_error);
        if ov == marker {
            // Left untouched by the OS: so is the caller's.
            return match e {
                Some(e) => finish(Err(e)),
                None => Ok(self.packet(*bytes, *key, std::ptr::null_mut(), Some(None))),
            };
        }
        if ov.is_null() {
            *overlapped = None;
            return match e {
                Some(e) => finish(Err(e)),
                None => Ok(self.packet(*bytes, *key, ov, Some(None))),
            };
        }
        let p = self.packet(*bytes, *key, ov, Some(e));
        *overlapped = p.overlapped;
        Ok(p)
    }

    /// `GetQueuedCompletionStatusEx` into the caller's array: the OS fills an
    /// `OVERLAPPED_ENTRY` array this OS thread keeps across calls, and each entry becomes a
    /// packet pushed onto `entries`, so a worker that keeps its `Vec` allocates nothing per
    /// call but the packets' own records.
    fn get_queued_completion_status_ex_into(
        &self,
        port: CompletionPort,
        entries: &mut Vec<CompletionPacket>,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<usize, WsaError> {
        entries.clear();
        let h = match self.port(port) {
            Ok(h) => h,
            Err(e) => return finish(Err(e)),
        };
        if max == 0 {
            return finish(Err(WsaError::WSA_INVALID_PARAMETER));
        }
        let n = max.min(1024);
        // Taken out of the thread's slot for the call (an alertable wait may run a completion
        // routine that dequeues on this thread too: it finds the slot empty and uses a new
        // array) and put back after.
        let mut raw = OVERLAPPED_ENTRIES.with(|slot| slot.take());
        raw.clear();
        raw.resize_with(n, || io::OVERLAPPED_ENTRY {
            lpCompletionKey: 0,
            lpOverlapped: std::ptr::null_mut(),
            Internal: 0,
            dwNumberOfBytesTransferred: 0,
        });
        let mut removed = 0u32;
        // SAFETY: `raw` is a live array of `n` entries the call fills; `removed` is live;
        // an owned port.
        let ok = unsafe {
            io::GetQueuedCompletionStatusEx(
                h,
                raw.as_mut_ptr(),
                n as u32,
                &mut removed,
                timeout_ms,
                i32::from(alertable),
            )
        };
        let r = if ok == 0 {
            Err(win32_error())
        } else {
            entries.extend(raw[..removed as usize].iter().map(|e| {
                self.packet(
                    e.dwNumberOfBytesTransferred,
                    e.lpCompletionKey,
                    e.lpOverlapped,
                    None,
                )
            }));
            Ok(entries.len())
        };
        OVERLAPPED_ENTRIES.with(|slot| slot.set(raw));
        finish(r)
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
        let ptr = ov.map_or(std::ptr::null_mut(), |id: Overlapped| {
            Box::into_raw(Op::new(id, Kind::Posted, std::ptr::null_mut()))
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
        if r.is_ok() && flags & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS != 0 {
            self.inner.ops.lock().skip_on_success.insert(s.raw());
        }
        // WSAGetLastError is GetLastError on Windows: the OS's Win32 code comes through `on`.
        r.map(drop)
    }
}
