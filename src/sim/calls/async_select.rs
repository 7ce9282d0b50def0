//! WSAAsyncSelect in the simulator: windows owned by simulated threads, per-thread message
//! queues, GetMessage / PeekMessage / DispatchMessage, and the registration itself.

use crate::api::consts::*;
use crate::api::{AsyncSelect, Hwnd, Msg, Socket, WndProc, WsaError};
use crate::sim::api::SimWinsock;
use crate::sim::api::World;
use crate::sim::kernel::objects::KObject;
use crate::sim::models::network_events::Reg;
use crate::sim::runtime::{Step, WaitKey};

/// The next message of thread `tid` for `hwnd` (any when NULL): a posted message first, then
/// a WM_QUIT if PostQuitMessage was called (Windows generates it only when nothing else is
/// queued).
fn next_message(w: &mut World, tid: usize, hwnd: Hwnd, remove: bool) -> Option<Msg> {
    let t = &mut w.rt.threads[tid];
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
    let code = if remove {
        t.ext.quit.take()
    } else {
        t.ext.quit
    }?;
    Some(Msg {
        hwnd: Hwnd::NULL,
        message: WM_QUIT,
        wparam: code as usize,
        lparam: 0,
    })
}

impl SimWinsock {
    fn take_message(&self, hwnd: Hwnd, remove: bool) -> Option<Msg> {
        next_message(&mut self.w(), self.tid, hwnd, remove)
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
                },
            );
            Hwnd::from_raw(h)
        });
        self.finish("CreateWindow", 0, 0, r)
    }

    fn destroy_window(&self, hwnd: Hwnd) -> Result<(), WsaError> {
        let r = self.enter("DestroyWindow", true).and_then(|()| {
            let mut w = self.w();
            w.window_id(self.host, hwnd.raw())
                .ok_or(WsaError::WSA_INVALID_HANDLE)?;
            w.close_object(self.host, hwnd.raw());
            w.rt.threads[self.tid].ext.msgq.retain(|m| m.hwnd != hwnd);
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
        w.notify(WaitKey::Messages(tid));
    }

    fn get_message(&self, hwnd: Hwnd) -> Result<Option<Msg>, WsaError> {
        let r = self.enter("GetMessage", true).and_then(|()| {
            let tid = self.tid;
            let filter = hwnd;
            self.blocking("GetMessage", None, |w| {
                match next_message(w, tid, filter, true) {
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
                    win,
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
