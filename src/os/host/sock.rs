//! One OS socket and what the backend remembers about it beside the OS.
//!
//! The socket is owned as a `std` type ([`std::net::TcpStream`] for streams,
//! [`std::net::UdpSocket`] for datagrams, whatever its state: `std` only wraps the
//! descriptor) and reached through [`socket2::SockRef`] for everything else. `std` is needed
//! for one thing socket2 cannot do without `unsafe`: `peek` into an initialised `&mut [u8]`.
//!
//! The flags kept here are the WinSock state that Unix does not keep or reports differently:
//! blocking mode (Unix cannot be asked on Windows, and a timeout's EAGAIN must become
//! WSAETIMEDOUT only on blocking sockets), listening, the two `shutdown` directions (Unix's
//! `recv` after SHUT_RD returns 0 where Windows fails with WSAESHUTDOWN), and `closed`, so a
//! call still running on another thread when `closesocket` runs ends with WSAEINTR.

use std::io::Read;
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use socket2::{Domain, Protocol, SockRef, Type};

use super::errors::{wsa_from_io, Ctx};
use crate::api::consts::*;
use crate::api::WsaError;

/// The OS socket.
#[derive(Debug)]
pub(crate) enum OsSocket {
    /// SOCK_STREAM.
    Stream(TcpStream),
    /// SOCK_DGRAM.
    Dgram(UdpSocket),
}

/// A socket of the handle table.
#[derive(Debug)]
pub(crate) struct Entry {
    /// `None` only while the entry is being dropped after [`Entry::close_under_callers`].
    os: Option<OsSocket>,
    /// The OS socket was closed by [`Entry::close_under_callers`]: dropping the entry must
    /// not close its handle value again (Windows may have given it to a new socket).
    os_closed: AtomicBool,
    /// AF_INET or AF_INET6 (WinSock values).
    pub family: i32,
    /// SOCK_STREAM or SOCK_DGRAM.
    pub ty: i32,
    pub nonblocking: AtomicBool,
    pub listening: AtomicBool,
    /// Seen connected (accepted, connected, or found with a peer): Linux reports a send on
    /// a never-connected socket as EPIPE, which must become WSAENOTCONN there only.
    pub connected: AtomicBool,
    pub shut_rd: AtomicBool,
    pub shut_wr: AtomicBool,
    /// `closesocket` ran; calls still in progress end with WSAEINTR.
    pub closed: AtomicBool,
    /// An error a FIONREAD probe took from the OS (Unix clears a pending error when any
    /// receive, even a peek, reports it); the next call that would have seen it gets it.
    pub stashed: Mutex<Option<WsaError>>,
}

impl Entry {
    /// `socket(af, type, protocol)` after Windows' argument rules.
    pub(crate) fn open(af: i32, ty: i32, proto: i32) -> Result<Entry, WsaError> {
        let (family, ty, proto) = crate::api::socket_args::resolve_socket_args(af, ty, proto)?;
        let domain = if family == AF_INET6 {
            Domain::IPV6
        } else {
            Domain::IPV4
        };
        let (t, p) = if ty == SOCK_STREAM {
            (Type::STREAM, Protocol::TCP)
        } else {
            (Type::DGRAM, Protocol::UDP)
        };
        debug_assert!(proto == IPPROTO_TCP || proto == IPPROTO_UDP);
        let s = socket2::Socket::new(domain, t, Some(p)).map_err(|e| os_err(&e))?;
        let os = if ty == SOCK_STREAM {
            OsSocket::Stream(s.into())
        } else {
            OsSocket::Dgram(s.into())
        };
        Ok(Entry::new(os, family, ty))
    }

    /// An entry for an OS socket (a new one, or one `accept` returned).
    pub(crate) fn new(os: OsSocket, family: i32, ty: i32) -> Entry {
        Entry {
            os: Some(os),
            os_closed: AtomicBool::new(false),
            family,
            ty,
            nonblocking: AtomicBool::new(false),
            listening: AtomicBool::new(false),
            connected: AtomicBool::new(false),
            shut_rd: AtomicBool::new(false),
            shut_wr: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            stashed: Mutex::new(None),
        }
    }

    /// The OS socket.
    pub(crate) fn os(&self) -> &OsSocket {
        self.os
            .as_ref()
            .expect("the OS socket is present until the entry is dropped")
    }

    /// `closesocket` while other threads are inside calls on this socket. On Windows the OS
    /// socket is closed now, which ends a blocked `recv`, `send` or `accept` (a shutdown does
    /// not, SH-03); the entry then never closes the handle value again. Elsewhere a shutdown
    /// for receiving wakes a blocked `recv` or `accept`, and the descriptor closes when the
    /// last call lets go of it (closing a descriptor another thread is blocked on does not
    /// wake that thread on Linux).
    pub(crate) fn close_under_callers(&self) {
        #[cfg(windows)]
        {
            use std::os::windows::io::AsRawSocket;
            if !self.os_closed.swap(true, Ordering::AcqRel) {
                crate::os::windows::close_raw_socket(self.sock().as_raw_socket());
            }
        }
        #[cfg(not(windows))]
        {
            let _ = self.sock().shutdown(std::net::Shutdown::Read);
        }
    }

    /// socket2's view of the socket.
    pub(crate) fn sock(&self) -> SockRef<'_> {
        match self.os() {
            OsSocket::Stream(s) => SockRef::from(s),
            OsSocket::Dgram(s) => SockRef::from(s),
        }
    }

    /// The error context for this socket's calls.
    pub(crate) fn ctx(&self) -> Ctx {
        Ctx {
            connect: false,
            shut_wr: self.shut_wr.load(Ordering::Relaxed),
        }
    }

    /// An OS error as WinSock reports it on this socket: EAGAIN from a *blocking* socket means
    /// SO_RCVTIMEO / SO_SNDTIMEO ran out, which Windows reports as WSAETIMEDOUT; an ICMP
    /// "port unreachable" on a datagram socket is WSAECONNRESET on Windows, not "refused".
    pub(crate) fn err(&self, e: &std::io::Error, ctx: Ctx) -> WsaError {
        match wsa_from_io(e, ctx) {
            WsaError::WSAEWOULDBLOCK if !self.nonblocking.load(Ordering::Relaxed) => {
                WsaError::WSAETIMEDOUT
            }
            WsaError::WSAECONNREFUSED if self.ty == SOCK_DGRAM && !ctx.connect => {
                WsaError::WSAECONNRESET
            }
            w => w,
        }
    }

    /// Whether the socket is or was connected; asks the OS until it first says yes.
    pub(crate) fn seen_connected(&self) -> bool {
        if self.connected.load(Ordering::Relaxed) {
            return true;
        }
        let yes = !self.listening.load(Ordering::Relaxed) && self.sock().peer_addr().is_ok();
        if yes {
            self.connected.store(true, Ordering::Relaxed);
        }
        yes
    }

    /// A stashed error, if a FIONREAD probe took one.
    pub(crate) fn take_stashed(&self) -> Option<WsaError> {
        self.stashed.lock().take()
    }

    /// The local address, or `None` while the socket is unbound (Unix reports an unbound
    /// socket as the wildcard address with port 0; Windows fails with WSAEINVAL).
    pub(crate) fn local(&self) -> Result<Option<SocketAddr>, WsaError> {
        match self.sock().local_addr() {
            Ok(a) => Ok(a.as_socket().filter(|a| a.port() != 0)),
            // Windows itself fails with WSAEINVAL on an unbound socket.
            Err(e) => match os_err(&e) {
                WsaError::WSAEINVAL => Ok(None),
                w => Err(w),
            },
        }
    }

    /// One `recv` into `buf`, retried when a signal interrupts it.
    pub(crate) fn recv_once(&self, buf: &mut [u8], peek: bool) -> std::io::Result<usize> {
        loop {
            let r = match (self.os(), peek) {
                (OsSocket::Stream(s), false) => (&*s).read(buf),
                (OsSocket::Stream(s), true) => s.peek(buf),
                (OsSocket::Dgram(s), false) => s.recv(buf),
                (OsSocket::Dgram(s), true) => s.peek(buf),
            };
            match r {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }

    /// One `send`, retried when a signal interrupts it. `flags` are the OS's.
    pub(crate) fn send_once(&self, buf: &[u8], flags: i32) -> std::io::Result<usize> {
        loop {
            match self.sock().send_with_flags(buf, flags | MSG_NOSIGNAL) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return r,
            }
        }
    }

    /// The bytes a normal `recv` could take now, found without blocking or consuming: a peek
    /// into a 64 KiB scratch buffer, so larger amounts read as 65536 and a datagram socket
    /// reports its first datagram only.
    pub(crate) fn bytes_readable(&self) -> u32 {
        match self.peek_now() {
            Ok(n) => n as u32,
            Err(e) => {
                let w = wsa_from_io(&e, self.ctx());
                if !matches!(w, WsaError::WSAEWOULDBLOCK | WsaError::WSAENOTCONN) {
                    *self.stashed.lock() = Some(w);
                }
                0
            }
        }
    }

    /// A nonblocking MSG_PEEK into scratch space. Only the count is used, so the scratch
    /// can stay uninitialised.
    #[cfg(unix)]
    fn peek_now(&self) -> std::io::Result<usize> {
        let mut scratch = vec![std::mem::MaybeUninit::<u8>::uninit(); FIONREAD_SCRATCH];
        self.sock()
            .recv_with_flags(&mut scratch, OS_MSG_PEEK | MSG_DONTWAIT)
    }

    /// A nonblocking MSG_PEEK into scratch space (Windows has no MSG_DONTWAIT: the socket
    /// is switched to nonblocking around the peek).
    #[cfg(windows)]
    fn peek_now(&self) -> std::io::Result<usize> {
        let nb = self.nonblocking.load(Ordering::Relaxed);
        let s = self.sock();
        if !nb {
            s.set_nonblocking(true)?;
        }
        let mut scratch = vec![std::mem::MaybeUninit::<u8>::uninit(); FIONREAD_SCRATCH];
        let r = s.recv_with_flags(&mut scratch, OS_MSG_PEEK);
        if !nb {
            s.set_nonblocking(false)?;
        }
        r
    }
}

impl Drop for Entry {
    /// Closes the OS socket, unless [`Entry::close_under_callers`] already did: then the
    /// std socket is forgotten, since its handle value may already name another socket.
    fn drop(&mut self) {
        if self.os_closed.load(Ordering::Acquire) {
            std::mem::forget(self.os.take());
        }
    }
}

/// The scratch buffer of the FIONREAD probe.
const FIONREAD_SCRATCH: usize = 64 * 1024;

/// MSG_PEEK as the OS numbers it (2 on Windows, Linux and the BSDs alike).
const OS_MSG_PEEK: i32 = 0x2;

/// MSG_NOSIGNAL: send must not raise SIGPIPE (Linux-like systems; Apple's sockets get
/// SO_NOSIGPIPE from socket2 instead, and Windows has no signals).
#[cfg(any(target_os = "linux", target_os = "android"))]
const MSG_NOSIGNAL: i32 = 0x4000;
#[cfg(any(target_os = "freebsd", target_os = "openbsd", target_os = "netbsd"))]
const MSG_NOSIGNAL: i32 = if cfg!(target_os = "openbsd") {
    0x400
} else {
    0x20000
};
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd"
)))]
const MSG_NOSIGNAL: i32 = 0;

/// MSG_DONTWAIT: this call only is nonblocking.
#[cfg(any(target_os = "linux", target_os = "android"))]
const MSG_DONTWAIT: i32 = 0x40;
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
const MSG_DONTWAIT: i32 = 0x80;

/// An OS error in a call with no socket state to consult.
pub(crate) fn os_err(e: &std::io::Error) -> WsaError {
    wsa_from_io(e, Ctx::default())
}

/// The WinSock family of a socket address.
pub(crate) fn family_of(a: &SocketAddr) -> i32 {
    if a.is_ipv4() {
        AF_INET
    } else {
        AF_INET6
    }
}
