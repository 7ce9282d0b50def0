//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_iocp` (L12436-12466) and the
//! helpers it consists of (the function body has no `ok()` of its own), ported assertion by
//! assertion. Facts only (packets, last errors, window messages); our own code.
//!
//! | sock.c helper (called by test_iocp)                          | ok() | ported | not expressible | failing |
//! |--------------------------------------------------------------|------|--------|-----------------|---------|
//! | sync_read L11836-11848                                        |   3  |    3   |  0              |  0      |
//! | iocp_async_read L11850-11918                                  |  22  |   22   |  0              |  0      |
//! | iocp_async_read_closesocket L11920-12059 (how_to_close 0..2)  |  39  |   32   |  7              |  0      |
//! | iocp_async_closesocket L12061-12130                           |  21  |   21   |  0              |  0      |
//! | iocp_async_read_thread_closesocket L12173-12299 + threads ¹   |  41  |   36   |  5              |  0      |
//! | iocp_async_read_thread L12301-12434 + threads ¹               |  47  |   32   | 15              |  0      |
//! | **total**                                                     | 173  |  146   | 27              |  0      |
//!
//! ¹ with the 4 ok()s of wsa_async_select_thread (1) and wsa_recv_thread (3), which both
//! helpers run.
//!
//! Counted: each `ok()` in the helpers' text once (iocp_async_read_closesocket's once,
//! though test_iocp calls it three times).
//!
//! `OVERLAPPED.Internal` / `InternalHigh` are read with `WinsockExt::overlapped_internal`;
//! C's out parameters (`bytes`, `key`, `ovl_iocp` left as they were or written) through
//! `Iocp::get_queued_completion_status_out` and `OverlappedIo::wsa_recv_overlapped_out`.
//!
//! Not expressible, once per kind:
//! - 5 × `CloseHandle((HANDLE)s)` and `NtClose` on a socket (iocp_async_read_closesocket with
//!   how_to_close 1 and 2, and its 5 todo_wine checks of the FD_CLOSE message they post):
//!   sockets are closed with `closesocket` only.
//! - 2 × the `ok(0, "wrong value")` defaults of the switch, never reached.
//! - 20 × the Windows XP branches (`broken()`, documenting XP): old Windows, not modelled.
//!
//! Also covered elsewhere: tests/iocp.rs `cp_01_one_packet_per_operation`,
//! `cp_02_failed_operation_packet`; tests/overlapped.rs `ov_02_local_close_aborts_pending_receive`.
mod common;

use winsock_sim::api::extension::{STATUS_CONNECTION_ABORTED, STATUS_SUCCESS};
use winsock_sim::prelude::*;
use winsock_sim::sim::{Segmentation, Sim, SimWinsock};

const DEADBEEF: i32 = 0xdeadbeef_u32 as i32;
/// WM_SOCKET in sock.c.
const WM_SOCKET: u32 = WM_USER + 100;
const ALL_EVENTS: i32 = FD_READ | FD_WRITE | FD_OOB | FD_ACCEPT | FD_CONNECT | FD_CLOSE;

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

/// GetQueuedCompletionStatus(port, &bytes, &key, &ovl_iocp, 100) times out: FALSE,
/// WAIT_TIMEOUT, `bytes` and `key` still 0xdeadbeef, `ovl_iocp` NULL (the 5 ok()s).
fn times_out<W: Iocp>(ws: &W, port: CompletionPort) {
    ws.wsa_set_last_error(DEADBEEF);
    let (mut bytes, mut key) = (0xdeadbeef_u32, 0xdeadbeef_usize);
    let mut ovl_iocp = Some(Overlapped::new(0xdeadbeef));
    let r = ws.get_queued_completion_status_out(port, &mut bytes, &mut key, &mut ovl_iocp, 100);
    assert_eq!(r.map(|p| p.overlapped), Err(WsaError::WAIT_TIMEOUT));
    assert_eq!(ws.wsa_get_last_error(), 258);
    assert_eq!(bytes, 0xdeadbeef);
    assert_eq!(key, 0xdeadbeef);
    assert_eq!(ovl_iocp, None);
}

/// WSARecv(src, &buf, 1, &bytes, &flags, &ovl, NULL) pends: SOCKET_ERROR, ERROR_IO_PENDING,
/// `bytes` still 0xdeadbeef (3 ok()s).
fn recv_pends<W: OverlappedIo>(ws: &W, src: Socket, ovl: Overlapped) {
    ws.wsa_set_last_error(DEADBEEF);
    let mut bytes = 0xdeadbeef_u32;
    let r = ws.wsa_recv_overlapped_out(src, vec![vec![0; 512]], &mut bytes, 0, ovl, None);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(bytes, 0xdeadbeef);
}

/// No window message within 100 ms (`ok(!ret)` of PeekMessage).
fn no_message<W: AsyncSelect>(ws: &W, hwnd: Hwnd) {
    ws.sleep(100);
    assert_eq!(ws.peek_message(hwnd, PM_REMOVE), Ok(None));
}

/// The FD_WRITE message WSAAsyncSelect posts for a connected socket (5 ok()s).
fn fd_write_message<W: AsyncSelect>(ws: &W, hwnd: Hwnd, s: Socket) {
    ws.sleep(100);
    let m = ws.peek_message(hwnd, PM_REMOVE).expect("PeekMessage");
    assert!(m.is_some());
    let m = m.unwrap();
    assert_eq!(m.hwnd, hwnd);
    assert_eq!(m.message, WM_SOCKET);
    assert_eq!(m.wparam, s.raw());
    assert_eq!(m.lparam, 2);
}

fn sync_and_async_read<W: Winsock + OverlappedIo + Iocp + WinsockExt>(
    ws: &W,
) -> Result<(), WsaError> {
    let (src, dst) = common::pair(ws)?;
    // sync_read
    assert_eq!(ws.send(dst, b"Hello World!", 0), Ok(12));
    let mut data = [0u8; 512];
    assert_eq!(ws.recv(src, &mut data, 0), Ok(12));
    assert_eq!(&data[..12], b"Hello World!");

    // iocp_async_read
    let port = ws.create_io_completion_port(0)?;
    assert_eq!(ws.associate_completion_port(src, port, 0x12345678), Ok(()));
    let ovl = Overlapped::new(1);
    recv_pends(ws, src, ovl);
    times_out(ws, port);
    assert_eq!(ws.send(dst, b"Hello World!", 0), Ok(12));
    ws.wsa_set_last_error(DEADBEEF);
    let p = ws.get_queued_completion_status(port, 100);
    assert!(p.is_ok());
    let p = p?;
    assert_eq!(p.bytes, 12);
    assert_eq!(p.key, 0x12345678);
    assert_eq!(p.overlapped, Some(ovl));
    assert_eq!(p.error, None);
    assert_eq!(ws.overlapped_internal(&ovl), (STATUS_SUCCESS, 12));
    assert_eq!(&p.bufs[0][..12], b"Hello World!");
    times_out(ws, port);
    ws.close_completion_port(port)?;
    ws.closesocket(src)?;
    ws.closesocket(dst)?;
    Ok(())
}

#[test]
fn sockc_iocp_sync_read_then_async_read_via_port() {
    // Proves (sync_read, iocp_async_read): recv gets the 12 bytes sent; an overlapped
    // receive on an associated socket pends (ERROR_IO_PENDING), the port is empty until data
    // arrives, then one TRUE packet: 12 bytes, key 0x12345678, the OVERLAPPED, the data;
    // then the port is empty again. Windows' ACK timing: the second "Hello World!" goes out
    // 100 ms after the first and Nagle holds it until the first one's delayed ACK, which
    // comes on the second 100-ms tick after it arrived — within the 100 ms wait.
    common::run_with(
        Sim::builder()
            .seed(common::seed())
            .segmentation(Segmentation::Mss),
        sync_and_async_read::<SimWinsock>,
    );
}

fn read_closesocket<W: Winsock + OverlappedIo + Iocp + AsyncSelect + WinsockExt>(
    ws: &W,
) -> Result<(), WsaError> {
    let (src, dst) = common::pair(ws)?;
    let hwnd = ws.create_window(None);
    assert!(hwnd.is_ok());
    let hwnd = hwnd?;
    assert_eq!(
        ws.wsa_async_select(src, hwnd, WM_SOCKET, ALL_EVENTS),
        Ok(())
    );
    fd_write_message(ws, hwnd, src);
    let port = ws.create_io_completion_port(0)?;
    assert_eq!(ws.associate_completion_port(src, port, 0x12345678), Ok(()));
    no_message(ws, hwnd);
    let ovl = Overlapped::new(1);
    recv_pends(ws, src, ovl);
    no_message(ws, hwnd);
    times_out(ws, port);
    no_message(ws, hwnd);
    // how_to_close 0: closesocket posts no message.
    ws.closesocket(src)?;
    ws.sleep(100);
    assert_eq!(ws.peek_message(hwnd, PM_REMOVE), Ok(None));
    // The pending receive completes with ERROR_CONNECTION_ABORTED (Windows; todo_wine),
    // 0 bytes, the key, the OVERLAPPED.
    ws.wsa_set_last_error(DEADBEEF);
    let p = ws.get_queued_completion_status(port, 100)?;
    assert_eq!(p.error, Some(WsaError::ERROR_CONNECTION_ABORTED));
    assert_eq!(ws.wsa_get_last_error(), 1236);
    assert_eq!(p.bytes, 0);
    assert_eq!(p.key, 0x12345678);
    assert_eq!(p.overlapped, Some(ovl));
    assert_eq!(ws.overlapped_internal(&ovl), (STATUS_CONNECTION_ABORTED, 0));
    times_out(ws, port);
    ws.close_completion_port(port)?;
    ws.destroy_window(hwnd)?;
    ws.closesocket(dst)?;
    Ok(())
}

#[test]
fn sockc_iocp_async_read_closesocket_aborts_with_connection_aborted() {
    // Proves (iocp_async_read_closesocket, how_to_close 0): WSAAsyncSelect posts FD_WRITE
    // (lParam 2) at once; associating with a port, issuing a pending receive and waiting
    // post nothing more; closesocket posts nothing and completes the receive with a FALSE
    // packet ERROR_CONNECTION_ABORTED, 0 bytes, the key; then the port is empty.
    run(read_closesocket::<SimWinsock>);
}

fn closesocket_without_io<W: Winsock + OverlappedIo + Iocp + AsyncSelect>(
    ws: &W,
) -> Result<(), WsaError> {
    let (src, dst) = common::pair(ws)?;
    let hwnd = ws.create_window(None);
    assert!(hwnd.is_ok());
    let hwnd = hwnd?;
    assert_eq!(
        ws.wsa_async_select(src, hwnd, WM_SOCKET, ALL_EVENTS),
        Ok(())
    );
    fd_write_message(ws, hwnd, src);
    let port = ws.create_io_completion_port(0);
    assert!(port.is_ok());
    let port = port?;
    ws.associate_completion_port(src, port, 0x12345678)?;
    no_message(ws, hwnd);
    times_out(ws, port);
    no_message(ws, hwnd);
    ws.closesocket(src)?;
    no_message(ws, hwnd);
    times_out(ws, port);
    ws.close_completion_port(port)?;
    ws.destroy_window(hwnd)?;
    ws.closesocket(dst)?;
    Ok(())
}

#[test]
fn sockc_iocp_async_closesocket_without_io_queues_nothing() {
    // Proves (iocp_async_closesocket): with no I/O pending, closing an associated socket
    // registered with WSAAsyncSelect posts no message and queues no packet.
    run(closesocket_without_io::<SimWinsock>);
}

/// The two threads of iocp_async_read_thread(_closesocket): WSAAsyncSelect from one thread,
/// a pending WSARecv issued by another thread that then ends.
fn select_and_recv_in_threads<W: Winsock + OverlappedIo + Iocp + AsyncSelect + SyncObjects>(
    ws: &W,
    src: Socket,
    ovl: Overlapped,
) -> Result<(Hwnd, CompletionPort), WsaError> {
    let hwnd = ws.create_window(None);
    assert!(hwnd.is_ok());
    let hwnd = hwnd?;
    // wsa_async_select_thread
    let t = ws.create_thread("wsa_async_select_thread", move |ws: &W| {
        assert_eq!(
            ws.wsa_async_select(src, hwnd, WM_SOCKET, ALL_EVENTS),
            Ok(())
        );
        Ok(())
    });
    assert!(t.is_ok());
    assert_eq!(ws.wait_for_thread(t?, 10000), Ok(()));
    fd_write_message(ws, hwnd, src);
    let port = ws.create_io_completion_port(0);
    assert!(port.is_ok());
    let port = port?;
    ws.associate_completion_port(src, port, 0x12345678)?;
    no_message(ws, hwnd);
    // wsa_recv_thread: the receive pends; the thread ends, the receive stays pending.
    let t = ws.create_thread("wsa_recv_thread", move |ws: &W| {
        recv_pends(ws, src, ovl);
        Ok(())
    });
    assert!(t.is_ok());
    assert_eq!(ws.wait_for_thread(t?, 10000), Ok(()));
    no_message(ws, hwnd);
    // The issuing thread's end does not cancel it (WAIT_TIMEOUT, not XP's abort).
    times_out(ws, port);
    Ok((hwnd, port))
}

fn read_thread_closesocket<
    W: Winsock + OverlappedIo + Iocp + AsyncSelect + SyncObjects + WinsockExt,
>(
    ws: &W,
) -> Result<(), WsaError> {
    let (src, dst) = common::pair(ws)?;
    let ovl = Overlapped::new(1);
    let (hwnd, port) = select_and_recv_in_threads(ws, src, ovl)?;
    no_message(ws, hwnd);
    ws.closesocket(src)?;
    no_message(ws, hwnd);
    ws.wsa_set_last_error(DEADBEEF);
    let p = ws.get_queued_completion_status(port, 100)?;
    assert_eq!(p.error, Some(WsaError::ERROR_CONNECTION_ABORTED));
    assert_eq!(ws.wsa_get_last_error(), 1236);
    assert_eq!(p.bytes, 0);
    assert_eq!(p.key, 0x12345678);
    assert_eq!(p.overlapped, Some(ovl));
    assert_eq!(ws.overlapped_internal(&ovl), (STATUS_CONNECTION_ABORTED, 0));
    times_out(ws, port);
    ws.close_completion_port(port)?;
    ws.destroy_window(hwnd)?;
    ws.closesocket(dst)?;
    Ok(())
}

#[test]
fn sockc_iocp_async_read_thread_closesocket() {
    // Proves (iocp_async_read_thread_closesocket): WSAAsyncSelect from another thread posts
    // FD_WRITE; a receive issued by a thread that has ended stays pending (no packet); the
    // close posts no message and completes it with ERROR_CONNECTION_ABORTED, 0 bytes, the
    // key; then the port is empty.
    run(read_thread_closesocket::<SimWinsock>);
}

fn read_thread<W: Winsock + OverlappedIo + Iocp + AsyncSelect + SyncObjects + WinsockExt>(
    ws: &W,
) -> Result<(), WsaError> {
    let (src, dst) = common::pair(ws)?;
    let ovl = Overlapped::new(1);
    let (hwnd, port) = select_and_recv_in_threads(ws, src, ovl)?;
    no_message(ws, hwnd);
    assert_eq!(ws.send(dst, b"Hello World!", 0), Ok(12));
    // The pending receive takes the data: no FD_READ message.
    no_message(ws, hwnd);
    ws.wsa_set_last_error(DEADBEEF);
    let p = ws.get_queued_completion_status(port, 100);
    assert!(p.is_ok());
    let p = p?;
    assert_eq!(p.bytes, 12);
    assert_eq!(p.key, 0x12345678);
    assert_eq!(p.overlapped, Some(ovl));
    assert_eq!(p.error, None);
    assert_eq!(ws.overlapped_internal(&ovl), (STATUS_SUCCESS, 12));
    assert_eq!(&p.bufs[0][..12], b"Hello World!");
    ws.close_completion_port(port)?;
    ws.destroy_window(hwnd)?;
    ws.closesocket(src)?;
    ws.closesocket(dst)?;
    Ok(())
}

#[test]
fn sockc_iocp_async_read_thread_completes_after_issuing_thread_ended() {
    // Proves (iocp_async_read_thread): a receive issued by a thread that has ended still
    // completes through the port when data arrives (12 bytes, key, OVERLAPPED, the data),
    // and the data it took posts no FD_READ to the WSAAsyncSelect window.
    run(read_thread::<SimWinsock>);
}
