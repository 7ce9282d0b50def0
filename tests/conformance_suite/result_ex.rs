//! GetOverlappedResultEx, written once for the simulator and the real kernel32: a pending
//! overlapped receive gives ERROR_IO_INCOMPLETE with a timeout of 0, WAIT_TIMEOUT when the
//! timeout runs out, WAIT_IO_COMPLETION when an APC queued to the thread runs during an
//! alertable wait, and the result once data comes. (The times are checked in virtual time
//! in `tests/overlapped_result_ex.rs`, never on the wall clock.)

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;

use super::{code, e, pair, queue_counting_apc, Check, Rule};

/// The rules.
pub fn result_ex_rules<W: Winsock + OverlappedIo + SyncObjects + EventSelect>() -> Vec<Rule<W>> {
    vec![Rule {
        id: "OV-result-ex",
        title: "GetOverlappedResultEx on a pending WSARecv: timeout 0 ERROR_IO_INCOMPLETE, 100 ms WAIT_TIMEOUT, an APC queued before an alertable wait WAIT_IO_COMPLETION (the APC ran), and the 4 bytes once sent",
        body: pending_receive::<W>,
    }]
}

fn pending_receive<W: Winsock + OverlappedIo + SyncObjects + EventSelect>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    let ov = Overlapped::with_event(1, ev);
    c.eq(
        "WSARecv",
        code(ws.wsa_recv_overlapped(sv, vec![vec![0; 8]], 0, ov, None)),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    let got = |ms, alertable| code(ws.get_overlapped_result_ex(sv, &ov, ms, alertable));
    c.eq("timeout 0", got(0, false), Err(WsaError::WSA_IO_INCOMPLETE))?;
    c.eq(
        "timeout 100 ms",
        got(100, false),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    let ran = Arc::new(AtomicU32::new(0));
    queue_counting_apc(ws, ws.get_current_thread(), &ran)?;
    c.eq(
        "alertable, an APC queued",
        got(INFINITE, true),
        Err(WsaError::WAIT_IO_COMPLETION),
    )?;
    c.eq("the APC ran", ran.load(Ordering::SeqCst), 1)?;
    e("send", ws.send(cl, b"ping", 0))?;
    let done = e(
        "the result",
        ws.get_overlapped_result_ex(sv, &ov, 5_000, false),
    )?;
    c.eq("bytes", (done.error, done.bytes), (None, 4))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}
