//! Overlapped I/O: conformance rules OV-01, OV-02, OV-04, OV-06 and OV-08 (section 4 of
//! conformance.md). The other overlapped rules and the API contract of `api::overlapped` are in
//! files of their own: AcceptEx / ConnectEx (OV-03, OV-10 … OV-12) in
//! `accept_ex_connect_ex.rs`, the overlapped halves of NB-02 … NB-05 in
//! `overlapped_nonblocking.rs`, EV-10 / EV-20 in `overlapped_fd_events.rs`, scatter/gather,
//! OVERLAPPED identity and buffers handed back once in `overlapped_contract.rs`, APCs and
//! alertable waits in `alertable_waits.rs`, DisconnectEx (ER-11, CP-08) in `disconnect_ex.rs`
//! and WSAIoctl (OV-15, ER-12) in `wsa_ioctl.rs`; their helpers in `common/overlapped.rs`.
//!
//! Expected values are Windows' (the catalogue and the Win32 documentation), never what the
//! sim happens to return. The Rust API reports WinSock codes from `wsa_get_overlapped_result`
//! and completion routines (WSAECONNRESET) and Win32 codes in completion packets
//! (ERROR_NETNAME_DELETED).
//!
//! Runs use full-size segments: on Windows' loopback a small send arrives as one segment, and
//! the catalogue's byte counts (a pending receive completing with 4 bytes) rely on that.
//!
//! `OVERLAPPED.Internal` / `InternalHigh` (STATUS_PENDING, STATUS_CONNECTION_RESET, …) are
//! read with `WinsockExt::overlapped_internal`; the rules' Internal values are checked where
//! sock.c checks them, in the ports (`tests/sockc_test_completion_port.rs`,
//! `tests/sockc_test_acceptex.rs`, `tests/sockc_test_connecting_socket.rs`, …), not here.
//!
//! Also here: OV-02's UDP half (a closed UDP socket cancels its receive), MSG_PEEK on
//! overlapped receives (stream and datagram).
//! - OV-08 "byte count untouched": a synchronous failure returns only the error, and the
//!   buffers moved into the call are not handed back.
mod common;

use common::overlapped::{
    bound_udp, failed_packet, is_set, no_packet, recording_routine, run, signalled, QUIET_MS,
    SETTLE_MS,
};
use common::tcp;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

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
