//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_ipv6_cmsg` (Wine 10.0 lines 2923–3031),
//! facts only.
//!
//! | part of test_ipv6_cmsg                                         | ported | not expressible | failing |
//! |----------------------------------------------------------------|-------:|----------------:|--------:|
//! | sockets, bind [::1]:9374, connect, WSARecvMsg loaded, 2944–2961 |     5 |               0 |       0 |
//! | IPV6_HOPLIMIT: the option, an IPV6_HOPLIMIT record (≥ 32), 2963–2983 | 11 |            0 |       0 |
//! | IPV6_PKTINFO: the option, an IPV6_PKTINFO record (::1), 2985–3005 | 11 |               0 |       0 |
//! | IPV6_RECVTCLASS: the option, an IPV6_TCLASS record (0), 3007–3027 | 11 |               0 |       0 |
//! | **total**                                                      |     38 |               0 |       0 |
//!
//! Every assertion is expressible: the control buffer is read as the bytes Windows writes
//! (`cmsg_len` as an 8-byte SIZE_T, `cmsg_level`, `cmsg_type`, the data). The `broken()`
//! bind's WSAEADDRNOTAVAIL escape (a Windows without IPv6, then skipped) is not taken: the
//! simulated hosts have IPv6. The "failed to clear" check after IPV6_HOPLIMIT tests a stale
//! `rc` in sock.c; here it checks the clearing setsockopt itself.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

const PAYLOAD: &[u8] = b"HELLO\0";

/// The first control record's (cmsg_len, cmsg_level, cmsg_type, data bytes).
fn first_record(control: &[u8]) -> (u64, i32, i32, &[u8]) {
    let len = u64::from_le_bytes(control[..8].try_into().unwrap());
    let level = i32::from_le_bytes(control[8..12].try_into().unwrap());
    let ty = i32::from_le_bytes(control[12..16].try_into().unwrap());
    let end = (len as usize).clamp(16, control.len());
    (len, level, ty, &control[16..end])
}

/// One option block: set `opt`, read it back as 1, send, WSARecvMsg with a 100-byte control
/// buffer; returns the first record (after checking the count), then clears the option.
fn block(
    ws: &SimWinsock,
    client: Socket,
    server: Socket,
    opt: i32,
    line: u32,
) -> Result<(u64, i32, i32, Vec<u8>), WsaError> {
    assert_eq!(
        ws.setsockopt_i32(server, IPPROTO_IPV6, opt, 1),
        Ok(()),
        "{line}: set"
    );
    let mut state = [0u8; 4];
    assert_eq!(
        ws.getsockopt(server, IPPROTO_IPV6, opt, &mut state),
        Ok(4),
        "{line}: get"
    );
    assert_eq!(u32::from_le_bytes(state), 1, "{line}: state 1");
    assert_eq!(
        ws.send(client, PAYLOAD, 0),
        Ok(PAYLOAD.len()),
        "{line}: send"
    );
    let mut msg = WsaMsg::for_recv(&[PAYLOAD.len()], 100);
    let r = ws.wsa_recv_msg(server, &mut msg);
    assert!(r.is_ok(), "{line}: WSARecvMsg: {r:?}");
    assert_eq!(r?, PAYLOAD.len(), "{line}: count");
    assert_eq!(&msg.bufs[0][..], PAYLOAD);
    let (len, level, ty, data) = first_record(&msg.control);
    let rec = (len, level, ty, data.to_vec());
    assert_eq!(
        ws.setsockopt_i32(server, IPPROTO_IPV6, opt, 0),
        Ok(()),
        "{line}: clear"
    );
    Ok(rec)
}

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 2940–2961: client and server; the server on [::1]:9374; the client connected.
    let localhost = SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 9374);
    let client = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
    let server = ws.socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)?;
    assert_eq!(ws.bind(server, &localhost), Ok(()), "2950");
    assert_eq!(ws.connect(client, &localhost), Ok(()), "2957");
    let mut p = [0u8; 8];
    let guid = WSAID_WSARECVMSG.to_bytes();
    let r = ws.wsa_ioctl_sized(server, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, &mut p);
    assert_eq!(r, Ok(8), "2961");

    // 2963–2983: IPV6_HOPLIMIT: an IPPROTO_IPV6 / IPV6_HOPLIMIT record of an INT, ≥ 32.
    let (len, level, ty, data) = block(ws, client, server, IPV6_HOPLIMIT, 2966)?;
    assert_eq!(level, IPPROTO_IPV6, "2977");
    assert_eq!(ty, IPV6_HOPLIMIT, "2978");
    assert_eq!(len, 16 + 4, "2979");
    assert!(
        i32::from_le_bytes(data[..4].try_into().unwrap()) >= 32,
        "2981"
    );

    // 2985–3005: IPV6_PKTINFO: an IN6_PKTINFO (20 bytes) naming ::1.
    let (len, level, ty, data) = block(ws, client, server, IPV6_PKTINFO, 2988)?;
    assert_eq!(level, IPPROTO_IPV6, "2999");
    assert_eq!(ty, IPV6_PKTINFO, "3000");
    assert_eq!(len, 16 + 20, "3001");
    let mut one = [0u8; 16];
    one[15] = 1;
    assert_eq!(&data[..16], &one, "3003");

    // 3007–3027: IPV6_RECVTCLASS: an IPPROTO_IPV6 / IPV6_TCLASS record of an INT, 0.
    let (len, level, ty, data) = block(ws, client, server, IPV6_RECVTCLASS, 3010)?;
    assert_eq!(level, IPPROTO_IPV6, "3021");
    assert_eq!(ty, IPV6_TCLASS, "3022");
    assert_eq!(len, 16 + 4, "3023");
    assert_eq!(i32::from_le_bytes(data[..4].try_into().unwrap()), 0, "3025");

    ws.closesocket(server)?;
    ws.closesocket(client)
}

#[test]
fn ipv6_cmsg() {
    // Proves: IPV6_HOPLIMIT, IPV6_PKTINFO and IPV6_RECVTCLASS read back as 1 once set, and
    // each makes the first record WSARecvMsg returns one of the right level, type, length and
    // value (sock.c 2923–3031).
    common::run(check);
}
