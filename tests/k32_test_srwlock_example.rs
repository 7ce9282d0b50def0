//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_srwlock_example` (commit 79834c06,
//! lines 2564–2600, with its thread `srwlock_example_thread` 2525–2562 and globals
//! 2520–2523), facts only.
//!
//! Three threads loop for 1 s: every 13th turn (counted over all threads) takes the lock
//! exclusively, checks it is alone inside and bumps the protected value; every turn takes it
//! shared and checks the protected value does not change while it is inside. Counted in
//! `ok()` calls as Windows runs them (the thread has none):
//!
//! | part                                                   | ported | not expressible | failing |
//! |--------------------------------------------------------|-------:|----------------:|--------:|
//! | nobody is left inside after the threads end, 2594      |      1 |               0 |       0 |
//! | no exclusion error while running, 2595                 |      1 |               0 |       0 |
//! | **total**                                              |  **2** |           **0** |   **0** |
//!
//! The traces (2597–2598: accesses per thread, exclusive accesses) are not checks. The port
//! adds checks of its own that follow from the loop, so that the run cannot pass by doing
//! nothing: there were shared accesses and exclusive ones. Run under 8 seeds; virtual time.
mod common;

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering::SeqCst};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

/// The globals of 2520–2523.
struct Example {
    lock: SrwLock,
    protected_value: AtomicI32,
    errors: AtomicI32,
    inside: AtomicI32,
    cnt: AtomicI32,
    stop: AtomicBool,
}

/// sync.c `srwlock_example_thread` (2525–2562); `count` is its `*cnt`.
fn example_thread(ws: &SimWinsock, e: &Example, count: &AtomicU32) -> Result<(), WsaError> {
    while !e.stop.load(SeqCst) {
        // 2532–2546: now and then, exclusive access: alone inside.
        if (e.cnt.fetch_add(1, SeqCst) + 1) % 13 == 0 {
            ws.acquire_srw_lock_exclusive(e.lock)?;
            if e.inside.fetch_add(1, SeqCst) + 1 != 1 {
                e.errors.fetch_add(1, SeqCst);
            }
            e.protected_value.fetch_add(1, SeqCst);
            ws.sleep(1);
            if e.inside.fetch_sub(1, SeqCst) - 1 != 0 {
                e.errors.fetch_add(1, SeqCst);
            }
            ws.release_srw_lock_exclusive(e.lock)?;
        }

        // 2548–2559: shared access: the protected value does not move meanwhile.
        ws.acquire_srw_lock_shared(e.lock)?;
        e.inside.fetch_add(1, SeqCst);
        let old = e.protected_value.load(SeqCst);
        count.fetch_add(1, SeqCst);
        ws.sleep(1);
        if old != e.protected_value.load(SeqCst) {
            e.errors.fetch_add(1, SeqCst);
        }
        e.inside.fetch_sub(1, SeqCst);
        ws.release_srw_lock_shared(e.lock)?;
    }
    Ok(())
}

/// sync.c `test_srwlock_example` (2564–2600).
fn srwlock_example(ws: &SimWinsock) -> Result<(), WsaError> {
    let e = Arc::new(Example {
        lock: ws.initialize_srw_lock()?,
        protected_value: AtomicI32::new(0),
        errors: AtomicI32::new(0),
        inside: AtomicI32::new(0),
        cnt: AtomicI32::new(0),
        stop: AtomicBool::new(false),
    });

    // 2579–2583: three threads with their own counters.
    let counts: Vec<Arc<AtomicU32>> = (0..3).map(|_| Arc::new(AtomicU32::new(0))).collect();
    let mut threads = Vec::new();
    for (i, count) in counts.iter().enumerate() {
        let (e, count) = (e.clone(), count.clone());
        threads.push(
            ws.create_thread(&format!("t{}", i + 1), move |ws: &SimWinsock| {
                example_thread(ws, &e, &count)
            })?,
        );
    }

    // 2585–2592: run 1 s, stop, wait (sync.c gives each thread 1 s; the port waits for all:
    // a thread that never ends would be a deadlock report).
    ws.sleep(1000);
    e.stop.store(true, SeqCst);
    for t in threads {
        ws.wait_for_thread(t, INFINITE)?;
    }

    // 2594: nobody is inside any more.
    assert_eq!(e.inside.load(SeqCst), 0, "2594: srwlock_inside");
    // 2595: no thread saw another inside with it, or the value move under a shared hold.
    assert_eq!(e.errors.load(SeqCst), 0, "2595: srwlock_example_errors");

    // The port's own checks (see the header).
    let shared: u32 = counts.iter().map(|c| c.load(SeqCst)).sum();
    assert!(shared > 0, "no shared access in 1 s");
    assert!(
        e.protected_value.load(SeqCst) > 0,
        "no exclusive access in {shared} turns"
    );
    Ok(())
}

#[test]
fn srwlock_example_under_eight_seeds() {
    let hashes: std::collections::HashSet<u64> = (0..8)
        .map(|seed| common::run_with(Sim::builder().seed(seed), srwlock_example).trace_hash)
        .collect();
    assert!(
        hashes.len() > 1,
        "the seeds interleave the threads differently"
    );
}
