//! An overlapped call that fails at once (anything but WSA_IO_PENDING and a datagram cut to
//! its buffer) tells of it through no other channel: no completion packet, no event, no
//! completion routine — written once for the simulator and the real stack (sock.c
//! test_completion_port: WSASend and WSARecv on a connection reset by its peer, then
//! GetQueuedCompletionStatus times out; Wine's server/async.c signals nothing for an
//! asynchronous operation that fails synchronously with an NT error status). A UDP socket
//! whose earlier datagram met a port nobody listens on fails its next WSARecv so too (the
//! simulator queued a packet for it until the thread-pool I/O fuzz found it).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;

use super::overlapped::udp;
use super::{code, e, pair, rst_close, Check, Rule};

/// Wine 8.0's receive on a reset connection: the end of the stream (0 bytes), a success
/// that then tells of itself as any would.
const WINE_RST: &str =
    "Wine 8.0 sees the RST as an orderly close (recv gives 0), as in OV-01/recv-after-RST";

/// The rules.
pub fn sync_failure_rules<W: Winsock + Iocp + OverlappedIo + EventSelect + SyncObjects>(
) -> Vec<Rule<W>> {
    vec![Rule {
        id: "OV-sync-fail",
        title: "WSASend and WSARecv on a connection reset by its peer, and WSARecv on a UDP socket after an ICMP port unreachable, fail at once with WSAECONNRESET and queue no completion packet (GetQueuedCompletionStatus times out), set no event and queue no completion routine",
        body: sync_fail::<W>,
    }]
}

/// The server end of a connection its peer has reset (closed with a zero linger), the reset
/// arrived.
fn reset_server<W: Winsock>(ws: &W) -> Result<Socket, String> {
    let (client, server) = pair(ws)?;
    rst_close(ws, client)?;
    ws.sleep(100);
    Ok(server)
}

fn sync_fail<W: Winsock + Iocp + OverlappedIo + EventSelect + SyncObjects>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let server = reset_server(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e(
        "CreateIoCompletionPort(socket)",
        ws.associate_completion_port(server, port, 125),
    )?;
    c.eq(
        "WSASend after the peer's reset",
        code(ws.wsa_send_overlapped(server, vec![b"x".to_vec()], 0, Overlapped::new(1), None)),
        Err(WsaError::WSAECONNRESET),
    )?;
    c.eq(
        "no packet for it",
        code(ws.get_queued_completion_status(port, 200)),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    e("closesocket", ws.closesocket(server))?;
    // Each case on a connection of its own, as sock.c (on Linux, which Wine runs on, a reset
    // is reported to the first call only).
    let server = reset_server(ws)?;
    e(
        "CreateIoCompletionPort(socket)",
        ws.associate_completion_port(server, port, 127),
    )?;
    c.eq_or_wine(
        "WSARecv after the peer's reset",
        code(ws.wsa_recv_overlapped(server, vec![vec![0; 8]], 0, Overlapped::new(2), None)),
        Err(WsaError::WSAECONNRESET),
        Ok(()),
        WINE_RST,
    )?;
    c.eq_or_wine(
        "no packet for it",
        code(ws.get_queued_completion_status(port, 200)),
        Err(WsaError::WAIT_TIMEOUT),
        Ok(()),
        WINE_RST,
    )?;
    e("closesocket", ws.closesocket(server))?;

    // UDP: a datagram to a port nobody listens on; the next WSARecv fails at once.
    let (u, _) = udp(ws)?;
    let (gone, dead) = udp(ws)?;
    e("closesocket", ws.closesocket(gone))?;
    e(
        "CreateIoCompletionPort(UDP socket)",
        ws.associate_completion_port(u, port, 126),
    )?;
    e("sendto", ws.sendto(u, b"anyone?", 0, &dead))?;
    ws.sleep(200);
    c.eq_or_wine(
        "WSARecv after the port unreachable",
        code(ws.wsa_recv_overlapped(u, vec![vec![0; 16]], 0, Overlapped::new(5), None)),
        Err(WsaError::WSAECONNRESET),
        Err(WsaError::WSA_IO_PENDING),
        "Wine 8.0 reports no ICMP port unreachable on a UDP socket (as UDP-connreset)",
    )?;
    c.eq(
        "no packet for it",
        code(ws.get_queued_completion_status(port, 200)),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    e("closesocket", ws.closesocket(u))?;
    e("CloseHandle(port)", ws.close_completion_port(port))?;

    // The same with an event and with a completion routine, on sockets on no port.
    let server = reset_server(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    let ov = Overlapped {
        id: 3,
        event: Some(ev),
    };
    c.eq_or_wine(
        "WSARecv with an event",
        code(ws.wsa_recv_overlapped(server, vec![vec![0; 8]], 0, ov, None)),
        Err(WsaError::WSAECONNRESET),
        Ok(()),
        WINE_RST,
    )?;
    c.eq_or_wine(
        "its event stays unset",
        ws.wait_for_single_object(Handle::Event(ev), 100),
        Ok(WAIT_TIMEOUT),
        Ok(WAIT_OBJECT_0),
        WINE_RST,
    )?;
    e("closesocket", ws.closesocket(server))?;
    let server = reset_server(ws)?;
    let ran = Arc::new(AtomicU32::new(0));
    let r = ran.clone();
    let routine: CompletionRoutine<W> = Box::new(move |_: &W, _| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    c.eq_or_wine(
        "WSARecv with a completion routine",
        code(ws.wsa_recv_overlapped(
            server,
            vec![vec![0; 8]],
            0,
            Overlapped::new(4),
            Some(routine),
        )),
        Err(WsaError::WSAECONNRESET),
        Ok(()),
        WINE_RST,
    )?;
    c.eq_or_wine(
        "an alertable wait runs no routine",
        ws.sleep_ex(100, true),
        0,
        WAIT_IO_COMPLETION,
        WINE_RST,
    )?;
    c.eq_or_wine(
        "the routine never ran",
        ran.load(Ordering::SeqCst),
        0,
        1,
        WINE_RST,
    )?;
    e("closesocket", ws.closesocket(server))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))?;
    Ok(())
}
