//! Named kernel objects: `CreateEvent`, `CreateMutex`, `CreateSemaphore` and
//! `CreateWaitableTimer` with a name, and `OpenEvent`, `OpenMutex`, `OpenSemaphore`,
//! `OpenWaitableTimer` ([`NamedObjects`]).
//!
//! How a server makes sure it runs once (a named mutex that already exists), or lets another
//! part of the program find a shared event by name. As kernel32's sync.c (`test_event`,
//! `test_mutex`, `test_semaphore`, `test_waitable_timer`) and the documentation have it on
//! Windows:
//! - A `Create*` of a name no object has makes a new object with that name (last error 0).
//!   Of a name an object of the same kind has, it returns a new handle on that object, with
//!   the last error ERROR_ALREADY_EXISTS, and its other arguments are ignored (a mutex is not
//!   acquired, an event not set). Of a name an object of another kind has, it fails with
//!   ERROR_INVALID_HANDLE.
//! - An `Open*` of a name returns a new handle on the object (with every access right; the
//!   last error kept); of a name nothing has, ERROR_FILE_NOT_FOUND; of another kind's,
//!   ERROR_INVALID_HANDLE; without a name (`None`: C's NULL), ERROR_INVALID_PARAMETER.
//! - Names are case-sensitive. A name lives while a handle on its object is open: once the
//!   last is closed, the name is free again.
//! - The namespace is the session's: `Local\name` is `name`; `Global\name` is in the
//!   machine's global namespace, another one (as for an interactive program; a service in
//!   session 0 finds both the same). Any other backslash names a directory that does not
//!   exist: ERROR_PATH_NOT_FOUND. An empty name makes an unnamed object, and opens nothing
//!   (ERROR_INVALID_HANDLE, the namespace's directory itself being no such object).
//! - A name of `MAX_PATH` (260) characters or more is ERROR_FILENAME_EXCED_RANGE, as the
//!   `A` calls give; a name stops at its first NUL, as C's does.
//!
//! Handles from these calls are like the unnamed ones: closed with `close_handle`, waited on,
//! duplicated. In the simulator the namespace is each host's (a host is one machine).

use super::sync::{MutexHandle, SemaphoreHandle, TimerHandle};
use super::waitable_timer::WaitableTimers;
use super::{WsaError, WsaEvent};

/// `MAX_PATH`: names must be shorter.
pub const MAX_PATH: usize = 260;

/// A name as the calls read it: up to its first NUL, and shorter than `MAX_PATH` (else
/// ERROR_FILENAME_EXCED_RANGE, counted in UTF-16 units as Windows stores it).
pub(crate) fn object_name(name: &str) -> Result<&str, WsaError> {
    let name = name.split('\0').next().unwrap_or("");
    if name.encode_utf16().count() >= MAX_PATH {
        return Err(WsaError::ERROR_FILENAME_EXCED_RANGE);
    }
    Ok(name)
}

/// The named-object calls. Each `create_*_named` returns the handle and whether the name
/// was in use (then the last error is ERROR_ALREADY_EXISTS).
///
/// ```
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::Sim;
///
/// let mut sim = Sim::builder().seed(1).build();
/// sim.host("server", "192.0.2.1").spawn("main", |ws| {
///     // The single-instance check of a service.
///     let (first, existed) = ws.create_mutex_named(false, "Global\\MyService")?;
///     assert!(!existed);
///     let (second, existed) = ws.create_mutex_named(false, "Global\\MyService")?;
///     assert!(existed, "a second instance finds the name in use");
///     assert_eq!(ws.wsa_get_last_error(), WsaError::ERROR_ALREADY_EXISTS.code());
///     ws.close_handle(second.into())?;
///     ws.close_handle(first.into())?;
///     assert_eq!(
///         ws.open_mutex(Some("Global\\MyService")),
///         Err(WsaError::ERROR_FILE_NOT_FOUND),
///         "gone with its last handle"
///     );
///     Ok(())
/// });
/// sim.run().expect("the run succeeds");
/// ```
pub trait NamedObjects: WaitableTimers {
    /// `CreateEvent(NULL, bManualReset, bInitialState, lpName)`.
    fn create_event_named(
        &self,
        manual_reset: bool,
        initial_state: bool,
        name: &str,
    ) -> Result<(WsaEvent, bool), WsaError>;

    /// `OpenEvent(EVENT_ALL_ACCESS, FALSE, lpName)`.
    fn open_event(&self, name: Option<&str>) -> Result<WsaEvent, WsaError>;

    /// `CreateMutex(NULL, bInitialOwner, lpName)`: an existing mutex is not acquired.
    fn create_mutex_named(
        &self,
        initial_owner: bool,
        name: &str,
    ) -> Result<(MutexHandle, bool), WsaError>;

    /// `OpenMutex(MUTEX_ALL_ACCESS, FALSE, lpName)`.
    fn open_mutex(&self, name: Option<&str>) -> Result<MutexHandle, WsaError>;

    /// `CreateSemaphore(NULL, lInitialCount, lMaximumCount, lpName)`: the counts are checked
    /// first (ERROR_INVALID_PARAMETER), even for a name in use.
    fn create_semaphore_named(
        &self,
        initial: i32,
        maximum: i32,
        name: &str,
    ) -> Result<(SemaphoreHandle, bool), WsaError>;

    /// `OpenSemaphore(SEMAPHORE_ALL_ACCESS, FALSE, lpName)`.
    fn open_semaphore(&self, name: Option<&str>) -> Result<SemaphoreHandle, WsaError>;

    /// `CreateWaitableTimer(NULL, bManualReset, lpTimerName)`.
    fn create_waitable_timer_named(
        &self,
        manual_reset: bool,
        name: &str,
    ) -> Result<(TimerHandle, bool), WsaError>;

    /// `CreateWaitableTimerExW(NULL, lpTimerName, dwFlags, TIMER_ALL_ACCESS)`: as
    /// [`NamedObjects::create_waitable_timer_named`] (`None` or an empty name: unnamed), with
    /// [`CREATE_WAITABLE_TIMER_MANUAL_RESET`](super::waitable_timer::CREATE_WAITABLE_TIMER_MANUAL_RESET)
    /// for a manual-reset timer and
    /// [`CREATE_WAITABLE_TIMER_HIGH_RESOLUTION`](super::waitable_timer::CREATE_WAITABLE_TIMER_HIGH_RESOLUTION)
    /// for one that falls due at its due time instead of on the next clock interrupt (the way
    /// to sub-tick timing without `timeBeginPeriod`); other bits are ignored, as Wine does
    /// (Windows documents none). In the simulator a high-resolution timer's due times and
    /// period stay exact under `TimerResolution::Windows`.
    fn create_waitable_timer_ex(
        &self,
        name: Option<&str>,
        flags: u32,
    ) -> Result<(TimerHandle, bool), WsaError>;

    /// `OpenWaitableTimer(TIMER_ALL_ACCESS, FALSE, lpTimerName)`.
    fn open_waitable_timer(&self, name: Option<&str>) -> Result<TimerHandle, WsaError>;
}
