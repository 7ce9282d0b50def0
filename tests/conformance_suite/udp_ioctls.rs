//! SIO_UDP_CONNRESET, written once for the simulator and the real ws2_32: the switch every
//! Windows UDP server turns off (KB 263823). By default an ICMP port unreachable for an
//! earlier datagram makes select see the socket readable and the next recvfrom fail with
//! WSAECONNRESET; turned off, the reply is not reported and recvfrom has nothing to return.

use std::time::Duration;

use winsock_sim::prelude::*;

use super::{e, Check, Rule};

/// The rules.
pub fn udp_ioctl_rules<W: Winsock + Select + OverlappedIo>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "UDP-connreset",
            title: "a datagram to a port nobody listens on: by default select sees the sender readable and its next recvfrom fails with WSAECONNRESET, once; after SIO_UDP_CONNRESET FALSE neither happens",
            body: connreset::<W>,
        },
        Rule {
            id: "UDP-connreset-connected",
            title: "the same on a UDP socket connected to that port: send, then recv fails with WSAECONNRESET once; after SIO_UDP_CONNRESET FALSE recv has nothing",
            body: connreset_connected::<W>,
        },
    ]
}

/// The known Wine difference: its sockets never see the reply (select and recvfrom under
/// Wine 8.0, connected or not).
const WINE: &str = "Wine 8.0 reports no ICMP port unreachable on a UDP socket";

/// A UDP socket bound to 127.0.0.1, nonblocking.
fn udp<W: Winsock>(ws: &W) -> Result<Socket, String> {
    let u = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    e("bind", ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 0)))?;
    e("FIONBIO", ws.set_nonblocking(u, true))?;
    Ok(u)
}

/// Sends to `dead` from `s` (`None`: to its association), then waits up to `wait_ms` for `s`
/// to turn readable: whether it did, and what a recvfrom then gives.
fn probe<W: Winsock + Select>(
    ws: &W,
    s: Socket,
    dead: Option<&SockAddr>,
    wait_ms: u64,
) -> Result<(bool, Result<usize, WsaError>), String> {
    match dead {
        Some(to) => e("sendto", ws.sendto(s, b"anyone?", 0, to))?,
        None => e("send", ws.send(s, b"anyone?", 0))?,
    };
    let mut r = FdSet::from_array(&[s]);
    let n = e(
        "select",
        ws.select(
            Some(&mut r),
            None,
            None,
            Some(Duration::from_millis(wait_ms)),
        ),
    )?;
    let mut buf = [0u8; 16];
    Ok((n == 1, ws.recvfrom(s, &mut buf, 0).map(|(n, _)| n)))
}

fn connreset<W: Winsock + Select + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    connreset_on(ws, c, false)
}

fn connreset_connected<W: Winsock + Select + OverlappedIo>(
    ws: &W,
    c: &mut Check,
) -> Result<(), String> {
    connreset_on(ws, c, true)
}

/// Both rules: a port nobody listens on, sent to with sendto, or with send after `connect`.
fn connreset_on<W: Winsock + Select + OverlappedIo>(
    ws: &W,
    c: &mut Check,
    connected: bool,
) -> Result<(), String> {
    let s = udp(ws)?;
    let gone = udp(ws)?;
    let dead = e("getsockname", ws.getsockname(gone))?;
    e("closesocket", ws.closesocket(gone))?;
    let to = if connected {
        e("connect", ws.connect(s, &dead))?;
        None
    } else {
        Some(&dead)
    };
    let (readable, got) = probe(ws, s, to, 2_000)?;
    c.eq_or_wine("select after the reply", readable, true, false, WINE)?;
    c.eq_or_wine(
        "recvfrom after the reply",
        got,
        Err(WsaError::WSAECONNRESET),
        Err(WsaError::WSAEWOULDBLOCK),
        WINE,
    )?;
    let mut buf = [0u8; 16];
    c.eq(
        "the next recvfrom",
        ws.recvfrom(s, &mut buf, 0).map(|(n, _)| n),
        Err(WsaError::WSAEWOULDBLOCK),
    )?;
    c.eq(
        "WSAIoctl(SIO_UDP_CONNRESET, FALSE)",
        ws.wsa_ioctl(s, SIO_UDP_CONNRESET, &0u32.to_le_bytes(), &mut []),
        Ok(0),
    )?;
    let (readable, got) = probe(ws, s, to, 300)?;
    c.eq("select, the reply ignored", readable, false)?;
    c.eq(
        "recvfrom, the reply ignored",
        got,
        Err(WsaError::WSAEWOULDBLOCK),
    )?;
    e("closesocket", ws.closesocket(s))
}
