//! [`DuplicateHandles`] for [`Native`]: kernel32's DuplicateHandle within this process. The
//! handle duplicated must be one of this backend's (a socket, an event, a mutex, a semaphore
//! or a waitable timer in its tables: else ERROR_INVALID_HANDLE before the call); the new one
//! joins the same table, so the calls that check it take the duplicate. The table stays
//! locked across the OS call, so no close through this backend can close the source meanwhile.
//!
//! Difference from Windows: a waitable timer set with a completion routine through one handle
//! is cancelled when that handle is closed, even while a duplicate stays open (this backend
//! must take the setting's APCs back before it frees the routine: `waitable_timer.rs`).
//! Windows lets the setting run on. A thread's handle here is its [`ThreadId`], which needs
//! no closing: its duplicate is the same value, as in the simulator.
//!
//! [`ThreadId`]: crate::api::ThreadId

use windows_sys::Win32::Foundation::{DuplicateHandle, DUPLICATE_SAME_ACCESS, HANDLE};
use windows_sys::Win32::System::Threading::GetCurrentProcess;

use super::handle_flags::{os_flags, set_os_flags};
use super::lock_table::Kernel;
use super::native::{finish_kept, Native};
use super::sync_lookup::check;
use crate::api::duplicate_handle::{
    DuplicateHandles, DUPLICATE_CLOSE_SOURCE, HANDLE_FLAG_PROTECT_FROM_CLOSE,
};
use crate::api::{Handle, Socket, WsaError};

/// `DuplicateHandle(GetCurrentProcess(), raw, GetCurrentProcess(), &out, 0, FALSE,
/// DUPLICATE_SAME_ACCESS)`: the new handle, or the OS's error.
fn duplicate(raw: usize) -> Result<usize, WsaError> {
    let mut out: HANDLE = std::ptr::null_mut();
    // SAFETY: `raw` is an open handle of this backend, kept open for the call by the table
    // lock the caller holds; the pseudo-handle of the current process needs no closing; `out`
    // is a local the call writes before it returns.
    let ok = unsafe {
        let me = GetCurrentProcess();
        DuplicateHandle(me, raw as HANDLE, me, &mut out, 0, 0, DUPLICATE_SAME_ACCESS)
    };
    check(ok).map(|()| out as usize)
}

/// DuplicateHandle of `raw` with `bInheritHandle` and `dwOptions` (DUPLICATE_SAME_ACCESS
/// added): the new handle, and whether the OS closed the source (DUPLICATE_CLOSE_SOURCE on a
/// handle not protected from close).
fn duplicate_with(raw: usize, inherit: bool, options: u32) -> Result<(usize, bool), WsaError> {
    let closes = options & DUPLICATE_CLOSE_SOURCE != 0
        && os_flags(raw).is_ok_and(|f| f & HANDLE_FLAG_PROTECT_FROM_CLOSE == 0);
    let mut out: HANDLE = std::ptr::null_mut();
    // SAFETY: `raw` is an open handle of this backend (the caller checked its tables); the
    // pseudo-handle of the current process needs no closing; `out` is a local the call
    // writes before it returns.
    let ok = unsafe {
        let me = GetCurrentProcess();
        let options = options | DUPLICATE_SAME_ACCESS;
        DuplicateHandle(
            me,
            raw as HANDLE,
            me,
            &mut out,
            0,
            i32::from(inherit),
            options,
        )
    };
    check(ok).map(|()| (out as usize, closes))
}

impl Native {
    /// A duplicate of kernel object `raw` of kind `kind`, added to the table as that kind.
    fn duplicate_kernel(&self, raw: usize, kind: Kernel) -> Result<usize, WsaError> {
        let mut t = self.inner.sync.lock();
        if t.kernel.get(&raw) != Some(&kind) {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        let new = duplicate(raw)?;
        t.kernel.insert(new, kind);
        Ok(new)
    }

    /// A duplicate of event `raw`, added to the events.
    fn duplicate_event(&self, raw: usize) -> Result<usize, WsaError> {
        let mut o = self.inner.owned.lock();
        if !o.events.contains(&(raw as isize)) {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        let new = duplicate(raw)?;
        o.events.insert(new as isize);
        Ok(new)
    }
}

impl DuplicateHandles for Native {
    /// `DuplicateHandle` on an event, a mutex, a semaphore, a timer or a thread of this
    /// backend; the last error is kept on success.
    fn duplicate_handle(&self, h: Handle) -> Result<Handle, WsaError> {
        let r = match h {
            Handle::Event(e) => self.duplicate_event(e.raw()),
            Handle::Mutex(m) => self.duplicate_kernel(m.raw(), Kernel::Mutex),
            Handle::Semaphore(s) => self.duplicate_kernel(s.raw(), Kernel::Semaphore),
            Handle::Timer(t) => self.duplicate_kernel(t.raw(), Kernel::Timer),
            Handle::Thread(t) if self.inner.threads.contains(t) => Ok(t.index()),
            Handle::Thread(_) => Err(WsaError::WSA_INVALID_HANDLE),
        }
        .map(|n| h.with_value(n));
        finish_kept(r)
    }

    /// `DuplicateHandle` on a socket of this backend: the duplicate is a socket of this
    /// backend too (WinSock's own calls decide what they make of it). An event of this
    /// backend passed as a SOCKET is duplicated as an event, as Windows duplicates whatever a
    /// handle names.
    fn duplicate_socket_handle(&self, s: Socket) -> Result<Socket, WsaError> {
        let raw = s.raw();
        let r = {
            let mut o = self.inner.owned.lock();
            if o.sockets.contains(&raw) {
                duplicate(raw).inspect(|&n| {
                    o.sockets.insert(n);
                })
            } else if o.events.contains(&(raw as isize)) {
                drop(o);
                self.duplicate_event(raw)
            } else {
                Err(WsaError::WSA_INVALID_HANDLE)
            }
        };
        finish_kept(r.map(Socket::from_raw))
    }

    /// `DuplicateHandle` with `bInheritHandle` and `dwOptions` on a handle of this backend:
    /// the OS's call; a source the OS closed (DUPLICATE_CLOSE_SOURCE, not protected) leaves
    /// this backend's tables and the duplicate joins them as the same kind.
    fn duplicate_handle_ex(
        &self,
        h: Handle,
        inherit: bool,
        options: u32,
    ) -> Result<Handle, WsaError> {
        if let Handle::Thread(t) = h {
            return finish_kept(if self.inner.threads.contains(t) {
                Ok(h)
            } else {
                Err(WsaError::WSA_INVALID_HANDLE)
            });
        }
        let r = self.kernel_raw(h).and_then(|raw| {
            let kind = match h {
                Handle::Mutex(_) => Some(Kernel::Mutex),
                Handle::Semaphore(_) => Some(Kernel::Semaphore),
                Handle::Timer(_) => Some(Kernel::Timer),
                _ => None,
            };
            if kind == Some(Kernel::Timer) && options & DUPLICATE_CLOSE_SOURCE != 0 {
                // Its completion routine goes with the source, as with close_handle.
                if self.inner.sync.lock().timer_args.contains_key(&raw) {
                    let _ = self.stop_timer(raw);
                }
            }
            let (out, closed) = duplicate_with(raw, inherit, options)?;
            match kind {
                None => {
                    let mut o = self.inner.owned.lock();
                    if closed {
                        o.events.remove(&(raw as isize));
                    }
                    o.events.insert(out as isize);
                }
                Some(k) => {
                    let mut t = self.inner.sync.lock();
                    if closed {
                        t.kernel.remove(&raw);
                    }
                    t.kernel.insert(out, k);
                }
            }
            Ok(out)
        });
        finish_kept(r.map(|out| h.with_value(out)))
    }

    /// `DuplicateHandle` with `bInheritHandle` and `dwOptions` on a socket of this backend.
    fn duplicate_socket_handle_ex(
        &self,
        s: Socket,
        inherit: bool,
        options: u32,
    ) -> Result<Socket, WsaError> {
        let raw = s.raw();
        let r = {
            let mut o = self.inner.owned.lock();
            if o.sockets.contains(&raw) {
                duplicate_with(raw, inherit, options).map(|(out, closed)| {
                    if closed {
                        o.sockets.remove(&raw);
                    }
                    o.sockets.insert(out);
                    out
                })
            } else {
                Err(WsaError::WSA_INVALID_HANDLE)
            }
        };
        finish_kept(r.map(Socket::from_raw))
    }

    /// `GetHandleInformation` on a handle of this backend (a thread's: this backend's table).
    fn get_handle_information(&self, h: Handle) -> Result<u32, WsaError> {
        finish_kept(match h {
            Handle::Thread(t) => self.thread_flags(t.index()),
            _ => self.kernel_raw(h).and_then(os_flags),
        })
    }

    /// `SetHandleInformation` on a handle of this backend.
    fn set_handle_information(&self, h: Handle, mask: u32, flags: u32) -> Result<(), WsaError> {
        finish_kept(match h {
            Handle::Thread(t) => self.set_thread_flags(t.index(), mask, flags),
            _ => self
                .kernel_raw(h)
                .and_then(|raw| set_os_flags(raw, mask, flags)),
        })
    }

    /// `GetHandleInformation((HANDLE)s)`: the OS checks the value.
    fn get_socket_handle_information(&self, s: Socket) -> Result<u32, WsaError> {
        finish_kept(os_flags(s.raw()))
    }

    /// `SetHandleInformation((HANDLE)s, ...)`: the OS checks the value.
    fn set_socket_handle_information(
        &self,
        s: Socket,
        mask: u32,
        flags: u32,
    ) -> Result<(), WsaError> {
        finish_kept(set_os_flags(s.raw(), mask, flags))
    }
}
