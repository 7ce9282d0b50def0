//! Wine `dlls/ws2_32/tests/afd.c`, function `test_poll_completion_port` (L1305-1384 of the
//! file at Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines
//! counted), facts only: whether an IOCTL_AFD_POLL on a socket bound to a completion port
//! queues a packet, checked through the polls WinSock offers (WSAPoll, select) on a socket
//! associated with a port, and GetQueuedCompletionStatus with a zero timeout. Our own code.
//!
//! Counting: each `ok()` / `todo_wine ok()` once. afd.c's poll queues a packet only when it
//! is given an APC context (L1330 against L1337); WSAPoll and select give none, so what is
//! expressible is the poll's outcome and the absence of a packet. A packet's key, value and
//! the polls issued with a context are not.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L1316-1330 WRITE, no context: at once, no packet (2) | 2 (WSAPoll, GetQueuedCompletionStatus) | 0 | 0 |
//! | L1332-1339 WRITE with a context: a packet (4) | 0 | 4 | 0 |
//! | L1341-1354 READ, zero timeout, with a context: at once, a packet (4) | 1 (WSAPoll → 0) | 3 | 0 |
//! | L1358-1379 the carrier socket closed during a poll of another (8) | 0 | 8 | 0 |
//! | **total (18)** | **3** | **15** | **0** |
//!
//! Not expressible, per kind: a poll with an APC context and the packet it queues (7:
//! L1334, L1337-1339, L1352-1354); the handle a poll is issued on, closed while it waits
//! (8: L1366-1379; WSAPoll does not name one, as in tests/afd_test_poll.rs L709-717).
//! Also pinned here, not in afd.c: select on the associated socket queues no packet either.
mod common;

use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn no_packet(ws: &SimWinsock, port: CompletionPort, what: &str) {
    let r = ws.get_queued_completion_status(port, 0);
    assert_eq!(r.err(), Some(WsaError::WAIT_TIMEOUT), "{what}: no packet");
}

#[test]
fn polls_queue_no_packet_on_the_sockets_port() {
    common::run(|ws| {
        let (client, server) = common::pair(ws)?; // L1315
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(client, port, 0)?; // L1316
                                                        // L1318-1327: WRITE is there: the poll returns at once.
        let mut fds = [WsaPollFd::new(client, POLLWRNORM)];
        assert_eq!(ws.wsa_poll(&mut fds, 100), Ok(1), "L1327");
        assert_eq!(fds[0].revents, POLLWRNORM, "L1327: WRITE");
        // L1329-1330: no packet for it.
        no_packet(ws, port, "L1330");
        // L1341-1349: READ with a zero timeout and nothing queued: at once, nothing.
        let mut fds = [WsaPollFd::new(client, POLLRDNORM)];
        assert_eq!(ws.wsa_poll(&mut fds, 0), Ok(0), "L1349");
        no_packet(ws, port, "L1349: without a context");
        // select: the same.
        let mut w = FdSet::from_array(&[client]);
        let n = ws.select(None, Some(&mut w), None, Some(Duration::ZERO))?;
        assert_eq!(n, 1, "select: writable");
        no_packet(ws, port, "select");
        ws.closesocket(client)?;
        ws.closesocket(server)?;
        ws.close_completion_port(port)
    });
}
