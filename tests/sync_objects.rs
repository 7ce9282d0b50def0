//! Win32 objects beside sockets (`SyncObjects`): events with both reset modes, waits over
//! events, mutexes and thread handles, critical sections, SRW locks, condition variables,
//! mutex abandonment, console-control handlers and per-process globals — each as Windows
//! documents it, and each lock blocking the simulated thread only.

mod common;

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{run, seed};
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, SimWinsock};

/// Virtual milliseconds since the start of the run.
fn ms(ws: &SimWinsock) -> u128 {
    ws.now().as_millis()
}

// CreateEvent(bInitialState = TRUE): the first wait succeeds at once; an auto-reset event is
// then non-signalled again, a manual-reset one stays signalled.
#[test]
fn initial_state_and_reset_modes() {
    run(|ws| {
        let auto = ws.create_event(false, true)?;
        let manual = ws.create_event(true, true)?;
        assert_eq!(ws.wait_for_single_object(auto.into(), 0)?, WAIT_OBJECT_0);
        assert_eq!(ws.wait_for_single_object(auto.into(), 0)?, WAIT_TIMEOUT);
        assert_eq!(ws.wait_for_single_object(manual.into(), 0)?, WAIT_OBJECT_0);
        assert_eq!(ws.wait_for_single_object(manual.into(), 0)?, WAIT_OBJECT_0);
        ws.reset_event(manual)?;
        assert_eq!(ws.wait_for_single_object(manual.into(), 0)?, WAIT_TIMEOUT);
        ws.set_event(auto)?;
        assert_eq!(ws.wait_for_single_object(auto.into(), 0)?, WAIT_OBJECT_0);
        Ok(())
    });
}

// SetEvent on an auto-reset event releases exactly one of two waiters; on a manual-reset
// event it releases both.
#[test]
fn auto_reset_releases_one_waiter_manual_releases_all() {
    for manual in [false, true] {
        run(move |ws| {
            let ev = ws.create_event(manual, false)?;
            let released = Arc::new(AtomicU32::new(0));
            for i in 0..2 {
                let released = released.clone();
                ws.create_thread(&format!("waiter{i}"), move |ws: &SimWinsock| {
                    if ws.wait_for_single_object(ev.into(), 1000)? == WAIT_OBJECT_0 {
                        released.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(())
                })?;
            }
            ws.sleep(10);
            ws.set_event(ev)?;
            ws.sleep(2000);
            assert_eq!(released.load(Ordering::SeqCst), if manual { 2 } else { 1 });
            Ok(())
        });
    }
}

// WaitForMultipleObjects over thread handles: wait-any returns WAIT_OBJECT_0 + the index of
// the first thread to end, wait-all returns WAIT_OBJECT_0 once both have ended.
#[test]
fn wait_for_thread_handles_any_and_all() {
    run(|ws| {
        let slow = ws.create_thread("slow", |ws: &SimWinsock| {
            ws.sleep(300);
            Ok(())
        })?;
        let fast = ws.create_thread("fast", |ws: &SimWinsock| {
            ws.sleep(100);
            Ok(())
        })?;
        let handles = [Handle::from(slow), Handle::from(fast)];
        assert_eq!(
            ws.wait_for_multiple_objects(&handles, false, INFINITE)?,
            WAIT_OBJECT_0 + 1
        );
        assert_eq!(ms(ws), 100);
        assert_eq!(
            ws.wait_for_multiple_objects(&handles, true, INFINITE)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ms(ws), 300);
        Ok(())
    });
}

// A mixed wait (event and thread) with wait-all times out with WAIT_TIMEOUT after exactly
// the timeout when only one of them is signalled, and does not consume the auto-reset event.
#[test]
fn wait_all_needs_every_handle_and_times_out() {
    run(|ws| {
        let ev = ws.create_event(false, true)?;
        let t = ws.create_thread("sleeper", |ws: &SimWinsock| {
            ws.sleep(1000);
            Ok(())
        })?;
        let r = ws.wait_for_multiple_objects(&[ev.into(), t.into()], true, 250)?;
        assert_eq!(r, WAIT_TIMEOUT);
        assert_eq!(ms(ws), 250);
        assert_eq!(ws.wait_for_single_object(ev.into(), 0)?, WAIT_OBJECT_0);
        Ok(())
    });
}

// Parameter errors: no handle, more than MAXIMUM_WAIT_OBJECTS, or a handle twice in a
// wait-all gives ERROR_INVALID_PARAMETER (87); a closed handle ERROR_INVALID_HANDLE (6).
#[test]
fn wait_parameter_errors() {
    run(|ws| {
        assert_eq!(
            ws.wait_for_multiple_objects(&[], false, 0),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        let ev = ws.create_event(true, false)?;
        let many = vec![Handle::from(ev); MAXIMUM_WAIT_OBJECTS + 1];
        assert_eq!(
            ws.wait_for_multiple_objects(&many, false, 0),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(ws.wsa_get_last_error(), 87);
        assert_eq!(
            ws.wait_for_multiple_objects(&[ev.into(), ev.into()], true, 0),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.wait_for_multiple_objects(&[ev.into(), ev.into()], false, 0)?,
            WAIT_TIMEOUT
        );
        ws.close_handle(ev.into())?;
        assert_eq!(
            ws.wait_for_single_object(ev.into(), 0),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(
            ws.close_handle(ev.into()),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(ws.set_event(ev), Err(WsaError::WSA_INVALID_HANDLE));
        Ok(())
    });
}

// WaitForMultipleObjectsEx over a thread handle, alertable: a queued APC ends the wait with
// WAIT_IO_COMPLETION after it ran.
#[test]
fn alertable_wait_over_thread_handle_returns_io_completion() {
    run(|ws| {
        let me = ws.get_current_thread();
        let ran = Arc::new(AtomicU32::new(0));
        let r2 = ran.clone();
        let t = ws.create_thread("queuer", move |ws: &SimWinsock| {
            ws.sleep(50);
            let r3 = r2.clone();
            ws.queue_user_apc(
                Box::new(move |_| {
                    r3.fetch_add(1, Ordering::SeqCst);
                }),
                me,
            )?;
            ws.sleep(1000);
            Ok(())
        })?;
        let r = ws.wait_for_multiple_objects_ex(&[Handle::from(t)], false, INFINITE, true)?;
        assert_eq!(r, WAIT_IO_COMPLETION);
        assert_eq!(ran.load(Ordering::SeqCst), 1);
        assert_eq!(ms(ws), 50);
        assert_eq!(
            ws.wait_for_single_object_ex(t, INFINITE, true)?,
            WAIT_OBJECT_0
        );
        Ok(())
    });
}

// WSACreateEvent (and WSASetEvent, WSAResetEvent, WSACloseEvent) wrap the Win32 calls: they
// work before WSAStartup, as on Windows, while socket calls do not.
#[test]
fn wsa_create_event_before_startup() {
    let mut sim = Sim::builder().seed(seed()).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", |ws| {
        let ev = ws.wsa_create_event()?;
        assert_eq!(ws.wait_for_single_object(ev.into(), 0)?, WAIT_TIMEOUT);
        ws.wsa_set_event(ev)?;
        assert_eq!(ws.wait_for_single_object(ev.into(), 0)?, WAIT_OBJECT_0);
        ws.wsa_reset_event(ev)?;
        ws.wsa_close_event(ev)?;
        assert_eq!(
            ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP),
            Err(WsaError::WSANOTINITIALISED)
        );
        Ok(())
    });
    sim.run().unwrap();
}

// GetCurrentThreadId: non-zero, a multiple of 4, different per thread; GetCurrentThread is
// the handle CreateThread returned.
#[test]
fn current_thread_identity() {
    run(|ws| {
        let main_id = ws.get_current_thread_id();
        assert!(main_id != 0 && main_id % 4 == 0);
        let seen = Arc::new(AtomicUsize::new(0));
        let s2 = seen.clone();
        let t = ws.create_thread("child", move |ws: &SimWinsock| {
            s2.store(ws.get_current_thread().index() + 1, Ordering::SeqCst);
            assert_ne!(ws.get_current_thread_id(), main_id);
            Ok(())
        })?;
        ws.wait_for_single_object(t.into(), INFINITE)?;
        assert_eq!(seen.load(Ordering::SeqCst), t.index() + 1);
        Ok(())
    });
}

/// Two threads add 1 twenty times each with a read, a yield and a write; with `guard` the
/// read-yield-write is inside a critical section. Returns the final count.
fn racy_count(seed: u64, guard: bool) -> u32 {
    let total = Arc::new(AtomicU32::new(0));
    let t2 = total.clone();
    let mut sim = Sim::builder().seed(seed).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", move |ws| {
        let cs = ws.initialize_critical_section()?;
        let mut workers = Vec::new();
        for i in 0..2 {
            let total = t2.clone();
            workers.push(Handle::from(ws.create_thread(
                &format!("w{i}"),
                move |ws: &SimWinsock| {
                    for _ in 0..20 {
                        if guard {
                            ws.enter_critical_section(cs)?;
                        }
                        let v = total.load(Ordering::SeqCst);
                        ws.sleep(0);
                        total.store(v + 1, Ordering::SeqCst);
                        if guard {
                            ws.leave_critical_section(cs)?;
                        }
                        ws.sleep(1);
                    }
                    Ok(())
                },
            )?));
        }
        assert_eq!(
            ws.wait_for_multiple_objects(&workers, true, INFINITE)?,
            WAIT_OBJECT_0
        );
        Ok(())
    });
    sim.run().unwrap();
    total.load(Ordering::SeqCst)
}

// A critical section excludes the other simulated thread across a scheduling point (every
// seed gives 40), while the same code without it loses updates for some seed: the seed
// explores the interleavings the lock forbids.
#[test]
fn critical_section_excludes_and_the_seed_finds_the_race() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16u64)
        .max(8);
    for s in 0..cases {
        assert_eq!(racy_count(s, true), 40, "seed {s}");
    }
    assert!((0..cases).any(|s| racy_count(s, false) < 40));
}

// Critical sections are recursive and owner-checked: the owner enters twice, another thread's
// TryEnter fails until the owner left twice; a leave by a non-owner is ERROR_NOT_OWNER (288);
// a deleted one is an invalid handle.
#[test]
fn critical_section_recursion_and_owner_check() {
    run(|ws| {
        let cs = ws.initialize_critical_section()?;
        ws.enter_critical_section(cs)?;
        assert!(ws.try_enter_critical_section(cs)?);
        let probe = move |expect: bool| {
            move |ws: &SimWinsock| {
                assert_eq!(ws.try_enter_critical_section(cs)?, expect);
                if expect {
                    ws.leave_critical_section(cs)?;
                } else {
                    assert_eq!(
                        ws.leave_critical_section(cs),
                        Err(WsaError::ERROR_NOT_OWNER)
                    );
                    assert_eq!(ws.wsa_get_last_error(), 288);
                }
                Ok(())
            }
        };
        let t = ws.create_thread("p1", probe(false))?;
        ws.wait_for_single_object(t.into(), INFINITE)?;
        ws.leave_critical_section(cs)?;
        let t = ws.create_thread("p2", probe(false))?;
        ws.wait_for_single_object(t.into(), INFINITE)?;
        ws.leave_critical_section(cs)?;
        let t = ws.create_thread("p3", probe(true))?;
        ws.wait_for_single_object(t.into(), INFINITE)?;
        assert_eq!(
            ws.leave_critical_section(cs),
            Err(WsaError::ERROR_NOT_OWNER)
        );
        ws.delete_critical_section(cs)?;
        assert_eq!(
            ws.enter_critical_section(cs),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        Ok(())
    });
}

// Two threads taking two critical sections in opposite orders deadlock; the run ends with a
// deadlock report naming EnterCriticalSection instead of hanging.
#[test]
fn lock_order_inversion_is_reported_as_deadlock() {
    let mut sim = Sim::builder().seed(seed()).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", |ws| {
        let a = ws.initialize_critical_section()?;
        let b = ws.initialize_critical_section()?;
        let t = ws.create_thread("other", move |ws: &SimWinsock| {
            ws.enter_critical_section(b)?;
            ws.sleep(10);
            ws.enter_critical_section(a)?;
            Ok(())
        })?;
        ws.enter_critical_section(a)?;
        ws.sleep(10);
        ws.enter_critical_section(b)?;
        ws.wait_for_single_object(t.into(), INFINITE)?;
        Ok(())
    });
    let e = sim.run().unwrap_err();
    assert_eq!(e.kind, SimErrorKind::Deadlock);
    assert!(e.to_string().contains("EnterCriticalSection"), "{e}");
}

// SRW locks: two readers hold the lock together, a writer waits for both; TryAcquire
// exclusive fails while shared holders exist; releasing a mode one does not hold is
// ERROR_NOT_OWNER.
#[test]
fn srw_shared_and_exclusive() {
    run(|ws| {
        let lock = ws.initialize_srw_lock()?;
        let inside = Arc::new(AtomicU32::new(0));
        let max_inside = Arc::new(AtomicU32::new(0));
        let mut readers = Vec::new();
        for i in 0..2 {
            let (inside, max_inside) = (inside.clone(), max_inside.clone());
            readers.push(Handle::from(ws.create_thread(
                &format!("r{i}"),
                move |ws: &SimWinsock| {
                    ws.acquire_srw_lock_shared(lock)?;
                    let n = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    max_inside.fetch_max(n, Ordering::SeqCst);
                    ws.sleep(100);
                    inside.fetch_sub(1, Ordering::SeqCst);
                    ws.release_srw_lock_shared(lock)
                },
            )?));
        }
        ws.sleep(10);
        assert!(!ws.try_acquire_srw_lock_exclusive(lock)?);
        assert!(ws.try_acquire_srw_lock_shared(lock)?);
        assert_eq!(
            ws.release_srw_lock_exclusive(lock),
            Err(WsaError::ERROR_NOT_OWNER)
        );
        ws.release_srw_lock_shared(lock)?;
        ws.acquire_srw_lock_exclusive(lock)?;
        assert_eq!(ms(ws), 100);
        assert_eq!(inside.load(Ordering::SeqCst), 0);
        assert_eq!(max_inside.load(Ordering::SeqCst), 2);
        assert!(!ws.try_acquire_srw_lock_shared(lock)?);
        ws.release_srw_lock_exclusive(lock)?;
        ws.wait_for_multiple_objects(&readers, true, INFINITE)?;
        Ok(())
    });
}

// SleepConditionVariableCS: a consumer sleeps with the critical section released and wakes
// owning it when a producer signals; with nothing signalled it times out with ERROR_TIMEOUT
// (1460) after exactly the timeout, owning the critical section again.
#[test]
fn condition_variable_with_critical_section() {
    run(|ws| {
        let cs = ws.initialize_critical_section()?;
        let cv = ws.initialize_condition_variable()?;
        let queue = Arc::new(AtomicU32::new(0));
        let q2 = queue.clone();
        let producer = ws.create_thread("producer", move |ws: &SimWinsock| {
            ws.sleep(40);
            ws.enter_critical_section(cs)?;
            q2.store(7, Ordering::SeqCst);
            ws.wake_condition_variable(cv)?;
            ws.leave_critical_section(cs)
        })?;
        ws.enter_critical_section(cs)?;
        while queue.load(Ordering::SeqCst) == 0 {
            ws.sleep_condition_variable_cs(cv, cs, INFINITE)?;
        }
        assert_eq!(ms(ws), 40);
        assert_eq!(
            ws.sleep_condition_variable_cs(cv, cs, 500),
            Err(WsaError::ERROR_TIMEOUT)
        );
        assert_eq!(ms(ws), 540);
        // Still the owner: leaving works once, then not.
        ws.leave_critical_section(cs)?;
        assert_eq!(
            ws.leave_critical_section(cs),
            Err(WsaError::ERROR_NOT_OWNER)
        );
        // Sleeping without owning the critical section is refused.
        assert_eq!(
            ws.sleep_condition_variable_cs(cv, cs, 0),
            Err(WsaError::ERROR_NOT_OWNER)
        );
        ws.wait_for_single_object(producer.into(), INFINITE)?;
        Ok(())
    });
}

// WakeConditionVariable wakes one of two sleepers, WakeAllConditionVariable the rest; the
// SRW form re-acquires in the mode it was given.
#[test]
fn wake_one_and_wake_all_with_srw() {
    run(|ws| {
        let lock = ws.initialize_srw_lock()?;
        let cv = ws.initialize_condition_variable()?;
        let woken = Arc::new(AtomicU32::new(0));
        let mut sleepers = Vec::new();
        for i in 0..2 {
            let woken = woken.clone();
            sleepers.push(Handle::from(ws.create_thread(
                &format!("s{i}"),
                move |ws: &SimWinsock| {
                    ws.acquire_srw_lock_shared(lock)?;
                    ws.sleep_condition_variable_srw(
                        cv,
                        lock,
                        INFINITE,
                        CONDITION_VARIABLE_LOCKMODE_SHARED,
                    )?;
                    woken.fetch_add(1, Ordering::SeqCst);
                    ws.release_srw_lock_shared(lock)
                },
            )?));
        }
        ws.sleep(10);
        ws.wake_condition_variable(cv)?;
        ws.sleep(10);
        assert_eq!(woken.load(Ordering::SeqCst), 1);
        ws.wake_all_condition_variable(cv)?;
        ws.wait_for_multiple_objects(&sleepers, true, INFINITE)?;
        assert_eq!(woken.load(Ordering::SeqCst), 2);
        Ok(())
    });
}

// Mutex objects: recursive for the owner, ReleaseMutex by another thread is ERROR_NOT_OWNER,
// and a thread that ends owning one abandons it: the next waiter gets WAIT_ABANDONED and
// owns it.
#[test]
fn mutex_ownership_and_abandonment() {
    run(|ws| {
        let m = ws.create_mutex(true)?;
        assert_eq!(ws.wait_for_single_object(m.into(), 0)?, WAIT_OBJECT_0);
        let t = ws.create_thread("other", move |ws: &SimWinsock| {
            assert_eq!(ws.wait_for_single_object(m.into(), 0)?, WAIT_TIMEOUT);
            assert_eq!(ws.release_mutex(m), Err(WsaError::ERROR_NOT_OWNER));
            Ok(())
        })?;
        ws.wait_for_single_object(t.into(), INFINITE)?;
        ws.release_mutex(m)?;
        ws.release_mutex(m)?;
        assert_eq!(ws.release_mutex(m), Err(WsaError::ERROR_NOT_OWNER));
        let quitter = ws.create_thread("quitter", move |ws: &SimWinsock| {
            assert_eq!(ws.wait_for_single_object(m.into(), 0)?, WAIT_OBJECT_0);
            Ok(()) // ends owning the mutex
        })?;
        ws.wait_for_single_object(quitter.into(), INFINITE)?;
        let ev = ws.create_event(true, false)?;
        assert_eq!(
            ws.wait_for_multiple_objects(&[ev.into(), m.into()], false, 0)?,
            WAIT_ABANDONED_0 + 1
        );
        // Now owned by this thread, and no longer abandoned.
        ws.release_mutex(m)?;
        assert_eq!(ws.wait_for_single_object(m.into(), 0)?, WAIT_OBJECT_0);
        Ok(())
    });
}

// Semaphores: a wait takes one unit, ReleaseSemaphore returns the previous count and refuses
// to pass the maximum (ERROR_TOO_MANY_POSTS, 298) or a count below 1 (87); bad creation
// arguments are ERROR_INVALID_PARAMETER; a release wakes a waiter.
#[test]
fn semaphore_counts() {
    run(|ws| {
        assert_eq!(
            ws.create_semaphore(1, 0),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.create_semaphore(3, 2),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.create_semaphore(-1, 2),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        let sem = ws.create_semaphore(2, 3)?;
        assert_eq!(ws.wait_for_single_object(sem.into(), 0)?, WAIT_OBJECT_0);
        assert_eq!(ws.wait_for_single_object(sem.into(), 0)?, WAIT_OBJECT_0);
        assert_eq!(ws.wait_for_single_object(sem.into(), 0)?, WAIT_TIMEOUT);
        assert_eq!(
            ws.release_semaphore(sem, 4),
            Err(WsaError::ERROR_TOO_MANY_POSTS)
        );
        assert_eq!(ws.wsa_get_last_error(), 298);
        assert_eq!(
            ws.release_semaphore(sem, 0),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        let t = ws.create_thread("poster", move |ws: &SimWinsock| {
            ws.sleep(70);
            assert_eq!(ws.release_semaphore(sem, 1)?, 0);
            Ok(())
        })?;
        assert_eq!(
            ws.wait_for_single_object(sem.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ms(ws), 70);
        ws.wait_for_single_object(t.into(), INFINITE)?;
        assert_eq!(ws.release_semaphore(sem, 3)?, 0);
        assert_eq!(
            ws.release_semaphore(sem, 1),
            Err(WsaError::ERROR_TOO_MANY_POSTS)
        );
        ws.close_handle(sem.into())?;
        assert_eq!(
            ws.release_semaphore(sem, 1),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        Ok(())
    });
}

// A console-control signal raised from the test runs the handlers on their own thread, the
// most recently registered first; one returning false passes it on; the server shuts down.
#[test]
fn console_ctrl_handler_shuts_the_server_down() {
    let order = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let o2 = order.clone();
    let mut sim = Sim::builder().seed(seed()).build();
    let h = sim.host("server", "192.0.2.1");
    h.spawn("main", move |ws| {
        let stop = ws.create_event(true, false)?;
        let main_thread = ws.get_current_thread();
        let o3 = o2.clone();
        ws.set_console_ctrl_handler(Box::new(move |ws: &SimWinsock, ctrl| {
            assert_eq!(ctrl, CTRL_C_EVENT);
            assert_ne!(ws.get_current_thread(), main_thread);
            o3.lock().push("first");
            ws.set_event(stop).is_ok()
        }))?;
        let o4 = o2.clone();
        ws.set_console_ctrl_handler(Box::new(move |_ws: &SimWinsock, _| {
            o4.lock().push("second");
            false
        }))?;
        assert_eq!(
            ws.wait_for_single_object(stop.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ws.now(), Duration::from_secs(2));
        Ok(())
    });
    h.raise_console_ctrl(CTRL_C_EVENT, Duration::from_secs(2));
    sim.run().unwrap();
    assert_eq!(*order.lock(), vec!["second", "first"]);
}

// GenerateConsoleCtrlEvent raises the signal from inside the process; a removed handler does
// not run, and removing it twice is ERROR_INVALID_PARAMETER.
#[test]
fn generate_console_ctrl_event_and_removal() {
    run(|ws| {
        let hits = Arc::new(AtomicU32::new(0));
        let h2 = hits.clone();
        let ev = ws.create_event(false, false)?;
        let keep = ws.set_console_ctrl_handler(Box::new(move |ws: &SimWinsock, ctrl| {
            assert_eq!(ctrl, CTRL_BREAK_EVENT);
            ws.set_event(ev).is_ok()
        }))?;
        let gone = ws.set_console_ctrl_handler(Box::new(move |_: &SimWinsock, _| {
            h2.fetch_add(1, Ordering::SeqCst);
            true
        }))?;
        ws.remove_console_ctrl_handler(gone)?;
        assert_eq!(
            ws.remove_console_ctrl_handler(gone),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        ws.generate_console_ctrl_event(CTRL_BREAK_EVENT)?;
        assert_eq!(ws.wait_for_single_object(ev.into(), 1000)?, WAIT_OBJECT_0);
        assert_eq!(hits.load(Ordering::SeqCst), 0);
        assert_eq!(
            ws.generate_console_ctrl_event(CTRL_CLOSE_EVENT),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        ws.remove_console_ctrl_handler(keep)
    });
}

// process_global: one value per process (host) and type, shared by its threads, separate on
// another host.
#[test]
fn process_globals_are_per_host() {
    let mut sim = Sim::builder().seed(seed()).build();
    for (name, ip) in [("a", "192.0.2.1"), ("b", "192.0.2.2")] {
        let h = sim.host(name, ip);
        h.spawn("main", |ws| {
            let g = ws.process_global(|| AtomicU32::new(0));
            g.fetch_add(1, Ordering::SeqCst);
            let t = ws.create_thread("child", |ws: &SimWinsock| {
                let g = ws.process_global(|| AtomicU32::new(100));
                g.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })?;
            ws.wait_for_single_object(t.into(), INFINITE)?;
            assert_eq!(g.load(Ordering::SeqCst), 2);
            Ok(())
        });
    }
    sim.run().unwrap();
}

// Lock interleavings are part of the seed: the same seed gives the same trace hash.
#[test]
fn lock_scenarios_replay_exactly() {
    let hash = |s: u64| {
        let mut sim = Sim::builder().seed(s).build();
        let h = sim.host("h", "192.0.2.1");
        h.spawn("main", |ws| {
            let cs = ws.initialize_critical_section()?;
            let mut ts = Vec::new();
            for i in 0..3 {
                ts.push(Handle::from(ws.create_thread(
                    &format!("w{i}"),
                    move |ws: &SimWinsock| {
                        for _ in 0..5 {
                            ws.enter_critical_section(cs)?;
                            ws.sleep(0);
                            ws.leave_critical_section(cs)?;
                        }
                        Ok(())
                    },
                )?));
            }
            ws.wait_for_multiple_objects(&ts, true, INFINITE)?;
            Ok(())
        });
        sim.run().unwrap().trace_hash
    };
    assert_eq!(hash(7), hash(7));
    assert!((0..8).any(|s| hash(s) != hash(7)));
}

/// Cases per property: `PROPTEST_CASES` or 24.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// One lock operation of the fuzzer, on object `.1` of a small pool (or a bogus handle).
#[derive(Debug, Clone, Copy)]
enum LockOp {
    Enter(usize),
    TryEnter(usize),
    Leave(usize),
    SrwExclusive(usize),
    SrwShared(usize),
    SrwReleaseExclusive(usize),
    SrwReleaseShared(usize),
    Sleep(usize, u32),
    Wake(usize, bool),
    Wait(usize, u32),
    Release(usize),
    Set(usize),
    Yield,
}

fn lock_op() -> impl proptest::strategy::Strategy<Value = LockOp> {
    use proptest::prelude::*;
    let i = 0usize..4;
    prop_oneof![
        i.clone().prop_map(LockOp::Enter),
        i.clone().prop_map(LockOp::TryEnter),
        i.clone().prop_map(LockOp::Leave),
        i.clone().prop_map(LockOp::SrwExclusive),
        i.clone().prop_map(LockOp::SrwShared),
        i.clone().prop_map(LockOp::SrwReleaseExclusive),
        i.clone().prop_map(LockOp::SrwReleaseShared),
        (i.clone(), 0u32..50).prop_map(|(i, t)| LockOp::Sleep(i, t)),
        (i.clone(), any::<bool>()).prop_map(|(i, a)| LockOp::Wake(i, a)),
        (i.clone(), 0u32..50).prop_map(|(i, t)| LockOp::Wait(i, t)),
        i.clone().prop_map(LockOp::Release),
        i.prop_map(LockOp::Set),
        Just(LockOp::Yield),
    ]
}

/// Runs the fuzz scenario; the outcome as text and the trace hash.
fn run_lock_ops(seed: u64, threads: Vec<Vec<LockOp>>) -> (String, u64) {
    let mut sim = Sim::builder()
        .seed(seed)
        .time_limit(Duration::from_secs(60))
        .build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", move |ws| {
        // Pool slot 3 is a bogus value for each kind.
        let mut cs: Vec<CriticalSection> = Vec::new();
        let mut srw: Vec<SrwLock> = Vec::new();
        let mut cv: Vec<ConditionVariable> = Vec::new();
        let mut mx: Vec<MutexHandle> = Vec::new();
        let mut ev: Vec<WsaEvent> = Vec::new();
        for _ in 0..3 {
            cs.push(ws.initialize_critical_section()?);
            srw.push(ws.initialize_srw_lock()?);
            cv.push(ws.initialize_condition_variable()?);
            mx.push(ws.create_mutex(false)?);
            ev.push(ws.create_event(false, false)?);
        }
        cs.push(CriticalSection::from_raw(9999));
        srw.push(SrwLock::from_raw(cv[0].raw()));
        cv.push(ConditionVariable::from_raw(cs[0].raw()));
        mx.push(MutexHandle::from_raw(ev[0].raw()));
        ev.push(WsaEvent::from_raw(0x7777));
        let mut hs = Vec::new();
        for (t, ops) in threads.into_iter().enumerate() {
            let (cs, srw, cv, mx, ev) =
                (cs.clone(), srw.clone(), cv.clone(), mx.clone(), ev.clone());
            hs.push(Handle::from(ws.create_thread(
                &format!("f{t}"),
                move |ws: &SimWinsock| {
                    for op in ops {
                        // Every result is allowed; only a panic or a hang would be a bug.
                        let _ = match op {
                            LockOp::Enter(i) => ws.enter_critical_section(cs[i]),
                            LockOp::TryEnter(i) => ws.try_enter_critical_section(cs[i]).map(|_| ()),
                            LockOp::Leave(i) => ws.leave_critical_section(cs[i]),
                            LockOp::SrwExclusive(i) => {
                                ws.try_acquire_srw_lock_exclusive(srw[i]).map(|_| ())
                            }
                            LockOp::SrwShared(i) => ws.acquire_srw_lock_shared(srw[i]),
                            LockOp::SrwReleaseExclusive(i) => ws.release_srw_lock_exclusive(srw[i]),
                            LockOp::SrwReleaseShared(i) => ws.release_srw_lock_shared(srw[i]),
                            LockOp::Sleep(i, t) => ws.sleep_condition_variable_cs(cv[i], cs[i], t),
                            LockOp::Wake(i, all) if all => ws.wake_all_condition_variable(cv[i]),
                            LockOp::Wake(i, _) => ws.wake_condition_variable(cv[i]),
                            LockOp::Wait(i, t) => ws
                                .wait_for_multiple_objects(&[mx[i].into(), ev[i].into()], false, t)
                                .map(|_| ()),
                            LockOp::Release(i) => ws.release_mutex(mx[i]),
                            LockOp::Set(i) => ws.set_event(ev[i]),
                            LockOp::Yield => {
                                ws.sleep(1);
                                Ok(())
                            }
                        };
                    }
                    Ok(())
                },
            )?));
        }
        ws.wait_for_multiple_objects(&hs, true, INFINITE)?;
        Ok(())
    });
    match sim.run() {
        Ok(r) => ("ok".to_string(), r.trace_hash),
        Err(e) => (format!("{:?}", e.kind), e.trace_hash),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(cases()))]

    // Random lock, condition-variable, mutex and event operations from three threads, with
    // bogus and wrong-kind handles mixed in: the run never panics and never hangs (it ends, or
    // ends with a deadlock report), and the same seed replays to the same trace.
    #[test]
    fn random_lock_operations_never_panic_and_replay(
        seed in 0u64..1000,
        threads in proptest::collection::vec(proptest::collection::vec(lock_op(), 0..20), 1..4),
    ) {
        let a = run_lock_ops(seed, threads.clone());
        proptest::prop_assert!(a.0 == "ok" || a.0 == "Deadlock", "{}", a.0);
        let b = run_lock_ops(seed, threads);
        proptest::prop_assert_eq!(a, b);
    }
}
