//! Issue 9: random API sequences never panic, never hang, never act on a recycled handle.
//! One test per item of the issue, each through the public API; runs that could hang are
//! run on a helper OS thread under a wall-clock watchdog (the harness's, never the sim's).
mod common;

use std::sync::mpsc;
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::{
    FaultPlan, FaultRule, SegmentFilter, Sim, SimBuilder, SimErrorKind, ThreadOutcome,
};

/// Runs `f` on a helper OS thread and fails the test if it has not returned within `secs`
/// seconds of wall time (a hang), or if it panicked.
fn watchdog<T: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let h = std::thread::Builder::new()
        .name(format!("watchdog: {what}"))
        .spawn(move || {
            let r = f();
            let _ = tx.send(());
            r
        })
        .expect("spawn helper thread");
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => h.join().unwrap_or_else(|_| panic!("{what}: panicked")),
        Err(mpsc::RecvTimeoutError::Disconnected) => match h.join() {
            Ok(v) => v,
            Err(p) => std::panic::resume_unwind(p),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: still running after {secs} s"),
    }
}

/// Runs `body` as the one thread of a host after WSAStartup, under the watchdog.
fn run_guarded<F>(what: &'static str, builder: SimBuilder, body: F)
where
    F: FnOnce(&winsock_sim::sim::SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    watchdog(20, what, move || common::run_with(builder, body));
}

fn udp<W: Winsock>(ws: &W) -> Result<Socket, WsaError> {
    ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
}

// ---------------------------------------------------------------------------------------
// Item 1.

/// Overlapped WSASend on a UDP socket: WSAENOTCONN unconnected, one datagram when connected.
#[test]
fn issue9_1_overlapped_wsasend_on_udp() {
    run_guarded("overlapped WSASend on UDP", Sim::builder(), |ws| {
        let u = udp(ws)?;
        let r = ws.wsa_send_overlapped(u, vec![b"x".to_vec()], 0, Overlapped::new(1), None);
        common::fails(ws, r, WsaError::WSAENOTCONN, "unconnected UDP WSASend");

        let rx = udp(ws)?;
        ws.bind(rx, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let to = ws.getsockname(rx)?;
        ws.connect(u, &to)?;
        let ev = ws.wsa_create_event()?;
        let n = ws.wsa_send_overlapped(
            u,
            vec![b"he".to_vec(), b"llo".to_vec()],
            0,
            Overlapped::with_event(2, ev),
            None,
        )?;
        assert_eq!(n, 5, "completes at once with the byte count");
        let c = ws.wsa_get_overlapped_result(u, &Overlapped::with_event(2, ev), true)?;
        assert_eq!((c.error, c.bytes), (None, 5));
        let mut buf = [0u8; 16];
        let (k, _) = ws.recvfrom(rx, &mut buf, 0)?;
        assert_eq!(&buf[..k], b"hello");
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// Item 2. Thread A blocks on a socket; thread B closes it and opens a new one that gets
// the same handle value (and the same internal slot), then gives it traffic. A must fail
// with WSAEINTR, never return B's data or connection.

/// A blocked recvfrom whose UDP socket is closed and replaced fails with WSAEINTR.
#[test]
fn issue9_2_blocked_recvfrom_on_recycled_handle() {
    run_guarded("recvfrom on recycled handle", Sim::builder(), |ws| {
        let u = udp(ws)?;
        ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let addr = ws.getsockname(u)?;
        let b = ws.create_thread("B", move |ws| {
            ws.sleep(10);
            ws.closesocket(u)?;
            let u2 = udp(ws)?;
            assert_eq!(u2, u, "the handle value is recycled (the scenario)");
            ws.bind(u2, &addr)?;
            let tx = udp(ws)?;
            ws.sendto(tx, b"B's datagram", 0, &addr)?;
            ws.sleep(10);
            Ok(())
        })?;
        let mut buf = [0u8; 32];
        let r = ws.recvfrom(u, &mut buf, 0);
        common::fails(ws, r, WsaError::WSAEINTR, "recvfrom on a closed socket");
        ws.wait_for_thread(b, INFINITE)
    });
}

/// A blocked recv whose TCP socket is closed and replaced by a new connection fails with
/// WSAEINTR.
#[test]
fn issue9_2_blocked_recv_on_recycled_handle() {
    run_guarded("recv on recycled handle", Sim::builder(), |ws| {
        let (c, s) = common::pair(ws)?;
        let b = ws.create_thread("B", move |ws| {
            ws.sleep(10);
            common::rst_close(ws, s)?;
            let (c2, s2) = common::pair(ws)?;
            ws.send(c2, b"B's data", 0)?;
            ws.sleep(10);
            ws.closesocket(c2)?;
            let _ = s2;
            Ok(())
        })?;
        let mut buf = [0u8; 32];
        let r = ws.recv(s, &mut buf, 0);
        common::fails(ws, r, WsaError::WSAEINTR, "recv on a closed socket");
        ws.closesocket(c)?;
        ws.wait_for_thread(b, INFINITE)
    });
}

/// A blocked accept whose listener is closed and replaced by a new listener on the same
/// port fails with WSAEINTR instead of returning B's connection.
#[test]
fn issue9_2_blocked_accept_on_recycled_handle() {
    run_guarded("accept on recycled handle", Sim::builder(), |ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let b = ws.create_thread("B", move |ws| {
            ws.sleep(10);
            ws.closesocket(l)?;
            let l2 = common::tcp(ws)?;
            assert_eq!(l2, l, "the handle value is recycled (the scenario)");
            ws.bind(l2, &addr)?;
            ws.listen(l2, 5)?;
            let c = common::tcp(ws)?;
            ws.connect(c, &addr)?;
            ws.sleep(10);
            Ok(())
        })?;
        let r = ws.accept(l);
        common::fails(ws, r, WsaError::WSAEINTR, "accept on a closed listener");
        ws.wait_for_thread(b, INFINITE)
    });
}

/// A blocked connect whose socket is closed and replaced fails with WSAEINTR.
#[test]
fn issue9_2_blocked_connect_on_recycled_handle() {
    // SYNs to the unanswering address are dropped, so A's connect blocks for seconds.
    let plan = FaultPlan {
        rules: vec![FaultRule::Drop {
            filter: SegmentFilter::Syn,
            num: 1,
            den: 1,
        }],
    };
    watchdog(20, "connect on recycled handle", move || {
        let mut sim = Sim::builder().faults(plan).build();
        let h = sim.host("a", "192.0.2.1");
        sim.host("silent", "192.0.2.9");
        h.spawn("A", |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let c = common::tcp(ws)?;
            let b = ws.create_thread("B", move |ws| {
                ws.sleep(10);
                ws.closesocket(c)?;
                let c2 = common::tcp(ws)?;
                assert_eq!(c2, c, "the handle value is recycled (the scenario)");
                ws.sleep(10);
                ws.closesocket(c2)
            })?;
            let r = ws.connect(c, &SockAddr::v4([192, 0, 2, 9], 80));
            common::fails(ws, r, WsaError::WSAEINTR, "connect on a closed socket");
            ws.wait_for_thread(b, INFINITE)
        });
        sim.run().unwrap_or_else(|e| panic!("{e}"));
    });
}

// ---------------------------------------------------------------------------------------
// Item 3. Each loop polls until GetTickCount passes a deadline, with a call that returns
// at once without WSAEWOULDBLOCK; virtual time must pass for it.

const POLL_MS: u32 = 200;

/// Loops `poll` until `POLL_MS` of virtual time have passed.
fn spin_until_deadline<W: Winsock>(
    ws: &W,
    mut poll: impl FnMut() -> Result<(), WsaError>,
) -> Result<(), WsaError> {
    let deadline = ws.get_tick_count().wrapping_add(POLL_MS);
    let mut rounds = 0u64;
    while (ws.get_tick_count().wrapping_sub(deadline) as i32) < 0 {
        poll()?;
        rounds += 1;
    }
    assert!(rounds > 0);
    Ok(())
}

/// A connected pair whose client end has seen the server's graceful close (end of stream).
fn eof_socket<W: Winsock>(ws: &W) -> Result<Socket, WsaError> {
    let (c, s) = common::pair(ws)?;
    ws.closesocket(s)?;
    let mut b = [0u8; 4];
    assert_eq!(ws.recv(c, &mut b, 0)?, 0);
    Ok(c)
}

/// Polling loops whose calls succeed at once (select/WSAPoll on a socket at end of stream,
/// recv returning 0, FIONREAD, SO_ERROR, a 0-byte send, a wait on a signalled event,
/// PeekMessage on an empty queue) all see virtual time pass and end.
#[test]
fn issue9_3_polling_loops_advance_virtual_time() {
    run_guarded("select loop", Sim::builder(), |ws| {
        let c = eof_socket(ws)?;
        spin_until_deadline(ws, || {
            let mut r = FdSet::new();
            r.set(c);
            assert_eq!(
                ws.select(Some(&mut r), None, None, Some(Duration::from_secs(1)))?,
                1
            );
            Ok(())
        })
    });
    run_guarded("WSAPoll loop", Sim::builder(), |ws| {
        let c = eof_socket(ws)?;
        spin_until_deadline(ws, || {
            let mut fds = [WsaPollFd::new(c, POLLRDNORM)];
            assert_eq!(ws.wsa_poll(&mut fds, 1000)?, 1);
            Ok(())
        })
    });
    run_guarded("recv 0 loop", Sim::builder(), |ws| {
        let c = eof_socket(ws)?;
        let mut b = [0u8; 4];
        spin_until_deadline(ws, || ws.recv(c, &mut b, 0).map(|n| assert_eq!(n, 0)))
    });
    run_guarded("FIONREAD loop", Sim::builder(), |ws| {
        let (c, _s) = common::pair(ws)?;
        spin_until_deadline(ws, || {
            let mut n = 0;
            ws.ioctlsocket(c, FIONREAD, &mut n)
        })
    });
    run_guarded("SO_ERROR loop", Sim::builder(), |ws| {
        let (c, _s) = common::pair(ws)?;
        spin_until_deadline(ws, || ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR).map(drop))
    });
    run_guarded("0-byte send loop", Sim::builder(), |ws| {
        let (c, _s) = common::pair(ws)?;
        spin_until_deadline(ws, || ws.send(c, &[], 0).map(drop))
    });
    run_guarded("signalled event loop", Sim::builder(), |ws| {
        let ev = ws.wsa_create_event()?;
        ws.wsa_set_event(ev)?;
        spin_until_deadline(ws, || {
            assert_eq!(
                ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?,
                WSA_WAIT_EVENT_0
            );
            Ok(())
        })
    });
    run_guarded("PeekMessage loop", Sim::builder(), |ws| {
        let hwnd = ws.create_window(None)?;
        spin_until_deadline(ws, || ws.peek_message(hwnd, PM_REMOVE).map(drop))
    });
    run_guarded("last-error loop", Sim::builder(), |ws| {
        spin_until_deadline(ws, || {
            ws.wsa_set_last_error(5);
            assert_eq!(ws.wsa_get_last_error(), 5);
            Ok(())
        })
    });
}

/// A thread that spins forever on recv returning 0 makes no progress: the run ends with a
/// diagnostic (the time limit) instead of spinning forever.
#[test]
fn issue9_3_endless_spin_ends_with_a_diagnostic() {
    let err = watchdog(20, "endless spin", || {
        let mut sim = Sim::builder().time_limit(Duration::from_secs(5)).build();
        let h = sim.host("a", "192.0.2.1");
        h.spawn("spinner", |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let c = eof_socket(ws)?;
            let mut b = [0u8; 4];
            loop {
                ws.recv(c, &mut b, 0)?;
            }
        });
        sim.run().expect_err("an endless spin cannot succeed")
    });
    assert_eq!(err.kind, SimErrorKind::TimeLimit, "{err}");
    assert!(err.to_string().contains("spinner"), "{err}");
    // The report says what the thread was doing: calling in a loop that never blocks.
    assert_eq!(
        err.threads[0].outcome,
        ThreadOutcome::Unfinished("spinning (calls in a loop that never blocks)"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// Item 4.

/// The handle is checked before the flags: bad flags on INVALID_SOCKET give WSAENOTSOCK.
#[test]
fn issue9_4_handle_checked_before_flags() {
    run_guarded("error precedence", Sim::builder(), |ws| {
        let bad = Socket::from_raw(INVALID_SOCKET);
        let r = ws.wsa_send_overlapped(
            bad,
            vec![vec![1]],
            MSG_PEEK as u32,
            Overlapped::new(1),
            None,
        );
        common::fails(
            ws,
            r,
            WsaError::WSAENOTSOCK,
            "WSASend(INVALID_SOCKET, MSG_PEEK)",
        );
        let r =
            ws.wsa_recv_overlapped(bad, vec![vec![0]], MSG_OOB as u32, Overlapped::new(2), None);
        common::fails(
            ws,
            r,
            WsaError::WSAENOTSOCK,
            "WSARecv(INVALID_SOCKET, MSG_OOB)",
        );
        let mut msg = WsaMsg {
            flags: MSG_OOB as u32,
            ..WsaMsg::default()
        };
        let r = ws.wsa_recv_msg(bad, &mut msg);
        common::fails(
            ws,
            r,
            WsaError::WSAENOTSOCK,
            "WSARecvMsg(INVALID_SOCKET, MSG_OOB)",
        );
        let msg = WsaMsg {
            flags: MSG_OOB as u32,
            ..WsaMsg::default()
        };
        let r = ws.wsa_recv_msg_overlapped(bad, msg, Overlapped::new(3), None);
        common::fails(
            ws,
            r,
            WsaError::WSAENOTSOCK,
            "WSARecvMsg ov(INVALID_SOCKET, MSG_OOB)",
        );
        Ok(())
    });
}

/// Found by tests/fuzz.rs: WSAEnumNetworkEvents with a handle that is not an event gives
/// WSAEINVAL (documented), as WSAEventSelect does, not WSA_INVALID_HANDLE.
#[test]
fn issue9_4_enum_network_events_with_a_non_event() {
    run_guarded("WSAEnumNetworkEvents non-event", Sim::builder(), |ws| {
        let s = common::tcp(ws)?;
        let mut ne = WsaNetworkEvents::default();
        let not_an_event = WsaEvent::from_raw(s.raw());
        let r = ws.wsa_enum_network_events(s, Some(not_an_event), &mut ne);
        common::fails(
            ws,
            r,
            WsaError::WSAEINVAL,
            "WSAEnumNetworkEvents(s, socket)",
        );
        let r = ws.wsa_event_select(s, not_an_event, FD_READ);
        common::fails(ws, r, WsaError::WSAEINVAL, "WSAEventSelect(s, socket)");
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// Item 5.

/// A two-host exchange (connect, send, recv, close) that the extreme settings must survive;
/// it may fail (a connect that never completes hits the time limit), but never panic.
fn exchange(builder: SimBuilder) -> Result<(), String> {
    let mut sim = builder.time_limit(Duration::from_secs(60)).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    b.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = common::tcp(ws)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 9000))?;
        ws.listen(l, 5)?;
        let (c, _) = ws.accept(l)?;
        let d = common::recv_exact(ws, c, 3000)?;
        ws.send(c, &d, 0)?;
        ws.closesocket(c)
    });
    a.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.sleep(1);
        let c = common::tcp(ws)?;
        ws.connect(c, &SockAddr::v4([192, 0, 2, 2], 9000))?;
        ws.send(c, &[7u8; 3000], 0)?;
        common::recv_exact(ws, c, 3000)?;
        ws.closesocket(c)
    });
    sim.run().map(drop).map_err(|e| format!("{:?}", e.kind))
}

/// Extreme settings (latency of u64::MAX seconds, TIME_WAIT and fault delay of
/// Duration::MAX, an MSS of usize::MAX) are saturated: runs end without a panic.
#[test]
fn issue9_5_configuration_extremes_do_not_panic() {
    let huge = Duration::from_secs(u64::MAX);
    let cases: Vec<(&str, SimBuilder)> = vec![
        ("latency", Sim::builder().latency(huge)),
        (
            "loopback latency",
            Sim::builder().loopback_latency(Duration::MAX),
        ),
        ("time_wait", Sim::builder().time_wait(Duration::MAX)),
        ("time_limit", Sim::builder().time_limit(Duration::MAX)),
        ("mss", Sim::builder().mss(usize::MAX)),
        ("bandwidth", Sim::builder().bandwidth(u64::MAX)),
        (
            "fault delay",
            Sim::builder().faults(FaultPlan {
                rules: vec![FaultRule::Delay {
                    filter: SegmentFilter::Any,
                    num: 1,
                    den: 1,
                    extra: Duration::MAX,
                }],
            }),
        ),
    ];
    for (what, b) in cases {
        let r = watchdog(20, what, move || exchange(b));
        eprintln!("{what}: {r:?}");
    }
    // A normal run still succeeds, and so does one with a tiny MSS.
    assert_eq!(watchdog(20, "default", || exchange(Sim::builder())), Ok(()));
    assert_eq!(
        watchdog(20, "mss 1", || exchange(Sim::builder().mss(1))),
        Ok(())
    );
    // An MSS of usize::MAX is an MSS larger than any buffer: the exchange still works.
    assert_eq!(
        watchdog(20, "mss max", || exchange(Sim::builder().mss(usize::MAX))),
        Ok(())
    );
    // TIME_WAIT of Duration::MAX only keeps ports busy: the exchange still works.
    assert_eq!(
        watchdog(20, "time_wait max", || exchange(
            Sim::builder().time_wait(Duration::MAX)
        )),
        Ok(())
    );
}

// ---------------------------------------------------------------------------------------
// Item 6.

/// The codes the sim produces outside the WSA range have names: WAIT_IO_COMPLETION (192)
/// from an alertable GetQueuedCompletionStatusEx, ERROR_SEM_TIMEOUT (121) in the packet of a
/// ConnectEx that timed out.
#[test]
fn issue9_6_sim_codes_are_named() {
    assert_eq!(WsaError::from_code(192), WsaError::WAIT_IO_COMPLETION);
    assert_eq!(WsaError::from_code(121), WsaError::ERROR_SEM_TIMEOUT);
    assert_eq!(WsaError::WAIT_IO_COMPLETION.code(), 192);
    assert_eq!(WsaError::ERROR_SEM_TIMEOUT.code(), 121);
    run_guarded("WAIT_IO_COMPLETION", Sim::builder(), |ws| {
        let port = ws.create_io_completion_port(0)?;
        let count = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        common::queue_counting_apc(ws, ws.thread_id(), &count)?;
        let r = ws.get_queued_completion_status_ex(port, 4, 1000, true);
        assert_eq!(r.map(|_| ()), Err(WsaError::WAIT_IO_COMPLETION));
        Ok(())
    });
    let plan = FaultPlan {
        rules: vec![FaultRule::Drop {
            filter: SegmentFilter::Syn,
            num: 1,
            den: 1,
        }],
    };
    watchdog(20, "ERROR_SEM_TIMEOUT", move || {
        let mut sim = Sim::builder().faults(plan).build();
        let h = sim.host("a", "192.0.2.1");
        sim.host("silent", "192.0.2.9");
        h.spawn("A", |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let port = ws.create_io_completion_port(0)?;
            let c = common::tcp(ws)?;
            ws.bind(c, &SockAddr::v4([0, 0, 0, 0], 0))?;
            ws.associate_completion_port(c, port, 7)?;
            let r = ws.connect_ex(
                c,
                &SockAddr::v4([192, 0, 2, 9], 80),
                vec![],
                Overlapped::new(9),
            );
            assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
            let p = ws.get_queued_completion_status(port, INFINITE)?;
            assert_eq!(p.error, Some(WsaError::ERROR_SEM_TIMEOUT), "{p:?}");
            Ok(())
        });
        sim.run().unwrap_or_else(|e| panic!("{e}"));
    });
}

// ---------------------------------------------------------------------------------------
// Memory.

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One small sim: two hosts, a server and a client thread, one exchange.
fn small_sim(seed: u64) {
    let mut sim = Sim::builder().seed(seed).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    b.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = common::tcp(ws)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 9000))?;
        ws.listen(l, 5)?;
        let (c, _) = ws.accept(l)?;
        let mut buf = [0u8; 64];
        loop {
            let n = ws.recv(c, &mut buf, 0)?;
            ws.send(c, &buf[..n], 0)?;
        }
    });
    a.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.sleep(1);
        let c = common::tcp(ws)?;
        ws.connect(c, &SockAddr::v4([192, 0, 2, 2], 9000))?;
        ws.send(c, b"ping", 0)?;
        common::recv_exact(ws, c, 4)?;
        // The server stays blocked in recv: its coroutine is cancelled when the sim drops.
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

/// 10,000 small sims built, run and dropped in one process keep memory bounded: their
/// coroutine stacks (256 KiB each, two per sim) are freed on drop.
#[test]
fn memory_many_sims_stay_bounded() {
    let n: u64 = std::env::var("ISSUE9_SIMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    for seed in 0..50 {
        small_sim(seed);
    }
    let (rss0, vm0) = (status_kib("VmRSS:"), status_kib("VmSize:"));
    let t = std::time::Instant::now();
    for seed in 0..n {
        small_sim(seed);
    }
    let (rss1, vm1, hwm) = (
        status_kib("VmRSS:"),
        status_kib("VmSize:"),
        status_kib("VmHWM:"),
    );
    eprintln!(
        "{n} sims in {:.1} s: VmRSS {rss0:?} -> {rss1:?} KiB, VmSize {vm0:?} -> {vm1:?} KiB, \
         VmHWM {hwm:?} KiB",
        t.elapsed().as_secs_f64()
    );
    // Leaked stacks would cost 512 KiB of address space per sim (5 GB for 10,000).
    if let (Some(a), Some(b)) = (vm0, vm1) {
        assert!(
            b.saturating_sub(a) < 256 * 1024,
            "VmSize grew {a} -> {b} KiB"
        );
    }
    if let (Some(a), Some(b)) = (rss0, rss1) {
        assert!(
            b.saturating_sub(a) < 128 * 1024,
            "VmRSS grew {a} -> {b} KiB"
        );
    }
}

/// Before WSAStartup the startup check comes first, whatever the handle: ws2_32 runs its
/// startup prolog before it looks the socket up (ReactOS, which follows Windows here, calls
/// WsQuickProlog before WsSockGetSocket), so a bad handle still gives WSANOTINITIALISED;
/// after WSAStartup the same calls give WSAENOTSOCK.
#[test]
fn issue9_4_startup_is_checked_before_the_handle() {
    run_guarded("startup before handle", Sim::builder(), |ws| {
        ws.wsa_cleanup()?; // the helper started WinSock: undo it
        let bad = Socket::from_raw(INVALID_SOCKET);
        let mut buf = [0u8; 4];
        let mut arg = 0u32;
        common::fails(
            ws,
            ws.send(bad, &[1], 0),
            WsaError::WSANOTINITIALISED,
            "send",
        );
        common::fails(
            ws,
            ws.recv(bad, &mut buf, 0),
            WsaError::WSANOTINITIALISED,
            "recv",
        );
        common::fails(
            ws,
            ws.closesocket(bad),
            WsaError::WSANOTINITIALISED,
            "closesocket",
        );
        common::fails(
            ws,
            ws.ioctlsocket(bad, FIONBIO, &mut arg),
            WsaError::WSANOTINITIALISED,
            "ioctlsocket",
        );
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        common::fails(ws, ws.send(bad, &[1], 0), WsaError::WSAENOTSOCK, "send");
        common::fails(ws, ws.recv(bad, &mut buf, 0), WsaError::WSAENOTSOCK, "recv");
        common::fails(
            ws,
            ws.closesocket(bad),
            WsaError::WSAENOTSOCK,
            "closesocket",
        );
        common::fails(
            ws,
            ws.ioctlsocket(bad, FIONBIO, &mut arg),
            WsaError::WSAENOTSOCK,
            "ioctlsocket",
        );
        ws.wsa_cleanup()
    });
}
