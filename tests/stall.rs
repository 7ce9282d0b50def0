//! The stall detector: a simulated thread blocked outside the simulator (a real lock held
//! across a WinSock call, a sleep) never hangs a run silently.
//!
//! These tests use the wall clock with wide margins (a 200–300 ms timeout against stalls of
//! seconds or forever); they check outcomes, not durations.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimErrorKind, ThreadOutcome};

// Proves: a simulated thread that blocks the OS thread (std::thread::sleep) for longer than the
// stall timeout ends the run with SimErrorKind::Stalled once it yields, and the report names it.
#[test]
fn a_thread_blocked_outside_the_sim_ends_the_run_as_stalled() {
    let mut sim = Sim::builder()
        .seed(3)
        .stall_timeout(Duration::from_millis(200))
        .build();
    let h = sim.host("a", "192.0.2.1");
    h.spawn("sleeper", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        std::thread::sleep(Duration::from_millis(1500)); // not ws.sleep: the OS thread stops
        ws.sleep(10);
        Ok(())
    });
    h.spawn("bystander", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.sleep(1000);
        Ok(())
    });
    let err = sim.run().expect_err("the run stalls");
    assert_eq!(err.kind, SimErrorKind::Stalled, "{err}");
    let sleeper = err.threads.iter().find(|t| t.name == "sleeper").unwrap();
    assert!(
        matches!(sleeper.outcome, ThreadOutcome::Unfinished(s) if s.starts_with("stalled")),
        "{err}"
    );
    assert!(err.to_string().contains("outside the simulator"), "{err}");
}

// Proves: a run that keeps making progress is never called stalled, however small the
// timeout (the check watches progress, not the run's length).
#[test]
fn a_busy_run_is_not_stalled() {
    let mut sim = Sim::builder()
        .seed(4)
        .stall_timeout(Duration::from_millis(300))
        .build();
    let h = sim.host("a", "192.0.2.1");
    for i in 0..4 {
        h.spawn(&format!("worker-{i}"), |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            for _ in 0..20_000 {
                ws.sleep(1);
            }
            Ok(())
        });
    }
    let report = sim.run().expect("no stall");
    assert!(report.virtual_time >= Duration::from_secs(20));
}

/// The child scenario of `a_lock_held_across_a_call_aborts_with_a_diagnostic`: two simulated
/// threads share a std mutex held across a WinSock call, which deadlocks the one OS thread.
#[test]
#[ignore = "run by a_lock_held_across_a_call_aborts_with_a_diagnostic in a child process"]
fn stall_child_deadlock() {
    if std::env::var("WINSOCK_SIM_STALL_CHILD").is_err() {
        return;
    }
    let mut sim = Sim::builder()
        .seed(5)
        .stall_timeout(Duration::from_millis(300))
        .build();
    let h = sim.host("a", "192.0.2.1");
    let shared = Arc::new(Mutex::new(0u32));
    for name in ["holder", "waiter"] {
        let shared = shared.clone();
        h.spawn(name, move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let mut g = shared.lock().unwrap(); // the bug: held across a call that yields
            ws.sleep(5);
            *g += 1;
            Ok(())
        });
    }
    let _ = sim.run();
    unreachable!("the second thread blocks the OS thread for good");
}

// Proves: a std mutex held across a WinSock call (a deadlock of the one OS thread) does not
// hang: the watchdog prints the seed, the thread and the hazard, then aborts the process.
#[test]
fn a_lock_held_across_a_call_aborts_with_a_diagnostic() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "stall_child_deadlock",
            "--ignored",
            "--nocapture",
        ])
        .env("WINSOCK_SIM_STALL_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the child should have been aborted: {stderr}"
    );
    assert!(
        stderr.contains("probably blocked outside the simulator"),
        "{stderr}"
    );
    assert!(stderr.contains("aborting the process"), "{stderr}");
    assert!(stderr.contains("WINSOCK_SIM_SEED=5"), "{stderr}");
    assert!(
        stderr.contains("\"waiter\"") || stderr.contains("\"holder\""),
        "{stderr}"
    );
}
