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
//! - [`api`] — the [`Winsock`] trait (the backend contract), [`WsaError`] with the real
//!   numeric codes, value types ([`Socket`], [`SockAddr`]) and constants.
//! - [`sim`] — the deterministic backend: [`sim::Sim`], hosts, simulated threads, TCP.
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

pub mod api;
pub mod os;
pub mod sim;

pub use api::{SockAddr, Socket, Winsock, WsaError};

/// Everything a server or test usually needs: the trait, types, errors and constants.
pub mod prelude {
    pub use crate::api::consts::*;
    pub use crate::api::iocp::{
        FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, FILE_SKIP_SET_EVENT_ON_HANDLE,
    };
    pub use crate::api::overlapped::{WAIT_IO_COMPLETION, WAIT_OBJECT_0, WAIT_TIMEOUT};
    pub use crate::api::{
        ApcRoutine, AsyncSelect, CompletionPacket, CompletionPort, CompletionRoutine, EventSelect,
        FdSet, Hwnd, IoCompletion, Iocp, Linger, Msg, Overlapped, OverlappedIo, Select, SockAddr,
        Socket, ThreadId, Winsock, WndProc, WsaData, WsaError, WsaEvent, WsaNetworkEvents,
    };
}

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
