//! The WSAAsyncSelect model: windows, their message queues, and `WSAAsyncSelect`.

use super::sync::Handle;
use super::types::Socket;
use super::{Winsock, WsaError};

/// HWND: a window handle. Windows here exist for their message queues: a window belongs to
/// the thread that created it, and messages posted to it wait in that thread's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hwnd(usize);

impl Hwnd {
    /// NULL.
    pub const NULL: Hwnd = Hwnd(0);

    /// A handle from its raw value.
    pub const fn from_raw(raw: usize) -> Hwnd {
        Hwnd(raw)
    }

    /// The raw handle value.
    pub const fn raw(self) -> usize {
        self.0
    }
}

/// MSG: one queued window message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg {
    /// hwnd: the target window (NULL for thread messages such as WM_QUIT).
    pub hwnd: Hwnd,
    /// message: WM_* or the number given to WSAAsyncSelect.
    pub message: u32,
    /// wParam: for WSAAsyncSelect messages, the socket.
    pub wparam: usize,
    /// lParam: for WSAAsyncSelect messages, WSAMAKESELECTREPLY(event, error).
    pub lparam: isize,
}

/// A window procedure: `LRESULT CALLBACK WndProc(HWND, UINT, WPARAM, LPARAM)`, given the
/// thread's WinSock handle as well so it can call back into the API.
pub type WndProc<W> = Box<dyn FnMut(&W, Msg) -> isize + Send>;

/// The WSAAsyncSelect model.
pub trait AsyncSelect: Winsock + Sized {
    /// `CreateWindow`: a window owned by the calling thread, with an optional window
    /// procedure for `DispatchMessage`.
    fn create_window(&self, proc: Option<WndProc<Self>>) -> Result<Hwnd, WsaError>;

    /// `DestroyWindow(hWnd)`: its queued messages are dropped; sockets registered on it stop
    /// posting.
    fn destroy_window(&self, hwnd: Hwnd) -> Result<(), WsaError>;

    /// `PostMessage(hWnd, Msg, wParam, lParam)`.
    fn post_message(
        &self,
        hwnd: Hwnd,
        message: u32,
        wparam: usize,
        lparam: isize,
    ) -> Result<(), WsaError>;

    /// `PostQuitMessage(nExitCode)`: queues WM_QUIT for the calling thread.
    fn post_quit_message(&self, exit_code: i32);

    /// `GetMessage(&msg, hWnd, 0, 0)`: waits for the next message of the calling thread (for
    /// `hwnd` only, unless NULL). `Ok(None)` for WM_QUIT (GetMessage returns FALSE). `hwnd`
    /// not a window (destroyed, or never one): GetMessage returns -1 with
    /// ERROR_INVALID_WINDOW_HANDLE, given here as WSA_INVALID_HANDLE.
    fn get_message(&self, hwnd: Hwnd) -> Result<Option<Msg>, WsaError>;

    /// `PeekMessage(&msg, hWnd, 0, 0, wRemoveMsg)`: the next message if any, without waiting.
    /// `hwnd` not a window: FALSE with ERROR_INVALID_WINDOW_HANDLE, here WSA_INVALID_HANDLE.
    fn peek_message(&self, hwnd: Hwnd, remove: u32) -> Result<Option<Msg>, WsaError>;

    /// `DispatchMessage(&msg)`: calls the target window's procedure; 0 when it has none.
    fn dispatch_message(&self, msg: &Msg) -> Result<isize, WsaError>;

    /// `SetTimer(hWnd, nIDEvent, uElapse, NULL)`: a timer of window `hwnd` (any window of the
    /// process: its WM_TIMER goes to the window's thread), due every `elapse_ms` (below
    /// USER_TIMER_MINIMUM, 10 ms, it is 10; above USER_TIMER_MAXIMUM it is that). Setting an
    /// existing `id` again restarts it with the new period. Returns `id` (1 for id 0: C's
    /// nonzero success). While a timer is due, a `GetMessage` / `PeekMessage` that finds no
    /// posted message and no WM_QUIT generates one WM_TIMER for it (wParam = `id`, lParam = 0),
    /// which is then a posted message (a PM_NOREMOVE peek leaves it first in line); expiries
    /// before that make one message, not several; the period goes on from its due times. Not a
    /// window: ERROR_INVALID_HANDLE (`WSA_INVALID_HANDLE`), as Wine gives and as the other
    /// window calls here do.
    fn set_timer(&self, hwnd: Hwnd, id: usize, elapse_ms: u32) -> Result<usize, WsaError>;

    /// `KillTimer(hWnd, uIDEvent)`: stops the timer (any window of the process); its WM_TIMER,
    /// if due and not yet generated, is not. No such timer: ERROR_INVALID_PARAMETER
    /// (`WSA_INVALID_PARAMETER`); not a window: WSA_INVALID_HANDLE.
    fn kill_timer(&self, hwnd: Hwnd, id: usize) -> Result<(), WsaError>;

    /// `MsgWaitForMultipleObjectsEx(nCount, pHandles, dwMilliseconds, dwWakeMask, dwFlags)`:
    /// waits for one of `handles` (events, mutexes, semaphores, timers, threads) or for
    /// input of the kinds `wake_mask` names (QS_POSTMESSAGE, QS_ALLPOSTMESSAGE, QS_TIMER;
    /// QS_ALLINPUT and QS_ALLEVENTS include them). `WAIT_OBJECT_0 + i` for a handle (the lowest
    /// signalled one first, as WaitForMultipleObjects), `WAIT_OBJECT_0 + handles.len()` for
    /// input, WAIT_TIMEOUT, WAIT_ABANDONED_0 + i, or WAIT_IO_COMPLETION with MWMO_ALERTABLE.
    /// Input counts only if it is *new*: GetMessage and PeekMessage mark what the queue holds
    /// as seen, and a message still queued after that does not end the next wait (the trap of
    /// a loop that peeks without removing); MWMO_INPUTAVAILABLE counts any input in the queue.
    /// A return for input leaves it new (as Wine and ReactOS do; the documentation counts this
    /// call among those that mark it seen). A handle signalled together with new input wins.
    /// More than 63 handles: ERROR_INVALID_PARAMETER.
    fn msg_wait_for_multiple_objects_ex(
        &self,
        handles: &[Handle],
        timeout_ms: u32,
        wake_mask: u32,
        flags: u32,
    ) -> Result<u32, WsaError>;

    /// `WSAAsyncSelect(s, hWnd, wMsg, lEvent)`: posts `message` to `hwnd` for each FD_* event
    /// of `events` (wParam = socket, lParam = WSAMAKESELECTREPLY(event, error)); the socket
    /// turns nonblocking. Replaces an earlier registration; `events` = 0 cancels.
    fn wsa_async_select(
        &self,
        s: Socket,
        hwnd: Hwnd,
        message: u32,
        events: i32,
    ) -> Result<(), WsaError>;
}
