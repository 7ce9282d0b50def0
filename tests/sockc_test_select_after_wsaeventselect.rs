//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_select_after_WSAEventSelect`
//! (L14189-14215), ported assertion by assertion. Facts only; our own code.
//!
//! | sock.c test_select_after_WSAEventSelect          | ok() | ported | not expressible | failing |
//! |--------------------------------------------------|------|--------|-----------------|---------|
//! | L14189-14215 WSAPoll after the event was consumed |  5   |   5    | 0               | 0       |
//!
//! Counted: each ok() once, and the `check_poll` call once (its two ok_()s, the return value
//! and revents, are both asserted).
//!
//! Not expressible: none.
mod common;

use common::event_ctx::{tcp_socketpair, Api};
use winsock_sim::prelude::*;

fn poll_does_not_resignal<W: Api + SyncObjects>(ws: &W) -> Result<(), WsaError> {
    let (client, server) = tcp_socketpair(ws);
    // CreateEventA(NULL, FALSE, FALSE, NULL): auto-reset.
    let event = ws.create_event(false, false)?;
    assert_eq!(ws.wsa_event_select(client, event, FD_READ), Ok(()));
    assert_eq!(ws.send(server, b"data", 0), Ok(4));
    // The wait consumes the auto-reset event.
    assert_eq!(
        ws.wait_for_single_object(event.into(), 1000),
        Ok(WAIT_OBJECT_0)
    );
    // check_poll(client, POLLRDNORM | POLLWRNORM) with mask POLLRDNORM|POLLRDBAND|POLLWRNORM.
    let mut fds = [WsaPollFd::new(client, POLLRDNORM | POLLRDBAND | POLLWRNORM)];
    let ret = ws.wsa_poll(&mut fds, 1000);
    assert_eq!(
        ret,
        Ok(usize::from(fds[0].revents != 0)),
        "WSAPoll() returned"
    );
    assert_eq!(fds[0].revents, POLLRDNORM | POLLWRNORM, "got wrong events");
    // Polling must not signal the event again.
    assert_eq!(ws.wait_for_single_object(event.into(), 0), Ok(WAIT_TIMEOUT));
    ws.close_handle(event.into())?;
    ws.closesocket(server)?;
    ws.closesocket(client)
}

#[test]
fn sockc_select_after_wsaeventselect_poll_does_not_resignal_event() {
    // Proves (L14195-14214): after WSAEventSelect(FD_READ) signalled an auto-reset event and
    // a wait consumed it, WSAPoll reports POLLRDNORM|POLLWRNORM and leaves the event
    // unsignalled.
    common::run(poll_does_not_resignal);
}
