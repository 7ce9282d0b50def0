//! APC queues and alertable waits (the seed's Overlapped model 2).
//!
//! Each simulated thread has a queue of asynchronous procedure calls: completion routines of
//! its overlapped I/O and the program's own (`QueueUserAPC`). They run only while the thread
//! waits alertably — `SleepEx(.., TRUE)`, `WaitForSingleObjectEx`/`WaitForMultipleObjectsEx`
//! and `WSAWaitForMultipleEvents` with fAlertable, `GetQueuedCompletionStatusEx` with
//! fAlertable — which then return WAIT_IO_COMPLETION after running all of them. select and
//! WSAPoll also run them while they wait, but keep waiting afterwards (`wait_running_apcs`),
//! and so does every other WinSock call that has to wait (accept, recv, send, connect,
//! WSAAccept, ...: `SimWinsock::blocking_from`), as Windows documents and sock.c test_accept
//! checks.

use crate::api::overlapped::WAIT_IO_COMPLETION;
use crate::api::{ApcRoutine, ThreadId, WsaError};
use crate::sim::api::SimWinsock;
use crate::sim::runtime::{Step, ThreadState, WaitKey};

impl SimWinsock {
    /// Runs the thread's queued APCs (completion routines, QueueUserAPC): what an alertable
    /// wait does. Returns how many ran.
    pub(crate) fn run_apcs(&self) -> usize {
        let mut n = 0;
        loop {
            let apc = {
                let mut w = self.w();
                let apc = w.rt.threads[self.tid].ext.pop_apc();
                if let Some((tag, _)) = &apc {
                    // A waitable timer's routine: the timer may queue the next one.
                    w.timer_apc_taken(*tag);
                }
                apc
            };
            match apc {
                Some((_, f)) => {
                    f(self);
                    n += 1;
                }
                None => return n,
            }
        }
    }

    /// [`SimWinsock::blocking`] for select and WSAPoll: `step` gives `Done(Ok(None))` when
    /// nothing is ready and APCs are queued to this thread (it must wait on
    /// `WaitKey::Apc(tid)` too); they run, outside the world lock, and the wait goes on.
    pub(crate) fn wait_running_apcs<T>(
        &self,
        call: &'static str,
        mut step: impl FnMut(&mut crate::sim::api::World) -> Step<Option<T>>,
    ) -> Result<T, WsaError> {
        loop {
            match self.blocking(call, None, &mut step)? {
                Some(r) => return Ok(r),
                None => {
                    self.run_apcs();
                }
            }
        }
    }

    /// `SleepEx`: waits `ms` (INFINITE: forever); when `alertable`, queued APCs run first or
    /// as soon as they arrive and the call returns WAIT_IO_COMPLETION.
    #[inline(always)]
    pub(crate) fn sleep_alertable(&self, ms: u32, alertable: bool) -> u32 {
        // A call threads are commonly blocked in when a run ends: its body is a function of
        // its own, left through a checked exit (`SimWinsock::call_marked`).
        crate::sim::runtime::checked_exit(self.sleep_alertable_call(ms, alertable))
    }

    #[inline(never)]
    fn sleep_alertable_call(&self, ms: u32, alertable: bool) -> u32 {
        if self.enter("SleepEx", true).is_err() {
            return 0;
        }
        crate::sim::runtime::mark_checked();
        if alertable && self.run_apcs() > 0 {
            return WAIT_IO_COMPLETION;
        }
        if ms == 0 && !alertable {
            crate::api::Winsock::sleep(self, 0);
            return 0;
        }
        let tid = self.tid;
        let deadline = self.timeout_due(ms);
        let r = self.blocking("SleepEx", None, |w| {
            if alertable && w.rt.threads[tid].ext.has_apcs() {
                return Step::Done(Ok(WAIT_IO_COMPLETION));
            }
            if deadline.is_some_and(|d| w.rt.now >= d) {
                return Step::Done(Ok(0));
            }
            let keys = if alertable {
                vec![WaitKey::Apc(tid)]
            } else {
                Vec::new()
            };
            Step::WaitAny(keys, deadline)
        });
        let r = match r {
            Ok(WAIT_IO_COMPLETION) => {
                self.run_apcs();
                WAIT_IO_COMPLETION
            }
            _ => 0,
        };
        if ms == 0 && r == 0 {
            self.idle_poll();
        }
        let _ = self.finish(
            "SleepEx",
            u64::from(ms),
            u64::from(alertable),
            Ok::<usize, WsaError>(r as usize),
        );
        r
    }

    /// `QueueUserAPC`: `apc` waits in `thread`'s queue until that thread waits alertably.
    /// A thread that has ended (its handle, which the simulator never closes, still valid)
    /// takes none: ERROR_GEN_FAILURE (31), as Windows fails it (kernel32 sync.c
    /// test_QueueUserAPC 2945–2948); no such thread: ERROR_INVALID_HANDLE.
    pub(crate) fn queue_apc(
        &self,
        apc: ApcRoutine<SimWinsock>,
        thread: ThreadId,
    ) -> Result<(), WsaError> {
        let r = self.enter("QueueUserAPC", true).and_then(|()| {
            let mut w = self.w();
            let tid = thread.index();
            match w.rt.threads.get(tid).map(|t| t.state) {
                None => Err(WsaError::WSA_INVALID_HANDLE),
                Some(ThreadState::Finished) => Err(WsaError::ERROR_GEN_FAILURE),
                Some(_) => {
                    w.rt.threads[tid].ext.push_apc(apc);
                    w.notify_apc(tid);
                    Ok(())
                }
            }
        });
        self.finish("QueueUserAPC", thread.index() as u64, 0, r)
    }
}
