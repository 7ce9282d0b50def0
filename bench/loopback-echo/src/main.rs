//! Echo benchmark on the host's real loopback TCP, shaped as winsock-sim's
//! `examples/bench.rs`: C client threads × M messages × B bytes through an echo server with one
//! OS thread per connection. Prints messages per second of wall time and peak memory.
//!
//! ```text
//! cargo run --release -- --clients 100 --messages 1000 --bytes 64
//! ```

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Instant;

/// Stack of each OS thread: small, so that thousands fit.
const STACK: usize = 128 * 1024;

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

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                thread::Builder::new()
                    .stack_size(STACK)
                    .spawn(move || {
                        let mut buf = vec![0u8; 4096];
                        loop {
                            match conn.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => {
                                    if conn.write_all(&buf[..n]).is_err() {
                                        break;
                                    }
                                }
                            }
                        }
                    })
                    .expect("connection thread");
            }
        })
        .expect("server thread");

    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|id| {
            thread::Builder::new()
                .stack_size(STACK)
                .spawn(move || {
                    let mut s = TcpStream::connect(addr).expect("connect");
                    let msg: Vec<u8> = (0..bytes).map(|i| (i + id) as u8).collect();
                    let mut back = vec![0u8; bytes];
                    for _ in 0..messages {
                        s.write_all(&msg).expect("send");
                        s.read_exact(&mut back).expect("recv");
                        assert_eq!(back, msg, "echo differs");
                    }
                })
                .expect("client thread")
        })
        .collect();
    for t in threads {
        t.join().expect("client");
    }
    let wall = start.elapsed();
    let total = clients * messages;
    println!("echo benchmark (real loopback TCP, OS threads)");
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
