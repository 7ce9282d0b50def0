//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_tcp_reset` (line numbers from the Wine
//! 10.0 tarball, where the function spans lines 13775–13846), facts only.
//!
//! | part of test_tcp_reset                                      | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | a pending WSARecv, 13790–13796                               |      2 |               0 |       0 |
//! | the peer resets: the receive fails, 13798–13806              |      4 |               1 |       0 |
//! | SO_ERROR stays 0, 13808–13811                                |      2 |               0 |       0 |
//! | WSARecv and send then fail with WSAECONNRESET, 13813–13823    |      4 |               0 |       0 |
//! | WSAPoll: POLLERR, POLLHUP, POLLWRNORM, 13825                  |      2 |               0 |       0 |
//! | select: readable and writable, not in exceptfds, 13827–13843  |      6 |               0 |       0 |
//! | **total**                                                    |     20 |               1 |       0 |
//!
//! Not expressible: kernel32's GetOverlappedResult and the Win32 code it leaves
//! (ERROR_NETNAME_DELETED, 13803): the API has WSAGetOverlappedResult, which reports the same
//! status (STATUS_CONNECTION_RESET, the `Internal` of 13805) as WSAECONNRESET; that and the
//! failure and size are ported. (A completion packet's ERROR_NETNAME_DELETED is checked by
//! the OV-* conformance tests.)
mod common;

use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    let ev = ws.create_event(true, false)?;
    let ov = Overlapped::with_event(1, ev);
    let (client, server) = common::pair(ws)?;

    // 13790–13796: a receive pends.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_recv_overlapped(client, vec![vec![0; 10]], 0, ov, None);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "13794–13796");

    // 13798–13806: the server closes with RST: the event is set, the receive failed with
    // STATUS_CONNECTION_RESET and 0 bytes.
    common::rst_close(ws, server)?;
    assert_eq!(
        ws.wait_for_single_object(ev.into(), 1000)?,
        0,
        "13800–13801"
    );
    let done = ws.wsa_get_overlapped_result(client, &ov, false);
    let done = match done {
        Err(_) => panic!("13802: WSAGetOverlappedResult itself failed"),
        Ok(d) => d,
    };
    assert_eq!(done.error, Some(WsaError::WSAECONNRESET), "13802, 13805");
    assert_eq!(done.bytes, 0, "13804");

    // 13808–13811: SO_ERROR is still 0.
    assert_eq!(
        ws.getsockopt_i32(client, SOL_SOCKET, SO_ERROR)?,
        0,
        "13809–13811"
    );

    // 13813–13823: a new WSARecv and a send fail at once with WSAECONNRESET.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_recv_overlapped(client, vec![vec![0; 10]], 0, ov, None);
    common::fails(ws, r, WsaError::WSAECONNRESET, "13817–13818");
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.send(client, b"data\0", 0);
    common::fails(ws, r, WsaError::WSAECONNRESET, "13821–13823");

    // 13825: WSAPoll reports POLLERR | POLLHUP | POLLWRNORM (check_poll: 2 `ok()`s).
    let mut fds = [WsaPollFd {
        fd: client,
        events: POLLRDNORM | POLLRDBAND | POLLWRNORM,
        revents: 0x7ead,
    }];
    let n = ws.wsa_poll(&mut fds, 1000)?;
    assert_eq!(n, 1, "13825: one socket with events");
    assert_eq!(
        fds[0].revents,
        POLLERR | POLLHUP | POLLWRNORM,
        "13825: revents"
    );

    // 13827–13838: select: readable and writable, not in exceptfds.
    let mut rd = FdSet::from_array(&[client]);
    let mut wr = FdSet::from_array(&[client]);
    let mut ex = FdSet::from_array(&[client]);
    let n = ws.select(
        Some(&mut rd),
        Some(&mut wr),
        Some(&mut ex),
        Some(Duration::ZERO),
    )?;
    assert_eq!(n, 2, "13835");
    assert!(rd.is_set(client), "13836");
    assert!(wr.is_set(client), "13837");
    assert!(!ex.is_set(client), "13838");

    // 13840–13843: exceptfds alone: nothing.
    let mut ex = FdSet::from_array(&[client]);
    let n = ws.select(None, None, Some(&mut ex), Some(Duration::ZERO))?;
    assert_eq!(n, 0, "13842");
    assert!(!ex.is_set(client), "13843");
    ws.closesocket(client)
}

#[test]
fn tcp_reset() {
    // Proves: what a connection reset by the peer looks like: a pending receive fails with
    // WSAECONNRESET (STATUS_CONNECTION_RESET) and 0 bytes, SO_ERROR stays 0, later receives
    // and sends fail at once, WSAPoll says POLLERR|POLLHUP|POLLWRNORM and select readable and
    // writable but not exceptional (sock.c 13775–13846).
    common::run(check);
}
