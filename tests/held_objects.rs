//! Objects that outlive their handles (conformance rules HOLD-*, which also run on the real
//! kernel32 and ws2_32): a wait holds the objects it waits on, a WSAEventSelect registration
//! its event, a WSAAsyncSelect registration its window, an overlapped operation its event, a
//! socket's association its completion port. Closing the handle leaves the object to them,
//! and a new object that gets the same handle value (the simulator, as Windows, gives the
//! lowest free one) or the same slot is a different object.
//!
//! These are the cases the shared rules cannot time exactly on a real machine: on the
//! virtual clock each wait ends at the instant Windows' rules say.
mod common;

use common::run;
use winsock_sim::prelude::*;

/// `ms` milliseconds from now, as a relative due time.
fn after(ms: i64) -> i64 {
    -ms * FILETIME_TICKS_PER_MS
}

/// The catalogue's pair with TCP_NODELAY on the client, so that each send leaves at once.
fn nodelay_pair(ws: &winsock_sim::sim::SimWinsock) -> Result<(Socket, Socket), WsaError> {
    let (c, s) = common::pair(ws)?;
    ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
    Ok((c, s))
}

#[test]
fn an_event_closed_during_a_wait_is_held_until_the_wait_times_out() {
    // The waiter's wait ends at its own timeout, not at the close; a new event created and
    // set by the closing thread (the same handle value) is not the one waited on.
    run(|ws| {
        let ev = ws.create_event(true, false)?;
        let t0 = ws.get_tick_count();
        ws.create_thread("closer", move |ws| {
            ws.sleep(50);
            ws.close_handle(ev.into())?;
            let new = ws.create_event(true, false)?;
            assert_eq!(new, ev, "the lowest free handle value again");
            ws.set_event(new)
        })?;
        assert_eq!(ws.wait_for_single_object(ev.into(), 200)?, WAIT_TIMEOUT);
        assert_eq!(ws.get_tick_count() - t0, 200);
        // The handle value now names the closer's new event, which it set.
        assert_eq!(ws.wait_for_single_object(ev.into(), 0)?, WAIT_OBJECT_0);
        Ok(())
    });
}

#[test]
fn a_wait_all_with_a_closed_object_waits_for_it_in_vain() {
    run(|ws| {
        let a = ws.create_event(true, false)?;
        let b = ws.create_event(true, false)?;
        ws.create_thread("closer", move |ws| {
            ws.sleep(50);
            ws.close_handle(a.into())?;
            ws.set_event(b)
        })?;
        let hs = [Handle::from(a), Handle::from(b)];
        assert_eq!(ws.wait_for_multiple_objects(&hs, true, 300)?, WAIT_TIMEOUT);
        assert_eq!(
            ws.wait_for_multiple_objects(&hs, true, 0),
            Err(WsaError::WSA_INVALID_HANDLE),
            "the handle itself is gone"
        );
        Ok(())
    });
}

#[test]
fn a_timer_closed_during_a_wait_releases_it_at_its_due_time_and_then_goes() {
    // The periodic timer fires for the wait that holds it; once that wait has ended the
    // object is gone: its routine's APC, queued by the expiry, is taken back with it.
    run(|ws| {
        let t = ws.create_waitable_timer(true)?;
        ws.set_waitable_timer(t, after(300), 100, None, false)?;
        let t0 = ws.get_tick_count();
        ws.create_thread("closer", move |ws| {
            ws.sleep(100);
            ws.close_handle(t.into())
        })?;
        assert_eq!(
            ws.wait_for_single_object(t.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ws.get_tick_count() - t0, 300);
        assert_eq!(ws.close_handle(t.into()), Err(WsaError::WSA_INVALID_HANDLE));
        Ok(())
    });
}

#[test]
fn a_mutex_closed_by_its_owner_is_abandoned_to_the_waiter() {
    run(|ws| {
        let m = ws.create_mutex(false)?;
        ws.create_thread("owner", move |ws| {
            assert_eq!(ws.wait_for_single_object(m.into(), 0)?, WAIT_OBJECT_0);
            ws.sleep(100);
            ws.close_handle(m.into())
        })?;
        ws.sleep(10);
        assert_eq!(
            ws.wait_for_single_object(m.into(), INFINITE)?,
            WAIT_ABANDONED
        );
        Ok(())
    });
}

#[test]
fn a_registration_signals_its_own_event_not_a_new_one_in_its_place() {
    // WSAEventSelect's event closed: the registration still records FD_READ and signals the
    // old event object; the new event with the same handle value stays unsignalled.
    run(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let old = ws.wsa_create_event()?;
        ws.wsa_event_select(s, old, FD_READ)?;
        ws.wsa_close_event(old)?;
        let new = ws.wsa_create_event()?;
        assert_eq!(new, old, "the same handle value");
        ws.send(c, b"x", 0)?;
        ws.sleep(10);
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[new], false, 0, false)?,
            WSA_WAIT_TIMEOUT
        );
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(s, None, &mut ne)?;
        assert_eq!(ne.network_events, FD_READ);
        Ok(())
    });
}

#[test]
fn an_overlapped_receive_signals_its_own_event_not_a_new_one_in_its_place() {
    run(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let old = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, old);
        let r = ws.wsa_recv_overlapped(s, vec![vec![0u8; 4]], 0, ov, None);
        assert_eq!(r.err(), Some(WsaError::WSA_IO_PENDING));
        ws.wsa_close_event(old)?;
        let new = ws.wsa_create_event()?;
        assert_eq!(new, old, "the same handle value");
        ws.send(c, b"x", 0)?;
        ws.sleep(10);
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[new], false, 0, false)?,
            WSA_WAIT_TIMEOUT
        );
        assert_eq!(ws.wsa_get_overlapped_result(s, &ov, false)?.bytes, 1);
        Ok(())
    });
}

#[test]
fn a_registration_posts_nothing_to_a_window_created_after_its_own_was_destroyed() {
    // WSAAsyncSelect to a window that is then destroyed: AFD's PostMessage to it fails, and
    // a window created next (same slot in the simulator) receives none of the socket's
    // messages.
    run(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let old = ws.create_window(None)?;
        ws.wsa_async_select(s, old, WM_USER, FD_READ)?;
        ws.destroy_window(old)?;
        let new = ws.create_window(None)?;
        ws.send(c, b"x", 0)?;
        ws.sleep(10);
        assert_eq!(ws.peek_message(Hwnd::NULL, PM_REMOVE)?, None);
        ws.destroy_window(new)
    });
}

#[test]
fn a_port_closed_during_get_queued_completion_status_is_not_replaced_by_a_new_one() {
    // The waiter learns ERROR_ABANDONED_WAIT_0 even when the closing thread creates a port
    // and posts to it before the waiter runs again: the new port is another object.
    run(|ws| {
        let old = ws.create_io_completion_port(0)?;
        ws.create_thread("closer", move |ws| {
            ws.sleep(50);
            ws.close_completion_port(old)?;
            let new = ws.create_io_completion_port(0)?;
            ws.post_queued_completion_status(new, 1, 9, None)
        })?;
        assert_eq!(
            ws.get_queued_completion_status(old, INFINITE)
                .map(|p| p.key),
            Err(WsaError::ERROR_ABANDONED_WAIT_0)
        );
        Ok(())
    });
}

#[test]
fn a_socket_on_a_closed_port_queues_nothing_to_a_new_port() {
    run(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let old = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, old, 7)?;
        let r = ws.wsa_recv_overlapped(s, vec![vec![0u8; 4]], 0, Overlapped::new(1), None);
        assert_eq!(r.err(), Some(WsaError::WSA_IO_PENDING));
        ws.close_completion_port(old)?;
        let new = ws.create_io_completion_port(0)?;
        ws.send(c, b"x", 0)?;
        assert_eq!(
            ws.get_queued_completion_status(new, 100).map(|p| p.key),
            Err(WsaError::WAIT_TIMEOUT)
        );
        Ok(())
    });
}

#[test]
fn a_worker_of_a_closed_port_does_not_count_against_a_new_port_in_its_slot() {
    // A worker took a packet from a port (it counts as one of the port's running threads);
    // the port is then closed and a new one created, which the simulator puts in the freed
    // slot. The worker counts against the port it took its packet from, which is gone: the
    // new port with NumberOfConcurrentThreads 1 releases its packet to another thread.
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    run(|ws| {
        let old = ws.create_io_completion_port(1)?;
        ws.post_queued_completion_status(old, 1, 1, None)?;
        let woke = ws.create_event(true, false)?;
        let done = Arc::new(AtomicBool::new(false));
        let seen = done.clone();
        ws.create_thread("worker", move |ws| {
            assert_eq!(ws.get_queued_completion_status(old, INFINITE)?.key, 1);
            ws.sleep(100);
            ws.set_event(woke)?;
            // Running, not waiting: it counts against its port while it runs.
            while !seen.load(Ordering::SeqCst) {
                ws.sleep(0);
            }
            Ok(())
        })?;
        ws.sleep(50);
        ws.close_completion_port(old)?;
        let new = ws.create_io_completion_port(1)?;
        ws.post_queued_completion_status(new, 1, 2, None)?;
        assert_eq!(
            ws.wait_for_single_object(woke.into(), INFINITE)?,
            WAIT_OBJECT_0
        );
        let got = ws.get_queued_completion_status(new, 0).map(|p| p.key);
        done.store(true, Ordering::SeqCst);
        assert_eq!(got, Ok(2));
        Ok(())
    });
}

#[test]
fn a_deadlock_on_an_event_whose_handle_was_closed_says_so() {
    // The classic hang: one thread waits for an event with no timeout, another closes the
    // event's handle (instead of setting it). The wait holds the object, which nothing can
    // set any more: the run ends as a deadlock, and the report names the cause.
    use winsock_sim::sim::{Sim, SimErrorKind, ThreadOutcome};
    let mut sim = Sim::builder().seed(common::seed()).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("waiter", |ws| {
        let ev = ws.create_event(true, false)?;
        ws.create_thread("closer", move |ws| {
            ws.sleep(10);
            ws.close_handle(ev.into())
        })?;
        ws.wait_for_single_object(ev.into(), INFINITE)?;
        Ok(())
    });
    let e = sim.run().expect_err("the waiter waits for ever");
    assert_eq!(e.kind, SimErrorKind::Deadlock);
    match &e.threads[0].outcome {
        ThreadOutcome::Unfinished(why) => assert!(
            why.contains("handle was closed while it waited"),
            "the report says why: {why}"
        ),
        other => panic!("the waiter is blocked, not {other:?}"),
    }
    assert!(e.to_string().contains("handle was closed while it waited"));
}
