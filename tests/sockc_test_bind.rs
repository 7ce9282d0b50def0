//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_bind` (line numbers from the Wine 10.0
//! tarball, where the function spans lines 12604–12758), facts only.
//!
//! Counted in `ok()` calls as Windows executes them; the adapter loop once per address of
//! the simulated host's interfaces, as GetAdaptersAddresses lists them on Windows: its
//! address 192.0.2.1 and the loopback interface's 127.0.0.1 and ::1 (2 `ok()`s per address,
//! 14 more for the IPv6 one).
//!
//! | part of test_bind                                           | ported | not expressible | failing |
//! |-------------------------------------------------------------|-------:|----------------:|--------:|
//! | bad addresses: none, short, unknown family, 12615–12643       |      8 |               2 |       0 |
//! | an address not on the host: WSAEADDRNOTAVAIL, 12645–12648    |      2 |               0 |       0 |
//! | bind, bind again, getsockname, address in use, 12650–12667   |      7 |               0 |       0 |
//! | UDP: not on the host, then loopback, 12672–12682             |      4 |               0 |       0 |
//! | GetAdaptersAddresses, 12686–12687                            |      0 |               1 |       0 |
//! | each address binds (3 addresses), 12697–12703                |      6 |               0 |       0 |
//! | IPv6: length, short sockaddr, scope id, getsockname, 12705–12750 | 12 |              2 |       0 |
//! | **total**                                                    |     39 |               5 |       0 |
//!
//! Not expressible, per kind: a NULL address with a nonzero length (2); GetAdaptersAddresses
//! (1: the addresses are the host's, listed above); a `namelen` of sizeof(sockaddr_in6_old)
//! for getsockname (2).
mod common;

use std::net::{Ipv6Addr, SocketAddr, SocketAddrV6};

use winsock_sim::prelude::*;

fn check<W: Winsock>(ws: &W) -> Result<(), WsaError> {
    let invalid = SockAddr::v4([192, 0, 2, 0], 0);
    let lo = SockAddr::v4([127, 0, 0, 1], 0);
    let poison = || ws.wsa_set_last_error(0xdead_beef_u32 as i32);

    let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    // 12615–12623: no address (length 0): WSAEFAULT (NULL with a length: not expressible).
    poison();
    let r = ws.bind(s, &SockAddr::from_bytes(&[]));
    common::fails(ws, r, WsaError::WSAEFAULT, "12617–12618");
    // 12625–12629: sa_family AF_INET but length 0: WSAEFAULT.
    poison();
    let r = ws.bind(s, &SockAddr::from_bytes(&[]));
    common::fails(ws, r, WsaError::WSAEFAULT, "12627–12628");
    // 12631–12635: family 0xdead: WSAEAFNOSUPPORT.
    let mut fam = [0u8; 16];
    fam[..2].copy_from_slice(&0xdeadu16.to_le_bytes());
    poison();
    let r = ws.bind(s, &SockAddr::from_bytes(&fam));
    common::fails(ws, r, WsaError::WSAEAFNOSUPPORT, "12633–12634");
    // 12637–12640: one byte short of a SOCKADDR_IN: WSAEFAULT.
    poison();
    let r = ws.bind(s, &SockAddr::from_bytes(&lo.as_bytes()[..15]));
    common::fails(ws, r, WsaError::WSAEFAULT, "12638–12639");
    // 12645–12648: 192.0.2.0 is not an address of this host.
    poison();
    let r = ws.bind(s, &invalid);
    common::fails(ws, r, WsaError::WSAEADDRNOTAVAIL, "12646–12647");
    // 12650–12653: loopback works, last error 0.
    poison();
    ws.bind(s, &lo)?;
    assert_eq!(ws.wsa_get_last_error(), 0, "12652");
    // 12655–12658: a second bind: WSAEINVAL.
    poison();
    let r = ws.bind(s, &lo);
    common::fails(ws, r, WsaError::WSAEINVAL, "12656–12657");
    // 12660–12667: another socket cannot bind the bound address.
    let addr = ws.getsockname(s)?;
    let s2 = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
    poison();
    let r = ws.bind(s2, &addr);
    common::fails(ws, r, WsaError::WSAEADDRINUSE, "12665–12666");
    ws.closesocket(s2)?;
    ws.closesocket(s)?;

    // 12672–12682: UDP: the same two binds.
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    poison();
    let r = ws.bind(s, &invalid);
    common::fails(ws, r, WsaError::WSAEADDRNOTAVAIL, "12675–12676");
    poison();
    ws.bind(s, &lo)?;
    assert_eq!(ws.wsa_get_last_error(), 0, "12680");
    ws.closesocket(s)?;

    // 12689–12752: every interface address binds; the IPv6 one's further checks.
    let v6lo = SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0));
    let adapters = [SockAddr::v4([192, 0, 2, 1], 0), lo, SockAddr::from(v6lo)];
    for a in adapters {
        let s = ws.socket(a.family(), SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(s, &a)?;
        ws.closesocket(s)?;
        if a.family() != AF_INET6 {
            continue;
        }
        assert_eq!(a.as_bytes().len(), SOCKADDR_IN6_LEN, "12711–12712");
        let s = ws.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)?;
        // 12717–12719: sockaddr_in6_old (24 bytes, no scope id): WSAEFAULT.
        let r = ws.bind(s, &SockAddr::from_bytes(&a.as_bytes()[..24]));
        common::fails(ws, r, WsaError::WSAEFAULT, "12718–12719");
        // 12721–12727: a scope id the address does not have: WSAEADDRNOTAVAIL.
        let scoped = SockAddr::from(SocketAddr::V6(SocketAddrV6::new(
            Ipv6Addr::LOCALHOST,
            0,
            0,
            0xabacab,
        )));
        let r = ws.bind(s, &scoped);
        common::fails(ws, r, WsaError::WSAEADDRNOTAVAIL, "12724–12725");
        // 12729–12732: scope id 0 binds.
        ws.bind(s, &a)?;
        // 12741–12748: getsockname: AF_INET6, a port, the address, the scope id.
        let got = ws.getsockname(s)?;
        let SocketAddr::V6(g) = got.parse()? else {
            panic!("12744: not AF_INET6")
        };
        assert_eq!(got.family(), AF_INET6, "12744");
        assert_ne!(g.port(), 0, "12745");
        assert_eq!(*g.ip(), Ipv6Addr::LOCALHOST, "12746");
        assert_eq!(g.scope_id(), 0, "12747");
        ws.closesocket(s)?;
    }
    Ok(())
}

#[test]
fn bind() {
    // Proves: bind's address checks (length, family, an address not on the host), a second
    // bind, an address in use, UDP alike, and every interface address including ::1 with its
    // scope id rules (sock.c 12604–12758).
    common::run(check);
}
