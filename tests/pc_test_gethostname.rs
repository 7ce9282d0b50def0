//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_gethostname` (commit 027d7db8, lines
//! 2583–2614), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (no loops or branches).
//!
//! | part                                                          | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | no buffer: -1 and WSAEFAULT, 2589–2593                        |      0 |               2 |       0 |
//! | gethostname, gethostbyname of the name, 2595–2598             |      2 |               0 |       0 |
//! | a buffer of the name's length: -1, untouched, WSAEFAULT, 2600–2607 | 0 |              3 |       0 |
//! | a buffer one longer: success, gethostbyname, 2609–2613        |      1 |               1 |       0 |
//! | **total**                                                     |      3 |               6 |       0 |
//!
//! Not expressible, per kind: the output buffer and its length, which the API does not take
//! (it returns the name): a NULL buffer (2591–2592), a buffer without room for the NUL
//! (2604–2606), the exact fit with room for it (2611).
mod common;

use common::run;
use winsock_sim::prelude::*;

#[test]
fn name_resolves() {
    run(|ws| {
        let name = ws.gethostname();
        assert!(name.is_ok(), "2596: {name:?}");
        let name = name.unwrap();
        let he = ws.gethostbyname(&name);
        assert!(he.is_ok(), "2598: {he:?}");
        // 2609–2613: the name gethostname gives again still resolves.
        let again = ws.gethostname()?;
        let he = ws.gethostbyname(&again);
        assert!(he.is_ok(), "2613: {he:?}");
        Ok(())
    });
}
