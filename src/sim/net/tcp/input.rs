//! The TCP input path: every arriving segment (acknowledgements, data, urgent data, FIN,
//! RST, TIME-WAIT), and the connection record's look-ups and teardown.

use std::collections::VecDeque;

use super::handshake::doubled;
use super::{NetTimer, Opt64, Tcp, TcpState};
use crate::api::WsaError;
use crate::sim::net::compact::Id32;
use crate::sim::net::endpoint::Role;
use crate::sim::net::host::{is_on_wire, wire, ConnKey};
use crate::sim::net::segment::{SegKind, Segment};
use crate::sim::net::{NetHooks, NetLayers};
use crate::sim::runtime::trace::TraceKind;
use crate::sim::runtime::{delayed_ack_due, AckPolicy, Nanos, World};

/// Consumed payload buffers kept for reuse (bounded, so a burst does not pin memory; sized as
/// the segment box pool, `wire::SEG_POOL_MAX`, for the same reasons).
const PAYLOAD_POOL_MAX: usize = 2048;

/// The largest emptied queue buffer kept in the payload pool (see `recycle_queue`).
const QUEUE_RECYCLE_MAX: usize = 4096;

/// The delayed-ACK queue is compacted (its stale entries dropped) only once this full (96 KiB):
/// below that it grows as before, so small runs pay nothing per ACK for the compaction.
const DELAYED_ACKS_COMPACT_FROM: usize = 4096;

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    pub(crate) fn tcp(&mut self, id: usize) -> Option<&mut Tcp> {
        match &mut self.net.sockets.get_mut(id)?.role {
            Role::Stream(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn tcp_at(&mut self, id: usize) -> &mut Tcp {
        self.tcp(id)
            .unwrap_or_else(|| panic!("winsock-sim internal error: socket #{id} has no TCP"))
    }

    /// The one door for state changes: records the transition in the trace.
    pub(crate) fn set_state(&mut self, id: usize, state: TcpState) {
        let t = self.tcp_at(id);
        if t.state == state {
            return;
        }
        t.state = state;
        let host = self.net.sockets.get(id).map_or(usize::MAX, |s| s.host);
        self.record_net(host, TraceKind::State(state.name()), id as u64, 0);
        if state == TcpState::Established
            && self.net.sockets.get(id).is_some_and(|s| s.opts.keepalive)
        {
            self.keepalive_changed(id);
        }
    }

    pub(crate) fn next_gen(&mut self) -> u64 {
        self.net.gen_counter += 1;
        self.net.gen_counter
    }

    /// The key of a new blocking receive request, stream or datagram (`receive_request`).
    pub(crate) fn next_request_key(&mut self) -> u64 {
        self.net.request_counter += 1;
        self.net.request_counter
    }

    /// Removes the connection's 4-tuple from its host's table (keyed by wire addresses).
    pub(crate) fn unlink_conn(&mut self, id: usize) {
        let s = self.net.sockets.at(id);
        if let (Some(l), Some(r)) = (s.local.get().map(wire), s.remote.get().map(wire)) {
            let host = s.host;
            let conns = &mut self.net.hosts[host].conns;
            let key = ConnKey::new(l, r);
            if conns.get(&key) == Some(&id) {
                conns.remove(&key);
            }
        }
    }

    /// Frees an orphaned socket whose connection is over.
    pub(crate) fn reap_if_orphan(&mut self, id: usize) {
        let Some(s) = self.net.sockets.get(id) else {
            return;
        };
        let done = match &s.role {
            Role::Stream(t) => t.state == TcpState::Closed,
            _ => true,
        };
        if s.closed && done {
            self.unlink_conn(id);
            self.release_port(id);
            self.free_socket(id);
        }
    }

    /// Entry point for every segment that reaches `host`.
    pub(crate) fn tcp_input(&mut self, host: usize, seg: &mut Segment) {
        let hinted = seg.to_sid.filter(|&id| {
            self.net.sockets.get(id).is_some_and(|s| {
                s.host == host
                    && is_on_wire(&s.local, seg.dst)
                    && is_on_wire(&s.remote, seg.src)
                    && matches!(&s.role, Role::Stream(t) if t.state != TcpState::Closed)
            })
        });
        let id = hinted.or_else(|| {
            let key = ConnKey::new(seg.dst, seg.src);
            self.net.hosts[host].conns.get(&key).copied()
        });
        match (id, &seg.kind) {
            (Some(id), _) => self.tcp_segment(id, seg),
            (None, SegKind::Syn) => self.listener_syn(host, seg.take()),
            (None, SegKind::Rst) => {}
            (None, _) => self.reply_rst(host, seg),
        }
    }

    pub(crate) fn reply_rst(&mut self, host: usize, seg: &Segment) {
        self.transmit(Segment {
            from_host: host,
            from_sid: usize::MAX,
            to_sid: Some(seg.from_sid),
            src: seg.dst,
            dst: seg.src,
            kind: SegKind::Rst,
            ack: None,
        });
    }

    /// A segment for an existing connection.
    fn tcp_segment(&mut self, id: usize, seg: &mut Segment) {
        let now = super::keepalive::heard_ticks(self.rt.now);
        let t = self.tcp_at(id);
        t.heard = now;
        let state = t.state;
        if seg.from_sid != usize::MAX {
            t.peer_sid = Some(Id32::new(seg.from_sid));
        }
        if seg.kind == SegKind::Rst {
            self.on_rst(id, state);
            return;
        }
        match (state, &seg.kind) {
            (TcpState::SynSent, SegKind::SynAck) => {
                self.take_ack(id, seg.ack);
                self.set_state(id, TcpState::Established);
                self.tcp_at(id).connected_at = Opt64::some(self.rt.now);
                self.net.sockets.at(id).so_error = 0;
                self.send_ctl(id, SegKind::Ack);
                self.on_connect(id, None);
                return;
            }
            (TcpState::SynSent, _) => return,
            (TcpState::SynReceived, SegKind::Syn) => {
                // Our SYN-ACK was lost or is late: answer the retransmitted SYN again (unless
                // the SYN is held for a WSAAccept decision: SO_CONDITIONAL_ACCEPT).
                if !self.syn_held(id) {
                    self.send_ctl(id, SegKind::SynAck);
                }
                return;
            }
            (TcpState::SynReceived, _) => {
                self.take_ack(id, seg.ack);
                self.set_state(id, TcpState::Established);
                self.tcp_at(id).connected_at = Opt64::some(self.rt.now);
                self.handshake_done(id);
            }
            (TcpState::Closed, _) => return,
            (_, SegKind::Syn | SegKind::SynAck) => {
                // A duplicate handshake segment: re-acknowledge.
                self.send_ctl(id, SegKind::Ack);
                return;
            }
            _ => self.take_ack(id, seg.ack),
        }
        match &mut seg.kind {
            SegKind::Data { seq, data, urgent } => {
                let data = std::mem::take(data);
                self.on_data(id, *seq, data, *urgent);
            }
            SegKind::Fin { seq } => self.on_fin(id, *seq),
            // A keep-alive probe: answered at once.
            SegKind::KeepAlive => self.send_ctl(id, SegKind::Ack),
            _ => {}
        }
        self.tcp_output(id);
    }

    fn take_ack(&mut self, id: usize, ack: Option<(u64, u64)>) {
        let Some((ack, wnd)) = ack else { return };
        let t = self.tcp_at(id);
        let end = t.snd_end();
        let mut freed = false;
        if ack > t.snd_una {
            let data_ack = ack.min(end);
            let n = (data_ack - t.snd_una) as usize;
            super::consume_front(&mut t.snd, n);
            t.snd_una = data_ack;
            if t.snd_nxt < t.snd_una {
                t.snd_nxt = t.snd_una;
            }
            freed = n > 0;
            if t.fin_sent && ack > end {
                t.fin_acked = true;
            }
        }
        let edge = ack + wnd;
        if edge > t.snd_edge {
            t.snd_edge = edge;
        }
        let (fin_acked, state) = (t.fin_acked, t.state);
        if fin_acked {
            // A DisconnectEx (or a lingering close) waiting for its FIN's acknowledgement.
            self.on_fin_acked(id);
            self.notify(crate::sim::runtime::WaitKey::Socket(id));
            match state {
                TcpState::FinWait1 => self.set_state(id, TcpState::FinWait2),
                TcpState::Closing => self.enter_time_wait(id),
                TcpState::LastAck => {
                    self.set_state(id, TcpState::Closed);
                    self.unlink_conn(id);
                    self.reap_if_orphan(id);
                    return;
                }
                _ => {}
            }
        }
        if freed {
            self.on_send_space(id);
        }
    }

    fn on_data(&mut self, id: usize, seq: u64, data: Vec<u8>, urgent: bool) {
        let s = self.net.sockets.at(id);
        if s.closed {
            // The application closed this socket: Windows resets a connection that receives
            // data after closesocket.
            self.tcp_abort(id);
            return;
        }
        let (oobinline, shut_rd) = (s.opts.oobinline, s.shut_rd);
        let t = self.tcp_at(id);
        if seq != t.rcv_nxt || t.fin_rcvd {
            return;
        }
        t.rcv_nxt += data.len() as u64;
        // `spare`: the segment's buffer, emptied, for the payload pool.
        let (normal, got_oob, spare) = if urgent && !oobinline {
            let (last, rest) = data.split_last().expect("urgent segment carries a byte");
            t.rcv.extend(rest);
            t.oob.push_back(*last);
            (rest.len(), true, Some(data))
        } else if t.rcv.capacity() == 0 {
            // The queue gave its buffer back when a pending receive drained it
            // (`recycle_queue`): the segment's buffer becomes the queue, without a copy.
            let n = data.len();
            t.rcv = VecDeque::from(data);
            (n, false, None)
        } else {
            t.rcv.extend(&data);
            (data.len(), false, Some(data))
        };
        // Blocking receives waiting on the connection take the data first, before the
        // acknowledgement's window is computed (`receive_request`).
        let (completed, unread) = if normal > 0 && !t.requests.is_empty() {
            if t.requests_follow_overlapped() {
                // Rare: the oldest overlapped receive pending may come first.
                let oldest = self.oldest_overlapped_recv(id);
                let t = self.tcp_at(id);
                (t.serve_requests(oldest), !t.rcv.is_empty())
            } else {
                (t.serve_requests(None), !t.rcv.is_empty())
            }
        } else {
            (false, normal > 0)
        };
        if let Some(data) = spare {
            self.recycle_payload(data);
        }
        self.ack_data(id);
        if got_oob {
            self.on_oob(id);
        }
        if completed {
            self.notify(crate::sim::runtime::WaitKey::Readable(id));
        }
        // Only normal data is news for FD_READ: a segment that carries nothing but the urgent
        // byte reports FD_OOB alone (EV-21). Nor is data a receive request took.
        if unread {
            self.on_readable(id);
        }
        if shut_rd {
            self.reset_if_undeliverable(id);
        }
    }

    /// Ends connection `sid` as timed out, its peer unreachable (no RST goes out): later
    /// calls fail with WSAETIMEDOUT, FD_CLOSE with WSAECONNABORTED, pending overlapped
    /// operations with STATUS_IO_TIMEOUT. Lost retransmissions (`fault::inject`) and
    /// unanswered keep-alive probes (`keepalive`) end a connection this way.
    pub(crate) fn time_out_connection(&mut self, sid: usize) {
        let Some(t) = self.tcp(sid) else { return };
        if !t.state.is_synchronized() || t.state == TcpState::TimeWait {
            return;
        }
        self.end_connection(sid, WsaError::WSAETIMEDOUT);
    }

    /// Ends connection `sid` on this side without a FIN: its buffers are dropped, later calls
    /// fail with `error`, FD_CLOSE carries WSAECONNABORTED ("terminated due to a time-out or
    /// other failure"), pending operations end (`on_peer_closed`).
    fn end_connection(&mut self, sid: usize, error: WsaError) {
        let t = self.tcp_at(sid);
        t.error = Some(error);
        t.snd.clear();
        t.rcv.clear();
        t.oob.clear();
        self.set_state(sid, TcpState::Closed);
        self.unlink_conn(sid);
        self.on_peer_closed(sid, Some(WsaError::WSAECONNABORTED));
        self.reap_if_orphan(sid);
    }

    /// After shutdown(SD_RECEIVE): data queued that no pending receive took cannot be
    /// delivered to the application, and Windows resets the connection (shutdown's
    /// documentation: "if there is still data queued on the socket waiting to be received,
    /// or data arrives subsequently, the connection is reset"). A receive pending before the
    /// shutdown still takes what arrives (sock.c test_shutdown 9615-9624), and then nothing
    /// is reset. The peer gets a RST. Here later calls fail with WSAECONNABORTED, FD_CLOSE
    /// carries it, and pending operations end as for a reset: the sim's choice, as for a
    /// local abort (the documentation says only that the connection is reset).
    #[cold]
    #[inline(never)]
    pub(crate) fn reset_if_undeliverable(&mut self, id: usize) {
        let Some(t) = self.tcp(id) else { return };
        if t.rcv.is_empty() && t.oob.is_empty() {
            return;
        }
        if !t.state.is_synchronized() || t.state == TcpState::TimeWait {
            return;
        }
        self.send_ctl(id, SegKind::Rst);
        self.end_connection(id, WsaError::WSAECONNABORTED);
    }

    fn on_fin(&mut self, id: usize, seq: u64) {
        let t = self.tcp_at(id);
        if seq != t.rcv_nxt || t.fin_rcvd {
            return;
        }
        t.fin_rcvd = true;
        t.rcv_nxt += 1;
        let (state, fin_acked) = (t.state, t.fin_acked);
        match state {
            TcpState::Established => self.set_state(id, TcpState::CloseWait),
            TcpState::FinWait1 if fin_acked => self.enter_time_wait(id),
            TcpState::FinWait1 => self.set_state(id, TcpState::Closing),
            TcpState::FinWait2 => self.enter_time_wait(id),
            _ => {}
        }
        self.ack_soon(id);
        self.on_peer_closed(id, None);
    }

    fn on_rst(&mut self, id: usize, state: TcpState) {
        match state {
            TcpState::SynSent => {
                let refused = {
                    let t = self.tcp_at(id);
                    t.refused = t.refused.saturating_add(1);
                    t.refused
                };
                // Each retry is a SYN retransmission: SIO_TCP_INITIAL_RTO's count bounds them.
                let retries = self.syn_retries(id);
                if u32::from(refused) > retries.unwrap_or(self.rt.cfg.refused_retries) {
                    self.connect_failed(id, WsaError::WSAECONNREFUSED);
                } else {
                    // Windows tries again after 0.5 s, then 1 s, before reporting the refusal.
                    let delay = doubled(self.rt.cfg.refused_retry_delay, u32::from(refused) - 1);
                    let gen2 = self.next_gen();
                    self.net.sockets.at(id).gen = gen2;
                    let at = self.rt.now + delay;
                    self.schedule(
                        at,
                        NetTimer::SynRetry {
                            sid: id,
                            attempt: 0,
                            gen: gen2,
                        },
                    );
                }
            }
            TcpState::SynReceived => self.drop_half_open(id),
            TcpState::Closed => {}
            TcpState::TimeWait => {
                self.set_state(id, TcpState::Closed);
                self.unlink_conn(id);
                self.reap_if_orphan(id);
            }
            _ => {
                let t = self.tcp_at(id);
                // A reset after the peer's FIN (CLOSE-WAIT, LAST-ACK) aborts the connection:
                // later calls give WSAECONNABORTED, not WSAECONNRESET (sock.c test_shutdown,
                // data sent to a peer that shut down and closed).
                t.error = Some(if t.fin_rcvd {
                    WsaError::WSAECONNABORTED
                } else {
                    WsaError::WSAECONNRESET
                });
                t.snd.clear();
                t.rcv.clear();
                t.oob.clear();
                self.set_state(id, TcpState::Closed);
                self.unlink_conn(id);
                self.on_peer_closed(id, Some(WsaError::WSAECONNABORTED));
                self.reap_if_orphan(id);
            }
        }
    }

    fn enter_time_wait(&mut self, id: usize) {
        self.set_state(id, TcpState::TimeWait);
        let gen = self.next_gen();
        self.net.sockets.at(id).gen = gen;
        let at = self.rt.now + self.rt.cfg.time_wait;
        self.schedule(at, NetTimer::TimeWait { sid: id, gen });
    }

    pub(crate) fn time_wait_done(&mut self, id: usize, gen: u64) {
        match self.net.sockets.get(id) {
            Some(s) if s.gen == gen => {}
            _ => return,
        }
        self.set_state(id, TcpState::Closed);
        self.unlink_conn(id);
        self.reap_if_orphan(id);
    }

    /// A receive queue that a pending overlapped receive drained gives its buffer to the
    /// payload pool (one of at most `QUEUE_RECYCLE_MAX` bytes; a bulk transfer's larger one is
    /// freed), so a completion-port server's idle connections hold no receive buffer (0.6 MB
    /// at 10,000 connections each way). The next segment sent takes it from the pool, and the
    /// next data for a queue without a buffer becomes the queue without a copy. (Blocking
    /// receives keep theirs: giving it back each time cost them 150 instructions a message.)
    pub(crate) fn recycle_queue(&mut self, q: VecDeque<u8>) {
        if q.capacity() > 0 && q.capacity() <= QUEUE_RECYCLE_MAX {
            self.recycle_payload(Vec::from(q));
        }
    }

    /// Keeps a consumed segment payload for the next segment sent: data segments then cost
    /// no allocation each.
    fn recycle_payload(&mut self, mut data: Vec<u8>) {
        if self.net.payload_pool.len() < PAYLOAD_POOL_MAX {
            data.clear();
            self.net.payload_pool.push(data);
        }
    }

    /// Schedules an acknowledgement for the end of this instant (when no thread can run), so
    /// a reply sent at once carries it instead.
    fn ack_soon(&mut self, id: usize) {
        let t = self.tcp_at(id);
        t.ack_pending = true;
        if !t.ack_queued {
            t.ack_queued = true;
            self.net.pending_acks.push(id);
        }
    }

    /// A data segment arrived in order: acknowledge it as the ACK policy says. Under
    /// [`AckPolicy::Windows`] the second unacknowledged segment is acknowledged at once and a
    /// lone one when the delayed-ACK timer expires, unless a segment sent meanwhile carries it.
    /// The timer counts Windows' 100-ms ticks (`TcpDelAckTicks`): it expires on the n-th tick
    /// after the arrival (`runtime::delayed_ack_due`). Due times never decrease with `now`,
    /// so the FIFO queue stays sorted.
    fn ack_data(&mut self, id: usize) {
        let ticks = self.rt.cfg.delayed_ack_ticks;
        if self.rt.cfg.ack_policy == AckPolicy::Immediate || ticks == 0 {
            return self.ack_soon(id);
        }
        let due = delayed_ack_due(self.rt.now, ticks);
        let t = self.tcp_at(id);
        t.ack_pending = true;
        t.ack_segs = t.ack_segs.saturating_add(1);
        if t.ack_segs >= t.ack_every {
            return self.ack_soon(id);
        }
        if t.ack_due.is_none() {
            t.ack_due = Opt64::some(due);
            let gen = self.next_gen();
            self.tcp_at(id).ack_timer = gen;
            self.queue_delayed_ack((due, id, gen));
            // A runtime timer already scheduled fires no later than this entry is due.
            if self.net.delayed_acks_at.is_none() {
                self.schedule_delayed_acks();
            }
        }
    }

    /// Whether a delayed-ACK queue entry still stands for an owed ACK. Once stale, an entry
    /// stays stale: its generation is never given again.
    fn ack_entry_live(&self, id: usize, due: Nanos, gen: u64) -> bool {
        match self.net.sockets.get(id).map(|s| &s.role) {
            Some(Role::Stream(t)) => t.ack_timer == gen && t.ack_due.get() == Some(due),
            _ => false,
        }
    }

    /// Appends an entry to the delayed-ACK queue. Stale entries (their ACK went out with a
    /// segment) wait for their due time to pass; when the queue is full they are dropped
    /// first, so it grows with the owed ACKs (one per connection at most), not with every
    /// ACK delayed in the last 200 ms (131,072 entries, 3 MB, at 10,000 connections). Live
    /// entries keep their order, so what is sent, and when, does not change.
    fn queue_delayed_ack(&mut self, entry: (Nanos, usize, u64)) {
        let q = &self.net.delayed_acks;
        if q.len() == q.capacity() && q.len() >= DELAYED_ACKS_COMPACT_FROM {
            let mut q = std::mem::take(&mut self.net.delayed_acks);
            q.retain(|&(due, id, gen)| self.ack_entry_live(id, due, gen));
            // Room for at least as many pushes as entries are left before the next compaction
            // (capacity at least twice the live entries): each compaction looks at every entry's
            // socket, and without the room a queue of mostly live entries was compacted again
            // after a few pushes, a look at thousands of sockets for each ACK delayed.
            q.reserve(q.len());
            self.net.delayed_acks = q;
        }
        self.net.delayed_acks.push_back(entry);
    }

    /// Drops stale entries from the head of the delayed-ACK queue and makes sure a runtime
    /// timer fires for the first live one.
    fn schedule_delayed_acks(&mut self) {
        while let Some(&(due, id, gen)) = self.net.delayed_acks.front() {
            if self.ack_entry_live(id, due, gen) {
                if self.net.delayed_acks_at.is_none_or(|t| due < t) {
                    self.net.delayed_acks_at = Some(due);
                    self.schedule(due, NetTimer::DelayedAcks);
                }
                return;
            }
            self.net.delayed_acks.pop_front();
        }
    }

    /// The delayed-ACK queue's runtime timer fired: send every owed ACK due by now.
    pub(crate) fn delayed_acks_due(&mut self) {
        let now = self.rt.now;
        if self.net.delayed_acks_at != Some(now) {
            return; // Superseded by an earlier one that already ran.
        }
        self.net.delayed_acks_at = None;
        while let Some(&(due, id, gen)) = self.net.delayed_acks.front() {
            if due > now {
                break;
            }
            self.net.delayed_acks.pop_front();
            if self.ack_entry_live(id, due, gen) && self.tcp_at(id).state != TcpState::Closed {
                self.send_ctl(id, SegKind::Ack);
            }
        }
        self.schedule_delayed_acks();
    }

    /// Abortive close: RST to the peer (if it knows us), connection gone, socket freed if the
    /// application no longer holds it.
    pub(crate) fn tcp_abort(&mut self, id: usize) {
        let Some(t) = self.tcp(id) else { return };
        let state = t.state;
        if state != TcpState::Closed && state != TcpState::SynSent {
            self.send_ctl(id, SegKind::Rst);
        }
        let t = self.tcp_at(id);
        t.snd.clear();
        t.rcv.clear();
        t.error.get_or_insert(WsaError::WSAECONNABORTED);
        self.set_state(id, TcpState::Closed);
        self.unlink_conn(id);
        self.reap_if_orphan(id);
    }
}
