//! # winsock-sim
//!
//! A WinSock API shim and a deterministic simulator for testing Windows-style network servers.
//!
//! Server code is written once against the [`Winsock`] trait — `socket`, `bind`, `listen`,
//! `accept`, `connect`, `send`, `recv`, … named as WinSock names them — and runs either in the
//! simulator ([`sim::Sim`]) or against the real network stack. In the simulator every run is
//! decided by one seed: thread interleavings, segment sizes, ports and injected faults replay
//! exactly, and virtual time makes 21-second connect timeouts take microseconds.
//!
//! ## Map
//! - [`api`] — the backend contract: the [`Winsock`] trait (the blocking/nonblocking TCP calls)
//!   and one trait per I/O model ([`api::Select`], [`api::AsyncSelect`], [`api::EventSelect`],
//!   [`api::OverlappedIo`], [`api::Iocp`]); [`WsaError`] with the real numeric codes; value
//!   types ([`Socket`], [`SockAddr`], [`api::FdSet`], [`api::Overlapped`]) and constants;
//!   for code ported from C, [`api::SyncObjects`] (Win32 events, mutexes, waits over thread
//!   handles, critical sections, SRW locks, condition variables, console-control handlers),
//!   [`api::Resolve`] (getaddrinfo and friends over the simulated hosts' names),
//!   [`api::ConnectByName`] (WSAConnectByName: resolve and connect in one call),
//!   [`api::WinsockExt`] (WSASocket, WSAAccept, extension functions through WSAIoctl) and
//!   [`api::ProtocolInfoApi`] (WSAPROTOCOL_INFO, WSADuplicateSocket, WSAEnumProtocols),
//!   [`api::DuplicateHandles`] (DuplicateHandle of a socket or a kernel object),
//!   [`api::WaitOnAddress`] (WaitOnAddress, WakeByAddressSingle, WakeByAddressAll),
//!   [`api::InitOnceApi`] (one-time initialization, INIT_ONCE), [`api::SyncBarriers`]
//!   (synchronization barriers), [`api::ThreadLocalStorage`] (TLS and FLS slots, per
//!   simulated thread: Rust's `thread_local!` is shared by every simulated thread) and
//!   [`api::NamedObjects`] (named events, mutexes, semaphores and waitable timers, and the
//!   Open* calls), [`api::SystemTimes`] (the clock as a date: GetSystemTime,
//!   GetLocalTime, FILETIME and SYSTEMTIME conversions) and [`api::TimerResolutions`]
//!   (timeBeginPeriod, timeEndPeriod, timeGetTime: the clock interrupt timed waits end on).
//! - [`sim`] — the deterministic backend: [`sim::Sim`], hosts, simulated threads (stackful
//!   coroutines on one OS thread), TCP as a state machine, virtual time, the fault seam. Built
//!   in layers that depend downward only — runtime, net, socket, kernel, models — each owning
//!   its state; its module documentation has the map.
//! - [`os`] — the real network stack behind the same [`Winsock`] trait.
//!
//! ## The six I/O models of the seed
//!
//! | model | calls | example |
//! |---|---|---|
//! | select | [`api::Select::select`] over [`api::FdSet`]s of at most FD_SETSIZE (64) | `examples/select_echo.rs` |
//! | WSAAsyncSelect | [`api::AsyncSelect::wsa_async_select`]; FD_* events as window messages | `examples/async_select_echo.rs` |
//! | WSAEventSelect | [`api::EventSelect::wsa_event_select`], `wsa_wait_for_multiple_events` (≤ 64), `wsa_enum_network_events` | `examples/event_select_echo.rs` |
//! | Overlapped 1 | [`api::OverlappedIo::wsa_recv_overlapped`] with an event; `wsa_get_overlapped_result` | `examples/overlapped_event_echo.rs` |
//! | Overlapped 2 | the same with a completion routine, run as an APC in an alertable wait | `examples/overlapped_routine_echo.rs` |
//! | IOCP | [`api::Iocp`]: ports, `get_queued_completion_status`, `accept_ex` | `examples/iocp_echo.rs` |
//!
//! Blocking sockets (one thread per connection) are the demonstration, `examples/echo.rs`.
//!
//! ## FD_* network events (WSAAsyncSelect and WSAEventSelect)
//!
//! | event | fires when | re-enabled by |
//! |---|---|---|
//! | FD_READ | data arrives (not taken by a pending overlapped receive); a re-enabling call leaves data unread | `recv`, `WSARecv` (any outcome) |
//! | FD_OOB | urgent data arrives with SO_OOBINLINE off; a re-enabling call leaves some | `recv(MSG_OOB)` |
//! | FD_ACCEPT | a connection completes in the backlog (not taken by a pending AcceptEx); `accept` leaves one queued | `accept` |
//! | FD_WRITE | the socket connects or is accepted; buffer space returns after a send failed with WSAEWOULDBLOCK | `send`, `WSASend` |
//! | FD_CONNECT | a connect attempt ends; iErrorCode = 0, WSAECONNREFUSED, WSAETIMEDOUT… | never (once) |
//! | FD_CLOSE | the peer's FIN, even with data still unread: read until recv gives 0 (iErrorCode 0); or a reset (WSAECONNABORTED) | never (once) |
//!
//! In message mode an event is posted once and not again until its re-enabling call. In
//! event mode Windows records every new occurrence (new data, a new connection, new urgent
//! data) even before the re-enabling call (conformance EV-06, EV-17, EV-21), and reports
//! the FD_WRITE of a connection only to the first registration (EV-03). Registering reports
//! the conditions that already hold; the socket turns nonblocking and stays so (FIONBIO 0
//! gives WSAEINVAL); an accepted socket inherits its listener's registration.
//!
//! ## Determinism
//!
//! Exactly one simulated thread runs at a time; every call may be a preemption point chosen
//! by the seed; when no thread can run, the virtual clock jumps to the next timer. No
//! `HashMap` order, wall-clock reading or OS thread timing reaches the simulation, so a seed
//! replays exactly (the trace hash proves it). One caveat for users: simulated threads share
//! one OS thread, so a `Mutex` held across a WinSock call would block the whole simulation —
//! lock briefly, between calls, or use the simulator-aware locks of [`api::SyncObjects`]
//! (critical sections, SRW locks, condition variables), which block only the simulated thread.
//! A run blocked by a real lock does not hang silently: after `SimBuilder::stall_timeout` of
//! wall time without progress (10 s) a watchdog names the seed and the simulated thread, ends
//! the run with `SimErrorKind::Stalled` if the thread ever yields, and aborts the process if it
//! never does.
//!
//! ## A first simulation
//!
//! ```
//! use winsock_sim::prelude::*;
//! use winsock_sim::sim::Sim;
//!
//! let mut sim = Sim::builder().seed(42).build();
//! let server = sim.host("server", "192.0.2.1");
//! let client = sim.host("client", "192.0.2.2");
//! server.spawn_daemon("echo", |ws| {
//!     ws.wsa_startup(WINSOCK_VERSION_2_2)?;
//!     let l = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
//!     ws.bind(l, &SockAddr::v4([0, 0, 0, 0], 9000))?;
//!     ws.listen(l, SOMAXCONN)?;
//!     let (c, _) = ws.accept(l)?;
//!     let mut buf = [0u8; 64];
//!     loop {
//!         let n = ws.recv(c, &mut buf, 0)?;
//!         if n == 0 { break; }
//!         ws.send(c, &buf[..n], 0)?;
//!     }
//!     ws.closesocket(c)
//! });
//! client.spawn("client", |ws| {
//!     ws.wsa_startup(WINSOCK_VERSION_2_2)?;
//!     let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
//!     ws.connect(s, &SockAddr::v4([192, 0, 2, 1], 9000))?;
//!     ws.send(s, b"hello", 0)?;
//!     let mut buf = [0u8; 5];
//!     ws.recv(s, &mut buf, MSG_WAITALL)?;
//!     assert_eq!(&buf, b"hello");
//!     ws.closesocket(s)
//! });
//! let report = sim.run().expect("the run succeeds");
//! println!("{} ms virtual, trace hash {:#x}", report.virtual_time.as_millis(), report.trace_hash);
//! ```

#![deny(missing_docs)]
#![deny(unsafe_code)]
// Clippy 1.96 on the Windows target (Debian's, with -Zbuild-std) flags every `thread_local!`
// here as one whose initializer could be `const`, though each already is: a false positive.
#![cfg_attr(windows, allow(clippy::missing_const_for_thread_local))]

pub mod api;
pub mod os;
pub mod sim;

pub use api::{SockAddr, Socket, Winsock, WsaError};

/// Everything a server or test usually needs: the trait, types, errors and constants.
pub mod prelude {
    pub use crate::api::addr_text::{inet_ntop, inet_pton, INET6_ADDRSTRLEN, INET_ADDRSTRLEN};
    pub use crate::api::address_list::{
        decode_address_list, ADDRESS_LIST_HEADER_LEN, SOCKET_ADDRESS_LEN,
    };
    pub use crate::api::bsp_state::{decode_bsp_state, CsAddrInfo, CSADDR_INFO_LEN, SO_BSP_STATE};
    pub use crate::api::callback_environ::{
        CallbackEnviron, CleanupCancelCallback, TpCallbackPriority, TpCleanupGroup, TpMember,
        TpPool,
    };
    pub use crate::api::consts::*;
    pub use crate::api::duplicate_handle::{
        DUPLICATE_CLOSE_SOURCE, DUPLICATE_SAME_ACCESS, DUPLICATE_SAME_ATTRIBUTES,
        HANDLE_FLAG_INHERIT, HANDLE_FLAG_PROTECT_FROM_CLOSE,
    };
    pub use crate::api::extension::{
        CF_ACCEPT, CF_DEFER, CF_REJECT, SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_ACCEPTEX,
        WSAID_CONNECTEX, WSAID_DISCONNECTEX, WSAID_GETACCEPTEXSOCKADDRS, WSAID_TRANSMITFILE,
        WSAID_TRANSMITPACKETS, WSAID_WSARECVMSG, WSAID_WSASENDMSG, WSA_FLAG_NO_HANDLE_INHERIT,
        WSA_FLAG_OVERLAPPED,
    };
    pub use crate::api::inet_addr::{inet_addr, inet_ntoa, INADDR_NONE};
    pub use crate::api::init_once::{INIT_ONCE_ASYNC, INIT_ONCE_CHECK_ONLY, INIT_ONCE_INIT_FAILED};
    pub use crate::api::interface_list::{
        decode_interface_list, InterfaceInfo, IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST,
        IFF_POINTTOPOINT, IFF_UP, INTERFACE_INFO_LEN, SIO_GET_INTERFACE_LIST,
        SIO_ROUTING_INTERFACE_QUERY,
    };
    pub use crate::api::iocp::{
        FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, FILE_SKIP_SET_EVENT_ON_HANDLE,
    };
    pub use crate::api::named_objects::{NamedObjects, MAX_PATH};
    pub use crate::api::overlapped::{WAIT_IO_COMPLETION, WAIT_OBJECT_0, WAIT_TIMEOUT};
    pub use crate::api::protocol_info::{
        FROM_PROTOCOL_INFO, PFL_MATCHES_PROTOCOL_ZERO, SO_PROTOCOL_INFOA, SO_PROTOCOL_INFOW,
        WSAPROTOCOL_INFOA_LEN, WSAPROTOCOL_INFOW_LEN,
    };
    pub use crate::api::resolve::{
        AI_ADDRCONFIG, AI_ALL, AI_CANONNAME, AI_NUMERICHOST, AI_NUMERICSERV, AI_PASSIVE,
        AI_V4MAPPED, NI_DGRAM, NI_MAXHOST, NI_MAXSERV, NI_NAMEREQD, NI_NOFQDN, NI_NUMERICHOST,
        NI_NUMERICSERV,
    };
    pub use crate::api::sync::{
        CONDITION_VARIABLE_LOCKMODE_SHARED, CRITICAL_SECTION_NO_DEBUG_INFO, CTRL_BREAK_EVENT,
        CTRL_CLOSE_EVENT, CTRL_C_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
        MAXIMUM_WAIT_OBJECTS, RTL_CRITICAL_SECTION_FLAG_FORCE_DEBUG_INFO, WAIT_ABANDONED,
        WAIT_ABANDONED_0,
    };
    pub use crate::api::sync_barrier::{
        SYNCHRONIZATION_BARRIER_FLAGS_BLOCK_ONLY, SYNCHRONIZATION_BARRIER_FLAGS_NO_DELETE,
        SYNCHRONIZATION_BARRIER_FLAGS_SPIN_ONLY,
    };
    pub use crate::api::system_time::{SystemTime, SystemTimes};
    pub use crate::api::thread_local_storage::{
        FlsCallback, ThreadLocalStorage, FLS_MAXIMUM_AVAILABLE, FLS_OUT_OF_INDEXES,
        TLS_EXPANSION_SLOTS, TLS_MINIMUM_AVAILABLE, TLS_OUT_OF_INDEXES,
    };
    pub use crate::api::thread_pool::{
        DeleteCompletion, IoCallback, PoolIo, QueueTimer, RegisteredWait, RegisteredWaits,
        ThreadPool, TimerQueue, WaitOrTimerCallback, WorkItem, WT_EXECUTEDEFAULT,
        WT_EXECUTEINIOTHREAD, WT_EXECUTEINPERSISTENTTHREAD, WT_EXECUTEINTIMERTHREAD,
        WT_EXECUTEINWAITTHREAD, WT_EXECUTELONGFUNCTION, WT_EXECUTEONLYONCE,
        WT_TRANSFER_IMPERSONATION,
    };
    pub use crate::api::threadpool_cleanup_group::{SimpleCallback, ThreadpoolCleanupGroups};
    pub use crate::api::threadpool_io::{ThreadpoolIo, TpIo, TpIoCallback};
    pub use crate::api::threadpool_objects::{
        CallbackInstance, ThreadpoolObjects, TpTimer, TpTimerCallback, TpWork, WorkCallback,
    };
    pub use crate::api::threadpool_pool::ThreadpoolPools;
    pub use crate::api::threadpool_wait::{ThreadpoolWaits, TpWait, TpWaitCallback};
    pub use crate::api::timer_resolution::{
        TimeCallback, TimeCaps, TimeEvent, TimerResolutions, TIME_KILL_SYNCHRONOUS, TIME_ONESHOT,
        TIME_PERIODIC,
    };
    pub use crate::api::transmit_packets::{
        TransmitPacketsElement, TP_ELEMENT_EOP, TP_ELEMENT_FILE, TP_ELEMENT_MEMORY,
        TP_SEND_SIZE_BY_EOP,
    };
    pub use crate::api::waitable_timer::{
        CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, CREATE_WAITABLE_TIMER_MANUAL_RESET,
        FILETIME_TICKS_PER_MS, SIM_EPOCH_FILETIME,
    };
    pub use crate::api::{
        AddrInfo, AddrInfoHints, AddressValue, ApcRoutine, AsyncSelect, ByNameAddrs, Cmsg,
        CompletionPacket, CompletionPort, CompletionRoutine, ConditionFn, ConditionVariable,
        ConnectByName, ConsoleCtrlHandler, CriticalSection, CtrlHandlerId, DuplicateHandles,
        EventSelect, ExtensionFunction, FdSet, Guid, Handle, Hostent, Hwnd, Immediate, InitOnce,
        InitOnceApi, IoCompletion, Iocp, Linger, Msg, MutexHandle, Overlapped, OverlappedIo,
        ProtocolInfoApi, Protoent, Resolve, Select, SemaphoreHandle, Servent, SockAddr, Socket,
        SrwLock, SyncBarrier, SyncBarriers, SyncObjects, SystemInfo, TcpInitialRtoParameters,
        TcpKeepalive, ThreadId, TimerApcRoutine, TimerHandle, TimerProc, TransmitFileBuffers,
        WaitOnAddress, WaitableTimers, Winsock, WinsockExt, WndProc, WsaData, WsaError, WsaEvent,
        WsaMsg, WsaNetworkEvents, WsaPollFd, WsaProtocolInfo, HWND_BOTTOM, HWND_BROADCAST,
        HWND_TOPMOST, SOCKADDR_IN6_LEN, SOCKADDR_IN_LEN,
    };
}

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
