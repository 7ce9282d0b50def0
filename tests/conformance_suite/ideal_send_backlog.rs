//! The ideal send backlog, written once for the simulator and the real ws2_32:
//! SIO_IDEAL_SEND_BACKLOG_QUERY gives a value on a connected TCP socket, and
//! SIO_IDEAL_SEND_BACKLOG_CHANGE pends there; both refuse a UDP socket (WSAEOPNOTSUPP) and an
//! unconnected TCP one (WSAENOTCONN), and the notification an output buffer (WSAEINVAL).
//! (Whether the value changes is the stack's: the pending request is cancelled and its
//! outcome not compared.)

use winsock_sim::prelude::*;

use super::{code, e, pair, Check, Rule};

/// The rules.
pub fn ideal_send_backlog_rules<W: Winsock + OverlappedIo>() -> Vec<Rule<W>> {
    vec![Rule {
        id: "ISB-change",
        title: "SIO_IDEAL_SEND_BACKLOG_QUERY gives 4 bytes and SIO_IDEAL_SEND_BACKLOG_CHANGE pends on a connected TCP socket; UDP WSAEOPNOTSUPP, unconnected WSAENOTCONN; the notification with an output buffer WSAEINVAL",
        body: query_and_change::<W>,
    }]
}

/// Wine 8.0 pends the notification whatever the socket and the output buffer.
const WINE_PENDS: &str = "SIO_IDEAL_SEND_BACKLOG_CHANGE's documentation (WSAEINVAL for an output buffer, WSAEOPNOTSUPP on a datagram socket, WSAENOTCONN unconnected); Wine 8.0 pends it";

fn query_and_change<W: Winsock + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    let mut isb = [0u8; 4];
    c.eq(
        "the query",
        ws.wsa_ioctl(cl, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut isb),
        Ok(4),
    )?;
    // The notification on `s`: its result, and if it pends, cancelled and collected.
    let change = |s, out: Vec<u8>, id| {
        let ov = Overlapped::new(id);
        let r = code(ws.wsa_ioctl_overlapped(s, SIO_IDEAL_SEND_BACKLOG_CHANGE, &[], out, ov, None));
        if r == Err(WsaError::WSA_IO_PENDING) {
            let _ = ws.cancel_io_ex(s, Some(&ov));
            let _ = ws.wsa_get_overlapped_result(s, &ov, true);
        }
        r
    };
    c.eq_or_wine(
        "the notification, an output buffer",
        change(cl, vec![0; 4], 1),
        Err(WsaError::WSAEINVAL),
        Err(WsaError::WSA_IO_PENDING),
        WINE_PENDS,
    )?;
    c.eq(
        "the notification",
        change(cl, Vec::new(), 2),
        Err(WsaError::WSA_IO_PENDING),
    )?;
    let u = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
    let t = e("socket(TCP)", ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP))?;
    for (what, s, want) in [
        ("UDP", u, WsaError::WSAEOPNOTSUPP),
        ("unconnected TCP", t, WsaError::WSAENOTCONN),
    ] {
        c.eq(
            &format!("the query, {what}"),
            code(ws.wsa_ioctl(s, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut isb)),
            Err(want),
        )?;
        c.eq_or_wine(
            &format!("the notification, {what}"),
            change(s, Vec::new(), 3),
            Err(want),
            Err(WsaError::WSA_IO_PENDING),
            WINE_PENDS,
        )?;
    }
    for s in [u, t, cl, sv] {
        e("closesocket", ws.closesocket(s))?;
    }
    Ok(())
}
