//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_WSASocket` (Wine 10.0 lines 3324–3712),
//! facts only: the argument rules of `WSASocket`, the type it picks when given 0, and
//! `setsockopt(SO_TYPE)` refused.
//!
//! | part of test_WSASocket                                         | ported | not expressible | failing |
//! |----------------------------------------------------------------|-------:|----------------:|--------:|
//! | the 29-row (family, type, protocol) table, 3339–3403           |      3 |               4 |       0 |
//! | `WSAEnumProtocolsA({TCP, IP})`, sockets from its first entry, 3405–3458 | 0 |         8 |       0 |
//! | a UDP socket: `SO_TYPE` is SOCK_DGRAM, setting it WSAEINVAL, 3460–3486 |  6 |         1 |       0 |
//! | a TCP socket: `SO_TYPE` is SOCK_STREAM, setting it WSAENOPROTOOPT, 3488–3512 | 6 |     1 |       0 |
//! | `WSAEnumProtocolsA(NULL)`, 3514–3529                           |      0 |               4 |       0 |
//! | `WSASocketA(AF_INET, 0, 0)` is a stream socket, 3531–3552      |      3 |               1 |       0 |
//! | `WSASocketA(0, 0, TCP / UDP)` picks stream / datagram, 3554–3578 |    3 |               1 |       0 |
//! | `SOCK_RAW` without administrator rights: WSAEACCES, 3580–3591  |      1 |               0 |       0 |
//! | the `SOCK_RAW` branch taken with administrator rights, 3592–3649 |    0 |              14 |       0 |
//! | `AF_IPX` unsupported: WSAEAFNOSUPPORT, 3651–3659               |      1 |               0 |       0 |
//! | the IPX branch taken where IPX is installed, 3660–3711         |      0 |              11 |       0 |
//! | **total**                                                      |     23 |              49 |       0 |
//!
//! Counts: each `ok()` of the text once (a loop body once, a row table once).
//!
//! Not expressible, by kind:
//! - `getsockopt(SO_PROTOCOL_INFOA/W)` and its fields (4 + 10 in the raw branch): the API has
//!   no `WSAPROTOCOL_INFO`; the table's successful rows check `SO_TYPE` and the local
//!   address family instead (not counted).
//! - `WSAEnumProtocolsA` and sockets made from a `WSAPROTOCOL_INFO` (8 + 4 + 2 + 2): no
//!   protocol catalogue in the API. Which entry Windows picks for type 0 / protocol 0 is
//!   still checked, as the type of the socket made (3546, 3571).
//! - The administrator-only `SOCK_RAW` branch (14 less the 10 above, counted there) and the
//!   IPX-installed branch (11): the simulator models an unprivileged process on a Windows
//!   without IPX, so these branches are the ones sock.c skips there.
//!
//! Older tests of the same rules: `src/api/socket_args.rs` (`er_03_socket_argument_table`,
//! the resolution table shared by the backends) and `tests/conformance.rs` (ER-03).
mod common;

use winsock_sim::prelude::*;

const BAD: i32 = 0xdead;
/// IPPROTO_ICMP (1), for the SOCK_RAW row.
const IPPROTO_ICMP: i32 = 1;
/// AF_IPX (6) and NSPROTO_IPX (1000), for the IPX rows.
const AF_IPX: i32 = 6;
const NSPROTO_IPX: i32 = 1000;

/// (family, type, protocol, error or the (family, type) created), sock.c 3341–3373.
type Row = (i32, i32, i32, Result<(i32, i32), WsaError>);

const ROWS: &[Row] = {
    use WsaError::*;
    &[
        (BAD, SOCK_STREAM, IPPROTO_TCP, Err(WSAEAFNOSUPPORT)),
        (-1, SOCK_STREAM, IPPROTO_TCP, Err(WSAEAFNOSUPPORT)),
        (AF_INET, BAD, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
        (AF_INET, -1, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
        (AF_INET, SOCK_STREAM, BAD, Err(WSAEPROTONOSUPPORT)),
        (AF_INET, SOCK_STREAM, -1, Err(WSAEPROTONOSUPPORT)),
        (BAD, BAD, IPPROTO_TCP, Err(WSAESOCKTNOSUPPORT)),
        (BAD, SOCK_STREAM, BAD, Err(WSAEAFNOSUPPORT)),
        (AF_INET, BAD, BAD, Err(WSAESOCKTNOSUPPORT)),
        (BAD, SOCK_STREAM, IPPROTO_UDP, Err(WSAEAFNOSUPPORT)),
        // 10
        (AF_INET, SOCK_STREAM, 0, Ok((AF_INET, SOCK_STREAM))),
        (AF_INET, SOCK_DGRAM, 0, Ok((AF_INET, SOCK_DGRAM))),
        (AF_INET, BAD, 0, Err(WSAESOCKTNOSUPPORT)),
        (AF_INET, 0, IPPROTO_TCP, Ok((AF_INET, SOCK_STREAM))),
        (AF_INET, 0, IPPROTO_UDP, Ok((AF_INET, SOCK_DGRAM))),
        (AF_INET, 0, BAD, Err(WSAEPROTONOSUPPORT)),
        (AF_INET, 0, 0, Ok((AF_INET, SOCK_STREAM))),
        (AF_INET, SOCK_STREAM, IPPROTO_UDP, Err(WSAEPROTONOSUPPORT)),
        (AF_INET, SOCK_DGRAM, IPPROTO_TCP, Err(WSAEPROTONOSUPPORT)),
        // 19 (AF_UNSPEC picks AF_INET; Windows 11 may pick AF_INET6, also accepted)
        (
            AF_UNSPEC,
            SOCK_STREAM,
            IPPROTO_TCP,
            Ok((AF_INET, SOCK_STREAM)),
        ),
        (AF_UNSPEC, SOCK_STREAM, BAD, Err(WSAEPROTONOSUPPORT)),
        (AF_UNSPEC, BAD, IPPROTO_UDP, Err(WSAESOCKTNOSUPPORT)),
        (AF_UNSPEC, SOCK_STREAM, 0, Err(WSAEINVAL)),
        (AF_UNSPEC, SOCK_DGRAM, 0, Err(WSAEINVAL)),
        (AF_UNSPEC, BAD, 0, Err(WSAEINVAL)),
        (AF_UNSPEC, 0, IPPROTO_TCP, Ok((AF_INET, SOCK_STREAM))),
        (AF_UNSPEC, 0, IPPROTO_UDP, Ok((AF_INET, SOCK_DGRAM))),
        (AF_UNSPEC, 0, BAD, Err(WSAEPROTONOSUPPORT)),
        (AF_UNSPEC, 0, 0, Err(WSAEINVAL)),
    ]
};

/// The family of `s`'s local address once bound to the wildcard of `family`.
fn bound_family<W: Winsock>(ws: &W, s: Socket, family: i32) -> Result<i32, WsaError> {
    let any = if family == AF_INET6 {
        SockAddr::v6([0; 8], 0)
    } else {
        SockAddr::v4([0, 0, 0, 0], 0)
    };
    ws.bind(s, &any)?;
    Ok(ws.getsockname(s)?.family())
}

fn table<W: Winsock + WinsockExt>(ws: &W) -> Result<(), WsaError> {
    for (i, &(af, ty, proto, want)) in ROWS.iter().enumerate() {
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_socket(af, ty, proto, 0);
        match want {
            // 3383, 3386.
            Err(e) => common::fails(ws, r, e, &format!("row {i}")),
            // 3383, 3392; the family and type (3397–3400) through SO_TYPE and getsockname.
            Ok((want_af, want_ty)) => {
                let s = r.unwrap_or_else(|e| panic!("row {i}: {e}"));
                assert_eq!(ws.wsa_get_last_error(), 0, "row {i}: WSAGetLastError");
                let got_ty = ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE)?;
                assert_eq!(got_ty, want_ty, "row {i}: type");
                assert_eq!(bound_family(ws, s, want_af)?, want_af, "row {i}: family");
                ws.closesocket(s)?;
            }
        }
    }
    Ok(())
}

/// `setsockopt(SO_TYPE, v)` fails with `want`, for both types.
fn so_type_read_only<W: Winsock>(ws: &W, s: Socket, want: WsaError) -> Result<(), WsaError> {
    for v in [SOCK_STREAM, SOCK_DGRAM] {
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.setsockopt_i32(s, SOL_SOCKET, SO_TYPE, v);
        common::fails(ws, r, want, &format!("setsockopt(SO_TYPE, {v})"));
    }
    Ok(())
}

fn so_type<W: Winsock + WinsockExt>(ws: &W) -> Result<(), WsaError> {
    // 3460–3486: a UDP socket; setting SO_TYPE gives WSAEINVAL (todo_wine: Windows truth).
    let s = ws.wsa_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, 0)?;
    assert_eq!(
        ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE)?,
        SOCK_DGRAM,
        "3472"
    );
    so_type_read_only(ws, s, WsaError::WSAEINVAL)?;
    ws.closesocket(s)?;
    // 3488–3512: a TCP socket; setting SO_TYPE gives WSAENOPROTOOPT.
    let s = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, 0)?;
    assert_eq!(
        ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE)?,
        SOCK_STREAM,
        "3497"
    );
    so_type_read_only(ws, s, WsaError::WSAENOPROTOOPT)?;
    ws.closesocket(s)
}

fn type_zero<W: Winsock + WinsockExt>(ws: &W) -> Result<(), WsaError> {
    // 3531–3552: no type and no protocol: the first PFL_MATCHES_PROTOCOL_ZERO entry, TCP.
    let s = ws.wsa_socket(AF_INET, 0, 0, 0)?;
    assert_eq!(
        ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE)?,
        SOCK_STREAM,
        "3546"
    );
    ws.closesocket(s)?;
    // 3554–3578: no family and no type: the first entry of the protocol.
    for (proto, ty) in [(IPPROTO_TCP, SOCK_STREAM), (IPPROTO_UDP, SOCK_DGRAM)] {
        let s = ws.wsa_socket(0, 0, proto, 0)?;
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE)?, ty, "3571");
        ws.closesocket(s)?;
    }
    Ok(())
}

fn raw_and_ipx<W: Winsock + WinsockExt>(ws: &W) -> Result<(), WsaError> {
    // 3580–3591: raw sockets need administrator rights: WSAEACCES at creation.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP, 0);
    common::fails(ws, r, WsaError::WSAEACCES, "3590");
    // 3651–3659: no IPX: WSAEAFNOSUPPORT.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_socket(AF_IPX, SOCK_DGRAM, NSPROTO_IPX, 0);
    common::fails(ws, r, WsaError::WSAEAFNOSUPPORT, "3658");
    Ok(())
}

#[test]
fn wsasocket_argument_table() {
    // Proves: each (family, type, protocol) row gives Windows' error, or a socket of the
    // family and type Windows picks (sock.c 3339–3403).
    common::run(table);
}

#[test]
fn wsasocket_so_type_is_read_only() {
    // Proves: SO_TYPE reads the socket's type; setting it fails, WSAEINVAL on a datagram
    // socket and WSAENOPROTOOPT on a stream one (sock.c 3460–3512).
    common::run(so_type);
}

#[test]
fn wsasocket_type_zero_picks_the_protocols_type() {
    // Proves: type 0 picks TCP's stream type, or the given protocol's type (sock.c 3531–3578).
    common::run(type_zero);
}

#[test]
fn wsasocket_raw_needs_rights_and_ipx_is_absent() {
    // Proves: SOCK_RAW fails with WSAEACCES for an unprivileged process and AF_IPX with
    // WSAEAFNOSUPPORT (sock.c 3580–3591, 3651–3659).
    common::run(raw_and_ipx);
}
