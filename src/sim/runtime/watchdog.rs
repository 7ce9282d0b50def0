//! The stall detector: a run whose simulated thread never hands control back.
//!
//! All simulated threads share one OS thread, so a simulated thread that blocks *outside* the
//! simulator — a `std`/`parking_lot` mutex held across a WinSock call by another simulated
//! thread, a real socket, `std::thread::sleep` — stops the whole run at 0 % CPU. The sim cannot
//! preempt it; what it can do is notice and say so, instead of hanging silently.
//!
//! One watchdog OS thread (started on first use) looks at every running simulation a few
//! times a second. When a run's loop has resumed no coroutine for the stall timeout of wall
//! time (`SimBuilder::stall_timeout`, 10 s by default), it prints a diagnostic naming the seed,
//! the simulated thread that is running and the last trace lines, and marks the run stalled:
//! if that thread ever yields, the run ends at once with `SimErrorKind::Stalled`. If it is
//! still stuck after three times the timeout, and at least 5 s more (a deadlock on a real lock
//! never ends), the watchdog prints the diagnostic again and aborts the process — a test that dies with a
//! message beats one that hangs.
//!
//! The watchdog reads the wall clock, but only to decide that a run has already stopped making
//! progress: nothing it does reaches a run that makes progress, so determinism is kept.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use once_cell::sync::Lazy;
use parking_lot::Mutex;

/// `Watch::running` when the run loop itself (not a simulated thread) has control.
pub(crate) const NOT_RUNNING: usize = usize::MAX;

/// How often the watchdog looks.
const PERIOD: Duration = Duration::from_millis(200);

/// Describes simulated thread `tid` of a run (seed, name, last trace lines) for a diagnostic.
pub(crate) type Describe = Box<dyn Fn(usize) -> String + Send + Sync>;

/// What the watchdog reads of one run, and what it tells it.
pub(crate) struct Watch {
    /// Coroutine resumptions so far: progress.
    resumes: AtomicU64,
    /// The simulated thread now running, or [`NOT_RUNNING`].
    running: AtomicUsize,
    /// Set by the watchdog: the run stalled (the thread is `stalled_tid`).
    stalled: AtomicBool,
    stalled_tid: AtomicUsize,
    stall_after: Duration,
    describe: Describe,
}

impl Watch {
    /// A thread is about to be resumed.
    pub(crate) fn resuming(&self, tid: usize) {
        self.running.store(tid, Ordering::Relaxed);
        // The run loop is the only writer, so a load and a store count exactly and cost no
        // locked read-modify-write on every resumption.
        let n = self.resumes.load(Ordering::Relaxed);
        self.resumes.store(n + 1, Ordering::Relaxed);
    }

    /// Whether the watchdog found the run stalled (it ends at the next return to the run
    /// loop).
    pub(crate) fn is_stalled(&self) -> bool {
        self.stalled.load(Ordering::Acquire)
    }

    /// Control is back in the run loop. `Some(tid)` when the watchdog found the run stalled in
    /// thread `tid` meanwhile.
    pub(crate) fn resumed(&self) -> Option<usize> {
        self.running.store(NOT_RUNNING, Ordering::Relaxed);
        self.stalled
            .load(Ordering::Acquire)
            .then(|| self.stalled_tid.load(Ordering::Relaxed))
    }
}

/// The runs being watched.
static WATCHED: Lazy<Mutex<Vec<Weak<Watch>>>> = Lazy::new(|| {
    std::thread::Builder::new()
        .name("winsock-sim watchdog".into())
        .spawn(watchdog)
        .expect("winsock-sim: cannot start the stall watchdog thread");
    Mutex::new(Vec::new())
});

/// Starts watching a run; it is watched until the returned `Arc` is dropped. `None` (no
/// watching) when `stall_after` is zero.
pub(crate) fn watch(stall_after: Duration, describe: Describe) -> Option<Arc<Watch>> {
    if stall_after.is_zero() {
        return None;
    }
    let w = Arc::new(Watch {
        resumes: AtomicU64::new(0),
        running: AtomicUsize::new(NOT_RUNNING),
        stalled: AtomicBool::new(false),
        stalled_tid: AtomicUsize::new(NOT_RUNNING),
        stall_after,
        describe,
    });
    let mut list = WATCHED.lock();
    list.retain(|x| x.strong_count() > 0);
    list.push(Arc::downgrade(&w));
    Some(w)
}

/// When a stalled run is given up for good: three times the stall timeout, and at least 5 s
/// more than it (a long but finite block, such as a sleep, still gets to end the run).
fn abort_after(stall_after: Duration) -> Duration {
    stall_after
        .saturating_mul(3)
        .max(stall_after.saturating_add(Duration::from_secs(5)))
}

/// The watchdog thread's loop.
fn watchdog() {
    // Per watched run (by address): the progress count last seen and when it last changed.
    let mut seen: BTreeMap<usize, (u64, Instant)> = BTreeMap::new();
    loop {
        std::thread::sleep(PERIOD);
        let live: Vec<Arc<Watch>> = WATCHED.lock().iter().filter_map(Weak::upgrade).collect();
        let now = Instant::now();
        let mut still = BTreeMap::new();
        for w in live {
            let key = Arc::as_ptr(&w) as usize;
            let resumes = w.resumes.load(Ordering::Relaxed);
            let since = match seen.get(&key) {
                Some(&(r, t)) if r == resumes => t,
                _ => now,
            };
            still.insert(key, (resumes, since));
            let tid = w.running.load(Ordering::Relaxed);
            if tid == NOT_RUNNING {
                continue;
            }
            let idle = now.duration_since(since);
            if idle >= w.stall_after && !w.stalled.load(Ordering::Relaxed) {
                w.stalled_tid.store(tid, Ordering::Relaxed);
                w.stalled.store(true, Ordering::Release);
                eprintln!("{}", diagnostic(&w, tid, idle, false));
            } else if idle >= abort_after(w.stall_after) {
                eprintln!("{}", diagnostic(&w, tid, idle, true));
                std::process::abort();
            }
        }
        seen = still;
    }
}

fn diagnostic(w: &Watch, tid: usize, idle: Duration, aborting: bool) -> String {
    format!(
        "winsock-sim: the run has made no progress for {:.1} s of wall time while simulated \
         thread {} ran: it is probably blocked outside the simulator (a std or parking_lot \
         lock held across a WinSock call, a real socket, a sleep). {}\n{}",
        idle.as_secs_f64(),
        tid,
        if aborting {
            "It never came back: aborting the process rather than hanging."
        } else {
            "If it ever yields, the run ends with SimErrorKind::Stalled."
        },
        (w.describe)(tid)
    )
}
