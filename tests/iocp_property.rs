//! Property test of a multi-worker IOCP echo server (the completion port model of
//! `examples/iocp_echo.rs`, instrumented) under many seeds, CPU counts, preemption rates,
//! segmentations and threads stalled before their calls.
//!
//! The server: one completion port, N workers in GetQueuedCompletionStatus, several AcceptEx
//! always pending, per-I/O contexts found by the OVERLAPPED id, and one buffer per connection
//! passed by value through every WSARecv/WSASend and received back in the packet. Clients on
//! another host pipeline all their messages and check every echoed byte in order.
//!
//! Properties, per drawn case:
//! 1. no completion lost or delivered twice: every OVERLAPPED id the server issued appears in
//!    exactly one dequeued packet (issued = delivered ∪ still-pending AcceptEx, and none are
//!    left pending once the listener is closed);
//! 2. every buffer handed back exactly once, one per packet, of the length and capacity it was
//!    handed out with (a send's content unchanged); handed out = handed back + pending;
//! 3. every byte echoed in order, every client finishes;
//! 4. the run replays: the same case twice gives the same trace hash (and the same order in
//!    which workers took packets).
//!
//! Shutdown closes the completion port (waiting workers wake with ERROR_ABANDONED_WAIT_0)
//! rather than posting one packet per worker: see `sim_bug_port_slot_kept_after_worker_exit`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Report, Segmentation, Sim, SimError, SimErrorKind};

const PORT: u16 = 9100;
const SERVER_IP: [u8; 4] = [192, 0, 2, 1];
/// The listener's completion key (connections use their socket value).
const LISTENER_KEY: usize = usize::MAX;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

// ---------------------------------------------------------------------------------------
// The case
// ---------------------------------------------------------------------------------------

/// One drawn scenario.
#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    cpus: u32,
    segmentation: Segmentation,
    preempt: (u64, u64),
    workers: usize,
    pending_accepts: usize,
    /// Length of each WSARecv buffer.
    recv_len: usize,
    /// AcceptEx receive length (0: complete on connect; else on the first data).
    accept_recv_len: usize,
    /// Clients read with a second thread while sending (else: send all, then read).
    threaded_clients: bool,
    content_seed: u64,
    /// Message sizes, per client.
    clients: Vec<Vec<usize>>,
    /// A worker panics on this dequeued packet (the replay-of-a-failure test only).
    fail_at_packet: Option<usize>,
    /// Threads stalled before calls (FaultRule::Stall): rate in 64ths, pause in ms.
    stall: Option<(u64, u64)>,
}

impl Case {
    fn total_bytes(&self) -> usize {
        self.clients.iter().flatten().sum()
    }
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (
        (
            any::<u64>(),
            1u32..=4,
            prop_oneof![Just(Segmentation::Random), Just(Segmentation::Mss)],
            prop_oneof![
                Just((1u64, 8u64)),
                Just((1, 2)),
                Just((1, 32)),
                Just((0, 1))
            ],
            2usize..=6,
            2usize..=6,
        ),
        (
            prop_oneof![Just(4096usize), 256usize..=4096],
            prop_oneof![Just(0usize), 1usize..=2048],
            any::<bool>(),
            any::<u64>(),
            prop::collection::vec(prop::collection::vec(1usize..=3000, 1..=8), 1..=12),
            prop_oneof![Just(None), (1u64..=8, 1u64..=5).prop_map(Some)],
        ),
    )
        .prop_map(
            |(
                (seed, cpus, segmentation, preempt, workers, pending_accepts),
                (recv_len, accept_recv_len, threaded_clients, content_seed, clients, stall),
            )| Case {
                seed,
                cpus,
                segmentation,
                preempt,
                workers,
                pending_accepts,
                recv_len,
                accept_recv_len,
                threaded_clients,
                content_seed,
                clients,
                fail_at_packet: None,
                stall,
            },
        )
}

/// splitmix64: the seeded message content.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn message(content_seed: u64, client: usize, msg: usize, len: usize) -> Vec<u8> {
    let base = mix(content_seed ^ ((client as u64) << 40) ^ ((msg as u64) << 32));
    (0..len)
        .map(|i| (mix(base ^ (i as u64 / 8)) >> ((i % 8) * 8)) as u8)
        .collect()
}

// ---------------------------------------------------------------------------------------
// The instrumented server
// ---------------------------------------------------------------------------------------

/// What an OVERLAPPED stands for (the per-I/O context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Io {
    Accept(Socket),
    Recv(Socket),
    Send(Socket),
}

/// A buffer handed to WSARecv/WSASend, recorded under the operation's OVERLAPPED id.
#[derive(Debug, Clone)]
struct BufTag {
    serial: u64,
    len: usize,
    capacity: usize,
    /// A send's content (a send must hand it back unchanged).
    sent: Option<Vec<u8>>,
}

/// Everything the server records. Locked briefly, never across a WinSock call.
#[derive(Debug, Default)]
struct Track {
    /// Per-I/O contexts of operations not yet dequeued.
    contexts: BTreeMap<u64, Io>,
    /// Every OVERLAPPED id issued (recorded before the call).
    issued: BTreeSet<u64>,
    /// Ids seen in dequeued packets.
    delivered: BTreeSet<u64>,
    /// Ids whose call failed synchronously (no packet may follow).
    sync_failed: Vec<(u64, Io, WsaError)>,
    /// The side map: buffers handed out and not yet handed back, by OVERLAPPED id.
    bufs_out: BTreeMap<u64, BufTag>,
    handed_out: u64,
    handed_back: u64,
    serials_out: BTreeSet<u64>,
    serials_back: BTreeSet<u64>,
    /// Worker index per dequeued packet, in dequeue order.
    worker_order: Vec<usize>,
    accepts_pending: usize,
    accepts_ok: usize,
    accepts_cancelled: usize,
    bytes_echoed: usize,
}

struct Shared {
    listener: Socket,
    port: CompletionPort,
    recv_len: usize,
    accept_recv_len: usize,
    fail_at_packet: Option<usize>,
    next_id: AtomicU64,
    next_serial: AtomicU64,
    stopping: AtomicBool,
    /// Connections the server has closed after the client's FIN.
    closed: AtomicUsize,
    track: Arc<Mutex<Track>>,
}

impl Shared {
    /// Issues an OVERLAPPED for `io`, recording the context and the buffer tag first (the
    /// packet may be dequeued by another worker before the call returns).
    fn issue(&self, io: Io, buf: Option<&Vec<u8>>) -> Overlapped {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut t = self.track.lock();
        assert!(t.issued.insert(id), "OVERLAPPED id {id} issued twice");
        t.contexts.insert(id, io);
        if matches!(io, Io::Accept(_)) {
            t.accepts_pending += 1;
        }
        if let Some(b) = buf {
            let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
            let tag = BufTag {
                serial,
                len: b.len(),
                capacity: b.capacity(),
                sent: matches!(io, Io::Send(_)).then(|| b.clone()),
            };
            t.bufs_out.insert(id, tag);
            t.handed_out += 1;
            t.serials_out.insert(serial);
        }
        Overlapped::new(id)
    }

    /// The call for `ov` failed synchronously: no packet will come.
    fn sync_failure(&self, ov: Overlapped, io: Io, e: WsaError) {
        let mut t = self.track.lock();
        t.contexts.remove(&ov.id);
        t.bufs_out.remove(&ov.id);
        if matches!(io, Io::Accept(_)) {
            t.accepts_pending -= 1;
        }
        t.sync_failed.push((ov.id, io, e));
    }
}

fn post_accept<W: OverlappedIo>(ws: &W, sh: &Shared) -> Result<(), WsaError> {
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    let io = Io::Accept(s);
    let ov = sh.issue(io, None);
    match ws.accept_ex(sh.listener, s, vec![0; sh.accept_recv_len], ov) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(e) => {
            sh.sync_failure(ov, io, e);
            let _ = ws.closesocket(s);
            Ok(())
        }
    }
}

fn post_recv<W: OverlappedIo>(ws: &W, sh: &Shared, s: Socket, mut buf: Vec<u8>) {
    buf.resize(sh.recv_len, 0);
    let io = Io::Recv(s);
    let ov = sh.issue(io, Some(&buf));
    match ws.wsa_recv_overlapped(s, vec![buf], 0, ov, None) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => {}
        Err(e) => {
            sh.sync_failure(ov, io, e);
            let _ = ws.closesocket(s);
        }
    }
}

fn post_send<W: OverlappedIo>(ws: &W, sh: &Shared, s: Socket, buf: Vec<u8>) {
    let io = Io::Send(s);
    let ov = sh.issue(io, Some(&buf));
    match ws.wsa_send_overlapped(s, vec![buf], 0, ov, None) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => {}
        Err(e) => {
            sh.sync_failure(ov, io, e);
            let _ = ws.closesocket(s);
        }
    }
}

/// Checks a packet's buffers against the tag its operation was issued with; returns the one
/// buffer.
fn take_buffer(io: Io, tag: Option<BufTag>, mut bufs: Vec<Vec<u8>>, sh: &Shared) -> Vec<u8> {
    let tag = tag.unwrap_or_else(|| panic!("{io:?}: no buffer tag for a WSARecv/WSASend"));
    assert_eq!(
        bufs.len(),
        1,
        "{io:?}: a packet must hand back exactly one buffer"
    );
    let buf = bufs.pop().expect("one buffer");
    assert_eq!(buf.len(), tag.len, "{io:?}: buffer length changed");
    assert_eq!(
        buf.capacity(),
        tag.capacity,
        "{io:?}: not the buffer handed out"
    );
    if let Some(sent) = &tag.sent {
        assert!(buf == *sent, "{io:?}: a send changed its buffer");
    }
    let mut t = sh.track.lock();
    t.handed_back += 1;
    assert!(
        t.serials_back.insert(tag.serial),
        "buffer serial {} handed back twice",
        tag.serial
    );
    buf
}

/// A worker: take a packet, find its context, check it, do the next step.
fn worker<W: OverlappedIo + Iocp>(ws: &W, sh: Arc<Shared>, me: usize) -> Result<(), WsaError> {
    loop {
        let packet = match ws.get_queued_completion_status(sh.port, INFINITE) {
            Ok(p) => p,
            // The port was closed (while waiting, or before this call): shut down.
            Err(WsaError::ERROR_ABANDONED_WAIT_0) => return Ok(()),
            Err(WsaError::WSA_INVALID_HANDLE) if sh.stopping.load(Ordering::Relaxed) => {
                return Ok(())
            }
            Err(e) => return Err(e),
        };
        let ov = packet
            .overlapped
            .expect("the server posts no packets of its own");
        let (io, tag, n) = {
            let mut t = sh.track.lock();
            t.worker_order.push(me);
            assert!(
                t.issued.contains(&ov.id),
                "packet for OVERLAPPED {} never issued",
                ov.id
            );
            assert!(
                t.delivered.insert(ov.id),
                "OVERLAPPED {} delivered twice",
                ov.id
            );
            let io = t
                .contexts
                .remove(&ov.id)
                .unwrap_or_else(|| panic!("no context for OVERLAPPED {}", ov.id));
            (io, t.bufs_out.remove(&ov.id), t.worker_order.len())
        };
        if sh.fail_at_packet == Some(n) {
            panic!("deliberate failure at packet {n} (worker {me})");
        }
        match io {
            Io::Accept(s) => {
                assert_eq!(
                    packet.key, LISTENER_KEY,
                    "AcceptEx completes on the listener key"
                );
                assert!(tag.is_none());
                let mut bufs = packet.bufs;
                if sh.accept_recv_len > 0 {
                    assert_eq!(bufs.len(), 1, "AcceptEx with a receive length: one buffer");
                    assert_eq!(bufs[0].len(), sh.accept_recv_len);
                } else {
                    assert!(
                        bufs.is_empty(),
                        "AcceptEx without receive length: no buffer"
                    );
                }
                if let Some(e) = packet.error {
                    assert!(
                        sh.stopping.load(Ordering::Relaxed),
                        "AcceptEx failed before shutdown: {e}"
                    );
                    assert_eq!(e, WsaError::WSA_OPERATION_ABORTED);
                    assert_eq!(packet.bytes, 0);
                    {
                        let mut t = sh.track.lock();
                        t.accepts_pending -= 1;
                        t.accepts_cancelled += 1;
                    }
                    let _ = ws.closesocket(s);
                    continue;
                }
                {
                    let mut t = sh.track.lock();
                    t.accepts_pending -= 1;
                    t.accepts_ok += 1;
                }
                assert!(
                    !sh.stopping.load(Ordering::Relaxed),
                    "accepted while stopping"
                );
                post_accept(ws, &sh)?;
                ws.associate_completion_port(s, sh.port, s.raw())?;
                if sh.accept_recv_len > 0 {
                    // The first data came with the connection: echo it.
                    assert!(
                        packet.bytes >= 1 && packet.bytes <= sh.accept_recv_len,
                        "AcceptEx bytes {}",
                        packet.bytes
                    );
                    let mut buf = bufs.pop().expect("one buffer");
                    buf.truncate(packet.bytes);
                    sh.track.lock().bytes_echoed += buf.len();
                    post_send(ws, &sh, s, buf);
                } else {
                    assert_eq!(packet.bytes, 0);
                    post_recv(ws, &sh, s, Vec::with_capacity(sh.recv_len));
                }
            }
            Io::Recv(s) => {
                assert_eq!(packet.key, s.raw(), "{io:?}: wrong completion key");
                assert_eq!(packet.error, None, "{io:?} failed");
                let mut buf = take_buffer(io, tag, packet.bufs, &sh);
                assert!(
                    packet.bytes <= buf.len(),
                    "{io:?}: more bytes than the buffer"
                );
                if packet.bytes == 0 {
                    ws.closesocket(s)?;
                    sh.closed.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                buf.truncate(packet.bytes);
                sh.track.lock().bytes_echoed += buf.len();
                post_send(ws, &sh, s, buf);
            }
            Io::Send(s) => {
                assert_eq!(packet.key, s.raw(), "{io:?}: wrong completion key");
                assert_eq!(packet.error, None, "{io:?} failed");
                let buf = take_buffer(io, tag, packet.bufs, &sh);
                assert_eq!(packet.bytes, buf.len(), "{io:?}: short send");
                post_recv(ws, &sh, s, buf);
            }
        }
    }
}

/// The server's main thread: port, listener, pending AcceptEx, workers; once every client was
/// served, closes the listener (pending AcceptEx complete, cancelled), then the port.
fn server<W: OverlappedIo + Iocp>(
    ws: &W,
    case: &Case,
    track: Arc<Mutex<Track>>,
) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let port = ws.create_io_completion_port(0)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], PORT))?;
    ws.listen(listener, SOMAXCONN)?;
    ws.associate_completion_port(listener, port, LISTENER_KEY)?;
    let sh = Arc::new(Shared {
        listener,
        port,
        recv_len: case.recv_len,
        accept_recv_len: case.accept_recv_len,
        fail_at_packet: case.fail_at_packet,
        next_id: AtomicU64::new(1),
        next_serial: AtomicU64::new(1),
        stopping: AtomicBool::new(false),
        closed: AtomicUsize::new(0),
        track,
    });
    for _ in 0..case.pending_accepts {
        post_accept(ws, &sh)?;
    }
    let mut threads = Vec::new();
    for i in 0..case.workers {
        let sh = sh.clone();
        threads.push(ws.create_thread(&format!("worker-{i}"), move |ws| worker(ws, sh, i))?);
    }
    let clients = case.clients.len();
    while sh.closed.load(Ordering::Relaxed) < clients {
        ws.sleep(2);
    }
    sh.stopping.store(true, Ordering::Relaxed);
    ws.closesocket(listener)?;
    // Every pending AcceptEx now completes (cancelled); give the workers a bounded while to
    // dequeue them (a lost packet shows up in the final check, not as a hang).
    let t0 = ws.get_tick_count();
    while sh.track.lock().accepts_pending > 0 && ws.get_tick_count().wrapping_sub(t0) < 1000 {
        ws.sleep(1);
    }
    ws.close_completion_port(port)?;
    for t in threads {
        ws.wait_for_thread(t, INFINITE)?;
    }
    ws.wsa_cleanup()
}

// ---------------------------------------------------------------------------------------
// The clients
// ---------------------------------------------------------------------------------------

fn connect_retry<W: Winsock>(ws: &W) -> Result<Socket, WsaError> {
    loop {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        match ws.connect(s, &SockAddr::v4(SERVER_IP, PORT)) {
            Ok(()) => return Ok(s),
            Err(WsaError::WSAECONNREFUSED) => {
                ws.closesocket(s)?;
                ws.sleep(10);
            }
            Err(e) => return Err(e),
        }
    }
}

fn send_all<W: Winsock>(ws: &W, s: Socket, msg: &[u8]) -> Result<(), WsaError> {
    let mut sent = 0;
    while sent < msg.len() {
        sent += ws.send(s, &msg[sent..], 0)?;
    }
    Ok(())
}

/// Reads the whole expected echo in chunks of `chunk` bytes, checking every byte in order.
fn read_and_check<W: Winsock>(
    ws: &W,
    s: Socket,
    id: usize,
    expected: &[u8],
    chunk: usize,
) -> Result<(), WsaError> {
    let mut buf = vec![0u8; chunk];
    let mut got = 0;
    while got < expected.len() {
        let want = chunk.min(expected.len() - got);
        let n = ws.recv(s, &mut buf[..want], 0)?;
        assert!(
            n > 0,
            "client {id}: connection closed after {got} of {} bytes",
            expected.len()
        );
        if let Some(i) = (0..n).find(|&i| buf[i] != expected[got + i]) {
            panic!(
                "client {id}: echo differs at byte {} of {}",
                got + i,
                expected.len()
            );
        }
        got += n;
    }
    Ok(())
}

fn client<W: Winsock>(
    ws: &W,
    id: usize,
    msgs: Vec<Vec<u8>>,
    threaded: bool,
    verified: Arc<AtomicUsize>,
) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = connect_retry(ws)?;
    let expected: Vec<u8> = msgs.concat();
    let chunk = 1 + (mix(id as u64) % 2048) as usize;
    if threaded {
        let exp = expected.clone();
        let reader = ws.create_thread(&format!("reader-{id}"), move |ws| {
            read_and_check(ws, s, id, &exp, chunk)
        })?;
        for m in &msgs {
            send_all(ws, s, m)?;
        }
        ws.wait_for_thread(reader, INFINITE)?;
    } else {
        for m in &msgs {
            send_all(ws, s, m)?;
        }
        read_and_check(ws, s, id, &expected, chunk)?;
    }
    ws.closesocket(s)?;
    verified.fetch_add(expected.len(), Ordering::Relaxed);
    ws.wsa_cleanup()
}

// ---------------------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------------------

struct Outcome {
    report: Report,
    track: Track,
    verified: usize,
    clients_done: usize,
}

fn run_case(case: &Case) -> Result<Outcome, SimError> {
    let mut sim = Sim::builder()
        .seed(case.seed)
        .cpus(case.cpus)
        .segmentation(case.segmentation)
        .preemption(case.preempt.0, case.preempt.1)
        .stack_size(128 * 1024)
        .time_limit(Duration::from_secs(120))
        .faults(common::stall_plan(case.stall))
        .build();
    let server_host = sim.host("server", "192.0.2.1");
    let client_host = sim.host("clients", "192.0.2.2");
    let track = Arc::new(Mutex::new(Track::default()));
    {
        let (case, track) = (case.clone(), track.clone());
        server_host.spawn("server", move |ws| server(ws, &case, track));
    }
    let verified = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    for (id, sizes) in case.clients.iter().enumerate() {
        let msgs: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(m, &len)| message(case.content_seed, id, m, len))
            .collect();
        let (verified, done, threaded) = (verified.clone(), done.clone(), case.threaded_clients);
        client_host.spawn(&format!("client-{id}"), move |ws| {
            client(ws, id, msgs, threaded, verified)?;
            done.fetch_add(1, Ordering::Relaxed);
            Ok(())
        });
    }
    let report = sim.run()?;
    drop(sim);
    let track = std::mem::take(&mut *track.lock());
    Ok(Outcome {
        report,
        track,
        verified: verified.load(Ordering::Relaxed),
        clients_done: done.load(Ordering::Relaxed),
    })
}

fn check_case(case: &Case) -> Result<(), TestCaseError> {
    let out = run_case(case).map_err(|e| TestCaseError::fail(format!("{case:?}\n{e}")))?;
    let t = &out.track;

    // 1. Every issued OVERLAPPED id in exactly one dequeued packet.
    prop_assert!(
        t.sync_failed.is_empty(),
        "synchronous failures in a fault-free run: {:?}",
        t.sync_failed
    );
    let pending: BTreeSet<u64> = t.contexts.keys().copied().collect();
    prop_assert!(
        t.contexts.values().all(|io| matches!(io, Io::Accept(_))),
        "operations other than AcceptEx still pending: {:?}",
        t.contexts
    );
    prop_assert!(t.delivered.is_disjoint(&pending));
    let accounted: BTreeSet<u64> = t.delivered.union(&pending).copied().collect();
    prop_assert_eq!(
        &t.issued,
        &accounted,
        "issued ids != delivered ∪ pending AcceptEx"
    );
    prop_assert!(
        pending.is_empty(),
        "AcceptEx never completed after the listener was closed: {:?}",
        pending
    );
    prop_assert_eq!(t.worker_order.len(), t.delivered.len());
    prop_assert_eq!(t.accepts_ok, case.clients.len(), "connections accepted");
    prop_assert_eq!(
        t.accepts_cancelled,
        case.pending_accepts,
        "AcceptEx cancelled at shutdown"
    );

    // 2. Every buffer handed back exactly once.
    prop_assert_eq!(
        t.handed_out,
        t.handed_back + t.bufs_out.len() as u64,
        "buffers handed out != handed back + pending"
    );
    prop_assert!(t.bufs_out.is_empty(), "buffers never handed back");
    prop_assert_eq!(&t.serials_out, &t.serials_back);

    // 3. Every byte echoed in order (checked by the clients as they read), every client done.
    let total = case.total_bytes();
    prop_assert_eq!(out.clients_done, case.clients.len(), "clients finished");
    prop_assert_eq!(out.verified, total, "bytes verified by the clients");
    prop_assert_eq!(t.bytes_echoed, total, "bytes the server echoed");
    prop_assert!(out.report.first_error().is_none());

    // 4. The run replays.
    let again =
        run_case(case).map_err(|e| TestCaseError::fail(format!("replay failed: {case:?}\n{e}")))?;
    prop_assert_eq!(out.report.trace_hash, again.report.trace_hash, "trace hash");
    prop_assert_eq!(out.report.trace_len, again.report.trace_len);
    prop_assert_eq!(out.report.virtual_time, again.report.virtual_time);
    prop_assert_eq!(&t.worker_order, &again.track.worker_order);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    // Proves: no completion lost or doubled, every buffer back exactly once, every byte
    // echoed in order, and exact replay — for any seed, worker count, CPU count, preemption
    // rate, segmentation, AcceptEx receive length and client workload.
    #[test]
    fn iocp_echo_server_properties(case in case_strategy()) {
        check_case(&case)?;
    }
}

// ---------------------------------------------------------------------------------------
// Plain tests
// ---------------------------------------------------------------------------------------

fn fixed_case(seed: u64) -> Case {
    Case {
        seed,
        cpus: 2,
        segmentation: Segmentation::Random,
        preempt: (1, 8),
        workers: 4,
        pending_accepts: 3,
        recv_len: 1024,
        accept_recv_len: 0,
        threaded_clients: true,
        content_seed: 7,
        clients: vec![
            vec![700, 1500, 90],
            vec![3000, 1],
            vec![400; 4],
            vec![2000, 2000],
        ],
        fail_at_packet: None,
        stall: None,
    }
}

// Proves: the interleaving varies with the seed — the order in which the workers take packets
// differs between seeds (and each seed's run is a correct one).
#[test]
fn worker_order_varies_with_seed() {
    let mut orders = BTreeSet::new();
    for seed in 0..20u64 {
        let case = fixed_case(seed);
        check_case(&case).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let out = run_case(&case).unwrap_or_else(|e| panic!("{e}"));
        orders.insert(out.track.worker_order);
    }
    assert!(
        orders.len() >= 2,
        "20 seeds gave a single worker order: {orders:?}"
    );
}

// Proves: a failing assertion inside a simulated thread (a worker) fails the run with a
// SimError that names the seed and how to replay it, and the failure replays exactly.
#[test]
fn failure_names_seed_and_replays() {
    let seed = 0xDEAD_BEEF_u64;
    let mut case = fixed_case(seed);
    case.fail_at_packet = Some(9);
    let e1 = match run_case(&case) {
        Ok(_) => panic!("the deliberately failing run succeeded"),
        Err(e) => e,
    };
    let text = e1.to_string();
    assert_eq!(e1.kind, SimErrorKind::Panic, "{text}");
    assert_eq!(e1.seed, seed);
    assert!(text.contains(&format!("seed {seed}")), "{text}");
    assert!(text.contains(&format!("WINSOCK_SIM_SEED={seed}")), "{text}");
    assert!(text.contains("WINSOCK_SIM_SEED="), "{text}");
    assert!(text.contains("deliberate failure at packet 9"), "{text}");
    let e2 = match run_case(&case) {
        Ok(_) => panic!("the replay succeeded"),
        Err(e) => e,
    };
    assert_eq!(e1.trace_hash, e2.trace_hash, "the failure replays");
    assert_eq!(e1.virtual_time, e2.virtual_time);
    assert_eq!(e1.to_string(), e2.to_string());
}

// The smallest repro of a sim bug found while writing this file. On Windows a thread's
// association with a completion port ends when the thread exits, and the port's count of
// running (released) threads drops, so another waiting worker is released (ReactOS'
// KeTerminateThread: KiActivateWaiterQueue). The sim once kept the exited worker counted as
// active, so with concurrency 1 the second posted packet was never handed to the second
// worker (a deadlock); both workers must take one packet each and exit.
#[test]
fn regression_port_slot_released_when_worker_exits() {
    let mut sim = Sim::builder().seed(1).build();
    let h = sim.host("server", "192.0.2.1");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let port = ws.create_io_completion_port(1)?;
        let mut workers = Vec::new();
        for i in 0..2 {
            workers.push(ws.create_thread(&format!("worker-{i}"), move |ws| {
                ws.get_queued_completion_status(port, INFINITE)?;
                Ok(()) // exits while counted as a running worker of the port
            })?);
        }
        ws.sleep(10); // both workers wait in GetQueuedCompletionStatus
        ws.post_queued_completion_status(port, 0, 1, None)?;
        ws.post_queued_completion_status(port, 0, 2, None)?;
        for t in workers {
            ws.wait_for_thread(t, INFINITE)?;
        }
        Ok(())
    });
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
}
