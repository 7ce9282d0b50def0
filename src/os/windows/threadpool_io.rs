//! [`ThreadpoolIo`] for [`Native`]: kernel32's I/O objects of the Vista thread pool on this
//! backend's sockets (`CreateThreadpoolIo`, `StartThreadpoolIo`, `CancelThreadpoolIo`,
//! `WaitForThreadpoolIoCallbacks`, `CloseThreadpoolIo`), in the default pool or an
//! environment's pool and cleanup group.
//!
//! **The objects** are kept in the table of `threadpool_objects.rs` ([`Kind::Io`]), made with
//! the one trampoline [`io_callback`] and, as `pv`, the address of their entry, and follow its
//! rules: a value that is not a live I/O object of this backend (closed, never made, of another
//! kind) is ERROR_INVALID_HANDLE without an OS call; start, cancel and close are made under the
//! table's lock; a close during a wait for callbacks leaves the OS call to the last wait.
//!
//! **The association.** `CreateThreadpoolIo` associates the socket with the pool's completion
//! port, so it is made as `BindIoCompletionCallback` is ([`Native::associate_with_pool`],
//! `pool_io.rs`): NULL is ERROR_INVALID_PARAMETER, a value that is not an open socket of this
//! backend ERROR_INVALID_HANDLE, a socket this backend associated with a port or bound already
//! ERROR_INVALID_PARAMETER, all without an OS call, and the OS call is made with the socket
//! table's and the record table's locks held. Once it succeeded the socket counts as associated
//! ([`OpTable::associate`]): its operations are recorded in [`Mode::Port`] (those still pending
//! too), a completion routine is refused (WSAEINVAL), a second association fails, and an inline
//! success with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is WSAGetOverlappedResult's to collect (no
//! packet comes: the program takes its start back). The association lasts as long as the
//! socket, as on Windows: closing the I/O object does not undo it.
//!
//! **From the completion to the callback.** The pool calls [`io_callback`] with the entry, the
//! operation's OVERLAPPED, the Win32 result and the bytes. The OVERLAPPED is the operation's
//! [`Op`] (`op.rs`: every overlapped call of this backend hands the OS one); the trampoline
//! takes it back as a port's dequeue does ([`Native::take_delivered`]: once the call that
//! issued it has returned, since ws2_32 may read the OVERLAPPED until then) and builds the
//! [`IoCompletion`] as `pool_io.rs` does: `error` `None` for 0, else the Win32 code (Wine's
//! kernelbase passes `RtlNtStatusToDosError` of the status), the bytes, the buffers handed
//! back, a receive's source, control data and flags. The callback gets it with its instance
//! (`tp_instance.rs`). When the backend is gone (its last clone dropped), a completion that
//! still arrives frees its record and calls nothing, as in `pool_io.rs`.
//!
//! **Starts.** The OS counts the starts waiting for their completion, and a
//! `CancelThreadpoolIo` with none would wrap the count. This backend keeps its own count of
//! *outstanding* starts ([`LiveObject::outstanding`]): one more for each start, one fewer for
//! each cancel and as each callback starts (the trampoline takes it off), and once a
//! `WaitForThreadpoolIoCallbacks` returns, at most the starts made since it began (the OS
//! returns once every earlier start has had its callback, or gave them up when asked to). A
//! cancel with none outstanding is ERROR_INVALID_PARAMETER without an OS call. The OS takes a
//! start off when it dequeues the completion, a moment before the callback starts, so this
//! count is never below the OS's: a refused cancel is one that would wrap.
//!
//! **When the closure is freed.** A close with no start outstanding frees the entry: every
//! start's callback has started (and holds a count of its own) or was taken back, and the pool
//! runs no callback for a completion that no start announced (it drops it: Wine's threadpool.c
//! test_tp_io, which passes on Windows). A close with starts outstanding leaks it: the OS keeps
//! the object until their completions have come, and runs their callbacks.
//!
//! **What is never freed.** The record of a completion the pool drops (no start announced it,
//! or a cancelling wait gave its start up) stays in the record table: nothing tells this
//! backend that its completion will never reach the trampoline, so the record is leaked (its
//! buffers with it) and its `Overlapped` id stays pending (another operation issued with that
//! id is refused, WSAEINVAL). The calls keep the thread's last error when they succeed.

use std::ffi::c_void;

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::System::Threading as th;

use super::native::{finish_kept, Native};
use super::op::Op;
use super::threadpool_objects::made;
use super::tp_instance::dispatch;
use super::tp_table::Kind;
use crate::api::threadpool_cleanup_group::CallbackEnviron;
use crate::api::threadpool_io::{ThreadpoolIo, TpIo, TpIoCallback};
use crate::api::{Socket, WsaError};

#[cfg(doc)]
use super::op::{Mode, OpTable};
#[cfg(doc)]
use super::tp_table::LiveObject;
#[cfg(doc)]
use crate::api::IoCompletion;

/// The `PTP_WIN32_IO_CALLBACK` of every I/O object of this module: takes the operation's
/// record back and calls the object's callback with its completion (module docs).
unsafe extern "system" fn io_callback(
    instance: th::PTP_CALLBACK_INSTANCE,
    context: *mut c_void,
    overlapped: *mut c_void,
    result: u32,
    bytes: usize,
    io: th::PTP_IO,
) {
    let op = overlapped.cast::<Op>();
    let deliver = |native: &Native, cb: &TpIoCallback<Native>, inst| {
        // This start has had its completion: the pool took it off its count on dequeuing it.
        native.on_listed(io as usize, Kind::Io, |obj| {
            obj.outstanding = obj.outstanding.saturating_sub(1);
        });
        if op.is_null() {
            // No operation of ours (a packet nobody here posted): nothing to hand back.
            return;
        }
        // SAFETY: the OS calls this function only for completions of sockets that
        // `create_threadpool_io` associated with the pool under this object: sockets of a
        // `Native`, whose every lpOverlapped is a live leaked `Op` (issue.rs), in mode Port
        // once associated. The OS delivers each completion once and only this call takes such
        // a record back (`take_delivered`), so the record is live here (its issuing call may
        // still read its OVERLAPPED: `id` is not written after the record was issued, and
        // `take_delivered` waits for that call to return).
        let id = unsafe { (*op).id.id };
        if let Some(record) = native.take_delivered(id, op) {
            let error = (result != 0).then(|| WsaError::from_code(result as i32));
            let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
            let c = native.finish_op(record, bytes, 0, error);
            cb(native, inst, TpIo::from_raw(io as usize), c);
        }
    };
    // SAFETY: `context` is the `pv` this module gave `CreateThreadpoolIo` for `io`: the `param`
    // of its `CallbackEntry<TpIoCallback<Native>>`, which its table holds while the OS may start
    // a callback of the object (`threadpool_objects.rs`: for an I/O object, while a start is
    // outstanding, and this callback's start counts until `deliver` takes it off, after
    // `dispatch` has taken a count of its own).
    let ran = unsafe { dispatch(context, instance, deliver) };
    if !ran && !op.is_null() {
        // SAFETY: the backend is gone: its record table frees only plain records, so this one
        // (mode Port: a socket associated with the pool) was left to its completion, which the
        // OS delivers once, here: ours alone. No call is issuing it (an issuing call holds a
        // clone of the backend), so the OS no longer reads it either.
        drop(unsafe { Box::from_raw(op) });
    }
}

impl Native {
    /// `CreateThreadpoolIo((HANDLE)s, io_callback, <the entry>, <env, or NULL>)`, after the
    /// checks of `BindIoCompletionCallback` (module docs).
    pub(super) fn create_io(
        &self,
        s: Socket,
        callback: TpIoCallback<Self>,
        env: Option<&CallbackEnviron<Self>>,
    ) -> Result<TpIo, WsaError> {
        let raw = s.raw();
        self.create_tp(Kind::Io, callback, env, |pv, penv| {
            self.associate_with_pool(raw, |_| {
                // SAFETY: an open socket of this backend, on no port yet (the socket table's
                // lock is held, so it is not closed meanwhile); `io_callback` lives as long as
                // the process and copes with any completion of the socket (every lpOverlapped
                // of it is a record of ours) and takes exactly this kind of entry as its
                // context, which the table keeps from here until no callback can start (module
                // docs). No callback runs before a start, which needs the table. `penv` is NULL
                // (the default pool) or a filled environment that outlives the call, naming no
                // group or pool but open ones of this backend (`threadpool_cleanup_group.rs`).
                made(unsafe { th::CreateThreadpoolIo(raw as HANDLE, Some(io_callback), pv, penv) })
            })
        })
        .map(TpIo::from_raw)
    }
}

impl ThreadpoolIo for Native {
    /// `CreateThreadpoolIo((HANDLE)s, io_callback, <the entry>, NULL)`, after the checks of
    /// `BindIoCompletionCallback` (module docs).
    fn create_threadpool_io(
        &self,
        s: Socket,
        callback: TpIoCallback<Self>,
    ) -> Result<TpIo, WsaError> {
        self.create_io(s, callback, None)
    }

    /// `StartThreadpoolIo(pio)`, counted (module docs); an object not live:
    /// ERROR_INVALID_HANDLE, no OS call.
    fn start_threadpool_io(&self, io: TpIo) -> Result<(), WsaError> {
        self.on_live(io.raw(), Kind::Io, |obj| {
            obj.armings += 1;
            obj.outstanding += 1;
            // SAFETY: a live I/O object of this backend (the table's lock is held, so it is not
            // closed meanwhile).
            unsafe { th::StartThreadpoolIo(io.raw() as th::PTP_IO) };
        })
    }

    /// `CancelThreadpoolIo(pio)`; an object not live: ERROR_INVALID_HANDLE, no start
    /// outstanding: ERROR_INVALID_PARAMETER, without an OS call.
    fn cancel_threadpool_io(&self, io: TpIo) -> Result<(), WsaError> {
        let r = self.on_live(io.raw(), Kind::Io, |obj| {
            if obj.outstanding == 0 {
                return Err(WsaError::WSA_INVALID_PARAMETER);
            }
            obj.outstanding -= 1;
            // SAFETY: a live I/O object of this backend (the table's lock is held) with a start
            // outstanding, so the OS's count of them does not wrap (module docs).
            unsafe { th::CancelThreadpoolIo(io.raw() as th::PTP_IO) };
            Ok(())
        });
        finish_kept(r.and_then(|r| r))
    }

    /// `WaitForThreadpoolIoCallbacks(pio, fCancelPendingCallbacks)`; an object not live:
    /// ERROR_INVALID_HANDLE, no OS call.
    fn wait_for_threadpool_io_callbacks(
        &self,
        io: TpIo,
        cancel_pending: bool,
    ) -> Result<(), WsaError> {
        self.wait_callbacks(io.raw(), Kind::Io, cancel_pending)
    }

    /// `CloseThreadpoolIo(pio)` (module docs); an object not live: ERROR_INVALID_HANDLE.
    fn close_threadpool_io(&self, io: TpIo) -> Result<(), WsaError> {
        self.close_object(io.raw(), Kind::Io)
    }
}
