//! SIO_TCP_INITIAL_RTO, written once for the simulator and the real ws2_32: the ioctl libuv,
//! Go and curl issue before a loopback connect, {TCP_INITIAL_RTO_UNSPECIFIED_RTT,
//! TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS}, so that a refused connect fails at the RST
//! instead of after Windows' retries. (Only results are compared here: the time saved is a
//! virtual-time check in `tests/initial_rto.rs`, never a wall-clock one.)

use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules.
pub fn initial_rto_rules<W: Winsock + OverlappedIo>() -> Vec<Rule<W>> {
    vec![Rule {
        id: "TCP-initial-rto",
        title: "SIO_TCP_INITIAL_RTO {UNSPECIFIED_RTT, NO_SYN_RETRANSMISSIONS} on an unconnected TCP socket succeeds, and a connect to a loopback port nobody listens on still fails with WSAECONNREFUSED",
        body: no_syn_retransmissions::<W>,
    }]
}

/// Wine 8.0 has no SIO_TCP_INITIAL_RTO (its WSAIoctl refuses the code).
const WINE: &str = "SIO_TCP_INITIAL_RTO (Windows 8 and later); Wine 8.0 refuses the code";

fn no_syn_retransmissions<W: Winsock + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let gone = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    e("bind", ws.bind(gone, &SockAddr::v4([127, 0, 0, 1], 0)))?;
    let dead = e("getsockname", ws.getsockname(gone))?;
    e("closesocket", ws.closesocket(gone))?;
    let s = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    let p = TcpInitialRtoParameters {
        rtt: TCP_INITIAL_RTO_UNSPECIFIED_RTT,
        max_syn_retransmissions: (TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS & 0xFF) as u8,
    };
    c.eq_or_wine(
        "WSAIoctl(SIO_TCP_INITIAL_RTO)",
        code(ws.wsa_ioctl(s, SIO_TCP_INITIAL_RTO, &p.to_bytes(), &mut [])),
        Ok(()),
        Err(WsaError::WSAEOPNOTSUPP),
        WINE,
    )?;
    c.eq(
        "connect to the closed port",
        code(ws.connect(s, &dead)),
        Err(WsaError::WSAECONNREFUSED),
    )?;
    e("closesocket", ws.closesocket(s))
}
