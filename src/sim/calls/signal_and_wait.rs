//! SignalObjectAndWait in the simulator: the signal (SetEvent, ReleaseSemaphore by 1,
//! ReleaseMutex), then the wait, with no other thread running between.

use crate::api::{Handle, WsaError};
use crate::sim::api::SimWinsock;

/// A handle's value for the trace (a thread's: its index).
pub(crate) fn handle_value(h: Handle) -> usize {
    match h {
        Handle::Event(e) => e.raw(),
        Handle::Mutex(m) => m.raw(),
        Handle::Semaphore(s) => s.raw(),
        Handle::Timer(t) => t.raw(),
        Handle::Thread(t) => t.index(),
    }
}

impl SimWinsock {
    /// `SignalObjectAndWait`: both handles are checked before anything is signalled; only
    /// events, semaphores and mutexes can be signalled; a failed signal waits on nothing.
    pub(crate) fn signal_and_wait(
        &self,
        signal: Handle,
        wait: Handle,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError> {
        const CALL: &str = "SignalObjectAndWait";
        // A wait that does not fail leaves the last error as it was, as the other waits do.
        self.keep_last_error(|| {
            let r = self.enter(CALL, true).and_then(|()| {
                let object = self.waitable(wait)?;
                {
                    let mut w = self.w();
                    match signal {
                        Handle::Event(e) => {
                            let i = w.event_id(self.host, e.raw())?;
                            w.set_event(i);
                        }
                        Handle::Semaphore(s) => {
                            let i = w.semaphore_id(self.host, s.raw())?;
                            w.semaphore_release(i, 1)?;
                        }
                        Handle::Mutex(m) => {
                            let i = w.mutex_id(self.host, m.raw())?;
                            w.mutex_release(i, self.tid)?;
                        }
                        // STATUS_OBJECT_TYPE_MISMATCH: ERROR_INVALID_HANDLE.
                        Handle::Timer(_) | Handle::Thread(_) => {
                            return Err(WsaError::WSA_INVALID_HANDLE)
                        }
                    }
                }
                self.wait_objects(CALL, &[object], false, timeout_ms, alertable, None)
            });
            let (a, b) = (handle_value(signal) as u64, handle_value(wait) as u64);
            self.finish(CALL, a, b, r.map(|v| v as usize))
                .map(|v| v as u32)
        })
    }
}
