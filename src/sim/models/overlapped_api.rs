//! What the model decides for an overlapped WSASend/WSARecv call before and after it
//! queues its operation: the checks that fail it synchronously (OV-08), and what the call
//! returns once its operation is registered (the count, the error, or WSA_IO_PENDING).

use crate::api::{Overlapped, WsaError};
use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::Role;
use crate::sim::net::tcp::TcpState;
use crate::sim::runtime::World;

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    /// The checks WSASend/WSARecv make before anything is queued (OV-08): errors known at call
    /// time are synchronous and queue no packet.
    pub(crate) fn overlapped_precheck(&mut self, id: usize, receive: bool) -> Result<(), WsaError> {
        let s = self.net.sockets.at(id);
        if receive && s.shut_rd || !receive && s.shut_wr {
            return Err(WsaError::WSAESHUTDOWN);
        }
        match &s.role {
            // A datagram socket must be bound to receive (WSAEINVAL, as recvfrom); sends bind.
            Role::Dgram(_) if receive && s.local.is_none() => Err(WsaError::WSAEINVAL),
            Role::Dgram(_) => Ok(()),
            Role::Stream(t) => match (t.error, t.connected_at.get()) {
                (Some(e), Some(_)) => Err(e),
                _ if !t.state.is_synchronized() || t.state == TcpState::TimeWait => {
                    Err(WsaError::WSAENOTCONN)
                }
                _ => Ok(()),
            },
            _ => Err(WsaError::WSAENOTCONN),
        }
    }

    /// What the starting call returns for operation `serial`: its byte count if it already
    /// succeeded, its error if it already failed (delivered or not), else WSA_IO_PENDING.
    pub(crate) fn op_outcome(
        &self,
        serial: u64,
        host: usize,
        ov: &Overlapped,
    ) -> Result<usize, WsaError> {
        let done = match self.models.io.ops.get(&serial) {
            Some(op) => op.done,
            None => self.models.io.result(&(host, ov.id)),
        };
        match done {
            None => Err(WsaError::WSA_IO_PENDING),
            Some((st, n)) => st.wsa().map_or(Ok(n), Err),
        }
    }
}
