//! What a thread blocked on sockets (recv, send, accept, connect, select) waits for, as a
//! failed run's report says it: each socket with its handle, kind, addresses and state.

use crate::sim::net::endpoint::Role;
use crate::sim::runtime::World;
use crate::sim::socket::{SockHooks, SockLayers};

impl<L: SockLayers> World<L>
where
    Self: SockHooks<L>,
{
    /// By thread: the sockets (by id, in id order) each blocked thread waits on in its
    /// current wait, read in one pass over every socket's waiters.
    pub(crate) fn sockets_waited(&self) -> Vec<Vec<usize>> {
        let mut by_thread = vec![Vec::new(); self.rt.threads.len()];
        for id in self.net.sockets.ids() {
            let Some(waiters) = self.net.sockets.waiters_of(id) else {
                continue;
            };
            for (tid, seq) in waiters.all() {
                let ids: &mut Vec<usize> = &mut by_thread[tid];
                // A thread on both of a socket's lists waits on it once.
                if self.in_wait(tid, seq) && ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
        }
        by_thread
    }

    /// The sockets `ids` a blocked thread waits on ([`World::sockets_waited`]), described
    /// ("TCP socket 0x10c 127.0.0.1:49152 -> 127.0.0.1:5000, ESTABLISHED, 0 bytes to read");
    /// `None` when there are none.
    pub(crate) fn describe_socket_wait(&self, ids: &[usize]) -> Option<String> {
        let parts: Vec<String> = ids
            .iter()
            .filter_map(|&id| self.net.sockets.get(id))
            .map(|s| {
                let h = s
                    .handle
                    .map_or_else(|| "(closed)".to_string(), |h| format!("{:#x}", h.get()));
                let addr = |a: Option<std::net::SocketAddr>| {
                    a.map_or_else(|| "unbound".to_string(), |a| a.to_string())
                };
                match &s.role {
                    Role::Idle => format!("socket {h} ({})", addr(s.local.get())),
                    Role::Listener(l) => format!(
                        "listening socket {h} on {} ({} connections to accept)",
                        addr(s.local.get()),
                        l.accept_q.len()
                    ),
                    Role::Stream(tcp) => format!(
                        "TCP socket {h} {} -> {}, {}, {} bytes to read, {} unacknowledged",
                        addr(s.local.get()),
                        addr(s.remote.get()),
                        tcp.state.name(),
                        tcp.rcv.len(),
                        tcp.snd.len()
                    ),
                    Role::Dgram(u) => format!(
                        "UDP socket {h} on {} ({} datagrams queued)",
                        addr(s.local.get()),
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
