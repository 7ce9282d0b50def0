//! Windows' TCP acknowledgement timing as a program can observe it (virtual time through
//! `GetTickCount`, segment counts through the report): delayed ACK (every second data segment
//! acknowledged at once, a lone one on the second 100-ms tick after it arrived — ticks at 50,
//! 150, 250 ms ... of virtual time — unless a reply carries it) and Nagle's
//! algorithm (a small segment waits while earlier data is unacknowledged, unless TCP_NODELAY
//! is set), and `AckPolicy::Immediate`, which keeps neither.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::{AckPolicy, Segmentation, Sim, SimBuilder, SimWinsock};

/// Whole segments, so segment counts do not depend on random cuts.
fn whole(policy: AckPolicy) -> SimBuilder {
    Sim::builder()
        .seed(common::seed())
        .segmentation(Segmentation::Mss)
        .tcp_acks(policy)
}

/// Milliseconds of virtual time from a second small send until both bytes have arrived,
/// the first send `after_ms` after the connection is made.
fn two_small_sends_after(builder: SimBuilder, nodelay: bool, after_ms: u32) -> u32 {
    two_small_sends_set(builder, nodelay, after_ms, |_, _| Ok(()))
}

/// [`two_small_sends_after`], with `receiver` called on the receiving socket first.
fn two_small_sends_set(
    builder: SimBuilder,
    nodelay: bool,
    after_ms: u32,
    receiver: fn(&SimWinsock, Socket) -> Result<(), WsaError>,
) -> u32 {
    let out = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let o = out.clone();
    common::run_with(builder, move |ws| {
        let (c, s) = common::pair(ws)?;
        receiver(ws, s)?;
        if nodelay {
            ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
        }
        ws.sleep(after_ms);
        let t0 = ws.get_tick_count();
        ws.send(c, b"a", 0)?;
        ws.send(c, b"b", 0)?;
        assert_eq!(common::recv_exact(ws, s, 2)?, b"ab");
        o.store(
            ws.get_tick_count() - t0,
            std::sync::atomic::Ordering::SeqCst,
        );
        Ok(())
    });
    out.load(std::sync::atomic::Ordering::SeqCst)
}

/// [`two_small_sends_after`] right after connecting.
fn two_small_sends(policy: AckPolicy, nodelay: bool) -> u32 {
    two_small_sends_after(whole(policy), nodelay, 0)
}

#[test]
fn nagle_holds_a_small_send_until_the_delayed_ack() {
    // Proves: a small send after an unacknowledged small send waits for the peer's ACK, which
    // Windows delays for a lone segment (Nagle meets delayed ACK, KB 214397): the first byte
    // arrives just after 0 ms, the ACK goes on the second tick after it (150 ms).
    let ms = two_small_sends(AckPolicy::Windows, false);
    assert_eq!(ms, 150, "second byte after {ms} ms");
}

#[test]
fn the_delayed_ack_goes_on_the_second_100ms_tick_after_the_segment() {
    // Proves: the delayed-ACK timer counts Windows' 100-ms ticks (TcpDelAckTicks = 2), not a
    // fixed 200 ms: a segment arriving just after a tick (50.1 ms) is acknowledged almost
    // 200 ms later (250 ms), one arriving between ticks (100.1 ms) 150 ms later, one arriving
    // just before a tick (149.1 ms) a little over 100 ms later (also at 250 ms). (The pair
    // is connected about 0.1 ms in; times are GetTickCount milliseconds.)
    for (after, want) in [(50, 200), (100, 150), (149, 101)] {
        let ms = two_small_sends_after(whole(AckPolicy::Windows), false, after);
        assert_eq!(
            ms, want,
            "first send at {after} ms: second byte after {ms} ms"
        );
    }
}

#[test]
fn tcp_del_ack_ticks_sets_the_number_of_ticks() {
    // Proves: `delayed_ack` sets TcpDelAckTicks in whole 100-ms ticks (rounded up): one tick
    // acknowledges at the next tick (50 ms), three at the third (250 ms); zero acknowledges
    // at once, so Nagle releases the second byte without delay.
    for (d, want) in [(100, 50), (250, 250), (0, 0)] {
        let b = whole(AckPolicy::Windows).delayed_ack(std::time::Duration::from_millis(d));
        let ms = two_small_sends_after(b, false, 0);
        assert_eq!(ms, want, "delayed_ack({d} ms): second byte after {ms} ms");
    }
}

#[test]
fn a_wait_ending_at_the_instant_data_arrives_sees_the_data() {
    // Proves: a timed wait whose deadline is the very instant the awaited data arrives
    // returns the data, not WSA_WAIT_TIMEOUT (Windows ends a timed wait on the clock
    // interrupt at or after its deadline). sock.c test_read_events L7070-7090 and test_iocp's
    // iocp_async_read depend on it: "y" is released by the delayed ACK at the 150-ms tick and
    // arrives 40 µs later; "z", sent at that instant, waits for the ACK of "y" two ticks
    // later (350 ms) and arrives 40 µs after it — exactly when the 200-ms wait ends.
    common::run_with(whole(AckPolicy::Windows), |ws| {
        let (c, s) = common::pair(ws)?;
        ws.send(c, b"x", 0)?;
        assert_eq!(common::recv_exact(ws, s, 1)?, b"x");
        ws.send(c, b"y", 0)?;
        assert_eq!(common::recv_exact(ws, s, 1)?, b"y");
        assert_eq!(ws.get_tick_count(), 150, "y released by the ACK of x");
        let ev = ws.wsa_create_event()?;
        ws.wsa_event_select(s, ev, FD_READ)?;
        ws.send(c, b"z", 0)?;
        let w = ws.wsa_wait_for_multiple_events(&[ev], false, 200, false)?;
        assert_eq!(w, WSA_WAIT_EVENT_0, "z arrives as the wait ends");
        assert_eq!(ws.get_tick_count(), 350);
        assert_eq!(common::recv_exact(ws, s, 1)?, b"z");
        Ok(())
    });
}

/// Segments of a run in which the client sends `n` full segments, waits a second, and the
/// server then reads them all: the handshake (3), the data (`n`), the ACKs and one window
/// update after the read.
fn bulk_segments(policy: AckPolicy, n: usize) -> u64 {
    bulk_segments_set(policy, n, |_, _| Ok(()))
}

/// [`bulk_segments`], with `receiver` called on the receiving socket first.
fn bulk_segments_set(
    policy: AckPolicy,
    n: usize,
    receiver: fn(&SimWinsock, Socket) -> Result<(), WsaError>,
) -> u64 {
    let report = common::run_with(whole(policy), move |ws| {
        let (c, s) = common::pair(ws)?;
        receiver(ws, s)?;
        ws.send(c, &vec![7u8; 1460 * n], 0)?;
        ws.sleep(1000);
        assert_eq!(common::recv_exact(ws, s, 1460 * n)?.len(), 1460 * n);
        Ok(())
    });
    report.stats.segments
}

#[test]
fn bulk_transfer_is_acknowledged_every_second_segment() {
    // Proves: a burst of full segments gets one ACK for every two (Windows' TcpAckFrequency
    // default of 2); an odd last segment gets its own when the delayed-ACK timer expires;
    // the immediate policy acknowledges each segment.
    for (n, acks) in [(20, 10), (21, 11)] {
        assert_eq!(
            bulk_segments(AckPolicy::Windows, n),
            3 + n as u64 + acks + 1
        );
        assert_eq!(bulk_segments(AckPolicy::Immediate, n), 3 + 2 * n as u64 + 1);
    }
}

#[test]
fn shutdown_pushes_held_data_with_the_fin() {
    // Proves: data Nagle would hold goes out at once when shutdown(SD_SEND) queues the FIN,
    // and the FIN is not delayed: the peer reads both bytes and the end of the stream at once.
    common::run_with(whole(AckPolicy::Windows), |ws| {
        let (c, s) = common::pair(ws)?;
        let t0 = ws.get_tick_count();
        ws.send(c, b"a", 0)?;
        ws.send(c, b"b", 0)?;
        ws.shutdown(c, SD_SEND)?;
        assert_eq!(common::recv_exact(ws, s, 2)?, b"ab");
        let mut b = [0u8; 1];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        let ms = ws.get_tick_count() - t0;
        assert!(ms < 5, "end of stream after {ms} ms");
        Ok(())
    });
}

/// Small sends with occasional reads: Nagle and delayed-ACK timers fire throughout.
fn chatter() -> winsock_sim::sim::Report {
    common::run_with(whole(AckPolicy::Windows), |ws| {
        let (c, s) = common::pair(ws)?;
        for i in 0..50u8 {
            ws.send(c, &[i; 3], 0)?;
            if i % 3 == 0 {
                common::recv_exact(ws, s, 3)?;
            }
        }
        Ok(())
    })
}

#[test]
fn windows_ack_timing_is_deterministic() {
    // Proves: with delayed-ACK and Nagle timers in play, one seed still gives one trace.
    let (a, b) = (chatter(), chatter());
    assert_eq!(
        (a.trace_hash, a.virtual_time),
        (b.trace_hash, b.virtual_time)
    );
    assert!(
        a.virtual_time.as_millis() >= 200,
        "Nagle waited for delayed ACKs"
    );
}

#[test]
fn thousands_of_owed_acks_all_go_out_on_their_tick() {
    // Proves: with more connections owing a delayed ACK at once than the delayed-ACK queue
    // compacts at (4,096 entries, every one still owed, so a compaction keeps them all), no
    // owed ACK is lost or early. Each client's second byte waits (Nagle) for the ACK of its
    // first, which goes on the second 100-ms tick after the first byte arrived: later than
    // 100 ms after the sends on every connection, by 200 ms on all of them.
    const CONNECTIONS: usize = 5_000;
    common::run_with(whole(AckPolicy::Windows), |ws| {
        let (l, addr) = common::listener(ws, somaxconn_hint(65_535))?;
        let mut pairs = Vec::with_capacity(CONNECTIONS);
        for _ in 0..CONNECTIONS {
            let c = common::tcp(ws)?;
            ws.connect(c, &addr)?;
            let (s, _) = ws.accept(l)?;
            pairs.push((c, s));
        }
        for &(c, _) in &pairs {
            ws.send(c, b"a", 0)?;
        }
        for &(c, _) in &pairs {
            ws.send(c, b"b", 0)?;
        }
        let unread = |s: Socket| -> Result<u32, WsaError> {
            let mut n = 0u32;
            ws.ioctlsocket(s, FIONREAD, &mut n)?;
            Ok(n)
        };
        // A few looks only: a long run of polls lets virtual time pass.
        ws.sleep(100);
        for i in [0, CONNECTIONS / 2, CONNECTIONS - 1] {
            assert_eq!(
                unread(pairs[i].1)?,
                1,
                "connection {i}: second byte held at 100 ms"
            );
        }
        // Past the latest second tick (200 ms), with time for 10,000 segments to cross.
        ws.sleep(150);
        for (i, &(_, s)) in pairs.iter().enumerate() {
            assert_eq!(unread(s)?, 2, "connection {i}: both bytes by 250 ms");
        }
        Ok(())
    });
}

/// SIO_TCP_SET_ACK_FREQUENCY with the DWORD `v`.
fn ack_frequency(ws: &SimWinsock, s: Socket, v: u32) -> Result<usize, WsaError> {
    ws.wsa_ioctl(s, SIO_TCP_SET_ACK_FREQUENCY, &v.to_le_bytes(), &mut [])
}

#[test]
fn ack_frequency_one_acknowledges_every_segment_at_once() {
    // Proves: SIO_TCP_SET_ACK_FREQUENCY 1 on the receiver ends the Nagle/delayed-ACK stall
    // (its lone segment is acknowledged at once, so the sender's second small send goes at
    // once: 0 ms instead of 150), and makes a burst of full segments get an ACK each; 0
    // restores the default (150 ms, an ACK for every two).
    let on = |ws: &SimWinsock, s: Socket| ack_frequency(ws, s, 1).map(drop);
    let off = |ws: &SimWinsock, s: Socket| {
        ack_frequency(ws, s, 1)?;
        ack_frequency(ws, s, 0).map(drop)
    };
    assert_eq!(
        two_small_sends_set(whole(AckPolicy::Windows), false, 0, on),
        0
    );
    assert_eq!(
        two_small_sends_set(whole(AckPolicy::Windows), false, 0, off),
        150
    );
    assert_eq!(
        bulk_segments_set(AckPolicy::Windows, 20, on),
        3 + 2 * 20 + 1
    );
    assert_eq!(
        bulk_segments_set(AckPolicy::Windows, 20, off),
        3 + 20 + 10 + 1
    );
}

#[test]
fn ack_frequency_checks_and_inheritance() {
    // Proves: a value other than 0 or 1 is WSAEINVAL, an input under 4 bytes WSAEFAULT, a
    // UDP socket WSAEOPNOTSUPP (before its input is read); set on a listener, the accepted
    // connection acknowledges every segment (the sim's choice: options pass to accepted
    // sockets), so the Nagle stall is gone there too.
    common::run_with(whole(AckPolicy::Windows), |ws| {
        let s = common::tcp(ws)?;
        assert_eq!(ack_frequency(ws, s, 2), Err(WsaError::WSAEINVAL));
        assert_eq!(
            ws.wsa_ioctl(s, SIO_TCP_SET_ACK_FREQUENCY, &[1, 0], &mut []),
            Err(WsaError::WSAEFAULT)
        );
        ws.closesocket(s)?;
        let u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        assert_eq!(
            ws.wsa_ioctl(u, SIO_TCP_SET_ACK_FREQUENCY, &[], &mut []),
            Err(WsaError::WSAEOPNOTSUPP)
        );
        ws.closesocket(u)?;

        let (l, addr) = common::listener(ws, 5)?;
        assert_eq!(ack_frequency(ws, l, 1), Ok(0));
        let c = common::tcp(ws)?;
        ws.connect(c, &addr)?;
        let (a, _) = ws.accept(l)?;
        let t0 = ws.get_tick_count();
        ws.send(c, b"a", 0)?;
        ws.send(c, b"b", 0)?;
        assert_eq!(common::recv_exact(ws, a, 2)?, b"ab");
        assert_eq!(ws.get_tick_count() - t0, 0);
        for s in [a, c, l] {
            ws.closesocket(s)?;
        }
        Ok(())
    });
}
