//! `CreateThread` / `WaitForSingleObject` on OS threads: a table of the threads a
//! [`System`](super::System) started, numbered from 0 in creation order (as the simulator
//! numbers its threads), each with a "finished" flag that a condition variable announces.

use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::api::consts::INFINITE;
use crate::api::{ThreadId, WsaError};

#[derive(Debug, Default)]
struct Slot {
    finished: bool,
    join: Option<JoinHandle<()>>,
}

/// The threads of one `System`.
#[derive(Debug, Default)]
pub(crate) struct Threads {
    slots: Mutex<Vec<Slot>>,
    ended: Condvar,
}

/// Marks a thread finished when dropped, so a thread that panics is finished too.
pub(crate) struct FinishGuard<'a> {
    threads: &'a Threads,
    index: usize,
}

impl Drop for FinishGuard<'_> {
    fn drop(&mut self) {
        let mut slots = self.threads.slots.lock();
        slots[self.index].finished = true;
        drop(slots);
        self.threads.ended.notify_all();
    }
}

impl Threads {
    /// `CreateThread`: starts an OS thread named `name` that runs `body` with `owner` (a
    /// clone of the backend whose table `table` picks out) and is marked finished when `body`
    /// returns or panics. The OS error when no thread could be started.
    pub(crate) fn spawn<T: Send + 'static>(
        &self,
        name: &str,
        owner: T,
        table: fn(&T) -> &Threads,
        body: impl FnOnce(&T) + Send + 'static,
    ) -> std::io::Result<ThreadId> {
        let index = self.reserve();
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let _finished = table(&owner).guard(index);
                body(&owner);
            });
        match spawned {
            Ok(j) => {
                self.started(index, Some(j));
                Ok(ThreadId(index))
            }
            Err(err) => {
                self.started(index, None);
                Err(err)
            }
        }
    }

    /// Reserves the next thread number.
    fn reserve(&self) -> usize {
        let mut slots = self.slots.lock();
        slots.push(Slot::default());
        slots.len() - 1
    }

    /// The guard the thread `index` holds while it runs.
    fn guard(&self, index: usize) -> FinishGuard<'_> {
        FinishGuard {
            threads: self,
            index,
        }
    }

    /// Records the OS thread behind `index`, or, when it could not be started, marks it
    /// finished.
    fn started(&self, index: usize, join: Option<JoinHandle<()>>) {
        let mut slots = self.slots.lock();
        match join {
            Some(j) => slots[index].join = Some(j),
            None => slots[index].finished = true,
        }
    }

    /// Runs `f` with the OS handle of thread `t` while this table still holds it (so the
    /// handle cannot be closed meanwhile); `None` when `t` names no thread that is still
    /// joinable (never started, or already waited for).
    #[cfg(windows)]
    pub(crate) fn with_os_handle<R>(
        &self,
        t: ThreadId,
        f: impl FnOnce(std::os::windows::io::RawHandle) -> R,
    ) -> Option<R> {
        use std::os::windows::io::AsRawHandle;
        let slots = self.slots.lock();
        slots.get(t.0)?.join.as_ref().map(|j| f(j.as_raw_handle()))
    }

    /// `WaitForSingleObject(hThread, timeout_ms)`.
    pub(crate) fn wait(&self, t: ThreadId, timeout_ms: u32) -> Result<(), WsaError> {
        let deadline = (timeout_ms != INFINITE)
            .then(|| Instant::now() + Duration::from_millis(timeout_ms.into()));
        let mut slots = self.slots.lock();
        loop {
            let slot = slots.get_mut(t.0).ok_or(WsaError::WSA_INVALID_HANDLE)?;
            if slot.finished {
                let join = slot.join.take();
                drop(slots);
                // The thread has run its function; joining only reaps it. A panic was the
                // thread's own business, as an exception ends a Windows thread.
                if let Some(j) = join {
                    let _ = j.join();
                }
                return Ok(());
            }
            match deadline {
                None => self.ended.wait(&mut slots),
                Some(d) => {
                    if self.ended.wait_until(&mut slots, d).timed_out() && !slots[t.0].finished {
                        return Err(WsaError::WAIT_TIMEOUT);
                    }
                }
            }
        }
    }
}
