//! What the echo-server examples share: the clients, the simulation set-up, the summary.
//! Each example supplies only its server, written against the WinSock traits.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimError, SimWinsock};

/// The port every example server listens on.
pub const PORT: u16 = 9000;

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The model's name.
    pub model: &'static str,
    /// Clients served.
    pub clients: usize,
    /// Messages echoed.
    pub messages: usize,
    /// Bytes echoed and verified.
    pub bytes: usize,
    /// Virtual time of the run.
    pub virtual_time: Duration,
    /// Wall time of the run.
    pub wall: Duration,
    /// The trace hash (equal for equal seeds).
    pub trace_hash: u64,
}

impl Summary {
    /// Prints the summary, one figure per line.
    pub fn print(&self, seed: u64) {
        println!("{} echo server in the simulator (seed {seed})", self.model);
        println!("  clients       {}", self.clients);
        println!("  messages      {}", self.messages);
        println!("  bytes echoed  {}", self.bytes);
        println!("  virtual time  {:.3} s", self.virtual_time.as_secs_f64());
        println!("  wall time     {:.3} s", self.wall.as_secs_f64());
        println!("  trace hash    {:#018x}", self.trace_hash);
    }
}

/// One blocking client: connect (retrying while the backlog is full), send `messages` messages
/// of varied sizes, read each echo back in full and compare; returns the bytes verified.
pub fn client<W: Winsock>(ws: &W, id: usize, messages: usize) -> Result<usize, WsaError> {
    client_to(ws, SockAddr::v4([192, 0, 2, 1], PORT), id, messages)
}

/// [`client`] against the server at `server`.
pub fn client_to<W: Winsock>(
    ws: &W,
    server: SockAddr,
    id: usize,
    messages: usize,
) -> Result<usize, WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = loop {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        match ws.connect(s, &server) {
            Ok(()) => break s,
            Err(WsaError::WSAECONNREFUSED) => {
                ws.closesocket(s)?;
                ws.sleep(100);
            }
            Err(e) => return Err(e),
        }
    };
    let mut verified = 0;
    for m in 0..messages {
        let len = 1 + (id * 31 + m * 17) % 1500;
        let msg: Vec<u8> = (0..len).map(|i| (i + id + m) as u8).collect();
        let mut sent = 0;
        while sent < len {
            sent += ws.send(s, &msg[sent..], 0)?;
        }
        let mut back = vec![0u8; len];
        let n = ws.recv(s, &mut back, MSG_WAITALL)?;
        assert_eq!(n, len, "client {id}: echo cut short");
        assert_eq!(back, msg, "client {id}: echo differs");
        verified += n;
    }
    ws.closesocket(s)?;
    ws.wsa_cleanup()?;
    Ok(verified)
}

/// Runs `server` on host 192.0.2.1 (a daemon) and `clients` clients on 192.0.2.2.
pub fn run_echo<F>(
    model: &'static str,
    seed: u64,
    clients: usize,
    messages: usize,
    server: F,
) -> Result<Summary, SimError>
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    let mut sim = Sim::builder().seed(seed).stack_size(128 * 1024).build();
    let server_host = sim.host("server", "192.0.2.1");
    let client_host = sim.host("clients", "192.0.2.2");
    server_host.spawn_daemon("server", server);
    let bytes = Arc::new(AtomicUsize::new(0));
    for id in 0..clients {
        let bytes = bytes.clone();
        client_host.spawn(&format!("client-{id}"), move |ws| {
            let n = client(ws, id, messages)?;
            bytes.fetch_add(n, Ordering::Relaxed);
            Ok(())
        });
    }
    let start = Instant::now();
    let report = sim.run()?;
    Ok(Summary {
        model,
        clients,
        messages: clients * messages,
        bytes: bytes.load(Ordering::Relaxed),
        virtual_time: report.virtual_time,
        wall: start.elapsed(),
        trace_hash: report.trace_hash,
    })
}

/// `--name value` from the command line, or `default`.
pub fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

/// Parses the common flags, runs, prints; exits non-zero on failure.
pub fn main_with<F>(model: &'static str, default_clients: u64, server: F)
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    let seed = arg("--seed", 1);
    let clients = arg("--clients", default_clients) as usize;
    let messages = arg("--messages", 10) as usize;
    if std::env::args().any(|a| a == "--os") {
        eprintln!("--os: this example runs on the real WinSock on Windows only");
        std::process::exit(2);
    }
    match run_echo(model, seed, clients, messages, server) {
        Ok(s) => s.print(seed),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

/// `--os` (Windows only): runs `server` on the real WinSock (`os::Native`), unchanged, with
/// `clients` client threads on 127.0.0.1 (100 at a time), and prints what was echoed and the
/// wall time. The server's threads end with the process.
#[cfg(windows)]
pub fn run_on_os<F>(model: &'static str, clients: usize, messages: usize, server: F)
where
    F: FnOnce(&winsock_sim::os::Native) -> Result<(), WsaError> + Send + 'static,
{
    let ws = winsock_sim::os::Native::new();
    ws.wsa_startup(WINSOCK_VERSION_2_2).expect("WSAStartup");
    ws.create_thread("server", server).expect("server thread");
    let start = Instant::now();
    let bytes = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let mut running = Vec::new();
    for id in 0..clients {
        let (bytes, served) = (bytes.clone(), served.clone());
        let t = ws.create_thread("client", move |ws| {
            let n = client_to(ws, SockAddr::v4([127, 0, 0, 1], PORT), id, messages)?;
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
    println!("{model} echo server on the real WinSock (os::Native)");
    println!("  clients       {served} of {clients}");
    println!("  messages      {}", served * messages);
    println!("  bytes echoed  {}", bytes.load(Ordering::Relaxed));
    println!("  wall time     {:.3} s", start.elapsed().as_secs_f64());
    if served != clients {
        std::process::exit(1);
    }
}
