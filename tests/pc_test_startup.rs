//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_startup` (commit 027d7db8, lines
//! 2863–2932), facts only: the version `WSAStartup` grants for each requested version, the
//! WSADATA it fills, its counting against `WSACleanup`, and WSANOTINITIALISED once every
//! startup is undone. protocol.c runs it on a process that has cleaned up its own startup
//! (`START_TEST`, 2965–2971), so here it runs on a thread of a host that never called
//! `WSAStartup`.
//!
//! Counted in `ok()` calls as Windows executes them: the loop body once per row of its table
//! (13 rows, 2876–2888); a row whose version has major 0 fails the first call and skips the
//! block of 2900–2914.
//!
//! | part of test_startup                                              | ported | not expressible | failing |
//! |-------------------------------------------------------------------|-------:|----------------:|--------:|
//! | first `WSAStartup`, result and wVersion, 2895–2899 (13 rows)      |     24 |               2 |       0 |
//! | second startup, two cleanups and their last errors, 2900–2914 (11 rows) | 55 |             0 |       0 |
//! | the WSADATA fields, 2915–2920 (13 rows)                           |     55 |              23 |       0 |
//! | the cleanup too many: -1, WSANOTINITIALISED, 2922–2925 (13 rows)  |     26 |               0 |       0 |
//! | `WSAStartup(version, NULL)`, 2927–2928 (13 rows)                  |      0 |              13 |       0 |
//! | **total**                                                         |    160 |              38 |       0 |
//!
//! Not expressible, per kind:
//! - the WSADATA of a failed `WSAStartup` (the two major-0 rows: wVersion 2.2, counted in
//!   the first row of the table, and wHighVersion, szDescription, szSystemStatus,
//!   iMaxSockets, iMaxUdpDg, 2 × 5 in the fields' row): the API returns only the error code
//!   when the call fails;
//! - `lpVendorInfo` left untouched (13): `WsaData` has no pointer field;
//! - `WSAStartup` with a NULL WSADATA (WSAEFAULT, or WSAVERNOTSUPPORTED for major 0): the API
//!   always returns the structure (13).
//!
//! Also checked elsewhere: `WSAStartup(0.0)` failing with WSAVERNOTSUPPORTED is conformance
//! rule `ER-startup` (`tests/conformance_suite/winsock.rs`); counted here, in its row.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

/// MAKEWORD(major, minor): the low byte is the major version.
const fn makeword(major: u8, minor: u8) -> u16 {
    major as u16 | (minor as u16) << 8
}

/// (requested, granted) for every row of protocol.c 2876–2888.
const VERSIONS: [(u16, u16); 13] = [
    (makeword(0, 0), makeword(2, 2)),
    (makeword(0, 1), makeword(2, 2)),
    (makeword(1, 0), makeword(1, 0)),
    (makeword(1, 1), makeword(1, 1)),
    (makeword(1, 2), makeword(1, 1)),
    (makeword(1, 0xff), makeword(1, 1)),
    (makeword(2, 0), makeword(2, 0)),
    (makeword(2, 1), makeword(2, 1)),
    (makeword(2, 2), makeword(2, 2)),
    (makeword(2, 3), makeword(2, 2)),
    (makeword(2, 0xff), makeword(2, 2)),
    (makeword(3, 0), makeword(2, 2)),
    (makeword(0xff, 0), makeword(2, 2)),
];

const DEADBEEF: i32 = 0xdead_beef_u32 as i32;

/// One row of the table, on a thread whose process has no startup outstanding.
fn row(ws: &SimWinsock, requested: u16, granted: u16) {
    let at = format!("version {requested:#06x}");
    let first = ws.wsa_startup(requested);
    if requested & 0xff == 0 {
        // 2898: a major version of 0 is refused.
        assert_eq!(first, Err(WsaError::WSAVERNOTSUPPORTED), "2898, {at}");
    } else {
        // 2898–2899: accepted, with the version Windows grants.
        let data = first.unwrap_or_else(|e| panic!("2898, {at}: {e}"));
        assert_eq!(data.version, granted, "2899, {at}: wVersion");
        // 2902–2903: a second startup succeeds too (startups are counted).
        assert!(ws.wsa_startup(requested).is_ok(), "2903, {at}");
        // 2905–2913: two cleanups succeed, each leaving the last error 0.
        for line in [2907, 2912] {
            ws.wsa_set_last_error(DEADBEEF);
            assert_eq!(ws.wsa_cleanup(), Ok(()), "{line}, {at}");
            assert_eq!(ws.wsa_get_last_error(), 0, "{}, {at}", line + 1);
        }
        // 2916–2918: the fields the API reports.
        assert_eq!(data.high_version, 0x0202, "2916, {at}: wHighVersion");
        assert_eq!(data.description, "WinSock 2.0", "2917, {at}: szDescription");
        assert_eq!(data.system_status, "Running", "2918, {at}: szSystemStatus");
        // 2919–2920: WinSock 1's limits, reported only to a 1.x caller.
        let v1 = requested & 0xff == 1;
        let (sockets, udp) = if v1 { (32767, 65467) } else { (0, 0) };
        assert_eq!(data.max_sockets, sockets, "2919, {at}: iMaxSockets");
        assert_eq!(data.max_udp_dg, udp, "2920, {at}: iMaxUdpDg");
    }
    // 2922–2925: one cleanup more than startups fails with WSANOTINITIALISED.
    ws.wsa_set_last_error(DEADBEEF);
    assert_eq!(
        ws.wsa_cleanup(),
        Err(WsaError::WSANOTINITIALISED),
        "2924, {at}"
    );
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::WSANOTINITIALISED.code(),
        "2925, {at}"
    );
}

#[test]
fn startup_versions_and_counting() {
    // Proves: each requested version gets Windows' granted version (1.x above 1.1 is 1.1,
    // 2.x above 2.2 and majors above 2 are 2.2, major 0 WSAVERNOTSUPPORTED); WSADATA's
    // wHighVersion 2.2, "WinSock 2.0", "Running"; startups and cleanups are counted, a
    // successful cleanup sets the last error to 0, and one cleanup too many is
    // WSANOTINITIALISED (protocol.c 2891–2931).
    let mut sim = Sim::builder().seed(common::seed()).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", |ws| {
        for (requested, granted) in VERSIONS {
            row(ws, requested, granted);
        }
        Ok(())
    });
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
}
