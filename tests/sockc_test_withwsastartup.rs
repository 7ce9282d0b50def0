//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_WithWSAStartup` (Wine 10.0 lines
//! 997–1096), facts only: the last `WSACleanup` destroys the process's sockets (their
//! duplicate handles too), and a `WSACleanup` without a matching `WSAStartup` fails.
//!
//! | part of test_WithWSAStartup                                  | ported | not expressible | failing |
//! |--------------------------------------------------------------|-------:|----------------:|--------:|
//! | `WSAStartup(2.2)` succeeds, 1010–1011                        |      1 |               0 |       0 |
//! | `gethostbyname("localhost")` succeeds, 1013–1014             |      1 |               0 |       0 |
//! | 32 socket pairs, each end duplicated, 1017–1032              |      4 |               0 |       0 |
//! | `send` works, `WSACleanup`, `WSAStartup` again, 1034–1041    |      2 |               0 |       0 |
//! | `send` on both ends now fails with WSAENOTSOCK, 1042–1054    |      4 |               0 |       0 |
//! | `getsockname` on every socket fails with WSAENOTSOCK, 1057–1078 |   2 |               0 |       0 |
//! | `WSACleanup` succeeds, a second one WSANOTINITIALISED, 1089–1095 |  2 |               0 |       0 |
//! | **total**                                                    |     16 |               0 |       0 |
//!
//! Counts: each `ok()` of the text once (a loop body once).
//!
//! Nothing is left not expressible (`gethostbyname` returns a `Hostent` struct).
//!
//! The duplicates are made with `WSADuplicateSocket` (the structured form of
//! `WSADuplicateSocketA`) and opened with `WSASocket(0, 0, 0, &info)`; `getsockname` checks
//! all four handles of each pair after the last `WSACleanup`.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

const PAIRS: usize = 32;

/// Runs on a thread that has not called `WSAStartup` yet, as sock.c's does (it runs before
/// `Init`).
fn check<W: Winsock + Resolve + ProtocolInfoApi>(ws: &W) -> Result<(), WsaError> {
    // 1010–1011.
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    // 1013–1014: gethostbyname("localhost") succeeds (with 127.0.0.1, as protocol.c's
    // test_gethostbyname_hack expects).
    let h = ws.gethostbyname("localhost");
    assert!(h.is_ok(), "1014: {h:?}");
    let h = h?;
    assert_eq!(
        (h.family, h.addrs.first()),
        (AF_INET, Some(&[127, 0, 0, 1]))
    );
    // 1017–1032: socket pairs, each end duplicated.
    let pid = ws.get_current_process_id();
    let mut pairs = Vec::with_capacity(PAIRS);
    let mut dups = Vec::with_capacity(PAIRS);
    for _ in 0..PAIRS {
        let (src, dst) = common::pair(ws)?;
        let mut ends = [Socket::INVALID; 2];
        for (end, (s, lines)) in ends
            .iter_mut()
            .zip([(src, ["1025", "1027"]), (dst, ["1030", "1032"])])
        {
            let mut info = winsock_sim::api::protocol_info::catalog()[0].clone();
            let r = ws.wsa_duplicate_socket(s, pid, Some(&mut info));
            assert!(r.is_ok(), "{}: {r:?}", lines[0]);
            let d = ws.wsa_socket_from_info(0, 0, 0, Some(&info), 0);
            assert!(d.is_ok(), "{}: {d:?}", lines[1]);
            *end = d?;
        }
        pairs.push((src, dst));
        dups.push(ends);
    }
    // 1034–1035.
    assert_eq!(ws.send(pairs[0].0, b"TEST", 0)?, 4, "1036");
    // 1037–1040: the last WSACleanup, then a new WSAStartup.
    ws.wsa_cleanup()?;
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    // 1042–1054: both ends of the first pair are gone.
    for (s, line) in [(pairs[0].0, "1047–1048"), (pairs[0].1, "1053–1054")] {
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.send(s, b"TEST", 0);
        common::fails(ws, r, WsaError::WSAENOTSOCK, line);
    }
    // 1057–1078: every socket is gone, duplicates included.
    for (&(src, dst), &[dup_src, dup_dst]) in pairs.iter().zip(&dups) {
        for s in [src, dup_src, dst, dup_dst] {
            ws.wsa_set_last_error(0xdead_beef_u32 as i32);
            let r = ws.getsockname(s);
            common::fails(ws, r, WsaError::WSAENOTSOCK, "1074–1076");
        }
    }
    // 1080–1087: sock.c closes them anyway; the results are not checked.
    for (&(src, dst), &[dup_src, dup_dst]) in pairs.iter().zip(&dups) {
        for s in [src, dst, dup_src, dup_dst] {
            let _ = ws.closesocket(s);
        }
    }
    // 1089–1095.
    ws.wsa_cleanup()?;
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_cleanup();
    common::fails(ws, r, WsaError::WSANOTINITIALISED, "1094");
    Ok(())
}

#[test]
fn with_wsastartup() {
    // Proves: the last WSACleanup destroys every socket of the process (send and
    // getsockname then give WSAENOTSOCK, even after a new WSAStartup), and an unmatched
    // WSACleanup fails with WSANOTINITIALISED (sock.c 997–1096).
    let mut sim = Sim::builder().seed(common::seed()).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", check);
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
}
