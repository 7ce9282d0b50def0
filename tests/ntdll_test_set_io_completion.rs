//! Port of Wine's `dlls/ntdll/tests/file.c` `test_set_io_completion` (Kron4ek/wine-tkg commit
//! 4b12965c, lines 958–1145, with `get_pending_msgs` 115–125, the constants 111–113 and the
//! APC `user_apc_proc` 952–956), facts only. (Older Wine names the test `test_iocompletion`;
//! the file's other completion tests, `test_file_io_completion` and
//! `test_file_completion_information`, do their I/O on pipes and files, and
//! `test_set_io_completion_ex` on reserve objects: none is expressible.)
//!
//! Translations, each because the status or return maps one-to-one: NtCreateIoCompletion is
//! `CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0)`; NtSetIoCompletion(port, key,
//! value, status, size) is `PostQueuedCompletionStatus(port, size, key, value)` (STATUS_SUCCESS
//! is TRUE; the packet's status and the bits of `size` above 32 cannot be given, see below);
//! NtRemoveIoCompletionEx(port, info, n, &count, timeout, alertable) is
//! `GetQueuedCompletionStatusEx` (STATUS_SUCCESS is TRUE, STATUS_TIMEOUT is WAIT_TIMEOUT,
//! STATUS_USER_APC is WAIT_IO_COMPLETION, STATUS_INVALID_PARAMETER is ERROR_INVALID_PARAMETER;
//! `count` is the count it returns, or the entries it leaves when it fails; a zero timeout is
//! 0 ms, a NULL one INFINITE); NtRemoveIoCompletion is `GetQueuedCompletionStatus`, whose
//! `Ok` is a packet dequeued (STATUS_SUCCESS) whatever the packet's status.
//!
//! Counted in `ok()` calls as Windows runs them (`get_pending_msgs`'s two at each of its two
//! calls; the skip at 1040 does not run on Windows since Vista):
//!
//! | part of test_set_io_completion                                      | ported | not expressible | failing |
//! |---------------------------------------------------------------------|-------:|----------------:|--------:|
//! | port h2: post, the thread takes it, 970–979                         |      5 |               0 |       0 |
//! | port h; APC first while the thread belongs to h2, 981–993           |      5 |               0 |       0 |
//! | APC first again: that call did not make it h's, 995–1002            |      2 |               0 |       0 |
//! | the packet; now the thread is h's, 1004–1007                        |      2 |               0 |       0 |
//! | h's thread: the packet before the APC, 1009–1019                    |      5 |               0 |       0 |
//! | timeout; a packet with a status; pending counts, 1021–1038          |      5 |               8 |       0 |
//! | GQCSEx of 0 entries; timeout, 1047–1055                             |      3 |               1 |       0 |
//! | one packet, 1057–1068                                               |      5 |               2 |       0 |
//! | two packets, one call, 1070–1089                                    |      8 |               4 |       0 |
//! | two packets, two calls of one entry, 1091–1115                      |     10 |               4 |       0 |
//! | APC: not run by a non-alertable call, run by an alertable, 1117–1129 |     6 |               0 |       0 |
//! | h's thread: APC queued and a packet, the packet first, 1131–1140    |      4 |               0 |       0 |
//! | **total**                                                           |     60 |              19 |       0 |
//!
//! Not expressible, per kind: NtQueryIoCompletion, the number of packets queued (6: 1028 and
//! 1038 with `get_pending_msgs`' 121 and 123 at each) — the API has no call that reads it;
//! a packet's `IoStatusBlock.Status` and `Information` (12: 1033, 1034, 1066, 1068, 1082,
//! 1084, 1087, 1089, 1103, 1105, 1113, 1115) — PostQueuedCompletionStatus queues
//! STATUS_SUCCESS and a DWORD count, and `size` has bits above 32 on 64-bit Windows; the count
//! left untouched by a failing call (1: 1050) — the API returns no count when it fails.
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// 111–112
const CVALUE_FIRST: u64 = 0xfffa_bbcc;
const CKEY_FIRST: usize = 0x103_0341;

/// `size` (3, with 0x12345678 above bit 32 on 64-bit Windows): its low DWORD.
const SIZE: usize = 3;

/// NtSetIoCompletion(port, key, value, status, size) as PostQueuedCompletionStatus (the
/// status is not given).
fn set(ws: &SimWinsock, port: CompletionPort, key: usize, value: u64, line: u32) {
    let r = ws.post_queued_completion_status(port, SIZE, key, Some(Overlapped::new(value)));
    assert!(r.is_ok(), "{line}: {r:?}");
}

/// `user_apc_proc`, counting into `count` (reset first, as the test does).
fn queue_apc(ws: &SimWinsock, count: &Arc<AtomicU32>) -> Result<(), WsaError> {
    count.store(0, Ordering::SeqCst);
    let c = count.clone();
    ws.queue_user_apc(
        Box::new(move |_: &SimWinsock| {
            c.fetch_add(1, Ordering::SeqCst);
        }),
        ws.get_current_thread(),
    )
}

/// A new port (NtCreateIoCompletion): the call succeeds and the handle is neither 0 nor
/// INVALID_HANDLE_VALUE.
fn new_port(ws: &SimWinsock, line: u32) -> Result<CompletionPort, WsaError> {
    let port = ws.create_io_completion_port(0);
    assert!(port.is_ok(), "{line}: {port:?}");
    let port = port?;
    assert!(port.raw() != 0 && port.raw() != usize::MAX, "{}", line + 1);
    Ok(port)
}

/// An entry's key and value (the `ok()`s at `line` and `line + 1`).
fn assert_entry(e: &CompletionPacket, key: usize, value: u64, line: u32) {
    assert_eq!(e.key, key, "{line}");
    assert_eq!(e.overlapped, Some(Overlapped::new(value)), "{}", line + 1);
}

fn set_io_completion(ws: &SimWinsock) -> Result<(), WsaError> {
    let mut info = Vec::new();
    let apcs = Arc::new(AtomicU32::new(0));

    // 970–979: the thread takes a packet from h2.
    let h2 = new_port(ws, 973)?;
    set(ws, h2, 123, 456, 976);
    let r = ws.get_queued_completion_status_ex_into(h2, &mut info, 2, 0, true);
    assert!(r.is_ok(), "978: {r:?}");
    assert_eq!(r, Ok(1), "979");

    // 981–993: a packet on h and an APC: the APC goes first, though h has a packet (the
    // thread took its last packet from h2).
    let h = new_port(ws, 982)?;
    queue_apc(ws, &apcs)?;
    set(ws, h, 123, 456, 988);
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, true);
    assert_eq!(r, Err(WsaError::WAIT_IO_COMPLETION), "992");
    assert_eq!(apcs.load(Ordering::SeqCst), 1, "993");

    // 995–1002: h2 closed; another APC goes first again: the call that ran the last one did
    // not make the thread h's.
    ws.close_completion_port(h2)?;
    queue_apc(ws, &apcs)?;
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, true);
    assert_eq!(r, Err(WsaError::WAIT_IO_COMPLETION), "1001");
    assert_eq!(apcs.load(Ordering::SeqCst), 1, "1002");

    // 1004–1007: the packet; the thread is h's now.
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, true);
    assert!(r.is_ok(), "1006: {r:?}");
    assert_eq!(r, Ok(1), "1007");

    // 1009–1019: an APC queued, then a packet: h's thread gets the packet and the APC waits
    // for the next alertable wait.
    queue_apc(ws, &apcs)?;
    set(ws, h, 123, 456, 1012);
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, true);
    assert!(r.is_ok(), "1015: {r:?}");
    assert_eq!(r, Ok(1), "1016");
    assert_eq!(apcs.load(Ordering::SeqCst), 0, "1017");
    ws.sleep_ex(0, true);
    assert_eq!(apcs.load(Ordering::SeqCst), 1, "1019");

    // 1021–1022: NtRemoveIoCompletion with a zero timeout on the empty port.
    let r = ws.get_queued_completion_status(h, 0);
    assert_eq!(r.err(), Some(WsaError::WAIT_TIMEOUT), "1022");

    // 1024–1035: a packet (its STATUS_INVALID_DEVICE_REQUEST not expressible); 1027–1028
    // its count (not expressible); dequeued with its key and value (1033–1034 not
    // expressible); 1037–1038 none left (not expressible).
    set(ws, h, CKEY_FIRST, CVALUE_FIRST, 1025);
    let r = ws.get_queued_completion_status(h, 0);
    assert!(r.is_ok(), "1031: {r:?}");
    let p = r?;
    assert_eq!(p.key, CKEY_FIRST, "1032");
    assert_eq!(p.overlapped, Some(Overlapped::new(CVALUE_FIRST)), "1035");

    // 1047–1050: room for no entry: ERROR_INVALID_PARAMETER (1050's untouched count is not
    // expressible).
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 0, 0, false);
    assert_eq!(r, Err(WsaError::WSA_INVALID_PARAMETER), "1049");

    // 1052–1055: nothing queued: WAIT_TIMEOUT, at most one entry counted.
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, false);
    assert_eq!(r, Err(WsaError::WAIT_TIMEOUT), "1054");
    assert!(info.len() <= 1, "1055: {}", info.len());

    // 1057–1068: one packet.
    set(ws, h, 123, 456, 1058);
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, false);
    assert!(r.is_ok(), "1062: {r:?}");
    assert_eq!(r, Ok(1), "1063");
    assert_entry(&info[0], 123, 456, 1064);

    // 1070–1089: two packets, both in one call, in the order set.
    set(ws, h, 123, 456, 1071);
    set(ws, h, 12, 34, 1074);
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, false);
    assert!(r.is_ok(), "1078: {r:?}");
    assert_eq!(r, Ok(2), "1079");
    assert_entry(&info[0], 123, 456, 1080);
    assert_entry(&info[1], 12, 34, 1085);

    // 1091–1115: two packets, one per call of one entry (NULL timeout: INFINITE).
    set(ws, h, 123, 456, 1092);
    set(ws, h, 12, 34, 1095);
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 1, INFINITE, false);
    assert!(r.is_ok(), "1099: {r:?}");
    assert_eq!(r, Ok(1), "1100");
    assert_entry(&info[0], 123, 456, 1101);
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 1, INFINITE, false);
    assert!(r.is_ok(), "1109: {r:?}");
    assert_eq!(r, Ok(1), "1110");
    assert_entry(&info[0], 12, 34, 1111);

    // 1117–1129: an APC: a non-alertable call times out without it; an alertable one runs it.
    queue_apc(ws, &apcs)?;
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, false);
    assert_eq!(r, Err(WsaError::WAIT_TIMEOUT), "1122");
    assert!(info.len() <= 1, "1123: {}", info.len());
    assert_eq!(apcs.load(Ordering::SeqCst), 0, "1124");
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, true);
    assert_eq!(r, Err(WsaError::WAIT_IO_COMPLETION), "1127");
    assert!(info.len() <= 1, "1128: {}", info.len());
    assert_eq!(apcs.load(Ordering::SeqCst), 1, "1129");

    // 1131–1140: an APC queued, then a packet: still h's thread (the two calls before
    // dequeued nothing), it gets the packet and runs no APC.
    queue_apc(ws, &apcs)?;
    set(ws, h, 123, 456, 1135);
    let r = ws.get_queued_completion_status_ex_into(h, &mut info, 2, 0, true);
    assert!(r.is_ok(), "1138: {r:?}");
    assert_eq!(r, Ok(1), "1139");
    assert_eq!(apcs.load(Ordering::SeqCst), 0, "1140");

    // 1142–1144
    ws.sleep_ex(1, true);
    ws.close_completion_port(h)
}

#[test]
fn set_io_completion_packets_apcs_and_association() {
    common::run(set_io_completion);
}
