//! Overlapped I/O (models 1 and 2 of the seed): `WSASend`/`WSARecv` with WSABUF arrays,
//! completion by event or by completion routine (an APC run in an alertable wait),
//! `WSAGetOverlappedResult`, `AcceptEx`, `ConnectEx`, `DisconnectEx`, `TransmitFile`,
//! `WSARecvMsg`, `WSASendMsg`, `WSAIoctl`, `CancelIoEx`.
//!
//! Of the seed's list of calls that support overlapped I/O, two are not modelled:
//! `WSANSPIoctl` (name-space provider control) and `WSAProviderConfigChange` (Winsock
//! catalogue changes) — the sim has no name-space or service providers.
//!
//! Ownership instead of pointers: an overlapped call takes its buffers (`Vec<Vec<u8>>`, one per
//! WSABUF) and they come back, filled for a receive, with the completion — through the
//! completion routine, the completion port packet, or `wsa_get_overlapped_result`, exactly
//! one of them. The [`Overlapped`] value is the identity `lpOverlapped` gives in C: its `id`
//! lets a worker find its per-I/O context.

use super::c_call::{finish, not_sock_or};
use super::consts::{AF_INET6, SOCK_DGRAM, SOL_SOCKET, SO_TYPE};
use super::msg::WsaMsg;
use super::types::{SockAddr, Socket, ThreadId};
use super::{Winsock, WsaError};

pub use super::io_completion::{
    ApcRoutine, CompletionRoutine, Immediate, IoCompletion, TransmitFileBuffers,
    WAIT_IO_COMPLETION, WAIT_OBJECT_0, WAIT_TIMEOUT,
};
pub use super::wsaoverlapped::Overlapped;

/// The overlapped I/O calls.
pub trait OverlappedIo: Winsock + Sized {
    /// `WSASend` without OVERLAPPED or routine: a gather send that behaves like `send`.
    fn wsa_send(&self, s: Socket, bufs: &[&[u8]], flags: u32) -> Result<usize, WsaError>;

    /// `WSARecv` without OVERLAPPED or routine: a scatter receive that behaves like `recv`.
    /// Returns the bytes received and the output flags.
    fn wsa_recv(
        &self,
        s: Socket,
        bufs: &mut [&mut [u8]],
        flags: u32,
    ) -> Result<(usize, u32), WsaError>;

    /// `WSASend(s, lpBuffers, …, lpOverlapped, lpCompletionRoutine)`: `Ok(bytes)` when it
    /// completed at once (the completion is still delivered: event, routine or packet),
    /// `Err(WSA_IO_PENDING)` when it will complete later; any other error is synchronous (the
    /// buffers are then dropped). Flags: MSG_OOB, MSG_DONTROUTE. On a TCP socket with
    /// SO_SNDBUF 0 nothing is buffered: the send is sent from the caller's buffers and pends
    /// until the peer has acknowledged its last byte (sock.c test_send).
    fn wsa_send_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError>;

    /// `WSARecv(s, lpBuffers, …, lpOverlapped, lpCompletionRoutine)`: fills the buffers in
    /// order (scatter); results as [`OverlappedIo::wsa_send_overlapped`]. `flags`: MSG_PEEK
    /// (the data is copied and stays queued) and MSG_WAITALL (on a stream socket in blocking
    /// mode the receive takes data as it comes and completes when its buffers are full or
    /// the connection ends; with MSG_PEEK, in nonblocking mode or on a datagram socket:
    /// WSAEOPNOTSUPP, as WSARecv's documentation says); the sim does not model an
    /// overlapped MSG_OOB receive (WSAEOPNOTSUPP).
    fn wsa_recv_overlapped(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError>;

    /// [`OverlappedIo::wsa_send_overlapped`] for a caller that handles an immediate success
    /// inline: a send that completes inside the call and queues no packet or routine gives
    /// its buffers back at once ([`Immediate::Completed`]) instead of keeping them for
    /// `WSAGetOverlappedResult`. Pending (WSA_IO_PENDING) and failures are as that call's.
    /// The simulator collects the operation under the call's own lock (no second call in the
    /// trace); os::Native collects it with `WSAGetOverlappedResult` once the OS call returned.
    fn wsa_send_overlapped_inline(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<Immediate, WsaError>;

    /// [`OverlappedIo::wsa_recv_overlapped`] for a caller that handles an immediate success
    /// inline: a receive that completes inside the call (data was there, or the peer had
    /// closed) and queues no packet or routine gives its filled buffers back at once
    /// ([`Immediate::Completed`]); otherwise as
    /// [`OverlappedIo::wsa_send_overlapped_inline`].
    fn wsa_recv_overlapped_inline(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<Immediate, WsaError>;

    /// `WSASend(s, lpBuffers, …, &lpNumberOfBytesSent, dwFlags, lpOverlapped,
    /// lpCompletionRoutine)` with C's out parameter: `bytes` is written only when the send
    /// completes at once; a pending send (WSA_IO_PENDING) or a synchronous failure leaves it
    /// as it was (sock.c test_completion_port). Otherwise
    /// [`OverlappedIo::wsa_send_overlapped`]. The simulator uses this default, which writes
    /// `bytes` from that call's `Ok`; os::Native passes it to the real call.
    fn wsa_send_overlapped_out(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        bytes: &mut u32,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        count_out(self.wsa_send_overlapped(s, bufs, flags, ov, routine), bytes)
    }

    /// `WSARecv(s, lpBuffers, …, &lpNumberOfBytesRecvd, lpFlags, lpOverlapped,
    /// lpCompletionRoutine)` with C's out parameter: `bytes` is written only when the receive
    /// completes at once; pending (WSA_IO_PENDING) or failing at once it is left as it was
    /// (sock.c iocp_async_read, test_completion_port). Otherwise
    /// [`OverlappedIo::wsa_recv_overlapped`]. The simulator uses this default, which writes
    /// `bytes` from that call's `Ok`; os::Native passes it to the real call.
    fn wsa_recv_overlapped_out(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        bytes: &mut u32,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError> {
        count_out(self.wsa_recv_overlapped(s, bufs, flags, ov, routine), bytes)
    }

    /// `WSASendTo(s, lpBuffers, …, lpTo, iToLen, lpOverlapped, lpCompletionRoutine)`: one
    /// datagram on a datagram socket (binding it implicitly); on a stream socket `to` is
    /// ignored and it is WSASend.
    fn wsa_send_to(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        to: &SockAddr,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError>;

    /// `WSARecvFrom(s, lpBuffers, …, lpFrom, lpFromlen, lpOverlapped, lpCompletionRoutine)`:
    /// one datagram into the buffers (scatter), its source in the completion's `from`; a
    /// datagram larger than the buffers completes with WSAEMSGSIZE (ERROR_MORE_DATA in a
    /// packet). On a stream socket it is WSARecv.
    fn wsa_recv_from(
        &self,
        s: Socket,
        bufs: Vec<Vec<u8>>,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError>;

    /// `WSAGetOverlappedResult(s, lpOverlapped, &cbTransfer, fWait, &dwFlags)`: the finished
    /// operation (its buffers the first time), WSA_IO_INCOMPLETE while pending and `wait` is
    /// false. An unknown `ov`: WSAEINVAL. As Windows keeps a result in the OVERLAPPED until
    /// the structure is reused, the sim reports it again on later calls; it keeps the results
    /// of the 4,096 OVERLAPPEDs that finished most recently (an older one is unknown).
    fn wsa_get_overlapped_result(
        &self,
        s: Socket,
        ov: &Overlapped,
        wait: bool,
    ) -> Result<IoCompletion, WsaError>;

    /// `GetOverlappedResult((HANDLE)s, lpOverlapped, &cbTransfer, bWait)`: as
    /// [`OverlappedIo::wsa_get_overlapped_result`], but a failed operation's error is the
    /// Win32 code of its status, as GetLastError gives it (ERROR_NETNAME_DELETED where
    /// WSAGetOverlappedResult says WSAECONNRESET), and the handle is not checked (the
    /// OVERLAPPED alone names the operation). The simulator maps the operation's
    /// NTSTATUS itself; this default, for backends without the call, maps the WinSock code
    /// (exact except for WSAECONNRESET after an ICMP port unreachable, which is
    /// ERROR_PORT_UNREACHABLE on Windows).
    fn get_overlapped_result(
        &self,
        s: Socket,
        ov: &Overlapped,
        wait: bool,
    ) -> Result<IoCompletion, WsaError> {
        let mut c = self.wsa_get_overlapped_result(s, ov, wait)?;
        c.error = c.error.map(|e| match e {
            WsaError::WSAECONNRESET => WsaError::ERROR_NETNAME_DELETED,
            WsaError::WSAECONNABORTED => WsaError::ERROR_CONNECTION_ABORTED,
            WsaError::WSAECONNREFUSED => WsaError::ERROR_CONNECTION_REFUSED,
            WsaError::WSAETIMEDOUT => WsaError::ERROR_SEM_TIMEOUT,
            WsaError::WSAEMSGSIZE => WsaError::ERROR_MORE_DATA,
            WsaError::WSAEOPNOTSUPP => WsaError::ERROR_NOT_SUPPORTED,
            other => other,
        });
        Ok(c)
    }

    /// `GetOverlappedResultEx((HANDLE)s, lpOverlapped, &cbTransfer, dwMilliseconds,
    /// bAlertable)` (Windows 8 and later): [`OverlappedIo::get_overlapped_result`] with a
    /// bounded wait. Still pending: with a timeout of 0, ERROR_IO_INCOMPLETE
    /// ([`WsaError::WSA_IO_INCOMPLETE`], 996) at once; else WAIT_TIMEOUT when the time runs
    /// out (INFINITE never), or, when `alertable`, WAIT_IO_COMPLETION once queued APCs (or
    /// completion routines) have run — at once if some were queued before the call. A
    /// finished operation is returned without waiting and without running APCs. The sim
    /// waits for the operation itself, in virtual time.
    fn get_overlapped_result_ex(
        &self,
        s: Socket,
        ov: &Overlapped,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<IoCompletion, WsaError>;

    /// `AcceptEx(sListenSocket, sAcceptSocket, lpOutputBuffer, dwReceiveDataLength, …,
    /// lpOverlapped)`: pends (WSA_IO_PENDING) until a client connects — or, when `buf` is not
    /// empty (dwReceiveDataLength = `buf.len()`), until its first data arrives, which fills
    /// `buf` — then `accept_socket` is the connection. Completes on the listener's key; `buf`
    /// comes back with the completion (the addresses: `getsockname`/`getpeername`). A
    /// connection a WSAAccept condition function deferred (CF_DEFER) is taken with
    /// WSA_IO_PENDING even though the completion is already there.
    fn accept_ex(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError>;

    /// `AcceptEx(sListenSocket, sAcceptSocket, lpOutputBuffer, dwReceiveDataLength,
    /// dwLocalAddressLength, dwRemoteAddressLength, …, lpOverlapped)` with the two address
    /// lengths C passes ([`OverlappedIo::accept_ex`] gives room enough for both). A
    /// `remote_len` of 0 fails at once with WSAEFAULT (OVERLAPPED.Internal left
    /// STATUS_PENDING); a `local_len` of 0 leaves no room for the local address and the
    /// accept still succeeds. A nonzero length below the SOCKADDR's size + 16 (32 for IPv4,
    /// 44 for IPv6) still pends; when a client connects the AcceptEx fails with
    /// STATUS_BUFFER_TOO_SMALL (ERROR_INSUFFICIENT_BUFFER, WSAEFAULT from
    /// WSAGetOverlappedResult), 0 bytes, and the connection stays queued for the next accept
    /// (sock.c test_AcceptEx pins this for local lengths 3 and 20; the simulator applies the
    /// same rule to a short remote length, whose completion sock.c does not check).
    fn accept_ex_with_lengths(
        &self,
        listener: Socket,
        accept_socket: Socket,
        buf: Vec<u8>,
        local_len: u32,
        remote_len: u32,
        ov: Overlapped,
    ) -> Result<usize, WsaError>;

    /// `GetAcceptExSockaddrs(lpOutputBuffer, …, &LocalSockaddr, …, &RemoteSockaddr, …)`: the
    /// local and remote addresses of a connection AcceptEx completed into `accept_socket` (in
    /// C they are parsed from AcceptEx's output buffer, so they need no
    /// SO_UPDATE_ACCEPT_CONTEXT). Not such a connection: WSAENOTCONN.
    fn get_accept_ex_sockaddrs(
        &self,
        accept_socket: Socket,
    ) -> Result<(SockAddr, SockAddr), WsaError>;

    /// `ConnectEx(s, name, namelen, lpSendBuffer, …, lpOverlapped)`: the socket must be
    /// bound; pends until connected (then sends `send_buf`, reporting its length) or failed
    /// (ERROR_CONNECTION_REFUSED in a packet, WSAECONNREFUSED otherwise).
    fn connect_ex(
        &self,
        s: Socket,
        addr: &SockAddr,
        send_buf: Vec<u8>,
        ov: Overlapped,
    ) -> Result<usize, WsaError>;

    /// `DisconnectEx(s, lpOverlapped, dwFlags, 0)`: closes the sending direction (FIN after
    /// queued data, as `shutdown(SD_SEND)`); the peer can still send and this side receive.
    /// With `ov` it pends (WSA_IO_PENDING) until the FIN is acknowledged and then completes
    /// with 0 bytes (a packet on a completion port); without, it returns at once. Not
    /// connected: WSAENOTCONN. `flags`: 0 or TF_REUSE_SOCKET, which makes the handle name a
    /// fresh unbound socket once the disconnect completes (the call then waits for that
    /// without an OVERLAPPED); other flags: WSAEINVAL.
    fn disconnect_ex(&self, s: Socket, ov: Option<Overlapped>, flags: u32) -> Result<(), WsaError>;

    /// `WSAIoctl(s, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer,
    /// &cbBytesReturned, NULL, NULL)` (the non-overlapped form): FIONBIO, FIONREAD,
    /// SIOCATMARK, SIO_KEEPALIVE_VALS, SIO_IDEAL_SEND_BACKLOG_QUERY, SIO_BASE_HANDLE,
    /// SIO_ENABLE_CIRCULAR_QUEUEING, SIO_UDP_CONNRESET, SIO_UDP_NETRESET (datagram sockets),
    /// SIO_ADDRESS_LIST_QUERY,
    /// SIO_GET_INTERFACE_LIST and SIO_ROUTING_INTERFACE_QUERY
    /// ([`interface_list`](super::interface_list)). Returns cbBytesReturned. A too-small input or output buffer: WSAEFAULT; another code:
    /// WSAEOPNOTSUPP (conformance OV-15, NB-08, ER-12).
    fn wsa_ioctl(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<usize, WsaError>;

    /// `WSAIoctl(…, lpOverlapped, lpCompletionRoutine)` (the overlapped form): the codes
    /// WinSock handles at once (FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS,
    /// SIO_ADDRESS_LIST_QUERY, SIO_ROUTING_INTERFACE_QUERY, the datagram switches) return `Ok(cbBytesReturned)` and
    /// still deliver a completion of 0 bytes carrying `output` (event, routine or packet);
    /// SIO_GET_INTERFACE_LIST returns WSA_IO_PENDING and completes with the list's size (or
    /// STATUS_BUFFER_TOO_SMALL and 0 bytes when `output` cannot hold it); any other code returns WSA_IO_PENDING and completes with
    /// ERROR_NOT_SUPPORTED in a packet (WSAEOPNOTSUPP for a routine or
    /// `wsa_get_overlapped_result`). Parameter errors are synchronous (conformance OV-15).
    fn wsa_ioctl_overlapped(
        &self,
        s: Socket,
        code: u32,
        input: &[u8],
        output: Vec<u8>,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError>;

    /// `WSARecvMsg(s, lpMsg, &dwBytes, NULL, NULL)` (the non-overlapped form): one datagram
    /// into `msg.bufs`, its source into `msg.name`, control data into `msg.control` (IP_PKTINFO
    /// / IPV6_PKTINFO, IP_TTL / IPV6_HOPLIMIT, IP_TOS / IPV6_TCLASS records, as the socket's
    /// options ask) and the output flags into `msg.flags`; returns the bytes received. A
    /// datagram larger than the buffers sets MSG_TRUNC and fails with WSAEMSGSIZE; control data
    /// larger than `Control.len` sets MSG_CTRUNC and fails with WSAEMSGSIZE too (sock.c
    /// test_ip_pktinfo) — `msg` is filled either way. Stream socket: WSAEINVAL; unbound:
    /// WSAEINVAL. Blocks as `recvfrom` (WSAEWOULDBLOCK when nonblocking).
    fn wsa_recv_msg(&self, s: Socket, msg: &mut WsaMsg) -> Result<usize, WsaError>;

    /// `WSARecvMsg(s, lpMsg, NULL, lpOverlapped, lpCompletionRoutine)`: as WSARecvFrom (results
    /// as [`OverlappedIo::wsa_send_overlapped`]); the completion carries the buffers, the
    /// source (`from`), `control` and `msg_flags`. A truncated datagram or control data
    /// completes with WSAEMSGSIZE (ERROR_MORE_DATA in a packet) and still carries the data;
    /// the call then says WSA_IO_PENDING even when the datagram was already queued (sock.c
    /// test_ip_pktinfo).
    fn wsa_recv_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError>;

    /// `WSASendMsg(s, lpMsg, dwFlags, &dwBytes, NULL, NULL)`: one datagram of `msg.bufs` to
    /// `msg.name` (or the connected peer), binding an unbound socket as `sendto` does
    /// (conformance ER-10); returns the bytes sent. `msg.control` is accepted and ignored (the
    /// sim picks the source address itself). Stream socket: WSAEINVAL (ER-10).
    fn wsa_send_msg(&self, s: Socket, msg: &WsaMsg, flags: u32) -> Result<usize, WsaError>;

    /// `WSASendMsg(s, lpMsg, dwFlags, lpNumberOfBytesSent, NULL, NULL)` with C's pointers:
    /// `msg` None is NULL, `bytes_sent` None is NULL. WSAENOTSOCK, then WSAEFAULT for either
    /// NULL; a NULL count with a message still binds an unbound datagram socket to the
    /// wildcard address (sock.c test_WSASendMsg), a NULL message does not. Otherwise as
    /// [`OverlappedIo::wsa_send_msg`], the count written. One shared model on every backend.
    fn wsa_send_msg_c(
        &self,
        s: Socket,
        msg: Option<&WsaMsg>,
        flags: u32,
        bytes_sent: Option<&mut u32>,
    ) -> Result<(), WsaError>
    where
        Self: Sized,
    {
        send_msg_c(self, s, msg, flags, bytes_sent)
    }

    /// `WSASendMsg(s, lpMsg, dwFlags, NULL, lpOverlapped, lpCompletionRoutine)`: as
    /// [`OverlappedIo::wsa_send_msg`], completing at once as WSASendTo does; the completion
    /// hands back `msg.bufs`.
    fn wsa_send_msg_overlapped(
        &self,
        s: Socket,
        msg: WsaMsg,
        flags: u32,
        ov: Overlapped,
        routine: Option<CompletionRoutine<Self>>,
    ) -> Result<usize, WsaError>;

    /// `TransmitFile(hSocket, hFile, nNumberOfBytesToWrite, 0, lpOverlapped,
    /// lpTransmitBuffers, dwReserved)`. The sim has no files: the "file" is an in-memory byte
    /// buffer (`None` is hFile = NULL), read from `offset` (the file pointer, or
    /// OVERLAPPED.Offset) for `bytes_to_write` bytes (0: to the end). Sends head, file part and
    /// tail, in order, on a connected stream socket. Without `ov` it returns once all is in the
    /// send buffer, with the byte count; with `ov` it returns WSA_IO_PENDING and completes (event
    /// or packet) with the count. `flags`: TF_DISCONNECT closes the sending direction afterwards
    /// and TF_REUSE_SOCKET (with TF_DISCONNECT) then makes the handle a fresh unbound socket, as
    /// DisconnectEx does; other bits: WSAEINVAL. Not a connected stream socket (UDP included):
    /// WSAENOTCONN (ER-12); INVALID_SOCKET: WSAENOTSOCK (ER-09).
    #[allow(clippy::too_many_arguments)]
    fn transmit_file(
        &self,
        s: Socket,
        file: Option<&[u8]>,
        offset: u64,
        bytes_to_write: u32,
        buffers: Option<&TransmitFileBuffers>,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError>;

    /// `TransmitPackets(hSocket, lpPacketArray, nElementCount, nSendSize, lpOverlapped,
    /// dwFlags)`: sends the elements' bytes (memory buffers and parts of files, see
    /// [`TransmitPacketsElement`](super::transmit_packets::TransmitPacketsElement)) in order
    /// on a connected socket. On a stream socket they go to the send queue as TransmitFile's
    /// do (`flags` as for [`OverlappedIo::transmit_file`]: TF_DISCONNECT, TF_REUSE_SOCKET).
    /// On a connected datagram socket each send request is a datagram to the peer
    /// ([`send_requests`](super::transmit_packets::send_requests): joined up to
    /// TP_ELEMENT_EOP, capped at `send_size` unless it is 0 or 0xFFFFFFFF); TF_DISCONNECT
    /// there is WSAEINVAL. Without `ov` it returns the byte count once all is sent; with `ov`
    /// WSA_IO_PENDING, and the completion carries the count. Not connected: WSAENOTCONN; an
    /// element with both or no known kind bits, or flags TransmitPackets does not know:
    /// WSAEINVAL; INVALID_SOCKET: WSAENOTSOCK. The simulator models it from the
    /// documentation alone: Wine 8.0 does not provide it, and no Windows machine was at hand.
    fn transmit_packets(
        &self,
        s: Socket,
        elements: &[super::transmit_packets::TransmitPacketsElement<'_>],
        send_size: u32,
        ov: Option<Overlapped>,
        flags: u32,
    ) -> Result<usize, WsaError>;

    /// `CancelIoEx(hFile, lpOverlapped)`: cancels the socket's pending operations (only
    /// `ov`'s if given); they complete with WSA_OPERATION_ABORTED. None pending:
    /// ERROR_NOT_FOUND.
    fn cancel_io_ex(&self, s: Socket, ov: Option<&Overlapped>) -> Result<(), WsaError>;

    /// `SleepEx(dwMilliseconds, bAlertable)`: 0 after the full time, WAIT_IO_COMPLETION when
    /// alertable and queued APCs ran (they run first if already queued).
    fn sleep_ex(&self, ms: u32, alertable: bool) -> u32;

    /// `WaitForSingleObjectEx(hHandle, dwMilliseconds, bAlertable)` on an event, a mutex or
    /// a thread ([`Handle`](super::sync::Handle)): WAIT_OBJECT_0, WAIT_TIMEOUT,
    /// WAIT_ABANDONED or WAIT_IO_COMPLETION.
    fn wait_for_single_object_ex<H: Into<super::sync::Handle> + Copy>(
        &self,
        h: H,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError>;

    /// `WaitForMultipleObjectsEx(nCount, lpHandles, bWaitAll, dwMilliseconds, bAlertable)`
    /// on events, mutexes and threads (a slice of `WsaEvent`, or of
    /// [`Handle`](super::sync::Handle) to mix them): WAIT_OBJECT_0 + i, WAIT_ABANDONED_0 + i,
    /// WAIT_TIMEOUT or WAIT_IO_COMPLETION (see
    /// [`SyncObjects::wait_for_multiple_objects`](super::SyncObjects)).
    fn wait_for_multiple_objects_ex<H: Into<super::sync::Handle> + Copy>(
        &self,
        handles: &[H],
        wait_all: bool,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<u32, WsaError>;

    /// `QueueUserAPC(pfnAPC, hThread, dwData)`: `apc` runs on `thread` during its next
    /// alertable wait. A thread that has ended, its handle still open: ERROR_GEN_FAILURE
    /// (`WsaError::ERROR_GEN_FAILURE`; kernel32 sync.c test_QueueUserAPC 2945–2948).
    fn queue_user_apc(&self, apc: ApcRoutine<Self>, thread: ThreadId) -> Result<(), WsaError>;
}

/// The body of [`OverlappedIo::wsa_send_msg_c`] over the backend's `wsa_send_msg`:
/// `WSASendMsg` without OVERLAPPED with C's `lpMsg` / `lpNumberOfBytesSent`
/// (`wsa_send_msg_c`): WSAENOTSOCK first, then WSAEFAULT for either NULL; a NULL count with
/// a message still binds an unbound datagram socket to the wildcard address first (sock.c
/// test_WSASendMsg 7621–7633, todo_wine: Windows' behaviour), a NULL message does not
/// (7636–7642).
fn send_msg_c<W: OverlappedIo>(
    ws: &W,
    s: Socket,
    msg: Option<&WsaMsg>,
    flags: u32,
    bytes_sent: Option<&mut u32>,
) -> Result<(), WsaError> {
    let Some(msg) = msg else {
        return finish(ws, Err(not_sock_or(ws, s, 0, 0, WsaError::WSAEFAULT)));
    };
    let Some(count) = bytes_sent else {
        let e = not_sock_or(ws, s, 0, 0, WsaError::WSAEFAULT);
        let dgram = ws.getsockopt_i32(s, SOL_SOCKET, SO_TYPE) == Ok(SOCK_DGRAM);
        if e == WsaError::WSAEFAULT && dgram && ws.getsockname(s) == Err(WsaError::WSAEINVAL) {
            let any = match msg.name.as_ref().map(SockAddr::family) {
                Some(AF_INET6) => SockAddr::v6([0; 8], 0),
                _ => SockAddr::v4([0; 4], 0),
            };
            // The implicit bind's own failure is not what the call reports.
            let _ = ws.bind(s, &any);
        }
        return finish(ws, Err(e));
    };
    let n = ws.wsa_send_msg(s, msg, flags)?;
    *count = u32::try_from(n).unwrap_or(u32::MAX);
    Ok(())
}

/// C's `lpNumberOfBytes…` out parameter of an overlapped WSASend/WSARecv: written with the
/// count when the call completed at once, left as it was when it pends or fails.
fn count_out(r: Result<usize, WsaError>, bytes: &mut u32) -> Result<usize, WsaError> {
    if let Ok(n) = r {
        // A DWORD: one call's count fits.
        *bytes = n as u32;
    }
    r
}
