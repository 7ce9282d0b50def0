//! WSAAsyncSelect in the simulator: windows owned by simulated threads, per-thread message
//! queues, GetMessage / PeekMessage / DispatchMessage, and the registration itself.

use crate::api::consts::*;
use crate::api::{AsyncSelect, Handle, Hwnd, Msg, Socket, TimerProc, WndProc, WsaError};
use crate::sim::api::SimWinsock;
use crate::sim::api::World;
use crate::sim::calls::event_select::InputWait;
use crate::sim::kernel::message_queue::MsgFilter;
use crate::sim::kernel::objects::{KObject, Posted};
use crate::sim::models::network_events::Reg;
use crate::sim::runtime::{Step, ThreadState, WaitKey};

/// PostMessage / PostThreadMessage's result for what posting did: a full queue is
/// ERROR_NOT_ENOUGH_QUOTA (their documentation: 10,000 posted messages a queue).
fn posted(p: Posted) -> Result<(), WsaError> {
    match p {
        Posted::Queued => Ok(()),
        Posted::NoWindow => Err(WsaError::WSA_INVALID_HANDLE),
        Posted::QueueFull => Err(WsaError::ERROR_NOT_ENOUGH_QUOTA),
    }
}

impl SimWinsock {
    /// GetMessage / PeekMessage's filters for `hwnd` and `min..=max`. `hwnd` no window:
    /// ERROR_INVALID_WINDOW_HANDLE on Windows (GetMessage returns -1, PeekMessage FALSE;
    /// user32 msg.c test_invalid_window, 21042 and 21047; test_PostMessage for HWND_MESSAGE,
    /// HWND_NOTOPMOST and 0xdeadbeef), WSA_INVALID_HANDLE here as the other window calls give
    /// and as the native backend does.
    fn filter(
        w: &World,
        host: usize,
        hwnd: Hwnd,
        min: u32,
        max: u32,
    ) -> Result<MsgFilter, WsaError> {
        w.message_filter(host, hwnd, min, max)
            .ok_or(WsaError::WSA_INVALID_HANDLE)
    }

    /// A window-manager call's entry: from it on, the calling thread has a message queue.
    #[inline(never)]
    fn get_message_call(&self, hwnd: Hwnd, min: u32, max: u32) -> Result<Option<Msg>, WsaError> {
        let r = self.user_call("GetMessage").and_then(|()| {
            crate::sim::runtime::mark_checked();
            let (host, tid) = (self.host, self.tid);
            Self::filter(&self.w(), host, hwnd, min, max)?;
            self.blocking("GetMessage", None, |w| {
                // The filter again at each look: its window may have gone meanwhile.
                let filter = match Self::filter(w, host, hwnd, min, max) {
                    Ok(f) => f,
                    Err(e) => return Step::Done(Err(e)),
                };
                match w.next_message(tid, &filter, true) {
                    Some(m) if m.message == WM_QUIT => Step::Done(Ok(None)),
                    Some(m) => Step::Done(Ok(Some(m))),
                    None => Step::Wait(WaitKey::Messages(tid), None),
                }
            })
        });
        let range = (u64::from(min) << 32) | u64::from(max);
        self.finish("GetMessage", hwnd.raw() as u64, range, r)
    }

    fn user_call(&self, call: &'static str) -> Result<(), WsaError> {
        self.enter(call, true)?;
        self.w().give_message_queue(self.tid);
        Ok(())
    }

    /// Queues a message with a NULL window for thread `tid` (PostThreadMessage,
    /// `PostMessage(NULL, ...)`).
    fn post_thread(
        &self,
        tid: usize,
        message: u32,
        wparam: usize,
        lparam: isize,
    ) -> Result<(), WsaError> {
        let msg = Msg {
            hwnd: Hwnd::NULL,
            message,
            wparam,
            lparam,
        };
        posted(self.w().post_to_thread(tid, msg))
    }

    /// SetTimer with or without a TIMERPROC: a thread timer for `hwnd` NULL, else a timer of
    /// window `hwnd`.
    fn timer_set(
        &self,
        hwnd: Hwnd,
        id: usize,
        elapse_ms: u32,
        proc: Option<TimerProc<Self>>,
    ) -> Result<usize, WsaError> {
        let r = self.user_call("SetTimer").and_then(|()| {
            let mut w = self.w();
            let ms = elapse_ms.clamp(USER_TIMER_MINIMUM, USER_TIMER_MAXIMUM);
            let elapse = u64::from(ms) * 1_000_000;
            let win = match hwnd {
                Hwnd::NULL => None,
                // Any window of the process: a thread may set a timer on another's (user32
                // msg.c timer_thread_proc); its WM_TIMER goes to the window's thread.
                _ => Some(
                    w.window_id(self.host, hwnd.raw())
                        .ok_or(WsaError::WSA_INVALID_HANDLE)?,
                ),
            };
            let token = proc.map_or(0, |p| w.kern.timer_procs.register(self.host, p));
            match win {
                // A timer of the calling thread's own, under an id the thread picks.
                None => w
                    .thread_timer_set(self.tid, id, elapse, token)
                    .ok_or_else(|| {
                        w.kern.timer_procs.forget(token);
                        WsaError::ERROR_NO_MORE_USER_HANDLES
                    }),
                Some(win) => {
                    w.window_timer_set(win, hwnd, id, elapse, token);
                    // SetTimer returns nonzero on success: the id, or 1 for id 0.
                    Ok(id.max(1))
                }
            }
        });
        self.finish("SetTimer", hwnd.raw() as u64, id as u64, r)
    }

    /// DispatchMessage of a WM_TIMER whose lParam names a TIMERPROC: runs it (hwnd, WM_TIMER,
    /// the id, GetTickCount) if a timer still has it, outside the world lock, so that it may
    /// call back into the API (kill its own timer, set another).
    fn run_timer_proc(&self, msg: &Msg) {
        let token = msg.lparam as u64;
        let Some(mut p) = self.w().kern.timer_procs.take(self.host, token) else {
            return;
        };
        let tick = crate::api::Winsock::get_tick_count(self);
        p(self, msg.hwnd, WM_TIMER, msg.wparam, tick);
        self.w().kern.timer_procs.give_back(token, p);
    }
}

impl AsyncSelect for SimWinsock {
    fn create_window(&self, proc: Option<WndProc<Self>>) -> Result<Hwnd, WsaError> {
        let r = self.user_call("CreateWindow").map(|()| {
            let mut w = self.w();
            let h = w.new_object(
                self.host,
                KObject::Window {
                    owner: self.tid,
                    handle: 0,
                    proc,
                    timers: Vec::new(),
                },
            );
            w.window_handle_given(self.host, h);
            Hwnd::from_raw(h)
        });
        self.finish("CreateWindow", 0, 0, r)
    }

    fn destroy_window(&self, hwnd: Hwnd) -> Result<(), WsaError> {
        let r = self.user_call("DestroyWindow").and_then(|()| {
            let mut w = self.w();
            let win = w
                .window_id(self.host, hwnd.raw())
                .ok_or(WsaError::WSA_INVALID_HANDLE)?;
            // Only the thread that created a window destroys it (user32 win.c, and Wine's
            // own check: ERROR_ACCESS_DENIED from any other thread; the window lives on).
            let owner = match w.kern.objects.get(win) {
                Some(KObject::Window { owner, .. }) => Some(*owner),
                _ => None,
            };
            if owner != Some(self.tid) {
                return Err(WsaError::ERROR_ACCESS_DENIED);
            }
            w.destroy_window_object(self.host, win, hwnd.raw());
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
        let r = self.user_call("PostMessage").and_then(|()| {
            if hwnd == Hwnd::NULL {
                // PostMessage(NULL, ...) is PostThreadMessage to the calling thread (user32
                // msg.c test_PostMessage: the message comes with a NULL window).
                return self.post_thread(self.tid, message, wparam, lparam);
            }
            let mut w = self.w();
            let win = w
                .window_id(self.host, hwnd.raw())
                .ok_or(WsaError::WSA_INVALID_HANDLE)?;
            posted(w.post_to_window(
                win,
                Msg {
                    hwnd,
                    message,
                    wparam,
                    lparam,
                },
            ))
        });
        self.finish("PostMessage", hwnd.raw() as u64, u64::from(message), r)
    }

    fn post_thread_message(
        &self,
        thread_id: u32,
        message: u32,
        wparam: usize,
        lparam: isize,
    ) -> Result<(), WsaError> {
        let r = self.user_call("PostThreadMessage").and_then(|()| {
            // Thread ids are (index + 1) * 4 (GetCurrentThreadId); a thread of this process
            // that is running and has a message queue takes the message.
            let tid = (thread_id % 4 == 0)
                .then(|| (thread_id / 4).checked_sub(1))
                .flatten()
                .map(|i| i as usize);
            let w = self.w();
            let target = tid.filter(|&t| {
                w.rt.threads.get(t).is_some_and(|th| {
                    th.host == self.host && th.state != ThreadState::Finished && th.ext.has_queue
                })
            });
            drop(w);
            let tid = target.ok_or(WsaError::ERROR_INVALID_THREAD_ID)?;
            self.post_thread(tid, message, wparam, lparam)
        });
        self.finish(
            "PostThreadMessage",
            u64::from(thread_id),
            u64::from(message),
            r,
        )
    }

    fn post_quit_message(&self, exit_code: i32) {
        let tid = self.tid;
        let mut w = self.w();
        w.give_message_queue(tid);
        let t = &mut w.rt.threads[tid].ext;
        t.quit = Some(exit_code);
        t.qs_new |= QS_POSTMESSAGE | QS_ALLPOSTMESSAGE;
        w.notify(WaitKey::Messages(tid));
    }

    fn get_message_range(&self, hwnd: Hwnd, min: u32, max: u32) -> Result<Option<Msg>, WsaError> {
        // A message loop is commonly blocked here when a run ends: the body is a function of
        // its own, left through a checked exit (`SimWinsock::call_marked`).
        crate::sim::runtime::checked_exit(self.get_message_call(hwnd, min, max))
    }

    fn peek_message_range(
        &self,
        hwnd: Hwnd,
        min: u32,
        max: u32,
        remove: u32,
    ) -> Result<Option<Msg>, WsaError> {
        let r = self.user_call("PeekMessage").and_then(|()| {
            let mut w = self.w();
            let filter = Self::filter(&w, self.host, hwnd, min, max)?;
            Ok(w.next_message(self.tid, &filter, remove & PM_REMOVE != 0))
        });
        let r = self.finish("PeekMessage", hwnd.raw() as u64, u64::from(remove), r);
        if r == Ok(None) {
            self.idle_poll();
        }
        r
    }

    fn get_queue_status(&self, flags: u32) -> Result<u32, WsaError> {
        self.keep_last_error(|| {
            let r = self.user_call("GetQueueStatus").and_then(|()| {
                if flags & !QS_VALID_FLAGS != 0 {
                    return Err(WsaError::ERROR_INVALID_FLAGS);
                }
                let mut w = self.w();
                let now = w.queue_bits(self.tid);
                let t = &mut w.rt.threads[self.tid].ext;
                let new = t.qs_new & flags;
                t.qs_new &= !flags;
                Ok(((now & flags) << 16) | new)
            });
            self.finish("GetQueueStatus", u64::from(flags), 0, r.map(|v| v as usize))
                .map(|v| v as u32)
        })
    }

    fn dispatch_message(&self, msg: &Msg) -> Result<isize, WsaError> {
        let r = self.user_call("DispatchMessage").map(|()| {
            if msg.message == WM_TIMER && msg.lparam != 0 {
                // A TIMERPROC's WM_TIMER: its procedure, if a timer still has it (0 either
                // way; the window's procedure is not called).
                self.run_timer_proc(msg);
                return 0;
            }
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
        self.timer_set(hwnd, id, elapse_ms, None)
    }

    fn set_timer_proc(
        &self,
        hwnd: Hwnd,
        id: usize,
        elapse_ms: u32,
        proc: TimerProc<Self>,
    ) -> Result<usize, WsaError> {
        self.timer_set(hwnd, id, elapse_ms, Some(proc))
    }

    fn kill_timer(&self, hwnd: Hwnd, id: usize) -> Result<(), WsaError> {
        let r = self.user_call("KillTimer").and_then(|()| {
            let mut w = self.w();
            // No window: a timer of the calling thread's own, or none.
            let killed = if hwnd == Hwnd::NULL {
                w.thread_timer_kill(self.tid, id)
            } else {
                let win = w
                    .window_id(self.host, hwnd.raw())
                    .ok_or(WsaError::WSA_INVALID_HANDLE)?;
                w.window_timer_kill(win, id)
            };
            if killed {
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
        self.w().give_message_queue(self.tid);
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
