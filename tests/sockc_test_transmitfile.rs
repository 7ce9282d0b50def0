//! Wine `dlls/ws2_32/tests/sock.c` (Wine 10.0), function `test_TransmitFile` (L9898-10072),
//! ported assertion by assertion. Facts only (return values, error codes, byte counts, what
//! arrives in which order); our own code.
//!
//! | sock.c test_TransmitFile                           | ok() | ported | not expressible | failing |
//! |----------------------------------------------------|------|--------|-----------------|---------|
//! | L9917-9964 setup; INVALID_SOCKET; not connected    |  13  |   12   |  1 (file)       |  0      |
//! | L9966-9970 no file, no buffers                     |   2  |    2   |  0              |  0      |
//! | L9972-9984 head and tail only                      |   4  |    4   |  0              |  0      |
//! | L9986-9989 file only                               |   1  |    1   |  0              |  0      |
//! | L9991-10005 head, file, tail                       |   3  |    3   |  0              |  0      |
//! | L10007-10020 overlapped                            |   4  |    4   |  0              |  0      |
//! | L10022-10036 overlapped from offset 10             |   4  |    4   |  0              |  0      |
//! | L10038-10062 overlapped head, file, tail           |   6  |    6   |  0              |  0      |
//! | L10064-10069 UDP socket: WSAENOTCONN               |   2  |    2   |  0              |  0      |
//! | **total**                                          |  39  |   38   |  1              |  0      |
//!
//! Counted: each `ok()` in the function body once; compare_file's own checks (block sizes and
//! contents) are made here too but not counted.
//!
//! Not expressible: 1 × opening `system.ini` with CreateFile: the simulator has no files;
//! TransmitFile's "file" is a byte buffer (here 600 bytes of text).
//!
//! Expressed differently: sock.c reads the nonblocking receiver right after each synchronous
//! TransmitFile, counting on loopback delivering at once; here the receiver first waits
//! (select) until the bytes have arrived, as the simulated wire takes time.
//!
//! Also covered elsewhere: tests/transmit_file.rs `er_09_er_12_transmitfile_errors`,
//! `transmitfile_sends_head_file_and_tail_in_order`,
//! `overlapped_transmitfile_pends_and_completes_with_the_count`.
mod common;

use winsock_sim::prelude::*;

const HEADER: &[u8] = b"hello world\0";
const FOOTER: &[u8] = b"goodbye!!!\0";

fn file() -> Vec<u8> {
    (0..600u32)
        .map(|i| b"[boot]\r\nshell=explorer.exe\r\n"[(i % 28) as usize])
        .collect()
}

/// Receives exactly `n` bytes on the nonblocking `s`, waiting (select) for each part.
fn read_n<W: Winsock + Select>(ws: &W, s: Socket, n: usize) -> Result<Vec<u8>, WsaError> {
    let mut out = vec![0u8; n];
    let mut got = 0;
    while got < n {
        let mut r = FdSet::new();
        r.set(s);
        ws.select(
            Some(&mut r),
            None,
            None,
            Some(std::time::Duration::from_secs(2)),
        )?;
        let k = ws.recv(s, &mut out[got..], 0)?;
        assert!(k > 0, "peer closed");
        got += k;
    }
    Ok(out)
}

/// sock.c compare_file: the file from `offset` arrives next.
fn compare_file<W: Winsock + Select>(ws: &W, s: Socket, f: &[u8], offset: usize) {
    assert_eq!(read_n(ws, s, f.len() - offset).unwrap(), &f[offset..]);
}

fn body<W: Winsock + OverlappedIo + WinsockExt + SyncObjects + Select>(
    ws: &W,
) -> Result<(), WsaError> {
    let f = file();
    // L9917-9931
    let client = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(client.is_ok());
    let client = client?;
    let server = ws.socket(AF_INET, SOCK_STREAM, 0);
    assert!(server.is_ok());
    let server = server?;
    let tf = match ws.get_extension_function_pointer(client, &WSAID_TRANSMITFILE, 8) {
        Ok(ExtensionFunction::TransmitFile(tf)) => tf,
        other => panic!("TransmitFile: {other:?}"),
    };
    // L9933-9937: INVALID_SOCKET.
    let r = tf.call(ws, Socket::INVALID, Some(&f), 0, 0, None, None, 0);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTSOCK.code());
    // L9939-9943: not connected (TF_REUSE_SOCKET, no file).
    let r = tf.call(ws, client, None, 0, 0, None, None, TF_REUSE_SOCKET);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTCONN.code());
    // L9945-9960
    let bind_address = SockAddr::v4([127, 0, 0, 1], 9374 + 1);
    assert_eq!(ws.bind(server, &bind_address), Ok(()));
    assert_eq!(ws.listen(server, 1), Ok(()));
    assert_eq!(ws.connect(client, &bind_address), Ok(()));
    let dest = ws.accept(server);
    assert!(dest.is_ok());
    let (dest, _) = dest?;
    assert_eq!(ws.set_nonblocking(dest, true), Ok(()));

    // L9966-9970: nothing to send: succeeds, nothing arrives.
    assert!(tf.call(ws, client, None, 0, 0, None, None, 0).is_ok());
    ws.sleep(100);
    let mut buf = [0u8; 256];
    assert_eq!(ws.recv(dest, &mut buf, 0), Err(WsaError::WSAEWOULDBLOCK));

    // L9972-9984: head and tail only.
    let buffers = TransmitFileBuffers {
        head: HEADER.to_vec(),
        tail: FOOTER.to_vec(),
    };
    assert!(tf
        .call(ws, client, None, 0, 0, Some(&buffers), None, 0)
        .is_ok());
    let got = read_n(ws, dest, HEADER.len() + FOOTER.len())?;
    ws.sleep(100);
    assert_eq!(
        ws.recv(dest, &mut buf, 0),
        Err(WsaError::WSAEWOULDBLOCK),
        "nothing more"
    );
    assert_eq!(&got[..HEADER.len()], HEADER);
    assert_eq!(&got[HEADER.len()..], FOOTER);

    // L9986-9989: the file only.
    assert!(tf.call(ws, client, Some(&f), 0, 0, None, None, 0).is_ok());
    compare_file(ws, dest, &f, 0);

    // L9991-10005: head, file, tail.
    assert!(tf
        .call(ws, client, Some(&f), 0, 0, Some(&buffers), None, 0)
        .is_ok());
    assert_eq!(read_n(ws, dest, HEADER.len())?, HEADER);
    compare_file(ws, dest, &f, 0);
    assert_eq!(read_n(ws, dest, FOOTER.len())?, FOOTER);

    // L10007-10020: overlapped: pends, signals, reports the file size.
    let ev = ws.create_event(false, false)?;
    let ov = Overlapped::with_event(1, ev);
    let r = tf.call(ws, client, Some(&f), 0, 0, None, Some(ov), 0);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 2000),
        Ok(WAIT_OBJECT_0)
    );
    assert_eq!(
        ws.wsa_get_overlapped_result(client, &ov, false)?.bytes,
        f.len()
    );
    compare_file(ws, dest, &f, 0);

    // L10022-10036: OVERLAPPED.Offset 10.
    let ov = Overlapped::with_event(2, ev);
    let r = tf.call(ws, client, Some(&f), 10, 0, None, Some(ov), 0);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 2000),
        Ok(WAIT_OBJECT_0)
    );
    assert_eq!(
        ws.wsa_get_overlapped_result(client, &ov, false)?.bytes,
        f.len() - 10
    );
    compare_file(ws, dest, &f, 10);

    // L10038-10062: overlapped head, file, tail.
    let ov = Overlapped::with_event(3, ev);
    let r = tf.call(ws, client, Some(&f), 0, 0, Some(&buffers), Some(ov), 0);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSA_IO_PENDING.code());
    assert_eq!(
        ws.wait_for_single_object(Handle::from(ev), 2000),
        Ok(WAIT_OBJECT_0)
    );
    assert_eq!(
        ws.wsa_get_overlapped_result(client, &ov, false)?.bytes,
        f.len() + HEADER.len() + FOOTER.len()
    );
    assert_eq!(read_n(ws, dest, HEADER.len())?, HEADER);
    compare_file(ws, dest, &f, 0);
    assert_eq!(read_n(ws, dest, FOOTER.len())?, FOOTER);

    // L10064-10069: a UDP socket: WSAENOTCONN.
    ws.closesocket(client)?;
    let client = ws.socket(AF_INET, SOCK_DGRAM, 0)?;
    let r = tf.call(ws, client, None, 0, 0, None, None, 0);
    assert!(r.is_err());
    assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTCONN.code());
    ws.close_handle(Handle::from(ev))?;
    ws.closesocket(client)?;
    ws.closesocket(server)?;
    ws.closesocket(dest)?;
    Ok(())
}

#[test]
fn sockc_transmitfile_buffers_file_offsets_and_errors() {
    // Proves (test_TransmitFile): INVALID_SOCKET gives WSAENOTSOCK, an unconnected or UDP
    // socket WSAENOTCONN; with nothing to send it succeeds and sends nothing; head, file and
    // tail arrive in that order, synchronously and overlapped (ERROR_IO_PENDING, the event,
    // WSAGetOverlappedResult's count: the file size, minus OVERLAPPED.Offset, plus head and
    // tail).
    common::run(body);
}
