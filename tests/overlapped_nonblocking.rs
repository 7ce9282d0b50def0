//! The overlapped halves of the blocking and nonblocking rules: NB-02 (an overlapped receive
//! on a nonblocking socket pends), NB-03 (sockets made non-overlapped wait in overlapped
//! calls), NB-04 and NB-05 (ConnectEx and AcceptEx against connects in progress and sockets in
//! other states). The non-overlapped parts are in `tests/nonblocking.rs`; helpers in
//! `common/overlapped.rs`.
mod common;

use common::overlapped::{bound_tcp, quiet, run, signalled, UNREACHABLE};
use common::tcp;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

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

/// A TCP socket bound to 0.0.0.0 whose ConnectEx (OVERLAPPED `id`) to an unreachable address
/// is pending.
fn connect_ex_pending(ws: &SimWinsock, id: u64) -> Result<Socket, WsaError> {
    let t = tcp(ws)?;
    ws.bind(t, &SockAddr::v4([0, 0, 0, 0], 0))?;
    assert_eq!(
        ws.connect_ex(
            t,
            &SockAddr::v4(UNREACHABLE, 80),
            Vec::new(),
            Overlapped::new(id)
        ),
        Err(WsaError::WSA_IO_PENDING)
    );
    Ok(t)
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

        let t = connect_ex_pending(ws, 2)?;
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
        let t = connect_ex_pending(ws, 1)?;
        assert_eq!(ws.getpeername(t), Err(WsaError::WSAENOTCONN));
        Ok(())
    });
}

#[test]
fn nb_04_recv_and_send_while_connect_ex_pending() {
    // Proves: while a ConnectEx is pending, recv and send fail with WSAENOTCONN (sock.c
    // test_connecting_socket, todo_wine).
    run(|ws| {
        let t = connect_ex_pending(ws, 1)?;
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
