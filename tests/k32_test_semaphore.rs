//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_semaphore` (commit 79834c06, lines
//! 690–734), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (the function has no loops):
//!
//! | part of test_semaphore                                              | ported | not expressible | failing |
//! |---------------------------------------------------------------------|-------:|----------------:|--------:|
//! | a new name: a handle, last error 0 (name dropped), 696–699          |      2 |               0 |       0 |
//! | the same name again: ERROR_ALREADY_EXISTS, 701–705                  |      0 |               2 |       0 |
//! | the name in capitals is another name, 707–711                       |      0 |               2 |       0 |
//! | OpenSemaphore: the name, in capitals, NULL (A and W), 713–731       |      0 |               7 |       0 |
//! | **total**                                                           |      2 |              11 |       0 |
//!
//! Not expressible, per kind: named objects and OpenSemaphore (11): the API creates unnamed
//! semaphores and has no OpenSemaphore. The first creation (697, of a name not in use) is
//! ported with the name dropped: what its checks state — a handle, and the last error set to
//! 0 over 0xdeadbeef — is what a create that makes a new object gives, named or not.
mod common;

use winsock_sim::prelude::*;

const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

#[test]
fn create_semaphore_new_object() {
    common::run(|ws| {
        // 696–699: CreateSemaphore(NULL, 0, 1, name) after SetLastError(0xdeadbeef): a
        // handle, and the last error is 0.
        ws.wsa_set_last_error(DEADBEEF);
        let h = ws.create_semaphore(0, 1);
        assert!(h.is_ok(), "{h:?}");
        assert_eq!(ws.wsa_get_last_error(), 0);

        // 733.
        ws.close_handle(h?.into())?;
        Ok(())
    });
}
