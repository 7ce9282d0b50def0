//! The fuzzer's operations: the handles, addresses, sizes and WinSock calls one step of a
//! sequence can be, and the proptest strategies that draw them and whole cases.

use proptest::prelude::*;
use winsock_sim::prelude::*;

/// Which handle a call gets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum H {
    /// The n-th socket this host created (modulo the count; INVALID_SOCKET if none).
    Sock(u8),
    /// The n-th socket this host closed.
    Closed(u8),
    /// A handle of another kind used as a socket: an event, a window, a completion port.
    Foreign(u8),
    /// A value that never named anything (or by chance a live handle).
    Raw(u64),
}

/// Which address a call gets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum A {
    /// 0.0.0.0:port.
    Any(u16),
    /// 127.0.0.1:port.
    Loop(u16),
    /// This host's address:port.
    Own(u16),
    /// The other host's address:port.
    Peer(u16),
    /// An address no host has.
    Nowhere(u16),
    /// [::]:port.
    V6Any(u16),
    /// Garbage bytes as a sockaddr.
    Junk(u8),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Size {
    Zero,
    Small(u16),
    Huge,
}

impl Size {
    pub(crate) fn n(self) -> usize {
        match self {
            Size::Zero => 0,
            Size::Small(n) => usize::from(n),
            Size::Huge => 70_000,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Op {
    Socket(i32, i32, i32),
    Bind(H, A),
    Listen(H, i32),
    Accept(H),
    Connect(H, A),
    Send(H, Size, i32),
    Recv(H, Size, i32),
    SendTo(H, Size, i32, A),
    RecvFrom(H, Size, i32),
    Shutdown(H, i32),
    Close(H),
    Ioctl(H, u32, u32),
    Names(H),
    SetOpt(H, i32, i32, u8, u32),
    GetOpt(H, i32, i32, u8),
    Nonblocking(H, bool),
    Sleep(u32),
    SleepEx(u32, bool),
    Select(Vec<H>, Vec<H>, Vec<H>, Option<u32>),
    Poll(Vec<(H, i16)>, i32),
    CreateEvent,
    EventCall(u8, u8),
    /// DuplicateHandle: of a socket handle (true) or of an event (false, the u8 picks it).
    Duplicate(H, u8, bool),
    /// Get/SetHandleInformation on a socket (true) or an event: set (with a mask and flags)
    /// or get.
    HandleFlags(H, u8, bool, Option<(u32, u32)>),
    /// GetSystemTime / GetLocalTime, and a FILETIME and SYSTEMTIME fields (any) converted.
    Time(u64, [u16; 8]),
    /// timeBeginPeriod (true) or timeEndPeriod of a period (in range or not), then
    /// timeGetTime.
    TimerPeriod(bool, u32),
    /// timeSetEvent (a delay in range or not; periodic or once; a callback that may kill its
    /// own timer, or an event of the host's), then maybe a sleep and timeKillEvent of it or
    /// of any id.
    MmTimer(u32, bool, bool, Option<u32>),
    /// WaitOnAddress on one of the host's two variables (action 0: the value it holds, 1:
    /// another), WakeByAddressSingle (2), or a store and WakeByAddressAll (3); a timeout.
    Address(u8, u8, u32),
    /// One-time initialization: which (or a value never made), the call (initialize, begin,
    /// complete, execute once), its flags, a context (execute once: its function fails for a
    /// multiple of 3).
    Once(u8, u8, u32, usize),
    /// Thread- and fiber-local storage: the call (TlsAlloc, TlsGetValue, TlsSetValue,
    /// TlsFree, FlsAlloc without and with a callback, FlsGetValue, FlsSetValue, FlsFree), the
    /// slot (one the host allocated, or a raw number: the edges 0, 1,087, 1,088, 4,079,
    /// 4,080 among them), a value.
    Local(u8, u8, u32, usize),
    /// Named objects: the kind (event, mutex, semaphore, waitable timer), the call (create,
    /// open, close one made so), a name from a small set (in use, its capitals, `Local\`,
    /// `Global\`, a path, empty, too long, none), a flag (manual reset, initial owner, ...).
    Named(u8, u8, u8, bool),
    /// Synchronization barrier: which (or a value never made), the call (initialize,
    /// enter, delete), the threads it takes, the flags to enter with.
    Barrier(u8, u8, i32, u32),
    EventSelect(H, u8, i32),
    EnumEvents(H, Option<u8>),
    WaitEvents(Vec<u8>, bool, u32, bool),
    CreateWindow,
    AsyncSelect(H, u8, i32),
    /// PeekMessage: the window (or one of the thread-message filters), the range, PM_REMOVE.
    PeekMessage(u8, (u32, u32), bool),
    /// PostMessage to a window (or NULL: a thread message), the message number.
    PostMessage(u8, u32),
    /// PostThreadMessage to a thread id: one of the run's, or a bogus value.
    PostThreadMessage(u32, u32),
    /// GetQueueStatus with these flags.
    QueueStatus(u32),
    DestroyWindow(u8),
    SendOv(H, Size, u32, u8, u8, bool),
    RecvOv(H, Size, u32, u8, u8, bool),
    SendToOv(H, Size, A, u8),
    RecvFromOv(H, Size, u8),
    OvResult(H, u8, bool),
    /// GetOverlappedResultEx: the OVERLAPPED, a bounded timeout (0, 1 or 50 ms), alertable.
    OvResultEx(H, u8, u8, bool),
    CancelIo(H, Option<u8>),
    CreatePort(u32),
    Associate(H, u8, u8),
    Gqcs(u8, u32),
    GqcsEx(u8, u8, u32, bool),
    PostPacket(u8),
    ClosePort(u8),
    SkipOnSuccess(H, u8),
    AcceptEx(H, H, Size, u8),
    ConnectEx(H, A, Size, u8),
    DisconnectEx(H, Option<u8>, u32),
    TransmitFile(H, Size, Option<u8>, u32),
    /// Elements (each: size, memory or file, EOP; a bad kind now and then), nSendSize, an
    /// OVERLAPPED, dwFlags.
    TransmitPackets(H, Vec<(Size, u32)>, u32, Option<u8>, u32),
    AcceptExAddrs(H),
    WsaIoctl(H, u32, u8, u8),
    SendMsg(H, Size, Option<A>, u32),
    RecvMsg(H, Size, u8, u32),
    Apc(u8),
    CreateTimer(bool),
    /// CreateWaitableTimerEx with flags (the two defined and any) and no name.
    CreateTimerEx(u32),
    SetTimer(u8, i64, i32, bool),
    TimerCall(u8, u8),
    WindowTimer(u8, u8, u32, bool),
    MsgWait(Vec<u8>, u32, u32, u32),
    /// QueueUserWorkItem: on the persistent thread, and whether the item sleeps.
    QueueWork(bool, bool),
    CreateTimerQueue,
    /// CreateTimerQueueTimer: the queue (or the default, or garbage), due, period, flags,
    /// what the callback does (counts; deletes its own timer without waiting; changes it;
    /// sleeps).
    QueueTimer(u8, u32, u32, u32, u8),
    /// ChangeTimerQueueTimer: the timer (or garbage), due, period.
    ChangeQueueTimer(u8, u32, u32),
    /// DeleteTimerQueueTimer: the timer, the completion (NULL, INVALID_HANDLE_VALUE, an
    /// event or garbage).
    DeleteQueueTimer(u8, u8),
    /// DeleteTimerQueueEx: the queue, the completion.
    DeleteTimerQueue(u8, u8),
    /// RegisterWaitForSingleObject: the handle (an event, a timer or garbage), the timeout,
    /// the flags, what the callback does (counts; unregisters its own wait; sleeps).
    RegisterWait(u8, u32, u32, u8),
    /// UnregisterWaitEx: the wait (or garbage), the completion.
    UnregisterWait(u8, u8),
    /// BindIoCompletionCallback on a handle, with flags.
    BindIo(H, u32),
    /// A Vista pool object's life: a work object (submitted twice) or a timer object (due
    /// in `due` ms, with a period), then a wait for its callbacks (cancelling or not) and its
    /// close, or (`close_first`) its close at once, its runs left to end.
    TpObject(bool, u32, u32, bool, bool),
    /// A Vista wait object's life: set on an event or a timer (the handle), with a timeout in
    /// ms (or none), its callback setting it again or not, then a wait for its callbacks
    /// (cancelling or not) and its close, or (`close_first`) its close at once.
    TpWait(u8, Option<u32>, bool, bool, bool),
    /// A Vista I/O object on a handle: a start, an overlapped receive (its start taken back
    /// if it fails at once), maybe a second start taken back, then a cancelling wait for its
    /// callbacks and its close.
    TpIo(H, bool),
    /// A cleanup group's life: members made with its environment (a work object submitted
    /// twice, a periodic timer, a simple callback, and, when `cancel`, an I/O object on a
    /// handle with a receive started), then CloseThreadpoolCleanupGroupMembers (cancelling or
    /// not) and the group's close.
    TpGroup(H, bool, u8),
    Cleanup,
    Startup,
    /// Kernel objects a wait names: the call (CreateMutex, CreateSemaphore, ReleaseMutex,
    /// ReleaseSemaphore, WaitForSingleObject, WaitForMultipleObjects over up to five
    /// handles, SignalObjectAndWait, CloseHandle), two picks among the host's waitable handles
    /// (mutexes, semaphores, events, threads, timers, a socket or garbage now and then), a
    /// count (initial, maximum, release: in range or not), a bounded timeout.
    Sync(u8, u8, u8, i32, u32),
    /// Critical sections, SRW locks and condition variables: the call (initialize, enter,
    /// try, leave, delete; acquire, try and release in either mode; sleep on a critical
    /// section or an SRW lock, wake one, wake all), the object (one the host made, deleted
    /// or not, or a value never made), the lock a sleep names, a bounded timeout.
    Lock(u8, u8, u8, u32),
    /// WSAAccept with a condition function that accepts, rejects or defers, or with none.
    WsaAccept(H, u8),
    /// WSASendDisconnect (true) or WSARecvDisconnect.
    Disconnect(H, bool),
    /// WSADuplicateSocket for this process (or for a process id no process has), then
    /// WSASocket from the protocol information it wrote.
    DupSocket(H, bool),
    /// The resolver: getaddrinfo, getnameinfo, gethostbyname, the protocol and service
    /// database (getprotobyname, getprotobynumber, getservbyname, getservbyport), gethostname
    /// and GetHostNameW into short, long and NULL buffers, WSAStringToAddress,
    /// WSAAddressToString, on a name or address from a small set (a host's name, an address,
    /// a service, junk, empty).
    Resolve(u8, u8),
    /// WSAConnectByName: the socket, a node and a service from small sets, a timeout.
    ConnectByName(H, u8, u8, u32),
    /// WSASend (true) or WSARecv without an OVERLAPPED (a blocking call, or WSAEWOULDBLOCK
    /// on a nonblocking socket): up to three buffers of these sizes, the flags.
    WsaSendRecv(H, Vec<Size>, u32, bool),
    /// GetMessage on a window (or one of the thread-message filters) with a range: it
    /// waits until a message comes (for ever if none does: a deadlock that ends the run),
    /// then dispatches it.
    GetMessage(u8, (u32, u32)),
    /// WSAIoctl with an OVERLAPPED: the code, the input and output sizes, the OVERLAPPED and
    /// its kind (plain, with an event, with a completion routine).
    WsaIoctlOv(H, u32, u8, u8, u8, u8),
    /// SetConsoleCtrlHandler adding a handler (that answers TRUE or FALSE) or removing one
    /// (or one never added), or GenerateConsoleCtrlEvent of a type (or a bogus one).
    ConsoleCtrl(u8, u32),
    /// AcceptEx with the address lengths given (the documented 16 bytes more than a
    /// sockaddr, short, or 0): the listener, the accept socket, the buffer, the lengths, the
    /// OVERLAPPED.
    AcceptExLengths(H, H, Size, u32, u32, u8),
}

/// A GetMessage / PeekMessage range: none (0, 0), one message, a span, or min above max.
pub(crate) fn msg_range() -> impl Strategy<Value = (u32, u32)> {
    prop_oneof![
        4 => Just((0u32, 0u32)),
        1 => Just((0x400u32, 0x400u32)),
        1 => Just((0x113u32, 0x113u32)),
        1 => (any::<u32>(), any::<u32>()),
    ]
}

pub(crate) fn h() -> impl Strategy<Value = H> {
    prop_oneof![
        6 => any::<u8>().prop_map(H::Sock),
        1 => any::<u8>().prop_map(H::Closed),
        1 => any::<u8>().prop_map(H::Foreign),
        1 => prop_oneof![
            Just(0u64),
            Just(1),
            Just(0x100),
            Just(INVALID_SOCKET as u64),
            Just(0xdead_beef),
            any::<u64>()
        ]
        .prop_map(H::Raw),
    ]
}

pub(crate) fn port() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(9000), Just(9001), Just(9002)]
}

pub(crate) fn addr() -> impl Strategy<Value = A> {
    prop_oneof![
        1 => port().prop_map(A::Any),
        1 => port().prop_map(A::Loop),
        1 => port().prop_map(A::Own),
        3 => port().prop_map(A::Peer),
        1 => port().prop_map(A::Nowhere),
        1 => port().prop_map(A::V6Any),
        1 => any::<u8>().prop_map(A::Junk),
    ]
}

pub(crate) fn size() -> impl Strategy<Value = Size> {
    prop_oneof![
        1 => Just(Size::Zero),
        6 => (1u16..200).prop_map(Size::Small),
        1 => Just(Size::Huge),
    ]
}

pub(crate) fn msg_flags() -> impl Strategy<Value = i32> {
    prop_oneof![
        4 => Just(0),
        1 => Just(MSG_PEEK),
        1 => Just(MSG_OOB),
        1 => Just(MSG_WAITALL),
        1 => Just(MSG_DONTROUTE),
        1 => any::<i32>(),
    ]
}

pub(crate) fn level() -> impl Strategy<Value = i32> {
    prop_oneof![
        Just(SOL_SOCKET),
        Just(IPPROTO_TCP),
        Just(IPPROTO_IP),
        Just(IPPROTO_IPV6),
        Just(IPPROTO_UDP),
        any::<i32>()
    ]
}

pub(crate) fn optname() -> impl Strategy<Value = i32> {
    prop_oneof![
        Just(SO_REUSEADDR),
        Just(SO_EXCLUSIVEADDRUSE),
        Just(SO_LINGER),
        Just(SO_RCVBUF),
        Just(SO_SNDBUF),
        Just(SO_ERROR),
        Just(SO_TYPE),
        Just(SO_KEEPALIVE),
        Just(SO_RCVTIMEO),
        Just(SO_SNDTIMEO),
        Just(SO_UPDATE_ACCEPT_CONTEXT),
        Just(SO_BSP_STATE),
        Just(TCP_NODELAY),
        Just(TCP_MAXRT),
        Just(TCP_MAXRTMS),
        Just(1),
        Just(2),
        Just(4),
        Just(12),
        any::<i32>()
    ]
}

pub(crate) fn ioctl_code() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(FIONBIO),
        Just(FIONREAD),
        Just(SIOCATMARK),
        Just(SIO_KEEPALIVE_VALS),
        Just(SIO_BASE_HANDLE),
        Just(SIO_IDEAL_SEND_BACKLOG_QUERY),
        Just(SIO_ENABLE_CIRCULAR_QUEUEING),
        Just(SIO_UDP_CONNRESET),
        Just(SIO_UDP_NETRESET),
        Just(SIO_TCP_INITIAL_RTO),
        Just(SIO_TCP_SET_ACK_FREQUENCY),
        any::<u32>()
    ]
}

pub(crate) fn fd_mask() -> impl Strategy<Value = i32> {
    prop_oneof![Just(0), Just(FD_ALL_EVENTS), 0i32..0x40, any::<i32>()]
}

pub(crate) fn op() -> impl Strategy<Value = Op> {
    let sock = prop_oneof![
        6 => Just((AF_INET, SOCK_STREAM, IPPROTO_TCP)),
        4 => Just((AF_INET, SOCK_DGRAM, IPPROTO_UDP)),
        1 => Just((AF_INET6, SOCK_STREAM, 0)),
        1 => (any::<i32>(), any::<i32>(), any::<i32>()),
    ];
    let hs = || proptest::collection::vec(h(), 0..4);
    let timeout = prop_oneof![Just(0u32), Just(5), Just(50)];
    prop_oneof![
        6 => sock.prop_map(|(a, t, p)| Op::Socket(a, t, p)),
        4 => (h(), addr()).prop_map(|(h, a)| Op::Bind(h, a)),
        3 => (h(), prop_oneof![Just(1), Just(SOMAXCONN), any::<i32>()])
            .prop_map(|(h, b)| Op::Listen(h, b)),
        2 => h().prop_map(Op::Accept),
        4 => (h(), addr()).prop_map(|(h, a)| Op::Connect(h, a)),
        5 => (h(), size(), msg_flags()).prop_map(|(h, s, f)| Op::Send(h, s, f)),
        5 => (h(), size(), msg_flags()).prop_map(|(h, s, f)| Op::Recv(h, s, f)),
        3 => (h(), size(), msg_flags(), addr()).prop_map(|(h, s, f, a)| Op::SendTo(h, s, f, a)),
        2 => (h(), size(), msg_flags()).prop_map(|(h, s, f)| Op::RecvFrom(h, s, f)),
        1 => (h(), prop_oneof![0i32..3, any::<i32>()]).prop_map(|(h, x)| Op::Shutdown(h, x)),
        3 => h().prop_map(Op::Close),
        2 => (h(), ioctl_code(), any::<u32>()).prop_map(|(h, c, a)| Op::Ioctl(h, c, a)),
        1 => h().prop_map(Op::Names),
        2 => (h(), level(), optname(), prop_oneof![Just(4u8), Just(0), Just(1), Just(8), any::<u8>()], any::<u32>())
            .prop_map(|(h, l, o, n, v)| Op::SetOpt(h, l, o, n, v)),
        2 => (h(), level(), optname(), prop_oneof![Just(4u8), Just(0), Just(1), Just(8), any::<u8>()])
            .prop_map(|(h, l, o, n)| Op::GetOpt(h, l, o, n)),
        4 => (h(), prop_oneof![3 => Just(true), 1 => Just(false)]).prop_map(|(h, b)| Op::Nonblocking(h, b)),
        1 => prop_oneof![Just(0u32), Just(1), Just(20)].prop_map(Op::Sleep),
        1 => (prop_oneof![Just(0u32), Just(10)], any::<bool>()).prop_map(|(m, a)| Op::SleepEx(m, a)),
        2 => (hs(), hs(), hs(), prop_oneof![Just(None), Just(Some(0u32)), Just(Some(10))])
            .prop_map(|(r, w, e, t)| Op::Select(r, w, e, t)),
        2 => (proptest::collection::vec((h(), prop_oneof![Just(POLLRDNORM), Just(POLLWRNORM), Just(POLLIN | POLLOUT), any::<i16>()]), 0..4),
              prop_oneof![Just(0i32), Just(10), Just(-1)])
            .prop_map(|(f, t)| Op::Poll(f, t)),
        2 => Just(Op::CreateEvent),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(e, k)| Op::EventCall(e, k)),
        1 => (h(), any::<u8>(), any::<bool>()).prop_map(|(h, e, s)| Op::Duplicate(h, e, s)),
        1 => (h(), any::<u8>(), any::<bool>(), proptest::option::of((0u32..4, 0u32..4)))
            .prop_map(|(h, e, s, set)| Op::HandleFlags(h, e, s, set)),
        1 => (any::<u64>(), any::<[u16; 8]>()).prop_map(|(ft, f)| Op::Time(ft, f)),
        1 => (any::<bool>(), prop_oneof![Just(0u32), Just(1), Just(2), Just(16), Just(1_000_000), Just(1_000_001), any::<u32>()])
            .prop_map(|(b, p)| Op::TimerPeriod(b, p)),
        1 => (prop_oneof![Just(0u32), 1u32..40, Just(1_000_001)], any::<bool>(), any::<bool>(),
              proptest::option::of(prop_oneof![Just(0u32), 1u32..20, any::<u32>()]))
            .prop_map(|(d, p, k, id)| Op::MmTimer(d, p, k, id)),
        1 => (any::<u8>(), any::<u8>(), prop_oneof![Just(0u32), Just(5), Just(INFINITE)])
            .prop_map(|(i, a, t)| Op::Address(i, a, t)),
        1 => (any::<u8>(), any::<u8>(), prop_oneof![Just(0u32), Just(1), Just(2), Just(3), Just(4), Just(6), any::<u32>()],
              prop_oneof![Just(0usize), Just(0x40), Just(0x41), any::<usize>()])
            .prop_map(|(i, a, f, c)| Op::Once(i, a, f, c)),
        1 => (any::<u8>(), any::<u8>(),
              prop_oneof![Just(0u32), Just(1), Just(1087), Just(1088), Just(4079), Just(4080), any::<u32>()],
              prop_oneof![Just(0usize), Just(1), any::<usize>()])
            .prop_map(|(a, i, raw, v)| Op::Local(a, i, raw, v)),
        1 => (any::<u8>(), any::<u8>(), any::<u8>(), any::<bool>())
            .prop_map(|(k, a, n, f)| Op::Named(k, a, n, f)),
        1 => (any::<u8>(), any::<u8>(), prop_oneof![Just(1i32), Just(2), Just(3), Just(0), Just(-1)],
              prop_oneof![Just(0u32), Just(1), Just(2), Just(4), Just(7), Just(8)])
            .prop_map(|(i, a, t, f)| Op::Barrier(i, a, t, f)),
        2 => (h(), any::<u8>(), fd_mask()).prop_map(|(h, e, m)| Op::EventSelect(h, e, m)),
        2 => (h(), proptest::option::of(any::<u8>())).prop_map(|(h, e)| Op::EnumEvents(h, e)),
        2 => (proptest::collection::vec(any::<u8>(), 0..4), any::<bool>(), timeout.clone(), any::<bool>())
            .prop_map(|(e, all, t, a)| Op::WaitEvents(e, all, t, a)),
        1 => Just(Op::CreateWindow),
        2 => (h(), any::<u8>(), fd_mask()).prop_map(|(h, w, m)| Op::AsyncSelect(h, w, m)),
        2 => (any::<u8>(), msg_range(), any::<bool>()).prop_map(|(w, m, r)| Op::PeekMessage(w, m, r)),
        1 => (any::<u8>(), prop_oneof![Just(0x400u32), Just(0x12), Just(0x113), any::<u32>()])
            .prop_map(|(w, m)| Op::PostMessage(w, m)),
        1 => (prop_oneof![Just(4u32), Just(8), Just(0), Just(0xdead_beec), any::<u32>()], any::<u32>())
            .prop_map(|(t, m)| Op::PostThreadMessage(t, m)),
        1 => prop_oneof![Just(0x4ffu32), Just(0x18), any::<u32>()].prop_map(Op::QueueStatus),
        1 => any::<u8>().prop_map(Op::DestroyWindow),
        3 => (h(), size(), prop_oneof![Just(0u32), any::<u32>()], 0u8..8, 0u8..4, any::<bool>())
            .prop_map(|(h, s, f, o, k, i)| Op::SendOv(h, s, f, o, k, i)),
        3 => (h(), size(), prop_oneof![Just(0u32), Just(MSG_PEEK as u32), any::<u32>()], 0u8..8, 0u8..4, any::<bool>())
            .prop_map(|(h, s, f, o, k, i)| Op::RecvOv(h, s, f, o, k, i)),
        1 => (h(), size(), addr(), 0u8..8).prop_map(|(h, s, a, o)| Op::SendToOv(h, s, a, o)),
        1 => (h(), size(), 0u8..8).prop_map(|(h, s, o)| Op::RecvFromOv(h, s, o)),
        2 => (h(), 0u8..8, any::<bool>()).prop_map(|(h, o, w)| Op::OvResult(h, o, w)),
        1 => (h(), 0u8..8, 0u8..3, any::<bool>())
            .prop_map(|(h, o, t, a)| Op::OvResultEx(h, o, t, a)),
        1 => (h(), proptest::option::of(0u8..8)).prop_map(|(h, o)| Op::CancelIo(h, o)),
        1 => prop_oneof![Just(0u32), Just(1)].prop_map(Op::CreatePort),
        2 => (h(), any::<u8>(), any::<u8>()).prop_map(|(h, p, k)| Op::Associate(h, p, k)),
        2 => (any::<u8>(), timeout.clone()).prop_map(|(p, t)| Op::Gqcs(p, t)),
        1 => (any::<u8>(), 0u8..4, timeout, any::<bool>()).prop_map(|(p, m, t, a)| Op::GqcsEx(p, m, t, a)),
        1 => any::<u8>().prop_map(Op::PostPacket),
        1 => any::<u8>().prop_map(Op::ClosePort),
        1 => (h(), any::<u8>()).prop_map(|(h, f)| Op::SkipOnSuccess(h, f)),
        2 => (h(), h(), size(), 0u8..8).prop_map(|(l, a, s, o)| Op::AcceptEx(l, a, s, o)),
        2 => (h(), addr(), size(), 0u8..8).prop_map(|(h, a, s, o)| Op::ConnectEx(h, a, s, o)),
        1 => (h(), proptest::option::of(0u8..8), prop_oneof![Just(0u32), Just(TF_REUSE_SOCKET), any::<u32>()])
            .prop_map(|(h, o, f)| Op::DisconnectEx(h, o, f)),
        1 => (h(), size(), proptest::option::of(0u8..8), prop_oneof![Just(0u32), Just(TF_DISCONNECT), Just(TF_DISCONNECT | TF_REUSE_SOCKET), any::<u32>()])
            .prop_map(|(h, s, o, f)| Op::TransmitFile(h, s, o, f)),
        1 => (
            h(),
            proptest::collection::vec((size(), prop_oneof![Just(1u32), Just(2), Just(5), Just(6), Just(3), any::<u32>()]), 0..4),
            prop_oneof![Just(0u32), Just(3), Just(u32::MAX), any::<u32>()],
            proptest::option::of(0u8..8),
            prop_oneof![Just(0u32), Just(TF_DISCONNECT), Just(TF_DISCONNECT | TF_REUSE_SOCKET), any::<u32>()],
        )
            .prop_map(|(h, e, n, o, f)| Op::TransmitPackets(h, e, n, o, f)),
        1 => h().prop_map(Op::AcceptExAddrs),
        1 => (h(), ioctl_code(), prop_oneof![Just(0u8), Just(4), Just(12), any::<u8>()], prop_oneof![Just(0u8), Just(4), Just(8), any::<u8>()])
            .prop_map(|(h, c, i, o)| Op::WsaIoctl(h, c, i, o)),
        1 => (h(), size(), proptest::option::of(addr()), prop_oneof![Just(0u32), any::<u32>()])
            .prop_map(|(h, s, a, f)| Op::SendMsg(h, s, a, f)),
        1 => (h(), size(), prop_oneof![Just(0u8), Just(64), any::<u8>()], prop_oneof![Just(0u32), Just(MSG_PEEK as u32), any::<u32>()])
            .prop_map(|(h, s, c, f)| Op::RecvMsg(h, s, c, f)),
        1 => any::<u8>().prop_map(Op::Apc),
        1 => any::<bool>().prop_map(Op::CreateTimer),
        1 => prop_oneof![0u32..4, any::<u32>()].prop_map(Op::CreateTimerEx),
        2 => (any::<u8>(),
              prop_oneof![Just(0i64), Just(-10_000), Just(-500_000), Just(i64::MIN), Just(i64::MAX), any::<i64>(),
                          // absolute: 30 ms after the run's start by the system clock
                          Just(SIM_EPOCH_FILETIME as i64 + 300_000)],
              prop_oneof![Just(0i32), Just(7), Just(-1), any::<i32>()],
              any::<bool>())
            .prop_map(|(t, d, p, r)| Op::SetTimer(t, d, p, r)),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(t, k)| Op::TimerCall(t, k)),
        1 => (any::<u8>(), 0u8..4, prop_oneof![Just(0u32), Just(10), Just(35), any::<u32>()], any::<bool>())
            .prop_map(|(w, id, ms, kill)| Op::WindowTimer(w, id, ms, kill)),
        1 => (proptest::collection::vec(any::<u8>(), 0..3), prop_oneof![Just(0u32), Just(10)],
              prop_oneof![Just(QS_ALLINPUT), Just(QS_POSTMESSAGE), Just(QS_TIMER), any::<u32>()], 0u32..8)
            .prop_map(|(e, t, m, f)| Op::MsgWait(e, t, m, f)),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(p, s)| Op::QueueWork(p, s)),
        1 => Just(Op::CreateTimerQueue),
        2 => (any::<u8>(), prop_oneof![Just(0u32), Just(5), Just(30), any::<u32>()],
              prop_oneof![Just(0u32), Just(10), any::<u32>()],
              prop_oneof![Just(0u32), Just(WT_EXECUTEINTIMERTHREAD), Just(WT_EXECUTEONLYONCE), any::<u32>()],
              any::<u8>())
            .prop_map(|(q, d, p, f, b)| Op::QueueTimer(q, d, p, f, b)),
        1 => (any::<u8>(), prop_oneof![Just(0u32), Just(20), any::<u32>()], prop_oneof![Just(0u32), Just(15)])
            .prop_map(|(t, d, p)| Op::ChangeQueueTimer(t, d, p)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(t, c)| Op::DeleteQueueTimer(t, c)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(q, c)| Op::DeleteTimerQueue(q, c)),
        1 => (any::<u8>(), prop_oneof![Just(INFINITE), Just(0u32), Just(10), any::<u32>()],
              prop_oneof![Just(0u32), Just(WT_EXECUTEONLYONCE), Just(WT_EXECUTEINWAITTHREAD), any::<u32>()],
              any::<u8>())
            .prop_map(|(h, t, f, b)| Op::RegisterWait(h, t, f, b)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(w, c)| Op::UnregisterWait(w, c)),
        1 => (h(), prop_oneof![Just(0u32), any::<u32>()]).prop_map(|(h, f)| Op::BindIo(h, f)),
        1 => (any::<bool>(), 0u32..30, prop_oneof![Just(0u32), Just(5)], any::<bool>(), any::<bool>())
            .prop_map(|(t, d, p, c, f)| Op::TpObject(t, d, p, c, f)),
        1 => (any::<u8>(), prop_oneof![Just(None), (0u32..40).prop_map(Some)], any::<bool>(),
              any::<bool>(), any::<bool>())
            .prop_map(|(h, t, a, c, f)| Op::TpWait(h, t, a, c, f)),
        1 => (h(), any::<bool>()).prop_map(|(h, b)| Op::TpIo(h, b)),
        1 => (h(), any::<bool>(), any::<u8>()).prop_map(|(h, c, m)| Op::TpGroup(h, c, m)),
        1 => Just(Op::Cleanup),
        1 => Just(Op::Startup),
        4 => (any::<u8>(), any::<u8>(), any::<u8>(),
              prop_oneof![Just(0i32), Just(1), Just(2), Just(-1), Just(i32::MAX), any::<i32>()],
              prop_oneof![Just(0u32), Just(5), Just(30)])
            .prop_map(|(c, a, b, n, t)| Op::Sync(c, a, b, n, t)),
        4 => (any::<u8>(), any::<u8>(), any::<u8>(), prop_oneof![Just(0u32), Just(5), Just(30)])
            .prop_map(|(c, w, o, t)| Op::Lock(c, w, o, t)),
        1 => (h(), any::<u8>()).prop_map(|(h, v)| Op::WsaAccept(h, v)),
        1 => (h(), any::<bool>()).prop_map(|(h, send)| Op::Disconnect(h, send)),
        1 => (h(), any::<bool>()).prop_map(|(h, other)| Op::DupSocket(h, other)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(c, n)| Op::Resolve(c, n)),
        1 => (h(), any::<u8>(), any::<u8>(), prop_oneof![Just(0u32), Just(10), Just(1000)])
            .prop_map(|(h, n, sv, t)| Op::ConnectByName(h, n, sv, t)),
        3 => (h(), proptest::collection::vec(size(), 0..4),
              prop_oneof![Just(0u32), Just(MSG_PEEK as u32), Just(MSG_OOB as u32), Just(MSG_WAITALL as u32), any::<u32>()],
              any::<bool>())
            .prop_map(|(h, b, f, send)| Op::WsaSendRecv(h, b, f, send)),
        1 => (any::<u8>(), msg_range()).prop_map(|(w, r)| Op::GetMessage(w, r)),
        1 => (h(), ioctl_code(), prop_oneof![Just(0u8), Just(4), Just(12), any::<u8>()],
              prop_oneof![Just(0u8), Just(4), Just(8), any::<u8>()], 0u8..8, 0u8..4)
            .prop_map(|(h, c, i, o, ov, k)| Op::WsaIoctlOv(h, c, i, o, ov, k)),
        1 => (any::<u8>(), prop_oneof![Just(0u32), Just(1), Just(2), Just(5), Just(6), any::<u32>()])
            .prop_map(|(a, t)| Op::ConsoleCtrl(a, t)),
        1 => (h(), h(), size(), prop_oneof![Just(32u32), Just(16), Just(0), Just(44), any::<u32>()],
              prop_oneof![Just(32u32), Just(16), Just(0), Just(44), any::<u32>()], 0u8..8)
            .prop_map(|(l, a, n, ll, rl, o)| Op::AcceptExLengths(l, a, n, ll, rl, o)),
    ]
}

/// One drawn case: a seed, per-host per-thread sequences, and maybe a fault plan.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub(crate) seed: u64,
    /// [host][thread] → ops.
    pub(crate) threads: Vec<Vec<Vec<Op>>>,
    pub(crate) drops: bool,
    /// Threads stalled before some of their calls (FaultRule::Stall), so that segments and
    /// other threads' calls fall between two calls of one thread.
    pub(crate) stalls: bool,
    /// The system clock set forward and back (FaultRule::ClockJump) while absolute due
    /// times are pending, and the tick count wrapping (FaultRule::Uptime).
    pub(crate) clock: bool,
    /// Waits and timers end on Windows' clock interrupt (`TimerResolution::Windows`).
    pub(crate) interrupts: bool,
}

pub(crate) fn case() -> impl Strategy<Value = Case> {
    let thread = proptest::collection::vec(op(), 1..24);
    let host = proptest::collection::vec(thread, 1..3);
    (
        any::<u64>(),
        proptest::collection::vec(host, 2..=2),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(seed, threads, drops, stalls, clock, interrupts)| Case {
            seed,
            threads,
            drops,
            stalls,
            clock,
            interrupts,
        })
}
