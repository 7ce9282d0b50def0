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
//! | CreateEvent without security attributes, 586–589                   |      1 |               0 |       0 |
//! | with a blank SD, a NULL DACL, an empty DACL, 591–613                |      0 |               3 |       0 |
//! | a new name: a handle, last error 0, 617–620                         |      2 |               0 |       0 |
//! | the same name again: ERROR_ALREADY_EXISTS, 622–626                  |      2 |               0 |       0 |
//! | the name in capitals is another name, 628–632                       |      2 |               0 |       0 |
//! | OpenEvent: the name, in capitals, NULL (A and W), 634–652           |      7 |               0 |       0 |
//! | memory resource notifications, 656–687 (not run, see above)         |      0 |               0 |       0 |
//! | **total**                                                           |     14 |               3 |       0 |
//!
//! Not expressible: security attributes (3): `create_event_named` takes none. OpenEventA
//! and OpenEventW of NULL are one call here (`open_event(None)`), run twice. The name is
//! sync.c's `__FILE__ ": Test Event"` with `__FILE__` as `sync.c`.
mod common;

use winsock_sim::prelude::*;

#[test]
fn create_event_new_object() {
    common::run(|ws| {
        // 586–589: CreateEvent(NULL, FALSE, FALSE, name) gives a handle; closed, the name
        // is free again for 617.
        let h = ws.create_event_named(false, false, "sync.c: Test Event");
        assert!(h.is_ok(), "588: {h:?}");
        ws.close_handle(h?.0.into())?;

        // 615–652: the name's case counts (with 654's CloseHandle).
        common::named::case_sensitivity(
            ws,
            common::named::Kind::Event,
            "sync.c: Test Event",
            [
                619, 620, 624, 625, 630, 631, 636, 641, 642, 646, 647, 651, 652,
            ],
        )
    });
}
