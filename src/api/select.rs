//! `select()` and `fd_set`.

use super::consts::FD_SETSIZE;
use super::types::Socket;
use super::{Winsock, WsaError};
use std::time::Duration;

/// `fd_set`: up to `capacity` sockets (FD_SETSIZE = 64 unless raised, as redefining
/// FD_SETSIZE before including winsock2.h does in C).
///
/// ```
/// use winsock_sim::prelude::*;
/// let mut set = FdSet::with_capacity(2);
/// let (a, b, c) = (Socket::from_raw(0x100), Socket::from_raw(0x104), Socket::from_raw(0x108));
/// set.set(a);
/// set.set(a); // already present: FD_SET does not add it twice
/// set.set(b);
/// set.set(c); // full: FD_SET does nothing, as the Windows macro does
/// assert_eq!(set.len(), 2);
/// assert!(set.is_set(b) && !set.is_set(c));
/// set.clr(a);
/// assert_eq!(set.iter().collect::<Vec<_>>(), vec![b]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdSet {
    sockets: Vec<Socket>,
    capacity: usize,
}

impl Default for FdSet {
    fn default() -> FdSet {
        FdSet::new()
    }
}

impl FdSet {
    /// An empty set of FD_SETSIZE (64) slots (`FD_ZERO`).
    pub fn new() -> FdSet {
        FdSet::with_capacity(FD_SETSIZE)
    }

    /// An empty set with room for `capacity` sockets (a raised FD_SETSIZE).
    pub fn with_capacity(capacity: usize) -> FdSet {
        FdSet {
            sockets: Vec::with_capacity(capacity.min(1024)),
            capacity,
        }
    }

    /// A set whose `fd_array` and `fd_count` a program filled by hand, as C code may do: the
    /// sockets in the given order, duplicates kept (FD_SET would skip them), with room for
    /// exactly that many. `select` reports each ready socket once, whatever its duplicates.
    ///
    /// ```
    /// use winsock_sim::prelude::*;
    /// let s = Socket::from_raw(0x100);
    /// let set = FdSet::from_array(&[s, s]);
    /// assert_eq!((set.len(), set.capacity()), (2, 2));
    /// ```
    pub fn from_array(sockets: &[Socket]) -> FdSet {
        FdSet {
            sockets: sockets.to_vec(),
            capacity: sockets.len(),
        }
    }

    /// `FD_ZERO(set)`.
    pub fn zero(&mut self) {
        self.sockets.clear();
    }

    /// `FD_SET(s, set)`: adds `s` unless present or the set is full.
    pub fn set(&mut self, s: Socket) {
        if !self.sockets.contains(&s) && self.sockets.len() < self.capacity {
            self.sockets.push(s);
        }
    }

    /// `FD_CLR(s, set)`.
    pub fn clr(&mut self, s: Socket) {
        self.sockets.retain(|&x| x != s);
    }

    /// `FD_ISSET(s, set)`.
    pub fn is_set(&self, s: Socket) -> bool {
        self.sockets.contains(&s)
    }

    /// `fd_count`.
    pub fn len(&self) -> usize {
        self.sockets.len()
    }

    /// Whether `fd_count` is 0.
    pub fn is_empty(&self) -> bool {
        self.sockets.is_empty()
    }

    /// The set's capacity (its FD_SETSIZE).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// `fd_array[0..fd_count]`, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = Socket> + '_ {
        self.sockets.iter().copied()
    }

    /// Keeps only the sockets for which `keep` is true (what `select` does on return).
    pub fn retain(&mut self, keep: impl FnMut(&Socket) -> bool) {
        self.sockets.retain(keep);
    }
}

/// The `select` I/O model.
pub trait Select: Winsock {
    /// `select(nfds, readfds, writefds, exceptfds, timeout)`: waits until a socket in a set
    /// is ready; on return each set holds only its ready sockets and the result counts them
    /// (0 on timeout). `timeout` None waits forever, zero polls. Readable: a connection to
    /// accept, data, a graceful close or a reset. Writable: send space, or a nonblocking
    /// connect that succeeded. Except: urgent data, or a connect that failed. All sets absent
    /// or empty: WSAEINVAL; a value that is not a socket: WSAENOTSOCK (sets untouched). A
    /// socket closed by another thread during the wait ends it and shows in readfds if it was
    /// there; if then no set holds a ready socket, WSAENOTSOCK with the sets emptied. A socket
    /// given twice in a set (see [`FdSet::from_array`]) comes back once.
    fn select(
        &self,
        readfds: Option<&mut FdSet>,
        writefds: Option<&mut FdSet>,
        exceptfds: Option<&mut FdSet>,
        timeout: Option<Duration>,
    ) -> Result<usize, WsaError>;

    /// `WSAPoll(fdArray, fds, timeout)`: fills each entry's `revents` and returns how many
    /// entries have any; `timeout_ms` < 0 waits forever, 0 polls. An empty array gives
    /// WSAEINVAL. If every entry is invalid (not a socket) the call fails with WSAENOTSOCK and
    /// each gets POLLNVAL. Otherwise requested bits may only be POLLRDNORM, POLLRDBAND,
    /// POLLWRNORM (POLLIN, POLLOUT), else WSAEINVAL (an INVALID_SOCKET entry's `events` are not
    /// checked); an entry that is not a socket gets POLLNVAL and is not counted. POLLHUP and
    /// POLLERR are reported even when not requested. APCs queued to the thread run while it
    /// waits, and the wait goes on.
    fn wsa_poll(&self, fds: &mut [WsaPollFd], timeout_ms: i32) -> Result<usize, WsaError>;
}

/// WSAPOLLFD: one entry of `WSAPoll`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WsaPollFd {
    /// fd: the socket.
    pub fd: Socket,
    /// events: what to wait for (POLLRDNORM, POLLRDBAND, POLLWRNORM).
    pub events: i16,
    /// revents: what happened (written by the call).
    pub revents: i16,
}

impl WsaPollFd {
    /// An entry for `fd` waiting for `events`, `revents` cleared.
    pub fn new(fd: Socket, events: i16) -> WsaPollFd {
        WsaPollFd {
            fd,
            events,
            revents: 0,
        }
    }
}
