//! Blocking receives queued on a connection, as AFD queues receive requests.
//!
//! On Windows a blocking `recv` that finds nothing to read does not poll: it is a receive
//! request queued on the socket, like a pending overlapped WSARecv, and the thread waits for
//! it. Data that arrives goes into the oldest request first, so while it waits:
//! - FIONREAD does not count that data;
//! - select and WSAPoll in other threads do not see the socket readable;
//! - FD_READ is not recorded;
//! - a second receive cannot take it.
//!
//! A request with MSG_WAITALL keeps taking data until its buffer is full, and only then wakes
//! its thread. Wine's server does the same: a waiting read request withholds POLLIN from
//! polls and events.
//!
//! The sim cannot write into a waiting thread's buffer. The request keeps the bytes it was
//! given until its thread runs and copies them out ([`World::take_receive`]). Data given to a
//! request has left the receive queue: the window advertised does not count it, and a close
//! does not count it as unread.
//!
//! A MSG_PEEK receive and a zero-length receive take nothing: they complete when data
//! arrives (a peek with a copy of what it saw), and the data goes on to the next request.
//!
//! Blocking requests and pending overlapped receives on the same socket are served in the
//! order they were made, as Windows serves both from one queue of receive requests (and Wine
//! from one queue of asyncs). The overlapped ones live in the operation table, a layer up: a
//! request made while overlapped receives were pending notes the newest of them (`after`)
//! and takes nothing until they are all gone, and the overlapped receives made after a
//! request wait for it (`World::request_ahead_of`).

use std::collections::VecDeque;
use std::num::NonZeroU64;

use super::{consume_front, ring_range, Tcp};
use crate::sim::net::endpoint::behind_overlapped;
use crate::sim::net::{NetHooks, NetLayers};
use crate::sim::runtime::World;

/// One blocking receive waiting on a connection (an AFD receive request).
#[derive(Debug)]
pub(crate) struct ReceiveRequest {
    /// Names this request among the run's (`Network::request_counter`).
    key: u64,
    /// Room left in the caller's buffer.
    room: usize,
    /// MSG_WAITALL: complete only when `room` bytes are in.
    waitall: bool,
    /// MSG_PEEK, or a zero-length buffer: complete on any data, consume none.
    peek: bool,
    /// The bytes given to the request (a peek's are a copy).
    data: VecDeque<u8>,
    /// Complete: its thread has been woken to return.
    done: bool,
    /// The newest overlapped receive pending on the socket when the request was made (its
    /// serial, never 0): the request comes after it (and every older one) in the socket's
    /// queue.
    after: Option<NonZeroU64>,
}

/// What a receive request held when its thread took it back.
pub(crate) struct TakenRequest {
    /// The bytes given to it, oldest first.
    pub data: VecDeque<u8>,
    /// It was complete (not only woken by something else: a close, a FIN, an APC).
    pub done: bool,
}

impl Tcp {
    /// Whether a request still waiting was made while overlapped receives were pending.
    #[inline]
    pub(super) fn requests_follow_overlapped(&self) -> bool {
        self.requests_after_ov && self.requests.iter().any(|r| !r.done && r.after.is_some())
    }

    /// Takes request `at` off the queue.
    fn remove_request(&mut self, at: usize) -> ReceiveRequest {
        let r = self.requests.remove(at);
        if self.requests.is_empty() {
            self.requests_after_ov = false;
        }
        r
    }

    /// Gives the data waiting in the receive queue to the connection's receive requests,
    /// oldest first, up to the first one an overlapped receive still pending comes before
    /// (`oldest_ov`: the oldest pending one's serial). Returns whether one completed (its
    /// thread must be woken).
    #[inline(always)]
    pub(super) fn serve_requests(&mut self, oldest_ov: Option<u64>) -> bool {
        let mut completed = false;
        let rcv = &mut self.rcv;
        for r in self.requests.iter_mut().filter(|r| !r.done) {
            if rcv.is_empty() || oldest_ov.is_some_and(|o| behind_overlapped(r.after, o)) {
                break;
            }
            if r.peek {
                let (a, b) = ring_range(rcv, 0, r.room.min(rcv.len()));
                r.data.extend(a);
                r.data.extend(b);
                r.done = true;
            } else {
                let n = (r.room - r.data.len()).min(rcv.len());
                if r.data.is_empty() && n == rcv.len() {
                    // The common case: one request takes all that arrived, without a copy.
                    r.data = std::mem::take(rcv);
                } else {
                    let (a, b) = ring_range(rcv, 0, n);
                    r.data.extend(a);
                    r.data.extend(b);
                    consume_front(rcv, n);
                }
                r.done = !r.waitall || r.data.len() == r.room;
            }
            completed |= r.done;
        }
        completed
    }
}

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    /// Queues a blocking receive on connection `id` with `room` bytes of buffer left; returns
    /// its key for [`World::take_receive`].
    pub(crate) fn queue_receive(
        &mut self,
        id: usize,
        room: usize,
        waitall: bool,
        peek: bool,
    ) -> u64 {
        let key = self.next_request_key();
        let after = self.newest_overlapped_recv(id).and_then(NonZeroU64::new);
        let t = self.tcp_at(id);
        t.requests_after_ov |= after.is_some();
        t.requests.push(ReceiveRequest {
            key,
            room,
            waitall,
            peek: peek || room == 0,
            data: VecDeque::new(),
            done: false,
            after,
        });
        key
    }

    /// Gives data waiting on connection `id` to its receive requests, in their turn with the
    /// overlapped receives (see the module); wakes their threads if one completed. The
    /// overlapped receives' service calls it after it has served them, in case a request
    /// made after them is next. True if the requests took data.
    pub(crate) fn serve_receive_requests(&mut self, id: usize) -> bool {
        let oldest = self.requests_oldest_ov(id);
        let Some(t) = self.tcp(id) else { return false };
        let left = t.rcv.len();
        let completed = t.serve_requests(oldest);
        let took = t.rcv.len() < left;
        if completed {
            self.notify(crate::sim::runtime::WaitKey::Readable(id));
        }
        took
    }

    /// The oldest pending overlapped receive's serial, when a request of connection `id`
    /// was made while one was pending (only then can it matter: otherwise every request is
    /// ahead of every pending overlapped receive).
    fn requests_oldest_ov(&mut self, id: usize) -> Option<u64> {
        if self.tcp(id).is_some_and(|t| t.requests_follow_overlapped()) {
            self.oldest_overlapped_recv(id)
        } else {
            None
        }
    }

    /// Whether a blocking receive request of connection `id` that has not completed was made
    /// before overlapped receive `serial`: that receive must wait for it.
    pub(crate) fn request_ahead_of(&mut self, id: usize, serial: u64) -> bool {
        self.tcp(id).is_some_and(|t| {
            t.requests
                .iter()
                .find(|r| !r.done)
                .is_some_and(|r| !behind_overlapped(r.after, serial))
        })
    }

    /// The thread of receive request `key` of socket `id` runs: hands it the bytes the
    /// request was given. A complete request leaves the queue; one that is not (its thread
    /// was woken by something else: an APC, a FIN, a close) keeps its place, with the room
    /// those bytes took. `None` if the connection or the request is gone.
    pub(crate) fn take_receive(&mut self, id: usize, key: u64) -> Option<TakenRequest> {
        let t = self.tcp(id)?;
        let at = t.requests.iter().position(|r| r.key == key)?;
        let r = &mut t.requests[at];
        if !r.done {
            r.room -= r.data.len();
            return Some(TakenRequest {
                data: std::mem::take(&mut r.data),
                done: false,
            });
        }
        let r = t.remove_request(at);
        Some(TakenRequest {
            data: r.data,
            done: true,
        })
    }

    /// Takes receive request `key` of socket `id` off its queue, with what it holds.
    fn remove_receive(&mut self, id: usize, key: u64) -> Option<ReceiveRequest> {
        let t = self.tcp(id)?;
        let at = t.requests.iter().position(|r| r.key == key)?;
        Some(t.remove_request(at))
    }

    /// Forgets receive request `key` of socket `id` and what it held: the call that made it
    /// failed (timed out, or its socket was closed), and the bytes are lost with it, as they
    /// were when the call itself held them (after a receive timeout, recv's documentation
    /// calls the connection's state indeterminate).
    pub(crate) fn cancel_receive(&mut self, id: usize, key: u64) {
        if let Some(r) = self.remove_receive(id, key) {
            self.recycle_queue(r.data);
        }
    }
}
