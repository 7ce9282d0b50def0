//! TransmitFile with an in-memory "file" (the sim has no files): head and tail buffers,
//! offsets and counts, the overlapped form, TF_DISCONNECT / TF_REUSE_SOCKET, and the errors
//! of conformance ER-09 / ER-12 (sock.c test_TransmitFile).
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn file() -> Vec<u8> {
    (0..3000u32).map(|i| (i % 251) as u8).collect()
}

/// Reads exactly `n` bytes from `s`.
fn read(ws: &SimWinsock, s: Socket, n: usize) -> Result<Vec<u8>, WsaError> {
    common::recv_exact(ws, s, n)
}

#[test]
fn er_09_er_12_transmitfile_errors() {
    // Proves: TransmitFile on INVALID_SOCKET is WSAENOTSOCK; on an unconnected TCP socket
    // (even with TF_REUSE_SOCKET) and on a UDP socket WSAENOTCONN; unknown flags WSAEINVAL.
    common::run(|ws| {
        let f = file();
        assert_eq!(
            ws.transmit_file(
                Socket::from_raw(INVALID_SOCKET),
                Some(&f),
                0,
                0,
                None,
                None,
                0
            ),
            Err(WsaError::WSAENOTSOCK)
        );
        let t = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(
            ws.transmit_file(t, None, 0, 0, None, None, TF_REUSE_SOCKET),
            Err(WsaError::WSAENOTCONN)
        );
        assert_eq!(ws.wsa_get_last_error(), 10057);
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(
            ws.transmit_file(u, None, 0, 0, None, None, 0),
            Err(WsaError::WSAENOTCONN)
        );
        let (c, _s) = common::pair(ws)?;
        assert_eq!(
            ws.transmit_file(c, None, 0, 0, None, None, 0x4000),
            Err(WsaError::WSAEINVAL)
        );
        Ok(())
    });
}

#[test]
fn transmitfile_sends_head_file_and_tail_in_order() {
    // Proves: with no file and no buffers TransmitFile succeeds and sends nothing; with only
    // buffers it sends head then tail; with a file it sends it whole (count 0) or from an
    // offset for a count; with both, head, file, tail — and returns the byte count.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let f = file();
        assert_eq!(ws.transmit_file(c, None, 0, 0, None, None, 0)?, 0);
        ws.set_nonblocking(s, true)?;
        let mut b = [0u8; 8];
        ws.sleep(10);
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAEWOULDBLOCK));
        ws.set_nonblocking(s, false)?;

        let bufs = TransmitFileBuffers {
            head: b"hello world\0".to_vec(),
            tail: b"goodbye!!!\0".to_vec(),
        };
        assert_eq!(ws.transmit_file(c, None, 0, 0, Some(&bufs), None, 0)?, 23);
        assert_eq!(read(ws, s, 23)?, b"hello world\0goodbye!!!\0");

        assert_eq!(ws.transmit_file(c, Some(&f), 0, 0, None, None, 0)?, 3000);
        assert_eq!(read(ws, s, 3000)?, f);
        assert_eq!(ws.transmit_file(c, Some(&f), 10, 100, None, None, 0)?, 100);
        assert_eq!(read(ws, s, 100)?, f[10..110]);

        assert_eq!(
            ws.transmit_file(c, Some(&f), 0, 0, Some(&bufs), None, 0)?,
            3023
        );
        let mut want = bufs.head.clone();
        want.extend_from_slice(&f);
        want.extend_from_slice(&bufs.tail);
        assert_eq!(read(ws, s, 3023)?, want);
        Ok(())
    });
}

#[test]
fn overlapped_transmitfile_pends_and_completes_with_the_count() {
    // Proves: an overlapped TransmitFile returns WSA_IO_PENDING even when everything fits,
    // signals its event and reports the bytes sent (file from OVERLAPPED.Offset, plus head
    // and tail) through WSAGetOverlappedResult and through a completion packet (even with
    // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, since the call did not succeed at once).
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let f = file();
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.transmit_file(c, Some(&f), 0, 0, None, Some(ov), 0),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 2000, false)?,
            0
        );
        let done = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 3000));
        assert_eq!(read(ws, s, 3000)?, f);

        let bufs = TransmitFileBuffers {
            head: b"H".to_vec(),
            tail: b"T".to_vec(),
        };
        let ov = Overlapped::with_event(2, ev);
        assert_eq!(
            ws.transmit_file(c, Some(&f), 10, 0, Some(&bufs), Some(ov), 0),
            Err(WsaError::WSA_IO_PENDING)
        );
        let done = ws.wsa_get_overlapped_result(c, &ov, true)?;
        assert_eq!(done.bytes, 2992);
        let got = read(ws, s, 2992)?;
        assert_eq!((got[0], got[2991]), (b'H', b'T'));
        assert_eq!(&got[1..2991], &f[10..]);

        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 5)?;
        ws.set_file_completion_notification_modes(c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)?;
        assert_eq!(
            ws.transmit_file(c, Some(&f), 0, 5, None, Some(Overlapped::new(3)), 0),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, 1000)?;
        assert_eq!((p.key, p.bytes, p.error), (5, 5, None));
        assert_eq!(p.overlapped, Some(Overlapped::new(3)));
        assert_eq!(read(ws, s, 5)?, f[..5]);
        Ok(())
    });
}

#[test]
fn tf_disconnect_and_tf_reuse_socket() {
    // Proves: TF_DISCONNECT closes the sending direction after the data (the peer reads the
    // data then 0; send gives WSAESHUTDOWN; the peer can still send); overlapped, it
    // completes with the byte count once the FIN is acknowledged; TF_DISCONNECT |
    // TF_REUSE_SOCKET leaves the handle naming a fresh unbound socket (getsockname
    // WSAEINVAL) that can connect again.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let f = file();
        assert_eq!(
            ws.transmit_file(c, Some(&f), 0, 100, None, None, TF_DISCONNECT)?,
            100
        );
        assert_eq!(read(ws, s, 100)?, f[..100]);
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        assert_eq!(ws.send(c, b"x", 0), Err(WsaError::WSAESHUTDOWN));
        ws.send(s, b"back", 0)?;
        assert_eq!(read(ws, c, 4)?, b"back");

        let (c, s) = common::pair(ws)?;
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(7, ev);
        assert_eq!(
            ws.transmit_file(
                c,
                Some(&f),
                0,
                50,
                None,
                Some(ov),
                TF_DISCONNECT | TF_REUSE_SOCKET
            ),
            Err(WsaError::WSA_IO_PENDING)
        );
        let done = ws.wsa_get_overlapped_result(c, &ov, true)?;
        assert_eq!((done.error, done.bytes), (None, 50));
        assert_eq!(read(ws, s, 50)?, f[..50]);
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        assert_eq!(ws.getsockname(c), Err(WsaError::WSAEINVAL));
        let (l, addr) = common::listener(ws, 1)?;
        ws.connect(c, &addr)?;
        let (n, _) = ws.accept(l)?;
        ws.send(c, b"again", 0)?;
        assert_eq!(read(ws, n, 5)?, b"again");

        // Synchronous TF_REUSE_SOCKET waits for the FIN's acknowledgement, then reuses.
        ws.transmit_file(c, None, 0, 0, None, None, TF_DISCONNECT | TF_REUSE_SOCKET)?;
        assert_eq!(ws.getsockname(c), Err(WsaError::WSAEINVAL));
        Ok(())
    });
}
