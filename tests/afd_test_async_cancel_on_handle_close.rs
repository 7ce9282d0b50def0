//! Wine `dlls/ws2_32/tests/afd.c`, function `test_async_cancel_on_handle_close` (L2796-2925
//! of the file at Kron4ek/wine-tkg commit 4b12965ca7e78b8e45eee5f835c72963b3ce351d; newlines
//! counted), facts only: what closing a socket handle does to a request pending on it while
//! a duplicate of the handle stays open, checked through an overlapped WSARecv (afd.c uses
//! an IOCTL_AFD_POLL), WSADuplicateSocket + WSASocket from its info (afd.c's
//! DuplicateHandle), closesocket, GetQueuedCompletionStatus and the event. Our own code.
//!
//! Mapping as in tests/afd_test_async_thread_termination.rs: an overlapped WSARecv is
//! afd.c's {event, context} (its test 4), {context} (5) or, with a routine, {APC, context}
//! (7). `io.Status` is `OVERLAPPED.Internal`. Counting: each `ok()` once per iteration.
//!
//! | part | ported (through) | not expressible | failing |
//! |------|------------------|-----------------|---------|
//! | L2846-2903 same process: 8 cases (52) | 22 (bind, listen, port, WSARecv, WSADuplicateSocket, closesocket, GQCS, wait) | 30 | 0 |
//! | L2844-2910 duplicate held by another process: 8 cases (59) | 0 | 59 | 0 |
//! | **total (111)** | **22** | **89** | **0** |
//!
//! Not expressible, per kind: a duplicate in another process (59: one process per simulated
//! host); a NULL APC context (tests 0-3: 26); an APC with an event (test 6: 4).
//! Same-process facts: the pending request is neither completed nor cancelled by the close
//! (Internal stays STATUS_PENDING, no packet, the event unsignalled: L2884, L2899, L2903);
//! a routine on a socket with a port fails at once (L2868: WSAEINVAL, conformance OV-04).
//! Also covered: tests/sockc_test_wsaduplicatesocket.rs (closing one handle keeps the
//! connection).
mod common;

use winsock_sim::api::extension::STATUS_PENDING;
use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// A new listener (L2850-2854), a connection through it, a port on the receiving end
/// (L2856-2857). Returns (receiving end, peer, port).
fn setup(ws: &SimWinsock) -> Result<(Socket, Socket, CompletionPort), WsaError> {
    let (l, addr) = common::listener(ws, 1)?;
    let c = common::tcp(ws)?;
    ws.connect(c, &addr)?;
    let (s, _) = ws.accept(l)?;
    ws.closesocket(l)?;
    let port = ws.create_io_completion_port(0)?;
    ws.associate_completion_port(s, port, 0)?;
    Ok((s, c, port))
}

/// DuplicateHandle into this process (L2875-2878).
fn duplicate(ws: &SimWinsock, s: Socket) -> Result<Socket, WsaError> {
    let mut raw = [0u8; WSAPROTOCOL_INFOA_LEN];
    ws.wsa_duplicate_socket_a(s, ws.get_current_process_id(), Some(&mut raw))?;
    let info = WsaProtocolInfo::decode_a(&raw).expect("372 bytes");
    ws.wsa_socket_from_info(0, 0, 0, Some(&info), WSA_FLAG_OVERLAPPED)
}

#[test]
fn closing_one_handle_leaves_a_pending_receive_alone() {
    common::run(|ws| {
        let ev = ws.wsa_create_event()?;
        for (i, with_event) in [true, false].into_iter().enumerate() {
            let what = if with_event { "test 4" } else { "test 5" };
            let (s, peer, port) = setup(ws)?;
            ws.wsa_reset_event(ev)?;
            let ov = match with_event {
                true => Overlapped::with_event(i as u64 + 1, ev),
                false => Overlapped::new(i as u64 + 1),
            };
            // L2860-2873: pends, Internal untouched.
            let r = ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None);
            assert_eq!(r, Err(WsaError::WSA_IO_PENDING), "{what}: L2872");
            assert_eq!(
                ws.overlapped_internal(&ov).0,
                STATUS_PENDING,
                "{what}: L2873"
            );
            let dup = duplicate(ws, s)?; // L2878
            ws.closesocket(s)?; // L2880
            assert_eq!(
                ws.overlapped_internal(&ov).0,
                STATUS_PENDING,
                "{what}: L2884"
            );
            let r = ws
                .get_queued_completion_status(port, 0)
                .map(|p| p.overlapped);
            assert_eq!(r, Err(WsaError::WAIT_TIMEOUT), "{what}: L2899");
            let w = ws.wait_for_single_object(ev.into(), 0)?;
            assert_eq!(w, WAIT_TIMEOUT, "{what}: L2903");
            // Not in afd.c: the request still takes data sent afterwards.
            ws.send(peer, b"x", 0)?;
            let p = ws.get_queued_completion_status(port, 1000)?;
            assert_eq!(
                (p.overlapped, p.error, p.bytes),
                (Some(ov), None, 1),
                "{what}"
            );
            ws.closesocket(dup)?; // L2916
            ws.closesocket(peer)?;
            ws.close_completion_port(port)?; // L2917
        }
        // Test 7: a routine on a socket with a port: refused at once (L2868).
        let (s, peer, port) = setup(ws)?;
        let routine: CompletionRoutine<SimWinsock> = Box::new(|_: &SimWinsock, _| {});
        let r = ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, Overlapped::new(9), Some(routine));
        assert_eq!(r, Err(WsaError::WSAEINVAL), "test 7: L2868");
        ws.closesocket(s)?;
        ws.closesocket(peer)?;
        ws.close_completion_port(port)?;
        ws.wsa_close_event(ev)
    });
}
