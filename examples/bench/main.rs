//! Echo benchmark: C clients × M messages × B bytes through an echo server, all in the
//! simulator. Prints messages per second of wall time. Two shapes of the same echo:
//! `--model threads` (the default): a blocking thread per connection on both sides, as
//! madsim's tasks and the loopback benchmark's OS threads; `--model iocp`: a completion port
//! with one worker per CPU on the server and one thread driving every client connection, as
//! Windows servers hold thousands of connections.
//!
//! ```text
//! cargo run --release --example bench -- --clients 100 --messages 1000 --bytes 64
//! cargo run --release --example bench -- --model iocp --clients 10000 --messages 10
//! cargo run --release --example bench -- --runs 2000 --clients 2 --messages 10
//! ```
//!
//! `--runs N` runs N seeds one after the other, as a property test does, and prints runs per
//! second. `--no-trace` runs without the trace (`SimBuilder::trace(false)`: nothing recorded
//! or hashed, the trace hash printed as 0), as a property test's passing cases can.

mod iocp;
mod threads;

use std::time::Instant;

use winsock_sim::sim::{AckPolicy, Segmentation, Sim};

/// The echo server's address and port.
const SERVER: [u8; 4] = [192, 0, 2, 1];
const PORT: u16 = 9000;

/// Client `id`'s message: `bytes` bytes that differ from client to client.
fn message(bytes: usize, id: usize) -> Vec<u8> {
    (0..bytes).map(|i| (i + id) as u8).collect()
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients = arg(&args, "--clients", 100);
    let messages = arg(&args, "--messages", 1000);
    let bytes = arg(&args, "--bytes", 64);
    let seed = arg(&args, "--seed", 1) as u64;
    let stack = arg(&args, "--stack-kib", 64);
    let preempt = arg(&args, "--preempt-den", 8) as u64;
    let iocp = match args
        .iter()
        .position(|a| a == "--model")
        .map(|i| args.get(i + 1))
    {
        None => false,
        Some(Some(m)) if m == "threads" => false,
        Some(Some(m)) if m == "iocp" => true,
        Some(m) => panic!("--model threads|iocp, not {m:?}"),
    };
    let segmentation = if args.iter().any(|a| a == "--full-segments") {
        Segmentation::Mss
    } else {
        Segmentation::Random
    };

    // `--immediate-acks`: no delayed ACK and no Nagle (the behaviour before Windows' timing).
    let acks = if args.iter().any(|a| a == "--immediate-acks") {
        AckPolicy::Immediate
    } else {
        AckPolicy::Windows
    };
    let trace = !args.iter().any(|a| a == "--no-trace");
    // `--runs N`: N runs, seeds `seed` to `seed + N - 1`, each built, run and dropped, as a
    // property test runs its cases: the figure is runs per second.
    let runs = arg(&args, "--runs", 1).max(1);
    let one = |seed: u64| {
        let mut sim = Sim::builder()
            .seed(seed)
            .stack_size(stack * 1024)
            .preemption(u64::from(preempt > 0), preempt.max(1))
            .segmentation(segmentation)
            .tcp_acks(acks)
            .trace(trace)
            .build();
        let server = sim.host("server", "192.0.2.1");
        let client_host = sim.host("clients", "192.0.2.2");
        if iocp {
            server.spawn_daemon("echo-server", iocp::echo_server);
            client_host.spawn("clients", move |ws| {
                iocp::clients(ws, clients, messages, bytes)
            });
        } else {
            server.spawn_daemon("echo-server", threads::echo_server);
            client_host.spawn("starter", move |ws| {
                threads::clients(ws, clients, messages, bytes)
            });
        }
        match sim.run() {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    };
    let start = Instant::now();
    let mut report = one(seed);
    for n in 1..runs {
        report = one(seed + n as u64);
    }
    let wall = start.elapsed();
    let total = clients * messages * runs;
    if runs > 1 {
        println!(
            "echo benchmark (simulated, {runs} runs, seeds {seed} to {})",
            seed + runs as u64 - 1
        );
    } else {
        println!("echo benchmark (simulated, seed {seed})");
    }
    println!(
        "  model           {}",
        if iocp {
            "iocp"
        } else {
            "thread per connection"
        }
    );
    println!("  clients         {clients}");
    println!("  messages        {total} ({messages} per client, {bytes} B each)");
    if runs > 1 {
        println!(
            "  runs/s          {:.0} (wall; each run builds, runs and drops a Sim)",
            runs as f64 / wall.as_secs_f64()
        );
    }
    println!("  bytes echoed    {}", total * bytes);
    println!(
        "  virtual time    {:.3} s",
        report.virtual_time.as_secs_f64()
    );
    println!("  wall time       {:.3} s", wall.as_secs_f64());
    println!(
        "  messages/s      {:.0} (wall)",
        total as f64 / wall.as_secs_f64()
    );
    println!("  thread switches {}", report.stats.switches);
    println!("  segments        {}", report.stats.segments);
    println!("  calls           {}", report.stats.calls);
    println!(
        "  threads peak    {} (stacks mapped {}, reused {})",
        report.stats.threads_peak, report.stats.stacks_mapped, report.stats.stacks_reused
    );
    // With several runs, the figures from here on are the last run's.
    println!("  trace hash      {:#018x}", report.trace_hash);
    if let Ok(s) = std::fs::read_to_string("/proc/self/status") {
        if let Some(l) = s.lines().find(|l| l.starts_with("VmHWM")) {
            println!(
                "  peak memory     {}",
                l.trim_start_matches("VmHWM:").trim()
            );
        }
    }
}
