//! The thread pool on the simulator's virtual clock: a port of kernel32 sync.c
//! test_timer_queue with exact counts (the clock is virtual, so "n2 < n3" becomes the number
//! of periods), the pool's threads (reused, one persistent), bad handles, a deletion that
//! waits for itself, a host's crash, and replay under one seed. The behaviour Windows shares
//! is in rules POOL-* (tests/conformance_suite/thread_pool.rs).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::{replays_alike, run};
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, SimWinsock};

/// A callback counting its calls in `n`.
fn counting(n: &Arc<AtomicU32>) -> WaitOrTimerCallback<SimWinsock> {
    let n = n.clone();
    Arc::new(move |_, fired| {
        assert!(fired, "TimerOrWaitFired is TRUE for a timer");
        n.fetch_add(1, Ordering::SeqCst);
    })
}

fn count(n: &Arc<AtomicU32>) -> u32 {
    n.load(Ordering::SeqCst)
}

/// test_timer_queue's first part: six timers of one queue, the queue deleted after 500 ms.
#[test]
fn test_timer_queue_counts_on_the_virtual_clock() {
    run(|ws| {
        let q = ws.create_timer_queue()?;
        assert_eq!(
            ws.delete_timer_queue_ex(q, DeleteCompletion::NoWait),
            Ok(())
        );

        let q = ws.create_timer_queue()?;
        let n: Vec<Arc<AtomicU32>> = (0..6).map(|_| Arc::default()).collect();
        // t0: due at once, deleted at once: its callback was queued, so the deletion pends
        // and the callback still runs once (Windows; Wine runs it not at all).
        let t0 = ws.create_timer_queue_timer(Some(q), counting(&n[0]), 0, 300, 0)?;
        ws.wsa_set_last_error(0);
        assert_eq!(
            ws.delete_timer_queue_timer(Some(q), t0, DeleteCompletion::NoWait),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(ws.wsa_get_last_error(), 997);
        let t1 = ws.create_timer_queue_timer(Some(q), counting(&n[1]), 0, 0, 0)?;
        let t2 = ws.create_timer_queue_timer(Some(q), counting(&n[2]), 0, 100, 0)?;
        ws.create_timer_queue_timer(Some(q), counting(&n[3]), 0, 10, 0)?;
        ws.create_timer_queue_timer(Some(q), counting(&n[4]), 10_000, 10, 0)?;
        ws.create_timer_queue_timer(Some(q), counting(&n[5]), 0, 10_000, 0)?;
        ws.sleep(500);
        ws.delete_timer_queue_timer(Some(q), t1, DeleteCompletion::Wait)?;
        ws.delete_timer_queue_timer(Some(q), t2, DeleteCompletion::Wait)?;
        ws.delete_timer_queue_ex(q, DeleteCompletion::Wait)?;
        let got: Vec<u32> = n.iter().map(count).collect();
        // t2 at 0, 100, ..., 500 (the sleep ends at 500, after that expiry: expiries due at
        // an instant come before the threads woken then); t3 every 10 ms from 0 to 500.
        assert_eq!(got, vec![1, 1, 6, 51, 0, 1]);
        Ok(())
    });
}

/// test_timer_queue's `timer_queue_cb6`: a timer that deletes itself from its first
/// callback, then makes and deletes (waiting) a timer due before its own next expiry, then
/// stays in the callback: it never runs again.
#[test]
fn a_timer_deleted_from_its_callback_never_runs_again() {
    run(|ws| {
        let q = ws.create_timer_queue()?;
        let calls = Arc::new(AtomicU32::new(0));
        let slot: Arc<Mutex<Option<QueueTimer>>> = Arc::default();
        let (k, s) = (calls.clone(), slot.clone());
        let cb6: WaitOrTimerCallback<SimWinsock> = Arc::new(move |ws, _| {
            if k.fetch_add(1, Ordering::SeqCst) != 0 {
                return;
            }
            let me = s.lock().unwrap().expect("the timer");
            assert_eq!(
                ws.delete_timer_queue_timer(Some(q), me, DeleteCompletion::NoWait),
                Err(WsaError::WSA_IO_PENDING)
            );
            let n = Arc::new(AtomicU32::new(0));
            let t = ws
                .create_timer_queue_timer(Some(q), counting(&n), 100, 0, 0)
                .unwrap();
            assert_eq!(
                ws.delete_timer_queue_timer(Some(q), t, DeleteCompletion::Wait),
                Ok(())
            );
            ws.sleep(500);
        });
        let mut guard = slot.lock().unwrap();
        *guard =
            Some(ws.create_timer_queue_timer(Some(q), cb6, 100, 100, WT_EXECUTELONGFUNCTION)?);
        drop(guard);
        ws.sleep(750);
        assert_eq!(
            ws.delete_timer_queue_ex(q, DeleteCompletion::NoWait),
            Ok(())
        );
        assert_eq!(count(&calls), 1);
        Ok(())
    });
}

/// A periodic timer fires exactly on its schedule, each call at its due tick.
#[test]
fn a_periodic_timer_fires_on_its_schedule() {
    run(|ws| {
        let ticks = Arc::new(Mutex::new(Vec::new()));
        let seen = ticks.clone();
        let cb: WaitOrTimerCallback<SimWinsock> = Arc::new(move |ws, _| {
            let value = ws.get_tick_count();
            seen.lock().unwrap().push(value);
        });
        let t = ws.create_timer_queue_timer(None, cb, 250, 100, 0)?;
        ws.sleep(600);
        // Changed: next due 50 ms from now, then every 200 ms.
        ws.change_timer_queue_timer(None, t, 50, 200)?;
        ws.sleep(500);
        ws.delete_timer_queue_timer(None, t, DeleteCompletion::Wait)?;
        assert_eq!(
            *ticks.lock().unwrap(),
            vec![250, 350, 450, 550, 650, 850, 1050]
        );
        Ok(())
    });
}

/// Work items one after another reuse the pool's one idle worker; items queued at once each
/// get a thread; the persistent thread runs its items one at a time, in order.
#[test]
fn pool_threads_are_reused_and_the_persistent_one_is_serial() {
    run(|ws| {
        let threads = Arc::new(Mutex::new(Vec::new()));
        let done = ws.create_event(false, false)?;
        for _ in 0..3 {
            let seen = threads.clone();
            ws.queue_user_work_item(
                Box::new(move |ws: &SimWinsock| {
                    let value = ws.get_current_thread_id();
                    seen.lock().unwrap().push(value);
                    ws.set_event(done).map_or(1, |()| 0)
                }),
                WT_EXECUTEDEFAULT,
            )?;
            ws.wait_for_single_object(Handle::Event(done), INFINITE)?;
        }
        let one_after_another = threads.lock().unwrap().clone();
        assert_eq!(one_after_another.len(), 3);
        assert!(one_after_another.iter().all(|&t| t == one_after_another[0]));

        // Three items that each sleep, queued at once: three workers, the idle one first.
        threads.lock().unwrap().clear();
        for _ in 0..3 {
            let seen = threads.clone();
            ws.queue_user_work_item(
                Box::new(move |ws: &SimWinsock| {
                    let value = ws.get_current_thread_id();
                    seen.lock().unwrap().push(value);
                    ws.sleep(100);
                    0
                }),
                WT_EXECUTEDEFAULT,
            )?;
        }
        ws.sleep(50);
        let mut at_once = threads.lock().unwrap().clone();
        at_once.sort_unstable();
        at_once.dedup();
        assert_eq!(at_once.len(), 3, "three items ran at once on three threads");

        // The persistent thread: one at a time, in the order queued.
        let order = Arc::new(Mutex::new(Vec::new()));
        for i in 0..3u32 {
            let order = order.clone();
            ws.queue_user_work_item(
                Box::new(move |ws: &SimWinsock| {
                    let value = (i, ws.get_tick_count());
                    order.lock().unwrap().push(value);
                    ws.sleep(100);
                    0
                }),
                WT_EXECUTEINPERSISTENTTHREAD,
            )?;
        }
        ws.sleep(400);
        let base = order.lock().unwrap()[0].1;
        let got: Vec<(u32, u32)> = order
            .lock()
            .unwrap()
            .iter()
            .map(|&(i, t)| (i, t - base))
            .collect();
        assert_eq!(got, vec![(0, 0), (1, 100), (2, 200)]);
        Ok(())
    });
}

/// Handles that are not, or no longer, what the call takes.
#[test]
fn bad_handles_give_errors_not_panics() {
    run(|ws| {
        let n = Arc::new(AtomicU32::new(0));
        let never = QueueTimer::from_raw(0xdead);
        assert_eq!(
            ws.change_timer_queue_timer(None, never, 10, 0),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.delete_timer_queue_timer(None, never, DeleteCompletion::Wait),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.delete_timer_queue_ex(TimerQueue::from_raw(0xbeef), DeleteCompletion::Wait),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        let q = ws.create_timer_queue()?;
        let t = ws.create_timer_queue_timer(Some(q), counting(&n), 10_000, 0, 0)?;
        assert_eq!(
            ws.delete_timer_queue_timer(
                Some(q),
                t,
                DeleteCompletion::Event(WsaEvent::from_raw(0x1234))
            ),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        ws.delete_timer_queue_ex(q, DeleteCompletion::Wait)?;
        // Deleted: the queue, its timer, and a second deletion of either.
        assert_eq!(
            ws.create_timer_queue_timer(Some(q), counting(&n), 0, 0, 0),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(
            ws.delete_timer_queue_timer(Some(q), t, DeleteCompletion::Wait),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.delete_timer_queue_ex(q, DeleteCompletion::Wait),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(count(&n), 0);
        Ok(())
    });
}

/// A timer of one process is not another's to change or delete.
#[test]
fn timers_belong_to_their_process() {
    let mut sim = Sim::builder().seed(3).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    let handed = Arc::new(Mutex::new(None));
    let slot = handed.clone();
    let n = Arc::new(AtomicU32::new(0));
    let cb = counting(&n);
    a.spawn("owner", move |ws| {
        let t = ws.create_timer_queue_timer(None, cb, 200, 0, 0)?;
        *slot.lock().unwrap() = Some(t);
        ws.sleep(300);
        ws.delete_timer_queue_timer(None, t, DeleteCompletion::Wait)
    });
    b.spawn("other", move |ws| {
        ws.sleep(100);
        let t = handed.lock().unwrap().expect("the owner's timer");
        assert_eq!(
            ws.delete_timer_queue_timer(None, t, DeleteCompletion::Wait),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.change_timer_queue_timer(None, t, 0, 0),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        Ok(())
    });
    sim.run().expect("runs");
    assert_eq!(count(&n), 1, "the owner's timer ran, unchanged");
}

/// A deletion that waits, made from the timer's own callback, waits for itself: the run ends
/// with a diagnostic naming the threads instead of hanging.
#[test]
fn a_waiting_delete_from_its_own_callback_is_reported_as_a_deadlock() {
    let mut sim = Sim::builder().seed(5).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", |ws| {
        let done = ws.create_event(true, false)?;
        let slot: Arc<Mutex<Option<QueueTimer>>> = Arc::default();
        let s = slot.clone();
        let cb: WaitOrTimerCallback<SimWinsock> = Arc::new(move |ws, _| {
            let me = s.lock().unwrap().expect("the timer");
            let _ = ws.delete_timer_queue_timer(None, me, DeleteCompletion::Wait);
            let _ = ws.set_event(done);
        });
        let mut guard = slot.lock().unwrap();
        *guard = Some(ws.create_timer_queue_timer(None, cb, 10, 0, 0)?);
        drop(guard);
        ws.wait_for_single_object(Handle::Event(done), INFINITE)?;
        Ok(())
    });
    let err = sim.run().expect_err("a deadlock");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    let text = err.to_string();
    assert!(text.contains("thread-pool worker"), "{text}");
    assert!(text.contains("DeleteTimerQueueTimer"), "{text}");
    assert!(text.contains("seed"), "{text}");
}

/// The same seed, the same run: which pool thread runs which callback, and when.
#[test]
fn thread_pool_runs_replay_under_the_same_seed() {
    let log = replays_alike(17, 3, |n, log, ws| {
        let l = log.clone();
        let cb: WaitOrTimerCallback<SimWinsock> = Arc::new(move |ws, _| {
            let entry = (n, ws.get_current_thread_id(), ws.get_tick_count());
            l.lock().unwrap().push(entry);
            ws.sleep(7 * n);
        });
        let t = ws.create_timer_queue_timer(None, cb, 5 + n, 10, 0)?;
        let l = log.clone();
        ws.queue_user_work_item(
            Box::new(move |ws: &SimWinsock| {
                let entry = (100 + n, ws.get_current_thread_id(), ws.get_tick_count());
                l.lock().unwrap().push(entry);
                0
            }),
            0,
        )?;
        ws.sleep(100);
        ws.delete_timer_queue_timer(None, t, DeleteCompletion::Wait)
    });
    assert!(log.len() > 20, "the callbacks ran: {:?}", log);
}

/// An echo server whose every completion runs on the pool (BindIoCompletionCallback): the
/// receive's callback sends the data back, the send's callback posts the next receive. Run
/// twice under one seed, the same run.
#[test]
fn an_echo_server_on_bound_io_callbacks_replays() {
    let once = || {
        let mut sim = Sim::builder().seed(8).build();
        let server = sim.host("server", "192.0.2.1");
        let client = sim.host("client", "192.0.2.2");
        server.spawn("main", |ws| {
            let (l, c) = common::accept_one_on(ws, 7)?;
            let closed = ws.create_event(true, false)?;
            let on_done: IoCallback<SimWinsock> = Arc::new(move |ws, mut done: IoCompletion| {
                let buf = done.bufs.pop().unwrap_or_default();
                if done.error.is_some() || (done.overlapped.id == 1 && done.bytes == 0) {
                    let _ = ws.set_event(closed);
                } else if done.overlapped.id == 1 {
                    // Received: send it back (OVERLAPPED 2).
                    let data = buf[..done.bytes].to_vec();
                    let r = ws.wsa_send_overlapped(c, vec![data], 0, Overlapped::new(2), None);
                    assert!(matches!(r, Ok(_) | Err(WsaError::WSA_IO_PENDING)), "{r:?}");
                } else {
                    // Sent: the next receive (OVERLAPPED 1).
                    let r =
                        ws.wsa_recv_overlapped(c, vec![vec![0; 64]], 0, Overlapped::new(1), None);
                    assert!(matches!(r, Ok(_) | Err(WsaError::WSA_IO_PENDING)), "{r:?}");
                }
            });
            ws.bind_io_completion_callback(c, on_done, 0)?;
            let r = ws.wsa_recv_overlapped(c, vec![vec![0; 64]], 0, Overlapped::new(1), None);
            assert!(matches!(r, Ok(_) | Err(WsaError::WSA_IO_PENDING)), "{r:?}");
            ws.wait_for_single_object(Handle::Event(closed), INFINITE)?;
            ws.closesocket(c)?;
            ws.closesocket(l)
        });
        client.spawn("client", |ws| {
            common::echo_rounds_then_close(ws, &SockAddr::v4([192, 0, 2, 1], 7), 30, 16)
        });
        sim.run().expect("the echo ran").trace_hash
    };
    assert_eq!(once(), once());
}

/// An AcceptEx socket bound with BindIoCompletionCallback keeps its binding when it becomes
/// the connection: the AcceptEx completes on the listener's binding, the connection's
/// receives on its own.
#[test]
fn an_accept_socket_keeps_its_binding_as_the_connection() {
    let mut sim = Sim::builder().seed(12).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 7))?;
        ws.listen(l, SOMAXCONN)?;
        let a = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let done = ws.create_semaphore(0, 10)?;
        let record = |tag: &'static str| -> IoCallback<SimWinsock> {
            let seen = seen.clone();
            Arc::new(move |ws, c: IoCompletion| {
                seen.lock()
                    .unwrap()
                    .push((tag, c.overlapped.id, c.bytes, c.error));
                let _ = ws.release_semaphore(done, 1);
            })
        };
        ws.bind_io_completion_callback(l, record("listener"), 0)?;
        ws.bind_io_completion_callback(a, record("connection"), 0)?;
        assert_eq!(
            ws.accept_ex(l, a, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.wait_for_single_object(Handle::Semaphore(done), INFINITE)?;
        assert_eq!(
            ws.wsa_recv_overlapped(a, vec![vec![0; 8]], 0, Overlapped::new(2), None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.wait_for_single_object(Handle::Semaphore(done), INFINITE)?;
        assert_eq!(
            *seen.lock().unwrap(),
            vec![("listener", 1, 0, None), ("connection", 2, 5, None)]
        );
        ws.closesocket(a)?;
        ws.closesocket(l)
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 7))?;
        ws.sleep(10);
        ws.send(s, b"hello", 0)?;
        let mut b = [0u8; 1];
        let _ = ws.recv(s, &mut b, 0);
        ws.closesocket(s)
    });
    sim.run().expect("runs");
}

#[test]
fn an_idle_pool_thread_runs_the_apcs_queued_to_it() {
    // Proves: a pool worker waits for work alertably (ntdll threadpool.c
    // test_RtlRegisterWait: an APC queued to the thread of a WT_EXECUTEINIOTHREAD or, from
    // Vista on, a default callback runs within 200 ms): an APC queued while the worker runs
    // a callback (which does not wait alertably) runs once the callback has returned and the
    // worker waits for work again; one queued to the idle worker runs at once.
    run(|ws| {
        let log: Arc<Mutex<Vec<&'static str>>> = Arc::default();
        let worker: Arc<Mutex<Option<ThreadId>>> = Arc::default();
        let (l, w) = (log.clone(), worker.clone());
        ws.queue_user_work_item(
            Box::new(move |ws: &SimWinsock| {
                *w.lock().unwrap() = Some(ws.get_current_thread());
                ws.sleep(100);
                l.lock().unwrap().push("first item");
                0
            }),
            WT_EXECUTEDEFAULT,
        )?;
        ws.sleep(10);
        let t = worker.lock().unwrap().expect("the item started");
        let l = log.clone();
        ws.queue_user_apc(Box::new(move |_| l.lock().unwrap().push("apc")), t)?;
        ws.sleep(10);
        assert!(
            log.lock().unwrap().is_empty(),
            "nothing before the callback returns"
        );
        ws.sleep(200);
        assert_eq!(*log.lock().unwrap(), vec!["first item", "apc"]);
        // An idle worker: the APC runs at once.
        let l = log.clone();
        ws.queue_user_apc(Box::new(move |_| l.lock().unwrap().push("idle apc")), t)?;
        ws.sleep(1);
        assert_eq!(log.lock().unwrap().last(), Some(&"idle apc"));
        Ok(())
    });
}
