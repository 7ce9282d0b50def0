//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_ip_pktinfo` (Wine 10.0 lines 2624–2814,
//! with its completion routine `ip_pktinfo_apc`, 2616–2622), facts only. The body runs twice,
//! with the receiver bound to 127.0.0.1 and to 0.0.0.0: each count below is per run (×2 in
//! the README).
//!
//! | part of test_ip_pktinfo (one run)                                 | ported | not expressible | failing |
//! |-------------------------------------------------------------------|-------:|----------------:|--------:|
//! | sockets, WSARecvMsg loaded, bind, getsockname, 2660–2679          |      5 |               0 |       0 |
//! | WSARecvMsg with a NULL lpMsg: WSAEFAULT, 2681–2684                |      0 |               1 |       0 |
//! | no control data and a NULL/0 control buffer: success, 2686–2695   |      3 |               0 |       0 |
//! | IP_PKTINFO on; a 1-byte control buffer: WSAEMSGSIZE, MSG_CTRUNC, 2697–2716 | 6 |         1 |       0 |
//! | the same overlapped: STATUS_BUFFER_OVERFLOW, 6 bytes, 2718–2746  |     10 |               3 |       0 |
//! | the same with a completion routine (and its 3 checks), 2748–2774  |     10 |               0 |       0 |
//! | a full control buffer, overlapped: the IN_PKTINFO, 2776–2808      |      8 |               1 |       0 |
//! | **total per run**                                                 |     42 |               6 |       0 |
//!
//! Not expressible, per kind: a NULL `lpMsg` (1); the byte count a failed blocking
//! WSARecvMsg writes (todo_wine `dwSize == 6`, 1: the API returns only the error);
//! `OVERLAPPED.Offset` / `OffsetHigh` left alone (2: the API's OVERLAPPED has no such
//! fields); WSAGetOverlappedResult leaving `dwFlags` unwritten on failure (todo_wine, 1: the
//! API returns the flags in the completion, it has no caller's variable to leave alone);
//! `Control.len` unchanged while the receive pends (1: the message is handed to the call).
//! `GetLastError() == 0` after sendto is checked through `WSAGetLastError`, and
//! `OVERLAPPED.Internal` / `InternalHigh` through `WinsockExt::overlapped_internal`.
mod common;

use std::sync::{Arc, Mutex};

use winsock_sim::api::extension::STATUS_BUFFER_OVERFLOW;
use winsock_sim::api::msg::parse_cmsgs;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const MSG: &[u8] = b"HELLO\0";

/// sendto from `s2` to `to`: 6 bytes, last error 0 afterwards.
fn send(ws: &SimWinsock, s2: Socket, to: &SockAddr, line: u32) {
    ws.wsa_set_last_error(0xdead_beef_u32 as i32);
    assert_eq!(ws.sendto(s2, MSG, 0, to), Ok(MSG.len()), "{line}: sendto");
    assert_eq!(ws.wsa_get_last_error(), 0, "{line}: last error 0");
}

fn one_run(ws: &SimWinsock, ip: [u8; 4]) -> Result<(), WsaError> {
    let ev = ws.create_event(false, false)?;
    // 2660–2679: the receiver (WSARecvMsg loaded, bound to `ip`), the sender.
    let s1 = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
    let mut p = [0u8; 8];
    let guid = WSAID_WSARECVMSG.to_bytes();
    let r = ws.wsa_ioctl_sized(s1, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, &mut p);
    assert_eq!(r, Ok(8), "2666");
    assert_eq!(ws.bind(s1, &SockAddr::v4(ip, 0)), Ok(()), "2670");
    let r = ws.getsockname(s1);
    assert!(r.is_ok(), "2675");
    let s2addr = SockAddr::v4([127, 0, 0, 1], r?.port().unwrap());
    let s2 = ws.socket(AF_INET, SOCK_DGRAM, 0)?;

    // 2681–2684: a NULL lpMsg: not expressible.
    // 2686–2695: no control data comes; a NULL, 0-length control buffer works.
    send(ws, s2, &s2addr, 2688);
    let mut hdr = WsaMsg::for_recv(&[10], 0);
    assert_eq!(ws.wsa_recv_msg(s1, &mut hdr), Ok(MSG.len()), "2694");

    // 2697–2711: IP_PKTINFO on; a 1-byte control buffer: WSAEMSGSIZE, MSG_CTRUNC.
    assert_eq!(
        ws.setsockopt_i32(s1, IPPROTO_IP, IP_PKTINFO, 1),
        Ok(()),
        "2699"
    );
    send(ws, s2, &s2addr, 2706);
    let mut hdr = WsaMsg::for_recv(&[10], 1);
    let r = ws.wsa_recv_msg(s1, &mut hdr);
    common::fails(ws, r, WsaError::WSAEMSGSIZE, "2712–2713");
    assert_eq!(hdr.flags, MSG_CTRUNC, "2715");

    // 2718–2746: the same, overlapped and pending first.
    let ov = Overlapped::with_event(1, ev);
    let r = ws.wsa_recv_msg_overlapped(s1, WsaMsg::for_recv(&[10], 1), ov, None);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "2726");
    send(ws, s2, &s2addr, 2728);
    assert_eq!(
        ws.wait_for_single_object(ev.into(), 100)?,
        WAIT_OBJECT_0,
        "2731"
    );
    let (status, high) = ws.overlapped_internal(&ov);
    assert_eq!(status, STATUS_BUFFER_OVERFLOW, "2732");
    assert_eq!(high, MSG.len(), "2733");
    let done = ws.wsa_get_overlapped_result(s1, &ov, false)?;
    assert_eq!(done.error, Some(WsaError::WSAEMSGSIZE), "2737–2738");
    assert_eq!(
        ws.wsa_get_last_error(),
        WsaError::WSAEMSGSIZE.code(),
        "2739"
    );
    assert_eq!(done.bytes, MSG.len(), "2740");
    assert_eq!(done.msg_flags, MSG_CTRUNC, "2742–2743");

    // 2748–2774: with a completion routine, the datagram already queued: the call says
    // WSA_IO_PENDING (todo_wine: Windows' answer) and the routine runs once in SleepEx.
    send(ws, s2, &s2addr, 2751);
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    let routine: CompletionRoutine<SimWinsock> = Box::new(move |_ws, done: IoCompletion| {
        seen.lock()
            .unwrap()
            .push((done.error, done.bytes, done.flags, done.msg_flags));
    });
    let r = ws.wsa_recv_msg_overlapped(
        s1,
        WsaMsg::for_recv(&[10], 1),
        Overlapped::with_event(2, ev),
        Some(routine),
    );
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "2763–2764");
    assert_eq!(ws.sleep_ex(1000, true), WAIT_IO_COMPLETION, "2767");
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "2768: the routine ran once");
    let (error, size, flags, msg_flags) = got[0];
    assert_eq!(error, Some(WsaError::WSAEMSGSIZE), "2618");
    assert_eq!(size, 6, "2619");
    assert_eq!(flags, 0, "2620");
    assert_eq!(msg_flags, MSG_CTRUNC, "2769");

    // 2776–2808: a 512-byte control buffer, overlapped: the data and one IN_PKTINFO record
    // (24 bytes) naming 127.0.0.1.
    let ov = Overlapped::with_event(3, ev);
    let r = ws.wsa_recv_msg_overlapped(s1, WsaMsg::for_recv(&[10], 512), ov, None);
    common::fails(ws, r, WsaError::WSA_IO_PENDING, "2783");
    // 2784–2785: Control.len while pending: not expressible.
    assert_eq!(ws.sendto(s2, MSG, 0, &s2addr), Ok(MSG.len()), "2787");
    assert_eq!(
        ws.wait_for_single_object(ev.into(), 100)?,
        WAIT_OBJECT_0,
        "2788"
    );
    let done = ws.wsa_get_overlapped_result(s1, &ov, false)?;
    assert_eq!(done.bytes, MSG.len(), "2791");
    assert_eq!(&done.bufs[0][..MSG.len()], MSG, "2793");
    assert_eq!(done.control.len(), 16 + 8, "2795: IP_PKTINFO_LEN");
    let found: Vec<_> = parse_cmsgs(&done.control)
        .into_iter()
        .filter_map(|c| match c {
            Cmsg::PktInfo { addr, .. } => Some(addr),
            _ => None,
        })
        .collect();
    assert!(
        found.iter().all(|a| a.octets() == [127, 0, 0, 1]),
        "2805: the destination address"
    );
    assert!(!found.is_empty(), "2810: IP_PKTINFO returned");

    ws.closesocket(s2)?;
    ws.closesocket(s1)?;
    ws.close_handle(ev.into())
}

#[test]
fn ip_pktinfo() {
    // Proves: WSARecvMsg with and without IP_PKTINFO, a 1-byte control buffer (blocking,
    // overlapped with an event, with a completion routine: WSAEMSGSIZE, 6 bytes, MSG_CTRUNC,
    // STATUS_BUFFER_OVERFLOW) and a full one (the IN_PKTINFO naming 127.0.0.1), for a
    // receiver bound to 127.0.0.1 and to 0.0.0.0 (sock.c 2616–2814).
    common::run(|ws| {
        for ip in [[127, 0, 0, 1], [0, 0, 0, 0]] {
            one_run(ws, ip)?;
        }
        Ok(())
    });
}
