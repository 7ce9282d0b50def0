//! `impl Winsock for System`: each WinSock call as the OS backend carries it out — the
//! Windows checks made before the OS call, the OS call through socket2, and the error
//! translation (the contract and the known differences are in the module doc of `os`).

use std::cell::Cell;
use std::net::Shutdown;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::errors::Ctx;
use super::sock::{self, family_of, os_err, Entry, OsSocket};
use super::sockopt;
use super::{finish, System, LAST_ERROR};
use crate::api::consts::*;
use crate::api::{SockAddr, Socket, ThreadId, Winsock, WsaData, WsaError};

impl Winsock for System {
    /// `WSAStartup`: counts the call and grants what Windows grants ([`WsaData::granted`]:
    /// a major version of 0 is WSAVERNOTSUPPORTED, 1.2 is 1.1, above 2.2 is 2.2).
    fn wsa_startup(&self, version: u16) -> Result<WsaData, WsaError> {
        let data = WsaData::granted(version);
        if data.is_ok() {
            self.inner.table.lock().wsa_refs += 1;
        }
        finish(data)
    }

    /// `WSACleanup`: the last one closes every socket of this `System`.
    fn wsa_cleanup(&self) -> Result<(), WsaError> {
        let closing = {
            let mut t = self.inner.table.lock();
            if t.wsa_refs == 0 {
                return finish(Err(WsaError::WSANOTINITIALISED));
            }
            t.wsa_refs -= 1;
            if t.wsa_refs == 0 {
                t.stale_unbound.clear();
                t.handles.drain()
            } else {
                Vec::new()
            }
        };
        // A duplicated socket has several handles: end it once.
        let mut ended: Vec<Arc<sock::Entry>> = Vec::new();
        for e in closing {
            if !ended.iter().any(|x| Arc::ptr_eq(x, &e)) {
                ended.push(e);
            }
        }
        ended.into_iter().for_each(System::retire);
        finish(Ok(()))
    }

    /// `WSAGetLastError`: a thread-local value.
    fn wsa_get_last_error(&self) -> i32 {
        LAST_ERROR.with(Cell::get)
    }

    /// `WSASetLastError`: sets the thread-local value.
    fn wsa_set_last_error(&self, code: i32) {
        LAST_ERROR.with(|c| c.set(code));
    }

    /// `socket`: Windows' argument table, then an OS socket (IPv4 or IPv6, TCP or UDP).
    fn socket(&self, af: i32, ty: i32, protocol: i32) -> Result<Socket, WsaError> {
        self.call(|| Entry::open(af, ty, protocol).map(|e| self.insert(e)))
    }

    /// `bind`: family and already-bound checks, then the OS bind.
    fn bind(&self, s: Socket, addr: &SockAddr) -> Result<(), WsaError> {
        self.with(s, |e| {
            let a = addr.parse()?;
            if family_of(&a) != e.family {
                return Err(WsaError::WSAEFAULT);
            }
            if e.local()?.is_some() {
                return Err(WsaError::WSAEINVAL);
            }
            e.sock().bind(&a.into()).map_err(|err| e.err(&err, e.ctx()))
        })
    }

    /// `listen`: refuses unbound and datagram sockets as Windows does; SOMAXCONN asks the OS
    /// for its maximum (Linux caps the backlog at `net.core.somaxconn`), SOMAXCONN_HINT(N)
    /// for N clamped to 200..=65535 (as Windows reads it); 0 is 1.
    fn listen(&self, s: Socket, backlog: i32) -> Result<(), WsaError> {
        self.with(s, |e| {
            if e.ty != SOCK_STREAM {
                return Err(WsaError::WSAEOPNOTSUPP);
            }
            if e.local()?.is_none() || self.sees_unbound(s) {
                return Err(WsaError::WSAEINVAL);
            }
            if e.seen_connected() {
                return Err(WsaError::WSAEISCONN);
            }
            let backlog = if backlog == SOMAXCONN {
                i32::MAX
            } else if backlog < 0 {
                // SOMAXCONN_HINT(N) = -N: a backlog of N clamped to 200..=65535, as Windows
                // (and the simulator) read it. Passing -N on made it 1, and the OS dropped the
                // handshakes of all but the first few clients that connected at once.
                backlog.unsigned_abs().clamp(200, 65_535) as i32
            } else {
                backlog.max(1)
            };
            e.sock()
                .listen(backlog)
                .map_err(|err| e.err(&err, e.ctx()))?;
            e.listening.store(true, Ordering::Relaxed);
            Ok(())
        })
    }

    /// `accept`: the OS accept; the new socket gets the listener's blocking mode, as on
    /// Windows.
    fn accept(&self, s: Socket) -> Result<(Socket, SockAddr), WsaError> {
        self.with(s, |e| {
            if e.ty != SOCK_STREAM {
                return Err(WsaError::WSAEOPNOTSUPP);
            }
            if !e.listening.load(Ordering::Relaxed) {
                return Err(WsaError::WSAEINVAL);
            }
            let (conn, peer) = loop {
                match e.sock().accept() {
                    Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                    r => break r.map_err(|err| e.err(&err, e.ctx()))?,
                }
            };
            let nonblocking = e.nonblocking.load(Ordering::Relaxed);
            conn.set_nonblocking(nonblocking)
                .map_err(|err| os_err(&err))?;
            let peer = peer.as_socket().ok_or(WsaError::WSAEINVAL)?;
            let child = Entry::new(OsSocket::Stream(conn.into()), e.family, SOCK_STREAM);
            child.nonblocking.store(nonblocking, Ordering::Relaxed);
            child.connected.store(true, Ordering::Relaxed);
            if e.closed.load(Ordering::Acquire) {
                return Err(WsaError::WSAEINTR);
            }
            Ok((self.insert(child), SockAddr::from(peer)))
        })
    }

    /// `connect`: Windows' address checks, then the OS connect; EINPROGRESS of a nonblocking
    /// connect is WSAEWOULDBLOCK.
    fn connect(&self, s: Socket, addr: &SockAddr) -> Result<(), WsaError> {
        self.with(s, |e| {
            let dst = addr.parse()?;
            if family_of(&dst) != e.family {
                // Windows checks the length first: a SOCKADDR_IN is too short for an AF_INET6
                // socket (WSAEFAULT); a SOCKADDR_IN6 on an AF_INET one fails on its family.
                return Err(if e.family == AF_INET6 {
                    WsaError::WSAEFAULT
                } else {
                    WsaError::WSAEAFNOSUPPORT
                });
            }
            if e.listening.load(Ordering::Relaxed) {
                return Err(WsaError::WSAEINVAL);
            }
            if dst.ip().is_unspecified() || dst.port() == 0 {
                return Err(WsaError::WSAEADDRNOTAVAIL);
            }
            let ctx = Ctx {
                connect: true,
                ..e.ctx()
            };
            e.sock()
                .connect(&dst.into())
                .map_err(|err| e.err(&err, ctx))?;
            e.connected.store(true, Ordering::Relaxed);
            Ok(())
        })
    }

    /// `send`: the OS send (MSG_OOB and MSG_DONTROUTE pass through); a blocking send is
    /// repeated until the whole buffer is taken, a nonblocking one may return a short count.
    fn send(&self, s: Socket, buf: &[u8], flags: i32) -> Result<usize, WsaError> {
        self.with(s, |e| {
            if flags & !(MSG_OOB | MSG_DONTROUTE) != 0 {
                return Err(WsaError::WSAEOPNOTSUPP);
            }
            if let Some(w) = e.take_stashed() {
                return Err(w);
            }
            if e.shut_wr.load(Ordering::Relaxed) {
                return Err(WsaError::WSAESHUTDOWN);
            }
            if !e.seen_connected() {
                return Err(WsaError::WSAENOTCONN);
            }
            let mut done = 0;
            loop {
                match e.send_once(&buf[done..], flags) {
                    Ok(n) => {
                        done += n;
                        if done == buf.len() || e.nonblocking.load(Ordering::Relaxed) {
                            return Ok(done);
                        }
                    }
                    Err(_) if done > 0 => return Ok(done),
                    Err(err) => return Err(e.err(&err, e.ctx())),
                }
            }
        })
    }

    /// `recv`: the OS recv or peek; MSG_WAITALL is carried out by receiving until the buffer
    /// is full, the peer closes, or an error (which the next call then reports).
    fn recv(&self, s: Socket, buf: &mut [u8], flags: i32) -> Result<usize, WsaError> {
        self.with(s, |e| {
            if flags & !(MSG_PEEK | MSG_WAITALL | MSG_OOB) != 0 {
                return Err(WsaError::WSAEOPNOTSUPP);
            }
            if waitall_refused(e, flags) {
                return Err(WsaError::WSAEOPNOTSUPP);
            }
            if flags & MSG_OOB != 0 {
                let inline = e.sock().out_of_band_inline().unwrap_or(false);
                return Err(if inline {
                    WsaError::WSAEINVAL
                } else {
                    WsaError::WSAEOPNOTSUPP
                });
            }
            if let Some(w) = e.take_stashed() {
                return Err(w);
            }
            if e.shut_rd.load(Ordering::Relaxed) {
                return Err(WsaError::WSAESHUTDOWN);
            }
            if e.ty == SOCK_DGRAM && (e.local()?.is_none() || self.sees_unbound(s)) {
                return Err(WsaError::WSAEINVAL);
            }
            let peek = flags & MSG_PEEK != 0;
            let mut filled = e.recv_once(buf, peek).map_err(|err| e.err(&err, e.ctx()))?;
            if peek || flags & MSG_WAITALL == 0 || filled == 0 {
                return Ok(filled);
            }
            while filled < buf.len() {
                match e.recv_once(&mut buf[filled..], false) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(err) => {
                        match e.err(&err, e.ctx()) {
                            WsaError::WSAEWOULDBLOCK | WsaError::WSAETIMEDOUT => {}
                            w => *e.stashed.lock() = Some(w),
                        }
                        break;
                    }
                }
            }
            Ok(filled)
        })
    }

    /// `sendto`: on a datagram socket the OS `sendto`; on a stream socket `to` is ignored and
    /// it is `send`, as on Windows.
    fn sendto(&self, s: Socket, buf: &[u8], flags: i32, to: &SockAddr) -> Result<usize, WsaError> {
        let dgram = self.with(s, |e| Ok(e.ty == SOCK_DGRAM))?;
        if !dgram {
            return self.send(s, buf, flags);
        }
        let to = to.parse();
        self.with(s, |e| {
            let to = to?;
            if e.shut_wr.load(Ordering::Relaxed) {
                return Err(WsaError::WSAESHUTDOWN);
            }
            if buf.len() > 65_507 {
                return Err(WsaError::WSAEMSGSIZE);
            }
            match e.os() {
                sock::OsSocket::Dgram(u) => u.send_to(buf, to).map_err(|err| e.err(&err, e.ctx())),
                sock::OsSocket::Stream(_) => Err(WsaError::WSAEOPNOTSUPP),
            }
        })
    }

    /// `recvfrom`: on a datagram socket the OS `recvfrom`; on a stream socket `recv` with the
    /// address left unwritten (empty).
    fn recvfrom(
        &self,
        s: Socket,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<(usize, SockAddr), WsaError> {
        let dgram = self.with(s, |e| Ok(e.ty == SOCK_DGRAM))?;
        if !dgram {
            return self
                .recv(s, buf, flags)
                .map(|n| (n, SockAddr::from_bytes(&[])));
        }
        self.with(s, |e| {
            if waitall_refused(e, flags) {
                return Err(WsaError::WSAEOPNOTSUPP);
            }
            if e.shut_rd.load(Ordering::Relaxed) {
                return Err(WsaError::WSAESHUTDOWN);
            }
            if e.local()?.is_none() || self.sees_unbound(s) {
                return Err(WsaError::WSAEINVAL);
            }
            let r = match e.os() {
                sock::OsSocket::Dgram(u) if flags & MSG_PEEK != 0 => u.peek_from(buf),
                sock::OsSocket::Dgram(u) => u.recv_from(buf),
                sock::OsSocket::Stream(_) => return Err(WsaError::WSAEOPNOTSUPP),
            };
            r.map(|(n, from)| (n, SockAddr::from(from)))
                .map_err(|err| e.err(&err, e.ctx()))
        })
    }

    /// `shutdown`: the OS shutdown; the directions are remembered for `send`/`recv`.
    fn shutdown(&self, s: Socket, how: i32) -> Result<(), WsaError> {
        self.with(s, |e| {
            let dir = match how {
                SD_RECEIVE => Shutdown::Read,
                SD_SEND => Shutdown::Write,
                SD_BOTH => Shutdown::Both,
                _ if !e.seen_connected() => return Err(WsaError::WSAENOTCONN),
                _ => return Err(WsaError::WSAEINVAL),
            };
            e.sock().shutdown(dir).map_err(|err| e.err(&err, e.ctx()))?;
            if how != SD_SEND {
                e.shut_rd.store(true, Ordering::Relaxed);
            }
            if how != SD_RECEIVE {
                e.shut_wr.store(true, Ordering::Relaxed);
            }
            Ok(())
        })
    }

    /// `closesocket`: frees the handle and closes the descriptor (graceful, or abortive under
    /// SO_LINGER {1, 0}, as the OS does it).
    fn closesocket(&self, s: Socket) -> Result<(), WsaError> {
        self.call(|| {
            let mut t = self.inner.table.lock();
            let e = t.handles.remove(s.raw()).ok_or(WsaError::WSAENOTSOCK)?;
            t.stale_unbound.remove(&s.raw());
            // One of several handles (WSADuplicateSocket): the socket lives on.
            let shared = t.handles.any(|x| Arc::ptr_eq(x, &e));
            drop(t);
            if !shared {
                System::retire(e);
            }
            Ok(())
        })
    }

    /// `ioctlsocket`: FIONBIO sets the OS's nonblocking mode; FIONREAD peeks (see the module
    /// doc); SIOCATMARK and other codes give WSAEOPNOTSUPP.
    fn ioctlsocket(&self, s: Socket, cmd: u32, arg: &mut u32) -> Result<(), WsaError> {
        self.with(s, |e| match cmd {
            FIONBIO => {
                let on = *arg != 0;
                e.sock().set_nonblocking(on).map_err(|err| os_err(&err))?;
                e.nonblocking.store(on, Ordering::Relaxed);
                Ok(())
            }
            FIONREAD => {
                *arg = e.bytes_readable();
                Ok(())
            }
            _ => Err(WsaError::WSAEOPNOTSUPP),
        })
    }

    /// `getsockname`: the OS's local address; WSAEINVAL while unbound.
    fn getsockname(&self, s: Socket) -> Result<SockAddr, WsaError> {
        self.with(s, |e| {
            e.local()?.map(SockAddr::from).ok_or(WsaError::WSAEINVAL)
        })
    }

    /// `getpeername`: the OS's peer address; WSAENOTCONN when not connected.
    fn getpeername(&self, s: Socket) -> Result<SockAddr, WsaError> {
        self.with(s, |e| {
            let a = e.sock().peer_addr().map_err(|err| e.err(&err, e.ctx()))?;
            a.as_socket()
                .map(SockAddr::from)
                .ok_or(WsaError::WSAENOTCONN)
        })
    }

    /// `setsockopt`: Windows' option values and length rules, carried out by socket2.
    fn setsockopt(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: &[u8],
    ) -> Result<(), WsaError> {
        self.with(s, |e| sockopt::set(e, level, optname, optval))
    }

    /// `getsockopt`: the OS's value in Windows' units and layout.
    fn getsockopt(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: &mut [u8],
    ) -> Result<usize, WsaError> {
        self.with(s, |e| sockopt::get(e, level, optname, optval))
    }

    /// `Sleep`: `std::thread::sleep`; `Sleep(0)` yields, `Sleep(INFINITE)` never returns.
    fn sleep(&self, ms: u32) {
        match ms {
            0 => std::thread::yield_now(),
            INFINITE => loop {
                std::thread::park();
            },
            _ => std::thread::sleep(Duration::from_millis(u64::from(ms))),
        }
    }

    /// `GetTickCount`: milliseconds since [`System::new`], wrapping after 49.7 days.
    fn get_tick_count(&self) -> u32 {
        self.get_tick_count64() as u32
    }

    /// `GetTickCount64`: milliseconds since [`System::new`].
    fn get_tick_count64(&self) -> u64 {
        u64::try_from(self.inner.started_at.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// `QueryPerformanceCounter`: 100-ns ticks since [`System::new`] (std's monotonic clock).
    fn query_performance_counter(&self) -> i64 {
        i64::try_from(self.inner.started_at.elapsed().as_nanos() / 100).unwrap_or(i64::MAX)
    }

    /// `QueryPerformanceFrequency`: 10 MHz, as the counter above counts.
    fn query_performance_frequency(&self) -> i64 {
        10_000_000
    }

    /// `GetSystemInfo`: the host's available parallelism.
    fn get_system_info(&self) -> crate::api::SystemInfo {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        crate::api::SystemInfo {
            number_of_processors: n as u32,
        }
    }

    /// `CreateThread`: an OS thread named `name` running `f` with a clone of this `System`;
    /// its result is not kept (the trait has no `GetExitCodeThread`).
    fn create_thread<F>(&self, name: &str, f: F) -> Result<ThreadId, WsaError>
    where
        F: FnOnce(&Self) -> Result<(), WsaError> + Send + 'static,
    {
        let spawned = self.inner.threads.spawn(
            name,
            self.clone(),
            |sys| &sys.inner.threads,
            move |sys| {
                let _ = f(sys);
            },
        );
        finish(spawned.map_err(|err| os_err(&err)))
    }

    /// `WaitForSingleObject` on a thread: a condition-variable wait with the timeout.
    fn wait_for_thread(&self, t: ThreadId, timeout_ms: u32) -> Result<(), WsaError> {
        finish(self.inner.threads.wait(t, timeout_ms))
    }
}

/// `recv_flags::waitall_refused` for entry `e`: the host's own stack would take the flags
/// (Linux peeks, or returns what a nonblocking socket has).
fn waitall_refused(e: &sock::Entry, flags: i32) -> bool {
    let nonblocking = e.nonblocking.load(Ordering::Relaxed);
    crate::api::recv_flags::waitall_refused(flags, nonblocking, e.ty == SOCK_DGRAM)
}
