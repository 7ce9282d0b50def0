//! Kernel objects of the wait models: event objects (WSAEVENT), windows (HWND), completion
//! ports, mutexes, semaphores and waitable timers; their
//! handles share each host's handle table with sockets, as on Windows.

use std::collections::VecDeque;

use crate::api::consts::{QS_ALLPOSTMESSAGE, QS_POSTMESSAGE, QS_TIMER};
use crate::api::{CompletionPacket, Msg, WsaError};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::WaitKey;
use crate::sim::runtime::{Layers, Nanos, World};
use crate::sim::socket::handles::HandleObj;

/// A window procedure as the sim stores it.
pub(crate) type SimWndProc<L> = Box<dyn FnMut(&<L as Layers>::Handle, Msg) -> isize + Send>;

/// How many posted messages a thread's queue holds at most (Windows' USERPostMessageLimit
/// default): PostMessage and PostThreadMessage then fail with ERROR_NOT_ENOUGH_QUOTA, and a
/// message the system posts (a WSAAsyncSelect notification) is lost.
pub(crate) const POSTED_MESSAGE_LIMIT: usize = 10_000;

/// What posting a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Posted {
    /// It is in the owner thread's queue.
    Queued,
    /// The window is gone.
    NoWindow,
    /// The queue holds [`POSTED_MESSAGE_LIMIT`] messages already.
    QueueFull,
}

/// One kernel object.
pub(crate) enum KObject<L: Layers> {
    /// A (WSA) event object.
    Event { signaled: bool, manual_reset: bool },
    /// A window: its owner thread's queue receives its messages.
    Window {
        owner: usize,
        /// Its handle (HWND), set once the handle table gave it one.
        handle: usize,
        /// Taken out while it runs (so it may call back into the API).
        proc: Option<SimWndProc<L>>,
        /// Its timers (`SetTimer`; what they do: `window_timer`), in the order they were set.
        timers: Vec<WindowTimer>,
    },
    /// An I/O completion port.
    Port(Port),
    /// A mutex object: its owner thread, recursion count, and whether its last owner ended
    /// without releasing it (the next acquirer learns WAIT_ABANDONED).
    Mutex {
        owner: Option<usize>,
        recursion: u32,
        abandoned: bool,
    },
    /// A semaphore object: its count and maximum.
    Semaphore { count: i32, max: i32 },
    /// A waitable timer (what it does: `waitable_timer`).
    Timer(WaitableTimer<L>),
}

impl<L: Layers> std::fmt::Debug for KObject<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KObject::Event { signaled, .. } => write!(f, "Event(signaled: {signaled})"),
            KObject::Window { owner, .. } => write!(f, "Window(owner: t{owner})"),
            KObject::Port(p) => write!(f, "Port(queued: {})", p.queue.len()),
            KObject::Mutex { owner, .. } => write!(f, "Mutex(owner: {owner:?})"),
            KObject::Semaphore { count, max } => write!(f, "Semaphore({count}/{max})"),
            KObject::Timer(t) => write!(
                f,
                "Timer(signaled: {}, active: {})",
                t.signaled,
                t.armed.is_some()
            ),
        }
    }
}

/// A timer's completion routine as the kernel keeps it: run with the thread's handle and the
/// expiry's FILETIME (low, high).
pub(crate) type TimerRoutine<L> =
    std::sync::Arc<dyn Fn(&<L as Layers>::Handle, u32, u32) + Send + Sync>;

/// One waitable timer.
pub(crate) struct WaitableTimer<L: Layers> {
    pub signaled: bool,
    pub manual_reset: bool,
    /// Made with CREATE_WAITABLE_TIMER_HIGH_RESOLUTION: its due times are not rounded to the
    /// clock interrupt.
    pub high_resolution: bool,
    /// The current setting, while the timer is active.
    pub armed: Option<Arming<L>>,
    /// The thread and setting number of the APCs the timer's settings queued: taken back
    /// when it is set again, cancelled or closed.
    pub apcs_of: Option<(usize, u64)>,
}

impl<L: Layers> WaitableTimer<L> {
    /// A new timer: inactive, not signalled.
    pub(crate) fn new(manual_reset: bool) -> Self {
        WaitableTimer {
            signaled: false,
            manual_reset,
            high_resolution: false,
            armed: None,
            apcs_of: None,
        }
    }
}

/// A timer's setting.
pub(crate) struct Arming<L: Layers> {
    /// The setting's number (unique in the run).
    pub id: u64,
    /// When it is next due.
    pub due: Nanos,
    /// 0: once; otherwise due again this long after each due time.
    pub period: Nanos,
    /// The completion routine and the thread that set the timer, whose APC queue gets it.
    pub routine: Option<(usize, TimerRoutine<L>)>,
    /// A periodic setting whose last expiry changed nothing (the timer was signalled and its
    /// routine's APC, if any, still queued): no expiry is scheduled until a wait takes the
    /// signal or the APC runs (`waitable_timer`); `due` is that last expiry.
    pub parked: bool,
    /// `due` is an absolute system time not yet reached: a clock setting re-times it
    /// (`system_time`).
    pub absolute: bool,
}

/// A window timer (`SetTimer`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WindowTimer {
    /// The window's handle (the WM_TIMER's hwnd).
    pub hwnd: crate::api::Hwnd,
    /// nIDEvent.
    pub id: usize,
    /// The period (USER_TIMER_MINIMUM to USER_TIMER_MAXIMUM).
    pub elapse: Nanos,
    /// The setting's number (unique in the run, shared with waitable timers' settings): an
    /// expiry scheduled for an earlier setting of the same id finds it replaced.
    pub setting: u64,
    /// The next expiry while none is waiting to be retrieved; the expiry that made its
    /// WM_TIMER due while one is (`ready`).
    pub due: Nanos,
    /// A WM_TIMER is due: the next GetMessage or PeekMessage with nothing posted generates it.
    pub ready: bool,
    /// Its TIMERPROC's token (`timer_proc`), the WM_TIMER's lParam; 0 for none.
    pub proc: u64,
}

impl WindowTimer {
    /// Its expiry: it becomes ready; whether it was not already (expiries while it is
    /// ready make no second WM_TIMER).
    pub(crate) fn make_ready(&mut self) -> bool {
        !std::mem::replace(&mut self.ready, true)
    }

    /// Its WM_TIMER was retrieved at `now`: it is no longer ready, and is next due at the
    /// first due time of its period after the one that made it ready and after `now`
    /// (returned). The WM_TIMER taken stands for every expiry up to `now`, one falling due at
    /// `now` too: Wine's server restarts a timer at its retrieval past every deadline not
    /// after `now` (`restart_timer`), so a look exactly on a due time gets one WM_TIMER, and
    /// the next comes a period later.
    pub(crate) fn retrieved(&mut self, now: Nanos) -> Nanos {
        let periods = now.saturating_sub(self.due) / self.elapse + 1;
        self.due = self.due.saturating_add(periods.saturating_mul(self.elapse));
        self.ready = false;
        self.due
    }
}

/// A periodic timer's next due time after `last`, on its schedule (`last` plus whole
/// periods) and not before `now`: what a parked waitable timer is due at next (periods
/// missed meanwhile are skipped, not fired in a burst).
pub(crate) fn next_due_on_schedule(last: Nanos, period: Nanos, now: Nanos) -> Nanos {
    let periods = now.saturating_sub(last).div_ceil(period).max(1);
    last.saturating_add(periods.saturating_mul(period))
}

/// One completion port.
#[derive(Debug, Default)]
pub(crate) struct Port {
    pub queue: VecDeque<CompletionPacket>,
    /// NumberOfConcurrentThreads.
    pub concurrency: usize,
    /// Released workers that are running (not blocked elsewhere).
    pub active: usize,
}

/// A reference to a kernel object that something other than a handle keeps: a
/// WSAEventSelect registration's event, a WSAAsyncSelect registration's window, an
/// overlapped operation's event, a socket's completion port. On Windows such a reference
/// holds the object itself (AFD and the I/O manager reference it), so closing the handle,
/// and a new object that takes the same slot, leave it pointing where it did: a new object
/// in the slot has another generation, and the reference no longer resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ObjRef {
    idx: u32,
    gen: u32,
}

impl ObjRef {
    /// The process's thread pool as a socket's completion port (`BindIoCompletionCallback`):
    /// no object of the table (it never resolves); the socket's completions go to the pool.
    pub(crate) const POOL: ObjRef = ObjRef {
        idx: u32::MAX,
        gen: u32::MAX,
    };
}

/// What keeps a slot's object alive beside its handle.
#[derive(Debug, Default, Clone, Copy)]
struct Life {
    /// Bumped each time the slot's object goes: an [`ObjRef`] to an older one is stale.
    gen: u32,
    /// Waits in progress on the object (each holds it, as a Windows wait references the
    /// objects it waits on).
    waits: u32,
    /// Its handle is closed; it stays while waits hold it.
    closed: bool,
    /// Handles on it beyond the first (`DuplicateHandle`): closing one of several frees that
    /// handle only.
    extra_handles: u32,
}

/// All kernel objects of the run, by index; indices are reused once an object has gone.
pub(crate) struct ObjectTable<L: Layers> {
    slots: Vec<Option<(usize, KObject<L>)>>,
    life: Vec<Life>,
    free: Vec<usize>,
}

impl<L: Layers> Default for ObjectTable<L> {
    fn default() -> Self {
        ObjectTable {
            slots: Vec::new(),
            life: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<L: Layers> ObjectTable<L> {
    pub(crate) fn get_mut(&mut self, idx: usize) -> Option<&mut KObject<L>> {
        self.slots.get_mut(idx)?.as_mut().map(|(_, o)| o)
    }

    /// Slot `idx`: `None` past the end, `Some(None)` for a free slot.
    pub(crate) fn get_slot_mut(&mut self, idx: usize) -> Option<Option<&mut KObject<L>>> {
        self.slots.get_mut(idx).map(|s| s.as_mut().map(|(_, o)| o))
    }

    pub(crate) fn get(&self, idx: usize) -> Option<&KObject<L>> {
        self.slots.get(idx)?.as_ref().map(|(_, o)| o)
    }

    /// The number of slots (free ones included): object indexes are below it.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The host that created object `idx`.
    pub(crate) fn owner(&self, idx: usize) -> Option<usize> {
        self.slots.get(idx)?.as_ref().map(|(h, _)| *h)
    }

    /// A lasting reference to object `idx` (see [`ObjRef`]).
    pub(crate) fn obj_ref(&self, idx: usize) -> ObjRef {
        ObjRef {
            idx: idx as u32,
            gen: self.life.get(idx).map_or(0, |l| l.gen),
        }
    }

    /// The object `r` refers to, while it exists (its handle may be closed).
    #[inline(always)]
    pub(crate) fn resolve(&self, r: ObjRef) -> Option<usize> {
        let idx = r.idx as usize;
        let alive = self.life.get(idx).is_some_and(|l| l.gen == r.gen)
            && self.slots.get(idx).is_some_and(Option::is_some);
        alive.then_some(idx)
    }

    /// A wait begins on object `idx`: it holds the object until [`World::wait_done`].
    #[inline(always)]
    pub(crate) fn hold(&mut self, idx: usize) {
        if let Some(l) = self.life.get_mut(idx) {
            l.waits += 1;
        }
    }

    /// Whether object `idx`'s handle has been closed (a wait still holds it).
    #[inline(always)]
    pub(crate) fn is_closed(&self, idx: usize) -> bool {
        self.life.get(idx).is_some_and(|l| l.closed)
    }
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Creates an object and gives it a handle on `host`.
    pub(crate) fn new_object(&mut self, host: usize, obj: KObject<L>) -> usize {
        let t = &mut self.kern.objects;
        let idx = match t.free.pop() {
            Some(i) => {
                t.slots[i] = Some((host, obj));
                i
            }
            None => {
                t.slots.push(Some((host, obj)));
                t.life.push(Life::default());
                t.slots.len() - 1
            }
        };
        self.sock.procs[host].alloc_handle(HandleObj::Object(idx))
    }

    /// The object index behind handle `h` on `host`. The low 2 bits of a kernel handle value
    /// are ignored, as Windows ignores them (kernel32 sync.c 1305–1360: an event's handle
    /// with 1, 2 or 3 ORed in waits on the event; 0xdeadbee0 with them stays invalid).
    pub(crate) fn object_id(&self, host: usize, h: usize) -> Option<usize> {
        match self.sock.procs[host].handle(h & !3) {
            Some(HandleObj::Object(idx)) => Some(idx),
            _ => None,
        }
    }

    /// The event object behind `h`, or WSA_INVALID_HANDLE.
    pub(crate) fn event_id(&self, host: usize, h: usize) -> Result<usize, WsaError> {
        match self
            .object_id(host, h)
            .and_then(|i| self.kern.objects.get(i).map(|o| (i, o)))
        {
            Some((i, KObject::Event { .. })) => Ok(i),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// The mutex behind `h`, or ERROR_INVALID_HANDLE.
    pub(crate) fn mutex_id(&self, host: usize, h: usize) -> Result<usize, WsaError> {
        match self
            .object_id(host, h)
            .and_then(|i| self.kern.objects.get(i).map(|o| (i, o)))
        {
            Some((i, KObject::Mutex { .. })) => Ok(i),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// The semaphore behind `h`, or ERROR_INVALID_HANDLE.
    pub(crate) fn semaphore_id(&self, host: usize, h: usize) -> Result<usize, WsaError> {
        match self
            .object_id(host, h)
            .and_then(|i| self.kern.objects.get(i).map(|o| (i, o)))
        {
            Some((i, KObject::Semaphore { .. })) => Ok(i),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// The window behind `h`, if it is one (an HWND is no kernel handle: its low bits count).
    pub(crate) fn window_id(&self, host: usize, h: usize) -> Option<usize> {
        match self
            .object_id(host, h)
            .filter(|_| h & 3 == 0)
            .and_then(|i| self.kern.objects.get(i).map(|o| (i, o)))
        {
            Some((i, KObject::Window { .. })) => Some(i),
            _ => None,
        }
    }

    /// `DuplicateHandle`: a further handle on `host` naming object `idx` (a kernel object,
    /// not a window: the caller checks).
    pub(crate) fn duplicate_object_handle(&mut self, host: usize, idx: usize) -> usize {
        if let Some(l) = self.kern.objects.life.get_mut(idx) {
            l.extra_handles += 1;
        }
        self.sock.procs[host].alloc_handle(HandleObj::Object(idx))
    }

    /// Closes handle `h`. When other handles name its object, that is all; otherwise the
    /// object goes, unless waits hold it: then it stays, without a handle, until the last
    /// of them ends ([`World::wait_done`]). Its waiters are told (a completion port's then
    /// return ERROR_ABANDONED_WAIT_0; other objects' wait on).
    pub(crate) fn close_object(&mut self, host: usize, h: usize) {
        if let Some(idx) = self.object_id(host, h) {
            self.release_handle(host, h & !3);
            if let Some(l) = self.kern.objects.life.get_mut(idx) {
                if l.extra_handles > 0 {
                    l.extra_handles -= 1;
                    return;
                }
            }
            self.unname_object(idx);
            match self.kern.objects.life.get_mut(idx) {
                Some(l) if l.waits > 0 => l.closed = true,
                _ => self.destroy_object(idx),
            }
            self.notify(WaitKey::Object(idx));
        }
    }

    /// A wait that held object `idx` ([`ObjectTable::hold`]) has ended: a closed object no
    /// other wait holds goes now.
    #[inline(always)]
    pub(crate) fn wait_done(&mut self, idx: usize) {
        let Some(l) = self.kern.objects.life.get_mut(idx) else {
            return;
        };
        l.waits = l.waits.saturating_sub(1);
        if l.waits == 0 && l.closed {
            self.destroy_object(idx);
        }
    }

    /// Object `idx` goes: a timer takes back its queued APC (and with the object goes any
    /// expiry still scheduled), a port's running workers no longer count against it; every
    /// [`ObjRef`] to it is stale from now on.
    #[inline(never)]
    fn destroy_object(&mut self, idx: usize) {
        match self.kern.objects.get(idx) {
            Some(KObject::Timer(_)) => self.timer_take_back_apcs(idx),
            Some(KObject::Port(_)) => {
                // Its running workers count against nothing now (not a new port that
                // takes the slot).
                for t in &mut self.rt.threads {
                    if t.ext.iocp_port() == Some(idx) {
                        t.ext.take_iocp_port();
                        t.ext.iocp_suspended = false;
                    }
                }
            }
            _ => {}
        }
        self.unname_object(idx);
        let t = &mut self.kern.objects;
        if let Some(slot) = t.slots.get_mut(idx) {
            *slot = None;
            t.free.push(idx);
        }
        if let Some(l) = t.life.get_mut(idx) {
            *l = Life {
                gen: l.gen.wrapping_add(1),
                ..Life::default()
            };
        }
    }

    /// SetEvent: signals event `idx` and wakes its waiters.
    pub(crate) fn set_event(&mut self, idx: usize) {
        if let Some(KObject::Event { signaled, .. }) = self.kern.objects.get_mut(idx) {
            *signaled = true;
            self.signal_waiters(idx);
        }
    }

    /// ResetEvent.
    pub(crate) fn reset_event(&mut self, idx: usize) {
        if let Some(KObject::Event { signaled, .. }) = self.kern.objects.get_mut(idx) {
            *signaled = false;
        }
    }

    /// Posts a message to the queue of the thread owning window `win`.
    pub(crate) fn post_to_window(&mut self, win: usize, msg: Msg) -> Posted {
        let Some(KObject::Window { owner, .. }) = self.kern.objects.get(win) else {
            return Posted::NoWindow;
        };
        let owner = *owner;
        self.post_to_thread(owner, msg)
    }

    /// Queues a message for thread `tid`, unless its queue already holds
    /// [`POSTED_MESSAGE_LIMIT`] posted messages.
    pub(crate) fn post_to_thread(&mut self, tid: usize, msg: Msg) -> Posted {
        let t = &mut self.rt.threads[tid].ext;
        if t.msgq.len() >= POSTED_MESSAGE_LIMIT {
            return Posted::QueueFull;
        }
        t.msgq.push_back(msg);
        t.qs_new |= QS_POSTMESSAGE | QS_ALLPOSTMESSAGE;
        self.notify(WaitKey::Messages(tid));
        Posted::Queued
    }

    /// Whether thread `tid` has input of the kinds `mask` names (QS_POSTMESSAGE /
    /// QS_ALLPOSTMESSAGE: posted messages and WM_QUIT; QS_TIMER: a due window timer): new
    /// input, or any in the queue with `available`. Only GetMessage and PeekMessage make
    /// input seen: a MsgWaitForMultipleObjects that returns for it leaves it new, as Wine's
    /// and ReactOS's do (the documentation counts the wait among the calls that mark it seen;
    /// no test settles it).
    pub(crate) fn input_ready(&mut self, tid: usize, mask: u32, available: bool) -> bool {
        let bits = if available {
            self.queue_bits(tid)
        } else {
            self.rt.threads[tid].ext.qs_new
        };
        bits & mask != 0
    }

    /// The QS_* kinds of input thread `tid`'s queue holds now (posted messages or a pending
    /// WM_QUIT: QS_POSTMESSAGE | QS_ALLPOSTMESSAGE; a due window timer: QS_TIMER).
    pub(crate) fn queue_bits(&mut self, tid: usize) -> u32 {
        let t = &self.rt.threads[tid].ext;
        let posted = if !t.msgq.is_empty() || t.quit.is_some() {
            QS_POSTMESSAGE | QS_ALLPOSTMESSAGE
        } else {
            0
        };
        let timer = if self.timer_message(tid, None, false).is_some() {
            QS_TIMER
        } else {
            0
        };
        posted | timer
    }
}
