//! FaultRule::Stall through the public API: a thread taken off its processor before a call
//! waits the pause while the world goes on (segments arrive, other threads run), then makes
//! the call; only the named call, the n-th one and threads of the scoped host stall; a
//! stalled completion-port worker still counts as running, so the port releases no other
//! worker for the packets queued meanwhile (as Windows counts a preempted thread); a run
//! whose counted threads finish while a daemon is stalled ends at once; a worker stalled
//! before GetQueuedCompletionStatusEx takes what queued meanwhile in one batch; the rule
//! prints as text and as code and parses back.
mod common;

use std::sync::Arc;
use std::time::Duration;

use common::pair;
use parking_lot::Mutex;
use winsock_sim::prelude::*;
use winsock_sim::sim::fault::{FaultPlan, FaultRule, Scope, When};
use winsock_sim::sim::{Sim, SimWinsock};

const MS: Duration = Duration::from_millis(1);

fn stall(when: When, scope: Scope, call: Option<&'static str>, ms: u32) -> FaultPlan {
    FaultPlan::none().with(FaultRule::Stall {
        when,
        scope,
        call,
        pause: MS * ms,
    })
}

fn builder(plan: FaultPlan) -> winsock_sim::sim::SimBuilder {
    Sim::builder().seed(common::seed()).faults(plan)
}

/// On a loopback pair with a nonblocking client end: the server end sends 5 bytes, then the
/// client receives twice at once. What each `recv` returned (bytes, or the error) and the
/// virtual time the second one took.
fn two_receives(plan: FaultPlan) -> (Vec<Result<usize, WsaError>>, Duration) {
    let out = Arc::new(Mutex::new((Vec::new(), Duration::ZERO)));
    let o = out.clone();
    common::run_with(builder(plan), move |ws| {
        let (c, s) = pair(ws)?;
        let mut nonblocking = 1;
        ws.ioctlsocket(c, FIONBIO, &mut nonblocking)?;
        ws.send(s, b"hello", 0)?;
        let mut buf = [0u8; 16];
        let first = ws.recv(c, &mut buf, 0);
        let before = ws.now();
        let second = ws.recv(c, &mut buf, 0);
        *o.lock() = (vec![first, second], ws.now() - before);
        Ok(())
    });
    let r = out.lock().clone();
    r
}

#[test]
fn a_stall_delays_its_call_while_segments_arrive() {
    // Proves: without a stall, two nonblocking receives right after the peer's send both find
    // nothing (the segment is on the loopback link: a thread's own code takes no virtual
    // time); with `stall(nth=2,all,recv,5ms)` the second receive begins 5 ms later, after the
    // segment arrived, and returns its 5 bytes; the first receive is not stalled.
    let would_block = Err(WsaError::WSAEWOULDBLOCK);
    assert_eq!(
        two_receives(FaultPlan::none()),
        (vec![would_block, would_block], Duration::ZERO)
    );
    assert_eq!(
        two_receives(stall(When::Nth(2), Scope::All, Some("recv"), 5)),
        (vec![would_block, Ok(5)], MS * 5)
    );
}

#[test]
fn a_stall_matches_only_its_call_and_its_host() {
    // Proves: a stall rule for another call (send), or for threads of another host, leaves
    // both receives as they were; one for any call (`*`) counting to the receive stalls it.
    let would_block = Err(WsaError::WSAEWOULDBLOCK);
    let unstalled = (vec![would_block, would_block], Duration::ZERO);
    let other_host = Scope::Host("192.0.2.9".parse().unwrap());
    assert_eq!(
        two_receives(stall(When::Nth(2), Scope::All, Some("send"), 5)),
        unstalled
    );
    assert_eq!(
        two_receives(stall(When::Nth(1), other_host, None, 5)),
        unstalled
    );
    // The calls before the second recv: socket, bind, listen, getsockname, socket, connect,
    // accept, closesocket, ioctlsocket, send, recv (after WSAStartup): the 12th is it.
    assert_eq!(
        two_receives(stall(When::Nth(13), Scope::All, None, 5)),
        (vec![would_block, Ok(5)], MS * 5)
    );
}

#[test]
fn a_stalled_port_worker_still_counts_against_the_port() {
    // Proves: with a completion port of concurrency 1 and two workers waiting on it, two
    // posted packets both go to the worker released first: while it is stalled (5 ms, before
    // its next call), it still counts as running, so the port releases no other worker for
    // the second packet, and the worker takes it itself once its stall ends. The other
    // worker gets nothing (it is released only by the close at the end).
    let plan = stall(When::Nth(1), Scope::All, Some("WSACreateEvent"), 5);
    // (worker, completion key, when it dequeued the packet)
    type Dequeued = Vec<(&'static str, usize, Duration)>;
    let got: Arc<Mutex<Dequeued>> = Arc::default();
    let mut sim = builder(plan).build();
    let h = sim.host("host", "192.0.2.1");
    let port = Arc::new(Mutex::new(None));
    let (g, p) = (got.clone(), port.clone());
    h.spawn("main", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let cp = ws.create_io_completion_port(1)?;
        *p.lock() = Some(cp);
        for name in ["w1", "w2"] {
            let g = g.clone();
            ws.create_thread(name, move |ws: &SimWinsock| {
                loop {
                    let Ok(pkt) = ws.get_queued_completion_status(cp, WSA_INFINITE) else {
                        return Ok(());
                    };
                    g.lock().push((name, pkt.key, ws.now()));
                    // Some work between two dequeues: the stall falls here.
                    let ev = ws.wsa_create_event()?;
                    ws.wsa_close_event(ev)?;
                }
            })?;
        }
        // Both workers wait on the port before anything is posted.
        ws.sleep(1);
        let start = ws.now();
        ws.post_queued_completion_status(cp, 0, 1, None)?;
        ws.post_queued_completion_status(cp, 0, 2, None)?;
        ws.sleep(20);
        let seen = g.lock().clone();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0].0, seen[1].0, "one worker took both: {seen:?}");
        assert_eq!((seen[0].1, seen[1].1), (1, 2));
        assert_eq!(
            (seen[0].2 - start, seen[1].2 - start),
            (Duration::ZERO, MS * 5)
        );
        ws.close_completion_port(cp)
    });
    if let Err(e) = sim.run() {
        panic!("{e}");
    }
    assert!(port.lock().is_some());
}

#[test]
fn a_run_ends_while_a_daemon_is_stalled() {
    // Proves: when every counted thread has finished, a daemon stalled for an hour does not
    // keep the run going: the run ends at once, at the time the last counted thread ended.
    let daemons = Scope::Host("192.0.2.2".parse().unwrap());
    let plan = stall(When::Nth(1), daemons, Some("Sleep"), 3_600_000);
    let mut sim = builder(plan).build();
    let h = sim.host("host", "192.0.2.1");
    let d = sim.host("daemons", "192.0.2.2");
    d.spawn_daemon("daemon", |ws| {
        ws.sleep(1);
        Ok(())
    });
    h.spawn("main", |ws| {
        ws.sleep(10);
        Ok(())
    });
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.virtual_time, MS * 10, "{report:?}");
    let daemon = &report.threads[0];
    assert_eq!(daemon.name, "daemon");
    assert!(
        format!("{:?}", daemon.outcome).contains("stalled"),
        "{daemon:?}"
    );
}

#[test]
fn stall_rules_print_as_text_and_code() {
    // Proves: the one-line form (`*` for any call) and the Rust code of a stall rule, and
    // that the text parses back; an unknown call name or a missing argument is refused.
    let plan = stall(When::Rate { num: 1, den: 8 }, Scope::All, None, 2).with(FaultRule::Stall {
        when: When::Nth(3),
        scope: Scope::Host("192.0.2.1".parse().unwrap()),
        call: Some("WSAResetEvent"),
        pause: MS * 5,
    });
    let text = plan.to_string();
    assert_eq!(
        text,
        "stall(rate=1/8,all,*,2ms)+stall(nth=3,host=192.0.2.1,WSAResetEvent,5ms)"
    );
    assert_eq!(text.parse::<FaultPlan>().unwrap(), plan);
    let code = format!("{plan:?}");
    assert!(
        code.contains("FaultRule::Stall { when: When::Nth(3), scope: Scope::Host(IpAddr::from([192, 0, 2, 1])), call: Some(\"WSAResetEvent\"), pause: Duration::from_millis(5) }"),
        "{code}"
    );
    assert!("stall(nth=1,all,NoSuchCall,5ms)"
        .parse::<FaultPlan>()
        .is_err());
    assert!("stall(nth=1,all,5ms)".parse::<FaultPlan>().is_err());
    // Kernel calls can stall, but no rule can make them fail (they pass no fault seam).
    for name in [
        "SetEvent",
        "EnterCriticalSection",
        "WaitForSingleObject",
        "gethostname",
    ] {
        let text = format!("stall(nth=1,all,{name},5ms)");
        assert!(text.parse::<FaultPlan>().is_ok(), "{text}");
    }
    let refused = "call(nth=1,all,SetEvent,WSAENOBUFS)".parse::<FaultPlan>();
    assert!(
        refused.is_err_and(|e| e.to_string().contains("fault seam")),
        "a call rule on a kernel call"
    );
    assert!("fail(WSAResetEvent,WSAENOBUFS,1/2)"
        .parse::<FaultPlan>()
        .is_err());
    assert!("call(nth=1,all,gethostname,WSAENOBUFS)"
        .parse::<FaultPlan>()
        .is_ok());
}

#[test]
fn a_kernel_call_stalls_too() {
    // Proves: a stall rule naming SetEvent (a kernel call, which passes no fault seam)
    // delays that call by its pause, and only that call.
    common::run_with(
        builder(stall(When::Nth(1), Scope::All, Some("SetEvent"), 5)),
        |ws| {
            let ev = ws.create_event(true, false)?;
            let before = ws.now();
            ws.reset_event(ev)?;
            assert_eq!(ws.now(), before, "ResetEvent is not stalled");
            ws.set_event(ev)?;
            assert_eq!(ws.now() - before, MS * 5);
            Ok(())
        },
    );
}

#[test]
fn a_thread_whose_host_crashes_while_it_is_stalled_never_makes_its_call() {
    // Proves: a thread stalled for 10 ms before a call, whose host crashes 2 ms into the
    // stall, never makes the call (no socket appears on the crashed host) and never returns
    // (its code after the call never runs), as any thread of a crashed host; the run ends
    // when the other host's thread does.
    let server = "192.0.2.1".parse().unwrap();
    let plan =
        stall(When::Nth(1), Scope::Host(server), Some("socket"), 10).with(FaultRule::Crash {
            host: server,
            at: MS * 2,
            restart: None,
        });
    let after = Arc::new(Mutex::new(false));
    let a = after.clone();
    let mut sim = builder(plan).build();
    let doomed = sim.host("doomed", "192.0.2.1");
    let other = sim.host("other", "192.0.2.2");
    doomed.spawn_daemon("stalled", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let r = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        *a.lock() = true;
        r.map(drop)
    });
    other.spawn("main", |ws| {
        ws.sleep(50);
        Ok(())
    });
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.virtual_time, MS * 50);
    assert!(
        !*after.lock(),
        "the stalled call returned on a crashed host"
    );
    assert_eq!(
        doomed.open_sockets(),
        0,
        "the stalled call ran on a crashed host"
    );
    let trace = format!("{:?}", report.threads[0].outcome);
    assert!(trace.contains("crashed"), "{trace}");
}

#[test]
fn a_stalled_worker_dequeues_what_queued_meanwhile_in_one_batch() {
    // Proves: a worker stalled for 5 ms before its GetQueuedCompletionStatusEx finds the
    // three packets posted meanwhile and takes them in one call, in order (without the
    // stall it runs as soon as the first is posted and takes one per call).
    for (plan, batches) in [
        (FaultPlan::none(), vec![1, 1, 1]),
        (
            stall(
                When::Nth(1),
                Scope::All,
                Some("GetQueuedCompletionStatusEx"),
                5,
            ),
            vec![3],
        ),
    ] {
        let seen: Arc<Mutex<Vec<Vec<usize>>>> = Arc::default();
        let s = seen.clone();
        let mut sim = builder(plan).build();
        let h = sim.host("host", "192.0.2.1");
        h.spawn("main", move |ws| {
            ws.wsa_startup(WINSOCK_VERSION_2_2)?;
            let cp = ws.create_io_completion_port(1)?;
            let worker = ws.create_thread("worker", move |ws: &SimWinsock| {
                let mut got = 0;
                while got < 3 {
                    let batch = ws.get_queued_completion_status_ex(cp, 16, WSA_INFINITE, false)?;
                    got += batch.len();
                    s.lock().push(batch.iter().map(|p| p.key).collect());
                }
                Ok(())
            })?;
            for key in 1..=3 {
                ws.post_queued_completion_status(cp, 0, key, None)?;
                ws.sleep(1);
            }
            ws.wait_for_thread(worker, WSA_INFINITE)?;
            ws.close_completion_port(cp)
        });
        sim.run().unwrap_or_else(|e| panic!("{e}"));
        let seen = seen.lock().clone();
        let sizes: Vec<usize> = seen.iter().map(Vec::len).collect();
        assert_eq!(sizes, batches, "{seen:?}");
        assert_eq!(seen.concat(), vec![1, 2, 3]);
    }
}
