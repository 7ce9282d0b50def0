//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_semaphore` (commit 79834c06, lines
//! 690–734), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (the function has no loops):
//!
//! | part of test_semaphore                                              | ported | not expressible | failing |
//! |---------------------------------------------------------------------|-------:|----------------:|--------:|
//! | a new name: a handle, last error 0, 696–699                         |      2 |               0 |       0 |
//! | the same name again: ERROR_ALREADY_EXISTS, 701–705                  |      2 |               0 |       0 |
//! | the name in capitals is another name, 707–711                       |      2 |               0 |       0 |
//! | OpenSemaphore: the name, in capitals, NULL (A and W), 713–731       |      7 |               0 |       0 |
//! | **total**                                                           |     13 |               0 |       0 |
//!
//! OpenSemaphoreA and OpenSemaphoreW of NULL are one call here (`open_semaphore(None)`), run
//! twice. The name is sync.c's `__FILE__ ": Test Semaphore"` with `__FILE__` as `sync.c`.
mod common;

#[test]
fn semaphore_names_are_case_sensitive() {
    common::run(|ws| {
        // 694–733 (with 733's CloseHandle).
        common::named::case_sensitivity(
            ws,
            common::named::Kind::Semaphore,
            "sync.c: Test Semaphore",
            [
                698, 699, 703, 704, 709, 710, 715, 720, 721, 725, 726, 730, 731,
            ],
        )
    });
}
