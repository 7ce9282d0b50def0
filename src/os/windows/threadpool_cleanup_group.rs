//! [`ThreadpoolCleanupGroups`] for [`Native`]: kernel32's cleanup groups of the Vista thread
//! pool (`CreateThreadpoolCleanupGroup`, `CloseThreadpoolCleanupGroupMembers`,
//! `CloseThreadpoolCleanupGroup`), the callback environment naming one, and simple callbacks
//! (`TrySubmitThreadpoolCallback`), in the default pool or the environment's.
//!
//! **The environment.** `InitializeThreadpoolEnvironment`, `SetThreadpoolCallbackPool` and
//! `SetThreadpoolCallbackCleanupGroup` are inline functions of the headers, not exports: a
//! creation with an environment (whether it names a group, a pool, both or neither) fills the
//! `TP_CALLBACK_ENVIRON_V3` as they do (version 3, its size, normal priority), with the pool
//! (NULL: the default one), the group and, if the environment has a cancel callback, the one
//! trampoline [`cancel_callback`]. An environment naming a group that is not an open one of
//! this backend's (never made, closed) is ERROR_INVALID_HANDLE without an OS call, and so is
//! one naming a group whose members are being released (the OS may or may not count an object
//! made then among the members that release closes, and nothing would tell this backend
//! which), or a pool the backend does not list (never made, closed: `threadpool_pool.rs`).
//!
//! **The groups** are kept in the table of the pool's objects (`tp_table.rs`) by raw
//! `PTP_CLEANUP_GROUP`, each with its members by their context `pv` (their entry's address:
//! what the OS passes the cancel callback), each member's kind and raw object (or a simple
//! callback) and the cancel callback of the environment that made it. An object is a member
//! until this backend closes it in the OS (a close left to a wait for its callbacks, until
//! that wait makes it: the OS still counts the object) or its group's release does; a simple
//! callback until its trampoline starts. Creation and submission are made under the table's
//! lock, so a member is listed before a release of its group can start and before any
//! callback of it.
//!
//! **The release.** `CloseThreadpoolCleanupGroupMembers` marks the group's objects as held by
//! it ([`Released::Running`], under the lock), then makes the OS call without the lock (the
//! callbacks it waits for, and the cancel callbacks, may use this API). While a release holds
//! an object, a close of it (from its own callback, as Wine's `*_release_cb`, or from any
//! thread) only takes it out of the program's reach: the OS call is left to the release, which
//! closes every member the OS has not seen closed. So no object is closed twice, and none is
//! passed to the OS after the release freed it there. `pvCleanupContext` is the address of
//! the call's own [`Release`] (the backend, the group, the program's context): the OS calls
//! [`cancel_callback`] with it on the calling thread, once per member it closes, after the
//! member's callbacks ended; the trampoline finds the member by its `ObjectContext` and calls
//! its cancel callback with the member and the program's context, unless the program closed it
//! (Windows calls none then; here the OS did not know, the close being left to it). Once the
//! OS call has returned, no callback of a member runs or can start and the OS has closed every
//! member: their objects leave the table (a later use is ERROR_INVALID_HANDLE) and their
//! entries are freed (an I/O object's only with no start outstanding: a completion may still
//! come, as after `CloseThreadpoolIo`), and so are the entries of the simple callbacks it
//! dropped (still listed: they never started). An object with a wait for its callbacks still
//! in the OS (the program's race: the OS closes the object under it) stays listed, closed,
//! until the last wait returns and lets it go without an OS call. Concurrent releases of one
//! group share this end: the last to return makes it. Other calls on a member during the
//! release (its own callback re-arming it) reach the OS as usual: the OS keeps the object until
//! it has waited for its callbacks; from another thread after that, they are as undefined here
//! as on Windows.
//!
//! **Simple callbacks.** `TrySubmitThreadpoolCallback` gets the one trampoline
//! [`simple_callback`] and, as `pv`, the address of a `CallbackEntry` whose one count is the
//! pending run's. The trampoline takes that count over: it takes the callback out of its
//! group's list (under the lock), runs it and frees the entry; a refused submission frees it
//! at once, a release that dropped the callback once the OS call returned (after its cancel
//! callback). Once the backend is gone the trampoline runs nothing and frees the entry (no
//! release can run then, and the table's end leaves simple callbacks to their trampolines).
//!
//! **Closing a group** is made in the OS at once, or by the end of a release in progress; the
//! OS keeps the group until its members are gone, and so does the table, for their closes to
//! leave it. When the backend goes, its groups not closed are closed (after its objects). The
//! calls keep the thread's last error when they succeed.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::sync_lookup::os_error;
use super::thread_pool::CallbackEntry;
use super::tp_instance::dispatch;
use super::tp_table::{Environ, Group, Joining, Kind, LiveObject, Member, Released, TpTable};
use crate::api::threadpool_cleanup_group::{
    CallbackEnviron, CleanupCancelCallback, SimpleCallback, ThreadpoolCleanupGroups,
    TpCleanupGroup, TpMember,
};
use crate::api::threadpool_io::{TpIo, TpIoCallback};
use crate::api::threadpool_objects::{TpTimer, TpTimerCallback, TpWork, WorkCallback};
use crate::api::threadpool_wait::{TpWait, TpWaitCallback};
use crate::api::{Socket, TpCallbackPriority, WsaError};

impl Joining {
    /// Runs `f` (the OS call) with the environment: NULL without one, else the address of a
    /// `TP_CALLBACK_ENVIRON_V3` filled as the headers' inline functions fill it, which lives
    /// until `f` has returned.
    pub(super) fn with_environ<T>(&self, f: impl FnOnce(Environ) -> T) -> T {
        let cancel: th::PTP_CLEANUP_GROUP_CANCEL_CALLBACK = match self.cancel {
            Some(_) if self.group != 0 => Some(cancel_callback),
            _ => None,
        };
        let env = self.given.then_some(th::TP_CALLBACK_ENVIRON_V3 {
            Version: 3,
            Pool: self.pool as th::PTP_POOL,
            CleanupGroup: self.group as th::PTP_CLEANUP_GROUP,
            CleanupGroupCancelCallback: cancel,
            RaceDll: std::ptr::null_mut(),
            ActivationContext: 0,
            FinalizationCallback: None,
            u: th::TP_CALLBACK_ENVIRON_V3_0 { Flags: 0 },
            CallbackPriority: self.priority,
            Size: std::mem::size_of::<th::TP_CALLBACK_ENVIRON_V3>() as u32,
        });
        f(env.as_ref().map_or(std::ptr::null(), std::ptr::from_ref))
    }
}

/// The members a release closed, let go once its OS call returned, outside the table's lock
/// (a closure's drop may use this API).
#[derive(Default)]
struct Ended {
    /// Objects out of the table, closed in the OS.
    objects: Vec<(usize, LiveObject)>,
    /// Simple callbacks the OS dropped: their entries' addresses, and their cancel callbacks.
    simple: Vec<(usize, Option<CleanupCancelCallback<Native>>)>,
    /// The group, closed by the program during the release, to close in the OS.
    close_group: Option<usize>,
}

impl Ended {
    /// Frees what the release closed.
    fn finish(self) {
        for (raw, obj) in self.objects {
            obj.release(raw);
        }
        for (pv, cancel) in self.simple {
            // SAFETY: the address of a `CallbackEntry<SimpleJob>` holding the pending run's count
            // (`try_submit_threadpool_callback`), still listed in its group after its release
            // returned, so its trampoline never started (it unlists it first, and the release
            // waits for it) and never will (the release dropped the run): the count is ours.
            drop(unsafe { Arc::from_raw(pv as *const CallbackEntry<SimpleJob>) });
            drop(cancel);
        }
        if let Some(group) = self.close_group {
            // SAFETY: a group of this backend, closed by the program while a release was in the
            // OS and left to this end; its record is gone, so this is its one close.
            unsafe { th::CloseThreadpoolCleanupGroup(group as th::PTP_CLEANUP_GROUP) };
        }
    }
}

/// The member a cancel callback names.
fn tp_member(kind: Kind, raw: usize) -> TpMember {
    match kind {
        Kind::Work => TpMember::Work(TpWork::from_raw(raw)),
        Kind::Timer => TpMember::Timer(TpTimer::from_raw(raw)),
        Kind::Wait => TpMember::Wait(TpWait::from_raw(raw)),
        Kind::Io => TpMember::Io(TpIo::from_raw(raw)),
    }
}

impl TpTable {
    /// What a creation with `env` joins: its group must be an open one of this table's with no
    /// release in progress, and its pool one this table lists, else ERROR_INVALID_HANDLE
    /// (module docs).
    pub(super) fn joining(
        &self,
        env: Option<&CallbackEnviron<Native>>,
    ) -> Result<Joining, WsaError> {
        let Some(env) = env else {
            return Ok(Joining {
                given: false,
                group: 0,
                pool: 0,
                priority: th::TP_CALLBACK_PRIORITY_NORMAL,
                cancel: None,
            });
        };
        let group = match env.cleanup_group() {
            None => 0,
            Some(g) => match self.groups.get(&g.raw()) {
                Some(rec) if !rec.closed && rec.releasing == 0 => g.raw(),
                _ => return Err(WsaError::WSA_INVALID_HANDLE),
            },
        };
        let pool = self.pools.open(env.pool())?;
        let cancel = env.cancel_callback().filter(|_| group != 0).cloned();
        let priority = match env.priority() {
            TpCallbackPriority::High => th::TP_CALLBACK_PRIORITY_HIGH,
            TpCallbackPriority::Normal => th::TP_CALLBACK_PRIORITY_NORMAL,
            TpCallbackPriority::Low => th::TP_CALLBACK_PRIORITY_LOW,
        };
        Ok(Joining {
            given: true,
            group,
            pool,
            priority,
            cancel,
        })
    }

    /// Lists object `raw` of `kind`, made with `join`, as a member of its group by `pv`: its
    /// group (0: none) and cancel callback.
    pub(super) fn join_object(
        &mut self,
        join: Joining,
        pv: usize,
        kind: Kind,
        raw: usize,
    ) -> (usize, Option<CleanupCancelCallback<Native>>) {
        if let Some(g) = self.groups.get_mut(&join.group) {
            g.members.insert(pv, Member::Object(kind, raw));
        }
        (join.group, join.cancel)
    }

    /// The member `pv` leaves `group` (0: none), handed back (to drop outside the lock); a
    /// closed group without members goes.
    pub(super) fn leave_group(&mut self, group: usize, pv: usize) -> Option<Member> {
        let g = self.groups.get_mut(&group)?;
        let gone = g.members.remove(&pv);
        if g.closed && g.releasing == 0 && g.members.is_empty() {
            self.groups.remove(&group);
        }
        gone
    }

    /// The start of a release of `group`: it must be open (else ERROR_INVALID_HANDLE); its
    /// objects are held by the release.
    fn start_release(&mut self, group: usize) -> Result<(), WsaError> {
        let g = match self.groups.get_mut(&group) {
            Some(g) if !g.closed => g,
            _ => return Err(WsaError::WSA_INVALID_HANDLE),
        };
        g.releasing += 1;
        for m in g.members.values() {
            if let Member::Object(_, raw) = *m {
                if let Some(obj) = self.objects.get_mut(&raw) {
                    obj.released = Released::Running;
                }
            }
        }
        Ok(())
    }

    /// The end of a release of `group`, its OS call returned: the last one in progress takes
    /// every member out (module docs) and hands back what to let go.
    fn end_release(&mut self, group: usize) -> Ended {
        let mut ended = Ended::default();
        let Some(g) = self.groups.get_mut(&group) else {
            // Cannot happen: a release in progress keeps its group listed.
            return ended;
        };
        g.releasing = g.releasing.saturating_sub(1);
        if g.releasing > 0 {
            return ended;
        }
        let members = std::mem::take(&mut g.members);
        if g.closed {
            ended.close_group = Some(group);
            self.groups.remove(&group);
        }
        for (pv, m) in members {
            match m {
                Member::Simple(cancel) => ended.simple.push((pv, cancel)),
                Member::Object(_, raw) => {
                    let free = self
                        .objects
                        .get_mut(&raw)
                        .is_some_and(LiveObject::closed_by_release);
                    if let Some(obj) = free.then(|| self.unlist(raw)).flatten() {
                        ended.objects.push((raw, obj));
                    }
                }
            }
        }
        ended
    }

    /// The member `pv` of `group` and its cancel callback, if it has one and the program has
    /// not closed it (module docs).
    fn cancel_for(
        &self,
        group: usize,
        pv: usize,
    ) -> Option<(TpMember, CleanupCancelCallback<Native>)> {
        match self.groups.get(&group)?.members.get(&pv)? {
            Member::Simple(cancel) => Some((TpMember::Simple, cancel.clone()?)),
            &Member::Object(kind, raw) => {
                let obj = self.objects.get(&raw)?;
                let cancel = obj.cancel.clone().filter(|_| !obj.is_closed())?;
                Some((tp_member(kind, raw), cancel))
            }
        }
    }

    /// `CloseThreadpoolCleanupGroup` of `group` in the table: it must be open (else
    /// ERROR_INVALID_HANDLE); whether the OS call is to be made now (else a release's end
    /// makes it).
    fn close_group(&mut self, group: usize) -> Result<bool, WsaError> {
        let g = match self.groups.get_mut(&group) {
            Some(g) if !g.closed => g,
            _ => return Err(WsaError::WSA_INVALID_HANDLE),
        };
        g.closed = true;
        let now = g.releasing == 0;
        if now && g.members.is_empty() {
            self.groups.remove(&group);
        }
        Ok(now)
    }
}

/// What `CloseThreadpoolCleanupGroupMembers` is given as `pvCleanupContext` (module docs).
struct Release<'a> {
    /// The backend.
    native: &'a Native,
    /// The raw group released.
    group: usize,
    /// The program's `pvCleanupContext`.
    context: usize,
}

impl Release<'_> {
    /// The cancel callback of member `pv`, if it gets one (module docs). A panic must not
    /// unwind into the OS: it is caught and ends the callback (the panic hook has printed it).
    fn cancel(&self, pv: usize) {
        let found = self.native.tp_objects().lock().cancel_for(self.group, pv);
        if let Some((member, cancel)) = found {
            let call = AssertUnwindSafe(|| cancel(self.native, member, self.context));
            let _ = catch_unwind(call);
        }
    }
}

/// The `PTP_CLEANUP_GROUP_CANCEL_CALLBACK` of every environment of this module.
unsafe extern "system" fn cancel_callback(object: *mut c_void, cleanup: *mut c_void) {
    // SAFETY: the OS calls this only for members made with an environment naming a group of
    // this backend, during the `CloseThreadpoolCleanupGroupMembers` that releases them (only
    // `close_threadpool_cleanup_group_members` makes it, for this backend's groups) and on
    // its thread, with its `pvCleanupContext`: the address of that call's `Release`, which
    // lives on its stack until the OS call has returned. It is only read.
    let release = unsafe { &*cleanup.cast_const().cast::<Release>() };
    release.cancel(object as usize);
}

/// A simple callback's closure and the group it was submitted to (0: none).
struct SimpleJob {
    /// The program's callback.
    callback: SimpleCallback<Native>,
    /// The raw group, 0 for none.
    group: usize,
}

/// The `PTP_SIMPLE_CALLBACK` of every simple callback of this module.
unsafe extern "system" fn simple_callback(
    instance: th::PTP_CALLBACK_INSTANCE,
    context: *mut c_void,
) {
    let pv = context as usize;
    // SAFETY: `context` is the `pv` `try_submit_threadpool_callback` gave the OS: the address
    // of a `CallbackEntry<SimpleJob>` holding the pending run's count, which the OS runs once,
    // here; no release frees it meanwhile (it frees only callbacks still listed once its OS
    // call returned, and that call waits for this one, which unlists it first).
    unsafe {
        dispatch(context, instance, |native, job: &SimpleJob, inst| {
            if job.group != 0 {
                // It has started: no release may free it now (module docs). Its cancel
                // callback goes after the lock.
                let gone = native.tp_objects().lock().leave_group(job.group, pv);
                drop(gone);
            }
            (job.callback)(native, inst);
        });
    }
    // SAFETY: the run's count, this call's alone (above); the call is done with the entry.
    drop(unsafe { Arc::from_raw(pv as *const CallbackEntry<SimpleJob>) });
}

impl ThreadpoolCleanupGroups for Native {
    /// `CreateThreadpoolCleanupGroup()`; NULL: the OS's error.
    fn create_threadpool_cleanup_group(&self) -> Result<TpCleanupGroup, WsaError> {
        // SAFETY: no arguments.
        let raw = unsafe { th::CreateThreadpoolCleanupGroup() };
        if raw == 0 {
            return finish_kept(Err(os_error()));
        }
        let table = self.tp_objects();
        // A record of an earlier group at this address would be one gone in the OS: replaced.
        table.lock().groups.insert(raw as usize, Group::default());
        Ok(TpCleanupGroup::from_raw(raw as usize))
    }

    /// `CloseThreadpoolCleanupGroupMembers(ptpcg, fCancelPendingCallbacks, <the call's
    /// Release>)` (module docs); a group not open: ERROR_INVALID_HANDLE, no OS call.
    fn close_threadpool_cleanup_group_members(
        &self,
        group: TpCleanupGroup,
        cancel_pending: bool,
        cleanup_context: usize,
    ) -> Result<(), WsaError> {
        let raw = group.raw();
        let table = self.tp_objects();
        let started = table.lock().start_release(raw);
        if let Err(e) = started {
            return finish_kept(Err(e));
        }
        let release = Release {
            native: self,
            group: raw,
            context: cleanup_context,
        };
        let pv = std::ptr::from_ref(&release).cast_mut().cast::<c_void>();
        // SAFETY: an open group of this backend, which its table keeps open in the OS while
        // this release is counted in it (a close meanwhile is left to its end). Its members are
        // live objects the table keeps and no other call closes in the OS meanwhile (closes are
        // left to the release), and simple callbacks whose entries live until the release's
        // end. `pv` points to `release`, which outlives the call; `cancel_callback` reads it
        // only during the call. The table's lock is not held: the callbacks waited for and the
        // cancel callbacks may use this API.
        unsafe {
            th::CloseThreadpoolCleanupGroupMembers(
                raw as th::PTP_CLEANUP_GROUP,
                i32::from(cancel_pending),
                pv,
            );
        }
        let ended = table.lock().end_release(raw);
        ended.finish();
        Ok(())
    }

    /// `CloseThreadpoolCleanupGroup(ptpcg)`, at once or by the end of the release in progress
    /// (module docs); a group not open: ERROR_INVALID_HANDLE, no OS call.
    fn close_threadpool_cleanup_group(&self, group: TpCleanupGroup) -> Result<(), WsaError> {
        let raw = group.raw();
        let now = self.tp_objects().lock().close_group(raw);
        if now == Ok(true) {
            // SAFETY: an open group of this backend, now marked closed in its table, so this
            // is its one close; no release is in progress, and none can start. Members still
            // listed keep it in the OS; the call does not wait for them.
            unsafe { th::CloseThreadpoolCleanupGroup(raw as th::PTP_CLEANUP_GROUP) };
        }
        finish_kept(now.map(|_| ()))
    }

    /// `TrySubmitThreadpoolCallback(simple_callback, <the entry>, <env, or NULL>)` under the
    /// table's lock (module docs); a group not open: ERROR_INVALID_HANDLE, no OS call; FALSE:
    /// the OS's error.
    fn try_submit_threadpool_callback(
        &self,
        callback: SimpleCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<(), WsaError> {
        let table = self.tp_objects();
        let mut tab = table.lock();
        let mut refused = None;
        let r = tab.joining(env).and_then(|join| {
            let job = SimpleJob {
                callback,
                group: join.group,
            };
            let pv = Arc::into_raw(CallbackEntry::new(self, job));
            let submitted = join.with_environ(|penv| {
                // SAFETY: `simple_callback` lives as long as the process and takes exactly this
                // kind of entry as its context, with the run's count leaked here for it; its
                // unlisting waits for the table's lock, held until the callback is listed.
                // `penv` is NULL (the default pool) or a filled environment that outlives the
                // call, naming no group or an open one of this backend, and no pool or an open
                // one of this backend (kept open by the table's lock).
                unsafe {
                    th::TrySubmitThreadpoolCallback(
                        Some(simple_callback),
                        pv.cast_mut().cast(),
                        penv,
                    )
                }
            });
            if submitted == 0 {
                let e = os_error();
                // SAFETY: refused: the OS never runs it, so the run's count is ours again.
                refused = Some(unsafe { Arc::from_raw(pv) });
                return Err(e);
            }
            if let Some(g) = tab.groups.get_mut(&join.group) {
                g.members.insert(pv as usize, Member::Simple(join.cancel));
            }
            Ok(())
        });
        drop(tab);
        // A refused callback's closure goes after the lock (its drop may use this API).
        drop(refused);
        finish_kept(r)
    }

    /// `CreateThreadpoolWork(work_callback, <the entry>, <env>)`.
    fn create_threadpool_work_in(
        &self,
        callback: WorkCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpWork, WsaError> {
        self.create_work(callback, Some(env))
    }

    /// `CreateThreadpoolTimer(timer_callback, <the entry>, <env>)`.
    fn create_threadpool_timer_in(
        &self,
        callback: TpTimerCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpTimer, WsaError> {
        self.create_timer(callback, Some(env))
    }

    /// `CreateThreadpoolWait(wait_callback, <the entry>, <env>)`.
    fn create_threadpool_wait_in(
        &self,
        callback: TpWaitCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpWait, WsaError> {
        self.create_wait(callback, Some(env))
    }

    /// `CreateThreadpoolIo((HANDLE)s, io_callback, <the entry>, <env>)`.
    fn create_threadpool_io_in(
        &self,
        s: Socket,
        callback: TpIoCallback<Self>,
        env: &CallbackEnviron<Self>,
    ) -> Result<TpIo, WsaError> {
        self.create_io(s, callback, Some(env))
    }
}
