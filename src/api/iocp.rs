//! I/O completion ports: `CreateIoCompletionPort`, `GetQueuedCompletionStatus(Ex)`,
//! `PostQueuedCompletionStatus`, `SetFileCompletionNotificationModes`.
//!
//! Two names depart from the one-call-one-method rule, because one Win32 call does two jobs:
//! `CreateIoCompletionPort` is [`Iocp::create_io_completion_port`] when it creates a port and
//! [`Iocp::associate_completion_port`] when it associates a socket with one, and
//! `CloseHandle` on a port is [`Iocp::close_completion_port`] (a port is not a socket, so
//! `closesocket` does not apply).

use super::overlapped::Overlapped;
use super::types::Socket;
use super::{Winsock, WsaError};

/// A completion port handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompletionPort(usize);

impl CompletionPort {
    /// A handle from its raw value.
    pub const fn from_raw(raw: usize) -> CompletionPort {
        CompletionPort(raw)
    }

    /// The raw handle value.
    pub const fn raw(self) -> usize {
        self.0
    }
}

/// One dequeued completion packet (`lpNumberOfBytes`, `lpCompletionKey`, `lpOverlapped`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionPacket {
    /// Bytes transferred (0 on a receive: the peer closed).
    pub bytes: usize,
    /// The completion key given when the socket was associated (or posted).
    pub key: usize,
    /// The operation's identity; `None` for a posted packet without one.
    pub overlapped: Option<Overlapped>,
    /// `None` when the I/O succeeded (GQCS returned TRUE); otherwise the Win32 error GQCS
    /// would leave in GetLastError (ERROR_NETNAME_DELETED after a reset,
    /// ERROR_CONNECTION_ABORTED after a local close, ERROR_OPERATION_ABORTED after a cancel).
    pub error: Option<WsaError>,
    /// The operation's buffers, handed back.
    pub bufs: Vec<Vec<u8>>,
    /// The source of a datagram received with WSARecvFrom or WSARecvMsg (`None` otherwise).
    pub from: Option<super::types::SockAddr>,
    /// WSARecvMsg: the control data written (see [`crate::api::msg`]); empty otherwise.
    pub control: Vec<u8>,
    /// WSARecvMsg: the WSAMSG `dwFlags` it left (MSG_TRUNC, MSG_CTRUNC, MSG_MCAST); 0
    /// otherwise.
    pub msg_flags: u32,
}

/// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (0x1): no packet for an I/O that succeeds at once.
pub const FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: u8 = 0x1;
/// FILE_SKIP_SET_EVENT_ON_HANDLE (0x2).
pub const FILE_SKIP_SET_EVENT_ON_HANDLE: u8 = 0x2;

/// The completion port calls.
pub trait Iocp: Winsock {
    /// `CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, NumberOfConcurrentThreads)`: a new
    /// port; `concurrency` 0 means the number of (simulated) CPUs.
    fn create_io_completion_port(&self, concurrency: u32) -> Result<CompletionPort, WsaError>;

    /// `CreateIoCompletionPort(s, ExistingCompletionPort, CompletionKey, 0)`: associates a socket
    /// with a port; its overlapped completions become packets with `key`. A socket can be
    /// associated once (again: WSA_INVALID_PARAMETER).
    fn associate_completion_port(
        &self,
        s: Socket,
        port: CompletionPort,
        key: usize,
    ) -> Result<(), WsaError>;

    /// `GetQueuedCompletionStatus(port, …, dwMilliseconds)`: the next packet (a failed I/O's
    /// packet too, with its `error` set — C's FALSE with lpOverlapped set). WAIT_TIMEOUT when
    /// the time runs out; ERROR_ABANDONED_WAIT_0 when the port is closed while waiting.
    fn get_queued_completion_status(
        &self,
        port: CompletionPort,
        timeout_ms: u32,
    ) -> Result<CompletionPacket, WsaError>;

    /// `GetQueuedCompletionStatus(port, &lpNumberOfBytes, &lpCompletionKey, &lpOverlapped,
    /// dwMilliseconds)` with C's three out parameters, written as Windows writes them: a
    /// dequeued packet (a failed I/O's too) writes all three; when no packet is dequeued
    /// (WAIT_TIMEOUT, a closed or invalid port) `overlapped` becomes `None` (NULL) and
    /// `bytes` and `key` are left as they were (sock.c test_completion_port, iocp_async_read).
    /// The result is [`Iocp::get_queued_completion_status`]'s, buffers included. The
    /// simulator uses this default, which derives the writes from that call; os::Native passes
    /// the out parameters to the real call.
    fn get_queued_completion_status_out(
        &self,
        port: CompletionPort,
        bytes: &mut u32,
        key: &mut usize,
        overlapped: &mut Option<Overlapped>,
        timeout_ms: u32,
    ) -> Result<CompletionPacket, WsaError> {
        let r = self.get_queued_completion_status(port, timeout_ms);
        match &r {
            Ok(p) => {
                // DWORD lpNumberOfBytes: a packet's count fits (posted counts are DWORDs).
                *bytes = p.bytes as u32;
                *key = p.key;
                *overlapped = p.overlapped;
            }
            Err(_) => *overlapped = None,
        }
        r
    }

    /// `GetQueuedCompletionStatusEx(port, entries, ulCount, …, dwMilliseconds, fAlertable)`:
    /// up to `max` packets at once (at least one), or WAIT_TIMEOUT / WAIT_IO_COMPLETION
    /// (when alertable and APCs ran) as the error. Built on
    /// [`Iocp::get_queued_completion_status_ex_into`] with a new array each call.
    fn get_queued_completion_status_ex(
        &self,
        port: CompletionPort,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<Vec<CompletionPacket>, WsaError> {
        let mut entries = Vec::new();
        self.get_queued_completion_status_ex_into(port, &mut entries, max, timeout_ms, alertable)?;
        Ok(entries)
    }

    /// `GetQueuedCompletionStatusEx(port, lpCompletionPortEntries, ulCount,
    /// &ulNumEntriesRemoved, dwMilliseconds, fAlertable)` with the caller's array, as C passes
    /// it: `entries` is emptied, then holds the packets removed (up to `max`, at least one),
    /// and their count is returned; errors as
    /// [`Iocp::get_queued_completion_status_ex`], with `entries` left empty. A worker that
    /// keeps one `Vec` across its calls allocates nothing per call.
    fn get_queued_completion_status_ex_into(
        &self,
        port: CompletionPort,
        entries: &mut Vec<CompletionPacket>,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<usize, WsaError>;

    /// `PostQueuedCompletionStatus(port, dwNumberOfBytesTransferred, dwCompletionKey,
    /// lpOverlapped)`: queues a packet of the program's own.
    fn post_queued_completion_status(
        &self,
        port: CompletionPort,
        bytes: usize,
        key: usize,
        ov: Option<Overlapped>,
    ) -> Result<(), WsaError>;

    /// `CloseHandle(port)`: threads waiting on it wake with ERROR_ABANDONED_WAIT_0.
    fn close_completion_port(&self, port: CompletionPort) -> Result<(), WsaError>;

    /// `SetFileCompletionNotificationModes(s, flags)`: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
    /// makes I/O that completes at once queue no packet.
    fn set_file_completion_notification_modes(&self, s: Socket, flags: u8) -> Result<(), WsaError>;
}
