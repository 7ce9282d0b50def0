//! `impl AsyncSelect for Native`: WSAAsyncSelect on message-only windows (`HWND_MESSAGE`, no
//! display needed) and the calling thread's real message queue.
//!
//! The windows' class procedure is `DefWindowProcW`; the Rust window procedure given to
//! `create_window` is kept by the backend and called by `dispatch_message`, which is what
//! `DispatchMessage` would do for the messages a program gets from its queue.

use std::sync::OnceLock;

use windows_sys::Win32::Foundation::HWND;
use windows_sys::Win32::Networking::WinSock as ws;
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::UI::WindowsAndMessaging as wm;

use super::native::{finish, last_error, Native};
use super::sync_lookup::me;
use crate::api::consts::WM_TIMER;
use crate::api::{
    AsyncSelect, Handle, Hwnd, Msg, Socket, TimerProc, WndProc, WsaError, HWND_BOTTOM,
    HWND_BROADCAST, HWND_TOPMOST,
};

/// The window class name, NUL-terminated UTF-16.
const CLASS: &[u16] = &[
    b'w' as u16,
    b's' as u16,
    b'-' as u16,
    b's' as u16,
    b'i' as u16,
    b'm' as u16,
    b'-' as u16,
    b'n' as u16,
    b'a' as u16,
    b't' as u16,
    b'i' as u16,
    b'v' as u16,
    b'e' as u16,
    0,
];

/// Registers the window class once per process; the atom, or the error code.
fn class() -> Result<(), WsaError> {
    static ATOM: OnceLock<Result<(), i32>> = OnceLock::new();
    let r = ATOM.get_or_init(|| {
        // SAFETY: a null module name asks for the executable's own handle.
        let instance = unsafe { GetModuleHandleW(std::ptr::null()) };
        let wc = wm::WNDCLASSW {
            style: 0,
            lpfnWndProc: Some(wm::DefWindowProcW),
            cbClsExtra: 0,
            cbWndExtra: 0,
            hInstance: instance,
            hIcon: std::ptr::null_mut(),
            hCursor: std::ptr::null_mut(),
            hbrBackground: std::ptr::null_mut(),
            lpszMenuName: std::ptr::null(),
            lpszClassName: CLASS.as_ptr(),
        };
        // SAFETY: `wc` is a fully initialised WNDCLASSW whose class name is a static
        // NUL-terminated string; the procedure is DefWindowProcW itself.
        match unsafe { wm::RegisterClassW(&wc) } {
            0 => Err(last_error().code()),
            _ => Ok(()),
        }
    });
    r.map_err(WsaError::from_code)
}

/// ERROR_INVALID_WINDOW_HANDLE (1400) as the API gives it for every window call
/// (WSA_INVALID_HANDLE): a window this backend made whose thread has ended, which Windows
/// destroyed with it.
fn window_gone(e: WsaError) -> WsaError {
    if e.code() == 1400 {
        WsaError::WSA_INVALID_HANDLE
    } else {
        e
    }
}

/// A MSG as the API's [`Msg`].
fn msg_from(m: &wm::MSG) -> Msg {
    Msg {
        hwnd: Hwnd::from_raw(m.hwnd as usize),
        message: m.message,
        wparam: m.wParam,
        lparam: m.lParam,
    }
}

impl Native {
    /// `hwnd` as an OS handle if this backend created it (NULL passes as NULL).
    fn window(&self, hwnd: Hwnd) -> Result<HWND, WsaError> {
        if hwnd == Hwnd::NULL || self.inner.windows.lock().contains_key(&hwnd.raw()) {
            Ok(hwnd.raw() as HWND)
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        }
    }

    /// GetMessage / PeekMessage's `hWnd`: as [`Native::window`], and also the three values
    /// that name the thread's own messages (HWND_BOTTOM, HWND_TOPMOST, HWND_BROADCAST).
    fn filter_window(&self, hwnd: Hwnd) -> Result<HWND, WsaError> {
        match hwnd {
            HWND_BOTTOM | HWND_TOPMOST | HWND_BROADCAST => Ok(hwnd.raw() as HWND),
            _ => self.window(hwnd),
        }
    }
}

impl AsyncSelect for Native {
    /// `CreateWindowExW(0, class, NULL, 0, 0, 0, 0, 0, HWND_MESSAGE, ...)`: a message-only
    /// window of the calling thread.
    fn create_window(&self, proc: Option<WndProc<Self>>) -> Result<Hwnd, WsaError> {
        finish(class().and_then(|()| {
            // SAFETY: the class is registered; every pointer is null or the static class
            // name; HWND_MESSAGE makes a message-only window owned by this thread.
            let h = unsafe {
                wm::CreateWindowExW(
                    0,
                    CLASS.as_ptr(),
                    std::ptr::null(),
                    0,
                    0,
                    0,
                    0,
                    0,
                    wm::HWND_MESSAGE,
                    std::ptr::null_mut(),
                    GetModuleHandleW(std::ptr::null()),
                    std::ptr::null(),
                )
            };
            if h.is_null() {
                return Err(last_error());
            }
            self.inner.windows.lock().insert(h as usize, proc);
            Ok(Hwnd::from_raw(h as usize))
        }))
    }

    /// `DestroyWindow`: only windows this backend created (else WSA_INVALID_HANDLE); the
    /// backend forgets the window only once the OS has destroyed it (another thread's window:
    /// ERROR_ACCESS_DENIED, and it lives on).
    fn destroy_window(&self, hwnd: Hwnd) -> Result<(), WsaError> {
        if hwnd == Hwnd::NULL || !self.inner.windows.lock().contains_key(&hwnd.raw()) {
            return finish(Err(WsaError::WSA_INVALID_HANDLE));
        }
        // SAFETY: a window this backend created; the OS checks it is still a window and the
        // caller's.
        finish(match unsafe { wm::DestroyWindow(hwnd.raw() as HWND) } {
            0 => Err(window_gone(last_error())),
            _ => {
                self.inner.windows.lock().remove(&hwnd.raw());
                self.inner.timer_procs.lock().forget_window(hwnd);
                Ok(())
            }
        })
    }

    /// `PostMessageW`.
    fn post_message(
        &self,
        hwnd: Hwnd,
        message: u32,
        wparam: usize,
        lparam: isize,
    ) -> Result<(), WsaError> {
        finish(self.window(hwnd).and_then(|h| {
            // SAFETY: a window of this backend (or NULL: the calling thread), integers otherwise.
            match unsafe { wm::PostMessageW(h, message, wparam, lparam) } {
                0 => Err(window_gone(last_error())),
                _ => Ok(()),
            }
        }))
    }

    /// `PostThreadMessageW`.
    fn post_thread_message(
        &self,
        thread_id: u32,
        message: u32,
        wparam: usize,
        lparam: isize,
    ) -> Result<(), WsaError> {
        // SAFETY: integers only; the system checks the thread id.
        finish(
            match unsafe { wm::PostThreadMessageW(thread_id, message, wparam, lparam) } {
                0 => Err(last_error()),
                _ => Ok(()),
            },
        )
    }

    /// `PostQuitMessage`.
    fn post_quit_message(&self, exit_code: i32) {
        // SAFETY: an integer only; it queues WM_QUIT for the calling thread.
        unsafe { wm::PostQuitMessage(exit_code) }
    }

    /// `GetMessageW(&msg, hWnd, wMsgFilterMin, wMsgFilterMax)`.
    fn get_message_range(&self, hwnd: Hwnd, min: u32, max: u32) -> Result<Option<Msg>, WsaError> {
        finish(self.filter_window(hwnd).and_then(|h| {
            let mut m = wm::MSG::default();
            // SAFETY: `m` is a live MSG the call fills; `h` is NULL, a window of this backend
            // or one of the values that name the thread's own messages.
            match unsafe { wm::GetMessageW(&mut m, h, min, max) } {
                -1 => Err(window_gone(last_error())),
                0 => Ok(None),
                _ => Ok(Some(msg_from(&m))),
            }
        }))
    }

    /// `PeekMessageW(&msg, hWnd, wMsgFilterMin, wMsgFilterMax, wRemoveMsg)`.
    fn peek_message_range(
        &self,
        hwnd: Hwnd,
        min: u32,
        max: u32,
        remove: u32,
    ) -> Result<Option<Msg>, WsaError> {
        finish(self.filter_window(hwnd).map(|h| {
            let mut m = wm::MSG::default();
            // SAFETY: `m` is a live MSG the call fills; `h` is NULL, a window of this backend
            // or one of the values that name the thread's own messages.
            match unsafe { wm::PeekMessageW(&mut m, h, min, max, remove) } {
                0 => None,
                _ => Some(msg_from(&m)),
            }
        }))
    }

    /// `GetQueueStatus`: 0 is a status (an empty queue) unless the call set
    /// ERROR_INVALID_FLAGS, which it does only for flags outside the valid ones; success
    /// leaves the last error as it was.
    fn get_queue_status(&self, flags: u32) -> Result<u32, WsaError> {
        if flags & !crate::api::consts::QS_VALID_FLAGS != 0 {
            // Flags the OS should refuse: the last error, cleared first, says whether it did
            // (a status of 0 is also an empty queue's).
            // SAFETY: integers only; both calls read or write thread-local state.
            let r = unsafe {
                ws::WSASetLastError(0);
                wm::GetQueueStatus(flags)
            };
            let e = last_error();
            return if r == 0 && e.code() != 0 {
                finish(Err(e))
            } else {
                Ok(r)
            };
        }
        // SAFETY: an integer only; it reads the calling thread's queue state.
        Ok(unsafe { wm::GetQueueStatus(flags) })
    }

    /// `DispatchMessage`: the window's Rust procedure, if it has one (0 otherwise).
    fn dispatch_message(&self, msg: &Msg) -> Result<isize, WsaError> {
        if msg.message == WM_TIMER && msg.lparam != 0 {
            // A TIMERPROC's WM_TIMER: its procedure, not the window's (`timer_proc.rs`).
            self.run_timer_proc(msg);
            return finish(Ok(0));
        }
        let taken = self
            .inner
            .windows
            .lock()
            .get_mut(&msg.hwnd.raw())
            .and_then(Option::take);
        let Some(mut p) = taken else {
            return finish(Ok(0));
        };
        let r = p(self, *msg);
        if let Some(slot) = self.inner.windows.lock().get_mut(&msg.hwnd.raw()) {
            slot.get_or_insert(p);
        }
        finish(Ok(r))
    }

    /// `WSAAsyncSelect`: `hwnd` must be a window of this backend when events are asked for
    /// (WSAEINVAL otherwise, as the simulator gives).
    /// `SetTimer(hWnd, nIDEvent, uElapse, NULL)` on a window of this backend, or a thread
    /// timer of the calling thread for NULL.
    fn set_timer(&self, hwnd: Hwnd, id: usize, elapse_ms: u32) -> Result<usize, WsaError> {
        let r = self.set_os_timer(hwnd, id, elapse_ms, None);
        if let Ok(set) = r {
            // The timer, if it had a procedure, has none now.
            self.inner
                .timer_procs
                .lock()
                .forget(hwnd, me(), timer_id(hwnd, id, set));
        }
        finish(r)
    }

    /// `SetTimer` with a TIMERPROC: the real one gets `timer_proc::timer_proc`, the Rust
    /// procedure is kept for `dispatch_message` (`timer_proc.rs`).
    fn set_timer_proc(
        &self,
        hwnd: Hwnd,
        id: usize,
        elapse_ms: u32,
        proc: TimerProc<Self>,
    ) -> Result<usize, WsaError> {
        let r = self.set_os_timer(hwnd, id, elapse_ms, Some(super::timer_proc::timer_proc));
        if let Ok(set) = r {
            let id = timer_id(hwnd, id, set);
            self.inner.timer_procs.lock().keep(hwnd, me(), id, proc);
        }
        finish(r)
    }

    /// `KillTimer(hWnd, uIDEvent)` on a window of this backend, or a thread timer for NULL.
    fn kill_timer(&self, hwnd: Hwnd, id: usize) -> Result<(), WsaError> {
        finish(self.window(hwnd).and_then(|h| {
            // SAFETY: `h` is a window of this backend, or NULL for the calling thread's
            // timers; integers otherwise.
            match unsafe { wm::KillTimer(h, id) } {
                0 => Err(last_error()),
                _ => {
                    self.inner.timer_procs.lock().forget(hwnd, me(), id);
                    Ok(())
                }
            }
        }))
    }

    /// `MsgWaitForMultipleObjectsEx` (`alertable.rs`).
    fn msg_wait_for_multiple_objects_ex(
        &self,
        handles: &[Handle],
        timeout_ms: u32,
        wake_mask: u32,
        flags: u32,
    ) -> Result<u32, WsaError> {
        self.msg_wait(handles, timeout_ms, wake_mask, flags)
    }

    fn wsa_async_select(
        &self,
        s: Socket,
        hwnd: Hwnd,
        message: u32,
        events: i32,
    ) -> Result<(), WsaError> {
        let h = match self.window(hwnd) {
            Ok(h) => h,
            Err(_) if events == 0 => std::ptr::null_mut(),
            Err(_) => return finish(Err(WsaError::WSAEINVAL)),
        };
        // SAFETY: an owned socket and a window of this backend (or NULL), integers otherwise.
        self.on(s, |raw| unsafe {
            ws::WSAAsyncSelect(raw, h, message, events)
        })
        .map(drop)
    }
}

impl Native {
    /// The real SetTimer on window `hwnd` of this backend (NULL: a thread timer of the
    /// calling thread) with procedure `proc`: the timer's id.
    fn set_os_timer(
        &self,
        hwnd: Hwnd,
        id: usize,
        elapse_ms: u32,
        proc: wm::TIMERPROC,
    ) -> Result<usize, WsaError> {
        let h = self.window(hwnd)?;
        // SAFETY: `h` is a window of this backend, or NULL for a thread timer of the calling
        // thread; `proc` is None or `timer_proc::timer_proc`, which reads nothing; integers
        // otherwise.
        match unsafe { wm::SetTimer(h, id, elapse_ms, proc) } {
            0 => Err(last_error()),
            r => Ok(r),
        }
    }

    /// DispatchMessage of a WM_TIMER with a nonzero lParam: its timer's procedure, if it has
    /// one kept (`timer_proc.rs`), with (hwnd, WM_TIMER, id, GetTickCount), outside the
    /// table's lock so that it may call back into the API.
    fn run_timer_proc(&self, msg: &Msg) {
        let thread = me();
        let taken = self
            .inner
            .timer_procs
            .lock()
            .take(msg.hwnd, thread, msg.wparam);
        let Some(mut p) = taken else {
            return;
        };
        // SAFETY: no arguments.
        let tick = unsafe { windows_sys::Win32::System::SystemInformation::GetTickCount() };
        p(self, msg.hwnd, WM_TIMER, msg.wparam, tick);
        self.inner
            .timer_procs
            .lock()
            .give_back(msg.hwnd, thread, msg.wparam, p);
    }
}

/// The id a timer's WM_TIMERs carry (their wParam): a window timer's is the id asked for
/// (SetTimer returns 1 for id 0, but the timer's id stays 0); a thread timer's, the one
/// SetTimer returns.
fn timer_id(hwnd: Hwnd, asked: usize, returned: usize) -> usize {
    if hwnd == Hwnd::NULL {
        returned
    } else {
        asked
    }
}
