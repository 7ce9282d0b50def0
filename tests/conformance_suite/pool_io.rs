//! BindIoCompletionCallback: a socket's overlapped completions as callbacks on the thread
//! pool, written once for the simulator and the real kernel32 (Wine's kernel32 sync.c
//! test_iocp_callback, on a socket where the C uses a file, and the call's documentation).

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{code, e, pair, Check, Rule};

/// The rules.
pub fn pool_io_rules<
    W: Winsock + PoolIo + OverlappedIo + Iocp + WinsockExt + Send + Sync + 'static,
>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "POOL-io-callback",
            title: "BindIoCompletionCallback: a socket's overlapped receive ends in the callback on a pool thread (bytes, OVERLAPPED, buffer; its event set too), a receive of a connection closed by closesocket with ERROR_CONNECTION_ABORTED (as a port's packet); a second binding, a socket on a completion port, a non-overlapped socket and NULL are ERROR_INVALID_PARAMETER",
            body: io_callback::<W>,
        },
    ]
}

/// What a callback saw: (error, bytes, OVERLAPPED id, the buffer's first bytes, thread).
type Seen = Arc<Mutex<Vec<(Option<WsaError>, usize, u64, Vec<u8>, u32)>>>;

fn io_callback<W: Winsock + PoolIo + OverlappedIo + Iocp + WinsockExt + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let me = ws.get_current_thread_id();
    let (client, server) = pair(ws)?;
    let seen: Seen = Arc::default();
    let done = e("CreateEvent", ws.create_event(false, false))?;
    let s2 = seen.clone();
    let callback: IoCallback<W> = Arc::new(move |ws: &W, ioc: IoCompletion| {
        let head: Vec<u8> = ioc
            .bufs
            .first()
            .map_or(Vec::new(), |b| b[..ioc.bytes.min(b.len())].to_vec());
        let entry = (
            ioc.error,
            ioc.bytes,
            ioc.overlapped.id,
            head,
            ws.get_current_thread_id(),
        );
        s2.lock().expect("seen").push(entry);
        let _ = ws.set_event(done);
    });
    c.eq(
        "BindIoCompletionCallback(socket)",
        ws.bind_io_completion_callback(server, callback.clone(), 0),
        Ok(()),
    )?;
    let ev = e("CreateEvent", ws.create_event(true, false))?;
    let ov = Overlapped {
        id: 41,
        event: Some(ev),
    };
    c.eq(
        "WSARecv on the bound socket",
        code(ws.wsa_recv_overlapped(server, vec![vec![0; 16]], 0, ov, None)),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e("send", ws.send(client, b"pool", 0))?;
    c.eq(
        "the callback ran",
        ws.wait_for_single_object(Handle::Event(done), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "the OVERLAPPED's event",
        ws.wait_for_single_object(Handle::Event(ev), 1_000),
        Ok(WAIT_OBJECT_0),
    )?;
    let got = seen.lock().expect("seen").clone();
    c.eq(
        "the completion (error, bytes, OVERLAPPED, data)",
        got.iter()
            .map(|s| (s.0, s.1, s.2, s.3.clone()))
            .collect::<Vec<_>>(),
        vec![(None, 4, 41, b"pool".to_vec())],
    )?;
    c.eq("on a pool thread", got.iter().all(|s| s.4 != me), true)?;

    // Bound once only; a socket on a port is bound already.
    c.eq(
        "BindIoCompletionCallback again",
        code(ws.bind_io_completion_callback(server, callback.clone(), 0)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    c.eq(
        "CreateIoCompletionPort(bound socket)",
        code(ws.associate_completion_port(server, port, 1)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    e(
        "CreateIoCompletionPort(client)",
        ws.associate_completion_port(client, port, 2),
    )?;
    c.eq(
        "BindIoCompletionCallback(socket on a port)",
        code(ws.bind_io_completion_callback(client, callback.clone(), 0)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    let sync = e(
        "WSASocket without WSA_FLAG_OVERLAPPED",
        ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, 0),
    )?;
    c.eq(
        "BindIoCompletionCallback(non-overlapped socket)",
        code(ws.bind_io_completion_callback(sync, callback.clone(), 0)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq(
        "BindIoCompletionCallback(NULL)",
        code(ws.bind_io_completion_callback(Socket::from_raw(0), callback, 0)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;

    // A receive pending when the socket is closed.
    seen.lock().expect("seen").clear();
    c.eq(
        "WSARecv, pending",
        code(ws.wsa_recv_overlapped(server, vec![vec![0; 16]], 0, Overlapped::new(42), None)),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e("closesocket", ws.closesocket(server))?;
    c.eq(
        "the aborted receive's callback",
        ws.wait_for_single_object(Handle::Event(done), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    let got = seen.lock().expect("seen").clone();
    c.eq_or_wine(
        "its completion (error, bytes, OVERLAPPED)",
        got.iter().map(|s| (s.0, s.1, s.2)).collect::<Vec<_>>(),
        vec![(Some(WsaError::ERROR_CONNECTION_ABORTED), 0, 42)],
        vec![(Some(WsaError::from_code(676)), 0, 42)],
        "sock.c iocp_async_read_closesocket: ERROR_CONNECTION_ABORTED is todo_wine; Wine's server ends the receive with STATUS_HANDLES_CLOSED, which ntdll's iocp_poller passes as 676 ERROR_HANDLES_CLOSED, as in OV-02",
    )?;
    for s in [client, sync] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("CloseHandle(port)", ws.close_completion_port(port))?;
    e("CloseHandle", ws.close_handle(Handle::Event(done)))?;
    e("CloseHandle", ws.close_handle(Handle::Event(ev)))?;
    Ok(())
}
