//! What a successful kernel32 call leaves in the thread's last error, written once for the
//! simulator and the real kernel32: the calls that return BOOL or nothing set it only when
//! they fail (GetLastError's documentation; Wine's kernel32 sync.c checks it after waits and
//! lock calls), the Create* calls set 0. Listed in `sync.rs`'s `sync_rules`.

use winsock_sim::prelude::*;

use super::{e, Check};

/// The value the rule plants before each call.
const PLANTED: i32 = 0x0bad_cafe;

/// Plants [`PLANTED`], runs `f` (which must succeed), and checks what it left.
fn after<W: Winsock, T>(
    ws: &W,
    c: &mut Check,
    what: &str,
    want: i32,
    f: impl FnOnce() -> Result<T, WsaError>,
) -> Result<T, String> {
    ws.wsa_set_last_error(PLANTED);
    let v = e(what, f())?;
    c.eq(what, ws.wsa_get_last_error(), want)?;
    Ok(v)
}

pub(super) fn kept_by_success<W: Winsock + SyncObjects>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let ev = after(ws, c, "CreateEvent sets 0", 0, || {
        ws.create_event(true, false)
    })?;
    after(ws, c, "SetEvent keeps it", PLANTED, || ws.set_event(ev))?;
    after(ws, c, "a satisfied wait keeps it", PLANTED, || {
        ws.wait_for_single_object(ev.into(), 0)
    })?;
    after(ws, c, "ResetEvent keeps it", PLANTED, || ws.reset_event(ev))?;
    after(ws, c, "a timed-out wait keeps it", PLANTED, || {
        ws.wait_for_single_object(ev.into(), 0)
    })?;
    after(ws, c, "CloseHandle keeps it", PLANTED, || {
        ws.close_handle(ev.into())
    })?;
    let m = after(ws, c, "CreateMutex sets 0", 0, || ws.create_mutex(true))?;
    after(ws, c, "ReleaseMutex keeps it", PLANTED, || {
        ws.release_mutex(m)
    })?;
    e("CloseHandle", ws.close_handle(m.into()))?;
    let s = after(ws, c, "CreateSemaphore sets 0", 0, || {
        ws.create_semaphore(0, 2)
    })?;
    after(ws, c, "ReleaseSemaphore keeps it", PLANTED, || {
        ws.release_semaphore(s, 1)
    })?;
    e("CloseHandle", ws.close_handle(s.into()))?;
    let cs = e(
        "InitializeCriticalSection",
        ws.initialize_critical_section(),
    )?;
    after(ws, c, "EnterCriticalSection keeps it", PLANTED, || {
        ws.enter_critical_section(cs)
    })?;
    after(ws, c, "LeaveCriticalSection keeps it", PLANTED, || {
        ws.leave_critical_section(cs)
    })?;
    e("DeleteCriticalSection", ws.delete_critical_section(cs))?;
    let l = e("InitializeSRWLock", ws.initialize_srw_lock())?;
    after(ws, c, "AcquireSRWLockShared keeps it", PLANTED, || {
        ws.acquire_srw_lock_shared(l)
    })?;
    after(ws, c, "ReleaseSRWLockShared keeps it", PLANTED, || {
        ws.release_srw_lock_shared(l)
    })?;
    Ok(())
}
