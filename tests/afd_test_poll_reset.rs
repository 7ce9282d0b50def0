//! Wine `dlls/ws2_32/tests/afd.c`, function `test_poll_reset` (L1386-1428 of the file at
//! Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines counted),
//! facts only: a peer's abortive close (SO_LINGER {1, 0}) as IOCTL_AFD_POLL reports it,
//! checked through WSAPoll and select (projection in `afd_common`). Our own code.
//!
//! Counting: each `ok()` in the body once, the `check_poll` call once; `close_with_rst`'s
//! own checks are not counted.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L1411-1422 a waiting poll without WRITE / CONNECT wakes with RESET only (8) | 6 (WSAPoll on a thread) | 2 | 0 |
//! | L1424 then WRITE, CONNECT and RESET (1) | 1 (select, WSAPoll) | 0 | 0 |
//! | **total (9)** | **7** | **2** | **0** |
//!
//! Not expressible, per kind: `io.Information` (1); the zero per-socket status (1).
//! RESET alone means: no READ (no POLLRDNORM), no HUP of its own (WSAPoll's POLLHUP comes
//! from RESET), and WRITE stays — the socket is writable after the reset.
mod afd_common;
mod common;

use afd_common::*;
use winsock_sim::prelude::*;

#[test]
fn peer_reset_wakes_a_poll_with_reset_only() {
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        // L1406-1422: asked for everything but WRITE and CONNECT.
        let ask = POLLRDNORM | POLLRDBAND;
        let (t, out) = poll_in_thread(ws, vec![WsaPollFd::new(c, ask)], 10_000)?;
        assert!(still_waiting(&out), "L1411");
        common::rst_close(ws, s)?;
        let (res, fds) = joined(ws, t, &out)?;
        assert_eq!(res, Ok(1), "L1416-1419");
        assert_eq!(fds[0].fd, c, "L1420");
        assert_eq!(fds[0].revents, poll_bits(RESET), "L1421: RESET only");
        // L1424
        check(ws, c, WRITE | CONNECT | RESET, "L1424");
        ws.closesocket(c)
    });
}
