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
    /// A thread the backend did not start but that asked for its own handle
    /// (`GetCurrentThread`): a duplicate of its OS handle, owned by this slot.
    #[cfg(windows)]
    adopted: Option<std::os::windows::io::OwnedHandle>,
}

std::thread_local! {
    /// The tables (by address) that numbered the calling thread, with its slot in each.
    static CURRENT: std::cell::RefCell<Vec<(usize, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
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
                let t = table(&owner);
                CURRENT.with(|c| c.borrow_mut().push((t as *const Threads as usize, index)));
                let _finished = t.guard(index);
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

    /// The calling thread's number in this table, if this table started it (or adopted it).
    #[cfg(windows)]
    pub(crate) fn current(&self) -> Option<ThreadId> {
        let me = self as *const Threads as usize;
        CURRENT.with(|c| {
            c.borrow()
                .iter()
                .rev()
                .find(|(table, _)| *table == me)
                .map(|&(_, index)| ThreadId(index))
        })
    }

    /// Whether `t` names a thread of this table (started, or adopted), finished or not.
    #[cfg(windows)]
    pub(crate) fn contains(&self, t: ThreadId) -> bool {
        t.0 < self.slots.lock().len()
    }

    /// `GetCurrentThread()` on a thread this table did not start: gives it a number, holding
    /// a duplicate of its OS handle so that waits on it work as on a started thread. A thread
    /// belongs to one table: if another table already numbered it, `None`.
    #[cfg(windows)]
    pub(crate) fn adopt_current(
        &self,
        handle: Option<std::os::windows::io::OwnedHandle>,
    ) -> ThreadId {
        if let Some(t) = self.current() {
            return t;
        }
        let index = {
            let mut slots = self.slots.lock();
            slots.push(Slot {
                adopted: handle,
                ..Slot::default()
            });
            slots.len() - 1
        };
        CURRENT.with(|c| {
            c.borrow_mut()
                .push((self as *const Threads as usize, index))
        });
        ThreadId(index)
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
        let slot = slots.get(t.0)?;
        match (&slot.join, &slot.adopted) {
            (Some(j), _) => Some(f(j.as_raw_handle())),
            (None, Some(h)) => Some(f(h.as_raw_handle())),
            (None, None) => None,
        }
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
