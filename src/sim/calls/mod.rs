//! The trait implementations of [`SimWinsock`](super::SimWinsock): one file per WinSock
//! model or call family, each turning a call into steps on the world (and waits).
//!
//! Map: `winsock` — the [`Winsock`](crate::Winsock) core calls; `select` — select and
//! WSAPoll; `async_select` — WSAAsyncSelect, windows and message queues; `event_select` —
//! WSAEventSelect and event objects; `overlapped` — the `OverlappedIo` calls: WSAGetOverlappedResult, CancelIoEx, alertable
//! waits, the rest handed on; `wsa_send_recv` — WSASend/WSARecv with OVERLAPPED (and their
//! inline forms); `apc` — QueueUserAPC and APC delivery;
//! `iocp` — completion ports; `mswsock` — AcceptEx, ConnectEx, DisconnectEx,
//! GetAcceptExSockaddrs; `wsa_ioctl` — WSAIoctl; `recv_msg` — WSARecvMsg/WSASendMsg;
//! `transmit_file` — TransmitFile; `sync` — Win32 events, mutexes, waits, locks, console
//! control, process globals; `signal_and_wait` — SignalObjectAndWait; `waitable_timer` — waitable timers and the system time; `resolve` — name resolution; `connect_by_name` —
//! WSAConnectByName; `extension` — WSASocket,
//! WSAAccept, extension function pointers, CancelIo; `protocol_info` — GetCurrentProcessId,
//! WSADuplicateSocket, WSASocket from a WSAPROTOCOL_INFO, WSAEnumProtocols;
//! `duplicate_handle` — DuplicateHandle of a socket or a kernel object; `init_once` —
//! one-time initialization (INIT_ONCE); `sync_barrier` — synchronization barriers;
//! `named_objects` — named events, mutexes, semaphores, waitable timers and the Open* calls;
//! `thread_local_storage` — TLS and FLS (their callbacks run here); `system_time` —
//! GetSystemTime, GetLocalTime; `timer_resolution` — timeBeginPeriod, timeEndPeriod,
//! timeGetTime;
//! `wait_on_address` —
//! WaitOnAddress and the wakes by address; `thread_pool` —
//! QueueUserWorkItem, timer queues, BindIoCompletionCallback; `registered_wait` —
//! RegisterWaitForSingleObject; `threadpool_objects`, `threadpool_wait`, `threadpool_io` —
//! the Vista pool's work and timer, wait, and I/O objects; `threadpool_cleanup_group` —
//! cleanup groups, callback environments and simple callbacks; `threadpool_pool` — private
//! pools.

mod apc;
mod async_select;
mod blocking_calls;
mod condition_variable;
mod connect_by_name;
mod duplicate_handle;
pub(crate) mod event_select;
mod extension;
mod init_once;
mod iocp;
mod mswsock;
mod named_objects;
mod open_type;
mod overlapped;
mod protocol_info;
mod recv_msg;
mod registered_wait;
mod resolve;
mod select;
pub(crate) mod signal_and_wait;
mod sync;
mod sync_barrier;
mod system_time;
mod thread_local_storage;
pub(crate) mod thread_pool;
mod threadpool_cleanup_group;
mod threadpool_io;
mod threadpool_objects;
mod threadpool_pool;
mod threadpool_wait;
mod timer_resolution;
mod transmit_file;
mod wait_on_address;
pub(crate) mod waitable_timer;
mod winsock;
mod wsa_ioctl;
mod wsa_send_recv;
