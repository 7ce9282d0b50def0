//! WSAEventSelect's event objects: the WSAWaitForMultipleEvents / WSACreateEvent /
//! WSASetEvent / WSAResetEvent / WSACloseEvent contract (argument checks, closed handles,
//! wait-all and wait-any, timeouts, a wake from another thread). The EV-* rules are in
//! `event_select.rs`.
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;

#[test]
fn wait_rejects_zero_or_too_many_events() {
    // Proves: WSAWaitForMultipleEvents with 0 or 65 (> WSA_MAXIMUM_WAIT_EVENTS) handles fails
    // with WSA_INVALID_PARAMETER, while 64 is accepted.
    common::run(|ws| {
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[], false, 0, false),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.wsa_get_last_error(),
            WsaError::WSA_INVALID_PARAMETER.code()
        );
        let evs = (0..65)
            .map(|_| ws.wsa_create_event())
            .collect::<Result<Vec<_>, _>>()?;
        ws.wsa_set_event(evs[0])?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&evs, false, 0, false),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&evs[..WSA_MAXIMUM_WAIT_EVENTS], false, 0, false),
            Ok(WSA_WAIT_EVENT_0)
        );
        ws.wsa_set_event(evs[63])?;
        ws.wsa_reset_event(evs[0])?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&evs[..64], false, 0, false),
            Ok(WSA_WAIT_EVENT_0 + 63)
        );
        Ok(())
    });
}

#[test]
fn wait_on_closed_event_is_invalid_handle() {
    // Proves: waiting on an event closed with WSACloseEvent fails with WSA_INVALID_HANDLE, even
    // when another handle in the array is signalled.
    common::run(|ws| {
        let a = ws.wsa_create_event()?;
        let b = ws.wsa_create_event()?;
        ws.wsa_close_event(b)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[b], false, 0, false),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_INVALID_HANDLE.code());
        ws.wsa_set_event(a)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[a, b], false, 0, false),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        Ok(())
    });
}

#[test]
fn wait_all_needs_every_event() {
    // Proves: with fWaitAll the wait succeeds only when all events are signalled (returning
    // WSA_WAIT_EVENT_0), and manual-reset events stay signalled after the wait.
    common::run(|ws| {
        let a = ws.wsa_create_event()?;
        let b = ws.wsa_create_event()?;
        ws.wsa_set_event(b)?;
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[a, b], true, 100, false)?,
            WSA_WAIT_TIMEOUT
        );
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 100);
        ws.wsa_set_event(a)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[a, b], true, 100, false)?,
            WSA_WAIT_EVENT_0
        );
        // Manual-reset: still signalled.
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[a, b], true, 0, false)?,
            WSA_WAIT_EVENT_0
        );
        // A second thread completes the set during the wait.
        ws.wsa_reset_event(a)?;
        ws.create_thread("setter", move |ws| {
            ws.sleep(300);
            ws.wsa_set_event(a)
        })?;
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[a, b], true, WSA_INFINITE, false)?,
            WSA_WAIT_EVENT_0
        );
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 300);
        Ok(())
    });
}

#[test]
fn wait_any_returns_lowest_signalled_index() {
    // Proves: without fWaitAll the result is WSA_WAIT_EVENT_0 + the lowest signalled index,
    // and the (manual-reset) event is not reset by the wait.
    common::run(|ws| {
        let evs = (0..4)
            .map(|_| ws.wsa_create_event())
            .collect::<Result<Vec<_>, _>>()?;
        ws.wsa_set_event(evs[3])?;
        ws.wsa_set_event(evs[1])?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&evs, false, 0, false)?,
            WSA_WAIT_EVENT_0 + 1
        );
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&evs, false, 0, false)?,
            WSA_WAIT_EVENT_0 + 1
        );
        ws.wsa_reset_event(evs[1])?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&evs, false, 0, false)?,
            WSA_WAIT_EVENT_0 + 3
        );
        Ok(())
    });
}

#[test]
fn wait_times_out_after_the_timeout() {
    // Proves: with nothing signalled the wait returns WSA_WAIT_TIMEOUT after exactly the
    // timeout in virtual time (0 polls without waiting).
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false)?,
            WSA_WAIT_TIMEOUT
        );
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 0);
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 750, false)?,
            WSA_WAIT_TIMEOUT
        );
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 750);
        Ok(())
    });
}

#[test]
fn wait_wakes_when_another_thread_sets_the_event() {
    // Proves: a waiting thread wakes as soon as another thread calls WSASetEvent, not at the
    // timeout.
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        let flag = Arc::new(AtomicU32::new(0));
        let f2 = flag.clone();
        ws.create_thread("setter", move |ws| {
            ws.sleep(120);
            f2.store(1, Ordering::SeqCst);
            ws.wsa_set_event(ev)
        })?;
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 10_000, false)?,
            WSA_WAIT_EVENT_0
        );
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 120);
        assert_eq!(flag.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn set_reset_close_event() {
    // Proves: a new event is non-signalled; WSASetEvent signals it, WSAResetEvent clears it;
    // after WSACloseEvent every call on the handle fails with WSA_INVALID_HANDLE.
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        assert_ne!(ev, WsaEvent::INVALID);
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false)?,
            WSA_WAIT_TIMEOUT
        );
        assert_eq!(ws.wsa_set_event(ev), Ok(()));
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false)?,
            WSA_WAIT_EVENT_0
        );
        assert_eq!(ws.wsa_reset_event(ev), Ok(()));
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false)?,
            WSA_WAIT_TIMEOUT
        );
        assert_eq!(ws.wsa_close_event(ev), Ok(()));
        assert_eq!(ws.wsa_set_event(ev), Err(WsaError::WSA_INVALID_HANDLE));
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_INVALID_HANDLE.code());
        assert_eq!(ws.wsa_reset_event(ev), Err(WsaError::WSA_INVALID_HANDLE));
        assert_eq!(ws.wsa_close_event(ev), Err(WsaError::WSA_INVALID_HANDLE));
        assert_eq!(
            ws.wsa_close_event(WsaEvent::INVALID),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        Ok(())
    });
}
