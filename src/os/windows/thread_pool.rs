//! [`ThreadPool`] for [`Native`]: kernel32's `QueueUserWorkItem` and timer queues.
//!
//! **Work items.** `QueueUserWorkItem` gets one trampoline ([`work_item`]) and, as context, a
//! leaked `Box<(Native, WorkItem)>` (as `QueueUserAPC`'s in `alertable.rs`): the OS runs each
//! item once and the trampoline takes the box back; if the OS refuses the item, the call does.
//!
//! **Timers.** `CreateTimerQueueTimer` gets one trampoline ([`wait_or_timer_callback`], which
//! `registered_wait.rs` passes to `RegisterWaitForSingleObject` too) and, as `Parameter`, the
//! address of an `Arc<CallbackEntry>`: the closure and a weak reference to the backend (which
//! holds the entry: a strong one would keep it alive for ever). The backend's [`PoolTable`] (a
//! per-backend global, shared by its clones as by the threads of a process) keeps the live
//! queues, and every live timer by handle with its queue and that `Arc`; the trampoline takes
//! a count of its own per call. The table gives its count up only after a deletion that
//! waited for the timer's callbacks ([`DeleteCompletion::Wait`], for the timer or its queue).
//! After any other deletion the OS may still call the trampoline with the address and nothing
//! says when the last call ended, so the entry is leaked on purpose (a few words and the
//! closure per timer deleted without waiting).
//!
//! **Owner checks.** A queue or timer reaches the OS only while the table holds it (a deleted
//! one is undefined behaviour): another queue is `ERROR_INVALID_HANDLE`, another timer
//! `ERROR_INVALID_PARAMETER`, without an OS call; a completion event must be one of this
//! backend's. A timer is named to the OS with its own queue, whatever queue the caller gives:
//! Windows finds it by its handle alone (sync.c test_timer_queue mixes queues), and its own
//! queue is valid where another might be garbage. Every call on a timer is made under the
//! table's lock, so a concurrent `DeleteTimerQueueEx` cannot free it between the check and the
//! call, and the lock is never held while a call waits for callbacks (they may call this API).
//! So a waiting `DeleteTimerQueueTimer` is made as Wine's kernel32 makes it: with an event of
//! its own, under the lock (the call returns at once), then a wait for the event, which the OS
//! sets once no callback of the timer runs (at once if none does), without the lock.
//! `DeleteTimerQueueEx` takes the queue and its timers out of the table, then calls the OS
//! without the lock (Wine waits in it even for an event).
//!
//! The calls keep the thread's last error when they succeed (kernel32's BOOL calls do), as the
//! simulator's. A callback's panic must not unwind into the OS: it is caught and ends the
//! callback (a work item then returns 0), its message printed by the panic hook, as a panic
//! ends a thread of this backend. When the backend goes (its last clone dropped), its live
//! timers and queues are deleted without waiting.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::c_void;
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use windows_sys::Win32::Foundation::{
    CloseHandle, GetLastError, SetLastError, HANDLE, INVALID_HANDLE_VALUE, WAIT_OBJECT_0,
};
use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Inner, Native};
use super::sync_lookup::{check, os_error, process_global};
use crate::api::thread_pool::{
    DeleteCompletion, QueueTimer, ThreadPool, TimerQueue, WaitOrTimerCallback, WorkItem,
};
use crate::api::WsaError;

/// What a work item's context points to: the backend it runs with, and the item.
type Work = (Native, WorkItem<Native>);

/// A callback and its backend: for a timer or registered wait (`C` its
/// `WAITORTIMERCALLBACK`), what the OS's `Parameter` (`Context`) points to; for a socket bound
/// with `BindIoCompletionCallback` (`pool_io.rs`, `C` its `IoCallback`), its binding.
pub(super) struct CallbackEntry<C = WaitOrTimerCallback<Native>> {
    /// The backend the callback runs with, while it lives.
    backend: Weak<Inner>,
    /// The user's callback.
    callback: C,
}

impl<C> CallbackEntry<C> {
    /// The entry of `callback`, run with (a clone of) `native` while it lives.
    pub(super) fn new(native: &Native, callback: C) -> Arc<CallbackEntry<C>> {
        Arc::new(CallbackEntry {
            backend: Arc::downgrade(&native.inner),
            callback,
        })
    }

    /// The address the OS is given as the callback's parameter.
    pub(super) fn param(entry: &Arc<CallbackEntry<C>>) -> *const c_void {
        Arc::as_ptr(entry).cast::<c_void>()
    }

    /// Runs `f` with the backend and the callback, on a thread of the OS's pool: false (and
    /// `f` not run) once the backend is gone. A panic of `f` must not unwind into the OS: it
    /// is caught and ends `f` (the panic hook has printed its message).
    pub(super) fn run(&self, f: impl FnOnce(&Native, &C)) -> bool {
        let Some(inner) = self.backend.upgrade() else {
            return false;
        };
        let native = Native { inner };
        let call = std::panic::AssertUnwindSafe(|| f(&native, &self.callback));
        let _ = std::panic::catch_unwind(call);
        true
    }

    /// The entry whose [`param`](Self::param) the OS passed to a trampoline, with a count of
    /// its own for the call (dropped when the returned `Arc` goes).
    ///
    /// # Safety
    ///
    /// `param` must be the `param` of a `CallbackEntry<C>` whose table still holds its count:
    /// every table gives it up only once no callback of its object can start any more.
    pub(super) unsafe fn from_param(param: *const c_void) -> Arc<CallbackEntry<C>> {
        let entry = param.cast::<CallbackEntry<C>>();
        // SAFETY: `entry` is the `Arc::as_ptr` of a live `Arc<CallbackEntry<C>>` (the caller's
        // duty above). The increment gives this call a count of its own, which `from_raw`
        // takes over, so the allocation lives until the returned `Arc` is dropped.
        unsafe {
            Arc::increment_strong_count(entry);
            Arc::from_raw(entry)
        }
    }
}

/// A timer the OS has and this backend has not deleted.
struct LiveTimer {
    /// The raw handle of its queue, 0 for the default queue.
    queue: usize,
    /// Its entry; the OS holds its address as the callback's `Parameter`.
    entry: Arc<CallbackEntry>,
}

/// The timer queues and timers of one backend, by raw handle.
#[derive(Default)]
struct PoolTable {
    /// Queues created and not yet deleted.
    queues: BTreeSet<usize>,
    /// Timers created and not yet deleted.
    timers: BTreeMap<usize, LiveTimer>,
}

/// Leaks an entry the OS may still pass to a trampoline ([`wait_or_timer_callback`] here; module
/// docs).
pub(super) fn retire<T: ?Sized>(entry: Arc<T>) {
    std::mem::forget(entry);
}

impl Drop for PoolTable {
    /// The backend is gone: its default-queue timers and its queues (with their timers) are
    /// deleted without waiting, and every entry is leaked, since a callback may still run (it
    /// finds the backend gone and does nothing). The thread's last error is kept.
    fn drop(&mut self) {
        // SAFETY: no arguments; reads thread-local state.
        let kept = unsafe { GetLastError() };
        for (&t, live) in &self.timers {
            if live.queue == 0 {
                // SAFETY: a live timer of the default queue (the table held it, and the table
                // is going away, so it is deleted once); a NULL event: the call does not wait.
                unsafe { th::DeleteTimerQueueTimer(null(), t as HANDLE, null()) };
            }
        }
        for &q in &self.queues {
            // SAFETY: a live queue of this table, deleted once; a NULL event: no wait.
            unsafe { th::DeleteTimerQueueEx(q as HANDLE, null()) };
        }
        for (_, live) in std::mem::take(&mut self.timers) {
            retire(live.entry);
        }
        // SAFETY: an integer; writes thread-local state.
        unsafe { SetLastError(kept) };
    }
}

/// A null HANDLE: the default queue, or "do not wait".
pub(super) fn null() -> HANDLE {
    std::ptr::null_mut()
}

/// An event of this module's for a waiting deletion, closed on drop.
pub(super) struct OwnEvent(pub(super) HANDLE);

impl OwnEvent {
    /// A new manual-reset event, not set.
    pub(super) fn new() -> Result<OwnEvent, WsaError> {
        // SAFETY: null attributes and name (allowed); integers otherwise.
        let h = unsafe { th::CreateEventW(std::ptr::null(), 1, 0, std::ptr::null()) };
        if h.is_null() {
            Err(os_error())
        } else {
            Ok(OwnEvent(h))
        }
    }

    /// Waits until the event is set; false if the wait failed.
    fn wait(&self) -> bool {
        // SAFETY: an open event of this value's (closed only by its drop).
        unsafe { th::WaitForSingleObject(self.0, th::INFINITE) == WAIT_OBJECT_0 }
    }

    /// The end of a deletion the OS was asked for with this event (module docs), `r` its
    /// answer: once the OS has taken it (`r` Ok or ERROR_IO_PENDING, after which it sets the
    /// event when no callback of the object runs), waits for the event, frees `entry` and
    /// puts back `kept`, the thread's last error before the call. Any other answer, or a
    /// failed wait, leaks `entry` (the OS may still call back with it).
    pub(super) fn finish_deletion(
        self,
        r: Result<(), WsaError>,
        entry: Arc<CallbackEntry>,
        kept: u32,
    ) -> Result<(), WsaError> {
        match r {
            Ok(()) | Err(WsaError::WSA_IO_PENDING) => {
                if !self.wait() {
                    let e = os_error();
                    retire(entry);
                    return Err(e);
                }
                drop(entry);
                // SAFETY: an integer; writes thread-local state (the creation of the event
                // and a pending deletion set it; a success leaves it).
                unsafe { SetLastError(kept) };
                Ok(())
            }
            Err(e) => {
                retire(entry);
                Err(e)
            }
        }
    }
}

impl Drop for OwnEvent {
    fn drop(&mut self) {
        // SAFETY: created by `new` and closed only here, once.
        unsafe { CloseHandle(self.0) };
    }
}

/// The `LPTHREAD_START_ROUTINE` of every work item: takes its box back and runs it.
unsafe extern "system" fn work_item(context: *mut c_void) -> u32 {
    // SAFETY: `queue_user_work_item` leaked exactly this box and passed its address as the
    // context of an item the OS accepted; the OS runs each item once, so the box is taken
    // back once, here.
    let work = unsafe { Box::from_raw(context.cast::<Work>()) };
    let (native, f) = *work;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || f(&native))).unwrap_or(0)
}

/// The `WAITORTIMERCALLBACK` of every timer and registered wait (windows-sys declares its
/// BOOLEAN as `bool`; kernel32 passes TRUE for a timer, and for a wait whose timeout passed).
pub(super) unsafe extern "system" fn wait_or_timer_callback(param: *mut c_void, fired: bool) {
    // SAFETY: `param` is the `param` of the timer's or wait's entry, whose count its table
    // gives up only once a deletion has waited for every callback of the object (else never),
    // so the allocation is live while the OS runs one.
    let entry = unsafe { CallbackEntry::<WaitOrTimerCallback<Native>>::from_param(param) };
    entry.run(|native, callback| callback(native, fired));
}

impl Native {
    /// This backend's table of queues and timers.
    fn pool(&self) -> Arc<Mutex<PoolTable>> {
        process_global(self, || Mutex::new(PoolTable::default()))
    }

    /// The event of a deletion's `completion`: NULL, INVALID_HANDLE_VALUE, or an event of
    /// this backend (else ERROR_INVALID_HANDLE).
    pub(super) fn completion_handle(
        &self,
        completion: DeleteCompletion,
    ) -> Result<HANDLE, WsaError> {
        match completion {
            DeleteCompletion::NoWait => Ok(null()),
            DeleteCompletion::Wait => Ok(INVALID_HANDLE_VALUE),
            DeleteCompletion::Event(e) => self.event(e).map(|raw| raw as HANDLE),
        }
    }

    /// `DeleteTimerQueueTimer` with NULL or an event. Whatever the OS answers, the timer is
    /// out of the table (a failed deletion that freed it after all must not leave a handle the
    /// OS could be given again), and its entry is leaked.
    fn delete_timer(&self, t: usize, event: HANDLE) -> Result<(), WsaError> {
        let table = self.pool();
        let mut tab = table.lock();
        let live = tab
            .timers
            .remove(&t)
            .ok_or(WsaError::WSA_INVALID_PARAMETER)?;
        // SAFETY: a live timer of this backend and its own queue (the table's lock is held, so
        // no other call deletes either meanwhile); `event` is NULL or an event of this backend;
        // with either the call returns at once.
        let r =
            check(unsafe { th::DeleteTimerQueueTimer(live.queue as HANDLE, t as HANDLE, event) });
        drop(tab);
        retire(live.entry);
        r
    }

    /// `DeleteTimerQueueTimer` with INVALID_HANDLE_VALUE, made with an event of its own
    /// (module docs): returns once no callback of the timer runs, and frees its entry. From the
    /// timer's own callback it waits for itself for ever (the simulator reports that deadlock;
    /// Windows XP hangs there too).
    fn delete_timer_waiting(&self, t: usize) -> Result<(), WsaError> {
        // SAFETY: no arguments; reads thread-local state.
        let kept = unsafe { GetLastError() };
        let table = self.pool();
        let mut tab = table.lock();
        let live = tab
            .timers
            .remove(&t)
            .ok_or(WsaError::WSA_INVALID_PARAMETER)?;
        let done = match OwnEvent::new() {
            Ok(done) => done,
            Err(e) => {
                // Nothing was asked of the OS: the timer stays live.
                tab.timers.insert(t, live);
                return Err(e);
            }
        };
        // SAFETY: as in `delete_timer`; `done` is an open event of ours that outlives the wait
        // for it in `finish_deletion`, and nothing else waits on it or sets it.
        let r =
            check(unsafe { th::DeleteTimerQueueTimer(live.queue as HANDLE, t as HANDLE, done.0) });
        drop(tab);
        // Pending or not, the OS sets the event once no callback runs (sync.c
        // test_timer_queue: also after TRUE).
        done.finish_deletion(r, live.entry, kept)
    }
}

impl ThreadPool for Native {
    /// `QueueUserWorkItem(work_item, <the boxed item>, Flags)`.
    fn queue_user_work_item(&self, work: WorkItem<Self>, flags: u32) -> Result<(), WsaError> {
        let context = Box::into_raw(Box::new((self.clone(), work)));
        // SAFETY: `work_item` is a plain function that lives as long as the process and takes
        // exactly this kind of box; the OS hands it `context` once if the call succeeds.
        let ok = unsafe { th::QueueUserWorkItem(Some(work_item), context.cast::<c_void>(), flags) };
        if ok == 0 {
            let e = os_error();
            // SAFETY: the OS refused the item, so it never runs: the box is still ours alone.
            drop(unsafe { Box::from_raw(context) });
            return finish_kept(Err(e));
        }
        Ok(())
    }

    /// `CreateTimerQueue()`: the queue becomes this backend's.
    fn create_timer_queue(&self) -> Result<TimerQueue, WsaError> {
        // SAFETY: no arguments.
        let h = unsafe { th::CreateTimerQueue() };
        if h.is_null() {
            return finish_kept(Err(os_error()));
        }
        self.pool().lock().queues.insert(h as usize);
        Ok(TimerQueue::from_raw(h as usize))
    }

    /// `CreateTimerQueueTimer(&hNewTimer, TimerQueue, wait_or_timer_callback, <the entry>,
    /// DueTime, Period, Flags)`; a queue this backend does not have: ERROR_INVALID_HANDLE, no
    /// OS call.
    fn create_timer_queue_timer(
        &self,
        queue: Option<TimerQueue>,
        callback: WaitOrTimerCallback<Self>,
        due_ms: u32,
        period_ms: u32,
        flags: u32,
    ) -> Result<QueueTimer, WsaError> {
        let q = queue.map_or(0, TimerQueue::raw);
        let entry = CallbackEntry::new(self, callback);
        let table = self.pool();
        let mut tab = table.lock();
        if q != 0 && !tab.queues.contains(&q) {
            return finish_kept(Err(WsaError::WSA_INVALID_HANDLE));
        }
        let mut h: HANDLE = null();
        // SAFETY: `q` is NULL or a live queue of this backend (the table's lock is held, so it
        // is not deleted meanwhile); `h` is a live local the call writes;
        // `wait_or_timer_callback` lives as long as the process, and the entry whose address it
        // is given is kept by the table from here until no callback can run (module docs). On
        // failure no timer exists, so the address is never used and `entry` may go.
        let r = check(unsafe {
            th::CreateTimerQueueTimer(
                &mut h,
                q as HANDLE,
                Some(wait_or_timer_callback),
                CallbackEntry::param(&entry),
                due_ms,
                period_ms,
                flags,
            )
        });
        if let Err(e) = r {
            return finish_kept(Err(e));
        }
        if let Some(old) = tab.timers.insert(h as usize, LiveTimer { queue: q, entry }) {
            // Cannot happen (the OS does not reuse a live timer's handle); kept safe anyway.
            retire(old.entry);
        }
        Ok(QueueTimer::from_raw(h as usize))
    }

    /// `ChangeTimerQueueTimer` with the timer's own queue (module docs); a timer this backend
    /// does not have: ERROR_INVALID_PARAMETER, no OS call.
    fn change_timer_queue_timer(
        &self,
        _queue: Option<TimerQueue>,
        timer: QueueTimer,
        due_ms: u32,
        period_ms: u32,
    ) -> Result<(), WsaError> {
        let table = self.pool();
        let tab = table.lock();
        let r = match tab.timers.get(&timer.raw()) {
            // SAFETY: a live timer of this backend and its own queue (the table's lock is
            // held); integers otherwise.
            Some(live) => check(unsafe {
                th::ChangeTimerQueueTimer(
                    live.queue as HANDLE,
                    timer.raw() as HANDLE,
                    due_ms,
                    period_ms,
                )
            }),
            None => Err(WsaError::WSA_INVALID_PARAMETER),
        };
        drop(tab);
        finish_kept(r)
    }

    /// `DeleteTimerQueueTimer` with the timer's own queue; a timer this backend does not have
    /// (or has deleted): ERROR_INVALID_PARAMETER, no OS call.
    fn delete_timer_queue_timer(
        &self,
        _queue: Option<TimerQueue>,
        timer: QueueTimer,
        completion: DeleteCompletion,
    ) -> Result<(), WsaError> {
        let r = match completion {
            DeleteCompletion::Wait => self.delete_timer_waiting(timer.raw()),
            _ => self
                .completion_handle(completion)
                .and_then(|event| self.delete_timer(timer.raw(), event)),
        };
        finish_kept(r)
    }

    /// `DeleteTimerQueueEx`: the queue and its timers leave the table, then the OS deletes
    /// them; the timers' entries are freed if the call waited and succeeded, else leaked. A
    /// queue this backend does not have (the default one, or one deleted): ERROR_INVALID_HANDLE,
    /// no OS call. Whatever the OS answers, the queue is not passed to it again.
    fn delete_timer_queue_ex(
        &self,
        queue: TimerQueue,
        completion: DeleteCompletion,
    ) -> Result<(), WsaError> {
        let q = queue.raw();
        let r = self.completion_handle(completion).and_then(|event| {
            let mut gone = Vec::new();
            {
                let table = self.pool();
                let mut tab = table.lock();
                if !tab.queues.remove(&q) {
                    return Err(WsaError::WSA_INVALID_HANDLE);
                }
                tab.timers.retain(|_, live| {
                    let mine = live.queue == q;
                    if mine {
                        gone.push(live.entry.clone());
                    }
                    !mine
                });
            }
            // SAFETY: a queue this backend created and has just taken out of its table, with
            // its timers: no other call passes it or them to the OS again. `event` is NULL,
            // INVALID_HANDLE_VALUE or an event of this backend. The table's lock is not held:
            // the call may wait for callbacks that use it.
            let r = check(unsafe { th::DeleteTimerQueueEx(q as HANDLE, event) });
            if completion == DeleteCompletion::Wait && r.is_ok() {
                drop(gone);
            } else {
                gone.into_iter().for_each(retire);
            }
            r
        });
        finish_kept(r)
    }
}
