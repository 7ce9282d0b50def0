//! Wine `dlls/ws2_32/tests/afd.c`, function `test_getsockname` (L2368-2441 of the file at
//! Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines counted),
//! facts only: what IOCTL_AFD_GETSOCKNAME answers, checked through `getsockname`, which
//! ws2_32 builds on it. Our own code.
//!
//! Counting: each `ok()` once. The ioctl's return and `io.Information` (16, a SOCKADDR_IN)
//! are getsockname's result and name length; STATUS_INVALID_PARAMETER on an unbound socket
//! is WSAEINVAL; `io.Status` of a call that completed at once has no WinSock counterpart.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L2378-2384 a connected socket, output one byte short (1) | 0 | 1 | 0 |
//! | L2386-2396 the client's name (5) | 4 (getsockname) | 1 | 0 |
//! | L2398-2408 the accepted socket's name (5) | 4 (getsockname, the peer's getpeername) | 1 | 0 |
//! | L2413-2421 unbound, with and without a short buffer (2) | 1 (getsockname → WSAEINVAL) | 1 | 0 |
//! | L2423-2436 bound to loopback, then the name (6) | 5 (bind, getsockname) | 1 | 0 |
//! | **total (19)** | **14** | **5** | **0** |
//!
//! Not expressible, per kind: a name buffer shorter than the address (2: L2384, and L2421
//! where the unbound socket's STATUS_INVALID_PARAMETER wins over the size; getsockname takes
//! no `namelen` here, tests/sockc_test_getsockname.rs says the same of sock.c's WSAEFAULT
//! case); `io.Status` (3).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// The ioctl (success, 16 bytes) and getsockname after it (success, the same name).
fn name(ws: &SimWinsock, s: Socket, what: &str) -> Result<SockAddr, WsaError> {
    let a = ws.getsockname(s)?;
    assert_eq!(a.as_bytes().len(), SOCKADDR_IN_LEN, "{what}: information");
    assert_eq!(ws.getsockname(s)?, a, "{what}: the same name");
    Ok(a)
}

#[test]
fn names_of_connected_unbound_and_bound_sockets() {
    common::run(|ws| {
        let (client, server) = common::pair(ws)?; // L2376
                                                  // L2386-2396 (L2390, L2392, L2395-2396).
        let c = name(ws, client, "L2390-2396")?;
        // L2398-2408 (L2402, L2404, L2407-2408); the accepted socket's name is the address
        // the client connected to.
        let s = name(ws, server, "L2402-2408")?;
        assert_eq!(ws.getpeername(client)?, s, "L2408: the peer's view");
        assert_eq!(ws.getpeername(server)?, c, "L2396: the peer's view");
        ws.closesocket(server)?;
        ws.closesocket(client)?;

        // L2413-2417: unbound: invalid.
        let client = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        common::fails(ws, ws.getsockname(client), WsaError::WSAEINVAL, "L2417");
        // L2423-2436 (L2424, L2430, L2432, L2435-2436).
        ws.bind(client, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let a = name(ws, client, "L2430-2436")?;
        assert_eq!(
            a.to_socket_addr().map(|x| x.ip()),
            Some([127, 0, 0, 1].into())
        );
        ws.closesocket(client)
    });
}
