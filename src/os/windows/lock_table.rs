//! The tables behind `sync.rs`: the kernel objects (mutexes, semaphores) and heap-pinned lock
//! structures (CRITICAL_SECTION, SRWLOCK, CONDITION_VARIABLE) of one [`Native`](super::Native)
//! backend, with the holder records kept beside each lock (`sync_lookup.rs` finds them).
//!
//! **Ownership of the lock structures.** Each lock lives in an `Arc` in this backend's table,
//! so its address never changes (it is never moved), and every call on it holds a clone of
//! that `Arc` for the whole OS call: memory a thread is blocked inside (EnterCriticalSection,
//! AcquireSRWLock*, SleepConditionVariable*) is freed only after the last such call returned.
//! A CRITICAL_SECTION is handed to DeleteCriticalSection exactly once, by the `Drop` of its
//! last `Arc`, when no thread is inside any call on it.
//!
//! **Owner checks.** Leaving a critical section or releasing an SRW lock that the caller does
//! not hold is undefined behaviour on Windows; the trait asks for ERROR_NOT_OWNER instead.
//! Each lock records its holders beside the OS structure (a thread id, written only by the
//! thread that holds the lock, so a thread reading its own id there is never wrong), and the
//! release is refused before the OS call when the caller is not a holder. An SRW acquisition
//! that could only wait for the caller itself (Windows hangs for ever) is refused too, with
//! ERROR_POSSIBLE_DEADLOCK.
//!
//! **DeleteCriticalSection** (the simulator's rule): the section leaves the table at once
//! (later calls: ERROR_INVALID_HANDLE). A thread that still owns it keeps it until its next
//! `LeaveCriticalSection`, which undoes all its entries and reports ERROR_INVALID_HANDLE; a
//! thread that was waiting to enter gets it, finds it deleted, leaves it and reports
//! ERROR_INVALID_HANDLE, so deleting never strands a waiter.

use std::any::{Any, TypeId};
use std::cell::UnsafeCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::sync::Arc;

use parking_lot::Mutex;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::Threading as th;

use crate::api::ConsoleCtrlHandler;

/// A kernel object of this backend that is not an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kernel {
    Mutex,
    Semaphore,
    /// A waitable timer (`waitable_timer.rs`).
    Timer,
}

/// A CRITICAL_SECTION, heap-pinned, with its owner recorded beside it.
pub(super) struct CritSec {
    pub(super) cs: UnsafeCell<th::CRITICAL_SECTION>,
    /// GetCurrentThreadId of the owner, 0 for none (written only by the owner).
    pub(super) owner: AtomicU32,
    /// Entries of the owner (read and written only by the owner).
    pub(super) depth: AtomicU32,
    /// DeleteCriticalSection was called.
    pub(super) deleted: AtomicBool,
}

// SAFETY: the CRITICAL_SECTION is only ever touched through the kernel32 calls made for it,
// which are designed to be called from any thread at once; the other fields are atomics.
unsafe impl Send for CritSec {}
// SAFETY: as for Send.
unsafe impl Sync for CritSec {}

impl Drop for CritSec {
    fn drop(&mut self) {
        // SAFETY: the structure was initialised by InitializeCriticalSection when created; this
        // is the last reference, so no thread is inside a call on it, and this runs once.
        unsafe { th::DeleteCriticalSection(self.cs.get()) };
    }
}

/// An SRWLOCK, heap-pinned, with its holders recorded beside it.
pub(super) struct Srw {
    pub(super) lock: UnsafeCell<th::SRWLOCK>,
    /// The exclusive holder's thread id, 0 for none (written only by that holder).
    pub(super) exclusive: AtomicU32,
    /// The shared holders' thread ids, once per acquisition.
    pub(super) shared: Mutex<Vec<u32>>,
}

// SAFETY: the SRWLOCK is only touched through the kernel32 calls made for it, which any
// thread may make at once; the other fields are an atomic and a mutex.
unsafe impl Send for Srw {}
// SAFETY: as for Send.
unsafe impl Sync for Srw {}

/// A CONDITION_VARIABLE, heap-pinned (it needs no deletion on Windows).
pub(super) struct CondVar {
    pub(super) cv: UnsafeCell<th::CONDITION_VARIABLE>,
}

// SAFETY: only touched through the kernel32 condition-variable calls, made from any thread.
unsafe impl Send for CondVar {}
// SAFETY: as for Send.
unsafe impl Sync for CondVar {}

/// An INIT_ONCE, heap-pinned (it needs no deletion).
pub(super) struct Once {
    pub(super) once: UnsafeCell<th::INIT_ONCE>,
}

// SAFETY: only touched through the kernel32 one-time initialization calls, which any thread
// may make at once.
unsafe impl Send for Once {}
// SAFETY: as for Send.
unsafe impl Sync for Once {}

/// A SYNCHRONIZATION_BARRIER, heap-pinned.
pub(super) struct BarrierCell {
    pub(super) barrier: UnsafeCell<th::SYNCHRONIZATION_BARRIER>,
}

// SAFETY: only touched through the kernel32 barrier calls, which any thread may make at once.
unsafe impl Send for BarrierCell {}
// SAFETY: as for Send.
unsafe impl Sync for BarrierCell {}

/// The synchronisation state of one backend (one "process").
#[derive(Default)]
pub(super) struct Objects {
    /// Mutexes, semaphores and waitable timers by their raw HANDLE (this table owns each
    /// handle).
    pub(super) kernel: BTreeMap<usize, Kernel>,
    /// The argument of each timer's current completion routine (`waitable_timer.rs`'s
    /// `TimerArg`, which the OS holds as a raw pointer): kept until an OS call has taken back
    /// the APCs of its setting.
    pub(super) timer_args: BTreeMap<usize, Arc<dyn Any + Send + Sync>>,
    /// Lock structures by id (ids count from 1 in creation order, never reused).
    pub(super) next: usize,
    pub(super) cs: BTreeMap<usize, Arc<CritSec>>,
    pub(super) srw: BTreeMap<usize, Arc<Srw>>,
    pub(super) cv: BTreeMap<usize, Arc<CondVar>>,
    pub(super) once: BTreeMap<usize, Arc<Once>>,
    pub(super) barriers: BTreeMap<usize, Arc<BarrierCell>>,
    /// Console-control handlers in registration order (taken out while one runs).
    pub(super) ctrl: Vec<(usize, Option<ConsoleCtrlHandler<super::Native>>)>,
    pub(super) ctrl_registered: bool,
    pub(super) globals: BTreeMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl Drop for Objects {
    fn drop(&mut self) {
        for (&raw, &kind) in &self.kernel {
            if kind == Kernel::Timer {
                // SAFETY: an open timer of this table. Stopped before it is closed, which takes
                // back its queued APC, so none reaches its routine's argument, dropped after
                // this (with `timer_args`).
                unsafe { th::CancelWaitableTimer(raw as HANDLE) };
            }
            // SAFETY: every handle in the table was created by this backend and not yet closed;
            // the table is going away, so each is closed once. (A wait still running on one uses
            // its own duplicate.)
            unsafe { CloseHandle(raw as HANDLE) };
        }
    }
}

impl Objects {
    pub(super) fn new_id(&mut self) -> usize {
        self.next += 1;
        self.next
    }
}
