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

/// HWND_BOTTOM ((HWND)1): as GetMessage / PeekMessage's `hWnd`, only the thread's own
/// messages (those posted with a NULL window: PostThreadMessage, `PostMessage(NULL, ...)`).
pub const HWND_BOTTOM: Hwnd = Hwnd(1);
/// HWND_TOPMOST ((HWND)-1): as GetMessage / PeekMessage's `hWnd`, only the thread's own
/// messages, as [`HWND_BOTTOM`] (user32 msg.c test_PeekMessage).
pub const HWND_TOPMOST: Hwnd = Hwnd(usize::MAX);
/// HWND_BROADCAST ((HWND)0xffff): as GetMessage / PeekMessage's `hWnd`, only the thread's own
/// messages, as [`HWND_BOTTOM`] (user32 msg.c test_PostMessage, test_PeekMessage).
pub const HWND_BROADCAST: Hwnd = Hwnd(0xffff);

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

/// A timer procedure: `VOID CALLBACK TimerProc(HWND hwnd, UINT uMsg, UINT_PTR idEvent, DWORD
/// dwTime)`, given the thread's WinSock handle as well so it can call back into the API.
/// DispatchMessage calls it for its timer's WM_TIMER with (hwnd, WM_TIMER, the id,
/// GetTickCount).
pub type TimerProc<W> = Box<dyn FnMut(&W, Hwnd, u32, usize, u32) + Send>;

/// The WSAAsyncSelect model.
pub trait AsyncSelect: Winsock + Sized {
    /// `CreateWindow`: a window owned by the calling thread, with an optional window
    /// procedure for `DispatchMessage`.
    fn create_window(&self, proc: Option<WndProc<Self>>) -> Result<Hwnd, WsaError>;

    /// `DestroyWindow(hWnd)`: its queued messages are dropped; sockets registered on it stop
    /// posting. Only the thread that created the window may destroy it: from another,
    /// ERROR_ACCESS_DENIED and the window lives on. A thread's windows are destroyed when it
    /// ends.
    fn destroy_window(&self, hwnd: Hwnd) -> Result<(), WsaError>;

    /// `PostMessage(hWnd, Msg, wParam, lParam)`: queues the message for the thread that owns
    /// window `hwnd`. NULL posts a thread message (NULL window) to the calling thread, as
    /// [`post_thread_message`](Self::post_thread_message) with its own id does. Not a window:
    /// WSA_INVALID_HANDLE (ERROR_INVALID_WINDOW_HANDLE on Windows). A queue holds at most
    /// 10,000 posted messages (Windows' default USERPostMessageLimit): past that,
    /// ERROR_NOT_ENOUGH_QUOTA.
    fn post_message(
        &self,
        hwnd: Hwnd,
        message: u32,
        wparam: usize,
        lparam: isize,
    ) -> Result<(), WsaError>;

    /// `PostThreadMessage(idThread, Msg, wParam, lParam)`: queues a message with a NULL
    /// window for thread `thread_id` (a [`get_current_thread_id`] value) of this process. The
    /// thread must have a message queue: a thread has one from its first window-manager call
    /// (CreateWindow, PeekMessage, GetMessage, PostMessage, MsgWaitForMultipleObjectsEx, ...),
    /// which is why a thread meant to receive them first calls PeekMessage. No such thread (or
    /// one that has ended), or one without a queue: ERROR_INVALID_THREAD_ID; a queue that holds
    /// 10,000 posted messages already: ERROR_NOT_ENOUGH_QUOTA.
    /// `PostMessage(NULL, ...)` is this call for the calling thread.
    ///
    /// [`get_current_thread_id`]: crate::api::sync::SyncObjects::get_current_thread_id
    fn post_thread_message(
        &self,
        thread_id: u32,
        message: u32,
        wparam: usize,
        lparam: isize,
    ) -> Result<(), WsaError>;

    /// `PostQuitMessage(nExitCode)`: queues WM_QUIT for the calling thread.
    fn post_quit_message(&self, exit_code: i32);

    /// `GetMessage(&msg, hWnd, 0, 0)`: [`get_message_range`](Self::get_message_range) without
    /// a message range.
    fn get_message(&self, hwnd: Hwnd) -> Result<Option<Msg>, WsaError> {
        self.get_message_range(hwnd, 0, 0)
    }

    /// `GetMessage(&msg, hWnd, wMsgFilterMin, wMsgFilterMax)`: waits for the next message of
    /// the calling thread that passes both filters. `hwnd`: NULL for any, a window for its
    /// own, [`HWND_BOTTOM`], [`HWND_TOPMOST`] or [`HWND_BROADCAST`] for the thread's own
    /// (NULL-window) messages. Range: `min`..=`max`, both 0 for every message (`min` above
    /// `max` passes none). The WM_QUIT of PostQuitMessage passes either filter; a due timer's
    /// WM_TIMER only a range that holds WM_TIMER. `Ok(None)` for WM_QUIT (GetMessage returns
    /// FALSE). `hwnd` no window (destroyed, or never one, HWND_MESSAGE and HWND_NOTOPMOST
    /// among them): GetMessage returns -1 with ERROR_INVALID_WINDOW_HANDLE, given here as
    /// WSA_INVALID_HANDLE.
    fn get_message_range(&self, hwnd: Hwnd, min: u32, max: u32) -> Result<Option<Msg>, WsaError>;

    /// `PeekMessage(&msg, hWnd, 0, 0, wRemoveMsg)`:
    /// [`peek_message_range`](Self::peek_message_range) without a message range.
    fn peek_message(&self, hwnd: Hwnd, remove: u32) -> Result<Option<Msg>, WsaError> {
        self.peek_message_range(hwnd, 0, 0, remove)
    }

    /// `PeekMessage(&msg, hWnd, wMsgFilterMin, wMsgFilterMax, wRemoveMsg)`: the next message
    /// that passes both filters (as [`get_message_range`](Self::get_message_range)'s), if
    /// any, without waiting; PM_REMOVE takes it. `hwnd` no window: FALSE with
    /// ERROR_INVALID_WINDOW_HANDLE, here WSA_INVALID_HANDLE.
    fn peek_message_range(
        &self,
        hwnd: Hwnd,
        min: u32,
        max: u32,
        remove: u32,
    ) -> Result<Option<Msg>, WsaError>;

    /// `GetQueueStatus(flags)`: MAKELONG(the kinds of `flags` that came into the queue since
    /// it was last looked at (this call, GetMessage or PeekMessage), the kinds in it now) —
    /// QS_POSTMESSAGE and QS_ALLPOSTMESSAGE for posted messages and a pending WM_QUIT,
    /// QS_TIMER for a due window timer — and those kinds are then no longer new. A bit
    /// outside [`QS_VALID_FLAGS`](crate::api::consts::QS_VALID_FLAGS): 0 with
    /// ERROR_INVALID_FLAGS (user32 msg.c test_PeekMessage). Success leaves the last error.
    fn get_queue_status(&self, flags: u32) -> Result<u32, WsaError>;

    /// `DispatchMessage(&msg)`: calls the target window's procedure; 0 when it has none. A
    /// WM_TIMER with a nonzero lParam goes to its TIMERPROC instead
    /// ([`set_timer_proc`](Self::set_timer_proc)).
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
    ///
    /// `hwnd` NULL sets a *thread timer*, the calling thread's own: `id` names one of its
    /// timers to restart, and is otherwise ignored, the thread giving the new timer an id of
    /// its choosing (returned; the simulator gives them as Wine does, 0x7FFF down to 0x101 and
    /// round again, skipping ids in use). Its WM_TIMER has hwnd NULL and reaches only the
    /// thread's own GetMessage / PeekMessage with no window filter (user32 msg.c
    /// test_timers_no_wnd). With a timer under every id (32,511),
    /// ERROR_NO_MORE_USER_HANDLES.
    fn set_timer(&self, hwnd: Hwnd, id: usize, elapse_ms: u32) -> Result<usize, WsaError>;

    /// `SetTimer(hWnd, nIDEvent, uElapse, lpTimerFunc)`: [`set_timer`](Self::set_timer)'s
    /// timer, window or thread timer alike, with a TIMERPROC. Its WM_TIMER's lParam names the
    /// procedure (Windows: its address; the simulator: a nonzero token for it), and
    /// [`dispatch_message`](Self::dispatch_message) of a WM_TIMER whose lParam names the
    /// procedure of one of the process's timers calls it, not the window's procedure (a
    /// WM_TIMER the program made itself too: user32 msg.c test_timers_exception), and
    /// returns 0; once no timer has it (killed, set again without it, its window or thread
    /// gone) dispatching such a WM_TIMER does nothing and returns 0. The native backend keeps
    /// the procedure by window, thread and id and runs it from its own DispatchMessage, as it
    /// does window procedures.
    fn set_timer_proc(
        &self,
        hwnd: Hwnd,
        id: usize,
        elapse_ms: u32,
        proc: TimerProc<Self>,
    ) -> Result<usize, WsaError>;

    /// `KillTimer(hWnd, uIDEvent)`: stops the timer (any window of the process); its WM_TIMER,
    /// if due and not yet generated, is not. No such timer: ERROR_INVALID_PARAMETER
    /// (`WSA_INVALID_PARAMETER`); not a window: WSA_INVALID_HANDLE. `hwnd` NULL stops a
    /// thread timer of the calling thread's (another thread's is no such timer).
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
    /// turns nonblocking. Replaces an earlier registration; `events` = 0 cancels. A
    /// notification that finds the window's queue full (10,000 posted messages) is lost, as
    /// the system's PostMessage fails then, and its event stays off until its re-enabling
    /// call (a server whose message loop falls that far behind stops hearing of the socket).
    fn wsa_async_select(
        &self,
        s: Socket,
        hwnd: Hwnd,
        message: u32,
        events: i32,
    ) -> Result<(), WsaError>;
}
