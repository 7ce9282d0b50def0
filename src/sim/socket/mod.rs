//! The socket layer: WinSock's socket calls on top of the network layer — SOCKET handles and
//! each process's handle table, `bind` and its conflict rules, socket options, and the calls
//! that connect, accept, move data and close (each a `Step`: done, or wait).
//!
//! Map:
//! - `duplicate` — several handles for one socket (`WSADuplicateSocket`);
//! - `handles` — handle tables ([`handles::Process`]), `socket()`, handle look-up;
//! - `bind` — `bind` and the implicit bind of `connect`;
//! - `sockopt` — `getsockopt` / `setsockopt` over the option table;
//! - `connect` — `listen`, `connect`; `accept` — `accept`, blocked callers served oldest
//!   first; `conditional_accept` — what `WSAAccept`'s condition function needs;
//! - `stream` — `send`, `recv`, `shutdown`, `closesocket`, `ioctlsocket`, `getsockname`,
//!   `getpeername`;
//! - `wait_report` — what a thread blocked on sockets waits for, for a failed run's report.

pub(crate) mod accept;
pub(crate) mod bind;
pub(crate) mod conditional_accept;
pub(crate) mod connect;
pub(crate) mod duplicate;
pub(crate) mod handles;
pub(crate) mod sockopt;
pub(crate) mod stream;
pub(crate) mod wait_report;

use crate::sim::net::{NetHooks, NetLayers};

use handles::Process;

/// The socket layer's state: one process (handle table, WSAStartup count) per host.
#[derive(Debug, Default)]
pub(crate) struct SocketLayer {
    pub procs: Vec<Process>,
    /// The HANDLE_FLAG_INHERIT / HANDLE_FLAG_PROTECT_FROM_CLOSE of the handles whose flags
    /// were set, by (host, handle value) (the others have their kind's: see
    /// `World::handle_flags_of`); kept beside the handle tables, which the hot path indexes.
    pub handle_flags: std::collections::BTreeMap<(usize, usize), u32>,
    /// The same for thread handles, by (host, thread id): a thread's handle is its id.
    pub thread_flags: std::collections::BTreeMap<(usize, usize), u32>,
}

/// The layer types as the socket layer needs them.
pub(crate) trait SockLayers: NetLayers<Sock = SocketLayer> {}
impl<L: NetLayers<Sock = SocketLayer>> SockLayers for L {}

/// What the socket calls ask of, and tell, the layers above them (the overlapped and
/// mswsock machinery of the I/O models).
pub(crate) trait SockHooks<L: SockLayers>: NetHooks<L> {
    /// `accept` took connection `child` from listener `lid` (FD_ACCEPT re-enabled; the child
    /// inherits the listener's registration).
    fn on_accepted(&mut self, lid: usize, child: usize);
    /// Whether a ConnectEx is still in progress on socket `id`.
    fn connect_ex_in_progress(&self, id: usize) -> bool;
    /// Whether socket `id` was connected by ConnectEx.
    fn connected_by_connect_ex(&self, id: usize) -> bool;
    /// Whether socket `id` is the accept socket of a pending AcceptEx.
    fn accept_ex_pending_into(&self, id: usize) -> bool;
}
