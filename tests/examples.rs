//! The examples, run as tests: each echo server serves more than 64 clients in the sim
//! (so the select and WSAEventSelect servers need several worker threads), every echo
//! verified byte for byte, and each run replays to the same trace hash.

// Each example includes the shared client module, as this file does.
#![allow(clippy::duplicate_mod)]

#[path = "../examples/async_select_echo.rs"]
mod async_select_echo;
#[path = "../examples/event_select_echo.rs"]
mod event_select_echo;
#[path = "../examples/iocp_echo.rs"]
mod iocp_echo;
#[path = "../examples/iocp_sample_server.rs"]
mod iocp_sample_server;
#[path = "../examples/overlapped_event_echo.rs"]
mod overlapped_event_echo;
#[path = "../examples/overlapped_routine_echo.rs"]
mod overlapped_routine_echo;
#[path = "../examples/select_echo.rs"]
mod select_echo;

#[path = "../examples/common/mod.rs"]
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(model: &'static str, clients: usize, server: fn(&SimWinsock) -> Result<(), WsaError>) {
    check_seeds(model, clients, server, &[1, 2, 3]);
}

fn check_seeds(
    model: &'static str,
    clients: usize,
    server: fn(&SimWinsock) -> Result<(), WsaError>,
    seeds: &[u64],
) {
    for &seed in seeds {
        let a = common::run_echo(model, seed, clients, 5, server).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.messages, clients * 5);
        let expected: usize = (0..clients)
            .flat_map(|id| (0..5).map(move |m| 1 + (id * 31 + m * 17) % 1500))
            .sum();
        assert_eq!(a.bytes, expected, "{model}: every byte echoed and verified");
        let b = common::run_echo(model, seed, clients, 5, server).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.trace_hash, b.trace_hash, "{model}: seed {seed} replays");
    }
}

#[test]
fn select_echo_serves_150_clients_with_several_workers() {
    check("select", 150, select_echo::server::<SimWinsock>);
}

#[test]
fn event_select_echo_serves_150_clients_with_several_workers() {
    check(
        "WSAEventSelect",
        150,
        event_select_echo::server::<SimWinsock>,
    );
}

#[test]
fn async_select_echo_serves_150_clients_on_one_thread() {
    check(
        "WSAAsyncSelect",
        150,
        async_select_echo::server::<SimWinsock>,
    );
}

#[test]
fn overlapped_event_echo_serves_1000_clients() {
    check_seeds(
        "Overlapped (events)",
        1000,
        overlapped_event_echo::server::<SimWinsock>,
        &[1],
    );
}

#[test]
fn overlapped_routine_echo_serves_1000_clients() {
    check_seeds(
        "Overlapped (completion routines)",
        1000,
        overlapped_routine_echo::server::<SimWinsock>,
        &[1],
    );
}

#[test]
fn iocp_echo_serves_1000_clients_with_acceptex() {
    check_seeds("IOCP", 1000, iocp_echo::server::<SimWinsock>, &[1]);
}

#[test]
fn iocp_sample_server_serves_then_shuts_down_on_ctrl_c() {
    // The port of Microsoft's IOCP sample: every echo verified, then Ctrl+C at 30 s ends the
    // server cleanly (workers joined with WaitForMultipleObjects, the pending AcceptEx
    // contexts freed under the critical section), and each seed replays.
    for seed in [1, 2] {
        let a = iocp_sample_server::run(seed, 100, 5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.summary.messages, 500);
        let expected: usize = (0..100)
            .flat_map(|id| (0..5).map(move |m| 1 + (id * 31 + m * 17) % 1500))
            .sum();
        assert_eq!(a.summary.bytes, expected);
        assert!(a.summary.virtual_time >= iocp_sample_server::CTRL_C_AT);
        assert!(a.freed_at_shutdown >= 8, "{}", a.freed_at_shutdown);
        let b = iocp_sample_server::run(seed, 100, 5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.summary.trace_hash, b.summary.trace_hash);
    }
}
