//! Thread-local storage: `TlsAlloc`, `TlsGetValue`, `TlsSetValue`, `TlsFree`, and fiber-local
//! storage with its callbacks: `FlsAlloc`, `FlsGetValue`, `FlsSetValue`, `FlsFree`
//! ([`ThreadLocalStorage`]).
//!
//! Where a server ported from C keeps per-thread state (a worker's scratch buffer, its
//! statistics, a per-thread cache). In a simulated program it is also the only thread-local
//! storage that is per *simulated* thread: every simulated thread runs on the one OS thread
//! that runs the simulation, so Rust's `thread_local!` is one value shared by all of them
//! there (while each OS thread has its own under `os::Native`), and a server that keeps a
//! per-thread cache in it behaves differently in the simulator than in production.
//!
//! A slot holds a pointer-sized value (`usize` here: an index into the program's own table,
//! say). As kernelbase and ntdll have it on Windows (kernel32 thread.c `test_TLS`,
//! `test_FLS`, `test_reserved_tls`, fiber.c `test_FiberLocalStorage`,
//! `test_FiberLocalStorageCallback`):
//! - **TLS.** A process has [`TLS_MINIMUM_AVAILABLE`] slots and [`TLS_EXPANSION_SLOTS`] more;
//!   slot 0 is the system's, so `TlsAlloc` never returns it. `TlsAlloc` takes the lowest free
//!   slot and clears the caller's value in it; with none free it fails with
//!   ERROR_NO_MORE_ITEMS ([`TLS_OUT_OF_INDEXES`] in C). `TlsGetValue` and `TlsSetValue` do not
//!   check that the slot is allocated, only that it exists (else ERROR_INVALID_PARAMETER);
//!   `TlsGetValue` sets the last error to 0 when it succeeds (a stored 0 and a failure differ
//!   only so), `TlsSetValue` leaves it. `TlsFree` of a slot not allocated is
//!   ERROR_INVALID_PARAMETER; a freed slot's value is cleared in every thread of the process.
//!   A new thread's values are all 0: nothing is inherited from its creator.
//! - **FLS.** Slots 1 to [`FLS_MAXIMUM_AVAILABLE`]` - 1` (0 is never a slot: every call on
//!   it is ERROR_INVALID_PARAMETER); `FlsAlloc` takes the lowest free one (with none,
//!   ERROR_NOT_ENOUGH_MEMORY) and records its callback. `FlsGetValue` and `FlsSetValue` check
//!   only the range, as the TLS calls do, and set and keep the last error as they do. A
//!   callback runs for each non-zero value of its slot, with the value: for every thread's
//!   value when `FlsFree` frees the slot (on the thread that calls it), and for the exiting
//!   thread's values, in slot order, when a thread's function returns. The value is 0
//!   afterwards. `FlsFree` of a slot not allocated is ERROR_INVALID_PARAMETER.
//!
//! Slots belong to the process: in the simulator, to the host (and a host that crashes and
//! restarts starts with none allocated). The simulator also names a value call on a slot
//! that is not allocated (a use after `TlsFree`, say) among the run's
//! [`Report::misuses`](crate::sim::Report::misuses): Windows does it silently, and the next
//! allocation may give the slot to other code.

use std::sync::Arc;

use super::sync::SyncObjects;
use super::WsaError;

/// `TLS_MINIMUM_AVAILABLE`: a process's first TLS slots (the TEB's own array).
pub const TLS_MINIMUM_AVAILABLE: u32 = 64;

/// The expansion slots beyond the first [`TLS_MINIMUM_AVAILABLE`] (the TEB's
/// `TlsExpansionSlots`): TLS slots are 0 to 1,087.
pub const TLS_EXPANSION_SLOTS: u32 = 1024;

/// `TLS_OUT_OF_INDEXES`: what C's `TlsAlloc` returns when it fails (here an `Err`).
pub const TLS_OUT_OF_INDEXES: u32 = 0xFFFF_FFFF;

/// `FLS_OUT_OF_INDEXES`: what C's `FlsAlloc` returns when it fails (here an `Err`).
pub const FLS_OUT_OF_INDEXES: u32 = 0xFFFF_FFFF;

/// `FLS_MAXIMUM_AVAILABLE` as Windows 10 (build 18312) and later have it: FLS slots are 1 to
/// 4,079.
pub const FLS_MAXIMUM_AVAILABLE: u32 = 4080;

/// A `PFLS_CALLBACK_FUNCTION`: called with a slot's value (never 0), on the thread that
/// frees the slot or on the thread that exits.
pub type FlsCallback<W> = Arc<dyn Fn(&W, usize) + Send + Sync>;

/// The thread- and fiber-local storage calls.
///
/// ```
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::Sim;
///
/// let mut sim = Sim::builder().seed(1).build();
/// sim.host("server", "192.0.2.1").spawn("main", |ws| {
///     // Each worker counts its own requests in a slot of its own.
///     let slot = ws.tls_alloc()?;
///     let mut workers = Vec::new();
///     for n in 1..=2 {
///         workers.push(ws.create_thread("worker", move |ws| {
///             assert_eq!(ws.tls_get_value(slot), Ok(0), "a new thread's value is 0");
///             ws.tls_set_value(slot, n)?;
///             ws.sleep(5);
///             assert_eq!(ws.tls_get_value(slot), Ok(n), "no other thread's value");
///             Ok(())
///         })?);
///     }
///     for w in workers {
///         ws.wait_for_thread(w, INFINITE)?;
///     }
///     ws.tls_free(slot)
/// });
/// sim.run().expect("the run succeeds");
/// ```
pub trait ThreadLocalStorage: SyncObjects {
    /// `TlsAlloc()`: the lowest free TLS slot, its value in this thread cleared;
    /// ERROR_NO_MORE_ITEMS when all 1,087 are taken.
    fn tls_alloc(&self) -> Result<u32, WsaError>;

    /// `TlsGetValue(dwTlsIndex)`: this thread's value in the slot (0 until set), the last
    /// error set to 0; ERROR_INVALID_PARAMETER past the last slot.
    fn tls_get_value(&self, index: u32) -> Result<usize, WsaError>;

    /// `TlsSetValue(dwTlsIndex, lpTlsValue)`: sets this thread's value, the last error kept;
    /// ERROR_INVALID_PARAMETER past the last slot.
    fn tls_set_value(&self, index: u32, value: usize) -> Result<(), WsaError>;

    /// `TlsFree(dwTlsIndex)`: frees the slot and clears its value in every thread;
    /// ERROR_INVALID_PARAMETER for a slot not allocated.
    fn tls_free(&self, index: u32) -> Result<(), WsaError>;

    /// `FlsAlloc(lpCallback)`: the lowest free FLS slot, with its callback;
    /// ERROR_NOT_ENOUGH_MEMORY when all are taken.
    fn fls_alloc(&self, callback: Option<FlsCallback<Self>>) -> Result<u32, WsaError>;

    /// `FlsGetValue(dwFlsIndex)`: this thread's value in the slot, the last error set to 0;
    /// ERROR_INVALID_PARAMETER for slot 0 or past the last.
    fn fls_get_value(&self, index: u32) -> Result<usize, WsaError>;

    /// `FlsSetValue(dwFlsIndex, lpFlsData)`: sets this thread's value, the last error kept;
    /// ERROR_INVALID_PARAMETER for slot 0 or past the last.
    fn fls_set_value(&self, index: u32, value: usize) -> Result<(), WsaError>;

    /// `FlsFree(dwFlsIndex)`: runs the slot's callback, on this thread, for each thread's
    /// non-zero value, clears them and frees the slot; ERROR_INVALID_PARAMETER for a slot
    /// not allocated.
    fn fls_free(&self, index: u32) -> Result<(), WsaError>;
}
