//! Port of Wine's `dlls/kernel32/tests/sync.c` `test_srwlock_base` (commit 79834c06, lines
//! 2458–2518, with its threads `srwlock_base_thread1` 2154–2281, `_thread2` 2283–2426,
//! `_thread3` 2428–2456, the sequence table 2083–2152 and globals 2059–2081), facts only.
//!
//! Three threads step through a sequence counter (`srwlock_seq`, 1 to 31) and count what
//! went against Windows in eight error counters; the main thread checks each is 0. Counted
//! in `ok()` calls as Windows runs them, each once (`START_TEST` runs the function a second
//! time on an unaligned lock: not expressible, an [`SrwLock`] is opaque):
//!
//! | counter checked (phases that feed it)                     | ported | not expressible | failing |
//! |-----------------------------------------------------------|-------:|----------------:|--------:|
//! | wrong_execution_order, 2486 (1–31)                        |      1 |               0 |       0 |
//! | samethread_excl_excl, 2490 (1–3, 2158–2163, 2293–2300)    |      0 |               0 |       1 |
//! | samethread_excl_shared, 2494 (3–5, 2165–2170, 2302–2309)  |      0 |               0 |       1 |
//! | samethread_shared_excl, 2498 (5–7, 2172–2177, 2311–2321)  |      0 |               0 |       1 |
//! | multithread_excl_excl, 2502 (8–10)                        |      1 |               0 |       0 |
//! | excl_not_preferred, 2506 (13–18, 24)                      |      1 |               0 |       0 |
//! | trylock_excl, 2510 (19–30)                                |      1 |               0 |       0 |
//! | trylock_shared, 2514 (19–30)                              |      1 |               0 |       0 |
//! | **total**                                                 |  **5** |           **0** |   **3** |
//!
//! Failing (`srwlock_base_as_windows_runs_it`, `#[ignore]`d): in phases 1–7 thread2 blocks on
//! a lock it holds itself and thread1 releases thread2's hold for it, and in phase 24–25
//! thread2 releases thread1's shared hold. Windows keeps no owner in an SRW lock, so any
//! thread's release works; this API's contract (conformance rule SYNC-srw, on both backends)
//! answers ERROR_NOT_OWNER to a release by a thread that does not hold the lock, as
//! Microsoft's documentation requires the acquiring thread to release it. Changing that is a
//! contract decision, not a small fix. What does run:
//! - `srwlock_base_sequence_under_eight_seeds`: phases 8–31 as sync.c runs them, except that
//!   at 23–25 the shared hold the queued writer (thread1) waits for is thread3's, released by
//!   thread3 itself, instead of thread1's own released by thread2; this feeds the five
//!   ported counters (wrong_execution_order without its phase 1–7 part);
//! - `a_holder_asking_again_blocks_*`: the blocking half of phases 1–7 (a second exclusive
//!   acquire, a shared acquire under an exclusive hold, an exclusive one under a shared hold
//!   never return by themselves), seen as the simulator's deadlock report.
//!
//! Not expressible outside this function's table: `test_srwlock_quirk` (2602–2616, 1 `ok()`)
//! writes 1 into the raw lock word and expects ReleaseSRWLockExclusive to leave 0 there.
mod common;

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering::SeqCst};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, SimWinsock};

/// `srwlock_base_errors` (2061–2071).
#[derive(Default)]
struct Errors {
    wrong_execution_order: AtomicU32,
    samethread_excl_excl: AtomicU32,
    samethread_excl_shared: AtomicU32,
    samethread_shared_excl: AtomicU32,
    multithread_excl_excl: AtomicU32,
    excl_not_preferred: AtomicU32,
    trylock_excl: AtomicU32,
    trylock_shared: AtomicU32,
}

/// The lock, `srwlock_seq`, the error counters, and (adapted run only) the handshake by
/// which thread3 takes the shared hold of phase 23–25.
struct Base {
    lock: SrwLock,
    seq: AtomicI32,
    err: Errors,
    helper: AtomicI32,
    /// Phases 1–7 and the cross-thread releases, as Windows runs them.
    full: bool,
}

fn bump(c: &AtomicU32) {
    c.fetch_add(1, SeqCst);
}

impl Base {
    /// `while (srwlock_seq < n) Sleep(1);`
    fn wait_for(&self, ws: &SimWinsock, n: i32) {
        while self.seq.load(SeqCst) < n {
            ws.sleep(1);
        }
    }

    /// `InterlockedIncrement(&srwlock_seq)`.
    fn inc(&self) -> i32 {
        self.seq.fetch_add(1, SeqCst) + 1
    }

    /// `if (InterlockedIncrement(&srwlock_seq) != n) wrong_execution_order++`.
    fn step(&self, n: i32) {
        if self.inc() != n {
            bump(&self.err.wrong_execution_order);
        }
    }

    fn now(&self) -> i32 {
        self.seq.load(SeqCst)
    }
}

/// sync.c `srwlock_base_thread1` (2154–2281).
fn thread1(ws: &SimWinsock, b: &Base) -> Result<(), WsaError> {
    let l = b.lock;
    if b.full {
        // 2158–2177: release thread2's holds after it blocked on itself.
        let phases = [
            (2, 3, &b.err.samethread_excl_excl, true),
            (4, 5, &b.err.samethread_excl_shared, true),
            (6, 7, &b.err.samethread_shared_excl, false),
        ];
        for (at, next, counter, exclusive) in phases {
            b.wait_for(ws, at);
            ws.sleep(100);
            if b.inc() != next {
                bump(counter);
            }
            if exclusive {
                ws.release_srw_lock_exclusive(l)?;
            } else {
                ws.release_srw_lock_shared(l)?;
            }
        }
    }
    // 2179–2187, seq 8: exclusive for 100 ms while thread2 waits for it.
    b.wait_for(ws, 8);
    ws.acquire_srw_lock_exclusive(l)?;
    b.step(9);
    ws.sleep(100);
    if b.inc() != 10 {
        bump(&b.err.multithread_excl_excl);
    }
    ws.release_srw_lock_exclusive(l)?;
    // 2189–2200, seq 11 and 13: shared, released and taken again.
    b.wait_for(ws, 11);
    ws.acquire_srw_lock_shared(l)?;
    b.step(12);
    b.wait_for(ws, 13);
    ws.release_srw_lock_shared(l)?;
    ws.acquire_srw_lock_shared(l)?;
    b.step(14);
    // 2202–2207, seq 16: let thread2 (exclusive) and thread3 (shared) queue, then release.
    b.wait_for(ws, 16);
    ws.sleep(50);
    b.step(17);
    ws.release_srw_lock_shared(l)?;

    // 2213–2241, seq 19: TryAcquire on a free lock, and again while holding it.
    b.wait_for(ws, 19);
    if ws.try_acquire_srw_lock_exclusive(l)? {
        if ws.try_acquire_srw_lock_shared(l)? {
            bump(&b.err.trylock_shared);
        }
        if ws.try_acquire_srw_lock_exclusive(l)? {
            bump(&b.err.trylock_excl);
        }
        ws.release_srw_lock_exclusive(l)?;
    } else {
        bump(&b.err.trylock_excl);
    }
    if ws.try_acquire_srw_lock_shared(l)? {
        if ws.try_acquire_srw_lock_shared(l)? {
            ws.release_srw_lock_shared(l)?;
        } else {
            bump(&b.err.trylock_shared);
        }
        if ws.try_acquire_srw_lock_exclusive(l)? {
            bump(&b.err.trylock_excl);
        }
        ws.release_srw_lock_shared(l)?;
    } else {
        bump(&b.err.trylock_shared);
    }
    ws.acquire_srw_lock_exclusive(l)?;
    b.step(20);
    // 2243–2248, seq 21: exclusive → shared.
    b.wait_for(ws, 21);
    ws.release_srw_lock_exclusive(l)?;
    ws.acquire_srw_lock_shared(l)?;
    b.step(22);
    // 2250–2255, seq 23: a shared hold again (adapted: thread3's, see the header).
    b.wait_for(ws, 23);
    ws.release_srw_lock_shared(l)?;
    if b.full {
        ws.acquire_srw_lock_shared(l)?;
    } else {
        b.helper.store(1, SeqCst);
        while b.helper.load(SeqCst) < 2 {
            ws.sleep(1);
        }
    }
    b.step(24);
    // 2257–2261, seq 25: queue for exclusive access behind that shared hold.
    ws.acquire_srw_lock_exclusive(l)?;
    if b.now() != 25 {
        bump(&b.err.wrong_execution_order);
    }
    ws.release_srw_lock_exclusive(l)?;
    // 2263–2278: two shared holds, released at 27 and 29.
    ws.acquire_srw_lock_shared(l)?;
    ws.acquire_srw_lock_shared(l)?;
    b.step(26);
    b.wait_for(ws, 27);
    ws.release_srw_lock_shared(l)?;
    b.step(28);
    b.wait_for(ws, 29);
    ws.release_srw_lock_shared(l)?;
    b.step(30);
    Ok(())
}

/// `if (TryAcquireSRWLockShared) release; else trylock_shared++; if (TryAcquire
/// SRWLockExclusive) trylock_excl++;` — thread2 at seq 22, 26 and 28.
fn shared_only(ws: &SimWinsock, b: &Base) -> Result<(), WsaError> {
    if ws.try_acquire_srw_lock_shared(b.lock)? {
        ws.release_srw_lock_shared(b.lock)?;
    } else {
        bump(&b.err.trylock_shared);
    }
    if ws.try_acquire_srw_lock_exclusive(b.lock)? {
        bump(&b.err.trylock_excl);
    }
    Ok(())
}

/// sync.c `srwlock_base_thread2` (2283–2426).
fn thread2(ws: &SimWinsock, b: &Base) -> Result<(), WsaError> {
    let l = b.lock;
    if b.full {
        // 2287–2300, seq 1–3: exclusive twice; the second waits for thread1's release.
        b.wait_for(ws, 1);
        ws.acquire_srw_lock_exclusive(l)?;
        b.step(2);
        ws.acquire_srw_lock_exclusive(l)?;
        if b.now() != 3 {
            bump(&b.err.samethread_excl_excl);
        }
        ws.release_srw_lock_exclusive(l)?;
        ws.acquire_srw_lock_exclusive(l)?;
        b.step(4);
        // 2302–2309, seq 5: shared under its own exclusive hold waits likewise.
        ws.acquire_srw_lock_shared(l)?;
        if b.now() != 5 {
            bump(&b.err.samethread_excl_shared);
        }
        ws.release_srw_lock_shared(l)?;
        ws.acquire_srw_lock_shared(l)?;
        b.step(6);
        // 2311–2321, seq 7: exclusive under its own shared hold; then nested shared holds.
        ws.acquire_srw_lock_exclusive(l)?;
        if b.now() != 7 {
            bump(&b.err.samethread_shared_excl);
        }
        ws.release_srw_lock_exclusive(l)?;
        ws.acquire_srw_lock_shared(l)?;
        ws.acquire_srw_lock_shared(l)?;
        ws.release_srw_lock_shared(l)?;
        ws.release_srw_lock_shared(l)?;
        b.step(8);
    }
    // 2323–2330, seq 9–10: waits while thread1 holds it exclusively.
    b.wait_for(ws, 9);
    ws.acquire_srw_lock_exclusive(l)?;
    if b.now() != 10 {
        bump(&b.err.multithread_excl_excl);
    }
    ws.release_srw_lock_exclusive(l)?;
    b.step(11);
    // 2332–2337, seq 12: shared beside thread1's shared hold.
    b.wait_for(ws, 12);
    ws.acquire_srw_lock_shared(l)?;
    ws.release_srw_lock_shared(l)?;
    b.step(13);
    // 2339–2350, seq 14–18: queue for exclusive behind thread1's shared hold; served
    // before thread3, whose shared request came later.
    b.wait_for(ws, 14);
    b.step(15);
    ws.acquire_srw_lock_exclusive(l)?;
    if b.now() != 17 {
        bump(&b.err.excl_not_preferred);
    }
    b.step(18);
    ws.release_srw_lock_exclusive(l)?;

    // 2356–2363, seq 20: thread1 holds it exclusively: both TryAcquires fail.
    b.wait_for(ws, 20);
    if ws.try_acquire_srw_lock_shared(l)? {
        bump(&b.err.trylock_shared);
    }
    if ws.try_acquire_srw_lock_exclusive(l)? {
        bump(&b.err.trylock_excl);
    }
    b.step(21);
    // 2365–2374, seq 22: thread1 holds it shared.
    b.wait_for(ws, 22);
    shared_only(ws, b)?;
    b.step(23);
    // 2376–2388, seq 24: a shared hold plus a queued writer: shared fails too.
    b.wait_for(ws, 24);
    ws.sleep(50);
    if ws.try_acquire_srw_lock_shared(l)? {
        ws.release_srw_lock_shared(l)?;
        bump(&b.err.excl_not_preferred);
    }
    if ws.try_acquire_srw_lock_exclusive(l)? {
        bump(&b.err.trylock_excl);
    }
    b.step(25);
    if b.full {
        ws.release_srw_lock_shared(l)?; // 2388: thread1's hold
    }
    // 2390–2410, seq 26 and 28: thread1 holds two, then one shared hold.
    b.wait_for(ws, 26);
    shared_only(ws, b)?;
    b.step(27);
    b.wait_for(ws, 28);
    shared_only(ws, b)?;
    b.step(29);
    // 2412–2423, seq 30: free: both succeed.
    b.wait_for(ws, 30);
    if ws.try_acquire_srw_lock_shared(l)? {
        ws.release_srw_lock_shared(l)?;
    } else {
        bump(&b.err.trylock_shared);
    }
    if ws.try_acquire_srw_lock_exclusive(l)? {
        ws.release_srw_lock_exclusive(l)?;
    } else {
        bump(&b.err.trylock_excl);
    }
    b.step(31);
    Ok(())
}

/// sync.c `srwlock_base_thread3` (2428–2456).
fn thread3(ws: &SimWinsock, b: &Base) -> Result<(), WsaError> {
    let l = b.lock;
    // 2432–2436, seq 15: give thread2 time to queue.
    b.wait_for(ws, 15);
    ws.sleep(50);
    b.step(16);
    // 2438–2444, seq 18: a shared request behind the queued writer.
    ws.acquire_srw_lock_shared(l)?;
    if b.now() != 18 {
        bump(&b.err.excl_not_preferred);
    }
    ws.release_srw_lock_shared(l)?;
    b.step(19);
    if !b.full {
        // The adapted phase 23–25: the shared hold thread1's exclusive request queues
        // behind, released by its holder once thread2 has made its checks (seq 25).
        while b.helper.load(SeqCst) < 1 {
            ws.sleep(1);
        }
        ws.acquire_srw_lock_shared(l)?;
        b.helper.store(2, SeqCst);
        b.wait_for(ws, 25);
        ws.release_srw_lock_shared(l)?;
    }
    Ok(())
}

/// A thread function of the test.
type ThreadBody = fn(&SimWinsock, &Base) -> Result<(), WsaError>;

/// sync.c `test_srwlock_base` (2458–2518); `full`: with phases 1–7 and the cross-thread
/// releases.
fn srwlock_base(ws: &SimWinsock, full: bool) -> Result<(), WsaError> {
    let b = Arc::new(Base {
        lock: ws.initialize_srw_lock()?,
        seq: AtomicI32::new(0),
        err: Errors::default(),
        helper: AtomicI32::new(0),
        full,
    });
    let bodies: [ThreadBody; 3] = [thread1, thread2, thread3];
    let mut threads = Vec::new();
    for (i, body) in bodies.into_iter().enumerate() {
        let b = b.clone();
        threads.push(
            ws.create_thread(&format!("thread{}", i + 1), move |ws: &SimWinsock| {
                body(ws, &b)
            })?,
        );
    }
    // 2474–2480: go (the adapted run starts where phase 7 ends).
    b.seq.store(if full { 1 } else { 8 }, SeqCst);
    while b.seq.load(SeqCst) < 31 {
        ws.sleep(5);
    }
    // 2482–2484 wait 100 ms for each; the port waits for them to end.
    for t in threads {
        ws.wait_for_thread(t, INFINITE)?;
    }
    let e = &b.err;
    let mut checks = vec![
        ("2486: wrong_execution_order", &e.wrong_execution_order),
        ("2502: multithread_excl_excl", &e.multithread_excl_excl),
        ("2506: excl_not_preferred", &e.excl_not_preferred),
        ("2510: trylock_excl", &e.trylock_excl),
        ("2514: trylock_shared", &e.trylock_shared),
    ];
    if full {
        checks.push(("2490: samethread_excl_excl", &e.samethread_excl_excl));
        checks.push(("2494: samethread_excl_shared", &e.samethread_excl_shared));
        checks.push(("2498: samethread_shared_excl", &e.samethread_shared_excl));
    }
    for (what, counter) in checks {
        assert_eq!(counter.load(SeqCst), 0, "{what}");
    }
    Ok(())
}

#[test]
fn srwlock_base_sequence_under_eight_seeds() {
    let hashes: std::collections::HashSet<u64> = (0..8)
        .map(|seed| {
            common::run_with(Sim::builder().seed(seed), |ws| srwlock_base(ws, false)).trace_hash
        })
        .collect();
    assert!(
        hashes.len() > 1,
        "the seeds interleave the threads differently"
    );
}

#[test]
#[ignore = "phases 1-7 and 24-25 release another thread's SRW hold, which Windows allows and \
            this API's contract answers with ERROR_NOT_OWNER (see the header)"]
fn srwlock_base_as_windows_runs_it() {
    for seed in 0..8 {
        common::run_with(Sim::builder().seed(seed), |ws| srwlock_base(ws, true));
    }
}

/// A thread takes the lock in mode `first`, then asks for it in mode `second` (true:
/// exclusive); nobody else releases it, so the run ends in a deadlock report naming the call.
fn holder_asks_again(first: bool, second: bool) {
    let mut sim = Sim::builder().seed(common::seed()).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", move |ws| {
        let l = ws.initialize_srw_lock()?;
        let t = ws.create_thread("thread2", move |ws: &SimWinsock| {
            let take = |exclusive: bool| {
                if exclusive {
                    ws.acquire_srw_lock_exclusive(l)
                } else {
                    ws.acquire_srw_lock_shared(l)
                }
            };
            take(first)?;
            take(second)?;
            panic!("the second acquire returned");
        })?;
        ws.wait_for_thread(t, INFINITE)
    });
    let e = sim.run().unwrap_err();
    assert_eq!(e.kind, SimErrorKind::Deadlock, "{e}");
    let call = if second {
        "AcquireSRWLockExclusive"
    } else {
        "AcquireSRWLockShared"
    };
    assert!(e.to_string().contains(call), "{e}");
}

// 2293–2296: AcquireSRWLockExclusive by the exclusive holder waits (for another thread).
#[test]
fn a_holder_asking_again_blocks_exclusive_exclusive() {
    holder_asks_again(true, true);
}

// 2302–2305: AcquireSRWLockShared by the exclusive holder waits.
#[test]
fn a_holder_asking_again_blocks_exclusive_shared() {
    holder_asks_again(true, false);
}

// 2311–2314: AcquireSRWLockExclusive by a shared holder waits (for its own hold).
#[test]
fn a_holder_asking_again_blocks_shared_exclusive() {
    holder_asks_again(false, true);
}
