//! The simulator's virtual time: Sleep advances it exactly, concurrent sleeps wake at their
//! deadlines, busy-polling threads still progress and see time pass, connect timeouts and
//! retries take Windows' times, and waits on threads time out. Helpers in `common/runtime.rs`.

mod common;

use common::runtime::PORT;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::Sim;

// Proves: Sleep(n) advances virtual time by exactly n ms; Sleep(0) yields without advancing it;
// the report's virtual time is the sum.
#[test]
fn sleep_advances_virtual_time_exactly() {
    let report = common::run(|ws| {
        let t0 = ws.get_tick_count();
        assert_eq!(t0, 0, "the clock starts at 0");
        ws.sleep(1234);
        assert_eq!(ws.get_tick_count() - t0, 1234);
        ws.sleep(0);
        assert_eq!(ws.get_tick_count() - t0, 1234, "Sleep(0) only yields");
        ws.sleep(1);
        assert_eq!(ws.get_tick_count() - t0, 1235);
        Ok(())
    });
    assert_eq!(report.virtual_time, Duration::from_millis(1235));
}

// Proves: two sleeping threads interleave on the virtual clock: each wakes at exactly its own
// deadline, whatever the other does.
#[test]
fn concurrent_sleeps_wake_at_their_deadlines() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l2 = log.clone();
    common::run(move |ws| {
        let l3 = l2.clone();
        let t = ws.create_thread("b", move |ws| {
            for _ in 0..3 {
                ws.sleep(300);
                l3.lock().unwrap().push(("b", ws.get_tick_count()));
            }
            Ok(())
        })?;
        for _ in 0..4 {
            ws.sleep(200);
            l2.lock().unwrap().push(("a", ws.get_tick_count()));
        }
        ws.wait_for_thread(t, INFINITE)
    });
    let mut log = log.lock().unwrap().clone();
    log.sort();
    assert_eq!(
        log,
        [
            ("a", 200),
            ("a", 400),
            ("a", 600),
            ("a", 800),
            ("b", 300),
            ("b", 600),
            ("b", 900)
        ]
    );
}

// Proves: a thread polling a nonblocking socket without ever sleeping cannot stop virtual
// time: the peer's delayed send still happens and the poller gets the data.
#[test]
fn busy_polling_thread_still_progresses() {
    let report = common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        ws.create_thread("late-sender", move |ws| {
            ws.sleep(50);
            ws.send(c, b"finally", 0)?;
            Ok(())
        })?;
        ws.set_nonblocking(s, true)?;
        let mut buf = [0u8; 16];
        let mut polls = 0u64;
        // The bytes may come in several segments: poll until all seven are in.
        let mut n = 0;
        while n < 7 {
            match ws.recv(s, &mut buf[n..], 0) {
                Ok(k) => n += k,
                Err(WsaError::WSAEWOULDBLOCK) => polls += 1,
                Err(e) => return Err(e),
            }
        }
        assert_eq!(&buf[..n], b"finally");
        assert!(ws.get_tick_count() >= 50, "time moved while polling");
        assert!(polls > 0);
        Ok(())
    });
    assert!(report.virtual_time >= Duration::from_millis(50));
}

// Proves: the same when the data comes from another host and the poller is the only runnable
// thread on the whole simulation.
#[test]
fn busy_polling_waits_for_remote_data() {
    let mut sim = Sim::builder().seed(9).build();
    let a = sim.host("a", "192.0.2.1");
    let b = sim.host("b", "192.0.2.2");
    a.spawn("poller", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.bind(l, &SockAddr::v4([0, 0, 0, 0], PORT))?;
        ws.listen(l, 1)?;
        ws.set_nonblocking(l, true)?;
        let c = loop {
            match ws.accept(l) {
                Ok((c, _)) => break c,
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(e) => return Err(e),
            }
        };
        let mut buf = [0u8; 4];
        let mut got = Vec::new();
        while got.len() < 4 {
            match ws.recv(c, &mut buf, 0) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(e) => return Err(e),
            }
        }
        assert_eq!(got, b"data");
        Ok(())
    });
    b.spawn("sender", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        ws.connect(s, &SockAddr::v4([192, 0, 2, 1], PORT))?;
        ws.sleep(2000);
        ws.send(s, b"data", 0)?;
        ws.closesocket(s)
    });
    let report = sim.run().unwrap_or_else(|e| panic!("{e}"));
    assert!(report.virtual_time >= Duration::from_secs(2));
    assert!(report.virtual_time < Duration::from_secs(3));
}

// Proves: connect to an address nobody answers fails with WSAETIMEDOUT after 21 s of virtual
// time (Windows: SYN, retransmissions at 3 s and 9 s, give up at 21 s).
#[test]
fn connect_to_unreachable_address_times_out_after_21_s() {
    common::run(|ws| {
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let t0 = ws.get_tick_count();
        let r = ws.connect(s, &SockAddr::v4([192, 0, 2, 99], 80));
        assert_eq!(r, Err(WsaError::WSAETIMEDOUT));
        assert_eq!(ws.wsa_get_last_error(), 10060);
        assert_eq!(ws.get_tick_count() - t0, 21_000);
        ws.closesocket(s)
    });
}

// Proves: connect to a host with no listener on the port fails with WSAECONNREFUSED only after
// Windows' retries (about 2 s: RST, retry after 0.5 s, retry after 1 s), not at once.
#[test]
fn refused_connect_takes_the_windows_retry_time() {
    let mut sim = Sim::builder().seed(3).build();
    sim.host("server", "192.0.2.1");
    let c = sim.host("client", "192.0.2.2");
    c.spawn("client", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
        let t0 = ws.get_tick_count();
        let r = ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 81));
        let dt = ws.get_tick_count() - t0;
        assert_eq!(r, Err(WsaError::WSAECONNREFUSED));
        assert!(dt > 1500, "refused after {dt} ms: Windows retries first");
        assert!(dt < 3000, "refused after {dt} ms");
        ws.closesocket(s)
    });
    sim.run().unwrap_or_else(|e| panic!("{e}"));
}

// Proves: WaitForSingleObject on a thread gives WAIT_TIMEOUT after exactly its timeout while
// the thread runs, Ok once it has ended (at once if it already has).
#[test]
fn wait_for_thread_times_out_then_succeeds() {
    common::run(|ws| {
        let t = ws.create_thread("worker", |ws| {
            ws.sleep(1000);
            Ok(())
        })?;
        let t0 = ws.get_tick_count();
        assert_eq!(ws.wait_for_thread(t, 100), Err(WsaError::WAIT_TIMEOUT));
        assert_eq!(ws.get_tick_count() - t0, 100);
        assert_eq!(ws.wait_for_thread(t, 0), Err(WsaError::WAIT_TIMEOUT));
        assert_eq!(ws.get_tick_count() - t0, 100, "a 0 ms wait only polls");
        ws.wait_for_thread(t, INFINITE)?;
        assert_eq!(ws.get_tick_count() - t0, 1000);
        ws.wait_for_thread(t, 0)?;
        ws.wait_for_thread(t, 5000)?;
        assert_eq!(
            ws.get_tick_count() - t0,
            1000,
            "waiting on an ended thread is immediate"
        );
        Ok(())
    });
}

// Proves: a busy-polling thread sees virtual time pass continuously, as it would on Windows:
// its own 100 ms polling timeout fires at about 100 ms, not when some unrelated far-off timer
// (here another thread's 10 s Sleep) happens to fire.
#[test]
fn busy_poller_sees_time_pass_between_far_timers() {
    common::run(|ws| {
        let sleeper = ws.create_thread("sleeper", |ws| {
            ws.sleep(10_000);
            Ok(())
        })?;
        let (c, s) = common::pair(ws)?;
        ws.set_nonblocking(s, true)?;
        let t0 = ws.get_tick_count();
        let mut buf = [0u8; 4];
        let waited = loop {
            match ws.recv(s, &mut buf, 0) {
                Err(WsaError::WSAEWOULDBLOCK) => {}
                other => panic!("nothing was sent: {other:?}"),
            }
            let dt = ws.get_tick_count() - t0;
            if dt >= 100 {
                break dt;
            }
        };
        assert!(
            waited < 120,
            "the poll loop noticed its timeout only after {waited} ms"
        );
        ws.closesocket(c)?;
        ws.closesocket(s)?;
        ws.wait_for_thread(sleeper, INFINITE)
    });
}
