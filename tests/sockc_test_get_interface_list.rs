//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_get_interface_list` (Wine 10.0 lines
//! 12468–12583), facts only: `WSAIoctl(SIO_GET_INTERFACE_LIST)` fills an array of
//! `INTERFACE_INFO` at once without OVERLAPPED, and with one pends and completes with the
//! array's size, or with STATUS_BUFFER_TOO_SMALL and 0 bytes when the buffer is too small.
//!
//! Counted in `ok()` calls as Windows executes them (the loop over the entries once):
//!
//! | part of test_get_interface_list                                   | ported | not expressible | failing |
//! |-------------------------------------------------------------------|-------:|----------------:|--------:|
//! | socket, synchronous success and size, 12482–12490                 |      4 |               0 |       0 |
//! | overlapped: pending, count untouched, 12497–12499                 |      2 |               1 |       0 |
//! | the packet: size, key, OVERLAPPED, Internal, InternalHigh, 12502–12507 | 6 |             0 |       0 |
//! | each entry's families and addresses, loopback found, 12517–12531  |      7 |               0 |       0 |
//! | one byte short, synchronous: WSAEFAULT, count 0, 12535–12537      |      3 |               0 |       0 |
//! | one byte short, overlapped: pending, count untouched, 12543–12545 |      2 |               1 |       0 |
//! | its packet: ERROR_INSUFFICIENT_BUFFER, 0 bytes, key, OVERLAPPED, STATUS_BUFFER_TOO_SMALL, InternalHigh 0, 12548–12554 | 7 | 0 | 0 |
//! | NULL lpcbBytesReturned: WSAEFAULT, 12557–12558                    |      0 |               2 |       0 |
//! | with a routine: socket, pending, count untouched, 12566–12574     |      3 |               1 |       0 |
//! | the routine in SleepEx: once, WSAEFAULT, 0 bytes, OVERLAPPED, 12577–12581 | 5 |          0 |       0 |
//! | **total** (44)                                                    |     39 |               5 |       0 |
//!
//! Not expressible, by kind: a NULL lpcbBytesReturned (2: the count is always returned); the
//! count a pending overlapped call leaves untouched (3: the API returns no count with a
//! failure). `socket_apc`'s own `ok(!flags)` belongs to that helper (line 5428), not to this
//! function, so it is not counted; the port checks it too (the routine's flags are 0).
//!
//! Generic over the backend traits: the simulator runs it here; `os::Native` implements the
//! same traits on Windows.
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::api::extension::{STATUS_BUFFER_TOO_SMALL, STATUS_SUCCESS};
use winsock_sim::prelude::*;

fn check<W: WinsockExt + Iocp>(ws: &W) -> Result<(), WsaError> {
    // 12481–12483: an overlapped TCP socket on a completion port with key 123.
    let s = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED)?;
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(s, port, 123)?;

    // 12485–12491: synchronous: success, last error 0, a nonzero multiple of the entry size.
    let mut buffer = [0u8; 4096];
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    let size = ws.wsa_ioctl_sized(s, SIO_GET_INTERFACE_LIST, &[], &mut buffer);
    let Ok(expect) = size else {
        panic!("12488: {size:?}")
    };
    assert_eq!(ws.wsa_get_last_error(), 0, "12489");
    assert!(
        expect != 0 && expect % INTERFACE_INFO_LEN == 0,
        "12490: size {expect}"
    );
    let sync_list = buffer[..expect].to_vec();

    // 12493–12499: overlapped: SOCKET_ERROR with ERROR_IO_PENDING.
    let ov = Overlapped::new(1);
    let r = ws.wsa_ioctl_overlapped(s, SIO_GET_INTERFACE_LIST, &[], vec![0; 4096], ov, None);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "12497–12498");

    // 12501–12507: the packet: the size, key 123, the OVERLAPPED, Internal 0,
    // InternalHigh the size.
    let p = ws.get_queued_completion_status(port, 100)?;
    assert_eq!(p.error, None, "12502");
    assert_eq!(p.bytes, expect, "12503");
    assert_eq!(p.key, 123, "12504");
    assert_eq!(p.overlapped, Some(ov), "12505");
    assert_eq!(
        ws.overlapped_internal(&ov),
        (STATUS_SUCCESS, expect),
        "12506–12507"
    );
    let out = &p.bufs[0][..p.bytes];
    assert_eq!(
        out,
        &sync_list[..],
        "the same array as the synchronous call"
    );

    // 12509–12531: each entry: AF_INET address and netmask, a broadcast address (family and
    // value) exactly when IFF_BROADCAST, nonzero address and netmask; loopback is listed.
    let info = decode_interface_list(out).expect("whole entries");
    assert_eq!(info.len(), p.bytes / INTERFACE_INFO_LEN);
    let v4 = |a: &SockAddr| u32::from_be_bytes(a.as_bytes()[4..8].try_into().unwrap());
    let mut loopback_found = false;
    for i in &info {
        loopback_found |= i.flags & IFF_LOOPBACK != 0;
        assert_eq!(i.address.family(), AF_INET, "12517");
        assert_eq!(i.netmask.family(), AF_INET, "12519");
        let bcast = i.flags & IFF_BROADCAST != 0;
        assert_eq!(
            i.broadcast.family(),
            if bcast { AF_INET } else { 0 },
            "12521"
        );
        assert_ne!(v4(&i.address), 0, "12524");
        assert_ne!(v4(&i.netmask), 0, "12525");
        assert_eq!(v4(&i.broadcast) != 0, bcast, "12526");
    }
    assert!(loopback_found, "12531");

    // 12533–12537: one byte short of one entry: WSAEFAULT, and a count of 0.
    let r = ws.wsa_ioctl_sized(
        s,
        SIO_GET_INTERFACE_LIST,
        &[],
        &mut buffer[..INTERFACE_INFO_LEN - 1],
    );
    assert_eq!(r, Err((WsaError::WSAEFAULT, 0)), "12535–12537");
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEFAULT.code(), "12536");

    // 12539–12545: the same overlapped: pending.
    let ov = Overlapped::new(2);
    let r = ws.wsa_ioctl_overlapped(
        s,
        SIO_GET_INTERFACE_LIST,
        &[],
        vec![0; INTERFACE_INFO_LEN - 1],
        ov,
        None,
    );
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "12543–12544");

    // 12547–12554: its packet fails: ERROR_INSUFFICIENT_BUFFER, 0 bytes, key 123, the
    // OVERLAPPED, Internal STATUS_BUFFER_TOO_SMALL, InternalHigh 0.
    let p = ws.get_queued_completion_status(port, 100)?;
    assert_eq!(
        p.error,
        Some(WsaError::ERROR_INSUFFICIENT_BUFFER),
        "12548–12549"
    );
    assert_eq!(p.bytes, 0, "12550");
    assert_eq!(p.key, 123, "12551");
    assert_eq!(p.overlapped, Some(ov), "12552");
    assert_eq!(
        ws.overlapped_internal(&ov),
        (STATUS_BUFFER_TOO_SMALL, 0),
        "12553–12554"
    );

    // 12556–12558: a NULL lpcbBytesReturned: not expressible.
    ws.close_completion_port(port)?;
    ws.closesocket(s)?;

    // 12563–12581: with a completion routine and a short buffer: pending, then the routine
    // runs once in SleepEx(100, TRUE) with WSAEFAULT, 0 bytes and the OVERLAPPED.
    let s = ws.wsa_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSA_FLAG_OVERLAPPED)?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let routine: CompletionRoutine<W> = Box::new(move |_ws, done: IoCompletion| {
        seen2
            .lock()
            .unwrap()
            .push((done.error, done.bytes, done.overlapped, done.flags));
    });
    let ov = Overlapped::new(3);
    let r = ws.wsa_ioctl_overlapped(
        s,
        SIO_GET_INTERFACE_LIST,
        &[],
        vec![0; INTERFACE_INFO_LEN - 1],
        ov,
        Some(routine),
    );
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "12572–12573");
    assert_eq!(ws.sleep_ex(100, true), WAIT_IO_COMPLETION, "12577");
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(Some(WsaError::WSAEFAULT), 0, ov, 0)],
        "12578–12581 (and socket_apc's flags 0)"
    );
    ws.closesocket(s)
}

#[test]
fn get_interface_list() {
    // Proves: SIO_GET_INTERFACE_LIST's array, sizes and errors with and without OVERLAPPED,
    // its completion packet and routine (sock.c 12468–12583).
    common::run(check);
}

#[test]
fn interface_list_models_the_host() {
    // Proves (beside sock.c): the simulated host lists its IPv4 addresses on a /24 with their
    // directed broadcast address, then loopback (127.0.0.1/8, no broadcast); IPv6 addresses
    // are not listed (INTERFACE_INFO holds IPv4 ones).
    let mut sim = winsock_sim::sim::Sim::builder()
        .seed(common::seed())
        .build();
    let h = sim.host("two", "198.51.100.7");
    sim.host("six", "2001:db8::5");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
        let mut b = [0u8; 1024];
        let n = ws.wsa_ioctl(s, SIO_GET_INTERFACE_LIST, &[], &mut b)?;
        let list = decode_interface_list(&b[..n]).expect("a list");
        let want = vec![
            InterfaceInfo {
                flags: IFF_UP | IFF_BROADCAST | IFF_MULTICAST,
                address: SockAddr::v4([198, 51, 100, 7], 0),
                broadcast: SockAddr::v4([198, 51, 100, 255], 0),
                netmask: SockAddr::v4([255, 255, 255, 0], 0),
            },
            InterfaceInfo {
                flags: IFF_UP | IFF_LOOPBACK | IFF_MULTICAST,
                address: SockAddr::v4([127, 0, 0, 1], 0),
                broadcast: SockAddr::from_bytes(&[0; 16]),
                netmask: SockAddr::v4([255, 0, 0, 0], 0),
            },
        ];
        assert_eq!(list, want);
        // Exactly two entries fit; one byte less is WSAEFAULT.
        assert_eq!(
            ws.wsa_ioctl(s, SIO_GET_INTERFACE_LIST, &[], &mut b[..2 * 76]),
            Ok(152)
        );
        assert_eq!(
            ws.wsa_ioctl(s, SIO_GET_INTERFACE_LIST, &[], &mut b[..151]),
            Err(WsaError::WSAEFAULT)
        );
        ws.closesocket(s)
    });
    sim.run().unwrap();
}
