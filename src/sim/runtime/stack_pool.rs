//! Finished threads' coroutines, kept to run the next threads on their stacks.
//!
//! Each simulated thread runs on a coroutine of the `generator` crate, whose stack is a
//! mapping of its own: `mmap`, a guard page's `mprotect`, page faults as the thread first
//! touches it, and `munmap` with a TLB flush when it goes. For a short run that is about as
//! much system time as the simulation itself, and for a run of thousands of threads it is
//! most of its start and end (1,000 clients of the thread-per-connection echo: 28 % of a run
//! that sends one message each is `munmap` alone). So a finished coroutine is kept and the
//! next new thread runs on it:
//! - first in a pool of the OS thread that ran it (up to [`LOCAL_CAP`]), for the next
//!   threads of the same run and the next runs on that OS thread, as a property test's cases
//!   run one after another;
//! - past that, in a pool of the process (up to [`SHARED_CAP`]), which any OS thread's runs
//!   take from when their own pool has none of the size they need. It is never dropped: what
//!   it holds at the process's exit goes back to the OS with the rest of the address space,
//!   in one teardown instead of a `munmap` and a TLB flush per stack.
//!
//! An idle stack holds the pages its thread touched (two for a typical simulated thread:
//! the top of the stack and the `generator` crate's usage sentinel at its bottom).
//! [`release_idle_stacks`] unmaps every idle stack at once, for a process that wants that
//! memory back after a large run.
//!
//! Reuse changes nothing a run does (`tests/run_end.rs`: the same seed gives the same trace
//! on fresh and on reused stacks). The pools only change [`Stats::stacks_mapped`] and
//! [`Stats::stacks_reused`](super::Stats::stacks_reused).
//!
//! [`Stats::stacks_mapped`]: super::Stats::stacks_mapped

use std::cell::RefCell;

use generator::Generator;
use once_cell::sync::Lazy;
use parking_lot::Mutex;

/// A finished coroutine (its stack's size is its pool's).
type Idle = Generator<'static, (), ()>;

/// How many finished coroutines each OS thread keeps for its own next threads.
pub(crate) const LOCAL_CAP: usize = 128;

/// How many more the process keeps, for any OS thread. At two resident pages an idle
/// stack, a full pool holds 256 MiB; it fills only after runs that together had that many
/// threads alive at once, whose stacks took at least as much while they ran.
pub(crate) const SHARED_CAP: usize = 1 << 15;

thread_local! {
    /// This OS thread's finished coroutines, with their stacks' sizes in words.
    static LOCAL: RefCell<Vec<(usize, Idle)>> = const { RefCell::new(Vec::new()) };
}

/// The process's finished coroutines past each OS thread's own [`LOCAL_CAP`].
static SHARED: Lazy<Mutex<Shared>> = Lazy::new(|| Mutex::new(Shared::default()));

/// The process's pool, by stack size: a run finds its size, or another one's to unmap,
/// without looking through thousands of idle coroutines.
#[derive(Default)]
struct Shared {
    /// Idle coroutines by their stacks' size in words (a handful of sizes at most).
    by_size: Vec<(usize, Vec<Idle>)>,
}

impl Shared {
    /// An idle coroutine whose stack has `stack_words` words (`Ok`); else, if any is idle,
    /// one of another size, to unmap (`Err`).
    fn take(&mut self, stack_words: usize) -> Option<Result<Idle, Idle>> {
        self.by_size
            .iter_mut()
            .find(|(words, _)| *words == stack_words)
            .and_then(|(_, idle)| idle.pop())
            .map(Ok)
            .or_else(|| {
                let (_, idle) = self.by_size.iter_mut().find(|(_, idle)| !idle.is_empty())?;
                idle.pop().map(Err)
            })
    }

    /// Keeps `done` if the pool holds fewer than [`SHARED_CAP`]; gives it back otherwise.
    fn keep(&mut self, stack_words: usize, done: Idle) -> Option<Idle> {
        let len: usize = self.by_size.iter().map(|(_, idle)| idle.len()).sum();
        if len >= SHARED_CAP {
            return Some(done);
        }
        match self
            .by_size
            .iter_mut()
            .find(|(words, _)| *words == stack_words)
        {
            Some((_, idle)) => idle.push(done),
            None => self.by_size.push((stack_words, vec![done])),
        }
        None
    }

    /// Every idle coroutine, taken out.
    fn take_all(&mut self) -> Vec<Idle> {
        self.by_size
            .iter_mut()
            .flat_map(|(_, idle)| std::mem::take(idle))
            .collect()
    }
}

/// A finished coroutine whose stack has `stack_words` words, if one is idle: this OS
/// thread's first, then the process's.
///
/// When the process's pool has none of that size but holds others, one of them is unmapped
/// (the caller is about to map a stack): stacks mapped, in use and idle together, then never
/// outgrow the most the process has had at once, whatever sizes its runs ask for (each
/// mapping is two of the kernel's 65,530 default map areas).
pub(crate) fn take(stack_words: usize) -> Option<Idle> {
    let local = LOCAL.with(|p| {
        let mut p = p.borrow_mut();
        let i = p.iter().rposition(|(words, _)| *words == stack_words)?;
        Some(p.swap_remove(i).1)
    });
    if local.is_some() {
        return local;
    }
    let shared = SHARED.lock().take(stack_words);
    // An evicted coroutine is unmapped here, after the lock is released.
    shared?.ok()
}

/// Keeps a finished coroutine for the next thread: in this OS thread's pool, else the
/// process's, else (both full) it is unmapped.
pub(crate) fn keep(stack_words: usize, done: Idle) {
    let overflow = LOCAL.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < LOCAL_CAP {
            p.push((stack_words, done));
            None
        } else {
            Some(done)
        }
    });
    let Some(done) = overflow else { return };
    let full = SHARED.lock().keep(stack_words, done);
    // Unmapped after the lock is released.
    drop(full);
}

/// Unmaps every idle coroutine stack: the calling OS thread's and the process's (other OS
/// threads keep their own, up to 128 each). Returns how many were unmapped.
///
/// The simulator keeps finished simulated threads' stacks to run later threads on them,
/// and the stacks of a run of thousands of threads stay mapped after it, each with the
/// pages its thread touched (8 KiB for a typical thread), until the process exits. Under
/// strict overcommit accounting (`vm.overcommit_memory = 2`) each is still charged its whole
/// mapped size. A process that ran such a run and goes on with other work can give that
/// memory back.
///
/// ```
/// # use winsock_sim::sim::release_idle_stacks;
/// let unmapped = release_idle_stacks();
/// assert_eq!(release_idle_stacks(), 0, "{unmapped} unmapped, none left");
/// ```
pub fn release_idle_stacks() -> usize {
    let local = LOCAL.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let shared = SHARED.lock().take_all();
    local.len() + shared.len()
}
