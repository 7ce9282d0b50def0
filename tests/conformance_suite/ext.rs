//! WinSock 2 set-up calls (`WinsockExt`: WSASocket, WSAAccept's condition function, extension
//! function pointers, CancelIo, HasOverlappedIoCompleted) and name resolution (`Resolve`),
//! written once for the simulator and the real WinSock.

use winsock_sim::prelude::*;

use super::{code, e, listener, loopback, pair, tcp, Check, Rule};

/// The `WinsockExt` and `Resolve` rules.
pub fn ext_rules<W: Winsock + WinsockExt + Resolve + Iocp + SyncObjects>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "EXT-wsaaccept", title: "WSAAccept: CF_DEFER leaves the connection queued (WSATRY_AGAIN), CF_ACCEPT accepts it with the peer's address", body: wsa_accept::<W> },
        Rule { id: "EXT-fnptr", title: "SIO_GET_EXTENSION_FUNCTION_POINTER: AcceptEx; a short output WSAEFAULT; an unknown GUID WSAEINVAL", body: fn_ptr::<W> },
        Rule { id: "EXT-cancelio", title: "CancelIo ends this thread's pending receive with WSA_OPERATION_ABORTED; HasOverlappedIoCompleted follows it", body: cancel_io::<W> },
        Rule { id: "CP-outs", title: "C's out parameters: a pending WSARecv leaves lpNumberOfBytesRecvd, an immediate one writes it; a GetQueuedCompletionStatus timeout leaves bytes and key and NULLs lpOverlapped, a packet writes all three", body: out_params::<W> },
        Rule { id: "EXT-acceptex-room", title: "AcceptEx with dwRemoteAddressLength 0: WSAEFAULT at once; with dwLocalAddressLength 3 it pends and the connection fails it (STATUS_BUFFER_TOO_SMALL, 0 bytes), left queued for accept", body: accept_ex_room::<W> },
        Rule { id: "RES-addr", title: "getaddrinfo of a numeric host and of no host (AI_PASSIVE), WSAStringToAddress / WSAAddressToString round trip", body: resolve::<W> },
    ]
}

fn wsa_accept<W: Winsock + WinsockExt>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, addr) = listener(ws)?;
    let cl = e(
        "WSASocket",
        ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED),
    )?;
    e("connect", ws.connect(cl, &addr))?;
    let here = e("getsockname", ws.getsockname(cl))?;
    let mut defer = |_: &SockAddr, _: &SockAddr| CF_DEFER;
    c.eq(
        "WSAAccept deferring",
        code(ws.wsa_accept(l, Some(&mut defer))),
        Err(WsaError::WSATRY_AGAIN),
    )?;
    let mut seen = None;
    let mut accept = |peer: &SockAddr, local: &SockAddr| {
        seen = Some((*peer, *local));
        CF_ACCEPT
    };
    let (a, from) = e("WSAAccept accepting", ws.wsa_accept(l, Some(&mut accept)))?;
    c.eq("its peer", from, here)?;
    c.eq("what the condition saw", seen, Some((here, addr)))?;
    for s in [a, cl, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    Ok(())
}

fn fn_ptr<W: Winsock + WinsockExt>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    c.eq(
        "AcceptEx",
        ws.get_extension_function_pointer(s, &WSAID_ACCEPTEX, 8)
            .map(|f| matches!(f, ExtensionFunction::AcceptEx(_))),
        Ok(true),
    )?;
    c.eq_or_wine(
        "into 7 bytes",
        code(ws.get_extension_function_pointer(s, &WSAID_ACCEPTEX, 7)),
        Err(WsaError::WSAEFAULT),
        Ok(()),
        "Microsoft's WSAIoctl docs: cbOutBuffer too small is WSAEFAULT (no sock.c test); Wine 8.0 checks no size and succeeds (the backend hands it an 8-byte buffer, so nothing overflows)",
    )?;
    let bogus = Guid {
        data1: 0x1234_5678,
        data2: 1,
        data3: 2,
        data4: [3; 8],
    };
    c.eq(
        "an unknown GUID",
        code(ws.get_extension_function_pointer(s, &bogus, 8)),
        Err(WsaError::WSAEINVAL),
    )?;
    e("closesocket", ws.closesocket(s))
}

fn cancel_io<W: Winsock + WinsockExt>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, addr) = listener(ws)?;
    let cl = tcp(ws)?;
    e("connect", ws.connect(cl, &addr))?;
    let (a, _) = e("accept", ws.accept(l))?;
    let ov = Overlapped::new(21);
    c.eq(
        "WSARecv",
        ws.wsa_recv_overlapped(cl, vec![vec![0; 8]], 0, ov, None),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    c.eq(
        "HasOverlappedIoCompleted while pending",
        ws.has_overlapped_io_completed(&ov),
        false,
    )?;
    c.eq("CancelIo", ws.cancel_io(cl), Ok(()))?;
    let done = e(
        "WSAGetOverlappedResult",
        ws.wsa_get_overlapped_result(cl, &ov, true),
    )?;
    c.eq(
        "its error",
        done.error,
        Some(WsaError::WSA_OPERATION_ABORTED),
    )?;
    c.eq(
        "HasOverlappedIoCompleted after",
        ws.has_overlapped_io_completed(&ov),
        true,
    )?;
    c.eq(
        "CancelIo on a non-socket",
        ws.cancel_io(Socket::from_raw(0xdead_0000)),
        Err(WsaError::WSA_INVALID_HANDLE),
    )?;
    for s in [a, cl, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    Ok(())
}

fn resolve<W: Winsock + Resolve>(ws: &W, c: &mut Check) -> Result<(), String> {
    let hints = AddrInfoHints {
        flags: AI_PASSIVE,
        family: AF_INET,
        socktype: SOCK_STREAM,
        protocol: IPPROTO_TCP,
    };
    let ai = e(
        "getaddrinfo(NULL)",
        ws.getaddrinfo(None, Some("8080"), Some(&hints)),
    )?;
    c.eq(
        "the passive address",
        ai.iter()
            .map(|a| (a.family, a.socktype, a.protocol, a.addr))
            .collect::<Vec<_>>(),
        vec![(
            AF_INET,
            SOCK_STREAM,
            IPPROTO_TCP,
            SockAddr::v4([0, 0, 0, 0], 8080),
        )],
    )?;
    let hints = AddrInfoHints {
        family: AF_INET,
        ..Default::default()
    };
    let ai = e(
        "getaddrinfo(127.0.0.1)",
        ws.getaddrinfo(Some("127.0.0.1"), Some("80"), Some(&hints)),
    )?;
    c.eq(
        "a numeric host",
        ai.first().map(|a| a.addr),
        Some(loopback(80)),
    )?;
    c.eq(
        "WSAStringToAddress",
        ws.wsa_string_to_address("127.0.0.1:80", AF_INET),
        Ok(loopback(80)),
    )?;
    c.eq(
        "WSAAddressToString",
        ws.wsa_address_to_string(&loopback(80)),
        Ok("127.0.0.1:80".to_string()),
    )?;
    c.eq(
        "WSAStringToAddress of a name",
        code(ws.wsa_string_to_address("not-an-address", AF_INET)),
        Err(WsaError::WSAEINVAL),
    )
}

/// sock.c test_completion_port / iocp_async_read: which out parameters each call writes.
fn out_params<W: Winsock + OverlappedIo + Iocp>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e(
        "CreateIoCompletionPort(s)",
        ws.associate_completion_port(sv, port, 0x1234),
    )?;
    let ov = Overlapped::new(0x31);
    let mut bytes = 0xdead_beef_u32;
    c.eq(
        "a pending WSARecv",
        ws.wsa_recv_overlapped_out(sv, vec![vec![0; 64]], &mut bytes, 0, ov, None),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    c.eq("its lpNumberOfBytesRecvd", bytes, 0xdead_beef)?;
    let (mut n, mut key, mut olp) = (0xdead_beef_u32, 0xdead_beef_usize, Some(ov));
    c.eq(
        "GetQueuedCompletionStatus on an empty port",
        code(ws.get_queued_completion_status_out(port, &mut n, &mut key, &mut olp, 0)),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    c.eq(
        "bytes, key, lpOverlapped",
        (n, key, olp),
        (0xdead_beef, 0xdead_beef, None),
    )?;
    c.eq("send", ws.send(cl, b"hello", 0), Ok(5))?;
    let p = e(
        "GetQueuedCompletionStatus",
        ws.get_queued_completion_status_out(port, &mut n, &mut key, &mut olp, 5_000),
    )?;
    c.eq("the packet", (p.error, p.bytes), (None, 5))?;
    c.eq(
        "bytes, key, lpOverlapped",
        (n, key, olp),
        (5, 0x1234, Some(ov)),
    )?;
    // Data already there: the receive completes at once and says how much.
    c.eq("send", ws.send(cl, b"again", 0), Ok(5))?;
    let mut bytes = 0xdead_beef_u32;
    let mut r = Err(WsaError::WSA_IO_PENDING);
    for _ in 0..50 {
        ws.sleep(20);
        let mut queued = 0;
        if ws.ioctlsocket(sv, FIONREAD, &mut queued).is_ok() && queued == 5 {
            r = ws.wsa_recv_overlapped_out(sv, vec![vec![0; 64]], &mut bytes, 0, ov, None);
            break;
        }
    }
    c.eq("an immediate WSARecv", r, Ok(5))?;
    c.eq("its lpNumberOfBytesRecvd", bytes, 5)?;
    e("its packet", ws.get_queued_completion_status(port, 5_000))?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

/// sock.c test_AcceptEx: the address lengths.
fn accept_ex_room<W: Winsock + WinsockExt + SyncObjects>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (l, addr) = listener(ws)?;
    let acc = tcp(ws)?;
    let f = match e(
        "AcceptEx pointer",
        ws.get_extension_function_pointer(l, &WSAID_ACCEPTEX, 8),
    )? {
        ExtensionFunction::AcceptEx(f) => f,
        other => return Err(format!("AcceptEx pointer: {other:?}")),
    };
    let ev = e("CreateEvent", ws.create_event(false, false))?;
    let ov = Overlapped::with_event(0x41, ev);
    c.eq(
        "dwRemoteAddressLength 0",
        f.call_with_lengths(ws, l, acc, Vec::new(), 32, 0, ov),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq(
        "dwLocalAddressLength 3",
        f.call_with_lengths(ws, l, acc, Vec::new(), 3, 32, ov),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    let cl = tcp(ws)?;
    e("connect", ws.connect(cl, &addr))?;
    c.eq(
        "its event",
        ws.wait_for_single_object(Handle::from(ev), 5_000),
        Ok(WAIT_OBJECT_0),
    )?;
    // Internal first: os::Native frees its record once GetOverlappedResult took it back.
    c.eq(
        "OVERLAPPED.Internal",
        ws.overlapped_internal(&ov).0,
        winsock_sim::api::extension::STATUS_BUFFER_TOO_SMALL,
    )?;
    let done = e(
        "GetOverlappedResult",
        ws.get_overlapped_result(l, &ov, false),
    )?;
    c.eq(
        "its result",
        (done.error, done.bytes),
        (Some(WsaError::ERROR_INSUFFICIENT_BUFFER), 0),
    )?;
    e("closesocket", ws.closesocket(acc))?;
    // Nonblocking, so a connection that is not there cannot hang the rule.
    e("ioctlsocket(FIONBIO)", ws.set_nonblocking(l, true))?;
    let accepted = ws.accept(l);
    c.eq_or_wine(
        "accept of the connection left queued",
        code(accepted),
        Ok(()),
        Err(WsaError::WSAEWOULDBLOCK),
        "sock.c test_AcceptEx 9033 (todo_wine): Wine's failed AcceptEx consumes the connection",
    )?;
    if let Ok((a, _)) = accepted {
        e("closesocket", ws.closesocket(a))?;
    }
    for s in [cl, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("CloseHandle", ws.close_handle(Handle::from(ev)))
}
