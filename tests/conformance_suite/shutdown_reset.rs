//! Data that arrives for a socket shut down for receiving, written once for the simulator
//! and the real ws2_32. Shutdown's documentation: "For TCP sockets, if there is still data
//! queued on the socket waiting to be received, or data arrives subsequently, the connection
//! is reset, since the data cannot be delivered to the user." (The host backend, on a stack
//! that keeps such data, does not model it: these rules are not in its arm.)

use winsock_sim::prelude::*;

use super::{code, e, pair, Check, Rule};

/// The rules.
pub fn shutdown_reset_rules<W: Winsock>() -> Vec<Rule<W>> {
    vec![Rule {
        id: "SH-rst",
        title: "data arriving after SD_RECEIVE with no receive pending resets the connection: the sender's next recv is WSAECONNRESET",
        body: data_after_sd_receive::<W>,
    }]
}

/// Wine 8.0 keeps the data (its Linux socket was shut with SHUT_RD, which does not reset):
/// the peer's recv waits out its SO_RCVTIMEO. (What the reset side's own calls then give is
/// not documented; the simulator's choice, WSAECONNABORTED, is in `tests/shutdown.rs`.)
const WINE: &str = "shutdown's documentation; Wine 8.0 keeps the connection";

fn data_after_sd_receive<W: Winsock>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, sv) = pair(ws)?;
    e("shutdown(SD_RECEIVE)", ws.shutdown(sv, SD_RECEIVE))?;
    c.eq("the peer's send", ws.send(cl, b"data", 0), Ok(4))?;
    ws.sleep(200);
    let mut b = [0u8; 4];
    c.eq_or_wine(
        "the peer's recv",
        code(ws.recv(cl, &mut b, 0)),
        Err(WsaError::WSAECONNRESET),
        Err(WsaError::WSAETIMEDOUT),
        WINE,
    )?;
    e("closesocket", ws.closesocket(cl))?;
    e("closesocket", ws.closesocket(sv))
}
