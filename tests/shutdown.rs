//! shutdown(): conformance rules SH-01 … SH-03.
//!
//! Not covered: the FD_CLOSE / POLLHUP / AFD side effects (EV-23, SEL-13, not core calls),
//! overlapped receives pending across a shutdown (OV-09), UDP shutdown (SH-06) and completion
//! ports (SH-07): the sim has no such calls.
mod common;

use common::fails;

use winsock_sim::prelude::*;

#[test]
fn sh_01_shutdown_preconditions() {
    // Proves: shutdown on an unconnected socket (SD_SEND, SD_RECEIVE) and on a listening
    // socket gives WSAENOTCONN; an invalid `how` on a connected socket gives WSAEINVAL.
    common::run(|ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        fails(
            ws,
            ws.shutdown(s, SD_SEND),
            WsaError::WSAENOTCONN,
            "unconnected SD_SEND",
        );
        fails(
            ws,
            ws.shutdown(s, SD_RECEIVE),
            WsaError::WSAENOTCONN,
            "unconnected SD_RECEIVE",
        );
        let (l, _) = common::listener(ws, 1)?;
        fails(
            ws,
            ws.shutdown(l, SD_SEND),
            WsaError::WSAENOTCONN,
            "listener SD_SEND",
        );
        fails(
            ws,
            ws.shutdown(l, SD_RECEIVE),
            WsaError::WSAENOTCONN,
            "listener SD_RECEIVE",
        );
        let (c, _s) = common::pair(ws)?;
        fails(
            ws,
            ws.shutdown(c, 0xdead_beef_u32 as i32),
            WsaError::WSAEINVAL,
            "bad how",
        );
        // The failed call changed nothing: the connection still carries data.
        assert_eq!(ws.send(c, b"ok", 0)?, 2);
        Ok(())
    });
}

#[test]
fn sh_02_sd_send_half_closes() {
    // Proves: shutdown(SD_SEND) returns 0 (last error 0), also when repeated; a later send
    // gives WSAESHUTDOWN; the peer's recv returns 0 repeatedly; the reverse direction still
    // carries data.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.wsa_set_last_error(0xdead_beef_u32 as i32);
        ws.shutdown(c, SD_SEND)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        ws.shutdown(c, SD_SEND)?;
        assert_eq!(ws.wsa_get_last_error(), 0, "repeated SD_SEND");
        fails(
            ws,
            ws.send(c, b"late", 0),
            WsaError::WSAESHUTDOWN,
            "send after SD_SEND",
        );
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0, "peer sees the end of the stream");
        assert_eq!(ws.recv(s, &mut b, 0)?, 0, "and again");
        assert_eq!(ws.send(s, b"reply", 0)?, 5);
        assert_eq!(common::recv_exact(ws, c, 5)?, b"reply");
        Ok(())
    });
}

#[test]
fn sh_03_sd_receive_stops_receiving() {
    // Proves: shutdown(SD_RECEIVE) returns 0; every later recv, repeated, gives WSAESHUTDOWN;
    // the peer can keep sending (its send succeeds), and this side can still send.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.shutdown(c, SD_RECEIVE)?;
        assert_eq!(ws.wsa_get_last_error(), 0);
        let mut b = [0u8; 8];
        fails(
            ws,
            ws.recv(c, &mut b, 0),
            WsaError::WSAESHUTDOWN,
            "recv after SD_RECEIVE",
        );
        fails(
            ws,
            ws.recv(c, &mut b, 0),
            WsaError::WSAESHUTDOWN,
            "recv again",
        );
        assert_eq!(ws.send(s, b"more", 0)?, 4, "the peer can still send");
        ws.sleep(10);
        fails(
            ws,
            ws.recv(c, &mut b, 0),
            WsaError::WSAESHUTDOWN,
            "recv with data waiting",
        );
        assert_eq!(ws.send(c, b"out", 0)?, 3, "sending still works");
        assert_eq!(common::recv_exact(ws, s, 3)?, b"out");
        Ok(())
    });
}
