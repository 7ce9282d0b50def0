//! The shared conformance suite (`tests/conformance_suite`) against the real network stack:
//! the socket2 host backend `os::System` on any OS, and on Windows the real WinSock. Under
//! Wine (`ci/windows-under-wine.sh`) Wine's known differences from Windows are recorded with
//! their sock.c reference, not failed; every other disagreement fails.
mod conformance_suite;

use conformance_suite::{outcome, report, winsock_rules, Check, Outcome};
use winsock_sim::os::System;
use winsock_sim::prelude::*;

/// Runs one rule on a fresh `System` between `WSAStartup` and `WSACleanup`.
fn run_on_system(body: fn(&System, &mut Check) -> Result<(), String>) -> Outcome {
    let ws = System::new();
    if let Err(e) = ws.wsa_startup(WINSOCK_VERSION_2_2) {
        return Outcome::Disagree(format!("WSAStartup: {e:?}"));
    }
    let mut c = Check::default();
    let r = body(&ws, &mut c);
    let _ = ws.wsa_cleanup();
    outcome(r, c)
}

/// The arm's name: where the real stack is.
fn arm(backend: &str) -> String {
    let os = if winsock_sim::os::under_wine() {
        "Wine"
    } else if cfg!(windows) {
        "Windows"
    } else {
        std::env::consts::OS
    };
    format!("{backend} on {os}")
}

/// Every rule of the shared suite holds on the socket2 host backend as on Windows, except
/// Wine's recorded known differences.
#[test]
fn conformance_suite_on_the_host_backend() {
    let rows: Vec<_> = winsock_rules::<System>()
        .into_iter()
        .map(|r| (r.id, r.title, run_on_system(r.body)))
        .collect();
    let (run, agree, wine, bad) = report(&arm("os::System (socket2)"), &rows);
    assert!(bad.is_empty(), "disagreements: {bad:#?}");
    assert_eq!(agree + wine, run);
}
