//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_keepalive_vals` (line numbers from the Wine
//! 10.0 tarball, where the function spans lines 5783–5897), facts only.
//!
//! Counted in `ok()` calls as Windows executes them:
//!
//! | part of test_keepalive_vals                               | ported | not expressible | failing |
//! |-----------------------------------------------------------|-------:|----------------:|--------:|
//! | socket, input lengths without OVERLAPPED, 5793–5825        |     12 |               2 |       0 |
//! | with OVERLAPPED and a completion port, 5820–5856           |     10 |               5 |       0 |
//! | five on/time/interval settings, 5858–5876                  |      5 |               0 |       0 |
//! | with a completion routine, 5881–5896                       |      7 |               2 |       0 |
//! | **total**                                                 |     34 |               7 |       0 |
//!
//! The C-shaped `wsa_ioctl_c` ports the NULL input buffer with a length (3) and the NULL
//! lpcbBytesReturned without OVERLAPPED (2). Not expressible, per kind: a NULL
//! lpcbBytesReturned with an OVERLAPPED (2 + 2: the overlapped calls have no C-shaped
//! form); the count an overlapped call leaves untouched, on a synchronous failure (1, 5834)
//! and on success (1, 5847: `wsa_ioctl_overlapped` returns the count); and
//! `OVERLAPPED.Internal` set to STATUS_PENDING by the failed call with a short input (1, 5835):
//! the API has no Internal field, and the sim does not model an OVERLAPPED that a failed call
//! leaves marked pending (HasOverlappedIoCompleted, which reads it, says TRUE here). The
//! InternalHigh left untouched by that failure is ported as "no completion is queued".
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// A `struct tcp_keepalive` (onoff, keepalivetime, keepaliveinterval).
fn kalive(on: u32, time: u32, interval: u32) -> Vec<u8> {
    TcpKeepalive {
        onoff: on,
        keepalivetime: time,
        keepaliveinterval: interval,
    }
    .to_bytes()
    .to_vec()
}

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 5793–5795: a TCP socket on a completion port (key 123).
    let s = common::tcp(ws)?;
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(s, port, 123)?;

    // 5797–5802: a zero-length input: WSAEFAULT, count 0.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_ioctl_sized(s, SIO_KEEPALIVE_VALS, &[], &mut []);
    assert_eq!(r, Err((WsaError::WSAEFAULT, 0)), "5799–5802");
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEFAULT.code());

    // 5804–5809: a NULL input with the structure's length: WSAEFAULT, count 0.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let mut size = 0xdead_beef_u32;
    let r = ws.wsa_ioctl_c(s, SIO_KEEPALIVE_VALS, None, 12, None, 0, Some(&mut size));
    common::fails(ws, r, WsaError::WSAEFAULT, "5806–5807");
    assert_eq!(size, 0, "5808");

    // 5811–5817: all zero: success, last error 0, count 0.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_ioctl_sized(s, SIO_KEEPALIVE_VALS, &kalive(0, 0, 0), &mut []);
    assert_eq!(r, Ok(0), "5815, 5817");
    assert_eq!(ws.wsa_get_last_error(), 0, "5816");

    // 5819–5821: a NULL count without OVERLAPPED: WSAEFAULT (with one, 5823–5825: not
    // expressible).
    let k = kalive(0, 0, 0);
    let r = ws.wsa_ioctl_c(s, SIO_KEEPALIVE_VALS, Some(&k), 12, None, 0, None);
    common::fails(ws, r, WsaError::WSAEFAULT, "5820–5821");

    // 5827–5836: overlapped with an input one byte short: WSAEFAULT, nothing queued.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let ka = kalive(0, 0, 0);
    let ov = Overlapped::new(1);
    let r = ws.wsa_ioctl_overlapped(s, SIO_KEEPALIVE_VALS, &ka[..11], Vec::new(), ov, None);
    common::fails(ws, r, WsaError::WSAEFAULT, "5832–5833");
    assert_eq!(
        ws.get_queued_completion_status(port, 0)
            .map(|p| p.overlapped),
        Err(WsaError::WAIT_TIMEOUT),
        "5836: InternalHigh untouched, no completion"
    );

    // 5838–5846: the whole input, overlapped: success at once, last error 0.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_ioctl_overlapped(s, SIO_KEEPALIVE_VALS, &ka, Vec::new(), ov, None);
    assert_eq!(r, Ok(0), "5844");
    assert_eq!(ws.wsa_get_last_error(), 0, "5845");

    // 5849–5855: and a packet: 0 bytes, the OVERLAPPED, status 0.
    let p = ws.get_queued_completion_status(port, 0)?;
    assert_eq!(
        (p.bytes, p.key, p.overlapped, p.error),
        (0, 123, Some(ov), None),
        "5849–5855"
    );

    // 5857–5876: keep-alive on with 0/0, 1000/1000, 10000/10000, 100/100 ms, then off.
    for (on, t, i) in [
        (1, 0, 0),
        (1, 1000, 1000),
        (1, 10_000, 10_000),
        (1, 100, 100),
        (0, 100, 100),
    ] {
        let r = ws.wsa_ioctl(s, SIO_KEEPALIVE_VALS, &kalive(on, t, i), &mut []);
        assert_eq!(r, Ok(0), "keepalive {on} {t} {i}");
        let mut b = [0u8; 1];
        ws.getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &mut b)?;
        assert_eq!(u32::from(b[0]), on, "SO_KEEPALIVE follows onoff");
    }
    ws.close_completion_port(port)?;
    ws.closesocket(s)?;

    // 5881–5896: a completion routine: success, count 0, the routine runs in SleepEx(0, TRUE)
    // with error 0, 0 bytes and the OVERLAPPED.
    let s = common::tcp(ws)?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let routine: CompletionRoutine<SimWinsock> = Box::new(move |_ws, done: IoCompletion| {
        seen2
            .lock()
            .unwrap()
            .push((done.error, done.bytes, done.overlapped));
    });
    let r = ws.wsa_ioctl_overlapped(s, SIO_KEEPALIVE_VALS, &ka, Vec::new(), ov, Some(routine));
    assert_eq!(r, Ok(0), "5888–5889");
    assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION, "5891–5892");
    assert_eq!(*seen.lock().unwrap(), vec![(None, 0, ov)], "5893–5896");
    ws.closesocket(s)
}

#[test]
fn keepalive_vals() {
    // Proves: SIO_KEEPALIVE_VALS's input length rule, results, completion packet and routine
    // (sock.c 5783–5897).
    common::run(check);
}
