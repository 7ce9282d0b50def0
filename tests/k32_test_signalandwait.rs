//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_signalandwait` (commit 79834c06, lines
//! 114–190), facts only.
//!
//! Counted in `ok()` calls as Windows runs them, the 10,000-turn loop (142–146) once.
//!
//! | part of test_signalandwait                                          | ported | not expressible | failing |
//! |---------------------------------------------------------------------|-------:|----------------:|--------:|
//! | NULL handles: WAIT_FAILED, 121–133                                  |      4 |               0 |       0 |
//! | an event signalled and waited on, 137–158                           |      6 |               0 |       0 |
//! | semaphores: the signal fails at the maximum, no wait, 164–178       |      5 |               0 |       0 |
//! | a file handle: WAIT_FAILED, ERROR_INVALID_HANDLE, 184–188           |      0 |               2 |       0 |
//! | **total**                                                           |     15 |               2 |       0 |
//!
//! Not expressible, per kind: files (2): the API opens none (CreateFile). NULL is a handle
//! value of 0 (`WsaEvent::from_raw(0)`); WAIT_FAILED is the API's `Err`, ERROR_INVALID_HANDLE
//! being `WSA_INVALID_HANDLE`. The semaphore that cannot be released (164–178) shows the wait
//! is not made when the signal fails: the other semaphore keeps its count.
mod common;

use winsock_sim::prelude::*;

#[test]
fn signal_object_and_wait() {
    common::run(|ws| {
        let null: Handle = WsaEvent::from_raw(0).into();
        // 121–122: both NULL.
        assert!(ws.signal_object_and_wait(null, null, 0, false).is_err());
        // 124–127: an auto-reset event, unsignalled; a manual-reset one, signalled.
        let e0 = ws.create_event(false, false);
        let e1 = ws.create_event(true, true);
        assert!(e0.is_ok() && e1.is_ok(), "{e0:?} {e1:?}");
        let (e0, e1): (Handle, Handle) = (e0?.into(), e1?.into());
        // 129–133: one of them NULL.
        assert!(ws.signal_object_and_wait(e0, null, 0, false).is_err());
        assert!(ws.signal_object_and_wait(null, e0, 0, false).is_err());
        // 137–138: signal event[0], wait on the signalled event[1].
        assert_eq!(
            ws.signal_object_and_wait(e0, e1, 0, false),
            Ok(WAIT_OBJECT_0)
        );
        // 142–146: signal and wait on event[0] itself, 10,000 times.
        for _ in 0..10_000 {
            assert_eq!(
                ws.signal_object_and_wait(e0, e0, 0, false),
                Ok(WAIT_OBJECT_0)
            );
        }
        // 149–150: event[0] is not signalled.
        assert_eq!(ws.wait_for_single_object(e0, 0), Ok(WAIT_TIMEOUT));
        // 152–153: once more.
        assert_eq!(
            ws.signal_object_and_wait(e0, e0, 0, false),
            Ok(WAIT_OBJECT_0)
        );
        // 156–158: event[1] reset: the wait times out.
        let Handle::Event(ev1) = e1 else {
            unreachable!()
        };
        assert_eq!(ws.reset_event(ev1), Ok(()));
        assert_eq!(
            ws.signal_object_and_wait(e0, e1, 0, false),
            Ok(WAIT_TIMEOUT)
        );
        ws.close_handle(e0)?;
        ws.close_handle(e1)?;

        // 164–166: a semaphore at 0 of 1, one at 1 of 1.
        let s0 = ws.create_semaphore(0, 1);
        let s1 = ws.create_semaphore(1, 1);
        assert!(s0.is_ok() && s1.is_ok(), "{s0:?} {s1:?}");
        let (s0, s1) = (s0?, s1?);
        // 168–169: release semaphore[0], take semaphore[1].
        assert_eq!(
            ws.signal_object_and_wait(s0.into(), s1.into(), 0, false),
            Ok(WAIT_OBJECT_0)
        );
        // 171–172: semaphore[0] is at its maximum: the call fails.
        assert_eq!(
            ws.signal_object_and_wait(s0.into(), s1.into(), 0, false),
            Err(WsaError::ERROR_TOO_MANY_POSTS)
        );
        // 174–175: semaphore[0] is still at its maximum.
        assert!(ws.release_semaphore(s0, 1).is_err());
        // 177–178: semaphore[1] was not waited on by the failed call: it has room.
        assert_eq!(ws.release_semaphore(s1, 1), Ok(0));
        ws.close_handle(s0.into())?;
        ws.close_handle(s1.into())
    });
}

#[test]
fn the_neighbours_mutexes_timers_threads_and_apcs() {
    // Beside sync.c: a mutex is released (the caller must own it), a timer or a thread
    // cannot be signalled, and an alertable call ends with WAIT_IO_COMPLETION for an APC.
    common::run(|ws| {
        let m = ws.create_mutex(true)?;
        let ev = ws.create_event(true, false)?;
        // The caller owns the mutex: released, then the wait times out on the event.
        assert_eq!(
            ws.signal_object_and_wait(m.into(), ev.into(), 0, false),
            Ok(WAIT_TIMEOUT)
        );
        // Not the owner any more: ERROR_NOT_OWNER, and no wait.
        assert_eq!(
            ws.signal_object_and_wait(m.into(), ev.into(), 0, false),
            Err(WsaError::ERROR_NOT_OWNER)
        );
        // Only events, semaphores and mutexes can be signalled.
        let timer = ws.create_waitable_timer(true)?;
        assert_eq!(
            ws.signal_object_and_wait(timer.into(), ev.into(), 0, false),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        let me = ws.get_current_thread();
        assert_eq!(
            ws.signal_object_and_wait(me.into(), ev.into(), 0, false),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        // A bad object to wait on: nothing is signalled.
        let ev2 = ws.create_event(true, false)?;
        assert_eq!(
            ws.signal_object_and_wait(ev2.into(), WsaEvent::from_raw(0xdead_0000).into(), 0, false),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        assert_eq!(ws.wait_for_single_object(ev2.into(), 0), Ok(WAIT_TIMEOUT));
        // Alertable: a queued APC ends the wait, after the signal.
        ws.queue_user_apc(Box::new(|_| {}), me)?;
        assert_eq!(
            ws.signal_object_and_wait(ev2.into(), ev.into(), INFINITE, true),
            Ok(WAIT_IO_COMPLETION)
        );
        assert_eq!(ws.wait_for_single_object(ev2.into(), 0), Ok(WAIT_OBJECT_0));
        Ok(())
    });
}
