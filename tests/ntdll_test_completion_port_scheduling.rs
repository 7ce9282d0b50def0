//! Port of Wine's `dlls/ntdll/tests/sync.c` `test_completion_port_scheduling` (lines
//! 1006–1090, with its thread `test_completion_port_scheduling_thread` 906–1004 and the
//! parameters they share, 899–904), facts only. The text is thesquib/wine commit 92397b56
//! (`read_file` id 70093776630); its lines were counted in Kron4ek/wine-tkg commit 4b12965c,
//! which has the same text at the same character offsets.
//!
//! Translations, each because the status or return maps one-to-one: NtCreateIoCompletion(…, 0)
//! is `CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0)` (a handle for
//! STATUS_SUCCESS); NtClose of the port is `CloseHandle` (TRUE for STATUS_SUCCESS);
//! NtRemoveIoCompletion is `GetQueuedCompletionStatus` and NtRemoveIoCompletionEx is
//! `GetQueuedCompletionStatusEx` (non-alertable): STATUS_ABANDONED_WAIT_0 is their FALSE with
//! ERROR_ABANDONED_WAIT_0, and NtRemoveIoCompletionEx's count is GQCSEx's
//! `ulNumEntriesRemoved`, which the API gives as the entries it leaves.
//!
//! Counted in `ok()` calls as Windows runs them: the thread's once per thread that reaches
//! them (two threads; 931 only in thread 1, 936 only in thread 0), a loop body once per turn
//! (two threads created at 1017–1024, four ports at 1067–1081 with two SignalObjectAndWait
//! each). The `skip()` branches at 951, 962, 974, 986 and 998 are for a close that comes before
//! the wait starts; the port's threads are waiting 20 ms of virtual time before it, so the
//! `ok()`s run.
//!
//! | part of test_completion_port_scheduling                         | ported | not expressible | failing |
//! |-----------------------------------------------------------------|-------:|----------------:|--------:|
//! | two threads created, 1017–1024                                  |      2 |               0 |       0 |
//! | port created; threads wake on it directly, 1026–1038, 919–924   |      4 |               2 |       0 |
//! | one thread in GQCS, one waiting on the port, 1040–1046, 926–938 |      1 |               1 |       0 |
//! | both in GQCS: last waiter first, main gets 5, 1048–1058, 940–946 |     8 |               0 |       0 |
//! | port closed under direct waits, 1060–1064, 948–955              |      0 |               2 |       0 |
//! | four ports closed under GQCS(Ex) waits, 1066–1081, 957–1001     |     30 |               8 |       0 |
//! | **total**                                                       |     45 |              13 |       0 |
//!
//! Not expressible, per kind: WaitForSingleObject on a completion port (5: 923 twice, 936,
//! 954 twice) — the API's wait functions take events, mutexes, semaphores, timers and threads,
//! not ports; where the thread waits on the port the port lets it go on without the wait (936's
//! 100 ms wait is a 100 ms Sleep, so the timing stays). SignalObjectAndWait (8: 1076 four
//! turns × two threads) — the API has no such call; the port does SetEvent then
//! WaitForSingleObject and asserts that wait's WAIT_OBJECT_0, not counted.
//!
//! Simulated CPUs: the port is created with concurrency 0, the number of CPUs. The port runs
//! with 4: at 1053–1055 main runs as a thread of the port (it dequeued at 1037), so with 2 the
//! second slot is main's and the simulator gives main key 4 and thread 1 key 5, the values the
//! `broken()` at 945 and 1058 allow; the non-broken values need a third slot.
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

/// Seeds the port runs under (the interleavings differ per seed).
fn seeds() -> impl Iterator<Item = u64> {
    let base = common::seed();
    (0..8).map(move |i| base.wrapping_add(i * 0x9E37_79B9))
}

/// 899–904: what main shares with one thread.
struct Param {
    index: usize,
    ready: WsaEvent,
    test_ready: WsaEvent,
    port: Mutex<Option<CompletionPort>>,
}

impl Param {
    fn port(&self) -> CompletionPort {
        self.port.lock().unwrap().expect("port set before ready")
    }

    fn set_port(&self, port: CompletionPort) {
        *self.port.lock().unwrap() = Some(port);
    }
}

/// The thread's `WaitForSingleObject(p->ready, INFINITE)` with its `ok()`.
fn wait_ready(ws: &SimWinsock, p: &Param, line: u32) {
    assert_eq!(
        ws.wait_for_single_object(p.ready.into(), INFINITE),
        Ok(WAIT_OBJECT_0),
        "{line}: thread {} woken by ready",
        p.index
    );
}

/// A GQCS(Ex) that the port's close ends: FALSE, and GetLastError gives
/// ERROR_ABANDONED_WAIT_0.
fn assert_abandoned<T: std::fmt::Debug>(
    ws: &SimWinsock,
    r: Result<T, WsaError>,
    lines: (u32, u32),
    p: &Param,
) {
    assert!(r.is_err(), "{}: thread {}: {r:?}", lines.0, p.index);
    assert_eq!(
        r.err(),
        Some(WsaError::ERROR_ABANDONED_WAIT_0),
        "{}: thread {}",
        lines.1,
        p.index
    );
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::ERROR_ABANDONED_WAIT_0.code(),
        "{}: thread {}: GetLastError",
        lines.1,
        p.index
    );
}

/// 906–1004: `test_completion_port_scheduling_thread`.
fn thread(ws: &SimWinsock, p: &Param) -> Result<(), WsaError> {
    // 919–924: woken by ready; 922–923 wait on the port itself (not expressible).
    wait_ready(ws, p, 921);
    ws.set_event(p.test_ready)?;

    // 926–938: thread 1 takes main's packet in GQCS; thread 0 waits on the port for 100 ms
    // (936, not expressible: a 100 ms Sleep here).
    ws.wait_for_single_object(p.ready.into(), INFINITE)?;
    if p.index == 1 {
        let r = ws.get_queued_completion_status(p.port(), INFINITE);
        assert!(r.is_ok(), "931: {r:?}");
    } else {
        ws.sleep(100);
    }
    ws.set_event(p.test_ready)?;

    // 940–946: both in GQCS; the thread that waited last (thread 0) is released first and
    // takes key 3, thread 1 takes key 4.
    wait_ready(ws, p, 942);
    let r = ws.get_queued_completion_status(p.port(), INFINITE);
    assert!(r.is_ok(), "944: thread {}: {r:?}", p.index);
    assert_eq!(r?.key, 3 + p.index, "945: thread {}", p.index);
    ws.set_event(p.test_ready)?;

    // 948–955: main closes the port while this thread waits on it directly (not
    // expressible: the thread does not wait).
    ws.wait_for_single_object(p.ready.into(), INFINITE)?;
    ws.set_event(p.test_ready)?;

    // 957–965 (NtRemoveIoCompletion as GQCS): the close ends the wait.
    wait_ready(ws, p, 959);
    ws.set_event(p.test_ready)?;
    let r = ws.get_queued_completion_status(p.port(), INFINITE);
    assert_eq!(r.err(), Some(WsaError::ERROR_ABANDONED_WAIT_0), "965");

    // 967–977 (NtRemoveIoCompletionEx as non-alertable GQCSEx, one entry): at most one
    // entry counted, and the close ends the wait.
    wait_ready(ws, p, 969);
    ws.set_event(p.test_ready)?;
    let mut entries = Vec::new();
    let r = ws.get_queued_completion_status_ex_into(p.port(), &mut entries, 1, INFINITE, false);
    assert!(entries.len() <= 1, "973: {} entries", entries.len());
    assert_eq!(r.err(), Some(WsaError::ERROR_ABANDONED_WAIT_0), "977");

    // 979–989: GQCS returns FALSE with ERROR_ABANDONED_WAIT_0.
    wait_ready(ws, p, 981);
    ws.set_event(p.test_ready)?;
    let r = ws.get_queued_completion_status(p.port(), INFINITE);
    assert_abandoned(ws, r, (985, 989), p);

    // 991–1001: alertable GQCSEx likewise.
    wait_ready(ws, p, 993);
    ws.set_event(p.test_ready)?;
    let r = ws.get_queued_completion_status_ex(p.port(), 1, INFINITE, true);
    assert_abandoned(ws, r, (997, 1001), p);
    Ok(())
}

/// 1006–1090: `test_completion_port_scheduling`.
fn scheduling(ws: &SimWinsock) -> Result<(), WsaError> {
    // 1017–1024: two threads, each with its two auto-reset events.
    let mut p = Vec::new();
    let mut threads = Vec::new();
    for index in 0..2 {
        let param = Arc::new(Param {
            index,
            ready: ws.create_event(false, false)?,
            test_ready: ws.create_event(false, false)?,
            port: Mutex::new(None),
        });
        let q = param.clone();
        let t = ws.create_thread("scheduling", move |ws: &SimWinsock| thread(ws, &q));
        assert!(t.is_ok(), "1023: {t:?}");
        threads.push(Handle::from(t?));
        p.push(param);
    }

    // 1026–1038: a port; both threads woken; main's packet (key 1) is still there for main.
    let port = ws.create_io_completion_port(0);
    assert!(port.is_ok(), "1027: {port:?}");
    let port = port?;
    for q in &p {
        q.set_port(port);
        ws.set_event(q.ready)?;
    }
    ws.post_queued_completion_status(port, 0, 1, None)?;
    for q in &p {
        ws.wait_for_single_object(q.test_ready.into(), INFINITE)?;
    }
    let r = ws.get_queued_completion_status(port, INFINITE);
    assert!(r.is_ok(), "1038: {r:?}");

    // 1040–1046: thread 1 in GQCS, then thread 0 on the port; key 2 goes to thread 1.
    ws.set_event(p[1].ready)?;
    ws.sleep(40);
    ws.set_event(p[0].ready)?;
    ws.sleep(10);
    ws.post_queued_completion_status(port, 0, 2, None)?;
    for q in &p {
        ws.wait_for_single_object(q.test_ready.into(), INFINITE)?;
    }

    // 1048–1058: thread 1 waits first, thread 0 last; three packets; main's own GQCS gets the
    // third (5), the two waiters having been handed 3 and 4.
    ws.set_event(p[1].ready)?;
    ws.sleep(40);
    ws.set_event(p[0].ready)?;
    ws.sleep(20);
    for key in 3..=5 {
        ws.post_queued_completion_status(port, 0, key, None)?;
    }
    let r = ws.get_queued_completion_status(port, INFINITE);
    assert!(r.is_ok(), "1057: {r:?}");
    assert_eq!(r?.key, 5, "1058");

    // 1060–1064: the port closed while the threads would wait on it directly.
    for q in &p {
        ws.set_event(q.ready)?;
    }
    ws.sleep(20);
    ws.close_completion_port(port)?;
    for q in &p {
        ws.wait_for_single_object(q.test_ready.into(), INFINITE)?;
    }

    // 1066–1081: four ports, each closed while both threads wait in GQCS(Ex).
    for turn in 0..4 {
        let port = ws.create_io_completion_port(0);
        assert!(port.is_ok(), "1070: turn {turn}: {port:?}");
        let port = port?;
        for q in &p {
            q.set_port(port);
            // 1074–1076: SignalObjectAndWait (not expressible): SetEvent, then the wait.
            ws.set_event(q.ready)?;
            assert_eq!(
                ws.wait_for_single_object(q.test_ready.into(), INFINITE),
                Ok(WAIT_OBJECT_0),
                "turn {turn}: thread {} ready",
                q.index
            );
        }
        ws.sleep(20);
        let r = ws.close_completion_port(port);
        assert!(r.is_ok(), "1080: turn {turn}: {r:?}");
    }

    // 1083–1089
    ws.wait_for_multiple_objects(&threads, true, INFINITE)?;
    for q in &p {
        ws.close_handle(q.ready.into())?;
        ws.close_handle(q.test_ready.into())?;
    }
    Ok(())
}

#[test]
fn completion_port_scheduling() {
    for seed in seeds() {
        common::run_with(Sim::builder().seed(seed).cpus(4), scheduling);
    }
}
