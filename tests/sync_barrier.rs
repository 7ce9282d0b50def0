//! Synchronization barriers in the simulator, beyond the shared rules (`conformance_suite/
//! sync_barrier.rs`): a game server's tick (workers meeting at a barrier every frame, one
//! TRUE a frame, the same run under the same seed), a phase that can never complete (a
//! deadlock whose report names the barrier and its count), and an unknown flag (refused and
//! named among the run's misuses, where Windows raises an exception).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use common::run;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind};

/// Four workers meet at a barrier of four, `frames` times; the log holds (frame, TRUE?).
fn tick(ws: &winsock_sim::sim::SimWinsock, frames: u32) -> Result<Vec<(u32, bool)>, WsaError> {
    let barrier = ws.initialize_synchronization_barrier(4, -1)?;
    let log: Arc<Mutex<Vec<(u32, bool)>>> = Arc::default();
    let mut workers = Vec::new();
    for w in 0..4u32 {
        let log = log.clone();
        workers.push(Handle::from(ws.create_thread("worker", move |ws| {
            for frame in 0..frames {
                // Uneven work each frame.
                ws.sleep((w * 7 + frame * 3) % 11);
                let last = ws.enter_synchronization_barrier(barrier, 0)?;
                log.lock().unwrap().push((frame, last));
            }
            Ok(())
        })?));
    }
    ws.wait_for_multiple_objects(&workers, true, INFINITE)?;
    ws.delete_synchronization_barrier(barrier)?;
    let v = log.lock().unwrap().clone();
    Ok(v)
}

#[test]
fn a_tick_loop_meets_every_frame_with_one_last_thread() {
    // Proves: four workers with uneven work meet five times; each frame's four passes come
    // before any pass of the next frame, and exactly one of each frame's calls returns TRUE.
    run(|ws| {
        let log = tick(ws, 5)?;
        assert_eq!(log.len(), 20);
        for (i, &(frame, _)) in log.iter().enumerate() {
            assert_eq!(frame, i as u32 / 4, "frames pass in order: {log:?}");
        }
        for frame in 0..5 {
            let lasts = log.iter().filter(|&&(f, last)| f == frame && last).count();
            assert_eq!(lasts, 1, "frame {frame}: {log:?}");
        }
        Ok(())
    });
}

#[test]
fn a_tick_loop_replays_under_the_same_seed() {
    // Proves: which worker is each frame's last depends on the seed only.
    let once = || {
        let out = Arc::new(Mutex::new(Vec::new()));
        let o = out.clone();
        let mut sim = Sim::builder().seed(common::seed()).build();
        sim.host("host", "192.0.2.1").spawn("main", move |ws| {
            *o.lock().unwrap() = tick(ws, 3)?;
            Ok(())
        });
        let hash = sim.run().expect("the run succeeds").trace_hash;
        let log = out.lock().unwrap().clone();
        (hash, log)
    };
    assert_eq!(once(), once());
}

#[test]
fn a_phase_that_cannot_complete_is_named_in_the_deadlock_report() {
    // Proves: two threads at a barrier of three wait for ever; the run ends as a deadlock
    // whose report names the barrier and how many of its threads have entered.
    let mut sim = Sim::builder().seed(common::seed()).build();
    sim.host("host", "192.0.2.1").spawn("main", |ws| {
        let barrier = ws.initialize_synchronization_barrier(3, -1)?;
        let other = ws.create_thread("second", move |ws| {
            ws.enter_synchronization_barrier(barrier, 0).map(drop)
        })?;
        ws.enter_synchronization_barrier(barrier, 0)?;
        ws.wait_for_thread(other, INFINITE)
    });
    let err = sim.run().expect_err("the third never comes");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    let text = err.to_string();
    assert!(text.contains("synchronization barrier"), "{text}");
    assert!(text.contains("2 of 3 threads entered"), "{text}");
}

#[test]
fn an_unknown_flag_is_refused_and_named() {
    // Proves: EnterSynchronizationBarrier with a flag outside the three is refused with
    // ERROR_INVALID_PARAMETER, the barrier untouched (a later entry passes as the only
    // thread of a barrier of one), and the call is named in the report's misuses: Windows
    // raises STATUS_INVALID_PARAMETER there.
    let passed = Arc::new(AtomicU32::new(0));
    let p = passed.clone();
    let report = run(move |ws| {
        let barrier = ws.initialize_synchronization_barrier(1, -1)?;
        let r = ws.enter_synchronization_barrier(barrier, 0x10);
        assert_eq!(r, Err(WsaError::WSA_INVALID_PARAMETER));
        if ws.enter_synchronization_barrier(barrier, 0)? {
            p.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    });
    assert_eq!(passed.load(Ordering::SeqCst), 1);
    assert!(
        report
            .misuses
            .iter()
            .any(|m| m.contains("EnterSynchronizationBarrier")
                && m.contains("STATUS_INVALID_PARAMETER")),
        "{:?}",
        report.misuses
    );
}
