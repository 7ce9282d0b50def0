//! GetOverlappedResultEx: GetOverlappedResult with a timeout and an alertable wait. A pending
//! receive gives ERROR_IO_INCOMPLETE at once with a timeout of 0, WAIT_TIMEOUT when the time
//! runs out, WAIT_IO_COMPLETION when an APC or a completion routine runs during an
//! alertable wait (queued before the call or during it), and the result as soon as the
//! receive completes; a finished operation comes back without waiting and without running
//! APCs, its error in Win32 form. The last error follows each outcome, whatever the APC did.
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// A pending overlapped receive of 8 bytes on `s`, signalling a new event.
fn pending_recv(ws: &SimWinsock, s: Socket, id: u64) -> Result<Overlapped, WsaError> {
    let ov = Overlapped::with_event(id, ws.wsa_create_event()?);
    assert_eq!(
        ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
        Err(WsaError::WSA_IO_PENDING)
    );
    Ok(ov)
}

#[test]
fn timeouts_apcs_and_the_result() {
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ov = pending_recv(ws, s, 1)?;

        // Timeout 0: ERROR_IO_INCOMPLETE at once.
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.get_overlapped_result_ex(s, &ov, 0, false),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        assert_eq!(ws.wsa_get_last_error(), 996);
        // 100 ms: WAIT_TIMEOUT after exactly that.
        assert_eq!(
            ws.get_overlapped_result_ex(s, &ov, 100, true),
            Err(WsaError::WAIT_TIMEOUT)
        );
        assert_eq!(ws.get_tick_count() - t0, 100);
        assert_eq!(ws.wsa_get_last_error(), 258);

        // An APC queued before an alertable wait runs at once: WAIT_IO_COMPLETION, and the
        // last error is the call's, not that of the APC's own failing call.
        let ran = Arc::new(AtomicU32::new(0));
        let r = ran.clone();
        ws.queue_user_apc(
            Box::new(move |ws: &SimWinsock| {
                r.fetch_add(1, Ordering::SeqCst);
                let _ = ws.closesocket(Socket::from_raw(0xdead));
            }),
            ws.get_current_thread(),
        )?;
        // Not alertable: the APC stays queued and the wait times out.
        assert_eq!(
            ws.get_overlapped_result_ex(s, &ov, 50, false),
            Err(WsaError::WAIT_TIMEOUT)
        );
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        assert_eq!(
            ws.get_overlapped_result_ex(s, &ov, INFINITE, true),
            Err(WsaError::WAIT_IO_COMPLETION)
        );
        assert_eq!(ran.load(Ordering::SeqCst), 1);
        assert_eq!(ws.wsa_get_last_error(), 192);

        // An APC queued by another thread during the wait ends it too.
        let me = ws.get_current_thread();
        let r = ran.clone();
        let queuer = ws.create_thread("queuer", move |ws| {
            ws.sleep(20);
            let r = r.clone();
            ws.queue_user_apc(
                Box::new(move |_: &SimWinsock| {
                    r.fetch_add(1, Ordering::SeqCst);
                }),
                me,
            )
        })?;
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.get_overlapped_result_ex(s, &ov, 5_000, true),
            Err(WsaError::WAIT_IO_COMPLETION)
        );
        assert_eq!(
            (ran.load(Ordering::SeqCst), ws.get_tick_count() - t0),
            (2, 20)
        );
        ws.wait_for_thread(queuer, INFINITE)?;

        // Data 30 ms later: the wait returns with it then.
        let sender = ws.create_thread("sender", move |ws| {
            ws.sleep(30);
            ws.send(c, b"ping", 0).map(drop)
        })?;
        let t0 = ws.get_tick_count();
        let done = ws.get_overlapped_result_ex(s, &ov, 1_000, true)?;
        assert_eq!((done.error, done.bytes), (None, 4));
        assert_eq!(&done.bufs[0][..4], b"ping");
        assert_eq!(ws.get_tick_count() - t0, 30);
        ws.wait_for_thread(sender, INFINITE)?;

        // Finished: at once, again, and a queued APC does not run.
        let r = ran.clone();
        ws.queue_user_apc(
            Box::new(move |_: &SimWinsock| {
                r.fetch_add(1, Ordering::SeqCst);
            }),
            ws.get_current_thread(),
        )?;
        let again = ws.get_overlapped_result_ex(s, &ov, INFINITE, true)?;
        assert_eq!((again.error, again.bytes), (None, 4));
        assert_eq!(ran.load(Ordering::SeqCst), 2);
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(ran.load(Ordering::SeqCst), 3);

        // A receive that fails: its error in Win32 form (the peer's reset).
        let ov2 = pending_recv(ws, s, 2)?;
        common::rst_close(ws, c)?;
        let failed = ws.get_overlapped_result_ex(s, &ov2, 1_000, false)?;
        assert_eq!(failed.error, Some(WsaError::ERROR_NETNAME_DELETED));
        assert_eq!(
            ws.wsa_get_last_error(),
            WsaError::ERROR_NETNAME_DELETED.code()
        );
        ws.closesocket(s)
    });
}

#[test]
fn a_completion_routine_ends_an_alertable_wait_on_another_operation() {
    // Proves: waiting alertably on one receive, the completion routine of another operation
    // of the thread (a receive on a second connection, which data completes) runs and ends
    // the wait with WAIT_IO_COMPLETION; the first receive is still pending.
    common::run(|ws| {
        let (c1, s1) = common::pair(ws)?;
        let (c2, s2) = common::pair(ws)?;
        let ov = pending_recv(ws, s1, 1)?;
        let routed = Arc::new(AtomicU32::new(0));
        let r = routed.clone();
        assert_eq!(
            ws.wsa_recv_overlapped(
                s2,
                vec![vec![0; 8]],
                0,
                Overlapped::new(2),
                Some(Box::new(move |_: &SimWinsock, done: IoCompletion| {
                    r.store(done.bytes as u32, Ordering::SeqCst);
                })),
            ),
            Err(WsaError::WSA_IO_PENDING)
        );
        let sender = ws.create_thread("sender", move |ws| {
            ws.sleep(10);
            ws.send(c2, b"abc", 0).map(drop)
        })?;
        assert_eq!(
            ws.get_overlapped_result_ex(s1, &ov, INFINITE, true),
            Err(WsaError::WAIT_IO_COMPLETION)
        );
        assert_eq!(routed.load(Ordering::SeqCst), 3);
        assert_eq!(
            ws.get_overlapped_result_ex(s1, &ov, 0, true),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        ws.wait_for_thread(sender, INFINITE)?;
        for s in [c1, s1, c2, s2] {
            ws.closesocket(s)?;
        }
        Ok(())
    });
}
