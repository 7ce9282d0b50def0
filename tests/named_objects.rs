//! Named objects beyond the rules (`tests/conformance_suite/named_objects.rs`) and sync.c's
//! name checks: each host's namespace is its own (a host is a machine), and a name goes with
//! its object's last handle even while a wait still holds the object, as Windows' object
//! manager drops a temporary object's name at a handle count of zero.
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

#[test]
fn each_host_has_its_own_namespace() {
    let mut sim = Sim::builder().seed(common::seed()).build();
    let seen: Arc<Mutex<Vec<(&str, bool)>>> = Arc::default();
    for (host, ip) in [("a", "192.0.2.1"), ("b", "192.0.2.2")] {
        let seen = seen.clone();
        sim.host(host, ip).spawn("main", move |ws| {
            let (m, existed) = ws.create_mutex_named(false, "Global\\single")?;
            seen.lock().unwrap().push((host, existed));
            ws.sleep(10);
            ws.close_handle(m.into())
        });
    }
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let mut seen = seen.lock().unwrap().clone();
    seen.sort_unstable();
    assert_eq!(seen, vec![("a", false), ("b", false)]);
}

#[test]
fn a_name_goes_with_the_last_handle_even_while_a_wait_holds_the_object() {
    common::run(|ws| {
        let (ev, _) = ws.create_event_named(true, false, "shutdown")?;
        let ended = Arc::new(Mutex::new(None));
        let e = ended.clone();
        // The waiter waits on a duplicate, then the name's handles all close.
        let dup = ws.duplicate_handle(ev.into())?;
        let waiter = ws.create_thread("waiter", move |ws| {
            *e.lock().unwrap() = Some(ws.wait_for_single_object(dup, 50));
            Ok(())
        })?;
        ws.sleep(1);
        ws.close_handle(ev.into())?;
        // One handle (the duplicate) is still open: the name is still there.
        let again = ws.open_event(Some("shutdown"))?;
        ws.close_handle(again.into())?;
        ws.close_handle(dup)?;
        // No handle now, though the waiter's wait still holds the object: the name is free,
        // and a create makes a new event, which the old wait does not see.
        assert_eq!(
            ws.open_event(Some("shutdown")),
            Err(WsaError::ERROR_FILE_NOT_FOUND)
        );
        let (fresh, existed) = ws.create_event_named(true, false, "shutdown")?;
        assert!(!existed);
        ws.set_event(fresh)?;
        ws.wait_for_thread(waiter, INFINITE)?;
        assert_eq!(*ended.lock().unwrap(), Some(Ok(WAIT_TIMEOUT)));
        ws.close_handle(fresh.into())
    });
}

#[test]
fn named_objects_replay() {
    let run = || {
        common::run(|ws| {
            let (m, _) = ws.create_mutex_named(true, "m")?;
            let t = ws.create_thread("t", |ws| {
                let (m, existed) = ws.create_mutex_named(true, "m")?;
                assert!(existed);
                ws.wait_for_single_object(m.into(), INFINITE)?;
                ws.release_mutex(m)?;
                ws.close_handle(m.into())
            })?;
            ws.sleep(3);
            ws.release_mutex(m)?;
            ws.wait_for_thread(t, INFINITE)?;
            ws.close_handle(m.into())
        })
        .trace_hash
    };
    assert_eq!(run(), run());
}
