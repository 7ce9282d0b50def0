//! The completion port model: one port, a pool of 2 × CPUs worker threads blocked in
//! GetQueuedCompletionStatus, connections accepted with AcceptEx (several always pending),
//! each I/O carrying its buffer in and out. The OVERLAPPED id finds the per-I/O context, as
//! `lpOverlapped` does in C.
//!
//! ```text
//! cargo run --release --example iocp_echo -- [--clients 1000] [--messages 100] [--seed 1]
//! cargo run --release --example iocp_echo -- --os [--clients 1000]   # Windows: real WinSock
//! ```

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use winsock_sim::prelude::*;

const BUF: usize = 4096;
/// AcceptEx operations kept pending on the listener.
const PENDING_ACCEPTS: usize = 16;
/// The listener's completion key; connections use their socket value as key.
const LISTENER_KEY: usize = 0;

/// What an OVERLAPPED stands for (the per-I/O context).
#[derive(Debug)]
enum Io {
    Accept(Socket),
    Recv(Socket),
    /// An echo in flight, keeping the connection's receive buffer (full size, so re-posting
    /// it costs no re-initialisation) until the send completes.
    Send(Socket, Vec<u8>),
}

/// Shared server state. Locked only briefly, never across a WinSock call.
struct Shared {
    listener: Socket,
    port: CompletionPort,
    next_id: AtomicU64,
    contexts: Mutex<BTreeMap<u64, Io>>,
}

impl Shared {
    fn overlapped(&self, io: Io) -> Overlapped {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.contexts.lock().insert(id, io);
        Overlapped::new(id)
    }
}

fn post_accept<W: Winsock + OverlappedIo>(ws: &W, sh: &Shared) -> Result<(), WsaError> {
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    let ov = sh.overlapped(Io::Accept(s));
    match ws.accept_ex(sh.listener, s, Vec::new(), ov) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(e) => Err(e),
    }
}

fn post_recv<W: Winsock + OverlappedIo>(ws: &W, sh: &Shared, s: Socket, buf: Vec<u8>) {
    let ov = sh.overlapped(Io::Recv(s));
    if !matches!(
        ws.wsa_recv_overlapped(s, vec![buf], 0, ov, None),
        Ok(_) | Err(WsaError::WSA_IO_PENDING)
    ) {
        sh.contexts.lock().remove(&ov.id);
        let _ = ws.closesocket(s);
    }
}

/// A worker: take a packet, find its context, do the next step.
fn worker<W: Winsock + OverlappedIo + Iocp>(ws: &W, sh: Arc<Shared>) -> Result<(), WsaError> {
    loop {
        let packet = match ws.get_queued_completion_status(sh.port, INFINITE) {
            Ok(p) => p,
            Err(WsaError::ERROR_ABANDONED_WAIT_0) => return Ok(()),
            Err(e) => return Err(e),
        };
        let Some(ov) = packet.overlapped else {
            return Ok(()); // a posted packet without OVERLAPPED: shut down
        };
        let io = sh
            .contexts
            .lock()
            .remove(&ov.id)
            .expect("every OVERLAPPED has a context");
        let buf = packet.bufs.into_iter().next().unwrap_or_default();
        match io {
            Io::Accept(s) => {
                post_accept(ws, &sh)?;
                if packet.error.is_some() {
                    let _ = ws.closesocket(s);
                    continue;
                }
                // Give the accepted socket the listener's context, as every AcceptEx server
                // does (without it getsockname/getpeername/shutdown fail with WSAENOTCONN).
                let listener = sh.listener.raw().to_le_bytes();
                ws.setsockopt(s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, &listener)?;
                ws.associate_completion_port(s, sh.port, s.raw())?;
                post_recv(ws, &sh, s, vec![0; BUF]);
            }
            Io::Recv(s) if packet.error.is_some() || packet.bytes == 0 => {
                let _ = ws.closesocket(s);
            }
            Io::Recv(s) => {
                let echo = buf[..packet.bytes].to_vec();
                let ov = sh.overlapped(Io::Send(s, buf));
                if !matches!(
                    ws.wsa_send_overlapped(s, vec![echo], 0, ov, None),
                    Ok(_) | Err(WsaError::WSA_IO_PENDING)
                ) {
                    sh.contexts.lock().remove(&ov.id);
                    let _ = ws.closesocket(s);
                }
            }
            Io::Send(s, _) if packet.error.is_some() => {
                let _ = ws.closesocket(s);
            }
            Io::Send(s, recv_buf) => post_recv(ws, &sh, s, recv_buf),
        }
    }
}

/// The server: port, listener with pending AcceptEx, 2 × CPUs workers.
pub fn server<W: Winsock + OverlappedIo + Iocp>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let port = ws.create_io_completion_port(0)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], common::PORT))?;
    ws.listen(listener, SOMAXCONN)?;
    ws.associate_completion_port(listener, port, LISTENER_KEY)?;
    let sh = Arc::new(Shared {
        listener,
        port,
        next_id: AtomicU64::new(1),
        contexts: Mutex::new(BTreeMap::new()),
    });
    for _ in 0..PENDING_ACCEPTS {
        post_accept(ws, &sh)?;
    }
    // 2 × CPUs workers, as IOCP servers size their pools; the port (concurrency 0) lets one
    // per CPU run at a time.
    let workers = 2 * ws.get_system_info().number_of_processors;
    let mut threads = Vec::new();
    for _ in 0..workers {
        let sh = sh.clone();
        threads.push(ws.create_thread("iocp-worker", move |ws| worker(ws, sh))?);
    }
    for t in threads {
        ws.wait_for_thread(t, INFINITE)?;
    }
    Ok(())
}

#[allow(dead_code)]
fn main() {
    // On Windows, `--os` runs the same server, unchanged, on the real WinSock (os::Native).
    #[cfg(windows)]
    if std::env::args().any(|a| a == "--os") {
        let clients = common::arg("--clients", 1000) as usize;
        let messages = common::arg("--messages", 10) as usize;
        return common::run_on_os("IOCP", clients, messages, server);
    }
    common::main_with("IOCP", 1000, server);
}
