//! Overlapped model 1 (event objects): each socket has one OVERLAPPED whose event a worker
//! waits on with WSAWaitForMultipleEvents — at most 64 events per worker, so one thread per
//! 63 sockets plus a "new socket" event, as in the seed. On each completion
//! WSAGetOverlappedResult returns the bytes and the buffer; the worker echoes with WSASend and
//! then posts the next WSARecv.
//!
//! ```text
//! cargo run --release --example overlapped_event_echo -- [--clients 1000] [--messages 10] [--seed 1]
//! cargo run --release --example overlapped_event_echo -- --os [--clients 1000]   # Windows: real WinSock
//! ```

mod common;

use std::sync::Arc;

use parking_lot::Mutex;
use winsock_sim::prelude::*;

const PER_WORKER: usize = WSA_MAXIMUM_WAIT_EVENTS - 1;
const BUF: usize = 4096;

type Inbox = Arc<Mutex<Vec<Socket>>>;

/// Per-socket state, as the seed's SOCKETINFO: what the pending operation is.
struct SocketInfo {
    sock: Socket,
    ov: Overlapped,
    /// True while a WSASend is pending (else a WSARecv).
    sending: bool,
}

fn post_recv<W: OverlappedIo>(ws: &W, si: &SocketInfo, buf: Vec<u8>) -> Result<(), WsaError> {
    match ws.wsa_recv_overlapped(si.sock, vec![buf], 0, si.ov, None) {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(e) => Err(e),
    }
}

fn worker<W: Winsock + EventSelect + OverlappedIo>(
    ws: &W,
    wake: WsaEvent,
    inbox: Inbox,
) -> Result<(), WsaError> {
    let mut infos: Vec<SocketInfo> = Vec::new();
    loop {
        let mut events = vec![wake];
        events.extend(
            infos
                .iter()
                .map(|i| i.ov.event.expect("every OVERLAPPED has an event")),
        );
        let r = ws.wsa_wait_for_multiple_events(&events, false, WSA_INFINITE, false)?;
        let i = (r - WSA_WAIT_EVENT_0) as usize;
        if i == 0 {
            ws.wsa_reset_event(wake)?;
            let new: Vec<Socket> = inbox.lock().drain(..).collect();
            for sock in new {
                let ev = ws.wsa_create_event()?;
                let si = SocketInfo {
                    sock,
                    ov: Overlapped::with_event(sock.raw() as u64, ev),
                    sending: false,
                };
                post_recv(ws, &si, vec![0; BUF])?;
                infos.push(si);
            }
            continue;
        }
        let si = &mut infos[i - 1];
        let ev = si.ov.event.expect("event");
        ws.wsa_reset_event(ev)?;
        let done = ws.wsa_get_overlapped_result(si.sock, &si.ov, false)?;
        let closed = done.error.is_some() || (!si.sending && done.bytes == 0);
        if !closed {
            let mut buf = done.bufs.into_iter().next().unwrap_or_default();
            if si.sending {
                buf.resize(BUF, 0);
                si.sending = false;
                post_recv(ws, si, buf)?;
            } else {
                buf.truncate(done.bytes);
                si.sending = true;
                match ws.wsa_send_overlapped(si.sock, vec![buf], 0, si.ov, None) {
                    Ok(_) | Err(WsaError::WSA_IO_PENDING) => {}
                    Err(e) => return Err(e),
                }
            }
            continue;
        }
        let si = infos.remove(i - 1);
        ws.closesocket(si.sock)?;
        ws.wsa_close_event(ev)?;
    }
}

/// The server: blocking accept, each socket to a worker with fewer than 63.
pub fn server<W: Winsock + EventSelect + OverlappedIo>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], common::PORT))?;
    ws.listen(listener, SOMAXCONN)?;
    let mut workers: Vec<(WsaEvent, Inbox, usize)> = Vec::new();
    loop {
        let (conn, _) = ws.accept(listener)?;
        let slot = match workers.iter().position(|w| w.2 < PER_WORKER) {
            Some(i) => i,
            None => {
                let wake = ws.wsa_create_event()?;
                let inbox: Inbox = Arc::default();
                let theirs = inbox.clone();
                ws.create_thread("overlapped-worker", move |ws| worker(ws, wake, theirs))?;
                workers.push((wake, inbox, 0));
                workers.len() - 1
            }
        };
        let (wake, inbox, n) = &mut workers[slot];
        inbox.lock().push(conn);
        *n += 1;
        ws.wsa_set_event(*wake)?;
    }
}

#[allow(dead_code)]
fn main() {
    // On Windows, `--os` runs the same server, unchanged, on the real WinSock (os::Native).
    #[cfg(windows)]
    if std::env::args().any(|a| a == "--os") {
        let clients = common::arg("--clients", 1000) as usize;
        let messages = common::arg("--messages", 10) as usize;
        return common::run_on_os("Overlapped (events)", clients, messages, server);
    }
    common::main_with("Overlapped (events)", 1000, server);
}
