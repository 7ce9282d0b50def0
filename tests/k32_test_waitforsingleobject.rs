//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_WaitForSingleObject` (commit 79834c06,
//! lines 1288–1379, with its helper `modify_handle` 1281–1286, which ORs 1, 2 or 3 into a
//! handle value), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (the function has no loops):
//!
//! | part of test_WaitForSingleObject                              | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | invalid handle 0xdeadbee0, low 2 bits 0–3, 1299–1318          |      8 |               0 |       0 |
//! | non-signalled event, low 2 bits 0–3, 1320–1339                |      8 |               0 |       0 |
//! | signalled event, low 2 bits 0–3, 1341–1360                    |      8 |               0 |       0 |
//! | `GetCurrentProcess()` pseudo handle, 1362–1364                 |      0 |               1 |       0 |
//! | `GetCurrentThread()`, 1366–1367                                |      1 |               0 |       0 |
//! | `NtWaitForSingleObject` on both pseudo handles, 1369–1375      |      0 |               2 |       0 |
//! | **total**                                                     |     25 |               3 |       0 |
//!
//! `SetLastError` / `GetLastError` are `wsa_set_last_error` / `wsa_get_last_error` (on
//! Windows WSASetLastError and WSAGetLastError are the same thread value).
//!
//! Not expressible, per kind: `GetCurrentProcess()` (1): the API has no process handle to
//! wait on; `NtWaitForSingleObject` (2): NtXxx calls are not in the API. The
//! `GetCurrentThread()` check is ported with the handle the API's `get_current_thread` gives (a
//! real handle of the calling thread, not the pseudo handle): a wait of 100 ms on the running
//! thread times out either way.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

/// sync.c `modify_handle`: the handle value with `bits` ORed in.
fn modify_handle(e: WsaEvent, bits: usize) -> Handle {
    Handle::Event(WsaEvent::from_raw(e.raw() | bits))
}

/// One `WaitForSingleObject(h, 0)` after `SetLastError(0xdeadbeef)`: its result (WAIT_FAILED
/// as the error) and the last error after it.
fn wait0(ws: &SimWinsock, h: Handle) -> (Result<u32, WsaError>, i32) {
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wait_for_single_object(h, 0);
    (r, ws.wsa_get_last_error())
}

#[test]
fn invalid_handle_any_low_bits() {
    common::run(|ws| {
        let invalid = WsaEvent::from_raw(0xdead_bee0);
        // 1300–1318: 0xdeadbee0 with 0, 1, 2 or 3 in its low bits: WAIT_FAILED and
        // ERROR_INVALID_HANDLE each time.
        for bits in 0..4 {
            let (r, err) = wait0(ws, modify_handle(invalid, bits));
            assert_eq!(r, Err(WsaError::WSA_INVALID_HANDLE), "low bits {bits}");
            assert_eq!(err, 6, "low bits {bits}");
        }
        Ok(())
    });
}

#[test]
fn nonsignaled_event_any_low_bits() {
    common::run(|ws| {
        let nonsignaled = ws.create_event(true, false)?;
        // 1321–1339: the low 2 bits of a handle value are ignored: each form times out, and a
        // wait that does not fail leaves the last error as it was (0xdeadbeef).
        for bits in 0..4 {
            let (r, err) = wait0(ws, modify_handle(nonsignaled, bits));
            assert_eq!(r, Ok(WAIT_TIMEOUT), "low bits {bits}");
            assert_eq!(err, DEADBEEF, "low bits {bits}");
        }
        ws.close_handle(nonsignaled.into())?;
        Ok(())
    });
}

#[test]
fn signaled_event_any_low_bits() {
    common::run(|ws| {
        let signaled = ws.create_event(true, true)?;
        // 1342–1360: a manual-reset event set at creation: WAIT_OBJECT_0 through each form,
        // the last error untouched.
        for bits in 0..4 {
            let (r, err) = wait0(ws, modify_handle(signaled, bits));
            assert_eq!(r, Ok(WAIT_OBJECT_0), "low bits {bits}");
            assert_eq!(err, DEADBEEF, "low bits {bits}");
        }
        ws.close_handle(signaled.into())?;
        Ok(())
    });
}

#[test]
fn current_thread_handle_times_out() {
    common::run(|ws| {
        // 1366–1367: waiting 100 ms on the calling thread's own handle times out.
        let me = Handle::Thread(ws.get_current_thread());
        let before = ws.now();
        assert_eq!(ws.wait_for_single_object(me, 100)?, WAIT_TIMEOUT);
        assert!(ws.now() - before >= std::time::Duration::from_millis(100));
        Ok(())
    });
}
