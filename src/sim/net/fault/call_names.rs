//! The names of the calls the simulator traces, as a fault plan's rules name them: those
//! that pass the fault seam on their way in (a `call` or `fail` rule can make them fail) and
//! those that do not (kernel objects, threads and waits, window messages, WSAStartup). A
//! `stall` may name either.

/// The traced calls that pass the fault seam.
const SEAM: &[&str] = &[
    "AcceptEx",
    "CancelIoEx",
    "ConnectEx",
    "CreateIoCompletionPort",
    "DisconnectEx",
    "GetAcceptExSockaddrs",
    "GetQueuedCompletionStatus",
    "GetQueuedCompletionStatusEx",
    "PostQueuedCompletionStatus",
    "SetFileCompletionNotificationModes",
    "TransmitFile",
    "TransmitPackets",
    "WSAAccept",
    "WSAAddressToString",
    "WSAAsyncSelect",
    "WSACleanup",
    "WSAEnumNetworkEvents",
    "WSAEventSelect",
    "WSAGetOverlappedResult",
    "WSAIoctl",
    "WSAPoll",
    "WSARecv",
    "WSARecvMsg",
    "WSASend",
    "WSASendMsg",
    "WSASendTo",
    "WSASocket",
    "WSAStringToAddress",
    "WSAWaitForMultipleEvents",
    "WaitForMultipleObjectsEx",
    "accept",
    "bind",
    "closesocket",
    "connect",
    "gethostname",
    "getnameinfo",
    "getpeername",
    "getprotobyname",
    "getprotobynumber",
    "getservbyname",
    "getservbyport",
    "getsockname",
    "getsockopt",
    "ioctlsocket",
    "listen",
    "recv",
    "recvfrom",
    "select",
    "send",
    "sendto",
    "setsockopt",
    "shutdown",
    "socket",
];

/// The traced calls that enter without the fault seam: no rule can make them fail.
const SEAMLESS: &[&str] = &[
    "AcquireSRWLockExclusive",
    "AcquireSRWLockShared",
    "BindIoCompletionCallback",
    "CallbackMayRunLong",
    "CancelIo",
    "CancelWaitableTimer",
    "ChangeTimerQueueTimer",
    "CloseHandle",
    "CloseThreadpoolTimer",
    "CloseThreadpoolWork",
    "CreateMutex",
    "CreateSemaphore",
    "CreateThread",
    "CreateThreadpoolTimer",
    "CreateThreadpoolWork",
    "CreateTimerQueue",
    "CreateTimerQueueTimer",
    "CreateWaitableTimer",
    "CreateWindow",
    "DeleteCriticalSection",
    "DeleteTimerQueueEx",
    "DeleteTimerQueueTimer",
    "DestroyWindow",
    "DispatchMessage",
    "EnterCriticalSection",
    "GetMessage",
    "InitializeConditionVariable",
    "InitializeCriticalSection",
    "InitializeSRWLock",
    "IsThreadpoolTimerSet",
    "KillTimer",
    "LeaveCriticalSection",
    "MsgWaitForMultipleObjectsEx",
    "PeekMessage",
    "PostMessage",
    "QueueUserAPC",
    "QueueUserWorkItem",
    "RegisterWaitForSingleObject",
    "ReleaseMutex",
    "ReleaseSRWLockExclusive",
    "ReleaseSRWLockShared",
    "ReleaseSemaphore",
    "ResetEvent",
    "SetConsoleCtrlHandler",
    "SetEvent",
    "SetEventWhenCallbackReturns",
    "SetThreadpoolTimer",
    "SetTimer",
    "SetWaitableTimer",
    "Sleep",
    "SleepEx",
    "SubmitThreadpoolWork",
    "TryAcquireSRWLockExclusive",
    "TryAcquireSRWLockShared",
    "TryEnterCriticalSection",
    "UnregisterWaitEx",
    "WSACloseEvent",
    "WSACreateEvent",
    "WSAResetEvent",
    "WSASetEvent",
    "WSAStartup",
    "WaitForSingleObject",
    "WaitForThreadpoolTimerCallbacks",
    "WaitForThreadpoolWorkCallbacks",
    "WakeAllConditionVariable",
    "WakeConditionVariable",
];

/// The call the simulator traces under `name` (its static name), and whether it passes the
/// fault seam; `None` for a name the simulator does not know.
pub(super) fn find(name: &str) -> Option<(&'static str, bool)> {
    if let Some(c) = SEAM.iter().find(|c| **c == name) {
        return Some((c, true));
    }
    SEAMLESS.iter().find(|c| **c == name).map(|c| (*c, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each name is in one list, once.
    #[test]
    fn the_lists_are_disjoint_and_without_repeats() {
        let mut all: Vec<&str> = SEAM.iter().chain(SEAMLESS).copied().collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
