//! The bodies of the socket, lock and thread calls a thread is commonly blocked in when a
//! run ends (accept, connect, send, recv, recvfrom, WSASend and WSARecv without an
//! OVERLAPPED, EnterCriticalSection, AcquireSRWLockExclusive/Shared, Sleep,
//! WaitForSingleObject on a thread), each a function of its own (`#[inline(never)]`). The
//! trait methods (`winsock.rs`, `overlapped.rs`, `sync.rs`) call them and leave through
//! `runtime::checked_exit`: a thread resumed at teardown inside one returns from it with
//! WSAEINTR and unwinds from the trait method's small frame, which costs the unwinder
//! about a third less than the body's large one ([`SimWinsock::call_marked`]).

use super::sync::take_or_wait;
use crate::api::{CriticalSection, SockAddr, Socket, SrwLock, ThreadId, WsaError};
use crate::sim::api::SimWinsock;
use crate::sim::models::pending_io::gathered;
use crate::sim::runtime::trace::TraceKind;
use crate::sim::runtime::{self, Step, ThreadState, WaitKey};

impl SimWinsock {
    #[inline(never)]
    pub(super) fn accept_call(&self, s: Socket) -> Result<(Socket, SockAddr), WsaError> {
        self.call_marked("accept", s.raw() as u64, 0, |this| {
            let id = this.sock(s)?;
            let tid = this.tid;
            let r = this.blocking("accept", Some((s, id)), |w| w.accept_step(id, tid));
            let mut w = this.w();
            w.leave_line(id, tid);
            if r.is_err() {
                // Any accept call re-enables FD_ACCEPT, even one that fails.
                w.reenable_accept(id);
            }
            r
        })
    }

    #[inline(never)]
    pub(super) fn recv_call(
        &self,
        s: Socket,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<usize, WsaError> {
        let len = buf.len() as u64;
        self.call_held_marked("recv", s.raw() as u64, len, |this, w| {
            let (r, held) = this.recv_body("recv", s, buf, flags, w);
            (r.map(|(n, _)| n), held)
        })
    }

    #[inline(never)]
    pub(super) fn recvfrom_call(
        &self,
        s: Socket,
        buf: &mut [u8],
        flags: i32,
    ) -> Result<(usize, SockAddr), WsaError> {
        let len = buf.len() as u64;
        let r = self.call_held_marked("recvfrom", s.raw() as u64, len, |this, w| {
            this.recv_body("recvfrom", s, buf, flags, w)
        });
        r.map(|(n, from)| (n, from.map_or(SockAddr::from_bytes(&[]), SockAddr::from)))
    }

    #[inline(never)]
    pub(super) fn sleep_call(&self, ms: u32) {
        let r = self.enter("Sleep", true).and_then(|()| {
            runtime::mark_checked();
            if ms == 0 {
                // Sleep(0) gives up the time slice; in a polling loop it counts as idle.
                let mut w = self.w();
                if w.note_idle(self.tid) {
                    w.park_spinner(self.tid);
                } else {
                    w.requeue(self.tid);
                }
                drop(w);
                return self.suspend();
            }
            let deadline = self.timeout_due(ms);
            let mut w = self.w();
            w.block(self.tid, "Sleep", &[], deadline);
            drop(w);
            self.suspend()
        });
        if r.is_ok() {
            self.w()
                .record(self.tid, TraceKind::Call("Sleep"), u64::from(ms), 0, 0);
        }
    }

    #[inline(never)]
    pub(super) fn wait_for_thread_call(
        &self,
        t: ThreadId,
        timeout_ms: u32,
    ) -> Result<(), WsaError> {
        // WaitForSingleObject is a kernel call: it needs no WSAStartup.
        let r = self.enter("WaitForSingleObject", true).and_then(|()| {
            runtime::mark_checked();
            let this = self;
            let deadline = {
                let w = this.w();
                if t.0 >= w.rt.threads.len() {
                    return Err(WsaError::WSA_INVALID_HANDLE);
                }
                w.timeout_due(this.host, timeout_ms)
            };
            this.blocking("WaitForSingleObject", None, |w| {
                if w.rt.threads[t.0].state == ThreadState::Finished {
                    Step::Done(Ok(()))
                } else if deadline.is_some_and(|d| w.rt.now >= d) {
                    Step::Done(Err(WsaError::WAIT_TIMEOUT))
                } else {
                    Step::Wait(WaitKey::Thread(t.0), deadline)
                }
            })
        });
        self.finish("WaitForSingleObject", t.0 as u64, u64::from(timeout_ms), r)
    }

    #[inline(never)]
    pub(super) fn connect_call(&self, s: Socket, addr: &SockAddr) -> Result<(), WsaError> {
        let port = addr.port().unwrap_or(0);
        self.call_marked("connect", s.raw() as u64, u64::from(port), |this| {
            let id = this.sock(s)?;
            let nonblocking = {
                let mut w = this.w();
                if !w.connect_start(id, addr)? {
                    return Ok(());
                }
                w.net.sockets.at(id).nonblocking
            };
            if nonblocking {
                return Err(WsaError::WSAEWOULDBLOCK);
            }
            this.blocking("connect", Some((s, id)), |w| w.connect_wait(id))
        })
    }

    #[inline(never)]
    pub(super) fn send_call(&self, s: Socket, buf: &[u8], flags: i32) -> Result<usize, WsaError> {
        self.call_held_marked("send", s.raw() as u64, buf.len() as u64, |this, w| {
            this.send_body("send", s, buf, flags, None, w)
        })
    }

    #[inline(never)]
    pub(super) fn wsa_send_call(
        &self,
        s: Socket,
        bufs: &[&[u8]],
        flags: u32,
    ) -> Result<usize, WsaError> {
        gathered(bufs, |data| {
            let len = data.len() as u64;
            self.call_held_marked("WSASend", s.raw() as u64, len, |this, w| {
                (
                    this.send_body("WSASend", s, data, flags as i32, None, w).0,
                    None,
                )
            })
        })
    }

    #[inline(never)]
    pub(super) fn wsa_recv_call(
        &self,
        s: Socket,
        bufs: &mut [&mut [u8]],
        flags: u32,
    ) -> Result<(usize, u32), WsaError> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        self.call_held_marked("WSARecv", s.raw() as u64, total as u64, |this, w| {
            let mut tmp = vec![0u8; total];
            let r = this
                .recv_body("WSARecv", s, &mut tmp, flags as i32, w)
                .0
                .map(|(n, _)| {
                    let mut off = 0;
                    for b in bufs.iter_mut() {
                        let k = b.len().min(n - off);
                        b[..k].copy_from_slice(&tmp[off..off + k]);
                        off += k;
                    }
                    (n, 0)
                });
            (r, None)
        })
    }

    #[inline(never)]
    pub(super) fn enter_critical_section_call(&self, cs: CriticalSection) -> Result<(), WsaError> {
        let (host, tid, id) = (self.host, self.tid, cs.raw());
        self.keep_last_error(|| {
            self.kcall_marked("EnterCriticalSection", id as u64, 0, |this| {
                this.blocking("EnterCriticalSection", None, |w| {
                    take_or_wait(id, w.cs_try_enter(host, id, tid))
                })
            })
        })
    }

    #[inline(never)]
    pub(super) fn acquire_srw_lock_call(
        &self,
        lock: SrwLock,
        exclusive: bool,
    ) -> Result<(), WsaError> {
        let (host, tid, id) = (self.host, self.tid, lock.raw());
        let call = if exclusive {
            "AcquireSRWLockExclusive"
        } else {
            "AcquireSRWLockShared"
        };
        self.keep_last_error(|| {
            self.kcall_marked(call, id as u64, 0, |this| {
                this.blocking(call, None, |w| {
                    take_or_wait(id, w.srw_try_acquire(host, id, tid, exclusive, true))
                })
            })
        })
    }
}
