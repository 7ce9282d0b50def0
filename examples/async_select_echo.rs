//! The WSAAsyncSelect model: one thread, one window, no limit on sockets. Every FD_* event
//! arrives as a window message; the window procedure accepts, echoes and closes.
//!
//! ```text
//! cargo run --release --example async_select_echo -- [--clients 200] [--messages 10] [--seed 1]
//! cargo run --release --example async_select_echo -- --os [--clients 200]   # Windows: real WinSock
//! ```

mod common;

use std::collections::BTreeMap;

use winsock_sim::prelude::*;

/// The message number the server asks WSAAsyncSelect to post.
const WM_SOCKET: u32 = WM_USER + 1;

/// Handles one WSAAsyncSelect message. `pending` holds bytes not yet echoed per socket;
/// `buf` is the receive buffer, the server's one for all sockets.
fn on_socket_message<W: Winsock>(
    ws: &W,
    msg: &Msg,
    pending: &mut BTreeMap<Socket, Vec<u8>>,
    buf: &mut [u8],
) -> Result<(), WsaError> {
    let s = Socket::from_raw(msg.wparam);
    let event = wsa_get_select_event(msg.lparam);
    match event {
        FD_ACCEPT => {
            // The new socket inherits the listener's registration: FD_READ/FD_WRITE/FD_CLOSE.
            match ws.accept(s) {
                Ok((conn, _)) => {
                    pending.insert(conn, Vec::new());
                }
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(e) => return Err(e),
            }
        }
        FD_READ => match ws.recv(s, buf, 0) {
            Ok(n) => pending.entry(s).or_default().extend_from_slice(&buf[..n]),
            Err(WsaError::WSAEWOULDBLOCK) => {}
            Err(WsaError::WSAECONNRESET) => {}
            Err(e) => return Err(e),
        },
        FD_CLOSE => {
            // Windows posts FD_CLOSE when the FIN arrives, possibly before the last data was
            // read: read it and echo it (the peer may have shut down only its sending side).
            let mut out = pending.remove(&s).unwrap_or_default();
            while let Ok(n @ 1..) = ws.recv(s, buf, 0) {
                out.extend_from_slice(&buf[..n]);
            }
            if !out.is_empty() {
                // Best effort: a nonblocking send that would block drops the rest.
                let _ = ws.send(s, &out, 0);
            }
            return ws.closesocket(s);
        }
        _ => {}
    }
    if let Some(out) = pending.get_mut(&s) {
        if !out.is_empty() {
            // On WSAEWOULDBLOCK the rest waits for the FD_WRITE that follows.
            match ws.send(s, out, 0) {
                Ok(n) => {
                    out.drain(..n);
                }
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// The server: a window, the listener registered for FD_ACCEPT|FD_READ|FD_WRITE|FD_CLOSE,
/// and the message loop.
pub fn server<W: Winsock + AsyncSelect>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let hwnd = ws.create_window(None)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], common::PORT))?;
    ws.listen(listener, SOMAXCONN)?;
    ws.wsa_async_select(
        listener,
        hwnd,
        WM_SOCKET,
        FD_ACCEPT | FD_READ | FD_WRITE | FD_CLOSE,
    )?;
    let mut pending = BTreeMap::new();
    let mut buf = vec![0u8; 8192];
    while let Some(msg) = ws.get_message(Hwnd::NULL)? {
        if msg.message == WM_SOCKET {
            let err = wsa_get_select_error(msg.lparam);
            if err != 0 {
                // A reset (FD_CLOSE with WSAECONNABORTED) or a failed event: drop the socket.
                pending.remove(&Socket::from_raw(msg.wparam));
                let _ = ws.closesocket(Socket::from_raw(msg.wparam));
                continue;
            }
            on_socket_message(ws, &msg, &mut pending, &mut buf)?;
        } else {
            ws.dispatch_message(&msg)?;
        }
    }
    Ok(())
}

#[allow(dead_code)]
fn main() {
    // On Windows, `--os` runs the same server, unchanged, on the real WinSock (os::Native).
    #[cfg(windows)]
    if std::env::args().any(|a| a == "--os") {
        let clients = common::arg("--clients", 200) as usize;
        let messages = common::arg("--messages", 10) as usize;
        return common::run_on_os("WSAAsyncSelect", clients, messages, server);
    }
    common::main_with("WSAAsyncSelect", 200, server);
}
