//! The table of the Vista pool's objects, cleanup groups and private pools of one [`Native`]
//! backend, which the work and timer objects (`threadpool_objects.rs`, whose module docs give
//! the rules kept here: when an entry is freed, the owner checks, a close during a wait for
//! callbacks), the wait objects (`threadpool_wait.rs`), the I/O objects (`threadpool_io.rs`),
//! the cleanup groups (`threadpool_cleanup_group.rs`) and the pools (`threadpool_pool.rs`)
//! share: each live object by its raw `PTP_*` value with its kind and entry, and the calls on
//! it made under the table's lock or counted in it.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;
use windows_sys::Win32::Foundation::{GetLastError, SetLastError};
use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::registered_wait::close_duplicate;
use super::sync_lookup::process_global;
use super::thread_pool::retire;
use super::threadpool_pool::{close_pool, Pools};
use crate::api::threadpool_cleanup_group::CleanupCancelCallback;
use crate::api::WsaError;

/// Which kind of pool object a value names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    /// A `PTP_WORK`.
    Work,
    /// A `PTP_TIMER`.
    Timer,
    /// A `PTP_WAIT` (`threadpool_wait.rs`).
    Wait,
    /// A `PTP_IO` (`threadpool_io.rs`).
    Io,
}

impl Kind {
    /// `WaitForThreadpool*Callbacks(raw, cancel)`.
    ///
    /// # Safety
    ///
    /// `raw` must be an object of this kind that the OS keeps open for the whole call.
    unsafe fn wait_for_callbacks(self, raw: usize, cancel: i32) {
        let raw = raw as isize;
        // SAFETY: the caller's duty above; `cancel` is an integer.
        unsafe {
            match self {
                Kind::Work => th::WaitForThreadpoolWorkCallbacks(raw, cancel),
                Kind::Timer => th::WaitForThreadpoolTimerCallbacks(raw, cancel),
                Kind::Wait => th::WaitForThreadpoolWaitCallbacks(raw, cancel),
                Kind::Io => th::WaitForThreadpoolIoCallbacks(raw, cancel),
            }
        }
    }

    /// `CloseThreadpool*(raw)`.
    ///
    /// # Safety
    ///
    /// `raw` must be an object of this kind that no other call passes to the OS again (it is
    /// closed once).
    unsafe fn close(self, raw: usize) {
        let raw = raw as isize;
        // SAFETY: the caller's duty above.
        unsafe {
            match self {
                Kind::Work => th::CloseThreadpoolWork(raw),
                Kind::Timer => th::CloseThreadpoolTimer(raw),
                Kind::Wait => th::CloseThreadpoolWait(raw),
                Kind::Io => th::CloseThreadpoolIo(raw),
            }
        }
    }
}

/// A pool object the OS has and this backend has not yet closed there.
pub(super) struct LiveObject {
    /// Work, timer, wait or I/O.
    kind: Kind,
    /// Its `CallbackEntry` (of the kind's callback type); the OS holds its address as `pv`.
    entry: Arc<dyn Any + Send + Sync>,
    /// Submissions (work), settings with a due time (timer) or with an object (wait), or
    /// starts (I/O) so far (module docs).
    pub(super) armings: u64,
    /// The greatest arming count noted by a `WaitForThreadpool*Callbacks` that has returned:
    /// every run asked for up to it has ended.
    drained: u64,
    /// A timer's last `SetThreadpoolTimer` had a due time, a wait's last `SetThreadpoolWait`
    /// an object (it may still queue runs).
    pub(super) armed: bool,
    /// A wait's own duplicate of the object it was last set with (0: none; module docs).
    pub(super) object: usize,
    /// An I/O object's starts that have neither had their callback start nor been taken back
    /// (`threadpool_io.rs`).
    pub(super) outstanding: u64,
    /// `WaitForThreadpool*Callbacks` calls on it in the OS now.
    waiters: usize,
    /// Closed by the program while a wait was in the OS: the last wait closes it there (or
    /// while its group's release held it, or by that release: the release closed it there).
    closed: bool,
    /// The raw cleanup group it is a member of, 0 for none (`threadpool_cleanup_group.rs`).
    group: usize,
    /// Where its group's release stands for it: while one holds it, the release alone closes
    /// it in the OS (`threadpool_cleanup_group.rs`).
    pub(super) released: Released,
    /// The cancel callback of the environment that made it (of its group's release).
    pub(super) cancel: Option<CleanupCancelCallback<Native>>,
    /// The raw pool it was made in, 0 for the default one (`threadpool_pool.rs`).
    pool: usize,
    /// Out of the table, the last object of its pool, which the program has closed: its
    /// release closes the pool in the OS after it (`threadpool_pool.rs`).
    last_of_pool: bool,
}

impl LiveObject {
    /// A new object of `kind` with its entry, a member of `group` (0: none) with its cancel
    /// callback: never armed.
    fn new(
        kind: Kind,
        entry: Arc<dyn Any + Send + Sync>,
        (group, cancel): (usize, Option<CleanupCancelCallback<Native>>),
        pool: usize,
    ) -> LiveObject {
        LiveObject {
            kind,
            entry,
            armings: 0,
            drained: 0,
            armed: false,
            object: 0,
            outstanding: 0,
            waiters: 0,
            closed: false,
            group,
            released: Released::No,
            cancel,
            pool,
            last_of_pool: false,
        }
    }

    /// Its entry's address: the `pv` the OS has.
    fn pv(&self) -> usize {
        Arc::as_ptr(&self.entry).cast::<()>() as usize
    }

    /// Whether the program has closed it (the close may be waiting for the OS call).
    pub(super) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Its group's release has closed it in the OS, after waiting until none of its callbacks
    /// was queued or running: out of the program's reach, and no callback of it can start
    /// any more (but an I/O object's outstanding start's, whose completion may still come, as
    /// after `CloseThreadpoolIo`). Whether no wait for its callbacks is in the OS: the table
    /// may let it go.
    pub(super) fn closed_by_release(&mut self) -> bool {
        self.released = Released::Done;
        self.closed = true;
        self.armed = false;
        self.group = 0;
        if self.kind != Kind::Io {
            self.drained = self.armings;
        }
        self.waiters == 0
    }

    /// Whether no callback of the object can start any more once it is closed (module docs):
    /// an I/O object's every start has had its callback start or was taken back; any other
    /// object is drained up to its last arming.
    fn quiet(&self) -> bool {
        match self.kind {
            Kind::Io => self.outstanding == 0,
            Kind::Work | Kind::Timer | Kind::Wait => self.drained == self.armings,
        }
    }

    /// `CloseThreadpool*` of object `raw`, taken out of its table with no wait in the OS
    /// (unless its group's release closed it there); a wait's duplicate is closed after it,
    /// and the entry freed when no callback can start any more, else leaked (module docs).
    pub(super) fn release(self, raw: usize) {
        if self.released != Released::Done {
            // SAFETY: a live object of this kind that its table has just given up with no wait
            // of this backend in the OS (none can start: the table no longer lists it) and no
            // group release holding it (that release closes it, and marks it Done), so no
            // other call passes it to the OS again and it is closed once.
            unsafe { self.kind.close(raw) };
        }
        if self.object != 0 {
            // The closed wait object waits no more.
            close_duplicate(self.object);
        }
        if self.last_of_pool {
            // SAFETY: the pool this object was made in, which the program closed and the
            // table gave up with this object (`Pools::leave`), so this is its one close; the
            // object is closed in the OS now, and no other object of it is listed.
            unsafe { close_pool(self.pool) };
        }
        if self.quiet() {
            drop(self.entry);
        } else {
            retire(self.entry);
        }
    }
}

/// The pool objects, cleanup groups and private pools of one backend, by raw value.
#[derive(Default)]
pub(super) struct TpTable {
    /// Objects created and not yet closed in the OS (or not yet let go after their group's
    /// release closed them there).
    pub(super) objects: BTreeMap<usize, LiveObject>,
    /// Cleanup groups created and not yet gone (`threadpool_cleanup_group.rs`).
    pub(super) groups: BTreeMap<usize, Group>,
    /// Private pools not yet closed in the OS, open or left to their last object's close
    /// (`threadpool_pool.rs`).
    pub(super) pools: Pools,
}

impl TpTable {
    /// Object `raw` taken out of the table, noting whether its release is to close its pool
    /// (`threadpool_pool.rs`).
    pub(super) fn unlist(&mut self, raw: usize) -> Option<LiveObject> {
        let mut obj = self.objects.remove(&raw)?;
        obj.last_of_pool = self.pools.leave(obj.pool);
        Some(obj)
    }

    /// Object `raw` taken out of the table, and out of its group's members (its closures go
    /// with it, after the lock).
    fn take(&mut self, raw: usize) -> Option<LiveObject> {
        let obj = self.unlist(raw)?;
        // An object's member record holds no closure.
        let _ = self.leave_group(obj.group, obj.pv());
        Some(obj)
    }

    /// Records object `raw`, just made by the OS with `entry` and the environment `join`
    /// describes, in the table and its group.
    pub(super) fn adopt(
        &mut self,
        kind: Kind,
        raw: usize,
        entry: Arc<dyn Any + Send + Sync>,
        join: Joining,
    ) {
        if let Some(old) = self.take(raw) {
            // Cannot happen (the OS does not reuse a live object's address); kept safe anyway.
            retire(old.entry);
        }
        let pv = Arc::as_ptr(&entry).cast::<()>() as usize;
        let pool = join.pool;
        self.pools.enter(pool);
        let member = self.join_object(join, pv, kind, raw);
        self.objects
            .insert(raw, LiveObject::new(kind, entry, member, pool));
    }

    /// Object `raw` if the program may still use it as a `kind`: else ERROR_INVALID_HANDLE.
    fn live(&mut self, raw: usize, kind: Kind) -> Result<&mut LiveObject, WsaError> {
        match self.objects.get_mut(&raw) {
            Some(obj) if obj.kind == kind && !obj.closed => Ok(obj),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }
}

impl Drop for TpTable {
    /// The backend is gone (no call of it is running, so no wait or release is in the OS):
    /// its objects are closed, their entries freed or leaked by the rule of the module docs (a
    /// callback that still runs finds the backend gone and does nothing), then its groups, then
    /// its pools. The last error is kept.
    fn drop(&mut self) {
        // SAFETY: no arguments; reads thread-local state.
        let kept = unsafe { GetLastError() };
        for (raw, obj) in std::mem::take(&mut self.objects) {
            obj.release(raw);
        }
        close_groups(std::mem::take(&mut self.groups));
        self.pools.close_all();
        // SAFETY: an integer; writes thread-local state.
        unsafe { SetLastError(kept) };
    }
}

impl Native {
    /// This backend's table of pool objects.
    pub(super) fn tp_objects(&self) -> Arc<Mutex<TpTable>> {
        process_global(self, || Mutex::new(TpTable::default()))
    }

    /// Runs `f` (which makes the OS call) on object `raw` of `kind` under the table's lock,
    /// or gives ERROR_INVALID_HANDLE; the last error is kept on success.
    pub(super) fn on_live<T>(
        &self,
        raw: usize,
        kind: Kind,
        f: impl FnOnce(&mut LiveObject) -> T,
    ) -> Result<T, WsaError> {
        let table = self.tp_objects();
        let mut tab = table.lock();
        let r = tab.live(raw, kind).map(f);
        drop(tab);
        finish_kept(r)
    }

    /// Runs `f` on object `raw` of `kind` if the table still lists it (closed by the program
    /// or not: a callback of it may still run), under the table's lock.
    pub(super) fn on_listed(&self, raw: usize, kind: Kind, f: impl FnOnce(&mut LiveObject)) {
        if let Some(obj) = self.tp_objects().lock().objects.get_mut(&raw) {
            if obj.kind == kind {
                f(obj);
            }
        }
    }

    /// `WaitForThreadpool*Callbacks` on object `raw`, made without the table's lock while the
    /// object counts the wait (module docs).
    pub(super) fn wait_callbacks(
        &self,
        raw: usize,
        kind: Kind,
        cancel: bool,
    ) -> Result<(), WsaError> {
        let table = self.tp_objects();
        let mark = {
            let mut tab = table.lock();
            let obj = match tab.live(raw, kind) {
                Ok(obj) => obj,
                Err(e) => return finish_kept(Err(e)),
            };
            obj.waiters += 1;
            (!obj.armed).then_some(obj.armings)
        };
        // SAFETY: a live object of this kind: a close meanwhile leaves it open in the OS while
        // this wait is counted in it (module docs), so it outlives the call, unless the program
        // releases its cleanup group meanwhile, which Windows leaves as undefined as a close
        // during the wait (`threadpool_cleanup_group.rs`: the table stays consistent). The
        // table's lock is not held: the callbacks waited for may use this API.
        unsafe { kind.wait_for_callbacks(raw, i32::from(cancel)) };
        let mut tab = table.lock();
        let last = match tab.objects.get_mut(&raw) {
            Some(obj) => {
                obj.waiters = obj.waiters.saturating_sub(1);
                if let Some(m) = mark {
                    obj.drained = obj.drained.max(m);
                    // An I/O object's starts up to the mark have all had their completion's
                    // callback, or were given up (`threadpool_io.rs`).
                    obj.outstanding = obj.outstanding.min(obj.armings - m);
                }
                // A release holding it closes it in the OS, and lets it go at its end.
                obj.closed && obj.waiters == 0 && obj.released != Released::Running
            }
            // Cannot happen: the object stays listed while this wait is counted.
            None => false,
        };
        let closing = if last { tab.take(raw) } else { None };
        drop(tab);
        if let Some(obj) = closing {
            obj.release(raw);
        }
        Ok(())
    }

    /// `CloseThreadpool*` on object `raw`: at once, or by the last wait still in the OS (a
    /// timer or wait object is stopped at once then); any later use is refused.
    pub(super) fn close_object(&self, raw: usize, kind: Kind) -> Result<(), WsaError> {
        let table = self.tp_objects();
        let mut tab = table.lock();
        let obj = match tab.live(raw, kind) {
            Ok(obj) => obj,
            Err(e) => return finish_kept(Err(e)),
        };
        if obj.released == Released::Running {
            // Its group's release closes it in the OS and gives it no cancel callback
            // (`threadpool_cleanup_group.rs`): no OS call here, the object may be gone there.
            obj.closed = true;
            return Ok(());
        }
        if obj.waiters > 0 {
            obj.closed = true;
            obj.armed = false;
            match kind {
                // SAFETY: a live timer (the table's lock is held, and a wait in the OS keeps it
                // open); NULL due time: stops it, as its close would.
                Kind::Timer => unsafe {
                    th::SetThreadpoolTimer(raw as th::PTP_TIMER, std::ptr::null(), 0, 0)
                },
                Kind::Wait => obj.set_wait(raw, 0, None),
                Kind::Work | Kind::Io => {}
            }
            return Ok(());
        }
        let obj = tab.take(raw);
        drop(tab);
        if let Some(obj) = obj {
            obj.release(raw);
        }
        Ok(())
    }
}

/// Where a member object stands with its group's release (module docs).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) enum Released {
    /// No release holds it.
    #[default]
    No,
    /// A `CloseThreadpoolCleanupGroupMembers` in the OS holds it: the release closes it there.
    Running,
    /// Its group's release has closed it in the OS.
    Done,
}

/// A member of a group.
pub(super) enum Member {
    /// A pool object of this kind, by raw value (the cancel callback of the environment that
    /// made it is its `LiveObject`'s).
    Object(Kind, usize),
    /// A simple callback not yet started, with the cancel callback of its environment.
    Simple(Option<CleanupCancelCallback<Native>>),
}

/// A cleanup group the OS has (module docs).
#[derive(Default)]
pub(super) struct Group {
    /// Its members, by `pv`.
    pub(super) members: BTreeMap<usize, Member>,
    /// `CloseThreadpoolCleanupGroupMembers` calls on it in the OS now.
    pub(super) releasing: usize,
    /// Closed by the program (in the OS too unless a release was in progress: its end does it).
    pub(super) closed: bool,
}

/// The environment a creation passes the OS: NULL, or a filled `TP_CALLBACK_ENVIRON_V3`.
pub(super) type Environ = *const th::TP_CALLBACK_ENVIRON_V3;

/// What a new object or simple callback made with an environment joins: checked by
/// [`TpTable::joining`].
pub(super) struct Joining {
    /// An environment was given (else NULL is passed).
    pub(super) given: bool,
    /// Its raw group, 0 for none.
    pub(super) group: usize,
    /// Its raw pool, 0 for the default one (`threadpool_pool.rs`).
    pub(super) pool: usize,
    /// Its callbacks' priority (`TP_CALLBACK_PRIORITY_*`).
    pub(super) priority: th::TP_CALLBACK_PRIORITY,
    /// Its cancel callback.
    pub(super) cancel: Option<CleanupCancelCallback<Native>>,
}

/// `CloseThreadpoolCleanupGroup` of the groups of a backend that has gone (no call of it is
/// running, so no release either), but those the program closed; their simple callbacks are
/// left to their trampolines, which free their entries.
pub(super) fn close_groups(groups: BTreeMap<usize, Group>) {
    for (raw, g) in groups {
        if !g.closed {
            // SAFETY: a group of this backend not closed in the OS; its table is going away, so
            // it is closed once. The call does not wait for its members.
            unsafe { th::CloseThreadpoolCleanupGroup(raw as th::PTP_CLEANUP_GROUP) };
        }
    }
}
