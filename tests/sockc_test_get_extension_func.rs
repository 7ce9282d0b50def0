//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_get_extension_func` (line numbers from the
//! Wine 10.0 tarball, where the function spans lines 5976–6063), facts only.
//!
//! Counted in `ok()` calls as Windows executes them:
//!
//! | part of test_get_extension_func                            | ported | not expressible | failing |
//! |------------------------------------------------------------|-------:|----------------:|--------:|
//! | NULL count with OVERLAPPED, 5990–5993                       |      0 |               2 |       0 |
//! | without OVERLAPPED: success, 8 bytes, 5995–6001             |      3 |               0 |       0 |
//! | with OVERLAPPED: success at once and a packet, 6003–6019     |      9 |               0 |       0 |
//! | an unknown GUID with OVERLAPPED: WSAEINVAL, nothing queued, 6021–6034 | 6 |     1 |       0 |
//! | NULL count with a routine, 6041–6044                        |      0 |               2 |       0 |
//! | with a routine, 6046–6058                                   |      7 |               0 |       0 |
//! | **total**                                                  |     25 |               5 |       0 |
//!
//! Not expressible, per kind: a NULL lpcbBytesReturned (2 + 2); the count a failing
//! overlapped call leaves untouched (1, 6030). `OVERLAPPED.Internal`/`InternalHigh` left
//! untouched by the unknown GUID are ported as "no completion is queued" (6032–6034).
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    let guid = WSAID_ACCEPTEX.to_bytes();
    let s = common::tcp(ws)?;
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(s, port, 123)?;

    // 5995–6001: success, last error 0, a pointer's size.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let mut func = [0u8; 8];
    let r = ws.wsa_ioctl_sized(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, &mut func);
    assert_eq!(r, Ok(8), "5998, 6000");
    assert_eq!(ws.wsa_get_last_error(), 0, "5999");
    let p = u64::from_le_bytes(func);
    assert_eq!(
        ExtensionFunction::from_pointer(p),
        ExtensionFunction::for_guid(&WSAID_ACCEPTEX)
    );

    // 6003–6011: overlapped: success at once with 8 bytes.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let ov = Overlapped::new(1);
    let r = ws.wsa_ioctl_overlapped(
        s,
        SIO_GET_EXTENSION_FUNCTION_POINTER,
        &guid,
        vec![0; 8],
        ov,
        None,
    );
    assert_eq!(r, Ok(8), "6009, 6011");
    assert_eq!(ws.wsa_get_last_error(), 0, "6010");

    // 6013–6019: and a packet: 0 bytes, key 123, the OVERLAPPED, status 0.
    let p = ws.get_queued_completion_status(port, 0)?;
    assert_eq!(
        (p.bytes, p.key, p.overlapped, p.error),
        (0, 123, Some(ov), None),
        "6013–6019"
    );

    // 6021–6034: an unknown GUID: WSAEINVAL at once, nothing queued.
    let bogus = Guid {
        data1: 0xdead_beef,
        data2: 0,
        data3: 0,
        data4: [0; 8],
    };
    let r = ws.wsa_ioctl_overlapped(
        s,
        SIO_GET_EXTENSION_FUNCTION_POINTER,
        &bogus.to_bytes(),
        vec![0; 8],
        Overlapped::new(2),
        None,
    );
    common::fails(ws, r, WsaError::WSAEINVAL, "6028–6029");
    // 6036–6038: GetQueuedCompletionStatus times out.
    assert_eq!(
        ws.get_queued_completion_status(port, 0)
            .map(|p| p.overlapped),
        Err(WsaError::WAIT_TIMEOUT),
        "6032–6038"
    );
    ws.close_completion_port(port)?;
    ws.closesocket(s)?;

    // 6046–6058: with a routine: success, 8 bytes; the routine runs in SleepEx(0, TRUE) with
    // error 0, 0 bytes and the OVERLAPPED.
    let s = common::tcp(ws)?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let routine: CompletionRoutine<SimWinsock> = Box::new(move |_ws, done: IoCompletion| {
        seen2
            .lock()
            .unwrap()
            .push((done.error, done.bytes, done.overlapped));
    });
    let r = ws.wsa_ioctl_overlapped(
        s,
        SIO_GET_EXTENSION_FUNCTION_POINTER,
        &guid,
        vec![0; 8],
        ov,
        Some(routine),
    );
    assert_eq!(r, Ok(8), "6049–6050");
    assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION, "6052–6053");
    assert_eq!(*seen.lock().unwrap(), vec![(None, 0, ov)], "6054–6058");
    ws.closesocket(s)
}

#[test]
fn get_extension_func() {
    // Proves: SIO_GET_EXTENSION_FUNCTION_POINTER with and without OVERLAPPED, an unknown GUID,
    // and the completion routine (sock.c 5976–6063).
    common::run(check);
}
