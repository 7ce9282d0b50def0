//! I/O completion ports: a packet queue per port, and Windows' concurrency rule — at most
//! NumberOfConcurrentThreads workers released at once, a released worker that blocks
//! elsewhere lets another one go, and waiting workers are released last-in first-out.

use crate::api::{CompletionPacket, WsaError};
use crate::sim::kernel::objects::{KObject, Port};
use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::net::fault::SockRule;
use crate::sim::runtime::trace::TraceKind;
use crate::sim::runtime::WaitKey;
use crate::sim::runtime::World;

impl<L: KernLayers> World<L>
where
    Self: KernHooks<L>,
{
    pub(crate) fn port_mut(&mut self, idx: usize) -> Option<&mut Port> {
        match self.kern.objects.get_mut(idx) {
            Some(KObject::Port(p)) => Some(p),
            _ => None,
        }
    }

    /// The port object behind a handle, or WSA_INVALID_HANDLE.
    pub(crate) fn port_id(&self, host: usize, h: usize) -> Result<usize, WsaError> {
        match self
            .object_id(host, h)
            .and_then(|i| self.kern.objects.get(i).map(|o| (i, o)))
        {
            Some((i, KObject::Port(_))) => Ok(i),
            _ => Err(WsaError::WSA_INVALID_HANDLE),
        }
    }

    /// Queues a packet and releases a waiting worker if the concurrency limit allows.
    pub(crate) fn post_packet(&mut self, idx: usize, packet: CompletionPacket) {
        let ahead = if self.net.faults.idle() {
            0
        } else {
            self.overtaken(idx, packet.key)
        };
        let Some(p) = self.port_mut(idx) else { return };
        if ahead == 0 && p.queue.is_empty() && p.active < p.concurrency {
            // The common case: a waiting worker takes the packet straight from the
            // completion, without a trip through the queue. (release_worker's loop with the
            // packet passed in as an `Option` did the same but moved the 136-byte packet
            // twice more: 244 instructions per echoed message in the iocp shape.)
            match self.pop_last_waiter(WaitKey::Object(idx)) {
                Some((tid, seq)) => self.hand_packet(idx, tid, seq, packet),
                None => {
                    if let Some(p) = self.port_mut(idx) {
                        p.queue.push_back(packet);
                    }
                }
            }
            return;
        }
        p.queue.insert(p.queue.len() - ahead, packet);
        self.release_worker(idx);
    }

    /// How many queued packets a packet with completion key `key` overtakes on port `idx`: 0
    /// unless a [`FaultRule::Overtake`](crate::sim::fault::FaultRule::Overtake) fires, then a
    /// seed-chosen number of the packets at the queue's tail with other keys (independent
    /// I/O), never one with its own key.
    #[cold]
    fn overtaken(&mut self, idx: usize, key: usize) -> usize {
        let Some(host) = self.kern.objects.owner(idx) else {
            return 0;
        };
        let others = match self.kern.objects.get(idx) {
            Some(KObject::Port(p)) => p.queue.iter().rev().take_while(|q| q.key != key).count(),
            _ => return 0,
        };
        if others == 0 {
            return 0;
        }
        let now = self.rt.now;
        let net = &mut self.net;
        let fires = net
            .faults
            .on_socket_call(SockRule::Overtake, &net.hosts[host].addrs, None, None, now)
            .is_some();
        if !fires {
            return 0;
        }
        let n = 1 + self.net.faults.below(others as u64) as usize;
        self.record(
            usize::MAX,
            TraceKind::Fault("completion overtakes"),
            key as u64,
            n as u64,
            0,
        );
        n
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
            self.hand_packet(idx, tid, seq, packet);
        }
    }

    /// Releases waiting worker `tid` (wait number `seq`) of port `idx` with `packet`: it
    /// counts as running at once, as on Windows.
    fn hand_packet(&mut self, idx: usize, tid: usize, seq: u64, packet: CompletionPacket) {
        if let Some(p) = self.port_mut(idx) {
            p.active += 1;
        }
        let t = &mut self.rt.threads[tid];
        t.ext.iocp_handoff = Some(packet);
        t.ext.set_iocp_port(idx);
        t.ext.iocp_suspended = false;
        self.wake(tid, seq);
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
    pub(crate) fn leave_port(&mut self, tid: usize, next: usize) {
        let t = &mut self.rt.threads[tid];
        if let Some(port) = t.ext.take_iocp_port() {
            if !std::mem::take(&mut t.ext.iocp_suspended) {
                if port != next {
                    // Moving to another port: this one may release a waiter now.
                    self.port_thread_left(port);
                } else if let Some(p) = self.port_mut(port) {
                    p.active = p.active.saturating_sub(1);
                }
            }
        }
    }

    /// Thread `tid`, a running thread of port `idx` when it called GetQueuedCompletionStatus(Ex)
    /// there, stays one after the call dequeued nothing (timed out or ran APCs), as on Windows
    /// (ntdll file.c test_set_io_completion 1117–1140): it counts against the port's
    /// concurrency again. A port closed meanwhile keeps no thread.
    pub(crate) fn rejoin_port(&mut self, tid: usize, idx: usize) {
        if self.kern.objects.is_closed(idx) {
            return;
        }
        if let Some(p) = self.port_mut(idx) {
            p.active += 1;
            self.rt.threads[tid].ext.set_iocp_port(idx);
        }
    }

    /// Dequeues one packet for `tid`: the packet it was handed when released, or a fresh
    /// one if the port's concurrency allows.
    pub(crate) fn take_packet(&mut self, tid: usize, idx: usize) -> Option<CompletionPacket> {
        if let Some(first) = self.rt.threads[tid].ext.iocp_handoff.take() {
            return Some(first);
        }
        let p = self.port_mut(idx)?;
        if p.active >= p.concurrency {
            return None;
        }
        let first = p.queue.pop_front()?;
        p.active += 1;
        self.rt.threads[tid].ext.set_iocp_port(idx);
        Some(first)
    }

    /// Dequeues up to `max` packets for `tid` into `packets`: the first as
    /// [`World::take_packet`], then more from the queue. Their count.
    pub(crate) fn take_packets(
        &mut self,
        tid: usize,
        idx: usize,
        max: usize,
        packets: &mut Vec<CompletionPacket>,
    ) -> Option<usize> {
        let first = self.take_packet(tid, idx)?;
        packets.push(first);
        if let Some(p) = self.port_mut(idx) {
            // Popped one by one: the queue is nearly always empty by now (the first packet was
            // handed over), and a `Drain` costs its construction and drop even when it takes
            // nothing (136 instructions a message in the benchmark's iocp shape).
            let more = (max.max(1) - 1).min(p.queue.len());
            for _ in 0..more {
                packets.extend(p.queue.pop_front());
            }
        }
        Some(packets.len())
    }
}
