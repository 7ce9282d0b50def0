//! Helpers of the `afd_test_*` ports (Wine `dlls/ws2_32/tests/afd.c`): the WinSock view of
//! an AFD poll flag set, and a WSAPoll run on a second thread (what afd.c's pending
//! IOCTL_AFD_POLL is, seen from WinSock).
//!
//! The projection (how ws2_32 turns AFD poll flags into what its calls report):
//! - select: readfds ← READ | ACCEPT | HUP | RESET; writefds ← WRITE; exceptfds ← OOB |
//!   CONNECT_ERR. CONNECT alone shows in no set (a connected socket with a full send buffer
//!   is not writable).
//! - WSAPoll: POLLRDNORM ← READ | ACCEPT; POLLRDBAND ← OOB; POLLWRNORM ← WRITE; POLLHUP ←
//!   HUP | RESET; POLLERR ← RESET | CONNECT_ERR; POLLNVAL ← CLOSE. A failed connect also
//!   reports POLLWRNORM | POLLHUP on Windows (sock.c test_WSAPoll, tests/poll.rs
//!   `sel_13_failed_connect_reports_pollwrnorm_pollhup_pollerr`), so for CONNECT_ERR only
//!   POLLERR and the absence of POLLRDNORM / POLLRDBAND are checked.
//! - WSAEventSelect records: READ → FD_READ, WRITE → FD_WRITE, OOB → FD_OOB, ACCEPT →
//!   FD_ACCEPT, CONNECT | CONNECT_ERR → FD_CONNECT, HUP | RESET → FD_CLOSE.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

/// Our own names for the AFD poll flags (values are ours, not afd.h's).
pub const READ: u32 = 1 << 0;
pub const OOB: u32 = 1 << 1;
pub const WRITE: u32 = 1 << 2;
pub const HUP: u32 = 1 << 3;
pub const RESET: u32 = 1 << 4;
pub const CLOSE: u32 = 1 << 5;
pub const CONNECT: u32 = 1 << 6;
pub const ACCEPT: u32 = 1 << 7;
pub const CONNECT_ERR: u32 = 1 << 8;

/// What WSAPoll may be asked for.
pub const ASK: i16 = POLLRDNORM | POLLRDBAND | POLLWRNORM;

/// WSAPoll's revents for AFD flags `f` (see the module doc; CONNECT_ERR: only POLLERR).
pub fn poll_bits(f: u32) -> i16 {
    let mut b = 0;
    if f & (READ | ACCEPT) != 0 {
        b |= POLLRDNORM;
    }
    if f & OOB != 0 {
        b |= POLLRDBAND;
    }
    if f & WRITE != 0 {
        b |= POLLWRNORM;
    }
    if f & (HUP | RESET) != 0 {
        b |= POLLHUP;
    }
    if f & (RESET | CONNECT_ERR) != 0 {
        b |= POLLERR;
    }
    if f & CLOSE != 0 {
        b |= POLLNVAL;
    }
    b
}

/// The bits of a revents value the projection pins for flags `f`.
fn pinned(f: u32) -> i16 {
    if f & CONNECT_ERR != 0 {
        POLLERR | POLLRDNORM | POLLRDBAND
    } else {
        -1
    }
}

/// One WSAPoll entry for `s` asking `events`, timeout `ms`: (result, revents).
pub fn poll1(ws: &SimWinsock, s: Socket, events: i16, ms: i32) -> (Result<usize, WsaError>, i16) {
    let mut fds = [WsaPollFd::new(s, events)];
    let r = ws.wsa_poll(&mut fds, ms);
    (r, fds[0].revents)
}

/// afd.c's `check_poll(s, expect)`: the socket's AFD flags are exactly `f`, seen through
/// select (all three sets, zero timeout) and WSAPoll (POLLRDNORM | POLLRDBAND | POLLWRNORM).
pub fn check(ws: &SimWinsock, s: Socket, f: u32, what: &str) {
    let one = |x: bool| if x { vec![s] } else { vec![] };
    let (mut r, mut w, mut e) = (
        FdSet::from_array(&[s]),
        FdSet::from_array(&[s]),
        FdSet::from_array(&[s]),
    );
    let n = ws
        .select(
            Some(&mut r),
            Some(&mut w),
            Some(&mut e),
            Some(Duration::ZERO),
        )
        .unwrap_or_else(|err| panic!("{what}: select failed {err:?}"));
    let want = (
        one(f & (READ | ACCEPT | HUP | RESET) != 0),
        one(f & WRITE != 0),
        one(f & (OOB | CONNECT_ERR) != 0),
    );
    let got = (
        r.iter().collect::<Vec<_>>(),
        w.iter().collect::<Vec<_>>(),
        e.iter().collect::<Vec<_>>(),
    );
    assert_eq!(got, want, "{what}: select (read, write, except)");
    assert_eq!(
        n,
        want.0.len() + want.1.len() + want.2.len(),
        "{what}: select"
    );
    let (res, rev) = poll1(ws, s, ASK, 0);
    let want_rev = poll_bits(f) & (ASK | POLLHUP | POLLERR | POLLNVAL);
    let m = pinned(f);
    assert_eq!(
        rev & m,
        want_rev & m,
        "{what}: WSAPoll revents {rev:#x}, want {want_rev:#x}"
    );
    assert_eq!(res, Ok(usize::from(rev != 0)), "{what}: WSAPoll result");
}

/// afd.c's `check_poll_mask(s, mask, expect)`: WSAPoll asking only `mask`'s bits reports
/// them within 1000 ms.
pub fn check_mask(ws: &SimWinsock, s: Socket, mask: u32, what: &str) {
    let ev = poll_bits(mask) & ASK;
    let (res, rev) = poll1(ws, s, ev, 1000);
    assert_eq!(res, Ok(1), "{what}: WSAPoll result");
    assert_eq!(rev & ASK, ev, "{what}: WSAPoll revents {rev:#x}");
}

/// A WSAPoll on another thread: its result, entries and the tick it returned at.
pub type PollOut = Arc<Mutex<Option<(Result<usize, WsaError>, Vec<WsaPollFd>, u32)>>>;

/// Starts `WSAPoll(fds, ms)` on a new thread and lets it begin waiting (10 ms).
pub fn poll_in_thread(
    ws: &SimWinsock,
    fds: Vec<WsaPollFd>,
    ms: i32,
) -> Result<(ThreadId, PollOut), WsaError> {
    let out: PollOut = Arc::new(Mutex::new(None));
    let o = out.clone();
    let t = ws.create_thread("poller", move |ws| {
        let mut fds = fds;
        let r = ws.wsa_poll(&mut fds, ms);
        *o.lock().unwrap() = Some((r, fds, ws.get_tick_count()));
        Ok(())
    })?;
    ws.sleep(10);
    Ok((t, out))
}

/// The poll thread has not returned yet.
pub fn still_waiting(out: &PollOut) -> bool {
    out.lock().unwrap().is_none()
}

/// Waits for the poll thread and returns its result and entries.
pub fn joined(
    ws: &SimWinsock,
    t: ThreadId,
    out: &PollOut,
) -> Result<(Result<usize, WsaError>, Vec<WsaPollFd>), WsaError> {
    ws.wait_for_thread(t, 5000)?;
    let (r, fds, _) = out.lock().unwrap().take().expect("the poll thread ended");
    Ok((r, fds))
}
