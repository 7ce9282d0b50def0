//! The Vista thread pool's I/O objects: `CreateThreadpoolIo` / `StartThreadpoolIo` /
//! `CancelThreadpoolIo` / `WaitForThreadpoolIoCallbacks` / `CloseThreadpoolIo`, for sockets,
//! in the process's default pool.
//!
//! Windows' rules (the calls' documentation; Wine's ntdll tests threadpool.c
//! `test_kernel32_tp_io` and `test_tp_io`, which pass on Windows), as both backends keep
//! them:
//! - `CreateThreadpoolIo` associates the socket with the pool's completion port: once (a
//!   socket already associated with a port, or bound before: ERROR_INVALID_PARAMETER), and
//!   completion routines are then refused as with any port;
//! - every overlapped operation must be announced first by `StartThreadpoolIo`; each
//!   completion of the socket then queues one run of the callback (with the OVERLAPPED, the
//!   Win32 result — ERROR_OPERATION_ABORTED for a cancelled one — and the bytes). An operation
//!   that fails at once (anything but `WSA_IO_PENDING`), or that completes at once with
//!   FILE_SKIP_COMPLETION_PORT_ON_SUCCESS set, queues no packet: the program must take its
//!   start back with `CancelThreadpoolIo`. WSAEMSGSIZE is not such a failure: a datagram cut
//!   to the buffer is NT's warning status, and its completion is queued (ERROR_MORE_DATA)
//!   as a success's would be, so its start must stay;
//! - a completion that no start announced is dropped by the pool (the documentation warns of
//!   memory corruption; Windows drops it in `test_tp_io`). The simulator names it in the
//!   run's report (`Report::misuses`);
//! - `WaitForThreadpoolIoCallbacks` waits until every start has had its completion's
//!   callback (or its cancel) and none runs; with `cancel_pending` the starts still waiting
//!   and the runs queued are dropped first (the operations themselves are not cancelled);
//! - `CloseThreadpoolIo` releases the object; starts still outstanding keep it until their
//!   completions have come (and had their callbacks) — a close the documentation forbids
//!   (the socket's I/O is to end first), which the simulator names in `Report::misuses`. The socket stays associated with the
//!   pool: a completion that reaches the object once it is freed reads freed memory on
//!   Windows; the simulator drops it and names the bug (`Report::misuses`).
//!
//! The C functions are VOID and crash on an object already closed; here such an object is
//! ERROR_INVALID_HANDLE, and `CancelThreadpoolIo` with no start outstanding (a count that
//! would wrap on Windows) is ERROR_INVALID_PARAMETER: the program's bug named.

use std::sync::Arc;

use super::overlapped::IoCompletion;
use super::threadpool_objects::{CallbackInstance, ThreadpoolObjects};
use super::types::Socket;
use super::WsaError;

opaque_handle!(
    /// An I/O object (`PTP_IO`, from `CreateThreadpoolIo`).
    TpIo
);

/// An I/O object's callback (`PTP_WIN32_IO_CALLBACK`: instance, context — whatever the
/// closure captures — the OVERLAPPED, the Win32 result, the bytes, the I/O object; here the
/// completion carries the OVERLAPPED, the result as `error`, the bytes and the buffers back).
pub type TpIoCallback<W> = Arc<dyn Fn(&W, CallbackInstance, TpIo, IoCompletion) + Send + Sync>;

/// The Vista thread pool's I/O objects (kernel32; the socket needs `WSAStartup`).
///
/// ```
/// use std::sync::Arc;
/// use winsock_sim::prelude::*;
///
/// /// Receives once on `s`, the completion handled on a pool thread.
/// fn receive<W: ThreadpoolIo + OverlappedIo>(ws: &W, s: Socket) -> Result<TpIo, WsaError> {
///     let on_done: TpIoCallback<W> = Arc::new(|_, _, _, c: IoCompletion| {
///         let _ = (c.error, c.bytes, c.overlapped);
///     });
///     let io = ws.create_threadpool_io(s, on_done)?;
///     ws.start_threadpool_io(io)?;
///     match ws.wsa_recv_overlapped(s, vec![vec![0; 512]], 0, Overlapped::new(1), None) {
///         Ok(_) | Err(WsaError::WSA_IO_PENDING) => {}
///         Err(e) => {
///             // Failed at once: no completion comes, so the start is taken back.
///             ws.cancel_threadpool_io(io)?;
///             return Err(e);
///         }
///     }
///     Ok(io)
/// }
/// ```
pub trait ThreadpoolIo: ThreadpoolObjects {
    /// `CreateThreadpoolIo(fl, pfnio, pv, NULL)`: an I/O object for socket `s`, associated
    /// with the pool's completion port.
    fn create_threadpool_io(
        &self,
        s: Socket,
        callback: TpIoCallback<Self>,
    ) -> Result<TpIo, WsaError>
    where
        Self: Sized;

    /// `StartThreadpoolIo(pio)`: announces one overlapped operation about to be issued.
    fn start_threadpool_io(&self, io: TpIo) -> Result<(), WsaError>;

    /// `CancelThreadpoolIo(pio)`: takes back a start whose operation queues no completion.
    fn cancel_threadpool_io(&self, io: TpIo) -> Result<(), WsaError>;

    /// `WaitForThreadpoolIoCallbacks(pio, fCancelPendingCallbacks)`: with `cancel_pending`,
    /// drops the starts still waiting for a completion and the runs queued; then waits until
    /// every start has had its callback and none runs.
    fn wait_for_threadpool_io_callbacks(
        &self,
        io: TpIo,
        cancel_pending: bool,
    ) -> Result<(), WsaError>;

    /// `CloseThreadpoolIo(pio)`: releases the object; it goes once its outstanding starts
    /// have had their completions and its runs have ended. Any later use:
    /// ERROR_INVALID_HANDLE.
    fn close_threadpool_io(&self, io: TpIo) -> Result<(), WsaError>;
}
