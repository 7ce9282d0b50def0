//! A failed run names what each thread blocked in a wait on handles waits for: every object
//! with its handle and state, a mutex with the thread that owns it, so that a lock-order
//! deadlock reads as the cycle it is.
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, SimWinsock};

#[test]
fn a_lock_order_deadlock_names_each_mutex_and_its_owner() {
    let mut sim = Sim::builder().seed(7).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", |ws| {
        let a = ws.create_mutex(false)?;
        let b = ws.create_mutex(false)?;
        let t = ws.create_thread("other", move |ws: &SimWinsock| {
            ws.wait_for_single_object(b.into(), INFINITE)?;
            ws.sleep(10);
            ws.wait_for_single_object(a.into(), INFINITE)?;
            Ok(())
        })?;
        ws.wait_for_single_object(a.into(), INFINITE)?;
        ws.sleep(10);
        ws.wait_for_single_object(b.into(), INFINITE)?;
        ws.wait_for_thread(t, INFINITE)?;
        Ok(())
    });
    let err = sim.run().expect_err("a deadlock");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    let waits: Vec<Option<&str>> = err.threads.iter().map(|t| t.waits_for.as_deref()).collect();
    assert_eq!(
        waits,
        vec![
            Some("mutex 0x104 (owned by t1 \"other\")"),
            Some("mutex 0x100 (owned by t0 \"main\")")
        ]
    );
    let text = err.to_string();
    assert!(
        text.contains(
            "t0 \"main\" on host: blocked in WaitForMultipleObjects on mutex 0x104 (owned by t1 \"other\")"
        ),
        "{text}"
    );
}

#[test]
fn events_semaphores_threads_and_wait_all_are_described() {
    let mut sim = Sim::builder().seed(7).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", |ws| {
        let ev = ws.create_event(false, false)?;
        let manual = ws.create_event(true, false)?;
        let sem = ws.create_semaphore(0, 3)?;
        let t = ws.create_thread("waiter", move |ws: &SimWinsock| {
            ws.wait_for_multiple_objects(&[ev.into(), sem.into()], true, INFINITE)?;
            Ok(())
        })?;
        ws.wait_for_multiple_objects(&[manual.into(), t.into()], false, INFINITE)?;
        Ok(())
    });
    let err = sim.run().expect_err("a deadlock");
    let waits: Vec<Option<&str>> = err.threads.iter().map(|t| t.waits_for.as_deref()).collect();
    assert_eq!(
        waits,
        vec![
            Some("any of: manual-reset event 0x104 (not set), the end of thread t1 \"waiter\""),
            Some("all of: auto-reset event 0x100 (not set), semaphore 0x108 (count 0 of 3)")
        ]
    );
}

#[test]
fn a_thread_blocked_elsewhere_has_no_wait_description() {
    // A recv, not a wait on handles: only the call is named, as before.
    let mut sim = Sim::builder().seed(7).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let mut b = [0u8; 4];
        ws.recv(s, &mut b, 0)?;
        Ok(())
    });
    let err = sim.run().expect_err("a deadlock");
    assert_eq!(err.threads[0].waits_for, None);
}
