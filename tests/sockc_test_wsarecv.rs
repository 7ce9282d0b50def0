//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_WSARecv` (L7762-7956), ported
//! assertion by assertion. Facts only (return values, error codes, byte counts); our own code.
//!
//! | sock.c test_WSARecv                                    | ok() | ported | not expressible | failing |
//! |--------------------------------------------------------|------|--------|-----------------|---------|
//! | L7786-7816 synchronous WSARecv, 1 byte twice, APC      |  11  |   11   |  0              |  0      |
//! | L7818-7843 4 bytes, then 9 bytes over two WSABUFs      |  12  |   12   |  0              |  0      |
//! | L7845-7866 two pending receives, peer RST              |   7  |    7   |  0              |  0      |
//! | L7868-7903 socket, bind, listen, connect, accept       |   7  |    7   |  0              |  0      |
//! | L7905-7917 blocking WSARecv in a thread runs an APC    |   2  |    2   |  0              |  0      |
//! | L7919-7933 completion routine, event not signalled     |   4  |    4   |  0              |  0      |
//! | L7935-7945 completion routine on an IOCP socket        |   3  |    3   |  0              |  0      |
//! | **total**                                              |  46  |   46   |  0              |  0      |
//!
//! Counted: each `ok()` in the function body once; the helpers' own checks (recv_thread,
//! recv_thread_apc_func, check_poll_mask, tcp_socketpair) are checked here too but not counted.
//!
//! Expressed differently, once per kind:
//! - the same OVERLAPPED for two pending receives (L7851-7855): an [`Overlapped`] identity may
//!   not be pending twice in this API (C would corrupt memory), so the two receives use two
//!   identities sharing one event; GetOverlappedResult is asked about the second, the one
//!   whose result C's shared OVERLAPPED holds last.
//! - `SetLastError(0xdeadbeef)` before each call: `wsa_set_last_error(0xdeadbeef as i32)`.
//! - `WSASocketW(..., 0)` without WSA_FLAG_OVERLAPPED: `WinsockExt::wsa_socket` with flags 0.
//!
//! Already covered elsewhere: tests/overlapped.rs `ov_01_peer_reset_fails_pending_receive`
//! (reset during a pending receive), `ov_04_completion_routine_runs_in_alertable_wait`,
//! `ov_04_completion_routine_rejected_on_iocp_socket`, `wsarecv_scatters_and_wsasend_gathers`.
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::prelude::*;

const DEADBEEF: i32 = 0xdeadbeef_u32 as i32;

/// Queues an APC to `thread` that counts its runs (sock.c `apc_func`).
fn queue_counter<W: OverlappedIo>(
    ws: &W,
    thread: ThreadId,
    count: &Arc<AtomicU32>,
) -> Result<(), WsaError> {
    let count = count.clone();
    ws.queue_user_apc(
        Box::new(move |_: &W| {
            count.fetch_add(1, Ordering::SeqCst);
        }),
        thread,
    )
}

/// A completion routine that counts its calls (sock.c `io_completion`).
fn counting_routine<W: OverlappedIo>(count: &Arc<AtomicU32>) -> CompletionRoutine<W> {
    let count = count.clone();
    Box::new(move |_: &W, _| {
        count.fetch_add(1, Ordering::SeqCst);
    })
}

/// sock.c `check_poll_mask(dest, POLLRDNORM, POLLRDNORM)`.
fn poll_is_readable<W: Select>(ws: &W, s: Socket) {
    let mut fds = [WsaPollFd::new(s, POLLRDNORM)];
    assert_eq!(ws.wsa_poll(&mut fds, 1000), Ok(1));
    assert_eq!(fds[0].revents, POLLRDNORM);
}

fn synchronous_receives<W: Winsock + OverlappedIo + SyncObjects + Select>(
    ws: &W,
) -> Result<(), WsaError> {
    let (src, dest) = common::pair(ws)?;
    let mut buf = [0u8; 20];

    // L7786-7788: send "ab".
    ws.wsa_set_last_error(DEADBEEF);
    assert_eq!(ws.send(src, b"ab", 0), Ok(2));
    assert_eq!(ws.wsa_get_last_error(), 0);
    poll_is_readable(ws, dest);

    // L7797-7798: QueueUserAPC to the current thread.
    let apc_count = Arc::new(AtomicU32::new(0));
    assert_eq!(
        queue_counter(ws, ws.get_current_thread(), &apc_count),
        Ok(())
    );

    // L7800-7803: WSARecv of one byte completes synchronously, without an alertable wait.
    ws.wsa_set_last_error(DEADBEEF);
    assert_eq!(ws.wsa_recv(dest, &mut [&mut buf[..1]], 0), Ok((1, 0)));
    assert_eq!(ws.wsa_get_last_error(), 0);
    // L7805-7807: the APC did not run in it; SleepEx(0, TRUE) runs it.
    assert_eq!(apc_count.load(Ordering::SeqCst), 0);
    ws.sleep_ex(0, true);
    assert_eq!(apc_count.load(Ordering::SeqCst), 1);

    // L7809-7814: the second byte.
    ws.wsa_set_last_error(DEADBEEF);
    assert_eq!(ws.wsa_recv(dest, &mut [&mut buf[..1]], 0), Ok((1, 0)));
    assert_eq!(ws.wsa_get_last_error(), 0);
    assert_eq!(buf[0], b'b');

    // L7816-7827: 4 bytes into a 4-byte WSABUF.
    ws.wsa_set_last_error(DEADBEEF);
    assert_eq!(ws.send(src, b"test", 0), Ok(4));
    assert_eq!(ws.wsa_get_last_error(), 0);
    ws.wsa_set_last_error(DEADBEEF);
    assert_eq!(ws.wsa_recv(dest, &mut [&mut buf[..4]], 0), Ok((4, 0)));
    assert_eq!(ws.wsa_get_last_error(), 0);

    // L7829-7843: 9 bytes over two WSABUFs of 4 and 5.
    ws.wsa_set_last_error(DEADBEEF);
    assert_eq!(ws.send(src, b"deadbeefs", 0), Ok(9));
    assert_eq!(ws.wsa_get_last_error(), 0);
    ws.wsa_set_last_error(DEADBEEF);
    let (a, b) = buf.split_at_mut(10);
    assert_eq!(
        ws.wsa_recv(dest, &mut [&mut a[..4], &mut b[..5]], 0),
        Ok((9, 0))
    );
    assert_eq!(&buf[..4], b"dead");
    assert_eq!(&buf[10..15], b"beefs");
    assert_eq!(ws.wsa_get_last_error(), 0);
    ws.closesocket(src)?;
    ws.closesocket(dest)?;
    Ok(())
}

#[test]
fn sockc_wsarecv_synchronous_receives_and_no_alertable_wait() {
    // Proves (L7786-7843): a non-overlapped WSARecv that can complete at once returns 0 with
    // the byte count and leaves last error 0; a queued APC does not run in it (SleepEx(0,
    // TRUE) runs it); two WSABUFs are filled in order.
    common::run(synchronous_receives);
}

fn two_pending_receives_then_rst<W: Winsock + OverlappedIo + SyncObjects>(
    ws: &W,
) -> Result<(), WsaError> {
    let (src, dest) = common::pair(ws)?;
    // L7846-7847: an auto-reset event.
    let event = ws.create_event(false, false)?;
    // L7851-7855: two pending receives.
    let ov1 = Overlapped::with_event(1, event);
    let ov2 = Overlapped::with_event(2, event);
    assert_eq!(
        ws.wsa_recv_overlapped(dest, vec![vec![0; 20]], 0, ov1, None),
        Err(WsaError::WSA_IO_PENDING)
    );
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(
        ws.wsa_recv_overlapped(dest, vec![vec![0; 20]], 0, ov2, None),
        Err(WsaError::WSA_IO_PENDING)
    );
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    // L7857: close_with_rst(src).
    common::rst_close(ws, src)?;
    // L7859-7860
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 1000),
        Ok(WAIT_OBJECT_0)
    );
    // L7862-7865: GetOverlappedResult fails with ERROR_NETNAME_DELETED and 0 bytes.
    let r = ws.get_overlapped_result(dest, &ov2, false)?;
    assert_eq!(r.error, Some(WsaError::ERROR_NETNAME_DELETED));
    assert_eq!(ws.wsa_get_last_error(), 64);
    assert_eq!(r.bytes, 0);
    ws.closesocket(dest)?;
    Ok(())
}

#[test]
fn sockc_wsarecv_pending_receives_fail_with_netname_deleted_on_rst() {
    // Proves (L7845-7866): two overlapped receives pend (ERROR_IO_PENDING); the peer's RST
    // signals their event and GetOverlappedResult reports ERROR_NETNAME_DELETED with 0 bytes.
    common::run(two_pending_receives_then_rst);
}

fn threads_routines_and_ports<
    W: Winsock + OverlappedIo + SyncObjects + Iocp + WinsockExt + EventSelect,
>(
    ws: &W,
) -> Result<(), WsaError> {
    // L7868-7903: a client made without WSA_FLAG_OVERLAPPED, an overlapped server.
    let src = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, 0);
    assert!(src.is_ok());
    let src = src?;
    let server = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED);
    assert!(server.is_ok());
    let server = server?;
    assert_eq!(ws.bind(server, &SockAddr::v4([127, 0, 0, 1], 0)), Ok(()));
    let addr = ws.getsockname(server);
    assert!(addr.is_ok());
    let addr = addr?;
    assert_eq!(ws.listen(server, 1), Ok(()));
    assert_eq!(ws.connect(src, &addr), Ok(()));
    let dest = ws.accept(server);
    assert!(dest.is_ok());
    let (dest, _) = dest?;

    // L7905-7910: recv_thread (overlapped) takes "test message" and waits for its event.
    assert_eq!(ws.send(src, b"test message\0", 0), Ok(13));
    let t = ws.create_thread("recv_thread", move |ws: &W| {
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(100, ev);
        let r = ws.wsa_recv_overlapped(dest, vec![vec![0; 32]], 0, ov, None);
        assert!(matches!(r, Ok(13) | Err(WsaError::WSA_IO_PENDING)));
        ws.wait_for_single_object(Handle::from(ev), 1000)?;
        ws.wsa_close_event(ev)?;
        Ok(())
    })?;
    ws.wait_for_thread(t, 3000)?;

    // L7912-7917: a blocking WSARecv in a new thread waits alertably: the APC queued to the
    // thread runs during it and sends the 4 bytes that complete it.
    let apc_count = Arc::new(AtomicU32::new(0));
    let t = ws.create_thread("recv_thread", move |ws: &W| {
        let mut buffer = [0u8; 32];
        ws.wsa_set_last_error(DEADBEEF);
        // recv_thread's own checks: 0, last error 0, 4 bytes.
        assert_eq!(ws.wsa_recv(dest, &mut [&mut buffer[..]], 0), Ok((4, 0)));
        assert_eq!(ws.wsa_get_last_error(), 0);
        Ok(())
    })?;
    let count = apc_count.clone();
    let queued = ws.queue_user_apc(
        Box::new(move |ws: &W| {
            count.fetch_add(1, Ordering::SeqCst);
            // recv_thread_apc_func's own check.
            assert_eq!(ws.send(src, b"test", 0), Ok(4));
        }),
        t,
    );
    assert_eq!(queued, Ok(()));
    ws.wait_for_thread(t, 3000)?;
    assert_eq!(apc_count.load(Ordering::SeqCst), 1);

    // L7921-7931: a receive with a completion routine (and an event in the OVERLAPPED) pends;
    // data arrives; SleepEx runs the routine; the event stays unsignalled.
    let event = ws.create_event(false, false)?;
    ws.reset_event(event)?;
    let completion_called = Arc::new(AtomicU32::new(0));
    let ov = Overlapped::with_event(1, event);
    assert_eq!(
        ws.wsa_recv_overlapped(
            dest,
            vec![vec![0; 20]],
            0,
            ov,
            Some(counting_routine(&completion_called))
        ),
        Err(WsaError::WSA_IO_PENDING)
    );
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    ws.send(src, b"test message\0", 0)?;
    assert_eq!(ws.sleep_ex(1000, true), WAIT_IO_COMPLETION);
    assert_eq!(completion_called.load(Ordering::SeqCst), 1);
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 1),
        Ok(WAIT_TIMEOUT)
    );

    // L7935-7944: once associated with a port, a completion routine is refused with
    // WSAEINVAL and never called.
    let port = ws.create_io_completion_port(0)?;
    assert_eq!(ws.associate_completion_port(dest, port, 0), Ok(()));
    let completion_called = Arc::new(AtomicU32::new(0));
    assert_eq!(
        ws.wsa_recv_overlapped(
            dest,
            vec![vec![0; 20]],
            0,
            Overlapped::new(2),
            Some(counting_routine(&completion_called))
        ),
        Err(WsaError::WSAEINVAL)
    );
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
    ws.sleep_ex(0, true);
    assert_eq!(completion_called.load(Ordering::SeqCst), 0);
    ws.close_completion_port(port)?;
    ws.closesocket(server)?;
    ws.closesocket(dest)?;
    ws.closesocket(src)?;
    ws.close_handle(Handle::from(event))?;
    Ok(())
}

#[test]
fn sockc_wsarecv_threads_completion_routines_and_ports() {
    // Proves (L7868-7945): WSASocket with and without WSA_FLAG_OVERLAPPED connect; a blocking
    // WSARecv in another thread is an alertable wait (the APC queued to it runs once and its
    // send completes the receive with 4 bytes); a completion routine runs in SleepEx
    // (WAIT_IO_COMPLETION) and leaves the OVERLAPPED's event unsignalled; on a socket
    // associated with a port a completion routine is refused with WSAEINVAL, never called.
    common::run(threads_routines_and_ports);
}
