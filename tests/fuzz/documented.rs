//! The codes Microsoft documents for each call the fuzzer makes, and the check that fails a
//! run on any other.

use winsock_sim::prelude::*;

/// Codes Microsoft documents for each call (its "Error codes" section), widened where the
/// conformance catalogue shows Windows returning another (noted), plus WSANOTINITIALISED and
/// WSAENETDOWN, which every WinSock call documents.
pub(crate) fn documented(call: &str) -> &'static [WsaError] {
    use WsaError::*;
    const SEND: &[WsaError] = &[
        WSAEACCES,
        WSAEINTR,
        WSAEINPROGRESS,
        WSAEFAULT,
        WSAENETRESET,
        WSAENOBUFS,
        WSAENOTCONN,
        WSAENOTSOCK,
        WSAEOPNOTSUPP,
        WSAESHUTDOWN,
        WSAEWOULDBLOCK,
        WSAEMSGSIZE,
        WSAEHOSTUNREACH,
        WSAEINVAL,
        WSAECONNABORTED,
        WSAECONNRESET,
        WSAETIMEDOUT,
    ];
    const SENDTO: &[WsaError] = &[
        WSAEACCES,
        WSAEINTR,
        WSAEINPROGRESS,
        WSAEFAULT,
        WSAENETRESET,
        WSAENOBUFS,
        WSAENOTCONN,
        WSAENOTSOCK,
        WSAEOPNOTSUPP,
        WSAESHUTDOWN,
        WSAEWOULDBLOCK,
        WSAEMSGSIZE,
        WSAEHOSTUNREACH,
        WSAEINVAL,
        WSAECONNABORTED,
        WSAECONNRESET,
        WSAEADDRNOTAVAIL,
        WSAEAFNOSUPPORT,
        WSAEDESTADDRREQ,
        WSAENETUNREACH,
        WSAETIMEDOUT,
    ];
    const RECV: &[WsaError] = &[
        WSAEFAULT,
        WSAENOTCONN,
        WSAEINTR,
        WSAEINPROGRESS,
        WSAENETRESET,
        WSAENOTSOCK,
        WSAEOPNOTSUPP,
        WSAESHUTDOWN,
        WSAEWOULDBLOCK,
        WSAEMSGSIZE,
        WSAEINVAL,
        WSAECONNABORTED,
        WSAETIMEDOUT,
        WSAECONNRESET,
        WSAEISCONN,
    ];
    // WSASend/WSARecv add WSA_IO_PENDING, WSA_OPERATION_ABORTED and WSAEDISCON.
    const WSASEND: &[WsaError] = &[
        WSAEACCES,
        WSAEINTR,
        WSAEINPROGRESS,
        WSAEFAULT,
        WSAENETRESET,
        WSAENOBUFS,
        WSAENOTCONN,
        WSAENOTSOCK,
        WSAEOPNOTSUPP,
        WSAESHUTDOWN,
        WSAEWOULDBLOCK,
        WSAEMSGSIZE,
        WSAEINVAL,
        WSAECONNABORTED,
        WSAECONNRESET,
        WSA_IO_PENDING,
        WSA_OPERATION_ABORTED,
        WSAEADDRNOTAVAIL,
        WSAEAFNOSUPPORT,
        WSAEDESTADDRREQ,
        WSAENETUNREACH,
        WSAEHOSTUNREACH,
        WSAETIMEDOUT,
    ];
    const WSARECV: &[WsaError] = &[
        WSAECONNABORTED,
        WSAECONNRESET,
        WSAEDISCON,
        WSAEFAULT,
        WSAEINPROGRESS,
        WSAEINTR,
        WSAEINVAL,
        WSAEMSGSIZE,
        WSAENETRESET,
        WSAENOTCONN,
        WSAENOTSOCK,
        WSAEOPNOTSUPP,
        WSAESHUTDOWN,
        WSAETIMEDOUT,
        WSAEWOULDBLOCK,
        WSA_IO_PENDING,
        WSA_OPERATION_ABORTED,
    ];
    const WAIT: &[WsaError] = &[WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER];
    let c: &'static [WsaError] = match call {
        "socket" => &[
            WSAEAFNOSUPPORT,
            WSAEINPROGRESS,
            WSAEMFILE,
            WSAEINVAL,
            WSAENOBUFS,
            WSAEPROTONOSUPPORT,
            WSAEPROTOTYPE,
            WSAESOCKTNOSUPPORT,
        ],
        // WSAEAFNOSUPPORT: conformance ER-05.
        "bind" => &[
            WSAEACCES,
            WSAEADDRINUSE,
            WSAEADDRNOTAVAIL,
            WSAEFAULT,
            WSAEINPROGRESS,
            WSAEINVAL,
            WSAENOBUFS,
            WSAENOTSOCK,
            WSAEAFNOSUPPORT,
        ],
        "listen" => &[
            WSAEADDRINUSE,
            WSAEINPROGRESS,
            WSAEINVAL,
            WSAEISCONN,
            WSAEMFILE,
            WSAENOBUFS,
            WSAENOTSOCK,
            WSAEOPNOTSUPP,
        ],
        "accept" => &[
            WSAECONNRESET,
            WSAEFAULT,
            WSAEINTR,
            WSAEINVAL,
            WSAEINPROGRESS,
            WSAEMFILE,
            WSAENOBUFS,
            WSAENOTSOCK,
            WSAEOPNOTSUPP,
            WSAEWOULDBLOCK,
        ],
        "connect" => &[
            WSAEADDRINUSE,
            WSAEINTR,
            WSAEINPROGRESS,
            WSAEALREADY,
            WSAEADDRNOTAVAIL,
            WSAEAFNOSUPPORT,
            WSAECONNREFUSED,
            WSAEFAULT,
            WSAEINVAL,
            WSAEISCONN,
            WSAENETUNREACH,
            WSAEHOSTUNREACH,
            WSAENOBUFS,
            WSAENOTSOCK,
            WSAETIMEDOUT,
            WSAEWOULDBLOCK,
            WSAEACCES,
        ],
        "send" => SEND,
        "sendto" => SENDTO,
        "recv" | "recvfrom" => RECV,
        "shutdown" => &[WSAEINVAL, WSAEINPROGRESS, WSAENOTCONN, WSAENOTSOCK],
        "closesocket" => &[WSAENOTSOCK, WSAEINPROGRESS, WSAEINTR, WSAEWOULDBLOCK],
        // WSAEINVAL / WSAEOPNOTSUPP: unknown commands (conformance OV-15).
        "ioctlsocket" => &[
            WSAEINPROGRESS,
            WSAENOTSOCK,
            WSAEFAULT,
            WSAEINVAL,
            WSAEOPNOTSUPP,
        ],
        // WSAENOTCONN after AcceptEx without SO_UPDATE_ACCEPT_CONTEXT.
        "getsockname" => &[
            WSAEFAULT,
            WSAEINPROGRESS,
            WSAENOTSOCK,
            WSAEINVAL,
            WSAENOTCONN,
        ],
        "getpeername" => &[WSAEFAULT, WSAEINPROGRESS, WSAENOTCONN, WSAENOTSOCK],
        "getsockopt" => &[
            WSAEFAULT,
            WSAEINPROGRESS,
            WSAEINVAL,
            WSAENOPROTOOPT,
            WSAENOTSOCK,
        ],
        "setsockopt" => &[
            WSAEFAULT,
            WSAEINPROGRESS,
            WSAEINVAL,
            WSAENETRESET,
            WSAENOPROTOOPT,
            WSAENOTCONN,
            WSAENOTSOCK,
        ],
        "select" => &[WSAEFAULT, WSAEINVAL, WSAEINTR, WSAEINPROGRESS, WSAENOTSOCK],
        // WSAENOTSOCK: every entry invalid (conformance ER-09).
        "WSAPoll" => &[WSAEFAULT, WSAEINVAL, WSAENOBUFS, WSAENOTSOCK],
        "WSACreateEvent" => &[],
        "WSACloseEvent" | "WSASetEvent" | "WSAResetEvent" => &[WSA_INVALID_HANDLE],
        "WSAEventSelect" => &[WSAEINVAL, WSAEINPROGRESS, WSAENOTSOCK],
        "WSAEnumNetworkEvents" => &[WSAEFAULT, WSAEINPROGRESS, WSAEINVAL, WSAENOTSOCK],
        "WSAWaitForMultipleEvents" => WAIT,
        "CreateWindow" => &[],
        "WSAAsyncSelect" => &[WSAEINVAL, WSAEINPROGRESS, WSAENOTSOCK],
        "PeekMessage" => &[WSA_INVALID_HANDLE],
        // GetQueueStatus: a QS_* bit that names nothing (user32 msg.c test_PeekMessage).
        "GetQueueStatus" => &[ERROR_INVALID_FLAGS],
        // DestroyWindow's documentation: another thread's window cannot be destroyed.
        "DestroyWindow" => &[WSA_INVALID_HANDLE, ERROR_ACCESS_DENIED],
        // PostMessage's documentation: a full queue (10,000 posted messages).
        "PostMessage" => &[WSA_INVALID_HANDLE, ERROR_NOT_ENOUGH_QUOTA],
        // PostThreadMessage's documentation: no such thread, or one without a message queue;
        // a full queue.
        "PostThreadMessage" => &[ERROR_INVALID_THREAD_ID, ERROR_NOT_ENOUGH_QUOTA],
        "WSASend" => WSASEND,
        "WSASendTo" => WSASEND,
        "WSARecv" | "WSARecvFrom" => WSARECV,
        // The operation's own error is reported here too.
        "WSAGetOverlappedResult" => &[
            WSAENOTSOCK,
            WSA_INVALID_HANDLE,
            WSA_INVALID_PARAMETER,
            WSA_IO_INCOMPLETE,
            WSAEFAULT,
            WSAEINVAL,
            WSA_OPERATION_ABORTED,
            WSAECONNRESET,
            WSAECONNABORTED,
            WSAENETRESET,
            WSAETIMEDOUT,
            WSAECONNREFUSED,
            WSAEMSGSIZE,
            WSAEOPNOTSUPP,
            WSAEDISCON,
            WSAENOTCONN,
            WSAESHUTDOWN,
            WSAEHOSTUNREACH,
            WSAENETUNREACH,
        ],
        // ERROR_IO_INCOMPLETE, the wait's two outcomes, and an OVERLAPPED never used (the
        // operation's own error is a completion, not a failure of the call).
        "GetOverlappedResultEx" => &[
            WSA_IO_INCOMPLETE,
            WAIT_TIMEOUT,
            WAIT_IO_COMPLETION,
            WSAEINVAL,
        ],
        "CancelIoEx" => &[ERROR_NOT_FOUND, WSA_INVALID_HANDLE, WSAENOTSOCK],
        "CreateIoCompletionPort" => &[WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER, WSAENOTSOCK],
        "GetQueuedCompletionStatus" => &[WAIT_TIMEOUT, ERROR_ABANDONED_WAIT_0, WSA_INVALID_HANDLE],
        "GetQueuedCompletionStatusEx" => &[
            WAIT_TIMEOUT,
            WAIT_IO_COMPLETION,
            ERROR_ABANDONED_WAIT_0,
            WSA_INVALID_HANDLE,
            WSA_INVALID_PARAMETER,
        ],
        "PostQueuedCompletionStatus" | "CloseHandle" | "DuplicateHandle" => &[WSA_INVALID_HANDLE],
        "WaitOnAddress" => &[ERROR_TIMEOUT],
        "InitializeSynchronizationBarrier" => &[WSA_INVALID_PARAMETER],
        "EnterSynchronizationBarrier" => &[WSA_INVALID_PARAMETER, WSA_INVALID_HANDLE],
        "DeleteSynchronizationBarrier" => &[WSA_INVALID_HANDLE],
        "OpenEvent" | "OpenMutex" | "OpenSemaphore" | "OpenWaitableTimer" => &[
            ERROR_FILE_NOT_FOUND,
            ERROR_PATH_NOT_FOUND,
            ERROR_FILENAME_EXCED_RANGE,
            WSA_INVALID_HANDLE,
            WSA_INVALID_PARAMETER,
        ],
        "GetHandleInformation" | "SetHandleInformation" => &[WSA_INVALID_HANDLE],
        "FileTimeToSystemTime" | "SystemTimeToFileTime" => &[WSA_INVALID_PARAMETER],
        "TlsAlloc" => &[ERROR_NO_MORE_ITEMS],
        "FlsAlloc" => &[WSA_NOT_ENOUGH_MEMORY],
        "TlsGetValue" | "TlsSetValue" | "TlsFree" | "FlsGetValue" | "FlsSetValue" | "FlsFree" => {
            &[WSA_INVALID_PARAMETER]
        }
        "InitOnceBeginInitialize" | "InitOnceComplete" => {
            &[WSA_INVALID_PARAMETER, ERROR_GEN_FAILURE, WSA_INVALID_HANDLE]
        }
        "SetFileCompletionNotificationModes" => {
            &[WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER, WSAENOTSOCK]
        }
        "AcceptEx" => &[
            WSAECONNRESET,
            WSAEFAULT,
            WSAEINVAL,
            WSAEISCONN,
            WSAEMSGSIZE,
            WSAENOBUFS,
            WSAENOTSOCK,
            WSAEOPNOTSUPP,
            WSAEWOULDBLOCK,
            WSA_IO_PENDING,
            WSAEINPROGRESS,
        ],
        "ConnectEx" => &[
            WSAEADDRINUSE,
            WSAEALREADY,
            WSAEADDRNOTAVAIL,
            WSAEAFNOSUPPORT,
            WSAECONNREFUSED,
            WSAEFAULT,
            WSAEINVAL,
            WSAEISCONN,
            WSAENETUNREACH,
            WSAEHOSTUNREACH,
            WSAENOBUFS,
            WSAENOTSOCK,
            WSAETIMEDOUT,
            WSA_IO_PENDING,
            WSAEACCES,
            WSAEINPROGRESS,
        ],
        "DisconnectEx" => &[
            WSAEFAULT,
            WSAEINVAL,
            WSAENOTCONN,
            WSAENOTSOCK,
            WSA_IO_PENDING,
        ],
        "TransmitFile" => &[
            WSAENOTCONN,
            WSAENOTSOCK,
            WSAEINVAL,
            WSAEFAULT,
            WSA_IO_PENDING,
            WSAECONNABORTED,
            WSAECONNRESET,
            WSAESHUTDOWN,
            WSAENETRESET,
            WSAENOBUFS,
            WSAEWOULDBLOCK,
            WSAEINTR,
        ],
        // TransmitFile's, and a datagram's WSASendTo's.
        "TransmitPackets" => &[
            WSAENOTCONN,
            WSAENOTSOCK,
            WSAEINVAL,
            WSAEFAULT,
            WSA_IO_PENDING,
            WSAECONNABORTED,
            WSAECONNRESET,
            WSAESHUTDOWN,
            WSAENETRESET,
            WSAENOBUFS,
            WSAEWOULDBLOCK,
            WSAEINTR,
            WSAEMSGSIZE,
            WSAENETUNREACH,
            WSAEHOSTUNREACH,
        ],
        "GetAcceptExSockaddrs" => &[WSAENOTCONN, WSAENOTSOCK, WSAEINVAL],
        "WSAIoctl" => &[
            WSAEFAULT,
            WSAEINVAL,
            WSAEINPROGRESS,
            WSAENOTSOCK,
            WSAEOPNOTSUPP,
            WSA_IO_PENDING,
            WSAEWOULDBLOCK,
            WSAENOTCONN,
            WSAENOPROTOOPT,
        ],
        "WSASendMsg" => WSASEND,
        "WSARecvMsg" => WSARECV,
        // ERROR_GEN_FAILURE (31) for a thread that has ended (kernel32 sync.c 2945–2948).
        "QueueUserAPC" => &[WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER, ERROR_GEN_FAILURE],
        // With a name: a path, a name too long, another kind's name, a semaphore's counts.
        "CreateEvent"
        | "CreateMutex"
        | "CreateSemaphore"
        | "CreateWaitableTimer"
        | "CreateWaitableTimerEx" => &[
            ERROR_PATH_NOT_FOUND,
            ERROR_FILENAME_EXCED_RANGE,
            WSA_INVALID_HANDLE,
            WSA_INVALID_PARAMETER,
        ],
        "SetTimer" => &[WSA_INVALID_HANDLE, ERROR_NO_MORE_USER_HANDLES],
        "MsgWaitForMultipleObjectsEx" => WAIT,
        "KillTimer" => &[WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER],
        // ERROR_INVALID_HANDLE; ERROR_INVALID_PARAMETER for a negative period.
        "SetWaitableTimer" => &[WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER],
        "CancelWaitableTimer" | "WaitForSingleObjectEx" => &[WSA_INVALID_HANDLE],
        "WSAStartup" => &[
            WSASYSNOTREADY,
            WSAVERNOTSUPPORTED,
            WSAEINPROGRESS,
            WSAEFAULT,
        ],
        "WSACleanup" => &[WSAEINPROGRESS],
        "QueueUserWorkItem" | "CreateTimerQueue" => &[],
        // ERROR_INVALID_HANDLE for a queue that is not one (or is deleted).
        "CreateTimerQueueTimer" => &[WSA_INVALID_HANDLE],
        // ERROR_INVALID_PARAMETER for a timer that is not one (or is deleted).
        "ChangeTimerQueueTimer" => &[WSA_INVALID_PARAMETER],
        // ERROR_IO_PENDING while callbacks run; ERROR_INVALID_HANDLE for a bad event.
        "DeleteTimerQueueTimer" => &[WSA_INVALID_PARAMETER, WSA_INVALID_HANDLE, WSA_IO_PENDING],
        "DeleteTimerQueueEx" => &[WSA_INVALID_HANDLE],
        // ERROR_INVALID_HANDLE for a handle that is not a waitable object.
        "RegisterWaitForSingleObject" => &[WSA_INVALID_HANDLE],
        // ERROR_IO_PENDING while callbacks run; ERROR_INVALID_HANDLE for a wait that is not
        // one, or a bad event.
        "UnregisterWaitEx" => &[WSA_INVALID_HANDLE, WSA_IO_PENDING],
        // ERROR_INVALID_PARAMETER: bound already, on a port, not overlapped, or NULL;
        // ERROR_INVALID_HANDLE: not a socket.
        "BindIoCompletionCallback" | "CreateThreadpoolIo" => {
            &[WSA_INVALID_PARAMETER, WSA_INVALID_HANDLE]
        }
        // ERROR_INVALID_PARAMETER: no start outstanding (the crate's answer for a count that
        // would wrap on Windows).
        "CancelThreadpoolIo" => &[WSA_INVALID_PARAMETER],
        // ERROR_INVALID_HANDLE: the wait object closed (by the time its callback sets it
        // again), or a handle that is not a waitable object.
        "SetThreadpoolWait" => &[WSA_INVALID_HANDLE],
        // ERROR_INVALID_HANDLE: the handle is not an event / mutex (closed, say).
        "SetEventWhenCallbackReturns" | "ReleaseMutexWhenCallbackReturns" => &[WSA_INVALID_HANDLE],
        // Microsoft's WSAAccept page; WSAECONNREFUSED for CF_REJECT, WSATRY_AGAIN for
        // CF_DEFER.
        "WSAAccept" => &[
            WSAECONNREFUSED,
            WSAECONNRESET,
            WSAEFAULT,
            WSAEINTR,
            WSAEINPROGRESS,
            WSAEINVAL,
            WSAEMFILE,
            WSAENOBUFS,
            WSAENOTSOCK,
            WSAEOPNOTSUPP,
            WSATRY_AGAIN,
            WSAEWOULDBLOCK,
            WSAEACCES,
        ],
        "WSASendDisconnect" | "WSARecvDisconnect" => &[
            WSAENOPROTOOPT,
            WSAEINPROGRESS,
            WSAENOTCONN,
            WSAEFAULT,
            WSAENOTSOCK,
        ],
        "WSADuplicateSocket" => &[
            WSAEINVAL,
            WSAEINPROGRESS,
            WSAEMFILE,
            WSAENOBUFS,
            WSAENOTSOCK,
            WSAEFAULT,
        ],
        "WSASocket" => &[
            WSAEAFNOSUPPORT,
            WSAEFAULT,
            WSAEINPROGRESS,
            WSAEINVAL,
            WSAEMFILE,
            WSAENOBUFS,
            WSAEPROTONOSUPPORT,
            WSAEPROTOTYPE,
            WSAESOCKTNOSUPPORT,
        ],
        "getaddrinfo" => &[
            WSATRY_AGAIN,
            WSAEINVAL,
            WSANO_RECOVERY,
            WSAEAFNOSUPPORT,
            WSA_NOT_ENOUGH_MEMORY,
            WSAHOST_NOT_FOUND,
            WSANO_DATA,
            WSATYPE_NOT_FOUND,
            WSAESOCKTNOSUPPORT,
        ],
        "getnameinfo" => &[
            WSATRY_AGAIN,
            WSAEINVAL,
            WSANO_RECOVERY,
            WSAEAFNOSUPPORT,
            WSA_NOT_ENOUGH_MEMORY,
            WSAHOST_NOT_FOUND,
            WSATYPE_NOT_FOUND,
            WSAEFAULT,
        ],
        // The database calls document the same list as gethostbyname.
        "gethostbyname" | "getprotobyname" | "getprotobynumber" | "getservbyname"
        | "getservbyport" => &[
            WSAHOST_NOT_FOUND,
            WSATRY_AGAIN,
            WSANO_RECOVERY,
            WSANO_DATA,
            WSAEINPROGRESS,
            WSAEFAULT,
            WSAEINTR,
        ],
        "gethostname" | "GetHostNameW" => &[WSAEFAULT, WSAEINPROGRESS],
        "WSAStringToAddress" => &[WSAEFAULT, WSAEINVAL, WSA_NOT_ENOUGH_MEMORY],
        "WSAAddressToString" => &[WSAEFAULT, WSAEINVAL, WSAENOBUFS],
        // connect's and getaddrinfo's (`inherits`), for the node and the service.
        "WSAConnectByName" => &[],
        // Kernel32's objects: ERROR_INVALID_HANDLE for a handle that is not one of the kind;
        // ERROR_NOT_OWNER for a release (or a sleep) by a thread that does not hold it (the
        // simulator's report of what Windows leaves undefined for critical sections and SRW
        // locks); ERROR_TOO_MANY_POSTS past a semaphore's maximum; ERROR_INVALID_PARAMETER for
        // a count below 1, or 0, more than 64 or a repeated handle in a wait.
        "ReleaseMutex" => &[WSA_INVALID_HANDLE, ERROR_NOT_OWNER],
        "ReleaseSemaphore" => &[
            WSA_INVALID_HANDLE,
            WSA_INVALID_PARAMETER,
            ERROR_TOO_MANY_POSTS,
        ],
        "WaitForSingleObject" => &[WSA_INVALID_HANDLE],
        "WaitForMultipleObjects" => &[WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER],
        "SignalObjectAndWait" => &[WSA_INVALID_HANDLE, ERROR_TOO_MANY_POSTS, ERROR_NOT_OWNER],
        "InitializeCriticalSection" | "InitializeSRWLock" | "InitializeConditionVariable" => &[],
        "EnterCriticalSection"
        | "TryEnterCriticalSection"
        | "DeleteCriticalSection"
        | "AcquireSRWLockExclusive"
        | "AcquireSRWLockShared"
        | "TryAcquireSRWLockExclusive"
        | "TryAcquireSRWLockShared"
        | "WakeConditionVariable"
        | "WakeAllConditionVariable" => &[WSA_INVALID_HANDLE],
        "LeaveCriticalSection" | "ReleaseSRWLockExclusive" | "ReleaseSRWLockShared" => {
            &[WSA_INVALID_HANDLE, ERROR_NOT_OWNER]
        }
        // ERROR_TIMEOUT when the time runs out.
        "SleepConditionVariableCS" | "SleepConditionVariableSRW" => &[
            ERROR_TIMEOUT,
            ERROR_NOT_OWNER,
            WSA_INVALID_HANDLE,
            WSA_INVALID_PARAMETER,
        ],
        // GetMessage's -1: a window that is not one (or another thread's).
        "GetMessage" | "DispatchMessage" => &[WSA_INVALID_HANDLE],
        // ERROR_INVALID_PARAMETER: a handler never added; an event type that is none.
        "SetConsoleCtrlHandler" | "GenerateConsoleCtrlEvent" => &[WSA_INVALID_PARAMETER],
        other => panic!("no table for {other}"),
    };
    c
}

/// The calls whose documented codes a call's include whole (WSAConnectByName resolves its
/// node and service, then connects).
fn inherits(call: &str) -> &'static [&'static str] {
    match call {
        "WSAConnectByName" => &["connect", "getaddrinfo"],
        _ => &[],
    }
}

/// Fails the run (a panic in the simulated thread) if `r` is an undocumented code.
pub(crate) fn check<T>(call: &str, r: Result<T, WsaError>) -> Result<T, WsaError> {
    if let Err(e) = r {
        let ok = matches!(e, WsaError::WSANOTINITIALISED | WsaError::WSAENETDOWN)
            || documented(call).contains(&e)
            || inherits(call).iter().any(|c| documented(c).contains(&e));
        assert!(
            ok,
            "FUZZ: {call} returned {e:?} ({}), not documented for it",
            e.code()
        );
    }
    r
}
