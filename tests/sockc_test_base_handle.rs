//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_base_handle` (Wine 10.0 lines 6114–6203),
//! facts only: `WSAIoctl(SIO_BASE_HANDLE)` returns the socket itself when called
//! synchronously, and pends then fails with "not supported" when called overlapped.
//!
//! Run for each of (AF_INET, AF_INET6) × (TCP, UDP); each `ok()` of the loop body counted once.
//!
//! | part of test_base_handle                                      | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | NULL cbBytesReturned with an OVERLAPPED: WSAEFAULT, 6141–6145  |      0 |               2 |       0 |
//! | synchronous: success, last error 0, 8 bytes, the socket, 6147–6154 | 4 |              0 |       0 |
//! | overlapped: pending, count untouched, 6156–6164               |      2 |               1 |       0 |
//! | the packet: ERROR_NOT_SUPPORTED, 0 bytes, key, OVERLAPPED, Internal, InternalHigh, output untouched, 6166–6174 | 8 | 0 | 0 |
//! | NULL cbBytesReturned with a routine: WSAEFAULT, 6181–6183     |      0 |               2 |       0 |
//! | with a routine: pending, count untouched, 6185–6191           |      2 |               1 |       0 |
//! | the routine in SleepEx: once, WSAEOPNOTSUPP, 0 bytes, OVERLAPPED, output untouched, 6193–6199 | 6 | 0 | 0 |
//! | **total**                                                     |     22 |               6 |       0 |
//!
//! Not expressible, by kind: a NULL lpcbBytesReturned (2 × 2); the count a pending overlapped
//! call leaves untouched (2: the API returns no count with a failure).
//!
//! Older tests of the same rules: `tests/wsa_ioctl.rs` (SIO_BASE_HANDLE returns the socket)
//! and `tests/sockc_test_unsupported_ioctls.rs` (the same pend-then-fail path for other codes).
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::api::extension::STATUS_NOT_SUPPORTED;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const DEADBEEF: [u8; 8] = 0xdead_beef_u64.to_le_bytes();

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    let tests = [
        (AF_INET, SOCK_STREAM, IPPROTO_TCP),
        (AF_INET, SOCK_DGRAM, IPPROTO_UDP),
        (AF_INET6, SOCK_STREAM, IPPROTO_TCP),
        (AF_INET6, SOCK_DGRAM, IPPROTO_UDP),
    ];
    for (af, ty, proto) in tests {
        let what = |line: u32| format!("({af}, {ty}, {proto}), line {line}");
        let s = ws.socket(af, ty, proto)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 123)?;

        // 6147–6154: synchronous: the socket itself, 8 bytes, last error 0.
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let mut base = DEADBEEF;
        let n = ws.wsa_ioctl_sized(s, SIO_BASE_HANDLE, &[], &mut base);
        assert_eq!(n, Ok(8), "{}", what(6151));
        assert_eq!(ws.wsa_get_last_error(), 0, "{}", what(6152));
        assert_eq!(usize::from_le_bytes(base), s.raw(), "{}", what(6154));

        // 6156–6163: overlapped: SOCKET_ERROR, ERROR_IO_PENDING.
        let ov = Overlapped::new(1);
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_ioctl_overlapped(s, SIO_BASE_HANDLE, &[], DEADBEEF.to_vec(), ov, None);
        common::fails(ws, r, WsaError::WSA_IO_PENDING, &what(6162));

        // 6166–6174: the packet fails with ERROR_NOT_SUPPORTED, 0 bytes, key 123, the
        // OVERLAPPED; Internal STATUS_NOT_SUPPORTED, InternalHigh 0; the output untouched.
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(
            p.error,
            Some(WsaError::ERROR_NOT_SUPPORTED),
            "{}",
            what(6168)
        );
        assert_eq!(WsaError::ERROR_NOT_SUPPORTED.code(), 50);
        assert_eq!(
            (p.bytes, p.key, p.overlapped),
            (0, 123, Some(ov)),
            "{}",
            what(6169)
        );
        assert_eq!(
            ws.overlapped_internal(&ov),
            (STATUS_NOT_SUPPORTED, 0),
            "{}",
            what(6172)
        );
        assert_eq!(p.bufs, vec![DEADBEEF.to_vec()], "{}", what(6174));
        ws.close_completion_port(port)?;
        ws.closesocket(s)?;

        // 6185–6191: with a completion routine: pending.
        let s = ws.socket(af, ty, proto)?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = seen.clone();
        let routine: CompletionRoutine<SimWinsock> = Box::new(move |_ws, done: IoCompletion| {
            seen2
                .lock()
                .unwrap()
                .push((done.error, done.bytes, done.overlapped, done.bufs));
        });
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_ioctl_overlapped(
            s,
            SIO_BASE_HANDLE,
            &[],
            DEADBEEF.to_vec(),
            ov,
            Some(routine),
        );
        common::fails(ws, r, WsaError::WSA_IO_PENDING, &what(6190));

        // 6193–6199: SleepEx(0, TRUE) runs it once with WSAEOPNOTSUPP, 0 bytes, the
        // OVERLAPPED; the output untouched.
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION, "{}", what(6194));
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "{}", what(6195));
        let (error, bytes, o, bufs) = &seen[0];
        assert_eq!(*error, Some(WsaError::WSAEOPNOTSUPP), "{}", what(6196));
        assert_eq!((*bytes, *o), (0, ov), "{}", what(6197));
        assert_eq!(*bufs, vec![DEADBEEF.to_vec()], "{}", what(6199));
        ws.closesocket(s)?;
    }
    Ok(())
}

#[test]
fn base_handle() {
    // Proves: SIO_BASE_HANDLE returns the socket itself (8 bytes) synchronously, and an
    // overlapped one pends and fails with ERROR_NOT_SUPPORTED in a packet (STATUS_NOT_SUPPORTED
    // in Internal) or WSAEOPNOTSUPP in a routine, output untouched (sock.c 6114–6203).
    common::run(check);
}
