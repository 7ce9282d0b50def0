//! SOCKET handles: each host's process has one handle table, shared by sockets and kernel
//! objects (events, windows, ports) as on Windows, and its WSAStartup count. A handle names a
//! socket object of the network layer or, opaquely, an object of a layer above.

use crate::api::consts::*;
use crate::api::{Socket, WsaError};
use crate::sim::net::endpoint::{Id32, Role, Sock};
use crate::sim::runtime::World;

use super::SockLayers;

/// What a handle value of a host's handle table names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HandleObj {
    /// A socket (index into the socket table).
    Socket(usize),
    /// A kernel object of a wait model (event, port, window): index into its own table.
    Object(usize),
}

/// First handle value handed out; Windows' values are small multiples of 4 as well.
pub(crate) const FIRST_HANDLE: usize = 0x100;

/// One host's process: its handle table and its WSAStartup count.
#[derive(Debug)]
pub(crate) struct Process {
    /// Outstanding successful WSAStartup calls.
    pub wsa_refs: u32,
    /// The handle table: slot `i` is handle value `FIRST_HANDLE + 4 * i`.
    pub handles: Vec<Option<HandleObj>>,
    /// Freed handle values, reused last-freed first as Windows' handle table does.
    pub free_handles: Vec<usize>,
    pub next_handle: usize,
    /// Duplicate handles opened by `WSASocket` while their socket was unbound: their
    /// user-mode context still says so (see `duplicate.rs`).
    pub stale_unbound: std::collections::BTreeSet<usize>,
    /// Socket handles made by `DuplicateHandle`: WinSock's own table does not list them
    /// (see `duplicate.rs`).
    pub unlisted: std::collections::BTreeSet<usize>,
}

impl Default for Process {
    fn default() -> Process {
        Process {
            wsa_refs: 0,
            handles: Vec::new(),
            free_handles: Vec::new(),
            next_handle: FIRST_HANDLE,
            stale_unbound: std::collections::BTreeSet::new(),
            unlisted: std::collections::BTreeSet::new(),
        }
    }
}

impl Process {
    /// The handle value that names kernel object `idx`, if one does (a report's lookup: it
    /// scans the table).
    pub(crate) fn handle_of_object(&self, idx: usize) -> Option<usize> {
        self.handles
            .iter()
            .position(|o| matches!(o, Some(HandleObj::Object(i)) if *i == idx))
            .map(|slot| FIRST_HANDLE + 4 * slot)
    }

    /// Allocates a handle value for `obj`.
    pub(crate) fn alloc_handle(&mut self, obj: HandleObj) -> usize {
        let h = self.free_handles.pop().unwrap_or_else(|| {
            let h = self.next_handle;
            self.next_handle += 4;
            self.handles.push(None);
            h
        });
        self.handles[(h - FIRST_HANDLE) / 4] = Some(obj);
        h
    }

    /// Points an open handle at another object (AcceptEx hands the accept socket's handle
    /// to the accepted connection).
    pub(crate) fn replace_handle(&mut self, h: usize, obj: HandleObj) {
        if let Some(slot) = self
            .handle(h)
            .and(self.handles.get_mut((h - FIRST_HANDLE) / 4))
        {
            *slot = Some(obj);
        }
    }

    /// What handle value `h` names, if anything.
    pub(crate) fn handle(&self, h: usize) -> Option<HandleObj> {
        if h < FIRST_HANDLE || h % 4 != 0 {
            return None;
        }
        *self.handles.get((h - FIRST_HANDLE) / 4)?
    }

    /// Every open handle's object, in handle order.
    pub(crate) fn objects(&self) -> Vec<HandleObj> {
        self.handles.iter().flatten().copied().collect()
    }

    /// Frees a handle value.
    pub(crate) fn free_handle(&mut self, h: usize) {
        if let Some(slot) = self
            .handle(h)
            .and(self.handles.get_mut((h - FIRST_HANDLE) / 4))
        {
            *slot = None;
            self.free_handles.push(h);
            self.stale_unbound.remove(&h);
            self.unlisted.remove(&h);
        }
    }
}

impl<L: SockLayers> World<L> {
    /// Handle `h`'s flags (HANDLE_FLAG_INHERIT, HANDLE_FLAG_PROTECT_FROM_CLOSE): those set
    /// for it, else its kind's: a socket's own handle (`socket`, `accept`) is inheritable,
    /// a DuplicateHandle'd one and a kernel object's are not. Only handles whose flags were
    /// set take room (a run of thousands of sockets keeps none).
    pub(crate) fn handle_flags_of(&self, host: usize, h: usize) -> u32 {
        if let Some(&f) = self.sock.handle_flags.get(&(host, h)) {
            return f;
        }
        let p = &self.sock.procs[host];
        match p.handle(h) {
            Some(HandleObj::Socket(_)) if !p.unlisted.contains(&h) => {
                crate::api::duplicate_handle::HANDLE_FLAG_INHERIT
            }
            _ => 0,
        }
    }

    /// Frees handle `h` of `host`, and its flags with it.
    pub(crate) fn release_handle(&mut self, host: usize, h: usize) {
        self.sock.procs[host].free_handle(h);
        self.sock.handle_flags.remove(&(host, h));
    }

    /// The socket id behind a user handle on `host`, or WSAENOTSOCK.
    pub(crate) fn sock_id(&self, host: usize, s: Socket) -> Result<usize, WsaError> {
        match self.sock.procs[host].handle(s.raw()) {
            Some(HandleObj::Socket(id)) => Ok(id),
            _ => Err(WsaError::WSAENOTSOCK),
        }
    }

    /// `socket()`: validates (family, type, protocol) as Windows does (conformance ER-03).
    pub(crate) fn create_socket(
        &mut self,
        host: usize,
        af: i32,
        ty: i32,
        proto: i32,
    ) -> Result<Socket, WsaError> {
        let (family, ty, _proto) = crate::api::socket_args::resolve_socket_args(af, ty, proto)?;
        let role = if ty == SOCK_DGRAM {
            Role::Dgram(Box::default())
        } else {
            Role::Idle
        };
        let opts = self.net.sockets.default_opts();
        let sock = Sock::new(host, family, ty, opts, role);
        let id = self.net.sockets.insert(sock);
        Ok(Socket::from_raw(self.give_handle(id)))
    }

    /// Gives socket `id` a handle in its host's table (inheritable, as `socket()`'s and
    /// `accept()`'s are: see [`World::handle_flags_of`]).
    pub(crate) fn give_handle(&mut self, id: usize) -> usize {
        let host = self.net.sockets.at(id).host;
        let h = self.sock.procs[host].alloc_handle(HandleObj::Socket(id));
        self.net.sockets.at(id).handle = Some(Id32::new(h));
        h
    }
}
