//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_ipv6only` (Wine 10.0 lines 7325–7468),
//! facts only: IPV6_V6ONLY defaults to on, reads and writes on an IPv4 socket too, is fixed
//! once the socket is bound, and decides whether a v4 bind of the same port conflicts.
//!
//! | part of test_ipv6only                                           | ported | not expressible | failing |
//! |-----------------------------------------------------------------|-------:|----------------:|--------:|
//! | a v6 socket: V6ONLY is 1, bound to [::]:9374, 7345–7353         |      3 |               0 |       0 |
//! | a v4 socket: V6ONLY reads 1, set 0 / 1, binds 0.0.0.0:9374, 7355–7384 | 8 |            0 |       0 |
//! | after the bind: V6ONLY reads 1, setting it fails, 7386–7408     |      6 |               0 |       0 |
//! | V6ONLY 0 and SO_EXCLUSIVEADDRUSE on [::]:9376, 7413–7449        |      8 |               0 |       0 |
//! | a v4 socket with SO_REUSEADDR: bind 0.0.0.0:9376 WSAEACCES, 7451–7461 |  4 |            0 |       0 |
//! | **total**                                                       |     29 |               0 |       0 |
//!
//! Counts: each `ok()` of the text once. The `todo_wine` blocks (IPV6_V6ONLY read on an
//! IPv4 socket) are Windows truth and ported as such.
//!
//! Older tests of the same rules: `tests/dual_stack.rs` (dual-stack binds and V6ONLY).
mod common;

use winsock_sim::prelude::*;

const SERVERPORT: u16 = 9374;

fn v6only<W: Winsock>(ws: &W, s: Socket) -> Result<i32, WsaError> {
    ws.getsockopt_i32(s, IPPROTO_IPV6, IPV6_V6ONLY)
}

fn body<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let sin4 = |port| SockAddr::v4([0, 0, 0, 0], port);
    let sin6 = |port| SockAddr::v6([0; 8], port);

    // 7345–7353: a v6 socket is V6ONLY by default; bind [::]:9374.
    let v6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
    assert_eq!(v6only(ws, v6), Ok(1), "7349–7350");
    assert_eq!(ws.bind(v6, &sin6(SERVERPORT)), Ok(()), "7353");
    // 7355–7362: a v4 socket reads IPV6_V6ONLY too (todo_wine): 1.
    let v4 = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(v4.is_ok(), "7356");
    let v4 = v4?;
    assert_eq!(v6only(ws, v4), Ok(1), "7361–7362");
    // 7364–7374: set 0, reads 0 (todo_wine).
    assert_eq!(
        ws.setsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY, 0),
        Ok(()),
        "7368"
    );
    assert_eq!(v6only(ws, v4), Ok(0), "7373–7374");
    // 7376–7384: set 1; the v4 bind of the port the V6ONLY v6 socket holds works.
    assert_eq!(
        ws.setsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY, 1),
        Ok(()),
        "7380"
    );
    assert_eq!(ws.bind(v4, &sin4(SERVERPORT)), Ok(()), "7384");
    // 7386–7390: bound, it reads 1 (todo_wine).
    assert_eq!(v6only(ws, v4), Ok(1), "7389–7390");
    // 7392–7396: setting 0 once bound fails.
    assert!(
        ws.setsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY, 0).is_err(),
        "7396"
    );
    // 7398–7402: still 1 (todo_wine).
    assert_eq!(v6only(ws, v4), Ok(1), "7401–7402");
    // 7404–7408: setting 1 once bound fails as well.
    assert!(
        ws.setsockopt_i32(v4, IPPROTO_IPV6, IPV6_V6ONLY, 1).is_err(),
        "7408"
    );
    ws.closesocket(v4)?;
    ws.closesocket(v6)?;

    // 7413–7449: a v6 socket with V6ONLY off and SO_EXCLUSIVEADDRUSE binds [::]:9376.
    let port = SERVERPORT + 2;
    let v6 = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
    assert!(v6.is_ok(), "7418");
    let v6 = v6?;
    assert_eq!(
        ws.setsockopt_i32(v6, IPPROTO_IPV6, IPV6_V6ONLY, 0),
        Ok(()),
        "7423"
    );
    assert_eq!(v6only(ws, v6), Ok(0), "7427–7428");
    assert_eq!(
        ws.setsockopt_i32(v6, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1),
        Ok(()),
        "7440"
    );
    assert_eq!(ws.bind(v6, &sin6(port)), Ok(()), "7443");
    assert_eq!(v6only(ws, v6), Ok(0), "7448–7449");
    // 7451–7461: a v4 socket with SO_REUSEADDR cannot take the port: WSAEACCES.
    let v4 = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert!(v4.is_ok(), "7452");
    let v4 = v4?;
    assert_eq!(
        ws.setsockopt_i32(v4, SOL_SOCKET, SO_REUSEADDR, 1),
        Ok(()),
        "7456"
    );
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.bind(v4, &sin4(port));
    common::fails(ws, r, WsaError::WSAEACCES, "7460–7461");
    ws.closesocket(v4)?;
    ws.closesocket(v6)
}

#[test]
fn ipv6only() {
    // Proves: IPV6_V6ONLY is on by default, readable and settable on an IPv4 socket until it
    // is bound (then fixed at 1), lets a v4 bind share the port of a V6ONLY v6 socket, and a
    // dual-stack exclusive v6 bind makes a v4 SO_REUSEADDR bind of its port fail with
    // WSAEACCES (sock.c 7325–7468).
    common::run(body);
}
