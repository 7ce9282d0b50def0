//! The process's thread pool as servers use it: `QueueUserWorkItem`, timer queues
//! (`CreateTimerQueue`, `CreateTimerQueueTimer`, `ChangeTimerQueueTimer`,
//! `DeleteTimerQueueTimer`, `DeleteTimerQueueEx`), the usual way an IOCP server times out idle
//! connections and runs periodic work without a thread of its own, and registered waits
//! (`RegisterWaitForSingleObject`, `UnregisterWait`, `UnregisterWaitEx`), with which a server
//! runs a callback when a WSAEventSelect event (or any waitable handle) is signalled.
//!
//! Windows' rules (kernel32 sync.c test_timer_queue and the calls' documentation), as both
//! backends keep them:
//! - a timer's callback runs on a thread of the pool, never on the thread that set it, once at
//!   its due time and then every period (0: once); callbacks of different timers, and of one
//!   periodic timer whose callback outlasts its period, run at the same time on different
//!   threads (`WT_EXECUTEINTIMERTHREAD` and `WT_EXECUTEINPERSISTENTTHREAD` callbacks run one
//!   at a time on the pool's one persistent thread instead);
//! - `ChangeTimerQueueTimer` restarts a timer with a new due time and period, also from its
//!   own callback; a once-only timer that has fired, or a deleted one, is left as it is and
//!   the call still succeeds;
//! - `DeleteTimerQueueTimer` cancels the timer's expiries to come; a callback already queued
//!   or running still runs to its end. With [`DeleteCompletion::Wait`] the call returns once
//!   none runs; otherwise it fails with `ERROR_IO_PENDING` while one does (the deletion goes
//!   on: it need not be called again) and succeeds when none does, and the event of
//!   [`DeleteCompletion::Event`] is set once the last one has ended (the simulator resets it
//!   first, as Wine does; Windows does not document whether it does);
//! - `DeleteTimerQueueEx` deletes a queue's timers as `DeleteTimerQueueTimer` would, and the
//!   queue; the default queue (`None`) cannot be deleted: `ERROR_INVALID_HANDLE`;
//! - a registered wait waits on its object in the pool's wait thread, as a wait of that thread
//!   (an auto-reset event's signal and a semaphore's count are taken by it): each time the
//!   object is signalled its callback runs with `TimerOrWaitFired` FALSE, each time the
//!   timeout passes first with TRUE; without `WT_EXECUTEONLYONCE` the wait starts again at
//!   once, so an object that stays signalled (a manual-reset event nobody resets) runs the
//!   callback over and over. `WT_EXECUTEINWAITTHREAD` runs the callback in the wait thread
//!   itself, one at a time with every other such callback (kernel32 thread.c
//!   test_RegisterWaitForSingleObject). `UnregisterWait` ends the wait as
//!   `DeleteTimerQueueTimer` ends a timer (`ERROR_IO_PENDING` while a callback runs), except
//!   that a callback running in the wait thread may unregister its own wait and succeed.
//!
//! The simulator runs the callbacks on simulated pool threads of the host (named
//! `thread-pool worker` and `thread-pool persistent` in its reports), created when an item is
//! queued and no pool thread is idle, and kept for the run (Windows retires idle ones after a
//! while). Due times are virtual and exact; the seed orders the pool threads as any others.

use std::sync::Arc;

use super::event_select::WsaEvent;
use super::io_completion::IoCompletion;
use super::sync::SyncObjects;
use super::types::Socket;
use super::WsaError;

/// WT_EXECUTEDEFAULT (0x00): the callback runs on a pool worker thread.
pub const WT_EXECUTEDEFAULT: u32 = 0x00;
/// WT_EXECUTEINIOTHREAD (0x01): obsolete since Vista, a worker thread as the default.
pub const WT_EXECUTEINIOTHREAD: u32 = 0x01;
/// WT_EXECUTEINWAITTHREAD (0x04): the wait thread (`RegisterWaitForSingleObject`); for a timer,
/// a worker thread here.
pub const WT_EXECUTEINWAITTHREAD: u32 = 0x04;
/// WT_EXECUTEONLYONCE (0x08): the timer fires once. Its period must be 0; what Windows does
/// with another is not documented, and the simulator fires once.
pub const WT_EXECUTEONLYONCE: u32 = 0x08;
/// WT_EXECUTELONGFUNCTION (0x10): a hint that the callback runs long (another worker may be
/// created); the simulator creates one whenever none is idle anyway.
pub const WT_EXECUTELONGFUNCTION: u32 = 0x10;
/// WT_EXECUTEINTIMERTHREAD (0x20): the callback runs on the timer's own thread, one at a time
/// (the simulator: the pool's persistent thread).
pub const WT_EXECUTEINTIMERTHREAD: u32 = 0x20;
/// WT_EXECUTEINPERSISTENTTHREAD (0x80): the callback runs on a thread that never ends, one at
/// a time (the simulator: the pool's persistent thread).
pub const WT_EXECUTEINPERSISTENTTHREAD: u32 = 0x80;
/// WT_TRANSFER_IMPERSONATION (0x100): the callback runs with the caller's token (no tokens in
/// the simulator: accepted, no effect).
pub const WT_TRANSFER_IMPERSONATION: u32 = 0x100;

opaque_handle!(
    /// A timer queue: the `HANDLE` `CreateTimerQueue` returns. Calls take `Option<TimerQueue>`,
    /// `None` being C's `NULL`, the process's default queue.
    TimerQueue
);
opaque_handle!(
    /// A timer-queue timer: the `HANDLE` `CreateTimerQueueTimer` returns through
    /// `phNewTimer`. Not a kernel handle (`CloseHandle` does not take it):
    /// `DeleteTimerQueueTimer` ends it.
    QueueTimer
);

opaque_handle!(
    /// A registered wait: the `HANDLE` `RegisterWaitForSingleObject` returns through
    /// `phNewWaitObject`. Ended with `UnregisterWait` / `UnregisterWaitEx`, not `CloseHandle`.
    RegisteredWait
);

/// A timer's callback (`WAITORTIMERCALLBACK`: `VOID CALLBACK WaitOrTimerCallback(PVOID
/// lpParameter, BOOLEAN TimerOrWaitFired)`): `lpParameter` is whatever the closure captures,
/// the `bool` is `TimerOrWaitFired`, always true for a timer, and for a registered wait true
/// when its timeout passed, false when its object was signalled. Shared (`Arc`, `Fn`): a periodic
/// timer's callback may run on two threads at once.
pub type WaitOrTimerCallback<W> = Arc<dyn Fn(&W, bool) + Send + Sync>;

/// A work item of `QueueUserWorkItem` (`LPTHREAD_START_ROUTINE`: `DWORD WINAPI
/// Function(PVOID Context)`; the context is whatever the closure captures). Runs once.
pub type WorkItem<W> = Box<dyn FnOnce(&W) -> u32 + Send>;

/// The `CompletionEvent` of `DeleteTimerQueueTimer` and `DeleteTimerQueueEx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteCompletion {
    /// `NULL`: return at once; `ERROR_IO_PENDING` while a callback still runs.
    NoWait,
    /// `INVALID_HANDLE_VALUE`: wait until no callback runs, then return.
    Wait,
    /// An event: set once no callback runs; `ERROR_IO_PENDING` while one does.
    Event(WsaEvent),
}

/// The thread pool's calls (kernel32; they need no `WSAStartup`).
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
///
/// /// Ticks a counter every 100 ms on a pool thread for about a second.
/// fn ticks<W: ThreadPool>(ws: &W) -> Result<u32, WsaError> {
///     let n = Arc::new(AtomicU32::new(0));
///     let count = n.clone();
///     let tick: WaitOrTimerCallback<W> = Arc::new(move |_, _| {
///         count.fetch_add(1, Ordering::SeqCst);
///     });
///     let t = ws.create_timer_queue_timer(None, tick, 100, 100, WT_EXECUTEDEFAULT)?;
///     ws.sleep(1_050);
///     ws.delete_timer_queue_timer(None, t, DeleteCompletion::Wait)?;
///     Ok(n.load(Ordering::SeqCst))
/// }
/// ```
pub trait ThreadPool: SyncObjects {
    /// `QueueUserWorkItem(Function, Context, Flags)`: runs `work` once on a pool thread
    /// (`WT_EXECUTEINPERSISTENTTHREAD`: the persistent one); returns at once.
    fn queue_user_work_item(&self, work: WorkItem<Self>, flags: u32) -> Result<(), WsaError>
    where
        Self: Sized;

    /// `CreateTimerQueue()`: a new, empty timer queue.
    fn create_timer_queue(&self) -> Result<TimerQueue, WsaError>;

    /// `CreateTimerQueueTimer(&hNewTimer, TimerQueue, Callback, Parameter, DueTime, Period,
    /// Flags)`: a timer in `queue` (`None`: the default queue) whose `callback` runs on a pool
    /// thread `due_ms` from now, then every `period_ms` (0: once). A deleted queue:
    /// ERROR_INVALID_HANDLE (Windows: undefined; the native backend checks before the call).
    fn create_timer_queue_timer(
        &self,
        queue: Option<TimerQueue>,
        callback: WaitOrTimerCallback<Self>,
        due_ms: u32,
        period_ms: u32,
        flags: u32,
    ) -> Result<QueueTimer, WsaError>
    where
        Self: Sized;

    /// `ChangeTimerQueueTimer(TimerQueue, Timer, DueTime, Period)`: the timer is next due
    /// `due_ms` from now, then every `period_ms`. A once-only timer that has fired, or one being
    /// deleted, is left as it is (the call still succeeds); `queue` is not checked (Windows
    /// finds the timer by its handle alone). A timer that never was: ERROR_INVALID_PARAMETER.
    fn change_timer_queue_timer(
        &self,
        queue: Option<TimerQueue>,
        timer: QueueTimer,
        due_ms: u32,
        period_ms: u32,
    ) -> Result<(), WsaError>;

    /// `DeleteTimerQueueTimer(TimerQueue, Timer, CompletionEvent)`: cancels the timer; its
    /// callback already queued or running still runs. `Err(WSA_IO_PENDING)` (ERROR_IO_PENDING,
    /// 997) when `completion` does not wait and a callback still runs; the timer is deleted
    /// all the same. A timer already deleted, or that never was: ERROR_INVALID_PARAMETER.
    fn delete_timer_queue_timer(
        &self,
        queue: Option<TimerQueue>,
        timer: QueueTimer,
        completion: DeleteCompletion,
    ) -> Result<(), WsaError>;

    /// `DeleteTimerQueueEx(TimerQueue, CompletionEvent)`: deletes every timer of `queue` as
    /// [`delete_timer_queue_timer`](Self::delete_timer_queue_timer) does, then the queue. Ok
    /// also when callbacks still run and `completion` does not wait (as Windows Vista and later;
    /// Wine gives ERROR_IO_PENDING). The default queue, or a queue already deleted:
    /// ERROR_INVALID_HANDLE.
    fn delete_timer_queue_ex(
        &self,
        queue: TimerQueue,
        completion: DeleteCompletion,
    ) -> Result<(), WsaError>;

    /// `DeleteTimerQueue(TimerQueue)`: `DeleteTimerQueueEx(TimerQueue, NULL)`.
    fn delete_timer_queue(&self, queue: TimerQueue) -> Result<(), WsaError> {
        self.delete_timer_queue_ex(queue, DeleteCompletion::NoWait)
    }
}

/// Registered waits (kernel32; they need no `WSAStartup`): a callback on the thread pool each
/// time a handle is signalled, the way a server runs a WSAEventSelect socket's events without
/// a thread of its own.
///
/// ```
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
///
/// /// Runs `on_events` on a pool thread each time `s`'s network events fire.
/// fn watch<W: RegisteredWaits + EventSelect>(ws: &W, s: Socket) -> Result<RegisteredWait, WsaError> {
///     let ev = ws.wsa_create_event()?;
///     ws.wsa_event_select(s, ev, FD_READ | FD_CLOSE)?;
///     let on_events: WaitOrTimerCallback<W> = Arc::new(move |ws: &W, _timed_out| {
///         let mut ne = WsaNetworkEvents::default();
///         if ws.wsa_enum_network_events(s, Some(ev), &mut ne).is_ok() {
///             let _ = ne.network_events; // read, accept, close ...
///         }
///     });
///     ws.register_wait_for_single_object(Handle::Event(ev), on_events, INFINITE, WT_EXECUTEDEFAULT)
/// }
/// ```
pub trait RegisteredWaits: ThreadPool {
    /// `RegisterWaitForSingleObject(&hNewWaitObject, hObject, Callback, Context,
    /// dwMilliseconds, dwFlags)`: waits on `object` in the pool's wait thread and runs
    /// `callback` (on a worker, or with `WT_EXECUTEINWAITTHREAD` in the wait thread) each time
    /// it is signalled (`false`) or `timeout_ms` passes first (`true`; INFINITE: never); with
    /// `WT_EXECUTEONLYONCE` once. A handle that is not a waitable object:
    /// ERROR_INVALID_HANDLE.
    fn register_wait_for_single_object(
        &self,
        object: super::sync::Handle,
        callback: WaitOrTimerCallback<Self>,
        timeout_ms: u32,
        flags: u32,
    ) -> Result<RegisteredWait, WsaError>
    where
        Self: Sized;

    /// `UnregisterWaitEx(WaitHandle, CompletionEvent)`: ends the wait; a callback already
    /// queued or running still runs. The completion as for
    /// [`ThreadPool::delete_timer_queue_timer`] (`Err(WSA_IO_PENDING)` when it does not wait
    /// and a callback still runs), except that a callback running in the wait thread may
    /// unregister its own wait and succeed. A wait handle that is not one, or already
    /// unregistered: ERROR_INVALID_HANDLE.
    fn unregister_wait_ex(
        &self,
        wait: RegisteredWait,
        completion: DeleteCompletion,
    ) -> Result<(), WsaError>;

    /// `UnregisterWait(WaitHandle)`: `UnregisterWaitEx(WaitHandle, NULL)`.
    fn unregister_wait(&self, wait: RegisteredWait) -> Result<(), WsaError> {
        self.unregister_wait_ex(wait, DeleteCompletion::NoWait)
    }
}

/// The callback of `BindIoCompletionCallback` (`LPOVERLAPPED_COMPLETION_ROUTINE`:
/// `dwErrorCode`, `dwNumberOfBytesTransfered` and `lpOverlapped` are the completion's `error`
/// (a Win32 code, as a completion port's packet gives: ERROR_NETNAME_DELETED, ...), `bytes`
/// and `overlapped`, with the operation's buffers handed back). Shared: completions of one
/// socket may run on several pool threads at once.
pub type IoCallback<W> = Arc<dyn Fn(&W, IoCompletion) + Send + Sync>;

/// The thread pool's I/O completion callbacks (kernel32; no `WSAStartup` needed for the call
/// itself).
///
/// ```
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
///
/// /// Every overlapped operation of `s` ends in `on_done`, on a pool thread.
/// fn bind<W: PoolIo>(ws: &W, s: Socket) -> Result<(), WsaError> {
///     let on_done: IoCallback<W> = Arc::new(|_ws: &W, c: IoCompletion| {
///         let _ = (c.error, c.bytes, c.overlapped); // dwErrorCode, bytes, lpOverlapped
///     });
///     ws.bind_io_completion_callback(s, on_done, 0)
/// }
/// ```
pub trait PoolIo: ThreadPool {
    /// `BindIoCompletionCallback(FileHandle, Function, Flags)`: associates socket `s` with
    /// the pool's completion port, so that each of its overlapped operations without a
    /// completion routine ends in `callback` on a pool thread (an event in the OVERLAPPED is
    /// still set; `FILE_SKIP_COMPLETION_PORT_ON_SUCCESS` skips operations that complete inside
    /// their call, as for any port). A socket already associated with a port (or bound
    /// before), or not overlapped: ERROR_INVALID_PARAMETER (sync.c test_iocp_callback); NULL:
    /// ERROR_INVALID_PARAMETER (Vista and later); another handle that is not a socket:
    /// ERROR_INVALID_HANDLE. `flags` is reserved (Windows Server 2003 refused nonzero; later
    /// versions accept it, as here).
    fn bind_io_completion_callback(
        &self,
        s: Socket,
        callback: IoCallback<Self>,
        flags: u32,
    ) -> Result<(), WsaError>
    where
        Self: Sized;
}
