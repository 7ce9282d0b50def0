//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_reuseaddr` (the brief's
//! "test_so_reuseaddr"; line numbers from the Wine 10.0 tarball, where the function spans
//! lines 2110–2611), facts only. Every phase of the per-family loop (2269–2551) runs for
//! AF_INET (127.0.0.1 / 0.0.0.0) and AF_INET6 ([::1] / [::]) on port 9375 (SERVERPORT + 1).
//!
//! Counted in `ok()` calls as Windows executes them:
//!
//! | part of test_reuseaddr                               | ported | not expressible | failing |
//! |------------------------------------------------------|-------:|----------------:|--------:|
//! | inet_pton of the v4-mapped addresses, 2261–2267      |      0 |               2 |       0 |
//! | per-family loop 2269–2551 (71 calls × 2 families)    |    142 |               0 |       0 |
//! | SO_REUSEADDR / SO_EXCLUSIVEADDRUSE exclusion 2553–2574 | (3, in sockopt.rs op_11) | 0 | 0 |
//! | tests_exclusive table 2576–2611 (6 calls × 20 rows)  | (120, in sockopt.rs op_11) | 0 | 0 |
//! | **total here**                                       |    142 |               2 |       0 |
//!
//! Not expressible: the two `inet_pton` results (2263, 2267) — SockAddr is built from
//! numbers, there is no text parsing step to check (2 calls). The exclusion and the
//! tests_exclusive rows are already ported, row for row, by `sockopt.rs`
//! (op_11_so_exclusiveaddruse_ipv4_rows, op_11_so_exclusiveaddruse_dual_stack_rows) and are not
//! duplicated here.
mod common;

use winsock_sim::prelude::*;

/// SERVERPORT + 1, the port test_reuseaddr binds.
const PORT: u16 = 9375;

/// One row of sock.c's `tests` (2115–2127): a family with its wildcard and loopback address.
struct Fam {
    af: i32,
    any: SockAddr,
    lo: SockAddr,
}

fn families() -> [Fam; 2] {
    [
        Fam {
            af: AF_INET,
            any: SockAddr::v4([0, 0, 0, 0], PORT),
            lo: SockAddr::v4([127, 0, 0, 1], PORT),
        },
        Fam {
            af: AF_INET6,
            any: SockAddr::v6([0; 8], PORT),
            lo: SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], PORT),
        },
    ]
}

/// Unwraps `r`, naming the failed step.
fn must<T>(r: Result<T, WsaError>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

/// `socket(af, SOCK_STREAM, 0)`, optionally with SO_REUSEADDR = 1.
fn stream<W: Winsock>(ws: &W, f: &Fam, reuse: bool) -> Socket {
    let s = must(ws.socket(f.af, SOCK_STREAM, 0), "socket");
    if reuse {
        must(
            ws.setsockopt_i32(s, SOL_SOCKET, SO_REUSEADDR, 1),
            "SO_REUSEADDR",
        );
    }
    s
}

/// Connects a new socket to `f.lo` and accepts it on `listener` (the "delivered to" checks).
fn connect_and_accept<W: Winsock>(ws: &W, f: &Fam, listener: Socket, what: &str) {
    let c = stream(ws, f, false);
    must(ws.connect(c, &f.lo), &format!("{what}: connect"));
    let (a, _) = must(ws.accept(listener), &format!("{what}: accept"));
    must(ws.closesocket(c), "close");
    must(ws.closesocket(a), "close");
}

/// Runs `phase` for both families, each in a fresh simulation.
fn each_family(phase: fn(&SimWinsock, &Fam)) {
    for f in families() {
        common::run(move |ws| {
            phase(ws, &f);
            Ok(())
        });
    }
}

use winsock_sim::sim::SimWinsock;

#[test]
fn reuseaddr_on_second_socket_only_is_wsaeacces() {
    // Proves: SO_REUSEADDR on the second socket only cannot take a port bound without it:
    // WSAEACCES (sock.c 2274–2294).
    each_family(|ws, f| {
        let s1 = stream(ws, f, false);
        must(ws.bind(s1, &f.lo), "bind s1");
        let s2 = stream(ws, f, true);
        common::fails(ws, ws.bind(s2, &f.lo), WsaError::WSAEACCES, "bind s2");
    });
}

#[test]
fn reuseaddr_on_both_binds_and_first_listener_gets_connections() {
    // Proves: SO_REUSEADDR defaults to 0 and a plain bind onto a SO_REUSEADDR bind fails,
    // after which setting SO_REUSEADDR lets the same socket bind; both listen, and a
    // connection goes to the first (sock.c 2296–2345).
    each_family(|ws, f| {
        let s1 = stream(ws, f, true);
        must(ws.bind(s1, &f.lo), "bind s1");
        let s2 = stream(ws, f, false);
        let mut b = 0x1234u32.to_le_bytes();
        must(ws.getsockopt(s2, SOL_SOCKET, SO_REUSEADDR, &mut b), "get");
        assert_eq!(u32::from_le_bytes(b), 0, "SO_REUSEADDR default");
        assert!(ws.bind(s2, &f.lo).is_err(), "plain bind onto a reuse bind");
        must(ws.setsockopt_i32(s2, SOL_SOCKET, SO_REUSEADDR, 1), "set");
        must(ws.bind(s2, &f.lo), "bind s2 after SO_REUSEADDR");
        must(ws.listen(s1, 1), "listen s1");
        must(ws.listen(s2, 1), "listen s2");
        connect_and_accept(ws, f, s1, "first listener");
    });
}

#[test]
fn wildcard_listener_then_loopback_listener_takes_loopback_connections() {
    // Proves: with a wildcard listener on the port, a plain bind + listen on loopback works
    // and a connection to loopback is delivered to the loopback listener (sock.c 2347–2375).
    each_family(|ws, f| {
        let s1 = stream(ws, f, false);
        must(ws.bind(s1, &f.any), "bind any");
        must(ws.listen(s1, 1), "listen any");
        let s2 = stream(ws, f, false);
        must(ws.bind(s2, &f.lo), "bind loopback");
        must(ws.listen(s2, 1), "listen loopback");
        connect_and_accept(ws, f, s2, "loopback listener");
    });
}

#[test]
fn loopback_listener_then_wildcard_listener_keeps_loopback_connections() {
    // Proves: with a loopback listener on the port, a plain bind + listen on the wildcard
    // works and a connection to loopback is still delivered to the loopback listener (sock.c
    // 2377–2407).
    each_family(|ws, f| {
        let s1 = stream(ws, f, false);
        must(ws.bind(s1, &f.lo), "bind loopback");
        must(ws.listen(s1, 1), "listen loopback");
        let s2 = stream(ws, f, false);
        must(ws.bind(s2, &f.any), "bind any");
        must(ws.listen(s2, 1), "listen any");
        connect_and_accept(ws, f, s1, "loopback listener");
    });
}

#[test]
fn two_plain_wildcard_binds_are_wsaeaddrinuse() {
    // Proves: two plain binds of the wildcard address on one port: WSAEADDRINUSE (sock.c
    // 2409–2422).
    each_family(|ws, f| {
        let s1 = stream(ws, f, false);
        must(ws.bind(s1, &f.any), "bind s1");
        let s2 = stream(ws, f, false);
        common::fails(ws, ws.bind(s2, &f.any), WsaError::WSAEADDRINUSE, "bind s2");
    });
}

#[test]
fn successive_reuse_binds_hand_connections_on_in_bind_order() {
    // Proves: four SO_REUSEADDR sockets bound to one address in turn (two of them after the
    // first has listened and closed) take the connections one after another: the first
    // listener, then the second one as soon as the first closes, then the third and the
    // fourth as each earlier one closes (sock.c 2424–2548).
    each_family(|ws, f| {
        let [s1, s2, s3, s4] = [0; 4].map(|_| stream(ws, f, true));
        must(ws.bind(s1, &f.lo), "bind s1");
        must(ws.bind(s2, &f.lo), "bind s2");
        must(ws.listen(s1, 1), "listen s1");
        must(ws.listen(s2, 1), "listen s2");
        connect_and_accept(ws, f, s1, "first socket");
        must(ws.closesocket(s1), "close s1");

        must(ws.bind(s3, &f.lo), "bind s3");
        connect_and_accept(ws, f, s2, "second socket");
        must(ws.closesocket(s2), "close s2");

        must(ws.bind(s4, &f.lo), "bind s4");
        must(ws.listen(s3, 1), "listen s3");
        connect_and_accept(ws, f, s3, "third socket");
        must(ws.closesocket(s3), "close s3");

        must(ws.listen(s4, 1), "listen s4");
        connect_and_accept(ws, f, s4, "fourth socket");
    });
}
