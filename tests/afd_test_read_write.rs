//! Wine `dlls/ws2_32/tests/afd.c`, function `test_read_write` (L2672-2794 of the file at
//! Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines counted), with
//! the helper thread `sync_read_file_thread` (L2654-2670) it starts, facts only: what
//! NtReadFile / NtWriteFile on a socket do, checked through the WinSock calls a server uses
//! for the same transfer (send / recv, overlapped WSARecv with an event,
//! WSAEventSelect + WSAEnumNetworkEvents). Our own code.
//!
//! Counting: each `ok()` / `todo_wine ok()` once, those of the helper thread too. A call's
//! return and `io.Information` (the byte count) are the WinSock call's result; `io.Status`
//! of a call that completed at once has no WinSock counterpart.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L2684-2699 non-overlapped pair, write then read on the nonblocking end (7) | 5 (send, recv) | 2 | 0 |
//! | L2701-2725 FD_READ recorded again after a partial read (12) | 12 (send, WSAEventSelect, WSAEnumNetworkEvents, recv) | 0 | 0 |
//! | L2729-2737 + L2664-2667 a read that blocks on a nonblocking socket (7) | 1 (send) | 6 | 0 |
//! | L2743-2761 reads without / with a negative byte offset (4) | 0 | 4 | 0 |
//! | L2764-2788 a pending read completed by a write (10) | 7 (overlapped WSARecv with an event, send, WSAGetOverlappedResult) | 3 | 0 |
//! | **total (40)** | **25** | **15** | **0** |
//!
//! Not expressible, per kind: `io.Status` of a call that completed at once (3: L2690,
//! L2697, L2781); NtReadFile's blocking on a nonblocking non-overlapped socket, which recv
//! answers with WSAEWOULDBLOCK instead (6: L2731, L2737 and the thread's L2664-2667; the
//! WinSock analogue, an overlapped WSARecv waiting in the call on a non-overlapped socket
//! whatever FIONBIO says, is conformance NB-03); the byte-offset argument of
//! NtReadFile / NtWriteFile on an overlapped handle (4: L2746, L2756, L2771, L2775) and
//! Wine's fallback after two of them (2: L2751, L2761).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// tcp_socketpair_flags: a connected pair made through a listener that is then closed.
fn socketpair(ws: &SimWinsock, flags: u32) -> Result<(Socket, Socket), WsaError> {
    let client = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, flags)?;
    let l = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, flags)?;
    ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let addr = ws.getsockname(l)?;
    ws.listen(l, 1)?;
    ws.connect(client, &addr)?;
    let (server, _) = ws.accept(l)?;
    ws.closesocket(l)?;
    Ok((client, server))
}

/// Waits (WSAPoll, 1000 ms) until `s` is readable: NtReadFile waits for the data, a recv on
/// a nonblocking socket does not.
fn readable(ws: &SimWinsock, s: Socket) {
    let mut fds = [WsaPollFd::new(s, POLLRDNORM)];
    assert_eq!(ws.wsa_poll(&mut fds, 1000), Ok(1), "readable");
}

fn enum_events(ws: &SimWinsock, s: Socket, ev: WsaEvent) -> Result<i32, WsaError> {
    let mut ne = WsaNetworkEvents::default();
    ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
    Ok(ne.network_events)
}

#[test]
fn fd_read_is_recorded_again_after_a_partial_read() {
    common::run(|ws| {
        let event = ws.wsa_create_event()?;
        let (client, server) = socketpair(ws, 0)?; // L2684
        ws.set_nonblocking(server, true)?; // L2685
                                           // L2687-2691: a write of 4 bytes completes with 4.
        assert_eq!(ws.send(client, b"data", 0)?, 4, "L2689, L2691");
        // L2693-2699: the whole write is read back.
        readable(ws, server);
        let mut buf = [0xccu8; 5];
        let n = ws.recv(server, &mut buf, 0)?;
        assert_eq!((n, &buf[..4]), (4, &b"data"[..]), "L2696, L2698-2699");

        // L2701-2709: data queued, then FD_READ selected: recorded at once.
        assert_eq!(ws.send(server, b"data", 0)?, 4, "L2702");
        ws.wsa_event_select(client, event, FD_READ)?; // L2705
        readable(ws, client);
        assert_eq!(enum_events(ws, client, event)?, FD_READ, "L2708-2709");
        // L2711-2719: a read that leaves data queued records FD_READ again.
        let mut one = [0xccu8; 1];
        assert_eq!(ws.recv(client, &mut one, 0)?, 1, "L2713-2714");
        assert_eq!(one[0], b'd', "L2715");
        assert_eq!(enum_events(ws, client, event)?, FD_READ, "L2718-2719");
        // L2721-2725: the rest.
        let mut buf = [0xccu8; 5];
        let n = ws.recv(client, &mut buf, 0)?;
        assert_eq!((n, &buf[..3]), (3, &b"ata"[..]), "L2723-2725");
        // Not in afd.c: with nothing left, nothing is recorded.
        assert_eq!(enum_events(ws, client, event)?, 0, "drained");

        // L2733-2734: a blocking write on the client (the blocked reader is not expressible).
        assert_eq!(ws.send(client, b"data", 0)?, 4, "L2734");
        ws.closesocket(server)?;
        ws.closesocket(client)?;
        ws.wsa_close_event(event)
    });
}

#[test]
fn a_pending_read_is_completed_by_a_write() {
    common::run(|ws| {
        let event = ws.wsa_create_event()?;
        let (client, server) = socketpair(ws, WSA_FLAG_OVERLAPPED)?; // L2743
                                                                     // L2764-2768: a read with an event and nothing queued pends.
        let ov = Overlapped::with_event(1, event);
        let r = ws.wsa_recv_overlapped(server, vec![vec![0xcc; 5]], 0, ov, None);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "L2768");
        // L2777-2782: a write of 4 bytes completes at once with 4.
        assert_eq!(ws.send(client, b"data", 0)?, 4, "L2780, L2782");
        // L2784-2788: the event is signalled; success, 4 bytes, the data.
        assert_eq!(
            ws.wait_for_single_object(event.into(), 1000)?,
            WAIT_OBJECT_0,
            "L2785"
        );
        let done = ws.wsa_get_overlapped_result(server, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 4), "L2786-2787");
        assert_eq!(&done.bufs[0][..4], b"data", "L2788");
        ws.closesocket(server)?;
        ws.closesocket(client)?;
        ws.wsa_close_event(event)
    });
}
