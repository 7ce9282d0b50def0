//! The Vista thread pool's wait and I/O objects on the simulator: exact virtual-time
//! schedules of wait objects, an echo server on an I/O object replayed under one seed, and the
//! two bugs of StartThreadpoolIo the simulator explains (a completion no start announced,
//! named in the report; a start never taken back, named in the deadlock's report). The
//! behaviour Windows shares is in rules TPW-* and TPIO-* (tests/conformance_suite/tp_wait.rs,
//! tp_io.rs).
mod common;

use std::sync::{Arc, Mutex};

use common::{pair, run};
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, SimWinsock};

/// A wait object's callbacks, each as (tick, result).
fn logging(log: &Arc<Mutex<Vec<(u32, u32)>>>) -> TpWaitCallback<SimWinsock> {
    let log = log.clone();
    Arc::new(move |ws: &SimWinsock, _, _, result| {
        let entry = (ws.get_tick_count(), result);
        log.lock().unwrap().push(entry);
    })
}

#[test]
fn a_wait_object_fires_on_the_virtual_clock() {
    run(|ws| {
        let log = Arc::default();
        let ev = ws.create_event(false, false)?;
        let h = Some(Handle::Event(ev));
        let w = ws.create_threadpool_wait(logging(&log))?;
        // Relative 200 ms, not signalled: WAIT_TIMEOUT at 200.
        ws.set_threadpool_wait(w, h, Some(-200 * FILETIME_TICKS_PER_MS))?;
        ws.sleep(300);
        // Absolute, 100 ms on; signalled at 350 first.
        let at = ws.get_system_time_as_file_time() as i64 + 100 * FILETIME_TICKS_PER_MS;
        ws.set_threadpool_wait(w, h, Some(at))?;
        ws.sleep(50);
        ws.set_event(ev)?;
        ws.sleep(100);
        // Replaced before it fired: the first setting never runs.
        ws.set_threadpool_wait(w, h, Some(-10 * FILETIME_TICKS_PER_MS))?;
        ws.set_threadpool_wait(w, h, Some(-30 * FILETIME_TICKS_PER_MS))?;
        ws.sleep(100);
        // No end: fires when set, at 600.
        ws.set_threadpool_wait(w, h, None)?;
        ws.sleep(50);
        ws.set_event(ev)?;
        ws.wait_for_threadpool_wait_callbacks(w, false)?;
        ws.sleep(10);
        ws.close_threadpool_wait(w)?;
        assert_eq!(
            *log.lock().unwrap(),
            vec![
                (200, WAIT_TIMEOUT),
                (350, WAIT_OBJECT_0),
                (480, WAIT_TIMEOUT),
                (600, WAIT_OBJECT_0)
            ]
        );
        assert_eq!(
            ws.set_threadpool_wait(w, h, None),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        Ok(())
    });
}

/// A closed wait object never fires, and the event it waited on is left alone.
#[test]
fn closing_a_wait_object_ends_its_wait() {
    run(|ws| {
        let log = Arc::default();
        let ev = ws.create_event(false, false)?;
        let w = ws.create_threadpool_wait(logging(&log))?;
        ws.set_threadpool_wait(w, Some(Handle::Event(ev)), None)?;
        ws.close_threadpool_wait(w)?;
        ws.set_event(ev)?;
        ws.sleep(100);
        assert!(log.lock().unwrap().is_empty());
        assert_eq!(
            ws.wait_for_single_object(Handle::Event(ev), 0),
            Ok(WAIT_OBJECT_0)
        );
        Ok(())
    });
}

/// An I/O object whose callback logs (OVERLAPPED, bytes) and sets `done`.
fn io_logging(
    ws: &SimWinsock,
    s: Socket,
    log: &Arc<Mutex<Vec<(u64, usize)>>>,
) -> Result<TpIo, WsaError> {
    let log = log.clone();
    let cb: TpIoCallback<SimWinsock> = Arc::new(move |_, _, _, c: IoCompletion| {
        log.lock().unwrap().push((c.overlapped.id, c.bytes));
    });
    ws.create_threadpool_io(s, cb)
}

/// A completion that no StartThreadpoolIo announced: the pool drops it, as Windows does, and
/// the run's report names the bug.
#[test]
fn a_completion_without_a_start_is_dropped_and_reported() {
    let report = run(|ws| {
        let (client, server) = pair(ws)?;
        let log = Arc::default();
        let io = io_logging(ws, server, &log)?;
        let r = ws.wsa_recv_overlapped(server, vec![vec![0; 8]], 0, Overlapped::new(9), None);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        ws.send(client, b"lost", 0)?;
        ws.sleep(100);
        assert!(log.lock().unwrap().is_empty(), "no callback");
        ws.wait_for_threadpool_io_callbacks(io, false)?;
        ws.close_threadpool_io(io)?;
        ws.closesocket(client)?;
        ws.closesocket(server)
    });
    assert_eq!(report.misuses.len(), 1, "{:?}", report.misuses);
    let m = &report.misuses[0];
    assert!(
        m.contains("OVERLAPPED 9") && m.contains("StartThreadpoolIo"),
        "{m}"
    );
    // The thread that started the operation is named.
    assert!(m.contains("thread t0 \"main\""), "{m}");
}

/// A start never taken back (the operation failed at once and the program did not call
/// CancelThreadpoolIo): WaitForThreadpoolIoCallbacks waits for ever, and the deadlock's
/// report says why.
#[test]
fn a_start_never_cancelled_is_named_in_the_deadlock_report() {
    let mut sim = Sim::builder().seed(3).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let (client, server) = pair(ws)?;
        let log = Arc::default();
        let io = io_logging(ws, server, &log)?;
        ws.shutdown(server, SD_SEND)?;
        ws.start_threadpool_io(io)?;
        let r = ws.wsa_send_overlapped(server, vec![b"x".to_vec()], 0, Overlapped::new(4), None);
        assert_eq!(r, Err(WsaError::WSAESHUTDOWN));
        // The bug: no cancel_threadpool_io(io) here.
        ws.wait_for_threadpool_io_callbacks(io, false)?;
        ws.closesocket(client)
    });
    let err = sim.run().expect_err("a deadlock");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    let text = err.to_string();
    assert!(text.contains("WaitForThreadpoolIoCallbacks"), "{text}");
    assert!(
        text.contains("1 StartThreadpoolIo awaiting a completion")
            && text.contains("CancelThreadpoolIo"),
        "{text}"
    );
}

/// A closed I/O object with a start outstanding stays until its completion has come: the
/// callback still runs (as Wine's pool does), then the object is gone. The documentation asks
/// programs not to close it so: the report names it.
#[test]
fn a_closed_io_object_waits_for_its_outstanding_start() {
    let report = run(|ws| {
        let (client, server) = pair(ws)?;
        let log = Arc::default();
        let io = io_logging(ws, server, &log)?;
        ws.start_threadpool_io(io)?;
        let r = ws.wsa_recv_overlapped(server, vec![vec![0; 8]], 0, Overlapped::new(2), None);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        ws.close_threadpool_io(io)?;
        assert_eq!(
            ws.start_threadpool_io(io),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        ws.send(client, b"late", 0)?;
        ws.sleep(100);
        assert_eq!(*log.lock().unwrap(), vec![(2, 4)]);
        ws.closesocket(client)?;
        ws.closesocket(server)
    });
    assert_eq!(report.misuses.len(), 1, "{:?}", report.misuses);
    assert!(
        report.misuses[0].contains("CloseThreadpoolIo of thread-pool I/O object")
            && report.misuses[0].contains("with 1 StartThreadpoolIo awaiting a completion")
            && report.misuses[0].contains("thread t0 \"main\""),
        "{:?}",
        report.misuses
    );
}

/// An operation issued on the socket after its I/O object was closed and freed: its
/// completion reaches freed memory on Windows; the simulator drops it and names the bug.
#[test]
fn a_completion_after_the_io_object_is_freed_is_reported() {
    let report = run(|ws| {
        let (client, server) = pair(ws)?;
        let log = Arc::default();
        let io = io_logging(ws, server, &log)?;
        ws.close_threadpool_io(io)?;
        let r = ws.wsa_recv_overlapped(server, vec![vec![0; 8]], 0, Overlapped::new(3), None);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        ws.send(client, b"late", 0)?;
        ws.sleep(100);
        assert!(log.lock().unwrap().is_empty(), "no callback");
        ws.closesocket(client)?;
        ws.closesocket(server)
    });
    assert_eq!(report.misuses.len(), 1, "{:?}", report.misuses);
    assert!(
        report.misuses[0].contains("after CloseThreadpoolIo"),
        "{:?}",
        report.misuses
    );
}

/// An echo server on an I/O object, as Vista-era servers are written: StartThreadpoolIo before
/// every WSARecv and WSASend, CancelThreadpoolIo when one fails at once, the callback posting
/// the next. Run twice under one seed: the same run, and no misuse.
#[test]
fn an_echo_server_on_an_io_object_replays() {
    let once = || {
        let mut sim = Sim::builder().seed(12).build();
        let server = sim.host("server", "192.0.2.1");
        let client = sim.host("client", "192.0.2.2");
        server.spawn("main", |ws| {
            let (l, c) = common::accept_one_on(ws, 7)?;
            let closed = ws.create_event(true, false)?;
            let slot: Arc<Mutex<Option<TpIo>>> = Arc::default();
            let s2 = slot.clone();
            // Posts one operation with its start, taking the start back if it fails at once.
            let post = move |ws: &SimWinsock, io: TpIo, send: Option<Vec<u8>>| {
                ws.start_threadpool_io(io).expect("start");
                let r = match send {
                    Some(data) => {
                        ws.wsa_send_overlapped(c, vec![data], 0, Overlapped::new(2), None)
                    }
                    None => {
                        ws.wsa_recv_overlapped(c, vec![vec![0; 64]], 0, Overlapped::new(1), None)
                    }
                };
                if !matches!(r, Ok(_) | Err(WsaError::WSA_IO_PENDING)) {
                    ws.cancel_threadpool_io(io).expect("cancel");
                    let _ = ws.set_event(closed);
                }
            };
            let on_done: TpIoCallback<SimWinsock> = Arc::new(move |ws, _, io, mut done| {
                let buf = done.bufs.pop().unwrap_or_default();
                if done.error.is_some() || (done.overlapped.id == 1 && done.bytes == 0) {
                    let _ = ws.set_event(closed);
                } else if done.overlapped.id == 1 {
                    post(ws, io, Some(buf[..done.bytes].to_vec()));
                } else {
                    post(ws, io, None);
                }
            });
            let io = ws.create_threadpool_io(c, on_done)?;
            *s2.lock().unwrap() = Some(io);
            ws.start_threadpool_io(io)?;
            let r = ws.wsa_recv_overlapped(c, vec![vec![0; 64]], 0, Overlapped::new(1), None);
            assert!(matches!(r, Ok(_) | Err(WsaError::WSA_IO_PENDING)), "{r:?}");
            ws.wait_for_single_object(Handle::Event(closed), INFINITE)?;
            ws.wait_for_threadpool_io_callbacks(io, false)?;
            ws.close_threadpool_io(io)?;
            ws.closesocket(c)?;
            ws.closesocket(l)
        });
        client.spawn("client", |ws| {
            common::echo_rounds_then_close(ws, &SockAddr::v4([192, 0, 2, 1], 7), 30, 16)
        });
        let report = sim.run().expect("the echo ran");
        assert!(report.misuses.is_empty(), "{:?}", report.misuses);
        report.trace_hash
    };
    assert_eq!(once(), once());
}

/// A wait callback that re-arms its wait on an event left set fires again at once, for ever
/// (on Windows too: a busy loop). The run moves its clock on as CPU time would and reaches its
/// time limit; it neither loops in one instant nor grows (its first version grew the pool
/// wait thread's waiter lists by 23 GB).
#[test]
fn a_wait_rearmed_on_a_set_event_runs_to_the_time_limit() {
    let mut sim = Sim::builder()
        .seed(4)
        .time_limit(std::time::Duration::from_millis(30))
        .build();
    let h = sim.host("h", "192.0.2.1");
    let fired = Arc::new(Mutex::new(0u64));
    let f = fired.clone();
    h.spawn("main", move |ws| {
        let ev = ws.create_event(true, true)?;
        let object = Some(Handle::Event(ev));
        let cb: TpWaitCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, _, wait, _| {
            *f.lock().unwrap() += 1;
            let _ = ws.set_threadpool_wait(wait, object, Some(-5 * FILETIME_TICKS_PER_MS));
        });
        let w = ws.create_threadpool_wait(cb)?;
        ws.set_threadpool_wait(w, object, None)?;
        loop {
            ws.sleep(10);
        }
    });
    let err = sim.run().expect_err("the time limit");
    assert_eq!(err.kind, SimErrorKind::TimeLimit);
    assert!(*fired.lock().unwrap() > 1_000, "the callback kept firing");
}

/// The bug as it shows: a receive issued without StartThreadpoolIo, whose callback would set
/// the event its thread waits for. Windows drops the completion and the thread waits for
/// ever; the simulator's deadlock report, and its picture, say why.
#[test]
fn a_forgotten_start_explains_the_hang_it_causes() {
    let mut sim = Sim::builder().seed(7).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let (client, server) = pair(ws)?;
        let done = ws.create_event(true, false)?;
        let cb: TpIoCallback<SimWinsock> = Arc::new(move |ws, _, _, _| {
            let _ = ws.set_event(done);
        });
        let _io = ws.create_threadpool_io(server, cb)?;
        // The bug: no start_threadpool_io(io) before the receive.
        let r = ws.wsa_recv_overlapped(server, vec![vec![0; 8]], 0, Overlapped::new(5), None);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        ws.send(client, b"hi", 0)?;
        ws.wait_for_single_object(Handle::Event(done), INFINITE)?;
        Ok(())
    });
    let err = sim.run().expect_err("a deadlock");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    let text = err.to_string();
    assert!(
        text.contains("misuses of the API") && text.contains("OVERLAPPED 5"),
        "{text}"
    );
    let html = err.to_html();
    assert!(
        html.contains("Misuses of the API") && html.contains("no StartThreadpoolIo outstanding"),
        "the picture lists it"
    );
}
