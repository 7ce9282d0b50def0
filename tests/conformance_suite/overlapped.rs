//! Overlapped I/O rules (catalogue section OV, and the calls of `OverlappedIo` around them):
//! events, completion routines, completion packets, WSAGetOverlappedResult, AcceptEx,
//! ConnectEx, DisconnectEx, CancelIoEx, QueueUserAPC, TransmitFile, WSARecvMsg/WSASendMsg
//! and WSAIoctl, each written once and run on the simulator and on the real WinSock.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

use super::{
    code, e, listener, loopback, pair, queue_counting_apc, rst_close, tcp, wait_data, Check, Rule,
};

/// The overlapped rules.
pub fn overlapped_rules<W: Winsock + EventSelect + Iocp + OverlappedIo + 'static>() -> Vec<Rule<W>>
{
    vec![
        Rule { id: "OV-06", title: "an overlapped WSARecv that can finish at once returns the count, signals its event and still queues a packet with the data", body: immediate::<W> },
        Rule { id: "OV-04", title: "a completion routine runs in SleepEx(alertable) (WAIT_IO_COMPLETION) with the data, the event stays unsignalled; a routine on a port-bound socket: WSAEINVAL", body: routine::<W> },
        Rule { id: "OV-gor", title: "WSAGetOverlappedResult: WSA_IO_INCOMPLETE while pending, then the count and the buffers; unknown or duplicate OVERLAPPED: WSAEINVAL", body: get_result::<W> },
        Rule { id: "OV-01", title: "a peer reset ends a pending receive: packet ERROR_NETNAME_DELETED, 0 bytes, key and OVERLAPPED", body: peer_reset::<W> },
        Rule { id: "OV-02", title: "closesocket ends a pending receive: packet ERROR_CONNECTION_ABORTED, 0 bytes, key and OVERLAPPED", body: local_close::<W> },
        Rule { id: "OV-08", title: "WSARecv on an unconnected socket: WSAENOTCONN at once and no packet", body: sync_error::<W> },
        Rule { id: "OV-10", title: "AcceptEx pends with no packet until a client connects, then 0 bytes on the listener's key; GetAcceptExSockaddrs gives both ends", body: accept_ex::<W> },
        Rule { id: "OV-cex", title: "ConnectEx on a bound socket connects and sends its buffer (packet with its length); unbound: WSAEINVAL", body: connect_ex::<W> },
        Rule { id: "OV-cancel", title: "CancelIoEx completes a pending receive with ERROR_OPERATION_ABORTED; nothing pending: ERROR_NOT_FOUND", body: cancel::<W> },
        Rule { id: "OV-apc", title: "QueueUserAPC runs in the thread's next alertable SleepEx, which returns WAIT_IO_COMPLETION", body: apc::<W> },
        Rule { id: "OV-msg", title: "WSASendMsg / WSARecvMsg on UDP, blocking and overlapped: data and source address", body: msg::<W> },
        Rule { id: "OV-tf", title: "TransmitFile sends head, the file part from the offset, and tail, in order", body: transmit::<W> },
        Rule { id: "OV-dex", title: "DisconnectEx closes the sending direction: the peer reads end of stream", body: disconnect::<W> },
        Rule { id: "NB-03", title: "a socket made while SO_OPENTYPE is SO_SYNCHRONOUS_NONALERT is non-overlapped: an overlapped WSARecv on it blocks, even nonblocking, then returns the count; its result is still there", body: synchronous_socket::<W> },
        Rule { id: "OV-sndbuf0", title: "with SO_SNDBUF 0 an overlapped 1 MiB WSASend pends (WSA_IO_PENDING) and completes with every byte once the peer has read them", body: unbuffered_send::<W> },
        Rule { id: "OV-15", title: "WSAIoctl: FIONREAD counts queued bytes; too small an output buffer WSAEFAULT; unknown code WSAEOPNOTSUPP", body: ioctl::<W> },
        Rule { id: "OV-waitall", title: "an overlapped MSG_WAITALL WSARecv with 4 of its 6 bytes queued pends, then completes with 6 when 2 more come; with MSG_PEEK: WSAEOPNOTSUPP", body: waitall::<W> },
    ]
}

fn pending_or_done(r: Result<usize, WsaError>) -> Result<(), String> {
    match r {
        Ok(_) | Err(WsaError::WSA_IO_PENDING) => Ok(()),
        Err(err) => Err(format!("overlapped call: {err:?}")),
    }
}

fn immediate<W: Winsock + EventSelect + Iocp + OverlappedIo>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(cl, port, 5))?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    e("send", ws.send(sv, b"hello", 0))?;
    wait_data(ws, cl, 5)?;
    let ov = Overlapped::with_event(1, ev);
    c.eq(
        "WSARecv with the data there",
        ws.wsa_recv_overlapped(cl, vec![vec![0; 16]], 0, ov, None),
        Ok(5),
    )?;
    c.eq(
        "its event",
        ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
        Ok(WAIT_OBJECT_0),
    )?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "the packet",
        (p.bytes, p.key, p.overlapped, p.error),
        (5, 5, Some(ov), None),
    )?;
    c.eq(
        "its buffer",
        p.bufs.first().map(|b| b[..5].to_vec()),
        Some(b"hello".to_vec()),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

/// afd.c `test_recv`: an AFD receive with AFD_MSG_WAITALL, "data" queued and 6 bytes of
/// room pends on Windows (`todo_wine`: Wine completes it at once with the 4), and completes
/// with 6 when "s" and its NUL arrive, in order across its two buffers. WSARecv's
/// documentation: MSG_WAITALL with MSG_PEEK fails with WSAEOPNOTSUPP.
fn waitall<W: Winsock + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    e("send", ws.send(sv, b"data", 0))?;
    wait_data(ws, cl, 4)?;
    c.eq_or_wine(
        "WSARecv(MSG_WAITALL | MSG_PEEK)",
        ws.wsa_recv_overlapped(
            cl,
            vec![vec![0; 6]],
            (MSG_WAITALL | MSG_PEEK) as u32,
            Overlapped::new(1),
            None,
        ),
        Err(WsaError::WSAEOPNOTSUPP),
        Ok(4),
        "WSARecv's documentation: MSG_WAITALL with MSG_PEEK fails with WSAEOPNOTSUPP; Wine 8.0 peeks the 4 bytes",
    )?;
    let ov = Overlapped::new(2);
    let r = ws.wsa_recv_overlapped(
        cl,
        vec![vec![0; 2], vec![0; 4]],
        MSG_WAITALL as u32,
        ov,
        None,
    );
    c.eq_or_wine(
        "WSARecv(MSG_WAITALL) with 4 of 6 bytes queued",
        r,
        Err(WsaError::WSA_IO_PENDING),
        Ok(4),
        "afd.c test_recv: an AFD_MSG_WAITALL receive pends until full; todo_wine",
    )?;
    e("send", ws.send(sv, b"s\0", 0))?;
    if r == Err(WsaError::WSA_IO_PENDING) {
        let done = e(
            "WSAGetOverlappedResult",
            ws.wsa_get_overlapped_result(cl, &ov, true),
        )?;
        c.eq(
            "its completion",
            (done.error, done.bytes, done.bufs.concat()),
            (None, 6, b"datas\0".to_vec()),
        )?;
    }
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

type Seen = Arc<Mutex<Vec<(Option<WsaError>, usize, u32, Vec<u8>)>>>;

fn routine<W: Winsock + EventSelect + Iocp + OverlappedIo>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    let ov = Overlapped::with_event(2, ev);
    c.eq(
        "WSARecv with a routine",
        ws.wsa_recv_overlapped(
            cl,
            vec![vec![0; 8]],
            0,
            ov,
            Some(Box::new(move |_, done: IoCompletion| {
                let b = done.bufs.first().map(|b| b[..done.bytes].to_vec());
                s2.lock().unwrap().push((
                    done.error,
                    done.bytes,
                    done.flags,
                    b.unwrap_or_default(),
                ));
            })),
        ),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e("send", ws.send(sv, b"abc", 0))?;
    c.eq(
        "SleepEx(alertable)",
        ws.sleep_ex(5_000, true),
        WAIT_IO_COMPLETION,
    )?;
    c.eq(
        "the routine's calls",
        seen.lock().unwrap().clone(),
        vec![(None, 3, 0, b"abc".to_vec())],
    )?;
    c.eq(
        "hEvent with a routine",
        ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
        Ok(WAIT_TIMEOUT),
    )?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(sv, port, 1))?;
    c.eq(
        "a routine on a port-bound socket",
        ws.wsa_recv_overlapped(
            sv,
            vec![vec![0; 8]],
            0,
            Overlapped::new(3),
            Some(Box::new(|_, _| {})),
        ),
        Err(WsaError::WSAEINVAL),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

fn get_result<W: Winsock + EventSelect + Iocp + OverlappedIo>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    let ov = Overlapped::with_event(3, ev);
    c.eq(
        "WSARecv",
        ws.wsa_recv_overlapped(cl, vec![vec![0; 4], vec![0; 4]], 0, ov, None),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    c.eq(
        "the same OVERLAPPED again",
        ws.wsa_recv_overlapped(cl, vec![vec![0; 4]], 0, ov, None),
        Err(WsaError::WSAEINVAL),
    )?;
    c.eq(
        "WSAGetOverlappedResult while pending",
        code(ws.wsa_get_overlapped_result(cl, &ov, false)),
        Err(WsaError::WSA_IO_INCOMPLETE),
    )?;
    c.eq(
        "an unknown OVERLAPPED",
        code(ws.wsa_get_overlapped_result(cl, &Overlapped::new(99), false)),
        Err(WsaError::WSAEINVAL),
    )?;
    e("send", ws.send(sv, b"scatter", 0))?;
    let done = e(
        "WSAGetOverlappedResult(wait)",
        ws.wsa_get_overlapped_result(cl, &ov, true),
    )?;
    c.eq(
        "the completion",
        (
            done.overlapped,
            done.error,
            done.bytes,
            done.bufs.concat()[..7].to_vec(),
        ),
        (ov, None, 7, b"scatter".to_vec()),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))
}

/// A pair whose client has a receive pending on a port with key 1; returns the port too.
fn pending_on_port<W: Winsock + Iocp + OverlappedIo>(
    ws: &W,
    id: u64,
) -> Result<(Socket, Socket, CompletionPort), String> {
    let (cl, sv) = pair(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(cl, port, 1))?;
    match ws.wsa_recv_overlapped(cl, vec![vec![0; 64]], 0, Overlapped::new(id), None) {
        Err(WsaError::WSA_IO_PENDING) => Ok((cl, sv, port)),
        r => Err(format!("WSARecv: {r:?}, Windows gives WSA_IO_PENDING")),
    }
}

fn peer_reset<W: Winsock + Iocp + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv, port) = pending_on_port(ws, 4)?;
    rst_close(ws, sv)?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "the packet",
        (p.error, p.bytes, p.key, p.overlapped),
        (
            Some(WsaError::ERROR_NETNAME_DELETED),
            0,
            1,
            Some(Overlapped::new(4)),
        ),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

fn local_close<W: Winsock + Iocp + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv, port) = pending_on_port(ws, 5)?;
    e("closesocket", ws.closesocket(cl))?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq_or_wine(
        "the packet",
        (p.error, p.bytes, p.key, p.overlapped),
        (Some(WsaError::ERROR_CONNECTION_ABORTED), 0, 1, Some(Overlapped::new(5))),
        (Some(WsaError::from_code(676)), 0, 1, Some(Overlapped::new(5))),
        "sock.c iocp_async_read_closesocket: ERROR_CONNECTION_ABORTED is todo_wine; Wine 8.0 gives 676 ERROR_HANDLES_CLOSED (OV-02)",
    )?;
    e("closesocket", ws.closesocket(sv))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

fn sync_error<W: Winsock + Iocp + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(s, port, 1))?;
    let ov = Overlapped::new(6);
    c.eq(
        "WSARecv unconnected",
        ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
        Err(WsaError::WSAENOTCONN),
    )?;
    c.eq(
        "no packet",
        code(ws.get_queued_completion_status(port, 200)),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    c.eq(
        "nothing to ask WSAGetOverlappedResult about",
        code(ws.wsa_get_overlapped_result(s, &ov, false)),
        Err(WsaError::WSAEINVAL),
    )?;
    e("closesocket", ws.closesocket(s))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

fn accept_ex<W: Winsock + Iocp + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, addr) = listener(ws)?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(l, port, 0))?;
    let a = tcp(ws)?;
    c.eq(
        "GetAcceptExSockaddrs before",
        code(ws.get_accept_ex_sockaddrs(a)),
        Err(WsaError::WSAENOTCONN),
    )?;
    let ov = Overlapped::new(7);
    c.eq(
        "AcceptEx",
        ws.accept_ex(l, a, Vec::new(), ov),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    c.eq(
        "no packet before a client",
        code(ws.get_queued_completion_status(port, 200)),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    let cl = tcp(ws)?;
    e("connect", ws.connect(cl, &addr))?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "the packet",
        (p.error, p.bytes, p.key, p.overlapped),
        (None, 0, 0, Some(ov)),
    )?;
    let here = e("getsockname", ws.getsockname(cl))?;
    c.eq(
        "GetAcceptExSockaddrs",
        ws.get_accept_ex_sockaddrs(a),
        Ok((addr, here)),
    )?;
    for s in [a, cl, l] {
        e("closesocket", ws.closesocket(s))?;
    }
    e("CloseHandle(port)", ws.close_completion_port(port))
}

fn connect_ex<W: Winsock + Iocp + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, addr) = listener(ws)?;
    let unbound = tcp(ws)?;
    c.eq(
        "ConnectEx unbound",
        ws.connect_ex(unbound, &addr, Vec::new(), Overlapped::new(8)),
        Err(WsaError::WSAEINVAL),
    )?;
    let s = tcp(ws)?;
    e("bind", ws.bind(s, &loopback(0)))?;
    let port = e("CreateIoCompletionPort", ws.create_io_completion_port(0))?;
    e("associate", ws.associate_completion_port(s, port, 9))?;
    let ov = Overlapped::new(9);
    pending_or_done(ws.connect_ex(s, &addr, b"hi".to_vec(), ov))?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "the packet",
        (p.error, p.bytes, p.key, p.overlapped),
        (None, 2, 9, Some(ov)),
    )?;
    let (a, _) = e("accept", ws.accept(l))?;
    e(
        "SO_RCVTIMEO",
        ws.setsockopt_i32(a, SOL_SOCKET, SO_RCVTIMEO, super::TIMEOUT_MS),
    )?;
    c.eq(
        "what the server reads",
        super::recv_all(ws, a, 2)?,
        b"hi".to_vec(),
    )?;
    for x in [unbound, s, a, l] {
        e("closesocket", ws.closesocket(x))?;
    }
    e("CloseHandle(port)", ws.close_completion_port(port))
}

fn cancel<W: Winsock + Iocp + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv, port) = pending_on_port(ws, 10)?;
    let ov = Overlapped::new(10);
    c.eq("CancelIoEx", ws.cancel_io_ex(cl, Some(&ov)), Ok(()))?;
    let p = e("GQCS", ws.get_queued_completion_status(port, 5_000))?;
    c.eq(
        "the packet",
        (p.error, p.bytes, p.key, p.overlapped),
        (Some(WsaError::WSA_OPERATION_ABORTED), 0, 1, Some(ov)),
    )?;
    c.eq(
        "CancelIoEx again",
        ws.cancel_io_ex(cl, Some(&ov)),
        Err(WsaError::ERROR_NOT_FOUND),
    )?;
    c.eq_or_wine(
        "CancelIoEx with nothing pending",
        ws.cancel_io_ex(cl, None),
        Err(WsaError::ERROR_NOT_FOUND),
        Ok(()),
        "sock.c test_send_buffering_thread: CancelIoEx(s, NULL) with nothing pending is FALSE/ERROR_NOT_FOUND (a plain ok in Wine 10.0); Wine 8.0 returns TRUE",
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("CloseHandle(port)", ws.close_completion_port(port))
}

fn apc<W: Winsock + OverlappedIo + 'static>(ws: &W, c: &mut Check) -> Result<(), String> {
    let slept = Arc::new(AtomicU32::new(u32::MAX));
    let ran = Arc::new(AtomicU32::new(0));
    let started = Arc::new(AtomicU32::new(0));
    let (s2, st2) = (slept.clone(), started.clone());
    let t = e(
        "CreateThread",
        ws.create_thread("alertable", move |ws| {
            st2.store(1, Ordering::SeqCst);
            s2.store(ws.sleep_ex(10_000, true), Ordering::SeqCst);
            Ok(())
        }),
    )?;
    // Queue once the thread runs: Windows also delivers APCs queued before a thread starts,
    // at its start, before its function runs (no alertable wait then).
    while started.load(Ordering::SeqCst) == 0 {
        ws.sleep(1);
    }
    queue_counting_apc(ws, t, &ran)?;
    e("WaitForSingleObject(thread)", ws.wait_for_thread(t, 20_000))?;
    c.eq(
        "SleepEx and the APC",
        (slept.load(Ordering::SeqCst), ran.load(Ordering::SeqCst)),
        (WAIT_IO_COMPLETION, 1),
    )?;
    c.eq(
        "SleepEx(0, alertable) with nothing queued",
        ws.sleep_ex(0, true),
        0,
    )
}

fn synchronous_socket<W: Winsock + OverlappedIo + 'static>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    // SO_OPENTYPE is the thread's: set through any handle (sock.c test_set_getsockopt).
    let any = Socket::from_raw(INVALID_SOCKET);
    let nonalert = SO_SYNCHRONOUS_NONALERT;
    e(
        "SO_OPENTYPE",
        ws.setsockopt_i32(any, SOL_SOCKET, SO_OPENTYPE, nonalert),
    )?;
    let made = pair(ws);
    e(
        "SO_OPENTYPE 0",
        ws.setsockopt_i32(any, SOL_SOCKET, SO_OPENTYPE, 0),
    )?;
    let (cl, sv) = made?;
    e("FIONBIO", ws.set_nonblocking(cl, true))?;
    c.eq(
        "recv on the nonblocking socket",
        code(ws.recv(cl, &mut [0u8; 5], 0)),
        Err(WsaError::WSAEWOULDBLOCK),
    )?;
    let seen = Arc::new(Mutex::new(None));
    let seen2 = seen.clone();
    let t = e(
        "CreateThread",
        ws.create_thread("synchronous WSARecv", move |ws| {
            let ov = Overlapped::new(0x5e);
            let r = ws.wsa_recv_overlapped(cl, vec![vec![0; 5]], 0, ov, None);
            let done = ws.wsa_get_overlapped_result(cl, &ov, false);
            let done = done.map(|d| (d.error, d.bytes, d.bufs.concat()));
            *seen2.lock().unwrap() = Some((r, done));
            Ok(())
        }),
    )?;
    c.eq(
        "the thread still waits in WSARecv after 200 ms",
        ws.wait_for_thread(t, 200),
        Err(WsaError::WAIT_TIMEOUT),
    )?;
    c.eq("send", ws.send(sv, b"data", 0), Ok(4))?;
    e("WaitForSingleObject(thread)", ws.wait_for_thread(t, 5_000))?;
    let got = seen.lock().unwrap().take();
    c.eq(
        "WSARecv's result, then WSAGetOverlappedResult's",
        got,
        Some((Ok(4), Ok((None, 4, b"data\0".to_vec())))),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

/// sock.c test_send: no send buffering, so the overlapped send waits for the peer.
fn unbuffered_send<W: Winsock + EventSelect + OverlappedIo>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    const LEN: usize = 1 << 20;
    let (cl, sv) = pair(ws)?;
    e(
        "SO_SNDBUF 0",
        ws.setsockopt_i32(sv, SOL_SOCKET, SO_SNDBUF, 0),
    )?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    let data: Vec<u8> = (0..LEN).map(|i| (i % 251) as u8).collect();
    let ov = Overlapped::with_event(0x5b, ev);
    c.eq(
        "WSASend of 1 MiB",
        code(ws.wsa_send_overlapped(sv, vec![data.clone()], 0, ov, None)),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    let mut got = Vec::with_capacity(LEN);
    let mut buf = vec![0u8; 65_536];
    while got.len() < LEN {
        let n = e("recv", ws.recv(cl, &mut buf, 0))?;
        if n == 0 {
            return Err(format!("end of stream after {} bytes", got.len()));
        }
        got.extend_from_slice(&buf[..n]);
    }
    c.eq("the bytes read", got == data, true)?;
    c.eq(
        "its event once they are read",
        ws.wsa_wait_for_multiple_events(&[ev], false, 5_000, false),
        Ok(WAIT_OBJECT_0),
    )?;
    let done = e(
        "WSAGetOverlappedResult",
        ws.wsa_get_overlapped_result(sv, &ov, false),
    )?;
    c.eq("its result", (done.error, done.bytes), (None, LEN))?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))
}

/// A UDP socket bound to 127.0.0.1 (with a receive timeout), and its address.
pub(super) fn udp<W: Winsock>(ws: &W) -> Result<(Socket, SockAddr), String> {
    let s = e("socket", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    e("bind", ws.bind(s, &loopback(0)))?;
    e(
        "SO_RCVTIMEO",
        ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO, super::TIMEOUT_MS),
    )?;
    let a = e("getsockname", ws.getsockname(s))?;
    Ok((s, a))
}

fn msg<W: Winsock + EventSelect + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (u1, a1) = udp(ws)?;
    let (u2, a2) = udp(ws)?;
    c.eq(
        "WSASendMsg",
        ws.wsa_send_msg(u1, &WsaMsg::for_send(b"dgram", Some(a2)), 0),
        Ok(5),
    )?;
    let mut m = WsaMsg::for_recv(&[16], 0);
    c.eq("WSARecvMsg", ws.wsa_recv_msg(u2, &mut m), Ok(5))?;
    c.eq(
        "its message",
        (m.name, m.bufs[0][..5].to_vec()),
        (Some(a1), b"dgram".to_vec()),
    )?;
    let ev = e("WSACreateEvent", ws.wsa_create_event())?;
    let ov = Overlapped::with_event(11, ev);
    c.eq(
        "WSARecvMsg overlapped",
        ws.wsa_recv_msg_overlapped(u2, WsaMsg::for_recv(&[16], 0), ov, None),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    e("sendto", ws.sendto(u1, b"later", 0, &a2))?;
    let done = e(
        "WSAGetOverlappedResult",
        ws.wsa_get_overlapped_result(u2, &ov, true),
    )?;
    c.eq(
        "its completion",
        (
            done.error,
            done.bytes,
            done.from,
            done.bufs[0][..5].to_vec(),
        ),
        (None, 5, Some(a1), b"later".to_vec()),
    )?;
    e("closesocket", ws.closesocket(u1))?;
    e("closesocket", ws.closesocket(u2))?;
    e("WSACloseEvent", ws.wsa_close_event(ev))
}

fn transmit<W: Winsock + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let tfb = TransmitFileBuffers {
        head: b"H".to_vec(),
        tail: b"T".to_vec(),
    };
    c.eq(
        "TransmitFile",
        ws.transmit_file(cl, Some(b"0123456789"), 2, 5, Some(&tfb), None, 0),
        Ok(7),
    )?;
    c.eq(
        "what the peer reads",
        super::recv_all(ws, sv, 7)?,
        b"H23456T".to_vec(),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

fn disconnect<W: Winsock + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    e("send", ws.send(cl, b"last", 0))?;
    c.eq("DisconnectEx", ws.disconnect_ex(cl, None, 0), Ok(()))?;
    c.eq(
        "the peer reads",
        super::recv_all(ws, sv, 8)?,
        b"last".to_vec(),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}

fn ioctl<W: Winsock + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    e("send", ws.send(sv, b"four", 0))?;
    wait_data(ws, cl, 4)?;
    let mut out = [0u8; 4];
    c.eq(
        "WSAIoctl(FIONREAD)",
        ws.wsa_ioctl(cl, FIONREAD, &[], &mut out),
        Ok(4),
    )?;
    c.eq("its value", u32::from_le_bytes(out), 4)?;
    c.eq(
        "FIONREAD into 2 bytes",
        ws.wsa_ioctl(cl, FIONREAD, &[], &mut [0u8; 2]),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq(
        "an unknown code",
        ws.wsa_ioctl(cl, 0x1234, &[], &mut out),
        Err(WsaError::WSAEOPNOTSUPP),
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}
