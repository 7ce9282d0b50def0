//! What a thread's end does to the overlapped operations it issued, written once for the
//! simulator and the real ws2_32 (Wine's afd.c test_async_thread_termination): they are
//! cancelled, the event set and WSAGetOverlappedResult WSA_OPERATION_ABORTED, except an
//! operation on a socket with a completion port and no event, which outlives the thread.

use winsock_sim::prelude::*;

use super::{e, pair, Check, Rule};

/// The rules.
pub fn thread_exit_rules<W: Winsock + OverlappedIo + SyncObjects + Iocp + Send + Sync + 'static>(
) -> Vec<Rule<W>> {
    vec![Rule {
        id: "OV-thread-exit",
        title: "a thread's pending WSARecv ends with it (event set, WSA_OPERATION_ABORTED); on a socket with a completion port and no event it outlives the thread and completes with the data",
        body: ended_with_thread::<W>,
    }]
}

/// Starts a thread that issues an overlapped 4-byte WSARecv on `s` with `ov` and ends.
fn issue_and_end<W: Winsock + OverlappedIo + SyncObjects + Send + Sync + 'static>(
    ws: &W,
    s: Socket,
    ov: Overlapped,
) -> Result<(), String> {
    let t = e(
        "CreateThread",
        ws.create_thread("issuer", move |ws: &W| {
            match ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, ov, None) {
                Err(WsaError::WSA_IO_PENDING) => Ok(()),
                Ok(_) => Err(WsaError::WSAEINVAL),
                Err(err) => Err(err),
            }
        }),
    )?;
    e("wait for the thread", ws.wait_for_thread(t, 5_000))
}

fn ended_with_thread<W: Winsock + OverlappedIo + SyncObjects + Iocp + Send + Sync + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let ev = e("CreateEvent", ws.create_event(true, false))?;
    let ov = Overlapped::with_event(1, ev);
    issue_and_end(ws, sv, ov)?;
    c.eq(
        "the event is set when the issuing thread ends",
        ws.wait_for_single_object(ev.into(), 2_000),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "WSAGetOverlappedResult",
        ws.wsa_get_overlapped_result(sv, &ov, false)
            .map(|d| (d.error, d.bytes)),
        Ok((Some(WsaError::WSA_OPERATION_ABORTED), 0)),
    )?;
    let (cl2, sv2) = pair(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(sv2, port, 5))?;
    issue_and_end(ws, sv2, Overlapped::new(2))?;
    ws.sleep(200);
    c.eq(
        "on a port, without an event: still pending",
        ws.get_queued_completion_status(port, 0).map(|_| ()),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    e("send", ws.send(cl2, b"late", 0))?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "it completes with the data",
        (p.key, p.bytes, p.error),
        (5, 4, None),
    )?;
    for s in [cl, sv, cl2, sv2] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("CloseHandle(port)", ws.close_completion_port(port))?;
    e("CloseHandle(event)", ws.close_handle(ev.into()))
}
