//! Handle flags for [`Native`]: kernel32's `GetHandleInformation` / `SetHandleInformation`
//! on this backend's sockets and kernel objects, and what HANDLE_FLAG_PROTECT_FROM_CLOSE does
//! to its close paths: `CloseHandle` is still called (the OS refuses it) and the handle
//! stays in the backend's tables, so the calls that check them still take it. A thread's
//! handle here is its id, not an OS handle: its flags are kept in a table of this backend,
//! and a protected one's `CloseHandle` is refused (ERROR_INVALID_HANDLE) as the OS refuses
//! the others.

use windows_sys::Win32::Foundation::{
    CloseHandle, GetHandleInformation, SetHandleInformation, HANDLE,
};
use windows_sys::Win32::Networking::WinSock as ws;

use super::lock_table::Kernel;
use super::native::{last_error, Native};
use super::sync_lookup::check;
use crate::api::duplicate_handle::{HANDLE_FLAG_INHERIT, HANDLE_FLAG_PROTECT_FROM_CLOSE};
use crate::api::{Handle, WsaError};

/// The OS's flags of handle `raw`.
pub(super) fn os_flags(raw: usize) -> Result<u32, WsaError> {
    let mut f = 0u32;
    // SAFETY: `raw` is passed as a value the OS checks; `f` is a local the call writes.
    check(unsafe { GetHandleInformation(raw as HANDLE, &mut f) }).map(|()| f)
}

/// SetHandleInformation on handle `raw`.
pub(super) fn set_os_flags(raw: usize, mask: u32, flags: u32) -> Result<(), WsaError> {
    // SAFETY: `raw` is passed as a value the OS checks; the rest are integers.
    check(unsafe { SetHandleInformation(raw as HANDLE, mask, flags) })
}

/// Whether handle `raw` is protected from close.
fn protected(raw: usize) -> bool {
    os_flags(raw).is_ok_and(|f| f & HANDLE_FLAG_PROTECT_FROM_CLOSE != 0)
}

impl Native {
    /// The OS handle behind kernel-object handle `h` (not a thread's), if this backend made
    /// it; else ERROR_INVALID_HANDLE.
    pub(super) fn kernel_raw(&self, h: Handle) -> Result<usize, WsaError> {
        let (raw, kind) = match h {
            Handle::Event(e) => return self.event(e).map(|raw| raw as usize),
            Handle::Mutex(m) => (m.raw(), Kernel::Mutex),
            Handle::Semaphore(s) => (s.raw(), Kernel::Semaphore),
            Handle::Timer(t) => (t.raw(), Kernel::Timer),
            Handle::Thread(_) => return Err(WsaError::WSA_INVALID_HANDLE),
        };
        if self.is_kernel(raw, kind) {
            Ok(raw)
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        }
    }

    /// The flags of thread handle `t`'s id, if this backend started it.
    pub(super) fn thread_flags(&self, t: usize) -> Result<u32, WsaError> {
        if !self.inner.threads.contains(crate::api::ThreadId(t)) {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        Ok(self.inner.thread_flags.lock().get(&t).copied().unwrap_or(0))
    }

    /// Sets thread `t`'s handle flags as SetHandleInformation does.
    pub(super) fn set_thread_flags(&self, t: usize, mask: u32, flags: u32) -> Result<(), WsaError> {
        let old = self.thread_flags(t)?;
        let mask = mask & (HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE);
        let new = (old & !mask) | (flags & mask);
        let mut map = self.inner.thread_flags.lock();
        if new == 0 {
            map.remove(&t);
        } else {
            map.insert(t, new);
        }
        Ok(())
    }

    /// `CloseHandle` of a protected handle of this backend: the OS's refusal (the handle
    /// kept), or ERROR_INVALID_HANDLE for a protected thread handle; `None` when `h` is not
    /// one (the close goes on).
    pub(super) fn close_protected(&self, h: Handle) -> Option<Result<(), WsaError>> {
        if let Handle::Thread(t) = h {
            let f = self.thread_flags(t.index()).ok()?;
            return (f & HANDLE_FLAG_PROTECT_FROM_CLOSE != 0)
                .then_some(Err(WsaError::WSA_INVALID_HANDLE));
        }
        let raw = self.kernel_raw(h).ok()?;
        // SAFETY: an open handle of this backend that the OS will not close (protected): it
        // stays in the tables, and the call only fails.
        protected(raw).then(|| check(unsafe { CloseHandle(raw as HANDLE) }))
    }

    /// `closesocket` of a protected socket of this backend: what ws2_32 returns (Wine's
    /// returns 0 and leaves it open), the socket kept in the tables; `None` when it is not
    /// one.
    pub(super) fn closesocket_protected(&self, raw: usize) -> Option<Result<(), WsaError>> {
        let ours = self.inner.owned.lock().sockets.contains(&raw);
        if !ours || !protected(raw) {
            return None;
        }
        // SAFETY: an open socket of this backend that the OS will not close (protected): it
        // stays in the tables.
        Some(match unsafe { ws::closesocket(raw) } {
            ws::SOCKET_ERROR => Err(last_error()),
            _ => Ok(()),
        })
    }
}
