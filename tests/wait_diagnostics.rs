//! A failed run names what each blocked thread waits for: in a wait on handles, every object
//! with its handle and state, a mutex with the thread that owns it (so that a lock-order
//! deadlock reads as the cycle it is); on sockets, each socket with its addresses and state;
//! in GetQueuedCompletionStatus, the port.
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimError, SimErrorKind, SimWinsock};

/// Runs `body` as thread "main" of one host (seed 7) and returns the deadlock it ends in.
fn deadlock(body: impl FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static) -> SimError {
    let mut sim = Sim::builder().seed(7).build();
    sim.host("host", "192.0.2.1").spawn("main", body);
    let err = sim.run().expect_err("a deadlock");
    assert_eq!(err.kind, SimErrorKind::Deadlock, "{err}");
    err
}

#[test]
fn a_lock_order_deadlock_names_each_mutex_and_its_owner() {
    let err = deadlock(|ws| {
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
    assert_eq!(err.wait_cycle(), Some(vec![0, 1]));
    assert!(
        text.contains(
            "wait cycle (each waits for the next to release a mutex or end): t0 \"main\" -> t1 \"other\" -> t0 \"main\""
        ),
        "{text}"
    );
}

#[test]
fn events_semaphores_threads_and_wait_all_are_described() {
    let err = deadlock(|ws| {
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
    // No cycle: t0 waits for an event or t1's end, t1 for an event and a semaphore.
    assert_eq!(err.wait_cycle(), None);
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
fn threads_blocked_on_sockets_name_each_socket() {
    // Both ends of a connection in recv (each waits for the other to speak first), and a
    // thread in accept on a listener nobody connects to, and one in recvfrom.
    let err = deadlock(|ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 5000))?;
        ws.listen(l, 1)?;
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c, &SockAddr::v4([127, 0, 0, 1], 5000))?;
        let (s, _) = ws.accept(l)?;
        ws.create_thread("server", move |ws: &SimWinsock| {
            let mut b = [0u8; 4];
            ws.recv(s, &mut b, 0)?;
            Ok(())
        })?;
        ws.create_thread("acceptor", move |ws: &SimWinsock| {
            ws.accept(l)?;
            Ok(())
        })?;
        ws.create_thread("udp", move |ws: &SimWinsock| {
            let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
            ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 6000))?;
            let mut b = [0u8; 4];
            ws.recvfrom(u, &mut b, 0)?;
            Ok(())
        })?;
        let mut b = [0u8; 4];
        ws.recv(c, &mut b, 0)?;
        Ok(())
    });
    let text = err.to_string();
    let line = |name: &str| {
        text.lines()
            .find(|l| l.contains(&format!("\"{name}\" on host")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("main").contains("on TCP socket 0x104 127.0.0.1:")
            && line("main").contains(" -> 127.0.0.1:5000, ESTABLISHED, 0 bytes to read"),
        "{text}"
    );
    assert!(
        line("server").contains(" -> 127.0.0.1:")
            && line("server").contains("on TCP socket 0x108 127.0.0.1:5000"),
        "{text}"
    );
    assert!(
        line("udp").contains("on UDP socket 0x10c on 127.0.0.1:6000 (0 datagrams queued)"),
        "{text}"
    );
}

#[test]
fn a_worker_blocked_on_an_empty_port_names_it() {
    let err = deadlock(|ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let port = ws.create_io_completion_port(0)?;
        ws.get_queued_completion_status(port, INFINITE)?;
        Ok(())
    });
    assert_eq!(
        err.threads[0].waits_for.as_deref(),
        Some("completion port 0x100 (0 packets queued)")
    );
}

#[test]
fn a_cycle_through_a_thread_end_and_two_mutexes() {
    // t0 waits for t1's end; t1 waits for the mutex t2 holds; t2 for the mutex t0 holds.
    let err = deadlock(|ws| {
        let a = ws.create_mutex(true)?;
        let b = ws.create_mutex(false)?;
        let held = ws.create_event(true, false)?;
        ws.create_thread("holder", move |ws: &SimWinsock| {
            ws.wait_for_single_object(b.into(), INFINITE)?;
            ws.set_event(held)?;
            ws.wait_for_single_object(a.into(), INFINITE)?;
            Ok(())
        })?;
        ws.wait_for_single_object(held.into(), INFINITE)?;
        let t = ws.create_thread("stuck", move |ws: &SimWinsock| {
            ws.wait_for_single_object(b.into(), INFINITE)?;
            Ok(())
        })?;
        ws.wait_for_thread(t, INFINITE)?;
        Ok(())
    });
    assert_eq!(err.wait_cycle(), Some(vec![0, 2, 1]), "{err}");
}

#[test]
fn a_critical_section_inversion_names_each_owner_and_the_cycle() {
    let err = deadlock(|ws| {
        let a = ws.initialize_critical_section()?;
        let b = ws.initialize_critical_section()?;
        let srw = ws.initialize_srw_lock()?;
        ws.create_thread("other", move |ws: &SimWinsock| {
            ws.enter_critical_section(b)?;
            ws.sleep(10);
            ws.enter_critical_section(a)?;
            Ok(())
        })?;
        ws.create_thread("reader", move |ws: &SimWinsock| {
            ws.sleep(5);
            ws.acquire_srw_lock_shared(srw)?;
            Ok(())
        })?;
        ws.acquire_srw_lock_exclusive(srw)?;
        ws.enter_critical_section(a)?;
        ws.sleep(10);
        ws.enter_critical_section(b)?;
        Ok(())
    });
    let waits: Vec<Option<String>> = err.threads.iter().map(|t| t.waits_for.clone()).collect();
    let (a, b) = (0, 1); // the lock ids, in creation order
    assert_eq!(
        waits,
        vec![
            Some(format!("critical section {b} (owned by t1 \"other\")")),
            Some(format!("critical section {a} (owned by t0 \"main\")")),
            Some("SRW lock 2 (held exclusively by t0 \"main\")".to_string()),
        ],
        "{err}"
    );
    assert_eq!(err.wait_cycle(), Some(vec![0, 1]));
}

#[test]
fn message_loops_name_their_queue() {
    // MsgWaitForMultipleObjectsEx with no handle waits for input only; GetMessage for a
    // message.
    let err = deadlock(|ws| {
        ws.create_thread("loop", |ws: &SimWinsock| {
            ws.get_message(Hwnd::NULL)?;
            Ok(())
        })?;
        ws.msg_wait_for_multiple_objects_ex(&[], INFINITE, QS_POSTMESSAGE, 0)?;
        Ok(())
    });
    let waits: Vec<Option<&str>> = err.threads.iter().map(|t| t.waits_for.as_deref()).collect();
    assert_eq!(
        waits,
        vec![
            Some("input of wake mask 0x8 in its message queue"),
            Some("a message in its queue"),
        ]
    );
}
