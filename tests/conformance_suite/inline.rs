//! Inline completion: `WSASend`/`WSARecv` with an OVERLAPPED that succeed inside the call
//! ([`OverlappedIo::wsa_send_overlapped_inline`], [`Immediate`]). In C the buffers are the
//! caller's the moment the call returns; a server that set FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
//! handles such a completion inline, and only a pending operation's packet comes later. The
//! `_inline` calls give the buffers back with the result whenever no packet or routine will
//! carry them, and otherwise say that one will.

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{code, e, pair, tcp, wait_data, Check, Rule};

/// The inline-completion rules.
pub fn inline_rules<W: Winsock + EventSelect + Iocp + OverlappedIo + 'static>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "OV-inline-skip", title: "with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS a WSASend / WSARecv that succeeds at once gives its buffers back with the result and queues no packet; one that pends still queues its packet", body: skip_on_success::<W> },
        Rule { id: "OV-inline-queued", title: "an immediate success whose packet (port without skip-on-success) or routine is queued: the count, and the packet or the routine brings the buffers", body: queued::<W> },
        Rule { id: "OV-inline-sync", title: "on a socket made while SO_OPENTYPE is SO_SYNCHRONOUS_NONALERT an inline WSARecv waits in the call, then gives back the data", body: synchronous::<W> },
        Rule { id: "OV-inline-event", title: "on no port, an immediate success gives the buffers back and signals the OVERLAPPED's event; synchronous failures as the plain calls (WSAEINVAL for a pending OVERLAPPED, WSAENOTCONN, WSAENOTSOCK), with no packet", body: no_port::<W> },
    ]
}

/// The bytes a completion's first buffer holds.
fn data(c: &IoCompletion) -> Vec<u8> {
    c.bufs
        .first()
        .map_or_else(Vec::new, |b| b[..c.bytes].to_vec())
}

fn no_packet<W: Iocp>(
    ws: &W,
    c: &mut Check,
    port: CompletionPort,
    what: &str,
) -> Result<(), String> {
    c.eq(
        what,
        code(ws.get_queued_completion_status(port, 100)),
        Err(WsaError::WAIT_TIMEOUT),
    )
}

fn skip_on_success<W: Winsock + Iocp + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(sv, port, 7))?;
    e(
        "SetFileCompletionNotificationModes",
        ws.set_file_completion_notification_modes(sv, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS),
    )?;

    let ov = Overlapped::new(1);
    let sent = e(
        "WSASend",
        ws.wsa_send_overlapped_inline(sv, vec![b"ping".to_vec()], 0, ov, None),
    )?;
    let Immediate::Completed(done) = sent else {
        return Err(format!("WSASend that succeeds at once: got {sent:?}"));
    };
    c.eq(
        "the send's completion",
        (done.overlapped, done.error, done.bytes, done.bufs),
        (ov, None, 4, vec![b"ping".to_vec()]),
    )?;
    no_packet(ws, c, port, "no packet after an immediate send")?;
    c.eq(
        "the peer reads it",
        super::recv_all(ws, cl, 4),
        Ok(b"ping".to_vec()),
    )?;

    e("send", ws.send(cl, b"hello", 0))?;
    wait_data(ws, sv, 5)?;
    let ov = Overlapped::new(2);
    let got = e(
        "WSARecv",
        ws.wsa_recv_overlapped_inline(sv, vec![vec![0; 16]], 0, ov, None),
    )?;
    let Immediate::Completed(done) = got else {
        return Err(format!("WSARecv with the data there: got {got:?}"));
    };
    c.eq(
        "the receive's completion",
        (done.overlapped, done.error, done.bytes, data(&done)),
        (ov, None, 5, b"hello".to_vec()),
    )?;
    no_packet(ws, c, port, "no packet after an immediate receive")?;

    let ov = Overlapped::new(3);
    c.eq(
        "WSARecv with nothing there",
        ws.wsa_recv_overlapped_inline(sv, vec![vec![0; 16]], 0, ov, None),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e("send", ws.send(cl, b"later", 0))?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "the pending receive's packet",
        (p.overlapped, p.error, p.bytes, p.key),
        (Some(ov), None, 5, 7),
    )?;
    c.eq(
        "its buffer",
        p.bufs.first().map(|b| b[..5].to_vec()),
        Some(b"later".to_vec()),
    )?;

    e("shutdown", ws.shutdown(cl, SD_SEND))?;
    let ov = Overlapped::new(4);
    let mut end = Err(WsaError::WSA_IO_PENDING);
    for _ in 0..500 {
        end = ws.wsa_recv_overlapped_inline(sv, vec![vec![0; 16]], 0, ov, None);
        match &end {
            Err(WsaError::WSA_IO_PENDING) => {
                e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
            }
            _ => break,
        }
    }
    c.eq(
        "WSARecv after the peer's FIN",
        end.map(|i| match i {
            Immediate::Completed(d) => (d.error, d.bytes, d.bufs.len()),
            Immediate::Queued(n) => (Some(WsaError::WSA_IO_PENDING), n, 0),
        }),
        Ok((None, 0, 1)),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

type Seen = Arc<Mutex<Vec<(Option<WsaError>, usize, Vec<u8>)>>>;

fn queued<W: Winsock + Iocp + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(sv, port, 9))?;
    let ov = Overlapped::new(5);
    c.eq(
        "WSASend on a port without skip-on-success",
        ws.wsa_send_overlapped_inline(sv, vec![b"abc".to_vec()], 0, ov, None),
        Ok(Immediate::Queued(3)),
    )?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "its packet brings the buffers",
        (p.overlapped, p.error, p.bytes, p.key, p.bufs),
        (Some(ov), None, 3, 9, vec![b"abc".to_vec()]),
    )?;

    c.eq(
        "the peer reads it",
        super::recv_all(ws, cl, 3),
        Ok(b"abc".to_vec()),
    )?;
    e("send", ws.send(sv, b"xyz", 0))?;
    wait_data(ws, cl, 3)?;
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    let ov = Overlapped::new(6);
    c.eq(
        "WSARecv with a routine, the data there",
        ws.wsa_recv_overlapped_inline(
            cl,
            vec![vec![0; 8]],
            0,
            ov,
            Some(Box::new(move |_, done: IoCompletion| {
                s2.lock()
                    .unwrap()
                    .push((done.error, done.bytes, data(&done)));
            })),
        ),
        Ok(Immediate::Queued(3)),
    )?;
    c.eq(
        "SleepEx(alertable)",
        ws.sleep_ex(5_000, true),
        WAIT_IO_COMPLETION,
    )?;
    c.eq(
        "the routine brings the buffers",
        seen.lock().unwrap().clone(),
        vec![(None, 3, b"xyz".to_vec())],
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

fn no_port<W: Winsock + EventSelect + Iocp + OverlappedIo>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    let ov = Overlapped::with_event(7, ev);
    let sent = e(
        "WSASend",
        ws.wsa_send_overlapped_inline(cl, vec![b"one".to_vec(), b"two".to_vec()], 0, ov, None),
    )?;
    let Immediate::Completed(done) = sent else {
        return Err(format!("WSASend on no port: got {sent:?}"));
    };
    c.eq(
        "the send's completion",
        (done.overlapped, done.error, done.bytes, done.bufs),
        (ov, None, 6, vec![b"one".to_vec(), b"two".to_vec()]),
    )?;
    c.eq(
        "its event",
        ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
        Ok(WAIT_OBJECT_0),
    )?;
    c.eq(
        "the peer reads it",
        super::recv_all(ws, sv, 6),
        Ok(b"onetwo".to_vec()),
    )?;

    let ov = Overlapped::new(8);
    c.eq(
        "WSARecv, nothing there",
        ws.wsa_recv_overlapped_inline(sv, vec![vec![0; 8]], 0, ov, None),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    c.eq(
        "the same OVERLAPPED while it pends",
        ws.wsa_recv_overlapped_inline(sv, vec![vec![0; 8]], 0, ov, None),
        Err(WsaError::WSAEINVAL),
    )?;
    e("send", ws.send(cl, b"four", 0))?;
    let done = e(
        "WSAGetOverlappedResult(wait)",
        ws.wsa_get_overlapped_result(sv, &ov, true),
    )?;
    c.eq(
        "the pending receive, collected",
        (done.error, done.bytes, data(&done)),
        (None, 4, b"four".to_vec()),
    )?;

    let u = tcp(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(u, port, 1))?;
    c.eq(
        "WSARecv unconnected",
        ws.wsa_recv_overlapped_inline(u, vec![vec![0; 8]], 0, Overlapped::new(9), None),
        Err(WsaError::WSAENOTCONN),
    )?;
    no_packet(ws, c, port, "no packet for a synchronous failure")?;
    e("closesocket", ws.closesocket(u))?;
    c.eq(
        "WSASend on a closed handle",
        ws.wsa_send_overlapped_inline(u, vec![b"x".to_vec()], 0, Overlapped::new(11), None),
        Err(WsaError::WSAENOTSOCK),
    )?;
    c.eq(
        "WSARecv on a closed handle",
        ws.wsa_recv_overlapped_inline(u, vec![vec![0; 8]], 0, Overlapped::new(12), None),
        Err(WsaError::WSAENOTSOCK),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

fn synchronous<W: Winsock + OverlappedIo + 'static>(ws: &W, c: &mut Check) -> Result<(), String> {
    // SO_OPENTYPE is the thread's: set through any handle (sock.c test_set_getsockopt).
    let any = Socket::from_raw(INVALID_SOCKET);
    e(
        "SO_OPENTYPE",
        ws.setsockopt_i32(any, SOL_SOCKET, SO_OPENTYPE, SO_SYNCHRONOUS_NONALERT),
    )?;
    let made = pair(ws);
    e(
        "SO_OPENTYPE 0",
        ws.setsockopt_i32(any, SOL_SOCKET, SO_OPENTYPE, 0),
    )?;
    let (cl, sv) = made?;
    let t = e(
        "CreateThread",
        ws.create_thread("sender", move |ws| {
            ws.sleep(100);
            ws.send(sv, b"data", 0).map(|_| ())
        }),
    )?;
    let got = ws.wsa_recv_overlapped_inline(cl, vec![vec![0; 8]], 0, Overlapped::new(0x5f), None);
    c.eq(
        "the inline WSARecv, once the data came",
        got.map(|i| match i {
            Immediate::Completed(d) => (d.error, d.bytes, data(&d)),
            Immediate::Queued(n) => (Some(WsaError::WSA_IO_PENDING), n, Vec::new()),
        }),
        Ok((None, 4, b"data".to_vec())),
    )?;
    e("WaitForSingleObject(thread)", ws.wait_for_thread(t, 5_000))?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}
