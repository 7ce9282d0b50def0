//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_address_list_query` (line numbers from the
//! Wine 10.0 tarball, where the function spans lines 11690–11834), facts only.
//!
//! Counted in `ok()` calls as Windows executes them:
//!
//! | part of test_address_list_query                         | ported | not expressible | failing |
//! |---------------------------------------------------------|-------:|----------------:|--------:|
//! | socket, sizes and errors without OVERLAPPED, 11702–11756 |     23 |               0 |       0 |
//! | with OVERLAPPED and a completion port, 11758–11808       |     22 |               4 |       0 |
//! | with a completion routine, 11813–11833                   |      7 |               2 |       0 |
//! | **total**                                               |     52 |               6 |       0 |
//!
//! The C-shaped `wsa_ioctl_c` ports the non-overlapped NULL lpcbBytesReturned (2) and NULL
//! output buffer with a nonzero length (3). Not expressible, per kind: a NULL
//! lpcbBytesReturned with an OVERLAPPED (2: the overlapped calls have no C-shaped form); the
//! count an *overlapped* call writes when it fails synchronously (3: `wsa_ioctl_overlapped`
//! returns none on failure); the output buffer after such a failure (1: the Vec handed to the call is not given back).
//! `OVERLAPPED.Internal`/`InternalHigh` left untouched by a synchronous failure is ported as
//! "no completion is queued for it" (the port is empty after the one successful call).
//! cbBytesReturned after a failure without OVERLAPPED comes from
//! [`WinsockExt::wsa_ioctl_sized`].
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 11702–11704: a TCP socket, associated with a port with key 123.
    let s = common::tcp(ws)?;
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(s, port, 123)?;

    // 11706–11710: no output buffer: WSAEFAULT, and the size needed (at least the header).
    let r = ws.wsa_ioctl_sized(s, SIO_ADDRESS_LIST_QUERY, &[], &mut []);
    let Err((e, expect)) = r else {
        panic!("11707: {r:?}")
    };
    assert_eq!(e, WsaError::WSAEFAULT, "11708");
    assert_eq!(ws.wsa_get_last_error(), e.code(), "11708: last error");
    assert!(expect >= ADDRESS_LIST_HEADER_LEN, "11709: size {expect}");

    // 11712–11716: a 1024-byte buffer: success, last error 0, that size.
    let mut buffer = [0u8; 1024];
    let size = ws.wsa_ioctl_sized(s, SIO_ADDRESS_LIST_QUERY, &[], &mut buffer);
    assert_eq!(ws.wsa_get_last_error(), 0, "11715");
    assert_eq!(size, Ok(expect), "11714/11716");

    // 11718–11723: the size is the header, the SOCKET_ADDRESS array and the sockaddrs.
    let list = decode_address_list(&buffer[..expect]).expect("a whole list");
    let computed = ADDRESS_LIST_HEADER_LEN
        + list.len() * SOCKET_ADDRESS_LEN
        + list.iter().map(|a| a.as_bytes().len()).sum::<usize>();
    assert_eq!(computed, expect, "11723");
    // The host's one interface address (loopback is not listed).
    assert_eq!(list, vec![SockAddr::v4([192, 0, 2, 1], 0)]);

    // 11725–11727: a NULL count: WSAEFAULT.
    let mut buffer = [0u8; 1024];
    let r = ws.wsa_ioctl_c(
        s,
        SIO_ADDRESS_LIST_QUERY,
        None,
        0,
        Some(&mut buffer),
        1024,
        None,
    );
    common::fails(ws, r, WsaError::WSAEFAULT, "11726–11727");
    // 11729–11733: a NULL buffer with a length: WSAEFAULT with the size needed.
    let mut size = 0xdead_beef_u32;
    let r = ws.wsa_ioctl_c(
        s,
        SIO_ADDRESS_LIST_QUERY,
        None,
        0,
        None,
        1024,
        Some(&mut size),
    );
    common::fails(ws, r, WsaError::WSAEFAULT, "11730–11731");
    assert_eq!(size as usize, expect, "11732");

    // 11735–11739: a zero-length buffer: WSAEFAULT with the size needed.
    let r = ws.wsa_ioctl_sized(s, SIO_ADDRESS_LIST_QUERY, &[], &mut buffer[..0]);
    assert_eq!(r, Err((WsaError::WSAEFAULT, expect)), "11736–11738");
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEFAULT.code());

    // 11741–11745: one byte: WSAEINVAL, and a count of 0.
    let r = ws.wsa_ioctl_sized(s, SIO_ADDRESS_LIST_QUERY, &[], &mut buffer[..1]);
    assert_eq!(r, Err((WsaError::WSAEINVAL, 0)), "11742–11744");
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());

    // 11747–11755: just the header: WSAEFAULT with the size, the buffer untouched.
    buffer.fill(0xcc);
    let r = ws.wsa_ioctl_sized(
        s,
        SIO_ADDRESS_LIST_QUERY,
        &[],
        &mut buffer[..ADDRESS_LIST_HEADER_LEN],
    );
    assert_eq!(r, Err((WsaError::WSAEFAULT, expect)), "11750–11752");
    assert_eq!(&buffer[..4], &[0xcc; 4], "11754: iAddressCount untouched");

    // 11757–11796: overlapped, the same parameter errors are synchronous.
    for (id, len, want, line) in [
        (1, 0, WsaError::WSAEFAULT, 11762),
        (2, 1, WsaError::WSAEINVAL, 11772),
        (3, ADDRESS_LIST_HEADER_LEN, WsaError::WSAEFAULT, 11783),
    ] {
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        let r = ws.wsa_ioctl_overlapped(
            s,
            SIO_ADDRESS_LIST_QUERY,
            &[],
            vec![0xcc; len],
            Overlapped::new(id),
            None,
        );
        common::fails(ws, r, want, &format!("line {line}"));
    }

    // 11798–11802: a big enough buffer: success at once with the size.
    let ov = Overlapped::new(4);
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let n = ws.wsa_ioctl_overlapped(s, SIO_ADDRESS_LIST_QUERY, &[], vec![0; 1024], ov, None)?;
    assert_eq!(ws.wsa_get_last_error(), 0, "11801");
    assert_eq!(n, expect, "11802");

    // 11804–11809: and still a packet: 0 bytes, the OVERLAPPED, status 0.
    let p = ws.get_queued_completion_status(port, 0)?;
    assert_eq!(
        (p.bytes, p.key, p.overlapped, p.error),
        (0, 123, Some(ov), None),
        "11804–11809"
    );
    // 11811–11813: nothing else (the failed calls queued nothing).
    assert_eq!(
        ws.get_queued_completion_status(port, 0)
            .map(|p| p.overlapped),
        Err(WsaError::WAIT_TIMEOUT),
        "11811–11813"
    );
    ws.closesocket(s)?;
    ws.close_completion_port(port)?;

    // 11818–11833: with a completion routine: success at once with the size, then the
    // routine runs in SleepEx(0, TRUE) with error 0, 0 bytes and the OVERLAPPED.
    let s = common::tcp(ws)?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let routine: CompletionRoutine<SimWinsock> = Box::new(move |_ws, done: IoCompletion| {
        seen2
            .lock()
            .unwrap()
            .push((done.error, done.bytes, done.overlapped));
    });
    let ov = Overlapped::new(5);
    let n = ws.wsa_ioctl_overlapped(
        s,
        SIO_ADDRESS_LIST_QUERY,
        &[],
        vec![0; 1024],
        ov,
        Some(routine),
    )?;
    assert_eq!(n, expect, "11823–11824");
    assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION, "11826–11827");
    assert_eq!(*seen.lock().unwrap(), vec![(None, 0, ov)], "11828–11832");
    ws.closesocket(s)
}

#[test]
fn address_list_query() {
    // Proves: SIO_ADDRESS_LIST_QUERY's sizes and errors with and without OVERLAPPED, its
    // completion packet and routine, and the list itself (sock.c 11690–11834).
    common::run(check);
}

#[test]
fn address_list_query_ipv6_lists_ipv6_addresses() {
    // Proves (beside sock.c): an AF_INET6 socket lists the host's IPv6 addresses, as
    // SOCKADDR_IN6; loopback is never listed.
    let mut sim = winsock_sim::sim::Sim::builder()
        .seed(common::seed())
        .build();
    let h = sim.host("six", "2001:db8::5");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        let mut b = [0u8; 256];
        let n = ws.wsa_ioctl(s, SIO_ADDRESS_LIST_QUERY, &[], &mut b)?;
        let list = decode_address_list(&b[..n]).expect("a list");
        assert_eq!(
            list,
            vec![SockAddr::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 5], 0)]
        );
        assert_eq!(
            n,
            ADDRESS_LIST_HEADER_LEN + SOCKET_ADDRESS_LEN + SOCKADDR_IN6_LEN
        );
        Ok(())
    });
    sim.run().unwrap();
}
