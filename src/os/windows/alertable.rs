//! Alertable waits and APCs of [`Native`]: `SleepEx`, `WaitForSingleObjectEx`,
//! `WaitForMultipleObjectsEx`, `QueueUserAPC`, and the completion-routine trampoline that
//! the overlapped calls pass as `lpCompletionRoutine`.
//!
//! The OS runs APCs inside the wait itself, on the waiting thread. A Rust panic must not
//! unwind through the OS's frames, so a routine or APC that panics is caught there and its
//! panic is resumed when the alertable wait returns to Rust code, on the same thread.

use std::any::Any;
use std::cell::RefCell;

use windows_sys::Win32::Foundation::{
    CloseHandle, GetLastError, SetLastError, HANDLE, WAIT_FAILED,
};
use windows_sys::Win32::System::Threading as th;
use windows_sys::Win32::System::IO as io;

use super::lock_table::Kernel;
use super::native::{finish, Native};
use super::op::Op;
use super::sync_lookup::duplicate;
use crate::api::sync::Handle;
use crate::api::{ApcRoutine, ThreadId, WsaError};

thread_local! {
    /// A panic of a routine or APC run on this thread, to resume after the wait.
    static APC_PANIC: RefCell<Option<Box<dyn Any + Send>>> = const { RefCell::new(None) };
}

/// Runs `f` (a user routine) catching its panic for [`resume_apc_panic`].
pub(super) fn run_caught(f: impl FnOnce()) {
    if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        APC_PANIC.with(|slot| {
            slot.borrow_mut().get_or_insert(p);
        });
    }
}

/// After an alertable wait: resumes the panic of a routine that ran during it.
///
/// The thread-local slot's lookup may go through TlsGetValue, which clears the thread's last
/// error; the error the wait left (a successful wait leaves the caller's) is put back.
fn resume_apc_panic() {
    // SAFETY: no arguments; reads thread-local state.
    let kept = unsafe { GetLastError() };
    if let Some(p) = APC_PANIC.with(|slot| slot.borrow_mut().take()) {
        std::panic::resume_unwind(p);
    }
    // SAFETY: an integer; writes thread-local state.
    unsafe { SetLastError(kept) };
}

/// The `lpCompletionRoutine` of every overlapped call made with a routine:
/// `void CALLBACK (DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED, DWORD dwFlags)`.
/// Takes the record back and calls the user's routine with the completion.
pub(super) unsafe extern "system" fn completion_routine(
    error: u32,
    bytes: u32,
    ov: *mut io::OVERLAPPED,
    flags: u32,
) {
    if ov.is_null() {
        return;
    }
    let op = ov.cast::<Op>();
    // SAFETY: the OS passes back the lpOverlapped of a call made with this routine, which is
    // always a live leaked `Op` in mode Routine (overlapped.rs); its completion runs this APC
    // once, and only this APC takes such a record back. `id` is read before the take.
    let id = unsafe { (*op).id.id };
    // SAFETY: as above; `owner` was set when the call was made and is only read here.
    let owner = unsafe { (*op).owner.as_ref() };
    let Some(native) = owner.and_then(|o| o.downcast_ref::<Native>()).cloned() else {
        return;
    };
    let record = {
        let mut t = native.inner.ops.lock();
        match t.pending.get(&id) {
            Some(p) if p.ptr.0 == op => t.take(id),
            // SAFETY: not (or no longer) in the table, yet handed to us by the OS once: the
            // record is ours alone (this cannot happen while the table is consistent).
            _ => Some(unsafe { Box::from_raw(op) }),
        }
    };
    let Some(mut record) = record else { return };
    let routine = record.routine.take();
    let e = (error != 0).then(|| WsaError::from_code(error as i32));
    let completion = native.finish_op(record, bytes, flags, e);
    if let Some(f) = routine {
        run_caught(|| f(completion));
    }
}

/// The `PAPCFUNC` of `QueueUserAPC`: `dwData` is a leaked `Box<(Native, ApcRoutine)>`.
unsafe extern "system" fn user_apc(data: usize) {
    // SAFETY: `queue_user_apc` leaked exactly this box and passed its address as dwData; the
    // OS runs each queued APC once.
    let b = unsafe { Box::from_raw(data as *mut (Native, ApcRoutine<Native>)) };
    let (n, f) = *b;
    run_caught(|| f(&n));
}

/// A handle the OS may wait on, closed on drop when it is a duplicate this backend made.
struct Waitable {
    h: HANDLE,
    owned: bool,
}

impl Drop for Waitable {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: a duplicate handle this backend made for one wait: closed once.
            unsafe { CloseHandle(self.h) };
        }
    }
}

impl Native {
    /// `h` as an OS handle: events of this backend as they are, and a duplicate
    /// ([`Native::duplicate_waitable`]) of every other kind.
    fn waitable(&self, h: Handle) -> Result<Waitable, WsaError> {
        match h {
            Handle::Event(e) => self.event(e).map(|raw| Waitable {
                h: raw as HANDLE,
                owned: false,
            }),
            Handle::Thread(_) | Handle::Mutex(_) | Handle::Semaphore(_) | Handle::Timer(_) => self
                .duplicate_waitable(h)
                .map(|h| Waitable { h, owned: true }),
        }
    }

    /// A duplicate of `h`, which the caller owns and closes: threads this backend created (so
    /// a wait survives the thread being joined meanwhile), its mutexes, semaphores and
    /// waitable timers (so a concurrent CloseHandle cannot pull the object away mid-wait), and
    /// its events (for a wait that outlives the call, as a registered wait does). Each is
    /// duplicated under the lock of the table that holds it; a handle of none of these:
    /// ERROR_INVALID_HANDLE, no OS call.
    pub(super) fn duplicate_waitable(&self, h: Handle) -> Result<HANDLE, WsaError> {
        match h {
            Handle::Event(e) => self.dup_event(e),
            Handle::Thread(t) => self
                .inner
                .threads
                .with_os_handle(t, |raw| {
                    // SAFETY: `raw` is the live handle of a thread this backend started (the
                    // thread table holds it while this runs).
                    unsafe { duplicate(raw as HANDLE) }.ok()
                })
                .flatten()
                .ok_or(WsaError::WSA_INVALID_HANDLE),
            Handle::Mutex(m) => self.dup_kernel(m.raw(), Kernel::Mutex),
            Handle::Semaphore(s) => self.dup_kernel(s.raw(), Kernel::Semaphore),
            Handle::Timer(t) => self.dup_kernel(t.raw(), Kernel::Timer),
        }
    }

    /// `SleepEx`.
    pub(super) fn sleep_ex_call(&self, ms: u32, alertable: bool) -> u32 {
        // SAFETY: integers only; APCs it runs are this backend's trampolines.
        let r = unsafe { th::SleepEx(ms, i32::from(alertable)) };
        resume_apc_panic();
        r
    }

    /// `WaitForSingleObjectEx`.
    pub(super) fn wait_one(&self, h: Handle, ms: u32, alertable: bool) -> Result<u32, WsaError> {
        let w = match self.waitable(h) {
            Ok(w) => w,
            Err(e) => return finish(Err(e)),
        };
        // SAFETY: an open handle of this backend (or its own duplicate), integers otherwise.
        let r = unsafe { th::WaitForSingleObjectEx(w.h, ms, i32::from(alertable)) };
        let r = wait_result(r);
        drop(w);
        resume_apc_panic();
        r
    }

    /// `SignalObjectAndWait`: both handles as `wait_one` takes them (a thread's own duplicate
    /// as the object to signal makes the OS refuse it, ERROR_INVALID_HANDLE, as Windows does).
    pub(super) fn signal_and_wait(
        &self,
        signal: Handle,
        wait: Handle,
        ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        let s = match self.waitable(signal) {
            Ok(s) => s,
            Err(e) => return finish(Err(e)),
        };
        let w = match self.waitable(wait) {
            Ok(w) => w,
            Err(e) => return finish(Err(e)),
        };
        // SAFETY: two open handles of this backend (or its own duplicates), integers
        // otherwise; both stay open until the call returns.
        let r = unsafe { th::SignalObjectAndWait(s.h, w.h, ms, i32::from(alertable)) };
        let r = wait_result(r);
        drop(s);
        drop(w);
        resume_apc_panic();
        r
    }

    /// `WaitForMultipleObjectsEx`.
    pub(super) fn wait_many(
        &self,
        hs: &[Handle],
        all: bool,
        ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        // Checked before any handle is duplicated: the OS cannot see that two duplicates name
        // one object, which a wait-all refuses.
        if hs.is_empty() || hs.len() > crate::api::sync::MAXIMUM_WAIT_OBJECTS {
            return finish(Err(WsaError::WSA_INVALID_PARAMETER));
        }
        if all && hs.iter().enumerate().any(|(i, h)| hs[..i].contains(h)) {
            return finish(Err(WsaError::WSA_INVALID_PARAMETER));
        }
        self.wait_os(hs, |raw| {
            // SAFETY: `raw` is a live array of exactly `raw.len()` open handles (the OS checks
            // the count: 0 or more than 64 is ERROR_INVALID_PARAMETER).
            unsafe {
                th::WaitForMultipleObjectsEx(
                    raw.len() as u32,
                    raw.as_ptr(),
                    i32::from(all),
                    ms,
                    i32::from(alertable),
                )
            }
        })
    }

    /// `MsgWaitForMultipleObjectsEx`: the handles as `wait_many` takes them (each a handle of
    /// this backend, or its own duplicate), and the calling thread's message queue.
    pub(super) fn msg_wait(
        &self,
        hs: &[Handle],
        ms: u32,
        wake_mask: u32,
        flags: u32,
    ) -> Result<u32, WsaError> {
        if hs.len() > crate::api::sync::MAXIMUM_WAIT_OBJECTS - 1 {
            return finish(Err(WsaError::WSA_INVALID_PARAMETER));
        }
        self.wait_os(hs, |raw| {
            // SAFETY: `raw` is a live array of exactly `raw.len()` open handles (none: the
            // count is 0 and the OS reads nothing); integers otherwise.
            unsafe {
                windows_sys::Win32::UI::WindowsAndMessaging::MsgWaitForMultipleObjectsEx(
                    raw.len() as u32,
                    raw.as_ptr(),
                    ms,
                    wake_mask,
                    flags,
                )
            }
        })
    }

    /// A wait of the OS (`wait`) over `hs` as OS handles (each a handle of this backend, or
    /// its own duplicate, closed after the wait): its result, WAIT_FAILED as the OS's error,
    /// and a panic of an APC run meanwhile resumed.
    fn wait_os(&self, hs: &[Handle], wait: impl FnOnce(&[HANDLE]) -> u32) -> Result<u32, WsaError> {
        let mut ws = Vec::with_capacity(hs.len());
        for &h in hs {
            match self.waitable(h) {
                Ok(w) => ws.push(w),
                Err(e) => return finish(Err(e)),
            }
        }
        let raw: Vec<HANDLE> = ws.iter().map(|w| w.h).collect();
        let r = wait_result(wait(&raw));
        drop(ws);
        resume_apc_panic();
        r
    }

    /// `QueueUserAPC` to a thread this backend started.
    pub(super) fn queue_apc(&self, apc: ApcRoutine<Native>, t: ThreadId) -> Result<(), WsaError> {
        let data = Box::into_raw(Box::new((self.clone(), apc)));
        let queued = self.inner.threads.with_os_handle(t, |raw| {
            // SAFETY: `raw` is the live handle of a thread this backend started; `user_apc`
            // takes `data` back when the APC runs.
            unsafe { th::QueueUserAPC(Some(user_apc), raw as HANDLE, data as usize) }
        });
        match queued {
            Some(0) | None => {
                let e = if queued.is_none() {
                    WsaError::WSA_INVALID_HANDLE
                } else {
                    // SAFETY: no arguments; reads thread-local state.
                    WsaError::from_code(unsafe { GetLastError() } as i32)
                };
                // SAFETY: the APC was not queued, so the OS never saw `data`: still only ours.
                drop(unsafe { Box::from_raw(data) });
                finish(Err(e))
            }
            Some(_) => finish(Ok(())),
        }
    }
}

/// A wait's return value: WAIT_FAILED becomes the OS's error.
fn wait_result(r: u32) -> Result<u32, WsaError> {
    if r == WAIT_FAILED {
        // SAFETY: no arguments; reads thread-local state.
        finish(Err(WsaError::from_code(unsafe { GetLastError() } as i32)))
    } else {
        Ok(r)
    }
}
