//! The shared conformance suite (`tests/conformance_suite`) against the simulator: the arm
//! `ci/windows-under-wine.sh` runs against the real WinSock is `tests/conformance_os.rs`.
mod conformance_suite;

use std::sync::{Arc, Mutex};

use conformance_suite::async_select::async_rules;
use conformance_suite::c_args::c_args_rules;
use conformance_suite::events::event_rules;
use conformance_suite::ext::ext_rules;
use conformance_suite::interfaces::{connect_by_name_rules, interface_rules};
use conformance_suite::iocp::iocp_rules;
use conformance_suite::overlapped::overlapped_rules;
use conformance_suite::protocol_info::protocol_info_rules;
use conformance_suite::sync::sync_rules;
use conformance_suite::{outcome, report, winsock_rules, Check, Outcome};
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

/// Runs one rule as the only thread of a fresh simulation (seeded, after `WSAStartup`).
fn run_in_sim(body: fn(&SimWinsock, &mut Check) -> Result<(), String>) -> Outcome {
    let result = Arc::new(Mutex::new(None));
    let out = Arc::clone(&result);
    let mut sim = Sim::builder().seed(0x5EED).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let mut c = Check::default();
        let r = body(ws, &mut c);
        *out.lock().expect("result lock") = Some(outcome(r, c));
        Ok(())
    });
    if let Err(e) = sim.run() {
        return Outcome::Disagree(format!("the simulation failed: {e}"));
    }
    let o = result.lock().expect("result lock").take();
    o.unwrap_or_else(|| Outcome::Disagree("the rule did not finish".to_string()))
}

/// Every rule of the shared suite holds in the simulator exactly as on Windows.
#[test]
fn conformance_suite_on_the_simulator() {
    let rows: Vec<_> = winsock_rules::<SimWinsock>()
        .into_iter()
        .chain(event_rules::<SimWinsock>())
        .chain(async_rules::<SimWinsock>())
        .chain(conformance_suite::message_filters::message_filter_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::sync_handoff::handoff_rules::<SimWinsock>())
        .chain(conformance_suite::thread_timers::thread_timer_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::async_select::msg_wait_rules::<SimWinsock>())
        .chain(iocp_rules::<SimWinsock>())
        .chain(conformance_suite::iocp::iocp_apc_rules::<SimWinsock>())
        .chain(conformance_suite::thread_exit::thread_exit_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::async_select::async_apc_rules::<SimWinsock>())
        .chain(overlapped_rules::<SimWinsock>())
        .chain(conformance_suite::inline::inline_rules::<SimWinsock>())
        .chain(ext_rules::<SimWinsock>())
        .chain(sync_rules::<SimWinsock>())
        .chain(conformance_suite::waitable_timer::timer_rules::<SimWinsock>())
        .chain(conformance_suite::thread_pool::thread_pool_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::tp_objects::tp_object_rules::<SimWinsock>())
        .chain(conformance_suite::tp_wait::tp_wait_rules::<SimWinsock>())
        .chain(conformance_suite::tp_io::tp_io_rules::<SimWinsock>())
        .chain(conformance_suite::tp_cleanup_group::tp_cleanup_group_rules::<SimWinsock>())
        .chain(conformance_suite::tp_pool::tp_pool_rules::<SimWinsock>())
        .chain(conformance_suite::sync_failure::sync_failure_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::pool_io::pool_io_rules::<SimWinsock>())
        .chain(conformance_suite::registered_waits::registered_wait_rules::<SimWinsock>())
        .chain(conformance_suite::held_objects::held_rules::<SimWinsock>())
        .chain(conformance_suite::receive_order::receive_order_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::transmit_packets::transmit_packets_rules::<SimWinsock>())
        .chain(conformance_suite::udp_ioctls::udp_ioctl_rules::<SimWinsock>())
        .chain(conformance_suite::tcp_timing::tcp_timing_rules::<SimWinsock>())
        .chain(conformance_suite::accept_order::accept_order_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::result_ex::result_ex_rules::<SimWinsock>())
        .chain(conformance_suite::ideal_send_backlog::ideal_send_backlog_rules::<SimWinsock>())
        .chain(conformance_suite::shutdown_reset::shutdown_reset_rules::<
            SimWinsock,
        >())
        .chain(interface_rules::<SimWinsock>())
        .chain(connect_by_name_rules::<SimWinsock>())
        .chain(protocol_info_rules::<SimWinsock>())
        .chain(c_args_rules::<SimWinsock>())
        .chain(conformance_suite::duplicate_handle::duplicate_handle_rules::<SimWinsock>())
        .chain(conformance_suite::wait_on_address::wait_on_address_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::init_once::init_once_rules::<SimWinsock>())
        .chain(conformance_suite::thread_local_storage::thread_local_storage_rules::<SimWinsock>())
        .chain(conformance_suite::handle_flags::handle_flag_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::named_objects::named_object_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::sync_barrier::sync_barrier_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::system_time::system_time_rules::<
            SimWinsock,
        >())
        .chain(conformance_suite::timer_resolution::timer_resolution_rules::<SimWinsock>())
        .chain(conformance_suite::database::database_rules::<SimWinsock>())
        .chain(conformance_suite::bsp_state::bsp_state_rules::<SimWinsock>())
        .chain(conformance_suite::host_name::host_name_rules::<SimWinsock>())
        .map(|r| (r.id, r.title, run_in_sim(r.body)))
        .collect();
    let (run, agree, wine, bad) = report("simulator", &rows);
    assert!(run >= 34, "the suite has its rules");
    assert_eq!(wine, 0, "no Wine differences outside Wine");
    assert!(bad.is_empty(), "disagreements: {bad:#?}");
    assert_eq!(agree, run);
}
