//! The run loop: one stackful coroutine per simulated thread (the `generator` crate), resumed
//! one at a time on the calling OS thread, so no lock order, OS scheduling or wall-clock
//! reading can leak into the result: the seed alone decides the run.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::Arc;

use generator::{Generator, Gn};
use parking_lot::Mutex;

use super::trace::TraceKind;
use super::watchdog::{self, Describe};
use super::{Layers, Nanos, RuntimeHooks, SimErrorKind, ThreadOutcome, World};
use crate::api::WsaError;

/// A simulated thread's function.
pub(crate) type ThreadBody<L> =
    Box<dyn FnOnce(&<L as Layers>::Handle) -> Result<(), WsaError> + Send>;

/// A thread function run again each time its host restarts after a crash.
pub(crate) type RestartBody<L> =
    std::sync::Arc<dyn Fn(&<L as Layers>::Handle) -> Result<(), WsaError> + Send + Sync>;

/// Makes the handle a thread's function receives, from the world and the thread id.
pub(crate) type MakeHandle<L> = fn(Arc<Mutex<World<L>>>, usize) -> <L as Layers>::Handle;

/// Virtual time that passes for each round of busy-polling threads (parked spinners) when no
/// timer falls due sooner: 1 ms.
const SPIN_QUANTUM: Nanos = 1_000_000;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunEnd {
    /// Every non-daemon thread finished (or, with none, nothing was left to do).
    Done,
    /// The run failed.
    Failed(SimErrorKind),
}

/// How many finished threads' coroutines a run keeps for reuse. A new thread takes one (its
/// stack already mapped, its pages already faulted in) instead of mapping a fresh stack; the
/// cap bounds what idle stacks may hold (at most 128 × the stack size, 32 MiB at the default
/// 256 KiB, usually far less: only the pages a thread touched are resident).
const STACK_POOL_CAP: usize = 128;

/// The coroutines of a run, by thread id.
pub(crate) struct Runner {
    gens: Vec<Option<Generator<'static, (), ()>>>,
    /// Finished coroutines, kept to run the next new threads on their stacks.
    pool: Vec<Generator<'static, (), ()>>,
    /// Coroutines alive now (started and not finished).
    live: u64,
    stack_words: usize,
}

impl Runner {
    pub(crate) fn new(stack_size: usize) -> Runner {
        Runner {
            gens: Vec::new(),
            pool: Vec::new(),
            live: 0,
            stack_words: stack_size / std::mem::size_of::<usize>(),
        }
    }

    fn adopt_spawned<L: Layers>(
        &mut self,
        world: &Arc<Mutex<World<L>>>,
        make_handle: MakeHandle<L>,
        queued: Vec<(usize, ThreadBody<L>)>,
    ) where
        World<L>: RuntimeHooks<L>,
    {
        for (tid, body) in queued {
            let world = world.clone();
            let body = move || {
                let ws = make_handle(world.clone(), tid);
                let outcome = match catch_unwind(AssertUnwindSafe(|| body(&ws))) {
                    Ok(Ok(())) => ThreadOutcome::Ok,
                    Ok(Err(e)) => ThreadOutcome::Err(e),
                    Err(payload) => {
                        if payload.is::<generator::Error>() {
                            // Cancelled at teardown while suspended: keep unwinding.
                            resume_unwind(payload);
                        }
                        ThreadOutcome::Panicked(panic_message(&payload))
                    }
                };
                world.lock().thread_finished(tid, outcome);
            };
            // A finished thread's coroutine runs the new body on its stack when one is free.
            let gen = match self.pool.pop() {
                Some(mut g) => {
                    g.init_code(body);
                    g
                }
                None => Gn::<()>::new_opt(self.stack_words, body),
            };
            if self.gens.len() <= tid {
                self.gens.resize_with(tid + 1, || None);
            }
            self.gens[tid] = Some(gen);
        }
    }

    /// Runs until every non-daemon thread has finished, a thread fails, time runs out or
    /// nothing can happen any more.
    pub(crate) fn run<L: Layers>(
        &mut self,
        world: &Arc<Mutex<World<L>>>,
        make_handle: MakeHandle<L>,
    ) -> RunEnd
    where
        World<L>: RuntimeHooks<L>,
    {
        let stall_after = world.lock().rt.cfg.stall_timeout;
        let watch = watchdog::watch(stall_after, describe(world));
        loop {
            let next = {
                let mut w = world.lock();
                if !w.rt.spawn_queue.is_empty() {
                    let queued = std::mem::take(&mut w.rt.spawn_queue);
                    let new = queued.len() as u64;
                    let reused = new.min(self.pool.len() as u64);
                    self.live += new;
                    let stats = &mut w.rt.stats;
                    stats.stacks_reused += reused;
                    stats.stacks_mapped += new - reused;
                    stats.threads_peak = stats.threads_peak.max(self.live);
                    drop(w);
                    self.adopt_spawned(world, make_handle, queued);
                    continue;
                }
                if let Some((_, kind)) = w.rt.failed {
                    return RunEnd::Failed(kind);
                }
                if w.rt.counted_threads_done() == Some(true) {
                    return RunEnd::Done;
                }
                let next = w.pick_runnable();
                if let Some(tid) = next {
                    w.rt.stats.switches += 1;
                    w.record(tid, TraceKind::Switch, 0, 0, 0);
                }
                next
            };
            if let Some(tid) = next {
                if let Some(g) = self.gens[tid].as_mut() {
                    if let Some(w) = &watch {
                        w.resuming(tid);
                    }
                    let resumed = catch_unwind(AssertUnwindSafe(|| g.resume()));
                    if let Some(stalled) = watch.as_ref().and_then(|w| w.resumed()) {
                        world.lock().rt.stalled = Some(stalled);
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
                                "stack overflow in a simulated thread (its stack is {} KiB; \
                                 raise it with SimBuilder::stack_size)",
                                self.stack_words * std::mem::size_of::<usize>() / 1024
                            );
                            world
                                .lock()
                                .thread_finished(tid, ThreadOutcome::Panicked(msg));
                            continue;
                        }
                        resume_unwind(payload);
                    }
                    if g.is_done() {
                        self.live -= 1;
                        if let Some(done) = self.gens[tid].take() {
                            if self.pool.len() < STACK_POOL_CAP {
                                self.pool.push(done);
                            }
                        }
                    }
                }
                continue;
            }
            let mut w = world.lock();
            if w.end_of_instant() {
                continue;
            }
            if w.rt.now > w.rt.cfg.time_limit {
                return RunEnd::Failed(SimErrorKind::TimeLimit);
            }
            if !w.rt.spinners.is_empty() {
                // Pollers burn CPU while time passes: step the clock by at most one polling
                // quantum, so a poller's own timeout (GetTickCount) is seen when it expires,
                // not when some unrelated far-off timer fires.
                let step_to = w.rt.now + SPIN_QUANTUM;
                if w.rt.timers.peek_at().is_some_and(|at| at <= step_to) {
                    w.fire_next_timer();
                } else {
                    w.rt.now = step_to;
                }
                w.release_spinners();
                continue;
            }
            if w.fire_next_timer() {
                continue;
            }
            if w.rt.counted_threads_done().is_none() {
                return RunEnd::Done;
            }
            return RunEnd::Failed(SimErrorKind::Deadlock);
        }
    }

    /// Cancels the coroutines of unfinished threads. Calls they make while unwinding fail with
    /// WSAEINTR instead of blocking.
    pub(crate) fn teardown<L: Layers>(&mut self, world: &Arc<Mutex<World<L>>>) {
        world.lock().rt.tearing_down = true;
        for g in self.gens.drain(..) {
            drop(g);
        }
        self.pool.clear();
    }
}

/// What the watchdog prints about thread `tid` of this run: the seed, the thread, the last
/// trace lines (if the world is not locked at that moment).
fn describe<L: Layers>(world: &Arc<Mutex<World<L>>>) -> Describe {
    let world = Arc::downgrade(world);
    Box::new(move |tid| {
        let Some(world) = world.upgrade() else {
            return "(the run has ended)".to_string();
        };
        let Some(w) = world.try_lock() else {
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
