//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_errors` (line numbers from the Wine 10.0
//! tarball, where the function spans lines 4133–4168), facts only.
//!
//! | part of test_errors                                        | ported | not expressible | failing |
//! |------------------------------------------------------------|-------:|----------------:|--------:|
//! | socket, connect to a closed port: WSAECONNREFUSED, 4139–4153 |     3 |               0 |       0 |
//! | select for writing on the refused socket times out, 4155–4163 |    1 |               0 |       0 |
//! | closesocket, 4165–4166                                     |      1 |               0 |       0 |
//! | **total**                                                  |      5 |               0 |       0 |
mod common;

use std::time::Duration;

use winsock_sim::prelude::*;

fn check<W: Winsock + Select>(ws: &W) -> Result<(), WsaError> {
    // 4139–4141: a TCP socket (protocol 0).
    ws.wsa_set_last_error(0);
    let s = ws.socket(AF_INET, SOCK_STREAM, 0)?;
    // 4142–4153: connect to 127.0.0.1:6924, where nothing listens: WSAECONNREFUSED.
    let r = ws.connect(s, &SockAddr::v4([127, 0, 0, 1], 6924));
    common::fails(ws, r, WsaError::WSAECONNREFUSED, "4148–4152");
    // 4155–4163: the refused socket is not writable: select times out after 50 ms.
    let mut wr = FdSet::from_array(&[s]);
    let n = ws.select(None, Some(&mut wr), None, Some(Duration::from_millis(50)))?;
    assert_eq!(n, 0, "4162: select times out");
    // 4165–4166.
    ws.closesocket(s)
}

#[test]
fn errors() {
    // Proves: a refused connect fails with WSAECONNREFUSED and leaves a socket that select
    // never reports writable (sock.c 4133–4168).
    common::run(check);
}
