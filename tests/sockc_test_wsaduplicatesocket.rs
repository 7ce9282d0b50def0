//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_WSADuplicateSocket` (Wine 10.0 lines
//! 3717–3876), facts only: `WSADuplicateSocketA`'s checks and their order, the protocol info
//! it fills, a duplicate made with `WSASocketA(0, 0, 0, &info)` sharing the socket, and a
//! duplicate opened before its datagram socket was bound not seeing the binding.
//!
//! | part of test_WSADuplicateSocket                                  | ported | not expressible | failing |
//! |------------------------------------------------------------------|-------:|----------------:|--------:|
//! | bad arguments: WSAENOTSOCK, WSAEINVAL (process), WSAEFAULT, 3726–3757 | 11 |              0 |       0 |
//! | the info of a TCP socket, its duplicate opened, 3759–3775        |      5 |               0 |       0 |
//! | UDP: duplicated, bound, datagram sent on one handle and received on the other, 3777–3831 | 13 | 0 | 0 |
//! | UDP duplicated and opened before the bind: `recvfrom` on it WSAEINVAL (todo_wine), 3833–3875 | 10 | 0 | 0 |
//! | **total**                                                        |     39 |               0 |       0 |
//!
//! Counts: each `ok()` of the text once. The C code passes a NULL `WSAPROTOCOL_INFOA`
//! pointer as `None`, and reads the structure's fields from the 372 bytes
//! `WSADuplicateSocketA` fills ([`WsaProtocolInfo::decode_a`]), so the A layout is checked
//! too. `todo_wine` results are Windows' and are asserted as such.
mod common;

use winsock_sim::api::protocol_info::WsaProtocolInfo;
use winsock_sim::prelude::*;

const TESTSTR: &[u8; 5] = b"TEST\0";

/// `WSADuplicateSocketA(s, pid, &info)` decoded from the A layout.
fn duplicate_a<W: ProtocolInfoApi>(
    ws: &W,
    s: Socket,
    pid: u32,
) -> Result<WsaProtocolInfo, WsaError> {
    let mut raw = [0u8; WSAPROTOCOL_INFOA_LEN];
    ws.wsa_duplicate_socket_a(s, pid, Some(&mut raw))?;
    Ok(WsaProtocolInfo::decode_a(&raw).expect("372 bytes"))
}

fn bad_arguments<W: Winsock + ProtocolInfoApi + WinsockExt>(ws: &W) -> Result<(), WsaError> {
    let source = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, 0);
    assert!(source.is_ok(), "3727");
    let source = source?;
    let pid = ws.get_current_process_id();
    let mut raw = [0u8; WSAPROTOCOL_INFOA_LEN];
    let r = ws.wsa_duplicate_socket_a(Socket::from_raw(0), 0, None);
    common::fails(ws, r, WsaError::WSAENOTSOCK, "3731, 3733");
    let r = ws.wsa_duplicate_socket_a(source, 0, None);
    common::fails(ws, r, WsaError::WSAEINVAL, "3736, 3739");
    let r = ws.wsa_duplicate_socket_a(source, !0, Some(&mut raw));
    common::fails(ws, r, WsaError::WSAEINVAL, "3742, 3745");
    let r = ws.wsa_duplicate_socket_a(Socket::from_raw(0), pid, Some(&mut raw));
    common::fails(ws, r, WsaError::WSAENOTSOCK, "3748, 3751");
    let r = ws.wsa_duplicate_socket_a(source, pid, None);
    common::fails(ws, r, WsaError::WSAEFAULT, "3754, 3757");
    // 3759–3775: the structure returned.
    let info = duplicate_a(ws, source, pid);
    assert!(info.is_ok(), "3761: {info:?}");
    let info = info?;
    assert_eq!(info.protocol, IPPROTO_TCP, "3764");
    assert_eq!(info.address_family, AF_INET, "3766");
    assert_eq!(info.socket_type, SOCK_STREAM, "3768");
    let dup = ws.wsa_socket_from_info(0, 0, 0, Some(&info), 0);
    assert!(dup.is_ok(), "3772: {dup:?}");
    ws.closesocket(dup?)?;
    ws.closesocket(source)
}

fn udp_shared<W: Winsock + ProtocolInfoApi + WinsockExt>(ws: &W) -> Result<(), WsaError> {
    let source = ws.wsa_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, 0);
    assert!(source.is_ok(), "3780");
    let source = source?;
    let info = duplicate_a(ws, source, ws.get_current_process_id());
    assert!(info.is_ok(), "3783: {info:?}");
    let info = info?;
    assert_eq!(info.protocol, IPPROTO_UDP, "3786");
    assert_eq!(info.address_family, AF_INET, "3788");
    assert_eq!(info.socket_type, SOCK_DGRAM, "3790");
    assert_eq!(
        ws.bind(source, &SockAddr::v4([127, 0, 0, 1], 0)),
        Ok(()),
        "3796"
    );
    let addr = ws.getsockname(source);
    assert!(addr.is_ok(), "3802");
    let addr = addr?;
    assert_ne!(addr.port(), Some(0), "3804");
    let dup = ws.wsa_socket_from_info(0, 0, 0, Some(&info), 0);
    assert!(dup.is_ok(), "3807: {dup:?}");
    let dup = dup?;
    let ty = ws.getsockopt_i32(dup, SOL_SOCKET, SO_TYPE);
    assert!(ty.is_ok(), "3811");
    assert_eq!(ty?, SOCK_DGRAM, "3812");
    ws.ioctlsocket(source, FIONBIO, &mut 0)?;
    // Sent on the original to itself, received on the duplicate.
    assert_eq!(
        ws.sendto(source, TESTSTR, 0, &addr),
        Ok(TESTSTR.len()),
        "3820"
    );
    let mut buffer = [0u8; 16];
    let got = ws.recvfrom(dup, &mut buffer[..TESTSTR.len()], 0);
    assert_eq!(got.as_ref().map(|g| g.0), Ok(TESTSTR.len()), "3826");
    assert_eq!(&buffer[..TESTSTR.len()], TESTSTR, "3828");
    ws.closesocket(dup)?;
    ws.closesocket(source)
}

fn udp_duplicated_before_bind<W: Winsock + ProtocolInfoApi + WinsockExt>(
    ws: &W,
) -> Result<(), WsaError> {
    let source = ws.wsa_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, 0);
    assert!(source.is_ok(), "3836");
    let source = source?;
    let info = duplicate_a(ws, source, ws.get_current_process_id());
    assert!(info.is_ok(), "3839: {info:?}");
    let dup = ws.wsa_socket_from_info(0, 0, 0, Some(&info?), 0);
    assert!(dup.is_ok(), "3843: {dup:?}");
    let dup = dup?;
    assert_eq!(
        ws.bind(source, &SockAddr::v4([127, 0, 0, 1], 0)),
        Ok(()),
        "3848"
    );
    let addr = ws.getsockname(source);
    assert!(addr.is_ok(), "3854");
    let addr = addr?;
    assert_ne!(addr.port(), Some(0), "3856");
    ws.ioctlsocket(source, FIONBIO, &mut 0)?;
    assert_eq!(
        ws.sendto(source, TESTSTR, 0, &addr),
        Ok(TESTSTR.len()),
        "3862"
    );
    // todo_wine: Windows' duplicate still sees the socket unbound.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let mut buffer = [0u8; 16];
    let r = ws.recvfrom(dup, &mut buffer[..TESTSTR.len()], 0);
    common::fails(ws, r, WsaError::WSAEINVAL, "3868, 3871");
    ws.closesocket(dup)?;
    ws.closesocket(source)
}

#[test]
fn wsaduplicatesocket_checks_socket_then_process_then_buffer() {
    // Proves: WSADuplicateSocketA fails with WSAENOTSOCK, then WSAEINVAL for a bad process
    // id, then WSAEFAULT for a NULL info; a TCP socket's info names AF_INET, SOCK_STREAM,
    // IPPROTO_TCP and opens as a socket (sock.c 3726–3775).
    common::run(bad_arguments);
}

#[test]
fn wsaduplicatesocket_duplicate_receives_what_the_original_sent() {
    // Proves: a UDP socket's duplicate is the same socket: its type is SOCK_DGRAM and a
    // datagram the original sent to itself is received on the duplicate (sock.c 3777–3831).
    common::run(udp_shared);
}

#[test]
fn wsaduplicatesocket_duplicate_opened_before_bind_sees_it_unbound() {
    // Proves: a duplicate opened while its UDP socket was unbound fails recvfrom with
    // WSAEINVAL after the original is bound (sock.c 3833–3875, todo_wine: Windows' result).
    common::run(udp_duplicated_before_bind);
}

// ---- beyond sock.c (not counted): the duplicate and the handle-moving calls ----------------

/// A duplicate of `s`, opened.
fn dup_of<W: ProtocolInfoApi>(ws: &W, s: Socket) -> Result<Socket, WsaError> {
    let info = duplicate_a(ws, s, ws.get_current_process_id())?;
    ws.wsa_socket_from_info(0, 0, 0, Some(&info), 0)
}

fn accept_ex_into_a_duplicate<W: Winsock + ProtocolInfoApi + OverlappedIo>(
    ws: &W,
    close_given: bool,
) -> Result<(), WsaError> {
    let (l, addr) = common::listener(ws, 5)?;
    let a = common::tcp(ws)?;
    let d = dup_of(ws, a)?;
    let ov = Overlapped::new(7);
    assert_eq!(
        ws.accept_ex(l, d, Vec::new(), ov),
        Err(WsaError::WSA_IO_PENDING)
    );
    // Closing one of the accept socket's two handles cancels nothing.
    let (gone, kept) = if close_given { (d, a) } else { (a, d) };
    ws.closesocket(gone)?;
    assert_eq!(
        ws.getsockname(gone),
        Err(WsaError::WSAENOTSOCK),
        "that handle is closed"
    );
    let c = common::tcp(ws)?;
    ws.connect(c, &addr)?;
    let done = ws.wsa_get_overlapped_result(l, &ov, true)?;
    assert_eq!(done.error, None, "the AcceptEx completed");
    // The remaining handle names the accepted connection.
    common::update_accept_context(ws, kept, l)?;
    assert_eq!(ws.getpeername(kept)?, ws.getsockname(c)?);
    assert_eq!(ws.send(c, b"hi", 0), Ok(2));
    assert_eq!(common::recv_exact(ws, kept, 2)?, b"hi");
    for s in [kept, c, l] {
        ws.closesocket(s)?;
    }
    Ok(())
}

#[test]
fn accept_ex_into_a_duplicate_whose_given_handle_was_closed() {
    // Proves: AcceptEx given a duplicate handle as its accept socket still completes after
    // that handle is closed, into the socket's other handle (no handle left dangling).
    common::run(|ws| accept_ex_into_a_duplicate(ws, true));
}

#[test]
fn accept_ex_into_a_duplicate_whose_original_was_closed() {
    // Proves: AcceptEx into a duplicate completes after the original handle is closed, and
    // the duplicate names the accepted connection.
    common::run(|ws| accept_ex_into_a_duplicate(ws, false));
}

#[test]
fn closing_the_last_handle_ends_the_connection() {
    // Proves: a connection with two handles ends (the peer reads 0) only when both are
    // closed, and WSACleanup frees a duplicated socket once.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let d = dup_of(ws, c)?;
        ws.closesocket(c)?;
        assert_eq!(ws.send(d, b"x", 0), Ok(1));
        assert_eq!(common::recv_exact(ws, s, 1)?, b"x");
        ws.closesocket(d)?;
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0), Ok(0));
        let d2 = dup_of(ws, s)?;
        ws.wsa_cleanup()?;
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        assert_eq!(ws.getsockname(d2), Err(WsaError::WSAENOTSOCK));
        assert_eq!(ws.getsockname(s), Err(WsaError::WSAENOTSOCK));
        Ok(())
    });
}

#[test]
fn tf_reuse_socket_takes_the_duplicate_along() {
    // Proves: DisconnectEx(TF_REUSE_SOCKET) on a duplicated socket leaves both handles naming
    // the same fresh, unbound socket (the duplicate is not left on the old connection).
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let d = dup_of(ws, c)?;
        ws.disconnect_ex(c, None, TF_REUSE_SOCKET)?;
        assert_eq!(ws.getsockname(d), Err(WsaError::WSAEINVAL), "unbound");
        ws.bind(d, &SockAddr::v4([127, 0, 0, 1], 0))?;
        assert_eq!(ws.getsockname(c)?, ws.getsockname(d)?, "one socket");
        ws.closesocket(c)?;
        assert!(ws.getsockname(d).is_ok(), "the duplicate still open");
        ws.closesocket(d)?;
        ws.closesocket(s)
    });
}
