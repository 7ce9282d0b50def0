//! Port of Wine's `dlls/ws2_32/tests/protocol.c` `test_GetAddrInfoW` (commit 027d7db8, lines
//! 1635–1887, with its helper `compare_addrinfow` 1607–1633 and the `hinttests` table
//! 1565–1605), facts only: the behaviour it checks that the API can express.
//!
//! Counted in `ok()` calls as Windows runs them: a loop body once per row of the table it
//! iterates; a loop over a result list (`compare_addrinfow`, the hint loop's inner loop) once,
//! as its length depends on the machine's addresses; the `skip` / `win_skip` branches
//! (1758–1762, 1770–1774, 1837–1842) do not run on Windows 8 and later.
//!
//! | part                                                          | ported | not expressible | failing |
//! |---------------------------------------------------------------|-------:|----------------:|--------:|
//! | no node, no service, 1657–1662                                |      0 |               3 |       0 |
//! | "" node, 1664–1669                                            |      0 |               3 |       0 |
//! | no node, "0" and "" services compared, 1672–1681              |      0 |              12 |       0 |
//! | "" node, "0" and "" services compared, 1685–1695              |      0 |              13 |       0 |
//! | "localhost" with and without service and hints, 1699–1728     |      0 |               7 |       0 |
//! | the computer's name against "", 1731–1751                     |      0 |              24 |       0 |
//! | no node, no service again, 1755–1765                          |      2 |               1 |       0 |
//! | a name that does not exist, 1767–1777                         |      0 |               3 |       0 |
//! | hint table, 1779–1816: 26 rows × 4 + 6 rows × 2               |      0 |             116 |       0 |
//! | IDN: the punycode name, no hints and AF_INET, 1818–1833       |      4 |               0 |       0 |
//! | IDN: the Unicode name, compared, AI_DISABLE_IDN_ENCODING, 1835–1886 | 0 |            17 |       0 |
//! | **total**                                                     |      6 |             199 |       0 |
//!
//! Not expressible, per kind:
//! - the W form of a `getaddrinfo` check (179): the API has one string form, and
//!   GetAddrInfoW checks the same behaviour on the same names as `test_getaddrinfo` does
//!   (1656–1751 against 2136–2240, 1775–1776 against 2251–2252, the same `hinttests` loop),
//!   ported once in `tests/pc_test_getaddrinfo.rs`;
//! - the result pointer a failed call sets to NULL (1662, 1765, 1777: 3) — the API returns no
//!   list when it fails;
//! - IDN encoding of a Unicode name (1836–1886: 17): the API's `getaddrinfo` is the ANSI call
//!   (the OS backend calls ws2_32's `getaddrinfo`), which has no Unicode names to encode;
//!   GetAddrInfoW's punycode conversion and AI_DISABLE_IDN_ENCODING have no counterpart.
//!
//! The punycode name "xn--zckzah.winehq.org" is an Internet name with IPv4 addresses; it is
//! registered with the simulator as a host with one IPv4 address.
mod common;

use common::{run, seed};
use winsock_sim::prelude::*;

// 1755–1765: after successful lookups, no node and no service still fails with
// WSAHOST_NOT_FOUND (1763), which WSAGetLastError() reports over 0xdeadbeef (1764).
#[test]
fn no_node_no_service_after_lookups() {
    run(|ws| {
        let name = ws.gethostname()?;
        ws.getaddrinfo(Some(&name), Some(""), None)?;
        ws.getaddrinfo(Some(""), Some(""), None)?;
        ws.wsa_set_last_error(0xdeadbeef_u32 as i32);
        let r = ws.getaddrinfo(None, None, None);
        assert_eq!(r, Err(WsaError::WSAHOST_NOT_FOUND), "1763");
        assert_eq!(ws.wsa_get_last_error(), 11001, "1764");
        Ok(())
    });
}

// 1818–1833: the punycode name resolves with no hints (1821–1822) and with AF_INET hints
// (1832–1833).
#[test]
fn punycode_name_resolves() {
    let mut sim = winsock_sim::sim::Sim::builder().seed(seed()).build();
    let h = sim.host("host", "192.0.2.1");
    sim.host("xn--zckzah.winehq.org", "203.0.113.81");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let r = ws.getaddrinfo(Some("xn--zckzah.winehq.org"), None, None);
        assert!(r.is_ok(), "1821: {r:?}");
        assert!(!r.unwrap().is_empty(), "1822");
        let v4 = AddrInfoHints {
            family: AF_INET,
            ..AddrInfoHints::default()
        };
        let r = ws.getaddrinfo(Some("xn--zckzah.winehq.org"), None, Some(&v4));
        assert!(r.is_ok(), "1832: {r:?}");
        assert!(!r.unwrap().is_empty(), "1833");
        Ok(())
    });
    sim.run().unwrap();
}
