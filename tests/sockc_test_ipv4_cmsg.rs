//! Port of Wine's `dlls/ws2_32/tests/sock.c` `test_ipv4_cmsg` (Wine 10.0 lines 2816–2921),
//! facts only.
//!
//! | part of test_ipv4_cmsg                                         | ported | not expressible | failing |
//! |----------------------------------------------------------------|-------:|----------------:|--------:|
//! | sockets, bind 127.0.0.1:9374, connect, WSARecvMsg loaded, 2838–2852 |  5 |               0 |       0 |
//! | IP_RECVTTL: the option, an IP_TTL record (≥ 32), 2854–2875    |     11 |               0 |       0 |
//! | IP_PKTINFO: the option, an IP_PKTINFO record (127.0.0.1), 2877–2897 | 11 |             0 |       0 |
//! | IP_RECVTOS: the option, an IP_TOS record (0), 2899–2918       |     11 |               0 |       0 |
//! | **total**                                                      |     38 |               0 |       0 |
//!
//! Every assertion is expressible: the control buffer is read as the bytes Windows writes
//! (`cmsg_len` as an 8-byte SIZE_T, `cmsg_level`, `cmsg_type`, the data). The `broken()`
//! record types of Windows 10 1607 and older (IP_HOPLIMIT, IP_TCLASS) are not accepted. The
//! "failed to clear" checks after IP_RECVTTL test a stale `rc` in sock.c; here they check the
//! clearing setsockopt itself.
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
        ws.setsockopt_i32(server, IPPROTO_IP, opt, 1),
        Ok(()),
        "{line}: set"
    );
    let mut state = [0u8; 4];
    assert_eq!(
        ws.getsockopt(server, IPPROTO_IP, opt, &mut state),
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
        ws.setsockopt_i32(server, IPPROTO_IP, opt, 0),
        Ok(()),
        "{line}: clear"
    );
    Ok(rec)
}

fn check(ws: &SimWinsock) -> Result<(), WsaError> {
    // 2838–2852: client and server; the server on 127.0.0.1:9374; the client connected.
    let localhost = SockAddr::v4([127, 0, 0, 1], 9374);
    let client = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let server = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    assert_eq!(ws.bind(server, &localhost), Ok(()), "2843");
    assert_eq!(ws.connect(client, &localhost), Ok(()), "2845");
    let mut p = [0u8; 8];
    let guid = WSAID_WSARECVMSG.to_bytes();
    let r = ws.wsa_ioctl_sized(server, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, &mut p);
    assert_eq!(r, Ok(8), "2850");

    // 2854–2875: IP_RECVTTL: an IPPROTO_IP / IP_TTL record of an INT, at least 32.
    let (len, level, ty, data) = block(ws, client, server, IP_RECVTTL, 2857)?;
    assert_eq!(level, IPPROTO_IP, "2868");
    assert_eq!(ty, IP_TTL, "2869");
    assert_eq!(len, 16 + 4, "2871");
    assert!(
        i32::from_le_bytes(data[..4].try_into().unwrap()) >= 32,
        "2873"
    );

    // 2877–2897: IP_PKTINFO: an IN_PKTINFO naming 127.0.0.1.
    let (len, level, ty, data) = block(ws, client, server, IP_PKTINFO, 2879)?;
    assert_eq!(level, IPPROTO_IP, "2891");
    assert_eq!(ty, IP_PKTINFO, "2892");
    assert_eq!(len, 16 + 8, "2893");
    assert_eq!(&data[..4], &[127, 0, 0, 1], "2895");

    // 2899–2918: IP_RECVTOS: an IPPROTO_IP / IP_TOS record of an INT, 0.
    let (len, level, ty, data) = block(ws, client, server, IP_RECVTOS, 2901)?;
    assert_eq!(level, IPPROTO_IP, "2912");
    assert_eq!(ty, IP_TOS, "2913");
    assert_eq!(len, 16 + 4, "2915");
    assert_eq!(i32::from_le_bytes(data[..4].try_into().unwrap()), 0, "2917");

    ws.closesocket(server)?;
    ws.closesocket(client)
}

#[test]
fn ipv4_cmsg() {
    // Proves: IP_RECVTTL, IP_PKTINFO and IP_RECVTOS read back as 1 once set, and each makes
    // the first record WSARecvMsg returns one of the right level, type, length and value
    // (sock.c 2816–2921).
    common::run(check);
}
