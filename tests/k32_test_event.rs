//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_event` (commit 79834c06, lines
//! 577–688), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (the function has no loops). Its last part,
//! memory resource notifications (656–687, 12 `ok()`s in the source), does not run:
//! `START_TEST` never loads `pCreateMemoryResourceNotification`, so 658–662 return early;
//! those `ok()`s are not counted.
//!
//! | part of test_event                                                  | ported | not expressible | failing |
//! |---------------------------------------------------------------------|-------:|----------------:|--------:|
//! | CreateEvent without security attributes (name dropped), 586–589     |      1 |               0 |       0 |
//! | with a blank SD, a NULL DACL, an empty DACL, 591–613                |      0 |               3 |       0 |
//! | a new name: a handle, last error 0 (name dropped), 617–620          |      2 |               0 |       0 |
//! | the same name again: ERROR_ALREADY_EXISTS, 622–626                  |      0 |               2 |       0 |
//! | the name in capitals is another name, 628–632                       |      0 |               2 |       0 |
//! | OpenEvent: the name, in capitals, NULL (A and W), 634–652           |      0 |               7 |       0 |
//! | memory resource notifications, 656–687 (not run, see above)         |      0 |               0 |       0 |
//! | **total**                                                           |      3 |              14 |       0 |
//!
//! Not expressible, per kind: security attributes (3): `create_event` takes none; named
//! objects and OpenEvent (11): the API creates unnamed events and has no OpenEvent. The two
//! creations of a name not in use (587 and 618) are ported with the name dropped: what their
//! checks state — a handle, and the last error set to 0 over 0xdeadbeef — is what a create
//! that makes a new object gives, named or not.
mod common;

use winsock_sim::prelude::*;

const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

#[test]
fn create_event_new_object() {
    common::run(|ws| {
        // 586–589: CreateEvent(NULL, FALSE, FALSE, name) gives a handle.
        let h = ws.create_event(false, false);
        assert!(h.is_ok(), "{h:?}");
        ws.close_handle(h?.into())?;

        // 617–620: again after SetLastError(0xdeadbeef): a handle, and the last error is 0.
        ws.wsa_set_last_error(DEADBEEF);
        let h = ws.create_event(false, false);
        assert!(h.is_ok(), "{h:?}");
        assert_eq!(ws.wsa_get_last_error(), 0);

        // 654.
        ws.close_handle(h?.into())?;
        Ok(())
    });
}
