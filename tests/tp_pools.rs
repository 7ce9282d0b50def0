//! Private thread pools on the simulator: the starvation a pool of one thread shows at once
//! (a callback waiting for another queued on its own full pool), explained in the deadlock's
//! report, and a pool's schedule replayed under one seed. The behaviour Windows shares is in
//! rules TPP-* (tests/conformance_suite/tp_pool.rs).
mod common;

use std::sync::{Arc, Mutex};

use common::replays_alike;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, SimWinsock};

/// The bug: a callback of a one-thread pool submits a second work object to the same pool and
/// waits for its callbacks. The second can never start; the run ends in a deadlock whose
/// report says why.
#[test]
fn a_callback_waiting_on_its_own_full_pool_is_explained() {
    let mut sim = Sim::builder().seed(11).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", |ws| {
        let pool = ws.create_threadpool()?;
        ws.set_threadpool_thread_maximum(pool, 1)?;
        let mut env = CallbackEnviron::new();
        env.set_pool(pool);
        let inner: WorkCallback<SimWinsock> = Arc::new(|_, _, _| {});
        let second = ws.create_threadpool_work_in(inner, &env)?;
        let outer: WorkCallback<SimWinsock> = Arc::new(move |ws, _, _| {
            let _ = ws.submit_threadpool_work(second);
            let _ = ws.wait_for_threadpool_work_callbacks(second, false);
        });
        let first = ws.create_threadpool_work_in(outer, &env)?;
        ws.submit_threadpool_work(first)?;
        ws.sleep(10);
        ws.wait_for_threadpool_work_callbacks(first, false)
    });
    let err = sim.run().expect_err("a deadlock");
    assert_eq!(err.kind, SimErrorKind::Deadlock);
    let text = err.to_string();
    assert!(
        text.contains("1 queued, 1 running") || text.contains("1 queued, 0 running"),
        "{text}"
    );
    assert!(
        text.contains("its pool's 1 thread(s), the most it may have, are all busy"),
        "{text}"
    );
    assert!(text.contains("thread-pool worker (pool 1)"), "{text}");
}

/// Eight submissions to a pool of two threads: never more than two callbacks at once, the
/// same order and times under the same seed.
#[test]
fn a_private_pool_schedule_replays() {
    let log = replays_alike(21, 3, |n, log, ws| {
        let pool = ws.create_threadpool()?;
        ws.set_threadpool_thread_maximum(pool, 2)?;
        let mut env = CallbackEnviron::new();
        env.set_pool(pool);
        let running = Arc::new(Mutex::new(0u32));
        let (l, r) = (log.clone(), running.clone());
        let cb: WorkCallback<SimWinsock> = Arc::new(move |ws, _, _| {
            let now = {
                let mut r = r.lock().unwrap();
                *r += 1;
                *r
            };
            assert!(now <= 2, "{now} callbacks of a two-thread pool at once");
            let entry = (n, ws.get_current_thread_id(), ws.get_tick_count());
            l.lock().unwrap().push(entry);
            ws.sleep(5 + n);
            *r.lock().unwrap() -= 1;
        });
        let w = ws.create_threadpool_work_in(cb, &env)?;
        for _ in 0..8 {
            ws.submit_threadpool_work(w)?;
        }
        ws.wait_for_threadpool_work_callbacks(w, false)?;
        ws.close_threadpool_work(w)?;
        ws.close_threadpool(pool)
    });
    assert_eq!(log.len(), 24, "{log:?}");
}
