//! The shared conformance suite (`tests/conformance_suite`) against the real network stack:
//! the socket2 host backend `os::System` on any OS, and on Windows the real WinSock. Under
//! Wine (`ci/windows-under-wine.sh`) Wine's known differences from Windows are recorded with
//! their sock.c reference, not failed; every other disagreement fails.
mod conformance_suite;

use conformance_suite::{outcome, report, winsock_rules, Check, Outcome};
#[cfg(windows)]
use winsock_sim::os::Native;
use winsock_sim::os::System;
use winsock_sim::prelude::*;

/// Runs one rule on a fresh backend between `WSAStartup` and `WSACleanup`, on its own
/// thread: a rule still running after 60 s is reported as a disagreement (it hung) and the
/// suite goes on.
fn run_on<W: Winsock + Default + 'static>(
    id: &str,
    body: fn(&W, &mut Check) -> Result<(), String>,
) -> Outcome {
    eprintln!("rule {id}");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ws = W::default();
        if let Err(e) = ws.wsa_startup(WINSOCK_VERSION_2_2) {
            let _ = tx.send(Outcome::Disagree(format!("WSAStartup: {e:?}")));
            return;
        }
        let mut c = Check::default();
        let r = body(&ws, &mut c);
        let _ = ws.wsa_cleanup();
        let _ = tx.send(outcome(r, c));
    });
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .unwrap_or_else(|_| Outcome::Disagree("no result within 60 s (hung or panicked)".into()))
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
        .chain(conformance_suite::interfaces::connect_by_name_rules::<System>())
        .chain(conformance_suite::protocol_info::protocol_info_rules::<
            System,
        >())
        .chain(conformance_suite::c_args::c_args_rules::<System>())
        .chain(conformance_suite::bsp_state::bsp_state_rules::<System>())
        .map(|r| (r.id, r.title, run_on(r.id, r.body)))
        .collect();
    let (run, agree, wine, bad) = report(&arm("os::System (socket2)"), &rows);
    assert!(bad.is_empty(), "disagreements: {bad:#?}");
    assert_eq!(agree + wine, run);
}

/// Every rule of the shared suite, the select / WSAPoll / WSAEventSelect / WSAAsyncSelect / completion
/// port and Win32 synchronisation-object ones included, holds
/// on the real ws2_32 (`os::Native`), except Wine's recorded known differences.
#[cfg(windows)]
#[test]
fn conformance_suite_on_native_winsock() {
    let rows: Vec<_> = winsock_rules::<Native>()
        .into_iter()
        .chain(conformance_suite::events::event_rules::<Native>())
        .chain(conformance_suite::async_select::async_rules::<Native>())
        .chain(conformance_suite::message_filters::message_filter_rules::<
            Native,
        >())
        .chain(conformance_suite::sync_handoff::handoff_rules::<Native>())
        .chain(conformance_suite::thread_timers::thread_timer_rules::<Native>())
        .chain(conformance_suite::thread_pool::thread_pool_rules::<Native>())
        .chain(conformance_suite::registered_waits::registered_wait_rules::<Native>())
        .chain(conformance_suite::pool_io::pool_io_rules::<Native>())
        .chain(conformance_suite::tp_objects::tp_object_rules::<Native>())
        .chain(conformance_suite::tp_wait::tp_wait_rules::<Native>())
        .chain(conformance_suite::tp_io::tp_io_rules::<Native>())
        .chain(conformance_suite::tp_cleanup_group::tp_cleanup_group_rules::<Native>())
        .chain(conformance_suite::tp_pool::tp_pool_rules::<Native>())
        .chain(conformance_suite::sync_failure::sync_failure_rules::<Native>())
        .chain(conformance_suite::async_select::msg_wait_rules::<Native>())
        .chain(conformance_suite::iocp::iocp_rules::<Native>())
        .chain(conformance_suite::iocp::iocp_apc_rules::<Native>())
        .chain(conformance_suite::thread_exit::thread_exit_rules::<Native>())
        .chain(conformance_suite::async_select::async_apc_rules::<Native>())
        .chain(conformance_suite::overlapped::overlapped_rules::<Native>())
        .chain(conformance_suite::inline::inline_rules::<Native>())
        .chain(conformance_suite::ext::ext_rules::<Native>())
        .chain(conformance_suite::sync::sync_rules::<Native>())
        .chain(conformance_suite::waitable_timer::timer_rules::<Native>())
        .chain(conformance_suite::held_objects::held_rules::<Native>())
        .chain(conformance_suite::receive_order::receive_order_rules::<
            Native,
        >())
        .chain(conformance_suite::transmit_packets::transmit_packets_rules::<Native>())
        .chain(conformance_suite::udp_ioctls::udp_ioctl_rules::<Native>())
        .chain(conformance_suite::tcp_timing::tcp_timing_rules::<Native>())
        .chain(conformance_suite::accept_order::accept_order_rules::<Native>())
        .chain(conformance_suite::result_ex::result_ex_rules::<Native>())
        .chain(conformance_suite::ideal_send_backlog::ideal_send_backlog_rules::<Native>())
        .chain(conformance_suite::shutdown_reset::shutdown_reset_rules::<
            Native,
        >())
        .chain(conformance_suite::interfaces::interface_rules::<Native>())
        .chain(conformance_suite::interfaces::connect_by_name_rules::<Native>())
        .chain(conformance_suite::protocol_info::protocol_info_rules::<
            Native,
        >())
        .chain(conformance_suite::c_args::c_args_rules::<Native>())
        .chain(conformance_suite::duplicate_handle::duplicate_handle_rules::<Native>())
        .chain(conformance_suite::wait_on_address::wait_on_address_rules::<
            Native,
        >())
        .chain(conformance_suite::init_once::init_once_rules::<Native>())
        .chain(conformance_suite::thread_local_storage::thread_local_storage_rules::<Native>())
        .chain(conformance_suite::handle_flags::handle_flag_rules::<Native>())
        .chain(conformance_suite::named_objects::named_object_rules::<Native>())
        .chain(conformance_suite::sync_barrier::sync_barrier_rules::<Native>())
        .chain(conformance_suite::system_time::system_time_rules::<Native>())
        .chain(conformance_suite::timer_resolution::timer_resolution_rules::<Native>())
        .chain(conformance_suite::database::database_rules::<Native>())
        .chain(conformance_suite::bsp_state::bsp_state_rules::<Native>())
        .chain(conformance_suite::host_name::host_name_rules::<Native>())
        .map(|r| (r.id, r.title, run_on(r.id, r.body)))
        .collect();
    let (run, agree, wine, bad) = report(&arm("os::Native (ws2_32)"), &rows);
    assert!(bad.is_empty(), "disagreements: {bad:#?}");
    assert_eq!(agree + wine, run);
}
