//! Overlapped model 2 (completion routines): the main thread accepts; a worker thread waits
//! alertably (WSAWaitForMultipleEvents with fAlertable = TRUE) so that the completion routines
//! of its I/O run on it as APCs. Each routine issues the next operation: receive → echo →
//! receive, until a 0-byte receive (the peer closed).
//!
//! ```text
//! cargo run --release --example overlapped_routine_echo -- [--clients 1000] [--messages 10] [--seed 1]
//! cargo run --release --example overlapped_routine_echo -- --os [--clients 1000]   # Windows: real WinSock
//! ```

mod common;

use std::sync::Arc;

use parking_lot::Mutex;
use winsock_sim::prelude::*;

const BUF: usize = 4096;

type Inbox = Arc<Mutex<Vec<Socket>>>;

/// Posts a receive whose routine echoes what arrived.
fn post_recv<W: OverlappedIo + 'static>(ws: &W, s: Socket, buf: Vec<u8>) {
    let routine: CompletionRoutine<W> = Box::new(move |ws, done| on_recv(ws, s, done));
    let r = ws.wsa_recv_overlapped(
        s,
        vec![buf],
        0,
        Overlapped::new(s.raw() as u64),
        Some(routine),
    );
    if !matches!(r, Ok(_) | Err(WsaError::WSA_IO_PENDING)) {
        let _ = ws.closesocket(s);
    }
}

/// Receive completed: cbTransferred = 0 means the peer closed; otherwise echo.
fn on_recv<W: OverlappedIo + 'static>(ws: &W, s: Socket, done: IoCompletion) {
    if done.error.is_some() || done.bytes == 0 {
        let _ = ws.closesocket(s);
        return;
    }
    let mut buf = done.bufs.into_iter().next().unwrap_or_default();
    buf.truncate(done.bytes);
    let routine: CompletionRoutine<W> = Box::new(move |ws, done| on_send(ws, s, done));
    let r = ws.wsa_send_overlapped(
        s,
        vec![buf],
        0,
        Overlapped::new(s.raw() as u64),
        Some(routine),
    );
    if !matches!(r, Ok(_) | Err(WsaError::WSA_IO_PENDING)) {
        let _ = ws.closesocket(s);
    }
}

/// Send completed: receive again with the same buffer.
fn on_send<W: OverlappedIo + 'static>(ws: &W, s: Socket, done: IoCompletion) {
    if done.error.is_some() {
        let _ = ws.closesocket(s);
        return;
    }
    let mut buf = done.bufs.into_iter().next().unwrap_or_default();
    buf.resize(BUF, 0);
    post_recv(ws, s, buf);
}

fn worker<W: Winsock + EventSelect + OverlappedIo + 'static>(
    ws: &W,
    wake: WsaEvent,
    inbox: Inbox,
) -> Result<(), WsaError> {
    loop {
        // Alertable: completion routines run here and the wait returns WSA_WAIT_IO_COMPLETION.
        let r = ws.wsa_wait_for_multiple_events(&[wake], false, WSA_INFINITE, true)?;
        if r == WSA_WAIT_IO_COMPLETION {
            continue;
        }
        ws.wsa_reset_event(wake)?;
        let new: Vec<Socket> = inbox.lock().drain(..).collect();
        for s in new {
            post_recv(ws, s, vec![0; BUF]);
        }
    }
}

/// The server: accept on this thread, hand each socket to the alertable worker.
pub fn server<W: Winsock + EventSelect + OverlappedIo + 'static>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], common::PORT))?;
    ws.listen(listener, SOMAXCONN)?;
    let wake = ws.wsa_create_event()?;
    let inbox: Inbox = Arc::default();
    let theirs = inbox.clone();
    ws.create_thread("alertable-worker", move |ws| worker(ws, wake, theirs))?;
    loop {
        let (conn, _) = ws.accept(listener)?;
        inbox.lock().push(conn);
        ws.wsa_set_event(wake)?;
    }
}

#[allow(dead_code)]
fn main() {
    // On Windows, `--os` runs the same server, unchanged, on the real WinSock (os::Native).
    #[cfg(windows)]
    if std::env::args().any(|a| a == "--os") {
        let clients = common::arg("--clients", 1000) as usize;
        let messages = common::arg("--messages", 10) as usize;
        return common::run_on_os(
            "Overlapped (completion routines)",
            clients,
            messages,
            server,
        );
    }
    common::main_with("Overlapped (completion routines)", 1000, server);
}
