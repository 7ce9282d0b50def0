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
            if let Some(d) = self.decision_before_pick() {
                return d;
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

    /// What [`World::decide`] settles before it picks a thread: new threads to adopt, or the
    /// run's end by a failure or by every counted thread finishing; `None` when a runnable
    /// thread would be picked next. [`World::preempt_in_place`] asks it too.
    #[inline(always)]
    pub(crate) fn decision_before_pick(&self) -> Option<Decision> {
        if !self.rt.spawn_queue.is_empty() {
            return Some(Decision::Adopt);
        }
        if let Some((_, kind)) = self.rt.failed {
            return Some(Decision::End(RunEnd::Failed(kind)));
        }
        if self.rt.counted_threads_done() == Some(true) {
            return Some(Decision::End(RunEnd::Done));
        }
        None
    }

    /// Thread `tid` has just blocked, holding the world lock: when the run's recent picks
    /// were mostly of the thread that had just run ([`SelfPicks`]), it takes the run loop's
    /// next decision itself, on its own stack. True when that decision is to resume `tid`
    /// (its wait already ended: a timer or a delivery woke it), which it then does without a
    /// stack switch; otherwise the decision is left for the run loop, which acts on it
    /// without deciding again. The decisions, their order and the trace are the run loop's
    /// own either way.
    ///
    /// In a completion-port server most waits end so (a worker or the client thread blocks
    /// in GetQueuedCompletionStatus and the next delivery queues its packet: 138,036 of
    /// 200,227 switches at 100 clients), and each round trip cost two stack switches and a
    /// pass of the run loop. With a thread per connection the thread woken is nearly always
    /// another one (68 of 200,494 switches at 100 clients), and deciding in place there
    /// costs more than it saves (the thread shape's 7,009 instructions a message became
    /// 7,169 at 10 clients, 6,998 became 7,160 at 100), so such runs do not try.
    #[inline]
    pub(crate) fn decide_in_place(&mut self, tid: usize) -> bool {
        self.rt.self_picks.likely() && self.decide_in_place_now(tid)
    }

    /// [`World::decide_in_place`] when it is likely to pay.
    #[inline(never)]
    fn decide_in_place_now(&mut self, tid: usize) -> bool {
        if self.rt.watch.as_ref().is_some_and(|w| w.is_stalled()) {
            return false;
        }
        match self.decide() {
            Decision::Run(t) if t == tid => {
                self.rt.self_picks.note(true);
                if let Some(w) = &self.rt.watch {
                    w.resuming(tid);
                }
                true
            }
            d => {
                if let Decision::Run(_) = d {
                    self.rt.self_picks.note(false);
                }
                self.rt.decided = Some(d);
                false
            }
        }
    }
}

/// How often the run's recent picks were of the thread that had just run: a saturating
/// score, up one for such a pick and down two for a pick of another thread, whichever of the
/// run loop and [`World::decide_in_place`] made it. A thread that blocks decides in place
/// while the score is at least half its maximum: in a completion-port run (most picks are
/// of the worker that just waited) it stays high, in a thread-per-connection run (nearly
/// none are) at zero. It steers only where a decision is taken, never what it is.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SelfPicks(u8);

impl SelfPicks {
    const MAX: u8 = 16;

    /// Counts a pick: `same` when of the thread that had just run.
    pub(crate) fn note(&mut self, same: bool) {
        self.0 = if same {
            (self.0 + 1).min(Self::MAX)
        } else {
            self.0.saturating_sub(2)
        };
    }

    /// Whether deciding in place is likely to resume the thread that decides.
    pub(crate) fn likely(self) -> bool {
        self.0 >= Self::MAX / 2
    }
}
