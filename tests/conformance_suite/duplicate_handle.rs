//! `DuplicateHandle` rules (`DuplicateHandles`), written once for the simulator and the real
//! kernel32: a socket's duplicate works for the calls that reach the socket through its handle
//! but not for `WSAGetOverlappedResult` (sock.c test_valid_handle, test_WSAGetOverlappedResult);
//! a kernel object's duplicate names the same object, which lives until its last handle is
//! closed.

use winsock_sim::prelude::*;

use super::{code, e, exchange_on_last_handle, pair, tcp, Check, Rule};

/// The `DuplicateHandles` rules.
pub fn duplicate_handle_rules<W: Winsock + OverlappedIo + DuplicateHandles>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "DH-socket",
            title: "DuplicateHandle of a connected socket: send, sendto and WSASend through the duplicate reach the peer; WSASend and closesocket on an event's handle or INVALID_SOCKET are WSAENOTSOCK and leave the event; closesocket on each handle succeeds",
            body: socket_calls::<W>,
        },
        Rule {
            id: "DH-overlapped-result",
            title: "WSAGetOverlappedResult on a DuplicateHandle'd socket is WSAENOTSOCK; a receive posted through it completes, and its result is read through the original socket and through GetOverlappedResult on the duplicate",
            body: overlapped_result::<W>,
        },
        Rule {
            id: "DH-socket-life",
            title: "closesocket of one of two handles leaves the connection open (no FIN, the other sends); the last one closes it gracefully; a closed handle is ERROR_INVALID_HANDLE to DuplicateHandle",
            body: socket_life::<W>,
        },
        Rule {
            id: "DH-objects",
            title: "DuplicateHandle of an event, a mutex and a semaphore: the same object through either handle, alive until both are closed; the last error kept on success",
            body: objects::<W>,
        },
    ]
}

/// Where Wine 8.0 is known to differ: its ws2_32 looks every SOCKET up in its own list, which
/// a DuplicateHandle'd handle is not in (Wine's later ws2_32 asks the handle itself, and its
/// sock.c test_valid_handle asserts Windows' behaviour).
const WINE_LIST: &str =
    "sock.c test_valid_handle, test_WSAGetOverlappedResult; Wine 8.0 finds sockets in its own list only";

/// Whether `got` is Wine 8.0's refusal of a duplicated socket (WSAENOTSOCK) where Windows
/// gives `want`: recorded as a known Wine difference, and the caller stops there (what
/// follows needs the call to have worked).
fn wine_refused<T: PartialEq + std::fmt::Debug>(
    c: &mut Check,
    what: &str,
    got: Result<T, WsaError>,
    want: Result<T, WsaError>,
) -> Result<bool, String> {
    let refused = winsock_sim::os::under_wine() && got == Err(WsaError::WSAENOTSOCK);
    c.eq_or_wine(what, got, want, Err(WsaError::WSAENOTSOCK), WINE_LIST)?;
    Ok(refused)
}

fn socket_calls<W: Winsock + OverlappedIo + DuplicateHandles>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (client, server) = pair(ws)?;
    let dup = e("DuplicateHandle", ws.duplicate_socket_handle(client))?;
    c.eq("a new handle value", dup != client, true)?;
    let invalid = e("CreateEvent", ws.create_event(true, true))?;
    let as_socket = Socket::from_raw(invalid.raw());

    c.eq(
        "WSASend on an event's handle",
        code(ws.wsa_send(as_socket, &[b"c".as_slice()], 0)),
        Err(WsaError::WSAENOTSOCK),
    )?;
    c.eq(
        "WSASend on INVALID_SOCKET",
        code(ws.wsa_send(Socket::INVALID, &[b"c".as_slice()], 0)),
        Err(WsaError::WSAENOTSOCK),
    )?;
    c.eq(
        "closesocket on an event's handle",
        code(ws.closesocket(as_socket)),
        Err(WsaError::WSAENOTSOCK),
    )?;
    c.eq(
        "CloseHandle of that event after it",
        ws.close_handle(Handle::Event(invalid)),
        Ok(()),
    )?;

    if !wine_refused(c, "send on the duplicate", ws.send(dup, b"a", 0), Ok(1))? {
        // sendto with no address, as on any connected stream socket.
        let none = SockAddr::from_bytes(&[]);
        c.eq(
            "sendto on the duplicate",
            ws.sendto(dup, b"b", 0, &none),
            Ok(1),
        )?;
        c.eq(
            "WSASend on the duplicate",
            ws.wsa_send(dup, &[b"c".as_slice()], 0),
            Ok(1),
        )?;
        let mut got = Vec::new();
        let mut buf = [0u8; 8];
        while got.len() < 3 {
            let n = e("recv", ws.recv(server, &mut buf, 0))?;
            if n == 0 {
                return Err("the peer saw the connection close".into());
            }
            got.extend_from_slice(&buf[..n]);
        }
        c.eq("the peer's bytes, in order", got, b"abc".to_vec())?;
        c.eq("closesocket(duplicate)", ws.closesocket(dup), Ok(()))?;
    }
    c.eq("closesocket(client)", ws.closesocket(client), Ok(()))?;
    c.eq("closesocket(server)", ws.closesocket(server), Ok(()))
}

fn overlapped_result<W: Winsock + OverlappedIo + DuplicateHandles>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let s = tcp(ws)?;
    let h = e("DuplicateHandle", ws.duplicate_socket_handle(s))?;
    c.eq_or_wine(
        "WSAGetOverlappedResult on the duplicate of a new socket",
        code(ws.wsa_get_overlapped_result(h, &Overlapped::new(7), false)),
        Err(WsaError::WSAENOTSOCK),
        Err(WsaError::WSAEINVAL),
        WINE_LIST,
    )?;
    if winsock_sim::os::under_wine() {
        // Wine 8.0 takes neither the duplicate's receive nor its closesocket.
        return e("closesocket", ws.closesocket(s));
    }
    e("closesocket(duplicate)", ws.closesocket(h))?;
    e("closesocket", ws.closesocket(s))?;

    let (client, server) = pair(ws)?;
    let dup = e("DuplicateHandle", ws.duplicate_socket_handle(client))?;
    let ev = e("CreateEvent", ws.create_event(true, false))?;
    let ov = Overlapped::with_event(1, ev);
    c.eq(
        "WSARecv through the duplicate",
        code(ws.wsa_recv_overlapped(dup, vec![vec![0; 8]], 0, ov, None)),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e("send", ws.send(server, b"hello", 0))?;
    c.eq(
        "its event",
        ws.wait_for_single_object(Handle::Event(ev), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "WSAGetOverlappedResult through the duplicate",
        code(ws.wsa_get_overlapped_result(dup, &ov, false)),
        Err(WsaError::WSAENOTSOCK),
    )?;
    // The first read of a completed operation hands its buffers back.
    let done = e(
        "WSAGetOverlappedResult through the original",
        ws.wsa_get_overlapped_result(client, &ov, false),
    )?;
    c.eq("its count", done.bytes, 5)?;
    c.eq(
        "its bytes",
        done.bufs
            .first()
            .map(|b| b.iter().take(5).copied().collect::<Vec<u8>>()),
        Some(b"hello".to_vec()),
    )?;
    c.eq(
        "GetOverlappedResult on the duplicate",
        ws.get_overlapped_result(dup, &ov, false).map(|r| r.bytes),
        Ok(5),
    )?;
    e("CloseHandle", ws.close_handle(Handle::Event(ev)))?;
    e("closesocket(duplicate)", ws.closesocket(dup))?;
    e("closesocket(client)", ws.closesocket(client))?;
    e("closesocket(server)", ws.closesocket(server))
}

fn socket_life<W: Winsock + OverlappedIo + DuplicateHandles>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (client, server) = pair(ws)?;
    let dup = e("DuplicateHandle", ws.duplicate_socket_handle(client))?;
    e("closesocket(original)", ws.closesocket(client))?;
    c.eq(
        "send on the closed original",
        code(ws.send(client, b"x", 0)),
        Err(WsaError::WSAENOTSOCK),
    )?;
    c.eq(
        "DuplicateHandle of the closed original",
        code(ws.duplicate_socket_handle(client)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    e("set nonblocking", ws.set_nonblocking(server, true))?;
    let mut buf = [0u8; 8];
    c.eq(
        "the peer's recv: no FIN came",
        code(ws.recv(server, &mut buf, 0)),
        Err(WsaError::WSAEWOULDBLOCK),
    )?;
    e("set blocking", ws.set_nonblocking(server, false))?;
    if wine_refused(c, "send on the duplicate", ws.send(dup, b"dup", 0), Ok(3))? {
        return e("closesocket(server)", ws.closesocket(server));
    }
    exchange_on_last_handle(ws, c, dup, server)
}

fn objects<W: Winsock + OverlappedIo + DuplicateHandles>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    // An event: set through one handle, seen through the other; alive through the second
    // after the first is closed.
    let ev = e("CreateEvent", ws.create_event(true, false))?;
    ws.wsa_set_last_error(1234);
    let dup = e(
        "DuplicateHandle(event)",
        ws.duplicate_handle(Handle::Event(ev)),
    )?;
    c.eq(
        "the last error after a success",
        ws.wsa_get_last_error(),
        1234,
    )?;
    let Handle::Event(dup_ev) = dup else {
        return Err(format!("an event's duplicate came back as {dup:?}"));
    };
    c.eq("a new handle value", dup_ev != ev, true)?;
    e("SetEvent(duplicate)", ws.set_event(dup_ev))?;
    c.eq(
        "the original is signalled",
        ws.wait_for_single_object(Handle::Event(ev), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    e("CloseHandle(original)", ws.close_handle(Handle::Event(ev)))?;
    e("ResetEvent(duplicate)", ws.reset_event(dup_ev))?;
    c.eq(
        "the duplicate, reset",
        ws.wait_for_single_object(dup, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "DuplicateHandle of the closed original",
        ws.duplicate_handle(Handle::Event(ev)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    e("CloseHandle(duplicate)", ws.close_handle(dup))?;
    c.eq(
        "the duplicate after its close",
        code(ws.set_event(dup_ev)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;

    // A mutex: owned through the original, released through the duplicate.
    let m = e("CreateMutex", ws.create_mutex(true))?;
    let dm = e(
        "DuplicateHandle(mutex)",
        ws.duplicate_handle(Handle::Mutex(m)),
    )?;
    let Handle::Mutex(dm_m) = dm else {
        return Err(format!("a mutex's duplicate came back as {dm:?}"));
    };
    c.eq("ReleaseMutex(duplicate)", ws.release_mutex(dm_m), Ok(()))?;
    c.eq(
        "ReleaseMutex(original), no longer owned",
        code(ws.release_mutex(m)),
        Err(WsaError::ERROR_NOT_OWNER),
    )?;
    e("CloseHandle(mutex)", ws.close_handle(Handle::Mutex(m)))?;
    e("CloseHandle(mutex duplicate)", ws.close_handle(dm))?;

    // A semaphore: one count, released through the duplicate, taken through the original.
    let s = e("CreateSemaphore", ws.create_semaphore(0, 2))?;
    let ds = e(
        "DuplicateHandle(semaphore)",
        ws.duplicate_handle(Handle::Semaphore(s)),
    )?;
    let Handle::Semaphore(ds_s) = ds else {
        return Err(format!("a semaphore's duplicate came back as {ds:?}"));
    };
    c.eq(
        "ReleaseSemaphore(duplicate)",
        ws.release_semaphore(ds_s, 1),
        Ok(0),
    )?;
    c.eq(
        "a wait on the original takes it",
        ws.wait_for_single_object(Handle::Semaphore(s), 0),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "and finds none left through the duplicate",
        ws.wait_for_single_object(ds, 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e("CloseHandle(semaphore duplicate)", ws.close_handle(ds))?;
    c.eq(
        "the original after the duplicate's close",
        ws.release_semaphore(s, 2),
        Ok(0),
    )?;
    e(
        "CloseHandle(semaphore)",
        ws.close_handle(Handle::Semaphore(s)),
    )
}
