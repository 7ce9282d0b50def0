//! I/O completion ports: a packet queue per port, and Windows' concurrency rule — at most
//! NumberOfConcurrentThreads workers released at once, a released worker that blocks
//! elsewhere lets another one go, and waiting workers are released last-in first-out.

use crate::api::{CompletionPacket, CompletionPort, Iocp, Overlapped, Socket, WsaError};
use crate::sim::api::{Held, SimWinsock, World};
use crate::sim::kernel::objects::KObject;
use crate::sim::kernel::objects::Port;
use crate::sim::runtime::{self, WorldRef};
use crate::sim::runtime::{Step, WaitKey};

impl SimWinsock {
    /// The GetQueuedCompletionStatus(Ex) wait, from the lock the call's entry took: `take`
    /// dequeues what the call returns (one packet, or up to its `max`).
    /// Gives back the lock it ends with, unless it ran APCs or polled after the wait.
    fn dequeue<'a, T>(
        &'a self,
        mut w: WorldRef<'a, World>,
        call: &'static str,
        port: CompletionPort,
        timeout_ms: u32,
        alertable: bool,
        mut take: impl FnMut(&mut World, usize, usize) -> Option<T>,
    ) -> (Result<T, WsaError>, Held<'a>) {
        let idx = match w.port_id(self.host, port.raw()) {
            Ok(idx) => idx,
            Err(e) => return (Err(e), Some(w)),
        };
        let tid = self.tid;
        // Whether the thread is already this port's (it took its last packet from it). On
        // Windows such a thread gets a queued packet before its pending APCs run, while any
        // other thread's APCs go first; and a call that dequeues nothing (timeout, APCs)
        // leaves it the port's (ntdll file.c test_set_io_completion 986–1019 and 1117–1140,
        // kernel32 file.c test_post_completion 6085–6110).
        let own = w.rt.threads[tid].ext.iocp_port() == Some(idx);
        w.leave_port(tid, idx);
        // The wait holds the port: closed meanwhile, it stays until the wait has seen it.
        w.kern.objects.hold(idx);
        let deadline = w.timeout_due(self.host, timeout_ms);
        let (r, held) = self.blocking_held(w, call, None, |w| {
            // A packet handed over on release is the call's result: the release satisfied the
            // wait, and an APC queued after it runs at the next alertable wait (no Wine line;
            // iocp_port.rs a_packet_handed_to_a_waiter_beats_an_apc_queued_after).
            let handed = w.rt.threads[tid].ext.iocp_handoff.is_some();
            if !handed && w.kern.objects.is_closed(idx) {
                return Step::Done(Err(WsaError::ERROR_ABANDONED_WAIT_0));
            }
            let apc = alertable && w.rt.threads[tid].ext.has_apcs();
            if apc && !own && !handed {
                return Step::Done(Err(WsaError::WAIT_IO_COMPLETION));
            }
            if let Some(p) = take(w, tid, idx) {
                return Step::Done(Ok(p));
            }
            if apc {
                return Step::Done(Err(WsaError::WAIT_IO_COMPLETION));
            }
            if deadline.is_some_and(|d| w.rt.now >= d) {
                return Step::Done(Err(WsaError::WAIT_TIMEOUT));
            }
            if alertable {
                Step::WaitAny(vec![WaitKey::Object(idx), WaitKey::Apc(tid)], deadline)
            } else {
                Step::Wait(WaitKey::Object(idx), deadline)
            }
        });
        let mut held = held;
        // (A wait cut short by the run's end leaves the port held: the run is over.)
        if let Some(w) = held.as_mut() {
            if own
                && matches!(
                    r,
                    Err(WsaError::WAIT_TIMEOUT | WsaError::WAIT_IO_COMPLETION)
                )
            {
                w.rejoin_port(tid, idx);
            }
            w.wait_done(idx);
        }
        if r.as_ref().err() == Some(&WsaError::WAIT_IO_COMPLETION) {
            drop(held);
            self.run_apcs();
            return (r, None);
        }
        if r.as_ref().err() == Some(&WsaError::WAIT_TIMEOUT) && timeout_ms == 0 {
            drop(held);
            self.idle_poll();
            return (r, None);
        }
        (r, held)
    }
}

impl Iocp for SimWinsock {
    fn create_io_completion_port(&self, concurrency: u32) -> Result<CompletionPort, WsaError> {
        self.call(
            "CreateIoCompletionPort",
            u64::from(concurrency),
            0,
            |this| {
                let mut w = this.w();
                let concurrency = if concurrency == 0 {
                    w.rt.cfg.cpus as usize
                } else {
                    concurrency as usize
                };
                let h = w.new_object(
                    this.host,
                    KObject::Port(Port {
                        concurrency,
                        ..Port::default()
                    }),
                );
                Ok(CompletionPort::from_raw(h))
            },
        )
    }

    fn associate_completion_port(
        &self,
        s: Socket,
        port: CompletionPort,
        key: usize,
    ) -> Result<(), WsaError> {
        self.call(
            "CreateIoCompletionPort",
            s.raw() as u64,
            key as u64,
            |this| {
                let id = this.sock(s)?;
                let mut w = this.w();
                let idx = w.port_id(this.host, port.raw())?;
                let port = w.kern.objects.obj_ref(idx);
                let io = w.io_sock(id);
                if io.port.is_some() {
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                io.port = Some((port, key));
                Ok(())
            },
        )
    }

    fn get_queued_completion_status(
        &self,
        port: CompletionPort,
        timeout_ms: u32,
    ) -> Result<CompletionPacket, WsaError> {
        runtime::checked_exit(self.gqcs_call(port, timeout_ms))
    }

    /// The packets go straight from the port's queue into `entries`.
    fn get_queued_completion_status_ex_into(
        &self,
        port: CompletionPort,
        entries: &mut Vec<CompletionPacket>,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<usize, WsaError> {
        runtime::checked_exit(self.gqcs_ex_call(port, entries, max, timeout_ms, alertable))
    }

    fn post_queued_completion_status(
        &self,
        port: CompletionPort,
        bytes: usize,
        key: usize,
        ov: Option<Overlapped>,
    ) -> Result<(), WsaError> {
        self.call(
            "PostQueuedCompletionStatus",
            port.raw() as u64,
            key as u64,
            |this| {
                let mut w = this.w();
                let idx = w.port_id(this.host, port.raw())?;
                w.post_packet(
                    idx,
                    CompletionPacket {
                        bytes,
                        key,
                        overlapped: ov,
                        error: None,
                        bufs: Vec::new(),
                        from: None,
                        control: Vec::new(),
                        msg_flags: 0,
                    },
                );
                Ok(())
            },
        )
    }

    fn close_completion_port(&self, port: CompletionPort) -> Result<(), WsaError> {
        self.call("CloseHandle", port.raw() as u64, 0, |this| {
            let mut w = this.w();
            w.port_id(this.host, port.raw())?;
            w.close_object(this.host, port.raw());
            Ok(())
        })
    }

    fn set_file_completion_notification_modes(&self, s: Socket, flags: u8) -> Result<(), WsaError> {
        self.call(
            "SetFileCompletionNotificationModes",
            s.raw() as u64,
            u64::from(flags),
            |this| {
                let id = this.sock(s)?;
                this.w().io_sock(id).skip_on_success =
                    flags & crate::api::iocp::FILE_SKIP_COMPLETION_PORT_ON_SUCCESS != 0;
                Ok(())
            },
        )
    }
}

/// The dequeues' bodies, each a function of its own: worker threads are commonly blocked in
/// them when a run ends, and the trait methods around them are the small frames such a
/// thread unwinds from (`SimWinsock::call_marked`).
impl SimWinsock {
    #[inline(never)]
    fn gqcs_call(
        &self,
        port: CompletionPort,
        timeout_ms: u32,
    ) -> Result<CompletionPacket, WsaError> {
        // The last error before the call, which a successful dequeue leaves as it was.
        let mut before = 0;
        let r = self
            .enter_locked("GetQueuedCompletionStatus", false)
            .and_then(|w| {
                runtime::mark_checked();
                before = w.rt.threads[self.tid].last_error;
                let call = "GetQueuedCompletionStatus";
                self.dequeue(w, call, port, timeout_ms, false, |w, tid, idx| {
                    w.take_packet(tid, idx)
                })
                .0
            });
        // A packet of a failed I/O: GQCS returns FALSE and GetLastError gives its error.
        let failed = r.as_ref().ok().and_then(|p| p.error);
        let r = self.finish(
            "GetQueuedCompletionStatus",
            port.raw() as u64,
            u64::from(timeout_ms),
            r,
        );
        // A failed I/O's packet: FALSE, and GetLastError gives its error. A successful dequeue
        // leaves the last error as it was (conformance CP-01).
        match (&r, failed) {
            (_, Some(e)) => self.w().rt.threads[self.tid].last_error = e.code(),
            (Ok(_), None) => self.w().rt.threads[self.tid].last_error = before,
            _ => {}
        }
        r
    }

    #[inline(never)]
    fn gqcs_ex_call(
        &self,
        port: CompletionPort,
        entries: &mut Vec<CompletionPacket>,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<usize, WsaError> {
        let call = "GetQueuedCompletionStatusEx";
        entries.clear();
        self.call_held_marked(call, port.raw() as u64, u64::from(timeout_ms), |this, w| {
            if max == 0 {
                return (Err(WsaError::WSA_INVALID_PARAMETER), Some(w));
            }
            this.dequeue(w, call, port, timeout_ms, alertable, |w, tid, idx| {
                w.take_packets(tid, idx, max, entries)
            })
        })
    }
}

impl crate::sim::api::Traced for CompletionPort {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl crate::sim::api::Traced for CompletionPacket {
    fn traced(&self) -> i64 {
        self.bytes as i64
    }
}

impl crate::sim::api::Traced for Vec<CompletionPacket> {
    fn traced(&self) -> i64 {
        self.len() as i64
    }
}
