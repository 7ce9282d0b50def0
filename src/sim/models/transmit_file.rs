//! TransmitFile in the simulator.
//!
//! The sim has no files: the "file" is an in-memory byte buffer the caller passes, read from
//! the given offset (the file pointer, or OVERLAPPED.Offset) for the given count (0: to its
//! end). TransmitFile reads the file in the kernel, so the send buffer does not limit it: the
//! head, the file part and the tail go to the connection's send queue at once, in that order
//! (after any WSASend still pending on the socket). Without an OVERLAPPED the call then
//! returns the count; with one it always returns WSA_IO_PENDING (sock.c test_TransmitFile)
//! and completes — event or completion packet — with the count. TF_DISCONNECT closes the
//! sending direction afterwards and TF_REUSE_SOCKET then hands the handle a fresh socket once
//! the FIN is acknowledged, as DisconnectEx does (`mswsock.rs`); with TF_DISCONNECT an
//! overlapped TransmitFile completes when the FIN is acknowledged.

use crate::sim::models::{ModelHooks, ModelLayers};
use crate::sim::net::endpoint::Role;
use crate::sim::net::tcp::TcpState;
use crate::sim::runtime::World;

/// TF_WRITE_BEHIND (0x04), TF_USE_SYSTEM_THREAD (0x10), TF_USE_KERNEL_APC (0x20): accepted,
/// with nothing to change in the sim.
pub(crate) const TF_IGNORED: u32 = 0x04 | 0x10 | 0x20;

impl<L: ModelLayers> World<L>
where
    Self: ModelHooks<L>,
{
    /// Whether `id` is a connected stream socket TransmitFile can send on.
    pub(crate) fn transmit_ready(&mut self, id: usize) -> bool {
        let s = self.net.sockets.at(id);
        !s.shut_wr
            && matches!(&s.role, Role::Stream(t)
                if t.state.is_synchronized() && t.state != TcpState::TimeWait && t.error.is_none())
    }
}
