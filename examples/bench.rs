//! Echo benchmark: C clients × M messages × B bytes through a thread-per-connection blocking
//! echo server, all in the simulator. Prints messages per second of wall time.
//!
//! ```text
//! cargo run --release --example bench -- --clients 100 --messages 1000 --bytes 64
//! ```

use std::time::Instant;

use winsock_sim::prelude::*;
use winsock_sim::sim::{AckPolicy, Segmentation, Sim};

const PORT: u16 = 9000;

fn serve_connection<W: Winsock>(ws: &W, conn: Socket) -> Result<(), WsaError> {
    let mut buf = vec![0u8; 4096];
    loop {
        let n = ws.recv(conn, &mut buf, 0)?;
        if n == 0 {
            break;
        }
        let mut sent = 0;
        while sent < n {
            sent += ws.send(conn, &buf[sent..n], 0)?;
        }
    }
    ws.closesocket(conn)
}

fn echo_server<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], PORT))?;
    // Room for every client connecting at once (SOMAXCONN alone is 200 on Windows).
    ws.listen(listener, somaxconn_hint(65_535))?;
    loop {
        let (conn, _peer) = ws.accept(listener)?;
        ws.create_thread("conn", move |ws| serve_connection(ws, conn))?;
    }
}

fn client<W: Winsock>(ws: &W, messages: usize, bytes: usize, id: usize) -> Result<(), WsaError> {
    // With thousands of clients connecting at once the backlog (SOMAXCONN = 200) overflows and
    // Windows refuses the excess: retry, as a real client would.
    let s = loop {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        match ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT)) {
            Ok(()) => break s,
            Err(WsaError::WSAECONNREFUSED) => {
                ws.closesocket(s)?;
                ws.sleep(50);
            }
            Err(e) => return Err(e),
        }
    };
    let msg: Vec<u8> = (0..bytes).map(|i| (i + id) as u8).collect();
    let mut back = vec![0u8; bytes];
    for _ in 0..messages {
        ws.send(s, &msg, 0)?;
        let n = ws.recv(s, &mut back, MSG_WAITALL)?;
        assert_eq!(n, bytes);
        assert_eq!(back, msg, "echo differs");
    }
    ws.closesocket(s)
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
    let mut sim = Sim::builder()
        .seed(seed)
        .stack_size(stack * 1024)
        .preemption(u64::from(preempt > 0), preempt.max(1))
        .segmentation(segmentation)
        .tcp_acks(acks)
        .build();
    let server = sim.host("server", "192.0.2.1");
    let client_host = sim.host("clients", "192.0.2.2");
    server.spawn_daemon("echo-server", echo_server);
    client_host.spawn("starter", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let mut threads = Vec::new();
        for id in 0..clients {
            threads.push(ws.create_thread("client", move |ws| client(ws, messages, bytes, id))?);
        }
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        Ok(())
    });
    let start = Instant::now();
    let report = match sim.run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let wall = start.elapsed();
    let total = clients * messages;
    println!("echo benchmark (simulated, seed {seed})");
    println!("  clients         {clients}");
    println!("  messages        {total} ({messages} per client, {bytes} B each)");
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
