//! The WinSock surface: the [`Winsock`] trait every backend implements, its value types,
//! constants and error type.
//!
//! # The backend contract
//!
//! A backend gives each thread a handle implementing [`Winsock`]. Every method models the
//! WinSock (or Win32) call it is named after, in snake case, and must:
//! - return `Ok` exactly when the C call succeeds, and otherwise `Err` with the code
//!   `WSAGetLastError()` would give;
//! - set the calling thread's last error as Windows does: 0 after a success (Windows 7 and
//!   later), the code after a failure, so [`Winsock::wsa_get_last_error`] works for ported code;
//! - never panic on bad input: an unknown SOCKET is WSAENOTSOCK, a short buffer WSAEFAULT;
//! - route time and threads through the trait (`sleep`, `get_tick_count`, `create_thread`), so
//!   the simulator owns them.
//!
//! Backends: [`crate::sim`] (deterministic simulation) and, where available, [`crate::os`]
//! (the real network stack).

/// A newtype over a raw handle value (`usize`), for the opaque handles of the API's traits.
macro_rules! opaque_handle {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(usize);

        impl $name {
            /// A value from its raw number (for deliberately bad ones in tests).
            pub const fn from_raw(raw: usize) -> $name {
                $name(raw)
            }

            /// The raw number.
            pub const fn raw(self) -> usize {
                self.0
            }
        }
    };
}

pub(crate) mod addr_parse;
pub mod addr_text;
pub mod address_list;
pub mod async_select;
pub mod bsp_state;
pub(crate) mod c_call;
pub mod callback_environ;
pub mod connect_by_name;
pub mod consts;
pub mod database;
pub mod duplicate_handle;
pub mod error;
pub mod event_select;
pub mod extension;
pub mod inet_addr;
pub mod init_once;
pub mod interface_list;
pub mod io_completion;
pub mod iocp;
pub mod msg;
pub mod named_objects;
pub(crate) mod optlen;
pub mod overlapped;
pub mod protocol_info;
pub(crate) mod recv_flags;
pub mod resolve;
pub mod select;
pub(crate) mod services_file;
pub(crate) mod socket_args;
pub(crate) mod sockopt_rules;
pub mod sync;
pub mod sync_barrier;
pub mod system_time;
pub mod thread_local_storage;
pub mod thread_pool;
pub mod threadpool_cleanup_group;
pub mod threadpool_io;
pub mod threadpool_objects;
pub mod threadpool_pool;
pub mod threadpool_wait;
pub mod timer_resolution;
pub mod transmit_packets;
pub mod types;
pub mod wait_on_address;
pub mod waitable_timer;
pub mod wsaoverlapped;

pub use async_select::{
    AsyncSelect, Hwnd, Msg, TimerProc, WndProc, HWND_BOTTOM, HWND_BROADCAST, HWND_TOPMOST,
};
pub use callback_environ::{
    CallbackEnviron, CleanupCancelCallback, TpCallbackPriority, TpCleanupGroup, TpMember, TpPool,
};
pub use connect_by_name::{ByNameAddrs, ConnectByName};
pub use consts::*;
pub use duplicate_handle::DuplicateHandles;
pub use error::WsaError;
pub use event_select::{EventSelect, WsaEvent, WsaNetworkEvents};
pub use extension::{ConditionFn, ExtensionFunction, Guid, WinsockExt};
pub use init_once::{InitOnce, InitOnceApi};
pub use iocp::{CompletionPacket, CompletionPort, Iocp};
pub use msg::{parse_cmsgs, Cmsg, WsaMsg};
pub use named_objects::NamedObjects;
pub use overlapped::{
    ApcRoutine, CompletionRoutine, Immediate, IoCompletion, Overlapped, OverlappedIo,
    TransmitFileBuffers,
};
pub use protocol_info::{ProtocolInfoApi, WsaProtocolInfo};
pub use resolve::{AddrInfo, AddrInfoHints, Hostent, Protoent, Resolve, Servent};
pub use select::{FdSet, Select, WsaPollFd};
pub use sync::{
    ConditionVariable, ConsoleCtrlHandler, CriticalSection, CtrlHandlerId, Handle, MutexHandle,
    SemaphoreHandle, SrwLock, SyncObjects, TimerHandle,
};
pub use sync_barrier::{SyncBarrier, SyncBarriers};
pub use system_time::{SystemTime, SystemTimes};
pub use thread_local_storage::{FlsCallback, ThreadLocalStorage};
pub use thread_pool::{
    DeleteCompletion, IoCallback, PoolIo, QueueTimer, RegisteredWait, RegisteredWaits, ThreadPool,
    TimerQueue, WaitOrTimerCallback, WorkItem,
};
pub use threadpool_cleanup_group::{SimpleCallback, ThreadpoolCleanupGroups};
pub use threadpool_io::{ThreadpoolIo, TpIo, TpIoCallback};
pub use threadpool_objects::{
    CallbackInstance, ThreadpoolObjects, TpTimer, TpTimerCallback, TpWork, WorkCallback,
};
pub use threadpool_pool::ThreadpoolPools;
pub use threadpool_wait::{ThreadpoolWaits, TpWait, TpWaitCallback};
pub use timer_resolution::{TimeCallback, TimeCaps, TimeEvent, TimerResolutions};
pub use types::{
    Linger, SockAddr, Socket, SystemInfo, TcpInitialRtoParameters, TcpKeepalive, ThreadId, WsaData,
    SOCKADDR_IN6_LEN, SOCKADDR_IN_LEN,
};
pub use wait_on_address::{AddressValue, WaitOnAddress};
pub use waitable_timer::{TimerApcRoutine, WaitableTimers};

/// The WinSock calls, written once and run against any backend.
///
/// ```
/// use winsock_sim::prelude::*;
///
/// /// The blocking echo server of the design notes, generic over the backend.
/// fn echo_once<W: Winsock>(ws: &W, port: u16) -> Result<usize, WsaError> {
///     let listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
///     ws.bind(listener, &SockAddr::v4([0, 0, 0, 0], port))?;
///     ws.listen(listener, SOMAXCONN)?;
///     let (conn, _peer) = ws.accept(listener)?;
///     let mut buf = [0u8; 4096];
///     let mut total = 0;
///     loop {
///         let n = ws.recv(conn, &mut buf, 0)?;
///         if n == 0 {
///             break;
///         }
///         let mut sent = 0;
///         while sent < n {
///             sent += ws.send(conn, &buf[sent..n], 0)?;
///         }
///         total += n;
///     }
///     ws.closesocket(conn)?;
///     ws.closesocket(listener)?;
///     Ok(total)
/// }
/// ```
pub trait Winsock {
    /// `WSAStartup(wVersionRequested, &WSADATA)`: initialises WinSock for the process (host);
    /// counted, so each call needs a `WSACleanup`. A major version of 0 gives
    /// WSAVERNOTSUPPORTED.
    fn wsa_startup(&self, version: u16) -> Result<WsaData, WsaError>;

    /// `WSACleanup()`: undoes one `WSAStartup`; the last one closes the process's sockets.
    /// Without a prior startup: WSANOTINITIALISED.
    fn wsa_cleanup(&self) -> Result<(), WsaError>;

    /// `WSAGetLastError()`: the calling thread's last error: 0 after a successful WinSock call;
    /// left as it was by a wait that does not fail (WaitForSingleObject,
    /// WaitForMultipleObjects(Ex), WSAWaitForMultipleEvents, MsgWaitForMultipleObjects(Ex):
    /// kernel32 sync.c 1321–1360) and by a successful kernel32 call that returns BOOL or
    /// nothing (SetEvent, ResetEvent, CloseHandle, ReleaseMutex, ReleaseSemaphore, the
    /// critical-section, SRW and condition-variable calls but the sleeps, CancelWaitableTimer,
    /// and ws2_32's WSASetEvent, WSAResetEvent, WSACloseEvent).
    fn wsa_get_last_error(&self) -> i32;

    /// `WSASetLastError(iError)`: sets the calling thread's last error.
    fn wsa_set_last_error(&self, code: i32);

    /// `socket(af, type, protocol)`: a new socket, blocking, unbound. Bad triples give
    /// WSAEAFNOSUPPORT, WSAESOCKTNOSUPPORT, WSAEPROTONOSUPPORT or WSAEINVAL as on Windows.
    fn socket(&self, af: i32, ty: i32, protocol: i32) -> Result<Socket, WsaError>;

    /// `bind(s, name, namelen)`: port 0 picks an ephemeral port (49152–65535). An address
    /// not on the host gives WSAEADDRNOTAVAIL, a taken one WSAEADDRINUSE (or WSAEACCES under
    /// SO_REUSEADDR / SO_EXCLUSIVEADDRUSE rules), a bound socket WSAEINVAL.
    fn bind(&self, s: Socket, addr: &SockAddr) -> Result<(), WsaError>;

    /// `listen(s, backlog)`: SOMAXCONN for the maximum; calling it again changes the backlog.
    /// Unbound: WSAEINVAL; datagram socket: WSAEOPNOTSUPP.
    fn listen(&self, s: Socket, backlog: i32) -> Result<(), WsaError>;

    /// `accept(s, addr, addrlen)`: the next completed connection and its peer address;
    /// blocks while the queue is empty (WSAEWOULDBLOCK when nonblocking). Not listening:
    /// WSAEINVAL. With several threads blocked on one listener, each connection goes to the
    /// oldest of them, and select never sees it (the sim keeps them in line).
    fn accept(&self, s: Socket) -> Result<(Socket, SockAddr), WsaError>;

    /// `connect(s, name, namelen)`: binds implicitly, then performs the handshake. Nonblocking:
    /// WSAEWOULDBLOCK, then WSAEALREADY while in progress, WSAEISCONN once connected. Errors:
    /// WSAECONNREFUSED, WSAETIMEDOUT (no answer within about 21 s).
    fn connect(&self, s: Socket, addr: &SockAddr) -> Result<(), WsaError>;

    /// `send(s, buf, len, flags)`: bytes taken into the send buffer (all of them on
    /// Windows, see the sim's `SendMode`). Flags: MSG_OOB, MSG_DONTROUTE.
    fn send(&self, s: Socket, buf: &[u8], flags: i32) -> Result<usize, WsaError>;

    /// `recv(s, buf, len, flags)`: bytes received (possibly fewer than sent in one send), 0
    /// after a graceful close. Flags: MSG_PEEK, MSG_WAITALL, MSG_OOB. A receive that blocks
    /// waits alertably: APCs queued to the thread run meanwhile and the wait goes on (so for
    /// `recvfrom` and a blocking `WSARecv`). While it waits it is a receive request, as a
    /// pending overlapped one is: data that arrives goes into it, oldest request first, and
    /// no other thread's select, WSAPoll, FIONREAD or FD_READ sees that data (the sim keeps
    /// the bytes with the request until the thread runs).
    fn recv(&self, s: Socket, buf: &mut [u8], flags: i32) -> Result<usize, WsaError>;

    /// `sendto(s, buf, len, flags, to, tolen)`: one datagram to `to` on a datagram socket
    /// (binding it implicitly); on a stream socket `to` is ignored and it acts as `send`.
    /// Over 65,507 bytes: WSAEMSGSIZE.
    fn sendto(&self, s: Socket, buf: &[u8], flags: i32, to: &SockAddr) -> Result<usize, WsaError>;

    /// `recvfrom(s, buf, len, flags, from, fromlen)`: one datagram and its source. A datagram
    /// larger than `buf` fills it, is discarded, and gives WSAEMSGSIZE; an unbound datagram
    /// socket gives WSAEINVAL. On a stream socket it acts as `recv` and the address is not
    /// written (returned empty).
    fn recvfrom(
        &self,
        s: Socket,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<(usize, SockAddr), WsaError>;

    /// `shutdown(s, how)`: SD_RECEIVE, SD_SEND (FIN after queued data) or SD_BOTH.
    fn shutdown(&self, s: Socket, how: i32) -> Result<(), WsaError>;

    /// `WSASendDisconnect(s, NULL)`: ends sending as `shutdown(s, SD_SEND)` does (a FIN after
    /// queued data) and, like it, queues no completion packet (sock.c
    /// test_shutdown_completion_port). TCP/IP carries no disconnect data, so the call takes
    /// none. The simulator uses this default, `shutdown(SD_SEND)`; os::Native calls
    /// WSASendDisconnect.
    fn wsa_send_disconnect(&self, s: Socket) -> Result<(), WsaError> {
        self.shutdown(s, SD_SEND)
    }

    /// `WSARecvDisconnect(s, NULL)`: ends receiving as `shutdown(s, SD_RECEIVE)` does and
    /// queues no completion packet (sock.c test_shutdown_completion_port); no disconnect data
    /// (TCP/IP has none). The simulator uses this default, `shutdown(SD_RECEIVE)`;
    /// os::Native calls WSARecvDisconnect.
    fn wsa_recv_disconnect(&self, s: Socket) -> Result<(), WsaError> {
        self.shutdown(s, SD_RECEIVE)
    }

    /// `closesocket(s)`: graceful by default (queued data still goes out, then FIN); abortive
    /// (RST) with SO_LINGER {1, 0} or unread received data. The handle is invalid afterwards.
    fn closesocket(&self, s: Socket) -> Result<(), WsaError>;

    /// `ioctlsocket(s, cmd, argp)`: FIONBIO, FIONREAD, SIOCATMARK.
    fn ioctlsocket(&self, s: Socket, cmd: u32, arg: &mut u32) -> Result<(), WsaError>;

    /// `getsockname(s, name, namelen)`: the local address; unbound: WSAEINVAL.
    fn getsockname(&self, s: Socket) -> Result<SockAddr, WsaError>;

    /// `getpeername(s, name, namelen)`: the peer's address; not connected: WSAENOTCONN.
    fn getpeername(&self, s: Socket) -> Result<SockAddr, WsaError>;

    /// `getpeername(s, name, namelen)` with C's arguments: `name` None is NULL, `namelen`
    /// the in/out length (None is NULL). WSAENOTSOCK, then WSAENOTCONN, then WSAEFAULT for a
    /// NULL pointer or a namelen shorter than the address (namelen left alone); on success
    /// the address's bytes and their length. A namelen beyond the slice is WSAEFAULT. One
    /// shared model over [`Winsock::getpeername`].
    fn getpeername_c(
        &self,
        s: Socket,
        name: Option<&mut [u8]>,
        namelen: Option<&mut i32>,
    ) -> Result<(), WsaError> {
        optlen::getpeername_c(self, s, name, namelen)
    }

    /// `setsockopt(s, level, optname, optval, optlen)`: `optval.len()` is optlen.
    fn setsockopt(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: &[u8],
    ) -> Result<(), WsaError>;

    /// `getsockopt(s, level, optname, optval, &optlen)`: fills `optval` and returns the new
    /// optlen. A buffer too small for the option: WSAEFAULT.
    fn getsockopt(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: &mut [u8],
    ) -> Result<usize, WsaError>;

    /// `getsockopt(s, level, optname, optval, optlen)` with C's arguments: `optval` None is
    /// NULL, `optlen` the in/out length (None is NULL). Windows' order of checks: WSAENOTSOCK,
    /// WSAEFAULT (NULL optval or optlen, a negative optlen but for SO_OPENTYPE), then the
    /// option's own; after WSAEFAULT for a short buffer the optlen is kept at SOL_SOCKET, the
    /// structure's size for SO_PROTOCOL_INFOA/W, 0 elsewhere. An optlen beyond the slice is
    /// WSAEFAULT. The sim and the OS backends share one model over [`Winsock::getsockopt`].
    fn getsockopt_c(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: Option<&mut [u8]>,
        optlen: Option<&mut i32>,
    ) -> Result<(), WsaError> {
        optlen::getsockopt_c(self, s, level, optname, optval, optlen)
    }

    /// `setsockopt(s, level, optname, optval, optlen)` with C's arguments: `optval` None is
    /// NULL (WSAEFAULT after WSAENOTSOCK, whatever optlen), `optlen` the length read from it.
    /// A negative optlen is read as a huge one: SOL_SOCKET options (but SO_KEEPALIVE and
    /// SO_DONTROUTE) take their 4 bytes, the others fail with WSAENOBUFS. An optlen beyond
    /// the slice is WSAEFAULT. One shared model over [`Winsock::setsockopt`].
    fn setsockopt_c(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: Option<&[u8]>,
        optlen: i32,
    ) -> Result<(), WsaError> {
        optlen::setsockopt_c(self, s, level, optname, optval, optlen)
    }

    /// `Sleep(dwMilliseconds)`: `Sleep(0)` yields the rest of the time slice. In the
    /// simulator the sleep ends at its deadline, or under
    /// [`TimerResolution::Windows`](crate::sim::TimerResolution::Windows) on the first clock
    /// interrupt at or after the last one plus `ms` (every 15.625 ms by default).
    fn sleep(&self, ms: u32);

    /// `GetTickCount()`: milliseconds since the system started, wrapping to 0 every 2^32 ms
    /// (49.7 days). In the simulator: the host's uptime when the run began (0 unless a fault
    /// plan's [`FaultRule::Uptime`](crate::sim::fault::FaultRule::Uptime) sets it) plus the
    /// virtual time since, in steps of 15.625 ms under
    /// [`TimerResolution::Windows`](crate::sim::TimerResolution::Windows) (Windows' tick
    /// count advances by its default clock period, whatever `timeBeginPeriod` asked for).
    fn get_tick_count(&self) -> u32;

    /// `GetTickCount64()`: milliseconds since the system started, without wrapping; its low
    /// 32 bits are `GetTickCount`'s. In the simulator: counted from the same start.
    fn get_tick_count64(&self) -> u64;

    /// `QueryPerformanceCounter(&count)`: the high-resolution counter, in
    /// [`Winsock::query_performance_frequency`] ticks since the system started (what game
    /// servers time their frames and latencies with). In the simulator: the host's time
    /// since it started (as `GetTickCount64`'s) in 100-ns ticks; reading it in a loop lets
    /// virtual time pass, as reading `GetTickCount` does.
    fn query_performance_counter(&self) -> i64;

    /// `QueryPerformanceFrequency(&freq)`: the counter's ticks per second, fixed while the
    /// system runs. In the simulator 10,000,000 (10 MHz), as Windows 10 and later report.
    fn query_performance_frequency(&self) -> i64;

    /// `GetSystemInfo(&info)`: the processor count (servers size their IOCP worker pools by it).
    fn get_system_info(&self) -> SystemInfo;

    /// `CreateThread`: starts `f` on a new thread of the same process (host).
    fn create_thread<F>(&self, name: &str, f: F) -> Result<ThreadId, WsaError>
    where
        Self: Sized,
        F: FnOnce(&Self) -> Result<(), WsaError> + Send + 'static;

    /// `WaitForSingleObject(hThread, dwMilliseconds)`: waits for a thread to end; Ok when it
    /// did, WAIT_TIMEOUT when the time ran out (INFINITE waits forever).
    fn wait_for_thread(&self, t: ThreadId, timeout_ms: u32) -> Result<(), WsaError>;

    /// `setsockopt` with a 4-byte integer value (BOOL, DWORD, int options).
    fn setsockopt_i32(&self, s: Socket, level: i32, optname: i32, v: i32) -> Result<(), WsaError> {
        self.setsockopt(s, level, optname, &v.to_le_bytes())
    }

    /// `getsockopt` of a 4-byte integer option.
    fn getsockopt_i32(&self, s: Socket, level: i32, optname: i32) -> Result<i32, WsaError> {
        let mut b = [0u8; 4];
        let n = self.getsockopt(s, level, optname, &mut b)?;
        let mut v = [0u8; 4];
        v[..n.min(4)].copy_from_slice(&b[..n.min(4)]);
        Ok(i32::from_le_bytes(v))
    }

    /// `ioctlsocket(s, FIONBIO, &mode)`: nonblocking on or off.
    fn set_nonblocking(&self, s: Socket, on: bool) -> Result<(), WsaError> {
        let mut v = u32::from(on);
        self.ioctlsocket(s, consts::FIONBIO, &mut v)
    }
}
