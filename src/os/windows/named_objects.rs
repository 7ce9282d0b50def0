//! [`NamedObjects`] for [`Native`]: kernel32's `Create*W` with a name and `Open*W` (with
//! every access right). The name is cut at its first NUL and refused from `MAX_PATH`
//! characters on, as the `A` calls do, then passed as UTF-16. A handle made here joins the
//! backend's tables like an unnamed one (an event among its events, the rest as kernel
//! objects), so every other call takes it.

use windows_sys::Win32::Foundation::{GetLastError, ERROR_ALREADY_EXISTS, HANDLE};
use windows_sys::Win32::System::Threading as th;

use super::lock_table::Kernel;
use super::native::{finish, Native};
use super::sync_lookup::os_error;
use crate::api::named_objects::{object_name, NamedObjects};
use crate::api::{MutexHandle, SemaphoreHandle, TimerHandle, WsaError, WsaEvent};

/// A name as a NUL-terminated UTF-16 string, or the call's error for it.
fn wide(name: &str) -> Result<Vec<u16>, WsaError> {
    Ok(object_name(name)?
        .encode_utf16()
        .chain(std::iter::once(0))
        .collect())
}

/// A NUL-terminated UTF-16 name for an `Open*`, or `None` for C's NULL.
fn wide_opt(name: Option<&str>) -> Result<Option<Vec<u16>>, WsaError> {
    name.map(wide).transpose()
}

/// The pointer an `Open*` takes for `name`.
fn ptr(name: &Option<Vec<u16>>) -> *const u16 {
    name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr())
}

impl Native {
    /// A `Create*`'s handle, and whether the name was in use (the last error the OS set,
    /// ERROR_ALREADY_EXISTS or 0, is left as it is).
    fn created(&self, h: HANDLE, kind: Option<Kernel>) -> Result<(usize, bool), WsaError> {
        if h.is_null() {
            return finish(Err(os_error()));
        }
        // SAFETY: no arguments; reads the last error the Create* call just set.
        let existed = unsafe { GetLastError() } == ERROR_ALREADY_EXISTS;
        match kind {
            None => {
                self.inner.owned.lock().events.insert(h as isize);
            }
            Some(k) => {
                self.inner.sync.lock().kernel.insert(h as usize, k);
            }
        }
        Ok((h as usize, existed))
    }

    /// An `Open*`'s handle (the last error kept when it succeeds).
    fn opened(&self, h: HANDLE, kind: Option<Kernel>) -> Result<usize, WsaError> {
        self.created(h, kind).map(|(h, _)| h)
    }
}

impl NamedObjects for Native {
    fn create_event_named(
        &self,
        manual_reset: bool,
        initial_state: bool,
        name: &str,
    ) -> Result<(WsaEvent, bool), WsaError> {
        let name = wide(name).or_else(|e| finish(Err(e)))?;
        // SAFETY: null attributes; `name` is a live NUL-terminated UTF-16 string.
        let h = unsafe {
            th::CreateEventW(
                std::ptr::null(),
                i32::from(manual_reset),
                i32::from(initial_state),
                name.as_ptr(),
            )
        };
        self.created(h, None)
            .map(|(h, e)| (WsaEvent::from_raw(h), e))
    }

    fn open_event(&self, name: Option<&str>) -> Result<WsaEvent, WsaError> {
        let name = wide_opt(name).or_else(|e| finish(Err(e)))?;
        // SAFETY: `name` is NULL or a live NUL-terminated UTF-16 string.
        let h = unsafe { th::OpenEventW(th::EVENT_ALL_ACCESS, 0, ptr(&name)) };
        self.opened(h, None).map(WsaEvent::from_raw)
    }

    fn create_mutex_named(
        &self,
        initial_owner: bool,
        name: &str,
    ) -> Result<(MutexHandle, bool), WsaError> {
        let name = wide(name).or_else(|e| finish(Err(e)))?;
        // SAFETY: null attributes; `name` is a live NUL-terminated UTF-16 string.
        let h =
            unsafe { th::CreateMutexW(std::ptr::null(), i32::from(initial_owner), name.as_ptr()) };
        self.created(h, Some(Kernel::Mutex))
            .map(|(h, e)| (MutexHandle::from_raw(h), e))
    }

    fn open_mutex(&self, name: Option<&str>) -> Result<MutexHandle, WsaError> {
        let name = wide_opt(name).or_else(|e| finish(Err(e)))?;
        // SAFETY: `name` is NULL or a live NUL-terminated UTF-16 string.
        let h = unsafe { th::OpenMutexW(th::MUTEX_ALL_ACCESS, 0, ptr(&name)) };
        self.opened(h, Some(Kernel::Mutex))
            .map(MutexHandle::from_raw)
    }

    fn create_semaphore_named(
        &self,
        initial: i32,
        maximum: i32,
        name: &str,
    ) -> Result<(SemaphoreHandle, bool), WsaError> {
        let name = wide(name).or_else(|e| finish(Err(e)))?;
        // SAFETY: null attributes; `name` is a live NUL-terminated UTF-16 string.
        let h = unsafe { th::CreateSemaphoreW(std::ptr::null(), initial, maximum, name.as_ptr()) };
        self.created(h, Some(Kernel::Semaphore))
            .map(|(h, e)| (SemaphoreHandle::from_raw(h), e))
    }

    fn open_semaphore(&self, name: Option<&str>) -> Result<SemaphoreHandle, WsaError> {
        let name = wide_opt(name).or_else(|e| finish(Err(e)))?;
        // SAFETY: `name` is NULL or a live NUL-terminated UTF-16 string.
        let h = unsafe { th::OpenSemaphoreW(th::SEMAPHORE_ALL_ACCESS, 0, ptr(&name)) };
        self.opened(h, Some(Kernel::Semaphore))
            .map(SemaphoreHandle::from_raw)
    }

    fn create_waitable_timer_named(
        &self,
        manual_reset: bool,
        name: &str,
    ) -> Result<(TimerHandle, bool), WsaError> {
        let name = wide(name).or_else(|e| finish(Err(e)))?;
        // SAFETY: null attributes; `name` is a live NUL-terminated UTF-16 string.
        let h = unsafe {
            th::CreateWaitableTimerW(std::ptr::null(), i32::from(manual_reset), name.as_ptr())
        };
        self.created(h, Some(Kernel::Timer))
            .map(|(h, e)| (TimerHandle::from_raw(h), e))
    }

    fn create_waitable_timer_ex(
        &self,
        name: Option<&str>,
        flags: u32,
    ) -> Result<(TimerHandle, bool), WsaError> {
        let name = wide_opt(name).or_else(|e| finish(Err(e)))?;
        // SAFETY: null attributes; `name` is NULL or a live NUL-terminated UTF-16 string.
        let h = unsafe {
            th::CreateWaitableTimerExW(std::ptr::null(), ptr(&name), flags, th::TIMER_ALL_ACCESS)
        };
        self.created(h, Some(Kernel::Timer))
            .map(|(h, e)| (TimerHandle::from_raw(h), e))
    }

    fn open_waitable_timer(&self, name: Option<&str>) -> Result<TimerHandle, WsaError> {
        let name = wide_opt(name).or_else(|e| finish(Err(e)))?;
        // SAFETY: `name` is NULL or a live NUL-terminated UTF-16 string.
        let h = unsafe { th::OpenWaitableTimerW(th::TIMER_ALL_ACCESS, 0, ptr(&name)) };
        self.opened(h, Some(Kernel::Timer))
            .map(TimerHandle::from_raw)
    }
}
