//! The I/O models: what each WinSock model adds over plain sockets — select/WSAPoll readiness,
//! FD_* network events for WSAAsyncSelect and WSAEventSelect, overlapped operations with their
//! completion by event, routine or port, and the mswsock extensions. The calls that drive them
//! (the trait implementations on `SimWinsock`) are in `sim::calls`.
//!
//! Map:
//! - `select` — readiness of a socket as select and WSAPoll see it;
//! - `network_events` — FD_* recording, re-enabling and delivery (messages or events);
//! - `op` — the overlapped operation record and the per-socket I/O state; `op_table` — all
//!   overlapped state of the run, with the slab of all operations by serial;
//! - `overlapped` — the operations' start, completion by event, routine or port, collection
//!   and abort;
//! - `pending_io` — pending WSARecv/WSASend serviced as data and send room arrive;
//! - `overlapped_api` — the shared checks and start of an overlapped call;
//! - `mswsock` — AcceptEx, ConnectEx, DisconnectEx servicing;
//! - `wsa_ioctl` — WSAIoctl's control codes; `interfaces` — the host's interfaces as
//!   SIO_GET_INTERFACE_LIST and SIO_ROUTING_INTERFACE_QUERY report them; `recv_msg` — WSARecvMsg control data;
//!   `transmit_file` — TransmitFile's queueing;
//! - `keymap` — the fixed-hash map of the overlapped look-up tables.

pub(crate) mod interfaces;
pub(crate) mod keymap;
pub(crate) mod mswsock;
pub(crate) mod network_events;
pub(crate) mod op;
pub(crate) mod op_table;
pub(crate) mod overlapped;
pub(crate) mod overlapped_api;
pub(crate) mod pending_io;
pub(crate) mod recv_msg;
pub(crate) mod result_order;
pub(crate) mod select;
pub(crate) mod transmit_file;
pub(crate) mod wsa_ioctl;

use crate::sim::kernel::{KernHooks, KernLayers};
use crate::sim::runtime::Layers;

use network_events::NetSlot;
use op_table::IoState;

/// The I/O models' state (completion routines run with a thread's handle).
pub(crate) struct ModelState<L: Layers> {
    /// FD_* event state of sockets (WSAAsyncSelect / WSAEventSelect), by id: latches only
    /// until a socket is registered.
    pub netev: Vec<NetSlot>,
    /// Overlapped operations and per-socket I/O state (completion port associations).
    pub io: IoState<L>,
}

impl<L: Layers> Default for ModelState<L> {
    fn default() -> Self {
        ModelState {
            netev: Vec::new(),
            io: IoState::default(),
        }
    }
}

/// The layer types as the models need them.
pub(crate) trait ModelLayers: KernLayers<Models = ModelState<Self>> {}
impl<L: KernLayers<Models = ModelState<L>>> ModelLayers for L {}

/// The models define no hooks of their own; the alias keeps bounds uniform.
pub(crate) trait ModelHooks<L: ModelLayers>: KernHooks<L> {}
impl<L: ModelLayers, W: KernHooks<L>> ModelHooks<L> for W {}
