//! One-time initialization (`INIT_ONCE`): `InitOnceInitialize`, `InitOnceExecuteOnce`,
//! `InitOnceBeginInitialize`, `InitOnceComplete` ([`InitOnceApi`]).
//!
//! The way a server ported from C makes its globals once (the extension functions it loads
//! through WSAIoctl, say) whichever thread needs them first. In a simulated program it is also
//! the safe way: a `std::sync::Once` whose initializer blocks in a WinSock call would hold
//! the simulator's one OS thread, where an `INIT_ONCE` makes the other threads wait as
//! simulated threads.
//!
//! As kernel32's sync.c `test_initonce` has it on Windows, an `INIT_ONCE` is in one of four
//! states — fresh, being initialized synchronously, being initialized asynchronously, done
//! (with a context whose two low bits are 0):
//! - `InitOnceBeginInitialize(0)`: on a fresh one, the caller starts a synchronous
//!   initialization (`pending`); while another thread's is under way, it waits for its end,
//!   then gets the context or, if that one failed, starts its own; on a done one, the
//!   context. With `INIT_ONCE_ASYNC` every caller of an asynchronous initialization is
//!   `pending`; mixing the two kinds is ERROR_INVALID_PARAMETER. `INIT_ONCE_CHECK_ONLY` only
//!   reads: ERROR_GEN_FAILURE unless done (with `INIT_ONCE_ASYNC`, ERROR_INVALID_PARAMETER).
//! - `InitOnceComplete`: ends an initialization under way with a context (its low two bits
//!   set: ERROR_INVALID_PARAMETER) or, with `INIT_ONCE_INIT_FAILED` (no context, not async),
//!   makes it fresh again and lets a waiting thread start over; on one not under way,
//!   ERROR_GEN_FAILURE; an asynchronous one must be completed with `INIT_ONCE_ASYNC`.
//! - `InitOnceExecuteOnce`: begins; if the caller is to initialize, runs the function and
//!   completes with its result. It reports no error code: FALSE only (here `None`), the last
//!   error untouched.

use super::sync::SyncObjects;
use super::WsaError;

opaque_handle!(
    /// An `INIT_ONCE` of this process, made fresh by [`InitOnceApi::init_once_initialize`].
    InitOnce
);

/// INIT_ONCE_CHECK_ONLY (0x1): `InitOnceBeginInitialize` only reads whether it is done.
pub const INIT_ONCE_CHECK_ONLY: u32 = 0x1;
/// INIT_ONCE_ASYNC (0x2): an asynchronous initialization, which every caller may run.
pub const INIT_ONCE_ASYNC: u32 = 0x2;
/// INIT_ONCE_INIT_FAILED (0x4): `InitOnceComplete` ends a synchronous initialization that
/// failed: the next caller starts over.
pub const INIT_ONCE_INIT_FAILED: u32 = 0x4;

/// The one-time initialization calls.
///
/// ```
/// use winsock_sim::prelude::*;
/// use winsock_sim::sim::Sim;
///
/// let mut sim = Sim::builder().seed(1).build();
/// sim.host("server", "192.0.2.1").spawn("main", |ws| {
///     let once = ws.init_once_initialize()?;
///     // The first caller runs the function; the others get its context.
///     assert_eq!(ws.init_once_execute_once(once, |_| Some(0x40)), Some(0x40));
///     assert_eq!(ws.init_once_execute_once(once, |_| unreachable!()), Some(0x40));
///     Ok(())
/// });
/// sim.run().expect("the run succeeds");
/// ```
pub trait InitOnceApi: SyncObjects {
    /// `InitOnceInitialize(&once)` on a new `INIT_ONCE` of this process: a fresh one.
    fn init_once_initialize(&self) -> Result<InitOnce, WsaError>;

    /// `InitOnceBeginInitialize(&once, dwFlags, &fPending, &lpContext)`: `(fPending,
    /// context)` — `(true, 0)` when the caller is to initialize, `(false, context)` when it
    /// is done. Waits while another thread's synchronous initialization is under way. A
    /// success leaves the last error as it was.
    fn init_once_begin_initialize(
        &self,
        once: InitOnce,
        flags: u32,
    ) -> Result<(bool, usize), WsaError>;

    /// `InitOnceComplete(&once, dwFlags, lpContext)`: ends the initialization under way.
    fn init_once_complete(
        &self,
        once: InitOnce,
        flags: u32,
        context: usize,
    ) -> Result<(), WsaError>;

    /// `InitOnceExecuteOnce(&once, InitFn, Parameter, &Context)`: `f` runs on the calling
    /// thread if it is to initialize (`Some(context)`: success; `None`: failure, and the
    /// next caller starts over). `Some(context)` once done; `None` when `f` failed, the
    /// context could not be stored (its low two bits set) or an asynchronous initialization
    /// is under way. Never sets the last error: what the thread had before, or what `f`
    /// left, stays.
    ///
    /// Made of the calls above, for every backend, as ntdll's `RtlRunOnceExecuteOnce` is made
    /// of `RtlRunOnceBeginInitialize` and `RtlRunOnceComplete`; the last error a failing one
    /// of them sets is undone.
    fn init_once_execute_once(
        &self,
        once: InitOnce,
        f: impl FnOnce(&Self) -> Option<usize>,
    ) -> Option<usize> {
        let before = self.wsa_get_last_error();
        let (left, r) = match self.init_once_begin_initialize(once, 0) {
            Ok((false, context)) => return Some(context),
            Ok((true, _)) => {
                let got = f(self);
                let left = self.wsa_get_last_error();
                let r = match got {
                    Some(context) => self
                        .init_once_complete(once, 0, context)
                        .ok()
                        .map(|()| context),
                    None => {
                        let _ = self.init_once_complete(once, INIT_ONCE_INIT_FAILED, 0);
                        None
                    }
                };
                (left, r)
            }
            Err(_) => (before, None),
        };
        self.wsa_set_last_error(left);
        r
    }
}
