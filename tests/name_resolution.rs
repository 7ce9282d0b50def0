//! Name resolution over the simulated hosts (`Resolve`, `inet_pton`/`inet_ntop`): results and
//! error codes as Wine's `dlls/ws2_32/tests/protocol.c` records Windows' (test_getaddrinfo,
//! test_GetAddrInfoW, test_WSAStringToAddress, test_WSAAddressToString, test_inet_pton,
//! test_gethostname), on hosts named by `Sim::host`.
//!
//! Not expressible here: NULL result pointers and output buffers with their lengths (the API
//! returns owned values), the W (UTF-16) variants (Rust strings), IDN names (no DNS).

mod common;

use std::net::SocketAddr;

use common::{run, seed};
use winsock_sim::api::addr_text::{address_to_string, string_to_address};
use winsock_sim::prelude::*;
use winsock_sim::sim::{FaultPlan, FaultRule, Sim, SimWinsock};

fn addrs(r: &[AddrInfo]) -> Vec<SocketAddr> {
    r.iter().map(|a| a.addr.to_socket_addr().unwrap()).collect()
}

fn hints(flags: i32, family: i32, socktype: i32, protocol: i32) -> AddrInfoHints {
    AddrInfoHints {
        flags,
        family,
        socktype,
        protocol,
    }
}

/// Runs `body` on host "alpha" (192.0.2.1 and 2001:db8::1) with a second host "Beta"
/// (192.0.2.2).
fn two_hosts(body: impl FnOnce(&SimWinsock) -> Result<(), WsaError> + Send + 'static) {
    let mut sim = Sim::builder().seed(seed()).build();
    let a = sim.host("alpha", "192.0.2.1");
    a.add_address("2001:db8::1");
    sim.host("Beta", "192.0.2.2");
    a.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        body(ws)
    });
    sim.run().unwrap();
}

// test_getaddrinfo: no node and no service is WSAHOST_NOT_FOUND (11001), also in
// WSAGetLastError; an unknown name too.
#[test]
fn getaddrinfo_needs_a_node_or_service() {
    run(|ws| {
        assert_eq!(
            ws.getaddrinfo(None, None, None),
            Err(WsaError::WSAHOST_NOT_FOUND)
        );
        assert_eq!(ws.wsa_get_last_error(), 11001);
        assert_eq!(
            ws.getaddrinfo(Some("nxdomain.example"), None, None),
            Err(WsaError::WSAHOST_NOT_FOUND)
        );
        Ok(())
    });
}

// AI_PASSIVE without a node gives the wildcard addresses (IPv6 first with AF_UNSPEC), without
// it the loopback ones; the service becomes the port; socktype and protocol echo the hints.
#[test]
fn passive_and_loopback_without_a_node() {
    run(|ws| {
        let h = hints(AI_PASSIVE, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP);
        let r = ws.getaddrinfo(None, Some("27015"), Some(&h))?;
        assert_eq!(
            addrs(&r),
            vec![
                "[::]:27015".parse().unwrap(),
                "0.0.0.0:27015".parse().unwrap()
            ]
        );
        assert!(r
            .iter()
            .all(|a| a.socktype == SOCK_STREAM && a.protocol == IPPROTO_TCP && a.flags == 0));
        let h = hints(0, AF_INET, 0, 0);
        let r = ws.getaddrinfo(None, Some("0"), Some(&h))?;
        assert_eq!(addrs(&r), vec!["127.0.0.1:0".parse().unwrap()]);
        assert_eq!(r[0].family, AF_INET);
        assert_eq!(r[0].addr.as_bytes().len(), SOCKADDR_IN_LEN);
        Ok(())
    });
}

// Hosts resolve by the names given to Sim::host, case-insensitively, IPv6 before IPv4; the
// family filter keeps one family; "" and the own name give this host's addresses.
#[test]
fn hosts_resolve_by_name() {
    two_hosts(|ws| {
        let r = ws.getaddrinfo(Some("ALPHA"), Some("80"), None)?;
        assert_eq!(
            addrs(&r),
            vec![
                "[2001:db8::1]:80".parse().unwrap(),
                "192.0.2.1:80".parse().unwrap()
            ]
        );
        assert_eq!(ws.getaddrinfo(Some(""), Some("80"), None)?, r);
        let r = ws.getaddrinfo(Some("beta"), None, Some(&hints(0, AF_INET, 0, 0)))?;
        assert_eq!(addrs(&r), vec!["192.0.2.2:0".parse().unwrap()]);
        assert_eq!(
            ws.getaddrinfo(Some("beta"), None, Some(&hints(0, AF_INET6, 0, 0))),
            Err(WsaError::WSAHOST_NOT_FOUND)
        );
        let name = ws.gethostname()?;
        assert_eq!(name, "alpha");
        assert_eq!(ws.getaddrinfo(Some(&name), Some("80"), None)?.len(), 2);
        Ok(())
    });
}

// "localhost" resolves to ::1 and 127.0.0.1; AI_NUMERICHOST refuses it with
// WSAHOST_NOT_FOUND; AI_CANONNAME puts the name on the first result only.
#[test]
fn localhost_numerichost_and_canonname() {
    run(|ws| {
        let r = ws.getaddrinfo(Some("localhost"), Some("80"), None)?;
        assert_eq!(
            addrs(&r),
            vec!["[::1]:80".parse().unwrap(), "127.0.0.1:80".parse().unwrap()]
        );
        assert_eq!(
            ws.getaddrinfo(
                Some("localhost"),
                Some("80"),
                Some(&hints(AI_NUMERICHOST, 0, 0, 0))
            ),
            Err(WsaError::WSAHOST_NOT_FOUND)
        );
        let r = ws.getaddrinfo(Some("localhost"), None, Some(&hints(AI_CANONNAME, 0, 0, 0)))?;
        assert_eq!(r[0].canonname.as_deref(), Some("localhost"));
        assert!(r[1].canonname.is_none());
        assert_eq!(
            ws.getaddrinfo(None, Some("80"), Some(&hints(AI_CANONNAME, 0, 0, 0))),
            Err(WsaError::WSAEINVAL)
        );
        Ok(())
    });
}

// Numeric hosts: IPv4 gives one AF_INET result with port 0; IPv6 with or without brackets
// (a port after the bracket is ignored); unmatched brackets, a port after an IPv4 address
// with AI_NUMERICHOST, or a family that does not match give WSAHOST_NOT_FOUND.
#[test]
fn numeric_hosts() {
    run(|ws| {
        let r = ws.getaddrinfo(Some("192.168.1.253"), None, None)?;
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].family, AF_INET);
        assert_eq!(addrs(&r), vec!["192.168.1.253:0".parse().unwrap()]);
        let numeric = hints(AI_NUMERICHOST, 0, 0, 0);
        assert_eq!(
            ws.getaddrinfo(Some("192.168.1.253:1024"), None, Some(&numeric)),
            Err(WsaError::WSAHOST_NOT_FOUND)
        );
        for s in [
            "2a00:2039:dead:beef:cafe::6666",
            "[2a00:2039:dead:beef:cafe::6666]:10239",
        ] {
            let r = ws.getaddrinfo(Some(s), None, None)?;
            assert_eq!(r[0].family, AF_INET6);
            assert_eq!(
                addrs(&r),
                vec!["[2a00:2039:dead:beef:cafe::6666]:0".parse().unwrap()]
            );
        }
        let r = ws.getaddrinfo(
            Some("[beef::cafe]"),
            None,
            Some(&hints(AI_NUMERICHOST, AF_INET6, 0, 0)),
        )?;
        assert_eq!(r[0].addr.as_bytes().len(), SOCKADDR_IN6_LEN);
        for (s, fam) in [
            ("[beef::cafe]", AF_INET),
            ("[beef::cafe", 0),
            ("beef::cafe]", 0),
        ] {
            assert_eq!(
                ws.getaddrinfo(Some(s), None, Some(&hints(AI_NUMERICHOST, fam, 0, 0))),
                Err(WsaError::WSAHOST_NOT_FOUND),
                "{s}"
            );
        }
        assert_eq!(
            ws.getaddrinfo(Some("127.0.0.1"), None, Some(&hints(0, AF_INET6, 0, 0))),
            Err(WsaError::WSAHOST_NOT_FOUND)
        );
        Ok(())
    });
}

// The hint table of protocol.c: any family/type/protocol combination is echoed (even TCP on a
// datagram type, or protocol 999); socktype 999 is WSAESOCKTNOSUPPORT; a bad family
// WSAEAFNOSUPPORT; an unknown service WSATYPE_NOT_FOUND (10109).
#[test]
fn hint_table_and_errors() {
    run(|ws| {
        for fam in [AF_UNSPEC, AF_INET] {
            for ty in [0, SOCK_STREAM, SOCK_DGRAM] {
                for proto in [0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IPV6, 999] {
                    let r =
                        ws.getaddrinfo(Some("localhost"), None, Some(&hints(0, fam, ty, proto)))?;
                    for a in &r {
                        assert!(fam == AF_UNSPEC || a.family == fam);
                        assert_eq!((a.socktype, a.protocol), (ty, proto));
                    }
                }
                let bad = hints(0, fam, 999, IPPROTO_TCP);
                assert_eq!(
                    ws.getaddrinfo(Some("localhost"), None, Some(&bad)),
                    Err(WsaError::WSAESOCKTNOSUPPORT)
                );
            }
        }
        assert_eq!(
            ws.getaddrinfo(Some("localhost"), None, Some(&hints(0, 12345, 0, 0))),
            Err(WsaError::WSAEAFNOSUPPORT)
        );
        assert_eq!(
            ws.getaddrinfo(None, Some("nonexistentservice"), None),
            Err(WsaError::WSATYPE_NOT_FOUND)
        );
        assert_eq!(ws.wsa_get_last_error(), 10109);
        let r = ws.getaddrinfo(Some("localhost"), Some("http"), None)?;
        assert_eq!(r[0].addr.port(), Some(80));
        assert_eq!(
            ws.getaddrinfo(
                Some("localhost"),
                Some("http"),
                Some(&hints(AI_NUMERICSERV, 0, 0, 0))
            ),
            Err(WsaError::WSATYPE_NOT_FOUND)
        );
        Ok(())
    });
}

// Name resolution needs WSAStartup (WSANOTINITIALISED before it), and a fault plan can make
// it fail with the code a DNS failure gives.
#[test]
fn startup_and_fault_plan() {
    let plan = FaultPlan::none().with(FaultRule::FailCall {
        call: "getaddrinfo",
        error: WsaError::WSATRY_AGAIN,
        num: 1,
        den: 1,
    });
    let mut sim = Sim::builder().seed(seed()).faults(plan).build();
    let h = sim.host("h", "192.0.2.1");
    h.spawn("main", |ws| {
        assert_eq!(
            ws.getaddrinfo(Some("localhost"), None, None),
            Err(WsaError::WSANOTINITIALISED)
        );
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        assert_eq!(
            ws.getaddrinfo(Some("localhost"), None, None),
            Err(WsaError::WSATRY_AGAIN)
        );
        assert_eq!(ws.gethostname()?, "h");
        Ok(())
    });
    sim.run().unwrap();
}

// A slow DNS (SimBuilder::resolve_delay) makes each lookup take that long in virtual time,
// while other threads run meanwhile.
#[test]
fn resolve_delay_makes_lookups_slow() {
    let mut sim = Sim::builder()
        .seed(seed())
        .resolve_delay(std::time::Duration::from_millis(250))
        .build();
    let h = sim.host("h", "192.0.2.1");
    let ticks = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let t2 = ticks.clone();
    h.spawn("ticker", move |ws| {
        for _ in 0..5 {
            ws.sleep(100);
            t2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    });
    h.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        ws.getaddrinfo(Some("h"), Some("80"), None)?;
        assert_eq!(ws.now().as_millis(), 250);
        assert_eq!(ticks.load(std::sync::atomic::Ordering::SeqCst), 2);
        ws.getnameinfo(&SockAddr::v4([192, 0, 2, 1], 80), 0)?;
        assert_eq!(ws.now().as_millis(), 500);
        Ok(())
    });
    sim.run().unwrap();
}

// getnameinfo: a host's address gives its name, loopback this host's name, an unknown one its
// text (WSAHOST_NOT_FOUND with NI_NAMEREQD); NI_NUMERICHOST and NI_NUMERICSERV give text;
// well-known ports give service names.
#[test]
fn getnameinfo_reverse_lookup() {
    two_hosts(|ws| {
        let beta = SockAddr::v4([192, 0, 2, 2], 80);
        assert_eq!(ws.getnameinfo(&beta, 0)?, ("Beta".into(), "http".into()));
        assert_eq!(
            ws.getnameinfo(&beta, NI_NUMERICHOST | NI_NUMERICSERV)?,
            ("192.0.2.2".into(), "80".into())
        );
        let me = SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 9000);
        assert_eq!(ws.getnameinfo(&me, 0)?, ("alpha".into(), "9000".into()));
        let stranger = SockAddr::v4([198, 51, 100, 7], 123);
        assert_eq!(
            ws.getnameinfo(&stranger, NI_DGRAM)?,
            ("198.51.100.7".into(), "ntp".into())
        );
        assert_eq!(ws.getnameinfo(&stranger, 0)?.1, "123");
        assert_eq!(
            ws.getnameinfo(&stranger, NI_NAMEREQD),
            Err(WsaError::WSAHOST_NOT_FOUND)
        );
        let short = SockAddr::from_bytes(&beta.as_bytes()[..8]);
        assert_eq!(ws.getnameinfo(&short, 0), Err(WsaError::WSAEFAULT));
        // A numeric IPv6 host is written as inet_ntop writes it: an IPv4-compatible or SIIT
        // address with its last 32 bits dotted, a mapped one whose 7th group is 0 in hex
        // (ntdll rtl.c test_RtlIpv6AddressToString, tests/rtl_ipv6_address_to_string.rs).
        for (groups, text) in [
            ([0, 0, 0, 0, 0, 0, 0x0d01, 0x4403], "::13.1.68.3"),
            ([0, 0, 0, 0, 0xffff, 0, 0x0001, 0x0000], "::ffff:0:0.1.0.0"),
            ([0, 0, 0, 0, 0, 0xffff, 0, 0x4403], "::ffff:0:4403"),
        ] {
            let a = SockAddr::v6(groups, 7);
            assert_eq!(ws.getnameinfo(&a, NI_NUMERICHOST)?.0, text);
            assert_eq!(ws.getnameinfo(&a, 0)?.0, text, "no host has it: its text");
        }
        Ok(())
    });
}

// test_WSAStringToAddress: the inet_addr forms (octal, hex, 1 to 3 parts), ports in the same
// grammar, and the rejected strings, each with WSAEINVAL.
#[test]
fn string_to_address_ipv4_table() {
    let ok: &[(&str, [u8; 4], u16)] = &[
        ("1.1.1.1", [1, 1, 1, 1], 0),
        ("127.127.127.127:123", [127, 127, 127, 127], 123),
        ("127.127.127.127:0xAbCd", [127, 127, 127, 127], 43981),
        ("127.127.127.127:010", [127, 127, 127, 127], 8),
        ("255.255.255.255:65535", [255, 255, 255, 255], 65535),
        ("1.1.1.0xaA", [1, 1, 1, 0xaa], 0),
        ("1.1.1.010", [1, 1, 1, 8], 0),
        ("1", [0, 0, 0, 1], 0),
        ("1:1", [0, 0, 0, 1], 1),
        ("1.2", [1, 0, 0, 2], 0),
        ("1.2.3", [1, 2, 0, 3], 0),
        ("203569230:123", [0x0c, 0x22, 0x38, 0x4e], 123),
        ("3.4.756", [3, 4, 2, 0xf4], 0),
        ("0x00010203:10", [0, 1, 2, 3], 10),
        ("0777", [0, 0, 1, 0xff], 0),
    ];
    for &(s, ip, port) in ok {
        assert_eq!(
            string_to_address(s, AF_INET),
            Ok(SockAddr::v4(ip, port)),
            "{s}"
        );
    }
    let bad = [
        "",
        " ",
        "127.127.127.127:",
        "127.127.127.127:0",
        "127.127.127.127:65537",
        "127.127.127.127::1",
        "127.127.127.127:0x",
        "127.127.127.127:08",
        "255.255.255.256",
        "a",
        "1.1.1.0x",
        "1.1.1.0x100",
        "1.1.1.08",
        "1.1.1.-2",
        "-1",
        "1000.2000",
        "1.2.",
        "1..2",
        "2001::1",
        "756.3.4",
        "3.4.65536",
        "3.4.5.6.7",
        "3.4.5.+6",
        " 3.4.5.6",
        "3.4.5.6 ",
        "3.4.5.6: 7",
        "[0.1.2.3]",
        "0x00010Q03",
        "x00010203",
        "1234BEEF",
        "::1",
    ];
    for s in bad {
        assert_eq!(
            string_to_address(s, AF_INET),
            Err(WsaError::WSAEINVAL),
            "{s:?}"
        );
    }
}

// test_WSAStringToAddress, IPv6 rows, and the call through the trait (which needs
// WSAStartup and sets the last error).
#[test]
fn string_to_address_ipv6_and_through_the_trait() {
    let one = SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 0);
    assert_eq!(string_to_address("::1", AF_INET6), Ok(one));
    assert_eq!(string_to_address("[::1]", AF_INET6), Ok(one));
    assert_eq!(
        string_to_address("[::1]:65535", AF_INET6),
        Ok(SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 65535))
    );
    assert_eq!(
        string_to_address("001::1", AF_INET6),
        Ok(SockAddr::v6([1, 0, 0, 0, 0, 0, 0, 1], 0))
    );
    for s in ["::1]:65535", "::1:2:3:4:5:6:7", "1.2.3.4", "1:2:3:", ""] {
        assert_eq!(
            string_to_address(s, AF_INET6),
            Err(WsaError::WSAEINVAL),
            "{s}"
        );
    }
    assert_eq!(
        string_to_address("1.2.3.4", AF_UNSPEC),
        Err(WsaError::WSAEINVAL)
    );
    run(|ws| {
        assert_eq!(
            ws.wsa_string_to_address("1.2", AF_INET)?,
            SockAddr::v4([1, 0, 0, 2], 0)
        );
        assert_eq!(
            ws.wsa_string_to_address("1.2.3.4:0", AF_INET),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(ws.wsa_get_last_error(), 10022);
        Ok(())
    });
}

// test_WSAAddressToString: IPv4 with and without port; IPv6 with port in brackets and the
// scope after '%'; a short address is WSAEFAULT.
#[test]
fn address_to_string_table() {
    let v4 = |ip: [u8; 4], port| address_to_string(&SockAddr::v4(ip, port)).unwrap();
    assert_eq!(v4([0, 0, 0, 0], 0), "0.0.0.0");
    assert_eq!(v4([255, 255, 255, 255], 65535), "255.255.255.255:65535");
    assert_eq!(v4([127, 0, 0, 1], 0xfa81), "127.0.0.1:64129");
    let v6 = |s: &str| -> SockAddr { s.parse::<SocketAddr>().unwrap().into() };
    assert_eq!(address_to_string(&v6("[20ab::1]:0")).unwrap(), "20ab::1");
    assert_eq!(
        address_to_string(&v6("[20ab::2001]:33274")).unwrap(),
        "[20ab::2001]:33274"
    );
    assert_eq!(
        address_to_string(&v6("[20ab::2001%4660]:33274")).unwrap(),
        "[20ab::2001%4660]:33274"
    );
    assert_eq!(
        address_to_string(&v6("[20ab::2001%4660]:0")).unwrap(),
        "20ab::2001%4660"
    );
    let short = SockAddr::from_bytes(&SockAddr::v4([1, 2, 3, 4], 5).as_bytes()[..10]);
    assert_eq!(address_to_string(&short), Err(WsaError::WSAEFAULT));
    run(move |ws| {
        assert_eq!(
            ws.wsa_address_to_string(&SockAddr::v4([1, 2, 3, 4], 5))?,
            "1.2.3.4:5"
        );
        Ok(())
    });
}

// inet_pton / inet_ntop: strict forms (1 valid, 0 invalid), WSAEAFNOSUPPORT for another
// family, and a buffer too small for the text refused.
#[test]
fn inet_pton_and_ntop() {
    assert_eq!(
        inet_pton(AF_INET, "192.0.2.1"),
        Ok(Some([192, 0, 2, 1].into()))
    );
    for s in ["1.2.3", "0x1.2.3.4", "1.2.3.4:80", "", "256.1.1.1"] {
        assert_eq!(inet_pton(AF_INET, s), Ok(None), "{s}");
    }
    assert_eq!(
        inet_pton(AF_INET6, "2001:db8::1"),
        Ok(Some("2001:db8::1".parse().unwrap()))
    );
    assert_eq!(inet_pton(AF_INET6, "[::1]"), Ok(None));
    assert_eq!(
        inet_pton(AF_UNSPEC, "1.2.3.4"),
        Err(WsaError::WSAEAFNOSUPPORT)
    );
    assert_eq!(
        inet_ntop(AF_INET, &[192, 0, 2, 1], INET_ADDRSTRLEN).as_deref(),
        Ok("192.0.2.1")
    );
    let v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    assert_eq!(
        inet_ntop(AF_INET6, &v6, INET6_ADDRSTRLEN).as_deref(),
        Ok("2001:db8::1")
    );
    assert_eq!(
        inet_ntop(AF_INET, &[192, 0, 2, 1], 9),
        Err(WsaError::WSAEINVAL)
    );
    assert_eq!(
        inet_ntop(AF_INET, &[192, 0, 2, 1], 10).as_deref(),
        Ok("192.0.2.1")
    );
    assert_eq!(
        inet_ntop(12345, &[0; 4], 64),
        Err(WsaError::WSAEAFNOSUPPORT)
    );
}

// A server that resolves its listen address with getaddrinfo(AI_PASSIVE) and a client that
// resolves the server by host name talk to each other.
#[test]
fn resolved_addresses_connect() {
    let mut sim = Sim::builder().seed(seed()).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("listen", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let h = hints(AI_PASSIVE, AF_INET, SOCK_STREAM, IPPROTO_TCP);
        let ai = ws.getaddrinfo(None, Some("9000"), Some(&h))?;
        let l = ws.socket(ai[0].family, ai[0].socktype, ai[0].protocol)?;
        ws.bind(l, &ai[0].addr)?;
        ws.listen(l, SOMAXCONN)?;
        let (c, _) = ws.accept(l)?;
        ws.send(c, b"hi", 0)?;
        ws.closesocket(c)
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let h = hints(0, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP);
        let ai = ws.getaddrinfo(Some("server"), Some("9000"), Some(&h))?;
        let s = ws.socket(ai[0].family, ai[0].socktype, ai[0].protocol)?;
        ws.connect(s, &ai[0].addr)?;
        let mut buf = [0u8; 2];
        ws.recv(s, &mut buf, MSG_WAITALL)?;
        assert_eq!(&buf, b"hi");
        ws.closesocket(s)
    });
    sim.run().unwrap();
}

// gethostbyname (protocol.c test_gethostbyname / _hack, sock.c test_getsockname's loop over
// gethostbyname("")): the IPv4 addresses only, "" is this host, "localhost" 127.0.0.1, a
// numeric name itself; an unknown name WSAHOST_NOT_FOUND, an IPv6-only one WSANO_DATA.
#[test]
fn gethostbyname_answers_ipv4_hostents() {
    let mut sim = Sim::builder().seed(seed()).build();
    let a = sim.host("alpha", "192.0.2.1");
    a.add_address("2001:db8::1");
    a.add_address("192.0.2.11");
    sim.host("Beta", "192.0.2.2");
    sim.host("six", "2001:db8::6");
    a.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let me = ws.gethostbyname("")?;
        assert_eq!(me.name, "alpha");
        assert_eq!(me.family, AF_INET);
        assert_eq!(me.addrs, vec![[192, 0, 2, 1], [192, 0, 2, 11]]);
        assert!(me.aliases.is_empty());
        assert_eq!(ws.wsa_get_last_error(), 0);
        // Every address it names can be bound (sock.c test_getsockname, 5389–5410).
        for ip in &me.addrs {
            let s = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
            ws.bind(s, &SockAddr::v4(*ip, 0))?;
            ws.closesocket(s)?;
        }
        let beta = ws.gethostbyname("beta")?;
        assert_eq!(
            (beta.name.as_str(), beta.addrs),
            ("Beta", vec![[192, 0, 2, 2]])
        );
        assert_eq!(ws.gethostbyname("localhost")?.addrs, vec![[127, 0, 0, 1]]);
        let num = ws.gethostbyname("198.51.100.7")?;
        assert_eq!(
            (num.name.as_str(), num.addrs),
            ("198.51.100.7", vec![[198, 51, 100, 7]])
        );
        assert_eq!(
            ws.gethostbyname("nxdomain.example"),
            Err(WsaError::WSAHOST_NOT_FOUND)
        );
        assert_eq!(ws.wsa_get_last_error(), 11001);
        assert_eq!(ws.gethostbyname("six"), Err(WsaError::WSANO_DATA));
        assert_eq!(ws.wsa_get_last_error(), 11004);
        Ok(())
    });
    sim.run().unwrap();
}

// A host's own services lines (HostHandle::add_service): after Windows' lines, seen by the
// database calls, getaddrinfo's service names and getnameinfo's port names on that host
// only.
#[test]
fn a_host_s_own_services_lines() {
    let mut sim = Sim::builder().seed(seed()).build();
    let game = sim.host("game", "192.0.2.1");
    game.add_service("mygame   27015/udp   mg   # the game's port");
    game.add_service("mygame   27015/tcp   mg");
    game.add_service("http     8080/tcp");
    let other = sim.host("other", "192.0.2.2");
    game.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.getservbyname("MG", Some("tcp"))?;
        assert_eq!(
            (s.name.as_str(), s.port, s.proto.as_str()),
            ("mygame", 27015, "tcp")
        );
        assert_eq!(ws.getservbyname("mygame", None)?.proto, "udp");
        assert_eq!(ws.getservbyport(27015, Some("udp"))?.aliases, ["mg"]);
        // Windows' http line comes first.
        assert_eq!(ws.getservbyname("http", None)?.port, 80);
        assert_eq!(ws.getservbyport(8080, None)?.name, "http");
        let ai = ws.getaddrinfo(Some("127.0.0.1"), Some("mygame"), None)?;
        assert_eq!(ai[0].addr, SockAddr::v4([127, 0, 0, 1], 27015));
        let at = SockAddr::v4([127, 0, 0, 1], 27015);
        assert_eq!(ws.getnameinfo(&at, NI_DGRAM)?.1, "mygame");
        ws.wsa_cleanup()
    });
    other.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        assert_eq!(ws.getservbyname("mygame", None), Err(WsaError::WSANO_DATA));
        assert_eq!(
            ws.getaddrinfo(Some("127.0.0.1"), Some("mygame"), None),
            Err(WsaError::WSATYPE_NOT_FOUND)
        );
        ws.wsa_cleanup()
    });
    sim.run().unwrap();
}

#[test]
#[should_panic(expected = "is not a services line")]
fn a_services_line_without_a_protocol_is_refused() {
    let mut sim = Sim::builder().seed(seed()).build();
    sim.host("h", "192.0.2.1").add_service("mygame 27015");
}
