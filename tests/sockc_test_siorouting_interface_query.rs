//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_sioRoutingInterfaceQuery` (Wine 10.0 lines
//! 10159–10274), facts only: `WSAIoctl(SIO_ROUTING_INTERFACE_QUERY)` checks its input
//! (length, family, address), answers the local address for a destination, reports the size
//! needed when the output is short, and completes at once when overlapped (still delivering
//! a packet or a routine of 0 bytes). `todo_wine` results are Windows' and ported as such.
//!
//! | part of test_sioRoutingInterfaceQuery                                 | ported | not expressible | failing |
//! |-----------------------------------------------------------------------|-------:|----------------:|--------:|
//! | socket, 10170                                                         |      1 |               0 |       0 |
//! | NULL lpcbBytesReturned: WSAEFAULT, 10175–10176                        |      0 |               2 |       0 |
//! | short input: WSAEINVAL, count untouched, 10180–10182                  |      2 |               1 |       0 |
//! | NULL input with a length: WSAEINVAL, count untouched, 10186–10188     |      0 |               3 |       0 |
//! | family 0: WSAEAFNOSUPPORT, count untouched, 10192–10194               |      2 |               1 |       0 |
//! | AF_INET 0.0.0.0: WSAEINVAL, count untouched, 10199–10201              |      2 |               1 |       0 |
//! | 127.0.0.1: success, last error 0, 16 bytes, 10207–10209               |      3 |               0 |       0 |
//! | output one byte short: WSAEFAULT, the size needed (16), 10218–10220   |      3 |               0 |       0 |
//! | NULL output with a length: WSAEFAULT, count untouched, 10224–10226    |      0 |               3 |       0 |
//! | overlapped with a NULL count: WSAEFAULT, 10229–10231                  |      0 |               3 |       0 |
//! | overlapped: success at once, last error 0, 16 bytes, 10238–10240      |      3 |               0 |       0 |
//! | its packet: 0 bytes, OVERLAPPED, Internal 0, InternalHigh 0, 10243–10247 |   5 |               0 |       0 |
//! | routine with a NULL count: WSAEFAULT, 10256–10257                     |      0 |               2 |       0 |
//! | routine: success at once, 16 bytes, 10263–10264                       |      2 |               0 |       0 |
//! | the routine in SleepEx: once, error 0, 0 bytes, OVERLAPPED, 10267–10271 |    5 |               0 |       0 |
//! | **total** (44)                                                        |     28 |              16 |       0 |
//!
//! Not expressible, by kind: a NULL lpcbBytesReturned (2 + 3 + 2: the count is always
//! returned); a NULL input or output buffer with a nonzero length (3 + 3: a slice has no
//! NULL); a count left untouched by a synchronous failure (3: `wsa_ioctl_sized` reports 0
//! after a failure that writes none, so "untouched" and "0" look alike).
//!
//! Generic over the backend traits: the simulator runs it here; `os::Native` implements the
//! same traits on Windows.
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;

/// A `SOCKADDR_IN` with `family` and `ip`, port 0.
fn sockaddr_in(family: u16, ip: [u8; 4]) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..2].copy_from_slice(&family.to_le_bytes());
    b[4..8].copy_from_slice(&ip);
    b
}

fn check<W: WinsockExt + Iocp>(ws: &W) -> Result<(), WsaError> {
    // 10169–10171: a UDP socket on a completion port with key 123.
    let sock = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(sock, port, 123)?;
    let mut out = [0u8; 16];

    // 10178–10181: an input one byte short: WSAEINVAL.
    let zeroed = [0u8; 16];
    let r = ws.wsa_ioctl_sized(sock, SIO_ROUTING_INTERFACE_QUERY, &zeroed[..15], &mut out);
    assert_eq!(r, Err((WsaError::WSAEINVAL, 0)), "10180–10181");
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());

    // 10190–10193: family 0: WSAEAFNOSUPPORT.
    let r = ws.wsa_ioctl_sized(sock, SIO_ROUTING_INTERFACE_QUERY, &zeroed, &mut out);
    assert_eq!(r, Err((WsaError::WSAEAFNOSUPPORT, 0)), "10192–10193");

    // 10196–10200: AF_INET, address 0.0.0.0: WSAEINVAL (Windows; Wine answers).
    let any = sockaddr_in(AF_INET as u16, [0, 0, 0, 0]);
    let r = ws.wsa_ioctl_sized(sock, SIO_ROUTING_INTERFACE_QUERY, &any, &mut out);
    assert_eq!(r, Err((WsaError::WSAEINVAL, 0)), "10199–10200");

    // 10203–10209: 127.0.0.1: success, last error 0, 16 bytes.
    let lo = sockaddr_in(AF_INET as u16, [127, 0, 0, 1]);
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let r = ws.wsa_ioctl_sized(sock, SIO_ROUTING_INTERFACE_QUERY, &lo, &mut out);
    assert_eq!(r, Ok(16), "10207/10209");
    assert_eq!(ws.wsa_get_last_error(), 0, "10208");
    // (sock.c does not check the address; the simulator answers loopback.)
    assert_eq!(SockAddr::from_bytes(&out), SockAddr::v4([127, 0, 0, 1], 0));

    // 10216–10220: the output one byte short: WSAEFAULT and the size needed (Windows; Wine
    // leaves the count).
    let r = ws.wsa_ioctl_sized(sock, SIO_ROUTING_INTERFACE_QUERY, &lo, &mut out[..15]);
    assert_eq!(r, Err((WsaError::WSAEFAULT, 16)), "10218/10220");
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEFAULT.code(), "10219");

    // 10222–10231: a NULL output or count: not expressible.

    // 10233–10240: overlapped: success at once, last error 0, 16 bytes.
    let ov = Overlapped::new(1);
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let n = ws.wsa_ioctl_overlapped(
        sock,
        SIO_ROUTING_INTERFACE_QUERY,
        &lo,
        vec![0; 16],
        ov,
        None,
    );
    assert_eq!(n, Ok(16), "10238/10240");
    assert_eq!(ws.wsa_get_last_error(), 0, "10239");

    // 10242–10247: and a packet: 0 bytes, the OVERLAPPED, Internal 0, InternalHigh 0.
    let p = ws.get_queued_completion_status(port, 0)?;
    assert_eq!(p.error, None, "10243");
    assert_eq!(p.bytes, 0, "10244");
    assert_eq!(p.overlapped, Some(ov), "10245");
    assert_eq!(ws.overlapped_internal(&ov), (0, 0), "10246–10247");

    ws.close_completion_port(port)?;
    ws.closesocket(sock)?;

    // 10252–10271: with a completion routine: success at once with 16 bytes; the routine
    // runs once in SleepEx(0, TRUE) with error 0, 0 bytes and the OVERLAPPED.
    let sock = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let routine: CompletionRoutine<W> = Box::new(move |_ws, done: IoCompletion| {
        seen2
            .lock()
            .unwrap()
            .push((done.error, done.bytes, done.overlapped));
    });
    let ov = Overlapped::new(2);
    let n = ws.wsa_ioctl_overlapped(
        sock,
        SIO_ROUTING_INTERFACE_QUERY,
        &lo,
        vec![0; 16],
        ov,
        Some(routine),
    );
    assert_eq!(n, Ok(16), "10263–10264");
    assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION, "10267");
    assert_eq!(*seen.lock().unwrap(), vec![(None, 0, ov)], "10268–10271");
    ws.closesocket(sock)
}

#[test]
fn sio_routing_interface_query() {
    // Proves: SIO_ROUTING_INTERFACE_QUERY's checks, answer, sizes and its overlapped forms
    // (sock.c 10159–10274).
    common::run(check);
}

#[test]
fn routing_follows_the_host_addresses() {
    // Proves (beside sock.c): a remote destination is reached from the host's address of its
    // family, an IPv6 destination needs a 28-byte input and output,
    // and a family the host has no address of is WSAENETUNREACH.
    let mut sim = winsock_sim::sim::Sim::builder()
        .seed(common::seed())
        .build();
    let h = sim.host("dual", "192.0.2.1");
    sim.host("peer", "192.0.2.2");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let mut out = [0u8; 28];
        let peer = sockaddr_in(AF_INET as u16, [192, 0, 2, 2]);
        let n = ws.wsa_ioctl(s, SIO_ROUTING_INTERFACE_QUERY, &peer, &mut out)?;
        assert_eq!(
            SockAddr::from_bytes(&out[..n]),
            SockAddr::v4([192, 0, 2, 1], 0)
        );
        // An IPv6 destination: 16 bytes of input are too few; 28 with no IPv6 address on
        // the host: WSAENETUNREACH; ::1 answers ::1 in 28 bytes (16 are too few).
        let v6 = SockAddr::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 9], 0);
        let r = ws.wsa_ioctl(
            s,
            SIO_ROUTING_INTERFACE_QUERY,
            &v6.as_bytes()[..16],
            &mut out,
        );
        assert_eq!(r, Err(WsaError::WSAEINVAL));
        let r = ws.wsa_ioctl(s, SIO_ROUTING_INTERFACE_QUERY, v6.as_bytes(), &mut out);
        assert_eq!(r, Err(WsaError::WSAENETUNREACH));
        let lo6 = SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 0);
        let r = ws.wsa_ioctl_sized(
            s,
            SIO_ROUTING_INTERFACE_QUERY,
            lo6.as_bytes(),
            &mut out[..16],
        );
        assert_eq!(r, Err((WsaError::WSAEFAULT, 28)));
        let n = ws.wsa_ioctl(s, SIO_ROUTING_INTERFACE_QUERY, lo6.as_bytes(), &mut out)?;
        assert_eq!(SockAddr::from_bytes(&out[..n]), lo6);
        ws.closesocket(s)
    });
    sim.run().unwrap();
}
