//! `WsaError`: the WinSock and Win32 error codes, each with its real numeric value.
//!
//! Variant names are the Windows names, so `WsaError::WSAEWOULDBLOCK` reads as it does in C;
//! [`WsaError::code`] gives the number `WSAGetLastError` / `GetLastError` would return.
//! Values come from `winerror.h` (the WSA range starts at WSABASEERR = 10000).

#![allow(non_camel_case_types)]

/// A WinSock (`WSAGetLastError`) or Win32 (`GetLastError`) error code.
///
/// Each variant's doc says when Windows returns it. Codes the sim never produces but an OS
/// backend may meet are carried by [`WsaError::Other`]; every code the sim produces has a
/// named variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, thiserror::Error)]
pub enum WsaError {
    /// WSAEINTR (10004): a blocking call was interrupted (the sim returns it when a blocked
    /// thread is torn down with the simulation).
    #[error("WSAEINTR (10004): interrupted function call")]
    WSAEINTR,
    /// WSAEBADF (10009): the handle is not valid for this operation.
    #[error("WSAEBADF (10009): file handle is not valid")]
    WSAEBADF,
    /// WSAEACCES (10013): permission denied, e.g. a bind that conflicts with SO_EXCLUSIVEADDRUSE
    /// or SO_REUSEADDR on another socket.
    #[error("WSAEACCES (10013): permission denied")]
    WSAEACCES,
    /// WSAEFAULT (10014): a buffer or length argument is too small or invalid.
    #[error("WSAEFAULT (10014): bad address")]
    WSAEFAULT,
    /// WSAEINVAL (10022): invalid argument or a call not valid in the socket's state
    /// (listen on an unbound socket, accept on a non-listening one, bind twice).
    #[error("WSAEINVAL (10022): invalid argument")]
    WSAEINVAL,
    /// WSAEMFILE (10024): too many open sockets.
    #[error("WSAEMFILE (10024): too many open files")]
    WSAEMFILE,
    /// WSAEWOULDBLOCK (10035): a nonblocking call could not complete at once.
    #[error("WSAEWOULDBLOCK (10035): resource temporarily unavailable")]
    WSAEWOULDBLOCK,
    /// WSAEINPROGRESS (10036): a blocking operation is in progress.
    #[error("WSAEINPROGRESS (10036): operation now in progress")]
    WSAEINPROGRESS,
    /// WSAEALREADY (10037): a nonblocking connect is already in progress on this socket.
    #[error("WSAEALREADY (10037): operation already in progress")]
    WSAEALREADY,
    /// WSAENOTSOCK (10038): the handle is not an open socket.
    #[error("WSAENOTSOCK (10038): socket operation on nonsocket")]
    WSAENOTSOCK,
    /// WSAEDESTADDRREQ (10039): a destination address is required.
    #[error("WSAEDESTADDRREQ (10039): destination address required")]
    WSAEDESTADDRREQ,
    /// WSAEMSGSIZE (10040): a datagram was larger than the buffer, or than the protocol allows.
    #[error("WSAEMSGSIZE (10040): message too long")]
    WSAEMSGSIZE,
    /// WSAEPROTOTYPE (10041): the protocol does not support the socket type.
    #[error("WSAEPROTOTYPE (10041): protocol wrong type for socket")]
    WSAEPROTOTYPE,
    /// WSAENOPROTOOPT (10042): unknown option at a valid level.
    #[error("WSAENOPROTOOPT (10042): bad protocol option")]
    WSAENOPROTOOPT,
    /// WSAEPROTONOSUPPORT (10043): the protocol is not supported for this family and type.
    #[error("WSAEPROTONOSUPPORT (10043): protocol not supported")]
    WSAEPROTONOSUPPORT,
    /// WSAESOCKTNOSUPPORT (10044): the socket type is not supported.
    #[error("WSAESOCKTNOSUPPORT (10044): socket type not supported")]
    WSAESOCKTNOSUPPORT,
    /// WSAEOPNOTSUPP (10045): the operation is not supported on this kind of socket
    /// (listen on a datagram socket).
    #[error("WSAEOPNOTSUPP (10045): operation not supported")]
    WSAEOPNOTSUPP,
    /// WSAEPFNOSUPPORT (10046): protocol family not supported.
    #[error("WSAEPFNOSUPPORT (10046): protocol family not supported")]
    WSAEPFNOSUPPORT,
    /// WSAEAFNOSUPPORT (10047): the address family is not supported.
    #[error("WSAEAFNOSUPPORT (10047): address family not supported by protocol family")]
    WSAEAFNOSUPPORT,
    /// WSAEADDRINUSE (10048): the local address and port are already taken.
    #[error("WSAEADDRINUSE (10048): address already in use")]
    WSAEADDRINUSE,
    /// WSAEADDRNOTAVAIL (10049): the address is not one of this host's.
    #[error("WSAEADDRNOTAVAIL (10049): cannot assign requested address")]
    WSAEADDRNOTAVAIL,
    /// WSAENETDOWN (10050): the network subsystem failed (a crashed simulated host).
    #[error("WSAENETDOWN (10050): network is down")]
    WSAENETDOWN,
    /// WSAENETUNREACH (10051): no route to the network.
    #[error("WSAENETUNREACH (10051): network is unreachable")]
    WSAENETUNREACH,
    /// WSAENETRESET (10052): the connection was broken by keep-alive.
    #[error("WSAENETRESET (10052): network dropped connection on reset")]
    WSAENETRESET,
    /// WSAECONNABORTED (10053): the connection was aborted by this host; also the FD_CLOSE
    /// error code for a connection reset by the peer (conformance EV-25).
    #[error("WSAECONNABORTED (10053): software caused connection abort")]
    WSAECONNABORTED,
    /// WSAECONNRESET (10054): the peer reset the connection.
    #[error("WSAECONNRESET (10054): connection reset by peer")]
    WSAECONNRESET,
    /// WSAENOBUFS (10055): no buffer space available.
    #[error("WSAENOBUFS (10055): no buffer space available")]
    WSAENOBUFS,
    /// WSAEISCONN (10056): the socket is already connected.
    #[error("WSAEISCONN (10056): socket is already connected")]
    WSAEISCONN,
    /// WSAENOTCONN (10057): the socket is not connected.
    #[error("WSAENOTCONN (10057): socket is not connected")]
    WSAENOTCONN,
    /// WSAESHUTDOWN (10058): that direction was shut down with `shutdown`.
    #[error("WSAESHUTDOWN (10058): cannot send after socket shutdown")]
    WSAESHUTDOWN,
    /// WSAETIMEDOUT (10060): a connect got no answer, or SO_RCVTIMEO / SO_SNDTIMEO expired.
    #[error("WSAETIMEDOUT (10060): connection timed out")]
    WSAETIMEDOUT,
    /// WSAECONNREFUSED (10061): nothing listens at the address, or its backlog is full.
    #[error("WSAECONNREFUSED (10061): connection refused")]
    WSAECONNREFUSED,
    /// WSAEHOSTUNREACH (10065): no route to the host.
    #[error("WSAEHOSTUNREACH (10065): no route to host")]
    WSAEHOSTUNREACH,
    /// WSASYSNOTREADY (10091): the network subsystem is not ready.
    #[error("WSASYSNOTREADY (10091): network subsystem is unavailable")]
    WSASYSNOTREADY,
    /// WSAVERNOTSUPPORTED (10092): the requested WinSock version is not supported.
    #[error("WSAVERNOTSUPPORTED (10092): winsock.dll version out of range")]
    WSAVERNOTSUPPORTED,
    /// WSANOTINITIALISED (10093): a call was made before a successful `WSAStartup`.
    #[error("WSANOTINITIALISED (10093): successful WSAStartup not yet performed")]
    WSANOTINITIALISED,
    /// WSAEDISCON (10101): graceful shutdown in progress (message-oriented sockets).
    #[error("WSAEDISCON (10101): graceful shutdown in progress")]
    WSAEDISCON,
    /// WSATRY_AGAIN (11002): nonauthoritative host not found / deferred accept.
    #[error("WSATRY_AGAIN (11002): nonauthoritative host not found")]
    WSATRY_AGAIN,
    /// WSATYPE_NOT_FOUND (10109): `getaddrinfo` does not know the service name (EAI_SERVICE).
    #[error("WSATYPE_NOT_FOUND (10109): class type not found")]
    WSATYPE_NOT_FOUND,
    /// WSAHOST_NOT_FOUND (11001): no such host (EAI_NONAME), from `getaddrinfo`,
    /// `getnameinfo` with NI_NAMEREQD, or a numeric-only lookup of a name.
    #[error("WSAHOST_NOT_FOUND (11001): host not found")]
    WSAHOST_NOT_FOUND,
    /// WSANO_RECOVERY (11003): a nonrecoverable name-resolution failure (EAI_FAIL); a fault
    /// plan can make `getaddrinfo` fail so.
    #[error("WSANO_RECOVERY (11003): this is a nonrecoverable error")]
    WSANO_RECOVERY,
    /// WSANO_DATA (11004): the name is valid but has no data record of the type asked for;
    /// a fault plan (`FaultRule::Resolve`) can make a lookup fail so.
    #[error("WSANO_DATA (11004): valid name, no data record of requested type")]
    WSANO_DATA,
    /// WSA_INVALID_HANDLE (6 = ERROR_INVALID_HANDLE): an event or port handle is not valid.
    #[error("WSA_INVALID_HANDLE (6): specified event object handle is invalid")]
    WSA_INVALID_HANDLE,
    /// WSA_INVALID_PARAMETER (87 = ERROR_INVALID_PARAMETER): e.g. zero or more than 64 events
    /// to `WSAWaitForMultipleEvents`, a NULL OVERLAPPED to AcceptEx.
    #[error("WSA_INVALID_PARAMETER (87): one or more parameters are invalid")]
    WSA_INVALID_PARAMETER,
    /// ERROR_NETNAME_DELETED (64): an overlapped operation failed because the peer reset.
    #[error("ERROR_NETNAME_DELETED (64): the specified network name is no longer available")]
    ERROR_NETNAME_DELETED,
    /// ERROR_NOT_SUPPORTED (50): the request is not supported.
    #[error("ERROR_NOT_SUPPORTED (50): the request is not supported")]
    ERROR_NOT_SUPPORTED,
    /// ERROR_PROC_NOT_FOUND (127): the OS has no such function (`os::Native` on a Windows, or
    /// a Wine, older than the call: the synchronization barriers before Windows 8).
    #[error("ERROR_PROC_NOT_FOUND (127): the specified procedure could not be found")]
    ERROR_PROC_NOT_FOUND,
    /// ERROR_GEN_FAILURE (31): `QueueUserAPC` to a thread that has ended (kernel32 sync.c
    /// test_QueueUserAPC).
    #[error("ERROR_GEN_FAILURE (31): a device attached to the system is not functioning")]
    ERROR_GEN_FAILURE,
    /// ERROR_INVALID_THREAD_ID (1444): `PostThreadMessage` to a thread that does not exist
    /// (or has ended), or that has no message queue.
    #[error("ERROR_INVALID_THREAD_ID (1444): the thread identifier is invalid")]
    ERROR_INVALID_THREAD_ID,
    /// ERROR_INVALID_FLAGS (1004): `GetQueueStatus` with a QS_* bit that names nothing.
    #[error("ERROR_INVALID_FLAGS (1004): invalid flags")]
    ERROR_INVALID_FLAGS,
    /// ERROR_ACCESS_DENIED (5): `DestroyWindow` on a window another thread created.
    #[error("ERROR_ACCESS_DENIED (5): access is denied")]
    ERROR_ACCESS_DENIED,
    /// ERROR_NO_MORE_USER_HANDLES (1158): `SetTimer(NULL, ...)` when the thread holds a timer
    /// under every id a thread timer can have.
    #[error(
        "ERROR_NO_MORE_USER_HANDLES (1158): the current process has used all of its system \
         allowance of handles for Window Manager objects"
    )]
    ERROR_NO_MORE_USER_HANDLES,
    /// ERROR_NOT_ENOUGH_QUOTA (1816): `PostMessage` / `PostThreadMessage` to a queue that
    /// already holds 10,000 posted messages.
    #[error(
        "ERROR_NOT_ENOUGH_QUOTA (1816): not enough quota is available to process this command"
    )]
    ERROR_NOT_ENOUGH_QUOTA,
    /// ERROR_MORE_DATA (234): a datagram was larger than the receive buffers (completion
    /// packet of WSARecvFrom).
    #[error("ERROR_MORE_DATA (234): more data is available")]
    ERROR_MORE_DATA,
    /// ERROR_PORT_UNREACHABLE (1234): an ICMP port unreachable ended a datagram receive.
    #[error("ERROR_PORT_UNREACHABLE (1234): no service is operating at the destination")]
    ERROR_PORT_UNREACHABLE,
    /// ERROR_SEM_TIMEOUT (121): an overlapped connect timed out (the Win32 code a completion
    /// packet of a ConnectEx carries where WinSock says WSAETIMEDOUT).
    #[error("ERROR_SEM_TIMEOUT (121): the semaphore timeout period has expired")]
    ERROR_SEM_TIMEOUT,
    /// ERROR_NOT_OWNER (288): `ReleaseMutex` by a thread that does not own the mutex; the
    /// simulator also gives it for a critical section or SRW lock released by a non-owner.
    #[error("ERROR_NOT_OWNER (288): attempt to release mutex not owned by caller")]
    ERROR_NOT_OWNER,
    /// ERROR_TOO_MANY_POSTS (298): `ReleaseSemaphore` past the semaphore's maximum count.
    #[error("ERROR_TOO_MANY_POSTS (298): too many posts were made to a semaphore")]
    ERROR_TOO_MANY_POSTS,
    /// ERROR_POSSIBLE_DEADLOCK (1131): `os::Native` refuses an SRW acquisition that could only
    /// wait for the calling thread itself (Windows waits for ever; the simulator reports the
    /// deadlock of the run).
    #[error("ERROR_POSSIBLE_DEADLOCK (1131): a potential deadlock condition has been detected")]
    ERROR_POSSIBLE_DEADLOCK,
    /// ERROR_TIMEOUT (1460): `SleepConditionVariableCS`/`SRW` timed out.
    #[error("ERROR_TIMEOUT (1460): this operation returned because the timeout period expired")]
    ERROR_TIMEOUT,
    /// ERROR_INSUFFICIENT_BUFFER (122): a buffer is too small.
    #[error("ERROR_INSUFFICIENT_BUFFER (122): the data area passed is too small")]
    ERROR_INSUFFICIENT_BUFFER,
    /// WAIT_IO_COMPLETION (192): an alertable wait (`GetQueuedCompletionStatusEx` with
    /// fAlertable) returned because queued APCs or completion routines ran.
    #[error("WAIT_IO_COMPLETION (192): the wait was ended by an I/O completion routine or APC")]
    WAIT_IO_COMPLETION,
    /// WAIT_TIMEOUT (258): a wait or `GetQueuedCompletionStatus` timed out.
    #[error("WAIT_TIMEOUT (258): the wait operation timed out")]
    WAIT_TIMEOUT,
    /// ERROR_ABANDONED_WAIT_0 (735): the completion port was closed while waiting on it.
    #[error("ERROR_ABANDONED_WAIT_0 (735): the completion port was closed")]
    ERROR_ABANDONED_WAIT_0,
    /// WSA_OPERATION_ABORTED (995 = ERROR_OPERATION_ABORTED): the I/O was cancelled.
    #[error("WSA_OPERATION_ABORTED (995): the overlapped operation has been cancelled")]
    WSA_OPERATION_ABORTED,
    /// WSA_IO_INCOMPLETE (996 = ERROR_IO_INCOMPLETE): the overlapped I/O is not yet complete.
    #[error("WSA_IO_INCOMPLETE (996): overlapped I/O event object not in signaled state")]
    WSA_IO_INCOMPLETE,
    /// WSA_IO_PENDING (997 = ERROR_IO_PENDING): the overlapped I/O will complete later.
    #[error("WSA_IO_PENDING (997): overlapped operations will complete later")]
    WSA_IO_PENDING,
    /// ERROR_NOT_FOUND (1168): e.g. CancelIoEx found nothing to cancel.
    #[error("ERROR_NOT_FOUND (1168): element not found")]
    ERROR_NOT_FOUND,
    /// WSA_NOT_ENOUGH_MEMORY (8 = ERROR_NOT_ENOUGH_MEMORY): e.g. `FlsAlloc` with every FLS
    /// slot taken.
    #[error("WSA_NOT_ENOUGH_MEMORY (8): insufficient memory available")]
    WSA_NOT_ENOUGH_MEMORY,
    /// ERROR_NO_MORE_ITEMS (259): `TlsAlloc` with every TLS slot taken.
    #[error("ERROR_NO_MORE_ITEMS (259): no more data is available")]
    ERROR_NO_MORE_ITEMS,
    /// TIMERR_NOCANDO (97): the MMRESULT of `timeBeginPeriod` / `timeEndPeriod` with a
    /// period outside 1 ms to 1,000,000 ms (not a last error: winmm returns it).
    #[error("TIMERR_NOCANDO (97): the timer resolution asked for is out of range")]
    TIMERR_NOCANDO,
    /// ERROR_ALREADY_EXISTS (183): the last error of a `Create*` of a named object whose name
    /// was in use (the call succeeds with a handle on the existing object).
    #[error("ERROR_ALREADY_EXISTS (183): cannot create a file when that file already exists")]
    ERROR_ALREADY_EXISTS,
    /// ERROR_FILE_NOT_FOUND (2): `Open*` of a name no object has.
    #[error("ERROR_FILE_NOT_FOUND (2): the system cannot find the file specified")]
    ERROR_FILE_NOT_FOUND,
    /// ERROR_PATH_NOT_FOUND (3): an object name whose directory does not exist (a backslash
    /// other than the `Local\` or `Global\` prefix's).
    #[error("ERROR_PATH_NOT_FOUND (3): the system cannot find the path specified")]
    ERROR_PATH_NOT_FOUND,
    /// ERROR_FILENAME_EXCED_RANGE (206): an object name of `MAX_PATH` (260) characters or more.
    #[error("ERROR_FILENAME_EXCED_RANGE (206): the filename or extension is too long")]
    ERROR_FILENAME_EXCED_RANGE,
    /// ERROR_CONNECTION_REFUSED (1225): an overlapped connect was refused.
    #[error("ERROR_CONNECTION_REFUSED (1225): the remote computer refused the connection")]
    ERROR_CONNECTION_REFUSED,
    /// ERROR_CONNECTION_ABORTED (1236): overlapped I/O pending on a socket closed locally.
    #[error("ERROR_CONNECTION_ABORTED (1236): the connection was aborted by the local system")]
    ERROR_CONNECTION_ABORTED,
    /// Any other code, as reported by an OS backend.
    #[error("error {0}")]
    Other(i32),
}

impl WsaError {
    /// The numeric code, as `WSAGetLastError()` or `GetLastError()` returns it.
    pub const fn code(self) -> i32 {
        use WsaError::*;
        match self {
            WSAEINTR => 10004,
            WSAEBADF => 10009,
            WSAEACCES => 10013,
            WSAEFAULT => 10014,
            WSAEINVAL => 10022,
            WSAEMFILE => 10024,
            WSAEWOULDBLOCK => 10035,
            WSAEINPROGRESS => 10036,
            WSAEALREADY => 10037,
            WSAENOTSOCK => 10038,
            WSAEDESTADDRREQ => 10039,
            WSAEMSGSIZE => 10040,
            WSAEPROTOTYPE => 10041,
            WSAENOPROTOOPT => 10042,
            WSAEPROTONOSUPPORT => 10043,
            WSAESOCKTNOSUPPORT => 10044,
            WSAEOPNOTSUPP => 10045,
            WSAEPFNOSUPPORT => 10046,
            WSAEAFNOSUPPORT => 10047,
            WSAEADDRINUSE => 10048,
            WSAEADDRNOTAVAIL => 10049,
            WSAENETDOWN => 10050,
            WSAENETUNREACH => 10051,
            WSAENETRESET => 10052,
            WSAECONNABORTED => 10053,
            WSAECONNRESET => 10054,
            WSAENOBUFS => 10055,
            WSAEISCONN => 10056,
            WSAENOTCONN => 10057,
            WSAESHUTDOWN => 10058,
            WSAETIMEDOUT => 10060,
            WSAECONNREFUSED => 10061,
            WSAEHOSTUNREACH => 10065,
            WSASYSNOTREADY => 10091,
            WSAVERNOTSUPPORTED => 10092,
            WSANOTINITIALISED => 10093,
            WSAEDISCON => 10101,
            WSATRY_AGAIN => 11002,
            WSATYPE_NOT_FOUND => 10109,
            WSAHOST_NOT_FOUND => 11001,
            WSANO_RECOVERY => 11003,
            WSANO_DATA => 11004,
            ERROR_NOT_OWNER => 288,
            ERROR_TIMEOUT => 1460,
            ERROR_TOO_MANY_POSTS => 298,
            ERROR_POSSIBLE_DEADLOCK => 1131,
            WSA_INVALID_HANDLE => 6,
            WSA_INVALID_PARAMETER => 87,
            ERROR_NETNAME_DELETED => 64,
            ERROR_NOT_SUPPORTED => 50,
            ERROR_PROC_NOT_FOUND => 127,
            ERROR_GEN_FAILURE => 31,
            ERROR_INVALID_THREAD_ID => 1444,
            ERROR_INVALID_FLAGS => 1004,
            ERROR_ACCESS_DENIED => 5,
            ERROR_NOT_ENOUGH_QUOTA => 1816,
            ERROR_NO_MORE_USER_HANDLES => 1158,
            ERROR_SEM_TIMEOUT => 121,
            ERROR_INSUFFICIENT_BUFFER => 122,
            ERROR_MORE_DATA => 234,
            ERROR_PORT_UNREACHABLE => 1234,
            WAIT_IO_COMPLETION => 192,
            WAIT_TIMEOUT => 258,
            ERROR_ABANDONED_WAIT_0 => 735,
            WSA_OPERATION_ABORTED => 995,
            WSA_IO_INCOMPLETE => 996,
            WSA_IO_PENDING => 997,
            ERROR_NOT_FOUND => 1168,
            WSA_NOT_ENOUGH_MEMORY => 8,
            ERROR_NO_MORE_ITEMS => 259,
            TIMERR_NOCANDO => 97,
            ERROR_ALREADY_EXISTS => 183,
            ERROR_FILE_NOT_FOUND => 2,
            ERROR_PATH_NOT_FOUND => 3,
            ERROR_FILENAME_EXCED_RANGE => 206,
            ERROR_CONNECTION_REFUSED => 1225,
            ERROR_CONNECTION_ABORTED => 1236,
            Other(c) => c,
        }
    }

    /// The variant for a numeric code; codes without a named variant become [`WsaError::Other`].
    pub fn from_code(code: i32) -> WsaError {
        ALL.iter()
            .copied()
            .find(|e| e.code() == code)
            .unwrap_or(WsaError::Other(code))
    }
}

/// Every named variant, for [`WsaError::from_code`] and for tests.
pub const ALL: &[WsaError] = {
    use WsaError::*;
    &[
        WSAEINTR,
        WSAEBADF,
        WSAEACCES,
        WSAEFAULT,
        WSAEINVAL,
        WSAEMFILE,
        WSAEWOULDBLOCK,
        WSAEINPROGRESS,
        WSAEALREADY,
        WSAENOTSOCK,
        WSAEDESTADDRREQ,
        WSAEMSGSIZE,
        WSAEPROTOTYPE,
        WSAENOPROTOOPT,
        WSAEPROTONOSUPPORT,
        WSAESOCKTNOSUPPORT,
        WSAEOPNOTSUPP,
        WSAEPFNOSUPPORT,
        WSAEAFNOSUPPORT,
        WSAEADDRINUSE,
        WSAEADDRNOTAVAIL,
        WSAENETDOWN,
        WSAENETUNREACH,
        WSAENETRESET,
        WSAECONNABORTED,
        WSAECONNRESET,
        WSAENOBUFS,
        WSAEISCONN,
        WSAENOTCONN,
        WSAESHUTDOWN,
        WSAETIMEDOUT,
        WSAECONNREFUSED,
        WSAEHOSTUNREACH,
        WSASYSNOTREADY,
        WSAVERNOTSUPPORTED,
        WSANOTINITIALISED,
        WSAEDISCON,
        WSATRY_AGAIN,
        WSATYPE_NOT_FOUND,
        WSAHOST_NOT_FOUND,
        WSANO_RECOVERY,
        WSANO_DATA,
        ERROR_NOT_OWNER,
        ERROR_TIMEOUT,
        ERROR_TOO_MANY_POSTS,
        ERROR_POSSIBLE_DEADLOCK,
        WSA_INVALID_HANDLE,
        WSA_INVALID_PARAMETER,
        ERROR_NETNAME_DELETED,
        ERROR_NOT_SUPPORTED,
        ERROR_PROC_NOT_FOUND,
        ERROR_GEN_FAILURE,
        ERROR_INVALID_THREAD_ID,
        ERROR_INVALID_FLAGS,
        ERROR_ACCESS_DENIED,
        ERROR_NOT_ENOUGH_QUOTA,
        ERROR_NO_MORE_USER_HANDLES,
        ERROR_SEM_TIMEOUT,
        ERROR_INSUFFICIENT_BUFFER,
        ERROR_MORE_DATA,
        ERROR_PORT_UNREACHABLE,
        WAIT_IO_COMPLETION,
        WAIT_TIMEOUT,
        ERROR_ABANDONED_WAIT_0,
        WSA_OPERATION_ABORTED,
        WSA_IO_INCOMPLETE,
        WSA_IO_PENDING,
        ERROR_NOT_FOUND,
        WSA_NOT_ENOUGH_MEMORY,
        ERROR_NO_MORE_ITEMS,
        TIMERR_NOCANDO,
        ERROR_ALREADY_EXISTS,
        ERROR_FILE_NOT_FOUND,
        ERROR_PATH_NOT_FOUND,
        ERROR_FILENAME_EXCED_RANGE,
        ERROR_CONNECTION_REFUSED,
        ERROR_CONNECTION_ABORTED,
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for e in ALL {
            assert_eq!(WsaError::from_code(e.code()), *e);
        }
        let mut codes: Vec<i32> = ALL.iter().map(|e| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
        assert_eq!(WsaError::from_code(12345), WsaError::Other(12345));
    }

    #[test]
    fn display_names_the_code() {
        assert!(WsaError::WSAEWOULDBLOCK.to_string().contains("10035"));
    }
}
