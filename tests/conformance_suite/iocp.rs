//! Completion port rules (trait [`Iocp`]).

use winsock_sim::prelude::*;

use super::{code, e, tcp, Check, Rule};

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
