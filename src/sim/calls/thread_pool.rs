//! [`ThreadPool`] in the simulator: `QueueUserWorkItem` and timer queues, run by the host's
//! pool threads (`sim::kernel::thread_pool`, `sim::kernel::timer_queue`).
//!
//! Every call is a kernel call (no WSAStartup needed) and a possible preemption point, and
//! leaves the last error as it was when it succeeds (BOOL calls not documented to clear it:
//! sync.c test_timer_queue reads 0xdeadbeef after a successful DeleteTimerQueueTimer). A
//! deletion that waits (`INVALID_HANDLE_VALUE`) blocks its simulated thread until the
//! callbacks it waits for have run; from within one of them it waits for itself, and the
//! run's end reports the deadlock (Windows XP hangs there too; later versions are not
//! documented to do otherwise).

use crate::api::thread_pool::{
    DeleteCompletion, IoCallback, PoolIo, QueueTimer, ThreadPool, TimerQueue, WaitOrTimerCallback,
    WorkItem, WT_EXECUTEONLYONCE,
};
use crate::api::Socket;
use crate::api::WsaError;
use crate::sim::api::{SimLayers, SimWinsock, Traced};
use crate::sim::kernel::objects::ObjRef;
use crate::sim::kernel::thread_pool::{pool_key, IoBinding, PoolItem, PoolKind};
use crate::sim::kernel::timer_queue::{Deleted, NewQueueTimer};
use crate::sim::runtime::{Nanos, Step, ThreadBody, WaitKey};

impl Traced for TimerQueue {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl Traced for QueueTimer {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

/// Milliseconds as virtual nanoseconds.
fn ms(v: u32) -> Nanos {
    u64::from(v) * 1_000_000
}

impl SimWinsock {
    /// The function of a new thread of a pool of `kind`: takes the oldest item queued and
    /// runs it, again and again; while there is none it waits alertably, so APCs queued to
    /// it run (ntdll threadpool.c test_RtlRegisterWait: within 200 ms on the thread of a
    /// WT_EXECUTEINIOTHREAD callback, and, from Vista on, of a default one), before any
    /// work, as an alertable wait delivers pending APCs first.
    pub(crate) fn pool_thread(kind: PoolKind) -> ThreadBody<SimLayers> {
        Box::new(move |ws: &SimWinsock| {
            loop {
                let (host, tid) = (ws.host, ws.tid);
                let item = ws.wait_running_apcs("(thread pool: waiting for work)", |w| {
                    if w.rt.threads[tid].ext.has_apcs() {
                        return Step::Done(Ok(None));
                    }
                    match w.pool_take(host, kind) {
                        Some(item) => Step::Done(Ok(Some(item))),
                        None => Step::WaitAny(vec![pool_key(host, kind), WaitKey::Apc(tid)], None),
                    }
                });
                // The wait ends in an error only when the run is over.
                let Ok(item) = item else { return Ok(()) };
                ws.run_pool_item(item);
                ws.w().pool_done(host, kind);
            }
        })
    }

    /// Runs one pool item outside the world lock (it may call the API, block, or delete its
    /// own timer).
    fn run_pool_item(&self, item: PoolItem<SimLayers>) {
        match item {
            PoolItem::Work(work) => {
                work(self);
            }
            PoolItem::Timer(id) => {
                let callback = self.w().queue_timer_callback(id);
                if let Some(callback) = callback {
                    callback(self, true);
                }
                self.w().queue_timer_ran(id);
            }
            PoolItem::Wait(id, timed_out) => self.run_wait_callback(id, timed_out),
            PoolItem::Tp(id) => self.run_tp(id),
            PoolItem::Io(callback, completion) => callback(self, completion),
        }
    }

    /// The event object of a deletion's `completion` (ERROR_INVALID_HANDLE for an event
    /// handle that is not one); `None` for NULL and INVALID_HANDLE_VALUE.
    pub(crate) fn completion_event(
        &self,
        completion: DeleteCompletion,
    ) -> Result<Option<usize>, WsaError> {
        match completion {
            DeleteCompletion::Event(e) => self.w().event_id(self.host, e.raw()).map(Some),
            DeleteCompletion::NoWait | DeleteCompletion::Wait => Ok(None),
        }
    }

    /// The end of a deletion that found callbacks outstanding: with `Wait`, waits until
    /// `gone` says the deleted timer or queue is gone; otherwise ERROR_IO_PENDING.
    pub(crate) fn deletion_pending(
        &self,
        call: &'static str,
        completion: DeleteCompletion,
        gone: impl Fn(&crate::sim::api::World) -> bool,
    ) -> Result<(), WsaError> {
        if completion != DeleteCompletion::Wait {
            return Err(WsaError::WSA_IO_PENDING);
        }
        let host = self.host;
        self.blocking(call, None, |w| {
            if gone(w) {
                Step::Done(Ok(()))
            } else {
                Step::Wait(WaitKey::TimerCallbacks(host), None)
            }
        })
    }
}

/// The raw value a delete's completion is traced with (C's CompletionEvent: 0, -1 or the
/// event's handle).
pub(crate) fn traced_completion(c: DeleteCompletion) -> u64 {
    match c {
        DeleteCompletion::NoWait => 0,
        DeleteCompletion::Wait => u64::MAX,
        DeleteCompletion::Event(e) => e.raw() as u64,
    }
}

impl ThreadPool for SimWinsock {
    fn queue_user_work_item(&self, work: WorkItem<Self>, flags: u32) -> Result<(), WsaError> {
        self.kcall_keep_error("QueueUserWorkItem", u64::from(flags), 0, |this| {
            let kind = PoolKind::of_flags(flags);
            this.w().pool_push(
                this.host,
                kind,
                PoolItem::Work(work),
                SimWinsock::pool_thread,
            );
            Ok(())
        })
    }

    fn create_timer_queue(&self) -> Result<TimerQueue, WsaError> {
        self.kcall_keep_error("CreateTimerQueue", 0, 0, |this| {
            Ok(TimerQueue::from_raw(this.w().timer_queue_create(this.host)))
        })
    }

    fn create_timer_queue_timer(
        &self,
        queue: Option<TimerQueue>,
        callback: WaitOrTimerCallback<Self>,
        due_ms: u32,
        period_ms: u32,
        flags: u32,
    ) -> Result<QueueTimer, WsaError> {
        let q = queue.map_or(0, TimerQueue::raw);
        self.kcall_keep_error(
            "CreateTimerQueueTimer",
            q as u64,
            u64::from(due_ms),
            |this| {
                let mut w = this.w();
                if !w.timer_queue_live(this.host, q) {
                    return Err(WsaError::WSA_INVALID_HANDLE);
                }
                let period = if flags & WT_EXECUTEONLYONCE != 0 {
                    0
                } else {
                    ms(period_ms)
                };
                let new = NewQueueTimer {
                    callback,
                    due: ms(due_ms),
                    period,
                    kind: PoolKind::of_flags(flags),
                };
                let id = w.queue_timer_create(this.host, q, new, SimWinsock::pool_thread);
                Ok(QueueTimer::from_raw(id))
            },
        )
    }

    fn change_timer_queue_timer(
        &self,
        _queue: Option<TimerQueue>,
        timer: QueueTimer,
        due_ms: u32,
        period_ms: u32,
    ) -> Result<(), WsaError> {
        self.kcall_keep_error(
            "ChangeTimerQueueTimer",
            timer.raw() as u64,
            u64::from(due_ms),
            |this| {
                this.w().queue_timer_change(
                    this.host,
                    timer.raw(),
                    ms(due_ms),
                    ms(period_ms),
                    SimWinsock::pool_thread,
                )
            },
        )
    }

    fn delete_timer_queue_timer(
        &self,
        _queue: Option<TimerQueue>,
        timer: QueueTimer,
        completion: DeleteCompletion,
    ) -> Result<(), WsaError> {
        const CALL: &str = "DeleteTimerQueueTimer";
        let id = timer.raw();
        self.kcall_keep_error(CALL, id as u64, traced_completion(completion), |this| {
            let event = this.completion_event(completion)?;
            let deleted = this.w().queue_timer_delete(this.host, id, event)?;
            match deleted {
                Deleted::Done => Ok(()),
                Deleted::Pending => {
                    this.deletion_pending(CALL, completion, |w| !w.queue_timer_exists(id))
                }
            }
        })
    }

    fn delete_timer_queue_ex(
        &self,
        queue: TimerQueue,
        completion: DeleteCompletion,
    ) -> Result<(), WsaError> {
        const CALL: &str = "DeleteTimerQueueEx";
        let q = queue.raw();
        self.kcall_keep_error(CALL, q as u64, traced_completion(completion), |this| {
            let event = this.completion_event(completion)?;
            let deleted = this.w().timer_queue_delete(this.host, q, event)?;
            match (deleted, completion) {
                (Deleted::Pending, DeleteCompletion::Wait) => {
                    this.deletion_pending(CALL, completion, |w| !w.timer_queue_has_timers(q))
                }
                // Windows Vista and later return TRUE without waiting (Wine: ERROR_IO_PENDING).
                _ => Ok(()),
            }
        })
    }
}

impl SimWinsock {
    /// Associates socket `s` with the pool's completion port (`BindIoCompletionCallback`,
    /// `CreateThreadpoolIo`), bound to what `bind` makes (with what the call returns): the socket's association names the
    /// binding. ERROR_INVALID_PARAMETER for NULL, a second association or a socket not
    /// opened for overlapped I/O; ERROR_INVALID_HANDLE for a handle that is not a socket's
    /// (the file system's answer, not WinSock's).
    pub(crate) fn associate_with_pool<T>(
        &self,
        s: Socket,
        bind: impl FnOnce(&mut crate::sim::api::World) -> (IoBinding<SimLayers>, T),
    ) -> Result<T, WsaError> {
        if s.raw() == 0 {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        let id = self.sock(s).map_err(|_| WsaError::WSA_INVALID_HANDLE)?;
        let mut w = self.w();
        let io = w.io_sock(id);
        if io.port.is_some() || io.synchronous {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        let (binding, made) = bind(&mut w);
        let binding = w.pool_bind_io(binding, SimWinsock::pool_thread);
        w.io_sock(id).port = Some((ObjRef::POOL, binding));
        Ok(made)
    }
}

impl PoolIo for SimWinsock {
    fn bind_io_completion_callback(
        &self,
        s: Socket,
        callback: IoCallback<Self>,
        flags: u32,
    ) -> Result<(), WsaError> {
        self.kcall_keep_error(
            "BindIoCompletionCallback",
            s.raw() as u64,
            u64::from(flags),
            |this| this.associate_with_pool(s, |_| (IoBinding::Callback(callback), ())),
        )
    }
}
