//! The completion-port shape, as Windows servers hold thousands of connections: the server
//! accepts on one thread and echoes on a pool of workers (one per CPU) that dequeue packets
//! in batches with GetQueuedCompletionStatusEx (into an array each keeps); the clients are
//! one thread driving every connection with ConnectEx, WSASend and WSARecv through a port
//! of their own. Both sides set FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, as high-throughput
//! IOCP servers do: an I/O that completes inside its call queues no packet, and is handled
//! inline (the `_inline` calls hand its buffers back with the result, as C's buffers are
//! the caller's when the call returns). No thread per connection, so no stack per
//! connection: memory is the sockets and their buffers.

use winsock_sim::prelude::*;

use super::{PORT, SERVER};

/// The server's receive buffer per connection (as the thread shape's).
const BUF: usize = 4096;
/// Packets dequeued per GetQueuedCompletionStatusEx.
const BATCH: usize = 64;

/// What an OVERLAPPED stands for: its low two bits; the rest names the connection, since
/// operations in flight at once need OVERLAPPEDs of their own (as structures at distinct
/// addresses in C). The completion key names the connection too.
const RECV: u64 = 0;
const SEND: u64 = 1;
const CONNECT: u64 = 2;

fn ov(conn: usize, kind: u64) -> Overlapped {
    Overlapped::new((conn as u64) << 2 | kind)
}

/// An overlapped call's buffers (a WSABUF array of one). The calls take them and the
/// completions give them back, so both sides keep them for the next call instead of
/// allocating: the steady state allocates nothing, as a server written for throughput keeps
/// its buffers (and as the madsim and loopback programs reuse theirs).
type Bufs = Vec<Vec<u8>>;

/// A send's buffers, from `spare` if it holds any, filled with `data`.
fn fill(spare: &mut Vec<Bufs>, data: &[u8]) -> Bufs {
    let mut bufs = spare.pop().unwrap_or_default();
    bufs.truncate(1);
    match bufs.first_mut() {
        Some(b) => {
            b.clear();
            b.extend_from_slice(data);
        }
        None => bufs.push(data.to_vec()),
    }
    bufs
}

/// The bytes a completed receive put in its buffers (one buffer).
fn received(bufs: &Bufs, n: usize) -> &[u8] {
    bufs.first().map_or(&[][..], |b| &b[..n.min(b.len())])
}

/// Posts a receive on `s` (completion key and OVERLAPPED named by `conn`). `Ok(Some(..))`:
/// it completed inside the call (no packet comes): the bytes and the buffers, handed back
/// by the call itself. `Ok(None)`: it pends, and its packet will bring them.
fn post_recv<W: OverlappedIo>(
    ws: &W,
    s: Socket,
    conn: usize,
    bufs: Bufs,
) -> Result<Option<(usize, Bufs)>, WsaError> {
    match ws.wsa_recv_overlapped_inline(s, bufs, 0, ov(conn, RECV), None) {
        Err(WsaError::WSA_IO_PENDING) | Ok(Immediate::Queued(_)) => Ok(None),
        Err(e) => Err(e),
        Ok(Immediate::Completed(c)) => Ok(Some((c.bytes, c.bufs))),
    }
}

/// Sends `bufs` on `s`. One that completes at once hands its buffers straight back, to
/// `spare`; one that pends brings them back with its packet.
fn post_send<W: OverlappedIo>(
    ws: &W,
    s: Socket,
    conn: usize,
    bufs: Bufs,
    spare: &mut Vec<Bufs>,
) -> Result<(), WsaError> {
    match ws.wsa_send_overlapped_inline(s, bufs, 0, ov(conn, SEND), None) {
        Ok(Immediate::Completed(c)) => {
            spare.push(c.bufs);
            Ok(())
        }
        Ok(Immediate::Queued(_)) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The server's side of one connection from a received block on: echo it and receive again
/// into the same buffer, for as long as receives complete at once.
fn echo<W: OverlappedIo>(ws: &W, s: Socket, mut n: usize, mut bufs: Bufs, spare: &mut Vec<Bufs>) {
    let conn = s.raw();
    loop {
        if n == 0 {
            let _ = ws.closesocket(s);
            return;
        }
        let out = fill(spare, received(&bufs, n));
        if post_send(ws, s, conn, out, spare).is_err() {
            let _ = ws.closesocket(s);
            return;
        }
        match post_recv(ws, s, conn, bufs) {
            Ok(None) => return,
            Ok(Some((m, b))) => (n, bufs) = (m, b),
            Err(_) => {
                let _ = ws.closesocket(s);
                return;
            }
        }
    }
}

/// A worker: each received block is sent back, and the next receive posted.
fn worker<W: OverlappedIo + Iocp>(ws: &W, port: CompletionPort) -> Result<(), WsaError> {
    // Send buffers given back, for this worker's next echoes; the dequeued packets' array.
    let mut spare = Vec::new();
    let mut packets = Vec::with_capacity(BATCH);
    loop {
        match ws.get_queued_completion_status_ex_into(port, &mut packets, BATCH, INFINITE, false) {
            Ok(_) => {}
            Err(WsaError::ERROR_ABANDONED_WAIT_0) => return Ok(()),
            Err(e) => return Err(e),
        }
        for p in packets.drain(..) {
            let (Some(done), s) = (p.overlapped, Socket::from_raw(p.key)) else {
                return Ok(());
            };
            if p.error.is_some() {
                ws.closesocket(s)?;
            } else if done.id & 3 == RECV {
                echo(ws, s, p.bytes, p.bufs, &mut spare);
            } else {
                spare.push(p.bufs);
            }
        }
    }
}

/// The echo server: a port, one worker per CPU, and the accepting thread.
pub fn echo_server<W: OverlappedIo + Iocp>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let port = ws.create_io_completion_port(0)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], PORT))?;
    ws.listen(listener, somaxconn_hint(65_535))?;
    for _ in 0..ws.get_system_info().number_of_processors {
        ws.create_thread("iocp-worker", move |ws| worker(ws, port))?;
    }
    loop {
        let (conn, _peer) = ws.accept(listener)?;
        ws.associate_completion_port(conn, port, conn.raw())?;
        ws.set_file_completion_notification_modes(conn, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)?;
        if let Ok(Some((n, bufs))) = post_recv(ws, conn, conn.raw(), vec![vec![0; BUF]]) {
            echo(ws, conn, n, bufs, &mut Vec::new());
        }
    }
}

/// One client connection's state in the driver.
struct Conn {
    s: Socket,
    /// The message: `bytes` bytes of the clients' shared pattern from this offset (each
    /// connection's bytes are `super::message`'s, without a copy per connection).
    at: usize,
    bytes: usize,
    /// Bytes of the echo received (and checked) so far.
    got: usize,
    /// Messages still to send after the one in flight.
    left: usize,
}

/// Opens connection `i`'s socket and starts its ConnectEx, which sends the first message.
fn connect<W: OverlappedIo + Iocp>(
    ws: &W,
    port: CompletionPort,
    pattern: &[u8],
    c: &mut Conn,
    i: usize,
) -> Result<(), WsaError> {
    c.s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(c.s, &SockAddr::v4([0, 0, 0, 0], 0))?;
    ws.associate_completion_port(c.s, port, i)?;
    let first = pattern[c.at..c.at + c.bytes].to_vec();
    match ws.connect_ex(c.s, &SockAddr::v4(SERVER, PORT), first, ov(i, CONNECT)) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Client connection `i` received `n` bytes into `bufs`: receive the rest of the echo
/// into the same buffer, check it, send the next message; as long as receives complete at
/// once. True when the connection has sent and checked all its messages (and is closed).
fn client_received<W: OverlappedIo>(
    ws: &W,
    pattern: &[u8],
    c: &mut Conn,
    i: usize,
    (mut n, mut bufs): (usize, Bufs),
    spare: &mut Vec<Bufs>,
) -> Result<bool, WsaError> {
    let (at, bytes) = (c.at, c.bytes);
    loop {
        assert!(n > 0, "the server closed connection {i}");
        assert_eq!(
            received(&bufs, n),
            &pattern[at + c.got..at + c.got + n],
            "echo differs"
        );
        c.got += n;
        if c.got == bytes {
            c.got = 0;
            if c.left == 0 {
                ws.closesocket(c.s)?;
                return Ok(true);
            }
            c.left -= 1;
            let out = fill(spare, &pattern[at..at + bytes]);
            post_send(ws, c.s, i, out, spare)?;
        }
        bufs.truncate(1);
        match bufs.first_mut() {
            Some(b) => b.resize(bytes - c.got, 0),
            None => bufs.push(vec![0; bytes - c.got]),
        }
        match post_recv(ws, c.s, i, bufs)? {
            None => return Ok(false),
            Some(got) => (n, bufs) = got,
        }
    }
}

/// The clients: one thread and one port driving every connection.
pub fn clients<W: OverlappedIo + Iocp>(
    ws: &W,
    clients: usize,
    messages: usize,
    bytes: usize,
) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let port = ws.create_io_completion_port(1)?;
    // Byte k of the pattern is k mod 256, so client i's message, (i + j) mod 256 for each
    // byte j, starts at offset i mod 256.
    let pattern = super::message(256 + bytes, 0);
    let mut conns: Vec<Conn> = (0..clients)
        .map(|i| Conn {
            s: Socket::from_raw(INVALID_SOCKET),
            at: i % 256,
            bytes,
            got: 0,
            left: messages.saturating_sub(1),
        })
        .collect();
    for (i, c) in conns.iter_mut().enumerate() {
        connect(ws, port, &pattern, c, i)?;
    }
    // Send buffers given back, for the next messages; the dequeued packets' array.
    let mut spare = Vec::new();
    let mut packets = Vec::with_capacity(BATCH);
    let mut done = 0;
    while done < clients {
        ws.get_queued_completion_status_ex_into(port, &mut packets, BATCH, INFINITE, false)?;
        for p in packets.drain(..) {
            let i = p.key;
            let kind = p.overlapped.expect("every packet has its OVERLAPPED").id & 3;
            let c = &mut conns[i];
            let finished = match (kind, p.error) {
                // The backlog was full (Windows refuses the excess): connect again.
                (CONNECT, Some(WsaError::ERROR_CONNECTION_REFUSED)) => {
                    ws.closesocket(c.s)?;
                    connect(ws, port, &pattern, c, i)?;
                    false
                }
                (_, Some(e)) => return Err(e),
                (CONNECT, None) => {
                    let skip = FILE_SKIP_COMPLETION_PORT_ON_SUCCESS;
                    ws.set_file_completion_notification_modes(c.s, skip)?;
                    match post_recv(ws, c.s, i, vec![vec![0; bytes]])? {
                        None => false,
                        Some(got) => client_received(ws, &pattern, c, i, got, &mut spare)?,
                    }
                }
                (SEND, None) => {
                    spare.push(p.bufs);
                    false
                }
                (_, None) => {
                    let got = (p.bytes, p.bufs);
                    client_received(ws, &pattern, c, i, got, &mut spare)?
                }
            };
            done += usize::from(finished);
        }
    }
    Ok(())
}
