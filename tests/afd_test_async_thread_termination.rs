//! Wine `dlls/ws2_32/tests/afd.c`, function `test_async_thread_termination` (L2513-2653 of
//! the file at Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines
//! counted), with its helpers `async_ioctl_thread` / `thread_NtDeviceIoControlFile`
//! (L2459-2504), facts only: what happens to a pending asynchronous request when the thread
//! that issued it ends, checked through an overlapped WSARecv (the same I/O manager rule;
//! afd.c uses an IOCTL_AFD_POLL) issued on a thread that then returns. Our own code.
//!
//! Mapping: an overlapped WSARecv passes its OVERLAPPED as the APC context (never NULL) and
//! `hEvent` as the event; with a completion routine, an APC and no event. So of afd.c's 16
//! cases per loop, WinSock issues: {event, context} (its test 8), {context} (10) and
//! {APC, context} (14). `io.Status` is `OVERLAPPED.Internal` (`overlapped_internal`); a
//! packet's value is the OVERLAPPED. Counting: each `ok()` once, the helper's three per
//! call (thread made, call returned, thread ended).
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L2558-2562 listener bound, listening (2) | 2 (bind, listen) | 0 | 0 |
//! | L2573-2588 no port: cancelled at thread end, event set (88) | 16 (WSARecv on a thread, Internal, event) | 72 | 0 |
//! | L2591-2592 no completion routine ran (1) | 1 (SleepEx alertable) | 0 | 0 |
//! | L2596-2647 a port: cancelled unless {context, no event} (94) | 23 (WSARecv, GetQueuedCompletionStatus, CancelIoEx) | 71 | 0 |
//! | **total (185)** | **42** | **143** | **0** |
//!
//! Not expressible, per kind: TerminateThread (`kill_thread`, the 8 odd cases of each
//! loop: 44 + 47 = 91); a NULL APC context (tests 0-7 not killed, 22 + 20 = 42); an APC
//! with an event (test 12, 6 + 4 = 10): WinSock passes no event with a completion routine.
//! Also covered: {context, no event} with a port surviving its thread, then aborted by
//! closesocket: tests/sockc_test_iocp.rs `read_thread_closesocket`; a routine on a socket
//! with a port: WSAEINVAL, conformance OV-04.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use winsock_sim::api::extension::{STATUS_CANCELLED, STATUS_PENDING};
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

#[derive(Clone, Copy, Debug)]
enum Case {
    /// {event, context}: test 8.
    Event,
    /// {context}: test 10.
    Plain,
    /// {APC, context}: test 14.
    Routine,
}

/// thread_NtDeviceIoControlFile without the kill: issues the receive on a new thread that
/// then ends; returns what the call returned.
fn on_ending_thread(
    ws: &SimWinsock,
    s: Socket,
    ov: Overlapped,
    case: Case,
    ran: &Arc<AtomicUsize>,
) -> Result<Result<usize, WsaError>, WsaError> {
    let out = Arc::new(std::sync::Mutex::new(None));
    let (o, ran) = (out.clone(), ran.clone());
    let t = ws.create_thread("issuer", move |ws: &SimWinsock| {
        let routine: Option<CompletionRoutine<SimWinsock>> = match case {
            Case::Routine => Some(Box::new(move |_: &SimWinsock, _| {
                ran.fetch_add(1, Ordering::SeqCst);
            })),
            _ => None,
        };
        *o.lock().unwrap() = Some(ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, routine));
        Ok(())
    })?; // L2493
    ws.wait_for_thread(t, 5000)?; // L2495, L2500
    let r = out.lock().unwrap().take().expect("the thread ran");
    ws.sleep_ex(0, true); // the caller's SleepEx(0, TRUE)
    Ok(r)
}

#[test]
fn without_a_port_a_pending_receive_is_cancelled_when_its_thread_ends() {
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        let ran = Arc::new(AtomicUsize::new(0));
        let (c, s) = common::pair(ws)?; // L2558-2562: the listener that made them
        for (i, case) in [Case::Event, Case::Plain, Case::Routine]
            .into_iter()
            .enumerate()
        {
            let what = format!("{case:?}");
            ws.wsa_reset_event(ev)?;
            let ov = match case {
                Case::Event => Overlapped::with_event(i as u64 + 1, ev),
                _ => Overlapped::new(i as u64 + 1),
            };
            let r = on_ending_thread(ws, c, ov, case, &ran)?;
            assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "{what}: L2581");
            let (st, n) = ws.overlapped_internal(&ov);
            assert_eq!((st, n), (STATUS_CANCELLED, 0), "{what}: L2582");
            if matches!(case, Case::Event) {
                assert_eq!(
                    ws.wait_for_single_object(ev.into(), 1000)?,
                    WAIT_OBJECT_0,
                    "L2586"
                );
                let r = ws.wsa_get_overlapped_result(c, &ov, false).map(|d| d.error);
                assert_eq!(
                    r,
                    Ok(Some(WsaError::WSA_OPERATION_ABORTED)),
                    "{what}: L2582"
                );
            }
        }
        // L2591-2592: the routine never ran (its thread is gone).
        ws.sleep_ex(0, true);
        assert_eq!(ran.load(Ordering::SeqCst), 0, "L2592");
        // The connection is untouched: data still arrives.
        ws.send(s, b"x", 0)?;
        assert_eq!(common::recv_exact(ws, c, 1)?, b"x", "still connected");
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        ws.wsa_close_event(ev)
    });
}

#[test]
fn with_a_port_only_an_event_less_receive_outlives_its_thread() {
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        let ran = Arc::new(AtomicUsize::new(0));
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 0)?; // L2594
        let none = |what: &str| {
            let r = ws
                .get_queued_completion_status(port, 0)
                .map(|p| p.overlapped);
            assert_eq!(r, Err(WsaError::WAIT_TIMEOUT), "{what}: no packet");
        };
        // Test 14: a routine on a socket with a port: refused at once (L2606).
        let r = on_ending_thread(ws, c, Overlapped::new(3), Case::Routine, &ran)?;
        assert_eq!(r, Err(WsaError::WSAEINVAL), "Routine: L2606");
        none("Routine");
        // Test 8: with an event: cancelled, the event set, and a packet (L2610-2623).
        let ov = Overlapped::with_event(1, ev);
        let r = on_ending_thread(ws, c, ov, Case::Event, &ran)?;
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "Event: L2610");
        assert_eq!(
            ws.overlapped_internal(&ov).0,
            STATUS_CANCELLED,
            "Event: L2613"
        );
        let p = ws.get_queued_completion_status(port, 0);
        let p = p.map(|p| (p.key, p.overlapped, p.error, p.bytes));
        let want = (0, Some(ov), Some(WsaError::WSA_OPERATION_ABORTED), 0);
        assert_eq!(p, Ok(want), "Event: L2620-2623");
        // Test 10: no event: still pending after its thread, no packet (L2610, L2634-2639);
        // CancelIoEx then queues the cancelled packet (L2640-2645).
        let ov = Overlapped::new(2);
        let r = on_ending_thread(ws, c, ov, Case::Plain, &ran)?;
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "Plain: L2610");
        assert_eq!(
            ws.overlapped_internal(&ov).0,
            STATUS_PENDING,
            "Plain: L2634"
        );
        none("Plain: L2639");
        ws.cancel_io_ex(c, None)?; // L2640
        let p = ws.get_queued_completion_status(port, 0);
        let p = p.map(|p| (p.key, p.overlapped, p.error, p.bytes));
        let want = (0, Some(ov), Some(WsaError::WSA_OPERATION_ABORTED), 0);
        assert_eq!(p, Ok(want), "Plain: L2642-2645");
        assert_eq!(
            ws.overlapped_internal(&ov).0,
            STATUS_CANCELLED,
            "Plain: L2645"
        );
        assert_eq!(ran.load(Ordering::SeqCst), 0, "no routine ran");
        ws.close_completion_port(port)?;
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        ws.wsa_close_event(ev)
    });
}
