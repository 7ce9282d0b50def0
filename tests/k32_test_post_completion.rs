//! Port of Wine's `dlls/kernel32/tests/file.c` `test_post_completion` (Kron4ek/wine-tkg
//! commit 4b12965c, lines 6009–6115, with the APC `user_apc` 3411–3415), facts only.
//!
//! Counted in `ok()` calls as Windows runs them (6097 runs: on Windows after Vista the
//! alertable call at 6094 fails). Every one is ported:
//!
//! | part of test_post_completion                                   | ported | not expressible | failing |
//! |----------------------------------------------------------------|-------:|----------------:|--------:|
//! | port; GQCS on it empty: WAIT_TIMEOUT, 6019–6024                |      3 |               0 |       0 |
//! | PQCS, GQCS gets its three values, empty again, 6026–6037       |      7 |               0 |       0 |
//! | GQCSEx on it empty, 6046–6050                                  |      3 |               0 |       0 |
//! | PQCS, GQCSEx gets one entry, 6052–6063                         |      7 |               0 |       0 |
//! | two PQCS, GQCSEx gets both in order, 6065–6083                 |     12 |               0 |       0 |
//! | APC queued: not run by a non-alertable GQCSEx, 6085–6092       |      4 |               0 |       0 |
//! | the alertable GQCSEx runs it: WAIT_IO_COMPLETION, 6094–6099    |      4 |               0 |       0 |
//! | APC queued and a packet: the packet first, 6101–6110           |      4 |               0 |       0 |
//! | **total**                                                      |     44 |               0 |       0 |
//!
//! GQCSEx's `ulNumEntriesRemoved` is the count the `_into` form returns, and the number of
//! entries it leaves when it fails; an entry's `Internal` (the I/O's status) is 0 exactly when
//! the packet's `error` is `None`.
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// A GQCS(Ex) with timeout 0 on an empty port: FALSE, GetLastError WAIT_TIMEOUT.
fn assert_timeout<T: std::fmt::Debug>(ws: &SimWinsock, r: &Result<T, WsaError>, lines: (u32, u32)) {
    assert!(r.is_err(), "{}: {r:?}", lines.0);
    assert_eq!(
        r.as_ref().err(),
        Some(&WsaError::WAIT_TIMEOUT),
        "{}",
        lines.1
    );
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::WAIT_TIMEOUT.code(),
        "{}: GetLastError",
        lines.1
    );
}

/// An entry with `key`, `ov`, status 0 and `bytes` (the four `ok()`s at `line`…`line + 3`).
fn assert_entry(e: &CompletionPacket, key: usize, ov: Overlapped, bytes: usize, line: u32) {
    assert_eq!(e.key, key, "{line}");
    assert_eq!(e.overlapped, Some(ov), "{}", line + 1);
    assert_eq!(e.error, None, "{}: Internal", line + 2);
    assert_eq!(e.bytes, bytes, "{}", line + 3);
}

/// `user_apc`, with the flag it sets.
fn queue_apc(ws: &SimWinsock, ran: &Arc<AtomicBool>) -> Result<(), WsaError> {
    ran.store(false, Ordering::SeqCst);
    let r = ran.clone();
    ws.queue_user_apc(
        Box::new(move |_: &SimWinsock| r.store(true, Ordering::SeqCst)),
        ws.get_current_thread(),
    )
}

fn post_completion(ws: &SimWinsock) -> Result<(), WsaError> {
    let ovl = Overlapped::new(0x0c1);
    let ovl2 = Overlapped::new(0x0c2);

    // 6019–6024: a new port; nothing queued.
    let port = ws.create_io_completion_port(0);
    assert!(port.is_ok(), "6020: {port:?}");
    let port = port?;
    let r = ws.get_queued_completion_status(port, 0);
    assert_timeout(ws, &r, (6023, 6024));

    // 6026–6037: the posted packet comes back with its three values, then none is left.
    let r = ws.post_queued_completion_status(port, 123, 456, Some(ovl));
    assert!(r.is_ok(), "6027: {r:?}");
    let (mut size, mut key, mut povl) = (0u32, 0usize, None);
    let r = ws.get_queued_completion_status_out(port, &mut size, &mut key, &mut povl, 0);
    assert!(r.is_ok(), "6030: {r:?}");
    assert_eq!(r?.error, None, "6030: TRUE");
    assert_eq!(size, 123, "6031");
    assert_eq!(key, 456, "6032");
    assert_eq!(povl, Some(ovl), "6033");
    let r = ws.get_queued_completion_status(port, 0);
    assert_timeout(ws, &r, (6036, 6037));

    // 6046–6050: GQCSEx on the empty port.
    let mut entries = Vec::new();
    let r = ws.get_queued_completion_status_ex_into(port, &mut entries, 2, 0, false);
    assert_timeout(ws, &r, (6048, 6049));
    assert!(entries.len() <= 1, "6050: {}", entries.len());

    // 6052–6063: one packet, one entry.
    let r = ws.post_queued_completion_status(port, 123, 456, Some(ovl));
    assert!(r.is_ok(), "6053: {r:?}");
    let r = ws.get_queued_completion_status_ex_into(port, &mut entries, 2, 0, false);
    assert!(r.is_ok(), "6058: {r:?}");
    assert_eq!(r, Ok(1), "6059");
    assert_entry(&entries[0], 456, ovl, 123, 6060);

    // 6065–6083: two packets, both entries, in the order posted.
    let r = ws.post_queued_completion_status(port, 123, 456, Some(ovl));
    assert!(r.is_ok(), "6066: {r:?}");
    let r = ws.post_queued_completion_status(port, 654, 321, Some(ovl2));
    assert!(r.is_ok(), "6069: {r:?}");
    let r = ws.get_queued_completion_status_ex_into(port, &mut entries, 2, 0, false);
    assert!(r.is_ok(), "6074: {r:?}");
    assert_eq!(r, Ok(2), "6075");
    assert_entry(&entries[0], 456, ovl, 123, 6076);
    assert_entry(&entries[1], 321, ovl2, 654, 6080);

    // 6085–6092: a queued APC does not run in a non-alertable GQCSEx.
    let ran = Arc::new(AtomicBool::new(false));
    queue_apc(ws, &ran)?;
    let r = ws.get_queued_completion_status_ex_into(port, &mut entries, 2, 0, false);
    assert_timeout(ws, &r, (6089, 6090));
    assert!(entries.len() <= 1, "6091: {}", entries.len());
    assert!(!ran.load(Ordering::SeqCst), "6092");

    // 6094–6099: the alertable one runs it and fails with WAIT_IO_COMPLETION.
    let r = ws.get_queued_completion_status_ex_into(port, &mut entries, 2, 0, true);
    assert!(r.is_err(), "6095: {r:?}");
    assert_eq!(r, Err(WsaError::WAIT_IO_COMPLETION), "6097");
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::WAIT_IO_COMPLETION.code(),
        "6097: GetLastError"
    );
    assert!(entries.len() <= 1, "6098: {}", entries.len());
    assert!(ran.load(Ordering::SeqCst), "6099");

    // 6101–6110: an APC queued and a packet posted: the alertable GQCSEx of this thread, which
    // has taken packets from this port, returns the packet and runs no APC.
    queue_apc(ws, &ran)?;
    let r = ws.post_queued_completion_status(port, 123, 456, Some(ovl));
    assert!(r.is_ok(), "6105: {r:?}");
    let r = ws.get_queued_completion_status_ex_into(port, &mut entries, 2, 0, true);
    assert!(r.is_ok(), "6108: {r:?}");
    assert_eq!(r, Ok(1), "6109");
    assert!(!ran.load(Ordering::SeqCst), "6110");

    // 6112–6114
    ws.sleep_ex(0, true);
    ws.close_completion_port(port)
}

#[test]
fn post_completion_packets_and_apcs() {
    common::run(post_completion);
}
