//! The design notes' echo server, unchanged, in the simulator: one connection at a time for
//! many clients, and a thread-per-connection variant under 200 concurrent clients.
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, ThreadOutcome};

const PORT: u16 = 9000;

/// DESIGN.md's blocking echo server exactly as written (plus WSAStartup; `bind` takes the
/// address by reference in the trait).
fn echo_server<W: Winsock>(ws: &W, port: u16) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], port))?;
    ws.listen(listener, SOMAXCONN)?;
    loop {
        let (conn, _peer) = ws.accept(listener)?;
        let mut buf = [0u8; 4096];
        loop {
            let n = ws.recv(conn, &mut buf, 0)?;
            if n == 0 {
                break;
            } // graceful close
            let mut sent = 0;
            while sent < n {
                sent += ws.send(conn, &buf[sent..n], 0)?;
            }
        }
        ws.closesocket(conn)?;
    }
}

/// The same loop body, one thread per accepted connection.
fn threaded_echo_server<W: Winsock>(ws: &W, port: u16) -> Result<(), WsaError> {
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

/// A client: connect, send `messages` messages of varied sizes (some larger than the server's
/// 4 KiB buffer), check each echo byte for byte, half-close and see the server's close.
fn client<W: Winsock>(
    ws: &W,
    id: usize,
    messages: usize,
    server: [u8; 4],
) -> Result<usize, WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.connect(s, &SockAddr::v4(server, PORT))?;
    let mut bytes = 0;
    for m in 0..messages {
        let len = 1 + (id * 977 + m * 4099) % 9000;
        let msg: Vec<u8> = (0..len).map(|i| (i * 7 + id * 13 + m) as u8).collect();
        assert_eq!(
            ws.send(s, &msg, 0)?,
            len,
            "a blocking send takes everything"
        );
        let mut back = vec![0u8; len];
        let n = ws.recv(s, &mut back, MSG_WAITALL)?;
        assert_eq!(
            n, len,
            "client {id} message {m}: MSG_WAITALL returned short"
        );
        assert!(back == msg, "client {id} message {m}: echo differs");
        bytes += len;
    }
    ws.shutdown(s, SD_SEND)?;
    let mut tail = [0u8; 16];
    assert_eq!(ws.recv(s, &mut tail, 0)?, 0, "server closes after our FIN");
    ws.closesocket(s)?;
    ws.wsa_cleanup()?;
    Ok(bytes)
}

fn run_clients(
    seed: u64,
    clients: usize,
    messages: usize,
    threaded: bool,
) -> winsock_sim::sim::Report {
    let mut sim = Sim::builder().seed(seed).stack_size(64 * 1024).build();
    let server = sim.host("server", "192.0.2.1");
    let client_host = sim.host("clients", "192.0.2.2");
    if threaded {
        server.spawn_daemon("echo-server", |ws| threaded_echo_server(ws, PORT));
    } else {
        server.spawn_daemon("echo-server", |ws| echo_server(ws, PORT));
    }
    let done = Arc::new(Mutex::new(Vec::new()));
    for id in 0..clients {
        let done = done.clone();
        client_host.spawn(&format!("client-{id}"), move |ws| {
            let n = client(ws, id, messages, [192, 0, 2, 1])?;
            done.lock().unwrap().push((id, n));
            Ok(())
        });
    }
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    let done = done.lock().unwrap();
    assert_eq!(done.len(), clients, "every client verified its echo");
    let clients_ok = report
        .threads
        .iter()
        .filter(|t| t.name.starts_with("client-"))
        .all(|t| t.outcome == ThreadOutcome::Ok);
    assert!(clients_ok, "{:?}", report.threads);
    report
}

// Proves: DESIGN.md's one-connection-at-a-time server serves 50 concurrent client threads in
// turn (the others wait in the backlog), every echo intact.
#[test]
fn design_echo_server_serves_clients_one_after_another() {
    let report = run_clients(1, 50, 5, false);
    // The server ends blocked in accept: it is a daemon, the run still succeeds.
    let server = &report.threads[0];
    assert_eq!(server.outcome, ThreadOutcome::Unfinished("accept"));
}

// Proves: the sequential server also works across seeds (different interleavings and
// segmentations).
#[test]
fn design_echo_server_across_seeds() {
    for seed in 100..110 {
        run_clients(seed, 8, 3, false);
    }
}

// Proves: clients that connect one after another (each after the previous finished) are all
// served by the sequential server, and the server's state between connections is clean.
#[test]
fn design_echo_server_sequential_clients() {
    let mut sim = Sim::builder().seed(7).build();
    let server = sim.host("server", "192.0.2.1");
    let client_host = sim.host("clients", "192.0.2.2");
    server.spawn_daemon("echo-server", |ws| echo_server(ws, PORT));
    client_host.spawn("driver", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        for id in 0..30 {
            let t = ws.create_thread("client", move |ws| {
                client(ws, id, 3, [192, 0, 2, 1]).map(|_| ())
            })?;
            ws.wait_for_thread(t, INFINITE)?;
        }
        Ok(())
    });
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    assert!(report
        .threads
        .iter()
        .filter(|t| t.name == "client")
        .all(|t| t.outcome == ThreadOutcome::Ok));
    assert_eq!(
        report.threads.iter().filter(|t| t.name == "client").count(),
        30
    );
}

// Proves: the thread-per-connection variant serves 200 concurrent clients (a full SOMAXCONN
// backlog), each verifying its echo.
#[test]
fn threaded_echo_server_200_concurrent_clients() {
    let report = run_clients(2, 200, 3, true);
    let conns = report
        .threads
        .iter()
        .filter(|t| t.name == "echo-conn")
        .count();
    assert_eq!(conns, 200, "one server thread per connection");
    assert!(report
        .threads
        .iter()
        .filter(|t| t.name == "echo-conn")
        .all(|t| t.outcome == ThreadOutcome::Ok));
}
