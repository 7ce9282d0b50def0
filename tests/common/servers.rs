//! Servers for fault and replay tests: a record server written right (it reassembles records
//! from the byte stream) and written wrong (it assumes one recv returns one record), and the
//! run that exercises either under a seed and a fault plan.

use winsock_sim::prelude::*;
use winsock_sim::sim::{Replay, Report, SimBuilder, SimError};

/// WSAStartup, then a listening TCP socket on 0.0.0.0:`port` (backlog SOMAXCONN), as every
/// server here begins.
fn listen_on<W: Winsock>(ws: &W, port: u16) -> Result<Socket, WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(l, &SockAddr::v4([0, 0, 0, 0], port))?;
    ws.listen(l, SOMAXCONN)?;
    Ok(l)
}

/// Bytes per record of the record protocol.
pub const RECORD: usize = 64;

/// The reply to a record: the sum of its bytes, little-endian.
fn reply(record: &[u8]) -> [u8; 4] {
    record
        .iter()
        .map(|&b| u32::from(b))
        .sum::<u32>()
        .to_le_bytes()
}

/// Answers each 64-byte record with the sum of its bytes; `buggy` treats whatever one recv
/// returns as one record (the classic bug: TCP keeps no message boundaries).
pub fn record_server<W: Winsock>(ws: &W, buggy: bool) -> Result<(), WsaError> {
    let l = listen_on(ws, 7000)?;
    loop {
        let (c, _) = ws.accept(l)?;
        let mut pending = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = match ws.recv(c, &mut buf, 0) {
                Ok(0) | Err(WsaError::WSAECONNRESET) => break,
                Ok(n) => n,
                Err(e) => return Err(e),
            };
            if buggy {
                ws.send(c, &reply(&buf[..n]), 0)?;
                continue;
            }
            pending.extend_from_slice(&buf[..n]);
            while pending.len() >= RECORD {
                let rec: Vec<u8> = pending.drain(..RECORD).collect();
                ws.send(c, &reply(&rec), 0)?;
            }
        }
        ws.closesocket(c)?;
    }
}

/// Sends `records` records in one send and checks each reply.
pub fn record_client<W: Winsock>(ws: &W, records: usize) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 7000))?;
    let data: Vec<u8> = (0..records * RECORD).map(|i| (i * 7 % 251) as u8).collect();
    ws.send(s, &data, 0)?;
    let got = super::recv_exact(ws, s, records * 4)?;
    for (i, rec) in data.chunks(RECORD).enumerate() {
        assert_eq!(
            got[i * 4..i * 4 + 4],
            reply(rec),
            "reply to record {i} is not the sum of its bytes"
        );
    }
    ws.closesocket(s)
}

/// One client sending 8 records to the record server (buggy or not) under `builder`.
pub fn run_records(builder: SimBuilder, buggy: bool) -> Result<Report, SimError> {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("records", move |ws| record_server(ws, buggy));
    client.spawn("client", |ws| record_client(ws, 8));
    sim.run()
}

/// A thread-per-connection echo server on port 7100; `leaky` forgets `closesocket` when a
/// connection is reset (the socket leaks).
pub fn echo_server<W: Winsock>(ws: &W, leaky: bool) -> Result<(), WsaError> {
    let l = listen_on(ws, 7100)?;
    loop {
        let (c, _) = ws.accept(l)?;
        ws.create_thread("conn", move |ws| {
            let mut buf = [0u8; 512];
            loop {
                match ws.recv(c, &mut buf, 0) {
                    Ok(0) => break,
                    Ok(n) => {
                        if ws.send(c, &buf[..n], 0).is_err() {
                            break;
                        }
                    }
                    Err(WsaError::WSAECONNRESET) if leaky => return Ok(()),
                    Err(_) => break,
                }
            }
            ws.closesocket(c)
        })?;
    }
}

/// Three clients, each echoing a few messages and reconnecting after an error; the server
/// host's open socket count once everything settled, and the run's replay.
pub fn run_echo(builder: SimBuilder, leaky: bool) -> (Result<Report, SimError>, usize, Replay) {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let clients = sim.host("clients", "192.0.2.2");
    server.spawn_daemon("echo", move |ws| echo_server(ws, leaky));
    for id in 0..3u8 {
        clients.spawn(&format!("client-{id}"), move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            for round in 0..4u8 {
                let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
                if ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 7100)).is_ok() {
                    for m in 0..3u8 {
                        let msg = [id, round, m, 7];
                        if ws.send(s, &msg, 0).is_err() {
                            break;
                        }
                        match super::recv_exact(ws, s, 4) {
                            Ok(back) if back == msg => {}
                            _ => break,
                        }
                        ws.sleep(100);
                    }
                }
                ws.closesocket(s)?;
            }
            // Time for the server to notice every close and reset.
            ws.sleep(1000);
            Ok(())
        });
    }
    let r = sim.run();
    (r, server.open_sockets(), sim.replay())
}

/// Port of the WSAEventSelect echo server.
pub const EVENT_ECHO_PORT: u16 = 7200;

/// A WSAEventSelect echo server (its connections are nonblocking): on FD_READ it receives
/// and echoes. `buggy` ignores a send's WSAEWOULDBLOCK (the bytes are dropped: the classic
/// "FD_WRITE said writable, so send cannot fail" bug); the correct server keeps what was not
/// sent and sends it on the next FD_WRITE (handling short sends too, which
/// `Contract::Documented` allows).
pub fn event_echo_server<W: Winsock + EventSelect>(ws: &W, buggy: bool) -> Result<(), WsaError> {
    let l = listen_on(ws, EVENT_ECHO_PORT)?;
    let (c, _) = ws.accept(l)?;
    let ev = ws.wsa_create_event()?;
    ws.wsa_event_select(c, ev, FD_READ | FD_WRITE | FD_CLOSE)?;
    let mut unsent: Vec<u8> = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        ws.wsa_wait_for_multiple_events(&[ev], false, WSA_INFINITE, false)?;
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(c, Some(ev), &mut ne)?;
        if ne.network_events & FD_READ != 0 {
            match ws.recv(c, &mut buf, 0) {
                Ok(n) => unsent.extend_from_slice(&buf[..n]),
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(_) => break,
            }
        }
        // Send what is waiting: after FD_READ, and (the correct server) on FD_WRITE.
        if ne.network_events & (FD_READ | FD_WRITE) != 0 {
            while !unsent.is_empty() {
                match ws.send(c, &unsent, 0) {
                    Ok(n) => {
                        unsent.drain(..n);
                    }
                    Err(WsaError::WSAEWOULDBLOCK) if buggy => {
                        unsent.clear();
                        break;
                    }
                    // Wait for FD_WRITE: Windows posts it when space returns.
                    Err(WsaError::WSAEWOULDBLOCK) => break,
                    Err(e) => return Err(e),
                }
            }
        }
        if ne.network_events & FD_CLOSE != 0 {
            break;
        }
    }
    ws.closesocket(c)?;
    ws.closesocket(l)
}

/// A blocking client of the server on 192.0.2.1:`port`: `rounds` messages of `len` bytes,
/// each echoed back whole and in order before the next.
pub fn sized_echo_rounds<W: Winsock>(
    ws: &W,
    port: u16,
    rounds: u8,
    len: u32,
) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.connect(s, &SockAddr::v4([192, 0, 2, 1], port))?;
    for round in 0..rounds {
        let msg: Vec<u8> = (0..len).map(|i| (i / 7) as u8 ^ i as u8 ^ round).collect();
        ws.send(s, &msg, 0)?;
        let back = super::recv_exact(ws, s, msg.len())?;
        assert!(back == msg, "echo of round {round} lost or out of order");
    }
    ws.closesocket(s)
}

/// A blocking client of the WSAEventSelect servers: `rounds` messages of 100 bytes.
pub fn echo_rounds<W: Winsock>(ws: &W, rounds: u8) -> Result<(), WsaError> {
    sized_echo_rounds(ws, EVENT_ECHO_PORT, rounds, 100)
}

/// The WSAEventSelect echo server (buggy or not) and a client of 20 rounds under `builder`.
pub fn run_event_echo(builder: SimBuilder, buggy: bool) -> Result<Report, SimError> {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("event-echo", move |ws| event_echo_server(ws, buggy));
    client.spawn("client", |ws| echo_rounds(ws, 20));
    sim.run()
}

/// A WSAEventSelect echo server that waits on its event, receives until WSAEWOULDBLOCK and
/// echoes each piece. `buggy` resets the (manual-reset) event after draining: an FD_READ
/// recorded between the last `recv` and the reset is lost with it, and since FD_READ is not
/// posted again until the next `recv`, the server waits forever with data queued (the classic
/// lost wake-up). The correct server resets the event before it drains. In the simulator the
/// window is open only when the thread is stalled in it ([`FaultRule::Stall`]).
///
/// [`FaultRule::Stall`]: winsock_sim::sim::fault::FaultRule::Stall
pub fn drain_then_reset_server<W: Winsock + EventSelect>(
    ws: &W,
    buggy: bool,
) -> Result<(), WsaError> {
    let l = listen_on(ws, EVENT_ECHO_PORT)?;
    let (c, _) = ws.accept(l)?;
    let ev = ws.wsa_create_event()?;
    ws.wsa_event_select(c, ev, FD_READ | FD_CLOSE)?;
    let mut buf = [0u8; 4096];
    'serve: loop {
        ws.wsa_wait_for_multiple_events(&[ev], false, WSA_INFINITE, false)?;
        if !buggy {
            ws.wsa_reset_event(ev)?;
        }
        loop {
            match ws.recv(c, &mut buf, 0) {
                Ok(0) | Err(WsaError::WSAECONNRESET) => break 'serve,
                Ok(n) => {
                    let mut sent = 0;
                    while sent < n {
                        sent += ws.send(c, &buf[sent..n], 0)?;
                    }
                }
                Err(WsaError::WSAEWOULDBLOCK) => break,
                Err(e) => return Err(e),
            }
        }
        if buggy {
            ws.wsa_reset_event(ev)?;
        }
    }
    ws.closesocket(c)?;
    ws.closesocket(l)
}

/// The drain-then-reset server (buggy or not) and a client of 20 rounds under `builder`.
pub fn run_drain_then_reset(builder: SimBuilder, buggy: bool) -> Result<Report, SimError> {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("drain-echo", move |ws| drain_then_reset_server(ws, buggy));
    client.spawn("client", |ws| echo_rounds(ws, 20));
    sim.run()
}

/// An IOCP echo server with two workers on a port of concurrency 2 and one receive
/// outstanding on its connection at a time. `buggy` posts the next receive before it sends
/// what the completed one brought: when the worker loses its processor between the two,
/// the next receive can complete and the other worker send its bytes first, and the echo
/// comes back out of order (the bug is in the order of two calls, and shows only when time
/// passes between them). The correct server sends first: the next receive, and any bytes it
/// brings, come after.
pub fn two_worker_echo_server<W: Winsock + OverlappedIo + Iocp + Send + Sync + 'static>(
    ws: &W,
    buggy: bool,
) -> Result<(), WsaError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    const RECV: u64 = 1;
    const STOP: usize = 0;
    let l = listen_on(ws, IOCP_ECHO_PORT)?;
    let (c, _) = ws.accept(l)?;
    let port = ws.create_io_completion_port(2)?;
    ws.associate_completion_port(c, port, 1)?;
    let post_recv = move |ws: &W| match ws.wsa_recv_overlapped(
        c,
        vec![vec![0; 8192]],
        0,
        Overlapped::new(RECV),
        None,
    ) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(e) => Err(e),
    };
    post_recv(ws)?;
    // Each send's OVERLAPPED is its own while it is pending.
    let next_send = Arc::new(AtomicU64::new(100));
    let mut workers = Vec::new();
    for name in ["worker-1", "worker-2"] {
        let next_send = next_send.clone();
        workers.push(ws.create_thread(name, move |ws: &W| loop {
            let p = ws.get_queued_completion_status(port, WSA_INFINITE)?;
            if p.key == STOP {
                return Ok(());
            }
            if p.overlapped != Some(Overlapped::new(RECV)) {
                continue; // a send's completion
            }
            if p.error.is_some() || p.bytes == 0 {
                for _ in 0..2 {
                    ws.post_queued_completion_status(port, 0, STOP, None)?;
                }
                return Ok(());
            }
            let data = p.bufs[0][..p.bytes].to_vec();
            if buggy {
                post_recv(ws)?;
            }
            let ov = Overlapped::new(next_send.fetch_add(1, Ordering::Relaxed));
            match ws.wsa_send_overlapped(c, vec![data], 0, ov, None) {
                Ok(_) | Err(WsaError::WSA_IO_PENDING) => {}
                Err(e) => return Err(e),
            }
            if !buggy {
                post_recv(ws)?;
            }
        })?);
    }
    for t in workers {
        ws.wait_for_thread(t, WSA_INFINITE)?;
    }
    ws.closesocket(c)?;
    ws.closesocket(l)
}

/// The two-worker IOCP server (buggy or not) and a client of 10 rounds under `builder`.
pub fn run_two_worker_echo(builder: SimBuilder, buggy: bool) -> Result<Report, SimError> {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("iocp-echo", move |ws| two_worker_echo_server(ws, buggy));
    // Requests of 4,000 bytes: three segments each.
    client.spawn("client", |ws| {
        sized_echo_rounds(ws, IOCP_ECHO_PORT, 10, 4000)
    });
    sim.run()
}

/// Port of the IOCP framing echo server.
pub const IOCP_ECHO_PORT: u16 = 7300;

/// An IOCP echo server that answers each request with a 2-byte length header, then the bytes,
/// as two overlapped WSASends on a socket with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS. `buggy`
/// issues both with the same OVERLAPPED, assuming the header's send is over because WSASend
/// usually returns at once (the real bug: an OVERLAPPED — or the buffer it describes — reused
/// while its I/O is pending); the correct server gives each send its own OVERLAPPED.
pub fn iocp_echo_server<W: Winsock + OverlappedIo + Iocp>(
    ws: &W,
    buggy: bool,
) -> Result<(), WsaError> {
    const RECV: u64 = 1;
    const HEADER: u64 = 2;
    const BODY: u64 = 3;
    let l = listen_on(ws, IOCP_ECHO_PORT)?;
    let (c, _) = ws.accept(l)?;
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(c, port, 1)?;
    ws.set_file_completion_notification_modes(c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)?;
    let recv_ov = Overlapped::new(RECV);
    loop {
        let data = match ws.wsa_recv_overlapped(c, vec![vec![0; 512]], 0, recv_ov, None) {
            // Completed at once: no packet (skip-on-success); the result is collected here.
            Ok(_) => {
                let r = ws.wsa_get_overlapped_result(c, &recv_ov, false)?;
                r.bufs[0][..r.bytes].to_vec()
            }
            Err(WsaError::WSA_IO_PENDING) => loop {
                let p = ws.get_queued_completion_status(port, WSA_INFINITE)?;
                if p.overlapped == Some(recv_ov) {
                    if p.error.is_some() {
                        break Vec::new();
                    }
                    break p.bufs[0][..p.bytes].to_vec();
                }
                // A send's completion: nothing to do.
            },
            Err(_) => break,
        };
        if data.is_empty() {
            break;
        }
        let header = (data.len() as u16).to_le_bytes().to_vec();
        for (bytes, id) in [(header, HEADER), (data, if buggy { HEADER } else { BODY })] {
            match ws.wsa_send_overlapped(c, vec![bytes], 0, Overlapped::new(id), None) {
                Ok(_) | Err(WsaError::WSA_IO_PENDING) => {}
                Err(e) => return Err(e),
            }
        }
    }
    ws.closesocket(c)?;
    ws.closesocket(l)
}

/// A blocking client of the framing server: `rounds` requests, each answered (in one or more
/// frames: a 2-byte length, then the bytes) before the next.
pub fn framed_rounds<W: Winsock>(ws: &W, rounds: u8) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.connect(s, &SockAddr::v4([192, 0, 2, 1], IOCP_ECHO_PORT))?;
    for round in 0..rounds {
        let msg: Vec<u8> = (0..50u8).map(|i| i.wrapping_mul(round)).collect();
        ws.send(s, &msg, 0)?;
        // The server frames what each of its receives got (a request may come in pieces).
        let mut back = Vec::new();
        while back.len() < msg.len() {
            let header = super::recv_exact(ws, s, 2)?;
            assert_eq!(header.len(), 2, "a frame header in round {round}");
            let len = usize::from(u16::from_le_bytes([header[0], header[1]]));
            assert!(
                len > 0 && back.len() + len <= msg.len(),
                "frame length {len}"
            );
            back.extend(super::recv_exact(ws, s, len)?);
        }
        assert_eq!(back, msg, "body of round {round}");
    }
    ws.closesocket(s)
}

/// The IOCP framing server (buggy or not) and a client of 20 rounds under `builder`.
pub fn run_iocp_echo(builder: SimBuilder, buggy: bool) -> Result<Report, SimError> {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("iocp-echo", move |ws| iocp_echo_server(ws, buggy));
    client.spawn("client", |ws| framed_rounds(ws, 20));
    sim.run()
}

/// Port of the IOCP per-connection-context server.
pub const IOCP_CONTEXT_PORT: u16 = 7400;

/// Bytes of each of the two replies the context server sends per request.
pub const CONTEXT_REPLY: usize = 150_000;

/// What the context server keeps per connection, in a slab indexed by completion key.
struct Context {
    sock: Socket,
    /// Overlapped I/Os issued and not yet dequeued.
    pending: u32,
    closing: bool,
}

/// An IOCP server keeping a per-connection context in a slab keyed by the completion key.
/// Each request is answered with two 150 000-byte overlapped WSASends (the second pends while
/// the first fills the send buffer), with a WSARecv always pending. When a connection ends
/// (an error packet, or a 0-byte receive) it closes the socket. `buggy` frees the context at
/// once, although I/O of the connection is still pending — its late completion then finds a
/// freed slot (in C: a use after free); the correct server counts the I/Os it issued and frees
/// the context when the last one has been dequeued.
pub fn iocp_context_server<W: Winsock + OverlappedIo + Iocp>(
    ws: &W,
    buggy: bool,
) -> Result<(), WsaError> {
    const RECV: u64 = 1;
    let l = listen_on(ws, IOCP_CONTEXT_PORT)?;
    let port = ws.create_io_completion_port(0)?;
    let mut slab: Vec<Option<Context>> = Vec::new();
    let (c, _) = ws.accept(l)?;
    let key = slab.len();
    slab.push(Some(Context {
        sock: c,
        pending: 0,
        closing: false,
    }));
    ws.associate_completion_port(c, port, key)?;
    let ov = |key: usize, op: u64| Overlapped::new(key as u64 * 16 + op);
    let issue = |r: Result<usize, WsaError>, ctx: &mut Context| match r {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => {
            ctx.pending += 1;
            Ok(())
        }
        Err(e) => Err(e),
    };
    {
        let ctx = slab[key].as_mut().expect("new context");
        issue(
            ws.wsa_recv_overlapped(c, vec![vec![0; 64]], 0, ov(key, RECV), None),
            ctx,
        )?;
    }
    // A server runs on: it stops only after a second without any completion and with no
    // connection left.
    loop {
        let p = match ws.get_queued_completion_status(port, 1000) {
            Ok(p) => p,
            Err(WsaError::WAIT_TIMEOUT) if slab.iter().all(Option::is_none) => break,
            Err(WsaError::WAIT_TIMEOUT) => continue,
            Err(e) => return Err(e),
        };
        let op = p.overlapped.map_or(0, |o| o.id % 16);
        let Some(ctx) = slab[p.key].as_mut() else {
            panic!(
                "completion for key {} (op {op}) found its per-connection context freed: it was \
                 freed while that I/O was still pending",
                p.key
            );
        };
        ctx.pending -= 1;
        let ended = p.error.is_some() || (op == RECV && p.bytes == 0);
        if ended || ctx.closing {
            if !ctx.closing {
                ctx.closing = true;
                ws.closesocket(ctx.sock)?;
            }
            if buggy || ctx.pending == 0 {
                slab[p.key] = None;
            }
            continue;
        }
        if op == RECV {
            let s = ctx.sock;
            for (i, byte) in [(2u64, b'a'), (3, b'b')] {
                let r = ws.wsa_send_overlapped(
                    s,
                    vec![vec![byte; CONTEXT_REPLY]],
                    0,
                    ov(p.key, i),
                    None,
                );
                issue(r, ctx)?;
            }
            let r = ws.wsa_recv_overlapped(s, vec![vec![0; 64]], 0, ov(p.key, RECV), None);
            issue(r, ctx)?;
        }
    }
    ws.closesocket(l)
}

/// A client of the context server: `rounds` requests, each answered by 300 000 bytes; a reset
/// ends it quietly (the server must cope, not the client).
pub fn context_rounds<W: Winsock>(ws: &W, rounds: u8) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    if ws
        .connect(s, &SockAddr::v4([192, 0, 2, 1], IOCP_CONTEXT_PORT))
        .is_err()
    {
        return ws.closesocket(s);
    }
    for _ in 0..rounds {
        if ws.send(s, b"request", 0).is_err() {
            break;
        }
        match super::recv_exact(ws, s, 2 * CONTEXT_REPLY) {
            Ok(back) if back.len() == 2 * CONTEXT_REPLY => {
                assert!(back[..CONTEXT_REPLY].iter().all(|&b| b == b'a'));
                assert!(back[CONTEXT_REPLY..].iter().all(|&b| b == b'b'));
            }
            _ => break,
        }
    }
    ws.closesocket(s)
}

/// The context server (buggy or not) and a client of 10 rounds under `builder`.
pub fn run_iocp_context(builder: SimBuilder, buggy: bool) -> Result<Report, SimError> {
    let mut sim = builder.build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn("iocp-context", move |ws| iocp_context_server(ws, buggy));
    client.spawn("client", |ws| context_rounds(ws, 10));
    sim.run()
}
