//! [`ThreadpoolPools`] for [`Native`]: kernel32's private pools of the Vista thread pool
//! (`CreateThreadpool`, `SetThreadpoolThreadMaximum`, `SetThreadpoolThreadMinimum`,
//! `CloseThreadpool`), which an environment names for the objects and simple callbacks made
//! with it (`SetThreadpoolCallbackPool`).
//!
//! **The pools** are kept in the table of the pool's objects (`tp_table.rs`) by raw
//! `PTP_POOL`, from `CreateThreadpool` until its close in the OS (below). The C functions
//! are VOID (`SetThreadpoolThreadMinimum` is BOOL) and crash on a pool already closed: a pool
//! reaches the OS only while the table lists it open; any other value (closed, never made,
//! another backend's) is ERROR_INVALID_HANDLE without an OS call. The calls on a pool are made
//! under the table's lock, so no close frees it between the check and the call (none of them
//! waits for a callback).
//!
//! **The environment.** A creation with an environment naming a pool passes it as the
//! environment's `Pool` (`threadpool_cleanup_group.rs` fills the `TP_CALLBACK_ENVIRON_V3`),
//! with or without a cleanup group; a pool the table does not list is ERROR_INVALID_HANDLE
//! without an OS call. The check and the creation are made under the table's lock, so the pool
//! is open in the OS during the creation.
//!
//! **Closing a pool** takes it out of the program's reach at once (a later use of the value is
//! refused); the objects made in it stay valid and their callbacks still run, as on Windows.
//! The OS call is made at once when the table lists no object made in the pool, else by the
//! close of the last of them, once the OS has closed it (`tp_table.rs`): Windows keeps the pool
//! until its objects are gone anyway, and Wine's pool refuses any later callback of them (an
//! assertion in `tp_object_submit` ends the process when a work object of a closed pool is
//! submitted, or a timer, wait or I/O object of it fires). An I/O object counts until this
//! backend closes it in the OS, even with a start outstanding (nothing tells when its
//! completion comes): under Wine, that completion after the pool's close meets the same
//! assertion. When the backend goes (its last clone dropped), its pools not yet closed in
//! the OS are closed after its objects and groups. The calls keep the thread's last error when
//! they succeed.

use std::collections::BTreeMap;

use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::sync_lookup::{check, os_error};
use crate::api::callback_environ::TpPool;
use crate::api::threadpool_pool::ThreadpoolPools;
use crate::api::WsaError;

/// A pool the OS has (module docs).
#[derive(Default)]
struct PoolRecord {
    /// Objects made in it that the table lists.
    objects: usize,
    /// Closed by the program (in the OS too once `objects` is 0: then the record goes).
    closed: bool,
}

/// The pools of one backend that the OS has, by raw `PTP_POOL`.
#[derive(Default)]
pub(super) struct Pools(BTreeMap<usize, PoolRecord>);

impl Pools {
    /// `pool` (`None`: the default pool, 0) if it is one of these and the program has not
    /// closed it, else ERROR_INVALID_HANDLE.
    pub(super) fn open(&self, pool: Option<TpPool>) -> Result<usize, WsaError> {
        let Some(p) = pool else {
            return Ok(0);
        };
        match self.0.get(&p.raw()) {
            Some(rec) if !rec.closed => Ok(p.raw()),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// An object made in `pool` (0: the default pool) is listed.
    pub(super) fn enter(&mut self, pool: usize) {
        if let Some(rec) = self.0.get_mut(&pool) {
            rec.objects += 1;
        }
    }

    /// An object made in `pool` (0: the default pool) is no longer listed: whether it was the
    /// last one of a pool the program closed, whose OS call is then the caller's to make once
    /// the object is closed in the OS (module docs).
    pub(super) fn leave(&mut self, pool: usize) -> bool {
        let Some(rec) = self.0.get_mut(&pool) else {
            return false;
        };
        rec.objects = rec.objects.saturating_sub(1);
        let last = rec.closed && rec.objects == 0;
        if last {
            self.0.remove(&pool);
        }
        last
    }

    /// The program closes `raw`, which [`Pools::open`] accepted: whether the OS call is to be
    /// made now (no object of it listed).
    fn close(&mut self, raw: usize) -> bool {
        let Some(rec) = self.0.get_mut(&raw) else {
            return false;
        };
        rec.closed = true;
        let now = rec.objects == 0;
        if now {
            self.0.remove(&raw);
        }
        now
    }

    /// `CloseThreadpool` of every pool left, when the backend goes (its objects and groups
    /// closed in the OS already).
    pub(super) fn close_all(&mut self) {
        for raw in std::mem::take(&mut self.0).into_keys() {
            // SAFETY: a pool of this backend not closed in the OS; its table is going away, so
            // this is its one close.
            unsafe { close_pool(raw) };
        }
    }
}

/// `CloseThreadpool(raw)`. The OS keeps the pool until its objects are gone; the call does not
/// wait for them.
///
/// # Safety
///
/// `raw` must be a pool of this backend that no other call passes to the OS again (it is
/// closed once), and whose objects listed by the table are all closed in the OS.
pub(super) unsafe fn close_pool(raw: usize) {
    // SAFETY: the caller's duty above.
    unsafe { th::CloseThreadpool(raw as th::PTP_POOL) };
}

impl Native {
    /// Runs `f` (the OS call) on `pool` under the table's lock if the table lists it, else
    /// gives ERROR_INVALID_HANDLE without an OS call; the last error is kept on success.
    fn on_pool<T>(
        &self,
        pool: TpPool,
        f: impl FnOnce(&mut Pools, th::PTP_POOL) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        let table = self.tp_objects();
        let mut tab = table.lock();
        let r = tab
            .pools
            .open(Some(pool))
            .and_then(|raw| f(&mut tab.pools, raw as th::PTP_POOL));
        drop(tab);
        finish_kept(r)
    }
}

impl ThreadpoolPools for Native {
    /// `CreateThreadpool(NULL)`; NULL: the OS's error.
    fn create_threadpool(&self) -> Result<TpPool, WsaError> {
        // SAFETY: the reserved argument must be NULL, and is.
        let raw = unsafe { th::CreateThreadpool(std::ptr::null()) };
        if raw == 0 {
            return finish_kept(Err(os_error()));
        }
        // No record at this address: a listed pool is one the OS has.
        self.tp_objects()
            .lock()
            .pools
            .0
            .insert(raw as usize, PoolRecord::default());
        Ok(TpPool::from_raw(raw as usize))
    }

    /// `SetThreadpoolThreadMaximum(ptpp, cthrdMost)`; a pool not open: ERROR_INVALID_HANDLE,
    /// no OS call.
    fn set_threadpool_thread_maximum(&self, pool: TpPool, max: u32) -> Result<(), WsaError> {
        self.on_pool(pool, |_, ptpp| {
            // SAFETY: an open pool of this backend (the table's lock is held, so it is not
            // closed meanwhile); `max` is an integer.
            unsafe { th::SetThreadpoolThreadMaximum(ptpp, max) };
            Ok(())
        })
    }

    /// `SetThreadpoolThreadMinimum(ptpp, cthrdMic)`; a pool not open: ERROR_INVALID_HANDLE,
    /// no OS call; FALSE: the OS's error.
    fn set_threadpool_thread_minimum(&self, pool: TpPool, min: u32) -> Result<(), WsaError> {
        self.on_pool(pool, |_, ptpp| {
            // SAFETY: an open pool of this backend (the table's lock is held, so it is not
            // closed meanwhile); `min` is an integer. The threads it starts run no code of
            // this backend until a callback is queued, so holding the lock cannot block them.
            check(unsafe { th::SetThreadpoolThreadMinimum(ptpp, min) })
        })
    }

    /// `CloseThreadpool(ptpp)`, at once or by the close of the last object made in it (module
    /// docs); a pool not open: ERROR_INVALID_HANDLE, no OS call.
    fn close_threadpool(&self, pool: TpPool) -> Result<(), WsaError> {
        self.on_pool(pool, |pools, ptpp| {
            if pools.close(ptpp as usize) {
                // SAFETY: an open pool of this backend with no object listed, just taken out of
                // its table under the lock, so this is its one close and no creation names it
                // any more.
                unsafe { close_pool(ptpp as usize) };
            }
            Ok(())
        })
    }
}
