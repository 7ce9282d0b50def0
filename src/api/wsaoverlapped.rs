//! [`Overlapped`] (WSAOVERLAPPED): what names one overlapped operation. Re-exported from
//! [`super::overlapped`], where the calls that take it are.

use super::event_select::WsaEvent;

/// WSAOVERLAPPED: the identity of one overlapped operation and its optional event.
///
/// `id` is the caller's: use it as `lpOverlapped` is used in C, to find the per-I/O context
/// (an index, a key into a map). While an operation with an `id` is pending on a host, another
/// operation may not use the same `id` (in C that would corrupt memory; the sim refuses it
/// with WSAEINVAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Overlapped {
    /// The caller's identity for this operation (the `lpOverlapped` value).
    pub id: u64,
    /// hEvent: signalled when the operation completes (not with a completion routine).
    pub event: Option<WsaEvent>,
}

impl Overlapped {
    /// An OVERLAPPED with identity `id` and no event.
    pub const fn new(id: u64) -> Overlapped {
        Overlapped { id, event: None }
    }

    /// An OVERLAPPED with identity `id` whose completion signals `event`.
    pub const fn with_event(id: u64, event: WsaEvent) -> Overlapped {
        Overlapped {
            id,
            event: Some(event),
        }
    }
}
