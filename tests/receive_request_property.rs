//! Receive requests under random schedules: several threads receive from one connection at
//! once, with MSG_WAITALL, MSG_PEEK and zero-length buffers mixed, while a peer sends pieces
//! of a stream at random times and then closes, gracefully or with a reset; sometimes the
//! receiving socket has a receive timeout, and sometimes threads stall before their calls
//! (so that data arrives between a reader's calls). Whatever the interleaving:
//! - no byte is taken by two receives, and each receive takes a contiguous run of the
//!   stream; a thread's runs come in stream order;
//! - after a graceful close, with no receive timed out, every byte sent is taken by exactly
//!   one receive (the accepting thread reads what no reader took, after them);
//! - a MSG_WAITALL receive returns a full buffer, unless it is its thread's last data;
//! - a MSG_PEEK receive returns a run of the stream, consuming nothing;
//! - the run ends: every receive ends with the close (0), the reset, or its timeout; none is
//!   left waiting.
use std::sync::{Arc, Mutex};

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Segmentation, Sim};

const PORT: u16 = 9200;

/// Cases: `PROPTEST_CASES` or 256, so CI stays fast and a soak run can ask for more.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// One receiving thread: its buffer, its flags, when it starts (ms after the connection).
#[derive(Debug, Clone)]
struct Reader {
    len: usize,
    flags: i32,
    start_ms: u32,
}

#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    readers: Vec<Reader>,
    /// (length, ms before it) of each piece sent; 255 bytes at most in all, so each byte of
    /// the stream (its offset) is unique.
    pieces: Vec<(usize, u32)>,
    nodelay: bool,
    random_segments: bool,
    /// The peer ends with a reset (SO_LINGER {1, 0}) instead of a graceful close.
    reset: bool,
    /// SO_RCVTIMEO on the receiving socket (ms), if any.
    rcvtimeo: Option<u32>,
    /// Threads stalled before calls (FaultRule::Stall): rate in 64ths, pause in ms.
    stall: Option<(u64, u64)>,
}

fn reader() -> impl Strategy<Value = Reader> {
    (
        prop_oneof![Just(0usize), 1usize..=40],
        prop::sample::select(vec![0, 0, MSG_WAITALL, MSG_PEEK]),
        0u32..6,
    )
        .prop_map(|(len, flags, start_ms)| Reader {
            len,
            flags,
            start_ms,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<u64>(),
        prop::collection::vec(reader(), 1..=4),
        prop::collection::vec((1usize..=60, 0u32..4), 1..=6),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.25),
        prop::option::weighted(0.25, 1u32..=12),
        prop::option::weighted(0.5, (1u64..=8, 1u64..=3)),
    )
        .prop_map(
            |(seed, readers, mut pieces, nodelay, random_segments, reset, rcvtimeo, stall)| {
                let mut total = 0;
                pieces.retain(|&(len, _)| {
                    total += len;
                    total <= 255
                });
                Case {
                    seed,
                    readers,
                    pieces,
                    nodelay,
                    random_segments,
                    reset,
                    rcvtimeo,
                    stall,
                }
            },
        )
}

/// What one reader's calls returned, in order.
type Calls = Vec<Result<Vec<u8>, WsaError>>;

/// How many calls a reader that consumes nothing (peek, zero-length) makes.
const IDLE_CALLS: usize = 3;

fn run(case: &Case) -> Result<Vec<Calls>, TestCaseError> {
    let seg = if case.random_segments {
        Segmentation::Random
    } else {
        Segmentation::Mss
    };
    let mut sim = Sim::builder()
        .seed(case.seed)
        .segmentation(seg)
        .faults(common::stall_plan(case.stall))
        .build();
    let rx_host = sim.host("receiver", "192.0.2.1");
    let tx_host = sim.host("sender", "192.0.2.2");
    let results = slots(case.readers.len());

    let (readers, rcvtimeo) = (case.readers.clone(), case.rcvtimeo);
    let slots = results.clone();
    let drained: Arc<Mutex<Calls>> = Arc::new(Mutex::new(Vec::new()));
    let rest = drained.clone();
    rx_host.spawn("acceptor", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, 1)?;
        let (s, _) = ws.accept(l)?;
        ws.closesocket(l)?;
        if let Some(ms) = rcvtimeo {
            ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO, ms as i32)?;
        }
        let mut threads = Vec::new();
        for (r, slot) in readers.into_iter().zip(slots) {
            let t = ws.create_thread("reader", move |ws| {
                ws.sleep(r.start_ms);
                let idle = r.flags & MSG_PEEK != 0 || r.len == 0;
                let mut buf = vec![0u8; r.len];
                for call in 0.. {
                    if idle && call == IDLE_CALLS {
                        break;
                    }
                    let got = ws.recv(s, &mut buf, r.flags).map(|n| buf[..n].to_vec());
                    let end = !matches!(&got, Ok(b) if !b.is_empty());
                    slot.lock().unwrap().push(got);
                    if end && !idle {
                        break;
                    }
                }
                Ok(())
            })?;
            threads.push(t);
        }
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        // What no reader took (peeking and zero-length readers take nothing), read to the
        // close, so that the close is graceful.
        let mut buf = [0u8; 64];
        loop {
            let got = ws.recv(s, &mut buf, 0).map(|n| buf[..n].to_vec());
            if got == Err(WsaError::WSAETIMEDOUT) {
                // A timeout only makes the drain try again.
                continue;
            }
            let end = !matches!(&got, Ok(b) if !b.is_empty());
            rest.lock().unwrap().push(got);
            if end {
                break;
            }
        }
        ws.closesocket(s)
    });

    let (pieces, nodelay, reset) = (case.pieces.clone(), case.nodelay, case.reset);
    tx_host.spawn("sender", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        if nodelay {
            ws.setsockopt_i32(c, IPPROTO_TCP, TCP_NODELAY, 1)?;
        }
        ws.connect(c, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        let mut pos = 0;
        for (len, wait) in pieces {
            ws.sleep(wait);
            let piece: Vec<u8> = (pos..pos + len).map(|i| i as u8).collect();
            assert_eq!(ws.send(c, &piece, 0), Ok(len));
            pos += len;
        }
        if reset {
            common::rst_close(ws, c)
        } else {
            ws.closesocket(c)
        }
    });

    finish(sim, case, &results, &drained)
}

/// Where each of `n` readers leaves its calls.
fn slots(n: usize) -> Vec<Arc<Mutex<Calls>>> {
    (0..n).map(|_| Arc::new(Mutex::new(Vec::new()))).collect()
}

/// Runs `sim`; then each reader's calls, and last the owning thread's drain.
fn finish(
    mut sim: Sim,
    case: &dyn std::fmt::Debug,
    results: &[Arc<Mutex<Calls>>],
    drained: &Mutex<Calls>,
) -> Result<Vec<Calls>, TestCaseError> {
    sim.run()
        .map_err(|e| TestCaseError::fail(format!("{case:?}\n{e}")))?;
    let take = |m: &Mutex<Calls>| std::mem::take(&mut *m.lock().unwrap());
    let mut calls: Vec<Calls> = results.iter().map(|r| take(r)).collect();
    calls.push(take(drained));
    Ok(calls)
}

/// Whether `b` is the run of the stream starting at its first byte.
fn is_run(b: &[u8]) -> bool {
    b.windows(2).all(|w| w[1] == w[0].wrapping_add(1))
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let total: usize = case.pieces.iter().map(|p| p.0).sum();
    let calls = run(case)?;
    let mut taken = vec![0u32; total];
    // The acceptor's drain after the readers ended is one more reader.
    let drain = Reader {
        len: 64,
        flags: 0,
        start_ms: 0,
    };
    let mut timed_out = false;
    for (r, calls) in case.readers.iter().chain([&drain]).zip(&calls) {
        let peek = r.flags & MSG_PEEK != 0;
        let mut last_end = None;
        // A call may end in the reset or its timeout, and is then the thread's last.
        let mut data: Vec<&Vec<u8>> = Vec::new();
        for (i, c) in calls.iter().enumerate() {
            match c {
                Ok(b) => data.push(b),
                Err(e) => {
                    let allowed = match e {
                        WsaError::WSAECONNRESET | WsaError::WSAECONNABORTED => case.reset,
                        WsaError::WSAETIMEDOUT => case.rcvtimeo.is_some(),
                        _ => false,
                    };
                    prop_assert!(allowed, "{:?}: {:?}", r, e);
                    let idle = peek || r.len == 0;
                    prop_assert!(idle || i + 1 == calls.len(), "{:?}: calls after {:?}", r, e);
                    timed_out |= *e == WsaError::WSAETIMEDOUT;
                }
            }
        }
        for (i, b) in data.iter().enumerate() {
            prop_assert!(b.len() <= r.len, "{:?} returned {} bytes", r, b.len());
            prop_assert!(
                is_run(b),
                "{:?} returned {:?}, not a run of the stream",
                r,
                b
            );
            if b.is_empty() || peek {
                continue;
            }
            let start = b[0] as usize;
            prop_assert!(
                last_end.is_none_or(|e| start >= e),
                "{:?}: runs out of order",
                r
            );
            last_end = Some(start + b.len());
            for t in &mut taken[start..start + b.len()] {
                *t += 1;
            }
            let last_data = data[i + 1..].iter().all(|b| b.is_empty());
            if r.flags & MSG_WAITALL != 0 && !last_data {
                prop_assert_eq!(b.len(), r.len, "{:?}: a short MSG_WAITALL receive", r);
            }
        }
        if !peek && r.len > 0 {
            let ended = matches!(calls.last(), Some(Ok(b)) if b.is_empty())
                || matches!(calls.last(), Some(Err(_)));
            prop_assert!(ended, "{:?}: its last call did not end the stream", r);
        }
    }
    let most = taken.iter().copied().max().unwrap_or(0);
    prop_assert!(most <= 1, "times each byte was taken: {:?}", taken);
    if !case.reset && !timed_out {
        prop_assert!(
            taken.iter().all(|&n| n == 1),
            "times each byte was taken: {:?}",
            taken
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn every_byte_goes_to_one_receive_in_order(case in case()) {
        check(&case)?;
    }
}

/// The datagram sibling: readers of one UDP socket (buffer, flags, start) and the datagrams
/// sent to it (length, ms before each).
#[derive(Debug, Clone)]
struct DgramCase {
    seed: u64,
    readers: Vec<Reader>,
    datagrams: Vec<(usize, u32)>,
}

fn dgram_case() -> impl Strategy<Value = DgramCase> {
    (
        any::<u64>(),
        prop::collection::vec(reader(), 1..=4),
        prop::collection::vec((1usize..=40, 0u32..4), 1..=12),
    )
        .prop_map(|(seed, readers, datagrams)| DgramCase {
            seed,
            readers: readers
                .into_iter()
                // MSG_WAITALL is for streams; a datagram receive is one datagram.
                .map(|r| Reader {
                    flags: r.flags & !MSG_WAITALL,
                    ..r
                })
                .collect(),
            datagrams,
        })
}

/// Runs a [`DgramCase`]: each reader makes calls until one times out (the sender is done by
/// then); returns each reader's calls, then the datagrams left queued.
fn run_dgram(case: &DgramCase) -> Result<Vec<Calls>, TestCaseError> {
    let mut sim = Sim::builder().seed(case.seed).build();
    let rx_host = sim.host("receiver", "192.0.2.1");
    let tx_host = sim.host("sender", "192.0.2.2");
    let results = slots(case.readers.len());
    let drained: Arc<Mutex<Calls>> = Arc::new(Mutex::new(Vec::new()));
    let (readers, slots, rest) = (case.readers.clone(), results.clone(), drained.clone());
    rx_host.spawn("owner", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        ws.bind(s, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        // Every datagram is sent within 48 ms: a reader that waits 100 ms has seen the end.
        ws.setsockopt_i32(s, SOL_SOCKET, SO_RCVTIMEO, 100)?;
        let mut threads = Vec::new();
        for (r, slot) in readers.into_iter().zip(slots) {
            threads.push(ws.create_thread("reader", move |ws| {
                ws.sleep(r.start_ms);
                let idle = r.flags & MSG_PEEK != 0;
                let mut buf = vec![0u8; r.len];
                for call in 0.. {
                    if idle && call == IDLE_CALLS {
                        break;
                    }
                    let got = ws
                        .recvfrom(s, &mut buf, r.flags)
                        .map(|(n, _)| buf[..n].to_vec());
                    let timed_out = got == Err(WsaError::WSAETIMEDOUT);
                    slot.lock().unwrap().push(got);
                    if timed_out {
                        break;
                    }
                }
                Ok(())
            })?);
        }
        for t in threads {
            ws.wait_for_thread(t, INFINITE)?;
        }
        // Every datagram is in by then (readers that only peek may end at once).
        ws.sleep(100);
        ws.set_nonblocking(s, true)?;
        let mut buf = [0u8; 64];
        while let Ok((n, _)) = ws.recvfrom(s, &mut buf, 0) {
            rest.lock().unwrap().push(Ok(buf[..n].to_vec()));
        }
        ws.closesocket(s)
    });
    let datagrams = case.datagrams.clone();
    tx_host.spawn("sender", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let c = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
        let to = SockAddr::v4([192, 0, 2, 1], PORT);
        for (i, (len, wait)) in datagrams.into_iter().enumerate() {
            ws.sleep(wait);
            // Datagram i: i, i + 1, ... (a run starting at its number).
            let d: Vec<u8> = (0..len).map(|k| (i + k) as u8).collect();
            assert_eq!(ws.sendto(c, &d, 0, &to), Ok(len));
        }
        ws.closesocket(c)
    });
    finish(sim, case, &results, &drained)
}

/// Datagrams to readers waiting on one UDP socket: each datagram is taken by one receive at
/// most (exactly one, counting those left queued), whole or cut to the buffer with
/// WSAEMSGSIZE; a thread takes datagrams in the order they were sent; a peek takes none.
fn check_dgram(case: &DgramCase) -> Result<(), TestCaseError> {
    let calls = run_dgram(case)?;
    let mut taken = vec![0u32; case.datagrams.len()];
    let drain = Reader {
        len: 64,
        flags: 0,
        start_ms: 0,
    };
    for (r, calls) in case.readers.iter().chain([&drain]).zip(&calls) {
        let peek = r.flags & MSG_PEEK != 0;
        let mut last = None;
        for c in calls {
            let b = match c {
                Ok(b) => b.clone(),
                Err(WsaError::WSAETIMEDOUT) => continue,
                // A short buffer: the call cannot say which datagram it cut; its start
                // is in the buffer, but the call returns no count.
                Err(WsaError::WSAEMSGSIZE) => continue,
                Err(e) => return Err(TestCaseError::fail(format!("{r:?}: {e:?}"))),
            };
            prop_assert!(!b.is_empty() || r.len == 0, "{:?}: an empty datagram", r);
            if b.is_empty() {
                continue;
            }
            prop_assert!(is_run(&b), "{:?}: {:?} is no datagram sent", r, b);
            let i = b[0] as usize;
            prop_assert_eq!(b.len(), case.datagrams[i].0, "{:?}: datagram {} cut", r, i);
            if !peek {
                prop_assert!(
                    last.is_none_or(|l| i > l),
                    "{:?}: datagram {} after {:?}",
                    r,
                    i,
                    last
                );
                last = Some(i);
                taken[i] += 1;
            }
        }
    }
    // Datagrams cut to a short buffer (a peek's cut consumes nothing).
    let cut = case
        .readers
        .iter()
        .chain([&drain])
        .zip(&calls)
        .filter(|(r, _)| r.flags & MSG_PEEK == 0)
        .flat_map(|(_, calls)| calls)
        .filter(|c| **c == Err(WsaError::WSAEMSGSIZE))
        .count();
    prop_assert!(
        taken.iter().all(|&n| n <= 1),
        "times each datagram was taken: {:?}",
        taken
    );
    let whole = taken.iter().filter(|&&n| n == 1).count();
    prop_assert!(
        whole + cut >= case.datagrams.len(),
        "datagrams lost: {} whole and {} cut of {}",
        whole,
        cut,
        case.datagrams.len()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn every_datagram_goes_to_one_receive_in_order(case in dgram_case()) {
        check_dgram(&case)?;
    }
}
