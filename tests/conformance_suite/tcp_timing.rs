//! The settings of TCP's timing, written once for the simulator and the real ws2_32:
//! SIO_TCP_INITIAL_RTO, the ioctl libuv, Go and curl issue before a loopback connect,
//! {TCP_INITIAL_RTO_UNSPECIFIED_RTT, TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS}, so that a
//! refused connect fails at the RST instead of after Windows' retries; and TCP_MAXRT /
//! TCP_MAXRTMS, the retransmission limit of established connections; and
//! SIO_TCP_SET_ACK_FREQUENCY, which latency-bound servers use to turn delayed ACK off. (Only
//! results are compared here: the times are virtual-time checks in `tests/initial_rto.rs`,
//! `tests/max_rt.rs` and `tests/tcp_ack_nagle.rs`, never wall-clock ones.)

use winsock_sim::prelude::*;

use super::{code, e, Check, Rule};

/// The rules.
pub fn tcp_timing_rules<W: Winsock + OverlappedIo>() -> Vec<Rule<W>> {
    vec![
        Rule {
            id: "TCP-initial-rto",
            title: "SIO_TCP_INITIAL_RTO {UNSPECIFIED_RTT, NO_SYN_RETRANSMISSIONS} on an unconnected TCP socket succeeds, and a connect to a loopback port nobody listens on still fails with WSAECONNREFUSED",
            body: no_syn_retransmissions::<W>,
        },
        Rule {
            id: "OPT-maxrt",
            title: "TCP_MAXRTMS and TCP_MAXRT are set and read back on a TCP socket (1500 ms; 3 s, which TCP_MAXRTMS reads as 3000)",
            body: max_rt::<W>,
        },
        Rule {
            id: "TCP-ack-frequency",
            title: "SIO_TCP_SET_ACK_FREQUENCY 1 (acknowledge every segment) and 0 (the default again) succeed on a TCP socket, connected or not",
            body: ack_frequency::<W>,
        },
    ]
}

/// Wine 8.0 has neither option.
const WINE_MAXRT: &str =
    "TCP_MAXRT / TCP_MAXRTMS (Windows 10 1703 and later); Wine 8.0 has neither";

fn max_rt<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let s = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    // Each step against Windows' result; Wine refuses both options.
    let mut step = |what: &str, got: Result<i32, WsaError>, want: i32| {
        c.eq_or_wine(
            what,
            got,
            Ok(want),
            Err(WsaError::WSAENOPROTOOPT),
            WINE_MAXRT,
        )
    };
    let set = |name, v| ws.setsockopt_i32(s, IPPROTO_TCP, name, v).map(|()| 0);
    let get = |name| ws.getsockopt_i32(s, IPPROTO_TCP, name);
    step(
        "set TCP_MAXRTMS 1500 (0: success)",
        set(TCP_MAXRTMS, 1500),
        0,
    )?;
    step("TCP_MAXRTMS", get(TCP_MAXRTMS), 1500)?;
    step("set TCP_MAXRT 3 (0: success)", set(TCP_MAXRT, 3), 0)?;
    step("TCP_MAXRT", get(TCP_MAXRT), 3)?;
    step("TCP_MAXRTMS", get(TCP_MAXRTMS), 3000)?;
    e("closesocket", ws.closesocket(s))
}

/// Wine 8.0 has no SIO_TCP_INITIAL_RTO (its WSAIoctl refuses the code).
const WINE_RTO: &str = "SIO_TCP_INITIAL_RTO (Windows 8 and later); Wine 8.0 refuses the code";

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
        WINE_RTO,
    )?;
    c.eq(
        "connect to the closed port",
        code(ws.connect(s, &dead)),
        Err(WsaError::WSAECONNREFUSED),
    )?;
    e("closesocket", ws.closesocket(s))
}

/// Wine 8.0 has no SIO_TCP_SET_ACK_FREQUENCY.
const WINE_ACK: &str = "SIO_TCP_SET_ACK_FREQUENCY; Wine 8.0 refuses the code";

fn ack_frequency<W: Winsock + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = super::pair(ws)?;
    let fresh = e("socket", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    for (what, s, v) in [
        ("1 on an unconnected socket", fresh, 1u32),
        ("1 on a connected socket", sv, 1),
        ("0 on a connected socket", sv, 0),
    ] {
        c.eq_or_wine(
            what,
            code(ws.wsa_ioctl(s, SIO_TCP_SET_ACK_FREQUENCY, &v.to_le_bytes(), &mut [])),
            Ok(()),
            Err(WsaError::WSAEOPNOTSUPP),
            WINE_ACK,
        )?;
    }
    for s in [fresh, cl, sv] {
        e("closesocket", ws.closesocket(s))?;
    }
    Ok(())
}
