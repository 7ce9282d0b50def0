//! The helpers behind `sync.rs`: the calling thread's id and the OS error, finding a
//! handle's lock record or kernel object in the backend's table, duplicating kernel handles
//! (and events) for waits, the per-backend process globals, and running the console-control
//! handlers (the routine registered with `SetConsoleCtrlHandler`, and its registration, are
//! here).

use std::any::{Any, TypeId};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use windows_sys::Win32::Foundation::{
    DuplicateHandle, GetLastError, DUPLICATE_SAME_ACCESS, HANDLE,
};
use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
use windows_sys::Win32::System::Threading as th;

use super::lock_table::{CondVar, CritSec, Kernel, Srw};
use super::native::{Inner, Native};
use crate::api::{ConditionVariable, CriticalSection, SrwLock, WsaError, WsaEvent};

/// The calling thread's id.
pub(super) fn me() -> u32 {
    // SAFETY: no arguments.
    unsafe { th::GetCurrentThreadId() }
}

/// The calling thread's last error as a `WsaError`.
pub(super) fn os_error() -> WsaError {
    // SAFETY: no arguments; reads thread-local state.
    WsaError::from_code(unsafe { GetLastError() } as i32)
}

/// A BOOL result: FALSE becomes the OS's error.
pub(super) fn check(ok: i32) -> Result<(), WsaError> {
    if ok == 0 {
        Err(os_error())
    } else {
        Ok(())
    }
}

/// The backends that have console-control handlers, for the OS's HandlerRoutine.
pub(super) static CTRL_BACKENDS: Mutex<Vec<Weak<Inner>>> = Mutex::new(Vec::new());

/// The `HandlerRoutine` registered with `SetConsoleCtrlHandler`: runs on the OS's control
/// thread; TRUE when a handler of some backend handled the signal.
pub(super) unsafe extern "system" fn ctrl_routine(ctrl_type: u32) -> i32 {
    let backends: Vec<Native> = CTRL_BACKENDS
        .lock()
        .iter()
        .rev()
        .filter_map(|w| w.upgrade())
        .map(|inner| Native { inner })
        .collect();
    // A handler's panic must not unwind into the OS: it counts as "not handled".
    let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        backends.iter().any(|n| n.run_ctrl_handlers(ctrl_type))
    }));
    i32::from(handled.unwrap_or(false))
}

/// Adds `inner` to [`CTRL_BACKENDS`]; when no live backend is listed, registers
/// [`ctrl_routine`] with the OS first.
pub(super) fn register_ctrl_backend(inner: &Arc<Inner>) {
    let mut all = CTRL_BACKENDS.lock();
    all.retain(|w| w.strong_count() > 0);
    if all.is_empty() {
        // SAFETY: `ctrl_routine` is a plain function that lives as long as the process and
        // catches every panic; adding it twice is harmless (it is added once per time the list
        // is empty, and removed never).
        unsafe { SetConsoleCtrlHandler(Some(ctrl_routine), 1) };
    }
    all.push(Arc::downgrade(inner));
}

/// `DuplicateHandle` of `raw` into this process with the same access: a new handle of the
/// same object, which the caller owns and closes.
///
/// # Safety
///
/// `raw` must be an open handle that stays open until the call returns (the caller holds the
/// lock of the table that keeps it, or owns it), so the call cannot duplicate a handle value
/// that other code has closed and reused meanwhile.
pub(super) unsafe fn duplicate(raw: HANDLE) -> Result<HANDLE, WsaError> {
    let mut out: HANDLE = std::ptr::null_mut();
    // SAFETY: `raw` is open for the whole call (the caller's duty above); the current
    // process's pseudo-handle needs no closing; `out` is a live local the call writes.
    let ok = unsafe {
        let p = th::GetCurrentProcess();
        DuplicateHandle(p, raw, p, &mut out, 0, 0, DUPLICATE_SAME_ACCESS)
    };
    check(ok).map(|()| out)
}

/// `process_global` for [`Native`]: the value of type `T` stored in `n`'s table (clones of
/// one backend share it, as the threads of one process do), made by `init` the first time.
pub(super) fn process_global<T: Any + Send + Sync>(n: &Native, init: impl FnOnce() -> T) -> Arc<T> {
    let key = TypeId::of::<T>();
    let found = n.inner.sync.lock().globals.get(&key).cloned();
    if let Some(v) = found.and_then(|v| v.downcast::<T>().ok()) {
        return v;
    }
    // `init` runs without the lock: it may call the API.
    let v = Arc::new(init());
    let stored = n
        .inner
        .sync
        .lock()
        .globals
        .entry(key)
        .or_insert_with(|| v.clone() as Arc<dyn Any + Send + Sync>)
        .clone();
    stored.downcast::<T>().unwrap_or(v)
}

impl Native {
    /// A lock structure of this backend, cloned out of its table.
    pub(super) fn cs_obj(&self, cs: CriticalSection) -> Result<Arc<CritSec>, WsaError> {
        let t = self.inner.sync.lock();
        match t.cs.get(&cs.raw()) {
            Some(c) if !c.deleted.load(Ordering::Acquire) => Ok(c.clone()),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    pub(super) fn srw_obj(&self, lock: SrwLock) -> Result<Arc<Srw>, WsaError> {
        let t = self.inner.sync.lock();
        t.srw
            .get(&lock.raw())
            .cloned()
            .ok_or(WsaError::WSA_INVALID_HANDLE)
    }

    pub(super) fn cv_obj(&self, cv: ConditionVariable) -> Result<Arc<CondVar>, WsaError> {
        let t = self.inner.sync.lock();
        t.cv.get(&cv.raw())
            .cloned()
            .ok_or(WsaError::WSA_INVALID_HANDLE)
    }

    /// A duplicate of mutex, semaphore or waitable timer `raw` (when it is one of this
    /// backend's of that kind), made under the table's lock so a concurrent CloseHandle cannot
    /// pull it away: the caller waits on its own handle and closes it.
    pub(super) fn dup_kernel(&self, raw: usize, want: Kernel) -> Result<HANDLE, WsaError> {
        let t = self.inner.sync.lock();
        if t.kernel.get(&raw) != Some(&want) {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        // SAFETY: an open handle of this backend (the table holds it while its lock is held).
        unsafe { duplicate(raw as HANDLE) }
    }

    /// A duplicate of event `e` (when it is one of this backend's), made under the event
    /// table's lock as [`Native::dup_kernel`] makes its duplicates: the caller closes it.
    pub(super) fn dup_event(&self, e: WsaEvent) -> Result<HANDLE, WsaError> {
        let owned = self.inner.owned.lock();
        if !owned.events.contains(&(e.raw() as isize)) {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        // SAFETY: an open event of this backend (its table is locked, so not closed meanwhile).
        unsafe { duplicate(e.raw() as HANDLE) }
    }

    /// Whether `raw` is a kernel object of this backend of kind `want`.
    pub(super) fn is_kernel(&self, raw: usize, want: Kernel) -> bool {
        self.inner.sync.lock().kernel.get(&raw) == Some(&want)
    }

    /// Runs a kernel call on mutex, semaphore or timer `raw` while the table holds it.
    pub(super) fn on_kernel<T>(
        &self,
        raw: usize,
        want: Kernel,
        call: impl FnOnce(HANDLE) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        let t = self.inner.sync.lock();
        if t.kernel.get(&raw) != Some(&want) {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        call(raw as HANDLE)
    }

    /// Adds a kernel object the OS just created (a null handle: the OS's error).
    pub(super) fn adopt_kernel(&self, h: HANDLE, kind: Kernel) -> Result<usize, WsaError> {
        if h.is_null() {
            return Err(os_error());
        }
        self.inner.sync.lock().kernel.insert(h as usize, kind);
        Ok(h as usize)
    }

    /// Runs this backend's console-control handlers, the most recent first, until one
    /// returns true; whether one did.
    pub(super) fn run_ctrl_handlers(&self, ctrl_type: u32) -> bool {
        let ids: Vec<usize> = self
            .inner
            .sync
            .lock()
            .ctrl
            .iter()
            .rev()
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let taken = {
                let mut t = self.inner.sync.lock();
                t.ctrl
                    .iter_mut()
                    .find(|(i, _)| *i == id)
                    .and_then(|(_, h)| h.take())
            };
            let Some(mut handler) = taken else { continue };
            // The handler runs without the table's lock: it may call the API.
            let handled = handler(self, ctrl_type);
            if let Some(slot) = self
                .inner
                .sync
                .lock()
                .ctrl
                .iter_mut()
                .find(|(i, _)| *i == id)
            {
                slot.1 = Some(handler);
            }
            if handled {
                return true;
            }
        }
        false
    }

    /// Gives up the caller's hold of `c` fully (all its entries); the count it had.
    pub(super) fn cs_leave_all(c: &CritSec) -> u32 {
        let depth = c.depth.swap(0, Ordering::Relaxed);
        c.owner.store(0, Ordering::Release);
        for _ in 0..depth {
            // SAFETY: the caller owns the section `depth` times (checked by its owner record),
            // so each leave undoes one of its own entries.
            unsafe { th::LeaveCriticalSection(c.cs.get()) };
        }
        depth
    }

    /// Records the caller as the owner of `c` after the OS let it in; a section deleted
    /// meanwhile is left again at once (ERROR_INVALID_HANDLE).
    pub(super) fn cs_entered(c: &CritSec) -> Result<(), WsaError> {
        c.owner.store(me(), Ordering::Release);
        c.depth.fetch_add(1, Ordering::Relaxed);
        if c.deleted.load(Ordering::Acquire) {
            Native::cs_leave_all(c);
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        Ok(())
    }
}
