//! The simulator at scale: 10,000 client threads, stacks reused after threads finish, each
//! thread its own stack, and the simulated CPU count GetSystemInfo reports. Helpers in
//! `common/runtime.rs`.

mod common;

use common::runtime::{threaded_echo_server, try_run, PORT};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

/// One client of the scale test: retries a refused connect on a fresh socket.
fn scale_client(ws: &SimWinsock, id: usize) -> Result<(), WsaError> {
    ws.sleep((id % 100) as u32);
    let s = loop {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        match ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT)) {
            Ok(()) => break s,
            Err(WsaError::WSAECONNREFUSED) => {
                ws.closesocket(s)?;
                ws.sleep(10 + (id % 37) as u32);
            }
            Err(e) => return Err(e),
        }
    };
    let msg = (id as u64).to_le_bytes();
    ws.send(s, &msg, 0)?;
    let mut back = [0u8; 8];
    assert_eq!(ws.recv(s, &mut back, MSG_WAITALL)?, 8);
    assert_eq!(back, msg, "client {id}");
    ws.closesocket(s)
}

// Proves: 10,000 simulated client threads, each with its own connection to a
// thread-per-connection echo server (so up to 20,000 coroutines), run to completion.
#[test]
fn ten_thousand_client_threads() {
    const CLIENTS: usize = 10_000;
    let mut sim = Sim::builder().seed(10).stack_size(64 * 1024).build();
    let server = sim.host("server", "192.0.2.1");
    let clients = sim.host("clients", "192.0.2.2");
    server.spawn_daemon("server", |ws| threaded_echo_server(ws, PORT));
    let done = Arc::new(AtomicUsize::new(0));
    for id in 0..CLIENTS {
        let done = done.clone();
        clients.spawn("client", move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            scale_client(ws, id)?;
            done.fetch_add(1, Ordering::Relaxed);
            Ok(())
        });
    }
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.load(Ordering::Relaxed), CLIENTS);
    let served = report.threads.iter().filter(|t| t.name == "conn").count();
    assert_eq!(served, CLIENTS, "one server thread per connection");
}

// Proves: a thread created after another has finished runs on the finished thread's stack
// (Stats counts it reused, not mapped), so a server that starts and ends a thread per
// connection one after another keeps two stacks, not one per connection.
#[test]
fn finished_threads_stacks_are_reused() {
    const ROUNDS: u32 = 40;
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let report = try_run(11, move |ws| {
        for i in 0..ROUNDS {
            let counter = counter.clone();
            let t = ws.create_thread("worker", move |ws| {
                ws.sleep(i % 3);
                counter.fetch_add(1, Ordering::Relaxed);
                Ok(())
            })?;
            ws.wait_for_thread(t, INFINITE)?;
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ran.load(Ordering::Relaxed), ROUNDS as usize);
    let st = report.stats;
    // "main" and one worker at a time.
    assert_eq!(st.threads_peak, 2, "{st:?}");
    assert_eq!(st.stacks_mapped, 2, "{st:?}");
    assert_eq!(st.stacks_reused, u64::from(ROUNDS) - 1, "{st:?}");
}

// Proves: threads alive at the same time each get a stack of their own (none is handed out
// twice), and the peak counts them all.
#[test]
fn concurrent_threads_each_have_a_stack() {
    const WORKERS: u32 = 12;
    let report = try_run(12, |ws| {
        let mut threads = Vec::new();
        for i in 0..WORKERS {
            threads.push(ws.create_thread("worker", move |ws| {
                ws.sleep(5 + i);
                Ok(())
            })?);
        }
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        // A second wave after the first has ended: it runs on the first wave's stacks.
        let mut threads = Vec::new();
        for _ in 0..WORKERS {
            threads.push(ws.create_thread("again", |ws| {
                ws.sleep(1);
                Ok(())
            })?);
        }
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let st = report.stats;
    assert_eq!(st.threads_peak, u64::from(WORKERS) + 1, "{st:?}");
    assert_eq!(st.stacks_mapped, u64::from(WORKERS) + 1, "{st:?}");
    assert_eq!(st.stacks_reused, u64::from(WORKERS), "{st:?}");
}

#[test]
fn get_system_info_reports_the_sims_cpu_count() {
    // Proves: GetSystemInfo's processor count is the builder's `cpus` (default 2), so servers
    // that size their worker pools by it behave the same on every machine.
    for (builder, cpus) in [(Sim::builder(), 2), (Sim::builder().cpus(6), 6)] {
        common::run_with(builder.seed(1), move |ws| {
            assert_eq!(ws.get_system_info().number_of_processors, cpus);
            Ok(())
        });
    }
}
