//! Windows' TCP acknowledgement timing as a program can observe it (virtual time through
//! `GetTickCount`, segment counts through the report): delayed ACK (every second data segment
//! acknowledged at once, a lone one after 200 ms unless a reply carries it) and Nagle's
//! algorithm (a small segment waits while earlier data is unacknowledged, unless TCP_NODELAY
//! is set), and `AckPolicy::Immediate`, which keeps neither.
mod common;

use winsock_sim::prelude::*;
use winsock_sim::sim::{AckPolicy, Segmentation, Sim, SimBuilder};

/// Whole segments, so segment counts do not depend on random cuts.
fn whole(policy: AckPolicy) -> SimBuilder {
    Sim::builder()
        .seed(common::seed())
        .segmentation(Segmentation::Mss)
        .tcp_acks(policy)
}

/// Milliseconds of virtual time from a second small send until both bytes have arrived.
fn two_small_sends(policy: AckPolicy, nodelay: bool) -> u32 {
    let out = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let o = out.clone();
    common::run_with(whole(policy), move |ws| {
        let (c, s) = common::pair(ws)?;
        if nodelay {
            ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
        }
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

#[test]
fn nagle_holds_a_small_send_until_the_delayed_ack() {
    // Proves: a small send after an unacknowledged small send waits for the peer's ACK, which
    // Windows delays by 200 ms for a lone segment (Nagle meets delayed ACK, KB 214397).
    let ms = two_small_sends(AckPolicy::Windows, false);
    assert!((200..210).contains(&ms), "second byte after {ms} ms");
}

#[test]
fn tcp_nodelay_sends_small_segments_at_once() {
    // Proves: with TCP_NODELAY set, the second small send goes out at once.
    let ms = two_small_sends(AckPolicy::Windows, true);
    assert!(ms < 5, "second byte after {ms} ms");
}

#[test]
fn immediate_policy_neither_delays_acks_nor_holds_segments() {
    // Proves: AckPolicy::Immediate keeps the old behaviour: both bytes arrive at once.
    let ms = two_small_sends(AckPolicy::Immediate, false);
    assert!(ms < 5, "second byte after {ms} ms");
}

#[test]
fn request_response_is_not_delayed() {
    // Proves: in a request/response exchange every reply carries the ACK of its request, so
    // 100 round trips over a 1 ms link take about 200 ms, not 100 delayed-ACK timeouts.
    let mut sim = whole(AckPolicy::Windows).build();
    let server = sim.host("server", "192.0.2.1");
    let client = sim.host("client", "192.0.2.2");
    server.spawn_daemon("server", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 7))?;
        ws.listen(l, 1)?;
        let (c, _) = ws.accept(l)?;
        let mut buf = [0u8; 16];
        loop {
            let n = ws.recv(c, &mut buf, 0)?;
            if n == 0 {
                return ws.closesocket(c);
            }
            ws.send(c, &buf[..n], 0)?;
        }
    });
    client.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 7))?;
        let t0 = ws.get_tick_count();
        for i in 0..100u8 {
            ws.send(s, &[i; 10], 0)?;
            assert_eq!(common::recv_exact(ws, s, 10)?, [i; 10]);
        }
        let ms = ws.get_tick_count() - t0;
        assert!((200..250).contains(&ms), "100 round trips took {ms} ms");
        ws.closesocket(s)
    });
    sim.run().unwrap();
}

/// Segments of a run in which the client sends `n` full segments, waits a second, and the
/// server then reads them all: the handshake (3), the data (`n`), the ACKs and one window
/// update after the read.
fn bulk_segments(policy: AckPolicy, n: usize) -> u64 {
    let report = common::run_with(whole(policy), move |ws| {
        let (c, s) = common::pair(ws)?;
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
