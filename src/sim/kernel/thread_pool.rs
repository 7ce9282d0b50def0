//! A process's thread pool: the threads that run `QueueUserWorkItem`'s work items and timer
//! queues' callbacks (`timer_queue`).
//!
//! Each host has two pools: the workers, as many threads as items waiting to run at once (up
//! to [`MAX_WORKERS`], Windows' default maximum), and the persistent thread, one, which runs
//! `WT_EXECUTEINPERSISTENTTHREAD` items and `WT_EXECUTEINTIMERTHREAD` callbacks one at a
//! time. An item queued while no thread of its pool is idle starts a new one (a daemon
//! simulated thread: the run does not wait for it); an idle thread waits on
//! [`WaitKey::Pool`], and the most recent to wait is woken first, as Windows releases the
//! threads waiting on the pool's completion port. Items run in the order queued. Idle threads
//! are kept for the run (Windows retires them after a while: nothing a program can rely on).
//!
//! A host may also have private pools (`CreateThreadpool`, [`PoolKind::Custom`]), whose
//! maximum and minimum the program sets: the Vista pool's objects created with an environment
//! naming one run their callbacks there. Each pool counts its threads busy with an item, which
//! `CallbackMayRunLong` reads.

use std::collections::{BTreeMap, VecDeque};

use crate::api::thread_pool::{WT_EXECUTEINPERSISTENTTHREAD, WT_EXECUTEINTIMERTHREAD};
use crate::api::{IoCompletion, TpCallbackPriority, WsaError};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{Layers, ThreadBody, WaitKey, World};

/// Windows' default maximum of a pool's worker threads.
pub(crate) const MAX_WORKERS: usize = 512;

/// A new private pool's maximum (Wine's ntdll; `SetThreadpoolThreadMaximum` changes it).
pub(crate) const PRIVATE_MAX: usize = 500;

/// Where the wait keys of private pools start (below it: `host * 2 + kind` of the default
/// pools).
const PRIVATE_KEYS: usize = 1 << 40;

/// Which pool of a host: its workers, or its one persistent thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum PoolKind {
    /// The worker threads (the default).
    Workers,
    /// The persistent thread (`WT_EXECUTEINPERSISTENTTHREAD`, `WT_EXECUTEINTIMERTHREAD`).
    Persistent,
    /// Private pool `id` (`CreateThreadpool`).
    Custom(usize),
}

impl PoolKind {
    /// The pool a work item or a timer's callbacks of `flags` run in.
    pub(crate) fn of_flags(flags: u32) -> PoolKind {
        if flags & (WT_EXECUTEINPERSISTENTTHREAD | WT_EXECUTEINTIMERTHREAD) != 0 {
            PoolKind::Persistent
        } else {
            PoolKind::Workers
        }
    }

    /// Its threads' name in the run's reports.
    pub(crate) fn thread_name(self) -> String {
        match self {
            PoolKind::Workers => "thread-pool worker".to_string(),
            PoolKind::Persistent => "thread-pool persistent".to_string(),
            PoolKind::Custom(id) => format!("thread-pool worker (pool {id})"),
        }
    }
}

/// The [`WaitKey::Pool`] of `host`'s pool `kind`.
pub(crate) fn pool_key(host: usize, kind: PoolKind) -> WaitKey {
    WaitKey::Pool(match kind {
        PoolKind::Workers => host * 2,
        PoolKind::Persistent => host * 2 + 1,
        PoolKind::Custom(id) => PRIVATE_KEYS + id,
    })
}

/// A `QueueUserWorkItem` function (its context captured).
pub(crate) type WorkFn<L> = Box<dyn FnOnce(&<L as Layers>::Handle) -> u32 + Send>;

/// What a pool thread runs.
pub(crate) enum PoolItem<L: Layers> {
    /// A `QueueUserWorkItem` work item.
    Work(WorkFn<L>),
    /// One expiry of timer-queue timer `id`: its callback, then its count of runs goes down.
    Timer(usize),
    /// One firing of registered wait `id` (`true`: its timeout passed first).
    Wait(usize, bool),
    /// A completion of an operation on a socket bound with `BindIoCompletionCallback`: the
    /// binding's callback (held by the item: the socket and its binding may go first), the
    /// completion.
    Io(IoCallbackFn<L>, IoCompletion),
    /// A Vista pool object (`tp_objects`) with runs queued: the thread that takes it runs
    /// the oldest.
    Tp(usize),
}

/// What one run of an object's callback is handed besides its instance and object.
#[derive(Debug)]
pub(crate) enum TpRun {
    /// Nothing (a work or timer object).
    Plain,
    /// A wait object's `TP_WAIT_RESULT` (WAIT_OBJECT_0 or WAIT_TIMEOUT).
    Wait(u32),
    /// An I/O object's completion.
    Io(IoCompletion),
}

/// One pool of one host.
struct Pool<L: Layers> {
    /// Items queued and not yet taken, oldest first, each with its host's crash count when
    /// queued (a crash ends them).
    /// By priority (`TpCallbackPriority`: high, normal, low); items other than the Vista
    /// objects' are normal.
    items: [VecDeque<(u32, PoolItem<L>)>; 3],
    /// Its threads (a crashed host's are dead and dropped when next counted).
    threads: Vec<usize>,
    /// Of those, the ones running an item.
    busy: usize,
}

impl<L: Layers> Default for Pool<L> {
    fn default() -> Self {
        Pool {
            items: Default::default(),
            threads: Vec::new(),
            busy: 0,
        }
    }
}

/// A private pool's settings.
pub(crate) struct PrivatePool {
    host: usize,
    /// The host's crash count when it was made (a crash ends it).
    boot: u32,
    /// The most threads it may have. (Its minimum only starts threads: pool threads are
    /// never retired here, so the minimum kept has nothing more to do.)
    max: usize,
    /// `CloseThreadpool` was called: no new object may name it (those made still run).
    closed: bool,
}

/// A `BindIoCompletionCallback` callback as the sim stores it.
pub(crate) type IoCallbackFn<L> =
    std::sync::Arc<dyn Fn(&<L as Layers>::Handle, IoCompletion) + Send + Sync>;

/// What a socket associated with the pool's port is bound to.
pub(crate) enum IoBinding<L: Layers> {
    /// `BindIoCompletionCallback`'s callback.
    Callback(IoCallbackFn<L>),
    /// I/O object `id` (`CreateThreadpoolIo`, `tp_io`).
    Tp(usize),
}

/// Every host's pools, by (host, kind), and what the sockets associated with them are
/// bound to.
pub(crate) struct ThreadPools<L: Layers> {
    pools: BTreeMap<(usize, PoolKind), Pool<L>>,
    /// The private pools, by number.
    private: BTreeMap<usize, PrivatePool>,
    /// The last private pool's number.
    last_pool: usize,
    /// `BindIoCompletionCallback` callbacks and I/O objects, by binding (a socket's
    /// completion key), while their socket lives.
    io_callbacks: BTreeMap<usize, IoBinding<L>>,
    /// The last binding number given.
    last_binding: usize,
    /// The function of a new pool thread, once a binding gave it (completions reach the pool
    /// from the lower layers, which cannot name it).
    body: Option<PoolThreadBody<L>>,
}

impl<L: Layers> Default for ThreadPools<L> {
    fn default() -> Self {
        ThreadPools {
            pools: BTreeMap::new(),
            private: BTreeMap::new(),
            last_pool: 0,
            io_callbacks: BTreeMap::new(),
            last_binding: 0,
            body: None,
        }
    }
}

/// Makes the function of a new pool thread of the given kind (the calls layer's loop: take
/// an item, run it, again).
pub(crate) type PoolThreadBody<L> = fn(PoolKind) -> ThreadBody<L>;

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Queues `item` on `host`'s pool `kind`, and wakes a thread for it ([`World::pool_wake`]).
    pub(crate) fn pool_push(
        &mut self,
        host: usize,
        kind: PoolKind,
        item: PoolItem<L>,
        body: PoolThreadBody<L>,
    ) {
        self.pool_requeue(host, kind, item, TpCallbackPriority::Normal);
        self.pool_wake(host, kind, body);
    }

    /// Puts `item` at the end of `host`'s pool `kind`'s queue of `priority`, waking no thread
    /// (an object with more runs, going back in line behind the others).
    pub(crate) fn pool_requeue(
        &mut self,
        host: usize,
        kind: PoolKind,
        item: PoolItem<L>,
        priority: TpCallbackPriority,
    ) {
        let boot = self.net.hosts.get(host).map_or(0, |h| h.crashes);
        let pool = self.kern.pools.pools.entry((host, kind)).or_default();
        pool.items[priority as usize].push_back((boot, item));
    }

    /// Work for `host`'s pool `kind`: an idle thread of the pool is woken (the most recent to
    /// wait), else a new thread starts, unless the pool has all it may have (then a running
    /// one takes the work when done).
    pub(crate) fn pool_wake(&mut self, host: usize, kind: PoolKind, body: PoolThreadBody<L>) {
        if let Some((tid, seq)) = self.pop_last_waiter(pool_key(host, kind)) {
            self.wake(tid, seq);
            return;
        }
        if self.pool_threads(host, kind) < self.pool_max(kind) {
            self.pool_start_thread(host, kind, body);
        }
    }

    /// How many threads `host`'s pool `kind` has (the dead ones of a crash forgotten).
    fn pool_threads(&mut self, host: usize, kind: PoolKind) -> usize {
        let killed = &self.net.faults.killed;
        let pool = self.kern.pools.pools.entry((host, kind)).or_default();
        pool.threads.retain(|t| !killed.contains(t));
        // A crash's threads died with their items: none of them is busy any more.
        pool.busy = pool.busy.min(pool.threads.len());
        pool.threads.len()
    }

    /// The most threads pool `kind` may have.
    fn pool_max(&self, kind: PoolKind) -> usize {
        match kind {
            PoolKind::Workers => MAX_WORKERS,
            PoolKind::Persistent => 1,
            PoolKind::Custom(id) => self.kern.pools.private.get(&id).map_or(1, |p| p.max),
        }
    }

    /// Starts one more thread of `host`'s pool `kind`.
    fn pool_start_thread(&mut self, host: usize, kind: PoolKind, body: PoolThreadBody<L>) {
        let tid = self.new_thread(host, kind.thread_name(), true, body(kind));
        if let Some(pool) = self.kern.pools.pools.get_mut(&(host, kind)) {
            pool.threads.push(tid);
        }
    }

    /// A thread of `host`'s pool `kind` has run its item.
    pub(crate) fn pool_done(&mut self, host: usize, kind: PoolKind) {
        if let Some(pool) = self.kern.pools.pools.get_mut(&(host, kind)) {
            pool.busy = pool.busy.saturating_sub(1);
        }
    }

    /// `CallbackMayRunLong` from a callback of `host`'s pool `kind`: whether the pool can
    /// still run another callback at once — an idle thread, or room for a new one, which
    /// starts (as Wine's ntdll does).
    pub(crate) fn pool_may_run_long(
        &mut self,
        host: usize,
        kind: PoolKind,
        body: PoolThreadBody<L>,
    ) -> bool {
        let threads = self.pool_threads(host, kind);
        let busy = self
            .kern
            .pools
            .pools
            .get(&(host, kind))
            .map_or(0, |p| p.busy);
        if busy < threads {
            return true;
        }
        if threads < self.pool_max(kind) {
            self.pool_start_thread(host, kind, body);
            return true;
        }
        false
    }

    /// `CreateThreadpool` on `host`: the new pool's number.
    pub(crate) fn pool_create(&mut self, host: usize) -> usize {
        let boot = self.net.hosts.get(host).map_or(0, |h| h.crashes);
        let pools = &mut self.kern.pools;
        pools.last_pool += 1;
        let id = pools.last_pool;
        let pool = PrivatePool {
            host,
            boot,
            max: PRIVATE_MAX,
            closed: false,
        };
        pools.private.insert(id, pool);
        id
    }

    /// Private pool `id` if it is an open one of `host`'s; otherwise ERROR_INVALID_HANDLE.
    pub(crate) fn pool_live(&self, host: usize, id: usize) -> Result<PoolKind, WsaError> {
        let boot = self.net.hosts.get(host).map_or(0, |h| h.crashes);
        match self.kern.pools.private.get(&id) {
            Some(p) if p.host == host && p.boot == boot && !p.closed => Ok(PoolKind::Custom(id)),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// `SetThreadpoolThreadMaximum`: at least 1 (threads above it go on with their items;
    /// no new one starts while there are as many).
    pub(crate) fn pool_set_max(&mut self, id: usize, max: u32) {
        if let Some(p) = self.kern.pools.private.get_mut(&id) {
            p.max = (max as usize).max(1);
        }
    }

    /// `SetThreadpoolThreadMinimum`: threads start until pool `id` of `host` has `min`; the
    /// maximum follows it up.
    pub(crate) fn pool_set_min(
        &mut self,
        host: usize,
        id: usize,
        min: u32,
        body: PoolThreadBody<L>,
    ) {
        let kind = PoolKind::Custom(id);
        let min = min as usize;
        while self.pool_threads(host, kind) < min {
            self.pool_start_thread(host, kind, body);
        }
        if let Some(p) = self.kern.pools.private.get_mut(&id) {
            p.max = p.max.max(min);
        }
    }

    /// `CloseThreadpool`: no new object may name pool `id`; those made still run there.
    pub(crate) fn pool_close(&mut self, id: usize) {
        if let Some(p) = self.kern.pools.private.get_mut(&id) {
            p.closed = true;
        }
    }

    /// Why a callback queued on pool `kind` of `host` does not start, if its threads are all
    /// busy and it may have no more (for a failed run's report).
    pub(crate) fn pool_starved(&self, host: usize, kind: PoolKind) -> Option<String> {
        let pool = self.kern.pools.pools.get(&(host, kind))?;
        let (threads, max) = (pool.threads.len(), self.pool_max(kind));
        (pool.busy >= threads && threads >= max).then(|| {
            format!(
                "its pool's {threads} thread(s), the most it may have, are all busy running \
                 callbacks, so none can start until one of them returns"
            )
        })
    }

    /// A thread of `host`'s pool `kind` looks for work: the oldest item queued at the highest
    /// priority that has one, or `None` (it then waits on the pool's key).
    pub(crate) fn pool_take(&mut self, host: usize, kind: PoolKind) -> Option<PoolItem<L>> {
        let boot = self.net.hosts.get(host).map_or(0, |h| h.crashes);
        let pool = self.kern.pools.pools.get_mut(&(host, kind))?;
        for lane in &mut pool.items {
            while let Some((queued, item)) = lane.pop_front() {
                if queued == boot {
                    pool.busy += 1;
                    return Some(item);
                }
            }
        }
        None
    }

    /// `BindIoCompletionCallback`: keeps `callback` under a new binding number (the
    /// socket's completion key) and the pool thread's function for the completions to come.
    pub(crate) fn pool_bind_io(
        &mut self,
        callback: IoBinding<L>,
        body: PoolThreadBody<L>,
    ) -> usize {
        let pools = &mut self.kern.pools;
        pools.body = Some(body);
        pools.last_binding += 1;
        let n = pools.last_binding;
        pools.io_callbacks.insert(n, callback);
        n
    }

    /// The socket of binding `binding` is gone: its callback is kept only by the completions
    /// already queued.
    pub(crate) fn pool_unbind_io(&mut self, binding: usize) {
        self.kern.pools.io_callbacks.remove(&binding);
    }

    /// A completion for binding `binding` of `host` (of an operation thread `issuer` started):
    /// queued on the host's workers with the binding's callback, or handed to its I/O object.
    pub(crate) fn pool_push_io(
        &mut self,
        host: usize,
        binding: usize,
        completion: IoCompletion,
        issuer: usize,
    ) {
        let pools = &self.kern.pools;
        let Some(body) = pools.body else { return };
        let callback = match pools.io_callbacks.get(&binding) {
            Some(IoBinding::Callback(c)) => c.clone(),
            Some(&IoBinding::Tp(id)) => {
                return self.tp_io_completion(id, completion, issuer, body);
            }
            None => return,
        };
        self.pool_push(
            host,
            PoolKind::Workers,
            PoolItem::Io(callback, completion),
            body,
        );
    }
}
