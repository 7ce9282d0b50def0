//! The interface queries of WSAIoctl (SIO_GET_INTERFACE_LIST, SIO_ROUTING_INTERFACE_QUERY)
//! and WSAConnectByName, written once for the simulator and the real WinSock. The facts are
//! those of sock.c's test_get_interface_list, test_sioRoutingInterfaceQuery and
//! test_WSAConnectByName (see the ports in tests/sockc_test_*.rs); the rules only use what
//! every host has: loopback, 127.0.0.1, numeric names.

use winsock_sim::prelude::*;

use super::{code, e, listener, tcp, Check, Rule};

/// The WSAIoctl interface-query rules.
pub fn interface_rules<W: Winsock + WinsockExt>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "IOCTL-iflist", title: "SIO_GET_INTERFACE_LIST: whole INTERFACE_INFO entries, loopback among them, broadcast address exactly with IFF_BROADCAST; a buffer one byte short of an entry WSAEFAULT with count 0", body: iflist::<W> },
        Rule { id: "IOCTL-route", title: "SIO_ROUTING_INTERFACE_QUERY: 127.0.0.1 gives an IPv4 source (16 bytes); a short output WSAEFAULT with the size; family 0 WSAEAFNOSUPPORT; 0.0.0.0 WSAEINVAL", body: route::<W> },
    ]
}

/// The WSAConnectByName rules.
pub fn connect_by_name_rules<W: Winsock + ConnectByName>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "CBN-connect", title: "WSAConnectByName to 127.0.0.1 and a numeric service: connected, remote address getpeername's, local address getsockname's with port 0, lengths set to 16", body: cbn_connect::<W> },
        Rule { id: "CBN-errors", title: "WSAConnectByName: NULL node or service WSAEINVAL (even on a closed socket), unknown service WSATYPE_NOT_FOUND, UDP socket WSAEFAULT, lengths of 3 WSAEFAULT and kept", body: cbn_errors::<W> },
    ]
}

fn iflist<W: Winsock + WinsockExt>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = tcp(ws)?;
    let mut buf = [0u8; 4096];
    let n = e(
        "SIO_GET_INTERFACE_LIST",
        ws.wsa_ioctl_sized(s, SIO_GET_INTERFACE_LIST, &[], &mut buf)
            .map_err(|(err, _)| err),
    )?;
    c.eq("whole entries", n > 0 && n % INTERFACE_INFO_LEN == 0, true)?;
    let list = decode_interface_list(&buf[..n]).ok_or("undecodable list")?;
    let lo = list.iter().find(|i| i.flags & IFF_LOOPBACK != 0);
    c.eq(
        "the loopback entry's address",
        lo.map(|i| i.address),
        Some(SockAddr::v4([127, 0, 0, 1], 0)),
    )?;
    for i in &list {
        c.eq("iiAddress family", i.address.family(), AF_INET)?;
        c.eq("iiNetmask family", i.netmask.family(), AF_INET)?;
        let bcast = i.flags & IFF_BROADCAST != 0;
        c.eq(
            "iiBroadcastAddress family",
            i.broadcast.family(),
            if bcast { AF_INET } else { 0 },
        )?;
    }
    c.eq(
        "one byte short of an entry",
        ws.wsa_ioctl_sized(
            s,
            SIO_GET_INTERFACE_LIST,
            &[],
            &mut buf[..INTERFACE_INFO_LEN - 1],
        ),
        Err((WsaError::WSAEFAULT, 0)),
    )?;
    e("closesocket", ws.closesocket(s))
}

/// A `SOCKADDR_IN` with `family` and `ip`, port 0.
fn sockaddr_in(family: u16, ip: [u8; 4]) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..2].copy_from_slice(&family.to_le_bytes());
    b[4..8].copy_from_slice(&ip);
    b
}

fn route<W: Winsock + WinsockExt>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = e("socket", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    let lo = sockaddr_in(AF_INET as u16, [127, 0, 0, 1]);
    let mut out = [0u8; 16];
    c.eq(
        "127.0.0.1",
        ws.wsa_ioctl_sized(s, SIO_ROUTING_INTERFACE_QUERY, &lo, &mut out),
        Ok(16),
    )?;
    // Its source is not checked: sock.c does not either ("no guarantee that a route to the
    // loopback address exists"); Wine under this container answers the host's address.
    c.eq(
        "an IPv4 source",
        SockAddr::from_bytes(&out).family(),
        AF_INET,
    )?;
    c.eq_or_wine(
        "an output one byte short",
        ws.wsa_ioctl_sized(s, SIO_ROUTING_INTERFACE_QUERY, &lo, &mut out[..15]),
        Err((WsaError::WSAEFAULT, 16)),
        Err((WsaError::WSAEFAULT, 0)),
        "sock.c test_sioRoutingInterfaceQuery line 10220: todo_wine, Wine leaves the count",
    )?;
    c.eq(
        "family 0",
        code(ws.wsa_ioctl(s, SIO_ROUTING_INTERFACE_QUERY, &[0; 16], &mut out)),
        Err(WsaError::WSAEAFNOSUPPORT),
    )?;
    c.eq_or_wine(
        "0.0.0.0",
        code(ws.wsa_ioctl(
            s,
            SIO_ROUTING_INTERFACE_QUERY,
            &sockaddr_in(AF_INET as u16, [0, 0, 0, 0]),
            &mut out,
        )),
        Err(WsaError::WSAEINVAL),
        Ok(()),
        "sock.c test_sioRoutingInterfaceQuery lines 10199-10201: todo_wine, Wine answers",
    )?;
    e("closesocket", ws.closesocket(s))
}

fn cbn_connect<W: Winsock + ConnectByName>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (l, addr) = listener(ws)?;
    let port = addr.port().ok_or("the listener's port")?.to_string();
    let s = tcp(ws)?;
    let (mut local_len, mut remote_len) = (50u32, 50u32);
    let zero = SockAddr::from_bytes(&[0; 16]);
    let (mut local, mut remote) = (zero, zero);
    let addrs = ByNameAddrs {
        local_len: Some(&mut local_len),
        local: Some(&mut local),
        remote_len: Some(&mut remote_len),
        remote: Some(&mut remote),
    };
    e(
        "WSAConnectByName",
        ws.wsa_connect_by_name(s, Some("127.0.0.1"), Some(&port), addrs, None, None),
    )?;
    c.eq("last error", ws.wsa_get_last_error(), 0)?;
    c.eq("lengths", (local_len, remote_len), (16, 16))?;
    c.eq("remote", remote, addr)?;
    c.eq("getpeername", e("getpeername", ws.getpeername(s))?, addr)?;
    let here = e("getsockname", ws.getsockname(s))?;
    c.eq("local port", local.port(), Some(0))?;
    c.eq(
        "local address",
        local.to_socket_addr().map(|a| a.ip()),
        here.to_socket_addr().map(|a| a.ip()),
    )?;
    let (a, peer) = e("accept", ws.accept(l))?;
    c.eq("the listener's peer", peer, here)?;
    for x in [a, s, l] {
        e("closesocket", ws.closesocket(x))?;
    }
    Ok(())
}

fn cbn_errors<W: Winsock + ConnectByName>(ws: &W, c: &mut Check) -> Result<(), String> {
    let none = || ByNameAddrs::default();
    let s = tcp(ws)?;
    c.eq(
        "NULL node",
        ws.wsa_connect_by_name(s, None, Some("80"), none(), None, None),
        Err(WsaError::WSAEINVAL),
    )?;
    let closed = tcp(ws)?;
    e("closesocket", ws.closesocket(closed))?;
    c.eq(
        "NULL service on a closed socket",
        ws.wsa_connect_by_name(closed, Some("127.0.0.1"), None, none(), None, None),
        Err(WsaError::WSAEINVAL),
    )?;
    c.eq(
        "unknown service",
        ws.wsa_connect_by_name(
            s,
            Some("127.0.0.1"),
            Some("nonexistentservice"),
            none(),
            None,
            None,
        ),
        Err(WsaError::WSATYPE_NOT_FOUND),
    )?;
    let (l, addr) = listener(ws)?;
    let port = addr.port().ok_or("the listener's port")?.to_string();
    let u = e("socket", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    c.eq_or_wine(
        "UDP socket",
        ws.wsa_connect_by_name(u, Some("127.0.0.1"), Some(&port), none(), None, None),
        Err(WsaError::WSAEFAULT),
        Err(WsaError::WSAEINVAL),
        "sock.c test_WSAConnectByName line 4015: WSAEFAULT on Windows 10 1809 and later, WSAEINVAL before",
    )?;
    let (mut local_len, mut remote_len) = (3u32, 3u32);
    let zero = SockAddr::from_bytes(&[0; 16]);
    let (mut local, mut remote) = (zero, zero);
    let addrs = ByNameAddrs {
        local_len: Some(&mut local_len),
        local: Some(&mut local),
        remote_len: Some(&mut remote_len),
        remote: Some(&mut remote),
    };
    c.eq(
        "lengths of 3",
        ws.wsa_connect_by_name(s, Some("127.0.0.1"), Some(&port), addrs, None, None),
        Err(WsaError::WSAEFAULT),
    )?;
    c.eq("lengths kept", (local_len, remote_len), (3, 3))?;
    for x in [u, s, l] {
        e("closesocket", ws.closesocket(x))?;
    }
    Ok(())
}
