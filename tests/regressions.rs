//! Replays every case of fixtures/regressions.txt (seeds and settings under which the
//! simulator once misbehaved; each scenario asserts the fixed behaviour) and every run kept in
//! fixtures/replays.txt (seed, fault plan and options, as a failure prints them).
mod common;

use std::collections::BTreeMap;

use winsock_sim::prelude::*;
use winsock_sim::sim::{Replay, Sim};

struct Case {
    scenario: String,
    seed: u64,
    params: BTreeMap<String, u64>,
}

impl Case {
    fn param(&self, key: &str) -> u64 {
        *self
            .params
            .get(key)
            .unwrap_or_else(|| panic!("{}: missing {key}=", self.scenario))
    }
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/regressions.txt"
    ))
    .expect("fixtures/regressions.txt is readable");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace();
            let scenario = words.next().expect("scenario").to_string();
            let seed = words.next().and_then(|s| s.parse().ok()).expect("seed");
            let params = words
                .map(|kv| {
                    let (k, v) = kv.split_once('=').expect("key=value");
                    (k.to_string(), v.parse().expect("a number"))
                })
                .collect();
            Case {
                scenario,
                seed,
                params,
            }
        })
        .collect()
}

/// A window-limited bulk transfer uses segments near the MSS, not slivers.
fn bulk_transfer(c: &Case) {
    let (bytes, rcvbuf) = (c.param("bytes") as usize, c.param("rcvbuf") as i32);
    let report = common::run_with(Sim::builder().seed(c.seed), move |ws| {
        let (tx, rx) = common::pair(ws)?;
        ws.setsockopt_i32(rx, SOL_SOCKET, SO_RCVBUF, rcvbuf)?;
        let data: Vec<u8> = (0..bytes).map(|i| (i * 7) as u8).collect();
        let expect = data.clone();
        ws.create_thread("sender", move |ws| {
            ws.send(tx, &data, 0)?;
            ws.closesocket(tx)
        })?;
        let got = common::recv_exact(ws, rx, bytes)?;
        assert!(got == expect, "stream intact");
        Ok(())
    });
    let limit = 4 * bytes as u64 / 1460 + 64;
    assert!(
        report.stats.segments < 2 * limit,
        "{} segments for {bytes} bytes (seed {})",
        report.stats.segments,
        c.seed
    );
}

/// A thread polling GetTickCount sees its own timeout when it expires.
fn poller_timeout(c: &Case) {
    let timeout = c.param("timeout_ms") as u32;
    common::run_with(Sim::builder().seed(c.seed), move |ws| {
        // A pending connect to an unreachable host leaves a 3 s SYN timer in the queue.
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.set_nonblocking(s, true)?;
        let _ = ws.connect(s, &SockAddr::v4([198, 51, 100, 9], 80));
        let t0 = ws.get_tick_count();
        let mut now = t0;
        while now - t0 < timeout {
            now = ws.get_tick_count();
        }
        assert!(
            now - t0 <= timeout + 1,
            "saw {} ms for a {timeout} ms timeout",
            now - t0
        );
        Ok(())
    });
}

/// Workers that exit release their completion-port slot to the next waiter.
fn iocp_worker_exit(c: &Case) {
    let (workers, concurrency) = (c.param("workers") as usize, c.param("concurrency") as u32);
    common::run_with(Sim::builder().seed(c.seed), move |ws| {
        let port = ws.create_io_completion_port(concurrency)?;
        let mut threads = Vec::new();
        for _ in 0..workers {
            threads.push(ws.create_thread("worker", move |ws| {
                ws.get_queued_completion_status(port, INFINITE).map(|_| ())
            })?);
        }
        ws.sleep(10);
        for i in 0..workers {
            ws.post_queued_completion_status(port, i, 0, None)?;
        }
        for t in threads {
            ws.wait_for_thread(t, 1000)?;
        }
        Ok(())
    });
}

/// WM_QUIT comes after the messages posted after PostQuitMessage, once.
fn wm_quit_order(c: &Case) {
    common::run_with(Sim::builder().seed(c.seed), |ws| {
        let hwnd = ws.create_window(None)?;
        ws.post_quit_message(3);
        ws.post_quit_message(4);
        ws.post_message(hwnd, WM_USER, 9, 0)?;
        let m = ws
            .get_message(Hwnd::NULL)?
            .expect("the posted message first");
        assert_eq!((m.message, m.wparam), (WM_USER, 9));
        assert_eq!(ws.get_message(Hwnd::NULL)?, None);
        assert_eq!(
            ws.peek_message(Hwnd::NULL, PM_REMOVE)?,
            None,
            "one WM_QUIT only"
        );
        Ok(())
    });
}

#[test]
fn replay_fixtures() {
    let cases = cases();
    assert!(!cases.is_empty(), "fixtures/regressions.txt has cases");
    for c in &cases {
        match c.scenario.as_str() {
            "bulk_transfer" => bulk_transfer(c),
            "poller_timeout" => poller_timeout(c),
            "iocp_worker_exit" => iocp_worker_exit(c),
            "wm_quit_order" => wm_quit_order(c),
            other => panic!("fixtures/regressions.txt: unknown scenario {other:?}"),
        }
    }
}

#[test]
fn replay_fault_fixtures() {
    // Proves: every run kept in fixtures/replays.txt still behaves as its scenario demands
    // (the buggy record server is still caught, the correct one still passes, the leaky
    // echo server still leaks, the event-select server that ignores WSAEWOULDBLOCK after
    // FD_WRITE is still caught and its correct twin passes, and so for the IOCP server that
    // reuses an OVERLAPPED while its send is pending, and for the one that frees a
    // per-connection context while I/O is pending).
    use common::servers::run_records;
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/replays.txt"))
            .expect("fixtures/replays.txt is readable");
    let known = [
        "one_recv_one_message",
        "record_server",
        "leak_on_reset",
        "ignores_would_block",
        "event_echo_server",
        "reuses_pending_overlapped",
        "iocp_echo_server",
        "frees_context_while_pending",
        "iocp_context_server",
    ];
    for line in text.lines().map(str::trim) {
        if let Some(name) = line
            .split_whitespace()
            .next()
            .filter(|w| !w.starts_with('#'))
        {
            assert!(
                known.contains(&name),
                "fixtures/replays.txt: unknown scenario {name:?}"
            );
        }
    }
    let caught = Replay::fixtures(&text, "one_recv_one_message");
    assert!(!caught.is_empty());
    for r in &caught {
        let err = run_records(Sim::builder().replay(r), true);
        assert!(err.is_err(), "{r}: the buggy server is no longer caught");
    }
    for r in Replay::fixtures(&text, "leak_on_reset") {
        let (run, open, _) = common::servers::run_echo(Sim::builder().replay(&r), true);
        assert!(run.is_ok() && open > 1, "{r}: the leak is no longer seen");
    }
    for r in Replay::fixtures(&text, "record_server") {
        if let Err(e) = run_records(Sim::builder().replay(&r), false) {
            panic!("{r}: {e}");
        }
    }
    let dropped = Replay::fixtures(&text, "ignores_would_block");
    assert!(!dropped.is_empty());
    for r in dropped {
        let run = common::servers::run_event_echo(Sim::builder().replay(&r), true);
        assert!(run.is_err(), "{r}: the dropped send is no longer caught");
    }
    for r in Replay::fixtures(&text, "event_echo_server") {
        if let Err(e) = common::servers::run_event_echo(Sim::builder().replay(&r), false) {
            panic!("{r}: {e}");
        }
    }
    let reused = Replay::fixtures(&text, "reuses_pending_overlapped");
    assert!(!reused.is_empty());
    for r in reused {
        let run = common::servers::run_iocp_echo(Sim::builder().replay(&r), true);
        assert!(
            run.is_err(),
            "{r}: the reused OVERLAPPED is no longer caught"
        );
    }
    for r in Replay::fixtures(&text, "iocp_echo_server") {
        if let Err(e) = common::servers::run_iocp_echo(Sim::builder().replay(&r), false) {
            panic!("{r}: {e}");
        }
    }
    let freed = Replay::fixtures(&text, "frees_context_while_pending");
    assert!(!freed.is_empty());
    for r in freed {
        let run = common::servers::run_iocp_context(Sim::builder().replay(&r), true);
        assert!(run.is_err(), "{r}: the freed context is no longer caught");
    }
    for r in Replay::fixtures(&text, "iocp_context_server") {
        if let Err(e) = common::servers::run_iocp_context(Sim::builder().replay(&r), false) {
            panic!("{r}: {e}");
        }
    }
}
