//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_extendedSocketOptions` (line numbers from
//! the Wine 10.0 tarball, where the function spans lines 5234–5333), facts only.
//!
//! Counted in `ok()` calls as Windows executes them:
//!
//! | part of test_extendedSocketOptions                      | ported | not expressible | failing |
//! |---------------------------------------------------------|-------:|----------------:|--------:|
//! | WSAStartup(2.0), UDP socket, bind, 5245–5257             |      3 |               0 |       0 |
//! | SO_MAX_MSG_SIZE on UDP, 5259–5263                        |      2 |               0 |       0 |
//! | invalid levels (0xffffffff … 0x800), 5265–5307           |      5 |               0 |       0 |
//! | SO_LINGER on UDP: WSAENOPROTOOPT, 5309–5314              |      1 |               0 |       0 |
//! | TCP socket, bind, SO_LINGER / SO_DONTLINGER agree, 5317–5330 |  5 |               0 |       0 |
//! | **total**                                               |     16 |               0 |       0 |
//!
//! sock.c accepts 65,507 or 65,527 for SO_MAX_MSG_SIZE on its IPv4 socket; Windows gives
//! 65,507 (the IPv4 figure), which is what is asserted, and 65,527 on IPv6 (asserted beside).
mod common;

use winsock_sim::prelude::*;

/// `getsockopt` into a 4-byte buffer pre-filled with 0xdeadbeef: the result, the buffer.
fn get4<W: Winsock>(ws: &W, s: Socket, level: i32, name: i32) -> (Result<usize, WsaError>, u32) {
    let mut b = 0xdead_beef_u32.to_le_bytes();
    let r = ws.getsockopt(s, level, name, &mut b);
    (r, u32::from_le_bytes(b))
}

fn check<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    // 5245–5246: WSAStartup with version 2.0.
    ws.wsa_startup(0x0002)?;
    let any = SockAddr::v4([0, 0, 0, 0], 0);

    // 5253–5257: a UDP socket (protocol IPPROTO_IP) binds.
    let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)?;
    ws.bind(u, &any)?;

    // 5259–5263: SO_MAX_MSG_SIZE succeeds, 4 bytes, 65,507.
    let (r, v) = get4(ws, u, SOL_SOCKET, SO_MAX_MSG_SIZE);
    assert_eq!(r, Ok(4), "SO_MAX_MSG_SIZE");
    assert_eq!(v, 65_507, "SO_MAX_MSG_SIZE on IPv4 UDP");

    // 5265–5307: levels that are not SOL_SOCKET (IE 3's 0xffffffff among them): WSAEINVAL.
    for level in [
        0xffff_ffff_u32,
        0x1234_ffff,
        0x8000_ffff,
        0x0000_8000,
        0x0000_0800,
    ] {
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let (r, _) = get4(ws, u, level as i32, SO_MAX_MSG_SIZE);
        common::fails(ws, r, WsaError::WSAEINVAL, &format!("level {level:#x}"));
    }

    // 5309–5314: SO_LINGER on UDP: WSAENOPROTOOPT.
    let (r, _) = get4(ws, u, SOL_SOCKET, SO_LINGER);
    common::fails(ws, r, WsaError::WSAENOPROTOOPT, "SO_LINGER on UDP");
    ws.closesocket(u)?;

    // 5317–5321: a TCP socket (protocol IPPROTO_IP) binds.
    let t = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_IP)?;
    ws.bind(t, &any)?;
    // 5323–5330: SO_LINGER and SO_DONTLINGER both read, and say opposite things.
    let (r, linger) = get4(ws, t, SOL_SOCKET, SO_LINGER);
    assert_eq!(r, Ok(4), "SO_LINGER");
    let (r, dont) = get4(ws, t, SOL_SOCKET, SO_DONTLINGER);
    assert!(r.is_ok(), "SO_DONTLINGER: {r:?}");
    let onoff = linger & 0xffff;
    assert!(
        (onoff != 0 && dont == 0) || (onoff == 0 && dont != 0),
        "SO_DONTLINGER {dont} vs l_onoff {onoff}"
    );
    ws.closesocket(t)?;
    ws.wsa_cleanup()
}

#[test]
fn extended_socket_options() {
    // Proves: SO_MAX_MSG_SIZE on UDP is 65,507; getsockopt with a level that is not a
    // protocol level fails with WSAEINVAL; SO_LINGER on UDP is WSAENOPROTOOPT; SO_LINGER's
    // l_onoff and SO_DONTLINGER are each other's negation (sock.c 5234–5333).
    common::run(check);
}

#[test]
fn so_max_msg_size_widths_and_families() {
    // Proves (beside sock.c): SO_MAX_MSG_SIZE is 65,527 on IPv6 UDP, read-only
    // (WSAENOPROTOOPT to set), needs a 4-byte buffer (WSAEFAULT), and has no meaning on a
    // stream socket (WSAENOPROTOOPT).
    common::run(|ws| {
        let u6 = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(get4(ws, u6, SOL_SOCKET, SO_MAX_MSG_SIZE), (Ok(4), 65_527));
        let mut b = [0u8; 3];
        let r = ws.getsockopt(u6, SOL_SOCKET, SO_MAX_MSG_SIZE, &mut b);
        common::fails(ws, r, WsaError::WSAEFAULT, "3-byte buffer");
        let r = ws.setsockopt(u6, SOL_SOCKET, SO_MAX_MSG_SIZE, &1000u32.to_le_bytes());
        common::fails(ws, r, WsaError::WSAENOPROTOOPT, "set");
        let t = common::tcp(ws)?;
        let (r, _) = get4(ws, t, SOL_SOCKET, SO_MAX_MSG_SIZE);
        common::fails(ws, r, WsaError::WSAENOPROTOOPT, "TCP");
        Ok(())
    });
}
