//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_WSAConnectByName` (Wine 10.0 lines
//! 3878–4025), facts only: `WSAConnectByNameA` resolves and connects, writes each address
//! only when both its length and its buffer are given (the local one with port 0), refuses
//! short lengths (WSAEFAULT) and NULL names or a non-NULL `Reserved` (WSAEINVAL), reports an
//! unknown service (WSATYPE_NOT_FOUND) and refuses a UDP socket.
//!
//! sock.c connects to `winehq.org`, `http` and `https`; here the simulated network has a
//! host of that name listening on ports 80 and 443. The A and W forms differ only in the
//! strings' encoding, which a Rust `&str` does not have.
//!
//! | part of test_WSAConnectByName                                          | ported | not expressible | failing |
//! |------------------------------------------------------------------------|-------:|----------------:|--------:|
//! | all fields: success, getsockname/getpeername, lengths, addresses, 3906–3920 | 10 |             0 |       0 |
//! | NULL lengths with buffers: success, buffers untouched, 3932–3942       |      7 |               0 |       0 |
//! | NULL node; NULL service on a closed socket: WSAEINVAL, 3949–3956       |      4 |               0 |       0 |
//! | NULL lengths and buffers: success, 3962                                |      1 |               0 |       0 |
//! | NULL buffers, lengths given: success, lengths kept, 3970–3973          |      3 |               0 |       0 |
//! | lengths of 3: WSAEFAULT, lengths kept, 3983–3986                       |      4 |               0 |       0 |
//! | lengths of 50: success, set to 16, 3994–3997                           |      3 |               0 |       0 |
//! | unknown service: WSATYPE_NOT_FOUND, 4005–4006                          |      2 |               0 |       0 |
//! | UDP socket: WSAEINVAL or WSAEFAULT (WSAEFAULT since Windows 10 1809), 4014–4015 | 2 |     0 |       0 |
//! | non-NULL Reserved: WSAEINVAL, 4023–4024                                |      2 |               0 |       0 |
//! | **total** (38)                                                         |     38 |               0 |       0 |
//!
//! Every NULL of the C call is a `None` here, so nothing is left out. Generic over the
//! backend traits: the simulator runs it here; `os::Native` (WSAConnectByNameW) and
//! `os::System` (the host's resolver and connect) implement the same trait.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

/// sock.c's `WSAConnectByNameA(s, node, service, ...)` with every address argument NULL.
fn by_name<W: ConnectByName>(
    ws: &W,
    s: Socket,
    node: Option<&str>,
    service: Option<&str>,
) -> Result<(), WsaError> {
    ws.wsa_connect_by_name(s, node, service, ByNameAddrs::default(), None, None)
}

fn check<W: ConnectByName>(ws: &W) -> Result<(), WsaError> {
    let zero = SockAddr::from_bytes(&[0; 16]);
    let tcp = |ws: &W| ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);

    // 3901–3920: every field: success; lengths 16; the local address is getsockname's with
    // port 0, the remote one getpeername's.
    let s = tcp(ws)?;
    let (mut local_len, mut remote_len) = (16u32, 16u32);
    let (mut local_addr, mut remote_addr) = (zero, zero);
    let addrs = ByNameAddrs {
        local_len: Some(&mut local_len),
        local: Some(&mut local_addr),
        remote_len: Some(&mut remote_len),
        remote: Some(&mut remote_addr),
    };
    let r = ws.wsa_connect_by_name(s, Some("winehq.org"), Some("http"), addrs, None, None);
    assert_eq!(r, Ok(()), "3906");
    let _ = ws.setsockopt(
        s,
        SOL_SOCKET,
        SO_UPDATE_CONNECT_CONTEXT,
        &1u32.to_le_bytes(),
    );
    let sock_addr = ws.getsockname(s);
    let peer_addr = ws.getpeername(s);
    let (Ok(sock_addr), Ok(peer_addr)) = (sock_addr, peer_addr) else {
        panic!("3910/3912: {sock_addr:?} {peer_addr:?}")
    };
    assert_eq!(sock_addr.as_bytes().len(), 16, "3913");
    assert_eq!(peer_addr.as_bytes().len(), 16, "3914");
    assert_eq!(local_len, 16, "3915");
    assert_eq!(remote_len, 16, "3916");
    assert_eq!(local_addr.port(), Some(0), "3917");
    assert_eq!(
        &local_addr.as_bytes()[4..8],
        &sock_addr.as_bytes()[4..8],
        "3918"
    );
    assert_eq!(peer_addr, remote_addr, "3920");
    ws.closesocket(s)?;

    // 3924–3942: NULL lengths with buffers: success, the buffers untouched.
    let s = tcp(ws)?;
    let (mut local_addr, mut remote_addr) = (zero, zero);
    let addrs = ByNameAddrs {
        local: Some(&mut local_addr),
        remote: Some(&mut remote_addr),
        ..ByNameAddrs::default()
    };
    let r = ws.wsa_connect_by_name(s, Some("winehq.org"), Some("http"), addrs, None, None);
    assert_eq!(r, Ok(()), "3932");
    let _ = ws.setsockopt(
        s,
        SOL_SOCKET,
        SO_UPDATE_CONNECT_CONTEXT,
        &1u32.to_le_bytes(),
    );
    let sock_addr = ws.getsockname(s);
    let peer_addr = ws.getpeername(s);
    let (Ok(sock_addr), Ok(peer_addr)) = (sock_addr, peer_addr) else {
        panic!("3936/3938: {sock_addr:?} {peer_addr:?}")
    };
    assert_eq!(sock_addr.as_bytes().len(), 16, "3939");
    assert_eq!(peer_addr.as_bytes().len(), 16, "3940");
    assert_eq!(local_addr.family(), 0, "3941");
    assert_eq!(remote_addr.family(), 0, "3942");
    ws.closesocket(s)?;

    // 3945–3956: a NULL node; a NULL service (on a closed socket: the names are checked
    // first): WSAEINVAL.
    let s = tcp(ws)?;
    common::fails(
        ws,
        by_name(ws, s, None, Some("http")),
        WsaError::WSAEINVAL,
        "3949–3950",
    );
    let s2 = tcp(ws)?;
    ws.closesocket(s2)?;
    let r = by_name(ws, s2, Some("winehq.org"), None);
    common::fails(ws, r, WsaError::WSAEINVAL, "3955–3956");
    ws.closesocket(s)?;

    // 3959–3963: every address argument NULL: success.
    let s = tcp(ws)?;
    assert_eq!(
        by_name(ws, s, Some("winehq.org"), Some("http")),
        Ok(()),
        "3962"
    );
    ws.closesocket(s)?;

    // 3965–3974: NULL buffers with lengths: success, the lengths kept.
    let (mut local_len, mut remote_len) = (16u32, 16u32);
    let s = tcp(ws)?;
    let addrs = ByNameAddrs {
        local_len: Some(&mut local_len),
        remote_len: Some(&mut remote_len),
        ..ByNameAddrs::default()
    };
    let r = ws.wsa_connect_by_name(s, Some("winehq.org"), Some("http"), addrs, None, None);
    assert_eq!(r, Ok(()), "3970");
    assert_eq!(local_len, 16, "3971");
    assert_eq!(remote_len, 16, "3973");
    ws.closesocket(s)?;

    // 3976–3987: lengths of 3 with buffers: WSAEFAULT, the lengths kept.
    for (len, line) in [(3u32, 3983), (50, 3994)] {
        let (mut local_len, mut remote_len) = (len, len);
        let (mut local_addr, mut remote_addr) = (zero, zero);
        let s = tcp(ws)?;
        let addrs = ByNameAddrs {
            local_len: Some(&mut local_len),
            local: Some(&mut local_addr),
            remote_len: Some(&mut remote_len),
            remote: Some(&mut remote_addr),
        };
        let r = ws.wsa_connect_by_name(s, Some("winehq.org"), Some("http"), addrs, None, None);
        if len == 3 {
            common::fails(ws, r, WsaError::WSAEFAULT, "3983–3984");
            assert_eq!((local_len, remote_len), (3, 3), "3985–3986");
        } else {
            // 3989–3998: lengths of 50: success, both set to 16.
            assert_eq!(r, Ok(()), "{line}");
            assert_eq!((local_len, remote_len), (16, 16), "3995–3997");
        }
        ws.closesocket(s)?;
    }

    // 4000–4007: an unknown service: WSATYPE_NOT_FOUND.
    let s = tcp(ws)?;
    let r = by_name(ws, s, Some("winehq.org"), Some("nonexistentservice"));
    common::fails(ws, r, WsaError::WSATYPE_NOT_FOUND, "4005–4006");
    ws.closesocket(s)?;

    // 4009–4016: a UDP socket: WSAEFAULT (Windows 10 1809 and later; WSAEINVAL before).
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let r = by_name(ws, s, Some("winehq.org"), Some("https"));
    common::fails(ws, r, WsaError::WSAEFAULT, "4014–4015");
    ws.closesocket(s)?;

    // 4018–4024: a non-NULL Reserved: WSAEINVAL.
    let s = tcp(ws)?;
    let overlap = Overlapped::new(1);
    let r = ws.wsa_connect_by_name(
        s,
        Some("winehq.org"),
        Some("http"),
        ByNameAddrs::default(),
        None,
        Some(&overlap),
    );
    common::fails(ws, r, WsaError::WSAEINVAL, "4023–4024");
    ws.closesocket(s)
}

/// A simulated `winehq.org` accepting on `ports` (connections kept open), and a client
/// host running `body` after WSAStartup.
fn run_against_winehq<F>(ports: &'static [u16], body: F)
where
    F: FnOnce(&winsock_sim::sim::SimWinsock) -> Result<(), WsaError> + Send + 'static,
{
    let mut sim = Sim::builder().seed(common::seed()).build();
    let server = sim.host("winehq.org", "198.51.100.80");
    let client = sim.host("client", "192.0.2.1");
    for &port in ports {
        server.spawn_daemon("listener", move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.bind(l, &SockAddr::v4([0, 0, 0, 0], port))?;
            ws.listen(l, SOMAXCONN)?;
            let mut kept = Vec::new();
            loop {
                kept.push(ws.accept(l)?.0);
            }
        });
    }
    client.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        body(ws)
    });
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
}

#[test]
fn wsa_connect_by_name() {
    // Proves: WSAConnectByName's addresses, lengths and errors (sock.c 3878–4025).
    run_against_winehq(&[80, 443], check);
}

#[test]
fn connect_by_name_tries_each_address_and_times_out() {
    // Proves (beside sock.c): an unknown host is WSAHOST_NOT_FOUND; a port nobody listens
    // on gives the connect error (WSAECONNREFUSED); a timeout ends a connect to a host
    // that never answers with WSAETIMEDOUT at the timeout, in virtual time; numeric hosts
    // and services resolve without a lookup.
    run_against_winehq(&[80], |ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let r = ws.wsa_connect_by_name(
            s,
            Some("nowhere.invalid"),
            Some("80"),
            ByNameAddrs::default(),
            None,
            None,
        );
        common::fails(ws, r, WsaError::WSAHOST_NOT_FOUND, "unknown host");
        ws.closesocket(s)?;

        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let r = ws.wsa_connect_by_name(
            s,
            Some("winehq.org"),
            Some("81"),
            ByNameAddrs::default(),
            None,
            None,
        );
        common::fails(ws, r, WsaError::WSAECONNREFUSED, "closed port");
        ws.closesocket(s)?;

        // 203.0.113.9 belongs to no simulated host: its SYNs go unanswered.
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let t0 = ws.get_tick_count();
        let r = ws.wsa_connect_by_name(
            s,
            Some("203.0.113.9"),
            Some("http"),
            ByNameAddrs::default(),
            Some(std::time::Duration::from_millis(500)),
            None,
        );
        common::fails(ws, r, WsaError::WSAETIMEDOUT, "timeout");
        let waited = ws.get_tick_count() - t0;
        assert!((500..520).contains(&waited), "waited {waited} ms");
        ws.closesocket(s)?;

        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let mut remote = SockAddr::from_bytes(&[0; 16]);
        let mut remote_len = 16u32;
        let addrs = ByNameAddrs {
            remote_len: Some(&mut remote_len),
            remote: Some(&mut remote),
            ..ByNameAddrs::default()
        };
        let r = ws.wsa_connect_by_name(
            s,
            Some("198.51.100.80"),
            Some("80"),
            addrs,
            Some(std::time::Duration::from_secs(5)),
            None,
        );
        assert_eq!(r, Ok(()));
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!(remote, SockAddr::v4([198, 51, 100, 80], 80));
        ws.closesocket(s)
    });
}
