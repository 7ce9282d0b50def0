//! [`Native`]: the WinSock calls of [`Winsock`] on the real ws2_32, one windows-sys call each
//! (`Select` is in `select.rs`, `EventSelect` in `event_select.rs`, `AsyncSelect` in
//! `async_select.rs`, the completion ports in `iocp.rs`, overlapped I/O in `overlapped.rs`,
//! `mswsock.rs` and `alertable.rs` over the records of `op.rs`).
//!
//! Every `unsafe` block is a single FFI call; its comment names what makes it sound. The
//! invariants shared by all of them:
//! - **Buffers** are Rust slices or locals that outlive the call, passed with their true
//!   length (clamped to `i32::MAX` where the C type is `int`), so ws2_32 never reads or writes
//!   outside them.
//! - **Handles** (SOCKETs and events) are passed to the OS only when this backend created them
//!   and has not closed them: a value it does not own is refused before the call with the code
//!   Windows gives for a value that names nothing (WSAENOTSOCK, WSA_INVALID_HANDLE), so bad
//!   input can never close or use a handle that other code in the process owns.

use std::collections::BTreeSet;
use std::sync::Arc;

use parking_lot::Mutex;
use windows_sys::Win32::Networking::WinSock as ws;

use crate::api::{SockAddr, Socket, SystemInfo, ThreadId, Winsock, WsaData, WsaError, WsaEvent};
use crate::os::host::threads::Threads;

/// The real WinSock (ws2_32) behind the backend traits, on Windows (and under Wine).
///
/// SOCKET values are the OS's own. A cheap-to-clone handle: clones share one table of the
/// sockets and events this backend created (only those may be passed to the OS), one
/// `WSAStartup` count and one thread table, as the threads of one process do.
///
/// ```
/// # #[cfg(windows)] {
/// use winsock_sim::os::Native;
/// use winsock_sim::prelude::*;
///
/// let ws = Native::new();
/// ws.wsa_startup(WINSOCK_VERSION_2_2)?;
/// let s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)?;
/// ws.bind(s, &SockAddr::v4([127, 0, 0, 1], 0))?;
/// assert_ne!(ws.getsockname(s)?.port(), Some(0));
/// ws.closesocket(s)?;
/// assert_eq!(ws.closesocket(s), Err(WsaError::WSAENOTSOCK));
/// ws.wsa_cleanup()?;
/// # }
/// # Ok::<(), winsock_sim::prelude::WsaError>(())
/// ```
#[derive(Clone, Default)]
pub struct Native {
    pub(super) inner: Arc<Inner>,
}

#[derive(Default)]
pub(super) struct Inner {
    pub(super) owned: Mutex<Owned>,
    pub(super) threads: Threads,
    /// The completion ports this backend created (raw HANDLE values).
    pub(super) ports: Mutex<BTreeSet<usize>>,
    /// The message-only windows this backend created, with their window procedures (taken
    /// out while one runs).
    pub(super) windows:
        Mutex<std::collections::BTreeMap<usize, Option<crate::api::WndProc<Native>>>>,
    /// The TIMERPROCs of the timers set with one (`timer_proc.rs`), by (window, thread for a
    /// thread timer else 0, id); taken out while one runs.
    pub(super) timer_procs: Mutex<super::timer_proc::TimerProcs<Native>>,
    /// The overlapped operations in flight (`op.rs`).
    pub(super) ops: Mutex<super::op::OpTable>,
    /// The extension functions loaded so far (`mswsock.rs`), 0 for not yet.
    pub(super) ext: Mutex<[usize; 7]>,
    /// Mutexes, semaphores, lock structures, console-control handlers and per-process
    /// globals (`lock_table.rs`, used by `sync.rs`).
    pub(super) sync: Mutex<super::lock_table::Objects>,
    /// The handle flags of thread handles (a thread's handle is its id, no OS handle).
    pub(super) thread_flags: Mutex<std::collections::BTreeMap<usize, u32>>,
}

/// What this backend created and may pass to the OS.
#[derive(Default)]
pub(super) struct Owned {
    pub(super) sockets: BTreeSet<usize>,
    pub(super) events: BTreeSet<isize>,
    pub(super) wsa_refs: u32,
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let o = self.inner.owned.lock();
        write!(
            f,
            "Native({} sockets, WSAStartup count {})",
            o.sockets.len(),
            o.wsa_refs
        )
    }
}

/// The calling thread's `WSAGetLastError()`.
pub(super) fn last_error() -> WsaError {
    // SAFETY: WSAGetLastError takes no arguments and reads thread-local state.
    WsaError::from_code(unsafe { ws::WSAGetLastError() })
}

/// Sets the calling thread's last error from a result (0 after a success, as Windows does)
/// and passes the result on.
pub(super) fn finish<T>(r: Result<T, WsaError>) -> Result<T, WsaError> {
    let code = r.as_ref().map_or_else(|e| e.code(), |_| 0);
    // SAFETY: WSASetLastError only writes thread-local state.
    unsafe { ws::WSASetLastError(code) };
    r
}

/// [`finish`] for a call that, as on Windows, records only its failure: kernel32's BOOL and
/// VOID object and lock calls and the waits leave the last error alone when they succeed.
pub(super) fn finish_kept<T>(r: Result<T, WsaError>) -> Result<T, WsaError> {
    match r {
        Ok(v) => Ok(v),
        Err(e) => finish(Err(e)),
    }
}

/// `int` lengths: a slice longer than `i32::MAX` is passed as its first `i32::MAX` bytes.
pub(super) fn int_len(n: usize) -> i32 {
    n.min(i32::MAX as usize) as i32
}

/// A SOCKADDR_STORAGE-sized buffer the OS writes an address into, and its length.
pub(super) fn addr_buf() -> ([u8; 128], i32) {
    ([0u8; 128], 128)
}

/// The address the OS wrote (at most a SOCKADDR_IN6 is kept, as [`SockAddr`] holds).
pub(super) fn addr_from(buf: &[u8; 128], len: i32) -> SockAddr {
    SockAddr::from_bytes(&buf[..len.clamp(0, 128) as usize])
}

impl Native {
    /// A new backend: no sockets, `WSAStartup` not yet called through it.
    pub fn new() -> Native {
        Native::default()
    }

    /// The check before a call on socket `s`: WinSock started through this backend and `s`
    /// one of its open sockets (else WSANOTINITIALISED / WSAENOTSOCK, with no OS call).
    pub(super) fn owned(&self, s: Socket) -> Result<usize, WsaError> {
        let o = self.inner.owned.lock();
        if o.wsa_refs == 0 {
            Err(WsaError::WSANOTINITIALISED)
        } else if o.sockets.contains(&s.raw()) {
            Ok(s.raw())
        } else {
            Err(WsaError::WSAENOTSOCK)
        }
    }

    /// Runs an OS call on an owned socket; `SOCKET_ERROR` becomes `WSAGetLastError()`.
    pub(super) fn on(&self, s: Socket, call: impl FnOnce(usize) -> i32) -> Result<i32, WsaError> {
        finish(self.owned(s).and_then(|raw| match call(raw) {
            ws::SOCKET_ERROR => Err(last_error()),
            n => Ok(n),
        }))
    }

    /// [`Native::on`] for a socket option call: SO_OPENTYPE is the calling thread's, not a
    /// socket's, and Windows reads and sets it through any handle (sock.c
    /// test_set_getsockopt passes INVALID_SOCKET), so it goes to ws2_32 with INVALID_SOCKET
    /// whatever `s` is; every other option needs a socket of this backend's.
    fn on_opt(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        call: impl FnOnce(usize) -> i32,
    ) -> Result<i32, WsaError> {
        if (level, optname)
            != (
                crate::api::consts::SOL_SOCKET,
                crate::api::consts::SO_OPENTYPE,
            )
        {
            return self.on(s, call);
        }
        finish(match call(ws::INVALID_SOCKET) {
            ws::SOCKET_ERROR => Err(last_error()),
            n => Ok(n),
        })
    }

    /// Records a SOCKET the OS returned as one of this backend's.
    pub(super) fn adopt(&self, raw: usize) -> Result<Socket, WsaError> {
        if raw == ws::INVALID_SOCKET {
            return Err(last_error());
        }
        self.inner.owned.lock().sockets.insert(raw);
        Ok(Socket::from_raw(raw))
    }

    /// The check before a call on an event: one this backend created and has not closed.
    pub(super) fn event(&self, e: WsaEvent) -> Result<isize, WsaError> {
        let raw = e.raw() as isize;
        if self.inner.owned.lock().events.contains(&raw) {
            Ok(raw)
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        }
    }

    /// Closes an owned socket (after it left the table).
    fn close_raw(raw: usize) -> Result<(), WsaError> {
        // SAFETY: `raw` was created by this backend and has just left its table, so no other
        // code owns it and it is closed once.
        match unsafe { ws::closesocket(raw) } {
            ws::SOCKET_ERROR => Err(last_error()),
            _ => Ok(()),
        }
    }
}

impl Winsock for Native {
    /// `WSAStartup`: the OS call, counted here too (sockets are this backend's only while
    /// its count is above 0).
    fn wsa_startup(&self, version: u16) -> Result<WsaData, WsaError> {
        let mut data = ws::WSADATA::default();
        // SAFETY: `data` is a WSADATA the call fills; it outlives the call.
        let rc = unsafe { ws::WSAStartup(version, &mut data) };
        if rc != 0 {
            return finish(Err(WsaError::from_code(rc)));
        }
        self.inner.owned.lock().wsa_refs += 1;
        let text = |b: &[i8]| {
            let bytes: Vec<u8> = b
                .iter()
                .take_while(|&&c| c != 0)
                .map(|&c| c as u8)
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        finish(Ok(WsaData {
            version: data.wVersion,
            high_version: data.wHighVersion,
            description: text(&data.szDescription),
            system_status: text(&data.szSystemStatus),
            max_sockets: data.iMaxSockets,
            max_udp_dg: data.iMaxUdpDg,
        }))
    }

    /// `WSACleanup`: the last one through this backend closes its sockets first.
    fn wsa_cleanup(&self) -> Result<(), WsaError> {
        let closing = {
            let mut o = self.inner.owned.lock();
            if o.wsa_refs == 0 {
                return finish(Err(WsaError::WSANOTINITIALISED));
            }
            o.wsa_refs -= 1;
            if o.wsa_refs == 0 {
                std::mem::take(&mut o.sockets)
            } else {
                BTreeSet::new()
            }
        };
        for raw in closing {
            let _ = Native::close_raw(raw);
            self.ops_socket_closed(raw);
        }
        // SAFETY: WSACleanup takes no arguments; it is paired with the WSAStartup counted above.
        finish(match unsafe { ws::WSACleanup() } {
            ws::SOCKET_ERROR => Err(last_error()),
            _ => Ok(()),
        })
    }

    /// `WSAGetLastError`.
    fn wsa_get_last_error(&self) -> i32 {
        last_error().code()
    }

    /// `WSASetLastError`.
    fn wsa_set_last_error(&self, code: i32) {
        // SAFETY: WSASetLastError only writes thread-local state.
        unsafe { ws::WSASetLastError(code) };
    }

    /// `socket`: the OS call; the new SOCKET becomes this backend's.
    fn socket(&self, af: i32, ty: i32, protocol: i32) -> Result<Socket, WsaError> {
        if self.inner.owned.lock().wsa_refs == 0 {
            return finish(Err(WsaError::WSANOTINITIALISED));
        }
        // SAFETY: socket takes three integers and returns a new handle or INVALID_SOCKET.
        let raw = unsafe { ws::socket(af, ty, protocol) };
        finish(self.adopt(raw))
    }

    /// `bind`.
    fn bind(&self, s: Socket, addr: &SockAddr) -> Result<(), WsaError> {
        let a = addr.as_bytes();
        // SAFETY: `a` is a live slice passed with its length (ws2_32 reads at most that).
        self.on(s, |raw| unsafe {
            ws::bind(raw, a.as_ptr().cast(), int_len(a.len()))
        })
        .map(drop)
    }

    /// `listen`.
    fn listen(&self, s: Socket, backlog: i32) -> Result<(), WsaError> {
        // SAFETY: integers only, on an owned socket.
        self.on(s, |raw| unsafe { ws::listen(raw, backlog) })
            .map(drop)
    }

    /// `accept`: the new SOCKET becomes this backend's.
    fn accept(&self, s: Socket) -> Result<(Socket, SockAddr), WsaError> {
        let raw = finish(self.owned(s))?;
        let (mut buf, mut len) = addr_buf();
        // SAFETY: `buf` (128 bytes, SOCKADDR_STORAGE's size) and `len` hold its size and
        // outlive the call; the OS writes at most `len` bytes and updates `len`.
        let new = unsafe { ws::accept(raw, buf.as_mut_ptr().cast(), &mut len) };
        finish(self.adopt(new).map(|c| (c, addr_from(&buf, len))))
    }

    /// `connect`.
    fn connect(&self, s: Socket, addr: &SockAddr) -> Result<(), WsaError> {
        let a = addr.as_bytes();
        // SAFETY: `a` is a live slice passed with its length.
        self.on(s, |raw| unsafe {
            ws::connect(raw, a.as_ptr().cast(), int_len(a.len()))
        })
        .map(drop)
    }

    /// `send`.
    fn send(&self, s: Socket, buf: &[u8], flags: i32) -> Result<usize, WsaError> {
        // SAFETY: `buf` is a live slice; at most `int_len(buf.len())` bytes are read.
        self.on(s, |raw| unsafe {
            ws::send(raw, buf.as_ptr(), int_len(buf.len()), flags)
        })
        .map(|n| n as usize)
    }

    /// `recv`.
    fn recv(&self, s: Socket, buf: &mut [u8], flags: i32) -> Result<usize, WsaError> {
        let len = int_len(buf.len());
        // SAFETY: `buf` is a live, exclusively borrowed slice; at most `len` bytes are written.
        self.on(s, |raw| unsafe {
            ws::recv(raw, buf.as_mut_ptr(), len, flags)
        })
        .map(|n| n as usize)
    }

    /// `sendto`.
    fn sendto(&self, s: Socket, buf: &[u8], flags: i32, to: &SockAddr) -> Result<usize, WsaError> {
        let a = to.as_bytes();
        // SAFETY: `buf` and `a` are live slices passed with their lengths.
        self.on(s, |raw| unsafe {
            ws::sendto(
                raw,
                buf.as_ptr(),
                int_len(buf.len()),
                flags,
                a.as_ptr().cast(),
                int_len(a.len()),
            )
        })
        .map(|n| n as usize)
    }

    /// `recvfrom`: on a stream socket the OS leaves the address unwritten (returned empty).
    fn recvfrom(
        &self,
        s: Socket,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<(usize, SockAddr), WsaError> {
        let len = int_len(buf.len());
        let (mut from, mut from_len) = addr_buf();
        // SAFETY: `buf` (at most `len` bytes written) and `from` (128 bytes, its size in
        // `from_len`) are live and exclusively borrowed for the call.
        let n = self.on(s, |raw| unsafe {
            ws::recvfrom(
                raw,
                buf.as_mut_ptr(),
                len,
                flags,
                from.as_mut_ptr().cast(),
                &mut from_len,
            )
        })?;
        let written = if from_len == 128 && from[..2] == [0, 0] {
            0
        } else {
            from_len
        };
        Ok((n as usize, addr_from(&from, written)))
    }

    /// `shutdown`.
    fn shutdown(&self, s: Socket, how: i32) -> Result<(), WsaError> {
        // SAFETY: integers only, on an owned socket.
        self.on(s, |raw| unsafe { ws::shutdown(raw, how) })
            .map(drop)
    }

    /// `WSASendDisconnect(s, NULL)`.
    fn wsa_send_disconnect(&self, s: Socket) -> Result<(), WsaError> {
        // SAFETY: an owned socket; NULL asks for no disconnect data.
        self.on(s, |raw| unsafe {
            ws::WSASendDisconnect(raw, std::ptr::null())
        })
        .map(drop)
    }

    /// `WSARecvDisconnect(s, NULL)`.
    fn wsa_recv_disconnect(&self, s: Socket) -> Result<(), WsaError> {
        // SAFETY: an owned socket; NULL asks for no disconnect data.
        self.on(s, |raw| unsafe {
            ws::WSARecvDisconnect(raw, std::ptr::null())
        })
        .map(drop)
    }

    /// `closesocket`: the SOCKET leaves this backend's table, then the OS closes it (a call
    /// blocked on it in another thread ends, as on Windows).
    fn closesocket(&self, s: Socket) -> Result<(), WsaError> {
        if let Some(r) = self.closesocket_protected(s.raw()) {
            return finish(r);
        }
        let removed = {
            let mut o = self.inner.owned.lock();
            if o.wsa_refs == 0 {
                Err(WsaError::WSANOTINITIALISED)
            } else if o.sockets.remove(&s.raw()) {
                Ok(s.raw())
            } else {
                Err(WsaError::WSAENOTSOCK)
            }
        };
        let r = removed.and_then(|raw| {
            let r = Native::close_raw(raw);
            self.ops_socket_closed(raw);
            r
        });
        finish(r)
    }

    /// `ioctlsocket`.
    fn ioctlsocket(&self, s: Socket, cmd: u32, arg: &mut u32) -> Result<(), WsaError> {
        // SAFETY: `arg` is a live, exclusively borrowed u32, the size every ioctlsocket command
        // reads or writes.
        self.on(s, |raw| unsafe { ws::ioctlsocket(raw, cmd as i32, arg) })
            .map(drop)
    }

    /// `getsockname`.
    fn getsockname(&self, s: Socket) -> Result<SockAddr, WsaError> {
        let (mut buf, mut len) = addr_buf();
        // SAFETY: `buf` is 128 bytes with its size in `len`, both live for the call.
        self.on(s, |raw| unsafe {
            ws::getsockname(raw, buf.as_mut_ptr().cast(), &mut len)
        })?;
        Ok(addr_from(&buf, len))
    }

    /// `getpeername`.
    fn getpeername(&self, s: Socket) -> Result<SockAddr, WsaError> {
        let (mut buf, mut len) = addr_buf();
        // SAFETY: `buf` is 128 bytes with its size in `len`, both live for the call.
        self.on(s, |raw| unsafe {
            ws::getpeername(raw, buf.as_mut_ptr().cast(), &mut len)
        })?;
        Ok(addr_from(&buf, len))
    }

    /// `setsockopt`.
    fn setsockopt(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: &[u8],
    ) -> Result<(), WsaError> {
        // SAFETY: `optval` is a live slice passed with its length; options that hold a pointer
        // (none of the WinSock SOL_SOCKET/IPPROTO options do) are not reachable with bytes;
        // `raw` is an owned socket, or INVALID_SOCKET (which names no object) for SO_OPENTYPE.
        self.on_opt(s, level, optname, |raw| unsafe {
            ws::setsockopt(raw, level, optname, optval.as_ptr(), int_len(optval.len()))
        })
        .map(drop)
    }

    /// `getsockopt`: returns the new optlen.
    fn getsockopt(
        &self,
        s: Socket,
        level: i32,
        optname: i32,
        optval: &mut [u8],
    ) -> Result<usize, WsaError> {
        let mut len = int_len(optval.len());
        // SAFETY: `optval` is live and exclusively borrowed, its size in `len`; the OS writes
        // at most `len` bytes and updates it; `raw` is an owned socket, or INVALID_SOCKET
        // (which names no object) for SO_OPENTYPE.
        self.on_opt(s, level, optname, |raw| unsafe {
            ws::getsockopt(raw, level, optname, optval.as_mut_ptr(), &mut len)
        })?;
        Ok(len.max(0) as usize)
    }

    /// `Sleep`.
    fn sleep(&self, ms: u32) {
        // SAFETY: an integer only.
        unsafe { windows_sys::Win32::System::Threading::Sleep(ms) }
    }

    /// `GetTickCount`: milliseconds since the system started.
    fn get_tick_count(&self) -> u32 {
        // SAFETY: no arguments.
        unsafe { windows_sys::Win32::System::SystemInformation::GetTickCount() }
    }

    /// `GetTickCount64`: milliseconds since the system started, not wrapping.
    fn get_tick_count64(&self) -> u64 {
        // SAFETY: no arguments.
        unsafe { windows_sys::Win32::System::SystemInformation::GetTickCount64() }
    }

    /// `QueryPerformanceCounter`.
    fn query_performance_counter(&self) -> i64 {
        let mut count = 0i64;
        // SAFETY: `count` is a valid i64 for the call to write; it cannot fail on XP and
        // later (the documentation's own words), so the BOOL is not read.
        unsafe { windows_sys::Win32::System::Performance::QueryPerformanceCounter(&mut count) };
        count
    }

    /// `QueryPerformanceFrequency`.
    fn query_performance_frequency(&self) -> i64 {
        let mut freq = 0i64;
        // SAFETY: as for QueryPerformanceCounter: a valid i64 to write, a call that cannot
        // fail on XP and later.
        unsafe { windows_sys::Win32::System::Performance::QueryPerformanceFrequency(&mut freq) };
        freq
    }

    /// `GetSystemInfo`: the processor count (from std, which asks the OS).
    fn get_system_info(&self) -> SystemInfo {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        SystemInfo {
            number_of_processors: n as u32,
        }
    }

    /// `CreateThread`: an OS thread running `f` with a clone of this backend.
    fn create_thread<F>(&self, name: &str, f: F) -> Result<ThreadId, WsaError>
    where
        F: FnOnce(&Self) -> Result<(), WsaError> + Send + 'static,
    {
        let spawned = self.inner.threads.spawn(
            name,
            self.clone(),
            |me| &me.inner.threads,
            move |me| {
                let _ = f(me);
            },
        );
        finish(spawned.map_err(|_| WsaError::WSAENOBUFS))
    }

    /// `WaitForSingleObject` on a thread of this backend.
    fn wait_for_thread(&self, t: ThreadId, timeout_ms: u32) -> Result<(), WsaError> {
        finish(self.inner.threads.wait(t, timeout_ms))
    }
}
