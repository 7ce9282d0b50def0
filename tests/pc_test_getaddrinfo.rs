//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_getaddrinfo` (commit 027d7db8, lines
//! 2125–2399, with its helpers `verify_ipv6_addrinfo` 2077–2095 and `compare_addrinfo`
//! 2097–2123, and the `hinttests` table 1565–1605), facts only.
//!
//! Counted in `ok()` calls as Windows runs them: a loop body once per row of the table it
//! iterates; a loop over a result list (`compare_addrinfo`, the hint loop's inner loop) once,
//! as its length depends on the machine's addresses; a helper's `ok()`s where it is called;
//! the `else` of 2329–2333 (no IPv6) does not run on Windows.
//!
//! | part                                                          | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | no node, no service, 2136–2141                                |      2 |               1 |       0 |
//! | "" node, 2143–2148                                            |      3 |               0 |       0 |
//! | no node, "0" and "" services compared, 2151–2160              |     12 |               0 |       0 |
//! | "" node, "0" and "" services compared, 2164–2175              |     13 |               0 |       0 |
//! | "localhost" with and without service and hints, 2179–2208     |      7 |               0 |       0 |
//! | "localhost" with AI_NUMERICHOST, 2211–2217                    |      2 |               1 |       0 |
//! | the computer's name against "", 2219–2240                     |     24 |               0 |       0 |
//! | a name that does not exist, 2243–2253                         |      2 |               1 |       0 |
//! | numeric IPv4, 2256–2267                                       |      7 |               0 |       0 |
//! | numeric IPv4 with a port and AI_NUMERICHOST, 2271–2276        |      1 |               1 |       0 |
//! | numeric IPv6, brackets, hints, port, 2279–2328                |     35 |               0 |       0 |
//! | hint table, 2337–2374: 26 rows × 4 + 6 rows × 2               |    116 |               0 |       0 |
//! | unknown service, 2376–2378                                    |      1 |               0 |       0 |
//! | AI_ALL \| AI_DNS_ONLY lookup of an IPv4-only name, 2380–2397  |     10 |               0 |       0 |
//! | **total**                                                     |    235 |               4 |       0 |
//!
//! Not expressible, per kind: the result pointer a failed call sets to NULL (2141, 2216,
//! 2253, 2276: 4) — the API returns no list when it fails.
//!
//! Ported elsewhere (`tests/name_resolution.rs`, not repeated here): 2139–2140 in
//! `getaddrinfo_needs_a_node_or_service`; 2275 in `numeric_hosts`; 2378 in
//! `hint_table_and_errors` (zeroed hints are the default hints).
//!
//! The names protocol.c looks up are simulated hosts: the computer's name
//! (`GetComputerNameExA(ComputerNamePhysicalDnsHostname)`) is the host's name, which
//! `gethostname` gives; "nxdomain.codeweavers.com" is a name no simulated host has; and
//! "winehq.org", an Internet name with IPv4 addresses only, is registered with the simulator
//! as a host with one IPv4 address, as `tests/name_resolution.rs` registers names.
mod common;

use common::{run, seed};
use winsock_sim::api::resolve::AI_DNS_ONLY;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock};

fn hints(flags: i32, family: i32, socktype: i32, protocol: i32) -> AddrInfoHints {
    AddrInfoHints {
        flags,
        family,
        socktype,
        protocol,
    }
}

/// protocol.c `compare_addrinfo` (2097–2123): the lists match entry by entry (flags,
/// family, type, protocol, address length and bytes, canonical name) and end together.
fn compare_addrinfo(a: &[AddrInfo], b: &[AddrInfo], what: &str) {
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x.flags, y.flags, "{what}: 2101 flags");
        assert_eq!(x.family, y.family, "{what}: 2103 family");
        assert_eq!(x.socktype, y.socktype, "{what}: 2105 socktype");
        assert_eq!(x.protocol, y.protocol, "{what}: 2107 protocol");
        assert_eq!(
            x.addr.as_bytes().len(),
            y.addr.as_bytes().len(),
            "{what}: 2109"
        );
        assert_eq!(x.addr.as_bytes(), y.addr.as_bytes(), "{what}: 2111 address");
        assert_eq!(x.canonname, y.canonname, "{what}: 2113–2120 canonical name");
    }
    assert_eq!(a.len(), b.len(), "{what}: 2122 both lists end together");
}

/// protocol.c `verify_ipv6_addrinfo` (2077–2095): an AF_INET6 result with a SOCKADDR_IN6,
/// port 0, whose address `inet_ntop` writes as `expect`.
fn verify_ipv6_addrinfo(r: &[AddrInfo], expect: &str) {
    let ai = &r[0];
    let sin6 = ai.addr.as_bytes();
    assert_eq!(ai.family, AF_INET6, "2083 ai_family ({expect})");
    assert!(sin6.len() >= SOCKADDR_IN6_LEN, "2084 ai_addrlen ({expect})");
    assert!(!sin6.is_empty(), "2085 ai_addr ({expect})");
    assert_eq!(ai.addr.family(), AF_INET6, "2088 sin6_family ({expect})");
    assert_eq!(sin6[2..4], [0, 0], "2089 sin6_port ({expect})");
    let text = inet_ntop(AF_INET6, &sin6[8..24], 256);
    assert!(text.is_ok(), "2093 inet_ntop ({expect})");
    assert_eq!(text.as_deref(), Ok(expect), "2094");
}

// 2143–2175: "" is this host; no node is loopback; a service "" is the same as "0"; each
// success leaves WSAGetLastError() 0 after WSASetLastError(0xdeadbeef).
#[test]
fn empty_node_and_empty_service() {
    run(|ws| {
        ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
        let r = ws.getaddrinfo(Some(""), None, None);
        assert!(r.is_ok(), "2146: {r:?}");
        assert!(!r.unwrap().is_empty(), "2147");
        assert_eq!(ws.wsa_get_last_error(), 0, "2148");

        let r = ws.getaddrinfo(None, Some("0"), None);
        assert!(r.is_ok(), "2153: {r:?}");
        let r = r.unwrap();
        assert!(!r.is_empty(), "2154");
        let r2 = ws.getaddrinfo(None, Some(""), None);
        assert!(r2.is_ok(), "2158: {r2:?}");
        let r2 = r2.unwrap();
        assert!(!r2.is_empty(), "2159");
        compare_addrinfo(&r, &r2, "2160");

        ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
        let r = ws.getaddrinfo(Some(""), Some("0"), None);
        assert!(r.is_ok(), "2167: {r:?}");
        assert_eq!(ws.wsa_get_last_error(), 0, "2168");
        let r = r.unwrap();
        assert!(!r.is_empty(), "2169");
        let r2 = ws.getaddrinfo(Some(""), Some(""), None);
        assert!(r2.is_ok(), "2173: {r2:?}");
        let r2 = r2.unwrap();
        assert!(!r2.is_empty(), "2174");
        compare_addrinfo(&r, &r2, "2175");
        Ok(())
    });
}

// 2179–2217: "localhost" resolves with no, an empty, a zero and a named port, with and
// without (zeroed) hints; AI_NUMERICHOST refuses it with WSAHOST_NOT_FOUND.
#[test]
fn localhost() {
    run(|ws| {
        let zeroed = hints(0, 0, 0, 0);
        for (line, service, h) in [
            (2181, None, None),
            (2186, Some(""), None),
            (2191, Some("0"), None),
            (2196, Some("80"), None),
            (2201, None, Some(&zeroed)),
        ] {
            let r = ws.getaddrinfo(Some("localhost"), service, h);
            assert!(r.is_ok(), "{line}: {r:?}");
        }
        ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
        let r = ws.getaddrinfo(Some("localhost"), Some("80"), Some(&zeroed));
        assert!(r.is_ok(), "2207: {r:?}");
        assert_eq!(ws.wsa_get_last_error(), 0, "2208");

        let numeric = hints(AI_NUMERICHOST, 0, 0, 0);
        let r = ws.getaddrinfo(Some("localhost"), Some("80"), Some(&numeric));
        assert_eq!(r, Err(WsaError::WSAHOST_NOT_FOUND), "2214");
        assert_eq!(ws.wsa_get_last_error(), 11001, "2215");
        Ok(())
    });
}

// 2219–2240: the computer's own name gives the same list as "", with no service and with
// an empty one.
#[test]
fn computer_name_is_the_empty_name() {
    run(|ws| {
        let name = ws.gethostname()?;
        // The calls are at 2221 and 2232; their ok()s follow at +1, +2, +5, +6, +7.
        for (call, service) in [(2221, None), (2232, Some(""))] {
            let r = ws.getaddrinfo(Some(&name), service, None);
            assert!(r.is_ok(), "{}: {r:?}", call + 1);
            let r = r.unwrap();
            assert!(!r.is_empty(), "{}", call + 2);
            let r2 = ws.getaddrinfo(Some(""), service, None);
            assert!(r2.is_ok(), "{}: {r2:?}", call + 5);
            // protocol.c checks the first list again here (`result`, not `result2`).
            assert!(!r.is_empty(), "{}", call + 6);
            compare_addrinfo(&r, &r2.unwrap(), &format!("{}", call + 7));
        }
        Ok(())
    });
}

// 2243–2253: a name no host has is WSAHOST_NOT_FOUND, also in WSAGetLastError().
#[test]
fn name_that_does_not_exist() {
    run(|ws| {
        ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
        let r = ws.getaddrinfo(Some("nxdomain.codeweavers.com"), None, None);
        assert_eq!(r, Err(WsaError::WSAHOST_NOT_FOUND), "2251");
        assert_eq!(ws.wsa_get_last_error(), 11001, "2252");
        Ok(())
    });
}

// 2256–2267: a dotted IPv4 string gives an AF_INET result with a SOCKADDR_IN of that
// address and port 0.
#[test]
fn numeric_ipv4() {
    run(|ws| {
        let r = ws.getaddrinfo(Some("192.168.1.253"), None, None);
        assert!(r.is_ok(), "2258: {r:?}");
        let r = r.unwrap();
        let sin = r[0].addr.as_bytes();
        assert_eq!(r[0].family, AF_INET, "2259");
        assert!(sin.len() >= SOCKADDR_IN_LEN, "2260");
        assert!(!sin.is_empty(), "2261");
        assert_eq!(r[0].addr.family(), AF_INET, "2263");
        assert_eq!(sin[2..4], [0, 0], "2264");
        let ip = inet_ntop(AF_INET, &sin[4..8], INET_ADDRSTRLEN);
        assert_eq!(ip.as_deref(), Ok("192.168.1.253"), "2267");
        Ok(())
    });
}

// 2279–2328: IPv6 strings, bare, in brackets, in brackets with AF_INET6 and AI_NUMERICHOST,
// and in brackets followed by a port, give that address with port 0; in brackets with
// AF_INET, or with a bracket missing (AI_NUMERICHOST, AF_INET), WSAHOST_NOT_FOUND.
#[test]
fn numeric_ipv6() {
    run(|ws| {
        let r = ws.getaddrinfo(Some("2a00:2039:dead:beef:cafe::6666"), None, None);
        assert!(r.is_ok(), "2285: {r:?}");
        verify_ipv6_addrinfo(&r.unwrap(), "2a00:2039:dead:beef:cafe::6666");

        let r = ws.getaddrinfo(Some("[beef::cafe]"), None, None);
        assert!(r.is_ok(), "2292: {r:?}");
        verify_ipv6_addrinfo(&r.unwrap(), "beef::cafe");

        let h = hints(AI_NUMERICHOST, AF_INET6, 0, 0);
        let r = ws.getaddrinfo(Some("[beef::cafe]"), None, Some(&h));
        assert!(r.is_ok(), "2302: {r:?}");
        verify_ipv6_addrinfo(&r.unwrap(), "beef::cafe");

        let h = hints(AI_NUMERICHOST, AF_INET, 0, 0);
        let r = ws.getaddrinfo(Some("[beef::cafe]"), None, Some(&h));
        assert_eq!(r, Err(WsaError::WSAHOST_NOT_FOUND), "2311");

        let r = ws.getaddrinfo(Some("[beef::cafe]:10239"), None, None);
        assert!(r.is_ok(), "2316: {r:?}");
        verify_ipv6_addrinfo(&r.unwrap(), "beef::cafe");

        for (line, s) in [(2324, "[beef::cafe"), (2327, "beef::cafe]")] {
            let r = ws.getaddrinfo(Some(s), None, Some(&h));
            assert_eq!(r, Err(WsaError::WSAHOST_NOT_FOUND), "{line}");
        }
        Ok(())
    });
}

const OK: Option<WsaError> = None;
const SOCKTNOSUPPORT: Option<WsaError> = Some(WsaError::WSAESOCKTNOSUPPORT);

/// `hinttests` (1573–1604): (line, family, socket type, protocol, error).
#[rustfmt::skip]
const HINTS: &[(u32, i32, i32, i32, Option<WsaError>)] = &[
    (1573, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, OK),
    (1574, AF_UNSPEC, SOCK_STREAM, IPPROTO_UDP, OK),
    (1575, AF_UNSPEC, SOCK_STREAM, IPPROTO_IPV6, OK),
    (1576, AF_UNSPEC, SOCK_DGRAM, IPPROTO_TCP, OK),
    (1577, AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, OK),
    (1578, AF_UNSPEC, SOCK_DGRAM, IPPROTO_IPV6, OK),
    (1579, AF_INET, SOCK_STREAM, IPPROTO_TCP, OK),
    (1580, AF_INET, SOCK_STREAM, IPPROTO_UDP, OK),
    (1581, AF_INET, SOCK_STREAM, IPPROTO_IPV6, OK),
    (1582, AF_INET, SOCK_DGRAM, IPPROTO_TCP, OK),
    (1583, AF_INET, SOCK_DGRAM, IPPROTO_UDP, OK),
    (1584, AF_INET, SOCK_DGRAM, IPPROTO_IPV6, OK),
    (1585, AF_UNSPEC, 0, IPPROTO_TCP, OK),
    (1586, AF_UNSPEC, 0, IPPROTO_UDP, OK),
    (1587, AF_UNSPEC, 0, IPPROTO_IPV6, OK),
    (1588, AF_UNSPEC, SOCK_STREAM, 0, OK),
    (1589, AF_UNSPEC, SOCK_DGRAM, 0, OK),
    (1590, AF_INET, 0, IPPROTO_TCP, OK),
    (1591, AF_INET, 0, IPPROTO_UDP, OK),
    (1592, AF_INET, 0, IPPROTO_IPV6, OK),
    (1593, AF_INET, SOCK_STREAM, 0, OK),
    (1594, AF_INET, SOCK_DGRAM, 0, OK),
    (1595, AF_UNSPEC, 999, IPPROTO_TCP, SOCKTNOSUPPORT),
    (1596, AF_UNSPEC, 999, IPPROTO_UDP, SOCKTNOSUPPORT),
    (1597, AF_UNSPEC, 999, IPPROTO_IPV6, SOCKTNOSUPPORT),
    (1598, AF_INET, 999, IPPROTO_TCP, SOCKTNOSUPPORT),
    (1599, AF_INET, 999, IPPROTO_UDP, SOCKTNOSUPPORT),
    (1600, AF_INET, 999, IPPROTO_IPV6, SOCKTNOSUPPORT),
    (1601, AF_UNSPEC, SOCK_STREAM, 999, OK),
    (1602, AF_UNSPEC, SOCK_STREAM, 999, OK),
    (1603, AF_INET, SOCK_DGRAM, 999, OK),
    (1604, AF_INET, SOCK_DGRAM, 999, OK),
];

// 2337–2374: "localhost" with each row's hints: the row's result (2346); each result of a
// success is AF_INET or AF_INET6 (AF_UNSPEC) or the row's family (2352–2359) and carries
// the row's type and protocol as given (2361–2366); a failure's error is also the last
// error (2372).
#[test]
fn hint_table() {
    run(|ws| {
        for &(line, family, socktype, protocol, error) in HINTS {
            ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
            let h = hints(0, family, socktype, protocol);
            let r = ws.getaddrinfo(Some("localhost"), None, Some(&h));
            match error {
                Some(e) => {
                    assert_eq!(r, Err(e), "2346, row {line}");
                    assert_eq!(ws.wsa_get_last_error(), e.code(), "2372, row {line}");
                }
                None => {
                    assert!(r.is_ok(), "2346, row {line}: {r:?}");
                    for p in r.unwrap() {
                        if family == AF_UNSPEC {
                            assert!(
                                p.family == AF_INET || p.family == AF_INET6,
                                "2353, row {line}: {}",
                                p.family
                            );
                        } else {
                            assert_eq!(p.family, family, "2357, row {line}");
                        }
                        assert_eq!(p.socktype, socktype, "2361, row {line}");
                        assert_eq!(p.protocol, protocol, "2364, row {line}");
                    }
                }
            }
        }
        Ok(())
    });
}

/// Runs `body` on host "host" (192.0.2.1) with "winehq.org" registered as a host with one
/// IPv4 address (the Internet name has IPv4 addresses only).
fn with_winehq(body: impl FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static) {
    let mut sim = Sim::builder().seed(seed()).build();
    let h = sim.host("host", "192.0.2.1");
    sim.host("winehq.org", "203.0.113.80");
    h.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        body(ws)
    });
    sim.run().unwrap();
}

// 2380–2397: AI_ALL | AI_DNS_ONLY, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP: the first result
// of an IPv4-only name has ai_flags 0, AF_INET, the hints' type and protocol, no canonical
// name, a SOCKADDR_IN of exactly its size, port 0.
#[test]
fn dns_only_lookup_of_an_ipv4_name() {
    with_winehq(|ws| {
        let h = hints(AI_ALL | AI_DNS_ONLY, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP);
        let r = ws.getaddrinfo(Some("winehq.org"), None, Some(&h));
        assert!(r.is_ok(), "2387: {r:?}");
        let r = r.unwrap();
        let sin = r[0].addr.as_bytes();
        assert_eq!(r[0].flags, 0, "2388");
        assert_eq!(r[0].family, AF_INET, "2389");
        assert_eq!(r[0].socktype, SOCK_STREAM, "2390");
        assert_eq!(r[0].protocol, IPPROTO_TCP, "2391");
        assert_eq!(r[0].canonname, None, "2392");
        assert_eq!(sin.len(), SOCKADDR_IN_LEN, "2393");
        assert!(!sin.is_empty(), "2394");
        assert_eq!(r[0].addr.family(), AF_INET, "2396");
        assert_eq!(sin[2..4], [0, 0], "2397");
        Ok(())
    });
}
