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
//! | CreateWaitableTimerA of a new name, 742–745                      |      2 |               0 |       0 |
//! | the same name again: ERROR_ALREADY_EXISTS, 747–751               |      2 |               0 |       0 |
//! | the name in capitals: a new timer, error 0, 753–757              |      2 |               0 |       0 |
//! | OpenWaitableTimerA of the name, 759–762                          |      1 |               0 |       0 |
//! | OpenWaitableTimerA of the capitalised name: not found, 764–767   |      2 |               0 |       0 |
//! | OpenWaitableTimerA(NULL): ERROR_INVALID_PARAMETER, 769–772       |      2 |               0 |       0 |
//! | OpenWaitableTimerW(NULL): ERROR_INVALID_PARAMETER, 774–777       |      2 |               0 |       0 |
//! | **total**                                                        | **13** |           **0** |   **0** |
//!
//! OpenWaitableTimerA and OpenWaitableTimerW of NULL are one call here
//! (`open_waitable_timer(None)`), run twice. The name is sync.c's
//! `__FILE__ ": Test WaitableTimer"` with `__FILE__` as `sync.c`.
mod common;

#[test]
fn waitable_timer_names_are_case_sensitive() {
    common::run(|ws| {
        // 740–779 (with 779's CloseHandle).
        common::named::case_sensitivity(
            ws,
            common::named::Kind::Timer,
            "sync.c: Test WaitableTimer",
            [
                744, 745, 749, 750, 755, 756, 761, 766, 767, 771, 772, 776, 777,
            ],
        )
    });
}
