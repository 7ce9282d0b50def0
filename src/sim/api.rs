//! `SimWinsock`: the simulator's handle implementing the [`Winsock`](crate::Winsock) trait,
//! one per simulated thread, and the per-call plumbing every call of every I/O model goes
//! through. The calls themselves live with their model: `winsock.rs` (the core calls),
//! `select.rs`, `async_select.rs`, `event_select.rs`, `overlapped_api.rs`, `mswsock.rs`,
//! `wsa_ioctl.rs`, `iocp.rs`, `apc.rs`.
//!
//! Every call follows the same path: a possible preemption point (seeded), the
//! WSANOTINITIALISED check, the fault seam, the work (which may block: the thread registers its
//! wait and yields to the scheduler, then tries again), and finally the per-thread last error
//! and a trace record.

use std::sync::Arc;

use crate::sim::runtime::{self, WorldCell, WorldRef};

use crate::api::{SockAddr, Socket, ThreadId, WsaData, WsaError};
use crate::sim::kernel::{KThread, Kernel};
use crate::sim::models::ModelState;
use crate::sim::net::segment::InFlight;
use crate::sim::net::tcp::NetTimer;
use crate::sim::net::Network;
use crate::sim::runtime::trace::{TraceKind, STALLED};
use crate::sim::runtime::Layers;
use crate::sim::runtime::Step;
use crate::sim::socket::SocketLayer;

/// The simulator's layers, composed.
pub(crate) struct SimLayers;

impl Layers for SimLayers {
    type Net = Network;
    type Sock = SocketLayer;
    type Kern = Kernel<SimLayers>;
    type Models = ModelState<SimLayers>;
    type Handle = SimWinsock;
    type Timer = NetTimer;
    type Packet = InFlight;
    type ThreadExt = KThread<SimLayers>;

    fn thread_exit(ws: &SimWinsock) {
        ws.local_storage_at_exit();
    }
}

/// The whole simulated state, every layer in its slot.
pub(crate) type World = super::runtime::World<SimLayers>;

/// What [`SimWinsock::count_spin`] found: a call that did not wait, counted towards the
/// spin limit.
pub(crate) enum Spun {
    /// Below the limit: the thread goes on.
    No,
    /// Past it: the thread is parked as a spinner until time moves.
    Park,
    /// Past it at the run's end: the thread is stopped for good.
    ForGood,
}

/// The world's lock, when a call's body ends still holding it.
pub(crate) type Held<'a> = Option<WorldRef<'a, World>>;

/// The [`Winsock`](crate::Winsock) handle a simulated thread's function receives.
pub struct SimWinsock {
    world: Arc<WorldCell<World>>,
    pub(crate) tid: usize,
    pub(crate) host: usize,
}

impl std::fmt::Debug for SimWinsock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SimWinsock(thread {}, host {})", self.tid, self.host)
    }
}

/// A call's result as one trace number.
pub(crate) trait Traced {
    fn traced(&self) -> i64;
}
impl Traced for () {
    fn traced(&self) -> i64 {
        0
    }
}
impl Traced for usize {
    fn traced(&self) -> i64 {
        *self as i64
    }
}
impl Traced for Socket {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}
impl Traced for SockAddr {
    fn traced(&self) -> i64 {
        i64::from(self.port().unwrap_or(0))
    }
}
impl Traced for (Socket, SockAddr) {
    fn traced(&self) -> i64 {
        self.0.raw() as i64
    }
}
impl Traced for WsaData {
    fn traced(&self) -> i64 {
        i64::from(self.version)
    }
}
impl Traced for crate::api::WsaEvent {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}
impl Traced for crate::api::Hwnd {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}
impl Traced for isize {
    fn traced(&self) -> i64 {
        *self as i64
    }
}
impl Traced for Option<crate::api::Msg> {
    fn traced(&self) -> i64 {
        self.map_or(-1, |m| i64::from(m.message))
    }
}
impl Traced for (usize, Option<std::net::SocketAddr>) {
    fn traced(&self) -> i64 {
        self.0 as i64
    }
}
impl Traced for ThreadId {
    fn traced(&self) -> i64 {
        self.0 as i64
    }
}

impl SimWinsock {
    pub(crate) fn new(world: Arc<WorldCell<World>>, tid: usize) -> SimWinsock {
        let host = world.borrow_mut().rt.threads[tid].host;
        SimWinsock { world, tid, host }
    }

    /// Hands control to the scheduler until this thread is picked again. When the sim is
    /// torn down instead, this thread's stack unwinds: from here, or, inside a call that
    /// leaves through a checked exit ([`SimWinsock::call_marked`] and its kind), from that
    /// exit, the call failing with WSAEINTR on its way there (`Err`).
    #[allow(deprecated)] // `yield_with` is the only free-function yield of generator 0.8
    pub(crate) fn switch_to_scheduler(&self) -> Result<(), WsaError> {
        let checked = runtime::switching();
        generator::yield_with(());
        runtime::resumed(checked)
    }

    /// The world. Only one simulated thread runs at a time and none holds the world across
    /// a switch, so it is always free: [`WorldCell::borrow_mut`] turns a broken invariant
    /// into a panic instead of a hang.
    #[inline]
    pub(crate) fn w(&self) -> WorldRef<'_, World> {
        self.world.borrow_mut()
    }

    /// The simulated thread's index.
    pub fn thread_id(&self) -> ThreadId {
        ThreadId(self.tid)
    }

    /// Current virtual time.
    pub fn now(&self) -> std::time::Duration {
        std::time::Duration::from_nanos(self.w().rt.now)
    }

    /// When a timed wait of `ms` milliseconds that starts now falls due (`None` for
    /// INFINITE): then exactly, or on the host's clock interrupt under
    /// [`TimerResolution::Windows`](crate::sim::TimerResolution::Windows).
    pub(crate) fn timeout_due(&self, ms: u32) -> Option<u64> {
        self.w().timeout_due(self.host, ms)
    }

    /// Common start of a call: preemption point, then (unless `startup_free`) the
    /// WSANOTINITIALISED check and the fault seam.
    pub(crate) fn enter(&self, call: &'static str, startup_free: bool) -> Result<(), WsaError> {
        self.enter_locked(call, startup_free).map(drop)
    }

    /// [`SimWinsock::enter`], handing the world lock on to the call's body (a send or recv
    /// then locks the world once on its way in, not twice). Inline into each call, as
    /// [`SimWinsock::finish_held`] is (stop 51: 68 to 107 fewer instructions a message).
    #[inline(always)]
    pub(crate) fn enter_locked(
        &self,
        call: &'static str,
        startup_free: bool,
    ) -> Result<WorldRef<'_, World>, WsaError> {
        runtime::mark_unchecked();
        {
            let mut w = self.w();
            if w.rt.tearing_down {
                return Err(WsaError::WSAEINTR);
            }
            if !w.net.faults.idle() {
                w = self.planned_entry(w, call)?;
            }
            w.rt.stats.calls += 1;
            let (num, den) = w.rt.cfg.preempt;
            // No preemption here (the common case), or one no other thread could take: one
            // lock for the whole entry.
            if !w.rt.sched.preempt(num, den) || w.preempt_in_place(self.tid) {
                self.entry_check(&mut w, call, startup_free)?;
                return Ok(w);
            }
            w.requeue(self.tid);
        }
        self.switch_to_scheduler()?;
        let mut w = self.w();
        self.entry_check(&mut w, call, startup_free)?;
        Ok(w)
    }

    /// The checks every call but WSAStartup's kind makes on entry: WSANOTINITIALISED, then
    /// the fault plan (out of line: most runs have no call faults).
    #[inline]
    fn entry_check(
        &self,
        w: &mut World,
        call: &'static str,
        startup_free: bool,
    ) -> Result<(), WsaError> {
        if startup_free {
            return Ok(());
        }
        if w.sock.procs[self.host].wsa_refs == 0 {
            return Err(WsaError::WSANOTINITIALISED);
        }
        if w.net.faults.idle() {
            return Ok(());
        }
        self.call_fault(w, call)
    }

    /// The fault plan's verdict on this call: fail it with the plan's error, or let it run.
    #[cold]
    fn call_fault(&self, w: &mut World, call: &'static str) -> Result<(), WsaError> {
        let now = w.rt.now;
        let net = &mut w.net;
        match net.faults.on_call(call, &net.hosts[self.host].addrs, now) {
            Some(e) => {
                let code = -i64::from(e.code());
                w.record(self.tid, TraceKind::Fault("call fails"), 0, 0, code);
                Err(e)
            }
            None => Ok(()),
        }
    }

    /// What the fault plan does to a call on its way in: a thread of a crashed host never
    /// returns from it; a thread the plan stalls first waits out its pause (and never
    /// returns either if its host crashed meanwhile).
    #[cold]
    fn planned_entry<'a>(
        &'a self,
        mut w: WorldRef<'a, World>,
        call: &'static str,
    ) -> Result<WorldRef<'a, World>, WsaError> {
        if !w.net.faults.is_killed(self.tid) {
            if !self.planned_stall(&mut w, call) {
                return Ok(w);
            }
            drop(w);
            self.suspend()?;
            w = self.w();
            if !w.net.faults.is_killed(self.tid) {
                return Ok(w);
            }
        }
        drop(w);
        Err(self.stop_for_good())
    }

    /// Whether the fault plan takes this thread off its processor before `call`
    /// ([`FaultRule::Stall`](crate::sim::fault::FaultRule::Stall)): if so it is stalled,
    /// traced (`a` = the pause in nanoseconds), and the caller lets go of the world and
    /// suspends.
    #[cold]
    fn planned_stall(&self, w: &mut World, call: &'static str) -> bool {
        let now = w.rt.now;
        let net = &mut w.net;
        let Some(pause) = net.faults.on_stall(call, &net.hosts[self.host].addrs, now) else {
            return false;
        };
        w.record(self.tid, TraceKind::Fault(STALLED), pause, 0, 0);
        w.stall(
            self.tid,
            "stalled before a call (fault plan)",
            now.saturating_add(pause),
        );
        true
    }

    /// A thread of a crashed host never returns from its call: it waits here, for nothing,
    /// until the run is torn down (then WSAEINTR).
    fn stop_for_good(&self) -> WsaError {
        loop {
            let mut w = self.w();
            let key = crate::sim::runtime::WaitKey::Thread(self.tid);
            w.block(self.tid, "nothing (its host crashed)", &[key], None);
            drop(w);
            if let Err(e) = self.suspend() {
                return e;
            }
        }
    }

    /// Common end of a call: last error, trace, polling accounting.
    pub(crate) fn finish<T: Traced>(
        &self,
        call: &'static str,
        a: u64,
        b: u64,
        r: Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        self.finish_held(None, call, a, b, r)
    }

    /// [`SimWinsock::finish`] under the lock the call's body still holds, if it does (one
    /// lock and unlock fewer per call: each is an atomic read-modify-write). Inline into
    /// each call, whose name is then a constant: its trace record's code folds at compile
    /// time (stop 51: 138 to 379 fewer instructions a message).
    #[inline(always)]
    pub(crate) fn finish_held<'a, T: Traced>(
        &'a self,
        held: Held<'a>,
        call: &'static str,
        a: u64,
        b: u64,
        r: Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        let spun = {
            let mut w = match held {
                Some(w) => w,
                None => self.w(),
            };
            if w.net.faults.is_killed(self.tid) {
                drop(w);
                return Err(self.stop_for_good());
            }
            let code = match &r {
                Ok(v) => {
                    w.rt.threads[self.tid].last_error = 0;
                    v.traced()
                }
                Err(e) => {
                    w.rt.threads[self.tid].last_error = e.code();
                    -i64::from(e.code())
                }
            };
            w.record(self.tid, TraceKind::Call(call), a, b, code);
            // Every call counts towards the spin limit, whatever it returns: a loop of calls
            // that succeed at once (recv returning 0, a select that finds a closed socket
            // readable, FIONREAD) spins as surely as one of WSAEWOULDBLOCKs, and virtual time
            // must pass for it. Only a real wait (`World::block`) resets the count.
            self.count_spin(&mut w)
        };
        self.after_spin(spun);
        r
    }

    /// Counts a call that did not wait towards the spin limit, under the world lock: past
    /// the limit the thread is parked as a spinner, so that virtual time can pass. At the
    /// run's end time no longer passes and every call fails at once, so a thread that loops
    /// on calls then (a destructor retrying on WSAEINTR, code that caught the run end's
    /// unwind) is stopped for good instead: see [`SimWinsock::after_spin`].
    pub(crate) fn count_spin(&self, w: &mut World) -> Spun {
        if !w.note_idle(self.tid) {
            Spun::No
        } else if w.rt.tearing_down {
            Spun::ForGood
        } else {
            w.park_spinner(self.tid);
            Spun::Park
        }
    }

    /// Acts on [`SimWinsock::count_spin`]'s verdict once the world lock is released.
    pub(crate) fn after_spin(&self, spun: Spun) {
        match spun {
            Spun::No => {}
            // Resumed at teardown: the call's result stands, and its checked exit, if it
            // has one, unwinds.
            Spun::Park => {
                let _ = self.switch_to_scheduler();
            }
            // Back to the teardown, which never resumes this thread again.
            Spun::ForGood => crate::sim::runtime::park_for_good(),
        }
    }

    /// Runs `body` between `enter` and `finish`.
    pub(crate) fn call<T: Traced>(
        &self,
        name: &'static str,
        a: u64,
        b: u64,
        body: impl FnOnce(&Self) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        let r = self.enter(name, false).and_then(|()| body(self));
        self.finish(name, a, b, r)
    }

    /// [`SimWinsock::call`] for a body that starts by locking the world (it gets the lock
    /// `enter` took) and may give the lock back when it ends holding it, so that `finish`
    /// does not lock again.
    pub(crate) fn call_held<'a, T: Traced>(
        &'a self,
        name: &'static str,
        a: u64,
        b: u64,
        body: impl FnOnce(&'a Self, WorldRef<'a, World>) -> (Result<T, WsaError>, Held<'a>),
    ) -> Result<T, WsaError> {
        let (r, held) = match self.enter_locked(name, false) {
            Ok(w) => body(self, w),
            Err(e) => (Err(e), None),
        };
        self.finish_held(held, name, a, b, r)
    }

    /// [`SimWinsock::call`] for a call whose body is a function of its own
    /// (`#[inline(never)]`), called from a small frame that leaves through
    /// [`runtime::checked_exit`]: a thread resumed at teardown inside it returns from the
    /// body with WSAEINTR and unwinds from that small frame (see
    /// [`SimWinsock::switch_to_scheduler`]). For the calls threads are commonly blocked in
    /// when a run ends.
    pub(crate) fn call_marked<T: Traced>(
        &self,
        name: &'static str,
        a: u64,
        b: u64,
        body: impl FnOnce(&Self) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        self.call(name, a, b, |this| {
            runtime::mark_checked();
            body(this)
        })
    }

    /// [`SimWinsock::call_held`] for a call with a checked exit, as [`SimWinsock::call_marked`].
    pub(crate) fn call_held_marked<'a, T: Traced>(
        &'a self,
        name: &'static str,
        a: u64,
        b: u64,
        body: impl FnOnce(&'a Self, WorldRef<'a, World>) -> (Result<T, WsaError>, Held<'a>),
    ) -> Result<T, WsaError> {
        self.call_held(name, a, b, |this, w| {
            runtime::mark_checked();
            body(this, w)
        })
    }

    /// A call that neither blocks nor goes through [`SimWinsock::finish`] (reading the last
    /// error, the system information): it still counts towards the spin limit.
    pub(crate) fn spin_point(&self) {
        self.idle_poll();
    }

    /// Gives up the CPU until woken. WSAEINTR when the run is being torn down.
    pub(crate) fn suspend(&self) -> Result<(), WsaError> {
        if self.w().rt.tearing_down {
            return Err(WsaError::WSAEINTR);
        }
        self.switch_to_scheduler()
    }

    /// [`SimWinsock::suspend`] for a caller that holds the world lock (just registered its
    /// wait): checks for teardown under that lock instead of taking it again. Gives the
    /// world back when the thread decided in place to go on itself (it never let go of it).
    #[inline]
    fn suspend_with<'a>(
        &'a self,
        mut w: WorldRef<'a, World>,
    ) -> Result<WorldRef<'a, World>, WsaError> {
        if w.rt.tearing_down {
            return Err(WsaError::WSAEINTR);
        }
        if w.decide_in_place(self.tid) {
            return Ok(w);
        }
        drop(w);
        self.switch_to_scheduler()?;
        Ok(self.w())
    }

    /// Runs `step` until it is done, blocking in between. `s`/`id` name the socket the call
    /// works on: if its handle is closed meanwhile, the call fails with WSAEINTR.
    pub(crate) fn blocking<T>(
        &self,
        call: &'static str,
        s: Option<(Socket, usize)>,
        step: impl FnMut(&mut World) -> Step<T>,
    ) -> Result<T, WsaError> {
        self.blocking_from(self.w(), call, s, step)
    }

    /// [`SimWinsock::blocking`], starting with the world already locked by a caller that just
    /// resolved the handle under that lock (the first attempt skips the handle re-check: a
    /// send or recv that does not block then takes the lock once).
    pub(crate) fn blocking_from<'a, T>(
        &'a self,
        w: WorldRef<'a, World>,
        call: &'static str,
        s: Option<(Socket, usize)>,
        step: impl FnMut(&mut World) -> Step<T>,
    ) -> Result<T, WsaError> {
        self.blocking_held(w, call, s, step).0
    }

    /// [`SimWinsock::blocking_from`], giving back the lock it ends with (none when the wait
    /// was cut short by the run's end).
    pub(crate) fn blocking_held<'a, T>(
        &'a self,
        mut w: WorldRef<'a, World>,
        call: &'static str,
        s: Option<(Socket, usize)>,
        mut step: impl FnMut(&mut World) -> Step<T>,
    ) -> (Result<T, WsaError>, Held<'a>) {
        // The socket's incarnation, so that a socket closed meanwhile is noticed even when a
        // new one got the same handle value and the same id.
        let incarnation = s.and_then(|(_, id)| w.net.sockets.incarnation(id));
        // A WinSock call that has to wait waits alertably ("Winsock performs an alertable
        // wait in this situation, which can be interrupted by an APC scheduled on the same
        // thread": accept, recv, send, connect ...; sock.c test_accept): queued APCs run
        // and the call goes on.
        let alertable = s.is_some();
        loop {
            let step = step(&mut w);
            if alertable && !matches!(step, Step::Done(_)) && w.rt.threads[self.tid].ext.has_apcs()
            {
                drop(w);
                self.run_apcs();
                w = self.w();
            } else {
                let suspended = match step {
                    Step::Done(r) => return (r, Some(w)),
                    Step::Wait(key, deadline) => {
                        w.rt.threads[self.tid].ext.socket_wait = alertable;
                        w.block(self.tid, call, &[key], deadline);
                        self.suspend_with(w)
                    }
                    Step::WaitAny(keys, deadline) => {
                        w.rt.threads[self.tid].ext.socket_wait = alertable;
                        w.block(self.tid, call, &keys, deadline);
                        self.suspend_with(w)
                    }
                };
                match suspended {
                    Ok(back) => w = back,
                    Err(e) => return (Err(e), None),
                }
                w.rt.threads[self.tid].ext.socket_wait = false;
            }
            if let Some((s, id)) = s {
                if w.sock_id(self.host, s) != Ok(id) || w.net.sockets.incarnation(id) != incarnation
                {
                    return (Err(WsaError::WSAEINTR), Some(w));
                }
            }
        }
    }

    pub(crate) fn sock(&self, s: Socket) -> Result<usize, WsaError> {
        self.w().sock_id(self.host, s)
    }

    /// A polling call found nothing (a zero-timeout select or wait, an empty PeekMessage):
    /// after enough of those in a row the thread is parked until the clock moves.
    pub(crate) fn idle_poll(&self) {
        let spun = self.count_spin(&mut self.w());
        self.after_spin(spun);
    }
}
