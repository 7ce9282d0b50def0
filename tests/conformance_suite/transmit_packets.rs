//! TransmitPackets, written once for the simulator and the real mswsock. The rules state
//! the documentation of LPFN_TRANSMITPACKETS and TRANSMIT_PACKETS_ELEMENT: elements are sent
//! in order, a file element's nFileOffset and cLength (0: to the end) choose its bytes, and
//! on a datagram socket the elements up to TP_ELEMENT_EOP make one datagram.

use winsock_sim::prelude::*;

use super::{e, pair, recv_all, Check, Rule};

/// The rules.
pub fn transmit_packets_rules<W: Winsock + WinsockExt + OverlappedIo>() -> Vec<Rule<W>> {
    vec![
        Rule { id: "TP-stream", title: "TransmitPackets on a connected stream socket: memory and file elements (an offset and a length; the file pointer to the end) arrive in order, and the call returns TRUE", body: stream::<W> },
        Rule { id: "TP-dgram", title: "TransmitPackets on a connected datagram socket with nSendSize 0xFFFFFFFF: each run of elements up to TP_ELEMENT_EOP is one datagram", body: datagrams::<W> },
    ]
}

const FILE: &[u8] = b"0123456789abcdefghij";

/// Whether SIO_GET_EXTENSION_FUNCTION_POINTER gives TransmitPackets on `s`. Wine 8.0's
/// ws2_32 has none: WSAIoctl fails with WSAEINVAL there, a known Wine difference, and the
/// rule ends.
fn loaded<W: Winsock + WinsockExt>(ws: &W, s: Socket, c: &mut Check) -> Result<bool, String> {
    let got = ws
        .get_extension_function_pointer(s, &WSAID_TRANSMITPACKETS, 8)
        .map(|f| matches!(f, ExtensionFunction::TransmitPackets(_)));
    c.eq_or_wine(
        "SIO_GET_EXTENSION_FUNCTION_POINTER(WSAID_TRANSMITPACKETS)",
        got,
        Ok(true),
        Err(WsaError::WSAEINVAL),
        "Wine 8.0 ws2_32 has no TransmitPackets",
    )?;
    Ok(got.is_ok())
}

fn stream<W: Winsock + WinsockExt + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let (cl, s) = pair(ws)?;
    if !loaded(ws, cl, c)? {
        e("closesocket", ws.closesocket(s))?;
        return e("closesocket", ws.closesocket(cl));
    }
    let elements = [
        TransmitPacketsElement::memory(b"HEAD:"),
        TransmitPacketsElement::file(FILE, 10, 5),
        TransmitPacketsElement::file(FILE, -1, 0),
        TransmitPacketsElement::memory(b":TAIL"),
    ];
    c.eq(
        "TransmitPackets",
        ws.transmit_packets(cl, &elements, 0, None, 0),
        Ok(35),
    )?;
    c.eq(
        "what arrived",
        recv_all(ws, s, 35)?,
        b"HEAD:abcde0123456789abcdefghij:TAIL".to_vec(),
    )?;
    e("closesocket", ws.closesocket(s))?;
    e("closesocket", ws.closesocket(cl))
}

fn datagrams<W: Winsock + WinsockExt + OverlappedIo>(ws: &W, c: &mut Check) -> Result<(), String> {
    let udp = |ws: &W| -> Result<Socket, String> {
        let u = e("socket(UDP)", ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP))?;
        e("bind", ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 0)))?;
        e(
            "SO_RCVTIMEO",
            ws.setsockopt_i32(u, SOL_SOCKET, SO_RCVTIMEO, super::TIMEOUT_MS),
        )?;
        Ok(u)
    };
    let (a, b) = (udp(ws)?, udp(ws)?);
    e(
        "connect",
        ws.connect(a, &e("getsockname", ws.getsockname(b))?),
    )?;
    let elements = [
        TransmitPacketsElement::memory(b"one-"),
        TransmitPacketsElement::memory(b"a").eop(),
        TransmitPacketsElement::file(FILE, 0, 3).eop(),
        TransmitPacketsElement::memory(b"three").eop(),
    ];
    // Wine 8.0 gives the pointer on a datagram socket, but the call fails.
    let r = ws.transmit_packets(a, &elements, TP_SEND_SIZE_BY_EOP, None, 0);
    c.eq_or_wine(
        "TransmitPackets",
        r,
        Ok(13),
        Err(WsaError::WSAEINVAL),
        "Wine 8.0 ws2_32 has no TransmitPackets",
    )?;
    if r.is_err() {
        e("closesocket", ws.closesocket(a))?;
        return e("closesocket", ws.closesocket(b));
    }
    let mut buf = [0u8; 64];
    for want in [&b"one-a"[..], b"012", b"three"] {
        let k = e("recv", ws.recv(b, &mut buf, 0))?;
        c.eq("a datagram", buf[..k].to_vec(), want.to_vec())?;
    }
    e("closesocket", ws.closesocket(a))?;
    e("closesocket", ws.closesocket(b))
}
