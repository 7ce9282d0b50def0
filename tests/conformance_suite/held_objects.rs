//! Objects that outlive their handles, written once for the simulator and the real kernel32,
//! ws2_32 and user32.
//!
//! On Windows a handle is one reference to its object among others. A wait references the
//! objects it waits on (KeWaitForMultipleObjects on referenced pointers); AFD references a
//! WSAEventSelect registration's event, the I/O manager an overlapped operation's event, a
//! socket's completion context its port. Closing the handle leaves the object to them: a
//! wait goes on (an event nobody can set any more times out, a timer still fires, a mutex
//! whose owner ends is abandoned to the waiter), and a new object that gets the same handle
//! value is not the old one. The documentation of CloseHandle says only "closing a handle
//! while a wait is pending on it can result in undefined behaviour" for some objects; these
//! rules state what the kernel does and Wine's wineserver does too (its waits, socket events
//! and asyncs grab the objects).
//!
//! Each rule lets a helper thread act while the main one waits: 100 ms, against waits of
//! 400 ms or more, so a loaded machine gives the simulator's answers.

use winsock_sim::prelude::*;

use super::sync::{join, start};
use super::{e, pair, Check, Rule};

/// The rules.
pub fn held_rules<W>() -> Vec<Rule<W>>
where
    W: Winsock
        + SyncObjects
        + WaitableTimers
        + EventSelect
        + OverlappedIo
        + Iocp
        + AsyncSelect
        + Send
        + Sync
        + 'static,
{
    vec![
        Rule { id: "HOLD-wait", title: "a wait holds its objects: an event or a semaphore closed by another thread during the wait times out, a timer closed during the wait still releases it, a mutex closed and then abandoned by its owner is WAIT_ABANDONED to the waiter; the closed handle is ERROR_INVALID_HANDLE", body: waits::<W> },
        Rule { id: "HOLD-evsel", title: "a WSAEventSelect registration holds its event: closed while a thread waits, FD_READ still releases the wait; a new event (the same handle value, maybe) is not signalled by the old registration, which still records FD_READ", body: event_select::<W> },
        Rule { id: "HOLD-ov", title: "an overlapped operation holds its hEvent: closed while a thread waits, the completion still releases the wait; a new event is not signalled by the old operation", body: overlapped::<W> },
        Rule { id: "HOLD-window", title: "a WSAAsyncSelect registration whose window was destroyed posts to no window created after it (and the data stays readable)", body: windows::<W> },
        Rule { id: "HOLD-port", title: "a socket's association holds its completion port: a port created after the first was closed gets none of the socket's packets", body: ports::<W> },
    ]
}

/// The catalogue's pair, its client with TCP_NODELAY: each send leaves at once, instead of
/// waiting (Nagle) for the acknowledgement the receiver delays.
fn nodelay_pair<W: Winsock>(ws: &W) -> Result<(Socket, Socket), String> {
    let (cl, s) = pair(ws)?;
    e(
        "TCP_NODELAY",
        ws.setsockopt_i32(cl, IPPROTO_TCP, TCP_NODELAY, 1),
    )?;
    Ok((cl, s))
}

/// Another thread waits on event `ev`; its only handle is closed; a byte sent from `cl`
/// then makes what holds the event (a registration, an operation) signal it: the waiter's
/// wait must end with WAIT_OBJECT_0.
fn closed_then_data<W>(
    ws: &W,
    c: &mut Check,
    ev: WsaEvent,
    cl: Socket,
    what: &str,
) -> Result<(), String>
where
    W: Winsock + SyncObjects + EventSelect + Send + Sync + 'static,
{
    let waiter = start(ws, move |ws: &W| {
        ws.wait_for_single_object(ev.into(), 5_000)
    })?;
    ws.sleep(100);
    e("WSACloseEvent", ws.wsa_close_event(ev))?;
    e("send", ws.send(cl, b"a", 0))?;
    c.eq(
        &format!("{what}: the waiter"),
        join(ws, waiter)?,
        Ok(WAIT_OBJECT_0),
    )
}

/// An overlapped WSARecv of 8 bytes on `s` with `ov`, which must pend; `ov` back.
fn pending_recv<W: Winsock + OverlappedIo>(
    ws: &W,
    c: &mut Check,
    s: Socket,
    ov: Overlapped,
    what: &str,
) -> Result<Overlapped, String> {
    c.eq(
        what,
        code(ws.wsa_recv_overlapped(s, vec![vec![0u8; 8]], 0, ov, None)),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    Ok(ov)
}

/// Only the code of an error (the backends' `Ok` values differ in type).
fn code<T>(r: Result<T, WsaError>) -> Result<(), WsaError> {
    r.map(|_| ())
}

/// Another thread closes `h` 100 ms into this thread's wait on it of `timeout` ms, which
/// must give `want`.
fn closed_during_wait<W>(
    ws: &W,
    c: &mut Check,
    h: Handle,
    timeout: u32,
    want: u32,
    what: &str,
) -> Result<(), String>
where
    W: Winsock + SyncObjects + Send + Sync + 'static,
{
    let closer = start(ws, move |ws: &W| {
        ws.sleep(100);
        ws.close_handle(h)
    })?;
    c.eq(
        &format!("{what} closed during the wait"),
        ws.wait_for_single_object(h, timeout),
        Ok(want),
    )?;
    c.eq("its CloseHandle", join(ws, closer)?, Ok(()))
}

fn waits<W>(ws: &W, c: &mut Check) -> Result<(), String>
where
    W: Winsock + SyncObjects + WaitableTimers + Send + Sync + 'static,
{
    let bad = Err(WsaError::WSA_INVALID_HANDLE);
    // An event: nobody can set it once its only handle is closed.
    let ev = e("CreateEvent", ws.create_event(true, false))?;
    closed_during_wait(ws, c, ev.into(), 400, WAIT_TIMEOUT, "an event")?;
    c.eq("SetEvent on the closed handle", ws.set_event(ev), bad)?;

    // A semaphore, in a wait on two objects: the other one still releases it.
    let sem = e("CreateSemaphore", ws.create_semaphore(0, 1))?;
    let other = e("CreateEvent", ws.create_event(false, false))?;
    let closer = start(ws, move |ws: &W| {
        ws.sleep(100);
        let closed = ws.close_handle(sem.into());
        ws.sleep(100);
        (closed, ws.set_event(other))
    })?;
    let hs = [Handle::from(sem), Handle::from(other)];
    c.eq(
        "a semaphore closed during a wait-any, then the other object set",
        ws.wait_for_multiple_objects(&hs, false, 5_000),
        Ok(WAIT_OBJECT_0 + 1),
    )?;
    c.eq(
        "their CloseHandle and SetEvent",
        join(ws, closer)?,
        (Ok(()), Ok(())),
    )?;
    e("CloseHandle", ws.close_handle(other.into()))?;

    // A timer runs on: the wait ends at its due time.
    let t = e("CreateWaitableTimer", ws.create_waitable_timer(true))?;
    e(
        "SetWaitableTimer 300 ms",
        ws.set_waitable_timer(t, -300 * FILETIME_TICKS_PER_MS, 0, None, false),
    )?;
    closed_during_wait(ws, c, t.into(), 5_000, WAIT_OBJECT_0, "a timer")?;
    c.eq("CloseHandle again", ws.close_handle(t.into()), bad)?;

    // A mutex: its owner closes the handle, then ends without releasing it.
    let m = e("CreateMutex", ws.create_mutex(false))?;
    let owner = start(ws, move |ws: &W| {
        let took = ws.wait_for_single_object(m.into(), 0);
        ws.sleep(200);
        (took, ws.close_handle(m.into()))
    })?;
    ws.sleep(100);
    c.eq(
        "a mutex closed and abandoned during the wait",
        ws.wait_for_single_object(m.into(), 5_000),
        Ok(WAIT_ABANDONED),
    )?;
    c.eq(
        "the owner's wait and CloseHandle",
        join(ws, owner)?,
        (Ok(WAIT_OBJECT_0), Ok(())),
    )?;
    Ok(())
}

fn event_select<W>(ws: &W, c: &mut Check) -> Result<(), String>
where
    W: Winsock + SyncObjects + EventSelect + Send + Sync + 'static,
{
    let (cl, s) = nodelay_pair(ws)?;
    let old = e("WSACreateEvent", ws.wsa_create_event())?;
    e(
        "WSAEventSelect FD_READ",
        ws.wsa_event_select(s, old, FD_READ),
    )?;
    closed_then_data(
        ws,
        c,
        old,
        cl,
        "FD_READ after the event's handle was closed",
    )?;
    let mut ne = WsaNetworkEvents::default();
    e(
        "WSAEnumNetworkEvents",
        ws.wsa_enum_network_events(s, None, &mut ne),
    )?;
    c.eq("recorded", ne.network_events, FD_READ)?;

    let new = e("WSACreateEvent", ws.wsa_create_event())?;
    let mut b = [0u8; 8];
    c.eq("recv re-enables FD_READ", ws.recv(s, &mut b, 0), Ok(1))?;
    e("send", ws.send(cl, b"b", 0))?;
    ws.sleep(100);
    c.eq(
        "a new event, after FD_READ for the old registration",
        ws.wait_for_single_object(new.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    e(
        "WSAEnumNetworkEvents",
        ws.wsa_enum_network_events(s, None, &mut ne),
    )?;
    c.eq(
        "the old registration recorded it",
        ne.network_events,
        FD_READ,
    )?;
    e("WSACloseEvent", ws.wsa_close_event(new))?;
    e("closesocket", ws.closesocket(s))?;
    e("closesocket", ws.closesocket(cl))
}

fn overlapped<W>(ws: &W, c: &mut Check) -> Result<(), String>
where
    W: Winsock + SyncObjects + EventSelect + OverlappedIo + Send + Sync + 'static,
{
    let (cl, s) = nodelay_pair(ws)?;
    let old = e("WSACreateEvent", ws.wsa_create_event())?;
    let ov = pending_recv(
        ws,
        c,
        s,
        Overlapped::with_event(1, old),
        "WSARecv with an event",
    )?;
    closed_then_data(
        ws,
        c,
        old,
        cl,
        "the completion after the event's handle was closed",
    )?;
    c.eq(
        "WSAGetOverlappedResult",
        ws.wsa_get_overlapped_result(s, &ov, false).map(|d| d.bytes),
        Ok(1),
    )?;

    let gone = e("WSACreateEvent", ws.wsa_create_event())?;
    let ov = pending_recv(
        ws,
        c,
        s,
        Overlapped::with_event(2, gone),
        "WSARecv with another event",
    )?;
    e("WSACloseEvent", ws.wsa_close_event(gone))?;
    let new = e("WSACreateEvent", ws.wsa_create_event())?;
    e("send", ws.send(cl, b"b", 0))?;
    ws.sleep(100);
    c.eq(
        "a new event, after the old operation completed",
        ws.wait_for_single_object(new.into(), 0),
        Ok(WAIT_TIMEOUT),
    )?;
    c.eq(
        "WSAGetOverlappedResult",
        ws.wsa_get_overlapped_result(s, &ov, false).map(|d| d.bytes),
        Ok(1),
    )?;
    e("WSACloseEvent", ws.wsa_close_event(new))?;
    e("closesocket", ws.closesocket(s))?;
    e("closesocket", ws.closesocket(cl))
}

fn windows<W: Winsock + AsyncSelect>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, s) = nodelay_pair(ws)?;
    let old = e("CreateWindow", ws.create_window(None))?;
    e(
        "WSAAsyncSelect FD_READ",
        ws.wsa_async_select(s, old, WM_USER + 3, FD_READ),
    )?;
    e("DestroyWindow", ws.destroy_window(old))?;
    let new = e("CreateWindow", ws.create_window(None))?;
    e("send", ws.send(cl, b"a", 0))?;
    ws.sleep(200);
    c.eq(
        "FD_READ for the destroyed window: no message for any window",
        e("PeekMessage", ws.peek_message(Hwnd::NULL, PM_REMOVE))?.map(|m| m.message),
        None,
    )?;
    let mut b = [0u8; 8];
    c.eq("the data is readable", ws.recv(s, &mut b, 0), Ok(1))?;
    e("DestroyWindow", ws.destroy_window(new))?;
    e("closesocket", ws.closesocket(s))?;
    e("closesocket", ws.closesocket(cl))
}

fn ports<W>(ws: &W, c: &mut Check) -> Result<(), String>
where
    W: Winsock + OverlappedIo + Iocp,
{
    let (cl, s) = pair(ws)?;
    let old = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e(
        "associate the socket",
        ws.associate_completion_port(s, old, 7),
    )?;
    pending_recv(ws, c, s, Overlapped::new(1), "WSARecv")?;
    e("CloseHandle(port)", ws.close_completion_port(old))?;
    let new = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("send", ws.send(cl, b"a", 0))?;
    c.eq(
        "a new port, after the socket's receive completed",
        ws.get_queued_completion_status(new, 400).map(|p| p.key),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    e("CloseHandle(port)", ws.close_completion_port(new))?;
    e("closesocket", ws.closesocket(s))?;
    e("closesocket", ws.closesocket(cl))
}
