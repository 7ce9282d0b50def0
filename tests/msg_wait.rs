//! MsgWaitForMultipleObjectsEx: a WSAAsyncSelect loop's wait for its handles and its message
//! queue at once. New input ends the wait (index nCount); input GetMessage or PeekMessage has
//! already looked at does not, unless MWMO_INPUTAVAILABLE; the wake mask picks the kinds of
//! input; a handle signalled with input comes first.
mod common;

use std::sync::{Arc, Mutex};

use common::run;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const NONE: &[Handle] = &[];

#[test]
fn a_message_peeked_but_left_does_not_end_the_next_wait() {
    // The trap of a loop that peeks without removing: the message is still queued, but not
    // new, so MsgWaitForMultipleObjects waits for the next one (posted here at 50 ms);
    // MWMO_INPUTAVAILABLE returns at once.
    run(|ws| {
        let w = ws.create_window(None)?;
        let start = ws.get_tick_count();
        ws.post_message(w, WM_USER, 1, 0)?;
        assert!(ws.peek_message(w, PM_NOREMOVE)?.is_some());
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(NONE, 0, QS_ALLINPUT, MWMO_INPUTAVAILABLE)?,
            WAIT_OBJECT_0
        );
        ws.create_thread("poster", move |ws| {
            ws.sleep(50);
            ws.post_message(w, WM_USER, 2, 0)
        })?;
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(NONE, INFINITE, QS_ALLINPUT, 0)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ws.get_tick_count() - start, 50);
        // A return for input leaves it new: the next wait returns too.
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(NONE, 0, QS_ALLINPUT, 0)?,
            WAIT_OBJECT_0
        );
        assert_eq!(ws.get_message(w)?.map(|m| m.wparam), Some(1));
        assert_eq!(ws.get_message(w)?.map(|m| m.wparam), Some(2));
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(NONE, 0, QS_ALLINPUT, 0)?,
            WAIT_TIMEOUT
        );
        ws.destroy_window(w)
    });
}

#[test]
fn handles_and_the_queue_in_one_wait() {
    // An event set at 30 ms returns index 0; a message posted at 50 ms returns index 1
    // (nCount); both at once: the handle.
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    run(move |ws| {
        let w = ws.create_window(None)?;
        let ev = ws.create_event(false, false)?;
        let start = ws.get_tick_count();
        ws.create_thread("setter", move |ws: &SimWinsock| {
            ws.sleep(30);
            ws.set_event(ev)?;
            ws.sleep(20);
            ws.post_message(w, WM_USER, 0, 0)
        })?;
        let hs = [Handle::Event(ev)];
        for _ in 0..2 {
            let r = ws.msg_wait_for_multiple_objects_ex(&hs, INFINITE, QS_ALLINPUT, 0)?;
            log.lock().unwrap().push((r, ws.get_tick_count() - start));
        }
        ws.set_event(ev)?;
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(&hs, 0, QS_ALLINPUT, 0)?,
            WAIT_OBJECT_0,
            "the handle before the queue"
        );
        ws.destroy_window(w)
    });
    assert_eq!(*seen.lock().unwrap(), vec![(0, 30), (1, 50)]);
}

#[test]
fn the_wake_mask_picks_the_kinds_of_input() {
    // A due WM_TIMER wakes QS_TIMER (and QS_ALLINPUT), not QS_POSTMESSAGE; a posted message
    // the reverse (once a PeekMessage has made the timer's input seen).
    run(|ws| {
        let w = ws.create_window(None)?;
        let start = ws.get_tick_count();
        ws.set_timer(w, 1, 40)?;
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(NONE, 100, QS_POSTMESSAGE, 0)?,
            WAIT_TIMEOUT
        );
        assert_eq!(ws.get_tick_count() - start, 100);
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(NONE, 0, QS_TIMER, 0)?,
            WAIT_OBJECT_0
        );
        assert_eq!(
            ws.peek_message(w, PM_REMOVE)?.map(|m| m.message),
            Some(WM_TIMER)
        );
        ws.kill_timer(w, 1)?;
        ws.post_message(w, WM_USER, 0, 0)?;
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(NONE, 0, QS_TIMER, 0)?,
            WAIT_TIMEOUT
        );
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(NONE, 0, QS_POSTMESSAGE, 0)?,
            WAIT_OBJECT_0
        );
        ws.destroy_window(w)
    });
}

#[test]
fn alertable_waits_and_bad_arguments() {
    // MWMO_ALERTABLE runs a queued APC and returns WAIT_IO_COMPLETION; 64 handles (the queue
    // takes the 64th slot) ERROR_INVALID_PARAMETER; a closed handle ERROR_INVALID_HANDLE.
    run(|ws| {
        ws.queue_user_apc(Box::new(|_ws: &SimWinsock| {}), ws.thread_id())?;
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(NONE, INFINITE, QS_ALLINPUT, MWMO_ALERTABLE)?,
            WAIT_IO_COMPLETION
        );
        let ev = ws.create_event(true, true)?;
        let many = vec![Handle::Event(ev); 64];
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(&many, 0, QS_ALLINPUT, 0),
            Err(WsaError::WSA_INVALID_PARAMETER)
        );
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(&many[..63], 0, QS_ALLINPUT, 0)?,
            WAIT_OBJECT_0
        );
        ws.close_handle(ev.into())?;
        assert_eq!(
            ws.msg_wait_for_multiple_objects_ex(&[Handle::Event(ev)], 0, QS_ALLINPUT, 0),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        Ok(())
    });
}
