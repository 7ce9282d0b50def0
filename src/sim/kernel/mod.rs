//! The kernel-object layer: what Windows' kernel and user32 give a server beside sockets —
//! event objects, windows with their threads' message queues, I/O completion ports, and each
//! thread's APC queue — sharing each process's handle table with sockets.
//!
//! Map:
//! - `dispatch` — a signal satisfies the waits on the object at once, as NT's dispatcher does;
//! - `message_queue` — GetMessage / PeekMessage's filters and the order they find messages in;
//! - `mm_timer` — multimedia timers (`timeSetEvent`): each process's timers, their schedule;
//! - `object_names` — named objects: each host's namespaces, a name freed with its object's
//!   last handle;
//! - `objects` — the object table ([`KObject`](objects::KObject)): events, windows, completion
//!   ports; SetEvent / ResetEvent, message posting;
//! - `port` — what a completion port does: packet queues and Windows' concurrency rule;
//! - `sync` — critical sections, SRW locks, condition variables, and what waits on mutexes
//!   and threads see (abandonment when an owner thread ends);
//! - `system_time` — each host's system clock and the absolute due times that follow it;
//! - `thread_pool` — the process's thread pool: workers, the persistent thread, pool I/O
//!   bindings; `timer_queue` — timer queues; `registered_wait` — registered waits and the
//!   pool's wait thread; `tp_objects` — the Vista pool's objects, with `tp_wait` (wait
//!   objects), `tp_io` (I/O objects: starts, completions, dropped ones named) and
//!   `tp_group` (cleanup groups: members, their release); `tp_instance` — a running
//!   callback's instance: its actions when it returns, its disassociation;
//! - `thread_local_storage` — TLS and FLS: each process's slots, each thread's values;
//! - `thread_timer` — thread timers (`SetTimer` with no window): ids, expiry, KillTimer;
//! - `timer_proc` — TIMERPROCs: the procedures DispatchMessage calls for their WM_TIMERs;
//! - `wait_report` — what a blocked thread waits for, for a failed run's report;
//! - `waitable_timer` — waitable timers: setting, expiry (signal, APC, period), cancelling;
//! - `window_timer` — window timers (`SetTimer`): expiry, WM_TIMER generation, KillTimer;
//! - this file — the per-thread state ([`KThread`]: message queue, APC queue, port membership)
//!   and how blocking and waking move a worker in and out of its port's count.

pub(crate) mod dispatch;
pub(crate) mod init_once;
pub(crate) mod message_queue;
pub(crate) mod mm_timer;
pub(crate) mod object_names;
pub(crate) mod objects;
pub(crate) mod port;
pub(crate) mod registered_wait;
pub(crate) mod sync;
pub(crate) mod sync_barrier;
pub(crate) mod system_time;
pub(crate) mod thread_local_storage;
pub(crate) mod thread_pool;
pub(crate) mod thread_timer;
pub(crate) mod timer_proc;
pub(crate) mod timer_queue;
pub(crate) mod tp_group;
pub(crate) mod tp_instance;
pub(crate) mod tp_io;
pub(crate) mod tp_objects;
pub(crate) mod tp_wait;
pub(crate) mod wait_on_address;
pub(crate) mod wait_report;
pub(crate) mod waitable_timer;
pub(crate) mod wake_queue;
pub(crate) mod window_timer;

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use crate::api::{CompletionPacket, Msg};
use crate::sim::runtime::Layers;
use crate::sim::socket::{SockHooks, SockLayers};

use objects::ObjectTable;

/// An asynchronous procedure call queued to a thread: run with the thread's handle `H`.
pub(crate) type Apc<L> = Box<dyn FnOnce(&<L as Layers>::Handle) + Send>;

/// A console-control handler as the sim stores it.
pub(crate) type CtrlHandler<L> = Box<dyn FnMut(&<L as Layers>::Handle, u32) -> bool + Send>;

/// A process's console-control handlers in registration order, with their ids (a handler is
/// taken out while it runs).
pub(crate) type CtrlHandlers<L> = Vec<(usize, Option<CtrlHandler<L>>)>;

/// The kernel layer's state.
pub(crate) struct Kernel<L: Layers> {
    /// Kernel objects of the wait models (events, windows, ports, mutexes), by index.
    pub objects: ObjectTable<L>,
    /// Critical sections, SRW locks and condition variables.
    pub locks: sync::LockTable,
    /// Each process's console-control handlers in registration order, by id (a handler is
    /// taken out while it runs).
    pub ctrl_handlers: BTreeMap<usize, CtrlHandlers<L>>,
    /// The next handler id.
    pub next_ctrl_id: usize,
    /// Each process's globals, by (host, type).
    pub globals: BTreeMap<(usize, TypeId), Arc<dyn Any + Send + Sync>>,
    /// Waitable, window and thread timer settings made so far in the run (the last one's number).
    pub timer_settings: u64,
    /// Window and thread timers whose WM_TIMER is due and not yet retrieved (message
    /// retrieval looks for them only when there are some).
    pub ready_timers: usize,
    /// The TIMERPROCs of window and thread timers (`timer_proc`).
    pub timer_procs: timer_proc::TimerProcs<L>,
    /// Each host's thread pools (`thread_pool`).
    pub pools: thread_pool::ThreadPools<L>,
    /// Timer queues and their timers (`timer_queue`).
    pub timer_queues: timer_queue::TimerQueues<L>,
    /// Registered waits and each host's wait thread (`registered_wait`).
    pub registered_waits: registered_wait::RegisteredWaits<L>,
    /// `WaitOnAddress`'s sleepers.
    pub address_waits: wait_on_address::AddressWaits,
    /// The Vista pool's work, timer, wait and I/O objects (`tp_objects`).
    pub tp_objects: tp_objects::TpObjects<L>,
    /// TLS and FLS slots and each thread's values (`thread_local_storage`).
    pub local_storage: thread_local_storage::LocalStorage<L>,
    /// The names of named objects (`object_names`).
    pub names: object_names::ObjectNames,
    /// Each process's multimedia timers (`mm_timer`).
    pub mm_timers: mm_timer::MmTimers<L>,
}

impl<L: Layers> Default for Kernel<L> {
    fn default() -> Self {
        Kernel {
            objects: ObjectTable::default(),
            locks: sync::LockTable::default(),
            ctrl_handlers: BTreeMap::new(),
            next_ctrl_id: 1,
            globals: BTreeMap::new(),
            timer_settings: 0,
            ready_timers: 0,
            timer_procs: timer_proc::TimerProcs::default(),
            pools: thread_pool::ThreadPools::default(),
            timer_queues: timer_queue::TimerQueues::default(),
            registered_waits: registered_wait::RegisteredWaits::default(),
            address_waits: wait_on_address::AddressWaits::default(),
            tp_objects: tp_objects::TpObjects::default(),
            local_storage: thread_local_storage::LocalStorage::default(),
            names: object_names::ObjectNames::default(),
            mm_timers: mm_timer::MmTimers::default(),
        }
    }
}

/// What the kernel keeps per simulated thread (APCs run with the thread's handle).
///
/// `repr(C)`: the fields every blocking call touches come first. The flags share the cache
/// line of the thread's own hot fields (see [`Thread`](crate::sim::runtime::Thread)),
/// among them whether an APC is queued, which every alertable wait (every blocking socket
/// call) checks, and the completion port the thread was released by, which every block and
/// wake-up reads (bytes 56 to 64 of the thread record); the APC queue itself starts the next
/// line (bytes 64 to 96, measured with `offset_of!`), read only when it holds something.
#[repr(C)]
pub(crate) struct KThread<L: Layers> {
    /// The thread is blocked in a WinSock call (accept, recv, connect, ...): an alertable
    /// wait, so a queued APC wakes it, runs, and the call goes on waiting.
    pub socket_wait: bool,
    /// The thread is blocked elsewhere, so it does not count against its port's concurrency.
    pub iocp_suspended: bool,
    /// Whether `apcs` holds any: on the hot line, so that the check every socket wait makes
    /// reads no other line of the thread (the queue itself starts the next one).
    apc_queued: bool,
    /// The completion port this thread took its last packet from (it counts as one of the
    /// port's running threads until it calls GetQueuedCompletionStatus again), or
    /// [`NO_PORT`]. On the hot line too: every block and every wake-up reads it. Touched
    /// only through [`KThread::iocp_port`] and the methods beside it.
    iocp_port: u32,
    /// The thread's APC queue: run only during an alertable wait. Touched only through
    /// [`KThread::push_apc`] and [`KThread::pop_apc`], which keep `apc_queued`. Each APC
    /// with its tag: a waitable timer's setting number for a timer's routine (which the timer
    /// can take back), 0 for any other.
    apcs: VecDeque<(u64, Apc<L>)>,
    /// The thread's SO_OPENTYPE (0 for every new thread, as on Windows): a per-thread value
    /// `setsockopt`/`getsockopt` read and write whatever socket they are given.
    pub open_type: u32,
    /// The thread's message queue (messages of its windows and its own, such as WM_QUIT).
    pub msgq: VecDeque<Msg>,
    /// PostQuitMessage's exit code: WM_QUIT is generated only once the queue holds no posted
    /// message, and several PostQuitMessage calls give one WM_QUIT.
    pub quit: Option<i32>,
    /// The queue's QS_* bits of input that is new: set when a message is posted or a window
    /// timer falls due, cleared when GetMessage, PeekMessage or MsgWaitForMultipleObjects
    /// looks at the queue (what MsgWaitForMultipleObjects without MWMO_INPUTAVAILABLE waits
    /// for).
    pub qs_new: u32,
    /// Whether the thread has a message queue: from its first window-manager call on (what
    /// PostThreadMessage needs).
    pub has_queue: bool,
    /// What the thread waits for while blocked in a wait on objects (so that a signal can
    /// complete the wait at once: `dispatch`); kept from its first such wait on, and reused.
    /// Touched only through [`KThread::begin_kwait`] and the methods beside it.
    kwait: Option<Box<dispatch::KWait>>,
    /// A completion packet handed to this thread when its port released it (Windows gives
    /// the packet to the released thread at once).
    pub iocp_handoff: Option<CompletionPacket>,
    /// Its timers set with no window (`thread_timer`), from its first on.
    pub thread_timers: Option<Box<thread_timer::ThreadTimers>>,
}

impl<L: Layers> Default for KThread<L> {
    fn default() -> Self {
        KThread {
            msgq: VecDeque::new(),
            quit: None,
            qs_new: 0,
            has_queue: false,
            kwait: None,
            apcs: VecDeque::new(),
            apc_queued: false,
            iocp_port: NO_PORT,
            iocp_suspended: false,
            iocp_handoff: None,
            open_type: 0,
            socket_wait: false,
            thread_timers: None,
        }
    }
}

/// [`KThread`]'s port when the thread holds none.
const NO_PORT: u32 = u32::MAX;

impl<L: Layers> KThread<L> {
    /// The completion port this thread took its last packet from, if it still counts as
    /// one of its running threads.
    #[inline]
    pub(crate) fn iocp_port(&self) -> Option<usize> {
        (self.iocp_port != NO_PORT).then_some(self.iocp_port as usize)
    }

    /// The thread now counts as a running thread of port `idx`.
    #[inline]
    pub(crate) fn set_iocp_port(&mut self, idx: usize) {
        // Port indices are object indices: far fewer than 2^32 - 1 objects fit in memory.
        debug_assert!(idx < NO_PORT as usize, "object index {idx} past 32 bits");
        self.iocp_port = idx as u32;
    }

    /// The thread's port, which it no longer counts against.
    #[inline]
    pub(crate) fn take_iocp_port(&mut self) -> Option<usize> {
        let port = self.iocp_port();
        self.iocp_port = NO_PORT;
        port
    }

    /// Whether an APC is queued (what an alertable wait checks before it blocks).
    #[inline]
    pub(crate) fn has_apcs(&self) -> bool {
        self.apc_queued
    }

    /// Queues an APC (QueueUserAPC, a completion routine).
    pub(crate) fn push_apc(&mut self, apc: Apc<L>) {
        self.push_tagged_apc(0, apc);
    }

    /// Queues a waitable timer's APC, tagged with the setting that queued it.
    pub(crate) fn push_tagged_apc(&mut self, tag: u64, apc: Apc<L>) {
        self.apcs.push_back((tag, apc));
        self.apc_queued = true;
    }

    /// Whether an APC tagged `tag` is queued.
    pub(crate) fn has_tagged_apc(&self, tag: u64) -> bool {
        self.apcs.iter().any(|(t, _)| *t == tag)
    }

    /// Takes back the APCs tagged `tag` (a timer set again, cancelled or closed).
    pub(crate) fn remove_tagged_apcs(&mut self, tag: u64) {
        self.apcs.retain(|(t, _)| *t != tag);
        self.apc_queued = !self.apcs.is_empty();
    }

    /// The next APC to run, in queue order, with its tag (a waitable timer's setting, or 0).
    pub(crate) fn pop_apc(&mut self) -> Option<(u64, Apc<L>)> {
        let apc = self.apcs.pop_front();
        self.apc_queued = !self.apcs.is_empty();
        apc
    }
}

/// The layer types as the kernel layer needs them.
pub(crate) trait KernLayers:
    SockLayers<Kern = Kernel<Self>, ThreadExt = KThread<Self>>
{
}
impl<L: SockLayers<Kern = Kernel<L>, ThreadExt = KThread<L>>> KernLayers for L {}

/// The kernel layer defines no hooks of its own: what its objects do is seen by the waits of
/// the runtime. The alias keeps the bounds of the layers above uniform.
pub(crate) trait KernHooks<L: KernLayers>: SockHooks<L> {}
impl<L: KernLayers, W: SockHooks<L>> KernHooks<L> for W {}

impl<L: KernLayers> crate::sim::runtime::World<L>
where
    Self: KernHooks<L>,
{
    /// An APC was queued to thread `tid`: wake its alertable waits, and a WinSock call it is
    /// blocked in (those wait alertably too: the APC runs and the call goes on waiting).
    pub(crate) fn notify_apc(&mut self, tid: usize) {
        self.notify(crate::sim::runtime::WaitKey::Apc(tid));
        if self.rt.threads[tid].ext.socket_wait {
            let seq = self.rt.threads[tid].wait_seq;
            self.wake(tid, seq);
        }
    }

    /// Thread `tid` is about to block in `call`: a released completion-port worker blocking
    /// elsewhere lets another worker be released.
    pub(crate) fn kernel_thread_blocking(&mut self, tid: usize, call: &'static str) {
        let t = &mut self.rt.threads[tid].ext;
        if let Some(port) = t.iocp_port() {
            if !t.iocp_suspended && !call.starts_with("GetQueuedCompletionStatus") {
                t.iocp_suspended = true;
                self.port_thread_left(port);
            }
        }
    }

    /// Thread `tid` was woken: a suspended worker counts against its port again.
    pub(crate) fn kernel_thread_waking(&mut self, tid: usize) {
        let t = &mut self.rt.threads[tid].ext;
        if t.iocp_suspended {
            t.iocp_suspended = false;
            if let Some(port) = t.iocp_port() {
                self.port_thread_back(port);
            }
        }
    }

    /// Thread `tid` exited: it stops counting against its completion port's concurrency, the
    /// mutexes it owns are abandoned, the timers it set with a routine are cancelled, and
    /// its windows and thread timers go.
    pub(crate) fn kernel_thread_exited(&mut self, tid: usize) {
        self.abandon_mutexes(tid);
        self.cancel_timers_of(tid);
        self.destroy_windows_of(tid);
        self.thread_timers_gone(tid);
        let t = &mut self.rt.threads[tid].ext;
        if let Some(port) = t.take_iocp_port() {
            if !std::mem::take(&mut t.iocp_suspended) {
                self.port_thread_left(port);
            }
        }
    }
}
