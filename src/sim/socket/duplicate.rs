//! Several handles for one socket: `WSADuplicateSocket` and `WSASocket` from its protocol
//! info, and what `closesocket` does while other handles remain.
//!
//! Windows duplicates a socket as `DuplicateHandle` duplicates a file: the new handle names
//! the same AFD endpoint, so data, state and options are shared, and the endpoint lives until
//! its last handle closes (closing one handle sends no FIN and cancels no I/O). The simulator
//! keeps the first handle in `Sock::handle` and the others in `Sock::dups`; `closesocket` on
//! one of several frees that handle only, and the socket's end (`close_socket`), WSACleanup,
//! AcceptEx's hand-over of the accept socket's handle and TF_REUSE_SOCKET act on all of them,
//! so no handle is left naming a freed socket id. A pending AcceptEx records its accept
//! socket by id, so closing one of its handles while another remains changes nothing for it.
//!
//! What is *not* shared is WinSock's user-mode copy of the socket's state, read when
//! `WSASocket` opens the duplicate: a datagram socket still unbound at that moment stays
//! unbound for that handle, and `recvfrom` through it fails with WSAEINVAL even after the
//! original is bound (sock.c test_WSADuplicateSocket, line 3868). The simulator records such
//! handles in `Process::stale_unbound` and checks it on a datagram receive.
//!
//! `DuplicateHandle` gives a socket another handle the same way, but WinSock's user-mode
//! table never hears of it: `WSAGetOverlappedResult`, which looks a socket up only there,
//! refuses it with WSAENOTSOCK (sock.c test_WSAGetOverlappedResult), while the calls that
//! reach the socket through its handle take it (test_valid_handle: send, sendto, WSASend).
//! The simulator records such handles in `Process::unlisted`.

use crate::api::{Socket, WsaError};
use crate::sim::net::endpoint::Id32;
use crate::sim::runtime::World;

use super::handles::HandleObj;
use super::SockLayers;

/// `GetCurrentProcessId()` of host `host`'s one process: multiples of 4 as Windows' ids are,
/// from 0x1000 (a fixed choice, so runs are reproducible).
pub(crate) fn process_id(host: usize) -> u32 {
    0x1000 + 4 * host as u32
}

impl<L: SockLayers> World<L> {
    /// `WSADuplicateSocket`'s handle: a new handle value of `host`'s process naming socket
    /// `id` (the checks are the caller's).
    pub(crate) fn duplicate_handle(&mut self, host: usize, id: usize) -> usize {
        let h = self.sock.procs[host].alloc_handle(HandleObj::Socket(id));
        self.net.sockets.at(id).dups.push(h);
        h
    }

    /// `DuplicateHandle`'s handle on socket `id`: a duplicate WinSock's table does not list.
    pub(crate) fn duplicate_unlisted(&mut self, host: usize, id: usize) -> usize {
        let h = self.duplicate_handle(host, id);
        self.sock.procs[host].unlisted.insert(h);
        h
    }

    /// Whether handle `h` is missing from WinSock's table (made by `DuplicateHandle`).
    pub(crate) fn is_unlisted(&self, host: usize, h: usize) -> bool {
        self.sock.procs[host].unlisted.contains(&h)
    }

    /// `WSASocket` with a duplicate's protocol info: opens handle `h`, recording a datagram
    /// socket's unbound state as this handle's view. WSAEINVAL when `h` names no socket (the
    /// info is stale: its handle was closed).
    pub(crate) fn open_duplicate(&mut self, host: usize, h: usize) -> Result<Socket, WsaError> {
        let id = self
            .sock_id(host, Socket::from_raw(h))
            .map_err(|_| WsaError::WSAEINVAL)?;
        let s = self.net.sockets.at(id);
        if s.ty == crate::api::consts::SOCK_DGRAM && s.local.is_none() {
            self.sock.procs[host].stale_unbound.insert(h);
        }
        Ok(Socket::from_raw(h))
    }

    /// Whether handle `h` still sees its datagram socket as unbound (see the module doc).
    pub(crate) fn sees_unbound(&self, host: usize, h: usize) -> bool {
        self.sock.procs[host].stale_unbound.contains(&h)
    }

    /// `closesocket(h)` on socket `id`: when other handles name it, frees `h` only (the
    /// earliest remaining handle becomes the socket's first) and returns true; false when
    /// `h` is its last handle and the socket must close.
    pub(crate) fn close_one_handle(&mut self, host: usize, h: usize, id: usize) -> bool {
        let s = self.net.sockets.at(id);
        if s.dups.is_empty() {
            return false;
        }
        if s.handle == Some(Id32::new(h)) {
            s.handle = Some(Id32::new(s.dups.remove_first()));
        } else {
            s.dups.retain(|&d| d != h);
        }
        self.release_handle(host, h);
        true
    }

    /// Frees every duplicate handle of socket `id` (the socket is ending).
    pub(crate) fn free_dups(&mut self, id: usize) {
        let s = self.net.sockets.at(id);
        let host = s.host;
        for h in s.dups.take() {
            self.release_handle(host, h);
        }
    }

    /// Points every duplicate handle of socket `old` at socket `new` (the handle moved to a
    /// new socket object: AcceptEx, TF_REUSE_SOCKET; the duplicates name the same endpoint).
    pub(crate) fn move_dups(&mut self, old: usize, new: usize) {
        let s = self.net.sockets.at(old);
        let host = s.host;
        let dups = s.dups.take();
        for &h in &dups {
            self.sock.procs[host].replace_handle(h, HandleObj::Socket(new));
        }
        self.net.sockets.at(new).dups.extend(dups);
    }
}
