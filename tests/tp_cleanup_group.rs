//! Cleanup groups on the simulator: what a pool-based server's shutdown looks like in virtual
//! time (a release waiting for a member's receive, or for the aborted receive's callback after
//! closesocket), a cancelling release of many queued runs replayed under one seed, and the
//! classic bug the simulator explains (a member's callback releasing its own group). The
//! behaviour Windows shares is in rules TPG-* (tests/conformance_suite/tp_cleanup_group.rs).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::{pair, run};
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, SimWinsock};

/// What an I/O member's callback saw: (tick, error, bytes).
type IoLog = Arc<Mutex<Vec<(u32, Option<WsaError>, usize)>>>;

/// An I/O object for `s` in `env`'s group, logging into `log`, with one receive started.
fn receiving_member(
    ws: &SimWinsock,
    s: Socket,
    env: &CallbackEnviron<SimWinsock>,
    log: &IoLog,
) -> Result<TpIo, WsaError> {
    let log = log.clone();
    let cb: TpIoCallback<SimWinsock> = Arc::new(move |ws, _, _, c| {
        let entry = (ws.get_tick_count(), c.error, c.bytes);
        log.lock().unwrap().push(entry);
    });
    let io = ws.create_threadpool_io_in(s, cb, env)?;
    ws.start_threadpool_io(io)?;
    let r = ws.wsa_recv_overlapped(s, vec![vec![0; 16]], 0, Overlapped::new(1), None);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    Ok(io)
}

/// A release without cancelling waits for an I/O member's outstanding receive (data sent
/// 100 ms later by another thread); after closesocket it waits for the ended receive's
/// callback (ERROR_CONNECTION_ABORTED). Either way the callback has run when the release returns.
#[test]
fn a_release_waits_for_an_io_members_completion() {
    let report = run(|ws| {
        let group = ws.create_threadpool_cleanup_group()?;
        let mut env = CallbackEnviron::new();
        env.set_cleanup_group(group, None);
        let (client, server) = pair(ws)?;
        let log: IoLog = Arc::default();
        receiving_member(ws, server, &env, &log)?;
        let start = ws.get_tick_count();
        ws.create_thread("late sender", move |ws: &SimWinsock| {
            ws.sleep(100);
            ws.send(client, b"late", 0).map(drop)
        })?;
        ws.close_threadpool_cleanup_group_members(group, false, 0)?;
        let waited = ws.get_tick_count() - start;
        assert!(waited >= 100, "returned after {waited} ms");
        assert_eq!(
            log.lock().unwrap().last().map(|e| (e.1, e.2)),
            Some((None, 4))
        );

        // The documented shutdown: close the socket, then release the members.
        let (c2, s2) = pair(ws)?;
        let log2: IoLog = Arc::default();
        receiving_member(ws, s2, &env, &log2)?;
        ws.closesocket(s2)?;
        ws.close_threadpool_cleanup_group_members(group, false, 0)?;
        let seen = log2.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{seen:?}");
        // As a completion port reports a receive its socket's close ended (sock.c
        // test_completion_port).
        assert_eq!(seen[0].1, Some(WsaError::ERROR_CONNECTION_ABORTED));
        ws.close_threadpool_cleanup_group(group)?;
        ws.closesocket(c2)?;
        ws.closesocket(client)
    });
    assert!(report.misuses.is_empty(), "{:?}", report.misuses);
}

/// A cancelling release gives up an I/O member's outstanding start: it returns at once, the
/// cancel callback names the member, and the data that arrives later runs no callback.
#[test]
fn a_cancelling_release_gives_up_an_io_members_start() {
    run(|ws| {
        let group = ws.create_threadpool_cleanup_group()?;
        let named = Arc::new(Mutex::new(Vec::new()));
        let n = named.clone();
        let cancel: CleanupCancelCallback<SimWinsock> = Arc::new(move |_, m, context| {
            n.lock().unwrap().push((m, context));
        });
        let mut env = CallbackEnviron::new();
        env.set_cleanup_group(group, Some(cancel));
        let (client, server) = pair(ws)?;
        let log: IoLog = Arc::default();
        let io = receiving_member(ws, server, &env, &log)?;
        let start = ws.get_tick_count();
        ws.close_threadpool_cleanup_group_members(group, true, 42)?;
        assert_eq!(ws.get_tick_count(), start, "no wait");
        assert_eq!(*named.lock().unwrap(), vec![(TpMember::Io(io), 42)]);
        ws.send(client, b"late", 0)?;
        ws.sleep(100);
        assert!(log.lock().unwrap().is_empty(), "no callback");
        assert_eq!(
            ws.start_threadpool_io(io),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        ws.close_threadpool_cleanup_group(group)?;
        ws.closesocket(client)?;
        ws.closesocket(server)
    });
}

/// Ten submissions of a work object, then a cancelling release: the runs not started are
/// dropped, the cancel callback comes once, and nothing runs after the release. The same
/// seed gives the same count and the same trace.
#[test]
fn a_cancelling_release_drops_queued_runs_and_replays() {
    let once = || {
        let ran = Arc::new(AtomicU32::new(0));
        let cancels = Arc::new(AtomicU32::new(0));
        let (r, k) = (ran.clone(), cancels.clone());
        let report = run(move |ws| {
            let group = ws.create_threadpool_cleanup_group()?;
            let cancel: CleanupCancelCallback<SimWinsock> = Arc::new(move |_, _, _| {
                k.fetch_add(1, Ordering::SeqCst);
            });
            let mut env = CallbackEnviron::new();
            env.set_cleanup_group(group, Some(cancel));
            let r2 = r.clone();
            let work: WorkCallback<SimWinsock> = Arc::new(move |ws, _, _| {
                ws.sleep(100);
                r2.fetch_add(1, Ordering::SeqCst);
            });
            let w = ws.create_threadpool_work_in(work, &env)?;
            for _ in 0..10 {
                ws.submit_threadpool_work(w)?;
            }
            ws.close_threadpool_cleanup_group_members(group, true, 0)?;
            let after = r.load(Ordering::SeqCst);
            ws.sleep(500);
            assert_eq!(r.load(Ordering::SeqCst), after, "a run after the release");
            ws.close_threadpool_cleanup_group(group)
        });
        let ran = ran.load(Ordering::SeqCst);
        assert!(ran <= 10);
        assert_eq!(cancels.load(Ordering::SeqCst), 1, "one cancel callback");
        (ran, report.trace_hash)
    };
    assert_eq!(once(), once());
}

/// The bug: a member's callback releases its own group (a shutdown started from a timer, say).
/// The release waits for the callback that called it, for ever; the run ends in a deadlock
/// whose report names the misuse and the wait.
#[test]
fn a_callback_releasing_its_own_group_is_explained() {
    let mut sim = Sim::builder().seed(5).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", |ws| {
        let group = ws.create_threadpool_cleanup_group()?;
        let mut env = CallbackEnviron::new();
        env.set_cleanup_group(group, None);
        let shut_down: WorkCallback<SimWinsock> = Arc::new(move |ws, _, _| {
            let _ = ws.close_threadpool_cleanup_group_members(group, false, 0);
        });
        let w = ws.create_threadpool_work_in(shut_down, &env)?;
        ws.submit_threadpool_work(w)?;
        ws.sleep(10);
        ws.wait_for_threadpool_work_callbacks(w, false)
    });
    let err = sim.run().expect_err("a deadlock");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    let text = err.to_string();
    assert!(
        text.contains("misuses of the API")
            && text.contains("CloseThreadpoolCleanupGroupMembers of cleanup group")
            && text.contains("called from a callback of its member")
            && text.contains("\"thread-pool worker\""),
        "{text}"
    );
    assert!(
        text.contains("the callbacks of thread-pool work object"),
        "{text}"
    );
}
