//! `select` and `WSAPoll` of [`Native`] on ws2_32 (the `unsafe` invariants are listed in
//! `native.rs`).

use std::time::Duration;

use windows_sys::Win32::Networking::WinSock as ws;

use super::native::{finish, last_error, Native};
use crate::api::{FdSet, Select, Socket, WsaError, WsaPollFd};

/// An `fd_set` as ws2_32 reads it, for any number of sockets: `fd_count` (a u32 padded to
/// 8 bytes on 64-bit Windows, as FD_SET lays it out) then the SOCKETs.
fn raw_set(set: &FdSet) -> Vec<usize> {
    let mut v = Vec::with_capacity(set.len() + 1);
    v.push(set.len());
    v.extend(set.iter().map(Socket::raw));
    v
}

/// Writes the sockets the OS left in a raw set back into `set`.
fn write_back(raw: Option<&[usize]>, set: Option<&mut FdSet>) {
    let (Some(raw), Some(set)) = (raw, set) else {
        return;
    };
    let n = (raw[0] as u32) as usize;
    set.zero();
    for &s in &raw[1..=n.min(raw.len() - 1)] {
        set.set(Socket::from_raw(s));
    }
}

impl Select for Native {
    /// `select`: sockets not created by this backend give WSAENOTSOCK before the OS call.
    fn select(
        &self,
        readfds: Option<&mut FdSet>,
        writefds: Option<&mut FdSet>,
        exceptfds: Option<&mut FdSet>,
        timeout: Option<Duration>,
    ) -> Result<usize, WsaError> {
        {
            let o = self.inner.owned.lock();
            if o.wsa_refs == 0 {
                return finish(Err(WsaError::WSANOTINITIALISED));
            }
            for set in [&readfds, &writefds, &exceptfds].into_iter().flatten() {
                if set.iter().any(|s| !o.sockets.contains(&s.raw())) {
                    return finish(Err(WsaError::WSAENOTSOCK));
                }
            }
        }
        let mut r = readfds.as_deref().map(raw_set);
        let mut w = writefds.as_deref().map(raw_set);
        let mut x = exceptfds.as_deref().map(raw_set);
        let ptr = |v: &mut Option<Vec<usize>>| {
            v.as_mut().map_or(std::ptr::null_mut(), |v| {
                v.as_mut_ptr().cast::<ws::FD_SET>()
            })
        };
        let tv = timeout.map(|d| ws::TIMEVAL {
            tv_sec: d.as_secs().min(i32::MAX as u64) as i32,
            tv_usec: d.subsec_micros() as i32,
        });
        let tvp = tv
            .as_ref()
            .map_or(std::ptr::null(), |t| t as *const ws::TIMEVAL);
        // SAFETY: each set pointer is null or a live Vec laid out as FD_SET (count, padding,
        // SOCKETs) holding exactly `count` sockets, which the OS reads and rewrites in place
        // (never growing it); `tvp` is null or a live TIMEVAL.
        let n = unsafe { ws::select(0, ptr(&mut r), ptr(&mut w), ptr(&mut x), tvp) };
        if n == ws::SOCKET_ERROR {
            return finish(Err(last_error()));
        }
        write_back(r.as_deref(), readfds);
        write_back(w.as_deref(), writefds);
        write_back(x.as_deref(), exceptfds);
        finish(Ok(n as usize))
    }

    /// `WSAPoll`: the OS call on a copy of the entries (a value that is not a socket gets
    /// POLLNVAL from the OS; polling never changes a socket).
    fn wsa_poll(&self, fds: &mut [WsaPollFd], timeout_ms: i32) -> Result<usize, WsaError> {
        if self.inner.owned.lock().wsa_refs == 0 {
            return finish(Err(WsaError::WSANOTINITIALISED));
        }
        let mut raw: Vec<ws::WSAPOLLFD> = fds
            .iter()
            .map(|f| ws::WSAPOLLFD {
                fd: f.fd.raw(),
                events: f.events,
                revents: 0,
            })
            .collect();
        // SAFETY: `raw` is a live Vec of exactly `raw.len()` WSAPOLLFD entries.
        let n = unsafe { ws::WSAPoll(raw.as_mut_ptr(), raw.len() as u32, timeout_ms) };
        if n == ws::SOCKET_ERROR {
            return finish(Err(last_error()));
        }
        for (f, r) in fds.iter_mut().zip(&raw) {
            f.revents = r.revents;
        }
        finish(Ok(n as usize))
    }
}
