//! `INIT_ONCE` as a state machine (`RTL_RUN_ONCE`): fresh, under way synchronously (its
//! waiters blocked on the lock's [`WaitKey::Lock`]), under way asynchronously, or done with
//! a context. It lives in the lock table beside critical sections and condition variables
//! (`Lock::Once`), so another process's value is an invalid handle and a wait on it is
//! described in the deadlock report. The transitions are those kernel32's sync.c
//! `test_initonce` pins on Windows (see `api::init_once`).

use crate::api::init_once::{INIT_ONCE_ASYNC, INIT_ONCE_CHECK_ONLY, INIT_ONCE_INIT_FAILED};
use crate::api::WsaError;
use crate::sim::kernel::sync::{Lock, RunOnce};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::{WaitKey, World};

/// What `InitOnceBeginInitialize` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Begin {
    /// The caller is to initialize.
    Pending,
    /// Done: the context.
    Done(usize),
    /// Another thread's synchronous initialization is under way: wait.
    Wait,
}

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// The state of `INIT_ONCE` `id` of `host`, to change.
    fn run_once(&mut self, host: usize, id: usize) -> Result<&mut RunOnce, WsaError> {
        match self.lock_mut(host, id)? {
            Lock::Once(state) => Ok(state),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// One step of `InitOnceBeginInitialize(flags)` on `id`.
    pub(crate) fn once_begin(
        &mut self,
        host: usize,
        id: usize,
        flags: u32,
    ) -> Result<Begin, WsaError> {
        let state = self.run_once(host, id)?;
        let asynchronous = flags & INIT_ONCE_ASYNC != 0;
        if flags & INIT_ONCE_CHECK_ONLY != 0 {
            return match *state {
                _ if asynchronous => Err(WsaError::WSA_INVALID_PARAMETER),
                RunOnce::Done(ctx) => Ok(Begin::Done(ctx)),
                _ => Err(WsaError::ERROR_GEN_FAILURE),
            };
        }
        match *state {
            RunOnce::Fresh => {
                *state = if asynchronous {
                    RunOnce::Async
                } else {
                    RunOnce::Sync
                };
                Ok(Begin::Pending)
            }
            RunOnce::Sync if asynchronous => Err(WsaError::WSA_INVALID_PARAMETER),
            RunOnce::Sync => Ok(Begin::Wait),
            RunOnce::Done(ctx) => Ok(Begin::Done(ctx)),
            RunOnce::Async if asynchronous => Ok(Begin::Pending),
            RunOnce::Async => Err(WsaError::WSA_INVALID_PARAMETER),
        }
    }

    /// `InitOnceComplete(flags, context)` on `id`; the threads waiting for a synchronous
    /// initialization wake.
    pub(crate) fn once_complete(
        &mut self,
        host: usize,
        id: usize,
        flags: u32,
        context: usize,
    ) -> Result<(), WsaError> {
        let state = self.run_once(host, id)?;
        let failed = flags & INIT_ONCE_INIT_FAILED != 0;
        let asynchronous = flags & INIT_ONCE_ASYNC != 0;
        if context & 3 != 0 || (failed && (context != 0 || asynchronous)) {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        let next = if failed {
            RunOnce::Fresh
        } else {
            RunOnce::Done(context)
        };
        match *state {
            RunOnce::Sync => {
                *state = next;
                self.notify(WaitKey::Lock(id));
                Ok(())
            }
            RunOnce::Async if asynchronous => {
                *state = next;
                Ok(())
            }
            RunOnce::Async => Err(WsaError::WSA_INVALID_PARAMETER),
            RunOnce::Fresh | RunOnce::Done(_) => Err(WsaError::ERROR_GEN_FAILURE),
        }
    }
}
