//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_sioAddressListChange` (line numbers from
//! the Wine 10.0 tarball, where the function spans lines 10276–10491), facts only.
//!
//! Counted in `ok()` calls as Windows executes them:
//!
//! | part of test_sioAddressListChange                        | ported | not expressible | failing |
//! |----------------------------------------------------------|-------:|----------------:|--------:|
//! | the local address (gethostbyname("")), 10292–10293        |      1 |               0 |       0 |
//! | overlapped request pends, 4 sockets × 4 calls, 10303–10388 |     16 |               0 |       0 |
//! | nonblocking without OVERLAPPED: WSAEWOULDBLOCK, 10390–10404 |     4 |               0 |       0 |
//! | on a completion port: pends, no packet, abort on close, 10406–10428 | 9 |        0 |       0 |
//! | interactive part (a user changes an interface), 10441–10490 |    0 |              10 |       0 |
//! | **total**                                                |     30 |              10 |       0 |
//!
//! The interactive part (10441–10490) needs a person to plug or unplug a network interface
//! within 15 s; the simulated hosts never change their addresses, so it is not expressible (10).
//! The host's address comes from gethostbyname("") as in sock.c. The
//! blocking call without OVERLAPPED that sock.c skips because it hangs (10431–10439) is checked
//! here as a thread that stays blocked until another closes its socket.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// A TCP socket bound to the host's own address, in the blocking mode asked for.
fn bound(ws: &SimWinsock, addr: &SockAddr, ty: i32, wsa: bool, nonblocking: bool) -> Socket {
    let s = if wsa {
        ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED)
    } else {
        ws.socket(AF_INET, ty, IPPROTO_TCP)
    }
    .expect("socket");
    ws.bind(s, addr).expect("bind");
    let mut v = u32::from(nonblocking);
    ws.ioctlsocket(s, FIONBIO, &mut v).expect("FIONBIO");
    s
}

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 10291–10300: the first local address, from gethostbyname("").
    let h = ws.gethostbyname("");
    assert!(h.is_ok(), "10293: {h:?}");
    let h = h?;
    assert!(!h.addrs.is_empty(), "10294: a local address");
    let addr = SockAddr::v4(h.addrs[0], 0);

    // 10302–10388: socket(AF_INET, 0, IPPROTO_TCP) nonblocking, then blocking, then
    // WSASocket(WSA_FLAG_OVERLAPPED) nonblocking, then blocking: each binds and an overlapped
    // SIO_ADDRESS_LIST_CHANGE returns SOCKET_ERROR with ERROR_IO_PENDING.
    for (i, (wsa, nonblocking)) in [(false, true), (false, false), (true, true), (true, false)]
        .into_iter()
        .enumerate()
    {
        let s = bound(ws, &addr, 0, wsa, nonblocking);
        let ev = ws.wsa_create_event()?;
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_ioctl_overlapped(
            s,
            SIO_ADDRESS_LIST_CHANGE,
            &[],
            Vec::new(),
            Overlapped::with_event(i as u64 + 1, ev),
            None,
        );
        common::fails(ws, r, WsaError::WSA_IO_PENDING, &format!("socket {i}"));
        ws.wsa_close_event(ev)?;
        ws.closesocket(s)?;
    }

    // 10390–10404: nonblocking, without OVERLAPPED: WSAEWOULDBLOCK.
    let s = bound(ws, &addr, SOCK_STREAM, true, true);
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_ioctl(s, SIO_ADDRESS_LIST_CHANGE, &[], &mut []);
    common::fails(ws, r, WsaError::WSAEWOULDBLOCK, "10403");

    // 10406–10420: on a completion port it pends and queues nothing.
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(s, port, 0)?;
    let ov = Overlapped::new(9);
    let r = ws.wsa_ioctl_overlapped(s, SIO_ADDRESS_LIST_CHANGE, &[], Vec::new(), ov, None);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "10413–10414");
    assert_eq!(
        ws.get_queued_completion_status(port, 0)
            .map(|p| p.overlapped),
        Err(WsaError::WAIT_TIMEOUT),
        "10416–10420"
    );
    assert!(!ws.has_overlapped_io_completed(&ov), "still pending");

    // 10422–10428: closing the socket completes it with ERROR_OPERATION_ABORTED.
    ws.closesocket(s)?;
    let p = ws.get_queued_completion_status(port, 0)?;
    assert_eq!(
        (p.error, p.overlapped),
        (Some(WsaError::WSA_OPERATION_ABORTED), Some(ov)),
        "10424–10427"
    );
    assert_eq!(WsaError::WSA_OPERATION_ABORTED.code(), 995);
    ws.close_completion_port(port)
}

#[test]
fn sio_address_list_change() {
    // Proves: an overlapped SIO_ADDRESS_LIST_CHANGE pends on every kind of socket, queues
    // nothing while the addresses stay, and is aborted by closesocket; without OVERLAPPED a
    // nonblocking socket gets WSAEWOULDBLOCK (sock.c 10276–10439).
    common::run(check);
}

#[test]
fn sio_address_list_change_blocking_waits_and_cancel_io_aborts() {
    // Proves (beside sock.c): without OVERLAPPED on a blocking socket the call waits (sock.c
    // 10431–10439: it hangs on Windows) until the socket is closed by another thread; CancelIo
    // ends a pending overlapped request with ERROR_OPERATION_ABORTED.
    common::run(|ws| {
        let s = common::tcp(ws)?;
        let t = ws.create_thread("waiter", move |ws| {
            let r = ws.wsa_ioctl(s, SIO_ADDRESS_LIST_CHANGE, &[], &mut []);
            assert_eq!(r, Err(WsaError::WSAEINTR), "woken by the close");
            Ok(())
        })?;
        ws.sleep(500);
        assert_eq!(
            ws.wait_for_thread(t, 0),
            Err(WsaError::WAIT_TIMEOUT),
            "still blocked after 500 ms"
        );
        ws.closesocket(s)?;
        ws.wait_for_thread(t, INFINITE)?;

        let s = common::tcp(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        let r = ws.wsa_ioctl_overlapped(s, SIO_ADDRESS_LIST_CHANGE, &[], Vec::new(), ov, None);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
        ws.cancel_io(s)?;
        let done = ws.wsa_get_overlapped_result(s, &ov, true)?;
        assert_eq!(done.error, Some(WsaError::WSA_OPERATION_ABORTED));
        Ok(())
    });
}
