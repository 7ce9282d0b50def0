//! WinSock 2 set-up calls (`WinsockExt`): extension functions loaded through
//! `WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)` with their real GUIDs, `WSASocket` flags,
//! `WSAAccept` with a condition function (CF_ACCEPT / CF_REJECT / CF_DEFER), `CancelIo` and
//! `HasOverlappedIoCompleted`.

mod common;

use common::{listener, pair, run, seed};
use winsock_sim::api::extension::{extension_pointer, WSA_FLAG_MULTIPOINT_C_ROOT};
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

// Every GUID of mswsock.h loads its function; the raw WSAIoctl writes an 8-byte pointer
// (cbBytesReturned 8) that decodes to the same function.
#[test]
fn every_guid_loads_its_function() {
    run(|ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let table = [
            (WSAID_ACCEPTEX, "AcceptEx"),
            (WSAID_CONNECTEX, "ConnectEx"),
            (WSAID_DISCONNECTEX, "DisconnectEx"),
            (WSAID_GETACCEPTEXSOCKADDRS, "GetAcceptExSockaddrs"),
            (WSAID_TRANSMITFILE, "TransmitFile"),
            (WSAID_TRANSMITPACKETS, "TransmitPackets"),
            (WSAID_WSARECVMSG, "WsaRecvMsg"),
            (WSAID_WSASENDMSG, "WsaSendMsg"),
        ];
        for (i, (guid, name)) in table.iter().enumerate() {
            let f = ws.get_extension_function_pointer(s, guid, 8)?;
            assert!(format!("{f:?}").starts_with(name), "{f:?}");
            let mut out = [0u8; 8];
            let n = ws.wsa_ioctl(
                s,
                SIO_GET_EXTENSION_FUNCTION_POINTER,
                &guid.to_bytes(),
                &mut out,
            )?;
            assert_eq!(n, 8);
            assert_eq!(u64::from_le_bytes(out), extension_pointer(i));
            assert_eq!(
                ExtensionFunction::from_pointer(u64::from_le_bytes(out)),
                Some(f)
            );
        }
        Ok(())
    });
}

// Error paths: an unknown GUID is WSAEINVAL, an output buffer smaller than a pointer or an
// input smaller than a GUID WSAEFAULT, INVALID_SOCKET WSAENOTSOCK; the overlapped form
// answers at once.
#[test]
fn extension_pointer_errors() {
    run(|ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let mut unknown = WSAID_ACCEPTEX;
        unknown.data4[7] ^= 0xff;
        assert_eq!(
            ws.get_extension_function_pointer(s, &unknown, 8),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(
            ws.get_extension_function_pointer(s, &WSAID_ACCEPTEX, 4),
            Err(WsaError::WSAEFAULT)
        );
        let mut out = [0u8; 8];
        assert_eq!(
            ws.wsa_ioctl(
                s,
                SIO_GET_EXTENSION_FUNCTION_POINTER,
                &WSAID_ACCEPTEX.to_bytes()[..8],
                &mut out
            ),
            Err(WsaError::WSAEFAULT)
        );
        assert_eq!(
            ws.get_extension_function_pointer(Socket::INVALID, &WSAID_ACCEPTEX, 8),
            Err(WsaError::WSAENOTSOCK)
        );
        let n = ws.wsa_ioctl_overlapped(
            s,
            SIO_GET_EXTENSION_FUNCTION_POINTER,
            &WSAID_CONNECTEX.to_bytes(),
            vec![0; 8],
            Overlapped::new(1),
            None,
        )?;
        assert_eq!(n, 8);
        Ok(())
    });
}

// AcceptEx and GetAcceptExSockaddrs loaded through WSAIoctl accept a connection as the trait
// methods do.
#[test]
fn loaded_accept_ex_accepts() {
    run(|ws| {
        let (l, addr) = listener(ws, 5)?;
        let ExtensionFunction::AcceptEx(accept_ex) =
            ws.get_extension_function_pointer(l, &WSAID_ACCEPTEX, 8)?
        else {
            panic!("not AcceptEx");
        };
        let ExtensionFunction::GetAcceptExSockaddrs(sockaddrs) =
            ws.get_extension_function_pointer(l, &WSAID_GETACCEPTEXSOCKADDRS, 8)?
        else {
            panic!("not GetAcceptExSockaddrs");
        };
        let a = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let ev = ws.create_event(true, false)?;
        let ov = Overlapped::with_event(7, ev);
        // An identity never used reads as a zeroed OVERLAPPED.
        assert_eq!(ws.overlapped_internal(&ov), (0, 0));
        assert!(ws.has_overlapped_io_completed(&ov));
        assert_eq!(
            accept_ex.call(ws, l, a, Vec::new(), ov),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert!(!ws.has_overlapped_io_completed(&ov));
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c, &addr)?;
        assert_eq!(ws.wait_for_single_object(ev.into(), 1000)?, WAIT_OBJECT_0);
        assert!(ws.has_overlapped_io_completed(&ov));
        let done = ws.wsa_get_overlapped_result(l, &ov, false)?;
        assert_eq!(done.error, None);
        let (local, remote) = sockaddrs.call(ws, a)?;
        assert_eq!(local, addr);
        assert_eq!(remote, ws.getsockname(c)?);
        Ok(())
    });
}

// WSASocket: WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT make a working socket; unknown
// flags or multipoint flags on a stream socket are WSAEINVAL; before WSAStartup
// WSANOTINITIALISED.
#[test]
fn wsa_socket_flags() {
    let mut sim = Sim::builder().seed(seed()).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", |ws| {
        assert_eq!(
            ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED),
            Err(WsaError::WSANOTINITIALISED)
        );
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.wsa_socket(
            AF_INET,
            SOCK_STREAM,
            IPPROTO_TCP,
            WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT,
        )?;
        ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
        assert_eq!(
            ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, 0x1_0000),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(ws.wsa_get_last_error(), 10022);
        assert_eq!(
            ws.wsa_socket(
                AF_INET,
                SOCK_STREAM,
                IPPROTO_TCP,
                WSA_FLAG_MULTIPOINT_C_ROOT
            ),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(
            ws.wsa_socket(AF_INET, 999, 0, WSA_FLAG_OVERLAPPED),
            Err(WsaError::WSAESOCKTNOSUPPORT)
        );
        Ok(())
    });
    sim.run().unwrap();
}

// WSAAccept: the condition function sees the caller's (client's) and callee's (listener's)
// addresses; CF_DEFER fails with WSATRY_AGAIN (11002) and keeps the connection queued, so the
// next WSAAccept gets it; CF_ACCEPT accepts.
#[test]
fn wsa_accept_defer_then_accept() {
    run(|ws| {
        let (l, addr) = listener(ws, 5)?;
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c, &addr)?;
        let client = ws.getsockname(c)?;
        let mut seen = Vec::new();
        let mut defer = |caller: &SockAddr, callee: &SockAddr| {
            seen.push((*caller, *callee));
            CF_DEFER
        };
        assert_eq!(
            ws.wsa_accept(l, Some(&mut defer)),
            Err(WsaError::WSATRY_AGAIN)
        );
        assert_eq!(ws.wsa_get_last_error(), 11002);
        assert_eq!(seen, vec![(client, addr)]);
        let mut accept = |_: &SockAddr, _: &SockAddr| CF_ACCEPT;
        let (a, peer) = ws.wsa_accept(l, Some(&mut accept))?;
        assert_eq!(peer, client);
        ws.send(c, b"x", 0)?;
        let mut b = [0u8; 1];
        assert_eq!(ws.recv(a, &mut b, 0)?, 1);
        Ok(())
    });
}

// CF_REJECT fails with WSAECONNREFUSED and resets the connection (the client, whose connect
// had completed, sees WSAECONNRESET); the next connection is still accepted; an unknown
// verdict is WSAEINVAL; with nothing queued a nonblocking listener gives WSAEWOULDBLOCK.
#[test]
fn wsa_accept_reject_and_errors() {
    run(|ws| {
        let (l, addr) = listener(ws, 5)?;
        let c1 = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c1, &addr)?;
        let mut reject = |_: &SockAddr, _: &SockAddr| CF_REJECT;
        assert_eq!(
            ws.wsa_accept(l, Some(&mut reject)),
            Err(WsaError::WSAECONNREFUSED)
        );
        let mut b = [0u8; 1];
        assert_eq!(ws.recv(c1, &mut b, 0), Err(WsaError::WSAECONNRESET));
        let c2 = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(c2, &addr)?;
        let mut odd = |_: &SockAddr, _: &SockAddr| 42;
        assert_eq!(ws.wsa_accept(l, Some(&mut odd)), Err(WsaError::WSAEINVAL));
        let (_, peer) = ws.wsa_accept(l, None)?;
        assert_eq!(peer, ws.getsockname(c2)?);
        ws.set_nonblocking(l, true)?;
        assert_eq!(ws.wsa_accept(l, None), Err(WsaError::WSAEWOULDBLOCK));
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(ws.wsa_accept(s, None), Err(WsaError::WSAEINVAL));
        Ok(())
    });
}

// CancelIo cancels the calling thread's pending operations on the socket (they end with
// WSA_OPERATION_ABORTED), not another thread's; with nothing pending it succeeds; a bad
// handle is ERROR_INVALID_HANDLE.
#[test]
fn cancel_io_is_per_thread() {
    run(|ws| {
        let (c, s) = pair(ws)?;
        let ev = ws.create_event(true, false)?;
        let mine = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, mine, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        let other_ev = ws.create_event(true, false)?;
        let theirs = Overlapped::with_event(2, other_ev);
        // The other thread stays alive until the end: its end would cancel its receive
        // (afd.c test_async_thread_termination, tests/afd_test_async_thread_termination.rs).
        let (issued, release) = (ws.create_event(true, false)?, ws.create_event(true, false)?);
        let t = ws.create_thread("other", move |ws: &SimWinsock| {
            assert_eq!(
                ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, theirs, None),
                Err(WsaError::WSA_IO_PENDING)
            );
            ws.set_event(issued)?;
            ws.wait_for_single_object(release.into(), INFINITE)?;
            Ok(())
        })?;
        ws.wait_for_single_object(issued.into(), INFINITE)?;
        ws.cancel_io(s)?;
        let r = ws.wsa_get_overlapped_result(s, &mine, true)?;
        assert_eq!(r.error, Some(WsaError::WSA_OPERATION_ABORTED));
        assert!(!ws.has_overlapped_io_completed(&theirs));
        ws.send(c, b"data", 0)?;
        assert_eq!(
            ws.wait_for_single_object(other_ev.into(), 1000)?,
            WAIT_OBJECT_0
        );
        assert!(ws.has_overlapped_io_completed(&theirs));
        ws.set_event(release)?;
        ws.wait_for_single_object(t.into(), INFINITE)?;
        ws.cancel_io(s)?;
        assert_eq!(
            ws.cancel_io(Socket::from_raw(0x7777)),
            Err(WsaError::WSA_INVALID_HANDLE)
        );
        Ok(())
    });
}
