//! What a thread blocked on sockets (recv, send, accept, connect, select) waits for, as a
//! failed run's report says it: each socket with its handle, kind, addresses and state.

use crate::sim::net::endpoint::Role;
use crate::sim::runtime::{ThreadState, World};
use crate::sim::socket::{SockHooks, SockLayers};

impl<L: SockLayers> World<L>
where
    Self: SockHooks<L>,
{
    /// The sockets thread `tid` is blocked on, described ("TCP socket 0x10c 127.0.0.1:49152 ->
    /// 127.0.0.1:5000, ESTABLISHED, 0 bytes to read"); `None` when it waits on none.
    pub(crate) fn describe_socket_wait(&self, tid: usize) -> Option<String> {
        let t = self.rt.threads.get(tid)?;
        if !matches!(t.state, ThreadState::Blocked(_)) {
            return None;
        }
        let seq = t.wait_seq;
        let parts: Vec<String> = self
            .net
            .sockets
            .ids()
            .into_iter()
            .filter(|&id| {
                self.net
                    .sockets
                    .waiters_of(id)
                    .is_some_and(|w| w.holds(tid, seq))
            })
            .filter_map(|id| self.net.sockets.get(id).map(|s| (id, s)))
            .map(|(_, s)| {
                let h = s
                    .handle
                    .map_or_else(|| "(closed)".to_string(), |h| format!("{h:#x}"));
                let addr = |a: Option<std::net::SocketAddr>| {
                    a.map_or_else(|| "unbound".to_string(), |a| a.to_string())
                };
                match &s.role {
                    Role::Idle => format!("socket {h} ({})", addr(s.local)),
                    Role::Listener(l) => format!(
                        "listening socket {h} on {} ({} connections to accept)",
                        addr(s.local),
                        l.accept_q.len()
                    ),
                    Role::Stream(tcp) => format!(
                        "TCP socket {h} {} -> {}, {}, {} bytes to read, {} unacknowledged",
                        addr(s.local),
                        addr(s.remote),
                        tcp.state.name(),
                        tcp.rcv.len(),
                        tcp.snd.len()
                    ),
                    Role::Dgram(u) => format!(
                        "UDP socket {h} on {} ({} datagrams queued)",
                        addr(s.local),
                        u.queue.len()
                    ),
                }
            })
            .collect();
        if parts.is_empty() {
            return None;
        }
        let how = if parts.len() > 1 { "any of: " } else { "" };
        Some(format!("{how}{}", parts.join("; ")))
    }
}
