//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_completion_port`
//! (L10537-11256), ported assertion by assertion. Facts only (GetQueuedCompletionStatus
//! results, last errors, keys, byte counts); our own code.
//!
//! | sock.c test_completion_port                             | ok() | ported | not expressible | failing |
//! |---------------------------------------------------------|------|--------|-----------------|---------|
//! | L10555-10644 pending receive + RST; send after RST      |  23  |   23   |  0              |  0      |
//! | L10646-10684 immediate receive still queues a packet    |  10  |   10   |  0              |  0      |
//! | L10685-10715 graceful close: immediate 0-byte receive   |   7  |    7   |  0              |  0      |
//! | L10717-10757 receive after RST fails at once, no packet |   9  |    9   |  0              |  0      |
//! | L10759-10797 receive on an unconnected socket; AcceptEx |  12  |   12   |  0              |  0      |
//! | L10798-10839 listener closed, port associated after     |  14  |   14   |  0              |  0      |
//! | L10840-10881 listener closed, port associated before    |  14  |   14   |  0              |  0      |
//! | L10882-11060 WSADuplicateSocket (three sections)        |  65  |   65   |  0              |  0      |
//! | L11061-11083 listener without AcceptEx closed           |   6  |    6   |  0              |  0      |
//! | L11084-11137 AcceptEx completes on the listener's key   |  17  |   17   |  0              |  0      |
//! | L11138-11199 data arrived, accept socket closed         |  19  |   19   |  0              |  0      |
//! | L11200-11256 no data, accept socket closed              |  18  |   18   |  0              |  0      |
//! | **total**                                               | 214  |  214   |  0              |  0      |
//!
//! Counted: each `ok()` in the function body once; setup_iocp_src's and tcp_socketpair's own
//! checks are not counted (they are made here too).
//!
//! C's out parameters (`num_bytes`, `key` and `olp` left as they were or written) are read
//! through `Iocp::get_queued_completion_status_out` and
//! `OverlappedIo::wsa_send_overlapped_out` / `wsa_recv_overlapped_out`, which take them as
//! `&mut`; every assertion is expressible.
//!
//! `OVERLAPPED.Internal` is read with `WinsockExt::overlapped_internal`.
//!
//! Also covered elsewhere: tests/iocp.rs `cp_02_failed_operation_packet`,
//! `cp_03_empty_port_times_out`, `cp_04_closing_listener_cancels_accept_ex_associated_before`
//! and `_after`, `cp_04_closing_idle_listener_queues_nothing`,
//! `cp_06_accept_ex_packets_use_listener_key`,
//! `cp_07_accept_socket_closed_after_data_completes_the_accept`,
//! `cp_07_accept_socket_closed_before_data_aborts_the_accept`; tests/overlapped.rs
//! `ov_06_immediate_completion_signals_and_queues`, `ov_08_reset_connection_fails_synchronously`,
//! `ov_08_unconnected_receive_fails_synchronously`.
mod common;

use winsock_sim::api::extension::{STATUS_CANCELLED, STATUS_CONNECTION_ABORTED, STATUS_SUCCESS};
use winsock_sim::prelude::*;
use winsock_sim::sim::{Segmentation, Sim};

const DEADBEEF: i32 = 0xdeadbeef_u32 as i32;
/// sizeof(buf) in sock.c.
const BUF: usize = 1024;
/// AcceptEx's dwReceiveDataLength in sock.c: sizeof(buf) - 2 * (sizeof(sockaddr_in) + 16).
const ACCEPT_DATA: usize = BUF - 2 * (16 + 16);

/// Loopback as the test sees it: a send smaller than the MSS arrives whole.
fn run<F>(body: F)
where
    F: FnOnce(&winsock_sim::sim::SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    common::run_with(
        Sim::builder()
            .seed(common::seed())
            .segmentation(Segmentation::Mss),
        body,
    );
}

/// GetQueuedCompletionStatus(port, &num_bytes, &key, &olp, ms) times out: FALSE, last error
/// WAIT_TIMEOUT, `key` and `num_bytes` still 0xdeadbeef, `olp` NULL (the 5 ok()s of each
/// such block).
fn times_out<W: Iocp>(ws: &W, port: CompletionPort, ms: u32) {
    ws.wsa_set_last_error(DEADBEEF);
    let (mut num_bytes, mut key) = (0xdeadbeef_u32, 0xdeadbeef_usize);
    let mut olp = Some(Overlapped::new(0xdeadbeef));
    let r = ws.get_queued_completion_status_out(port, &mut num_bytes, &mut key, &mut olp, ms);
    assert_eq!(r.map(|p| p.overlapped), Err(WsaError::WAIT_TIMEOUT));
    assert_eq!(ws.wsa_get_last_error(), 258);
    assert_eq!(key, 0xdeadbeef);
    assert_eq!(num_bytes, 0xdeadbeef);
    assert_eq!(olp, None);
}

/// GetQueuedCompletionStatus(port, …, ms) dequeues `ov`'s packet with `key`, `bytes` and
/// `error` (None: TRUE and the last error untouched; Some: FALSE and that last error).
fn dequeues<W: Iocp>(
    ws: &W,
    port: CompletionPort,
    ms: u32,
    ov: Overlapped,
    key: usize,
    bytes: usize,
    error: Option<WsaError>,
) {
    ws.wsa_set_last_error(DEADBEEF);
    let (mut num_bytes, mut got_key) = (0xdeadbeef_u32, 0xdeadbeef_usize);
    let mut olp = Some(Overlapped::new(0xdeadbeef));
    let p = ws
        .get_queued_completion_status_out(port, &mut num_bytes, &mut got_key, &mut olp, ms)
        .expect("a packet");
    // bret and GetLastError().
    assert_eq!(p.error, error);
    let want_last = error.map_or(DEADBEEF, |e| e.code());
    assert_eq!(ws.wsa_get_last_error(), want_last);
    // The out parameters, written for a failed I/O's packet too.
    assert_eq!(got_key, key);
    assert_eq!(num_bytes as usize, bytes);
    assert_eq!(olp, Some(ov));
    assert_eq!((p.key, p.bytes, p.overlapped), (key, bytes, Some(ov)));
}

/// sock.c setup_iocp_src: a nonblocking listener on 127.0.0.1 (backlog 5) and its address.
fn setup_iocp_src<W: Winsock>(ws: &W) -> Result<(Socket, SockAddr), WsaError> {
    let src = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    ws.bind(src, &SockAddr::v4([127, 0, 0, 1], 0))?;
    let addr = ws.getsockname(src)?;
    ws.set_nonblocking(src, true)?;
    ws.listen(src, 5)?;
    Ok((src, addr))
}

fn receives_and_resets<W: Winsock + OverlappedIo + Iocp + Select>(ws: &W) -> Result<(), WsaError> {
    // L10555-10556
    let io_port = ws.create_io_completion_port(0);
    assert!(io_port.is_ok());
    let io_port = io_port?;
    let ov = Overlapped::new(1);

    // L10558-10597: a pending receive, then the peer's RST.
    let (src, dest) = common::pair(ws)?;
    assert_eq!(ws.associate_completion_port(dest, io_port, 125), Ok(()));
    ws.wsa_set_last_error(DEADBEEF);
    let r = ws.wsa_recv_overlapped(dest, vec![vec![0; BUF]], 0, ov, None);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    ws.sleep(100);
    common::rst_close(ws, src)?;
    dequeues(
        ws,
        io_port,
        100,
        ov,
        125,
        0,
        Some(WsaError::ERROR_NETNAME_DELETED),
    );
    times_out(ws, io_port, 100);
    ws.closesocket(dest)?;

    // L10601-10644: after the RST, an overlapped send on the nonblocking socket fails at
    // once with WSAECONNRESET and queues nothing.
    let (src, dest) = common::pair(ws)?;
    assert_eq!(ws.associate_completion_port(dest, io_port, 125), Ok(()));
    ws.set_nonblocking(dest, true)?;
    common::rst_close(ws, src)?;
    ws.sleep(100);
    ws.wsa_set_last_error(DEADBEEF);
    let mut num_bytes = 0xdeadbeef_u32;
    let r = ws.wsa_send_overlapped_out(dest, vec![vec![0; BUF]], &mut num_bytes, 0, ov, None);
    assert_eq!(r, Err(WsaError::WSAECONNRESET));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAECONNRESET.code());
    assert_eq!(num_bytes, 0xdeadbeef);
    times_out(ws, io_port, 200);
    ws.closesocket(dest)?;

    // L10646-10684: a receive that completes at once still queues its packet.
    let (src, dest) = common::pair(ws)?;
    ws.wsa_set_last_error(DEADBEEF);
    let ov_src = Overlapped::new(2);
    // The send on src (not associated) completes at once with all 1024 bytes.
    assert_eq!(
        ws.wsa_send_overlapped(src, vec![vec![0; BUF]], 0, ov_src, None),
        Ok(BUF)
    );
    ws.wsa_get_overlapped_result(src, &ov_src, true)?;
    assert_eq!(ws.associate_completion_port(dest, io_port, 125), Ok(()));
    ws.set_nonblocking(dest, true)?;
    let mut fds = FdSet::new();
    fds.set(dest);
    ws.select(Some(&mut fds), None, None, None)?;
    let mut num_bytes = 0xdeadbeef_u32;
    let r = ws.wsa_recv_overlapped_out(dest, vec![vec![0; BUF]], &mut num_bytes, 0, ov, None);
    assert_eq!(r, Ok(BUF));
    assert_eq!(num_bytes as usize, BUF);
    dequeues(ws, io_port, 200, ov, 125, BUF, None);

    // L10685-10715: after a graceful close the receive completes at once with 0 bytes, and
    // still queues its packet.
    ws.closesocket(src)?;
    let mut fds = FdSet::new();
    fds.set(dest);
    ws.select(Some(&mut fds), None, None, None)?;
    let mut num_bytes = 0xdeadbeef_u32;
    let r = ws.wsa_recv_overlapped_out(dest, vec![vec![0; BUF]], &mut num_bytes, 0, ov, None);
    assert_eq!(r, Ok(0));
    assert_eq!(num_bytes, 0);
    dequeues(ws, io_port, 200, ov, 125, 0, None);
    ws.closesocket(dest)?;

    // L10717-10757: a receive after the peer's RST fails at once with WSAECONNRESET and
    // queues nothing (bug 38980).
    let (src, dest) = common::pair(ws)?;
    assert_eq!(ws.associate_completion_port(dest, io_port, 125), Ok(()));
    ws.set_nonblocking(dest, true)?;
    common::rst_close(ws, src)?;
    let mut fds = FdSet::new();
    fds.set(dest);
    ws.select(Some(&mut fds), None, None, None)?;
    ws.wsa_set_last_error(DEADBEEF);
    let mut num_bytes = 0xdeadbeef_u32;
    let r = ws.wsa_recv_overlapped_out(dest, vec![vec![0; BUF]], &mut num_bytes, 0, ov, None);
    assert_eq!(r, Err(WsaError::WSAECONNRESET));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAECONNRESET.code());
    assert_eq!(num_bytes, 0xdeadbeef);
    times_out(ws, io_port, 200);
    ws.closesocket(dest)?;

    // L10759-10790: a receive on a socket never connected fails at once with WSAENOTCONN
    // and queues nothing.
    let dest = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(dest.is_ok());
    let dest = dest?;
    assert_eq!(ws.associate_completion_port(dest, io_port, 125), Ok(()));
    ws.set_nonblocking(dest, true)?;
    ws.wsa_set_last_error(DEADBEEF);
    let mut num_bytes = 0xdeadbeef_u32;
    let r = ws.wsa_recv_overlapped_out(dest, vec![vec![0; BUF]], &mut num_bytes, 0, ov, None);
    assert_eq!(r, Err(WsaError::WSAENOTCONN));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTCONN.code());
    assert_eq!(num_bytes, 0xdeadbeef);
    times_out(ws, io_port, 200);
    ws.closesocket(dest)?;
    ws.close_completion_port(io_port)?;
    Ok(())
}

#[test]
fn sockc_completion_port_receives_sends_and_resets() {
    // Proves (L10555-10790): a pending receive ends with a FALSE packet,
    // ERROR_NETNAME_DELETED, key 125, 0 bytes when the peer resets; then the port is empty
    // (WAIT_TIMEOUT). After a reset, WSASend and WSARecv fail at once with WSAECONNRESET and
    // queue nothing; a receive that completes at once (data, or 0 bytes after a graceful
    // close) returns 0 and still queues a TRUE packet that leaves the last error untouched;
    // a receive on an unconnected socket fails with WSAENOTCONN, queueing nothing.
    run(receives_and_resets::<winsock_sim::sim::SimWinsock>);
}

/// Which handle of a duplicated listener sock.c closes first (L10882-11060).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DupClose {
    /// A wait, then the original, then the duplicate (L10882-10936).
    SrcThenDup,
    /// The duplicate, two waits, then the original (L10938-11000).
    DupFirst,
    /// The original, a wait, then the duplicate (L11002-11060).
    SrcFirst,
}

fn accept_ex_and_closed_listeners<
    W: Winsock + OverlappedIo + Iocp + WinsockExt + ProtocolInfoApi,
>(
    ws: &W,
) -> Result<(), WsaError> {
    let io_port = ws.create_io_completion_port(0)?;
    let ov = Overlapped::new(1);
    // L10792-10796: dest, and AcceptEx through SIO_GET_EXTENSION_FUNCTION_POINTER.
    let dest = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(dest.is_ok());
    let dest = dest?;
    let accept_ex = match ws.get_extension_function_pointer(dest, &WSAID_ACCEPTEX, 8) {
        Ok(ExtensionFunction::AcceptEx(f)) => f,
        other => panic!("failed to get AcceptEx: {other:?}"),
    };

    // L10798-10839: the port associated after AcceptEx; closing the listener completes the
    // AcceptEx with ERROR_OPERATION_ABORTED on the listener's key.
    let (src, _) = setup_iocp_src(ws)?;
    ws.wsa_set_last_error(DEADBEEF);
    let r = accept_ex.call(ws, src, dest, vec![0; ACCEPT_DATA], ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.associate_completion_port(src, io_port, 125), Ok(()));
    ws.closesocket(src)?;
    dequeues(
        ws,
        io_port,
        100,
        ov,
        125,
        0,
        Some(WsaError::WSA_OPERATION_ABORTED),
    );
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_CANCELLED);
    times_out(ws, io_port, 200);

    // L10840-10881: the same with the port associated before AcceptEx.
    let (src, _) = setup_iocp_src(ws)?;
    assert_eq!(ws.associate_completion_port(src, io_port, 125), Ok(()));
    ws.wsa_set_last_error(DEADBEEF);
    let r = accept_ex.call(ws, src, dest, vec![0; ACCEPT_DATA], ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    ws.closesocket(src)?;
    dequeues(
        ws,
        io_port,
        100,
        ov,
        125,
        0,
        Some(WsaError::WSA_OPERATION_ABORTED),
    );
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_CANCELLED);
    times_out(ws, io_port, 200);

    // L10882-11060: AcceptEx issued through a duplicate of the listener (WSADuplicateSocketA
    // + WSASocketA(AF_INET, SOCK_STREAM, 0, &info, 0, WSA_FLAG_OVERLAPPED)). The duplicate
    // shares the listener's completion port association (key 125); closing one of the two
    // handles cancels nothing, closing the last one cancels the AcceptEx. Three orders:
    // original then duplicate, duplicate then original (with waits between), original
    // first with the duplicate closed last.
    for order in [DupClose::SrcThenDup, DupClose::DupFirst, DupClose::SrcFirst] {
        let (src, _) = setup_iocp_src(ws)?;
        ws.wsa_set_last_error(DEADBEEF);
        assert_eq!(
            ws.associate_completion_port(src, io_port, 125),
            Ok(()),
            "L10889 {order:?}"
        );
        let mut info = winsock_sim::api::protocol_info::catalog()[0].clone();
        ws.wsa_duplicate_socket(src, ws.get_current_process_id(), Some(&mut info))?;
        let dup =
            ws.wsa_socket_from_info(AF_INET, SOCK_STREAM, 0, Some(&info), WSA_FLAG_OVERLAPPED);
        assert!(dup.is_ok(), "L10893 {order:?}: {dup:?}");
        let dup = dup?;
        let r = accept_ex.call(ws, dup, dest, vec![0; ACCEPT_DATA], ov);
        assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "L10898 {order:?}");
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
        let (first, last) = match order {
            DupClose::SrcThenDup => {
                times_out(ws, io_port, 200);
                (src, dup)
            }
            DupClose::DupFirst => (dup, src),
            DupClose::SrcFirst => (src, dup),
        };
        ws.closesocket(first)?;
        if order != DupClose::SrcThenDup {
            // One handle closed, the socket still open: nothing is queued.
            times_out(ws, io_port, 200);
        }
        if order == DupClose::DupFirst {
            times_out(ws, io_port, 200);
        }
        ws.closesocket(last)?;
        dequeues(
            ws,
            io_port,
            100,
            ov,
            125,
            0,
            Some(WsaError::WSA_OPERATION_ABORTED),
        );
        assert_eq!(ws.overlapped_internal(&ov).0, STATUS_CANCELLED);
        times_out(ws, io_port, 200);
    }

    // L11061-11083: a listener without AcceptEx closed: nothing queued.
    let (src, _) = setup_iocp_src(ws)?;
    assert_eq!(ws.associate_completion_port(src, io_port, 125), Ok(()));
    ws.closesocket(src)?;
    times_out(ws, io_port, 200);

    // L11084-11137: the accept socket associated with key 236; AcceptEx with a receive
    // buffer, a client connects and closes without sending: the packet comes on the
    // listener's key 125, TRUE, 0 bytes.
    let (src, bind_address) = setup_iocp_src(ws)?;
    let connector = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(connector.is_ok());
    let connector = connector?;
    assert_eq!(ws.associate_completion_port(src, io_port, 125), Ok(()));
    assert_eq!(ws.associate_completion_port(dest, io_port, 236), Ok(()));
    let r = accept_ex.call(ws, src, dest, vec![0; ACCEPT_DATA], ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.connect(connector, &bind_address), Ok(()));
    ws.closesocket(connector)?;
    dequeues(ws, io_port, 100, ov, 125, 0, None);
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_SUCCESS);
    times_out(ws, io_port, 200);
    ws.closesocket(dest)?;
    ws.closesocket(src)?;

    // L11138-11199: the client sends 1 byte; closing the accept socket after it arrived
    // leaves the AcceptEx completed with that byte.
    let (src, bind_address) = setup_iocp_src(ws)?;
    let dest = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(dest.is_ok());
    let dest = dest?;
    let connector = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(connector.is_ok());
    let connector = connector?;
    assert_eq!(ws.associate_completion_port(src, io_port, 125), Ok(()));
    assert_eq!(ws.associate_completion_port(dest, io_port, 236), Ok(()));
    let r = accept_ex.call(ws, src, dest, vec![0; ACCEPT_DATA], ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.connect(connector, &bind_address), Ok(()));
    assert_eq!(ws.send(connector, &[0], 0), Ok(1));
    ws.sleep(100);
    ws.closesocket(dest)?;
    dequeues(ws, io_port, 100, ov, 125, 1, None);
    assert_eq!(ws.overlapped_internal(&ov).0, STATUS_SUCCESS);
    times_out(ws, io_port, 200);
    ws.closesocket(src)?;
    ws.closesocket(connector)?;

    // L11200-11256: connected but no data yet: closing the accept socket ends the AcceptEx
    // with ERROR_OPERATION_ABORTED or ERROR_CONNECTION_ABORTED, 0 bytes, key 125.
    let (src, bind_address) = setup_iocp_src(ws)?;
    let dest = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(dest.is_ok());
    let dest = dest?;
    let connector = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(connector.is_ok());
    let connector = connector?;
    assert_eq!(ws.associate_completion_port(src, io_port, 125), Ok(()));
    assert_eq!(ws.associate_completion_port(dest, io_port, 236), Ok(()));
    let r = accept_ex.call(ws, src, dest, vec![0; ACCEPT_DATA], ov);
    assert_eq!(r, Err(WsaError::WSA_IO_PENDING));
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(ws.connect(connector, &bind_address), Ok(()));
    ws.closesocket(dest)?;
    ws.wsa_set_last_error(DEADBEEF);
    let p = ws.get_queued_completion_status(io_port, 100)?;
    assert!(matches!(
        p.error,
        Some(WsaError::WSA_OPERATION_ABORTED | WsaError::ERROR_CONNECTION_ABORTED)
    ));
    assert_eq!(ws.wsa_get_last_error(), p.error.map_or(0, |e| e.code()));
    assert_eq!(p.key, 125);
    assert_eq!(p.bytes, 0);
    assert_eq!(p.overlapped, Some(ov));
    let internal = ws.overlapped_internal(&ov).0;
    assert!(internal == STATUS_CANCELLED || internal == STATUS_CONNECTION_ABORTED);
    times_out(ws, io_port, 200);
    ws.closesocket(src)?;
    ws.closesocket(connector)?;
    ws.close_completion_port(io_port)?;
    Ok(())
}

#[test]
fn sockc_completion_port_accept_ex_and_closed_listeners() {
    // Proves (L10792-10881, L11061-11256): AcceptEx pends (ERROR_IO_PENDING); closing its
    // listener, associated before or after, queues one FALSE packet ERROR_OPERATION_ABORTED,
    // key 125, 0 bytes, then nothing; an idle listener's close queues nothing; a completed
    // AcceptEx comes on the listener's key (125, not the accept socket's 236) with the bytes
    // received (0, or the 1 byte that arrived before the accept socket was closed); closing
    // the accept socket before any data aborts it (ERROR_OPERATION_ABORTED or
    // ERROR_CONNECTION_ABORTED).
    run(accept_ex_and_closed_listeners::<winsock_sim::sim::SimWinsock>);
}
