//! Executing one operation: the handles each host's threads share and the WinSock call an
//! operation makes on them (every result checked against the documented codes).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use winsock_sim::prelude::*;
use winsock_sim::sim::SimWinsock;

use crate::documented::check;
use crate::ops::{Op, A, H};

/// What the threads of one host share. Never locked across a WinSock call (a call may switch
/// to another simulated thread on the same OS thread).
#[derive(Default)]
pub(crate) struct HostState {
    pub(crate) socks: Vec<Socket>,
    pub(crate) closed: Vec<Socket>,
    pub(crate) events: Vec<WsaEvent>,
    pub(crate) hwnds: Vec<Hwnd>,
    pub(crate) ports: Vec<CompletionPort>,
    pub(crate) tids: Vec<ThreadId>,
    pub(crate) timers: Vec<TimerHandle>,
    pub(crate) queues: Vec<TimerQueue>,
    pub(crate) queue_timers: Vec<QueueTimer>,
    pub(crate) waits: Vec<RegisteredWait>,
    /// Synchronization barriers made.
    pub(crate) barriers: Vec<SyncBarrier>,
    /// One-time initializations made.
    pub(crate) onces: Vec<InitOnce>,
    /// TLS and FLS slots allocated.
    pub(crate) tls: Vec<u32>,
    pub(crate) fls: Vec<u32>,
    /// Handles the named-object calls made (also among `events` and `timers` for those).
    pub(crate) named: Vec<Handle>,
    /// The variables WaitOnAddress sleeps on, shared by the host's threads.
    pub(crate) addrs: Arc<[AtomicU32; 2]>,
    /// Mutexes and semaphores made by `Op::Sync` (closed ones stay: a closed handle is an
    /// input too).
    pub(crate) syncs: Vec<Handle>,
    /// Critical sections, SRW locks and condition variables made (deleted ones stay).
    pub(crate) sections: Vec<CriticalSection>,
    pub(crate) srws: Vec<SrwLock>,
    pub(crate) cvs: Vec<ConditionVariable>,
    /// Console control handlers added.
    pub(crate) ctrl_handlers: Vec<CtrlHandlerId>,
    /// Who holds each critical section and SRW lock, as the calls' results tell it, to
    /// check mutual exclusion (`exec_sync::Holds`).
    pub(crate) holds: crate::exec_sync::Holds,
}

pub(crate) fn pick<T: Copy>(v: &[T], i: u8) -> Option<T> {
    (!v.is_empty()).then(|| v[usize::from(i) % v.len()])
}

pub(crate) struct Ctx<'a> {
    pub(crate) ws: &'a SimWinsock,
    pub(crate) st: Arc<Mutex<HostState>>,
    pub(crate) own: [u8; 4],
    pub(crate) peer: [u8; 4],
    /// Completion routines and APCs that ran (checked only for not panicking).
    pub(crate) ran: Arc<AtomicU64>,
}

impl Ctx<'_> {
    pub(crate) fn st(&self) -> std::sync::MutexGuard<'_, HostState> {
        self.st.lock().expect("host state")
    }

    pub(crate) fn sock(&self, h: H) -> Socket {
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

    /// A timer queue: mostly one the host made (maybe deleted), sometimes the default queue
    /// or garbage.
    fn queue(&self, i: u8) -> Option<TimerQueue> {
        match i % 8 {
            7 => None,
            6 => Some(TimerQueue::from_raw(usize::from(i) * 4 + 0x7000)),
            _ => pick(&self.st().queues, i).or(None),
        }
    }

    /// A timer-queue timer: mostly one the host made (maybe deleted), sometimes garbage.
    fn queue_timer(&self, i: u8) -> QueueTimer {
        match i % 8 {
            7 => QueueTimer::from_raw(usize::from(i) * 4 + 0x9000),
            _ => pick(&self.st().queue_timers, i).unwrap_or(QueueTimer::from_raw(0)),
        }
    }

    /// A deletion's completion: NULL, INVALID_HANDLE_VALUE, or an event (maybe garbage).
    fn completion(&self, i: u8) -> DeleteCompletion {
        match i % 3 {
            0 => DeleteCompletion::NoWait,
            1 => DeleteCompletion::Wait,
            _ => DeleteCompletion::Event(self.event(i / 3)),
        }
    }

    fn timer(&self, i: u8) -> TimerHandle {
        let st = self.st();
        match i % 8 {
            // Mostly a real timer; sometimes an event or garbage.
            7 => TimerHandle::from_raw(pick(&st.events, i).map_or(0x1234, WsaEvent::raw)),
            6 => TimerHandle::from_raw(usize::from(i) * 4),
            _ => pick(&st.timers, i).unwrap_or(TimerHandle::from_raw(0)),
        }
    }

    pub(crate) fn hwnd(&self, i: u8) -> Hwnd {
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

    pub(crate) fn ov(
        &self,
        id: u8,
        kind: u8,
    ) -> (Overlapped, Option<CompletionRoutine<SimWinsock>>) {
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

pub(crate) fn exec(cx: &Ctx<'_>, op: &Op) {
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
                if (*l, *o) == (SOL_SOCKET, SO_BSP_STATE) {
                    assert!(
                        decode_bsp_state(&b).is_some(),
                        "FUZZ: SO_BSP_STATE wrote no whole CSADDR_INFO into {} bytes",
                        b.len()
                    );
                }
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
        Op::Duplicate(h, e, socket) => {
            // Every fourth with bInheritHandle and the options (DUPLICATE_CLOSE_SOURCE among
            // them) drawn from the same byte.
            let (ex, inherit, options) = (e % 4 == 0, e & 16 != 0, u32::from(e >> 5));
            if *socket {
                let s = cx.sock(*h);
                let r = if ex {
                    ws.duplicate_socket_handle_ex(s, inherit, options)
                } else {
                    ws.duplicate_socket_handle(s)
                };
                if let Ok(s) = check("DuplicateHandle", r) {
                    cx.st().socks.push(s);
                }
            } else {
                let ev = Handle::Event(cx.event(*e));
                let r = if ex {
                    ws.duplicate_handle_ex(ev, inherit, options)
                } else {
                    ws.duplicate_handle(ev)
                };
                if let Ok(Handle::Event(d)) = check("DuplicateHandle", r) {
                    cx.st().events.push(d);
                }
            }
        }
        Op::HandleFlags(h, e, socket, set) => match (socket, set) {
            (true, None) => drop(check(
                "GetHandleInformation",
                ws.get_socket_handle_information(cx.sock(*h)),
            )),
            (true, Some((mask, flags))) => drop(check(
                "SetHandleInformation",
                ws.set_socket_handle_information(cx.sock(*h), *mask, *flags),
            )),
            (false, None) => drop(check(
                "GetHandleInformation",
                ws.get_handle_information(Handle::Event(cx.event(*e))),
            )),
            (false, Some((mask, flags))) => drop(check(
                "SetHandleInformation",
                ws.set_handle_information(Handle::Event(cx.event(*e)), *mask, *flags),
            )),
        },
        Op::Time(ft, f) => {
            let now = ws.get_system_time();
            assert_eq!(
                ws.get_local_time(),
                now,
                "FUZZ: the simulated machines keep UTC"
            );
            assert!(
                check("SystemTimeToFileTime", ws.system_time_to_file_time(&now)).is_ok(),
                "FUZZ: GetSystemTime gave a date that does not convert: {now:?}"
            );
            let _ = check("FileTimeToSystemTime", ws.file_time_to_system_time(*ft));
            let fields = SystemTime {
                year: f[0],
                month: f[1] % 14,
                day_of_week: f[2],
                day: f[3] % 33,
                hour: f[4] % 26,
                minute: f[5] % 62,
                second: f[6] % 62,
                milliseconds: f[7] % 1_002,
            };
            let _ = check("SystemTimeToFileTime", ws.system_time_to_file_time(&fields));
        }
        Op::TimerPeriod(begin, p) => {
            let r = if *begin {
                ws.time_begin_period(*p)
            } else {
                ws.time_end_period(*p)
            };
            let in_range = (1..=1_000_000).contains(p);
            assert_eq!(
                r,
                if in_range {
                    Ok(())
                } else {
                    Err(WsaError::TIMERR_NOCANDO)
                },
                "FUZZ: timeBeginPeriod/timeEndPeriod({p})"
            );
            let _ = ws.time_get_time();
        }
        Op::MmTimer(delay, periodic, self_kill, kill) => {
            let ran = cx.ran.clone();
            let self_kill = *self_kill;
            let what = if *periodic || self_kill {
                TimeEvent::Callback(Arc::new(move |ws: &SimWinsock, id| {
                    ran.fetch_add(1, Ordering::Relaxed);
                    if self_kill {
                        let _ = ws.time_kill_event(id);
                    }
                }))
            } else {
                TimeEvent::SetEvent(cx.event(*delay as u8))
            };
            let flags = if *periodic {
                TIME_PERIODIC
            } else {
                TIME_ONESHOT
            };
            let r = ws.time_set_event(*delay, 0, what, flags);
            if !(1..=1_000_000).contains(delay) {
                assert_eq!(
                    r,
                    Err(WsaError::TIMERR_NOCANDO),
                    "FUZZ: timeSetEvent({delay})"
                );
            }
            if let Some(k) = kill {
                ws.sleep(*k % 30);
                let id = match (*k % 3, &r) {
                    (0, Ok(id)) => *id,
                    _ => *k,
                };
                let _ = ws.time_kill_event(id);
            } else if let Ok(id) = r {
                // A periodic timer left running would keep the run going to its time limit.
                if *periodic && !self_kill {
                    let _ = ws.time_kill_event(id);
                }
            }
        }
        Op::Address(i, action, timeout) => {
            // Taken out of the host's state first: no std lock across a call.
            let addrs = cx.st().addrs.clone();
            let a = &addrs[usize::from(*i) % 2];
            match action % 4 {
                0 | 1 => {
                    // Compare with the value (sleeps) or with another (returns at once).
                    let v = a.load(Ordering::SeqCst).wrapping_add(u32::from(action % 2));
                    let _ = check("WaitOnAddress", ws.wait_on_address(a, v, *timeout));
                }
                2 => ws.wake_by_address_single(a),
                _ => {
                    a.fetch_add(1, Ordering::SeqCst);
                    ws.wake_by_address_all(a);
                }
            }
        }
        Op::Once(i, action, flags, ctx) => {
            let once = pick(&cx.st().onces, *i).unwrap_or(InitOnce::from_raw(usize::from(*i)));
            match action % 4 {
                0 => {
                    if let Ok(o) = check("InitOnceInitialize", ws.init_once_initialize()) {
                        cx.st().onces.push(o);
                    }
                }
                1 => drop(check(
                    "InitOnceBeginInitialize",
                    ws.init_once_begin_initialize(once, *flags),
                )),
                2 => drop(check(
                    "InitOnceComplete",
                    ws.init_once_complete(once, *flags, *ctx),
                )),
                _ => {
                    let result = (ctx % 3 != 0).then_some(*ctx & !3);
                    let _ = ws.init_once_execute_once(once, |_| result);
                }
            }
        }
        Op::Barrier(i, action, total, flags) => {
            let b = pick(&cx.st().barriers, *i).unwrap_or(SyncBarrier::from_raw(usize::from(*i)));
            match action % 3 {
                0 => {
                    let r = ws.initialize_synchronization_barrier(*total, -1);
                    if let Ok(b) = check("InitializeSynchronizationBarrier", r) {
                        cx.st().barriers.push(b);
                    }
                }
                1 => drop(check(
                    "EnterSynchronizationBarrier",
                    ws.enter_synchronization_barrier(b, *flags),
                )),
                _ => drop(check(
                    "DeleteSynchronizationBarrier",
                    ws.delete_synchronization_barrier(b),
                )),
            }
        }
        Op::Local(action, i, raw, value) => {
            let (tls, fls) = {
                let st = cx.st();
                (pick(&st.tls, *i), pick(&st.fls, *i))
            };
            // A slot the host holds (most of the time) or a raw number.
            let slot = |held: Option<u32>| match held {
                Some(s) if i % 4 != 0 => s,
                _ => *raw,
            };
            match action % 9 {
                0 => {
                    if let Ok(s) = check("TlsAlloc", ws.tls_alloc()) {
                        cx.st().tls.push(s);
                    }
                }
                1 => drop(check("TlsGetValue", ws.tls_get_value(slot(tls)))),
                2 => drop(check("TlsSetValue", ws.tls_set_value(slot(tls), *value))),
                3 => drop(check("TlsFree", ws.tls_free(slot(tls)))),
                a @ (4 | 5) => {
                    // The callback calls too: a read of another slot, a short sleep.
                    let ran = cx.ran.clone();
                    let callback = (a == 5).then(|| -> FlsCallback<SimWinsock> {
                        Arc::new(move |ws: &SimWinsock, v| {
                            assert_ne!(v, 0, "FUZZ: an FLS callback with a zero value");
                            ran.fetch_add(1, Ordering::Relaxed);
                            let _ = check("FlsGetValue", ws.fls_get_value(1));
                            if v % 2 == 1 {
                                ws.sleep(1);
                            }
                        })
                    });
                    if let Ok(s) = check("FlsAlloc", ws.fls_alloc(callback)) {
                        cx.st().fls.push(s);
                    }
                }
                6 => drop(check("FlsGetValue", ws.fls_get_value(slot(fls)))),
                7 => drop(check("FlsSetValue", ws.fls_set_value(slot(fls), *value))),
                _ => drop(check("FlsFree", ws.fls_free(slot(fls)))),
            }
        }
        Op::Named(kind, action, n, flag) => {
            let long = "n".repeat(300);
            let names = [
                "fuzz",
                "FUZZ",
                "Local\\fuzz",
                "Global\\fuzz",
                "fuzz\\x",
                "",
                &long,
            ];
            let name = names.get(usize::from(*n) % 8).copied();
            let made: Option<Handle> = match (kind % 4, action % 3, name) {
                (_, 2, _) => {
                    let h = pick(&cx.st().named, *n);
                    if let Some(h) = h {
                        let _ = check("CloseHandle", ws.close_handle(h));
                    }
                    None
                }
                (0, 0, Some(name)) => {
                    check("CreateEvent", ws.create_event_named(*flag, *flag, name))
                        .ok()
                        .map(|(e, _)| {
                            cx.st().events.push(e);
                            e.into()
                        })
                }
                (0, _, name) => check("OpenEvent", ws.open_event(name)).ok().map(|e| {
                    cx.st().events.push(e);
                    e.into()
                }),
                (1, 0, Some(name)) => check("CreateMutex", ws.create_mutex_named(*flag, name))
                    .ok()
                    .map(|(m, _)| m.into()),
                (1, _, name) => check("OpenMutex", ws.open_mutex(name))
                    .ok()
                    .map(Handle::from),
                (2, 0, Some(name)) => {
                    let initial = i32::from(*flag);
                    check(
                        "CreateSemaphore",
                        ws.create_semaphore_named(initial, 1 + initial, name),
                    )
                    .ok()
                    .map(|(s, _)| s.into())
                }
                (2, _, name) => check("OpenSemaphore", ws.open_semaphore(name))
                    .ok()
                    .map(Handle::from),
                (_, 0, Some(name)) => check(
                    "CreateWaitableTimer",
                    ws.create_waitable_timer_named(*flag, name),
                )
                .ok()
                .map(|(t, _)| {
                    cx.st().timers.push(t);
                    t.into()
                }),
                (_, _, name) => check("OpenWaitableTimer", ws.open_waitable_timer(name))
                    .ok()
                    .map(|t| {
                        cx.st().timers.push(t);
                        t.into()
                    }),
            };
            if let Some(h) = made {
                cx.st().named.push(h);
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
        Op::PeekMessage(w, (min, max), r) => {
            let hw = match w % 16 {
                13 => HWND_TOPMOST,
                14 => HWND_BOTTOM,
                15 => HWND_BROADCAST,
                _ => cx.hwnd(*w),
            };
            let remove = if *r { PM_REMOVE } else { PM_NOREMOVE };
            if let Ok(Some(m)) = check("PeekMessage", ws.peek_message_range(hw, *min, *max, remove))
            {
                // What a message loop does next: window procedures and TIMERPROCs run.
                if *r {
                    let _ = check("DispatchMessage", ws.dispatch_message(&m));
                }
            }
        }
        Op::PostMessage(w, m) => {
            let hw = if w % 4 == 3 { Hwnd::NULL } else { cx.hwnd(*w) };
            let _ = check("PostMessage", ws.post_message(hw, *m, 1, 2));
        }
        Op::PostThreadMessage(t, m) => {
            let _ = check("PostThreadMessage", ws.post_thread_message(*t, *m, 3, 4));
        }
        Op::QueueStatus(f) => {
            let _ = check("GetQueueStatus", ws.get_queue_status(*f));
        }
        Op::DestroyWindow(w) => {
            let hw = cx.hwnd(*w);
            if check("DestroyWindow", ws.destroy_window(hw)).is_ok() {
                cx.st().hwnds.retain(|&x| x != hw);
            }
        }
        Op::SendOv(h, n, f, o, k, inline) => {
            let (ov, r) = cx.ov(*o, *k);
            let (s, bufs) = (cx.sock(*h), vec![vec![1u8; n.n()]]);
            if *inline {
                let sent = check("WSASend", ws.wsa_send_overlapped_inline(s, bufs, *f, ov, r));
                inline_sane(&sent, n.n(), ov);
            } else {
                let _ = check("WSASend", ws.wsa_send_overlapped(s, bufs, *f, ov, r));
            }
        }
        Op::RecvOv(h, n, f, o, k, inline) => {
            let (ov, r) = cx.ov(*o, *k);
            let (s, bufs) = (cx.sock(*h), vec![vec![0u8; n.n()]]);
            if *inline {
                let got = check("WSARecv", ws.wsa_recv_overlapped_inline(s, bufs, *f, ov, r));
                inline_sane(&got, n.n(), ov);
            } else {
                let _ = check("WSARecv", ws.wsa_recv_overlapped(s, bufs, *f, ov, r));
            }
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
        Op::OvResultEx(h, o, t, alertable) => {
            let ov = Overlapped::new(u64::from(*o) + 1);
            let ms = [0, 1, 50][usize::from(*t) % 3];
            let _ = check(
                "GetOverlappedResultEx",
                ws.get_overlapped_result_ex(cx.sock(*h), &ov, ms, *alertable),
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
        Op::TransmitPackets(h, elements, send_size, o, f) => {
            let data: Vec<Vec<u8>> = elements.iter().map(|(n, _)| vec![4u8; n.n()]).collect();
            let elements: Vec<TransmitPacketsElement<'_>> = elements
                .iter()
                .zip(&data)
                .map(|(&(_, flags), d)| TransmitPacketsElement {
                    flags,
                    length: d.len() as u32,
                    data: d,
                    offset: 0,
                })
                .collect();
            let ov = o.map(|o| Overlapped::new(u64::from(o) + 1));
            let _ = check(
                "TransmitPackets",
                ws.transmit_packets(cx.sock(*h), &elements, *send_size, ov, *f),
            );
        }
        Op::AcceptExAddrs(h) => {
            let _ = check(
                "GetAcceptExSockaddrs",
                ws.get_accept_ex_sockaddrs(cx.sock(*h)),
            );
        }
        Op::WsaIoctl(h, c, i, o) => {
            // Ones (FIONBIO stays nonblocking); SIO_UDP_CONNRESET gets zeros for an even
            // length (off), so both of its states meet the datagrams that follow.
            let fill = u8::from(*c != SIO_UDP_CONNRESET || i % 2 == 1);
            let mut input = vec![fill; usize::from(*i)];
            if *c == SIO_TCP_SET_ACK_FREQUENCY {
                // A DWORD 1 (odd lengths) or 0: the two values it accepts, beside short input.
                input.iter_mut().skip(1).for_each(|b| *b = 0);
                if let Some(b) = input.first_mut() {
                    *b = u8::from(i % 2 == 1);
                }
            }
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
        Op::CreateTimer(manual) => {
            if let Ok(t) = check("CreateWaitableTimer", ws.create_waitable_timer(*manual)) {
                cx.st().timers.push(t);
            }
        }
        Op::CreateTimerEx(flags) => {
            if let Ok((t, existed)) = check(
                "CreateWaitableTimerEx",
                ws.create_waitable_timer_ex(None, *flags),
            ) {
                assert!(!existed, "FUZZ: an unnamed timer's name was in use");
                cx.st().timers.push(t);
            }
        }
        Op::SetTimer(t, due, period, with_routine) => {
            let routine = with_routine.then(|| {
                let ran = cx.ran.clone();
                let r: TimerApcRoutine<SimWinsock> = Arc::new(move |_ws: &SimWinsock, _, _| {
                    ran.fetch_add(1, Ordering::Relaxed);
                });
                r
            });
            let _ = check(
                "SetWaitableTimer",
                ws.set_waitable_timer(cx.timer(*t), *due, *period, routine, false),
            );
        }
        Op::TimerCall(t, k) => {
            let timer = cx.timer(*t);
            match k % 4 {
                0 => drop(check(
                    "CancelWaitableTimer",
                    ws.cancel_waitable_timer(timer),
                )),
                1 => {
                    if check("CloseHandle", ws.close_handle(Handle::Timer(timer))).is_ok() {
                        cx.st().timers.retain(|&x| x != timer);
                    }
                }
                _ => {
                    let ms = u32::from(*k % 2) * 10;
                    if let Ok(r) = check(
                        "WaitForSingleObjectEx",
                        ws.wait_for_single_object_ex(timer, ms, *k >= 128),
                    ) {
                        assert!(
                            r == WAIT_OBJECT_0 || r == WAIT_TIMEOUT || r == WAIT_IO_COMPLETION,
                            "FUZZ: WaitForSingleObjectEx on a timer returned {r}"
                        );
                    }
                }
            }
        }
        Op::WindowTimer(w, id, ms, kill) => {
            let (w, id) = (cx.hwnd(*w), usize::from(*id));
            if *kill {
                let _ = check("KillTimer", ws.kill_timer(w, id));
            } else if let Ok(r) = check(
                "SetTimer",
                if ms % 2 == 1 {
                    // A TIMERPROC that calls back into the API: it kills its own timer.
                    ws.set_timer_proc(
                        w,
                        id,
                        *ms,
                        Box::new(|ws, hwnd, _, id, _| {
                            let _ = ws.kill_timer(hwnd, id);
                        }),
                    )
                } else {
                    ws.set_timer(w, id, *ms)
                },
            ) {
                if w == Hwnd::NULL {
                    // A thread timer: an id of the thread's choosing (or `id`, restarted).
                    assert!(
                        (0x101..=0x7fff).contains(&r),
                        "FUZZ: SetTimer(NULL) returned id {r:#x}"
                    );
                } else {
                    assert_eq!(r, id.max(1), "FUZZ: SetTimer returned another id");
                }
            }
        }
        Op::MsgWait(es, t, mask, flags) => {
            let hs: Vec<Handle> = es.iter().map(|&e| Handle::Event(cx.event(e))).collect();
            if let Ok(r) = check(
                "MsgWaitForMultipleObjectsEx",
                ws.msg_wait_for_multiple_objects_ex(&hs, *t, *mask, *flags),
            ) {
                assert!(
                    (r as usize) <= hs.len() || r == WAIT_TIMEOUT || r == WAIT_IO_COMPLETION,
                    "FUZZ: MsgWaitForMultipleObjectsEx returned {r}"
                );
            }
        }
        Op::QueueWork(persistent, sleeps) => {
            let (ran, sleeps) = (cx.ran.clone(), *sleeps);
            let flags = if *persistent {
                WT_EXECUTEINPERSISTENTTHREAD
            } else {
                WT_EXECUTEDEFAULT
            };
            let _ = check(
                "QueueUserWorkItem",
                ws.queue_user_work_item(
                    Box::new(move |ws: &SimWinsock| {
                        if sleeps {
                            ws.sleep(5);
                        }
                        ran.fetch_add(1, Ordering::Relaxed);
                        0
                    }),
                    flags,
                ),
            );
        }
        Op::CreateTimerQueue => {
            if let Ok(q) = check("CreateTimerQueue", ws.create_timer_queue()) {
                cx.st().queues.push(q);
            }
        }
        Op::QueueTimer(q, due, period, flags, does) => {
            let q = cx.queue(*q);
            // The callback learns its own timer once it is made.
            let me: Arc<Mutex<Option<QueueTimer>>> = Arc::default();
            let (ran, slot, does) = (cx.ran.clone(), me.clone(), *does);
            let cb: WaitOrTimerCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, fired| {
                assert!(
                    fired,
                    "FUZZ: a timer's callback with TimerOrWaitFired FALSE"
                );
                ran.fetch_add(1, Ordering::Relaxed);
                let Some(t) = *slot.lock().expect("slot") else {
                    return;
                };
                match does % 4 {
                    1 => drop(check(
                        "DeleteTimerQueueTimer",
                        ws.delete_timer_queue_timer(q, t, DeleteCompletion::NoWait),
                    )),
                    2 => drop(check(
                        "ChangeTimerQueueTimer",
                        ws.change_timer_queue_timer(q, t, 10, 0),
                    )),
                    3 => ws.sleep(3),
                    _ => {}
                }
            });
            let made = check(
                "CreateTimerQueueTimer",
                ws.create_timer_queue_timer(q, cb, *due % 100, *period % 50, *flags),
            );
            if let Ok(t) = made {
                *me.lock().expect("slot") = Some(t);
                cx.st().queue_timers.push(t);
            }
        }
        Op::ChangeQueueTimer(t, due, period) => {
            let t = cx.queue_timer(*t);
            let _ = check(
                "ChangeTimerQueueTimer",
                ws.change_timer_queue_timer(None, t, *due % 100, *period),
            );
        }
        Op::DeleteQueueTimer(t, c) => {
            let (t, c) = (cx.queue_timer(*t), cx.completion(*c));
            let _ = check(
                "DeleteTimerQueueTimer",
                ws.delete_timer_queue_timer(None, t, c),
            );
        }
        Op::DeleteTimerQueue(q, c) => {
            let q = cx.queue(*q).unwrap_or(TimerQueue::from_raw(0));
            let c = cx.completion(*c);
            let _ = check("DeleteTimerQueueEx", ws.delete_timer_queue_ex(q, c));
        }
        Op::RegisterWait(h, timeout, flags, does) => {
            let object = if h % 2 == 0 {
                Handle::Event(cx.event(*h / 2))
            } else {
                Handle::Timer(cx.timer(*h / 2))
            };
            let me: Arc<Mutex<Option<RegisteredWait>>> = Arc::default();
            let (ran, slot, does) = (cx.ran.clone(), me.clone(), *does);
            let cb: WaitOrTimerCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, _| {
                ran.fetch_add(1, Ordering::Relaxed);
                match does % 3 {
                    1 => {
                        // Copied out: no std lock may be held across a call.
                        let own = *slot.lock().expect("slot");
                        if let Some(wh) = own {
                            let _ = check("UnregisterWaitEx", ws.unregister_wait(wh));
                        }
                    }
                    2 => ws.sleep(2),
                    _ => {}
                }
            });
            // A finite timeout short enough to fire within a sequence.
            let timeout = if *timeout == INFINITE {
                INFINITE
            } else {
                *timeout % 40
            };
            if let Ok(wh) = check(
                "RegisterWaitForSingleObject",
                ws.register_wait_for_single_object(object, cb, timeout, *flags),
            ) {
                *me.lock().expect("slot") = Some(wh);
                cx.st().waits.push(wh);
            }
        }
        Op::UnregisterWait(wh, c) => {
            let wh = match wh % 8 {
                7 => RegisteredWait::from_raw(usize::from(*wh) * 4 + 0xa000),
                _ => pick(&cx.st().waits, *wh).unwrap_or(RegisteredWait::from_raw(0)),
            };
            let c = cx.completion(*c);
            let _ = check("UnregisterWaitEx", ws.unregister_wait_ex(wh, c));
        }
        Op::BindIo(h, flags) => {
            let ran = cx.ran.clone();
            let cb: IoCallback<SimWinsock> = Arc::new(move |_ws: &SimWinsock, c: IoCompletion| {
                assert!(
                    c.bufs.is_empty() || c.bytes <= c.bufs.iter().map(Vec::len).sum::<usize>(),
                    "FUZZ: a pool I/O completion counts more bytes than its buffers hold: {c:?}"
                );
                ran.fetch_add(1, Ordering::Relaxed);
            });
            let _ = check(
                "BindIoCompletionCallback",
                ws.bind_io_completion_callback(cx.sock(*h), cb, *flags),
            );
        }
        Op::TpObject(timer, due, period, cancel, close_first) => {
            let ran = cx.ran.clone();
            if *timer {
                let runs = Arc::new(AtomicU64::new(0));
                let mine = runs.clone();
                let cb: TpTimerCallback<SimWinsock> = Arc::new(move |_, _, _| {
                    ran.fetch_add(1, Ordering::Relaxed);
                    mine.fetch_add(1, Ordering::Relaxed);
                });
                let t = ws
                    .create_threadpool_timer(cb)
                    .expect("FUZZ: CreateThreadpoolTimer");
                // An odd due time is absolute: that long from now by the system clock.
                let due = if due % 2 == 1 {
                    ws.get_system_time_as_file_time() as i64
                        + i64::from(*due) * FILETIME_TICKS_PER_MS
                } else {
                    -i64::from(*due) * FILETIME_TICKS_PER_MS
                };
                ws.set_threadpool_timer(t, Some(due), *period, 0)
                    .expect("FUZZ: SetThreadpoolTimer");
                if !*close_first {
                    ws.sleep(due.unsigned_abs() as u32 % 7);
                    let cancelled = ws
                        .set_threadpool_timer_ex(t, None, 0, 0)
                        .expect("FUZZ: SetThreadpoolTimerEx(NULL)");
                    ws.wait_for_threadpool_timer_callbacks(t, *cancel)
                        .expect("FUZZ: WaitForThreadpoolTimerCallbacks");
                    // A once-only timer either fired (its run queued, and not dropped) or
                    // had its expiry cancelled: one or the other.
                    if *period == 0 && !*cancel {
                        let n = runs.load(Ordering::Relaxed);
                        assert_eq!(
                            n,
                            u64::from(!cancelled),
                            "FUZZ: SetThreadpoolTimerEx(NULL) said {cancelled} after {n} runs"
                        );
                    }
                }
                ws.close_threadpool_timer(t)
                    .expect("FUZZ: CloseThreadpoolTimer");
            } else {
                // The instance's actions on an event of the host's (maybe closed by then) and
                // a mutex the callback may not own (an action that fails is named, not fatal);
                // every third run disassociates itself.
                let event = cx.event(*due as u8);
                let mutex = ws.create_mutex(*cancel).expect("FUZZ: CreateMutex");
                let cb: WorkCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, inst, _| {
                    let _ = ws.callback_may_run_long(inst);
                    let n = ran.fetch_add(1, Ordering::Relaxed);
                    let _ = check(
                        "SetEventWhenCallbackReturns",
                        ws.set_event_when_callback_returns(inst, event),
                    );
                    let _ = check(
                        "ReleaseMutexWhenCallbackReturns",
                        ws.release_mutex_when_callback_returns(inst, mutex),
                    );
                    if n % 3 == 0 {
                        ws.disassociate_current_thread_from_callback(inst)
                            .expect("FUZZ: DisassociateCurrentThreadFromCallback");
                    }
                });
                let w = ws
                    .create_threadpool_work(cb)
                    .expect("FUZZ: CreateThreadpoolWork");
                for _ in 0..2 {
                    ws.submit_threadpool_work(w)
                        .expect("FUZZ: SubmitThreadpoolWork");
                }
                if !*close_first {
                    ws.wait_for_threadpool_work_callbacks(w, *cancel)
                        .expect("FUZZ: WaitForThreadpoolWorkCallbacks");
                }
                ws.close_threadpool_work(w)
                    .expect("FUZZ: CloseThreadpoolWork");
            }
        }
        Op::TpWait(h, timeout, again, cancel, close_first) => {
            let object = if h % 2 == 0 {
                Handle::Event(cx.event(*h / 2))
            } else {
                Handle::Timer(cx.timer(*h / 2))
            };
            let (ran, again) = (cx.ran.clone(), *again);
            let runs = Arc::new(AtomicU64::new(0));
            let mine = runs.clone();
            let cb: TpWaitCallback<SimWinsock> =
                Arc::new(move |ws: &SimWinsock, _, wait, result| {
                    mine.fetch_add(1, Ordering::Relaxed);
                    assert!(
                        result == WAIT_OBJECT_0 || result == WAIT_TIMEOUT,
                        "FUZZ: a wait callback's result {result}"
                    );
                    ran.fetch_add(1, Ordering::Relaxed);
                    if again {
                        // Set again from its own callback, for 5 ms (it may be closed by now).
                        let _ = check(
                            "SetThreadpoolWait",
                            ws.set_threadpool_wait(
                                wait,
                                Some(object),
                                Some(-5 * FILETIME_TICKS_PER_MS),
                            ),
                        );
                    }
                });
            let w = ws
                .create_threadpool_wait(cb)
                .expect("FUZZ: CreateThreadpoolWait");
            // An odd timeout is absolute: that long from now by the system clock.
            let now = ws.get_system_time_as_file_time() as i64;
            let due = timeout.map(|ms| match ms % 2 {
                1 => now + i64::from(ms) * FILETIME_TICKS_PER_MS,
                _ => -i64::from(ms) * FILETIME_TICKS_PER_MS,
            });
            let set = check(
                "SetThreadpoolWait",
                ws.set_threadpool_wait(w, Some(object), due),
            );
            if !*close_first {
                ws.sleep(timeout.unwrap_or(3) % 7);
                // Stopped: it either fired (its run queued, and not dropped) or was still
                // waiting, which SetThreadpoolWaitEx says. (A callback that sets it again
                // makes more runs.)
                let cancelled = ws
                    .set_threadpool_wait_ex(w, None, None)
                    .expect("FUZZ: SetThreadpoolWaitEx(NULL)");
                ws.wait_for_threadpool_wait_callbacks(w, *cancel)
                    .expect("FUZZ: WaitForThreadpoolWaitCallbacks");
                if set.is_ok() && !again && !*cancel {
                    let n = runs.load(Ordering::Relaxed);
                    assert_eq!(
                        n,
                        u64::from(!cancelled),
                        "FUZZ: SetThreadpoolWaitEx(NULL) said {cancelled} after {n} runs"
                    );
                }
            }
            ws.close_threadpool_wait(w)
                .expect("FUZZ: CloseThreadpoolWait");
        }
        Op::TpIo(h, twice) => {
            let ran = cx.ran.clone();
            let cb: TpIoCallback<SimWinsock> = Arc::new(move |_, _, _, c: IoCompletion| {
                assert!(
                    c.bufs.is_empty() || c.bytes <= c.bufs.iter().map(Vec::len).sum::<usize>(),
                    "FUZZ: a thread-pool I/O completion counts more bytes than its buffers hold: {c:?}"
                );
                ran.fetch_add(1, Ordering::Relaxed);
            });
            let s = cx.sock(*h);
            if let Ok(io) = check("CreateThreadpoolIo", ws.create_threadpool_io(s, cb)) {
                ws.start_threadpool_io(io).expect("FUZZ: StartThreadpoolIo");
                let ov = Overlapped::new(0x7000 + s.raw() as u64);
                match ws.wsa_recv_overlapped(s, vec![vec![0; 16]], 0, ov, None) {
                    // WSAEMSGSIZE (a datagram cut to the buffer) is NT's warning status: its
                    // completion is queued as a success's is, and its start must stay.
                    Ok(_) | Err(WsaError::WSA_IO_PENDING) | Err(WsaError::WSAEMSGSIZE) => {}
                    // Other threads' operations on the socket, issued with no start of
                    // their own, may have taken this one's (their completions at a close,
                    // say): the cancel then finds none (ERROR_INVALID_PARAMETER).
                    Err(_) => {
                        let _ = check("CancelThreadpoolIo", ws.cancel_threadpool_io(io));
                    }
                }
                if *twice {
                    ws.start_threadpool_io(io).expect("FUZZ: StartThreadpoolIo");
                    let _ = check("CancelThreadpoolIo", ws.cancel_threadpool_io(io));
                }
                ws.wait_for_threadpool_io_callbacks(io, true)
                    .expect("FUZZ: WaitForThreadpoolIoCallbacks");
                ws.close_threadpool_io(io).expect("FUZZ: CloseThreadpoolIo");
            }
        }
        Op::TpGroup(h, cancel, members) => tp_group(ws, cx, *h, *cancel, *members),
        Op::Cleanup => {
            if check("WSACleanup", ws.wsa_cleanup()).is_ok() {
                // The last cleanup closes every socket of the host; later calls may fail.
            }
        }
        Op::Startup => {
            let _ = check("WSAStartup", ws.wsa_startup(WINSOCK_VERSION_2_2));
        }
        Op::Sync(c, a, b, n, t) => crate::exec_sync::sync(cx, *c, *a, *b, *n, *t),
        Op::Lock(c, w, o, t) => crate::exec_sync::lock(cx, *c, *w, *o, *t),
        Op::WsaAccept(h, v) => crate::exec_wsa::wsa_accept(cx, *h, *v),
        Op::Disconnect(h, send) => crate::exec_wsa::disconnect(cx, *h, *send),
        Op::DupSocket(h, other) => crate::exec_wsa::dup_socket(cx, *h, *other),
        Op::Resolve(c, n) => crate::exec_wsa::resolve(cx, *c, *n),
        Op::ConnectByName(h, n, sv, t) => crate::exec_wsa::connect_by_name(cx, *h, *n, *sv, *t),
        Op::WsaSendRecv(h, bufs, f, send) => crate::exec_wsa::send_recv(cx, *h, bufs, *f, *send),
        Op::GetMessage(w, (min, max)) => crate::exec_sync::get_message(cx, *w, *min, *max),
        Op::WsaIoctlOv(h, c, i, o, ov, k) => crate::exec_wsa::ioctl_ov(cx, *h, *c, *i, *o, *ov, *k),
        Op::ConsoleCtrl(a, t) => crate::exec_sync::console_ctrl(cx, *a, *t),
        Op::AcceptExLengths(l, a, n, ll, rl, o) => {
            crate::exec_wsa::accept_ex_lengths(cx, (*l, *a), n.n(), (*ll, *rl), *o)
        }
    }
}

/// What an inline overlapped call returned must be self-consistent: a count within the
/// buffer, and a completion given back whole (its OVERLAPPED, no error, the one buffer).
fn inline_sane(r: &Result<Immediate, WsaError>, len: usize, ov: Overlapped) {
    match r {
        Ok(Immediate::Completed(c)) => {
            assert!(
                c.overlapped == ov && c.error.is_none() && c.bytes <= len,
                "FUZZ: an inline completion that does not match its call: {c:?}"
            );
            assert!(
                c.bufs.len() == 1 && c.bufs[0].len() == len,
                "FUZZ: an inline completion without its buffer: {c:?}"
            );
        }
        Ok(Immediate::Queued(n)) => assert!(*n <= len, "FUZZ: inline count {n} over {len}"),
        Err(_) => {}
    }
}

/// [`Op::TpGroup`]: the members `members`' bits choose (work, timer, simple callback, I/O
/// object when cancelling; a private pool or the default one), released together. Every call must succeed, a released member is
/// closed, and a cancel callback comes at most once a member.
fn tp_group(ws: &SimWinsock, cx: &Ctx<'_>, h: H, cancel: bool, members: u8) {
    let g = ws
        .create_threadpool_cleanup_group()
        .expect("FUZZ: CreateThreadpoolCleanupGroup");
    let cancels = Arc::new(AtomicU64::new(0));
    let k = cancels.clone();
    let on_cancel: CleanupCancelCallback<SimWinsock> = Arc::new(move |_, _, context| {
        assert_eq!(context, 0x5eed, "FUZZ: a cancel callback's context");
        k.fetch_add(1, Ordering::Relaxed);
    });
    let mut env = CallbackEnviron::new();
    env.set_cleanup_group(g, Some(on_cancel));
    // Every other group's members run in a private pool of one to four threads.
    let pool = (members & 32 != 0).then(|| {
        let p = ws.create_threadpool().expect("FUZZ: CreateThreadpool");
        ws.set_threadpool_thread_maximum(p, u32::from(members >> 6) + 1)
            .expect("FUZZ: SetThreadpoolThreadMaximum");
        env.set_pool(p);
        p
    });
    env.set_priority(match members % 3 {
        0 => TpCallbackPriority::High,
        1 => TpCallbackPriority::Normal,
        _ => TpCallbackPriority::Low,
    });
    let mut made = 0;
    let mut work = None;
    if members & 1 != 0 {
        let ran = cx.ran.clone();
        let cb: WorkCallback<SimWinsock> = Arc::new(move |ws: &SimWinsock, _, _| {
            ws.sleep(1);
            ran.fetch_add(1, Ordering::Relaxed);
        });
        let w = ws
            .create_threadpool_work_in(cb, &env)
            .expect("FUZZ: CreateThreadpoolWork");
        for _ in 0..2 {
            ws.submit_threadpool_work(w)
                .expect("FUZZ: SubmitThreadpoolWork");
        }
        work = Some(w);
        made += 1;
    }
    if members & 2 != 0 {
        let ran = cx.ran.clone();
        let cb: TpTimerCallback<SimWinsock> = Arc::new(move |_, _, _| {
            ran.fetch_add(1, Ordering::Relaxed);
        });
        let t = ws
            .create_threadpool_timer_in(cb, &env)
            .expect("FUZZ: CreateThreadpoolTimer");
        let due = -i64::from(members % 5) * FILETIME_TICKS_PER_MS;
        ws.set_threadpool_timer(t, Some(due), 3, 0)
            .expect("FUZZ: SetThreadpoolTimer");
        made += 1;
    }
    if members & 4 != 0 {
        let ran = cx.ran.clone();
        let cb: SimpleCallback<SimWinsock> = Arc::new(move |_, _| {
            ran.fetch_add(1, Ordering::Relaxed);
        });
        ws.try_submit_threadpool_callback(cb, Some(&env))
            .expect("FUZZ: TrySubmitThreadpoolCallback");
        made += 1;
    }
    if cancel && members & 8 != 0 {
        let s = cx.sock(h);
        let ran = cx.ran.clone();
        let cb: TpIoCallback<SimWinsock> = Arc::new(move |_, _, _, _| {
            ran.fetch_add(1, Ordering::Relaxed);
        });
        if let Ok(io) = check(
            "CreateThreadpoolIo",
            ws.create_threadpool_io_in(s, cb, &env),
        ) {
            ws.start_threadpool_io(io).expect("FUZZ: StartThreadpoolIo");
            let ov = Overlapped::new(0x7100 + s.raw() as u64);
            match ws.wsa_recv_overlapped(s, vec![vec![0; 16]], 0, ov, None) {
                Ok(_) | Err(WsaError::WSA_IO_PENDING) | Err(WsaError::WSAEMSGSIZE) => {}
                Err(_) => {
                    let _ = check("CancelThreadpoolIo", ws.cancel_threadpool_io(io));
                }
            }
            made += 1;
        }
    }
    if members & 16 != 0 {
        ws.sleep(u32::from(members >> 5));
    }
    ws.close_threadpool_cleanup_group_members(g, cancel, 0x5eed)
        .expect("FUZZ: CloseThreadpoolCleanupGroupMembers");
    let called = cancels.load(Ordering::Relaxed);
    assert!(
        called <= made && (cancel || called == 0),
        "FUZZ: {called} cancel callbacks for {made} members (cancelling: {cancel})"
    );
    if let Some(w) = work {
        assert_eq!(
            ws.submit_threadpool_work(w),
            Err(WsaError::WSA_INVALID_HANDLE),
            "FUZZ: a released member still open"
        );
    }
    ws.close_threadpool_cleanup_group(g)
        .expect("FUZZ: CloseThreadpoolCleanupGroup");
    if let Some(p) = pool {
        ws.close_threadpool(p).expect("FUZZ: CloseThreadpool");
    }
}
