//! TransmitPackets (mswsock): memory and file elements sent in order on a stream socket,
//! datagrams made of the elements up to TP_ELEMENT_EOP on a connected datagram socket, the
//! overlapped form and TF_DISCONNECT, and the errors. Modelled from the documentation of
//! LPFN_TRANSMITPACKETS and TRANSMIT_PACKETS_ELEMENT (Wine 8.0 does not provide it).
mod common;

use common::{recv_exact, run};
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// A stream pair, the sender with TCP_NODELAY.
fn nodelay_pair(ws: &SimWinsock) -> Result<(Socket, Socket), WsaError> {
    let (c, s) = common::pair(ws)?;
    ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
    Ok((c, s))
}

/// Two UDP sockets on 127.0.0.1, the first connected to the second.
fn udp_pair(ws: &SimWinsock) -> Result<(Socket, Socket), WsaError> {
    let a = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    let b = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.bind(a, &SockAddr::v4([127, 0, 0, 1], 0))?;
    ws.bind(b, &SockAddr::v4([127, 0, 0, 1], 0))?;
    ws.connect(a, &ws.getsockname(b)?)?;
    ws.setsockopt_i32(b, SOL_SOCKET, SO_RCVTIMEO, 1_000)?;
    Ok((a, b))
}

const FILE: &[u8] = b"0123456789abcdefghij";

#[test]
fn memory_and_file_elements_go_out_in_order_on_a_stream() {
    run(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let elements = [
            TransmitPacketsElement::memory(b"HEAD:"),
            // Bytes 10 to 14 of the file.
            TransmitPacketsElement::file(FILE, 10, 5),
            // The file pointer (0 here) to the end: the whole file.
            TransmitPacketsElement::file(FILE, -1, 0),
            TransmitPacketsElement::memory(b":TAIL").eop(),
        ];
        let n = ws.transmit_packets(c, &elements, 0, None, 0)?;
        assert_eq!(n, 5 + 5 + 20 + 5);
        let got = recv_exact(ws, s, n)?;
        assert_eq!(got, b"HEAD:abcde0123456789abcdefghij:TAIL");
        Ok(())
    });
}

#[test]
fn an_overlapped_transmit_packets_completes_with_its_count_and_can_disconnect() {
    run(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        let elements = [
            TransmitPacketsElement::memory(b"abc"),
            TransmitPacketsElement::memory(b"def"),
        ];
        assert_eq!(
            ws.transmit_packets(c, &elements, 0, Some(ov), TF_DISCONNECT),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(recv_exact(ws, s, 6)?, b"abcdef");
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0, "TF_DISCONNECT sent a FIN");
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 1_000, false)?,
            WSA_WAIT_EVENT_0
        );
        let done = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 6));
        Ok(())
    });
}

#[test]
fn each_send_request_is_a_datagram_on_a_connected_datagram_socket() {
    run(|ws| {
        let (a, b) = udp_pair(ws)?;
        let elements = [
            TransmitPacketsElement::memory(b"one-"),
            TransmitPacketsElement::memory(b"a").eop(),
            TransmitPacketsElement::file(FILE, 0, 3).eop(),
            // The last element ends the last datagram, EOP or not.
            TransmitPacketsElement::memory(b"three"),
        ];
        let n = ws.transmit_packets(a, &elements, TP_SEND_SIZE_BY_EOP, None, 0)?;
        assert_eq!(n, 5 + 3 + 5);
        let mut buf = [0u8; 64];
        for want in [&b"one-a"[..], b"012", b"three"] {
            let k = ws.recv(b, &mut buf, 0)?;
            assert_eq!(&buf[..k], want);
        }
        // nSendSize also caps a send request: 4-byte datagrams.
        let big = [TransmitPacketsElement::memory(b"0123456789")];
        assert_eq!(ws.transmit_packets(a, &big, 4, None, 0)?, 10);
        for want in [&b"0123"[..], b"4567", b"89"] {
            let k = ws.recv(b, &mut buf, 0)?;
            assert_eq!(&buf[..k], want);
        }
        Ok(())
    });
}

#[test]
fn transmit_packets_is_the_extension_function_wsaioctl_gives() {
    run(|ws| {
        let (c, s) = nodelay_pair(ws)?;
        let ExtensionFunction::TransmitPackets(tp) =
            ws.get_extension_function_pointer(c, &WSAID_TRANSMITPACKETS, 8)?
        else {
            panic!("WSAID_TRANSMITPACKETS gives LPFN_TRANSMITPACKETS");
        };
        let elements = [TransmitPacketsElement::memory(b"via the pointer")];
        assert_eq!(tp.call(ws, c, &elements, 0, None, 0)?, 15);
        assert_eq!(recv_exact(ws, s, 15)?, b"via the pointer");
        Ok(())
    });
}

#[test]
fn transmit_packets_errors() {
    run(|ws| {
        let m = [TransmitPacketsElement::memory(b"x")];
        assert_eq!(
            ws.transmit_packets(Socket::INVALID, &m, 0, None, 0),
            Err(WsaError::WSAENOTSOCK)
        );
        let t = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(
            ws.transmit_packets(t, &m, 0, None, 0),
            Err(WsaError::WSAENOTCONN),
            "not connected, before the flags"
        );
        assert_eq!(
            ws.transmit_packets(t, &m, 0, None, 0x4000),
            Err(WsaError::WSAENOTCONN)
        );
        let (c, _s) = nodelay_pair(ws)?;
        assert_eq!(
            ws.transmit_packets(c, &m, 0, None, 0x4000),
            Err(WsaError::WSAEINVAL),
            "a flag TransmitPackets does not know"
        );
        let both = [TransmitPacketsElement {
            flags: TP_ELEMENT_MEMORY | TP_ELEMENT_FILE,
            ..TransmitPacketsElement::memory(b"x")
        }];
        assert_eq!(
            ws.transmit_packets(c, &both, 0, None, 0),
            Err(WsaError::WSAEINVAL),
            "memory and file at once"
        );
        let short = [TransmitPacketsElement {
            length: 2,
            ..TransmitPacketsElement::memory(b"x")
        }];
        assert_eq!(
            ws.transmit_packets(c, &short, 0, None, 0),
            Err(WsaError::WSAEINVAL),
            "cLength past the buffer"
        );
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(u, &SockAddr::v4([127, 0, 0, 1], 0))?;
        assert_eq!(
            ws.transmit_packets(u, &m, 0, None, 0),
            Err(WsaError::WSAENOTCONN),
            "a datagram socket with no peer"
        );
        let (a, _b) = udp_pair(ws)?;
        assert_eq!(
            ws.transmit_packets(a, &m, 0, None, TF_DISCONNECT),
            Err(WsaError::WSAEINVAL),
            "no disconnect for datagrams"
        );
        let huge = vec![0u8; 70_000];
        let h = [TransmitPacketsElement::memory(&huge)];
        assert_eq!(
            ws.transmit_packets(a, &h, 0, None, 0),
            Err(WsaError::WSAEMSGSIZE)
        );
        Ok(())
    });
}
