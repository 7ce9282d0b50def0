//! The run loop: one stackful coroutine per simulated thread (the `generator` crate), resumed
//! one at a time on the calling OS thread, so no lock order, OS scheduling or wall-clock
//! reading can leak into the result: the seed alone decides the run.

use std::cell::Cell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::Arc;

use crate::sim::runtime::WorldCell;
use generator::{Generator, Gn};

use super::decide::{Decision, RunEnd};
use super::stack_pool;
use super::watchdog::{self, Describe};
use super::{Layers, RuntimeHooks, SimErrorKind, ThreadOutcome, World};
use crate::api::WsaError;

/// A simulated thread's function.
pub(crate) type ThreadBody<L> =
    Box<dyn FnOnce(&<L as Layers>::Handle) -> Result<(), WsaError> + Send>;

/// A thread function run again each time its host restarts after a crash.
pub(crate) type RestartBody<L> =
    std::sync::Arc<dyn Fn(&<L as Layers>::Handle) -> Result<(), WsaError> + Send + Sync>;

/// Makes the handle a thread's function receives, from the world and the thread id.
pub(crate) type MakeHandle<L> = fn(Arc<WorldCell<World<L>>>, usize) -> <L as Layers>::Handle;

/// The unwind payload of a thread resumed at teardown (see [`Runner::teardown`]).
struct TornDown;

/// Live coroutines from which the run loop prefetches the next woken threads' stacks
/// ([`Runner::prefetch_next_woken`]). Below it the stacks' hot lines (about 1 KiB from a
/// thread's body to its switch) stay in the second-level cache anyway: the echo at 100
/// connections (200 threads) ran no faster with it (one thread at a time, stop 49) and
/// slower with it (eight at a time, stop 50), and the look-ahead costs about 50
/// instructions a decision.
const PREFETCH_LIVE: u64 = 512;

/// Deliveries whose woken threads [`Runner::prefetch_next_woken`] prefetches at once. The
/// generator crate's prefetch first reads the thread's saved stack pointer with a plain
/// load, which misses and stalls; several such loads issued together miss in parallel, so a
/// batch of eight pays about one stall where one thread at a time paid eight (the thread
/// shape at 1,000 clients: the prefetch's share of the run's time samples 15 % -> 5 %).
const PREFETCH_AHEAD: usize = 8;

thread_local! {
    /// Set while the run loop on this OS thread resumes a suspended coroutine to unwind it.
    static UNWINDING: Cell<bool> = const { Cell::new(false) };
    /// Whether the innermost call the running simulated thread is in leaves through
    /// [`checked_exit`]: set by such a call once it has entered ([`mark_checked`]), cleared
    /// by every call's entry ([`mark_unchecked`]) and by such a call's exit. Each thread's
    /// value is kept across its switches ([`resumed`] puts it back); the run loop clears it
    /// whenever a thread gives control back, so that no thread starts with another's.
    static CHECKED: Cell<bool> = const { Cell::new(false) };
    /// Set when a thread resumed at teardown returned from its switch point (its call then
    /// fails with WSAEINTR) instead of unwinding from there: the call's [`checked_exit`]
    /// starts the unwind.
    static TORN: Cell<bool> = const { Cell::new(false) };
}

/// Called by a simulated thread just before it gives up control: what it must hand to
/// [`resumed`] when it gets control back.
#[inline]
pub(crate) fn switching() -> bool {
    CHECKED.get()
}

/// Called by a simulated thread just after it gets control back, with what [`switching`]
/// gave it. When the run is being torn down, its stack unwinds (running its destructors,
/// as cancelling would) with a payload the thread's own frame catches, without the panic
/// hook and with one unwind: from here, or, inside a call that leaves through
/// [`checked_exit`], from that exit once the call has returned with WSAEINTR (`Err`).
///
/// The unwinder's cost is per frame, and the simulator's call frame, the call's whole body
/// inlined into it, is the dearest: returning out of it normally and unwinding from the
/// small frame around it takes about a third less per unwound thread (callgrind; *Many
/// short runs* in the README).
#[inline]
pub(crate) fn resumed(checked: bool) -> Result<(), WsaError> {
    CHECKED.set(checked);
    if UNWINDING.get() {
        if checked {
            TORN.set(true);
            return Err(WsaError::WSAEINTR);
        }
        resume_unwind(Box::new(TornDown));
    }
    Ok(())
}

/// Every call's entry: until it says otherwise, the innermost call leaves without a check.
#[inline]
pub(crate) fn mark_unchecked() {
    CHECKED.set(false);
}

/// A call that leaves through [`checked_exit`], once it has entered.
#[inline]
pub(crate) fn mark_checked() {
    CHECKED.set(true);
}

/// The exit of a call marked by [`mark_checked`], in the small frame around the call's
/// body: unwinds from here if the thread was resumed at teardown inside the call.
#[inline(always)]
pub(crate) fn checked_exit<R>(r: R) -> R {
    CHECKED.set(false);
    if TORN.get() {
        TORN.set(false);
        resume_unwind(Box::new(TornDown));
    }
    r
}

/// Stops a simulated thread for good at the run's end: it looped on calls after its unwind
/// began (in a destructor, or in code that caught the unwind). Control goes back to the
/// teardown, which never resumes the thread again and leaves its stack mapped (see
/// [`Runner::teardown`]): a thread that will not end must not hang the run's end.
pub(crate) fn park_for_good() -> ! {
    loop {
        #[allow(deprecated)] // `yield_with` is the only free-function yield of generator 0.8
        generator::yield_with(());
    }
}

/// The coroutines of a run, by thread id.
pub(crate) struct Runner {
    gens: Vec<Option<Generator<'static, (), ()>>>,
    /// Whether each thread's coroutine has been resumed at least once (a coroutine never
    /// started has no frames to unwind).
    started: Vec<bool>,
    /// Coroutines alive now (started and not finished).
    live: u64,
    stack_words: usize,
    /// Per link, the sequence number of the first delivery whose woken thread
    /// [`Runner::prefetch_next_woken`] has not prefetched yet.
    ahead: Vec<u64>,
}

impl Runner {
    pub(crate) fn new(stack_size: usize) -> Runner {
        Runner {
            gens: Vec::new(),
            started: Vec::new(),
            live: 0,
            stack_words: stack_size / std::mem::size_of::<usize>(),
            ahead: Vec::new(),
        }
    }

    fn adopt_spawned<L: Layers>(
        &mut self,
        world: &Arc<WorldCell<World<L>>>,
        make_handle: MakeHandle<L>,
        queued: Vec<(usize, ThreadBody<L>)>,
    ) -> u64
    where
        World<L>: RuntimeHooks<L>,
    {
        let mut reused = 0;
        for (tid, body) in queued {
            let world = world.clone();
            let body = move || {
                let ws = make_handle(world.clone(), tid);
                let run = || {
                    let r = body(&ws);
                    L::thread_exit(&ws);
                    r
                };
                let outcome = match catch_unwind(AssertUnwindSafe(run)) {
                    Ok(Ok(())) => ThreadOutcome::Ok,
                    Ok(Err(e)) => ThreadOutcome::Err(e),
                    Err(payload) => {
                        if payload.is::<TornDown>() || payload.is::<generator::Error>() {
                            // Unwound at teardown while suspended: the frames are unwound and
                            // the run is over; the coroutine ends here.
                            return;
                        }
                        ThreadOutcome::Panicked(panic_message(&payload))
                    }
                };
                world.borrow_mut().thread_finished(tid, outcome);
            };
            // A finished thread's coroutine runs the new body on its stack when one is free.
            let gen = match stack_pool::take(self.stack_words) {
                Some(mut g) => {
                    reused += 1;
                    g.init_code(body);
                    g
                }
                None => Gn::<()>::new_opt(self.stack_words, body),
            };
            if self.gens.len() <= tid {
                self.gens.resize_with(tid + 1, || None);
                self.started.resize(tid + 1, false);
            }
            self.gens[tid] = Some(gen);
            self.started[tid] = false;
        }
        reused
    }

    /// No thread can run, so the run loop's next decision fires the next event: when that
    /// is a delivery to a socket a thread waits on, the thread's coroutine is brought into
    /// the cache (its context and the top of its saved stack) while the delivery is worked
    /// through, instead of missing there when the thread is resumed. The threads of the
    /// next [`PREFETCH_AHEAD`] deliveries on the same link are fetched with it, once for
    /// the batch (`ahead` remembers, per link, where the last batch ended). A hint only: it
    /// reads, changes nothing, and a thread the delivery does not wake costs a wasted fetch.
    #[inline(never)]
    fn prefetch_next_woken<L: Layers>(&mut self, w: &World<L>)
    where
        World<L>: RuntimeHooks<L>,
    {
        let Some((li, head)) = w.rt.timers.due_link() else {
            return;
        };
        if self.ahead.get(li).is_some_and(|&next| next > head) {
            return;
        }
        let mut through = head;
        for (seq, pkt) in w.rt.timers.link_queue(li).take(PREFETCH_AHEAD) {
            through = seq;
            if let Some(Some(g)) = w.wake_hint(pkt).and_then(|t| self.gens.get(t)) {
                g.prefetch();
            }
        }
        if self.ahead.len() <= li {
            self.ahead.resize(li + 1, 0);
        }
        self.ahead[li] = through + 1;
    }

    /// Runs until every non-daemon thread has finished, a thread fails, time runs out or
    /// nothing can happen any more.
    pub(crate) fn run<L: Layers>(
        &mut self,
        world: &Arc<WorldCell<World<L>>>,
        make_handle: MakeHandle<L>,
    ) -> RunEnd
    where
        World<L>: RuntimeHooks<L>,
    {
        let stall_after = world.borrow_mut().rt.cfg.stall_timeout;
        let watch = watchdog::watch(stall_after, describe(world));
        world.borrow_mut().rt.watch = watch.clone();
        let end = self.run_watched(world, make_handle, watch.as_deref());
        // The run is no longer watched once it returns (the watchdog drops it with the last
        // `Arc`); a decision a thread took in place and the run never acted on is dropped.
        let mut w = world.borrow_mut();
        w.rt.watch = None;
        w.rt.decided = None;
        end
    }

    /// [`Runner::run`] under the stall watchdog's `watch`, if any.
    fn run_watched<L: Layers>(
        &mut self,
        world: &Arc<WorldCell<World<L>>>,
        make_handle: MakeHandle<L>,
        watch: Option<&watchdog::Watch>,
    ) -> RunEnd
    where
        World<L>: RuntimeHooks<L>,
    {
        // The thread resumed last, for the score of picks of the thread that had just run.
        let mut last = usize::MAX;
        loop {
            // One lock from one resumption to the next: new threads adopted, timers and
            // deliveries fired and the next thread picked under it.
            let tid = {
                let mut w = world.borrow_mut();
                loop {
                    // A thread that blocked may have decided already (and scored its pick:
                    // see `World::decide_in_place`).
                    let decision = match w.rt.decided.take() {
                        Some(d) => d,
                        None => {
                            if self.live >= PREFETCH_LIVE && w.rt.runnable.is_empty() {
                                self.prefetch_next_woken(&w);
                            }
                            let d = w.decide();
                            if let Decision::Run(t) = d {
                                w.rt.self_picks.note(t == last);
                            }
                            d
                        }
                    };
                    match decision {
                        Decision::Adopt => {
                            let queued = std::mem::take(&mut w.rt.spawn_queue);
                            let new = queued.len() as u64;
                            self.live += new;
                            w.rt.stats.threads_peak = w.rt.stats.threads_peak.max(self.live);
                            let reused = self.adopt_spawned(world, make_handle, queued);
                            w.rt.stats.stacks_reused += reused;
                            w.rt.stats.stacks_mapped += new - reused;
                        }
                        Decision::Run(tid) => break tid,
                        Decision::End(end) => return end,
                    }
                }
            };
            last = tid;
            let Some(g) = self.gens[tid].as_mut() else {
                continue;
            };
            if let Some(w) = &watch {
                w.resuming(tid);
            }
            self.started[tid] = true;
            let resumed = catch_unwind(AssertUnwindSafe(|| g.resume()));
            // The next thread starts, or goes on, with its own mark, not this one's (which
            // `resumed` gives back to this thread if it switched).
            CHECKED.set(false);
            if let Some(stalled) = watch.as_ref().and_then(|w| w.resumed()) {
                world.borrow_mut().rt.stalled = Some(stalled);
                return RunEnd::Failed(SimErrorKind::Stalled);
            }
            if let Err(payload) = resumed {
                // The coroutine's guard page caught a stack overflow: report it as the
                // thread's failure instead of tearing down the caller.
                if matches!(
                    payload.downcast_ref::<generator::Error>(),
                    Some(generator::Error::StackErr)
                ) {
                    // Not reused: the overflow left the stack's frames unwound.
                    self.gens[tid] = None;
                    self.live -= 1;
                    let msg = format!(
                        "stack overflow in a simulated thread (its stack is {} KiB; raise it \
                         with SimBuilder::stack_size)",
                        self.stack_words * std::mem::size_of::<usize>() / 1024
                    );
                    world
                        .borrow_mut()
                        .thread_finished(tid, ThreadOutcome::Panicked(msg));
                    continue;
                }
                resume_unwind(payload);
            }
            if g.is_done() {
                self.live -= 1;
                if let Some(done) = self.gens[tid].take() {
                    stack_pool::keep(self.stack_words, done);
                }
            }
        }
    }

    /// Unwinds the coroutines of unfinished threads, in thread order, so that the values on
    /// their stacks are dropped; no code of theirs runs but destructors, and calls those make
    /// fail with WSAEINTR instead of blocking.
    ///
    /// A suspended thread is resumed with [`UNWINDING`] set, and unwinds itself from its
    /// switch point, or from the exit of the call it was in ([`resumed`]): one unwind that
    /// stops at the thread's own frame, about half the instructions of the generator
    /// crate's cancellation (a panic through the panic hook, then a second unwind to the
    /// coroutine's root). A thread that keeps calling instead of ending (it caught the
    /// unwind, or a destructor retries) is stopped by [`park_for_good`] and its coroutine
    /// leaked, never resumed again.
    pub(crate) fn teardown<L: Layers>(&mut self, world: &Arc<WorldCell<World<L>>>) {
        world.borrow_mut().rt.tearing_down = true;
        for (tid, slot) in self.gens.iter_mut().enumerate() {
            let Some(g) = slot else { continue };
            if !self.started[tid] || g.is_done() {
                continue;
            }
            let was = UNWINDING.replace(true);
            let resumed = catch_unwind(AssertUnwindSafe(|| g.resume()));
            UNWINDING.set(was);
            // A thread stopped for good before its call's exit leaves these set.
            TORN.set(false);
            CHECKED.set(false);
            if let Err(payload) = resumed {
                // A stack overflow while unwinding: the stack is left as it is, and unmapped.
                if !matches!(
                    payload.downcast_ref::<generator::Error>(),
                    Some(generator::Error::StackErr)
                ) {
                    resume_unwind(payload);
                }
                *slot = None;
            }
        }
        for (tid, g) in self.gens.drain(..).enumerate() {
            // Unwound, or never started: the stack serves a later run's thread.
            match g {
                Some(g) if g.is_done() && self.started[tid] => {
                    stack_pool::keep(self.stack_words, g)
                }
                // Stopped for good (`park_for_good`): dropping the coroutine would resume it
                // to cancel it, into the loop it was stopped in. Its stack is leaked instead.
                Some(g) if self.started[tid] => std::mem::forget(g),
                g => drop(g),
            }
        }
        self.started.clear();
    }
}

/// What the watchdog prints about thread `tid` of this run: the seed, the thread, the last
/// trace lines (if the world is not locked at that moment).
fn describe<L: Layers>(world: &Arc<WorldCell<World<L>>>) -> Describe {
    let world = Arc::downgrade(world);
    Box::new(move |tid| {
        let Some(world) = world.upgrade() else {
            return "(the run has ended)".to_string();
        };
        let Some(w) = world.try_borrow_mut() else {
            return "(the simulation state is locked; no details)".to_string();
        };
        let rt = &w.rt;
        let name = rt.threads.get(tid).map_or("?", |t| t.name.as_str());
        let mut s = format!(
            "seed {} (replay with WINSOCK_SIM_SEED={}), thread t{tid} {name:?}, virtual time \
             {:.6} s; last trace lines:",
            rt.cfg.seed,
            rt.cfg.seed,
            rt.now as f64 / 1e9
        );
        for r in rt.trace.recent() {
            s.push_str(&format!("\n  {r}"));
        }
        s
    })
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}
