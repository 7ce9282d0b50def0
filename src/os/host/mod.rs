//! The real-network backend: [`System`] implements [`Winsock`](crate::Winsock) on the host
//! OS's sockets (through socket2), so code tested in the simulator runs unchanged on a real
//! stack.
//!
//! Files: this one holds [`System`] and its per-call plumbing (the startup check, the handle
//! look-up, the last error); `winsock.rs` the calls (`impl Winsock for System`); `sock.rs`
//! one OS socket and the WinSock state kept beside it; `sockopt.rs` the option table;
//! `errors.rs` errno → WinSock codes; `handles.rs` the SOCKET values; `threads.rs`
//! `CreateThread` / `WaitForSingleObject`; `protocol_info.rs` WSADuplicateSocket (a second
//! handle on the same OS socket), WSASocket from a protocol info and WSAEnumProtocols.
//!
//! # How it meets the backend contract ([`crate::api`])
//! - **Results and last error.** Every call returns `Ok` exactly when the OS call (and the
//!   WinSock checks made before it) succeeds; failures carry the WinSock code. On Windows the
//!   OS error already is that code; on Unix `errno` is translated by one table
//!   (`errors.rs`). The last error is kept per OS thread, 0 after a success.
//! - **Handles.** SOCKET values are the backend's own, not descriptors: multiples of 4 from
//!   0x100, a freed value reused last-freed-first, exactly as in the simulator (`handles.rs`).
//!   A value naming no open socket is WSAENOTSOCK; nothing panics on bad input.
//! - **WSAStartup.** Counted per `System`; socket calls before it give WSANOTINITIALISED, and
//!   the last `WSACleanup` closes the `System`'s sockets. (Thread and time calls are Win32
//!   calls and need no startup.)
//! - **Windows' checks before the OS call.** Where Unix would accept what Windows refuses,
//!   the backend refuses first, with Windows' code: `socket`'s argument table (the
//!   simulator's rules), `listen` on an unbound socket (Unix binds implicitly) → WSAEINVAL,
//!   `connect` to 0.0.0.0 or port 0 (Unix connects to itself) → WSAEADDRNOTAVAIL,
//!   `getsockname` on an unbound socket (Unix says 0.0.0.0:0) → WSAEINVAL, `send` on a
//!   socket never connected (Linux says EPIPE) → WSAENOTCONN, `recv` after `SD_RECEIVE`
//!   (Unix returns 0) → WSAESHUTDOWN, EAGAIN from an expired SO_RCVTIMEO / SO_SNDTIMEO on a
//!   blocking socket → WSAETIMEDOUT, an accepted socket inheriting the listener's blocking
//!   mode, and the option table's length and level rules (`sockopt.rs`).
//! - **Time and threads.** `sleep` is `std::thread::sleep`, `get_tick_count` counts
//!   milliseconds since [`System::new`], `create_thread` starts an OS thread with a clone of
//!   the `System`, `wait_for_thread` waits on a condition variable with a timeout.
//!
//! # Known differences from Windows on Unix hosts
//! - **Partial nonblocking sends.** Windows as observed takes a nonblocking `send` whole or
//!   fails with WSAEWOULDBLOCK (conformance NB-07); Unix may take part of it and return the
//!   count — the looser behaviour the WinSock documentation allows, and the simulator's
//!   `SendMode::Partial`. Blocking sends are looped here until everything is taken.
//! - **SO_ERROR clears on read.** Windows keeps SO_ERROR until it is reset; Unix clears the
//!   pending error when `getsockopt(SO_ERROR)` (or a failing call) reports it, so a second
//!   read gives 0. Setting SO_ERROR is not possible (WSAENOPROTOOPT).
//! - **SIOCATMARK and MSG_OOB receive** give WSAEOPNOTSUPP: socket2 offers urgent-data
//!   receive only into uninitialised memory, which safe Rust cannot read back. Sending with
//!   MSG_OOB works.
//! - **FIONREAD is an approximation**: a nonblocking MSG_PEEK into a 64 KiB scratch buffer,
//!   so it reports at most 65536 bytes, and on a datagram socket the size of the first
//!   datagram (Windows: everything queued).
//! - **Connection refused comes at once.** Linux answers a connect to a closed loopback port
//!   immediately; Windows retries the SYN after the RST and reports WSAECONNREFUSED after
//!   about 2 seconds (1 s on newer builds).
//! - **SO_RCVTIMEO also bounds `accept`** on Linux (Windows' accept ignores it); the expiry is
//!   reported as WSAETIMEDOUT.
//! - **Buffer sizes**: Linux doubles a SO_RCVBUF / SO_SNDBUF value and reports the doubled
//!   size; SO_REUSEADDR only lets a port in TIME_WAIT be reused (Windows lets a second
//!   socket bind a port in use); IPV6_V6ONLY keeps the OS default (off on Linux, on on
//!   Windows); port 0 picks from the OS's ephemeral range (32768–60999 on Linux, not
//!   Windows' 49152–65535).
//! - **`closesocket` during a call on another thread**: on Windows the OS socket is closed at
//!   once, so a blocked call ends and reports WSAEINTR, as Windows documents. On Unix the
//!   socket is shut down for receiving to wake a blocked `recv` or `accept` (closing a
//!   descriptor does not wake a thread blocked on it there), which then fails with WSAEINTR;
//!   a thread blocked in `send` waits until its send finishes or times out.
//! - **`recv` with MSG_PEEK | MSG_WAITALL** peeks once and does not wait for the whole length;
//!   a datagram larger than the buffer is cut silently (Windows fails with WSAEMSGSIZE).

mod connect_by_name;
mod errors;
mod handles;
mod protocol_info;
mod sock;
mod sockopt;
pub(crate) mod threads;
mod winsock;

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;

use self::handles::Handles;
use self::sock::Entry;
use self::threads::Threads;
use crate::api::{Socket, WsaError};

thread_local! {
    /// `WSAGetLastError` of the calling OS thread.
    static LAST_ERROR: Cell<i32> = const { Cell::new(0) };
}

/// Sets the calling thread's last error from a call's result and passes the result on.
fn finish<T>(r: Result<T, WsaError>) -> Result<T, WsaError> {
    LAST_ERROR.with(|c| c.set(r.as_ref().map_or_else(|e| e.code(), |_| 0)));
    r
}

/// The real network stack behind the [`Winsock`](crate::Winsock) trait.
///
/// A cheap-to-clone handle (an `Arc` inside): clones share one handle table, one
/// `WSAStartup` count and one thread table, as the threads of one Windows process do.
///
/// ```
/// use winsock_sim::os::System;
/// use winsock_sim::prelude::*;
///
/// let ws = System::new();
/// ws.wsa_startup(WINSOCK_VERSION_2_2)?;
/// let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
/// ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
/// assert_ne!(ws.getsockname(s)?.port(), Some(0));
/// ws.closesocket(s)?;
/// ws.wsa_cleanup()?;
/// # Ok::<(), WsaError>(())
/// ```
#[derive(Clone)]
pub struct System {
    inner: Arc<Inner>,
}

struct Inner {
    table: Mutex<Table>,
    threads: Threads,
    started_at: Instant,
}

/// The handle table and the `WSAStartup` count, under one lock.
#[derive(Default)]
struct Table {
    handles: Handles<Arc<Entry>>,
    wsa_refs: u32,
    /// Duplicate handles opened while their datagram socket was unbound: they keep seeing
    /// it unbound, as Windows' user-mode copy of the socket's state does (`protocol_info.rs`).
    stale_unbound: std::collections::BTreeSet<usize>,
}

impl std::fmt::Debug for System {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.inner.table.lock();
        write!(f, "System(WSAStartup count {})", t.wsa_refs)
    }
}

impl Default for System {
    fn default() -> Self {
        System::new()
    }
}

impl System {
    /// A new backend: no sockets, `WSAStartup` not yet called, the tick count at 0.
    pub fn new() -> System {
        System {
            inner: Arc::new(Inner {
                table: Mutex::new(Table::default()),
                threads: Threads::default(),
                started_at: Instant::now(),
            }),
        }
    }

    /// Runs a socket call: the WSANOTINITIALISED check, `body`, the last error.
    fn call<T>(&self, body: impl FnOnce() -> Result<T, WsaError>) -> Result<T, WsaError> {
        let started = self.inner.table.lock().wsa_refs > 0;
        finish(if started {
            body()
        } else {
            Err(WsaError::WSANOTINITIALISED)
        })
    }

    /// Runs a call on socket `s`. A call that was still running when another thread closed
    /// the socket fails with WSAEINTR, as on Windows.
    fn with<T>(
        &self,
        s: Socket,
        body: impl FnOnce(&Entry) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        let entry = {
            let t = self.inner.table.lock();
            if t.wsa_refs == 0 {
                return finish(Err(WsaError::WSANOTINITIALISED));
            }
            t.handles.get(s.raw()).cloned()
        };
        let Some(e) = entry else {
            return finish(Err(WsaError::WSAENOTSOCK));
        };
        if e.closed.load(Ordering::Acquire) {
            // Closed between the look-up and now: its OS socket may be gone already.
            return finish(Err(WsaError::WSAENOTSOCK));
        }
        let r = body(&e);
        finish(if e.closed.load(Ordering::Acquire) {
            Err(WsaError::WSAEINTR)
        } else {
            r
        })
    }

    /// Gives `e` a handle.
    fn insert(&self, e: Entry) -> Socket {
        Socket::from_raw(self.inner.table.lock().handles.insert(Arc::new(e)))
    }

    /// Whether handle `s` is a duplicate that still sees its datagram socket unbound.
    fn sees_unbound(&self, s: Socket) -> bool {
        self.inner.table.lock().stale_unbound.contains(&s.raw())
    }

    /// Ends a socket whose handle is gone. If another thread is inside a call on it, the
    /// call must end as on Windows: [`Entry::close_under_callers`]. Otherwise dropping the
    /// entry closes the OS socket.
    fn retire(e: Arc<Entry>) {
        e.closed.store(true, Ordering::Release);
        if Arc::strong_count(&e) > 1 {
            e.close_under_callers();
        }
    }
}
