//! The echo benchmark's two shapes (examples/bench), run as tests: every echo is checked
//! byte for byte inside the shapes themselves, each seed replays to the same trace hash, and
//! the completion-port shape holds its connections without a thread each.

#[path = "../examples/bench/iocp.rs"]
mod iocp;
#[path = "../examples/bench/threads.rs"]
mod threads;

use winsock_sim::sim::{Report, Sim};

const SERVER: [u8; 4] = [192, 0, 2, 1];
const PORT: u16 = 9000;

fn message(bytes: usize, id: usize) -> Vec<u8> {
    (0..bytes).map(|i| (i + id) as u8).collect()
}

fn run(iocp: bool, seed: u64, clients: usize, messages: usize) -> Report {
    let mut sim = Sim::builder().seed(seed).build();
    let server = sim.host("server", "192.0.2.1");
    let client_host = sim.host("clients", "192.0.2.2");
    if iocp {
        server.spawn_daemon("echo-server", iocp::echo_server);
        client_host.spawn("clients", move |ws| {
            iocp::clients(ws, clients, messages, 64)
        });
    } else {
        server.spawn_daemon("echo-server", threads::echo_server);
        client_host.spawn("starter", move |ws| {
            threads::clients(ws, clients, messages, 64)
        });
    }
    sim.run().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn thread_per_connection_shape_echoes_and_replays() {
    for seed in 1..=3 {
        let a = run(false, seed, 50, 5);
        assert_eq!(
            a.stats.threads_peak,
            2 * 50 + 2,
            "a thread per client and connection"
        );
        assert_eq!(run(false, seed, 50, 5).trace_hash, a.trace_hash);
    }
}

/// Past 512 live threads the run loop prefetches the stacks of the threads the next eight
/// deliveries will wake (a cache hint that must change nothing): 300 connections, 602
/// threads.
#[test]
fn thread_per_connection_shape_replays_with_hundreds_of_threads() {
    let (a, b) = (run(false, 7, 300, 3), run(false, 7, 300, 3));
    assert_eq!(a.stats.threads_peak, 2 * 300 + 2);
    assert_eq!((a.trace_hash, a.stats.calls), (b.trace_hash, b.stats.calls));
}

#[test]
fn completion_port_shape_echoes_with_a_few_threads_and_replays() {
    for seed in 1..=3 {
        let a = run(true, seed, 300, 5);
        // The accepting thread, one worker per simulated CPU (2), the client driver.
        assert_eq!(a.stats.threads_peak, 4, "no thread per connection");
        assert_eq!(run(true, seed, 300, 5).trace_hash, a.trace_hash);
    }
}
