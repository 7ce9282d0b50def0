//! Overlapped I/O: conformance rules OV-* (section 4 of conformance.md), the overlapped halves
//! of NB-02 / NB-04 / NB-05, EV-10 and EV-20, and the API contract of `api::overlapped`
//! (scatter/gather, OVERLAPPED identity, buffers handed back once, APCs and alertable waits).
//!
//! Expected values are Windows' (the catalogue and the Win32 documentation), never what the
//! sim happens to return. The Rust API reports WinSock codes from `wsa_get_overlapped_result`
//! and completion routines (WSAECONNRESET) and Win32 codes in completion packets
//! (ERROR_NETNAME_DELETED).
//!
//! Runs use full-size segments: on Windows' loopback a small send arrives as one segment, and
//! the catalogue's byte counts (a pending receive completing with 4 bytes) rely on that.
//!
//! Not expressible through the API (not tested):
//! - `OVERLAPPED.Internal` / `InternalHigh` (STATUS_PENDING, STATUS_CONNECTION_RESET, …).
//! - OV-11: NULL buffer, NULL OVERLAPPED, address lengths (0, 3, sizeof+4); OV-12: NULL
//!   OVERLAPPED. The API has no lengths or null pointers.
//! - OV-10: WSAAccept with CF_DEFER (no WSAAccept in the API). GetAcceptExSockaddrs and
//!   SO_UPDATE_ACCEPT_CONTEXT are tested.
//! - OV-15: "size 0" of a failed non-overlapped WSAIoctl. (Its interface and address queries
//!   are tested in `tests/sockc_test_get_interface_list.rs`,
//!   `tests/sockc_test_siorouting_interface_query.rs` and
//!   `tests/sockc_test_address_list_query.rs`; extension function pointers in
//!   `tests/sockc_test_get_extension_func.rs`.)
//!
//! Also here: OV-02's UDP half (a closed UDP socket cancels its receive), MSG_PEEK on
//! overlapped receives (stream and datagram).
//! - OV-03 (closing the listener): WSAGetOverlappedResult on the closed listener handle
//!   (it is WSAENOTSOCK); the result is read from the event and a completion packet instead.
//! - OV-08 "byte count untouched": a synchronous failure returns only the error, and the
//!   buffers moved into the call are not handed back.
mod common;

use common::tcp;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::{Segmentation, Sim, SimWinsock};

/// Virtual time given to the network before an expected completion must be there.
const WAIT_MS: u32 = 1000;
/// Virtual time after which "nothing happened" is concluded.
const QUIET_MS: u32 = 200;
/// Virtual time for in-flight segments to land.
const SETTLE_MS: u32 = 50;
/// No simulated host owns this address (TEST-NET-2): SYNs to it are never answered.
const UNREACHABLE: [u8; 4] = [198, 51, 100, 7];

/// Runs `body` with the catalogue's loopback (a small send is one segment).
fn run<F>(body: F)
where
    F: FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    common::run_with(
        Sim::builder()
            .seed(common::seed())
            .segmentation(Segmentation::Mss),
        body,
    );
}

/// A TCP socket bound to 127.0.0.1 with an ephemeral port.
fn bound_tcp(ws: &SimWinsock) -> Result<Socket, WsaError> {
    let s = tcp(ws)?;
    ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
    Ok(s)
}

/// A UDP socket bound to 127.0.0.1 with an ephemeral port.
fn bound_udp(ws: &SimWinsock) -> Result<Socket, WsaError> {
    let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 0))?;
    Ok(u)
}

/// An address on this host where nothing listens.
fn closed_port(ws: &SimWinsock) -> Result<SockAddr, WsaError> {
    let (l, addr) = common::listener(ws, 1)?;
    ws.closesocket(l)?;
    Ok(addr)
}

/// `ev` becomes signalled within [`WAIT_MS`].
fn signalled(ws: &SimWinsock, ev: WsaEvent, what: &str) -> Result<(), WsaError> {
    assert_eq!(
        ws.wsa_wait_for_multiple_events(&[ev], false, WAIT_MS, false)?,
        WSA_WAIT_EVENT_0,
        "{what}: the event was not signalled"
    );
    Ok(())
}

/// `ev` stays non-signalled for [`QUIET_MS`].
fn quiet(ws: &SimWinsock, ev: WsaEvent, what: &str) -> Result<(), WsaError> {
    assert_eq!(
        ws.wsa_wait_for_multiple_events(&[ev], false, QUIET_MS, false)?,
        WSA_WAIT_TIMEOUT,
        "{what}: the event was signalled"
    );
    Ok(())
}

/// `ev` is signalled right now.
fn is_set(ws: &SimWinsock, ev: WsaEvent) -> Result<bool, WsaError> {
    Ok(ws.wsa_wait_for_multiple_events(&[ev], false, 0, false)? == WSA_WAIT_EVENT_0)
}

/// No packet arrives on `port` within [`QUIET_MS`].
fn no_packet(ws: &SimWinsock, port: CompletionPort, what: &str) {
    let r = ws.get_queued_completion_status(port, QUIET_MS);
    assert_eq!(
        r.as_ref().map(|p| (p.key, p.bytes, p.overlapped, p.error)),
        Err(&WsaError::WAIT_TIMEOUT),
        "{what}: expected no packet"
    );
}

/// The next packet on `port` (within [`WAIT_MS`]) is a failed one: `error`, 0 bytes, `key` and
/// `ov`; `WSAGetLastError()` is then `code`. Returns the packet.
fn failed_packet(
    ws: &SimWinsock,
    port: CompletionPort,
    error: WsaError,
    key: usize,
    ov: Overlapped,
    code: i32,
) -> Result<CompletionPacket, WsaError> {
    let p = ws.get_queued_completion_status(port, WAIT_MS)?;
    assert_eq!(
        (p.error, p.bytes, p.key, p.overlapped),
        (Some(error), 0, key, Some(ov))
    );
    assert_eq!(ws.wsa_get_last_error(), code);
    Ok(p)
}

/// Enumerates `s`'s network events (resetting `ev`); returns lNetworkEvents.
fn enum_events(ws: &SimWinsock, s: Socket, ev: WsaEvent) -> Result<i32, WsaError> {
    let mut ne = WsaNetworkEvents::default();
    ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
    Ok(ne.network_events)
}

/// A completion routine that counts its calls and keeps what it was given.
fn recording_routine(
    calls: &Arc<AtomicUsize>,
    got: &Arc<Mutex<Vec<IoCompletion>>>,
) -> CompletionRoutine<SimWinsock> {
    let calls = calls.clone();
    let got = got.clone();
    Box::new(move |_ws: &SimWinsock, done: IoCompletion| {
        calls.fetch_add(1, Ordering::SeqCst);
        got.lock().unwrap().push(done);
    })
}

// ---------------------------------------------------------------------------------------------
// OV-01 .. OV-12
// ---------------------------------------------------------------------------------------------

#[test]
fn ov_01_peer_reset_fails_pending_receive() {
    // Proves: a peer RST ends a pending overlapped WSARecv with WSAECONNRESET and 0 bytes,
    // SO_ERROR stays 0, and a new WSARecv or send fails at once with WSAECONNRESET.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 16]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        common::rst_close(ws, s)?;
        signalled(ws, ev, "reset during the receive")?;
        let done = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!(done.error, Some(WsaError::WSAECONNRESET));
        assert_eq!(done.bytes, 0);
        assert_eq!(done.overlapped, ov);
        assert_eq!(
            ws.wsa_get_last_error(),
            10054,
            "FALSE result sets the error"
        );
        assert_eq!(ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?, 0, "SO_ERROR");
        let t0 = ws.get_tick_count();
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 16]], 0, Overlapped::new(2), None),
            Err(WsaError::WSAECONNRESET),
            "new overlapped WSARecv"
        );
        let mut b = [0u8; 4];
        assert_eq!(
            ws.wsa_recv(c, &mut [&mut b[..]], 0),
            Err(WsaError::WSAECONNRESET),
            "new WSARecv"
        );
        assert_eq!(ws.send(c, b"x", 0), Err(WsaError::WSAECONNRESET), "send");
        assert_eq!(ws.get_tick_count(), t0, "the failures are immediate");
        Ok(())
    });
}

#[test]
fn ov_01_peer_reset_packet_is_netname_deleted() {
    // Proves: through a completion port the reset receive is a failed packet
    // ERROR_NETNAME_DELETED with 0 bytes, the socket's key and the OVERLAPPED.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 77)?;
        let ov = Overlapped::new(5);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 16]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        common::rst_close(ws, s)?;
        failed_packet(ws, port, WsaError::ERROR_NETNAME_DELETED, 77, ov, 64)?;
        no_packet(ws, port, "after the reset packet");
        Ok(())
    });
}

#[test]
fn ov_02_local_close_aborts_pending_receive() {
    // Proves: closesocket with a receive pending queues a failed packet
    // ERROR_CONNECTION_ABORTED, 0 bytes, with the key and the OVERLAPPED (and the buffer back).
    run(|ws| {
        let (_c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 0x55)?;
        let ov = Overlapped::new(3);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        no_packet(ws, port, "receive still pending");
        ws.closesocket(s)?;
        let p = failed_packet(ws, port, WsaError::ERROR_CONNECTION_ABORTED, 0x55, ov, 1236)?;
        assert_eq!(p.bufs.len(), 1, "the buffer comes back with the packet");
        no_packet(ws, port, "one packet per operation");
        Ok(())
    });
}

#[test]
fn ov_02_local_close_cancels_pending_udp_receive() {
    // Proves (afd.c test_recv, todo_wine): closing a UDP socket with a receive pending ends
    // it as cancelled (STATUS_CANCELLED): the packet is ERROR_OPERATION_ABORTED (995), 0 bytes,
    // with the key and the OVERLAPPED; a completion routine gets WSA_OPERATION_ABORTED.
    run(|ws| {
        let u = bound_udp(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(u, port, 0x66)?;
        let ov = Overlapped::new(4);
        assert_eq!(
            ws.wsa_recv_from(u, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        no_packet(ws, port, "receive still pending");
        ws.closesocket(u)?;
        failed_packet(ws, port, WsaError::WSA_OPERATION_ABORTED, 0x66, ov, 995)?;
        no_packet(ws, port, "one packet per operation");

        let u2 = bound_udp(ws)?;
        let got = Arc::new(Mutex::new(None));
        let seen = got.clone();
        let r = ws.wsa_recv_from(
            u2,
            vec![vec![0; 8]],
            0,
            Overlapped::new(5),
            Some(Box::new(move |_ws, done: IoCompletion| {
                *seen.lock().unwrap() = Some((done.error, done.bytes));
            })),
        );
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        ws.closesocket(u2)?;
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(
            *got.lock().unwrap(),
            Some((Some(WsaError::WSA_OPERATION_ABORTED), 0))
        );
        Ok(())
    });
}

#[test]
fn udp_overlapped_peek_leaves_the_datagram() {
    // Proves: an overlapped WSARecvFrom with MSG_PEEK on a UDP socket copies the datagram (with
    // its source) and leaves it queued: the next receive gets the same datagram.
    run(|ws| {
        let u = bound_udp(ws)?;
        let dst = ws.getsockname(u)?;
        let tx = bound_udp(ws)?;
        ws.sendto(tx, b"dgram", 0, &dst)?;
        ws.sleep(SETTLE_MS);
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_from(u, vec![vec![0; 16]], MSG_PEEK as u32, ov, None),
            Ok(5)
        );
        let done = ws.wsa_get_overlapped_result(u, &ov, false)?;
        assert_eq!(&done.bufs[0][..5], b"dgram");
        assert_eq!(done.from, Some(ws.getsockname(tx)?));
        let mut b = [0u8; 16];
        let (n, from) = ws.recvfrom(u, &mut b, 0)?;
        assert_eq!((&b[..n], from), (&b"dgram"[..], ws.getsockname(tx)?));
        Ok(())
    });
}

/// A listener, an unused accept socket and an AcceptEx pending on them with an event.
fn pending_accept(
    ws: &SimWinsock,
    receive_len: usize,
) -> Result<(Socket, SockAddr, Socket, Overlapped, WsaEvent), WsaError> {
    let (l, addr) = common::listener(ws, 5)?;
    let a = tcp(ws)?;
    let ev = ws.wsa_create_event()?;
    let ov = Overlapped::with_event(100, ev);
    assert_eq!(
        ws.accept_ex(l, a, vec![0; receive_len], ov),
        Err(WsaError::WSA_IO_PENDING),
        "AcceptEx pends"
    );
    Ok((l, addr, a, ov, ev))
}

/// Connects a new client to `addr` and waits until the pending AcceptEx's event `ev` is set.
fn connect_client(ws: &SimWinsock, addr: &SockAddr, ev: WsaEvent) -> Result<Socket, WsaError> {
    let c = tcp(ws)?;
    ws.connect(c, addr)?;
    signalled(ws, ev, "client connected")?;
    Ok(c)
}

#[test]
fn ov_03_closing_accept_socket_aborts_accept_ex() {
    // Proves: closesocket(accept socket) ends a pending AcceptEx with WSA_OPERATION_ABORTED.
    run(|ws| {
        let (l, _addr, a, ov, ev) = pending_accept(ws, 0)?;
        ws.closesocket(a)?;
        signalled(ws, ev, "accept socket closed")?;
        let done = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!(done.error, Some(WsaError::WSA_OPERATION_ABORTED));
        assert_eq!(done.bytes, 0);
        assert_eq!(ws.wsa_get_last_error(), 995);
        Ok(())
    });
}

#[test]
fn ov_03_closing_listener_aborts_accept_ex() {
    // Proves: closesocket(listener) ends a pending AcceptEx with ERROR_OPERATION_ABORTED
    // (event signalled, failed packet with the listener's key).
    run(|ws| {
        let (l, _addr, _a, ov, ev) = pending_accept(ws, 0)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(l, port, 9)?;
        ws.closesocket(l)?;
        signalled(ws, ev, "listener closed")?;
        failed_packet(ws, port, WsaError::WSA_OPERATION_ABORTED, 9, ov, 995)?;
        Ok(())
    });
}

#[test]
fn ov_03_cancel_io_ex_on_accept_socket_does_not_cancel() {
    // Proves: CancelIoEx(accept socket) finds nothing (ERROR_NOT_FOUND) and leaves the AcceptEx
    // pending; it still completes when a client connects.
    run(|ws| {
        let (l, addr, a, ov, ev) = pending_accept(ws, 0)?;
        assert_eq!(
            ws.cancel_io_ex(a, None),
            Err(WsaError::ERROR_NOT_FOUND),
            "no I/O is issued on the accept socket"
        );
        quiet(ws, ev, "after CancelIoEx(accept socket)")?;
        assert_eq!(
            ws.wsa_get_overlapped_result(l, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        let c = connect_client(ws, &addr, ev)?;
        let done = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 0));
        common::update_accept_context(ws, a, l)?;
        assert_eq!(ws.getpeername(a)?, ws.getsockname(c)?);
        Ok(())
    });
}

#[test]
fn ov_03_cancel_io_ex_on_listener_cancels() {
    // Proves: CancelIoEx(listener) cancels the pending AcceptEx (WSA_OPERATION_ABORTED); the
    // listener keeps listening.
    run(|ws| {
        let (l, addr, _a, ov, ev) = pending_accept(ws, 0)?;
        ws.cancel_io_ex(l, None)?;
        signalled(ws, ev, "cancelled")?;
        let done = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!(done.error, Some(WsaError::WSA_OPERATION_ABORTED));
        assert_eq!(done.bytes, 0);
        assert_eq!(
            ws.cancel_io_ex(l, None),
            Err(WsaError::ERROR_NOT_FOUND),
            "nothing left to cancel"
        );
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        let (s, peer) = ws.accept(l)?;
        assert_eq!(peer, ws.getsockname(c)?);
        ws.closesocket(s)?;
        Ok(())
    });
}

#[test]
fn ov_04_completion_routine_runs_in_alertable_wait() {
    // Proves: a completion routine runs once, only in an alertable wait (SleepEx returns
    // WAIT_IO_COMPLETION), gets (0, bytes, &overlapped, 0), and the OVERLAPPED's event is NOT
    // signalled.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(4, ev);
        let calls = Arc::new(AtomicUsize::new(0));
        let got = Arc::new(Mutex::new(Vec::new()));
        assert_eq!(
            ws.wsa_recv_overlapped(
                s,
                vec![vec![0; 16]],
                0,
                ov,
                Some(recording_routine(&calls, &got))
            ),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"abc", 0)?;
        ws.sleep(QUIET_MS);
        assert_eq!(ws.sleep_ex(10, false), 0, "non-alertable SleepEx");
        assert_eq!(
            ws.wait_for_single_object_ex(ev, 10, false)?,
            WAIT_TIMEOUT,
            "non-alertable wait; the event is not signalled"
        );
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "not run outside alertable waits"
        );
        assert_eq!(ws.sleep_ex(1000, true), WAIT_IO_COMPLETION);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "run once");
        {
            let got = got.lock().unwrap();
            let d = &got[0];
            assert_eq!((d.error, d.bytes, d.flags, d.overlapped), (None, 3, 0, ov));
            assert_eq!(&d.bufs[0][..3], b"abc");
        }
        assert!(!is_set(ws, ev)?, "hEvent is not signalled with a routine");
        assert_eq!(ws.sleep_ex(10, true), 0, "nothing more to run");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn ov_04_completion_routine_rejected_on_iocp_socket() {
    // Proves: on a socket associated with a completion port, WSARecv with a completion routine
    // fails at once with WSAEINVAL; the routine is never called and no packet is queued.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 1)?;
        let calls = Arc::new(AtomicUsize::new(0));
        let got = Arc::new(Mutex::new(Vec::new()));
        assert_eq!(
            ws.wsa_recv_overlapped(
                s,
                vec![vec![0; 16]],
                0,
                Overlapped::new(1),
                Some(recording_routine(&calls, &got))
            ),
            Err(WsaError::WSAEINVAL)
        );
        ws.send(c, b"abc", 0)?;
        assert_eq!(ws.sleep_ex(QUIET_MS, true), 0, "no routine to run");
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        no_packet(ws, port, "rejected WSARecv");
        // The data was not consumed by the rejected call.
        assert_eq!(common::recv_exact(ws, s, 3)?, b"abc");
        Ok(())
    });
}

#[test]
fn ov_04_completion_routine_runs_on_issuing_thread() {
    // Proves: the routine is an APC of the thread that issued the I/O: another thread's
    // alertable wait does not run it, the issuing thread's does.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ran_on = Arc::new(Mutex::new(Vec::new()));
        let r2 = ran_on.clone();
        let t = ws.create_thread("issuer", move |ws| {
            let me = ws.thread_id();
            let r3 = r2.clone();
            assert_eq!(
                ws.wsa_recv_overlapped(
                    s,
                    vec![vec![0; 8]],
                    0,
                    Overlapped::new(8),
                    Some(Box::new(move |ws: &SimWinsock, d: IoCompletion| {
                        r3.lock().unwrap().push((ws.thread_id(), d.bytes));
                    }))
                ),
                Err(WsaError::WSA_IO_PENDING)
            );
            assert_eq!(ws.sleep_ex(INFINITE, true), WAIT_IO_COMPLETION);
            assert_eq!(*r2.lock().unwrap(), vec![(me, 2)]);
            Ok(())
        })?;
        ws.sleep(10);
        ws.send(c, b"hi", 0)?;
        assert_eq!(ws.sleep_ex(QUIET_MS, true), 0, "main has no APC");
        ws.wait_for_thread(t, INFINITE)?;
        assert_eq!(ran_on.lock().unwrap().len(), 1);
        Ok(())
    });
}

#[test]
fn ov_06_immediate_completion_signals_and_queues() {
    // Proves: WSARecv/WSASend that finish at once return the byte count, signal the event and
    // still queue a packet; after a graceful close WSARecv returns 0 at once and queues a
    // 0-byte packet.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 9)?;
        ws.send(c, b"hello", 0)?;
        ws.sleep(SETTLE_MS);

        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 16]], 0, ov, None),
            Ok(5)
        );
        assert!(is_set(ws, ev)?, "event signalled on immediate receive");
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (None, 5, 9, Some(ov))
        );
        assert_eq!(&p.bufs[0][..5], b"hello");
        no_packet(ws, port, "one packet for the receive");

        let ev2 = ws.wsa_create_event()?;
        let ov2 = Overlapped::with_event(2, ev2);
        assert_eq!(
            ws.wsa_send_overlapped(s, vec![vec![7; 1024]], 0, ov2, None),
            Ok(1024)
        );
        assert!(is_set(ws, ev2)?, "event signalled on immediate send");
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (None, 1024, 9, Some(ov2))
        );
        assert_eq!(common::recv_exact(ws, c, 1024)?, vec![7; 1024]);

        ws.closesocket(c)?;
        ws.sleep(SETTLE_MS);
        let ev3 = ws.wsa_create_event()?;
        let ov3 = Overlapped::with_event(3, ev3);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 16]], 0, ov3, None),
            Ok(0)
        );
        assert!(is_set(ws, ev3)?);
        let p = ws.get_queued_completion_status(port, 0)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (None, 0, 9, Some(ov3))
        );
        no_packet(ws, port, "after the 0-byte packet");
        Ok(())
    });
}

#[test]
fn ov_06_immediate_completion_without_port_signals_event() {
    // Proves: without a completion port an immediate receive signals the OVERLAPPED's event and
    // its result (with the data) is available from WSAGetOverlappedResult.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.send(c, b"abcd", 0)?;
        ws.sleep(SETTLE_MS);
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Ok(4)
        );
        assert!(is_set(ws, ev)?);
        let d = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 4));
        assert_eq!(&d.bufs[0][..4], b"abcd");
        Ok(())
    });
}

#[test]
fn ov_08_reset_connection_fails_synchronously() {
    // Proves: WSARecv and WSASend on a connection already reset fail at once with WSAECONNRESET
    // and queue no packet.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 1)?;
        common::rst_close(ws, s)?;
        ws.sleep(SETTLE_MS);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 8]], 0, Overlapped::new(1), None),
            Err(WsaError::WSAECONNRESET)
        );
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"x".to_vec()], 0, Overlapped::new(2), None),
            Err(WsaError::WSAECONNRESET)
        );
        no_packet(ws, port, "synchronous failures");
        Ok(())
    });
}

#[test]
fn ov_08_unconnected_receive_fails_synchronously() {
    // Proves: WSARecv on an unconnected TCP socket fails at once with WSAENOTCONN and queues
    // no packet.
    run(|ws| {
        let s = tcp(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 1)?;
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, Overlapped::new(1), None),
            Err(WsaError::WSAENOTCONN)
        );
        no_packet(ws, port, "unconnected WSARecv");
        Ok(())
    });
}

#[test]
fn ov_08_receive_after_sd_receive_fails_synchronously() {
    // Proves: WSARecv after shutdown(SD_RECEIVE) fails at once with WSAESHUTDOWN and queues no
    // packet.
    run(|ws| {
        let (_c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 1)?;
        ws.shutdown(s, SD_RECEIVE)?;
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, Overlapped::new(1), None),
            Err(WsaError::WSAESHUTDOWN)
        );
        no_packet(ws, port, "WSARecv after SD_RECEIVE");
        Ok(())
    });
}

#[test]
fn ov_10_accept_ex_zero_buffer_completes_on_connect() {
    // Proves: AcceptEx with no receive buffer pends, completes with 0 bytes when a client
    // connects, and the accept socket is then the connection: getsockname, getpeername and
    // shutdown give WSAENOTCONN until SO_UPDATE_ACCEPT_CONTEXT, then work.
    run(|ws| {
        let (l, addr, a, ov, ev) = pending_accept(ws, 0)?;
        assert_eq!(
            ws.wsa_get_overlapped_result(l, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        let c = connect_client(ws, &addr, ev)?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 0));
        // GetAcceptExSockaddrs reads the addresses from AcceptEx's result at once...
        assert_eq!(ws.get_accept_ex_sockaddrs(a)?, (addr, ws.getsockname(c)?));
        // ...but before SO_UPDATE_ACCEPT_CONTEXT the accept socket has no context (OV-10).
        assert_eq!(ws.getsockname(a), Err(WsaError::WSAENOTCONN));
        assert_eq!(ws.getpeername(a), Err(WsaError::WSAENOTCONN));
        assert_eq!(ws.shutdown(a, SD_SEND), Err(WsaError::WSAENOTCONN));
        common::update_accept_context(ws, a, l)?;
        assert_eq!(ws.getsockname(a)?, addr, "getsockname(accept socket)");
        assert_eq!(ws.getpeername(a)?, ws.getsockname(c)?, "getpeername");
        ws.send(c, b"hi", 0)?;
        assert_eq!(common::recv_exact(ws, a, 2)?, b"hi");
        Ok(())
    });
}

#[test]
fn ov_10_accept_ex_with_buffer_waits_for_first_data() {
    // Proves: AcceptEx with a 2-byte receive buffer does not complete on connect, but when the
    // first data arrives: 1 byte, which is in the returned buffer.
    run(|ws| {
        let (l, addr, a, ov, ev) = pending_accept(ws, 2)?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        quiet(ws, ev, "connected, no data yet")?;
        assert_eq!(
            ws.wsa_get_overlapped_result(l, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        ws.send(c, b"Z", 0)?;
        signalled(ws, ev, "first data")?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 1));
        assert_eq!(d.bufs.len(), 1);
        assert_eq!(d.bufs[0][0], b'Z');
        common::update_accept_context(ws, a, l)?;
        assert_eq!(ws.getpeername(a)?, ws.getsockname(c)?);
        Ok(())
    });
}

#[test]
fn ov_10_accept_ex_client_closes_before_sending() {
    // Proves: if the client disconnects before sending, AcceptEx with a receive buffer
    // completes successfully with 0 bytes.
    run(|ws| {
        let (l, addr, _a, ov, ev) = pending_accept(ws, 2)?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        ws.closesocket(c)?;
        signalled(ws, ev, "client closed")?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 0));
        Ok(())
    });
}

#[test]
fn ov_11_accept_ex_argument_errors() {
    // Proves: AcceptEx rejects at once an invalid listen or accept socket (WSAENOTSOCK), a
    // listener not listening, an accept socket already in a pending AcceptEx, bound or
    // connected (WSAEINVAL); the pending AcceptEx is undisturbed.
    run(|ws| {
        let (l, addr, a, ov, ev) = pending_accept(ws, 0)?;
        let fresh = tcp(ws)?;
        assert_eq!(
            ws.accept_ex(Socket::INVALID, fresh, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAENOTSOCK),
            "invalid listen socket"
        );
        assert_eq!(
            ws.accept_ex(l, Socket::INVALID, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAENOTSOCK),
            "invalid accept socket"
        );
        let gone = tcp(ws)?;
        ws.closesocket(gone)?;
        assert_eq!(
            ws.accept_ex(l, gone, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAENOTSOCK),
            "closed accept socket"
        );
        let not_listening = bound_tcp(ws)?;
        assert_eq!(
            ws.accept_ex(not_listening, fresh, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAEINVAL),
            "listener not listening"
        );
        assert_eq!(
            ws.accept_ex(l, a, Vec::new(), Overlapped::new(2)),
            Err(WsaError::WSAEINVAL),
            "accept socket already in a pending AcceptEx"
        );
        let bound = bound_tcp(ws)?;
        assert_eq!(
            ws.accept_ex(l, bound, Vec::new(), Overlapped::new(3)),
            Err(WsaError::WSAEINVAL),
            "bound accept socket"
        );
        let (pc, ps) = common::pair(ws)?;
        assert_eq!(
            ws.accept_ex(l, pc, Vec::new(), Overlapped::new(4)),
            Err(WsaError::WSAEINVAL),
            "connected accept socket"
        );
        assert_eq!(
            ws.accept_ex(l, ps, Vec::new(), Overlapped::new(5)),
            Err(WsaError::WSAEINVAL),
            "accepted socket as accept socket"
        );
        quiet(ws, ev, "the pending AcceptEx is untouched")?;
        let c = connect_client(ws, &addr, ev)?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 0));
        common::update_accept_context(ws, a, l)?;
        assert_eq!(ws.getpeername(a)?, ws.getsockname(c)?);
        Ok(())
    });
}

#[test]
fn ov_11_udp_accept_socket_rejected() {
    // Proves: a UDP socket as AcceptEx's accept socket is rejected with WSAEINVAL.
    run(|ws| {
        let (l, _addr) = common::listener(ws, 5)?;
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(
            ws.accept_ex(l, u, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAEINVAL)
        );
        Ok(())
    });
}

#[test]
fn ov_12_connect_ex_argument_errors() {
    // Proves: ConnectEx on an unbound socket fails with WSAEINVAL, on INVALID_SOCKET with
    // WSAENOTSOCK.
    run(|ws| {
        let (_l, addr) = common::listener(ws, 5)?;
        let s = tcp(ws)?;
        assert_eq!(
            ws.connect_ex(s, &addr, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAEINVAL),
            "unbound"
        );
        assert_eq!(
            ws.connect_ex(Socket::INVALID, &addr, Vec::new(), Overlapped::new(2)),
            Err(WsaError::WSAENOTSOCK),
            "INVALID_SOCKET"
        );
        Ok(())
    });
}

#[test]
fn ov_12_connect_ex_sends_its_buffer() {
    // Proves: ConnectEx with a 3-byte send buffer pends, completes with 3 bytes, and the peer
    // receives them.
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let c = bound_tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.connect_ex(c, &addr, b"abc".to_vec(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        signalled(ws, ev, "connected")?;
        let d = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 3));
        let (s, peer) = ws.accept(l)?;
        assert_eq!(peer, ws.getsockname(c)?);
        assert_eq!(ws.getpeername(c)?, addr);
        assert_eq!(common::recv_exact(ws, s, 3)?, b"abc");
        Ok(())
    });
}

#[test]
fn ov_12_connect_ex_send_buffer_via_port() {
    // Proves: through a completion port the ConnectEx packet carries the 3 bytes sent, the key
    // and the OVERLAPPED.
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let c = bound_tcp(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 31)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.connect_ex(c, &addr, b"xyz".to_vec(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (None, 3, 31, Some(ov))
        );
        let (s, _) = ws.accept(l)?;
        assert_eq!(common::recv_exact(ws, s, 3)?, b"xyz");
        Ok(())
    });
}

#[test]
fn ov_12_connect_ex_refused() {
    // Proves: a refused ConnectEx completes with WSAECONNREFUSED from WSAGetOverlappedResult
    // and ERROR_CONNECTION_REFUSED in a completion packet.
    run(|ws| {
        let addr = closed_port(ws)?;
        let c = bound_tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.connect_ex(c, &addr, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 10_000, false)?,
            WSA_WAIT_EVENT_0
        );
        let d = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((d.error, d.bytes), (Some(WsaError::WSAECONNREFUSED), 0));
        assert_eq!(ws.wsa_get_last_error(), 10061);

        let c2 = bound_tcp(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c2, port, 4)?;
        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.connect_ex(c2, &addr, Vec::new(), ov2),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, 10_000)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (Some(WsaError::ERROR_CONNECTION_REFUSED), 0, 4, Some(ov2))
        );
        assert_eq!(ws.wsa_get_last_error(), 1225);
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// NB-02, NB-04, NB-05 (overlapped parts)
// ---------------------------------------------------------------------------------------------

#[test]
fn nb_02_overlapped_receive_on_nonblocking_socket_pends() {
    // Proves: on a nonblocking socket an overlapped WSARecv pends (not WSAEWOULDBLOCK) and
    // completes with the 4 bytes the peer sends, with hEvent NULL (waiting on the socket) and
    // with a real event.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.set_nonblocking(s, true)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 16]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_get_overlapped_result(s, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        ws.send(c, b"1234", 0)?;
        let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
        assert_eq!((d.error, d.bytes), (None, 4));
        assert_eq!(&d.bufs[0][..4], b"1234");

        let ev = ws.wsa_create_event()?;
        let ov2 = Overlapped::with_event(2, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 16]], 0, ov2, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        quiet(ws, ev, "no data yet")?;
        ws.send(c, b"5678", 0)?;
        signalled(ws, ev, "data arrived")?;
        let d = ws.wsa_get_overlapped_result(s, &ov2, false)?;
        assert_eq!((d.error, d.bytes), (None, 4));
        assert_eq!(&d.bufs[0][..4], b"5678");
        Ok(())
    });
}

/// Whether an overlapped WSARecv on `s` (made nonblocking) waits in the call for the 4 bytes
/// `c` sends 100 ms later (a non-overlapped socket) rather than pending; either way its
/// result holds them.
fn recv_waits(ws: &SimWinsock, c: Socket, s: Socket, id: u64) -> Result<bool, WsaError> {
    ws.set_nonblocking(s, true)?;
    let ov = Overlapped::new(id);
    let before = ws.get_tick_count();
    let sender = ws.create_thread("sender", move |ws: &SimWinsock| {
        ws.sleep(100);
        ws.send(c, b"1234", 0).map(drop)
    })?;
    let r = ws.wsa_recv_overlapped(s, vec![vec![0; 16]], 0, ov, None);
    let waited = ws.get_tick_count() - before >= 100;
    let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
    assert_eq!((d.error, d.bytes), (None, 4));
    assert_eq!(&d.bufs[0][..4], b"1234");
    ws.wait_for_thread(sender, INFINITE)?;
    match r {
        Ok(4) if waited => Ok(true),
        Err(WsaError::WSA_IO_PENDING) if !waited => Ok(false),
        other => panic!("WSARecv gave {other:?}, waited {waited}"),
    }
}

/// Connects `s` to a fresh listener; returns (`s`, the accepted peer).
fn connected(ws: &SimWinsock, s: Socket) -> Result<(Socket, Socket), WsaError> {
    let (l, addr) = common::listener(ws, 1)?;
    ws.connect(s, &addr)?;
    let (peer, _) = ws.accept(l)?;
    ws.closesocket(l)?;
    Ok((s, peer))
}

#[test]
fn nb_03_non_overlapped_sockets_wait_in_overlapped_calls() {
    // Proves: socket() under either synchronous SO_OPENTYPE, and WSASocket without
    // WSA_FLAG_OVERLAPPED, make non-overlapped sockets, whose overlapped WSARecv waits in the
    // call although the socket is nonblocking and returns the count (its result stays to
    // collect); WSASocket with the flag (whatever the open type) and socket() with the open
    // type back at 0 make sockets whose WSARecv pends; accept on a non-overlapped listener
    // gives a non-overlapped socket.
    run(|ws| {
        let any = Socket::from_raw(INVALID_SOCKET);
        let open_type = |v: i32| ws.setsockopt_i32(any, SOL_SOCKET, SO_OPENTYPE, v);
        for (id, v) in [(1, SO_SYNCHRONOUS_ALERT), (2, SO_SYNCHRONOUS_NONALERT)] {
            open_type(v)?;
            let made = tcp(ws);
            open_type(0)?;
            let (s, peer) = connected(ws, made?)?;
            assert!(
                recv_waits(ws, peer, s, id)?,
                "socket() under open type {v:#x}"
            );
        }
        open_type(SO_SYNCHRONOUS_NONALERT)?;
        let o = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED);
        open_type(0)?;
        let (o, peer) = connected(ws, o?)?;
        assert!(
            !recv_waits(ws, peer, o, 3)?,
            "WSASocket(WSA_FLAG_OVERLAPPED)"
        );
        let z = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, 0)?;
        let (z, peer) = connected(ws, z)?;
        assert!(recv_waits(ws, peer, z, 4)?, "WSASocket(0)");
        let (s, peer) = connected(ws, tcp(ws)?)?;
        assert!(!recv_waits(ws, peer, s, 5)?, "socket() under open type 0");
        // accept on a non-overlapped listener gives a non-overlapped socket.
        open_type(SO_SYNCHRONOUS_NONALERT)?;
        let made = common::listener(ws, 1);
        open_type(0)?;
        let (l, addr) = made?;
        let c = tcp(ws)?;
        ws.connect(c, &addr)?;
        let (a, _) = ws.accept(l)?;
        assert!(
            recv_waits(ws, c, a, 6)?,
            "accepted from a non-overlapped listener"
        );
        Ok(())
    });
}

#[test]
fn nb_04_connect_ex_while_connect_in_progress() {
    // Proves: ConnectEx on a socket whose nonblocking connect() is in progress fails with
    // WSAEINVAL; with a ConnectEx pending, connect() and a second ConnectEx fail with WSAEINVAL.
    run(|ws| {
        let dst = SockAddr::v4(UNREACHABLE, 80);
        let s = tcp(ws)?;
        ws.bind(s, &SockAddr::v4([0, 0, 0, 0], 0))?;
        ws.set_nonblocking(s, true)?;
        assert_eq!(ws.connect(s, &dst), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(ws.connect(s, &dst), Err(WsaError::WSAEALREADY));
        assert_eq!(
            ws.connect_ex(s, &dst, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAEINVAL),
            "ConnectEx during connect()"
        );

        let t = tcp(ws)?;
        ws.bind(t, &SockAddr::v4([0, 0, 0, 0], 0))?;
        assert_eq!(
            ws.connect_ex(t, &dst, Vec::new(), Overlapped::new(2)),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.connect(t, &dst),
            Err(WsaError::WSAEINVAL),
            "connect() during ConnectEx"
        );
        assert_eq!(
            ws.connect_ex(t, &dst, Vec::new(), Overlapped::new(3)),
            Err(WsaError::WSAEINVAL),
            "second ConnectEx"
        );
        Ok(())
    });
}

#[test]
fn nb_04_getpeername_while_connect_ex_pending() {
    // Proves: while a ConnectEx is pending (unlike a nonblocking connect()), getpeername fails
    // with WSAENOTCONN.
    run(|ws| {
        let dst = SockAddr::v4(UNREACHABLE, 80);
        let t = tcp(ws)?;
        ws.bind(t, &SockAddr::v4([0, 0, 0, 0], 0))?;
        assert_eq!(
            ws.connect_ex(t, &dst, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(ws.getpeername(t), Err(WsaError::WSAENOTCONN));
        Ok(())
    });
}

#[test]
fn nb_04_recv_and_send_while_connect_ex_pending() {
    // Proves: while a ConnectEx is pending, recv and send fail with WSAENOTCONN (sock.c
    // test_connecting_socket, todo_wine).
    run(|ws| {
        let dst = SockAddr::v4(UNREACHABLE, 80);
        let t = tcp(ws)?;
        ws.bind(t, &SockAddr::v4([0, 0, 0, 0], 0))?;
        assert_eq!(
            ws.connect_ex(t, &dst, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSA_IO_PENDING)
        );
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(t, &mut b, 0), Err(WsaError::WSAENOTCONN), "recv");
        assert_eq!(ws.send(t, b"x", 0), Err(WsaError::WSAENOTCONN), "send");
        Ok(())
    });
}

#[test]
fn nb_05_connect_ex_on_sockets_in_other_states() {
    // Proves: ConnectEx on a listening socket → WSAEINVAL; on a socket connected by connect(),
    // returned by accept() or connected by ConnectEx → WSAEISCONN; on a socket with an AcceptEx
    // pending on it → WSAEINVAL. connect() on a socket connected by ConnectEx → WSAEINVAL
    // (not WSAEISCONN, sock.c test_connect, todo_wine), while connect() on the connect()ed
    // and accept()ed sockets → WSAEISCONN.
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        assert_eq!(
            ws.connect_ex(l, &addr, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSAEINVAL),
            "listening socket"
        );
        let (c, s) = common::pair(ws)?;
        assert_eq!(
            ws.connect_ex(c, &addr, Vec::new(), Overlapped::new(2)),
            Err(WsaError::WSAEISCONN),
            "connected by connect()"
        );
        assert_eq!(
            ws.connect_ex(s, &addr, Vec::new(), Overlapped::new(3)),
            Err(WsaError::WSAEISCONN),
            "returned by accept()"
        );
        let x = bound_tcp(ws)?;
        let ov = Overlapped::new(4);
        assert_eq!(
            ws.connect_ex(x, &addr, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        let d = ws.wsa_get_overlapped_result(x, &ov, true)?;
        assert_eq!(d.error, None);
        assert_eq!(
            ws.connect_ex(x, &addr, Vec::new(), Overlapped::new(5)),
            Err(WsaError::WSAEISCONN),
            "connected by ConnectEx"
        );
        assert_eq!(
            ws.connect(x, &addr),
            Err(WsaError::WSAEINVAL),
            "connect() on a socket connected by ConnectEx"
        );
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
        for (sock, what) in [(c, "connect()ed"), (s, "accept()ed")] {
            assert_eq!(ws.connect(sock, &addr), Err(WsaError::WSAEISCONN), "{what}");
        }
        let (l2, _) = common::listener(ws, 5)?;
        let a = tcp(ws)?;
        assert_eq!(
            ws.accept_ex(l2, a, Vec::new(), Overlapped::new(6)),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.connect_ex(a, &addr, Vec::new(), Overlapped::new(7)),
            Err(WsaError::WSAEINVAL),
            "ConnectEx on a socket with AcceptEx pending"
        );
        Ok(())
    });
}

#[test]
fn nb_05_connect_on_pending_accept_socket() {
    // Proves: connect() on a socket that is the accept socket of a pending AcceptEx fails with
    // WSAEINVAL (and the AcceptEx stays pending).
    run(|ws| {
        let (_l0, addr) = common::listener(ws, 5)?;
        let (l, _) = common::listener(ws, 5)?;
        let a = tcp(ws)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.accept_ex(l, a, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(ws.connect(a, &addr), Err(WsaError::WSAEINVAL));
        assert_eq!(
            ws.wsa_get_overlapped_result(l, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// EV-10, EV-20
// ---------------------------------------------------------------------------------------------

#[test]
fn ev_10_pending_accept_ex_swallows_fd_accept() {
    // Proves: a connection taken by a pending AcceptEx reports no FD_ACCEPT; the next
    // connection, with no AcceptEx pending, reports FD_ACCEPT.
    run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let lev = ws.wsa_create_event()?;
        ws.wsa_event_select(l, lev, FD_ACCEPT)?;
        assert_eq!(enum_events(ws, l, lev)?, 0, "nothing before a client");
        let a = tcp(ws)?;
        let aev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, aev);
        assert_eq!(
            ws.accept_ex(l, a, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        let c1 = tcp(ws)?;
        ws.connect(c1, &addr)?;
        signalled(ws, aev, "AcceptEx completes")?;
        let d = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 0));
        quiet(ws, lev, "connection taken by AcceptEx")?;
        assert_eq!(enum_events(ws, l, lev)?, 0, "no FD_ACCEPT");

        let c2 = tcp(ws)?;
        // The listener is nonblocking (WSAEventSelect); the client is blocking.
        ws.connect(c2, &addr)?;
        signalled(ws, lev, "second connection")?;
        ws.sleep(SETTLE_MS);
        assert_eq!(enum_events(ws, l, lev)?, FD_ACCEPT);
        let (s2, peer) = ws.accept(l)?;
        assert_eq!(peer, ws.getsockname(c2)?);
        ws.closesocket(s2)?;
        Ok(())
    });
}

#[test]
fn ev_20_pending_receive_consumes_data_without_fd_read() {
    // Proves: data consumed by a pending overlapped WSARecv reports no FD_READ; the next byte,
    // with nothing pending, reports FD_READ.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let sev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, sev, FD_READ)?;
        assert_eq!(enum_events(ws, s, sev)?, 0);
        let rev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, rev);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 1]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"a", 0)?;
        signalled(ws, rev, "receive completes")?;
        let d = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!((d.error, d.bytes), (None, 1));
        assert_eq!(d.bufs, vec![b"a".to_vec()]);
        quiet(ws, sev, "data consumed by the receive")?;
        assert_eq!(enum_events(ws, s, sev)?, 0, "no FD_READ");

        ws.send(c, b"b", 0)?;
        signalled(ws, sev, "second byte")?;
        ws.sleep(SETTLE_MS);
        assert_eq!(enum_events(ws, s, sev)?, FD_READ);
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0)?, 1);
        assert_eq!(b[0], b'b');
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// API contract: scatter/gather, OVERLAPPED identity, waiting, buffers handed back once
// ---------------------------------------------------------------------------------------------

#[test]
fn wsarecv_scatters_and_wsasend_gathers() {
    // Proves: WSARecv fills its buffers in order (pending and immediate, overlapped or not) and
    // WSASend sends its buffers in order as one stream.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        // Back-to-back small sends: without TCP_NODELAY Nagle would hold the second until the
        // peer's delayed ACK of the first (200 ms), as Windows does.
        ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 2], vec![0; 3], vec![0; 4]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"abcdefg", 0)?;
        let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
        assert_eq!(d.bytes, 7);
        assert_eq!(
            d.bufs,
            vec![b"ab".to_vec(), b"cde".to_vec(), b"fg\0\0".to_vec()]
        );

        ws.send(c, b"123456789", 0)?;
        ws.sleep(SETTLE_MS);
        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 2], vec![0; 3], vec![0; 4]], 0, ov2, None),
            Ok(9)
        );
        let d = ws.wsa_get_overlapped_result(s, &ov2, false)?;
        assert_eq!(
            d.bufs,
            vec![b"12".to_vec(), b"345".to_vec(), b"6789".to_vec()]
        );

        let ov3 = Overlapped::new(3);
        assert_eq!(
            ws.wsa_send_overlapped(
                c,
                vec![b"he".to_vec(), b"llo".to_vec(), b" world".to_vec()],
                0,
                ov3,
                None
            ),
            Ok(11)
        );
        let d = ws.wsa_get_overlapped_result(c, &ov3, false)?;
        assert_eq!(d.bytes, 11);
        assert_eq!(common::recv_exact(ws, s, 11)?, b"hello world");

        assert_eq!(ws.wsa_send(c, &[b"ga", b"th", b"er"], 0)?, 6);
        ws.sleep(SETTLE_MS);
        let (mut x, mut y) = ([0u8; 1], [0u8; 8]);
        let (n, flags) = ws.wsa_recv(s, &mut [&mut x[..], &mut y[..]], 0)?;
        assert_eq!((n, flags), (6, 0));
        assert_eq!(&x, b"g");
        assert_eq!(&y[..5], b"ather");
        Ok(())
    });
}

#[test]
fn overlapped_id_reuse_while_pending_is_rejected() {
    // Proves: an OVERLAPPED id in use by a pending operation cannot start another (WSAEINVAL),
    // on the same or another socket of the host; the pending one is unaffected and the id is
    // free again once it has completed and been collected.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ov = Overlapped::new(5);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSAEINVAL),
            "same socket"
        );
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"zz".to_vec()], 0, ov, None),
            Err(WsaError::WSAEINVAL),
            "other socket, same host"
        );
        ws.sleep(SETTLE_MS);
        assert_eq!(
            ws.wsa_get_overlapped_result(s, &ov, false).map(|d| d.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE),
            "the rejected send sent nothing"
        );
        ws.send(c, b"ok", 0)?;
        let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
        assert_eq!((d.error, d.bytes), (None, 2));
        assert_eq!(&d.bufs[0][..2], b"ok");
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"again".to_vec()], 0, ov, None),
            Ok(5),
            "id free again"
        );
        assert_eq!(common::recv_exact(ws, s, 5)?, b"again");
        Ok(())
    });
}

#[test]
fn get_overlapped_result_wait_blocks_until_completion() {
    // Proves: WSAGetOverlappedResult(fWait = TRUE) blocks until the operation completes (here
    // 100 ms of virtual time later), then returns its result.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        let t = ws.create_thread("late-sender", move |ws| {
            ws.sleep(100);
            ws.send(c, b"late", 0)?;
            Ok(())
        })?;
        let t0 = ws.get_tick_count();
        let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
        let waited = ws.get_tick_count().wrapping_sub(t0);
        assert!(waited >= 100, "returned after {waited} ms, before the data");
        assert!(waited < WAIT_MS, "returned after {waited} ms");
        assert_eq!((d.error, d.bytes), (None, 4));
        assert_eq!(&d.bufs[0][..4], b"late");
        ws.wait_for_thread(t, INFINITE)?;
        Ok(())
    });
}

#[test]
fn buffers_come_back_exactly_once() {
    // Proves: an operation's buffers come back through one channel only: the first
    // WSAGetOverlappedResult (not a second), the packet (not a later WSAGetOverlappedResult),
    // or the routine (not a later WSAGetOverlappedResult); the byte count stays available.
    run(|ws| {
        let (c, s) = common::pair(ws)?;

        // WSAGetOverlappedResult twice.
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"one", 0)?;
        let d = ws.wsa_get_overlapped_result(s, &ov, true)?;
        assert_eq!((d.bytes, d.bufs.len()), (3, 1));
        let again = ws.wsa_get_overlapped_result(s, &ov, false)?;
        assert_eq!(again.bytes, 3);
        assert!(
            again.bufs.is_empty(),
            "second result: buffers already handed back"
        );

        // Completion routine, then WSAGetOverlappedResult.
        let calls = Arc::new(AtomicUsize::new(0));
        let got = Arc::new(Mutex::new(Vec::new()));
        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.wsa_recv_overlapped(
                s,
                vec![vec![0; 4]],
                0,
                ov2,
                Some(recording_routine(&calls, &got))
            ),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c, b"two", 0)?;
        assert_eq!(ws.sleep_ex(WAIT_MS, true), WAIT_IO_COMPLETION);
        assert_eq!(
            got.lock().unwrap()[0].bufs.len(),
            1,
            "routine gets the buffers"
        );
        let after = ws.wsa_get_overlapped_result(s, &ov2, false)?;
        assert_eq!(after.bytes, 3);
        assert!(after.bufs.is_empty(), "routine already had the buffers");
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Completion packet, then WSAGetOverlappedResult.
        let (c2, s2) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s2, port, 1)?;
        let ov3 = Overlapped::new(3);
        assert_eq!(
            ws.wsa_recv_overlapped(s2, vec![vec![0; 4], vec![0; 4]], 0, ov3, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        ws.send(c2, b"three", 0)?;
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!((p.bytes, p.bufs.len()), (5, 2));
        let after = ws.wsa_get_overlapped_result(s2, &ov3, false)?;
        assert_eq!(after.bytes, 5);
        assert!(after.bufs.is_empty(), "packet already had the buffers");
        no_packet(ws, port, "one packet");
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// QueueUserAPC and alertable waits
// ---------------------------------------------------------------------------------------------

/// Queues an APC to the calling thread that counts its runs.
fn queue_counting_apc(ws: &SimWinsock, count: &Arc<AtomicUsize>) -> Result<(), WsaError> {
    let count = count.clone();
    ws.queue_user_apc(
        Box::new(move |_ws: &SimWinsock| {
            count.fetch_add(1, Ordering::SeqCst);
        }),
        ws.thread_id(),
    )
}

#[test]
fn apc_never_runs_in_non_alertable_waits() {
    // Proves: a queued APC is not run by Sleep, SleepEx(FALSE), WaitForSingleObjectEx(FALSE),
    // WaitForMultipleObjectsEx(FALSE) or WSAWaitForMultipleEvents(FALSE), which time out
    // normally; the next alertable wait runs it.
    run(|ws| {
        let ev = ws.wsa_create_event()?;
        let count = Arc::new(AtomicUsize::new(0));
        queue_counting_apc(ws, &count)?;
        ws.sleep(10);
        assert_eq!(ws.sleep_ex(10, false), 0);
        assert_eq!(ws.wait_for_single_object_ex(ev, 10, false)?, WAIT_TIMEOUT);
        assert_eq!(
            ws.wait_for_multiple_objects_ex(&[ev], false, 10, false)?,
            WAIT_TIMEOUT
        );
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 10, false)?,
            WSA_WAIT_TIMEOUT
        );
        assert_eq!(
            count.load(Ordering::SeqCst),
            0,
            "not run in non-alertable waits"
        );
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(count.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn starting_an_operation_clears_its_event() {
    // Proves: the I/O manager clears the OVERLAPPED's event when an operation starts, so a
    // manual-reset event still signalled by the previous operation does not satisfy a wait
    // for the next one (sock.c test_nonblocking_async_recv reuses one such event); with a
    // completion routine the event is left alone.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let ev = ws.create_event(true, true)?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(ws.wait_for_single_object_ex(ev, 0, false)?, WAIT_TIMEOUT);
        ws.send(c, b"a", 0)?;
        assert_eq!(
            ws.wait_for_single_object_ex(ev, 1000, false)?,
            WAIT_OBJECT_0
        );
        ws.wsa_get_overlapped_result(s, &ov, false)?;
        // Still signalled (manual reset); a routine-based receive leaves it so.
        let calls = Arc::new(AtomicUsize::new(0));
        let got = Arc::new(Mutex::new(Vec::new()));
        let r = ws.wsa_recv_overlapped(
            s,
            vec![vec![0; 8]],
            0,
            Overlapped::with_event(2, ev),
            Some(recording_routine(&calls, &got)),
        );
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        assert_eq!(ws.wait_for_single_object_ex(ev, 0, false)?, WAIT_OBJECT_0);
        ws.send(c, b"b", 0)?;
        assert_eq!(ws.sleep_ex(1000, true), WAIT_IO_COMPLETION);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn apc_runs_in_blocking_receives() {
    // Proves (sock.c test_WSARecv, recv_thread): a blocking receive — recv on a stream
    // socket, recvfrom on a datagram socket — is an alertable wait: an APC queued to the
    // waiting thread runs once during it and the receive goes on (here completed by the data
    // the APC sends); a receive that finds data at once runs no APC.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let u = bound_udp(ws)?;
        let u_addr = ws.getsockname(u)?;
        let sender = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let count = Arc::new(AtomicUsize::new(0));
        let (count2, me) = (count.clone(), ws.thread_id());
        // A helper thread queues APCs to this thread while it is blocked.
        let helper = ws.create_thread("queuer", move |ws: &SimWinsock| {
            for _ in 0..2 {
                ws.sleep(50);
                let count = count2.clone();
                ws.queue_user_apc(
                    Box::new(move |ws: &SimWinsock| {
                        let n = count.fetch_add(1, Ordering::SeqCst);
                        if n == 0 {
                            assert_eq!(ws.send(c, b"x", 0), Ok(1));
                        } else {
                            assert_eq!(ws.sendto(sender, b"y", 0, &u_addr), Ok(1));
                        }
                    }),
                    me,
                )?;
                ws.sleep(50);
            }
            Ok(())
        })?;
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0), Ok(1), "completed by the APC's send");
        assert_eq!(count.load(Ordering::SeqCst), 1);
        let (n, _) = ws.recvfrom(u, &mut b, 0)?;
        assert_eq!((n, b[0]), (1, b'y'));
        assert_eq!(count.load(Ordering::SeqCst), 2);
        ws.wait_for_thread(helper, INFINITE)?;
        // Data already there: no alertable wait, the queued APC stays queued.
        queue_counting_apc(ws, &count)?;
        ws.send(c, b"z", 0)?;
        ws.sleep(QUIET_MS);
        assert_eq!(ws.recv(s, &mut b, 0), Ok(1));
        assert_eq!(count.load(Ordering::SeqCst), 2);
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(count.load(Ordering::SeqCst), 3);
        Ok(())
    });
}

#[test]
fn apc_runs_in_sleep_ex_alertable() {
    // Proves: SleepEx(…, TRUE) runs queued APCs (all of them, once each) and returns
    // WAIT_IO_COMPLETION at once; with none queued it sleeps the full time and returns 0.
    run(|ws| {
        let count = Arc::new(AtomicUsize::new(0));
        queue_counting_apc(ws, &count)?;
        queue_counting_apc(ws, &count)?;
        let t0 = ws.get_tick_count();
        assert_eq!(ws.sleep_ex(1000, true), WAIT_IO_COMPLETION);
        assert_eq!(ws.get_tick_count(), t0, "no waiting with APCs queued");
        assert_eq!(count.load(Ordering::SeqCst), 2);
        assert_eq!(ws.sleep_ex(20, true), 0);
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 20);
        assert_eq!(count.load(Ordering::SeqCst), 2, "each APC runs once");
        Ok(())
    });
}

#[test]
fn apc_runs_in_wait_for_single_object_ex_alertable() {
    // Proves: WaitForSingleObjectEx(…, TRUE) on an unsignalled event runs a queued APC and
    // returns WAIT_IO_COMPLETION.
    run(|ws| {
        let ev = ws.wsa_create_event()?;
        let count = Arc::new(AtomicUsize::new(0));
        queue_counting_apc(ws, &count)?;
        assert_eq!(
            ws.wait_for_single_object_ex(ev, 1000, true)?,
            WAIT_IO_COMPLETION
        );
        assert_eq!(count.load(Ordering::SeqCst), 1);
        queue_counting_apc(ws, &count)?;
        assert_eq!(
            ws.wait_for_multiple_objects_ex(&[ev], false, 1000, true)?,
            WAIT_IO_COMPLETION,
            "WaitForMultipleObjectsEx"
        );
        assert_eq!(count.load(Ordering::SeqCst), 2);
        Ok(())
    });
}

#[test]
fn apc_runs_in_wsa_wait_for_multiple_events_alertable() {
    // Proves: WSAWaitForMultipleEvents(…, fAlertable = TRUE) runs a queued APC and returns
    // WSA_WAIT_IO_COMPLETION.
    run(|ws| {
        let ev = ws.wsa_create_event()?;
        let count = Arc::new(AtomicUsize::new(0));
        queue_counting_apc(ws, &count)?;
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 1000, true)?,
            WSA_WAIT_IO_COMPLETION
        );
        assert_eq!(count.load(Ordering::SeqCst), 1);
        Ok(())
    });
}

#[test]
fn apc_from_another_thread_wakes_alertable_wait() {
    // Proves: QueueUserAPC to a thread blocked in an alertable wait wakes it; the APC runs on
    // that thread and each wait returns WAIT_IO_COMPLETION / WSA_WAIT_IO_COMPLETION.
    run(|ws| {
        let ran_on = Arc::new(Mutex::new(Vec::new()));
        let results = Arc::new(Mutex::new(Vec::new()));
        let ev = ws.wsa_create_event()?;
        let r = results.clone();
        let t = ws.create_thread("alertable", move |ws| {
            let a = ws.sleep_ex(INFINITE, true);
            let b = ws.wait_for_single_object_ex(ev, INFINITE, true)?;
            let c = ws.wsa_wait_for_multiple_events(&[ev], false, INFINITE, true)?;
            r.lock().unwrap().extend([a, b, c]);
            Ok(())
        })?;
        for _ in 0..3 {
            ws.sleep(10);
            let ran = ran_on.clone();
            ws.queue_user_apc(
                Box::new(move |ws: &SimWinsock| ran.lock().unwrap().push(ws.thread_id())),
                t,
            )?;
        }
        ws.wait_for_thread(t, INFINITE)?;
        assert_eq!(
            *results.lock().unwrap(),
            vec![
                WAIT_IO_COMPLETION,
                WAIT_IO_COMPLETION,
                WSA_WAIT_IO_COMPLETION
            ]
        );
        assert_eq!(*ran_on.lock().unwrap(), vec![t, t, t]);
        assert!(!is_set(ws, ev)?);
        Ok(())
    });
}

#[test]
fn er_11_disconnect_ex() {
    // Proves: DisconnectEx on an unconnected socket → WSAENOTCONN; on a connected one with an
    // OVERLAPPED it pends and completes with 0 bytes; without one it succeeds at once (twice);
    // afterwards send → WSAESHUTDOWN, connect → WSAEISCONN, the peer reads 0 but can still send
    // and this side receives it (half close); getpeername/getsockname still work.
    common::run(|ws| {
        let fresh = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.disconnect_ex(fresh, None, 0), Err(WsaError::WSAENOTCONN));
        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.disconnect_ex(c, Some(ov), 0),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 1000, false)?,
            0
        );
        let done = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 0));
        assert_eq!(ws.send(c, b"x", 0), Err(WsaError::WSAESHUTDOWN));
        let peer = ws.getpeername(c)?;
        assert_eq!(ws.connect(c, &peer), Err(WsaError::WSAEISCONN));
        ws.getsockname(c)?;
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        ws.send(s, b"back", 0)?;
        assert_eq!(common::recv_exact(ws, c, 4)?, b"back");

        let (c2, _s2) = common::pair(ws)?;
        ws.disconnect_ex(c2, None, 0)?;
        ws.disconnect_ex(c2, None, 0)?;
        Ok(())
    });
}

#[test]
fn cp_08_disconnect_ex_packets() {
    // Proves: DisconnectEx with an OVERLAPPED on an associated socket queues one packet
    // (success, 0 bytes, the socket's key); without an OVERLAPPED it queues none.
    common::run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        let (c, _s) = common::pair(ws)?;
        ws.associate_completion_port(c, port, 77)?;
        assert_eq!(
            ws.disconnect_ex(c, Some(Overlapped::new(5)), 0),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, 1000)?;
        assert_eq!(
            (p.key, p.bytes, p.error, p.overlapped.map(|o| o.id)),
            (77, 0, None, Some(5))
        );
        let (c2, _s2) = common::pair(ws)?;
        ws.associate_completion_port(c2, port, 78)?;
        ws.disconnect_ex(c2, None, 0)?;
        assert_eq!(
            ws.get_queued_completion_status(port, 200),
            Err(WsaError::WAIT_TIMEOUT)
        );
        Ok(())
    });
}

#[test]
fn ov_15_wsa_ioctl_synchronous_codes() {
    // Proves: WSAIoctl FIONBIO/FIONREAD/SIOCATMARK work and need a 4-byte buffer (WSAEFAULT
    // otherwise, NB-08); SIO_KEEPALIVE_VALS needs its 12-byte input (ER-12); unsupported codes
    // (0xdeadbeef, FIOASYNC) give WSAEOPNOTSUPP; SIO_BASE_HANDLE returns the socket itself.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let mut out = [0u8; 4];
        assert_eq!(
            ws.wsa_ioctl(s, FIONREAD, &[], &mut out[..3]),
            Err(WsaError::WSAEFAULT)
        );
        ws.send(c, b"12345", 0)?;
        ws.sleep(10);
        assert_eq!(ws.wsa_ioctl(s, FIONREAD, &[], &mut out)?, 4);
        assert_eq!(u32::from_le_bytes(out), 5);
        assert_eq!(ws.wsa_ioctl(s, SIOCATMARK, &[], &mut out)?, 4);
        assert_eq!(u32::from_le_bytes(out), 1);
        assert_eq!(ws.wsa_ioctl(s, FIONBIO, &1u32.to_le_bytes(), &mut [])?, 0);
        let mut b = [0u8; 8];
        ws.recv(s, &mut b, 0)?;
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(
            ws.wsa_ioctl(s, SIO_KEEPALIVE_VALS, &[], &mut []),
            Err(WsaError::WSAEFAULT)
        );
        assert_eq!(
            ws.wsa_ioctl(s, SIO_KEEPALIVE_VALS, &[0; 11], &mut []),
            Err(WsaError::WSAEFAULT)
        );
        let mut ka = Vec::new();
        for v in [1u32, 30_000, 2_000] {
            ka.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(ws.wsa_ioctl(s, SIO_KEEPALIVE_VALS, &ka, &mut [])?, 0);
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_KEEPALIVE)?, 1);
        assert_eq!(ws.getsockopt_i32(s, IPPROTO_TCP, TCP_KEEPALIVE)?, 30);
        for code in [0xdead_beef, FIOASYNC, 0x667e, SIO_FLUSH] {
            assert_eq!(
                ws.wsa_ioctl(s, code, &[], &mut out),
                Err(WsaError::WSAEOPNOTSUPP),
                "code {code:#x}"
            );
        }
        let mut h = [0u8; 8];
        let n = ws.wsa_ioctl(s, SIO_BASE_HANDLE, &[], &mut h)?;
        assert_eq!(usize::from_le_bytes(h[..n].try_into().unwrap()), s.raw());
        Ok(())
    });
}

#[test]
fn er_12_ideal_send_backlog_query() {
    // Proves: SIO_IDEAL_SEND_BACKLOG_QUERY on an unconnected TCP socket → WSAENOTCONN, on UDP
    // → WSAEOPNOTSUPP, on a connected socket → 0x10000.
    common::run(|ws| {
        let mut out = [0u8; 4];
        let t = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(
            ws.wsa_ioctl(t, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut out),
            Err(WsaError::WSAENOTCONN)
        );
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(
            ws.wsa_ioctl(u, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut out),
            Err(WsaError::WSAEOPNOTSUPP)
        );
        let (c, _s) = common::pair(ws)?;
        assert_eq!(
            ws.wsa_ioctl(c, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut out)?,
            4
        );
        assert_eq!(u32::from_le_bytes(out), 0x10000);
        Ok(())
    });
}

#[test]
fn so_update_accept_context_arguments() {
    // Proves: SO_UPDATE_ACCEPT_CONTEXT needs a SOCKET-sized optval (WSAEFAULT), a socket
    // (WSAENOTSOCK) that is listening (WSAEINVAL); it cannot be read (WSAENOPROTOOPT);
    // SO_UPDATE_CONNECT_CONTEXT is accepted with no value.
    run(|ws| {
        let (l, addr, a, _ov, ev) = pending_accept(ws, 0)?;
        let c = connect_client(ws, &addr, ev)?;
        let opt = |v: &[u8]| ws.setsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, v);
        assert_eq!(opt(&l.raw().to_le_bytes()[..3]), Err(WsaError::WSAEFAULT));
        assert_eq!(
            opt(&0xdead_beefusize.to_le_bytes()),
            Err(WsaError::WSAENOTSOCK)
        );
        assert_eq!(opt(&c.raw().to_le_bytes()), Err(WsaError::WSAEINVAL));
        let mut out = [0u8; 8];
        assert_eq!(
            ws.getsockopt(a, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, &mut out),
            Err(WsaError::WSAENOPROTOOPT)
        );
        opt(&l.raw().to_le_bytes())?;
        ws.getpeername(a)?;
        ws.setsockopt(c, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, &[])?;
        Ok(())
    });
}

#[test]
fn disconnect_ex_reuse_socket_for_connect_ex_and_accept_ex() {
    // Proves: DisconnectEx(TF_REUSE_SOCKET) leaves the same handle as a fresh unbound socket,
    // still associated with its completion port: it can be bound and used by ConnectEx again
    // (packets keep their key), or given to AcceptEx as an accept socket; the old connection
    // still closes gracefully for the peer.
    run(|ws| {
        let port = ws.create_io_completion_port(0)?;
        let (l, addr) = common::listener(ws, 5)?;
        let c = tcp(ws)?;
        ws.bind(c, &SockAddr::v4([127, 0, 0, 1], 0))?;
        ws.associate_completion_port(c, port, 9)?;
        assert_eq!(
            ws.connect_ex(c, &addr, Vec::new(), Overlapped::new(1)),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.get_queued_completion_status(port, WAIT_MS)?
                .overlapped
                .map(|o| o.id),
            Some(1)
        );
        let (s1, _) = ws.accept(l)?;
        assert_eq!(
            ws.disconnect_ex(c, Some(Overlapped::new(2)), TF_REUSE_SOCKET),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(
            (p.key, p.overlapped.map(|o| o.id), p.error),
            (9, Some(2), None)
        );
        let mut b = [0u8; 1];
        assert_eq!(
            ws.recv(s1, &mut b, 0)?,
            0,
            "the old connection closed gracefully"
        );
        // The same handle, fresh: unbound, not connected.
        assert_eq!(ws.getsockname(c), Err(WsaError::WSAEINVAL));
        assert_eq!(ws.getpeername(c), Err(WsaError::WSAENOTCONN));
        ws.bind(c, &SockAddr::v4([127, 0, 0, 1], 0))?;
        assert_eq!(
            ws.connect_ex(c, &addr, b"again".to_vec(), Overlapped::new(3)),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!(
            (p.key, p.overlapped.map(|o| o.id), p.bytes),
            (9, Some(3), 5)
        );
        let (s2, _) = ws.accept(l)?;
        assert_eq!(common::recv_exact(ws, s2, 5)?, b"again");

        // Synchronous reuse, then the handle serves as an AcceptEx accept socket.
        ws.disconnect_ex(c, None, TF_REUSE_SOCKET)?;
        assert_eq!(ws.getpeername(c), Err(WsaError::WSAENOTCONN));
        let ov4 = Overlapped::new(4);
        assert_eq!(
            ws.accept_ex(l, c, Vec::new(), ov4),
            Err(WsaError::WSA_IO_PENDING)
        );
        let d = tcp(ws)?;
        ws.connect(d, &addr)?;
        assert_eq!(ws.wsa_get_overlapped_result(l, &ov4, true)?.error, None);
        common::update_accept_context(ws, c, l)?;
        assert_eq!(ws.getpeername(c)?, ws.getsockname(d)?);
        Ok(())
    });
}

#[test]
fn ov_15_overlapped_wsa_ioctl() {
    // Proves: an overlapped WSAIoctl of a code handled at once (FIONREAD) returns at once and
    // still queues a packet of 0 bytes with the socket's key (the output rides along); a
    // parameter error is synchronous and queues nothing; an unsupported code (0xdeadbeef,
    // SIO_BASE_HANDLE overlapped) pends and completes with ERROR_NOT_SUPPORTED; a completion
    // routine runs in SleepEx(0, TRUE) with error 0 and size 0, or WSAEOPNOTSUPP.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 31)?;
        ws.send(c, b"abc", 0)?;
        ws.sleep(10);
        assert_eq!(
            ws.wsa_ioctl_overlapped(s, FIONREAD, &[], vec![0; 4], Overlapped::new(1), None)?,
            4
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!((p.key, p.bytes, p.error), (31, 0, None));
        assert_eq!(u32::from_le_bytes(p.bufs[0][..4].try_into().unwrap()), 3);
        assert_eq!(
            ws.wsa_ioctl_overlapped(s, FIONREAD, &[], vec![0; 3], Overlapped::new(2), None),
            Err(WsaError::WSAEFAULT)
        );
        assert_eq!(
            ws.get_queued_completion_status(port, 100),
            Err(WsaError::WAIT_TIMEOUT)
        );
        for (id, code) in [
            (3, 0xdead_beef),
            (4, SIO_BASE_HANDLE),
            (40, FIOASYNC),
            (41, 0x667e),
            (42, SIO_FLUSH),
        ] {
            let ov = Overlapped::new(id);
            assert_eq!(
                ws.wsa_ioctl_overlapped(s, code, &[], vec![0; 8], ov, None),
                Err(WsaError::WSA_IO_PENDING),
                "code {code:#x}"
            );
            let p = ws.get_queued_completion_status(port, WAIT_MS)?;
            assert_eq!(
                (p.bytes, p.error, p.key, p.overlapped),
                (0, Some(WsaError::ERROR_NOT_SUPPORTED), 31, Some(ov)),
                "code {code:#x}"
            );
        }

        let (_c2, s2) = common::pair(ws)?;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        for (id, code, want) in [
            (5, SIOCATMARK, Ok(4)),
            (6, 0xdead_beef, Err(WsaError::WSA_IO_PENDING)),
        ] {
            let seen = seen.clone();
            let routine: CompletionRoutine<winsock_sim::sim::SimWinsock> =
                Box::new(move |_ws, done: IoCompletion| {
                    seen.lock().unwrap().push((done.error, done.bytes));
                });
            let r = ws.wsa_ioctl_overlapped(
                s2,
                code,
                &[],
                vec![0; 4],
                Overlapped::new(id),
                Some(routine),
            );
            assert_eq!(r, want, "code {code:#x} with a completion routine");
        }
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(None, 0), (Some(WsaError::WSAEOPNOTSUPP), 0)]
        );
        Ok(())
    });
}
