//! TCP keep-alive: SO_KEEPALIVE, SIO_KEEPALIVE_VALS, TCP_KEEPALIVE / TCP_KEEPINTVL /
//! TCP_KEEPCNT.
//!
//! A connection with keep-alive on that has heard nothing from its peer for the idle time
//! sends a probe, then another every interval while none is answered. After `keep_count`
//! unanswered probes (and one more interval) the connection is dropped.
//!
//! Windows' defaults: 2 hours idle, 1 second between probes, 10 probes. The peer's TCP
//! answers a probe with an ACK; any segment from the peer counts as an answer. A peer host
//! that crashed answers nothing; one that restarted since answers RST, as for any segment of
//! a connection it no longer has, and the connection is reset (WSAECONNRESET).
//!
//! The codes of a dropped connection are those of a connection given up after its
//! retransmissions (`World::time_out_connection`): calls fail with WSAETIMEDOUT, FD_CLOSE
//! carries WSAECONNABORTED, pending overlapped operations complete with STATUS_IO_TIMEOUT
//! (ERROR_SEM_TIMEOUT from GetQueuedCompletionStatus). This is the sim's choice: the
//! keep-alive documentation (SIO_KEEPALIVE_VALS; .NET's SetTcpKeepAlive repeats it) names
//! WSAENETRESET for calls in progress and WSAENOTCONN after, while reports from Windows
//! applications show the timeout codes (recv failing with 10060, completions with 121).
//! Not measured here; a Windows machine would settle it.
//!
//! Cost: one store per arriving segment ([`Tcp::heard`](super::Tcp::heard): four bytes in
//! padding of the connection record, a tick of about 1 ms). Only connections with keep-alive
//! on have a timer, and activity never moves it: the timer finds the activity when it fires
//! and sets itself again from there. A probe clears `heard`, so whether it was answered is
//! whether `heard` is set again.

use crate::sim::net::segment::SegKind;
use crate::sim::net::tcp::{NetTimer, TcpState};
use crate::sim::net::{NetHooks, NetLayers};
use crate::sim::runtime::{Nanos, World};

/// A connection's keep-alive timer (`Network::keepalives`).
#[derive(Debug)]
pub(crate) struct KeepAlive {
    /// The socket object it belongs to (a later socket in the same slot has another).
    incarnation: u64,
    /// The live timer's generation: an earlier timer that fires is stale.
    gen: u64,
    /// Probes sent since the peer was last heard.
    probes: u32,
}

const MS: Nanos = 1_000_000;

impl<L: NetLayers> World<L>
where
    Self: NetHooks<L>,
{
    /// Keep-alive was turned on or off, or its times changed, on socket `id`, or `id` became
    /// established: sets its timer for the idle time from when the peer was last heard (or
    /// removes it).
    pub(crate) fn keepalive_changed(&mut self, id: usize) {
        let now = self.rt.now;
        let Some(s) = self.net.sockets.get(id) else {
            return;
        };
        let (on, idle) = (s.opts.keepalive, Nanos::from(s.opts.keep_idle_ms) * MS);
        let heard = match self.tcp(id) {
            Some(t) if on && probing_state(t.state) => last_heard(t, now),
            _ => {
                self.net.keepalives.remove(&id);
                return;
            }
        };
        let Some(incarnation) = self.net.sockets.incarnation(id) else {
            return;
        };
        let gen = self.next_gen();
        self.net.keepalives.insert(
            id,
            KeepAlive {
                incarnation,
                gen,
                probes: 0,
            },
        );
        let at = (heard + idle).max(now);
        self.schedule(at, NetTimer::KeepAlive { sid: id, gen });
    }

    /// Connection `sid`'s keep-alive timer (generation `gen`) fires: it sets itself again
    /// if the peer was heard within the idle time, else sends a probe, or drops the
    /// connection once `keep_count` probes went unanswered.
    pub(crate) fn keepalive_due(&mut self, sid: usize, gen: u64) {
        let now = self.rt.now;
        let Some(k) = self.net.keepalives.get(&sid) else {
            return;
        };
        if k.gen != gen {
            return;
        }
        let live = self.net.sockets.incarnation(sid) == Some(k.incarnation);
        let (on, idle, interval, count) = match self.net.sockets.get(sid) {
            Some(s) if live => (
                s.opts.keepalive,
                Nanos::from(s.opts.keep_idle_ms) * MS,
                // At least a millisecond: a zero interval would probe forever in one instant.
                Nanos::from(s.opts.keep_interval_ms).max(1) * MS,
                s.opts.keep_count,
            ),
            _ => (false, 0, 0, 0),
        };
        // A probe clears `heard` (`UNHEARD`): any segment since sets it again.
        let heard = match self.tcp(sid) {
            Some(t) if on && probing_state(t.state) => {
                (t.heard != UNHEARD).then(|| last_heard(t, now))
            }
            _ => {
                self.net.keepalives.remove(&sid);
                return;
            }
        };
        let k = self.net.keepalives.get_mut(&sid).expect("looked up above");
        let (next, probe) = match heard {
            // Nothing outstanding, or the peer answered: idle since it was last heard.
            Some(heard) => {
                k.probes = 0;
                if now < heard + idle {
                    (heard + idle, false)
                } else {
                    (now + interval, true)
                }
            }
            None if k.probes < count => (now + interval, true),
            None => {
                self.net.keepalives.remove(&sid);
                self.time_out_connection(sid);
                return;
            }
        };
        if probe {
            k.probes += 1;
            self.tcp_at(sid).heard = UNHEARD;
        }
        let gen = self.next_gen();
        if let Some(k) = self.net.keepalives.get_mut(&sid) {
            k.gen = gen;
        }
        if probe {
            self.send_ctl(sid, SegKind::KeepAlive);
        }
        self.schedule(next, NetTimer::KeepAlive { sid, gen });
    }
}

/// The states in which a connection probes: established both ways, or the peer's side
/// closed and ours still open (Windows probes in ESTABLISHED and CLOSE_WAIT).
fn probing_state(state: TcpState) -> bool {
    matches!(state, TcpState::Established | TcpState::CloseWait)
}

/// The unit of [`Tcp::heard`](super::Tcp::heard): 2^20 ns, about 1.05 ms.
const TICK_SHIFT: u32 = 20;

/// `Tcp::heard` after a probe went out, until the peer is heard again (`heard_ticks` never
/// gives it).
const UNHEARD: u32 = 0;

/// `now` as `Tcp::heard` keeps it: its ticks' low 32 bits, odd (never `UNHEARD`; an even tick
/// rounds up).
#[inline]
pub(crate) fn heard_ticks(now: Nanos) -> u32 {
    (now >> TICK_SHIFT) as u32 | 1
}

/// When the peer was last heard, at `now`: its last segment (rounded down to a tick, and
/// taken to be less than 2^32 ticks, about 52 days, ago: longer than any keep-alive time,
/// whose milliseconds are a DWORD), else the connection's establishment.
fn last_heard(t: &super::Tcp, now: Nanos) -> Nanos {
    let ago = u64::from(heard_ticks(now).wrapping_sub(t.heard)) << TICK_SHIFT;
    now.saturating_sub(ago)
        .max(t.connected_at.get().unwrap_or(0))
}
