//! WSAAsyncSelect in the simulator: windows owned by simulated threads, per-thread message
//! queues, GetMessage / PeekMessage / DispatchMessage, and the registration itself.

use crate::api::consts::*;
use crate::api::{AsyncSelect, Handle, Hwnd, Msg, Socket, WndProc, WsaError};
use crate::sim::api::SimWinsock;
use crate::sim::api::World;
use crate::sim::calls::event_select::InputWait;
use crate::sim::kernel::objects::KObject;
use crate::sim::models::network_events::Reg;
use crate::sim::runtime::{Step, WaitKey};

/// The next message of thread `tid` (of `host`) for `hwnd` (any when NULL): a posted message
/// first, then a WM_QUIT if PostQuitMessage was called (Windows generates it only when nothing
/// else is queued), then the WM_TIMER of a window timer that is due (one of the thread's
/// windows'; a timer set by another thread on such a window counts).
fn next_message(w: &mut World, host: usize, tid: usize, hwnd: Hwnd, remove: bool) -> Option<Msg> {
    let t = &mut w.rt.threads[tid];
    // Looking at the queue makes what it holds no longer new input (QS_ALLPOSTMESSAGE only
    // for a look without a filter).
    t.ext.qs_new &= !(QS_POSTMESSAGE | QS_TIMER);
    if hwnd == Hwnd::NULL {
        t.ext.qs_new &= !QS_ALLPOSTMESSAGE;
    }
    if let Some(i) = t
        .ext
        .msgq
        .iter()
        .position(|m| hwnd == Hwnd::NULL || m.hwnd == hwnd)
    {
        return if remove {
            t.ext.msgq.remove(i)
        } else {
            t.ext.msgq.get(i).copied()
        };
    }
    let quit = if remove {
        t.ext.quit.take()
    } else {
        t.ext.quit
    };
    if let Some(code) = quit {
        return Some(Msg {
            hwnd: Hwnd::NULL,
            message: WM_QUIT,
            wparam: code as usize,
            lparam: 0,
        });
    }
    let filter = if hwnd == Hwnd::NULL {
        None
    } else {
        Some(w.window_id(host, hwnd.raw())?)
    };
    // A due timer's WM_TIMER becomes a posted message when a retrieval finds it (ReactOS's
    // PostTimerMessages; user32 msg.c test_PeekMessage3, todo_wine: a WM_TIMER seen by
    // PM_NOREMOVE comes before messages posted after that peek) and the timer goes on.
    let m = w.window_timer_message(tid, filter, true)?;
    if !remove {
        w.rt.threads[tid].ext.msgq.push_back(m);
    }
    Some(m)
}

impl SimWinsock {
    fn take_message(&self, hwnd: Hwnd, remove: bool) -> Option<Msg> {
        next_message(&mut self.w(), self.host, self.tid, hwnd, remove)
    }

    /// GetMessage / PeekMessage's `hWnd` filter: NULL, or a window. Not a window:
    /// ERROR_INVALID_WINDOW_HANDLE on Windows (GetMessage returns -1, PeekMessage FALSE; user32
    /// msg.c test_invalid_window, 21042 and 21047), WSA_INVALID_HANDLE here as the other window
    /// calls give and as the native backend does.
    fn check_filter(&self, hwnd: Hwnd) -> Result<(), WsaError> {
        if hwnd == Hwnd::NULL || self.w().window_id(self.host, hwnd.raw()).is_some() {
            Ok(())
        } else {
            Err(WsaError::WSA_INVALID_HANDLE)
        }
    }
}

impl AsyncSelect for SimWinsock {
    fn create_window(&self, proc: Option<WndProc<Self>>) -> Result<Hwnd, WsaError> {
        let r = self.enter("CreateWindow", true).map(|()| {
            let h = self.w().new_object(
                self.host,
                KObject::Window {
                    owner: self.tid,
                    proc,
                    timers: Vec::new(),
                },
            );
            Hwnd::from_raw(h)
        });
        self.finish("CreateWindow", 0, 0, r)
    }

    fn destroy_window(&self, hwnd: Hwnd) -> Result<(), WsaError> {
        let r = self.enter("DestroyWindow", true).and_then(|()| {
            let mut w = self.w();
            let win = w
                .window_id(self.host, hwnd.raw())
                .ok_or(WsaError::WSA_INVALID_HANDLE)?;
            w.window_timers_gone(win);
            w.close_object(self.host, hwnd.raw());
            let t = &mut w.rt.threads[self.tid].ext;
            // A WM_QUIT posted to the window survives it as the thread's pending quit (the
            // first one, unless one is pending already): GetMessage then gets it with hWnd
            // NULL and lParam 0 (user32 msg.c test_quit_message, 15017 and WmStopQuitSeq).
            if t.quit.is_none() {
                t.quit = t
                    .msgq
                    .iter()
                    .find(|m| m.hwnd == hwnd && m.message == WM_QUIT)
                    .map(|m| m.wparam as i32);
            }
            t.msgq.retain(|m| m.hwnd != hwnd);
            Ok(())
        });
        self.finish("DestroyWindow", hwnd.raw() as u64, 0, r)
    }

    fn post_message(
        &self,
        hwnd: Hwnd,
        message: u32,
        wparam: usize,
        lparam: isize,
    ) -> Result<(), WsaError> {
        let r = self.enter("PostMessage", true).and_then(|()| {
            let mut w = self.w();
            let win = w
                .window_id(self.host, hwnd.raw())
                .ok_or(WsaError::WSA_INVALID_HANDLE)?;
            w.post_to_window(
                win,
                Msg {
                    hwnd,
                    message,
                    wparam,
                    lparam,
                },
            );
            Ok(())
        });
        self.finish("PostMessage", hwnd.raw() as u64, u64::from(message), r)
    }

    fn post_quit_message(&self, exit_code: i32) {
        let tid = self.tid;
        let mut w = self.w();
        w.rt.threads[tid].ext.quit = Some(exit_code);
        w.rt.threads[tid].ext.qs_new |= QS_POSTMESSAGE | QS_ALLPOSTMESSAGE;
        w.notify(WaitKey::Messages(tid));
    }

    fn get_message(&self, hwnd: Hwnd) -> Result<Option<Msg>, WsaError> {
        let r = self.enter("GetMessage", true).and_then(|()| {
            self.check_filter(hwnd)?;
            let (host, tid) = (self.host, self.tid);
            let filter = hwnd;
            self.blocking("GetMessage", None, |w| {
                match next_message(w, host, tid, filter, true) {
                    Some(m) if m.message == WM_QUIT => Step::Done(Ok(None)),
                    Some(m) => Step::Done(Ok(Some(m))),
                    None => Step::Wait(WaitKey::Messages(tid), None),
                }
            })
        });
        self.finish("GetMessage", hwnd.raw() as u64, 0, r)
    }

    fn peek_message(&self, hwnd: Hwnd, remove: u32) -> Result<Option<Msg>, WsaError> {
        let r = self
            .enter("PeekMessage", true)
            .and_then(|()| self.check_filter(hwnd))
            .map(|()| self.take_message(hwnd, remove & PM_REMOVE != 0));
        let r = self.finish("PeekMessage", hwnd.raw() as u64, u64::from(remove), r);
        if r == Ok(None) {
            self.idle_poll();
        }
        r
    }

    fn dispatch_message(&self, msg: &Msg) -> Result<isize, WsaError> {
        let r = self.enter("DispatchMessage", true).map(|()| {
            let proc = {
                let mut w = self.w();
                w.window_id(self.host, msg.hwnd.raw()).and_then(|win| {
                    match w.kern.objects.get_mut(win) {
                        Some(KObject::Window { proc, .. }) => proc.take().map(|p| (win, p)),
                        _ => None,
                    }
                })
            };
            // A window without a procedure (or a message for no window) gives 0.
            let Some((win, mut p)) = proc else {
                return 0;
            };
            let result = p(self, *msg);
            if let Some(KObject::Window { proc, .. }) = self.w().kern.objects.get_mut(win) {
                proc.get_or_insert(p);
            }
            result
        });
        self.finish(
            "DispatchMessage",
            msg.hwnd.raw() as u64,
            u64::from(msg.message),
            r,
        )
    }

    fn set_timer(&self, hwnd: Hwnd, id: usize, elapse_ms: u32) -> Result<usize, WsaError> {
        let r = self.enter("SetTimer", true).and_then(|()| {
            let mut w = self.w();
            // Any window of the process: a thread may set a timer on another's (user32 msg.c
            // timer_thread_proc); its WM_TIMER goes to the window's thread.
            let win = w
                .window_id(self.host, hwnd.raw())
                .ok_or(WsaError::WSA_INVALID_HANDLE)?;
            let ms = elapse_ms.clamp(USER_TIMER_MINIMUM, USER_TIMER_MAXIMUM);
            w.window_timer_set(win, hwnd, id, u64::from(ms) * 1_000_000);
            // SetTimer returns nonzero on success: the id, or 1 for id 0.
            Ok(id.max(1))
        });
        self.finish("SetTimer", hwnd.raw() as u64, id as u64, r)
    }

    fn kill_timer(&self, hwnd: Hwnd, id: usize) -> Result<(), WsaError> {
        let r = self.enter("KillTimer", true).and_then(|()| {
            let mut w = self.w();
            let win = w
                .window_id(self.host, hwnd.raw())
                .ok_or(WsaError::WSA_INVALID_HANDLE)?;
            if w.window_timer_kill(win, id) {
                Ok(())
            } else {
                Err(WsaError::WSA_INVALID_PARAMETER)
            }
        });
        self.finish("KillTimer", hwnd.raw() as u64, id as u64, r)
    }

    fn msg_wait_for_multiple_objects_ex(
        &self,
        handles: &[Handle],
        timeout_ms: u32,
        wake_mask: u32,
        flags: u32,
    ) -> Result<u32, WsaError> {
        let input = InputWait {
            mask: wake_mask,
            available: flags & MWMO_INPUTAVAILABLE != 0,
        };
        self.wait_handles(
            "MsgWaitForMultipleObjectsEx",
            true,
            handles,
            flags & MWMO_WAITALL != 0,
            timeout_ms,
            flags & MWMO_ALERTABLE != 0,
            Some(input),
        )
    }

    fn wsa_async_select(
        &self,
        s: Socket,
        hwnd: Hwnd,
        message: u32,
        events: i32,
    ) -> Result<(), WsaError> {
        self.call("WSAAsyncSelect", s.raw() as u64, events as u64, |this| {
            let id = this.sock(s)?;
            let mut w = this.w();
            let reg = if events == 0 {
                Reg::None
            } else {
                let win = w
                    .window_id(this.host, hwnd.raw())
                    .ok_or(WsaError::WSAEINVAL)?;
                Reg::Async {
                    win: w.kern.objects.obj_ref(win),
                    hwnd: hwnd.raw(),
                    msg: message,
                }
            };
            w.net.sockets.at(id).nonblocking = true;
            w.register_events(id, reg, events);
            Ok(())
        })
    }
}
