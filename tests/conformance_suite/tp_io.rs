//! The Vista thread pool's I/O objects on sockets, written once for the simulator and the
//! real kernel32 (the calls' documentation; Wine's ntdll tests threadpool.c
//! `test_kernel32_tp_io`, on a socket where the C uses a pipe, which pass on Windows).

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{code, e, pair, Check, Rule};

/// The rules.
pub fn tp_io_rules<
    W: Winsock + ThreadpoolIo + PoolIo + OverlappedIo + Iocp + Send + Sync + 'static,
>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "TPIO-start",
            title: "CreateThreadpoolIo: each StartThreadpoolIo'd receive ends in the callback on a pool thread (OVERLAPPED, result, bytes, data), an inline success too; WaitForThreadpoolIoCallbacks waits for a start's completion, and with TRUE gives the start up; a socket on a port or bound already is ERROR_INVALID_PARAMETER",
            body: start::<W>,
        },
        Rule {
            id: "TPIO-cancel",
            title: "CancelThreadpoolIo takes back the start of an operation that failed at once; a cancelled receive's callback has ERROR_OPERATION_ABORTED and 0 bytes; a completion with no start outstanding runs no callback",
            body: cancel::<W>,
        },
    ]
}

/// What a callback saw: (error, bytes, OVERLAPPED id, the data, thread).
type Seen = Arc<Mutex<Vec<(Option<WsaError>, usize, u64, Vec<u8>, u32)>>>;

/// An I/O object for `s` whose callback records into `seen` and releases `ran`.
fn io_object<W: ThreadpoolIo + SyncObjects + 'static>(
    ws: &W,
    s: Socket,
    seen: &Seen,
    ran: SemaphoreHandle,
) -> Result<TpIo, WsaError> {
    let seen = seen.clone();
    let callback: TpIoCallback<W> = Arc::new(move |ws: &W, _, _, c: IoCompletion| {
        let data = c
            .bufs
            .first()
            .map_or(Vec::new(), |b| b[..c.bytes.min(b.len())].to_vec());
        let entry = (
            c.error,
            c.bytes,
            c.overlapped.id,
            data,
            ws.get_current_thread_id(),
        );
        seen.lock().expect("seen").push(entry);
        let _ = ws.release_semaphore(ran, 1);
    });
    ws.create_threadpool_io(s, callback)
}

/// A one-byte overlapped receive on `s` (OVERLAPPED `id`).
fn recv1<W: OverlappedIo>(ws: &W, s: Socket, id: u64) -> Result<(), WsaError> {
    code(ws.wsa_recv_overlapped(s, vec![vec![0; 1]], 0, Overlapped::new(id), None))
}

fn take(seen: &Seen) -> Vec<(Option<WsaError>, usize, u64, Vec<u8>)> {
    let got = std::mem::take(&mut *seen.lock().expect("seen"));
    got.into_iter().map(|s| (s.0, s.1, s.2, s.3)).collect()
}

fn start<W: Winsock + ThreadpoolIo + PoolIo + OverlappedIo + Iocp + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let me = ws.get_current_thread_id();
    let (client, server) = pair(ws)?;
    // Each send goes at once (Nagle would hold one behind an unacknowledged one).
    e(
        "TCP_NODELAY",
        ws.setsockopt_i32(client, IPPROTO_TCP, TCP_NODELAY, 1),
    )?;
    let seen: Seen = Arc::default();
    let ran = e("CreateSemaphore", ws.create_semaphore(0, 16))?;
    let io = e("CreateThreadpoolIo", io_object(ws, server, &seen, ran))?;
    c.eq(
        "WaitForThreadpoolIoCallbacks with nothing started",
        ws.wait_for_threadpool_io_callbacks(io, false),
        Ok(()),
    )?;
    // A start waits for its completion: a thread waiting for the callbacks waits until then.
    e("StartThreadpoolIo", ws.start_threadpool_io(io))?;
    let waiter = e(
        "CreateThread",
        ws.create_thread("waits for the callbacks", move |ws: &W| {
            ws.wait_for_threadpool_io_callbacks(io, false)
        }),
    )?;
    c.eq(
        "the waiter waits for the start's completion",
        ws.wait_for_thread(waiter, 100),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    c.eq(
        "WSARecv",
        recv1(ws, server, 1),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e("send", ws.send(client, b"a", 0))?;
    c.eq(
        "the waiter returns once the callback has run",
        ws.wait_for_thread(waiter, 5_000),
        Ok(()),
    )?;
    c.eq(
        "the wait on this thread too",
        ws.wait_for_threadpool_io_callbacks(io, false),
        Ok(()),
    )?;
    let got = seen.lock().expect("seen").clone();
    c.eq("on a pool thread", got.iter().all(|s| s.4 != me), true)?;
    c.eq(
        "the completion (error, bytes, OVERLAPPED, data)",
        take(&seen),
        vec![(None, 1, 1, b"a".to_vec())],
    )?;
    // Two starts, two receives.
    for _ in 0..2 {
        e("StartThreadpoolIo", ws.start_threadpool_io(io))?;
    }
    c.eq(
        "WSARecv",
        recv1(ws, server, 2),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    c.eq(
        "WSARecv",
        recv1(ws, server, 3),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e("send", ws.send(client, b"b", 0))?;
    e("send", ws.send(client, b"c", 0))?;
    e(
        "WaitForThreadpoolIoCallbacks",
        ws.wait_for_threadpool_io_callbacks(io, false),
    )?;
    // Two completions queued together may be taken by two pool threads at once, so the
    // callbacks' order is not Windows' to keep: each OVERLAPPED's, by id.
    let mut two = take(&seen);
    two.sort_by_key(|s| s.2);
    c.eq(
        "two callbacks, one for each receive",
        two,
        vec![(None, 1, 2, b"b".to_vec()), (None, 1, 3, b"c".to_vec())],
    )?;
    // A cancelling wait gives a start up at once.
    e("StartThreadpoolIo", ws.start_threadpool_io(io))?;
    c.eq(
        "WaitForThreadpoolIoCallbacks(TRUE) with a start outstanding",
        ws.wait_for_threadpool_io_callbacks(io, true),
        Ok(()),
    )?;
    c.eq("no callback", take(&seen).len(), 0)?;
    // A receive that completes inside its call (no FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)
    // still queues its completion: its callback runs.
    e("StartThreadpoolIo", ws.start_threadpool_io(io))?;
    e("send", ws.send(client, b"d", 0))?;
    ws.sleep(100);
    c.eq("WSARecv with data there", recv1(ws, server, 4), Ok(()))?;
    e(
        "WaitForThreadpoolIoCallbacks",
        ws.wait_for_threadpool_io_callbacks(io, false),
    )?;
    c.eq(
        "the inline success's callback",
        take(&seen),
        vec![(None, 1, 4, b"d".to_vec())],
    )?;
    // Associated once only.
    let seen2: Seen = Arc::default();
    c.eq(
        "CreateThreadpoolIo again",
        code(io_object(ws, server, &seen2, ran)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e(
        "CreateIoCompletionPort(client)",
        ws.associate_completion_port(client, port, 1),
    )?;
    c.eq(
        "CreateThreadpoolIo(socket on a port)",
        code(io_object(ws, client, &seen2, ran)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    let other = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    let bound: IoCallback<W> = Arc::new(|_: &W, _| {});
    e(
        "BindIoCompletionCallback",
        ws.bind_io_completion_callback(other, bound, 0),
    )?;
    c.eq(
        "CreateThreadpoolIo(socket bound with BindIoCompletionCallback)",
        code(io_object(ws, other, &seen2, ran)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    e("CloseThreadpoolIo", ws.close_threadpool_io(io))?;
    c.eq(
        "StartThreadpoolIo of a closed object (the crate's answer)",
        ws.start_threadpool_io(io),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    for s in [client, server, other] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("CloseHandle(port)", ws.close_completion_port(port))?;
    e("CloseHandle", ws.close_handle(Handle::Semaphore(ran)))?;
    Ok(())
}

fn cancel<W: Winsock + ThreadpoolIo + PoolIo + OverlappedIo + Iocp + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (client, server) = pair(ws)?;
    let seen: Seen = Arc::default();
    let ran = e("CreateSemaphore", ws.create_semaphore(0, 16))?;
    let io = e("CreateThreadpoolIo", io_object(ws, server, &seen, ran))?;
    c.eq(
        "CancelThreadpoolIo with no start (the crate's answer)",
        ws.cancel_threadpool_io(io),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    // An operation that fails at once queues nothing: its start is taken back.
    e("shutdown(SD_SEND)", ws.shutdown(server, SD_SEND))?;
    e("StartThreadpoolIo", ws.start_threadpool_io(io))?;
    c.eq(
        "WSASend after shutdown",
        code(ws.wsa_send_overlapped(server, vec![b"x".to_vec()], 0, Overlapped::new(5), None)),
        Err(WsaError::WSAESHUTDOWN),
    )?;
    c.eq("CancelThreadpoolIo", ws.cancel_threadpool_io(io), Ok(()))?;
    c.eq(
        "WaitForThreadpoolIoCallbacks",
        ws.wait_for_threadpool_io_callbacks(io, false),
        Ok(()),
    )?;
    c.eq("no callback", take(&seen).len(), 0)?;
    // A receive cancelled by CancelIoEx.
    e("StartThreadpoolIo", ws.start_threadpool_io(io))?;
    c.eq(
        "WSARecv",
        recv1(ws, server, 6),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e(
        "CancelIoEx",
        ws.cancel_io_ex(server, Some(&Overlapped::new(6))),
    )?;
    e(
        "WaitForThreadpoolIoCallbacks",
        ws.wait_for_threadpool_io_callbacks(io, false),
    )?;
    c.eq(
        "the cancelled receive's callback (error, bytes, OVERLAPPED)",
        take(&seen)
            .into_iter()
            .map(|s| (s.0, s.1, s.2))
            .collect::<Vec<_>>(),
        vec![(Some(WsaError::WSA_OPERATION_ABORTED), 0, 6)],
    )?;
    // A completion no start announced: the pool drops it.
    e("StartThreadpoolIo", ws.start_threadpool_io(io))?;
    e("CancelThreadpoolIo", ws.cancel_threadpool_io(io))?;
    c.eq(
        "WSARecv",
        recv1(ws, server, 7),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e("send", ws.send(client, b"e", 0))?;
    e(
        "WaitForThreadpoolIoCallbacks",
        ws.wait_for_threadpool_io_callbacks(io, false),
    )?;
    ws.sleep(300);
    c.eq("no callback for it", take(&seen).len(), 0)?;
    e("CloseThreadpoolIo", ws.close_threadpool_io(io))?;
    for s in [client, server] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("CloseHandle", ws.close_handle(Handle::Semaphore(ran)))?;
    Ok(())
}
