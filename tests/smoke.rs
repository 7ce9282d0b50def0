//! Smoke test: the harness and a loopback pair work end to end.
mod common;

use winsock_sim::prelude::*;

#[test]
fn pair_exchanges_bytes_both_ways() {
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        assert_eq!(ws.send(c, b"ping", 0)?, 4);
        assert_eq!(common::recv_exact(ws, s, 4)?, b"ping");
        assert_eq!(ws.send(s, b"pong!", 0)?, 5);
        assert_eq!(common::recv_exact(ws, c, 5)?, b"pong!");
        ws.closesocket(c)?;
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0, "graceful close reads as 0");
        ws.closesocket(s)
    });
}
