//! Executing the WinSock 2 calls around connections and names that the socket operations
//! leave out: WSAAccept with a condition function, WSASendDisconnect / WSARecvDisconnect,
//! WSADuplicateSocket with WSASocket from its information, the resolver (getaddrinfo,
//! getnameinfo, gethostbyname, the protocol and service database, gethostname into buffers,
//! WSAStringToAddress, WSAAddressToString), WSAConnectByName,
//! WSASend and WSARecv without an OVERLAPPED, overlapped WSAIoctl and AcceptEx with address
//! lengths.

use std::time::Duration;

use winsock_sim::api::protocol_info::catalog;
use winsock_sim::prelude::*;

use crate::documented::check;
use crate::exec::Ctx;
use crate::ops::{Size, H};

/// [`Op::WsaAccept`](crate::ops::Op::WsaAccept): the condition function's verdict (CF_ACCEPT,
/// CF_REJECT, CF_DEFER, a value that is none of them) or no function at all.
pub(crate) fn wsa_accept(cx: &Ctx<'_>, h: H, verdict: u8) {
    let s = cx.sock(h);
    let r = match verdict % 5 {
        4 => cx.ws.wsa_accept(s, None),
        v => {
            let mut decide = |_: &SockAddr, _: &SockAddr| match v {
                0 => CF_ACCEPT,
                1 => CF_REJECT,
                2 => CF_DEFER,
                _ => 7,
            };
            cx.ws.wsa_accept(s, Some(&mut decide))
        }
    };
    if let Ok((conn, _)) = check("WSAAccept", r) {
        cx.st().socks.push(conn);
    }
}

/// [`Op::Disconnect`](crate::ops::Op::Disconnect).
pub(crate) fn disconnect(cx: &Ctx<'_>, h: H, send: bool) {
    let s = cx.sock(h);
    if send {
        let _ = check("WSASendDisconnect", cx.ws.wsa_send_disconnect(s));
    } else {
        let _ = check("WSARecvDisconnect", cx.ws.wsa_recv_disconnect(s));
    }
}

/// [`Op::DupSocket`](crate::ops::Op::DupSocket): for this process, the duplicate opened from
/// the information (and kept among the host's sockets); for another process id, only the
/// duplication.
pub(crate) fn dup_socket(cx: &Ctx<'_>, h: H, other: bool) {
    let ws = cx.ws;
    let s = cx.sock(h);
    let pid = if other {
        ws.get_current_process_id() ^ 0x4000
    } else {
        ws.get_current_process_id()
    };
    let mut info = catalog()[0].clone();
    if check(
        "WSADuplicateSocket",
        ws.wsa_duplicate_socket(s, pid, Some(&mut info)),
    )
    .is_err()
    {
        return;
    }
    if other {
        return;
    }
    let r = ws.wsa_socket_from_info(
        info.address_family,
        info.socket_type,
        info.protocol,
        Some(&info),
        WSA_FLAG_OVERLAPPED,
    );
    if let Ok(dup) = check("WSASocket", r) {
        cx.st().socks.push(dup);
    }
}

/// The names and addresses the resolver calls get.
const NAMES: [&str; 10] = [
    "h0",
    "H1",
    "localhost",
    "192.0.2.2",
    "::1",
    "",
    "no.such.host",
    "1.2.3.4.5",
    "h0.",
    "\u{e9}",
];

/// [`Op::Resolve`](crate::ops::Op::Resolve).
pub(crate) fn resolve(cx: &Ctx<'_>, call: u8, n: u8) {
    let ws = cx.ws;
    let name = NAMES[usize::from(n) % NAMES.len()];
    match call % 7 {
        0 | 1 => {
            let hints = AddrInfoHints {
                flags: [0, AI_PASSIVE, AI_NUMERICHOST, AI_CANONNAME][usize::from(n / 16) % 4],
                family: [AF_UNSPEC, AF_INET, AF_INET6, 99][usize::from(n / 64) % 4],
                socktype: [0, SOCK_STREAM, SOCK_DGRAM, 77][usize::from(call / 8) % 4],
                protocol: 0,
            };
            let node = (call % 2 == 0 || n % 3 != 0).then_some(name);
            let service = ["http", "9000", "", "no-such-service"][usize::from(call / 32) % 4];
            let service = (n % 5 != 0).then_some(service);
            let hints = (call / 128 == 0).then_some(&hints);
            if let Ok(list) = check("getaddrinfo", ws.getaddrinfo(node, service, hints)) {
                for ai in &list {
                    assert!(
                        ai.family == AF_INET || ai.family == AF_INET6,
                        "FUZZ: getaddrinfo gave family {}",
                        ai.family
                    );
                }
            }
        }
        2 => {
            let addr = match n % 4 {
                0 => SockAddr::v4([192, 0, 2, 1], 80),
                1 => SockAddr::v4([203, 0, 113, 9], 0),
                2 => SockAddr::v6([0, 0, 0, 0, 0, 0, 0, 1], 9000),
                _ => SockAddr::from_bytes(&[n; 7]),
            };
            let flags = [0, NI_NUMERICHOST, NI_NAMEREQD, i32::from(n)][usize::from(call / 8) % 4];
            let _ = check("getnameinfo", ws.getnameinfo(&addr, flags));
        }
        3 => {
            let _ = check("gethostbyname", ws.gethostbyname(name));
        }
        4 => {
            let family = [AF_INET, AF_INET6, AF_UNSPEC][usize::from(n / 16) % 3];
            if let Ok(a) = check("WSAStringToAddress", ws.wsa_string_to_address(name, family)) {
                let _ = check("WSAAddressToString", ws.wsa_address_to_string(&a));
            }
        }
        5 => {
            let proto = [Some("tcp"), Some("UDP"), None, Some("")][usize::from(call / 8) % 4];
            let words = ["tcp", "http", "domain", "IPv6-ICMP", "udp\0tcp", name];
            let word = words[usize::from(n / 8) % words.len()];
            match n % 5 {
                0 => {
                    let _ = check("getprotobyname", ws.getprotobyname(word));
                }
                1 => {
                    let number = i32::from(n) - 2 + i32::from(call) * 16;
                    let _ = check("getprotobynumber", ws.getprotobynumber(number));
                }
                2 => {
                    let _ = check("getservbyname", ws.getservbyname(word, proto));
                }
                3 => {
                    let port = u16::from(n) * u16::from(call);
                    let _ = check("getservbyport", ws.getservbyport(port, proto));
                }
                _ => {
                    // A buffer of a few bytes or WCHARs, or none.
                    let len = usize::from(call % 24);
                    let (mut narrow, mut wide) = (vec![0u8; len], vec![0u16; len]);
                    let (b, w) = match call % 3 {
                        0 => (None, None),
                        _ => (Some(&mut narrow[..]), Some(&mut wide[..])),
                    };
                    let _ = check("gethostname", ws.gethostname_c(b));
                    let _ = check("GetHostNameW", ws.get_host_name_w(w));
                }
            }
        }
        _ => {
            let addr = match n % 3 {
                0 => SockAddr::v4([10, 1, 2, 3], u16::from(n)),
                1 => SockAddr::v6([0xfe80, 0, 0, 0, 0, 0, 0, 1], 443),
                _ => SockAddr::from_bytes(&[n; 3]),
            };
            let _ = check("WSAAddressToString", ws.wsa_address_to_string(&addr));
        }
    }
}

/// [`Op::ConnectByName`](crate::ops::Op::ConnectByName): a node and a service from small sets
/// (the other host by name and by address, a name no host has, none), a timeout (none, or a
/// bound: the simulated clock runs on while the call waits).
pub(crate) fn connect_by_name(cx: &Ctx<'_>, h: H, node: u8, service: u8, ms: u32) {
    let node = [
        Some("h1"),
        Some("192.0.2.2"),
        Some("h0"),
        Some("no.such.host"),
        None,
    ][usize::from(node) % 5];
    let service =
        [Some("9000"), Some("9001"), Some("http"), Some("x"), None][usize::from(service) % 5];
    let timeout = (ms > 0).then(|| Duration::from_millis(u64::from(ms)));
    let r = cx.ws.wsa_connect_by_name(
        cx.sock(h),
        node,
        service,
        ByNameAddrs::default(),
        timeout,
        None,
    );
    let _ = check("WSAConnectByName", r);
}

/// [`Op::WsaSendRecv`](crate::ops::Op::WsaSendRecv): WSASend or WSARecv without an
/// OVERLAPPED, over the buffers given (none now and then).
pub(crate) fn send_recv(cx: &Ctx<'_>, h: H, sizes: &[Size], flags: u32, send: bool) {
    let s = cx.sock(h);
    let mut bufs: Vec<Vec<u8>> = sizes.iter().map(|n| vec![3u8; n.n()]).collect();
    let total: usize = bufs.iter().map(Vec::len).sum();
    // Without an OVERLAPPED the call blocks or fails: it never pends.
    let never_pends = |call: &str, e: Option<WsaError>| {
        assert!(
            e != Some(WsaError::WSA_IO_PENDING),
            "FUZZ: {call} without an OVERLAPPED returned WSA_IO_PENDING"
        );
    };
    if send {
        let slices: Vec<&[u8]> = bufs.iter().map(Vec::as_slice).collect();
        let r = check("WSASend", cx.ws.wsa_send(s, &slices, flags));
        never_pends("WSASend", r.err());
        if let Ok(n) = r {
            assert!(n <= total, "FUZZ: WSASend sent {n} of {total} bytes");
        }
    } else {
        let mut slices: Vec<&mut [u8]> = bufs.iter_mut().map(Vec::as_mut_slice).collect();
        let r = check("WSARecv", cx.ws.wsa_recv(s, &mut slices, flags));
        never_pends("WSARecv", r.err());
        if let Ok((n, _)) = r {
            assert!(n <= total, "FUZZ: WSARecv received {n} into {total} bytes");
        }
    }
}

/// [`Op::WsaIoctlOv`](crate::ops::Op::WsaIoctlOv): an overlapped WSAIoctl (the
/// SIO_IDEAL_SEND_BACKLOG_CHANGE among the codes pends).
pub(crate) fn ioctl_ov(cx: &Ctx<'_>, h: H, code: u32, input: u8, output: u8, ov: u8, kind: u8) {
    let (ov, routine) = cx.ov(ov, kind);
    let input = vec![1u8; usize::from(input)];
    let out = vec![0u8; usize::from(output)];
    let r = cx
        .ws
        .wsa_ioctl_overlapped(cx.sock(h), code, &input, out, ov, routine);
    if let Ok(k) = check("WSAIoctl", r) {
        assert!(
            k <= usize::from(output),
            "FUZZ: WSAIoctl returned {k} > {output}"
        );
    }
}

/// [`Op::AcceptExLengths`](crate::ops::Op::AcceptExLengths).
pub(crate) fn accept_ex_lengths(
    cx: &Ctx<'_>,
    (listener, accept): (H, H),
    size: usize,
    (local, remote): (u32, u32),
    ov: u8,
) {
    let r = cx.ws.accept_ex_with_lengths(
        cx.sock(listener),
        cx.sock(accept),
        vec![0u8; size.min(1000)],
        local,
        remote,
        Overlapped::new(u64::from(ov) + 1),
    );
    let _ = check("AcceptEx", r);
}
