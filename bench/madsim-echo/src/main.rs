//! Echo benchmark on madsim (a deterministic async simulator), shaped as winsock-sim's
//! `examples/bench.rs`: C clients × M messages × B bytes through an echo server with one task
//! per connection, server and clients on two simulated nodes. Prints messages per second of
//! wall time and peak memory. Build with RUSTFLAGS="--cfg madsim".
//!
//! ```text
//! RUSTFLAGS="--cfg madsim" cargo run --release -- --clients 100 --messages 1000 --bytes 64
//! ```

use std::net::SocketAddr;
use std::time::Instant;

use madsim::net::{TcpListener, TcpStream};
use madsim::runtime::Runtime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

    let runtime = Runtime::with_seed_and_config(seed, madsim::Config::default());
    let server_addr: SocketAddr = "10.0.0.1:9000".parse().unwrap();
    let server = runtime.create_node().ip(server_addr.ip()).build();
    let client_node = runtime
        .create_node()
        .ip("10.0.0.2".parse().unwrap())
        .build();
    let start = Instant::now();
    runtime.block_on(async move {
        server.spawn(async move {
            let listener = TcpListener::bind(server_addr).await.unwrap();
            loop {
                let (mut conn, _) = listener.accept().await.unwrap();
                madsim::task::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    loop {
                        let n = conn.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        // madsim's TcpStream sends what was written on flush.
                        conn.write_all(&buf[..n]).await.unwrap();
                        conn.flush().await.unwrap();
                    }
                });
            }
        });
        // Let the server bind first.
        madsim::time::sleep(std::time::Duration::from_millis(1)).await;
        let starter = client_node.spawn(async move {
            let mut tasks = Vec::new();
            for id in 0..clients {
                tasks.push(madsim::task::spawn(async move {
                    let mut s = TcpStream::connect(server_addr).await.unwrap();
                    let msg: Vec<u8> = (0..bytes).map(|i| (i + id) as u8).collect();
                    let mut back = vec![0u8; bytes];
                    for _ in 0..messages {
                        s.write_all(&msg).await.unwrap();
                        s.flush().await.unwrap();
                        s.read_exact(&mut back).await.unwrap();
                        assert_eq!(back, msg, "echo differs");
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
        });
        starter.await.unwrap();
    });
    let wall = start.elapsed();
    let total = clients * messages;
    println!("echo benchmark (madsim, seed {seed})");
    println!("  clients         {clients}");
    println!("  messages        {total} ({messages} per client, {bytes} B each)");
    println!("  wall time       {:.3} s", wall.as_secs_f64());
    println!(
        "  messages/s      {:.0} (wall)",
        total as f64 / wall.as_secs_f64()
    );
    if let Ok(s) = std::fs::read_to_string("/proc/self/status") {
        if let Some(l) = s.lines().find(|l| l.starts_with("VmHWM")) {
            println!(
                "  peak memory     {}",
                l.trim_start_matches("VmHWM:").trim()
            );
        }
    }
}
