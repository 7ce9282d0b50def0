//! Executing the operations on kernel waits and user-mode locks: mutexes, semaphores,
//! WaitForSingleObject / WaitForMultipleObjects / SignalObjectAndWait over every kind of
//! waitable handle (and handles of the wrong kind), critical sections, SRW locks and
//! condition variables, each misused as often as used (a leave without an enter, a release
//! of a lock not held, a sleep on a lock not owned, a call on an object deleted); and the
//! other waits a server's threads make: GetMessage, and the console control handlers that
//! GenerateConsoleCtrlEvent runs.

use std::collections::BTreeMap;

use winsock_sim::prelude::*;

use crate::documented::check;
use crate::exec::{pick, Ctx};

/// The value of a handle of any kind (a thread's: a value no object has).
fn raw(h: Handle) -> usize {
    match h {
        Handle::Event(e) => e.raw(),
        Handle::Mutex(m) => m.raw(),
        Handle::Semaphore(s) => s.raw(),
        Handle::Timer(t) => t.raw(),
        Handle::Thread(_) => 0x44,
    }
}

impl Ctx<'_> {
    /// A waitable handle: mostly one the host made (a mutex, a semaphore, an event, a timer,
    /// a thread), sometimes a socket's value or garbage, each under a kind of its own or of
    /// another (a mutex's value as an event, say).
    fn waitable(&self, i: u8) -> Handle {
        let st = self.st();
        match i % 16 {
            0..=7 => pick(&st.syncs, i / 16).unwrap_or(Handle::Event(WsaEvent::from_raw(0))),
            8 | 9 => {
                pick(&st.events, i / 16).map_or(Handle::Event(WsaEvent::from_raw(0)), Handle::from)
            }
            10 => pick(&st.tids, i / 16).map_or(Handle::Thread(self.ws.thread_id()), Handle::from),
            11 => pick(&st.timers, i / 16)
                .map_or(Handle::Timer(TimerHandle::from_raw(0)), Handle::from),
            // Another kind's value under this kind.
            12 => match pick(&st.syncs, i / 16) {
                Some(h @ Handle::Mutex(_)) => Handle::Semaphore(SemaphoreHandle::from_raw(raw(h))),
                Some(h) => Handle::Mutex(MutexHandle::from_raw(raw(h))),
                None => Handle::Mutex(MutexHandle::from_raw(0)),
            },
            13 => Handle::Event(WsaEvent::from_raw(
                pick(&st.socks, i / 16).map_or(0x1234, Socket::raw),
            )),
            14 => Handle::Mutex(MutexHandle::from_raw(usize::from(i) * 4 + 0x5000)),
            _ => Handle::Semaphore(SemaphoreHandle::from_raw(usize::MAX)),
        }
    }

    /// A waitable handle's value as a mutex (whatever its kind).
    fn mutex(&self, i: u8) -> MutexHandle {
        MutexHandle::from_raw(raw(self.waitable(i)))
    }

    /// A waitable handle's value as a semaphore (whatever its kind).
    fn semaphore(&self, i: u8) -> SemaphoreHandle {
        SemaphoreHandle::from_raw(raw(self.waitable(i)))
    }
}

/// Which thread holds a lock, as the results of the calls on it tell: a simulated thread runs
/// until its next call, so the model is updated right after each call without another thread
/// in between. Each successful acquisition is checked against it: a critical section entered
/// by a thread while another holds it, an SRW lock taken exclusively while it is held, or
/// shared while another holds it exclusively, fails the run.
#[derive(Default)]
pub(crate) struct Holds {
    /// By critical section: the owner and its recursion count.
    sections: BTreeMap<usize, (ThreadId, u32)>,
    /// By SRW lock: the exclusive holder, and each shared hold's thread.
    srws: BTreeMap<usize, (Option<ThreadId>, Vec<ThreadId>)>,
}

impl Holds {
    fn entered(&mut self, cs: CriticalSection, me: ThreadId) {
        let e = self.sections.entry(cs.raw()).or_insert((me, 0));
        assert!(
            e.0 == me || e.1 == 0,
            "FUZZ: critical section {:#x} entered by {me:?} while {:?} holds it {} time(s)",
            cs.raw(),
            e.0,
            e.1
        );
        *e = (me, e.1 + 1);
    }

    fn left(&mut self, cs: CriticalSection, me: ThreadId) {
        if let Some(e) = self.sections.get_mut(&cs.raw()) {
            assert!(
                e.0 == me && e.1 > 0,
                "FUZZ: critical section {:#x} left by {me:?}, held by {:?} {} time(s)",
                cs.raw(),
                e.0,
                e.1
            );
            e.1 -= 1;
        }
    }

    /// The thread's recursion count on `cs` (0: it does not hold it).
    fn count(&self, cs: CriticalSection, me: ThreadId) -> u32 {
        match self.sections.get(&cs.raw()) {
            Some(&(owner, n)) if owner == me => n,
            _ => 0,
        }
    }

    fn deleted(&mut self, cs: CriticalSection) {
        self.sections.remove(&cs.raw());
    }

    fn acquired(&mut self, l: SrwLock, me: ThreadId, exclusive: bool) {
        let e = self.srws.entry(l.raw()).or_insert((None, Vec::new()));
        assert!(
            e.0.is_none() && (!exclusive || e.1.is_empty()),
            "FUZZ: SRW lock {:#x} taken {} by {me:?} while held (exclusive {:?}, shared {:?})",
            l.raw(),
            if exclusive { "exclusively" } else { "shared" },
            e.0,
            e.1
        );
        if exclusive {
            e.0 = Some(me);
        } else {
            e.1.push(me);
        }
    }

    fn released(&mut self, l: SrwLock, me: ThreadId, exclusive: bool) {
        if let Some(e) = self.srws.get_mut(&l.raw()) {
            if exclusive {
                e.0 = None;
            } else if let Some(i) = e.1.iter().position(|&t| t == me) {
                e.1.remove(i);
            }
        }
    }

    /// Whether the thread holds `l` in that mode.
    fn holds_srw(&self, l: SrwLock, me: ThreadId, exclusive: bool) -> bool {
        self.srws.get(&l.raw()).is_some_and(|e| {
            if exclusive {
                e.0 == Some(me)
            } else {
                e.1.contains(&me)
            }
        })
    }
}

/// [`Op::Sync`](crate::ops::Op::Sync). A host that has made no mutex or semaphore yet makes
/// one of each first, so that most calls name a live object (a sequence draws its calls one
/// by one, and a use before any creation would only ever see a bad handle).
pub(crate) fn sync(cx: &Ctx<'_>, call: u8, a: u8, b: u8, n: i32, timeout: u32) {
    let ws = cx.ws;
    if cx.st().syncs.is_empty() {
        if let Ok(m) = check("CreateMutex", ws.create_mutex(false)) {
            cx.st().syncs.push(m.into());
        }
        if let Ok(s) = check("CreateSemaphore", ws.create_semaphore(1, 2)) {
            cx.st().syncs.push(s.into());
        }
    }
    match call % 8 {
        0 => {
            if let Ok(m) = check("CreateMutex", ws.create_mutex(a % 2 == 0)) {
                cx.st().syncs.push(m.into());
            }
        }
        1 => {
            // An initial count and a maximum: mostly valid, sometimes not (a maximum below 1,
            // an initial count above it or below 0).
            let maximum = if b % 4 == 0 { n } else { i32::from(b % 4) };
            let initial = if a % 4 == 0 { n } else { i32::from(a % 4) - 1 };
            if let Ok(s) = check("CreateSemaphore", ws.create_semaphore(initial, maximum)) {
                cx.st().syncs.push(s.into());
            }
        }
        2 => drop(check("ReleaseMutex", ws.release_mutex(cx.mutex(a)))),
        3 => {
            let count = if b % 2 == 0 { 1 } else { n };
            if let Ok(previous) = check(
                "ReleaseSemaphore",
                ws.release_semaphore(cx.semaphore(a), count),
            ) {
                assert!(
                    previous >= 0,
                    "FUZZ: ReleaseSemaphore gave a negative count {previous}"
                );
            }
        }
        4 => {
            let r = check(
                "WaitForSingleObject",
                ws.wait_for_single_object(cx.waitable(a), timeout),
            );
            wait_sane("WaitForSingleObject", &r, 1);
        }
        5 => {
            // Up to five handles (none now and then, a handle twice now and then).
            let count = usize::from(b % 6);
            let handles: Vec<Handle> = (0..count)
                .map(|k| cx.waitable(a.wrapping_add(if b % 7 == 0 { 0 } else { k as u8 * 37 })))
                .collect();
            let r = check(
                "WaitForMultipleObjects",
                ws.wait_for_multiple_objects(&handles, b % 2 == 0, timeout),
            );
            wait_sane("WaitForMultipleObjects", &r, count);
        }
        6 => {
            let r = check(
                "SignalObjectAndWait",
                ws.signal_object_and_wait(cx.waitable(a), cx.waitable(b), timeout, n % 2 == 0),
            );
            if let Ok(v) = r {
                assert!(
                    matches!(
                        v,
                        WAIT_OBJECT_0 | WAIT_ABANDONED_0 | WAIT_TIMEOUT | WAIT_IO_COMPLETION
                    ),
                    "FUZZ: SignalObjectAndWait returned {v:#x}"
                );
            }
        }
        _ => drop(check("CloseHandle", ws.close_handle(cx.waitable(a)))),
    }
}

/// What a wait returned is one of its documented values for `count` handles.
fn wait_sane(call: &str, r: &Result<u32, WsaError>, count: usize) {
    if let Ok(v) = *r {
        let n = count as u32;
        let ok = v == WAIT_TIMEOUT
            || (WAIT_OBJECT_0..WAIT_OBJECT_0 + n).contains(&v)
            || (WAIT_ABANDONED_0..WAIT_ABANDONED_0 + n).contains(&v);
        assert!(ok, "FUZZ: {call} over {count} handles returned {v:#x}");
    }
}

/// [`Op::Lock`](crate::ops::Op::Lock). As [`sync`] does, a host with no critical section,
/// SRW lock or condition variable yet makes one of each first.
pub(crate) fn lock(cx: &Ctx<'_>, call: u8, which: u8, other: u8, timeout: u32) {
    let ws = cx.ws;
    let me = ws.thread_id();
    if cx.st().sections.is_empty() {
        if let Ok(cs) = check(
            "InitializeCriticalSection",
            ws.initialize_critical_section(),
        ) {
            cx.st().sections.push(cs);
        }
        if let Ok(l) = check("InitializeSRWLock", ws.initialize_srw_lock()) {
            cx.st().srws.push(l);
        }
        if let Ok(c) = check(
            "InitializeConditionVariable",
            ws.initialize_condition_variable(),
        ) {
            cx.st().cvs.push(c);
        }
    }
    let section = |i: u8| {
        if i % 8 == 7 {
            return CriticalSection::from_raw(usize::from(i) * 4 + 0x6000);
        }
        pick(&cx.st().sections, i).unwrap_or(CriticalSection::from_raw(0))
    };
    let srw = |i: u8| {
        if i % 8 == 7 {
            return SrwLock::from_raw(usize::from(i) * 4 + 0x6800);
        }
        pick(&cx.st().srws, i).unwrap_or(SrwLock::from_raw(0))
    };
    let cv = |i: u8| {
        if i % 8 == 7 {
            return ConditionVariable::from_raw(usize::from(i) * 4 + 0x7800);
        }
        pick(&cx.st().cvs, i).unwrap_or(ConditionVariable::from_raw(0))
    };
    match call % 18 {
        0 => {
            let r = if which % 2 == 0 {
                ws.initialize_critical_section()
            } else {
                ws.initialize_critical_section_ex(u32::from(other), u32::from(other) << 24)
            };
            if let Ok(cs) = check("InitializeCriticalSection", r) {
                cx.st().sections.push(cs);
            }
        }
        1 => {
            let cs = section(which);
            if check("EnterCriticalSection", ws.enter_critical_section(cs)).is_ok() {
                cx.st().holds.entered(cs, me);
            }
        }
        2 => {
            let cs = section(which);
            if check("TryEnterCriticalSection", ws.try_enter_critical_section(cs)) == Ok(true) {
                cx.st().holds.entered(cs, me);
            }
        }
        3 | 4 => {
            let cs = section(which);
            if check("LeaveCriticalSection", ws.leave_critical_section(cs)).is_ok() {
                cx.st().holds.left(cs, me);
            }
        }
        5 => {
            let cs = section(which);
            if check("DeleteCriticalSection", ws.delete_critical_section(cs)).is_ok() {
                cx.st().holds.deleted(cs);
            }
        }
        6 => {
            if let Ok(l) = check("InitializeSRWLock", ws.initialize_srw_lock()) {
                cx.st().srws.push(l);
            }
        }
        7..=10 => {
            let (l, exclusive) = (srw(which), call % 2 == 1);
            let taken = match call % 18 {
                7 => check("AcquireSRWLockExclusive", ws.acquire_srw_lock_exclusive(l)).is_ok(),
                8 => check("AcquireSRWLockShared", ws.acquire_srw_lock_shared(l)).is_ok(),
                9 => {
                    check(
                        "TryAcquireSRWLockExclusive",
                        ws.try_acquire_srw_lock_exclusive(l),
                    ) == Ok(true)
                }
                _ => {
                    check("TryAcquireSRWLockShared", ws.try_acquire_srw_lock_shared(l)) == Ok(true)
                }
            };
            if taken {
                cx.st().holds.acquired(l, me, exclusive);
            }
        }
        11 => {
            let l = srw(which);
            if check("ReleaseSRWLockExclusive", ws.release_srw_lock_exclusive(l)).is_ok() {
                cx.st().holds.released(l, me, true);
            }
        }
        12 => {
            let l = srw(which);
            if check("ReleaseSRWLockShared", ws.release_srw_lock_shared(l)).is_ok() {
                cx.st().holds.released(l, me, false);
            }
        }
        13 => {
            if let Ok(c) = check(
                "InitializeConditionVariable",
                ws.initialize_condition_variable(),
            ) {
                cx.st().cvs.push(c);
            }
        }
        // A sleep as code writes it (enter, sleep, leave: the sleep times out, or another
        // thread's wake ends it), or, one time in four, on a lock the thread may not hold.
        14 => {
            let (c, cs) = (cv(which), section(other));
            if other % 4 != 3
                && check("EnterCriticalSection", ws.enter_critical_section(cs)).is_ok()
            {
                cx.st().holds.entered(cs, me);
            }
            // The sleep gives the section up (whatever the recursion count) and takes it
            // back with the same count, timed out or woken; a sleep that fails at once (a bad
            // condition variable) never gave it up.
            let n = cx.st().holds.count(cs, me);
            for _ in 0..n {
                cx.st().holds.left(cs, me);
            }
            let _ = check(
                "SleepConditionVariableCS",
                ws.sleep_condition_variable_cs(c, cs, timeout),
            );
            for _ in 0..n {
                cx.st().holds.entered(cs, me);
            }
            if n > 0 && check("LeaveCriticalSection", ws.leave_critical_section(cs)).is_ok() {
                cx.st().holds.left(cs, me);
            }
        }
        15 => {
            let (c, l) = (cv(which), srw(other));
            let (flags, took) = match other % 4 {
                0 => (
                    0,
                    check("AcquireSRWLockExclusive", ws.acquire_srw_lock_exclusive(l)).is_ok(),
                ),
                1 => (
                    CONDITION_VARIABLE_LOCKMODE_SHARED,
                    check("AcquireSRWLockShared", ws.acquire_srw_lock_shared(l)).is_ok(),
                ),
                2 => (0, false),
                _ => (u32::from(other), false),
            };
            let exclusive = flags & CONDITION_VARIABLE_LOCKMODE_SHARED == 0;
            if took {
                cx.st().holds.acquired(l, me, exclusive);
            }
            // The sleep gives the lock up in its mode (if the thread holds it so, taken in
            // this operation or before) and takes it back, timed out or woken; a sleep that
            // fails at once never gave it up.
            let held = cx.st().holds.holds_srw(l, me, exclusive);
            if held {
                cx.st().holds.released(l, me, exclusive);
            }
            let _ = check(
                "SleepConditionVariableSRW",
                ws.sleep_condition_variable_srw(c, l, timeout, flags),
            );
            if held {
                cx.st().holds.acquired(l, me, exclusive);
            }
            if took {
                let r = if exclusive {
                    ws.release_srw_lock_exclusive(l)
                } else {
                    ws.release_srw_lock_shared(l)
                };
                if check("ReleaseSRWLockExclusive", r).is_ok() {
                    cx.st().holds.released(l, me, exclusive);
                }
            }
        }
        16 => drop(check(
            "WakeConditionVariable",
            ws.wake_condition_variable(cv(which)),
        )),
        _ => drop(check(
            "WakeAllConditionVariable",
            ws.wake_all_condition_variable(cv(which)),
        )),
    }
}

/// [`Op::GetMessage`](crate::ops::Op::GetMessage): the message it returns is dispatched, as a
/// message loop does.
pub(crate) fn get_message(cx: &Ctx<'_>, w: u8, min: u32, max: u32) {
    let ws = cx.ws;
    let hwnd = if w % 8 == 7 { Hwnd::NULL } else { cx.hwnd(w) };
    if let Ok(Some(m)) = check("GetMessage", ws.get_message_range(hwnd, min, max)) {
        let _ = check("DispatchMessage", ws.dispatch_message(&m));
    }
}

/// [`Op::ConsoleCtrl`](crate::ops::Op::ConsoleCtrl): add a handler (answering TRUE, or
/// FALSE so that the next one runs), remove one (or one never added), or raise an event.
pub(crate) fn console_ctrl(cx: &Ctx<'_>, action: u8, ctrl_type: u32) {
    let ws = cx.ws;
    match action % 4 {
        0 | 1 => {
            let answer = action % 4 == 0;
            let ran = cx.ran.clone();
            let handler: ConsoleCtrlHandler<_> = Box::new(move |_ws, _t| {
                ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                answer
            });
            if let Ok(id) = check(
                "SetConsoleCtrlHandler",
                ws.set_console_ctrl_handler(handler),
            ) {
                cx.st().ctrl_handlers.push(id);
            }
        }
        2 => {
            let id = pick(&cx.st().ctrl_handlers, action / 4)
                .unwrap_or(CtrlHandlerId::from_raw(usize::from(action) + 0x900));
            let _ = check("SetConsoleCtrlHandler", ws.remove_console_ctrl_handler(id));
        }
        _ => {
            let _ = check(
                "GenerateConsoleCtrlEvent",
                ws.generate_console_ctrl_event(ctrl_type),
            );
        }
    }
}
