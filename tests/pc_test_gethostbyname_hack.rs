//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_gethostbyname_hack` (commit 027d7db8,
//! lines 2533–2581), facts only.
//!
//! Counted in `ok()` calls as Windows runs them: the host name is not "localhost" (2556–2560)
//! and `h_length` is 4 (2546–2550, 2564–2568), so neither skip runs; on Windows the
//! computer's name resolves to its own addresses, not to 127.x.x.x, so the check of
//! 2570–2576 (127.12.34.56, the address Wine substitutes) does not run. The lookup of
//! "nonexistent.winehq.org" at 2578 checks nothing.
//!
//! | part                                                          | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | gethostname, 2541–2542                                        |      1 |               0 |       0 |
//! | "localhost" is 127.0.0.1, 2544–2555                           |      2 |               0 |       0 |
//! | the computer's name resolves, 2562–2563                       |      1 |               0 |       0 |
//! | **total**                                                     |      4 |               0 |       0 |
mod common;

use common::run;
use winsock_sim::prelude::*;

#[test]
fn localhost_and_own_name() {
    run(|ws| {
        let name = ws.gethostname();
        assert!(name.is_ok(), "2542: {name:?}");
        let name = name.unwrap();

        let he = ws.gethostbyname("localhost");
        assert!(he.is_ok(), "2545: {he:?}");
        let he = he.unwrap();
        // 2546: h_length 4 (an IPv4 HOSTENT).
        assert_eq!(he.family, AF_INET);
        assert_eq!(he.addrs[0], [127, 0, 0, 1], "2551");

        assert_ne!(name, "localhost");
        let he = ws.gethostbyname(&name);
        assert!(he.is_ok(), "2563: {he:?}");
        // 2570: the branch of 2572 is not taken: the first address is not 127.x.x.x.
        assert_ne!(he.unwrap().addrs[0][0], 127);

        // 2578: looked up, nothing checked.
        let _ = ws.gethostbyname("nonexistent.winehq.org");
        Ok(())
    });
}
