//! Stream integrity: whatever the message sizes, buffer options, blocking mode, send mode and
//! segmentation, with threads stalled before their calls or not, the receiver gets exactly the
//! bytes sent, in order, then 0 after the close.
use std::sync::{Arc, Mutex};

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Segmentation, SendMode, Sim};

const PORT: u16 = 9100;

/// Cases per property: `PROPTEST_CASES` or 32, so CI stays fast and a soak run can ask for more.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

/// Buffer sizes that matter: none, one byte, small, a page, Windows' default.
fn buffer_size() -> impl Strategy<Value = i32> {
    prop::sample::select(vec![0, 1, 512, 4096, 65536])
}

#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    messages: Vec<usize>,
    sndbuf: i32,
    rcvbuf: i32,
    send_nonblocking: bool,
    recv_nonblocking: bool,
    recv_buf: usize,
    /// Threads stalled before calls (FaultRule::Stall): rate in 64ths, pause in ms.
    stall: Option<(u64, u64)>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<u64>(),
        prop::collection::vec(1usize..=100_000, 1..=3),
        buffer_size(),
        buffer_size(),
        any::<bool>(),
        any::<bool>(),
        prop_oneof![1usize..=16, 1usize..=70_000],
        prop_oneof![Just(None), (1u64..=8, 1u64..=5).prop_map(Some)],
    )
        .prop_map(
            |(
                seed,
                messages,
                sndbuf,
                rcvbuf,
                send_nonblocking,
                recv_nonblocking,
                recv_buf,
                stall,
            )| Case {
                seed,
                messages,
                sndbuf,
                rcvbuf,
                send_nonblocking,
                recv_nonblocking,
                recv_buf,
                stall,
            },
        )
}

/// The byte at `i` of the stream: position-dependent, so a lost, repeated or reordered chunk
/// shows up.
fn byte_at(i: usize) -> u8 {
    (i ^ (i >> 8) ^ (i >> 16)).wrapping_mul(151) as u8
}

/// A sender on one host streams `case.messages` to a receiver on another, then closes.
fn check(case: &Case, mode: SendMode, seg: Segmentation) -> Result<(), TestCaseError> {
    let total: usize = case.messages.iter().sum();
    let mut sim = Sim::builder()
        .seed(case.seed)
        .send_mode(mode)
        .segmentation(seg)
        .faults(common::stall_plan(case.stall))
        .build();
    let rx_host = sim.host("receiver", "192.0.2.1");
    let tx_host = sim.host("sender", "192.0.2.2");
    let received = Arc::new(Mutex::new(Vec::new()));

    let (rcvbuf, recv_nonblocking, recv_buf) = (case.rcvbuf, case.recv_nonblocking, case.recv_buf);
    let got = received.clone();
    rx_host.spawn("receiver", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        // Set on the listener so the accepted socket inherits it (as on Windows).
        ws.setsockopt_i32(l, SOL_SOCKET, SO_RCVBUF, rcvbuf)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, 1)?;
        let (c, _) = ws.accept(l)?;
        ws.closesocket(l)?;
        if recv_nonblocking {
            ws.set_nonblocking(c, true)?;
        }
        let mut buf = vec![0u8; recv_buf];
        loop {
            match ws.recv(c, &mut buf, 0) {
                Ok(0) => break,
                Ok(n) => {
                    assert!(n <= buf.len(), "recv returned {n} > len {}", buf.len());
                    got.lock().unwrap().extend_from_slice(&buf[..n]);
                }
                Err(WsaError::WSAEWOULDBLOCK) if recv_nonblocking => ws.sleep(1),
                Err(e) => return Err(e),
            }
        }
        // The end of the stream stays the end: a second recv also reads 0 (never
        // WSAEWOULDBLOCK), and clears the last error.
        assert_eq!(
            ws.recv(c, &mut buf, 0),
            Ok(0),
            "data after the graceful close"
        );
        assert_eq!(
            ws.wsa_get_last_error(),
            0,
            "recv of 0 clears the last error"
        );
        ws.closesocket(c)
    });

    let (sndbuf, nonblocking, messages) =
        (case.sndbuf, case.send_nonblocking, case.messages.clone());
    tx_host.spawn("sender", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.setsockopt_i32(s, SOL_SOCKET, SO_SNDBUF, sndbuf)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        if nonblocking {
            ws.set_nonblocking(s, true)?;
        }
        let mut pos = 0;
        for len in messages {
            let msg: Vec<u8> = (pos..pos + len).map(byte_at).collect();
            let mut off = 0;
            while off < len {
                match ws.send(s, &msg[off..], 0) {
                    Ok(n) => {
                        let rest = len - off;
                        assert!(n >= 1 && n <= rest, "send returned {n} of {rest}");
                        if !nonblocking || mode == SendMode::Windows {
                            // Blocking sends always take everything; nonblocking ones do too
                            // on Windows (conformance NB-07).
                            assert_eq!(n, rest, "short send ({nonblocking:?} nonblocking)");
                        }
                        off += n;
                    }
                    Err(WsaError::WSAEWOULDBLOCK) if nonblocking => ws.sleep(1),
                    Err(e) => return Err(e),
                }
            }
            pos += len;
        }
        ws.closesocket(s)
    });

    sim.run()
        .map_err(|e| TestCaseError::fail(format!("{case:?} {mode:?} {seg:?}\n{e}")))?;
    let got = received.lock().unwrap();
    prop_assert_eq!(got.len(), total, "byte count");
    if let Some(i) = (0..total).find(|&i| got[i] != byte_at(i)) {
        prop_assert!(false, "first wrong byte at offset {} of {}", i, total);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    // Proves: exact in-order delivery and end-of-stream with Windows send semantics and
    // seeded random segment sizes.
    #[test]
    fn windows_mode_random_segments(c in case()) {
        check(&c, SendMode::Windows, Segmentation::Random)?;
    }

    // Proves: the same with full-MSS segments.
    #[test]
    fn windows_mode_mss_segments(c in case()) {
        check(&c, SendMode::Windows, Segmentation::Mss)?;
    }

    // Proves: exact delivery when nonblocking sends may be short (documented contract).
    #[test]
    fn partial_mode_random_segments(c in case()) {
        check(&c, SendMode::Partial, Segmentation::Random)?;
    }

    // Proves: the same with short sends and full-MSS segments.
    #[test]
    fn partial_mode_mss_segments(c in case()) {
        check(&c, SendMode::Partial, Segmentation::Mss)?;
    }
}

// Proves: in Partial mode a nonblocking send into a small, busy send buffer does return a
// short count at least once (so the property tests above really exercise short sends), and
// in Windows mode the same program never sees one (NB-07).
#[test]
fn partial_mode_produces_short_sends_windows_mode_does_not() {
    let run = |mode: SendMode| -> usize {
        let shorts = Arc::new(Mutex::new(0usize));
        let mut sim = Sim::builder().seed(3).send_mode(mode).build();
        let rx = sim.host("receiver", "192.0.2.1");
        let tx = sim.host("sender", "192.0.2.2");
        rx.spawn("receiver", |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
            ws.listen(l, 1)?;
            let (c, _) = ws.accept(l)?;
            let mut buf = [0u8; 1000];
            let mut total = 0;
            loop {
                let n = ws.recv(c, &mut buf, 0)?;
                if n == 0 {
                    break;
                }
                total += n;
            }
            assert_eq!(total, 200_000);
            ws.closesocket(c)
        });
        let counter = shorts.clone();
        tx.spawn("sender", move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.setsockopt_i32(s, SOL_SOCKET, SO_SNDBUF, 4096)?;
            ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
            ws.set_nonblocking(s, true)?;
            let msg = [0x5au8; 10_000];
            for _ in 0..20 {
                let mut off = 0;
                while off < msg.len() {
                    match ws.send(s, &msg[off..], 0) {
                        Ok(n) => {
                            if n < msg.len() - off {
                                *counter.lock().unwrap() += 1;
                            }
                            off += n;
                        }
                        Err(WsaError::WSAEWOULDBLOCK) => ws.sleep(1),
                        Err(e) => return Err(e),
                    }
                }
            }
            ws.closesocket(s)
        });
        sim.run().unwrap_or_else(|e| panic!("{e}"));
        let n = *shorts.lock().unwrap();
        n
    };
    assert_eq!(run(SendMode::Windows), 0, "Windows mode never sends short");
    assert!(
        run(SendMode::Partial) > 0,
        "Partial mode sent no short count"
    );
}

// Proves NB-07 as the catalogue states it: on a nonblocking pair, send(50 MiB) repeated until
// it fails returns the full length each time it succeeds and then fails with WSAEWOULDBLOCK
// (never a short count); the sending thread closes and exits at once, and everything accepted
// still reaches the peer, whose final recv returns 0 with last error 0.
#[test]
fn nb_07_nonblocking_send_is_all_or_nothing() {
    const LEN: usize = 50 << 20;
    let accepted = Arc::new(Mutex::new(0usize));
    let acc = accepted.clone();
    common::run(move |ws| {
        let (c, s) = common::pair(ws)?;
        ws.set_nonblocking(c, true)?;
        let result = acc.clone();
        let sender = ws.create_thread("sender", move |ws| {
            let big = vec![0xa5u8; LEN];
            let mut total = 0;
            loop {
                match ws.send(c, &big, 0) {
                    Ok(n) => {
                        assert_eq!(n, LEN, "a successful nonblocking send takes everything");
                        total += n;
                    }
                    Err(e) => {
                        assert_eq!(e, WsaError::WSAEWOULDBLOCK);
                        assert_eq!(ws.wsa_get_last_error(), 10035);
                        break;
                    }
                }
            }
            *result.lock().unwrap() = total;
            ws.closesocket(c)
        })?;
        ws.wait_for_thread(sender, INFINITE)?;
        let total = *acc.lock().unwrap();
        assert!(total >= LEN, "the first send succeeds");
        let mut buf = vec![0u8; 65536];
        let mut got = 0;
        loop {
            let n = ws.recv(s, &mut buf, 0)?;
            if n == 0 {
                break;
            }
            assert!(buf[..n].iter().all(|&b| b == 0xa5));
            got += n;
        }
        assert_eq!(ws.wsa_get_last_error(), 0);
        assert_eq!(got, total, "everything accepted reaches the peer");
        ws.closesocket(s)
    });
}

// Proves: a bulk transfer that is limited by the receive window travels in full-size segments
// (sender-side silly-window avoidance): the number of segments stays proportional to
// bytes / MSS instead of decaying into tiny segments as the transfer goes on.
#[test]
fn window_limited_bulk_transfer_keeps_full_segments() {
    const LEN: usize = 4 << 20;
    for seg in [Segmentation::Mss, Segmentation::Random] {
        let report = common::run_with(Sim::builder().seed(1).segmentation(seg), |ws| {
            let (c, s) = common::pair(ws)?;
            ws.set_nonblocking(c, true)?;
            assert_eq!(ws.send(c, &vec![3u8; LEN], 0)?, LEN);
            ws.closesocket(c)?;
            let mut buf = vec![0u8; 65536];
            let mut got = 0;
            loop {
                let n = ws.recv(s, &mut buf, 0)?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            assert_eq!(got, LEN);
            ws.closesocket(s)
        });
        let full = (LEN / 1460) as u64;
        // About one data segment per MSS (a few more where Random cuts) plus one ACK each.
        assert!(
            report.stats.segments < 4 * full,
            "{seg:?}: {} segments for {} full-size ones",
            report.stats.segments,
            full
        );
    }
}
