//! `select()` and `WSAPoll()` in the simulator: readiness computed from socket state, a blocking
//! wait on every socket of the sets with the timeout in virtual time. While nothing is ready,
//! APCs queued to the waiting thread run and the wait goes on (the call does not end with
//! WAIT_IO_COMPLETION); a call that finds a socket ready at once runs none (sock.c test_select,
//! test_WSAPoll; conformance SEL-14).
//!
//! Readiness follows the AFD poll events Windows maps into the three sets: readable = a
//! connection to accept, data, a graceful close or a reset; writable = connected with send
//! space (a nonblocking connect that succeeded shows up here); except = urgent data (SO_OOBINLINE
//! off) or a connect attempt that failed (conformance SEL-04, SEL-05, SEL-06, SEL-08, SEL-09).

use std::time::Duration;

use crate::api::consts::*;
use crate::api::{FdSet, Select, Socket, WsaError, WsaPollFd};
use crate::sim::api::SimWinsock;
use crate::sim::runtime::{self, sat_nanos, Step, WaitKey};

impl Select for SimWinsock {
    fn select(
        &self,
        readfds: Option<&mut FdSet>,
        writefds: Option<&mut FdSet>,
        exceptfds: Option<&mut FdSet>,
        timeout: Option<Duration>,
    ) -> Result<usize, WsaError> {
        runtime::checked_exit(self.select_call(readfds, writefds, exceptfds, timeout))
    }

    fn wsa_poll(&self, fds: &mut [WsaPollFd], timeout_ms: i32) -> Result<usize, WsaError> {
        runtime::checked_exit(self.wsa_poll_call(fds, timeout_ms))
    }
}

/// select's and WSAPoll's bodies, each a function of its own: threads are commonly blocked
/// in them when a run ends, and the trait methods around them are the small frames such a
/// thread unwinds from (`SimWinsock::call_marked`).
impl SimWinsock {
    #[inline(never)]
    fn select_call(
        &self,
        readfds: Option<&mut FdSet>,
        writefds: Option<&mut FdSet>,
        exceptfds: Option<&mut FdSet>,
        timeout: Option<Duration>,
    ) -> Result<usize, WsaError> {
        let sizes = [
            readfds.as_deref(),
            writefds.as_deref(),
            exceptfds.as_deref(),
        ]
        .map(|s| s.map_or(0, |s| s.len()));
        let zero_timeout = timeout == Some(Duration::ZERO);
        let r = self.call_marked("select", sizes[0] as u64, sizes[1] as u64, |this| {
            if sizes.iter().all(|&n| n == 0) {
                return Err(WsaError::WSAEINVAL);
            }
            let mut resolved: Resolved = Default::default();
            {
                let w = this.w();
                let sets = [
                    readfds.as_deref(),
                    writefds.as_deref(),
                    exceptfds.as_deref(),
                ];
                for (i, set) in sets.into_iter().enumerate() {
                    if let Some(set) = set {
                        for s in set.iter() {
                            let id = w.sock_id(this.host, s)?;
                            resolved[i].push((s, id));
                        }
                    }
                }
            }
            // A huge timeout saturates (about 9 years) instead of overflowing the clock.
            let deadline = timeout.map(|d| this.w().wait_due(this.host, sat_nanos(d)));
            let tid = this.tid;
            let (ready, closed) = this.wait_running_apcs("select", |w| {
                // A socket closed (by another thread) during the wait ends it: AFD reports
                // AFD_POLL_CLOSE whatever was asked (afd.c test_poll), which select shows in
                // readfds only (sock.c test_select, SelectCloseThread).
                let open = |s: Socket, id: usize| w.sock_id(this.host, s) == Ok(id);
                let closed = resolved.iter().flatten().any(|&(s, id)| !open(s, id));
                let ready: [Vec<Socket>; 3] = [
                    ready_of(&resolved[0], |s, id| !open(s, id) || w.select_readable(id)),
                    ready_of(&resolved[1], |s, id| open(s, id) && w.select_writable(id)),
                    ready_of(&resolved[2], |s, id| open(s, id) && w.select_except(id)),
                ];
                if closed || ready.iter().any(|r| !r.is_empty()) {
                    return Step::Done(Ok(Some((ready, closed))));
                }
                if w.rt.threads[tid].ext.has_apcs() {
                    return Step::Done(Ok(None));
                }
                if deadline.is_some_and(|d| w.rt.now >= d) {
                    return Step::Done(Ok(Some((ready, false))));
                }
                let keys = resolved
                    .iter()
                    .flatten()
                    .map(|&(_, id)| WaitKey::Socket(id))
                    .chain([WaitKey::Apc(tid)])
                    .collect();
                Step::WaitAny(keys, deadline)
            })?;
            let mut n = 0;
            let sets = [readfds, writefds, exceptfds];
            for (set, ready) in sets.into_iter().zip(ready.iter()) {
                if let Some(set) = set {
                    // Each ready socket once, even when the program put it in twice.
                    let mut seen = Vec::new();
                    set.retain(|s| {
                        let keep = ready.contains(s) && !seen.contains(s);
                        seen.push(*s);
                        keep
                    });
                    n += set.len();
                }
            }
            if n == 0 && closed {
                // Only closed sockets, none of them in readfds: the sets come back empty.
                return Err(WsaError::WSAENOTSOCK);
            }
            Ok(n)
        });
        if zero_timeout && r == Ok(0) {
            self.idle_poll();
        }
        r
    }

    #[inline(never)]
    fn wsa_poll_call(&self, fds: &mut [WsaPollFd], timeout_ms: i32) -> Result<usize, WsaError> {
        let r = self.call_marked("WSAPoll", fds.len() as u64, timeout_ms as u64, |this| {
            this.poll_body(fds, timeout_ms)
        });
        if timeout_ms == 0 && r == Ok(0) {
            self.idle_poll();
        }
        r
    }
}

/// Bits a program may request from WSAPoll; anything else is WSAEINVAL.
const POLL_REQUESTABLE: i16 = POLLRDNORM | POLLRDBAND | POLLWRNORM;
/// Bits reported whether requested or not.
const POLL_ALWAYS: i16 = POLLHUP | POLLERR | POLLNVAL;

impl SimWinsock {
    /// The body of WSAPoll. The checks go in Windows' order (sock.c test_WSAPoll): with no
    /// socket among the entries the call fails with WSAENOTSOCK and every entry gets POLLNVAL,
    /// whatever its `events`; otherwise a bit that may not be requested, on any entry but an
    /// INVALID_SOCKET one, fails the call with WSAEINVAL (every revents 0); then each entry
    /// that is not a socket gets POLLNVAL without being counted.
    fn poll_body(&self, fds: &mut [WsaPollFd], timeout_ms: i32) -> Result<usize, WsaError> {
        if fds.is_empty() {
            return Err(WsaError::WSAEINVAL);
        }
        let ids: Vec<Option<usize>> = {
            let w = self.w();
            fds.iter()
                .map(|f| w.sock_id(self.host, f.fd).ok())
                .collect()
        };
        for f in fds.iter_mut() {
            f.revents = 0;
        }
        if ids.iter().all(Option::is_none) {
            for f in fds.iter_mut() {
                f.revents = POLLNVAL;
            }
            return Err(WsaError::WSAENOTSOCK);
        }
        if fds
            .iter()
            .any(|f| f.fd != Socket::INVALID && f.events & !POLL_REQUESTABLE != 0)
        {
            return Err(WsaError::WSAEINVAL);
        }
        let deadline =
            (timeout_ms >= 0).then(|| self.w().wait_due(self.host, timeout_ms as u64 * 1_000_000));
        let (host, tid) = (self.host, self.tid);
        let events: Vec<(Socket, i16)> = fds.iter().map(|f| (f.fd, f.events)).collect();
        let revents = self.wait_running_apcs("WSAPoll", |w| {
            let revents: Vec<i16> = events
                .iter()
                .zip(&ids)
                .map(|(&(fd, ev), id)| match id {
                    // Closed meanwhile (or never a socket): POLLNVAL.
                    Some(id) if w.sock_id(host, fd) == Ok(*id) => {
                        w.poll_bits(*id) & (ev | POLL_ALWAYS)
                    }
                    _ => POLLNVAL,
                })
                .collect();
            let counted = revents
                .iter()
                .zip(&ids)
                .any(|(&r, id)| r != 0 && (r != POLLNVAL || id.is_some()));
            if counted {
                return Step::Done(Ok(Some(revents)));
            }
            if w.rt.threads[tid].ext.has_apcs() {
                return Step::Done(Ok(None));
            }
            if deadline.is_some_and(|d| w.rt.now >= d) {
                return Step::Done(Ok(Some(revents)));
            }
            let keys = ids
                .iter()
                .flatten()
                .map(|&id| WaitKey::Socket(id))
                .chain([WaitKey::Apc(tid)])
                .collect();
            Step::WaitAny(keys, deadline)
        })?;
        let mut n = 0;
        for ((f, r), id) in fds.iter_mut().zip(revents).zip(&ids) {
            f.revents = r;
            // An entry that was never a socket is marked but not counted (SEL-14); one closed
            // during the call counts.
            if r != 0 && id.is_some() {
                n += 1;
            }
        }
        Ok(n)
    }
}

fn ready_of(set: &[(Socket, usize)], ready: impl Fn(Socket, usize) -> bool) -> Vec<Socket> {
    set.iter()
        .filter(|&&(s, id)| ready(s, id))
        .map(|&(s, _)| s)
        .collect()
}

/// Per set: the socket ids (in set order) resolved at entry.
type Resolved = [Vec<(Socket, usize)>; 3];
