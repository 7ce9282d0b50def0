//! WaitOnAddress in the simulator, beyond the shared rules (`conformance_suite/
//! wait_on_address.rs`): a wake is not remembered for a later sleeper; wakes of one go to
//! the sleepers in the order they fell asleep; another process's sleeper on the same memory
//! is another address; a sleeper nobody wakes is named in the deadlock report; the same seed
//! replays the same run (the trace never holds an address).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::run;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind};

#[test]
fn a_wake_before_the_sleep_is_not_remembered() {
    // Proves: a WakeByAddressAll with nobody asleep leaves nothing behind: a thread that
    // goes to sleep on the address afterwards sleeps out its timeout (ERROR_TIMEOUT after
    // exactly 50 ms of virtual time).
    run(|ws| {
        let a = AtomicU32::new(0);
        ws.wake_by_address_all(&a);
        ws.wake_by_address_single(&a);
        let start = ws.get_tick_count();
        assert_eq!(ws.wait_on_address(&a, 0, 50), Err(WsaError::ERROR_TIMEOUT));
        assert_eq!(ws.get_tick_count() - start, 50);
        Ok(())
    });
}

#[test]
fn wakes_of_one_go_in_the_order_the_sleepers_fell_asleep() {
    // Proves: three threads fall asleep on one address in turn; three WakeByAddressSingle
    // calls wake them in that order, one each (the value never changes: a woken
    // WaitOnAddress returns successfully whatever the value is).
    run(|ws| {
        let a = Arc::new(AtomicU32::new(0));
        let order: Arc<Mutex<Vec<usize>>> = Arc::default();
        let mut threads = Vec::new();
        for i in 0..3 {
            let (a, order) = (a.clone(), order.clone());
            threads.push(ws.create_thread("sleeper", move |ws| {
                ws.wait_on_address(&*a, 0, INFINITE)?;
                order.lock().unwrap().push(i);
                Ok(())
            })?);
            ws.sleep(10);
        }
        for n in 1..=3 {
            ws.wake_by_address_single(&*a);
            ws.sleep(10);
            assert_eq!(order.lock().unwrap().len(), n, "one wake, one thread");
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        Ok(())
    });
}

#[test]
fn another_process_sleeping_on_the_same_memory_is_another_address() {
    // Proves: two hosts (two processes) share one Rust atomic; a wake in one process does not
    // wake the other's sleeper, whose timeout passes; a wake in its own process does.
    let a = Arc::new(AtomicU32::new(0));
    let results: Arc<Mutex<Vec<Result<(), WsaError>>>> = Arc::default();
    let mut sim = Sim::builder().seed(common::seed()).build();
    let (a1, r1) = (a.clone(), results.clone());
    let one = sim.host("one", "192.0.2.1");
    one.spawn("sleeper", move |ws| {
        let r = ws.wait_on_address(&*a1, 0, 100);
        r1.lock().unwrap().push(r);
        let r = ws.wait_on_address(&*a1, 0, 100);
        r1.lock().unwrap().push(r);
        Ok(())
    });
    let a2 = a.clone();
    sim.host("two", "192.0.2.2").spawn("waker", move |ws| {
        ws.sleep(10);
        ws.wake_by_address_all(&*a2);
        Ok(())
    });
    let a3 = a.clone();
    one.spawn("own-waker", move |ws| {
        ws.sleep(150);
        ws.wake_by_address_all(&*a3);
        Ok(())
    });
    sim.run().expect("the run succeeds");
    assert_eq!(
        *results.lock().unwrap(),
        vec![Err(WsaError::ERROR_TIMEOUT), Ok(())],
        "the other process's wake is not ours; our own wakes us"
    );
}

#[test]
fn a_sleeper_nobody_wakes_is_named_in_the_deadlock_report() {
    // Proves: a thread asleep on an address for ever, with nothing left to run, ends the run
    // as a deadlock whose report says what it waits for.
    let mut sim = Sim::builder().seed(common::seed()).build();
    sim.host("host", "192.0.2.1").spawn("main", |ws| {
        let a = AtomicU32::new(0);
        ws.wait_on_address(&a, 0, INFINITE)
    });
    let err = sim.run().expect_err("nobody wakes it");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    let text = err.to_string();
    assert!(text.contains("a wake of the address it waits on"), "{text}");
}

#[test]
fn address_waits_replay_under_the_same_seed() {
    // Proves: the trace depends on the seed only, not on where the atomics are in memory:
    // two runs of the same sleepers and wakes give the same trace hash.
    let once = || {
        let mut sim = Sim::builder().seed(common::seed()).build();
        sim.host("host", "192.0.2.1").spawn("main", |ws| {
            let a = Arc::new(AtomicU32::new(0));
            let mut threads = Vec::new();
            for _ in 0..4 {
                let a = a.clone();
                threads.push(ws.create_thread("sleeper", move |ws| {
                    while a.load(Ordering::SeqCst) == 0 {
                        ws.wait_on_address(&*a, 0, INFINITE)?;
                    }
                    Ok(())
                })?);
            }
            ws.sleep(5);
            a.store(1, Ordering::SeqCst);
            ws.wake_by_address_all(&*a);
            for t in threads {
                ws.wait_for_thread(t, INFINITE)?;
            }
            Ok(())
        });
        sim.run().expect("the run succeeds").trace_hash
    };
    assert_eq!(once(), once());
}
