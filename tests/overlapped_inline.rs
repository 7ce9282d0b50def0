//! The inline overlapped calls in the simulator (`wsa_send_overlapped_inline`,
//! `wsa_recv_overlapped_inline`), beyond what the shared conformance suite checks on every
//! backend (`conformance_suite/inline.rs`): the result the OVERLAPPED keeps afterwards, a
//! fault plan that makes the call pend, a non-overlapped socket, and what the call costs in
//! the trace.
mod common;

use common::overlapped::skipping_port;
use common::{pair, recv_exact};
use winsock_sim::prelude::*;
use winsock_sim::sim::fault::{FaultPlan, FaultRule, Scope, When};
use winsock_sim::sim::{Sim, SimWinsock};

/// A pair whose client end is on a port (key 3) with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
fn skipping(ws: &SimWinsock) -> Result<(Socket, Socket, CompletionPort), WsaError> {
    let (c, s) = pair(ws)?;
    let port = skipping_port(ws, c, 3)?;
    Ok((c, s, port))
}

#[test]
fn the_overlapped_keeps_the_result_handed_back_inline() {
    // Proves: after an inline completion the OVERLAPPED still holds the result, as the
    // structure does on Windows: WSAGetOverlappedResult reports the count again, with no
    // buffers (they went back with the call), and last error 0; reusing the OVERLAPPED for
    // a new operation is allowed.
    common::run(|ws| {
        let (c, s, _port) = skipping(ws)?;
        let ov = Overlapped::new(1);
        let Immediate::Completed(done) =
            ws.wsa_send_overlapped_inline(c, vec![b"abcd".to_vec()], 0, ov, None)?
        else {
            panic!("an immediate send on a skip-on-success socket is handed back");
        };
        assert_eq!(done.bufs, vec![b"abcd".to_vec()]);
        let again = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!(
            (again.error, again.bytes, again.bufs.len()),
            (None, 4, 0),
            "the result again, without the buffers"
        );
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!(
            ws.wsa_send_overlapped_inline(c, vec![b"ef".to_vec()], 0, ov, None)
                .map(|i| i.bytes()),
            Ok(2),
            "the OVERLAPPED is free for the next operation"
        );
        assert_eq!(recv_exact(ws, s, 6)?, b"abcdef");
        Ok(())
    });
}

#[test]
fn a_pend_fault_makes_an_inline_call_pend_and_its_packet_come() {
    // Proves: FaultRule::Pend turns an inline WSASend that would complete at once into
    // WSA_IO_PENDING; it completes a moment later and, having not completed inside the call,
    // queues its packet even with skip-on-success, the buffers in it; the next inline send
    // completes at once and is handed back.
    let plan = FaultPlan::none().with(FaultRule::Pend {
        when: When::Nth(1),
        scope: Scope::All,
    });
    common::run_with(Sim::builder().seed(common::seed()).faults(plan), |ws| {
        let (c, s, port) = skipping(ws)?;
        let ov1 = Overlapped::new(1);
        assert_eq!(
            ws.wsa_send_overlapped_inline(c, vec![b"first".to_vec()], 0, ov1, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        let p = ws.get_queued_completion_status(port, 100)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped, p.bufs),
            (None, 5, 3, Some(ov1), vec![b"first".to_vec()])
        );
        let ov2 = Overlapped::new(2);
        assert!(matches!(
            ws.wsa_send_overlapped_inline(c, vec![b"second".to_vec()], 0, ov2, None),
            Ok(Immediate::Completed(IoCompletion { bytes: 6, .. }))
        ));
        assert_eq!(
            ws.get_queued_completion_status(port, 100)
                .map(|p| p.overlapped),
            Err(WsaError::WAIT_TIMEOUT)
        );
        assert_eq!(recv_exact(ws, s, 11)?, b"firstsecond");
        Ok(())
    });
}

#[test]
fn an_inline_receive_on_a_non_overlapped_socket_waits_then_hands_back() {
    // Proves: on a socket made while SO_OPENTYPE is SO_SYNCHRONOUS_NONALERT (NB-03) an
    // inline WSARecv with nothing queued waits in the call, then returns the completion with
    // the data (the operation stays to be collected on Windows: the inline call collects it).
    common::run(|ws| {
        let any = Socket::from_raw(INVALID_SOCKET);
        ws.setsockopt_i32(any, SOL_SOCKET, SO_OPENTYPE, SO_SYNCHRONOUS_NONALERT)?;
        let made = pair(ws);
        ws.setsockopt_i32(any, SOL_SOCKET, SO_OPENTYPE, 0)?;
        let (c, s) = made?;
        let t = ws.create_thread("sender", move |ws| {
            ws.sleep(50);
            ws.send(s, b"late", 0).map(|_| ())
        })?;
        let ov = Overlapped::new(9);
        let got = ws.wsa_recv_overlapped_inline(c, vec![vec![0; 8]], 0, ov, None)?;
        let Immediate::Completed(done) = got else {
            panic!("the waited-for receive is handed back: {got:?}");
        };
        assert_eq!((done.bytes, &done.bufs[0][..4]), (4, &b"late"[..]));
        ws.wait_for_thread(t, 1_000)?;
        Ok(())
    });
}

/// Calls a run makes for `rounds` sends on a skip-on-success socket, each collected
/// inline or with WSAGetOverlappedResult.
fn calls_for(rounds: u64, inline: bool) -> u64 {
    let report = common::run_with(Sim::builder().seed(7), move |ws| {
        let (c, s, _port) = skipping(ws)?;
        for i in 0..rounds {
            let ov = Overlapped::new(i);
            if inline {
                let done = ws.wsa_send_overlapped_inline(c, vec![vec![1; 8]], 0, ov, None)?;
                assert!(matches!(done, Immediate::Completed(_)));
            } else {
                ws.wsa_send_overlapped(c, vec![vec![1; 8]], 0, ov, None)?;
                assert_eq!(ws.wsa_get_overlapped_result(c, &ov, false)?.bufs.len(), 1);
            }
        }
        recv_exact(ws, s, 8 * rounds as usize).map(|_| ())
    });
    report.stats.calls
}

#[test]
fn an_inline_completion_is_one_call() {
    // Proves: handing the buffers back inline is part of the WSASend call: ten sends collected
    // with WSAGetOverlappedResult make exactly ten calls more than ten inline sends.
    assert_eq!(calls_for(10, false), calls_for(10, true) + 10);
}

#[test]
fn inline_calls_fail_as_the_plain_calls_do() {
    // Proves: the inline calls make the plain calls' checks in the plain calls' order: on a
    // closed handle (WSAENOTSOCK before the flags), with unsupported flags (WSAEOPNOTSUPP),
    // with no buffer (WSARecv: WSAEINVAL), unconnected (WSAENOTCONN), after shutdown
    // (WSAESHUTDOWN), with an OVERLAPPED still pending (WSAEINVAL); and each sets the same
    // last error.
    common::run(|ws| {
        let (c, s) = pair(ws)?;
        let unconnected = common::tcp(ws)?;
        let closed = common::tcp(ws)?;
        ws.closesocket(closed)?;
        let (sd, _peer) = pair(ws)?;
        ws.shutdown(sd, SD_BOTH)?;
        let pending = Overlapped::new(50);
        assert_eq!(
            ws.wsa_recv_overlapped(s, vec![vec![0; 4]], 0, pending, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        let cases: [(Socket, u32, usize, Overlapped); 7] = [
            (closed, 0, 4, Overlapped::new(1)),
            (closed, 0x8000_0000, 4, Overlapped::new(1)),
            (c, 0x8000_0000, 4, Overlapped::new(2)),
            (c, 0, 0, Overlapped::new(3)),
            (unconnected, 0, 4, Overlapped::new(4)),
            (sd, 0, 4, Overlapped::new(5)),
            (s, 0, 4, pending),
        ];
        for (i, &(sock, flags, n, ov)) in cases.iter().enumerate() {
            let bufs = || if n == 0 { Vec::new() } else { vec![vec![0; n]] };
            let plain = ws.wsa_recv_overlapped(sock, bufs(), flags, ov, None);
            let plain_error = ws.wsa_get_last_error();
            let inline = ws.wsa_recv_overlapped_inline(sock, bufs(), flags, ov, None);
            assert!(plain.is_err(), "case {i}: WSARecv {plain:?}");
            assert_eq!(inline.map(|i| i.bytes()), plain, "case {i}: WSARecv");
            assert_eq!(ws.wsa_get_last_error(), plain_error, "case {i}: WSARecv");
            if n == 0 {
                continue;
            }
            let data = || vec![vec![1; n]];
            let plain = ws.wsa_send_overlapped(sock, data(), flags, ov, None);
            let plain_error = ws.wsa_get_last_error();
            let inline = ws.wsa_send_overlapped_inline(sock, data(), flags, ov, None);
            assert_eq!(inline.map(|i| i.bytes()), plain, "case {i}: WSASend");
            assert_eq!(ws.wsa_get_last_error(), plain_error, "case {i}: WSASend");
        }
        assert_eq!(
            ws.wsa_send_overlapped_inline(unconnected, vec![vec![1]], 0, Overlapped::new(6), None),
            Err(WsaError::WSAENOTCONN)
        );
        assert_eq!(
            ws.wsa_recv_overlapped_inline(
                closed,
                vec![vec![0; 4]],
                0x8000_0000,
                Overlapped::new(7),
                None
            ),
            Err(WsaError::WSAENOTSOCK)
        );
        Ok(())
    });
}

#[test]
fn inline_sends_beside_the_common_case_end_as_the_general_path_does() {
    // Proves, around the common case (a WSASend that completes in the call on a
    // skip-on-success socket, handed back with no packet), the cases the simulator takes by
    // another path, each ending as Windows does:
    // - an OVERLAPPED reused after a plain WSASend that completed at once and was never
    //   collected: the inline send completes, and WSAGetOverlappedResult then reports its
    //   count, not the earlier one;
    // - an OVERLAPPED with an event: handed back in the call, the event signalled, no packet;
    // - a socket on a port without skip-on-success: Queued, and the packet brings the buffers;
    // - a send that finds the send buffer full pends; having not completed inside the call,
    //   it queues its packet although the socket skips them on success.
    common::run(|ws| {
        let (c, s, port) = skipping(ws)?;
        let ov = Overlapped::new(1);
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"ab".to_vec()], 0, ov, None),
            Ok(2)
        );
        let Immediate::Completed(done) =
            ws.wsa_send_overlapped_inline(c, vec![b"cde".to_vec()], 0, ov, None)?
        else {
            panic!("a send completing in the call is handed back");
        };
        assert_eq!(
            (done.error, done.bytes, done.bufs),
            (None, 3, vec![b"cde".to_vec()])
        );
        let again = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((again.bytes, again.bufs.len()), (3, 0), "the new result");

        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(2, ev);
        assert!(matches!(
            ws.wsa_send_overlapped_inline(c, vec![b"f".to_vec()], 0, ov, None),
            Ok(Immediate::Completed(IoCompletion { bytes: 1, .. }))
        ));
        assert_eq!(
            ws.wsa_wait_for_multiple_events(&[ev], false, 0, false),
            Ok(WSA_WAIT_EVENT_0),
            "the event is signalled"
        );
        common::overlapped::no_packet(ws, port, "sends completed in the call");
        assert_eq!(recv_exact(ws, s, 6)?, b"abcdef");

        let (c2, s2) = pair(ws)?;
        let port2 = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c2, port2, 7)?;
        let ov = Overlapped::new(3);
        assert_eq!(
            ws.wsa_send_overlapped_inline(c2, vec![b"gh".to_vec()], 0, ov, None),
            Ok(Immediate::Queued(2))
        );
        let p = ws.get_queued_completion_status(port2, common::overlapped::WAIT_MS)?;
        assert_eq!(
            (p.key, p.bytes, p.overlapped, p.bufs),
            (7, 2, Some(ov), vec![b"gh".to_vec()])
        );
        assert_eq!(recv_exact(ws, s2, 2)?, b"gh");

        // SO_SNDBUF plus the 64-KiB ideal send backlog Windows keeps in front of it.
        ws.setsockopt_i32(c, SOL_SOCKET, SO_SNDBUF, 16)?;
        let full = 16 + 64 * 1024;
        let (ov4, ov5) = (Overlapped::new(4), Overlapped::new(5));
        assert_eq!(
            ws.wsa_send_overlapped_inline(c, vec![vec![4; full]], 0, ov4, None)
                .map(|i| i.bytes()),
            Ok(full)
        );
        assert_eq!(
            ws.wsa_send_overlapped_inline(c, vec![vec![5; 64]], 0, ov5, None),
            Err(WsaError::WSA_IO_PENDING),
            "the send buffer is full"
        );
        let got = recv_exact(ws, s, full + 64)?;
        assert!(got[..full].iter().all(|&b| b == 4) && got[full..] == [5; 64]);
        let p = ws.get_queued_completion_status(port, common::overlapped::WAIT_MS)?;
        assert_eq!(
            (p.error, p.bytes, p.overlapped, p.bufs),
            (None, 64, Some(ov5), vec![vec![5; 64]])
        );
        Ok(())
    });
}
