//! WSAGetOverlappedResult, GetOverlappedResult and GetOverlappedResultEx on `Native`, and the
//! collection of an operation that completed inside its call: one
//! loop over the operation's record, which `overlapped_result_now` reads under the record
//! table's lock (the OS call never waits there, so a record is never read unlocked), with
//! waits of at most 50 ms on the operation's hEvent between tries (1-ms sleeps without
//! one), alertable when asked.

use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{WAIT_FAILED, WAIT_IO_COMPLETION};
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::System::Threading as th;

use super::issue::Now;
use super::native::{finish, Native};
use super::op::Mode;
use crate::api::consts::INFINITE;
use crate::api::{Immediate, IoCompletion, Overlapped, WsaError};

impl Native {
    /// After an overlapped call that succeeded at once with `n` bytes: when its record is
    /// WSAGetOverlappedResult's to take back ([`Mode::Plain`]: skip-on-success on a port, or
    /// neither port nor routine), that call takes it now and its completion is returned;
    /// otherwise its packet or routine brings it. The OS finished the operation before the
    /// call returned, so the wait ends at once. Another thread that collected the record
    /// first (its own WSAGetOverlappedResult on the same OVERLAPPED) leaves nothing here to
    /// give back: `Queued`, as the buffers went its way.
    pub(super) fn collect_inline(&self, ov: &Overlapped, n: usize) -> Result<Immediate, WsaError> {
        let plain = self
            .inner
            .ops
            .lock()
            .pending
            .get(&ov.id)
            .is_some_and(|p| p.mode == Mode::Plain);
        if !plain {
            return Ok(Immediate::Queued(n));
        }
        match self.overlapped_result(ov, false, INFINITE, false) {
            Ok(c) => Ok(Immediate::Completed(c)),
            Err(WsaError::WSAEINVAL) => Ok(Immediate::Queued(n)),
            Err(e) => Err(e),
        }
    }

    /// The finished operation of `ov` (its error in Win32 form when `win32`), waiting up to
    /// `timeout_ms` (0: not at all, ERROR_IO_INCOMPLETE; INFINITE: no limit; else
    /// WAIT_TIMEOUT when it runs out), alertably when `alertable` (WAIT_IO_COMPLETION once
    /// APCs ran). A failed operation's error is also the last error.
    pub(super) fn overlapped_result(
        &self,
        ov: &Overlapped,
        win32: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<IoCompletion, WsaError> {
        let deadline = (timeout_ms != INFINITE)
            .then(|| Instant::now() + Duration::from_millis(u64::from(timeout_ms)));
        loop {
            let ev = match self.overlapped_result_now(ov, win32) {
                Err(e) => return finish(Err(e)),
                Ok(Now::Done(c)) => {
                    // SAFETY: WSASetLastError only writes thread-local state.
                    unsafe { ws::WSASetLastError(c.error.map_or(0, |e| e.code())) };
                    return Ok(c);
                }
                Ok(Now::Pending(_)) if timeout_ms == 0 => {
                    return finish(Err(WsaError::WSA_IO_INCOMPLETE))
                }
                Ok(Now::Pending(ev)) => ev,
            };
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if left.is_some_and(|l| l.is_zero()) {
                return finish(Err(WsaError::WAIT_TIMEOUT));
            }
            let slice = left.map_or(50, |l| l.as_millis().clamp(1, 50) as u32);
            let ours = !ev.is_null() && self.inner.owned.lock().events.contains(&(ev as isize));
            // SAFETY: an event of this backend (checked just before; closing it meanwhile only
            // makes the wait fail or time out) or no handle at all; both calls only wait.
            let r = unsafe {
                let r = if ours {
                    th::WaitForSingleObjectEx(ev, slice, i32::from(alertable))
                } else {
                    WAIT_FAILED
                };
                if r == WAIT_FAILED {
                    th::SleepEx(1, i32::from(alertable))
                } else {
                    r
                }
            };
            if r == WAIT_IO_COMPLETION {
                return finish(Err(WsaError::WAIT_IO_COMPLETION));
            }
        }
    }
}
