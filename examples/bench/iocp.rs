//! The completion-port shape, as Windows servers hold thousands of connections: the server
//! accepts on one thread and echoes on a pool of workers (one per CPU) blocked in
//! GetQueuedCompletionStatus; the clients are one thread driving every connection with
//! ConnectEx, WSASend and WSARecv through a port of their own. No thread per connection, so
//! no stack per connection: memory is the sockets and their buffers.

use winsock_sim::prelude::*;

use super::{PORT, SERVER};

/// The server's receive buffer per connection (as the thread shape's).
const BUF: usize = 4096;

/// What an OVERLAPPED stands for: its low two bits; the rest names the connection, since
/// operations in flight at once need OVERLAPPEDs of their own (as structures at distinct
/// addresses in C). The completion key names the connection too.
const RECV: u64 = 0;
const SEND: u64 = 1;
const CONNECT: u64 = 2;

fn ov(conn: usize, kind: u64) -> Overlapped {
    Overlapped::new((conn as u64) << 2 | kind)
}

fn pending(r: Result<usize, WsaError>) -> bool {
    matches!(r, Ok(_) | Err(WsaError::WSA_IO_PENDING))
}

fn server_recv<W: OverlappedIo>(ws: &W, s: Socket, buf: Vec<u8>) {
    if !pending(ws.wsa_recv_overlapped(s, vec![buf], 0, ov(s.raw(), RECV), None)) {
        let _ = ws.closesocket(s);
    }
}

/// A worker: a received block is sent back, and the next receive posted.
fn worker<W: OverlappedIo + Iocp>(ws: &W, port: CompletionPort) -> Result<(), WsaError> {
    loop {
        let p = match ws.get_queued_completion_status(port, INFINITE) {
            Ok(p) => p,
            Err(WsaError::ERROR_ABANDONED_WAIT_0) => return Ok(()),
            Err(e) => return Err(e),
        };
        let (Some(done), s) = (p.overlapped, Socket::from_raw(p.key)) else {
            return Ok(());
        };
        let buf = p.bufs.into_iter().next().unwrap_or_default();
        let kind = done.id & 3;
        if p.error.is_some() || (kind == RECV && p.bytes == 0) {
            ws.closesocket(s)?;
            continue;
        }
        if kind == RECV {
            // The echo goes out in a buffer of its own while the next receive is already
            // posted in the connection's buffer (a send completes once buffered, in order).
            let echo = buf[..p.bytes].to_vec();
            let sent = ws.wsa_send_overlapped(s, vec![echo], 0, ov(s.raw(), SEND), None);
            if pending(sent) {
                server_recv(ws, s, buf);
            } else {
                ws.closesocket(s)?;
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
        server_recv(ws, conn, vec![0; BUF]);
    }
}

/// One client connection's state in the driver.
struct Conn {
    s: Socket,
    /// The message, moved into each WSASend and back out of its packet.
    msg: Vec<u8>,
    /// The echo received so far.
    got: Vec<u8>,
    /// Messages still to send after the one in flight.
    left: usize,
}

/// Opens connection `i`'s socket and starts its ConnectEx, which sends the first message.
fn connect<W: OverlappedIo + Iocp>(
    ws: &W,
    port: CompletionPort,
    c: &mut Conn,
    i: usize,
) -> Result<(), WsaError> {
    c.s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(c.s, &SockAddr::v4([0, 0, 0, 0], 0))?;
    ws.associate_completion_port(c.s, port, i)?;
    let first = c.msg.clone();
    match ws.connect_ex(c.s, &SockAddr::v4(SERVER, PORT), first, ov(i, CONNECT)) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(e) => Err(e),
    }
}

fn client_recv<W: OverlappedIo>(ws: &W, c: &Conn, i: usize, buf: Vec<u8>) -> Result<(), WsaError> {
    match ws.wsa_recv_overlapped(c.s, vec![buf], 0, ov(i, RECV), None) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(e) => Err(e),
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
    let mut conns: Vec<Conn> = (0..clients)
        .map(|id| Conn {
            s: Socket::from_raw(INVALID_SOCKET),
            msg: super::message(bytes, id),
            got: Vec::with_capacity(bytes),
            left: messages - 1,
        })
        .collect();
    for (i, c) in conns.iter_mut().enumerate() {
        connect(ws, port, c, i)?;
    }
    let mut done = 0;
    while done < clients {
        let p = ws.get_queued_completion_status(port, INFINITE)?;
        let i = p.key;
        let kind = p.overlapped.expect("every packet has its OVERLAPPED").id & 3;
        let c = &mut conns[i];
        let buf = p.bufs.into_iter().next().unwrap_or_default();
        match (kind, p.error) {
            // The backlog was full (Windows refuses the excess): connect again.
            (CONNECT, Some(WsaError::ERROR_CONNECTION_REFUSED)) => {
                ws.closesocket(c.s)?;
                connect(ws, port, c, i)?;
            }
            (_, Some(e)) => return Err(e),
            (CONNECT, None) => client_recv(ws, c, i, vec![0; bytes])?,
            (SEND, None) => c.msg = buf,
            (_, None) => {
                assert!(p.bytes > 0, "the server closed connection {i}");
                c.got.extend_from_slice(&buf[..p.bytes]);
                if c.got.len() < bytes {
                    let mut rest = buf;
                    rest.resize(bytes - c.got.len(), 0);
                    client_recv(ws, c, i, rest)?;
                    continue;
                }
                assert_eq!(c.got, c.msg, "echo differs");
                c.got.clear();
                if c.left == 0 {
                    ws.closesocket(c.s)?;
                    done += 1;
                    continue;
                }
                c.left -= 1;
                let msg = std::mem::take(&mut c.msg);
                match ws.wsa_send_overlapped(c.s, vec![msg], 0, ov(i, SEND), None) {
                    Ok(_) | Err(WsaError::WSA_IO_PENDING) => {}
                    Err(e) => return Err(e),
                }
                let mut next = buf;
                next.resize(bytes, 0);
                client_recv(ws, c, i, next)?;
            }
        }
    }
    Ok(())
}
