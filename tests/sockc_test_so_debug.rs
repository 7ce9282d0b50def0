//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_so_debug` (Wine 10.0 lines 13416–13449),
//! facts only: SO_DEBUG reads 0 by default as a 4-byte value, accepts any value, and reads
//! back 1 after a non-zero one.
//!
//! | part of test_so_debug                                  | ported | not expressible | failing |
//! |--------------------------------------------------------|-------:|----------------:|--------:|
//! | default: success, last error 0, 4 bytes, 0, 13424–13431 |      4 |               0 |       0 |
//! | set 2: success, last error 0 (todo_wine), 13433–13437  |      2 |               0 |       0 |
//! | read back: success, last error 0, 4 bytes, 1 (todo_wine), 13439–13446 | 4 |      0 |       0 |
//! | **total**                                              |     10 |               0 |       0 |
//!
//! Older tests of the same option: `tests/sockc_test_set_getsockopt.rs` (SO_DEBUG's optlen
//! rules in test_optsize's table).
mod common;

use winsock_sim::prelude::*;

/// `getsockopt(SO_DEBUG)` into a 4-byte 0xdeadbeef buffer: (value, optlen).
fn get_debug<W: Winsock>(ws: &W, s: Socket) -> Result<(u32, usize), WsaError> {
    let mut debug = 0xdead_beef_u32.to_le_bytes();
    let len = ws.getsockopt(s, SOL_SOCKET, SO_DEBUG, &mut debug)?;
    Ok((u32::from_le_bytes(debug), len))
}

fn body<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    // 13424–13431: 0 by default, 4 bytes written.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    assert_eq!(get_debug(ws, s), Ok((0, 4)), "13428, 13430, 13431");
    assert_eq!(ws.wsa_get_last_error(), 0, "13429");
    // 13433–13437: setting 2 works and clears the last error (todo_wine: Windows truth).
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    assert_eq!(
        ws.setsockopt(s, SOL_SOCKET, SO_DEBUG, &2u32.to_le_bytes()),
        Ok(()),
        "13436"
    );
    assert_eq!(ws.wsa_get_last_error(), 0, "13437");
    // 13439–13446: it reads back as 1 (todo_wine: Windows truth).
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    assert_eq!(get_debug(ws, s), Ok((1, 4)), "13443, 13445, 13446");
    assert_eq!(ws.wsa_get_last_error(), 0, "13444");
    ws.closesocket(s)
}

#[test]
fn so_debug() {
    // Proves: SO_DEBUG is a 4-byte boolean, 0 by default, that reads back 1 after any
    // non-zero value (sock.c 13416–13449).
    common::run(body);
}
