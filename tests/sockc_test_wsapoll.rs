//! Wine `dlls/ws2_32/tests/sock.c`, function `test_WSAPoll` (commit 3379ee2e, ≈L8065-8425;
//! line numbers are approximate, from the stored copy's character offsets), with its helper
//! `check_poll_` (≈L230: WSAPoll on one entry, revents pre-filled 0xdead, timeout 1000 ms;
//! asserts the result is 1 exactly when revents is non-zero, and the revents), ported assertion by
//! assertion. Facts only (return values, error codes, revents bits); our own code.
//!
//! | sock.c test_WSAPoll                                | ok() | ported | not expressible | failing |
//! |----------------------------------------------------|------|--------|-----------------|---------|
//! | ≈L8080-8100 NULL array                             |   8  |    4   |  4 (NULL ptr)   |  0      |
//! | ≈L8105-8170 invalid events, invalid entries        |  20  |   20   |  0              |  0      |
//! | ≈L8172-8192 listener with a pending connection     |   7  |    7   |  0              |  0      |
//! | ≈L8192-8200 invalid events on a connected socket   |   2  |    2   |  0              |  0      |
//! | ≈L8205-8218 three entries in one call              |   4  |    4   |  0              |  0      |
//! | ≈L8220-8235 data                                   |  12  |   12   |  0              |  0      |
//! | ≈L8245-8258 OOB                                    |  13  |   13   |  0              |  0      |
//! | ≈L8260-8273 SO_OOBINLINE                           |  14  |   14   |  0              |  0      |
//! | ≈L8275-8288 shutdown(SD_RECEIVE, SD_SEND)          |  12  |   12   |  0              |  0      |
//! | ≈L8290-8298 peer closesocket                       |   6  |    6   |  0              |  0      |
//! | ≈L8300-8316 peer SD_SEND with data in the pipe     |  15  |   15   |  0              |  0      |
//! | ≈L8318-8332 socket closed during WSAPoll, APC      |   5  |    5   |  0              |  0      |
//! | ≈L8334-8395 failed connects (interactive block)    |  16  |   16   |  0              |  0      |
//! | ≈L8400-8422 UDP                                    |  17  |   17   |  0              |  0      |
//! | **total**                                          | 151  |  147   |  4              |  0      |
//!
//! Counted: each `ok()`/`todo_wine ok()` in the function body once (a loop's ok() once) and
//! each `check_poll*` call as its two assertions; the `if (0)` block (not run on Windows
//! either) and the helpers' own checks are not counted.
//!
//! Not expressible, once per kind:
//! - 4 × NULL pointer: `WSAPoll(NULL, 1, t)` → WSAEFAULT; a slice cannot be NULL with a
//!   length. (`WSAPoll(NULL, 0, t)` → WSAEINVAL is the empty slice, ported.)
//!
//! Already covered elsewhere (counted as ported above, not repeated here): tests/poll.rs
//! `sel_14_argument_errors_and_invalid_entries` (≈L8080-8170 but the NULL pointers,
//! ≈L8192-8200), `sel_13_return_counts_entries_with_revents` (≈L8205-8218),
//! `sel_13_peer_shutdown_send_reports_pollhup` (≈L8275-8288, ≈L8300-8316),
//! `sel_13_oob_close_reset_and_udp` (≈L8290-8298), `sel_14_socket_closed_during_poll_reports_pollnval`
//! (≈L8318-8332), `sel_13_failed_connect_reports_pollwrnorm_pollhup_pollerr` (≈L8334-8395 but
//! the last SO_ERROR, ported here).
mod common;

use winsock_sim::prelude::*;

const ASK: i16 = POLLRDNORM | POLLRDBAND | POLLWRNORM;
/// sock.c's pre-fill of revents.
const DEAD: i16 = 0xdead_u16 as i16;

/// sock.c's `check_poll_mask(s, mask, expect)`: one entry, revents pre-filled 0xdead, 1000 ms;
/// the result is 1 exactly when revents is non-zero, and revents is `expect`.
fn check_poll_mask<W: Select>(ws: &W, s: Socket, mask: i16, expect: i16, what: &str) {
    let mut fds = [WsaPollFd {
        fd: s,
        events: mask,
        revents: DEAD,
    }];
    let ret = ws.wsa_poll(&mut fds, 1000);
    assert_eq!(ret, Ok(usize::from(fds[0].revents != 0)), "{what}: result");
    assert_eq!(
        fds[0].revents, expect,
        "{what}: revents {:#x}, want {expect:#x}",
        fds[0].revents
    );
}

/// sock.c's `check_poll(s, expect)`: [`check_poll_mask`] asking for
/// POLLRDNORM | POLLRDBAND | POLLWRNORM.
fn check_poll<W: Select>(ws: &W, s: Socket, expect: i16, what: &str) {
    check_poll_mask(ws, s, ASK, expect, what);
}

/// One WSAPoll of `s` for `events` (revents pre-filled 0xdead): the result and revents.
fn poll1<W: Select>(
    ws: &W,
    s: Socket,
    events: i16,
    timeout: i32,
) -> (Result<usize, WsaError>, i16) {
    let mut fds = [WsaPollFd {
        fd: s,
        events,
        revents: DEAD,
    }];
    let r = ws.wsa_poll(&mut fds, timeout);
    (r, fds[0].revents)
}

/// The listener, a nonblocking connector and the accepted server, as sock.c sets them up
/// (≈L8172-8192), with the listener's assertions.
fn listener_then_connected<W: Winsock + Select>(
    ws: &W,
) -> Result<(Socket, SockAddr, Socket, Socket), WsaError> {
    let (listener, address) = common::listener(ws, 5)?;
    let client = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    ws.set_nonblocking(client, true)?;
    let r = ws.connect(client, &address);
    assert!(r == Ok(()) || r == Err(WsaError::WSAEWOULDBLOCK), "{r:?}");
    // ≈L8175-8176: POLLIN on the listener with a pending connection → 1, POLLRDNORM.
    assert_eq!(poll1(ws, listener, POLLIN, 100), (Ok(1), POLLRDNORM));
    // ≈L8179-8180: again, at once.
    assert_eq!(poll1(ws, listener, POLLIN, 0), (Ok(1), POLLRDNORM));
    // ≈L8184-8185: POLLRDBAND | POLLWRNORM only → 0, nothing.
    assert_eq!(poll1(ws, listener, POLLRDBAND | POLLWRNORM, 0), (Ok(0), 0));
    // ≈L8188
    let server = ws.accept(listener);
    assert!(server.is_ok());
    let server = server?.0;
    ws.set_nonblocking(client, true)?;
    ws.set_nonblocking(server, true)?;
    Ok((listener, address, client, server))
}

fn listener_and_data<W: Winsock + Select>(ws: &W) -> Result<(), WsaError> {
    let (listener, _, client, server) = listener_then_connected(ws)?;
    // ≈L8222
    assert_eq!(ws.send(server, b"1234", 0), Ok(4));
    // ≈L8225-8227
    check_poll_mask(
        ws,
        client,
        POLLRDNORM | POLLRDBAND,
        POLLRDNORM,
        "client, RD mask",
    );
    check_poll(ws, client, POLLRDNORM | POLLWRNORM, "client, data");
    check_poll(ws, server, POLLWRNORM, "server");
    // ≈L8229: sync_recv gets the 4 bytes.
    let mut buffer = [0u8; 6];
    assert_eq!(ws.recv(client, &mut buffer, 0), Ok(4));
    // ≈L8232-8233
    check_poll(ws, client, POLLWRNORM, "client, data read");
    check_poll(ws, server, POLLWRNORM, "server, data read");
    for s in [client, server, listener] {
        ws.closesocket(s)?;
    }
    Ok(())
}

#[test]
fn sockc_wsapoll_pollin_on_a_listener_and_data_notifications() {
    // Proves (≈L8172-8233): POLLIN on a listener with a pending connection gives POLLRDNORM
    // (twice), POLLRDBAND|POLLWRNORM gives nothing; 4 bytes from the server make the client
    // POLLRDNORM (|POLLWRNORM with the full request), the server stays POLLWRNORM, and after
    // the recv both are POLLWRNORM.
    common::run(listener_and_data);
}

fn oob<W: Winsock + Select>(ws: &W) -> Result<(), WsaError> {
    let (listener, _, client, server) = listener_then_connected(ws)?;
    // ≈L8245
    assert_eq!(ws.send(client, b"A", MSG_OOB), Ok(1));
    // ≈L8248-8250
    check_poll(ws, client, POLLWRNORM, "client after sending OOB");
    check_poll_mask(
        ws,
        server,
        POLLRDNORM | POLLRDBAND,
        POLLRDBAND,
        "server, RD mask",
    );
    check_poll(ws, server, POLLWRNORM | POLLRDBAND, "server, OOB");
    // ≈L8252-8254
    let mut buffer = [0xccu8; 6];
    assert_eq!(ws.recv(server, &mut buffer[..1], MSG_OOB), Ok(1));
    assert_eq!(buffer[0], b'A');
    // ≈L8256-8257
    check_poll(ws, client, POLLWRNORM, "client");
    check_poll(ws, server, POLLWRNORM, "server, OOB read");

    // ≈L8262-8264: SO_OOBINLINE; the urgent byte shows like normal data.
    assert_eq!(
        ws.setsockopt_i32(server, SOL_SOCKET, SO_OOBINLINE, 1),
        Ok(())
    );
    assert_eq!(ws.send(client, b"A", MSG_OOB), Ok(1));
    // ≈L8267-8269
    check_poll(ws, client, POLLWRNORM, "client after sending OOB (inline)");
    check_poll_mask(
        ws,
        server,
        POLLRDNORM | POLLRDBAND,
        POLLRDNORM,
        "server, RD mask, inline",
    );
    check_poll(ws, server, POLLWRNORM | POLLRDNORM, "server, OOB inline");
    // ≈L8271-8273
    buffer[0] = 0xcc;
    assert_eq!(ws.recv(server, &mut buffer[..1], 0), Ok(1));
    assert_eq!(buffer[0], b'A');
    // ≈L8275-8276 (the second [TW])
    check_poll(ws, client, POLLWRNORM, "client");
    check_poll(ws, server, POLLWRNORM, "server, inline byte read [TW]");
    for s in [client, server, listener] {
        ws.closesocket(s)?;
    }
    Ok(())
}

#[test]
fn sockc_wsapoll_oob_and_oobinline_notifications() {
    // Proves (≈L8245-8276): an urgent byte gives the receiver POLLRDBAND (POLLRDBAND|POLLWRNORM
    // with the full request) and the sender POLLWRNORM; recv(MSG_OOB) reads 'A' and clears it.
    // With SO_OOBINLINE the byte gives POLLRDNORM instead and a plain recv reads it.
    common::run(oob);
}

fn failed_sync_connect_so_error<W: Winsock + Select>(ws: &W) -> Result<(), WsaError> {
    let refused = common::closed_port(ws)?;
    let client = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    assert_eq!(ws.connect(client, &refused), Err(WsaError::WSAECONNREFUSED));
    check_poll(
        ws,
        client,
        POLLWRNORM | POLLHUP | POLLERR,
        "after a refused connect [TW]",
    );
    // ≈L8388-8391: SO_ERROR reads 0 [TW] after a synchronous failure.
    let err = ws.getsockopt_i32(client, SOL_SOCKET, SO_ERROR);
    assert!(err.is_ok());
    assert_eq!(err, Ok(0));
    ws.closesocket(client)
}

#[test]
fn sockc_wsapoll_so_error_is_zero_after_a_refused_blocking_connect() {
    // Proves (≈L8380-8391): after a blocking connect refused with WSAECONNREFUSED, WSAPoll
    // gives POLLWRNORM|POLLHUP|POLLERR [TW] and SO_ERROR still reads 0 [TW].
    common::run(failed_sync_connect_so_error);
}

fn udp<W: Winsock + Select>(ws: &W) -> Result<(), WsaError> {
    let client = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let server = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    // ≈L8402-8403: unbound, both POLLWRNORM.
    check_poll(ws, client, POLLWRNORM, "unbound client");
    check_poll(ws, server, POLLWRNORM, "unbound server");
    // ≈L8405-8409
    assert_eq!(ws.bind(client, &SockAddr::v4([127, 0, 0, 1], 0)), Ok(()));
    let address = ws.getsockname(client);
    assert!(address.is_ok());
    let address = address?;
    // ≈L8411-8412
    check_poll(ws, client, POLLWRNORM, "bound client");
    check_poll(ws, server, POLLWRNORM, "unbound server");
    // ≈L8414
    assert_eq!(ws.sendto(server, b"data\0", 0, &address), Ok(5));
    // ≈L8417-8419
    check_poll_mask(
        ws,
        client,
        POLLRDNORM | POLLRDBAND,
        POLLRDNORM,
        "client, RD mask",
    );
    check_poll(
        ws,
        client,
        POLLWRNORM | POLLRDNORM,
        "client, datagram queued",
    );
    check_poll(ws, server, POLLWRNORM, "server after sendto");
    ws.closesocket(client)?;
    ws.closesocket(server)
}

#[test]
fn sockc_wsapoll_udp_unbound_bound_and_with_a_datagram() {
    // Proves (≈L8400-8419): UDP sockets, bound or not, are POLLWRNORM; a queued datagram adds
    // POLLRDNORM (POLLRDNORM alone when only the read bits are asked); the sender stays
    // POLLWRNORM.
    common::run(udp);
}
