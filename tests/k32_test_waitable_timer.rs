//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_waitable_timer` (commit 79834c06, lines
//! 736–780), facts only.
//!
//! At this commit the function tests only the timer namespace: names are case-sensitive
//! (CreateWaitableTimerA of an existing name gives ERROR_ALREADY_EXISTS, of the same name in
//! capitals a new timer and error 0; OpenWaitableTimerA finds the first and not the second),
//! and OpenWaitableTimerA/W with a NULL name fail with ERROR_INVALID_PARAMETER. Due times,
//! periods and completion routines are not in it (they are covered by `tests/waitable_timers.rs`
//! and `tests/conformance_suite/waitable_timer.rs`).
//!
//! Counted in `ok()` calls as Windows runs them (there is no loop):
//!
//! | part of test_waitable_timer                                      | ported | not expressible | failing |
//! |------------------------------------------------------------------|-------:|----------------:|--------:|
//! | CreateWaitableTimerA of a new name, 742–745                      |      1 |               1 |       0 |
//! | the same name again: ERROR_ALREADY_EXISTS, 747–751               |      0 |               2 |       0 |
//! | the name in capitals: a new timer, error 0, 753–757              |      0 |               2 |       0 |
//! | OpenWaitableTimerA of the name, 759–762                          |      0 |               1 |       0 |
//! | OpenWaitableTimerA of the capitalised name: not found, 764–767   |      0 |               2 |       0 |
//! | OpenWaitableTimerA(NULL): ERROR_INVALID_PARAMETER, 769–772       |      0 |               2 |       0 |
//! | OpenWaitableTimerW(NULL): ERROR_INVALID_PARAMETER, 774–777       |      0 |               2 |       0 |
//! | **total**                                                        |  **1** |          **12** |   **0** |
//!
//! Not expressible, per kind:
//! - named timers and OpenWaitableTimer (12): the API's `create_waitable_timer` makes
//!   anonymous timers only (`CreateWaitableTimer(NULL, bManualReset, NULL)`) and there is no
//!   open-by-name call. The whole object namespace (names, case rules, ERROR_ALREADY_EXISTS,
//!   ERROR_FILE_NOT_FOUND, opening with an access mask) would be new API surface for these
//!   checks alone, so it is left out. Only 744 — creating a timer under a name nothing has
//!   yet succeeds — holds for an anonymous timer and is ported; 745 (GetLastError() is 0
//!   after it) is about the name's not existing yet.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 742–744: CreateWaitableTimer (auto-reset) succeeds.
    let handle = ws.create_waitable_timer(false);
    assert!(
        handle.is_ok(),
        "744: CreateWaitableTimer failed: {handle:?}"
    );
    // 779: CloseHandle(handle).
    ws.close_handle(Handle::Timer(handle?))?;
    Ok(())
}

#[test]
fn creating_a_waitable_timer_succeeds() {
    common::run(check);
}
