//! The fault plan's resource and API faults through the public API, with Windows' codes and
//! bits: a buffer squeeze (FaultRule::Squeeze) makes sends genuinely meet a full buffer
//! (nonblocking send all-or-nothing → WSAEWOULDBLOCK, FD_WRITE when space returns, select and
//! WSAPoll not writable, blocking send waits, overlapped WSASend pends); FaultRule::WouldBlock
//! makes a nonblocking send that FD_WRITE/select called writable fail with WSAEWOULDBLOCK and
//! re-arms FD_WRITE exactly as a full buffer does, never touching blocking sockets; and
//! SegmentAction::Reorder lets later UDP datagrams overtake one; FaultRule::Pend makes an
//! overlapped call that would complete at once return WSA_IO_PENDING and complete a moment
//! later, with its completion packet even under FILE_SKIP_COMPLETION_PORT_ON_SUCCESS;
//! FaultRule::Overtake reorders completion packets of different keys, never of one.
mod common;

use std::time::Duration;

use common::{fails, pair};
use winsock_sim::prelude::*;
use winsock_sim::sim::fault::{FaultPlan, FaultRule, Scope, SegmentAction, SegmentFilter, When};
use winsock_sim::sim::{Sim, SimWinsock};

const MS: Duration = Duration::from_millis(1);

fn builder(plan: FaultPlan) -> winsock_sim::sim::SimBuilder {
    Sim::builder().seed(common::seed()).faults(plan)
}

fn squeeze(from_ms: u64, until_ms: u64, send: Option<u32>, recv: Option<u32>) -> FaultPlan {
    FaultPlan::none().with(FaultRule::Squeeze {
        scope: Scope::All,
        from: MS * from_ms as u32,
        until: Some(MS * until_ms as u32),
        send,
        recv,
    })
}

/// Waits up to `ms` for `ev`; whether it was signalled.
fn signalled(ws: &SimWinsock, ev: WsaEvent, ms: u32) -> Result<bool, WsaError> {
    Ok(ws.wsa_wait_for_multiple_events(&[ev], false, ms, false)? == WSA_WAIT_EVENT_0)
}

/// Enumerates `s`'s recorded events (resetting `ev`).
fn events(ws: &SimWinsock, s: Socket, ev: WsaEvent) -> Result<i32, WsaError> {
    let mut ne = WsaNetworkEvents::default();
    ws.wsa_enum_network_events(s, Some(ev), &mut ne)?;
    Ok(ne.network_events)
}

/// select (zero timeout) with `s` in the write set: whether it is writable.
fn select_writable(ws: &SimWinsock, s: Socket) -> Result<bool, WsaError> {
    let mut w = FdSet::from_array(&[s]);
    let n = ws.select(None, Some(&mut w), None, Some(Duration::ZERO))?;
    Ok(n == 1 && w.iter().any(|x| x == s))
}

/// WSAPoll (zero timeout) asking POLLWRNORM: the revents.
fn poll_write(ws: &SimWinsock, s: Socket) -> Result<i16, WsaError> {
    let mut fds = [WsaPollFd::new(s, POLLWRNORM)];
    ws.wsa_poll(&mut fds, 0)?;
    Ok(fds[0].revents)
}

#[test]
fn squeezed_buffers_make_a_nonblocking_send_meet_a_full_buffer() {
    // Proves: with the send buffer squeezed to 1000 bytes and the peer's receive buffer to one
    // segment, a nonblocking send is still all-or-nothing (4000 bytes accepted at once, as
    // NB-07), the next one fails with WSAEWOULDBLOCK; select and WSAPoll report the socket not
    // writable and no FD_WRITE comes while the peer does not read; once the peer drains,
    // exactly one FD_WRITE arrives (EV-16 c) with iErrorCode 0, select/WSAPoll say writable,
    // and every byte arrives in order.
    common::run_with(builder(squeeze(0, 10_000, Some(1000), Some(0))), |ws| {
        let (c, s) = pair(ws)?;
        ws.sleep(20);
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(c, ev, FD_WRITE | FD_READ)?;
        assert!(signalled(ws, ev, 100)?, "initial FD_WRITE");
        assert_eq!(events(ws, c, ev)?, FD_WRITE);
        let data: Vec<u8> = (0..6000u32).map(|i| (i * 7 % 251) as u8).collect();
        assert_eq!(
            ws.send(c, &data[..4000], 0)?,
            4000,
            "all-or-nothing: taken whole"
        );
        ws.sleep(10);
        fails(
            ws,
            ws.send(c, &data[4000..], 0),
            WsaError::WSAEWOULDBLOCK,
            "full",
        );
        assert!(!select_writable(ws, c)?, "select: not writable while full");
        assert_eq!(poll_write(ws, c)?, 0, "WSAPoll: not writable while full");
        assert!(
            !signalled(ws, ev, 200)?,
            "no FD_WRITE while the buffer stays full"
        );
        let got = common::recv_exact(ws, s, 4000)?;
        assert_eq!(got, data[..4000]);
        assert!(signalled(ws, ev, 1000)?, "FD_WRITE once space returns");
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(c, Some(ev), &mut ne)?;
        assert_eq!(ne.network_events, FD_WRITE);
        assert_eq!(ne.error_code[FD_WRITE_BIT], 0);
        assert!(select_writable(ws, c)?, "select: writable again");
        assert_eq!(poll_write(ws, c)?, POLLWRNORM, "WSAPoll: writable again");
        assert!(!signalled(ws, ev, 200)?, "exactly one FD_WRITE");
        assert_eq!(ws.send(c, &data[4000..], 0)?, 2000);
        assert_eq!(common::recv_exact(ws, s, 2000)?, data[4000..]);
        Ok(())
    });
}

#[test]
fn a_squeeze_to_nothing_holds_every_kind_of_send_until_it_heals() {
    // Proves: with the send buffer squeezed to 0 bytes from 10 ms to 300 ms, a nonblocking send
    // fails with WSAEWOULDBLOCK and its FD_WRITE comes when the squeeze heals, not before; a
    // blocking send waits until then and sends everything; an overlapped WSASend pends
    // (WSA_IO_PENDING, then WSA_IO_INCOMPLETE) and completes with all its bytes at the heal.
    common::run_with(builder(squeeze(10, 300, Some(0), None)), |ws| {
        let (c, s) = pair(ws)?;
        let (c2, s2) = pair(ws)?;
        let (c3, s3) = pair(ws)?;
        ws.sleep(20);
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(c, ev, FD_WRITE)?;
        assert!(signalled(ws, ev, 100)?);
        assert_eq!(events(ws, c, ev)?, FD_WRITE);
        fails(
            ws,
            ws.send(c, b"abc", 0),
            WsaError::WSAEWOULDBLOCK,
            "squeezed to 0",
        );

        let oev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, oev);
        assert_eq!(
            ws.wsa_send_overlapped(c2, vec![b"overlapped".to_vec()], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_get_overlapped_result(c2, &ov, false)
                .map(|r| r.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        assert!(!signalled(ws, ev, 100)?, "no FD_WRITE while squeezed");

        assert_eq!(
            ws.send(c3, b"blocking", 0)?,
            8,
            "a blocking send waits, then sends"
        );
        assert!(
            ws.now() >= MS * 300,
            "it returned at the heal: {:?}",
            ws.now()
        );

        assert!(signalled(ws, ev, 0)?, "FD_WRITE at the heal");
        assert_eq!(events(ws, c, ev)?, FD_WRITE);
        let done = ws.wsa_get_overlapped_result(c2, &ov, true)?;
        assert_eq!((done.error, done.bytes), (None, 10));
        assert_eq!(ws.send(c, b"abc", 0)?, 3);
        assert_eq!(common::recv_exact(ws, s, 3)?, b"abc");
        assert_eq!(common::recv_exact(ws, s2, 10)?, b"overlapped");
        assert_eq!(common::recv_exact(ws, s3, 8)?, b"blocking");
        Ok(())
    });
}

#[test]
fn would_block_after_fd_write_re_arms_fd_write() {
    // Proves: FaultRule::WouldBlock (the 1st nonblocking send) makes a send that FD_WRITE and
    // select just called writable fail with WSAEWOULDBLOCK; the socket is then not writable
    // (select, WSAPoll), exactly one FD_WRITE (iErrorCode 0) arrives a round trip later, and
    // the send then succeeds; the rule fired once (the next send is not touched).
    let plan = FaultPlan::none().with(FaultRule::WouldBlock {
        when: When::Nth(1),
        scope: Scope::All,
    });
    common::run_with(builder(plan), |ws| {
        let (c, s) = pair(ws)?;
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(c, ev, FD_WRITE)?;
        assert!(signalled(ws, ev, 100)?);
        assert_eq!(events(ws, c, ev)?, FD_WRITE);
        assert!(select_writable(ws, c)?, "select said writable");
        let t0 = ws.now();
        fails(
            ws,
            ws.send(c, b"hello", 0),
            WsaError::WSAEWOULDBLOCK,
            "injected",
        );
        assert!(!select_writable(ws, c)?, "select: not writable after it");
        assert_eq!(poll_write(ws, c)?, 0, "WSAPoll: not writable after it");
        assert!(signalled(ws, ev, 1000)?, "a later FD_WRITE");
        assert!(ws.now() >= t0 + MS, "one round trip (at least 1 ms) later");
        let mut ne = WsaNetworkEvents::default();
        ws.wsa_enum_network_events(c, Some(ev), &mut ne)?;
        assert_eq!(
            (ne.network_events, ne.error_code[FD_WRITE_BIT]),
            (FD_WRITE, 0)
        );
        assert_eq!(ws.send(c, b"hello", 0)?, 5);
        assert_eq!(ws.send(c, b"world", 0)?, 5);
        assert!(!signalled(ws, ev, 200)?, "exactly one FD_WRITE");
        assert_eq!(common::recv_exact(ws, s, 10)?, b"helloworld");
        Ok(())
    });
}

#[test]
fn would_block_never_touches_blocking_sockets() {
    // Proves: the rule counts only nonblocking stream sends: blocking sends (and a blocking
    // WSASend) on a socket always succeed whatever the rule says, and its 2nd nonblocking send
    // (FIONBIO) is the one that fails with WSAEWOULDBLOCK.
    let plan = FaultPlan::none().with(FaultRule::WouldBlock {
        when: When::Nth(2),
        scope: Scope::All,
    });
    common::run_with(builder(plan), |ws| {
        let (c, s) = pair(ws)?;
        for _ in 0..5 {
            assert_eq!(ws.send(c, b"b", 0)?, 1);
            assert_eq!(ws.wsa_send(c, &[b"w"], 0)?, 1);
        }
        ws.ioctlsocket(c, FIONBIO, &mut 1)?;
        assert_eq!(ws.send(c, b"1", 0)?, 1, "1st nonblocking send");
        fails(
            ws,
            ws.send(c, b"2", 0),
            WsaError::WSAEWOULDBLOCK,
            "2nd nonblocking send",
        );
        ws.sleep(10);
        assert_eq!(ws.send(c, b"2", 0)?, 1);
        assert_eq!(common::recv_exact(ws, s, 12)?, b"bwbwbwbwbw12");
        Ok(())
    });
}

#[test]
fn reordered_datagram_is_overtaken() {
    // Proves: SegmentAction::Reorder on the 2nd datagram holds it back 5 ms outside the link's
    // order: the datagrams sent after it arrive first, each exactly once, then it.
    let plan = FaultPlan::none().with(FaultRule::Segment {
        when: When::Nth(2),
        scope: Scope::All,
        filter: SegmentFilter::Data,
        action: SegmentAction::Reorder(MS * 5),
    });
    common::run_with(builder(plan), |ws| {
        let r = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(r, &SockAddr::v4([127, 0, 0, 1], 0))?;
        let to = ws.getsockname(r)?;
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        for i in 1..=5u8 {
            assert_eq!(ws.sendto(u, &[i], 0, &to)?, 1);
        }
        ws.sleep(50);
        let mut got = Vec::new();
        ws.ioctlsocket(r, FIONBIO, &mut 1)?;
        let mut b = [0u8; 8];
        while let Ok((n, _)) = ws.recvfrom(r, &mut b, 0) {
            got.extend_from_slice(&b[..n]);
        }
        assert_eq!(got, vec![1, 3, 4, 5, 2]);
        Ok(())
    });
}

#[test]
fn new_rules_print_as_text_and_code() {
    // Proves: the three new kinds print in the one-line form that parses back, and as code.
    let plan = FaultPlan::none()
        .with(FaultRule::Squeeze {
            scope: Scope::Host([192, 0, 2, 1].into()),
            from: MS * 1000,
            until: None,
            send: Some(0),
            recv: None,
        })
        .with(FaultRule::WouldBlock {
            when: When::Nth(3),
            scope: Scope::All,
        })
        .with(FaultRule::Segment {
            when: When::Rate { num: 1, den: 8 },
            scope: Scope::All,
            filter: SegmentFilter::Data,
            action: SegmentAction::Reorder(MS * 5),
        });
    let plan = plan
        .with(FaultRule::Pend {
            when: When::Rate { num: 1, den: 2 },
            scope: Scope::Endpoint("192.0.2.1:80".parse().unwrap()),
        })
        .with(FaultRule::Overtake {
            when: When::Nth(4),
            scope: Scope::All,
        });
    let text = plan.to_string();
    assert_eq!(
        text,
        "squeeze(host=192.0.2.1,1s,-,0,-)+wouldblock(nth=3,all)+seg(rate=1/8,all,data,reorder=5ms)+pend(rate=1/2,ep=192.0.2.1:80)+overtake(nth=4,all)"
    );
    assert_eq!(text.parse::<FaultPlan>().unwrap(), plan);
    let code = format!("{plan:?}");
    assert!(code.contains("FaultRule::Squeeze { scope: Scope::Host(IpAddr::from([192, 0, 2, 1])), from: Duration::from_secs(1), until: None, send: Some(0), recv: None }"), "{code}");
    assert!(
        code.contains("FaultRule::WouldBlock { when: When::Nth(3), scope: Scope::All }"),
        "{code}"
    );
    assert!(
        code.contains("SegmentAction::Reorder(Duration::from_millis(5))"),
        "{code}"
    );
    assert!(
        code.contains("FaultRule::Overtake { when: When::Nth(4), scope: Scope::All }"),
        "{code}"
    );
    assert!("squeeze(all,1s,2s,x,-)".parse::<FaultPlan>().is_err());
    assert!("wouldblock(nth=1)".parse::<FaultPlan>().is_err());
}

#[test]
fn pend_turns_an_immediate_overlapped_completion_into_io_pending() {
    // Proves: FaultRule::Pend (the 1st overlapped call that would complete at once) makes a
    // WSASend with room return WSA_IO_PENDING (WSAGetOverlappedResult: WSA_IO_INCOMPLETE at
    // first); it completes a moment later and, on a socket with
    // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, its packet is queued (it did not complete at
    // once) with its bytes, key and OVERLAPPED; the next WSASend completes at once and queues
    // no packet (skip-on-success); the bytes arrive in order.
    let plan = FaultPlan::none().with(FaultRule::Pend {
        when: When::Nth(1),
        scope: Scope::All,
    });
    common::run_with(builder(plan), |ws| {
        let (c, s) = pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(c, port, 9)?;
        ws.set_file_completion_notification_modes(c, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)?;
        let ov1 = Overlapped::new(1);
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"first".to_vec()], 0, ov1, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert_eq!(
            ws.wsa_get_overlapped_result(c, &ov1, false)
                .map(|r| r.bytes),
            Err(WsaError::WSA_IO_INCOMPLETE)
        );
        let p = ws.get_queued_completion_status(port, 100)?;
        assert_eq!(
            (p.error, p.bytes, p.key, p.overlapped),
            (None, 5, 9, Some(ov1))
        );
        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.wsa_send_overlapped(c, vec![b"second".to_vec()], 0, ov2, None),
            Ok(6)
        );
        assert_eq!(
            ws.get_queued_completion_status(port, 100)
                .map(|p| p.overlapped),
            Err(WsaError::WAIT_TIMEOUT),
            "skip-on-success: no packet for the immediate one"
        );
        assert_eq!(common::recv_exact(ws, s, 11)?, b"firstsecond");
        Ok(())
    });
}

#[test]
fn pend_makes_a_receive_of_waiting_data_complete_later() {
    // Proves: with data already queued, an overlapped WSARecv hit by FaultRule::Pend returns
    // WSA_IO_PENDING instead of completing at once, then completes with that data: its event
    // is signalled and WSAGetOverlappedResult gives the bytes; a rate of 0/1 never fires.
    let plan = FaultPlan::none()
        .with(FaultRule::Pend {
            when: When::Rate { num: 0, den: 1 },
            scope: Scope::All,
        })
        .with(FaultRule::Pend {
            when: When::Nth(1),
            scope: Scope::All,
        });
    common::run_with(builder(plan), |ws| {
        let (c, s) = pair(ws)?;
        ws.send(s, b"waiting", 0)?;
        ws.sleep(10);
        let ev = ws.wsa_create_event()?;
        let ov = Overlapped::with_event(1, ev);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 16]], 0, ov, None),
            Err(WsaError::WSA_IO_PENDING)
        );
        assert!(signalled(ws, ev, 100)?, "completes a moment later");
        let done = ws.wsa_get_overlapped_result(c, &ov, false)?;
        assert_eq!((done.error, done.bytes), (None, 7));
        assert_eq!(&done.bufs[0][..7], b"waiting");
        // The rule fired once: the next receive of waiting data completes at once.
        // (Nagle holds it until the delayed ACK of "waiting", up to 200 ms.)
        ws.send(s, b"again", 0)?;
        ws.sleep(300);
        let ov2 = Overlapped::new(2);
        assert_eq!(
            ws.wsa_recv_overlapped(c, vec![vec![0; 16]], 0, ov2, None),
            Ok(5)
        );
        Ok(())
    });
}

#[test]
fn overtake_reorders_completions_of_independent_sockets_only() {
    // Proves: FaultRule::Overtake (rate 1/1) makes the completion of socket B's receive,
    // queued after socket A's, be dequeued first (packets of another key overtaken), while the
    // completions of two receives pending on one socket keep their issue order whatever the
    // rule says (one key: FIFO), with their bytes in stream order.
    let plan = FaultPlan::none().with(FaultRule::Overtake {
        when: When::Rate { num: 1, den: 1 },
        scope: Scope::All,
    });
    common::run_with(builder(plan), |ws| {
        let (a, pa) = pair(ws)?;
        let (b, pb) = pair(ws)?;
        let port = ws.create_io_completion_port(0)?;
        ws.associate_completion_port(a, port, 1)?;
        ws.associate_completion_port(b, port, 2)?;
        let ov_a = Overlapped::new(1);
        let ov_b = Overlapped::new(2);
        for (s, ov) in [(a, ov_a), (b, ov_b)] {
            assert_eq!(
                ws.wsa_recv_overlapped(s, vec![vec![0; 8]], 0, ov, None),
                Err(WsaError::WSA_IO_PENDING)
            );
        }
        ws.send(pa, b"to a", 0)?;
        ws.sleep(5);
        ws.send(pb, b"to b", 0)?;
        ws.sleep(5);
        let first = ws.get_queued_completion_status(port, 100)?;
        let second = ws.get_queued_completion_status(port, 100)?;
        assert_eq!(
            (first.key, first.overlapped, second.key, second.overlapped),
            (2, Some(ov_b), 1, Some(ov_a)),
            "B's completion overtook A's"
        );

        // Two receives on one socket: never reordered.
        let ov1 = Overlapped::new(11);
        let ov2 = Overlapped::new(12);
        for ov in [ov1, ov2] {
            assert_eq!(
                ws.wsa_recv_overlapped(a, vec![vec![0; 3]], 0, ov, None),
                Err(WsaError::WSA_IO_PENDING)
            );
        }
        // (Nagle holds it until the delayed ACK of "to a", up to 200 ms.)
        ws.send(pa, b"abcdef", 0)?;
        ws.sleep(300);
        let p1 = ws.get_queued_completion_status(port, 100)?;
        let p2 = ws.get_queued_completion_status(port, 100)?;
        assert_eq!((p1.overlapped, p2.overlapped), (Some(ov1), Some(ov2)));
        assert_eq!(
            (&p1.bufs[0][..], &p2.bufs[0][..]),
            (&b"abc"[..], &b"def"[..])
        );
        Ok(())
    });
}

#[test]
fn documented_contract_completes_overlapped_calls_at_once_or_later() {
    // Proves: under Contract::Documented (Completion::Random) overlapped WSASends that could
    // complete at once sometimes do (Ok) and sometimes return WSA_IO_PENDING, as the seed
    // draws; every one completes with all its bytes, in order; the replay line carries io=random
    // and parses back.
    use winsock_sim::sim::{Completion, Contract, Replay};
    let mut sim = Sim::builder()
        .seed(common::seed())
        .contract(Contract::Documented)
        .build();
    let h = sim.host("host", "192.0.2.1");
    h.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let (c, s) = pair(ws)?;
        let (mut now, mut later) = (0, 0);
        for i in 0..20u64 {
            let ev = ws.wsa_create_event()?;
            let ov = Overlapped::with_event(i + 1, ev);
            match ws.wsa_send_overlapped(c, vec![vec![i as u8; 10]], 0, ov, None) {
                Ok(10) => now += 1,
                Err(WsaError::WSA_IO_PENDING) => later += 1,
                r => panic!("{r:?}"),
            }
            let done = ws.wsa_get_overlapped_result(c, &ov, true)?;
            assert_eq!((done.error, done.bytes), (None, 10));
        }
        assert!(now > 0 && later > 0, "{now} at once, {later} pending");
        let got = common::recv_exact(ws, s, 200)?;
        let want: Vec<u8> = (0..20u8).flat_map(|i| [i; 10]).collect();
        assert_eq!(got, want);
        Ok(())
    });
    sim.run().expect("run");
    let replay = sim.replay();
    assert_eq!(replay.completion, Some(Completion::Random));
    assert!(replay.to_string().contains(";io=random"), "{replay}");
    assert_eq!(replay.to_string().parse::<Replay>().unwrap(), replay);
    let windows = Sim::builder().build().replay();
    assert!(!windows.to_string().contains("io="), "{windows}");
}
