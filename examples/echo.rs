//! The main demonstration: the blocking echo server of the design notes, serving many client
//! threads in the simulator, then a summary (clients, messages, bytes, virtual time, wall time,
//! trace hash). The same seed prints the same hash on every run.
//!
//! ```text
//! cargo run --release --example echo -- [--clients N] [--messages M] [--seed S]
//! cargo run --release --example echo -- --os [--port P]   # the real stack, over 127.0.0.1
//! ```
//!
//! With `--os` the same `echo_server` and `client` functions run, unchanged, on the host's
//! real TCP/IP stack through `os::System` (socket2; on Windows that is ws2_32).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

const PORT: u16 = 7;

/// The design notes' echo server, with one thread per connection so that clients overlap.
fn echo_server<W: Winsock>(ws: &W, port: u16) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], port))?;
    ws.listen(listener, SOMAXCONN)?;
    loop {
        let (conn, _peer) = ws.accept(listener)?;
        ws.create_thread("echo-conn", move |ws| {
            let mut buf = [0u8; 4096];
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
        })?;
    }
}

/// A client: connect, send `messages` lines of varied length, read each echo back in full.
fn client<W: Winsock>(
    ws: &W,
    server: SockAddr,
    id: usize,
    messages: usize,
) -> Result<usize, WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.connect(s, &server)?;
    let mut bytes = 0;
    for m in 0..messages {
        let msg = format!(
            "client {id} message {m} {}\n",
            "x".repeat((id * 7 + m * 13) % 200)
        );
        ws.send(s, msg.as_bytes(), 0)?;
        let mut back = vec![0u8; msg.len()];
        let n = ws.recv(s, &mut back, MSG_WAITALL)?;
        assert_eq!(&back[..n], msg.as_bytes(), "echo of client {id} differs");
        bytes += n;
    }
    ws.shutdown(s, SD_SEND)?;
    let mut tail = [0u8; 1];
    assert_eq!(ws.recv(s, &mut tail, 0)?, 0, "server closes after our FIN");
    ws.closesocket(s)?;
    ws.wsa_cleanup()?;
    Ok(bytes)
}

/// `--os`: the same server and clients on the real stack (`os::System`) over 127.0.0.1,
/// `clients` client threads 100 at a time; prints what was echoed and the wall time. The
/// server's threads end with the process.
fn run_on_os(clients: usize, messages: usize, port: u16) {
    let ws = winsock_sim::os::System::new();
    ws.wsa_startup(WINSOCK_VERSION_2_2).expect("WSAStartup");
    ws.create_thread("echo-server", move |ws| echo_server(ws, port))
        .expect("server thread");
    let addr = SockAddr::v4([127, 0, 0, 1], port);
    // The server thread listens soon; wait until a connection is taken (5 s at most).
    let ready = (0..500).any(|_| {
        let probe = ws
            .socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
            .expect("socket");
        let ok = ws.connect(probe, &addr).is_ok();
        let _ = ws.closesocket(probe);
        if !ok {
            std::thread::sleep(Duration::from_millis(10));
        }
        ok
    });
    if !ready {
        eprintln!("--os: nothing listens on 127.0.0.1:{port} (port taken? try --port)");
        std::process::exit(1);
    }
    let start = Instant::now();
    let bytes = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let mut running = Vec::new();
    for id in 0..clients {
        let (bytes, served) = (bytes.clone(), served.clone());
        let t = ws.create_thread("client", move |ws| {
            let n = client(ws, addr, id, messages)?;
            bytes.fetch_add(n, Ordering::Relaxed);
            served.fetch_add(1, Ordering::Relaxed);
            Ok(())
        });
        running.push(t.expect("client thread"));
        if running.len() == 100 || id + 1 == clients {
            for t in running.drain(..) {
                ws.wait_for_thread(t, 60_000).expect("a client finishes");
            }
        }
    }
    let served = served.load(Ordering::Relaxed);
    println!("blocking echo server on the real TCP/IP stack (os::System, 127.0.0.1:{port})");
    println!("  clients       {served} of {clients}");
    println!("  messages      {}", served * messages);
    println!("  bytes echoed  {}", bytes.load(Ordering::Relaxed));
    println!("  wall time     {:.3} s", start.elapsed().as_secs_f64());
    if served != clients {
        std::process::exit(1);
    }
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients = arg(&args, "--clients", 50) as usize;
    let messages = arg(&args, "--messages", 20) as usize;
    let seed = arg(&args, "--seed", 42);
    if args.iter().any(|a| a == "--os") {
        let port = arg(&args, "--port", 7007) as u16;
        return run_on_os(clients, messages, port);
    }

    let mut sim = Sim::builder().seed(seed).build();
    let server = sim.host("server", "192.0.2.1");
    let client_host = sim.host("clients", "192.0.2.2");
    server.spawn_daemon("echo-server", |ws| echo_server(ws, PORT));
    let total = Arc::new(AtomicUsize::new(0));
    for id in 0..clients {
        let total = total.clone();
        client_host.spawn(&format!("client-{id}"), move |ws| {
            let n = client(ws, SockAddr::v4([192, 0, 2, 1], PORT), id, messages)?;
            total.fetch_add(n, Ordering::Relaxed);
            Ok(())
        });
    }
    let start = Instant::now();
    let report = match sim.run() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let wall = start.elapsed();
    println!("blocking echo server in the simulator (seed {seed})");
    println!("  clients       {clients}");
    println!("  messages      {}", clients * messages);
    println!("  bytes echoed  {}", total.load(Ordering::Relaxed));
    println!("  virtual time  {:.3} s", report.virtual_time.as_secs_f64());
    println!("  wall time     {:.3} s", wall.as_secs_f64());
    println!("  trace hash    {:#018x}", report.trace_hash);
}
