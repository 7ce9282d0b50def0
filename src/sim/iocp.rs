//! I/O completion ports: a packet queue per port, and Windows' concurrency rule — at most
//! NumberOfConcurrentThreads workers released at once, a released worker that blocks
//! elsewhere lets another one go, and waiting workers are released last-in first-out.

use std::collections::VecDeque;

use super::api::SimWinsock;
use super::objects::KObject;
use super::sched::{Step, WaitKey};
use super::world::World;
use crate::api::consts::INFINITE;
use crate::api::{CompletionPacket, CompletionPort, Iocp, Overlapped, Socket, Winsock, WsaError};

/// One completion port.
#[derive(Debug, Default)]
pub(crate) struct Port {
    pub queue: VecDeque<CompletionPacket>,
    /// NumberOfConcurrentThreads.
    pub concurrency: usize,
    /// Released workers that are running (not blocked elsewhere).
    pub active: usize,
}

impl World {
    fn port_mut(&mut self, idx: usize) -> Option<&mut Port> {
        match self.objects.get_mut(idx) {
            Some(KObject::Port(p)) => Some(p),
            _ => None,
        }
    }

    /// The port object behind a handle, or WSA_INVALID_HANDLE.
    pub(crate) fn port_id(&self, host: usize, h: usize) -> Result<usize, WsaError> {
        match self
            .object_id(host, h)
            .and_then(|i| self.objects.get(i).map(|o| (i, o)))
        {
            Some((i, KObject::Port(_))) => Ok(i),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Queues a packet and releases a waiting worker if the concurrency limit allows.
    pub(crate) fn post_packet(&mut self, idx: usize, packet: CompletionPacket) {
        let Some(p) = self.port_mut(idx) else { return };
        p.queue.push_back(packet);
        self.release_worker(idx);
    }

    /// Releases waiting workers (last-in first-out) while packets are queued and the
    /// concurrency limit allows; each released worker is handed its packet and counts as
    /// running at once, as on Windows.
    fn release_worker(&mut self, idx: usize) {
        loop {
            let Some(p) = self.port_mut(idx) else { return };
            if p.queue.is_empty() || p.active >= p.concurrency {
                return;
            }
            let Some((tid, seq)) = self.pop_last_waiter(WaitKey::Object(idx)) else {
                return;
            };
            let Some(p) = self.port_mut(idx) else { return };
            let packet = p.queue.pop_front().expect("queue checked non-empty");
            p.active += 1;
            let t = &mut self.threads[tid];
            t.iocp_handoff = Some(packet);
            t.iocp_port = Some(idx);
            t.iocp_suspended = false;
            self.wake(tid, seq);
        }
    }

    /// A released worker of port `idx` blocked elsewhere or came back for more.
    pub(crate) fn port_thread_left(&mut self, idx: usize) {
        if let Some(p) = self.port_mut(idx) {
            p.active = p.active.saturating_sub(1);
            self.release_worker(idx);
        }
    }

    /// A released worker of port `idx` that was blocked elsewhere runs again.
    pub(crate) fn port_thread_back(&mut self, idx: usize) {
        if let Some(p) = self.port_mut(idx) {
            p.active += 1;
        }
    }

    /// The calling thread stops counting as a released worker of its port (it is back in
    /// GetQueuedCompletionStatus).
    ///
    /// No other worker is released here: the caller itself takes a queued packet first, as a
    /// running thread calling GetQueuedCompletionStatus does on Windows.
    fn leave_port(&mut self, tid: usize, next: usize) {
        let t = &mut self.threads[tid];
        if let Some(port) = t.iocp_port.take() {
            if !std::mem::take(&mut t.iocp_suspended) {
                if port != next {
                    // Moving to another port: this one may release a waiter now.
                    self.port_thread_left(port);
                } else if let Some(p) = self.port_mut(port) {
                    p.active = p.active.saturating_sub(1);
                }
            }
        }
    }

    /// Dequeues up to `max` packets for `tid`: the packet it was handed when released, or
    /// fresh ones if the port's concurrency allows.
    fn take_packets(
        &mut self,
        tid: usize,
        idx: usize,
        max: usize,
    ) -> Option<Vec<CompletionPacket>> {
        if let Some(first) = self.threads[tid].iocp_handoff.take() {
            let mut packets = vec![first];
            if let Some(p) = self.port_mut(idx) {
                let more = (max.max(1) - 1).min(p.queue.len());
                packets.extend(p.queue.drain(..more));
            }
            return Some(packets);
        }
        let p = self.port_mut(idx)?;
        if p.queue.is_empty() || p.active >= p.concurrency {
            return None;
        }
        let n = max.clamp(1, p.queue.len());
        let packets: Vec<CompletionPacket> = p.queue.drain(..n).collect();
        p.active += 1;
        self.threads[tid].iocp_port = Some(idx);
        Some(packets)
    }
}

impl SimWinsock {
    /// The GetQueuedCompletionStatus(Ex) wait.
    fn dequeue(
        &self,
        call: &'static str,
        port: CompletionPort,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<Vec<CompletionPacket>, WsaError> {
        let idx = self.w().port_id(self.host, port.raw())?;
        let tid = self.tid;
        self.w().leave_port(tid, idx);
        let deadline = (timeout_ms != INFINITE)
            .then(|| self.now().as_nanos() as u64 + u64::from(timeout_ms) * 1_000_000);
        let r = self.blocking(call, None, |w| {
            if w.threads[tid].iocp_handoff.is_none() && w.port_mut(idx).is_none() {
                return Step::Done(Err(WsaError::ERROR_ABANDONED_WAIT_0));
            }
            if alertable && !w.threads[tid].apcs.is_empty() {
                return Step::Done(Err(WsaError::WAIT_IO_COMPLETION));
            }
            if let Some(p) = w.take_packets(tid, idx, max) {
                return Step::Done(Ok(p));
            }
            if deadline.is_some_and(|d| w.now >= d) {
                return Step::Done(Err(WsaError::WAIT_TIMEOUT));
            }
            let mut keys = vec![WaitKey::Object(idx)];
            if alertable {
                keys.push(WaitKey::Apc(tid));
            }
            Step::WaitAny(keys, deadline)
        });
        if r == Err(WsaError::WAIT_IO_COMPLETION) {
            self.run_apcs();
        }
        if r == Err(WsaError::WAIT_TIMEOUT) && timeout_ms == 0 {
            self.idle_poll();
        }
        r
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
                    w.cfg.cpus as usize
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
                let io = w.io_sock(id);
                if io.port.is_some() {
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                io.port = Some((idx, key));
                Ok(())
            },
        )
    }

    fn get_queued_completion_status(
        &self,
        port: CompletionPort,
        timeout_ms: u32,
    ) -> Result<CompletionPacket, WsaError> {
        let before = self.wsa_get_last_error();
        let r = self
            .enter("GetQueuedCompletionStatus", false)
            .and_then(|()| {
                self.dequeue("GetQueuedCompletionStatus", port, 1, timeout_ms, false)
                    .map(|mut v| v.remove(0))
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
            (_, Some(e)) => self.w().threads[self.tid].last_error = e.code(),
            (Ok(_), None) => self.w().threads[self.tid].last_error = before,
            _ => {}
        }
        r
    }

    fn get_queued_completion_status_ex(
        &self,
        port: CompletionPort,
        max: usize,
        timeout_ms: u32,
        alertable: bool,
    ) -> Result<Vec<CompletionPacket>, WsaError> {
        let r = self
            .enter("GetQueuedCompletionStatusEx", false)
            .and_then(|()| {
                if max == 0 {
                    return Err(WsaError::WSA_INVALID_PARAMETER);
                }
                self.dequeue(
                    "GetQueuedCompletionStatusEx",
                    port,
                    max,
                    timeout_ms,
                    alertable,
                )
            });
        self.finish(
            "GetQueuedCompletionStatusEx",
            port.raw() as u64,
            u64::from(timeout_ms),
            r,
        )
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

impl super::api::Traced for CompletionPort {
    fn traced(&self) -> i64 {
        self.raw() as i64
    }
}

impl super::api::Traced for CompletionPacket {
    fn traced(&self) -> i64 {
        self.bytes as i64
    }
}

impl super::api::Traced for Vec<CompletionPacket> {
    fn traced(&self) -> i64 {
        self.len() as i64
    }
}
