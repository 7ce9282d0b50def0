//! The WSAEventSelect model: an echo server whose worker threads each wait on at most 64
//! event objects (WSA_MAXIMUM_WAIT_EVENTS) — one of them a "new connection" event, the rest
//! one per socket — the seed's one-thread-per-64-events pattern.
//!
//! ```text
//! cargo run --release --example event_select_echo -- [--clients 200] [--messages 10] [--seed 1]
//! cargo run --release --example event_select_echo -- --os [--clients 1000]   # Windows: real WinSock
//! ```

mod common;

use std::sync::Arc;

use parking_lot::Mutex;
use winsock_sim::prelude::*;

/// Sockets per worker: 64 events less the worker's own "new connection" event.
const PER_WORKER: usize = WSA_MAXIMUM_WAIT_EVENTS - 1;

/// Sockets handed over by the acceptor. Locked only briefly, never across a call.
type Inbox = Arc<Mutex<Vec<Socket>>>;

struct Conn {
    sock: Socket,
    event: WsaEvent,
    pending: Vec<u8>,
}

/// One worker: events[0] announces new sockets; events[1..] belong to connections.
fn worker<W: Winsock + EventSelect>(ws: &W, wake: WsaEvent, inbox: Inbox) -> Result<(), WsaError> {
    let mut conns: Vec<Conn> = Vec::new();
    let mut buf = vec![0u8; 8192];
    loop {
        let mut events = vec![wake];
        events.extend(conns.iter().map(|c| c.event));
        let r = ws.wsa_wait_for_multiple_events(&events, false, WSA_INFINITE, false)?;
        let i = (r - WSA_WAIT_EVENT_0) as usize;
        if i == 0 {
            ws.wsa_reset_event(wake)?;
            for sock in inbox.lock().drain(..) {
                conns.push(Conn {
                    sock,
                    event: WsaEvent::INVALID,
                    pending: Vec::new(),
                });
            }
            for c in conns.iter_mut().filter(|c| c.event == WsaEvent::INVALID) {
                c.event = ws.wsa_create_event()?;
                ws.wsa_event_select(c.sock, c.event, FD_READ | FD_WRITE | FD_CLOSE)?;
            }
            continue;
        }
        let c = &mut conns[i - 1];
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(c.sock, Some(c.event), &mut ne)?;
        let mut closed = ne.network_events & FD_CLOSE != 0;
        if ne.network_events & FD_READ != 0 {
            match ws.recv(c.sock, &mut buf, 0) {
                Ok(n) => c.pending.extend_from_slice(&buf[..n]),
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(WsaError::WSAECONNRESET) => closed = true,
                Err(e) => return Err(e),
            }
        }
        if !c.pending.is_empty() {
            // FD_WRITE comes again only after a WSAEWOULDBLOCK: try now, keep the rest.
            match ws.send(c.sock, &c.pending, 0) {
                Ok(n) => {
                    c.pending.drain(..n);
                }
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(WsaError::WSAECONNRESET) => closed = true,
                Err(e) => return Err(e),
            }
        }
        if closed {
            // Windows reports FD_CLOSE when the FIN arrives, possibly before the last data was
            // read: read it and echo it (best effort) before closing.
            while let Ok(n @ 1..) = ws.recv(c.sock, &mut buf, 0) {
                c.pending.extend_from_slice(&buf[..n]);
            }
            if !c.pending.is_empty() {
                let _ = ws.send(c.sock, &c.pending, 0);
            }
            let c = conns.remove(i - 1);
            ws.closesocket(c.sock)?;
            ws.wsa_close_event(c.event)?;
        }
    }
}

/// The server: the listener has its own event in the acceptor thread; each accepted socket
/// goes to a worker with room.
pub fn server<W: Winsock + EventSelect>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], common::PORT))?;
    ws.listen(listener, SOMAXCONN)?;
    let accept_event = ws.wsa_create_event()?;
    ws.wsa_event_select(listener, accept_event, FD_ACCEPT)?;
    let mut workers: Vec<(WsaEvent, Inbox, usize)> = Vec::new();
    loop {
        ws.wsa_wait_for_multiple_events(&[accept_event], false, WSA_INFINITE, false)?;
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(listener, Some(accept_event), &mut ne)?;
        if ne.network_events & FD_ACCEPT == 0 {
            continue;
        }
        loop {
            let conn = match ws.accept(listener) {
                Ok((conn, _)) => conn,
                Err(WsaError::WSAEWOULDBLOCK) => break,
                Err(e) => return Err(e),
            };
            // The accepted socket inherits the listener's registration: cancel it here,
            // the worker registers its own event.
            ws.wsa_event_select(conn, WsaEvent::INVALID, 0)?;
            let slot = match workers.iter().position(|w| w.2 < PER_WORKER) {
                Some(i) => i,
                None => {
                    let wake = ws.wsa_create_event()?;
                    let inbox: Inbox = Arc::default();
                    let theirs = inbox.clone();
                    ws.create_thread("event-worker", move |ws| worker(ws, wake, theirs))?;
                    workers.push((wake, inbox, 0));
                    workers.len() - 1
                }
            };
            let (wake, inbox, count) = &mut workers[slot];
            inbox.lock().push(conn);
            *count += 1;
            ws.wsa_set_event(*wake)?;
        }
    }
}

#[allow(dead_code)]
fn main() {
    // On Windows, `--os` runs the same server on the real WinSock (os::Native).
    #[cfg(windows)]
    if std::env::args().any(|a| a == "--os") {
        let clients = common::arg("--clients", 200) as usize;
        let messages = common::arg("--messages", 10) as usize;
        return common::run_on_os("WSAEventSelect", clients, messages, server);
    }
    common::main_with("WSAEventSelect", 200, server);
}
