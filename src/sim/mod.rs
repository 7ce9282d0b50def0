//! The deterministic backend: simulated hosts, threads, TCP and virtual time.
//!
//! Map of the module:
//! - `world` — [`Sim`], hosts, the run loop; `builder` — [`SimBuilder`]; `report` —
//!   [`Report`] and [`SimError`];
//! - `sched` — simulated threads (stackful coroutines), the virtual clock, timers, waits;
//! - `net` — addresses, links, the wire (latency, serialisation, per-direction order);
//! - `tcp` — the TCP state machine ([`TcpState`]) and the segment input path (ACKs, data,
//!   FIN, RST, TIME-WAIT); `tcp_output` — the sending side (segments, flow control, the FIN
//!   going out); `handshake` — active and passive opens, SYN retries, refusals, the backlog;
//! - `socket` — the socket table and handles; `bind` — the local-address rules (bind
//!   conflicts, port sharing, ephemeral ports, implicit bind, which socket takes the
//!   traffic); `sockopt` — the option table;
//! - `connect`, `stream` — the calls (`listen`/`accept`/`connect`, `send`/`recv`/`shutdown`/
//!   `closesocket`/`ioctlsocket`);
//! - `events` — the hooks every state change goes through (FD_* events);
//! - `fault` — the fault seam ([`FaultPlan`]); `trace` — the trace and its hash; `rng` — seeded
//!   randomness;
//! - `select`, `async_select`, `event_select`, `network_events` — the readiness models;
//!   `overlapped` — the overlapped operation table and the servicing of pending
//!   WSARecv/WSASend; `overlapped_api` — the overlapped calls (WSASend/WSARecv,
//!   WSAGetOverlappedResult, CancelIoEx, the alertable waits); `mswsock` — AcceptEx,
//!   GetAcceptExSockaddrs, ConnectEx, DisconnectEx (calls and servicing); `wsa_ioctl` —
//!   WSAIoctl; `recv_msg` — WSARecvMsg / WSASendMsg and control data; `transmit_file` —
//!   TransmitFile; `apc`, `iocp` — APC queues, completion ports; `objects` — events, windows and
//!   ports as kernel objects; `udp` — datagrams; `keymap` — the fixed-hash map of the
//!   overlapped look-up tables;
//! - `api` — [`SimWinsock`] and the per-call plumbing (preemption, startup check, fault seam,
//!   blocking, last error, trace); `winsock` — the [`Winsock`](crate::Winsock)
//!   implementation (the core calls).

mod apc;
mod api;
mod async_select;
mod bind;
mod builder;
mod connect;
mod event_select;
mod events;
pub mod fault;
mod handshake;
mod iocp;
mod keymap;
mod mswsock;
mod net;
mod network_events;
mod objects;
mod overlapped;
mod overlapped_api;
mod recv_msg;
mod report;
pub mod rng;
mod sched;
mod select;
mod socket;
mod sockopt;
mod stream;
mod tcp;
mod tcp_output;
pub mod trace;
mod transmit_file;
mod udp;
mod winsock;
mod world;
mod wsa_ioctl;

pub use api::SimWinsock;
pub use builder::{EventRecording, Segmentation, SendMode, SimBuilder, DEFAULT_SEED};
pub use fault::{FaultPlan, FaultRule, SegmentFilter, Verdict};
pub use report::{Report, SimError, SimErrorKind, Stats, ThreadReport};
pub use sched::ThreadOutcome;
pub use tcp::TcpState;
pub use world::{HostHandle, Sim};
