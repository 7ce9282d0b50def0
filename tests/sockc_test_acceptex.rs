//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_AcceptEx` (L8826-9381), ported
//! assertion by assertion. Facts only (return values, error codes, byte counts, addresses);
//! our own code.
//!
//! | sock.c test_AcceptEx                                         | ok() | ported | not expressible | failing |
//! |--------------------------------------------------------------|------|--------|-----------------|---------|
//! | L8844-8949 setup, argument errors, local address length 0    |  30  |   26   |  4              |  0      |
//! | L8950-8963 a UDP socket cannot be accepted into              |   3  |    3   |  0              |  0      |
//! | L8964-8979 a bound socket cannot be accepted into            |   4  |    4   |  0              |  0      |
//! | L8980-9002 a connected socket cannot be accepted into        |   6  |    6   |  0              |  0      |
//! | L9003-9030 local address length 3                            |  10  |   10   |  0              |  0      |
//! | L9031-9063 … not accepted; local address length 20           |  11  |   11   |  0              |  0      |
//! | L9064-9116 … not accepted; lengths 31, remote 0/31, NULL ov  |  14  |   12   |  2              |  0      |
//! | L9117-9125 the same accept socket twice                      |   2  |    2   |  0              |  0      |
//! | L9126-9149 connect / ConnectEx on a pending accept socket    |   9  |    9   |  0              |  0      |
//! | L9150-9162 SO_UPDATE_ACCEPT_CONTEXT, getsockname             |   3  |    3   |  0              |  0      |
//! | L9163-9194 short reads: completes on the first data          |  11  |   11   |  0              |  0      |
//! | L9195-9221 GetAcceptExSockaddrs, 1 byte                      |   6  |    6   |  0              |  0      |
//! | L9222-9297 CF_DEFER and AcceptEx                             |  24  |   24   |  0              |  0      |
//! | L9302-9328 client closes before sending                      |   7  |    7   |  0              |  0      |
//! | L9329-9381 closing / CancelIo with pending requests          |  11  |   11   |  0              |  0      |
//! | **total**                                                    | 151  |  145   |  6              |  0      |
//!
//! Counted: each `ok()`/`todo_wine ok()` in the function body once (tcp_socketpair's own
//! checks are not counted).
//!
//! Not expressible, once per kind:
//! - 2 × GetAcceptExSockaddrs with a dwLocalAddressLength of 0 (todo_wine: the local
//!   address pointer and its size left as they were): `get_accept_ex_sockaddrs` reads the
//!   accept socket's addresses, not a buffer laid out by lengths, so it takes none.
//! - 4 × NULL pointers: lpOutputBuffer NULL (WSAEFAULT, and the Internal it leaves),
//!   lpOverlapped NULL (ERROR_INVALID_PARAMETER, twice).
//!
//! `OVERLAPPED.Internal` is read with `WinsockExt::overlapped_internal` (STATUS_PENDING also
//! after AcceptEx failed at once). AcceptEx's dwLocalAddressLength / dwRemoteAddressLength
//! are passed with `LpfnAcceptEx::call_with_lengths` (`OverlappedIo::accept_ex_with_lengths`).
//!
//! Also covered elsewhere: tests/accept_ex_connect_ex.rs `ov_10_*`, `ov_11_accept_ex_argument_errors`,
//! `ov_11_udp_accept_socket_rejected`, `ov_03_*`; tests/overlapped_nonblocking.rs
//! `nb_05_connect_on_pending_accept_socket`;
//! tests/extension_functions.rs `loaded_accept_ex_accepts`, `wsa_accept_defer_then_accept`.
mod common;

use winsock_sim::api::extension::{
    LpfnAcceptEx, LpfnConnectEx, LpfnGetAcceptExSockaddrs, STATUS_BUFFER_TOO_SMALL, STATUS_PENDING,
    STATUS_SUCCESS,
};
use winsock_sim::prelude::*;

/// sizeof(buffer) - 2 * (sizeof(struct sockaddr_in) + 16).
const RECV_LEN: usize = 1024 - 2 * (16 + 16);
/// sizeof(struct sockaddr_in) + 16: the room AcceptEx needs for each IPv4 address.
const ROOM: u32 = 16 + 16;

struct Fns {
    accept_ex: LpfnAcceptEx,
    get_sockaddrs: LpfnGetAcceptExSockaddrs,
    connect_ex: LpfnConnectEx,
}

/// L8844-8876: listener and acceptor, the listener bound, nonblocking, its three extension
/// functions loaded (8 ok()s).
fn setup<W: Winsock + WinsockExt>(ws: &W) -> Result<(Socket, Socket, SockAddr, Fns), WsaError> {
    let listener = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(listener.is_ok());
    let listener = listener?;
    let acceptor = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(acceptor.is_ok());
    let acceptor = acceptor?;
    assert_eq!(ws.bind(listener, &SockAddr::v4([127, 0, 0, 1], 0)), Ok(()));
    let bind_address = ws.getsockname(listener);
    assert!(bind_address.is_ok());
    let bind_address = bind_address?;
    assert_eq!(ws.set_nonblocking(listener, true), Ok(()));
    let accept_ex = match ws.get_extension_function_pointer(listener, &WSAID_ACCEPTEX, 8) {
        Ok(ExtensionFunction::AcceptEx(f)) => f,
        other => panic!("AcceptEx: {other:?}"),
    };
    let get_sockaddrs =
        match ws.get_extension_function_pointer(listener, &WSAID_GETACCEPTEXSOCKADDRS, 8) {
            Ok(ExtensionFunction::GetAcceptExSockaddrs(f)) => f,
            other => panic!("GetAcceptExSockaddrs: {other:?}"),
        };
    let connect_ex = match ws.get_extension_function_pointer(listener, &WSAID_CONNECTEX, 8) {
        Ok(ExtensionFunction::ConnectEx(f)) => f,
        other => panic!("ConnectEx: {other:?}"),
    };
    Ok((
        listener,
        acceptor,
        bind_address,
        Fns {
            accept_ex,
            get_sockaddrs,
            connect_ex,
        },
    ))
}

fn argument_errors_and_unfit_accept_sockets<
    W: Winsock + OverlappedIo + WinsockExt + SyncObjects,
>(
    ws: &W,
) -> Result<(), WsaError> {
    let (listener, acceptor, bind_address, f) = setup(ws)?;
    let ev = ws.create_event(false, false)?;
    let ov = Overlapped::with_event(1, ev);

    // L8878-8883: an invalid listening socket.
    let r = f
        .accept_ex
        .call(ws, Socket::INVALID, acceptor, vec![0; RECV_LEN], ov);
    assert_eq!(r, Err(WsaError::WSAENOTSOCK));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTSOCK.code());
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    // L8885-8893: a socket that does not listen (todo_wine: Windows says WSAEINVAL).
    let r = f
        .accept_ex
        .call(ws, listener, acceptor, vec![0; RECV_LEN], ov);
    assert_eq!(r, Err(WsaError::WSAEINVAL));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    // L8895-8896
    assert_eq!(ws.listen(listener, 5), Ok(()));
    // L8898-8903: an invalid accept socket.
    let r = f
        .accept_ex
        .call(ws, listener, Socket::INVALID, vec![0; RECV_LEN], ov);
    assert_eq!(r, Err(WsaError::WSAENOTSOCK));
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);

    // L8913-8949: AcceptEx without a receive buffer and with no room for the local address
    // (dwLocalAddressLength 0) pends and completes when a client connects, with 0 bytes; the
    // remote address is the client's.
    let r = f
        .accept_ex
        .call_with_lengths(ws, listener, acceptor, Vec::new(), 0, ROOM, ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    let connector = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(connector.is_ok());
    let connector = connector?;
    assert_eq!(ws.connect(connector, &bind_address), Ok(()));
    let peer_address = ws.getsockname(connector);
    assert!(peer_address.is_ok());
    let peer_address = peer_address?;
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(listener, &ov, false)?;
    assert_eq!(r.error, None);
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_SUCCESS);
    assert_eq!(r.bytes, 0);
    let (_, remote) = f.get_sockaddrs.call(ws, acceptor)?;
    assert_eq!(remote, peer_address);
    assert_eq!(remote.as_bytes().len(), SOCKADDR_IN_LEN);
    ws.closesocket(connector)?;
    ws.closesocket(acceptor)?;

    // L8950-8963: a UDP socket cannot be accepted into (todo_wine: WSAEINVAL).
    let acceptor = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let r = f.accept_ex.call(ws, listener, acceptor, Vec::new(), ov);
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSAEINVAL));
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    ws.closesocket(acceptor)?;

    // L8964-8979: nor a bound socket.
    let acceptor = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    assert_eq!(ws.bind(acceptor, &SockAddr::v4([127, 0, 0, 1], 0)), Ok(()));
    let r = f.accept_ex.call(ws, listener, acceptor, Vec::new(), ov);
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSAEINVAL));
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    ws.closesocket(acceptor)?;

    // L8980-9002: nor either end of a connection.
    let (acceptor, acceptor2) = common::pair(ws)?;
    for a in [acceptor, acceptor2] {
        let r = f.accept_ex.call(ws, listener, a, Vec::new(), ov);
        assert!(r.is_err());
        assert_eq!(r, Err(WsaError::WSAEINVAL));
        assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    }
    ws.closesocket(acceptor)?;
    ws.closesocket(acceptor2)?;

    // L9003-9063: a local address length of 3, then of sizeof(sockaddr_in) + 4 (todo_wine:
    // Windows fails that too): AcceptEx pends; a client's connection makes it fail with
    // ERROR_INSUFFICIENT_BUFFER (STATUS_BUFFER_TOO_SMALL, 0 bytes) and leaves the connection
    // queued: accept takes it after the accept socket is closed.
    for local_len in [3, SOCKADDR_IN_LEN as u32 + 4] {
        let acceptor = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        assert!(acceptor.is_ok());
        let acceptor = acceptor?;
        let r =
            f.accept_ex
                .call_with_lengths(ws, listener, acceptor, Vec::new(), local_len, ROOM, ov);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "local {local_len}");
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
        assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
        let connector = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        assert!(connector.is_ok());
        let connector = connector?;
        assert_eq!(ws.connect(connector, &bind_address), Ok(()));
        assert_eq!(
            ws.wait_for_single_object(Handle::from(ev), 1000),
            Ok(WAIT_OBJECT_0)
        );
        let r = ws.get_overlapped_result(listener, &ov, false)?;
        assert_eq!(r.error, Some(WsaError::ERROR_INSUFFICIENT_BUFFER));
        assert_eq!(ws.overlapped_internal(&ov).0, STATUS_BUFFER_TOO_SMALL);
        assert_eq!(r.bytes, 0);
        ws.closesocket(acceptor)?;
        // The connection request was not accepted.
        let accepted = ws.accept(listener);
        assert!(accepted.is_ok(), "local {local_len}: {accepted:?}");
        ws.closesocket(accepted?.0)?;
        ws.closesocket(connector)?;
    }

    // L9064-9108: local length 31 and remote length 31 pend (cancelled with CancelIo);
    // remote length 0 fails at once with WSAEFAULT. OVERLAPPED.Internal is STATUS_PENDING
    // after each.
    let acceptor = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(acceptor.is_ok());
    let acceptor = acceptor?;
    for (local_len, remote_len, want) in [
        (ROOM - 1, ROOM, WsaError::WSA_IO_PENDING),
        (ROOM, 0, WsaError::WSAEFAULT),
        (ROOM, ROOM - 1, WsaError::WSA_IO_PENDING),
    ] {
        let r = f.accept_ex.call_with_lengths(
            ws,
            listener,
            acceptor,
            Vec::new(),
            local_len,
            remote_len,
            ov,
        );
        assert_eq!(r, Err(want), "lengths {local_len}, {remote_len}");
        assert_eq!(ws.wsa_get_last_error(), want.code());
        assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
        if want == WsaError::WSA_IO_PENDING {
            assert_eq!(ws.cancel_io(listener), Ok(()));
            // The cancelled AcceptEx, taken back before the OVERLAPPED is used again.
            let c = ws.get_overlapped_result(listener, &ov, true)?;
            assert_eq!(c.error, Some(WsaError::WSA_OPERATION_ABORTED));
        }
    }

    // L9110-9115: AcceptEx pends.
    let r = f.accept_ex.call(ws, listener, acceptor, Vec::new(), ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    // L9117-9124: into the same socket again: WSAEINVAL.
    let r = f.accept_ex.call(ws, listener, acceptor, Vec::new(), ov);
    assert_eq!(r, Err(WsaError::WSAEINVAL));
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    // L9126-9136: connect and ConnectEx on the pending accept socket: WSAEINVAL.
    assert_eq!(
        ws.connect(acceptor, &bind_address),
        Err(WsaError::WSAEINVAL)
    );
    let r = f
        .connect_ex
        .call(ws, acceptor, &bind_address, Vec::new(), Overlapped::new(2));
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSAEINVAL));
    // L9138-9148: a client connects; the AcceptEx completes with 0 bytes.
    let connector = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(connector.is_ok());
    let connector = connector?;
    assert_eq!(ws.connect(connector, &bind_address), Ok(()));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), INFINITE),
        Ok(WAIT_OBJECT_0)
    );
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_SUCCESS);
    let r = ws.get_overlapped_result(listener, &ov, false)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 0);
    // L9150-9161: SO_UPDATE_ACCEPT_CONTEXT, then getsockname works.
    assert_eq!(
        common::update_accept_context(ws, acceptor, listener),
        Ok(())
    );
    let local = ws.getsockname(acceptor);
    assert!(local.is_ok());
    assert_eq!(local?.as_bytes().len(), SOCKADDR_IN_LEN);
    ws.closesocket(connector)?;
    ws.closesocket(acceptor)?;
    ws.closesocket(listener)?;
    ws.close_handle(Handle::from(ev))?;
    Ok(())
}

#[test]
fn sockc_acceptex_argument_errors_and_unfit_accept_sockets() {
    // Proves (L8844-9161): AcceptEx on INVALID_SOCKET (either side): WSAENOTSOCK; on a
    // listener not yet listening, or into a UDP, bound or connected socket, or into a socket
    // with an AcceptEx pending: WSAEINVAL; connect and ConnectEx on a pending accept socket:
    // WSAEINVAL; a connecting client completes it with 0 bytes (the remote address is the
    // client's), also with no room for the local address; local address lengths 3 and 20
    // make the client's connection fail it (ERROR_INSUFFICIENT_BUFFER, STATUS_BUFFER_TOO_SMALL)
    // and leave the connection for accept; lengths of 31 pend, a remote length of 0 is
    // WSAEFAULT at once; after SO_UPDATE_ACCEPT_CONTEXT getsockname works.
    common::run(argument_errors_and_unfit_accept_sockets);
}

fn short_reads_and_defer<W: Winsock + OverlappedIo + WinsockExt + SyncObjects + Select>(
    ws: &W,
) -> Result<(), WsaError> {
    let (listener, acceptor, bind_address, f) = setup(ws)?;
    ws.closesocket(acceptor)?;
    assert_eq!(ws.listen(listener, 5), Ok(()));
    let ev = ws.create_event(false, false)?;
    let ov = Overlapped::with_event(1, ev);

    // L9163-9175: short reads — a 2-byte receive buffer.
    let acceptor = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(acceptor.is_ok());
    let acceptor = acceptor?;
    let connector = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(connector.is_ok());
    let connector = connector?;
    let r = f.accept_ex.call(ws, listener, acceptor, vec![0; 2], ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    // L9176-9185: connected, but AcceptEx waits for data.
    assert_eq!(ws.connect(connector, &bind_address), Ok(()));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 0),
        Ok(WAIT_TIMEOUT)
    );
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_PENDING);
    let peer_address = ws.getsockname(connector);
    assert!(peer_address.is_ok());
    let peer_address = peer_address?;
    // L9187-9193: one byte completes it.
    assert_eq!(ws.send(connector, &[0], 0), Ok(1));
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 1000),
        Ok(WAIT_OBJECT_0)
    );
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_SUCCESS);
    // L9195-9216: the addresses decoded: local is the listener's, remote the client's.
    let (local, remote) = f.get_sockaddrs.call(ws, acceptor)?;
    assert_eq!(
        local.to_socket_addr().map(|a| a.ip()),
        bind_address.to_socket_addr().map(|a| a.ip())
    );
    assert_eq!(local.port(), bind_address.port());
    assert_eq!(
        remote.to_socket_addr().map(|a| a.ip()),
        peer_address.to_socket_addr().map(|a| a.ip())
    );
    assert_eq!(remote.port(), peer_address.port());
    // L9218-9219
    let r = ws.get_overlapped_result(listener, &ov, false)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 1);
    ws.closesocket(connector)?;
    ws.closesocket(acceptor)?;

    // L9222-9235: CF_DEFER and AcceptEx.
    let acceptor = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(acceptor.is_ok());
    let acceptor = acceptor?;
    let connector = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(connector.is_ok());
    let connector = connector?;
    let connector2 = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(connector2.is_ok());
    let connector2 = connector2?;
    assert_eq!(ws.set_nonblocking(connector, true), Ok(()));
    assert_eq!(ws.set_nonblocking(connector2, true), Ok(()));
    // L9236-9238: connect #1 (nonblocking).
    assert_eq!(
        ws.connect(connector, &bind_address),
        Err(WsaError::WSAEWOULDBLOCK)
    );
    let timeout = Some(std::time::Duration::from_secs(1));
    let mut fds_accept = FdSet::new();
    fds_accept.set(listener);
    // L9242-9244
    assert_eq!(ws.select(Some(&mut fds_accept), None, None, timeout), Ok(1));
    // L9246-9248: WSAAccept deferring: WSATRY_AGAIN.
    let mut defer = |_: &SockAddr, _: &SockAddr| CF_DEFER;
    let r = ws.wsa_accept(listener, Some(&mut defer));
    assert!(r.is_err());
    assert_eq!(r.map(|_| ()), Err(WsaError::WSATRY_AGAIN));
    // L9249-9252: AcceptEx pends.
    let r = f.accept_ex.call(ws, listener, acceptor, Vec::new(), ov);
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    // L9254-9257
    let mut fds_send = FdSet::new();
    fds_send.set(connector);
    assert_eq!(ws.select(None, Some(&mut fds_send), None, timeout), Ok(1));
    // L9259-9260
    assert_eq!(ws.send(connector, b"1", 0), Ok(1));
    // L9262-9264: connect #2.
    let r = ws.connect(connector2, &bind_address);
    assert!(r.is_err());
    assert_eq!(r, Err(WsaError::WSAEWOULDBLOCK));
    // L9266-9267: fds_accept still holds the listener.
    assert_eq!(ws.select(Some(&mut fds_accept), None, None, timeout), Ok(1));
    // L9269-9271: accept takes the second connection.
    let acceptor2 = ws.accept(listener);
    assert!(acceptor2.is_ok());
    ws.closesocket(acceptor2?.0)?;
    // L9273-9279
    let mut fds_send = FdSet::new();
    fds_send.set(connector2);
    assert_eq!(ws.select(None, Some(&mut fds_send), None, timeout), Ok(1));
    assert_eq!(ws.send(connector2, b"2", 0), Ok(1));
    // L9281-9286: the AcceptEx has completed with 0 bytes.
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 0),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(listener, &ov, false)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 0);
    // L9288-9291: it took the deferred connection, the first client's.
    ws.set_nonblocking(acceptor, false)?;
    let mut buffer = [0u8; 2];
    assert_eq!(ws.recv(acceptor, &mut buffer, 0), Ok(1));
    assert_eq!(buffer[0], b'1');
    ws.closesocket(connector)?;
    ws.closesocket(connector2)?;
    ws.closesocket(acceptor)?;
    ws.closesocket(listener)?;
    ws.close_handle(Handle::from(ev))?;
    Ok(())
}

#[test]
fn sockc_acceptex_short_reads_sockaddrs_and_cf_defer() {
    // Proves (L9163-9297): AcceptEx with a 2-byte buffer stays pending after the connect and
    // completes on the first byte (1 byte; GetAcceptExSockaddrs gives the listener's address
    // and the client's); after WSAAccept defers a connection (WSATRY_AGAIN), a new AcceptEx
    // takes that deferred connection (the first client's data arrives on it) and accept
    // takes the second.
    common::run(short_reads_and_defer);
}

fn client_close_and_pending_requests<W: Winsock + OverlappedIo + WinsockExt + SyncObjects>(
    ws: &W,
) -> Result<(), WsaError> {
    let (listener, acceptor, bind_address, f) = setup(ws)?;
    ws.closesocket(acceptor)?;
    ws.listen(listener, 5)?;
    let ev = ws.create_event(false, false)?;
    let ov = Overlapped::with_event(1, ev);

    // L9302-9327: the client connects and closes before sending: completes with 0 bytes.
    let acceptor = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(acceptor.is_ok());
    let acceptor = acceptor?;
    let connector = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(connector.is_ok());
    let connector = connector?;
    let r = f
        .accept_ex
        .call(ws, listener, acceptor, vec![0; RECV_LEN], ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.connect(connector, &bind_address), Ok(()));
    ws.closesocket(connector)?;
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(listener, &ov, false)?;
    assert_eq!(r.error, None);
    assert_eq!(r.bytes, 0);
    ws.closesocket(acceptor)?;

    // L9329-9343: closing the accept socket aborts the AcceptEx.
    let acceptor = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(acceptor.is_ok());
    let acceptor = acceptor?;
    let r = f
        .accept_ex
        .call(ws, listener, acceptor, vec![0; RECV_LEN], ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    ws.closesocket(acceptor)?;
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(listener, &ov, false)?;
    assert_eq!(r.error, Some(WsaError::WSA_OPERATION_ABORTED));
    assert_eq!(ws.wsa_get_last_error(), 995);

    // L9345-9356: CancelIo on the accept socket cancels nothing (the operation is the
    // listener's).
    let acceptor = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(acceptor.is_ok());
    let acceptor = acceptor?;
    let r = f
        .accept_ex
        .call(ws, listener, acceptor, vec![0; RECV_LEN], ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    ws.cancel_io(acceptor)?;
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 1000),
        Ok(WAIT_TIMEOUT)
    );
    ws.closesocket(acceptor)?;

    // L9358-9375: closing the listener aborts the AcceptEx. (The AcceptEx of the accept
    // socket closed just above ended when it was closed; a fresh one is issued here.)
    let ov2 = Overlapped::with_event(2, ev);
    ws.get_overlapped_result(listener, &ov, true)?;
    let acceptor = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(acceptor.is_ok());
    let acceptor = acceptor?;
    let r = f
        .accept_ex
        .call(ws, listener, acceptor, vec![0; RECV_LEN], ov2);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    ws.closesocket(listener)?;
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 1000),
        Ok(WAIT_OBJECT_0)
    );
    let r = ws.get_overlapped_result(listener, &ov2, false);
    assert_eq!(
        r.map(|c| c.error),
        Ok(Some(WsaError::WSA_OPERATION_ABORTED))
    );
    ws.close_handle(Handle::from(ev))?;
    ws.closesocket(acceptor)?;
    Ok(())
}

#[test]
fn sockc_acceptex_client_close_and_closing_with_pending_requests() {
    // Proves (L9302-9375): a client that connects and closes before sending completes the
    // AcceptEx with 0 bytes; closing the accept socket, or the listener, completes a pending
    // AcceptEx with ERROR_OPERATION_ABORTED (GetOverlappedResult); CancelIo on the accept
    // socket cancels nothing.
    common::run(client_close_and_pending_requests);
}
