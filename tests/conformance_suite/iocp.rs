//! Completion port rules (trait [`Iocp`]).

use winsock_sim::prelude::*;

use super::{code, e, queue_counting_apc, tcp, Check, Rule};

/// Every rule on completion ports themselves (trait [`Iocp`]; the overlapped calls that fill
/// them are not in the suite yet).
pub fn iocp_rules<W: Winsock + Iocp>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "CP-post", title: "PostQueuedCompletionStatus packets come back in order with bytes, key and OVERLAPPED; timeouts; closed ports", body: iocp_post::<W> },
        Rule { id: "CP-assoc", title: "a socket is associated once (again: WSA_INVALID_PARAMETER); a non-socket WSAENOTSOCK", body: iocp_assoc::<W> },
    ]
}

fn iocp_post<W: Winsock + Iocp>(ws: &W, c: &mut Check) -> Result<(), String> {
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    c.eq(
        "GQCS on an empty port",
        code(ws.get_queued_completion_status(port, 0)),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    c.eq(
        "GQCSEx with 0 entries",
        code(ws.get_queued_completion_status_ex(port, 0, 0, false)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    e(
        "PQCS",
        ws.post_queued_completion_status(port, 3, 7, Some(Overlapped::new(9))),
    )?;
    e("PQCS", ws.post_queued_completion_status(port, 0, 8, None))?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "first packet",
        (p.bytes, p.key, p.overlapped, p.error),
        (3, 7, Some(Overlapped::new(9)), None),
    )?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "second packet",
        (p.bytes, p.key, p.overlapped, p.error),
        (0, 8, None, None),
    )?;
    for i in 0..3u64 {
        e(
            "PQCS",
            ws.post_queued_completion_status(port, i as usize, 1, Some(Overlapped::new(i))),
        )?;
    }
    let v = e(
        "GQCSEx",
        ws.get_queued_completion_status_ex(port, 8, 5_000, false),
    )?;
    c.eq(
        "GQCSEx packets",
        v.iter()
            .map(|p| p.overlapped.map(|o| o.id))
            .collect::<Vec<_>>(),
        vec![Some(0), Some(1), Some(2)],
    )?;
    // The caller's-array form (lpCompletionPortEntries, ulCount): at most `max` packets, in
    // order, the array emptied first; a timeout or a zero count dequeues nothing.
    for i in 10..13u64 {
        e(
            "PQCS",
            ws.post_queued_completion_status(port, i as usize, 2, Some(Overlapped::new(i))),
        )?;
    }
    let ids = |v: &Vec<CompletionPacket>| {
        v.iter()
            .map(|p| p.overlapped.map(|o| o.id))
            .collect::<Vec<_>>()
    };
    let mut array = Vec::new();
    let n = e(
        "GQCSEx into an array, 2 entries",
        ws.get_queued_completion_status_ex_into(port, &mut array, 2, 5_000, false),
    )?;
    c.eq(
        "GQCSEx into an array: count and packets",
        (n, ids(&array)),
        (2, vec![Some(10), Some(11)]),
    )?;
    let n = e(
        "GQCSEx into the same array, 8 entries",
        ws.get_queued_completion_status_ex_into(port, &mut array, 8, 5_000, false),
    )?;
    c.eq(
        "GQCSEx into the same array: only the packet left",
        (n, ids(&array), array[0].bytes, array[0].key),
        (1, vec![Some(12)], 12, 2),
    )?;
    c.eq(
        "GQCSEx into an array on an empty port",
        (
            code(ws.get_queued_completion_status_ex_into(port, &mut array, 8, 0, false)),
            array.len(),
        ),
        (Err(WsaError::WAIT_TIMEOUT), 0),
    )?;
    e("PQCS", ws.post_queued_completion_status(port, 0, 3, None))?;
    c.eq(
        "GQCSEx into an array with 0 entries",
        (
            code(ws.get_queued_completion_status_ex_into(port, &mut array, 0, 0, false)),
            array.len(),
        ),
        (Err(WsaError::WSA_INVALID_PARAMETER), 0),
    )?;
    c.eq(
        "the packet a 0-entry call left",
        ws.get_queued_completion_status(port, 5_000)
            .map(|p| (p.bytes, p.key, p.overlapped)),
        Ok((0, 3, None)),
    )?;
    e("CloseHandle(port)", ws.close_completion_port(port))?;
    c.eq(
        "close it again",
        code(ws.close_completion_port(port)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    c.eq(
        "GQCS on a closed port",
        code(ws.get_queued_completion_status(port, 0)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )
}

fn iocp_assoc<W: Winsock + Iocp>(ws: &W, c: &mut Check) -> Result<(), String> {
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    let s = tcp(ws)?;
    e("associate", ws.associate_completion_port(s, port, 1))?;
    c.eq(
        "associate again",
        code(ws.associate_completion_port(s, port, 2)),
        Err(WsaError::WSA_INVALID_PARAMETER),
    )?;
    c.eq(
        "associate a non-socket",
        code(ws.associate_completion_port(Socket::from_raw(0xdead_0000), port, 3)),
        Err(WsaError::WSAENOTSOCK),
    )?;
    e("closesocket", ws.closesocket(s))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

/// The completion-port rules that need APCs (traits [`Iocp`], [`OverlappedIo`]).
pub fn iocp_apc_rules<W: Winsock + Iocp + OverlappedIo + SyncObjects>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "CP-apc-order", title: "alertable GetQueuedCompletionStatusEx with a packet queued and an APC pending: a thread not yet the port's runs the APC (WAIT_IO_COMPLETION), the port's own thread takes the packet and its APC waits for the next alertable wait", body: packet_or_apc::<W> },
    ]
}

/// Wine's ntdll file.c test_set_io_completion and kernel32 file.c test_post_completion.
fn packet_or_apc<W: Winsock + Iocp + OverlappedIo + SyncObjects>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    use std::sync::atomic::Ordering::SeqCst;
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("PQCS", ws.post_queued_completion_status(port, 1, 1, None))?;
    queue_counting_apc(ws, ws.get_current_thread(), &ran)?;
    let bytes = |r: Result<Vec<CompletionPacket>, WsaError>| {
        r.map(|v| v.iter().map(|p| p.bytes).collect::<Vec<_>>())
    };
    // Wine 8.0 predates the fix that came with these tests: it takes the packet whoever
    // the thread is, and runs the APC first even for the port's own thread.
    const WINE: &str = "ntdll file.c test_set_io_completion 985-1017, newer than Wine 8.0";
    let first = bytes(ws.get_queued_completion_status_ex(port, 1, 0, true));
    c.eq_or_wine(
        "not the port's thread yet: the APC first",
        first.clone(),
        Err(WsaError::WAIT_IO_COMPLETION),
        Ok(vec![1]),
        WINE,
    )?;
    if first.is_ok() {
        ws.sleep_ex(0, true);
    } else {
        c.eq("its APC ran", ran.load(SeqCst), 1)?;
        let p = e("GQCS", ws.get_queued_completion_status(port, 0))?;
        c.eq("the first packet", p.bytes, 1)?;
    }
    e("PQCS", ws.post_queued_completion_status(port, 2, 2, None))?;
    queue_counting_apc(ws, ws.get_current_thread(), &ran)?;
    let second = bytes(ws.get_queued_completion_status_ex(port, 1, 0, true));
    c.eq_or_wine(
        "the port's thread: the packet first",
        second.clone(),
        Ok(vec![2]),
        Err(WsaError::WAIT_IO_COMPLETION),
        WINE,
    )?;
    if second.is_ok() {
        c.eq("its APC has not run", ran.load(SeqCst), 1)?;
        c.eq(
            "the next alertable wait runs it",
            ws.sleep_ex(0, true),
            WAIT_IO_COMPLETION,
        )?;
        c.eq("then it ran", ran.load(SeqCst), 2)?;
    } else {
        e("GQCS", ws.get_queued_completion_status(port, 0))?;
    }
    e("CloseHandle(port)", ws.close_completion_port(port))
}
