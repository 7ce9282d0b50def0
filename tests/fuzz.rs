//! Operation-sequence fuzzing (issue 9): proptest draws sequences of WinSock calls across
//! every I/O model — blocking and nonblocking calls, select/WSAPoll, WSAAsyncSelect,
//! WSAEventSelect, overlapped I/O with events and completion routines, IOCP, the mswsock
//! extensions, WSAIoctl, WSARecvMsg/WSASendMsg, APCs — on every kind of handle (valid,
//! closed, a foreign object, never valid), with sizes 0 / small / huge and random flags,
//! levels, option names and lengths, for several threads on two hosts.
//!
//! Per sequence it asserts:
//! - no panic (in a simulated thread, in the scheduler, or escaping `Sim::run`);
//! - no hang: the run happens on a helper OS thread under a wall-clock watchdog (the test
//!   harness's only clock; the sim never reads one); deadlocks and time limits are legitimate
//!   outcomes of random sequences and end the run with a report;
//! - every failing call returns a code Microsoft documents for that call (the table in
//!   [`documented`]);
//! - replay: the same sequence and seed give the same trace hash.
//!
//! `PROPTEST_CASES` sets the number of sequences (default 24 here); a long run is
//! `PROPTEST_CASES=100000 cargo test --release --test fuzz`.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use winsock_sim::prelude::*;
use winsock_sim::sim::{FaultPlan, FaultRule, SegmentFilter, Sim, SimErrorKind, SimWinsock};

/// Wall-clock budget of one run (twice: the replay too).
const WATCHDOG: Duration = Duration::from_secs(20);

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

// ---------------------------------------------------------------------------------------
// The operations.

/// Which handle a call gets.
#[derive(Debug, Clone, Copy)]
enum H {
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
enum A {
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
enum Size {
    Zero,
    Small(u16),
    Huge,
}

impl Size {
    fn n(self) -> usize {
        match self {
            Size::Zero => 0,
            Size::Small(n) => usize::from(n),
            Size::Huge => 70_000,
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
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
    EventSelect(H, u8, i32),
    EnumEvents(H, Option<u8>),
    WaitEvents(Vec<u8>, bool, u32, bool),
    CreateWindow,
    AsyncSelect(H, u8, i32),
    PeekMessage(u8, bool),
    DestroyWindow(u8),
    SendOv(H, Size, u32, u8, u8),
    RecvOv(H, Size, u32, u8, u8),
    SendToOv(H, Size, A, u8),
    RecvFromOv(H, Size, u8),
    OvResult(H, u8, bool),
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
    AcceptExAddrs(H),
    WsaIoctl(H, u32, u8, u8),
    SendMsg(H, Size, Option<A>, u32),
    RecvMsg(H, Size, u8, u32),
    Apc(u8),
    Cleanup,
    Startup,
}

fn h() -> impl Strategy<Value = H> {
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

fn port() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(9000), Just(9001), Just(9002)]
}

fn addr() -> impl Strategy<Value = A> {
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

fn size() -> impl Strategy<Value = Size> {
    prop_oneof![
        1 => Just(Size::Zero),
        6 => (1u16..200).prop_map(Size::Small),
        1 => Just(Size::Huge),
    ]
}

fn msg_flags() -> impl Strategy<Value = i32> {
    prop_oneof![
        4 => Just(0),
        1 => Just(MSG_PEEK),
        1 => Just(MSG_OOB),
        1 => Just(MSG_WAITALL),
        1 => Just(MSG_DONTROUTE),
        1 => any::<i32>(),
    ]
}

fn level() -> impl Strategy<Value = i32> {
    prop_oneof![
        Just(SOL_SOCKET),
        Just(IPPROTO_TCP),
        Just(IPPROTO_IP),
        Just(IPPROTO_IPV6),
        Just(IPPROTO_UDP),
        any::<i32>()
    ]
}

fn optname() -> impl Strategy<Value = i32> {
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
        Just(TCP_NODELAY),
        Just(1),
        Just(2),
        Just(4),
        Just(12),
        any::<i32>()
    ]
}

fn ioctl_code() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(FIONBIO),
        Just(FIONREAD),
        Just(SIOCATMARK),
        Just(SIO_KEEPALIVE_VALS),
        Just(SIO_BASE_HANDLE),
        Just(SIO_IDEAL_SEND_BACKLOG_QUERY),
        any::<u32>()
    ]
}

fn fd_mask() -> impl Strategy<Value = i32> {
    prop_oneof![Just(0), Just(FD_ALL_EVENTS), 0i32..0x40, any::<i32>()]
}

fn op() -> impl Strategy<Value = Op> {
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
        2 => (h(), any::<u8>(), fd_mask()).prop_map(|(h, e, m)| Op::EventSelect(h, e, m)),
        2 => (h(), proptest::option::of(any::<u8>())).prop_map(|(h, e)| Op::EnumEvents(h, e)),
        2 => (proptest::collection::vec(any::<u8>(), 0..4), any::<bool>(), timeout.clone(), any::<bool>())
            .prop_map(|(e, all, t, a)| Op::WaitEvents(e, all, t, a)),
        1 => Just(Op::CreateWindow),
        2 => (h(), any::<u8>(), fd_mask()).prop_map(|(h, w, m)| Op::AsyncSelect(h, w, m)),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(w, r)| Op::PeekMessage(w, r)),
        1 => any::<u8>().prop_map(Op::DestroyWindow),
        3 => (h(), size(), prop_oneof![Just(0u32), any::<u32>()], 0u8..8, 0u8..4)
            .prop_map(|(h, s, f, o, k)| Op::SendOv(h, s, f, o, k)),
        3 => (h(), size(), prop_oneof![Just(0u32), Just(MSG_PEEK as u32), any::<u32>()], 0u8..8, 0u8..4)
            .prop_map(|(h, s, f, o, k)| Op::RecvOv(h, s, f, o, k)),
        1 => (h(), size(), addr(), 0u8..8).prop_map(|(h, s, a, o)| Op::SendToOv(h, s, a, o)),
        1 => (h(), size(), 0u8..8).prop_map(|(h, s, o)| Op::RecvFromOv(h, s, o)),
        2 => (h(), 0u8..8, any::<bool>()).prop_map(|(h, o, w)| Op::OvResult(h, o, w)),
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
        1 => h().prop_map(Op::AcceptExAddrs),
        1 => (h(), ioctl_code(), prop_oneof![Just(0u8), Just(4), Just(12), any::<u8>()], prop_oneof![Just(0u8), Just(4), Just(8), any::<u8>()])
            .prop_map(|(h, c, i, o)| Op::WsaIoctl(h, c, i, o)),
        1 => (h(), size(), proptest::option::of(addr()), prop_oneof![Just(0u32), any::<u32>()])
            .prop_map(|(h, s, a, f)| Op::SendMsg(h, s, a, f)),
        1 => (h(), size(), prop_oneof![Just(0u8), Just(64), any::<u8>()], prop_oneof![Just(0u32), Just(MSG_PEEK as u32), any::<u32>()])
            .prop_map(|(h, s, c, f)| Op::RecvMsg(h, s, c, f)),
        1 => any::<u8>().prop_map(Op::Apc),
        1 => Just(Op::Cleanup),
        1 => Just(Op::Startup),
    ]
}

/// One drawn case: a seed, per-host per-thread sequences, and maybe a fault plan.
#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    /// [host][thread] → ops.
    threads: Vec<Vec<Vec<Op>>>,
    drops: bool,
}

fn case() -> impl Strategy<Value = Case> {
    let thread = proptest::collection::vec(op(), 1..24);
    let host = proptest::collection::vec(thread, 1..3);
    (
        any::<u64>(),
        proptest::collection::vec(host, 2..=2),
        any::<bool>(),
    )
        .prop_map(|(seed, threads, drops)| Case {
            seed,
            threads,
            drops,
        })
}

// ---------------------------------------------------------------------------------------
// Executing a case.

/// What the threads of one host share. Never locked across a WinSock call (a call may switch
/// to another simulated thread on the same OS thread).
#[derive(Default)]
struct HostState {
    socks: Vec<Socket>,
    closed: Vec<Socket>,
    events: Vec<WsaEvent>,
    hwnds: Vec<Hwnd>,
    ports: Vec<CompletionPort>,
    tids: Vec<ThreadId>,
}

fn pick<T: Copy>(v: &[T], i: u8) -> Option<T> {
    (!v.is_empty()).then(|| v[usize::from(i) % v.len()])
}

struct Ctx<'a> {
    ws: &'a SimWinsock,
    st: Arc<Mutex<HostState>>,
    own: [u8; 4],
    peer: [u8; 4],
    /// Completion routines and APCs that ran (checked only for not panicking).
    ran: Arc<AtomicU64>,
}

impl Ctx<'_> {
    fn st(&self) -> std::sync::MutexGuard<'_, HostState> {
        self.st.lock().expect("host state")
    }

    fn sock(&self, h: H) -> Socket {
        let st = self.st();
        let raw = match h {
            H::Sock(i) => pick(&st.socks, i).map(Socket::raw),
            H::Closed(i) => pick(&st.closed, i).map(Socket::raw),
            H::Foreign(i) => match i % 3 {
                0 => pick(&st.events, i / 3).map(WsaEvent::raw),
                1 => pick(&st.hwnds, i / 3).map(Hwnd::raw),
                _ => pick(&st.ports, i / 3).map(CompletionPort::raw),
            },
            H::Raw(r) => Some(r as usize),
        };
        Socket::from_raw(raw.unwrap_or(INVALID_SOCKET))
    }

    fn event(&self, i: u8) -> WsaEvent {
        let st = self.st();
        match i % 8 {
            // Mostly a real event; sometimes a socket or garbage.
            7 => WsaEvent::from_raw(pick(&st.socks, i).map_or(0x1234, Socket::raw)),
            6 => WsaEvent::from_raw(usize::from(i) * 4),
            _ => pick(&st.events, i).unwrap_or(WsaEvent::from_raw(0)),
        }
    }

    fn hwnd(&self, i: u8) -> Hwnd {
        let st = self.st();
        if i % 8 == 7 {
            return Hwnd::from_raw(usize::from(i) * 4);
        }
        pick(&st.hwnds, i).unwrap_or(Hwnd::from_raw(0))
    }

    fn port(&self, i: u8) -> CompletionPort {
        let st = self.st();
        if i % 8 == 7 {
            return CompletionPort::from_raw(usize::from(i) * 4);
        }
        pick(&st.ports, i).unwrap_or(CompletionPort::from_raw(0))
    }

    fn addr(&self, a: A) -> SockAddr {
        match a {
            A::Any(p) => SockAddr::v4([0, 0, 0, 0], p),
            A::Loop(p) => SockAddr::v4([127, 0, 0, 1], p),
            A::Own(p) => SockAddr::v4(self.own, p),
            A::Peer(p) => SockAddr::v4(self.peer, p),
            A::Nowhere(p) => SockAddr::v4([198, 51, 100, 7], p),
            A::V6Any(p) => SockAddr::v6([0; 8], p),
            A::Junk(n) => SockAddr::from_bytes(&vec![n; usize::from(n % 40)]),
        }
    }

    fn ov(&self, id: u8, kind: u8) -> (Overlapped, Option<CompletionRoutine<SimWinsock>>) {
        let ov_id = u64::from(id) + 1;
        match kind % 4 {
            0 => (Overlapped::new(ov_id), None),
            1 => {
                let ev = self.st().events.first().copied();
                match ev {
                    Some(ev) => (Overlapped::with_event(ov_id, ev), None),
                    None => (Overlapped::new(ov_id), None),
                }
            }
            _ => {
                let ran = self.ran.clone();
                let routine: CompletionRoutine<SimWinsock> =
                    Box::new(move |_ws: &SimWinsock, _c: IoCompletion| {
                        ran.fetch_add(1, Ordering::Relaxed);
                    });
                (Overlapped::new(ov_id), Some(routine))
            }
        }
    }

    fn closed(&self, s: Socket) {
        let mut st = self.st();
        st.socks.retain(|&x| x != s);
        st.closed.push(s);
    }
}

/// Codes Microsoft documents for each call (its "Error codes" section), widened where the
/// conformance catalogue shows Windows returning another (noted), plus WSANOTINITIALISED and
/// WSAENETDOWN, which every WinSock call documents.
fn documented(call: &str) -> &'static [WsaError] {
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
        "PeekMessage" | "DestroyWindow" => &[WSA_INVALID_HANDLE],
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
        "PostQueuedCompletionStatus" | "CloseHandle" => &[WSA_INVALID_HANDLE],
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
        "QueueUserAPC" => &[WSA_INVALID_HANDLE, WSA_INVALID_PARAMETER],
        "WSAStartup" => &[
            WSASYSNOTREADY,
            WSAVERNOTSUPPORTED,
            WSAEINPROGRESS,
            WSAEFAULT,
        ],
        "WSACleanup" => &[WSAEINPROGRESS],
        other => panic!("no table for {other}"),
    };
    c
}

/// Fails the run (a panic in the simulated thread) if `r` is an undocumented code.
fn check<T>(call: &str, r: Result<T, WsaError>) -> Result<T, WsaError> {
    if let Err(e) = r {
        let ok = matches!(e, WsaError::WSANOTINITIALISED | WsaError::WSAENETDOWN)
            || documented(call).contains(&e);
        assert!(
            ok,
            "FUZZ: {call} returned {e:?} ({}), not documented for it",
            e.code()
        );
    }
    r
}

fn exec(cx: &Ctx<'_>, op: &Op) {
    let ws = cx.ws;
    match op {
        Op::Socket(a, t, p) => {
            if let Ok(s) = check("socket", ws.socket(*a, *t, *p)) {
                cx.st().socks.push(s);
            }
        }
        Op::Bind(h, a) => {
            let _ = check("bind", ws.bind(cx.sock(*h), &cx.addr(*a)));
        }
        Op::Listen(h, b) => {
            let _ = check("listen", ws.listen(cx.sock(*h), *b));
        }
        Op::Accept(h) => {
            if let Ok((s, _)) = check("accept", ws.accept(cx.sock(*h))) {
                cx.st().socks.push(s);
            }
        }
        Op::Connect(h, a) => {
            let _ = check("connect", ws.connect(cx.sock(*h), &cx.addr(*a)));
        }
        Op::Send(h, n, f) => {
            let _ = check("send", ws.send(cx.sock(*h), &vec![7u8; n.n()], *f));
        }
        Op::Recv(h, n, f) => {
            let _ = check("recv", ws.recv(cx.sock(*h), &mut vec![0u8; n.n()], *f));
        }
        Op::SendTo(h, n, f, a) => {
            let _ = check(
                "sendto",
                ws.sendto(cx.sock(*h), &vec![7u8; n.n()], *f, &cx.addr(*a)),
            );
        }
        Op::RecvFrom(h, n, f) => {
            let _ = check(
                "recvfrom",
                ws.recvfrom(cx.sock(*h), &mut vec![0u8; n.n()], *f),
            );
        }
        Op::Shutdown(h, how) => {
            let _ = check("shutdown", ws.shutdown(cx.sock(*h), *how));
        }
        Op::Close(h) => {
            let s = cx.sock(*h);
            if check("closesocket", ws.closesocket(s)).is_ok() {
                cx.closed(s);
            }
        }
        Op::Ioctl(h, c, a) => {
            let mut v = *a;
            let _ = check("ioctlsocket", ws.ioctlsocket(cx.sock(*h), *c, &mut v));
        }
        Op::Names(h) => {
            let s = cx.sock(*h);
            let _ = check("getsockname", ws.getsockname(s));
            let _ = check("getpeername", ws.getpeername(s));
        }
        Op::SetOpt(h, l, o, n, v) => {
            let mut b = vec![0u8; usize::from(*n)];
            for (i, x) in b.iter_mut().enumerate().take(4) {
                *x = v.to_le_bytes()[i];
            }
            let _ = check("setsockopt", ws.setsockopt(cx.sock(*h), *l, *o, &b));
        }
        Op::GetOpt(h, l, o, n) => {
            let mut b = vec![0u8; usize::from(*n)];
            if let Ok(k) = check("getsockopt", ws.getsockopt(cx.sock(*h), *l, *o, &mut b)) {
                assert!(
                    k <= b.len(),
                    "FUZZ: getsockopt optlen {k} > buffer {}",
                    b.len()
                );
            }
        }
        Op::Nonblocking(h, on) => {
            let _ = check("ioctlsocket", ws.set_nonblocking(cx.sock(*h), *on));
        }
        Op::Sleep(ms) => ws.sleep(*ms),
        Op::SleepEx(ms, a) => {
            let r = ws.sleep_ex(*ms, *a);
            assert!(
                r == 0 || r == WAIT_IO_COMPLETION,
                "FUZZ: SleepEx returned {r}"
            );
        }
        Op::Select(r, w, e, t) => {
            let set = |v: &Vec<H>| {
                let mut s = FdSet::new();
                for h in v {
                    s.set(cx.sock(*h));
                }
                s
            };
            let (mut r, mut w, mut e) = (set(r), set(w), set(e));
            let t = t.map(|ms| Duration::from_millis(u64::from(ms)));
            // Never wait forever in select with nothing that could wake it: a 10 ms cap.
            let t = t.or(Some(Duration::from_millis(10)));
            let _ = check(
                "select",
                ws.select(Some(&mut r), Some(&mut w), Some(&mut e), t),
            );
        }
        Op::Poll(fds, t) => {
            let mut v: Vec<WsaPollFd> = fds
                .iter()
                .map(|(h, ev)| WsaPollFd::new(cx.sock(*h), *ev))
                .collect();
            let t = if *t < 0 { 10 } else { *t };
            if let Ok(n) = check("WSAPoll", ws.wsa_poll(&mut v, t)) {
                assert!(n <= v.len(), "FUZZ: WSAPoll counted {n} of {}", v.len());
            }
        }
        Op::CreateEvent => {
            if let Ok(e) = check("WSACreateEvent", ws.wsa_create_event()) {
                cx.st().events.push(e);
            }
        }
        Op::EventCall(i, k) => {
            let e = cx.event(*i);
            match k % 3 {
                0 => drop(check("WSASetEvent", ws.wsa_set_event(e))),
                1 => drop(check("WSAResetEvent", ws.wsa_reset_event(e))),
                _ => {
                    if check("WSACloseEvent", ws.wsa_close_event(e)).is_ok() {
                        cx.st().events.retain(|&x| x != e);
                    }
                }
            }
        }
        Op::EventSelect(h, e, m) => {
            let _ = check(
                "WSAEventSelect",
                ws.wsa_event_select(cx.sock(*h), cx.event(*e), *m),
            );
        }
        Op::EnumEvents(h, e) => {
            let mut ne = WsaNetworkEvents::default();
            let e = e.map(|e| cx.event(e));
            let _ = check(
                "WSAEnumNetworkEvents",
                ws.wsa_enum_network_events(cx.sock(*h), e, &mut ne),
            );
        }
        Op::WaitEvents(es, all, t, a) => {
            let evs: Vec<WsaEvent> = es.iter().map(|&e| cx.event(e)).collect();
            if let Ok(r) = check(
                "WSAWaitForMultipleEvents",
                ws.wsa_wait_for_multiple_events(&evs, *all, *t, *a),
            ) {
                assert!(
                    (r as usize) < evs.len()
                        || r == WSA_WAIT_TIMEOUT
                        || r == WSA_WAIT_IO_COMPLETION,
                    "FUZZ: WSAWaitForMultipleEvents returned {r}"
                );
            }
        }
        Op::CreateWindow => {
            if let Ok(w) = check("CreateWindow", ws.create_window(None)) {
                cx.st().hwnds.push(w);
            }
        }
        Op::AsyncSelect(h, w, m) => {
            let _ = check(
                "WSAAsyncSelect",
                ws.wsa_async_select(cx.sock(*h), cx.hwnd(*w), 0x400, *m),
            );
        }
        Op::PeekMessage(w, r) => {
            let _ = check(
                "PeekMessage",
                ws.peek_message(cx.hwnd(*w), if *r { PM_REMOVE } else { PM_NOREMOVE }),
            );
        }
        Op::DestroyWindow(w) => {
            let hw = cx.hwnd(*w);
            if check("DestroyWindow", ws.destroy_window(hw)).is_ok() {
                cx.st().hwnds.retain(|&x| x != hw);
            }
        }
        Op::SendOv(h, n, f, o, k) => {
            let (ov, r) = cx.ov(*o, *k);
            let _ = check(
                "WSASend",
                ws.wsa_send_overlapped(cx.sock(*h), vec![vec![1u8; n.n()]], *f, ov, r),
            );
        }
        Op::RecvOv(h, n, f, o, k) => {
            let (ov, r) = cx.ov(*o, *k);
            let _ = check(
                "WSARecv",
                ws.wsa_recv_overlapped(cx.sock(*h), vec![vec![0u8; n.n()]], *f, ov, r),
            );
        }
        Op::SendToOv(h, n, a, o) => {
            let (ov, r) = cx.ov(*o, *o);
            let _ = check(
                "WSASendTo",
                ws.wsa_send_to(cx.sock(*h), vec![vec![1u8; n.n()]], 0, &cx.addr(*a), ov, r),
            );
        }
        Op::RecvFromOv(h, n, o) => {
            let (ov, r) = cx.ov(*o, *o);
            let _ = check(
                "WSARecvFrom",
                ws.wsa_recv_from(cx.sock(*h), vec![vec![0u8; n.n()]], 0, ov, r),
            );
        }
        Op::OvResult(h, o, wait) => {
            let ov = Overlapped::new(u64::from(*o) + 1);
            // Waiting for an operation that never completes would block forever: only wait
            // on what this thread can see is pending with a short bound (none: no wait).
            let _ = check(
                "WSAGetOverlappedResult",
                ws.wsa_get_overlapped_result(cx.sock(*h), &ov, *wait && *o % 2 == 0),
            );
        }
        Op::CancelIo(h, o) => {
            let ov = o.map(|o| Overlapped::new(u64::from(o) + 1));
            let _ = check("CancelIoEx", ws.cancel_io_ex(cx.sock(*h), ov.as_ref()));
        }
        Op::CreatePort(c) => {
            if let Ok(p) = check("CreateIoCompletionPort", ws.create_io_completion_port(*c)) {
                cx.st().ports.push(p);
            }
        }
        Op::Associate(h, p, k) => {
            let _ = check(
                "CreateIoCompletionPort",
                ws.associate_completion_port(cx.sock(*h), cx.port(*p), usize::from(*k)),
            );
        }
        Op::Gqcs(p, t) => {
            let _ = check(
                "GetQueuedCompletionStatus",
                ws.get_queued_completion_status(cx.port(*p), *t),
            );
        }
        Op::GqcsEx(p, m, t, a) => {
            if let Ok(v) = check(
                "GetQueuedCompletionStatusEx",
                ws.get_queued_completion_status_ex(cx.port(*p), usize::from(*m), *t, *a),
            ) {
                assert!(
                    !v.is_empty() && v.len() <= usize::from((*m).max(1)),
                    "FUZZ: GQCSEx {}",
                    v.len()
                );
            }
        }
        Op::PostPacket(p) => {
            let _ = check(
                "PostQueuedCompletionStatus",
                ws.post_queued_completion_status(cx.port(*p), 3, 42, Some(Overlapped::new(99))),
            );
        }
        Op::ClosePort(p) => {
            let port = cx.port(*p);
            if check("CloseHandle", ws.close_completion_port(port)).is_ok() {
                cx.st().ports.retain(|&x| x != port);
            }
        }
        Op::SkipOnSuccess(h, f) => {
            let _ = check(
                "SetFileCompletionNotificationModes",
                ws.set_file_completion_notification_modes(cx.sock(*h), *f),
            );
        }
        Op::AcceptEx(l, a, n, o) => {
            let _ = check(
                "AcceptEx",
                ws.accept_ex(
                    cx.sock(*l),
                    cx.sock(*a),
                    vec![0u8; n.n().min(1000)],
                    Overlapped::new(u64::from(*o) + 1),
                ),
            );
        }
        Op::ConnectEx(h, a, n, o) => {
            let _ = check(
                "ConnectEx",
                ws.connect_ex(
                    cx.sock(*h),
                    &cx.addr(*a),
                    vec![5u8; n.n()],
                    Overlapped::new(u64::from(*o) + 1),
                ),
            );
        }
        Op::DisconnectEx(h, o, f) => {
            let ov = o.map(|o| Overlapped::new(u64::from(o) + 1));
            let _ = check("DisconnectEx", ws.disconnect_ex(cx.sock(*h), ov, *f));
        }
        Op::TransmitFile(h, n, o, f) => {
            let file = vec![3u8; n.n()];
            let ov = o.map(|o| Overlapped::new(u64::from(o) + 1));
            let _ = check(
                "TransmitFile",
                ws.transmit_file(cx.sock(*h), Some(&file), 0, 0, None, ov, *f),
            );
        }
        Op::AcceptExAddrs(h) => {
            let _ = check(
                "GetAcceptExSockaddrs",
                ws.get_accept_ex_sockaddrs(cx.sock(*h)),
            );
        }
        Op::WsaIoctl(h, c, i, o) => {
            let input = vec![1u8; usize::from(*i)];
            let mut out = vec![0u8; usize::from(*o)];
            if let Ok(k) = check("WSAIoctl", ws.wsa_ioctl(cx.sock(*h), *c, &input, &mut out)) {
                assert!(
                    k <= out.len(),
                    "FUZZ: WSAIoctl returned {k} > {}",
                    out.len()
                );
            }
        }
        Op::SendMsg(h, n, a, f) => {
            let msg = WsaMsg::for_send(&vec![9u8; n.n()], a.map(|a| cx.addr(a)));
            let _ = check("WSASendMsg", ws.wsa_send_msg(cx.sock(*h), &msg, *f));
        }
        Op::RecvMsg(h, n, c, f) => {
            let mut msg = WsaMsg::for_recv(&[n.n()], usize::from(*c));
            msg.flags = *f;
            let _ = check("WSARecvMsg", ws.wsa_recv_msg(cx.sock(*h), &mut msg));
        }
        Op::Apc(t) => {
            let tid = pick(&cx.st().tids, *t).unwrap_or(ws.thread_id());
            let ran = cx.ran.clone();
            let _ = check(
                "QueueUserAPC",
                ws.queue_user_apc(
                    Box::new(move |_ws: &SimWinsock| {
                        ran.fetch_add(1, Ordering::Relaxed);
                    }),
                    tid,
                ),
            );
        }
        Op::Cleanup => {
            if check("WSACleanup", ws.wsa_cleanup()).is_ok() {
                // The last cleanup closes every socket of the host; later calls may fail.
            }
        }
        Op::Startup => {
            let _ = check("WSAStartup", ws.wsa_startup(WINSOCK_VERSION_2_2));
        }
    }
}

/// The outcome of one run: its trace hash and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    hash: u64,
    kind: Option<SimErrorKind>,
    ran: u64,
}

fn run_case(c: &Case) -> Result<Outcome, String> {
    let mut b = Sim::builder()
        .seed(c.seed)
        .time_limit(Duration::from_secs(600))
        .stack_size(128 * 1024);
    if c.drops {
        b = b.faults(FaultPlan {
            rules: vec![
                FaultRule::Drop {
                    filter: SegmentFilter::Any,
                    num: 1,
                    den: 8,
                },
                FaultRule::Delay {
                    filter: SegmentFilter::Data,
                    num: 1,
                    den: 4,
                    extra: Duration::from_millis(30),
                },
            ],
        });
    }
    let mut sim = b.build();
    let ips = [[192u8, 0, 2, 1], [192, 0, 2, 2]];
    let ran = Arc::new(AtomicU64::new(0));
    for (hi, threads) in c.threads.iter().enumerate() {
        let host = sim.host(&format!("h{hi}"), &format!("192.0.2.{}", hi + 1));
        let st = Arc::new(Mutex::new(HostState::default()));
        for (ti, ops) in threads.iter().enumerate() {
            let ops = ops.clone();
            let st2 = st.clone();
            let ran = ran.clone();
            let (own, peer) = (ips[hi], ips[1 - hi]);
            let tid = host.spawn(&format!("t{ti}"), move |ws| {
                let _ = ws.wsa_startup(WINSOCK_VERSION_2_2);
                let cx = Ctx {
                    ws,
                    st: st2,
                    own,
                    peer,
                    ran,
                };
                for op in &ops {
                    exec(&cx, op);
                }
                Ok(())
            });
            st.lock().expect("host state").tids.push(tid);
        }
    }
    match sim.run() {
        Ok(r) => Ok(Outcome {
            hash: r.trace_hash,
            kind: None,
            ran: ran.load(Ordering::Relaxed),
        }),
        // A panic in a simulated thread: a sim bug or an undocumented code.
        Err(e) if e.kind == SimErrorKind::Panic => Err(e.to_string()),
        // Random sequences may deadlock (two threads blocked in recv) or spin until the
        // time limit: legitimate outcomes, reported with their diagnostic.
        Err(e) => Ok(Outcome {
            hash: e.trace_hash,
            kind: Some(e.kind),
            ran: ran.load(Ordering::Relaxed),
        }),
    }
}

/// Runs the case on a helper OS thread under the watchdog.
fn guarded(c: &Case) -> Result<Outcome, String> {
    let (tx, rx) = mpsc::channel();
    let c2 = c.clone();
    let h = std::thread::Builder::new()
        .name("fuzz run".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_case(&c2)));
            let _ = tx.send(());
            r
        })
        .expect("spawn");
    match rx.recv_timeout(WATCHDOG) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match h.join() {
            Ok(Ok(r)) => r,
            Ok(Err(p)) => Err(format!("panic escaped Sim::run: {}", panic_text(&p))),
            Err(p) => Err(format!("helper thread died: {}", panic_text(&p))),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "hang: the run did not finish within {} s of wall time",
            WATCHDOG.as_secs()
        )),
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "?".into())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random call sequences: no panic, no hang, documented codes only, same trace on replay.
    #[test]
    fn random_sequences(c in case()) {
        let first = guarded(&c).map_err(TestCaseError::fail)?;
        let again = guarded(&c).map_err(TestCaseError::fail)?;
        if std::env::var_os("FUZZ_VERBOSE").is_some() {
            let ops: usize = c.threads.iter().flatten().map(Vec::len).sum();
            eprintln!("FUZZ-CASE ops {ops} outcome {:?} ran {}", first.kind, first.ran);
        }
        prop_assert_eq!(first, again, "replay differs");
    }
}
