//! `SimBuilder::trace(false)` (issue 13: no trace work when no one reads the trace): a run
//! without the trace is the same run as with it (same virtual time, counters and thread
//! outcomes; only the hash and length it reports are 0), and a failure it ends in says that
//! its timeline was not kept, writes no picture, and replays (`SimBuilder::replay`, which
//! turns the trace on) into the same failure with the timeline a traced run has.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::{
    PictureFile, Report, Segmentation, Sim, SimBuilder, SimError, SimErrorKind,
};

const PORT: u16 = 7100;

/// Sends all of `data` (a blocking send may take part of it).
fn send_all<W: Winsock>(ws: &W, s: Socket, mut data: &[u8]) -> Result<(), WsaError> {
    while !data.is_empty() {
        let n = ws.send(s, data, 0)?;
        data = &data[n..];
    }
    Ok(())
}

/// An echo server (a daemon: a thread per connection) and three clients on another host,
/// each sending five 40-byte messages and reading each echo back whole.
fn echo(builder: SimBuilder) -> Report {
    let mut sim = builder.segmentation(Segmentation::Random).build();
    let server = sim.host("server", "192.0.2.1");
    let clients = sim.host("clients", "192.0.2.2");
    server.spawn_daemon("echo", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, SOMAXCONN)?;
        loop {
            let (c, _) = ws.accept(l)?;
            ws.create_thread("conn", move |ws| {
                let mut buf = [0u8; 64];
                loop {
                    let n = ws.recv(c, &mut buf, 0)?;
                    if n == 0 {
                        return ws.closesocket(c);
                    }
                    send_all(ws, c, &buf[..n])?;
                }
            })?;
        }
    });
    for i in 0..3u8 {
        clients.spawn("client", move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
            for m in 0..5u8 {
                let msg = [i * 16 + m; 40];
                send_all(ws, s, &msg)?;
                assert_eq!(common::recv_exact(ws, s, msg.len())?, msg);
            }
            ws.closesocket(s)
        });
    }
    sim.run().expect("the echo completes")
}

/// A server that accepts, reads "hello" and then fails on purpose; a client that sends it.
fn failing(builder: SimBuilder) -> SimError {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, SOMAXCONN)?;
        let (c, _) = ws.accept(l)?;
        common::recv_exact(ws, c, 5)?;
        Err(WsaError::WSAECONNRESET)
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        ws.send(s, b"hello", 0)?;
        let mut buf = [0u8; 8];
        let _ = ws.recv(s, &mut buf, 0);
        ws.closesocket(s)
    });
    sim.run().expect_err("the server fails on purpose")
}

#[test]
fn a_run_without_the_trace_is_the_same_run() {
    for seed in 1..=20 {
        let on = echo(Sim::builder().seed(seed));
        let off = echo(Sim::builder().seed(seed).trace(false));
        assert_ne!(on.trace_hash, 0, "seed {seed}");
        assert!(on.trace_len > 100, "seed {seed}: {} records", on.trace_len);
        assert_eq!((off.trace_hash, off.trace_len), (0, 0), "seed {seed}");
        assert_eq!(off.virtual_time, on.virtual_time, "seed {seed}");
        // The same work; which stacks the threads ran on is the pool's (earlier runs').
        let work = |r: &Report| {
            let s = r.stats;
            (
                s.calls,
                s.switches,
                s.segments,
                s.bytes,
                s.threads_peak,
                s.stacks_mapped + s.stacks_reused,
            )
        };
        assert_eq!(work(&off), work(&on), "seed {seed}");
        assert_eq!(off.threads, on.threads, "seed {seed}");
        assert!(
            on.stats.segments > 20 && on.stats.switches > 20,
            "seed {seed}"
        );
    }
}

#[test]
fn a_failure_without_the_trace_says_so_and_its_replay_has_the_timeline() {
    let off = failing(Sim::builder().seed(5).trace(false));
    assert_eq!(off.kind, SimErrorKind::ThreadFailed);
    assert!(off.last_trace.is_empty());
    assert_eq!(off.trace_hash, 0);
    assert_eq!(off.picture.total_records, 0);
    match &off.picture.file {
        PictureFile::NotWritten(why) => assert!(why.contains("trace(false)"), "{why}"),
        PictureFile::Written(path) => panic!("a picture without records: {}", path.display()),
    }
    let text = off.to_string();
    assert!(text.contains("no trace records"), "{text}");
    assert!(text.contains("WINSOCK_SIM_REPLAY="), "{text}");

    // The replay line's run, from a builder that still says "off": the same failure at the
    // same virtual time, with the timeline and hash of the run traced from the start.
    let replayed = failing(Sim::builder().trace(false).replay(&off.replay));
    let traced = failing(Sim::builder().seed(5));
    assert_eq!(replayed.kind, off.kind);
    assert_eq!(replayed.virtual_time, off.virtual_time);
    assert_eq!(replayed.threads, off.threads);
    assert!(!replayed.last_trace.is_empty());
    assert_eq!(replayed.last_trace, traced.last_trace);
    assert_eq!(replayed.trace_hash, traced.trace_hash);
    assert_ne!(replayed.trace_hash, 0);
    assert!(replayed.to_string().contains("timeline (last trace lines"));
}

#[test]
fn a_full_trace_keeps_the_trace_on() {
    let full = echo(Sim::builder().seed(2).trace(false).full_trace(true));
    let on = echo(Sim::builder().seed(2));
    assert_eq!(
        (full.trace_hash, full.trace_len),
        (on.trace_hash, on.trace_len)
    );
}
