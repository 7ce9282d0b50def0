//! The select model: an echo server whose worker threads each watch at most 64 sockets
//! (FD_SETSIZE) with `select`, the seed's one-thread-per-64-sockets pattern; an acceptor
//! thread hands each new connection to a worker with room.
//!
//! ```text
//! cargo run --release --example select_echo -- [--clients 200] [--messages 10] [--seed 1]
//! cargo run --release --example select_echo -- --os [--clients 200]   # Windows: real WinSock
//! ```

mod common;

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use winsock_sim::prelude::*;

/// A connection and the bytes received but not yet echoed (nonblocking sends may refuse).
struct Conn {
    sock: Socket,
    pending: Vec<u8>,
}

/// Sockets handed over by the acceptor, per worker. Locked only briefly, never across a call.
type Inbox = Arc<Mutex<Vec<Socket>>>;

/// One worker: select over its sockets, echo what arrives, drop closed connections.
pub fn worker<W: Winsock + Select>(ws: &W, inbox: Inbox) -> Result<(), WsaError> {
    let mut conns: Vec<Conn> = Vec::new();
    let mut buf = vec![0u8; 8192];
    loop {
        conns.extend(inbox.lock().drain(..).map(|sock| Conn {
            sock,
            pending: Vec::new(),
        }));
        if conns.is_empty() {
            ws.sleep(10);
            continue;
        }
        let mut rd = FdSet::new();
        let mut wr = FdSet::new();
        for c in &conns {
            if c.pending.is_empty() {
                rd.set(c.sock);
            } else {
                wr.set(c.sock);
            }
        }
        // A short timeout so that connections handed over meanwhile are picked up.
        let ready = ws.select(
            Some(&mut rd),
            Some(&mut wr),
            None,
            Some(Duration::from_millis(10)),
        )?;
        if ready == 0 {
            continue;
        }
        let mut closed = Vec::new();
        for (i, c) in conns.iter_mut().enumerate() {
            if rd.is_set(c.sock) {
                match ws.recv(c.sock, &mut buf, 0) {
                    Ok(0) | Err(WsaError::WSAECONNRESET) => closed.push(i),
                    Ok(n) => c.pending.extend_from_slice(&buf[..n]),
                    Err(WsaError::WSAEWOULDBLOCK) => {}
                    Err(e) => return Err(e),
                }
            }
            if !c.pending.is_empty() {
                match ws.send(c.sock, &c.pending, 0) {
                    Ok(n) => {
                        c.pending.drain(..n);
                    }
                    Err(WsaError::WSAEWOULDBLOCK) => {}
                    Err(WsaError::WSAECONNRESET) => closed.push(i),
                    Err(e) => return Err(e),
                }
            }
        }
        closed.dedup();
        for &i in closed.iter().rev() {
            let c = conns.swap_remove(i);
            ws.closesocket(c.sock)?;
        }
    }
}

/// The server: listen, accept, and give each connection to a worker with fewer than 64.
pub fn server<W: Winsock + Select>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], common::PORT))?;
    ws.listen(listener, SOMAXCONN)?;
    // (inbox, sockets given so far): a worker is never given more than FD_SETSIZE.
    let mut workers: Vec<(Inbox, usize)> = Vec::new();
    loop {
        let (conn, _peer) = ws.accept(listener)?;
        ws.set_nonblocking(conn, true)?;
        let slot = workers.iter().position(|(_, n)| *n < FD_SETSIZE);
        let slot = match slot {
            Some(i) => i,
            None => {
                let inbox: Inbox = Arc::default();
                let theirs = inbox.clone();
                ws.create_thread("select-worker", move |ws| worker(ws, theirs))?;
                workers.push((inbox, 0));
                workers.len() - 1
            }
        };
        workers[slot].0.lock().push(conn);
        workers[slot].1 += 1;
    }
}

#[allow(dead_code)]
fn main() {
    // On Windows, `--os` runs the same server, unchanged, on the real WinSock (os::Native).
    #[cfg(windows)]
    if std::env::args().any(|a| a == "--os") {
        let clients = common::arg("--clients", 200) as usize;
        let messages = common::arg("--messages", 10) as usize;
        return common::run_on_os("select", clients, messages, server);
    }
    common::main_with("select", 200, server);
}
