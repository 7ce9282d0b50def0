//! Window timers (`SetTimer` with a window and no TIMERPROC): what setting, expiring, killing
//! and retrieving one does.
//!
//! A timer is a [`WindowTimer`] in its window's record. It is not a queued message: when it
//! expires it becomes *ready*, its owner's message waits are woken, and the next GetMessage or
//! PeekMessage that finds no posted message (nor a WM_QUIT) generates its WM_TIMER. Expiries
//! while it is ready change nothing (one WM_TIMER, however many periods passed), so none is
//! scheduled until the WM_TIMER is removed from the queue; the next expiry is then the first of
//! its period's due times after the one that made it ready, and not before the retrieval. A
//! timer nobody retrieves therefore costs nothing and keeps no event pending: a run whose
//! threads are all blocked still ends as a deadlock.

use crate::api::consts::{QS_TIMER, WM_TIMER};
use crate::api::{Hwnd, Msg};
use crate::sim::kernel::objects::{KObject, WindowTimer};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::net::tcp::NetTimer;
use crate::sim::runtime::{Nanos, WaitKey, World};

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// Window `win`'s timers and owner thread.
    fn window_timers(&mut self, win: usize) -> Option<(usize, &mut Vec<WindowTimer>)> {
        match self.kern.objects.get_mut(win) {
            Some(KObject::Window { owner, timers, .. }) => Some((*owner, timers)),
            _ => None,
        }
    }

    /// SetTimer on window `win`: timer `id` (new, or restarted with the new period and
    /// TIMERPROC token `proc`, 0 for none) is due `elapse` from now.
    pub(crate) fn window_timer_set(
        &mut self,
        win: usize,
        hwnd: Hwnd,
        id: usize,
        elapse: Nanos,
        proc: u64,
    ) {
        let Some((owner, _)) = self.window_timers(win) else {
            return;
        };
        let timer = self.new_timer(owner, hwnd, id, elapse, proc);
        let Some((_, timers)) = self.window_timers(win) else {
            return;
        };
        let old = match timers.iter_mut().find(|t| t.id == id) {
            Some(t) => Some(std::mem::replace(t, timer)),
            None => {
                timers.push(timer);
                None
            }
        };
        if let Some(old) = old {
            self.timer_gone(old);
        }
        self.schedule(
            timer.due,
            NetTimer::WindowTimer {
                obj: win,
                setting: timer.setting,
            },
        );
    }

    /// KillTimer: whether window `win` had timer `id` (now gone, with its WM_TIMER).
    pub(crate) fn window_timer_kill(&mut self, win: usize, id: usize) -> bool {
        let Some((_, timers)) = self.window_timers(win) else {
            return false;
        };
        let Some(i) = timers.iter().position(|t| t.id == id) else {
            return false;
        };
        let gone = timers.remove(i);
        self.timer_gone(gone);
        true
    }

    /// Window `win` is being destroyed: its timers go with it.
    pub(crate) fn window_timers_gone(&mut self, win: usize) {
        let gone = self
            .window_timers(win)
            .map(|(_, timers)| std::mem::take(timers))
            .unwrap_or_default();
        for t in gone {
            self.timer_gone(t);
        }
    }

    /// Setting `setting` of a timer of window `win` expires: the timer becomes ready and its
    /// owner's message waits are woken.
    pub(crate) fn window_timer_due(&mut self, win: usize, setting: u64) {
        let Some((owner, timers)) = self.window_timers(win) else {
            return;
        };
        let Some(t) = timers.iter_mut().find(|t| t.setting == setting) else {
            return;
        };
        let newly = t.make_ready();
        self.timer_expired(owner, newly);
    }

    /// A new setting of a window or thread timer of thread `owner` (`hwnd` NULL for a thread
    /// timer), due `elapse` from now on its host's clock interrupt, and every `elapse` (in
    /// whole interrupts) after: its number is the run's next timer setting.
    pub(crate) fn new_timer(
        &mut self,
        owner: usize,
        hwnd: Hwnd,
        id: usize,
        elapse: Nanos,
        proc: u64,
    ) -> WindowTimer {
        self.kern.timer_settings += 1;
        let host = self.rt.threads.get(owner).map_or(0, |t| t.host);
        let elapse = self.period_on_interrupts(host, elapse);
        WindowTimer {
            hwnd,
            id,
            elapse,
            setting: self.kern.timer_settings,
            due: self.wait_due(host, elapse),
            ready: false,
            proc,
        }
    }

    /// A timer of thread `owner`'s (a window's or its own) expired, and became ready if
    /// `newly`: the thread's queue has new QS_TIMER input and its message waits are woken.
    pub(crate) fn timer_expired(&mut self, owner: usize, newly: bool) {
        if newly {
            self.kern.ready_timers += 1;
        }
        self.rt.threads[owner].ext.qs_new |= QS_TIMER;
        self.notify(WaitKey::Messages(owner));
    }

    /// A timer was killed, set anew, or went with its window or thread: its WM_TIMER, if
    /// due, and its TIMERPROC go with it.
    pub(crate) fn timer_gone(&mut self, t: WindowTimer) {
        if t.ready {
            self.kern.ready_timers -= 1;
        }
        self.kern.timer_procs.forget(t.proc);
    }

    /// The WM_TIMER of the ready timer of thread `tid`'s windows (of window `filter` only, if
    /// given; with none, of the thread's own timers too: `thread_timer`) that became ready
    /// first (then the first set), if any; `remove` retrieves it, scheduling the timer's next
    /// expiry.
    pub(crate) fn timer_message(
        &mut self,
        tid: usize,
        filter: Option<usize>,
        remove: bool,
    ) -> Option<Msg> {
        if self.kern.ready_timers == 0 {
            return None;
        }
        let now = self.rt.now;
        // (became ready at, setting, window, its handle, id, TIMERPROC token)
        let mut best: Option<(Nanos, u64, usize, Hwnd, usize, u64)> = None;
        let mut i = 0;
        while let Some(slot) = self.kern.objects.get_slot_mut(i) {
            if let Some(KObject::Window { owner, timers, .. }) = slot {
                if *owner == tid && filter.is_none_or(|f| f == i) {
                    for t in timers.iter().filter(|t| t.ready) {
                        if best.is_none_or(|b| (t.due, t.setting) < (b.0, b.1)) {
                            best = Some((t.due, t.setting, i, t.hwnd, t.id, t.proc));
                        }
                    }
                }
            }
            i += 1;
        }
        // The thread's own timers (no window) count for a look without a window filter.
        let own = filter
            .is_none()
            .then(|| self.first_ready_thread_timer(tid))
            .flatten()
            .filter(|o| best.is_none_or(|b| (o.0, o.1) < (b.0, b.1)));
        let (hwnd, id, proc) = match (own, best) {
            (Some((_, setting, id, proc)), _) => {
                if remove {
                    self.thread_timer_retrieved(tid, setting, now);
                }
                (Hwnd::NULL, id, proc)
            }
            (None, Some((_, setting, win, hwnd, id, proc))) => {
                if remove {
                    self.window_timer_retrieved(win, setting, now);
                }
                (hwnd, id, proc)
            }
            (None, None) => return None,
        };
        Some(Msg {
            hwnd,
            message: WM_TIMER,
            wparam: id,
            lparam: proc as isize,
        })
    }

    /// The WM_TIMER of setting `setting` was retrieved at `now`: the timer is no longer ready,
    /// and is next due on its period's schedule.
    fn window_timer_retrieved(&mut self, win: usize, setting: u64, now: Nanos) {
        let Some((_, timers)) = self.window_timers(win) else {
            return;
        };
        let Some(t) = timers.iter_mut().find(|t| t.setting == setting) else {
            return;
        };
        let due = t.retrieved(now);
        self.kern.ready_timers -= 1;
        self.schedule(due, NetTimer::WindowTimer { obj: win, setting });
    }
}
