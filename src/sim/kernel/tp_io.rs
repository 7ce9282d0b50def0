//! The Vista thread pool's I/O objects (`CreateThreadpoolIo` and its calls): a socket
//! associated with the pool's completion port (`ObjRef::POOL`, as `BindIoCompletionCallback`
//! associates one) whose binding names the object; each completion of the socket reaches
//! [`World::tp_io_completion`].
//!
//! The object counts the starts (`StartThreadpoolIo`) whose completion has not come
//! (`pending`) and the completions to drop (`skipped`: starts a cancelling wait gave up on).
//! A completion takes a start and queues one run of the callback; with no start left it
//! takes a skipped one and is dropped; with neither, it is one no start announced: Windows
//! drops it (the documentation warns of memory corruption), and the simulator names the bug
//! in the run's report. A closed object goes when its last start has had its completion and
//! its last run has ended.

use crate::api::{IoCompletion, WsaError};
use crate::sim::kernel::thread_pool::PoolThreadBody;
use crate::sim::kernel::tp_objects::{TpKind, TpRun};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::World;

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    /// The start counts of I/O object `id`, to change.
    fn tp_io_counts(&mut self, id: usize) -> Option<(&mut u32, &mut u32)> {
        match &mut self.kern.tp_objects.objects.get_mut(&id)?.kind {
            TpKind::Io { pending, skipped } => Some((pending, skipped)),
            _ => None,
        }
    }

    /// `StartThreadpoolIo`: one more operation's completion is awaited.
    pub(crate) fn tp_io_start(&mut self, id: usize) {
        if let Some((pending, _)) = self.tp_io_counts(id) {
            *pending += 1;
        }
    }

    /// `CancelThreadpoolIo`: a start is taken back. ERROR_INVALID_PARAMETER with none
    /// outstanding (the count would wrap on Windows).
    pub(crate) fn tp_io_cancel(&mut self, id: usize) -> Result<(), WsaError> {
        let (pending, _) = self.tp_io_counts(id).ok_or(WsaError::WSA_INVALID_HANDLE)?;
        if *pending == 0 {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        *pending -= 1;
        self.tp_changed(id);
        Ok(())
    }

    /// A completion of I/O object `id`'s socket: a run of its callback if a start awaits it,
    /// else dropped (a skipped start's, or one no start announced: noted as the program's
    /// bug).
    pub(crate) fn tp_io_completion(
        &mut self,
        id: usize,
        completion: IoCompletion,
        issuer: usize,
        body: PoolThreadBody<L>,
    ) {
        let ov = completion.overlapped.id;
        let Some((pending, skipped)) = self.tp_io_counts(id) else {
            self.rt.note_misuse_by(issuer, format!(
                "the completion of OVERLAPPED {ov} (an operation this thread started) reached \
                 thread-pool I/O object {id} after CloseThreadpoolIo freed it (on Windows the pool reads freed memory): close \
                 the socket, or let its operations end, before closing the object"
            ));
            return;
        };
        if *pending > 0 {
            *pending -= 1;
            self.tp_queue_run(id, TpRun::Io(completion), body);
        } else if *skipped > 0 {
            *skipped -= 1;
            self.tp_changed(id);
        } else {
            let closed = self
                .kern
                .tp_objects
                .objects
                .get(&id)
                .is_some_and(|o| o.closed);
            let what = if closed { "closed " } else { "" };
            self.rt.note_misuse_by(issuer, format!(
                "the completion of OVERLAPPED {ov} (an operation this thread started) reached \
                 {what}thread-pool I/O object {id} with no StartThreadpoolIo outstanding: the pool dropped it (call \
                 StartThreadpoolIo before every overlapped operation on its socket)"
            ));
        }
    }
}
