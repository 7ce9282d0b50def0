//! The end of a run: threads still blocked when the last counted thread finishes (daemons: a
//! server's accept loop, its per-connection threads waiting for the client's FIN) are
//! unwound, so what their stacks hold is dropped, and nothing else of theirs runs; their
//! stacks then serve the next run on the same OS thread.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock, ThreadOutcome};

const PORT: u16 = 7100;

/// Counts its drops; records, through `on_drop`, what a call made from its destructor gets.
struct Guard<'a> {
    ws: &'a SimWinsock,
    s: Socket,
    drops: Arc<AtomicUsize>,
    on_drop: Arc<Mutex<Vec<Result<usize, WsaError>>>>,
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
        let mut buf = [0u8; 4];
        // A blocking call from a destructor at teardown must not wait for anything.
        self.on_drop.lock().push(self.ws.recv(self.s, &mut buf, 0));
    }
}

/// A server daemon that accepts one connection and hands it to `serve`, and a client that
/// connects and returns without closing: the run ends with the daemon in `serve`.
fn daemon_run(
    seed: u64,
    serve: impl FnOnce(&SimWinsock, Socket) -> Result<(), WsaError> + Send + 'static,
) -> Sim {
    let mut sim = Sim::builder().seed(seed).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("server", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, SOMAXCONN)?;
        let (c, _) = ws.accept(l)?;
        serve(ws, c)
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        // Let the server accept and block in recv before the run ends.
        ws.sleep(10);
        Ok(())
    });
    sim
}

/// A server whose connection thread blocks in recv holding a [`Guard`]: the run ends with
/// the daemon blocked.
fn blocked_daemon_run(
    seed: u64,
    drops: Arc<AtomicUsize>,
    after: Arc<AtomicUsize>,
    on_drop: Arc<Mutex<Vec<Result<usize, WsaError>>>>,
) -> Sim {
    daemon_run(seed, move |ws, c| {
        let _guard = Guard {
            ws,
            s: c,
            drops,
            on_drop,
        };
        let mut buf = [0u8; 16];
        let r = ws.recv(c, &mut buf, 0);
        // Never reached: the run ends while the recv waits.
        after.fetch_add(1, Ordering::Relaxed);
        r.map(drop)
    })
}

// Proves: a daemon blocked in recv when the run ends has its stack's values dropped before
// `run` returns, the code after its blocking call never runs, and a call its destructor
// makes fails at once with WSAEINTR instead of waiting.
#[test]
fn a_blocked_daemon_is_unwound_and_its_destructors_run() {
    let drops = Arc::new(AtomicUsize::new(0));
    let after = Arc::new(AtomicUsize::new(0));
    let on_drop = Arc::new(Mutex::new(Vec::new()));
    let mut sim = blocked_daemon_run(1, drops.clone(), after.clone(), on_drop.clone());
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(drops.load(Ordering::Relaxed), 1, "the guard is dropped");
    assert_eq!(
        after.load(Ordering::Relaxed),
        0,
        "nothing after the recv runs"
    );
    assert_eq!(*on_drop.lock(), vec![Err(WsaError::WSAEINTR)]);
    let server = report.threads.iter().find(|t| t.name == "server").unwrap();
    // The report is taken before the teardown: the daemon is reported where it waited.
    assert_eq!(server.outcome, ThreadOutcome::Unfinished("recv"));
}

// Proves: a thread created but never run by the time the run ends is dropped without
// running (its closure's captures are dropped), and the run still ends.
#[test]
fn a_thread_never_started_is_dropped_without_running() {
    let ran = Arc::new(AtomicUsize::new(0));
    let captured = Arc::new(());
    let held = captured.clone();
    let mut sim = Sim::builder().seed(2).build();
    let host = sim.host("h", "192.0.2.1");
    let r = ran.clone();
    host.spawn("main", move |ws| {
        ws.create_thread("late", move |_ws| {
            let _keep = held;
            r.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })?;
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    drop(sim);
    assert_eq!(Arc::strong_count(&captured), 1, "the closure was dropped");
    assert!(ran.load(Ordering::Relaxed) <= 1);
}

// Proves: the next run on the same OS thread runs on the stacks the previous run's threads
// left (Stats: none mapped), the unwound daemon's included, and stack reuse changes nothing
// a run does: the same seed gives the same trace hash.
#[test]
fn the_next_run_reuses_the_stacks_and_replays_the_same() {
    let run = || {
        let mut sim = blocked_daemon_run(
            3,
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(Mutex::new(Vec::new())),
        );
        sim.run().unwrap_or_else(|e| panic!("{e}"))
    };
    let first = run();
    let second = run();
    assert_eq!(first.stats.stacks_mapped, first.stats.threads_peak);
    assert_eq!(second.stats.stacks_mapped, 0, "{:?}", second.stats);
    assert_eq!(second.stats.stacks_reused, first.stats.stacks_mapped);
    assert_eq!(first.trace_hash, second.trace_hash);
    assert_eq!(first.trace_len, second.trace_len);
}

/// The run's end gives up on a thread after this many calls that fail at once (the
/// simulator's spin limit, 64, with some slack either way).
const STOPPED_WITHIN: usize = 70;

// Proves: a thread that catches the run end's unwind and goes on calling (here: retrying its
// recv in a loop, as a server that shields each request with catch_unwind would) does not
// hang the run's end: its calls fail at once with WSAEINTR, and once they pass the spin limit
// it is stopped for good. The next run on the same OS thread is unaffected.
#[test]
fn a_thread_that_catches_the_unwind_is_stopped() {
    let tries = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let (t, e) = (tries.clone(), errors.clone());
    let mut sim = daemon_run(4, move |ws, c| loop {
        let mut buf = [0u8; 16];
        let r = catch_unwind(AssertUnwindSafe(|| ws.recv(c, &mut buf, 0)));
        t.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok(Ok(0)) => return Ok(()),
            Ok(Err(err)) => e.lock().push(err),
            _ => {}
        }
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let n = tries.load(Ordering::Relaxed);
    assert!((2..=STOPPED_WITHIN).contains(&n), "{n} tries");
    let errors = errors.lock();
    assert_eq!(errors.len(), n - 1, "every call after the unwind fails");
    assert!(
        errors.iter().all(|&e| e == WsaError::WSAEINTR),
        "{errors:?}"
    );
    drop(errors);
    let again = blocked_daemon_run(
        5,
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(Mutex::new(Vec::new())),
    )
    .run();
    assert!(again.is_ok());
}

/// Retries a call on WSAEINTR in its destructor, as POSIX code retries on EINTR.
struct RetryOnDrop<'a> {
    ws: &'a SimWinsock,
    s: Socket,
    tries: Arc<AtomicUsize>,
}

impl Drop for RetryOnDrop<'_> {
    fn drop(&mut self) {
        let mut buf = [0u8; 4];
        loop {
            self.tries.fetch_add(1, Ordering::Relaxed);
            match self.ws.recv(self.s, &mut buf, 0) {
                Err(WsaError::WSAEINTR) => continue,
                _ => return,
            }
        }
    }
}

// Proves: a destructor that retries a call on WSAEINTR forever does not hang the run's end
// either: past the spin limit its thread is stopped for good, and the run returns (on a
// thread of its own: the OS thread is left counting a panic in progress).
#[test]
fn a_destructor_retrying_on_wsaeintr_is_stopped() {
    let tries = Arc::new(AtomicUsize::new(0));
    let t = tries.clone();
    let mut sim = daemon_run(6, move |ws, c| {
        let _retry = RetryOnDrop { ws, s: c, tries: t };
        let mut buf = [0u8; 16];
        ws.recv(c, &mut buf, 0).map(drop)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
    let n = tries.load(Ordering::Relaxed);
    assert!((1..=STOPPED_WITHIN).contains(&n), "{n} tries");
    // Stopped in the middle of its unwind, which never completes: std counts this OS thread
    // as panicking from then on (documented at `HostHandle::spawn_daemon`).
    assert!(std::thread::panicking());
}
