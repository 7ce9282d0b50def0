//! Deliberately buggy servers are caught: proptest over seeds and fault plans finds the bug
//! within a bounded number of cases, shrinks it, and the replay line the failure prints
//! reproduces the very same run.
mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestError, TestRng, TestRunner};
use winsock_sim::sim::{FaultPlan, Replay, Report, Sim, SimBuilder, SimError};

use common::servers::run_records;

/// Runs `run` for each (seed, plan) proptest draws (deterministically) from `plans`, with at
/// most `cases` cases; the shrunk failing input and its error, if any (the shrunk case is run
/// again, and must fail again, for its error).
fn search_with(
    plans: impl Strategy<Value = FaultPlan>,
    cases: u32,
    run: impl Fn(SimBuilder) -> Result<Report, SimError>,
) -> Option<((u64, FaultPlan), SimError)> {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let result = runner.run(&(any::<u64>(), plans), |(seed, plan)| {
        run(Sim::builder().seed(seed).faults(plan))
            .map(|_| ())
            .map_err(|e| TestCaseError::fail(e.to_string()))
    });
    match result {
        Ok(()) => None,
        Err(TestError::Fail(_, (seed, plan))) => {
            let err = run(Sim::builder().seed(seed).faults(plan.clone()))
                .expect_err("the shrunk case fails again");
            Some(((seed, plan), err))
        }
        Err(e) => panic!("{e}"),
    }
}

/// Runs the record scenario for each (seed, plan) proptest draws (deterministically), with at
/// most `cases` cases; the shrunk failing input and its error, if any.
fn search(buggy: bool, cases: u32) -> Option<((u64, FaultPlan), SimError)> {
    search_with(FaultPlan::tcp_strategy(), cases, |b| run_records(b, buggy))
}

/// The replay in `command` (printed for `err`) holds `plan` and, run again through `run`, fails
/// exactly as `err` did: same kind, virtual time and trace hash.
fn assert_replays(
    command: &str,
    plan: &FaultPlan,
    err: &SimError,
    run: impl FnOnce(SimBuilder) -> Result<Report, SimError>,
) {
    let replay = replay_of(command);
    eprintln!("caught: {replay}");
    assert_eq!(replay.plan.as_ref(), Some(plan));
    let again = run(Sim::builder().replay(&replay)).expect_err("replays");
    assert_eq!(
        (again.kind, again.virtual_time, again.trace_hash),
        (err.kind, err.virtual_time, err.trace_hash)
    );
}

/// The `WINSOCK_SIM_REPLAY` value inside a printed replay command.
fn replay_of(command: &str) -> Replay {
    let start = command.find("='").expect("a quoted value") + 2;
    let end = start + command[start..].find('\'').expect("closing quote");
    command[start..end]
        .parse()
        .expect("the printed replay parses")
}

#[test]
fn one_recv_one_message_is_caught_and_replays() {
    // Proves: a server that takes each recv for one whole record is caught within 32 proptest
    // cases; the shrunk failure prints a replay command whose value, given back to the
    // builder, reruns exactly that run (same kind, time and trace hash).
    let ((_, plan), err) = search(true, 32).expect("the bug is found within 32 cases");
    let text = err.to_string();
    // The client either gets a wrong reply or waits for replies that never come.
    assert!(
        text.contains("reply to record") || text.contains("deadlock"),
        "{text}"
    );
    let command = err.replay_command();
    assert!(text.contains(&command), "{text}");
    assert!(
        command
            .contains("--test buggy_servers -- --exact one_recv_one_message_is_caught_and_replays"),
        "{command}"
    );
    assert_replays(&command, &plan, &err, |b| run_records(b, true));
}

#[test]
fn the_right_server_passes_the_same_search() {
    // Proves: the property is fair: the server that reassembles records passes every case
    // the search above draws.
    assert!(search(false, 32).is_none());
}

/// Searches seeds and reset plans for a run after which the echo server holds more than its
/// listener; the shrunk case's replay.
fn search_leak(leaky: bool, cases: u32) -> Option<Replay> {
    use common::servers::run_echo;
    use std::net::IpAddr;
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let hosts = vec![IpAddr::from([192, 0, 2, 1]), IpAddr::from([192, 0, 2, 2])];
    let plans = FaultPlan::reset_strategy(hosts, 2_000);
    let result = runner.run(&(any::<u64>(), plans), |(seed, plan)| {
        let (r, open, replay) = run_echo(Sim::builder().seed(seed).faults(plan), leaky);
        r.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(open, 1, "sockets leaked; replay: {}", replay);
        Ok(())
    });
    match result {
        Ok(()) => None,
        Err(TestError::Fail(_, (seed, plan))) => {
            Some(run_echo(Sim::builder().seed(seed).faults(plan), leaky).2)
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn socket_leaked_on_reset_is_caught_and_replays() {
    // Proves: a server that forgets closesocket after WSAECONNRESET is caught within 32
    // cases of seeds and reset plans by counting the server's open sockets after the run,
    // and the failing case's replay (which the assertion prints) leaks again; the server that
    // closes passes the same search.
    let replay = search_leak(true, 32).expect("the leak is found within 32 cases");
    assert!(
        replay.plan.as_ref().is_some_and(|p| !p.is_empty()),
        "{replay}"
    );
    let (r, open, _) = common::servers::run_echo(Sim::builder().replay(&replay), true);
    assert!(r.is_ok() && open > 1, "the replay leaks again: {open} open");
    assert!(search_leak(false, 32).is_none());
}

/// Searches seeds and `would_block_strategy` plans (WSAEWOULDBLOCK right after FD_WRITE said
/// writable) for a run the WSAEventSelect echo server fails; the shrunk input and its error.
fn search_would_block(buggy: bool, cases: u32) -> Option<((u64, FaultPlan), SimError)> {
    use common::servers::run_event_echo;
    search_with(FaultPlan::would_block_strategy(), cases, |b| {
        run_event_echo(b, buggy)
    })
}

#[test]
fn ignoring_would_block_after_fd_write_is_caught_and_replays() {
    // Proves: a WSAEventSelect server that drops the bytes of a send failing with
    // WSAEWOULDBLOCK (after FD_WRITE/FD_READ told it the socket was writable) is caught within
    // 64 proptest cases of seeds and WouldBlock plans; the shrunk plan is one rule; the printed
    // replay reruns exactly that run; and the server that keeps the bytes for the next
    // FD_WRITE passes the same search.
    let ((_, plan), err) = search_would_block(true, 64).expect("caught within 64 cases");
    assert_eq!(plan.rules.len(), 1, "shrunk to one rule: {plan}");
    let text = err.to_string();
    assert!(text.contains("deadlock"), "{text}");
    let command = err.replay_command();
    assert!(text.contains(&command), "{text}");
    assert_replays(&command, &plan, &err, |b| {
        common::servers::run_event_echo(b, true)
    });
    assert!(search_would_block(false, 64).is_none());
}

/// Searches seeds and `pend_strategy` plans (overlapped calls pending instead of completing at
/// once) for a run the IOCP framing server fails; the shrunk input and its error.
fn search_pend(buggy: bool, cases: u32) -> Option<((u64, FaultPlan), SimError)> {
    use common::servers::run_iocp_echo;
    search_with(FaultPlan::pend_strategy(), cases, |b| {
        run_iocp_echo(b, buggy)
    })
}

#[test]
fn overlapped_reused_while_pending_is_caught_explained_and_replays() {
    // Proves: an IOCP server that issues its second WSASend with the OVERLAPPED of the first,
    // assuming the first is over because WSASend usually completes at once, is caught within
    // 64 proptest cases of seeds and Pend plans; the failure's timeline names the cause
    // ("OVERLAPPED reused while its I/O is pending"); the shrunk plan is one rule; the printed
    // replay reruns exactly that run; and the server that gives each I/O its own OVERLAPPED
    // passes the same search.
    let ((_, plan), err) = search_pend(true, 64).expect("caught within 64 cases");
    assert_eq!(plan.rules.len(), 1, "shrunk to one rule: {plan}");
    let text = err.to_string();
    assert!(
        text.contains("OVERLAPPED reused while its I/O is pending"),
        "{text}"
    );
    // Among the misuses too, with the call, the thread and what Windows would have done.
    assert!(
        text.contains("misuses of the API")
            && text.contains("WSASend with OVERLAPPED")
            && text.contains("while an operation it started is still pending"),
        "{text}"
    );
    let command = err.replay_command();
    assert_replays(&command, &plan, &err, |b| {
        common::servers::run_iocp_echo(b, true)
    });
    assert!(search_pend(false, 64).is_none());
}

/// Searches seeds and reset plans for a run the IOCP context server fails; the shrunk input's
/// replay and its error.
fn search_context(buggy: bool, cases: u32) -> Option<((u64, FaultPlan), SimError)> {
    use common::servers::run_iocp_context;
    use std::net::IpAddr;
    let hosts = vec![IpAddr::from([192, 0, 2, 1]), IpAddr::from([192, 0, 2, 2])];
    search_with(FaultPlan::reset_strategy(hosts, 40), cases, |b| {
        run_iocp_context(b, buggy)
    })
}

#[test]
fn context_freed_while_io_pending_is_caught_and_replays() {
    // Proves: an IOCP server that frees its per-connection context on the first error packet,
    // while the connection's other I/O (a send waiting for buffer space) is still pending, is
    // caught within 64 proptest cases of seeds and reset plans: the late completion finds the
    // slot freed. The shrunk plan is one rule, the printed replay reruns exactly that run, and
    // the server that frees the context after the last pending I/O passes the same search.
    let ((_, plan), err) = search_context(true, 64).expect("caught within 64 cases");
    assert_eq!(plan.rules.len(), 1, "shrunk to one rule: {plan}");
    let text = err.to_string();
    assert!(
        text.contains("freed while that I/O was still pending"),
        "{text}"
    );
    assert_replays(&err.replay_command(), &plan, &err, |b| {
        common::servers::run_iocp_context(b, true)
    });
    assert!(search_context(false, 64).is_none());
}

/// Searches seeds and `plans` for a run the drain-then-reset WSAEventSelect server fails; the
/// shrunk input and its error.
fn search_drain_then_reset(
    plans: impl Strategy<Value = FaultPlan>,
    buggy: bool,
    cases: u32,
) -> Option<((u64, FaultPlan), SimError)> {
    search_with(plans, cases, |b| {
        common::servers::run_drain_then_reset(b, buggy)
    })
}

#[test]
fn event_reset_after_draining_is_caught_only_when_threads_stall() {
    // Proves: a WSAEventSelect server that resets its manual-reset event after draining the
    // socket (losing an FD_READ recorded between its last recv and the reset) is caught within
    // 64 cases of seeds and Stall plans; the shrunk plan is one rule and the failure a
    // deadlock whose timeline shows the stall; the printed replay reruns exactly that run;
    // the server that resets before draining passes the same search. Without stalls the
    // same 64 cases of seeds and TCP faults never catch it: a simulated thread's code takes
    // no virtual time, so nothing arrives between its recv and its reset unless it stalls.
    let ((_, plan), err) = search_drain_then_reset(FaultPlan::stall_strategy(), true, 64)
        .expect("caught within 64 cases");
    assert_eq!(plan.rules.len(), 1, "shrunk to one rule: {plan}");
    let text = err.to_string();
    assert!(text.contains("deadlock"), "{text}");
    assert!(text.contains("thread stalled"), "{text}");
    let command = err.replay_command();
    assert!(text.contains(&command), "{text}");
    assert_replays(&command, &plan, &err, |b| {
        common::servers::run_drain_then_reset(b, true)
    });
    assert!(search_drain_then_reset(FaultPlan::stall_strategy(), false, 64).is_none());
    assert!(search_drain_then_reset(FaultPlan::tcp_strategy(), true, 64).is_none());
}

#[test]
fn next_receive_posted_before_the_send_is_caught_only_when_threads_stall() {
    // Proves: an IOCP server with two workers that posts a connection's next receive before
    // it sends what the last one brought is caught within 64 cases of seeds and Stall plans
    // (the echo comes back out of order: the other worker sent the next receive's bytes
    // while the first was off its processor between its two calls), shrunk to one rule and
    // replayed exactly; the server that sends first passes the same search; 64 cases of
    // TCP faults without stalls never catch it.
    let search = |plans: BoxedStrategy<FaultPlan>, buggy: bool| {
        search_with(plans, 64, |b| {
            common::servers::run_two_worker_echo(b, buggy)
        })
    };
    let ((_, plan), err) =
        search(FaultPlan::stall_strategy().boxed(), true).expect("caught within 64 cases");
    assert_eq!(plan.rules.len(), 1, "shrunk to one rule: {plan}");
    let text = err.to_string();
    assert!(text.contains("out of order"), "{text}");
    assert!(text.contains("thread stalled"), "{text}");
    assert_replays(&err.replay_command(), &plan, &err, |b| {
        common::servers::run_two_worker_echo(b, true)
    });
    assert!(search(FaultPlan::stall_strategy().boxed(), false).is_none());
    assert!(search(FaultPlan::tcp_strategy().boxed(), true).is_none());
}
