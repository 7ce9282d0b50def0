//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_gethostbyname` (commit 027d7db8, lines
//! 2450–2531), facts only.
//!
//! Counted in `ok()` calls as Windows runs them on a machine with a network and more than one
//! address (the case the test is about: with one adapter and one address it skips at
//! 2500–2504 before its last check); `gethostbyname` of the computer's name then does not
//! give 127.0.0.1, so the check of 2479–2484 does not run.
//!
//! | part                                                          | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | gethostname, gethostbyname of that name, 2462–2466            |      2 |               0 |       0 |
//! | GetAdaptersInfo / GetIpForwardTable sizes and calls, 2486–2497 |      0 |               4 |       0 |
//! | the first address is the default route's interface, 2506–2526 |      1 |               0 |       0 |
//! | **total**                                                     |      3 |               4 |       0 |
//!
//! Not expressible, per kind: IP Helper's `GetAdaptersInfo` and `GetIpForwardTable` (2487,
//! 2489, 2495, 2497: 4) are not in the API.
//!
//! 2526 (the first address `gethostbyname` gives for the computer's name belongs to the
//! interface of the default route) is checked through what the API has for routes:
//! `WSAIoctl(SIO_ROUTING_INTERFACE_QUERY)` for an Internet destination, which answers the
//! address of the interface the default route leaves by.
mod common;

use common::seed;
use winsock_sim::api::interface_list::SIO_ROUTING_INTERFACE_QUERY;
use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

#[test]
fn first_address_is_on_the_default_route() {
    let mut sim = Sim::builder().seed(seed()).build();
    let h = sim.host("multihomed", "192.0.2.1");
    h.add_address("198.51.100.1");
    h.add_address("2001:db8::1");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        // 2462–2466: gethostname succeeds, and so does gethostbyname of the name.
        let name = ws.gethostname();
        assert!(name.is_ok(), "2463: {name:?}");
        let he = ws.gethostbyname(&name.unwrap());
        assert!(he.is_ok(), "2466: {he:?}");
        let he = he.unwrap();

        // 2506–2526: the default route's interface (the one an Internet destination is
        // reached by) has the first address.
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let internet = SockAddr::v4([203, 0, 113, 9], 0);
        let mut out = [0u8; SOCKADDR_IN_LEN];
        let n = ws.wsa_ioctl_sized(
            s,
            SIO_ROUTING_INTERFACE_QUERY,
            internet.as_bytes(),
            &mut out,
        );
        assert_eq!(n, Ok(SOCKADDR_IN_LEN));
        let route_ip = SockAddr::from_bytes(&out).to_socket_addr().map(|a| a.ip());
        assert_eq!(
            route_ip,
            Some(std::net::Ipv4Addr::from(he.addrs[0]).into()),
            "2526"
        );
        ws.closesocket(s)
    });
    sim.run().unwrap();
}
