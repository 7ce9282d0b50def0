//! select(): conformance rules SEL-01, SEL-02, SEL-04, SEL-05, SEL-06, SEL-08, SEL-09
//! (section 2 of conformance.md), FD_SETSIZE, the timeout argument, and queued APCs.
//!
//! Expected values are Windows' (the catalogue), never what the sim happens to return.
//!
//! Elsewhere: SEL-12 (UDP readiness) in udp.rs, SEL-13/SEL-14 (WSAPoll) in poll.rs.
//! Not covered: SEL-08's "the timeval is not modified" (the API takes the timeout by value, so
//! select cannot modify it).
mod common;

use common::tcp;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

fn set_of(socks: &[Socket]) -> FdSet {
    let mut f = FdSet::new();
    for &s in socks {
        f.set(s);
    }
    f
}

/// What one select over all three sets reported.
#[derive(Debug, PartialEq, Eq)]
struct Ready {
    n: usize,
    read: Vec<Socket>,
    write: Vec<Socket>,
    except: Vec<Socket>,
}

/// select with `socks` in all three sets.
fn select_all(
    ws: &SimWinsock,
    socks: &[Socket],
    timeout: Option<Duration>,
) -> Result<Ready, WsaError> {
    let (mut r, mut w, mut e) = (set_of(socks), set_of(socks), set_of(socks));
    let n = ws.select(Some(&mut r), Some(&mut w), Some(&mut e), timeout)?;
    Ok(Ready {
        n,
        read: r.iter().collect(),
        write: w.iter().collect(),
        except: e.iter().collect(),
    })
}

fn ready(n: usize, read: &[Socket], write: &[Socket], except: &[Socket]) -> Ready {
    Ready {
        n,
        read: read.to_vec(),
        write: write.to_vec(),
        except: except.to_vec(),
    }
}

const SO_ERROR_REFUSED: i32 = 10061;

#[test]
fn sel_01_idle_unconnected_sockets() {
    // Proves: two fresh TCP sockets in all three sets are not ready: select returns 0 at once
    // (timeouts {0,0} and {0,500 us}) and leaves every set empty.
    common::run(|ws| {
        let a = tcp(ws)?;
        let b = tcp(ws)?;
        for t in [Duration::ZERO, Duration::from_micros(500)] {
            let t0 = ws.get_tick_count();
            assert_eq!(select_all(ws, &[a, b], Some(t))?, ready(0, &[], &[], &[]));
            assert!(ws.get_tick_count().wrapping_sub(t0) < 100);
        }
        ws.closesocket(a)?;
        ws.closesocket(b)
    });
}

#[test]
fn sel_02_argument_and_handle_errors() {
    // Proves: no sets or only empty sets → WSAEINVAL; INVALID_SOCKET in any set →
    // WSAENOTSOCK; a closed handle → WSAENOTSOCK with every set left as it was.
    common::run(|ws| {
        let zero = Some(Duration::ZERO);
        assert_eq!(ws.select(None, None, None, zero), Err(WsaError::WSAEINVAL));
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
        let (mut r, mut w, mut e) = (FdSet::new(), FdSet::new(), FdSet::new());
        assert_eq!(
            ws.select(Some(&mut r), Some(&mut w), Some(&mut e), zero),
            Err(WsaError::WSAEINVAL)
        );
        assert_eq!(
            ws.select(Some(&mut r), Some(&mut w), Some(&mut e), None),
            Err(WsaError::WSAEINVAL),
            "empty sets with an infinite timeout must fail, not wait"
        );

        let (l, _addr) = common::listener(ws, 5)?;
        for which in 0..3 {
            let mut sets = [set_of(&[l]), set_of(&[l]), set_of(&[l])];
            sets[which].set(Socket::INVALID);
            let [mut r, mut w, mut e] = sets;
            assert_eq!(
                ws.select(Some(&mut r), Some(&mut w), Some(&mut e), zero),
                Err(WsaError::WSAENOTSOCK),
                "INVALID_SOCKET in set {which}"
            );
            assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTSOCK.code());
            // Alone, too.
            let mut only = set_of(&[Socket::INVALID]);
            let r = match which {
                0 => ws.select(Some(&mut only), None, None, zero),
                1 => ws.select(None, Some(&mut only), None, zero),
                _ => ws.select(None, None, Some(&mut only), zero),
            };
            assert_eq!(
                r,
                Err(WsaError::WSAENOTSOCK),
                "only INVALID_SOCKET in set {which}"
            );
        }

        let x = tcp(ws)?;
        ws.closesocket(x)?;
        let (mut r, mut w, mut e) = (set_of(&[l, x]), set_of(&[l, x]), set_of(&[x]));
        assert_eq!(
            ws.select(Some(&mut r), Some(&mut w), Some(&mut e), zero),
            Err(WsaError::WSAENOTSOCK)
        );
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAENOTSOCK.code());
        assert_eq!((r.len(), w.len(), e.len()), (2, 2, 1), "fd_count unchanged");
        assert!(r.is_set(l) && r.is_set(x) && w.is_set(l) && w.is_set(x) && e.is_set(x));
        ws.closesocket(l)
    });
}

#[test]
fn sel_04_listener_and_connection_completion() {
    // Proves: an idle listener times out (0); a pending connection makes it readable only;
    // after accept, client and server are writable only and the client's SO_ERROR is 0.
    common::run(|ws| {
        let (l, addr) = common::listener(ws, 5)?;
        let t0 = ws.get_tick_count();
        assert_eq!(
            select_all(ws, &[l], Some(Duration::from_millis(1250)))?,
            ready(0, &[], &[], &[])
        );
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 1250);

        let c = tcp(ws)?;
        ws.set_nonblocking(c, true)?;
        let r = ws.connect(c, &addr);
        assert!(
            r == Err(WsaError::WSAEWOULDBLOCK) || r == Ok(()),
            "nonblocking connect: {r:?}"
        );
        assert_eq!(
            select_all(ws, &[l], Some(Duration::from_secs(1)))?,
            ready(1, &[l], &[], &[])
        );
        let (s, _) = ws.accept(l)?;
        assert_eq!(
            select_all(ws, &[l, c, s], Some(Duration::from_secs(1)))?,
            ready(2, &[], &[c, s], &[])
        );
        assert_eq!(ws.getsockopt_i32(c, SOL_SOCKET, SO_ERROR)?, 0);
        for x in [c, s, l] {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn sel_05_connected_read_write_readiness() {
    // Proves: an idle connected socket is writable only; with data from the peer it is also
    // readable (not exceptional); a sender whose buffers are full is not writable; a peer's
    // graceful close makes it readable with recv returning 0.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let zero = Some(Duration::ZERO);
        let second = Some(Duration::from_secs(1));
        assert_eq!(select_all(ws, &[s], zero)?, ready(1, &[], &[s], &[]));

        ws.send(c, b"hello", 0)?;
        let mut r = set_of(&[s]);
        let mut e = set_of(&[s]);
        assert_eq!(ws.select(Some(&mut r), None, Some(&mut e), second)?, 1);
        assert!(r.is_set(s) && e.is_empty(), "readable, not in exceptfds");
        assert_eq!(select_all(ws, &[s], zero)?, ready(2, &[s], &[s], &[]));
        assert_eq!(common::recv_exact(ws, s, 5)?, b"hello");

        // Peer graceful close: readable, recv gives 0.
        ws.closesocket(c)?;
        let mut r = set_of(&[s]);
        assert_eq!(ws.select(Some(&mut r), None, None, second)?, 1);
        assert!(r.is_set(s));
        let mut b = [0u8; 8];
        assert_eq!(ws.recv(s, &mut b, 0)?, 0);
        ws.closesocket(s)?;

        // A sender that filled its buffers (receiver not reading) is not writable.
        let (c, s) = common::pair(ws)?;
        ws.set_nonblocking(c, true)?;
        let chunk = vec![0x33u8; 8192];
        let mut full = false;
        // The select waits a little each time so that data in flight reaches the receiver
        // (whose window then closes): "full" means the sender can make no more progress.
        for _ in 0..10_000 {
            let mut w = set_of(&[c]);
            if ws.select(None, Some(&mut w), None, Some(Duration::from_millis(50)))? == 0 {
                assert!(w.is_empty());
                full = true;
                break;
            }
            match ws.send(c, &chunk, 0) {
                Ok(n) => assert_eq!(n, chunk.len()),
                Err(WsaError::WSAEWOULDBLOCK) => {}
                Err(e) => return Err(e),
            }
        }
        assert!(full, "select(write) never returned 0 while sending");
        // Still not writable later (the receiver never reads).
        let mut w = set_of(&[c]);
        assert_eq!(
            ws.select(None, Some(&mut w), None, Some(Duration::from_millis(500)))?,
            0
        );
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn sel_06_out_of_band_data() {
    // Proves: an urgent byte puts the socket in exceptfds (recv(MSG_OOB) reads it); with
    // SO_OOBINLINE it is in readfds instead, recv(MSG_OOB) fails with WSAEINVAL, a plain recv
    // returns the byte and the next nonblocking recv gives WSAEWOULDBLOCK.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let second = Some(Duration::from_secs(1));
        assert_eq!(ws.send(c, b"A", MSG_OOB)?, 1);
        let (mut r, mut e) = (set_of(&[s]), set_of(&[s]));
        assert_eq!(ws.select(Some(&mut r), None, Some(&mut e), second)?, 1);
        assert!(
            e.is_set(s) && r.is_empty(),
            "exceptfds only: r={r:?} e={e:?}"
        );
        let mut b = [0u8; 4];
        assert_eq!(ws.recv(s, &mut b, MSG_OOB)?, 1);
        assert_eq!(b[0], b'A');

        ws.setsockopt_i32(s, SOL_SOCKET, SO_OOBINLINE, 1)?;
        ws.set_nonblocking(s, true)?;
        assert_eq!(ws.send(c, b"B", MSG_OOB)?, 1);
        let (mut r, mut e) = (set_of(&[s]), set_of(&[s]));
        assert_eq!(ws.select(Some(&mut r), None, Some(&mut e), second)?, 1);
        assert!(r.is_set(s) && e.is_empty(), "readfds only: r={r:?} e={e:?}");
        assert_eq!(ws.recv(s, &mut b, MSG_OOB), Err(WsaError::WSAEINVAL));
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAEINVAL.code());
        assert_eq!(ws.recv(s, &mut b, 0)?, 1);
        assert_eq!(b[0], b'B');
        assert_eq!(
            ws.recv(s, &mut b, 0),
            Err(WsaError::WSAEWOULDBLOCK),
            "[TW] nothing left after the inline byte"
        );
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn sel_08_failed_nonblocking_connect_except_set_sticky_so_error() {
    // Proves: a refused nonblocking connect puts the socket in exceptfds only, SO_ERROR reads
    // WSAECONNREFUSED twice (not cleared), a retry fails the same way, a later successful
    // connect makes it writable with SO_ERROR 0; a bound socket whose connect failed can listen.
    common::run(|ws| {
        let refused = common::closed_port(ws)?;
        let ten = Some(Duration::from_secs(10));
        let s = tcp(ws)?;
        ws.set_nonblocking(s, true)?;
        assert_eq!(ws.connect(s, &refused), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(select_all(ws, &[s], ten)?, ready(1, &[], &[], &[s]));
        assert_eq!(
            ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?,
            SO_ERROR_REFUSED
        );
        assert_eq!(
            ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?,
            SO_ERROR_REFUSED,
            "reading SO_ERROR does not clear it"
        );

        assert_eq!(ws.connect(s, &refused), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(
            ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?,
            SO_ERROR_REFUSED
        );
        assert_eq!(select_all(ws, &[s], ten)?, ready(1, &[], &[], &[s]));
        assert_eq!(
            ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?,
            SO_ERROR_REFUSED
        );

        let (l, addr) = common::listener(ws, 5)?;
        let r = ws.connect(s, &addr);
        assert!(
            r == Err(WsaError::WSAEWOULDBLOCK) || r == Ok(()),
            "connect to a listener: {r:?}"
        );
        let mut w = set_of(&[s]);
        assert_eq!(ws.select(None, Some(&mut w), None, ten)?, 1);
        assert!(w.is_set(s));
        assert_eq!(ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?, 0);
        ws.closesocket(s)?;
        ws.closesocket(l)?;

        // A bound socket whose connect failed can still listen() [TW].
        let b = tcp(ws)?;
        ws.bind(b, &SockAddr::v4([127, 0, 0, 1], 0))?;
        ws.set_nonblocking(b, true)?;
        assert_eq!(ws.connect(b, &refused), Err(WsaError::WSAEWOULDBLOCK));
        assert_eq!(select_all(ws, &[b], ten)?, ready(1, &[], &[], &[b]));
        assert_eq!(
            ws.listen(b, 1),
            Ok(()),
            "[TW] listen after a failed connect"
        );
        assert_eq!(
            ws.getsockopt_i32(b, SOL_SOCKET, SO_ERROR)?,
            SO_ERROR_REFUSED
        );
        ws.closesocket(b)
    });
}

#[test]
fn sel_09_failed_blocking_connect() {
    // Proves: a refused blocking connect fails with WSAECONNREFUSED; afterwards the socket is
    // not writable, is in exceptfds when all three sets are given, and SO_ERROR reads 0 [TW].
    common::run(|ws| {
        let refused = common::closed_port(ws)?;
        let s = tcp(ws)?;
        assert_eq!(ws.connect(s, &refused), Err(WsaError::WSAECONNREFUSED));
        assert_eq!(ws.wsa_get_last_error(), WsaError::WSAECONNREFUSED.code());
        let mut w = set_of(&[s]);
        assert_eq!(
            ws.select(None, Some(&mut w), None, Some(Duration::from_millis(50)))?,
            0
        );
        assert!(w.is_empty());
        assert_eq!(
            select_all(ws, &[s], Some(Duration::from_secs(1)))?,
            ready(1, &[], &[], &[s])
        );
        assert_eq!(
            ws.getsockopt_i32(s, SOL_SOCKET, SO_ERROR)?,
            0,
            "[TW] SO_ERROR after a blocking connect failed"
        );
        ws.closesocket(s)
    });
}

// ---------------------------------------------------------------------------------------------
// FD_SETSIZE and timeouts
// ---------------------------------------------------------------------------------------------

#[test]
fn fd_setsize_limits_the_set() {
    // Proves: FdSet::new() holds FD_SETSIZE (64) sockets and a 65th FD_SET does nothing;
    // FdSet::with_capacity(100) holds 100 and select works with all 100.
    common::run(|ws| {
        let socks = (0..98).map(|_| tcp(ws)).collect::<Result<Vec<_>, _>>()?;
        let (c, s) = common::pair(ws)?;
        let mut all = socks.clone();
        all.push(c);
        all.push(s);

        let mut small = FdSet::new();
        assert_eq!(small.capacity(), FD_SETSIZE);
        assert_eq!(FD_SETSIZE, 64);
        for &x in &all[..65] {
            small.set(x);
        }
        assert_eq!(small.len(), 64);
        assert!(small.is_set(all[63]));
        assert!(!small.is_set(all[64]), "the 65th FD_SET does nothing");

        let mut big = FdSet::with_capacity(100);
        for &x in &all {
            big.set(x);
        }
        assert_eq!(big.len(), 100);
        let mut big_r = big.clone();
        assert_eq!(
            ws.select(Some(&mut big_r), Some(&mut big), None, Some(Duration::ZERO))?,
            2
        );
        assert_eq!(big.iter().collect::<Vec<_>>(), vec![c, s]);
        assert!(big_r.is_empty());

        // A socket beyond the 64th slot is seen too.
        ws.send(c, b"x", 0)?;
        let mut r = FdSet::with_capacity(100);
        for &x in &all {
            r.set(x);
        }
        assert_eq!(
            ws.select(Some(&mut r), None, None, Some(Duration::from_secs(1)))?,
            1
        );
        assert_eq!(r.iter().collect::<Vec<_>>(), vec![s]);
        for x in all {
            ws.closesocket(x)?;
        }
        Ok(())
    });
}

#[test]
fn select_timeout_semantics() {
    // Proves: a zero timeout polls without waiting, a positive one returns 0 after exactly that
    // much virtual time, and None waits until a socket becomes ready.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let t0 = ws.get_tick_count();
        let mut r = set_of(&[s]);
        assert_eq!(
            ws.select(Some(&mut r), None, None, Some(Duration::ZERO))?,
            0
        );
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 0);

        let t0 = ws.get_tick_count();
        let mut r = set_of(&[s]);
        assert_eq!(
            ws.select(Some(&mut r), None, None, Some(Duration::from_millis(250)))?,
            0
        );
        assert!(r.is_empty());
        assert_eq!(ws.get_tick_count().wrapping_sub(t0), 250);

        ws.create_thread("sender", move |ws| {
            ws.sleep(300);
            ws.send(c, b"late", 0).map(|_| ())
        })?;
        let t0 = ws.get_tick_count();
        let mut r = set_of(&[s]);
        assert_eq!(ws.select(Some(&mut r), None, None, None)?, 1);
        assert!(r.is_set(s));
        let waited = ws.get_tick_count().wrapping_sub(t0);
        assert!(
            (300..=301).contains(&waited),
            "select(None) returned after {waited} ms, the data came at 300 ms"
        );
        assert_eq!(common::recv_exact(ws, s, 4)?, b"late");
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}

#[test]
fn select_runs_queued_apcs_only_when_nothing_is_ready() {
    // Proves (sock.c test_select, not in the catalogue): with an APC queued to the calling
    // thread, select(timeout {0,0}) on a socket that is not readable returns 0 and has run the
    // APC; select on a writable socket returns 1 at once without running it (a later
    // SleepEx(0, TRUE) does). An APC queued by another thread during a wait runs and the wait
    // goes on until a socket is ready.
    common::run(|ws| {
        let (c, s) = common::pair(ws)?;
        let count = Arc::new(AtomicU32::new(0));
        common::queue_counting_apc(ws, ws.thread_id(), &count)?;
        let mut r = set_of(&[s]);
        assert_eq!(
            ws.select(Some(&mut r), None, None, Some(Duration::ZERO))?,
            0
        );
        assert_eq!(count.load(Ordering::SeqCst), 1, "not ready: the APC ran");

        common::queue_counting_apc(ws, ws.thread_id(), &count)?;
        let mut w = set_of(&[c]);
        assert_eq!(
            ws.select(None, Some(&mut w), None, Some(Duration::ZERO))?,
            1
        );
        assert!(w.is_set(c));
        assert_eq!(
            count.load(Ordering::SeqCst),
            1,
            "ready: the APC did not run"
        );
        assert_eq!(ws.sleep_ex(0, true), WAIT_IO_COMPLETION);
        assert_eq!(count.load(Ordering::SeqCst), 2);

        let me = ws.thread_id();
        let count2 = count.clone();
        ws.create_thread("apc, then data", move |ws| {
            ws.sleep(50);
            common::queue_counting_apc(ws, me, &count2)?;
            ws.sleep(50);
            ws.send(c, b"x", 0).map(|_| ())
        })?;
        let t0 = ws.get_tick_count();
        let mut r = set_of(&[s]);
        assert_eq!(ws.select(Some(&mut r), None, None, None)?, 1);
        assert!(r.is_set(s));
        assert_eq!(count.load(Ordering::SeqCst), 3);
        let waited = ws.get_tick_count().wrapping_sub(t0);
        assert!(
            (100..=101).contains(&waited),
            "select returned after {waited} ms, the data came at 100 ms"
        );
        ws.closesocket(c)?;
        ws.closesocket(s)
    });
}
