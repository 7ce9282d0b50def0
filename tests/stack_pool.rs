//! Finished threads' stacks past an OS thread's own 128 go to a pool of the process, which
//! runs on any OS thread take from, and `release_idle_stacks` unmaps them. One test, in a
//! file of its own: the process's pool is shared by every test of a binary.

mod common;

use common::runtime::overflowing_run;
use winsock_sim::prelude::*;
use winsock_sim::sim::{release_idle_stacks, Report, Sim};

/// Threads alive at once in each run: more than an OS thread keeps for itself.
const THREADS: u64 = 300;
/// What an OS thread keeps for itself.
const LOCAL: u64 = 128;

/// A run of `THREADS` threads alive at once, on stacks of a size no other run here uses.
fn wide_run() -> Report {
    wide_run_with_stacks_of(40)
}

/// `wide_run` with stacks of `kib` KiB.
fn wide_run_with_stacks_of(kib: usize) -> Report {
    let mut sim = Sim::builder().seed(21).stack_size(kib * 1024).build();
    let host = sim.host("host", "192.0.2.1");
    for i in 0..THREADS {
        host.spawn("sleeper", move |ws| {
            ws.sleep(10 + (i % 7) as u32);
            Ok(())
        });
    }
    sim.run().unwrap_or_else(|e| panic!("{e}"))
}

/// A run whose one thread overflows its stack (of `wide_run`'s size), on an OS thread of
/// its own: the error's text.
fn overflowing_run_on_new_os_thread() -> String {
    std::thread::spawn(|| overflowing_run(22, 40 * 1024).to_string())
        .join()
        .expect("the run's OS thread")
}

/// `wide_run` on an OS thread of its own, which ends with it (dropping its own pool).
fn wide_run_on_new_os_thread() -> Report {
    wide_run_with_stacks_of_on_new_os_thread(40)
}

/// `wide_run_with_stacks_of(kib)` on an OS thread of its own.
fn wide_run_with_stacks_of_on_new_os_thread(kib: usize) -> Report {
    std::thread::spawn(move || wide_run_with_stacks_of(kib))
        .join()
        .expect("the run's OS thread")
}

// Proves: a run's stacks past the 128 its OS thread keeps go to the process's pool; a run
// on another OS thread takes them (its own thread's pool is empty), reuse changes nothing
// the run does, and release_idle_stacks unmaps what is idle, after which a run maps all
// its stacks again. A stack overflow on a stack another OS thread's run left is caught and
// reported as on a fresh one, and that stack is not kept. A run of another stack size unmaps
// idle stacks as it maps its own, so that stacks mapped never outgrow the most there were.
#[test]
fn stacks_past_an_os_threads_own_serve_the_next_run_on_any_os_thread() {
    let first = wide_run_on_new_os_thread();
    assert_eq!(first.stats.threads_peak, THREADS, "{:?}", first.stats);
    assert_eq!(first.stats.stacks_mapped, THREADS, "{:?}", first.stats);

    // The first OS thread's own 128 went with it; the rest wait in the process's pool.
    let second = wide_run_on_new_os_thread();
    assert_eq!(
        second.stats.stacks_reused,
        THREADS - LOCAL,
        "{:?}",
        second.stats
    );
    assert_eq!(second.stats.stacks_mapped, LOCAL, "{:?}", second.stats);
    assert_eq!(first.trace_hash, second.trace_hash);
    assert_eq!(first.trace_len, second.trace_len);

    // On this OS thread: the process's pool serves it too, and its own pool then keeps 128.
    let third = wide_run();
    assert_eq!(
        third.stats.stacks_reused,
        THREADS - LOCAL,
        "{:?}",
        third.stats
    );
    assert_eq!(third.trace_hash, first.trace_hash);
    assert_eq!(release_idle_stacks(), THREADS as usize);
    assert_eq!(release_idle_stacks(), 0);

    let fourth = wide_run();
    assert_eq!(fourth.stats.stacks_mapped, THREADS, "{:?}", fourth.stats);
    assert_eq!(fourth.trace_hash, first.trace_hash);

    // The overflowing thread runs on one of the 172 in the process's pool.
    let text = overflowing_run_on_new_os_thread();
    assert!(text.contains("stack overflow"), "{text}");
    assert!(text.contains("WINSOCK_SIM_SEED=22"), "{text}");
    assert_eq!(release_idle_stacks(), THREADS as usize - 1);

    // 172 of 40 KiB wait in the process's pool; a run on 48-KiB stacks takes none of them,
    // but unmaps one for each stack it maps, and leaves 172 of its own size.
    let _ = wide_run_on_new_os_thread();
    let other = wide_run_with_stacks_of_on_new_os_thread(48);
    assert_eq!(other.stats.stacks_mapped, THREADS, "{:?}", other.stats);
    let again = wide_run_on_new_os_thread();
    assert_eq!(again.stats.stacks_mapped, THREADS, "{:?}", again.stats);
    assert_eq!(again.stats.stacks_reused, 0, "{:?}", again.stats);
    assert_eq!(release_idle_stacks(), (THREADS - LOCAL) as usize);
}
