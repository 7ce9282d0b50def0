//! Operation-sequence fuzzing (issue 9): proptest draws sequences of WinSock calls across
//! every I/O model — blocking and nonblocking calls, select/WSAPoll, WSAAsyncSelect,
//! WSAEventSelect, overlapped I/O with events and completion routines, IOCP, the mswsock
//! extensions, WSAIoctl, WSARecvMsg/WSASendMsg, APCs, waitable and window timers,
//! MsgWaitForMultipleObjectsEx, work items and timer queues, mutexes, semaphores and the waits
//! on them (WaitForSingleObject, WaitForMultipleObjects, SignalObjectAndWait), critical
//! sections, SRW locks and condition variables, WSAAccept's condition function,
//! WSASendDisconnect / WSARecvDisconnect, WSADuplicateSocket and WSASocket from its
//! information, the resolver and WSAConnectByName, WSASend / WSARecv without an OVERLAPPED,
//! GetMessage, overlapped WSAIoctl, console control handlers, AcceptEx with address lengths
//! — on every kind of handle (valid, closed, a foreign object, never valid), with sizes 0 /
//! small / huge and random flags, levels, option names and lengths, for several threads on
//! two hosts, with and without lost and late segments and threads stalled before their
//! calls, and with waits and timers on Windows' clock interrupt (`TimerResolution::Windows`,
//! timeBeginPeriod and timeEndPeriod among the calls).
//!
//! Per sequence it asserts:
//! - no panic (in a simulated thread, in the scheduler, or escaping `Sim::run`);
//! - no hang: the runs happen on a helper OS thread under a wall-clock watchdog (the test
//!   harness's only clock; the sim never reads one); deadlocks and time limits are legitimate
//!   outcomes of random sequences and end the run with a report;
//! - every failing call returns a code Microsoft documents for that call (the table in
//!   [`documented::documented`]);
//! - mutual exclusion: no critical section is entered, and no SRW lock taken, while the
//!   calls' own results say another thread holds it (`fuzz/exec_sync.rs`'s `Holds`);
//! - replay: the same sequence and seed give the same trace hash.
//!
//! `PROPTEST_CASES` sets the number of sequences (default 24 here); a long run is
//! `PROPTEST_CASES=100000 cargo test --release --test fuzz`.
//!
//! The operations and their strategies are in `fuzz/ops.rs`, the table of documented codes in
//! `fuzz/documented.rs`, the execution of one operation in `fuzz/exec.rs` (the kernel waits
//! and user-mode locks in `fuzz/exec_sync.rs`, the WinSock 2 connection and name calls in
//! `fuzz/exec_wsa.rs`); this file runs the cases.

mod common;
#[path = "fuzz/documented.rs"]
mod documented;
#[path = "fuzz/exec.rs"]
mod exec;
#[path = "fuzz/exec_sync.rs"]
mod exec_sync;
#[path = "fuzz/exec_wsa.rs"]
mod exec_wsa;
#[path = "fuzz/ops.rs"]
mod ops;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use winsock_sim::prelude::*;
use winsock_sim::sim::{
    FaultPlan, FaultRule, Scope, SegmentFilter, Sim, SimErrorKind, TimerResolution,
};

use exec::{exec, Ctx, HostState};
use ops::{case, Case};

/// Wall-clock budget of one run (twice: the replay too).
const WATCHDOG: Duration = Duration::from_secs(20);

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// The outcome of one run: its trace hash and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    hash: u64,
    kind: Option<SimErrorKind>,
    ran: u64,
}

fn run_case(c: &Case) -> Result<Outcome, String> {
    // Two minutes of virtual time: past every TCP give-up (a connect's 21 s, a data
    // segment's retransmissions) with room to spare. A run that reaches it may have kept a
    // repeating registered wait firing on a signalled object all along, at Windows' pace
    // (64 rounds a millisecond): at 600 s that was 38 million callbacks, 10 s of wall time
    // in the test profile and past the watchdog on a loaded host.
    let mut b = Sim::builder()
        .seed(c.seed)
        .time_limit(Duration::from_secs(120))
        .stack_size(128 * 1024);
    if c.interrupts {
        b = b.timer_resolution(TimerResolution::Windows);
    }
    let mut plan = FaultPlan::none();
    if c.drops {
        plan = plan
            .with(FaultRule::Drop {
                filter: SegmentFilter::Any,
                num: 1,
                den: 8,
            })
            .with(FaultRule::Delay {
                filter: SegmentFilter::Data,
                num: 1,
                den: 4,
                extra: Duration::from_millis(30),
            });
    }
    if c.clock {
        // GetTickCount wraps 25 ms into the run.
        plan = plan.with(FaultRule::Uptime {
            scope: Scope::All,
            uptime: Duration::from_millis((1 << 32) - 25),
        });
        for (at, shift_ms) in [(2, 20), (6, -50), (40, 3_600_000)] {
            plan = plan.with(FaultRule::ClockJump {
                at: Duration::from_millis(at),
                scope: Scope::All,
                shift_ms,
            });
        }
    }
    // A quarter of the calls, 2 ms each.
    let stalls = common::stall_plan(c.stalls.then_some((16, 2)));
    plan.rules.extend(stalls.rules);
    if !plan.is_empty() {
        b = b.faults(plan);
    }
    let mut sim = b.build();
    let ips = [[192u8, 0, 2, 1], [192, 0, 2, 2]];
    let ran = Arc::new(AtomicU64::new(0));
    for (hi, threads) in c.threads.iter().enumerate() {
        let host = sim.host(&format!("h{hi}"), &format!("192.0.2.{}", hi + 1));
        let st = Arc::new(Mutex::new(HostState::default()));
        for (ti, ops) in threads.iter().enumerate() {
            let ops = ops.clone();
            let st2 = st.clone();
            let ran = ran.clone();
            let (own, peer) = (ips[hi], ips[1 - hi]);
            let tid = host.spawn(&format!("t{ti}"), move |ws| {
                let _ = ws.wsa_startup(WINSOCK_VERSION_2_2);
                let cx = Ctx {
                    ws,
                    st: st2,
                    own,
                    peer,
                    ran,
                };
                for op in &ops {
                    exec(&cx, op);
                }
                Ok(())
            });
            st.lock().expect("host state").tids.push(tid);
        }
    }
    match sim.run() {
        Ok(r) => Ok(Outcome {
            hash: r.trace_hash,
            kind: None,
            ran: ran.load(Ordering::Relaxed),
        }),
        // A panic in a simulated thread: a sim bug or an undocumented code.
        Err(e) if e.kind == SimErrorKind::Panic => Err(e.to_string()),
        // Random sequences may deadlock (two threads blocked in recv) or spin until the
        // time limit: legitimate outcomes, reported with their diagnostic.
        Err(e) => Ok(Outcome {
            hash: e.trace_hash,
            kind: Some(e.kind),
            ran: ran.load(Ordering::Relaxed),
        }),
    }
}

/// The OS thread that runs the cases, one after another, as a property test runs its cases
/// (so each run takes its coroutine stacks from the previous runs', instead of a new OS
/// thread per case mapping and unmapping them all), and the channels to it.
struct Helper {
    cases: mpsc::Sender<Case>,
    outcomes: mpsc::Receiver<std::thread::Result<Result<Outcome, String>>>,
}

fn helper() -> Helper {
    let (cases, case_rx) = mpsc::channel::<Case>();
    let (outcome_tx, outcomes) = mpsc::channel();
    std::thread::Builder::new()
        .name("fuzz run".into())
        .spawn(move || {
            for c in case_rx {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_case(&c)));
                if outcome_tx.send(r).is_err() {
                    return;
                }
            }
        })
        .expect("spawn");
    Helper { cases, outcomes }
}

/// The helper thread, started on first use; replaced after a hang (the stuck one is left
/// behind, so that shrinking the failing case still gets answers).
static HELPER: Mutex<Option<Helper>> = Mutex::new(None);

/// Runs the case on the helper OS thread under the watchdog.
fn guarded(c: &Case) -> Result<Outcome, String> {
    let mut slot = HELPER.lock().unwrap_or_else(|e| e.into_inner());
    let h = slot.get_or_insert_with(helper);
    if h.cases.send(c.clone()).is_err() {
        *slot = None;
        return Err("helper thread died".into());
    }
    match h.outcomes.recv_timeout(WATCHDOG) {
        Ok(Ok(r)) => r,
        Ok(Err(p)) => Err(format!("panic escaped Sim::run: {}", panic_text(&p))),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            *slot = None;
            Err("helper thread died".into())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            *slot = None;
            Err(format!(
                "hang: the run did not finish within {} s of wall time",
                WATCHDOG.as_secs()
            ))
        }
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "?".into())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random call sequences: no panic, no hang, documented codes only, same trace on replay.
    #[test]
    fn random_sequences(c in case()) {
        let first = guarded(&c).map_err(TestCaseError::fail)?;
        let again = guarded(&c).map_err(TestCaseError::fail)?;
        if std::env::var_os("FUZZ_VERBOSE").is_some() {
            let ops: usize = c.threads.iter().flatten().map(Vec::len).sum();
            eprintln!("FUZZ-CASE ops {ops} outcome {:?} ran {}", first.kind, first.ran);
        }
        prop_assert_eq!(first, again, "replay differs");
    }
}
