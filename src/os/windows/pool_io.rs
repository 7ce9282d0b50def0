//! [`PoolIo`] for [`Native`]: kernel32's `BindIoCompletionCallback` on this backend's sockets.
//!
//! **From the OVERLAPPED to the callback.** The OS calls an `LPOVERLAPPED_COMPLETION_ROUTINE`
//! with no context of its own: only `dwErrorCode`, the byte count and `lpOverlapped`. Every
//! socket is therefore bound with the one trampoline [`pool_completion`], and the
//! `lpOverlapped` leads to the rest. It points to the operation's [`Op`] (`op.rs`: every
//! overlapped call of this backend hands the OS one), whose `pool` field holds the socket's
//! binding: a [`CallbackEntry`] (as `thread_pool.rs` makes for timers) with the
//! [`IoCallback`] and a weak reference to the backend. `issue.rs` copies it into the record
//! from the backend's table of bound sockets ([`OpTable::bound`], keyed by socket) before the
//! OS sees the record; the binding writes it into the records of the socket's plain operations
//! still pending before it binds (they may complete to the pool from then on). The record
//! holds the binding, not the socket: a receive pending when its socket is closed still
//! completes (ERROR_CONNECTION_ABORTED) to the callback, after the socket's value has left the
//! table and may name another socket already.
//!
//! **What is freed when.** A bound socket counts as associated with a port
//! ([`OpTable::associated`]): its operations are recorded in [`Mode::Port`], so a completion
//! routine is refused (WSAEINVAL) and an inline success with
//! FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is WSAGetOverlappedResult's to collect, as on any
//! port. The trampoline takes the record back under the record table's lock as a dequeue
//! does ([`Native::take_delivered`]: only once the call that issued the operation has
//! returned, since ws2_32 may read the OVERLAPPED until then, which a pool thread that is
//! always waiting makes visible) and builds the [`IoCompletion`] as a packet's: the OS's
//! Win32 code as `error` (Wine's ntdll `iocp_poller` passes `RtlNtStatusToDosError` of the
//! status, and 0 bytes with an error; Windows is taken to do as its GetQueuedCompletionStatus
//! does), the buffers handed back, a receive's source, control data and flags. It then calls
//! the callback (a panic is caught: it must not unwind into the OS) and the record, with its
//! count of the binding, goes. The table's count goes when the socket is closed; the last
//! count frees the closure. When the backend is gone (its last clone dropped), a completion
//! that still arrives frees its record (the backend's table left it to the port's side; no
//! call can be issuing it, since an issuing call holds the backend) and calls nothing.
//!
//! **Checks before the call** (shared with `CreateThreadpoolIo`, `threadpool_io.rs`, which
//! associates a socket with the pool's port too: [`Native::associate_with_pool`]). NULL:
//! ERROR_INVALID_PARAMETER (Windows Vista and later; older ones and Wine say
//! ERROR_INVALID_HANDLE); a value that is not an open socket of this backend:
//! ERROR_INVALID_HANDLE, without an OS call (the file system's answer for a handle that names
//! nothing); a socket this backend associated with a completion port or bound already:
//! ERROR_INVALID_PARAMETER, without an OS call (the OS refuses a second association with the
//! same code). A socket not opened for overlapped I/O goes to the OS, which refuses it
//! (ERROR_INVALID_PARAMETER: sync.c test_iocp_callback, for a file). The socket table's lock is
//! held from the check to the end, so a concurrent `closesocket` cannot close the socket (and
//! the OS hand its value to a handle whose completions are not records of ours) meanwhile. The
//! call keeps the thread's last error when it succeeds, as kernel32's BOOL calls do.

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::System::IO as io;

use super::native::{finish_kept, Native};
use super::op::{Mode, Op, OpTable, PoolBinding};
use super::sync_lookup::check;
use super::thread_pool::CallbackEntry;
use crate::api::thread_pool::{IoCallback, PoolIo};
use crate::api::{Socket, WsaError};

#[cfg(doc)]
use crate::api::IoCompletion;

/// A socket's binding: its callback and a weak reference to the backend.
type Binding = CallbackEntry<IoCallback<Native>>;

/// The `LPOVERLAPPED_COMPLETION_ROUTINE` every socket of this backend is bound with: takes
/// the operation's record back and calls its socket's callback (module docs).
unsafe extern "system" fn pool_completion(error: u32, bytes: u32, ov: *mut io::OVERLAPPED) {
    if ov.is_null() {
        // No operation of ours (a packet nobody here posted): nothing to hand back.
        return;
    }
    let op = ov.cast::<Op>();
    // SAFETY: the OS calls this function only for completions of handles bound with it, and
    // only `bind_io_completion_callback` binds with it: sockets of a `Native`, whose every
    // lpOverlapped is a live leaked `Op` (issue.rs) in mode Port. The OS delivers each
    // completion once and only this call takes such a record back (`take_delivered`), so the
    // record is live here (the issuing call may still read its OVERLAPPED: nothing here writes
    // to the record, and `take_delivered` waits for that call). Its `id` and `pool` were
    // written before the OS could complete the operation to the pool (when it was issued, or
    // under the table's lock before the socket was bound) and are not written again, so
    // reading them races with no one.
    let (id, pool) = unsafe { ((*op).id.id, (*op).pool.clone()) };
    let Some(binding) = pool.and_then(|b| b.downcast::<Binding>().ok()) else {
        // Not a record of a bound socket (cannot happen while the table is consistent): leave
        // it rather than free what someone else may free.
        return;
    };
    let error = (error != 0).then(|| WsaError::from_code(error as i32));
    let ran = binding.run(|native, callback| {
        if let Some(record) = native.take_delivered(id, op) {
            callback(native, native.finish_op(record, bytes, 0, error));
        }
    });
    if !ran {
        // SAFETY: the backend is gone: its record table frees only plain records, so this one
        // (mode Port) was left to its completion, which the OS delivers once, here: ours alone.
        // No call is issuing it (an issuing call holds a clone of the backend), so the OS no
        // longer reads it either.
        drop(unsafe { Box::from_raw(op) });
    }
}

impl Native {
    /// Associates socket `raw` with the pool's completion port by `associate`, the OS call
    /// (`BindIoCompletionCallback` here, `CreateThreadpoolIo` in `threadpool_io.rs`), after the
    /// checks of the module docs; once it has succeeded the socket counts as associated
    /// ([`OpTable::associate`]). The error is the one to report.
    pub(super) fn associate_with_pool<T>(
        &self,
        raw: usize,
        associate: impl FnOnce(&mut OpTable) -> Result<T, WsaError>,
    ) -> Result<T, WsaError> {
        if raw == 0 {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        // Held to the end: the socket stays open (and this backend's) until it is associated.
        let owned = self.inner.owned.lock();
        if !owned.sockets.contains(&raw) {
            return Err(WsaError::WSA_INVALID_HANDLE);
        }
        let mut t = self.inner.ops.lock();
        if t.associated.contains(&raw) {
            return Err(WsaError::WSA_INVALID_PARAMETER);
        }
        let made = associate(&mut t)?;
        t.associate(raw);
        drop(t);
        drop(owned);
        Ok(made)
    }

    /// The binding of socket `raw` (module docs); the error is the one to report.
    fn bind_pool(
        &self,
        raw: usize,
        callback: IoCallback<Native>,
        flags: u32,
    ) -> Result<(), WsaError> {
        self.associate_with_pool(raw, |t| self.bind_associating(t, raw, callback, flags))
    }

    /// `BindIoCompletionCallback` of socket `raw`, with the record table `t` locked (and the
    /// socket checked) by [`Native::associate_with_pool`].
    fn bind_associating(
        &self,
        t: &mut OpTable,
        raw: usize,
        callback: IoCallback<Native>,
        flags: u32,
    ) -> Result<(), WsaError> {
        let binding: PoolBinding = Binding::new(self, callback);
        // Its plain operations still pending may complete to the pool as soon as the OS has
        // bound it: their records must name the binding before that.
        let plain: Vec<*mut Op> = t
            .pending
            .values()
            .filter(|p| p.socket == raw && p.mode == Mode::Plain)
            .map(|p| p.ptr.0)
            .collect();
        let set_pool = |to: Option<&PoolBinding>| {
            for &op in &plain {
                // SAFETY: a record in the table is live while its lock is held (every path
                // that frees one takes it out under the lock first), and a plain record's
                // `pool` is read or written only under that lock (its socket is on no port,
                // so no dequeue or trampoline sees it yet); its issuing call, if it has not
                // returned, and the OS touch only its other fields (OVERLAPPED, WSABUFs,
                // buffers, addresses).
                unsafe { (*op).pool = to.cloned() };
            }
        };
        set_pool(Some(&binding));
        // SAFETY: an open socket of this backend (a SOCKET is a file handle; the socket
        // table's lock is held, so it is not closed meanwhile); `pool_completion` is a plain
        // function that lives as long as the process and copes with any completion of a
        // socket bound with it (the records of its operations name the binding: set above
        // for those pending, by `issue` for later ones); `flags` is an integer.
        let r = check(unsafe {
            io::BindIoCompletionCallback(raw as HANDLE, Some(pool_completion), flags)
        });
        if r.is_err() {
            // Not bound: the records stay plain, WSAGetOverlappedResult's to take back.
            set_pool(None);
            return r;
        }
        t.bound.insert(raw, binding);
        Ok(())
    }
}

impl PoolIo for Native {
    /// `BindIoCompletionCallback((HANDLE)s, pool_completion, Flags)`, after the checks of the
    /// module docs.
    fn bind_io_completion_callback(
        &self,
        s: Socket,
        callback: IoCallback<Self>,
        flags: u32,
    ) -> Result<(), WsaError> {
        finish_kept(self.bind_pool(s.raw(), callback, flags))
    }
}
