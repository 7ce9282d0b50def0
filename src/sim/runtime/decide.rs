//! The run loop's next step, as one decision under the world lock: adopt new threads, fire
//! timers and deliveries until a thread is runnable and pick it, or end the run. The run loop
//! takes it, and so does a thread that has just blocked in a run with few threads, which then
//! goes on without a stack switch when the thread picked is itself.

use super::{Layers, Nanos, RuntimeHooks, SimErrorKind, World};

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

/// What the run loop does next, decided under the world lock by [`World::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Threads were created: the run loop adopts their coroutines, then decides again.
    Adopt,
    /// Resume this thread (picked, its switch counted and traced).
    Run(usize),
    /// The run is over.
    End(RunEnd),
}

impl<L: Layers> World<L>
where
    Self: RuntimeHooks<L>,
{
    /// The run loop's next step: new threads to adopt, the thread to resume (timers and
    /// deliveries fired until one is runnable) or the run's end. The same checks in the same
    /// order wherever it is called from: the run loop, or a thread that just blocked
    /// ([`World::decide_in_place`]). Inline: the run loop's own pass stays as it was
    /// (out of line it cost some 30 instructions a switch).
    #[inline(always)]
    pub(crate) fn decide(&mut self) -> Decision {
        loop {
            if !self.rt.spawn_queue.is_empty() {
                return Decision::Adopt;
            }
            if let Some((_, kind)) = self.rt.failed {
                return Decision::End(RunEnd::Failed(kind));
            }
            if self.rt.counted_threads_done() == Some(true) {
                return Decision::End(RunEnd::Done);
            }
            if let Some(tid) = self.pick_runnable() {
                return Decision::Run(tid);
            }
            if self.end_of_instant() {
                continue;
            }
            if self.rt.now > self.rt.cfg.time_limit {
                return Decision::End(RunEnd::Failed(SimErrorKind::TimeLimit));
            }
            if !self.rt.spinners.is_empty() {
                // Pollers burn CPU while time passes: step the clock by at most one
                // polling quantum, so a poller's own timeout (GetTickCount) is seen
                // when it expires, not when some unrelated far-off timer fires.
                let step_to = self.rt.now + SPIN_QUANTUM;
                if self.rt.timers.peek_at().is_some_and(|at| at <= step_to) {
                    self.fire_next_timer();
                } else {
                    self.rt.now = step_to;
                }
                self.release_spinners();
                continue;
            }
            if self.fire_next_timer() {
                continue;
            }
            if self.rt.counted_threads_done().is_none() {
                return Decision::End(RunEnd::Done);
            }
            return Decision::End(RunEnd::Failed(SimErrorKind::Deadlock));
        }
    }

    /// Thread `tid` has just blocked, holding the world lock: when the run has few threads,
    /// it takes the run loop's next decision itself, on its own stack. True when that
    /// decision is to resume `tid` (its wait already ended: a timer or a delivery woke it),
    /// which it then does without a stack switch; otherwise the decision is left for the run
    /// loop, which acts on it without deciding again. The decisions, their order and the
    /// trace are the run loop's own either way.
    ///
    /// In a completion-port server most waits end so (a worker or the client thread blocks
    /// in GetQueuedCompletionStatus and the next delivery queues its packet: 138,036 of
    /// 200,227 switches at 100 clients), and each round trip cost two stack switches and a
    /// pass of the run loop. With a thread per connection the thread woken is nearly always
    /// another one (68 of 200,494 switches at 100 clients), so deciding in place saves
    /// nothing there and costs a little (the thread shape's 6,998 instructions a message
    /// became 7,160), and it would run the deliveries on thousands of stacks instead of the
    /// run loop's one: only runs of up to [`DECIDE_IN_PLACE_MAX_THREADS`] threads do it.
    #[inline]
    pub(crate) fn decide_in_place(&mut self, tid: usize) -> bool {
        self.rt.threads.len() <= DECIDE_IN_PLACE_MAX_THREADS && self.decide_in_place_now(tid)
    }

    /// [`World::decide_in_place`] for a run with few threads.
    #[inline(never)]
    fn decide_in_place_now(&mut self, tid: usize) -> bool {
        if self.rt.watch.as_ref().is_some_and(|w| w.is_stalled()) {
            return false;
        }
        match self.decide() {
            Decision::Run(t) if t == tid => {
                if let Some(w) = &self.rt.watch {
                    w.resuming(tid);
                }
                true
            }
            d => {
                self.rt.decided = Some(d);
                false
            }
        }
    }
}

/// The most threads a run may have created for a blocking thread to take the run loop's
/// decisions itself (see [`World::decide_in_place`]).
pub(crate) const DECIDE_IN_PLACE_MAX_THREADS: usize = 64;
