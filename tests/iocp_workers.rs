//! I/O completion ports' scheduling of worker threads (the API contract of `api::iocp`, as
//! Windows does it): at most NumberOfConcurrentThreads released workers run, a worker blocking
//! elsewhere lets another one go, waiters are released last-in first-out, concurrency 0 means
//! the number of CPUs, and a worker's exit frees its slot. The CP-* rules are in `iocp.rs`.
mod common;

use common::overlapped::{builder, run};

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// Virtual time between starting workers, so each is blocked in GQCS before the next starts.
const STAGGER_MS: u32 = 10;

/// What the workers saw: (worker index, packet key, tick when dequeued), and how many were
/// inside a handler at once.
#[derive(Default)]
struct Log {
    taken: Mutex<Vec<(usize, usize, u32)>>,
    inside: AtomicUsize,
    max_inside: AtomicUsize,
    go: AtomicBool,
}

impl Log {
    /// `(worker, completion key)` of every packet taken, in order.
    fn worker_and_key(&self) -> Vec<(usize, usize)> {
        self.taken
            .lock()
            .unwrap()
            .iter()
            .map(|t| (t.0, t.1))
            .collect()
    }
}

/// How a worker handles a packet before calling GQCS again.
#[derive(Clone, Copy)]
enum Handler {
    /// Non-blocking work only.
    Compute,
    /// Blocks in Sleep(10).
    Sleep,
    /// Spins (Sleep(0), which does not wait) until `Log::go`.
    SpinUntilGo,
    /// Takes one packet and exits.
    OneShot,
}

/// A worker: GQCS(INFINITE) in a loop until the port is closed.
fn worker(ws: &SimWinsock, port: CompletionPort, idx: usize, log: &Log, h: Handler) {
    loop {
        let p = match ws.get_queued_completion_status(port, INFINITE) {
            Ok(p) => p,
            Err(WsaError::ERROR_ABANDONED_WAIT_0) => return,
            Err(e) => panic!("worker {idx}: GQCS failed: {e:?}"),
        };
        let n = log.inside.fetch_add(1, Ordering::SeqCst) + 1;
        log.max_inside.fetch_max(n, Ordering::SeqCst);
        let tick = ws.get_tick_count();
        log.taken.lock().unwrap().push((idx, p.key, tick));
        match h {
            Handler::Compute | Handler::OneShot => {}
            Handler::Sleep => ws.sleep(10),
            Handler::SpinUntilGo => {
                while !log.go.load(Ordering::SeqCst) {
                    ws.sleep(0);
                }
            }
        }
        log.inside.fetch_sub(1, Ordering::SeqCst);
        if matches!(h, Handler::OneShot) {
            return;
        }
    }
}

/// Starts `n` workers, each blocked in GQCS before the next starts (worker n-1 blocked last).
fn start_workers(
    ws: &SimWinsock,
    port: CompletionPort,
    n: usize,
    log: &Arc<Log>,
    h: Handler,
) -> Result<Vec<ThreadId>, WsaError> {
    let mut ts = Vec::new();
    for idx in 0..n {
        let log = log.clone();
        ts.push(ws.create_thread("worker", move |ws| {
            worker(ws, port, idx, &log, h);
            Ok(())
        })?);
        ws.sleep(STAGGER_MS);
    }
    Ok(ts)
}

fn join(ws: &SimWinsock, ts: Vec<ThreadId>) -> Result<(), WsaError> {
    for t in ts {
        ws.wait_for_thread(t, INFINITE)?;
    }
    Ok(())
}

/// Concurrency 1, three workers doing only non-blocking work (worker 2 blocked last), three
/// packets posted back to back; returns (worker, key) per packet and the most handlers seen
/// running at once. Run under `seed`.
fn nonblocking_workers(seed: u64) -> (Vec<(usize, usize)>, usize) {
    let out = Arc::new(Mutex::new((Vec::new(), 0)));
    let o = out.clone();
    common::run_with(builder().seed(seed), move |ws| {
        let port = ws.create_io_completion_port(1)?;
        let log = Arc::new(Log::default());
        let ts = start_workers(ws, port, 3, &log, Handler::Compute)?;
        for k in 1..=3 {
            ws.post_queued_completion_status(port, 0, k, None)?;
        }
        ws.sleep(100);
        let taken = log.worker_and_key();
        *o.lock().unwrap() = (taken, log.max_inside.load(Ordering::SeqCst));
        ws.close_completion_port(port)?;
        join(ws, ts)
    });
    let r = out.lock().unwrap().clone();
    r
}

/// Seeds the scheduling tests below run under (interleavings differ per seed).
fn seeds() -> impl Iterator<Item = u64> {
    let base = common::seed();
    (0..16).map(move |i| base.wrapping_add(i * 0x9E37_79B9))
}

#[test]
fn cp_concurrency_one_runs_one_handler_at_a_time() {
    // Proves: with NumberOfConcurrentThreads 1 and three waiting workers doing non-blocking
    // work, never more than one handler runs at once, and the packets are taken in order.
    for seed in seeds() {
        let (taken, max_inside) = nonblocking_workers(seed);
        assert_eq!(
            taken.iter().map(|t| t.1).collect::<Vec<_>>(),
            vec![1, 2, 3],
            "seed {seed}: packets dequeued in order"
        );
        assert_eq!(max_inside, 1, "seed {seed}: one handler at a time");
    }
}

#[test]
fn cp_concurrency_one_nonblocking_worker_takes_all() {
    // Proves: with NumberOfConcurrentThreads 1, the released worker (the last to block, LIFO)
    // keeps the others waiting while it does non-blocking work: it takes all 3 packets.
    for seed in seeds() {
        let (taken, _) = nonblocking_workers(seed);
        assert_eq!(
            taken,
            vec![(2, 1), (2, 2), (2, 3)],
            "seed {seed}: one worker takes every packet"
        );
    }
}

#[test]
fn cp_concurrency_one_blocking_worker_releases_another() {
    // Proves: with NumberOfConcurrentThreads 1, a released worker that blocks (Sleep) lets
    // another waiter take the next packet: 3 packets go to 3 different workers at once.
    run(|ws| {
        let port = ws.create_io_completion_port(1)?;
        let log = Arc::new(Log::default());
        let ts = start_workers(ws, port, 3, &log, Handler::Sleep)?;
        let t0 = ws.get_tick_count();
        for k in 1..=3 {
            ws.post_queued_completion_status(port, 0, k, None)?;
        }
        ws.sleep(100);
        let taken = log.taken.lock().unwrap().clone();
        let mut who: Vec<usize> = taken.iter().map(|t| t.0).collect();
        who.sort_unstable();
        assert_eq!(who, vec![0, 1, 2], "three workers: {taken:?}");
        assert!(
            taken.iter().all(|t| t.2 == t0),
            "all dequeued before the first sleeper woke: {taken:?}"
        );
        assert_eq!(log.max_inside.load(Ordering::SeqCst), 3);
        ws.close_completion_port(port)?;
        join(ws, ts)
    });
}

#[test]
fn cp_waiters_released_lifo() {
    // Proves: the most recently blocked waiter gets the next packet (LIFO): workers blocked in
    // the order 0, 1, 2 take packets 1, 2, 3 as 2, 1, 0.
    run(|ws| {
        let port = ws.create_io_completion_port(3)?;
        let log = Arc::new(Log::default());
        let ts = start_workers(ws, port, 3, &log, Handler::OneShot)?;
        for k in 1..=3 {
            ws.post_queued_completion_status(port, 0, k, None)?;
            ws.sleep(STAGGER_MS);
        }
        let taken = log.worker_and_key();
        assert_eq!(taken, vec![(2, 1), (1, 2), (0, 3)]);
        join(ws, ts)
    });
}

#[test]
fn cp_waiters_released_lifo_same_worker_again() {
    // Proves: a worker that comes back to GQCS is the most recent waiter, so with packets
    // posted one at a time it gets each of them (the last worker to block, LIFO).
    run(|ws| {
        let port = ws.create_io_completion_port(3)?;
        let log = Arc::new(Log::default());
        let ts = start_workers(ws, port, 3, &log, Handler::Compute)?;
        for k in 1..=3 {
            ws.post_queued_completion_status(port, 0, k, None)?;
            ws.sleep(STAGGER_MS);
        }
        let taken = log.worker_and_key();
        assert_eq!(taken, vec![(2, 1), (2, 2), (2, 3)]);
        ws.close_completion_port(port)?;
        join(ws, ts)
    });
}

/// Port with `concurrency` on a sim of `cpus` CPUs, 4 spinning workers, 5 packets: returns how
/// many were taken while the first handlers still spin.
fn released_at_once(cpus: u32, concurrency: u32, expect: usize) {
    common::run_with(builder().cpus(cpus), move |ws| {
        let port = ws.create_io_completion_port(concurrency)?;
        let log = Arc::new(Log::default());
        let ts = start_workers(ws, port, 4, &log, Handler::SpinUntilGo)?;
        for k in 1..=5 {
            ws.post_queued_completion_status(port, 0, k, None)?;
        }
        ws.sleep(50);
        assert_eq!(
            log.taken.lock().unwrap().len(),
            expect,
            "workers released at once (cpus {cpus}, concurrency {concurrency})"
        );
        assert_eq!(log.max_inside.load(Ordering::SeqCst), expect);
        log.go.store(true, Ordering::SeqCst);
        ws.sleep(50);
        assert_eq!(log.taken.lock().unwrap().len(), 5, "all packets handled");
        ws.close_completion_port(port)?;
        join(ws, ts)
    });
}

#[test]
fn cp_concurrency_zero_means_cpu_count() {
    // Proves: NumberOfConcurrentThreads 0 allows as many running workers as CPUs (3 of 4
    // waiting workers released on a 3-CPU sim, the 4th stays blocked).
    released_at_once(3, 0, 3);
}

#[test]
fn cp_concurrency_explicit_value_caps_workers() {
    // Proves: an explicit NumberOfConcurrentThreads (2) caps the running workers whatever the
    // CPU count (3).
    released_at_once(3, 2, 2);
}

#[test]
fn cp_worker_exit_releases_concurrency_slot() {
    // Proves: a worker's association with the port ends when it exits, so with concurrency 1
    // the next packet releases another waiter.
    run(|ws| {
        let port = ws.create_io_completion_port(1)?;
        let log = Arc::new(Log::default());
        let ts = start_workers(ws, port, 2, &log, Handler::OneShot)?;
        ws.post_queued_completion_status(port, 0, 1, None)?;
        ws.wait_for_thread(ts[1], 1000)?;
        ws.post_queued_completion_status(port, 0, 2, None)?;
        ws.sleep(100);
        let taken = log.worker_and_key();
        ws.close_completion_port(port)?;
        assert_eq!(taken, vec![(1, 1), (0, 2)]);
        join(ws, ts)
    });
}
