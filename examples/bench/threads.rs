//! The thread-per-connection shape: a blocking accept loop that starts one thread per
//! connection, and one blocking client thread per connection (as madsim's and the loopback
//! benchmark's tasks and threads are shaped).

use winsock_sim::prelude::*;

use super::{PORT, SERVER};

fn serve_connection<W: Winsock>(ws: &W, conn: Socket) -> Result<(), WsaError> {
    let mut buf = vec![0u8; 4096];
    loop {
        let n = ws.recv(conn, &mut buf, 0)?;
        if n == 0 {
            break;
        }
        let mut sent = 0;
        while sent < n {
            sent += ws.send(conn, &buf[sent..n], 0)?;
        }
    }
    ws.closesocket(conn)
}

/// The echo server: accept, and a thread per connection.
pub fn echo_server<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], PORT))?;
    // Room for every client connecting at once (SOMAXCONN alone is 200 on Windows).
    ws.listen(listener, somaxconn_hint(65_535))?;
    loop {
        let (conn, _peer) = ws.accept(listener)?;
        ws.create_thread("conn", move |ws| serve_connection(ws, conn))?;
    }
}

fn client<W: Winsock>(ws: &W, messages: usize, bytes: usize, id: usize) -> Result<(), WsaError> {
    // With thousands of clients connecting at once the backlog (SOMAXCONN = 200) overflows and
    // Windows refuses the excess: retry, as a real client would.
    let s = loop {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        match ws.connect(s, &SockAddr::v4(SERVER, PORT)) {
            Ok(()) => break s,
            Err(WsaError::WSAECONNREFUSED) => {
                ws.closesocket(s)?;
                ws.sleep(50);
            }
            Err(e) => return Err(e),
        }
    };
    let msg = super::message(bytes, id);
    let mut back = vec![0u8; bytes];
    for _ in 0..messages {
        ws.send(s, &msg, 0)?;
        let n = ws.recv(s, &mut back, MSG_WAITALL)?;
        assert_eq!(n, bytes);
        assert_eq!(back, msg, "echo differs");
    }
    ws.closesocket(s)
}

/// The clients: one thread each, joined by the starting thread.
pub fn clients<W: Winsock>(
    ws: &W,
    clients: usize,
    messages: usize,
    bytes: usize,
) -> Result<(), WsaError> {
    ws.wsa_startup(WINSOCK_VERSION_2_2)?;
    let mut threads = Vec::new();
    for id in 0..clients {
        threads.push(ws.create_thread("client", move |ws| client(ws, messages, bytes, id))?);
    }
    for t in threads {
        ws.wait_for_thread(t, INFINITE)?;
    }
    Ok(())
}
