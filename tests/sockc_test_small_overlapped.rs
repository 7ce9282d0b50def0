//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0): the small overlapped-receive test functions
//! `test_WSAGetOverlappedResult` (L12959-13037), `test_nonblocking_async_recv`
//! (L13068-13234), `test_simultaneous_async_recv` (L13236-13285), `test_empty_recv`
//! (L13287-13340) and `test_circular_queueing` (L6205-6216), ported assertion by assertion.
//! Facts only (return values, error codes, byte counts); our own code.
//!
//! | sock.c function                                   | ok() | ported | not expressible | failing |
//! |---------------------------------------------------|------|--------|-----------------|---------|
//! | test_WSAGetOverlappedResult                       |  12  |    8   |  4              |  0      |
//! | test_nonblocking_async_recv                       |  45  |   40   |  5              |  0      |
//! | test_simultaneous_async_recv                      |   7  |    7   |  0              |  0      |
//! | test_empty_recv                                   |  15  |   13   |  2              |  0      |
//! | test_circular_queueing                            |   1  |    1   |  0              |  0      |
//!
//! Counted: each `ok()` in the function body once (a loop's body once);
//! nonblocking_async_recv_thread's and tcp_socketpair's own checks are not counted.
//!
//! Not expressible, once per kind:
//! - 7 × `OVERLAPPED.Internal` / `InternalHigh` written by the program, or left as the
//!   program wrote them: the loop over every NTSTATUS that WSAGetOverlappedResult maps (3), a
//!   WSAGetOverlappedResult on an OVERLAPPED set to STATUS_PENDING by hand (1), and
//!   "Internal / InternalHigh left as given (0xdeadbeef)" (test_nonblocking_async_recv, 3).
//!   (Reading it back — STATUS_PENDING while pending — is ported, with
//!   `WinsockExt::overlapped_internal`.)
//! - 2 × `WaitForSingleObject((HANDLE)socket)`: the file object a socket handle names is
//!   unsignalled while an overlapped receive with a NULL hEvent pends and signalled when it
//!   completes; `SyncObjects`' waits take events, mutexes, semaphores and threads, not
//!   sockets (the completion is waited for through its event or WSAGetOverlappedResult).
//! - 2 × a NULL WSABUF array with a count of 0 (its sibling, a real array with a count of 0,
//!   is ported).
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use winsock_sim::api::extension::STATUS_PENDING;
use winsock_sim::prelude::*;

const DEADBEEF: i32 = 0xdeadbeef_u32 as i32;

fn not_a_socket_and_no_alertable_wait<W: Winsock + OverlappedIo + DuplicateHandles>(
    ws: &W,
) -> Result<(), WsaError> {
    // L12980-12983: not a socket.
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_get_overlapped_result(Socket::from_raw(0xdeadbeef), &Overlapped::new(1), false);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTSOCK.code());

    // L12985-12991 (Wine 11.10 13152-13159): a socket's DuplicateHandle'd handle is no
    // SOCKET to WSAGetOverlappedResult, which looks in WinSock's own table.
    let t = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    let h = ws.duplicate_socket_handle(t);
    assert!(h.is_ok(), "DuplicateHandle: {h:?}");
    let r = ws.wsa_get_overlapped_result(h?, &Overlapped::new(1), false);
    assert!(r.is_err(), "WSAGetOverlappedResult on the duplicate: {r:?}");
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTSOCK.code());
    ws.closesocket(h?)?;
    ws.closesocket(t)?;

    // L13021-13031 (with a real pending receive in place of Internal = STATUS_PENDING): a
    // waiting WSAGetOverlappedResult is not alertable; the APC runs in SleepEx afterwards.
    let (c, s) = common::pair(ws)?;
    let ev = ws.create_event(true, false)?;
    let ov = Overlapped::with_event(1, ev);
    assert_eq!(
        ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
        Err(WsaError::WSA_IO_PENDING)
    );
    let apc_count = Arc::new(AtomicU32::new(0));
    let count = apc_count.clone();
    let queued = ws.queue_user_apc(
        Box::new(move |_: &W| {
            count.fetch_add(1, Ordering::SeqCst);
        }),
        ws.get_current_thread(),
    );
    assert_eq!(queued, Ok(()));
    let sender = ws.create_thread("sender", move |ws: &W| {
        ws.sleep(100);
        ws.send(c, b"x", 0)?;
        Ok(())
    })?;
    let r = ws.wsa_get_overlapped_result(s, &ov, true)?;
    assert_eq!((r.error, r.bytes), (None, 1));
    assert_eq!(apc_count.load(Ordering::SeqCst), 0);
    ws.sleep_ex(0, true);
    assert_eq!(apc_count.load(Ordering::SeqCst), 1);
    ws.wait_for_thread(sender, INFINITE)?;
    ws.close_handle(Handle::from(ev))?;
    ws.closesocket(c)?;
    ws.closesocket(s)?;
    Ok(())
}

#[test]
fn sockc_wsagetoverlappedresult_not_a_socket_and_no_alertable_wait() {
    // Proves (test_WSAGetOverlappedResult L12980-13031): WSAGetOverlappedResult on a value
    // that is not a socket fails with WSAENOTSOCK; waiting in it (fWait TRUE) does not run a
    // queued APC, SleepEx(0, TRUE) then does.
    common::run(not_a_socket_and_no_alertable_wait);
}

/// tcp_socketpair_flags: a connected pair made with WSASocket(…, flags).
fn pair_flags<W: Winsock + WinsockExt>(ws: &W, flags: u32) -> Result<(Socket, Socket), WsaError> {
    let l = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, flags)?;
    ws.bind(l, &SockAddr::v4([127, 0, 0, 1], 0))?;
    ws.listen(l, 1)?;
    let addr = ws.getsockname(l)?;
    let c = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, flags)?;
    ws.connect(c, &addr)?;
    let (s, _) = ws.accept(l)?;
    ws.closesocket(l)?;
    Ok((c, s))
}

/// Waits (select) until `s` has data: sock.c's "data already in the pipe".
fn readable<W: Select>(ws: &W, s: Socket) -> Result<(), WsaError> {
    let mut r = FdSet::new();
    r.set(s);
    assert_eq!(ws.select(Some(&mut r), None, None, None)?, 1);
    Ok(())
}

/// The "data" a completed 5-byte receive holds.
fn data_of(c: &IoCompletion) -> &[u8] {
    &c.bufs[0][..c.bytes]
}

fn nonblocking_async_recv<W: Winsock + OverlappedIo + SyncObjects + WinsockExt + Select>(
    ws: &W,
) -> Result<(), WsaError> {
    let event = ws.create_event(true, false)?;
    let mut buffer = [0u8; 5];

    // L13083-13098: an overlapped pair, both nonblocking: recv and a non-overlapped WSARecv
    // fail with WSAEWOULDBLOCK.
    let (client, server) = pair_flags(ws, WSA_FLAG_OVERLAPPED)?;
    ws.set_nonblocking(client, true)?;
    ws.set_nonblocking(server, true)?;
    ws.wsa_set_last_error(DEADBEEF);
    assert_eq!(
        ws.recv(client, &mut buffer, 0),
        Err(WsaError::WSAEWOULDBLOCK)
    );
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEWOULDBLOCK.code());
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv(client, &mut [&mut buffer[..]], 0);
    assert_eq!(r, Err(WsaError::WSAEWOULDBLOCK));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEWOULDBLOCK.code());

    // L13100-13121: overlapped with a NULL event: pends although the socket is nonblocking.
    let ov = Overlapped::new(1);
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv_overlapped(client, vec![vec![0; 5]], 0, ov, None);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    assert_eq!(ws.send(server, b"data", 0), Ok(4));
    let r = ws.get_overlapped_result(client, &ov, true)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 4);
    assert_eq!(data_of(&r), b"data");

    // L13123-13144: with an event.
    let ov = Overlapped::with_event(2, event);
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv_overlapped(client, vec![vec![0; 5]], 0, ov, None);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 0),
        Ok(WAIT_TIMEOUT)
    );
    assert_eq!(ws.send(server, b"data", 0), Ok(4));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(client, &ov, false)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 4);
    assert_eq!(data_of(&r), b"data");

    // L13146-13160: data already there: 0 or ERROR_IO_PENDING, then the event and 4 bytes.
    assert_eq!(ws.send(server, b"data", 0), Ok(4));
    readable(ws, client)?;
    let ov = Overlapped::with_event(3, event);
    let r = ws.wsa_recv_overlapped(client, vec![vec![0; 5]], 0, ov, None);
    assert!(matches!(r, Ok(4) | Err(WsaError::WSA_IO_PENDING)));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(client, &ov, false)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 4);
    assert_eq!(data_of(&r), b"data");
    ws.closesocket(client)?;
    ws.closesocket(server)?;

    // L13165-13180: a pair made without WSA_FLAG_OVERLAPPED, nonblocking.
    let (client, server) = pair_flags(ws, 0)?;
    ws.set_nonblocking(client, true)?;
    ws.set_nonblocking(server, true)?;
    ws.wsa_set_last_error(DEADBEEF);
    assert_eq!(
        ws.recv(client, &mut buffer, 0),
        Err(WsaError::WSAEWOULDBLOCK)
    );
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEWOULDBLOCK.code());
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv(client, &mut [&mut buffer[..]], 0);
    assert_eq!(r, Err(WsaError::WSAEWOULDBLOCK));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEWOULDBLOCK.code());
    // L13182-13208: an overlapped WSARecv (NULL event, then an event) in a thread blocks
    // although the socket is nonblocking: the thread is still running after 200 ms; the
    // 4 bytes sent end it within 200 ms more, its WSARecv returning 0 with them.
    for (id, ev) in [(10, None), (11, Some(event))] {
        let t = ws.create_thread("nonblocking_async_recv_thread", move |ws: &W| {
            let ov = match ev {
                Some(ev) => Overlapped::with_event(id, ev),
                None => Overlapped::new(id),
            };
            // The thread's own checks (L13059-13064, not counted).
            let r = ws.wsa_recv_overlapped(client, vec![vec![0; 5]], 0, ov, None);
            assert_eq!(r, Ok(4));
            let r = ws.get_overlapped_result(client, &ov, false)?;
            assert_eq!((r.error, r.bytes), (None, 4));
            assert_eq!(data_of(&r), b"data");
            Ok(())
        })?;
        assert_eq!(ws.wait_for_thread(t, 200), Err(WsaError::WAIT_TIMEOUT));
        assert_eq!(ws.send(server, b"data", 0), Ok(4));
        assert_eq!(ws.wait_for_thread(t, 200), Ok(()));
    }
    // L13210-13220: data already there: WSARecv with an OVERLAPPED returns 0 at once.
    assert_eq!(ws.send(server, b"data", 0), Ok(4));
    readable(ws, client)?;
    let ov = Overlapped::with_event(4, event);
    let r = ws.wsa_recv_overlapped(client, vec![vec![0; 5]], 0, ov, None);
    assert_eq!(r, Ok(4));
    let r = ws.get_overlapped_result(client, &ov, false)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 4);
    assert_eq!(data_of(&r), b"data");
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    ws.close_handle(Handle::from(event))?;
    Ok(())
}

#[test]
fn sockc_nonblocking_async_recv_pends_on_nonblocking_sockets() {
    // Proves (test_nonblocking_async_recv): on a nonblocking socket recv and a
    // non-overlapped WSARecv fail with WSAEWOULDBLOCK, but an overlapped WSARecv pends
    // (ERROR_IO_PENDING; its event unsignalled) and completes with the 4 bytes sent later;
    // with data already there it returns 0 or pends and completes with them.
    common::run(nonblocking_async_recv);
}

fn simultaneous<W: Winsock + OverlappedIo + SyncObjects>(ws: &W) -> Result<(), WsaError> {
    const MSG: &[u8; 32] = b"-- Lorem ipsum dolor sit amet -\0";
    let (client, server) = common::pair(ws)?;
    let mut ovs = Vec::new();
    for i in 0..2u64 {
        let ev = ws.create_event(true, false)?;
        let ov = Overlapped::with_event(i + 1, ev);
        let r = ws.wsa_recv_overlapped(client, vec![vec![0; 16]], 0, ov, None);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
        ovs.push(ov);
    }
    assert_eq!(ws.send(server, MSG, 0), Ok(32));
    for (i, ov) in ovs.iter().enumerate() {
        assert_eq!(
            ws.wait_for_single_object(Handle::from(ov.event.unwrap()), 1000),
            Ok(WAIT_OBJECT_0)
        );
        let r = ws.get_overlapped_result(client, ov, false)?;
        assert_eq!(r.error, None);
        assert_eq!(r.bytes, 16);
        assert_eq!(&r.bufs[0][..], &MSG[i * 16..(i + 1) * 16]);
    }
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    Ok(())
}

#[test]
fn sockc_simultaneous_async_recv_fill_in_issue_order() {
    // Proves (test_simultaneous_async_recv): two pending 16-byte receives take a 32-byte
    // message in the order they were issued.
    common::run_with(
        winsock_sim::sim::Sim::builder()
            .seed(common::seed())
            .segmentation(winsock_sim::sim::Segmentation::Mss),
        simultaneous,
    );
}

fn empty_recv<W: Winsock + OverlappedIo + SyncObjects>(ws: &W) -> Result<(), WsaError> {
    let event = ws.create_event(true, false)?;
    let (client, server) = common::pair(ws)?;
    // L13308-13312: no WSABUF at all (count 0): WSAEINVAL.
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv_overlapped(
        client,
        Vec::new(),
        0,
        Overlapped::with_event(1, event),
        None,
    );
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
    // L13314-13317: one WSABUF of length 0 pends until data arrives, then completes with 0
    // bytes, leaving the data queued.
    let ov = Overlapped::with_event(2, event);
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv_overlapped(client, vec![Vec::new()], 0, ov, None);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.send(server, b"data\0", 0), Ok(5));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(event), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(client, &ov, false);
    assert!(r.is_ok());
    assert_eq!(r?.bytes, 0);
    // L13325-13328: again, with the data there: 0 at once, 0 bytes.
    ws.wsa_set_last_error(DEADBEEF);
    let ov = Overlapped::with_event(3, event);
    let r = ws.wsa_recv_overlapped(client, vec![Vec::new()], 0, ov, None);
    assert!(r.is_ok());
    assert_eq!(r, Ok(0));
    // L13330-13335: recv of 0 bytes returns 0; the 5 bytes are all still there.
    assert_eq!(ws.recv(client, &mut [], 0), Ok(0));
    let mut buffer = [0u8; 5];
    assert_eq!(ws.recv(client, &mut buffer, 0), Ok(5));
    assert_eq!(&buffer, b"data\0");
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    Ok(())
}

#[test]
fn sockc_empty_recv_zero_length_buffer_waits_for_data_and_takes_none() {
    // Proves (test_empty_recv): WSARecv with no WSABUF fails with WSAEINVAL; with one
    // zero-length WSABUF it pends until data arrives and completes with 0 bytes (again: 0 at
    // once), leaving the data queued; recv of 0 bytes returns 0; the 5 bytes then arrive
    // whole.
    common::run(empty_recv);
}

fn circular_queueing<W: Winsock + OverlappedIo>(ws: &W) -> Result<(), WsaError> {
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    assert_eq!(
        ws.wsa_ioctl(s, SIO_ENABLE_CIRCULAR_QUEUEING, &[], &mut []),
        Ok(0)
    );
    ws.closesocket(s)?;
    Ok(())
}

#[test]
fn sockc_circular_queueing_is_accepted_on_udp() {
    // Proves (test_circular_queueing): WSAIoctl(SIO_ENABLE_CIRCULAR_QUEUEING) without
    // buffers succeeds on a UDP socket.
    common::run(circular_queueing);
}
