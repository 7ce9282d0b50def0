//! The end of a run, call by call: a thread still blocked when the last counted thread
//! finishes is unwound from whichever call it waits in, so what its stack holds is dropped
//! and nothing after the call runs. The calls threads commonly sit in at a run's end
//! (accept, connect, send, recv, recvfrom, WSASend, WSARecv, select, WSAPoll, the
//! completion-port dequeues, the waits, the sleeps, the locks, the condition-variable
//! sleeps, GetMessage) return from their bodies with WSAEINTR and unwind from the small
//! frame around them; every other call (SignalObjectAndWait here) unwinds from its switch
//! point. Both ways must look the same: these tests pin each call, an APC blocked inside an
//! alertable wait in a call of either kind, and that nothing of one run's end leaks into
//! the next run on the same OS thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use winsock_sim::prelude::*;
use winsock_sim::sim::{Sim, SimWinsock, ThreadOutcome};

/// What the run's end did to the blocked thread: values dropped, code after a blocking call
/// that ran (must stay 0), and what calls made from the destructors returned.
#[derive(Default)]
struct Seen {
    drops: AtomicUsize,
    after: AtomicUsize,
    from_drop: Mutex<Vec<Result<u32, WsaError>>>,
}

/// Dropped by the unwind; its destructor makes a wait, which must fail at once.
struct Probe<'a> {
    ws: &'a SimWinsock,
    seen: Arc<Seen>,
}

impl Drop for Probe<'_> {
    fn drop(&mut self) {
        self.seen.drops.fetch_add(1, Ordering::Relaxed);
        let ev = self.ws.create_event(true, false);
        let r = ev.and_then(|ev| self.ws.wait_for_single_object_ex(ev, INFINITE, false));
        self.seen.from_drop.lock().push(r);
    }
}

/// The calls a thread is left blocked in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Blocker {
    Accept,
    Connect,
    Send,
    Recv,
    RecvFrom,
    Select,
    WsaPoll,
    Gqcs,
    GqcsEx,
    WaitForSingleObject,
    WsaWaitForMultipleEvents,
    WaitForMultipleObjects,
    SleepExAlertable,
    Sleep,
    WaitForThread,
    EnterCriticalSection,
    AcquireSrwLockExclusive,
    AcquireSrwLockShared,
    SleepConditionVariableCs,
    SleepConditionVariableSrw,
    GetMessage,
    WsaRecv,
    WsaSend,
    /// A call without the checked exit.
    SignalObjectAndWait,
    /// An APC, run by an alertable SleepEx, blocked in recv (a call with the checked exit).
    ApcInRecv,
    /// An APC blocked in SignalObjectAndWait (a call without it).
    ApcInSignalObjectAndWait,
}

const ALL: [Blocker; 26] = [
    Blocker::Accept,
    Blocker::Connect,
    Blocker::Send,
    Blocker::Recv,
    Blocker::RecvFrom,
    Blocker::Select,
    Blocker::WsaPoll,
    Blocker::Gqcs,
    Blocker::GqcsEx,
    Blocker::WaitForSingleObject,
    Blocker::WsaWaitForMultipleEvents,
    Blocker::WaitForMultipleObjects,
    Blocker::SleepExAlertable,
    Blocker::Sleep,
    Blocker::WaitForThread,
    Blocker::EnterCriticalSection,
    Blocker::AcquireSrwLockExclusive,
    Blocker::AcquireSrwLockShared,
    Blocker::SleepConditionVariableCs,
    Blocker::SleepConditionVariableSrw,
    Blocker::GetMessage,
    Blocker::WsaRecv,
    Blocker::WsaSend,
    Blocker::SignalObjectAndWait,
    Blocker::ApcInRecv,
    Blocker::ApcInSignalObjectAndWait,
];

/// A bound UDP socket nothing is ever sent to.
fn quiet_udp(ws: &SimWinsock, port: u16) -> Result<Socket, WsaError> {
    let s = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)?;
    ws.bind(s, &SockAddr::v4([0, 0, 0, 0], port))?;
    Ok(s)
}

/// A critical section held by a thread that then sleeps for good.
fn held_critical_section(ws: &SimWinsock) -> Result<CriticalSection, WsaError> {
    let cs = ws.initialize_critical_section()?;
    ws.create_thread("holder", move |ws| {
        ws.enter_critical_section(cs)?;
        ws.sleep(INFINITE);
        Ok(())
    })?;
    // The holder takes it first.
    ws.sleep(1);
    Ok(cs)
}

/// Blocks the calling thread in `b`'s call; the code after it, whatever the call returned,
/// counts in `seen.after`.
fn block_in(ws: &SimWinsock, b: Blocker, seen: &Arc<Seen>) -> Result<(), WsaError> {
    let _probe = Probe {
        ws,
        seen: seen.clone(),
    };
    let mut buf = [0u8; 16];
    match b {
        Blocker::Accept => {
            let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 7200))?;
            ws.listen(l, SOMAXCONN)?;
            let _ = ws.accept(l);
        }
        Blocker::Connect => {
            // No host has this address: the SYN goes unanswered, and is sent again.
            let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            let _ = ws.connect(c, &SockAddr::v4([192, 0, 2, 99], 7206));
        }
        Blocker::Send => {
            // A connection nobody reads from: sends fill both buffers, then one waits.
            let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 7207))?;
            ws.listen(l, SOMAXCONN)?;
            let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.connect(c, &SockAddr::v4([192, 0, 2, 1], 7207))?;
            let chunk = vec![7u8; 16 * 1024];
            while ws.send(c, &chunk, 0).is_ok() {}
        }
        Blocker::Recv => {
            let _ = ws.recv(quiet_udp(ws, 7201)?, &mut buf, 0);
        }
        Blocker::RecvFrom => {
            let _ = ws.recvfrom(quiet_udp(ws, 7202)?, &mut buf, 0);
        }
        Blocker::Select => {
            let mut read = FdSet::from_array(&[quiet_udp(ws, 7203)?]);
            let _ = ws.select(Some(&mut read), None, None, None);
        }
        Blocker::WsaPoll => {
            let mut fds = [WsaPollFd::new(quiet_udp(ws, 7204)?, POLLRDNORM)];
            let _ = ws.wsa_poll(&mut fds, -1);
        }
        Blocker::Gqcs => {
            let port = ws.create_io_completion_port(1)?;
            let _ = ws.get_queued_completion_status(port, INFINITE);
        }
        Blocker::GqcsEx => {
            let port = ws.create_io_completion_port(1)?;
            let _ = ws.get_queued_completion_status_ex(port, 8, INFINITE, false);
        }
        Blocker::WaitForSingleObject => {
            let ev = ws.create_event(true, false)?;
            let _ = ws.wait_for_single_object_ex(ev, INFINITE, false);
        }
        Blocker::WsaWaitForMultipleEvents => {
            let ev = ws.wsa_create_event()?;
            let _ = ws.wsa_wait_for_multiple_events(&[ev], false, INFINITE, false);
        }
        Blocker::WaitForMultipleObjects => {
            let ev = ws.create_event(true, false)?;
            let _ = ws.wait_for_multiple_objects(&[Handle::Event(ev)], true, INFINITE);
        }
        Blocker::SleepExAlertable => {
            ws.sleep_ex(INFINITE, true);
        }
        Blocker::Sleep => ws.sleep(INFINITE),
        Blocker::WaitForThread => {
            let t = ws.create_thread("forever", |ws| {
                ws.sleep(INFINITE);
                Ok(())
            })?;
            let _ = ws.wait_for_thread(t, INFINITE);
        }
        Blocker::EnterCriticalSection => {
            let cs = held_critical_section(ws)?;
            let _ = ws.enter_critical_section(cs);
        }
        Blocker::SleepConditionVariableCs => {
            let cs = ws.initialize_critical_section()?;
            let cv = ws.initialize_condition_variable()?;
            ws.enter_critical_section(cs)?;
            let _ = ws.sleep_condition_variable_cs(cv, cs, INFINITE);
        }
        Blocker::SleepConditionVariableSrw => {
            let lock = ws.initialize_srw_lock()?;
            let cv = ws.initialize_condition_variable()?;
            ws.acquire_srw_lock_exclusive(lock)?;
            let _ = ws.sleep_condition_variable_srw(cv, lock, INFINITE, 0);
        }
        Blocker::AcquireSrwLockExclusive | Blocker::AcquireSrwLockShared => {
            let lock = ws.initialize_srw_lock()?;
            ws.create_thread("holder", move |ws| {
                ws.acquire_srw_lock_exclusive(lock)?;
                ws.sleep(INFINITE);
                Ok(())
            })?;
            ws.sleep(1);
            let _ = match b {
                Blocker::AcquireSrwLockExclusive => ws.acquire_srw_lock_exclusive(lock),
                _ => ws.acquire_srw_lock_shared(lock),
            };
        }
        Blocker::GetMessage => {
            let _ = ws.get_message(Hwnd::NULL);
        }
        Blocker::WsaRecv => {
            let s = quiet_udp(ws, 7208)?;
            let mut a = [0u8; 8];
            let mut b = [0u8; 8];
            let _ = ws.wsa_recv(s, &mut [&mut a[..], &mut b[..]], 0);
        }
        Blocker::WsaSend => {
            let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 7209))?;
            ws.listen(l, SOMAXCONN)?;
            let c = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
            ws.connect(c, &SockAddr::v4([192, 0, 2, 1], 7209))?;
            let chunk = vec![7u8; 16 * 1024];
            while ws.wsa_send(c, &[&chunk[..], &chunk[..]], 0).is_ok() {}
        }
        Blocker::SignalObjectAndWait => {
            let (a, b) = (ws.create_event(true, false)?, ws.create_event(true, false)?);
            let _ = ws.signal_object_and_wait(Handle::Event(a), Handle::Event(b), INFINITE, false);
        }
        Blocker::ApcInRecv | Blocker::ApcInSignalObjectAndWait => {
            let events = match b {
                Blocker::ApcInSignalObjectAndWait => {
                    Some((ws.create_event(true, false)?, ws.create_event(true, false)?))
                }
                _ => None,
            };
            let s = quiet_udp(ws, 7205)?;
            let inner = seen.clone();
            let apc = Box::new(move |ws: &SimWinsock| {
                let _probe = Probe {
                    ws,
                    seen: inner.clone(),
                };
                let mut buf = [0u8; 16];
                let _ = match events {
                    Some((a, b)) => ws
                        .signal_object_and_wait(Handle::Event(a), Handle::Event(b), INFINITE, false)
                        .map(drop),
                    None => ws.recv(s, &mut buf, 0).map(drop),
                };
                inner.after.fetch_add(1, Ordering::Relaxed);
            });
            ws.queue_user_apc(apc, ws.thread_id())?;
            // The queued APC runs as the wait starts, and blocks.
            ws.sleep_ex(INFINITE, true);
        }
    }
    seen.after.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// A run whose daemon thread is left blocked in `b` when the counted thread returns.
fn run_blocked(b: Blocker, seed: u64, seen: &Arc<Seen>) -> winsock_sim::sim::Report {
    let mut sim = Sim::builder().seed(seed).build();
    let host = sim.host("h", "192.0.2.1");
    let s = seen.clone();
    host.spawn_daemon("blocked", move |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        block_in(ws, b, &s)
    });
    host.spawn("main", |ws| {
        ws.sleep(50);
        Ok(())
    });
    sim.run().unwrap_or_else(|e| panic!("{b:?}: {e}"))
}

// Proves: for every call a thread can be left blocked in, the run's end drops what the
// thread's stack holds (an APC's frames included), runs none of the code after the blocked
// call, and makes a wait called from a destructor fail at once with WSAEINTR; the report,
// taken before, shows the thread where it waited.
#[test]
fn a_thread_blocked_in_any_call_is_unwound_alike() {
    for (i, b) in ALL.into_iter().enumerate() {
        let seen = Arc::new(Seen::default());
        let report = run_blocked(b, 10 + i as u64, &seen);
        let nested = matches!(b, Blocker::ApcInRecv | Blocker::ApcInSignalObjectAndWait);
        let probes = if nested { 2 } else { 1 };
        assert_eq!(seen.drops.load(Ordering::Relaxed), probes, "{b:?}: drops");
        assert_eq!(
            seen.after.load(Ordering::Relaxed),
            0,
            "{b:?}: code after ran"
        );
        assert_eq!(
            *seen.from_drop.lock(),
            vec![Err(WsaError::WSAEINTR); probes],
            "{b:?}: a destructor's wait"
        );
        let t = report.threads.iter().find(|t| t.name == "blocked").unwrap();
        assert!(
            matches!(t.outcome, ThreadOutcome::Unfinished(_)),
            "{b:?}: {:?}",
            t.outcome
        );
    }
}

// Proves: one run's end leaves nothing behind for the next on the same OS thread: each
// blocker's run, done twice in a row, gives the same trace, and a run after all of them
// whose threads all finish reports them finished.
#[test]
fn a_run_end_leaves_nothing_to_the_next_run() {
    for b in ALL {
        let first = run_blocked(b, 40, &Arc::new(Seen::default()));
        let second = run_blocked(b, 40, &Arc::new(Seen::default()));
        assert_eq!(first.trace_hash, second.trace_hash, "{b:?}");
        assert_eq!(first.trace_len, second.trace_len, "{b:?}");
    }
    let mut sim = Sim::builder().seed(41).build();
    let host = sim.host("h", "192.0.2.1");
    host.spawn("main", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = quiet_udp(ws, 7210)?;
        let mut read = FdSet::from_array(&[s]);
        let n = ws.select(
            Some(&mut read),
            None,
            None,
            Some(std::time::Duration::from_millis(5)),
        )?;
        assert_eq!(n, 0);
        ws.sleep(1);
        Ok(())
    });
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    assert!(report
        .threads
        .iter()
        .all(|t| t.outcome == ThreadOutcome::Ok));
}
