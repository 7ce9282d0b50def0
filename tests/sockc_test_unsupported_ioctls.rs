//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_unsupported_ioctls` (line numbers from the
//! Wine 10.0 tarball, where the function spans lines 5899–5974), facts only.
//!
//! Counted in `ok()` calls as Windows executes them, the loop body once per code of its table
//! (0xdeadbeef, FIOASYNC, 0x667e, SIO_FLUSH):
//!
//! | part of test_unsupported_ioctls (× 4 codes)                  | ported | not expressible | failing |
//! |--------------------------------------------------------------|-------:|----------------:|--------:|
//! | NULL count with OVERLAPPED, 5914–5916                         |      0 |               8 |       0 |
//! | without OVERLAPPED: WSAEOPNOTSUPP, count 0, 5918–5923          |     12 |               0 |       0 |
//! | with OVERLAPPED: pending, then ERROR_NOT_SUPPORTED, 5925–5942  |     36 |               4 |       0 |
//! | NULL count with a routine, 5949–5951                          |      0 |               8 |       0 |
//! | with a routine: pending, then WSAEOPNOTSUPP, 5953–5964         |     28 |               4 |       0 |
//! | **total**                                                    |     76 |              24 |       0 |
//!
//! Not expressible, per kind: a NULL lpcbBytesReturned (2 per code, twice); the count an
//! overlapped call leaves untouched when it pends (1 per code, twice: no count on failure).
//! `OVERLAPPED.Internal` after the completion is the packet's error (STATUS_NOT_SUPPORTED ↔
//! ERROR_NOT_SUPPORTED) and InternalHigh its byte count.
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    for code in [0xdead_beef, FIOASYNC, 0x667e, SIO_FLUSH] {
        let what = |line: u32| format!("ioctl {code:#x}, line {line}");
        let s = common::tcp(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 123)?;

        // 5918–5923: without OVERLAPPED: WSAEOPNOTSUPP, count 0.
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_ioctl_sized(s, code, &[], &mut []);
        assert_eq!(r, Err((WsaError::WSAEOPNOTSUPP, 0)), "{}", what(5920));
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEOPNOTSUPP.code());

        // 5925–5933: with OVERLAPPED: SOCKET_ERROR, ERROR_IO_PENDING.
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let ov = Overlapped::new(1);
        let r = ws.wsa_ioctl_overlapped(s, code, &[], Vec::new(), ov, None);
        common::fails(ws, r, WsaError::WSA_IO_PENDING, &what(5931));

        // 5935–5942: the packet: failure ERROR_NOT_SUPPORTED, 0 bytes, key 123, the OVERLAPPED.
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (Some(WsaError::ERROR_NOT_SUPPORTED), 0, 123, Some(ov)),
            "{}",
            what(5936)
        );
        assert_eq!(WsaError::ERROR_NOT_SUPPORTED.code(), 50);
        ws.close_completion_port(port)?;
        ws.closesocket(s)?;

        // 5953–5964: with a routine: pending, and the routine runs in SleepEx(0, TRUE) with
        // WSAEOPNOTSUPP, 0 bytes and the OVERLAPPED.
        let s = common::tcp(ws)?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = seen.clone();
        let routine: CompletionRoutine<SimWinsock> = Box::new(move |_ws, done: IoCompletion| {
            seen2
                .lock()
                .unwrap()
                .push((done.error, done.bytes, done.overlapped));
        });
        let r = ws.wsa_ioctl_overlapped(s, code, &[], Vec::new(), ov, Some(routine));
        common::fails(ws, r, WsaError::WSA_IO_PENDING, &what(5955));
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION, "{}", what(5959));
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(Some(WsaError::WSAEOPNOTSUPP), 0, ov)],
            "{}",
            what(5961)
        );
        ws.closesocket(s)?;
    }
    Ok(())
}

#[test]
fn unsupported_ioctls() {
    // Proves: unsupported WSAIoctl codes fail with WSAEOPNOTSUPP at once, or pend and complete
    // with ERROR_NOT_SUPPORTED (packet) / WSAEOPNOTSUPP (routine) (sock.c 5899–5974).
    common::run(check);
}
