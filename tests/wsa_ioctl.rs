//! WSAIoctl: OV-15 (the codes WSAIoctl handles synchronously, and an overlapped WSAIoctl's
//! packet), NB-08's 4-byte buffers (FIONBIO, FIONREAD, SIOCATMARK) and ER-12
//! (SIO_KEEPALIVE_VALS's input, SIO_IDEAL_SEND_BACKLOG_QUERY). Helpers in
//! `common/overlapped.rs`.
//!
//! Not expressible through the API (not tested): OV-15's "size 0" of a failed non-overlapped
//! WSAIoctl. Its interface and address queries are tested in
//! `tests/sockc_test_get_interface_list.rs`, `tests/sockc_test_siorouting_interface_query.rs`
//! and `tests/sockc_test_address_list_query.rs`; extension function pointers in
//! `tests/sockc_test_get_extension_func.rs`.
mod common;

use common::overlapped::{run, WAIT_MS};

use winsock_sim::prelude::*;

#[test]
fn ov_15_wsa_ioctl_synchronous_codes() {
    // Proves: WSAIoctl FIONBIO/FIONREAD/SIOCATMARK work and need a 4-byte buffer (WSAEFAULT
    // otherwise, NB-08); SIO_KEEPALIVE_VALS needs its 12-byte input (ER-12); unsupported codes
    // (0xdeadbeef, FIOASYNC) give WSAEOPNOTSUPP; SIO_BASE_HANDLE returns the socket itself.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let mut out = [0u8; 4];
        assert_eq!(
            ws.wsa_ioctl(s, FIONREAD, &[], &mut out[..3]),
            Err(WsaError::WSAEFAULT)
        );
        ws.send(c, b"12345", 0)?;
        ws.sleep(10);
        assert_eq!(ws.wsa_ioctl(s, FIONREAD, &[], &mut out)?, 4);
        assert_eq!(u32::from_le_bytes(out), 5);
        assert_eq!(ws.wsa_ioctl(s, SIOCATMARK, &[], &mut out)?, 4);
        assert_eq!(u32::from_le_bytes(out), 1);
        assert_eq!(ws.wsa_ioctl(s, FIONBIO, &1u32.to_le_bytes(), &mut [])?, 0);
        let mut b = [0u8; 8];
        ws.recv(s, &mut b, 0)?;
        assert_eq!(ws.recv(s, &mut b, 0), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(
            ws.wsa_ioctl(s, SIO_KEEPALIVE_VALS, &[], &mut []),
            Err(WsaError::WSAEFAULT)
        );
        assert_eq!(
            ws.wsa_ioctl(s, SIO_KEEPALIVE_VALS, &[0; 11], &mut []),
            Err(WsaError::WSAEFAULT)
        );
        let mut ka = Vec::new();
        for v in [1u32, 30_000, 2_000] {
            ka.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(ws.wsa_ioctl(s, SIO_KEEPALIVE_VALS, &ka, &mut [])?, 0);
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_KEEPALIVE)?, 1);
        assert_eq!(ws.getsockopt_i32(s, IPPROTO_TCP, TCP_KEEPALIVE)?, 30);
        for code in [0xdead_beef, FIOASYNC, 0x667e, SIO_FLUSH] {
            assert_eq!(
                ws.wsa_ioctl(s, code, &[], &mut out),
                Err(WsaError::WSAEOPNOTSUPP),
                "code {code:#x}"
            );
        }
        let mut h = [0u8; 8];
        let n = ws.wsa_ioctl(s, SIO_BASE_HANDLE, &[], &mut h)?;
        assert_eq!(usize::from_le_bytes(h[..n].try_into().unwrap()), s.raw());
        Ok(())
    });
}

#[test]
fn er_12_ideal_send_backlog_query() {
    // Proves: SIO_IDEAL_SEND_BACKLOG_QUERY on an unconnected TCP socket → WSAENOTCONN, on UDP
    // → WSAEOPNOTSUPP, on a connected socket → 0x10000.
    common::run(|ws| {
        let mut out = [0u8; 4];
        let t = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        assert_eq!(
            ws.wsa_ioctl(t, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut out),
            Err(WsaError::WSAENOTCONN)
        );
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(
            ws.wsa_ioctl(u, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut out),
            Err(WsaError::WSAEOPNOTSUPP)
        );
        let (c, _s) = common::pair(ws)?;
        assert_eq!(
            ws.wsa_ioctl(c, SIO_IDEAL_SEND_BACKLOG_QUERY, &[], &mut out)?,
            4
        );
        assert_eq!(u32::from_le_bytes(out), 0x10000);
        Ok(())
    });
}

#[test]
fn ov_15_overlapped_wsa_ioctl() {
    // Proves: an overlapped WSAIoctl of a code handled at once (FIONREAD) returns at once and
    // still queues a packet of 0 bytes with the socket's key (the output rides along); a
    // parameter error is synchronous and queues nothing; an unsupported code (0xdeadbeef,
    // SIO_BASE_HANDLE overlapped) pends and completes with ERROR_NOT_SUPPORTED; a completion
    // routine runs in SleepEx(0, TRUE) with error 0 and size 0, or WSAEOPNOTSUPP.
    run(|ws| {
        let (c, s) = common::pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(s, port, 31)?;
        ws.send(c, b"abc", 0)?;
        ws.sleep(10);
        assert_eq!(
            ws.wsa_ioctl_overlapped(s, FIONREAD, &[], vec![0; 4], Overlapped::new(1), None)?,
            4
        );
        let p = ws.get_queued_completion_status(port, WAIT_MS)?;
        assert_eq!((p.key, p.bytes, p.error), (31, 0, None));
        assert_eq!(u32::from_le_bytes(p.bufs[0][..4].try_into().unwrap()), 3);
        assert_eq!(
            ws.wsa_ioctl_overlapped(s, FIONREAD, &[], vec![0; 3], Overlapped::new(2), None),
            Err(WsaError::WSAEFAULT)
        );
        assert_eq!(
            ws.get_queued_completion_status(port, 100),
            Err(WsaError::WAIT_TIMEOUT)
        );
        for (id, code) in [
            (3, 0xdead_beef),
            (4, SIO_BASE_HANDLE),
            (40, FIOASYNC),
            (41, 0x667e),
            (42, SIO_FLUSH),
        ] {
            let ov = Overlapped::new(id);
            assert_eq!(
                ws.wsa_ioctl_overlapped(s, code, &[], vec![0; 8], ov, None),
                Err(WsaError::WSA_IO_PENDING),
                "code {code:#x}"
            );
            let p = ws.get_queued_completion_status(port, WAIT_MS)?;
            assert_eq!(
                (p.bytes, p.error, p.key, p.overlapped),
                (0, Some(WsaError::ERROR_NOT_SUPPORTED), 31, Some(ov)),
                "code {code:#x}"
            );
        }

        let (_c2, s2) = common::pair(ws)?;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        for (id, code, want) in [
            (5, SIOCATMARK, Ok(4)),
            (6, 0xdead_beef, Err(WsaError::WSA_IO_PENDING)),
        ] {
            let seen = seen.clone();
            let routine: CompletionRoutine<winsock_sim::sim::SimWinsock> =
                Box::new(move |_ws, done: IoCompletion| {
                    seen.lock().unwrap().push((done.error, done.bytes));
                });
            let r = ws.wsa_ioctl_overlapped(
                s2,
                code,
                &[],
                vec![0; 4],
                Overlapped::new(id),
                Some(routine),
            );
            assert_eq!(r, want, "code {code:#x} with a completion routine");
        }
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(None, 0), (Some(WsaError::WSAEOPNOTSUPP), 0)]
        );
        Ok(())
    });
}
