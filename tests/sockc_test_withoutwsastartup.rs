//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_WithoutWSAStartup` (Wine 10.0 lines
//! 982–995), facts only: calls made before any `WSAStartup` fail with WSANOTINITIALISED.
//!
//! | part of test_WithoutWSAStartup                          | ported | not expressible | failing |
//! |---------------------------------------------------------|-------:|----------------:|--------:|
//! | `WSASocketA(0, 0, 0, NULL, 0, 0)` fails, WSANOTINITIALISED, 986–989 |  2 |          0 |       0 |
//! | `gethostbyname("localhost")` fails, WSANOTINITIALISED, 991–994 |     2 |               0 |       0 |
//! | **total**                                               |      4 |               0 |       0 |
//!
//! Nothing is left not expressible. The same fact for `gethostbyname`'s successor is checked
//! too (`getaddrinfo("localhost")` before `WSAStartup` fails with WSANOTINITIALISED), not
//! counted.
//!
//! Older tests of the same rule: `tests/errors.rs` (calls before startup).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

/// The body runs on a thread that never called `WSAStartup`.
fn check<W: Winsock + WinsockExt + Resolve>(ws: &W) -> Result<(), WsaError> {
    // 985–989: WSASocketA(0, 0, 0, NULL, 0, 0) fails with WSANOTINITIALISED.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_socket(0, 0, 0, 0);
    common::fails(ws, r, WsaError::WSANOTINITIALISED, "987–989");
    // 991–994: gethostbyname("localhost") fails with WSANOTINITIALISED.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.gethostbyname("localhost");
    common::fails(ws, r, WsaError::WSANOTINITIALISED, "992–994");
    // Its successor (not counted): getaddrinfo before startup.
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.getaddrinfo(Some("localhost"), None, None);
    common::fails(
        ws,
        r,
        WsaError::WSANOTINITIALISED,
        "getaddrinfo before WSAStartup",
    );
    Ok(())
}

#[test]
fn without_wsastartup() {
    // Proves: WSASocket and gethostbyname (and getaddrinfo) before WSAStartup fail with
    // WSANOTINITIALISED (sock.c 982–995).
    let mut sim = Sim::builder().seed(common::seed()).build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", check);
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
}
