//! `WSAPROTOCOL_INFO` rules (`ProtocolInfoApi`): a duplicated socket shares the socket, the
//! catalogue entry `getsockopt(SO_PROTOCOL_INFOW)` reports, `WSAEnumProtocolsW`, and the
//! error paths, written once for the simulator and the real stacks (sock.c
//! test_WSADuplicateSocket, test_set_getsockopt 1751–1829, test_WSASocket; protocol.c
//! test_WSAEnumProtocolsW).

use winsock_sim::api::protocol_info::{
    WsaProtocolInfo, SZ_PROTOCOL_OFFSET, TCP_SERVICE_FLAGS, UDP_SERVICE_FLAGS, XP1_QOS_SUPPORTED,
};
use winsock_sim::prelude::*;

use super::{code, e, exchange_on_last_handle, loopback, pair, tcp, Check, Rule};

/// The `ProtocolInfoApi` rules.
pub fn protocol_info_rules<W: Winsock + ProtocolInfoApi>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "PI-dup-shares", title: "WSADuplicateSocket + WSASocket(&info): a second handle on the same connection; options shared; closing the original leaves it working", body: dup_shares::<W> },
        Rule { id: "PI-dup-errors", title: "WSADuplicateSocket: WSAENOTSOCK, then WSAEINVAL for a bad process id, then WSAEFAULT for a NULL info", body: dup_errors::<W> },
        Rule { id: "PI-dup-unbound", title: "a UDP duplicate opened before the bind still sees its socket unbound: recvfrom WSAEINVAL", body: dup_unbound::<W> },
        Rule { id: "PI-sockopt", title: "SO_PROTOCOL_INFOA/W: TCP and UDP entries (family, type, protocol, service flags, address sizes), A and W agree; half a buffer WSAEFAULT, a larger one keeps optlen", body: sockopt::<W> },
        Rule { id: "PI-enum", title: "WSAEnumProtocolsW sizes with WSAENOBUFS, lists TCP and UDP over IPv4 (none hidden), filters by protocol", body: enumerate::<W> },
    ]
}

/// `WSADuplicateSocket(s, GetCurrentProcessId())` then `WSASocket(0, 0, 0, &info)`.
fn duplicate<W: ProtocolInfoApi>(ws: &W, s: Socket) -> Result<Socket, String> {
    let mut info = winsock_sim::api::protocol_info::catalog()[0].clone();
    e(
        "WSADuplicateSocket",
        ws.wsa_duplicate_socket(s, ws.get_current_process_id(), Some(&mut info)),
    )?;
    e(
        "WSASocket(&info)",
        ws.wsa_socket_from_info(0, 0, 0, Some(&info), 0),
    )
}

fn dup_shares<W: Winsock + ProtocolInfoApi>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let dup = duplicate(ws, cl)?;
    c.eq("a new handle value", dup != cl, true)?;
    c.eq(
        "the peer seen through the duplicate",
        ws.getpeername(dup),
        ws.getpeername(cl),
    )?;
    e(
        "SO_KEEPALIVE on the original",
        ws.setsockopt_i32(cl, SOL_SOCKET, SO_KEEPALIVE, 1),
    )?;
    c.eq(
        "SO_KEEPALIVE read through the duplicate",
        ws.getsockopt_i32(dup, SOL_SOCKET, SO_KEEPALIVE)
            .map(|v| v & 0xff),
        Ok(1),
    )?;
    e("closesocket(original)", ws.closesocket(cl))?;
    c.eq(
        "the original handle",
        code(ws.send(cl, b"x", 0)),
        Err(WsaError::WSAENOTSOCK),
    )?;
    c.eq("send on the duplicate", ws.send(dup, b"dup", 0), Ok(3))?;
    exchange_on_last_handle(ws, c, dup, sv)
}

fn dup_errors<W: Winsock + ProtocolInfoApi>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    let pid = ws.get_current_process_id();
    let mut info = winsock_sim::api::protocol_info::catalog()[0].clone();
    c.eq(
        "not a socket, NULL info",
        ws.wsa_duplicate_socket(Socket::from_raw(0), 0, None),
        Err(WsaError::WSAENOTSOCK),
    )?;
    c.eq(
        "process 0, NULL info",
        ws.wsa_duplicate_socket(s, 0, None),
        Err(WsaError::WSAEINVAL),
    )?;
    c.eq(
        "process ~0",
        ws.wsa_duplicate_socket(s, !0, Some(&mut info)),
        Err(WsaError::WSAEINVAL),
    )?;
    c.eq(
        "NULL info",
        ws.wsa_duplicate_socket(s, pid, None),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq(
        "the last error",
        ws.wsa_get_last_error(),
        WsaError::WSAEFAULT.code(),
    )?;
    e("closesocket", ws.closesocket(s))
}

fn dup_unbound<W: Winsock + ProtocolInfoApi>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = e("socket", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    let dup = duplicate(ws, s)?;
    e("bind", ws.bind(s, &loopback(0)))?;
    let addr = e("getsockname", ws.getsockname(s))?;
    c.eq("sendto itself", ws.sendto(s, b"TEST\0", 0, &addr), Ok(5))?;
    let mut buf = [0u8; 16];
    c.eq_or_wine(
        "recvfrom on the duplicate",
        code(ws.recvfrom(dup, &mut buf[..5], 0)),
        Err(WsaError::WSAEINVAL),
        Ok(()),
        "sock.c test_WSADuplicateSocket 3868 (todo_wine)",
    )?;
    e("closesocket", ws.closesocket(dup))?;
    e("closesocket", ws.closesocket(s))
}

/// SO_PROTOCOL_INFOA and SO_PROTOCOL_INFOW of `s`, decoded, after checking they agree.
fn both_infos<W: Winsock>(ws: &W, c: &mut Check, s: Socket) -> Result<WsaProtocolInfo, String> {
    let mut a = [0u8; WSAPROTOCOL_INFOA_LEN];
    let mut w = [0u8; WSAPROTOCOL_INFOW_LEN];
    c.eq(
        "SO_PROTOCOL_INFOA",
        ws.getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOA, &mut a),
        Ok(WSAPROTOCOL_INFOA_LEN),
    )?;
    c.eq(
        "SO_PROTOCOL_INFOW",
        ws.getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, &mut w),
        Ok(WSAPROTOCOL_INFOW_LEN),
    )?;
    c.eq(
        "A and W up to szProtocol",
        a[..SZ_PROTOCOL_OFFSET] == w[..SZ_PROTOCOL_OFFSET],
        true,
    )?;
    let ia = WsaProtocolInfo::decode_a(&a).ok_or("372 bytes")?;
    let iw = WsaProtocolInfo::decode_w(&w).ok_or("628 bytes")?;
    c.eq("a name", iw.protocol_name.is_empty(), false)?;
    c.eq("the same name", &ia.protocol_name, &iw.protocol_name)?;
    Ok(iw)
}

fn sockopt<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    for (ty, proto, flags) in [
        (SOCK_STREAM, IPPROTO_TCP, TCP_SERVICE_FLAGS),
        (SOCK_DGRAM, IPPROTO_UDP, UDP_SERVICE_FLAGS),
    ] {
        let s = e("socket", ws.socket(AF_INET, ty, proto))?;
        let i = both_infos(ws, c, s)?;
        c.eq(
            "family, type, protocol",
            (i.address_family, i.socket_type, i.protocol),
            (AF_INET, ty, proto),
        )?;
        c.eq(
            "service flags (QoS aside)",
            i.service_flags1 & !XP1_QOS_SUPPORTED,
            flags,
        )?;
        c.eq(
            "version, address sizes",
            (i.version, i.max_sockaddr, i.min_sockaddr),
            (2, 16, 16),
        )?;
        e("closesocket", ws.closesocket(s))?;
    }
    let s = tcp(ws)?;
    let mut big = [0u8; 2 * WSAPROTOCOL_INFOA_LEN];
    c.eq(
        "half a WSAPROTOCOL_INFOA",
        code(ws.getsockopt(
            s,
            SOL_SOCKET,
            SO_PROTOCOL_INFOA,
            &mut big[..WSAPROTOCOL_INFOA_LEN / 2],
        )),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq(
        "twice its size: optlen kept",
        ws.getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOA, &mut big),
        Ok(2 * WSAPROTOCOL_INFOA_LEN),
    )?;
    e("closesocket", ws.closesocket(s))
}

fn enumerate<W: Winsock + ProtocolInfoApi>(ws: &W, c: &mut Check) -> Result<(), String> {
    let mut len = 0u32;
    c.eq(
        "into no buffer",
        code(ws.wsa_enum_protocols_w(None, &mut len)),
        Err(WsaError::WSAENOBUFS),
    )?;
    c.eq(
        "the size asked for",
        len > 0 && len as usize % WSAPROTOCOL_INFOW_LEN == 0,
        true,
    )?;
    let all = e("WSAEnumProtocolsW", ws.wsa_enum_protocols_w(None, &mut len))?;
    let has = |ty: i32, proto: i32, flags: u32| {
        all.iter().any(|p| {
            p.address_family == AF_INET
                && p.socket_type == ty
                && p.protocol == proto
                && p.service_flags1 & !XP1_QOS_SUPPORTED == flags
        })
    };
    c.eq(
        "TCP over IPv4",
        has(SOCK_STREAM, IPPROTO_TCP, TCP_SERVICE_FLAGS),
        true,
    )?;
    c.eq(
        "UDP over IPv4",
        has(SOCK_DGRAM, IPPROTO_UDP, UDP_SERVICE_FLAGS),
        true,
    )?;
    c.eq(
        "none hidden",
        all.iter()
            .any(|p| p.provider_flags & winsock_sim::api::protocol_info::PFL_HIDDEN != 0),
        false,
    )?;
    let mut len = 0u32;
    let list = [0xdead, IPPROTO_UDP, 0xbeef, 0];
    c.eq(
        "UDP only, into no buffer",
        code(ws.wsa_enum_protocols_w(Some(&list), &mut len)),
        Err(WsaError::WSAENOBUFS),
    )?;
    let udp = e(
        "WSAEnumProtocolsW(UDP)",
        ws.wsa_enum_protocols_w(Some(&list), &mut len),
    )?;
    c.eq("some UDP entries", udp.is_empty(), false)?;
    c.eq(
        "only UDP",
        udp.iter().all(|p| p.protocol == IPPROTO_UDP),
        true,
    )
}
